package javax.servlet.sip;

public class ServletParseException extends javax.servlet.ServletException {
    private static final long serialVersionUID = 1L;
    public ServletParseException() { }
    public ServletParseException(String msg) { super(msg); }
    public ServletParseException(String message, Throwable cause) { super(message, cause); }
    public ServletParseException(Throwable cause) { super(cause); }
}
