/**
 * @file conformance/unit/t_time.c  Expiry and ServletTimers (section 8),
 *                                  on the fake clock: no test sleeps
 */
#include <limits.h>
#include "unit.h"

#define MIN 60000ull

static struct sas *sas_with_call(struct ss **ssp)
{
	struct ss *ss = fx_session(SS_ROLE_UAS, "INVITE");
	struct sas *sas;

	fx_send(ss, SSM_IN, "INVITE", 0, NULL, 1);
	ck_assert_int_eq(ss_app_session(ss, &sas), SSM_OK);
	if (ssp)
		*ssp = ss;
	return sas;
}

START_TEST(test_default_lifetime_three_minutes)
{
	struct sas *sas = sas_with_call(NULL);
	int64_t e;

	ck_assert_int_eq(sas_expiration_time(sas, &e), SSM_OK);
	ck_assert_int_eq(e, 1000000 + 3 * MIN);
	mem_ref(sas);
	fx_advance(3 * MIN - 1);
	ck_assert(sas_is_valid(sas));
	fx_advance(1);
	ck_assert(!sas_is_valid(sas));
	mem_deref(sas);
}
END_TEST

START_TEST(test_timeout_zero_never_expires)
{
	struct ssm_app *app;
	struct sas *sas;
	int64_t e;

	ck_assert_int_eq(ssm_app_add(fx.m, "forever", SSM_V11, 0, NULL, NULL,
				     &app), SSM_OK);
	ck_assert_int_eq(sas_create(app, &sas), SSM_OK);
	ck_assert_int_eq(sas_set_iwr(sas, false), SSM_OK);
	ck_assert_int_eq(sas_expiration_time(sas, &e), SSM_OK);
	ck_assert_int_eq(e, 0);
	fx_advance(1000 * MIN);
	ck_assert(sas_is_valid(sas));
}
END_TEST

START_TEST(test_expiry_restarts_on_access)
{
	for (int side = 0; side < 2; side++) {
		struct ssm_opts o;
		struct ss *ss;
		struct sas *sas;
		int64_t e, base = (int64_t)fx.now;

		ssm_opts_default(&o);
		o.cf08_expiry_from_creation = side;
		fx_model(&o, SSM_V11);
		sas = sas_with_call(&ss);
		fx.now += 2 * MIN;
		fx_send(ss, SSM_OUT, "INVITE", 180, "t", 1);
		fx_send(ss, SSM_IN, "INFO", 0, "t", 2);
		ck_assert_int_eq(sas_expiration_time(sas, &e), SSM_OK);
		ck_assert_int_eq(e, base + (int64_t)(side ? 3 * MIN
							  : 5 * MIN));
		mem_ref(sas);
		fx_advance(2 * MIN);                /* 4 min after creation */
		ck_assert(sas_is_valid(sas) == !side);
		mem_deref(sas);
	}
}
END_TEST

START_TEST(test_expired_listener_extends)
{
	struct sas *sas = sas_with_call(NULL);

	fx.expire_extend = 2;
	fx_advance(3 * MIN);
	ck_assert(sas_is_valid(sas));
	ck_assert_ptr_nonnull(strstr(fx.log, "sas_expired:MIN"));
	mem_ref(sas);
	fx_advance(2 * MIN);
	ck_assert(!sas_is_valid(sas));
	ck_assert_ptr_nonnull(strstr(fx.log, "sas_destroyed"));
	mem_deref(sas);
}
END_TEST

START_TEST(test_set_expires)
{
	struct sas *sas = sas_with_call(NULL);
	int g;
	int64_t e;

	ck_assert_int_eq(sas_set_expires(sas, 10, &g), SSM_OK);
	ck_assert_int_eq(g, 10);
	ck_assert_int_eq(sas_expiration_time(sas, &e), SSM_OK);
	ck_assert_int_eq(e, 1000000 + 10 * MIN);
	ck_assert_int_eq(sas_set_expires(sas, 0, &g), SSM_OK);
	ck_assert_int_eq(g, INT_MAX);
	ck_assert_int_eq(sas_expiration_time(sas, &e), SSM_OK);
	ck_assert_int_eq(e, 0);
	ck_assert_int_eq(sas_set_expires(sas, 1, NULL), SSM_NPE);
}
END_TEST

START_TEST(test_set_expires_capped_or_refused)
{
	struct ssm_opts o;
	struct sas *sas;
	int g;

	ssm_opts_default(&o);
	o.expires_max_min = 5;
	fx_model(&o, SSM_V11);
	sas = sas_with_call(NULL);
	ck_assert_int_eq(sas_set_expires(sas, 60, &g), SSM_OK);
	ck_assert_int_eq(g, 5);
	ck_assert_int_eq(sas_set_expires(sas, -1, &g), SSM_OK);
	ck_assert_int_eq(g, 5);
	o.expires_max_min = -1;
	fx_model(&o, SSM_V11);
	sas = sas_with_call(NULL);
	ck_assert_int_eq(sas_set_expires(sas, 60, &g), SSM_OK);
	ck_assert_int_eq(g, 0);
}
END_TEST

START_TEST(test_expiration_time_values)
{
	struct sas *sas = sas_with_call(NULL);
	int64_t e;

	ck_assert_int_eq(sas_expiration_time(sas, &e), SSM_OK);
	ck_assert(e > 0);
	ck_assert_int_eq(sas_expiration_time(sas, NULL), SSM_NPE);
	fx_advance(3 * MIN);              /* the listener saw MIN */
	ck_assert_ptr_nonnull(strstr(fx.log, "sas_expired:MIN"));
}
END_TEST

START_TEST(test_sessions_have_no_timeout)
{
	struct ss *ss;
	struct sas *sas = sas_with_call(&ss);
	int g;

	ck_assert_int_eq(sas_set_expires(sas, 0, &g), SSM_OK);
	fx_advance(100000 * MIN);
	ck_assert(ss_is_valid(ss));
	ck_assert_uint_eq(ssm_next_timer(fx.m), 0);
}
END_TEST

START_TEST(test_one_shot_timer)
{
	struct sas *sas = sas_with_call(NULL);
	struct ssm_timer *t, *list[2];
	size_t n;

	ck_assert_int_eq(ssm_timer_create(sas, 5000, 0, false, "one", &t),
			 SSM_OK);
	ck_assert_ptr_eq(ssm_timer_sas(t), sas);
	ck_assert_str_eq((const char *)ssm_timer_info(t), "one");
	ck_assert(ssm_timer_active(t));
	ck_assert_uint_eq(ssm_timer_scheduled(t), 0);
	ck_assert_int_eq(ssm_timer_remaining(t), 5000);
	ck_assert_int_eq(sas_timers(sas, list, 2, &n), SSM_OK);
	ck_assert_uint_eq(n, 1);
	mem_ref(t);
	fx_advance(4999);
	ck_assert_int_eq(fx.timeouts, 0);
	fx_advance(1);
	ck_assert_int_eq(fx.timeouts, 1);
	ck_assert_ptr_nonnull(strstr(fx.log, "timeout:one"));
	ck_assert(!ssm_timer_active(t));
	ck_assert_uint_eq(ssm_timer_scheduled(t), 1005000);
	fx.now += 10;
	ck_assert(ssm_timer_remaining(t) < 0);
	ck_assert_int_eq(sas_timers(sas, list, 2, &n), SSM_OK);
	ck_assert_uint_eq(n, 0);
	mem_deref(t);
}
END_TEST

START_TEST(test_timer_by_id)
{
	struct sas *sas = sas_with_call(NULL);
	struct ssm_timer *t, *got;

	ck_assert_int_eq(ssm_timer_create(sas, 5000, 0, false, NULL, &t),
			 SSM_OK);
	ck_assert_int_eq(sas_get_timer(sas, ssm_timer_id(t), &got), SSM_OK);
	ck_assert_ptr_eq(got, t);
	ck_assert_int_eq(sas_get_timer(sas, "nope", &got), SSM_OK);
	ck_assert_ptr_null(got);
	ck_assert_int_eq(sas_get_timer(sas, NULL, &got), SSM_NPE);
}
END_TEST

START_TEST(test_repeating_timers)
{
	struct sas *sas = sas_with_call(NULL);
	struct ssm_timer *rate, *delay;

	ck_assert_int_eq(ssm_timer_create(sas, 1000, 1000, false, "r",
					  &rate), SSM_OK);
	ck_assert_int_eq(ssm_timer_create(sas, 1000, 1000, true, "d",
					  &delay), SSM_OK);
	fx.now += 2500;                 /* late: fixed-rate catches up */
	ssm_run_timers(fx.m);
	ck_assert_int_eq(fx.timeouts, 3);
	ck_assert_int_eq(ssm_timer_remaining(rate), 500);
	ck_assert_int_eq(ssm_timer_remaining(delay), 1000);
	mem_ref(rate);
	ssm_timer_cancel(rate);
	ssm_timer_cancel(rate);                /* idempotent */
	ck_assert(!ssm_timer_active(rate));
	mem_deref(rate);
	fx_advance(1000);
	ck_assert_int_eq(fx.timeouts, 4);
}
END_TEST

START_TEST(test_cancel_inside_timeout)
{
	struct sas *sas = sas_with_call(NULL);
	struct ssm_timer *t;

	fx.timer_cancel = 1;
	ck_assert_int_eq(ssm_timer_create(sas, 100, 100, true, "x", &t),
			 SSM_OK);
	fx_advance(100);
	fx_advance(1000);
	ck_assert_int_eq(fx.timeouts, 1);
}
END_TEST

START_TEST(test_fired_timer_makes_sas_ready)
{
	struct sas *sas;
	struct ssm_timer *t;

	ck_assert_int_eq(sas_create(fx.app, &sas), SSM_OK);
	ck_assert_int_eq(ssm_timer_create(sas, 5000, 0, false, "t", &t),
			 SSM_OK);
	ssm_settle(fx.m);
	ck_assert(sas_is_valid(sas));        /* the timer keeps it */
	mem_ref(sas);
	fx_advance(5000);
	ck_assert(!sas_is_valid(sas));
	ck_assert_ptr_nonnull(strstr(fx.log, "timeout:t sas_ready "
				     "sas_destroyed"));
	mem_deref(sas);
}
END_TEST

START_TEST(test_next_timer)
{
	struct sas *sas = sas_with_call(NULL);
	struct ssm_timer *t;

	ck_assert_uint_eq(ssm_next_timer(fx.m), 1000000 + 3 * MIN);
	ck_assert_int_eq(ssm_timer_create(sas, 10, 0, false, NULL, &t),
			 SSM_OK);
	ck_assert_uint_eq(ssm_next_timer(fx.m), 1000010);
}
END_TEST

const struct utest t_time[] = {
	UTEST(test_default_lifetime_three_minutes, "EXP-01 INVAL-05"),
	UTEST(test_timeout_zero_never_expires, "EXP-01 EXP-05"),
	UTEST(test_expiry_restarts_on_access, "EXP-02 CF-08"),
	UTEST(test_expired_listener_extends, "EXP-03 EXP-04"),
	UTEST(test_set_expires, "EXP-04 EXP-05"),
	UTEST(test_set_expires_capped_or_refused, "EXP-04"),
	UTEST(test_expiration_time_values, "EXP-05"),
	UTEST(test_sessions_have_no_timeout, "EXP-06"),
	UTEST(test_one_shot_timer,
	      "TIMER-01 TIMER-02 TIMER-03 TIMER-04 TIMER-05 SAS-06"),
	UTEST(test_timer_by_id, "TIMER-03 SAS-06"),
	UTEST(test_repeating_timers, "TIMER-01 TIMER-04"),
	UTEST(test_cancel_inside_timeout, "TIMER-04"),
	UTEST(test_fired_timer_makes_sas_ready, "TIMER-04 TIMER-06 INVAL-12"),
	UTEST(test_next_timer, "TIMER-01"),
	{0},
};
