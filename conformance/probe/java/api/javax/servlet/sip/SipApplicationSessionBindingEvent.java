package javax.servlet.sip;

public class SipApplicationSessionBindingEvent extends SipApplicationSessionEvent {
    private static final long serialVersionUID = 1L;
    private final String name;
    public SipApplicationSessionBindingEvent(SipApplicationSession session, String name) { super(session); this.name = name; }
    public String getName() { return name; }
}
