package javax.servlet.http;

public interface HttpSession {
    String getId();
    long getCreationTime();
    long getLastAccessedTime();
    int getMaxInactiveInterval();
    void setMaxInactiveInterval(int interval);
    Object getAttribute(String name);
    void setAttribute(String name, Object value);
    void removeAttribute(String name);
    void invalidate();
    boolean isNew();
    javax.servlet.ServletContext getServletContext();
}
