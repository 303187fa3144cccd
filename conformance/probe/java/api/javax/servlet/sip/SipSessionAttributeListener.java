package javax.servlet.sip;

public interface SipSessionAttributeListener extends java.util.EventListener {
    void attributeAdded(SipSessionBindingEvent ev);
    void attributeRemoved(SipSessionBindingEvent ev);
    void attributeReplaced(SipSessionBindingEvent ev);
}
