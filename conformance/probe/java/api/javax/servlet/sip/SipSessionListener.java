package javax.servlet.sip;

public interface SipSessionListener extends java.util.EventListener {
    void sessionCreated(SipSessionEvent se);
    void sessionDestroyed(SipSessionEvent se);
    void sessionReadyToInvalidate(SipSessionEvent se);
}
