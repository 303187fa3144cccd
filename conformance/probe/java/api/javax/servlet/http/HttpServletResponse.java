package javax.servlet.http;

public interface HttpServletResponse extends javax.servlet.ServletResponse {
    int SC_OK = 200;
    int SC_CREATED = 201;
    int SC_ACCEPTED = 202;
    int SC_BAD_REQUEST = 400;
    int SC_NOT_FOUND = 404;
    int SC_METHOD_NOT_ALLOWED = 405;
    int SC_CONFLICT = 409;
    void setStatus(int sc);
    void setHeader(String name, String value);
    void addHeader(String name, String value);
    String encodeURL(String url);
}
