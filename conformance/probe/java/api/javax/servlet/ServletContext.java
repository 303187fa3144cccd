package javax.servlet;

public interface ServletContext {
    Object getAttribute(String name);
    String getInitParameter(String name);
    String getContextPath();
    void log(String msg);
    void log(String message, Throwable throwable);
}
