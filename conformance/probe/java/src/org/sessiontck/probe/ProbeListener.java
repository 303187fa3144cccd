package org.sessiontck.probe;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipApplicationSessionEvent;
import javax.servlet.sip.SipApplicationSessionListener;
import javax.servlet.sip.SipSession;
import javax.servlet.sip.SipSessionEvent;
import javax.servlet.sip.ServletTimer;
import javax.servlet.sip.SipSessionListener;
import javax.servlet.sip.TimerListener;

/**
 * Readiness, invalidation and expiry as the container reports them to a
 * SIP servlet application's listeners, written to the trace; and the live
 * application sessions, which the session monitor lists (JSR 289 has no
 * way to enumerate them).
 */
public class ProbeListener implements SipSessionListener, SipApplicationSessionListener,
                                      TimerListener,
                                      javax.servlet.sip.SipSessionAttributeListener,
                                      javax.servlet.sip.SipApplicationSessionAttributeListener {
    /** The attribute that asks sessionExpired for one extension (EXP-03). */
    static final String EXTEND = "sstck.extend";
    /** Sessions whose sessionDestroyed throws (ss.throwFromDestroyed). */
    static final Set<String> THROW_ON_DESTROYED = ConcurrentHashMap.newKeySet();
    static final Set<String> LIVE = ConcurrentHashMap.newKeySet();
    /** What the attribute listeners were told, by attribute name
     * (app.attributeEvents): "added+replaced+removed". */
    static final java.util.Map<String, StringBuilder> ATTRS = new ConcurrentHashMap<>();

    private static void attr(String name, String what) {
        if (name == null || name.startsWith("sstck.")) {
            return;     // the probe's own
        }
        StringBuilder b = ATTRS.computeIfAbsent(name, k -> new StringBuilder());
        synchronized (b) {
            b.append(b.length() == 0 ? "" : "+").append(what);
        }
    }

    @Override public void attributeAdded(javax.servlet.sip.SipSessionBindingEvent e) { attr(e.getName(), "added"); }
    @Override public void attributeRemoved(javax.servlet.sip.SipSessionBindingEvent e) { attr(e.getName(), "removed"); }
    @Override public void attributeReplaced(javax.servlet.sip.SipSessionBindingEvent e) { attr(e.getName(), "replaced"); }
    @Override public void attributeAdded(javax.servlet.sip.SipApplicationSessionBindingEvent e) { attr(e.getName(), "added"); }
    @Override public void attributeRemoved(javax.servlet.sip.SipApplicationSessionBindingEvent e) { attr(e.getName(), "removed"); }
    @Override public void attributeReplaced(javax.servlet.sip.SipApplicationSessionBindingEvent e) { attr(e.getName(), "replaced"); }

    @Override
    public void sessionCreated(SipSessionEvent se) {
        // the role is known once the servlet acts (Observation.setRole);
        // a derived session the servlet never sees is still the case's
        Observation.created(se.getSession(), null);
    }

    @Override
    public void sessionDestroyed(SipSessionEvent se) {
        SipSession s = se.getSession();
        String sas = null;
        try {
            sas = s.getApplicationSession().getId();
        } catch (IllegalStateException e) {
            // its application session went first: the id alone
        }
        Observation.emit("ss-invalidated", "sas", sas, "ss", s.getId(), "role", Observation.role(s));
        if (THROW_ON_DESTROYED.remove(s.getId())) {
            // ss.throwFromDestroyed: the container is to log it and go on (INVAL-17)
            throw new IllegalStateException("sstck: a sessionDestroyed that throws (INVAL-17)");
        }
    }

    @Override
    public void sessionReadyToInvalidate(SipSessionEvent se) {
        SipSession s = se.getSession();
        String state = null;
        try {
            state = s.getState().name();    // the state after the container's processing
        } catch (IllegalStateException e) {
            // invalidated meanwhile: no state to show
        }
        Observation.emit("ss-ready", "sas", s.getApplicationSession().getId(), "ss", s.getId(),
                         "role", Observation.role(s), "state", state);
    }

    @Override
    public void sessionCreated(SipApplicationSessionEvent ev) {
        SipApplicationSession sas = ev.getApplicationSession();
        LIVE.add(sas.getId());
        Observation.emit("sas-created", "sas", sas.getId());
    }

    @Override
    public void sessionDestroyed(SipApplicationSessionEvent ev) {
        LIVE.remove(ev.getApplicationSession().getId());
        Observation.emit("sas-invalidated", "sas", ev.getApplicationSession().getId());
    }

    @Override
    public void sessionExpired(SipApplicationSessionEvent ev) {
        SipApplicationSession sas = ev.getApplicationSession();
        Observation.emit("sas-expired", "sas", sas.getId());
        // EXP-03: an operation asked for one extension (sstck.extend, in
        // minutes), which this listener grants once
        Object more = sas.getAttribute(EXTEND);
        if (more != null) {
            sas.removeAttribute(EXTEND);
            sas.setExpires(Integer.parseInt(more.toString()));
        }
    }

    @Override
    public void sessionReadyToInvalidate(SipApplicationSessionEvent ev) {
        Observation.emit("sas-ready", "sas", ev.getApplicationSession().getId());
    }

    /** A ServletTimer the operations created (sas.createTimer) fired. */
    @Override
    public void timeout(ServletTimer t) {
        Observation.emit("timer-fired", "sas", t.getApplicationSession().getId(), "timer", t.getId());
    }
}
