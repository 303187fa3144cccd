/**
 * @file model/sip/proxy.c  the proxy engine (RFC 3261 16)
 *
 * A proxy operation on a request (sipc_proxy): its branches, sequential
 * or parallel, their timeouts and CANCELs, recursion on 3xx, and the
 * best response forwarded upstream (16.7).
 */
#define _GNU_SOURCE 1          /* strcasestr */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <osipparser2/osip_parser.h>
#include "sipc.h"
#include "mem.h"
#include "sipc_int.h"
#include "fault.h"

static void px_forward_upstream(struct sipc_px *px, osip_message_t *resp,
				struct ss *from_branch_ss);

static void px_check_done(struct sipc_px *px);

/* The request a branch sent: its client transaction's (libosip2 keeps
 * it as the transaction's orig_request), while the transaction lives. */
static osip_message_t *br_req(const struct branch *b)
{
	return b->tr ? b->tr->orig_request : NULL;
}

/* A branch's timeout, in the container's heap of branch deadlines. */
static void br_init(struct sipc_px *px, struct branch *b)
{
	memset(b, 0, sizeof(*b));
	heap_node_init(&b->tn);
	b->px = px;
}

static void br_arm(struct branch *b, uint64_t due)
{
	(void)heap_start(&b->px->c->br_due, &b->tn, due); /* no room: no
							   * timeout */
}

static void br_disarm(struct branch *b)
{
	heap_stop(&b->px->c->br_due, &b->tn);
}

/** Every branch timeout that is due, and no other (sipc_run's loop). */
void sipc__px_branch_timers(struct sipc *c)
{
	uint64_t now = sipc__now_ms();
	struct heap_node *x;

	while ((x = heap_top(&c->br_due)) && x->due <= now) {
		struct branch *b = container_of(x, struct branch, tn);
		struct sipc_px *px = b->px;

		heap_stop(&c->br_due, x);
		if (!b->done)
			sipc__px_on_timeout(px, (int)(b - px->br));
	}
}

void sipc__px_free(struct sipc_px *px)
{
	struct sipc *c = px->c;

	if (px->prev)
		px->prev->next = px->next;
	else if (c->pxs == px)
		c->pxs = px->next;
	if (px->next)
		px->next->prev = px->prev;
	for (int i = 0; i < px->nbr; i++) {
		br_disarm(&px->br[i]);
		free(px->br[i].target);
		if (px->br[i].final)
			osip_message_free(px->br[i].final);
	}
	if (px->orig)
		osip_message_free(px->orig);
	mem_deref(px->ss);
	free(px);
}

void sipc__px_unref(struct sipc_px *px)
{
	if (--px->refs == 0)
		sipc__px_free(px);
}

int sipc__branch_of(struct sipc_px *px, osip_transaction_t *tr)
{
	for (int i = 0; i < px->nbr; i++)
		if (px->br[i].tr == tr)
			return i;
	return -1;
}

/* An initial request's copy: our Record-Route when the application
 * record-routes (PROXY-06); on a cluster node, the Route that sends the
 * copy out through the front. */
static void px_route_initial(struct sipc *c, osip_message_t *fwd,
			     const char *rr_param)
{
	if (rr_param) {          /* record-routing: its parameters (Proxy11) */
		osip_record_route_t *rr = NULL;
		char s[384];
		const char *sep = rr_param[0] ? ";" : "";

		/* a cluster node is named at the front (sstck-NODE@front,
		 * as its Contacts are), which sends the dialog's requests
		 * to that node or, once it is gone, to another (DIST-02) */
		if (c->cfg.advertise)
			snprintf(s, sizeof(s), "<sip:sstck-%s@%s;lr%s%s>",
				 c->cfg.node, c->cfg.advertise, sep, rr_param);
		else
			snprintf(s, sizeof(s), "<sip:%s:%d;lr%s%s>", c->addr,
				 c->port, sep, rr_param);
		if (osip_record_route_init(&rr) >= 0 &&
		    osip_record_route_parse(rr, s) >= 0)
			osip_list_add(&fwd->record_routes, rr, 0);
		else
			osip_record_route_free(rr);
	}
	if (c->cfg.advertise) {
		osip_route_t *fr = NULL;
		char s[96];

		/* the copy leaves through the front, as a B2BUA's own
		 * requests do: each hop of the dialog crosses the front
		 * both ways, as the oracle counts them (front-hops) */
		snprintf(s, sizeof(s), "<sip:%s;lr>", c->cfg.advertise);
		if (osip_route_init(&fr) >= 0 && osip_route_parse(fr, s) >= 0)
			osip_list_add(&fwd->routes, fr, 0);
		else
			osip_route_free(fr);
	}
}

/** Start branch @i: a client transaction with a copy of the request. */
static int px_start_branch(struct sipc_px *px, int i)
{
	struct sipc *c = px->c;
	struct branch *b = &px->br[i];
	osip_message_t *fwd = NULL;
	osip_uri_t *u = NULL;
	osip_transaction_t *tr = NULL;
	char vb[64];
	bool invite = px->invite;
	int mf;

	b->started = true;
	if (!px->orig) {         /* completed: px_trim let the request go */
		b->done = true;
		return -1;
	}
	mf = sipc__max_forwards(px->orig);
	if (osip_message_clone(px->orig, &fwd) < 0)
		return -1;
	if (osip_uri_init(&u) < 0 || osip_uri_parse(u, b->target) < 0 ||
	    sipc__port_of(u->port) < 0) {
		osip_uri_free(u);
		osip_message_free(fwd);
		b->status = 400;
		b->done = true;
		return -1;
	}
	osip_uri_free(fwd->req_uri);
	fwd->req_uri = u;
	sipc__pop_own_route(c, fwd);
	if (sipc__uri_is_us(c, u) && !osip_list_size(&fwd->routes)) {
		/* RFC 3261 16.3: forwarding to ourselves is a loop */
		osip_message_free(fwd);
		b->status = 482;
		b->done = true;
		return -1;
	}
	sipc__set_max_forwards(fwd, mf > 0 ? mf - 1 : 0);  /* PROXY-08 */
	if (!sipc__tag_of(fwd->to))                        /* PROXY-06 */
		px_route_initial(c, fwd, px->o.record_route ? px->rr_param : NULL);
	if (px->o.add_path && MSG_IS_REGISTER(fwd)) {      /* PROXY-18 */
		osip_header_t *ph = NULL;
		char s[128];

		/* ours above any Path already there (RFC 3327 4); on a
		 * cluster the node by its name at the front, as its
		 * Record-Route: a request sent along the Path reaches the
		 * next node when this one is gone (DIST-07) */
		if (c->cfg.advertise)
			snprintf(s, sizeof(s), "<sip:sstck-%s@%s;lr>",
				 c->cfg.node, c->cfg.advertise);
		else
			snprintf(s, sizeof(s), "<sip:%s:%d;lr>", c->addr,
				 c->port);
		if (osip_header_init(&ph) >= 0) {
			ph->hname = osip_strdup("Path");
			ph->hvalue = osip_strdup(s);
			if (ph->hname && ph->hvalue)
				osip_list_add(&fwd->headers, ph, 0);
			else
				osip_header_free(ph);
		}
	}
	sipc__remove_headers(fwd, "X-SS-State");
	{
		osip_route_t *r = NULL;
		const char *h = u->host;

		if (osip_message_get_route(fwd, 0, &r) >= 0 && r && r->url)
			h = r->url->host;
		if (!sipc_is_loopback(h)) {
			/* Never leave the machine (see the file comment). */
			osip_message_free(fwd);
			b->status = 403;
			b->done = true;
			return -1;
		}
	}
	if (sipc__push_via(c, fwd, strcasestr(b->target,
					      "transport=tcp") != NULL,
			   vb, sizeof(vb)) < 0) {
		osip_message_free(fwd);
		return -1;
	}
	sipc__stamp(c, sipc__apply(c, px->ss, fwd, SSM_OUT), fwd);
	if (sipc__client_tr(c, &tr, invite ? ICT : NICT, fwd) < 0) {
		osip_message_free(fwd);
		b->done = true;
		b->status = 500;
		return -1;
	}
	osip_transaction_set_reserved2(tr, px);
	px->refs++;
	b->tr = tr;
	b->sent = true;
	if (!px->o.parallel && px->o.branch_timeout_ms > 0)
		br_arm(b, sipc__now_ms() + (uint64_t)px->o.branch_timeout_ms);
	sipc__tx_event(c, tr, osip_new_outgoing_sipmessage(fwd));
	return 0;
}

static void px_send_cancel(struct sipc_px *px, int i)
{
	struct branch *b = &px->br[i];

	if (b->done || b->cancelled || !b->sent || !px->invite)
		return;
	b->cancelled = true;
	if (!b->tr)
		return;
	if (b->status < 100) {
		b->cancel_held = true; /* RFC 3261 9.1: a provisional first */
		return;
	}
	sipc__send_cancel(px->c, px->ss, br_req(b));
}

/* A provisional response on branch @i lets a CANCEL held for want of one
 * go (RFC 3261 9.1), once, and also when the branch has ended meanwhile
 * on its timeout's 408: its INVITE is still ringing there. */
static void px_release_cancel(struct sipc_px *px, int i)
{
	struct branch *b = &px->br[i];

	if (!b->cancel_held)
		return;
	b->cancel_held = false;
	if (b->tr)
		sipc__send_cancel(px->c, px->ss, br_req(b));
}

void sipc__px_cancel_pending(struct sipc_px *px, int except)
{
	for (int i = 0; i < px->nbr; i++)
		if (i != except && px->br[i].started && !px->br[i].done)
			px_send_cancel(px, i);
}

void sipc__px_cancel_branch(struct sipc_px *px, int i)
{
	if (i >= 0 && i < px->nbr && px->br[i].started && !px->br[i].done)
		px_send_cancel(px, i);
}

/** Start the next untried branch (sequential), or all (parallel). */
static void px_start_more(struct sipc_px *px)
{
	/* sequential: one branch at a time (PROXY-05) */
	for (int i = 0; !px->o.parallel && i < px->nbr; i++)
		if (px->br[i].started && !px->br[i].done)
			return;
	for (int i = 0; i < px->nbr; i++) {
		if (px->br[i].started)
			continue;
		px_start_branch(px, i);
		if (!px->o.parallel && !px->br[i].done)
			return;
	}
}

int sipc_px_add_target(struct sipc_px *px, const char *target)
{
	struct branch *b;

	if (px->completed || px->nbr == MAX_BRANCHES || !target)
		return -1;
	b = &px->br[px->nbr++];
	br_init(px, b);
	b->target = strdup(target);
	if (!b->target) {
		px->nbr--;
		return -1;
	}
	if (!px->in_callback)
		px_start_more(px);
	return 0;
}

int sipc_px_respond(struct sipc_px *px, int status, const char *reason)
{
	if (px->completed || !px->srv)
		return -1;
	px->app_answered = true;
	px->completed = true;
	return sipc__srv_respond(px->srv, status, reason);
}

struct ss *sipc_px_session(const struct sipc_px *px)
{
	return px->ss;
}

static void px_forward_upstream(struct sipc_px *px, osip_message_t *resp,
				struct ss *bss)
{
	struct srv *s = px->srv;
	struct ss *t;

	if (px->c->cfg.verbose)
		sipc_log(px->c, "upstream: %d (server tx %s, state %d, final "
			 "%s)", resp->status_code, s && s->tr ? "alive" : "gone",
			 s && s->tr ? (int)s->tr->state : -1,
			 s && s->final_sent ? "sent" : "not sent");
	sipc__pop_via(resp);
	sipc__remove_headers(resp, "X-SS-State");
	if (resp->status_code >= 200)
		px->completed = true;
	bool inv2xx = resp->status_code >= 200 && resp->status_code < 300 &&
		      MSG_IS_RESPONSE_FOR(resp, "INVITE");

	if (inv2xx && (!s || !s->tr || s->final_sent)) {
		/* A further 2xx of a forked INVITE, after the first or after
		 * libosip2 ended the server transaction on it: statelessly,
		 * by its Via, as every 2xx goes (PROXY-09). */
		t = sipc__apply(px->c, bss ? bss : px->ss, resp, SSM_OUT);
		sipc__stamp(px->c, t, resp);
		osip_message_force_update(resp);
		sipc__send_stateless(px->c, resp);
		osip_message_free(resp);
		return;
	}
	if (!s || !s->tr || s->final_sent) {
		osip_message_free(resp);
		return;
	}
	t = sipc__apply(px->c, bss ? bss : px->ss, resp, SSM_OUT);
	sipc__stamp(px->c, t, resp);
	if (resp->status_code >= 200)
		s->final_sent = true;
	sipc__tx_event(px->c, s->tr, osip_new_outgoing_sipmessage(resp));
}

static bool px_all_final(const struct sipc_px *px)
{
	for (int i = 0; i < px->nbr; i++)
		if (!px->br[i].done)
			return false;
	return true;
}

/* The INVITE is over on every branch: early dialogs of the proxy's
 * session family that never got a 2xx end with it (RFC 3261 13.2.2.4),
 * whatever To tag a branch put on its final response. */
static void px_end_early(struct sipc_px *px)
{
	if (px->completed && px_all_final(px) && px->ss && px->invite)
		ss_initial_tx_ended(px->ss);
}

/** All branches final: the best response goes upstream (PROXY-10). */
/* Once the final response went upstream, a context lingers only for its
 * transactions' Timers J and K (and a forked INVITE's later 2xx): it
 * keeps no copy it will not use again: the request and each ended
 * branch's final. */
static void px_trim(struct sipc_px *px)
{
	if (!px->completed)
		return;
	if (px->orig) {
		osip_message_free(px->orig);
		px->orig = NULL;
	}
	for (int i = 0; i < px->nbr; i++) {
		struct branch *b = &px->br[i];

		if (!b->done)
			continue;
		if (b->final) {
			osip_message_free(b->final);
			b->final = NULL;
		}
	}
}

static void px_check_done(struct sipc_px *px)
{
	int codes[MAX_BRANCHES], n = 0, best, bi = -1;

	if (px->completed) {
		px_end_early(px);
		px_trim(px);
		return;
	}
	for (int i = 0; i < px->nbr; i++) {
		if (!px->br[i].started)
			return;              /* sequential: more to try */
		if (!px->br[i].done)
			return;
		if (!px->br[i].recursed && !px->br[i].own)
			codes[n++] = px->br[i].status;
	}
	/* RFC 3261 16.7 step 6: no final response in the context, 408 */
	best = n ? ssm_best_response(px->c->m, codes, (size_t)n) : 408;
	for (int i = 0; i < px->nbr; i++) {
		int st = px->br[i].status;

		if (px->br[i].own)
			continue;
		if (st == best || (best == 500 && st == 503)) {
			bi = i;
			break;
		}
	}
	if (px->o.supervised && px->c->app.do_response && !px->in_callback) {
		int before = px->nbr;

		px->in_callback = true;
		px->c->app.do_response(px, best, px->c->app.arg);
		px->in_callback = false;
		if (px->completed)
			return;              /* the app answered */
		if (px->nbr > before) {      /* re-proxy (PROXY-11) */
			px_start_more(px);
			return;
		}
	}
	if (bi >= 0 && px->br[bi].final) {
		osip_message_t *r = px->br[bi].final;

		px->br[bi].final = NULL;
		if (r->status_code != best) {
			r->status_code = best;
			osip_free(r->reason_phrase);
			r->reason_phrase = osip_strdup(
				osip_message_get_reason(best));
		}
		px_forward_upstream(px, r, NULL);
	}
	else if (px->srv) {
		px->completed = true;
		sipc__srv_respond(px->srv, best,
				  NULL); /* e.g. a synthesized 408 */
	}
	px_trim(px);
}

void sipc__px_branch_final(struct sipc_px *px, int i, int status,
			   osip_message_t *copy)
{
	struct branch *b = &px->br[i];

	b->done = true;
	b->status = status;
	br_disarm(b);
	if (b->final)
		osip_message_free(b->final);
	b->final = copy;
	if (ssm_cancels_branches(px->c->m, status, px->o.no_cancel))
		sipc__px_cancel_pending(px, i); /* 6xx (CF-17) */
	if (!px->o.parallel && !px->completed && status < 600)
		px_start_more(px);
	px_check_done(px);
}

/** A response on a branch (ICT/NICT callbacks). */
void sipc__px_on_response(struct sipc_px *px, osip_transaction_t *tr,
			  osip_message_t *resp)
{
	int i = sipc__branch_of(px, tr);
	int st = resp->status_code;
	struct ss *bss;
	osip_message_t *copy = NULL;

	if (i < 0)
		return;
	if (px->c->cfg.verbose)
		sipc_log(px->c, "branch %d (%s): %d %s", i, px->br[i].target,
			 st, resp->cseq ? resp->cseq->method : "");
	/* RFC 3261 16.8 asks whether the transaction "has received a
	 * provisional response": 100 counts (Cipango counts 101-199). */
	if (st < 200 && !px->br[i].done)
		px->br[i].provisional = true;
	if (osip_list_size(&resp->vias) < 2) {
		/* RFC 3261 16.7 step 3: no Via is left once ours is gone, so
		 * the response is for this element: never forwarded, and not
		 * in the response context.  A provisional one still lets a
		 * held CANCEL go (9.1), a final one still ends the branch
		 * (its transaction ACKs a non-2xx). */
		sipc_log(px->c, "branch %d: a %d with no Via below ours is "
			 "for the proxy itself: not forwarded", i, st);
		if (st < 200) {
			if (!px->br[i].done)
				px->br[i].status = st;
			px_release_cancel(px, i);
		}
		if (st >= 200 && !px->br[i].done) {
			px->br[i].done = px->br[i].own = true;
			px->br[i].status = st;
			br_disarm(&px->br[i]);
			if (!px->o.parallel && !px->completed)
				px_start_more(px);
			px_check_done(px);
		}
		return;
	}
	bss = sipc__apply(px->c, px->ss, resp, SSM_IN);
	px->c->ops_px = px;             /* proxy.cancel, proxy.cancelBranch */
	px->c->ops_branch = i;
	sipc__ops_run(px->c, bss, resp, false);
	px->c->ops_px = NULL;
	if (st < 200 && !px->br[i].done)
		px->br[i].status = st;   /* not over the 408 of a timeout */
	if (st == 100) {
		px_release_cancel(px, i);
		return;
	}
	if (st < 200) {
		px_release_cancel(px, i);
		if (px->completed || osip_message_clone(resp, &copy) < 0)
			return;
		px_forward_upstream(px, copy, bss);
		return;
	}
	if (st < 300) {
		/* PROXY-09: every 2xx goes upstream at once; the others are
		 * cancelled unless noCancel. */
		px->br[i].done = true;
		px->br[i].status = st;
		if (osip_message_clone(resp, &copy) >= 0)
			px_forward_upstream(px, copy, bss);
		if (ssm_cancels_branches(px->c->m, st, px->o.no_cancel))
			sipc__px_cancel_pending(px, i);
		px_end_early(px);
		return;
	}
	if (px->br[i].done) {
		/* the final of a branch that has ended already, on its
		 * timeout's 408 (PROXY-10): the 408 stays its response */
		px_end_early(px);
		return;
	}
	if (st < 400 && px->o.recurse) {
		/* PROXY-12: Contacts of a 3xx become new branches. */
		osip_contact_t *ct = NULL;
		int added = 0;

		for (int k = 0; osip_message_get_contact(resp, k, &ct) >= 0 &&
		     ct; k++) {
			char *s = NULL;

			if (ct->url && osip_uri_to_str(ct->url, &s) >= 0) {
				if (px->nbr < MAX_BRANCHES) {
					struct branch *nb = &px->br[px->nbr++];

					br_init(px, nb);
					nb->target = strdup(s);
					added++;
				}
				osip_free(s);
			}
		}
		if (added) {
			/* the caller never sees this 3xx */
			px->br[i].done = true;
			px->br[i].recursed = true;
			px->br[i].status = st;
			px_start_more(px);
			px_check_done(px);
			return;
		}
	}
	osip_message_clone(resp, &copy);
	sipc__px_branch_final(px, i, st, copy);
}

/**
 * A branch timed out (Timer B/F, our sequential timer, or its transaction
 * went away).  By default it ends with a synthesized 408 (PROXY-10); the
 * CANCEL still goes to an INVITE branch that has had a provisional
 * response.  Under CF-18 that branch ends only with the final response
 * the CANCEL brings (RFC 3261 16.8).  libosip2 runs no timer in an INVITE
 * client transaction's Proceeding state, so the wait has its own: if no
 * final has come 64*T1 after the CANCEL, the INVITE counts as cancelled
 * (RFC 3261 9.1) and the branch ends with the 408 after all.
 */
void sipc__px_on_timeout(struct sipc_px *px, int i)
{
	struct branch *b;
	int t1;

	if (i < 0 || px->br[i].done)
		return;
	b = &px->br[i];
	if (!b->timed_out && b->tr && px->invite &&
	    ssm_timeout_waits_final(px->c->m, b->provisional)) {
		t1 = px->c->cfg.t1_ms > 0 ? px->c->cfg.t1_ms : 500;
		b->timed_out = true;
		br_arm(b, sipc__now_ms() + 64 * (uint64_t)t1);
		if (px->c->cfg.verbose)
			sipc_log(px->c, "branch %d timed out after a "
				 "provisional: CANCEL, its final awaited "
				 "(CF-18)", i);
		px_send_cancel(px, i);
		return;
	}
	px_send_cancel(px, i);
	sipc__px_branch_final(px, i, 408, NULL);      /* PROXY-10: 408 */
}

int sipc_proxy(struct sipc_req *r, const struct sipc_proxy_opts *o,
	       const char *const *targets, int n, struct sipc_px **pxp)
{
	struct srv *s = r->srv;
	struct sipc_px *px;

	if (s->px || s->final_sent || n < 1 || n > SIPC_MAX_TARGETS)
		return -1;
	if (sipc__max_forwards(s->req) <= 0) {
		sipc__srv_respond(s, 483, NULL);              /* PROXY-02 */
		return SSM_HOPS;
	}
	px = calloc(1, sizeof(*px));
	if (!px)
		return -1;
	px->c = s->c;
	px->srv = s;
	px->o = *o;
	/* the application's parameters on its Record-Route URI, set in
	 * this request's callback (proxy.setRecordRouteParam, PROXY-06) */
	if (s->c->ops.rr_param[0]) {
		px->o.record_route = true;
		snprintf(px->rr_param, sizeof(px->rr_param), "%s",
			 s->c->ops.rr_param);
	}
	px->refs = 1;                          /* the server transaction */
	px->ss = mem_ref(s->ss);
	/* An initial request makes the session a proxy's, record-routing
	 * or not (PROXY-06); a subsequent one follows the path its dialog
	 * set up and leaves that choice alone, or a re-INVITE would turn a
	 * record-routed session into one ready on CONFIRMED (INVAL-10). */
	if (s->ss && !sipc__tag_of(s->req->to) &&
	    ss_set_proxy(s->ss, px->o.record_route)) {
		/* a second proxy on the same session: fine */
	}
	px->invite = MSG_IS_INVITE(s->req);
	if (osip_message_clone(s->req, &px->orig) < 0) {
		free(px);
		return -1;
	}
	px->next = s->c->pxs;
	if (px->next)
		px->next->prev = px;
	s->c->pxs = px;
	s->px = px;
	for (int i = 0; i < n; i++)
		sipc_px_add_target(px, targets[i]);
	if (pxp)
		*pxp = px;
	px_check_done(px);      /* every target refused at once */
	return 0;
}
