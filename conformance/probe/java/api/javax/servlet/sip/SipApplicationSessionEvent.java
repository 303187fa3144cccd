package javax.servlet.sip;

public class SipApplicationSessionEvent extends java.util.EventObject {
    private static final long serialVersionUID = 1L;
    public SipApplicationSessionEvent(SipApplicationSession appSession) { super(appSession); }
    public SipApplicationSession getApplicationSession() { return (SipApplicationSession) getSource(); }
}
