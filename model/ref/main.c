/**
 * @file model/ref/main.c  sstck-ref: the reference SIP servlet container
 *
 * Every address, application and option is a flag; everything listens on
 * loopback by default.  SIGTERM or SIGINT stop it cleanly, after a last
 * trace line with the number of live sessions.
 */
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "apps.h"
#include "http.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: sstck-ref [options]\n"
"\n"
"The SessionTCK reference container: a SIP servlet container on libosip2\n"
"that keeps its sessions in the reference session model and reports them\n"
"(X-SS-State on every message it sends, and a JSON Lines trace).\n"
"\n"
"  --addr ADDR            listen address (default 127.0.0.1; ::1 works)\n"
"  --port PORT            listen port, UDP and TCP (default 5060; 0 picks)\n"
"  --no-tcp               UDP only\n"
"  --router REGION:WHO    what the application router answers for every\n"
"                         initial request (getRegion, getSubscriberURI):\n"
"                         ORIGINATING, TERMINATING or NEUTRAL, and the\n"
"                         subscriber from, to (the request's URI) or none\n"
"                         (default NEUTRAL:from)\n"
"  --app2 NAME            a second application under NAME, the same servlet\n"
"                         as --app, its own application sessions and key\n"
"                         method; initial requests to the Request-URI user\n"
"                         NAME go to it\n"
"  --interface ADDR       a second loopback address (UDP, a port the kernel\n"
"                         picks): with --addr, the outbound interfaces of\n"
"                         SipSession.setOutboundInterface (SS-11)\n"
"  --port-file FILE       write the bound port to FILE\n"
"  --app NAME             proxy | send-on | fork | b2bua | click-to-call |\n"
"                         probe (each initial request names its application\n"
"                         and options in X-SSTCK-App, as for the Java probe)\n"
"                         (default proxy)\n"
"  --target URI           a fork target (repeat; up to 16); b2bua: the\n"
"                         callee (default: the Request-URI)\n"
"  --auth-retry           b2bua: retry a 401/407 once with credentials\n"
"  --same-call-id         b2bua: make the new leg the deprecated 1.0 way,\n"
"                         SipFactory.createRequest(orig, true): same Call-ID\n"
"  --sequential           fork one target at a time (default parallel)\n"
"  --branch-timeout MS    sequential per-branch timeout (default 4000)\n"
"  --recurse              recurse on the Contacts of a 3xx (the default)\n"
"  --no-recurse           relay 3xx instead of recursing on Contacts\n"
"  --no-cancel            keep other branches after a 2xx (RFC 3841)\n"
"  --record-route         fork: record-route (proxy always does)\n"
"  --unsupervised         do not call the application on best responses\n"
"  --reproxy URI          fork: in the best-response callback of a non-2xx,\n"
"                         proxy to URI (once per call; PROXY-11)\n"
"  --best-answer CODE     fork: in that callback, answer CODE upstream\n"
"  --domain DOMAIN        send-on: 403 for INVITEs from outside DOMAIN\n"
"  --rr-invite-only       proxy: record-route initial INVITEs only (EX-04)\n"
"  --path                 proxy, send-on, fork: a Path header on proxied\n"
"                         REGISTERs (PROXY-18)\n"
"  --session-timeout MIN  application session-timeout (default 3; 0 never)\n"
"  --t1 MS                RFC 3261 T1 of the container's client transactions\n"
"                         (default 500): Timer B and F are 64*T1\n"
"  --tcp-idle MS          close a TCP connection with nothing pending (no\n"
"                         partial message, no transaction answering on it)\n"
"                         after MS (default 32000: 64*T1)\n"
"  --trace FILE           session events as JSON Lines\n"
"  --http [ADDR:]PORT     the HTTP side: HTTP sessions, GET /sessions, and\n"
"                         click-to-call's /calls (ADDR 127.0.0.1; PORT 0\n"
"                         picks; click-to-call's default 127.0.0.1:0)\n"
"  --http-port-file FILE  write the bound HTTP port to FILE\n"
"  --http-session-timeout S  HTTP sessions' max inactive interval\n"
"                         (default 1800)\n"
"  --keep-ended-calls N   click-to-call: the records of ended calls kept\n"
"                         (GET /calls/ID), at most N (default 1000)\n"
"  --keep-ended-for S     click-to-call: each for S seconds (default 30)\n"
"  --store HOST:PORT      a cluster node: sessions live in this Redis, written\n"
"                         after each message, read back by any node that gets\n"
"                         a dialog it does not hold (conformance/distributed.md)\n"
"  --not-distributable    with --store: the application is not marked\n"
"                         <distributable/>: its sessions stay in this node\n"
"  --node NAME            this node's name, 1 to 4 of [a-z0-9] (with --store;\n"
"                         default n1): in every id it makes\n"
"  --advertise HOST:PORT  the address our Contacts carry: the cluster's front\n"
"                         proxy, so a dialog's requests reach any node\n"
"  --opt NAME=0|1|2       a model option (conflicts of the rules, below)\n"
"  -v, --verbose          log what happens\n"
"  -h, --help             this text\n"
"\n"
"Testing: SSTCK_REF_FAIL_ALLOC=N in the environment makes the Nth allocation\n"
"of the model or the container after start-up fail (model/ref/test-oom).\n"
"SSTCK_REF_SENDQ=1 sends every UDP datagram through the sending thread, which\n"
"otherwise takes them only while the container is behind (model/sip/sendq.c).\n"
"SSTCK_REF_STOP_ENDED=1 makes a cluster node stop itself (SIGSTOP) once it\n"
"has deleted the keys of a session that ended, before the response of that\n"
"turn leaves (model/ref/test-cluster's flow ended).  SSTCK_REF_STOP_NEW=FILE\n"
"makes the first node to create FILE stop itself so once it has written a new\n"
"session, before the response of that turn leaves (its flow stale).\n"
"\n"
"Model options (section 14 of the rules; default first):\n");
#define XX(id, field, def, on, off) \
	fprintf(f, "  %-40s %d: %s\n  %-40s    else: %s\n", #field, def, on, \
		"", off);
	SSM_CF_MAP(XX)
#undef XX
}

static int set_opt(struct ssm_opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t n = eq ? (size_t)(eq - arg) : 0;

	if (!eq || !eq[1])
		return -1;
#define XX(id, field, def, on, off) \
	if (n == strlen(#field) && !strncmp(arg, #field, n)) { \
		o->field = atoi(eq + 1); \
		return 0; \
	}
	SSM_CF_MAP(XX)
#undef XX
	return -1;
}

/* A whole number from LO to HI for FLAG, else a one-line error saying
 * what FLAG takes (WHAT). */
static int int_arg(const char *flag, const char *what, const char *arg,
		   long lo, long hi, int *v)
{
	char *end;
	long n = strtol(arg, &end, 10);

	if (end == arg || *end || n < lo || n > hi) {
		fprintf(stderr, "sstck-ref: %s takes %s, not '%s'\n", flag, what,
			arg);
		return -1;
	}
	*v = (int)n;
	return 0;
}

/* --router REGION:WHO: true (said) when it is not one. */
static bool bad_router(const char *r)
{
	static const char *const ok[] = {
		"ORIGINATING:", "TERMINATING:", "NEUTRAL:", NULL
	};
	const char *who = strchr(r, ':');

	for (const char *const *o = ok; *o && who; o++)
		if (!strncmp(r, *o, strlen(*o)) && (size_t)(who - r + 1) == strlen(*o) &&
		    (!strcmp(who, ":from") || !strcmp(who, ":to") || !strcmp(who, ":none")))
			return false;
	fprintf(stderr, "sstck-ref: --router takes ORIGINATING, TERMINATING or "
		"NEUTRAL, a colon, and from, to or none, not '%s'\n", r);
	return true;
}

/* --store, --node, --advertise: -1 when they fit together, else 2 (said
 * in one line). */
static int cluster_args(struct sipc_cfg *cfg)
{
	const char *n = cfg->node, *colon;

	if (!cfg->store) {
		if (!cfg->node && !cfg->advertise && !cfg->not_distributable)
			return -1;
		fprintf(stderr, "sstck-ref: --node, --advertise and "
			"--not-distributable are for a cluster node: give "
			"--store too\n");
		return 2;
	}
	colon = strrchr(cfg->store, ':');
	if (!colon || colon == cfg->store || atoi(colon + 1) <= 0 ||
	    atoi(colon + 1) > 65535 || colon - cfg->store >= 64) {
		fprintf(stderr, "sstck-ref: --store takes HOST:PORT, not '%s'\n",
			cfg->store);
		return 2;
	}
	if (!n)
		cfg->node = n = "n1";
	if (!*n || strlen(n) > SSM_NODE_MAX || strspn(n,
	    "abcdefghijklmnopqrstuvwxyz0123456789") != strlen(n)) {
		fprintf(stderr, "sstck-ref: --node takes 1 to %d of a-z and "
			"0-9, not '%s'\n", SSM_NODE_MAX, n);
		return 2;
	}
	if (cfg->advertise && (!(colon = strrchr(cfg->advertise, ':')) ||
			       atoi(colon + 1) <= 0 ||
			       atoi(colon + 1) > 65535 ||
			       strlen(cfg->advertise) > 70)) {
		fprintf(stderr, "sstck-ref: --advertise takes HOST:PORT, not "
			"'%s'\n", cfg->advertise);
		return 2;
	}
	return -1;
}

/* What the command line sets. */
struct args {
	struct sipc_cfg cfg;
	struct app_cfg a;
	struct http_cfg hc;
	const char *http;             /**< --http, or NULL             */
	int keep_n, keep_s;           /**< click-to-call's ended calls  */
	bool unsupervised;
};

static const struct option longopts[] = {
	{"addr", required_argument, NULL, 'a'},
	{"port", required_argument, NULL, 'p'},
	{"no-tcp", no_argument, NULL, 'U'},
	{"port-file", required_argument, NULL, 'P'},
	{"interface", required_argument, NULL, 'g'},
	{"app2", required_argument, NULL, 'b'},
	{"router", required_argument, NULL, 'q'},
	{"app", required_argument, NULL, 'A'},
	{"target", required_argument, NULL, 't'},
	{"sequential", no_argument, NULL, 'S'},
	{"branch-timeout", required_argument, NULL, 'B'},
	{"no-recurse", no_argument, NULL, 'R'},
	{"no-cancel", no_argument, NULL, 'N'},
	{"record-route", no_argument, NULL, 'r'},
	{"unsupervised", no_argument, NULL, 'u'},
	{"recurse", no_argument, NULL, 'Z'},
	{"rr-invite-only", no_argument, NULL, 'I'},
	{"path", no_argument, NULL, 'W'},
	{"same-call-id", no_argument, NULL, 'C'},
	{"reproxy", required_argument, NULL, 'X'},
	{"best-answer", required_argument, NULL, 'Y'},
	{"domain", required_argument, NULL, 'd'},
	{"session-timeout", required_argument, NULL, 'T'},
	{"trace", required_argument, NULL, 'x'},
	{"t1", required_argument, NULL, '1'},
	{"tcp-idle", required_argument, NULL, 'i'},
	{"opt", required_argument, NULL, 'o'},
	{"store", required_argument, NULL, 's'},
	{"node", required_argument, NULL, 'n'},
	{"not-distributable", no_argument, NULL, 'G'},
	{"advertise", required_argument, NULL, 'D'},
	{"auth-retry", no_argument, NULL, 'H'},
	{"http", required_argument, NULL, 'j'},
	{"http-port-file", required_argument, NULL, 'J'},
	{"http-session-timeout", required_argument, NULL, 'k'},
	{"keep-ended-calls", required_argument, NULL, 'K'},
	{"keep-ended-for", required_argument, NULL, 'F'},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

/* The command line into @ar, whose defaults the caller set: -1 to go on,
 * else the exit status (0 after --help, 2 for a bad argument, said in one
 * line). */
static int parse_args(int argc, char **argv, struct args *ar)
{
	int ch;

	while ((ch = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a': ar->cfg.addr = optarg; break;
		case 'p':
			if (int_arg("--port", "0 to 65535", optarg, 0, 65535,
				    &ar->cfg.port))
				return 2;
			break;
		case 'U': ar->cfg.tcp = false; break;
		case 'g': ar->cfg.iface = optarg; break;
		case 'b': ar->cfg.app2 = optarg; break;
		case 'q':
			if (bad_router(optarg))
				return 2;
			ar->cfg.router = optarg;
			break;
		case 'P': ar->cfg.port_file = optarg; break;
		case 'A': ar->a.name = optarg; break;
		case 't':
			if (ar->a.ntargets == SIPC_MAX_TARGETS) {
				fprintf(stderr, "sstck-ref: at most %d "
					"targets\n", SIPC_MAX_TARGETS);
				return 2;
			}
			ar->a.targets[ar->a.ntargets++] = optarg;
			break;
		case 'S': ar->a.px.parallel = false; break;
		case 'B':
			if (int_arg("--branch-timeout", "1 to 3600000 ms", optarg,
				    1, 3600000, &ar->a.px.branch_timeout_ms))
				return 2;
			break;
		case 'R': ar->a.px.recurse = false; break;
		case 'Z': ar->a.px.recurse = true; break;
		case 'I': ar->a.rr_invite_only = true; break;
		case 'W': ar->a.px.add_path = true; break;
		case 'C': ar->cfg.b2b_same_call_id = true; break;
		case 'N': ar->a.px.no_cancel = true; break;
		case 'r': ar->a.px.record_route = true; break;
		case 'u': ar->unsupervised = true; break;
		case 'X': ar->a.reproxy = optarg; break;
		case 'Y':
			if (int_arg("--best-answer", "a final status", optarg,
				    200, 699, &ar->a.best_answer))
				return 2;
			break;
		case 'd': ar->a.domain = optarg; break;
		case 'T':
			if (int_arg("--session-timeout", "0 to 525600 minutes",
				    optarg, 0, 525600,
				    &ar->cfg.session_timeout_min))
				return 2;
			break;
		case 'x': ar->cfg.trace = optarg; break;
		case '1':
			if (int_arg("--t1", "1 to 10000 ms", optarg, 1, 10000,
				    &ar->cfg.t1_ms))
				return 2;
			break;
		case 'i':
			if (int_arg("--tcp-idle", "10 to 3600000 ms", optarg, 10,
				    3600000, &ar->cfg.tcp_idle_ms))
				return 2;
			break;
		case 'o':
			if (set_opt(&ar->cfg.opts, optarg)) {
				fprintf(stderr, "sstck-ref: unknown option "
					"'%s' (see --help)\n", optarg);
				return 2;
			}
			break;
		case 's': ar->cfg.store = optarg; break;
		case 'n': ar->cfg.node = optarg; break;
		case 'G': ar->cfg.not_distributable = true; break;
		case 'D': ar->cfg.advertise = optarg; break;
		case 'j': ar->http = optarg; break;
		case 'J': ar->hc.port_file = optarg; break;
		case 'k':
			if (int_arg("--http-session-timeout", "0 to 31536000 s",
				    optarg, 0, 31536000,
				    &ar->hc.session_timeout_s))
				return 2;
			break;
		case 'K':
			if (int_arg("--keep-ended-calls", "0 to 1000000", optarg,
				    0, 1000000, &ar->keep_n))
				return 2;
			break;
		case 'F':
			if (int_arg("--keep-ended-for", "0 to 86400 s", optarg,
				    0, 86400, &ar->keep_s))
				return 2;
			break;
		case 'v': ar->cfg.verbose = true; break;
		case 'H': ar->cfg.b2b_auth_retry = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc || (ar->cfg.app2 && !strcmp(ar->cfg.app2, ar->a.name))) {
		fprintf(stderr, optind < argc ? "sstck-ref: unexpected argument '%s'\n" :
			"sstck-ref: --app2 takes a name other than --app's, not '%s'\n",
			optind < argc ? argv[optind] : ar->cfg.app2);
		return 2;
	}
	return cluster_args(&ar->cfg);
}

/* --http's [ADDR:]PORT into @hc: 0, or -1 with a one-line error. */
static int http_addr(const char *http, struct http_cfg *hc)
{
	static char haddr[64];
	const char *colon = strrchr(http, ':');
	char *end;
	long hp = strtol(colon ? colon + 1 : http, &end, 10);

	if (*end || hp < 0 || hp > 65535 || (colon && colon - http >= 64)) {
		fprintf(stderr, "sstck-ref: --http takes [ADDR:]PORT, not '%s'\n",
			http);
		return -1;
	}
	snprintf(haddr, sizeof(haddr), "%.*s", colon ? (int)(colon - http) : 9,
		 colon ? http : "127.0.0.1");
	hc->addr = haddr;
	hc->port = (int)hp;
	return 0;
}

int main(int argc, char **argv)
{
	struct args ar = {0};
	struct sipc_cfg *cfg = &ar.cfg;
	struct app_cfg *a = &ar.a;
	struct sipc_app app;
	struct sipc *c;
	struct ssm_proxy_cfg pd;
	struct http *h = NULL;
	struct c2c *cc = NULL;
	int rc;

	/* a call's messages come and go by the thousand a second: keep
	 * freed memory for the next ones instead of giving it back to the
	 * kernel and asking again (a brk each way) */
	mallopt(M_TRIM_THRESHOLD, 16 << 20);
	mallopt(M_TOP_PAD, 4 << 20);
	cfg->port = 5060;
	cfg->tcp = true;
	cfg->session_timeout_min = SSM_DEFAULT_TIMEOUT;
	ssm_opts_default(&cfg->opts);
	a->name = "proxy";
	a->px.parallel = true;
	a->px.recurse = true;
	a->px.branch_timeout_ms = 4000;
	ar.keep_n = 1000;
	ar.keep_s = 30;
	rc = parse_args(argc, argv, &ar);
	if (rc >= 0)
		return rc;
	if (app_setup(a, &app))
		return 2;
	if (!ar.http && !strcmp(a->name, "click-to-call"))
		ar.http = "127.0.0.1:0";
	if (ar.http && http_addr(ar.http, &ar.hc))
		return 2;
	if (sipc_alloc(&c, cfg, &app))
		return 1;
	if (ar.http && (!strcmp(a->name, "click-to-call") ||
			!strcmp(a->name, "probe")) &&
	    c2c_alloc(&cc, ar.keep_n, ar.keep_s)) {
		fprintf(stderr, "sstck-ref: out of memory\n");
		sipc_free(c);
		return 1;
	}
	if (ar.http && http_alloc(&h, c, &ar.hc, cc ? c2c_http : NULL, cc)) {
		sipc_free(c);
		c2c_free(cc);
		return 1;
	}
	ssm_proxy_defaults(sipc_model(c), &pd);
	a->px.supervised = pd.supervised && !ar.unsupervised; /* CF-09 */
	rc = sipc_run(c);
	http_free(h);
	sipc_free(c);
	c2c_free(cc);                 /* its records only: the calls were c's */
	return rc ? 1 : 0;
}
