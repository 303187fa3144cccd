package javax.servlet.sip.ar;

/** Signatures only: the real one is a class with more. */
public class SipApplicationRoutingRegion {
    private final String label;
    private final SipApplicationRoutingRegionType type;

    public SipApplicationRoutingRegion(String label, SipApplicationRoutingRegionType type) {
        this.label = label;
        this.type = type;
    }

    public String getLabel() {
        return label;
    }

    public SipApplicationRoutingRegionType getType() {
        return type;
    }
}
