package javax.servlet.sip;

import java.util.List;
import java.util.Map;

public interface B2buaHelper {
    SipServletRequest createRequest(SipServletRequest origRequest);
    SipServletRequest createRequest(SipServletRequest origRequest, boolean linked,
            Map<String, List<String>> headerMap) throws TooManyHopsException;
    SipServletRequest createRequest(SipSession session, SipServletRequest origRequest,
            Map<String, List<String>> headerMap);
    SipServletRequest createCancel(SipSession session);
    SipServletResponse createResponseToOriginalRequest(SipSession session, int status, String reasonPhrase);
    SipSession getLinkedSession(SipSession session);
    SipServletRequest getLinkedSipServletRequest(SipServletRequest req);
    List<SipServletMessage> getPendingMessages(SipSession session, UAMode mode);
    void linkSipSessions(SipSession session1, SipSession session2);
    void unlinkSipSessions(SipSession session);
}
