package javax.servlet;

public interface ServletRequest {
    Object getAttribute(String name);
    void setAttribute(String name, Object o);
    void removeAttribute(String name);
    String getParameter(String name);
    String getContentType();
    int getContentLength();
    String getRemoteAddr();
    String getScheme();
    String getServerName();
    int getServerPort();
    java.io.BufferedReader getReader() throws java.io.IOException;
}
