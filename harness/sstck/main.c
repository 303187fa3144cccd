/**
 * @file harness/sstck/main.c  runs SessionTCK's scenario cases against a
 * target and says, case by case and rule by rule, whether its sessions behave
 * as the SIP Servlet specification says.  See usage_top and README.md.
 *
 * This file finds the tree and the case library and dispatches the
 * commands; run is cmd_run.c's (its cases in pool.c's job pool), list and
 * show cmd_list.c's, and check, report and compare are here.
 */
#define _GNU_SOURCE 1   /* nftw */
#include <errno.h>
#include <fnmatch.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "report.h"
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

int sstck_discover(const char *root, char ***namesp, size_t *np)
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
	*namesp = names;
	*np = nnames;
	return 0;
}

bool sstck_selected(const char *name, char **globs, int nglobs)
{
	if (!nglobs)
		return true;
	for (int i = 0; i < nglobs; i++)
		if (!fnmatch(globs[i], name, 0) || !strcmp(globs[i], name))
			return true;
	return false;
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
		return sstck_cmd_run(argc - 1, argv + 1, top, exedir);
	if (!strcmp(argv[1], "list"))
		return sstck_cmd_list(argc - 1, argv + 1, false, top);
	if (!strcmp(argv[1], "show"))
		return sstck_cmd_list(argc - 1, argv + 1, true, top);
	if (!strcmp(argv[1], "check"))
		return cmd_check(argc - 1, argv + 1);
	if (!strcmp(argv[1], "report"))
		return cmd_report(argc - 1, argv + 1);
	if (!strcmp(argv[1], "compare"))
		return cmd_compare(argc - 1, argv + 1);
	fprintf(stderr, "sstck: unknown command '%s'\n\n%s", argv[1], usage_top);
	return 2;
}
