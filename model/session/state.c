/**
 * @file model/session/state.c  SipSession: its state machine
 *
 * The state machine of session-rules.md section 2, written as one switch
 * per role over the messages of the initial (dialog-creating) transaction,
 * and a second one for in-dialog messages.  Every change goes through
 * ss__set_state(), which emits the trace event and queues the session for
 * the readiness step.  Also here: the dialog state a session keeps for it
 * (tags, subscriptions, pending NOTIFYs) and its open transactions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "ssm_int.h"

/* ----- state ----- */

void ss__set_state(struct ss *ss, enum ss_state to,
		   const struct ssm_msg *msg)
{
	struct ssm *m = ss__model(ss);
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

struct ss *ss__family_orig(struct ss *ss)
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

/** A valid, not TERMINATED derived session of @orig, or NULL. */
static struct ss *live_sibling(struct ss *orig)
{
	LIST_FOREACH(&orig->derived, e) {
		struct ss *d = container_of(e, struct ss, famle);

		if (d->valid && d->state != SS_TERMINATED)
			return d;
	}
	return NULL;
}

/**
 * The session a dialog-creating 1xx/2xx with @tag belongs to: the original
 * when it has no tag yet, the one already bound to @tag (DERIVED-06), or a
 * new derived session (DERIVED-01).
 */
static struct ss *bind_or_derive(struct ss *ss, const char *tag, bool is2xx)
{
	struct ss *orig = ss__family_orig(ss);
	struct ss *t, *src = orig;
	bool linked;

	if (!orig->valid) {
		/* the original's early dialog ended with the first 2xx
		 * (RFC 3261 13.2.2.4) and it was invalidated; a further
		 * 2xx of the fork still makes a dialog (13.2.2.4: a new
		 * one, confirmed), derived from a live sibling (B2B-08).
		 * A late 1xx makes none: no INVITE is left to end it. */
		src = is2xx && tag ? live_sibling(orig) : NULL;
		if (!src || by_tag(orig, tag) == orig)
			return ss;
	}
	else if (!orig->ttag) {
		if (set_ttag(orig, tag))
			return NULL;
		return orig;
	}
	t = by_tag(orig, tag);
	if (t)
		return t;
	return ss__derive(orig, src, tag, &linked);
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
		ss__set_state(s, SS_TERMINATED, msg);
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

/** A usage of the dialog (SS-STATE-41), for ssm_dist_restore(). */
int ss__add_sub(struct ss *ss, const char *key)
{
	return add_sub(ss, key);
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
		ss__set_state(ss, SS_TERMINATED, msg);
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
/* A final non-2xx response to the initial request at a UAC or a proxy:
 * the proxy's session falls back to INITIAL (SS-STATE-31) unless its
 * family is done; the UAC's early dialogs end with the INVITE, and the
 * session falls back (SS-STATE-14/16) or ends (CF-02). */
static int initial_failure(struct ss *ss, struct ss *orig, const char *tag,
			   const struct ssm_msg *msg, struct ss **targetp)
{
	const struct ssm_opts *o = &ss__model(ss)->opts;
	int st = msg->status;
	struct ss *t;

	t = by_tag(orig, tag);
	if (!t)
		t = orig;
	*targetp = t;
	if (ss->role == SS_ROLE_PROXY) {
		if (t->state == SS_CONFIRMED)
			return SSM_OK;
		if (orig->family_done) {
			ss__set_state(t, SS_TERMINATED, msg);
			return SSM_OK;
		}
		/* SS-STATE-31: back to INITIAL, so the application
		 * can still add branches. */
		t->fell_back = true;
		if (t == orig && t->ttag && set_ttag(t, NULL))
			return SSM_NOMEM;
		if (t->state == SS_EARLY)
			ss__set_state(t, SS_INITIAL, msg);
		return SSM_OK;
	}

	/* UAC.  The early dialogs of a failed INVITE end with it. */
	*targetp = orig;
	LIST_FOREACH(&orig->derived, e) {
		struct ss *d = container_of(e, struct ss, famle);

		if (d->valid && d->state != SS_CONFIRMED)
			ss__set_state(d, SS_TERMINATED, msg);
	}
	if (orig->state == SS_CONFIRMED ||
	    orig->state == SS_TERMINATED)
		return SSM_OK;
	if (st == 487 && o->cf02_487_terminates) {  /* CF-02 */
		ss__set_state(orig, SS_TERMINATED, msg);
		return SSM_OK;
	}
	/* SS-STATE-14/16: back to INITIAL, remote tag forgotten. */
	orig->fell_back = true;
	orig->last_auth = st == 401 || st == 407;
	if (orig->ttag && set_ttag(orig, NULL))
		return SSM_NOMEM;
	if (orig->state == SS_EARLY)
		ss__set_state(orig, SS_INITIAL, msg);
	else
		ssm__dirty_ss(orig);
	return SSM_OK;
}

static int initial_response(struct ss *ss, enum meth meth,
			    const struct ssm_msg *msg, struct ss **targetp)
{
	const struct ssm_opts *o = &ss__model(ss)->opts;
	struct ss *orig = ss__family_orig(ss);
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
					ss__set_state(ss, SS_EARLY, msg);
				return SSM_OK;
			}
			t = bind_or_derive(ss, tag, false);
			if (!t)
				return SSM_NOMEM;
			*targetp = t;
			if (t->state == SS_INITIAL)  /* SS-STATE-11, -30 */
				ss__set_state(t, SS_EARLY, msg);
			return add_usage(t, meth == M_INVITE ? meth : M_OTHER,
					 msg);
		}
		if (st < 300) {
			if (!tag) {
				t = orig;
			}
			else {
				t = bind_or_derive(ss, tag, true);
				if (!t)
					return SSM_NOMEM;
			}
			*targetp = t;
			if (t->state == SS_INITIAL || t->state == SS_EARLY)
				ss__set_state(t, SS_CONFIRMED, msg);
			return add_usage(t, meth, msg);
		}

		/* A final non-2xx. */
		return initial_failure(ss, orig, tag, msg, targetp);

	case SS_ROLE_UAS:
		if (in)
			return SSM_OK;
		if (st < 200) {
			if (st == 100 || !tag)
				return SSM_OK;           /* SS-STATE-20 */
			t = bind_or_derive(ss, tag, false);
			if (!t)
				return SSM_NOMEM;
			*targetp = t;
			if (t->state == SS_INITIAL)      /* SS-STATE-21 */
				ss__set_state(t, SS_EARLY, msg);
			return add_usage(t, meth == M_INVITE ? meth : M_OTHER,
					 msg);
		}
		if (st < 300) {
			t = tag ? bind_or_derive(ss, tag, true) : orig;
			if (!t)
				return SSM_NOMEM;
			*targetp = t;
			if (t->state != SS_CONFIRMED)    /* SS-STATE-22 */
				ss__set_state(t, SS_CONFIRMED, msg);
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
	const struct ssm_opts *o = &ss__model(ss)->opts;
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
		    !ss__family_orig(ss)->family_done &&
		    ss->state != SS_CONFIRMED) {
			ss__family_orig(ss)->family_done = true;
			terminate_family(ss__family_orig(ss), msg, false);
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
				ss__set_state(ss, SS_CONFIRMED, msg);
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
		if (proxy && (msg->dir == SSM_IN) ==
			     !o->cf24_proxy_bye_ends_on_receipt)
			return SSM_OK;       /* CF-24: the other moment */
		if (proxy) {
			ss__set_state(ss, SS_TERMINATED, msg);
			return SSM_OK;
		}
		ss->invite_usage = false;
		usage_gone(ss, msg);
		return SSM_OK;
	}
	if (st < 300 && !proxy && (meth == M_SUBSCRIBE || meth == M_REFER) &&
	    ss__dialog_creating(ss__model(ss), (enum meth)meth))
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
		ss->accessed = ssm_now(ss__model(ss));
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
			    ss__model(ss)->opts.cf12_uas_early_in_doinvite)
				ss__set_state(ss, SS_EARLY, msg); /* CF-12 */
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
