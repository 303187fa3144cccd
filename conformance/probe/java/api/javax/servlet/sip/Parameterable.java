package javax.servlet.sip;

/** JSR 289 signatures (declarations only, from the published javadoc). */
public interface Parameterable extends Cloneable {
    String getValue();
    void setValue(String value);
    String getParameter(String key);
    void setParameter(String name, String value);
    void removeParameter(String name);
    java.util.Iterator<String> getParameterNames();
    Object clone();
}
