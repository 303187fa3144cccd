/**
 * @file model/session/dist.c  Distributed sessions: save, restore, evict
 *
 * An application session of a distributable application, with its
 * SipSessions, their attributes, and the SAS's timers and expiry, written
 * as one JSON text and rebuilt in another model (another node) with the
 * same ids, so that the dialog goes on there (conformance/distributed.md,
 * DIST-06 to DIST-10).  The model does no I/O: the container moves the
 * text (to a store, to another node).  Attribute values are the
 * application's, so its codec (struct ssm_codec) writes and reads them and
 * hears the activation events (DIST-12).
 *
 * Kept: every field that makes a session what it is, as the state machine
 * of ss.c reads it.  Left out: the pending transactions (tx[]) and the
 * terminating NOTIFYs awaiting their final response (pnotify), which are
 * transactions too (DIST-10), the readiness queue, and HTTP sessions.
 */
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "ssm_int.h"

#define DIST_VERSION 1

/* ----- the codec and setAttribute (DIST-04, CF-22) ----- */

int ssm_app_set_distributable(struct ssm_app *app, const struct ssm_codec *c)
{
	if (!app || !c || !c->encode || !c->decode)
		return SSM_NPE;
	app->codec = *c;
	app->distributable = true;
	return SSM_OK;
}

bool ssm_app_distributable(const struct ssm_app *app)
{
	return app && app->distributable;
}

static bool can_move(const struct ssm_app *app, enum ssm_kind kind,
		     const char *name, const void *value)
{
	const struct ssm_codec *c = &app->codec;

	return !c->serializable || c->serializable(kind, name, value, c->arg);
}

/** SSM_IAE for a value a distributable app cannot move, unless CF-22. */
int ssm__dist_check(struct ssm_app *app, enum ssm_kind kind,
		    const char *name, const void *value)
{
	if (!app->distributable || app->m->opts.cf22_keep_unserializable ||
	    can_move(app, kind, name, value))
		return SSM_OK;
	return SSM_IAE;
}

/* ----- activation events (DIST-12, DIST-15, CF-21) ----- */

static void notify_attrs(struct ssm_app *app, enum ssm_kind kind,
			 void *owner, const struct attrs *a, bool activate)
{
	const struct ssm_codec *c = &app->codec;
	void (*h)(enum ssm_kind, void *, const char *, void *, void *) =
		activate ? c->did_activate : c->will_passivate;

	if (!h)
		return;
	for (const struct attr *x = a->head; x; x = x->next)
		h(kind, owner, x->name, x->value, c->arg);
}

/** A derived session that shares its original's map (CF-06) is told
 * through the original only. */
static bool shares_map(const struct ss *ss)
{
	return ss->orig && ss->orig->attrs == ss->attrs;
}

static void notify_sas(struct sas *sas, bool activate)
{
	ssm__emit(sas->app->m, activate ? SSM_EV_SAS_ACTIVATE :
		  SSM_EV_SAS_PASSIVATE, sas, NULL, NULL, NULL, NULL, NULL);
	notify_attrs(sas->app, SSM_KIND_SAS, sas, sas->attrs, activate);
}

/**
 * will-passivate (@activate false): SipSessions first, then the SAS, as
 * invalidation goes; did-activate: the SAS first, then its SipSessions.
 */
static void notify(struct sas *sas, bool activate)
{
	struct ssm_app *app = sas->app;

	if (activate)
		notify_sas(sas, true);
	LIST_FOREACH(&sas->sips, e) {
		struct ss *ss = container_of(e, struct ss, sasle);

		ssm__emit(app->m, activate ? SSM_EV_SS_ACTIVATE :
			  SSM_EV_SS_PASSIVATE, sas, ss, NULL, NULL, NULL,
			  NULL);
		if (!shares_map(ss))
			notify_attrs(app, SSM_KIND_SS, ss, ss->attrs,
				     activate);
	}
	if (!activate)
		notify_sas(sas, false);
}

/* ----- eviction ----- */

static void drop_ss(struct ss *ss)
{
	struct ssm *m = ss->sas->app->m;

	if (ss->dirty) {
		ssm__list_unlink(&m->dirty_ss, &ss->dirtyle);
		ss->dirty = false;
		mem_deref(ss);          /* the queue's reference */
	}
	ss->valid = false;
	if (ss->linked) {
		ss->linked->linked = NULL;
		ss->linked = NULL;
	}
	ss__unregister(ss);
	mem_deref(ss);                  /* the SAS's reference */
}

/** Take @sas out of its model; no listener, no unbinding. */
static void drop_sas(struct sas *sas)
{
	struct ssm *m = sas->app->m;

	mem_ref(sas);
	while (sas->sips.head)
		drop_ss(container_of(sas->sips.head, struct ss, sasle));
	while (sas->timers.head) {
		struct ssm_timer *t = container_of(sas->timers.head,
						   struct ssm_timer, le);

		t->active = false;
		ssm__tmr_stop(m, &t->t);
		ssm__list_unlink(&sas->timers, &t->le);
		mem_deref(t);
	}
	ssm__tmr_stop(m, &sas->exp);
	while (sas->nhss)
		sas__drop_hs(sas, sas->hss[sas->nhss - 1]);
	if (sas->dirty) {
		ssm__list_unlink(&m->dirty_sas, &sas->dirtyle);
		sas->dirty = false;
		mem_deref(sas);
	}
	sas->valid = false;
	htab_remove(&m->sas_by_id, &sas->hid);
	m->nsas--;
	mem_deref(sas);                 /* the registry's reference */
	mem_deref(sas);
}

int ssm_dist_evict(struct sas *sas)
{
	if (!sas)
		return SSM_NPE;
	if (!sas->valid || sas->invalidating)
		return SSM_ISE;
	drop_sas(sas);
	return SSM_OK;
}

uint64_t ssm_dist_next_due(const struct sas *sas)
{
	uint64_t due = 0;

	if (!sas || !sas->valid)
		return 0;
	if (heap_armed(&sas->exp.n))
		due = sas->exp.n.due;
	LIST_FOREACH(&sas->timers, e) {
		const struct ssm_timer *t = container_of(e, struct ssm_timer,
							 le);

		if (t->active && heap_armed(&t->t.n) &&
		    (!due || t->t.n.due < due))
			due = t->t.n.due;
	}
	return due;
}

/* ----- writing ----- */

/** A string or null (jansson takes a NULL string as an error). */
static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

/** [[name, text], ...] of the values that can move; *errp on failure. */
static json_t *save_attrs(struct ssm_app *app, enum ssm_kind kind,
			  const struct attrs *a, int *errp)
{
	const struct ssm_codec *c = &app->codec;
	json_t *arr = json_array();

	for (const struct attr *x = a->head; arr && x; x = x->next) {
		char *text = NULL;
		int err;

		if (!can_move(app, kind, x->name, x->value)) {
			if (app->m->opts.cf22_keep_unserializable)
				continue;       /* stays on this node */
			*errp = SSM_IAE;
			break;
		}
		err = c->encode(kind, x->name, x->value, &text, c->arg);
		if (err || !text) {
			free(text);
			*errp = err ? err : SSM_IAE;
			break;
		}
		if (json_array_append_new(arr, json_pack("[ss]", x->name,
							 text)))
			*errp = SSM_IAE;        /* not UTF-8, or no memory */
		free(text);
		if (*errp)
			break;
	}
	if (!arr)
		*errp = SSM_NOMEM;
	return arr;
}

static json_t *save_subs(const struct ss *ss)
{
	json_t *arr = json_array();

	for (const struct sub *s = ss->subs; arr && s; s = s->next)
		json_array_append_new(arr, json_string(s->key));
	return arr;
}

static json_t *save_ss(const struct ss *ss, int *errp)
{
	json_t *o = json_pack(
		"{ss so so si si si si ss ss so so so so so so so so"
		" sI sI sI sI}",
		"id", ss->id,
		"orig", ss->orig ? json_string(ss->orig->id) : json_null(),
		"linked", ss->linked ? json_string(ss->linked->id) :
				       json_null(),
		"role", (int)ss->role, "state", (int)ss->state,
		"kind", (int)ss->kind, "meth", (int)ss->init_meth,
		"call_id", ss->call_id, "ftag", ss->ftag,
		"ttag", jstr(ss->ttag),
		"local", jstr(ss->local_uri), "remote", jstr(ss->remote_uri),
		"region", jstr(ss->region),
		"subscriber", jstr(ss->subscriber),
		"handler", jstr(ss->handler), "outbound", jstr(ss->outbound),
		"pend_event", jstr(ss->pend_event),
		"created", (json_int_t)ss->created,
		"accessed", (json_int_t)ss->accessed,
		"local_cseq", (json_int_t)ss->local_cseq,
		"init_cseq", (json_int_t)ss->init_cseq);
	json_t *flags = json_pack(
		"{sb sb sb sb sb sb sb sb sb sb}",
		"iwr", ss->iwr, "ready_seen", ss->ready_seen,
		"fell_back", ss->fell_back, "last_auth", ss->last_auth,
		"invite_usage", ss->invite_usage, "rr", ss->rr,
		"family_done", ss->family_done,
		"received_initial", ss->received_initial, "used", ss->used,
		"b2b", ss->b2b);

	if (!o || !flags) {
		json_decref(o);
		json_decref(flags);
		*errp = SSM_NOMEM;
		return NULL;
	}
	json_object_set_new(o, "flags", flags);
	json_object_set_new(o, "subs", save_subs(ss));
	if (shares_map(ss))
		json_object_set_new(o, "attrs", json_string("shared"));
	else
		json_object_set_new(o, "attrs",
				    save_attrs(ss->sas->app, SSM_KIND_SS,
					       ss->attrs, errp));
	return o;
}

static json_t *save_timer(struct ssm_app *app, const struct ssm_timer *t,
			  int *errp)
{
	const struct ssm_codec *c = &app->codec;
	char *text = NULL;
	json_t *o;

	if (t->info) {
		int err;

		if (!can_move(app, SSM_KIND_SAS, NULL, t->info)) {
			*errp = SSM_IAE;        /* DIST-05 */
			return NULL;
		}
		err = c->encode(SSM_KIND_SAS, NULL, t->info, &text, c->arg);
		if (err || !text) {
			free(text);
			*errp = err ? err : SSM_IAE;
			return NULL;
		}
	}
	o = json_pack("{ss sI sI sb sI so}", "id", t->id,
		      "due", (json_int_t)t->t.n.due,
		      "period", (json_int_t)t->period,
		      "fixed_delay", t->fixed_delay,
		      "scheduled", (json_int_t)t->scheduled,
		      "info", jstr(text));
	free(text);
	if (!o)
		*errp = SSM_IAE;
	return o;
}

static json_t *save_sas(struct sas *sas, int *errp)
{
	struct ssm_app *app = sas->app;
	json_t *o, *sips = json_array(), *timers = json_array();

	o = json_pack("{si ss ss so sI sI sI sI sb sb sb}",
		      "v", DIST_VERSION, "app", app->name, "id", sas->id,
		      "key", jstr(sas->key),
		      "created", (json_int_t)sas->created,
		      "accessed", (json_int_t)sas->accessed,
		      "lifetime", (json_int_t)sas->lifetime_ms,
		      "expires_at", (json_int_t)sas->expires_at,
		      "iwr", sas->iwr, "ready_seen", sas->ready_seen,
		      "extended", sas->extended);
	if (!o || !sips || !timers) {
		*errp = SSM_NOMEM;
		goto out;
	}
	json_object_set_new(o, "attrs", save_attrs(app, SSM_KIND_SAS,
						   sas->attrs, errp));
	LIST_FOREACH(&sas->timers, e) {
		if (*errp)
			break;
		json_array_append_new(timers, save_timer(app,
			container_of(e, struct ssm_timer, le), errp));
	}
	LIST_FOREACH(&sas->sips, e) {
		if (*errp)
			break;
		json_array_append_new(sips, save_ss(container_of(e,
			struct ss, sasle), errp));
	}
out:
	json_object_set_new(o, "timers", timers);
	json_object_set_new(o, "ss", sips);
	return o;
}

int ssm_dist_save(struct sas *sas, enum ssm_dist_mode mode, char **outp)
{
	bool fire;
	json_t *o;
	int err = SSM_OK;

	if (!sas || !outp)
		return SSM_NPE;
	if (!sas->valid || sas->invalidating || !sas->app->distributable)
		return SSM_ISE;
	fire = mode == SSM_DIST_PASSIVATE ||
		 sas->app->m->opts.cf21_replica_notifies;
	mem_ref(sas);
	if (fire)
		notify(sas, false);             /* DIST-12, CF-21 */
	o = save_sas(sas, &err);
	*outp = NULL;
	if (!err && o)
		*outp = json_dumps(o, JSON_COMPACT);
	if (!err && !*outp)
		err = SSM_NOMEM;
	json_decref(o);
	if (fire && (err || mode == SSM_DIST_REPLICATE) && sas->valid)
		notify(sas, true);
	if (!err && mode == SSM_DIST_PASSIVATE && sas->valid)
		drop_sas(sas);
	mem_deref(sas);
	return err;
}

/* ----- reading ----- */

/** A string member; NULL when absent, null or not a string. */
static const char *str_of(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static uint64_t num_of(const json_t *o, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(o, key));

	return v > 0 ? (uint64_t)v : 0;
}

static bool flag_of(const json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

/** A string member that may be null: SSM_IAE when it is something else. */
static int opt_dup(const json_t *o, const char *key, char **dstp)
{
	const json_t *v = json_object_get(o, key);

	*dstp = NULL;
	if (!v || json_is_null(v))
		return SSM_OK;
	if (!json_is_string(v))
		return SSM_IAE;
	*dstp = mem_strdup(json_string_value(v));
	return *dstp ? SSM_OK : SSM_NOMEM;
}

/** Decode @arr's [[name, text], ...] into @a, in their order. */
static int load_attrs(struct ssm_app *app, enum ssm_kind kind,
		      struct attrs *a, const json_t *arr)
{
	const struct ssm_codec *c = &app->codec;
	struct attr **tail = &a->head;
	size_t i;
	json_t *v;

	if (!json_is_array(arr))
		return SSM_IAE;
	json_array_foreach(arr, i, v) {
		const char *name = json_string_value(json_array_get(v, 0));
		const char *text = json_string_value(json_array_get(v, 1));
		struct attr *x;
		int err;

		if (!name || !text || ssm__attrs_find(a, name))
			return SSM_IAE;
		x = calloc(1, sizeof(*x));
		if (!x)
			return SSM_NOMEM;
		x->name = mem_strdup(name);
		err = x->name ? c->decode(kind, name, text, &x->value, &x->b,
					  c->arg) : SSM_NOMEM;
		if (!err && !x->value)
			err = SSM_IAE;
		if (err) {
			mem_deref(x->name);
			free(x);
			return err;
		}
		*tail = x;
		tail = &x->next;
		a->n++;
	}
	return SSM_OK;
}

/** Hand the decoded values of a failed restore back to the codec. */
static void discard_attrs(struct ssm_app *app, enum ssm_kind kind,
			  struct attrs *a)
{
	const struct ssm_codec *c = &app->codec;

	for (struct attr *x = a->head; c->discard && x; x = x->next)
		c->discard(kind, x->name, x->value, c->arg);
}

static void discard_all(struct sas *sas)
{
	struct ssm_app *app = sas->app;

	discard_attrs(app, SSM_KIND_SAS, sas->attrs);
	LIST_FOREACH(&sas->sips, e) {
		struct ss *ss = container_of(e, struct ss, sasle);

		if (!shares_map(ss))
			discard_attrs(app, SSM_KIND_SS, ss->attrs);
	}
	/* the timers' infos go back as the timers go (timer_destroy) */
}

static struct ss *find_ss(struct ssm *m, const char *id)
{
	uint32_t h = htab_hash_str(HTAB_SEED, id);

	HTAB_FOREACH_HASH(&m->ss_by_id, h, e) {
		struct ss *ss = container_of(e, struct ss, hid);

		if (!strcmp(ss->id, id))
			return ss;
	}
	return NULL;
}

static int load_subs(struct ss *ss, const json_t *arr)
{
	size_t i;

	if (arr && !json_is_array(arr))
		return SSM_IAE;
	/* written newest first: added oldest first, they keep the order */
	for (i = json_array_size(arr); i-- > 0;) {
		const char *key = json_string_value(json_array_get(arr, i));
		int err = key ? ss__add_sub(ss, key) : SSM_IAE;

		if (err)
			return err;
	}
	return SSM_OK;
}

static void load_flags(struct ss *ss, const json_t *f)
{
	ss->iwr = flag_of(f, "iwr");
	ss->ready_seen = flag_of(f, "ready_seen");
	ss->fell_back = flag_of(f, "fell_back");
	ss->last_auth = flag_of(f, "last_auth");
	ss->invite_usage = flag_of(f, "invite_usage");
	ss->rr = flag_of(f, "rr");
	ss->family_done = flag_of(f, "family_done");
	ss->received_initial = flag_of(f, "received_initial");
	ss->used = flag_of(f, "used");
	ss->b2b = flag_of(f, "b2b");
}

/** The strings of a session: SSM_IAE for a wrong type, or SSM_NOMEM. */
static int load_strings(struct ss *ss, const json_t *o)
{
	static const struct {
		const char *key;
		size_t off;
	} tab[] = {
		{"ttag", offsetof(struct ss, ttag)},
		{"local", offsetof(struct ss, local_uri)},
		{"remote", offsetof(struct ss, remote_uri)},
		{"region", offsetof(struct ss, region)},
		{"subscriber", offsetof(struct ss, subscriber)},
		{"handler", offsetof(struct ss, handler)},
		{"outbound", offsetof(struct ss, outbound)},
		{"pend_event", offsetof(struct ss, pend_event)},
	};
	int err;

	ss->call_id = mem_strdup(str_of(o, "call_id"));
	ss->ftag = mem_strdup(str_of(o, "ftag"));
	if (!ss->call_id || !ss->ftag)
		return str_of(o, "call_id") && str_of(o, "ftag") ?
		       SSM_NOMEM : SSM_IAE;
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		err = opt_dup(o, tab[i].key,
			      (char **)(void *)((char *)ss + tab[i].off));
		if (err)
			return err;
	}
	return SSM_OK;
}

static int load_ss(struct sas *sas, const json_t *o)
{
	struct ssm *m = sas->app->m;
	const char *id = str_of(o, "id"), *oid = str_of(o, "orig");
	json_int_t role = json_integer_value(json_object_get(o, "role"));
	json_int_t state = json_integer_value(json_object_get(o, "state"));
	const json_t *attrs = json_object_get(o, "attrs");
	struct ss *orig = NULL, *ss;
	int err;

	if (!id || role < SS_ROLE_UAC || role > SS_ROLE_PROXY ||
	    state < SS_INITIAL || state > SS_TERMINATED)
		return SSM_IAE;
	if (find_ss(m, id))
		return SSM_ISE;
	if (oid) {
		orig = find_ss(m, oid);
		if (!orig || orig->sas != sas || orig->orig)
			return SSM_IAE;
	}
	ss = ss__restore(sas, (enum ss_role)role, id);
	if (!ss)
		return SSM_NOMEM;
	ss->state = (uint8_t)state;
	ss->kind = (uint8_t)num_of(o, "kind");
	ss->init_meth = (uint8_t)num_of(o, "meth");
	ss->created = num_of(o, "created");
	ss->accessed = num_of(o, "accessed");
	ss->local_cseq = (uint32_t)num_of(o, "local_cseq");
	ss->init_cseq = (uint32_t)num_of(o, "init_cseq");
	load_flags(ss, json_object_get(o, "flags"));
	if (orig)
		ss->orig = mem_ref(orig);
	err = load_strings(ss, o);
	if (!err)
		err = load_subs(ss, json_object_get(o, "subs"));
	if (!err && json_is_string(attrs)) {
		/* a map shared with the original (CF-06) */
		if (!orig || strcmp(json_string_value(attrs), "shared"))
			err = SSM_IAE;
		else
			ss->attrs = mem_ref(orig->attrs);
	}
	else if (!err) {
		ss->attrs = ssm__attrs_alloc();
		err = ss->attrs ? load_attrs(sas->app, SSM_KIND_SS, ss->attrs,
					     attrs) : SSM_NOMEM;
	}
	if (!err)
		err = ss__register(ss, orig);
	if (err) {
		if (ss->attrs && !shares_map(ss))
			discard_attrs(sas->app, SSM_KIND_SS, ss->attrs);
		mem_deref(ss);
	}
	return err;
}

static int load_timer(struct sas *sas, const json_t *o)
{
	const struct ssm_codec *c = &sas->app->codec;
	struct ssm *m = sas->app->m;
	const char *id = str_of(o, "id"), *info = str_of(o, "info");
	struct ssm_timer *t;
	int err = SSM_OK;

	if (!id || (!info && !json_is_null(json_object_get(o, "info"))))
		return SSM_IAE;
	t = ssm__timer_restore(sas, id);
	if (!t)
		return SSM_NOMEM;
	t->period = num_of(o, "period");
	t->fixed_delay = flag_of(o, "fixed_delay");
	t->scheduled = num_of(o, "scheduled");
	if (info) {
		struct ssm_binding unused = {0};

		err = c->decode(SSM_KIND_SAS, NULL, info, &t->info, &unused,
				c->arg);
		t->info_decoded = true;         /* discarded with the timer */
	}
	if (!err && ssm__tmr_start(m, &t->t, num_of(o, "due")))
		err = SSM_NOMEM;
	if (err) {
		mem_deref(t);
		return err;
	}
	t->active = true;
	ssm__list_append(&sas->timers, &t->le);      /* holds the reference */
	return SSM_OK;
}

/** B2BUA links (B2B-02) once every session of the SAS exists. */
static int load_links(struct sas *sas, const json_t *sips)
{
	size_t i;
	json_t *o;

	json_array_foreach(sips, i, o) {
		const char *peer = str_of(o, "linked");
		struct ss *a, *b;

		if (!peer)
			continue;
		a = find_ss(sas->app->m, str_of(o, "id"));
		b = find_ss(sas->app->m, peer);
		if (!a || !b || b->sas != sas || a == b)
			return SSM_IAE;
		a->linked = b;
		b->linked = a;
	}
	return SSM_OK;
}

static int load_sas(struct ssm *m, const json_t *o, struct sas **sasp)
{
	struct ssm_app *app = ssm_app_find(m, str_of(o, "app"));
	const char *id = str_of(o, "id");
	const json_t *sips = json_object_get(o, "ss");
	const json_t *timers = json_object_get(o, "timers");
	struct sas *sas, *found = NULL;
	size_t i;
	json_t *v;
	int err;

	if (json_integer_value(json_object_get(o, "v")) != DIST_VERSION ||
	    !app || !app->distributable || !id || !json_is_array(sips) ||
	    !json_is_array(timers))
		return SSM_IAE;
	if (ssm_app_find_sas(app, id, &found) == SSM_OK && found)
		return SSM_ISE;
	err = sas__restore(app, id, str_of(o, "key"), &sas);
	if (err)
		return err;
	sas->created = num_of(o, "created");
	sas->accessed = num_of(o, "accessed");
	sas->lifetime_ms = num_of(o, "lifetime");
	sas->expires_at = num_of(o, "expires_at");
	sas->iwr = flag_of(o, "iwr");
	sas->ready_seen = flag_of(o, "ready_seen");
	sas->extended = flag_of(o, "extended");
	err = load_attrs(app, SSM_KIND_SAS, sas->attrs,
			 json_object_get(o, "attrs"));
	if (!err && sas->expires_at &&
	    ssm__tmr_start(m, &sas->exp, sas->expires_at))
		err = SSM_NOMEM;
	json_array_foreach(timers, i, v) {
		if (err)
			break;
		err = load_timer(sas, v);
	}
	json_array_foreach(sips, i, v) {
		if (err)
			break;
		err = load_ss(sas, v);
	}
	if (!err)
		err = load_links(sas, sips);
	if (err) {
		discard_all(sas);
		drop_sas(sas);
		return err;
	}
	*sasp = sas;
	return SSM_OK;
}

int ssm_dist_restore(struct ssm *m, const char *text, struct sas **sasp)
{
	struct sas *sas = NULL;
	json_t *o;
	int err;

	if (sasp)
		*sasp = NULL;
	if (!m || !text)
		return SSM_NPE;
	o = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(o)) {
		json_decref(o);
		return SSM_IAE;
	}
	err = load_sas(m, o, &sas);
	json_decref(o);
	if (err)
		return err;
	mem_ref(sas);
	notify(sas, true);              /* DIST-12, DIST-14 */
	if (sasp)
		*sasp = sas->valid ? sas : NULL;
	mem_deref(sas);
	return SSM_OK;
}
