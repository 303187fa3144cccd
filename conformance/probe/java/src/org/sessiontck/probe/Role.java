package org.sessiontck.probe;

import java.util.ArrayList;
import java.util.List;

/**
 * The application a request asks the probe to play, from its X-SSTCK-App
 * header: the name and options sstck-ref takes on its command line
 * (`proxy`, `send-on --domain D`, `fork --target URI ... --sequential`,
 * `b2bua --target URI`), so that one case runs on both unchanged.
 */
public final class Role {
    public final String app;
    public final List<String> targets = new ArrayList<>();
    public final List<String> flags = new ArrayList<>();
    public String domain;
    public int branchTimeoutMs = 4000;
    /** The best-response callback's target (`--reproxy URI`), or null. */
    public String reproxy;
    /** The best-response callback's own answer (`--best-answer CODE`), or 0. */
    public int bestAnswer;
    /** The uas role's answer (`--answer CODE`), 200 by default. */
    public int answer = 200;

    private Role(String app) {
        this.app = app;
    }

    public static Role parse(String header) {
        String[] w = header == null ? new String[0] : header.trim().split("\\s+");
        Role r = new Role(w.length > 0 && !w[0].isEmpty() ? w[0] : "proxy");
        for (int i = 1; i < w.length; i++) {
            String a = w[i];
            boolean hasValue = i + 1 < w.length;
            if (a.equals("--target") && hasValue) {
                r.targets.add(w[++i]);
            } else if (a.equals("--domain") && hasValue) {
                r.domain = w[++i];
            } else if (a.equals("--reproxy") && hasValue) {
                r.reproxy = w[++i];
            } else if (a.equals("--best-answer") && hasValue) {
                try {
                    r.bestAnswer = Integer.parseInt(w[++i]);
                } catch (NumberFormatException e) {
                    r.bestAnswer = 0;
                }
            } else if (a.equals("--answer") && hasValue) {
                try {
                    r.answer = Integer.parseInt(w[++i]);
                } catch (NumberFormatException e) {
                    r.answer = 500;
                }
            } else if (a.equals("--branch-timeout") && hasValue) {
                try {
                    r.branchTimeoutMs = Integer.parseInt(w[++i]);
                } catch (NumberFormatException e) {
                    r.branchTimeoutMs = 4000;
                }
            } else {
                r.flags.add(a);
            }
        }
        return r;
    }

    public boolean has(String flag) {
        return flags.contains(flag);
    }
}
