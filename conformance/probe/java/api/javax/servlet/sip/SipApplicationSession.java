package javax.servlet.sip;

public interface SipApplicationSession {
    enum Protocol { SIP, HTTP }
    String getId();
    String getApplicationName();
    long getCreationTime();
    long getLastAccessedTime();
    long getExpirationTime();
    int setExpires(int deltaMinutes);
    boolean isValid();
    void invalidate();
    boolean isReadyToInvalidate();
    boolean getInvalidateWhenReady();
    void setInvalidateWhenReady(boolean invalidateWhenReady);
    java.util.Iterator<?> getSessions();
    java.util.Iterator<?> getSessions(String protocol);
    SipSession getSipSession(String id);
    Object getSession(String id, Protocol protocol);
    java.net.URL encodeURL(java.net.URL url);
    void encodeURI(URI uri);
    Object getAttribute(String name);
    java.util.Iterator<String> getAttributeNames();
    void setAttribute(String name, Object attribute);
    void removeAttribute(String name);
    java.util.Collection<ServletTimer> getTimers();
    ServletTimer getTimer(String id);
}
