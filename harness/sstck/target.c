/**
 * @file harness/sstck/target.c  what the harness knows of a target lives in
 * its description, harness/targets/NAME.ini, never in the scenarios:
 *
 *   [target]   summary; start = ref | kamailio | kit; state = header
 *              trace (what it shows of session state); apps = * when it
 *              plays every application; cf = the sides it takes where
 *              implementations may differ (CF options: the oracle judges
 *              on those sides); ref-args = options sstck-ref gets in
 *              every case (start = ref; each ref-args line adds to
 *              those before it); interfaces = the loopback
 *              addresses it sends from beside its own (SS-11: the
 *              outbound interfaces; start = ref gets the case's);
 *              router = REGION:from|to|none, what its application
 *              router answers for every initial request (SS-09;
 *              start = ref: sstck-ref gets it as --router);
 *              second-app = USER, the Request-URI user its router
 *              gives a second application of the same servlet (a case
 *              whose [ref] args say --app2 USER)
 *   [kit]      start = kit: a container built from a kit and started once
 *              for the run (kit.c says the keys)
 *   [app.N]    an application it plays: config (a template under harness/,
 *              for kamailio) and options (the [ref] args it can honour)
 *
 * HOST:PORT is a target already running; it is taken to show X-SS-State
 * (a servlet container with the probe) unless --observe wire says not.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ini.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "oracle.h"
#include "sstck.h"

struct tctx {
	struct target *t;
	char *why;
	size_t whysz;
};

static int on_key(void *user, const char *sec, const char *key,
		  const char *val)
{
	struct tctx *c = user;
	struct target *t = c->t;

	if (!strcmp(sec, "target")) {
		if (!strcmp(key, "summary")) {
			snprintf(t->summary, sizeof(t->summary), "%s", val);
		} else if (!strcmp(key, "start")) {
			if (!strcmp(val, "ref"))
				t->kind = TARGET_REF;
			else if (!strcmp(val, "kamailio"))
				t->kind = TARGET_KAMAILIO;
			else if (!strcmp(val, "kit")) {
				t->kind = TARGET_KIT;
				t->all_apps = true;
				t->app_header = true;   /* the probe learns its role */
			} else if (!strcmp(val, "command")) {
				t->kind = TARGET_CMD;
			} else {
				snprintf(c->why, c->whysz, "start must be ref, kamailio, kit "
					 "or command");
				return 0;
			}
		} else if (!strcmp(key, "state")) {
			t->state_header = strstr(val, "header") != NULL;
			t->trace = strstr(val, "trace") != NULL;
		} else if (!strcmp(key, "apps")) {
			t->all_apps = !strcmp(val, "*");
		} else if (!strcmp(key, "cf")) {
			snprintf(t->cf, sizeof(t->cf), "%s", val);
		} else if (!strcmp(key, "ref-args")) {
			/* a second ref-args line adds to the first (an ini
			 * line is at most INI_MAX_LINE long) */
			size_t l = strlen(t->ref_args);

			snprintf(t->ref_args + l, sizeof(t->ref_args) - l, "%s%s",
				 l ? " " : "", val);
		} else if (!strcmp(key, "command")) {
			snprintf(t->command, sizeof(t->command), "%s", val);
		} else if (!strcmp(key, "fail")) {
			snprintf(t->fail_cmd, sizeof(t->fail_cmd), "%s", val);
		} else if (!strcmp(key, "second-app")) {
			snprintf(t->second_app, sizeof(t->second_app), "%s", val);
		} else if (!strcmp(key, "router")) {
			snprintf(t->router, sizeof(t->router), "%s", val);
		} else if (!strcmp(key, "interfaces")) {
			snprintf(t->interfaces, sizeof(t->interfaces), "%s", val);
		} else if (!strcmp(key, "api")) {
			t->api20 = !strcmp(val, "2.0");
			if (!t->api20 && strcmp(val, "1.1")) {
				snprintf(c->why, c->whysz, "api takes 1.1 or 2.0");
				return 0;
			}
		} else if (!strcmp(key, "groups")) {
			snprintf(t->groups, sizeof(t->groups), "%s", val);
		} else if (!strcmp(key, "front-hops")) {
			t->front_hops = atoi(val);
			if (t->front_hops < 0 || t->front_hops > 8) {
				snprintf(c->why, c->whysz, "front-hops takes 0 to 8");
				return 0;
			}
		} else {
			snprintf(c->why, c->whysz, "[target] has no key '%s'", key);
			return 0;
		}
		return 1;
	}
	if (!strcmp(sec, "kit")) {
		static const struct { const char *key; size_t off, size; } keys[] = {
#define K(k, f) { k, offsetof(struct target, kit.f), sizeof(((struct target *)0)->kit.f) }
			K("env", env), K("paths", paths), K("build", build), K("run", run),
			K("ready", ready), K("context", context), K("java", java),
#undef K
		};

		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (!strcmp(key, keys[i].key)) {
				snprintf((char *)t + keys[i].off, keys[i].size, "%s", val);
				return 1;
			}
		snprintf(c->why, c->whysz, "[kit] has no key '%s'", key);
		return 0;
	}
	if (!strncmp(sec, "app.", 4)) {
		struct target_app *a = NULL;

		for (size_t i = 0; i < t->napps; i++)
			if (!strcmp(t->apps[i].name, sec + 4))
				a = &t->apps[i];
		if (!a) {
			if (t->napps == SSTCK_MAX_TAPPS || strlen(sec + 4) >= 32) {
				snprintf(c->why, c->whysz, "too many applications");
				return 0;
			}
			a = &t->apps[t->napps++];
			memset(a, 0, sizeof(*a));
			strcpy(a->name, sec + 4);
		}
		if (!strcmp(key, "config"))
			snprintf(a->config, sizeof(a->config), "%s", val);
		else if (!strcmp(key, "options"))
			snprintf(a->options, sizeof(a->options), "%s", val);
		else {
			snprintf(c->why, c->whysz, "[%s] has no key '%s'", sec, key);
			return 0;
		}
		return 1;
	}
	snprintf(c->why, c->whysz, "unknown section [%s]", sec);
	return 0;
}

int target_open(struct target *t, const char *spec, const char *top,
		const char *observe, char *err, size_t errsz)
{
	const char *colon = strrchr(spec, ':');

	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", spec);
	if (observe && strcmp(observe, "wire") && strcmp(observe, "state")) {
		snprintf(err, errsz, "--observe must be state or wire, not '%s'", observe);
		return -1;
	}
	if (colon && colon != spec) {
		char *end;
		long port;
		size_t hl = colon - spec;

		errno = 0;
		port = strtol(colon + 1, &end, 10);
		if (errno || *end || port < 1 || port > 65535 ||
		    hl >= sizeof(t->host)) {
			snprintf(err, errsz, "target %s: expected HOST:PORT", spec);
			return -1;
		}
		memcpy(t->host, spec, hl);
		t->host[hl] = '\0';
		if (t->host[0] == '[' && hl > 2 && t->host[hl - 1] == ']') {
			memmove(t->host, t->host + 1, hl - 2);
			t->host[hl - 2] = '\0';
		}
		if (strcmp(t->host, "127.0.0.1") && strcmp(t->host, "::1") &&
		    strcmp(t->host, "localhost")) {
			snprintf(err, errsz, "target %s: SessionTCK only talks to loopback "
				 "(127.0.0.1, ::1); run the target there or in a network "
				 "namespace", spec);
			return -1;
		}
		if (!strcmp(t->host, "localhost"))
			strcpy(t->host, "127.0.0.1");
		t->port = (int)port;
		t->kind = TARGET_REMOTE;
		t->state_header = !observe || !strcmp(observe, "state");
		t->all_apps = true;
		t->app_header = true;         /* a container with the probe */
		snprintf(t->summary, sizeof(t->summary),
			 "a target already running at %s%s", spec,
			 t->state_header ? ", showing X-SS-State" : ", wire only");
		return 0;
	}
	for (const char *p = spec; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= '0' && *p <= '9') && *p != '-') {
			snprintf(err, errsz, "target '%s': expected ref, kamailio, cipango or HOST:PORT",
				 spec);
			return -1;
		}

	char path[700], why[256] = "";
	struct tctx c = { t, why, sizeof(why) };
	int rc;

	snprintf(path, sizeof(path), "%s/harness/targets/%s.ini", top, spec);
	rc = ini_parse(path, on_key, &c);
	if (rc < 0) {
		snprintf(err, errsz, "target '%s': no description %s (targets: ref, "
			 "kamailio, cipango, HOST:PORT)", spec, path);
		return -1;
	}
	if (rc > 0) {
		snprintf(err, errsz, "%s:%d: %s", path, rc, why[0] ? why : "not INI syntax");
		return -1;
	}
	if (t->kind == TARGET_CMD && !t->command[0]) {
		snprintf(err, errsz, "%s: start = command needs command", path);
		return -1;
	}
	if (t->kind == TARGET_KIT && (!t->kit.paths[0] || !t->kit.build[0] ||
				      !t->kit.run[0] || !t->kit.ready[0])) {
		snprintf(err, errsz, "%s: start = kit needs [kit] paths, build, run "
			 "and ready", path);
		return -1;
	}
	if (observe && !strcmp(observe, "wire"))
		t->state_header = t->trace = false;
	return 0;
}

/* What a case needs of a target beyond its application: a second
 * application, a second outbound interface (SS-11; sstck-ref is given
 * them, another target must have them), the answer of its application
 * router (SS-09, AppRouter4): false, with @why, when it lacks one. */
static bool has_needs(const struct target *t, const struct manifest *m,
		      char *why, size_t whysz)
{
	const char *a2 = strstr(m->args, "--app2 ");
	size_t a2n = a2 ? strcspn(a2 + 7, " ") : 0;

	/* a case with two applications (SipApplicationSessionKey1):
	 * sstck-ref starts the second, another target must have it */
	if (a2 && t->kind != TARGET_REF && (strlen(t->second_app) != a2n ||
					    strncmp(t->second_app, a2 + 7, a2n))) {
		snprintf(why, whysz, "the case needs a second application at the "
			 "Request-URI user %.*s; target %s has %s", (int)a2n, a2 + 7,
			 t->name, t->second_app[0] ? t->second_app : "none (its "
			 "description's second-app =)");
		return false;
	}
	if (m->iface[0] && t->kind != TARGET_REF &&
	    !oracle_word_in(t->interfaces, m->iface)) {
		snprintf(why, whysz, "the case needs %s among the target's outbound "
			 "interfaces; target %s has %s", m->iface, t->name,
			 t->interfaces[0] ? t->interfaces : "no other than its own "
			 "(its description's interfaces =)");
		return false;
	}
	for (size_t i = 0; i < m->nops && !t->router[0]; i++)
		if (strstr(m->op_expect[i], "@router-")) {
			snprintf(why, whysz, "the case compares sessions with the "
				 "application router's answer; target %s does not say "
				 "it (its description's router =)", t->name);
			return false;
		}
	return true;
}

bool target_plays(const struct target *t, const struct manifest *m,
		  char *why, size_t whysz)
{
	const struct target_app *a = NULL;
	char buf[SSTCK_TEXT], *save = NULL, *tok;

	/* a case written for one side of a CF option ([case] cf) */
	snprintf(buf, sizeof(buf), "%s", m->cf);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char id[16];
		int side;

		if (sscanf(tok, "%15[^=]=%d", id, &side) == 2 &&
		    oracle_cf_value(t->cf, id) != side) {
			snprintf(why, whysz, "the case plays %s; target %s takes %s=%d",
				 tok, t->name, id, oracle_cf_value(t->cf, id));
			return false;
		}
	}
	/* a case whose flow needs what its operations do (a header they
	 * set, a CANCEL they send): a target that runs none cannot play it */
	if (m->needs_ops && !t->state_header) {
		snprintf(why, whysz, "target %s does not play it: its flow needs what its "
			 "operations (X-SSTCK-Op) do, and a target without X-SS-State "
			 "runs none", t->name);
		return false;
	}
	/* a case that calls JSR 359 API: a 1.1 container has none of it */
	if (m->api20 && !t->api20) {
		snprintf(why, whysz, "target %s does not play it: the case calls JSR 359 "
			 "(2.0) API, which the target does not have (one that does says "
			 "api = 2.0)", t->name);
		return false;
	}
	save = NULL;
	/* a case that fails a node needs a target that can (DIST-*) */
	if (m->fo_agent[0] && !t->fail_cmd[0]) {
		snprintf(why, whysz, "the case fails a node of a cluster; target %s "
			 "has no way to (a fail command: sstck run --fail-cmd)",
			 t->name);
		return false;
	}
	if (t->groups[0]) {
		size_t gl = strcspn(m->name, "/");

		snprintf(buf, sizeof(buf), "%.*s", (int)gl, m->name);
		if (!oracle_word_in(t->groups, buf)) {
			snprintf(why, whysz, "target %s plays the %s cases only",
				 t->name, t->groups);
			return false;
		}
	}
	if (t->all_apps)
		return has_needs(t, m, why, whysz);
	for (size_t i = 0; i < t->napps; i++)
		if (!strcmp(t->apps[i].name, m->app))
			a = &t->apps[i];
	if (!a) {
		snprintf(why, whysz, "target %s does not play the %s application",
			 t->name, m->app);
		return false;
	}
	snprintf(buf, sizeof(buf), "%s", m->args);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		if (!strncmp(tok, "--", 2) && !oracle_word_in(a->options, tok)) {
			snprintf(why, whysz, "target %s plays %s without %s",
				 t->name, m->app, tok);
			return false;
		}
	return has_needs(t, m, why, whysz);
}

/* Appends S to the growing text *OUT. */
static int append(char **out, size_t *len, const char *s, size_t n)
{
	char *p = realloc(*out, *len + n + 1);

	if (!p)
		return -1;
	memcpy(p + *len, s, n);
	*len += n;
	p[*len] = '\0';
	*out = p;
	return 0;
}

char *target_kamailio_config(const char *tmpl, int port, const char *args,
			     char *err, size_t errsz)
{
	static const char listen[] = "127.0.0.1:5060";
	char *out = NULL, branches[2048] = "", buf[SSTCK_TEXT], *save = NULL, *tok;
	size_t len = 0, nb = 0;
	bool want = false;
	const char *p = tmpl, *hit;

	snprintf(buf, sizeof(buf), "%s", args);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (want) {
			size_t l = strlen(branches);

			if (strpbrk(tok, "\"\\")) {
				snprintf(err, errsz, "--target %s: not a plain URI", tok);
				return NULL;
			}
			snprintf(branches + l, sizeof(branches) - l,
				 nb ? "\tappend_branch(\"%s\");\n" : "\t$ru = \"%s\";\n", tok);
			nb++;
		}
		want = !strcmp(tok, "--target");
	}
	for (;;) {
		const char *h1 = strstr(p, listen), *h2 = strstr(p, "@BRANCHES@");
		char num[32];

		if (!h1 && !h2)
			break;
		hit = h1 && (!h2 || h1 < h2) ? h1 : h2;
		if (append(&out, &len, p, hit - p))
			goto oom;
		if (hit == h1) {
			snprintf(num, sizeof(num), "127.0.0.1:%d", port);
			if (append(&out, &len, num, strlen(num)))
				goto oom;
			p = hit + strlen(listen);
		} else {
			if (!nb) {
				snprintf(err, errsz, "the config forks but the case names "
					 "no --target");
				free(out);
				return NULL;
			}
			if (append(&out, &len, branches, strlen(branches)))
				goto oom;
			p = hit + strlen("@BRANCHES@");
		}
	}
	if (append(&out, &len, p, strlen(p)))
		goto oom;
	return out;
oom:
	free(out);
	snprintf(err, errsz, "out of memory");
	return NULL;
}

int target_preflight(const struct target *t, char *why, size_t whysz)
{
	/* each pre-flight a transaction of its own: a target takes a second
	 * one with the first's branch for a retransmission and answers it
	 * to the first one's port (RFC 3261 17.2.2) */
	static unsigned count;
	unsigned nth = ++count;
	struct sockaddr_in sa, me;
	socklen_t ml = sizeof(me);
	char msg[1024], buf[2048];
	int fd = socket(AF_INET, SOCK_DGRAM, 0), rc = -1;
	long long start = proc_now_ms(), next = start;
	int tries = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)t->port);
	if (fd < 0 || inet_pton(AF_INET, t->host, &sa.sin_addr) != 1 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    getsockname(fd, (struct sockaddr *)&me, &ml)) {
		snprintf(why, whysz, "cannot reach %s:%d: %s", t->host, t->port,
			 strerror(errno));
		goto out;
	}
	snprintf(msg, sizeof(msg),
		 "OPTIONS sip:sstck-preflight@%s:%d SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-sstck-%ld-%u;rport\r\n"
		 "Max-Forwards: 1\r\n"
		 "From: <sip:sstck@127.0.0.1:%d>;tag=sstck%ld-%u\r\n"
		 "To: <sip:sstck-preflight@%s:%d>\r\n"
		 "Call-ID: sstck-preflight-%ld-%u@127.0.0.1\r\n"
		 "CSeq: 1 OPTIONS\r\nX-SSTCK-App: ping\r\n"
		 "Content-Length: 0\r\n\r\n",
		 t->host, t->port, ntohs(me.sin_port), (long)getpid(), nth,
		 ntohs(me.sin_port), (long)getpid(), nth, t->host, t->port,
		 (long)getpid(), nth);
	while (proc_now_ms() - start < 3000) {
		struct pollfd p = { fd, POLLIN, 0 };

		if (proc_now_ms() >= next && tries < 4) {
			if (send(fd, msg, strlen(msg), 0) < 0 && errno == ECONNREFUSED) {
				snprintf(why, whysz, "nothing listens at %s:%d (connection refused)",
					 t->host, t->port);
				goto out;
			}
			next = proc_now_ms() + (500 << tries++);
		}
		if (poll(&p, 1, 100) > 0) {
			ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

			if (n < 0 && errno == ECONNREFUSED) {
				snprintf(why, whysz, "nothing listens at %s:%d (connection refused)",
					 t->host, t->port);
				goto out;
			}
			if (n > 8 && !strncmp(buf, "SIP/2.0 ", 8)) {
				buf[n] = '\0';
				rc = 0;
				if (t->state_header && strncmp(buf + 8, "200", 3))
					printf("sstck: warning: %s answered \"%.*s\" to the probe's "
					       "pre-flight OPTIONS (the probe answers 200): is the "
					       "probe deployed there?\n", t->name,
					       (int)strcspn(buf, "\r\n"), buf);
				goto out;
			}
		}
	}
	snprintf(why, whysz, "%s:%d did not answer an OPTIONS in 3 s", t->host, t->port);
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

int target_http_preflight(const char *base, char *why, size_t whysz)
{
	struct sockaddr_in sa;
	char host[64] = "", req[600], buf[256];
	const char *p = base + strlen("http://"), *path;
	int port = 0, fd, rc = -1;
	long long end = proc_now_ms() + 3000;
	size_t got = 0;

	path = strchr(p, '/');
	if (sscanf(p, "%63[^:]:%d", host, &port) != 2 || port < 1 || port > 65535 ||
	    strcmp(host, "127.0.0.1")) {
		text_fmt(why, whysz, "--http-base %s: expected http://127.0.0.1:PORT/CONTEXT", base);
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	inet_pton(AF_INET, host, &sa.sin_addr);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		text_fmt(why, whysz, "nothing listens at %s:%d (%s)", host, port, strerror(errno));
		goto out;
	}
	snprintf(req, sizeof(req), "GET %s/session HTTP/1.0\r\nHost: %s:%d\r\n\r\n",
		 path ? path : "", host, port);
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) < 0) {
		text_fmt(why, whysz, "cannot send to %s:%d: %s", host, port, strerror(errno));
		goto out;
	}
	while (got < 12 && proc_now_ms() < end) {
		struct pollfd pf = { fd, POLLIN, 0 };
		ssize_t n;

		if (poll(&pf, 1, 100) <= 0)
			continue;
		n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	if (got >= 12 && !strncmp(buf, "HTTP/1.", 7) && !strncmp(buf + 9, "200", 3))
		rc = 0;
	else if (got >= 12 && !strncmp(buf, "HTTP/1.", 7))
		text_fmt(why, whysz, "GET %s/session answered \"%.*s\", not 200: is the "
			 "probe's context %s?", base, (int)strcspn(buf, "\r\n"), buf,
			 path ? path : "/");
	else
		text_fmt(why, whysz, "GET %s/session: no HTTP answer in 3 s", base);
out:
	if (fd >= 0)
		close(fd);
	return rc;
}
