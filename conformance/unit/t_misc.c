/**
 * @file conformance/unit/t_misc.c  The model's machinery: registries at
 *        scale, the timer heap, out-of-memory paths, argument errors
 */
#include <stdlib.h>
#include <time.h>
#include "unit.h"

START_TEST(test_many_sessions_found_by_dialog)
{
	enum { N = 3000 };
	static struct ss *ss[N];
	char cid[32];

	for (int i = 0; i < N; i++) {
		struct sas *sas;

		snprintf(cid, sizeof(cid), "call-%d", i);
		ck_assert_int_eq(sas_create(fx.app, &sas), SSM_OK);
		ck_assert_int_eq(ss_create(sas, SS_ROLE_UAS, "INVITE", cid,
					   "f", NULL, NULL, &ss[i]), SSM_OK);
		fx_send(ss[i], SSM_IN, "INVITE", 0, NULL, 1);
		fx_send(ss[i], SSM_OUT, "INVITE", 200, "t", 1);
	}
	ck_assert_uint_eq(ssm_count_ss(fx.m), N);
	for (int i = 0; i < N; i += 7) {
		struct ssm_msg m;

		snprintf(cid, sizeof(cid), "call-%d", i);
		m = fx_msg(SSM_IN, "BYE", 0, cid, "t", "f", 2);
		ck_assert_ptr_eq(ssm_match(fx.m, &m), ss[i]);
	}
	for (int i = 0; i < N; i++) {
		fx_send(ss[i], SSM_IN, "BYE", 0, "t", 2);
		fx_send(ss[i], SSM_OUT, "BYE", 200, "t", 2);
	}
	ck_assert_uint_eq(ssm_count_ss(fx.m), 0);
	ck_assert_uint_eq(ssm_count_sas(fx.m), 0);
}
END_TEST

START_TEST(test_timer_heap_order)
{
	enum { N = 500 };
	struct sas *sas;
	struct ssm_timer *t[N];
	uint64_t last = 0;

	ck_assert_int_eq(sas_create(fx.app, &sas), SSM_OK);
	ck_assert_int_eq(sas_set_iwr(sas, false), SSM_OK);
	srand(7);
	for (int i = 0; i < N; i++)
		ck_assert_int_eq(ssm_timer_create(sas, 1 + rand() % 10000,
						  0, false, "h", &t[i]),
				 SSM_OK);
	for (int i = 0; i < N; i += 3)
		ssm_timer_cancel(t[i]);
	while (ssm_next_timer(fx.m) &&
	       ssm_next_timer(fx.m) < fx.now + 20000) {
		uint64_t next = ssm_next_timer(fx.m);

		ck_assert(next >= last);
		last = next;
		fx.now = next;
		ssm_run_timers(fx.m);
	}
	ck_assert_int_eq(fx.timeouts, N - (N + 2) / 3);
}
END_TEST

START_TEST(test_out_of_memory_paths)
{
	/* Every allocation of a full call fails in turn: each step returns
	 * SSM_NOMEM (or succeeds) and leaves nothing behind. */
	for (int64_t n = 0; n < 60; n++) {
		struct sas *sas = NULL;
		struct ss *ss = NULL, *d = NULL;
		struct hs *hs = NULL;
		struct ssm_timer *t = NULL;
		int v = 1, err;

		mem_fail_after(n);
		err = sas_create(fx.app, &sas);
		if (!err)
			err = ss_create(sas, SS_ROLE_UAC, "INVITE", NULL, NULL,
					"sip:a@b", "sip:c@d", &ss);
		if (!err)
			err = ss_set_attr(ss, "a", &v, NULL);
		if (!err) {
			struct ssm_msg m;
			const char *cid, *l, *r;

			ss_call_id(ss, &cid);
			ss_tags(ss, &l, &r);
			m = fx_msg(SSM_OUT, "INVITE", 0, cid, l, NULL, 1);
			err = ss_on_message(ss, &m, &d);
			m = fx_msg(SSM_IN, "INVITE", 180, cid, l, "A", 1);
			if (!err)
				err = ss_on_message(ss, &m, &d);
			m.to_tag = "B";
			if (!err)
				err = ss_on_message(ss, &m, &d);
		}
		if (!err)
			err = hs_create(fx.m, 10, &hs);
		if (!err)
			err = hs_join(hs, sas);
		if (!err)
			err = ssm_timer_create(sas, 10, 0, false, NULL, &t);
		mem_fail_after(-1);
		ck_assert(err == SSM_OK || err == SSM_NOMEM);
		if (hs && hs_is_valid(hs))
			hs_invalidate(hs);
		if (sas && sas_is_valid(sas))
			sas_invalidate(sas);
		ssm_settle(fx.m);
		ck_assert_uint_eq(ssm_count_ss(fx.m), 0);
	}
}
END_TEST

/* A request seen twice is one transaction (a retransmission); a session
 * holds at most SS_MAXTX open ones and refuses the next with SSM_LIMIT,
 * its state untouched, until one of them completes. */
START_TEST(test_transactions_bounded)
{
	struct ss *ss = fx_session(SS_ROLE_UAS, "INVITE"), *t = NULL;
	const char *cid, *lt, *rt;
	struct ssm_msg m;
	uint32_t cseq;
	int rc = SSM_OK;

	fx_keep(ss);
	fx_send(ss, SSM_IN, "INVITE", 0, NULL, 1);
	fx_send(ss, SSM_IN, "INVITE", 0, NULL, 1);      /* retransmitted */
	ck_assert_int_eq(fx_state(ss), SS_INITIAL);
	fx_send(ss, SSM_OUT, "INVITE", 200, "T", 1);
	fx_send(ss, SSM_IN, "ACK", 0, "T", 1);
	ck_assert_int_eq(fx_state(ss), SS_CONFIRMED);
	ck_assert_int_eq(ss_call_id(ss, &cid), SSM_OK);
	ck_assert_int_eq(ss_tags(ss, &lt, &rt), SSM_OK);
	for (cseq = 2; cseq < 20; cseq++) {
		m = fx_msg(SSM_IN, "INFO", 0, cid, rt, "T", cseq);
		rc = ss_on_message(ss, &m, &t);
		if (rc)
			break;
	}
	fx_log("INFO %u refused: %s", cseq, ssm_strerror(rc));
	ck_assert_int_eq(rc, SSM_LIMIT);
	ck_assert_uint_eq(cseq - 2, 6);        /* SS_MAXTX INFOs open at once */
	ck_assert_int_eq(fx_state(ss), SS_CONFIRMED);
	fx_send(ss, SSM_OUT, "INFO", 200, "T", 2);      /* one completes */
	m = fx_msg(SSM_IN, "INFO", 0, cid, rt, "T", cseq);
	ck_assert_int_eq(ss_on_message(ss, &m, &t), SSM_OK);
}
END_TEST

START_TEST(test_argument_errors)
{
	struct ss *ss = fx_session(SS_ROLE_UAC, "INVITE");
	struct sas *sas;
	struct ssm_msg m = fx_msg(SSM_IN, NULL, 0, "c", "f", NULL, 1);
	struct ssm_psess ps[1];
	size_t n;

	ck_assert_int_eq(ss_app_session(ss, &sas), SSM_OK);
	ck_assert_int_eq(ss_on_message(NULL, &m, NULL), SSM_NPE);
	ck_assert_int_eq(ss_on_message(ss, NULL, NULL), SSM_NPE);
	ck_assert_int_eq(ss_on_message(ss, &m, NULL), SSM_NPE);
	ck_assert_int_eq(ssm_dispatch(NULL, &m, NULL, NULL), SSM_NPE);
	ck_assert_int_eq(ss_create(NULL, SS_ROLE_UAC, "INVITE", NULL, NULL,
				   NULL, NULL, &ss), SSM_NPE);
	ck_assert_int_eq(ss_create(sas, SS_ROLE_UAC, "BAD METHOD", NULL,
				   NULL, NULL, NULL, &ss), SSM_IAE);
	ck_assert_int_eq(ss_create(sas, SS_ROLE_UNDEF, "INVITE", NULL, NULL,
				   NULL, NULL, &ss), SSM_IAE);
	ck_assert_int_eq(sas_create(NULL, &sas), SSM_NPE);
	ck_assert_int_eq(sas_sessions(sas, true, NULL, ps, 1, NULL), SSM_NPE);
	ck_assert_int_eq(sas_invalidate(NULL), SSM_NPE);
	ck_assert_int_eq(ssm_alloc(NULL, NULL, NULL, NULL), SSM_NPE);
	ck_assert_int_eq(hs_create(NULL, 0, NULL), SSM_NPE);
	ck_assert_int_eq(ssm_sas_for_initial(NULL, &m, &sas), SSM_NPE);
	ck_assert_int_eq(sas_attr_names(sas, NULL, 0, &n), SSM_OK);
	ck_assert_str_eq(ssm_strerror(-1), "unknown error");
	ck_assert_str_eq(ssm_errname(99), "?");
	ck_assert_str_eq(ssm_strerror(SSM_IAE), "IllegalArgumentException");
	ck_assert_str_eq(ssm_strerror(SSM_NPE), "NullPointerException");
	ck_assert_ptr_null(ssm_sas_from_encoded(NULL, "x"));
	ck_assert_ptr_null(ssm_find_hs(fx.m, NULL));
	ck_assert_ptr_null(ssm_app_find(fx.m, NULL));
	ck_assert_ptr_null(sas_id(NULL));
	ck_assert(!sas_is_valid(NULL));
	ck_assert(!hs_is_valid(NULL));
	ck_assert_ptr_null(hs_id(NULL));
	ck_assert_int_eq(ss_role(NULL), SS_ROLE_UNDEF);
	ck_assert_uint_eq(ss_pending(NULL), 0);
	ck_assert_ptr_null(ss_original(NULL));
	ck_assert_int_eq(ss_initial_tx_ended(NULL), SSM_NPE);
}
END_TEST

/* A rich call: fork, subscriptions, routing, B2BUA leg, HTTP, timers. */
static int rich_call(void)
{
	struct sas *sas = NULL;
	struct ss *ss = NULL, *d = NULL, *uas = NULL, *leg = NULL;
	struct hs *hs = NULL;
	struct ssm_timer *t = NULL;
	struct ssm_msg m;
	const char *cid, *l, *r;
	int v = 1, err;

	err = sas_create(fx.app, &sas);
	if (!err)
		err = ss_create(sas, SS_ROLE_UAC, "SUBSCRIBE", NULL, NULL,
				"sip:a@b", "sip:c@d", &ss);
	if (!err)
		err = ss_set_attr(ss, "a", &v, NULL);
	if (!err)
		err = ss_set_handler(ss, "main");
	if (!err) {
		ss_call_id(ss, &cid);
		ss_tags(ss, &l, &r);
		m = fx_msg(SSM_OUT, "SUBSCRIBE", 0, cid, l, NULL, 1);
		m.event = "presence;id=7";
		err = ss_on_message(ss, &m, &d);
		m = fx_msg(SSM_IN, "SUBSCRIBE", 200, cid, l, "A", 1);
		if (!err)
			err = ss_on_message(ss, &m, &d);
		m.to_tag = "B";
		if (!err)
			err = ss_on_message(ss, &m, &d);
		m = fx_msg(SSM_IN, "NOTIFY", 0, cid, "B", l, 1);
		m.event = "presence;id=7";
		m.sub_state = "active";
		if (!err && d)
			err = ss_on_message(d, &m, NULL);
	}
	if (!err)
		err = ss_create(sas, SS_ROLE_UAS, "INVITE", "x", "f", "sip:a",
				"sip:b", &uas);
	if (!err)
		err = ss_set_routing(uas, "TERMINATING", "sip:s@x");
	if (!err) {
		m = fx_msg(SSM_IN, "INVITE", 0, "x", "f", NULL, 1);
		err = ss_on_message(uas, &m, NULL);
	}
	if (!err)
		err = ss_b2b_leg(uas, true, 70, "sip:a", "sip:b", &leg);
	if (!err) {
		ss_call_id(leg, &cid);
		ss_tags(leg, &l, &r);
		m = fx_msg(SSM_OUT, "INVITE", 0, cid, l, NULL, 1);
		err = ss_on_message(leg, &m, NULL);
		m = fx_msg(SSM_IN, "INVITE", 180, cid, l, "P", 1);
		if (!err)
			err = ss_on_message(leg, &m, NULL);
		m.to_tag = "Q";
		if (!err)
			err = ss_on_message(leg, &m, NULL);
	}
	if (!err)
		err = hs_create(fx.m, 10, &hs);
	if (!err)
		err = hs_join(hs, sas);
	if (!err)
		err = ssm_timer_create(sas, 10, 0, false, NULL, &t);
	if (hs && hs_is_valid(hs))
		hs_invalidate(hs);
	if (sas && sas_is_valid(sas))
		sas_invalidate(sas);
	return err;
}

START_TEST(test_out_of_memory_rich_call)
{
	for (int64_t n = 0; n < 160; n++) {
		int err;

		mem_fail_after(n);
		err = rich_call();
		mem_fail_after(-1);
		ck_assert(err == SSM_OK || err == SSM_NOMEM);
		ssm_settle(fx.m);
		ck_assert_uint_eq(ssm_count_ss(fx.m), 0);
		ck_assert_uint_eq(ssm_count_sas(fx.m), 0);
	}
	ck_assert_int_eq(rich_call(), SSM_OK);
}
END_TEST

START_TEST(test_null_outputs)
{
	struct ss *ss = fx_session(SS_ROLE_UAC, "INVITE");
	struct sas *sas;
	struct ssm_timer *t;
	size_t n;

	ck_assert_int_eq(ss_app_session(ss, &sas), SSM_OK);
	ck_assert_int_eq(ss_state(ss, NULL), SSM_NPE);
	ck_assert_int_eq(ss_is_ready(ss, NULL), SSM_NPE);
	ck_assert_int_eq(ss_get_iwr(ss, NULL), SSM_NPE);
	ck_assert_int_eq(ss_get_attr(ss, "a", NULL), SSM_NPE);
	ck_assert_int_eq(ss_attr_names(ss, NULL, 0, NULL), SSM_NPE);
	ck_assert_int_eq(ss_create_request(ss, "INFO", NULL), SSM_NPE);
	ck_assert_int_eq(ss_forking_context(ss, NULL, 0, NULL), SSM_NPE);
	ck_assert_int_eq(ss_forking_context(ss, NULL, 0, &n), SSM_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(ss_linked(ss, NULL), SSM_NPE);
	ck_assert_int_eq(ss_b2b_leg(ss, true, 70, NULL, NULL, NULL), SSM_NPE);
	ck_assert_int_eq(ss_b2b_subsequent(ss, ss, true, "INFO", NULL),
			 SSM_NPE);
	ck_assert_int_eq(sas_is_ready(sas, NULL), SSM_NPE);
	ck_assert_int_eq(sas_get_iwr(sas, NULL), SSM_NPE);
	ck_assert_int_eq(sas_get_attr(sas, "a", NULL), SSM_NPE);
	ck_assert_int_eq(sas_attr_names(sas, NULL, 0, NULL), SSM_NPE);
	ck_assert_int_eq(sas_timers(sas, &t, 1, NULL), SSM_NPE);
	ck_assert_int_eq(sas_by_key(fx.app, "k", true, NULL), SSM_NPE);
	ck_assert_int_eq(ssm_app_find_sas(fx.app, "x", NULL), SSM_NPE);
	ck_assert_int_eq(sas_create(fx.app, NULL), SSM_NPE);
	ck_assert_int_eq(sas_get_session(sas, "x", "SIP", NULL, NULL),
			 SSM_NPE);
	ck_assert_int_eq(ss_set_iwr(NULL, true), SSM_NPE);
	ck_assert_int_eq(sas_set_iwr(NULL, true), SSM_NPE);
	ck_assert_int_eq(sas_is_ready(NULL, NULL), SSM_NPE);
	ck_assert_int_eq(ss_link(ss, NULL), SSM_NPE);
	ck_assert_int_eq(ss_linked(NULL, NULL), SSM_NPE);
	ck_assert_int_eq(hs_join(NULL, sas), SSM_NPE);
	ck_assert_int_eq(hs_app_session(NULL, fx.app, &sas), SSM_NPE);
	ck_assert_int_eq(sas_encode_uri(sas, NULL, NULL, 0), SSM_NPE);
}
END_TEST

START_TEST(test_event_keys)
{
	struct ss *ss = fx_session(SS_ROLE_UAC, "SUBSCRIBE");
	char ev[200];

	fx_keep(ss);
	memset(ev, 'e', sizeof(ev) - 1);
	ev[sizeof(ev) - 1] = '\0';
	fx_send_ev(ss, SSM_OUT, "SUBSCRIBE", 0, NULL, 1, "dialog;id=1");
	fx_send(ss, SSM_IN, "SUBSCRIBE", 200, "N", 1);
	fx_notify(ss, SSM_IN, ev, "active", 1);       /* a long package */
	fx_notify(ss, SSM_IN, "Dialog;id=1", "active", 2);
	fx_notify(ss, SSM_IN, ev, "terminated", 3);
	ck_assert_int_eq(fx_state(ss), SS_CONFIRMED);
	fx_notify(ss, SSM_IN, "dialog;id=1", "terminated", 4);
	ck_assert_int_eq(fx_state(ss), SS_TERMINATED);
}
END_TEST

START_TEST(test_real_clock)
{
	struct ssm *m;
	struct sas *sas;
	struct ssm_app *app;
	uint64_t now = (uint64_t)time(NULL) * 1000, c;
	bool iwr;

	ck_assert_int_eq(ssm_alloc(&m, NULL, NULL, NULL), SSM_OK);
	ck_assert(ssm_now(m) + 2000 >= now && ssm_now(m) <= now + 2000);
	ck_assert_int_eq(ssm_app_add(m, "rt", SSM_V11, 1, NULL, NULL, &app),
			 SSM_OK);
	ck_assert_int_eq(sas_create(app, &sas), SSM_OK);
	ck_assert_int_eq(sas_creation_time(sas, &c), SSM_OK);
	ck_assert(c + 2000 >= now);
	ck_assert_int_eq(sas_set_iwr(sas, false), SSM_OK);
	ck_assert_int_eq(sas_set_iwr(sas, true), SSM_OK);
	ck_assert_int_eq(sas_get_iwr(sas, &iwr), SSM_OK);
	ck_assert(iwr);
	mem_ref(sas);
	ssm_settle(m);
	ck_assert(!sas_is_valid(sas));     /* empty and ready: gone */
	mem_deref(sas);
	ssm_shutdown(m);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(ss_state_name(SS_INITIAL), "INITIAL");
	ck_assert_str_eq(ss_state_name(SS_EARLY), "EARLY");
	ck_assert_str_eq(ss_state_name(SS_CONFIRMED), "CONFIRMED");
	ck_assert_str_eq(ss_state_name(SS_TERMINATED), "TERMINATED");
	ck_assert_str_eq(ss_state_name((enum ss_state)9), "?");
	ck_assert_str_eq(ss_role_name(SS_ROLE_UAC), "UAC");
	ck_assert_str_eq(ss_role_name(SS_ROLE_UAS), "UAS");
	ck_assert_str_eq(ss_role_name(SS_ROLE_UNDEF), "UNDEF");
	ck_assert_str_eq(ss_role_name((enum ss_role)9), "?");
	ck_assert_str_eq(ssm_ev_name(SSM_EV_STATE), "state");
	ck_assert_str_eq(ssm_ev_name(SSM_EV_MAX), "?");
}
END_TEST

START_TEST(test_options_table)
{
	struct ssm_opts o;

	ssm_opts_default(&o);
	/* the recommended defaults of section 14 */
	ck_assert_int_eq(o.cf01_early_on_any_1xx, 0);
	ck_assert_int_eq(o.cf03_nonrr_proxy_ready_on_confirmed, 1);
	ck_assert_int_eq(o.cf04_nondialog_ready, 1);
	ck_assert_int_eq(o.cf09_supervised_default, 1);
	ck_assert_int_eq(o.cf10_refer_creates_dialog, 1);
	ck_assert_int_eq(o.cf15_http_ready, 0);
	/* sstck-ref's position before they were options */
	ck_assert_int_eq(o.cf18_timeout_cancels, 0);
	ck_assert_int_eq(o.cf19_cancel_follows_branches, 0);
	ck_assert_int_eq(o.cf20_notify_ends_on_response, 0);
	ck_assert_int_eq(ssm_opts(fx.m)->cf05_strict_invalidate, 0);
}
END_TEST

START_TEST(test_shutdown_with_live_sessions)
{
	struct ss *ss = fx_session(SS_ROLE_UAS, "INVITE");
	struct hs *hs;

	fx_send(ss, SSM_IN, "INVITE", 0, NULL, 1);
	fx_send(ss, SSM_OUT, "INVITE", 200, "t", 1);
	ck_assert_int_eq(hs_create(fx.m, 30, &hs), SSM_OK);
	/* teardown shuts the model down and checks that nothing leaks */
}
END_TEST

START_TEST(test_mem_layer)
{
	struct mem_stats a, b;
	char *s;

	mem_stats_get(&a);
	s = mem_strdup("abc");
	ck_assert_str_eq(s, "abc");
	ck_assert_uint_eq(mem_nrefs(s), 1);
	mem_ref(s);
	ck_assert_uint_eq(mem_nrefs(s), 2);
	ck_assert_ptr_null(mem_deref(s));
	mem_stats_get(&b);
	ck_assert_uint_eq(b.blocks, a.blocks + 1);
	ck_assert_ptr_null(mem_deref(s));
	ck_assert_ptr_null(mem_deref(NULL));
	ck_assert_ptr_null(mem_strdup(NULL));
	ck_assert_uint_eq(mem_nrefs(NULL), 0);
	mem_stats_reset_peak();
	mem_stats_get(&b);
	ck_assert_uint_eq(b.peak_bytes, b.bytes);
	ck_assert_uint_eq(b.blocks, a.blocks);
	ck_assert_uint_eq(mem_header_size() % 16, 0);
	ck_assert_ptr_null(mem_zalloc((size_t)-1, NULL));
	/* issue budget: a SipSession record takes at most 512 bytes */
	ck_assert_uint_le(ss_record_size() + mem_header_size(), 512);
}
END_TEST

const struct utest t_misc[] = {
	UTEST(test_many_sessions_found_by_dialog, "SS-STATE-25 OWN-02"),
	UTEST(test_timer_heap_order, "TIMER-04"),
	UTEST(test_out_of_memory_paths, ""),
	UTEST(test_argument_errors, ""),
	UTEST(test_transactions_bounded, "SS-STATE-02"),
	UTEST(test_out_of_memory_rich_call, ""),
	UTEST(test_null_outputs, "OWN-07 SAS-02 SS-02"),
	UTEST(test_event_keys, "SS-STATE-41"),
	UTEST(test_real_clock, "INVAL-12 SAS-04"),
	UTEST(test_names, ""),
	UTEST(test_options_table, "CF-01 CF-03 CF-04 CF-05 CF-09 CF-10 CF-15 "
	      "CF-18 CF-19 CF-20"),
	UTEST(test_shutdown_with_live_sessions, ""),
	UTEST(test_mem_layer, ""),
	{0},
};
