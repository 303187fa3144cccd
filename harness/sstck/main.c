/**
 * @file harness/sstck/main.c  runs SessionTCK's scenario cases against a
 * target and says, case by case and rule by rule, whether its sessions behave
 * as the SIP Servlet specification says.  See usage() and README.md.
 *
 * Each case runs in a child process heading a process group of its own;
 * the child sends its result back over a pipe and exits, and the parent
 * then kills whatever is left in the group.  Ctrl-C, a hung case and a
 * crashed runner all end the same way: kill(-group, SIGKILL).
 */
#define _GNU_SOURCE 1   /* nftw, pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report.h"
#include "oracle.h"
#include "sstck.h"

static const char usage_top[] =
"usage: sstck COMMAND [OPTIONS]\n"
"\n"
"SessionTCK's harness: SIPp scenario cases against a SIP target, judged\n"
"rule by rule (rule IDs: conformance/rules.tsv).\n"
"\n"
"commands:\n"
"  run     run cases against a target (the default: sstck-ref)\n"
"  list    list the cases with their rules\n"
"  show    print one case: its manifest and its scenario files\n"
"  check   judge the logs of a finished case again with the oracle\n"
"  report  write the HTML report of a finished run (run does it too)\n"
"  compare finished runs side by side (e.g. ref, kamailio and cipango)\n"
"  help    this text; COMMAND --help for each command's options\n"
"  --version  the version\n"
"\n"
"exit status: 0 when no case failed or erred, 1 when one did, 2 for a\n"
"usage error or a run that could not start, 130 for a run interrupted\n"
"(Ctrl-C, SIGTERM: the cases done so far are in the results).\n";

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
"                    the run; HOST:PORT: a target already running on\n"
"                    loopback, nothing started\n"
"  --observe state|wire\n"
"                    what the target shows: state (X-SS-State; the default\n"
"                    for ref and HOST:PORT) or wire only\n"
"  --http-base URL   HOST:PORT targets: their HTTP side for converged cases\n"
"                    (http://127.0.0.1:PORT/CONTEXT, the probe's context)\n"
"  --case GLOB       only cases matching GLOB (repeatable)\n"
"  --jobs N          cases at a time (default: the number of cores)\n"
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
"  -q, --quiet       no line per case, only the table\n"
"  -v, --verbose     the container's own log in each case's target.log\n";

static const char usage_list[] =
"usage: sstck list [--scenarios DIR] [--case GLOB] [GLOB...]\n"
"\n"
"Lists the cases, their application and their rule IDs; a case whose\n"
"manifest does not load is listed with the error.\n";

static const char usage_check[] =
"usage: sstck check DIR...\n"
"\n"
"Judges finished cases again with the oracle (conformance/oracle): DIR is\n"
"a case's folder (case.ini and AGENT.msg.log, trace.jsonl when the target\n"
"keeps one), or a folder holding such folders, as sstck run leaves them\n"
"under OUT/cases/.  Logs captured with another container can be judged\n"
"the same way.  Prints each finding with its rule ID; exit 1 when any.\n";

static const char usage_report[] =
"usage: sstck report DIR\n"
"\n"
"Writes DIR/index.html (the matrix of rules against cases, every rule in\n"
"plain words, every case with its ladder diagram) and DIR/summary.md from\n"
"the run whose results.json and cases/ are in DIR.\n";

static const char usage_compare[] =
"usage: sstck compare DIR DIR [DIR...] [--out FILE]\n"
"\n"
"Writes a page with two to eight finished runs side by side, case by case\n"
"and rule by rule, e.g. the reference, Kamailio and Cipango (default FILE:\n"
"the first DIR's compare.html).  Exit 1 when a case's verdict differs.\n";

static const char usage_show[] =
"usage: sstck show [--scenarios DIR] CASE\n"
"\n"
"Prints a case's manifest (case.ini): its rules, its HTTP steps for a\n"
"converged case, then each agent's SIPp scenario.\n";

#ifdef SSTCK_GCOV
void __gcov_dump(void);
/* A case runs in a child that leaves by _exit(): in a coverage build its
 * counters are written first. */
static void gcov_flush(void)
{
	__gcov_dump();
}
#else
static void gcov_flush(void)
{
}
#endif

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* --- where things are ------------------------------------------------- */

static char top[PATH_MAX - 64], exedir[PATH_MAX - 64];

static bool is_dir(const char *p)
{
	struct stat st;

	return !stat(p, &st) && S_ISDIR(st.st_mode);
}

/* The source tree: SSTCK_TOP, else the first parent of the binary that
 * holds scenarios/ and harness/targets/, else the current directory. */
static void find_top(void)
{
	char p[PATH_MAX + 32];
	const char *env = getenv("SSTCK_TOP");
	ssize_t n = readlink("/proc/self/exe", exedir, sizeof(exedir) - 1);

	exedir[n > 0 ? n : 0] = '\0';
	if (strrchr(exedir, '/'))
		*strrchr(exedir, '/') = '\0';
	if (env && *env) {
		snprintf(top, sizeof(top), "%s", env);
		return;
	}
	snprintf(top, sizeof(top), "%s", exedir);
	while (top[0]) {
		snprintf(p, sizeof(p), "%s/harness/targets", top);
		if (is_dir(p))
			return;
		char *s = strrchr(top, '/');

		if (!s)
			break;
		*s = '\0';
	}
	/* an installed sstck: PREFIX/bin/sstck, its data in PREFIX/share */
	text_fmt(top, sizeof(top), "%s/../share/sessiontck", exedir);
	snprintf(p, sizeof(p), "%s/harness/targets", top);
	if (is_dir(p))
		return;
	if (!getcwd(top, sizeof(top)))
		strcpy(top, ".");
}

/* --- the case library ------------------------------------------------- */

static char **names;
static size_t nnames;
static const char *scen_root;

static int on_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	size_t rl = strlen(scen_root), pl = strlen(path);

	(void)st;
	(void)ftw;
	if (flag != FTW_F || pl < 9 || strcmp(path + pl - 9, "/case.ini") ||
	    pl <= rl + 10)
		return 0;
	char **v = realloc(names, (nnames + 1) * sizeof(*v));

	if (!v)
		return -1;
	names = v;
	names[nnames] = strndup(path + rl + 1, pl - rl - 10);
	return names[nnames++] ? 0 : -1;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int discover(const char *root)
{
	scen_root = root;
	if (!is_dir(root)) {
		fprintf(stderr, "sstck: no case library at %s\n", root);
		return -1;
	}
	if (nftw(root, on_entry, 16, FTW_PHYS)) {
		fprintf(stderr, "sstck: cannot read %s: %s\n", root, strerror(errno));
		return -1;
	}
	qsort(names, nnames, sizeof(*names), by_name);
	return 0;
}

static bool selected(const char *name, char **globs, int nglobs)
{
	if (!nglobs)
		return true;
	for (int i = 0; i < nglobs; i++)
		if (!fnmatch(globs[i], name, 0) || !strcmp(globs[i], name))
			return true;
	return false;
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

/* A target already running must answer something to an OPTIONS within
 * three seconds, or no case is worth starting against it. */
static int preflight(const struct target *t, char *why, size_t whysz)
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

/* The HTTP side of a target must answer GET BASE/session (the observation
 * protocol's section 3) within three seconds, or no converged case is
 * worth its timeout.  BASE is http://127.0.0.1:PORT[/CONTEXT]. */
static int http_preflight(const char *base, char *why, size_t whysz)
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

/* --- running ---------------------------------------------------------- */

struct slot {
	pid_t pid;              /* the runner, head of the case's group */
	int fd;                 /* its result pipe */
	size_t idx;
	size_t got;
	struct case_result *buf; /* what has come through the pipe */
	long long started, deadline;
};

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

/* An exclude file, as a vendor keeps it beside their CI: a line per
 * exclusion, CASE-GLOB then the reason ("b2bua/reinvite  our B2BUA is not
 * deployed in this lab"); # starts a comment.  An excluded case is not
 * run and is reported not applicable, with the file, line and reason. */
struct exclusions {
	struct { char glob[128], why[SSTCK_TEXT]; } *v;
	size_t n;
};

static int exclusions_load(struct exclusions *x, const char *path, char *err,
			   size_t errsz)
{
	FILE *fp = fopen(path, "r");
	char line[1024];
	int no = 0;

	if (!fp) {
		text_fmt(err, errsz, "--exclude %s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp)) {
		char *p = line, *g, *why;

		no++;
		line[strcspn(line, "\r\n")] = '\0';
		p += strspn(p, " \t");
		if (!*p || *p == '#')
			continue;
		g = p;
		p += strcspn(p, " \t");
		why = p + strspn(p, " \t");
		if (!*p || !*why || p - g >= 128) {
			text_fmt(err, errsz, "%s:%d: expected a case (or glob) and the reason "
				 "it is excluded", path, no);
			fclose(fp);
			return -1;
		}
		*p = '\0';
		void *v = realloc(x->v, (x->n + 1) * sizeof(*x->v));

		if (!v) {
			fclose(fp);
			text_fmt(err, errsz, "out of memory");
			return -1;
		}
		x->v = v;
		text_fmt(x->v[x->n].glob, sizeof(x->v[0].glob), "%s", g);
		text_fmt(x->v[x->n].why, sizeof(x->v[0].why), "excluded by %s:%d: %s",
			 path, no, why);
		x->n++;
	}
	fclose(fp);
	return 0;
}

static const char *exclusions_match(const struct exclusions *x, const char *name)
{
	for (size_t i = 0; i < x->n; i++)
		if (!fnmatch(x->v[i].glob, name, 0))
			return x->v[i].why;
	return NULL;
}

static void exclusions_free(struct exclusions *x)
{
	free(x->v);
	x->v = NULL;
	x->n = 0;
}

static void run_free(struct ruleset *rs, struct case_result *res,
		     struct slot *slots, int jobs)
{
	rules_free(rs);
	free(res);
	for (int k = 0; slots && k < jobs; k++)
		free(slots[k].buf);
	free(slots);
}

static int cmd_run(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "target", required_argument, NULL, 't' },
		{ "observe", required_argument, NULL, 'o' },
		{ "http-base", required_argument, NULL, 'H' },
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
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *tspec = "ref", *observe = NULL, *outdir = "reports/out",
		   *http_base = NULL,
		   *sipp = "sipp";
	char *globs[64], scen[PATH_MAX], ref_bin[PATH_MAX], err[SSTCK_TEXT],
	     path[PATH_MAX + 64], rpath[PATH_MAX], probe[PATH_MAX];
	int nglobs = 0, jobs = (int)sysconf(_SC_NPROCESSORS_ONLN), timeout_s = 20, ch;
	char *rule_ids[16];
	int nrule_ids = 0, repeat = 1;
	const char *exclude = NULL;
	bool quiet = false, verbose = false, tty = isatty(2);
	struct ruleset rs;
	struct target t;
	struct case_result *res;
	struct slot *slots;
	size_t n = 0, next = 0, done = 0, running = 0;
	long long t0 = proc_now_ms();
	long count[SSTCK_NVERDICTS] = { 0 };

	snprintf(scen, sizeof(scen), "%s/scenarios", top);
	snprintf(ref_bin, sizeof(ref_bin), "%s/sstck-ref", exedir);
	snprintf(probe, sizeof(probe), "%s/../probe/sessiontck-probe.sar", exedir);
	if (access(probe, R_OK))        /* an installed one's */
		snprintf(probe, sizeof(probe), "%s/probe/sessiontck-probe.sar", top);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "qvh", lo, NULL)) != -1) {
		char *end;

		switch (ch) {
		case 't': tspec = optarg; break;
		case 'o': observe = optarg; break;
		case 'H': http_base = optarg; break;
		case 'c':
			if (nglobs < 64)
				globs[nglobs++] = optarg;
			break;
		case 'j':
			jobs = (int)strtol(optarg, &end, 10);
			if (*end || jobs < 1 || jobs > 64) {
				fprintf(stderr, "sstck run: --jobs takes 1-64, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'O': outdir = optarg; break;
		case 'T':
			timeout_s = (int)strtol(optarg, &end, 10);
			if (*end || timeout_s < 1 || timeout_s > 3600) {
				fprintf(stderr, "sstck run: --timeout takes 1-3600 seconds, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 's': snprintf(scen, sizeof(scen), "%s", optarg); break;
		case 'r': snprintf(ref_bin, sizeof(ref_bin), "%s", optarg); break;
		case 'S': sipp = optarg; break;
		case 'P': snprintf(probe, sizeof(probe), "%s", optarg); break;
		case 'R':
			if (nrule_ids < 16)
				rule_ids[nrule_ids++] = optarg;
			break;
		case 'X': exclude = optarg; break;
		case 'N':
			repeat = (int)strtol(optarg, &end, 10);
			if (*end || repeat < 1 || repeat > 100) {
				fprintf(stderr, "sstck run: --repeat takes 1-100, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'q': quiet = true; break;
		case 'v': verbose = true; break;
		case 'h': fputs(usage_run, stdout); return 0;
		default:
			fputs("sstck run: see sstck run --help\n", stderr);
			return 2;
		}
	}
	for (; optind < argc && nglobs < 64; optind++)
		globs[nglobs++] = argv[optind];
	if (jobs < 1)
		jobs = 1;

	if (target_open(&t, tspec, top, observe, err, sizeof(err))) {
		fprintf(stderr, "sstck: %s\n", err);
		return 2;
	}
	if (http_base) {
		size_t hl = strlen(http_base);

		if (t.kind != TARGET_REMOTE || hl >= sizeof(t.http_base) ||
		    (strncmp(http_base, "http://127.0.0.1:", 17) &&
		     strncmp(http_base, "http://[::1]:", 13) &&
		     strncmp(http_base, "http://localhost:", 17))) {
			fprintf(stderr, "sstck run: --http-base takes a loopback URL "
				"(http://127.0.0.1:PORT/CONTEXT) with a HOST:PORT target\n");
			return 2;
		}
		snprintf(t.http_base, sizeof(t.http_base), "%.*s", (int)hl -
			 (http_base[hl - 1] == '/'), http_base);
	}
	if (!on_path(sipp)) {
		fprintf(stderr, "sstck: %s not found: install SIPp (Debian package "
			"sip-tester; harness/setup-deps installs it) or give --sipp PATH\n",
			sipp);
		return 2;
	}
	if (t.kind == TARGET_REF && access(ref_bin, X_OK)) {
		fprintf(stderr, "sstck: no sstck-ref at %s (run make, or give --ref PATH)\n",
			ref_bin);
		return 2;
	}
	if (t.kind == TARGET_KAMAILIO && !on_path("kamailio")) {
		fprintf(stderr, "sstck: kamailio not found (Debian package kamailio; "
			"harness/setup-deps installs it)\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/conformance/rules.tsv", top);
	if (rules_load(&rs, path, err, sizeof(err))) {
		fprintf(stderr, "sstck: %s\n", err);
		return 2;
	}
	if (!realpath(ref_bin, rpath))
		snprintf(rpath, sizeof(rpath), "%s", ref_bin);
	if (discover(scen)) {
		rules_free(&rs);
		return 2;
	}
	struct exclusions ex = { 0 };

	if (exclude && exclusions_load(&ex, exclude, err, sizeof(err))) {
		fprintf(stderr, "sstck run: %s\n", err);
		rules_free(&rs);
		return 2;
	}
	res = calloc(nnames ? nnames * (size_t)repeat : 1, sizeof(*res));
	slots = calloc((size_t)jobs, sizeof(*slots));
	for (int k = 0; slots && k < jobs; k++)
		if (!(slots[k].buf = malloc(sizeof(struct case_result))))
			slots = NULL;
	if (!res || !slots) {
		fprintf(stderr, "sstck: out of memory\n");
		exit(2);
	}
	for (int k = 0; k < repeat; k++)
		for (size_t i = 0; i < nnames; i++) {
			struct case_result *r = &res[n];
			char dir[PATH_MAX + 256];
			const char *why;

			if (!selected(names[i], globs, nglobs))
				continue;
			snprintf(dir, sizeof(dir), "%s/%s", scen, names[i]);
			r->loaded = !manifest_load(&r->m, dir, names[i], &rs, r->j.reason,
						   sizeof(r->j.reason));
			if (nrule_ids && !(r->loaded && has_rule(&r->m, rule_ids, nrule_ids))) {
				memset(r, 0, sizeof(*r));
				continue;
			}
			/* --repeat: each run of a case a result of its own */
			if (repeat > 1)
				text_fmt(r->m.name, sizeof(r->m.name), "%s#%d", names[i], k + 1);
			else
				text_fmt(r->m.name, sizeof(r->m.name), "%s", names[i]);
			if ((why = exclusions_match(&ex, names[i])))
				text_fmt(r->excluded, sizeof(r->excluded), "%s", why);
			r->seconds = -1;
			n++;
		}
	exclusions_free(&ex);
	if (!n || mkdirs(outdir)) {
		if (!n)
			fprintf(stderr, "sstck: no case under %s matches\n", scen);
		else
			fprintf(stderr, "sstck: cannot create %s: %s\n", outdir, strerror(errno));
		run_free(&rs, res, slots, jobs);
		return 2;
	}
	/* SIPp runs in each case's folder: every path it gets is absolute */
	char outabs[PATH_MAX];

	if (!realpath(outdir, outabs))
		snprintf(outabs, sizeof(outabs), "%s", outdir);
	char preflight_err[SSTCK_TEXT] = "";

	char perr[256];

	if (t.kind == TARGET_KIT) {
		char logdir[PATH_MAX + 16];

		text_fmt(logdir, sizeof(logdir), "%s/target", outabs);
		err[0] = '\0';
		if (mkdirs(logdir) || kit_start(&t, top, probe, logdir, err, sizeof(err))) {
			if (!err[0])
				text_fmt(err, sizeof(err), "cannot create %s", logdir);
			fprintf(stderr, "sstck: %s\n", err);
			run_free(&rs, res, slots, jobs);
			return 2;
		}
		atexit(kit_stop);
	}
	if (target_shared(&t) && preflight(&t, perr, sizeof(perr)))
		snprintf(preflight_err, sizeof(preflight_err), "target %s: %s", t.name, perr);
	/* its HTTP side, for the converged cases only */
	char http_err[SSTCK_TEXT] = "";

	if (!preflight_err[0] && target_shared(&t) && t.http_base[0] &&
	    http_preflight(t.http_base, perr, sizeof(perr)))
		text_fmt(http_err, sizeof(http_err), "target %s's HTTP side: %s", t.name, perr);

	struct run_opts o = { top, rpath, sipp, &t, timeout_s, verbose };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	printf("sstck: %zu cases against %s (%s), %d at a time, timeout %d s\n",
	       n, t.name, t.summary, jobs, timeout_s);
	if (preflight_err[0])
		printf("sstck: %s\n", preflight_err);
	if (http_err[0])
		printf("sstck: %s: every converged case is an error\n", http_err);
	fflush(stdout);

	while (done < n) {
		/* start what fits */
		while (!interrupted && next < n && running < (size_t)jobs) {
			struct case_result *r = &res[next];
			struct slot *s = NULL;
			int pfd[2];

			for (int k = 0; k < jobs; k++)
				if (!slots[k].pid)
					s = &slots[k];
			if (r->excluded[0]) {          /* the user's exclusion: not run */
				memset(&r->f, 0, sizeof(r->f));
				text_fmt(r->f.na_reason, sizeof(r->f.na_reason), "%s", r->excluded);
				judge_facts(&r->f, &r->j);
				r->seconds = 0;
				finish_rules(r, &rs, &t);
				next++;
				done++;
				continue;
			}
			text_fmt(r->out, sizeof(r->out), "%s/cases/%s", outabs, r->m.name);
			nftw(r->out, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
			if (mkdirs(r->out) || pipe2(pfd, O_CLOEXEC)) {
				text_fmt(r->f.setup_error, sizeof(r->f.setup_error),
					 "cannot create %s: %s", r->out, strerror(errno));
				judge_facts(&r->f, &r->j);
				r->seconds = 0;
				next++;
				done++;
				continue;
			}
			s->idx = next++;
			s->got = 0;
			s->fd = pfd[0];
			s->started = proc_now_ms();
			s->deadline = s->started + (long long)timeout_s * 1000 + 20000;
			s->pid = fork();
			if (s->pid == 0) {
				struct case_result out = *r;
				const char *e = NULL;

				close(pfd[0]);
				proc_port_block((unsigned)s->idx);
				setpgid(0, 0);
				prctl(PR_SET_PDEATHSIG, SIGKILL);
				signal(SIGINT, SIG_DFL);
				signal(SIGTERM, SIG_DFL);
				signal(SIGHUP, SIG_DFL);
				if (preflight_err[0])
					e = preflight_err;
				else if (http_err[0] && r->loaded && r->m.nhttp)
					e = http_err;
				else if (!r->loaded)
					e = r->j.reason;
				runner_run_case(&o, r->loaded ? &r->m : &out.m, e, r->out,
						&out.f, &out.j);
				const char *p = (const char *)&out;
				size_t left = sizeof(out);

				while (left) {
					ssize_t w = write(pfd[1], p, left);

					if (w <= 0 && errno != EINTR)
						_exit(3);
					if (w > 0) {
						p += w;
						left -= (size_t)w;
					}
				}
				gcov_flush();
				_exit(0);
			}
			close(pfd[1]);
			if (s->pid < 0) {
				close(pfd[0]);
				s->pid = 0;
				snprintf(r->f.setup_error, sizeof(r->f.setup_error),
					 "fork: %s", strerror(errno));
				judge_facts(&r->f, &r->j);
				r->seconds = 0;
				done++;
				continue;
			}
			setpgid(s->pid, s->pid);
			running++;
		}
		progress(res, n, done, running, tty && !quiet);
		if (interrupted) {
			for (int k = 0; k < jobs; k++)
				if (slots[k].pid)
					proc_kill_group(slots[k].pid);
		}
		if (!running) {
			/* interrupted before starting the rest */
			for (; next < n; next++, done++) {
				res[next].f.interrupted = true;
				judge_facts(&res[next].f, &res[next].j);
				res[next].seconds = 0;
			}
			break;
		}

		/* wait for results */
		struct pollfd pf[64];
		int np = 0;

		for (int k = 0; k < jobs; k++)
			if (slots[k].pid) {
				pf[np].fd = slots[k].fd;
				pf[np].events = POLLIN;
				pf[np].revents = 0;
				np++;
			}
		poll(pf, (nfds_t)np, 200);
		for (int k = 0; k < jobs; k++) {
			struct slot *s = &slots[k];
			struct case_result *r;
			bool ended = false;

			if (!s->pid)
				continue;
			r = &res[s->idx];
			for (;;) {
				ssize_t got;
				struct pollfd q = { s->fd, POLLIN, 0 };

				if (poll(&q, 1, 0) <= 0)
					break;
				got = read(s->fd, (char *)s->buf + s->got,
					   sizeof(*s->buf) - s->got);
				if (got <= 0) {
					ended = true;
					if (s->got == sizeof(*s->buf)) {
						r->f = s->buf->f;
						r->j = s->buf->j;
					}
					break;
				}
				s->got += (size_t)got;
			}
			if (!ended && !interrupted && proc_now_ms() < s->deadline)
				continue;
			if (!ended || s->got != sizeof(struct case_result)) {
				memset(&r->f, 0, sizeof(r->f));
				if (interrupted)
					r->f.interrupted = true;
				else
					snprintf(r->f.setup_error, sizeof(r->f.setup_error),
						 proc_now_ms() >= s->deadline ?
						 "the case did not end %d s after its timeout: killed" :
						 "the case's runner died", 20);
				judge_facts(&r->f, &r->j);
			}
			proc_kill_group(s->pid);
			waitpid(s->pid, NULL, 0);
			proc_kill_group(s->pid);
			close(s->fd);
			s->pid = 0;
			running--;
			done++;
			r->seconds = (double)(proc_now_ms() - s->started) / 1000.0;
			finish_rules(r, &rs, &t);
			/* a target of the whole run that no longer answers:
			 * every case not yet started is an error at once, not a
			 * timeout each */
			if (r->j.verdict != V_PASSED && target_shared(&t) &&
			    !preflight_err[0] && next < n) {
				if (t.kind == TARGET_KIT && !kit_running())
					text_fmt(preflight_err, sizeof(preflight_err),
						 "target %s exited during the run (see its log "
						 "in %s/target/)", t.name, outdir);
				else if (preflight(&t, perr, sizeof(perr)))
					text_fmt(preflight_err, sizeof(preflight_err), "target "
						 "%s stopped answering during the run: %s",
						 t.name, perr);
				if (preflight_err[0]) {
					/* the case it died in is no verdict either */
					r->j.verdict = V_ERROR;
					text_fmt(r->j.reason, sizeof(r->j.reason), "%s (during "
						 "this case)", preflight_err);
					finish_rules(r, &rs, &t);
					if (!quiet)
						printf("sstck: %s\n", preflight_err);
				}
			}
			if (!quiet) {
				if (tty)
					fprintf(stderr, "\r\033[K");
				printf("[%2zu/%zu] %-14s %s (%.1f s)%s%s\n", done, n,
				       results_verdict_word(r), r->m.name, r->seconds,
				       r->j.verdict == V_PASSED ? "" : ": ",
				       r->j.verdict == V_PASSED ? "" : r->j.reason);
				fflush(stdout);
			}
		}
	}
	if (tty && !quiet)
		fprintf(stderr, "\r\033[K");
	for (size_t i = 0; i < n; i++) {
		if (res[i].seconds < 0)
			res[i].seconds = 0;
		if (!res[i].m.nrules || res[i].f.interrupted || !res[i].loaded)
			finish_rules(&res[i], &rs, &t);
		count[res[i].j.verdict]++;
	}
	double secs = (double)(proc_now_ms() - t0) / 1000.0;

	printf("\n");
	results_table(stdout, res, n);
	snprintf(path, sizeof(path), "%s/results.json", outdir);
	if (results_json(path, &t, res, n, secs))
		fprintf(stderr, "sstck: cannot write %s\n", path);
	snprintf(path, sizeof(path), "%s/junit.xml", outdir);
	if (results_junit(path, &t, res, n, secs))
		fprintf(stderr, "sstck: cannot write %s\n", path);
	printf("\nsstck: %zu cases against %s in %.1f s: %ld passed, %ld failed, "
	       "%ld not observable, %ld error", n, t.name, secs, count[V_PASSED],
	       count[V_FAILED], count[V_NOTOBS], count[V_ERROR]);
	if (count[V_NA])
		printf(", %ld not applicable", count[V_NA]);
	printf("\n");
	printf("sstck: results in %s/results.json and %s/junit.xml; logs in %s/cases/\n",
	       outdir, outdir, outdir);
	if (report_write(outdir, top, path, sizeof(path)))
		fprintf(stderr, "sstck: no report: %s\n", path);
	else
		printf("sstck: report %s/index.html (summary.md beside it)\n", outdir);
	run_free(&rs, res, slots, jobs);
	kit_stop();
	if (interrupted)
		return 130;
	return count[V_FAILED] || count[V_ERROR] ? 1 : 0;
}

/* Which rules the wire can show (W, W*) of the sections the scenarios
 * are for (2 states, 6 derived sessions, 9 proxy, 10 B2BUA, 13 the
 * examples) have a case, and which have none. */
/* Every rule: judged against a target by a case, through the API
 * operations only, or by no case (the unit suite's alone, or no one's). */
static void judged_by_cases(const struct ruleset *rs, const char *scen)
{
	char err[SSTCK_TEXT], dir[PATH_MAX + 256], none[8192] = "";
	size_t wire = 0, ops = 0, l = 0;

	for (size_t i = 0; i < rs->n; i++) {
		bool by_case = false, by_op = false;

		for (size_t c = 0; c < nnames; c++) {
			struct manifest m;

			snprintf(dir, sizeof(dir), "%s/%s", scen, names[c]);
			if (manifest_load(&m, dir, names[c], NULL, err, sizeof(err)))
				continue;
			for (size_t k = 0; k < m.nrules; k++)
				if (!strcmp(m.rules[k], rs->v[i].id)) {
					by_op |= m.rule_by_op[k];
					by_case |= !m.rule_by_op[k];
				}
		}
		if (by_case)
			wire++;
		else if (by_op)
			ops++;
		else if (l < sizeof(none) - 32)
			l += snprintf(none + l, sizeof(none) - l, " %s", rs->v[i].id);
	}
	printf("rules a case judges against a target: %zu/%zu (%zu on the wire "
	       "and X-SS-State, %zu through the API operations alone)\n",
	       wire + ops, rs->n, wire, ops);
	if (none[0])
		printf("judged by no case (the unit suite's alone, or no one's):%s\n",
		       none);
}

static void coverage(const struct ruleset *rs, const char *scen)
{
	static const int sections[] = { 2, 6, 9, 10, 13 };
	char err[SSTCK_TEXT], dir[PATH_MAX + 256], none[4096] = "";
	size_t want = 0, have = 0, l = 0;

	for (size_t i = 0; i < rs->n; i++) {
		const struct rule *r = &rs->v[i];
		bool in = false, found = false;

		for (size_t k = 0; k < sizeof(sections) / sizeof(sections[0]); k++)
			in |= r->section == sections[k];
		if (!in || r->obs == OBS_STATE)
			continue;
		want++;
		for (size_t c = 0; c < nnames && !found; c++) {
			struct manifest m;

			snprintf(dir, sizeof(dir), "%s/%s", scen, names[c]);
			if (manifest_load(&m, dir, names[c], NULL, err, sizeof(err)))
				continue;
			for (size_t k = 0; k < m.nrules; k++)
				found |= !strcmp(m.rules[k], r->id);
		}
		if (found)
			have++;
		else if (l < sizeof(none) - 32)
			l += snprintf(none + l, sizeof(none) - l, " %s", r->id);
	}
	printf("W and W* rules of sections 2, 6, 9, 10 and 13 with a case: "
	       "%zu/%zu\n", have, want);
	if (none[0])
		printf("without a case:%s\n", none);
	judged_by_cases(rs, scen);
}

static int cmd_list(int argc, char **argv, bool show)
{
	static const struct option lo[] = {
		{ "scenarios", required_argument, NULL, 's' },
		{ "case", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char scen[PATH_MAX], err[SSTCK_TEXT], path[PATH_MAX + 64], *globs[64];
	int nglobs = 0, ch, bad = 0;
	size_t shown = 0;
	struct ruleset rs;

	snprintf(scen, sizeof(scen), "%s/scenarios", top);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (ch) {
		case 's': snprintf(scen, sizeof(scen), "%s", optarg); break;
		case 'c':
			if (nglobs < 64)
				globs[nglobs++] = optarg;
			break;
		case 'h': fputs(show ? usage_show : usage_list, stdout); return 0;
		default: fputs(show ? usage_show : usage_list, stderr); return 2;
		}
	}
	for (; optind < argc && nglobs < 64; optind++)
		globs[nglobs++] = argv[optind];
	if (show && nglobs != 1) {
		fputs(usage_show, stderr);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/conformance/rules.tsv", top);
	if (rules_load(&rs, path, err, sizeof(err))) {
		fprintf(stderr, "sstck: %s\n", err);
		return 2;
	}
	if (discover(scen))
		return 2;
	for (size_t i = 0; i < nnames; i++) {
		struct manifest m;
		char dir[PATH_MAX + 256];

		if (show ? strcmp(names[i], globs[0]) : !selected(names[i], globs, nglobs))
			continue;
		shown++;
		snprintf(dir, sizeof(dir), "%s/%s", scen, names[i]);
		if (manifest_load(&m, dir, names[i], &rs, err, sizeof(err))) {
			printf("%-34s ERROR %s\n", names[i], err);
			bad++;
			continue;
		}
		if (!show) {
			printf("%-34s %-8s", m.name, m.app);
			for (size_t k = 0; k < m.nrules; k++)
				printf(" %s", m.rules[k]);
			printf("\n");
			continue;
		}
		printf("%s: %s\napplication %s%s%s; transport %s\nrules:\n", m.name,
		       m.summary, m.app, m.args[0] ? " " : "", m.args, m.tcp ? "tcp" : "udp");
		for (size_t k = 0; k < m.nrules; k++) {
			const struct rule *r = rules_find(&rs, m.rules[k]);

			printf("  %-14s %-2s %s\n", r->id, r->obs == OBS_WIRE ? "W" :
			       r->obs == OBS_WIRE_STAR ? "W*" : "P", r->summary);
		}
		/* a converged case's HTTP steps, in the order they run */
		for (size_t k = 0; k < m.nhttp; k++) {
			const struct http_step *h = &m.http[k];

			if (!k)
				printf("\nHTTP steps:\n");
			printf("  %s: %s %s", h->name, h->method, h->path);
			if (h->body[0])
				printf(" %s", h->body);
			if (h->status)
				printf(" -> %d", h->status);
			else
				printf(" -> 2xx");
			if (h->until_s)
				printf(" (polled for %d s)", h->until_s);
			if (h->no_cookie)
				printf(" (no cookie)");
			printf("\n");
			for (size_t e = 0; e < h->nexpect; e++)
				printf("      expect %s\n", h->expect[e]);
			for (size_t e = 0; e < h->nsave; e++)
				printf("      save %s\n", h->save[e]);
		}
		for (size_t k = 0; k < m.nagents; k++) {
			char sp[PATH_MAX + 512];
			FILE *fp;
			char line[1024];

			printf("\n== agent %s (%s, start %d): %s\n", m.agents[k].name,
			       m.agents[k].role == ROLE_UAC ? "uac" : "uas",
			       m.agents[k].start, m.agents[k].scenario);
			snprintf(sp, sizeof(sp), "%s/%s", dir, m.agents[k].scenario);
			fp = fopen(sp, "r");
			while (fp && fgets(line, sizeof(line), fp))
				fputs(line, stdout);
			if (fp)
				fclose(fp);
		}
	}
	if (!show && !nglobs)
		coverage(&rs, scen);
	rules_free(&rs);
	if (!shown) {
		fprintf(stderr, "sstck: no case %s under %s\n",
			show ? globs[0] : "matches", scen);
		return 2;
	}
	if (!show)
		printf("%zu cases\n", shown);
	return bad ? 1 : 0;
}

static int check_one(const char *dir, size_t *nfind)
{
	struct manifest m;
	struct oracle_facts *o = calloc(1, sizeof(*o));
	char err[SSTCK_TEXT];

	if (!o)
		return -1;
	if (manifest_load(&m, dir, dir, NULL, err, sizeof(err))) {
		/* the scenarios are not beside the logs: only the agents count */
		if (!strstr(err, "scenario")) {
			printf("%s: ERROR %s\n", dir, err);
			free(o);
			return -1;
		}
	}
	runner_run_oracle(top, &m, dir, o);
	if (!o->ran) {
		printf("%s: ERROR %s\n", dir, o->error);
		free(o);
		return -1;
	}
	printf("%s: %zu messages, %zu X-SS-State values, %zu trace events, "
	       "%zu wire rules, %zu operations: %zu finding%s\n", dir, o->messages,
	       o->state_checks, o->trace_events, o->wire_checks, o->op_checks, o->n,
	       o->n == 1 ? "" : "s");
	for (size_t i = 0; i < o->n && i < SSTCK_MAX_FINDINGS; i++)
		printf("  %-12s %s\n  %-12s at %s\n", o->f[i].rule, o->f[i].text, "",
		       o->f[i].where);
	if (o->unparsed)
		printf("  %-12s %zu message%s libosip2 cannot parse, the first at %s\n",
		       "ERROR", o->unparsed, o->unparsed == 1 ? "" : "s",
		       o->first_unparsed);
	*nfind += o->n + o->unparsed;
	free(o);
	return 0;
}

static int on_case_ini(const char *path, const struct stat *st, int flag,
		       struct FTW *ftw)
{
	size_t l = strlen(path);

	(void)st;
	(void)ftw;
	if (flag == FTW_F && l > 9 && !strcmp(path + l - 9, "/case.ini")) {
		char **v = realloc(names, (nnames + 1) * sizeof(*v));

		if (!v)
			return -1;
		names = v;
		names[nnames] = strndup(path, l - 9);
		nnames += names[nnames] != NULL;
	}
	return 0;
}

static int cmd_check(int argc, char **argv)
{
	size_t nfind = 0;
	int errors = 0;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage_check, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (int i = 1; i < argc; i++) {
		size_t before = nnames;

		if (!is_dir(argv[i])) {
			fprintf(stderr, "sstck check: %s is not a folder\n", argv[i]);
			return 2;
		}
		nftw(argv[i], on_case_ini, 16, FTW_PHYS);
		if (nnames == before) {
			fprintf(stderr, "sstck check: no case.ini under %s\n", argv[i]);
			return 2;
		}
	}
	qsort(names, nnames, sizeof(*names), by_name);
	for (size_t i = 0; i < nnames; i++)
		errors += check_one(names[i], &nfind) < 0;
	printf("sstck check: %zu case%s, %zu finding%s, %d not judged\n", nnames,
	       nnames == 1 ? "" : "s", nfind, nfind == 1 ? "" : "s", errors);
	return nfind || errors ? 1 : 0;
}

static int cmd_report(int argc, char **argv)
{
	char err[SSTCK_TEXT];

	if (argc != 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage_report, argc != 2 ? stderr : stdout);
		return argc != 2 ? 2 : 0;
	}
	if (report_write(argv[1], top, err, sizeof(err))) {
		fprintf(stderr, "sstck report: %s\n", err);
		return 2;
	}
	printf("sstck report: %s/index.html\n", argv[1]);
	return 0;
}

static int cmd_compare(int argc, char **argv)
{
	char err[SSTCK_TEXT], file[PATH_MAX];
	const char *dirs[SSTCK_MAX_COMPARE], *out = NULL;
	int nd = 0, rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage_compare, stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--out") && i + 1 < argc)
			out = argv[++i];
		else if (nd < SSTCK_MAX_COMPARE && argv[i][0] != '-')
			dirs[nd++] = argv[i];
		else {
			fputs(usage_compare, stderr);
			return 2;
		}
	}
	if (nd < 2) {
		fputs(usage_compare, stderr);
		return 2;
	}
	snprintf(file, sizeof(file), "%s/compare.html", dirs[0]);
	rc = report_compare(dirs, (size_t)nd, out ? out : file, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "sstck compare: %s\n", err);
		return 2;
	}
	printf("sstck compare: %s (%d runs; %d case%s differ)\n", out ? out : file, nd,
	       rc, rc == 1 ? "" : "s");
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	find_top();
	if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		fputs(usage_top, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("sstck %s\n", SSTCK_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "list"))
		return cmd_list(argc - 1, argv + 1, false);
	if (!strcmp(argv[1], "show"))
		return cmd_list(argc - 1, argv + 1, true);
	if (!strcmp(argv[1], "check"))
		return cmd_check(argc - 1, argv + 1);
	if (!strcmp(argv[1], "report"))
		return cmd_report(argc - 1, argv + 1);
	if (!strcmp(argv[1], "compare"))
		return cmd_compare(argc - 1, argv + 1);
	fprintf(stderr, "sstck: unknown command '%s'\n\n%s", argv[1], usage_top);
	return 2;
}
