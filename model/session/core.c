/**
 * @file model/session/core.c  The model: options, applications, dispatch
 *
 * Owns the registries (sessions by id, by dialog and by Call-ID + From tag;
 * application sessions by id and key; HTTP sessions by id), the clock, the
 * timer heap, and the readiness step that runs after every dispatch
 * (INVAL-13, INVAL-14).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "ssm_int.h"

/* ----- names ----- */

static const char *const err_text[] = {
#define XX(name, text) text,
	SSM_ERR_MAP(XX)
#undef XX
};

static const char *const err_name[] = {
#define XX(name, text) #name,
	SSM_ERR_MAP(XX)
#undef XX
};

static const char *const ev_name[] = {
#define XX(name, text) text,
	SSM_EV_MAP(XX)
#undef XX
};

const char *ssm_strerror(int err)
{
	if (err < 0 || err >= SSM_ERR_MAX)
		return "unknown error";
	return err_text[err];
}

const char *ssm_errname(int err)
{
	if (err < 0 || err >= SSM_ERR_MAX)
		return "?";
	return err_name[err];
}

const char *ssm_ev_name(enum ssm_ev_type t)
{
	return (unsigned)t < SSM_EV_MAX ? ev_name[t] : "?";
}

const char *ss_state_name(enum ss_state s)
{
	switch (s) {
	case SS_INITIAL:    return "INITIAL";
	case SS_EARLY:      return "EARLY";
	case SS_CONFIRMED:  return "CONFIRMED";
	case SS_TERMINATED: return "TERMINATED";
	}
	return "?";
}

const char *ss_role_name(enum ss_role r)
{
	switch (r) {
	case SS_ROLE_UNDEF: return "UNDEF";
	case SS_ROLE_UAC:   return "UAC";
	case SS_ROLE_UAS:   return "UAS";
	case SS_ROLE_PROXY: return "PROXY";
	}
	return "?";
}

void ssm_opts_default(struct ssm_opts *o)
{
	memset(o, 0, sizeof(*o));
#define XX(id, field, def, on, off) o->field = def;
	SSM_CF_MAP(XX)
#undef XX
}

/* ----- methods and tokens ----- */

enum meth ssm__meth(const char *s)
{
	static const struct { const char *n; enum meth m; } tab[] = {
		{"INVITE", M_INVITE}, {"ACK", M_ACK}, {"BYE", M_BYE},
		{"CANCEL", M_CANCEL}, {"SUBSCRIBE", M_SUBSCRIBE},
		{"NOTIFY", M_NOTIFY}, {"REFER", M_REFER}, {"PRACK", M_PRACK},
		{"UPDATE", M_UPDATE}, {"INFO", M_INFO},
		{"MESSAGE", M_MESSAGE}, {"OPTIONS", M_OPTIONS},
		{"REGISTER", M_REGISTER}, {"PUBLISH", M_PUBLISH},
	};

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (!strcmp(tab[i].n, s))
			return tab[i].m;
	return M_OTHER;
}

/** RFC 3261 token: a method name must be one (SS-06). */
bool ssm__is_token(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9'))
			continue;
		if (!strchr("-.!%*_+`'~", *s))
			return false;
	}
	return true;
}

/* ----- clock, ids, events ----- */

static uint64_t real_clock(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int ssm_set_node(struct ssm *m, const char *node, uint64_t seed)
{
	size_t n = node ? strlen(node) : 0;

	if (!m || !node)
		return SSM_NPE;
	if (n > SSM_NODE_MAX)
		return SSM_IAE;
	for (size_t i = 0; i < n; i++)
		if (!((node[i] >= 'a' && node[i] <= 'z') ||
		      (node[i] >= '0' && node[i] <= '9')))
			return SSM_IAE;
	memcpy(m->node, node, n + 1);
	m->next_id = seed & 0x7fffffffu;
	m->rnd ^= seed | 1;
	return SSM_OK;
}

uint64_t ssm_now(const struct ssm *m)
{
	return m->clock(m->clock_arg);
}

/** A fresh token for Call-IDs and tags (unique in this model). */
void ssm__gen_token(struct ssm *m, const char *prefix, char *buf, size_t sz)
{
	/* xorshift64: unpredictable enough for test tags, cheap */
	m->rnd ^= m->rnd << 13;
	m->rnd ^= m->rnd >> 7;
	m->rnd ^= m->rnd << 17;
	snprintf(buf, sz, "%s%s%s%llx%06llx", prefix, m->node,
		 m->node[0] ? "-" : "", (unsigned long long)++m->next_id,
		 (unsigned long long)(m->rnd & 0xffffff));
}

void ssm__emit(struct ssm *m, enum ssm_ev_type type, struct sas *sas,
	       struct ss *ss, struct ss *peer, struct hs *hs,
	       struct ssm_timer *t, const struct ssm_msg *msg)
{
	struct ssm_event ev = {
		.type = type, .sas = sas, .ss = ss, .peer = peer, .hs = hs,
		.timer = t, .msg = msg,
	};

	if (!m->evh)
		return;
	ev.time_ms = ssm_now(m);
	m->evh(&ev, m->evarg);
}

void ssm_set_event_handler(struct ssm *m, ssm_event_h *h, void *arg)
{
	m->evh = h;
	m->evarg = arg;
}

/* ----- model ----- */

static void app_destroy(void *data)
{
	struct ssm_app *app = data;

	mem_deref(app->name);
	if (app->servlets) {
		for (char **s = app->servlets; *s; s++)
			mem_deref(*s);
		free(app->servlets);
	}
}

int ssm_alloc(struct ssm **mp, const struct ssm_opts *opts,
	      ssm_clock_h *clock, void *clock_arg)
{
	struct ssm *m;

	if (!mp)
		return SSM_NPE;
	m = calloc(1, sizeof(*m));
	if (!m)
		return SSM_NOMEM;
	if (opts)
		m->opts = *opts;
	else
		ssm_opts_default(&m->opts);
	m->clock = clock ? clock : real_clock;
	m->clock_arg = clock_arg;
	m->rnd = 0x9e3779b97f4a7c15ull ^ (uint64_t)(uintptr_t)m;
	*mp = m;
	return SSM_OK;
}

const struct ssm_opts *ssm_opts(const struct ssm *m)
{
	return &m->opts;
}

size_t ssm_count_ss(const struct ssm *m)
{
	return m->nss;
}

size_t ssm_count_sas(const struct ssm *m)
{
	return m->nsas;
}

size_t ssm_list_sas(struct ssm *m, struct sas **out, size_t max)
{
	size_t n = 0;

	if (!m)
		return 0;
	for (size_t i = 0; i < m->sas_by_id.nb; i++)
		for (struct hent *e = m->sas_by_id.b[i]; e; e = e->next) {
			if (out && n < max)
				out[n] = container_of(e, struct sas, hid);
			n++;
		}
	return n;
}

void ssm_shutdown(struct ssm *m)
{
	if (!m)
		return;

	/* Invalidate what is left; the registries drop their references. */
	while (m->sas_by_id.n) {
		for (size_t i = 0; i < m->sas_by_id.nb; i++) {
			struct hent *e = m->sas_by_id.b[i];

			if (e) {
				sas__invalidate(container_of(e, struct sas,
							     hid));
				break;
			}
		}
	}
	while (m->hs_by_id.n) {
		for (size_t i = 0; i < m->hs_by_id.nb; i++) {
			struct hent *e = m->hs_by_id.b[i];

			if (e) {
				hs__invalidate(container_of(e, struct hs,
							    hid));
				break;
			}
		}
	}
	ssm_settle(m);

	LIST_FOREACH(&m->apps, e) {
		ssm__list_unlink(&m->apps, e);
		mem_deref(container_of(e, struct ssm_app, le));
	}
	htab_free(&m->ss_by_id);
	htab_free(&m->ss_by_dialog);
	htab_free(&m->ss_by_family);
	htab_free(&m->sas_by_id);
	htab_free(&m->hs_by_id);
	heap_free(&m->timers);
	free(m);
}

/* ----- applications ----- */

int ssm_app_add(struct ssm *m, const char *name, enum ssm_version v,
		int timeout_min, const struct ssm_listeners *l,
		const char *const *servlets, struct ssm_app **appp)
{
	struct ssm_app *app;
	size_t n = 0;

	if (!m || !name)
		return SSM_NPE;
	if (ssm_app_find(m, name))
		return SSM_IAE;

	app = mem_zalloc(sizeof(*app), app_destroy);
	if (!app)
		return SSM_NOMEM;
	app->m = m;
	app->name = mem_strdup(name);
	app->version = v;
	app->timeout_min = timeout_min;
	if (l)
		app->l = *l;
	if (servlets) {
		while (servlets[n])
			n++;
		app->servlets = calloc(n + 1, sizeof(char *));
		for (size_t i = 0; app->servlets && i < n; i++)
			app->servlets[i] = mem_strdup(servlets[i]);
	}
	if (!app->name || (servlets && !app->servlets)) {
		mem_deref(app);
		return SSM_NOMEM;
	}
	ssm__list_append(&m->apps, &app->le);
	if (appp)
		*appp = app;
	return SSM_OK;
}

struct ssm_app *ssm_app_find(struct ssm *m, const char *name)
{
	if (!name)
		return NULL;
	LIST_FOREACH(&m->apps, e) {
		struct ssm_app *app = container_of(e, struct ssm_app, le);

		if (!strcmp(app->name, name))
			return app;
	}
	return NULL;
}

const char *ssm_app_name(const struct ssm_app *app)
{
	return app->name;
}

/** KEY-01: one key method per application. */
int ssm_app_set_key_method(struct ssm_app *app, ssm_key_h *h, void *arg)
{
	if (!app || !h)
		return SSM_NPE;
	if (app->keyh)
		return SSM_IAE;
	app->keyh = h;
	app->keyarg = arg;
	return SSM_OK;
}

/**
 * KEY-02/KEY-03: the key method runs for initial requests only, with the
 * request read-only; same key in the same application gives the same SAS,
 * no key gives a fresh one.
 */
int ssm_sas_for_initial(struct ssm_app *app, const struct ssm_msg *req,
			struct sas **sasp)
{
	char key[256];

	if (!app || !req || !sasp)
		return SSM_NPE;
	if (app->keyh && app->keyh(req, key, sizeof(key), app->keyarg))
		return sas_by_key(app, key, true, sasp);
	return sas_create(app, sasp);
}

/* ----- dialog matching ----- */

static uint32_t dlg_hash(const char *cid, const char *a, const char *b)
{
	return htab_hash_str(htab_hash_str(htab_hash_str(HTAB_SEED, cid), a),
			     b);
}

static bool eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b || (!a && b && !*b) || (!b && a && !*a);
	return !strcmp(a, b);
}

static struct ss *find_dialog(struct ssm *m, const char *cid,
			      const char *ftag, const char *ttag)
{
	uint32_t h = dlg_hash(cid, ftag, ttag);

	HTAB_FOREACH_HASH(&m->ss_by_dialog, h, e) {
		struct ss *ss = container_of(e, struct ss, hdlg);

		if (eq(ss->call_id, cid) && eq(ss->ftag, ftag) &&
		    eq(ss->ttag, ttag))
			return ss;
	}
	return NULL;
}

static struct ss *find_family(struct ssm *m, const char *cid,
			      const char *ftag)
{
	uint32_t h = dlg_hash(cid, ftag, NULL);

	HTAB_FOREACH_HASH(&m->ss_by_family, h, e) {
		struct ss *ss = container_of(e, struct ss, hfam);

		if (eq(ss->call_id, cid) && eq(ss->ftag, ftag))
			return ss;
	}
	return NULL;
}

/** Register (or re-register after a tag change) a session's dialog key. */
int ss__index_dialog(struct ss *ss)
{
	struct ssm *m = ss->sas->app->m;

	htab_remove(&m->ss_by_dialog, &ss->hdlg);
	return htab_insert(&m->ss_by_dialog, &ss->hdlg,
				dlg_hash(ss->call_id, ss->ftag, ss->ttag));
}

int ss__index_family(struct ss *ss)
{
	struct ssm *m = ss->sas->app->m;

	return htab_insert(&m->ss_by_family, &ss->hfam,
				dlg_hash(ss->call_id, ss->ftag, NULL));
}

/**
 * @ss, which the family index named, has left it: name a valid member
 * of its family instead, while there is one.  An original invalidated
 * before its derived sessions (its early dialog ended with the first 2xx,
 * RFC 3261 13.2.2.4) so leaves a further 2xx of the fork something to
 * match (B2B-08).  Out of memory, the family goes unnamed.
 */
void ss__family_hand_on(struct ss *ss)
{
	struct ss *orig = ss->orig ? ss->orig : ss;

	LIST_FOREACH(&orig->derived, e) {
		struct ss *d = container_of(e, struct ss, famle);

		if (d != ss && d->valid) {
			(void)ss__index_family(d);
			return;
		}
	}
}

struct ss *ssm_match(struct ssm *m, const struct ssm_msg *msg)
{
	enum meth meth;
	struct ss *ss;

	if (!m || !msg || !msg->call_id || !msg->method)
		return NULL;
	meth = ssm__meth(msg->method);

	if (msg->to_tag && *msg->to_tag) {
		ss = find_dialog(m, msg->call_id, msg->from_tag, msg->to_tag);
		if (!ss)
			ss = find_dialog(m, msg->call_id, msg->to_tag,
					 msg->from_tag);
		if (ss)
			return ss;
		/* A response that opens another dialog (forking), or a
		 * NOTIFY that arrives before the 2xx of its SUBSCRIBE. */
		if (msg->status)
			return find_family(m, msg->call_id, msg->from_tag);
		if (meth == M_NOTIFY)
			return find_family(m, msg->call_id, msg->to_tag);
		return NULL;
	}

	/* No To tag: a response without one, or the CANCEL and ACK of the
	 * initial transaction.  Any other request is initial (SS-STATE-51). */
	if (msg->status || meth == M_CANCEL || meth == M_ACK)
		return find_family(m, msg->call_id, msg->from_tag);
	return NULL;
}

/* ----- readiness step ----- */

void ssm__dirty_ss(struct ss *ss)
{
	struct ssm *m = ss->sas->app->m;

	if (!ss->dirty && ss->valid) {
		ss->dirty = true;
		ssm__list_append(&m->dirty_ss, &ss->dirtyle);
		mem_ref(ss);
	}
	ssm__dirty_sas(ss->sas);
}

void ssm__dirty_sas(struct sas *sas)
{
	struct ssm *m = sas->app->m;

	if (sas->dirty || !sas->valid)
		return;
	sas->dirty = true;
	ssm__list_append(&m->dirty_sas, &sas->dirtyle);
	mem_ref(sas);
}

static void settle_ss(struct ss *ss)
{
	struct ssm_app *app = ss->sas->app;

	if (!ss->valid)
		return;
	if (!ss__ready(ss)) {
		ss->ready_seen = false;
		return;
	}
	if (ss->ready_seen)
		return;
	ss->ready_seen = true;
	ssm__emit(app->m, SSM_EV_SS_READY, ss->sas, ss, NULL, NULL, NULL,
		  NULL);
	if (!ss->iwr)
		return;      /* the container does not watch it (INVAL-13) */
	if (app->l.ss_ready)
		app->l.ss_ready(ss, app->l.arg);
	if (ss->valid && ss->iwr && ss__ready(ss))
		ss__invalidate(ss);
}

static void settle_sas(struct sas *sas)
{
	struct ssm_app *app = sas->app;

	if (!sas->valid)
		return;
	if (!sas__ready(sas)) {
		sas->ready_seen = false;
		return;
	}
	if (sas->ready_seen)
		return;
	sas->ready_seen = true;
	ssm__emit(app->m, SSM_EV_SAS_READY, sas, NULL, NULL, NULL, NULL,
		  NULL);
	if (!sas->iwr)
		return;
	if (app->l.sas_ready)
		app->l.sas_ready(sas, app->l.arg);
	if (sas->valid && sas->iwr && sas__ready(sas))
		sas__invalidate(sas);
}

/**
 * INVAL-13/14: SipSessions first (each one's invalidation puts its SAS
 * back on the queue), then application sessions.
 */
void ssm_settle(struct ssm *m)
{
	if (m->settling)
		return;
	m->settling = true;
	for (;;) {
		if (m->dirty_ss.head) {
			struct le *e = m->dirty_ss.head;
			struct ss *ss = container_of(e, struct ss, dirtyle);

			ssm__list_unlink(&m->dirty_ss, e);
			ss->dirty = false;
			settle_ss(ss);
			mem_deref(ss);
			continue;
		}
		if (m->dirty_sas.head) {
			struct le *e = m->dirty_sas.head;
			struct sas *sas = container_of(e, struct sas,
						       dirtyle);

			ssm__list_unlink(&m->dirty_sas, e);
			sas->dirty = false;
			settle_sas(sas);
			mem_deref(sas);
			continue;
		}
		break;
	}
	m->settling = false;
}

int ssm_dispatch(struct ss *ss, const struct ssm_msg *msg,
		 ssm_servlet_h *h, void *arg)
{
	struct ss *target = NULL;
	struct ssm *m;
	int err;

	if (!ss)
		return SSM_NPE;
	m = ss->sas->app->m;
	err = ss_on_message(ss, msg, &target);
	if (err)
		return err;
	mem_ref(target);
	if (h)
		h(target, msg, arg);
	mem_deref(target);
	ssm_settle(m);
	return SSM_OK;
}

/* ----- proxy helpers ----- */

void ssm_proxy_defaults(const struct ssm *m, struct ssm_proxy_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->recurse = true;
	cfg->parallel = true;
	cfg->stateful = true;
	cfg->supervised = m->opts.cf09_supervised_default != 0;
	cfg->proxy_timeout_s = 180;
}

static bool preferred_4xx(int c)
{
	return c == 401 || c == 407 || c == 415 || c == 420 || c == 484;
}

/**
 * PROXY-10 / CF-16.  Default: a 6xx wins, otherwise the lowest code.
 * RFC 3261 16.7 mode: a 6xx wins, otherwise the lowest class, within 4xx
 * the preferred codes first, and a chosen 503 becomes 500.
 */
int ssm_best_response(const struct ssm *m, const int *codes, size_t n)
{
	int best = 0, six = 0;

	for (size_t i = 0; i < n; i++) {
		if (codes[i] >= 600 && (!six || codes[i] < six))
			six = codes[i];
		if (!best || codes[i] < best)
			best = codes[i];
	}
	if (six)
		return six;
	if (!m->opts.cf16_rfc3261_best_response || !best)
		return best;

	if (best / 100 == 4) {
		int pref = 0;

		for (size_t i = 0; i < n; i++)
			if (codes[i] / 100 == 4 && preferred_4xx(codes[i]) &&
			    (!pref || codes[i] < pref))
				pref = codes[i];
		if (pref)
			best = pref;
	}
	return best == 503 ? 500 : best;
}

bool ssm_cancels_branches(const struct ssm *m, int status, bool no_cancel)
{
	if (status >= 200 && status < 300)
		return !no_cancel;
	if (status >= 600)
		return !m->opts.cf17_6xx_no_cancel;
	return false;
}

/**
 * CF-18.  Default (PROXY-10, MSS): a branch that times out ends with a
 * synthesized 408 at once.  Set (RFC 3261 16.8, Cipango's
 * Branch.timeoutBranchTimeout): one that has had a provisional response is
 * CANCELled and its final response (the 487) is what it answered.
 */
bool ssm_timeout_waits_final(const struct ssm *m, bool provisional)
{
	return provisional && m->opts.cf18_timeout_cancels;
}

/* ----- Join / Replaces (KEY-06) ----- */

enum ssm_join ssm_join_match(struct ssm *m, const char *method,
			     bool has_join, bool has_replaces,
			     const char *call_id, const char *tag1,
			     const char *tag2, struct ss **ssp)
{
	struct ss *ss;

	if (ssp)
		*ssp = NULL;
	if (!has_join && !has_replaces)
		return SSM_JOIN_NONE;
	if ((has_join && has_replaces) || !method ||
	    strcasecmp(method, "INVITE") || !call_id)
		return SSM_JOIN_BAD;

	ss = find_dialog(m, call_id, tag1, tag2);
	if (!ss)
		ss = find_dialog(m, call_id, tag2, tag1);
	if (!ss)
		return SSM_JOIN_NONE;
	if (ss->init_meth != M_INVITE)
		return SSM_JOIN_NOT_INVITE;
	if (ss->state == SS_TERMINATED)
		return SSM_JOIN_TERMINATED;
	if (ssp)
		*ssp = ss;
	return SSM_JOIN_MATCH;
}
