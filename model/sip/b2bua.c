/**
 * @file model/sip/b2bua.c  the B2BUA (B2B-02 to B2B-10)
 *
 * Two legs, each a SipSession of its own with its dialog data kept as a
 * session attribute (struct leg): the initial request relayed to a new
 * leg, subsequent requests and responses relayed between the legs, ACK
 * and BYE of a leg, CANCEL, and one retry with credentials.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <osipparser2/osip_parser.h>
#include "sipc.h"
#include "mem.h"
#include "sipc_int.h"
#include "fault.h"

void sipc__leg_free(struct leg *l)
{
	if (!l)
		return;
	free(l->target);
	free(l->local);
	free(l->remote);
	if (l->invite)
		osip_message_free(l->invite);
	free(l);
}

struct leg *sipc__leg_of(struct ss *ss)
{
	void *v = NULL;

	if (!ss || ss_get_attr(ss, LEG_ATTR, &v))
		return NULL;
	return v;
}

/** The leg of @ss, its own (a derived session gets a copy, B2B-09). */
struct leg *sipc__leg_own(struct ss *ss)
{
	struct leg *l = sipc__leg_of(ss), *n;

	if (!l || l->owner == ss)
		return l;
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->owner = ss;
	n->target = l->target ? strdup(l->target) : NULL;
	n->local = l->local ? strdup(l->local) : NULL;
	n->remote = l->remote ? strdup(l->remote) : NULL;
	n->invite_cseq = l->invite_cseq;
	/* a derived session upstream answers the same INVITE (B2B-08);
	 * without a copy its fork's 2xx ends downstream (leg_late_2xx) */
	if (l->invite && osip_message_clone(l->invite, &n->invite) < 0)
		n->invite = NULL;
	if (ss_set_attr(ss, LEG_ATTR, n, NULL)) {
		sipc__leg_free(n);
		return NULL;
	}
	return n;
}

void sipc__set_str(char **dst, char *v)
{
	if (!v)
		return;
	free(*dst);
	*dst = v;
}

/** Copy the body and its Content-Type from @from to @to. */
static void copy_body(osip_message_t *to, const osip_message_t *from)
{
	osip_body_t *b = NULL;
	char *ct = NULL;

	if (!from || osip_message_get_body(from, 0, &b) < 0 || !b ||
	    !b->body)
		return;
	if (from->content_type &&
	    osip_content_type_to_str(from->content_type, &ct) >= 0) {
		osip_message_set_content_type(to, ct);
		osip_free(ct);
	}
	osip_message_set_body(to, b->body, b->length);
}

/* The headers of a dialog usage a request carries to the other leg
 * (B2B-07 copies every non-system header; these are the ones the
 * sessions' state depends on: SS-STATE-41, SS-STATE-42). */
static void copy_usage_headers(osip_message_t *to, const osip_message_t *from)
{
	static const char *const names[] = {
		"event", "subscription-state", "refer-to", "referred-by", NULL
	};
	osip_header_t *h = NULL;

	if (!from || !MSG_IS_REQUEST(from))
		return;
	for (const char *const *n = names; *n; n++)
		for (int pos = 0;
		     (pos = osip_message_header_get_byname(from, *n, pos, &h)) >= 0; pos++)
			if (h && h->hvalue)
				osip_message_set_header(to, h->hname, h->hvalue);
}

/** A request on a leg, from the leg's dialog data and the model's
 * identifiers (SS-08: Call-ID, tags, next CSeq). */
osip_message_t *sipc__leg_request(struct sipc *c, const char *method,
				  const char *ruri, const struct ss_req *rq,
				  const char *local, const char *remote,
				  int mf, const osip_message_t *body_from,
				  char *vb, size_t vbsz)
{
	osip_message_t *m = NULL;
	char *txt;
	size_t n;
	int len;

	char ct[128];

	if (!ruri || !rq->call_id)        /* a leg whose strings ran out */
		return NULL;
	sipc__own_contact(c, "b2bua", ct, sizeof(ct));
	n = strlen(method) * 2 + strlen(ruri) + strlen(rq->call_id) +
	    (local ? strlen(local) : 0) + (remote ? strlen(remote) : 0) +
	    (rq->from_tag ? strlen(rq->from_tag) : 0) +
	    (rq->to_tag ? strlen(rq->to_tag) : 0) + 2 * sizeof(c->addr) +
	    strlen(ct) + (c->cfg.advertise ? strlen(c->cfg.advertise) : 0) +
	    512;
	txt = malloc(n);
	if (!txt)
		return NULL;
	{
		char tok[40];

		sipc__gen_token(tok, sizeof(tok));
		snprintf(vb, vbsz, BRANCH_MAGIC "%s", tok);
	}
	len = snprintf(txt, n,
		       "%s %s SIP/2.0\r\n"
		       "Via: SIP/2.0/UDP %s:%d;branch=%s\r\n"
		       "From: <%s>;tag=%s\r\n"
		       "To: <%s>%s%s\r\n"
		       "Call-ID: %s\r\n"
		       "CSeq: %u %s\r\n"
		       "Max-Forwards: %d\r\n"
		       "%s%s%s"
		       "Contact: <%s>\r\n"
		       "Content-Length: 0\r\n\r\n",
		       method, ruri, c->addr, c->port, vb,
		       local ? local : "sip:anonymous@anonymous.invalid",
		       rq->from_tag ? rq->from_tag : "x",
		       remote ? remote : "sip:anonymous@anonymous.invalid",
		       rq->to_tag ? ";tag=" : "", rq->to_tag ? rq->to_tag : "",
		       rq->call_id, rq->cseq, method, mf,
		       /* a cluster node's requests leave through the front */
		       c->cfg.advertise ? "Route: <sip:" : "",
		       c->cfg.advertise ? c->cfg.advertise : "",
		       c->cfg.advertise ? ";lr>\r\n" : "", ct);
	if (len < 0 || (size_t)len >= n || osip_message_init(&m) < 0 ||
	    osip_message_parse(m, txt, (size_t)len) < 0) {
		free(txt);
		osip_message_free(m);
		return NULL;
	}
	free(txt);
	sipc__set_max_forwards(m, mf);    /* its canonical spelling */
	copy_usage_headers(m, body_from);
	copy_body(m, body_from);
	osip_message_force_update(m);
	return m;
}

void sipc__relay_unref(struct relay *rl)
{
	if (--rl->refs > 0)
		return;
	mem_deref(rl->in);
	mem_deref(rl->out);
	if (rl->req)
		osip_message_free(rl->req);
	free(rl);
}

/** Send @m on a client transaction of @rl, through the model. */
int sipc__relay_send(struct relay *rl, osip_message_t *m)
{
	struct sipc *c = rl->c;
	osip_transaction_t *tr = NULL;
	osip_uri_t *u = m->req_uri;

	if (!u || !sipc_is_loopback(u->host)) {
		osip_message_free(m);
		return -1;
	}
	sipc__stamp(c, sipc__apply(c, rl->out, m, SSM_OUT), m);
	if (rl->req)
		osip_message_free(rl->req);
	rl->req = NULL;
	if (osip_message_clone(m, &rl->req) < 0 ||
	    sipc__client_tr(c, &tr, MSG_IS_INVITE(m) ? ICT : NICT, m) < 0) {
		osip_message_free(m);
		return -1;
	}
	osip_transaction_set_reserved3(tr, rl);
	rl->refs++;
	rl->tr = tr;
	rl->status = 0;
	sipc__tx_event(rl->c, tr, osip_new_outgoing_sipmessage(m));
	return 0;
}

/** RFC 3261 9.1: a CANCEL for the INVITE @req, on its own transaction. */
void sipc__send_cancel(struct sipc *c, struct ss *ss,
		       const osip_message_t *req)
{
	osip_message_t *cancel = NULL;

	if (!req || osip_message_init(&cancel) < 0)
		return;
	osip_message_set_method(cancel, osip_strdup("CANCEL"));
	osip_message_set_version(cancel, osip_strdup("SIP/2.0"));
	osip_uri_clone(req->req_uri, &cancel->req_uri);
	osip_list_clone(&req->vias, &cancel->vias,
			(int (*)(void *, void **))osip_via_clone);
	while (osip_list_size(&cancel->vias) > 1) {
		osip_via_t *v = osip_list_get(&cancel->vias, 1);

		osip_list_remove(&cancel->vias, 1);
		osip_via_free(v);
	}
	osip_list_clone(&req->routes, &cancel->routes,
			(int (*)(void *, void **))osip_route_clone);
	osip_from_clone(req->from, &cancel->from);
	osip_to_clone(req->to, &cancel->to);
	osip_call_id_clone(req->call_id, &cancel->call_id);
	osip_cseq_clone(req->cseq, &cancel->cseq);
	osip_free(cancel->cseq->method);
	cancel->cseq->method = osip_strdup("CANCEL");
	sipc__set_max_forwards(cancel, 70);
	osip_message_set_content_length(cancel, "0");
	sipc__stamp(c, ss ? sipc__apply(c, ss, cancel, SSM_OUT) : NULL, cancel);
	/* its 200 goes to the model too (the CANCEL is a transaction) */
	sipc__nict_send(c, ss, cancel);
}

int sipc_b2b(struct sipc_req *r, const char *target)
{
	struct sipc *c = r->srv->c;

	return sipc_b2b_opts(r, target, c->b2b_auth_retry, c->cfg.b2b_same_call_id);
}

int sipc_b2b_opts(struct sipc_req *r, const char *target, bool auth_retry,
		  bool same_call_id)
{
	struct srv *s = r->srv;
	struct sipc *c = s->c;
	const osip_message_t *q = s->req;
	struct ss *uac = NULL;
	struct leg *lu, *lc;
	struct relay *rl;
	struct ss_req rq;
	osip_message_t *m;
	char vb[64];
	int mf = sipc__max_forwards(q), err;

	if (!s->ss || s->px || s->rl || s->final_sent || !target)
		return -1;
	lu = calloc(1, sizeof(*lu));
	lc = calloc(1, sizeof(*lc));
	rl = calloc(1, sizeof(*rl));
	if (!lu || !lc || !rl)
		goto fail;
	/* B2B-02: a new linked UAC session in the same SAS (new Call-ID and
	 * From tag); B2B-03: Max-Forwards 0 is TooManyHops, a 483. */
	if (same_call_id) {
		/* the deprecated route (B2B-11): SipFactory.createRequest(orig,
		 * true) and a link of the application's own */
		err = mf == 0 ? SSM_HOPS : ss_factory_copy(s->ss, true, &uac);
		if (!err && (err = ss_link(s->ss, uac)))
			ss_invalidate(uac);
	} else {
		/* the new leg's parties are the original's (B2B-02, SS-04) */
		char *fu = q->from ? sipc__uri_dup(q->from->url) : NULL;
		char *tu = q->to ? sipc__uri_dup(q->to->url) : NULL;

		err = ss_b2b_leg(s->ss, true, mf, fu, tu, &uac);
		free(fu);
		free(tu);
	}
	if (err == SSM_HOPS) {
		sipc__srv_respond(s, 483, NULL);
		free(lu);
		free(lc);
		free(rl);
		return SSM_HOPS;
	}
	if (err)
		goto fail;
	lu->owner = s->ss;
	lu->target = sipc__contact_of(q);
	/* what a further 2xx of a forking callee answers once the server
	 * transaction has ended on the first (B2B-08); out of memory, that
	 * 2xx ends downstream instead */
	if (MSG_IS_INVITE(q) && osip_message_clone(q, &lu->invite) < 0)
		lu->invite = NULL;
	lu->local = q->to ? sipc__uri_dup(q->to->url) : NULL;
	lu->remote = q->from ? sipc__uri_dup(q->from->url) : NULL;
	lc->owner = uac;
	lc->target = strdup(target);
	lc->local = q->from ? sipc__uri_dup(q->from->url) : NULL;
	lc->remote = q->to ? sipc__uri_dup(q->to->url) : NULL;
	if (ss_set_attr(s->ss, LEG_ATTR, lu, NULL)) {
		sipc__leg_free(lu);
		lu = NULL;
		goto fail;
	}
	lu = NULL;
	if (ss_set_attr(uac, LEG_ATTR, lc, NULL)) {
		sipc__leg_free(lc);
		lc = NULL;
		goto fail;
	}
	if (ss_create_request(uac, q->sip_method, &rq))
		goto fail;
	lc->invite_cseq = rq.cseq;
	m = sipc__leg_request(c, q->sip_method, target, &rq, lc->local,
			      lc->remote,
			      mf > 0 ? mf - 1 : 0, q, vb, sizeof(vb));
	lc = NULL;
	if (!m)
		goto fail;
	rl->c = c;
	rl->srv = s;
	rl->in = mem_ref(s->ss);
	rl->out = mem_ref(uac);
	rl->initial = true;
	rl->auth_retry = auth_retry;
	rl->refs = 1;                          /* the server transaction */
	s->rl = rl;
	if (sipc__relay_send(rl, m)) {
		/* the new leg never leaves: the application drops it */
		ss_invalidate(uac);
		sipc__srv_respond(s, 403, "Target Outside Loopback");
		return -1;
	}
	return 0;
 fail:
	free(lu);
	if (lc && !sipc__leg_of(uac))
		sipc__leg_free(lc);
	free(rl);
	if (uac && ss_is_valid(uac))
		ss_invalidate(uac);
	if (!s->final_sent)
		sipc__srv_respond(s, 500, "B2BUA Leg Not Created");
	return -1;
}

/** A response on the other leg, relayed to the request it answers. */
void sipc__relay_on_response(struct relay *rl, osip_message_t *resp)
{
	struct sipc *c = rl->c;
	struct srv *s = rl->srv;
	int st = resp->status_code;
	struct ss *t, *peer = NULL;
	osip_message_t *out;
	const char *ltag = NULL, *rtag = NULL;
	char tag[40];

	rl->status = st;
	t = sipc__apply(c, rl->out, resp, SSM_IN);
	sipc__ops_run(c, t, resp, false);
	if (rl->call) {
		sipc__call_on_response(rl->call, rl, t, resp);
		return;
	}
	/* RFC 3261 9.1: a CANCEL held for want of a provisional response
	 * goes with the first one, whichever it is */
	if (st < 200 && rl->cancel_pending) {
		rl->cancel_pending = false;
		sipc__send_cancel(c, rl->out, rl->req);
	}
	if (st == 100)
		return;
	if ((st == 401 || st == 407) && rl->initial && rl->auth_retry &&
	    !rl->retried && !rl->cancelled) {
		/* SS-STATE-14: the session is back in INITIAL; the same
		 * session sends the INVITE again (same Call-ID and From tag,
		 * no To tag, the next CSeq) with credentials. */
		struct ss_req rq;
		struct leg *l = sipc__leg_of(rl->out);
		osip_message_t *m;
		char vb[64];

		rl->retried = true;
		if (l && !ss_create_request(rl->out, rl->req->sip_method,
					     &rq)) {
			m = sipc__leg_request(c, rl->req->sip_method, l->target,
					      &rq, l->local, l->remote,
					      sipc__max_forwards(rl->req),
					      rl->req, vb, sizeof(vb));
			if (m) {
				osip_message_set_header(m, st == 407 ?
					"Proxy-Authorization" : "Authorization",
					"Digest username=\"sstck\", realm=\"sstck\","
					" nonce=\"0\", uri=\"sip:sstck\","
					" response=\"00000000000000000000000000000000\"");
				l->invite_cseq = rq.cseq;
				osip_message_force_update(m);
				if (!sipc__relay_send(rl, m))
					return;
			}
		}
	}
	if (st >= 200 && st < 300 && rl->initial) {
		struct leg *l = sipc__leg_own(t);

		if (l)
			sipc__set_str(&l->target, sipc__contact_of(resp));
	}
	if (st >= 200 && st < 300 && rl->initial && rl->cancelled) {
		/* a 2xx that crossed our CANCEL: the caller has had its 487
		 * (SS-STATE-24), so this dialog ends here (RFC 3261 15) */
		sipc__leg_ack(c, t, NULL);
		sipc__leg_bye(c, t);
		return;
	}
	if (!s || !s->tr)
		return;
	if (ss_linked(t, &peer) || !peer)
		peer = rl->in;
	if (peer && ss_is_valid(peer))
		ss_tags(peer, &ltag, &rtag);
	if (!ltag) {
		sipc__gen_token(tag, sizeof(tag));
		ltag = tag;
	}
	out = sipc__make_response(s->req, st, resp->reason_phrase, ltag);
	if (!out)
		return;
	if (st > 100 && st < 300) {
		char ct[128];

		sipc__own_contact(c, "b2bua", ct, sizeof(ct));
		osip_message_set_contact(out, ct);
	}
	copy_body(out, resp);
	osip_message_force_update(out);
	if (s->final_sent) {
		osip_message_free(out);
		return;
	}
	sipc__srv_respond_msg(s, out);
	if (st >= 200 && rl->initial && MSG_IS_RESPONSE_FOR(resp, "INVITE")) {
		/* the INVITE is over on both legs: early dialogs of either
		 * family that got no 2xx end with it (RFC 3261 13.2.2.4) */
		ss_initial_tx_ended(rl->out);
		if (s->ss)
			ss_initial_tx_ended(s->ss);
	}
}

/** An in-dialog request on one leg, relayed to the linked leg (B2B-07)
 * as a JSR 289 B2BUA relays it: B2buaHelper.createRequest(linked leg,
 * the request in hand, null), whose orig is a subsequent request (CF-13:
 * on its literal javadoc side IllegalArgumentException, which the
 * application does not catch: 500). */
void sipc__relay_request(struct srv *s)
{
	struct sipc *c = s->c;
	const osip_message_t *q = s->req;
	struct ss *peer = NULL;
	struct leg *l;
	struct relay *rl;
	struct ss_req rq;
	osip_message_t *m;
	char vb[64];
	int err;

	if (ss_linked(s->ss, &peer) || !peer || !(l = sipc__leg_of(peer)) ||
	    !l->target) {
		sipc__srv_respond(s, 481, NULL);
		return;
	}
	/* a leg already gone is no dialog to relay on (481), not the
	 * application's IllegalArgumentException */
	err = ss_is_valid(peer) && ss_is_valid(s->ss) ?
	      ss_b2b_subsequent(peer, s->ss, false, q->sip_method, &rq) : SSM_ISE;
	if (err) {
		sipc__srv_respond(s, err == SSM_IAE ? 500 : 481, NULL);
		return;
	}
	if (MSG_IS_INVITE(q))
		l->invite_cseq = rq.cseq;
	m = sipc__leg_request(c, q->sip_method, l->target, &rq, l->local,
			      l->remote,
			      70, q, vb, sizeof(vb));
	rl = calloc(1, sizeof(*rl));
	if (!m || !rl) {
		osip_message_free(m);
		free(rl);
		sipc__srv_respond(s, 500, NULL);
		return;
	}
	rl->c = c;
	rl->srv = s;
	rl->in = mem_ref(s->ss);
	rl->out = mem_ref(peer);
	rl->refs = 1;
	s->rl = rl;
	if (sipc__relay_send(rl, m))
		sipc__srv_respond(s, 500, NULL);
}

/** The ACK of a leg's 2xx, with @body_from's body (the answer to the
 * offer its 2xx made) or none. */
void sipc__leg_ack(struct sipc *c, struct ss *ss,
		   const osip_message_t *body_from)
{
	struct leg *l = sipc__leg_of(ss);
	struct ss_req rq;
	const char *cid, *lt, *rt;
	osip_message_t *m;
	char vb[64];

	if (!l || !l->target || ss_call_id(ss, &cid) || ss_tags(ss, &lt, &rt))
		return;
	rq.call_id = cid;
	rq.from_tag = lt;
	rq.to_tag = rt;
	rq.cseq = l->invite_cseq;
	m = sipc__leg_request(c, "ACK", l->target, &rq, l->local, l->remote, 70,
			      body_from, vb, sizeof(vb));
	if (!m)
		return;
	sipc__stamp(c, sipc__apply(c, ss, m, SSM_OUT), m);
	sipc__send_stateless(c, m);
	osip_message_free(m);
}

/** End the confirmed dialog of the leg session @ss with a BYE of the
 * container's own (RFC 3261 15.1.1); its 200 reaches the session as a
 * CANCEL's does. */
void sipc__leg_bye(struct sipc *c, struct ss *ss)
{
	struct leg *l = sipc__leg_of(ss);
	struct ss_req rq;
	osip_message_t *m;
	char vb[64];

	if (!l || !l->target || ss_create_request(ss, "BYE", &rq))
		return;
	m = sipc__leg_request(c, "BYE", l->target, &rq, l->local, l->remote, 70,
			      NULL, vb, sizeof(vb));
	if (!m)
		return;
	sipc__stamp(c, sipc__apply(c, ss, m, SSM_OUT), m);
	sipc__nict_send(c, ss, m);
}

/**
 * A user agent application's own dialog (UasActive1): the UAS session of
 * the dialog-creating request @r keeps its remote target and parties, as
 * a B2BUA's leg does, so that the requests its application makes with
 * SipSession.createRequest (ss.send) reach the caller.  0, or -1 when it
 * keeps none (no session, out of memory): such a request is not sent.
 */
int sipc_ua_dialog(struct sipc_req *r)
{
	const osip_message_t *q = r->srv->req;
	struct ss *ss = r->srv->ss;
	struct leg *l;

	if (!ss || sipc__leg_of(ss))
		return ss ? 0 : -1;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -1;
	l->owner = ss;
	l->target = sipc__contact_of(q);
	l->local = q->to ? sipc__uri_dup(q->to->url) : NULL;
	l->remote = q->from ? sipc__uri_dup(q->from->url) : NULL;
	if (ss_set_attr(ss, LEG_ATTR, l, NULL)) {
		sipc__leg_free(l);
		return -1;
	}
	return 0;
}

/** The requests the operations of the message in hand made (ss.send,
 * SS-08), each on the dialog its session keeps (struct leg), with the
 * message's results: called once the application has acted on it.  A
 * session with no dialog kept, or no longer valid, sends nothing. */
void sipc__ops_flush(struct sipc *c)
{
	for (int i = 0; i < c->ops.nsend; i++) {
		struct sipc_send *q = &c->ops.send[i];
		struct leg *l = sipc__leg_of(q->ss);
		struct ss_req rq = { .cseq = q->cseq };
		osip_message_t *m;
		char vb[64];

		if (!l || !l->target || !ss_is_valid(q->ss) ||
		    ss_call_id(q->ss, &rq.call_id) ||
		    ss_tags(q->ss, &rq.from_tag, &rq.to_tag))
			continue;
		m = sipc__leg_request(c, q->method, l->target, &rq, l->local,
				      l->remote, 70, NULL, vb, sizeof(vb));
		if (!m)
			continue;
		sipc__from_iface(c, q->ss, m);
		sipc__stamp(c, sipc__apply(c, q->ss, m, SSM_OUT), m);
		sipc__nict_send(c, q->ss, m);
	}
	sipc_ops_sent(&c->ops);
}

/**
 * A further 2xx of the forking callee on the UAC leg, after the first
 * ended the leg's client transaction and the caller's server transaction
 * (B2B-08, createResponseToOriginalRequest after the request was
 * committed): the derived session @uac has a twin upstream (B2B-09),
 * which answers the INVITE kept in its leg with its own To tag, sent
 * statelessly by its Via as every 2xx after the first; the caller's ACK
 * then goes to @uac's dialog (sipc__relay_ack).  -1, nothing sent, when
 * there is no twin, or no INVITE to answer.
 */
int sipc__b2b_late_2xx(struct sipc *c, struct ss *uac, osip_message_t *resp)
{
	struct ss *pd = NULL;
	struct leg *l;
	const char *lt = NULL, *rt = NULL;
	osip_message_t *out;
	char ct[160];

	if (ss_linked(uac, &pd) || !pd || !ss_is_valid(pd) ||
	    !(l = sipc__leg_own(pd)) || !l->invite ||
	    ss_tags(pd, &lt, &rt) || !lt)
		return -1;
	out = sipc__make_response(l->invite, resp->status_code,
				  resp->reason_phrase, lt);
	if (!out)
		return -1;
	snprintf(ct, sizeof(ct), "<sip:b2bua@%s:%d>", c->addr, c->port);
	osip_message_set_contact(out, ct);
	copy_body(out, resp);
	sipc__stamp(c, sipc__apply(c, pd, out, SSM_OUT), out);
	osip_message_force_update(out);
	sipc__send_stateless(c, out);
	osip_message_free(out);
	return 0;
}

/** The ACK of a 2xx on one leg: a new ACK on the other (B2B-07). */
void sipc__relay_ack(struct sipc *c, struct ss *ss)
{
	struct ss *peer = NULL;

	if (!ss_linked(ss, &peer) && peer)
		sipc__leg_ack(c, peer, NULL);
}

/* A derived session starts with a copy of its original's attributes, so
 * with a pointer to the original's leg: give it its own at once (B2B-09),
 * before the original can end and free the one they shared. */
void sipc__on_ss_created(struct ss *ss, void *arg)
{
	(void)arg;
	/* out of memory for the copy: the derived session must not keep the
	 * original's pointer, freed with the original (test-oom found it) */
	if (sipc__leg_of(ss) && !sipc__leg_own(ss))
		ss_remove_attr(ss, LEG_ATTR);
}

/* The container's listener: a leg's data is freed with its session. */
void sipc__on_ss_destroyed(struct ss *ss, void *arg)
{
	struct leg *l = sipc__leg_of(ss);

	(void)arg;
	if (l && l->owner == ss) {
		ss_remove_attr(ss, LEG_ATTR);
		sipc__leg_free(l);
	}
}
