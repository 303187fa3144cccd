package javax.servlet.sip;

public interface Proxy {
    SipServletRequest getOriginalRequest();
    void proxyTo(URI uri);
    void proxyTo(java.util.List<? extends URI> uris);
    java.util.List<ProxyBranch> createProxyBranches(java.util.List<? extends URI> targets);
    void startProxy();
    void cancel();
    boolean getParallel();
    void setParallel(boolean parallel);
    boolean getRecordRoute();
    void setRecordRoute(boolean rr);
    SipURI getRecordRouteURI();
    boolean getRecurse();
    void setRecurse(boolean recurse);
    boolean getSupervised();
    void setSupervised(boolean supervised);
    boolean getAddToPath();
    void setAddToPath(boolean p);
    int getProxyTimeout();
    void setProxyTimeout(int seconds);
    @Deprecated
    int getSequentialSearchTimeout();
    @Deprecated
    void setSequentialSearchTimeout(int seconds);
    java.util.List<ProxyBranch> getProxyBranches();
    boolean getNoCancel();
    void setNoCancel(boolean noCancel);
}
