package javax.servlet.sip;

public interface SipApplicationSessionListener extends java.util.EventListener {
    void sessionCreated(SipApplicationSessionEvent ev);
    void sessionDestroyed(SipApplicationSessionEvent ev);
    void sessionExpired(SipApplicationSessionEvent ev);
    void sessionReadyToInvalidate(SipApplicationSessionEvent ev);
}
