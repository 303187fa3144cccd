/**
 * @file conformance/unit/t_b2b.c  B2BUA linking, keys and targeting,
 *        HTTP sessions, proxy helpers (sections 9-12 and their CF-*)
 */
#include "unit.h"

static struct ss *uas_leg(void)
{
	struct ss *uas = fx_session(SS_ROLE_UAS, "INVITE");

	fx_keep(uas);
	fx_send(uas, SSM_IN, "INVITE", 0, NULL, 1);
	return uas;
}

START_TEST(test_b2b_leg_new_call_id_and_tag)
{
	struct ss *uas = uas_leg(), *leg;
	const char *c1, *c2, *l1, *r1, *l2, *r2;
	struct ss_req r;

	ck_assert_int_eq(ss_b2b_leg(uas, true, 70, "sip:a@x", "sip:b@y",
				    &leg), SSM_OK);
	ck_assert_int_eq(ss_call_id(uas, &c1), SSM_OK);
	ck_assert_int_eq(ss_call_id(leg, &c2), SSM_OK);
	ck_assert_str_ne(c1, c2);
	ck_assert_int_eq(ss_tags(uas, &l1, &r1), SSM_OK);
	ck_assert_int_eq(ss_tags(leg, &l2, &r2), SSM_OK);
	ck_assert_str_ne(l2, r1);
	ck_assert_ptr_null(r2);                     /* no To tag */
	ck_assert_int_eq(ss_role(leg), SS_ROLE_UAC);
	ck_assert_int_eq(ss_create_request(leg, "INVITE", &r), SSM_OK);
	ck_assert_ptr_null(r.to_tag);
	ck_assert_uint_eq(r.cseq, 1);
}
END_TEST

START_TEST(test_factory_same_call_id)
{
	struct ss *uas = uas_leg(), *same, *fresh, *peer = NULL;
	const char *c0, *c1, *c2, *l0, *r0, *l1, *r1;
	struct sas *a1 = NULL, *a2 = NULL;

	ck_assert_int_eq(ss_factory_copy(uas, true, &same), SSM_OK);
	ck_assert_int_eq(ss_factory_copy(uas, false, &fresh), SSM_OK);
	ck_assert_int_eq(ss_call_id(uas, &c0), SSM_OK);
	ck_assert_int_eq(ss_call_id(same, &c1), SSM_OK);
	ck_assert_int_eq(ss_call_id(fresh, &c2), SSM_OK);
	ck_assert_str_eq(c0, c1);                   /* the RFC 3261 violation */
	ck_assert_str_ne(c0, c2);
	ck_assert_int_eq(ss_tags(uas, &l0, &r0), SSM_OK);
	ck_assert_int_eq(ss_tags(same, &l1, &r1), SSM_OK);
	ck_assert_str_ne(l1, r0);                   /* a From tag of its own */
	ck_assert_ptr_null(r1);
	ck_assert_int_eq(ss_role(same), SS_ROLE_UAC);
	ck_assert_int_eq(ss_linked(same, &peer), SSM_OK);
	ck_assert_ptr_null(peer);                   /* not B2buaHelper: unlinked */
	ck_assert_int_eq(ss_app_session(same, &a1), SSM_OK);
	ck_assert_int_eq(ss_app_session(uas, &a2), SSM_OK);
	ck_assert_ptr_eq(a1, a2);
	ck_assert_int_eq(ss_factory_copy(NULL, true, &same), SSM_NPE);
}
END_TEST

/* An invalidated original makes no new leg, neither by B2buaHelper nor
 * by SipFactory, and carries no subsequent request: IAE. */
START_TEST(test_b2b_invalid_original)
{
	struct ss *uas = uas_leg(), *leg = NULL, *other;
	struct ss_req r;

	ck_assert_int_eq(ss_b2b_leg(uas, false, 70, NULL, NULL, &other),
			 SSM_OK);
	mem_ref(uas);
	ck_assert_int_eq(ss_invalidate(uas), SSM_OK);
	ck_assert_int_eq(ss_b2b_leg(uas, true, 70, NULL, NULL, &leg), SSM_IAE);
	ck_assert_ptr_null(leg);
	ck_assert_int_eq(ss_factory_copy(uas, false, &leg), SSM_IAE);
	ck_assert_ptr_null(leg);
	ck_assert_int_eq(ss_b2b_subsequent(other, uas, true, "INFO", &r),
			 SSM_IAE);
	mem_deref(uas);
}
END_TEST

START_TEST(test_b2b_too_many_hops)
{
	struct ss *uas = uas_leg(), *leg = NULL;

	ck_assert_int_eq(ss_b2b_leg(uas, true, 0, NULL, NULL, &leg),
			 SSM_HOPS);
	ck_assert_ptr_null(leg);
	ck_assert_str_eq(ssm_strerror(SSM_HOPS), "TooManyHopsException");
}
END_TEST

START_TEST(test_b2b_or_proxy_not_both)
{
	struct ss *uas = uas_leg(), *leg, *p;

	ck_assert_int_eq(ss_b2b_leg(uas, true, 70, NULL, NULL, &leg), SSM_OK);
	ck_assert_int_eq(ss_set_proxy(uas, true), SSM_ISE);
	p = fx_session(SS_ROLE_UAS, "INVITE");
	fx_keep(p);
	ck_assert_int_eq(ss_set_proxy(p, true), SSM_OK);
	ck_assert_int_eq(ss_b2b_leg(p, true, 70, NULL, NULL, &leg), SSM_ISE);
}
END_TEST

START_TEST(test_b2b_header_map)
{
	ck_assert(ssm_b2b_header_allowed("From"));
	ck_assert(ssm_b2b_header_allowed("To"));
	ck_assert(ssm_b2b_header_allowed("Contact"));
	ck_assert(ssm_b2b_header_allowed("Route"));
	ck_assert(ssm_b2b_header_allowed("X-Custom"));
	ck_assert(!ssm_b2b_header_allowed("Call-ID"));
	ck_assert(!ssm_b2b_header_allowed("cseq"));
	ck_assert(!ssm_b2b_header_allowed("Via"));
	ck_assert(!ssm_b2b_header_allowed("Max-Forwards"));
	ck_assert(!ssm_b2b_header_allowed(NULL));
	ck_assert(!ssm_b2b_header_allowed("bad header"));
}
END_TEST

START_TEST(test_b2b_linking)
{
	struct ss *uas = uas_leg(), *leg, *peer, *other, *unl;
	struct sas *sas2;
	struct ss *foreign;

	ck_assert_int_eq(ss_b2b_leg(uas, true, 70, NULL, NULL, &leg), SSM_OK);
	ck_assert_int_eq(ss_linked(uas, &peer), SSM_OK);
	ck_assert_ptr_eq(peer, leg);
	ck_assert_int_eq(ss_linked(leg, &peer), SSM_OK);
	ck_assert_ptr_eq(peer, uas);
	/* linking an already linked original again: IAE (B2B-04) */
	ck_assert_int_eq(ss_b2b_leg(uas, true, 70, NULL, NULL, &other),
			 SSM_IAE);
	/* linked=false: nothing linked */
	ck_assert_int_eq(ss_b2b_leg(uas, false, 70, NULL, NULL, &unl),
			 SSM_OK);
	ck_assert_int_eq(ss_linked(unl, &peer), SSM_OK);
	ck_assert_ptr_null(peer);
	ck_assert_int_eq(ss_link(uas, leg), SSM_OK);       /* no-op */
	ck_assert_int_eq(ss_link(uas, unl), SSM_IAE);      /* paired */
	ck_assert_int_eq(ss_link(unl, unl), SSM_IAE);
	ck_assert_int_eq(ss_link(NULL, unl), SSM_NPE);
	ck_assert_int_eq(sas_create(fx.app, &sas2), SSM_OK);
	ck_assert_int_eq(ss_create(sas2, SS_ROLE_UAC, "INVITE", NULL, NULL,
				   NULL, NULL, &foreign), SSM_OK);
	ck_assert_int_eq(ss_link(unl, foreign), SSM_IAE);  /* across SAS */
	ck_assert_int_eq(ss_unlink(uas), SSM_OK);
	ck_assert_int_eq(ss_linked(leg, &peer), SSM_OK);
	ck_assert_ptr_null(peer);
	ck_assert_int_eq(ss_unlink(uas), SSM_IAE);         /* not linked */
	ck_assert_int_eq(ss_unlink(NULL), SSM_NPE);
	ck_assert_int_eq(ss_link(unl, uas), SSM_OK);
	/* after the BYE on one leg completes: IAE both ways */
	fx_send(uas, SSM_OUT, "INVITE", 200, "T", 1);
	fx_send(uas, SSM_IN, "BYE", 0, "T", 2);
	fx_send(uas, SSM_OUT, "BYE", 200, "T", 2);
	ck_assert_int_eq(fx_state(uas), SS_TERMINATED);
	ck_assert_int_eq(ss_unlink(unl), SSM_IAE);
	ck_assert_int_eq(ss_link(leg, uas), SSM_IAE);
	mem_ref(leg);
	ck_assert_int_eq(ss_invalidate(leg), SSM_OK);
	ck_assert_int_eq(ss_linked(leg, &peer), SSM_IAE);
	mem_deref(leg);
}
END_TEST

START_TEST(test_b2b_subsequent_request)
{
	for (int side = 0; side < 2; side++) {
		struct ssm_opts o;
		struct ss *uas, *leg, *peer;
		struct ss_req r;

		ssm_opts_default(&o);
		o.cf13_b2b_subsequent_needs_initial = side;
		fx_model(&o, SSM_V11);
		uas = uas_leg();
		ck_assert_int_eq(ss_b2b_leg(uas, false, 70, NULL, NULL, &leg),
				 SSM_OK);
		ck_assert_int_eq(ss_set_iwr(leg, false), SSM_OK);
		fx_send(uas, SSM_OUT, "INVITE", 200, "T", 1);
		fx_send(leg, SSM_OUT, "INVITE", 0, NULL, 1);
		fx_send(leg, SSM_IN, "INVITE", 200, "B", 1);
		/* INFO from the caller relayed to the callee leg */
		ck_assert_int_eq(ss_b2b_subsequent(leg, uas, false, "INFO",
						   &r), side ? SSM_IAE : SSM_OK);
		if (side)
			continue;
		ck_assert_str_eq(r.to_tag, "B");
		ck_assert_uint_eq(r.cseq, 2);
		ck_assert_int_eq(ss_linked(leg, &peer), SSM_OK);
		ck_assert_ptr_eq(peer, uas);       /* linked by the call */
		ck_assert_int_eq(ss_b2b_subsequent(leg, NULL, false, "INFO",
						   &r), SSM_NPE);
	}
}
END_TEST

static bool key_from_cid(const struct ssm_msg *req, char *buf, size_t sz,
			 void *arg)
{
	(void)arg;
	if (!strcmp(req->call_id, "nokey"))
		return false;
	snprintf(buf, sz, "k-%s", req->call_id);
	return true;
}

START_TEST(test_app_key_targets_sas)
{
	struct ssm_app *other;
	struct ssm_msg m = fx_msg(SSM_IN, "MESSAGE", 0, "one", "f", NULL, 1);
	struct sas *a, *b, *c, *d, *e;

	ck_assert_int_eq(ssm_app_set_key_method(fx.app, key_from_cid, NULL),
			 SSM_OK);
	ck_assert_int_eq(ssm_app_set_key_method(fx.app, key_from_cid, NULL),
			 SSM_IAE);                     /* one per application */
	ck_assert_int_eq(ssm_app_set_key_method(fx.app, NULL, NULL), SSM_NPE);
	ck_assert_int_eq(ssm_sas_for_initial(fx.app, &m, &a), SSM_OK);
	ck_assert_int_eq(sas_set_iwr(a, false), SSM_OK);
	ck_assert_int_eq(ssm_sas_for_initial(fx.app, &m, &b), SSM_OK);
	ck_assert_ptr_eq(a, b);                     /* same key, same SAS */
	ck_assert_ptr_nonnull(strstr(sas_id(a), "k-one"));   /* SAS-01 */
	m.call_id = "two";
	ck_assert_int_eq(ssm_sas_for_initial(fx.app, &m, &c), SSM_OK);
	ck_assert_ptr_ne(a, c);                     /* different key */
	ck_assert_int_eq(ssm_app_add(fx.m, "other", SSM_V11, 3, NULL, NULL,
				     &other), SSM_OK);
	ck_assert_int_eq(ssm_app_set_key_method(other, key_from_cid, NULL),
			 SSM_OK);
	m.call_id = "one";
	ck_assert_int_eq(ssm_sas_for_initial(other, &m, &d), SSM_OK);
	ck_assert_ptr_ne(a, d);                     /* other application */
	m.call_id = "nokey";
	ck_assert_int_eq(ssm_sas_for_initial(fx.app, &m, &e), SSM_OK);
	ck_assert_ptr_null(strstr(sas_id(e), "~"));   /* KEY-03: fresh */
}
END_TEST

START_TEST(test_sas_by_key)
{
	struct sas *a, *b, *none;

	ck_assert_int_eq(sas_by_key(fx.app, NULL, true, &a), SSM_NPE);
	ck_assert_int_eq(sas_by_key(fx.app, "k", false, &none), SSM_OK);
	ck_assert_ptr_null(none);
	ck_assert_int_eq(sas_by_key(fx.app, "k", true, &a), SSM_OK);
	ck_assert_int_eq(sas_set_iwr(a, false), SSM_OK);
	ck_assert_int_eq(sas_by_key(fx.app, "k", false, &b), SSM_OK);
	ck_assert_ptr_eq(a, b);
}
END_TEST

START_TEST(test_encoded_uri_targeting)
{
	struct sas *sas;
	char buf[256];

	ck_assert_int_eq(sas_create(fx.app, &sas), SSM_OK);
	ck_assert_int_eq(sas_set_iwr(sas, false), SSM_OK);
	ck_assert_int_eq(sas_encode_uri(sas, "sip:bob@example.com?Subject=x",
					buf, sizeof(buf)), SSM_OK);
	ck_assert_ptr_nonnull(strstr(buf, ";" SSM_SAS_PARAM "="));
	ck_assert_ptr_nonnull(strstr(buf, "?Subject=x"));
	ck_assert_ptr_eq(ssm_sas_from_encoded(fx.m, buf), sas);
	ck_assert_int_eq(sas_encode_uri(sas, "tel:+123", buf, sizeof(buf)),
			 SSM_IAE);
	ck_assert_int_eq(sas_encode_uri(sas, "sips:a@b", buf, 8), SSM_IAE);
	ck_assert_ptr_null(ssm_sas_from_encoded(fx.m, "sip:a@b;x=y"));
	ck_assert_ptr_null(ssm_sas_from_encoded(fx.m,
				"sip:a@b;" SSM_SAS_PARAM "=as-nope"));
	ck_assert_ptr_null(ssm_sas_from_encoded(fx.m,
				"sip:a@bx" SSM_SAS_PARAM "=as-1"));
	mem_ref(sas);
	ck_assert_int_eq(sas_encode_uri(sas, "sip:a@b", buf, sizeof(buf)),
			 SSM_OK);
	ck_assert_int_eq(sas_invalidate(sas), SSM_OK);
	ck_assert_ptr_null(ssm_sas_from_encoded(fx.m, buf));
	mem_deref(sas);
}
END_TEST

START_TEST(test_join_replaces)
{
	struct ss *ss = fx_session(SS_ROLE_UAS, "INVITE"), *got;
	struct ss *sub = fx_session(SS_ROLE_UAS, "SUBSCRIBE");

	fx_keep(ss);
	fx_keep(sub);
	fx_send(ss, SSM_IN, "INVITE", 0, NULL, 1);
	fx_send(ss, SSM_OUT, "INVITE", 200, "T", 1);
	ck_assert_int_eq(ssm_join_match(fx.m, "INVITE", false, false, "c1",
					"ft", "T", &got), SSM_JOIN_NONE);
	ck_assert_int_eq(ssm_join_match(fx.m, "INVITE", false, true, "c1",
					"T", "ft", &got), SSM_JOIN_MATCH);
	ck_assert_ptr_eq(got, ss);
	ck_assert_int_eq(ssm_join_match(fx.m, "INVITE", true, true, "c1",
					"T", "ft", &got), SSM_JOIN_BAD);
	ck_assert_int_eq(ssm_join_match(fx.m, "MESSAGE", true, false, "c1",
					"T", "ft", &got), SSM_JOIN_BAD);
	ck_assert_int_eq(ssm_join_match(fx.m, "INVITE", true, false, "zz",
					"T", "ft", &got), SSM_JOIN_NONE);
	fx_send(sub, SSM_IN, "SUBSCRIBE", 0, NULL, 1);
	fx_send(sub, SSM_OUT, "SUBSCRIBE", 200, "S", 1);
	ck_assert_int_eq(ssm_join_match(fx.m, "INVITE", false, true, "c1",
					"ft", "S", &got), SSM_JOIN_NOT_INVITE);
	fx_send(ss, SSM_IN, "BYE", 0, "T", 2);
	fx_send(ss, SSM_OUT, "BYE", 200, "T", 2);
	ck_assert_int_eq(ssm_join_match(fx.m, "INVITE", false, true, "c1",
					"ft", "T", &got), SSM_JOIN_TERMINATED);
}
END_TEST

START_TEST(test_subsequent_requests_not_keyed)
{
	struct ss *ss = fx_session(SS_ROLE_UAS, "INVITE");
	struct ssm_msg m;

	ck_assert_int_eq(ssm_app_set_key_method(fx.app, key_from_cid, NULL),
			 SSM_OK);
	fx_keep(ss);
	fx_send(ss, SSM_IN, "INVITE", 0, NULL, 1);
	fx_send(ss, SSM_OUT, "INVITE", 200, "T", 1);
	m = fx_msg(SSM_IN, "BYE", 0, "c1", "ft", "T", 2);
	ck_assert_ptr_eq(ssm_match(fx.m, &m), ss);   /* by dialog */
	m = fx_msg(SSM_IN, "BYE", 0, "c1", "T", "ft", 2);
	ck_assert_ptr_eq(ssm_match(fx.m, &m), ss);   /* callee's BYE */
	m = fx_msg(SSM_IN, "CANCEL", 0, "c1", "ft", NULL, 1);
	ck_assert_ptr_eq(ssm_match(fx.m, &m), ss);
	m = fx_msg(SSM_IN, "INFO", 0, "c1", "ft", "nope", 3);
	ck_assert_ptr_null(ssm_match(fx.m, &m));
	ck_assert_ptr_null(ssm_match(fx.m, NULL));
}
END_TEST

START_TEST(test_http_app_session_created_on_demand)
{
	struct hs *hs;
	struct sas *a, *b;
	struct ssm_psess ps[2];
	size_t n;

	ck_assert_int_eq(hs_create(fx.m, 0, &hs), SSM_OK);
	ck_assert_ptr_eq(ssm_find_hs(fx.m, hs_id(hs)), hs);
	ck_assert_int_eq(hs_app_session(hs, fx.app, &a), SSM_OK);
	ck_assert_int_eq(sas_set_iwr(a, false), SSM_OK);
	ck_assert_int_eq(hs_app_session(hs, fx.app, &b), SSM_OK);
	ck_assert_ptr_eq(a, b);
	ck_assert_int_eq(sas_sessions(a, false, "HTTP", ps, 2, &n), SSM_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_ptr_eq(ps[0].u.hs, hs);
	ck_assert_int_eq(hs_create_app_session(hs, fx.app, &b), SSM_OK);
	ck_assert_ptr_eq(a, b);                       /* HTTP-05 */
}
END_TEST

START_TEST(test_sas_encode_url_joins)
{
	struct sas *sas, *got;
	struct hs *hs;
	char url[256];
	struct ssm_psess p;
	bool found;

	ck_assert_int_eq(sas_create(fx.app, &sas), SSM_OK);
	ck_assert_int_eq(sas_set_iwr(sas, false), SSM_OK);
	ck_assert_int_eq(sas_encode_url(sas, "http://h/calls?x=1#f", url,
					sizeof(url)), SSM_OK);
	ck_assert_ptr_nonnull(strstr(url, "?x=1&" SSM_SAS_PARAM "=as-"));
	ck_assert_str_eq(url + strlen(url) - 2, "#f");
	ck_assert_int_eq(sas_encode_url(sas, "http://h/", url, sizeof(url)),
			 SSM_OK);
	ck_assert_ptr_nonnull(strstr(url, "/?" SSM_SAS_PARAM "="));
	got = ssm_sas_from_encoded(fx.m, url);
	ck_assert_ptr_eq(got, sas);
	ck_assert_int_eq(hs_create(fx.m, 0, &hs), SSM_OK);
	ck_assert_int_eq(hs_join(hs, got), SSM_OK);
	ck_assert_int_eq(hs_join(hs, got), SSM_OK);   /* once only */
	ck_assert_int_eq(sas_get_session(sas, hs_id(hs), "HTTP", &p, &found),
			 SSM_OK);
	ck_assert(found);
	ck_assert_ptr_eq(p.u.hs, hs);
	ck_assert_int_eq(sas_encode_url(sas, "http://h/", url, 10), SSM_IAE);
	ck_assert_int_eq(sas_encode_url(sas, NULL, url, 10), SSM_NPE);
}
END_TEST

START_TEST(test_hs_encode_url)
{
	struct hs *hs;
	char url[256];

	ck_assert_int_eq(hs_create(fx.m, 0, &hs), SSM_OK);
	ck_assert_int_eq(hs_encode_url(hs, "/calls?a=b", url, sizeof(url)),
			 SSM_OK);
	ck_assert_ptr_nonnull(strstr(url, "/calls;jsessionid=hs-"));
	ck_assert_ptr_nonnull(strstr(url, "?a=b"));
	ck_assert_int_eq(hs_encode_url_rel(hs, "/x", "https", "h:8443",
					   "/app", url, sizeof(url)), SSM_OK);
	ck_assert_int_eq(strncmp(url, "https://h:8443/app/x;jsessionid=",
				 32), 0);
	/* the javadoc's NullPointerException and IllegalArgumentException */
	ck_assert_int_eq(hs_encode_url(hs, NULL, url, sizeof(url)), SSM_NPE);
	ck_assert_int_eq(hs_encode_url_rel(hs, "/x", NULL, "h", NULL, url,
					   sizeof(url)), SSM_NPE);
	{
		char path[600];

		memset(path, 'p', sizeof(path) - 1);
		path[0] = '/';
		path[sizeof(path) - 1] = '\0';
		ck_assert_int_eq(hs_encode_url_rel(hs, path, "http", "h", NULL,
						   url, sizeof(url)), SSM_IAE);
	}
	ck_assert_int_eq(hs_set_attr(hs, NULL, url, NULL), SSM_NPE);
	ck_assert_int_eq(hs_set_attr(hs, "a", NULL, NULL), SSM_NPE);
	ck_assert_int_eq(hs_get_attr(hs, NULL, NULL), SSM_NPE);
	ck_assert_int_eq(hs_app_session(hs, NULL, NULL), SSM_NPE);
	mem_ref(hs);
	ck_assert_int_eq(hs_invalidate(hs), SSM_OK);
	ck_assert_int_eq(hs_encode_url(hs, "/", url, sizeof(url)), SSM_ISE);
	ck_assert_int_eq(hs_invalidate(hs), SSM_ISE);
	mem_deref(hs);
}
END_TEST

START_TEST(test_http_invalidated_with_sas)
{
	struct sas *sas;
	struct hs *hs;
	int v = 1;
	void *got;

	ck_assert_int_eq(hs_create(fx.m, 0, &hs), SSM_OK);
	ck_assert_int_eq(hs_set_attr(hs, "a", &v, NULL), SSM_OK);
	ck_assert_int_eq(hs_get_attr(hs, "a", &got), SSM_OK);
	ck_assert_ptr_eq(got, &v);
	ck_assert_int_eq(hs_app_session(hs, fx.app, &sas), SSM_OK);
	mem_ref(hs);
	ck_assert_int_eq(sas_invalidate(sas), SSM_OK);
	ck_assert(!hs_is_valid(hs));
	ck_assert_ptr_null(ssm_find_hs(fx.m, hs_id(hs)));
	ck_assert_int_eq(hs_get_attr(hs, "a", &got), SSM_ISE);
	ck_assert_int_eq(hs_set_attr(hs, "a", &v, NULL), SSM_ISE);
	mem_deref(hs);
}
END_TEST

START_TEST(test_http_timeout_independent)
{
	struct sas *sas;
	struct hs *hs;
	int64_t e1, e2;

	ck_assert_int_eq(hs_create(fx.m, 60, &hs), SSM_OK);
	ck_assert_int_eq(hs_app_session(hs, fx.app, &sas), SSM_OK);
	ck_assert_int_eq(sas_expiration_time(sas, &e1), SSM_OK);
	fx_advance(50000);
	ck_assert_int_eq(hs_access(hs), SSM_OK);
	ck_assert_int_eq(sas_expiration_time(sas, &e2), SSM_OK);
	ck_assert_int_eq(e1, e2);           /* HTTP traffic: SAS unchanged */
	fx_advance(50000);
	ck_assert(hs_is_valid(hs));         /* extended by the access */
	mem_ref(hs);
	mem_ref(sas);
	fx_advance(10000);
	ck_assert(!hs_is_valid(hs));        /* its own timeout */
	ck_assert(!sas_is_valid(sas));      /* nothing left: ready, gone */
	mem_deref(sas);
	mem_deref(hs);
}
END_TEST

/* setMaxInactiveInterval: counted from now; 0 never times out (HTTP-06). */
START_TEST(test_http_max_inactive)
{
	struct hs *hs;

	ck_assert_int_eq(hs_create(fx.m, 60, &hs), SSM_OK);
	ck_assert_int_eq(hs_max_inactive(hs), 60);
	fx_advance(59000);
	ck_assert_int_eq(hs_set_max_inactive(hs, 2), SSM_OK);
	ck_assert_int_eq(hs_max_inactive(hs), 2);
	fx_advance(1900);
	ck_assert(hs_is_valid(hs));         /* 60.9 s after creation */
	ck_assert_int_eq(hs_set_max_inactive(hs, 0), SSM_OK);
	fx_advance(10000);
	ck_assert(hs_is_valid(hs));         /* 0: no timeout */
	ck_assert_int_eq(hs_set_max_inactive(hs, 2), SSM_OK);
	mem_ref(hs);
	fx_advance(2000);
	ck_assert(!hs_is_valid(hs));
	ck_assert_int_eq(hs_set_max_inactive(hs, 5), SSM_ISE);
	mem_deref(hs);
	ck_assert_int_eq(hs_set_max_inactive(NULL, 5), SSM_NPE);
}
END_TEST

START_TEST(test_proxy_defaults)
{
	for (int side = 0; side < 2; side++) {
		struct ssm_opts o;
		struct ssm_proxy_cfg c;

		ssm_opts_default(&o);
		o.cf09_supervised_default = !side;
		fx_model(&o, SSM_V11);
		ssm_proxy_defaults(fx.m, &c);
		ck_assert(c.recurse && !c.record_route && c.parallel &&
			  c.stateful && !c.add_to_path && !c.no_cancel);
		ck_assert_int_eq(c.proxy_timeout_s, 180);
		ck_assert(c.supervised == !side);
	}
}
END_TEST

START_TEST(test_best_response)
{
	static const int a[] = {486, 404}, b[] = {404, 415}, c[] = {503},
		d[] = {486, 603, 404}, e[] = {302, 486};
	struct ssm_opts o;

	ck_assert_int_eq(ssm_best_response(fx.m, a, 2), 404);
	ck_assert_int_eq(ssm_best_response(fx.m, b, 2), 404);
	ck_assert_int_eq(ssm_best_response(fx.m, c, 1), 503);
	ck_assert_int_eq(ssm_best_response(fx.m, d, 3), 603);
	ck_assert_int_eq(ssm_best_response(fx.m, e, 2), 302);
	ck_assert_int_eq(ssm_best_response(fx.m, NULL, 0), 0);
	ssm_opts_default(&o);
	o.cf16_rfc3261_best_response = 1;
	fx_model(&o, SSM_V11);
	ck_assert_int_eq(ssm_best_response(fx.m, a, 2), 404);
	ck_assert_int_eq(ssm_best_response(fx.m, b, 2), 415);
	ck_assert_int_eq(ssm_best_response(fx.m, c, 1), 500);
	ck_assert_int_eq(ssm_best_response(fx.m, d, 3), 603);
}
END_TEST

START_TEST(test_cancel_rules)
{
	struct ssm_opts o;

	ck_assert(ssm_cancels_branches(fx.m, 200, false));
	ck_assert(!ssm_cancels_branches(fx.m, 200, true));
	ck_assert(ssm_cancels_branches(fx.m, 603, false));
	ck_assert(!ssm_cancels_branches(fx.m, 486, false));
	ck_assert(!ssm_cancels_branches(fx.m, 180, false));
	ssm_opts_default(&o);
	o.cf17_6xx_no_cancel = 1;
	fx_model(&o, SSM_V11);
	ck_assert(!ssm_cancels_branches(fx.m, 603, false));
	ck_assert(ssm_cancels_branches(fx.m, 200, false));
}
END_TEST

/*
 * CF-18.  A parallel fork to A and B: A rings and times out, B answers
 * 486.  The messages are the ones the SIP layer feeds the model on each
 * side (model/sip/sipc.c px_on_timeout): both CANCEL A; by default A's
 * response is a synthesized 408 at once, under CF-18 the 487 it answers
 * the CANCEL with, which counts in the best response like any final.
 */
START_TEST(test_branch_timeout_cf18)
{
	static const int synth[] = {408, 486}, cancelled[] = {487, 486};

	for (int side = 0; side < 2; side++) {
		struct ssm_opts o;
		struct ss *ss;
		int best;

		ssm_opts_default(&o);
		o.cf18_timeout_cancels = side;
		fx_model(&o, SSM_V11);
		/* no provisional response yet: a 408 on both sides */
		ck_assert(!ssm_timeout_waits_final(fx.m, false));
		ck_assert(ssm_timeout_waits_final(fx.m, true) == (side == 1));

		ss = fx_session(SS_ROLE_PROXY, "INVITE");
		fx_keep(ss);
		ck_assert_int_eq(ss_set_proxy(ss, true), SSM_OK);
		fx_send(ss, SSM_IN, "INVITE", 0, NULL, 1);
		fx_send(ss, SSM_OUT, "INVITE", 0, NULL, 1);       /* to A */
		fx_send(ss, SSM_OUT, "INVITE", 0, NULL, 1);       /* to B */
		fx_send(ss, SSM_IN, "INVITE", 180, "A", 1);
		fx_send(ss, SSM_OUT, "INVITE", 180, "A", 1);
		ck_assert_int_eq(fx_state(ss), SS_EARLY);
		/* A times out after its 180: CANCELled on both sides */
		fx_send(ss, SSM_OUT, "CANCEL", 0, NULL, 1);
		fx_send(ss, SSM_IN, "CANCEL", 200, NULL, 1);
		ck_assert_int_eq(fx_state(ss), SS_EARLY);
		if (side) {
			/* its 487 is its response (SS-STATE-31) */
			fx_send(ss, SSM_IN, "INVITE", 487, "A", 1);
			ck_assert_int_eq(fx_state(ss), SS_INITIAL);
		}
		fx_send(ss, SSM_IN, "INVITE", 486, "B", 1);
		ck_assert_int_eq(fx_state(ss), SS_INITIAL);
		best = ssm_best_response(fx.m, side ? cancelled : synth, 2);
		ck_assert_int_eq(best, side ? 486 : 408);      /* PROXY-10 */
		fx_send(ss, SSM_OUT, "INVITE", best, side ? "B" : "p", 1);
		ck_assert_int_eq(fx_state(ss), SS_TERMINATED);
		if (!side) {
			/* A's 487 after the 408 went upstream changes
			 * nothing */
			fx_send(ss, SSM_IN, "INVITE", 487, "A", 1);
			ck_assert_int_eq(fx_state(ss), SS_TERMINATED);
		}
		ck_assert_uint_eq(ss_pending(ss), 0);
	}
}
END_TEST

const struct utest t_b2b[] = {
	UTEST(test_b2b_leg_new_call_id_and_tag, "B2B-02 B2B-12"),
	UTEST(test_factory_same_call_id, "B2B-11"),
	UTEST(test_b2b_invalid_original, "B2B-04 B2B-07"),
	UTEST(test_b2b_too_many_hops, "B2B-03"),
	UTEST(test_b2b_or_proxy_not_both, "B2B-01 PROXY-02"),
	UTEST(test_b2b_header_map, "B2B-04"),
	UTEST(test_b2b_linking, "B2B-04 B2B-05 B2B-06"),
	UTEST(test_b2b_subsequent_request, "B2B-07 CF-13"),
	UTEST(test_app_key_targets_sas, "KEY-01 KEY-02 KEY-03 SAS-01"),
	UTEST(test_sas_by_key, "KEY-04"),
	UTEST(test_encoded_uri_targeting, "KEY-05"),
	UTEST(test_join_replaces, "KEY-06"),
	UTEST(test_subsequent_requests_not_keyed, "KEY-07"),
	UTEST(test_http_app_session_created_on_demand,
	      "HTTP-01 HTTP-05 OWN-05"),
	UTEST(test_sas_encode_url_joins, "HTTP-02 HTTP-04"),
	UTEST(test_hs_encode_url, "HTTP-03"),
	UTEST(test_http_invalidated_with_sas, "HTTP-04 INVAL-03"),
	UTEST(test_http_timeout_independent, "HTTP-06"),
	UTEST(test_http_max_inactive, "HTTP-06"),
	UTEST(test_proxy_defaults, "PROXY-01 CF-09"),
	UTEST(test_best_response, "PROXY-10 CF-16"),
	UTEST(test_cancel_rules, "PROXY-09 CF-17"),
	UTEST(test_branch_timeout_cf18, "PROXY-10 CF-18"),
	{0},
};
