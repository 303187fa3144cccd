/**
 * @file harness/test/t_judge.c  the harness's unit tests of the verdict and of
 * escaping.
 */
#include <string.h>

#include "th.h"

/* --- verdicts --------------------------------------------------------- */

static void base(struct facts *f, int nag)
{
	memset(f, 0, sizeof(*f));
	strcpy(f->target_desc, "ref");
	f->expect_derived = f->expect_fired = f->expect_expired = -1;
	f->state_header = f->trace = f->events = f->target_started = true;
	f->target_exit = 0;
	f->live_ss = 0;
	f->derived = 0;
	f->nagents = (size_t)nag;
	for (int i = 0; i < nag; i++) {
		struct agent_facts *a = &f->agents[i];

		snprintf(a->name, sizeof(a->name), "ag%d", i);
		a->role = i == nag - 1 ? ROLE_UAC : ROLE_UAS;
		a->ran = true;
		a->calls_ok = 1;
		a->received = 4;
		a->state_checks = 2;
	}
}

/* The agents: their calls, exits, errors and deadline. */
static void verdicts_agents(void)
{
	struct facts f;
	struct judgement j;

	base(&f, 2);
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_PASSED);
	ck_assert_uint_ge(j.nchecks, 4);

	base(&f, 2);                  /* SIPp exits 0 with no call done */
	f.agents[1].calls_ok = 0;
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_FAILED);
	ck_assert_ptr_nonnull(strstr(j.reason, "0 successful"));

	base(&f, 2);                  /* no statistics: never a pass */
	f.agents[0].calls_ok = -1;
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_ERROR);

	base(&f, 2);
	f.agents[0].exit = 1;
	strcpy(f.agents[0].error, "Failed regexp match");
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_FAILED);
	ck_assert_ptr_nonnull(strstr(j.reason, "Failed regexp match"));
	ck_assert_ptr_nonnull(strstr(j.where, "ag0.err.log"));

	base(&f, 2);                  /* the target said nothing at all */
	f.agents[1].exit = 1;
	f.agents[1].received = 0;
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_ERROR);
	ck_assert_ptr_nonnull(strstr(j.reason, "did not answer"));

	base(&f, 2);
	f.agents[0].exit = 254;
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_ERROR);
	ck_assert_ptr_nonnull(strstr(j.reason, "bind"));

	base(&f, 2);
	f.agents[1].exit = 255;
	strcpy(f.agents[1].error, "Unable to load or parse 'x.xml' xml scenario file");
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_ERROR);

	base(&f, 2);                  /* SIPp's own timeout is a failure */
	f.agents[1].exit = 255;
	strcpy(f.agents[1].error, "caller timed out after '20.000' seconds");
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_FAILED);

	base(&f, 2);                  /* killed at the harness's deadline */
	f.agents[0].exit = -1;
	f.timed_out = true;
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_FAILED);
	ck_assert_ptr_nonnull(strstr(j.reason, "in time"));
}

/* The target: its leaks, exit, derived sessions and what it shows. */
static void verdicts_target(void)
{
	struct facts f;
	struct judgement j;

	base(&f, 2);                  /* a leak */
	f.live_ss = 2;
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_FAILED);
	ck_assert_ptr_nonnull(strstr(j.reason, "2 live"));

	base(&f, 2);
	f.live_ss = -1;
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_ERROR);

	base(&f, 2);                  /* a crash on SIGTERM (e.g. ASan) */
	f.target_exit = 1;
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_FAILED);

	base(&f, 3);
	f.expect_derived = 2;
	f.derived = 1;
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_FAILED);
	ck_assert_ptr_nonnull(strstr(j.reason, "expected 2 derived"));

	base(&f, 2);                  /* a timer that never fired (TIMER-02) */
	f.expect_fired = 1;
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_FAILED);
	ck_assert_ptr_nonnull(strstr(j.reason, "expected 1 ServletTimers fired"));

	base(&f, 2);                  /* a run's container: its slice, no shutdown */
	f.trace = false;
	f.live_ss = -1;
	f.expect_expired = 2;
	f.expired = 2;
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_PASSED);

	base(&f, 2);                  /* a wire-only target */
	f.state_header = f.trace = f.events = f.target_started = false;
	f.expect_derived = 1;
	f.derived = f.live_ss = -1;
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_PASSED);
	int notobs = 0;

	for (size_t i = 0; i < j.nchecks; i++)
		notobs += j.checks[i].outcome == V_NOTOBS;
	ck_assert_int_eq(notobs, 3);  /* X-SS-State, leak, derived */
}

/* Verdicts settled before anything ran, and runs cut short. */
static void verdicts_settled(void)
{
	struct facts f;
	struct judgement j;

	base(&f, 2);
	strcpy(f.na_reason, "target kamailio does not play the b2bua application");
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_NA);     /* not applicable, not "not observable" */
	ck_assert_str_eq(judge_verdict_name(j.verdict), "not applicable");
	ck_assert_int_eq(judge_rule_verdict(V_NA, OBS_STATE, false), V_NA);

	base(&f, 2);
	strcpy(f.setup_error, "case.ini:3: oops");
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_ERROR);
	ck_assert_str_eq(j.reason, "case.ini:3: oops");

	base(&f, 2);                  /* the callee never listened: its fault first */
	f.agents[1].ran = false;
	f.agents[0].no_listen = true;
	strcpy(f.agents[0].error, "did not listen on 127.0.0.1:9");
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_ERROR);
	ck_assert_ptr_nonnull(strstr(j.reason, "did not listen"));

	base(&f, 2);
	f.interrupted = true;
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_ERROR);

	/* an agent killed by a signal we did not send: no verdict on the
	 * target, and not "the target did not answer" */
	base(&f, 2);
	f.agents[1].exit = 128 + 9;
	f.agents[1].received = 0;
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_ERROR);
	ck_assert_ptr_nonnull(strstr(j.reason, "killed by signal 9"));
}

START_TEST(verdicts)
{
	verdicts_agents();
	verdicts_target();
	verdicts_settled();
}
END_TEST

START_TEST(rule_verdicts)
{
	ck_assert_int_eq(judge_rule_verdict(V_PASSED, OBS_WIRE, false), V_PASSED);
	ck_assert_int_eq(judge_rule_verdict(V_PASSED, OBS_STATE, false), V_NOTOBS);
	ck_assert_int_eq(judge_rule_verdict(V_FAILED, OBS_STATE, false), V_NOTOBS);
	ck_assert_int_eq(judge_rule_verdict(V_ERROR, OBS_STATE, false), V_ERROR);
	ck_assert_int_eq(judge_rule_verdict(V_PASSED, OBS_STATE, true), V_PASSED);
	ck_assert_int_eq(judge_rule_verdict(V_FAILED, OBS_WIRE_STAR, false), V_FAILED);
}
END_TEST

START_TEST(escaping)
{
	char buf[256];

	text_xml_escape("<script>alert('x')</script>&\"\x01", buf, sizeof(buf));
	ck_assert_str_eq(buf, "&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt;&amp;&quot;?");
	text_xml_escape("<<<<", buf, 9);            /* never cuts an entity */
	ck_assert_str_eq(buf, "&lt;&lt;");
	/* junit.xml stays well-formed whatever bytes a target sends */
	text_xml_escape("caf\xc3\xa9 \xff\xc3(\xed\xa0\x80\xe2\x82\xac", buf, sizeof(buf));
	ck_assert_str_eq(buf, "caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd(\xef\xbf\xbd"
			 "\xef\xbf\xbd\xef\xbf\xbd\xe2\x82\xac");
	/* and results.json keeps the text jansson would refuse */
	json_t *j = text_json("seen \xff\xfe");

	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(j), "seen \xef\xbf\xbd\xef\xbf\xbd");
	json_decref(j);
	ck_assert_ptr_null(json_string("seen \xff"));   /* what it fixes */
}
END_TEST

void th_judge(TCase *tc)
{
	tcase_add_test(tc, verdicts);
	tcase_add_test(tc, rule_verdicts);
	tcase_add_test(tc, escaping);
}
