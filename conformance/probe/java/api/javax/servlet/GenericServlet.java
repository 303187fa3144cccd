package javax.servlet;

import java.io.IOException;

/** Declarations only: the container supplies the real class. */
public abstract class GenericServlet implements Servlet, ServletConfig, java.io.Serializable {
    private static final long serialVersionUID = 1L;
    public GenericServlet() { }
    public void destroy() { }
    public String getInitParameter(String name) { throw new UnsupportedOperationException(); }
    public java.util.Enumeration<String> getInitParameterNames() { throw new UnsupportedOperationException(); }
    public ServletConfig getServletConfig() { throw new UnsupportedOperationException(); }
    public ServletContext getServletContext() { throw new UnsupportedOperationException(); }
    public String getServletInfo() { return ""; }
    public void init(ServletConfig config) throws ServletException { }
    public void init() throws ServletException { }
    public void log(String msg) { }
    public void log(String message, Throwable t) { }
    public abstract void service(ServletRequest req, ServletResponse res) throws ServletException, IOException;
    public String getServletName() { throw new UnsupportedOperationException(); }
}
