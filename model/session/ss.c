/**
 * @file model/session/ss.c  SipSession: life cycle, state machine, B2BUA
 *
 * The state machine of session-rules.md section 2, written as one switch
 * per role over the messages of the initial (dialog-creating) transaction,
 * and a second one for in-dialog messages.  Every change goes through
 * set_state(), which emits the trace event and queues the session for the
 * readiness step.
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

static struct ssm *model(const struct ss *ss)
{
	return ss->sas->app->m;
}

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

static bool dialog_creating(const struct ssm *m, enum meth meth)
{
	return meth == M_INVITE || meth == M_SUBSCRIBE ||
	       (meth == M_REFER && m->opts.cf10_refer_creates_dialog);
}

/** Put a new session into its SAS and the registries, and announce it. */
static int ss_publish(struct ss *ss, struct ss *orig)
{
	struct ssm *m = model(ss);
	struct ssm_app *app = ss->sas->app;
	int err;

	err = ssm__htab_insert(&m->ss_by_id, &ss->hid,
			       ssm__hash_str(2166136261u, ss->id));
	if (!err)
		err = ss__index_dialog(ss);
	if (!err && !orig)
		err = ss__index_family(ss);
	if (err) {
		ssm__htab_remove(&m->ss_by_id, &ss->hid);
		ssm__htab_remove(&m->ss_by_dialog, &ss->hdlg);
		return err;
	}
	ssm__list_append(&ss->sas->sips, &ss->sasle); /* takes the reference */
	if (orig)
		ssm__list_append(&orig->derived, &ss->famle);
	m->nss++;
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
	ss->kind = dialog_creating(m, meth) ? KIND_DIALOG : KIND_NONDIALOG;
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
 * handler, routing info and role; its own id, To tag and state.
 */
static struct ss *derive(struct ss *orig, const char *ttag, bool *linked);

static struct ss *derive_one(struct ss *orig, const char *ttag)
{
	struct ssm *m = model(orig);
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
		d->attrs = mem_ref(orig->attrs);
	else
		d->attrs = ssm__attrs_copy(orig->attrs);
	if (!d->ttag || !d->attrs || ss_publish(d, orig)) {
		mem_deref(d);
		return NULL;
	}
	return d;
}

static struct ss *derive(struct ss *orig, const char *ttag, bool *linked)
{
	struct ss *d = derive_one(orig, ttag);
	struct ss *peer = orig->linked;

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

		ssm__gen_token(model(orig), "t", tag, sizeof(tag));
		pd = derive_one(porig, tag);
		if (pd) {
			/* its own state machine from INITIAL (DERIVED-04):
			 * nothing has been sent on its dialog yet */
			d->linked = pd;
			pd->linked = d;
			ssm__emit(model(d), SSM_EV_LINK, d->sas, d, pd, NULL,
				  NULL, NULL);
			*linked = true;
		}
	}
	return d;
}

/* ----- state ----- */

static void set_state(struct ss *ss, enum ss_state to,
		      const struct ssm_msg *msg)
{
	struct ssm *m = model(ss);
	enum ss_state from = (enum ss_state)ss->state;

	if (from == to || from == SS_TERMINATED)   /* SS-STATE-04 */
		return;
	ss->state = (uint8_t)to;
	if (m->evh) {
		struct ssm_event e = {
			.type = SSM_EV_STATE, .sas = ss->sas, .ss = ss,
			.from = from, .to = to, .msg = msg,
		};

		e.time_ms = ssm_now(m);
		m->evh(&e, m->evarg);
	}
	ssm__dirty_ss(ss);
}

static int set_ttag(struct ss *ss, const char *tag)
{
	char *t = NULL;

	if (tag) {
		t = mem_strdup(tag);
		if (!t)
			return SSM_NOMEM;
	}
	mem_deref(ss->ttag);
	ss->ttag = t;
	return ss__index_dialog(ss);
}

static struct ss *family_orig(struct ss *ss)
{
	return ss->orig ? ss->orig : ss;
}

/** The family member bound to @tag, or NULL. */
static struct ss *by_tag(struct ss *orig, const char *tag)
{
	if (!tag)
		return NULL;
	if (orig->ttag && !strcmp(orig->ttag, tag))
		return orig;
	LIST_FOREACH(&orig->derived, e) {
		struct ss *d = container_of(e, struct ss, famle);

		if (d->valid && d->ttag && !strcmp(d->ttag, tag))
			return d;
	}
	return NULL;
}

/**
 * The session a dialog-creating 1xx/2xx with @tag belongs to: the original
 * when it has no tag yet, the one already bound to @tag (DERIVED-06), or a
 * new derived session (DERIVED-01).
 */
static struct ss *bind_or_derive(struct ss *ss, const char *tag)
{
	struct ss *orig = family_orig(ss);
	struct ss *t;
	bool linked;

	if (!orig->valid)
		return ss;
	if (!orig->ttag) {
		if (set_ttag(orig, tag))
			return NULL;
		return orig;
	}
	t = by_tag(orig, tag);
	if (t)
		return t;
	return derive(orig, tag, &linked);
}

static void terminate_family(struct ss *orig, const struct ssm_msg *msg,
			     bool only_fell_back)
{
	struct ss *all[1 + 64];
	size_t n = 0;

	all[n++] = orig;
	LIST_FOREACH(&orig->derived, e) {
		if (n < sizeof(all) / sizeof(all[0]))
			all[n++] = container_of(e, struct ss, famle);
	}
	for (size_t i = 0; i < n; i++) {
		struct ss *s = all[i];

		if (!s->valid || s->state == SS_CONFIRMED)
			continue;
		if (only_fell_back && !(s->state == SS_INITIAL &&
					s->fell_back))
			continue;
		set_state(s, SS_TERMINATED, msg);
	}
}

static int add_sub(struct ss *ss, const char *key)
{
	struct sub *s;
	size_t n = strlen(key);

	for (s = ss->subs; s; s = s->next)
		if (!strcmp(s->key, key))
			return SSM_OK;
	s = malloc(sizeof(*s) + n + 1);
	if (!s)
		return SSM_NOMEM;
	memcpy(s->key, key, n + 1);
	s->next = ss->subs;
	ss->subs = s;
	return SSM_OK;
}

static void del_sub(struct ss *ss, const char *key)
{
	for (struct sub **pp = &ss->subs; *pp; pp = &(*pp)->next) {
		if (!strcmp((*pp)->key, key)) {
			struct sub *s = *pp;

			*pp = s->next;
			free(s);
			return;
		}
	}
}

static bool tag_eq(const char *a, const char *b)
{
	return (!a || !b) ? a == b : !strcmp(a, b);
}

/** CF-20: remember the terminating NOTIFY @msg for usage @key until its
 * final response; a retransmission is remembered once. */
static int pnotify_add(struct ss *ss, const char *key,
		       const struct ssm_msg *msg)
{
	size_t kn = strlen(key), tn = msg->from_tag ? strlen(msg->from_tag) : 0;
	struct pnotify *pn;

	for (pn = ss->pnotify; pn; pn = pn->next)
		if (pn->cseq == msg->cseq && pn->dir == msg->dir &&
		    tag_eq(pn->ftag, msg->from_tag))
			return SSM_OK;
	pn = malloc(sizeof(*pn) + kn + 1 + tn + 1);
	if (!pn)
		return SSM_NOMEM;
	pn->cseq = msg->cseq;
	pn->dir = (uint8_t)msg->dir;
	memcpy(pn->data, key, kn + 1);
	pn->ftag = NULL;
	if (msg->from_tag) {
		pn->ftag = pn->data + kn + 1;
		memcpy(pn->ftag, msg->from_tag, tn + 1);
	}
	pn->next = ss->pnotify;
	ss->pnotify = pn;
	return SSM_OK;
}

/** CF-20: the terminating NOTIFY the final response @msg answers, taken
 * off the list, its usage key copied to @key; false if none.  The
 * response goes the other way (a proxy's: relayed, as it remembers the
 * NOTIFY as it arrives). */
static bool pnotify_take(struct ss *ss, const struct ssm_msg *msg,
			 char *key, size_t sz)
{
	for (struct pnotify **pp = &ss->pnotify; *pp; pp = &(*pp)->next) {
		struct pnotify *pn = *pp;

		if (pn->cseq != msg->cseq || pn->dir == msg->dir ||
		    !tag_eq(pn->ftag, msg->from_tag))
			continue;
		snprintf(key, sz, "%s", pn->data);
		*pp = pn->next;
		free(pn);
		return true;
	}
	return false;
}

/** The usage key of an Event header: the package and its id (RFC 6665). */
static void sub_key(const char *event, enum meth meth, char *buf,
		    size_t sz)
{
	const char *id;
	size_t n;

	if (!event || !*event)
		event = meth == M_REFER ? "refer" : "";
	n = strcspn(event, "; \t");
	if (n >= sz)
		n = sz - 1;
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)((event[i] >= 'A' && event[i] <= 'Z') ?
				event[i] + 32 : event[i]);
	buf[n] = '\0';
	id = strstr(event, ";id=");
	if (id && strcmp(buf, "refer") && strlen(buf) + strlen(id) < sz)
		strncat(buf, id, sz - strlen(buf) - 1);
}

/** A dialog usage ended; TERMINATED when none is left (SS-STATE-41/42). */
static void usage_gone(struct ss *ss, const struct ssm_msg *msg)
{
	if (!ss->invite_usage && !ss->subs)
		set_state(ss, SS_TERMINATED, msg);
}

/** The subscription @key ended on a NOTIFY (SS-STATE-41); a REFER's
 * outlives the INVITE usage it was sent in (SS-STATE-42). */
static void sub_ended(struct ss *ss, const char *key,
		      const struct ssm_msg *msg)
{
	del_sub(ss, key);
	if (!strcmp(key, "refer") || !ss->invite_usage ||
	    ss->state == SS_CONFIRMED)
		usage_gone(ss, msg);
}

/* ----- transactions ----- */

static int tx_open(struct ss *ss, enum meth meth, uint32_t cseq,
		   bool server)
{
	for (unsigned i = 0; i < ss->ntx; i++)
		if (ss->tx[i].meth == meth && ss->tx[i].cseq == cseq &&
		    ss->tx[i].server == server)
			return SSM_OK;     /* a retransmission or a resend */
	if (ss->ntx == SS_MAXTX)
		return SSM_LIMIT;
	ss->tx[ss->ntx].meth = (uint8_t)meth;
	ss->tx[ss->ntx].cseq = cseq;
	ss->tx[ss->ntx].server = server;
	ss->ntx++;
	ss->used = true;
	return SSM_OK;
}

static bool tx_close_one(struct ss *ss, enum meth meth, uint32_t cseq,
			 bool server)
{
	for (unsigned i = 0; i < ss->ntx; i++) {
		if (ss->tx[i].meth == meth && ss->tx[i].cseq == cseq &&
		    ss->tx[i].server == server) {
			ss->tx[i] = ss->tx[--ss->ntx];
			ssm__dirty_ss(ss);
			return true;
		}
	}
	return false;
}

static void tx_close(struct ss *ss, enum meth meth, uint32_t cseq,
		     bool server)
{
	if (!tx_close_one(ss, meth, cseq, server) && ss->orig)
		(void)tx_close_one(ss->orig, meth, cseq, server);
}

/* ----- the state machine (section 2) ----- */

static bool is_initial_tx(const struct ss *ss, enum meth meth,
			  uint32_t cseq)
{
	const struct ss *o = ss->orig ? ss->orig : ss;

	return o->kind == KIND_DIALOG && meth == o->init_meth &&
	       cseq == o->init_cseq;
}

static int add_usage(struct ss *t, enum meth meth, const struct ssm_msg *msg)
{
	char key[128];

	if (meth == M_INVITE) {
		t->invite_usage = true;
		return SSM_OK;
	}
	if (meth == M_SUBSCRIBE || meth == M_REFER) {
		/* A response has no Event header: the request's counts. */
		const struct ss *o = t->orig ? t->orig : t;
		const char *ev = msg->event ? msg->event :
			(t->pend_event ? t->pend_event : o->pend_event);

		sub_key(ev, meth, key, sizeof(key));
		return add_sub(t, key);
	}
	return SSM_OK;
}

/** Responses of the initial transaction: SS-STATE-11..16, 21..24, 30..32. */
static int initial_response(struct ss *ss, enum meth meth,
			    const struct ssm_msg *msg, struct ss **targetp)
{
	const struct ssm_opts *o = &model(ss)->opts;
	struct ss *orig = family_orig(ss);
	const char *tag = (msg->to_tag && *msg->to_tag) ? msg->to_tag : NULL;
	int st = msg->status;
	bool in = msg->dir == SSM_IN;
	struct ss *t;

	switch ((enum ss_role)ss->role) {
	case SS_ROLE_UAC:
	case SS_ROLE_PROXY:
		if (ss->role == SS_ROLE_UAC && !in)
			return SSM_OK;
		if (ss->role == SS_ROLE_PROXY && !in) {
			/* Upstream: the final response of the proxy. */
			if (st < 200)
				return SSM_OK;
			t = by_tag(orig, tag);
			if (t)
				*targetp = t;
			orig->family_done = true;
			if (st >= 300)      /* SS-STATE-31, second half */
				terminate_family(orig, msg, false);
			else
				terminate_family(orig, msg, true);
			return SSM_OK;
		}

		if (st < 200) {
			if (st == 100 || !tag) {
				/* SS-STATE-12, CF-01 */
				if (o->cf01_early_on_any_1xx &&
				    ss->state == SS_INITIAL)
					set_state(ss, SS_EARLY, msg);
				return SSM_OK;
			}
			t = bind_or_derive(ss, tag);
			if (!t)
				return SSM_NOMEM;
			*targetp = t;
			if (t->state == SS_INITIAL)  /* SS-STATE-11, -30 */
				set_state(t, SS_EARLY, msg);
			return add_usage(t, meth == M_INVITE ? meth : M_OTHER,
					 msg);
		}
		if (st < 300) {
			if (!tag) {
				t = orig;
			}
			else {
				t = bind_or_derive(ss, tag);
				if (!t)
					return SSM_NOMEM;
			}
			*targetp = t;
			if (t->state == SS_INITIAL || t->state == SS_EARLY)
				set_state(t, SS_CONFIRMED, msg);
			return add_usage(t, meth, msg);
		}

		/* A final non-2xx. */
		t = by_tag(orig, tag);
		if (!t)
			t = orig;
		*targetp = t;
		if (ss->role == SS_ROLE_PROXY) {
			if (t->state == SS_CONFIRMED)
				return SSM_OK;
			if (orig->family_done) {
				set_state(t, SS_TERMINATED, msg);
				return SSM_OK;
			}
			/* SS-STATE-31: back to INITIAL, so the application
			 * can still add branches. */
			t->fell_back = true;
			if (t == orig && t->ttag && set_ttag(t, NULL))
				return SSM_NOMEM;
			if (t->state == SS_EARLY)
				set_state(t, SS_INITIAL, msg);
			return SSM_OK;
		}

		/* UAC.  The early dialogs of a failed INVITE end with it. */
		*targetp = orig;
		LIST_FOREACH(&orig->derived, e) {
			struct ss *d = container_of(e, struct ss, famle);

			if (d->valid && d->state != SS_CONFIRMED)
				set_state(d, SS_TERMINATED, msg);
		}
		if (orig->state == SS_CONFIRMED ||
		    orig->state == SS_TERMINATED)
			return SSM_OK;
		if (st == 487 && o->cf02_487_terminates) {  /* CF-02 */
			set_state(orig, SS_TERMINATED, msg);
			return SSM_OK;
		}
		/* SS-STATE-14/16: back to INITIAL, remote tag forgotten. */
		orig->fell_back = true;
		orig->last_auth = st == 401 || st == 407;
		if (orig->ttag && set_ttag(orig, NULL))
			return SSM_NOMEM;
		if (orig->state == SS_EARLY)
			set_state(orig, SS_INITIAL, msg);
		else
			ssm__dirty_ss(orig);
		return SSM_OK;

	case SS_ROLE_UAS:
		if (in)
			return SSM_OK;
		if (st < 200) {
			if (st == 100 || !tag)
				return SSM_OK;           /* SS-STATE-20 */
			t = bind_or_derive(ss, tag);
			if (!t)
				return SSM_NOMEM;
			*targetp = t;
			if (t->state == SS_INITIAL)      /* SS-STATE-21 */
				set_state(t, SS_EARLY, msg);
			return add_usage(t, meth == M_INVITE ? meth : M_OTHER,
					 msg);
		}
		if (st < 300) {
			t = tag ? bind_or_derive(ss, tag) : orig;
			if (!t)
				return SSM_NOMEM;
			*targetp = t;
			if (t->state != SS_CONFIRMED)    /* SS-STATE-22 */
				set_state(t, SS_CONFIRMED, msg);
			return add_usage(t, meth, msg);
		}
		/* SS-STATE-23, SS-STATE-24 (the 487 after a CANCEL). */
		t = by_tag(orig, tag);
		*targetp = t ? t : ss;
		terminate_family(orig, msg, false);
		return SSM_OK;

	case SS_ROLE_UNDEF:
		break;
	}
	return SSM_OK;
}

/** Messages outside the initial transaction: SS-STATE-03, 17, 18, 25, 4x. */
static int dialog_message(struct ss *ss, enum meth meth,
			  const struct ssm_msg *msg)
{
	const struct ssm_opts *o = &model(ss)->opts;
	bool proxy = ss->role == SS_ROLE_PROXY;
	int st = msg->status;
	char key[128];

	if (ss->kind != KIND_DIALOG)
		return SSM_OK;                      /* SS-STATE-50 */

	if (!st) {
		/* SS-STATE-32, unless CF-19: then the CANCEL changes no
		 * state, the 487s it brings from the branches do (SS-STATE-31:
		 * INITIAL, then TERMINATED once the final goes upstream) */
		if (meth == M_CANCEL && proxy && msg->dir == SSM_IN &&
		    !o->cf19_cancel_follows_branches &&
		    !family_orig(ss)->family_done &&
		    ss->state != SS_CONFIRMED) {
			family_orig(ss)->family_done = true;
			terminate_family(family_orig(ss), msg, false);
		}
		/* SS-STATE-41; a record-routing proxy's session follows the
		 * dialog it sits in (RFC 5057), once per NOTIFY: as it
		 * arrives.  Under CF-20 a terminating NOTIFY ends its usage
		 * when its final response is sent or received (relayed) */
		if (meth == M_NOTIFY && msg->sub_state &&
		    (!proxy || msg->dir == SSM_IN)) {
			sub_key(msg->event, M_NOTIFY, key, sizeof(key));
			if (!strncasecmp(msg->sub_state, "terminated", 10)) {
				if (o->cf20_notify_ends_on_response)
					return pnotify_add(ss, key, msg);
				sub_ended(ss, key, msg);
			}
			else if (add_sub(ss, key)) {
				return SSM_NOMEM;
			}
			else if (ss->state != SS_CONFIRMED &&
				 (ss->init_meth == M_SUBSCRIBE ||
				  ss->init_meth == M_REFER)) {
				/* RFC 6665 4.1.2.4: the NOTIFY makes the
				 * dialog. */
				set_state(ss, SS_CONFIRMED, msg);
			}
		}
		return SSM_OK;
	}

	if (st < 200)
		return SSM_OK;

	if (meth == M_NOTIFY && ss->pnotify) {
		/* CF-20: whatever its status, as Cipango's
		 * Session.updateState does on a NOTIFY's response */
		if (pnotify_take(ss, msg, key, sizeof(key)))
			sub_ended(ss, key, msg);
		return SSM_OK;
	}
	if (meth == M_BYE && st != 401 && st != 407) {
		/* SS-STATE-18, -25, -33: ends the INVITE usage when the
		 * final response is handled (relayed, for a proxy). */
		if (proxy && msg->dir == SSM_IN)
			return SSM_OK;
		if (proxy) {
			set_state(ss, SS_TERMINATED, msg);
			return SSM_OK;
		}
		ss->invite_usage = false;
		usage_gone(ss, msg);
		return SSM_OK;
	}
	if (st < 300 && !proxy && (meth == M_SUBSCRIBE || meth == M_REFER) &&
	    dialog_creating(model(ss), (enum meth)meth))
		return add_usage(ss, meth, msg);   /* SS-STATE-42 */

	return SSM_OK;                              /* SS-STATE-17 */
}

int ss_on_message(struct ss *ss, const struct ssm_msg *msg,
		  struct ss **targetp)
{
	struct ss *target;
	enum meth meth;
	bool req;
	int err = SSM_OK;

	if (!ss || !msg || !msg->method || !msg->call_id)
		return SSM_NPE;
	if (!ss->valid)
		return SSM_ISE;

	target = ss;
	meth = ssm__meth(msg->method);
	req = msg->status == 0;
	mem_ref(ss);

	/* SS-05 and SAS-04: requests move both last-accessed times,
	 * incoming responses the SAS's; each restarts the expiry (EXP-02). */
	if (req)
		ss->accessed = ssm_now(model(ss));
	sas__touch(ss->sas, req || msg->dir == SSM_IN);

	if (req) {
		bool counts = meth != M_ACK &&
			!(ss->role == SS_ROLE_PROXY && msg->dir == SSM_OUT);

		if (counts) {
			err = tx_open(ss, meth, msg->cseq, msg->dir == SSM_IN);
			if (err)
				goto out;
		}
		if ((meth == M_SUBSCRIBE || meth == M_REFER) && msg->event) {
			char *ev = mem_strdup(msg->event);

			if (!ev) {
				err = SSM_NOMEM;
				goto out;
			}
			mem_deref(ss->pend_event);
			ss->pend_event = ev;
		}
		if (msg->dir == SSM_OUT && msg->cseq > ss->local_cseq &&
		    ss->role != SS_ROLE_PROXY)
			ss->local_cseq = msg->cseq;

		/* A dialog-creating request sent or received in INITIAL
		 * starts the session's initial transaction. */
		if (ss->state == SS_INITIAL && !ss->orig &&
		    meth == ss->init_meth && ss->kind == KIND_DIALOG &&
		    (!ss->ttag || ss->fell_back)) {
			ss->init_cseq = msg->cseq;
			ss->fell_back = false;
			ss->last_auth = false;
			if (ss->role == SS_ROLE_UAS && msg->dir == SSM_IN &&
			    model(ss)->opts.cf12_uas_early_in_doinvite)
				set_state(ss, SS_EARLY, msg);  /* CF-12 */
			ssm__dirty_ss(ss);
			goto out;
		}
		err = dialog_message(ss, meth, msg);
		goto out;
	}

	if (msg->status >= 200) {
		bool server = msg->dir == SSM_OUT;

		if (!(ss->role == SS_ROLE_PROXY && msg->dir == SSM_IN))
			tx_close(ss, meth, msg->cseq, server);
		if (ss->kind == KIND_NONDIALOG) {
			ss->last_auth = msg->status == 401 ||
					msg->status == 407;
			ssm__dirty_ss(ss);
		}
	}

	if (is_initial_tx(ss, meth, msg->cseq))
		err = initial_response(ss, meth, msg, &target);
	else
		err = dialog_message(ss, meth, msg);

 out:
	if (targetp)
		*targetp = target;
	mem_deref(ss);
	return err;
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
	orig = family_orig(ss);
	if (orig->valid && orig->state == SS_EARLY)
		set_state(orig, SS_TERMINATED, NULL);
	LIST_FOREACH(&orig->derived, e) {
		struct ss *d = container_of(e, struct ss, famle);

		if (d->valid && d->state == SS_EARLY)
			set_state(d, SS_TERMINATED, NULL);
	}
	ssm_settle(model(orig));
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
	ssm__htab_remove(&m->ss_by_id, &ss->hid);
	ssm__htab_remove(&m->ss_by_dialog, &ss->hdlg);
	ssm__htab_remove(&m->ss_by_family, &ss->hfam);
	if (ss->orig)
		ssm__list_unlink(&ss->orig->derived, &ss->famle);
	m->nss--;
	ssm__list_unlink(&sas->sips, &ss->sasle);
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
	m = model(ss);
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
	orig = family_orig(ss);
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
	o = &model(ss)->opts;
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
	    meth == M_BYE)                               /* SS-STATE-26 */
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
	for (i = model(ss)->opts.outbound_ifaces; i && *i; i++)
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
	ssm__emit(model(a), SSM_EV_LINK, a->sas, a, b, NULL, NULL, NULL);
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
	ssm__emit(model(s), SSM_EV_UNLINK, s->sas, s, peer, NULL, NULL, NULL);
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
	if (!orig_is_initial && model(ss)->opts.cf13_b2b_subsequent_needs_initial)
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
