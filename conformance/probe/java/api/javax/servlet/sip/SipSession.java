package javax.servlet.sip;

public interface SipSession {
    enum State { INITIAL, EARLY, CONFIRMED, TERMINATED }
    String getId();
    State getState();
    SipApplicationSession getApplicationSession();
    String getCallId();
    Address getLocalParty();
    Address getRemoteParty();
    long getCreationTime();
    long getLastAccessedTime();
    boolean isValid();
    void invalidate();
    boolean isReadyToInvalidate();
    boolean getInvalidateWhenReady();
    void setInvalidateWhenReady(boolean invalidateWhenReady);
    SipServletRequest createRequest(String method);
    Object getAttribute(String name);
    java.util.Enumeration<String> getAttributeNames();
    void setAttribute(String name, Object attribute);
    void removeAttribute(String name);
    void setHandler(String name) throws javax.servlet.ServletException;
    javax.servlet.sip.ar.SipApplicationRoutingRegion getRegion();
    URI getSubscriberURI();
    javax.servlet.ServletContext getServletContext();
    void setOutboundInterface(java.net.InetAddress address);
    void setOutboundInterface(java.net.InetSocketAddress address);
}
