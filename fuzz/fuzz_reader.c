/**
 * @file fuzz/fuzz_reader.c  libFuzzer target: the harness's readers
 *
 * What sstck does with a finished case, on hostile logs: the oracle
 * (runner_run_oracle: oracle_judge over the agents' SIPp message logs and the
 * target's trace, writing the ladder), the verdict (judge), results.json
 * (results_json), then the HTML report's reader over that run
 * (report_write: results.json, the ladder, the rules catalog) and the
 * comparison of the run with itself (report_compare).
 *
 * Input: a mode byte, then parts cut at FUZZ_SEP ("\n%%SSTCK%%\n"):
 *
 *   part 0  caller.msg.log   (the UAC agent's SIPp -trace_msg log)
 *   part 1  trace.jsonl      (the target's trace; absent: no trace)
 *   part 2  callee.msg.log   (a UAS agent), if present
 *   part 3  b.msg.log        (a second UAS agent), if present
 *   part 4  target.cf        (the target's CF sides), if present
 *   part 5  the case's [ref] args, if present
 *
 *   mode bits 0-2  the application: proxy, send-on, fork, b2bua,
 *                  click-to-call, probe (mod 6)
 *
 * The files go to a folder of this process's under $TMPDIR (/dev/shm
 * when it exists), rewritten for every input.  SSTCK_TOP names the tree
 * (state table, rules catalog); default: the current directory.
 */
#define _GNU_SOURCE 1          /* memmem */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "sstck.h"
#include "report.h"

#define FUZZ_SEP "\n%%SSTCK%%\n"
#define NPARTS 6

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const app_names[] = {
	"proxy", "send-on", "fork", "b2bua", "click-to-call", "probe",
};

static char top[1024], out[1024], dir[1200];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *t = getenv("SSTCK_TOP"), *tmp = getenv("TMPDIR");
	char path[1200];

	(void)argc;
	(void)argv;
	text_fmt(top, sizeof(top), "%s", t ? t : ".");
	text_fmt(path, sizeof(path), "%s/conformance/oracle/state-table.tsv", top);
	if (access(path, R_OK)) {
		fprintf(stderr, "fuzz-reader: no %s: run from the top of the "
			"tree or set SSTCK_TOP\n", path);
		exit(2);
	}
	if (!tmp)
		tmp = access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm";
	text_fmt(out, sizeof(out), "%s/sstck-fuzz-reader.%ld", tmp,
		 (long)getpid());
	text_fmt(dir, sizeof(dir), "%s/cases", out);
	mkdir(out, 0700);
	mkdir(dir, 0700);
	text_fmt(dir, sizeof(dir), "%s/cases/fuzz", out);
	mkdir(dir, 0700);
	text_fmt(dir, sizeof(dir), "%s/cases/fuzz/case", out);
	if (mkdir(dir, 0700) && access(dir, W_OK)) {
		fprintf(stderr, "fuzz-reader: cannot make %s\n", dir);
		exit(2);
	}
	return 0;
}

static void put(const char *name, const uint8_t *p, size_t n, bool present)
{
	char path[1400];
	FILE *fp;

	text_fmt(path, sizeof(path), "%s/%s", dir, name);
	if (!present) {
		unlink(path);
		return;
	}
	fp = fopen(path, "wb");
	if (!fp)
		abort();
	if (n && fwrite(p, 1, n, fp) != n)
		abort();
	fclose(fp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *part[NPARTS] = {0}, *p, *end;
	size_t len[NPARTS] = {0}, np = 0;
	struct case_result *cr;
	struct target t;
	char path[1400], err[512];
	const char *dirs[2] = { out, out };

	if (!size)
		return 0;
	for (p = data + 1, end = data + size; np < NPARTS;) {
		const uint8_t *q = memmem(p, (size_t)(end - p), FUZZ_SEP,
					  sizeof(FUZZ_SEP) - 1);

		part[np] = p;
		len[np++] = (size_t)((q ? q : end) - p);
		if (!q)
			break;
		p = q + sizeof(FUZZ_SEP) - 1;
	}
	cr = calloc(1, sizeof(*cr));
	if (!cr)
		abort();
	text_fmt(cr->m.name, sizeof(cr->m.name), "fuzz/case");
	text_fmt(cr->m.dir, sizeof(cr->m.dir), "%s", dir);
	text_fmt(cr->m.summary, sizeof(cr->m.summary), "a fuzzed case");
	text_fmt(cr->m.app, sizeof(cr->m.app), "%s",
		 app_names[(data[0] & 7) % 6]);
	if (np > 5)
		text_fmt(cr->m.args, sizeof(cr->m.args), "%.*s", (int)len[5],
			 (const char *)part[5]);
	cr->m.expect_derived = -1;
	{
		static const char *const agent[] = { "caller", "callee", "b" };
		static const int at[] = { 0, 2, 3 };

		for (size_t i = 0; i < 3; i++) {
			char f[64];

			text_fmt(f, sizeof(f), "%s.msg.log", agent[i]);
			put(f, part[at[i]], len[at[i]], np > (size_t)at[i]);
			if (np <= (size_t)at[i])
				continue;
			struct agent *ag = &cr->m.agents[cr->m.nagents++];

			text_fmt(ag->name, sizeof(ag->name), "%s", agent[i]);
			ag->role = i ? ROLE_UAS : ROLE_UAC;
			struct agent_facts *af = &cr->f.agents[cr->f.nagents++];

			text_fmt(af->name, sizeof(af->name), "%s", agent[i]);
			af->role = ag->role;
			af->ran = true;
			af->calls_ok = 1;
			af->received = -1;
			text_fmt(af->log, sizeof(af->log), "%s.msg.log", agent[i]);
		}
	}
	put("trace.jsonl", part[1], len[1], np > 1);
	put("target.cf", part[4], len[4], np > 4);
	text_fmt(cr->out, sizeof(cr->out), "%s", dir);
	cr->f.trace = np > 1;
	cr->f.state_header = true;
	cr->f.target_started = true;
	cr->f.live_ss = -1;
	cr->f.derived = -1;
	cr->f.expect_derived = -1;
	runner_run_oracle(top, &cr->m, dir, &cr->f.oracle);
	judge_facts(&cr->f, &cr->j);
	/* each finding's rule is one of the case's, as a manifest lists them */
	for (size_t i = 0; i < cr->f.oracle.n && i < SSTCK_MAX_FINDINGS &&
	     cr->m.nrules < SSTCK_MAX_RULES; i++) {
		text_fmt(cr->m.rules[cr->m.nrules], sizeof(cr->m.rules[0]), "%s",
			 cr->f.oracle.f[i].rule);
		cr->rule_v[cr->m.nrules++] = cr->j.verdict;
	}
	memset(&t, 0, sizeof(t));
	text_fmt(t.name, sizeof(t.name), "ref");
	t.state_header = t.trace = true;
	text_fmt(path, sizeof(path), "%s/results.json", out);
	if (results_json(path, &t, cr, 1, 1.0))
		abort();
	(void)report_write(out, top, err, sizeof(err));
	text_fmt(path, sizeof(path), "%s/compare.html", out);
	(void)report_compare(dirs, 2, path, err, sizeof(err));
	free(cr);
	return 0;
}
