package javax.servlet.sip;

public interface SipFactory {
    URI createURI(String uri) throws ServletParseException;
    SipURI createSipURI(String user, String host);
    Address createAddress(String addr) throws ServletParseException;
    Address createAddress(URI uri);
    Address createAddress(URI uri, String displayName);
    SipApplicationSession createApplicationSession();
    SipApplicationSession createApplicationSessionByKey(String sipApplicationKey);
    SipServletRequest createRequest(SipApplicationSession appSession, String method, Address from, Address to);
    SipServletRequest createRequest(SipApplicationSession appSession, String method, URI from, URI to);
    SipServletRequest createRequest(SipApplicationSession appSession, String method, String from, String to) throws ServletParseException;
    @Deprecated
    SipServletRequest createRequest(SipServletRequest origRequest, boolean sameCallId);
}
