/**
 * @file harness/sstck/judge.c  a case's verdict from what its run collected.
 * Pure: the facts in, the judgement out, so every branch is unit-tested
 * (harness/test).
 *
 *   error           the harness or the target could not run the case
 *   failed          an expectation did not hold: the first one is the reason
 *   not observable  the target cannot show what the case checks
 *   passed          every check ran and held
 *
 * Checks a target cannot show are listed as not observable; they never
 * count towards a pass.
 */
#include <stdarg.h>
#include <string.h>

#include "sstck.h"

const char *judge_verdict_name(enum verdict v)
{
	static const char *n[] = { "passed", "failed", "not observable", "error",
				   "not applicable", "skipped" };

	return n[v];
}

static void add(struct judgement *j, enum verdict o, const char *where,
		const char *name, const char *fmt, ...)
{
	struct check *c;
	va_list ap;

	if (j->nchecks == SSTCK_MAX_CHECKS)
		return;
	c = &j->checks[j->nchecks++];
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->outcome = o;
	va_start(ap, fmt);
	vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
	va_end(ap);
	/* the first error wins over failures, the first failure over passes */
	if ((o == V_ERROR && j->verdict != V_ERROR) ||
	    (o == V_FAILED && j->verdict == V_PASSED)) {
		j->verdict = o == V_ERROR ? V_ERROR : V_FAILED;
		snprintf(j->reason, sizeof(j->reason), "%s", c->detail);
		snprintf(j->where, sizeof(j->where), "%s", where ? where : "");
	}
}

static void judge_agent(const struct facts *f, const struct agent_facts *a,
			struct judgement *j)
{
	char name[64], where[160];

	snprintf(name, sizeof(name), "agent %s", a->name);
	snprintf(where, sizeof(where), "%s.err.log, %s.msg.log", a->name, a->name);
	if (!a->ran) {
		add(j, V_ERROR, where, name, "agent %s did not run: %s", a->name,
		    a->error[0] ? a->error : "the case stopped before it");
		return;
	}
	if (a->no_listen) {
		add(j, V_ERROR, where, name, "agent %s: %s", a->name, a->error);
		return;
	}
	if (a->exit == 127) {
		add(j, V_ERROR, where, name, "agent %s: could not run sipp: %s",
		    a->name, a->error);
		return;
	}
	if (a->exit == 254) {
		add(j, V_ERROR, where, name, "agent %s: SIPp could not bind its port "
		    "(in use?): %s", a->name, a->error);
		return;
	}
	if (a->exit != 0 && strstr(a->error, "scenario file")) {
		add(j, V_ERROR, where, name, "agent %s: SIPp rejects scenario %s: %s",
		    a->name, a->scenario, a->error);
		return;
	}
	if (a->exit == 255 && strstr(a->error, " timed out after ")) {
		add(j, V_FAILED, where, name, "agent %s did not finish in time "
		    "(%d messages received)", a->name, a->received);
		return;
	}
	if (a->exit == 255) {
		add(j, V_ERROR, where, name, "agent %s: SIPp fatal error: %s",
		    a->name, a->error);
		return;
	}
	/* killed by a signal nobody here sent (the harness's own stops are
	 * exit -1): the agent, not the target, is what went wrong */
	if (a->exit > 128 && a->exit < 128 + 65) {
		add(j, V_ERROR, where, name, "agent %s was killed by signal %d (%s) "
		    "after %d messages received: not a verdict on the target",
		    a->name, a->exit - 128, strsignal(a->exit - 128), a->received);
		return;
	}
	if (a->role == ROLE_UAC && a->received == 0 && (a->exit != 0 || f->timed_out)) {
		add(j, V_ERROR, where, name, "target %s did not answer agent %s",
		    f->target_desc, a->name);
		return;
	}
	if (a->exit == -1 && a->cut[0]) {
		add(j, V_FAILED, where, name, "agent %s stopped (%d messages "
		    "received): the case could not go on once %s had failed",
		    a->name, a->received, a->cut);
		return;
	}
	if (a->exit == -1) {
		add(j, V_FAILED, where, name, "agent %s did not finish in time "
		    "(%d messages received)", a->name, a->received);
		return;
	}
	if (a->exit != 0) {
		add(j, V_FAILED, where, name, "agent %s exited %d: %s", a->name,
		    a->exit, a->error[0] ? a->error : "no error logged");
		return;
	}
	if (a->calls_ok < 0 || a->calls_failed < 0) {
		add(j, V_ERROR, where, name, "agent %s: no call count in its statistics",
		    a->name);
		return;
	}
	if (a->calls_ok != 1 || a->calls_failed != 0) {
		add(j, V_FAILED, where, name, "agent %s: %ld successful and %ld failed "
		    "calls, expected 1 and 0", a->name, a->calls_ok, a->calls_failed);
		return;
	}
	add(j, V_PASSED, NULL, name, "1 call completed, %d messages received",
	    a->received);
}

/* The scenarios' X-SS-State expectations, none of which stopped a call:
 * each that failed is a check of its own; those on messages the target
 * sent unstamped, or stamped in the application's callback (at=app,
 * which the scenarios' at=sent expectations do not describe: the oracle
 * judges them), are not observable here; none held is no pass. */
static void judge_expectations(const struct facts *f, int n, struct judgement *j)
{
	int held = 0, failed = 0, unst = 0, app = 0, unr = 0;

	for (size_t i = 0; i < f->nagents; i++) {
		const struct agent_facts *a = &f->agents[i];
		char name[64];

		held += a->exp_held;
		failed += a->exp_failed;
		unst += a->exp_unstamped;
		app += a->exp_app;
		unr += a->exp_unreached;
		if (!a->exp_failed)
			continue;
		snprintf(name, sizeof(name), "X-SS-State %s", a->name);
		add(j, V_FAILED, a->log, name, "agent %s: %d X-SS-State expectation%s "
		    "failed; the first %s", a->name, a->exp_failed,
		    a->exp_failed == 1 ? "" : "s", a->exp_first);
	}
	if (failed)
		return;
	if (!held) {
		add(j, V_NOTOBS, NULL, "X-SS-State", "none of %d X-SS-State "
		    "expectations could be judged: %d on messages %s sent without "
		    "X-SS-State, %d stamped at=app (the oracle judges those), %d not "
		    "reached", n, unst, f->target_desc, app, unr);
		return;
	}
	add(j, V_PASSED, NULL, "X-SS-State", "%d of %d X-SS-State expectations "
	    "held%s", held, n, held + unr == n && !unst && !app ? "" :
	    "; the others not observable here (unstamped, at=app or not reached)");
	if (unst || app)
		add(j, V_NOTOBS, NULL, "X-SS-State unjudged", "%d on messages %s "
		    "sent without X-SS-State, %d stamped at=app (the oracle judges "
		    "those)", unst, f->target_desc, app);
}

/* A failover case: its node failed at its point, or the case says
 * nothing about what a cluster does (never a pass). */
static void judge_failover(const struct facts *f, struct judgement *j)
{
	bool agents_ok = true;

	if (!f->failover.wanted)
		return;
	for (size_t i = 0; i < f->nagents; i++)
		agents_ok &= f->agents[i].ran && f->agents[i].exit == 0;
	if (f->failover.ran && f->failover.rc == 0)
		add(j, V_PASSED, "failover.log", "failover", "a node failed %s",
		    f->failover.detail);
	else if (f->failover.ran && f->failover.rc < -1)
		add(j, V_ERROR, "failover.log", "failover", "%s",
		    f->failover.detail);
	else if (f->failover.ran)
		add(j, V_ERROR, "failover.log", "failover", "the fail command "
		    "exited %d %s", f->failover.rc, f->failover.detail);
	else if (agents_ok)
		add(j, V_ERROR, NULL, "failover", "the failover point never came: "
		    "no node was failed, so the case showed nothing of a failover");
}

/* An [expect] count of the case's session events (WHAT: its words),
 * where the trace KNOWS them. */
static void judge_count(const struct facts *f, struct judgement *j, bool knows,
			const char *what, int want, long seen)
{
	if (want < 0)
		return;
	if (!knows)
		add(j, V_NOTOBS, NULL, what, "%s: %s keeps no session trace",
		    what, f->target_desc);
	else if (seen != want)
		add(j, V_FAILED, "trace.jsonl", what,
		    "expected %d %s in the trace, saw %ld", want, what, seen);
	else
		add(j, V_PASSED, NULL, what, "%ld %s", seen, what);
}

void judge_facts(const struct facts *f, struct judgement *j)
{
	int state_checks = 0;

	memset(j, 0, sizeof(*j));
	j->verdict = V_PASSED;
	if (f->interrupted) {
		add(j, V_ERROR, NULL, "run", "interrupted");
		return;
	}
	if (f->setup_error[0]) {
		add(j, V_ERROR, NULL, "setup", "%s", f->setup_error);
		return;
	}
	if (f->na_reason[0]) {
		enum verdict v = f->skipped ? V_SKIPPED : V_NA;

		add(j, v, NULL, f->skipped ? "slow" : "target", "%s", f->na_reason);
		j->verdict = v;
		snprintf(j->reason, sizeof(j->reason), "%s", f->na_reason);
		return;
	}
	if (!f->nagents) {
		add(j, V_ERROR, NULL, "setup", "no agents ran");
		return;
	}
	/* a converged case's HTTP steps: the first that failed says why the
	 * agents then waited in vain */
	for (size_t i = 0; i < f->nhttp; i++) {
		char name[64];

		snprintf(name, sizeof(name), "http %s", f->http[i].name);
		if (f->http[i].ran)
			add(j, f->http[i].ok ? V_PASSED : V_FAILED, "http.log", name,
			    "%s", f->http[i].detail);
		else
			add(j, V_FAILED, "http.log", name, "not run: an earlier step failed");
	}
	/* the agents that ran and ended first: their trouble is why the
	 * others were stopped or did not run */
	for (size_t i = 0; i < f->nagents; i++)
		if (f->agents[i].ran && !f->agents[i].cut[0])
			judge_agent(f, &f->agents[i], j);
	for (size_t i = 0; i < f->nagents; i++) {
		if (!f->agents[i].ran || f->agents[i].cut[0])
			judge_agent(f, &f->agents[i], j);
		state_checks += f->agents[i].state_checks;
	}
	judge_failover(f, j);
	if (!f->state_header)
		add(j, V_NOTOBS, NULL, "X-SS-State",
		    "%d X-SS-State checks not run: %s does not show session state",
		    state_checks, f->target_desc);
	else if (state_checks)
		judge_expectations(f, state_checks, j);
	if (f->target_started)
		add(j, f->target_exit == 0 ? V_PASSED : V_FAILED, "target.log",
		    "target exit", f->target_exit == 0 ? "the target stopped cleanly" :
		    "the target exited %d on SIGTERM (see target.log)", f->target_exit);
	if (f->trace) {
		if (f->live_ss < 0)
			add(j, V_ERROR, "trace.jsonl", "no leak",
			    "the trace has no shutdown line with live sessions");
		else
			add(j, f->live_ss == 0 ? V_PASSED : V_FAILED, "trace.jsonl",
			    "no leak", "%ld live SipSessions when the target stopped",
			    f->live_ss);
	} else {
		add(j, V_NOTOBS, NULL, "no leak", "%s keeps no session trace",
		    f->target_desc);
	}
	/* the oracle's reading of the wire and the trace */
	if (f->oracle.ran && f->oracle.n) {
		add(j, V_FAILED, f->oracle.f[0].where, "oracle", "%s: %s (%zu finding%s)",
		    f->oracle.f[0].rule, f->oracle.f[0].text, f->oracle.n,
		    f->oracle.n == 1 ? "" : "s");
	} else if (f->oracle.ran && f->oracle.unparsed) {
		/* a message no one can read was not judged: never a pass */
		add(j, V_ERROR, f->oracle.first_unparsed, "oracle", "%zu logged "
		    "message%s not judged (libosip2 cannot parse it, or its "
		    "X-SS-State is too long), the first at %s",
		    f->oracle.unparsed, f->oracle.unparsed == 1 ? "" : "s",
		    f->oracle.first_unparsed);
	} else if (f->oracle.ran) {
		add(j, V_PASSED, NULL, "oracle", "%zu messages at the target's "
		    "boundary: %zu X-SS-State values, %zu trace events, %zu wire "
		    "rules, %zu operations judged, no finding", f->oracle.messages,
		    f->oracle.state_checks, f->oracle.trace_events,
		    f->oracle.wire_checks, f->oracle.op_checks);
	} else if (f->oracle.error[0]) {
		add(j, V_ERROR, NULL, "oracle", "the oracle could not judge: %s",
		    f->oracle.error);
	}
	if (f->oracle.ran && f->oracle.op_unobs)
		add(j, V_NOTOBS, NULL, "operations", "%zu operation%s without a "
		    "result: %s sent nothing in those callbacks and keeps no trace "
		    "(rules %s)", f->oracle.op_unobs, f->oracle.op_unobs == 1 ? "" : "s",
		    f->target_desc, f->oracle.op_unobs_rules);
	/* a derived session is marked (orig) only in a trace of its own: a
	 * probe in a JSR 289 container has no getOriginal to ask */
	judge_count(f, j, f->trace, "derived sessions", f->expect_derived, f->derived);
	judge_count(f, j, f->events, "ServletTimers fired", f->expect_fired, f->fired);
	judge_count(f, j, f->events, "application session expiries",
		    f->expect_expired, f->expired);
}

enum verdict judge_rule_verdict(enum verdict case_v, enum rule_obs obs,
				bool state_observable)
{
	if (obs == OBS_STATE && !state_observable && case_v != V_ERROR &&
	    case_v != V_NA && case_v != V_SKIPPED)
		return V_NOTOBS;
	return case_v;
}
