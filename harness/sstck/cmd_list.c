/**
 * @file harness/sstck/cmd_list.c  sstck list and sstck show: the case
 * library, each case with its rules, and which rules a case judges.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "report.h"
#include "sstck.h"

static const char usage_list[] =
"usage: sstck list [--scenarios DIR] [--case GLOB] [GLOB...]\n"
"\n"
"Lists the cases, their application and their rule IDs; a case whose\n"
"manifest does not load is listed with the error.\n";


static const char usage_show[] =
"usage: sstck show [--scenarios DIR] CASE\n"
"\n"
"Prints a case's manifest (case.ini): its rules, its HTTP steps for a\n"
"converged case, then each agent's SIPp scenario.\n";


/* Why no target can show rule ID, from TOP's conformance/unjudged.tsv
 * ("ID<TAB>REASON" lines) into BUF; false when it gives no reason. */
static bool unjudged_reason(const char *top, const char *id, char *buf, size_t sz)
{
	char path[PATH_MAX + 64], line[2048];
	size_t n = strlen(id);
	bool found = false;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/conformance/unjudged.tsv", top);
	if (!(fp = fopen(path, "r")))
		return false;
	while (!found && fgets(line, sizeof(line), fp))
		if (!strncmp(line, id, n) && line[n] == '\t') {
			line[strcspn(line, "\n")] = '\0';
			snprintf(buf, sz, "%s", line + n + 1);
			found = true;
		}
	fclose(fp);
	return found;
}

/* Whether case NAME (of the library's NAMES) judges a rule of RULES (a
 * space-separated list). */
static bool case_judges(const char *scen, char **names, size_t nnames,
			const char *name, const char *rules)
{
	char err[SSTCK_TEXT], dir[PATH_MAX + 256], buf[256], *save = NULL;
	struct manifest m;
	size_t c;

	for (c = 0; c < nnames && strcmp(names[c], name); c++)
		;
	snprintf(dir, sizeof(dir), "%s/%s", scen, name);
	if (c == nnames || manifest_load(&m, dir, name, NULL, err, sizeof(err)))
		return false;
	snprintf(buf, sizeof(buf), "%s", rules);
	for (char *r = strtok_r(buf, " ", &save); r; r = strtok_r(NULL, " ", &save))
		for (size_t k = 0; k < m.nrules; k++)
			if (!strcmp(m.rules[k], r))
				return true;
	return false;
}

/* The official JSR 289 TCK's spec assertions on the session classes,
 * each beside its rules and the cases that show it; the number of
 * inconsistent lines (a case named that is not in the library or judges
 * none of the assertion's rules). */
static int tck_assertions(const char *top, const char *scen, char **names,
			  size_t nnames)
{
	struct tck_row *v;
	size_t n, k[3] = { 0 };
	int bad = 0;

	if (report_tck_load(top, &v, &n))
		return 0;
	for (size_t i = 0; i < n; i++)
		k[!strcmp(v[i].coverage, "case") ? 0 : !strcmp(v[i].coverage, "partly") ? 1 : 2]++;
	printf("JSR 289 TCK spec assertions on the session classes: %zu of %zu shown by "
	       "a case, %zu partly, %zu by none (conformance/tck-assertions.tsv):\n",
	       k[0], n, k[1], k[2]);
	for (size_t i = 0; i < n; i++) {
		char buf[256], *save = NULL;

		printf("  %-26s %-7s %-38s %s\n", v[i].id, v[i].coverage, v[i].rules,
		       v[i].cases[0] ? v[i].cases : "-");
		snprintf(buf, sizeof(buf), "%s", v[i].cases);
		for (char *c = strtok_r(buf, " ", &save); c; c = strtok_r(NULL, " ", &save))
			if (!case_judges(scen, names, nnames, c, v[i].rules)) {
				printf("  !! %s: %s is not a case of the library that judges %s\n",
				       v[i].id, c, v[i].rules);
				bad++;
			}
	}
	report_tck_free(v);
	return bad;
}

/* Every rule: judged against a target by a case, through the API
 * operations only, or by no case (the unit suite's alone, or no one's,
 * with conformance/unjudged.tsv's reason where no target can show it;
 * one without a case or a reason is named as such: it is work left). */
static void judged_by_cases(const struct ruleset *rs, const char *top, const char *scen,
			    char **names, size_t nnames)
{
	char why[1024];
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
	printf("rules a case judges against a target: %zu/%zu (%zu on the wire, "
	       "X-SS-State or the trace, %zu through the API operations alone)\n",
	       wire + ops, rs->n, wire, ops);
	if (none[0])
		printf("judged by no case (the unit suite's alone, or no one's):%s\n",
		       none);
	for (size_t i = 0; i < rs->n; i++) {
		const char *id = rs->v[i].id;
		size_t n = strlen(id);
		bool unjudged = false;

		for (const char *p = none; (p = strstr(p, id)); p += n)
			unjudged |= p[-1] == ' ' && (!p[n] || p[n] == ' ');
		if (!unjudged_reason(top, id, why, sizeof(why))) {
			if (unjudged)
				printf("  %s: no case, and no reason in "
				       "conformance/unjudged.tsv\n", id);
			continue;
		}
		printf(unjudged ? "  %s, no target can show it: %s\n" :
		       "  !! %s is judged by a case, yet conformance/unjudged.tsv says: %s\n",
		       id, why);
	}
}

/* Which rules the wire can show (W, W*) of the sections the scenarios
 * are for (2 states, 6 derived sessions, 9 proxy, 10 B2BUA, 13 the
 * examples) have a case, and which have none. */
static int coverage(const struct ruleset *rs, const char *top, const char *scen,
		    char **names, size_t nnames)
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
	judged_by_cases(rs, top, scen, names, nnames);
	return tck_assertions(top, scen, names, nnames);
}

/* One HTTP step of a converged case (@first: under a heading). */
static void list_http_step(const struct http_step *h, bool first)
{
	if (first)
		printf("\nHTTP steps:\n");
	printf("  %s:", h->name);
	if (h->pause_ms)
		printf(" (after %d ms)", h->pause_ms);
	printf(" %s %s", h->method, h->path);
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

int sstck_cmd_list(int argc, char **argv, bool show, const char *top)
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
	char **names;
	size_t nnames;

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
	if (sstck_discover(scen, &names, &nnames))
		return 2;
	for (size_t i = 0; i < nnames; i++) {
		struct manifest m;
		char dir[PATH_MAX + 256];

		if (show ? strcmp(names[i], globs[0]) : !sstck_selected(names[i], globs, nglobs))
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
		for (size_t k = 0; k < m.nhttp; k++)
			list_http_step(&m.http[k], !k);
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
		bad += coverage(&rs, top, scen, names, nnames);
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
