package org.sessiontck.probe;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.servlet.ServletException;
import javax.servlet.sip.B2buaHelper;
import javax.servlet.sip.Proxy;
import javax.servlet.sip.ProxyBranch;
import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipFactory;
import javax.servlet.sip.SipServlet;
import javax.servlet.sip.SipServletMessage;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipSession;
import javax.servlet.sip.SipURI;
import javax.servlet.sip.TimerService;
import javax.servlet.sip.TooManyHopsException;
import javax.servlet.sip.URI;

/**
 * SessionTCK's probe: a SIP servlet that plays the roles of sstck-ref's
 * applications (proxy, send-on, fork, b2bua; click-to-call with the HTTP
 * servlet) in a third-party SIP servlet container, chosen per initial
 * request by its X-SSTCK-App header, and adds X-SS-State from the real
 * SipSession and SipApplicationSession to every message it touches.
 *
 * Every X-SS-State it adds is taken in the servlet's callback, before the
 * container acts on that message (at=app): JSR 289 gives no hook after
 * send() or after the container forwards a response.  The state after the
 * container is done with a session is in the trace, at
 * sessionReadyToInvalidate.  The trace has no state lines: a servlet sees
 * the state only in its callbacks, and a container may move it after the
 * callback returns (Cipango ends a UAC session on a BYE's 2xx after
 * doResponse), so a change seen between two callbacks cannot be pinned on
 * one message.
 */
public class ProbeServlet extends SipServlet {
    private static final long serialVersionUID = 1L;
    static final String APP = "sstck.app";
    static final String IN = "sstck.in";
    static final String TWO_XX = "sstck.2xx";
    static final String BEST_DONE = "sstck.best";
    static final String SELF = "sstck.self";
    static final String RETRIED = "sstck.retried";
    /** The credentials sstck-ref's --auth-retry sends; the callee checks
     * only that they are there. */
    static final String CREDENTIALS = "Digest username=\"sstck\", realm=\"sstck\","
        + " nonce=\"0\", uri=\"sip:sstck\","
        + " response=\"00000000000000000000000000000000\"";

    /**
     * The application's key (JSR 289 15.11.2, KEY-01 to KEY-03): an initial
     * request's X-SSTCK-Key header; none (null) gives a new application
     * session.  sstck-ref's uas and probe applications do the same.
     */
    @javax.servlet.sip.annotation.SipApplicationKey
    public static String sessionKey(SipServletRequest req) {
        String k = req.getHeader("X-SSTCK-Key");
        return k == null || k.isEmpty() ? null : k;
    }

    private transient SipFactory factory;
    private transient TimerService timers;

    @Override
    public void init() throws ServletException {
        factory = (SipFactory) getServletContext().getAttribute(SIP_FACTORY);
        timers = (TimerService) getServletContext().getAttribute(TIMER_SERVICE);
        Ops.util = (javax.servlet.sip.SipSessionsUtil) getServletContext().getAttribute(SIP_SESSIONS_UTIL);
        Ops.context = getServletContext();
        getServletContext().setAttribute(Ops.CONTEXT_MARK, Ops.MARK);
        try {
            Observation.open(getInitParameter("sstck.trace"));
        } catch (IOException e) {
            log("sstck probe: no trace: " + e.getMessage());
        }
    }

    @Override
    public void destroy() {
        Observation.close();
    }

    static Role roleOf(SipApplicationSession sas) {
        Object r = sas.isValid() ? sas.getAttribute(APP) : null;
        return r instanceof Role ? (Role) r : Role.parse(null);
    }

    /** Sends @m after stamping it as session @s. */
    static void send(SipServletMessage m, SipSession s) throws IOException {
        m.setHeader(Observation.STATE_HEADER, Observation.stamp(s));
        Ops.attach(m);
        m.send();
    }

    /** A response the probe sends as a UAS, stamped (at=app) with the state
     * before it is sent. */
    static void answer(SipServletRequest req, int status, String reason) throws IOException {
        SipSession s = req.getSession();
        SipServletResponse r = reason == null ? req.createResponse(status)
                                              : req.createResponse(status, reason);
        r.setHeader(Observation.STATE_HEADER, Observation.stamp(s));
        Ops.attach(r);
        r.send();
    }

    /**
     * Every request the container gives the application: the operations it
     * asks for first (Ops), then the act.  When an operation made the act
     * impossible (it invalidated the session to relay on), the request is
     * answered here with 200 and the results.
     */
    @Override
    protected void doRequest(SipServletRequest req) throws ServletException, IOException {
        Ops.begin(req, factory, timers);
        try {
            act(req);
            Ops.send();
        } catch (IllegalStateException e) {
            if (!Ops.any() || req.getMethod().equals("ACK") || req.isCommitted()) {
                throw e;
            }
            SipServletResponse r = req.createResponse(200, "Operations Done");
            Ops.attach(r);
            r.send();
        } finally {
            Ops.end();
        }
    }

    private void act(SipServletRequest req) throws ServletException, IOException {
        SipSession s = req.getSession();

        if (req.isInitial()) {
            initial(req);
            return;
        }
        String role = Observation.role(s);
        if (roleOf(req.getApplicationSession()).app.equals("uas")) {
            if (!req.getMethod().equals("ACK")) {
                answer(req, 200, null);
            }
            return;
        }
        if (role.equals("PROXY")) {
            // the container proxies it on after this (record-routed)
            req.setHeader(Observation.STATE_HEADER, Observation.stamp(s));
            Ops.attach(req);
            return;
        }
        if (req.getMethod().equals("ACK")) {
            Object ok = peer(req) == null ? null : peer(req).getAttribute(TWO_XX);
            if (ok instanceof SipServletResponse) {
                send(((SipServletResponse) ok).createAck(), peer(req));
            }
            return;
        }
        if (req.getMethod().equals("CANCEL")) {
            SipSession p = peer(req);
            if (p != null && p.isValid() && p.getState() != SipSession.State.CONFIRMED) {
                send(req.getB2buaHelper().createCancel(p), p);
            }
            return;
        }
        SipSession p = peer(req);
        if (p == null || !p.isValid()) {
            answer(req, 481, null);
            return;
        }
        SipServletRequest out = req.getB2buaHelper().createRequest(p, req, null);
        copyContent(req, out);
        out.setAttribute(IN, req);
        send(out, p);
    }

    private static SipSession peer(SipServletRequest req) {
        return req.getB2buaHelper().getLinkedSession(req.getSession());
    }

    private void initial(SipServletRequest req) throws ServletException, IOException {
        Role r = Role.parse(req.getHeader(Observation.APP_HEADER));
        SipSession s = req.getSession();
        SipApplicationSession sas = req.getApplicationSession();

        sas.setAttribute(APP, r);
        try {
            switch (r.app) {
            case "proxy":
            case "send-on":
            case "fork":
                proxy(req, r);
                return;
            case "b2bua":
                b2bua(req, r);
                return;
            case "uas":
                // answers every request itself (SS-STATE-50): where a case
                // asks for operations on a session no other role makes
                Observation.setRole(s, "UAS", false);
                answer(req, r.answer, null);
                return;
            case "ping":
                // sstck's pre-flight: the probe is deployed and answers
                Observation.setRole(s, "UAS", false);
                answer(req, 200, "Probe Ready");
                return;
            default:
                Observation.setRole(s, "UAS", false);
                answer(req, 501, "Unknown Probe Role");
            }
        } catch (TooManyHopsException e) {
            Observation.setRole(s, "UAS", false);
            answer(req, 483, null);
        }
    }

    private void proxy(SipServletRequest req, Role r) throws ServletException, IOException {
        SipSession s = req.getSession();
        boolean invite = req.getMethod().equals("INVITE");

        if (r.app.equals("send-on") && r.domain != null && invite) {
            URI from = req.getFrom().getURI();
            if (!from.isSipURI() || !r.domain.equals(((SipURI) from).getHost())) {
                Observation.setRole(s, "UAS", false);
                // the reason of the SendOnServlet in the spec's example (EX-01)
                answer(req, 403, "Calls outside " + r.domain + " not accepted");
                return;
            }
        }
        Proxy p = req.getProxy();
        Observation.setRole(s, "PROXY", false);
        p.setRecordRoute(r.app.equals("proxy") ? !r.has("--rr-invite-only") || invite
                         : r.has("--record-route"));
        p.setSupervised(!r.has("--unsupervised"));
        p.setAddToPath(r.has("--path"));
        List<URI> to = new ArrayList<>();
        if (r.app.equals("fork")) {
            p.setParallel(!r.has("--sequential"));
            p.setRecurse(!r.has("--no-recurse"));
            p.setNoCancel(r.has("--no-cancel"));
            for (String t : r.targets) {
                to.add(factory.createURI(t));
            }
        }
        req.setHeader(Observation.STATE_HEADER, Observation.stamp(s));
        Ops.attach(req);
        if (to.isEmpty()) {
            p.proxyTo(req.getRequestURI());
            return;
        }
        /* a branch timeout per branch (sequential search, PROXY-05) */
        for (ProxyBranch b : p.createProxyBranches(to)) {
            b.setProxyBranchTimeout(Math.max(1, r.branchTimeoutMs / 1000));
        }
        p.startProxy();
    }

    @SuppressWarnings("deprecation")   // --same-call-id plays the 1.0 route on purpose
    private void b2bua(SipServletRequest req, Role r) throws ServletException, IOException {
        B2buaHelper h = req.getB2buaHelper();
        SipServletRequest out;
        SipSession in = req.getSession(), leg;

        if (r.has("--same-call-id")) {
            /* the deprecated 1.0 route (B2B-11), linked by the application
             * as sstck-ref's --same-call-id does; it has no loop detection
             * of its own (B2B-03 is B2buaHelper's) */
            if (req.getMaxForwards() == 0) {
                throw new TooManyHopsException("Max-Forwards 0");
            }
            out = factory.createRequest(req, true);
            h.linkSipSessions(in, out.getSession());
        } else {
            out = h.createRequest(req, true, null);
        }
        leg = out.getSession();
        Observation.setRole(in, "UAS", false);
        Observation.setRole(leg, "UAC", false);
        in.setAttribute(SELF, in.getId());
        leg.setAttribute(SELF, leg.getId());
        if (!r.targets.isEmpty()) {
            out.setRequestURI(factory.createURI(r.targets.get(0)));
        }
        copyContent(req, out);
        out.setAttribute(IN, req);
        send(out, leg);
    }

    /**
     * Marks @s derived (DERIVED-01) when the container made it for a new To
     * tag: it has no role yet, or it carries a copy of its original's
     * attributes (CF-06's default, Cipango's), whose SELF is not its own id.
     */
    static void markDerived(SipSession s, String role) {
        if (s == null || !s.isValid()) {
            return;
        }
        Object self = s.getAttribute(SELF);
        if (s.getAttribute(Observation.ROLE) == null
            || (self != null && !self.equals(s.getId()))) {
            s.removeAttribute(Observation.ROLE);   // so the trace has its ss-created
            Observation.setRole(s, role, true);
        }
        s.setAttribute(SELF, s.getId());
    }

    static void copyContent(SipServletMessage from, SipServletMessage to) throws IOException {
        byte[] body = from.getRawContent();
        if (body != null && body.length > 0 && from.getContentType() != null) {
            to.setContent(body, from.getContentType());
        }
    }

    /** Every response the container gives the application: the
     * operations first, as for requests; one that made the relay
     * impossible leaves the response where it is. */
    @Override
    protected void doResponse(SipServletResponse resp) throws ServletException, IOException {
        /* what the relay needs, taken before an operation can invalidate
         * the session it came on */
        SipApplicationSession sas = resp.getApplicationSession();
        SipSession peer = null;
        if (roleOf(sas).app.equals("b2bua") && sas.getAttribute(ClickToCall.CALL) == null) {
            peer = resp.getRequest().getB2buaHelper().getLinkedSession(resp.getSession());
        }
        Ops.begin(resp, factory, timers);
        try {
            onResponse(resp, sas, peer);
            Ops.send();
        } catch (IllegalStateException e) {
            if (!Ops.any()) {
                throw e;
            }
        } finally {
            Ops.end();
        }
    }

    private void onResponse(SipServletResponse resp, SipApplicationSession sas, SipSession peer)
        throws ServletException, IOException {
        SipSession s = resp.getSession();

        markDerived(s, roleOf(sas).app.equals("b2bua") ? "UAC" : "PROXY");
        if (sas.getAttribute(ClickToCall.CALL) != null) {
            ClickToCall.onResponse(factory, resp);
            return;
        }
        if (Observation.role(s).equals("PROXY")) {
            resp.setHeader(Observation.STATE_HEADER, Observation.stamp(s));
            Ops.attach(resp);
            bestResponse(resp, roleOf(sas));
            return;
        }
        relay(resp, peer);
    }

    /**
     * The best-response callback of a supervised proxy (PROXY-11): on the
     * best non-2xx final response, once, proxy to `--reproxy URI` or answer
     * the original request with `--best-answer CODE` (sstck-ref's options).
     */
    private void bestResponse(SipServletResponse resp, Role r) throws ServletException, IOException {
        SipApplicationSession sas = resp.getApplicationSession();

        if (resp.getStatus() < 300 || resp.isBranchResponse() || !resp.getRequest().isInitial()
            || sas.getAttribute(BEST_DONE) != null || (r.reproxy == null && r.bestAnswer == 0)) {
            return;
        }
        sas.setAttribute(BEST_DONE, Boolean.TRUE);
        Proxy p = resp.getProxy();
        if (r.reproxy != null) {
            p.proxyTo(factory.createURI(r.reproxy));
        } else {
            answer(p.getOriginalRequest(), r.bestAnswer, null);
        }
    }

    /** A B2BUA's response on its UAC leg, relayed to the other (B2B-07). */
    private void relay(SipServletResponse resp, SipSession peer) throws IOException {
        SipServletRequest sent = resp.getRequest();
        int st = resp.getStatus();
        B2buaHelper h = sent.getB2buaHelper();

        if (st == 100 || peer == null || !peer.isValid()) {
            return;
        }
        if ((st == 401 || st == 407) && retry(resp)) {
            return;
        }
        /* the container's twin of a derived UAC session upstream (B2B-09) */
        markDerived(peer, "UAS");
        if (st >= 200 && st < 300 && resp.getMethod().equals("INVITE") && resp.getSession().isValid()) {
            resp.getSession().setAttribute(TWO_XX, resp);
        }
        Object in = sent.getAttribute(IN);
        SipServletResponse up;
        if (sent.isInitial() || !(in instanceof SipServletRequest)) {
            up = h.createResponseToOriginalRequest(peer, st, resp.getReasonPhrase());
        } else {
            up = ((SipServletRequest) in).createResponse(st, resp.getReasonPhrase());
        }
        copyContent(resp, up);
        up.setHeader(Observation.STATE_HEADER, Observation.stamp(peer));
        Ops.attach(up);
        up.send();
    }

    /**
     * sstck-ref's --auth-retry: a 401/407 to the first request of a leg is
     * answered once by the same session, back in INITIAL (SS-STATE-14,
     * SS-STATE-52): createRequest gives the same Call-ID and From tag, no
     * To tag, the next CSeq; the caller sees only the final answer.
     */
    private boolean retry(SipServletResponse resp) throws IOException {
        SipServletRequest sent = resp.getRequest();
        SipSession leg = resp.getSession();

        if (!roleOf(leg.getApplicationSession()).has("--auth-retry")
            || !sent.isInitial() || leg.getAttribute(RETRIED) != null) {
            return false;
        }
        leg.setAttribute(RETRIED, Boolean.TRUE);
        SipServletRequest again = leg.createRequest(sent.getMethod());
        again.setRequestURI(sent.getRequestURI());
        again.setHeader(resp.getStatus() == 407 ? "Proxy-Authorization" : "Authorization",
                        CREDENTIALS);
        copyContent(sent, again);
        again.setAttribute(IN, sent.getAttribute(IN));
        send(again, leg);
        return true;
    }
}
