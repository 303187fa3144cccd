/**
 * @file conformance/unit/t_own.c  Ownership, SAS and SipSession API
 *                                 (sections 3, 4 and 5)
 */
#include "unit.h"

static struct sas *new_sas(void)
{
	struct sas *sas;

	ck_assert_int_eq(sas_create(fx.app, &sas), SSM_OK);
	ck_assert_int_eq(sas_set_iwr(sas, false), SSM_OK);
	return sas;
}

static struct ss *new_ss(struct sas *sas, enum ss_role role)
{
	struct ss *ss;

	ck_assert_int_eq(ss_create(sas, role, "INVITE", NULL, NULL,
				   "sip:a@x", "sip:b@y", &ss), SSM_OK);
	ck_assert_int_eq(ss_set_iwr(ss, false), SSM_OK);
	return ss;
}

START_TEST(test_sas_owns_any_number_of_sessions)
{
	struct sas *sas = new_sas();
	struct ssm_psess ps[4];
	struct hs *hs;
	size_t n;

	ck_assert_int_eq(sas_sessions(sas, true, NULL, ps, 4, &n), SSM_OK);
	ck_assert_uint_eq(n, 0);
	new_ss(sas, SS_ROLE_UAC);
	new_ss(sas, SS_ROLE_UAC);
	ck_assert_int_eq(hs_create(fx.m, 0, &hs), SSM_OK);
	ck_assert_int_eq(hs_join(hs, sas), SSM_OK);
	ck_assert_int_eq(sas_sessions(sas, true, NULL, ps, 4, &n), SSM_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(ps[0].proto, SSM_PROTO_SIP);
	ck_assert_int_eq(ps[2].proto, SSM_PROTO_HTTP);
	ck_assert_ptr_eq(ps[2].u.hs, hs);
}
END_TEST

START_TEST(test_session_belongs_to_one_sas)
{
	struct sas *a = new_sas(), *b = new_sas(), *got;
	struct ss *ss = new_ss(a, SS_ROLE_UAC);
	struct ss_req r;

	ck_assert_int_eq(ss_app_session(ss, &got), SSM_OK);
	ck_assert_ptr_eq(got, a);
	ck_assert_int_eq(ss_create_request(ss, "INVITE", &r), SSM_OK);
	fx_send(ss, SSM_OUT, "INVITE", 0, NULL, r.cseq);
	fx_send(ss, SSM_IN, "INVITE", 180, "A", r.cseq);
	fx_send(ss, SSM_IN, "INVITE", 200, "A", r.cseq);
	ck_assert_int_eq(ss_app_session(ss, &got), SSM_OK);
	ck_assert_ptr_eq(got, a);
	ck_assert_ptr_ne(got, b);
}
END_TEST

START_TEST(test_created_sessions_join_the_sas)
{
	struct sas *sas = new_sas(), *got;
	struct ss *uac = new_ss(sas, SS_ROLE_UAC), *leg, *d;
	struct ss_req r;

	ck_assert_int_eq(ss_b2b_leg(uac, true, 70, NULL, NULL, &leg), SSM_OK);
	ck_assert_int_eq(ss_app_session(leg, &got), SSM_OK);
	ck_assert_ptr_eq(got, sas);
	ck_assert_int_eq(ss_create_request(uac, "INVITE", &r), SSM_OK);
	fx_send(uac, SSM_OUT, "INVITE", 0, NULL, r.cseq);
	fx_send(uac, SSM_IN, "INVITE", 180, "A", r.cseq);
	d = fx_send(uac, SSM_IN, "INVITE", 180, "B", r.cseq);
	ck_assert_ptr_ne(d, uac);
	ck_assert_int_eq(ss_app_session(d, &got), SSM_OK);
	ck_assert_ptr_eq(got, sas);
}
END_TEST

START_TEST(test_get_sessions_lists_valid_only)
{
	struct sas *sas = new_sas();
	struct ss *a = new_ss(sas, SS_ROLE_UAC);
	struct ssm_psess ps[4];
	size_t n;

	new_ss(sas, SS_ROLE_UAC);
	ck_assert_int_eq(ss_invalidate(a), SSM_OK);
	ck_assert_int_eq(sas_sessions(sas, true, NULL, ps, 4, &n), SSM_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_ptr_ne(ps[0].u.ss, a);
}
END_TEST

START_TEST(test_get_sessions_by_protocol)
{
	for (int side = 0; side < 2; side++) {
		struct ssm_opts o;
		struct sas *sas;
		struct hs *hs;
		struct ssm_psess ps[4];
		size_t n = 99;

		ssm_opts_default(&o);
		o.cf07_unknown_protocol_empty = side;
		fx_model(&o, SSM_V11);
		sas = new_sas();
		new_ss(sas, SS_ROLE_UAC);
		ck_assert_int_eq(hs_create(fx.m, 0, &hs), SSM_OK);
		ck_assert_int_eq(hs_join(hs, sas), SSM_OK);
		ck_assert_int_eq(sas_sessions(sas, false, "SIP", ps, 4, &n),
				 SSM_OK);
		ck_assert_uint_eq(n, 1);
		ck_assert_int_eq(ps[0].proto, SSM_PROTO_SIP);
		ck_assert_int_eq(sas_sessions(sas, false, "http", ps, 4, &n),
				 SSM_OK);
		ck_assert_uint_eq(n, 1);
		ck_assert_int_eq(ps[0].proto, SSM_PROTO_HTTP);
		ck_assert_int_eq(sas_sessions(sas, false, NULL, ps, 4, &n),
				 SSM_NPE);
		n = 99;
		ck_assert_int_eq(sas_sessions(sas, false, "XMPP", ps, 4, &n),
				 side ? SSM_OK : SSM_IAE);
		if (side)
			ck_assert_uint_eq(n, 0);
	}
}
END_TEST

START_TEST(test_derived_in_get_sessions)
{
	struct sas *sas = new_sas();
	struct ss *ss = new_ss(sas, SS_ROLE_UAC), *d;
	struct ssm_psess ps[4];
	size_t n;

	fx_send(ss, SSM_OUT, "INVITE", 0, NULL, 1);
	fx_send(ss, SSM_IN, "INVITE", 180, "A", 1);
	d = fx_send(ss, SSM_IN, "INVITE", 180, "B", 1);
	ck_assert_int_eq(sas_sessions(sas, false, "SIP", ps, 4, &n), SSM_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_ptr_eq(ps[1].u.ss, d);
}
END_TEST

START_TEST(test_get_sip_session_by_id)
{
	struct sas *sas = new_sas(), *other = new_sas();
	struct ss *ss = new_ss(sas, SS_ROLE_UAC), *got;
	struct ssm_psess p;
	bool found;

	ck_assert_int_eq(sas_get_sip_session(sas, ss_id(ss), &got), SSM_OK);
	ck_assert_ptr_eq(got, ss);
	ck_assert_int_eq(sas_get_sip_session(other, ss_id(ss), &got), SSM_OK);
	ck_assert_ptr_null(got);
	ck_assert_int_eq(sas_get_sip_session(sas, "nope", &got), SSM_OK);
	ck_assert_ptr_null(got);
	ck_assert_int_eq(sas_get_sip_session(sas, NULL, &got), SSM_NPE);
	ck_assert_int_eq(sas_get_session(sas, ss_id(ss), "SIP", &p, &found),
			 SSM_OK);
	ck_assert(found);
	ck_assert_ptr_eq(p.u.ss, ss);
	ck_assert_int_eq(sas_get_session(sas, ss_id(ss), "HTTP", &p, &found),
			 SSM_OK);
	ck_assert(!found);
	ck_assert_int_eq(sas_get_session(sas, NULL, "SIP", &p, &found),
			 SSM_NPE);
	ck_assert_int_eq(sas_get_session(sas, "x", NULL, &p, &found),
			 SSM_NPE);
	ck_assert_int_eq(sas_get_session(sas, "x", "FTP", &p, &found),
			 SSM_IAE);
	mem_ref(sas);
	ck_assert_int_eq(sas_invalidate(sas), SSM_OK);
	ck_assert_int_eq(sas_get_sip_session(sas, "x", &got), SSM_ISE);
	mem_deref(sas);
}
END_TEST

START_TEST(test_child_invalidation_keeps_sas)
{
	struct sas *sas = new_sas();
	struct ss *ss = new_ss(sas, SS_ROLE_UAC), *msg;

	ck_assert_int_eq(ss_invalidate(ss), SSM_OK);
	ck_assert(sas_is_valid(sas));
	ck_assert_int_eq(ss_create(sas, SS_ROLE_UAC, "MESSAGE", NULL, NULL,
				   NULL, NULL, &msg), SSM_OK);
	ck_assert(ss_is_valid(msg));
}
END_TEST

START_TEST(test_find_sas_by_id_within_app)
{
	struct ssm_app *other;
	struct sas *sas = new_sas(), *got, *o;

	ck_assert_int_eq(ssm_app_add(fx.m, "other", SSM_V11, 3, NULL, NULL,
				     &other), SSM_OK);
	ck_assert_int_eq(ssm_app_find_sas(fx.app, sas_id(sas), &got), SSM_OK);
	ck_assert_ptr_eq(got, sas);
	ck_assert_int_eq(ssm_app_find_sas(other, sas_id(sas), &got), SSM_OK);
	ck_assert_ptr_null(got);
	ck_assert_int_eq(ssm_app_find_sas(fx.app, NULL, &got), SSM_NPE);
	ck_assert_int_eq(sas_create(other, &o), SSM_OK);
	ck_assert_int_eq(ssm_app_find_sas(fx.app, sas_id(o), &got), SSM_OK);
	ck_assert_ptr_null(got);
	ck_assert_ptr_eq(ssm_app_find(fx.m, "other"), other);
	ck_assert_ptr_null(ssm_app_find(fx.m, "none"));
	ck_assert_int_eq(ssm_app_add(fx.m, "other", SSM_V11, 3, NULL, NULL,
				     NULL), SSM_IAE);
	ck_assert_int_eq(ssm_app_add(fx.m, NULL, SSM_V11, 3, NULL, NULL,
				     NULL), SSM_NPE);
}
END_TEST

START_TEST(test_sas_id_unique_and_stable)
{
	struct sas *a = new_sas(), *b = new_sas();
	const char *id;

	ck_assert_str_ne(sas_id(a), sas_id(b));
	mem_ref(a);
	id = sas_id(a);
	ck_assert_int_eq(sas_invalidate(a), SSM_OK);
	ck_assert_str_eq(sas_id(a), id);                /* never throws */
	ck_assert(!sas_is_valid(a));
	ck_assert_int_eq(sas_invalidate(a), SSM_ISE);
	mem_deref(a);
}
END_TEST

START_TEST(test_sas_attributes)
{
	struct sas *sas = new_sas();
	int v1 = 1, v2 = 2;
	void *got;
	const char *names[4];
	size_t n;

	ck_assert_int_eq(sas_set_attr(sas, NULL, &v1, NULL), SSM_NPE);
	ck_assert_int_eq(sas_set_attr(sas, "a", NULL, NULL), SSM_NPE);
	ck_assert_int_eq(sas_get_attr(sas, "a", &got), SSM_OK);
	ck_assert_ptr_null(got);
	ck_assert_int_eq(sas_set_attr(sas, "a", &v1, NULL), SSM_OK);
	ck_assert_int_eq(sas_set_attr(sas, "a", &v2, NULL), SSM_OK);
	ck_assert_int_eq(sas_get_attr(sas, "a", &got), SSM_OK);
	ck_assert_ptr_eq(got, &v2);
	ck_assert_int_eq(sas_remove_attr(sas, "zz"), SSM_OK);   /* no-op */
	ck_assert_int_eq(sas_set_attr(sas, "b", &v1, NULL), SSM_OK);
	ck_assert_int_eq(sas_attr_names(sas, names, 4, &n), SSM_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(sas_remove_attr(sas, "a"), SSM_OK);
	ck_assert_int_eq(sas_get_attr(sas, "a", &got), SSM_OK);
	ck_assert_ptr_null(got);
	ck_assert_int_eq(sas_remove_attr(sas, NULL), SSM_NPE);
	ck_assert_ptr_nonnull(strstr(fx.log, "attr_added:sas:a "
				     "attr_replaced:sas:a attr_added:sas:b "
				     "attr_removed:sas:a"));
	mem_ref(sas);
	ck_assert_int_eq(sas_invalidate(sas), SSM_OK);
	ck_assert_int_eq(sas_set_attr(sas, "a", &v1, NULL), SSM_ISE);
	ck_assert_int_eq(sas_get_attr(sas, "a", &got), SSM_ISE);
	ck_assert_int_eq(sas_remove_attr(sas, "a"), SSM_ISE);
	ck_assert_int_eq(sas_attr_names(sas, names, 4, &n), SSM_ISE);
	mem_deref(sas);
}
END_TEST

static void bound(void *value, const char *name, enum ssm_kind kind,
		  void *owner, void *arg)
{
	(void)owner;
	(void)arg;
	fx_log("bound:%d:%s:%d", *(int *)value, name, kind);
}

static void unbound(void *value, const char *name, enum ssm_kind kind,
		    void *owner, void *arg)
{
	(void)owner;
	(void)arg;
	fx_log("unbound:%d:%s:%d", *(int *)value, name, kind);
}

static const struct ssm_binding binding = {bound, unbound, NULL};

START_TEST(test_sas_binding_listeners)
{
	struct sas *sas = new_sas();
	int v1 = 1, v2 = 2, v3 = 3;

	ck_assert_int_eq(sas_set_attr(sas, "a", &v1, &binding), SSM_OK);
	ck_assert_int_eq(sas_set_attr(sas, "a", &v1, &binding), SSM_OK);
	ck_assert_int_eq(sas_set_attr(sas, "a", &v2, &binding), SSM_OK);
	ck_assert_int_eq(sas_set_attr(sas, "b", &v3, &binding), SSM_OK);
	ck_assert_int_eq(sas_remove_attr(sas, "b"), SSM_OK);
	ck_assert_int_eq(sas_set_attr(sas, "c", &v3, &binding), SSM_OK);
	fx.log[0] = '\0';
	ck_assert_int_eq(sas_invalidate(sas), SSM_OK);
	ck_assert_ptr_nonnull(strstr(fx.log, "unbound:3:c:1"));
	ck_assert_ptr_nonnull(strstr(fx.log, "unbound:2:a:1"));
}
END_TEST

START_TEST(test_binding_counts)
{
	struct sas *sas = new_sas();
	int v1 = 1, v2 = 2;

	ck_assert_int_eq(sas_set_attr(sas, "a", &v1, &binding), SSM_OK);
	ck_assert_int_eq(sas_set_attr(sas, "a", &v1, &binding), SSM_OK);
	ck_assert_int_eq(sas_set_attr(sas, "a", &v2, &binding), SSM_OK);
	/* same object: no second valueBound; new object: bound then
	 * the old one unbound */
	ck_assert_str_eq(fx.log, "sas_created bound:1:a:1 attr_added:sas:a "
			 "attr_replaced:sas:a bound:2:a:1 "
			 "unbound:1:a:1 attr_replaced:sas:a ");
}
END_TEST

START_TEST(test_sas_times)
{
	struct sas *sas = new_sas();
	struct ss *ss = new_ss(sas, SS_ROLE_UAC);
	uint64_t c, a;
	int v = 1;

	ck_assert_int_eq(sas_creation_time(sas, &c), SSM_OK);
	ck_assert_uint_eq(c, 1000000);
	fx.now += 5000;
	ck_assert_int_eq(sas_set_attr(sas, "x", &v, NULL), SSM_OK);
	ck_assert_int_eq(sas_last_accessed(sas, &a), SSM_OK);
	ck_assert_uint_eq(a, 1000000);            /* attributes: no access */
	fx_send(ss, SSM_OUT, "INVITE", 0, NULL, 1);
	ck_assert_int_eq(sas_last_accessed(sas, &a), SSM_OK);
	ck_assert_uint_eq(a, 1005000);
	fx.now += 1000;
	fx_send(ss, SSM_IN, "INVITE", 180, "A", 1);     /* incoming resp */
	ck_assert_int_eq(sas_last_accessed(sas, &a), SSM_OK);
	ck_assert_uint_eq(a, 1006000);
	ck_assert_int_eq(sas_creation_time(sas, &c), SSM_OK);
	ck_assert_uint_eq(c, 1000000);
	mem_ref(sas);
	ck_assert_int_eq(sas_invalidate(sas), SSM_OK);
	ck_assert_int_eq(sas_creation_time(sas, &c), SSM_ISE);
	ck_assert_int_eq(sas_last_accessed(sas, &c), SSM_ISE);
	mem_deref(sas);
}
END_TEST

START_TEST(test_sas_app_name)
{
	struct sas *sas = new_sas();
	const char *name;

	ck_assert_int_eq(sas_app_name(sas, &name), SSM_OK);
	ck_assert_str_eq(name, "app");
	ck_assert_str_eq(ssm_app_name(fx.app), "app");
}
END_TEST

START_TEST(test_sas_invalid_accessors)
{
	struct sas *sas = new_sas();
	struct ssm_psess ps[1];
	struct ssm_timer *t[1];
	size_t n;
	bool b;
	int g;
	int64_t e;
	char buf[64];
	const char *name;

	mem_ref(sas);
	ck_assert_int_eq(sas_invalidate(sas), SSM_OK);
	ck_assert(!sas_is_valid(sas));
	ck_assert_int_eq(sas_sessions(sas, true, NULL, ps, 1, &n), SSM_ISE);
	ck_assert_int_eq(sas_timers(sas, t, 1, &n), SSM_ISE);
	ck_assert_int_eq(sas_get_timer(sas, "x", t), SSM_ISE);
	ck_assert_int_eq(sas_set_expires(sas, 1, &g), SSM_ISE);
	ck_assert_int_eq(sas_expiration_time(sas, &e), SSM_ISE);
	ck_assert_int_eq(sas_is_ready(sas, &b), SSM_ISE);
	ck_assert_int_eq(sas_get_iwr(sas, &b), SSM_ISE);
	ck_assert_int_eq(sas_set_iwr(sas, true), SSM_ISE);
	ck_assert_int_eq(sas_encode_url(sas, "http://x/", buf, sizeof(buf)),
			 SSM_ISE);
	ck_assert_int_eq(sas_app_name(sas, &name), SSM_ISE);
	ck_assert_int_eq(ssm_timer_create(sas, 1, 0, false, NULL, NULL),
			 SSM_ISE);
	mem_deref(sas);
}
END_TEST

START_TEST(test_ss_ids_unique)
{
	struct sas *sas = new_sas();
	struct ss *a = new_ss(sas, SS_ROLE_UAC), *b = new_ss(sas, SS_ROLE_UAC);

	ck_assert_str_ne(ss_id(a), ss_id(b));
	ck_assert_ptr_null(ss_id(NULL));
	ck_assert(!ss_is_valid(NULL));
}
END_TEST

START_TEST(test_ss_attributes)
{
	struct sas *sas = new_sas();
	struct ss *ss = new_ss(sas, SS_ROLE_UAC);
	int v = 7;
	void *got;
	const char *names[2];
	size_t n;

	ck_assert_int_eq(ss_set_attr(ss, NULL, &v, NULL), SSM_NPE);
	ck_assert_int_eq(ss_set_attr(ss, "a", NULL, NULL), SSM_NPE);
	ck_assert_int_eq(ss_get_attr(ss, NULL, &got), SSM_NPE);
	ck_assert_int_eq(ss_set_attr(ss, "a", &v, &binding), SSM_OK);
	ck_assert_int_eq(ss_get_attr(ss, "a", &got), SSM_OK);
	ck_assert_ptr_eq(got, &v);
	ck_assert_int_eq(ss_attr_names(ss, names, 2, &n), SSM_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(names[0], "a");
	ck_assert_int_eq(ss_remove_attr(ss, NULL), SSM_NPE);
	ck_assert_int_eq(ss_remove_attr(ss, "a"), SSM_OK);
	ck_assert_ptr_nonnull(strstr(fx.log, "bound:7:a:0"));
	ck_assert_ptr_nonnull(strstr(fx.log, "unbound:7:a:0"));
	ck_assert_int_eq(ss_set_attr(ss, "b", &v, &binding), SSM_OK);
	mem_ref(ss);
	fx.log[0] = '\0';
	ck_assert_int_eq(ss_invalidate(ss), SSM_OK);
	ck_assert_str_eq(fx.log, "ss_destroyed unbound:7:b:0 "
			 "attr_removed:ss:b ");
	ck_assert_int_eq(ss_set_attr(ss, "a", &v, NULL), SSM_ISE);
	ck_assert_int_eq(ss_get_attr(ss, "a", &got), SSM_ISE);
	ck_assert_int_eq(ss_remove_attr(ss, "a"), SSM_ISE);
	ck_assert_int_eq(ss_attr_names(ss, names, 2, &n), SSM_ISE);
	mem_deref(ss);
}
END_TEST

START_TEST(test_ss_call_id_and_parties)
{
	struct sas *sas = new_sas();
	struct ss *uas, *uac = new_ss(sas, SS_ROLE_UAC);
	const char *cid, *l, *r;

	ck_assert_int_eq(ss_create(sas, SS_ROLE_UAS, "INVITE", "cid-9", "ft",
				   "sip:caller@a", "sip:callee@b", &uas),
			 SSM_OK);
	ck_assert_int_eq(ss_call_id(uas, &cid), SSM_OK);
	ck_assert_str_eq(cid, "cid-9");
	ck_assert_int_eq(ss_local_party(uas, &l), SSM_OK);
	ck_assert_int_eq(ss_remote_party(uas, &r), SSM_OK);
	ck_assert_str_eq(l, "sip:callee@b");
	ck_assert_str_eq(r, "sip:caller@a");
	ck_assert_int_eq(ss_local_party(uac, &l), SSM_OK);
	ck_assert_int_eq(ss_remote_party(uac, &r), SSM_OK);
	ck_assert_str_eq(l, "sip:a@x");
	ck_assert_str_eq(r, "sip:b@y");
	ck_assert_int_eq(ss_call_id(uac, &cid), SSM_OK);
	ck_assert_ptr_nonnull(strstr(cid, "@sstck"));
}
END_TEST

START_TEST(test_cf14_null_parties)
{
	for (int side = 0; side < 2; side++) {
		struct ssm_opts o;
		struct sas *sas;
		struct ss *ss, *dlg;
		const char *v;

		ssm_opts_default(&o);
		o.cf14_null_parties_v10 = side;
		fx_model(&o, SSM_V10);
		ck_assert_int_eq(sas_create(fx.app, &sas), SSM_OK);
		ck_assert_int_eq(ss_create(sas, SS_ROLE_UAS, "MESSAGE", "c",
					   "f", "sip:a@x", "sip:b@y", &ss),
				 SSM_OK);
		ck_assert_int_eq(ss_create(sas, SS_ROLE_UAS, "INVITE", "c2",
					   "f", "sip:a@x", "sip:b@y", &dlg),
				 SSM_OK);
		ck_assert_int_eq(ss_call_id(ss, &v), SSM_OK);
		ck_assert(side ? v == NULL : v != NULL);
		ck_assert_int_eq(ss_local_party(ss, &v), SSM_OK);
		ck_assert(side ? v == NULL : v != NULL);
		ck_assert_int_eq(ss_remote_party(ss, &v), SSM_OK);
		ck_assert(side ? v == NULL : v != NULL);
		ck_assert_int_eq(ss_call_id(dlg, &v), SSM_OK);
		ck_assert_ptr_nonnull(v);
	}
}
END_TEST

START_TEST(test_ss_times)
{
	struct sas *sas = new_sas();
	struct ss *ss = new_ss(sas, SS_ROLE_UAC);
	uint64_t c, a;
	int v = 1;

	fx.now += 3000;
	ck_assert_int_eq(ss_set_attr(ss, "x", &v, NULL), SSM_OK);
	ck_assert_int_eq(ss_last_accessed(ss, &a), SSM_OK);
	ck_assert_uint_eq(a, 1000000);
	fx_send(ss, SSM_OUT, "INVITE", 0, NULL, 1);
	ck_assert_int_eq(ss_last_accessed(ss, &a), SSM_OK);
	ck_assert_uint_eq(a, 1003000);
	fx.now += 1000;
	fx_send(ss, SSM_IN, "INVITE", 180, "A", 1);    /* not a request */
	ck_assert_int_eq(ss_last_accessed(ss, &a), SSM_OK);
	ck_assert_uint_eq(a, 1003000);
	ck_assert_int_eq(ss_creation_time(ss, &c), SSM_OK);
	ck_assert_uint_eq(c, 1000000);
}
END_TEST

START_TEST(test_create_request_contract)
{
	for (int side = 0; side < 2; side++) {
		struct ssm_opts o;
		struct sas *sas;
		struct ss *ss;
		struct ss_req r;

		ssm_opts_default(&o);
		o.cf11_lenient_pending_create = side;
		fx_model(&o, SSM_V11);
		sas = new_sas();
		ss = new_ss(sas, SS_ROLE_UAC);
		ck_assert_int_eq(ss_create_request(ss, "ACK", &r), SSM_IAE);
		ck_assert_int_eq(ss_create_request(ss, "CANCEL", &r),
				 SSM_IAE);
		ck_assert_int_eq(ss_create_request(ss, "IN VITE", &r),
				 SSM_IAE);
		ck_assert_int_eq(ss_create_request(ss, NULL, &r), SSM_NPE);
		ck_assert_int_eq(ss_create_request(ss, "INVITE", &r), SSM_OK);
		fx_send(ss, SSM_OUT, "INVITE", 0, NULL, r.cseq);
		/* INITIAL with a transaction in progress (CF-11) */
		ck_assert_int_eq(ss_create_request(ss, "INVITE", &r),
				 side ? SSM_OK : SSM_ISE);
		mem_ref(ss);
		ck_assert_int_eq(ss_invalidate(ss), SSM_OK);
		ck_assert_int_eq(ss_create_request(ss, "INFO", &r), SSM_ISE);
		mem_deref(ss);
	}
}
END_TEST

START_TEST(test_proxy_session_cannot_create_requests)
{
	struct ss *ss = fx_session(SS_ROLE_UAS, "INVITE");
	struct ss_req r;

	ck_assert_int_eq(ss_set_proxy(ss, false), SSM_OK);
	ck_assert_int_eq(ss_role(ss), SS_ROLE_PROXY);
	ck_assert_int_eq(ss_create_request(ss, "INFO", &r), SSM_ISE);
	ck_assert_str_eq(ss_role_name(ss_role(ss)), "PROXY");
}
END_TEST

START_TEST(test_dialog_request_parameters)
{
	struct ss *ss = fx_session(SS_ROLE_UAC, "INVITE");
	struct ss_req r;
	const char *cid, *l, *rt;

	fx_keep(ss);
	ck_assert_int_eq(ss_create_request(ss, "INVITE", &r), SSM_OK);
	fx_send(ss, SSM_OUT, "INVITE", 0, NULL, r.cseq);
	fx_send(ss, SSM_IN, "INVITE", 200, "callee", r.cseq);
	ck_assert_int_eq(ss_create_request(ss, "INFO", &r), SSM_OK);
	ck_assert_int_eq(ss_call_id(ss, &cid), SSM_OK);
	ck_assert_int_eq(ss_tags(ss, &l, &rt), SSM_OK);
	ck_assert_str_eq(r.call_id, cid);
	ck_assert_str_eq(r.from_tag, l);
	ck_assert_str_eq(r.to_tag, "callee");
	ck_assert_uint_eq(r.cseq, 2);
	ck_assert_int_eq(ss_create_request(ss, "BYE", &r), SSM_OK);
	ck_assert_uint_eq(r.cseq, 3);
}
END_TEST

START_TEST(test_region_and_subscriber)
{
	struct ss *uas = fx_session(SS_ROLE_UAS, "INVITE");
	struct ss *uac = fx_session(SS_ROLE_UAC, "INVITE");
	const char *v;

	ck_assert_int_eq(ss_region(uas, &v), SSM_ISE);
	ck_assert_int_eq(ss_set_routing(uas, "ORIGINATING", "sip:s@x"),
			 SSM_OK);
	ck_assert_int_eq(ss_region(uas, &v), SSM_OK);
	ck_assert_str_eq(v, "ORIGINATING");
	ck_assert_int_eq(ss_subscriber_uri(uas, &v), SSM_OK);
	ck_assert_str_eq(v, "sip:s@x");
	ck_assert_int_eq(ss_set_routing(uac, "X", "sip:y"), SSM_ISE);
	ck_assert_int_eq(ss_region(uac, &v), SSM_ISE);
	ck_assert_int_eq(ss_subscriber_uri(uac, &v), SSM_ISE);
	mem_ref(uas);
	ck_assert_int_eq(ss_invalidate(uas), SSM_OK);
	ck_assert_int_eq(ss_region(uas, &v), SSM_ISE);
	mem_deref(uas);
}
END_TEST

START_TEST(test_set_handler)
{
	struct ss *ss = fx_session(SS_ROLE_UAC, "INVITE"), *d;
	const char *h;

	fx_keep(ss);
	ck_assert_int_eq(ss_handler(ss, &h), SSM_OK);
	ck_assert_ptr_null(h);
	ck_assert_int_eq(ss_set_handler(ss, "nosuch"), SSM_SERVLET);
	ck_assert_int_eq(ss_set_handler(ss, NULL), SSM_NPE);
	ck_assert_int_eq(ss_set_handler(ss, "other"), SSM_OK);
	fx_send(ss, SSM_OUT, "INVITE", 0, NULL, 1);
	fx_send(ss, SSM_IN, "INVITE", 180, "A", 1);
	d = fx_send(ss, SSM_IN, "INVITE", 180, "B", 1);
	ck_assert_int_eq(ss_handler(d, &h), SSM_OK);
	ck_assert_str_eq(h, "other");                 /* inherited */
	mem_ref(ss);
	ck_assert_int_eq(ss_invalidate(ss), SSM_OK);
	ck_assert_int_eq(ss_set_handler(ss, "main"), SSM_ISE);
	mem_deref(ss);
}
END_TEST

START_TEST(test_outbound_interface)
{
	static const char *const ifs[] = {"127.0.0.1", "[::1]:5070", NULL};
	struct ssm_opts o;
	struct ss *ss;
	const char *v;

	ssm_opts_default(&o);
	o.outbound_ifaces = ifs;
	fx_model(&o, SSM_V11);
	ss = fx_session(SS_ROLE_UAC, "INVITE");
	ck_assert_int_eq(ss_set_outbound(ss, NULL), SSM_NPE);
	ck_assert_int_eq(ss_set_outbound(ss, "10.0.0.1"), SSM_IAE);
	ck_assert_int_eq(ss_set_outbound(ss, "[::1]:5070"), SSM_OK);
	ck_assert_int_eq(ss_outbound(ss, &v), SSM_OK);
	ck_assert_str_eq(v, "[::1]:5070");
}
END_TEST

START_TEST(test_servlet_context)
{
	struct ss *ss = fx_session(SS_ROLE_UAC, "INVITE");
	struct ssm_app *app;

	ck_assert_int_eq(ss_app(ss, &app), SSM_OK);
	ck_assert_ptr_eq(app, fx.app);
}
END_TEST

const struct utest t_own[] = {
	UTEST(test_sas_owns_any_number_of_sessions, "OWN-01"),
	UTEST(test_session_belongs_to_one_sas, "OWN-02"),
	UTEST(test_created_sessions_join_the_sas, "OWN-03 B2B-02"),
	UTEST(test_get_sessions_lists_valid_only, "OWN-04"),
	UTEST(test_get_sessions_by_protocol, "OWN-05 CF-07"),
	UTEST(test_derived_in_get_sessions, "OWN-06"),
	UTEST(test_get_sip_session_by_id, "OWN-07 SAS-07"),
	UTEST(test_child_invalidation_keeps_sas, "OWN-08"),
	UTEST(test_find_sas_by_id_within_app, "OWN-09"),
	UTEST(test_sas_id_unique_and_stable, "SAS-01 SAS-07 INVAL-03"),
	UTEST(test_sas_attributes, "SAS-02 SAS-07"),
	UTEST(test_sas_binding_listeners, "SAS-03 INVAL-03"),
	UTEST(test_binding_counts, "SAS-03"),
	UTEST(test_sas_times, "SAS-04"),
	UTEST(test_sas_app_name, "SAS-05"),
	UTEST(test_sas_invalid_accessors, "SAS-07 INVAL-15"),
	UTEST(test_ss_ids_unique, "SS-01"),
	UTEST(test_ss_attributes, "SS-02 INVAL-01"),
	UTEST(test_ss_call_id_and_parties, "SS-03 SS-04 B2B-12"),
	UTEST(test_cf14_null_parties, "CF-14 SS-03 SS-04"),
	UTEST(test_ss_times, "SS-05"),
	UTEST(test_create_request_contract, "SS-06 CF-11"),
	UTEST(test_proxy_session_cannot_create_requests, "SS-07"),
	UTEST(test_dialog_request_parameters, "SS-08"),
	UTEST(test_region_and_subscriber, "SS-09"),
	UTEST(test_set_handler, "SS-10 DERIVED-02"),
	UTEST(test_outbound_interface, "SS-11"),
	UTEST(test_servlet_context, "SS-12"),
	{0},
};
