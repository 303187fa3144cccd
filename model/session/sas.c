/**
 * @file model/session/sas.c  SipApplicationSession, expiry, timers, HTTP
 *
 * An application session owns its protocol sessions (OWN-01): the
 * SipSessions through references in `sips`, the HTTP sessions through
 * references in `hss`, and its active ServletTimers.  The model's SAS
 * registry holds one reference while it is valid.
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

static uint32_t id_hash(const char *id)
{
	return ssm__hash_str(2166136261u, id);
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

	err = ssm__htab_insert(&m->sas_by_id, &sas->hid, id_hash(sas->id));
	if (!err && sas->expires_at)
		err = ssm__tmr_start(m, &sas->exp, sas->expires_at);
	if (err) {
		ssm__htab_remove(&m->sas_by_id, &sas->hid);
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

int sas_create(struct ssm_app *app, struct sas **sasp)
{
	if (!app || !sasp)
		return SSM_NPE;
	return sas__alloc(app, NULL, sasp);
}

static struct sas *find_sas(struct ssm *m, const char *id)
{
	uint32_t h = id_hash(id);

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
	*sasp = find_sas(app->m, id);
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
	sas = find_sas(app->m, id);
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
	ssm__htab_remove(&m->sas_by_id, &sas->hid);
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

#define SAS_CHECK(sas)                          \
	do {                                    \
		if (!(sas))                     \
			return SSM_NPE;         \
		if (!(sas)->valid)              \
			return SSM_ISE;         \
	} while (0)

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

/* ----- ServletTimers (TIMER-*) ----- */

static void timer_destroy(void *data)
{
	struct ssm_timer *t = data;

	mem_deref(t->sas);
}

static void timer_end(struct ssm_timer *t)
{
	struct sas *sas = t->sas;

	t->active = false;
	ssm__tmr_stop(sas->app->m, &t->t);
	ssm__list_unlink(&sas->timers, &t->le);
	ssm__dirty_sas(sas);                 /* TIMER-04, TIMER-06 */
	mem_deref(t);
}

static void timer_fire(struct tmr *tm)
{
	struct ssm_timer *t = container_of(tm, struct ssm_timer, t);
	struct sas *sas = t->sas;
	struct ssm_app *app = sas->app;
	uint64_t due = tm->due;

	mem_ref(t);
	t->scheduled = due;
	ssm__emit(app->m, SSM_EV_TIMER_FIRED, sas, NULL, NULL, NULL, t,
		  NULL);
	if (app->l.timeout)
		app->l.timeout(t, app->l.arg);      /* TIMER-02 */

	if (t->active) {
		if (!t->period) {
			timer_end(t);
		}
		else {
			uint64_t next = t->fixed_delay ?
				ssm_now(app->m) + t->period : due + t->period;

			if (ssm__tmr_start(app->m, &t->t, next))
				timer_end(t);
		}
	}
	mem_deref(t);
}

int ssm_timer_create(struct sas *sas, uint64_t delay_ms, uint64_t period_ms,
		     bool fixed_delay, void *info, struct ssm_timer **tp)
{
	struct ssm *m;
	struct ssm_timer *t;

	SAS_CHECK(sas);
	m = sas->app->m;
	t = mem_zalloc(sizeof(*t), timer_destroy);
	if (!t)
		return SSM_NOMEM;
	ssm__tmr_init(&t->t, timer_fire);
	ssm__gen_token(m, "tm-", t->id, sizeof(t->id));
	t->sas = mem_ref(sas);
	t->info = info;
	t->period = period_ms;
	t->fixed_delay = fixed_delay;
	if (ssm__tmr_start(m, &t->t, ssm_now(m) + delay_ms)) {
		mem_deref(t);
		return SSM_NOMEM;
	}
	t->active = true;
	ssm__list_append(&sas->timers, &t->le); /* holds the reference */
	ssm__emit(m, SSM_EV_TIMER_CREATED, sas, NULL, NULL, NULL, t, NULL);
	if (tp)
		*tp = t;
	return SSM_OK;
}

/** TIMER-04: idempotent; inside its own timeout it stops repetition. */
void ssm_timer_cancel(struct ssm_timer *t)
{
	if (!t || !t->active)
		return;
	ssm__emit(t->sas->app->m, SSM_EV_TIMER_CANCELLED, t->sas, NULL,
		  NULL, NULL, t, NULL);
	timer_end(t);
}

void ssm__timer_cancel_all(struct sas *sas)
{
	while (sas->timers.head)
		ssm_timer_cancel(container_of(sas->timers.head,
					      struct ssm_timer, le));
}

const char *ssm_timer_id(const struct ssm_timer *t)
{
	return t->id;
}

void *ssm_timer_info(const struct ssm_timer *t)
{
	return t->info;
}

struct sas *ssm_timer_sas(const struct ssm_timer *t)
{
	return t->sas;
}

bool ssm_timer_active(const struct ssm_timer *t)
{
	return t->active;
}

int64_t ssm_timer_remaining(const struct ssm_timer *t)
{
	return (int64_t)t->t.due - (int64_t)ssm_now(t->sas->app->m);
}

uint64_t ssm_timer_scheduled(const struct ssm_timer *t)
{
	return t->scheduled;
}

int sas_timers(struct sas *sas, struct ssm_timer **out, size_t max,
	       size_t *np)
{
	size_t n = 0;

	SAS_CHECK(sas);
	if (!np)
		return SSM_NPE;
	LIST_FOREACH(&sas->timers, e) {
		if (n < max)
			out[n] = container_of(e, struct ssm_timer, le);
		n++;
	}
	*np = n;
	return SSM_OK;
}

int sas_get_timer(struct sas *sas, const char *id, struct ssm_timer **tp)
{
	SAS_CHECK(sas);
	if (!id || !tp)
		return SSM_NPE;
	*tp = NULL;
	LIST_FOREACH(&sas->timers, e) {
		struct ssm_timer *t = container_of(e, struct ssm_timer, le);

		if (!strcmp(t->id, id))
			*tp = t;
	}
	return SSM_OK;
}

/* ----- encodeURL / encodeURI (HTTP-02, KEY-05) ----- */

static int put(char *buf, size_t sz, const char *a, size_t alen,
	       const char *mid1, const char *mid2, const char *b)
{
	int n = snprintf(buf, sz, "%.*s%s%s%s", (int)alen, a, mid1, mid2, b);

	return (n < 0 || (size_t)n >= sz) ? SSM_IAE : SSM_OK;
}

int sas_encode_url(struct sas *sas, const char *url, char *buf, size_t sz)
{
	size_t cut;
	const char *sep;

	SAS_CHECK(sas);
	if (!url || !buf)
		return SSM_NPE;
	cut = strcspn(url, "#");
	sep = memchr(url, '?', cut) ? "&" : "?";
	{
		char mid[160];

		snprintf(mid, sizeof(mid), "%s%s=%s", sep, SSM_SAS_PARAM,
			 sas->id);
		return put(buf, sz, url, cut, mid, "", url + cut);
	}
}

int sas_encode_uri(struct sas *sas, const char *uri, char *buf, size_t sz)
{
	size_t cut;
	char mid[160];

	SAS_CHECK(sas);
	if (!uri || !buf)
		return SSM_NPE;
	if (strncasecmp(uri, "sip:", 4) && strncasecmp(uri, "sips:", 5))
		return SSM_IAE;
	cut = strcspn(uri, "?>");
	snprintf(mid, sizeof(mid), ";%s=%s", SSM_SAS_PARAM, sas->id);
	return put(buf, sz, uri, cut, mid, "", uri + cut);
}

struct sas *ssm_sas_from_encoded(struct ssm *m, const char *s)
{
	const size_t plen = strlen(SSM_SAS_PARAM);
	char id[160];

	if (!m || !s)
		return NULL;
	for (const char *p = s; (p = strstr(p, SSM_SAS_PARAM)); p += plen) {
		size_t n;
		struct sas *sas;

		if (p == s || !strchr("?&;", p[-1]) || p[plen] != '=')
			continue;
		n = strcspn(p + plen + 1, "&;?#> ");
		if (n >= sizeof(id))
			return NULL;
		memcpy(id, p + plen + 1, n);
		id[n] = '\0';
		sas = find_sas(m, id);
		return (sas && sas->valid) ? sas : NULL;
	}
	return NULL;
}

/* ----- HTTP sessions (HTTP-*) ----- */

static void hs_destroy(void *data)
{
	struct hs *hs = data;

	free(hs->sases);
	mem_deref(hs->attrs);
}

static void hs_expire(struct tmr *t)
{
	hs__invalidate(container_of(t, struct hs, exp));
}

int hs_create(struct ssm *m, int max_inactive_s, struct hs **hsp)
{
	struct hs *hs;

	if (!m || !hsp)
		return SSM_NPE;
	hs = mem_zalloc(sizeof(*hs), hs_destroy);
	if (!hs)
		return SSM_NOMEM;
	hs->attrs = ssm__attrs_alloc();
	if (!hs->attrs) {
		mem_deref(hs);
		return SSM_NOMEM;
	}
	hs->m = m;
	hs->valid = true;
	hs->max_inactive_s = max_inactive_s;
	hs->created = hs->accessed = ssm_now(m);
	ssm__gen_token(m, "hs-", hs->id, sizeof(hs->id));
	ssm__tmr_init(&hs->exp, hs_expire);
	if (ssm__htab_insert(&m->hs_by_id, &hs->hid, id_hash(hs->id)) ||
	    (max_inactive_s > 0 &&
	     ssm__tmr_start(m, &hs->exp,
			    hs->accessed + (uint64_t)max_inactive_s * 1000))) {
		ssm__htab_remove(&m->hs_by_id, &hs->hid);
		mem_deref(hs);
		return SSM_NOMEM;
	}
	ssm__emit(m, SSM_EV_HS_CREATED, NULL, NULL, NULL, hs, NULL, NULL);
	*hsp = hs;
	return SSM_OK;
}

struct hs *ssm_find_hs(struct ssm *m, const char *id)
{
	uint32_t h;

	if (!m || !id)
		return NULL;
	h = id_hash(id);
	HTAB_FOREACH_HASH(&m->hs_by_id, h, e) {
		struct hs *hs = container_of(e, struct hs, hid);

		if (!strcmp(hs->id, id))
			return hs;
	}
	return NULL;
}

const char *hs_id(const struct hs *hs)
{
	return hs ? hs->id : NULL;
}

bool hs_is_valid(const struct hs *hs)
{
	return hs && hs->valid;
}

void sas__add_hs(struct sas *sas, struct hs *hs)
{
	for (size_t i = 0; i < sas->nhss; i++)
		if (sas->hss[i] == hs)
			return;
	if (sas->nhss == sas->hssz) {
		size_t n = sas->hssz ? sas->hssz * 2 : 2;
		struct hs **a = realloc(sas->hss, n * sizeof(*a));

		if (!a)
			return;
		sas->hss = a;
		sas->hssz = n;
	}
	if (hs->nsas == hs->sassz) {
		size_t n = hs->sassz ? hs->sassz * 2 : 2;
		struct sas **a = realloc(hs->sases, n * sizeof(*a));

		if (!a)
			return;
		hs->sases = a;
		hs->sassz = n;
	}
	sas->hss[sas->nhss++] = mem_ref(hs);
	hs->sases[hs->nsas++] = sas;
	ssm__emit(sas->app->m, SSM_EV_HS_ATTACH, sas, NULL, NULL, hs, NULL,
		  NULL);
	ssm__dirty_sas(sas);
}

void sas__drop_hs(struct sas *sas, struct hs *hs)
{
	for (size_t i = 0; i < hs->nsas; i++) {
		if (hs->sases[i] == sas) {
			memmove(&hs->sases[i], &hs->sases[i + 1],
				(hs->nsas - i - 1) * sizeof(hs->sases[0]));
			hs->nsas--;
			break;
		}
	}
	for (size_t i = 0; i < sas->nhss; i++) {
		if (sas->hss[i] == hs) {
			memmove(&sas->hss[i], &sas->hss[i + 1],
				(sas->nhss - i - 1) * sizeof(sas->hss[0]));
			sas->nhss--;
			mem_deref(hs);
			return;
		}
	}
}

#define HS_CHECK(hs)                            \
	do {                                    \
		if (!(hs))                      \
			return SSM_NPE;         \
		if (!(hs)->valid)               \
			return SSM_ISE;         \
	} while (0)

/** HTTP-01: the parent SAS of this application, created if none. */
int hs_app_session(struct hs *hs, struct ssm_app *app, struct sas **sasp)
{
	int err;

	HS_CHECK(hs);
	if (!app || !sasp)
		return SSM_NPE;
	for (size_t i = 0; i < hs->nsas; i++) {
		if (hs->sases[i]->valid && hs->sases[i]->app == app) {
			*sasp = hs->sases[i];
			return SSM_OK;
		}
	}
	err = sas__alloc(app, NULL, sasp);
	if (err)
		return err;
	sas__add_hs(*sasp, hs);
	return SSM_OK;
}

int hs_create_app_session(struct hs *hs, struct ssm_app *app,
			  struct sas **sasp)
{
	return hs_app_session(hs, app, sasp);       /* HTTP-05 */
}

int hs_join(struct hs *hs, struct sas *sas)
{
	HS_CHECK(hs);
	SAS_CHECK(sas);
	sas__add_hs(sas, hs);
	return SSM_OK;
}

/** HTTP-06: HTTP traffic extends the HTTP session, not the SAS. */
int hs_access(struct hs *hs)
{
	HS_CHECK(hs);
	hs->accessed = ssm_now(hs->m);
	if (hs->max_inactive_s > 0)
		return ssm__tmr_start(hs->m, &hs->exp,
				      hs->accessed +
				      (uint64_t)hs->max_inactive_s * 1000);
	return SSM_OK;
}

void hs__invalidate(struct hs *hs)
{
	struct ssm *m = hs->m;

	if (!hs->valid)
		return;
	mem_ref(hs);
	ssm__emit(m, SSM_EV_HS_DESTROYED, hs->nsas ? hs->sases[0] : NULL,
		  NULL, NULL, hs, NULL, NULL);
	ssm__attrs_clear(NULL, SSM_KIND_HS, hs, hs->attrs);
	hs->valid = false;
	ssm__tmr_stop(m, &hs->exp);
	ssm__htab_remove(&m->hs_by_id, &hs->hid);
	for (size_t i = 0; i < hs->nsas; i++)
		ssm__dirty_sas(hs->sases[i]);
	mem_deref(hs);              /* the registry's reference */
	mem_deref(hs);
}

int hs_invalidate(struct hs *hs)
{
	HS_CHECK(hs);
	hs__invalidate(hs);
	ssm_settle(hs->m);
	return SSM_OK;
}

int hs_set_attr(struct hs *hs, const char *name, void *value,
		const struct ssm_binding *b)
{
	HS_CHECK(hs);
	if (!name || !value)
		return SSM_NPE;
	return ssm__attrs_set(NULL, SSM_KIND_HS, hs, hs->attrs, name, value, b);
}

int hs_get_attr(struct hs *hs, const char *name, void **valuep)
{
	struct attr *x;

	HS_CHECK(hs);
	if (!name || !valuep)
		return SSM_NPE;
	x = ssm__attrs_find(hs->attrs, name);
	*valuep = x ? x->value : NULL;
	return SSM_OK;
}

int hs_encode_url(struct hs *hs, const char *url, char *buf, size_t sz)
{
	size_t cut;

	HS_CHECK(hs);
	if (!url || !buf)
		return SSM_NPE;
	cut = strcspn(url, "?#");
	return put(buf, sz, url, cut, ";jsessionid=", hs->id, url + cut);
}

int hs_encode_url_rel(struct hs *hs, const char *path, const char *scheme,
		      const char *hostport, const char *ctx, char *buf,
		      size_t sz)
{
	char base[512];
	int n;

	HS_CHECK(hs);
	if (!path || !scheme || !hostport || !buf)
		return SSM_NPE;
	n = snprintf(base, sizeof(base), "%s://%s%s%s", scheme, hostport,
		     ctx ? ctx : "", path);
	if (n < 0 || (size_t)n >= sizeof(base))
		return SSM_IAE;
	return hs_encode_url(hs, base, buf, sz);
}
