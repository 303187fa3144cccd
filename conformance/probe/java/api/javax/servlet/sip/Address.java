package javax.servlet.sip;

public interface Address extends Parameterable {
    String getDisplayName();
    void setDisplayName(String name);
    URI getURI();
    void setURI(URI uri);
    boolean isWildcard();
    String toString();
}
