package javax.servlet.sip;

public interface SipSessionBindingListener extends java.util.EventListener {
    void valueBound(SipSessionBindingEvent event);
    void valueUnbound(SipSessionBindingEvent event);
}
