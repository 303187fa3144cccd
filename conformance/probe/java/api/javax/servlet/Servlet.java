package javax.servlet;

import java.io.IOException;

/** Servlet API 2.5/3.0 signatures used by the probe (declarations only). */
public interface Servlet {
    void init(ServletConfig config) throws ServletException;
    ServletConfig getServletConfig();
    void service(ServletRequest req, ServletResponse res) throws ServletException, IOException;
    String getServletInfo();
    void destroy();
}
