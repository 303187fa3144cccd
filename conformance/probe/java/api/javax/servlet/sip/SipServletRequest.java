package javax.servlet.sip;

public interface SipServletRequest extends javax.servlet.ServletRequest, SipServletMessage {
    URI getRequestURI();
    void setRequestURI(URI uri);
    void pushRoute(SipURI uri);
    void pushRoute(Address uri);
    int getMaxForwards();
    void setMaxForwards(int n);
    boolean isInitial();
    Address getPoppedRoute();
    Proxy getProxy() throws TooManyHopsException;
    Proxy getProxy(boolean create) throws TooManyHopsException;
    SipServletResponse createResponse(int statuscode);
    SipServletResponse createResponse(int statusCode, String reasonPhrase);
    SipServletRequest createCancel();
    B2buaHelper getB2buaHelper();
    void send() throws java.io.IOException;
}
