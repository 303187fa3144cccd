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

    static SipSession leg(SipApplicationSession sas, String which) {
        Object id = sas.getAttribute(which);
        return id instanceof String ? sas.getSipSession((String) id) : null;
    }

    static void onResponse(SipFactory f, SipServletResponse resp) throws IOException {
        SipSession s = resp.getSession();
        SipApplicationSession sas = s.getApplicationSession();
        String[] parties = (String[]) sas.getAttribute(CALL);
        int st = resp.getStatus();
        boolean a = s.getId().equals(sas.getAttribute(LEG_A));

        if (st < 200 || !resp.getMethod().equals("INVITE")) {
            return;
        }
        if (st >= 300) {
            sas.setAttribute(PHASE, "failed");
            SipSession other = leg(sas, LEG_A);
            Object ok = other == null ? null : other.getAttribute(OFFER);
            if (!a && ok instanceof SipServletResponse) {
                ProbeServlet.send(((SipServletResponse) ok).createAck(), other);
                ProbeServlet.send(other.createRequest("BYE"), other);
            }
            return;
        }
        if (a) {
            s.setAttribute(OFFER, resp);
            SipServletRequest inv;
            try {
                inv = f.createRequest(sas, "INVITE", parties[0], parties[2]);
            } catch (javax.servlet.sip.ServletParseException e) {
                sas.setAttribute(PHASE, "failed");
                return;
            }
            sas.setAttribute(LEG_B, inv.getSession().getId());
            Observation.setRole(inv.getSession(), "UAC", false);
            ProbeServlet.copyContent(resp, inv);
            sas.setAttribute(PHASE, "calling-b");
            ProbeServlet.send(inv, inv.getSession());
            return;
        }
        ProbeServlet.send(resp.createAck(), s);
        SipSession first = leg(sas, LEG_A);
        Object offer = first == null ? null : first.getAttribute(OFFER);
        if (offer instanceof SipServletResponse) {
            SipServletRequest ack = ((SipServletResponse) offer).createAck();
            ProbeServlet.copyContent(resp, ack);
            ProbeServlet.send(ack, first);
        }
        sas.setAttribute(PHASE, "connected");
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

    static String session(SipSession s) {
        StringBuilder b = new StringBuilder("{\"id\":").append(Observation.json(s.getId()));
        b.append(",\"valid\":").append(s.isValid());
        b.append(",\"role\":").append(Observation.json(Observation.role(s)));
        b.append(",\"state\":").append(Observation.json(s.isValid() ? s.getState().name()
                                                                     : "invalid"));
        b.append(",\"derived\":").append(Boolean.TRUE.equals(
            s.isValid() ? s.getAttribute(Observation.DERIVED) : null));
        if (s.isValid()) {
            b.append(",\"call_id\":").append(Observation.json(s.getCallId()));
        }
        return b.append('}').toString();
    }

    static String appSession(SipApplicationSession sas) {
        StringBuilder b = new StringBuilder("{\"id\":").append(Observation.json(sas.getId()));
        b.append(",\"valid\":").append(sas.isValid()).append(",\"sip_sessions\":[");
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

    private String call(SipApplicationSession sas, ConvergedHttpSession hs) {
        String[] parties = (String[]) sas.getAttribute(CALL);
        StringBuilder b = new StringBuilder("{\"id\":").append(Observation.json(sas.getId()));
        b.append(",\"phase\":").append(Observation.json(phase(sas)));
        b.append(",\"http_session\":").append(Observation.json(hs.getId()));
        String url = hs.encodeURL(getServletContext().getContextPath() + "/calls/" + sas.getId());
        b.append(",\"url\":").append(Observation.json(url)).append(",\"legs\":[");
        String[] which = { LEG_A, LEG_B };
        for (int i = 0; i < 2; i++) {
            SipSession s = leg(sas, which[i]);
            b.append(i > 0 ? "," : "");
            b.append(s == null ? "{\"state\":\"none\"}" : session(s));
        }
        b.append("],\"parties\":[").append(Observation.json(parties[1])).append(',')
         .append(Observation.json(parties[2])).append("]}");
        return b.toString();
    }

    private static String phase(SipApplicationSession sas) {
        Object p = sas.getAttribute(PHASE);
        String ph = p instanceof String ? (String) p : "calling-a";
        if (ph.equals("connected") || ph.equals("ended")) {
            boolean gone = true;
            for (String w : new String[] { LEG_A, LEG_B }) {
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

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp)
            throws ServletException, IOException {
        String path = req.getPathInfo() == null ? "" : req.getPathInfo();
        String servlet = req.getRequestURI();
        ConvergedHttpSession hs = (ConvergedHttpSession) req.getSession();

        if (servlet.endsWith("/calls") && path.isEmpty()) {
            String from = null, to = null;
            Matcher m = FIELD.matcher(body(req));
            while (m.find()) {
                if (m.group(1).equals("from")) {
                    from = m.group(2);
                } else {
                    to = m.group(2);
                }
            }
            if (from == null || to == null || !from.startsWith("sip:") || !to.startsWith("sip:")) {
                reply(resp, 400, error("expected {\"from\": SIP URI, \"to\": SIP URI}"));
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
            sas.setAttribute(LEG_A, inv.getSession().getId());
            Observation.setRole(inv.getSession(), "UAC", false);
            ProbeServlet.send(inv, inv.getSession());
            reply(resp, 201, call(sas, hs));
            return;
        }
        SipApplicationSession sas = target(path);
        if (sas == null || !path.endsWith("/hangup")) {
            reply(resp, 404, error("no such call"));
            return;
        }
        String ph = phase(sas);
        if (ph.equals("ended") || ph.equals("failed")) {
            reply(resp, 409, error("the call is over (" + ph + ")"));
            return;
        }
        for (String w : new String[] { LEG_A, LEG_B }) {
            SipSession s = leg(sas, w);
            if (s != null && s.isValid() && s.getState() == SipSession.State.CONFIRMED) {
                ProbeServlet.send(s.createRequest("BYE"), s);
            }
        }
        sas.setAttribute(PHASE, "ended");
        reply(resp, 202, call(sas, hs));
    }

    private SipApplicationSession target(String path) {
        String[] p = path.split("/");
        if (p.length < 2 || p[1].isEmpty()) {
            return null;
        }
        SipApplicationSession sas = util.getApplicationSessionById(p[1]);
        return sas != null && sas.isValid() ? sas : null;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp)
            throws ServletException, IOException {
        String path = req.getPathInfo() == null ? "" : req.getPathInfo();
        String uri = req.getRequestURI();
        ConvergedHttpSession hs = (ConvergedHttpSession) req.getSession();

        if (uri.endsWith("/session")) {
            SipApplicationSession sas = hs.getApplicationSession();
            reply(resp, 200, "{\"id\":" + Observation.json(hs.getId())
                  + ",\"application_sessions\":[" + Observation.json(sas.getId()) + "]}");
            return;
        }
        if (uri.endsWith("/sessions") && path.isEmpty()) {
            StringBuilder b = new StringBuilder("{\"application_sessions\":[");
            String sep = "";
            for (String id : ProbeListener.LIVE) {
                SipApplicationSession sas = util.getApplicationSessionById(id);
                if (sas != null && sas.isValid()) {
                    b.append(sep).append(appSession(sas));
                    sep = ",";
                }
            }
            reply(resp, 200, b.append("]}").toString());
            return;
        }
        SipApplicationSession sas = target(path);
        if (sas == null) {
            reply(resp, 404, error("no such application session"));
            return;
        }
        reply(resp, 200, uri.contains("/calls/") && sas.getAttribute(CALL) != null
              ? call(sas, hs) : appSession(sas));
    }

    @Override
    protected void doDelete(HttpServletRequest req, HttpServletResponse resp)
            throws ServletException, IOException {
        SipApplicationSession sas = target(req.getPathInfo() == null ? "" : req.getPathInfo());
        if (sas == null) {
            reply(resp, 404, error("no such application session"));
            return;
        }
        String id = sas.getId();
        sas.invalidate();
        reply(resp, 200, "{\"id\":" + Observation.json(id) + ",\"invalidated\":true}");
    }

    /** encodeURL on a full URL, for a caller that has one (HTTP-02). */
    static URL encode(SipApplicationSession sas, URL url) {
        return sas.encodeURL(url);
    }
}
