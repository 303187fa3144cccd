package javax.servlet.sip;

public interface URI extends Cloneable {
    String getScheme();
    boolean isSipURI();
    String getParameter(String key);
    void setParameter(String name, String value);
    URI clone();
    String toString();
}
