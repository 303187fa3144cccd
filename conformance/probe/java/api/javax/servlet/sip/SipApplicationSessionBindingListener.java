package javax.servlet.sip;

public interface SipApplicationSessionBindingListener extends java.util.EventListener {
    void valueBound(SipApplicationSessionBindingEvent event);
    void valueUnbound(SipApplicationSessionBindingEvent event);
}
