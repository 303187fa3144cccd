package javax.servlet.http;

public interface HttpServletRequest extends javax.servlet.ServletRequest {
    String getMethod();
    String getPathInfo();
    String getServletPath();
    String getRequestURI();
    String getQueryString();
    String getHeader(String name);
    HttpSession getSession();
    HttpSession getSession(boolean create);
}
