/**
 * @file model/sip/txn.c  transactions: the libosip2 glue
 *
 * libosip2's state machines (ICT, IST, NICT, NIST) run the transactions;
 * this file is what the container gives them: the message, kill and
 * transport-error callbacks, client transactions, the server side
 * (sipc_respond), and sipc__pump(), one turn of the state machines.  The
 * callbacks find their container through libosip2's application context
 * (osip_get_application_context on the transaction's osip_t).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <osipparser2/osip_parser.h>
#include <osip2/osip_time.h>
#include "sipc.h"
#include "mem.h"
#include "sipc_int.h"
#include "fault.h"

/* libosip2 calls back with a transaction; the container that owns it is
 * the application context of its osip_t (set by sipc_alloc). */
struct sipc *sipc__of_tr(osip_transaction_t *tr)
{
	return osip_get_application_context(tr->config);
}

static struct srv *srv_of(osip_transaction_t *tr)
{
	return tr ? osip_transaction_get_reserved1(tr) : NULL;
}

/** Send a response on a server transaction, through the model. */
int sipc__srv_respond_msg(struct srv *s, osip_message_t *r)
{
	struct ss *t;

	if (!s->tr) {
		osip_message_free(r);
		return -1;
	}
	t = sipc__apply(s->c, s->ss, r, SSM_OUT);
	sipc__stamp(s->c, t, r);
	if (r->status_code >= 200)
		s->final_sent = true;
	sipc__tx_event(s->c, s->tr, osip_new_outgoing_sipmessage(r));
	return 0;
}

int sipc__srv_respond(struct srv *s, int status, const char *reason)
{
	osip_message_t *r;
	char tag[32];

	if (s->final_sent)
		return -1;
	sipc__gen_token(tag, sizeof(tag));
	r = sipc__make_response(s->req, status, reason, tag);
	if (!r)
		return -1;
	/* a response that makes a dialog carries our Contact (RFC 3261
	 * 12.1.1), a cluster node's its front's (sipc__own_contact) */
	if (status > 100 && status < 300 &&
	    (MSG_IS_INVITE(s->req) || MSG_IS_SUBSCRIBE(s->req))) {
		char ct[128];

		sipc__own_contact(s->c, "uas", ct, sizeof(ct));
		osip_message_set_contact(r, ct);
	}
	return sipc__srv_respond_msg(s, r);
}

const osip_message_t *sipc_req_msg(const struct sipc_req *r)
{
	return r->srv->req;
}

struct ss *sipc_req_session(const struct sipc_req *r)
{
	return r->srv->ss;
}

int sipc_respond(struct sipc_req *r, int status, const char *reason)
{
	return sipc__srv_respond(r->srv, status, reason);
}

/* One libosip2 timer to run @ms from @now. */
static void timer_from(int *len, struct timeval *start,
		       const struct timeval *now, int ms)
{
	*len = ms;
	*start = *now;
	add_gettimeofday(start, ms);
}

/* RFC 3261 17.1.1.1: T1 scales a client transaction's timers (A and E
 * start at T1, B and F are 64*T1).  libosip2 compiles 500 ms in and
 * starts B and F in osip_transaction_init, so --t1 sets them afterwards;
 * A and E run only on unreliable transports (length -1 otherwise). */
int sipc__client_tr(struct sipc *c, osip_transaction_t **tr,
		    osip_fsm_type_t type, osip_message_t *m)
{
	struct timeval now;
	int t1 = c->cfg.t1_ms;
	osip_ict_t *ict;
	osip_nict_t *nict;

	if (osip_transaction_init(tr, type, c->osip, m) < 0)
		return -1;
	if (sipc__tx_add(c, *tr) < 0) {
		osip_transaction_free(*tr);
		*tr = NULL;
		return -1;
	}
	if (t1 <= 0)
		return 0;
	osip_gettimeofday(&now, NULL);    /* libosip2's clock, monotonic */
	if ((ict = (*tr)->ict_context)) {
		if (ict->timer_a_length > 0)
			timer_from(&ict->timer_a_length, &ict->timer_a_start,
				   &now, t1);
		timer_from(&ict->timer_b_length, &ict->timer_b_start, &now,
			   64 * t1);
	}
	if ((nict = (*tr)->nict_context)) {
		if (nict->timer_e_length > 0)
			timer_from(&nict->timer_e_length, &nict->timer_e_start,
				   &now, t1);
		timer_from(&nict->timer_f_length, &nict->timer_f_start, &now,
			   64 * t1);
	}
	return 0;
}

/** Send the request @m, stamped already, on a non-INVITE client
 * transaction of its own; its responses reach the session @ss (or none)
 * through on_client_response.  @m is the transaction's, or freed. */
void sipc__nict_send(struct sipc *c, struct ss *ss, osip_message_t *m)
{
	osip_transaction_t *tr = NULL;

	if (sipc__client_tr(c, &tr, NICT, m) < 0) {
		osip_message_free(m);
		return;
	}
	osip_transaction_set_reserved4(tr, mem_ref(ss));
	sipc__tx_event(c, tr, osip_new_outgoing_sipmessage(m));
}

struct dispatch_ctx {
	struct srv *srv;
};

/* RFC 3261 16.3, request validation by a proxy: a Request-URI scheme it
 * cannot handle gets 416, a Proxy-Require it does not support gets 420
 * with Unsupported (RFC 4475 3.3.2, 3.3.3, 3.3.5). */
static bool validate(struct srv *s)
{
	const osip_uri_t *u = s->req->req_uri;
	const char *pr = sipc__header_value(s->req, "proxy-require");

	if (!u || !u->scheme || (strcasecmp(u->scheme, "sip") &&
				 strcasecmp(u->scheme, "sips"))) {
		sipc__srv_respond(s, 416, NULL);
		return false;
	}
	if (pr && *pr) {
		osip_message_t *r;
		char tag[32];

		sipc__gen_token(tag, sizeof(tag));
		r = sipc__make_response(s->req, 420, NULL, tag);
		if (r) {
			osip_message_set_header(r, "Unsupported", pr);
			sipc__srv_respond_msg(s, r);
		}
		return false;
	}
	return true;
}

static void servlet(struct ss *ss, const struct ssm_msg *msg, void *arg)
{
	struct dispatch_ctx *d = arg;
	struct sipc_req r = {d->srv};
	struct sipc *c = d->srv->c;

	(void)msg;
	(void)ss;
	if (!validate(d->srv))
		return;
	sipc__ops_run(c, d->srv->ss, d->srv->req, true);
	if (c->app.do_request)
		c->app.do_request(&r, c->app.arg);
	if (!d->srv->px && !d->srv->rl && !d->srv->final_sent)
		sipc__srv_respond(d->srv, 500, "Application Did Not Answer");
	sipc__ops_flush(c);
}

/** A subsequent request on a user agent's session that no leg is linked
 * to, for the application (sipc_app.do_subsequent): true when it took
 * it. */
static bool subsequent_to_app(struct sipc *c, struct srv *s)
{
	struct sipc_req r = {s};
	struct ss *peer = NULL;

	if (!c->app.do_subsequent || ss_linked(s->ss, &peer) || peer ||
	    !c->app.do_subsequent(&r, c->app.arg))
		return false;
	if (!s->px && !s->rl && !s->final_sent)
		sipc__srv_respond(s, 500, "Application Did Not Answer");
	return true;
}

/** A subsequent request on a dialog we are in: follow its path. */
static void forward_subsequent(struct srv *s)
{
	struct sipc_proxy_opts o = {0};
	struct sipc_px *px;
	struct sipc_req r = {s};
	char *target = NULL;

	/* the Request-URI is the target; the branch follows the Route set
	 * after ours (px_start_branch pops our own entry) */
	osip_uri_to_str(s->req->req_uri, &target);
	o.parallel = true;
	if (!target) {
		sipc__srv_respond(s, 400, "Bad Request-URI");
		return;
	}
	if (sipc_proxy(&r, &o, (const char *const *)&target, 1, &px) < 0 &&
	    !s->final_sent)
		sipc__srv_respond(s, 500, NULL);
	osip_free(target);
}

/* RFC 3261 16.2: one 100 Trying for an INVITE (PROXY-08), once its
 * session is known so that it carries X-SS-State too. */
static void send_trying(struct srv *s)
{
	osip_message_t *t;

	if (!s->is_invite)
		return;
	t = sipc__make_response(s->req, 100, NULL, NULL);
	if (t)
		sipc__srv_respond_msg(s, t);
}

/* A CANCEL (RFC 3261 9.2): 200 for it, 487 for the INVITE it cancels,
 * and the cancel passed on to a proxy's branches or a B2BUA's other leg;
 * 481 when there is no such INVITE. */
static void on_cancel(struct sipc *c, struct srv *s, osip_message_t *m)
{
	/* find the INVITE server transaction it cancels */
	osip_transaction_t *inv = NULL;
	struct srv *is = NULL;
	struct ssm_msg ev;
	char cid[256];
	bool b2b;

	inv = sipc__tx_find_invite(c, m);
	is = srv_of(inv);
	s->ss = is && is->ss ? mem_ref(is->ss) : NULL;
	sipc__to_ev(m, SSM_IN, &ev, cid, sizeof(cid));
	if (s->ss && ss_is_valid(s->ss))
		ssm_dispatch(s->ss, &ev, NULL, NULL);
	if (!is) {
		sipc__srv_respond(s, 481, NULL);
		return;
	}
	sipc__srv_respond(s, 200, NULL);
	b2b = is->rl && !is->final_sent;
	/* the application's doCancel, once the container answered
	 * (SS-STATE-24: a B2BUA's INVITE gets its 487 first) */
	if (b2b)
		sipc__srv_respond(is, 487, NULL);
	sipc__ops_run(c, is->ss, m, false);
	if (is->px) {                         /* PROXY-14 */
		sipc__px_cancel_pending(is->px, -1);
	}
	else if (b2b) {
		/* SS-STATE-24: the container answers the INVITE with
		 * 487 itself (the session is TERMINATED), then the
		 * application cancels its other leg (B2B-10). */
		struct relay *rl = is->rl;

		rl->cancelled = true;
		if (rl->status >= 100 && rl->status < 200)
			sipc__send_cancel(c, rl->out, rl->req);
		else if (rl->status < 100)
			rl->cancel_pending = true;
	}
	else if (!is->final_sent) {
		sipc__srv_respond(is, 487, NULL); /* SS-STATE-24 */
	}
}

/* The application's key method (KEY-01, -02, -03): an initial request
 * with the key header belongs to the application session of that key,
 * one without it (a null key) to a new one.  0 (*sasp set or left NULL)
 * or -1. */
static int app_key(struct sipc *c, struct ssm_app *a, const osip_message_t *m,
		   struct sas **sasp)
{
	osip_header_t *h = NULL;

	if (!c->app.key_header ||
	    osip_message_header_get_byname(m, c->app.key_header, 0, &h) < 0 ||
	    !h || !h->hvalue || !h->hvalue[0])
		return 0;
	return sas_by_key(a, h->hvalue, true, sasp) ? -1 : 0;
}

/* The application an initial request goes to: sstck-ref's application
 * router gives cfg.app2's the requests whose Request-URI user is its
 * name, the other application all the rest (JSR 289 15: the router
 * picks the application, the key method then its application session
 * within it, SipApplicationSessionKey1). */
static struct ssm_app *app_for(struct sipc *c, const osip_message_t *m)
{
	if (c->mapp2 && m->req_uri && m->req_uri->username &&
	    !strcmp(m->req_uri->username, c->cfg.app2))
		return c->mapp2;
	return c->mapp;
}

/* Encoded-URI targeting (KEY-05, JSR 289 15.11.3): the live application
 * session an initial request's top Route names, when that Route is ours,
 * else its Request-URI; NULL for none. */
static struct sas *encoded_sas(struct sipc *c, const osip_message_t *m)
{
	osip_route_t *r = NULL;
	const osip_uri_t *u = m->req_uri;
	struct sas *sas = NULL;
	char *t = NULL;

	if (osip_message_get_route(m, 0, &r) >= 0 && r && r->url &&
	    sipc__uri_is_us(c, r->url))
		u = r->url;
	else if (!u || !sipc__uri_is_us(c, u))
		return NULL;
	if (osip_uri_to_str(u, &t) >= 0)
		sas = ssm_sas_from_encoded(c->m, t);
	osip_free(t);
	return sas;
}

/*
 * Join and Replaces targeting (KEY-06; JSR 289 15.11.4, RFC 3891 and
 * 3911): an initial request that names a dialog (Call-ID;to-tag=T;
 * from-tag=F) in a Join or Replaces header gets 400 when it carries both
 * or is no INVITE (or names no tags), 481 when the dialog is not an
 * INVITE's, 603 when it has ended; a live INVITE dialog, or none, and
 * the request goes on to the application (there is one: the targeted
 * and the untargeted route end there).  True when it was answered.
 */
static bool join_replaces(struct sipc *c, struct srv *s, const osip_message_t *m)
{
	osip_header_t *j = NULL, *r = NULL;
	const char *t1 = NULL, *t2 = NULL;
	char buf[512], *cid, *save = NULL, *w;
	enum ssm_join res;

	osip_message_header_get_byname(m, "join", 0, &j);
	osip_message_header_get_byname(m, "replaces", 0, &r);
	if (!(j && j->hvalue) && !(r && r->hvalue))
		return false;
	snprintf(buf, sizeof(buf), "%s", r && r->hvalue ? r->hvalue : j->hvalue);
	cid = strtok_r(buf, "; \t", &save);
	while ((w = strtok_r(NULL, "; \t", &save)))
		if (!strncasecmp(w, "to-tag=", 7))
			t1 = w + 7;
		else if (!strncasecmp(w, "from-tag=", 9))
			t2 = w + 9;
	res = !t1 || !t2 ? SSM_JOIN_BAD :
	      ssm_join_match(c->m, m->sip_method, j && j->hvalue, r && r->hvalue,
			     cid, t1, t2, NULL);
	if (res == SSM_JOIN_NONE || res == SSM_JOIN_MATCH)
		return false;
	sipc__srv_respond(s, res == SSM_JOIN_BAD ? 400 : res == SSM_JOIN_NOT_INVITE ?
			  481 : 603, NULL);
	return true;
}

/* The application router's answer (SS-09, the TCK's AppRouter4): its
 * region and subscriber URI, given to the session that received the
 * initial request (getRegion, getSubscriberURI).  sstck-ref has one
 * application and routes every initial request to it; --router says
 * what it answers, by default what Cipango's default application router
 * answers without a configuration: NEUTRAL, the From URI. */
static void route(struct sipc *c, struct ss *ss, const char *from, const char *to)
{
	const char *r = c->cfg.router ? c->cfg.router : "NEUTRAL:from";
	const char *colon = strchr(r, ':');
	char region[16];

	snprintf(region, sizeof(region), "%.*s", colon ? (int)(colon - r) : 0, r);
	(void)ss_set_routing(ss, region, !colon ? NULL : !strcmp(colon + 1, "from") ?
			     from : !strcmp(colon + 1, "to") ? to : NULL);
}

/* An initial request: its application session and SipSession, then the
 * application (servlet). */
static void on_initial(struct sipc *c, struct srv *s, osip_message_t *m,
		       const struct ssm_msg *ev, const char *cid)
{
	struct sas *sas = NULL;
	struct dispatch_ctx d = {s};
	char *fu = NULL, *tu = NULL;
	struct ss *ss;

	if (join_replaces(c, s, m))              /* KEY-06 */
		return;
	sas = encoded_sas(c, m);                 /* KEY-05 */
	if (!sas && app_key(c, app_for(c, m), m, &sas) < 0) {
		sipc__srv_respond(s, 500, "Session Model Error");
		return;
	}
	if ((!sas && ssm_sas_for_initial(app_for(c, m), ev, &sas)) ||
	    (m->from && m->from->url &&
	     osip_uri_to_str(m->from->url, &fu) < 0) ||
	    (m->to && m->to->url &&
	     osip_uri_to_str(m->to->url, &tu) < 0) ||
	    ss_create(sas, SS_ROLE_UAS, m->sip_method, cid,
		      ev->from_tag ? ev->from_tag : "", fu, tu, &ss)) {
		osip_free(fu);
		osip_free(tu);
		sipc__srv_respond(s, 500, "Session Model Error");
		return;
	}
	route(c, ss, fu, tu);
	osip_free(fu);
	osip_free(tu);
	s->ss = mem_ref(ss);
	send_trying(s);
	ssm_dispatch(ss, ev, servlet, &d);   /* SS-STATE-02 */
}

/*
 * A subsequent request on a session of ours, inside its dispatch: the
 * application acts on it before the container settles readiness, as
 * for an initial request's servlet, so that a request that ends the
 * session (a terminating NOTIFY, CF-20 = 0) is relayed before
 * invalidate-when-ready takes the session away.
 */
static void subsequent(struct ss *target, const struct ssm_msg *msg, void *arg)
{
	struct srv *s = arg;
	struct sipc *c = s->c;
	struct ss *ss = s->ss;

	(void)target;
	(void)msg;
	send_trying(s);
	sipc__ops_run(c, ss, s->req, false);
	if (!ss_is_valid(ss) && c->app.is_ua && ss_role(ss) != SS_ROLE_PROXY)
		/* an operation invalidated the session the user agent
		 * was to relay on: it answers the request itself
		 * (observation-protocol.md 4) */
		sipc__srv_respond(s, 200, NULL);
	else if (ss_role(ss) == SS_ROLE_PROXY || !ss_is_valid(ss))
		forward_subsequent(s);
	else if (!subsequent_to_app(c, s))
		sipc__relay_request(s);       /* B2BUA */
	sipc__ops_flush(c);
}

static void on_request(int type, osip_transaction_t *tr, osip_message_t *m)
{
	struct sipc *c = sipc__of_tr(tr);
	struct srv *s;
	struct ssm_msg ev;
	char cid[256];
	struct ss *ss;

	(void)type;
	sipc_ops_clear(&c->ops);
	s = calloc(1, sizeof(*s));
	if (!s)
		return;
	s->c = c;
	s->tr = tr;
	s->req = m;
	s->is_invite = MSG_IS_INVITE(m);
	osip_transaction_set_reserved1(tr, s);

	/* RFC 3261 25.1: a method is a token; libosip2 takes more */
	if (!m->sip_method || !m->sip_method[0] ||
	    m->sip_method[strspn(m->sip_method, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				 "abcdefghijklmnopqrstuvwxyz0123456789-.!%*_+`'~")]) {
		sipc__srv_respond(s, 400, "Bad Method");
		return;
	}

	if (MSG_IS_CANCEL(m)) {
		on_cancel(c, s, m);
		return;
	}

	sipc__to_ev(m, SSM_IN, &ev, cid, sizeof(cid));
	ss = ssm_match(c->m, &ev);
	if (ss) {
		s->ss = mem_ref(ss);
		ssm_dispatch(ss, &ev, subsequent, s);
		return;
	}
	if (ev.to_tag) {
		/* Not one of our dialogs: a proxy forwards it by its
		 * Request-URI (RFC 3261 16.4), a session-less path; a user
		 * agent (the B2BUA) has no such dialog: 481. */
		if (c->app.is_ua) {
			sipc__srv_respond(s, 481, NULL);
			return;
		}
		send_trying(s);
		forward_subsequent(s);
		return;
	}

	on_initial(c, s, m, &ev, cid);
}

static void on_ack(int type, osip_transaction_t *tr, osip_message_t *m)
{
	struct srv *s = srv_of(tr);

	(void)type;
	/* ACK of a non-2xx: absorbed hop by hop (PROXY-15). */
	if (s && s->ss)
		sipc__apply(s->c, s->ss, m, SSM_IN);
}

static void on_client_response(int type, osip_transaction_t *tr,
			       osip_message_t *m)
{
	struct sipc_px *px = osip_transaction_get_reserved2(tr);
	struct relay *rl = osip_transaction_get_reserved3(tr);
	struct ss *cs = osip_transaction_get_reserved4(tr);

	(void)type;
	sipc_ops_clear(&sipc__of_tr(tr)->ops);
	if (px)
		sipc__px_on_response(px, tr, m);
	else if (rl && rl->tr == tr)
		sipc__relay_on_response(rl, m);
	else if (cs) {
		/* a CANCEL's 200, or the answer to a request an operation
		 * sent (ss.send): the application's doResponse */
		struct sipc *c = sipc__of_tr(tr);

		sipc__apply(c, cs, m, SSM_IN);
		sipc__ops_run(c, cs, m, false);
		sipc__ops_flush(c);
	}
}

static void on_client_timeout(int type, osip_transaction_t *tr,
			      osip_message_t *m)
{
	struct sipc_px *px = osip_transaction_get_reserved2(tr);
	struct relay *rl = osip_transaction_get_reserved3(tr);

	(void)type;
	(void)m;
	if (px) {
		sipc__px_on_timeout(px, sipc__branch_of(px, tr));
	} else if (rl && rl->tr == tr && rl->req) {
		/* RFC 3261 8.1.3.1: the timeout is a 408 to the TU, and the
		 * leg's session hears it as one, or it would never end */
		osip_message_t *r = sipc__make_response(rl->req, 408, NULL,
							NULL);

		if (r) {                /* else sipc__on_kill answers the 408 */
			sipc__relay_on_response(rl, r);
			osip_message_free(r);
		}
	}
}

void sipc__on_kill(int type, osip_transaction_t *tr)
{
	struct sipc *c = sipc__of_tr(tr);
	struct srv *s = srv_of(tr);
	struct sipc_px *px = osip_transaction_get_reserved2(tr);

	(void)type;
	/* an INVITE answered 2xx: its retransmissions get that 2xx again */
	if (tr->ctx_type == IST)
		sipc__acc_add(c, tr);
	if (s) {
		if (s->px) {
			s->px->srv = NULL;
			sipc__px_unref(s->px);
		}
		if (s->rl) {
			s->rl->srv = NULL;
			sipc__relay_unref(s->rl);
		}
		mem_deref(s->ss);
		free(s);
		osip_transaction_set_reserved1(tr, NULL);
	}
	mem_deref(osip_transaction_get_reserved4(tr));
	osip_transaction_set_reserved4(tr, NULL);
	{
		struct relay *rl = osip_transaction_get_reserved3(tr);

		if (rl) {
			if (rl->tr == tr) {
				rl->tr = NULL;
				if (rl->status < 200 && rl->srv &&
				    !rl->srv->final_sent)
					sipc__srv_respond(rl->srv, 408, NULL);
			}
			osip_transaction_set_reserved3(tr, NULL);
			sipc__relay_unref(rl);
		}
	}
	if (px) {
		int i = sipc__branch_of(px, tr);

		if (i >= 0) {
			px->br[i].tr = NULL;
			if (!px->br[i].done)
				sipc__px_on_timeout(px, i);
		}
		osip_transaction_set_reserved2(tr, NULL);
		sipc__px_unref(px);
	}
	sipc__tx_killed(c, tr);
}

static void on_transport_error(int type, osip_transaction_t *tr, int err)
{
	struct sipc_px *px = osip_transaction_get_reserved2(tr);

	(void)type;
	(void)err;
	if (px) {
		int i = sipc__branch_of(px, tr);

		if (i >= 0 && !px->br[i].done)
			sipc__px_branch_final(px, i, 503, NULL);
	}
}

void sipc__set_callbacks(osip_t *o)
{
	static const int reqs[] = {
		OSIP_IST_INVITE_RECEIVED, OSIP_NIST_REGISTER_RECEIVED,
		OSIP_NIST_BYE_RECEIVED, OSIP_NIST_OPTIONS_RECEIVED,
		OSIP_NIST_INFO_RECEIVED, OSIP_NIST_CANCEL_RECEIVED,
		OSIP_NIST_NOTIFY_RECEIVED, OSIP_NIST_SUBSCRIBE_RECEIVED,
		OSIP_NIST_UNKNOWN_REQUEST_RECEIVED,
	};
	static const int resps[] = {
		OSIP_ICT_STATUS_1XX_RECEIVED, OSIP_ICT_STATUS_2XX_RECEIVED,
		OSIP_ICT_STATUS_3XX_RECEIVED, OSIP_ICT_STATUS_4XX_RECEIVED,
		OSIP_ICT_STATUS_5XX_RECEIVED, OSIP_ICT_STATUS_6XX_RECEIVED,
		OSIP_NICT_STATUS_1XX_RECEIVED, OSIP_NICT_STATUS_2XX_RECEIVED,
		OSIP_NICT_STATUS_3XX_RECEIVED, OSIP_NICT_STATUS_4XX_RECEIVED,
		OSIP_NICT_STATUS_5XX_RECEIVED, OSIP_NICT_STATUS_6XX_RECEIVED,
	};

	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++)
		osip_set_message_callback(o, reqs[i], on_request);
	for (size_t i = 0; i < sizeof(resps) / sizeof(resps[0]); i++)
		osip_set_message_callback(o, resps[i], on_client_response);
	osip_set_message_callback(o, OSIP_IST_ACK_RECEIVED, on_ack);
	osip_set_message_callback(o, OSIP_ICT_STATUS_TIMEOUT,
				  on_client_timeout);
	osip_set_message_callback(o, OSIP_NICT_STATUS_TIMEOUT,
				  on_client_timeout);
	for (int k = 0; k < OSIP_KILL_CALLBACK_COUNT; k++)
		osip_set_kill_transaction_callback(o, k, sipc__on_kill);
	for (int k = 0; k < OSIP_TRANSPORT_ERROR_CALLBACK_COUNT; k++)
		osip_set_transport_error_callback(o, k, on_transport_error);
	osip_set_cb_send_message(o, sipc__cb_send);
}

/* One turn of the transactions (txtab.c): the ones with events, then
 * the due timers, the model's timers, then the killed ones freed. */
void sipc__pump(struct sipc *c)
{
	sipc__tx_run(c);
	sipc__tx_timers(c);
	ssm_run_timers(c->m);
	sipc__tx_collect(c);      /* runs what the model's timers sent too */
}
