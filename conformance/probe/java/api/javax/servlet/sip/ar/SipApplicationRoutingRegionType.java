package javax.servlet.sip.ar;

/** Signatures only. */
public enum SipApplicationRoutingRegionType { ORIGINATING, TERMINATING, NEUTRAL }
