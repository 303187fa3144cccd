package javax.servlet.sip;

public class TooManyHopsException extends javax.servlet.ServletException {
    private static final long serialVersionUID = 1L;
    public TooManyHopsException() { }
    public TooManyHopsException(String msg) { super(msg); }
    public TooManyHopsException(String message, Throwable cause) { super(message, cause); }
    public TooManyHopsException(Throwable cause) { super(cause); }
}
