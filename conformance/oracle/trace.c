/**
 * @file conformance/oracle/trace.c  the target's trace (3 in oracle.c's list):
 * every transition in the table and on the wire, ownership, nothing after
 * invalidation, and invalidation's order.
 */
#include <strings.h>

#include "oracle_int.h"

/* ------------------------------------------------------------------ */
/* 3. the trace                                                        */
/* ------------------------------------------------------------------ */

struct tss {
	char id[ORACLE_ID], sas[ORACLE_ID], orig[ORACLE_ID], state[16], role[8];
	bool ready, invalid;
	bool by_app;            /* the application invalidated it (an operation) */
	bool done;              /* original only: a final went upstream */
	bool activate;          /* moved: its sessionDidActivate is due */
};

struct tsas {
	char id[ORACLE_ID];
	bool ready, invalid;
	bool by_app;
	bool expired;           /* its lifetime ran out (sas-expired): the
				 * container may invalidate its sessions
				 * whatever their state (INVAL-05) */
	int timers;             /* one-shot ServletTimers created, not yet
				 * fired or cancelled */
	char node[16];          /* a cluster's trace: the node holding it */
	char born[16];          /* the node that created it */
	char from[16];          /* moved: the node it left */
	bool passivated;        /* sessionWillPassivate on the node holding it */
	bool left_passivated;   /* moved after a sessionWillPassivate there */
	bool moved;             /* taken over by another node (DIST-*) */
	char left[64];          /* the nodes it left without being handed
				 * over there (no sessionWillPassivate
				 * first): each must be one that failed
				 * (DIST-02) */
};

static struct tss *tss_find(struct tss *v, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].id, id))
			return &v[i];
	return NULL;
}

static struct tsas *tsas_find(struct tsas *v, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].id, id))
			return &v[i];
	return NULL;
}

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

/* The table's event for a trace cause "STATUS METHOD in|out". */
static const char *trace_event(const struct tss *s, const char *cause,
			       bool done)
{
	int st = 0;
	char meth[24] = "", dir[8] = "";
	bool proxy = !strcmp(s->role, "PROXY"), uac = !strcmp(s->role, "UAC");

	if (!cause[0])
		return "invite-ended";
	if (sscanf(cause, "%d %23s %7s", &st, meth, dir) != 3) {
		if (sscanf(cause, "%23s %7s", meth, dir) == 2) {
			if (!strcmp(meth, "CANCEL"))
				return "cancel";
			if (!strcmp(meth, "NOTIFY"))
				return "notify-terminated";
		}
		return "?";
	}
	bool in = !strcmp(dir, "in");

	if (!strcmp(meth, "BYE"))
		return "bye-done";
	if (!strcmp(meth, "NOTIFY"))
		return "notify-done";
	if (proxy) {
		if (st < 200)
			return "relay-1xx";
		if (st < 300)
			return "relay-2xx";
		return in ? (done ? "branch-final-done" : s->orig[0] ?
			     "branch-final-derived" : "branch-final") : "relay-final";
	}
	if (st < 200)
		return uac ? "recv-1xx" : "sent-1xx";
	if (st < 300)
		return uac ? "recv-2xx" : "sent-2xx";
	(void)in;
	return uac ? "recv-final" : "sent-final";
}

/* Whether the wire has the message a transition names. */
static bool on_wire(const struct run *R, const char *cause)
{
	int st = 0;
	char meth[24], dir[8];

	if (!cause[0])
		return true;
	if (sscanf(cause, "%d %23s %7s", &st, meth, dir) != 3) {
		if (sscanf(cause, "%23s %7s", meth, dir) != 2)
			return false;
		st = 0;
	}
	bool in = !strcmp(dir, "in");

	for (size_t i = 0; i < R->n; i++) {
		const struct msg *x = &R->v[i];

		if (!boundary(x) || x->agent_sent != in)
			continue;
		if (st ? (!is_req(x) && x->m->status_code == st &&
			  !strcmp(cseq_method(x->m), meth)) :
			 (is_req(x) && !strcmp(x->m->sip_method, meth)))
			return true;
	}
	return false;
}

bool oracle_word_in(const char *list, const char *id)
{
	size_t n = strlen(id);

	for (const char *p = list; n && p && (p = strstr(p, id)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
	return false;
}

/* The sessions and application sessions the application invalidated by
 * an operation (an "op" line, ss.invalidate or sas.invalidate, that
 * returned, or one that made a session and invalidated it: "made"), into *@out as words: the line may come after the
 * invalidation it caused, whose listeners ran inside the call.  Leaves
 * @fp at its start. */
static void app_invalidated(FILE *fp, char **line, size_t *cap, char **out)
{
	size_t len = 0;

	*out = NULL;
	while (getline(line, cap, fp) > 0) {
		json_t *o = strstr(*line, "invalidate") || strstr(*line, "\"made\"") ?
			    json_loads(*line, 0, NULL) : NULL;
		const char *op = o ? jstr(o, "op") : "";
		const char *id = !strcmp(op, "ss.invalidate") ? jstr(o, "ss") :
				 !strcmp(op, "sas.invalidate") ? jstr(o, "sas") :
				 jstr(o, "made");
		char *v;

		if (o && !strcmp(jstr(o, "ev"), "op") && json_object_get(o, "ok") &&
		    id[0] && (v = realloc(*out, len + strlen(id) + 2))) {
			*out = v;
			len += (size_t)sprintf(v + len, "%s ", id);
		}
		json_decref(o);
	}
	rewind(fp);
}

/* What the trace has shown so far: its sessions and application
 * sessions, those the application invalidated itself, its shutdown. */
struct trace {
	struct run *R;
	struct tss *ss;
	size_t nss;
	struct tsas *sas;
	size_t nsas;
	char *byapp;
	bool shutdown;
	char failed[128];       /* a cluster's nodes failed mid-case */
	/* the HTTP sessions attached to each application session
	 * (hs-attach), and whether each was invalidated since (CF-15) */
	struct ths {
		char hs[ORACLE_ID], sas[ORACLE_ID];
		bool invalid;
	} *hs;
	size_t nhs;
};

/* A cluster's trace (its nodes' merged, each line naming its node): a
 * session another node takes over is activated there, not created again
 * (DIST-14); the node that holds it is the one its events come from. */
static void trace_node(struct trace *T, json_t *o, const char *ev,
		       const char *id, const char *sid, struct tsas *a,
		       const char *w)
{
	const char *node = jstr(o, "node");
	struct tss *s = id[0] ? tss_find(T->ss, T->nss, id) : NULL;

	if (!node[0])
		return;
	/* a replica while the session stays is not a passivation (DIST-15;
	 * CF-21's side notifies around each): an activation on the node
	 * that holds the session, which never left it */
	if (a && !strcmp(a->node, node) && strstr(ev, "-did-activate") &&
	    !(s && s->activate && !strcmp(ev, "ss-did-activate")) &&
	    oracle_cf_value(T->R->c->cf, "CF-21") != 1)
		find(T->R->r, "DIST-15", w, "%s on %s, which holds application "
		     "session %s and keeps it: a replica notifies no activation "
		     "listener", ev, node, sid);
	if (a && !strcmp(a->node, node) && !strcmp(ev, "sas-will-passivate"))
		a->passivated = true;
	/* CF-21's side: a replica's will-passivate, then its did-activate
	 * on the same node; the session stayed, handed over to nobody */
	if (a && !strcmp(a->node, node) && !strcmp(ev, "sas-did-activate"))
		a->passivated = false;
	if (!strcmp(ev, "sas-created") && a) {
		find(T->R->r, "DIST-14", w, "application session %s created again "
		     "on %s (created on %s): a session taken over is activated, "
		     "not created", sid, node, a->born);
	} else if (!strcmp(ev, "ss-created") && s) {
		find(T->R->r, "DIST-14", w, "session %s created again on %s: a "
		     "session taken over is activated, not created", id, node);
	} else if (a && a->node[0] && strcmp(a->node, node) &&
		   strcmp(ev, "store-restored")) {
		/* the first word of a session on the node that takes it
		 * over is sessionDidActivate, the application session's
		 * first, then each of its SipSessions' (DIST-12) */
		if (strcmp(ev, "sas-did-activate"))
			find(T->R->r, "DIST-12", w, "application session %s moved "
			     "to %s without sessionDidActivate there (first seen: "
			     "%s)", sid, node, ev);
		snprintf(a->from, sizeof(a->from), "%s", a->node);
		a->left_passivated = a->passivated;
		if (!a->passivated &&
		    strlen(a->left) + strlen(a->node) + 2 < sizeof(a->left))
			strcat(strcat(a->left, a->node), " ");
		a->passivated = false;
		snprintf(a->node, sizeof(a->node), "%s", node);
		a->moved = true;
		for (size_t k = 0; k < T->nss; k++)
			if (!strcmp(T->ss[k].sas, sid) && !T->ss[k].invalid)
				T->ss[k].activate = true;
	}
	if (s && s->activate && strcmp(ev, "sas-did-activate") &&
	    strcmp(ev, "store-restored")) {
		if (strcmp(ev, "ss-did-activate"))
			find(T->R->r, "DIST-12", w, "session %s moved to %s without "
			     "sessionDidActivate there (first seen: %s)", id, node, ev);
		s->activate = false;
	}
}

/* The creations (sas-created, ss-created) and the shutdown, at W. */
static void trace_create(struct trace *T, json_t *o, const char *ev,
			 const char *id, const char *sid, struct tsas *a,
			 const char *w)
{
	trace_node(T, o, ev, id, sid, a, w);
	if (!strcmp(ev, "sas-created") && a)
		return;                 /* said above: one record per id */
	if (!strcmp(ev, "ss-created") && jstr(o, "node")[0] &&
	    tss_find(T->ss, T->nss, id))
		return;
	if (!strcmp(ev, "sas-created")) {
		struct tsas *v = realloc(T->sas, (T->nsas + 1) * sizeof(*v));

		if (v) {
			T->sas = v;
			memset(&T->sas[T->nsas], 0, sizeof(T->sas[0]));
			snprintf(T->sas[T->nsas].id, sizeof(T->sas[0].id), "%s", sid);
			snprintf(T->sas[T->nsas].node, sizeof(T->sas[0].node), "%s",
				 jstr(o, "node"));
			snprintf(T->sas[T->nsas].born, sizeof(T->sas[0].born), "%s",
				 jstr(o, "node"));
			T->nsas++;
		}
	} else if (!strcmp(ev, "ss-created")) {
		struct tss *v = realloc(T->ss, (T->nss + 1) * sizeof(*v));

		if (a && a->invalid)
			find(T->R->r, "INVAL-03", w, "a session created in "
			     "application session %s after it was invalidated", sid);
		if (v) {
			T->ss = v;
			memset(&T->ss[T->nss], 0, sizeof(T->ss[0]));
			snprintf(T->ss[T->nss].id, sizeof(T->ss[0].id), "%s", id);
			snprintf(T->ss[T->nss].sas, sizeof(T->ss[0].sas), "%s", sid);
			snprintf(T->ss[T->nss].orig, sizeof(T->ss[0].orig), "%s", jstr(o, "orig"));
			snprintf(T->ss[T->nss].role, sizeof(T->ss[0].role), "%s", jstr(o, "role"));
			snprintf(T->ss[T->nss].state, sizeof(T->ss[0].state), "INITIAL");
			T->nss++;
			struct tss *orig = T->ss[T->nss - 1].orig[0] ?
				tss_find(T->ss, T->nss, T->ss[T->nss - 1].orig) : NULL;

			if (orig && strcmp(orig->sas, sid))
				find(T->R->r, "DERIVED-02", w, "derived session in %s, "
				     "its original %s in %s", sid, orig->id, orig->sas);
		}
	} else if (!strcmp(ev, "shutdown")) {
		json_t *f = json_object_get(o, "failed"), *v;
		size_t i, n = 0;

		T->shutdown = true;
		T->R->r->trace_shutdown = true;
		T->R->r->node_trace |= json_is_array(f) &&
				       json_object_get(o, "nodes") != NULL;
		json_array_foreach(f, i, v)
			if (json_is_string(v) && n + strlen(json_string_value(v)) + 2 <
			    sizeof(T->failed))
				n += (size_t)snprintf(T->failed + n, sizeof(T->failed) - n,
						      "%s ", json_string_value(v));
	}
}

/* A state event of session S at W: a transition the table has, from the
 * state it was in, caused by a message on the wire. */
static void trace_state(struct trace *T, json_t *o, struct tss *s, const char *w)
{
	const char *from = jstr(o, "from"), *to = jstr(o, "to"),
		   *cause = jstr(o, "cause");
	const char *e;
	const struct row *row;

	if (strcmp(from, s->state))
		find(T->R->r, !strcmp(s->state, "TERMINATED") ? "SS-STATE-04" :
		     !strcmp(s->state, "INITIAL") ? "SS-STATE-01" :
		     "SS-STATE-03", w, "transition from %s, but the session "
		     "was %s (a change the trace does not show)", from,
		     s->state);
	snprintf(s->role, sizeof(s->role), "%s", jstr(o, "role"));
	struct tss *root = s->orig[0] ? tss_find(T->ss, T->nss, s->orig) : s;

	if (!root)
		root = s;
	e = trace_event(s, cause, root->done);
	/* a proxy forwards a 2xx at once and its final response
	 * when it decides: either way the family is done */
	if (!strcmp(e, "relay-2xx") && strstr(cause, "INVITE"))
		root->done = true;
	if (!strcmp(e, "relay-final"))
		root->done = true;
	row = table_find(&T->R->tab, s->role, from, e);
	if (!strcmp(from, "TERMINATED"))
		find(T->R->r, "SS-STATE-04", w, "TERMINATED is absorbing: seen "
		     "%s -> %s (%s)", from, to, cause);
	else if (!row)
		find(T->R->r, "SS-STATE-03", w, "no %s transition from %s on "
		     "'%s' (%s), seen %s", s->role, from, cause, e, to);
	else if (strcmp(row->next, to))
		find(T->R->r, row->rule, w, "%s on '%s': expected %s, seen %s",
		     from, cause, row->next, to);
	if (!on_wire(T->R, cause))
		find(T->R->r, "SS-STATE-02", w, "caused by '%s', which is "
		     "not on the wire", cause);
	snprintf(s->state, sizeof(s->state), "%s", to);
}

/* Session S (ID) ready to invalidate at W: in the state the wire left it
 * in, neither EARLY nor (outside a proxy) CONFIRMED. */
static void trace_ready(struct trace *T, json_t *o, struct tss *s,
			const char *id, const char *w)
{
	const char *state = jstr(o, "state");

	s->ready = true;
	/* the state once the target is done with the session
	 * (sessionReadyToInvalidate): where the wire left it,
	 * whatever moment X-SS-State was read at */
	for (size_t k = 0; state[0] && k < T->R->nfin; k++) {
		const struct final *fk = &T->R->fin[k];
		/* an early dialog ends with its INVITE
		 * transaction, which the wire does not show
		 * (DERIVED-04) */
		const struct row *end = table_find(&T->R->tab, fk->role,
					fk->state, "invite-ended");

		if (!strcmp(fk->id, id) && strcmp(fk->state, state) &&
		    !(end && !strcmp(end->next, state)))
			find(T->R->r, T->R->fin[k].rule, w, "at sessionReadyTo"
			     "Invalidate: expected %s (the wire's last "
			     "state), seen %s", T->R->fin[k].state, state);
	}
	if (!strcmp(state, "EARLY") ||
	    (!strcmp(state, "CONFIRMED") && strcmp(jstr(o, "role"), "PROXY")))
		find(T->R->r, "INVAL-11", w, "ready to invalidate while %s",
		     state);
}

/* The HTTP sessions attached to application session SID: how many,
 * and how many of them still valid (*VALIDP). */
static size_t trace_hs_of(const struct trace *T, const char *sid, size_t *validp)
{
	size_t n = 0;

	*validp = 0;
	for (size_t k = 0; k < T->nhs; k++)
		if (!strcmp(T->hs[k].sas, sid)) {
			n++;
			*validp += !T->hs[k].invalid;
		}
	return n;
}

/* An HTTP session's line (hs-attach, hs-invalidated), and an application
 * session ready with HTTP sessions in it: CF-15's side 0 (MSS) lets
 * only a valid one block its readiness, side 1 (CIP) any one, side 2
 * (the javadoc's INVAL-12 list) none. */
static void trace_http(struct trace *T, json_t *o, const char *ev,
		       const char *sid, const char *w)
{
	const char *hs = jstr(o, "hs");
	int side = oracle_cf_value(T->R->c->cf, "CF-15");
	size_t n, valid;

	if (!strncmp(ev, "hs-", 3))
		T->R->r->http_trace = true;
	if (!strcmp(ev, "hs-attach") && hs[0] && sid[0]) {
		struct ths *v = realloc(T->hs, (T->nhs + 1) * sizeof(*v));

		if (!v)
			return;
		T->hs = v;
		memset(&v[T->nhs], 0, sizeof(*v));
		snprintf(v[T->nhs].hs, sizeof(v->hs), "%s", hs);
		snprintf(v[T->nhs].sas, sizeof(v->sas), "%s", sid);
		T->nhs++;
	} else if (!strcmp(ev, "hs-invalidated") && hs[0]) {
		for (size_t k = 0; k < T->nhs; k++)
			T->hs[k].invalid |= !strcmp(T->hs[k].hs, hs);
	} else if (!strcmp(ev, "sas-ready") && sid[0]) {
		n = trace_hs_of(T, sid, &valid);
		if ((side == 0 && valid) || (side == 1 && n))
			find(T->R->r, "CF-15", w, "application session %s ready to "
			     "invalidate with %zu HTTP session%s in it, %zu valid "
			     "(CF-15=%d: %s blocks it)", sid, n, n == 1 ? "" : "s",
			     valid, side, side ? "any HTTP session" : "a valid one");
	}
}

/* One trace line, O, at W. */
static void trace_line(struct trace *T, json_t *o, const char *w)
{
	const char *ev = jstr(o, "ev"), *id = jstr(o, "ss"), *sid = jstr(o, "sas");
	struct tss *s;
	struct tsas *a;

	/* a node dropping its copy of a session another node owns
	 * (store-evicted, store-lost: model/sip/store.c) is the store's
	 * bookkeeping, not an event of the session on that node */
	if (!strcmp(ev, "store-evicted") || !strcmp(ev, "store-lost"))
		return;
	s = id[0] ? tss_find(T->ss, T->nss, id) : NULL;
	a = sid[0] ? tsas_find(T->sas, T->nsas, sid) : NULL;
	trace_http(T, o, ev, sid, w);
	trace_create(T, o, ev, id, sid, a, w);
	/* a creation above may have moved the arrays (realloc): look
	 * again, or a duplicate id reads freed memory (fuzz-reader) */
	s = id[0] ? tss_find(T->ss, T->nss, id) : NULL;
	a = sid[0] ? tsas_find(T->sas, T->nsas, sid) : NULL;
	trace_http(T, o, ev, sid, w);
	/* an operation (observation-protocol.md 4) is the application
	 * calling the API, on a valid session or not: what it returns is
	 * ops.c's to judge; an invalidate it ran excuses the order of
	 * INVAL-14, which is the container's own */
	if (!strcmp(ev, "op"))
		return;
	if (s && !s->by_app)
		s->by_app = oracle_word_in(T->byapp, id);
	if (a && !a->by_app)
		a->by_app = oracle_word_in(T->byapp, sid);
	if (id[0] && strcmp(ev, "ss-created")) {
		if (!s) {
			find(T->R->r, "OWN-02", w, "an event for a session never created");
		} else {
			if (sid[0] && strcmp(s->sas, sid))
				find(T->R->r, "OWN-02", w, "session %s in %s, created in %s",
				     id, sid, s->sas);
			if (s->invalid && strcmp(ev, "unlink"))
				find(T->R->r, "INVAL-02", w, "an event for session %s after "
				     "it was invalidated", id);
		}
	}
	if (sid[0] && a && a->invalid && strcmp(ev, "sas-invalidated"))
		find(T->R->r, "INVAL-03", w, "an event in application session %s "
		     "after it was invalidated", sid);
	if (!strcmp(ev, "state") && s) {
		trace_state(T, o, s, w);
	} else if (!strcmp(ev, "link") && s) {
		struct tss *p = tss_find(T->ss, T->nss, jstr(o, "peer"));

		if (p && strcmp(p->sas, s->sas))
			find(T->R->r, "B2B-02", w, "linked sessions in %s and %s",
			     s->sas, p->sas);
	} else if (!strcmp(ev, "ss-ready") && s) {
		trace_ready(T, o, s, id, w);
	} else if (!strcmp(ev, "ss-invalidated") && s) {
		const struct tsas *of = tsas_find(T->sas, T->nsas, s->sas);

		if (!s->ready && !s->by_app && !oracle_word_in(T->byapp, s->sas) &&
		    !(of && of->expired))
			find(T->R->r, "INVAL-14", w, "session %s invalidated before "
			     "it was ready", id);
		s->invalid = true;
	} else if (!strcmp(ev, "sas-expired") && a) {
		a->expired = true;
	} else if (!strcmp(ev, "timer-created") && a) {
		a->timers++;
	} else if ((!strcmp(ev, "timer-fired") || !strcmp(ev, "timer-cancelled")) &&
		   a && a->timers > 0) {
		a->timers--;
	} else if (!strcmp(ev, "sas-ready") && a) {
		/* a timer that neither fired nor was cancelled on a session
		 * that moved: the node that took it over lost it (DIST-09) */
		if (a->timers > 0)
			find(T->R->r, a->moved ? "DIST-09" : "TIMER-06", w,
			     "application session %s ready while %d ServletTimer%s "
			     "still active%s", sid, a->timers, a->timers == 1 ?
			     " is" : "s are", a->moved ? " (created before it moved "
			     "to another node, never fired there)" : "");
		a->ready = true;
	} else if (!strcmp(ev, "sas-invalidated") && a) {
		for (size_t k = 0; k < T->nss && !a->by_app; k++)
			if (!strcmp(T->ss[k].sas, sid) && !T->ss[k].invalid)
				find(T->R->r, "INVAL-14", w, "application session %s "
				     "invalidated before its session %s", sid, T->ss[k].id);
		a->invalid = true;
	}
}

/* Whether application session SID was last held by a node that failed
 * mid-case: what it held went with it (DIST-01, DIST-11), no leak. */
static bool died(const struct trace *T, const char *sid)
{
	const struct tsas *a = tsas_find(T->sas, T->nsas, sid);

	return a && a->node[0] && oracle_word_in(T->failed, a->node);
}

/* At the shutdown, on CF-15's side 0: an application session whose HTTP
 * sessions were all invalidated, and whose SIP sessions and timers are
 * all done, became ready (an invalid HTTP session does not block it). */
static void trace_http_leaks(struct trace *T, const char *w)
{
	if (oracle_cf_value(T->R->c->cf, "CF-15"))
		return;
	for (size_t k = 0; k < T->nsas; k++) {
		const struct tsas *a = &T->sas[k];
		size_t valid, n = trace_hs_of(T, a->id, &valid);
		bool sip_done = true;

		for (size_t i = 0; i < T->nss; i++)
			if (!strcmp(T->ss[i].sas, a->id))
				sip_done &= T->ss[i].ready || T->ss[i].invalid;
		if (n && !valid && sip_done && !a->ready && !a->invalid &&
		    !a->timers && !died(T, a->id))
			find(T->R->r, "CF-15", w, "application session %s never ready "
			     "to invalidate, though its SIP sessions are done and its "
			     "%zu HTTP session%s invalidated (CF-15=0: only a valid one "
			     "blocks it)", a->id, n, n == 1 ? " was" : "s were");
	}
}

/* At the shutdown: a non-record-routing proxy's session the wire left
 * CONFIRMED became ready to invalidate (INVAL-10 b, in the spec body's
 * reading, CF-03: the javadoc's "COMPLETED" is no state, and waiting
 * for TERMINATED waits for a BYE the proxy never sees).  Only a trace
 * that ends with its target's shutdown can say "never": a container may
 * also wait for the INVITE's transactions to end (Cipango: until RFC
 * 6026's Timer L and M, 32 s after the 2xx), past a case's slice of a
 * run-long trace. */
static void trace_nonrr_ready(struct trace *T, const char *w)
{
	if (!T->shutdown || oracle_cf_value(T->R->c->cf, "CF-03"))
		return;
	for (size_t k = 0; k < T->R->nfin; k++) {
		const struct final *f = &T->R->fin[k];
		const struct tss *s = tss_find(T->ss, T->nss, f->id);

		if (f->nonrr && !strcmp(f->state, "CONFIRMED") && s && !s->ready &&
		    !s->by_app && !died(T, s->sas))
			find(T->R->r, "CF-03", w, "session %s of a proxy that did not "
			     "record-route: CONFIRMED, never ready to invalidate "
			     "(INVAL-10 b: ready once CONFIRMED)", f->id);
	}
}

/* At the shutdown: every session and application session invalidated;
 * a session that left a node that did not fail was passivated there
 * first (DIST-12: a migration, not a crash, DIST-13). */
static void trace_leaks(struct trace *T)
{
	char w[256];

	for (size_t k = 0; k < T->nsas; k++)
		if (T->sas[k].moved && !T->sas[k].left_passivated &&
		    !oracle_word_in(T->failed, T->sas[k].from)) {
			snprintf(w, sizeof(w), "trace.jsonl shutdown");
			find(T->R->r, "DIST-12", w, "application session %s moved from "
			     "%s to %s, and %s did not fail, without sessionWillPassivate "
			     "there", T->sas[k].id, T->sas[k].from, T->sas[k].node,
			     T->sas[k].from);
		}

	/* one node at a time (DIST-02): a session leaves a node that
	 * holds it only as that node fails or hands it over; a node that
	 * lives on and is not stopped has served none of its requests
	 * since (a dialog's affinity) */
	for (size_t k = 0; k < T->nsas; k++) {
		char left[64], *save = NULL, *n;

		snprintf(left, sizeof(left), "%s", T->sas[k].left);
		for (n = strtok_r(left, " ", &save); n;
		     n = strtok_r(NULL, " ", &save))
			if (!oracle_word_in(T->failed, n)) {
				snprintf(w, sizeof(w), "trace.jsonl shutdown");
				find(T->R->r, "DIST-02", w, "application session %s "
				     "taken from %s, which neither failed nor "
				     "handed it over: two nodes handled its "
				     "requests", T->sas[k].id, n);
				break;
			}
	}
	snprintf(w, sizeof(w), "trace.jsonl shutdown");
	trace_nonrr_ready(T, w);
	trace_http_leaks(T, w);
	for (size_t k = 0; k < T->nss; k++)
		if (!T->ss[k].invalid && !died(T, T->ss[k].sas)) {
			snprintf(w, sizeof(w), "trace.jsonl shutdown");
			find(T->R->r, "INVAL-13", w, "session %s (%s, %s) never "
			     "invalidated: a leak", T->ss[k].id, T->ss[k].role, T->ss[k].state);
		}
	for (size_t k = 0; k < T->nsas; k++)
		if (!T->sas[k].invalid && !died(T, T->sas[k].id)) {
			snprintf(w, sizeof(w), "trace.jsonl shutdown");
			find(T->R->r, "INVAL-13", w, "application session %s never "
			     "invalidated: a leak", T->sas[k].id);
		}
}

/* At the trace's end (a shutdown or a case's slice): the listeners of
 * what the application invalidated were told (sessionDestroyed,
 * INVAL-16), and an invalidated application session took every session
 * of it along, derived ones included (INVAL-03, DERIVED-07). */
static void trace_destroyed(struct trace *T)
{
	char w[256];

	snprintf(w, sizeof(w), "trace.jsonl end");
	for (size_t k = 0; k < T->nss; k++) {
		const struct tss *s = &T->ss[k];
		const struct tsas *a = tsas_find(T->sas, T->nsas, s->sas);

		if (s->invalid)
			continue;
		if (oracle_word_in(T->byapp, s->id))
			find(T->R->r, "INVAL-16", w, "session %s: the application "
			     "invalidated it, no sessionDestroyed (ss-invalidated) "
			     "followed", s->id);
		else if (a && a->invalid)
			find(T->R->r, s->orig[0] ? "DERIVED-07" : "INVAL-03", w,
			     "%ssession %s still valid after its application "
			     "session %s was invalidated", s->orig[0] ? "derived " : "",
			     s->id, a->id);
	}
	for (size_t k = 0; k < T->nsas; k++)
		if (!T->sas[k].invalid && oracle_word_in(T->byapp, T->sas[k].id))
			find(T->R->r, "INVAL-16", w, "application session %s: the "
			     "application invalidated it, no sessionDestroyed "
			     "(sas-invalidated) followed", T->sas[k].id);
}

int oracle__check_trace(struct run *R, const char *dir, char *err, size_t errsz)
{
	char path[1024], *line = NULL, w[256];
	struct trace T = { .R = R };
	size_t cap = 0;
	FILE *fp;
	int no = 0;

	snprintf(path, sizeof(path), "%s/trace.jsonl", dir);
	fp = fopen(path, "r");
	if (!fp)
		return 0;                      /* a target without a trace */
	(void)err;
	(void)errsz;
	app_invalidated(fp, &line, &cap, &T.byapp);
	while (getline(&line, &cap, fp) > 0) {
		json_t *o = json_loads(line, 0, NULL);

		no++;
		if (!o) {
			snprintf(w, sizeof(w), "trace.jsonl:%d", no);
			find(R->r, "SS-STATE-02", w, "not a JSON line");
			continue;
		}
		R->r->trace_events++;
		snprintf(w, sizeof(w), "trace.jsonl:%d %s %s", no, jstr(o, "ev"),
			 jstr(o, "ss")[0] ? jstr(o, "ss") : jstr(o, "sas"));
		trace_line(&T, o, w);
		json_decref(o);
	}
	free(line);
	fclose(fp);
	trace_destroyed(&T);
	if (T.shutdown)
		trace_leaks(&T);
	free(T.ss);
	free(T.sas);
	free(T.hs);
	free(T.byapp);
	return 0;
}
