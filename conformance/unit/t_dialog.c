/**
 * @file conformance/unit/t_dialog.c  SipSession state machine (section 2):
 * subscriptions, NOTIFY and REFER usages, requests outside a dialog,
 * and the end of the initial transaction (t_state.c: the INVITE dialog)
 */
#include <stddef.h>
#include "unit.h"

START_TEST(test_subscribe_dialog)
{
	struct ss *ss = fx_session(SS_ROLE_UAC, "SUBSCRIBE");
	struct ss *uas = fx_session(SS_ROLE_UAS, "SUBSCRIBE");

	fx_keep(ss);
	fx_send_ev(ss, SSM_OUT, "SUBSCRIBE", 0, NULL, 1, "presence");
	ck_assert_int_eq(fx_state(ss), SS_INITIAL);
	fx_send(ss, SSM_IN, "SUBSCRIBE", 200, "N", 1);
	ck_assert_int_eq(fx_state(ss), SS_CONFIRMED);   /* SS-STATE-40 */
	fx_notify(ss, SSM_IN, "presence", "active;expires=60", 1);
	ck_assert_int_eq(fx_state(ss), SS_CONFIRMED);
	fx_notify(ss, SSM_IN, "presence", "terminated;reason=timeout", 2);
	ck_assert_int_eq(fx_state(ss), SS_TERMINATED);  /* SS-STATE-41 */

	/* UAS side rejects: TERMINATED; a UAC rejected: INITIAL */
	mem_ref(uas);
	fx_send(uas, SSM_IN, "SUBSCRIBE", 0, NULL, 1);
	fx_send(uas, SSM_OUT, "SUBSCRIBE", 489, "U", 1);
	ck_assert(!ss_is_valid(uas));
	mem_deref(uas);
	ss = fx_session(SS_ROLE_UAC, "SUBSCRIBE");
	fx_keep(ss);
	fx_send(ss, SSM_OUT, "SUBSCRIBE", 0, NULL, 1);
	fx_send(ss, SSM_IN, "SUBSCRIBE", 489, "N", 1);
	ck_assert_int_eq(fx_state(ss), SS_INITIAL);
}
END_TEST

/* A NOTIFY (@status 0, Subscription-State @sub_state) or its response,
 * as @ss sees it: From tag @ftag (the notifier's), To tag @ttag. */
static void notify_ev(struct ss *ss, enum ssm_dir dir, int status,
		      const char *ftag, const char *ttag, uint32_t cseq,
		      const char *event, const char *sub_state)
{
	struct ssm_msg m;
	const char *cid;

	ck_assert_int_eq(ss_call_id(ss, &cid), SSM_OK);
	m = fx_msg(dir, "NOTIFY", status, cid, ftag, ttag, cseq);
	if (!status) {
		m.event = event;
		m.sub_state = sub_state;
	}
	ck_assert_int_eq(ss_on_message(ss, &m, NULL), SSM_OK);
	ssm_settle(fx.m);
}

/*
 * CF-20 at the subscriber (a UAC that gets the NOTIFY) and the notifier (a
 * UAS that sends it): by default the terminating NOTIFY ends the session
 * as it is received or sent (SS-STATE-41); under CF-20 its final
 * response does, whatever the status.  Only that NOTIFY's response counts
 * (CSeq, From tag, the other direction); a retransmission is one NOTIFY.
 */
START_TEST(test_notify_terminated_cf20)
{
	for (int side = 0; side < 2; side++) {
		enum ss_state pending = side ? SS_CONFIRMED : SS_TERMINATED;
		struct ssm_opts o;
		struct ss *ss, *uas, *left;
		const char *l, *r;

		ssm_opts_default(&o);
		o.cf20_notify_ends_on_response = side;
		fx_model(&o, SSM_V11);

		/* the subscriber */
		ss = fx_session(SS_ROLE_UAC, "SUBSCRIBE");
		fx_keep(ss);
		fx_send_ev(ss, SSM_OUT, "SUBSCRIBE", 0, NULL, 1, "presence");
		fx_send(ss, SSM_IN, "SUBSCRIBE", 200, "N", 1);
		ck_assert_int_eq(ss_tags(ss, &l, &r), SSM_OK);
		notify_ev(ss, SSM_IN, 0, "N", l, 1, "presence", "active");
		notify_ev(ss, SSM_OUT, 200, "N", l, 1, NULL, NULL);
		ck_assert_int_eq(fx_state(ss), SS_CONFIRMED);
		notify_ev(ss, SSM_IN, 0, "N", l, 2, "presence",
			  "terminated;reason=timeout");
		ck_assert_int_eq(fx_state(ss), pending);
		notify_ev(ss, SSM_IN, 0, "N", l, 2, "presence",
			  "terminated;reason=timeout");     /* retransmitted */
		notify_ev(ss, SSM_OUT, 200, "N", l, 1, NULL, NULL); /* stale */
		notify_ev(ss, SSM_IN, 200, "N", l, 2, NULL, NULL); /* no: IN */
		notify_ev(ss, SSM_OUT, 200, "X", l, 2, NULL, NULL); /* no: tag */
		ck_assert_int_eq(fx_state(ss), pending);
		notify_ev(ss, SSM_OUT, 200, "N", l, 2, NULL, NULL);
		ck_assert_int_eq(fx_state(ss), SS_TERMINATED);
		ck_assert_uint_eq(ss_pending(ss), 0);

		/* the notifier; a 481 ends it as a 200 does */
		uas = fx_session(SS_ROLE_UAS, "SUBSCRIBE");
		fx_keep(uas);
		fx_send_ev(uas, SSM_IN, "SUBSCRIBE", 0, NULL, 1, "presence");
		fx_send(uas, SSM_OUT, "SUBSCRIBE", 200, "U", 1);
		ck_assert_int_eq(ss_tags(uas, &l, &r), SSM_OK);
		ck_assert_str_eq(l, "U");
		notify_ev(uas, SSM_OUT, 0, l, r, 1, "presence", "terminated");
		ck_assert_int_eq(fx_state(uas), pending);
		notify_ev(uas, SSM_IN, 481, l, r, 1, NULL, NULL);
		ck_assert_int_eq(fx_state(uas), SS_TERMINATED);
		ck_assert_uint_eq(ss_pending(uas), 0);

		/* a NOTIFY never answered: remembered until the end */
		left = fx_session(SS_ROLE_UAC, "SUBSCRIBE");
		fx_keep(left);
		fx_send_ev(left, SSM_OUT, "SUBSCRIBE", 0, NULL, 1, "presence");
		fx_send(left, SSM_IN, "SUBSCRIBE", 200, "M", 1);
		ck_assert_int_eq(ss_tags(left, &l, &r), SSM_OK);
		notify_ev(left, SSM_IN, 0, "M", l, 1, "presence",
			  "terminated");
		ck_assert_int_eq(fx_state(left), pending);
	}
}
END_TEST

/* CF-20 at a record-routing proxy: the NOTIFY counts as it arrives, its
 * final response as it is relayed (as BYE's, SS-STATE-33). */
START_TEST(test_proxy_notify_terminated_cf20)
{
	for (int side = 0; side < 2; side++) {
		enum ss_state pending = side ? SS_CONFIRMED : SS_TERMINATED;
		struct ssm_opts o;
		struct ss *ss;

		ssm_opts_default(&o);
		o.cf20_notify_ends_on_response = side;
		fx_model(&o, SSM_V11);
		ss = fx_session(SS_ROLE_PROXY, "SUBSCRIBE");
		fx_keep(ss);
		ck_assert_int_eq(ss_set_proxy(ss, true), SSM_OK);
		fx_send_ev(ss, SSM_IN, "SUBSCRIBE", 0, NULL, 1, "presence");
		fx_send_ev(ss, SSM_OUT, "SUBSCRIBE", 0, NULL, 1, "presence");
		fx_send(ss, SSM_IN, "SUBSCRIBE", 200, "N", 1);
		fx_send(ss, SSM_OUT, "SUBSCRIBE", 200, "N", 1);
		ck_assert_int_eq(fx_state(ss), SS_CONFIRMED);
		notify_ev(ss, SSM_IN, 0, "N", "ft", 1, "presence",
			  "terminated;reason=noresource");
		ck_assert_int_eq(fx_state(ss), pending);
		notify_ev(ss, SSM_OUT, 0, "N", "ft", 1, "presence",
			  "terminated;reason=noresource");
		notify_ev(ss, SSM_IN, 200, "N", "ft", 1, NULL, NULL);
		ck_assert_int_eq(fx_state(ss), pending);   /* not relayed */
		notify_ev(ss, SSM_OUT, 200, "N", "ft", 1, NULL, NULL);
		ck_assert_int_eq(fx_state(ss), SS_TERMINATED);
	}
}
END_TEST

/* CF-20 with SS-STATE-42: the REFER usage outlives the BYE and ends with
 * the final NOTIFY, or under CF-20 with that NOTIFY's response. */
START_TEST(test_refer_notify_cf20)
{
	for (int side = 0; side < 2; side++) {
		struct ssm_opts o;
		struct ss *ss;
		const char *l, *r;

		ssm_opts_default(&o);
		o.cf20_notify_ends_on_response = side;
		fx_model(&o, SSM_V11);
		ss = st_uac_invite();
		fx_keep(ss);
		fx_send(ss, SSM_IN, "INVITE", 200, "A", 1);
		fx_send(ss, SSM_OUT, "REFER", 0, "A", 2);
		fx_send(ss, SSM_IN, "REFER", 202, "A", 2);
		fx_send(ss, SSM_OUT, "BYE", 0, "A", 3);
		fx_send(ss, SSM_IN, "BYE", 200, "A", 3);
		ck_assert_int_eq(fx_state(ss), SS_CONFIRMED);
		ck_assert_int_eq(ss_tags(ss, &l, &r), SSM_OK);
		notify_ev(ss, SSM_IN, 0, r, l, 1, "refer", "terminated");
		ck_assert_int_eq(fx_state(ss),
				 side ? SS_CONFIRMED : SS_TERMINATED);
		notify_ev(ss, SSM_OUT, 200, r, l, 1, NULL, NULL);
		ck_assert_int_eq(fx_state(ss), SS_TERMINATED);
	}
}
END_TEST

START_TEST(test_notify_before_2xx)
{
	struct ss *ss = fx_session(SS_ROLE_UAC, "SUBSCRIBE");
	const char *cid, *l, *r;
	struct ssm_msg m;
	struct ss *hit;

	fx_send(ss, SSM_OUT, "SUBSCRIBE", 0, NULL, 1);
	ck_assert_int_eq(ss_call_id(ss, &cid), SSM_OK);
	ck_assert_int_eq(ss_tags(ss, &l, &r), SSM_OK);
	m = fx_msg(SSM_IN, "NOTIFY", 0, cid, "N", l, 1);
	m.event = "presence";
	m.sub_state = "pending";
	hit = ssm_match(fx.m, &m);
	ck_assert_ptr_eq(hit, ss);
	ck_assert_int_eq(ssm_dispatch(hit, &m, NULL, NULL), SSM_OK);
	ck_assert_int_eq(fx_state(ss), SS_CONFIRMED);
}
END_TEST

START_TEST(test_refer_usage_outlives_bye)
{
	struct ss *ss = st_uac_invite();

	fx_keep(ss);
	fx_send(ss, SSM_IN, "INVITE", 200, "A", 1);
	fx_send(ss, SSM_OUT, "REFER", 0, "A", 2);
	fx_send(ss, SSM_IN, "REFER", 202, "A", 2);
	fx_send(ss, SSM_OUT, "BYE", 0, "A", 3);
	fx_send(ss, SSM_IN, "BYE", 200, "A", 3);
	ck_assert_int_eq(fx_state(ss), SS_CONFIRMED);   /* SS-STATE-42 */
	fx_notify(ss, SSM_IN, "refer", "active", 1);
	ck_assert_int_eq(fx_state(ss), SS_CONFIRMED);
	fx_notify(ss, SSM_IN, "refer", "terminated;reason=noresource", 2);
	ck_assert_int_eq(fx_state(ss), SS_TERMINATED);
}
END_TEST

START_TEST(test_refer_as_dialog_creating)
{
	for (int side = 0; side < 2; side++) {
		struct ssm_opts o;
		struct ss *ss;

		ssm_opts_default(&o);
		o.cf10_refer_creates_dialog = !side;
		fx_model(&o, SSM_V11);
		ss = fx_session(SS_ROLE_UAC, "REFER");
		fx_keep(ss);
		fx_send(ss, SSM_OUT, "REFER", 0, NULL, 1);
		fx_send(ss, SSM_IN, "REFER", 202, "R", 1);
		ck_assert_int_eq(fx_state(ss),
				 side ? SS_INITIAL : SS_CONFIRMED);
	}
}
END_TEST

START_TEST(test_out_of_dialog_request_is_initial)
{
	struct ssm_msg m = fx_msg(SSM_IN, "MESSAGE", 0, "same", "ft", NULL,
				  1);
	struct sas *a, *b;
	struct ss *s1;

	ck_assert_ptr_null(ssm_match(fx.m, &m));
	ck_assert_int_eq(ssm_sas_for_initial(fx.app, &m, &a), SSM_OK);
	ck_assert_int_eq(ss_create(a, SS_ROLE_UAS, "MESSAGE", "same", "ft",
				   NULL, NULL, &s1), SSM_OK);
	fx_keep(s1);
	ck_assert_int_eq(ssm_dispatch(s1, &m, NULL, NULL), SSM_OK);
	m.cseq = 2;
	ck_assert_ptr_null(ssm_match(fx.m, &m));       /* still initial */
	ck_assert_int_eq(ssm_sas_for_initial(fx.app, &m, &b), SSM_OK);
	ck_assert_ptr_ne(a, b);
	ck_assert_str_ne(sas_id(a), sas_id(b));
}
END_TEST

START_TEST(test_register_retry_without_to_tag)
{
	struct ss *ss = fx_session(SS_ROLE_UAC, "REGISTER");
	struct ss_req r;
	const char *cid;

	ck_assert_int_eq(ss_create_request(ss, "REGISTER", &r), SSM_OK);
	fx_send(ss, SSM_OUT, "REGISTER", 0, NULL, r.cseq);
	fx_send(ss, SSM_IN, "REGISTER", 401, "reg", r.cseq);
	ck_assert(ss_is_valid(ss));                     /* 401: not ready */
	ck_assert(!fx_ready(ss));
	ck_assert_int_eq(ss_call_id(ss, &cid), SSM_OK);
	ck_assert_int_eq(ss_create_request(ss, "REGISTER", &r), SSM_OK);
	ck_assert_str_eq(r.call_id, cid);
	ck_assert_ptr_null(r.to_tag);
	ck_assert_uint_eq(r.cseq, 2);
	mem_ref(ss);
	fx_send(ss, SSM_OUT, "REGISTER", 0, NULL, r.cseq);
	fx_send(ss, SSM_IN, "REGISTER", 200, "reg", r.cseq);
	ck_assert(!ss_is_valid(ss));                    /* SS-STATE-53 */
	mem_deref(ss);
}
END_TEST

START_TEST(test_nondialog_ready_order)
{
	struct ss *ss = fx_session(SS_ROLE_UAS, "MESSAGE");

	fx.log[0] = '\0';
	fx_send(ss, SSM_IN, "MESSAGE", 0, NULL, 1);
	ck_assert_str_eq(fx.log, "");
	fx_send(ss, SSM_OUT, "MESSAGE", 200, "t", 1);
	ck_assert_str_eq(fx.log, "ss_ready:INITIAL ss_destroyed sas_ready "
			 "sas_destroyed ");
	ck_assert_uint_eq(ssm_count_ss(fx.m), 0);
	ck_assert_uint_eq(ssm_count_sas(fx.m), 0);
}
END_TEST

START_TEST(test_initial_tx_end_terminates_early)
{
	struct ss *ss = st_uac_invite();
	struct ss *d;

	fx_send(ss, SSM_IN, "INVITE", 180, "A", 1);
	d = fx_send(ss, SSM_IN, "INVITE", 200, "B", 1);
	ck_assert_ptr_ne(d, ss);
	ck_assert_int_eq(fx_state(ss), SS_EARLY);
	ck_assert_int_eq(fx_state(d), SS_CONFIRMED);
	mem_ref(ss);
	ck_assert_int_eq(ss_initial_tx_ended(ss), SSM_OK);
	ck_assert(!ss_is_valid(ss));
	ck_assert(ss_is_valid(d));
	mem_deref(ss);
}
END_TEST

const struct utest t_dialog[] = {
	UTEST(test_subscribe_dialog, "SS-STATE-40 SS-STATE-41"),
	UTEST(test_notify_terminated_cf20, "CF-20 SS-STATE-41"),
	UTEST(test_proxy_notify_terminated_cf20,
	      "CF-20 SS-STATE-41 SS-STATE-33"),
	UTEST(test_refer_notify_cf20, "CF-20 SS-STATE-41 SS-STATE-42"),
	UTEST(test_notify_before_2xx, "SS-STATE-40"),
	UTEST(test_refer_usage_outlives_bye, "SS-STATE-42"),
	UTEST(test_refer_as_dialog_creating, "CF-10 SS-STATE-40"),
	UTEST(test_out_of_dialog_request_is_initial,
	      "SS-STATE-51 KEY-03"),
	UTEST(test_register_retry_without_to_tag,
	      "SS-STATE-52 SS-STATE-53"),
	UTEST(test_nondialog_ready_order,
	      "SS-STATE-53 INVAL-14 CF-04 INVAL-12"),
	UTEST(test_initial_tx_end_terminates_early, "DERIVED-04"),
	{0},
};
