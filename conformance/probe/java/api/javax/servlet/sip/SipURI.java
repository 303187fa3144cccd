package javax.servlet.sip;

public interface SipURI extends URI {
    String getUser();
    void setUser(String user);
    String getHost();
    boolean isSecure();
    void setHost(String host);
    int getPort();
    void setPort(int port);
    boolean getLrParam();
    void setLrParam(boolean flag);
    String getTransportParam();
}
