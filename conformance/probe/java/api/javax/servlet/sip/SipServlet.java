package javax.servlet.sip;

import java.io.IOException;
import javax.servlet.ServletException;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;

/** Declarations only: the container supplies the real class. */
public abstract class SipServlet extends javax.servlet.GenericServlet {
    private static final long serialVersionUID = 1L;
    public static final String SIP_FACTORY = "javax.servlet.sip.SipFactory";
    public static final String TIMER_SERVICE = "javax.servlet.sip.TimerService";
    public static final String SIP_SESSIONS_UTIL = "javax.servlet.sip.SipSessionsUtil";
    public static final String SUPPORTED = "javax.servlet.sip.supported";
    public static final String OUTBOUND_INTERFACES = "javax.servlet.sip.outboundInterfaces";
    public SipServlet() { }
    public void service(ServletRequest req, ServletResponse resp) throws ServletException, IOException { }
    protected void doRequest(SipServletRequest req) throws ServletException, IOException { }
    protected void doResponse(SipServletResponse resp) throws ServletException, IOException { }
    protected void doInvite(SipServletRequest req) throws ServletException, IOException { }
    protected void doAck(SipServletRequest req) throws ServletException, IOException { }
    protected void doBye(SipServletRequest req) throws ServletException, IOException { }
    protected void doCancel(SipServletRequest req) throws ServletException, IOException { }
    protected void doProvisionalResponse(SipServletResponse resp) throws ServletException, IOException { }
    protected void doSuccessResponse(SipServletResponse resp) throws ServletException, IOException { }
    protected void doErrorResponse(SipServletResponse resp) throws ServletException, IOException { }
    protected void doBranchResponse(SipServletResponse resp) throws ServletException, IOException { }
}
