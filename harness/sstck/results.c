/**
 * @file harness/sstck/results.c  what a run leaves for people and for CI:
 * results.json (all of it, for the report), junit.xml (one testcase per case,
 * valid against reports/junit.xsd; not observable is <skipped>, never a pass)
 * and the table.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "sstck.h"

static const char *role_name(enum agent_role r)
{
	return r == ROLE_UAC ? "uac" : "uas";
}

static json_t *case_json(const struct case_result *r)
{
	json_t *c = json_object(), *rules = json_array(), *checks = json_array(),
	       *agents = json_array();

	json_object_set_new(c, "name", text_json(r->m.name));
	json_object_set_new(c, "summary", text_json(r->m.summary));
	json_object_set_new(c, "app", text_json(r->m.app));
	json_object_set_new(c, "verdict", text_json(judge_verdict_name(r->j.verdict)));
	json_object_set_new(c, "timed_out", json_boolean(r->f.timed_out));
	json_object_set_new(c, "reason", text_json(r->j.reason));
	json_object_set_new(c, "where", text_json(r->j.where));
	json_object_set_new(c, "out", text_json(r->out));
	json_object_set_new(c, "seconds", json_real(r->seconds));
	for (size_t i = 0; i < r->m.nrules; i++) {
		json_t *x = json_object();

		json_object_set_new(x, "id", text_json(r->m.rules[i]));
		json_object_set_new(x, "verdict", text_json(judge_verdict_name(r->rule_v[i])));
		json_array_append_new(rules, x);
	}
	json_object_set_new(c, "rules", rules);
	for (size_t i = 0; i < r->j.nchecks; i++) {
		const struct check *k = &r->j.checks[i];
		json_t *x = json_object();

		json_object_set_new(x, "name", text_json(k->name));
		json_object_set_new(x, "outcome", text_json(judge_verdict_name(k->outcome)));
		json_object_set_new(x, "detail", text_json(k->detail));
		json_array_append_new(checks, x);
	}
	json_object_set_new(c, "checks", checks);
	for (size_t i = 0; i < r->f.nagents; i++) {
		const struct agent_facts *a = &r->f.agents[i];
		json_t *x = json_object();

		json_object_set_new(x, "name", text_json(a->name));
		json_object_set_new(x, "role", text_json(role_name(a->role)));
		json_object_set_new(x, "ran", json_boolean(a->ran));
		json_object_set_new(x, "exit", json_integer(a->exit));
		json_object_set_new(x, "calls_ok", json_integer(a->calls_ok));
		json_object_set_new(x, "calls_failed", json_integer(a->calls_failed));
		json_object_set_new(x, "received", json_integer(a->received));
		json_object_set_new(x, "state_checks", json_integer(a->state_checks));
		json_object_set_new(x, "message_log", text_json(a->log));
		json_object_set_new(x, "error", text_json(a->error));
		json_array_append_new(agents, x);
	}
	json_object_set_new(c, "agents", agents);
	if (r->f.oracle.ran) {
		json_t *fs = json_array();

		for (size_t i = 0; i < r->f.oracle.n && i < SSTCK_MAX_FINDINGS; i++)
			json_array_append_new(fs, json_pack("{s:s,s:s,s:s}", "rule",
				r->f.oracle.f[i].rule, "where", r->f.oracle.f[i].where,
				"text", r->f.oracle.f[i].text));
		json_object_set_new(c, "findings", fs);
	}
	/* the capture made from the agents' logs (pcap.c), when there is one,
	 * or why there is none */
	if (r->f.pcap.written)
		json_object_set_new(c, "capture", json_pack("{s:s,s:I,s:I,s:I,s:I}",
			"file", "case.pcap", "packets", (json_int_t)r->f.pcap.packets,
			"direct", (json_int_t)r->f.pcap.direct,
			"skipped", (json_int_t)r->f.pcap.skipped,
			"logs_missing", (json_int_t)r->f.pcap.missing));
	else if (r->f.pcap.error[0])
		json_object_set_new(c, "capture", json_pack("{s:o}", "error",
			text_json(r->f.pcap.error)));
	json_object_set_new(c, "live_ss", json_integer(r->f.live_ss));
	json_object_set_new(c, "derived", json_integer(r->f.derived));
	return c;
}

/* A rule's verdict over all its cases: a failure anywhere, then an
 * error, then a pass; not observable only when no case could judge it. */
static enum verdict merge(enum verdict a, enum verdict b)
{
	static const int rank[] = { [V_FAILED] = 4, [V_ERROR] = 3,
				    [V_PASSED] = 2, [V_NOTOBS] = 1, [V_NA] = 0,
				    [V_SKIPPED] = 0 };

	return rank[b] > rank[a] ? b : a;
}

int results_json(const char *path, const struct target *t,
		 const struct case_result *rs, size_t n, double seconds)
{
	json_t *root = json_object(), *cases = json_array(), *tot = json_object(),
	       *tj = json_object(), *rules = json_object();
	long count[SSTCK_NVERDICTS] = { 0 };
	int rc;

	json_object_set_new(tj, "name", text_json(t->name));
	json_object_set_new(tj, "summary", text_json(t->summary));
	json_object_set_new(tj, "state_header", json_boolean(t->state_header));
	json_object_set_new(tj, "trace", json_boolean(t->trace));
	json_object_set_new(root, "tool", text_json("sstck"));
	json_object_set_new(root, "version", text_json(SSTCK_VERSION));
	json_object_set_new(root, "target", tj);
	json_object_set_new(root, "seconds", json_real(seconds));
	for (size_t i = 0; i < n; i++) {
		json_array_append_new(cases, case_json(&rs[i]));
		count[rs[i].j.verdict]++;
		for (size_t k = 0; k < rs[i].m.nrules; k++) {
			json_t *x = json_object_get(rules, rs[i].m.rules[k]);
			enum verdict v = rs[i].rule_v[k];

			if (!x) {
				x = json_object();
				json_object_set_new(x, "cases", json_array());
				json_object_set_new(rules, rs[i].m.rules[k], x);
			} else {
				const char *old = json_string_value(json_object_get(x, "verdict"));

				for (int q = 0; q < SSTCK_NVERDICTS; q++)
					if (!strcmp(old, judge_verdict_name(q)))
						v = merge((enum verdict)q, v);
			}
			json_object_set_new(x, "verdict", text_json(judge_verdict_name(v)));
			json_array_append_new(json_object_get(x, "cases"),
					      text_json(rs[i].m.name));
		}
	}
	for (int v = 0; v < SSTCK_NVERDICTS; v++)
		json_object_set_new(tot, judge_verdict_name(v), json_integer(count[v]));
	json_object_set_new(root, "totals", tot);
	json_object_set_new(root, "rules", rules);
	json_object_set_new(root, "cases", cases);
	rc = json_dump_file(root, path, JSON_INDENT(1) | JSON_SORT_KEYS);
	json_decref(root);
	return rc;
}

/* junit.xml, valid against reports/junit.xsd (the Jenkins xUnit
 * plugin's constraints): a testcase per case, named by the whole case
 * name (groups share names: proxy/cancel-ringing, fork/cancel-ringing);
 * the case's rules and their verdicts in its system-out, since a testcase
 * holds no properties; the run's target and CF sides as the suite's. */
int results_junit(const char *path, const struct target *t,
		  const struct case_result *rs, size_t n, double seconds)
{
	FILE *fp = fopen(path, "w");
	long count[SSTCK_NVERDICTS] = { 0 };
	char a[2048], b[2048];

	if (!fp)
		return -1;
	for (size_t i = 0; i < n; i++)
		count[rs[i].j.verdict]++;
	text_xml_escape(t->name, a, sizeof(a));
	fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites name=\"sstck\" tests=\"%zu\" failures=\"%ld\" "
		"errors=\"%ld\" time=\"%.3f\">\n"
		" <testsuite name=\"sessiontck.%s\" tests=\"%zu\" failures=\"%ld\" "
		"errors=\"%ld\" skipped=\"%ld\" time=\"%.3f\">\n  <properties>\n",
		n, count[V_FAILED], count[V_ERROR], seconds,
		a, n, count[V_FAILED], count[V_ERROR], count[V_NOTOBS] + count[V_NA] + count[V_SKIPPED],
		seconds);
	fprintf(fp, "   <property name=\"sstck.version\" value=\"%s\"/>\n"
		"   <property name=\"target\" value=\"%s\"/>\n", SSTCK_VERSION, a);
	text_xml_escape(t->summary, a, sizeof(a));
	fprintf(fp, "   <property name=\"target.summary\" value=\"%s\"/>\n", a);
	text_xml_escape(t->cf, a, sizeof(a));
	fprintf(fp, "   <property name=\"target.cf\" value=\"%s\"/>\n  </properties>\n", a);
	for (size_t i = 0; i < n; i++) {
		const struct case_result *r = &rs[i];
		const char *slash = strchr(r->m.name, '/');
		char cls[160];

		snprintf(cls, sizeof(cls), "%.*s", slash ? (int)(slash - r->m.name) :
			 (int)strlen(r->m.name), r->m.name);
		text_xml_escape(cls, a, sizeof(a));
		text_xml_escape(r->m.name, b, sizeof(b));
		fprintf(fp, "  <testcase classname=\"sessiontck.%s\" name=\"%s\" "
			"time=\"%.3f\">\n", a, b, r->seconds < 0 ? 0.0 : r->seconds);
		text_xml_escape(r->j.reason, a, sizeof(a));
		text_xml_escape(r->j.where, b, sizeof(b));
		switch (r->j.verdict) {
		case V_FAILED:
			fprintf(fp, "   <failure message=\"%s\">see %s in %s</failure>\n",
				a, b, r->out);
			break;
		case V_ERROR:
			fprintf(fp, "   <error message=\"%s\">%s</error>\n", a, b);
			break;
		case V_NOTOBS:
			fprintf(fp, "   <skipped message=\"not observable: %s\"/>\n", a);
			break;
		case V_NA:
			fprintf(fp, "   <skipped message=\"not applicable: %s\"/>\n", a);
			break;
		case V_SKIPPED:
			fprintf(fp, "   <skipped message=\"skipped: %s\"/>\n", a);
			break;
		case V_PASSED:
			break;
		}
		text_xml_escape(r->m.summary, a, sizeof(a));
		fprintf(fp, "   <system-out>%s\n", a);
		for (size_t k = 0; k < r->m.nrules; k++) {
			text_xml_escape(r->m.rules[k], a, sizeof(a));
			fprintf(fp, "rule %s: %s\n", a, judge_verdict_name(r->rule_v[k]));
		}
		for (size_t k = 0; k < r->j.nchecks; k++) {
			const struct check *c = &r->j.checks[k];

			text_xml_escape(c->detail, a, sizeof(a));
			text_xml_escape(c->name, b, sizeof(b));
			fprintf(fp, "%s: %s: %s\n", judge_verdict_name(c->outcome), b, a);
		}
		fprintf(fp, "</system-out>\n  </testcase>\n");
	}
	fprintf(fp, " </testsuite>\n</testsuites>\n");
	return fclose(fp);
}

const char *results_verdict_word(const struct case_result *r)
{
	/* a case that ran into its timeout failed, and says so in a word */
	if (r->j.verdict == V_FAILED && r->f.timed_out)
		return "failed/timeout";
	return judge_verdict_name(r->j.verdict);
}

void results_table(FILE *fp, const struct case_result *rs, size_t n)
{
	size_t w = 4;

	for (size_t i = 0; i < n; i++)
		if (strlen(rs[i].m.name) > w)
			w = strlen(rs[i].m.name);
	fprintf(fp, "%-14s  %-*s  %6s  %s\n", "verdict", (int)w, "case", "time", "rules / reason");
	for (size_t i = 0; i < n; i++) {
		const struct case_result *r = &rs[i];
		char rules[SSTCK_TEXT] = "";
		size_t l = 0;

		for (size_t k = 0; k < r->m.nrules && l < sizeof(rules) - 32; k++)
			l += snprintf(rules + l, sizeof(rules) - l, "%s%s%s", k ? " " : "",
				      r->m.rules[k], r->rule_v[k] == V_NOTOBS &&
				      r->j.verdict != V_NOTOBS ? "(n/o)" : "");
		fprintf(fp, "%-14s  %-*s  %5.1fs  %s\n", results_verdict_word(r),
			(int)w, r->m.name, r->seconds,
			r->j.verdict == V_PASSED ? rules : r->j.reason);
	}
}
