/**
 * @file conformance/unit/main.c  Unit conformance suite: runner
 *
 *   check-model               run every test (Check prints its summary)
 *   check-model --list        one line per test: name TAB rule IDs
 *   check-model --xml FILE    also write Check's XML report
 *   check-model --help
 *
 * CK_RUN_CASE selects one group (state, own, derived, inval, time, b2b,
 * misc, dist); CK_FORK=no runs in-process (for valgrind and gcov).
 */
#include <stdarg.h>
#include <stdlib.h>
#include "unit.h"

struct fx fx;

static const struct {
	const char *name;
	const struct utest *tests;
} groups[] = {
	{"state", t_state},
	{"dialog", t_dialog},
	{"own", t_own},
	{"derived", t_derived},
	{"inval", t_inval},
	{"time", t_time},
	{"b2b", t_b2b},
	{"misc", t_misc},
	{"dist", t_dist},
};

#define NGROUPS (sizeof(groups) / sizeof(groups[0]))

static struct mem_stats base;

/* ----- fixture ----- */

static uint64_t fake_clock(void *arg)
{
	(void)arg;
	return fx.now;
}

void fx_log(const char *fmt, ...)
{
	size_t n = strlen(fx.log);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fx.log + n, sizeof(fx.log) - n, fmt, ap);
	va_end(ap);
	n = strlen(fx.log);
	if (n + 1 < sizeof(fx.log)) {
		fx.log[n] = ' ';
		fx.log[n + 1] = '\0';
	}
}

static void on_event(const struct ssm_event *ev, void *arg)
{
	size_t n = strlen(fx.trace);

	(void)arg;
	if (ev->type == SSM_EV_STATE)
		snprintf(fx.trace + n, sizeof(fx.trace) - n, "%s:%s>%s ",
			 ss_id(ev->ss), ss_state_name(ev->from),
			 ss_state_name(ev->to));
	else
		snprintf(fx.trace + n, sizeof(fx.trace) - n, "%s ",
			 ssm_ev_name(ev->type));
}

static void l_ss_created(struct ss *ss, void *arg)
{
	(void)arg;
	fx_log("ss_created");
	(void)ss;
}

static void l_ss_destroyed(struct ss *ss, void *arg)
{
	(void)arg;
	(void)ss;
	fx_log("ss_destroyed");
}

static void l_ss_ready(struct ss *ss, void *arg)
{
	enum ss_state st;

	(void)arg;
	ck_assert_int_eq(ss_state(ss, &st), SSM_OK);
	fx_log("ss_ready:%s", ss_state_name(st));
	if (fx.ready_action == 1)
		ck_assert_int_eq(ss_set_iwr(ss, false), SSM_OK);
	else if (fx.ready_action == 2)
		ck_assert_int_eq(ss_invalidate(ss), SSM_OK);
}

static void l_sas_created(struct sas *sas, void *arg)
{
	(void)arg;
	(void)sas;
	fx_log("sas_created");
}

static void l_sas_destroyed(struct sas *sas, void *arg)
{
	(void)arg;
	(void)sas;
	fx_log("sas_destroyed");
}

static void l_sas_expired(struct sas *sas, void *arg)
{
	int64_t t;
	int granted;

	(void)arg;
	ck_assert_int_eq(sas_expiration_time(sas, &t), SSM_OK);
	fx_log("sas_expired:%s", t == INT64_MIN ? "MIN" : "set");
	if (fx.expire_extend) {
		ck_assert_int_eq(sas_set_expires(sas, fx.expire_extend,
						 &granted), SSM_OK);
		fx.expire_extend = 0;
	}
}

static void l_sas_ready(struct sas *sas, void *arg)
{
	(void)arg;
	(void)sas;
	fx_log("sas_ready");
}

static void l_attr(enum ssm_attr_ev ev, enum ssm_kind kind, void *owner,
		   const char *name, void *value, void *arg)
{
	static const char *const evn[] = {"added", "replaced", "removed"};
	static const char *const kn[] = {"ss", "sas", "hs"};

	(void)arg;
	(void)owner;
	(void)value;
	fx_log("attr_%s:%s:%s", evn[ev], kn[kind], name);
}

static void l_timeout(struct ssm_timer *t, void *arg)
{
	(void)arg;
	fx.timeouts++;
	fx_log("timeout:%s", (const char *)ssm_timer_info(t));
	if (fx.timer_cancel)
		ssm_timer_cancel(t);
}

static const struct ssm_listeners listeners = {
	.ss_created = l_ss_created,
	.ss_destroyed = l_ss_destroyed,
	.ss_ready = l_ss_ready,
	.sas_created = l_sas_created,
	.sas_destroyed = l_sas_destroyed,
	.sas_expired = l_sas_expired,
	.sas_ready = l_sas_ready,
	.attr = l_attr,
	.timeout = l_timeout,
};

static const char *const servlets[] = {"main", "other", NULL};

void fx_model(const struct ssm_opts *opts, enum ssm_version v)
{
	if (fx.m)
		ssm_shutdown(fx.m);
	fx.m = NULL;
	fx.app = NULL;
	ck_assert_int_eq(ssm_alloc(&fx.m, opts, fake_clock, NULL), SSM_OK);
	ssm_set_event_handler(fx.m, on_event, NULL);
	ck_assert_int_eq(ssm_app_add(fx.m, "app", v, SSM_DEFAULT_TIMEOUT,
				     &listeners, servlets, &fx.app), SSM_OK);
	fx.log[0] = '\0';
	fx.trace[0] = '\0';
}

void fx_setup(void)
{
	memset(&fx, 0, sizeof(fx));
	mem_stats_get(&base);
	fx.now = 1000000;
	fx_model(NULL, SSM_V11);
}

void fx_teardown(void)
{
	struct mem_stats st;

	ssm_shutdown(fx.m);
	fx.m = NULL;
	mem_stats_get(&st);
	ck_assert_msg(st.blocks == base.blocks,
		      "memory leak: %llu blocks left",
		      (unsigned long long)(st.blocks - base.blocks));
}

void fx_advance(uint64_t ms)
{
	fx.now += ms;
	ssm_run_timers(fx.m);
}

struct ssm_msg fx_msg(enum ssm_dir dir, const char *method, int status,
		      const char *cid, const char *ftag, const char *ttag,
		      uint32_t cseq)
{
	struct ssm_msg m = {
		.dir = dir, .method = method, .status = status,
		.call_id = cid, .from_tag = ftag, .to_tag = ttag,
		.cseq = cseq,
	};

	return m;
}

void fx_keep(struct ss *ss)
{
	struct sas *sas;

	ck_assert_int_eq(ss_set_iwr(ss, false), SSM_OK);
	ck_assert_int_eq(ss_app_session(ss, &sas), SSM_OK);
	ck_assert_int_eq(sas_set_iwr(sas, false), SSM_OK);
}

struct ss *fx_send(struct ss *ss, enum ssm_dir dir, const char *method,
		   int status, const char *ttag, uint32_t cseq)
{
	return fx_send_ev(ss, dir, method, status, ttag, cseq, NULL);
}

struct ss *fx_send_ev(struct ss *ss, enum ssm_dir dir, const char *method,
		      int status, const char *ttag, uint32_t cseq,
		      const char *event)
{
	struct ssm_msg m;
	const char *ftag, *local, *remote, *cid;
	struct ss *target = NULL;

	ck_assert_int_eq(ss_call_id(ss, &cid), SSM_OK);
	ck_assert_int_eq(ss_tags(ss, &local, &remote), SSM_OK);
	ftag = ss_role(ss) == SS_ROLE_UAS ? remote : local;
	m = fx_msg(dir, method, status, cid, ftag, ttag, cseq);
	m.event = event;
	ck_assert_int_eq(ss_on_message(ss, &m, &target), SSM_OK);
	ssm_settle(fx.m);
	return target;
}

struct ss *fx_notify(struct ss *ss, enum ssm_dir dir, const char *event,
		     const char *sub_state, uint32_t cseq)
{
	struct ssm_msg m;
	const char *local, *remote, *cid;
	struct ss *target = NULL;

	ck_assert_int_eq(ss_call_id(ss, &cid), SSM_OK);
	ck_assert_int_eq(ss_tags(ss, &local, &remote), SSM_OK);
	m = fx_msg(dir, "NOTIFY", 0, cid, remote, local, cseq);
	m.event = event;
	m.sub_state = sub_state;
	ck_assert_int_eq(ss_on_message(ss, &m, &target), SSM_OK);
	ssm_settle(fx.m);
	return target;
}

struct ss *fx_session(enum ss_role role, const char *method)
{
	struct sas *sas;
	struct ss *ss;

	ck_assert_int_eq(sas_create(fx.app, &sas), SSM_OK);
	ck_assert_int_eq(ss_create(sas, role, method,
				   role == SS_ROLE_UAC ? NULL : "c1",
				   role == SS_ROLE_UAC ? NULL : "ft",
				   "sip:a@x", "sip:b@y", &ss), SSM_OK);
	return ss;
}

enum ss_state fx_state(struct ss *ss)
{
	enum ss_state st;

	ck_assert_int_eq(ss_state(ss, &st), SSM_OK);
	return st;
}

bool fx_ready(struct ss *ss)
{
	bool r;

	ck_assert_int_eq(ss_is_ready(ss, &r), SSM_OK);
	return r;
}

/* ----- runner ----- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: check-model [--list] [--xml FILE]\n"
		"  Runs the unit conformance suite of the session model.\n"
		"  --list      print each test with the rule IDs it checks\n"
		"  --xml FILE  write Check's XML report to FILE\n"
		"  CK_RUN_CASE=GROUP selects one group; CK_FORK=no runs\n"
		"  in-process.\n");
}

int main(int argc, char **argv)
{
	const char *xml = NULL;
	Suite *s;
	SRunner *sr;
	int failed;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--list")) {
			for (size_t g = 0; g < NGROUPS; g++)
				for (const struct utest *t = groups[g].tests;
				     t->name; t++)
					printf("%s/%s\t%s\n", groups[g].name,
					       t->name, t->rules);
			return 0;
		}
		if (!strcmp(argv[i], "--xml") && i + 1 < argc) {
			xml = argv[++i];
			continue;
		}
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		}
		fprintf(stderr, "check-model: unknown argument '%s'\n",
			argv[i]);
		usage(stderr);
		return 2;
	}

	s = suite_create("session-model");
	for (size_t g = 0; g < NGROUPS; g++) {
		TCase *tc = tcase_create(groups[g].name);

		tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
		tcase_set_timeout(tc, 20);
		for (const struct utest *t = groups[g].tests; t->name; t++)
			_tcase_add_test(tc, t->test, 0, 0, 0, 1);
		suite_add_tcase(s, tc);
	}
	sr = srunner_create(s);
	if (xml)
		srunner_set_xml(sr, xml);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
