package javax.servlet.sip;

public class SipSessionEvent extends java.util.EventObject {
    private static final long serialVersionUID = 1L;
    public SipSessionEvent(SipSession source) { super(source); }
    public SipSession getSession() { return (SipSession) getSource(); }
}
