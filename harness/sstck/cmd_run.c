/**
 * @file harness/sstck/cmd_run.c  sstck run: the options, the cases they
 * select, the target's pre-flight, the cases in pool.c's job pool (each
 * in its own child and process group, runner.c's runner_run_case), each
 * case's rules, then the table, results.json, junit.xml and the report.
 */
#define _GNU_SOURCE 1   /* nftw */
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "oracle.h"
#include "report.h"
#include "sstck.h"

static const char usage_run[] =
"usage: sstck run [OPTIONS] [GLOB...]\n"
"\n"
"Runs every case (or those whose name matches a GLOB, e.g. 'proxy/*')\n"
"against the target and writes OUT/results.json, OUT/junit.xml and each\n"
"case's logs under OUT/cases/, then the report: OUT/index.html and\n"
"OUT/summary.md.\n"
"\n"
"  --target T        ref (default): sstck-ref, started per case with the\n"
"                    case's application; kamailio: Kamailio started per case\n"
"                    from harness/kamailio/; cipango: Cipango 3.0.2 with the\n"
"                    probe, built once from its kit (../shared/targets/cipango\n"
"                    or $CIPANGO_KIT) into build/cipango and started once for\n"
"                    the run; ref-cluster: Redis, two sstck-ref nodes and\n"
"                    Kamailio in front, started per case (the dist cases);\n"
"                    HOST:PORT: a target already running on loopback,\n"
"                    nothing started\n"
"  --observe state|wire\n"
"                    what the target shows: state (X-SS-State; the default\n"
"                    for ref and HOST:PORT) or wire only\n"
"  --fail-cmd CMD    how to fail one node of the target (a cluster): run by\n"
"                    /bin/sh at a failover case's failover point, with\n"
"                    SSTCK_CALL_ID (the call's Call-ID), SSTCK_CASE_DIR and\n"
"                    SSTCK_FAILOVER (kill: the node dies; stop: it is shut\n"
"                    down) in its environment; it must return once the node\n"
"                    is gone.\n"
"                    Without it (or the target's fail =) failover cases are\n"
"                    not applicable\n"
"  --front-hops N    the proxies of the target's own in front of it (a\n"
"                    cluster's front, as a HOST:PORT target's: 1), each\n"
"                    crossed in and out by a call; the oracle allows for\n"
"                    their Vias, hops and Record-Routes (0-8; default the\n"
"                    target's front-hops =, or 0)\n"
"  --http-base URL   HOST:PORT targets: their HTTP side for converged cases\n"
"                    (http://127.0.0.1:PORT/CONTEXT, the probe's context)\n"
"  --router REGION:WHO\n"
"                    HOST:PORT targets: what their application router\n"
"                    answers for an initial request (ORIGINATING,\n"
"                    TERMINATING or NEUTRAL, and the subscriber URI: the\n"
"                    request's from, to, or none); a case that compares a\n"
"                    session's getRegion and getSubscriberURI with it is\n"
"                    not applicable without it\n"
"  --second-app USER HOST:PORT targets: the Request-URI user their\n"
"                    application router gives a second application (the\n"
"                    probe deployed twice); a case with two applications\n"
"                    is not applicable without it\n"
"  --interfaces LIST HOST:PORT targets: the loopback addresses they send\n"
"                    from beside their own (SipSession.setOutboundInterface,\n"
"                    SS-11), space-separated; a case that needs one they\n"
"                    lack is not applicable\n"
"  --case GLOB       only cases matching GLOB (repeatable)\n"
"  --jobs N          cases at a time (default: 1 with --fail-cmd and a target\n"
"                    of the whole run; else four times the number of\n"
"                    cores when each case starts its own target, as ref\n"
"                    and kamailio do, since a case mostly waits on its\n"
"                    scenario's pauses; the number of cores against a\n"
"                    target of the whole run)\n"
"  --out DIR         where results go (default: reports/out)\n"
"  --timeout S       seconds a case may take (default: 20)\n"
"  --scenarios DIR   the case library (default: scenarios/ of this tree)\n"
"  --ref PATH        the sstck-ref binary (default: beside sstck)\n"
"  --rule ID         only the cases that check rule ID (repeatable)\n"
"  --exclude FILE    cases not to run, a line each: CASE-GLOB REASON;\n"
"                    reported not applicable with the reason\n"
"  --repeat N        run each case N times (CASE#1 ... CASE#N), to hunt a\n"
"                    flaky one\n"
"  --probe PATH      the probe a kit's container deploys (default:\n"
"                    ../probe/sessiontck-probe.sar beside sstck; make probe)\n"
"  --sipp PATH       the SIPp binary (default: sipp on PATH)\n"
"  --slow            the slow group too: cases that wait minutes (setExpires,\n"
"                    expiry); without it they are reported skipped\n"
"  -q, --quiet       no line per case, only the table\n"
"  -v, --verbose     the container's own log in each case's target.log\n";



static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}


/* --- housekeeping ----------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int mkdirs(const char *path)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s", path);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			if (mkdir(p, 0755) && errno != EEXIST)
				return -1;
			*s = '/';
		}
	return mkdir(p, 0755) && errno != EEXIST ? -1 : 0;
}

static bool on_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	if (strchr(prog, '/'))
		return !access(prog, X_OK);
	for (const char *p = path ? path : "/usr/bin:/bin"; p && *p;) {
		const char *e = strchr(p, ':');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)l, p, prog);
		if (!access(buf, X_OK))
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

/* --- running ---------------------------------------------------------- */

static void finish_rules(struct case_result *r, const struct ruleset *rs,
			 const struct target *t)
{
	bool any = false, by_oracle = r->j.verdict == V_FAILED &&
		r->f.oracle.n && r->f.oracle.n <= SSTCK_MAX_FINDINGS;

	/* a case failed by the oracle's findings alone (and the scenario's
	 * X-SS-State expectations it re-judged) fails the rules they name
	 * (added to the case's when it does not list them), and the others,
	 * judged and found holding, pass; any other failure fails every rule
	 * of the case */
	/* a scenario's X-SS-State expectation that failed is a value the
	 * oracle re-read and judged too: its findings say which rule */
	for (size_t i = 0; by_oracle && i < r->j.nchecks; i++)
		if ((r->j.checks[i].outcome == V_FAILED ||
		     r->j.checks[i].outcome == V_ERROR) &&
		    strcmp(r->j.checks[i].name, "oracle") &&
		    !(r->j.checks[i].outcome == V_FAILED &&
		      !strncmp(r->j.checks[i].name, "X-SS-State", 10)))
			by_oracle = false;
	for (size_t i = 0; by_oracle && i < r->f.oracle.n; i++) {
		bool listed = false;

		for (size_t k = 0; k < r->m.nrules; k++)
			listed |= !strcmp(r->m.rules[k], r->f.oracle.f[i].rule);
		if (!listed && r->m.nrules < SSTCK_MAX_RULES &&
		    rules_find(rs, r->f.oracle.f[i].rule))
			text_fmt(r->m.rules[r->m.nrules++], sizeof(r->m.rules[0]), "%s",
				 r->f.oracle.f[i].rule);
	}
	for (size_t k = 0; k < r->m.nrules; k++) {
		const struct rule *ru = rules_find(rs, r->m.rules[k]);
		enum verdict v = r->j.verdict;

		if (by_oracle) {
			v = V_PASSED;
			for (size_t i = 0; i < r->f.oracle.n; i++)
				if (!strcmp(r->m.rules[k], r->f.oracle.f[i].rule))
					v = V_FAILED;
		}
		/* a rule only operations judge, none of whose results this
		 * target could show */
		if (v == V_PASSED && r->m.rule_by_op[k] &&
		    oracle_word_in(r->f.oracle.op_unobs_rules, r->m.rules[k]) &&
		    !oracle_word_in(r->f.oracle.op_judged_rules, r->m.rules[k]))
			v = V_NOTOBS;
		/* one node at a time (DIST-02), the activation listeners
		 * (DIST-12), activation not creation (DIST-14), a replica not
		 * a passivation (DIST-15): only a cluster's trace, which
		 * names the node of each event, shows them (the oracle's
		 * trace.c); a cluster that keeps none showed nothing of them */
		if (v == V_PASSED && !r->f.oracle.node_trace &&
		    oracle_word_in("DIST-02 DIST-12 DIST-14 DIST-15", r->m.rules[k]))
			v = V_NOTOBS;
		/* a non-RR proxy's session never ready (CF-03): only a trace
		 * that ends with its target's shutdown says "never"; an
		 * application session's HTTP sessions (CF-15): only a trace
		 * that shows them (Cipango's probe writes neither) */
		if (v == V_PASSED &&
		    ((!strcmp(r->m.rules[k], "CF-03") && !r->f.oracle.trace_shutdown) ||
		     (!strcmp(r->m.rules[k], "CF-15") && !r->f.oracle.http_trace)))
			v = V_NOTOBS;
		r->rule_v[k] = judge_rule_verdict(v, ru ? ru->obs : OBS_STATE,
						  t->state_header);
		any |= r->rule_v[k] != V_NOTOBS;
	}
	/* a case none of whose rules the target can show passes nothing */
	if (r->j.verdict == V_PASSED && r->m.nrules && !any) {
		r->j.verdict = V_NOTOBS;
		snprintf(r->j.reason, sizeof(r->j.reason),
			 "every rule of the case needs session state, which %s does "
			 "not show (the wire checks held)", t->name);
	}
}

static void progress(const struct case_result *rs, size_t n, size_t done,
		     size_t running, bool tty)
{
	long c[SSTCK_NVERDICTS] = { 0 };

	if (!tty)
		return;
	for (size_t i = 0; i < n; i++)
		if (rs[i].out[0] && rs[i].seconds >= 0)
			c[rs[i].j.verdict]++;
	fprintf(stderr, "\r\033[K[%zu/%zu] %zu running | %ld passed, %ld failed, "
		"%ld not observable, %ld error", done, n, running, c[0], c[1], c[2], c[3]);
	fflush(stderr);
}

/* Whether M checks one of the rules IDS. */
static bool has_rule(const struct manifest *m, char **ids, int n)
{
	for (size_t k = 0; k < m->nrules; k++)
		for (int i = 0; i < n; i++)
			if (!strcmp(m->rules[k], ids[i]))
				return true;
	return false;
}

/* What a run is: its options, then what it reads, runs and keeps. */
struct run {
	const char *top, *tspec, *observe, *outdir, *http_base, *sipp, *exclude;
	const char *fail_cmd;
	const char *interfaces;    /* --interfaces: a HOST:PORT target's (SS-11) */
	const char *router;        /* --router: its application router's (SS-09) */
	const char *second_app;    /* --second-app: its second application's */
	char *globs[64], *rule_ids[16];
	int nglobs, nrule_ids, jobs, timeout_s, repeat, front_hops;
	bool slow;
	bool quiet, verbose, tty;
	char scen[PATH_MAX], ref_bin[PATH_MAX], rpath[PATH_MAX],
	     probe[PATH_MAX], outabs[PATH_MAX];
	struct ruleset rs;
	struct target t;
	struct run_opts o;
	char **names;
	size_t nnames;
	struct case_result *res;
	size_t *order;             /* res's indices in the order they start */
	size_t n, next, done;
	struct pool *pool;
	/* a shared target that does not answer (before the run or during
	 * it), its HTTP side that does not: each case an error at once */
	char preflight_err[SSTCK_TEXT], http_err[SSTCK_TEXT];
};

static void run_free(struct run *R)
{
	rules_free(&R->rs);
	free(R->res);
	free(R->order);
	pool_free(R->pool);
}

/* OPT's number ARG, LO to HI (UNIT), into *OUT; -1 with a line on stderr. */
static int int_arg(const char *arg, const char *opt, int lo, int hi,
		   const char *unit, int *out)
{
	char *end;

	*out = (int)strtol(arg, &end, 10);
	if (*end || *out < lo || *out > hi) {
		fprintf(stderr, "sstck run: %s takes %d-%d%s, not '%s'\n", opt, lo, hi,
			unit, arg);
		return -1;
	}
	return 0;
}

/* sstck run's options into R: -1 to go on, else the exit status. */
static int run_options(struct run *R, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "target", required_argument, NULL, 't' },
		{ "observe", required_argument, NULL, 'o' },
		{ "http-base", required_argument, NULL, 'H' },
		{ "fail-cmd", required_argument, NULL, 'F' },
		{ "front-hops", required_argument, NULL, 'W' },
		{ "interfaces", required_argument, NULL, 'I' },
		{ "router", required_argument, NULL, 'A' },
		{ "second-app", required_argument, NULL, 'B' },
		{ "case", required_argument, NULL, 'c' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "out", required_argument, NULL, 'O' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "scenarios", required_argument, NULL, 's' },
		{ "ref", required_argument, NULL, 'r' },
		{ "sipp", required_argument, NULL, 'S' },
		{ "probe", required_argument, NULL, 'P' },
		{ "rule", required_argument, NULL, 'R' },
		{ "exclude", required_argument, NULL, 'X' },
		{ "repeat", required_argument, NULL, 'N' },
		{ "slow", no_argument, NULL, 'L' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "qvh", lo, NULL)) != -1) {
		switch (ch) {
		case 't': R->tspec = optarg; break;
		case 'o': R->observe = optarg; break;
		case 'H': R->http_base = optarg; break;
		case 'F': R->fail_cmd = optarg; break;
		case 'W':
			if (int_arg(optarg, "--front-hops", 0, 8, "", &R->front_hops))
				return 2;
			break;
		case 'I': R->interfaces = optarg; break;
		case 'A': R->router = optarg; break;
		case 'B': R->second_app = optarg; break;
		case 'c':
			if (R->nglobs < 64)
				R->globs[R->nglobs++] = optarg;
			break;
		case 'j':
			if (int_arg(optarg, "--jobs", 1, 64, "", &R->jobs))
				return 2;
			break;
		case 'O': R->outdir = optarg; break;
		case 'T':
			if (int_arg(optarg, "--timeout", 1, 3600, " seconds", &R->timeout_s))
				return 2;
			break;
		case 's': snprintf(R->scen, sizeof(R->scen), "%s", optarg); break;
		case 'r': snprintf(R->ref_bin, sizeof(R->ref_bin), "%s", optarg); break;
		case 'S': R->sipp = optarg; break;
		case 'P': snprintf(R->probe, sizeof(R->probe), "%s", optarg); break;
		case 'R':
			if (R->nrule_ids < 16)
				R->rule_ids[R->nrule_ids++] = optarg;
			break;
		case 'X': R->exclude = optarg; break;
		case 'N':
			if (int_arg(optarg, "--repeat", 1, 100, "", &R->repeat))
				return 2;
			break;
		case 'L': R->slow = true; break;
		case 'q': R->quiet = true; break;
		case 'v': R->verbose = true; break;
		case 'h': fputs(usage_run, stdout); return 0;
		default:
			fputs("sstck run: see sstck run --help\n", stderr);
			return 2;
		}
	}
	for (; optind < argc && R->nglobs < 64; optind++)
		R->globs[R->nglobs++] = argv[optind];
	return -1;
}

/* --jobs when not given: the cores, four times over for targets started per
 * case (their cases wait far more than they compute), at most 64. */
static int default_jobs(const struct target *t)
{
	/* a cluster of the whole run whose nodes the cases fail: one case
	 * at a time, or two would fail nodes under each other's calls */
	if (target_shared(t) && t->fail_cmd[0])
		return 1;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	long jobs = cores < 1 ? 1 : target_shared(t) || t->kind == TARGET_CMD ?
		    cores : 4 * cores;

	return jobs > 64 ? 64 : (int)jobs;
}

/* What a HOST:PORT target's description would say, given as @opt (@val,
 * or NULL; @ok: well formed), into @dst: 0, or -1 said. */
static int remote_fact(const struct target *t, const char *opt, const char *what,
		       const char *val, bool ok, char *dst, size_t sz)
{
	if (!val)
		return 0;
	if (t->kind != TARGET_REMOTE || !ok || strlen(val) >= sz) {
		fprintf(stderr, "sstck run: %s takes %s with a HOST:PORT target\n",
			opt, what);
		return -1;
	}
	snprintf(dst, sz, "%s", val);
	return 0;
}

/* The target, the tools, the rules and the case library: 0, or 2 with a
 * line on stderr. */
static int run_setup(struct run *R)
{
	struct target *t = &R->t;
	char err[SSTCK_TEXT], path[PATH_MAX + 64];

	if (target_open(t, R->tspec, R->top, R->observe, err, sizeof(err))) {
		fprintf(stderr, "sstck: %s\n", err);
		return 2;
	}
	if (R->fail_cmd) {
		if (!R->fail_cmd[0] || strlen(R->fail_cmd) >= sizeof(t->fail_cmd)) {
			fprintf(stderr, "sstck run: --fail-cmd takes a command (at most "
				"%zu characters)\n", sizeof(t->fail_cmd) - 1);
			return 2;
		}
		snprintf(t->fail_cmd, sizeof(t->fail_cmd), "%s", R->fail_cmd);
	}
	if (R->front_hops >= 0)
		t->front_hops = R->front_hops;
	if (remote_fact(t, "--interfaces", "loopback addresses", R->interfaces, true,
			t->interfaces, sizeof(t->interfaces)) ||
	    remote_fact(t, "--second-app", "a Request-URI user", R->second_app,
			R->second_app && R->second_app[0] &&
			!R->second_app[strcspn(R->second_app, " @:;")],
			t->second_app, sizeof(t->second_app)) ||
	    remote_fact(t, "--router", "REGION:from, REGION:to or REGION:none",
			R->router, R->router && strchr(R->router, ':') &&
			oracle_word_in("from to none", strchr(R->router, ':') + 1),
			t->router, sizeof(t->router)))
		return 2;
	if (!R->jobs)
		R->jobs = default_jobs(t);
	if (R->http_base) {
		const char *hb = R->http_base;
		size_t hl = strlen(hb);

		if (t->kind != TARGET_REMOTE || hl >= sizeof(t->http_base) ||
		    (strncmp(hb, "http://127.0.0.1:", 17) &&
		     strncmp(hb, "http://[::1]:", 13) &&
		     strncmp(hb, "http://localhost:", 17))) {
			fprintf(stderr, "sstck run: --http-base takes a loopback URL "
				"(http://127.0.0.1:PORT/CONTEXT) with a HOST:PORT target\n");
			return 2;
		}
		snprintf(t->http_base, sizeof(t->http_base), "%.*s", (int)hl -
			 (hb[hl - 1] == '/'), hb);
	}
	if (!on_path(R->sipp)) {
		fprintf(stderr, "sstck: %s not found: install SIPp (Debian package "
			"sip-tester; harness/setup-deps installs it) or give --sipp PATH\n",
			R->sipp);
		return 2;
	}
	if (t->kind == TARGET_REF && access(R->ref_bin, X_OK)) {
		fprintf(stderr, "sstck: no sstck-ref at %s (run make, or give --ref PATH)\n",
			R->ref_bin);
		return 2;
	}
	if (t->kind == TARGET_CMD) {
		char prog[PATH_MAX], *sp;

		/* its program: the command's first word, {top} this tree */
		snprintf(prog, sizeof(prog), "%s%s", strncmp(t->command, "{top}", 5) ?
			 "" : R->top, t->command + (strncmp(t->command, "{top}", 5) ?
						    0 : 5));
		if ((sp = strchr(prog, ' ')))
			*sp = '\0';
		if (access(prog, X_OK)) {
			fprintf(stderr, "sstck: target %s: cannot run %s: %s\n",
				t->name, prog, strerror(errno));
			return 2;
		}
		if (access(R->ref_bin, X_OK)) {
			fprintf(stderr, "sstck: no sstck-ref at %s (run make, or give "
				"--ref PATH)\n", R->ref_bin);
			return 2;
		}
	}
	if (t->kind == TARGET_KAMAILIO && !on_path("kamailio")) {
		fprintf(stderr, "sstck: kamailio not found (Debian package kamailio; "
			"harness/setup-deps installs it)\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/conformance/rules.tsv", R->top);
	if (rules_load(&R->rs, path, err, sizeof(err))) {
		fprintf(stderr, "sstck: %s\n", err);
		return 2;
	}
	if (!realpath(R->ref_bin, R->rpath))
		snprintf(R->rpath, sizeof(R->rpath), "%s", R->ref_bin);
	if (sstck_discover(R->scen, &R->names, &R->nnames)) {
		rules_free(&R->rs);
		return 2;
	}
	return 0;
}

/* The cases that wait longest of themselves start first (the longest
 * processing time first).  Eight at a time on 2 cores, the 104 cases'
 * own time is about 4.5 s of wall time, less than the longest case's
 * 5.5 s: started in its turn by name it ended the run alone (8.0 s, and
 * 5.6 s started first).  The results keep the cases' own order. */
struct waits { long ms; size_t ix; };

static int by_waits(const void *a, const void *b)
{
	const struct waits *x = a, *y = b;

	if (x->ms != y->ms)
		return x->ms < y->ms ? 1 : -1;
	return x->ix < y->ix ? -1 : x->ix > y->ix;
}

static void run_order(struct run *R)
{
	struct waits *w = calloc(R->n ? R->n : 1, sizeof(*w));

	R->order = calloc(R->n ? R->n : 1, sizeof(*R->order));
	if (!R->order || !w) {
		fprintf(stderr, "sstck: out of memory\n");
		exit(2);
	}
	for (size_t i = 0; i < R->n; i++)
		w[i] = (struct waits){ R->res[i].loaded ?
				       manifest_waits_ms(&R->res[i].m) : 0, i };
	qsort(w, R->n, sizeof(*w), by_waits);
	for (size_t i = 0; i < R->n; i++)
		R->order[i] = w[i].ix;
	free(w);
}

/* The cases to run, into R->res: those the globs and --rule select,
 * each --repeat times, with their exclusions.  0, or 2 with a line on
 * stderr. */
static int run_select(struct run *R)
{
	struct exclusions ex = { 0 };
	char err[SSTCK_TEXT];

	if (R->exclude && exclusions_load(&ex, R->exclude, err, sizeof(err))) {
		fprintf(stderr, "sstck run: %s\n", err);
		rules_free(&R->rs);
		return 2;
	}
	R->res = calloc(R->nnames ? R->nnames * (size_t)R->repeat : 1,
			sizeof(*R->res));
	R->pool = pool_alloc(R->jobs, sizeof(struct case_result));
	if (!R->res || !R->pool) {
		fprintf(stderr, "sstck: out of memory\n");
		exit(2);
	}
	for (int k = 0; k < R->repeat; k++)
		for (size_t i = 0; i < R->nnames; i++) {
			struct case_result *r = &R->res[R->n];
			const char *name = R->names[i], *why;
			char dir[PATH_MAX + 256];

			if (!sstck_selected(name, R->globs, R->nglobs))
				continue;
			snprintf(dir, sizeof(dir), "%s/%s", R->scen, name);
			r->loaded = !manifest_load(&r->m, dir, name, &R->rs, r->j.reason,
						   sizeof(r->j.reason));
			if (R->nrule_ids &&
			    !(r->loaded && has_rule(&r->m, R->rule_ids, R->nrule_ids))) {
				memset(r, 0, sizeof(*r));
				continue;
			}
			/* --repeat: each run of a case a result of its own */
			if (R->repeat > 1)
				text_fmt(r->m.name, sizeof(r->m.name), "%s#%d", name, k + 1);
			else
				text_fmt(r->m.name, sizeof(r->m.name), "%s", name);
			if ((why = exclusions_match(&ex, name)))
				text_fmt(r->excluded, sizeof(r->excluded), "%s", why);
			r->seconds = -1;
			R->n++;
		}
	exclusions_free(&ex);
	run_order(R);
	if (!R->n || mkdirs(R->outdir)) {
		if (!R->n)
			fprintf(stderr, "sstck: no case under %s matches\n", R->scen);
		else
			fprintf(stderr, "sstck: cannot create %s: %s\n", R->outdir,
				strerror(errno));
		run_free(R);
		return 2;
	}
	return 0;
}

/* A target of the whole run: a kit's started, then whether it and its
 * HTTP side answer.  0, or 2 with a line on stderr. */
static int run_target(struct run *R)
{
	struct target *t = &R->t;
	char err[SSTCK_TEXT], perr[256];

	/* SIPp runs in each case's folder: every path it gets is absolute */
	if (!realpath(R->outdir, R->outabs))
		snprintf(R->outabs, sizeof(R->outabs), "%s", R->outdir);
	if (t->kind == TARGET_KIT) {
		char logdir[PATH_MAX + 16];

		text_fmt(logdir, sizeof(logdir), "%s/target", R->outabs);
		err[0] = '\0';
		if (mkdirs(logdir) ||
		    kit_start(t, R->top, R->probe, logdir, err, sizeof(err))) {
			if (!err[0])
				text_fmt(err, sizeof(err), "cannot create %s", logdir);
			fprintf(stderr, "sstck: %s\n", err);
			run_free(R);
			return 2;
		}
		atexit(kit_stop);
	}
	if (target_shared(t) && target_preflight(t, perr, sizeof(perr)))
		snprintf(R->preflight_err, sizeof(R->preflight_err), "target %s: %s",
			 t->name, perr);
	/* its HTTP side, for the converged cases only */
	if (!R->preflight_err[0] && target_shared(t) && t->http_base[0] &&
	    target_http_preflight(t->http_base, perr, sizeof(perr)))
		text_fmt(R->http_err, sizeof(R->http_err), "target %s's HTTP side: %s",
			 t->name, perr);
	return 0;
}

/* In the case's child (pool.c): the case, its result into RESULT. */
static void run_job(size_t idx, void *result, void *arg)
{
	struct run *R = arg;
	struct case_result *r = &R->res[idx], *out = result;
	const char *e = NULL;

	*out = *r;
	proc_port_block((unsigned)idx);
	if (R->preflight_err[0])
		e = R->preflight_err;
	else if (R->http_err[0] && r->loaded && r->m.nhttp)
		e = R->http_err;
	else if (!r->loaded)
		e = r->j.reason;
	runner_run_case(&R->o, r->loaded ? &r->m : &out->m, e, r->out,
			&out->f, &out->j);
}

/* Starts the next case, or settles it at once: one the user excluded,
 * one whose folder or child cannot be made. */
static void run_start_next(struct run *R)
{
	size_t ix = R->order[R->next];
	struct case_result *r = &R->res[ix];
	char err[SSTCK_TEXT];

	if (r->excluded[0]) {          /* the user's exclusion: not run */
		memset(&r->f, 0, sizeof(r->f));
		text_fmt(r->f.na_reason, sizeof(r->f.na_reason), "%s", r->excluded);
		judge_facts(&r->f, &r->j);
		r->seconds = 0;
		finish_rules(r, &R->rs, &R->t);
		R->next++;
		R->done++;
		return;
	}
	text_fmt(r->out, sizeof(r->out), "%s/cases/%s", R->outabs, r->m.name);
	nftw(r->out, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (mkdirs(r->out)) {
		text_fmt(r->f.setup_error, sizeof(r->f.setup_error),
			 "cannot create %s: %s", r->out, strerror(errno));
		judge_facts(&r->f, &r->j);
		r->seconds = 0;
		R->next++;
		R->done++;
		return;
	}
	/* the pool kills what is left of it 20 s after its own timeout */
	if (pool_start(R->pool, ix, proc_now_ms() +
		       (long long)runner_timeout(&R->o, &r->m) * 1000 + 20000, run_job, R, err,
		       sizeof(err))) {
		text_fmt(r->f.setup_error, sizeof(r->f.setup_error), "%s", err);
		judge_facts(&r->f, &r->j);
		r->seconds = 0;
		R->next++;
		R->done++;
		return;
	}
	R->next++;
}

/* After a case that did not pass against a target of the whole run:
 * whether the target is still there.  When it is not, every case not yet
 * started is an error at once, not a timeout each, and so is R. */
static void run_check_target(struct run *R, struct case_result *r)
{
	const struct target *t = &R->t;
	char perr[256];

	if (r->j.verdict == V_PASSED || !target_shared(t) ||
	    R->preflight_err[0] || R->next >= R->n)
		return;
	if (t->kind == TARGET_KIT && !kit_running())
		text_fmt(R->preflight_err, sizeof(R->preflight_err),
			 "target %s exited during the run (see its log in %s/target/)",
			 t->name, R->outdir);
	else if (target_preflight(t, perr, sizeof(perr)))
		text_fmt(R->preflight_err, sizeof(R->preflight_err), "target %s "
			 "stopped answering during the run: %s", t->name, perr);
	if (R->preflight_err[0]) {
		/* the case it died in is no verdict either */
		r->j.verdict = V_ERROR;
		text_fmt(r->j.reason, sizeof(r->j.reason), "%s (during this case)",
			 R->preflight_err);
		finish_rules(r, &R->rs, &R->t);
		if (!R->quiet)
			printf("sstck: %s\n", R->preflight_err);
	}
}

/* A case's child is gone (pool.c): its result, its rules, its line. */
static void run_ended(size_t idx, const void *result, enum pool_end how,
		      double seconds, void *arg)
{
	struct run *R = arg;
	struct case_result *r = &R->res[idx];

	if (result) {
		r->f = ((const struct case_result *)result)->f;
		r->j = ((const struct case_result *)result)->j;
	} else {
		memset(&r->f, 0, sizeof(r->f));
		if (how == POOL_INTERRUPTED)
			r->f.interrupted = true;
		else
			snprintf(r->f.setup_error, sizeof(r->f.setup_error),
				 how == POOL_LATE ?
				 "the case did not end %d s after its timeout: killed" :
				 "the case's runner died", 20);
		judge_facts(&r->f, &r->j);
	}
	R->done++;
	r->seconds = seconds;
	finish_rules(r, &R->rs, &R->t);
	run_check_target(R, r);
	if (!R->quiet) {
		if (R->tty)
			fprintf(stderr, "\r\033[K");
		printf("[%2zu/%zu] %-14s %s (%.1f s)%s%s\n", R->done, R->n,
		       results_verdict_word(r), r->m.name, r->seconds,
		       r->j.verdict == V_PASSED ? "" : ": ",
		       r->j.verdict == V_PASSED ? "" : r->j.reason);
		fflush(stdout);
	}
}

/* Every case, R->jobs at a time, until done or interrupted. */
static void run_schedule(struct run *R)
{
	while (R->done < R->n) {
		/* start what fits */
		while (!interrupted && R->next < R->n && !pool_full(R->pool))
			run_start_next(R);
		progress(R->res, R->n, R->done, pool_running(R->pool),
			 R->tty && !R->quiet);
		if (interrupted)
			pool_kill(R->pool);
		if (!pool_running(R->pool)) {
			/* interrupted before starting the rest */
			for (; R->next < R->n; R->next++, R->done++) {
				struct case_result *r = &R->res[R->order[R->next]];

				r->f.interrupted = true;
				judge_facts(&r->f, &r->j);
				r->seconds = 0;
			}
			break;
		}
		/* wait for results */
		pool_wait(R->pool, 200, interrupted, run_ended, R);
	}
	if (R->tty && !R->quiet)
		fprintf(stderr, "\r\033[K");
}

/* The table, results.json, junit.xml and the report.  The exit status. */
static int run_write(struct run *R, double secs)
{
	long count[SSTCK_NVERDICTS] = { 0 };
	const char *outdir = R->outdir;
	char path[PATH_MAX + 64];

	for (size_t i = 0; i < R->n; i++) {
		struct case_result *r = &R->res[i];

		if (r->seconds < 0)
			r->seconds = 0;
		if (!r->m.nrules || r->f.interrupted || !r->loaded)
			finish_rules(r, &R->rs, &R->t);
		count[r->j.verdict]++;
	}
	printf("\n");
	results_table(stdout, R->res, R->n);
	snprintf(path, sizeof(path), "%s/results.json", outdir);
	if (results_json(path, &R->t, R->res, R->n, secs))
		fprintf(stderr, "sstck: cannot write %s\n", path);
	snprintf(path, sizeof(path), "%s/junit.xml", outdir);
	if (results_junit(path, &R->t, R->res, R->n, secs))
		fprintf(stderr, "sstck: cannot write %s\n", path);
	printf("\nsstck: %zu cases against %s in %.1f s: %ld passed, %ld failed, "
	       "%ld not observable, %ld error", R->n, R->t.name, secs,
	       count[V_PASSED], count[V_FAILED], count[V_NOTOBS], count[V_ERROR]);
	if (count[V_NA])
		printf(", %ld not applicable", count[V_NA]);
	if (count[V_SKIPPED])
		printf(", %ld skipped (the slow group: sstck run --slow)", count[V_SKIPPED]);
	printf("\n");
	printf("sstck: results in %s/results.json and %s/junit.xml; logs in %s/cases/\n",
	       outdir, outdir, outdir);
	if (report_write(outdir, R->top, path, sizeof(path)))
		fprintf(stderr, "sstck: no report: %s\n", path);
	else
		printf("sstck: report %s/index.html (summary.md beside it)\n", outdir);
	run_free(R);
	kit_stop();
	if (interrupted)
		return 130;
	return count[V_FAILED] || count[V_ERROR] ? 1 : 0;
}

int sstck_cmd_run(int argc, char **argv, const char *top, const char *exedir)
{
	static struct run run;
	struct run *R = &run;
	long long t0 = proc_now_ms();
	struct sigaction sa;
	int rc;

	memset(R, 0, sizeof(*R));
	R->top = top;
	R->tspec = "ref";
	R->outdir = "reports/out";
	R->sipp = "sipp";
	R->timeout_s = 20;
	R->repeat = 1;
	R->front_hops = -1;                /* the target's, or 0 */
	R->tty = isatty(2);
	snprintf(R->scen, sizeof(R->scen), "%s/scenarios", top);
	snprintf(R->ref_bin, sizeof(R->ref_bin), "%s/sstck-ref", exedir);
	snprintf(R->probe, sizeof(R->probe), "%s/../probe/sessiontck-probe.sar", exedir);
	if (access(R->probe, R_OK))        /* an installed one's */
		snprintf(R->probe, sizeof(R->probe), "%s/probe/sessiontck-probe.sar", top);
	if ((rc = run_options(R, argc, argv)) >= 0 || (rc = run_setup(R)) ||
	    (rc = run_select(R)) || (rc = run_target(R)))
		return rc;

	R->o = (struct run_opts){ top, R->rpath, R->sipp, &R->t, R->timeout_s,
				  R->verbose, R->slow };
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	printf("sstck: %zu cases against %s (%s), %d at a time, timeout %d s\n",
	       R->n, R->t.name, R->t.summary, R->jobs, R->timeout_s);
	if (R->preflight_err[0])
		printf("sstck: %s\n", R->preflight_err);
	if (R->http_err[0])
		printf("sstck: %s: every converged case is an error\n", R->http_err);
	fflush(stdout);
	run_schedule(R);
	return run_write(R, (double)(proc_now_ms() - t0) / 1000.0);
}
