/**
 * @file harness/sstck/manifest.c  a case's manifest,
 * scenarios/GROUP/CASE/case.ini.
 *
 *   [case]     summary, rules (space-separated rule IDs), cf (the sides
 *              of CF options the case is written for, "CF-17=0": a
 *              target on another side does not play it), slow (the
 *              slow group's seconds: only sstck run --slow plays it),
 *              needs-ops = yes (its flow needs what its operations do:
 *              a target without X-SS-State, which runs none, does not
 *              play it), interface (a second loopback address the
 *              target must have among its outbound interfaces, SS-11)
 *   [ref]      app, args ({agent} stands for that agent's address),
 *              transport (udp, the default, or tcp: the callers' side)
 *   [agent.N]  role (uas|uac), scenario (SIPp XML beside case.ini), start
 *   [expect]   derived (derived SipSessions the target's trace must show)
 *   [ops]      N = RULES | EXPECTATION [| CF-NN=V EXPECTATION]: what the
 *              result of operation N (X-SSTCK-Op in a scenario) must be
 *              (conformance/oracle/ops.c says what an expectation is);
 *              its rules join the case's
 *   [http.N]   an HTTP step of a converged case, in file order: request
 *              (METHOD PATH), body, status, expect (repeatable: PATH OP
 *              VALUE, OP one of = != ~), save (NAME PATH), until (seconds
 *              to poll until it holds), cookie (keep, the default, or none)
 *
 * Everything else is an error, so a misspelt key never goes unnoticed.
 */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sstck.h"

struct ctx {
	struct manifest *m;
	char *err;
	size_t errsz;
	const char *file;
	bool seen_case;
};

static bool copy(char *dst, size_t dstsz, const char *src)
{
	if (strlen(src) >= dstsz)
		return false;
	strcpy(dst, src);
	return true;
}

static bool valid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return false;
	return true;
}

static struct agent *agent_get(struct manifest *m, const char *name)
{
	for (size_t i = 0; i < m->nagents; i++)
		if (!strcmp(m->agents[i].name, name))
			return &m->agents[i];
	if (m->nagents == SSTCK_MAX_AGENTS || !valid_name(name) ||
	    strlen(name) >= sizeof(m->agents[0].name))
		return NULL;
	struct agent *a = &m->agents[m->nagents++];
	memset(a, 0, sizeof(*a));
	strcpy(a->name, name);
	a->start = -1;
	return a;
}

static int parse_int(const char *v, int lo, int hi, int *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < lo || n > hi)
		return -1;
	*out = (int)n;
	return 0;
}

#define BAD(...) do { snprintf(c->err, c->errsz, __VA_ARGS__); return 0; } while (0)

/* [case]: summary, rules, cf */
static int key_case(struct ctx *c, const char *key, const char *val)
{
	struct manifest *m = c->m;

	c->seen_case = true;
	if (!strcmp(key, "summary")) {
		if (!copy(m->summary, sizeof(m->summary), val))
			BAD("[case] summary is too long");
	} else if (!strcmp(key, "rules")) {
		char buf[SSTCK_TEXT], *save = NULL, *tok;

		if (!copy(buf, sizeof(buf), val))
			BAD("[case] rules: too long");
		for (tok = strtok_r(buf, " \t,", &save); tok;
		     tok = strtok_r(NULL, " \t,", &save)) {
			if (m->nrules == SSTCK_MAX_RULES)
				BAD("[case] rules: more than %d", SSTCK_MAX_RULES);
			if (!copy(m->rules[m->nrules], 24, tok))
				BAD("[case] rules: '%s' is not a rule ID", tok);
			m->nrules++;
		}
	} else if (!strcmp(key, "needs-ops")) {
		if (strcmp(val, "yes"))
			BAD("[case] needs-ops must be yes, not '%s'", val);
		m->needs_ops = true;
	} else if (!strcmp(key, "api")) {
		if (strcmp(val, "2.0") && strcmp(val, "1.1"))
			BAD("[case] api must be 1.1 or 2.0, not '%s'", val);
		m->api20 = !strcmp(val, "2.0");
	} else if (!strcmp(key, "interface")) {
		if (strncmp(val, "127.", 4) || strspn(val, "0123456789.") != strlen(val) ||
		    !copy(m->iface, sizeof(m->iface), val))
			BAD("[case] interface must be a 127.x.y.z address, not '%s'", val);
	} else if (!strcmp(key, "slow")) {
		if (parse_int(val, 1, 3600, &m->slow_s))
			BAD("[case] slow must be the seconds the case may take, not '%s'", val);
	} else if (!strcmp(key, "cf")) {
		int side, used = 0;

		for (const char *p = val; *p; p += used) {
			p += strspn(p, " ");
			if (!*p)
				break;
			used = 0;
			if (sscanf(p, "CF-%*d=%d%n", &side, &used) != 1 || !used ||
			    (p[used] && p[used] != ' '))
				BAD("[case] cf must be CF-NN=V ..., not '%s'", val);
		}
		if (!copy(m->cf, sizeof(m->cf), val))
			BAD("[case] cf: too long");
	} else {
		BAD("[case] has no key '%s' (summary, rules, cf, slow, needs-ops, "
		    "interface, api)", key);
	}
	return 1;
}

/* [ref]: app, args, transport */
static int key_ref(struct ctx *c, const char *key, const char *val)
{
	struct manifest *m = c->m;

	if (!strcmp(key, "app")) {
		if (!valid_name(val) || !copy(m->app, sizeof(m->app), val))
			BAD("[ref] app: '%s' is not an application name", val);
	} else if (!strcmp(key, "args")) {
		if (!copy(m->args, sizeof(m->args), val))
			BAD("[ref] args: too long");
	} else if (!strcmp(key, "transport")) {
		if (!strcmp(val, "tcp"))
			m->tcp = true;
		else if (strcmp(val, "udp") && *val)
			BAD("[ref] transport must be udp or tcp, not '%s'", val);
	} else {
		BAD("[ref] has no key '%s' (app, args, transport)", key);
	}
	return 1;
}

/* [agent.NAME]: role, scenario, start */
static int key_agent(struct ctx *c, const char *sec, const char *key,
		     const char *val)
{
	struct manifest *m = c->m;
	struct agent *a = agent_get(m, sec + 6);

	if (!a)
		BAD("[%s]: agent names are letters, digits, - and _ "
		    "(at most %d agents)", sec, SSTCK_MAX_AGENTS);
	if (!strcmp(key, "role")) {
		if (!strcmp(val, "uas"))
			a->role = ROLE_UAS;
		else if (!strcmp(val, "uac"))
			a->role = ROLE_UAC;
		else
			BAD("[%s] role must be uas or uac, not '%s'", sec, val);
		a->seen_role = true;
	} else if (!strcmp(key, "scenario")) {
		if (!*val || strchr(val, '/') ||
		    !copy(a->scenario, sizeof(a->scenario), val))
			BAD("[%s] scenario: '%s' is not a file name beside case.ini",
			    sec, val);
		a->seen_scenario = true;
	} else if (!strcmp(key, "start")) {
		if (parse_int(val, 0, 99, &a->start))
			BAD("[%s] start must be a number 0-99, not '%s'", sec, val);
	} else {
		BAD("[%s] has no key '%s' (role, scenario, start)", sec, key);
	}
	return 1;
}

/* [http.NAME]: a converged case's HTTP step */
static int key_http(struct ctx *c, const char *sec, const char *key,
		    const char *val)
{
	struct manifest *m = c->m;
	struct http_step *h = NULL;

	for (size_t i = 0; i < m->nhttp; i++)
		if (!strcmp(m->http[i].name, sec + 5))
			h = &m->http[i];
	if (!h) {
		if (m->nhttp == SSTCK_MAX_HTTP || !valid_name(sec + 5) ||
		    strlen(sec + 5) >= sizeof(h->name))
			BAD("[%s]: step names are letters, digits, - and _ "
			    "(at most %d steps)", sec, SSTCK_MAX_HTTP);
		h = &m->http[m->nhttp++];
		memset(h, 0, sizeof(*h));
		strcpy(h->name, sec + 5);
	}
	if (!strcmp(key, "request")) {
		char meth[16];
		int used = 0;

		if (sscanf(val, "%15s %n", meth, &used) != 1 ||
		    (val[used] != '/' && val[used] != '{') ||
		    !copy(h->path, sizeof(h->path), val + used) ||
		    (strcmp(meth, "GET") && strcmp(meth, "POST") &&
		     strcmp(meth, "PUT") && strcmp(meth, "DELETE")))
			BAD("[%s] request must be METHOD /PATH or METHOD {saved} "
			    "(GET, POST, PUT, DELETE), not '%s'", sec, val);
		strcpy(h->method, meth);
	} else if (!strcmp(key, "body")) {
		if (!copy(h->body, sizeof(h->body), val))
			BAD("[%s] body: too long", sec);
	} else if (!strcmp(key, "status")) {
		if (parse_int(val, 100, 599, &h->status))
			BAD("[%s] status must be an HTTP status, not '%s'", sec, val);
	} else if (!strcmp(key, "expect")) {
		if (h->nexpect == SSTCK_MAX_EXPECT ||
		    !copy(h->expect[h->nexpect], sizeof(h->expect[0]), val) ||
		    (!strstr(val, " = ") && !strstr(val, " != ") &&
		     !strstr(val, " ~ ") && !strstr(val, " has ")))
			BAD("[%s] expect must be PATH = VALUE, PATH != VALUE, "
			    "PATH ~ REGEX or PATH has ID (at most %d), not '%s'", sec,
			    SSTCK_MAX_EXPECT, val);
		h->nexpect++;
	} else if (!strcmp(key, "save")) {
		if (h->nsave == 4 || !strchr(val, ' ') ||
		    !copy(h->save[h->nsave], sizeof(h->save[0]), val))
			BAD("[%s] save must be NAME PATH (at most 4), not '%s'",
			    sec, val);
		h->nsave++;
	} else if (!strcmp(key, "until")) {
		if (parse_int(val, 1, 60, &h->until_s))
			BAD("[%s] until must be seconds 1-60, not '%s'", sec, val);
	} else if (!strcmp(key, "pause")) {
		if (parse_int(val, 1, 30000, &h->pause_ms))
			BAD("[%s] pause must be milliseconds 1-30000, not '%s'", sec, val);
	} else if (!strcmp(key, "cookie")) {
		if (!strcmp(val, "none"))
			h->no_cookie = true;
		else if (strcmp(val, "keep"))
			BAD("[%s] cookie must be keep or none, not '%s'", sec, val);
	} else {
		BAD("[%s] has no key '%s' (request, body, status, expect, save, "
		    "until, pause, cookie)", sec, key);
	}
	return 1;
}

/* [ops]: the operations' expectations, their rules the case's */
static int key_ops(struct ctx *c, const char *key, const char *val)
{
	struct manifest *m = c->m;
	char buf[SSTCK_TEXT], *save = NULL, *tok;
	const char *bar = strchr(val, '|');
	int n;

	if (parse_int(key, 1, 9999, &n))
		BAD("[ops] keys are operation numbers, not '%s'", key);
	for (size_t i = 0; i < m->nops; i++)
		if (m->op_n[i] == n)
			BAD("[ops] %d given twice", n);
	if (m->nops == SSTCK_MAX_OPS)
		BAD("[ops]: more than %d operations", SSTCK_MAX_OPS);
	if (!bar || bar == val || !bar[1] ||
	    !copy(m->op_expect[m->nops], sizeof(m->op_expect[0]), val))
		BAD("[ops] %d must be RULES | EXPECTATION, not '%s'", n, val);
	m->op_n[m->nops++] = n;
	snprintf(buf, sizeof(buf), "%.*s", (int)(bar - val), val);
	for (tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		bool have = false;

		for (size_t k = 0; k < m->nrules; k++)
			have |= !strcmp(m->rules[k], tok);
		if (have)
			continue;
		if (m->nrules == SSTCK_MAX_RULES)
			BAD("[ops] %d: the case has more than %d rules", n,
			    SSTCK_MAX_RULES);
		if (!copy(m->rules[m->nrules], 24, tok))
			BAD("[ops] %d: '%s' is not a rule ID", n, tok);
		m->rule_by_op[m->nrules++] = true;
	}
	return 1;
}

/* [expect]: derived, timers-fired, expired (counts of the trace's
 * ss-created with orig, timer-fired, sas-expired lines) */
static int key_expect(struct ctx *c, const char *key, const char *val)
{
	struct manifest *m = c->m;
	int *v = !strcmp(key, "derived") ? &m->expect_derived :
		 !strcmp(key, "timers-fired") ? &m->expect_fired :
		 !strcmp(key, "expired") ? &m->expect_expired : NULL;

	if (!v)
		BAD("[expect] has no key '%s' (derived, timers-fired, expired)", key);
	else if (parse_int(val, 0, 100, v))
		BAD("[expect] %s must be a number, not '%s'", key, val);
	return 1;
}

/* [failover]: agent, after, wait, mode */
static int key_failover(struct ctx *c, const char *key, const char *val)
{
	struct manifest *m = c->m;

	if (!strcmp(key, "agent")) {
		if (!valid_name(val) || !copy(m->fo_agent, sizeof(m->fo_agent), val))
			BAD("[failover] agent must be an agent's name, not '%s'", val);
	} else if (!strcmp(key, "after")) {
		if (!val[0] || !copy(m->fo_after, sizeof(m->fo_after), val))
			BAD("[failover] after must be the start of a message's first "
			    "line (e.g. ACK), not '%s'", val);
	} else if (!strcmp(key, "mode")) {
		if (strcmp(val, "kill") && strcmp(val, "stop"))
			BAD("[failover] mode must be kill (the default: the node "
			    "dies) or stop (it is shut down), not '%s'", val);
		m->fo_stop = !strcmp(val, "stop");
	} else if (!strcmp(key, "wait")) {
		if (parse_int(val, 0, 5000, &m->fo_wait_ms))
			BAD("[failover] wait must be the milliseconds from that "
			    "message to the failover (0 to 5000), not '%s'", val);
	} else {
		BAD("[failover] has no key '%s' (agent, after, wait, mode)", key);
	}
	return 1;
}

static int on_key(void *user, const char *sec, const char *key,
		  const char *val)
{
	struct ctx *c = user;

	if (!strcmp(sec, "case"))
		return key_case(c, key, val);
	if (!strcmp(sec, "ref"))
		return key_ref(c, key, val);
	if (!strncmp(sec, "agent.", 6))
		return key_agent(c, sec, key, val);
	if (!strncmp(sec, "http.", 5))
		return key_http(c, sec, key, val);
	if (!strcmp(sec, "ops"))
		return key_ops(c, key, val);
	if (!strcmp(sec, "expect"))
		return key_expect(c, key, val);
	if (!strcmp(sec, "failover"))
		return key_failover(c, key, val);
	BAD("unknown section [%s] (case, ref, agent.NAME, http.NAME, expect, ops, "
	    "failover)", sec);
}

/* Every {name} in the arguments must be an agent. */
static int check_placeholders(const struct manifest *m, char *err, size_t errsz)
{
	const char *p = m->args;

	while ((p = strchr(p, '{'))) {
		const char *e = strchr(p, '}');
		char name[32];
		bool found = false;

		if (!e || (size_t)(e - p - 1) >= sizeof(name)) {
			snprintf(err, errsz, "[ref] args: unclosed or long {placeholder}");
			return -1;
		}
		memcpy(name, p + 1, e - p - 1);
		name[e - p - 1] = '\0';
		for (size_t i = 0; i < m->nagents; i++)
			found |= !strcmp(m->agents[i].name, name);
		if (!found) {
			snprintf(err, errsz, "[ref] args: {%s} is not an agent", name);
			return -1;
		}
		p = e + 1;
	}
	return 0;
}

static int validate(struct manifest *m, const struct ruleset *rs,
		    char *err, size_t errsz)
{
	size_t uac = 0;

	if (!m->summary[0]) {
		snprintf(err, errsz, "[case] summary is missing");
		return -1;
	}
	if (!m->nrules) {
		snprintf(err, errsz, "[case] rules is missing: a case checks at least one rule");
		return -1;
	}
	for (size_t i = 0; rs && i < m->nrules; i++)
		if (!rules_find(rs, m->rules[i])) {
			snprintf(err, errsz, "[case] rules: %s is not in conformance/rules.tsv",
				 m->rules[i]);
			return -1;
		}
	if (!m->app[0]) {
		snprintf(err, errsz, "[ref] app is missing");
		return -1;
	}
	if (!m->nagents) {
		snprintf(err, errsz, "no [agent.NAME] section");
		return -1;
	}
	for (size_t i = 0; i < m->nagents; i++) {
		struct agent *a = &m->agents[i];
		char path[768];

		if (!a->seen_role || !a->seen_scenario || a->start < 0) {
			snprintf(err, errsz, "[agent.%s] needs role, scenario and start",
				 a->name);
			return -1;
		}
		snprintf(path, sizeof(path), "%s/%s", m->dir, a->scenario);
		if (access(path, R_OK)) {
			snprintf(err, errsz, "[agent.%s] scenario %s: %s", a->name,
				 a->scenario, strerror(errno));
			return -1;
		}
		uac += a->role == ROLE_UAC;
	}
	if (!uac && !m->nhttp) {
		snprintf(err, errsz, "no agent has role uac and no [http.NAME] step: "
			 "nothing would start the call");
		return -1;
	}
	for (size_t i = 0; i < m->nhttp; i++)
		if (!m->http[i].method[0]) {
			snprintf(err, errsz, "[http.%s] needs a request", m->http[i].name);
			return -1;
		}
	if (m->fo_agent[0] || m->fo_after[0]) {
		bool found = false;

		for (size_t i = 0; i < m->nagents; i++)
			found |= !strcmp(m->agents[i].name, m->fo_agent);
		if (!found || !m->fo_after[0]) {
			snprintf(err, errsz, "[failover] needs agent (one of the "
				 "case's) and after");
			return -1;
		}
	}
	return check_placeholders(m, err, errsz);
}

int manifest_load(struct manifest *m, const char *dir, const char *name,
		  const struct ruleset *rs, char *err, size_t errsz)
{
	char path[600], why[SSTCK_TEXT] = "";
	struct ctx c = { m, why, sizeof(why), path, false };
	int rc;

	memset(m, 0, sizeof(*m));
	m->expect_derived = m->expect_fired = m->expect_expired = -1;
	if (!copy(m->dir, sizeof(m->dir), dir) ||
	    !copy(m->name, sizeof(m->name), name)) {
		snprintf(err, errsz, "%s: path too long", dir);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/case.ini", dir);
	/* libinih cuts a line at INI_MAX_LINE and reads the rest as the next
	 * one: say so rather than report a syntax error there */
	{
		FILE *fp = fopen(path, "r");
		char line[INI_MAX_LINE + 2];
		int ln = 0;

		while (fp && fgets(line, sizeof(line), fp)) {
			ln++;
			if (!strchr(line, '\n') && strlen(line) >= INI_MAX_LINE - 1) {
				snprintf(err, errsz, "%s:%d: longer than %d characters",
					 path, ln, INI_MAX_LINE - 2);
				fclose(fp);
				return -1;
			}
		}
		if (fp)
			fclose(fp);
	}
	rc = ini_parse(path, on_key, &c);
	if (rc < 0) {
		snprintf(err, errsz, "%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	if (rc > 0) {
		snprintf(err, errsz, "%s:%d: %s", path, rc,
			 why[0] ? why : "not INI syntax ([section] or key = value)");
		return -1;
	}
	if (validate(m, rs, why, sizeof(why))) {
		snprintf(err, errsz, "%s: %s", path, why);
		return -1;
	}
	return 0;
}

/* The milliseconds of <pause milliseconds="N"/> in scenario file PATH. */
static long xml_pauses_ms(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	long ms = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		const char *p = strstr(line, "<pause");

		if (p && (p = strstr(p, "milliseconds=\"")))
			ms += strtol(p + 14, NULL, 10);
	}
	fclose(f);
	return ms;
}

long manifest_waits_ms(const struct manifest *m)
{
	long most = 0, http = 0;

	for (size_t i = 0; i < m->nagents; i++) {
		char path[sizeof(m->dir) + sizeof(m->agents[i].scenario) + 2];
		long ms;

		snprintf(path, sizeof(path), "%s/%s", m->dir,
			 m->agents[i].scenario);
		ms = xml_pauses_ms(path);
		if (ms > most)
			most = ms;
	}
	for (size_t i = 0; i < m->nhttp; i++)
		http += m->http[i].pause_ms;
	return most + http;
}
