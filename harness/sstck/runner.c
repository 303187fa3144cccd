/**
 * @file harness/sstck/runner.c  one case from start to end.  It runs in a
 * process of its own (sstck forks it into a new process group), so it may
 * block, and all it starts dies with the group.
 *
 * Order: ports; the target (sstck-ref with the case's application on a
 * port of its choosing, Kamailio on one of ours, or nothing for HOST:PORT);
 * the agents by their start number, each receiving agent known to listen
 * before the next starts; wait, within the timeout; stop the target; read
 * what everyone left behind; judge.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oracle.h"
#include "sstck.h"

#define MAX_ARGV 160

/* Whether the file at ARG is there and not empty. */
static bool file_there(const void *arg)
{
	struct stat st;

	return !stat(arg, &st) && st.st_size > 0;
}

/* Waits for PID to write PATH in DIR until DEADLINE; false if it did not. */
static bool wait_file(const char *path, const char *dir, pid_t pid,
		      long long deadline)
{
	return proc_wait_until(pid, dir, file_there, path, deadline) == 0;
}

struct listener {
	int port;
	bool tcp;
};

static bool listening(const void *arg)
{
	const struct listener *l = arg;

	return proc_port_listening(l->port, l->tcp);
}

/* Waits for PID to listen on PORT, until DEADLINE; false when it exited
 * first or the deadline passed.  What it writes in DIR as it starts (its
 * log; SIPp opens its statistics file once its socket is bound) wakes the
 * wait. */
static bool wait_listen(int port, bool tcp, const char *dir, pid_t pid,
			long long deadline)
{
	struct listener l = { port, tcp };

	return proc_wait_until(pid, dir, listening, &l, deadline) == 0;
}

/* M's args with every {agent} replaced by its address. */
static void expand_args(const struct manifest *m, const int *ports,
			char *out, size_t outsz)
{
	const char *p = m->args;
	size_t n = 0;

	out[0] = '\0';
	while (*p && n + 1 < outsz) {
		if (*p == '{') {
			const char *e = strchr(p, '}');

			for (size_t i = 0; e && i < m->nagents; i++)
				if (strlen(m->agents[i].name) == (size_t)(e - p - 1) &&
				    !strncmp(m->agents[i].name, p + 1, e - p - 1)) {
					n += snprintf(out + n, outsz - n, "127.0.0.1:%d",
						      ports[i]);
					p = e + 1;
					goto next;
				}
		}
		out[n++] = *p++;
		out[n] = '\0';
next:
		if (n >= outsz)
			n = outsz - 1;
	}
}

/* Splits S (modified) at spaces onto ARGV from *N. */
static void split(char *s, char **argv, int *n)
{
	char *save = NULL;

	for (char *t = strtok_r(s, " \t", &save); t && *n < MAX_ARGV - 1;
	     t = strtok_r(NULL, " \t", &save))
		argv[(*n)++] = t;
	argv[*n] = NULL;
}

static void first_line(const char *path, char *buf, size_t bufsz)
{
	FILE *fp = fopen(path, "r");

	buf[0] = '\0';
	if (!fp)
		return;
	if (!fgets(buf, (int)bufsz, fp))
		buf[0] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	fclose(fp);
}

/* The trace's figures: live SipSessions at shutdown, derived sessions,
 * timers fired, expiries. */
static void read_trace(const char *path, struct facts *f)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;

	f->live_ss = -1;
	f->derived = f->fired = f->expired = 0;
	if (!fp)
		return;
	f->events = true;
	/* whole lines, however long: a cut one would hide the shutdown line */
	while (getline(&line, &cap, fp) > 0) {
		json_t *o = json_loads(line, 0, NULL);
		const char *ev = json_string_value(json_object_get(o, "ev"));

		if (ev && !strcmp(ev, "ss-created") && json_object_get(o, "orig"))
			f->derived++;
		f->fired += ev && !strcmp(ev, "timer-fired");
		f->expired += ev && !strcmp(ev, "sas-expired");
		if (ev && !strcmp(ev, "shutdown") &&
		    json_is_integer(json_object_get(o, "live_ss")))
			f->live_ss = (long)json_integer_value(json_object_get(o, "live_ss"));
		json_decref(o);
	}
	free(line);
	fclose(fp);
}

static int start_order(const void *a, const void *b)
{
	const struct agent *x = *(const struct agent *const *)a,
			   *y = *(const struct agent *const *)b;

	return x->start - y->start;
}

/* A start = command target (a cluster, cluster.c): its front's port. */
static pid_t start_command(const struct run_opts *o, const struct manifest *m,
			   const char *args, const char *outdir, const char *logf,
			   int *port, struct facts *f)
{
	char portf[1024], tracef[1024], why[SSTCK_TEXT];
	/* a cluster takes longer to come up than one process */
	long long deadline = proc_now_ms() + 15000;
	pid_t pid;

	text_fmt(portf, sizeof(portf), "%s/ref.port", outdir);
	text_fmt(tracef, sizeof(tracef), "%s/trace.jsonl", outdir);
	pid = cluster_start(o, m, args, outdir, portf, tracef, logf);
	if (pid < 0 || !wait_file(portf, outdir, pid, deadline)) {
		first_line(logf, why, sizeof(why));
		text_fmt(f->setup_error, sizeof(f->setup_error),
			 "target %s did not start: %s", o->target->name,
			 why[0] ? why : "no port file");
		if (pid > 0)
			proc_stop(pid, 5000);
		return -1;
	}
	first_line(portf, why, sizeof(why));
	*port = atoi(why);
	return pid;
}

static pid_t start_target(const struct run_opts *o, const struct manifest *m,
			  const char *args, const char *outdir, int *port,
			  struct facts *f)
{
	const struct target *t = o->target;
	char path[1024], logf[1024], argbuf[SSTCK_TEXT], why[SSTCK_TEXT];
	char *argv[MAX_ARGV];
	long long deadline = proc_now_ms() + 5000;
	int n = 0;
	pid_t pid;

	text_fmt(logf, sizeof(logf), "%s/target.log", outdir);
	if (t->kind == TARGET_CMD)
		return start_command(o, m, args, outdir, logf, port, f);
	if (t->kind == TARGET_REF) {
		char portf[1024], tracef[1024], httpf[1024];

		text_fmt(portf, sizeof(portf), "%s/ref.port", outdir);
		text_fmt(tracef, sizeof(tracef), "%s/trace.jsonl", outdir);
		argv[n++] = (char *)o->ref_bin;
		argv[n++] = "--port";
		argv[n++] = "0";
		argv[n++] = "--port-file";
		argv[n++] = portf;
		if (!m->tcp)
			argv[n++] = "--no-tcp";
		argv[n++] = "--app";
		argv[n++] = (char *)m->app;
		argv[n++] = "--trace";
		argv[n++] = tracef;
		if (o->verbose)
			argv[n++] = "-v";
		if (m->nhttp) {
			text_fmt(httpf, sizeof(httpf), "%s/http.port", outdir);
			argv[n++] = "--http";
			argv[n++] = "127.0.0.1:0";
			argv[n++] = "--http-port-file";
			argv[n++] = httpf;
		}
		text_fmt(argbuf, sizeof(argbuf), "%s%s%s%s%s%s%s", t->ref_args,
			 t->ref_args[0] ? " " : "", args, m->iface[0] ? " --interface " : "",
			 m->iface, t->router[0] ? " --router " : "", t->router); /* SS-11, -09 */
		split(argbuf, argv, &n);
		pid = proc_spawn(argv, logf, NULL);
		if (pid < 0 || !wait_file(portf, outdir, pid, deadline)) {
			first_line(logf, why, sizeof(why));
			text_fmt(f->setup_error, sizeof(f->setup_error),
				 "sstck-ref did not start: %s", why[0] ? why : "no port file");
			if (pid > 0)
				proc_stop(pid, 1000);
			return -1;
		}
		first_line(portf, why, sizeof(why));
		*port = atoi(why);
		if (m->nhttp) {
			/* the HTTP side binds before the SIP side writes its port */
			first_line(httpf, why, sizeof(why));
			f->http_port = atoi(why);
		}
		return pid;
	}
	/* kamailio: the application's config, with our port and branches */
	const struct target_app *a = NULL;

	for (size_t i = 0; i < t->napps; i++)
		if (!strcmp(t->apps[i].name, m->app))
			a = &t->apps[i];
	text_fmt(path, sizeof(path), "%s/harness/%s", o->top, a ? a->config : "");
	FILE *fp = fopen(path, "r");
	char tmpl[65536], cfgf[1024], *cfg;
	size_t len;

	if (!a || !fp) {
		text_fmt(f->setup_error, sizeof(f->setup_error), "%s: %s", path,
			 strerror(errno));
		if (fp)
			fclose(fp);
		return -1;
	}
	len = fread(tmpl, 1, sizeof(tmpl) - 1, fp);
	fclose(fp);
	tmpl[len] = '\0';
	*port = proc_port_alloc();
	cfg = target_kamailio_config(tmpl, *port, args, why, sizeof(why));
	text_fmt(cfgf, sizeof(cfgf), "%s/kamailio.cfg", outdir);
	fp = cfg ? fopen(cfgf, "w") : NULL;
	if (!fp) {
		text_fmt(f->setup_error, sizeof(f->setup_error), "%s: %s", path,
			 cfg ? strerror(errno) : why);
		free(cfg);
		return -1;
	}
	fputs(cfg, fp);
	fclose(fp);
	free(cfg);
	argv[n++] = "kamailio";
	argv[n++] = "-f";
	argv[n++] = cfgf;
	argv[n++] = "-DD";
	argv[n++] = "-E";
	argv[n++] = "-w";
	argv[n++] = (char *)outdir;
	argv[n] = NULL;
	pid = proc_spawn(argv, logf, NULL);
	if (pid < 0 || !wait_listen(*port, false, outdir, pid, deadline)) {
		sipp_first_error(logf, why, sizeof(why));
		text_fmt(f->setup_error, sizeof(f->setup_error),
			 "kamailio did not listen on 127.0.0.1:%d: %s", *port,
			 why[0] ? why : "no output (see target.log)");
		if (pid > 0)
			proc_stop(pid, 1000);
		return -1;
	}
	return pid;
}

/* Waits for the agents until DEADLINE.  Once one has failed (or an HTTP
 * step has), the case cannot go on: the others get CASE_GRACE_MS to end
 * on their own, then are stopped, so that a broken call costs a couple of
 * seconds and not the whole timeout. */
#define CASE_GRACE_MS 2000
/* How long a case waits for a run's container to be done with its
 * sessions before its trace is cut. */
#define KIT_SETTLE_MS 1500

static void wait_agents(const struct manifest *m, struct facts *f,
			pid_t *apid, long long deadline)
{
	long long end = deadline;
	size_t left = 0;
	char who[64] = "";

	for (size_t i = 0; i < m->nagents; i++)
		left += apid[i] > 0;
	for (size_t i = 0; i < f->nhttp; i++)
		if (f->http[i].ran && !f->http[i].ok && !who[0]) {
			text_fmt(who, sizeof(who), "http %s", f->http[i].name);
			end = proc_now_ms() + CASE_GRACE_MS;
		}
	while (left) {
		bool moved = false;

		for (size_t i = 0; i < m->nagents; i++) {
			int rc;

			if (apid[i] < 0 || (rc = proc_wait(apid[i], 0)) == -1)
				continue;
			f->agents[i].exit = rc;
			apid[i] = -1;
			left--;
			moved = true;
			if (rc != 0 && !who[0]) {
				text_fmt(who, sizeof(who), "agent %s", f->agents[i].name);
				if (proc_now_ms() + CASE_GRACE_MS < end)
					end = proc_now_ms() + CASE_GRACE_MS;
			}
		}
		if (!left || proc_now_ms() >= end)
			break;
		if (!moved)            /* until one of them ends, or END */
			proc_wait_any(apid, m->nagents, end);
	}
	for (size_t i = 0; i < m->nagents; i++) {
		if (apid[i] < 0)
			continue;
		proc_stop(apid[i], 500);
		f->agents[i].exit = -1;
		if (who[0])
			text_fmt(f->agents[i].cut, sizeof(f->agents[i].cut), "%s", who);
		else
			f->timed_out = true;
	}
}

/* A fact of the target the oracle reads again (sstck check): TEXT in
 * OUTDIR/NAME, none when TEXT is empty. */
static void write_fact(const char *outdir, const char *name, const char *text)
{
	char dst[1024];
	FILE *fp;

	text_fmt(dst, sizeof(dst), "%s/%s", outdir, name);
	if (text[0] && (fp = fopen(dst, "w"))) {
		fprintf(fp, "%s\n", text);
		fclose(fp);
	}
}

/* The first line of the fact DIR/NAME, or NULL; the caller frees it. */
static char *read_fact(const char *dir, const char *name)
{
	char path[1024], *s;

	text_fmt(path, sizeof(path), "%s/%s", dir, name);
	s = text_file_read(path, NULL);
	if (s)
		s[strcspn(s, "\n")] = '\0';
	return s;
}

void runner_run_oracle(const char *top, const struct manifest *m, const char *dir,
		       struct oracle_facts *o)
{
	struct oracle_case c;
	struct oracle_result *r = calloc(1, sizeof(*r));
	char table[1024], ladder[1024], *cf = NULL, *router, *h;
	const char *ex[SSTCK_MAX_OPS];

	memset(o, 0, sizeof(*o));
	if (!r) {
		text_fmt(o->error, sizeof(o->error), "out of memory");
		return;
	}
	memset(&c, 0, sizeof(c));
	c.app = m->app;
	c.args = m->args;
	c.iface = m->iface[0] ? m->iface : NULL;
	for (size_t i = 0; i < m->nagents && i < 8; i++) {
		c.agents[i] = m->agents[i].name;
		c.caller[i] = m->agents[i].role == ROLE_UAC;
	}
	c.nagents = m->nagents < 8 ? m->nagents : 8;
	/* the target's sides of the CF options, its application router's
	 * answer and a cluster's front proxy, as the run wrote them */
	c.cf = cf = read_fact(dir, "target.cf");
	c.router = router = read_fact(dir, "target.router");
	h = read_fact(dir, "target.hops");
	c.front_hops = h ? atoi(h) : 0;
	free(h);
	/* operations, unless the target shows no session state (it runs none:
	 * their rules are not observable there) */
	text_fmt(ladder, sizeof(ladder), "%s/target.nostate", dir);
	if (access(ladder, F_OK)) {
		for (size_t i = 0; i < m->nops; i++)
			ex[i] = m->op_expect[i];
		c.nops = m->nops;
		c.op_n = m->op_n;
		c.op_expect = ex;
	}
	text_fmt(ladder, sizeof(ladder), "%s/ladder.json", dir);
	c.ladder = ladder;
	text_fmt(table, sizeof(table), "%s/conformance/oracle/state-table.tsv", top);
	if (oracle_judge(dir, &c, table, r, o->error, sizeof(o->error))) {
		free(r);
		free(cf);
		free(router);
		return;
	}
	free(cf);
	free(router);
	o->ran = true;
	o->n = r->n;
	for (size_t i = 0; i < r->n && i < SSTCK_MAX_FINDINGS; i++) {
		text_fmt(o->f[i].rule, sizeof(o->f[i].rule), "%s", r->f[i].rule);
		text_fmt(o->f[i].where, sizeof(o->f[i].where), "%s", r->f[i].where);
		text_fmt(o->f[i].text, sizeof(o->f[i].text), "%s", r->f[i].text);
	}
	o->messages = r->messages, o->state_checks = r->state_checks;
	o->trace_events = r->trace_events, o->wire_checks = r->wire_checks;
	o->op_checks = r->op_checks, o->op_unobs = r->op_unobs;
	o->node_trace = r->node_trace, o->trace_shutdown = r->trace_shutdown;
	o->http_trace = r->http_trace;
	text_fmt(o->op_unobs_rules, sizeof(o->op_unobs_rules), "%s", r->op_unobs_rules);
	text_fmt(o->op_judged_rules, sizeof(o->op_judged_rules), "%s", r->op_judged_rules);
	o->unparsed = r->unparsed;
	text_fmt(o->first_unparsed, sizeof(o->first_unparsed), "%s", r->first_unparsed);
	free(r);
}

/* What a case's parts share while it runs. */
struct case_run {
	const struct run_opts *o;
	const struct target *t;
	const struct manifest *m;
	const char *outdir;
	struct facts *f;
	int ports[SSTCK_MAX_AGENTS + 1], tport, callee;
	char args[SSTCK_TEXT], taddr[96];
	pid_t tpid, apid[SSTCK_MAX_AGENTS];
	const struct agent *order[SSTCK_MAX_AGENTS];
	long long deadline;
};

/* The agents' ports and the case's args; each agent's scenario as this
 * target can run it.  0, or -1 with f->setup_error. */
static int prepare_agents(struct case_run *C)
{
	const struct manifest *m = C->m;
	const struct target *t = C->t;
	struct facts *f = C->f;
	char why[SSTCK_TEXT];

	for (size_t i = 0; i < m->nagents; i++) {
		C->ports[i] = proc_port_alloc();
		if (!strcmp(m->agents[i].name, "callee"))
			C->callee = C->ports[i];
		if (!C->ports[i]) {
			text_fmt(f->setup_error, sizeof(f->setup_error),
				 "no free loopback port for agent %s", m->agents[i].name);
			return -1;
		}
	}
	/* scenarios call the callee [callee]; a case without one still needs
	 * the keyword (its requests end at the target) */
	if (!C->callee)
		C->callee = proc_port_alloc();
	expand_args(m, C->ports, C->args, sizeof(C->args));

	/* the scenarios, as this target can run them */
	for (size_t i = 0; i < m->nagents; i++) {
		const struct agent *a = &m->agents[i];
		char src[1024], dst[1024];
		int n;

		text_fmt(src, sizeof(src), "%s/%s", m->dir, a->scenario);
		text_fmt(dst, sizeof(dst), "%s/%s.xml", C->outdir, a->name);
		n = sipp_scenario_copy(src, dst, t->state_header, why, sizeof(why));
		if (n < 0) {
			text_fmt(f->setup_error, sizeof(f->setup_error), "%s", why);
			return -1;
		}
		f->agents[i].state_checks = n;
		/* a probe learns its role from the caller's initial request: the
		 * application and options sstck-ref would take (the scenarios
		 * stay as they are; this is the target's knowledge) */
		if (t->app_header && a->role == ROLE_UAC) {
			char line[SSTCK_TEXT + 64];

			text_fmt(line, sizeof(line), "X-SSTCK-App: %s%s%s", m->app,
				 C->args[0] ? " " : "", C->args);
			if (sipp_add_header(dst, line)) {
				text_fmt(f->setup_error, sizeof(f->setup_error), "%s: no request "
					 "to name the role in", dst);
				return -1;
			}
		}
		text_fmt(f->agents[i].scenario, sizeof(f->agents[i].scenario), "%s/%s",
			 m->name, a->scenario);
		text_fmt(f->agents[i].name, sizeof(f->agents[i].name), "%s", a->name);
		f->agents[i].role = a->role;
		f->agents[i].exit = -1;
		f->agents[i].calls_ok = f->agents[i].calls_failed = -1;
		f->agents[i].received = -1;
		text_fmt(f->agents[i].log, sizeof(f->agents[i].log), "%s.msg.log", a->name);
		C->order[i] = a;
		C->apid[i] = -1;
	}
	f->nagents = m->nagents;
	return 0;
}

/* An agent's SIPp command line and the texts it points into. */
struct sipp_cmd {
	char *argv[MAX_ARGV];
	char sf[1024], msg[1024], err[1024], stf[1024], outf[1024], logf[1024],
	     rto[16], port[16], to[16], keys[SSTCK_MAX_AGENTS + 1][32], cal[32],
	     knames[SSTCK_MAX_AGENTS][2][40], thost[96];
};

/* -key NAME VALUE onto S's command line at *N. */
static void sipp_key(struct sipp_cmd *s, int *n, const char *name,
		     const char *value)
{
	s->argv[(*n)++] = "-key";
	s->argv[(*n)++] = (char *)name;
	s->argv[(*n)++] = (char *)value;
}

/* [NAME] is an agent's address, [NAME_host] and [NAME_port] its parts
 * (for SIPp's setdest, when a dialog goes direct, or when one agent
 * tells another that it has come this far); [callee] is there in every
 * case; [target_host] and [target_port] are the target's, for the
 * setdest back to it after a message to another agent. */
static void sipp_keys(const struct case_run *C, struct sipp_cmd *s, int *np)
{
	const struct manifest *m = C->m;
	int n = *np;

	for (size_t x = 0; x < m->nagents; x++) {
		text_fmt(s->keys[x], sizeof(s->keys[x]), "127.0.0.1:%d", C->ports[x]);
		text_fmt(s->knames[x][0], sizeof(s->knames[x][0]), "%s_host",
			 m->agents[x].name);
		text_fmt(s->knames[x][1], sizeof(s->knames[x][1]), "%s_port",
			 m->agents[x].name);
		sipp_key(s, &n, m->agents[x].name, s->keys[x]);
		sipp_key(s, &n, s->knames[x][0], "127.0.0.1");
		sipp_key(s, &n, s->knames[x][1], s->keys[x] + 10);
	}
	if (C->callee != 0) {
		bool named = false;

		for (size_t x = 0; x < m->nagents; x++)
			named |= !strcmp(m->agents[x].name, "callee");
		if (!named) {
			text_fmt(s->cal, sizeof(s->cal), "127.0.0.1:%d", C->callee);
			sipp_key(s, &n, "callee", s->cal);
			sipp_key(s, &n, "callee_host", "127.0.0.1");
			sipp_key(s, &n, "callee_port", s->cal + 10);
		}
	}
	text_fmt(s->thost, sizeof(s->thost), "%s", C->taddr);
	char *colon = strrchr(s->thost, ':');

	if (colon) {
		*colon = '\0';
		sipp_key(s, &n, "target_host", s->thost);
		sipp_key(s, &n, "target_port", colon + 1);
	}
	*np = n;
}

/* Agent A's SIPp command line (its agent number I) into S. */
static void sipp_argv(const struct case_run *C, const struct agent *a, size_t i,
		      struct sipp_cmd *s)
{
	const char *outdir = C->outdir;
	int n = 0;

	text_fmt(s->sf, sizeof(s->sf), "%s/%s.xml", outdir, a->name);
	text_fmt(s->msg, sizeof(s->msg), "%s/%s.msg.log", outdir, a->name);
	text_fmt(s->err, sizeof(s->err), "%s/%s.err.log", outdir, a->name);
	text_fmt(s->stf, sizeof(s->stf), "%s/%s.stat.csv", outdir, a->name);
	text_fmt(s->outf, sizeof(s->outf), "%s/%s.out", outdir, a->name);
	text_fmt(s->logf, sizeof(s->logf), "%s/%s.log", outdir, a->name);
	text_fmt(s->port, sizeof(s->port), "%d", C->ports[i]);
	text_fmt(s->to, sizeof(s->to), "%d", runner_timeout(C->o, C->m));
	text_fmt(s->rto, sizeof(s->rto), "%d", SSTCK_RECV_TIMEOUT_MS);
	s->argv[n++] = (char *)C->o->sipp;
	if (a->role == ROLE_UAC) {
		s->argv[n++] = (char *)C->taddr;
		s->argv[n++] = "-t";
		s->argv[n++] = C->m->tcp ? "t1" : "u1";
		/* its one call at once: at SIPp's default rate (10 per
		 * second) the first waits about 100 ms */
		s->argv[n++] = "-r";
		s->argv[n++] = "1000";
	}
	s->argv[n++] = "-m";
	s->argv[n++] = "1";
	s->argv[n++] = "-sf";
	s->argv[n++] = s->sf;
	s->argv[n++] = "-i";
	s->argv[n++] = "127.0.0.1";
	s->argv[n++] = "-p";
	s->argv[n++] = s->port;
	sipp_keys(C, s, &n);
	s->argv[n++] = "-nostdin";
	s->argv[n++] = "-trace_msg";
	s->argv[n++] = "-message_file";
	s->argv[n++] = s->msg;
	s->argv[n++] = "-trace_logs";
	s->argv[n++] = "-log_file";
	s->argv[n++] = s->logf;
	s->argv[n++] = "-trace_err";
	s->argv[n++] = "-error_file";
	s->argv[n++] = s->err;
	s->argv[n++] = "-trace_stat";
	s->argv[n++] = "-stf";
	s->argv[n++] = s->stf;
	s->argv[n++] = "-timeout";
	s->argv[n++] = s->to;
	s->argv[n++] = "-timeout_error";
	/* a message that does not come within a few seconds will not
	 * come: the call fails then, not at the case's timeout */
	s->argv[n++] = "-recv_timeout";
	s->argv[n++] = s->rto;
	s->argv[n++] = "-max_retrans";
	s->argv[n++] = "3";
	s->argv[n] = NULL;
}

/* The agents by their start number, each receiving agent known to listen
 * before the next starts; the first that does not start ends it. */
static void start_agents(struct case_run *C)
{
	const struct manifest *m = C->m;
	struct facts *f = C->f;
	struct sipp_cmd *s = malloc(sizeof(*s));

	if (!s) {
		text_fmt(f->setup_error, sizeof(f->setup_error), "out of memory");
		return;
	}
	qsort(C->order, m->nagents, sizeof(C->order[0]), start_order);
	for (size_t k = 0; k < m->nagents; k++) {
		const struct agent *a = C->order[k];
		size_t i = (size_t)(a - m->agents);

		sipp_argv(C, a, i, s);
		C->apid[i] = proc_spawn(s->argv, s->outf, C->outdir);
		if (C->apid[i] < 0) {
			text_fmt(f->agents[i].error, sizeof(f->agents[i].error),
				 "fork: %s", strerror(errno));
			break;
		}
		f->agents[i].ran = true;
		if (a->role == ROLE_UAS &&
		    !wait_listen(C->ports[i], false, C->outdir, C->apid[i],
				 proc_now_ms() + 5000)) {
			/* it exited or never bound: its exit code says which */
			int rc = proc_wait(C->apid[i], proc_now_ms() + 2000);

			if (rc == -1) {
				text_fmt(f->agents[i].error, sizeof(f->agents[i].error),
					 "did not listen on 127.0.0.1:%d", C->ports[i]);
				f->agents[i].no_listen = true;
				proc_stop(C->apid[i], 500);
				C->apid[i] = -1;
			} else {
				f->agents[i].exit = rc;
				C->apid[i] = -1;
			}
			break;
		}
	}
	free(s);
}

/* A converged case: the HTTP steps start the calls and drive them, once
 * every agent is up. */
static void run_http(struct case_run *C)
{
	const struct target *t = C->t;
	struct facts *f = C->f;
	bool up = true;
	char base[300];

	for (size_t i = 0; i < C->m->nagents; i++)
		up &= C->apid[i] > 0;
	if (target_shared(t))
		text_fmt(base, sizeof(base), "%s", t->http_base);
	else
		text_fmt(base, sizeof(base), "http://127.0.0.1:%d", f->http_port);
	if (up && (target_shared(t) ? t->http_base[0] != '\0' : f->http_port > 0))
		http_steps_run(C->m, C->ports, base, C->outdir, C->deadline, f);
	else if (up)
		text_fmt(f->setup_error, sizeof(f->setup_error), "the target has no HTTP "
			 "side for the case's steps%s", t->kind == TARGET_REMOTE ?
			 " (give sstck run --http-base)" : "");
}

/* What each agent that ran left behind: its calls, what it received, its
 * state checks, its first error. */
static void read_agents(struct case_run *C)
{
	struct facts *f = C->f;
	const char *outdir = C->outdir;

	for (size_t i = 0; i < C->m->nagents; i++) {
		struct agent_facts *af = &f->agents[i];
		char path[1024];

		if (!af->ran)
			continue;
		text_fmt(path, sizeof(path), "%s/%s.stat.csv", outdir, af->name);
		sipp_stat(path, &af->calls_ok, &af->calls_failed);
		text_fmt(path, sizeof(path), "%s/%s.msg.log", outdir, af->name);
		af->received = sipp_received(path);
		if (f->state_header)
			sipp_expectations(outdir, af);
		if (!af->error[0]) {
			text_fmt(path, sizeof(path), "%s/%s.err.log", outdir, af->name);
			sipp_first_error(path, af->error, sizeof(af->error));
		}
		/* its screen output says why only when it failed; a passing
		 * agent's is its statistics table, no error */
		if (!af->error[0] && af->exit != 0) {
			text_fmt(path, sizeof(path), "%s/%s.out", outdir, af->name);
			sipp_first_error(path, af->error, sizeof(af->error));
		}
	}
}

/* The case as a capture, for Wireshark and sngrep: nothing to judge, so a
 * log it cannot use costs the case nothing. */
static void capture(struct case_run *C)
{
	const struct target *t = C->t;
	struct facts *f = C->f;
	struct pcap_agent pa[SSTCK_MAX_AGENTS];
	struct pcap_stats ps;
	size_t np = 0;
	char e[SSTCK_TEXT];

	for (size_t i = 0; i < f->nagents; i++)
		if (f->agents[i].ran) {
			pa[np].name = f->agents[i].name;
			pa[np++].port = C->ports[i];
		}
	f->pcap.written = !pcap_case(C->outdir, pa, np,
				     target_shared(t) ? t->host : "127.0.0.1",
				     target_shared(t) ? t->port : C->tport, &ps,
				     e, sizeof(e));
	f->pcap.packets = ps.packets;
	f->pcap.direct = ps.direct;
	f->pcap.skipped = ps.too_large + ps.malformed;
	f->pcap.missing = ps.missing;
	text_fmt(f->pcap.error, sizeof(f->pcap.error), "%s", e);
}

/* The target's trace, or a run's container's part of its own for the
 * case; the case's manifest beside its logs, so sstck check can judge
 * them again; then the oracle, when every agent ran. */
static void read_target(struct case_run *C)
{
	const struct target *t = C->t;
	const struct manifest *m = C->m;
	struct facts *f = C->f;
	const char *outdir = C->outdir;
	char src[1024], dst[1024], e[SSTCK_TEXT];
	bool all = f->nagents > 0;

	if (f->trace) {
		text_fmt(dst, sizeof(dst), "%s/trace.jsonl", outdir);
		read_trace(dst, f);
	}
	/* a container of the whole run: the case's part of its trace, once
	 * the container is done with the case's sessions (it says so with
	 * ss-ready or ss-invalidated, at once after its last message) */
	if (t->trace_file[0] && t->trace) {
		long long until = proc_now_ms() + KIT_SETTLE_MS;
		size_t events = 0, pending = 0;

		while (!kit_trace_slice(t->trace_file, m, outdir, &events, &pending) &&
		       pending && proc_now_ms() < until)
			usleep(100000);
		/* its figures, but no shutdown line: live_ss stays unknown */
		text_fmt(dst, sizeof(dst), "%s/trace.jsonl", outdir);
		read_trace(dst, f);
	}
	text_fmt(src, sizeof(src), "%s/case.ini", m->dir);
	text_fmt(dst, sizeof(dst), "%s/case.ini", outdir);
	(void)sipp_copy_file(src, dst, e, sizeof(e));
	text_fmt(e, sizeof(e), "%s shows no session state: no operations", t->name);
	write_fact(outdir, "target.nostate", t->state_header ? "" : e);
	text_fmt(e, sizeof(e), "%d", t->front_hops);
	write_fact(outdir, "target.hops", t->front_hops > 0 ? e : "");
	write_fact(outdir, "target.cf", t->cf);
	write_fact(outdir, "target.router", t->router);
	for (size_t i = 0; i < f->nagents; i++)
		all &= f->agents[i].ran && f->agents[i].received >= 0;
	if (all)
		runner_run_oracle(C->o->top, m, outdir, &f->oracle);
}

int runner_timeout(const struct run_opts *o, const struct manifest *m)
{
	return m && m->slow_s > o->timeout_s ? m->slow_s : o->timeout_s;
}

void runner_run_case(const struct run_opts *o, const struct manifest *m,
		     const char *merr, const char *outdir, struct facts *f,
		     struct judgement *j)
{
	const struct target *t = o->target;
	struct case_run *C = calloc(1, sizeof(*C));
	char why[SSTCK_TEXT];

	memset(f, 0, sizeof(*f));
	f->expect_derived = m ? m->expect_derived : -1;
	f->expect_fired = m ? m->expect_fired : -1;
	f->expect_expired = m ? m->expect_expired : -1;
	f->state_header = t->state_header;
	f->trace = t->trace && (t->kind == TARGET_REF || t->kind == TARGET_CMD);
	f->target_exit = -1;
	f->live_ss = f->derived = f->fired = f->expired = -1;
	text_fmt(f->target_desc, sizeof(f->target_desc), "%s", t->name);
	if (!C) {
		text_fmt(f->setup_error, sizeof(f->setup_error), "out of memory");
		goto judge;
	}
	*C = (struct case_run){ .o = o, .t = t, .m = m, .outdir = outdir, .f = f,
				.tpid = -1 };
	if (merr) {
		text_fmt(f->setup_error, sizeof(f->setup_error), "%s", merr);
		goto judge;
	}
	if (m->slow_s && !o->slow) {
		text_fmt(f->na_reason, sizeof(f->na_reason), "a case of the slow "
			 "group (up to %d s): sstck run --slow plays it", m->slow_s);
		f->skipped = true;
		goto judge;
	}
	if (!target_plays(t, m, why, sizeof(why))) {
		text_fmt(f->na_reason, sizeof(f->na_reason), "%s", why);
		goto judge;
	}
	if (prepare_agents(C))
		goto judge;
	if (target_shared(t)) {
		text_fmt(C->taddr, sizeof(C->taddr), "%s:%d", t->host, t->port);
	} else {
		C->tpid = start_target(o, m, C->args, outdir, &C->tport, f);
		if (C->tpid < 0)
			goto judge;
		f->target_started = true;
		text_fmt(C->taddr, sizeof(C->taddr), "127.0.0.1:%d", C->tport);
	}
	C->deadline = proc_now_ms() + (long long)runner_timeout(o, m) * 1000 + 3000;
	start_agents(C);
	if (m->nhttp)
		run_http(C);
	if (m->fo_agent[0])
		cluster_failover(o, m, outdir, C->apid, C->deadline, f);
	wait_agents(m, f, C->apid, C->deadline);
	if (C->tpid > 0)
		f->target_exit = proc_stop(C->tpid, t->kind == TARGET_CMD ? 15000 :
					   5000);
	if (t->kind != TARGET_REF && t->kind != TARGET_CMD)
		f->target_started = false;   /* only sstck-ref's exit code is judged */
	read_agents(C);
	capture(C);
	read_target(C);
judge:
	free(C);
	judge_facts(f, j);
}
