/**
 * @file reports/ladder.c  a case's ladder diagram (SVG) in the report, from
 * the ladder.json the oracle wrote: a lane per agent and the target, a row
 * per message, what the target stamped and the oracle derived beside it.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "report_int.h"
#include "text.h"

#define LANE 190
#define LANEX 100   /* the first lane: room for the time labels */
#define ROW 38
#define TOPY 46

/* The lanes: callers on the left, the target, the others on the right. */
static int lane_of(json_t *agents, const char *name, size_t *nlanes)
{
	int x = 0, k = 0;
	size_t n = json_array_size(agents);

	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n; i++) {
			json_t *a = json_array_get(agents, i);
			bool caller = json_is_true(json_object_get(a, "caller"));

			if (caller != (pass == 0))
				continue;
			if (name && !strcmp(report__js(a, "name"), name))
				x = k;
			k++;
		}
		if (pass == 0) {
			if (name && !strcmp(name, "\1target"))
				x = k;
			k++;
		}
	}
	*nlanes = (size_t)k;
	return x;
}

static bool finding_at(json_t *findings, const char *where, json_t **f)
{
	size_t i;
	json_t *v;

	json_array_foreach(findings, i, v)
		if (!strcmp(report__js(v, "where"), where)) {
			*f = v;
			return true;
		}
	return false;
}

/* "id=ss-1;state=EARLY;role=PROXY;..." in short: "ss-1 EARLY PROXY". */
static void stamp_short(const char *stamp, char *buf, size_t sz)
{
	const char *keys[] = { "id=", "state=", "role=" };
	size_t o = 0;

	buf[0] = '\0';
	for (size_t k = 0; k < 3; k++) {
		const char *p = strstr(stamp, keys[k]);

		if (!p)
			continue;
		p += strlen(keys[k]);
		int n = (int)strcspn(p, ";");

		if (o + (size_t)n + 2 < sz) {
			o += (size_t)snprintf(buf + o, sz - o, "%s%.*s", o ? " " : "", n, p);
		}
	}
	if (!buf[0])
		text_fmt(buf, sz, "%s", stamp);
}

/* The lanes: a name on top of each, and its life line. */
static void ladder_lanes(FILE *fp, json_t *agents, size_t nl, int tx, int height)
{
	for (size_t l = 0; l < nl; l++) {
		int x = LANEX + (int)l * LANE;
		const char *label = "target";

		for (size_t a = 0; a < json_array_size(agents); a++) {
			const char *n = report__js(json_array_get(agents, a), "name");

			if ((size_t)lane_of(agents, n, &nl) == l)
				label = n;
		}
		fprintf(fp, "<text class=\"lane%s\" x=\"%d\" y=\"20\">", (int)l == tx ?
			" tgt" : "", x);
		report__esc(fp, label);
		fprintf(fp, "</text><line class=\"life\" x1=\"%d\" y1=\"28\" x2=\"%d\" "
			"y2=\"%d\"/>\n", x, x, height - 24);
	}
}

/* The notes beside message M at X from NY down: what the target stamped,
 * what the oracle derived, and its finding F there (NULL: none). */
static void ladder_notes(FILE *fp, json_t *m, json_t *f, int x, int ny)
{
	json_t *d = json_object_get(m, "derived"), *dv;
	size_t k;

	if (*report__js(m, "stamp")) {
		char sh[160];

		stamp_short(report__js(m, "stamp"), sh, sizeof(sh));
		fprintf(fp, "<text class=\"stamp\" x=\"%d\" y=\"%d\">X-SS-State: ", x, ny + 9);
		report__esc_cut(fp, sh, 60);
		fputs("</text>", fp);
		ny += 11;
	}
	json_array_foreach(d, k, dv) {
		fprintf(fp, "<text class=\"derived\" x=\"%d\" y=\"%d\">oracle: ", x,
			ny + 9);
		report__esc(fp, report__js(dv, "session"));
		fputs(" ", fp);
		report__esc(fp, report__js(dv, "from"));
		fputs(" &#8594; ", fp);
		report__esc(fp, report__js(dv, "to"));
		fputs(" (", fp);
		report__esc(fp, report__js(dv, "rule"));
		fputs(")</text>", fp);
		ny += 11;
	}
	if (f) {
		fprintf(fp, "<text class=\"finding\" x=\"%d\" y=\"%d\">", x, ny + 9);
		report__esc(fp, report__js(f, "rule"));
		fputs(": ", fp);
		report__esc_cut(fp, report__js(f, "text"), 70);
		fputs("</text>", fp);
	}
}

/* Where a message M (the I-th) an agent sent straight to another agent
 * goes: the receiver's lane, found by the same first line in a received
 * message; TO when none is. */
static int direct_to(json_t *agents, json_t *msgs, size_t i, json_t *m, int to)
{
	size_t j, nl;
	json_t *r;

	json_array_foreach(msgs, j, r)
		if (j > i && json_is_true(json_object_get(r, "direct")) &&
		    !json_is_true(json_object_get(r, "sent")) &&
		    !strcmp(report__js(r, "first"), report__js(m, "first")))
			return lane_of(agents, report__js(r, "agent"), &nl);
	return to;
}

void report__ladder(FILE *fp, json_t *lad, json_t *findings, int idx)
{
	json_t *agents = json_object_get(lad, "agents");
	json_t *msgs = json_object_get(lad, "messages");
	size_t nl = 0, rows = 0, i;
	json_t *m;
	double t0 = -1, prev = -1;
	bool back = false;

	lane_of(agents, NULL, &nl);
	json_array_foreach(msgs, i, m)
		rows += !(json_is_true(json_object_get(m, "direct")) &&
			  !json_is_true(json_object_get(m, "sent")));
	int width = (int)nl * LANE + 510, height = TOPY + (int)rows * ROW + 36;
	int tx = lane_of(agents, "\1target", &nl);

	fprintf(fp, "<svg class=\"ladder\" xmlns=\"http://www.w3.org/2000/svg\" "
		"width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
		"aria-label=\"message ladder\">\n<defs><marker id=\"ah%d\" "
		"viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" "
		"markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 "
		"L10,5 L0,10 z\"/></marker></defs>\n", width, height, width, height, idx);
	ladder_lanes(fp, agents, nl, tx, height);
	int row = 0;

	json_array_foreach(msgs, i, m) {
		bool sent = json_is_true(json_object_get(m, "sent"));
		bool direct = json_is_true(json_object_get(m, "direct"));
		int al = lane_of(agents, report__js(m, "agent"), &nl), from, to;
		double t = json_real_value(json_object_get(m, "t"));
		json_t *f = NULL;
		bool bad = finding_at(findings, report__js(m, "where"), &f);
		int y = TOPY + row * ROW + 16, nx = LANEX + (int)nl * LANE - 120;

		if (direct && !sent)
			continue;
		row++;
		if (t0 < 0)
			t0 = t;
		from = sent ? al : tx;
		to = sent ? tx : al;
		if (direct)
			to = direct_to(agents, msgs, i, m, to);
		int x1 = LANEX + from * LANE, x2 = LANEX + to * LANE;

		fprintf(fp, "<g class=\"msg%s%s\"><title>", bad ? " bad" : "",
			direct ? " direct" : "");
		report__esc(fp, report__js(m, "where"));
		/* the ladder is in causal order (each agent's log order, then
		 * the clocks): a message logged before the one above it gets a
		 * mark, explained under the ladder */
		bool earlier = prev >= 0 && t < prev;

		back |= earlier;
		fprintf(fp, "</title><text class=\"t\" x=\"2\" y=\"%d\">%+.1f ms%s</text>",
			y, (t - t0) * 1000.0, earlier ? " *" : "");
		if (!earlier)
			prev = t;
		fprintf(fp, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
			"marker-end=\"url(#ah%d)\"/>", x1, y, x2 == x1 ? x2 + 1 : x2, y, idx);
		fprintf(fp, "<text class=\"lbl\" x=\"%d\" y=\"%d\">", (x1 + x2) / 2, y - 5);
		report__esc_cut(fp, report__js(m, "first"), 30);
		fputs("</text>", fp);
		ladder_notes(fp, m, bad ? f : NULL, nx + 130, y - 12);
		fputs("</g>\n", fp);
	}
	if (back)
		fprintf(fp, "<text class=\"t\" x=\"2\" y=\"%d\">* logged a little before "
			"the message above it: the ladder follows cause and effect (each "
			"agent's own log order), not the agents' clocks</text>\n",
			height - 8);
	fputs("</svg>\n", fp);
}
