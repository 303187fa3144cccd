package javax.servlet.sip;

/** Signatures only (JSR 289 6.? ServletTimer): what the probe calls. */
public interface TimerService {
    ServletTimer createTimer(SipApplicationSession appSession, long delay, boolean isPersistent,
                             java.io.Serializable info);
    ServletTimer createTimer(SipApplicationSession appSession, long delay, long period,
                             boolean fixedDelay, boolean isPersistent, java.io.Serializable info);
}
