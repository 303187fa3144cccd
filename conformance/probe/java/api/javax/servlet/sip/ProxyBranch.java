package javax.servlet.sip;

public interface ProxyBranch {
    Proxy getProxy();
    SipServletRequest getRequest();
    SipServletResponse getResponse();
    void cancel();
    boolean isStarted();
    int getProxyBranchTimeout();
    void setProxyBranchTimeout(int seconds);
}
