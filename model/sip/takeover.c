/**
 * @file model/sip/takeover.c  a cluster node taking sessions over (DIST-*)
 *
 * The half of store.c that reads sessions in: a message of a dialog
 * this node does not hold (the session restored from the store, and
 * this node its owner from then on: take_script), an initial request
 * whose application key names a session of the store (DIST-06), a new
 * INVITE the front sent on from a node that died before answering it
 * (the dead node's session of it dropped), a session another node took
 * (dropped here: the channel sstck:took), and a due session whose owner
 * is gone (claimed, restored, its timers fired: DIST-09).
 */
#include <stdio.h>
#include <string.h>
#include <hiredis/hiredis.h>
#include "sipc.h"
#include "sipc_int.h"

#define STORE_CLAIM_MS 2000   /* a due session claimed by one node this long */

/* ----- taking a session over ----- */

/* Read @id from the store into this node, which owns it from then on
 * (take_script); NULL if it is not there or cannot be read (said in the
 * log). */
static struct sas *restore(struct sipc *c, const char *id)
{
	struct sipc_store *s = c->store;
	const char *v[2] = { id, s->token };
	redisReply *r = sipc__store_eval(c, SIPC_LUA_TAKE, 2, v);
	const char *text = NULL, *from = NULL;
	struct sas *sas = NULL, *old = NULL;
	int err = SSM_IAE;

	if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
	    sipc__store_str(r->element[0]) && sipc__store_str(r->element[1])) {
		text = r->element[0]->str;
		from = r->element[1]->str[0] ? r->element[1]->str : NULL;
	} else if (r && r->type == REDIS_REPLY_ERROR) {
		sipc_log(c, "store: %s", r->str);
	}
	if (text) {
		if (!ssm_app_find_sas(c->mapp, id, &old) && old)
			sipc__store_evict(c, old, from, "store-evicted");
		err = ssm_dist_restore(c->m, text, &sas);
	}
	if (text && err)
		sipc_log(c, "store: %s cannot be restored: %s", id,
			 ssm_strerror(err));
	if (c->cfg.verbose)
		sipc_log(c, "store: %s restored from %s: %s", id,
			 from ? from : "no owner", ssm_strerror(err));
	if (!err && sas) {
		s->restores++;
		sipc__store_trace(c, "store-restored", id, from);
		sipc__store_touch(c, sas, false);
	}
	freeReplyObject(r);
	return err ? NULL : sas;
}

/* Ours, or another node's since we last wrote it: then read again. */
static void check_held(struct sipc *c, struct sas *sas)
{
	char id[256];
	redisReply *o;

	snprintf(id, sizeof(id), "%s", sas_id(sas));
	o = sipc__store_cmd(c, "GET sstck:own:%s", id);
	if (c->cfg.verbose)
		sipc_log(c, "store: %s held here, owned by %s", id,
			 sipc__store_str(o) ? sipc__store_str(o) : "nobody");
	if (sipc__store_str(o) && strcmp(o->str, c->store->token))
		restore(c, id);
	freeReplyObject(o);
}

/* The session @id if this node holds it (valid), else NULL. */
static struct sas *held(struct sipc *c, const char *id)
{
	struct sas *sas = NULL;

	return !ssm_app_find_sas(c->mapp, id, &sas) && sas && sas_is_valid(sas) ?
	       sas : NULL;
}

/* An initial request whose application key (@SipApplicationKey, KEY-01)
 * names an application session another node holds or held: that one,
 * not a new one here (DIST-06: it is found by the same key).  A keyed
 * session's id is the key's (as-APP~KEY), so the store finds it by id. */
static void claim_key(struct sipc *c, const osip_message_t *m)
{
	osip_header_t *h = NULL;
	struct sas *sas = NULL;
	char id[512];
	redisReply *r;

	if (!c->app.key_header ||
	    osip_message_header_get_byname(m, c->app.key_header, 0, &h) < 0 ||
	    !h || !h->hvalue || !h->hvalue[0] ||
	    (size_t)snprintf(id, sizeof(id), "as-%s~%s", c->app.name,
			     h->hvalue) >= sizeof(id))
		return;
	if ((sas = held(c, id))) {
		check_held(c, sas);
		return;
	}
	r = sipc__store_cmd(c, "EXISTS sstck:sas:%s", id);
	if (r && r->type == REDIS_REPLY_INTEGER && r->integer == 1)
		restore(c, id);
	freeReplyObject(r);
}

/* Whether a SipSession of @sas is of the call @cid that @ftag's party
 * started: the Call-ID, and that party's tag on either side. */
static bool of_call(struct sas *sas, const char *cid, const char *ftag)
{
	struct ssm_psess v[16];
	size_t n = 0;

	sas_sessions(sas, false, "SIP", v, 16, &n);
	for (size_t i = 0; i < n && i < 16; i++) {
		const char *id = NULL, *lt = NULL, *rt = NULL;

		if (!ss_call_id(v[i].u.ss, &id) && id && !strcmp(id, cid) &&
		    !ss_tags(v[i].u.ss, &lt, &rt) &&
		    ((lt && !strcmp(lt, ftag)) || (rt && !strcmp(rt, ftag))))
			return true;
	}
	return false;
}

/* An initial INVITE whose Call-ID the store gives to an application
 * session this node does not hold, made for that very INVITE (the same
 * Call-ID and From tag): another node made it and died before its
 * answer left, and the front sends the INVITE on here (a transaction is
 * not carried, DIST-10).  The call starts again here as a new one; the
 * dead node's session of it, whatever state its replica was written in
 * (the write goes ahead of the 200 it was about to send), is taken over
 * and invalidated, its keys gone with it, rather than left in the store
 * until it expires.  One GET a new INVITE.  A front that forked one
 * INVITE to two nodes at once would have each drop the other's:
 * ref-cluster's dispatcher sends it to one at a time. */
static void drop_stale(struct sipc *c, const osip_message_t *m)
{
	char cid[256], id[256];
	const char *ftag = sipc__tag_of(m->from);
	struct sas *sas;
	redisReply *r;

	if (!ftag)
		return;
	sipc__call_id_str(m, cid, sizeof(cid));
	r = sipc__store_cmd(c, "GET sstck:dlg:%s", cid);
	if (!sipc__store_str(r) || strlen(r->str) >= sizeof(id) ||
	    held(c, r->str)) {
		freeReplyObject(r);
		return;
	}
	snprintf(id, sizeof(id), "%s", r->str);
	freeReplyObject(r);
	sas = restore(c, id);
	if (!sas || !of_call(sas, cid, ftag))
		return;
	sipc__store_trace(c, "store-stale", id, NULL);
	c->store->stale++;
	sas_invalidate(sas);
}

void sipc__store_claim(struct sipc *c, const osip_message_t *m)
{
	struct ssm_msg ev;
	char cid[256];
	struct ss *ss;
	struct sas *sas = NULL;
	redisReply *r;

	if (!c->store)
		return;
	c->store->no_dialog = false;
	if (MSG_IS_REQUEST(m) && !MSG_IS_ACK(m) && !sipc__tag_of(m->to)) {
		claim_key(c, m);   /* an initial request: new, or by its key */
		if (MSG_IS_INVITE(m))
			drop_stale(c, m);
		return;
	}
	sipc__to_ev(m, SSM_IN, &ev, cid, sizeof(cid));
	ss = ssm_match(c->m, &ev);
	if (ss && ss_is_valid(ss) && !ss_app_session(ss, &sas) && sas) {
		check_held(c, sas);
		return;
	}
	r = sipc__store_cmd(c, "GET sstck:dlg:%s", cid);
	if (sipc__store_str(r)) {
		if ((sas = held(c, r->str)))
			check_held(c, sas);
		else
			restore(c, r->str);
	} else if (r && MSG_IS_REQUEST(m) && !MSG_IS_ACK(m)) {
		c->store->no_dialog = true;
	}
	freeReplyObject(r);
}

/* ----- the other nodes: who took what, and what fell due ----- */

void sipc__store_on_took(struct sipc *c, const redisReply *r)
{
	char id[256];
	const char *sp;
	struct sas *sas = NULL;

	if (r->type != REDIS_REPLY_ARRAY || r->elements != 3 ||
	    !sipc__store_str(r->element[0]) || strcmp(r->element[0]->str, "message") ||
	    !sipc__store_str(r->element[2]))
		return;
	sp = strchr(r->element[2]->str, ' ');
	if (!sp || !strcmp(sp + 1, c->store->token) ||
	    (size_t)(sp - r->element[2]->str) >= sizeof(id))
		return;
	snprintf(id, sizeof(id), "%.*s", (int)(sp - r->element[2]->str),
		 r->element[2]->str);
	if (!ssm_app_find_sas(c->mapp, id, &sas) && sas)
		sipc__store_evict(c, sas, sp + 1, "store-evicted");
}

/* A due session whose owner is gone: claimed, restored; its timers fire
 * at the next pump (DIST-09). */
void sipc__store_take_due(struct sipc *c, const char *id)
{
	struct sas *sas = NULL;
	redisReply *o, *alive, *cl;
	char node[40];
	const char *colon;

	if (!ssm_app_find_sas(c->mapp, id, &sas) && sas)
		return;                     /* ours: our own timers fire it */
	o = sipc__store_cmd(c, "GET sstck:own:%s", id);
	if (!sipc__store_str(o) || !(colon = strchr(o->str, ':'))) {
		freeReplyObject(o);
		return;
	}
	snprintf(node, sizeof(node), "%.*s", (int)(colon - o->str), o->str);
	alive = sipc__store_cmd(c, "GET sstck:node:%s", node);
	if (sipc__store_str(alive) && !strcmp(alive->str, o->str)) {
		freeReplyObject(o);             /* its node lives: its turn */
		freeReplyObject(alive);
		return;
	}
	cl = sipc__store_cmd(c, "SET sstck:claim:%s %s NX PX %d", id, c->store->token,
		 STORE_CLAIM_MS);
	if (cl && cl->type == REDIS_REPLY_STATUS)
		restore(c, id);
	freeReplyObject(o);
	freeReplyObject(alive);
	freeReplyObject(cl);
}
