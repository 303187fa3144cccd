/**
 * @file model/session/ss.c  SipSession: life cycle, API, B2BUA
 *
 * A SipSession's creation (and derivation, for a forked dialog),
 * readiness and invalidation, its accessors and attributes,
 * createRequest, routing and handler, and the B2BUA's legs.  Its state
 * machine (session-rules.md section 2) is in state.c.
 *
 * Tags are kept as they appear on the initial request: `ftag` is the From
 * tag of the request that created the session (the UAC's tag), `ttag` the
 * To tag (the UAS's).  A UAC's local tag is ftag, a UAS's local tag is
 * ttag; a proxy has no tag of its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "ssm_int.h"

/* ----- life cycle ----- */

static void ss_destroy(void *data)
{
	struct ss *ss = data;

	while (ss->subs) {
		struct sub *s = ss->subs;

		ss->subs = s->next;
		free(s);
	}
	while (ss->pnotify) {
		struct pnotify *pn = ss->pnotify;

		ss->pnotify = pn->next;
		free(pn);
	}
	mem_deref(ss->pend_event);
	mem_deref(ss->attrs);
	mem_deref(ss->call_id);
	mem_deref(ss->ftag);
	mem_deref(ss->ttag);
	mem_deref(ss->local_uri);
	mem_deref(ss->remote_uri);
	mem_deref(ss->region);
	mem_deref(ss->subscriber);
	mem_deref(ss->handler);
	mem_deref(ss->outbound);
	mem_deref(ss->orig);
	mem_deref(ss->sas);
}

bool ss__dialog_creating(const struct ssm *m, enum meth meth)
{
	return meth == M_INVITE || meth == M_SUBSCRIBE ||
	       (meth == M_REFER && m->opts.cf10_refer_creates_dialog);
}

/** Put a new session into its SAS and the registries, and announce it. */
/**
 * Put a session into its SAS and the registries, announcing nothing: the
 * first half of ss_publish(), and what a session restored from another
 * node gets (DIST-14).  The SAS's list takes the caller's reference.
 */
int ss__register(struct ss *ss, struct ss *orig)
{
	struct ssm *m = ss__model(ss);
	int err;

	err = htab_insert(&m->ss_by_id, &ss->hid,
			       htab_hash_str(HTAB_SEED, ss->id));
	if (!err)
		err = ss__index_dialog(ss);
	if (!err && !orig)
		err = ss__index_family(ss);
	if (err) {
		htab_remove(&m->ss_by_id, &ss->hid);
		htab_remove(&m->ss_by_dialog, &ss->hdlg);
		return err;
	}
	ssm__list_append(&ss->sas->sips, &ss->sasle); /* takes the reference */
	if (orig)
		ssm__list_append(&orig->derived, &ss->famle);
	m->nss++;
	return SSM_OK;
}

/** Undo ss__register(); the caller drops the SAS's reference. */
void ss__unregister(struct ss *ss)
{
	struct ssm *m = ss__model(ss);
	bool named = ss->hfam.linked;

	htab_remove(&m->ss_by_id, &ss->hid);
	htab_remove(&m->ss_by_dialog, &ss->hdlg);
	htab_remove(&m->ss_by_family, &ss->hfam);
	if (ss->orig)
		ssm__list_unlink(&ss->orig->derived, &ss->famle);
	if (named)
		ss__family_hand_on(ss);
	m->nss--;
	ssm__list_unlink(&ss->sas->sips, &ss->sasle);
}

/** Put a new session into its SAS and the registries, and announce it. */
static int ss_publish(struct ss *ss, struct ss *orig)
{
	struct ssm *m = ss__model(ss);
	struct ssm_app *app = ss->sas->app;
	int err = ss__register(ss, orig);

	if (err)
		return err;
	ssm__emit(m, SSM_EV_SS_CREATED, ss->sas, ss, orig, NULL, NULL, NULL);
	if (app->l.ss_created)                     /* DERIVED-05 */
		app->l.ss_created(ss, app->l.arg);
	ssm__dirty_ss(ss);
	return SSM_OK;
}

static struct ss *ss_new(struct sas *sas, enum ss_role role)
{
	struct ssm *m = sas->app->m;
	struct ss *ss = mem_zalloc(sizeof(*ss), ss_destroy);

	if (!ss)
		return NULL;
	ss->sas = mem_ref(sas);
	ss->role = role;
	ss->state = SS_INITIAL;                    /* SS-STATE-01 */
	ss->valid = true;
	ss->iwr = sas->app->version >= SSM_V11;    /* VER-04 */
	ss->created = ss->accessed = ssm_now(m);
	ssm__gen_token(m, "ss-", ss->id, sizeof(ss->id));
	return ss;
}

/** A session for ssm_dist_restore(): @id instead of a fresh one. */
struct ss *ss__restore(struct sas *sas, enum ss_role role, const char *id)
{
	struct ss *ss;

	if (strlen(id) >= sizeof(ss->id))
		return NULL;
	ss = ss_new(sas, role);
	if (ss)
		memcpy(ss->id, id, strlen(id) + 1);
	return ss;
}

int ss_create(struct sas *sas, enum ss_role role, const char *method,
	      const char *call_id, const char *from_tag,
	      const char *from_uri, const char *to_uri, struct ss **ssp)
{
	struct ssm *m;
	struct ss *ss;
	char cid[64], tag[32];
	enum meth meth;
	int err;

	if (!sas || !method || !ssp)
		return SSM_NPE;
	if (!sas->valid)
		return SSM_ISE;
	if (!ssm__is_token(method) || role == SS_ROLE_UNDEF)
		return SSM_IAE;
	m = sas->app->m;

	ss = ss_new(sas, role);
	if (!ss)
		return SSM_NOMEM;

	if (!call_id) {                            /* B2B-12 */
		ssm__gen_token(m, "", cid, sizeof(cid));
		strncat(cid, "@sstck", sizeof(cid) - strlen(cid) - 1);
		call_id = cid;
	}
	if (!from_tag) {
		ssm__gen_token(m, "t", tag, sizeof(tag));
		from_tag = tag;
	}
	meth = ssm__meth(method);
	ss->kind = ss__dialog_creating(m, meth) ? KIND_DIALOG : KIND_NONDIALOG;
	ss->init_meth = (uint8_t)meth;
	ss->received_initial = role != SS_ROLE_UAC;
	ss->call_id = mem_strdup(call_id);
	ss->ftag = mem_strdup(from_tag);
	ss->attrs = ssm__attrs_alloc();
	if (role == SS_ROLE_UAS) {
		ss->local_uri = mem_strdup(to_uri);    /* SS-04 */
		ss->remote_uri = mem_strdup(from_uri);
	}
	else {
		ss->local_uri = mem_strdup(from_uri);
		ss->remote_uri = mem_strdup(to_uri);
	}
	if (!ss->call_id || !ss->ftag || !ss->attrs ||
	    (from_uri && !(role == SS_ROLE_UAS ? ss->remote_uri :
			   ss->local_uri)) ||
	    (to_uri && !(role == SS_ROLE_UAS ? ss->local_uri :
			 ss->remote_uri))) {
		mem_deref(ss);
		return SSM_NOMEM;
	}
	err = ss_publish(ss, NULL);
	if (err) {
		mem_deref(ss);
		return err;
	}
	*ssp = ss;
	return SSM_OK;
}

/**
 * A derived session (DERIVED-01/02/03): same Call-ID, From tag, SAS,
 * handler, routing info and role as its family's original @orig; its
 * own id, To tag and state; the attributes of @src, the original itself
 * or, once the original is invalidated (its attributes unbound), the
 * live sibling a further dialog derives from (B2B-08).
 */
static struct ss *derive_one(struct ss *orig, const struct ss *src,
			     const char *ttag)
{
	struct ssm *m = ss__model(orig);
	struct ss *d = ss_new(orig->sas, orig->role);

	if (!d)
		return NULL;
	d->orig = mem_ref(orig);
	d->kind = orig->kind;
	d->init_meth = orig->init_meth;
	d->init_cseq = orig->init_cseq;
	d->local_cseq = orig->local_cseq;
	d->received_initial = orig->received_initial;
	d->rr = orig->rr;
	d->iwr = orig->iwr;
	d->call_id = mem_ref(orig->call_id);
	d->ftag = mem_ref(orig->ftag);
	d->ttag = mem_strdup(ttag);
	d->local_uri = mem_ref(orig->local_uri);
	d->remote_uri = mem_ref(orig->remote_uri);
	d->region = mem_ref(orig->region);
	d->subscriber = mem_ref(orig->subscriber);
	d->handler = mem_ref(orig->handler);
	d->outbound = mem_ref(orig->outbound);
	if (m->opts.cf06_shared_derived_attrs)
		d->attrs = mem_ref(src->attrs);
	else
		d->attrs = ssm__attrs_copy(src->attrs);
	if (!d->ttag || !d->attrs || ss_publish(d, orig)) {
		mem_deref(d);
		return NULL;
	}
	return d;
}

struct ss *ss__derive(struct ss *orig, struct ss *src, const char *ttag,
		      bool *linked)
{
	struct ss *d = derive_one(orig, src, ttag);
	struct ss *peer = src->linked;

	*linked = false;
	if (!d || !peer || !peer->valid || orig->role != SS_ROLE_UAC)
		return d;

	/* B2B-09: a fork on the UAC leg of a B2BUA gets a derived session
	 * on the linked UAS leg too, with a new local tag, and the two are
	 * linked. */
	{
		char tag[32];
		struct ss *porig = peer->orig ? peer->orig : peer;
		struct ss *pd;

		ssm__gen_token(ss__model(orig), "t", tag, sizeof(tag));
		pd = derive_one(porig, porig->valid ? porig : peer, tag);
		if (pd) {
			/* its own state machine from INITIAL (DERIVED-04):
			 * nothing has been sent on its dialog yet */
			d->linked = pd;
			pd->linked = d;
			ssm__emit(ss__model(d), SSM_EV_LINK, d->sas, d, pd,
				  NULL, NULL, NULL);
			*linked = true;
		}
	}
	return d;
}

/* ----- readiness (INVAL-10, INVAL-11) ----- */

bool ss__ready(const struct ss *ss)
{
	const struct ssm_opts *o = &ss->sas->app->m->opts;

	if (!ss->valid)
		return false;
	if (ss->state == SS_TERMINATED)                        /* (a) */
		return true;
	if (ss->ntx)
		return false;                                  /* INVAL-11 */
	if (ss->kind == KIND_NONDIALOG)                        /* CF-04 */
		return o->cf04_nondialog_ready && ss->used && !ss->last_auth;
	if (ss->role == SS_ROLE_PROXY && !ss->rr &&
	    ss->state == SS_CONFIRMED)                         /* (b) */
		return o->cf03_nonrr_proxy_ready_on_confirmed;
	if (ss->role == SS_ROLE_UAC && ss->state == SS_INITIAL &&
	    ss->fell_back)                                     /* (c) */
		return true;
	return false;
}

/**
 * The INVITE client transaction of the session ended (RFC 3261 13.2.2.4):
 * early dialogs of its family that never got a 2xx end with it.
 */
int ss_initial_tx_ended(struct ss *ss)
{
	struct ss *orig;

	if (!ss)
		return SSM_NPE;
	orig = ss__family_orig(ss);
	if (orig->valid && orig->state == SS_EARLY)
		ss__set_state(orig, SS_TERMINATED, NULL);
	LIST_FOREACH(&orig->derived, e) {
		struct ss *d = container_of(e, struct ss, famle);

		if (d->valid && d->state == SS_EARLY)
			ss__set_state(d, SS_TERMINATED, NULL);
	}
	ssm_settle(ss__model(orig));
	return SSM_OK;
}

/* ----- invalidation (INVAL-01, INVAL-02) ----- */

void ss__invalidate(struct ss *ss)
{
	struct ssm_app *app = ss->sas->app;
	struct ssm *m = app->m;
	struct sas *sas = ss->sas;

	if (!ss->valid)
		return;
	mem_ref(ss);
	ssm__emit(m, SSM_EV_SS_DESTROYED, sas, ss, NULL, NULL, NULL, NULL);
	if (app->l.ss_destroyed)
		app->l.ss_destroyed(ss, app->l.arg);
	if (!ss->valid) {           /* the listener invalidated it */
		mem_deref(ss);
		return;
	}
	/* A shared map (CF-06) is unbound by its last holder only. */
	if (mem_nrefs(ss->attrs) == 1)
		ssm__attrs_clear(app, SSM_KIND_SS, ss, ss->attrs);

	ss->valid = false;
	if (ss->linked) {
		struct ss *peer = ss->linked;

		peer->linked = NULL;
		ss->linked = NULL;
		ssm__emit(m, SSM_EV_UNLINK, sas, ss, peer, NULL, NULL, NULL);
	}
	ss__unregister(ss);
	ssm__dirty_sas(sas);                        /* INVAL-14 */
	mem_deref(ss);                              /* the SAS's reference */
	mem_deref(ss);
}

int ss_invalidate(struct ss *ss)
{
	struct ssm *m;

	if (!ss)
		return SSM_NPE;
	if (!ss->valid)
		return SSM_ISE;                     /* INVAL-01 */
	m = ss__model(ss);
	if (m->opts.cf05_strict_invalidate &&       /* CF-05, VER-06 */
	    (ss->state == SS_EARLY || ss->state == SS_CONFIRMED || ss->ntx))
		return SSM_ISE;
	ss__invalidate(ss);
	ssm_settle(m);
	return SSM_OK;
}

/* ----- accessors ----- */

#define SS_CHECK(ss)                            \
	do {                                    \
		if (!(ss))                      \
			return SSM_NPE;         \
		if (!(ss)->valid)               \
			return SSM_ISE;         \
	} while (0)

const char *ss_id(const struct ss *ss)
{
	return ss ? ss->id : NULL;
}

bool ss_is_valid(const struct ss *ss)
{
	return ss && ss->valid;
}

enum ss_role ss_role(const struct ss *ss)
{
	return ss ? (enum ss_role)ss->role : SS_ROLE_UNDEF;
}

int ss_state(const struct ss *ss, enum ss_state *statep)
{
	SS_CHECK(ss);                               /* SS-STATE-05 */
	if (!statep)
		return SSM_NPE;
	*statep = (enum ss_state)ss->state;
	return SSM_OK;
}

int ss_app_session(const struct ss *ss, struct sas **sasp)
{
	SS_CHECK(ss);
	*sasp = ss->sas;                            /* OWN-02 */
	return SSM_OK;
}

int ss_app(const struct ss *ss, struct ssm_app **appp)
{
	SS_CHECK(ss);
	*appp = ss->sas->app;                       /* SS-12 */
	return SSM_OK;
}

static bool null_party(const struct ss *ss)
{
	/* CF-14: IBM's reading of JSR 116 for 1.0 applications. */
	return ss->kind == KIND_NONDIALOG &&
	       ss->sas->app->version == SSM_V10 &&
	       ss->sas->app->m->opts.cf14_null_parties_v10;
}

int ss_call_id(const struct ss *ss, const char **cidp)
{
	SS_CHECK(ss);
	*cidp = null_party(ss) ? NULL : ss->call_id;
	return SSM_OK;
}

int ss_local_party(const struct ss *ss, const char **urip)
{
	SS_CHECK(ss);
	*urip = null_party(ss) ? NULL : ss->local_uri;
	return SSM_OK;
}

int ss_remote_party(const struct ss *ss, const char **urip)
{
	SS_CHECK(ss);
	*urip = null_party(ss) ? NULL : ss->remote_uri;
	return SSM_OK;
}

int ss_tags(const struct ss *ss, const char **localp, const char **remotep)
{
	SS_CHECK(ss);
	if (ss->role == SS_ROLE_UAS) {
		*localp = ss->ttag;
		*remotep = ss->ftag;
	}
	else {
		*localp = ss->ftag;
		*remotep = ss->ttag;
	}
	return SSM_OK;
}

int ss_creation_time(const struct ss *ss, uint64_t *tp)
{
	SS_CHECK(ss);
	*tp = ss->created;
	return SSM_OK;
}

int ss_last_accessed(const struct ss *ss, uint64_t *tp)
{
	SS_CHECK(ss);
	*tp = ss->accessed;
	return SSM_OK;
}

struct ss *ss_original(const struct ss *ss)
{
	return ss ? ss->orig : NULL;
}

size_t ss_record_size(void)
{
	return sizeof(struct ss);
}

unsigned ss_pending(const struct ss *ss)
{
	return ss ? ss->ntx : 0;
}

int ss_forking_context(struct ss *ss, struct ss **out, size_t max,
		       size_t *np)
{
	struct ss *orig;
	size_t n = 0;

	SS_CHECK(ss);
	if (!np)
		return SSM_NPE;
	orig = ss__family_orig(ss);
	if (orig->valid) {
		if (n < max)
			out[n] = orig;
		n++;
	}
	LIST_FOREACH(&orig->derived, e) {
		struct ss *d = container_of(e, struct ss, famle);

		if (n < max)
			out[n] = d;
		n++;
	}
	*np = n;
	return SSM_OK;
}

/* ----- attributes (SS-02) ----- */

int ss_set_attr(struct ss *ss, const char *name, void *value,
		const struct ssm_binding *b)
{
	SS_CHECK(ss);
	if (!name || !value)
		return SSM_NPE;
	if (ssm__dist_check(ss->sas->app, SSM_KIND_SS, name, value))
		return SSM_IAE;                     /* DIST-04, CF-22 */
	return ssm__attrs_set(ss->sas->app, SSM_KIND_SS, ss, ss->attrs, name,
			      value, b);
}

int ss_get_attr(struct ss *ss, const char *name, void **valuep)
{
	struct attr *x;

	SS_CHECK(ss);
	if (!name || !valuep)
		return SSM_NPE;
	x = ssm__attrs_find(ss->attrs, name);
	*valuep = x ? x->value : NULL;
	return SSM_OK;
}

int ss_remove_attr(struct ss *ss, const char *name)
{
	SS_CHECK(ss);
	if (!name)
		return SSM_NPE;
	ssm__attrs_remove(ss->sas->app, SSM_KIND_SS, ss, ss->attrs, name);
	return SSM_OK;
}

int ss_attr_names(struct ss *ss, const char **names, size_t max,
		  size_t *np)
{
	SS_CHECK(ss);
	if (!np)
		return SSM_NPE;
	*np = ssm__attrs_names(ss->attrs, names, max);
	return SSM_OK;
}

/* ----- readiness flags (INVAL-15) ----- */

int ss_is_ready(struct ss *ss, bool *readyp)
{
	SS_CHECK(ss);
	if (!readyp)
		return SSM_NPE;
	*readyp = ss__ready(ss);
	return SSM_OK;
}

int ss_get_iwr(struct ss *ss, bool *iwrp)
{
	SS_CHECK(ss);
	if (!iwrp)
		return SSM_NPE;
	*iwrp = ss->iwr;
	return SSM_OK;
}

int ss_set_iwr(struct ss *ss, bool iwr)
{
	SS_CHECK(ss);
	ss->iwr = iwr;
	if (iwr) {
		ss->ready_seen = false;
		ssm__dirty_ss(ss);
	}
	return SSM_OK;
}

/* ----- createRequest (SS-06, SS-07, SS-08) ----- */

int ss_create_request(struct ss *ss, const char *method, struct ss_req *reqp)
{
	const struct ssm_opts *o;
	enum meth meth;

	SS_CHECK(ss);
	if (!method || !reqp)
		return SSM_NPE;
	o = &ss__model(ss)->opts;
	meth = ssm__meth(method);
	if (!ssm__is_token(method) || meth == M_ACK || meth == M_CANCEL)
		return SSM_IAE;
	if (ss->role == SS_ROLE_PROXY)                   /* SS-07 */
		return SSM_ISE;
	if (ss->state == SS_TERMINATED)                  /* SS-STATE-04 */
		return SSM_ISE;
	if (ss->state == SS_INITIAL && ss->ntx &&
	    !o->cf11_lenient_pending_create)             /* CF-11 */
		return SSM_ISE;
	if (ss->role == SS_ROLE_UAS && ss->state == SS_EARLY &&
	    meth == M_BYE && !o->cf25_uas_early_bye_created) /* SS-STATE-26 */
		return SSM_ISE;

	reqp->call_id = ss->call_id;
	if (ss->role == SS_ROLE_UAS) {
		reqp->from_tag = ss->ttag;
		reqp->to_tag = ss->ftag;
	}
	else {
		/* SS-STATE-14, SS-STATE-52: outside a dialog no To tag. */
		reqp->from_tag = ss->ftag;
		reqp->to_tag = (ss->kind == KIND_DIALOG &&
				ss->state != SS_INITIAL) ? ss->ttag : NULL;
	}
	reqp->cseq = ++ss->local_cseq;
	return SSM_OK;
}

/* ----- routing, handler, interface (SS-09, SS-10, SS-11) ----- */

int ss_set_routing(struct ss *ss, const char *region, const char *subscriber)
{
	char *r, *s;

	SS_CHECK(ss);
	if (!ss->received_initial)
		return SSM_ISE;
	r = mem_strdup(region);
	s = mem_strdup(subscriber);
	if ((region && !r) || (subscriber && !s)) {
		mem_deref(r);
		mem_deref(s);
		return SSM_NOMEM;
	}
	mem_deref(ss->region);
	mem_deref(ss->subscriber);
	ss->region = r;
	ss->subscriber = s;
	return SSM_OK;
}

int ss_region(const struct ss *ss, const char **regionp)
{
	SS_CHECK(ss);
	if (!ss->received_initial || !ss->region)
		return SSM_ISE;
	*regionp = ss->region;
	return SSM_OK;
}

int ss_subscriber_uri(const struct ss *ss, const char **urip)
{
	SS_CHECK(ss);
	if (!ss->received_initial || !ss->subscriber)
		return SSM_ISE;
	*urip = ss->subscriber;
	return SSM_OK;
}

int ss_set_handler(struct ss *ss, const char *servlet)
{
	char **s;
	char *h;

	SS_CHECK(ss);
	if (!servlet)
		return SSM_NPE;
	for (s = ss->sas->app->servlets; s && *s; s++)
		if (!strcmp(*s, servlet))
			break;
	if (!s || !*s)
		return SSM_SERVLET;
	h = mem_strdup(servlet);
	if (!h)
		return SSM_NOMEM;
	mem_deref(ss->handler);
	ss->handler = h;
	return SSM_OK;
}

int ss_handler(const struct ss *ss, const char **servletp)
{
	SS_CHECK(ss);
	*servletp = ss->handler;
	return SSM_OK;
}

int ss_set_outbound(struct ss *ss, const char *iface)
{
	const char *const *i;
	char *v;

	SS_CHECK(ss);
	if (!iface)
		return SSM_NPE;
	for (i = ss__model(ss)->opts.outbound_ifaces; i && *i; i++)
		if (!strcmp(*i, iface))
			break;
	if (!i || !*i)
		return SSM_IAE;
	v = mem_strdup(iface);
	if (!v)
		return SSM_NOMEM;
	mem_deref(ss->outbound);
	ss->outbound = v;
	return SSM_OK;
}

int ss_outbound(const struct ss *ss, const char **ifacep)
{
	SS_CHECK(ss);
	*ifacep = ss->outbound;
	return SSM_OK;
}

int ss_set_proxy(struct ss *ss, bool record_route)
{
	SS_CHECK(ss);
	if (ss->role == SS_ROLE_UAC || ss->b2b)      /* B2B-01 */
		return SSM_ISE;
	ss->role = SS_ROLE_PROXY;
	ss->rr = record_route;
	ssm__dirty_ss(ss);
	return SSM_OK;
}

/* ----- B2BUA (B2B-02..09) ----- */

int ss_link(struct ss *a, struct ss *b)
{
	if (!a || !b)
		return SSM_NPE;
	if (!a->valid || !b->valid || a == b || a->sas != b->sas ||
	    a->state == SS_TERMINATED || b->state == SS_TERMINATED)
		return SSM_IAE;
	if (a->linked == b && b->linked == a)
		return SSM_OK;                      /* B2B-06: no-op */
	if (a->linked || b->linked)
		return SSM_IAE;
	a->linked = b;
	b->linked = a;
	ssm__emit(ss__model(a), SSM_EV_LINK, a->sas, a, b, NULL, NULL, NULL);
	return SSM_OK;
}

int ss_unlink(struct ss *s)
{
	struct ss *peer;

	if (!s)
		return SSM_NPE;
	peer = s->linked;
	if (!s->valid || !peer || s->state == SS_TERMINATED ||
	    peer->state == SS_TERMINATED)
		return SSM_IAE;
	s->linked = NULL;
	peer->linked = NULL;
	ssm__emit(ss__model(s), SSM_EV_UNLINK, s->sas, s, peer, NULL, NULL,
		  NULL);
	return SSM_OK;
}

int ss_linked(struct ss *s, struct ss **peerp)
{
	if (!s || !peerp)
		return SSM_NPE;
	if (!s->valid)
		return SSM_IAE;
	*peerp = s->linked;
	return SSM_OK;
}

/* The method that made @ss, to make a new leg of the same kind. */
static const char *init_method(const struct ss *ss)
{
	static const char *const names[] = {
		"", "INVITE", "ACK", "BYE", "CANCEL", "SUBSCRIBE", "NOTIFY",
		"REFER", "PRACK", "UPDATE", "INFO", "MESSAGE", "OPTIONS",
		"REGISTER", "PUBLISH",
	};

	return ss->init_meth ? names[ss->init_meth] : "MESSAGE";
}

int ss_b2b_leg(struct ss *orig, bool linked, int max_forwards,
	       const char *from_uri, const char *to_uri, struct ss **legp)
{
	const char *method;
	struct ss *leg;
	int err;

	if (!orig || !legp)
		return SSM_NPE;
	if (!orig->valid)
		return SSM_IAE;
	if (orig->role == SS_ROLE_PROXY)
		return SSM_ISE;                     /* B2B-01 */
	if (max_forwards == 0)
		return SSM_HOPS;                    /* B2B-03 */
	if (linked && orig->linked)
		return SSM_IAE;                     /* B2B-04 */
	method = init_method(orig);
	orig->b2b = true;

	/* B2B-02: new Call-ID and From tag (generated), same SAS. */
	err = ss_create(orig->sas, SS_ROLE_UAC, method, NULL, NULL,
			from_uri, to_uri, &leg);
	if (err)
		return err;
	if (linked) {
		err = ss_link(orig, leg);
		if (err) {
			ss__invalidate(leg);
			return err;
		}
	}
	*legp = leg;
	return SSM_OK;
}

int ss_factory_copy(struct ss *orig, bool same_call_id, struct ss **legp)
{

	if (!orig || !legp)
		return SSM_NPE;
	if (!orig->valid)
		return SSM_IAE;
	return ss_create(orig->sas, SS_ROLE_UAC, init_method(orig),
			 same_call_id ? orig->call_id : NULL, NULL,
			 orig->remote_uri, orig->local_uri, legp);
}

bool ssm_b2b_header_allowed(const char *name)
{
	static const char *const system[] = {
		"Call-ID", "CSeq", "Via", "Record-Route", "Max-Forwards",
		"Content-Length", "RSeq", "RAck", "Path", "i", "v", "l",
		NULL,
	};

	if (!name || !ssm__is_token(name))
		return false;
	for (const char *const *s = system; *s; s++)
		if (!strcasecmp(*s, name))
			return false;
	return true;
}

int ss_b2b_subsequent(struct ss *ss, struct ss *orig_ss,
		      bool orig_is_initial, const char *method,
		      struct ss_req *reqp)
{
	int err;

	if (!ss || !orig_ss || !method || !reqp)
		return SSM_NPE;
	if (!orig_is_initial &&
	    ss__model(ss)->opts.cf13_b2b_subsequent_needs_initial)
		return SSM_IAE;                     /* CF-13, literal */
	if (!ss->valid || !orig_ss->valid)
		return SSM_IAE;
	if (ss->linked != orig_ss) {                /* B2B-07 */
		err = ss_link(ss, orig_ss);
		if (err)
			return err;
	}
	return ss_create_request(ss, method, reqp);
}
