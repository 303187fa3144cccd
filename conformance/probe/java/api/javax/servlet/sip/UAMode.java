package javax.servlet.sip;

public enum UAMode { UAC, UAS }
