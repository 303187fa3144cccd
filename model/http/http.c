/**
 * @file model/http/http.c  sstck-ref's HTTP side (see http.h)
 *
 * libmicrohttpd in its external mode with epoll: one descriptor that the
 * SIP container polls with its sockets, and MHD_run() on each turn, so
 * HTTP requests and SIP messages reach the model from one thread.
 *
 * Slow clients.  In this mode no client can block the thread (libmicrohttpd
 * reads and writes without blocking); what a slow one holds is one of the
 * HTTP_MAX_CONNS slots, and libmicrohttpd's own timeout is one of
 * inactivity, which a client sending a header line every few seconds
 * never reaches.  So each connection also has a deadline for its request:
 * HTTP_REQUEST_DEADLINE_S from when the container starts waiting for it
 * (the connection accepted, or the previous request completed) until its
 * answer is queued.  Past it the connection is shut down (conn_sweep).
 * The other ways were weighed: a thread pool or a thread per connection
 * would call the model from threads other than the SIP loop's (and a
 * thread per connection is capped by the same slots); a per-IP limit
 * means nothing here, where the HTTP side listens on loopback only and
 * every client, the harness's included, comes from 127.0.0.1.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <sys/socket.h>
#include <time.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "mem.h"
#include "fault.h"

#define COOKIE "SSTCKSESSION"
#define MAX_BODY (64 * 1024)

/* Limits of the HTTP side (see the file's comment).  A request of the
 * harness on loopback takes milliseconds; 5 s is far beyond it. */
#define HTTP_MAX_CONNS          256u  /**< concurrent connections     */
#define HTTP_IDLE_TIMEOUT_S      10u  /**< libmicrohttpd's inactivity */
#define HTTP_REQUEST_DEADLINE_S   5   /**< one request, whole         */

/** One connection, from libmicrohttpd's notice that it was accepted to the
 * one that it was closed (its socket context). */
struct hconn {
	struct MHD_Connection *conn;
	uint64_t since_ms;            /**< waiting for a request since     */
	bool answered;                /**< its answer is queued            */
	bool cut;                     /**< shut down past the deadline     */
	struct hconn *prev, *next;
};

struct http {
	struct sipc *c;
	struct MHD_Daemon *d;
	int port;
	int timeout_s;
	http_app_h *apph;
	void *arg;
	struct hconn *conns;          /**< every open connection (owned)   */
};

/** One request's upload, gathered over the access handler's calls. */
struct upload {
	char *buf;
	size_t len;
	bool too_big;
};

json_t *http_error(const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return json_pack("{s:s}", "error", text);
}

/* --- the monitor's JSON ------------------------------------------------- */

json_t *http_ss_json(struct ss *ss)
{
	json_t *o = json_object(), *attrs = json_array();
	enum ss_state st;
	struct ss *peer = NULL, *orig = ss_original(ss);
	const char *cid = NULL, *names[32];
	size_t n = 0;

	json_object_set_new(o, "id", json_string(ss_id(ss)));
	json_object_set_new(o, "valid", json_boolean(ss_is_valid(ss)));
	json_object_set_new(o, "role", json_string(ss_role_name(ss_role(ss))));
	json_object_set_new(o, "state", json_string(ss_state(ss, &st) ? "invalid" :
						    ss_state_name(st)));
	json_object_set_new(o, "derived", json_boolean(orig != NULL));
	if (orig)
		json_object_set_new(o, "original", json_string(ss_id(orig)));
	if (!ss_linked(ss, &peer) && peer)
		json_object_set_new(o, "linked", json_string(ss_id(peer)));
	if (!ss_call_id(ss, &cid) && cid)
		json_object_set_new(o, "call_id", json_string(cid));
	if (!ss_attr_names(ss, names, 32, &n))
		for (size_t i = 0; i < n && i < 32; i++)
			json_array_append_new(attrs, json_string(names[i]));
	json_object_set_new(o, "attributes", attrs);
	return o;
}

json_t *http_sas_json(struct ssm *m, struct sas *sas)
{
	json_t *o = json_object(), *sip = json_array(), *http = json_array(),
	       *attrs = json_array();
	struct ssm_psess ps[64];
	const char *names[32];
	size_t n = 0;
	int64_t exp = 0;

	(void)m;
	json_object_set_new(o, "id", json_string(sas_id(sas)));
	json_object_set_new(o, "valid", json_boolean(sas_is_valid(sas)));
	if (!sas_sessions(sas, true, NULL, ps, 64, &n))
		for (size_t i = 0; i < n && i < 64; i++) {
			if (ps[i].proto == SSM_PROTO_SIP)
				json_array_append_new(sip, http_ss_json(ps[i].u.ss));
			else
				json_array_append_new(http, json_pack("{s:s,s:b}",
					"id", hs_id(ps[i].u.hs), "valid",
					hs_is_valid(ps[i].u.hs)));
		}
	json_object_set_new(o, "sip_sessions", sip);
	json_object_set_new(o, "http_sessions", http);
	if (!sas_attr_names(sas, names, 32, &n))
		for (size_t i = 0; i < n && i < 32; i++)
			json_array_append_new(attrs, json_string(names[i]));
	json_object_set_new(o, "attributes", attrs);
	if (!sas_expiration_time(sas, &exp))
		json_object_set_new(o, "expires", exp ? json_integer(exp) : json_null());
	return o;
}

/* --- connections and their deadline ------------------------------------ */

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct hconn *conn_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

static void on_conn(void *cls, struct MHD_Connection *conn, void **sctx,
		    enum MHD_ConnectionNotificationCode toe)
{
	struct http *h = cls;
	struct hconn *hc = *sctx;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		/* no memory: the connection goes untracked, with libmicrohttpd's
		 * inactivity timeout only */
		hc = calloc(1, sizeof(*hc));
		if (!hc)
			return;
		hc->conn = conn;
		hc->since_ms = mono_ms();
		hc->next = h->conns;
		if (h->conns)
			h->conns->prev = hc;
		h->conns = hc;
		*sctx = hc;
		return;
	}
	if (!hc)
		return;
	if (hc->prev)
		hc->prev->next = hc->next;
	else
		h->conns = hc->next;
	if (hc->next)
		hc->next->prev = hc->prev;
	free(hc);
	*sctx = NULL;
}

/* Shut down each connection whose request has taken longer than
 * HTTP_REQUEST_DEADLINE_S.  shutdown(), not close(): the descriptor stays
 * libmicrohttpd's, which reads its end and closes the connection itself
 * (MHD_CONNECTION_NOTIFY_CLOSED). */
static void conn_sweep(struct http *h)
{
	uint64_t now = mono_ms();

	for (struct hconn *hc = h->conns; hc; hc = hc->next) {
		const union MHD_ConnectionInfo *ci;

		if (hc->answered || hc->cut ||
		    now - hc->since_ms < HTTP_REQUEST_DEADLINE_S * 1000u)
			continue;
		ci = MHD_get_connection_info(hc->conn,
					     MHD_CONNECTION_INFO_CONNECTION_FD);
		if (ci && ci->connect_fd >= 0) {
			hc->cut = true;
			shutdown(ci->connect_fd, SHUT_RDWR);
		}
	}
}

/* --- requests ----------------------------------------------------------- */

static enum MHD_Result reply(struct MHD_Connection *conn, int status, json_t *body,
			     const struct hs *set_cookie)
{
	char *txt = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
	struct MHD_Response *r;
	enum MHD_Result rc;

	json_decref(body);
	if (!txt)
		return MHD_NO;
	r = MHD_create_response_from_buffer(strlen(txt), txt, MHD_RESPMEM_MUST_COPY);
	free(txt);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", "application/json");
	if (set_cookie) {
		char c[128];

		snprintf(c, sizeof(c), COOKIE "=%s; Path=/; HttpOnly", hs_id(set_cookie));
		MHD_add_response_header(r, "Set-Cookie", c);
	}
	rc = MHD_queue_response(conn, (unsigned)status, r);
	MHD_destroy_response(r);
	if (rc == MHD_YES) {
		struct hconn *hc = conn_of(conn);

		if (hc)
			hc->answered = true;      /* off the deadline */
	}
	return rc;
}

/* The request's HTTP session: its cookie's while valid, else a new one
 * (the next request after an invalidation gets a new one, HTTP-04). */
static struct hs *session_of(struct http *h, struct MHD_Connection *conn,
			     bool *fresh)
{
	struct ssm *m = sipc_model(h->c);
	const char *id = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, COOKIE);
	struct hs *hs = id ? ssm_find_hs(m, id) : NULL;

	*fresh = false;
	if (hs && hs_is_valid(hs)) {
		hs_access(hs);                /* HTTP-06 */
		return hs;
	}
	if (hs_create(m, h->timeout_s, &hs))
		return NULL;
	*fresh = true;
	return hs;
}

static bool is_sas_path(const char *path, const char *prefix, char *id, size_t sz,
			const char **rest)
{
	size_t l = strlen(prefix), n;

	if (strncmp(path, prefix, l))
		return false;
	n = strcspn(path + l, "/");
	if (!n || n >= sz)
		return false;
	snprintf(id, sz, "%.*s", (int)n, path + l);
	*rest = path + l + n;
	return true;
}

/* GET /session?encode=PATH (HTTP-03): what ConvergedHttpSession's
 * encodeURL(PATH) and encodeURL(PATH, "http") give, into @o. */
static void encoded(struct http_req *r, json_t *o)
{
	char url[1024], abs[1024];

	if (!hs_encode_url(r->hs, r->encode, url, sizeof(url)))
		json_object_set_new(o, "encoded", json_string(url));
	if (!hs_encode_url_rel(r->hs, r->encode, "http", r->host ? r->host : "127.0.0.1",
			       "", abs, sizeof(abs)))
		json_object_set_new(o, "absolute", json_string(abs));
}

static int monitor(struct http *h, struct http_req *r, json_t **bodyp)
{
	struct ssm *m = sipc_model(h->c);
	char id[64];
	const char *rest;
	struct sas *sas = NULL;

	if (!strcmp(r->path, "/sessions")) {
		size_t n = ssm_list_sas(m, NULL, 0);
		struct sas **v = calloc(n + 1, sizeof(*v));
		json_t *a = json_array();

		if (!strcmp(r->method, "GET") && v) {
			n = ssm_list_sas(m, v, n);
			for (size_t i = 0; i < n; i++)
				json_array_append_new(a, http_sas_json(m, v[i]));
		}
		free(v);
		if (strcmp(r->method, "GET")) {
			json_decref(a);
			*bodyp = http_error("%s not allowed on /sessions", r->method);
			return 405;
		}
		*bodyp = json_pack("{s:o}", "application_sessions", a);
		return 200;
	}
	if (!strcmp(r->path, "/session")) {
		/* this request's HTTP session and the SASs it is in */
		size_t n = ssm_list_sas(m, NULL, 0);
		struct sas **v = calloc(n + 1, sizeof(*v));
		json_t *a = json_array();

		n = v ? ssm_list_sas(m, v, n) : 0;
		for (size_t i = 0; i < n; i++) {
			struct ssm_psess ps[64];
			size_t k = 0;

			if (!sas_sessions(v[i], false, "HTTP", ps, 64, &k))
				for (size_t j = 0; j < k && j < 64; j++)
					if (ps[j].u.hs == r->hs)
						json_array_append_new(a, json_string(sas_id(v[i])));
		}
		free(v);
		if (r->inactive) {
			/* HttpSession.setMaxInactiveInterval (HTTP-06) */
			char *end;
			long s = strtol(r->inactive, &end, 10);

			if (end == r->inactive || *end || s < -1 || s > 86400) {
				json_decref(a);
				*bodyp = http_error("max-inactive must be seconds, "
						    "-1 to 86400");
				return 400;
			}
			hs_set_max_inactive(r->hs, (int)s);
		}
		*bodyp = json_pack("{s:s,s:o,s:i}", "id", hs_id(r->hs),
				   "application_sessions", a, "max_inactive",
				   hs_max_inactive(r->hs));
		if (r->encode)
			encoded(r, *bodyp);
		return 200;
	}
	if (!is_sas_path(r->path, "/sessions/", id, sizeof(id), &rest))
		return 0;
	if (ssm_app_find_sas(sipc_model_app(h->c), id, &sas) || !sas ||
	    !sas_is_valid(sas)) {
		*bodyp = http_error("no application session %s", id);
		return 404;
	}
	if (*rest) {
		*bodyp = http_error("no such resource: %s", r->path);
		return 404;
	}
	if (!strcmp(r->method, "GET")) {
		*bodyp = http_sas_json(m, sas);
		return 200;
	}
	if (!strcmp(r->method, "DELETE")) {
		/* SipApplicationSession.invalidate(): its HTTP sessions go
		 * with it (HTTP-04, INVAL-03) */
		int rc = sas_invalidate(sas);

		*bodyp = rc ? http_error("cannot invalidate %s (%d)", id, rc) :
		     json_pack("{s:s,s:b}", "id", id, "invalidated", 1);
		return rc ? 409 : 200;
	}
	*bodyp = http_error("%s not allowed on %s", r->method, r->path);
	return 405;
}

static void on_done(void *cls, struct MHD_Connection *conn, void **ctx,
		    enum MHD_RequestTerminationCode why)
{
	struct upload *u = *ctx;

	struct hconn *hc = conn_of(conn);

	(void)cls;
	(void)why;
	if (hc) {
		/* the next request's wait starts now */
		hc->since_ms = mono_ms();
		hc->answered = false;
	}
	if (u) {
		free(u->buf);
		free(u);
		*ctx = NULL;
	}
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *data,
				  size_t *size, void **ctx)
{
	struct http *h = cls;
	struct upload *u = *ctx;
	struct http_req r = { h, method, url, NULL, NULL, NULL, NULL, NULL, NULL };
	json_t *body = NULL;
	json_error_t je;
	bool fresh = false;
	const char *enc;
	int status = 0;

	(void)version;
	if (!u) {
		u = calloc(1, sizeof(*u));
		if (!u)
			return MHD_NO;
		*ctx = u;
		return MHD_YES;
	}
	if (*size) {
		if (u->len + *size > MAX_BODY) {
			u->too_big = true;
		} else {
			char *nb = realloc(u->buf, u->len + *size + 1);

			if (!nb)
				return MHD_NO;
			u->buf = nb;
			memcpy(u->buf + u->len, data, *size);
			u->len += *size;
			u->buf[u->len] = '\0';
		}
		*size = 0;
		return MHD_YES;
	}
	if (u->too_big)
		return reply(conn, 413, http_error("a body of at most %d bytes",
						   MAX_BODY), NULL);
	if (u->len) {
		r.body = json_loadb(u->buf, u->len, 0, &je);
		if (!r.body)
			return reply(conn, 400, http_error("malformed JSON at line %d: "
							   "%s", je.line, je.text), NULL);
	}
	r.encode = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "encode");
	r.inactive = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND,
						 "max-inactive");
	r.host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
	r.hs = session_of(h, conn, &fresh);
	if (!r.hs) {
		json_decref(r.body);
		return reply(conn, 500, http_error("no HTTP session"), NULL);
	}
	/* held while serving: an application session invalidated by the
	 * request takes its HTTP sessions with it (HTTP-04) */
	mem_ref(r.hs);
	/* a URL made by encodeURL names its application session: the
	 * request's HTTP session joins it (HTTP-02) */
	enc = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, SSM_SAS_PARAM);
	if (enc) {
		struct sas *sas = NULL;

		if (ssm_app_find_sas(sipc_model_app(h->c), enc, &sas) || !sas ||
		    !sas_is_valid(sas)) {
			enum MHD_Result rc;

			json_decref(r.body);
			rc = reply(conn, 404, http_error("the encoded URL names %s, "
				   "which is not a live application session", enc),
				   fresh ? r.hs : NULL);
			mem_deref(r.hs);
			return rc;
		}
		hs_join(r.hs, sas);
		r.joined = sas;
	}
	status = monitor(h, &r, &body);
	if (!status && h->apph)
		status = h->apph(&r, &body, h->arg);
	if (!status) {
		body = http_error("no such resource: %s %s", method, url);
		status = 404;
	}
	json_decref(r.body);
	if (!body)
		body = json_object();
	/* a session invalidated while serving is not handed out */
	{
		enum MHD_Result rc = reply(conn, status, body,
					   fresh && hs_is_valid(r.hs) ? r.hs : NULL);

		mem_deref(r.hs);
		return rc;
	}
}

/* --- the loop ----------------------------------------------------------- */

static int src_timeout(void *arg)
{
	struct http *h = arg;
	MHD_UNSIGNED_LONG_LONG t;

	if (MHD_get_timeout(h->d, &t) != MHD_YES)
		return -1;
	return t > 1000 ? 1000 : (int)t;
}

static void src_run(void *arg, bool ready)
{
	struct http *h = arg;

	(void)ready;
	conn_sweep(h);
	MHD_run(h->d);
}

int http_alloc(struct http **hp, struct sipc *c, const struct http_cfg *cfg,
	       http_app_h *apph, void *arg)
{
	struct http *h = calloc(1, sizeof(*h));
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *info;
	struct sipc_source src;
	const char *addr = cfg->addr ? cfg->addr : "127.0.0.1";

	if (!h)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)cfg->port);
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1 ||
	    (ntohl(sa.sin_addr.s_addr) >> 24) != 127) {
		fprintf(stderr, "sstck-ref: --http takes a loopback IPv4 address, "
			"not '%s'\n", addr);
		free(h);
		return -1;
	}
	h->c = c;
	h->apph = apph;
	h->arg = arg;
	h->timeout_s = cfg->session_timeout_s > 0 ? cfg->session_timeout_s : 1800;
	h->d = MHD_start_daemon(MHD_USE_EPOLL, 0, NULL, NULL, on_request, h,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				MHD_OPTION_NOTIFY_COMPLETED, on_done, h,
				MHD_OPTION_NOTIFY_CONNECTION, on_conn, h,
				MHD_OPTION_CONNECTION_LIMIT, HTTP_MAX_CONNS,
				MHD_OPTION_CONNECTION_TIMEOUT, HTTP_IDLE_TIMEOUT_S,
				MHD_OPTION_END);
	if (!h->d) {
		fprintf(stderr, "sstck-ref: cannot listen for HTTP on %s:%d "
			"(in use?)\n", addr, cfg->port);
		free(h);
		return -1;
	}
	info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
	h->port = info ? info->port : cfg->port;
	info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_EPOLL_FD);
	src.fd = info ? info->epoll_fd : -1;
	src.timeout_ms = src_timeout;
	src.run = src_run;
	src.arg = h;
	if (src.fd < 0 || sipc_add_source(c, &src)) {
		MHD_stop_daemon(h->d);
		free(h);
		return -1;
	}
	if (cfg->port_file) {
		FILE *f = fopen(cfg->port_file, "w");

		if (f) {
			fprintf(f, "%d\n", h->port);
			fclose(f);
		}
	}
	*hp = h;
	return 0;
}

void http_free(struct http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->d);
	free(h);
}

int http_port(const struct http *h)
{
	return h->port;
}

struct sipc *http_container(struct http *h)
{
	return h->c;
}
