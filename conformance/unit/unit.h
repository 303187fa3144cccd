/**
 * @file conformance/unit/unit.h  Unit conformance suite: shared fixture
 *
 * Every test drives the model's API for one or more rules of
 * shared/spec/session-rules.md and names them in its table entry
 * (UTEST(fn, "SS-STATE-11 SS-STATE-02")).  `check-model --list` prints the
 * table, which conformance/rule-coverage joins with conformance/rules.tsv.
 *
 * The fixture gives each test (run in its own process by Check) a model on
 * a fake clock, one application whose listeners append to a log, and a
 * trace of model events; teardown shuts the model down and fails the test
 * if a block of memory is left behind.
 */
#ifndef SSTCK_UNIT_H
#define SSTCK_UNIT_H

#include <check.h>
#include <stdio.h>
#include <string.h>
#include "ssm.h"
#include "mem.h"

struct utest {
	const char *name;
	const TTest *test;
	const char *rules;
};

#define UTEST(fn, rules) { #fn, &fn##_ttest, rules }

/* Check's START_TEST also defines a pointer that only tcase_add_test
 * uses; the table above takes the TTest itself, so define tests without
 * it (an unused static would break -Werror). */
#undef START_TEST
#define START_TEST(name)                                                \
	static void name##_fn(int _i CK_ATTRIBUTE_UNUSED);              \
	static const TTest name##_ttest = {#name, name##_fn, __FILE__,  \
					   __LINE__};                   \
	static void name##_fn(int _i CK_ATTRIBUTE_UNUSED)

struct fx {
	struct ssm *m;
	struct ssm_app *app;
	uint64_t now;
	char log[8192];
	char trace[16384];
	int ready_action;       /* 0 none, 1 clear iwr, 2 invalidate */
	int expire_extend;      /* minutes to grant in sessionExpired */
	int timer_cancel;       /* cancel the timer inside its timeout */
	int timeouts;
};

extern struct fx fx;

void fx_setup(void);
void fx_teardown(void);
/** Re-create the model with @opts and an app of version @v. */
void fx_model(const struct ssm_opts *opts, enum ssm_version v);
void fx_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fx_advance(uint64_t ms);

/** A message event. */
struct ssm_msg fx_msg(enum ssm_dir dir, const char *method, int status,
		      const char *cid, const char *ftag, const char *ttag,
		      uint32_t cseq);

/** Apply a message through ssm_dispatch; returns the target session. */
struct ss *fx_send(struct ss *ss, enum ssm_dir dir, const char *method,
		   int status, const char *ttag, uint32_t cseq);
struct ss *fx_send_ev(struct ss *ss, enum ssm_dir dir, const char *method,
		      int status, const char *ttag, uint32_t cseq,
		      const char *event);
/** Keep a session and its SAS: invalidate-when-ready off on both. */
void fx_keep(struct ss *ss);
struct ss *fx_notify(struct ss *ss, enum ssm_dir dir, const char *event,
		     const char *sub_state, uint32_t cseq);

/** A new SAS with one session of @role for @method, Call-ID "c1". */
struct ss *fx_session(enum ss_role role, const char *method);
enum ss_state fx_state(struct ss *ss);
bool fx_ready(struct ss *ss);

/* Suites */
extern const struct utest t_state[];
extern const struct utest t_dialog[];
/** t_state.c: a UAC session that sent its INVITE (CSeq 1). */
struct ss *st_uac_invite(void);
extern const struct utest t_own[];
extern const struct utest t_derived[];
extern const struct utest t_inval[];
extern const struct utest t_time[];
extern const struct utest t_b2b[];
extern const struct utest t_misc[];
extern const struct utest t_dist[];

#endif
