package javax.servlet.sip;

public interface SipServletResponse extends javax.servlet.ServletResponse, SipServletMessage {
    SipServletRequest getRequest();
    int getStatus();
    void setStatus(int statusCode);
    void setStatus(int statusCode, String reasonPhrase);
    String getReasonPhrase();
    Proxy getProxy();
    ProxyBranch getProxyBranch();
    boolean isBranchResponse();
    SipServletRequest createAck();
    SipServletRequest createPrack() throws Rel100Exception;
    void send() throws java.io.IOException;
}
