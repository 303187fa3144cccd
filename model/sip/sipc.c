/**
 * @file model/sip/sipc.c  sstck-ref's SIP container on libosip2
 *
 * One thread, one poll() loop.  Incoming bytes are framed (UDP datagram,
 * or TCP stream cut at Content-Length), parsed by libosip2, and handed to
 * its transaction layer; the transaction callbacks drive the session model
 * and the application.  Every outgoing message is first applied to the
 * model (so X-SS-State describes the session after processing), then
 * stamped, then given to its transaction.
 *
 * Safety: the container only ever sends to loopback addresses.  Responses
 * go back to the source of the request (received/rport are always set),
 * and a request whose next hop is not a loopback address is refused with
 * 403, so no torture message can make it send traffic off the machine.
 */
#define _GNU_SOURCE 1          /* strcasestr */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include <osipparser2/osip_parser.h>
#include <osip2/osip_time.h>
#include "sipc.h"
#include "ops.h"
#include "mem.h"
#include "fault.h"

#define MAX_CONNS  64
/* TCP connection deadlines.  A peer writes a message in one go, so bytes
 * of a message that is still not whole TCP_MSG_MS after its first byte
 * came are a peer holding a slot, not a slow one (4 s is far above any
 * loopback or LAN delay and well under a caller's patience).  A
 * connection with nothing pending (no partial message, no server
 * transaction answering on it) is kept TCP_IDLE_MS, 64*T1 (Timer B
 * and F, RFC 3261 17.1.1.2), as long as a client transaction of the
 * peer's can wait for us; a response for a connection closed by then
 * takes a new one (18.2.2, send_back). */
#define TCP_MSG_MS   4000
#define TCP_IDLE_MS  32000
#define TCP_BACKLOG  SOMAXCONN
#define BRANCH_MAGIC "z9hG4bKsstck"
#define MAX_BRANCHES (2 * SIPC_MAX_TARGETS)

/* ------------------------------------------------------------------ */
/* Types                                                               */
/* ------------------------------------------------------------------ */

struct conn {
	int fd;
	int id;                       /**< never reused; 0 is UDP       */
	char host[64];
	int port;
	char *buf;
	size_t len;
	uint64_t last;                /**< last byte read or written    */
	uint64_t msg_start;           /**< first byte of a partial msg  */
};

struct branch {
	osip_transaction_t *tr;
	char *target;
	osip_message_t *req;          /**< the forwarded request (clone) */
	int status;                   /**< last status; 0 none           */
	osip_message_t *final;        /**< final response kept (non-2xx) */
	uint64_t deadline;            /**< its timeout (px_on_timeout)   */
	bool started, done, cancelled;
	bool cancel_held;             /**< its CANCEL waits for a 1xx    */
	bool provisional;             /**< has had a 1xx (CF-18)         */
	bool timed_out;               /**< CANCELled on timeout (CF-18)  */
	bool recursed;                /**< replaced by its 3xx Contacts  */
	bool own;                     /**< its final was for us alone    */
};

struct srv;

struct sipc_px {
	struct sipc *c;
	struct srv *srv;              /**< NULL once the server tx ended */
	struct ss *ss;                /**< reference, or NULL            */
	osip_message_t *orig;         /**< the received request (clone)  */
	struct sipc_proxy_opts o;
	struct branch br[MAX_BRANCHES];
	int nbr;
	int refs;
	uint64_t deadline;            /**< proxy timeout                 */
	bool completed;               /**< final response sent upstream  */
	bool in_callback;
	bool app_answered;
	struct sipc_px *next;
};

struct srv {
	struct sipc *c;
	osip_transaction_t *tr;
	osip_message_t *req;          /**< borrowed from tr              */
	struct ss *ss;                /**< reference, or NULL            */
	struct sipc_px *px;
	struct relay *rl;             /**< B2BUA: relayed to the other leg */
	bool final_sent;
	bool is_invite;
};

struct sipc_call;

struct sipc_req {
	struct srv *srv;
};

/** B2BUA: one leg's dialog data, kept as a session attribute. */
struct leg {
	struct ss *owner;             /**< the session it belongs to      */
	char *target;                 /**< remote target (Contact)        */
	char *local, *remote;         /**< the parties' URIs              */
	uint32_t invite_cseq;         /**< for the ACK of a 2xx           */
};

/** B2BUA: a request relayed to the other leg (client tx reserved3). */
struct relay {
	struct sipc *c;
	struct srv *srv;              /**< the request's server tx, or NULL */
	struct ss *in, *out;          /**< references                     */
	osip_transaction_t *tr;
	osip_message_t *req;          /**< what we sent (for CANCEL)      */
	int refs;
	int status;                   /**< last status on the client tx   */
	bool initial, auth_retry, retried, cancel_pending, cancelled;
	struct sipc_call *call;       /**< third-party call control, or NULL */
};

/** Third-party call control (RFC 3725, flow I): the container is the
 * UAC of two legs of one application session, A then B. */
struct sipc_call {
	struct sipc *c;
	struct sas *sas;              /**< reference                      */
	struct ss *leg[2];            /**< references, NULL until created */
	struct relay *inv[2];         /**< the INVITE of each leg         */
	char *party[2];
	char *from;
	osip_message_t *offer;        /**< A's 2xx, with its offer        */
	int status[2];                /**< final status per leg, 0 none   */
	enum sipc_call_phase phase;
	bool hangup;                  /**< asked to end before connected  */
	bool bye[2];                  /**< BYE or CANCEL sent on the leg  */
	bool acked[2];                /**< its 2xx ACKed                  */
	struct sipc_call *next;
};

struct sipc {
	struct sipc_cfg cfg;
	struct sipc_app app;
	struct ssm *m;
	struct ssm_app *mapp;
	osip_t *osip;
	int udp, tcp;
	int port;
	char addr[80];
	struct conn conns[MAX_CONNS];
	int nconns;
	int next_conn_id;
	int rx_conn;                  /**< the message in hand came on this
				       * connection (0: UDP)             */
	FILE *trace;
	bool trace_dirty;        /* lines written since the last flush */
	uint64_t seq;
	struct sipc_px *pxs;
	bool b2b_auth_retry;
	osip_transaction_t *garbage[256];
	int ngarbage;
	int sigpipe[2];
	bool stop;
	unsigned long rx, tx, dropped;
	struct sipc_source src[4];    /**< other things to poll (HTTP)    */
	int nsrc;
	struct sipc_call *calls;
	struct sipc_ops ops;          /**< results of the message in hand
				       * (operations, ops.h)             */
};

static struct sipc *the_c;      /* for libosip2's context-free callbacks */

/* ------------------------------------------------------------------ */
/* Utilities                                                           */
/* ------------------------------------------------------------------ */

static uint64_t now_ms(void)
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

static char *header_value(const osip_message_t *m, const char *name)
{
	osip_header_t *h = NULL;

	if (osip_message_header_get_byname(m, name, 0, &h) < 0 || !h)
		return NULL;
	return h->hvalue;
}

static void remove_headers(osip_message_t *m, const char *name)
{
	int pos = 0;

	while (pos < osip_list_size(&m->headers)) {
		osip_header_t *h = osip_list_get(&m->headers, pos);

		if (h && h->hname && !strcasecmp(h->hname, name)) {
			osip_list_remove(&m->headers, pos);
			osip_header_free(h);
			continue;
		}
		pos++;
	}
}

static const char *tag_of(osip_from_t *f)
{
	osip_generic_param_t *p = NULL;

	if (!f || osip_from_get_tag(f, &p) < 0 || !p)
		return NULL;
	return p->gvalue;
}

static void call_id_str(const osip_message_t *m, char *buf, size_t sz)
{
	if (!m->call_id || !m->call_id->number)
		snprintf(buf, sz, "%s", "");
	else if (m->call_id->host)
		snprintf(buf, sz, "%s@%s", m->call_id->number,
			 m->call_id->host);
	else
		snprintf(buf, sz, "%s", m->call_id->number);
}

/** The model's view of a message. */
static void to_ev(const osip_message_t *m, enum ssm_dir dir,
		  struct ssm_msg *ev, char *cid, size_t cidsz)
{
	memset(ev, 0, sizeof(*ev));
	call_id_str(m, cid, cidsz);
	ev->dir = dir;
	ev->status = MSG_IS_RESPONSE(m) ? m->status_code : 0;
	ev->method = MSG_IS_REQUEST(m) ? m->sip_method :
		(m->cseq ? m->cseq->method : "");
	ev->call_id = cid;
	ev->from_tag = tag_of(m->from);
	ev->to_tag = tag_of(m->to);
	ev->cseq = m->cseq && m->cseq->number ?
		(uint32_t)strtoul(m->cseq->number, NULL, 10) : 0;
	ev->event = header_value(m, "event");
	ev->sub_state = header_value(m, "subscription-state");
}

static struct ss *apply(struct sipc *c, struct ss *ss,
			const osip_message_t *m, enum ssm_dir dir)
{
	struct ssm_msg ev;
	struct ss *t = NULL;
	char cid[256];

	(void)c;
	if (!ss || !ss_is_valid(ss))
		return ss;
	to_ev(m, dir, &ev, cid, sizeof(cid));
	if (ss_on_message(ss, &ev, &t))
		return ss;
	return t ? t : ss;
}

/** X-SS-State (the observation protocol). */
static void stamp(struct sipc *c, struct ss *ss, osip_message_t *m)
{
	char v[320];

	(void)c;
	remove_headers(m, "X-SS-State");
	if (ss && ss_is_valid(ss)) {
		enum ss_state st = SS_INITIAL;
		struct sas *sas = NULL;
		size_t nsip = 0, nhttp = 0;

		ss_state(ss, &st);
		ss_app_session(ss, &sas);
		sas_sessions(sas, false, "SIP", NULL, 0, &nsip);
		sas_sessions(sas, false, "HTTP", NULL, 0, &nhttp);
		snprintf(v, sizeof(v),
			 "id=%s;state=%s;role=%s;sas=%s;sip=%zu;http=%zu;"
			 "derived=%d;valid=1", ss_id(ss), ss_state_name(st),
			 ss_role_name(ss_role(ss)), sas_id(sas), nsip, nhttp,
			 ss_original(ss) != NULL);
	}
	else if (ss) {
		snprintf(v, sizeof(v), "id=%s;state=TERMINATED;role=%s;"
			 "valid=0", ss_id(ss), ss_role_name(ss_role(ss)));
	}
	else {
		snprintf(v, sizeof(v), "none");
	}
	osip_message_set_header(m, "X-SS-State", v);
	sipc_ops_attach(&c->ops, m);
	osip_message_force_update(m);
}

/* ------------------------------------------------------------------ */
/* Trace (JSON Lines)                                                  */
/* ------------------------------------------------------------------ */

static void trace_write(struct sipc *c, json_t *o)
{
	if (!c->trace) {
		json_decref(o);
		return;
	}
	json_object_set_new(o, "seq", json_integer((json_int_t)++c->seq));
	json_object_set_new(o, "t", json_integer((json_int_t)now_ms()));
	json_dumpf(o, c->trace, JSON_COMPACT | JSON_PRESERVE_ORDER);
	fputc('\n', c->trace);
	c->trace_dirty = true;   /* flushed before the loop next waits */
	json_decref(o);
}

/* An operation's trace line (ops.h): the caller keeps its reference. */
static void ops_trace(void *arg, json_t *o)
{
	trace_write(arg, json_incref(o));
}

/* The operations @m asks of the application, on @ss, as the application
 * gets the message (observation-protocol.md 4); 100 Trying never reaches
 * it. */
static void ops_run(struct sipc *c, struct ss *ss, const osip_message_t *m,
		    bool initial)
{
	struct sipc_ops_msg ctx = {
		.request = m && MSG_IS_REQUEST(m), .initial = initial,
		.ua = c->app.is_ua, .model = c->m,
	};

	sipc_ops_clear(&c->ops);
	if (ss && m && m->status_code != 100)
		sipc_ops_run(&c->ops, ss, m, &ctx, c->mapp, ops_trace, c);
}

static void on_model_event(const struct ssm_event *ev, void *arg)
{
	struct sipc *c = arg;
	json_t *o;

	if (!c->trace)
		return;
	o = json_object();
	json_object_set_new(o, "ev", json_string(ssm_ev_name(ev->type)));
	if (ev->sas)
		json_object_set_new(o, "sas", json_string(sas_id(ev->sas)));
	if (ev->ss) {
		json_object_set_new(o, "ss", json_string(ss_id(ev->ss)));
		json_object_set_new(o, "role",
				    json_string(ss_role_name(ss_role(ev->ss))));
	}
	if (ev->peer)
		json_object_set_new(o, ev->type == SSM_EV_SS_CREATED ?
				    "orig" : "peer",
				    json_string(ss_id(ev->peer)));
	if (ev->hs)
		json_object_set_new(o, "hs", json_string(hs_id(ev->hs)));
	if (ev->timer)
		json_object_set_new(o, "timer",
				    json_string(ssm_timer_id(ev->timer)));
	/* the state at readiness and invalidation: what the container did
	 * last to the session, after it processed its last message */
	if (ev->ss && (ev->type == SSM_EV_SS_READY ||
		       ev->type == SSM_EV_SS_DESTROYED)) {
		enum ss_state st;

		if (!ss_state(ev->ss, &st))
			json_object_set_new(o, "state",
					    json_string(ss_state_name(st)));
	}
	if (ev->type == SSM_EV_STATE) {
		json_object_set_new(o, "from",
				    json_string(ss_state_name(ev->from)));
		json_object_set_new(o, "to",
				    json_string(ss_state_name(ev->to)));
	}
	if (ev->msg) {
		char cause[96];

		if (ev->msg->status)
			snprintf(cause, sizeof(cause), "%d %s %s",
				 ev->msg->status, ev->msg->method,
				 ev->msg->dir == SSM_IN ? "in" : "out");
		else
			snprintf(cause, sizeof(cause), "%s %s",
				 ev->msg->method,
				 ev->msg->dir == SSM_IN ? "in" : "out");
		json_object_set_new(o, "cause", json_string(cause));
		json_object_set_new(o, "cseq",
				    json_integer(ev->msg->cseq));
	}
	trace_write(c, o);
}

/* ------------------------------------------------------------------ */
/* Transport                                                           */
/* ------------------------------------------------------------------ */

static int sock_addr(const char *host, int port, struct sockaddr_storage *ss,
		     socklen_t *len)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	char h[64];
	size_t n = strlen(host);

	memset(ss, 0, sizeof(*ss));
	if (n >= sizeof(h) || port < 0 || port > 65535)
		return -1;
	if (host[0] == '[' && n > 2) {
		memcpy(h, host + 1, n - 2);
		h[n - 2] = '\0';
	}
	else {
		memcpy(h, host, n + 1);
	}
	if (inet_pton(AF_INET, h, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		*len = sizeof(*a4);
		return 0;
	}
	if (inet_pton(AF_INET6, h, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a6);
		return 0;
	}
	return -1;
}

static void addr_str(const struct sockaddr_storage *ss, char *host,
		     size_t sz, int *port)
{
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)ss;

		inet_ntop(AF_INET6, &a->sin6_addr, host, (socklen_t)sz);
		*port = ntohs(a->sin6_port);
	}
	else {
		const struct sockaddr_in *a = (const void *)ss;

		inet_ntop(AF_INET, &a->sin_addr, host, (socklen_t)sz);
		*port = ntohs(a->sin_port);
	}
}

/** An IPv6 address as a URI host: in brackets. */
static void bracket_v6(char *h, size_t sz)
{
	size_t n = strlen(h);

	if (n + 3 > sz)
		return;
	memmove(h + 1, h, n + 1);
	h[0] = '[';
	h[n + 1] = ']';
	h[n + 2] = '\0';
}

static struct conn *conn_find(struct sipc *c, const char *host, int port)
{
	for (int i = 0; i < c->nconns; i++)
		if (c->conns[i].port == port &&
		    !strcmp(c->conns[i].host, host))
			return &c->conns[i];
	return NULL;
}

static struct conn *conn_by_id(struct sipc *c, int id)
{
	for (int i = 0; id > 0 && i < c->nconns; i++)
		if (c->conns[i].id == id)
			return &c->conns[i];
	return NULL;
}

static void conn_close(struct sipc *c, struct conn *k)
{
	close(k->fd);
	free(k->buf);
	*k = c->conns[--c->nconns];
}

/** Whether a server transaction still answers on connection @k. */
static bool conn_has_tr(struct sipc *c, const struct conn *k)
{
	const osip_list_t *l[] = {&c->osip->osip_ist_transactions,
				  &c->osip->osip_nist_transactions};
	osip_transaction_t *tr;

	for (size_t j = 0; j < sizeof(l) / sizeof(l[0]); j++)
		for (int i = 0; (tr = osip_list_get(l[j], i)); i++)
			if (tr->out_socket == k->id)
				return true;
	return false;
}

/** A new connection in the table.  A full table gives up its oldest
 * idle connection (no partial message; one with no transaction that
 * answers on it first, whose response would otherwise take a new
 * connection, send_back), so that idle clients cannot lock new ones
 * out; with none idle, the new one is refused (NULL, @fd closed). */
static struct conn *conn_add(struct sipc *c, int fd, const char *host,
			     int port)
{
	struct conn *k;

	if (c->nconns == MAX_CONNS) {
		struct conn *old = NULL;
		bool old_tr = true;

		for (int i = 0; i < c->nconns; i++) {
			struct conn *x = &c->conns[i];
			bool tr;

			if (x->len)
				continue;
			tr = conn_has_tr(c, x);
			if (!old || (old_tr && !tr) ||
			    (old_tr == tr && x->last < old->last)) {
				old = x;
				old_tr = tr;
			}
		}
		if (!old) {
			sipc_log(c, "too many TCP connections; refusing %s:%d",
				 host, port);
			close(fd);
			return NULL;
		}
		if (c->cfg.verbose)
			sipc_log(c, "TCP table full: closing idle %s:%d for "
				 "%s:%d", old->host, old->port, host, port);
		conn_close(c, old);
	}
	k = &c->conns[c->nconns++];
	memset(k, 0, sizeof(*k));
	k->fd = fd;
	if (++c->next_conn_id <= 0)
		c->next_conn_id = 1;
	k->id = c->next_conn_id;
	snprintf(k->host, sizeof(k->host), "%s", host);
	k->port = port;
	k->last = now_ms();
	return k;
}

static int conn_write(struct conn *k, const char *buf, size_t len)
{
	k->last = now_ms();
	return write(k->fd, buf, len) == (ssize_t)len ? 0 : -1;
}

static int send_raw(struct sipc *c, const char *buf, size_t len,
		    const char *host, int port, bool tcp)
{
	struct sockaddr_storage sa;
	socklen_t slen;

	if (!sipc_is_loopback(host)) {
		sipc_log(c, "not sending to %s:%d: outside loopback", host,
			 port);
		return -1;
	}
	if (port < 1 || sock_addr(host, port, &sa, &slen))
		return -1;
	c->tx++;
	if (!tcp)
		return sendto(c->udp, buf, len, 0, (struct sockaddr *)&sa,
			      slen) < 0 ? -1 : 0;
	{
		struct conn *k = conn_find(c, host, port);

		if (!k) {
			int fd = socket(sa.ss_family, SOCK_STREAM, 0);

			if (fd < 0 || connect(fd, (struct sockaddr *)&sa,
					      slen) < 0) {
				if (fd >= 0)
					close(fd);
				return -1;
			}
			k = conn_add(c, fd, host, port);
			if (!k)
				return -1;
		}
		return conn_write(k, buf, len);
	}
}

/** A port as a URI or Via carries it: 1 to 65535, 5060 when absent, -1
 * when it is anything else (a port taken modulo 2^16 is another port:
 * the proxy's own plus 65536 was a loop through itself). */
static int port_of(const char *s)
{
	long v = 0;

	if (!s)
		return 5060;
	if (!*s || strlen(s) > 5)
		return -1;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v >= 1 && v <= 65535 ? (int)v : -1;
}

/**
 * Send a response back the way its request came (RFC 3261 18.2.2): on
 * the TCP connection @conn it came on, or on UDP when @conn is 0, to
 * @host:@port (received and rport).  If that connection has closed, a
 * new one to @host at the top Via's sent-by port of @m, as 18.2.2 says
 * a server SHOULD: a client behind a closed connection (idle deadline,
 * table full) still gets its final response, and never on UDP, where
 * it does not listen for one; without @m the response is dropped.
 */
static int send_back(struct sipc *c, const char *buf, size_t len,
		     const char *host, int port, int conn,
		     const osip_message_t *m)
{
	struct conn *k;
	osip_via_t *v = NULL;
	int vp;

	if (conn <= 0)
		return send_raw(c, buf, len, host, port, false);
	k = conn_by_id(c, conn);
	if (k) {
		c->tx++;
		return conn_write(k, buf, len);
	}
	if (!m || osip_message_get_via(m, 0, &v) < 0 || !v ||
	    (vp = port_of(v->port)) < 0)
		return -1;
	return send_raw(c, buf, len, host, vp, true);
}

static bool via_is_tcp(const osip_message_t *m)
{
	osip_via_t *v = NULL;

	if (osip_message_get_via(m, 0, &v) < 0 || !v || !v->protocol)
		return false;
	return !strcasecmp(v->protocol, "TCP");
}

static int cb_send(osip_transaction_t *tr, osip_message_t *m, char *host,
		   int port, int sock)
{
	struct sipc *c = the_c;
	char *buf = NULL;
	size_t len = 0;
	int err;

	(void)tr;
	if (osip_message_to_str(m, &buf, &len) < 0) {
		sipc_log(c, "cannot serialize a %s %d: dropped",
			 MSG_IS_REQUEST(m) ? m->sip_method : "response",
			 m->status_code);
		return -1;
	}
	if (!port)
		port = 5060;
	/* A response goes back the way its request came: the server
	 * transaction's out_socket is the connection (on_bytes). */
	if (MSG_IS_REQUEST(m))
		err = send_raw(c, buf, len, host, port, via_is_tcp(m));
	else
		err = send_back(c, buf, len, host, port, sock, m);
	if (c->cfg.verbose)
		sipc_log(c, "sent %.*s to %s:%d%s", (int)strcspn(buf, "\r"),
			 buf, host, port, err ? " (failed)" : "");
	osip_free(buf);
	return err ? -1 : 0;
}

/** Send outside any transaction (stateless forwarding, 400s). */
static void send_stateless(struct sipc *c, osip_message_t *m)
{
	char *host = NULL, *buf = NULL;
	int port = 0;
	size_t len;

	if (MSG_IS_RESPONSE(m)) {
		osip_response_get_destination(m, &host, &port);
	}
	else {
		osip_route_t *r = NULL;
		osip_uri_t *u = m->req_uri;

		if (osip_message_get_route(m, 0, &r) >= 0 && r && r->url)
			u = r->url;
		if (u && u->host && port_of(u->port) > 0) {
			host = osip_strdup(u->host);
			port = port_of(u->port);
		}
	}
	if (host && osip_message_to_str(m, &buf, &len) >= 0)
		send_raw(c, buf, len, host, port ? port : 5060, via_is_tcp(m));
	osip_free(buf);
	osip_free(host);
}

/* ------------------------------------------------------------------ */
/* Building messages                                                   */
/* ------------------------------------------------------------------ */

static void gen_token(char *buf, size_t sz)
{
	static uint64_t n;
	uint64_t r = ((uint64_t)rand() << 31) ^ (uint64_t)rand() ^ ++n;

	snprintf(buf, sz, "%llx%llx", (unsigned long long)r,
		 (unsigned long long)n);
}

static osip_message_t *make_response(const osip_message_t *req, int status,
				     const char *reason, const char *totag)
{
	osip_message_t *r = NULL;

	if (osip_message_init(&r) < 0)
		return NULL;
	osip_message_set_version(r, osip_strdup("SIP/2.0"));
	osip_message_set_status_code(r, status);
	osip_message_set_reason_phrase(r, osip_strdup(
		reason ? reason : (osip_message_get_reason(status) ?
				   osip_message_get_reason(status) :
				   "Unknown")));
	osip_list_clone(&req->vias, &r->vias,
			(int (*)(void *, void **))osip_via_clone);
	if (req->from)
		osip_from_clone(req->from, &r->from);
	if (req->to)
		osip_to_clone(req->to, &r->to);
	if (req->call_id)
		osip_call_id_clone(req->call_id, &r->call_id);
	if (req->cseq)
		osip_cseq_clone(req->cseq, &r->cseq);
	if (r->to && status > 100 && !tag_of(r->to) && totag)
		osip_to_set_tag(r->to, osip_strdup(totag));
	osip_message_set_content_length(r, "0");
	if (!r->from || !r->to || !r->call_id || !r->cseq ||
	    !osip_list_size(&r->vias)) {
		osip_message_free(r);
		return NULL;
	}
	return r;
}

/** Our Via, as the top Via of a forwarded request. */
static int push_via(struct sipc *c, osip_message_t *m, bool tcp,
		    char *branch, size_t bsz)
{
	osip_via_t *v = NULL;
	char s[256], tok[40];

	gen_token(tok, sizeof(tok));
	snprintf(branch, bsz, BRANCH_MAGIC "%s", tok);
	snprintf(s, sizeof(s), "SIP/2.0/%s %s:%d;branch=%s",
		 tcp ? "TCP" : "UDP", c->addr, c->port, branch);
	if (osip_via_init(&v) < 0)
		return -1;
	if (osip_via_parse(v, s) < 0) {
		osip_via_free(v);
		return -1;
	}
	osip_list_add(&m->vias, v, 0);
	return 0;
}

static void pop_via(osip_message_t *m)
{
	osip_via_t *v = osip_list_get(&m->vias, 0);

	if (v) {
		osip_list_remove(&m->vias, 0);
		osip_via_free(v);
	}
}

static bool top_via_is_ours(const osip_message_t *m)
{
	osip_via_t *v = NULL;
	osip_generic_param_t *b = NULL;

	if (osip_message_get_via(m, 0, &v) < 0 || !v)
		return false;
	if (osip_via_param_get_byname(v, "branch", &b) < 0 || !b ||
	    !b->gvalue)
		return false;
	return !strncmp(b->gvalue, BRANCH_MAGIC, strlen(BRANCH_MAGIC));
}

static bool uri_is_us(struct sipc *c, const osip_uri_t *u)
{
	int port;

	if (!u || !u->host)
		return false;
	port = port_of(u->port);
	return port == c->port && (!strcmp(u->host, c->addr) ||
				   (sipc_is_loopback(u->host) &&
				    sipc_is_loopback(c->addr)));
}

/** RFC 3261 16.4: a top Route that names us is removed. */
static void pop_own_route(struct sipc *c, osip_message_t *m)
{
	osip_route_t *r = NULL;

	if (osip_message_get_route(m, 0, &r) >= 0 && r &&
	    uri_is_us(c, r->url)) {
		osip_list_remove(&m->routes, 0);
		osip_route_free(r);
	}
}

static int max_forwards(const osip_message_t *m)
{
	const char *v = header_value(m, "max-forwards");

	return v ? atoi(v) : 70;
}

static void set_max_forwards(osip_message_t *m, int mf)
{
	char v[16];

	remove_headers(m, "max-forwards");
	snprintf(v, sizeof(v), "%d", mf);
	osip_message_set_header(m, "Max-Forwards", v);
}

/* ------------------------------------------------------------------ */
/* Server side                                                         */
/* ------------------------------------------------------------------ */

static void px_unref(struct sipc_px *px);

static struct srv *srv_of(osip_transaction_t *tr)
{
	return tr ? osip_transaction_get_reserved1(tr) : NULL;
}

/** Send a response on a server transaction, through the model. */
static int srv_respond_msg(struct srv *s, osip_message_t *r)
{
	struct ss *t;

	if (!s->tr) {
		osip_message_free(r);
		return -1;
	}
	t = apply(s->c, s->ss, r, SSM_OUT);
	stamp(s->c, t, r);
	if (r->status_code >= 200)
		s->final_sent = true;
	osip_transaction_add_event(s->tr, osip_new_outgoing_sipmessage(r));
	return 0;
}

static int srv_respond(struct srv *s, int status, const char *reason)
{
	osip_message_t *r;
	char tag[32];

	if (s->final_sent)
		return -1;
	gen_token(tag, sizeof(tag));
	r = make_response(s->req, status, reason, tag);
	if (!r)
		return -1;
	return srv_respond_msg(s, r);
}

const osip_message_t *sipc_req_msg(const struct sipc_req *r)
{
	return r->srv->req;
}

struct ss *sipc_req_session(const struct sipc_req *r)
{
	return r->srv->ss;
}

int sipc_respond(struct sipc_req *r, int status, const char *reason)
{
	return srv_respond(r->srv, status, reason);
}

/* ------------------------------------------------------------------ */
/* Proxy                                                               */
/* ------------------------------------------------------------------ */

static void px_forward_upstream(struct sipc_px *px, osip_message_t *resp,
				struct ss *from_branch_ss);
static void px_check_done(struct sipc_px *px);

static void px_free(struct sipc_px *px)
{
	struct sipc *c = px->c;

	for (struct sipc_px **pp = &c->pxs; *pp; pp = &(*pp)->next) {
		if (*pp == px) {
			*pp = px->next;
			break;
		}
	}
	for (int i = 0; i < px->nbr; i++) {
		free(px->br[i].target);
		if (px->br[i].req)
			osip_message_free(px->br[i].req);
		if (px->br[i].final)
			osip_message_free(px->br[i].final);
	}
	if (px->orig)
		osip_message_free(px->orig);
	mem_deref(px->ss);
	free(px);
}

static void px_unref(struct sipc_px *px)
{
	if (--px->refs == 0)
		px_free(px);
}

static int branch_of(struct sipc_px *px, osip_transaction_t *tr)
{
	for (int i = 0; i < px->nbr; i++)
		if (px->br[i].tr == tr)
			return i;
	return -1;
}

/* One libosip2 timer to run @ms from @now. */
static void timer_from(int *len, struct timeval *start,
		       const struct timeval *now, int ms)
{
	*len = ms;
	*start = *now;
	add_gettimeofday(start, ms);
}

/* RFC 3261 17.1.1.1: T1 scales a client transaction's timers (A and E
 * start at T1, B and F are 64*T1).  libosip2 compiles 500 ms in and
 * starts B and F in osip_transaction_init, so --t1 sets them afterwards;
 * A and E run only on unreliable transports (length -1 otherwise). */
static int client_tr(struct sipc *c, osip_transaction_t **tr,
		     osip_fsm_type_t type, osip_message_t *m)
{
	struct timeval now;
	int t1 = c->cfg.t1_ms;
	osip_ict_t *ict;
	osip_nict_t *nict;

	if (osip_transaction_init(tr, type, c->osip, m) < 0)
		return -1;
	if (t1 <= 0)
		return 0;
	osip_gettimeofday(&now, NULL);    /* libosip2's clock, monotonic */
	if ((ict = (*tr)->ict_context)) {
		if (ict->timer_a_length > 0)
			timer_from(&ict->timer_a_length, &ict->timer_a_start,
				   &now, t1);
		timer_from(&ict->timer_b_length, &ict->timer_b_start, &now,
			   64 * t1);
	}
	if ((nict = (*tr)->nict_context)) {
		if (nict->timer_e_length > 0)
			timer_from(&nict->timer_e_length, &nict->timer_e_start,
				   &now, t1);
		timer_from(&nict->timer_f_length, &nict->timer_f_start, &now,
			   64 * t1);
	}
	return 0;
}

/** Send the request @m, stamped already, on a non-INVITE client
 * transaction of its own; its responses reach the session @ss (or none)
 * through on_client_response.  @m is the transaction's, or freed. */
static void nict_send(struct sipc *c, struct ss *ss, osip_message_t *m)
{
	osip_transaction_t *tr = NULL;

	if (client_tr(c, &tr, NICT, m) < 0) {
		osip_message_free(m);
		return;
	}
	osip_transaction_set_reserved4(tr, mem_ref(ss));
	osip_transaction_add_event(tr, osip_new_outgoing_sipmessage(m));
}

/** Start branch @i: a client transaction with a copy of the request. */
static int px_start_branch(struct sipc_px *px, int i)
{
	struct sipc *c = px->c;
	struct branch *b = &px->br[i];
	osip_message_t *fwd = NULL;
	osip_uri_t *u = NULL;
	osip_transaction_t *tr = NULL;
	char vb[64];
	bool invite = MSG_IS_INVITE(px->orig);
	int mf = max_forwards(px->orig);

	b->started = true;
	if (osip_message_clone(px->orig, &fwd) < 0)
		return -1;
	if (osip_uri_init(&u) < 0 || osip_uri_parse(u, b->target) < 0 ||
	    port_of(u->port) < 0) {
		osip_uri_free(u);
		osip_message_free(fwd);
		b->status = 400;
		b->done = true;
		return -1;
	}
	osip_uri_free(fwd->req_uri);
	fwd->req_uri = u;
	pop_own_route(c, fwd);
	if (uri_is_us(c, u) && !osip_list_size(&fwd->routes)) {
		/* RFC 3261 16.3: forwarding to ourselves is a loop */
		osip_message_free(fwd);
		b->status = 482;
		b->done = true;
		return -1;
	}
	set_max_forwards(fwd, mf > 0 ? mf - 1 : 0);        /* PROXY-08 */
	if (px->o.record_route && !tag_of(fwd->to)) {     /* PROXY-06 */
		osip_record_route_t *rr = NULL;
		char s[128];

		snprintf(s, sizeof(s), "<sip:%s:%d;lr>", c->addr, c->port);
		if (osip_record_route_init(&rr) >= 0 &&
		    osip_record_route_parse(rr, s) >= 0)
			osip_list_add(&fwd->record_routes, rr, 0);
		else
			osip_record_route_free(rr);
	}
	if (px->o.add_path && MSG_IS_REGISTER(fwd)) {      /* PROXY-18 */
		osip_header_t *ph = NULL;
		char s[128];

		/* ours above any Path already there (RFC 3327 4) */
		snprintf(s, sizeof(s), "<sip:%s:%d;lr>", c->addr, c->port);
		if (osip_header_init(&ph) >= 0) {
			ph->hname = osip_strdup("Path");
			ph->hvalue = osip_strdup(s);
			if (ph->hname && ph->hvalue)
				osip_list_add(&fwd->headers, ph, 0);
			else
				osip_header_free(ph);
		}
	}
	remove_headers(fwd, "X-SS-State");
	{
		osip_route_t *r = NULL;
		const char *h = u->host;

		if (osip_message_get_route(fwd, 0, &r) >= 0 && r && r->url)
			h = r->url->host;
		if (!sipc_is_loopback(h)) {
			/* Never leave the machine (see the file comment). */
			osip_message_free(fwd);
			b->status = 403;
			b->done = true;
			return -1;
		}
	}
	if (push_via(c, fwd, strcasestr(b->target, "transport=tcp") != NULL,
		     vb, sizeof(vb)) < 0) {
		osip_message_free(fwd);
		return -1;
	}
	stamp(c, apply(c, px->ss, fwd, SSM_OUT), fwd);
	if (osip_message_clone(fwd, &b->req) < 0 ||
	    client_tr(c, &tr, invite ? ICT : NICT, fwd) < 0) {
		osip_message_free(fwd);
		b->done = true;
		b->status = 500;
		return -1;
	}
	osip_transaction_set_reserved2(tr, px);
	px->refs++;
	b->tr = tr;
	if (!px->o.parallel && px->o.branch_timeout_ms > 0)
		b->deadline = now_ms() + (uint64_t)px->o.branch_timeout_ms;
	osip_transaction_add_event(tr, osip_new_outgoing_sipmessage(fwd));
	return 0;
}

static void send_cancel(struct sipc *c, struct ss *ss,
			const osip_message_t *req);

static void px_send_cancel(struct sipc_px *px, int i)
{
	struct branch *b = &px->br[i];

	if (b->done || b->cancelled || !b->req || !MSG_IS_INVITE(b->req))
		return;
	b->cancelled = true;
	if (!b->tr)
		return;
	if (b->status < 100) {
		b->cancel_held = true; /* RFC 3261 9.1: a provisional first */
		return;
	}
	send_cancel(px->c, px->ss, b->req);
}

/* A provisional response on branch @i lets a CANCEL held for want of one
 * go (RFC 3261 9.1), once, and also when the branch has ended meanwhile
 * on its timeout's 408: its INVITE is still ringing there. */
static void px_release_cancel(struct sipc_px *px, int i)
{
	struct branch *b = &px->br[i];

	if (!b->cancel_held)
		return;
	b->cancel_held = false;
	if (b->tr)
		send_cancel(px->c, px->ss, b->req);
}

static void px_cancel_pending(struct sipc_px *px, int except)
{
	for (int i = 0; i < px->nbr; i++)
		if (i != except && px->br[i].started && !px->br[i].done)
			px_send_cancel(px, i);
}

/** Start the next untried branch (sequential), or all (parallel). */
static void px_start_more(struct sipc_px *px)
{
	/* sequential: one branch at a time (PROXY-05) */
	for (int i = 0; !px->o.parallel && i < px->nbr; i++)
		if (px->br[i].started && !px->br[i].done)
			return;
	for (int i = 0; i < px->nbr; i++) {
		if (px->br[i].started)
			continue;
		px_start_branch(px, i);
		if (!px->o.parallel && !px->br[i].done)
			return;
	}
}

int sipc_px_add_target(struct sipc_px *px, const char *target)
{
	struct branch *b;

	if (px->completed || px->nbr == MAX_BRANCHES || !target)
		return -1;
	b = &px->br[px->nbr++];
	memset(b, 0, sizeof(*b));
	b->target = strdup(target);
	if (!b->target) {
		px->nbr--;
		return -1;
	}
	if (!px->in_callback)
		px_start_more(px);
	return 0;
}

int sipc_px_respond(struct sipc_px *px, int status, const char *reason)
{
	if (px->completed || !px->srv)
		return -1;
	px->app_answered = true;
	px->completed = true;
	return srv_respond(px->srv, status, reason);
}

struct ss *sipc_px_session(const struct sipc_px *px)
{
	return px->ss;
}

static void px_forward_upstream(struct sipc_px *px, osip_message_t *resp,
				struct ss *bss)
{
	struct srv *s = px->srv;
	struct ss *t;

	if (px->c->cfg.verbose)
		sipc_log(px->c, "upstream: %d (server tx %s, state %d, final "
			 "%s)", resp->status_code, s && s->tr ? "alive" : "gone",
			 s && s->tr ? (int)s->tr->state : -1,
			 s && s->final_sent ? "sent" : "not sent");
	pop_via(resp);
	remove_headers(resp, "X-SS-State");
	if (resp->status_code >= 200)
		px->completed = true;
	bool inv2xx = resp->status_code >= 200 && resp->status_code < 300 &&
		      MSG_IS_RESPONSE_FOR(resp, "INVITE");

	if (inv2xx && (!s || !s->tr || s->final_sent)) {
		/* A further 2xx of a forked INVITE, after the first or after
		 * libosip2 ended the server transaction on it: statelessly,
		 * by its Via, as every 2xx goes (PROXY-09). */
		t = apply(px->c, bss ? bss : px->ss, resp, SSM_OUT);
		stamp(px->c, t, resp);
		osip_message_force_update(resp);
		send_stateless(px->c, resp);
		osip_message_free(resp);
		return;
	}
	if (!s || !s->tr || s->final_sent) {
		osip_message_free(resp);
		return;
	}
	t = apply(px->c, bss ? bss : px->ss, resp, SSM_OUT);
	stamp(px->c, t, resp);
	if (resp->status_code >= 200)
		s->final_sent = true;
	osip_transaction_add_event(s->tr, osip_new_outgoing_sipmessage(resp));
}

static bool px_all_final(const struct sipc_px *px)
{
	for (int i = 0; i < px->nbr; i++)
		if (!px->br[i].done)
			return false;
	return true;
}

/* The INVITE is over on every branch: early dialogs of the proxy's
 * session family that never got a 2xx end with it (RFC 3261 13.2.2.4),
 * whatever To tag a branch put on its final response. */
static void px_end_early(struct sipc_px *px)
{
	if (px->completed && px_all_final(px) && px->ss &&
	    MSG_IS_INVITE(px->orig))
		ss_initial_tx_ended(px->ss);
}

/** All branches final: the best response goes upstream (PROXY-10). */
static void px_check_done(struct sipc_px *px)
{
	int codes[MAX_BRANCHES], n = 0, best, bi = -1;

	if (px->completed) {
		px_end_early(px);
		return;
	}
	for (int i = 0; i < px->nbr; i++) {
		if (!px->br[i].started)
			return;              /* sequential: more to try */
		if (!px->br[i].done)
			return;
		if (!px->br[i].recursed && !px->br[i].own)
			codes[n++] = px->br[i].status;
	}
	/* RFC 3261 16.7 step 6: no final response in the context, 408 */
	best = n ? ssm_best_response(px->c->m, codes, (size_t)n) : 408;
	for (int i = 0; i < px->nbr; i++) {
		int st = px->br[i].status;

		if (px->br[i].own)
			continue;
		if (st == best || (best == 500 && st == 503)) {
			bi = i;
			break;
		}
	}
	if (px->o.supervised && px->c->app.do_response && !px->in_callback) {
		int before = px->nbr;

		px->in_callback = true;
		px->c->app.do_response(px, best, px->c->app.arg);
		px->in_callback = false;
		if (px->completed)
			return;              /* the app answered */
		if (px->nbr > before) {      /* re-proxy (PROXY-11) */
			px_start_more(px);
			return;
		}
	}
	if (bi >= 0 && px->br[bi].final) {
		osip_message_t *r = px->br[bi].final;

		px->br[bi].final = NULL;
		if (r->status_code != best) {
			r->status_code = best;
			osip_free(r->reason_phrase);
			r->reason_phrase = osip_strdup(
				osip_message_get_reason(best));
		}
		px_forward_upstream(px, r, NULL);
	}
	else if (px->srv) {
		px->completed = true;
		srv_respond(px->srv, best, NULL);    /* e.g. a synthesized 408 */
	}
}

static void px_branch_final(struct sipc_px *px, int i, int status,
			    osip_message_t *copy)
{
	struct branch *b = &px->br[i];

	b->done = true;
	b->status = status;
	b->deadline = 0;
	if (b->final)
		osip_message_free(b->final);
	b->final = copy;
	if (ssm_cancels_branches(px->c->m, status, px->o.no_cancel))
		px_cancel_pending(px, i);     /* 6xx (CF-17) */
	if (!px->o.parallel && !px->completed && status < 600)
		px_start_more(px);
	px_check_done(px);
}

/** A response on a branch (ICT/NICT callbacks). */
static void px_on_response(struct sipc_px *px, osip_transaction_t *tr,
			   osip_message_t *resp)
{
	int i = branch_of(px, tr);
	int st = resp->status_code;
	struct ss *bss;
	osip_message_t *copy = NULL;

	if (i < 0)
		return;
	if (px->c->cfg.verbose)
		sipc_log(px->c, "branch %d (%s): %d %s", i, px->br[i].target,
			 st, resp->cseq ? resp->cseq->method : "");
	/* RFC 3261 16.8 asks whether the transaction "has received a
	 * provisional response": 100 counts (Cipango counts 101-199). */
	if (st < 200 && !px->br[i].done)
		px->br[i].provisional = true;
	if (osip_list_size(&resp->vias) < 2) {
		/* RFC 3261 16.7 step 3: no Via is left once ours is gone, so
		 * the response is for this element: never forwarded, and not
		 * in the response context.  A provisional one still lets a
		 * held CANCEL go (9.1), a final one still ends the branch
		 * (its transaction ACKs a non-2xx). */
		sipc_log(px->c, "branch %d: a %d with no Via below ours is "
			 "for the proxy itself: not forwarded", i, st);
		if (st < 200) {
			if (!px->br[i].done)
				px->br[i].status = st;
			px_release_cancel(px, i);
		}
		if (st >= 200 && !px->br[i].done) {
			px->br[i].done = px->br[i].own = true;
			px->br[i].status = st;
			px->br[i].deadline = 0;
			if (!px->o.parallel && !px->completed)
				px_start_more(px);
			px_check_done(px);
		}
		return;
	}
	bss = apply(px->c, px->ss, resp, SSM_IN);
	ops_run(px->c, bss, resp, false);
	if (st < 200 && !px->br[i].done)
		px->br[i].status = st;   /* not over the 408 of a timeout */
	if (st == 100) {
		px_release_cancel(px, i);
		return;
	}
	if (st < 200) {
		px_release_cancel(px, i);
		if (px->completed || osip_message_clone(resp, &copy) < 0)
			return;
		px_forward_upstream(px, copy, bss);
		return;
	}
	if (st < 300) {
		/* PROXY-09: every 2xx goes upstream at once; the others are
		 * cancelled unless noCancel. */
		px->br[i].done = true;
		px->br[i].status = st;
		if (osip_message_clone(resp, &copy) >= 0)
			px_forward_upstream(px, copy, bss);
		if (ssm_cancels_branches(px->c->m, st, px->o.no_cancel))
			px_cancel_pending(px, i);
		px_end_early(px);
		return;
	}
	if (px->br[i].done) {
		/* the final of a branch that has ended already, on its
		 * timeout's 408 (PROXY-10): the 408 stays its response */
		px_end_early(px);
		return;
	}
	if (st < 400 && px->o.recurse) {
		/* PROXY-12: Contacts of a 3xx become new branches. */
		osip_contact_t *ct = NULL;
		int added = 0;

		for (int k = 0; osip_message_get_contact(resp, k, &ct) >= 0 &&
		     ct; k++) {
			char *s = NULL;

			if (ct->url && osip_uri_to_str(ct->url, &s) >= 0) {
				if (px->nbr < MAX_BRANCHES) {
					struct branch *nb = &px->br[px->nbr++];

					memset(nb, 0, sizeof(*nb));
					nb->target = strdup(s);
					added++;
				}
				osip_free(s);
			}
		}
		if (added) {
			/* the caller never sees this 3xx */
			px->br[i].done = true;
			px->br[i].recursed = true;
			px->br[i].status = st;
			px_start_more(px);
			px_check_done(px);
			return;
		}
	}
	osip_message_clone(resp, &copy);
	px_branch_final(px, i, st, copy);
}

/**
 * A branch timed out (Timer B/F, our sequential timer, or its transaction
 * went away).  By default it ends with a synthesized 408 (PROXY-10); the
 * CANCEL still goes to an INVITE branch that has had a provisional
 * response.  Under CF-18 that branch ends only with the final response
 * the CANCEL brings (RFC 3261 16.8).  libosip2 runs no timer in an INVITE
 * client transaction's Proceeding state, so the wait has its own: if no
 * final has come 64*T1 after the CANCEL, the INVITE counts as cancelled
 * (RFC 3261 9.1) and the branch ends with the 408 after all.
 */
static void px_on_timeout(struct sipc_px *px, int i)
{
	struct branch *b;
	int t1;

	if (i < 0 || px->br[i].done)
		return;
	b = &px->br[i];
	if (!b->timed_out && b->tr && b->req && MSG_IS_INVITE(b->req) &&
	    ssm_timeout_waits_final(px->c->m, b->provisional)) {
		t1 = px->c->cfg.t1_ms > 0 ? px->c->cfg.t1_ms : 500;
		b->timed_out = true;
		b->deadline = now_ms() + 64 * (uint64_t)t1;
		if (px->c->cfg.verbose)
			sipc_log(px->c, "branch %d timed out after a "
				 "provisional: CANCEL, its final awaited "
				 "(CF-18)", i);
		px_send_cancel(px, i);
		return;
	}
	px_send_cancel(px, i);
	px_branch_final(px, i, 408, NULL);            /* PROXY-10: 408 */
}

int sipc_proxy(struct sipc_req *r, const struct sipc_proxy_opts *o,
	       const char *const *targets, int n, struct sipc_px **pxp)
{
	struct srv *s = r->srv;
	struct sipc_px *px;

	if (s->px || s->final_sent || n < 1 || n > SIPC_MAX_TARGETS)
		return -1;
	if (max_forwards(s->req) <= 0) {
		srv_respond(s, 483, NULL);                    /* PROXY-02 */
		return SSM_HOPS;
	}
	px = calloc(1, sizeof(*px));
	if (!px)
		return -1;
	px->c = s->c;
	px->srv = s;
	px->o = *o;
	px->refs = 1;                          /* the server transaction */
	px->ss = mem_ref(s->ss);
	/* An initial request makes the session a proxy's, record-routing
	 * or not (PROXY-06); a subsequent one follows the path its dialog
	 * set up and leaves that choice alone, or a re-INVITE would turn a
	 * record-routed session into one ready on CONFIRMED (INVAL-10). */
	if (s->ss && !tag_of(s->req->to) &&
	    ss_set_proxy(s->ss, o->record_route)) {
		/* a second proxy on the same session: fine */
	}
	if (osip_message_clone(s->req, &px->orig) < 0) {
		free(px);
		return -1;
	}
	px->next = s->c->pxs;
	s->c->pxs = px;
	s->px = px;
	for (int i = 0; i < n; i++)
		sipc_px_add_target(px, targets[i]);
	if (pxp)
		*pxp = px;
	px_check_done(px);      /* every target refused at once */
	return 0;
}

/* ------------------------------------------------------------------ */
/* B2BUA (B2B-02 to B2B-10)                                            */
/* ------------------------------------------------------------------ */

#define LEG_ATTR "sstck.leg"

static char *uri_dup(const osip_uri_t *u)
{
	char *t = NULL, *r;

	if (!u || osip_uri_to_str(u, &t) < 0)
		return NULL;
	r = strdup(t);
	osip_free(t);
	return r;
}

static char *contact_of(const osip_message_t *m)
{
	osip_contact_t *ct = NULL;

	if (osip_message_get_contact(m, 0, &ct) < 0 || !ct)
		return NULL;
	return uri_dup(ct->url);
}

static void leg_free(struct leg *l)
{
	if (!l)
		return;
	free(l->target);
	free(l->local);
	free(l->remote);
	free(l);
}

static struct leg *leg_of(struct ss *ss)
{
	void *v = NULL;

	if (!ss || ss_get_attr(ss, LEG_ATTR, &v))
		return NULL;
	return v;
}

/** The leg of @ss, its own (a derived session gets a copy, B2B-09). */
static struct leg *leg_own(struct ss *ss)
{
	struct leg *l = leg_of(ss), *n;

	if (!l || l->owner == ss)
		return l;
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->owner = ss;
	n->target = l->target ? strdup(l->target) : NULL;
	n->local = l->local ? strdup(l->local) : NULL;
	n->remote = l->remote ? strdup(l->remote) : NULL;
	n->invite_cseq = l->invite_cseq;
	if (ss_set_attr(ss, LEG_ATTR, n, NULL)) {
		leg_free(n);
		return NULL;
	}
	return n;
}

static void set_str(char **dst, char *v)
{
	if (!v)
		return;
	free(*dst);
	*dst = v;
}

/** Copy the body and its Content-Type from @from to @to. */
static void copy_body(osip_message_t *to, const osip_message_t *from)
{
	osip_body_t *b = NULL;
	char *ct = NULL;

	if (!from || osip_message_get_body(from, 0, &b) < 0 || !b ||
	    !b->body)
		return;
	if (from->content_type &&
	    osip_content_type_to_str(from->content_type, &ct) >= 0) {
		osip_message_set_content_type(to, ct);
		osip_free(ct);
	}
	osip_message_set_body(to, b->body, b->length);
}

/** A request on a leg, from the leg's dialog data and the model's
 * identifiers (SS-08: Call-ID, tags, next CSeq). */
static osip_message_t *leg_request(struct sipc *c, const char *method,
				   const char *ruri, const struct ss_req *rq,
				   const char *local, const char *remote,
				   int mf, const osip_message_t *body_from,
				   char *vb, size_t vbsz)
{
	osip_message_t *m = NULL;
	char *txt;
	size_t n;
	int len;

	if (!ruri || !rq->call_id)        /* a leg whose strings ran out */
		return NULL;
	n = strlen(method) * 2 + strlen(ruri) + strlen(rq->call_id) +
	    (local ? strlen(local) : 0) + (remote ? strlen(remote) : 0) +
	    (rq->from_tag ? strlen(rq->from_tag) : 0) +
	    (rq->to_tag ? strlen(rq->to_tag) : 0) + 2 * sizeof(c->addr) + 512;
	txt = malloc(n);
	if (!txt)
		return NULL;
	{
		char tok[40];

		gen_token(tok, sizeof(tok));
		snprintf(vb, vbsz, BRANCH_MAGIC "%s", tok);
	}
	len = snprintf(txt, n,
		       "%s %s SIP/2.0\r\n"
		       "Via: SIP/2.0/UDP %s:%d;branch=%s\r\n"
		       "From: <%s>;tag=%s\r\n"
		       "To: <%s>%s%s\r\n"
		       "Call-ID: %s\r\n"
		       "CSeq: %u %s\r\n"
		       "Max-Forwards: %d\r\n"
		       "Contact: <sip:b2bua@%s:%d>\r\n"
		       "Content-Length: 0\r\n\r\n",
		       method, ruri, c->addr, c->port, vb,
		       local ? local : "sip:anonymous@anonymous.invalid",
		       rq->from_tag ? rq->from_tag : "x",
		       remote ? remote : "sip:anonymous@anonymous.invalid",
		       rq->to_tag ? ";tag=" : "", rq->to_tag ? rq->to_tag : "",
		       rq->call_id, rq->cseq, method, mf, c->addr, c->port);
	if (len < 0 || (size_t)len >= n || osip_message_init(&m) < 0 ||
	    osip_message_parse(m, txt, (size_t)len) < 0) {
		free(txt);
		osip_message_free(m);
		return NULL;
	}
	free(txt);
	set_max_forwards(m, mf);          /* its canonical spelling */
	copy_body(m, body_from);
	osip_message_force_update(m);
	return m;
}

static void relay_unref(struct relay *rl)
{
	if (--rl->refs > 0)
		return;
	mem_deref(rl->in);
	mem_deref(rl->out);
	if (rl->req)
		osip_message_free(rl->req);
	free(rl);
}

/** Send @m on a client transaction of @rl, through the model. */
static int relay_send(struct relay *rl, osip_message_t *m)
{
	struct sipc *c = rl->c;
	osip_transaction_t *tr = NULL;
	osip_uri_t *u = m->req_uri;

	if (!u || !sipc_is_loopback(u->host)) {
		osip_message_free(m);
		return -1;
	}
	stamp(c, apply(c, rl->out, m, SSM_OUT), m);
	if (rl->req)
		osip_message_free(rl->req);
	rl->req = NULL;
	if (osip_message_clone(m, &rl->req) < 0 ||
	    client_tr(c, &tr, MSG_IS_INVITE(m) ? ICT : NICT, m) < 0) {
		osip_message_free(m);
		return -1;
	}
	osip_transaction_set_reserved3(tr, rl);
	rl->refs++;
	rl->tr = tr;
	rl->status = 0;
	osip_transaction_add_event(tr, osip_new_outgoing_sipmessage(m));
	return 0;
}

/** RFC 3261 9.1: a CANCEL for the INVITE @req, on its own transaction. */
static void send_cancel(struct sipc *c, struct ss *ss,
			const osip_message_t *req)
{
	osip_message_t *cancel = NULL;

	if (!req || osip_message_init(&cancel) < 0)
		return;
	osip_message_set_method(cancel, osip_strdup("CANCEL"));
	osip_message_set_version(cancel, osip_strdup("SIP/2.0"));
	osip_uri_clone(req->req_uri, &cancel->req_uri);
	osip_list_clone(&req->vias, &cancel->vias,
			(int (*)(void *, void **))osip_via_clone);
	while (osip_list_size(&cancel->vias) > 1) {
		osip_via_t *v = osip_list_get(&cancel->vias, 1);

		osip_list_remove(&cancel->vias, 1);
		osip_via_free(v);
	}
	osip_list_clone(&req->routes, &cancel->routes,
			(int (*)(void *, void **))osip_route_clone);
	osip_from_clone(req->from, &cancel->from);
	osip_to_clone(req->to, &cancel->to);
	osip_call_id_clone(req->call_id, &cancel->call_id);
	osip_cseq_clone(req->cseq, &cancel->cseq);
	osip_free(cancel->cseq->method);
	cancel->cseq->method = osip_strdup("CANCEL");
	set_max_forwards(cancel, 70);
	osip_message_set_content_length(cancel, "0");
	stamp(c, ss ? apply(c, ss, cancel, SSM_OUT) : NULL, cancel);
	/* its 200 goes to the model too (the CANCEL is a transaction) */
	nict_send(c, ss, cancel);
}

int sipc_b2b(struct sipc_req *r, const char *target)
{
	struct sipc *c = r->srv->c;

	return sipc_b2b_opts(r, target, c->b2b_auth_retry, c->cfg.b2b_same_call_id);
}

int sipc_b2b_opts(struct sipc_req *r, const char *target, bool auth_retry,
		  bool same_call_id)
{
	struct srv *s = r->srv;
	struct sipc *c = s->c;
	const osip_message_t *q = s->req;
	struct ss *uac = NULL;
	struct leg *lu, *lc;
	struct relay *rl;
	struct ss_req rq;
	osip_message_t *m;
	char vb[64];
	int mf = max_forwards(q), err;

	if (!s->ss || s->px || s->rl || s->final_sent || !target)
		return -1;
	lu = calloc(1, sizeof(*lu));
	lc = calloc(1, sizeof(*lc));
	rl = calloc(1, sizeof(*rl));
	if (!lu || !lc || !rl)
		goto fail;
	/* B2B-02: a new linked UAC session in the same SAS (new Call-ID and
	 * From tag); B2B-03: Max-Forwards 0 is TooManyHops, a 483. */
	if (same_call_id) {
		/* the deprecated route (B2B-11): SipFactory.createRequest(orig,
		 * true) and a link of the application's own */
		err = mf == 0 ? SSM_HOPS : ss_factory_copy(s->ss, true, &uac);
		if (!err && (err = ss_link(s->ss, uac)))
			ss_invalidate(uac);
	} else {
		/* the new leg's parties are the original's (B2B-02, SS-04) */
		char *fu = q->from ? uri_dup(q->from->url) : NULL;
		char *tu = q->to ? uri_dup(q->to->url) : NULL;

		err = ss_b2b_leg(s->ss, true, mf, fu, tu, &uac);
		free(fu);
		free(tu);
	}
	if (err == SSM_HOPS) {
		srv_respond(s, 483, NULL);
		free(lu);
		free(lc);
		free(rl);
		return SSM_HOPS;
	}
	if (err)
		goto fail;
	lu->owner = s->ss;
	lu->target = contact_of(q);
	lu->local = q->to ? uri_dup(q->to->url) : NULL;
	lu->remote = q->from ? uri_dup(q->from->url) : NULL;
	lc->owner = uac;
	lc->target = strdup(target);
	lc->local = q->from ? uri_dup(q->from->url) : NULL;
	lc->remote = q->to ? uri_dup(q->to->url) : NULL;
	if (ss_set_attr(s->ss, LEG_ATTR, lu, NULL)) {
		leg_free(lu);
		lu = NULL;
		goto fail;
	}
	lu = NULL;
	if (ss_set_attr(uac, LEG_ATTR, lc, NULL)) {
		leg_free(lc);
		lc = NULL;
		goto fail;
	}
	if (ss_create_request(uac, q->sip_method, &rq))
		goto fail;
	lc->invite_cseq = rq.cseq;
	m = leg_request(c, q->sip_method, target, &rq, lc->local, lc->remote,
			mf > 0 ? mf - 1 : 0, q, vb, sizeof(vb));
	lc = NULL;
	if (!m)
		goto fail;
	rl->c = c;
	rl->srv = s;
	rl->in = mem_ref(s->ss);
	rl->out = mem_ref(uac);
	rl->initial = true;
	rl->auth_retry = auth_retry;
	rl->refs = 1;                          /* the server transaction */
	s->rl = rl;
	if (relay_send(rl, m)) {
		/* the new leg never leaves: the application drops it */
		ss_invalidate(uac);
		srv_respond(s, 403, "Target Outside Loopback");
		return -1;
	}
	return 0;
 fail:
	free(lu);
	if (lc && !leg_of(uac))
		leg_free(lc);
	free(rl);
	if (uac && ss_is_valid(uac))
		ss_invalidate(uac);
	if (!s->final_sent)
		srv_respond(s, 500, "B2BUA Leg Not Created");
	return -1;
}

static void call_on_response(struct sipc_call *k, struct relay *rl,
			     struct ss *t, osip_message_t *resp);
static void leg_ack(struct sipc *c, struct ss *ss,
		    const osip_message_t *body_from);
static void leg_bye(struct sipc *c, struct ss *ss);
static void call_free(struct sipc_call *k);

/** A response on the other leg, relayed to the request it answers. */
static void relay_on_response(struct relay *rl, osip_message_t *resp)
{
	struct sipc *c = rl->c;
	struct srv *s = rl->srv;
	int st = resp->status_code;
	struct ss *t, *peer = NULL;
	osip_message_t *out;
	const char *ltag = NULL, *rtag = NULL;
	char tag[40];

	rl->status = st;
	t = apply(c, rl->out, resp, SSM_IN);
	ops_run(c, t, resp, false);
	if (rl->call) {
		call_on_response(rl->call, rl, t, resp);
		return;
	}
	/* RFC 3261 9.1: a CANCEL held for want of a provisional response
	 * goes with the first one, whichever it is */
	if (st < 200 && rl->cancel_pending) {
		rl->cancel_pending = false;
		send_cancel(c, rl->out, rl->req);
	}
	if (st == 100)
		return;
	if ((st == 401 || st == 407) && rl->initial && rl->auth_retry &&
	    !rl->retried && !rl->cancelled) {
		/* SS-STATE-14: the session is back in INITIAL; the same
		 * session sends the INVITE again (same Call-ID and From tag,
		 * no To tag, the next CSeq) with credentials. */
		struct ss_req rq;
		struct leg *l = leg_of(rl->out);
		osip_message_t *m;
		char vb[64];

		rl->retried = true;
		if (l && !ss_create_request(rl->out, rl->req->sip_method,
					     &rq)) {
			m = leg_request(c, rl->req->sip_method, l->target, &rq,
					l->local, l->remote,
					max_forwards(rl->req), rl->req, vb,
					sizeof(vb));
			if (m) {
				osip_message_set_header(m, st == 407 ?
					"Proxy-Authorization" : "Authorization",
					"Digest username=\"sstck\", realm=\"sstck\","
					" nonce=\"0\", uri=\"sip:sstck\","
					" response=\"00000000000000000000000000000000\"");
				l->invite_cseq = rq.cseq;
				osip_message_force_update(m);
				if (!relay_send(rl, m))
					return;
			}
		}
	}
	if (st >= 200 && st < 300 && rl->initial) {
		struct leg *l = leg_own(t);

		if (l)
			set_str(&l->target, contact_of(resp));
	}
	if (st >= 200 && st < 300 && rl->initial && rl->cancelled) {
		/* a 2xx that crossed our CANCEL: the caller has had its 487
		 * (SS-STATE-24), so this dialog ends here (RFC 3261 15) */
		leg_ack(c, t, NULL);
		leg_bye(c, t);
		return;
	}
	if (!s || !s->tr)
		return;
	if (ss_linked(t, &peer) || !peer)
		peer = rl->in;
	if (peer && ss_is_valid(peer))
		ss_tags(peer, &ltag, &rtag);
	if (!ltag) {
		gen_token(tag, sizeof(tag));
		ltag = tag;
	}
	out = make_response(s->req, st, resp->reason_phrase, ltag);
	if (!out)
		return;
	if (st > 100 && st < 300) {
		char ct[160];

		snprintf(ct, sizeof(ct), "<sip:b2bua@%s:%d>", c->addr, c->port);
		osip_message_set_contact(out, ct);
	}
	copy_body(out, resp);
	osip_message_force_update(out);
	if (s->final_sent) {
		osip_message_free(out);
		return;
	}
	srv_respond_msg(s, out);
	if (st >= 200 && rl->initial && MSG_IS_RESPONSE_FOR(resp, "INVITE")) {
		/* the INVITE is over on both legs: early dialogs of either
		 * family that got no 2xx end with it (RFC 3261 13.2.2.4) */
		ss_initial_tx_ended(rl->out);
		if (s->ss)
			ss_initial_tx_ended(s->ss);
	}
}

/** An in-dialog request on one leg, relayed to the linked leg (B2B-07). */
static void relay_request(struct srv *s)
{
	struct sipc *c = s->c;
	const osip_message_t *q = s->req;
	struct ss *peer = NULL;
	struct leg *l;
	struct relay *rl;
	struct ss_req rq;
	osip_message_t *m;
	char vb[64];

	if (ss_linked(s->ss, &peer) || !peer || !(l = leg_of(peer)) ||
	    !l->target) {
		srv_respond(s, 481, NULL);
		return;
	}
	if (ss_create_request(peer, q->sip_method, &rq)) {
		srv_respond(s, 481, NULL);
		return;
	}
	if (MSG_IS_INVITE(q))
		l->invite_cseq = rq.cseq;
	m = leg_request(c, q->sip_method, l->target, &rq, l->local, l->remote,
			70, q, vb, sizeof(vb));
	rl = calloc(1, sizeof(*rl));
	if (!m || !rl) {
		osip_message_free(m);
		free(rl);
		srv_respond(s, 500, NULL);
		return;
	}
	rl->c = c;
	rl->srv = s;
	rl->in = mem_ref(s->ss);
	rl->out = mem_ref(peer);
	rl->refs = 1;
	s->rl = rl;
	if (relay_send(rl, m))
		srv_respond(s, 500, NULL);
}

/** The ACK of a leg's 2xx, with @body_from's body (the answer to the
 * offer its 2xx made) or none. */
static void leg_ack(struct sipc *c, struct ss *ss, const osip_message_t *body_from)
{
	struct leg *l = leg_of(ss);
	struct ss_req rq;
	const char *cid, *lt, *rt;
	osip_message_t *m;
	char vb[64];

	if (!l || !l->target || ss_call_id(ss, &cid) || ss_tags(ss, &lt, &rt))
		return;
	rq.call_id = cid;
	rq.from_tag = lt;
	rq.to_tag = rt;
	rq.cseq = l->invite_cseq;
	m = leg_request(c, "ACK", l->target, &rq, l->local, l->remote, 70,
			body_from, vb, sizeof(vb));
	if (!m)
		return;
	stamp(c, apply(c, ss, m, SSM_OUT), m);
	send_stateless(c, m);
	osip_message_free(m);
}

/** End the confirmed dialog of the leg session @ss with a BYE of the
 * container's own (RFC 3261 15.1.1); its 200 reaches the session as a
 * CANCEL's does. */
static void leg_bye(struct sipc *c, struct ss *ss)
{
	struct leg *l = leg_of(ss);
	struct ss_req rq;
	osip_message_t *m;
	char vb[64];

	if (!l || !l->target || ss_create_request(ss, "BYE", &rq))
		return;
	m = leg_request(c, "BYE", l->target, &rq, l->local, l->remote, 70,
			NULL, vb, sizeof(vb));
	if (!m)
		return;
	stamp(c, apply(c, ss, m, SSM_OUT), m);
	nict_send(c, ss, m);
}

/** The ACK of a 2xx on one leg: a new ACK on the other (B2B-07). */
static void relay_ack(struct sipc *c, struct ss *ss)
{
	struct ss *peer = NULL;

	if (!ss_linked(ss, &peer) && peer)
		leg_ack(c, peer, NULL);
}

/* ------------------------------------------------------------------ */
/* libosip2 callbacks                                                  */
/* ------------------------------------------------------------------ */

struct dispatch_ctx {
	struct srv *srv;
};

/* RFC 3261 16.3, request validation by a proxy: a Request-URI scheme it
 * cannot handle gets 416, a Proxy-Require it does not support gets 420
 * with Unsupported (RFC 4475 3.3.2, 3.3.3, 3.3.5). */
static bool validate(struct srv *s)
{
	const osip_uri_t *u = s->req->req_uri;
	const char *pr = header_value(s->req, "proxy-require");

	if (!u || !u->scheme || (strcasecmp(u->scheme, "sip") &&
				 strcasecmp(u->scheme, "sips"))) {
		srv_respond(s, 416, NULL);
		return false;
	}
	if (pr && *pr) {
		osip_message_t *r;
		char tag[32];

		gen_token(tag, sizeof(tag));
		r = make_response(s->req, 420, NULL, tag);
		if (r) {
			osip_message_set_header(r, "Unsupported", pr);
			srv_respond_msg(s, r);
		}
		return false;
	}
	return true;
}

static void servlet(struct ss *ss, const struct ssm_msg *msg, void *arg)
{
	struct dispatch_ctx *d = arg;
	struct sipc_req r = {d->srv};
	struct sipc *c = d->srv->c;

	(void)msg;
	(void)ss;
	if (!validate(d->srv))
		return;
	ops_run(c, d->srv->ss, d->srv->req, true);
	if (c->app.do_request)
		c->app.do_request(&r, c->app.arg);
	if (!d->srv->px && !d->srv->rl && !d->srv->final_sent)
		srv_respond(d->srv, 500, "Application Did Not Answer");
}

/** A subsequent request on a dialog we are in: follow its path. */
static void forward_subsequent(struct srv *s)
{
	struct sipc_proxy_opts o = {0};
	struct sipc_px *px;
	struct sipc_req r = {s};
	char *target = NULL;
	osip_route_t *rt = NULL;
	osip_message_t *tmp = NULL;

	/* next hop: the Route set after ours, else the Request-URI */
	if (osip_message_clone(s->req, &tmp) < 0)
		return;
	pop_own_route(s->c, tmp);
	if (osip_message_get_route(tmp, 0, &rt) < 0 || !rt)
		rt = NULL;
	osip_uri_to_str(tmp->req_uri, &target);
	osip_message_free(tmp);
	o.parallel = true;
	if (!target) {
		srv_respond(s, 400, "Bad Request-URI");
		return;
	}
	if (sipc_proxy(&r, &o, (const char *const *)&target, 1, &px) < 0 &&
	    !s->final_sent)
		srv_respond(s, 500, NULL);
	osip_free(target);
}

/* RFC 3261 16.2: one 100 Trying for an INVITE (PROXY-08), once its
 * session is known so that it carries X-SS-State too. */
static void send_trying(struct srv *s)
{
	osip_message_t *t;

	if (!s->is_invite)
		return;
	t = make_response(s->req, 100, NULL, NULL);
	if (t)
		srv_respond_msg(s, t);
}

/* The application's key method (KEY-01, -02, -03): an initial request
 * with the key header belongs to the application session of that key,
 * one without it (a null key) to a new one.  0 (*sasp set or left NULL)
 * or -1. */
static int app_key(struct sipc *c, const osip_message_t *m, struct sas **sasp)
{
	osip_header_t *h = NULL;

	if (!c->app.key_header ||
	    osip_message_header_get_byname(m, c->app.key_header, 0, &h) < 0 ||
	    !h || !h->hvalue || !h->hvalue[0])
		return 0;
	return sas_by_key(c->mapp, h->hvalue, true, sasp) ? -1 : 0;
}

/* Encoded-URI targeting (KEY-05, JSR 289 15.11.3): the live application
 * session an initial request's top Route names, when that Route is ours,
 * else its Request-URI; NULL for none. */
static struct sas *encoded_sas(struct sipc *c, const osip_message_t *m)
{
	osip_route_t *r = NULL;
	const osip_uri_t *u = m->req_uri;
	struct sas *sas = NULL;
	char *t = NULL;

	if (osip_message_get_route(m, 0, &r) >= 0 && r && r->url &&
	    uri_is_us(c, r->url))
		u = r->url;
	else if (!u || !uri_is_us(c, u))
		return NULL;
	if (osip_uri_to_str(u, &t) >= 0)
		sas = ssm_sas_from_encoded(c->m, t);
	osip_free(t);
	return sas;
}

static void on_request(int type, osip_transaction_t *tr, osip_message_t *m)
{
	struct sipc *c = the_c;
	struct srv *s;
	struct ssm_msg ev;
	char cid[256];
	struct ss *ss;

	(void)type;
	sipc_ops_clear(&c->ops);
	s = calloc(1, sizeof(*s));
	if (!s)
		return;
	s->c = c;
	s->tr = tr;
	s->req = m;
	s->is_invite = MSG_IS_INVITE(m);
	osip_transaction_set_reserved1(tr, s);

	/* RFC 3261 25.1: a method is a token; libosip2 takes more */
	if (!m->sip_method || !m->sip_method[0] ||
	    m->sip_method[strspn(m->sip_method, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				 "abcdefghijklmnopqrstuvwxyz0123456789-.!%*_+`'~")]) {
		srv_respond(s, 400, "Bad Method");
		return;
	}

	if (MSG_IS_CANCEL(m)) {
		/* find the INVITE server transaction it cancels */
		osip_transaction_t *inv = NULL;
		struct srv *is = NULL;
		bool b2b;

		for (int i = 0; i < osip_list_size(&c->osip->osip_ist_transactions); i++) {
			osip_transaction_t *x = osip_list_get(
				&c->osip->osip_ist_transactions, i);

			if (x && x->orig_request &&
			    osip_call_id_match(x->callid, m->call_id) == 0 &&
			    x->cseq && m->cseq &&
			    !strcmp(x->cseq->number, m->cseq->number)) {
				inv = x;
				break;
			}
		}
		is = srv_of(inv);
		s->ss = is && is->ss ? mem_ref(is->ss) : NULL;
		to_ev(m, SSM_IN, &ev, cid, sizeof(cid));
		if (s->ss && ss_is_valid(s->ss))
			ssm_dispatch(s->ss, &ev, NULL, NULL);
		if (!is) {
			srv_respond(s, 481, NULL);
			return;
		}
		srv_respond(s, 200, NULL);
		b2b = is->rl && !is->final_sent;
		/* the application's doCancel, once the container answered
		 * (SS-STATE-24: a B2BUA's INVITE gets its 487 first) */
		if (b2b)
			srv_respond(is, 487, NULL);
		ops_run(c, is->ss, m, false);
		if (is->px) {                         /* PROXY-14 */
			px_cancel_pending(is->px, -1);
		}
		else if (b2b) {
			/* SS-STATE-24: the container answers the INVITE with
			 * 487 itself (the session is TERMINATED), then the
			 * application cancels its other leg (B2B-10). */
			struct relay *rl = is->rl;

			rl->cancelled = true;
			if (rl->status >= 100 && rl->status < 200)
				send_cancel(c, rl->out, rl->req);
			else if (rl->status < 100)
				rl->cancel_pending = true;
		}
		else if (!is->final_sent) {
			srv_respond(is, 487, NULL);   /* SS-STATE-24 */
		}
		return;
	}

	to_ev(m, SSM_IN, &ev, cid, sizeof(cid));
	ss = ssm_match(c->m, &ev);
	if (ss) {
		s->ss = mem_ref(ss);
		ssm_dispatch(ss, &ev, NULL, NULL);
		send_trying(s);
		ops_run(c, ss, m, false);
		if (ss_role(ss) == SS_ROLE_PROXY || !ss_is_valid(ss))
			forward_subsequent(s);
		else
			relay_request(s);             /* B2BUA */
		return;
	}
	if (ev.to_tag) {
		/* Not one of our dialogs: a proxy forwards it by its
		 * Request-URI (RFC 3261 16.4), a session-less path; a user
		 * agent (the B2BUA) has no such dialog: 481. */
		if (c->app.is_ua) {
			srv_respond(s, 481, NULL);
			return;
		}
		send_trying(s);
		forward_subsequent(s);
		return;
	}

	/* An initial request: its application session and SipSession. */
	{
		struct sas *sas = NULL;
		struct dispatch_ctx d = {s};
		char *fu = NULL, *tu = NULL;

		sas = encoded_sas(c, m);                 /* KEY-05 */
		if (!sas && app_key(c, m, &sas) < 0) {
			srv_respond(s, 500, "Session Model Error");
			return;
		}
		if ((!sas && ssm_sas_for_initial(c->mapp, &ev, &sas)) ||
		    (m->from && m->from->url &&
		     osip_uri_to_str(m->from->url, &fu) < 0) ||
		    (m->to && m->to->url &&
		     osip_uri_to_str(m->to->url, &tu) < 0) ||
		    ss_create(sas, SS_ROLE_UAS, m->sip_method, cid,
			      ev.from_tag ? ev.from_tag : "", fu, tu, &ss)) {
			osip_free(fu);
			osip_free(tu);
			srv_respond(s, 500, "Session Model Error");
			return;
		}
		osip_free(fu);
		osip_free(tu);
		/* no application router here: the neutral region (SS-09) */
		(void)ss_set_routing(ss, "NEUTRAL", NULL);
		s->ss = mem_ref(ss);
		send_trying(s);
		ssm_dispatch(ss, &ev, servlet, &d);   /* SS-STATE-02 */
	}
}

static void on_ack(int type, osip_transaction_t *tr, osip_message_t *m)
{
	struct srv *s = srv_of(tr);

	(void)type;
	/* ACK of a non-2xx: absorbed hop by hop (PROXY-15). */
	if (s && s->ss)
		apply(s->c, s->ss, m, SSM_IN);
}

static void on_client_response(int type, osip_transaction_t *tr,
			       osip_message_t *m)
{
	struct sipc_px *px = osip_transaction_get_reserved2(tr);
	struct relay *rl = osip_transaction_get_reserved3(tr);
	struct ss *cs = osip_transaction_get_reserved4(tr);

	(void)type;
	sipc_ops_clear(&the_c->ops);
	if (px)
		px_on_response(px, tr, m);
	else if (rl && rl->tr == tr)
		relay_on_response(rl, m);
	else if (cs)
		apply(the_c, cs, m, SSM_IN);            /* a CANCEL's 200 */
}

static void on_client_timeout(int type, osip_transaction_t *tr,
			      osip_message_t *m)
{
	struct sipc_px *px = osip_transaction_get_reserved2(tr);
	struct relay *rl = osip_transaction_get_reserved3(tr);

	(void)type;
	(void)m;
	if (px) {
		px_on_timeout(px, branch_of(px, tr));
	} else if (rl && rl->tr == tr && rl->req) {
		/* RFC 3261 8.1.3.1: the timeout is a 408 to the TU, and the
		 * leg's session hears it as one, or it would never end */
		osip_message_t *r = make_response(rl->req, 408, NULL, NULL);

		if (r) {                /* else on_kill answers the 408 */
			relay_on_response(rl, r);
			osip_message_free(r);
		}
	}
}

static void on_kill(int type, osip_transaction_t *tr)
{
	struct sipc *c = the_c;
	struct srv *s = srv_of(tr);
	struct sipc_px *px = osip_transaction_get_reserved2(tr);

	(void)type;
	if (s) {
		if (s->px) {
			s->px->srv = NULL;
			px_unref(s->px);
		}
		if (s->rl) {
			s->rl->srv = NULL;
			relay_unref(s->rl);
		}
		mem_deref(s->ss);
		free(s);
		osip_transaction_set_reserved1(tr, NULL);
	}
	mem_deref(osip_transaction_get_reserved4(tr));
	osip_transaction_set_reserved4(tr, NULL);
	{
		struct relay *rl = osip_transaction_get_reserved3(tr);

		if (rl) {
			if (rl->tr == tr) {
				rl->tr = NULL;
				if (rl->status < 200 && rl->srv &&
				    !rl->srv->final_sent)
					srv_respond(rl->srv, 408, NULL);
			}
			osip_transaction_set_reserved3(tr, NULL);
			relay_unref(rl);
		}
	}
	if (px) {
		int i = branch_of(px, tr);

		if (i >= 0) {
			px->br[i].tr = NULL;
			if (!px->br[i].done)
				px_on_timeout(px, i);
		}
		osip_transaction_set_reserved2(tr, NULL);
		px_unref(px);
	}
	if (c->ngarbage < (int)(sizeof(c->garbage) / sizeof(c->garbage[0])))
		c->garbage[c->ngarbage++] = tr;
}

static void on_transport_error(int type, osip_transaction_t *tr, int err)
{
	struct sipc_px *px = osip_transaction_get_reserved2(tr);

	(void)type;
	(void)err;
	if (px) {
		int i = branch_of(px, tr);

		if (i >= 0 && !px->br[i].done)
			px_branch_final(px, i, 503, NULL);
	}
}

static void set_callbacks(osip_t *o)
{
	static const int reqs[] = {
		OSIP_IST_INVITE_RECEIVED, OSIP_NIST_REGISTER_RECEIVED,
		OSIP_NIST_BYE_RECEIVED, OSIP_NIST_OPTIONS_RECEIVED,
		OSIP_NIST_INFO_RECEIVED, OSIP_NIST_CANCEL_RECEIVED,
		OSIP_NIST_NOTIFY_RECEIVED, OSIP_NIST_SUBSCRIBE_RECEIVED,
		OSIP_NIST_UNKNOWN_REQUEST_RECEIVED,
	};
	static const int resps[] = {
		OSIP_ICT_STATUS_1XX_RECEIVED, OSIP_ICT_STATUS_2XX_RECEIVED,
		OSIP_ICT_STATUS_3XX_RECEIVED, OSIP_ICT_STATUS_4XX_RECEIVED,
		OSIP_ICT_STATUS_5XX_RECEIVED, OSIP_ICT_STATUS_6XX_RECEIVED,
		OSIP_NICT_STATUS_1XX_RECEIVED, OSIP_NICT_STATUS_2XX_RECEIVED,
		OSIP_NICT_STATUS_3XX_RECEIVED, OSIP_NICT_STATUS_4XX_RECEIVED,
		OSIP_NICT_STATUS_5XX_RECEIVED, OSIP_NICT_STATUS_6XX_RECEIVED,
	};

	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++)
		osip_set_message_callback(o, reqs[i], on_request);
	for (size_t i = 0; i < sizeof(resps) / sizeof(resps[0]); i++)
		osip_set_message_callback(o, resps[i], on_client_response);
	osip_set_message_callback(o, OSIP_IST_ACK_RECEIVED, on_ack);
	osip_set_message_callback(o, OSIP_ICT_STATUS_TIMEOUT,
				  on_client_timeout);
	osip_set_message_callback(o, OSIP_NICT_STATUS_TIMEOUT,
				  on_client_timeout);
	for (int k = 0; k < OSIP_KILL_CALLBACK_COUNT; k++)
		osip_set_kill_transaction_callback(o, k, on_kill);
	for (int k = 0; k < OSIP_TRANSPORT_ERROR_CALLBACK_COUNT; k++)
		osip_set_transport_error_callback(o, k, on_transport_error);
	osip_set_cb_send_message(o, cb_send);
}

/* ------------------------------------------------------------------ */
/* Incoming messages                                                   */
/* ------------------------------------------------------------------ */

/* Run libosip2's state machines.  Each executor walks every transaction
 * (completed ones linger for Timers D, I, J and K), so this runs once per
 * wake-up of the loop, after every readable message has been queued, not
 * once per message. */
static void pump(struct sipc *c)
{
	for (int k = 0; k < 2; k++) {
		osip_ict_execute(c->osip);
		osip_ist_execute(c->osip);
		osip_nict_execute(c->osip);
		osip_nist_execute(c->osip);
		if (k == 0) {
			osip_timers_ict_execute(c->osip);
			osip_timers_ist_execute(c->osip);
			osip_timers_nict_execute(c->osip);
			osip_timers_nist_execute(c->osip);
		}
	}
	for (int i = 0; i < c->ngarbage; i++)
		osip_transaction_free(c->garbage[i]);
	c->ngarbage = 0;
	ssm_run_timers(c->m);
}

/* A 2xx of a dialog no session holds: ACKed and ended with BYE from the
 * response alone (RFC 3261 13.2.2.4), outside the model. */
static void stray_2xx(struct sipc *c, const osip_message_t *m)
{
	char *target = contact_of(m), *local = NULL, *remote = NULL;
	char cid[256], vb[64];
	osip_message_t *x;
	struct ss_req rq;

	if (!target || !m->from || !m->to || !m->cseq || !m->cseq->number)
		goto out;
	call_id_str(m, cid, sizeof(cid));
	local = uri_dup(m->from->url);
	remote = uri_dup(m->to->url);
	rq.call_id = cid;
	rq.from_tag = tag_of(m->from);
	rq.to_tag = tag_of(m->to);
	rq.cseq = (uint32_t)strtoul(m->cseq->number, NULL, 10);
	x = leg_request(c, "ACK", target, &rq, local, remote, 70, NULL, vb,
			sizeof(vb));
	if (x) {
		send_stateless(c, x);
		osip_message_free(x);
	}
	rq.cseq++;
	x = leg_request(c, "BYE", target, &rq, local, remote, 70, NULL, vb,
			sizeof(vb));
	if (x)
		nict_send(c, NULL, x);
 out:
	free(target);
	free(local);
	free(remote);
}

/** A 2xx to a leg's INVITE after its client transaction ended (libosip2
 * ends it on the first 2xx).  A retransmission of the dialog the leg has
 * is left to the ACK the caller's ACK makes (B2B-07); a further dialog of
 * a fork downstream (B2B-09) gets a derived session, which the reference
 * B2BUA ACKs and ends with BYE, keeping the first (RFC 3261 13.2.2.4);
 * with no session left to derive from, the dialog ends all the same. */
static void leg_late_2xx(struct sipc *c, struct ss *ss, osip_message_t *m)
{
	const char *lt, *rt = NULL, *tag = tag_of(m->to);
	struct ss *t = NULL, *peer = NULL;
	struct leg *l = NULL;

	if (m->status_code < 200 || m->status_code >= 300 ||
	    !MSG_IS_RESPONSE_FOR(m, "INVITE") || !tag)
		return;
	if (ss && !ss_tags(ss, &lt, &rt) && rt && !strcmp(rt, tag))
		return;
	if (ss && ss_is_valid(ss))
		t = apply(c, ss, m, SSM_IN);
	if (!t || t == ss || !ss_original(t) || !(l = leg_own(t))) {
		stray_2xx(c, m);
		return;
	}
	set_str(&l->target, contact_of(m));
	leg_ack(c, t, NULL);
	leg_bye(c, t);
	/* its derived twin upstream (B2B-09) will carry nothing: the
	 * application is done with it */
	if (!ss_linked(t, &peer) && peer && ss_original(peer) &&
	    ss_is_valid(peer))
		ss_invalidate(peer);
}

/** Forward a message no transaction owns: a 2xx retransmission or the
 * ACK of a 2xx, on a record-routed dialog (RFC 3261 16.7, 16.11). */
static void stateless(struct sipc *c, osip_message_t *m)
{
	struct ssm_msg ev;
	char cid[256], vb[64];
	struct ss *ss;

	sipc_ops_clear(&c->ops);
	to_ev(m, SSM_IN, &ev, cid, sizeof(cid));
	ss = ssm_match(c->m, &ev);
	if (MSG_IS_RESPONSE(m)) {
		if (c->app.is_ua && top_via_is_ours(m) &&
		    osip_list_size(&m->vias) == 1) {
			leg_late_2xx(c, ss, m);
			return;
		}
		if (!top_via_is_ours(m) || osip_list_size(&m->vias) < 2)
			return;
		if (ss)
			apply(c, apply(c, ss, m, SSM_IN), m, SSM_OUT);
		pop_via(m);
		stamp(c, ss, m);
		send_stateless(c, m);
		return;
	}
	if (!MSG_IS_ACK(m))
		return;
	if (ss)
		ssm_dispatch(ss, &ev, NULL, NULL);
	ops_run(c, ss, m, false);
	if (ss && ss_is_valid(ss) && ss_role(ss) != SS_ROLE_PROXY) {
		relay_ack(c, ss);                     /* B2BUA */
		return;
	}
	pop_own_route(c, m);
	if (max_forwards(m) <= 0)
		return;
	set_max_forwards(m, max_forwards(m) - 1);
	/* the next hop's transport, not the one the ACK came in on */
	{
		osip_route_t *r = NULL;
		osip_uri_t *u = m->req_uri;
		osip_uri_param_t *tp = NULL;

		if (osip_message_get_route(m, 0, &r) >= 0 && r && r->url)
			u = r->url;
		if (u)
			osip_uri_uparam_get_byname(u, "transport", &tp);
		if (push_via(c, m, tp && tp->gvalue &&
			     !strcasecmp(tp->gvalue, "tcp"), vb,
			     sizeof(vb)) < 0)
			return;
	}
	stamp(c, ss ? apply(c, ss, m, SSM_OUT) : NULL, m);
	send_stateless(c, m);
}

/** A final response, outside any transaction, for a request libosip2
 * parsed but we cannot accept. */
static void reject(struct sipc *c, osip_message_t *m, int status,
		   const char *why)
{
	osip_message_t *r;
	char tag[32];

	if (!MSG_IS_REQUEST(m) || MSG_IS_ACK(m))
		return;
	gen_token(tag, sizeof(tag));
	r = make_response(m, status, why, tag);
	if (!r) {
		sipc_log(c, "dropped a bad request (%s): no response can be "
			 "formed", why);
		return;
	}
	stamp(c, NULL, r);
	{
		char *host = NULL, *buf = NULL;
		int port = 0;
		size_t len;

		/* the way the request came (RFC 3261 18.2.2) */
		osip_response_get_destination(r, &host, &port);
		if (host && osip_message_to_str(r, &buf, &len) >= 0)
			send_back(c, buf, len, host, port ? port : 5060,
				  c->rx_conn, r);
		osip_free(buf);
		osip_free(host);
	}
	osip_message_free(r);
}

/* ----- checks libosip2 does not make (RFC 4475 3.1.2 and 3.3) ----- */

struct verdict {
	int status;          /**< 0: fine; else the response to send      */
	const char *why;
};

static bool is_token_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		(ch >= '0' && ch <= '9') || (ch && strchr("-.!%*_+`'~", ch));
}

/**
 * Whether the header line at @l (bytes up to @end) is named @name, or
 * @compact (may be NULL): RFC 3261 7.3.1, a token, then optional SP or
 * HT, then the colon; names are case-insensitive.  On a match *@valp
 * (if given) is just past the colon.  Works by length: a NUL byte is
 * just a byte that is no token character.
 */
static bool line_named(const char *l, const char *end, const char *name,
		       const char *compact, const char **valp)
{
	const char *p = l;
	size_t k;

	while (p < end && is_token_char(*p))
		p++;
	k = (size_t)(p - l);
	if (!k || !((k == strlen(name) && !strncasecmp(l, name, k)) ||
		    (compact && k == strlen(compact) &&
		     !strncasecmp(l, compact, k))))
		return false;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p != ':')
		return false;
	if (valp)
		*valp = p + 1;
	return true;
}

/** The raw header lines named @name (or its compact form) in @buf. */
static int raw_count(const char *buf, size_t len, const char *name,
		     const char *compact)
{
	const char *end = buf + len, *hdr_end, *p;
	int n = 0;

	hdr_end = strstr(buf, "\r\n\r\n");
	if (!hdr_end || hdr_end > end)
		hdr_end = end;
	for (p = strstr(buf, "\r\n"); p && p < hdr_end;
	     p = strstr(p + 2, "\r\n")) {
		const char *l = p + 2;
		size_t k = strlen(name);

		if ((!strncasecmp(l, name, k) &&
		     (l[k] == ':' || l[k] == ' ' || l[k] == '\t')) ||
		    (compact && !strncasecmp(l, compact, 1) &&
		     (l[1] == ':' || l[1] == ' ' || l[1] == '\t')))
			n++;
	}
	return n;
}

/** The value of the first raw header @name/@compact, into @out. */
static bool raw_value(const char *buf, const char *name, const char *compact,
		      char *out, size_t sz)
{
	const char *hdr_end = strstr(buf, "\r\n\r\n");

	for (const char *p = strstr(buf, "\r\n"); p && (!hdr_end || p < hdr_end);
	     p = strstr(p + 2, "\r\n")) {
		const char *l = p + 2, *v;
		size_t k = strlen(name), n;

		if (!((!strncasecmp(l, name, k) &&
		       (l[k] == ':' || l[k] == ' ' || l[k] == '\t')) ||
		      (compact && !strncasecmp(l, compact, 1) &&
		       (l[1] == ':' || l[1] == ' ' || l[1] == '\t'))))
			continue;
		v = strchr(l, ':');
		if (!v)
			return false;
		v++;
		while (*v == ' ' || *v == '\t')
			v++;
		n = strcspn(v, "\r");
		if (n >= sz)
			n = sz - 1;
		memcpy(out, v, n);
		out[n] = '\0';
		return true;
	}
	return false;
}

/* A name-addr or addr-spec as RFC 3261 25.1 allows it: no LWS just inside
 * the angle brackets (RFC 4475 3.1.2.14), an unquoted display name made
 * of tokens (3.1.2.15), and an addr-spec without <> carries no '?'
 * (3.1.2.13). */
static bool bad_addr(const char *v)
{
	const char *lt = strchr(v, '<'), *gt = lt ? strchr(lt, '>') : NULL;

	if (lt) {
		if (!gt || lt[1] == ' ' || lt[1] == '\t' ||
		    gt[-1] == ' ' || gt[-1] == '\t')
			return true;
		if (v[0] != '"')
			for (const char *p = v; p < lt; p++)
				if (!strchr(" \t-.!%*_+`'~", *p) &&
				    !((*p >= 'a' && *p <= 'z') ||
				      (*p >= 'A' && *p <= 'Z') ||
				      (*p >= '0' && *p <= '9')))
					return true;
		return false;
	}
	return strchr(v, '?') != NULL;
}

static struct verdict check_raw(const char *buf, size_t len)
{
	static const struct { const char *n, *c; } single[] = {
		{"Call-ID", "i"}, {"CSeq", NULL}, {"From", "f"}, {"To", "t"},
		{"Max-Forwards", NULL}, {"Content-Length", "l"},
	};
	static const struct { const char *n, *c; } addrs[] = {
		{"From", "f"}, {"To", "t"}, {"Contact", "m"},
	};
	struct verdict v = {0, NULL};
	char val[1024];
	size_t rl = strcspn(buf, "\r\n");

	if (!strncmp(buf, "SIP/", 4))
		return v;                            /* a response */
	/* Request-Line = Method SP Request-URI SP SIP-Version CRLF, with
	 * single spaces (RFC 4475 3.1.2.8 to 3.1.2.10). */
	{
		const char *sp1 = memchr(buf, ' ', rl), *sp2;

		sp2 = sp1 ? memchr(sp1 + 1, ' ', rl - (size_t)(sp1 + 1 - buf))
			  : NULL;
		if (!sp1 || !sp2 || sp2 == sp1 + 1 ||
		    memchr(sp2 + 1, ' ', rl - (size_t)(sp2 + 1 - buf)) ||
		    buf[rl - 1] == ' ' || buf[rl - 1] == '\t') {
			v.status = 400;
			v.why = "Bad Request-Line";
			return v;
		}
		/* escaped headers in a SIP Request-URI (3.1.2.11): a '?'
		 * after the host part (the user part may hold one) */
		const char *at = NULL;

		for (const char *p = sp1 + 1; p < sp2; p++)
			if (*p == '@')
				at = p;
		if (!strncasecmp(sp1 + 1, "sip", 3) &&
		    memchr(at ? at : sp1 + 1, '?',
			   (size_t)(sp2 - (at ? at : sp1 + 1)))) {
			v.status = 400;
			v.why = "Headers In Request-URI";
			return v;
		}
	}
	for (size_t i = 0; i < sizeof(single) / sizeof(single[0]); i++) {
		if (raw_count(buf, len, single[i].n, single[i].c) > 1) {
			v.status = 400;
			v.why = "Multiple Values In A Single-Value Header";
			return v;
		}
	}
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		if (raw_value(buf, addrs[i].n, addrs[i].c, val, sizeof(val)) &&
		    bad_addr(val)) {
			v.status = 400;
			v.why = "Malformed Address";
			return v;
		}
	}
	return v;
}

/** RFC 3261 checks on a parsed message (RFC 4475 3.1.2, 3.3). */
static struct verdict check_msg(const osip_message_t *m)
{
	struct verdict v = {400, NULL};
	const char *mf;

	if (!m->call_id || !m->from || !m->to || !m->cseq ||
	    !m->cseq->method || !m->cseq->number ||
	    !osip_list_size(&m->vias)) {
		v.why = "Missing Mandatory Header";
		return v;
	}
	if (MSG_IS_REQUEST(m) && strcmp(m->cseq->method, m->sip_method)) {
		v.why = "CSeq Method Mismatch";
		return v;
	}
	/* The model keys a session on the Call-ID, at most 255 bytes
	 * (call_id_str): a longer one would be cut, and two calls that
	 * differ past byte 255 would share a session. */
	if (!m->call_id->number || strlen(m->call_id->number) +
	    (m->call_id->host ? 1 + strlen(m->call_id->host) : 0) > 255) {
		v.why = "Call-ID Too Long";
		return v;
	}
	/* Every port we may send to or compare with ours: 1 to 65535. */
	{
		osip_route_t *r = NULL;
		osip_via_t *via;
		osip_contact_t *ct;

		if (MSG_IS_REQUEST(m) && m->req_uri &&
		    port_of(m->req_uri->port) < 0) {
			v.why = "Bad Port In Request-URI";
			return v;
		}
		for (int i = 0; (via = osip_list_get(&m->vias, i)); i++)
			if (port_of(via->port) < 0) {
				v.why = "Bad Port In Via";
				return v;
			}
		for (int i = 0; (r = osip_list_get(&m->routes, i)); i++)
			if (r->url && port_of(r->url->port) < 0) {
				v.why = "Bad Port In Route";
				return v;
			}
		for (int i = 0; (ct = osip_list_get(&m->contacts, i)); i++)
			if (ct->url && port_of(ct->url->port) < 0) {
				v.why = "Bad Port In Contact";
				return v;
			}
	}
	for (const char *p = m->cseq->number; *p; p++)
		if (*p < '0' || *p > '9') {
			v.why = "Bad CSeq";
			return v;
		}
	if (strlen(m->cseq->number) > 10 ||
	    strtoull(m->cseq->number, NULL, 10) > 0xffffffffull) {
		v.why = "Bad CSeq";
		return v;
	}
	if (m->sip_version && strcmp(m->sip_version, "SIP/2.0")) {
		v.status = 505;               /* RFC 4475 3.1.2.16 */
		v.why = NULL;
		return v;
	}
	mf = header_value(m, "max-forwards");
	if (mf) {
		bool bad = !*mf || strlen(mf) > 10;   /* 1*DIGIT, e.g. 0068 */

		for (const char *p = mf; *p; p++)
			bad |= *p < '0' || *p > '9';
		if (bad || strtoul(mf, NULL, 10) > 255) {
			v.why = "Bad Max-Forwards";
			return v;
		}
	}
	if (m->content_length && m->content_length->value)
		for (const char *p = m->content_length->value; *p; p++)
			if (*p < '0' || *p > '9') {
				v.why = "Bad Content-Length";
				return v;
			}
	v.status = 0;
	return v;
}

/* What raw_respond copies from a request it could not read: a control
 * character (a bare LF above all, which a peer may take for a line end
 * and so for a header of the attacker's) becomes a space. */
static void defang(char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((p[i] >= 0 && p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f)
			p[i] = ' ';
}

/**
 * A response built from the raw lines of a request libosip2 cannot parse
 * (RFC 4475 3.1.2: "400 where a response can be formed").  It needs the
 * Via, From, To, Call-ID and CSeq lines; without them, nothing is sent.
 */
static bool raw_respond(struct sipc *c, const char *buf, int status,
			const char *reason, const char *host, int port)
{
	char out[8192], v[2048], tag[32];
	size_t n;
	const char *hdr_end = strstr(buf, "\r\n\r\n");
	static const struct { const char *n, *c; } need[] = {
		{"From", "f"}, {"To", "t"}, {"Call-ID", "i"}, {"CSeq", NULL},
	};

	n = (size_t)snprintf(out, sizeof(out), "SIP/2.0 %d %s\r\n", status,
			     reason);
	for (const char *p = strstr(buf, "\r\n"); p && (!hdr_end || p < hdr_end);
	     p = strstr(p + 2, "\r\n")) {
		const char *l = p + 2;
		size_t k = strcspn(l, "\r");

		if ((!strncasecmp(l, "Via", 3) && strchr(": \t", l[3])) ||
		    (!strncasecmp(l, "v", 1) && strchr(": \t", l[1]))) {
			if (n + k + 2 >= sizeof(out))
				return false;
			memcpy(out + n, l, k);
			defang(out + n, k);
			n += k;
			out[n++] = '\r';
			out[n++] = '\n';
		}
	}
	if (!strstr(out, "\r\n"))
		return false;
	gen_token(tag, sizeof(tag));
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		if (!raw_value(buf, need[i].n, need[i].c, v, sizeof(v)))
			return false;
		defang(v, strlen(v));
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s: %s%s%s\r\n",
				      need[i].n, v,
				      !strcmp(need[i].n, "To") &&
				      !strstr(v, "tag=") ? ";tag=" : "",
				      !strcmp(need[i].n, "To") &&
				      !strstr(v, "tag=") ? tag : "");
		if (n >= sizeof(out))
			return false;
	}
	n += (size_t)snprintf(out + n, sizeof(out) - n,
			      "X-SS-State: none\r\nContent-Length: 0\r\n\r\n");
	if (n >= sizeof(out))
		return false;
	send_back(c, out, n, host, port, c->rx_conn, NULL);
	return true;
}

/**
 * Whether a multipart body (RFC 2046 5.1) in @buf has a part with more
 * than one Content-Type.  libosip2 5.3.0 keeps the first and loses the
 * second (osip_body_set_contenttype leaks it, about 43 bytes a message),
 * so such a message is refused before it is parsed.  By length: the
 * body may hold anything.
 */
/* Whether the line [L, E) of a body part would be a Content-Type to
 * libosip2, which compares only the first twelve bytes of a part header's
 * name: as loose as it is, so that nothing it takes for one slips by. */
static bool part_typed(const char *l, const char *e)
{
	const char *colon = memchr(l, ':', (size_t)(e - l)), *q;

	if (!colon)
		return false;
	if (colon - l >= 12 && !strncasecmp(l, "content-type", 12))
		return true;
	for (q = l; q < colon && (*q == ' ' || *q == '\t'); q++)
		;
	if (q < colon && (*q == 'c' || *q == 'C')) {
		for (q++; q < colon && (*q == ' ' || *q == '\t'); q++)
			;
		return q == colon;
	}
	return false;
}

static bool multipart_twice_typed(const char *buf, size_t len)
{
	const char *end = buf + len, *p, *bp;
	char ct[1024], bnd[128 + 3];
	size_t bl;

	/* the message's Content-Type: its first line that libosip2 could
	 * take for one, whatever ends the lines before it */
	ct[0] = '\0';
	for (const char *l = buf; l < end;) {
		const char *e = memchr(l, '\n', (size_t)(end - l)), *le = e ? e : end;

		if (le > l && le[-1] == '\r')
			le--;
		if (l != buf && part_typed(l, le)) {
			const char *v = memchr(l, ':', (size_t)(le - l)) + 1;
			size_t vl = (size_t)(le - v);

			if (vl >= sizeof(ct))
				vl = sizeof(ct) - 1;
			memcpy(ct, v, vl);
			ct[vl] = '\0';
			break;
		}
		if (!e)
			break;
		l = e + 1;
	}
	if (!strcasestr(ct, "multipart/"))
		return false;
	bp = strcasestr(ct, "boundary=");
	if (!bp)
		return false;
	bp += 9;
	if (*bp == '"')
		bp++;
	bl = strcspn(bp, "\"; \t\r\n");
	if (!bl || bl > 128)
		return false;
	bnd[0] = bnd[1] = '-';
	memcpy(bnd + 2, bp, bl);
	bl += 2;
	/* each part's header lines, up to an empty line or the message's
	 * end; a line ends at LF, with or without CR (libosip2 takes both) */
	/* from the message's start, not from its first empty line: where
	 * the headers end is libosip2's reading, which takes a CR alone, a
	 * LF alone; a boundary inside a header only costs a false 400 */
	for (p = buf; p < end && (p = memmem(p, (size_t)(end - p), bnd, bl));
	     p += bl) {
		const char *l = memchr(p, '\n', (size_t)(end - p));
		int n = 0;

		if (!l)
			break;
		for (l++; l < end;) {
			const char *e = memchr(l, '\n', (size_t)(end - l));
			const char *le = e ? e : end;

			if (le > l && le[-1] == '\r')
				le--;
			if (le == l)
				break;                 /* the part's headers end */
			if (part_typed(l, le))
				n++;
			if (!e)
				break;
			l = e + 1;
		}
		if (n > 1)
			return true;
	}
	return false;
}

/** The status for an unparsable request: 416 for a URI scheme we do not
 * know (RFC 3261 16.3, RFC 4475 3.3.3), else 400. */
static int unparsable_status(const char *buf)
{
	const char *sp = strchr(buf, ' ');
	size_t k;

	if (!sp)
		return 400;
	sp++;
	k = strcspn(sp, ": \r\n");
	if (sp[k] != ':' || !k)
		return 400;
	if ((k == 3 && !strncasecmp(sp, "sip", 3)) ||
	    (k == 4 && !strncasecmp(sp, "sips", 4)) || *sp == '<')
		return 400;
	for (size_t i = 0; i < k; i++)
		if (!strchr("+-.", sp[i]) && !((sp[i] >= 'a' && sp[i] <= 'z') ||
		    (sp[i] >= 'A' && sp[i] <= 'Z') ||
		    (sp[i] >= '0' && sp[i] <= '9')))
			return 400;
	return 416;
}

static void on_bytes(struct sipc *c, const char *buf, size_t len,
		     const char *host, int port)
{
	osip_event_t *evt;
	osip_message_t *m;

	c->rx++;
	if (len > SIPC_MAX_MSG) {
		sipc_log(c, "dropped an oversize message (%zu bytes) from "
			 "%s:%d", len, host, port);
		c->dropped++;
		return;
	}
	if (len < 4 || !strncmp(buf, "\r\n", 2))
		return;                               /* keep-alive */
	/* libosip2 works on C strings: a NUL byte in the header section (a
	 * legal quoted-pair, RFC 4475 3.1.1.2) would cut the message short.
	 * It becomes DEL, also a legal quoted-pair character, before the raw
	 * checks below, which read C strings as well. */
	{
		const char *hend = memmem(buf, len, "\r\n\r\n", 4);
		size_t hl = hend ? (size_t)(hend - buf) : len;

		if (memchr(buf, '\0', hl)) {
			char *copy = malloc(len + 1);

			if (!copy)
				return;
			memcpy(copy, buf, len);
			copy[len] = '\0';
			for (size_t i = 0; i < hl; i++)
				if (!copy[i])
					copy[i] = 0x7f;
			c->rx--;              /* counted once, in the call */
			on_bytes(c, copy, len, host, port);
			free(copy);
			return;
		}
	}
	{
		struct verdict rv = check_raw(buf, len);

		if (rv.status) {
			if (!raw_respond(c, buf, rv.status, rv.why, host, port))
				sipc_log(c, "dropped a bad request from %s:%d "
					 "(%s): no response can be formed",
					 host, port, rv.why);
			c->dropped++;
			return;
		}
	}
	if (multipart_twice_typed(buf, len)) {
		if (!strncmp(buf, "SIP/", 4) ||
		    !raw_respond(c, buf, 400,
				 "Two Content-Types In A Body Part", host,
				 port))
			sipc_log(c, "dropped a message from %s:%d: a body "
				 "part with two Content-Types", host, port);
		c->dropped++;
		return;
	}
	evt = osip_parse(buf, len);
	if (!evt || !evt->sip) {
		int st = unparsable_status(buf);

		if (strncmp(buf, "SIP/", 4) &&
		    raw_respond(c, buf, st, st == 416 ?
				"Unsupported URI Scheme" : "Bad Request",
				host, port)) {
			if (c->cfg.verbose)
				sipc_log(c, "answered an unparsable request "
					 "from %s:%d with %d", host, port, st);
		}
		else {
			sipc_log(c, "dropped an unparsable message (%zu bytes) "
				 "from %s:%d", len, host, port);
		}
		c->dropped++;
		if (evt)
			osip_event_free(evt);
		return;
	}
	m = evt->sip;
	if (!MSG_IS_REQUEST(m) &&
	    (m->status_code < 100 || m->status_code > 699)) {
		sipc_log(c, "dropped a response with status code out of "
			 "range from %s:%d", host, port);
		c->dropped++;
		osip_event_free(evt);
		return;
	}
	if (MSG_IS_REQUEST(m)) {
		/* Symmetric response routing: responses go back to the
		 * source, always on loopback (RFC 3581 behaviour). */
		osip_via_t *v = NULL;

		if (osip_message_get_via(m, 0, &v) >= 0 && v) {
			char p[16];
			osip_generic_param_t *gp = NULL;

			snprintf(p, sizeof(p), "%d", port);
			osip_via_param_get_byname(v, "received", &gp);
			if (!gp)
				osip_via_set_received(v, osip_strdup(host));
			else {
				osip_free(gp->gvalue);
				gp->gvalue = osip_strdup(host);
			}
			gp = NULL;
			osip_via_param_get_byname(v, "rport", &gp);
			if (!gp)
				osip_generic_param_add(&v->via_params,
						       osip_strdup("rport"),
						       osip_strdup(p));
			else {
				osip_free(gp->gvalue);
				gp->gvalue = osip_strdup(p);
			}
		}
	}
	{
		struct verdict mv = check_msg(m);

		if (mv.status) {
			if (MSG_IS_REQUEST(m) && osip_list_size(&m->vias))
				reject(c, m, mv.status, mv.why);
			else
				sipc_log(c, "dropped a bad message from %s:%d: "
					 "%s", host, port, mv.why ? mv.why :
					 "bad version");
			c->dropped++;
			osip_event_free(evt);
			return;
		}
	}
	if (osip_find_transaction_and_add_event(c->osip, evt) == 0)
		return;
	if (MSG_IS_RESPONSE(m) || MSG_IS_ACK(m)) {
		stateless(c, m);
		osip_event_free(evt);
		return;
	}
	{
		osip_transaction_t *tr = osip_create_transaction(c->osip, evt);

		if (!tr) {
			reject(c, m, 500, "Cannot Create Transaction");
			osip_event_free(evt);
			return;
		}
		/* its responses go back on the connection it came on, or UDP
		 * (cb_send, send_back) */
		osip_transaction_set_out_socket(tr, c->rx_conn);
		osip_transaction_add_event(tr, evt);
		/* the request's handler runs now, so a retransmission read in
		 * the same batch finds its transaction */
		osip_ist_execute(c->osip);
		osip_nist_execute(c->osip);
	}
}

/* ------------------------------------------------------------------ */
/* The loop                                                            */
/* ------------------------------------------------------------------ */

static int sigfd = -1;

static void on_signal(int sig)
{
	char b = (char)sig;

	if (sigfd >= 0 && write(sigfd, &b, 1) < 0) {
		/* nothing to do */
	}
}

static int bind_sockets(struct sipc *c)
{
	struct sockaddr_storage sa;
	socklen_t len;
	int one = 1;

	if (sock_addr(c->cfg.addr, c->cfg.port, &sa, &len)) {
		sipc_log(c, "bad listen address '%s'", c->cfg.addr);
		return -1;
	}
	/* everything stays on loopback (or in a namespace of the tests') */
	if (!sipc_is_loopback(c->cfg.addr)) {
		sipc_log(c, "listens on loopback only (127.0.0.0/8, ::1), not '%s'",
			 c->cfg.addr);
		return -1;
	}
	/* with port 0 the kernel picks the UDP port, and TCP must get the
	 * same number; somebody's outgoing TCP socket may hold it, so a port
	 * picked that way is picked again (a flake seen in make check) */
	for (int tries = 0;; tries++) {
		struct sockaddr_storage got = sa;
		socklen_t glen = len;

		c->udp = socket(sa.ss_family, SOCK_DGRAM, 0);
		if (c->udp < 0 || bind(c->udp, (struct sockaddr *)&sa, len) < 0) {
			sipc_log(c, "cannot bind UDP %s:%d: %s", c->cfg.addr,
				 c->cfg.port, strerror(errno));
			return -1;
		}
		getsockname(c->udp, (struct sockaddr *)&got, &glen);
		addr_str(&got, c->addr, sizeof(c->addr), &c->port);
		if (got.ss_family == AF_INET6)
			bracket_v6(c->addr, sizeof(c->addr));
		c->tcp = -1;
		if (!c->cfg.tcp)
			return 0;
		c->tcp = socket(got.ss_family, SOCK_STREAM, 0);
		if (c->tcp >= 0)
			setsockopt(c->tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (c->tcp >= 0 && bind(c->tcp, (struct sockaddr *)&got, glen) == 0 &&
		    listen(c->tcp, TCP_BACKLOG) == 0 &&
		    fcntl(c->tcp, F_SETFL,
			  fcntl(c->tcp, F_GETFL) | O_NONBLOCK) == 0)
			return 0;
		if (errno != EADDRINUSE || c->cfg.port || tries == 20) {
			sipc_log(c, "cannot bind TCP %s:%d: %s", c->cfg.addr,
				 c->port, strerror(errno));
			return -1;
		}
		if (c->tcp >= 0)
			close(c->tcp);
		close(c->udp);
	}
}

/* A derived session starts with a copy of its original's attributes, so
 * with a pointer to the original's leg: give it its own at once (B2B-09),
 * before the original can end and free the one they shared. */
static void on_ss_created(struct ss *ss, void *arg)
{
	(void)arg;
	/* out of memory for the copy: the derived session must not keep the
	 * original's pointer, freed with the original (test-oom found it) */
	if (leg_of(ss) && !leg_own(ss))
		ss_remove_attr(ss, LEG_ATTR);
}

/* The container's listener: a leg's data is freed with its session. */
static void on_ss_destroyed(struct ss *ss, void *arg)
{
	struct leg *l = leg_of(ss);

	(void)arg;
	if (l && l->owner == ss) {
		ss_remove_attr(ss, LEG_ATTR);
		leg_free(l);
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
		.ss_created = on_ss_created,
		.ss_destroyed = on_ss_destroyed,
	};
	struct sipc *c = calloc(1, sizeof(*c));

	if (!c)
		return -1;
	c->cfg = *cfg;
	c->b2b_auth_retry = cfg->b2b_auth_retry;
	c->app = *app;
	c->udp = c->tcp = -1;
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
	}
	if (bind_sockets(c) ||
	    ssm_alloc(&c->m, &c->cfg.opts, NULL, NULL) ||
	    ssm_app_add(c->m, app->name, app->version ? app->version :
			SSM_V11, c->cfg.session_timeout_min, &listeners, NULL,
			&c->mapp) ||
	    osip_init(&c->osip) < 0 || pipe(c->sigpipe) < 0) {
		sipc_free(c);
		return -1;
	}
	ssm_set_event_handler(c->m, on_model_event, c);
	/* libosip2 reports parse errors itself: only when asked */
	if (!c->cfg.verbose) {
		osip_trace_initialize_func(TRACE_LEVEL0, osip_quiet);
		for (int l = 0; l < END_TRACE_LEVEL; l++)
			osip_trace_disable_level((osip_trace_level_t)l);
	}
	the_c = c;
	set_callbacks(c->osip);
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

static bool read_udp(struct sipc *c)
{
	static char buf[SIPC_MAX_MSG + 2];
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);
	char host[80];
	int port;
	ssize_t n = recvfrom(c->udp, buf, sizeof(buf) - 1, MSG_DONTWAIT,
			     (struct sockaddr *)&sa, &len);

	if (n <= 0)
		return false;
	buf[n] = '\0';
	addr_str(&sa, host, sizeof(host), &port);
	if (sa.ss_family == AF_INET6)
		bracket_v6(host, sizeof(host));
	on_bytes(c, buf, (size_t)n, host, port);
	return true;
}

/* ----- TCP framing (RFC 3261 18.3) ----- */

enum frame {
	FRAME_MORE,          /**< not whole yet                        */
	FRAME_OK,            /**< a message of *totalp bytes           */
	FRAME_BAD,           /**< no, or a bad, Content-Length: 400    */
	FRAME_BIG,           /**< past SIPC_MAX_MSG: closed unanswered */
};

/**
 * Where the first message in the stream bytes @buf (@len of them) ends:
 * its headers up to CRLFCRLF, then Content-Length bytes of body, which
 * on a stream every message carries (RFC 3261 18.3; 7.3.1 for the name:
 * "Content-Length", any case, or "l", optional SP/HT before the colon,
 * the value possibly on a folded line).  Everything by length, a NUL
 * byte included; the number is checked before it is added.  *@whyp
 * says what is wrong with FRAME_BAD.
 */
static enum frame tcp_frame(const char *buf, size_t len, size_t *totalp,
			    const char **whyp)
{
	const char *hend = memmem(buf, len, "\r\n\r\n", 4), *l, *e;
	size_t hlen, blen = 0;
	int seen = 0;

	if (!hend)
		return len > SIPC_MAX_MSG ? FRAME_BIG : FRAME_MORE;
	hlen = (size_t)(hend - buf) + 4;
	if (hlen > SIPC_MAX_MSG)
		return FRAME_BIG;
	*whyp = "Bad Content-Length";
	/* header lines, after the start line; hend + 2 ends the last */
	for (l = memmem(buf, hlen, "\r\n", 2) + 2; l < hend + 2; l = e + 2) {
		const char *v;
		size_t digits = 0, n = 0;

		e = memmem(l, (size_t)(hend + 2 - l), "\r\n", 2);
		if (!line_named(l, e, "Content-Length", "l", &v))
			continue;
		if (++seen > 1) {
			*whyp = "Multiple Content-Length Headers";
			return FRAME_BAD;
		}
		for (;;) {                          /* LWS, folding too */
			while (v < e && (*v == ' ' || *v == '\t'))
				v++;
			if (v == e && e < hend &&
			    (e[2] == ' ' || e[2] == '\t')) {
				v = e + 2;
				e = memmem(v, (size_t)(hend + 2 - v), "\r\n",
					   2);
				continue;
			}
			break;
		}
		for (; v < e && *v >= '0' && *v <= '9'; v++, digits++)
			if (n <= SIPC_MAX_MSG)
				n = n * 10 + (size_t)(*v - '0');
		while (v < e && (*v == ' ' || *v == '\t'))
			v++;
		if (!digits || digits > 10 || v != e)    /* as a CSeq's */
			return FRAME_BAD;
		if (n > SIPC_MAX_MSG - hlen)
			return FRAME_BIG;
		blen = n;
	}
	if (!seen) {
		*whyp = "Missing Content-Length";
		return FRAME_BAD;
	}
	if (len < hlen + blen)
		return FRAME_MORE;
	*totalp = hlen + blen;
	return FRAME_OK;
}

/** Read what connection @idx has for us and run each whole message. */
static void read_conn(struct sipc *c, int idx)
{
	struct conn *k = &c->conns[idx];
	char tmp[8192];
	ssize_t n = recv(k->fd, tmp, sizeof(tmp), MSG_DONTWAIT);
	int id = k->id;

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		      errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(c, k);
		return;
	}
	if (k->len + (size_t)n > 2 * SIPC_MAX_MSG) {
		sipc_log(c, "TCP %s:%d: message over %d bytes; closing",
			 k->host, k->port, SIPC_MAX_MSG);
		conn_close(c, k);
		return;
	}
	{
		char *b = realloc(k->buf, k->len + (size_t)n + 1);

		if (!b) {
			conn_close(c, k);
			return;
		}
		k->buf = b;
	}
	k->last = now_ms();
	if (!k->len)
		k->msg_start = k->last;
	memcpy(k->buf + k->len, tmp, (size_t)n);
	k->len += (size_t)n;
	k->buf[k->len] = '\0';

	for (;;) {
		size_t total = 0;
		const char *why = NULL;
		char host[64];
		int port = k->port;

		while (k->len >= 2 && k->buf[0] == '\r' && k->buf[1] == '\n') {
			memmove(k->buf, k->buf + 2, k->len - 2);
			k->len -= 2;
		}
		switch (tcp_frame(k->buf, k->len, &total, &why)) {
		case FRAME_MORE:
			return;
		case FRAME_BIG:
			sipc_log(c, "TCP %s:%d: oversize message; closing",
				 k->host, k->port);
			conn_close(c, k);
			return;
		case FRAME_BAD:
			/* RFC 3261 18.3: 400, and the stream cannot be
			 * framed any more: closed */
			sipc_log(c, "TCP %s:%d: %s; closing", k->host, k->port,
				 why);
			c->rx_conn = id;
			if (strncmp(k->buf, "SIP/", 4))
				raw_respond(c, k->buf, 400, why, k->host,
					    k->port);
			c->rx_conn = 0;
			c->dropped++;
			conn_close(c, k);
			return;
		case FRAME_OK:
			break;
		}
		snprintf(host, sizeof(host), "%s", k->host);
		{
			char *msg = malloc(total + 1);

			if (!msg)
				return;
			memcpy(msg, k->buf, total);
			msg[total] = '\0';
			memmove(k->buf, k->buf + total, k->len - total);
			k->len -= total;
			k->msg_start = now_ms();
			c->rx_conn = id;
			on_bytes(c, msg, total, host, port);
			c->rx_conn = 0;
			free(msg);
		}
		/* on_bytes may have closed or moved connections */
		if (idx >= c->nconns || c->conns[idx].id != id)
			return;
		k = &c->conns[idx];
	}
}

/* Every connection waiting in the listen queue (the socket does not
 * block): one accept a poll round let a burst of connects fill the
 * queue of 16, and the kernel dropped the SYNs past it; each of those
 * connects stalled a second until its SYN was sent again. */
static void accept_conn(struct sipc *c)
{
	for (int i = 0; i < 4 * MAX_CONNS; i++) {
		struct sockaddr_storage sa;
		socklen_t len = sizeof(sa);
		char host[64];
		int port;
		int fd = accept(c->tcp, (struct sockaddr *)&sa, &len);

		if (fd < 0)
			return;
		addr_str(&sa, host, sizeof(host), &port);
		conn_add(c, fd, host, port);
	}
}

/* The deadlines of TCP_MSG_MS and TCP_IDLE_MS; a connection that a
 * server transaction still answers on is not idle. */
static void conn_timers(struct sipc *c)
{
	uint64_t now = now_ms();

	for (int i = c->nconns - 1; i >= 0; i--) {
		struct conn *k = &c->conns[i];

		if (k->len && now - k->msg_start > TCP_MSG_MS) {
			sipc_log(c, "TCP %s:%d: a message not whole after %d "
				 "ms; closing", k->host, k->port, TCP_MSG_MS);
			conn_close(c, k);
		}
		else if (!k->len && now - k->last > TCP_IDLE_MS &&
			 !conn_has_tr(c, k)) {
			if (c->cfg.verbose)
				sipc_log(c, "TCP %s:%d: idle %d ms; closing",
					 k->host, k->port, TCP_IDLE_MS);
			conn_close(c, k);
		}
	}
}

static int next_timeout_ms(struct sipc *c)
{
	struct timeval tv = {1, 0};
	uint64_t now = now_ms(), t;
	long ms;

	osip_timers_gettimeout(c->osip, &tv);
	ms = tv.tv_sec * 1000 + tv.tv_usec / 1000;
	for (struct sipc_px *px = c->pxs; px; px = px->next) {
		for (int i = 0; i < px->nbr; i++) {
			t = px->br[i].deadline;
			if (t && !px->br[i].done)
				ms = t <= now ? 0 : ((long)(t - now) < ms ?
						     (long)(t - now) : ms);
		}
	}
	t = ssm_next_timer(c->m);
	if (t) {
		uint64_t wall = ssm_now(c->m);

		ms = t <= wall ? 0 : ((long)(t - wall) < ms ?
				      (long)(t - wall) : ms);
	}
	if (ms > 200)
		ms = 200;
	return ms < 0 ? 0 : (int)ms;
}

/* Sequential branch timeouts.  Nothing here frees a proxy context:
 * that happens only in the kill callbacks, inside pump(). */
static void run_branch_timers(struct sipc *c)
{
	uint64_t now = now_ms();

	for (struct sipc_px *px = c->pxs; px; px = px->next)
		for (int i = 0; i < px->nbr; i++)
			if (px->br[i].deadline && !px->br[i].done &&
			    px->br[i].deadline <= now)
				px_on_timeout(px, i);
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
	/* test-oom: the Nth allocation from here on fails (fault.h) */
	{
		const char *fa = getenv("SSTCK_REF_FAIL_ALLOC");

		if (fa && atoi(fa) > 0)
			mem_fail_once(atoi(fa));
		else
			mem_fail_once(0);
	}
	o = json_object();
	json_object_set_new(o, "ev", json_string("listening"));
	json_object_set_new(o, "addr", json_string(c->addr));
	json_object_set_new(o, "port", json_integer(c->port));
	json_object_set_new(o, "app", json_string(c->app.name));
	trace_write(c, o);
	if (c->cfg.verbose)
		sipc_log(c, "listening on %s:%d (udp%s), app %s", c->addr,
			 c->port, c->tcp >= 0 ? ", tcp" : "", c->app.name);

	while (!c->stop) {
		struct pollfd pf[3 + MAX_CONNS + 4];
		int n = 0, ns, tmo;

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
		/* the trace reaches its file once per turn of the loop, not
		 * once per line: whoever reads it while the container runs
		 * sees everything done before it waits */
		if (c->trace_dirty) {
			fflush(c->trace);
			c->trace_dirty = false;
		}
		if (poll(pf, (nfds_t)n, tmo) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < c->nsrc; i++)
			c->src[i].run(c->src[i].arg, pf[ns + i].revents != 0);
		if (pf[0].revents)
			c->stop = true;
		if (pf[1].revents & POLLIN)
			for (int k = 0; k < 256 && read_udp(c); k++)
				;
		if (c->tcp >= 0 && (pf[2].revents & POLLIN))
			accept_conn(c);
		for (int i = c->nconns - 1; i >= 0; i--) {
			int pi = (c->tcp >= 0 ? 3 : 2) + i;

			if (pi < n && (pf[pi].revents & (POLLIN | POLLHUP)) &&
			    i < c->nconns && c->conns[i].fd == pf[pi].fd)
				read_conn(c, i);
		}
		sipc_ops_clear(&c->ops);   /* timers send for no message */
		conn_timers(c);
		run_branch_timers(c);
		pump(c);
	}

	o = json_object();
	json_object_set_new(o, "ev", json_string("shutdown"));
	json_object_set_new(o, "live_ss",
			    json_integer((json_int_t)ssm_count_ss(c->m)));
	json_object_set_new(o, "live_sas",
			    json_integer((json_int_t)ssm_count_sas(c->m)));
	json_object_set_new(o, "rx", json_integer((json_int_t)c->rx));
	json_object_set_new(o, "tx", json_integer((json_int_t)c->tx));
	json_object_set_new(o, "dropped",
			    json_integer((json_int_t)c->dropped));
	json_object_set_new(o, "allocs",
			    json_integer((json_int_t)mem_fault_calls()));
	trace_write(c, o);
	return 0;
}

void sipc_free(struct sipc *c)
{
	if (!c)
		return;
	if (c->osip) {
		/* the transactions go first: their kill callbacks reach
		 * the proxy contexts */
		osip_list_t *lists[] = {
			&c->osip->osip_ict_transactions,
			&c->osip->osip_ist_transactions,
			&c->osip->osip_nict_transactions,
			&c->osip->osip_nist_transactions,
		};

		for (size_t k = 0; k < 4; k++) {
			while (osip_list_size(lists[k]) > 0) {
				osip_transaction_t *tr =
					osip_list_get(lists[k], 0);

				on_kill(0, tr);
				c->ngarbage = 0;
				osip_transaction_free(tr);
			}
		}
		osip_release(c->osip);
	}
	while (c->pxs)
		px_free(c->pxs);
	while (c->calls) {
		struct sipc_call *k = c->calls;

		c->calls = k->next;
		call_free(k);
	}
	/* the trace's last line is the one sipc_run wrote */
	if (c->m)
		ssm_set_event_handler(c->m, NULL, NULL);
	ssm_shutdown(c->m);
	for (int i = 0; i < c->nconns; i++) {
		close(c->conns[i].fd);
		free(c->conns[i].buf);
	}
	if (c->udp >= 0)
		close(c->udp);
	if (c->tcp >= 0)
		close(c->tcp);
	if (c->sigpipe[0] >= 0)
		close(c->sigpipe[0]);
	if (c->sigpipe[1] >= 0)
		close(c->sigpipe[1]);
	if (c->trace)
		fclose(c->trace);
	if (the_c == c)
		the_c = NULL;
	sipc_ops_forget();
	free(c);
}

/* ------------------------------------------------------------------ */
/* Other sources of work, polled with the sockets                      */
/* ------------------------------------------------------------------ */

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

/* ------------------------------------------------------------------ */
/* Third-party call control (RFC 3725 flow I)                          */
/* ------------------------------------------------------------------ */

static void call_free(struct sipc_call *k)
{
	for (int i = 0; i < 2; i++) {
		mem_deref(k->leg[i]);
		free(k->party[i]);
		if (k->inv[i]) {
			k->inv[i]->call = NULL;
			relay_unref(k->inv[i]);
		}
	}
	free(k->from);
	if (k->offer)
		osip_message_free(k->offer);
	mem_deref(k->sas);
	free(k);
}

/** A request of the container on leg @i (INVITE or BYE), on a client
 * transaction whose responses come back to call_on_response. */
static int call_send(struct sipc_call *k, int i, const char *method,
		     const osip_message_t *body_from)
{
	struct sipc *c = k->c;
	struct leg *l = leg_of(k->leg[i]);
	struct relay *rl;
	struct ss_req rq;
	osip_message_t *m;
	char vb[64];

	if (!l || ss_create_request(k->leg[i], method, &rq))
		return -1;
	if (!strcmp(method, "INVITE"))
		l->invite_cseq = rq.cseq;
	m = leg_request(c, method, l->target, &rq, l->local, l->remote, 70,
			body_from, vb, sizeof(vb));
	rl = calloc(1, sizeof(*rl));
	if (!m || !rl) {
		osip_message_free(m);
		free(rl);
		return -1;
	}
	rl->c = c;
	rl->out = mem_ref(k->leg[i]);
	rl->refs = 1;                         /* the call's, for INVITE */
	rl->initial = !strcmp(method, "INVITE");
	/* only an INVITE's answers matter to the call; a BYE's relay does
	 * not point at it, so it may outlive the call's record */
	rl->call = rl->initial ? k : NULL;
	if (rl->initial)
		k->inv[i] = rl;
	if (relay_send(rl, m)) {
		if (rl->initial)
			k->inv[i] = NULL;
		relay_unref(rl);
		return -1;
	}
	if (!rl->initial)
		relay_unref(rl);              /* the transaction holds it */
	return 0;
}

/** Leg @i: a new UAC SipSession in the call's application session, from
 * scratch (SipFactory.createRequest(sas, INVITE, from, to), B2B-12: the
 * model picks the Call-ID and the From tag). */
static int call_leg(struct sipc_call *k, int i, const osip_message_t *body_from)
{
	struct leg *l = calloc(1, sizeof(*l));
	struct ss *ss = NULL;

	if (!l || ss_create(k->sas, SS_ROLE_UAC, "INVITE", NULL, NULL, k->from,
			    k->party[i], &ss)) {
		free(l);
		return -1;
	}
	k->leg[i] = mem_ref(ss);
	l->owner = ss;
	l->target = strdup(k->party[i]);
	l->local = strdup(k->from);
	l->remote = strdup(k->party[i]);
	if (!l->target || !l->local || !l->remote ||
	    ss_set_attr(ss, LEG_ATTR, l, NULL)) {
		leg_free(l);
		return -1;
	}
	if (i == 1 && ss_link(k->leg[0], ss))   /* one call: linked legs */
		return -1;
	return call_send(k, i, "INVITE", body_from);
}

static void call_end(struct sipc_call *k, enum sipc_call_phase ph)
{
	k->phase = ph;
	for (int i = 0; i < 2; i++) {
		enum ss_state st;

		if (!k->leg[i] || k->bye[i] || !ss_is_valid(k->leg[i]) ||
		    ss_state(k->leg[i], &st))
			continue;
		if (st == SS_CONFIRMED) {
			/* a 2xx not yet ACKed (A's, while B rings) is ACKed
			 * first: RFC 3261 13.2.2.4 */
			if (!k->acked[i]) {
				k->acked[i] = true;
				leg_ack(k->c, k->leg[i], NULL);
			}
			k->bye[i] = true;
			call_send(k, i, "BYE", NULL);
		} else if (k->inv[i] && !k->status[i] && k->inv[i]->status >= 100) {
			k->bye[i] = true;
			send_cancel(k->c, k->leg[i], k->inv[i]->req);
		}
	}
}

static void call_on_response(struct sipc_call *k, struct relay *rl,
			     struct ss *t, osip_message_t *resp)
{
	int i = rl == k->inv[0] ? 0 : rl == k->inv[1] ? 1 : -1;
	int st = resp->status_code;

	if (i < 0 || st < 200 || !MSG_IS_RESPONSE_FOR(resp, "INVITE"))
		return;                        /* a BYE's answer, a 1xx */
	if (k->status[i])
		return;                        /* a retransmission */
	k->status[i] = st;
	if (st >= 300) {
		/* a party declined: the other leg, if up, ends too */
		if (i == 1 && k->leg[0] && !k->acked[0]) {
			k->acked[0] = true;
			leg_ack(k->c, k->leg[0], NULL);
		}
		ss_initial_tx_ended(t);
		call_end(k, k->hangup ? SIPC_CALL_ENDED : SIPC_CALL_FAILED);
		return;
	}
	{
		struct leg *l = leg_own(t);

		if (l)
			set_str(&l->target, contact_of(resp));
	}
	if (i == 0) {
		/* A answered with its offer: B gets it (RFC 3725 flow I) */
		if (osip_message_clone(resp, &k->offer) < 0 || k->hangup ||
		    call_leg(k, 1, resp)) {
			k->acked[0] = true;
			leg_ack(k->c, t, NULL);
			call_end(k, k->hangup ? SIPC_CALL_ENDED : SIPC_CALL_FAILED);
			return;
		}
		k->phase = SIPC_CALL_CALLING_B;
		return;
	}
	/* B answered: ACK B, and A's ACK carries B's answer */
	k->acked[1] = true;
	leg_ack(k->c, t, NULL);
	if (!k->acked[0]) {
		k->acked[0] = true;
		leg_ack(k->c, k->leg[0], resp);
	}
	k->phase = SIPC_CALL_CONNECTED;
	if (k->hangup)
		call_end(k, SIPC_CALL_ENDED);
}

int sipc_call_start(struct sipc *c, struct sas *sas, const char *from,
		    const char *a, const char *b, struct sipc_call **kp)
{
	struct sipc_call *k;
	osip_uri_t *u[2] = { NULL, NULL };
	bool ok = true;

	/* the parties are SIP URIs on loopback, like every next hop */
	for (int i = 0; i < 2; i++) {
		const char *p = i ? b : a;

		ok &= p && osip_uri_init(&u[i]) >= 0 &&
		      osip_uri_parse(u[i], p) >= 0 && u[i]->scheme &&
		      !strcasecmp(u[i]->scheme, "sip") && u[i]->host &&
		      sipc_is_loopback(u[i]->host) && port_of(u[i]->port) > 0;
		osip_uri_free(u[i]);
	}
	if (!ok)
		return SSM_IAE;
	k = calloc(1, sizeof(*k));
	if (!k)
		return -1;
	k->c = c;
	k->sas = mem_ref(sas);
	k->party[0] = strdup(a);
	k->party[1] = strdup(b);
	k->from = strdup(from);
	k->phase = SIPC_CALL_CALLING_A;
	k->next = c->calls;
	c->calls = k;
	if (!k->party[0] || !k->party[1] || !k->from || call_leg(k, 0, NULL)) {
		k->phase = SIPC_CALL_FAILED;
		return -1;
	}
	*kp = k;
	return 0;
}

int sipc_call_hangup(struct sipc_call *k)
{
	if (k->phase == SIPC_CALL_ENDED || k->phase == SIPC_CALL_FAILED)
		return SSM_ISE;
	if (k->phase == SIPC_CALL_CONNECTED) {
		call_end(k, SIPC_CALL_ENDED);
		return 0;
	}
	/* still calling: end what is up, and what answers later */
	k->hangup = true;
	call_end(k, SIPC_CALL_ENDED);
	return 0;
}

int sipc_call_free(struct sipc_call *k)
{
	struct sipc_call **pp;
	const char *ph = sipc_call_phase_name(k);

	/* over, and no leg's INVITE still waiting for its final answer
	 * (a late 2xx must still be ACKed and ended by the call) */
	if (strcmp(ph, "ended") && strcmp(ph, "failed"))
		return SSM_ISE;
	for (int i = 0; i < 2; i++)
		if (k->inv[i] && !k->status[i])
			return SSM_ISE;
	for (pp = &k->c->calls; *pp && *pp != k; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = k->next;
	call_free(k);
	return 0;
}

struct sipc_call *sipc_call_find(struct sipc *c, const char *id)
{
	for (struct sipc_call *k = c->calls; k; k = k->next)
		if (!strcmp(sas_id(k->sas), id))
			return k;
	return NULL;
}

const char *sipc_call_phase_name(const struct sipc_call *k)
{
	static const char *n[] = { "calling-a", "calling-b", "connected",
				   "failed", "ended" };

	/* a connected call whose legs both ended (a party's BYE) */
	if (k->phase == SIPC_CALL_CONNECTED) {
		bool gone = true;

		for (int i = 0; i < 2; i++) {
			enum ss_state st;

			gone &= !k->leg[i] || !ss_is_valid(k->leg[i]) ||
				(!ss_state(k->leg[i], &st) && st == SS_TERMINATED);
		}
		if (gone)
			return "ended";
	}
	return n[k->phase];
}

struct ss *sipc_call_leg(const struct sipc_call *k, int i)
{
	return i >= 0 && i < 2 ? k->leg[i] : NULL;
}

const char *sipc_call_party(const struct sipc_call *k, int i)
{
	return i >= 0 && i < 2 ? k->party[i] : NULL;
}

int sipc_call_status(const struct sipc_call *k, int i)
{
	return i >= 0 && i < 2 ? k->status[i] : 0;
}

struct sas *sipc_call_sas(const struct sipc_call *k)
{
	return k->sas;
}
