/**
 * @file reports/tck.c  the official JSR 289 TCK's spec assertions on the
 * session classes (conformance/tck-assertions.tsv), for the report and
 * sstck list: each beside the rules it stands on and the cases that show
 * it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_int.h"
#include "text.h"

void report_tck_free(struct tck_row *v)
{
	free(v);
}

int report_tck_load(const char *top, struct tck_row **vp, size_t *np)
{
	char path[1024], *line = NULL;
	struct tck_row *v = NULL;
	size_t cap = 0, n = 0;
	FILE *fp;

	*vp = NULL;
	*np = 0;
	text_fmt(path, sizeof(path), "%s/conformance/tck-assertions.tsv", top);
	fp = fopen(path, "r");
	if (!fp)
		return -1;
	while (getline(&line, &cap, fp) > 0) {
		char *p = line, *f[6];
		struct tck_row *w;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || !line[0])
			continue;
		for (int k = 0; k < 6; k++)
			f[k] = text_tsv_field(&p);
		if (!f[5] || !(w = realloc(v, (n + 1) * sizeof(*v))))
			continue;
		v = w;
		w = &v[n++];
		text_fmt(w->id, sizeof(w->id), "%s", f[0]);
		text_fmt(w->section, sizeof(w->section), "%s", f[1]);
		text_fmt(w->rules, sizeof(w->rules), "%s", f[2]);
		text_fmt(w->coverage, sizeof(w->coverage), "%s", f[3]);
		text_fmt(w->cases, sizeof(w->cases), "%s", strcmp(f[4], "-") ? f[4] : "");
		text_fmt(w->note, sizeof(w->note), "%s", f[5]);
	}
	free(line);
	fclose(fp);
	*vp = v;
	*np = n;
	return 0;
}

/* The count of rows whose coverage is @cov. */
static size_t count(const struct tck_row *v, size_t n, const char *cov)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += !strcmp(v[i].coverage, cov);
	return k;
}

/* CASE's verdict in the run, or NULL when it did not run. */
static const char *case_verdict(json_t *cases, const char *name)
{
	json_t *c;
	size_t i;

	json_array_foreach(cases, i, c)
		if (!strcmp(report__js(c, "name"), name))
			return report__js(c, "verdict");
	return NULL;
}

/* Each word of @list as a link to #PREFIX-WORD, in the class VERDICT(word). */
static void links(FILE *fp, const char *list, const char *prefix, json_t *rules,
		  json_t *cases)
{
	char buf[512], *save = NULL;

	text_fmt(buf, sizeof(buf), "%s", list);
	for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		const char *v = rules ? report__run_rule_verdict(rules, w) :
				case_verdict(cases, w);

		fprintf(fp, " <a href=\"#%s-", prefix);
		/* the page's ids: [A-Za-z0-9-], anything else '_' */
		for (const char *s = w; *s; s++)
			fputc((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
			      (*s >= '0' && *s <= '9') || *s == '-' ? *s : '_', fp);
		fprintf(fp, "\" class=\"%s\">", report__vclass(v ? v : ""));
		report__esc(fp, w);
		fputs("</a>", fp);
	}
}

void report__tck_section(FILE *fp, const char *top, json_t *rules, json_t *cases)
{
	struct tck_row *v;
	size_t n;

	if (report_tck_load(top, &v, &n) || !n) {
		report_tck_free(v);
		return;
	}
	fprintf(fp, "<section id=\"tck\"><h2>The official JSR 289 TCK's assertions on the "
		"session classes</h2><p>%zu of the TCK's 51 spec assertions concern the "
		"session classes or what they depend on: %zu shown by a case, %zu partly, "
		"%zu by none (<code>conformance/tck-assertions.tsv</code>). Each beside the "
		"rules it stands on (their verdict in this run) and the cases that show it."
		"</p>\n<table><tr><th>assertion</th><th>JSR</th><th>by a case</th>"
		"<th>rules</th><th>cases</th><th>what they show</th></tr>\n",
		n, count(v, n, "case"), count(v, n, "partly"), count(v, n, "none"));
	for (size_t i = 0; i < n; i++) {
		fputs("<tr><td class=\"mono\">", fp);
		report__esc(fp, v[i].id);
		fputs("</td><td>", fp);
		report__esc(fp, v[i].section);
		fprintf(fp, "</td><td class=\"%s\">", !strcmp(v[i].coverage, "case") ? "pass" :
			!strcmp(v[i].coverage, "partly") ? "nobs" : "na");
		report__esc(fp, v[i].coverage);
		fputs("</td><td class=\"mono\">", fp);
		links(fp, v[i].rules, "rule", rules, NULL);
		fputs("</td><td class=\"mono\">", fp);
		if (v[i].cases[0])
			links(fp, v[i].cases, "case", NULL, cases);
		else
			fputs("none", fp);
		fputs("</td><td>", fp);
		report__esc(fp, v[i].note);
		fputs("</td></tr>\n", fp);
	}
	fputs("</table></section>\n", fp);
	report_tck_free(v);
}
