package javax.servlet.sip;

public class SipSessionBindingEvent extends java.util.EventObject {
    private static final long serialVersionUID = 1L;
    private final String name;
    public SipSessionBindingEvent(SipSession session, String name) { super(session); this.name = name; }
    public String getName() { return name; }
    public SipSession getSession() { return (SipSession) getSource(); }
}
