/**
 * @file conformance/oracle/states.c  X-SS-State against the state the oracle's
 * table derives from the boundary messages (2 in oracle.c's list), and the
 * messages' causal order.
 */
#include <strings.h>

#include "oracle_int.h"
#include "text.h"

/* ------------------------------------------------------------------ */
/* 2. X-SS-State against the state the table derives                   */
/* ------------------------------------------------------------------ */

struct sess {
	char id[ORACLE_ID], role[8], state[16], sas[ORACLE_ID], rule[24];
	char totag[64];          /* the To tag of its dialog, once known */
	int root;                /* the original of its family, or itself */
	/* its states in time: agents log sends and arrivals a little after
	 * the fact, so what the target stamped is judged within a window;
	 * each step keeps the message that caused it, whose place in its
	 * agent's log can settle the order where the clock cannot */
	struct step {
		double t;
		char state[16], rule[24];
		int agent, pos;          /* -1: the state before any message */
		bool agent_sent;
		const struct msg *by;    /* the message, NULL before any */
	} *line;
	size_t nline;
	bool done;               /* root only: a final response went upstream */
	char family[160];
	bool derived, invite;
	bool last_100;
	bool notify_term;        /* a terminating NOTIFY awaits its response */
	/* SS-STATE-42: a user agent's INVITE dialog that also carries a
	 * subscription (a 2xx to REFER or SUBSCRIBE in it, or a NOTIFY
	 * active) outlives its BYE until the subscription ends, and a
	 * terminating NOTIFY ends it only once the BYE is done */
	bool sub;                /* a subscription lives in the INVITE dialog */
	bool bye_done;           /* the INVITE usage ended (a BYE's final) */
	bool sub_term;           /* its terminating NOTIFY awaits its response */
};

struct binding {
	char key[200];
	int sess;
};

struct states {
	struct sess *s;
	size_t ns;
	struct binding *b;
	size_t nb;
	size_t *pend;            /* received messages of dialogs not yet known */
	size_t npend;
};

static int sess_get(struct states *st, const struct msg *x)
{
	for (size_t i = 0; i < st->ns; i++)
		if (!strcmp(st->s[i].id, x->id))
			return (int)i;
	struct sess *v = realloc(st->s, (st->ns + 1) * sizeof(*v));

	if (!v)
		return -1;
	st->s = v;
	memset(&v[st->ns], 0, sizeof(v[0]));
	snprintf(v[st->ns].id, sizeof(v[0].id), "%s", x->id);
	snprintf(v[st->ns].role, sizeof(v[0].role), "%s", x->role);
	snprintf(v[st->ns].state, sizeof(v[0].state), "INITIAL");
	snprintf(v[st->ns].sas, sizeof(v[0].sas), "%s", x->sas);
	v[st->ns].derived = x->derived;
	v[st->ns].root = -1;
	return (int)st->ns++;
}

static void bind_key(struct states *st, const char *key, int s)
{
	for (size_t i = 0; i < st->nb; i++)
		if (!strcmp(st->b[i].key, key)) {
			st->b[i].sess = s;
			return;
		}
	struct binding *v = realloc(st->b, (st->nb + 1) * sizeof(*v));

	if (!v)
		return;
	st->b = v;
	snprintf(v[st->nb].key, sizeof(v[0].key), "%s", key);
	v[st->nb].sess = s;
	st->nb++;
}

static int lookup(const struct states *st, const char *key)
{
	for (size_t i = 0; i < st->nb; i++)
		if (!strcmp(st->b[i].key, key))
			return st->b[i].sess;
	return -1;
}

/* dialog key: Call-ID and both tags, in order; family: Call-ID and the
 * tag of the side that sent the initial request */
static void keys(const struct msg *x, char *dlg, size_t dsz, char *fam,
		 size_t fsz, bool *has_totag)
{
	const char *ft = tag_of(x->m->from), *tt = tag_of(x->m->to);
	const char *a = strcmp(ft, tt) < 0 ? ft : tt, *b = a == ft ? tt : ft;

	snprintf(dlg, dsz, "%s|%s|%s", call_id(x->m), a, b);
	*has_totag = tt[0] != '\0';
	snprintf(fam, fsz, "%s|%s", call_id(x->m), ft);
}

/* Whether X is a NOTIFY whose Subscription-State is terminated. */
static bool notify_terminated(const struct msg *x)
{
	osip_header_t *h = NULL;

	return is_req(x) && !strcmp(x->m->sip_method, "NOTIFY") &&
	       osip_message_header_get_byname(x->m, "subscription-state", 0, &h) >= 0 &&
	       h && h->hvalue && !strncasecmp(h->hvalue, "terminated", 10);
}

/* SS-STATE-42's events of a user agent's INVITE dialog that carries a
 * subscription (S->sub, S->sub_term); NULL where it has none of its
 * own.  Before the BYE the terminating NOTIFY and its response keep the
 * session CONFIRMED (sub-notify-kept), so that a state that moves there
 * is SS-STATE-42's finding. */
static const char *sub_event(const struct msg *x, const struct sess *s)
{
	const char *meth = cseq_method(x->m);
	int st = x->m->status_code;

	if (!s->invite || !strcmp(s->role, "PROXY"))
		return NULL;
	if (s->sub && notify_terminated(x))
		return s->bye_done ? "sub-notify-terminated" : "sub-notify-kept";
	if (!is_req(x) && !strcmp(meth, "NOTIFY") && st >= 200 && s->sub_term)
		return s->bye_done ? "sub-notify-done" : "sub-notify-kept";
	if (!is_req(x) && !strcmp(meth, "BYE") && st >= 200 && st != 401 &&
	    st != 407 && s->sub)
		return "bye-done-sub";
	return NULL;
}

/* The table's event for message X on a session of ROLE; NULL for none
 * (CF10_NO_DIALOG: the target takes CF-10's side 1). */
static const char *event_of(const struct msg *x, const struct sess *s,
			    bool out, bool done, bool cf10_no_dialog)
{
	const char *meth = cseq_method(x->m);
	int st = x->m->status_code;
	/* CF-10: REFER creates a dialog as SUBSCRIBE does (side 0, MSS,
	 * IBM) or not at all (side 1, CIP: its session stays INITIAL) */
	bool creating = !strcmp(meth, "INVITE") || !strcmp(meth, "SUBSCRIBE") ||
			(!strcmp(meth, "REFER") && !cf10_no_dialog);
	bool proxy = !strcmp(s->role, "PROXY"), uac = !strcmp(s->role, "UAC");
	const char *sub = sub_event(x, s);

	if (sub)
		return sub;
	if (is_req(x)) {
		if (MSG_IS_CANCEL(x->m) && proxy && !out)
			return "cancel";
		if (!strcmp(x->m->sip_method, "NOTIFY") && !s->invite &&
		    (!proxy || !out)) {
			osip_header_t *h = NULL;

			if (osip_message_header_get_byname(x->m, "subscription-state",
							   0, &h) >= 0 && h &&
			    h->hvalue && !strncasecmp(h->hvalue, "terminated", 10))
				return "notify-terminated";
		}
		return NULL;
	}
	if (!strcmp(meth, "BYE") && st >= 200 && st != 401 && st != 407)
		return proxy && !out ? NULL : "bye-done";
	/* CF-20: the final response to a terminating NOTIFY, relayed by a
	 * proxy as a BYE's is */
	if (!strcmp(meth, "NOTIFY") && st >= 200 && s->notify_term)
		return proxy && !out ? NULL : "notify-done";
	if (!creating || st <= 100)
		return NULL;
	if (proxy) {
		if (st >= 300)
			return out ? "relay-final" : done ? "branch-final-done" :
			       s->derived ? "branch-final-derived" : "branch-final";
		if (!out)
			return NULL;
		return st < 200 ? (tag_of(x->m->to)[0] ? "relay-1xx" : NULL) : "relay-2xx";
	}
	if (uac != !out)
		return NULL;                   /* UAC acts on what it receives */
	if (st < 200)
		return tag_of(x->m->to)[0] ? (uac ? "recv-1xx" : "sent-1xx") : NULL;
	if (st < 300 && !strcmp(meth, "REFER"))
		return uac ? "refer-recv-2xx" : "refer-sent-2xx";
	if (st < 300)
		return uac ? "recv-2xx" : "sent-2xx";
	return uac ? "recv-final" : "sent-final";
}

static void step(struct sess *S, double t, const struct msg *x)
{
	struct step *v = realloc(S->line, (S->nline + 1) * sizeof(*v));

	if (!v)
		return;
	S->line = v;
	v[S->nline].t = t;
	v[S->nline].agent = x ? x->agent : -1;
	v[S->nline].pos = x ? x->pos : -1;
	v[S->nline].agent_sent = x && x->agent_sent;
	v[S->nline].by = x;
	snprintf(v[S->nline].state, sizeof(v[0].state), "%s", S->state);
	snprintf(v[S->nline].rule, sizeof(v[0].rule), "%s", S->rule);
	S->nline++;
}

/* Applies message X to session S: the table's transition, if any. */
static void apply(struct run *R, struct states *st, struct sess *S,
		  const struct msg *x, bool out)
{
	struct sess *root = S->root >= 0 ? &st->s[S->root] : S;
	const char *ev;
	int code = x->m->status_code;

	if (code && !strcmp(cseq_method(x->m), "INVITE"))
		S->invite = true;
	ev = event_of(x, S, out, root->done,
		      oracle_cf_value(R->c->cf, "CF-10") == 1);
	if (S->invite && strcmp(S->role, "PROXY")) {
		/* SS-STATE-42's bookkeeping, once the event is known */
		const char *meth = cseq_method(x->m);

		if (S->sub && notify_terminated(x)) {
			S->sub = false;
			S->sub_term = true;
		} else if (!is_req(x) && !strcmp(meth, "NOTIFY") && code >= 200) {
			S->sub_term = false;
		} else if ((!is_req(x) && code >= 200 && code < 300 &&
			    (!strcmp(meth, "REFER") || !strcmp(meth, "SUBSCRIBE"))) ||
			   (is_req(x) && !strcmp(x->m->sip_method, "NOTIFY") &&
			    !notify_terminated(x))) {
			S->sub = true;
		}
		if (!is_req(x) && !strcmp(meth, "BYE") && code >= 200 &&
		    code != 401 && code != 407)
			S->bye_done = true;
	}
	if (ev && !strcmp(ev, "notify-terminated"))
		S->notify_term = true;
	else if (ev && !strcmp(ev, "notify-done"))
		S->notify_term = false;
	if (ev) {
		const struct row *row = table_find(&R->tab, S->role, S->state, ev);

		if (row) {
			struct msg *mx = &R->v[x - R->v];

			snprintf(S->state, sizeof(S->state), "%s", row->next);
			snprintf(S->rule, sizeof(S->rule), "%s", row->rule);
			step(S, x->t, x);
			if (!mx->notes)
				mx->notes = json_array();
			json_array_append_new(mx->notes, json_pack("{s:o,s:s,s:s,s:s}",
				"session", text_json(S->id), "from", row->state, "to", row->next,
				"rule", row->rule));
			/* back to INITIAL: the remote tag is forgotten
			 * (SS-STATE-14, SS-STATE-31) */
			if (!strcmp(row->next, "INITIAL"))
				S->totag[0] = '\0';
		}
	}
	if (out && code >= 200 && !strcmp(cseq_method(x->m), "INVITE"))
		root->done = true;
	S->last_100 = code == 100;
}

/* Whether the target sent X because it received Y: a request forwarded
 * (X's second Via is Y's top one) or a response relayed (Y's second Via
 * is X's top one) by a proxy, or the ACK of the 2xx Y. */
static bool relayed(const struct msg *y, const struct msg *x)
{
	if (!y || !y->agent_sent || x->agent_sent || !y->m || !x->m)
		return false;
	/* the ACK of a 2xx answers it (RFC 3261 13.2.2.4) */
	if (is_req(x) && MSG_IS_ACK(x->m) && !is_req(y) &&
	    y->m->status_code >= 200 && y->m->status_code < 300 &&
	    !strcmp(cseq_method(y->m), "INVITE") &&
	    !strcmp(call_id(x->m), call_id(y->m)) && cseq_num(x->m) == cseq_num(y->m))
		return true;
	if (is_req(y) != is_req(x))
		return false;
	if (is_req(x))
		return !strcmp(x->m->sip_method, y->m->sip_method) &&
		       osip_list_size(&x->m->vias) >= 2 &&
		       !strcmp(via_branch(x->m, 1), via_branch(y->m, 0));
	return x->m->status_code == y->m->status_code &&
	       osip_list_size(&y->m->vias) >= 2 &&
	       !strcmp(via_branch(y->m, 1), via_branch(x->m, 0));
}

/* The message another agent sent that made the target send X, which X's
 * agent logged: what it relayed (relayed()), the CANCEL a proxy sends
 * hop by hop for the caller's (same Call-ID and CSeq), or X itself when
 * no target stood between.  -1 when there is none in the logs. */
static long cause_of(const struct run *R, const struct msg *x)
{
	if (x->agent_sent || !x->m)
		return -1;
	for (size_t k = 0; k < R->n; k++) {
		const struct msg *y = &R->v[k];

		if (!y->agent_sent || y->agent == x->agent || !y->m)
			continue;
		if (relayed(y, x) || !strcmp(y->raw, x->raw) ||
		    (is_req(x) && is_req(y) && MSG_IS_CANCEL(x->m) &&
		     MSG_IS_CANCEL(y->m) && cseq_num(x->m) == cseq_num(y->m) &&
		     !strcmp(call_id(x->m), call_id(y->m))))
			return (long)k;
	}
	return -1;
}

/* Merge the agents' logs (R->v, each agent's in its own order) into one
 * order of events.  Each agent stamps a message after the fact, some
 * time after its send or receipt, so two agents' clocks can put an
 * effect before its cause: the callee's receipt of a forwarded CANCEL
 * a millisecond before the caller's send of it, on a loaded machine.
 * So the merge keeps each log's order, takes the earliest head, and
 * holds back a head whose cause is not taken yet. */
int oracle__causal_order(struct run *R)
{
	size_t n = R->n, na = R->c->nagents;
	struct msg *out = malloc(n * sizeof(*out));
	long *cause = malloc(n * sizeof(*cause));
	size_t *head = calloc(na + 1, sizeof(*head));
	bool *taken = calloc(n, sizeof(*taken));
	int rc = -1;

	if (!out || !cause || !head || !taken)
		goto out;
	for (size_t i = 0; i < n; i++)
		cause[i] = cause_of(R, &R->v[i]);
	/* each agent's messages are contiguous, in its log's order */
	for (size_t a = 0, i = 0; a < na; a++) {
		head[a] = i;
		while (i < n && R->v[i].agent == (int)a)
			i++;
	}
	head[na] = n;
	for (size_t o = 0; o < n; o++) {
		long best = -1, any = -1;

		for (size_t a = 0; a < na; a++) {
			size_t h = head[a];

			if (h >= n || R->v[h].agent != (int)a || taken[h])
				continue;
			if (any < 0 || by_time(&R->v[h], &R->v[any]) < 0)
				any = (long)h;
			if ((cause[h] < 0 || taken[cause[h]]) &&
			    (best < 0 || by_time(&R->v[h], &R->v[best]) < 0))
				best = (long)h;
		}
		if (best < 0)
			best = any;           /* a cycle: the clock decides */
		if (best < 0)
			goto out;
		out[o] = R->v[best];
		taken[best] = true;
		head[R->v[best].agent]++;
	}
	memcpy(R->v, out, n * sizeof(*out));
	rc = 0;
 out:
	free(out);
	free(cause);
	free(head);
	free(taken);
	return rc;
}

/* Where step H stands against message X, which the target sent and
 * X's agent logged: -1 surely before (or caused by X itself), 1 surely
 * after, 0 when neither the clock nor a log settles it.
 *
 * What X relays came before it.  One agent's log is in the order that
 * agent saw things: what it
 * received before X the target sent before X (loopback keeps order),
 * and what it logged after X came after X.  What it sent before X may
 * have crossed X on the way.  Between agents only the clock speaks, to
 * within ORACLE_SKEW. */
static int order(const struct step *h, const struct msg *x, const char *role)
{
	if (h->agent < 0 || relayed(h->by, x))
		return -1;
	/* at=app: read before the target's own transition on X, except
	 * that a proxy session follows the dialog from the branch's 1xx or
	 * 2xx on (CIP, MSS: it is EARLY or CONFIRMED in doResponse already);
	 * a final non-2xx leaves it INITIAL there (SS-STATE-31) */
	if (x->at_app && h->by == x &&
	    (strcmp(role, "PROXY") || is_req(x) || x->m->status_code >= 300))
		return 1;
	if (h->agent == x->agent) {
		if (h->pos == x->pos || (h->pos < x->pos && !h->agent_sent))
			return -1;
		if (h->pos > x->pos)
			return 1;
	}
	if (h->t < x->t - ORACLE_SKEW)
		return -1;
	if (h->t > x->t + ORACLE_SKEW)
		return 1;
	return 0;
}

/* Whether the session may have been in X's stamped state when the
 * target sent X: a state from the last step surely before X up to the
 * last one that may be, the steps *LO to *HI. */
static bool state_may_be(const struct sess *S, const struct msg *x,
			 size_t *lop, size_t *hip)
{
	size_t lo = 0, hi;

	for (size_t h = 0; h < S->nline; h++)
		if (order(&S->line[h], x, S->role) < 0)
			lo = h;
	hi = lo;
	for (size_t h = lo + 1; h < S->nline && order(&S->line[h], x, S->role) <= 0; h++)
		hi = h;
	*lop = lo;
	*hip = hi;
	for (size_t h = lo; h <= hi && h < S->nline; h++)
		if (!strcmp(S->line[h].state, x->state))
			return true;
	return false;
}

/* The session of X, the I-th message (OUT: the target sent it), in ST:
 * its dialog and family keys bound as they become known, what came in on
 * a dialog before the target named its session applied then.  An index
 * into ST, -1 for none (or kept pending: a derived session not named
 * yet), -2 out of memory. */
static int session_of(struct run *R, struct states *st, size_t i, bool out)
{
	struct msg *x = &R->v[i];
	char dlg[200], fam[160];
	const char *totag;
	int s = -1;
	bool tt;

	keys(x, dlg, sizeof(dlg), fam, sizeof(fam), &tt);
	totag = tag_of(is_req(x) ? x->m->to : x->m->to);
	if (out && x->has_state) {
		bool fresh = true;

		for (size_t k = 0; k < st->ns; k++)
			fresh &= strcmp(st->s[k].id, x->id) != 0;
		s = sess_get(st, x);
		if (s < 0)
			return -2;
		if (fresh)
			step(&st->s[s], x->t - 1.0, NULL);  /* INITIAL, before all */
		if (lookup(st, dlg) != s) {
			bind_key(st, dlg, s);
			/* what came in on this dialog before it was known */
			for (size_t p = 0; fresh && p < st->npend; p++) {
				struct msg *y = &R->v[st->pend[p]];
				char d2[200], f2[160];
				bool t2;

				keys(y, d2, sizeof(d2), f2, sizeof(f2), &t2);
				if (!strcmp(d2, dlg)) {
					apply(R, st, &st->s[s], y, false);
					st->pend[p] = st->pend[--st->npend];
					p--;
				}
			}
		}
		if (!x->derived && lookup(st, fam) < 0)
			bind_key(st, fam, s);
		if (x->derived && st->s[s].root < 0 && lookup(st, fam) >= 0 &&
		    lookup(st, fam) != s)
			st->s[s].root = lookup(st, fam);
		if (tt && !st->s[s].totag[0] && !is_req(x))
			snprintf(st->s[s].totag, sizeof(st->s[s].totag), "%s", totag);
		if (!x->m->status_code && MSG_IS_INVITE(x->m))
			st->s[s].invite = true;
	} else {
		s = lookup(st, dlg);
		if (s < 0) {
			int o = lookup(st, fam);

			if (o >= 0 && tt && !is_req(x) && st->s[o].totag[0] &&
			    strcmp(st->s[o].totag, totag)) {
				/* a new dialog of the family: a derived session
				 * the target has not named yet */
				size_t *v = realloc(st->pend, (st->npend + 1) * sizeof(*v));

				if (v) {
					st->pend = v;
					st->pend[st->npend++] = i;
				}
				return -1;
			}
			s = o;
			if (s >= 0 && tt && !is_req(x) && !st->s[s].totag[0]) {
				snprintf(st->s[s].totag, sizeof(st->s[s].totag), "%s", totag);
				bind_key(st, dlg, s);
			}
		}
	}
	return s;
}

/* Every stamped state (CHK: NCHK pairs of a message and its session)
 * against the derived states the target may have been in when it sent
 * the message (see order()). */
static void states_judge(struct run *R, struct states *st, const size_t *chk,
			 size_t nchk)
{
	char w[256];

	for (size_t k = 0; k < nchk; k++) {
		struct msg *x = &R->v[chk[2 * k]];
		struct sess *S = &st->s[chk[2 * k + 1]];
		char exp[64] = "INITIAL";
		const char *rule = "SS-STATE-01";
		size_t lo = 0, hi = 0;

		if (state_may_be(S, x, &lo, &hi))
			continue;
		/* the rule of the latest transition that may have happened:
		 * the one whose outcome the target should have shown */
		for (size_t h = lo; h <= hi && h < S->nline; h++) {
			if (S->line[h].rule[0])
				rule = S->line[h].rule;
			if (h == lo)
				snprintf(exp, sizeof(exp), "%s", S->line[h].state);
			else if (strlen(exp) + strlen(S->line[h].state) + 4 < sizeof(exp))
				strcat(strcat(exp, " or "), S->line[h].state);
		}
		if (x->m->status_code == 100)
			rule = "SS-STATE-12";
		else if (S->derived)
			rule = "DERIVED-04";   /* its own dialog's state machine */
		where(R, x, w, sizeof(w));
		find(R->r, rule, w, "X-SS-State of %s: expected %s, seen %s",
		     x->id, exp, x->state);
	}
}

/* Derived sessions share the application session of their family. */
static void states_derived(struct run *R, struct states *st)
{
	char dlg[200], fam[160], w[256];
	bool tt;

	for (size_t i = 0; i < R->n; i++) {
		struct msg *x = &R->v[i];

		if (!boundary(x) || !x->has_state || x->agent_sent || !x->derived)
			continue;
		keys(x, dlg, sizeof(dlg), fam, sizeof(fam), &tt);
		int o = lookup(st, fam);

		if (o >= 0 && strcmp(st->s[o].sas, x->sas)) {
			where(R, x, w, sizeof(w));
			find(R->r, "DERIVED-02", w, "derived session %s in application "
			     "session %s, its original %s in %s", x->id, x->sas,
			     st->s[o].id, st->s[o].sas);
		}
	}
}

/* Whether proxy session ID forwarded an INVITE (the target sent one
 * stamped with ID), and none with a Record-Route: a non-record-routing
 * proxy, whose session is ready once CONFIRMED (INVAL-10 b, CF-03). */
static bool forwarded_without_rr(const struct run *R, const char *id)
{
	bool fwd = false;

	for (size_t i = 0; i < R->n; i++) {
		const struct msg *x = &R->v[i];

		if (x->agent_sent || !x->has_state || !x->m || !is_req(x) ||
		    !MSG_IS_INVITE(x->m) || strcmp(x->id, id))
			continue;
		if (osip_list_size(&x->m->record_routes) > 0)
			return false;
		fwd = true;
	}
	return fwd;
}

/* Each session's last state, which the trace's ss-ready must show. */
static void states_final(struct run *R, const struct states *st)
{
	R->fin = st->ns ? calloc(st->ns, sizeof(*R->fin)) : NULL;
	for (size_t i = 0; R->fin && i < st->ns; i++) {
		struct final *f = &R->fin[R->nfin++];

		snprintf(f->id, sizeof(f->id), "%s", st->s[i].id);
		snprintf(f->state, sizeof(f->state), "%s", st->s[i].state);
		snprintf(f->rule, sizeof(f->rule), "%s", st->s[i].rule[0] ?
			 st->s[i].rule : "SS-STATE-01");
		snprintf(f->role, sizeof(f->role), "%s", st->s[i].role);
		f->nonrr = !strcmp(f->role, "PROXY") &&
			   forwarded_without_rr(R, f->id);
	}
}

void oracle__check_states(struct run *R)
{
	struct states st = { 0 };
	size_t *chk = NULL, nchk = 0;
	char w[256];

	for (size_t i = 0; i < R->n; i++) {
		struct msg *x = &R->v[i];
		bool out = !x->agent_sent;     /* the target sent it */
		int s;

		if (!boundary(x))
			continue;
		s = session_of(R, &st, i, out);
		if (s == -2)
			break;
		if (s < 0)
			continue;
		struct sess *S = &st.s[s];

		/* the role is settled when the servlet acts: a session created
		 * for a request may become a proxy's while still INITIAL */
		if (out && x->has_state && strcmp(S->role, x->role) &&
		    !strcmp(S->state, "INITIAL") && !strcmp(S->role, "UAS"))
			snprintf(S->role, sizeof(S->role), "%s", x->role);
		apply(R, &st, S, x, out);
		if (!(out && x->has_state))
			continue;
		R->r->state_checks++;
		where(R, x, w, sizeof(w));
		if (strcmp(S->role, x->role) && !(x->m->status_code == 100 &&
						   !strcmp(x->role, "UAS")))
			find(R->r, "OWN-02", w, "session %s reported as %s, earlier as %s",
			     x->id, x->role, S->role);
		if (x->sas[0] && S->sas[0] && strcmp(S->sas, x->sas))
			find(R->r, "OWN-02", w, "session %s in application session %s, "
			     "earlier in %s", x->id, x->sas, S->sas);
		if (!S->sas[0])
			snprintf(S->sas, sizeof(S->sas), "%s", x->sas);
		/* judged once every message is in: see below */
		size_t *v = realloc(chk, (nchk + 1) * 2 * sizeof(*v));

		if (v) {
			chk = v;
			chk[2 * nchk] = i;
			chk[2 * nchk + 1] = (size_t)s;
			nchk++;
		}
	}
	states_judge(R, &st, chk, nchk);
	free(chk);
	states_derived(R, &st);
	states_final(R, &st);
	for (size_t i = 0; i < st.ns; i++)
		free(st.s[i].line);
	free(st.s);
	free(st.b);
	free(st.pend);
}
