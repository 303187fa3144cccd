package javax.servlet;

public interface ServletContext {
    Object getAttribute(String name);
    void setAttribute(String name, Object object);
    String getInitParameter(String name);
    String getContextPath();
    void log(String msg);
    void log(String message, Throwable throwable);
}
