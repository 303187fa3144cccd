/**
 * @file model/apps/apps.h  sstck-ref's applications
 */
#ifndef SSTCK_APPS_H
#define SSTCK_APPS_H

#include <jansson.h>
#include "sipc.h"

struct app_cfg {
	const char *name;                      /**< proxy, send-on, fork */
	struct sipc_proxy_opts px;
	char *targets[SIPC_MAX_TARGETS];
	int ntargets;
	const char *domain;                    /**< send-on's domain     */
	const char *reproxy;                   /**< best-response callback:
						    proxy here once    */
	bool rr_invite_only;                   /**< proxy: record-route
						    initial INVITEs only
						    (EX-04)           */
	int best_answer;                       /**< best-response callback:
						    answer this instead */
};

struct http_req;
struct c2c;

/** click-to-call's state: the calls it started, and how long the records
 * of ended ones are kept (at most @keep_n of them, each @keep_s seconds).
 * 0, or EINVAL / ENOMEM (*cp untouched). */
int c2c_alloc(struct c2c **cp, int keep_n, int keep_s);
void c2c_free(struct c2c *cc);
/** click-to-call's HTTP routes (/calls), for http_alloc (c2c.c); @arg is
 * a struct c2c, or NULL to keep every call's record. */
int c2c_http(struct http_req *r, json_t **bodyp, void *arg);

/** Choose the application @a->name; -1 (with a message) if unknown. */
int app_setup(struct app_cfg *a, struct sipc_app *app);

#endif
