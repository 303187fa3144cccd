package org.sessiontck.probe;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.ListIterator;
import javax.servlet.sip.Address;
import javax.servlet.sip.B2buaHelper;
import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipFactory;
import javax.servlet.sip.SipServletMessage;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipSession;
import javax.servlet.sip.TimerService;
import javax.servlet.sip.ar.SipApplicationRoutingRegion;

/**
 * Operations (conformance/observation-protocol.md, section 4): a message
 * the application receives may ask it, in X-SSTCK-Op headers, to call the
 * session API; each result goes back in an X-SSTCK-Result header on every
 * message the application sends in that callback, and to the trace.
 *
 * The results of the callback running on this thread wait in PENDING
 * until the callback ends.
 */
public final class Ops {
    static final String OP_HEADER = "X-SSTCK-Op";
    static final String RESULT_HEADER = "X-SSTCK-Result";
    private static final ThreadLocal<List<String>> PENDING = new ThreadLocal<>();
    /** The session the operation running made and invalidated, for the
     * trace line's "made" (req.b2bCreateRequest). */
    private static final ThreadLocal<String> MADE = new ThreadLocal<>();
    /** The requests ss.send made in this callback, sent once the
     * application has acted on the message (send()). */
    private static final ThreadLocal<List<SipServletRequest>> SENDS = new ThreadLocal<>();
    /** SipSessionsUtil of the application (ServletContext), for sas.byId. */
    static volatile javax.servlet.sip.SipSessionsUtil util;
    /** The application's ServletContext, for ss.getServletContext. */
    static volatile javax.servlet.ServletContext context;
    static final String CONTEXT_MARK = "sstck.context";
    static final Object MARK = new Object();
    /** What each binding-listener value was told, by the name it was
     * first stored under, in the order the values were made
     * (app.bindingEvents). */
    private static final java.util.Map<String, List<Binding>> BINDINGS =
        new java.util.concurrent.ConcurrentHashMap<>();

    private Ops() { }

    /** An attribute value that records valueBound and valueUnbound
     * (setBindingAttribute). */
    static final class Binding implements javax.servlet.sip.SipSessionBindingListener,
        javax.servlet.sip.SipApplicationSessionBindingListener, java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private final StringBuilder events = new StringBuilder();

        Binding(String name) {
            BINDINGS.computeIfAbsent(name, k -> Collections.synchronizedList(new ArrayList<>())).add(this);
        }

        private synchronized void told(String what) {
            events.append(events.length() == 0 ? "" : "+").append(what);
        }

        synchronized String events() {
            return events.length() == 0 ? "none" : events.toString();
        }

        @Override public void valueBound(javax.servlet.sip.SipSessionBindingEvent e) { told("bound"); }
        @Override public void valueUnbound(javax.servlet.sip.SipSessionBindingEvent e) { told("unbound"); }
        @Override public void valueBound(javax.servlet.sip.SipApplicationSessionBindingEvent e) { told("bound"); }
        @Override public void valueUnbound(javax.servlet.sip.SipApplicationSessionBindingEvent e) { told("unbound"); }
        @Override public String toString() { return "binding"; }
    }

    /** app.bindingEvents NAME, app.attributeEvents NAME. */
    private static String onAppSelf(String op, String[] a) throws Exception {
        if (!op.equals("bindingEvents") && !op.equals("attributeEvents")) {
            throw new Bad("unknown operation app." + op);
        }
        String name = arg(a, 0);
        if (name == null) {
            throw new NullPointerException();
        }
        if (op.equals("attributeEvents")) {
            StringBuilder b = ProbeListener.ATTRS.get(name);
            if (b == null) {
                return "";
            }
            synchronized (b) {
                return b.toString();
            }
        }
        List<String> out = new ArrayList<>();
        List<Binding> l = BINDINGS.get(name);
        if (l != null) {
            synchronized (l) {
                for (Binding b : l) {
                    out.add(b.events());
                }
            }
        }
        return String.join(" ", out);
    }

    /** A failure of the operation's own syntax: reported as "bad". */
    private static final class Bad extends Exception {
        private static final long serialVersionUID = 1L;

        Bad(String text) {
            super(text);
        }
    }

    /** Runs the operations @m asks for, before the application acts on it,
     * and keeps their results for what the callback sends. */
    static void begin(SipServletMessage m, SipFactory f, TimerService ts) {
        List<String> out = new ArrayList<>();
        PENDING.set(out);
        SENDS.set(new ArrayList<>());
        ListIterator<String> it;
        try {
            it = m.getHeaders(OP_HEADER);
        } catch (RuntimeException e) {
            return;
        }
        List<String> ops = new ArrayList<>();
        while (it != null && it.hasNext()) {
            ops.add(it.next());
        }
        SipSession s = m.getSession();
        for (String op : ops) {
            out.add(runOne(op, m, s, f, ts));
        }
    }

    /** The callback is over: nothing more goes out with its results. */
    static void end() {
        PENDING.remove();
        SENDS.remove();
    }

    /**
     * Sends the requests the callback's ss.send operations made
     * (SipSession.createRequest, UasActive1, SS-08), each stamped and with
     * the results, once the application has acted on the message: then
     * nothing more is to be sent.
     */
    static void send() throws java.io.IOException {
        List<SipServletRequest> q = SENDS.get();
        if (q == null) {
            return;
        }
        SENDS.set(new ArrayList<>());
        for (SipServletRequest r : q) {
            ProbeServlet.send(r, r.getSession());
        }
    }

    /** Puts the pending results on @m, which the callback is about to send. */
    static void attach(SipServletMessage m) {
        List<String> r = PENDING.get();
        if (r == null) {
            return;
        }
        for (String v : r) {
            m.addHeader(RESULT_HEADER, v);
        }
    }

    static boolean any() {
        List<String> r = PENDING.get();
        return r != null && !r.isEmpty();
    }

    private static String runOne(String op, SipServletMessage m, SipSession s, SipFactory f,
                                 TimerService ts) {
        String[] w = op.trim().split("\\s+");
        String n = w.length > 0 ? w[0] : "?";
        String name = w.length > 1 ? w[1] : "";
        String ssId = null, sasId = null, kind, value;
        try {
            ssId = s.getId();
            sasId = s.getApplicationSession().getId();
        } catch (RuntimeException e) {
            // invalidated: the ids as far as they go
        }
        try {
            if (w.length < 2 || !n.matches("[0-9]+")) {
                throw new Bad("syntax");
            }
            String[] args = new String[w.length - 2];
            for (int i = 2; i < w.length; i++) {
                args[i - 2] = decode(w[i]);
            }
            value = call(name, args, m, s, f, ts);
            kind = "ok";
        } catch (Bad e) {
            kind = "bad";
            value = e.getMessage();
        } catch (Exception e) {
            kind = "ex";
            value = e.getClass().getSimpleName();
        }
        String made = MADE.get();
        MADE.remove();
        if (made != null) {
            Observation.emit("op", "n", n, "ss", ssId, "sas", sasId, "op", name, kind, value,
                             "made", made);
        } else {
            Observation.emit("op", "n", n, "ss", ssId, "sas", sasId, "op", name, kind, value);
        }
        return n + " " + kind + " " + encode(value);
    }

    private static String call(String name, String[] a, SipServletMessage m, SipSession s,
                               SipFactory f, TimerService ts) throws Exception {
        int dot = name.indexOf('.');
        if (dot < 0) {
            throw new Bad("no target");
        }
        String target = name.substring(0, dot), op = name.substring(dot + 1);
        switch (target) {
        case "ss":
            return onSession(op, a, s, s);
        case "linked":
            return onSession(op, a, linked(m, s), s);
        case "sas":
            return onApp(op, a, s.getApplicationSession(), s, f, ts);
        case "req":
            return onRequest(op, a, m);
        case "app":
            return onAppSelf(op, a);
        case "proxy":
            return onProxy(op, a, m);
        default:
            throw new Bad("unknown target " + target);
        }
    }

    private static SipSession linked(SipServletMessage m, SipSession s) throws Bad {
        B2buaHelper h;
        if (m instanceof SipServletRequest) {
            h = ((SipServletRequest) m).getB2buaHelper();
        } else {
            h = ((SipServletResponse) m).getRequest().getB2buaHelper();
        }
        SipSession l = h.getLinkedSession(s);
        if (l == null) {
            throw new Bad("no linked session");
        }
        return l;
    }

    /** The message as the request it is: req.isInitial, req.getProxy. */
    private static String onRequest(String op, String[] a, SipServletMessage m) throws Exception {
        if (!(m instanceof SipServletRequest)) {
            throw new Bad("not a request");
        }
        SipServletRequest r = (SipServletRequest) m;
        switch (op) {
        case "isInitial": return String.valueOf(r.isInitial());
        case "getProxy": r.getProxy(); return "proxy";
        case "b2bCreateRequest": return b2bCreate(a, r);
        case "setHeader": r.setHeader(arg(a, 0), arg(a, 1)); return "void";
        case "removeHeader": r.removeHeader(arg(a, 0)); return "void";
        case "getPoppedRoute": {
            // a parameter the application put on its Record-Route URI,
            // back on the Route the container popped (Proxy11)
            javax.servlet.sip.Address popped = r.getPoppedRoute();
            if (popped == null) {
                return "none";
            }
            String v = ((javax.servlet.sip.SipURI) popped.getURI()).getParameter(arg(a, 0));
            return v == null ? "null" : v;
        }
        default: throw new Bad("unknown operation req." + op);
        }
    }

    /** req.b2bCreateRequest this|null LINKED [HEADER VALUE] (B2B-04): the
     * request is not sent, its new session is invalidated at once. */
    private static String b2bCreate(String[] a, SipServletRequest r) throws Exception {
        String orig = arg(a, 0);
        boolean linked = Boolean.parseBoolean(arg(a, 1));
        java.util.Map<String, List<String>> map = new java.util.HashMap<>();
        if (a.length > 2) {
            map.put(arg(a, 2), Collections.singletonList(arg(a, 3)));
        }
        if (orig != null && !orig.equals("this")) {
            throw new Bad("the original is this or null");
        }
        SipServletRequest made = r.getB2buaHelper().createRequest(orig == null ? null : r, linked, map);
        MADE.set(made.getSession().getId());
        made.getSession().invalidate();
        return "created";
    }

    /** The initial request's Proxy, before the application sets it up:
     * its defaults (PROXY-01). */
    private static String onProxy(String op, String[] a, SipServletMessage m) throws Exception {
        if (m instanceof SipServletResponse && (op.equals("cancel") || op.equals("cancelBranch"))) {
            // a branch's response: Proxy.cancel(), ProxyBranch.cancel() (ProxyBranch5)
            SipServletResponse r = (SipServletResponse) m;
            if (op.equals("cancel")) {
                r.getProxy().cancel();
            } else {
                r.getProxyBranch().cancel();
            }
            return "void";
        }
        if (!(m instanceof SipServletRequest) || !((SipServletRequest) m).isInitial()) {
            throw new Bad("not an initial request");
        }
        javax.servlet.sip.Proxy p = ((SipServletRequest) m).getProxy();
        switch (op) {
        case "getRecurse": return String.valueOf(p.getRecurse());
        case "getRecordRoute": return String.valueOf(p.getRecordRoute());
        case "getParallel": return String.valueOf(p.getParallel());
        case "getSupervised": return String.valueOf(p.getSupervised());
        case "setRecordRouteParam":
            // the application's parameters on its Record-Route URI (Proxy11)
            p.setRecordRoute(true);
            p.getRecordRouteURI().setParameter(arg(a, 0), arg(a, 1));
            return "void";
        default: throw new Bad("unknown operation proxy." + op);
        }
    }

    private static String arg(String[] a, int i) throws Bad {
        if (i >= a.length) {
            throw new Bad("missing argument");
        }
        return a[i].equals("null") ? null : a[i];
    }

    private static String onSession(String op, String[] a, SipSession s, SipSession self)
        throws Exception {
        switch (op) {
        case "getId": return s.getId();
        case "getCallId": return s.getCallId();
        case "getState": return s.getState().name();
        case "isValid": return String.valueOf(s.isValid());
        case "getLocalParty": return uri(s.getLocalParty());
        case "getRemoteParty": return uri(s.getRemoteParty());
        case "getCreationTime": return String.valueOf(s.getCreationTime());
        case "getLastAccessedTime": return String.valueOf(s.getLastAccessedTime());
        case "getApplicationSessionId": return s.getApplicationSession().getId();
        case "setAttribute": s.setAttribute(arg(a, 0), arg(a, 1)); return "void";
        case "setUnserializable": s.setAttribute(arg(a, 0), new Object()); return "void";
        case "getAttribute": return str(s.getAttribute(arg(a, 0)));
        case "removeAttribute": s.removeAttribute(arg(a, 0)); return "void";
        case "getAttributeNames": return names(Collections.list(s.getAttributeNames()));
        case "invalidate": s.invalidate(); return "void";
        case "isReadyToInvalidate": return String.valueOf(s.isReadyToInvalidate());
        case "getInvalidateWhenReady": return String.valueOf(s.getInvalidateWhenReady());
        case "setInvalidateWhenReady":
            s.setInvalidateWhenReady(Boolean.parseBoolean(arg(a, 0)));
            return "void";
        case "createRequest":
            s.createRequest(arg(a, 0));
            return "created";
        case "setOutboundInterface": {
            // one of javax.servlet.sip.outboundInterfaces, or IAE (SS-11)
            String addr = arg(a, 0);
            s.setOutboundInterface(addr == null ? null : java.net.InetAddress.getByName(addr));
            return "void";
        }
        case "send": {
            // an INVITE would need its ACK: not an operation
            String method = arg(a, 0);
            if ("INVITE".equalsIgnoreCase(method) || SENDS.get() == null) {
                throw new Bad("not a request ss.send makes");
            }
            SENDS.get().add(s.createRequest(method));
            return "void";
        }
        case "getRegion": {
            SipApplicationRoutingRegion r = s.getRegion();
            return r == null ? "null" : r.getType().name();
        }
        case "setHandler":
            s.setHandler(arg(a, 0));
            return "void";
        case "getSubscriberURI": {
            javax.servlet.sip.URI u = s.getSubscriberURI();
            return u == null ? "null" : u.toString();
        }
        case "getServletContext": {
            javax.servlet.ServletContext c = s.getServletContext();
            // the application's own: the object its servlets have, or a
            // facade of it (the marker the probe set in it at init)
            return c == null ? "null"
                : c == context || c.getAttribute(CONTEXT_MARK) == MARK ? "app" : "other";
        }
        case "setBindingAttribute":
            s.setAttribute(arg(a, 0), new Binding(String.valueOf(arg(a, 0))));
            return "void";
        case "throwFromDestroyed":
            // the probe's sessionDestroyed throws for this session (INVAL-17)
            if (!s.isValid()) {
                throw new IllegalStateException();
            }
            ProbeListener.THROW_ON_DESTROYED.add(s.getId());
            return "void";
        default:
            throw new Bad("unknown operation ss." + op);
        }
    }

    private static String onApp(String op, String[] a, SipApplicationSession sas, SipSession self,
                                SipFactory f, TimerService ts) throws Exception {
        switch (op) {
        case "getId": return sas.getId();
        case "isValid": return String.valueOf(sas.isValid());
        case "getApplicationName": return sas.getApplicationName();
        case "getCreationTime": return String.valueOf(sas.getCreationTime());
        case "getLastAccessedTime": return String.valueOf(sas.getLastAccessedTime());
        case "getExpirationTime": return String.valueOf(sas.getExpirationTime());
        case "setExpires": return String.valueOf(sas.setExpires(Integer.parseInt(arg(a, 0))));
        case "setAttribute": sas.setAttribute(arg(a, 0), arg(a, 1)); return "void";
        case "setUnserializable": sas.setAttribute(arg(a, 0), new Object()); return "void";
        case "getAttribute": return str(sas.getAttribute(arg(a, 0)));
        case "removeAttribute": sas.removeAttribute(arg(a, 0)); return "void";
        case "getAttributeNames": {
            List<String> l = new ArrayList<>();
            for (Iterator<String> it = sas.getAttributeNames(); it.hasNext();) {
                l.add(it.next());
            }
            return names(l);
        }
        case "getSessions": {
            Iterator<?> it = a.length == 0 ? sas.getSessions() : sas.getSessions(arg(a, 0));
            int k = 0;
            for (; it.hasNext(); it.next()) {
                k++;
            }
            return String.valueOf(k);
        }
        case "getSipSession": {
            String id = arg(a, 0);
            SipSession r = sas.getSipSession("self".equals(id) ? self.getId() : id);
            return r == null ? "null" : r.getId().equals(self.getId()) ? "self" : "other";
        }
        case "invalidate": sas.invalidate(); return "void";
        case "isReadyToInvalidate": return String.valueOf(sas.isReadyToInvalidate());
        case "getInvalidateWhenReady": return String.valueOf(sas.getInvalidateWhenReady());
        case "setInvalidateWhenReady":
            sas.setInvalidateWhenReady(Boolean.parseBoolean(arg(a, 0)));
            return "void";
        case "createTimer":
            if (ts == null) {
                throw new Bad("no TimerService");
            }
            Observation.emit("timer-created", "sas", sas.getId(), "timer",
                             ts.createTimer(sas, Long.parseLong(arg(a, 0)), false, null).getId());
            return "created";
        case "getTimers": return String.valueOf(sas.getTimers().size());
        case "getTimeRemaining": {
            java.util.Iterator<javax.servlet.sip.ServletTimer> it = sas.getTimers().iterator();
            if (!it.hasNext()) {
                throw new Bad("no timer");
            }
            return String.valueOf(it.next().getTimeRemaining());
        }
        case "byId": {
            javax.servlet.sip.SipSessionsUtil u = util;
            if (u == null) {
                throw new Bad("no SipSessionsUtil");
            }
            String id = arg(a, 0);
            SipApplicationSession x = u.getApplicationSessionById("self".equals(id) ? sas.getId() : id);
            return x == null ? "null" : x.getId().equals(sas.getId()) ? "self" : "other";
        }
        case "encodeURI": {
            javax.servlet.sip.URI u = f.createURI(arg(a, 0));
            sas.encodeURI(u);
            return u.toString();
        }
        case "byKey":
            return f.createApplicationSessionByKey(arg(a, 0)).getId();
        case "setBindingAttribute":
            sas.setAttribute(arg(a, 0), new Binding(String.valueOf(arg(a, 0))));
            return "void";
        case "cancelTimers": {
            // each timer cancelled twice: cancel() is idempotent (TIMER-04)
            for (javax.servlet.sip.ServletTimer t : new ArrayList<>(sas.getTimers())) {
                t.cancel();
                t.cancel();
                Observation.emit("timer-cancelled", "sas", sas.getId(), "timer", t.getId());
            }
            return "void";
        }
        default:
            throw new Bad("unknown operation sas." + op);
        }
    }

    private static String uri(Address a) {
        return a == null ? "null" : a.getURI().toString();
    }

    private static String str(Object o) {
        return o == null ? "null" : o.toString();
    }

    /** Attribute names in byte order, without the probe's own. */
    private static String names(List<String> l) {
        List<String> k = new ArrayList<>();
        for (String s : l) {
            if (!s.startsWith("sstck.")) {
                k.add(s);
            }
        }
        Collections.sort(k);
        return String.join(" ", k);
    }

    private static boolean plain(int c) {
        return c > 0x20 && c < 0x7f && c != '%' && c != ',' && c != '"';
    }

    /** Percent-encoding of the protocol: bytes that are not printable
     * ASCII, space, %, comma and double quote; the empty string is two
     * double quotes (which never appear unencoded). */
    static String encode(String v) {
        StringBuilder b = new StringBuilder();
        for (byte x : v.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if (plain(c)) {
                b.append((char) c);
            } else {
                b.append(String.format("%%%02X", c));
            }
        }
        return b.length() == 0 ? "\"\"" : b.toString();   // the empty string
    }

    static String decode(String v) throws Bad {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        if (v.equals("\"\"")) {
            return "";
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '%') {
                try {
                    o.write(Integer.parseInt(v.substring(i + 1, i + 3), 16));
                } catch (NumberFormatException | IndexOutOfBoundsException e) {
                    throw new Bad("bad percent-encoding");
                }
                i += 2;
            } else {
                o.write(c);
            }
        }
        return new String(o.toByteArray(), StandardCharsets.UTF_8);
    }
}
