/**
 * @file conformance/oracle/oracle.c  judging a finished case from the wire and
 * the trace.
 *
 * 1. Every agent's SIPp message log is read and parsed with libosip2;
 *    the messages are merged in time order.  A message one agent sent and
 *    another received unchanged went straight between them and never
 *    crossed the target; the rest is the target's boundary (this file).
 * 2. The state of each session the target reports (X-SS-State) is derived
 *    again from the boundary messages with the state table, and compared
 *    (states.c).
 * 3. The trace, when there is one: every transition is in the table and
 *    has its message on the wire; ownership; nothing happens to an
 *    invalidated session; every session is invalidated, after it was
 *    ready and before its application session (trace.c).
 * 4. The proxy rules of RFC 3261 section 16 and the B2BUA leg rules that
 *    the wire shows (wire.c).
 * 5. The requests a container sends from scratch (click-to-call, B2B-12;
 *    wire.c).
 * 6. The results of the API operations the case asked for (ops.c).
 */
#define _GNU_SOURCE 1   /* strcasestr */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <strings.h>

#include "oracle_int.h"
/* text_json: a JSON string of any text, bytes that are not UTF-8
 * replaced: a target's garbage must not drop a ladder line */
#include "text.h"

/* ------------------------------------------------------------------ */
/* the state table                                                     */
/* ------------------------------------------------------------------ */

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

void oracle__check_uac(struct run *R);

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
	if (R.n && oracle__causal_order(&R)) {
		snprintf(err, errsz, "out of memory merging the logs of %s", dir);
		goto out;
	}
	mark_direct(&R);
	for (size_t i = 0; i < R.n; i++)
		r->messages += boundary(&R.v[i]);
	oracle__check_states(&R);
	if (oracle__is_proxy_app(&R)) {
		oracle__check_proxy(&R);
		oracle__check_own_cancels(&R);
	} else if (c->app && !strcmp(c->app, "b2bua"))
		oracle__check_b2b(&R);
	else if (c->app && !strcmp(c->app, "click-to-call"))
		oracle__check_uac(&R);
	if (!oracle__is_proxy_app(&R))
		oracle__check_ua_dialog(&R);
	oracle__check_join(&R);
	rc = oracle__check_trace(&R, dir, err, errsz);
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
