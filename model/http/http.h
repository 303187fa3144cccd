/**
 * @file model/http/http.h  sstck-ref's HTTP side, on libmicrohttpd
 *
 * HTTP sessions tracked by a cookie (SSTCKSESSION), attached to
 * application sessions (HTTP-01 to HTTP-06), the session monitor
 * (GET /sessions, GET and DELETE /sessions/ID, GET /session) and the
 * routes of a converged application (click-to-call: /calls).  It runs in
 * the SIP container's loop (sipc_add_source), so the model sees one
 * thread.  Loopback only, like the SIP side.
 */
#ifndef SSTCK_HTTP_H
#define SSTCK_HTTP_H

#include <jansson.h>
#include "sipc.h"

struct http;

/** What a converged application's handler is given for a request. */
struct http_req {
	struct http *h;
	const char *method;
	const char *path;         /**< without the query string          */
	json_t *body;             /**< parsed JSON body, or NULL          */
	struct hs *hs;            /**< the request's HTTP session         */
	struct sas *joined;       /**< the SAS an encoded URL named, or NULL */
	const char *encode;       /**< GET /session?encode=PATH: PATH    */
	const char *inactive;     /**< GET /session?max-inactive=S: S    */
	const char *host;         /**< its Host header, or NULL           */
};

/** A converged application: answers @r with a status and a JSON body
 * (*bodyp, owned by the caller); 0 when the path is not its own. */
typedef int (http_app_h)(struct http_req *r, json_t **bodyp, void *arg);

struct http_cfg {
	const char *addr;         /**< 127.0.0.1 (loopback only)          */
	int port;                 /**< 0 picks one                        */
	const char *port_file;    /**< write the bound port here, or NULL */
	int session_timeout_s;    /**< HTTP sessions' max inactive interval */
};

/** Starts listening and joins the container's loop.  0, or -1 with a
 * line on stderr. */
int http_alloc(struct http **hp, struct sipc *c, const struct http_cfg *cfg,
	       http_app_h *apph, void *arg);
void http_free(struct http *h);
int http_port(const struct http *h);
struct sipc *http_container(struct http *h);

/** A SipSession and an application session as the monitor shows them. */
json_t *http_ss_json(struct ss *ss);
json_t *http_sas_json(struct ssm *m, struct sas *sas);

/** An error body: {"error": TEXT}. */
json_t *http_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
