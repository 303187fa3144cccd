package javax.servlet.sip;

public interface ConvergedHttpSession extends javax.servlet.http.HttpSession {
    String encodeURL(String url);
    String encodeURL(String relativePath, String scheme);
    SipApplicationSession getApplicationSession();
}
