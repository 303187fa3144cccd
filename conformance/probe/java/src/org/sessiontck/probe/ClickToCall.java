package org.sessiontck.probe;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URL;
import java.util.Iterator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.servlet.ServletException;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.sip.ConvergedHttpSession;
import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipFactory;
import javax.servlet.sip.SipServlet;
import javax.servlet.sip.SipServletMessage;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipSession;
import javax.servlet.sip.SipSessionsUtil;

/**
 * Click-to-call and the session monitor, the converged side of the probe:
 * the same resources as sstck-ref's HTTP side (observation protocol,
 * section 3), mapped under the application's context path.
 *
 *   POST /calls {"from": A, "to": B}, GET /calls/ID, POST /calls/ID/hangup
 *   GET /sessions, GET and DELETE /sessions/ID, GET /session
 *
 * The call is RFC 3725 flow I: INVITE A without an offer; A's offer to B;
 * B's answer in A's ACK.
 */
public class ClickToCall extends HttpServlet {
    private static final long serialVersionUID = 1L;
    static final String CALL = "c2c.parties";
    static final String LEG_A = "c2c.a";
    static final String LEG_B = "c2c.b";
    static final String OFFER = "c2c.offer";
    static final String PHASE = "c2c.phase";
    private static final Pattern FIELD = Pattern.compile("\"(from|to)\"\\s*:\\s*\"([^\"]*)\"");

    private transient SipFactory factory;
    private transient SipSessionsUtil util;

    @Override
    public void init() throws ServletException {
        factory = (SipFactory) getServletContext().getAttribute(SipServlet.SIP_FACTORY);
        util = (SipSessionsUtil) getServletContext().getAttribute(SipServlet.SIP_SESSIONS_UTIL);
    }

    /* --- the SIP side ------------------------------------------------- */

    /* Per leg (0: the first party, 1: the second), in the application
     * session, which outlives the legs: the leg's SipSession id, its
     * INVITE (for CANCEL), the final status it got, whether its 2xx was
     * ACKed and whether it was hung up (BYE or CANCEL sent). */
    private static final String[] LEG = { LEG_A, LEG_B };
    static final String INVITE = "c2c.invite.";
    static final String STATUS = "c2c.status.";
    static final String ACKED = "c2c.acked.";
    static final String BYE = "c2c.bye.";
    static final String HANGUP = "c2c.hangup";
    /** The linked leg's id, on each leg: JSR 289 gives getLinkedSession
     * only through a request's B2buaHelper, which the monitor has not. */
    static final String LINKED = "c2c.linked";

    /** A leg's SipSession, valid or not: getSipSession(id) forgets an
     * invalidated one, and the call still shows it (valid false). */
    static SipSession leg(SipApplicationSession sas, String which) {
        Object s = sas.getAttribute(which + ".session");
        return s instanceof SipSession ? (SipSession) s : null;
    }

    private static boolean flag(SipApplicationSession sas, String name) {
        return Boolean.TRUE.equals(sas.getAttribute(name));
    }

    static int status(SipApplicationSession sas, int i) {
        Object st = sas.getAttribute(STATUS + i);
        return st instanceof Integer ? (Integer) st : 0;
    }

    /** Sends leg @i's first INVITE, remembered for a CANCEL. */
    private static void invite(SipApplicationSession sas, int i, SipServletRequest inv)
            throws IOException {
        sas.setAttribute(LEG[i], inv.getSession().getId());
        sas.setAttribute(LEG[i] + ".session", inv.getSession());
        sas.setAttribute(INVITE + i, inv);
        Observation.setRole(inv.getSession(), "UAC", false);
        ProbeServlet.send(inv, inv.getSession());
    }

    /** ACKs the first party's 2xx once, with @answer's body if any. */
    private static void ackFirst(SipApplicationSession sas, SipServletMessage answer)
            throws IOException {
        SipSession first = leg(sas, LEG_A);
        Object offer = first == null ? null : first.getAttribute(OFFER);
        if (flag(sas, ACKED + 0) || !(offer instanceof SipServletResponse)) {
            return;
        }
        sas.setAttribute(ACKED + 0, Boolean.TRUE);
        SipServletRequest ack = ((SipServletResponse) offer).createAck();
        if (answer != null) {
            ProbeServlet.copyContent(answer, ack);
        }
        ProbeServlet.send(ack, first);
    }

    /**
     * Ends the call in @phase: BYE on each confirmed leg (its 2xx ACKed
     * first, RFC 3261 13.2.2.4), CANCEL on one that rings; each leg once.
     */
    static void end(SipApplicationSession sas, String phase) throws IOException {
        sas.setAttribute(PHASE, phase);
        for (int i = 0; i < 2; i++) {
            SipSession s = leg(sas, LEG[i]);
            if (s == null || !s.isValid() || flag(sas, BYE + i)) {
                continue;
            }
            if (s.getState() == SipSession.State.CONFIRMED) {
                if (i == 0) {
                    ackFirst(sas, null);
                }
                sas.setAttribute(BYE + i, Boolean.TRUE);
                ProbeServlet.send(s.createRequest("BYE"), s);
            } else if (s.getState() == SipSession.State.EARLY && status(sas, i) == 0
                       && sas.getAttribute(INVITE + i) instanceof SipServletRequest) {
                sas.setAttribute(BYE + i, Boolean.TRUE);
                ProbeServlet.send(((SipServletRequest) sas.getAttribute(INVITE + i))
                                  .createCancel(), s);
            }
        }
    }

    static void onResponse(SipFactory f, SipServletResponse resp) throws IOException {
        SipSession s = resp.getSession();
        SipApplicationSession sas = s.getApplicationSession();
        String[] parties = (String[]) sas.getAttribute(CALL);
        int st = resp.getStatus();
        int i = s.getId().equals(sas.getAttribute(LEG_A)) ? 0 : 1;
        String over = flag(sas, HANGUP) ? "ended" : "failed";

        if (!resp.getMethod().equals("INVITE")) {
            relayed(resp);
            return;
        }
        if (st < 200 || status(sas, i) != 0) {
            return;                 // a 1xx, a retransmission
        }
        sas.setAttribute(STATUS + i, st);
        if (st >= 300) {
            // a party declined: the other leg, if up, ends too
            if (i == 1) {
                ackFirst(sas, null);
            }
            end(sas, over);
            return;
        }
        if (i == 0) {
            s.setAttribute(OFFER, resp);
            SipServletRequest inv = null;
            if (!flag(sas, HANGUP)) {
                try {
                    inv = f.createRequest(sas, "INVITE", parties[0], parties[2]);
                } catch (javax.servlet.sip.ServletParseException e) {
                    inv = null;
                }
            }
            if (inv == null) {
                end(sas, over);
                return;
            }
            // A's offer to B (RFC 3725 flow I); one call, linked legs
            inv.getB2buaHelper().linkSipSessions(s, inv.getSession());
            s.setAttribute(LINKED, inv.getSession().getId());
            inv.getSession().setAttribute(LINKED, s.getId());
            ProbeServlet.copyContent(resp, inv);
            sas.setAttribute(PHASE, "calling-b");
            invite(sas, 1, inv);
            return;
        }
        // B answered: ACK B, and A's ACK carries B's answer
        sas.setAttribute(ACKED + 1, Boolean.TRUE);
        ProbeServlet.send(resp.createAck(), s);
        ackFirst(sas, resp);
        sas.setAttribute(PHASE, "connected");
        if (flag(sas, HANGUP)) {
            end(sas, "ended");
        }
    }

    /** The answer to a party's BYE that ProbeServlet relayed on the linked
     * leg goes back to that party (B2B-07). */
    private static void relayed(SipServletResponse resp) throws IOException {
        Object in = resp.getRequest().getAttribute(ProbeServlet.IN);
        if (resp.getStatus() < 200 || !(in instanceof SipServletRequest)) {
            return;
        }
        SipServletRequest req = (SipServletRequest) in;
        ProbeServlet.send(req.createResponse(resp.getStatus(), resp.getReasonPhrase()),
                          req.getSession());
    }

    /* --- the HTTP side ------------------------------------------------ */

    private static void reply(HttpServletResponse r, int status, String json) throws IOException {
        r.setStatus(status);
        r.setContentType("application/json");
        PrintWriter w = r.getWriter();
        w.print(json);
        w.flush();
    }

    private static String error(String text) {
        return "{\"error\":" + Observation.json(text) + "}";
    }

    /** The names of @it, as a JSON list. */
    private static String names(Iterator<String> it) {
        StringBuilder b = new StringBuilder("[");
        for (String sep = ""; it.hasNext(); sep = ",") {
            b.append(sep).append(Observation.json(it.next()));
        }
        return b.append(']').toString();
    }

    /** A SIP session as section 3 of the protocol has it; "original" is
     * left out (JSR 289 names no original of a derived session). */
    static String session(SipSession s) {
        try {
            return session(s, s.isValid());
        } catch (IllegalStateException e) {
            return session(s, false);   // invalidated meanwhile, by the SIP side
        }
    }

    private static String session(SipSession s, boolean v) {
        StringBuilder b = new StringBuilder("{\"id\":").append(Observation.json(s.getId()));
        b.append(",\"valid\":").append(v);
        b.append(",\"role\":").append(Observation.json(Observation.role(s)));
        b.append(",\"state\":").append(Observation.json(v ? s.getState().name() : "invalid"));
        b.append(",\"derived\":").append(Boolean.TRUE.equals(
            v ? s.getAttribute(Observation.DERIVED) : null));
        Object linked = v ? s.getAttribute(LINKED) : null;
        if (linked instanceof String) {
            b.append(",\"linked\":").append(Observation.json((String) linked));
        }
        if (v) {
            b.append(",\"call_id\":").append(Observation.json(s.getCallId()));
        }
        b.append(",\"attributes\":").append(v ? names(java.util.Collections.list(s.getAttributeNames()).iterator()) : "[]");
        return b.append('}').toString();
    }

    static String appSession(SipApplicationSession sas) {
        StringBuilder b = new StringBuilder("{\"id\":").append(Observation.json(sas.getId()));
        b.append(",\"valid\":").append(sas.isValid());
        long exp = sas.getExpirationTime();
        b.append(",\"expires\":").append(exp > 0 ? Long.toString(exp) : "null");
        b.append(",\"attributes\":").append(names(sas.getAttributeNames()));
        b.append(",\"sip_sessions\":[");
        String sep = "";
        for (Iterator<?> it = sas.getSessions("SIP"); it.hasNext(); sep = ",") {
            b.append(sep).append(session((SipSession) it.next()));
        }
        b.append("],\"http_sessions\":[");
        sep = "";
        for (Iterator<?> it = sas.getSessions("HTTP"); it.hasNext(); sep = ",") {
            javax.servlet.http.HttpSession h = (javax.servlet.http.HttpSession) it.next();
            b.append(sep).append("{\"id\":").append(Observation.json(h.getId()))
             .append(",\"valid\":true}");
        }
        return b.append("]}").toString();
    }

    /**
     * The live application session @id, or null.  Cipango 3.0.2's
     * getApplicationSessionById wraps null for an unknown id (its
     * SipAppContext), so only ids the listener saw created are asked.
     */
    private SipApplicationSession live(String id) {
        if (!ProbeListener.LIVE.contains(id)) {
            return null;
        }
        try {
            SipApplicationSession sas = util.getApplicationSessionById(id);
            return sas != null && sas.isValid() ? sas : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The live application sessions that HTTP session @hs is in. */
    private String sasOf(javax.servlet.http.HttpSession hs) {
        StringBuilder b = new StringBuilder("[");
        String sep = "";
        for (String id : ProbeListener.LIVE) {
            SipApplicationSession sas = live(id);
            if (sas == null) {
                continue;
            }
            for (Iterator<?> it = sas.getSessions("HTTP"); it.hasNext(); ) {
                if (((javax.servlet.http.HttpSession) it.next()).getId().equals(hs.getId())) {
                    b.append(sep).append(Observation.json(id));
                    sep = ",";
                    break;
                }
            }
        }
        return b.append(']').toString();
    }

    /** The call's URL made by SipApplicationSession.encodeURL (HTTP-02),
     * relative to the application's context path. */
    private String url(HttpServletRequest req, SipApplicationSession sas) throws IOException {
        String ctx = getServletContext().getContextPath();
        URL u = new URL(req.getScheme(), req.getServerName(), req.getServerPort(),
                        ctx + "/calls/" + sas.getId());
        String e = sas.encodeURL(u).toExternalForm();
        int at = e.indexOf(ctx + "/calls/");
        return at < 0 ? e : e.substring(at + ctx.length());
    }

    private String call(HttpServletRequest req, SipApplicationSession sas,
                        ConvergedHttpSession hs) throws IOException {
        String[] parties = (String[]) sas.getAttribute(CALL);
        StringBuilder b = new StringBuilder("{\"id\":").append(Observation.json(sas.getId()));
        b.append(",\"valid\":").append(sas.isValid());
        b.append(",\"phase\":").append(Observation.json(phase(sas)));
        b.append(",\"http_session\":").append(Observation.json(hs.getId()));
        b.append(",\"url\":").append(Observation.json(url(req, sas))).append(",\"legs\":[");
        for (int i = 0; i < 2; i++) {
            SipSession s = leg(sas, LEG[i]);
            String l = s == null ? "{\"state\":\"none\"}" : session(s);
            b.append(i > 0 ? "," : "").append(l, 0, l.length() - 1);
            b.append(",\"party\":").append(Observation.json(parties[i + 1]));
            b.append(",\"status\":").append(status(sas, i)).append('}');
        }
        return b.append("]}").toString();
    }

    private static String phase(SipApplicationSession sas) {
        Object p = sas.getAttribute(PHASE);
        String ph = p instanceof String ? (String) p : "calling-a";
        if (ph.equals("connected") || ph.equals("ended")) {
            boolean gone = true;
            for (String w : LEG) {
                SipSession s = leg(sas, w);
                gone &= s == null || !s.isValid() || s.getState() == SipSession.State.TERMINATED;
            }
            return gone ? "ended" : ph;
        }
        return ph;
    }

    private static String body(HttpServletRequest req) throws IOException {
        StringBuilder b = new StringBuilder();
        BufferedReader r = req.getReader();
        for (String l = r.readLine(); l != null && b.length() < 65536; l = r.readLine()) {
            b.append(l);
        }
        return b.toString();
    }

    /** A party the container may call: a sip: URI on loopback (section 3). */
    private boolean callable(String uri) {
        try {
            javax.servlet.sip.URI u = factory.createURI(uri);
            return u.isSipURI() && !((javax.servlet.sip.SipURI) u).isSecure()
                && java.net.InetAddress.getByName(((javax.servlet.sip.SipURI) u).getHost())
                       .isLoopbackAddress();
        } catch (javax.servlet.sip.ServletParseException | java.net.UnknownHostException e) {
            return false;
        }
    }

    /** POST /calls: the first party's INVITE, without an offer. */
    private void start(HttpServletRequest req, HttpServletResponse resp,
                       ConvergedHttpSession hs) throws IOException {
        String from = null, to = null;
        Matcher m = FIELD.matcher(body(req));
        while (m.find()) {
            if (m.group(1).equals("from")) {
                from = m.group(2);
            } else {
                to = m.group(2);
            }
        }
        if (from == null || to == null) {
            reply(resp, 400, error("expected {\"from\": SIP URI, \"to\": SIP URI}"));
            return;
        }
        if (!callable(from) || !callable(to)) {
            reply(resp, 400, error("from and to must be sip: URIs on loopback"));
            return;
        }
        SipApplicationSession sas = hs.getApplicationSession();
        String me = "sip:click-to-call@" + req.getHeader("Host");
        SipServletRequest inv;
        try {
            inv = factory.createRequest(sas, "INVITE", me, from);
        } catch (javax.servlet.sip.ServletParseException e) {
            reply(resp, 400, error("from and to must be SIP URIs: " + e.getMessage()));
            return;
        }
        sas.setAttribute(CALL, new String[] { me, from, to });
        invite(sas, 0, inv);
        reply(resp, 201, call(req, sas, hs));
    }

    /** POST /calls/ID/hangup. */
    private void hangup(HttpServletRequest req, HttpServletResponse resp,
                        SipApplicationSession sas, ConvergedHttpSession hs) throws IOException {
        String ph = phase(sas);
        if (ph.equals("ended") || ph.equals("failed")) {
            reply(resp, 409, error("the call is over (" + ph + ")"));
            return;
        }
        // still calling: end what is up now, and what answers later
        sas.setAttribute(HANGUP, !ph.equals("connected"));
        end(sas, "ended");
        reply(resp, 202, call(req, sas, hs));
    }

    /** GET /sessions: every live application session. */
    private String all() {
        StringBuilder b = new StringBuilder("{\"application_sessions\":[");
        String sep = "";
        for (String id : ProbeListener.LIVE) {
            SipApplicationSession sas = live(id);
            if (sas != null) {
                b.append(sep).append(appSession(sas));
                sep = ",";
            }
        }
        return b.append("]}").toString();
    }

    /**
     * Every method on every resource, routed as sstck-ref's HTTP side does:
     * an unknown id or path gets 404 before a method the resource does not
     * take gets 405 (section 3).
     */
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp)
            throws ServletException, IOException {
        String top = req.getServletPath();
        String info = req.getPathInfo() == null ? "" : req.getPathInfo();
        String method = req.getMethod();
        ConvergedHttpSession hs = (ConvergedHttpSession) req.getSession();
        String[] p = info.split("/", 3);          // "", ID, rest
        boolean calls = top.equals("/calls");

        if (top.equals("/session") || p.length < 2 || p[1].isEmpty()) {
            boolean get = method.equals("GET"), post = method.equals("POST");
            if (top.equals("/session") && get) {
                // not hs.getApplicationSession(): it makes one where there is none
                String path = req.getParameter("encode");
                // HTTP-03: encodeURL(PATH) and encodeURL(PATH, "http")
                String enc = path == null ? "" : ",\"encoded\":" + Observation.json(hs.encodeURL(path))
                    + ",\"absolute\":" + Observation.json(hs.encodeURL(path, "http"));
                // HTTP-06: setMaxInactiveInterval(S), ?max-inactive=S
                String mi = req.getParameter("max-inactive");
                if (mi != null) {
                    try {
                        hs.setMaxInactiveInterval(Integer.parseInt(mi));
                    } catch (NumberFormatException e) {
                        reply(resp, 400, error("max-inactive must be seconds"));
                        return;
                    }
                }
                reply(resp, 200, "{\"id\":" + Observation.json(hs.getId())
                      + ",\"application_sessions\":" + sasOf(hs) + enc
                      + ",\"max_inactive\":" + hs.getMaxInactiveInterval() + "}");
            } else if (!top.equals("/session") && (calls ? post : get)) {
                if (calls) {
                    start(req, resp, hs);
                } else {
                    reply(resp, 200, all());
                }
            } else {
                reply(resp, 405, error(method + " not allowed on " + top));
            }
            return;
        }
        SipApplicationSession sas = live(p[1]);
        String rest = p.length > 2 ? p[2] : "";
        if (sas == null || !sas.isValid() || (calls && sas.getAttribute(CALL) == null)) {
            reply(resp, 404, error("no application session " + p[1]));
        } else if (!rest.isEmpty() && !(calls && rest.equals("hangup"))) {
            reply(resp, 404, error("no such resource: " + top + info));
        } else if (calls && rest.equals("hangup")) {
            if (method.equals("POST")) {
                hangup(req, resp, sas, hs);
            } else {
                reply(resp, 405, error(method + " not allowed on " + top + info));
            }
        } else if (method.equals("GET")) {
            reply(resp, 200, calls ? call(req, sas, hs) : appSession(sas));
        } else if (!calls && method.equals("DELETE")) {
            String id = sas.getId();
            sas.invalidate();
            reply(resp, 200, "{\"id\":" + Observation.json(id) + ",\"invalidated\":true}");
        } else {
            reply(resp, 405, error(method + " not allowed on " + top + info));
        }
    }

    /** encodeURL on a full URL, for a caller that has one (HTTP-02). */
    static URL encode(SipApplicationSession sas, URL url) {
        return sas.encodeURL(url);
    }
}
