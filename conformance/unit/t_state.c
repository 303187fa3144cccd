/**
 * @file conformance/unit/t_state.c  SipSession state machine (section 2):
 * the INVITE dialog as UAC, UAS and proxy (t_dialog.c: the other usages)
 */
#include <stddef.h>
#include "unit.h"

struct ss *st_uac_invite(void)
{
	struct ss *ss = fx_session(SS_ROLE_UAC, "INVITE");
	struct ss_req r;

	ck_assert_int_eq(ss_create_request(ss, "INVITE", &r), SSM_OK);
	ck_assert_uint_eq(r.cseq, 1);
	fx_send(ss, SSM_OUT, "INVITE", 0, NULL, 1);
	return ss;
}

static struct ss *uas_invite(void)
{
	struct ss *ss = fx_session(SS_ROLE_UAS, "INVITE");

	fx_send(ss, SSM_IN, "INVITE", 0, NULL, 1);
	return ss;
}

static struct ss *proxy_invite(bool rr)
{
	struct ss *ss = fx_session(SS_ROLE_PROXY, "INVITE");

	ck_assert_int_eq(ss_set_proxy(ss, rr), SSM_OK);
	fx_send(ss, SSM_IN, "INVITE", 0, NULL, 1);
	fx_send(ss, SSM_OUT, "INVITE", 0, NULL, 1);
	return ss;
}

START_TEST(test_uac_initial_after_send)
{
	struct ss *ss = fx_session(SS_ROLE_UAC, "INVITE");
	struct ss_req r;

	ck_assert_int_eq(fx_state(ss), SS_INITIAL);
	ck_assert_int_eq(ss_create_request(ss, "INVITE", &r), SSM_OK);
	fx_send(ss, SSM_OUT, "INVITE", 0, NULL, r.cseq);
	ck_assert_int_eq(fx_state(ss), SS_INITIAL);
	ck_assert(!fx_ready(ss));
}
END_TEST

START_TEST(test_uac_100_and_tagless_1xx_stay_initial)
{
	struct ss *ss = st_uac_invite();

	fx_send(ss, SSM_IN, "INVITE", 100, NULL, 1);
	ck_assert_int_eq(fx_state(ss), SS_INITIAL);
	fx_send(ss, SSM_IN, "INVITE", 180, NULL, 1);
	ck_assert_int_eq(fx_state(ss), SS_INITIAL);
	ck_assert_ptr_null(strstr(fx.trace, ">EARLY"));
}
END_TEST

START_TEST(test_cf01_early_on_any_1xx)
{
	struct ssm_opts o;
	struct ss *ss;

	ssm_opts_default(&o);
	o.cf01_early_on_any_1xx = 1;
	fx_model(&o, SSM_V11);
	ss = st_uac_invite();
	fx_send(ss, SSM_IN, "INVITE", 100, NULL, 1);
	ck_assert_int_eq(fx_state(ss), SS_EARLY);
}
END_TEST

START_TEST(test_uac_180_early_200_confirmed)
{
	struct ss *ss = st_uac_invite();
	const char *l, *r;

	ck_assert_ptr_eq(fx_send(ss, SSM_IN, "INVITE", 180, "A", 1), ss);
	ck_assert_int_eq(fx_state(ss), SS_EARLY);
	ck_assert_int_eq(ss_tags(ss, &l, &r), SSM_OK);
	ck_assert_str_eq(r, "A");
	ck_assert_ptr_eq(fx_send(ss, SSM_IN, "INVITE", 200, "A", 1), ss);
	ck_assert_int_eq(fx_state(ss), SS_CONFIRMED);
	ck_assert(!fx_ready(ss));
	ck_assert_ptr_nonnull(strstr(fx.trace, ":INITIAL>EARLY "));
	ck_assert_ptr_nonnull(strstr(fx.trace, ":EARLY>CONFIRMED "));
}
END_TEST

START_TEST(test_uac_200_from_initial)
{
	struct ss *ss = st_uac_invite();

	fx_send(ss, SSM_IN, "INVITE", 200, "A", 1);
	ck_assert_int_eq(fx_state(ss), SS_CONFIRMED);
}
END_TEST

struct retry {
	int calls;
	struct ss_req req;
	enum ss_state seen;
};

static void retry_servlet(struct ss *ss, const struct ssm_msg *msg,
			  void *arg)
{
	struct retry *rt = arg;

	rt->calls++;
	rt->seen = fx_state(ss);
	if (msg->status == 407) {
		ck_assert(fx_ready(ss));              /* SS-STATE-15 */
		ck_assert_int_eq(ss_create_request(ss, "INVITE", &rt->req),
				 SSM_OK);
		fx_send(ss, SSM_OUT, "INVITE", 0, NULL, rt->req.cseq);
		ck_assert(!fx_ready(ss));
	}
}

START_TEST(test_uac_407_retry_same_session)
{
	struct ss *ss = st_uac_invite();
	struct retry rt = {0};
	const char *cid, *l, *r;
	struct ssm_msg m;

	fx_send(ss, SSM_IN, "INVITE", 180, "A", 1);
	ck_assert_int_eq(ss_call_id(ss, &cid), SSM_OK);
	ck_assert_int_eq(ss_tags(ss, &l, &r), SSM_OK);
	m = fx_msg(SSM_IN, "INVITE", 407, cid, l, "A", 1);
	ck_assert_int_eq(ssm_dispatch(ss, &m, retry_servlet, &rt), SSM_OK);
	ck_assert_int_eq(rt.calls, 1);
	ck_assert_int_eq(rt.seen, SS_INITIAL);         /* SS-STATE-14 */
	ck_assert(ss_is_valid(ss));
	ck_assert_str_eq(rt.req.call_id, cid);
	ck_assert_str_eq(rt.req.from_tag, l);
	ck_assert_ptr_null(rt.req.to_tag);
	ck_assert_uint_eq(rt.req.cseq, 2);
	fx_send(ss, SSM_IN, "INVITE", 200, "B", 2);
	ck_assert_int_eq(fx_state(ss), SS_CONFIRMED);
}
END_TEST

START_TEST(test_uac_fallback_is_ready_and_invalidated)
{
	struct ss *ss = st_uac_invite();

	fx_send(ss, SSM_IN, "INVITE", 180, "A", 1);
	mem_ref(ss);
	fx_send(ss, SSM_IN, "INVITE", 486, "A", 1);
	ck_assert(!ss_is_valid(ss));                    /* INVAL-10 (c) */
	ck_assert_ptr_nonnull(strstr(fx.log, "ss_ready:INITIAL"));
	mem_deref(ss);
}
END_TEST

START_TEST(test_uac_487_after_cancel)
{
	struct ssm_opts o;
	struct ss *ss;

	for (int side = 0; side < 2; side++) {
		ssm_opts_default(&o);
		o.cf02_487_terminates = side;
		fx_model(&o, SSM_V11);
		ss = st_uac_invite();
		fx_keep(ss);
		fx_send(ss, SSM_IN, "INVITE", 180, "A", 1);
		fx_send(ss, SSM_OUT, "CANCEL", 0, NULL, 1);
		fx_send(ss, SSM_IN, "CANCEL", 200, "A", 1);
		fx_send(ss, SSM_IN, "INVITE", 487, "A", 1);
		ck_assert_int_eq(fx_state(ss),
				 side ? SS_TERMINATED : SS_INITIAL);
		ck_assert(fx_ready(ss));
		ck_assert_uint_eq(ss_pending(ss), 0);
	}
}
END_TEST

START_TEST(test_confirmed_ignores_later_responses)
{
	struct ss *ss = st_uac_invite();

	fx_send(ss, SSM_IN, "INVITE", 200, "A", 1);
	fx_send(ss, SSM_OUT, "ACK", 0, "A", 1);
	fx_send(ss, SSM_OUT, "INVITE", 0, "A", 2);
	fx_send(ss, SSM_IN, "INVITE", 180, "A", 2);
	fx_send(ss, SSM_IN, "INVITE", 488, "A", 2);
	ck_assert_int_eq(fx_state(ss), SS_CONFIRMED);
	fx_send(ss, SSM_OUT, "INFO", 0, "A", 3);
	fx_send(ss, SSM_IN, "INFO", 500, "A", 3);
	ck_assert_int_eq(fx_state(ss), SS_CONFIRMED);
	fx_send(ss, SSM_OUT, "UPDATE", 0, "A", 4);
	fx_send(ss, SSM_IN, "UPDATE", 200, "A", 4);
	ck_assert_int_eq(fx_state(ss), SS_CONFIRMED);
	ck_assert_uint_eq(ss_pending(ss), 0);
}
END_TEST

START_TEST(test_uac_bye_terminates_on_final)
{
	struct ss *ss = st_uac_invite();

	fx_send(ss, SSM_IN, "INVITE", 200, "A", 1);
	fx_keep(ss);
	fx_send(ss, SSM_OUT, "BYE", 0, "A", 2);
	ck_assert_int_eq(fx_state(ss), SS_CONFIRMED);
	fx_send(ss, SSM_IN, "BYE", 401, "A", 2);
	ck_assert_int_eq(fx_state(ss), SS_CONFIRMED);  /* retry possible */
	fx_send(ss, SSM_OUT, "BYE", 0, "A", 3);
	fx_send(ss, SSM_IN, "BYE", 200, "A", 3);
	ck_assert_int_eq(fx_state(ss), SS_TERMINATED);
	ck_assert(fx_ready(ss));
}
END_TEST

START_TEST(test_uac_early_bye)
{
	struct ss *ss = st_uac_invite();
	struct ss_req r;

	fx_send(ss, SSM_IN, "INVITE", 183, "A", 1);
	ck_assert_int_eq(ss_create_request(ss, "BYE", &r), SSM_OK);
	ck_assert_str_eq(r.to_tag, "A");
	mem_ref(ss);
	fx_send(ss, SSM_OUT, "BYE", 0, "A", r.cseq);
	fx_send(ss, SSM_IN, "BYE", 200, "A", r.cseq);
	ck_assert(!ss_is_valid(ss));
	ck_assert_ptr_nonnull(strstr(fx.trace, ":EARLY>TERMINATED"));
	mem_deref(ss);
}
END_TEST

START_TEST(test_terminated_is_absorbing)
{
	struct ss *ss = st_uac_invite();
	struct ss_req r;

	fx_keep(ss);
	fx_send(ss, SSM_IN, "INVITE", 200, "A", 1);
	fx_send(ss, SSM_OUT, "BYE", 0, "A", 2);
	fx_send(ss, SSM_IN, "BYE", 200, "A", 2);
	ck_assert_int_eq(fx_state(ss), SS_TERMINATED);
	fx_send(ss, SSM_IN, "INVITE", 200, "A", 1);
	fx_send(ss, SSM_IN, "INVITE", 180, "A", 1);
	ck_assert_int_eq(fx_state(ss), SS_TERMINATED);
	ck_assert_int_eq(ss_create_request(ss, "INFO", &r), SSM_ISE);
}
END_TEST

START_TEST(test_get_state_after_invalidate)
{
	struct ss *ss = st_uac_invite();
	enum ss_state st;

	mem_ref(ss);
	ck_assert_int_eq(ss_invalidate(ss), SSM_OK);
	ck_assert(!ss_is_valid(ss));
	ck_assert_int_eq(ss_state(ss, &st), SSM_ISE);
	ck_assert_str_eq(ssm_errname(SSM_ISE), "ISE");
	ck_assert_str_eq(ssm_strerror(SSM_ISE), "IllegalStateException");
	mem_deref(ss);
}
END_TEST

struct seen {
	enum ss_state st[8];
	int n;
};

static void record_state(struct ss *ss, const struct ssm_msg *msg,
			 void *arg)
{
	struct seen *s = arg;

	(void)msg;
	s->st[s->n++] = fx_state(ss);
}

START_TEST(test_state_applied_before_servlet)
{
	struct ss *ss = st_uac_invite();
	struct seen s = {0};
	const char *cid, *l, *r;
	struct ssm_msg m;

	ck_assert_int_eq(ss_call_id(ss, &cid), SSM_OK);
	ck_assert_int_eq(ss_tags(ss, &l, &r), SSM_OK);
	m = fx_msg(SSM_IN, "INVITE", 180, cid, l, "A", 1);
	ck_assert_int_eq(ssm_dispatch(ss, &m, record_state, &s), SSM_OK);
	m.status = 200;
	ck_assert_int_eq(ssm_dispatch(ss, &m, record_state, &s), SSM_OK);
	ck_assert_int_eq(s.n, 2);
	ck_assert_int_eq(s.st[0], SS_EARLY);
	ck_assert_int_eq(s.st[1], SS_CONFIRMED);
}
END_TEST

START_TEST(test_non_dialog_methods_leave_state)
{
	struct ss *ss = fx_session(SS_ROLE_UAC, "MESSAGE");
	struct ss *uas = fx_session(SS_ROLE_UAS, "OPTIONS");

	fx_keep(ss);
	fx_keep(uas);
	fx_send(ss, SSM_OUT, "MESSAGE", 0, NULL, 1);
	fx_send(ss, SSM_IN, "MESSAGE", 180, "x", 1);
	fx_send(ss, SSM_IN, "MESSAGE", 200, "x", 1);
	ck_assert_int_eq(fx_state(ss), SS_INITIAL);     /* SS-STATE-50 */
	fx_send(uas, SSM_IN, "OPTIONS", 0, NULL, 1);
	fx_send(uas, SSM_OUT, "OPTIONS", 200, "y", 1);
	ck_assert_int_eq(fx_state(uas), SS_INITIAL);
	fx_send(ss, SSM_OUT, "BYE", 0, NULL, 2);
	fx_send(ss, SSM_IN, "BYE", 200, "x", 2);
	ck_assert_int_eq(fx_state(ss), SS_INITIAL);
}
END_TEST

START_TEST(test_uas_initial_in_doinvite)
{
	for (int side = 0; side < 2; side++) {
		struct ssm_opts o;
		struct ss *ss;
		struct seen s = {0};
		struct ssm_msg m;

		ssm_opts_default(&o);
		o.cf12_uas_early_in_doinvite = side;
		fx_model(&o, SSM_V11);
		ss = fx_session(SS_ROLE_UAS, "INVITE");
		m = fx_msg(SSM_IN, "INVITE", 0, "c1", "ft", NULL, 1);
		ck_assert_int_eq(ssm_dispatch(ss, &m, record_state, &s),
				 SSM_OK);
		ck_assert_int_eq(s.st[0], side ? SS_EARLY : SS_INITIAL);
		fx_send(ss, SSM_OUT, "INVITE", 100, NULL, 1);
		ck_assert_int_eq(fx_state(ss), side ? SS_EARLY : SS_INITIAL);
	}
}
END_TEST

START_TEST(test_uas_1xx_early_2xx_confirmed)
{
	struct ss *ss = uas_invite();
	const char *l, *r;

	fx_send(ss, SSM_OUT, "INVITE", 180, "T1", 1);
	ck_assert_int_eq(fx_state(ss), SS_EARLY);       /* SS-STATE-21 */
	ck_assert_int_eq(ss_tags(ss, &l, &r), SSM_OK);
	ck_assert_str_eq(l, "T1");
	ck_assert_str_eq(r, "ft");
	fx_send(ss, SSM_OUT, "INVITE", 200, "T1", 1);
	ck_assert_int_eq(fx_state(ss), SS_CONFIRMED);   /* before ACK */
	fx_send(ss, SSM_IN, "ACK", 0, "T1", 1);
	ck_assert_int_eq(fx_state(ss), SS_CONFIRMED);
}
END_TEST

START_TEST(test_uas_2xx_from_initial)
{
	struct ss *ss = uas_invite();

	fx_send(ss, SSM_OUT, "INVITE", 200, "T1", 1);
	ck_assert_int_eq(fx_state(ss), SS_CONFIRMED);
}
END_TEST

START_TEST(test_uas_non2xx_terminates)
{
	struct ss *ss = uas_invite();

	mem_ref(ss);
	fx_send(ss, SSM_OUT, "INVITE", 180, "T1", 1);
	fx_send(ss, SSM_OUT, "INVITE", 486, "T1", 1);
	ck_assert_ptr_nonnull(strstr(fx.trace, ":EARLY>TERMINATED"));
	ck_assert_ptr_nonnull(strstr(fx.log, "ss_ready:TERMINATED"));
	ck_assert(!ss_is_valid(ss));
	mem_deref(ss);
}
END_TEST

START_TEST(test_uas_cancel_terminates)
{
	struct ss *ss = uas_invite();

	fx_keep(ss);
	fx_send(ss, SSM_OUT, "INVITE", 180, "T1", 1);
	fx_send(ss, SSM_IN, "CANCEL", 0, NULL, 1);
	ck_assert_int_eq(fx_state(ss), SS_EARLY);
	fx_send(ss, SSM_OUT, "CANCEL", 200, "T1", 1);
	fx_send(ss, SSM_OUT, "INVITE", 487, "T1", 1);
	ck_assert_int_eq(fx_state(ss), SS_TERMINATED);
	ck_assert_uint_eq(ss_pending(ss), 0);
}
END_TEST

START_TEST(test_uas_bye_received)
{
	struct ss *ss = uas_invite();
	struct seen s = {0};
	struct ssm_msg m;

	fx_send(ss, SSM_OUT, "INVITE", 200, "T1", 1);
	fx_send(ss, SSM_IN, "ACK", 0, "T1", 1);
	m = fx_msg(SSM_IN, "BYE", 0, "c1", "ft", "T1", 2);
	ck_assert_int_eq(ssm_dispatch(ss, &m, record_state, &s), SSM_OK);
	ck_assert_int_eq(s.st[0], SS_CONFIRMED);        /* inside doBye */
	mem_ref(ss);
	fx_send(ss, SSM_OUT, "BYE", 200, "T1", 2);
	ck_assert(!ss_is_valid(ss));
	ck_assert_ptr_nonnull(strstr(fx.trace, ":CONFIRMED>TERMINATED"));
	mem_deref(ss);
}
END_TEST

START_TEST(test_uas_no_bye_in_early)
{
	struct ss *ss = uas_invite();
	struct ss_req r;

	fx_send(ss, SSM_OUT, "INVITE", 183, "T1", 1);
	ck_assert_int_eq(ss_create_request(ss, "BYE", &r), SSM_ISE);
	ck_assert_int_eq(ss_create_request(ss, "INFO", &r), SSM_OK);
	ck_assert_str_eq(r.from_tag, "T1");
	ck_assert_str_eq(r.to_tag, "ft");
}
END_TEST

/* CF-25: the other side creates the BYE; RFC 3261 15 still forbids the
 * application to send it. */
START_TEST(test_uas_early_bye_cf25)
{
	struct ssm_opts o;
	struct ss *ss;
	struct ss_req r;

	ssm_opts_default(&o);
	o.cf25_uas_early_bye_created = 1;
	fx_model(&o, SSM_V11);
	ss = uas_invite();
	fx_send(ss, SSM_OUT, "INVITE", 183, "T1", 1);
	ck_assert_int_eq(ss_create_request(ss, "BYE", &r), SSM_OK);
	ck_assert_str_eq(r.from_tag, "T1");
}
END_TEST

START_TEST(test_proxy_follows_dialog)
{
	struct ss *ss = fx_session(SS_ROLE_PROXY, "INVITE");
	struct seen s = {0};
	struct ssm_msg m;

	ck_assert_int_eq(ss_set_proxy(ss, true), SSM_OK);
	m = fx_msg(SSM_IN, "INVITE", 0, "c1", "ft", NULL, 1);
	ck_assert_int_eq(ssm_dispatch(ss, &m, record_state, &s), SSM_OK);
	fx_send(ss, SSM_OUT, "INVITE", 0, NULL, 1);
	fx_send(ss, SSM_IN, "INVITE", 100, NULL, 1);
	ck_assert_int_eq(fx_state(ss), SS_INITIAL);
	fx_send(ss, SSM_IN, "INVITE", 180, "B", 1);
	ck_assert_int_eq(fx_state(ss), SS_EARLY);
	fx_send(ss, SSM_OUT, "INVITE", 180, "B", 1);
	fx_send(ss, SSM_IN, "INVITE", 200, "B", 1);
	ck_assert_int_eq(fx_state(ss), SS_CONFIRMED);
	fx_send(ss, SSM_OUT, "INVITE", 200, "B", 1);
	m = fx_msg(SSM_IN, "ACK", 0, "c1", "ft", "B", 1);
	ck_assert_int_eq(ssm_dispatch(ss, &m, record_state, &s), SSM_OK);
	ck_assert_int_eq(s.st[0], SS_INITIAL);
	ck_assert_int_eq(s.st[1], SS_CONFIRMED);
	ck_assert(!fx_ready(ss));                      /* record-routing */
}
END_TEST

START_TEST(test_proxy_non2xx_back_to_initial)
{
	struct ss *ss = proxy_invite(true);

	fx_send(ss, SSM_IN, "INVITE", 180, "A", 1);
	fx_send(ss, SSM_IN, "INVITE", 486, "A", 1);
	ck_assert_int_eq(fx_state(ss), SS_INITIAL);
	ck_assert(ss_is_valid(ss));
	/* the application re-proxies: a new branch */
	fx_send(ss, SSM_OUT, "INVITE", 0, NULL, 1);
	ck_assert_ptr_eq(fx_send(ss, SSM_IN, "INVITE", 180, "B", 1), ss);
	ck_assert_int_eq(fx_state(ss), SS_EARLY);
	fx_send(ss, SSM_IN, "INVITE", 404, "B", 1);
	ck_assert_int_eq(fx_state(ss), SS_INITIAL);
	mem_ref(ss);
	fx_send(ss, SSM_OUT, "INVITE", 404, "B", 1);
	ck_assert_ptr_nonnull(strstr(fx.trace, ":INITIAL>TERMINATED"));
	ck_assert(!ss_is_valid(ss));
	mem_deref(ss);
}
END_TEST

START_TEST(test_proxy_cancel_terminates)
{
	struct ss *ss = proxy_invite(true);

	fx_keep(ss);
	fx_send(ss, SSM_IN, "INVITE", 180, "A", 1);
	fx_send(ss, SSM_IN, "CANCEL", 0, NULL, 1);
	ck_assert_int_eq(fx_state(ss), SS_TERMINATED);
	fx_send(ss, SSM_OUT, "CANCEL", 200, NULL, 1);
	fx_send(ss, SSM_IN, "INVITE", 487, "A", 1);
	fx_send(ss, SSM_OUT, "INVITE", 487, "A", 1);
	ck_assert_int_eq(fx_state(ss), SS_TERMINATED);
	ck_assert_uint_eq(ss_pending(ss), 0);
}
END_TEST

/* One message a proxy session sees, and the state after it on each side
 * of a CF option (default, set). */
struct px_step {
	enum ssm_dir dir;
	const char *method;
	int status;
	const char *ttag;
	enum ss_state st[2];
	uint32_t cseq;
};

/* Plays @seq on a record-routing proxy session with @field (a CF option
 * of struct ssm_opts) at 0 then 1, checking the state after each step;
 * both sides end ready with nothing pending. */
static void play_proxy(const struct px_step *seq, size_t n, size_t field)
{
	for (int side = 0; side < 2; side++) {
		struct ssm_opts o;
		struct ss *ss;

		ssm_opts_default(&o);
		*(int *)((char *)&o + field) = side;
		fx_model(&o, SSM_V11);
		ss = fx_session(SS_ROLE_PROXY, "INVITE");
		fx_keep(ss);
		ck_assert_int_eq(ss_set_proxy(ss, true), SSM_OK);
		for (size_t i = 0; i < n; i++) {
			fx_send(ss, seq[i].dir, seq[i].method, seq[i].status,
				seq[i].ttag, seq[i].cseq);
			ck_assert_msg(fx_state(ss) == seq[i].st[side],
				      "side %d, after %s %s %d: %s", side,
				      seq[i].dir == SSM_IN ? "in" : "out",
				      seq[i].method, seq[i].status,
				      ss_state_name(fx_state(ss)));
		}
		ck_assert_uint_eq(ss_pending(ss), 0);
		ck_assert(fx_ready(ss));
	}
}

/*
 * CF-19.  The messages a proxy session sees when the caller CANCELs a
 * ringing call, in the order the SIP layer applies them, with the state
 * after each: SS-STATE-32 by default; under CF-19 the CANCEL changes
 * nothing and the branch's 487 works as any non-2xx final (SS-STATE-31).
 * Both sides end TERMINATED once the 487 has gone upstream.
 */
START_TEST(test_proxy_cancel_cf19)
{
	static const struct px_step seq[] = {
		{SSM_IN, "INVITE", 0, NULL, {SS_INITIAL, SS_INITIAL}, 1},
		{SSM_OUT, "INVITE", 0, NULL, {SS_INITIAL, SS_INITIAL}, 1},
		{SSM_IN, "INVITE", 180, "A", {SS_EARLY, SS_EARLY}, 1},
		{SSM_OUT, "INVITE", 180, "A", {SS_EARLY, SS_EARLY}, 1},
		{SSM_IN, "CANCEL", 0, NULL, {SS_TERMINATED, SS_EARLY}, 1},
		{SSM_OUT, "CANCEL", 200, NULL, {SS_TERMINATED, SS_EARLY}, 1},
		{SSM_OUT, "CANCEL", 0, NULL, {SS_TERMINATED, SS_EARLY}, 1},
		{SSM_IN, "CANCEL", 200, NULL, {SS_TERMINATED, SS_EARLY}, 1},
		{SSM_IN, "INVITE", 487, "A", {SS_TERMINATED, SS_INITIAL}, 1},
		{SSM_OUT, "INVITE", 487, "A", {SS_TERMINATED, SS_TERMINATED}, 1},
	};

	play_proxy(seq, sizeof(seq) / sizeof(seq[0]),
		   offsetof(struct ssm_opts, cf19_cancel_follows_branches));
}
END_TEST

/*
 * CF-24.  A record-routing proxy's session through a call and its BYE:
 * by default (SS-STATE-33) the BYE's 2xx ends it once relayed; under
 * CF-24 as it arrives, before the application's doResponse (Cipango).
 */
START_TEST(test_proxy_bye_cf24)
{
	static const struct px_step seq[] = {
		{SSM_IN, "INVITE", 0, NULL, {SS_INITIAL, SS_INITIAL}, 1},
		{SSM_OUT, "INVITE", 0, NULL, {SS_INITIAL, SS_INITIAL}, 1},
		{SSM_IN, "INVITE", 200, "A", {SS_CONFIRMED, SS_CONFIRMED}, 1},
		{SSM_OUT, "INVITE", 200, "A", {SS_CONFIRMED, SS_CONFIRMED}, 1},
		{SSM_IN, "BYE", 0, "A", {SS_CONFIRMED, SS_CONFIRMED}, 2},
		{SSM_OUT, "BYE", 0, "A", {SS_CONFIRMED, SS_CONFIRMED}, 2},
		{SSM_IN, "BYE", 200, "A", {SS_CONFIRMED, SS_TERMINATED}, 2},
		{SSM_OUT, "BYE", 200, "A", {SS_TERMINATED, SS_TERMINATED}, 2},
	};

	play_proxy(seq, sizeof(seq) / sizeof(seq[0]),
		   offsetof(struct ssm_opts, cf24_proxy_bye_ends_on_receipt));
}
END_TEST

/* CF-19 with two ringing branches: A on the session, B on a derived one.
 * Under CF-19 each 487 takes its own session back to INITIAL; the final
 * forwarded upstream ends both. */
START_TEST(test_proxy_cancel_forked_cf19)
{
	for (int side = 0; side < 2; side++) {
		enum ss_state after_cancel = side ? SS_EARLY : SS_TERMINATED;
		enum ss_state after_487 = side ? SS_INITIAL : SS_TERMINATED;
		struct ssm_opts o;
		struct ss *ss, *d;

		ssm_opts_default(&o);
		o.cf19_cancel_follows_branches = side;
		fx_model(&o, SSM_V11);
		ss = proxy_invite(true);
		fx_keep(ss);
		fx_send(ss, SSM_OUT, "INVITE", 0, NULL, 1);        /* to B */
		ck_assert_ptr_eq(fx_send(ss, SSM_IN, "INVITE", 180, "A", 1),
				 ss);
		d = fx_send(ss, SSM_IN, "INVITE", 180, "B", 1);
		ck_assert_ptr_ne(d, ss);
		ck_assert_int_eq(fx_state(d), SS_EARLY);
		fx_send(ss, SSM_IN, "CANCEL", 0, NULL, 1);
		ck_assert_int_eq(fx_state(ss), after_cancel);
		ck_assert_int_eq(fx_state(d), after_cancel);
		fx_send(ss, SSM_IN, "INVITE", 487, "A", 1);
		ck_assert_int_eq(fx_state(ss), after_487);
		ck_assert_int_eq(fx_state(d), after_cancel);
		fx_send(ss, SSM_IN, "INVITE", 487, "B", 1);
		ck_assert_int_eq(fx_state(d), after_487);
		fx_send(ss, SSM_OUT, "INVITE", 487, "A", 1);
		ck_assert_int_eq(fx_state(ss), SS_TERMINATED);
		ck_assert_int_eq(fx_state(d), SS_TERMINATED);
	}
}
END_TEST

START_TEST(test_proxy_rr_bye)
{
	struct ss *ss = proxy_invite(true);

	fx_send(ss, SSM_IN, "INVITE", 200, "B", 1);
	fx_send(ss, SSM_OUT, "INVITE", 200, "B", 1);
	fx_send(ss, SSM_IN, "ACK", 0, "B", 1);
	fx_send(ss, SSM_OUT, "ACK", 0, "B", 1);
	fx_send(ss, SSM_IN, "BYE", 0, "B", 2);
	fx_send(ss, SSM_OUT, "BYE", 0, "B", 2);
	fx_send(ss, SSM_IN, "BYE", 200, "B", 2);
	ck_assert_int_eq(fx_state(ss), SS_CONFIRMED);   /* not relayed yet */
	mem_ref(ss);
	fx_send(ss, SSM_OUT, "BYE", 200, "B", 2);
	ck_assert(!ss_is_valid(ss));
	ck_assert_ptr_nonnull(strstr(fx.log, "ss_ready:TERMINATED"));
	mem_deref(ss);
}
END_TEST

const struct utest t_state[] = {
	UTEST(test_uac_initial_after_send, "SS-STATE-01 SS-STATE-10"),
	UTEST(test_uac_100_and_tagless_1xx_stay_initial, "SS-STATE-12 CF-01"),
	UTEST(test_cf01_early_on_any_1xx, "CF-01"),
	UTEST(test_uac_180_early_200_confirmed, "SS-STATE-11 SS-STATE-13"),
	UTEST(test_uac_200_from_initial, "SS-STATE-13"),
	UTEST(test_uac_407_retry_same_session,
	      "SS-STATE-14 SS-STATE-15 SS-STATE-02 SS-08"),
	UTEST(test_uac_fallback_is_ready_and_invalidated,
	      "INVAL-10 SS-STATE-14 INVAL-13"),
	UTEST(test_uac_487_after_cancel, "SS-STATE-16 CF-02"),
	UTEST(test_confirmed_ignores_later_responses,
	      "SS-STATE-17 SS-STATE-03"),
	UTEST(test_uac_bye_terminates_on_final, "SS-STATE-18"),
	UTEST(test_uac_early_bye, "SS-STATE-18 SS-STATE-26"),
	UTEST(test_terminated_is_absorbing, "SS-STATE-04 SS-06"),
	UTEST(test_get_state_after_invalidate, "SS-STATE-05 INVAL-02"),
	UTEST(test_state_applied_before_servlet, "SS-STATE-02"),
	UTEST(test_non_dialog_methods_leave_state,
	      "SS-STATE-03 SS-STATE-50"),
	UTEST(test_uas_initial_in_doinvite, "SS-STATE-20 CF-12"),
	UTEST(test_uas_1xx_early_2xx_confirmed,
	      "SS-STATE-21 SS-STATE-22 SS-04"),
	UTEST(test_uas_2xx_from_initial, "SS-STATE-22"),
	UTEST(test_uas_non2xx_terminates, "SS-STATE-23 INVAL-10"),
	UTEST(test_uas_cancel_terminates, "SS-STATE-24"),
	UTEST(test_uas_bye_received, "SS-STATE-25"),
	UTEST(test_uas_no_bye_in_early, "SS-STATE-26 SS-08"),
	UTEST(test_uas_early_bye_cf25, "CF-25 SS-STATE-26"),
	UTEST(test_proxy_follows_dialog, "SS-STATE-30 PROXY-16"),
	UTEST(test_proxy_non2xx_back_to_initial, "SS-STATE-31 PROXY-11"),
	UTEST(test_proxy_cancel_terminates, "SS-STATE-32"),
	UTEST(test_proxy_cancel_cf19, "CF-19 SS-STATE-32 SS-STATE-31"),
	UTEST(test_proxy_bye_cf24, "CF-24 SS-STATE-33"),
	UTEST(test_proxy_cancel_forked_cf19,
	      "CF-19 SS-STATE-32 SS-STATE-31 PROXY-16"),
	UTEST(test_proxy_rr_bye, "SS-STATE-33"),
	{0},
};
