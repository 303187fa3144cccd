/**
 * @file model/session/hs.c  HTTP sessions and encodeURL (HTTP-*, KEY-05)
 *
 * An HttpSession joins application sessions (HTTP-*); an application
 * session owns a reference to each it has joined (sas->hss).  encodeURL
 * and encodeURI put an application session's key into a URL or URI, and
 * ssm_sas_from_encoded reads it back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "ssm_int.h"

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
		sas = sas__find(m, id);
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
	if (htab_insert(&m->hs_by_id, &hs->hid, ssm__id_hash(hs->id)) ||
	    (max_inactive_s > 0 &&
	     ssm__tmr_start(m, &hs->exp,
			    hs->accessed + (uint64_t)max_inactive_s * 1000))) {
		htab_remove(&m->hs_by_id, &hs->hid);
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
	h = ssm__id_hash(id);
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

/** HttpSession.setMaxInactiveInterval: @s seconds from now (this
 * request is an access), 0 or less never (HTTP-06). */
int hs_set_max_inactive(struct hs *hs, int s)
{
	HS_CHECK(hs);
	hs->max_inactive_s = s;
	if (s <= 0) {
		ssm__tmr_stop(hs->m, &hs->exp);
		return SSM_OK;
	}
	return hs_access(hs);
}

int hs_max_inactive(const struct hs *hs)
{
	return hs ? hs->max_inactive_s : 0;
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
	htab_remove(&m->hs_by_id, &hs->hid);
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
