/**
 * @file harness/sstck/httpstep.c  the HTTP steps of a converged case, run by
 * the harness.
 *
 * Each [http.NAME] step of the manifest is one request made with curl
 * (Debian's curl; a process in the case's group like every other) against
 * the target's HTTP side, with a cookie jar per case so that the requests
 * share an HTTP session unless a step says cookie = none.  The answer is
 * judged here: its status and each expectation on its JSON body; with
 * `until` the step is repeated until it holds.  SIPp's <exec> would run
 * the command but not report its result, so it is not used for this.
 */
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sstck.h"

#define MAX_VARS 16

struct vars {
	char name[MAX_VARS][32];
	char value[MAX_VARS][256];
	size_t n;
};

/* {NAME}: an agent's address or a saved value. */
static void expand(const char *in, const struct manifest *m, const int *ports,
		   const struct vars *v, char *out, size_t outsz)
{
	size_t o = 0;

	while (*in && o + 1 < outsz) {
		const char *e = *in == '{' ? strchr(in, '}') : NULL;
		bool done = false;

		if (e) {
			size_t l = (size_t)(e - in - 1);

			for (size_t i = 0; i < m->nagents && !done; i++)
				if (strlen(m->agents[i].name) == l &&
				    !strncmp(m->agents[i].name, in + 1, l)) {
					o += (size_t)snprintf(out + o, outsz - o,
							      "127.0.0.1:%d", ports[i]);
					done = true;
				}
			for (size_t i = 0; i < v->n && !done; i++)
				if (strlen(v->name[i]) == l && !strncmp(v->name[i], in + 1, l)) {
					o += (size_t)snprintf(out + o, outsz - o, "%s",
							      v->value[i]);
					done = true;
				}
		}
		if (done) {
			in = e + 1;
			if (o >= outsz)
				o = outsz - 1;
			continue;
		}
		out[o++] = *in++;
	}
	out[o] = '\0';
}

/* The node at PATH (borrowed), or NULL; with a last step "#", *COUNT
 * gets the length of the node before it. */
static json_t *node_at(json_t *body, const char *path, long *count)
{
	char buf[160], *save = NULL;
	json_t *cur = body;

	*count = -1;
	text_fmt(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k && cur; k = strtok_r(NULL, ".", &save)) {
		if (!strcmp(k, "#")) {
			if (!json_is_array(cur) && !json_is_object(cur))
				return NULL;
			*count = (long)(json_is_array(cur) ? json_array_size(cur) :
					json_object_size(cur));
			return cur;
		}
		if (json_is_array(cur)) {
			char *end;
			long i = strtol(k, &end, 10);

			cur = *end ? NULL : json_array_get(cur, (size_t)i);
		} else {
			cur = json_object_get(cur, k);
		}
	}
	return cur;
}

/* The value at PATH as text; false when there is none. */
static bool value_at(json_t *body, const char *path, char *out, size_t sz)
{
	long count;
	json_t *cur = node_at(body, path, &count);

	if (!cur)
		return false;
	if (count >= 0) {
		text_fmt(out, sz, "%ld", count);
		return true;
	}
	if (json_is_string(cur))
		text_fmt(out, sz, "%s", json_string_value(cur));
	else if (json_is_integer(cur))
		text_fmt(out, sz, "%lld", (long long)json_integer_value(cur));
	else if (json_is_boolean(cur))
		text_fmt(out, sz, "%s", json_is_true(cur) ? "true" : "false");
	else if (json_is_null(cur))
		text_fmt(out, sz, "null");
	else {
		char *t = json_dumps(cur, JSON_COMPACT | JSON_SORT_KEYS);

		text_fmt(out, sz, "%s", t ? t : "?");
		free(t);
	}
	return true;
}

bool http_expect(json_t *body, const char *expect, char *why, size_t whysz)
{
	char path[160], seen[256];
	const char *op, *want;
	size_t pl;
	int kind;                         /* 0 =, 1 !=, 2 ~, 3 has */

	if ((op = strstr(expect, " has "))) {
		json_t *arr, *e;
		size_t i, n;
		long count;

		pl = (size_t)(op - expect);
		want = op + 5;
		text_fmt(path, sizeof(path), "%.*s", (int)pl, expect);
		arr = node_at(body, path, &count);
		if (!json_is_array(arr) || count >= 0) {
			text_fmt(why, whysz, "%s: no list in the answer", path);
			return false;
		}
		n = json_array_size(arr);
		for (i = 0; i < n; i++) {
			e = json_array_get(arr, i);
			if (json_is_object(e))
				e = json_object_get(e, "id");
			if (json_is_string(e) && !strcmp(json_string_value(e), want))
				break;
		}
		text_fmt(why, whysz, "%s (%zu entries) has no %s", path, n, want);
		return i < n;
	}
	if ((op = strstr(expect, " != ")))
		kind = 1;
	else if ((op = strstr(expect, " = ")))
		kind = 0;
	else if ((op = strstr(expect, " ~ ")))
		kind = 2;
	else {
		text_fmt(why, whysz, "'%s' is no expectation", expect);
		return false;
	}
	pl = (size_t)(op - expect);
	want = op + (kind == 1 ? 4 : 3);
	text_fmt(path, sizeof(path), "%.*s", (int)pl, expect);
	if (!value_at(body, path, seen, sizeof(seen))) {
		text_fmt(why, whysz, "%s: no such value in the answer", path);
		return false;
	}
	if (kind == 2) {
		regex_t re;
		bool ok;

		if (regcomp(&re, want, REG_EXTENDED | REG_NOSUB)) {
			text_fmt(why, whysz, "%s: bad regular expression %s", path, want);
			return false;
		}
		ok = !regexec(&re, seen, 0, NULL, 0);
		regfree(&re);
		text_fmt(why, whysz, "%s is '%s', expected to match %s", path, seen, want);
		return ok;
	}
	text_fmt(why, whysz, "%s is '%s', expected %s'%s'", path, seen,
		 kind ? "not " : "", want);
	return kind ? strcmp(seen, want) != 0 : strcmp(seen, want) == 0;
}

static long long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One request; its status (0 when curl failed) and parsed body. */
static int request(const struct http_step *h, const char *url, const char *body,
		   const char *outdir, int k, long long deadline, json_t **bodyp,
		   char *raw, size_t rawsz)
{
	char jar[1024], outf[1024], codef[1024], tmo[16];
	char *argv[32], *txt;
	json_error_t je;
	int n = 0, code = 0;
	pid_t pid;

	text_fmt(jar, sizeof(jar), "%s/http.cookies", outdir);
	text_fmt(outf, sizeof(outf), "%s/http.%d.body", outdir, k);
	text_fmt(codef, sizeof(codef), "%s/http.%d.code", outdir, k);
	text_fmt(tmo, sizeof(tmo), "%d", 5);
	argv[n++] = "curl";
	argv[n++] = "-sS";
	argv[n++] = "--max-time";
	argv[n++] = tmo;
	argv[n++] = "-X";
	argv[n++] = (char *)h->method;
	argv[n++] = "-o";
	argv[n++] = outf;
	argv[n++] = "-w";
	argv[n++] = "%{http_code}";
	if (!h->no_cookie) {
		argv[n++] = "-b";
		argv[n++] = jar;
		argv[n++] = "-c";
		argv[n++] = jar;
	}
	if (body[0]) {
		argv[n++] = "-H";
		argv[n++] = "Content-Type: application/json";
		argv[n++] = "--data-binary";
		argv[n++] = (char *)body;
	}
	argv[n++] = (char *)url;
	argv[n] = NULL;
	unlink(outf);
	pid = proc_spawn(argv, codef, outdir);
	if (pid < 0 || proc_wait(pid, deadline) != 0) {
		if (pid > 0)
			proc_stop(pid, 500);
		txt = text_file_read(codef, NULL);
		text_fmt(raw, rawsz, "curl failed: %s", txt && *txt ? txt : "no answer");
		free(txt);
		return 0;
	}
	txt = text_file_read(codef, NULL);
	code = txt ? atoi(txt) : 0;
	free(txt);
	txt = text_file_read(outf, NULL);
	text_fmt(raw, rawsz, "%s", txt ? txt : "");
	*bodyp = txt && *txt ? json_loads(txt, 0, &je) : NULL;
	free(txt);
	return code;
}

void http_steps_run(const struct manifest *m, const int *ports, const char *base,
		    const char *outdir, long long deadline, struct facts *f)
{
	struct vars v = { .n = 0 };
	char logp[1024];
	FILE *log;

	text_fmt(logp, sizeof(logp), "%s/http.log", outdir);
	log = fopen(logp, "w");
	f->nhttp = m->nhttp;
	for (size_t i = 0; i < m->nhttp; i++)
		text_fmt(f->http[i].name, sizeof(f->http[i].name), "%s", m->http[i].name);
	for (size_t i = 0; i < m->nhttp; i++) {
		const struct http_step *h = &m->http[i];
		char path[512], url[600], body[1024], why[SSTCK_TEXT], raw[1024];
		long long until = ms_now() + (long long)h->until_s * 1000;
		bool ok = false;
		int code = 0, tries = 0;
		json_t *js = NULL;

		expand(h->path, m, ports, &v, path, sizeof(path));
		expand(h->body, m, ports, &v, body, sizeof(body));
		text_fmt(url, sizeof(url), "%s%s", base, path);
		f->http[i].ran = true;
		if (h->pause_ms)      /* a timeout counted from here (HTTP-06) */
			usleep((useconds_t)h->pause_ms * 1000);
		do {
			json_decref(js);
			js = NULL;
			if (tries++)
				usleep(100 * 1000);
			code = request(h, url, body, outdir, (int)i, deadline, &js, raw,
				       sizeof(raw));
			if (log)
				fprintf(log, "%s %s %s -> %d %s\n", h->name, h->method, url,
					code, raw);
			ok = code && (h->status ? code == h->status :
				      code >= 200 && code < 300);
			if (!ok) {
				text_fmt(why, sizeof(why), "%s %s: status %d, expected %d%s",
					 h->method, path, code, h->status ? h->status : 200,
					 h->status ? "" : "-299");
				if (!code)
					text_fmt(why, sizeof(why), "%s %s: %s", h->method, path, raw);
			}
			for (size_t k = 0; ok && k < h->nexpect; k++) {
				char exp[256], w[300];

				expand(h->expect[k], m, ports, &v, exp, sizeof(exp));
				if (!js) {
					ok = false;
					text_fmt(why, sizeof(why), "%s %s: the answer is no JSON: %.80s",
						 h->method, path, raw);
				} else if (!http_expect(js, exp, w, sizeof(w))) {
					ok = false;
					text_fmt(why, sizeof(why), "%s %s: %s", h->method, path, w);
				}
			}
		} while (!ok && code && h->until_s && ms_now() < until && ms_now() < deadline);
		for (size_t k = 0; ok && k < h->nsave && v.n < MAX_VARS; k++) {
			char name[32], p[96];

			if (sscanf(h->save[k], "%31s %95s", name, p) == 2 && js &&
			    value_at(js, p, v.value[v.n], sizeof(v.value[0]))) {
				text_fmt(v.name[v.n], sizeof(v.name[0]), "%s", name);
				v.n++;
			} else {
				ok = false;
				text_fmt(why, sizeof(why), "%s %s: nothing to save at %s",
					 h->method, path, h->save[k]);
			}
		}
		json_decref(js);
		f->http[i].ok = ok;
		if (ok)
			text_fmt(f->http[i].detail, sizeof(f->http[i].detail),
				 "%s %s: %d, %zu expectation%s held%s", h->method, path, code,
				 h->nexpect, h->nexpect == 1 ? "" : "s",
				 tries > 1 ? " (polled)" : "");
		else
			text_fmt(f->http[i].detail, sizeof(f->http[i].detail), "%s", why);
		if (!ok)
			break;
	}
	if (log)
		fclose(log);
}
