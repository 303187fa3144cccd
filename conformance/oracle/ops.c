/**
 * @file conformance/oracle/ops.c  the oracle's judge of operations
 * (observation-protocol.md 4).
 *
 * The agents asked the target's application to call the session API
 * (X-SSTCK-Op on what they sent); the application answered in
 * X-SSTCK-Result on what it sent in the same callback, and in its trace.
 * Each result is compared with what the case expects of it ([ops] in
 * case.ini: "RULES | EXPECTATION [| CF-NN=V EXPECTATION]").
 *
 * An expectation is one of
 *   VALUE       exactly this value ("" the empty string)
 *   !CLASS      the exception CLASS (simple name); ! alone any exception
 *   *           any value, no exception
 *   =N  !=N     the same value as operation N's, or another one
 *   >=N  >N     a number no smaller than operation N's, or greater
 *   ~ERE        a value that matches the extended regular expression
 *   @call-id @from @to @ruri
 *               the Call-ID, the From or To URI, or the Request-URI of
 *               the message that carried the operation, as the agent
 *               sent it
 *   unrun       no result: the application is not given the message
 *               (a request of a dialog the target does not have, which
 *               the container answers itself, CF-10's side 1)
 *   @router-region @router-subscriber
 *               what the target's application router answered for the
 *               initial request that carried the operation, as the
 *               target's description says (router = REGION:WHO): the
 *               region, and the subscriber URI (@from, @to, or null)
 */
#include <jansson.h>
#include <osip2/osip.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "oracle.h"
#include "oracle_ops.h"

#define OPS_MAX   64
#define OPS_VALUE 256

struct op {
	int n;
	bool asked;                 /* an agent sent it */
	const struct ops_msg *carrier;
	char call[OPS_VALUE];       /* "ss.getState" and its arguments */
	char kind[4];               /* ok, ex, bad; "" no result */
	char value[OPS_VALUE];      /* decoded */
	const char *from;           /* where the result was seen */
};

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decoding of the protocol; "" is the empty string.  False when
 * it is not well formed or too long. */
static bool decode(const char *s, char *out, size_t sz)
{
	size_t k = 0;

	if (!strcmp(s, "\"\"")) {
		out[0] = '\0';
		return true;
	}
	for (; *s; s++) {
		int c = (unsigned char)*s;

		if (c == '%') {
			int h = hexval(s[1]), l = h < 0 ? -1 : hexval(s[2]);

			if (h < 0 || l < 0)
				return false;
			c = h * 16 + l;
			s += 2;
		}
		if (k + 1 >= sz)
			return false;
		out[k++] = (char)c;
	}
	out[k] = '\0';
	return true;
}

static struct op *op_get(struct op *v, size_t *n, int num)
{
	for (size_t i = 0; i < *n; i++)
		if (v[i].n == num)
			return &v[i];
	if (*n == OPS_MAX)
		return NULL;
	memset(&v[*n], 0, sizeof(v[0]));
	v[*n].n = num;
	return &v[(*n)++];
}

/* What the agents asked for, from the messages they sent the target. */
static void asked(const struct ops_msg *m, struct op *v, size_t *n)
{
	osip_header_t *h = NULL;

	for (int pos = 0;
	     (pos = osip_message_header_get_byname(m->m, "x-sstck-op", pos, &h)) >= 0;
	     pos++) {
		struct op *o;
		int num, used = 0;

		if (!h || !h->hvalue || sscanf(h->hvalue, "%d %n", &num, &used) != 1)
			continue;
		o = op_get(v, n, num);
		if (!o || o->asked)
			continue;      /* a retransmission, or too many */
		o->asked = true;
		o->carrier = m;
		snprintf(o->call, sizeof(o->call), "%s", h->hvalue + used);
	}
}

/* The results on a message the target sent an agent; the first copy of
 * each counts. */
static void answered(const struct ops_msg *m, struct op *v, size_t *n)
{
	osip_header_t *h = NULL;

	for (int pos = 0;
	     (pos = osip_message_header_get_byname(m->m, "x-sstck-result", pos, &h)) >= 0;
	     pos++) {
		char kind[8], val[OPS_VALUE * 3];
		struct op *o;
		int num;

		if (!h || !h->hvalue || strlen(h->hvalue) >= sizeof(val) ||
		    sscanf(h->hvalue, "%d %7s %767s", &num, kind, val) != 3)
			continue;
		o = op_get(v, n, num);
		if (!o || o->kind[0])
			continue;
		if (!decode(val, o->value, sizeof(o->value)))
			snprintf(o->value, sizeof(o->value), "(not percent-encoded: %.60s)",
				 val);
		snprintf(o->kind, sizeof(o->kind), "%.3s", kind);
		o->from = m->where;
	}
}

/* Results the wire did not carry, from the trace's "op" lines. */
static void traced(const char *dir, struct op *v, size_t *n)
{
	char path[1024], line[4096];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/trace.jsonl", dir);
	fp = fopen(path, "r");
	if (!fp)
		return;
	while (fgets(line, sizeof(line), fp)) {
		json_t *j = strstr(line, "\"op\"") ? json_loads(line, 0, NULL) : NULL;
		const char *ev = j ? json_string_value(json_object_get(j, "ev")) : NULL;
		json_t *nv = j ? json_object_get(j, "n") : NULL;
		struct op *o;
		int num;

		if (!ev || strcmp(ev, "op") || !nv) {
			json_decref(j);
			continue;
		}
		num = json_is_integer(nv) ? (int)json_integer_value(nv) :
		      json_is_string(nv) ? atoi(json_string_value(nv)) : -1;
		o = num >= 0 ? op_get(v, n, num) : NULL;
		if (o && !o->kind[0]) {
			static const char *kinds[] = { "ok", "ex", "bad" };

			for (size_t k = 0; k < 3; k++) {
				const char *s = json_string_value(json_object_get(j, kinds[k]));

				if (!s)
					continue;
				snprintf(o->kind, sizeof(o->kind), "%s", kinds[k]);
				snprintf(o->value, sizeof(o->value), "%s", s);
				o->from = "trace.jsonl";
				break;
			}
		}
		json_decref(j);
	}
	fclose(fp);
}

static void uri_of(osip_uri_t *u, char *buf, size_t sz)
{
	char *s = NULL;

	buf[0] = '\0';
	if (u && osip_uri_to_str(u, &s) >= 0) {
		snprintf(buf, sz, "%s", s);
		osip_free(s);
	}
}

/* The value an @name expectation stands for, from op @o's carrier. */
static bool carried(const struct op *o, const char *name, char *buf, size_t sz)
{
	osip_message_t *m = o->carrier->m;

	buf[0] = '\0';
	if (!strcmp(name, "@call-id")) {
		char *s = NULL;

		if (m->call_id && osip_call_id_to_str(m->call_id, &s) >= 0) {
			snprintf(buf, sz, "%s", s);
			osip_free(s);
		}
	} else if (!strcmp(name, "@from")) {
		uri_of(m->from ? m->from->url : NULL, buf, sz);
	} else if (!strcmp(name, "@to")) {
		uri_of(m->to ? m->to->url : NULL, buf, sz);
	} else if (!strcmp(name, "@ruri")) {
		uri_of(m->req_uri, buf, sz);
	} else {
		return false;
	}
	return true;
}

/* The expectation of @spec ("RULES | EXP [| CF-NN=V EXP]...") for the
 * target's CF sides: *rules gets the rule list, the return value the
 * expectation (in @buf).  Only "| CF-" starts an alternative, so an
 * expectation's regular expression may hold a bar. */
static const char *expectation(const char *spec, const char *cf, char *rules,
			       size_t rsz, char *buf, size_t bsz)
{
	const char *bar = strchr(spec, '|'), *p;
	size_t len;

	if (!bar)
		return NULL;
	len = (size_t)(bar - spec);
	while (len && spec[len - 1] == ' ')
		len--;
	snprintf(rules, rsz, "%.*s", (int)len, spec);
	buf[0] = '\0';
	for (p = bar + 1; p;) {
		const char *next = strstr(p, "| CF-");
		char part[OPS_VALUE], id[16];
		char *s = part, *e;
		int side;

		snprintf(part, sizeof(part), "%.*s", next ? (int)(next - p) : (int)strlen(p), p);
		while (*s == ' ')
			s++;
		e = s + strlen(s);
		while (e > s && e[-1] == ' ')
			*--e = '\0';
		if (p == bar + 1) {
			snprintf(buf, bsz, "%s", s);
		} else {
			if (sscanf(s, "%15[^=]=%d", id, &side) != 2 || !strchr(s, ' '))
				return NULL;
			if (oracle_cf_value(cf, id) == side)
				snprintf(buf, bsz, "%s", strchr(s, ' ') + 1);
		}
		p = next ? next + 2 : NULL;
	}
	return buf[0] ? buf : NULL;
}

static const struct op *op_find(const struct op *v, size_t n, int num)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].n == num)
			return &v[i];
	return NULL;
}

/* @router-region and @router-subscriber as the expectations they stand
 * for on this target (@router, "REGION:from|to|none"), in @buf; @exp
 * itself otherwise. */
static const char *routed(const char *exp, const char *router, char *buf, size_t sz)
{
	const char *who = router ? strchr(router, ':') : NULL;

	if (strncmp(exp, "@router-", 8) || !who)
		return exp;
	if (!strcmp(exp, "@router-region"))
		snprintf(buf, sz, "%.*s", (int)(who - router), router);
	else
		snprintf(buf, sz, "%s", !strcmp(who, ":from") ? "@from" :
			 !strcmp(who, ":to") ? "@to" : "null");
	return buf;
}

/* Whether @o's result meets @exp; @why says what was expected. */
static bool meets(const struct op *o, const char *exp, const struct op *v,
		  size_t n, char *why, size_t wsz)
{
	char want[OPS_VALUE];
	const struct op *ref;
	int num;

	snprintf(why, wsz, "%s", exp);
	if (exp[0] == '!' && exp[1] != '=') {
		return !strcmp(o->kind, "ex") && (!exp[1] || !strcmp(o->value, exp + 1));
	}
	if (strcmp(o->kind, "ok"))
		return false;
	if (!strcmp(exp, "*"))
		return true;
	if ((sscanf(exp, "=%d", &num) == 1 && exp[0] == '=') ||
	    (sscanf(exp, "!=%d", &num) == 1) || (sscanf(exp, ">=%d", &num) == 1) ||
	    (sscanf(exp, ">%d", &num) == 1)) {
		ref = op_find(v, n, num);
		if (!ref || strcmp(ref->kind, "ok")) {
			snprintf(why, wsz, "%s, but operation %d has no value", exp, num);
			return false;
		}
		snprintf(why, wsz, "%.60s (\"%.200s\")", exp, ref->value);
		if (exp[0] == '=')
			return !strcmp(o->value, ref->value);
		if (exp[0] == '!')
			return strcmp(o->value, ref->value) != 0;
		if (!o->value[0] || strspn(o->value, "-0123456789") != strlen(o->value) ||
		    !ref->value[0] || strspn(ref->value, "-0123456789") != strlen(ref->value)) {
			snprintf(why, wsz, "%.60s (\"%.200s\", which is not a number)", exp,
				 ref->value);
			return false;
		}
		return exp[1] == '=' ?
		       strtoll(o->value, NULL, 10) >= strtoll(ref->value, NULL, 10) :
		       strtoll(o->value, NULL, 10) > strtoll(ref->value, NULL, 10);
	}
	if (exp[0] == '~') {
		regex_t re;
		bool ok;

		if (regcomp(&re, exp + 1, REG_EXTENDED | REG_NOSUB)) {
			snprintf(why, wsz, "%s (not a valid regular expression)", exp);
			return false;
		}
		ok = !regexec(&re, o->value, 0, NULL, 0);
		regfree(&re);
		return ok;
	}
	if (exp[0] == '@' && carried(o, exp, want, sizeof(want))) {
		snprintf(why, wsz, "%.60s (\"%.200s\")", exp, want);
		return want[0] && !strcmp(o->value, want);
	}
	if (!strcmp(exp, "\"\""))
		return !o->value[0];
	return !strcmp(o->value, exp);
}

/* A finding under each rule of @rules, each of which the result speaks
 * for.  A CF option's too: a result its side does not expect is a target
 * that is not on the side its description says (dist/proxy-early-dialog-
 * failover's CF-23), or that breaks the rule the option qualifies. */
static void each_rule(struct oracle_result *r, const char *rules, const char *where,
		      const char *text)
{
	char buf[160], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", rules);
	for (char *id = strtok_r(buf, " ", &save); id; id = strtok_r(NULL, " ", &save))
		oracle_find(r, id, where, "%s", text);
}

/* Appends the words of @words to the list @list not yet in it. */
static void add_words(char *list, size_t sz, const char *words)
{
	char buf[160], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", words);
	for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		size_t n = strlen(w), len = strlen(list);

		if (!oracle_word_in(list, w) && len + n + 2 < sz)
			snprintf(list + len, sz - len, "%s%s", len ? " " : "", w);
	}
}

void oracle__ops_check(const struct oracle_case *c, const struct ops_msg *m, size_t nm,
		       const char *dir, struct oracle_result *r)
{
	struct op *v = calloc(OPS_MAX, sizeof(*v));
	size_t n = 0;
	char path[1024];
	bool has_trace;

	if (!v || !c->nops) {
		free(v);
		return;
	}
	for (size_t i = 0; i < nm; i++)
		if (m[i].m && m[i].agent_sent && !m[i].direct)
			asked(&m[i], v, &n);
	for (size_t i = 0; i < nm; i++)
		if (m[i].m && !m[i].agent_sent && !m[i].direct)
			answered(&m[i], v, &n);
	traced(dir, v, &n);
	snprintf(path, sizeof(path), "%s/trace.jsonl", dir);
	has_trace = access(path, F_OK) == 0;
	for (size_t k = 0; k < c->nops; k++) {
		char rules[160], exp[OPS_VALUE], why[OPS_VALUE + 64], text[384];
		char rexp[OPS_VALUE];
		const struct op *o = op_find(v, n, c->op_n[k]);
		char where[192];

		if (!expectation(c->op_expect[k], c->cf, rules, sizeof(rules), exp,
				 sizeof(exp))) {
			snprintf(text, sizeof(text), "case error: [ops] %d is not "
				 "RULES | EXPECTATION: %.200s", c->op_n[k], c->op_expect[k]);
			oracle_find(r, "case", "case.ini", "%s", text);
			continue;
		}
		if (!o || !o->asked) {
			snprintf(text, sizeof(text), "case error: no agent asked for "
				 "operation %d", c->op_n[k]);
			oracle_find(r, "case", "case.ini", "%s", text);
			continue;
		}
		snprintf(where, sizeof(where), "%s, operation %d (%.80s)",
			 o->carrier->where, o->n, o->call);
		if (!strcmp(exp, "unrun")) {
			r->op_checks++;
			add_words(r->op_judged_rules, sizeof(r->op_judged_rules), rules);
			if (o->kind[0]) {
				snprintf(text, sizeof(text), "operation %d (%.80s): expected "
					 "no result (the application is not given %.60s), "
					 "got %s %.100s", o->n, o->call, o->carrier->first,
					 o->kind, o->value);
				each_rule(r, rules, where, text);
			}
			continue;
		}
		if (!o->kind[0] && !has_trace) {
			/* its callback sent nothing and there is no trace to
			 * read it from: not observable on this target */
			r->op_unobs++;
			add_words(r->op_unobs_rules, sizeof(r->op_unobs_rules), rules);
			continue;
		}
		r->op_checks++;
		add_words(r->op_judged_rules, sizeof(r->op_judged_rules), rules);
		if (!o->kind[0]) {
			snprintf(text, sizeof(text), "operation %d (%.80s): no result: the "
				 "application did not run it in its callback for %.60s",
				 o->n, o->call, o->carrier->first);
			each_rule(r, rules, where, text);
			continue;
		}
		if (!strcmp(o->kind, "bad")) {
			snprintf(text, sizeof(text), "operation %d (%.80s): the target "
				 "does not know it: %.80s", o->n, o->call, o->value);
			each_rule(r, rules, where, text);
			continue;
		}
		if (meets(o, routed(exp, c->router, rexp, sizeof(rexp)), v, n, why,
			  sizeof(why)))
			continue;
		snprintf(text, sizeof(text), "operation %d (%.80s): expected %.120s, "
			 "got %s %.100s", o->n, o->call, why,
			 !strcmp(o->kind, "ex") ? "the exception" : "the value",
			 o->value[0] || strcmp(o->kind, "ok") ? o->value : "\"\"");
		each_rule(r, rules, where, text);
	}
	/* what an agent asked for and the case does not judge is a slip */
	for (size_t i = 0; i < n; i++) {
		bool known = false;

		for (size_t k = 0; k < c->nops; k++)
			known |= c->op_n[k] == v[i].n;
		if (v[i].asked && !known)
			oracle_find(r, "case", "case.ini", "case error: operation %d "
				    "(%.80s) has no [ops] line", v[i].n, v[i].call);
	}
	free(v);
}
