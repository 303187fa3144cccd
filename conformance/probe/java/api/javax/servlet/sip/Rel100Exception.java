package javax.servlet.sip;

public class Rel100Exception extends javax.servlet.ServletException {
    private static final long serialVersionUID = 1L;
    public static final int NOT_100rel = 1;
    public static final int NOT_1XX = 2;
    public static final int NOT_SUPPORTED = 3;
    public static final int NO_REQ_SUPPORT = 4;
    public static final int NOT_UAS = 5;
    public Rel100Exception(int reason) { }
    public int getReason() { throw new UnsupportedOperationException(); }
}
