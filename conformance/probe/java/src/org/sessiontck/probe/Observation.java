package org.sessiontck.probe;

import java.io.FileWriter;
import java.io.IOException;
import java.io.Writer;
import java.util.Iterator;
import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipSession;

/**
 * The observation protocol (conformance/observation-protocol.md) from the
 * real SipSession and SipApplicationSession objects: the X-SS-State value
 * of a session after processing, and the trace as JSON Lines.
 *
 * The container knows the role of a session only through what the servlet
 * did with it, so the probe keeps it as a session attribute.
 */
public final class Observation {
    /** Header names of the protocol. */
    public static final String STATE_HEADER = "X-SS-State";
    /** The harness names the role to play in the initial request. */
    public static final String APP_HEADER = "X-SSTCK-App";

    static final String ROLE = "sstck.role";
    static final String DERIVED = "sstck.derived";

    /** Roles by session id: an invalidated session's attributes are gone,
     * and its last X-SS-State still names its role. */
    private static final java.util.Map<String, String> ROLES =
        new java.util.concurrent.ConcurrentHashMap<>();
    private static Writer trace;
    private static long seq;
    private static final long T0 = System.nanoTime();

    private Observation() { }

    /** The role the servlet gave @s: UAC, UAS or PROXY; UAS until then. */
    public static String role(SipSession s) {
        Object r = s.isValid() ? s.getAttribute(ROLE) : ROLES.get(s.getId());
        return r instanceof String ? (String) r : "UAS";
    }

    /** The ids of the sessions whose ss-created is in the trace. */
    private static final java.util.Set<String> CREATED =
        java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** ss-created for @s, once: when the container creates it
     * (sessionCreated, role not yet known) or, for one the listener did
     * not hear of, when the servlet first gives it a role. */
    public static void created(SipSession s, String role) {
        if (s == null || !s.isValid()) {
            return;
        }
        if (CREATED.size() > 100000) {
            CREATED.clear();               // a bound, for long runs
        }
        if (CREATED.add(s.getId())) {
            emit("ss-created", "sas", s.getApplicationSession().getId(), "ss", s.getId(),
                 "role", role, "call", s.getCallId());
        }
    }

    public static void setRole(SipSession s, String role, boolean derived) {
        if (s == null || !s.isValid()) {
            return;
        }
        boolean fresh = s.getAttribute(ROLE) == null;
        s.setAttribute(ROLE, role);
        if (ROLES.size() > 100000) {
            ROLES.clear();                 // a bound, for long runs
        }
        ROLES.put(s.getId(), role);
        if (derived) {
            s.setAttribute(DERIVED, Boolean.TRUE);
        }
        if (fresh) {
            created(s, role);
        }
    }

    /** X-SS-State of @s, or "none". */
    public static String stamp(SipSession s) {
        if (s == null) {
            return "none";
        }
        if (!s.isValid()) {
            return "id=" + s.getId() + ";state=TERMINATED;role=" + role(s) + ";valid=0;at=app";
        }
        SipApplicationSession sas = s.getApplicationSession();
        int sip = count(sas, "SIP"), http = count(sas, "HTTP");
        boolean derived = Boolean.TRUE.equals(s.getAttribute(DERIVED));
        return "id=" + s.getId() + ";state=" + s.getState().name() + ";role=" + role(s)
            + ";sas=" + sas.getId() + ";sip=" + sip + ";http=" + http
            + ";derived=" + (derived ? 1 : 0) + ";valid=1;at=app";
    }

    static int count(SipApplicationSession sas, String protocol) {
        int n = 0;
        if (sas == null || !sas.isValid()) {
            return 0;
        }
        for (Iterator<?> it = sas.getSessions(protocol); it.hasNext(); it.next()) {
            n++;
        }
        return n;
    }

    /** Where the trace goes (a file on the container's host), or null; the
     * system property sstck.trace when sip.xml names none. */
    public static synchronized void open(String path) throws IOException {
        if (path == null || path.isEmpty()) {
            path = System.getProperty("sstck.trace");
        }
        trace = path == null || path.isEmpty() ? null : new FileWriter(path, true);
    }

    public static synchronized void close() {
        try {
            if (trace != null) {
                trace.close();
            }
        } catch (IOException e) {
            // the trace is best effort on a container's disk
        }
        trace = null;
    }

    /** One trace line: "ev", then name/value pairs, then "seq" and "t". */
    public static synchronized String line(String ev, String... kv) {
        StringBuilder b = new StringBuilder("{\"ev\":").append(json(ev));
        for (int i = 0; i + 1 < kv.length; i += 2) {
            if (kv[i + 1] == null) {
                continue;
            }
            b.append(',').append(json(kv[i])).append(':');
            if (kv[i].equals("cseq")) {
                b.append(kv[i + 1]);
            } else {
                b.append(json(kv[i + 1]));
            }
        }
        b.append(",\"seq\":").append(++seq);
        b.append(",\"t\":").append((System.nanoTime() - T0) / 1000000L).append('}');
        return b.toString();
    }

    public static synchronized void emit(String ev, String... kv) {
        String l = line(ev, kv);
        if (trace == null) {
            return;
        }
        try {
            trace.write(l);
            trace.write('\n');
            trace.flush();
        } catch (IOException e) {
            trace = null;
        }
    }

    static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
