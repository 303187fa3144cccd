/**
 * @file reports/report.h  the report's API (html.c, compare.c), for sstck.  It
 * reads only what a run wrote (results.json, each case's ladder.json) and the
 * rules catalog, so it needs nothing of the harness's but its text helpers.
 */
#ifndef SSTCK_REPORT_H
#define SSTCK_REPORT_H

#include <stddef.h>

/* OUT/index.html and OUT/summary.md from OUT/results.json, the cases'
 * ladders and TOP's rules catalog.  0, or -1 with ERR. */
int report_write(const char *out, const char *top, char *err, size_t errsz);

/* One of the official JSR 289 TCK's spec assertions on the session
 * classes (conformance/tck-assertions.tsv): its rules, how far a case
 * shows it (case, partly, none), the cases, a note. */
struct tck_row {
	char id[64], section[24], rules[160], coverage[12], cases[256], note[512];
};

/* TOP's conformance/tck-assertions.tsv into *VP (malloc'd, *NP rows):
 * 0, or -1 when it cannot be read. */
int report_tck_load(const char *top, struct tck_row **vp, size_t *np);
void report_tck_free(struct tck_row *v);

#define SSTCK_MAX_COMPARE 8

/* FILE: the N runs in DIRS side by side, case by case and rule by rule.
 * How many cases differ (a verdict not the first run's), or -1 with ERR. */
int report_compare(const char *const *dirs, size_t n, const char *file,
		   char *err, size_t errsz);

#endif
