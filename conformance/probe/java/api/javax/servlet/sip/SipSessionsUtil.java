package javax.servlet.sip;

public interface SipSessionsUtil {
    SipApplicationSession getApplicationSessionById(String applicationSessionId);
    SipApplicationSession getApplicationSessionByKey(String applicationSessionKey, boolean create);
    SipSession getCorrespondingSipSession(SipSession session, String headerName);
}
