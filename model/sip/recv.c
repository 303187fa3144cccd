/**
 * @file model/sip/recv.c  one received message: checks, parse, transaction
 *
 * sipc__on_bytes takes one message's bytes (a datagram, or one framed out
 * of a TCP stream): the input guards (guard.c), libosip2's parser, then
 * its transaction, an existing one or a new server transaction (txn.c).
 * A response or ACK no transaction takes is handled here, statelessly.
 */
#define _GNU_SOURCE 1          /* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <osipparser2/osip_parser.h>
#include "sipc.h"
#include "mem.h"
#include "sipc_int.h"
#include "fault.h"

/* A 2xx of a dialog no session holds: ACKed and ended with BYE from the
 * response alone (RFC 3261 13.2.2.4), outside the model. */
static void stray_2xx(struct sipc *c, const osip_message_t *m)
{
	char *target = sipc__contact_of(m), *local = NULL, *remote = NULL;
	char cid[256], vb[64];
	osip_message_t *x;
	struct ss_req rq;

	if (!target || !m->from || !m->to || !m->cseq || !m->cseq->number)
		goto out;
	sipc__call_id_str(m, cid, sizeof(cid));
	local = sipc__uri_dup(m->from->url);
	remote = sipc__uri_dup(m->to->url);
	rq.call_id = cid;
	rq.from_tag = sipc__tag_of(m->from);
	rq.to_tag = sipc__tag_of(m->to);
	rq.cseq = (uint32_t)strtoul(m->cseq->number, NULL, 10);
	x = sipc__leg_request(c, "ACK", target, &rq, local, remote, 70, NULL,
			      vb,
			      sizeof(vb));
	if (x) {
		sipc__send_stateless(c, x);
		osip_message_free(x);
	}
	rq.cseq++;
	x = sipc__leg_request(c, "BYE", target, &rq, local, remote, 70, NULL,
			      vb,
			      sizeof(vb));
	if (x)
		sipc__nict_send(c, NULL, x);
 out:
	free(target);
	free(local);
	free(remote);
}

/** A 2xx to a leg's INVITE after its client transaction ended (libosip2
 * ends it on the first 2xx).  A retransmission of the dialog the leg has
 * is left to the ACK the caller's ACK makes (B2B-07); a further dialog of
 * a fork downstream (B2B-09) gets a derived session, whose twin upstream
 * answers the caller's INVITE with a 2xx of its own (B2B-08,
 * sipc__b2b_late_2xx); the caller's ACK and BYE of that dialog are
 * relayed to it as on the first.  Where that cannot be (no twin, no
 * INVITE kept), the reference B2BUA ACKs the dialog and ends it with
 * BYE (RFC 3261 13.2.2.4); with no session left to derive from, the
 * dialog ends all the same. */
static void leg_late_2xx(struct sipc *c, struct ss *ss, osip_message_t *m)
{
	const char *lt, *rt = NULL, *tag = sipc__tag_of(m->to);
	struct ss *t = NULL, *peer = NULL;
	struct leg *l = NULL;

	if (m->status_code < 200 || m->status_code >= 300 ||
	    !MSG_IS_RESPONSE_FOR(m, "INVITE") || !tag)
		return;
	if (ss && !ss_tags(ss, &lt, &rt) && rt && !strcmp(rt, tag))
		return;
	if (ss && ss_is_valid(ss))
		t = sipc__apply(c, ss, m, SSM_IN);
	if (!t || t == ss || !ss_original(t) || !(l = sipc__leg_own(t))) {
		stray_2xx(c, m);
		return;
	}
	sipc__set_str(&l->target, sipc__contact_of(m));
	if (!sipc__b2b_late_2xx(c, t, m))
		return;
	sipc__leg_ack(c, t, NULL);
	sipc__leg_bye(c, t);
	/* its derived twin upstream (B2B-09) will carry nothing: the
	 * application is done with it */
	if (!ss_linked(t, &peer) && peer && ss_original(peer) &&
	    ss_is_valid(peer))
		ss_invalidate(peer);
}

/** Forward a message no transaction owns: a 2xx retransmission or the
 * ACK of a 2xx, on a record-routed dialog (RFC 3261 16.7, 16.11). */
static void stateless(struct sipc *c, osip_message_t *m)
{
	struct ssm_msg ev;
	char cid[256], vb[64];
	struct ss *ss;

	sipc_ops_clear(&c->ops);
	sipc__to_ev(m, SSM_IN, &ev, cid, sizeof(cid));
	ss = ssm_match(c->m, &ev);
	if (MSG_IS_RESPONSE(m)) {
		if (c->app.is_ua && sipc__top_via_is_ours(m) &&
		    osip_list_size(&m->vias) == 1) {
			leg_late_2xx(c, ss, m);
			return;
		}
		if (!sipc__top_via_is_ours(m) || osip_list_size(&m->vias) < 2)
			return;
		if (ss)
			sipc__apply(c, sipc__apply(c, ss, m, SSM_IN), m,
				    SSM_OUT);
		sipc__pop_via(m);
		sipc__stamp(c, ss, m);
		sipc__send_stateless(c, m);
		return;
	}
	if (!MSG_IS_ACK(m))
		return;
	if (ss)
		ssm_dispatch(ss, &ev, NULL, NULL);
	sipc__ops_run(c, ss, m, false);
	sipc__ops_flush(c);                   /* the application's doAck */
	if (ss && ss_is_valid(ss) && ss_role(ss) != SS_ROLE_PROXY) {
		sipc__relay_ack(c, ss);               /* B2BUA */
		return;
	}
	sipc__pop_own_route(c, m);
	if (sipc__max_forwards(m) <= 0)
		return;
	sipc__set_max_forwards(m, sipc__max_forwards(m) - 1);
	/* the next hop's transport, not the one the ACK came in on */
	{
		osip_route_t *r = NULL;
		osip_uri_t *u = m->req_uri;
		osip_uri_param_t *tp = NULL;

		if (osip_message_get_route(m, 0, &r) >= 0 && r && r->url)
			u = r->url;
		if (u)
			osip_uri_uparam_get_byname(u, "transport", &tp);
		if (sipc__push_via(c, m, tp && tp->gvalue &&
				   !strcasecmp(tp->gvalue, "tcp"), vb,
				   sizeof(vb)) < 0)
			return;
	}
	sipc__stamp(c, ss ? sipc__apply(c, ss, m, SSM_OUT) : NULL, m);
	sipc__send_stateless(c, m);
}

/** A final response, outside any transaction, for a request libosip2
 * parsed but we cannot accept. */
static void reject(struct sipc *c, osip_message_t *m, int status,
		   const char *why)
{
	osip_message_t *r;
	char tag[32];

	if (!MSG_IS_REQUEST(m) || MSG_IS_ACK(m))
		return;
	sipc__gen_token(tag, sizeof(tag));
	r = sipc__make_response(m, status, why, tag);
	if (!r) {
		sipc_log(c, "dropped a bad request (%s): no response can be "
			 "formed", why);
		return;
	}
	sipc__stamp(c, NULL, r);
	{
		char *host = NULL, *buf = NULL;
		int port = 0;
		size_t len;

		/* the way the request came (RFC 3261 18.2.2) */
		osip_response_get_destination(r, &host, &port);
		if (host && osip_message_to_str(r, &buf, &len) >= 0)
			sipc__send_back(c, buf, len, host, port ? port : 5060,
					c->rx_conn, r);
		osip_free(buf);
		osip_free(host);
	}
	osip_message_free(r);
}

/* Checks on the raw bytes (guard.c): true when the message was refused,
 * answered from its bytes or dropped. */
static bool refused_raw(struct sipc *c, const char *buf, size_t len,
			const char *host, int port)
{
	struct verdict rv = sipc__check_raw(buf, len);

	if (rv.status) {
		if (!sipc__raw_respond(c, buf, rv.status, rv.why, host, port))
			sipc_log(c, "dropped a bad request from %s:%d "
				 "(%s): no response can be formed",
				 host, port, rv.why);
		c->dropped++;
		return true;
	}
	if (sipc__multipart_twice_typed(buf, len)) {
		if (!strncmp(buf, "SIP/", 4) ||
		    !sipc__raw_respond(c, buf, 400,
				       "Two Content-Types In A Body Part",
				       host, port))
			sipc_log(c, "dropped a message from %s:%d: a body "
				 "part with two Content-Types", host, port);
		c->dropped++;
		return true;
	}
	return false;
}

/* What libosip2 cannot parse: a request is answered from its bytes if it
 * can be, anything else dropped. */
static void refuse_unparsable(struct sipc *c, const char *buf, size_t len,
			      const char *host, int port)
{
	int st = sipc__unparsable_status(buf);

	if (strncmp(buf, "SIP/", 4) &&
	    sipc__raw_respond(c, buf, st, st == 416 ?
			      "Unsupported URI Scheme" : "Bad Request",
			      host, port)) {
		if (c->cfg.verbose)
			sipc_log(c, "answered an unparsable request "
				 "from %s:%d with %d", host, port, st);
	}
	else {
		sipc_log(c, "dropped an unparsable message (%zu bytes) "
			 "from %s:%d", len, host, port);
	}
	c->dropped++;
}

/* Symmetric response routing: responses go back to the source, always
 * on loopback (RFC 3581 behaviour). */
static void set_received(osip_message_t *m, const char *host, int port)
{
	osip_via_t *v = NULL;
	char p[16];
	osip_generic_param_t *gp = NULL;

	if (osip_message_get_via(m, 0, &v) < 0 || !v)
		return;
	snprintf(p, sizeof(p), "%d", port);
	osip_via_param_get_byname(v, "received", &gp);
	if (!gp)
		osip_via_set_received(v, osip_strdup(host));
	else {
		osip_free(gp->gvalue);
		gp->gvalue = osip_strdup(host);
	}
	gp = NULL;
	osip_via_param_get_byname(v, "rport", &gp);
	if (!gp)
		osip_generic_param_add(&v->via_params,
				       osip_strdup("rport"),
				       osip_strdup(p));
	else {
		osip_free(gp->gvalue);
		gp->gvalue = osip_strdup(p);
	}
}

/* Checks on the parsed message (guard.c): true when it was refused. */
static bool refused_msg(struct sipc *c, osip_message_t *m, const char *host,
			int port)
{
	struct verdict mv = sipc__check_msg(m);

	if (!mv.status)
		return false;
	if (MSG_IS_REQUEST(m) && osip_list_size(&m->vias))
		reject(c, m, mv.status, mv.why);
	else
		sipc_log(c, "dropped a bad message from %s:%d: "
			 "%s", host, port, mv.why ? mv.why :
			 "bad version");
	c->dropped++;
	return true;
}

/* A parsed message to its transaction: an existing one, none (a response
 * or ACK, stateless), or a new server transaction.  Takes @evt. */
static void to_transaction(struct sipc *c, osip_event_t *evt)
{
	osip_message_t *m = evt->sip;
	osip_transaction_t *tr;

	tr = sipc__tx_find(c, m);
	if (tr) {
		sipc__tx_event(c, tr, evt);
		return;
	}
	if (MSG_IS_RESPONSE(m) || MSG_IS_ACK(m)) {
		stateless(c, m);
		osip_event_free(evt);
		return;
	}
	if (sipc__acc_absorb(c, m) ||       /* a request answered already */
	    sipc__store_absorb(c, m)) {     /* a dialog ended elsewhere */
		osip_event_free(evt);
		return;
	}
	tr = osip_create_transaction(c->osip, evt);
	if (tr && sipc__tx_add(c, tr) < 0) {
		osip_transaction_free(tr);
		tr = NULL;
	}
	if (!tr) {
		reject(c, m, 500, "Cannot Create Transaction");
		osip_event_free(evt);
		return;
	}
	/* its responses go back on the connection it came on, or UDP
	 * (sipc__cb_send, sipc__send_back) */
	osip_transaction_set_out_socket(tr, c->rx_conn);
	sipc__tx_event(c, tr, evt);
	/* the request's handler runs now, so a retransmission read in
	 * the same batch finds its transaction */
	sipc__tx_run(c);
}

/* One message's bytes, with no NUL in its header section: the guards,
 * libosip2's parser, its transaction. */
static void on_message(struct sipc *c, const char *buf, size_t len,
		       const char *host, int port)
{
	osip_event_t *evt;
	osip_message_t *m;

	if (refused_raw(c, buf, len, host, port))
		return;
	evt = osip_parse(buf, len);
	if (!evt || !evt->sip) {
		refuse_unparsable(c, buf, len, host, port);
		if (evt)
			osip_event_free(evt);
		return;
	}
	m = evt->sip;
	if (!MSG_IS_REQUEST(m) &&
	    (m->status_code < 100 || m->status_code > 699)) {
		sipc_log(c, "dropped a response with status code out of "
			 "range from %s:%d", host, port);
		c->dropped++;
		osip_event_free(evt);
		return;
	}
	if (MSG_IS_REQUEST(m))
		set_received(m, host, port);
	if (refused_msg(c, m, host, port)) {
		osip_event_free(evt);
		return;
	}
	sipc__store_claim(c, m);     /* a dialog another node held */
	to_transaction(c, evt);
}

/* libosip2 works on C strings: a NUL byte in the header section (a legal
 * quoted-pair, RFC 4475 3.1.1.2) would cut the message short.  A copy in
 * which it is DEL, also a legal quoted-pair character, for the raw checks
 * too, which read C strings as well; NULL if there is no NUL there (or no
 * memory, *@failp then set). */
static char *nul_to_del(const char *buf, size_t len, bool *failp)
{
	const char *hend = memmem(buf, len, "\r\n\r\n", 4);
	size_t hl = hend ? (size_t)(hend - buf) : len;
	char *copy;

	*failp = false;
	if (!memchr(buf, '\0', hl))
		return NULL;
	copy = malloc(len + 1);
	if (!copy) {
		*failp = true;
		return NULL;
	}
	memcpy(copy, buf, len);
	copy[len] = '\0';
	for (size_t i = 0; i < hl; i++)
		if (!copy[i])
			copy[i] = 0x7f;
	return copy;
}

void sipc__on_bytes(struct sipc *c, const char *buf, size_t len,
		    const char *host, int port)
{
	char *copy;
	bool fail;

	c->rx++;
	if (len > SIPC_MAX_MSG) {
		sipc_log(c, "dropped an oversize message (%zu bytes) from "
			 "%s:%d", len, host, port);
		c->dropped++;
		return;
	}
	if (len < 4 || !strncmp(buf, "\r\n", 2))
		return;                               /* keep-alive */
	copy = nul_to_del(buf, len, &fail);
	if (fail)
		return;
	on_message(c, copy ? copy : buf, len, host, port);
	free(copy);
	sipc__store_flush(c);        /* what the message changed */
}
