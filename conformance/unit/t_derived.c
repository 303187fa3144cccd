/**
 * @file conformance/unit/t_derived.c  Derived sessions (section 6) and
 *                                     their B2BUA side (B2B-08, B2B-09)
 */
#include "unit.h"

static struct ss *forked_uac(struct ss **dp)
{
	struct ss *ss = fx_session(SS_ROLE_UAC, "INVITE");

	fx_keep(ss);
	fx_send(ss, SSM_OUT, "INVITE", 0, NULL, 1);
	ck_assert_ptr_eq(fx_send(ss, SSM_IN, "INVITE", 180, "A", 1), ss);
	*dp = fx_send(ss, SSM_IN, "INVITE", 180, "B", 1);
	ck_assert_ptr_ne(*dp, ss);
	return ss;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

START_TEST(test_new_to_tag_creates_derived)
{
	struct ss *d, *ss = forked_uac(&d);

	ck_assert_str_ne(ss_id(ss), ss_id(d));
	ck_assert_ptr_eq(ss_original(d), ss);
	ck_assert_ptr_null(ss_original(ss));
	ck_assert_int_eq(count(fx.log, "ss_created"), 2);
	ck_assert_uint_eq(ssm_count_ss(fx.m), 2);

	/* and on a proxy */
	{
		struct ss *p = fx_session(SS_ROLE_PROXY, "INVITE"), *pd;

		fx_keep(p);
		fx_send(p, SSM_IN, "INVITE", 0, NULL, 1);
		fx_send(p, SSM_IN, "INVITE", 183, "X", 1);
		pd = fx_send(p, SSM_IN, "INVITE", 183, "Y", 1);
		ck_assert_ptr_eq(ss_original(pd), p);
	}
}
END_TEST

START_TEST(test_derived_shares_and_differs)
{
	struct ss *d, *ss = forked_uac(&d);
	const char *c1, *c2, *l1, *l2, *r1, *r2;
	struct sas *s1, *s2;

	ck_assert_int_eq(ss_call_id(ss, &c1), SSM_OK);
	ck_assert_int_eq(ss_call_id(d, &c2), SSM_OK);
	ck_assert_str_eq(c1, c2);
	ck_assert_int_eq(ss_tags(ss, &l1, &r1), SSM_OK);
	ck_assert_int_eq(ss_tags(d, &l2, &r2), SSM_OK);
	ck_assert_str_eq(l1, l2);
	ck_assert_str_eq(r1, "A");
	ck_assert_str_eq(r2, "B");
	ck_assert_int_eq(ss_app_session(ss, &s1), SSM_OK);
	ck_assert_int_eq(ss_app_session(d, &s2), SSM_OK);
	ck_assert_ptr_eq(s1, s2);
	ck_assert_int_eq(ss_local_party(ss, &l1), SSM_OK);
	ck_assert_int_eq(ss_local_party(d, &l2), SSM_OK);
	ck_assert_str_eq(l1, l2);
}
END_TEST

static void derived_attrs(int shared)
{
	struct ssm_opts o;
	struct ss *ss, *d;
	int v1 = 1, v2 = 2;
	void *got;

	ssm_opts_default(&o);
	o.cf06_shared_derived_attrs = shared;
	fx_model(&o, SSM_V11);
	ss = fx_session(SS_ROLE_UAC, "INVITE");
	fx_keep(ss);
	ck_assert_int_eq(ss_set_attr(ss, "a", &v1, NULL), SSM_OK);
	fx_send(ss, SSM_OUT, "INVITE", 0, NULL, 1);
	fx_send(ss, SSM_IN, "INVITE", 180, "A", 1);
	d = fx_send(ss, SSM_IN, "INVITE", 180, "B", 1);
	ck_assert_int_eq(ss_get_attr(d, "a", &got), SSM_OK);
	ck_assert_ptr_eq(got, &v1);                 /* same value object */
	ck_assert_int_eq(ss_set_attr(d, "b", &v2, NULL), SSM_OK);
	ck_assert_int_eq(ss_get_attr(ss, "b", &got), SSM_OK);
	if (shared)
		ck_assert_ptr_eq(got, &v2);
	else
		ck_assert_ptr_null(got);
	/* invalidating one holder of a shared map leaves it bound */
	ck_assert_int_eq(ss_invalidate(d), SSM_OK);
	ck_assert_int_eq(ss_get_attr(ss, "a", &got), SSM_OK);
	ck_assert_ptr_eq(got, &v1);
}

START_TEST(test_derived_attributes_copy)
{
	derived_attrs(0);
}
END_TEST

START_TEST(test_derived_attributes_shared)
{
	derived_attrs(1);
}
END_TEST

START_TEST(test_derived_own_state_machine)
{
	struct ss *d, *ss = forked_uac(&d);

	ck_assert_ptr_nonnull(strstr(fx.trace, ss_id(d)));
	{
		char want[64];

		snprintf(want, sizeof(want), "%s:INITIAL>EARLY", ss_id(d));
		ck_assert_ptr_nonnull(strstr(fx.trace, want));
	}
	ck_assert_ptr_eq(fx_send(ss, SSM_IN, "INVITE", 200, "B", 1), d);
	ck_assert_int_eq(fx_state(d), SS_CONFIRMED);
	ck_assert_int_eq(fx_state(ss), SS_EARLY);
}
END_TEST

START_TEST(test_known_tag_reuses_derived)
{
	struct ss *d, *ss = forked_uac(&d);
	const char *cid, *l, *r;
	struct ssm_msg m;

	ck_assert_ptr_eq(fx_send(ss, SSM_IN, "INVITE", 183, "B", 1), d);
	ck_assert_ptr_eq(fx_send(ss, SSM_IN, "INVITE", 180, "A", 1), ss);
	ck_assert_uint_eq(ssm_count_ss(fx.m), 2);
	/* the container finds the derived session by its dialog */
	ck_assert_int_eq(ss_call_id(ss, &cid), SSM_OK);
	ck_assert_int_eq(ss_tags(ss, &l, &r), SSM_OK);
	m = fx_msg(SSM_IN, "INVITE", 200, cid, l, "B", 1);
	ck_assert_ptr_eq(ssm_match(fx.m, &m), d);
	m.to_tag = "C";
	ck_assert_ptr_eq(ssm_match(fx.m, &m), ss);   /* the original */
}
END_TEST

START_TEST(test_invalidate_original_keeps_derived)
{
	struct ss *d, *ss = forked_uac(&d);
	struct sas *sas;

	ck_assert_int_eq(ss_app_session(ss, &sas), SSM_OK);
	ck_assert_int_eq(ss_invalidate(ss), SSM_OK);
	ck_assert(ss_is_valid(d));
	mem_ref(d);
	ck_assert_int_eq(sas_invalidate(sas), SSM_OK);
	ck_assert(!ss_is_valid(d));
	mem_deref(d);
}
END_TEST

START_TEST(test_forking_context)
{
	struct ss *d, *ss = forked_uac(&d);
	struct ss *all[4];
	size_t n;

	ck_assert_int_eq(ss_forking_context(d, all, 4, &n), SSM_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_ptr_eq(all[0], ss);
	ck_assert_ptr_eq(all[1], d);
}
END_TEST

START_TEST(test_failed_invite_ends_early_siblings)
{
	struct ss *d, *ss = forked_uac(&d);

	fx_send(ss, SSM_IN, "INVITE", 486, "A", 1);
	ck_assert_int_eq(fx_state(ss), SS_INITIAL);
	ck_assert_int_eq(fx_state(d), SS_TERMINATED);
}
END_TEST

START_TEST(test_proxy_fork_losing_branch)
{
	struct ss *p = fx_session(SS_ROLE_PROXY, "INVITE"), *a;

	fx_keep(p);
	ck_assert_int_eq(ss_set_proxy(p, true), SSM_OK);
	fx_send(p, SSM_IN, "INVITE", 0, NULL, 1);
	fx_send(p, SSM_IN, "INVITE", 180, "B", 1);        /* p bound to B */
	a = fx_send(p, SSM_IN, "INVITE", 200, "A", 1);
	ck_assert_ptr_ne(a, p);
	ck_assert_ptr_eq(fx_send(p, SSM_OUT, "INVITE", 200, "A", 1), a);
	ck_assert_int_eq(fx_state(p), SS_EARLY);
	/* the losing branch is cancelled; its 487 ends its session */
	fx_send(p, SSM_IN, "INVITE", 487, "B", 1);
	ck_assert_int_eq(fx_state(p), SS_TERMINATED);
	ck_assert_int_eq(fx_state(a), SS_CONFIRMED);
}
END_TEST

START_TEST(test_b2b_several_2xx_upstream)
{
	struct ss *uas = fx_session(SS_ROLE_UAS, "INVITE"), *d;

	fx_keep(uas);
	fx_send(uas, SSM_IN, "INVITE", 0, NULL, 1);
	ck_assert_ptr_eq(fx_send(uas, SSM_OUT, "INVITE", 200, "T1", 1), uas);
	d = fx_send(uas, SSM_OUT, "INVITE", 200, "T2", 1);
	ck_assert_ptr_ne(d, uas);
	ck_assert_ptr_eq(ss_original(d), uas);
	ck_assert_int_eq(fx_state(d), SS_CONFIRMED);
	ck_assert_int_eq(fx_state(uas), SS_CONFIRMED);
}
END_TEST

START_TEST(test_b2b_fork_on_uac_leg)
{
	struct ss *uas = fx_session(SS_ROLE_UAS, "INVITE"), *leg, *d, *pd;
	struct ss *o;
	struct ss_req r;

	fx_keep(uas);
	fx_send(uas, SSM_IN, "INVITE", 0, NULL, 1);
	ck_assert_int_eq(ss_b2b_leg(uas, true, 70, NULL, NULL, &leg), SSM_OK);
	ck_assert_int_eq(ss_set_iwr(leg, false), SSM_OK);
	ck_assert_int_eq(ss_create_request(leg, "INVITE", &r), SSM_OK);
	fx_send(leg, SSM_OUT, "INVITE", 0, NULL, r.cseq);
	fx_send(leg, SSM_IN, "INVITE", 180, "A", r.cseq);
	d = fx_send(leg, SSM_IN, "INVITE", 180, "B", r.cseq);
	ck_assert_ptr_ne(d, leg);
	ck_assert_int_eq(ss_linked(d, &pd), SSM_OK);
	ck_assert_ptr_nonnull(pd);
	ck_assert_ptr_ne(pd, uas);
	ck_assert_ptr_eq(ss_original(pd), uas);
	ck_assert_int_eq(ss_linked(pd, &o), SSM_OK);
	ck_assert_ptr_eq(o, d);
	ck_assert_int_eq(ss_linked(leg, &o), SSM_OK);
	ck_assert_ptr_eq(o, uas);
}
END_TEST

const struct utest t_derived[] = {
	UTEST(test_new_to_tag_creates_derived,
	      "DERIVED-01 DERIVED-05 PROXY-16"),
	UTEST(test_derived_shares_and_differs, "DERIVED-02"),
	UTEST(test_derived_attributes_copy, "DERIVED-03 CF-06"),
	UTEST(test_derived_attributes_shared, "DERIVED-03 CF-06"),
	UTEST(test_derived_own_state_machine, "DERIVED-04"),
	UTEST(test_known_tag_reuses_derived, "DERIVED-06"),
	UTEST(test_invalidate_original_keeps_derived, "DERIVED-07 INVAL-03"),
	UTEST(test_forking_context, "DERIVED-08 VER-05"),
	UTEST(test_failed_invite_ends_early_siblings, "DERIVED-04"),
	UTEST(test_proxy_fork_losing_branch, "DERIVED-01 SS-STATE-31"),
	UTEST(test_b2b_several_2xx_upstream, "B2B-08"),
	UTEST(test_b2b_fork_on_uac_leg, "B2B-09"),
	{0},
};
