/**
 * @file conformance/unit/t_inval.c  Invalidation, readiness, listeners
 *                                   (section 7, VER-04, VER-06)
 */
#include "unit.h"

static struct ss *confirmed_uas(void)
{
	struct ss *ss = fx_session(SS_ROLE_UAS, "INVITE");

	fx_send(ss, SSM_IN, "INVITE", 0, NULL, 1);
	fx_send(ss, SSM_OUT, "INVITE", 200, "T", 1);
	fx_send(ss, SSM_IN, "ACK", 0, "T", 1);
	return ss;
}

START_TEST(test_ss_invalidate_twice)
{
	struct ss *ss = confirmed_uas();

	mem_ref(ss);
	fx.log[0] = '\0';
	ck_assert_int_eq(ss_invalidate(ss), SSM_OK);
	ck_assert_ptr_nonnull(strstr(fx.log, "ss_destroyed"));
	ck_assert_int_eq(ss_invalidate(ss), SSM_ISE);
	ck_assert_int_eq(ss_invalidate(NULL), SSM_NPE);
	mem_deref(ss);
}
END_TEST

START_TEST(test_use_after_invalidation)
{
	struct ss *ss = confirmed_uas();
	struct ss_req r;
	enum ss_state st;
	bool b;
	int v = 1;
	void *got;
	uint64_t t;
	const char *s;

	mem_ref(ss);
	ck_assert_int_eq(ss_invalidate(ss), SSM_OK);
	ck_assert(!ss_is_valid(ss));
	ck_assert_int_eq(ss_create_request(ss, "INFO", &r), SSM_ISE);
	ck_assert_int_eq(ss_state(ss, &st), SSM_ISE);
	ck_assert_int_eq(ss_is_ready(ss, &b), SSM_ISE);
	ck_assert_int_eq(ss_get_iwr(ss, &b), SSM_ISE);
	ck_assert_int_eq(ss_set_iwr(ss, true), SSM_ISE);
	ck_assert_int_eq(ss_set_attr(ss, "a", &v, NULL), SSM_ISE);
	ck_assert_int_eq(ss_get_attr(ss, "a", &got), SSM_ISE);
	ck_assert_int_eq(ss_set_handler(ss, "main"), SSM_ISE);
	ck_assert_int_eq(ss_creation_time(ss, &t), SSM_ISE);
	ck_assert_int_eq(ss_call_id(ss, &s), SSM_ISE);
	ck_assert_str_eq(ss_id(ss), ss_id(ss));
	mem_deref(ss);
}
END_TEST

START_TEST(test_sas_invalidate_cascades)
{
	struct ss *ss = fx_session(SS_ROLE_UAC, "INVITE"), *d, *leg;
	struct sas *sas;
	struct hs *hs;
	struct ssm_timer *t;

	ck_assert_int_eq(ss_app_session(ss, &sas), SSM_OK);
	fx_send(ss, SSM_OUT, "INVITE", 0, NULL, 1);
	fx_send(ss, SSM_IN, "INVITE", 180, "A", 1);
	d = fx_send(ss, SSM_IN, "INVITE", 180, "B", 1);
	ck_assert_int_eq(ss_b2b_leg(ss, false, 70, NULL, NULL, &leg), SSM_OK);
	ck_assert_int_eq(hs_create(fx.m, 0, &hs), SSM_OK);
	ck_assert_int_eq(hs_join(hs, sas), SSM_OK);
	ck_assert_int_eq(ssm_timer_create(sas, 60000, 0, false, "t", &t),
			 SSM_OK);
	mem_ref(ss);
	mem_ref(d);
	mem_ref(hs);
	mem_ref(t);
	mem_ref(sas);
	fx.log[0] = '\0';
	ck_assert_int_eq(sas_invalidate(sas), SSM_OK);
	ck_assert(!ss_is_valid(ss));
	ck_assert(!ss_is_valid(d));
	ck_assert(!hs_is_valid(hs));
	ck_assert(!ssm_timer_active(t));
	ck_assert(!sas_is_valid(sas));
	/* children first, then the SAS's listener */
	ck_assert_str_eq(fx.log, "ss_destroyed ss_destroyed ss_destroyed "
			 "sas_destroyed ");
	ck_assert_int_eq(sas_invalidate(sas), SSM_ISE);
	ck_assert_uint_eq(ssm_next_timer(fx.m), 0);   /* no expiry left */
	fx_advance(120000);
	ck_assert_int_eq(fx.timeouts, 0);
	mem_deref(sas);
	mem_deref(t);
	mem_deref(hs);
	mem_deref(d);
	mem_deref(ss);
}
END_TEST

START_TEST(test_sas_invalidate_all_or_nothing)
{
	struct ssm_opts o;
	struct ss *a, *b;
	struct sas *sas;

	ssm_opts_default(&o);
	o.cf05_strict_invalidate = 1;
	fx_model(&o, SSM_V11);
	a = confirmed_uas();
	ck_assert_int_eq(ss_app_session(a, &sas), SSM_OK);
	ck_assert_int_eq(ss_create(sas, SS_ROLE_UAC, "MESSAGE", NULL, NULL,
				   NULL, NULL, &b), SSM_OK);
	ck_assert_int_eq(sas_invalidate(sas), SSM_ISE);
	ck_assert(sas_is_valid(sas));
	ck_assert(ss_is_valid(a));
	ck_assert(ss_is_valid(b));
	ck_assert_ptr_null(strstr(fx.log, "destroyed"));
}
END_TEST

START_TEST(test_invalidate_in_any_state)
{
	for (int side = 0; side < 2; side++) {
		struct ssm_opts o;
		struct ss *ss, *early;

		ssm_opts_default(&o);
		o.cf05_strict_invalidate = side;
		fx_model(&o, SSM_V11);
		ss = confirmed_uas();
		ck_assert_int_eq(ss_invalidate(ss), side ? SSM_ISE : SSM_OK);
		early = fx_session(SS_ROLE_UAC, "INVITE");
		fx_keep(early);
		fx_send(early, SSM_OUT, "INVITE", 0, NULL, 1);
		ck_assert_int_eq(ss_invalidate(early),      /* pending tx */
				 side ? SSM_ISE : SSM_OK);
	}
}
END_TEST

START_TEST(test_container_invalidation_paths)
{
	struct ss *ss = fx_session(SS_ROLE_UAS, "MESSAGE");
	struct sas *sas;

	/* iwr: ready then invalidated by the container */
	mem_ref(ss);
	fx_send(ss, SSM_IN, "MESSAGE", 0, NULL, 1);
	fx_send(ss, SSM_OUT, "MESSAGE", 200, "x", 1);
	ck_assert(!ss_is_valid(ss));
	mem_deref(ss);
	/* expiry of the SAS */
	ss = fx_session(SS_ROLE_UAS, "INVITE");
	ck_assert_int_eq(ss_app_session(ss, &sas), SSM_OK);
	mem_ref(ss);
	fx_advance(3 * 60000);
	ck_assert(!ss_is_valid(ss));
	mem_deref(ss);
}
END_TEST

START_TEST(test_ready_conditions)
{
	struct ss *t = confirmed_uas();
	struct ss *uac = fx_session(SS_ROLE_UAC, "INVITE");

	ck_assert(!fx_ready(t));                           /* CONFIRMED */
	fx_keep(t);
	fx_send(t, SSM_IN, "BYE", 0, "T", 2);
	ck_assert(!fx_ready(t));                           /* in doBye */
	fx_send(t, SSM_OUT, "BYE", 200, "T", 2);
	ck_assert(fx_ready(t));                            /* (a) */
	fx_keep(uac);
	fx_send(uac, SSM_OUT, "INVITE", 0, NULL, 1);
	ck_assert(!fx_ready(uac));                         /* INVITE pending */
	fx_send(uac, SSM_IN, "INVITE", 183, "A", 1);
	ck_assert(!fx_ready(uac));
	fx_send(uac, SSM_IN, "INVITE", 503, "A", 1);
	ck_assert(fx_ready(uac));                          /* (c) */
}
END_TEST

START_TEST(test_nonrr_proxy_ready_on_confirmed)
{
	for (int side = 0; side < 2; side++) {
		struct ssm_opts o;
		struct ss *p;

		ssm_opts_default(&o);
		o.cf03_nonrr_proxy_ready_on_confirmed = !side;
		fx_model(&o, SSM_V11);
		p = fx_session(SS_ROLE_PROXY, "INVITE");
		fx_keep(p);
		ck_assert_int_eq(ss_set_proxy(p, false), SSM_OK);
		fx_send(p, SSM_IN, "INVITE", 0, NULL, 1);
		fx_send(p, SSM_IN, "INVITE", 200, "B", 1);
		ck_assert(!fx_ready(p));        /* server tx still pending */
		fx_send(p, SSM_OUT, "INVITE", 200, "B", 1);
		ck_assert_int_eq(fx_state(p), SS_CONFIRMED);
		ck_assert(fx_ready(p) == !side);
	}
}
END_TEST

START_TEST(test_nondialog_readiness_option)
{
	for (int side = 0; side < 2; side++) {
		struct ssm_opts o;
		struct ss *ss;

		ssm_opts_default(&o);
		o.cf04_nondialog_ready = !side;
		fx_model(&o, SSM_V11);
		ss = fx_session(SS_ROLE_UAC, "MESSAGE");
		fx_keep(ss);
		ck_assert(!fx_ready(ss));                   /* never used */
		fx_send(ss, SSM_OUT, "MESSAGE", 0, NULL, 1);
		ck_assert(!fx_ready(ss));
		fx_send(ss, SSM_IN, "MESSAGE", 202, "x", 1);
		ck_assert(fx_ready(ss) == !side);
	}
}
END_TEST

START_TEST(test_sas_readiness)
{
	struct sas *sas;
	struct ss *ss;
	struct ssm_timer *t;
	bool r;

	ck_assert_int_eq(sas_create(fx.app, &sas), SSM_OK);
	ck_assert_int_eq(sas_set_iwr(sas, false), SSM_OK);
	ck_assert_int_eq(sas_is_ready(sas, &r), SSM_OK);
	ck_assert(r);                                  /* brand new */
	ck_assert_int_eq(ss_create(sas, SS_ROLE_UAS, "INVITE", "c", "f",
				   NULL, NULL, &ss), SSM_OK);
	ck_assert_int_eq(ss_set_iwr(ss, false), SSM_OK);
	fx_send(ss, SSM_IN, "INVITE", 0, NULL, 1);
	ck_assert_int_eq(sas_is_ready(sas, &r), SSM_OK);
	ck_assert(!r);
	fx_send(ss, SSM_OUT, "INVITE", 603, "x", 1);
	ck_assert_int_eq(sas_is_ready(sas, &r), SSM_OK);
	ck_assert(r);                          /* all children ready */
	ck_assert_int_eq(ssm_timer_create(sas, 1000, 0, false, "t", &t),
			 SSM_OK);
	ck_assert_int_eq(sas_is_ready(sas, &r), SSM_OK);
	ck_assert(!r);                         /* an active timer */
	ssm_timer_cancel(t);
	ck_assert_int_eq(sas_is_ready(sas, &r), SSM_OK);
	ck_assert(r);
}
END_TEST

START_TEST(test_sas_readiness_http)
{
	for (int mode = 0; mode < 3; mode++) {
		struct ssm_opts o;
		struct sas *sas;
		struct hs *hs;
		bool r;

		ssm_opts_default(&o);
		o.cf15_http_ready = mode;
		fx_model(&o, SSM_V11);
		ck_assert_int_eq(sas_create(fx.app, &sas), SSM_OK);
		ck_assert_int_eq(sas_set_iwr(sas, false), SSM_OK);
		ck_assert_int_eq(hs_create(fx.m, 0, &hs), SSM_OK);
		ck_assert_int_eq(hs_join(hs, sas), SSM_OK);
		ck_assert_int_eq(sas_is_ready(sas, &r), SSM_OK);
		ck_assert(r == (mode == 2));
		ck_assert_int_eq(hs_invalidate(hs), SSM_OK);
		ck_assert_int_eq(sas_is_ready(sas, &r), SSM_OK);
		ck_assert(r == (mode != 1));
	}
}
END_TEST

START_TEST(test_ready_callback_can_keep_session)
{
	struct ss *ss = fx_session(SS_ROLE_UAS, "INVITE");
	struct sas *sas;

	ck_assert_int_eq(ss_app_session(ss, &sas), SSM_OK);
	ck_assert_int_eq(sas_set_iwr(sas, false), SSM_OK);
	fx.ready_action = 1;                 /* clears the flag */
	fx_send(ss, SSM_IN, "INVITE", 0, NULL, 1);
	fx_send(ss, SSM_OUT, "INVITE", 486, "x", 1);
	ck_assert(ss_is_valid(ss));
	ck_assert_ptr_nonnull(strstr(fx.log, "ss_ready:TERMINATED"));
	ck_assert_ptr_null(strstr(fx.log, "ss_destroyed"));
}
END_TEST

START_TEST(test_ready_callback_invalidates_itself)
{
	struct ss *ss = fx_session(SS_ROLE_UAS, "INVITE");

	fx.ready_action = 2;
	mem_ref(ss);
	fx_send(ss, SSM_IN, "INVITE", 0, NULL, 1);
	fx_send(ss, SSM_OUT, "INVITE", 486, "x", 1);
	ck_assert(!ss_is_valid(ss));
	ck_assert_str_eq(fx.log, "sas_created ss_created ss_ready:TERMINATED "
			 "ss_destroyed sas_ready sas_destroyed ");
	mem_deref(ss);
}
END_TEST

START_TEST(test_flag_false_not_watched)
{
	struct ss *ss = fx_session(SS_ROLE_UAS, "INVITE");
	bool iwr;

	fx_keep(ss);
	ck_assert_int_eq(ss_get_iwr(ss, &iwr), SSM_OK);
	ck_assert(!iwr);
	fx_send(ss, SSM_IN, "INVITE", 0, NULL, 1);
	fx_send(ss, SSM_OUT, "INVITE", 486, "x", 1);
	ck_assert(ss_is_valid(ss));
	ck_assert_ptr_null(strstr(fx.log, "ss_ready"));
	ck_assert_ptr_nonnull(strstr(fx.trace, "ss-ready"));  /* traced */
	/* turning it on later lets the container invalidate it */
	mem_ref(ss);
	ck_assert_int_eq(ss_set_iwr(ss, true), SSM_OK);
	ssm_settle(fx.m);
	ck_assert(!ss_is_valid(ss));
	mem_deref(ss);
}
END_TEST

START_TEST(test_finished_call_order)
{
	struct ss *ss = confirmed_uas();

	fx.log[0] = '\0';
	fx_send(ss, SSM_IN, "BYE", 0, "T", 2);
	ck_assert_str_eq(fx.log, "");
	fx_send(ss, SSM_OUT, "BYE", 200, "T", 2);
	ck_assert_str_eq(fx.log, "ss_ready:TERMINATED ss_destroyed "
			 "sas_ready sas_destroyed ");
	ck_assert_uint_eq(ssm_count_sas(fx.m), 0);
}
END_TEST

START_TEST(test_flags_throw_when_invalid)
{
	struct sas *sas;
	struct ss *ss = fx_session(SS_ROLE_UAC, "INVITE");
	bool b;

	ck_assert_int_eq(ss_app_session(ss, &sas), SSM_OK);
	ck_assert_int_eq(sas_get_iwr(sas, &b), SSM_OK);
	ck_assert(b);
	mem_ref(ss);
	mem_ref(sas);
	ck_assert_int_eq(sas_invalidate(sas), SSM_OK);
	ck_assert_int_eq(ss_is_ready(ss, &b), SSM_ISE);
	ck_assert_int_eq(ss_get_iwr(ss, &b), SSM_ISE);
	ck_assert_int_eq(ss_set_iwr(ss, false), SSM_ISE);
	ck_assert_int_eq(sas_is_ready(sas, &b), SSM_ISE);
	ck_assert_int_eq(sas_get_iwr(sas, &b), SSM_ISE);
	ck_assert_int_eq(sas_set_iwr(sas, false), SSM_ISE);
	mem_deref(sas);
	mem_deref(ss);
}
END_TEST

START_TEST(test_listener_catalogue)
{
	struct ss *ss = fx_session(SS_ROLE_UAS, "INVITE");

	fx_send(ss, SSM_IN, "INVITE", 0, NULL, 1);
	fx_advance(3 * 60000);
	ck_assert_str_eq(fx.log, "sas_created ss_created sas_expired:MIN "
			 "ss_destroyed sas_destroyed ");
}
END_TEST

START_TEST(test_default_flag_by_version)
{
	static const enum ssm_version v[] = {SSM_V10, SSM_V11, SSM_V20};

	for (int i = 0; i < 3; i++) {
		struct ss *ss;
		struct sas *sas;
		bool a, b;

		fx_model(NULL, v[i]);
		ss = fx_session(SS_ROLE_UAS, "MESSAGE");
		ck_assert_int_eq(ss_app_session(ss, &sas), SSM_OK);
		ck_assert_int_eq(ss_get_iwr(ss, &a), SSM_OK);
		ck_assert_int_eq(sas_get_iwr(sas, &b), SSM_OK);
		ck_assert(a == (v[i] != SSM_V10));
		ck_assert(b == (v[i] != SSM_V10));
		/* a 1.0 application keeps the finished session */
		mem_ref(ss);
		fx_send(ss, SSM_IN, "MESSAGE", 0, NULL, 1);
		fx_send(ss, SSM_OUT, "MESSAGE", 200, "x", 1);
		ck_assert(ss_is_valid(ss) == (v[i] == SSM_V10));
		mem_deref(ss);
	}
}
END_TEST

const struct utest t_inval[] = {
	UTEST(test_ss_invalidate_twice, "INVAL-01"),
	UTEST(test_use_after_invalidation, "INVAL-02 SS-STATE-05"),
	UTEST(test_sas_invalidate_cascades, "INVAL-03 TIMER-06 HTTP-04"),
	UTEST(test_sas_invalidate_all_or_nothing, "INVAL-04 CF-05"),
	UTEST(test_invalidate_in_any_state, "VER-06 CF-05"),
	UTEST(test_container_invalidation_paths, "INVAL-05 EXP-06"),
	UTEST(test_ready_conditions, "INVAL-10 INVAL-11 SS-STATE-15"),
	UTEST(test_nonrr_proxy_ready_on_confirmed,
	      "INVAL-10 CF-03 PROXY-16"),
	UTEST(test_nondialog_readiness_option, "CF-04 SS-STATE-53"),
	UTEST(test_sas_readiness, "INVAL-12 TIMER-06"),
	UTEST(test_sas_readiness_http, "INVAL-12 CF-15"),
	UTEST(test_ready_callback_can_keep_session, "INVAL-13"),
	UTEST(test_ready_callback_invalidates_itself, "INVAL-13"),
	UTEST(test_flag_false_not_watched, "INVAL-13"),
	UTEST(test_finished_call_order, "INVAL-14 SS-STATE-25"),
	UTEST(test_flags_throw_when_invalid, "INVAL-15"),
	UTEST(test_listener_catalogue, "INVAL-16 EXP-03"),
	UTEST(test_default_flag_by_version, "VER-04"),
	{0},
};
