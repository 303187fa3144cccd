/**
 * @file conformance/oracle/test/t_mutation.c  the oracle's mutation tests
 * (check-oracle).
 *
 *   check-oracle CASES_DIR [MUTATIONS_TSV]
 *
 * CASES_DIR holds the logs of a finished run against sstck-ref (as
 * `sstck run` leaves them under OUT/cases/).  Each row of the mutation
 * table (conformance/oracle/mutations.tsv) names a case, a file of it and
 * an edit that makes the logs wrong on purpose; the test copies the case,
 * makes the edit, judges the copy with the oracle and asserts a finding
 * with the rule ID the row names.  Every case a mutation uses is first
 * judged unchanged and must give no finding: the edit, and nothing else,
 * is what the oracle caught.
 *
 * Real logs from a real run, not hand-written ones: the oracle is tested
 * on what it meets in use.
 */
#include <check.h>
#include <dirent.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sstck.h"

#define MAX_MUT 128
#define MAX_EDITS 4

struct edit {
	char file[64];
	char op[16];           /* sub, drop, dup, append */
	char pattern[512];
	char arg[512];         /* sub: the replacement; append: the line */
	int nth;               /* 1-based; 0: every one (sub, drop) */
};

struct mutation {
	char id[64];
	char kase[128];
	char rule[24];
	char what[256];
	struct edit e[MAX_EDITS];
	size_t ne;
};

static struct mutation muts[MAX_MUT];
static size_t nmuts;
static const char *cases_dir;
static const char *top = ".";

/* --- the table ------------------------------------------------------ */

/* Turns the table's \t, \r and \n into the characters (POSIX regular
 * expressions have no such escapes). */
static void unescape(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] == 'n') {
			*d++ = '\n';
			s++;
		} else if (s[0] == '\\' && s[1] == 'r') {
			*d++ = '\r';
			s++;
		} else if (s[0] == '\\' && s[1] == 't') {
			*d++ = '\t';
			s++;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

/* Columns: id, case, file, op, nth, pattern, argument, rule, what.
 * Rows with the same id are edits of one mutation, in order. */
static int table_load(const char *path)
{
	FILE *fp = fopen(path, "r");
	char line[2048];
	int ln = 0;

	if (!fp) {
		fprintf(stderr, "check-oracle: cannot read %s\n", path);
		return -1;
	}
	while (fgets(line, sizeof(line), fp)) {
		char *p = line, *c[9];
		struct mutation *m;
		struct edit *e;
		size_t k;

		ln++;
		line[strcspn(line, "\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		for (k = 0; k < 9; k++)
			c[k] = text_tsv_field(&p);
		for (k = 0; k < 9 && c[k]; k++)
			;
		if (k < 9) {
			fprintf(stderr, "%s:%d: expected 9 columns, saw %zu\n",
				path, ln, k);
			fclose(fp);
			return -1;
		}
		m = nmuts ? &muts[nmuts - 1] : NULL;
		if (!m || strcmp(m->id, c[0])) {
			if (nmuts == MAX_MUT) {
				fclose(fp);
				return -1;
			}
			m = &muts[nmuts++];
			memset(m, 0, sizeof(*m));
			text_fmt(m->id, sizeof(m->id), "%s", c[0]);
			text_fmt(m->kase, sizeof(m->kase), "%s", c[1]);
			text_fmt(m->rule, sizeof(m->rule), "%s", c[7]);
			text_fmt(m->what, sizeof(m->what), "%s", c[8]);
		}
		if (m->ne == MAX_EDITS || strcmp(m->kase, c[1]) ||
		    strcmp(m->rule, c[7])) {
			fprintf(stderr, "%s:%d: a further edit of %s must name the "
				"same case and rule\n", path, ln, m->id);
			fclose(fp);
			return -1;
		}
		e = &m->e[m->ne++];
		text_fmt(e->file, sizeof(e->file), "%s", c[2]);
		text_fmt(e->op, sizeof(e->op), "%s", c[3]);
		e->nth = atoi(c[4]);
		text_fmt(e->pattern, sizeof(e->pattern), "%s", c[5]);
		unescape(e->pattern);
		text_fmt(e->arg, sizeof(e->arg), "%s", c[6]);
		unescape(e->arg);
		if (strcmp(e->op, "sub") && strcmp(e->op, "drop") &&
		    strcmp(e->op, "dup") && strcmp(e->op, "append")) {
			fprintf(stderr, "%s:%d: unknown op %s\n", path, ln, e->op);
			fclose(fp);
			return -1;
		}
	}
	fclose(fp);
	return 0;
}

/* --- files ------------------------------------------------------------ */

static void spit(const char *path, const char *buf, size_t len)
{
	FILE *fp = fopen(path, "wb");

	ck_assert_msg(fp != NULL, "cannot write %s", path);
	ck_assert_uint_eq(fwrite(buf, 1, len, fp), len);
	fclose(fp);
}

/* Copies every file of SRC into a new folder; its path in DST. */
static void copy_case(const char *src, char *dst, size_t dstsz)
{
	DIR *d;
	struct dirent *de;

	text_fmt(dst, dstsz, "/tmp/check-oracle.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dst));
	d = opendir(src);
	ck_assert_msg(d != NULL, "no case logs at %s (run sstck first)", src);
	while ((de = readdir(d))) {
		char a[1024], b[1024];
		size_t len;
		char *buf;

		if (de->d_name[0] == '.')
			continue;
		text_fmt(a, sizeof(a), "%s/%s", src, de->d_name);
		text_fmt(b, sizeof(b), "%s/%s", dst, de->d_name);
		buf = text_file_read(a, &len);
		if (!buf)
			continue;     /* a folder */
		spit(b, buf, len);
		free(buf);
	}
	closedir(d);
}

static void rm_case(const char *dir)
{
	char cmd[1200];

	text_fmt(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* --- edits ------------------------------------------------------------ */

/* The units an edit works on: a SIPp message log is a run of blocks, each
 * opening with a line of dashes and a time; a trace is a run of lines. */
static bool is_log(const char *file)
{
	size_t l = strlen(file);

	return l > 8 && !strcmp(file + l - 8, ".msg.log");
}

static size_t unit_end(const char *buf, size_t at, bool log)
{
	const char *p = buf + at;

	if (!log) {
		const char *nl = strchr(p, '\n');

		return nl ? (size_t)(nl - buf) + 1 : at + strlen(p);
	}
	for (const char *q = strchr(p + 1, '\n'); q; q = strchr(q + 1, '\n'))
		if (!strncmp(q + 1, "-----------", 11))
			return (size_t)(q - buf) + 1;
	return at + strlen(p);
}

/* Expands \0 to \9 in REPL from the match M of SRC. */
static void expand(char *out, size_t outsz, const char *repl, const char *src,
		   const regmatch_t *m)
{
	size_t o = 0;

	for (const char *r = repl; *r && o + 1 < outsz; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '9') {
			const regmatch_t *g = &m[r[1] - '0'];

			for (regoff_t i = g->rm_so; g->rm_so >= 0 && i < g->rm_eo &&
			     o + 1 < outsz; i++)
				out[o++] = src[i];
			r++;
		} else {
			out[o++] = *r;
		}
	}
	out[o] = '\0';
}

/* Resolves each {{FILE:REGEX}} in ARG to the first group REGEX matches
 * in the case's FILE: a value the run chose (a Call-ID, a tag, a session
 * id) taken from where it stands, so a mutation can put it elsewhere. */
static void resolve(const char *dir, const char *arg, char *out, size_t outsz)
{
	const char *p, *colon, *end;
	size_t o = 0;

	out[0] = '\0';
	while ((p = strstr(arg, "{{")) && (colon = strchr(p, ':')) &&
	       (end = strstr(colon, "}}"))) {
		char file[128], pat[512], path[1200];
		regex_t re;
		regmatch_t m[2];
		size_t len;
		char *buf;

		text_fmt(file, sizeof(file), "%.*s", (int)(colon - p - 2), p + 2);
		text_fmt(pat, sizeof(pat), "%.*s", (int)(end - colon - 1), colon + 1);
		text_fmt(path, sizeof(path), "%s/%s", dir, file);
		buf = text_file_read(path, &len);
		ck_assert_msg(buf != NULL, "no %s in the case", file);
		ck_assert_msg(!regcomp(&re, pat, REG_EXTENDED | REG_NEWLINE),
			      "bad %s", pat);
		ck_assert_msg(!regexec(&re, buf, 2, m, 0) && m[1].rm_so >= 0,
			      "nothing in %s matches %s", file, pat);
		text_fmt(out + o, outsz - o, "%.*s%.*s", (int)(p - arg), arg,
			 (int)(m[1].rm_eo - m[1].rm_so), buf + m[1].rm_so);
		o += strlen(out + o);
		regfree(&re);
		free(buf);
		arg = end + 2;
	}
	text_fmt(out + o, outsz - o, "%s", arg);
}

/* Applies E to the file in DIR; how many places it changed. */
static int apply_edit(const char *dir, const struct edit *e)
{
	char path[1024], rep[2048], arg[1024];
	size_t len, o = 0, at = 0;
	regex_t re;
	regmatch_t m[10];
	int count = 0, seen = 0;
	bool log = is_log(e->file);
	char *buf, *out;

	resolve(dir, e->arg, arg, sizeof(arg));
	text_fmt(path, sizeof(path), "%s/%s", dir, e->file);
	buf = text_file_read(path, &len);
	if (!buf && !strcmp(e->op, "append")) {      /* a file of its own */
		buf = calloc(1, 1);
		len = 0;
	}
	ck_assert_msg(buf != NULL, "no %s in the case", e->file);
	if (!strcmp(e->op, "append")) {
		out = malloc(len + strlen(arg) + 2);
		ck_assert_ptr_nonnull(out);
		memcpy(out, buf, len);
		o = len;
		memcpy(out + o, arg, strlen(arg));
		o += strlen(arg);
		out[o++] = '\n';
		spit(path, out, o);
		free(out);
		free(buf);
		return 1;
	}
	ck_assert_msg(!regcomp(&re, e->pattern, REG_EXTENDED | REG_NEWLINE),
		      "bad pattern %s", e->pattern);
	out = malloc(2 * len + 4096);
	ck_assert_ptr_nonnull(out);
	if (!strcmp(e->op, "sub")) {
		while (at <= len && !regexec(&re, buf + at, 10, m,
					     at ? REG_NOTBOL : 0)) {
			size_t so = at + (size_t)m[0].rm_so, eo = at + (size_t)m[0].rm_eo;
			bool hit = e->nth == 0 || ++seen == e->nth;

			if (e->nth == 0)
				seen++;
			memcpy(out + o, buf + at, so - at);
			o += so - at;
			if (hit) {
				expand(rep, sizeof(rep), arg, buf + at, m);
				memcpy(out + o, rep, strlen(rep));
				o += strlen(rep);
				count++;
			} else {
				memcpy(out + o, buf + so, eo - so);
				o += eo - so;
			}
			at = eo > so ? eo : eo + 1;
			if (eo == so && so < len)
				out[o++] = buf[so];
			if (e->nth && seen >= e->nth)
				break;
		}
		if (at < len) {
			memcpy(out + o, buf + at, len - at);
			o += len - at;
		}
	} else {
		/* drop or dup whole units that match */
		while (at < len) {
			size_t end = unit_end(buf, at, log);
			char *unit = strndup(buf + at, end - at);
			bool match = unit && !regexec(&re, unit, 0, NULL, 0);
			bool hit = match && (e->nth == 0 || ++seen == e->nth);

			if (match && e->nth == 0)
				seen++;
			if (!hit || !strcmp(e->op, "dup")) {
				memcpy(out + o, buf + at, end - at);
				o += end - at;
			}
			if (hit && !strcmp(e->op, "dup")) {
				memcpy(out + o, buf + at, end - at);
				o += end - at;
			}
			count += hit;
			free(unit);
			at = end;
		}
	}
	regfree(&re);
	spit(path, out, o);
	free(out);
	free(buf);
	return count;
}

/* --- judging ---------------------------------------------------------- */

static void judge_case(const char *dir, struct oracle_facts *o)
{
	struct manifest m;
	char err[SSTCK_TEXT];

	if (manifest_load(&m, dir, dir, NULL, err, sizeof(err)))
		ck_assert_msg(strstr(err, "scenario") != NULL, "%s", err);
	runner_run_oracle(top, &m, dir, o);
	ck_assert_msg(o->ran, "the oracle could not judge %s: %s", dir, o->error);
}

static void dump(const struct oracle_facts *o)
{
	for (size_t i = 0; i < o->n && i < SSTCK_MAX_FINDINGS; i++)
		fprintf(stderr, "    %s: %s (%s)\n", o->f[i].rule, o->f[i].text,
			o->f[i].where);
}

/* Each case a mutation uses gives no finding as it is. */
START_TEST(control)
{
	const struct mutation *mu = &muts[_i];
	struct oracle_facts *o = calloc(1, sizeof(*o));
	char src[1024];

	for (size_t k = 0; k < (size_t)_i; k++)
		if (!strcmp(muts[k].kase, mu->kase)) {
			free(o);
			return;   /* judged already */
		}
	ck_assert_ptr_nonnull(o);
	text_fmt(src, sizeof(src), "%s/%s", cases_dir, mu->kase);
	judge_case(src, o);
	if (o->n)
		dump(o);
	ck_assert_msg(o->n == 0 && o->unparsed == 0, "%s as it ran: %zu findings",
		      mu->kase, o->n);
	ck_assert_msg(o->messages > 0, "%s: no message judged", mu->kase);
	free(o);
}
END_TEST

START_TEST(mutation)
{
	const struct mutation *mu = &muts[_i];
	struct oracle_facts *o = calloc(1, sizeof(*o));
	char src[1024], dir[64];
	bool caught = false;

	ck_assert_ptr_nonnull(o);
	text_fmt(src, sizeof(src), "%s/%s", cases_dir, mu->kase);
	copy_case(src, dir, sizeof(dir));
	for (size_t k = 0; k < mu->ne; k++)
		ck_assert_msg(apply_edit(dir, &mu->e[k]) > 0,
			      "%s: edit %zu (%s %s in %s) changed nothing", mu->id,
			      k + 1, mu->e[k].op, mu->e[k].pattern, mu->e[k].file);
	judge_case(dir, o);
	if (!strcmp(mu->rule, "-")) {
		/* only the agents' clocks moved: the logs are still right */
		if (o->n)
			dump(o);
		rm_case(dir);
		ck_assert_msg(o->n == 0, "%s: %s: %zu findings, expected none",
			      mu->id, mu->what, o->n);
		free(o);
		return;
	}
	for (size_t i = 0; i < o->n && i < SSTCK_MAX_FINDINGS; i++)
		caught |= !strcmp(o->f[i].rule, mu->rule);
	if (!caught) {
		fprintf(stderr, "  %s (%s): no %s among %zu findings\n", mu->id,
			mu->what, mu->rule, o->n);
		dump(o);
	}
	rm_case(dir);
	ck_assert_msg(caught, "%s: %s not caught as %s", mu->id, mu->what, mu->rule);
	free(o);
}
END_TEST

int main(int argc, char **argv)
{
	const char *table = "conformance/oracle/mutations.tsv";
	Suite *s = suite_create("oracle mutations");
	TCase *tc = tcase_create("mutations");
	SRunner *sr;
	int failed;
	char groups[512] = "";
	size_t nclock = 0;

	if (argc < 2 || !strcmp(argv[1], "--help")) {
		fprintf(stderr, "usage: check-oracle CASES_DIR [MUTATIONS_TSV]\n"
			"  CASES_DIR: a finished run's cases (sstck run --out D: D/cases)\n");
		return argc < 2 ? 2 : 0;
	}
	cases_dir = argv[1];
	if (argc > 2)
		table = argv[2];
	if (table_load(table) || !nmuts)
		return 2;
	for (size_t i = 0; i < nmuts; i++) {
		char g[32];
		const char *d = strrchr(muts[i].rule, '-');

		if (!strcmp(muts[i].rule, "-")) {
			nclock++;
			continue;
		}

		text_fmt(g, sizeof(g), " %.*s", (int)(d ? d - muts[i].rule : 0),
			 muts[i].rule);
		if (!strstr(groups, g) && strlen(groups) + strlen(g) < sizeof(groups))
			strcat(groups, g);
	}
	printf("oracle mutations: %zu, rule groups:%s; clock controls: %zu\n",
	       nmuts - nclock, groups, nclock);
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, control, 0, (int)nmuts);
	tcase_add_loop_test(tc, mutation, 0, (int)nmuts);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
