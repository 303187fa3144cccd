package org.sessiontck.probe;

import java.lang.reflect.InvocationHandler;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipSession;

/**
 * The probe's half of the observation protocol, run outside a container:
 * X-SS-State values and trace lines made from SipSession and
 * SipApplicationSession objects (stand-ins made with java.lang.reflect's
 * Proxy), printed for conformance/probe/test-probe to check against
 * conformance/observation-protocol.md, and the role header's parsing.
 */
public final class SelfTest {
    private SelfTest() { }

    static final class Fake {
        final Map<String, Object> attrs = new HashMap<>();
        final List<Object> sip = new ArrayList<>();
        final List<Object> http = new ArrayList<>();
        String id;
        SipSession.State state = SipSession.State.INITIAL;
        boolean valid = true;
        Object sas;
    }

    static Object fake(Class<?> type, Fake f) {
        InvocationHandler h = (proxy, m, args) -> {
            switch (m.getName()) {
            case "getId": return f.id;
            case "getState": return f.state;
            case "getCallId": return "call-" + f.id + "@selftest";
            case "isValid": return f.valid;
            case "getApplicationSession": return f.sas;
            case "getAttribute": return f.attrs.get((String) args[0]);
            case "setAttribute": f.attrs.put((String) args[0], args[1]); return null;
            case "getSessions":
                return ("HTTP".equals(args[0]) ? f.http : f.sip).iterator();
            case "hashCode": return System.identityHashCode(proxy);
            case "equals": return proxy == args[0];
            case "toString": return f.id;
            default: throw new UnsupportedOperationException(m.getName());
            }
        };
        return java.lang.reflect.Proxy.newProxyInstance(SelfTest.class.getClassLoader(),
                                                        new Class<?>[] { type }, h);
    }

    private static int failures;

    static void expect(boolean ok, String what) {
        if (!ok) {
            failures++;
            System.out.println("FAIL " + what);
        }
    }

    public static void main(String[] argv) {
        Fake sf = new Fake();
        sf.id = "as-1";
        SipApplicationSession sas = (SipApplicationSession) fake(SipApplicationSession.class, sf);
        Fake a = new Fake(), b = new Fake();
        a.id = "ss-a";
        a.sas = sas;
        b.id = "ss-b";
        b.sas = sas;
        SipSession sa = (SipSession) fake(SipSession.class, a);
        SipSession sb = (SipSession) fake(SipSession.class, b);
        sf.sip.add(sa);
        sf.sip.add(sb);
        sf.http.add(new Object());

        System.out.println("STAMP " + Observation.stamp(sa));      // UAS, not chosen
        Observation.setRole(sa, "PROXY", false);
        a.state = SipSession.State.EARLY;
        System.out.println("STAMP " + Observation.stamp(sa));
        Observation.setRole(sb, "PROXY", true);
        b.state = SipSession.State.CONFIRMED;
        System.out.println("STAMP " + Observation.stamp(sb));
        b.valid = false;
        System.out.println("STAMP " + Observation.stamp(sb));
        expect(Observation.stamp(sb).equals("id=ss-b;state=TERMINATED;role=PROXY;valid=0;at=app"),
               "an invalidated session keeps its role: " + Observation.stamp(sb));
        System.out.println("STAMP " + Observation.stamp(null));
        expect(Observation.stamp(sa).contains(";sip=2;http=1;"), "counts of SIP and HTTP sessions");

        String[][] lines = {
            { "sas-created", "sas", "as-1" },
            { "ss-created", "sas", "as-1", "ss", "ss-a", "role", "PROXY", "call", "c-1@h" },
            { "ss-created", "sas", "as-1", "ss", "ss-d", "role", "PROXY", "call", "c-1@h" },
            { "ss-ready", "sas", "as-1", "ss", "ss-a", "role", "PROXY", "state", "TERMINATED" },
            { "ss-invalidated", "sas", "as-1", "ss", "ss-a", "role", "PROXY" },
            { "sas-ready", "sas", "as-1" },
            { "sas-invalidated", "sas", "as-1" },
            { "sas-expired", "sas", "as-1" },
        };
        for (String[] l : lines) {
            String[] kv = new String[l.length - 1];
            System.arraycopy(l, 1, kv, 0, kv.length);
            System.out.println("TRACE " + Observation.line(l[0], kv));
        }

        Role r = Role.parse("fork --target sip:carol@127.0.0.1:5070 --target sip:dave@127.0.0.1:5071 "
                            + "--sequential --branch-timeout 2000");
        expect(r.app.equals("fork") && r.targets.size() == 2 && r.has("--sequential")
               && r.branchTimeoutMs == 2000, "Role.parse of a fork");
        expect(Role.parse(null).app.equals("proxy"), "no header: proxy");
        expect(Role.parse("send-on --domain example.com").domain.equals("example.com"),
               "send-on's domain");
        expect(Observation.stamp(sa).endsWith(";valid=1;at=app"),
               "every stamp is taken in the application's callback: " + Observation.stamp(sa));
        System.out.println(failures == 0 ? "SELFTEST ok" : "SELFTEST " + failures + " failed");
        System.exit(failures == 0 ? 0 : 1);
    }
}
