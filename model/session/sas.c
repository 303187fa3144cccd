/**
 * @file model/session/sas.c  SipApplicationSession: life cycle, expiry
 *
 * An application session owns its protocol sessions (OWN-01): the
 * SipSessions through references in `sips`, the HTTP sessions through
 * references in `hss`, and its active ServletTimers.  The model's SAS
 * registry holds one reference while it is valid.  Its timers are in
 * timer.c, HTTP sessions and encodeURL in hs.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <limits.h>
#include "ssm_int.h"

#define MIN_MS 60000ull

/* ----- lifecycle ----- */

static void sas_destroy(void *data)
{
	struct sas *sas = data;

	free(sas->hss);
	mem_deref(sas->attrs);
	mem_deref(sas->key);
	mem_deref(sas->id);
}

static void expiry_fire(struct tmr *t);

/* the hash of a session ID in the model's registries (sas_by_id, hs_by_id) */
uint32_t ssm__id_hash(const char *id)
{
	return htab_hash_str(HTAB_SEED, id);
}

/** Create a SAS, keyed (KEY-04, SAS-01) when @key is given. */
int sas__alloc(struct ssm_app *app, const char *key, struct sas **sasp)
{
	struct ssm *m = app->m;
	struct sas *sas;
	char buf[64];
	int err;

	sas = mem_zalloc(sizeof(*sas), sas_destroy);
	if (!sas)
		return SSM_NOMEM;

	if (key) {
		/* SAS-01: the id incorporates the key, so one key maps to
		 * exactly one SAS of the application. */
		size_t n = strlen(app->name) + strlen(key) + 8;

		sas->id = mem_zalloc(n, NULL);
		if (sas->id)
			snprintf(sas->id, n, "as-%s~%s", app->name, key);
		sas->key = mem_strdup(key);
	}
	else {
		ssm__gen_token(m, "as-", buf, sizeof(buf));
		sas->id = mem_strdup(buf);
	}
	sas->attrs = ssm__attrs_alloc();
	if (!sas->id || !sas->attrs || (key && !sas->key)) {
		mem_deref(sas);
		return SSM_NOMEM;
	}
	sas->app = app;
	sas->valid = true;
	sas->iwr = app->version >= SSM_V11;          /* VER-04 */
	sas->created = sas->accessed = ssm_now(m);
	ssm__tmr_init(&sas->exp, expiry_fire);
	if (app->timeout_min > 0) {                  /* EXP-01 */
		sas->lifetime_ms = (uint64_t)app->timeout_min * MIN_MS;
		sas->expires_at = sas->created + sas->lifetime_ms;
	}

	err = htab_insert(&m->sas_by_id, &sas->hid, ssm__id_hash(sas->id));
	if (!err && sas->expires_at)
		err = ssm__tmr_start(m, &sas->exp, sas->expires_at);
	if (err) {
		htab_remove(&m->sas_by_id, &sas->hid);
		mem_deref(sas);
		return err;
	}
	m->nsas++;

	ssm__emit(m, SSM_EV_SAS_CREATED, sas, NULL, NULL, NULL, NULL, NULL);
	if (app->l.sas_created)
		app->l.sas_created(sas, app->l.arg);
	ssm__dirty_sas(sas);
	*sasp = sas;
	return SSM_OK;
}

/**
 * A SAS for ssm_dist_restore(): @id and @key as they were on the node that
 * wrote it, in the registry, announced to no one (DIST-14) and with its
 * expiry not started; the caller sets the times.
 */
int sas__restore(struct ssm_app *app, const char *id, const char *key,
		 struct sas **sasp)
{
	struct ssm *m = app->m;
	struct sas *sas = mem_zalloc(sizeof(*sas), sas_destroy);

	if (!sas)
		return SSM_NOMEM;
	sas->id = mem_strdup(id);
	sas->key = mem_strdup(key);
	sas->attrs = ssm__attrs_alloc();
	sas->app = app;
	sas->valid = true;
	ssm__tmr_init(&sas->exp, expiry_fire);
	if (!sas->id || (key && !sas->key) || !sas->attrs ||
	    htab_insert(&m->sas_by_id, &sas->hid, ssm__id_hash(sas->id))) {
		mem_deref(sas);
		return SSM_NOMEM;
	}
	m->nsas++;
	*sasp = sas;
	return SSM_OK;
}

int sas_create(struct ssm_app *app, struct sas **sasp)
{
	if (!app || !sasp)
		return SSM_NPE;
	return sas__alloc(app, NULL, sasp);
}

/* the application session of ID @id in the registry, or NULL */
struct sas *sas__find(struct ssm *m, const char *id)
{
	uint32_t h = ssm__id_hash(id);

	HTAB_FOREACH_HASH(&m->sas_by_id, h, e) {
		struct sas *sas = container_of(e, struct sas, hid);

		if (!strcmp(sas->id, id))
			return sas;
	}
	return NULL;
}

int sas_by_key(struct ssm_app *app, const char *key, bool create,
	       struct sas **sasp)
{
	char *id;
	size_t n;

	if (!app || !key || !sasp)
		return SSM_NPE;
	n = strlen(app->name) + strlen(key) + 8;
	id = malloc(n);
	if (!id)
		return SSM_NOMEM;
	snprintf(id, n, "as-%s~%s", app->name, key);
	*sasp = sas__find(app->m, id);
	free(id);
	if (*sasp || !create)
		return SSM_OK;
	return sas__alloc(app, key, sasp);
}

int ssm_app_find_sas(struct ssm_app *app, const char *id, struct sas **sasp)
{
	struct sas *sas;

	if (!app || !id || !sasp)
		return SSM_NPE;
	sas = sas__find(app->m, id);
	*sasp = (sas && sas->app == app) ? sas : NULL;
	return SSM_OK;
}

/**
 * Container-side invalidation: no precondition.  Children first, then
 * timers, then the listener, then the attributes (INVAL-03).
 */
void sas__invalidate(struct sas *sas)
{
	struct ssm_app *app = sas->app;
	struct ssm *m = app->m;

	if (!sas->valid || sas->invalidating)
		return;
	mem_ref(sas);
	sas->invalidating = true;

	while (sas->sips.head)
		ss__invalidate(container_of(sas->sips.head, struct ss,
					    sasle));
	for (size_t i = 0; i < sas->nhss; i++)
		if (sas->hss[i]->valid)
			hs__invalidate(sas->hss[i]);
	while (sas->nhss)
		sas__drop_hs(sas, sas->hss[sas->nhss - 1]);
	ssm__timer_cancel_all(sas);
	ssm__tmr_stop(m, &sas->exp);

	ssm__emit(m, SSM_EV_SAS_DESTROYED, sas, NULL, NULL, NULL, NULL,
		  NULL);
	if (app->l.sas_destroyed)
		app->l.sas_destroyed(sas, app->l.arg);
	ssm__attrs_clear(app, SSM_KIND_SAS, sas, sas->attrs);

	sas->valid = false;
	htab_remove(&m->sas_by_id, &sas->hid);
	m->nsas--;
	mem_deref(sas);              /* the registry's reference */
	mem_deref(sas);
}

int sas_invalidate(struct sas *sas)
{
	if (!sas)
		return SSM_NPE;
	if (!sas->valid || sas->invalidating)
		return SSM_ISE;

	/* INVAL-04: all or nothing.  Under CF-05 a child that may not be
	 * invalidated makes the whole call fail before anything changes. */
	if (sas->app->m->opts.cf05_strict_invalidate) {
		LIST_FOREACH(&sas->sips, e) {
			struct ss *ss = container_of(e, struct ss, sasle);

			if (ss->state == SS_EARLY ||
			    ss->state == SS_CONFIRMED || ss->ntx)
				return SSM_ISE;
		}
	}
	sas__invalidate(sas);
	ssm_settle(sas->app->m);
	return SSM_OK;
}

/* ----- readiness ----- */

/** INVAL-12 with CF-15. */
bool sas__ready(const struct sas *sas)
{
	int http = sas->app->m->opts.cf15_http_ready;

	if (!sas->valid)
		return false;
	LIST_FOREACH(&sas->sips, e) {
		const struct ss *ss = container_of(e, struct ss, sasle);

		if (ss->valid && !ss__ready(ss))
			return false;
	}
	if (sas->timers.n)
		return false;
	for (size_t i = 0; i < sas->nhss; i++) {
		if (http == 0 && sas->hss[i]->valid)
			return false;
		if (http == 1)
			return false;
	}
	return true;
}

int sas_is_ready(struct sas *sas, bool *readyp)
{
	if (!sas || !readyp)
		return SSM_NPE;
	if (!sas->valid)
		return SSM_ISE;
	*readyp = sas__ready(sas);
	return SSM_OK;
}

int sas_get_iwr(struct sas *sas, bool *iwrp)
{
	if (!sas || !iwrp)
		return SSM_NPE;
	if (!sas->valid)
		return SSM_ISE;
	*iwrp = sas->iwr;
	return SSM_OK;
}

int sas_set_iwr(struct sas *sas, bool iwr)
{
	if (!sas)
		return SSM_NPE;
	if (!sas->valid)
		return SSM_ISE;
	sas->iwr = iwr;
	if (iwr) {
		sas->ready_seen = false;
		ssm__dirty_sas(sas);
	}
	return SSM_OK;
}

/* ----- accessors ----- */

const char *sas_id(const struct sas *sas)
{
	return sas ? sas->id : NULL;
}

bool sas_is_valid(const struct sas *sas)
{
	return sas && sas->valid;
}

int sas_app_name(const struct sas *sas, const char **namep)
{
	SAS_CHECK(sas);
	*namep = sas->app->name;
	return SSM_OK;
}

int sas_creation_time(const struct sas *sas, uint64_t *tp)
{
	SAS_CHECK(sas);
	*tp = sas->created;
	return SSM_OK;
}

int sas_last_accessed(const struct sas *sas, uint64_t *tp)
{
	SAS_CHECK(sas);
	*tp = sas->accessed;
	return SSM_OK;
}

/** An event on the SAS (SAS-04), restarting its expiry (EXP-02, CF-08). */
void sas__touch(struct sas *sas, bool refresh)
{
	struct ssm *m = sas->app->m;

	if (!refresh)
		return;
	sas->accessed = ssm_now(m);
	if (sas->lifetime_ms && !m->opts.cf08_expiry_from_creation &&
	    !sas->expiring) {
		sas->expires_at = sas->accessed + sas->lifetime_ms;
		(void)ssm__tmr_start(m, &sas->exp, sas->expires_at);
	}
}

/* ----- attributes ----- */

int sas_set_attr(struct sas *sas, const char *name, void *value,
		 const struct ssm_binding *b)
{
	SAS_CHECK(sas);
	if (!name || !value)
		return SSM_NPE;
	if (ssm__dist_check(sas->app, SSM_KIND_SAS, name, value))
		return SSM_IAE;                     /* DIST-04, CF-22 */
	return ssm__attrs_set(sas->app, SSM_KIND_SAS, sas, sas->attrs, name,
			      value, b);
}

int sas_get_attr(struct sas *sas, const char *name, void **valuep)
{
	struct attr *x;

	SAS_CHECK(sas);
	if (!name || !valuep)
		return SSM_NPE;
	x = ssm__attrs_find(sas->attrs, name);
	*valuep = x ? x->value : NULL;
	return SSM_OK;
}

int sas_remove_attr(struct sas *sas, const char *name)
{
	SAS_CHECK(sas);
	if (!name)
		return SSM_NPE;
	ssm__attrs_remove(sas->app, SSM_KIND_SAS, sas, sas->attrs, name);
	return SSM_OK;
}

int sas_attr_names(struct sas *sas, const char **names, size_t max,
		   size_t *np)
{
	SAS_CHECK(sas);
	if (!np)
		return SSM_NPE;
	*np = ssm__attrs_names(sas->attrs, names, max);
	return SSM_OK;
}

/* ----- protocol sessions ----- */

static int parse_proto(const struct sas *sas, const char *protocol,
		       int *protop)
{
	if (!protocol)
		return SSM_NPE;
	if (!strcasecmp(protocol, "SIP"))
		*protop = SSM_PROTO_SIP;
	else if (!strcasecmp(protocol, "HTTP"))
		*protop = SSM_PROTO_HTTP;
	else if (sas->app->m->opts.cf07_unknown_protocol_empty)
		*protop = -1;
	else
		return SSM_IAE;
	return SSM_OK;
}

int sas_sessions(struct sas *sas, bool all, const char *protocol,
		 struct ssm_psess *out, size_t max, size_t *np)
{
	int proto = -2, err;
	size_t n = 0;

	SAS_CHECK(sas);
	if (!np)
		return SSM_NPE;
	if (!all) {
		err = parse_proto(sas, protocol, &proto);
		if (err)
			return err;
	}

	if (all || proto == SSM_PROTO_SIP) {
		LIST_FOREACH(&sas->sips, e) {
			struct ss *ss = container_of(e, struct ss, sasle);

			if (!ss->valid)
				continue;
			if (n < max) {
				out[n].proto = SSM_PROTO_SIP;
				out[n].u.ss = ss;
			}
			n++;
		}
	}
	if (all || proto == SSM_PROTO_HTTP) {
		for (size_t i = 0; i < sas->nhss; i++) {
			if (!sas->hss[i]->valid)
				continue;
			if (n < max) {
				out[n].proto = SSM_PROTO_HTTP;
				out[n].u.hs = sas->hss[i];
			}
			n++;
		}
	}
	*np = n;
	return SSM_OK;
}

int sas_get_sip_session(struct sas *sas, const char *id, struct ss **ssp)
{
	SAS_CHECK(sas);
	if (!id || !ssp)
		return SSM_NPE;
	*ssp = NULL;
	LIST_FOREACH(&sas->sips, e) {
		struct ss *ss = container_of(e, struct ss, sasle);

		if (ss->valid && !strcmp(ss->id, id)) {
			*ssp = ss;
			break;
		}
	}
	return SSM_OK;
}

int sas_get_session(struct sas *sas, const char *id, const char *protocol,
		    struct ssm_psess *outp, bool *foundp)
{
	int proto, err;

	SAS_CHECK(sas);
	if (!id || !protocol || !outp || !foundp)
		return SSM_NPE;
	err = parse_proto(sas, protocol, &proto);
	if (err)
		return err;
	*foundp = false;
	if (proto == SSM_PROTO_SIP) {
		struct ss *ss;

		(void)sas_get_sip_session(sas, id, &ss);
		if (ss) {
			outp->proto = SSM_PROTO_SIP;
			outp->u.ss = ss;
			*foundp = true;
		}
	}
	else if (proto == SSM_PROTO_HTTP) {
		for (size_t i = 0; i < sas->nhss; i++) {
			if (sas->hss[i]->valid &&
			    !strcmp(sas->hss[i]->id, id)) {
				outp->proto = SSM_PROTO_HTTP;
				outp->u.hs = sas->hss[i];
				*foundp = true;
			}
		}
	}
	return SSM_OK;
}

/* ----- expiry (EXP-*) ----- */

static void expiry_fire(struct tmr *t)
{
	struct sas *sas = container_of(t, struct sas, exp);
	struct ssm_app *app = sas->app;

	mem_ref(sas);
	sas->expiring = true;
	sas->extended = false;
	ssm__emit(app->m, SSM_EV_SAS_EXPIRED, sas, NULL, NULL, NULL, NULL,
		  NULL);
	if (app->l.sas_expired)
		app->l.sas_expired(sas, app->l.arg);
	sas->expiring = false;
	if (sas->valid && !sas->extended)
		sas__invalidate(sas);               /* EXP-03, INVAL-05 */
	mem_deref(sas);
}

int sas_set_expires(struct sas *sas, int delta_min, int *grantedp)
{
	struct ssm *m;
	int cap, granted;

	SAS_CHECK(sas);
	if (!grantedp)
		return SSM_NPE;
	m = sas->app->m;
	cap = m->opts.expires_max_min;

	if (cap < 0) {
		*grantedp = 0;                      /* refused */
		return SSM_OK;
	}
	if (delta_min <= 0) {
		/* EXP-04: "never expire" when accepted, unless capped. */
		if (cap > 0) {
			granted = cap;
		}
		else {
			sas->lifetime_ms = 0;
			sas->expires_at = 0;
			ssm__tmr_stop(m, &sas->exp);
			sas->extended = true;
			*grantedp = INT_MAX;
			return SSM_OK;
		}
	}
	else {
		granted = (cap > 0 && delta_min > cap) ? cap : delta_min;
	}

	sas->lifetime_ms = (uint64_t)granted * MIN_MS;
	sas->expires_at = ssm_now(m) + sas->lifetime_ms;
	if (ssm__tmr_start(m, &sas->exp, sas->expires_at))
		return SSM_NOMEM;
	sas->extended = true;
	*grantedp = granted;
	return SSM_OK;
}

int sas_expiration_time(struct sas *sas, int64_t *tp)
{
	SAS_CHECK(sas);
	if (!tp)
		return SSM_NPE;
	if (sas->expiring && !sas->extended)
		*tp = INT64_MIN;                    /* EXP-05 */
	else
		*tp = (int64_t)sas->expires_at;
	return SSM_OK;
}
