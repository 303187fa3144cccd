/**
 * @file conformance/oracle/oracle_int.h  the oracle's private interface: what
 * its files share (oracle.c reads the logs and runs the checks, states.c
 * judges X-SS-State, trace.c the trace, wire.c the proxy's and the B2BUA's
 * rules); not for the harness: oracle.h is its interface.
 */
#ifndef SSTCK_ORACLE_INT_H
#define SSTCK_ORACLE_INT_H

#include <jansson.h>
#include <osip2/osip.h>
#include <osipparser2/osip_parser.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oracle.h"
#include "oracle_ops.h"

/* The longest session id and X-SS-State value judged: a longer one is
 * not cut (two ids that differ only past the cut would be one session),
 * its message is not judged, and the case is an error, never a pass. */
#define ORACLE_ID    128
#define ORACLE_STAMP 1024

/* How far apart, in seconds, two agents may log messages the target sent
 * in the other order (a scheduling matter on one machine). */
#define ORACLE_SKEW 0.05

#define find oracle_find

/* --- the state table ------------------------------------------------- */

struct row {
	char role[8], state[16], event[24], next[16], rule[24];
	char cf[16];            /* "CF-NN=V": the row holds only on that side */
};

struct table {
	struct row *v;
	size_t n;
};

static inline const struct row *table_find(const struct table *t,
					   const char *role, const char *state,
					   const char *event)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].role, role) && !strcmp(t->v[i].event, event) &&
		    (!strcmp(t->v[i].state, state) || !strcmp(t->v[i].state, "*")))
			return &t->v[i];
	return NULL;
}

/* --- the messages ---------------------------------------------------- */

struct msg {
	double t;
	int agent;
	int pos;               /* its number in the agent's log, from 1 */
	bool agent_sent;       /* else the agent received it */
	bool direct;           /* between agents, not through the target */
	bool paired;           /* a B2BUA's new leg, matched to its cause */
	char *raw;
	osip_message_t *m;
	char first[120];
	/* X-SS-State, as it came and parsed */
	char stamp[ORACLE_STAMP];
	bool has_state;
	char id[ORACLE_ID], state[16], role[8], sas[ORACLE_ID];
	int derived;
	bool at_app;           /* read in the application's callback, before
				* the target acted on this message itself */
	json_t *notes;         /* the state changes derived from it */
};

/* Where the wire left a session the target named in X-SS-State. */
struct final {
	char id[ORACLE_ID], state[16], rule[24], role[8];
	bool nonrr;             /* a proxy's: it forwarded its INVITE, and
				 * without a Record-Route (INVAL-10 b) */
};

struct run {
	const struct oracle_case *c;
	struct msg *v;
	size_t n;
	struct table tab;
	struct oracle_result *r;
	struct final *fin;      /* check_states' outcome, for the trace */
	size_t nfin;
};

static inline int by_time(const void *a, const void *b)
{
	const struct msg *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	/* at the same microsecond: a send before its receipt */
	return (int)y->agent_sent - (int)x->agent_sent;
}

static inline const char *call_id(const osip_message_t *m)
{
	return m && m->call_id && m->call_id->number ? m->call_id->number : "";
}

static inline const char *tag_of(osip_from_t *f)
{
	osip_generic_param_t *p = NULL;

	if (!f || osip_from_get_tag(f, &p) < 0 || !p || !p->gvalue)
		return "";
	return p->gvalue;
}

static inline const char *cseq_method(const osip_message_t *m)
{
	return m && m->cseq && m->cseq->method ? m->cseq->method : "";
}

static inline int cseq_num(const osip_message_t *m)
{
	return m && m->cseq && m->cseq->number ? atoi(m->cseq->number) : -1;
}

static inline int max_fwd(const osip_message_t *m)
{
	osip_header_t *h = NULL;

	if (osip_message_header_get_byname(m, "max-forwards", 0, &h) < 0 || !h ||
	    !h->hvalue)
		return -1;
	return atoi(h->hvalue);
}

static inline const char *via_branch(const osip_message_t *m, int pos)
{
	osip_via_t *v = osip_list_get(&m->vias, pos);
	osip_generic_param_t *b = NULL;

	if (!v || osip_via_param_get_byname(v, "branch", &b) < 0 || !b || !b->gvalue)
		return "";
	return b->gvalue;
}

static inline void uri_text(const osip_uri_t *u, char *buf, size_t sz)
{
	buf[0] = '\0';
	if (u)
		snprintf(buf, sz, "%s@%s:%s", u->username ? u->username : "",
			 u->host ? u->host : "", u->port ? u->port : "5060");
}

static inline void where(const struct run *R, const struct msg *x, char *buf, size_t sz)
{
	snprintf(buf, sz, "%s #%d %s \"%s\"", R->c->agents[x->agent], x->pos,
		 x->agent_sent ? "sent" : "received", x->first);
}

static inline bool is_req(const struct msg *x)
{
	return x->m && MSG_IS_REQUEST(x->m);
}

static inline bool args_have(const struct run *R, const char *opt)
{
	const char *a = R->c->args ? R->c->args : "";
	size_t n = strlen(opt);

	for (const char *p = a; (p = strstr(p, opt)); p += n)
		if ((p == a || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return true;
	return false;
}

static inline bool boundary(const struct msg *x)
{
	return x->m && !x->direct;
}

/* --- the checks, each in its file ------------------------------------ */

/* states.c: the messages in causal order (each agent's log order, then
 * the clocks), 0 or -1 out of memory; X-SS-State against the table */
int  oracle__causal_order(struct run *R);
void oracle__check_states(struct run *R);
/* wire.c: RFC 3261 section 16 for a proxying application, the B2BUA's
 * legs, click-to-call's requests from scratch (B2B-12), a user agent's
 * own requests in a dialog (SS-08), Join and Replaces (KEY-06) */
bool oracle__is_proxy_app(const struct run *R);
void oracle__check_proxy(struct run *R);
void oracle__check_own_cancels(struct run *R);
void oracle__check_b2b(struct run *R);
void oracle__check_uac(struct run *R);
void oracle__check_ua_dialog(struct run *R);
void oracle__check_join(struct run *R);
/* trace.c: the target's trace, DIR/trace.jsonl; 0, or -1 with ERR */
int  oracle__check_trace(struct run *R, const char *dir, char *err,
			 size_t errsz);

#endif
