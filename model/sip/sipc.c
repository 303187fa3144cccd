/**
 * @file model/sip/sipc.c  the container's life and its loop
 *
 * One thread, one poll() loop.  Incoming bytes are framed (UDP datagram,
 * or TCP stream cut at Content-Length, transport.c), checked (guard.c),
 * parsed by libosip2 and handed to its transaction layer (recv.c); the
 * transaction callbacks (txn.c) drive the session model and the
 * application.  Every outgoing message is first applied to the model (so
 * X-SS-State describes the session after processing), then stamped, then
 * given to its transaction (observe.c).
 *
 * Safety: the container only ever sends to loopback addresses.  Responses
 * go back to the source of the request (received/rport are always set),
 * and a request whose next hop is not a loopback address is refused with
 * 403, so no torture message can make it send traffic off the machine.
 *
 * This file: sipc_alloc and sipc_free, the loop (sipc_run) and its
 * deadlines, the other sources of work polled with the sockets.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include <osipparser2/osip_parser.h>
#include "sipc.h"
#include "mem.h"
#include "sipc_int.h"
#include "fault.h"

uint64_t sipc__now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void sipc_log(struct sipc *c, const char *fmt, ...)
{
	va_list ap;

	(void)c;
	fprintf(stderr, "sstck-ref: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

bool sipc_is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;
	char h[64];
	size_t n;

	if (!host)
		return false;
	n = strlen(host);
	if (n >= sizeof(h))
		return false;
	if (host[0] == '[' && n > 2 && host[n - 1] == ']') {
		memcpy(h, host + 1, n - 2);
		h[n - 2] = '\0';
	}
	else {
		memcpy(h, host, n + 1);
	}
	if (inet_pton(AF_INET, h, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, h, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return false;
}

static int sigfd = -1;
static volatile sig_atomic_t sig_seen;  /* for the UDP wait (sipc__read_udp) */

static void on_signal(int sig)
{
	char b = (char)sig;

	sig_seen = 1;
	if (sigfd >= 0 && write(sigfd, &b, 1) < 0) {
		/* nothing to do */
	}
}

static void osip_quiet(const char *fi, int li, osip_trace_level_t level,
		       const char *chfr, va_list ap)
{
	(void)fi;
	(void)li;
	(void)level;
	(void)chfr;
	(void)ap;
}

int sipc_alloc(struct sipc **cp, const struct sipc_cfg *cfg,
	       const struct sipc_app *app)
{
	static const struct ssm_listeners listeners = {
		.ss_created = sipc__on_ss_created,
		.ss_destroyed = sipc__on_ss_destroyed,
		.sas_expired = sipc_ops_on_sas_expired,
		.attr = sipc_ops_on_attr,
	};
	struct sipc *c = calloc(1, sizeof(*c));

	if (!c)
		return -1;
	c->cfg = *cfg;
	c->b2b_auth_retry = cfg->b2b_auth_retry;
	c->app = *app;
	c->udp = c->tcp = c->udp2 = -1;
	c->sigpipe[0] = c->sigpipe[1] = -1;
	if (!c->cfg.addr)
		c->cfg.addr = "127.0.0.1";
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	if (c->cfg.trace) {
		c->trace = fopen(c->cfg.trace, "w");
		if (!c->trace) {
			sipc_log(c, "cannot write trace %s: %s", c->cfg.trace,
				 strerror(errno));
			free(c);
			return -1;
		}
		/* written in blocks, flushed by the loop (TRACE_FLUSH_MS) */
		setvbuf(c->trace, NULL, _IOFBF, 1 << 16);
	}
	if (sipc__bind_sockets(c) ||
	    ssm_alloc(&c->m, &c->cfg.opts, NULL, NULL) ||
	    ssm_app_add(c->m, app->name, app->version ? app->version :
			SSM_V11, c->cfg.session_timeout_min, &listeners, NULL,
			&c->mapp) ||
	    (c->cfg.app2 && (!strcmp(c->cfg.app2, app->name) ||
			     ssm_app_add(c->m, c->cfg.app2, app->version ? app->version :
					 SSM_V11, c->cfg.session_timeout_min,
					 &listeners, NULL, &c->mapp2))) ||
	    osip_init(&c->osip) < 0 || pipe(c->sigpipe) < 0) {
		sipc_free(c);
		return -1;
	}
	ssm_set_event_handler(c->m, sipc__on_model_event, c);
	if (c->cfg.store && sipc__store_open(c)) {
		sipc_free(c);
		return -1;
	}
	/* libosip2 reports parse errors itself: only when asked */
	if (!c->cfg.verbose) {
		osip_trace_initialize_func(TRACE_LEVEL0, osip_quiet);
		for (int l = 0; l < END_TRACE_LEVEL; l++)
			osip_trace_disable_level((osip_trace_level_t)l);
	}
	osip_set_application_context(c->osip, c);  /* sipc__of_tr */
	sipc__set_callbacks(c->osip);
	*cp = c;
	return 0;
}

int sipc_port(const struct sipc *c)
{
	return c->port;
}

struct ssm *sipc_model(struct sipc *c)
{
	return c->m;
}

/* The poll's timeout: the earliest of the transactions' timers, the
 * proxy branches' timeouts and the model's timers, read off the top of
 * their heaps; 200 ms at most. */
static int next_timeout_ms(struct sipc *c)
{
	long ms = 200;
	int t = sipc__tx_timeout_ms(c);
	struct heap_node *x = heap_top(&c->br_due);
	uint64_t due;

	if (t >= 0 && t < ms)
		ms = t;
	if (x) {
		uint64_t now = sipc__now_ms();

		ms = x->due <= now ? 0 :
		     ((long)(x->due - now) < ms ? (long)(x->due - now) : ms);
	}
	due = ssm_next_timer(c->m);
	if (due) {
		uint64_t wall = ssm_now(c->m);

		ms = due <= wall ? 0 : ((long)(due - wall) < ms ?
					(long)(due - wall) : ms);
	}
	return ms < 0 ? 0 : (int)ms;
}

/* The trace reaches its file TRACE_FLUSH_MS after its first unwritten
 * line at the latest, not once per line nor once per message: whoever
 * reads it while the container runs sees everything done that long ago;
 * the rest at exit.  Returns the loop's wait, shortened to that. */
static int trace_flush(struct sipc *c, int tmo)
{
	uint64_t now, since;

	if (!c->trace_dirty)
		return tmo;
	now = sipc__now_ms();
	since = now - c->trace_flushed;
	if (since >= TRACE_FLUSH_MS) {
		fflush(c->trace);
		c->trace_dirty = false;
		c->trace_flushed = now;
		return tmo;
	}
	return (int)(TRACE_FLUSH_MS - since) < tmo ?
	       (int)(TRACE_FLUSH_MS - since) : tmo;
}

/* What every turn of the loop does after reading: deadlines, then the
 * transactions and the model's timers. */
static void after_wait(struct sipc *c)
{
	sipc__conn_timers(c);
	sipc__acc_expire(c);
	sipc_ops_clear(&c->ops);   /* timers send for no message */
	sipc__px_branch_timers(c);
	sipc__pump(c);
	sipc_ops_release(&c->ops, false);  /* the turn is over */
	sipc__store_flush(c);              /* what the timers changed */
	sipc__sendq_kick(c);               /* what the turn queued */
}

/* The environment's test hooks: SSTCK_REF_FAIL_ALLOC=N, the Nth
 * allocation from here on fails (test-oom, fault.h); SSTCK_REF_SENDQ=1,
 * every UDP datagram through the sending thread (sendq.c). */
static void test_hooks(struct sipc *c)
{
	const char *fa = getenv("SSTCK_REF_FAIL_ALLOC");
	const char *sq = getenv("SSTCK_REF_SENDQ");

	if (fa && atoi(fa) > 0)
		mem_fail_once(atoi(fa));
	else
		mem_fail_once(0);
	c->sendq_always = sq && !strcmp(sq, "1");
}

int sipc_run(struct sipc *c)
{
	struct sigaction sa;
	json_t *o;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigfd = c->sigpipe[1];
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (c->cfg.port_file) {
		FILE *f = fopen(c->cfg.port_file, "w");

		if (f) {
			fprintf(f, "%d\n", c->port);
			fclose(f);
		}
	}
	test_hooks(c);
	o = json_object();
	json_object_set_new(o, "ev", json_string("listening"));
	json_object_set_new(o, "addr", json_string(c->addr));
	json_object_set_new(o, "port", json_integer(c->port));
	json_object_set_new(o, "app", json_string(c->app.name));
	sipc__store_stats(c, o);
	sipc__trace_write(c, o);
	if (c->cfg.verbose)
		sipc_log(c, "listening on %s:%d (udp%s), app %s", c->addr,
			 c->port, c->tcp >= 0 ? ", tcp" : "", c->app.name);

	while (!c->stop) {
		struct pollfd pf[3 + MAX_CONNS + 4 + 1];
		int n = 0, ns, n2 = -1, tmo;

		pf[n++] = (struct pollfd){.fd = c->sigpipe[0],
					  .events = POLLIN};
		pf[n++] = (struct pollfd){.fd = c->udp, .events = POLLIN};
		if (c->tcp >= 0)
			pf[n++] = (struct pollfd){.fd = c->tcp,
						  .events = POLLIN};
		for (int i = 0; i < c->nconns; i++)
			pf[n++] = (struct pollfd){.fd = c->conns[i].fd,
						  .events = POLLIN};
		ns = n;
		tmo = next_timeout_ms(c);
		for (int i = 0; i < c->nsrc; i++) {
			int st = c->src[i].timeout_ms(c->src[i].arg);

			pf[n++] = (struct pollfd){.fd = c->src[i].fd,
						  .events = POLLIN};
			if (st >= 0 && st < tmo)
				tmo = st;
		}
		if (c->udp2 >= 0)          /* the second interface (SS-11) */
			pf[n2 = n++] = (struct pollfd){.fd = c->udp2, .events = POLLIN};
		tmo = trace_flush(c, tmo);
		if (c->tcp < 0 && !c->nconns && !c->nsrc && n2 < 0 && tmo > 0) {
			/* UDP alone and nothing due now: no poll; what falls
			 * due meanwhile waits UDP_WAIT_MS at most */
			sipc__read_udp(c, true);
			if (sig_seen)
				c->stop = true;
			after_wait(c);
			continue;
		}
		if (poll(pf, (nfds_t)n, tmo) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < c->nsrc; i++)
			c->src[i].run(c->src[i].arg, pf[ns + i].revents != 0);
		if (pf[0].revents)
			c->stop = true;
		if (pf[1].revents & POLLIN)
			sipc__read_udp(c, false);
		if (n2 >= 0 && (pf[n2].revents & POLLIN))
			sipc__read_iface(c);
		if (c->tcp >= 0 && (pf[2].revents & POLLIN))
			sipc__accept_conn(c);
		for (int i = c->nconns - 1; i >= 0; i--) {
			int pi = (c->tcp >= 0 ? 3 : 2) + i;

			if (pi < n && (pf[pi].revents & (POLLIN | POLLHUP)) &&
			    i < c->nconns && c->conns[i].fd == pf[pi].fd)
				sipc__read_conn(c, i);
		}
		after_wait(c);
	}

	/* a cluster node that stops hands its sessions over (DIST-12) */
	sipc__store_passivate_all(c);
	o = json_object();
	json_object_set_new(o, "ev", json_string("shutdown"));
	json_object_set_new(o, "live_ss",
			    json_integer((json_int_t)ssm_count_ss(c->m)));
	json_object_set_new(o, "live_sas",
			    json_integer((json_int_t)ssm_count_sas(c->m)));
	json_object_set_new(o, "rx", json_integer((json_int_t)c->rx));
	json_object_set_new(o, "tx", json_integer((json_int_t)c->tx));
	json_object_set_new(o, "tx_queued",
			    json_integer((json_int_t)c->tx_queued));
	json_object_set_new(o, "dropped",
			    json_integer((json_int_t)c->dropped));
	json_object_set_new(o, "allocs",
			    json_integer((json_int_t)mem_fault_calls()));
	sipc__store_stats(c, o);
	sipc__trace_write(c, o);
	return 0;
}

void sipc_free(struct sipc *c)
{
	if (!c)
		return;
	if (c->osip) {
		/* the transactions go first: their kill callbacks reach
		 * the proxy contexts */
		sipc__tx_free_all(c);
		osip_release(c->osip);
	}
	while (c->pxs)
		sipc__px_free(c->pxs);
	sipc__acc_free(c);
	heap_free(&c->br_due);
	while (c->calls) {
		struct sipc_call *k = c->calls;

		c->calls = k->next;
		sipc__call_free(k);
	}
	sipc_ops_release(&c->ops, true);   /* before the model goes */
	/* a node that stops leaves its sessions in the store for the
	 * others: the model's shutdown below is this process's alone */
	sipc__store_close(c);
	/* the trace's last line is the one sipc_run wrote */
	if (c->m)
		ssm_set_event_handler(c->m, NULL, NULL);
	ssm_shutdown(c->m);
	for (int i = 0; i < c->nconns; i++) {
		close(c->conns[i].fd);
		free(c->conns[i].buf);
	}
	sipc__sendq_stop(c);     /* what is queued leaves first */
	if (c->udp >= 0)
		close(c->udp);
	if (c->udp2 >= 0)
		close(c->udp2);
	if (c->tcp >= 0)
		close(c->tcp);
	if (c->sigpipe[0] >= 0)
		close(c->sigpipe[0]);
	if (c->sigpipe[1] >= 0)
		close(c->sigpipe[1]);
	if (c->trace)
		fclose(c->trace);
	sipc_ops_forget();
	free(c);
}

int sipc_add_source(struct sipc *c, const struct sipc_source *src)
{
	if (!c || !src || c->nsrc == (int)(sizeof(c->src) / sizeof(c->src[0])))
		return -1;
	c->src[c->nsrc++] = *src;
	return 0;
}

struct ssm_app *sipc_model_app(struct sipc *c)
{
	return c->mapp;
}

const char *sipc_addr(const struct sipc *c)
{
	return c->addr;
}
