package javax.servlet.sip;

/** Signatures only: the application's listener of ServletTimers. */
public interface TimerListener extends java.util.EventListener {
    void timeout(ServletTimer timer);
}
