/**
 * @file conformance/oracle/wire.c  the proxy and B2BUA rules on the wire (4 and
 * 5 in oracle.c's list): RFC 3261 section 16, the B2BUA's legs, and requests a
 * container makes from scratch (B2B-12).
 */
#include <strings.h>

#include "oracle_int.h"

/* ------------------------------------------------------------------ */
/* 4. the proxy and B2BUA rules on the wire                            */
/* ------------------------------------------------------------------ */

/* Whether URI (a branch's Request-URI) is a target: one of the fork
 * application's --target URIs ({agent} placeholders stand for any
 * host and port), or else the request's own Request-URI ORIG. */
static bool is_target(const struct run *R, bool fork, const char *uri,
		      const char *orig)
{
	const char *p = R->c->args ? R->c->args : "";
	bool any = false;

	if (!fork)
		return !strcmp(uri, orig);
	while ((p = strstr(p, "--target"))) {
		char t[256];
		size_t n;

		p += 8;
		p += strspn(p, " =");
		n = strcspn(p, " ");
		snprintf(t, sizeof(t), "%.*s", (int)n, p);
		any = true;
		/* uri_text() writes user@host:port, no scheme */
		if (!strncmp(t, "sip:", 4))
			memmove(t, t + 4, strlen(t + 4) + 1);
		if (strchr(t, '{') ? !strncmp(uri, t, (size_t)(strchr(t, '{') - t)) :
		    !strcmp(uri, t))
			return true;
	}
	return !any && !strcmp(uri, orig);
}

bool oracle__is_proxy_app(const struct run *R)
{
	const char *a = R->c->app ? R->c->app : "";

	return !strcmp(a, "proxy") || !strcmp(a, "send-on") || !strcmp(a, "fork");
}

static bool record_routes(const struct run *R, const struct msg *req)
{
	const char *a = R->c->app ? R->c->app : "";

	if (!strcmp(a, "proxy"))
		return !args_have(R, "--rr-invite-only") || MSG_IS_INVITE(req->m);
	if (!strcmp(a, "fork"))
		return args_have(R, "--record-route");
	return false;
}

/* The copies the target sent of request Q. */
static size_t copies(const struct run *R, size_t qi, size_t *out, size_t max)
{
	const struct msg *q = &R->v[qi];
	/* the sender's Via under the target's, and under the front's on
	 * each crossing of a cluster's front, in and out (front-hops) */
	int below = 1 + 2 * R->c->front_hops;
	size_t n = 0;

	for (size_t i = 0; i < R->n && n < max; i++) {
		const struct msg *f = &R->v[i];

		if (!boundary(f) || f->agent_sent || !is_req(f) ||
		    strcmp(f->m->sip_method, q->m->sip_method) ||
		    strcmp(call_id(f->m), call_id(q->m)) ||
		    cseq_num(f->m) != cseq_num(q->m) ||
		    osip_list_size(&f->m->vias) < below + 1 ||
		    strcmp(via_branch(f->m, below), via_branch(q->m, 0)))
			continue;
		bool dup = false;

		for (size_t k = 0; k < n; k++)   /* retransmissions: once */
			dup |= !strcmp(R->v[out[k]].raw, f->raw) ||
			       (R->v[out[k]].agent == f->agent &&
				!strcmp(via_branch(R->v[out[k]].m, 0), via_branch(f->m, 0)));
		if (!dup)
			out[n++] = i;
	}
	return n;
}

/* CANCELs the proxy sent on its own, no CANCEL having come from
 * upstream: with --no-cancel (Proxy.setNoCancel(true)) none may follow a
 * 2xx (PROXY-09); after a branch timeout (--branch-timeout) what reaches
 * the caller is CF-18's side: a synthesized 408 (0), or the response of
 * the branch it cancelled when that branch had rung (1, RFC 3261 16.8).
 * The timeout is judged where it decides the outcome: a single branch. */
void oracle__check_own_cancels(struct run *R)
{
	const struct msg *final = NULL;
	size_t branches = 0;
	int cf18 = oracle_cf_value(R->c->cf, "CF-18");
	char w[256];

	for (size_t i = 0; i < R->n; i++) {
		const struct msg *x = &R->v[i];
		bool caller = x->agent < 8 && R->c->caller[x->agent];

		if (!boundary(x))
			continue;
		if (x->agent_sent && is_req(x) && MSG_IS_CANCEL(x->m) && caller)
			return;                    /* cancelled from upstream */
		if (!x->agent_sent && !is_req(x) && caller &&
		    !strcmp(cseq_method(x->m), "INVITE") && x->m->status_code >= 300)
			final = x;
		if (!x->agent_sent && is_req(x) && !caller && MSG_IS_INVITE(x->m) &&
		    !tag_of(x->m->to)[0])
			branches++;
	}
	for (size_t i = 0; i < R->n; i++) {
		const struct msg *c = &R->v[i];
		int prov = 0, answer = 0;

		if (!boundary(c) || c->agent_sent || !is_req(c) || !MSG_IS_CANCEL(c->m))
			continue;
		where(R, c, w, sizeof(w));
		R->r->wire_checks++;
		if (args_have(R, "--no-cancel")) {
			find(R->r, "PROXY-09", w, "setNoCancel(true): no branch is "
			     "cancelled after a 2xx, seen a CANCEL to %s",
			     R->c->agents[c->agent]);
			continue;
		}
		if (!args_have(R, "--branch-timeout") || !final || branches != 1)
			continue;
		for (size_t k = 0; k < R->n; k++) {
			const struct msg *y = &R->v[k];

			if (!boundary(y) || !y->agent_sent || y->agent != c->agent ||
			    is_req(y) || strcmp(cseq_method(y->m), "INVITE"))
				continue;
			if (y->m->status_code > 100 && y->m->status_code < 200 && k < i)
				prov = y->m->status_code;
			if (y->m->status_code >= 300 && !answer)
				answer = y->m->status_code;
		}
		int want = cf18 && prov && answer ? answer : 408;

		where(R, final, w, sizeof(w));
		if (final->m->status_code != want)
			find(R->r, "PROXY-10", w, "a branch that timed out %s: expected "
			     "%d upstream (CF-18=%d), seen %d", prov ? "after a "
			     "provisional and was cancelled" : "before any provisional",
			     want, cf18, final->m->status_code);
	}
}

/* PROXY-06 to -08 on F, a copy the target forwarded of Q (Max-Forwards
 * MF; INITIAL: outside a dialog): one Via added, Max-Forwards decremented,
 * Record-Route as the application asks, the Request-URI a target. */
static void proxy_copy(struct run *R, const struct msg *q, const struct msg *f,
		       int mf, bool initial, bool fork)
{
	char w[256], a[160], b[160];
	int fv = osip_list_size(&f->m->vias), qv = osip_list_size(&q->m->vias);
	int frr = osip_list_size(&f->m->record_routes);
	int qrr = osip_list_size(&q->m->record_routes);
	/* a cluster's front, crossed in and out, adds its own (front-hops:
	 * a Via, a hop, and on an initial request a Record-Route, each) */
	int fh = 2 * R->c->front_hops;

	R->r->wire_checks += 3;
	where(R, f, w, sizeof(w));
	if (fv != qv + 1 + fh)
		find(R->r, "PROXY-08", w, "one Via added: expected %d, seen %d",
		     qv + 1 + fh, fv);
	if (mf > 0 && max_fwd(f->m) != mf - 1 - fh)
		find(R->r, "PROXY-08", w, "Max-Forwards decremented: "
		     "expected %d, seen %d", mf - 1 - fh, max_fwd(f->m));
	if (initial && !MSG_IS_ACK(f->m) && !MSG_IS_CANCEL(f->m)) {
		bool rr = record_routes(R, q);

		/* one, or two where it changes transport (RFC 5658) */
		if (rr && (frr < qrr + 1 + fh || frr > qrr + 2 + fh))
			find(R->r, "PROXY-06", w, "record-routing: expected "
			     "its Record-Route added, seen %d", frr - qrr - fh);
		if (!rr && frr != qrr + fh)
			find(R->r, "PROXY-07", w, "not record-routing: "
			     "expected no Record-Route added, seen %d",
			     frr - qrr - fh);
		uri_text(f->m->req_uri, a, sizeof(a));
		uri_text(q->m->req_uri, b, sizeof(b));
		if (!args_have(R, "--recurse") && !is_target(R, fork, a, b))
			find(R->r, "PROXY-08", w, "Request-URI: expected "
			     "%s (the target), seen %s", fork &&
			     strstr(R->c->args, "--target") ?
			     "one of the --target URIs" : b, a);
	}
}

/* PROXY-08: a request the target sent whose top Via is an agent's own:
 * it was forwarded without the proxy's Via (copies() cannot see it). */
static void proxy_no_via(struct run *R)
{
	char w[256];

	for (size_t i = 0; i < R->n; i++) {
		struct msg *f = &R->v[i];

		if (!boundary(f) || f->agent_sent || !is_req(f))
			continue;
		for (size_t k = 0; k < R->n; k++) {
			struct msg *q = &R->v[k];

			if (!boundary(q) || !q->agent_sent || !is_req(q) ||
			    q->agent == f->agent ||
			    strcmp(q->m->sip_method, f->m->sip_method) ||
			    strcmp(call_id(q->m), call_id(f->m)) ||
			    strcmp(via_branch(q->m, 0), via_branch(f->m, 0)))
				continue;
			where(R, f, w, sizeof(w));
			find(R->r, "PROXY-08", w, "one Via added: the top Via is "
			     "the sender's own (branch %s), the proxy's is missing",
			     via_branch(f->m, 0));
			break;
		}
	}
}

/* PROXY-02 (Max-Forwards 0), each forwarded copy (proxy_copy), one 100
 * Trying per INVITE transaction. */
static void proxy_requests(struct run *R, bool fork)
{
	char w[256];

	for (size_t i = 0; i < R->n; i++) {
		struct msg *q = &R->v[i];
		size_t cp[16], n;

		if (!boundary(q) || !q->agent_sent || !is_req(q))
			continue;
		bool initial = !tag_of(q->m->to)[0];
		int mf = max_fwd(q->m);

		n = copies(R, i, cp, 16);
		where(R, q, w, sizeof(w));
		if (mf == 0 && !MSG_IS_ACK(q->m)) {
			bool got483 = false;

			for (size_t k = 0; k < R->n; k++) {
				struct msg *x = &R->v[k];

				got483 |= boundary(x) && !x->agent_sent &&
					  x->m->status_code == 483 &&
					  !strcmp(via_branch(x->m, 0), via_branch(q->m, 0));
			}
			R->r->wire_checks++;
			if (n || !got483)
				find(R->r, "PROXY-02", w, "Max-Forwards 0: expected 483 "
				     "and nothing forwarded, seen %s%zu copies",
				     got483 ? "483 and " : "no 483, ", n);
			continue;
		}
		for (size_t k = 0; k < n; k++)
			proxy_copy(R, q, &R->v[cp[k]], mf, initial, fork);
		/* one 100 Trying per INVITE transaction */
		if (MSG_IS_INVITE(q->m)) {
			int trying = 0;

			for (size_t k = 0; k < R->n; k++) {
				struct msg *x = &R->v[k];

				trying += boundary(x) && !x->agent_sent &&
					  x->agent == q->agent && x->m->status_code == 100 &&
					  !strcmp(via_branch(x->m, 0), via_branch(q->m, 0));
			}
			R->r->wire_checks++;
			where(R, q, w, sizeof(w));
			if (trying > 1)
				find(R->r, "PROXY-08", w, "one 100 Trying for the INVITE, "
				     "seen %d", trying);
		}
	}
}

/* PROXY-09: every 2xx goes upstream, and then every branch still
 * pending gets a CANCEL. */
static void proxy_2xx(struct run *R, bool fork)
{
	char w[256];

	for (size_t i = 0; i < R->n; i++) {
		struct msg *x = &R->v[i];

		if (!boundary(x) || !x->agent_sent || is_req(x) ||
		    x->m->status_code < 200 || x->m->status_code >= 300 ||
		    strcmp(cseq_method(x->m), "INVITE"))
			continue;
		/* every 2xx goes upstream (PROXY-09) */
		bool up = false;

		for (size_t k = 0; k < R->n; k++) {
			struct msg *y = &R->v[k];

			up |= boundary(y) && !y->agent_sent && !is_req(y) &&
			      y->agent != x->agent && y->m->status_code == x->m->status_code &&
			      !strcmp(cseq_method(y->m), "INVITE") &&
			      !strcmp(tag_of(y->m->to), tag_of(x->m->to)) &&
			      !strcmp(call_id(y->m), call_id(x->m));
		}
		R->r->wire_checks++;
		where(R, x, w, sizeof(w));
		if (!up)
			find(R->r, "PROXY-09", w, "every 2xx forwarded upstream: this "
			     "one (To tag %s) never was", tag_of(x->m->to));
		/* then every branch still pending gets a CANCEL */
		if (!fork || args_have(R, "--no-cancel"))
			continue;
		for (size_t k = 0; k < R->n; k++) {
			struct msg *f = &R->v[k];

			if (!boundary(f) || f->agent_sent || !is_req(f) ||
			    !MSG_IS_INVITE(f->m) || f->agent == x->agent || f->t > x->t ||
			    strcmp(call_id(f->m), call_id(x->m)))
				continue;
			bool final = false, cancelled = false;

			for (size_t j = 0; j < R->n; j++) {
				struct msg *y = &R->v[j];

				if (!boundary(y) || !y->agent_sent || y->agent != f->agent)
					continue;
				/* a final of its own (no 487, which a CANCEL
				 * causes) before the 2xx, or crossing it: the
				 * two agents' clocks agree to ORACLE_SKEW */
				final |= !is_req(y) && y->m->status_code >= 200 &&
					 y->m->status_code != 487 &&
					 y->t <= x->t + ORACLE_SKEW &&
					 !strcmp(cseq_method(y->m), "INVITE");
			}
			for (size_t j = 0; j < R->n; j++) {
				struct msg *y = &R->v[j];

				cancelled |= boundary(y) && !y->agent_sent && is_req(y) &&
					     MSG_IS_CANCEL(y->m) && y->agent == f->agent &&
					     !strcmp(via_branch(y->m, 0), via_branch(f->m, 0));
			}
			R->r->wire_checks++;
			if (!final && !cancelled) {
				where(R, f, w, sizeof(w));
				find(R->r, "PROXY-09", w, "a 2xx came from %s: this pending "
				     "branch should get a CANCEL and got none",
				     R->c->agents[x->agent]);
			}
		}
	}
}

/* PROXY-10: the best response, when no branch answered 2xx. */
static void proxy_best(struct run *R)
{
	char w[256];

	if (args_have(R, "--best-answer") || args_have(R, "--reproxy"))
		return;
	bool any2xx = false, recursed = !args_have(R, "--no-recurse");
	/* CF-16: by default a 6xx wins, else the lowest code; with the
	 * RFC 3261 16.7 option only the class is judged here */
	bool rfc = args_have(R, "cf16");
	int best = 0, six = 0;

	for (size_t i = 0; i < R->n; i++) {
		struct msg *x = &R->v[i];
		int st;

		if (!boundary(x) || !x->agent_sent || is_req(x) ||
		    strcmp(cseq_method(x->m), "INVITE") || R->c->caller[x->agent])
			continue;
		st = x->m->status_code;
		if (st < 200)
			continue;
		any2xx |= st < 300;
		if (st >= 600 && (!six || st < six))
			six = st;
		if (st >= 300 && st < 400 && recursed)
			continue;
		if (st >= 300 && (!best || st < best))
			best = st;
	}
	if (six)
		best = six;
	if (any2xx || !best)
		return;
	for (size_t i = 0; i < R->n; i++) {
		struct msg *x = &R->v[i];
		int st;

		if (!boundary(x) || x->agent_sent || is_req(x) || !R->c->caller[x->agent] ||
		    strcmp(cseq_method(x->m), "INVITE"))
			continue;
		st = x->m->status_code;
		if (st < 300)
			continue;
		R->r->wire_checks++;
		where(R, x, w, sizeof(w));
		if (st == 408 || st == 487)
			continue;                  /* a timeout or a CANCEL decided */
		if (rfc ? st / 100 != best / 100 : st != best)
			find(R->r, "PROXY-10", w, "best response: expected %d%s "
			     "(CF-16 %s), seen %d", rfc ? best / 100 : best,
			     rfc ? "xx" : "", rfc ? "RFC 3261 16.7" : "default", st);
		break;
	}
}

void oracle__check_proxy(struct run *R)
{
	bool fork = R->c->app && !strcmp(R->c->app, "fork");

	proxy_no_via(R);
	proxy_requests(R, fork);
	proxy_2xx(R, fork);
	proxy_best(R);
}

void oracle__check_b2b(struct run *R)
{
	char w[256];
	bool same = args_have(R, "--same-call-id");

	for (size_t i = 0; i < R->n; i++) {
		struct msg *q = &R->v[i];

		if (!boundary(q) || !q->agent_sent || !is_req(q) ||
		    !R->c->caller[q->agent] || tag_of(q->m->to)[0] ||
		    MSG_IS_ACK(q->m) || MSG_IS_CANCEL(q->m))
			continue;
		int mf = max_fwd(q->m);

		/* the other leg's first request: same method, sent to a callee
		 * after this one arrived.  Two agents' clocks settle "after"
		 * only to within ORACLE_SKEW: the caller may log its send later
		 * than the callee logs the new leg's receipt. */
		for (size_t k = 0; k < R->n; k++) {
			struct msg *f = &R->v[k];

			if (!boundary(f) || f->agent_sent || !is_req(f) ||
			    f->paired || R->c->caller[f->agent] ||
			    f->t < q->t - ORACLE_SKEW ||
			    strcmp(f->m->sip_method, q->m->sip_method))
				continue;
			f->paired = true;
			where(R, f, w, sizeof(w));
			R->r->wire_checks += 4;
			if (mf == 0)
				find(R->r, "B2B-03", w, "Max-Forwards 0: expected 483 "
				     "and no new leg, seen a new leg");
			if (same && strcmp(call_id(f->m), call_id(q->m)))
				find(R->r, "B2B-11", w, "the 1.0 route keeps the Call-ID: "
				     "expected %s, seen %s", call_id(q->m), call_id(f->m));
			if (!same && !strcmp(call_id(f->m), call_id(q->m)))
				find(R->r, "B2B-02", w, "new leg: expected a new Call-ID, "
				     "seen the caller's %s", call_id(q->m));
			if (!strcmp(tag_of(f->m->from), tag_of(q->m->from)))
				find(R->r, "B2B-02", w, "new leg: expected a new From "
				     "tag, seen the caller's %s", tag_of(q->m->from));
			if (tag_of(f->m->to)[0])
				find(R->r, "B2B-02", w, "new leg: expected no To tag, "
				     "seen %s", tag_of(f->m->to));
			/* B2B-02's Max-Forwards - 1 is B2buaHelper's: the
			 * deprecated SipFactory route says nothing of it */
			if (!same && mf > 0 &&
			    max_fwd(f->m) != mf - 1 - 2 * R->c->front_hops)
				find(R->r, "B2B-02", w, "new leg: expected Max-Forwards "
				     "%d, seen %d", mf - 1 - 2 * R->c->front_hops,
				     max_fwd(f->m));
			break;
		}
		if (mf == 0) {
			bool got483 = false;

			for (size_t k = 0; k < R->n; k++)
				got483 |= boundary(&R->v[k]) && !R->v[k].agent_sent &&
					  R->v[k].m->status_code == 483;
			R->r->wire_checks++;
			where(R, q, w, sizeof(w));
			if (!got483)
				find(R->r, "B2B-03", w, "Max-Forwards 0: expected 483, "
				     "seen none");
		}
	}
	/* both legs in one application session (B2B-02), when the callers
	 * started one call (distinct Via branches of initial requests) */
	const char *sas = NULL, *first = NULL;
	bool one = true;

	for (size_t i = 0; i < R->n; i++) {
		struct msg *x = &R->v[i];

		if (!boundary(x) || !x->agent_sent || !is_req(x) ||
		    !R->c->caller[x->agent] || tag_of(x->m->to)[0] ||
		    MSG_IS_ACK(x->m) || MSG_IS_CANCEL(x->m))
			continue;
		if (!first)
			first = via_branch(x->m, 0);
		else if (strcmp(first, via_branch(x->m, 0)) &&
			 strcmp(call_id(x->m), call_id(R->v[i].m)))
			one = false;
	}
	for (size_t i = 0; i < R->n && one; i++) {
		struct msg *x = &R->v[i];

		/* a session already invalidated names no application
		 * session (observation-protocol.md 1: valid=0) */
		if (!boundary(x) || x->agent_sent || !x->has_state || !x->sas[0])
			continue;
		if (!sas) {
			sas = x->sas;
		} else if (strcmp(sas, x->sas)) {
			where(R, x, w, sizeof(w));
			find(R->r, "B2B-02", w, "both legs in one application "
			     "session: expected %s, seen %s", sas, x->sas);
			break;
		}
	}
}

/* ------------------------------------------------------------------ */
/* 5. requests from scratch (B2B-12)                                   */
/* ------------------------------------------------------------------ */

/* Every initial request the target made from scratch
 * (SipFactory.createRequest(sas, method, from, to)): no To tag, a From
 * tag, a Contact, and a Call-ID and From tag of its own, never another
 * leg's. */
void oracle__check_uac(struct run *R)
{
	char w[256];

	for (size_t i = 0; i < R->n; i++) {
		struct msg *q = &R->v[i];
		osip_contact_t *ct = NULL;

		if (!boundary(q) || q->agent_sent || !is_req(q) ||
		    !MSG_IS_INVITE(q->m) || tag_of(q->m->to)[0])
			continue;
		where(R, q, w, sizeof(w));
		R->r->wire_checks += 2;
		if (!tag_of(q->m->from)[0])
			find(R->r, "B2B-12", w, "a request from scratch: expected the "
			     "container's From tag, seen none");
		if (osip_message_get_contact(q->m, 0, &ct) < 0 || !ct)
			find(R->r, "B2B-12", w, "a request from scratch: expected the "
			     "container's Contact, seen none");
		for (size_t k = 0; k < i; k++) {
			struct msg *p = &R->v[k];

			if (!boundary(p) || p->agent_sent || !is_req(p) ||
			    !MSG_IS_INVITE(p->m) || tag_of(p->m->to)[0] ||
			    p->agent == q->agent)
				continue;
			if (!strcmp(call_id(p->m), call_id(q->m)))
				find(R->r, "B2B-12", w, "a new leg: expected a Call-ID "
				     "of its own, seen %s's (%s)", R->c->agents[p->agent],
				     call_id(q->m));
			if (!strcmp(tag_of(p->m->from), tag_of(q->m->from)))
				find(R->r, "B2B-12", w, "a new leg: expected a From tag "
				     "of its own, seen %s's (%s)", R->c->agents[p->agent],
				     tag_of(q->m->from));
		}
	}
}

/* ------------------------------------------------------------------ */
/* 6. a user agent's own requests in a dialog (SS-08)                  */
/* ------------------------------------------------------------------ */

/* Whether the target answered the agent's INVITE @q with a 2xx whose To
 * tag is @tag (the dialog's, one of them when it forked). */
static bool answered_with(const struct run *R, const struct msg *q, const char *tag)
{
	for (size_t k = 0; k < R->n; k++) {
		const struct msg *x = &R->v[k];

		if (boundary(x) && !x->agent_sent && x->agent == q->agent &&
		    !is_req(x) && x->m->status_code >= 200 && x->m->status_code < 300 &&
		    !strcmp(cseq_method(x->m), "INVITE") &&
		    !strcmp(call_id(x->m), call_id(q->m)) && tag[0] &&
		    !strcmp(tag_of(x->m->to), tag))
			return true;
	}
	return false;
}

/* SS-11: a request of a session whose application chose the case's
 * second interface (setOutboundInterface) says it comes from there: its
 * Via's sent-by and its Contact (the agent answers to that Via, so a
 * response reaching the application is the rest of the proof). */
static void from_iface(struct run *R, const struct msg *f, const char *w)
{
	osip_via_t *v = NULL;
	osip_contact_t *ct = NULL;
	const char *vh, *ch;

	R->r->wire_checks += 2;
	vh = osip_message_get_via(f->m, 0, &v) >= 0 && v && v->host ? v->host : "";
	ch = osip_message_get_contact(f->m, 0, &ct) >= 0 && ct && ct->url &&
	     ct->url->host ? ct->url->host : "";
	if (strcmp(vh, R->c->iface))
		find(R->r, "SS-11", w, "a request of the session's outbound "
		     "interface: expected its Via from %s, seen %s", R->c->iface,
		     vh[0] ? vh : "none");
	if (strcmp(ch, R->c->iface))
		find(R->r, "SS-11", w, "a request of the session's outbound "
		     "interface: expected its Contact at %s, seen %s", R->c->iface,
		     ch[0] ? ch : "none");
}

/* One request F the target sent an agent in the dialog of its INVITE Q
 * (its Call-ID): RFC 3261 12.2.1.1, as SS-08 asks of
 * SipSession.createRequest's requests and of a B2BUA's relayed ones. */
static void ua_request(struct run *R, const struct msg *q, const struct msg *f,
		       int *last)
{
	char w[256], want[300], seen[300];
	osip_contact_t *ct = NULL;
	osip_route_t *rt = NULL;
	osip_record_route_t *rr = NULL;

	where(R, f, w, sizeof(w));
	R->r->wire_checks += 5;
	if (strcmp(tag_of(f->m->to), tag_of(q->m->from)))
		find(R->r, "SS-08", w, "a request in the dialog: expected the "
		     "caller's tag %s as its To tag, seen %s", tag_of(q->m->from),
		     tag_of(f->m->to));
	if (!answered_with(R, q, tag_of(f->m->from)))
		find(R->r, "SS-08", w, "a request in the dialog: expected the From "
		     "tag of the container's 2xx, seen %s", tag_of(f->m->from));
	if (osip_message_get_contact(q->m, 0, &ct) >= 0 && ct && ct->url) {
		uri_text(ct->url, want, sizeof(want));
		uri_text(f->m->req_uri, seen, sizeof(seen));
		if (strcmp(want, seen))
			find(R->r, "SS-08", w, "a request in the dialog: expected the "
			     "remote target %s as its Request-URI, seen %s", want, seen);
	}
	if (*last >= 0 && cseq_num(f->m) <= *last)
		find(R->r, "SS-08", w, "a request in the dialog: expected a CSeq "
		     "above %d, the last one's, seen %d", *last, cseq_num(f->m));
	*last = cseq_num(f->m);
	/* the agent's INVITE set no route (it carried no Record-Route): the
	 * request must come with none, straight to the remote target */
	if (osip_message_get_record_route(q->m, 0, &rr) < 0 &&
	    osip_message_get_route(f->m, 0, &rt) >= 0 && rt)
		find(R->r, "SS-08", w, "a request in the dialog: expected no Route "
		     "(an empty route set), seen one");
	if (R->c->iface)
		from_iface(R, f, w);
}

/* Every request the target (a user agent, not a proxy) sent an agent in
 * the dialog that agent's INVITE made: the dialog's Call-ID, its tags
 * both ways, the agent's Contact as the Request-URI, no Route for an
 * empty route set, CSeq rising (SS-08). */
void oracle__check_ua_dialog(struct run *R)
{
	for (size_t i = 0; i < R->n; i++) {
		const struct msg *q = &R->v[i];
		int last = -1;

		if (!boundary(q) || !q->agent_sent || !is_req(q) ||
		    !MSG_IS_INVITE(q->m) || tag_of(q->m->to)[0])
			continue;
		for (size_t k = i + 1; k < R->n; k++) {
			const struct msg *f = &R->v[k];

			if (boundary(f) && !f->agent_sent && is_req(f) &&
			    f->agent == q->agent && !MSG_IS_ACK(f->m) &&
			    !MSG_IS_CANCEL(f->m) &&
			    !strcmp(call_id(f->m), call_id(q->m)))
				ua_request(R, q, f, &last);
		}
	}
}

/* ------------------------------------------------------------------ */
/* 7. Join and Replaces targeting (KEY-06)                             */
/* ------------------------------------------------------------------ */

/* The final response the agent of request @q received for it, or NULL. */
static const struct msg *final_of(const struct run *R, const struct msg *q)
{
	for (size_t k = 0; k < R->n; k++) {
		const struct msg *x = &R->v[k];

		if (boundary(x) && !x->agent_sent && x->agent == q->agent && !is_req(x) &&
		    x->m->status_code >= 200 && !strcmp(call_id(x->m), call_id(q->m)) &&
		    !strcmp(tag_of(x->m->from), tag_of(q->m->from)) &&
		    cseq_num(x->m) == cseq_num(q->m) &&
		    !strcmp(cseq_method(x->m), q->m->sip_method))
			return x;
	}
	return NULL;
}

/* Whether @x is of the dialog CID (the whole Call-ID, NUMBER@HOST) with
 * the tags @a and @b either way. */
static bool of_dialog(const struct msg *x, const char *cid, const char *a,
		      const char *b)
{
	const char *f = tag_of(x->m->from), *t = tag_of(x->m->to);
	const char *host = x->m->call_id ? x->m->call_id->host : NULL;
	char full[300];

	snprintf(full, sizeof(full), "%s%s%s", call_id(x->m), host ? "@" : "",
		 host ? host : "");
	return !strcmp(full, cid) && f[0] && t[0] &&
	       ((!strcmp(f, a) && !strcmp(t, b)) || (!strcmp(f, b) && !strcmp(t, a)));
}

/* What the logs before @upto say of the dialog CID;A;B: the status the
 * container must answer a Join or Replaces naming it with (481 for a
 * dialog no INVITE made, 603 for one a BYE ended), 0 for a live INVITE
 * dialog, -1 for none: the request is untargeted. */
static int named_dialog(const struct run *R, size_t upto, const char *cid,
			const char *a, const char *b)
{
	int st = -1;

	for (size_t k = 0; k < upto; k++) {
		const struct msg *x = &R->v[k];

		if (!boundary(x) || is_req(x) || x->m->status_code < 200 ||
		    x->m->status_code >= 300 || !of_dialog(x, cid, a, b))
			continue;
		if (!strcmp(cseq_method(x->m), "BYE"))
			st = st == 0 ? 603 : st;
		else if (st < 0)
			st = !strcmp(cseq_method(x->m), "INVITE") ? 0 : 481;
	}
	return st;
}

/* Every initial request an agent sent with a Join or Replaces header:
 * 400 for both headers, for a request no INVITE, or a value without
 * both tags; 481 when it names a dialog an INVITE did not make, 603 one
 * that a BYE ended; otherwise it is routed on (JSR 289 15.11.4, RFC
 * 3891 3, RFC 3911 3), none of those three. */
void oracle__check_join(struct run *R)
{
	for (size_t i = 0; i < R->n; i++) {
		const struct msg *q = &R->v[i], *f;
		osip_header_t *j = NULL, *r = NULL;
		char cid[256], a[128] = "", b[128] = "", w[256];
		const char *v, *p;
		int want;

		if (!boundary(q) || !q->agent_sent || !is_req(q) || tag_of(q->m->to)[0])
			continue;
		osip_message_header_get_byname(q->m, "join", 0, &j);
		osip_message_header_get_byname(q->m, "replaces", 0, &r);
		if (!(j && j->hvalue) && !(r && r->hvalue))
			continue;
		/* RFC 3891 6.1: callid *(SEMI (to-tag / from-tag / ...)) */
		v = r && r->hvalue ? r->hvalue : j->hvalue;
		snprintf(cid, sizeof(cid), "%.*s", (int)strcspn(v, "; \t"), v);
		if ((p = strstr(v, "to-tag=")))
			snprintf(a, sizeof(a), "%.*s", (int)strcspn(p + 7, "; \t"), p + 7);
		if ((p = strstr(v, "from-tag=")))
			snprintf(b, sizeof(b), "%.*s", (int)strcspn(p + 9, "; \t"), p + 9);
		want = (j && j->hvalue && r && r->hvalue) || !MSG_IS_INVITE(q->m) ||
		       !cid[0] || !a[0] || !b[0] ? 400 : named_dialog(R, i, cid, a, b);
		where(R, q, w, sizeof(w));
		R->r->wire_checks++;
		f = final_of(R, q);
		if (want > 0 && (!f || f->m->status_code != want))
			find(R->r, "KEY-06", w, "a %s naming %s: expected %d, seen %d",
			     j && j->hvalue && r && r->hvalue ? "Join and a Replaces" :
			     j && j->hvalue ? "Join" : "Replaces",
			     want == 400 ? "no dialog it may" : want == 481 ?
			     "a dialog no INVITE made" : "a dialog a BYE ended", want,
			     f ? f->m->status_code : 0);
		if (want <= 0 && f && (f->m->status_code == 400 ||
				       f->m->status_code == 481 || f->m->status_code == 603))
			find(R->r, "KEY-06", w, "a Join or Replaces naming %s: expected "
			     "it routed on, seen %d", want ? "no dialog" : "a live INVITE "
			     "dialog", f->m->status_code);
	}
}
