package javax.servlet.sip;

public interface SipServletMessage extends Cloneable {
    Address getFrom();
    Address getTo();
    String getMethod();
    String getCallId();
    String getProtocol();
    String getHeader(String name);
    java.util.ListIterator<String> getHeaders(String name);
    void addHeader(String name, String value);
    void setHeader(String name, String value);
    void removeHeader(String name);
    SipSession getSession();
    SipSession getSession(boolean create);
    SipApplicationSession getApplicationSession();
    SipApplicationSession getApplicationSession(boolean create);
    Object getContent() throws java.io.IOException, java.io.UnsupportedEncodingException;
    byte[] getRawContent() throws java.io.IOException;
    void setContent(Object content, String contentType) throws java.io.UnsupportedEncodingException;
    String getContentType();
    int getContentLength();
    Object getAttribute(String name);
    void setAttribute(String name, Object o);
    boolean isCommitted();
    String getRemoteAddr();
    int getRemotePort();
    void send() throws java.io.IOException;
}
