package javax.servlet.sip;

public interface SipApplicationSessionAttributeListener extends java.util.EventListener {
    void attributeAdded(SipApplicationSessionBindingEvent ev);
    void attributeRemoved(SipApplicationSessionBindingEvent ev);
    void attributeReplaced(SipApplicationSessionBindingEvent ev);
}
