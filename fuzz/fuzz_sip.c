/**
 * @file fuzz/fuzz_sip.c  libFuzzer target: sstck-ref's receive path
 *
 * Each input is one short life of a container: sipc_alloc with one of
 * the applications, the input's messages fed in as sstck-ref receives
 * them (UDP datagrams, or chunks of one TCP stream), HTTP requests to its
 * HTTP side (no listening socket), then sipc_free.  A message is parsed,
 * goes through the transaction layer, the session model and the
 * application; whatever the container sends is dropped (fuzz/hook.h).
 *
 * Input: a mode byte, then parts cut at FUZZ_SEP ("\n%%SSTCK%%\n").
 *
 *   mode bits 0-2  the application: proxy, b2bua, fork, probe,
 *                  click-to-call, send-on, uas (mod 7); SSTCK_FUZZ_APP=NAME
 *                  in the environment fixes it instead
 *        bit 3     TCP: each part is a chunk of one stream; else UDP:
 *                  each part is a datagram
 *        bit 4     the application's other options (proxy
 *                  --rr-invite-only, b2bua --auth-retry --same-call-id,
 *                  fork --sequential --reproxy, send-on --domain)
 *        bit 5     UDP parts come from [::1] rather than 127.0.0.1
 *        bit 6     time passes at the end: 1, 4, 32, 64 and 200 s, the
 *                  loop turning after each (Timers A to K, branch
 *                  timeouts, session expiry)
 *
 * A part whose first line ends in " HTTP/1.0" or " HTTP/1.1" goes to the
 * HTTP side instead (the monitor, and click-to-call's /calls).  A part
 * "%wait N" moves the container's clocks N seconds forward (at most an
 * hour) and turns the loop (fuzz/clock_hook.c).

 */
#define _GNU_SOURCE 1          /* memmem */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "apps.h"
#include "http.h"
#include "hook.h"

#define FUZZ_SEP "\n%%SSTCK%%\n"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const app_names[] = {
	"proxy", "b2bua", "fork", "probe", "click-to-call", "send-on", "uas",
};
#define NAPPS (sizeof(app_names) / sizeof(app_names[0]))

static int fixed_app = -1;
static bool no_skip;               /* SSTCK_FUZZ_NO_SKIP: run fuzz/known/ */
static bool verbose;               /* SSTCK_FUZZ_VERBOSE: the container's log */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *e = getenv("SSTCK_FUZZ_APP");

	(void)argc;
	(void)argv;
	signal(SIGPIPE, SIG_IGN);
	verbose = getenv("SSTCK_FUZZ_VERBOSE") != NULL;
	no_skip = getenv("SSTCK_FUZZ_NO_SKIP") != NULL;
	if (e) {
		for (size_t i = 0; i < NAPPS; i++)
			if (!strcmp(e, app_names[i]))
				fixed_app = (int)i;
		if (fixed_app < 0) {
			fprintf(stderr, "fuzz-sip: SSTCK_FUZZ_APP: unknown "
				"application '%s'\n", e);
			exit(2);
		}
	}
	return 0;
}

#define SKIP_MULTIPART 0   /* the guard is fixed (649bfdc): multipart inputs fuzzed again */

/* Whether "multipart/" is anywhere in @p, in any case. */
static bool names_multipart(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 10 <= n; i++)
		if (!strncasecmp((const char *)p + i, "multipart/", 10))
			return true;
	return false;
}

static bool is_http(const uint8_t *p, size_t n)
{
	const uint8_t *eol = memchr(p, '\n', n);
	size_t l = eol ? (size_t)(eol - p) : n;

	if (l && p[l - 1] == '\r')
		l--;
	return l >= 9 && (!memcmp(p + l - 9, " HTTP/1.1", 9) ||
			  !memcmp(p + l - 9, " HTTP/1.0", 9));
}

/* how main() sets up the application @name (model/ref/main.c) */
static void app_cfg_of(struct app_cfg *a, struct sipc_cfg *cfg,
		       const char *name, bool variant)
{
	static char t1[] = "sip:a@127.0.0.1:5071";
	static char t2[] = "sip:b@127.0.0.1:5072";

	memset(a, 0, sizeof(*a));
	a->name = name;
	a->px.parallel = true;
	a->px.recurse = true;
	a->px.branch_timeout_ms = 4000;
	if (!strcmp(name, "proxy")) {
		a->rr_invite_only = variant;
	} else if (!strcmp(name, "fork")) {
		a->targets[a->ntargets++] = t1;
		a->targets[a->ntargets++] = t2;
		a->px.record_route = true;
		if (variant) {
			a->px.parallel = false;
			a->reproxy = "sip:c@127.0.0.1:5073";
		} else {
			a->best_answer = 486;
		}
	} else if (!strcmp(name, "b2bua")) {
		cfg->b2b_auth_retry = variant;
		cfg->b2b_same_call_id = variant;
	} else if (!strcmp(name, "send-on")) {
		a->domain = variant ? "example.com" : NULL;
	}
}

/* time passes: the clocks move @s seconds on, and the loop turns as it
 * would when its poll() timed out */
static void wait_s(struct sipc *c, uint64_t s)
{
	hook_clock_advance(s * 1000);
	for (int i = 0; i < 4; i++)
		hook_turn(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sipc_cfg cfg = {0};
	struct app_cfg a;
	struct sipc_app app;
	struct ssm_proxy_cfg pd;
	struct sipc *c = NULL;
	struct http *h = NULL;
	const uint8_t *p, *end;
	unsigned mode;
	const char *name;
	bool tcp;

	if (!size)
		return 0;
	mode = data[0];
	name = app_names[fixed_app >= 0 ? (unsigned)fixed_app :
			 (mode & 7) % NAPPS];
	tcp = mode & 8;
	if (SKIP_MULTIPART && !no_skip && names_multipart(data, size))
		return 0;
	hook_clock_reset();
	cfg.port = 0;
	cfg.tcp = true;
	cfg.trace = "/dev/null";           /* the trace's JSON is written */
	cfg.verbose = verbose;
	cfg.session_timeout_min = SSM_DEFAULT_TIMEOUT;
	ssm_opts_default(&cfg.opts);
	app_cfg_of(&a, &cfg, name, mode & 16);
	if (app_setup(&a, &app) || sipc_alloc(&c, &cfg, &app))
		abort();                   /* the set-up itself must work */
	ssm_proxy_defaults(sipc_model(c), &pd);
	a.px.supervised = pd.supervised;
	srand(1);                          /* tags and branches repeat */
	if (hook_http_alloc(&h, c, 1800, strcmp(name, "click-to-call") &&
			    strcmp(name, "probe") ? NULL : c2c_http))
		abort();

	p = data + 1;
	end = data + size;
	while (p <= end) {
		const uint8_t *q = memmem(p, (size_t)(end - p), FUZZ_SEP,
					  sizeof(FUZZ_SEP) - 1);
		size_t n = (size_t)((q ? q : end) - p);

		if (n >= 6 && !memcmp(p, "%wait ", 6)) {
			char num[16];
			size_t k = n - 6 < sizeof(num) - 1 ? n - 6 :
				   sizeof(num) - 1;
			unsigned long s;

			memcpy(num, p + 6, k);
			num[k] = '\0';
			s = strtoul(num, NULL, 10);
			wait_s(c, s > 3600 ? 3600 : s);
		} else if (n && is_http(p, n)) {
			size_t got = hook_http_request(h, p, n);

			if (verbose)
				fprintf(stderr, "fuzz-sip: HTTP answer of %zu "
					"bytes\n", got);
		} else if (n && tcp) {
			hook_tcp(c, p, n, 5070);
		} else if (n) {
			hook_udp(c, p, n, mode & 32 ? "[::1]" : "127.0.0.1",
				 5070);
		}
		if (!q)
			break;
		p = q + sizeof(FUZZ_SEP) - 1;
	}
	hook_turn(c);
	if (mode & 64) {
		static const uint64_t steps[] = { 1, 4, 32, 64, 200 };

		for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
			wait_s(c, steps[i]);
	}
	if (verbose)
		fprintf(stderr, "fuzz-sip: %s, %zu bytes sent in all\n", name,
			hook_sent());
	hook_tcp_close(c);
	http_free(h);
	sipc_free(c);
	return 0;
}
