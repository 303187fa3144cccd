/**
 * @file reports/html.c  the report a person reads, from what a run left in its
 * out folder (results.json, each case's ladder.json) and the rules catalog.
 *
 *   OUT/index.html   one self-contained page: the matrix of rules against
 *                    cases, every rule in plain words, every case with its
 *                    checks, findings and a ladder diagram (inline SVG)
 *   OUT/summary.md   the same in brief, for CI logs
 *   compare.html     two to eight runs side by side (report_compare,
 *                    compare.c)
 *
 * Each case's ladder is ladder.c's; what the three files share is in
 * report_int.h.
 * Everything that came from a target or a log is escaped on the way out:
 * a hostile target's header is text on the page, never markup.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "report.h"
#include "report_int.h"
#include "text.h"

/* --- output helpers ----------------------------------------------------- */

/* Writes S as HTML text (and attribute) content. */
void report__esc(FILE *fp, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '"': fputs("&quot;", fp); break;
		case '\'': fputs("&#39;", fp); break;
		default:
			if (c < 0x20 && c != '\t' && c != '\n')
				fputc('?', fp);
			else
				fputc(c, fp);
		}
	}
}

/* Text with `code` spans, as the rules write them: each pair of
 * backticks a <code> element, everything escaped. */
static void esc_code(FILE *fp, const char *s)
{
	bool in = false;

	for (const char *p = s; p && *p; p++) {
		const char *q = *p == '`' ? strchr(p + 1, '`') : NULL;

		if (*p == '`' && (in || q)) {
			fputs(in ? "</code>" : "<code>", fp);
			in = !in;
			continue;
		}
		char one[2] = { *p, '\0' };

		report__esc(fp, one);
	}
	if (in)
		fputs("</code>", fp);
}

/* The same, cut to N characters with an ellipsis. */
void report__esc_cut(FILE *fp, const char *s, size_t n)
{
	char buf[512];

	if (!s)
		return;
	if (strlen(s) <= n || n + 4 > sizeof(buf)) {
		report__esc(fp, s);
		return;
	}
	snprintf(buf, sizeof(buf), "%.*s...", (int)n, s);
	report__esc(fp, buf);
}

/* A string usable in an id attribute and a #fragment: [A-Za-z0-9-]. */
static void slug(FILE *fp, const char *s)
{
	for (; s && *s; s++)
		fputc((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' ? *s : '_', fp);
}

const char *report__js(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v ? v : "";
}

/* How the page shows a verdict: its CSS class and its mark in the matrix. */
static const struct vshow {
	const char *verdict, *css, *mark;
} vshows[] = {
	{ "passed", "pass", "&#10003;" },
	{ "failed", "fail", "&#10007;" },
	{ "error", "err", "!" },
	{ "not observable", "nobs", "&#8226;" },
	{ "not applicable", "na", "&#8211;" },
	{ "skipped", "na", "&#8987;" },
};

static const struct vshow *vshow(const char *verdict)
{
	static const struct vshow none = { "", "none", "" };

	for (size_t i = 0; i < sizeof(vshows) / sizeof(vshows[0]); i++)
		if (!strcmp(verdict, vshows[i].verdict))
			return &vshows[i];
	return &none;
}

const char *report__vclass(const char *verdict)
{
	return vshow(verdict)->css;
}

/* The group of a case: its folder under scenarios/. */
static void group_of(const char *name, char *buf, size_t sz)
{
	const char *s = strchr(name, '/');

	text_fmt(buf, sz, "%.*s", (int)(s ? s - name : (long)strlen(name)), name);
}

/* The groups (space-separated) of the cases that check rule ID. */
static void rule_groups(json_t *cases, const char *id, char *out, size_t sz)
{
	size_t i, j;
	json_t *c, *x;
	char g[64];

	out[0] = '\0';
	json_array_foreach(cases, i, c)
		json_array_foreach(json_object_get(c, "rules"), j, x)
			if (!strcmp(report__js(x, "id"), id)) {
				group_of(report__js(c, "name"), g, sizeof(g));
				if (!strstr(out, g) && strlen(out) + strlen(g) + 2 < sz) {
					strcat(out, g);
					strcat(out, " ");
				}
			}
}

/* --- the catalog -------------------------------------------------------- */

struct crule {
	char id[24], group[16], sect[8], obs[4], version[8], source[64];
	char *summary;            /* whole, however long (malloc'd) */
	int unit;                 /* unit tests, -1 when not known */
};

struct catalog {
	struct crule *v;
	size_t n;
};

static int catalog_load(struct catalog *c, const char *top, const char *out)
{
	char path[1024], *line = NULL;
	size_t cap = 0;
	FILE *fp;

	memset(c, 0, sizeof(*c));
	text_fmt(path, sizeof(path), "%s/conformance/rules.tsv", top);
	fp = fopen(path, "r");
	if (!fp)
		return -1;
	while (getline(&line, &cap, fp) > 0) {
		char *p = line, *f[7];
		struct crule *v;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || !line[0])
			continue;
		for (int k = 0; k < 7; k++)
			f[k] = text_tsv_field(&p);
		if (!f[6] || !strcmp(f[0], "id"))   /* the header row */
			continue;
		v = realloc(c->v, (c->n + 1) * sizeof(*v));
		if (!v)
			break;
		c->v = v;
		v = &c->v[c->n++];
		text_fmt(v->id, sizeof(v->id), "%s", f[0]);
		text_fmt(v->group, sizeof(v->group), "%s", f[1]);
		text_fmt(v->sect, sizeof(v->sect), "%s", f[2]);
		text_fmt(v->obs, sizeof(v->obs), "%s", f[3]);
		text_fmt(v->version, sizeof(v->version), "%s", f[4]);
		text_fmt(v->source, sizeof(v->source), "%s", f[5]);
		v->summary = strdup(f[6]);
		v->unit = -1;
	}
	free(line);
	fclose(fp);
	/* the unit suite's rule table, when make conformance wrote one:
	 * "ID OBS N tests..." per rule */
	text_fmt(path, sizeof(path), "%s/rules.txt", out);
	fp = fopen(path, "r");
	if (fp) {
		char buf[2048];

		while (fgets(buf, sizeof(buf), fp)) {
			char id[24], obs[4];
			int n;

			if (sscanf(buf, "%23s %3s %d", id, obs, &n) != 3)
				continue;
			for (size_t i = 0; i < c->n; i++)
				if (!strcmp(c->v[i].id, id))
					c->v[i].unit = n;
		}
		fclose(fp);
	}
	return 0;
}

static const char *version_name(const char *v)
{
	if (!strcmp(v, "1.0"))
		return "SIP Servlet 1.0 (JSR 116)";
	if (!strcmp(v, "1.1"))
		return "SIP Servlet 1.1 (JSR 289)";
	if (!strcmp(v, "2.0"))
		return "SIP Servlet 2.0 (JSR 359)";
	return v;
}

static const char *obs_name(const char *o)
{
	if (!strcmp(o, "W"))
		return "the wire shows it";
	if (!strcmp(o, "W*"))
		return "the wire shows it, through a known application";
	return "only the target's state shows it (a probe)";
}

/* --- the page ----------------------------------------------------------- */

const char *const report__style =
"body{font:14px/1.45 system-ui,sans-serif;margin:0 2em 3em;color:#1d232a}"
"h1{margin:.6em 0 .2em}h2{border-bottom:2px solid #d0d7de;padding-bottom:.2em;margin-top:1.6em}"
"code,.mono{font-family:ui-monospace,monospace;font-size:12px}"
".tot span{display:inline-block;margin-right:1.2em;font-weight:600}"
".pass{color:#116329}.fail{color:#b31d28}.err{color:#9a6700}.nobs{color:#57606a}"
".na{color:#8c959f}"
".none{color:#8c959f}"
"table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:2px 6px;vertical-align:top}"
"#matrix td.c{text-align:center;width:16px;padding:1px}#matrix th.c{font-size:10px;padding:1px}"
"#matrix td.c.pass{background:#dafbe1}#matrix td.c.fail{background:#ffebe9}"
"#matrix td.c.err{background:#fff8c5}#matrix td.c.nobs{background:#eaeef2}"
"#matrix td.c.na{background:#f6f8fa}"
"#matrix a{text-decoration:none;color:inherit}"
"#matrix th.c .vn{writing-mode:vertical-rl;transform:rotate(180deg);"
"white-space:nowrap;font-weight:normal}"
".rule,.case{border:1px solid #d0d7de;border-radius:6px;padding:.4em 1em;margin:.8em 0}"
".case.fail,.case.err{border-color:#b31d28;background:#fff8f8}"
".case h3,.rule h3{margin:.2em 0}.badge{font-weight:600;padding:0 .5em;border-radius:1em;border:1px solid}"
".findings{color:#b31d28}.why{font-weight:600}"
"svg.ladder{display:block;margin:.5em 0;background:#fff;overflow:visible}"
"svg text{font:11px ui-monospace,monospace;fill:#1d232a}"
"svg text.lane{font-weight:700;text-anchor:middle;font-size:12px}svg text.tgt{fill:#0550ae}"
"svg line.life{stroke:#8c959f;stroke-dasharray:4 3}"
"svg g.msg line{stroke:#1d232a;stroke-width:1.3}svg g.direct line{stroke-dasharray:5 3;stroke:#57606a}"
"svg g.bad line{stroke:#b31d28;stroke-width:2}svg g.bad text.lbl{fill:#b31d28}"
"svg marker path{fill:#1d232a}"
"svg text.lbl{text-anchor:middle}svg text.t{fill:#8c959f;font-size:10px}"
"svg text.stamp{fill:#0550ae}svg text.derived{fill:#116329}svg text.finding{fill:#b31d28;font-weight:700}"
"#filters{position:sticky;top:0;background:#f6f8fa;padding:.4em;border-bottom:1px solid #d0d7de;z-index:2}"
".hidden{display:none}";

/* Filters by group and verdict, on every element of class f. */
static const char *SCRIPT =
"(function(){var g=document.getElementById('f-group'),v=document.getElementById('f-verdict');"
"function apply(){var n=0;document.querySelectorAll('.f').forEach(function(e){"
"var ok=(!g.value||(' '+e.dataset.group+' ').indexOf(' '+g.value+' ')>=0)&&"
"(!v.value||(' '+e.dataset.verdict+' ').indexOf(' '+v.value+' ')>=0);"
"e.classList.toggle('hidden',!ok);if(ok&&e.classList.contains('case'))n++;});"
"document.getElementById('f-count').textContent=n+' cases shown';}"
"g.addEventListener('change',apply);v.addEventListener('change',apply);apply();"
"document.body.setAttribute('data-filters','ready');})();";

json_t *report__load_json(const char *path)
{
	json_error_t e;

	return json_load_file(path, 0, &e);
}

/* Line coverage, when make coverage left its one-line totals. */
static void coverage_line(FILE *fp, const char *out)
{
	char path[1024], line[512];
	FILE *in;

	text_fmt(path, sizeof(path), "%s/coverage/summary.txt", out);
	in = fopen(path, "r");
	if (!in) {
		fputs("<p>Line coverage: not measured in this run (<code>make "
		      "coverage</code> measures it and links it here).</p>\n", fp);
		return;
	}
	fputs("<p>Line coverage (<a href=\"coverage/index.html\">lcov "
	      "report</a>):</p><ul>\n", fp);
	while (fgets(line, sizeof(line), in)) {
		line[strcspn(line, "\n")] = '\0';
		fputs("<li>", fp);
		report__esc(fp, line);
		fputs("</li>\n", fp);
	}
	fputs("</ul>\n", fp);
	fclose(in);
}

const char *report__run_rule_verdict(json_t *rules, const char *id)
{
	json_t *r = json_object_get(rules, id);

	return r ? report__js(r, "verdict") : "";
}

static void case_article(FILE *fp, json_t *c, const char *out, int idx)
{
	const char *name = report__js(c, "name"), *v = report__js(c, "verdict");
	json_t *findings = json_object_get(c, "findings"), *x;
	char g[64], path[1024];
	size_t i;

	group_of(name, g, sizeof(g));
	fputs("<article class=\"case f ", fp);
	fputs(report__vclass(v), fp);
	fputs("\" id=\"case-", fp);
	slug(fp, name);
	fputs("\" data-group=\"", fp);
	report__esc(fp, g);
	fputs("\" data-verdict=\"", fp);
	report__esc(fp, v);
	fputs("\"><h3>", fp);
	report__esc(fp, name);
	fprintf(fp, " <span class=\"badge %s\">", report__vclass(v));
	report__esc(fp, v);
	fputs("</span></h3>\n<p>", fp);
	report__esc(fp, report__js(c, "summary"));
	fputs("</p>\n<p>Application <code>", fp);
	report__esc(fp, report__js(c, "app"));
	fprintf(fp, "</code>, %.1f s. Rules:", json_real_value(json_object_get(c, "seconds")));
	json_array_foreach(json_object_get(c, "rules"), i, x) {
		fputs(" <a href=\"#rule-", fp);
		slug(fp, report__js(x, "id"));
		fprintf(fp, "\" class=\"%s\">", report__vclass(report__js(x, "verdict")));
		report__esc(fp, report__js(x, "id"));
		fputs("</a>", fp);
	}
	fputs("</p>\n", fp);
	if (*report__js(c, "reason")) {
		fputs("<p class=\"why\">", fp);
		report__esc(fp, report__js(c, "reason"));
		if (*report__js(c, "where")) {
			fputs(" <span class=\"mono\">(at ", fp);
			report__esc(fp, report__js(c, "where"));
			fputs(")</span>", fp);
		}
		fputs("</p>\n", fp);
	}
	if (json_array_size(findings)) {
		fputs("<ul class=\"findings\">\n", fp);
		json_array_foreach(findings, i, x) {
			fputs("<li><b>", fp);
			report__esc(fp, report__js(x, "rule"));
			fputs("</b>: ", fp);
			report__esc(fp, report__js(x, "text"));
			fputs(" <span class=\"mono\">at ", fp);
			report__esc(fp, report__js(x, "where"));
			fputs("</span></li>\n", fp);
		}
		fputs("</ul>\n", fp);
	}
	fputs("<table class=\"checks\"><tr><th>check</th><th>outcome</th><th>detail</th></tr>\n", fp);
	json_array_foreach(json_object_get(c, "checks"), i, x) {
		fputs("<tr><td>", fp);
		report__esc(fp, report__js(x, "name"));
		fprintf(fp, "</td><td class=\"%s\">", report__vclass(report__js(x, "outcome")));
		report__esc(fp, report__js(x, "outcome"));
		fputs("</td><td>", fp);
		report__esc(fp, report__js(x, "detail"));
		fputs("</td></tr>\n", fp);
	}
	fputs("</table>\n", fp);
	text_fmt(path, sizeof(path), "%s/cases/%s/ladder.json", out, name);
	json_t *lad = report__load_json(path);

	if (lad && json_array_size(json_object_get(lad, "messages"))) {
		report__ladder(fp, lad, findings, idx);
	} else {
		fputs("<p class=\"none\">No ladder: no message was logged.</p>\n", fp);
	}
	json_decref(lad);
	fputs("<p class=\"mono\">logs: <a href=\"cases/", fp);
	report__esc(fp, name);
	fputs("/\">cases/", fp);
	report__esc(fp, name);
	fputs("/</a>", fp);
	/* the capture made from the agents' logs, for Wireshark or sngrep */
	struct stat st;
	json_t *cap = json_object_get(c, "capture");

	text_fmt(path, sizeof(path), "%s/cases/%s/case.pcap", out, name);
	if (!strstr(name, "..") && !stat(path, &st) && S_ISREG(st.st_mode)) {
		json_t *sk = json_object_get(cap, "skipped");

		fputs(" &middot; capture: <a href=\"cases/", fp);
		report__esc(fp, name);
		fputs("/case.pcap\">case.pcap</a>", fp);
		if (json_is_integer(json_object_get(cap, "packets")))
			fprintf(fp, " (%lld packets", (long long)json_integer_value(
				json_object_get(cap, "packets")));
		json_t *lm = json_object_get(cap, "logs_missing");

		if (json_is_integer(json_object_get(cap, "packets")) &&
		    json_integer_value(sk) > 0)
			fprintf(fp, ", %lld log blocks skipped",
				(long long)json_integer_value(sk));
		if (json_is_integer(json_object_get(cap, "packets")) &&
		    json_integer_value(lm) > 0)
			fprintf(fp, ", %lld agent log%s missing",
				(long long)json_integer_value(lm),
				json_integer_value(lm) == 1 ? "" : "s");
		if (json_is_integer(json_object_get(cap, "packets")))
			fputs(")", fp);
	} else if (*report__js(cap, "error")) {
		fputs(" &middot; no capture: ", fp);
		report__esc(fp, report__js(cap, "error"));
	}
	fputs("</p></article>\n", fp);
}

/* The page's head and header: the target, the totals, how to read it. */
static void index_head(FILE *fp, json_t *res)
{
	json_t *cases = json_object_get(res, "cases");
	json_t *tot = json_object_get(res, "totals"), *target = json_object_get(res, "target");

	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width\">\n<title>"
	      "SessionTCK report: ", fp);
	report__esc(fp, report__js(target, "name"));
	fprintf(fp, "</title>\n<style>%s</style></head>\n<body>\n", report__style);
	fputs("<header><h1>SessionTCK conformance report</h1>\n<p>Target <b>", fp);
	report__esc(fp, report__js(target, "name"));
	fputs("</b>: ", fp);
	report__esc(fp, report__js(target, "summary"));
	fprintf(fp, ". %zu cases in %.1f s. What the target shows: %s.</p>\n",
		json_array_size(cases), json_real_value(json_object_get(res, "seconds")),
		json_is_true(json_object_get(target, "state_header")) ?
		"session state (X-SS-State)" : "the wire only");
	fputs("<p class=\"tot\">", fp);
	for (size_t k = 0; k < sizeof(vshows) / sizeof(vshows[0]); k++)
		fprintf(fp, "<span class=\"%s\">%lld %s</span>", vshows[k].css,
			(long long)json_integer_value(json_object_get(tot,
					vshows[k].verdict)), vshows[k].verdict);
	fputs("</p>\n<p>Also: <a href=\"junit.xml\">junit.xml</a>, <a href=\"results.json\">"
	      "results.json</a>, <a href=\"summary.md\">summary.md</a>.</p></header>\n", fp);

	/* how to read it */
	fputs("<section id=\"about\"><h2>How to read this report</h2>\n<p>Each rule of "
	      "the session model of the SIP Servlet specification (SipSession and "
	      "SipApplicationSession, JSR 116, 289 and 359) has an ID. A <i>case</i> "
	      "plays a call flow with SIPp against the target and checks the rules it "
	      "names: SIPp's own checks, then the oracle, which rebuilds every dialog "
	      "from the logs and derives the state each session must be in. "
	      "<span class=\"pass\">passed</span>: every check ran and held; "
	      "<span class=\"fail\">failed</span>: one did not; "
	      "<span class=\"nobs\">not observable</span>: the target cannot show it "
	      "(never counted as a pass); <span class=\"na\">not applicable</span>: "
	      "the target does not play the case (an application it lacks; never a "
	      "pass either); <span class=\"na\">skipped</span>: a case of the slow "
	      "group, which only <code>sstck run --slow</code> plays (never a pass); "
	      "<span class=\"err\">error</span>: the case "
	      "could not run. In a ladder, the target is the middle lane; blue is the "
	      "X-SS-State the target reported, green the state change the oracle "
	      "derived, red a finding.</p></section>\n", fp);
}

/* How many of the catalog's rules have a case in the run, a unit test,
 * neither; and the lines of coverage make coverage left. */
static void index_coverage(FILE *fp, json_t *rules, const struct catalog *cat,
			   const char *out)
{
	int nocase = 0, notest = 0, neither = 0;

	for (size_t k = 0; k < cat->n; k++) {
		bool hc = json_object_get(rules, cat->v[k].id) != NULL;

		nocase += !hc;
		notest += cat->v[k].unit == 0;
		neither += !hc && cat->v[k].unit == 0;
	}
	fputs("<section id=\"coverage\"><h2>Coverage</h2>\n", fp);
	fprintf(fp, "<p>Rules in the catalog: %zu; with a case in this run: %zu; ",
		cat->n, cat->n - (size_t)nocase);
	if (cat->n && cat->v[0].unit >= 0)
		fprintf(fp, "with no unit test: %d; <b>with neither a test nor a case: "
			"<span id=\"rules-uncovered\">%d</span></b>.</p>\n", notest, neither);
	else
		fputs("unit tests per rule: not known (<code>make conformance</code> "
		      "writes them).</p>\n", fp);
	if (neither) {
		fputs("<p>Neither tested nor played:", fp);
		for (size_t k = 0; k < cat->n; k++)
			if (!json_object_get(rules, cat->v[k].id) && cat->v[k].unit == 0) {
				fputs(" <a href=\"#rule-", fp);
				slug(fp, cat->v[k].id);
				fputs("\">", fp);
				report__esc(fp, cat->v[k].id);
				fputs("</a>", fp);
			}
		fputs("</p>\n", fp);
	}
	coverage_line(fp, out);
	fputs("</section>\n", fp);
}

/* The filters: by group (each case's folder) and by verdict. */
static void index_filters(FILE *fp, json_t *cases)
{
	char g[64];
	json_t *c;
	size_t i;

	fputs("<section id=\"filters\">Group <select id=\"f-group\"><option value=\"\">all"
	      "</option>", fp);
	char seen[512] = " ";

	json_array_foreach(cases, i, c) {
		char key[80];

		group_of(report__js(c, "name"), g, sizeof(g));
		text_fmt(key, sizeof(key), " %s ", g);
		if (strstr(seen, key) || strlen(seen) + strlen(key) >= sizeof(seen))
			continue;
		strcat(seen, g);
		strcat(seen, " ");
		fputs("<option>", fp);
		report__esc(fp, g);
		fputs("</option>", fp);
	}
	fputs("</select> Verdict <select id=\"f-verdict\"><option value=\"\">all</option>"
	      "<option>passed</option><option>failed</option><option>not observable"
	      "</option><option>not applicable</option><option>skipped</option><option>error</option></select> "
	      "<span id=\"f-count\"></span>"
	      "</section>\n", fp);
}

/* The matrix: a row per rule a case checks, a column per case. */
static void index_matrix(FILE *fp, json_t *cases, json_t *rules,
			 const struct catalog *cat)
{
	json_t *c, *x;
	size_t i, j;

	fputs("<section><h2>Rules against cases</h2>\n<p>A row per rule a case checks, a "
	      "column per case.</p>\n<table id=\"matrix\"><thead><tr>"
	      "<th>rule</th><th>verdict</th>", fp);
	json_array_foreach(cases, i, c) {
		fprintf(fp, "<th class=\"c\" title=\"");
		report__esc(fp, report__js(c, "name"));
		fputs("\"><a href=\"#case-", fp);
		slug(fp, report__js(c, "name"));
		fputs("\"><span class=\"vn\">", fp);
		report__esc(fp, report__js(c, "name"));
		fputs("</span></a></th>", fp);
	}
	fputs("</tr></thead><tbody>\n", fp);
	for (size_t k = 0; k < cat->n; k++) {
		const char *id = cat->v[k].id, *rv = report__run_rule_verdict(rules, id);
		char groups[512];

		if (!*rv)
			continue;
		rule_groups(cases, id, groups, sizeof(groups));
		fputs("<tr class=\"f\" data-group=\"", fp);
		report__esc(fp, groups);
		fputs("\" data-verdict=\"", fp);
		report__esc(fp, rv);
		fputs("\"><th><a href=\"#rule-", fp);
		slug(fp, id);
		fputs("\">", fp);
		report__esc(fp, id);
		fprintf(fp, "</a></th><td class=\"%s\">", report__vclass(rv));
		report__esc(fp, rv);
		fputs("</td>", fp);
		json_array_foreach(cases, i, c) {
			const char *cv = NULL;

			json_array_foreach(json_object_get(c, "rules"), j, x)
				if (!strcmp(report__js(x, "id"), id))
					cv = report__js(x, "verdict");
			if (cv) {
				fprintf(fp, "<td class=\"c %s\" title=\"", report__vclass(cv));
				report__esc(fp, report__js(c, "name"));
				fputs(": ", fp);
				report__esc(fp, cv);
				fprintf(fp, "\">%s</td>", vshow(cv)->mark);
			} else {
				fputs("<td class=\"c\"></td>", fp);
			}
		}
		fputs("</tr>\n", fp);
	}
	fputs("</tbody></table></section>\n", fp);
}

/* The rules, in plain words: each with its verdict and its cases. */
static void index_rules(FILE *fp, json_t *cases, json_t *rules,
			const struct catalog *cat)
{
	json_t *c, *x;
	size_t i, j;

	fputs("<section id=\"rules\"><h2>The rules</h2>\n", fp);
	for (size_t k = 0; k < cat->n; k++) {
		const struct crule *r = &cat->v[k];
		const char *rv = report__run_rule_verdict(rules, r->id);
		char groups[512];

		rule_groups(cases, r->id, groups, sizeof(groups));
		fputs("<div class=\"rule f\" id=\"rule-", fp);
		slug(fp, r->id);
		fputs("\" data-group=\"", fp);
		report__esc(fp, groups);
		fputs("\" data-verdict=\"", fp);
		report__esc(fp, *rv ? rv : "none");
		fputs("\"><h3>", fp);
		report__esc(fp, r->id);
		if (*rv) {
			fprintf(fp, " <span class=\"badge %s\">", report__vclass(rv));
			report__esc(fp, rv);
			fputs("</span>", fp);
		}
		fputs("</h3><p>", fp);
		esc_code(fp, r->summary);
		fputs("</p><p class=\"mono\">", fp);
		report__esc(fp, version_name(r->version));
		fputs("; source: ", fp);
		report__esc(fp, r->source);
		fputs("; digest section ", fp);
		report__esc(fp, r->sect);
		fputs("; ", fp);
		report__esc(fp, obs_name(r->obs));
		if (r->unit >= 0)
			fprintf(fp, "; unit tests: %d", r->unit);
		fputs(". Cases:", fp);
		int nc = 0;

		json_array_foreach(cases, i, c)
			json_array_foreach(json_object_get(c, "rules"), j, x)
				if (!strcmp(report__js(x, "id"), r->id)) {
					fputs(" <a href=\"#case-", fp);
					slug(fp, report__js(c, "name"));
					fprintf(fp, "\" class=\"%s\">", report__vclass(report__js(x, "verdict")));
					report__esc(fp, report__js(c, "name"));
					fputs("</a>", fp);
					nc++;
				}
		if (!nc)
			fputs(" none in this run", fp);
		fputs(".</p></div>\n", fp);
	}
	fputs("</section>\n", fp);
}

static int write_index(const char *out, const char *top, json_t *res,
		       const struct catalog *cat)
{
	char path[1024];
	json_t *cases = json_object_get(res, "cases"), *rules = json_object_get(res, "rules");
	json_t *c;
	size_t i;
	FILE *fp;

	text_fmt(path, sizeof(path), "%s/index.html", out);
	fp = fopen(path, "w");
	if (!fp)
		return -1;
	index_head(fp, res);
	index_coverage(fp, rules, cat, out);
	index_filters(fp, cases);
	index_matrix(fp, cases, rules, cat);
	index_rules(fp, cases, rules, cat);
	report__tck_section(fp, top, rules, cases);
	/* the cases */
	fputs("<section id=\"cases\"><h2>The cases</h2>\n", fp);
	json_array_foreach(cases, i, c)
		case_article(fp, c, out, (int)i);
	fprintf(fp, "</section>\n<script>%s</script>\n</body></html>\n", SCRIPT);
	return fclose(fp) ? -1 : 0;
}

static int write_summary(const char *out, json_t *res)
{
	char path[1024];
	json_t *tot = json_object_get(res, "totals"), *c;
	size_t i;
	FILE *fp;
	int bad = 0;

	text_fmt(path, sizeof(path), "%s/summary.md", out);
	fp = fopen(path, "w");
	if (!fp)
		return -1;
	fprintf(fp, "# SessionTCK: %s\n\n%zu cases in %.1f s: %lld passed, %lld failed, "
		"%lld not observable, %lld error, %lld not applicable, %lld skipped.\n\n",
		report__js(json_object_get(res, "target"), "name"),
		json_array_size(json_object_get(res, "cases")),
		json_real_value(json_object_get(res, "seconds")),
		(long long)json_integer_value(json_object_get(tot, "passed")),
		(long long)json_integer_value(json_object_get(tot, "failed")),
		(long long)json_integer_value(json_object_get(tot, "not observable")),
		(long long)json_integer_value(json_object_get(tot, "error")),
		(long long)json_integer_value(json_object_get(tot, "not applicable")),
		(long long)json_integer_value(json_object_get(tot, "skipped")));
	json_array_foreach(json_object_get(res, "cases"), i, c) {
		const char *v = report__js(c, "verdict");
		char reason[SSTCK_TEXT];

		if (!strcmp(v, "passed") || !strcmp(v, "not observable") ||
		    !strcmp(v, "not applicable") || !strcmp(v, "skipped"))
			continue;
		if (!bad++)
			fputs("| case | verdict | reason |\n|---|---|---|\n", fp);
		/* a table cell: no pipe, no newline */
		text_fmt(reason, sizeof(reason), "%s", report__js(c, "reason"));
		for (char *p = reason; *p; p++)
			if (*p == '|' || *p == '\n' || *p == '`')
				*p = ' ';
		fprintf(fp, "| %s | %s | %s |\n", report__js(c, "name"), v, reason);
	}
	if (!bad)
		fputs("No case failed or erred.\n", fp);
	fputs("\nThe report: index.html; for CI: junit.xml, results.json.\n", fp);
	return fclose(fp) ? -1 : 0;
}

int report_write(const char *out, const char *top, char *err, size_t errsz)
{
	char path[1024];
	struct catalog cat;
	json_t *res;
	int rc;

	text_fmt(path, sizeof(path), "%s/results.json", out);
	res = report__load_json(path);
	if (!res) {
		text_fmt(err, errsz, "cannot read %s", path);
		return -1;
	}
	if (catalog_load(&cat, top, out)) {
		text_fmt(err, errsz, "cannot read %s/conformance/rules.tsv", top);
		json_decref(res);
		return -1;
	}
	rc = write_index(out, top, res, &cat) || write_summary(out, res);
	if (rc)
		text_fmt(err, errsz, "cannot write the report in %s", out);
	for (size_t i = 0; i < cat.n; i++)
		free(cat.v[i].summary);
	free(cat.v);
	json_decref(res);
	return rc ? -1 : 0;
}
