/**
 * @file conformance/unit/t_dist.c  Distributed sessions (DIST-*, CF-21, CF-22)
 *
 * Two models stand for two nodes of a cluster: the fixture's (node A) and
 * one made here (node B) on the same fake clock, each with the application
 * "app" deployed.  An application session is written on A with
 * ssm_dist_save() and rebuilt on B with ssm_dist_restore(); the next
 * message of the dialog goes to B through ssm_match() and ssm_dispatch(),
 * as the container would send it.  Values are strings; one that starts
 * with '!' stands for a value that is not Serializable.
 */
#include <stdlib.h>
#include "unit.h"

/* ----- the codec: strings, '!' not serializable ----- */

static bool c_serializable(enum ssm_kind kind, const char *name,
			   const void *value, void *arg)
{
	(void)kind;
	(void)name;
	(void)arg;
	return *(const char *)value != '!';
}

static int c_encode(enum ssm_kind kind, const char *name, const void *value,
		    char **textp, void *arg)
{
	(void)kind;
	(void)name;
	(void)arg;
	if (!strcmp(value, "refuse"))
		return SSM_IAE;                 /* the codec's own error */
	*textp = strdup(value);
	return *textp ? SSM_OK : SSM_NOMEM;
}

static void c_unbound(void *value, const char *name, enum ssm_kind kind,
		      void *owner, void *arg)
{
	(void)name;
	(void)kind;
	(void)owner;
	(void)arg;
	free(value);
}

static int decode_fails;

static int c_decode(enum ssm_kind kind, const char *name, const char *text,
		    void **valuep, struct ssm_binding *bp, void *arg)
{
	(void)kind;
	(void)name;
	(void)arg;
	if (decode_fails && !strcmp(text, "bad"))
		return SSM_IAE;
	*valuep = strdup(text);
	bp->unbound = c_unbound;                /* node B frees its copies */
	return *valuep ? SSM_OK : SSM_NOMEM;
}

static int discarded;

static void c_discard(enum ssm_kind kind, const char *name, void *value,
		      void *arg)
{
	(void)kind;
	(void)name;
	(void)arg;
	discarded++;
	free(value);
}

static void c_activation(bool activate, enum ssm_kind kind, void *owner,
			 const char *name)
{
	const char *id = kind == SSM_KIND_SS ? ss_id(owner) : sas_id(owner);

	fx_log("%s:%s:%s:%s", activate ? "activate" : "passivate",
	       kind == SSM_KIND_SS ? "ss" : "sas", id, name);
}

static void c_will_passivate(enum ssm_kind kind, void *owner,
			     const char *name, void *value, void *arg)
{
	(void)value;
	(void)arg;
	c_activation(false, kind, owner, name);
}

static void c_did_activate(enum ssm_kind kind, void *owner,
			   const char *name, void *value, void *arg)
{
	(void)value;
	(void)arg;
	c_activation(true, kind, owner, name);
}

static const struct ssm_codec codec = {
	.serializable = c_serializable,
	.encode = c_encode,
	.decode = c_decode,
	.discard = c_discard,
	.will_passivate = c_will_passivate,
	.did_activate = c_did_activate,
};

/* ----- node B ----- */

static uint64_t clock_b(void *arg)
{
	(void)arg;
	return fx.now;
}

static void b_ss_created(struct ss *ss, void *arg)
{
	(void)ss;
	(void)arg;
	fx_log("b:ss_created");
}

static void b_ss_destroyed(struct ss *ss, void *arg)
{
	(void)arg;
	fx_log("b:ss_destroyed:%s", ss_id(ss));
}

static void b_sas_created(struct sas *sas, void *arg)
{
	(void)sas;
	(void)arg;
	fx_log("b:sas_created");
}

static void b_sas_expired(struct sas *sas, void *arg)
{
	(void)arg;
	fx_log("b:sas_expired:%s", sas_id(sas));
}

static void b_attr(enum ssm_attr_ev ev, enum ssm_kind kind, void *owner,
		   const char *name, void *value, void *arg)
{
	(void)kind;
	(void)owner;
	(void)value;
	(void)arg;
	fx_log("b:attr%d:%s", (int)ev, name);
}

static void b_timeout(struct ssm_timer *t, void *arg)
{
	(void)arg;
	fx_log("b:timeout:%s:%s", ssm_timer_id(t),
	       (const char *)ssm_timer_info(t));
}

static const struct ssm_listeners b_listeners = {
	.ss_created = b_ss_created,
	.ss_destroyed = b_ss_destroyed,
	.sas_created = b_sas_created,
	.sas_expired = b_sas_expired,
	.attr = b_attr,
	.timeout = b_timeout,
};

/** Node B with "app" deployed, distributable like node A's. */
static struct ssm *node_b(const struct ssm_opts *opts)
{
	struct ssm *m;
	struct ssm_app *app;

	ck_assert_int_eq(ssm_alloc(&m, opts, clock_b, NULL), SSM_OK);
	ck_assert_int_eq(ssm_app_add(m, "app", SSM_V11, SSM_DEFAULT_TIMEOUT,
				     &b_listeners, NULL, &app), SSM_OK);
	ck_assert_int_eq(ssm_app_set_distributable(app, &codec), SSM_OK);
	return m;
}

/** A message of @ss's dialog as node @m receives it: matched, then
 * dispatched (the container's path).  @return the session it moved. */
static struct ss *deliver(struct ssm *m, const char *cid, const char *ftag,
			  const char *ttag, enum ssm_dir dir,
			  const char *method, int status, uint32_t cseq)
{
	struct ssm_msg msg = fx_msg(dir, method, status, cid, ftag, ttag,
				    cseq);
	struct ss *ss = ssm_match(m, &msg);

	ck_assert_ptr_nonnull(ss);
	ck_assert_int_eq(ssm_dispatch(ss, &msg, NULL, NULL), SSM_OK);
	return ss;
}

/** A confirmed UAS dialog on node A: Call-ID c1, tags ft (caller) and tt. */
static struct ss *confirmed_uas(void)
{
	struct ss *ss;

	ck_assert_int_eq(ssm_app_set_distributable(fx.app, &codec), SSM_OK);
	ss = fx_session(SS_ROLE_UAS, "INVITE");
	fx_send(ss, SSM_IN, "INVITE", 0, NULL, 1);
	fx_send(ss, SSM_OUT, "INVITE", 180, "tt", 1);
	fx_send(ss, SSM_OUT, "INVITE", 200, "tt", 1);
	fx_send(ss, SSM_IN, "ACK", 0, "tt", 1);
	ck_assert_int_eq(fx_state(ss), SS_CONFIRMED);
	return ss;
}

static struct sas *sas_of(struct ss *ss)
{
	struct sas *sas;

	ck_assert_int_eq(ss_app_session(ss, &sas), SSM_OK);
	return sas;
}

static const char *attr_of(struct ss *ss, const char *name)
{
	void *v;

	ck_assert_int_eq(ss_get_attr(ss, name, &v), SSM_OK);
	return v;
}

/* ----- tests ----- */

/*
 * The node that handled INVITE, 200 and ACK dies after writing its
 * replica; the BYE reaches node B, which has the same application session
 * and SipSession, ids, state, parties, tags and attributes, fires no
 * created listener, and ends the dialog as A would have.
 */
START_TEST(test_dist_failover_bye)
{
	struct ss *a = confirmed_uas(), *b;
	struct sas *sas_a = sas_of(a), *sas_b;
	struct ssm *nb = node_b(NULL);
	char *text, sas_id_a[64], ss_id_a[32];
	const char *l, *r, *cid;
	uint64_t created, t;
	void *v;

	ck_assert_int_eq(ss_set_attr(a, "who", "alice", NULL), SSM_OK);
	ck_assert_int_eq(sas_set_attr(sas_a, "plan", "gold", NULL), SSM_OK);
	ck_assert_int_eq(ss_creation_time(a, &created), SSM_OK);
	snprintf(sas_id_a, sizeof(sas_id_a), "%s", sas_id(sas_a));
	snprintf(ss_id_a, sizeof(ss_id_a), "%s", ss_id(a));
	fx.log[0] = '\0';
	ck_assert_int_eq(ssm_dist_save(sas_a, SSM_DIST_REPLICATE, &text),
			 SSM_OK);
	/* DIST-15: a replica notifies nobody; the SAS stays on A */
	ck_assert_str_eq(fx.log, "");
	ck_assert(sas_is_valid(sas_a));

	/* A dies: it calls nothing (DIST-13) */
	ck_assert_int_eq(ssm_dist_evict(sas_a), SSM_OK);
	ck_assert_uint_eq(ssm_count_sas(fx.m), 0);
	ck_assert_str_eq(fx.log, "");

	fx.now += 1500;
	ck_assert_int_eq(ssm_dist_restore(nb, text, &sas_b), SSM_OK);
	free(text);
	ck_assert_str_eq(sas_id(sas_b), sas_id_a);
	ck_assert_uint_eq(ssm_count_sas(nb), 1);
	ck_assert_uint_eq(ssm_count_ss(nb), 1);
	ck_assert_int_eq(sas_get_sip_session(sas_b, ss_id_a, &b), SSM_OK);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(fx_state(b), SS_CONFIRMED);
	ck_assert_int_eq(ss_role(b), SS_ROLE_UAS);
	ck_assert_int_eq(ss_call_id(b, &cid), SSM_OK);
	ck_assert_str_eq(cid, "c1");
	ck_assert_int_eq(ss_tags(b, &l, &r), SSM_OK);
	ck_assert_str_eq(l, "tt");
	ck_assert_str_eq(r, "ft");
	ck_assert_int_eq(ss_local_party(b, &l), SSM_OK);
	ck_assert_str_eq(l, "sip:b@y");
	ck_assert_int_eq(ss_remote_party(b, &r), SSM_OK);
	ck_assert_str_eq(r, "sip:a@x");
	ck_assert_int_eq(ss_creation_time(b, &t), SSM_OK);
	ck_assert_uint_eq(t, created);
	ck_assert_str_eq(attr_of(b, "who"), "alice");
	ck_assert_int_eq(sas_get_attr(sas_b, "plan", &v), SSM_OK);
	ck_assert_str_eq(v, "gold");
	/* DIST-12, DIST-14: activation, the SAS first; nothing created */
	ck_assert_msg(strstr(fx.log, "activate:sas:") &&
		      strstr(fx.log, "activate:ss:") &&
		      strstr(fx.log, "activate:sas:") <
		      strstr(fx.log, "activate:ss:"), "%s", fx.log);
	ck_assert_ptr_null(strstr(fx.log, "created"));
	ck_assert_ptr_null(strstr(fx.log, "b:attr"));

	/* the BYE moves B's session as it would have moved A's */
	fx.log[0] = '\0';
	ck_assert_ptr_eq(deliver(nb, "c1", "ft", "tt", SSM_IN, "BYE", 0, 2),
			 b);
	ck_assert_int_eq(fx_state(b), SS_CONFIRMED);
	mem_ref(b);
	deliver(nb, "c1", "ft", "tt", SSM_OUT, "BYE", 200, 2);
	ck_assert(!ss_is_valid(b));             /* TERMINATED, then ready */
	ck_assert_ptr_nonnull(strstr(fx.log, "b:ss_destroyed"));
	mem_deref(b);
	ck_assert_uint_eq(ssm_count_sas(nb), 0);
	ssm_shutdown(nb);
}
END_TEST

/* A transaction in flight stays behind: B has the dialog with nothing
 * pending, and the retransmitted re-INVITE is a new transaction there. */
START_TEST(test_dist_transaction_not_carried)
{
	struct ss *a = confirmed_uas(), *b;
	struct ssm *nb = node_b(NULL);
	struct sas *sas_b;
	char *text;

	fx_send(a, SSM_IN, "INVITE", 0, "tt", 2);       /* re-INVITE */
	ck_assert_uint_eq(ss_pending(a), 1);
	ck_assert_int_eq(ssm_dist_save(sas_of(a), SSM_DIST_REPLICATE, &text),
			 SSM_OK);
	ck_assert_int_eq(ssm_dist_restore(nb, text, &sas_b), SSM_OK);
	free(text);
	ck_assert_int_eq(sas_get_sip_session(sas_b, ss_id(a), &b), SSM_OK);
	ck_assert_uint_eq(ss_pending(b), 0);
	ck_assert_int_eq(fx_state(b), SS_CONFIRMED);
	ck_assert_uint_eq(ss_pending(a), 1);    /* A is left as it was */

	deliver(nb, "c1", "ft", "tt", SSM_IN, "INVITE", 0, 2);
	ck_assert_uint_eq(ss_pending(b), 1);
	deliver(nb, "c1", "ft", "tt", SSM_OUT, "INVITE", 200, 2);
	ck_assert_uint_eq(ss_pending(b), 0);
	ck_assert_int_eq(fx_state(b), SS_CONFIRMED);
	ssm_shutdown(nb);
}
END_TEST

/* A UAC session goes on numbering: the next request created on B has the
 * next CSeq, the same Call-ID and both tags. */
START_TEST(test_dist_uac_cseq)
{
	struct ss *a, *b;
	struct ssm *nb = node_b(NULL);
	struct sas *sas_b;
	struct ss_req req;
	char *text, cid[64], ftag[32];

	ck_assert_int_eq(ssm_app_set_distributable(fx.app, &codec), SSM_OK);
	a = fx_session(SS_ROLE_UAC, "INVITE");
	ck_assert_int_eq(ss_create_request(a, "INVITE", &req), SSM_OK);
	snprintf(cid, sizeof(cid), "%s", req.call_id);
	snprintf(ftag, sizeof(ftag), "%s", req.from_tag);
	fx_send(a, SSM_OUT, "INVITE", 0, NULL, req.cseq);
	fx_send(a, SSM_IN, "INVITE", 200, "callee", req.cseq);
	fx_send(a, SSM_OUT, "ACK", 0, "callee", req.cseq);
	ck_assert_int_eq(ss_create_request(a, "INFO", &req), SSM_OK);
	fx_send(a, SSM_OUT, "INFO", 0, "callee", req.cseq);
	fx_send(a, SSM_IN, "INFO", 200, "callee", req.cseq);

	mem_ref(a);                     /* its id, after it left node A */
	ck_assert_int_eq(ssm_dist_save(sas_of(a), SSM_DIST_PASSIVATE, &text),
			 SSM_OK);
	ck_assert_int_eq(ssm_dist_restore(nb, text, &sas_b), SSM_OK);
	free(text);
	ck_assert_int_eq(sas_get_sip_session(sas_b, ss_id(a), &b), SSM_OK);
	mem_deref(a);
	ck_assert_int_eq(ss_role(b), SS_ROLE_UAC);
	ck_assert_int_eq(ss_create_request(b, "INFO", &req), SSM_OK);
	ck_assert_str_eq(req.call_id, cid);
	ck_assert_str_eq(req.from_tag, ftag);
	ck_assert_str_eq(req.to_tag, "callee");
	ck_assert_uint_eq(req.cseq, 3);
	ssm_shutdown(nb);
}
END_TEST

/* Timers and expiry keep their due times and ids on B; one that fell due
 * while no node held the session fires at B's next run. */
START_TEST(test_dist_timers_and_expiry)
{
	struct ss *a = confirmed_uas();
	struct sas *sas_a = sas_of(a), *sas_b;
	struct ssm *nb = node_b(NULL);
	struct ssm_timer *t5, *t1, *tb;
	int64_t exp_a, exp_b;
	char *text, id5[32], id1[32];

	fx_keep(a);
	ck_assert_int_eq(ssm_timer_create(sas_a, 5000, 0, false, "five",
					  &t5), SSM_OK);
	ck_assert_int_eq(ssm_timer_create(sas_a, 1000, 0, false, "one",
					  &t1), SSM_OK);
	snprintf(id5, sizeof(id5), "%s", ssm_timer_id(t5));
	snprintf(id1, sizeof(id1), "%s", ssm_timer_id(t1));
	fx.now += 500;
	ck_assert_int_eq(sas_expiration_time(sas_a, &exp_a), SSM_OK);
	ck_assert_int_eq(ssm_dist_save(sas_a, SSM_DIST_PASSIVATE, &text),
			 SSM_OK);
	ck_assert_uint_eq(ssm_count_sas(fx.m), 0);      /* left node A */

	fx.now += 1000;                 /* "one" falls due on no node */
	fx.log[0] = '\0';
	ck_assert_int_eq(ssm_dist_restore(nb, text, &sas_b), SSM_OK);
	free(text);
	ck_assert_int_eq(sas_get_timer(sas_b, id5, &tb), SSM_OK);
	ck_assert_ptr_nonnull(tb);
	ck_assert_int_eq(ssm_timer_remaining(tb), 3500);
	ck_assert_int_eq(sas_expiration_time(sas_b, &exp_b), SSM_OK);
	ck_assert_int_eq(exp_b, exp_a);
	ck_assert_ptr_null(strstr(fx.log, "b:timeout"));
	ssm_run_timers(nb);
	ck_assert_msg(strstr(fx.log, "b:timeout:") &&
		      strstr(fx.log, id1), "%s", fx.log);
	ck_assert_ptr_null(strstr(fx.log, id5));
	fx.now += 3500;
	ssm_run_timers(nb);
	ck_assert_ptr_nonnull(strstr(fx.log, id5));
	ck_assert_ptr_nonnull(strstr(fx.log, "b:timeout:"));
	ck_assert_ptr_null(strstr(fx.log, "b:sas_expired"));
	fx.now = (uint64_t)exp_b;
	ssm_run_timers(nb);
	ck_assert_ptr_nonnull(strstr(fx.log, "b:sas_expired"));
	ck_assert_uint_eq(ssm_count_sas(nb), 0);
	ssm_shutdown(nb);
}
END_TEST

/* Migration: will-passivate on A, SipSessions first, then the SAS, and
 * the SAS leaves A without any invalidation listener; did-activate on B,
 * the SAS first. */
START_TEST(test_dist_passivate_then_activate)
{
	struct ss *a = confirmed_uas();
	struct sas *sas_a = sas_of(a);
	struct ssm *nb = node_b(NULL);
	char *text, want[256];

	ck_assert_int_eq(ss_set_attr(a, "x", "1", NULL), SSM_OK);
	ck_assert_int_eq(sas_set_attr(sas_a, "y", "2", NULL), SSM_OK);
	fx.log[0] = '\0';
	fx.trace[0] = '\0';
	snprintf(want, sizeof(want), "passivate:ss:%s:x passivate:sas:%s:y ",
		 ss_id(a), sas_id(sas_a));
	mem_ref(a);
	mem_ref(sas_a);
	ck_assert_int_eq(ssm_dist_save(sas_a, SSM_DIST_PASSIVATE, &text),
			 SSM_OK);
	ck_assert_str_eq(fx.log, want);
	ck_assert_str_eq(fx.trace, "ss-will-passivate sas-will-passivate ");
	ck_assert(!sas_is_valid(sas_a));
	ck_assert(!ss_is_valid(a));
	ck_assert_uint_eq(ssm_count_ss(fx.m), 0);

	fx.log[0] = '\0';
	ck_assert_int_eq(ssm_dist_restore(nb, text, NULL), SSM_OK);
	snprintf(want, sizeof(want), "activate:sas:%s:y activate:ss:%s:x ",
		 sas_id(sas_a), ss_id(a));
	ck_assert_str_eq(fx.log, want);
	free(text);
	mem_deref(a);
	mem_deref(sas_a);
	ssm_shutdown(nb);
}
END_TEST

/* CF-21: a replica of a session that stays on its node notifies nobody
 * by default; on the other side will-passivate and did-activate fire on
 * the same node around it. */
START_TEST(test_dist_replica_notifies_cf21)
{
	for (int side = 0; side <= 1; side++) {
		struct ssm_opts o;
		struct ss *a;
		char *text;

		ssm_opts_default(&o);
		ck_assert_int_eq(o.cf21_replica_notifies, 0);
		o.cf21_replica_notifies = side;
		fx_model(&o, SSM_V11);
		a = confirmed_uas();
		ck_assert_int_eq(ss_set_attr(a, "x", "1", NULL), SSM_OK);
		fx.log[0] = '\0';
		ck_assert_int_eq(ssm_dist_save(sas_of(a), SSM_DIST_REPLICATE,
					       &text), SSM_OK);
		free(text);
		ck_assert(ss_is_valid(a));
		if (side)
			ck_assert_msg(strstr(fx.log, "passivate:ss:") <
				      strstr(fx.log, "activate:ss:") &&
				      strstr(fx.log, "passivate:ss:"),
				      "%s", fx.log);
		else
			ck_assert_str_eq(fx.log, "");
	}
}
END_TEST

/* DIST-04 and CF-22: a value that cannot move is refused with IAE in a
 * distributable application (and nothing fires), accepted elsewhere; on
 * CF-22's other side it is kept on the node and left out of the replica. */
START_TEST(test_dist_non_serializable_cf22)
{
	struct ss *a;
	struct sas *sas_a, *sas_b;
	struct ssm *nb;
	struct ssm_opts o;
	char *text;
	void *v;

	a = fx_session(SS_ROLE_UAS, "INVITE");
	ck_assert(!ssm_app_distributable(fx.app));
	ck_assert_int_eq(ss_set_attr(a, "sock", "!sock", NULL), SSM_OK);
	ck_assert_int_eq(ssm_dist_save(sas_of(a), SSM_DIST_REPLICATE, &text),
			 SSM_ISE);                       /* DIST-01 */

	fx_model(NULL, SSM_V11);
	a = confirmed_uas();
	sas_a = sas_of(a);
	ck_assert(ssm_app_distributable(fx.app));
	fx.log[0] = '\0';
	ck_assert_int_eq(ss_set_attr(a, "sock", "!sock", NULL), SSM_IAE);
	ck_assert_int_eq(sas_set_attr(sas_a, "sock", "!sock", NULL), SSM_IAE);
	ck_assert_str_eq(fx.log, "");
	ck_assert_ptr_null(attr_of(a, "sock"));
	ck_assert_int_eq(ss_set_attr(a, "ok", "fine", NULL), SSM_OK);

	ssm_opts_default(&o);
	ck_assert_int_eq(o.cf22_keep_unserializable, 0);
	o.cf22_keep_unserializable = 1;
	fx_model(&o, SSM_V11);
	a = confirmed_uas();
	sas_a = sas_of(a);
	ck_assert_int_eq(ss_set_attr(a, "sock", "!sock", NULL), SSM_OK);
	ck_assert_int_eq(sas_set_attr(sas_a, "fd", "!fd", NULL), SSM_OK);
	ck_assert_int_eq(ss_set_attr(a, "ok", "fine", NULL), SSM_OK);
	ck_assert_int_eq(ssm_dist_save(sas_a, SSM_DIST_REPLICATE, &text),
			 SSM_OK);
	ck_assert_str_eq(attr_of(a, "sock"), "!sock");  /* still on A */
	nb = node_b(&o);
	ck_assert_int_eq(ssm_dist_restore(nb, text, &sas_b), SSM_OK);
	free(text);
	ck_assert_int_eq(sas_get_attr(sas_b, "fd", &v), SSM_OK);
	ck_assert_ptr_null(v);
	{
		struct ss *b;

		ck_assert_int_eq(sas_get_sip_session(sas_b, ss_id(a), &b),
				 SSM_OK);
		ck_assert_ptr_null(attr_of(b, "sock"));  /* lost */
		ck_assert_str_eq(attr_of(b, "ok"), "fine");
	}
	ssm_shutdown(nb);
}
END_TEST

/* A B2BUA's application session fails over as one: both legs, their
 * link, and each leg's dialog. */
START_TEST(test_dist_b2bua_two_legs)
{
	struct ss *in = confirmed_uas(), *out, *bin, *bout, *peer;
	struct ssm *nb = node_b(NULL);
	struct sas *sas_b;
	struct ss_req req;
	char *text, tag[32];
	const char *cid;

	ck_assert_int_eq(ss_b2b_leg(in, true, 70, "sip:b2b@z", "sip:c@w",
				    &out), SSM_OK);
	ck_assert_int_eq(ss_create_request(out, "INVITE", &req), SSM_OK);
	fx_send(out, SSM_OUT, "INVITE", 0, NULL, req.cseq);
	fx_send(out, SSM_IN, "INVITE", 200, "carol", req.cseq);
	fx_send(out, SSM_OUT, "ACK", 0, "carol", req.cseq);
	ck_assert_int_eq(fx_state(out), SS_CONFIRMED);
	snprintf(tag, sizeof(tag), "%s", req.from_tag);

	mem_ref(in);
	mem_ref(out);
	ck_assert_int_eq(ssm_dist_save(sas_of(in), SSM_DIST_PASSIVATE,
				       &text), SSM_OK);
	ck_assert_int_eq(ssm_dist_restore(nb, text, &sas_b), SSM_OK);
	free(text);
	ck_assert_uint_eq(ssm_count_ss(nb), 2);
	ck_assert_int_eq(sas_get_sip_session(sas_b, ss_id(in), &bin), SSM_OK);
	ck_assert_int_eq(sas_get_sip_session(sas_b, ss_id(out), &bout),
			 SSM_OK);
	ck_assert_int_eq(ss_linked(bin, &peer), SSM_OK);
	ck_assert_ptr_eq(peer, bout);
	mem_deref(in);
	mem_deref(out);
	ck_assert_int_eq(fx_state(bout), SS_CONFIRMED);
	ck_assert_int_eq(ss_call_id(bout, &cid), SSM_OK);
	ck_assert_ptr_eq(deliver(nb, cid, "carol", tag, SSM_IN,
				 "BYE", 0, 1), bout);
	ssm_shutdown(nb);
}
END_TEST

/* A forked call: the derived session comes back as a derived session of
 * the same original, and the 200 of its branch finds it on B. */
START_TEST(test_dist_derived_session)
{
	struct ss *a, *d, *bd, *borig;
	struct ssm *nb = node_b(NULL);
	struct sas *sas_b;
	struct ss_req req;
	char *text;

	ck_assert_int_eq(ssm_app_set_distributable(fx.app, &codec), SSM_OK);
	a = fx_session(SS_ROLE_UAC, "INVITE");
	ck_assert_int_eq(ss_create_request(a, "INVITE", &req), SSM_OK);
	fx_send(a, SSM_OUT, "INVITE", 0, NULL, req.cseq);
	fx_send(a, SSM_IN, "INVITE", 180, "one", req.cseq);
	d = fx_send(a, SSM_IN, "INVITE", 180, "two", req.cseq);
	ck_assert_ptr_ne(d, a);
	ck_assert_int_eq(ss_set_attr(d, "branch", "two", NULL), SSM_OK);

	ck_assert_int_eq(ssm_dist_save(sas_of(a), SSM_DIST_REPLICATE, &text),
			 SSM_OK);
	ck_assert_int_eq(ssm_dist_restore(nb, text, &sas_b), SSM_OK);
	free(text);
	ck_assert_int_eq(sas_get_sip_session(sas_b, ss_id(d), &bd), SSM_OK);
	ck_assert_int_eq(sas_get_sip_session(sas_b, ss_id(a), &borig),
			 SSM_OK);
	ck_assert_ptr_eq(ss_original(bd), borig);
	ck_assert_int_eq(fx_state(bd), SS_EARLY);
	ck_assert_str_eq(attr_of(bd, "branch"), "two");
	ck_assert_ptr_eq(deliver(nb, req.call_id, req.from_tag, "two", SSM_IN,
				 "INVITE", 200, req.cseq), bd);
	ck_assert_int_eq(fx_state(bd), SS_CONFIRMED);
	ssm_shutdown(nb);
}
END_TEST

/* What a restore refuses, and that a refused one changes nothing. */
START_TEST(test_dist_restore_errors)
{
	struct ss *a = confirmed_uas();
	struct sas *sas_a = sas_of(a), *sas_b;
	struct ssm *nb = node_b(NULL), *nc;
	struct ssm_codec half = {0};
	char *text, *cut;

	ck_assert_int_eq(ssm_app_set_distributable(NULL, &codec), SSM_NPE);
	ck_assert_int_eq(ssm_app_set_distributable(fx.app, &half), SSM_NPE);
	ck_assert_int_eq(ssm_dist_save(NULL, SSM_DIST_REPLICATE, &text),
			 SSM_NPE);
	ck_assert_int_eq(ssm_dist_evict(NULL), SSM_NPE);
	ck_assert_int_eq(ssm_dist_restore(NULL, "{}", NULL), SSM_NPE);

	/* the codec's own error fails the save; A goes on unchanged */
	ck_assert_int_eq(ss_set_attr(a, "r", "refuse", NULL), SSM_OK);
	ck_assert_int_eq(ssm_dist_save(sas_a, SSM_DIST_PASSIVATE, &text),
			 SSM_IAE);
	ck_assert(sas_is_valid(sas_a));
	ck_assert_int_eq(ss_remove_attr(a, "r"), SSM_OK);

	ck_assert_int_eq(ss_set_attr(a, "v", "bad", NULL), SSM_OK);
	ck_assert_int_eq(ss_set_attr(a, "w", "good", NULL), SSM_OK);
	ck_assert_int_eq(ssm_timer_create(sas_a, 1000, 0, false, "info",
					  NULL), SSM_OK);
	ck_assert_int_eq(ssm_dist_save(sas_a, SSM_DIST_REPLICATE, &text),
			 SSM_OK);

	ck_assert_int_eq(ssm_dist_restore(nb, "not json", &sas_b), SSM_IAE);
	ck_assert_ptr_null(sas_b);
	ck_assert_int_eq(ssm_dist_restore(nb, "{\"v\":2}", NULL), SSM_IAE);
	cut = strdup(text);
	cut[strlen(cut) / 2] = '\0';
	ck_assert_int_eq(ssm_dist_restore(nb, cut, NULL), SSM_IAE);
	free(cut);

	/* a value the codec cannot read: nothing stays, values go back */
	decode_fails = 1;
	discarded = 0;
	ck_assert_int_eq(ssm_dist_restore(nb, text, &sas_b), SSM_IAE);
	ck_assert_uint_eq(ssm_count_sas(nb), 0);
	ck_assert_uint_eq(ssm_count_ss(nb), 0);
	ck_assert_int_gt(discarded, 0);
	decode_fails = 0;

	/* the same SAS twice on one node; a node where it is already */
	ck_assert_int_eq(ssm_dist_restore(nb, text, NULL), SSM_OK);
	ck_assert_int_eq(ssm_dist_restore(nb, text, NULL), SSM_ISE);
	ck_assert_int_eq(ssm_dist_restore(fx.m, text, NULL), SSM_ISE);
	ck_assert_uint_eq(ssm_count_sas(nb), 1);

	/* a node without the application, or where it is not distributable */
	ck_assert_int_eq(ssm_alloc(&nc, NULL, clock_b, NULL), SSM_OK);
	ck_assert_int_eq(ssm_dist_restore(nc, text, NULL), SSM_IAE);
	ck_assert_int_eq(ssm_app_add(nc, "app", SSM_V11, 3, NULL, NULL, NULL),
			 SSM_OK);
	ck_assert_int_eq(ssm_dist_restore(nc, text, NULL), SSM_IAE);
	ssm_shutdown(nc);

	mem_ref(sas_a);
	ck_assert_int_eq(ssm_dist_evict(sas_a), SSM_OK);
	ck_assert_int_eq(ssm_dist_evict(sas_a), SSM_ISE);
	mem_deref(sas_a);
	free(text);
	ssm_shutdown(nb);
}
END_TEST

/* Every allocation of a restore fails in turn: SSM_NOMEM and nothing left
 * on node B, or the whole SAS. */
START_TEST(test_dist_restore_out_of_memory)
{
	struct ss *a = confirmed_uas(), *leg;
	struct sas *sas_a = sas_of(a);
	struct ssm *nb = node_b(NULL);
	char *text;
	int64_t n;

	ck_assert_int_eq(ss_set_attr(a, "x", "1", NULL), SSM_OK);
	ck_assert_int_eq(sas_set_attr(sas_a, "y", "2", NULL), SSM_OK);
	ck_assert_int_eq(ss_b2b_leg(a, true, 70, "sip:b2b@z", "sip:c@w",
				    &leg), SSM_OK);
	ck_assert_int_eq(ssm_timer_create(sas_a, 1000, 0, false, "t", NULL),
			 SSM_OK);
	ck_assert_int_eq(ssm_dist_save(sas_a, SSM_DIST_REPLICATE, &text),
			 SSM_OK);
	discarded = 0;
	for (n = 0; n < 200; n++) {
		struct sas *sas_b = NULL;
		int err;

		mem_fail_after(n);
		err = ssm_dist_restore(nb, text, &sas_b);
		mem_fail_after(-1);
		ck_assert_msg(err == SSM_OK || err == SSM_NOMEM, "%d: %s", (int)n,
			      ssm_errname(err));
		if (!err) {
			ck_assert_uint_eq(ssm_count_ss(nb), 2);
			break;
		}
		ck_assert_uint_eq(ssm_count_sas(nb), 0);
		ck_assert_uint_eq(ssm_count_ss(nb), 0);
	}
	ck_assert_int_lt(n, 200);
	ck_assert_int_gt(discarded, 0);         /* the values went back */
	free(text);
	ssm_shutdown(nb);
}
END_TEST

/* What a store needs of a SAS nobody holds: its next due time, the
 * earliest of its active timers and its expiry (DIST-09); and ids that
 * name their node, so two nodes never mint the same (DIST-02). */
START_TEST(test_dist_next_due_and_node_ids)
{
	struct ss *a = confirmed_uas();
	struct sas *sas_a = sas_of(a), *sas_b;
	struct ssm *nb = node_b(NULL);
	struct ssm_app *app_b;
	struct ssm_timer *t;
	int64_t exp;
	char *text;

	fx_keep(a);
	ck_assert_int_eq(sas_expiration_time(sas_a, &exp), SSM_OK);
	ck_assert_uint_eq(ssm_dist_next_due(sas_a), (uint64_t)exp);
	ck_assert_int_eq(ssm_timer_create(sas_a, 2000, 0, false, "two", &t),
			 SSM_OK);
	ck_assert_uint_eq(ssm_dist_next_due(sas_a), fx.now + 2000);
	ssm_timer_cancel(t);
	ck_assert_uint_eq(ssm_dist_next_due(sas_a), (uint64_t)exp);
	ck_assert_uint_eq(ssm_dist_next_due(NULL), 0);

	ck_assert_int_eq(ssm_set_node(nb, "N1", 1), SSM_IAE);
	ck_assert_int_eq(ssm_set_node(nb, "n12345", 1), SSM_IAE);
	ck_assert_int_eq(ssm_set_node(nb, NULL, 1), SSM_NPE);
	ck_assert_int_eq(ssm_set_node(nb, "n2", 0x1234), SSM_OK);
	ck_assert_int_eq(ssm_dist_save(sas_a, SSM_DIST_REPLICATE, &text),
			 SSM_OK);
	ck_assert_int_eq(ssm_dist_restore(nb, text, &sas_b), SSM_OK);
	free(text);
	ck_assert_str_eq(sas_id(sas_b), sas_id(sas_a));  /* the same id */
	app_b = ssm_app_find(nb, "app");
	ck_assert_ptr_nonnull(app_b);
	ck_assert_int_eq(sas_create(app_b, &sas_b), SSM_OK);
	ck_assert_msg(!strncmp(sas_id(sas_b), "as-n2-123", 9), "%s",
		      sas_id(sas_b));                  /* named, seeded */
	ck_assert_uint_lt(strlen(sas_id(sas_b)), 24);
	ssm_shutdown(nb);
}
END_TEST

const struct utest t_dist[] = {
	UTEST(test_dist_failover_bye,
	      "DIST-06 DIST-07 DIST-08 DIST-13 DIST-14 DIST-15"),
	UTEST(test_dist_transaction_not_carried, "DIST-10 DIST-07"),
	UTEST(test_dist_uac_cseq, "DIST-07"),
	UTEST(test_dist_timers_and_expiry, "DIST-09 DIST-05"),
	UTEST(test_dist_passivate_then_activate, "DIST-12 DIST-14"),
	UTEST(test_dist_replica_notifies_cf21, "DIST-15 CF-21"),
	UTEST(test_dist_non_serializable_cf22, "DIST-01 DIST-04 CF-22"),
	UTEST(test_dist_b2bua_two_legs, "DIST-01 DIST-06 DIST-07"),
	UTEST(test_dist_derived_session, "DIST-07 DIST-08"),
	UTEST(test_dist_restore_errors, "DIST-06"),
	UTEST(test_dist_restore_out_of_memory, "DIST-06"),
	UTEST(test_dist_next_due_and_node_ids, "DIST-09 DIST-02"),
	{0},
};
