/**
 * @file conformance/oracle/oracle.c  judging a finished case from the wire and
 * the trace.
 *
 * 1. Every agent's SIPp message log is read and parsed with libosip2;
 *    the messages are merged in time order.  A message one agent sent and
 *    another received unchanged went straight between them and never
 *    crossed the target; the rest is the target's boundary.
 * 2. The state of each session the target reports (X-SS-State) is derived
 *    again from the boundary messages with the state table, and compared.
 * 3. The trace, when there is one: every transition is in the table and
 *    has its message on the wire; ownership; nothing happens to an
 *    invalidated session; every session is invalidated, after it was
 *    ready and before its application session.
 * 4. The proxy rules of RFC 3261 section 16 and the B2BUA leg rules that
 *    the wire shows.
 */
#define _GNU_SOURCE 1   /* strcasestr */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <osip2/osip.h>
#include <osipparser2/osip_parser.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "oracle.h"
#include "oracle_ops.h"
/* text_json: a JSON string of any text, bytes that are not UTF-8
 * replaced: a target's garbage must not drop a ladder line */
#include "text.h"

/* The longest session id and X-SS-State value judged: a longer one is
 * not cut (two ids that differ only past the cut would be one session),
 * its message is not judged, and the case is an error, never a pass. */
#define ORACLE_ID    128
#define ORACLE_STAMP 1024

/* How far apart, in seconds, two agents may log messages the target sent
 * in the other order (a scheduling matter on one machine). */
#define ORACLE_SKEW 0.05

/* ------------------------------------------------------------------ */
/* the state table                                                     */
/* ------------------------------------------------------------------ */

struct row {
	char role[8], state[16], event[24], next[16], rule[24];
	char cf[16];            /* "CF-NN=V": the row holds only on that side */
};

struct table {
	struct row *v;
	size_t n;
};

/* The value the case's target takes for option ID ("CF-19"): what
 * CF names, else the default, 0. */
int oracle_cf_value(const char *cf, const char *id)
{
	size_t n = strlen(id);

	for (const char *p = cf; p && (p = strstr(p, id)); p += n)
		if ((p == cf || p[-1] == ' ') && p[n] == '=')
			return atoi(p + n + 1);
	return 0;
}

/* Loads the table, keeping the rows whose CF condition CF meets. */
static int table_load(struct table *t, const char *path, const char *cf,
		      char *err, size_t errsz)
{
	FILE *fp = fopen(path, "r");
	char line[512];
	int no = 0;

	memset(t, 0, sizeof(*t));
	if (!fp) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp)) {
		struct row r, *v;

		no++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		r.cf[0] = '\0';
		if (sscanf(line, "%7s %15s %23s %15s %23s %15s", r.role, r.state,
			   r.event, r.next, r.rule, r.cf) < 5 ||
		    (r.cf[0] && (strncmp(r.cf, "CF-", 3) || !strchr(r.cf, '=')))) {
			snprintf(err, errsz, "%s:%d: not role, state, event, "
				 "next, rule [CF-NN=V]", path, no);
			fclose(fp);
			free(t->v);
			return -1;
		}
		if (r.cf[0]) {
			char id[8];

			snprintf(id, sizeof(id), "%.*s", (int)strcspn(r.cf, "="), r.cf);
			if (oracle_cf_value(cf, id) != atoi(strchr(r.cf, '=') + 1))
				continue;
		}
		v = realloc(t->v, (t->n + 1) * sizeof(*v));
		if (!v) {
			fclose(fp);
			free(t->v);
			snprintf(err, errsz, "out of memory");
			return -1;
		}
		t->v = v;
		t->v[t->n++] = r;
	}
	fclose(fp);
	return 0;
}

static const struct row *table_find(const struct table *t, const char *role,
				    const char *state, const char *event)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].role, role) && !strcmp(t->v[i].event, event) &&
		    (!strcmp(t->v[i].state, state) || !strcmp(t->v[i].state, "*")))
			return &t->v[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* findings                                                            */
/* ------------------------------------------------------------------ */

void oracle_find(struct oracle_result *r, const char *rule, const char *where,
		 const char *fmt, ...)
{
	va_list ap;

	for (size_t i = 0; i < r->n && i < ORACLE_MAX_FINDINGS; i++)
		if (!strcmp(r->f[i].rule, rule) && !strcmp(r->f[i].where, where ? where : ""))
			return;                /* one finding per rule and place */
	if (r->n < ORACLE_MAX_FINDINGS) {
		struct finding *f = &r->f[r->n];

		snprintf(f->rule, sizeof(f->rule), "%s", rule);
		snprintf(f->where, sizeof(f->where), "%s", where ? where : "");
		va_start(ap, fmt);
		vsnprintf(f->text, sizeof(f->text), fmt, ap);
		va_end(ap);
	}
	r->n++;
}

#define find oracle_find

/* ------------------------------------------------------------------ */
/* the messages                                                        */
/* ------------------------------------------------------------------ */

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

static double parse_time(const char *s)
{
	int y, mo, d, h, mi;
	double sec;

	if (sscanf(s, "%d-%d-%d %d:%d:%lf", &y, &mo, &d, &h, &mi, &sec) != 6)
		return 0;
	return ((d * 24.0 + h) * 60.0 + mi) * 60.0 + sec;
}

/* X's X-SS-State; false when it is too long to judge (ORACLE_ID). */
static bool parse_state(struct msg *x)
{
	osip_header_t *h = NULL;
	const char *v;
	char buf[ORACLE_STAMP], *save = NULL;

	if (osip_message_header_get_byname(x->m, "x-ss-state", 0, &h) < 0 ||
	    !h || !h->hvalue)
		return true;
	v = h->hvalue;
	if (strlen(v) >= sizeof(buf))
		return false;
	snprintf(x->stamp, sizeof(x->stamp), "%s", v);
	if (!strncmp(v, "none", 4))
		return true;
	snprintf(buf, sizeof(buf), "%s", v);
	x->has_state = true;
	for (char *kv = strtok_r(buf, ";", &save); kv; kv = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(kv, '=');

		if (!eq)
			continue;
		*eq++ = '\0';
		while (*kv == ' ')
			kv++;
		if ((!strcmp(kv, "id") || !strcmp(kv, "sas")) && strlen(eq) >= ORACLE_ID) {
			x->has_state = false;
			return false;
		}
		if (!strcmp(kv, "id"))
			snprintf(x->id, sizeof(x->id), "%s", eq);
		else if (!strcmp(kv, "state"))
			snprintf(x->state, sizeof(x->state), "%s", eq);
		else if (!strcmp(kv, "role"))
			snprintf(x->role, sizeof(x->role), "%s", eq);
		else if (!strcmp(kv, "sas"))
			snprintf(x->sas, sizeof(x->sas), "%s", eq);
		else if (!strcmp(kv, "derived"))
			x->derived = atoi(eq);
		else if (!strcmp(kv, "at"))
			x->at_app = !strcmp(eq, "app");
	}
	if (!x->id[0] || !x->state[0])
		x->has_state = false;
	/* a session the application invalidated through an operation (the
	 * message carries its results): what the operations show is ops.c's
	 * to judge, not a state */
	if (strstr(v, "valid=0") && osip_message_header_get_byname(x->m,
	    "x-sstck-result", 0, &h) >= 0)
		x->has_state = false;
	return true;
}

static int add_msg(struct run *R, int agent, int pos, double t, bool sent,
		   const char *text, size_t len)
{
	struct msg *v = realloc(R->v, (R->n + 1) * sizeof(*v)), *x;

	if (!v)
		return -1;
	R->v = v;
	x = &R->v[R->n];
	memset(x, 0, sizeof(*x));
	x->raw = strndup(text, len);
	if (!x->raw)
		return -1;
	/* a NUL in the logged message ends the copy: libosip2 must not be
	 * told more than was copied (fuzz-reader) */
	len = strlen(x->raw);
	if (osip_message_init(&x->m) < 0)
		return -1;
	if (osip_message_parse(x->m, x->raw, len) < 0) {
		osip_message_free(x->m);
		x->m = NULL;
		if (!R->r->unparsed++)
			snprintf(R->r->first_unparsed, sizeof(R->r->first_unparsed),
				 "%s #%d \"%.*s\"", R->c->agents[agent], pos,
				 (int)strcspn(x->raw, "\r\n") > 80 ? 80 :
				 (int)strcspn(x->raw, "\r\n"), x->raw);
	}
	x->t = t;
	x->agent = agent;
	x->pos = pos;
	x->agent_sent = sent;
	snprintf(x->first, sizeof(x->first), "%.*s", (int)strcspn(x->raw, "\r\n"), x->raw);
	if (x->m && !parse_state(x) && !R->r->unparsed++)
		snprintf(R->r->first_unparsed, sizeof(R->r->first_unparsed),
			 "%s #%d: an X-SS-State id or value too long to judge (over "
			 "%d bytes)", R->c->agents[agent], pos, ORACLE_ID - 1);
	R->n++;
	return 0;
}

static int read_log(struct run *R, int agent, const char *dir, char *err,
		    size_t errsz)
{
	char path[1024], *text;
	size_t len = 0;
	int pos = 0;

	snprintf(path, sizeof(path), "%s/%s.msg.log", dir, R->c->agents[agent]);
	text = text_file_read(path, &len);
	if (!text) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* blocks: "---- DATE TIME\n<T> message sent|received ...:\n\n<message>" */
	static const char sep[] = "----------------------------------------------- ";
	char *p = strstr(text, sep);

	while (p) {
		char *next = strstr(p + 1, sep), *line2, *body, *end;
		double t = parse_time(p + strlen(sep));
		bool sent;

		end = next ? next : text + len;
		line2 = strchr(p, '\n');
		if (!line2 || line2 > end)
			break;
		line2++;
		sent = !strncmp(line2 + 4, "message sent", 12);
		if (strncmp(line2 + 4, "message sent", 12) &&
		    strncmp(line2 + 4, "message received", 16)) {
			p = next;              /* not a message: an event line */
			continue;
		}
		body = strstr(line2, "\n\n");
		if (body && body < end) {
			body += 2;
			/* the message ends where its Content-Length says */
			char *hend = strstr(body, "\r\n\r\n");

			if (hend && hend < end) {
				size_t clen = 0;
				char *cl = strcasestr(body, "\nContent-Length:");

				if (cl && cl < hend)
					clen = strtoul(cl + 16, NULL, 10);
				hend += 4;
				/* a length past the block (or a negative one,
				 * wrapped by strtoul) is not the body's */
				if (hend <= end && clen <= (size_t)(end - hend))
					hend += clen;
				pos++;
				if (add_msg(R, agent, pos, t, sent, body,
					    (size_t)(hend - body))) {
					free(text);
					return -1;
				}
			}
		}
		p = next;
	}
	free(text);
	return 0;
}

static int by_time(const void *a, const void *b)
{
	const struct msg *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	/* at the same microsecond: a send before its receipt */
	return (int)y->agent_sent - (int)x->agent_sent;
}

/* A message that one agent sent and another received byte for byte did
 * not cross the target. */
static void mark_direct(struct run *R)
{
	for (size_t i = 0; i < R->n; i++) {
		struct msg *s = &R->v[i];

		if (!s->agent_sent || s->direct)
			continue;
		for (size_t k = 0; k < R->n; k++) {
			struct msg *q = &R->v[k];

			if (!q->agent_sent && !q->direct && q->agent != s->agent &&
			    !strcmp(q->raw, s->raw)) {
				s->direct = q->direct = true;
				break;
			}
		}
	}
}

/* ------------------------------------------------------------------ */
/* header helpers                                                      */
/* ------------------------------------------------------------------ */

static const char *call_id(const osip_message_t *m)
{
	return m && m->call_id && m->call_id->number ? m->call_id->number : "";
}

static const char *tag_of(osip_from_t *f)
{
	osip_generic_param_t *p = NULL;

	if (!f || osip_from_get_tag(f, &p) < 0 || !p || !p->gvalue)
		return "";
	return p->gvalue;
}

static const char *cseq_method(const osip_message_t *m)
{
	return m && m->cseq && m->cseq->method ? m->cseq->method : "";
}

static int cseq_num(const osip_message_t *m)
{
	return m && m->cseq && m->cseq->number ? atoi(m->cseq->number) : -1;
}

static int max_fwd(const osip_message_t *m)
{
	osip_header_t *h = NULL;

	if (osip_message_header_get_byname(m, "max-forwards", 0, &h) < 0 || !h ||
	    !h->hvalue)
		return -1;
	return atoi(h->hvalue);
}

static const char *via_branch(const osip_message_t *m, int pos)
{
	osip_via_t *v = osip_list_get(&m->vias, pos);
	osip_generic_param_t *b = NULL;

	if (!v || osip_via_param_get_byname(v, "branch", &b) < 0 || !b || !b->gvalue)
		return "";
	return b->gvalue;
}

static void uri_text(const osip_uri_t *u, char *buf, size_t sz)
{
	buf[0] = '\0';
	if (u)
		snprintf(buf, sz, "%s@%s:%s", u->username ? u->username : "",
			 u->host ? u->host : "", u->port ? u->port : "5060");
}

static void where(const struct run *R, const struct msg *x, char *buf, size_t sz)
{
	snprintf(buf, sz, "%s #%d %s \"%s\"", R->c->agents[x->agent], x->pos,
		 x->agent_sent ? "sent" : "received", x->first);
}

static bool is_req(const struct msg *x)
{
	return x->m && MSG_IS_REQUEST(x->m);
}

static bool args_have(const struct run *R, const char *opt)
{
	const char *a = R->c->args ? R->c->args : "";
	size_t n = strlen(opt);

	for (const char *p = a; (p = strstr(p, opt)); p += n)
		if ((p == a || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return true;
	return false;
}

static bool boundary(const struct msg *x)
{
	return x->m && !x->direct;
}

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

/* The table's event for message X on a session of ROLE; NULL for none. */
static const char *event_of(const struct msg *x, const struct sess *s,
			    bool out, bool done)
{
	const char *meth = cseq_method(x->m);
	int st = x->m->status_code;
	bool creating = !strcmp(meth, "INVITE") || !strcmp(meth, "SUBSCRIBE");
	bool proxy = !strcmp(s->role, "PROXY"), uac = !strcmp(s->role, "UAC");

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
	ev = event_of(x, S, out, root->done);
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
static int causal_order(struct run *R)
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

static void check_states(struct run *R)
{
	struct states st = { 0 };
	size_t *chk = NULL, nchk = 0;
	char dlg[200], fam[160], w[256];
	bool tt;

	for (size_t i = 0; i < R->n; i++) {
		struct msg *x = &R->v[i];
		bool out = !x->agent_sent;     /* the target sent it */
		const char *totag;
		int s = -1;

		if (!boundary(x))
			continue;
		keys(x, dlg, sizeof(dlg), fam, sizeof(fam), &tt);
		totag = tag_of(is_req(x) ? x->m->to : x->m->to);
		if (out && x->has_state) {
			bool fresh = true;

			for (size_t k = 0; k < st.ns; k++)
				fresh &= strcmp(st.s[k].id, x->id) != 0;
			s = sess_get(&st, x);
			if (s < 0)
				break;
			if (fresh)
				step(&st.s[s], x->t - 1.0, NULL);  /* INITIAL, before all */
			if (lookup(&st, dlg) != s) {
				bind_key(&st, dlg, s);
				/* what came in on this dialog before it was known */
				for (size_t p = 0; fresh && p < st.npend; p++) {
					struct msg *y = &R->v[st.pend[p]];
					char d2[200], f2[160];
					bool t2;

					keys(y, d2, sizeof(d2), f2, sizeof(f2), &t2);
					if (!strcmp(d2, dlg)) {
						apply(R, &st, &st.s[s], y, false);
						st.pend[p] = st.pend[--st.npend];
						p--;
					}
				}
			}
			if (!x->derived && lookup(&st, fam) < 0)
				bind_key(&st, fam, s);
			if (x->derived && st.s[s].root < 0 && lookup(&st, fam) >= 0 &&
			    lookup(&st, fam) != s)
				st.s[s].root = lookup(&st, fam);
			if (tt && !st.s[s].totag[0] && !is_req(x))
				snprintf(st.s[s].totag, sizeof(st.s[s].totag), "%s", totag);
			if (!x->m->status_code && MSG_IS_INVITE(x->m))
				st.s[s].invite = true;
		} else {
			s = lookup(&st, dlg);
			if (s < 0) {
				int o = lookup(&st, fam);

				if (o >= 0 && tt && !is_req(x) && st.s[o].totag[0] &&
				    strcmp(st.s[o].totag, totag)) {
					/* a new dialog of the family: a derived session
					 * the target has not named yet */
					size_t *v = realloc(st.pend, (st.npend + 1) * sizeof(*v));

					if (v) {
						st.pend = v;
						st.pend[st.npend++] = i;
					}
					continue;
				}
				s = o;
				if (s >= 0 && tt && !is_req(x) && !st.s[s].totag[0]) {
					snprintf(st.s[s].totag, sizeof(st.s[s].totag), "%s", totag);
					bind_key(&st, dlg, s);
				}
			}
		}
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
	/* every stamped state against the derived states the target may
	 * have been in when it sent the message (see order()) */
	for (size_t k = 0; k < nchk; k++) {
		struct msg *x = &R->v[chk[2 * k]];
		struct sess *S = &st.s[chk[2 * k + 1]];
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
	free(chk);
	/* derived sessions share the application session of their family */
	for (size_t i = 0; i < R->n; i++) {
		struct msg *x = &R->v[i];

		if (!boundary(x) || !x->has_state || x->agent_sent || !x->derived)
			continue;
		keys(x, dlg, sizeof(dlg), fam, sizeof(fam), &tt);
		int o = lookup(&st, fam);

		if (o >= 0 && strcmp(st.s[o].sas, x->sas)) {
			where(R, x, w, sizeof(w));
			find(R->r, "DERIVED-02", w, "derived session %s in application "
			     "session %s, its original %s in %s", x->id, x->sas,
			     st.s[o].id, st.s[o].sas);
		}
	}
	/* each session's last state, which the trace's ss-ready must show */
	R->fin = st.ns ? calloc(st.ns, sizeof(*R->fin)) : NULL;
	for (size_t i = 0; R->fin && i < st.ns; i++) {
		struct final *f = &R->fin[R->nfin++];

		snprintf(f->id, sizeof(f->id), "%s", st.s[i].id);
		snprintf(f->state, sizeof(f->state), "%s", st.s[i].state);
		snprintf(f->rule, sizeof(f->rule), "%s", st.s[i].rule[0] ?
			 st.s[i].rule : "SS-STATE-01");
		snprintf(f->role, sizeof(f->role), "%s", st.s[i].role);
	}
	for (size_t i = 0; i < st.ns; i++)
		free(st.s[i].line);
	free(st.s);
	free(st.b);
	free(st.pend);
}

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

static bool is_proxy_app(const struct run *R)
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
	size_t n = 0;

	for (size_t i = 0; i < R->n && n < max; i++) {
		const struct msg *f = &R->v[i];

		if (!boundary(f) || f->agent_sent || !is_req(f) ||
		    strcmp(f->m->sip_method, q->m->sip_method) ||
		    strcmp(call_id(f->m), call_id(q->m)) ||
		    cseq_num(f->m) != cseq_num(q->m) ||
		    osip_list_size(&f->m->vias) < 2 ||
		    strcmp(via_branch(f->m, 1), via_branch(q->m, 0)))
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
static void check_own_cancels(struct run *R)
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

static void check_proxy(struct run *R)
{
	char w[256], a[160], b[160];
	bool fork = R->c->app && !strcmp(R->c->app, "fork");

	/* a request the target sent whose top Via is an agent's own: it was
	 * forwarded without the proxy's Via (copies() cannot see it) */
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
		for (size_t k = 0; k < n; k++) {
			struct msg *f = &R->v[cp[k]];
			int fv = osip_list_size(&f->m->vias), qv = osip_list_size(&q->m->vias);
			int frr = osip_list_size(&f->m->record_routes);
			int qrr = osip_list_size(&q->m->record_routes);

			R->r->wire_checks += 3;
			where(R, f, w, sizeof(w));
			if (fv != qv + 1)
				find(R->r, "PROXY-08", w, "one Via added: expected %d, seen %d",
				     qv + 1, fv);
			if (mf > 0 && max_fwd(f->m) != mf - 1)
				find(R->r, "PROXY-08", w, "Max-Forwards decremented: "
				     "expected %d, seen %d", mf - 1, max_fwd(f->m));
			if (initial && !MSG_IS_ACK(f->m) && !MSG_IS_CANCEL(f->m)) {
				bool rr = record_routes(R, q);

				/* one, or two where it changes transport (RFC 5658) */
				if (rr && (frr < qrr + 1 || frr > qrr + 2))
					find(R->r, "PROXY-06", w, "record-routing: expected "
					     "its Record-Route added, seen %d", frr - qrr);
				if (!rr && frr != qrr)
					find(R->r, "PROXY-07", w, "not record-routing: "
					     "expected no Record-Route added, seen %d",
					     frr - qrr);
				uri_text(f->m->req_uri, a, sizeof(a));
				uri_text(q->m->req_uri, b, sizeof(b));
				if (!args_have(R, "--recurse") && !is_target(R, fork, a, b))
					find(R->r, "PROXY-08", w, "Request-URI: expected "
					     "%s (the target), seen %s", fork &&
					     strstr(R->c->args, "--target") ?
					     "one of the --target URIs" : b, a);
			}
		}
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

	/* responses from the branches */
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

	/* the best response (PROXY-10), when no branch answered 2xx */
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

static void check_b2b(struct run *R)
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
			if (!same && mf > 0 && max_fwd(f->m) != mf - 1)
				find(R->r, "B2B-02", w, "new leg: expected Max-Forwards "
				     "%d, seen %d", mf - 1, max_fwd(f->m));
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

		if (!boundary(x) || x->agent_sent || !x->has_state)
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
/* 3. the trace                                                        */
/* ------------------------------------------------------------------ */

struct tss {
	char id[ORACLE_ID], sas[ORACLE_ID], orig[ORACLE_ID], state[16], role[8];
	bool ready, invalid;
	bool by_app;            /* the application invalidated it (an operation) */
	bool done;              /* original only: a final went upstream */
};

struct tsas {
	char id[ORACLE_ID];
	bool ready, invalid;
	bool by_app;
	int timers;             /* one-shot ServletTimers created, not yet
				 * fired or cancelled */
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
 * returned), into *@out as words: the line may come after the
 * invalidation it caused, whose listeners ran inside the call.  Leaves
 * @fp at its start. */
static void app_invalidated(FILE *fp, char **line, size_t *cap, char **out)
{
	size_t len = 0;

	*out = NULL;
	while (getline(line, cap, fp) > 0) {
		json_t *o = strstr(*line, "invalidate") ? json_loads(*line, 0, NULL) : NULL;
		const char *op = o ? jstr(o, "op") : "";
		const char *id = !strcmp(op, "ss.invalidate") ? jstr(o, "ss") :
				 !strcmp(op, "sas.invalidate") ? jstr(o, "sas") : "";
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

static int check_trace(struct run *R, const char *dir, char *err, size_t errsz)
{
	char path[1024], *line = NULL, w[256], *byapp = NULL;
	size_t cap = 0;
	FILE *fp;
	struct tss *ss = NULL;
	struct tsas *sas = NULL;
	size_t nss = 0, nsas = 0;
	int no = 0;
	bool shutdown = false;

	snprintf(path, sizeof(path), "%s/trace.jsonl", dir);
	fp = fopen(path, "r");
	if (!fp)
		return 0;                      /* a target without a trace */
	(void)err;
	(void)errsz;
	app_invalidated(fp, &line, &cap, &byapp);
	while (getline(&line, &cap, fp) > 0) {
		json_t *o = json_loads(line, 0, NULL);
		const char *ev, *id, *sid;
		struct tss *s;
		struct tsas *a;

		no++;
		if (!o) {
			snprintf(w, sizeof(w), "trace.jsonl:%d", no);
			find(R->r, "SS-STATE-02", w, "not a JSON line");
			continue;
		}
		R->r->trace_events++;
		ev = jstr(o, "ev");
		id = jstr(o, "ss");
		sid = jstr(o, "sas");
		snprintf(w, sizeof(w), "trace.jsonl:%d %s %s", no, ev, id[0] ? id : sid);
		s = id[0] ? tss_find(ss, nss, id) : NULL;
		a = sid[0] ? tsas_find(sas, nsas, sid) : NULL;
		if (!strcmp(ev, "sas-created")) {
			struct tsas *v = realloc(sas, (nsas + 1) * sizeof(*v));

			if (v) {
				sas = v;
				memset(&sas[nsas], 0, sizeof(sas[0]));
				snprintf(sas[nsas].id, sizeof(sas[0].id), "%s", sid);
				nsas++;
			}
		} else if (!strcmp(ev, "ss-created")) {
			struct tss *v = realloc(ss, (nss + 1) * sizeof(*v));

			if (a && a->invalid)
				find(R->r, "INVAL-03", w, "a session created in "
				     "application session %s after it was invalidated", sid);
			if (v) {
				ss = v;
				memset(&ss[nss], 0, sizeof(ss[0]));
				snprintf(ss[nss].id, sizeof(ss[0].id), "%s", id);
				snprintf(ss[nss].sas, sizeof(ss[0].sas), "%s", sid);
				snprintf(ss[nss].orig, sizeof(ss[0].orig), "%s", jstr(o, "orig"));
				snprintf(ss[nss].role, sizeof(ss[0].role), "%s", jstr(o, "role"));
				snprintf(ss[nss].state, sizeof(ss[0].state), "INITIAL");
				nss++;
				struct tss *orig = ss[nss - 1].orig[0] ?
					tss_find(ss, nss, ss[nss - 1].orig) : NULL;

				if (orig && strcmp(orig->sas, sid))
					find(R->r, "DERIVED-02", w, "derived session in %s, "
					     "its original %s in %s", sid, orig->id, orig->sas);
			}
		} else if (!strcmp(ev, "shutdown")) {
			shutdown = true;
		}
		/* a creation above may have moved the arrays (realloc): look
		 * again, or a duplicate id reads freed memory (fuzz-reader) */
		s = id[0] ? tss_find(ss, nss, id) : NULL;
		a = sid[0] ? tsas_find(sas, nsas, sid) : NULL;
		/* an operation (observation-protocol.md 4) is the application
		 * calling the API, on a valid session or not: what it returns is
		 * ops.c's to judge; an invalidate it ran excuses the order of
		 * INVAL-14, which is the container's own */
		if (!strcmp(ev, "op")) {
			json_decref(o);
			continue;
		}
		if (s && !s->by_app)
			s->by_app = oracle_word_in(byapp, id);
		if (a && !a->by_app)
			a->by_app = oracle_word_in(byapp, sid);
		if (id[0] && strcmp(ev, "ss-created")) {
			if (!s) {
				find(R->r, "OWN-02", w, "an event for a session never created");
			} else {
				if (sid[0] && strcmp(s->sas, sid))
					find(R->r, "OWN-02", w, "session %s in %s, created in %s",
					     id, sid, s->sas);
				if (s->invalid && strcmp(ev, "unlink"))
					find(R->r, "INVAL-02", w, "an event for session %s after "
					     "it was invalidated", id);
			}
		}
		if (sid[0] && a && a->invalid && strcmp(ev, "sas-invalidated"))
			find(R->r, "INVAL-03", w, "an event in application session %s "
			     "after it was invalidated", sid);
		if (!strcmp(ev, "state") && s) {
			const char *from = jstr(o, "from"), *to = jstr(o, "to"),
				   *cause = jstr(o, "cause");
			const char *e;
			const struct row *row;

			if (strcmp(from, s->state))
				find(R->r, !strcmp(s->state, "TERMINATED") ? "SS-STATE-04" :
				     !strcmp(s->state, "INITIAL") ? "SS-STATE-01" :
				     "SS-STATE-03", w, "transition from %s, but the session "
				     "was %s (a change the trace does not show)", from,
				     s->state);
			snprintf(s->role, sizeof(s->role), "%s", jstr(o, "role"));
			struct tss *root = s->orig[0] ? tss_find(ss, nss, s->orig) : s;

			if (!root)
				root = s;
			e = trace_event(s, cause, root->done);
			/* a proxy forwards a 2xx at once and its final response
			 * when it decides: either way the family is done */
			if (!strcmp(e, "relay-2xx") && strstr(cause, "INVITE"))
				root->done = true;
			if (!strcmp(e, "relay-final"))
				root->done = true;
			row = table_find(&R->tab, s->role, from, e);
			if (!strcmp(from, "TERMINATED"))
				find(R->r, "SS-STATE-04", w, "TERMINATED is absorbing: seen "
				     "%s -> %s (%s)", from, to, cause);
			else if (!row)
				find(R->r, "SS-STATE-03", w, "no %s transition from %s on "
				     "'%s' (%s), seen %s", s->role, from, cause, e, to);
			else if (strcmp(row->next, to))
				find(R->r, row->rule, w, "%s on '%s': expected %s, seen %s",
				     from, cause, row->next, to);
			if (!on_wire(R, cause))
				find(R->r, "SS-STATE-02", w, "caused by '%s', which is "
				     "not on the wire", cause);
			snprintf(s->state, sizeof(s->state), "%s", to);
		} else if (!strcmp(ev, "link") && s) {
			struct tss *p = tss_find(ss, nss, jstr(o, "peer"));

			if (p && strcmp(p->sas, s->sas))
				find(R->r, "B2B-02", w, "linked sessions in %s and %s",
				     s->sas, p->sas);
		} else if (!strcmp(ev, "ss-ready") && s) {
			const char *state = jstr(o, "state");

			s->ready = true;
			/* the state once the target is done with the session
			 * (sessionReadyToInvalidate): where the wire left it,
			 * whatever moment X-SS-State was read at */
			for (size_t k = 0; state[0] && k < R->nfin; k++) {
				const struct final *fk = &R->fin[k];
				/* an early dialog ends with its INVITE
				 * transaction, which the wire does not show
				 * (DERIVED-04) */
				const struct row *end = table_find(&R->tab, fk->role,
							fk->state, "invite-ended");

				if (!strcmp(fk->id, id) && strcmp(fk->state, state) &&
				    !(end && !strcmp(end->next, state)))
					find(R->r, R->fin[k].rule, w, "at sessionReadyTo"
					     "Invalidate: expected %s (the wire's last "
					     "state), seen %s", R->fin[k].state, state);
			}
			if (!strcmp(state, "EARLY") ||
			    (!strcmp(state, "CONFIRMED") && strcmp(jstr(o, "role"), "PROXY")))
				find(R->r, "INVAL-11", w, "ready to invalidate while %s",
				     state);
		} else if (!strcmp(ev, "ss-invalidated") && s) {
			if (!s->ready && !s->by_app && !oracle_word_in(byapp, s->sas))
				find(R->r, "INVAL-14", w, "session %s invalidated before "
				     "it was ready", id);
			s->invalid = true;
		} else if (!strcmp(ev, "timer-created") && a) {
			a->timers++;
		} else if ((!strcmp(ev, "timer-fired") || !strcmp(ev, "timer-cancelled")) &&
			   a && a->timers > 0) {
			a->timers--;
		} else if (!strcmp(ev, "sas-ready") && a) {
			if (a->timers > 0)
				find(R->r, "TIMER-06", w, "application session %s ready "
				     "while %d ServletTimer%s still active", sid, a->timers,
				     a->timers == 1 ? " is" : "s are");
			a->ready = true;
		} else if (!strcmp(ev, "sas-invalidated") && a) {
			for (size_t k = 0; k < nss && !a->by_app; k++)
				if (!strcmp(ss[k].sas, sid) && !ss[k].invalid)
					find(R->r, "INVAL-14", w, "application session %s "
					     "invalidated before its session %s", sid, ss[k].id);
			a->invalid = true;
		}
		json_decref(o);
	}
	free(line);
	fclose(fp);
	if (shutdown) {
		for (size_t k = 0; k < nss; k++)
			if (!ss[k].invalid) {
				snprintf(w, sizeof(w), "trace.jsonl shutdown");
				find(R->r, "INVAL-13", w, "session %s (%s, %s) never "
				     "invalidated: a leak", ss[k].id, ss[k].role, ss[k].state);
			}
		for (size_t k = 0; k < nsas; k++)
			if (!sas[k].invalid) {
				snprintf(w, sizeof(w), "trace.jsonl shutdown");
				find(R->r, "INVAL-13", w, "application session %s never "
				     "invalidated: a leak", sas[k].id);
			}
	}
	free(ss);
	free(sas);
	free(byapp);
	return 0;
}

/* ------------------------------------------------------------------ */
/* 6. requests from scratch (B2B-12)                                   */
/* ------------------------------------------------------------------ */

/* Every initial request the target made from scratch
 * (SipFactory.createRequest(sas, method, from, to)): no To tag, a From
 * tag, a Contact, and a Call-ID and From tag of its own, never another
 * leg's. */
static void check_uac(struct run *R)
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

/* libosip2 reports a message it cannot parse; the oracle counts those */
static void quiet(const char *fi, int li, osip_trace_level_t level,
		  const char *chfr, va_list ap)
{
	(void)fi;
	(void)li;
	(void)level;
	(void)chfr;
	(void)ap;
}

static void check_uac(struct run *R);

/* The case's operations (ops.c), on the messages as ops.c sees them. */
static int check_ops(struct run *R, const char *dir, char *err, size_t errsz)
{
	struct ops_msg *v;
	char (*w)[192];

	if (!R->c->nops)
		return 0;
	v = calloc(R->n + 1, sizeof(*v));
	w = calloc(R->n + 1, sizeof(*w));
	if (!v || !w) {
		free(v);
		free(w);
		snprintf(err, errsz, "out of memory judging operations");
		return -1;
	}
	for (size_t i = 0; i < R->n; i++) {
		where(R, &R->v[i], w[i], sizeof(w[i]));
		v[i] = (struct ops_msg){ R->v[i].m, R->v[i].agent_sent, R->v[i].direct,
					 w[i], R->v[i].first };
	}
	oracle__ops_check(R->c, v, R->n, dir, R->r);
	free(v);
	free(w);
	return 0;
}

static void write_ladder(const struct run *R, const char *path)
{
	json_t *top = json_object(), *agents = json_array(), *msgs = json_array();
	char w[256];

	for (size_t a = 0; a < R->c->nagents; a++)
		json_array_append_new(agents, json_pack("{s:o,s:b}", "name",
			text_json(R->c->agents[a]), "caller", R->c->caller[a]));
	for (size_t i = 0; i < R->n; i++) {
		const struct msg *x = &R->v[i];
		json_t *m;

		where(R, x, w, sizeof(w));
		m = json_pack("{s:f,s:o,s:b,s:b,s:o,s:o}", "t", x->t, "agent",
			      text_json(R->c->agents[x->agent]), "sent", x->agent_sent,
			      "direct", x->direct, "first", text_json(x->first),
			      "where", text_json(w));
		if (x->stamp[0])
			json_object_set_new(m, "stamp", text_json(x->stamp));
		if (x->notes)
			json_object_set(m, "derived", x->notes);
		json_array_append_new(msgs, m);
	}
	json_object_set_new(top, "agents", agents);
	json_object_set_new(top, "messages", msgs);
	json_dump_file(top, path, JSON_INDENT(1) | JSON_SORT_KEYS);
	json_decref(top);
}

int oracle_judge(const char *dir, const struct oracle_case *c,
		 const char *table, struct oracle_result *r,
		 char *err, size_t errsz)
{
	struct run R = { c, NULL, 0, { NULL, 0 }, r, NULL, 0 };
	int rc = -1;

	static bool parser_ready;

	memset(r, 0, sizeof(*r));
	if (!parser_ready) {
		parser_init();                 /* libosip2's header table */
		osip_trace_initialize_func(TRACE_LEVEL0, quiet);
		parser_ready = true;
	}
	if (table_load(&R.tab, table, c->cf, err, errsz))
		return -1;
	for (size_t a = 0; a < c->nagents; a++)
		if (read_log(&R, (int)a, dir, err, errsz))
			goto out;
	if (R.n && causal_order(&R)) {
		snprintf(err, errsz, "out of memory merging the logs of %s", dir);
		goto out;
	}
	mark_direct(&R);
	for (size_t i = 0; i < R.n; i++)
		r->messages += boundary(&R.v[i]);
	check_states(&R);
	if (is_proxy_app(&R)) {
		check_proxy(&R);
		check_own_cancels(&R);
	} else if (c->app && !strcmp(c->app, "b2bua"))
		check_b2b(&R);
	else if (c->app && !strcmp(c->app, "click-to-call"))
		check_uac(&R);
	rc = check_trace(&R, dir, err, errsz);
	if (!rc)
		rc = check_ops(&R, dir, err, errsz);
	if (!rc && c->ladder)
		write_ladder(&R, c->ladder);
out:
	for (size_t i = 0; i < R.n; i++) {
		json_decref(R.v[i].notes);
		free(R.v[i].raw);
		if (R.v[i].m)
			osip_message_free(R.v[i].m);
	}
	free(R.v);
	free(R.tab.v);
	free(R.fin);
	return rc;
}
