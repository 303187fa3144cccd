package javax.servlet;

public interface ServletConfig {
    String getServletName();
    ServletContext getServletContext();
    String getInitParameter(String name);
    java.util.Enumeration<String> getInitParameterNames();
}
