/**
 * @file reports/compare.c  finished runs side by side (sstck compare):
 * case by case and rule by rule, a column per run, what differs from the
 * first marked.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_int.h"
#include "text.h"

/* Field KEY of the case NAME in the results RES, or "". */
static const char *case_field(json_t *res, const char *name, const char *key)
{
	size_t i;
	json_t *c;

	json_array_foreach(json_object_get(res, "cases"), i, c)
		if (!strcmp(report__js(c, "name"), name))
			return report__js(c, key);
	return "";
}

/* A column head per run: its target's name. */
static void target_heads(FILE *fp, json_t *const *r, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		fputs("<th>", fp);
		report__esc(fp, report__js(json_object_get(r[k], "target"), "name"));
		fputs("</th>", fp);
	}
}

/* A run's cell: its verdict, with its class. */
static void verdict_cell(FILE *fp, const char *v)
{
	fprintf(fp, "<td class=\"%s\">", report__vclass(v));
	report__esc(fp, *v ? v : "not run");
	fputs("</td>", fp);
}

int report_compare(const char *const *dirs, size_t n, const char *file,
		   char *err, size_t errsz)
{
	json_t *r[SSTCK_MAX_COMPARE] = { NULL }, *c, *v, *seen;
	const char *id;
	char p[1024];
	size_t i;
	FILE *fp = NULL;
	int differ = -1;

	if (n < 2 || n > SSTCK_MAX_COMPARE) {
		text_fmt(err, errsz, "compare takes 2 to %d runs", SSTCK_MAX_COMPARE);
		return -1;
	}
	for (size_t k = 0; k < n; k++) {
		text_fmt(p, sizeof(p), "%s/results.json", dirs[k]);
		if (!(r[k] = report__load_json(p))) {
			text_fmt(err, errsz, "cannot read %s", p);
			goto out;
		}
	}
	if (!(fp = fopen(file, "w"))) {
		text_fmt(err, errsz, "cannot write %s", file);
		goto out;
	}
	differ = 0;
	fprintf(fp, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		"<title>SessionTCK: %zu targets</title><style>%s</style></head><body>\n"
		"<h1>SessionTCK: %zu targets side by side</h1>\n<ul>", n, report__style, n);
	for (size_t k = 0; k < n; k++) {
		json_t *t = json_object_get(r[k], "totals");

		fputs("<li>", fp);
		report__esc(fp, report__js(json_object_get(r[k], "target"), "name"));
		fputs(": ", fp);
		report__esc(fp, report__js(json_object_get(r[k], "target"), "summary"));
		fprintf(fp, " (%lld passed, %lld failed, %lld not observable, %lld error, "
			"%lld not applicable, %lld skipped; ",
			json_integer_value(json_object_get(t, "passed")),
			json_integer_value(json_object_get(t, "failed")),
			json_integer_value(json_object_get(t, "not observable")),
			json_integer_value(json_object_get(t, "error")),
			json_integer_value(json_object_get(t, "not applicable")),
			json_integer_value(json_object_get(t, "skipped")));
		report__esc(fp, dirs[k]);
		fputs(")</li>", fp);
	}
	fputs("</ul>\n<h2>Cases</h2><table id=\"compare\"><tr><th>case</th>", fp);
	target_heads(fp, r, n);
	fputs("<th>why they differ</th></tr>\n", fp);
	/* every case of any run, in the first run's order, then the others' */
	seen = json_object();
	for (size_t k = 0; k < n; k++)
		json_array_foreach(json_object_get(r[k], "cases"), i, c) {
			const char *name = report__js(c, "name"), *v0 = case_field(r[0], name, "verdict");
			bool same = true;

			if (json_object_get(seen, name))
				continue;
			json_object_set_new(seen, name, json_true());
			fputs("<tr><td>", fp);
			report__esc(fp, name);
			fputs("</td>", fp);
			for (size_t q = 0; q < n; q++) {
				const char *vq = case_field(r[q], name, "verdict");

				verdict_cell(fp, vq);
				same &= !strcmp(vq, v0);
			}
			differ += !same;
			fputs("<td>", fp);
			for (size_t q = 0; !same && q < n; q++) {
				const char *why = case_field(r[q], name, "reason");

				if (!*why)
					continue;
				fputs("<b>", fp);
				report__esc(fp, report__js(json_object_get(r[q], "target"), "name"));
				fputs("</b>: ", fp);
				report__esc_cut(fp, why, 300);
				fputs("<br>", fp);
			}
			fputs("</td></tr>\n", fp);
		}
	json_decref(seen);
	fputs("</table>\n<h2>Rules</h2><table><tr><th>rule</th>", fp);
	target_heads(fp, r, n);
	fputs("</tr>\n", fp);
	seen = json_object();
	for (size_t k = 0; k < n; k++)
		json_object_foreach(json_object_get(r[k], "rules"), id, v) {
			if (json_object_get(seen, id))
				continue;
			json_object_set_new(seen, id, json_true());
			fputs("<tr><td>", fp);
			report__esc(fp, id);
			fputs("</td>", fp);
			for (size_t q = 0; q < n; q++)
				verdict_cell(fp, report__run_rule_verdict(json_object_get(r[q], "rules"), id));
			fputs("</tr>\n", fp);
		}
	json_decref(seen);
	fprintf(fp, "</table>\n<p id=\"differ\">%d cases differ.</p></body></html>\n", differ);
	if (fclose(fp)) {
		text_fmt(err, errsz, "cannot write %s", file);
		differ = -1;
	}
out:
	for (size_t k = 0; k < n; k++)
		json_decref(r[k]);
	return differ;
}
