package javax.servlet.sip;

/** Signatures only: what the probe calls. */
public interface ServletTimer {
    String getId();
    java.io.Serializable getInfo();
    SipApplicationSession getApplicationSession();
    long getTimeRemaining();
    long scheduledExecutionTime();
    void cancel();
}
