/**
 * @file model/sip/store.c  a cluster's sessions, kept in Redis (DIST-*)
 *
 * With --store, sstck-ref is one node of a cluster whose application
 * sessions live in Redis (hiredis), not in one process: after each message
 * it handles (and each turn of timers) the node writes every application
 * session that message touched, as ssm_dist_save(REPLICATE) makes it; a
 * node that gets a message of a dialog it does not hold reads the session
 * back (ssm_dist_restore) and goes on with it (DIST-06 to DIST-09).  The
 * keys (conformance/distributed.md 17.7):
 *
 *   sstck:sas:ID      the session's text
 *   sstck:own:ID      the token of the node that wrote it last
 *   sstck:dlg:CALLID  the id of the session whose SipSession has that Call-ID
 *   sstck:cids:ID     the Call-IDs of its SipSessions (a set)
 *   sstck:due         sessions by their next timer or expiry (a sorted set)
 *   sstck:node:NAME   a live node's token, kept fresh while it runs
 *   sstck:claim:ID    a node taking over a due session nobody holds
 *
 * One node holds a session at a time (DIST-02): a node that takes one
 * over publishes it on the channel sstck:took, and a node that held it
 * drops its copy without a listener (ssm_dist_evict); before it handles a
 * message of a session it holds, a node also checks that the token in
 * sstck:own is still its own.  A node's token is its name and a number
 * drawn at start, so a node restarted under the same name is a new one.
 * Transactions in flight are not written (DIST-10): a survivor sees the
 * UA's retransmission as a new transaction.  An invalidated session's
 * keys go at once (a Lua script, atomically).
 */
#define _GNU_SOURCE 1          /* asprintf */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>
#include <hiredis/hiredis.h>
#include "sipc.h"
#include "mem.h"
#include "sipc_int.h"

#define STORE_POLL_MS   200   /* heartbeat and the scan for due sessions */
#define STORE_ALIVE_MS 1000   /* a node's key lives this long unrefreshed */
#define STORE_CLAIM_MS 2000
#define STORE_DUE_BATCH  16
#define STORE_RETRY_MS 1000   /* the store gone: how often to try again */

struct dirty {
	struct sas *sas;              /**< reference                     */
	char *id;
	bool took;                    /**< restored here: tell the others */
};

struct sipc_store {
	redisContext *rc;             /**< commands                      */
	redisContext *sub;            /**< SUBSCRIBE sstck:took          */
	char token[40];               /**< NODE:RANDOM                   */
	struct dirty *d;
	size_t nd, cap;
	uint64_t next_poll;
	bool broken;                  /**< the store went away: said once */
	uint64_t next_retry;          /**< broken: when to connect again  */
	unsigned long writes, bytes, restores, evictions;
};

static const char del_script[] =
	"local c = redis.call('SMEMBERS', 'sstck:cids:' .. ARGV[1]) "
	"for _, k in ipairs(c) do "
	"  if redis.call('GET', 'sstck:dlg:' .. k) == ARGV[1] then "
	"    redis.call('DEL', 'sstck:dlg:' .. k) end end "
	"redis.call('DEL', 'sstck:cids:' .. ARGV[1], 'sstck:sas:' .. ARGV[1], "
	"  'sstck:own:' .. ARGV[1], 'sstck:claim:' .. ARGV[1]) "
	"redis.call('ZREM', 'sstck:due', ARGV[1]) return #c";

/* ----- replies ----- */

static redisReply *cmd(struct sipc *c, const char *fmt, ...)
{
	struct sipc_store *s = c->store;
	redisReply *r;
	va_list ap;

	va_start(ap, fmt);
	r = redisvCommand(s->rc, fmt, ap);
	va_end(ap);
	if (!r && !s->broken) {
		sipc_log(c, "store: %s", s->rc->errstr[0] ? s->rc->errstr :
			 "no reply");
		s->broken = true;
	}
	return r;
}

/* The reply's text, or NULL (nil, an error, not a string). */
static const char *str_of(const redisReply *r)
{
	return r && r->type == REDIS_REPLY_STRING ? r->str : NULL;
}

static void trace_store(struct sipc *c, const char *ev, const char *id,
			const char *other)
{
	json_t *o = json_object();

	json_object_set_new(o, "ev", json_string(ev));
	json_object_set_new(o, "sas", json_string(id));
	json_object_set_new(o, "node", json_string(c->store->token));
	if (other)
		json_object_set_new(o, "from", json_string(other));
	sipc__trace_write(c, o);
}

/* ----- the values a distributable application's sessions hold ----- */

static bool codec_serializable(enum ssm_kind kind, const char *name,
			       const void *value, void *arg)
{
	(void)kind;
	(void)arg;
	if (name && !strcmp(name, LEG_ATTR))
		return true;
	return !value || sipc_ops_is_value(value);
}

static int codec_encode(enum ssm_kind kind, const char *name,
			const void *value, char **textp, void *arg)
{
	(void)kind;
	(void)arg;
	if (name && !strcmp(name, LEG_ATTR)) {
		const struct leg *l = value;
		char *inv = NULL;
		size_t len;
		json_t *o;

		/* the INVITE a UAS leg keeps for a forking callee's further
		 * 2xx (B2B-08) moves with it, as text */
		if (l->invite && osip_message_to_str(l->invite, &inv, &len) < 0)
			inv = NULL;
		o = json_pack("{s:s?, s:s?, s:s?, s:I, s:s?}",
			      "target", l->target, "local", l->local,
			      "remote", l->remote,
			      "cseq", (json_int_t)l->invite_cseq, "invite", inv);
		osip_free(inv);
		*textp = o ? json_dumps(o, JSON_COMPACT) : NULL;
		json_decref(o);
	} else {
		*textp = strdup(value ? value : "");
	}
	return *textp ? SSM_OK : SSM_NOMEM;
}

static char *dup_of(const json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? strdup(v) : NULL;
}

static int codec_decode(enum ssm_kind kind, const char *name,
			const char *text, void **valuep,
			struct ssm_binding *bp, void *arg)
{
	(void)kind;
	(void)bp;
	(void)arg;
	if (name && !strcmp(name, LEG_ATTR)) {
		json_t *o = json_loads(text, 0, NULL);
		struct leg *l = o ? calloc(1, sizeof(*l)) : NULL;

		if (!l) {
			json_decref(o);
			return SSM_IAE;
		}
		l->target = dup_of(o, "target");
		l->local = dup_of(o, "local");
		l->remote = dup_of(o, "remote");
		l->invite_cseq = (uint32_t)json_integer_value(
			json_object_get(o, "cseq"));
		{
			const char *inv = json_string_value(
				json_object_get(o, "invite"));

			if (inv && (osip_message_init(&l->invite) < 0 ||
				    osip_message_parse(l->invite, inv,
						       strlen(inv)) < 0)) {
				osip_message_free(l->invite);
				l->invite = NULL;
			}
		}
		json_decref(o);
		*valuep = l;            /* its owner comes with did_activate */
		return SSM_OK;
	}
	*valuep = (void *)sipc_ops_value(text);
	return *valuep ? SSM_OK : SSM_NOMEM;
}

static void codec_discard(enum ssm_kind kind, const char *name, void *value,
			  void *arg)
{
	(void)kind;
	(void)arg;
	if (name && !strcmp(name, LEG_ATTR))
		sipc__leg_free(value);
}

static void codec_activate(enum ssm_kind kind, void *owner, const char *name,
			   void *value, void *arg)
{
	(void)arg;
	if (kind == SSM_KIND_SS && name && !strcmp(name, LEG_ATTR))
		((struct leg *)value)->owner = owner;
}

/* Forget that this turn touched @sas: it left the node (passivated), and
 * the flush must neither write it nor, as it is no longer valid here,
 * delete its keys. */
static void untouch(struct sipc *c, struct sas *sas)
{
	struct sipc_store *s = c->store;

	for (size_t i = 0; i < s->nd; i++)
		if (s->d[i].sas == sas) {
			mem_deref(s->d[i].sas);
			free(s->d[i].id);
			s->d[i] = s->d[--s->nd];
			return;
		}
}

/* A node drops its copy: the legs are the container's, not the model's
 * (ssm_dist_evict leaves values to their owner). */
static void evict(struct sipc *c, struct sas *sas, const char *by)
{
	struct ssm_psess v[16];
	size_t n = 0;

	if (!sas_is_valid(sas))
		return;
	sas_sessions(sas, false, "SIP", v, 16, &n);
	for (size_t i = 0; i < n && i < 16; i++) {
		struct ss *ss = v[i].u.ss;
		struct leg *l = sipc__leg_of(ss);

		if (l && l->owner == ss) {
			ss_remove_attr(ss, LEG_ATTR);
			sipc__leg_free(l);
		}
	}
	if (c->store) {
		c->store->evictions++;
		untouch(c, sas);   /* another node's now: its keys stay */
	}
	trace_store(c, "store-evicted", sas_id(sas), by);
	ssm_dist_evict(sas);
}

/* ----- what a turn touched, written at its end ----- */

void sipc__store_touch(struct sipc *c, struct sas *sas)
{
	struct sipc_store *s = c->store;

	if (!s || !sas || c->cfg.not_distributable)
		return;                 /* DIST-01: only a distributable app's */
	for (size_t i = 0; i < s->nd; i++)
		if (s->d[i].sas == sas)
			return;
	if (s->nd == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 8;
		struct dirty *d = realloc(s->d, cap * sizeof(*d));

		if (!d)
			return;
		s->d = d;
		s->cap = cap;
	}
	s->d[s->nd].id = strdup(sas_id(sas));
	if (!s->d[s->nd].id)
		return;
	s->d[s->nd].sas = mem_ref(sas);
	s->d[s->nd].took = false;
	s->nd++;
}

/* Pipelined: the session, its owner, its dialogs, its next due time. */
/* Pipelined: the session's text, its owner, the dialogs of its Call-IDs
 * @cids, its next due time.  @return the replies to read. */
static int append_keys(struct sipc_store *s, const char *id, const char *text,
		       const char *const *cids, size_t nc, uint64_t due)
{
	redisAppendCommand(s->rc, "SET sstck:sas:%s %s", id, text);
	redisAppendCommand(s->rc, "SET sstck:own:%s %s", id, s->token);
	for (size_t i = 0; i < nc; i++) {
		redisAppendCommand(s->rc, "SET sstck:dlg:%s %s", cids[i], id);
		redisAppendCommand(s->rc, "SADD sstck:cids:%s %s", id, cids[i]);
	}
	if (due)
		redisAppendCommand(s->rc, "ZADD sstck:due %llu %s",
				   (unsigned long long)due, id);
	else
		redisAppendCommand(s->rc, "ZREM sstck:due %s", id);
	s->writes++;
	s->bytes += strlen(text);
	return 3 + 2 * (int)nc;
}

/* The Call-IDs of @sas's SipSessions, borrowed, into @cids (16 at most). */
static size_t cids_of(struct sas *sas, const char **cids)
{
	struct ssm_psess v[16];
	size_t n = 0, nc = 0;

	sas_sessions(sas, false, "SIP", v, 16, &n);
	for (size_t i = 0; i < n && i < 16; i++)
		if (!ss_call_id(v[i].u.ss, &cids[nc]) && cids[nc])
			nc++;
	return nc;
}

static int append_write(struct sipc *c, struct dirty *d, const char *text)
{
	struct sipc_store *s = c->store;
	const char *cids[16];
	size_t nc = cids_of(d->sas, cids);
	int k = append_keys(s, d->id, text, cids, nc,
			    ssm_dist_next_due(d->sas));

	if (d->took) {
		char *msg = NULL;

		/* one argument: hiredis splits its format at spaces */
		if (asprintf(&msg, "%s %s", d->id, s->token) < 0)
			return k;
		redisAppendCommand(s->rc, "PUBLISH sstck:took %s", msg);
		free(msg);
		k++;
	}
	return k;
}

void sipc__store_flush(struct sipc *c)
{
	struct sipc_store *s = c->store;
	int replies = 0;

	if (!s || !s->nd)
		return;
	for (size_t i = 0; i < s->nd; i++) {
		struct dirty *d = &s->d[i];
		char *text = NULL;
		int err;

		if (!sas_is_valid(d->sas)) {
			redisAppendCommand(s->rc, "EVAL %s 0 %s", del_script,
					   d->id);
			replies++;
			continue;
		}
		err = ssm_dist_save(d->sas, SSM_DIST_REPLICATE, &text);
		if (err) {
			sipc_log(c, "store: %s not written: %s", d->id,
				 ssm_strerror(err));
			continue;
		}
		replies += append_write(c, d, text);
		free(text);
	}
	while (replies-- > 0) {
		void *r = NULL;

		if (redisGetReply(s->rc, &r) != REDIS_OK) {
			if (!s->broken)
				sipc_log(c, "store: %s", s->rc->errstr);
			s->broken = true;
			break;
		}
		if (((redisReply *)r)->type == REDIS_REPLY_ERROR)
			sipc_log(c, "store: %s", ((redisReply *)r)->str);
		freeReplyObject(r);
	}
	for (size_t i = 0; i < s->nd; i++) {
		mem_deref(s->d[i].sas);
		free(s->d[i].id);
	}
	s->nd = 0;
}

/* ----- a node that stops: its sessions leave it ----- */

/* One application session into the store, passivated: 1, or 0 when it
 * cannot move (then it stays here and dies with the node). */
static int passivate(struct sipc *c, struct sas *sas)
{
	struct sipc_store *s = c->store;
	struct ssm_psess ps[16];
	struct leg *legs[16];
	const char *cids[16];
	char *copies[16], *text = NULL, id[512];
	size_t np = 0, nl = 0, nc;
	uint64_t due = ssm_dist_next_due(sas);
	int replies;

	snprintf(id, sizeof(id), "%s", sas_id(sas));
	sas_sessions(sas, false, "SIP", ps, 16, &np);
	for (size_t k = 0; k < np && k < 16; k++) {
		struct leg *l = sipc__leg_of(ps[k].u.ss);

		if (l && l->owner == ps[k].u.ss)
			legs[nl++] = l;
	}
	/* the Call-IDs outlive the sessions they are read from: copies */
	nc = cids_of(sas, cids);
	for (size_t k = 0; k < nc; k++)
		cids[k] = copies[k] = strdup(cids[k]);
	for (size_t k = 0; k < nc; k++)
		if (!copies[k])
			goto out;
	if (ssm_dist_save(sas, SSM_DIST_PASSIVATE, &text))
		goto out;
	untouch(c, sas);   /* it left, it was not invalidated: keep its keys */
	replies = append_keys(s, id, text, cids, nc, due);
	while (replies-- > 0) {
		void *r = NULL;

		if (redisGetReply(s->rc, &r) != REDIS_OK)
			break;
		freeReplyObject(r);
	}
	free(text);
	trace_store(c, "store-passivated", id, NULL);
	for (size_t k = 0; k < nl; k++)
		sipc__leg_free(legs[k]);        /* their sessions are gone */
	for (size_t k = 0; k < nc; k++)
		free(copies[k]);
	return 1;
out:
	for (size_t k = 0; k < nc; k++)
		free(copies[k]);
	return 0;
}

/* Every application session this node holds, passivated into the store
 * (ssm_dist_save PASSIVATE: sessionWillPassivate on each value, then the
 * text, then the session leaves the model with no invalidation, DIST-12),
 * so that a node that stops on SIGTERM hands its calls over whole.  The
 * legs are the container's: freed once their sessions have left. */
void sipc__store_passivate_all(struct sipc *c)
{
	struct sipc_store *s = c->store;
	struct sas *v[256];
	size_t n, moved = 0;

	if (!s || s->broken || c->cfg.not_distributable)
		return;
	sipc__store_flush(c);
	while ((n = ssm_list_sas(c->m, v, 256)) > 0 && n <= 256) {
		size_t before = moved;

		for (size_t i = 0; i < n; i++)
			moved += passivate(c, v[i]);
		if (moved == before)
			break;              /* what is left cannot move */
	}
}

/* ----- taking a session over ----- */

/* Read @id from the store into this node; NULL if it is not there or
 * cannot be read (said in the log). */
static struct sas *restore(struct sipc *c, const char *id)
{
	struct sipc_store *s = c->store;
	redisReply *r = cmd(c, "GET sstck:sas:%s", id);
	redisReply *o = cmd(c, "GET sstck:own:%s", id);
	struct sas *sas = NULL, *old = NULL;
	int err = SSM_IAE;

	if (str_of(r)) {
		if (!ssm_app_find_sas(c->mapp, id, &old) && old)
			evict(c, old, str_of(o));
		err = ssm_dist_restore(c->m, r->str, &sas);
	}
	if (str_of(r) && err)
		sipc_log(c, "store: %s cannot be restored: %s", id,
			 ssm_strerror(err));
	if (c->cfg.verbose)
		sipc_log(c, "store: %s restored from %s: %s", id,
			 str_of(o) ? str_of(o) : "no owner", ssm_strerror(err));
	if (!err && sas) {
		s->restores++;
		trace_store(c, "store-restored", id, str_of(o));
		sipc__store_touch(c, sas);
		for (size_t i = 0; i < s->nd; i++)
			if (s->d[i].sas == sas)
				s->d[i].took = true;
	}
	freeReplyObject(r);
	freeReplyObject(o);
	return err ? NULL : sas;
}

/* Ours, or another node's since we last wrote it: then read again. */
static void check_held(struct sipc *c, struct sas *sas)
{
	char id[256];
	redisReply *o;

	snprintf(id, sizeof(id), "%s", sas_id(sas));
	o = cmd(c, "GET sstck:own:%s", id);
	if (c->cfg.verbose)
		sipc_log(c, "store: %s held here, owned by %s", id,
			 str_of(o) ? str_of(o) : "nobody");
	if (str_of(o) && strcmp(o->str, c->store->token))
		restore(c, id);
	freeReplyObject(o);
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
	if (!ssm_app_find_sas(c->mapp, id, &sas) && sas && sas_is_valid(sas)) {
		check_held(c, sas);
		return;
	}
	r = cmd(c, "EXISTS sstck:sas:%s", id);
	if (r && r->type == REDIS_REPLY_INTEGER && r->integer == 1)
		restore(c, id);
	freeReplyObject(r);
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
	if (MSG_IS_REQUEST(m) && !MSG_IS_ACK(m) && !sipc__tag_of(m->to)) {
		claim_key(c, m);   /* an initial request: new, or by its key */
		return;
	}
	sipc__to_ev(m, SSM_IN, &ev, cid, sizeof(cid));
	ss = ssm_match(c->m, &ev);
	if (ss && ss_is_valid(ss) && !ss_app_session(ss, &sas) && sas) {
		check_held(c, sas);
		return;
	}
	r = cmd(c, "GET sstck:dlg:%s", cid);
	if (str_of(r)) {
		if (!ssm_app_find_sas(c->mapp, r->str, &sas) && sas &&
		    sas_is_valid(sas))
			check_held(c, sas);
		else
			restore(c, r->str);
	}
	freeReplyObject(r);
}

/* ----- the other nodes: who took what, and what fell due ----- */

static void on_took(struct sipc *c, const redisReply *r)
{
	char id[256];
	const char *sp;
	struct sas *sas = NULL;

	if (r->type != REDIS_REPLY_ARRAY || r->elements != 3 ||
	    !str_of(r->element[0]) || strcmp(r->element[0]->str, "message") ||
	    !str_of(r->element[2]))
		return;
	sp = strchr(r->element[2]->str, ' ');
	if (!sp || !strcmp(sp + 1, c->store->token) ||
	    (size_t)(sp - r->element[2]->str) >= sizeof(id))
		return;
	snprintf(id, sizeof(id), "%.*s", (int)(sp - r->element[2]->str),
		 r->element[2]->str);
	if (!ssm_app_find_sas(c->mapp, id, &sas) && sas)
		evict(c, sas, sp + 1);
}

/* A due session whose owner is gone: claimed, restored; its timers fire
 * at the next pump (DIST-09). */
static void take_due(struct sipc *c, const char *id)
{
	struct sas *sas = NULL;
	redisReply *o, *alive, *cl;
	char node[40];
	const char *colon;

	if (!ssm_app_find_sas(c->mapp, id, &sas) && sas)
		return;                     /* ours: our own timers fire it */
	o = cmd(c, "GET sstck:own:%s", id);
	if (!str_of(o) || !(colon = strchr(o->str, ':'))) {
		freeReplyObject(o);
		return;
	}
	snprintf(node, sizeof(node), "%.*s", (int)(colon - o->str), o->str);
	alive = cmd(c, "GET sstck:node:%s", node);
	if (str_of(alive) && !strcmp(alive->str, o->str)) {
		freeReplyObject(o);             /* its node lives: its turn */
		freeReplyObject(alive);
		return;
	}
	cl = cmd(c, "SET sstck:claim:%s %s NX PX %d", id, c->store->token,
		 STORE_CLAIM_MS);
	if (cl && cl->type == REDIS_REPLY_STATUS)
		restore(c, id);
	freeReplyObject(o);
	freeReplyObject(alive);
	freeReplyObject(cl);
}

static void poll_store(struct sipc *c)
{
	struct sipc_store *s = c->store;
	char name[SSM_NODE_MAX + 1];
	redisReply *r;

	snprintf(name, sizeof(name), "%.*s",
		 (int)(strchr(s->token, ':') - s->token), s->token);
	freeReplyObject(cmd(c, "SET sstck:node:%s %s PX %d", name, s->token,
			    STORE_ALIVE_MS));
	r = cmd(c, "ZRANGEBYSCORE sstck:due -inf %llu LIMIT 0 %d",
		(unsigned long long)ssm_now(c->m), STORE_DUE_BATCH);
	if (r && r->type == REDIS_REPLY_ARRAY)
		for (size_t i = 0; i < r->elements; i++)
			if (str_of(r->element[i]))
				take_due(c, r->element[i]->str);
	freeReplyObject(r);
	sipc__store_flush(c);
}

static void store_run(void *arg, bool ready);

/* The store came back (a Redis restarted): both connections again, the
 * subscription, and every session this node holds written anew, since
 * what changed while the store was away was not. */
static void reconnect(struct sipc *c)
{
	struct sipc_store *s = c->store;
	struct timeval tv = { 2, 0 };
	redisReply *r;
	struct sas *v[256];
	size_t n;

	if (redisReconnect(s->rc) != REDIS_OK ||
	    redisReconnect(s->sub) != REDIS_OK)
		return;
	redisSetTimeout(s->rc, tv);
	redisSetTimeout(s->sub, tv);
	r = redisCommand(s->sub, "SUBSCRIBE sstck:took");
	if (!r || r->type != REDIS_REPLY_ARRAY) {
		freeReplyObject(r);
		return;
	}
	freeReplyObject(r);
	for (int i = 0; i < c->nsrc; i++)
		if (c->src[i].arg == c && c->src[i].run == store_run)
			c->src[i].fd = s->sub->fd;
	s->broken = false;
	sipc_log(c, "store: connected again");
	n = ssm_list_sas(c->m, v, 256);
	for (size_t i = 0; i < n && i < 256; i++)
		sipc__store_touch(c, v[i]);
	sipc__store_flush(c);
}

static int store_timeout(void *arg)
{
	struct sipc *c = arg;
	uint64_t now = sipc__now_ms(), due = c->store->broken ?
		 c->store->next_retry : c->store->next_poll;

	return now >= due ? 0 : (int)(due - now);
}

static void store_run(void *arg, bool ready)
{
	struct sipc *c = arg;
	struct sipc_store *s = c->store;

	if (ready && redisBufferRead(s->sub) == REDIS_OK) {
		void *r = NULL;

		while (redisGetReplyFromReader(s->sub, &r) == REDIS_OK && r) {
			on_took(c, r);
			freeReplyObject(r);
			r = NULL;
		}
	} else if (ready) {
		if (!s->broken)
			sipc_log(c, "store: the subscription ended: %s",
				 s->sub->errstr);
		s->broken = true;
		/* no longer polled: a closed socket is always readable */
		for (int i = 0; i < c->nsrc; i++)
			if (c->src[i].arg == c && c->src[i].run == store_run)
				c->src[i].fd = -1;
	}
	if (s->broken && sipc__now_ms() >= s->next_retry) {
		s->next_retry = sipc__now_ms() + STORE_RETRY_MS;
		reconnect(c);
	}
	if (!s->broken && sipc__now_ms() >= s->next_poll) {
		poll_store(c);
		s->next_poll = sipc__now_ms() + STORE_POLL_MS;
	}
}

/* ----- start and stop ----- */

/* A seed for the model's ids from kernel randomness (getrandom), or the
 * container's token when there is none. */
static uint64_t seed_of(const char *tok)
{
	uint64_t v = 0;

	if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
		v = strtoull(tok, NULL, 16);
	return v;
}

static redisContext *connect_to(struct sipc *c, const char *host, int port)
{
	struct timeval tv = { 2, 0 };
	redisContext *rc = redisConnectWithTimeout(host, port, tv);

	if (!rc || rc->err) {
		sipc_log(c, "store: cannot connect to %s:%d: %s", host, port,
			 rc ? rc->errstr : "out of memory");
		redisFree(rc);
		return NULL;
	}
	redisSetTimeout(rc, tv);
	return rc;
}

int sipc__store_open(struct sipc *c)
{
	static const struct ssm_codec codec = {
		.serializable = codec_serializable, .encode = codec_encode,
		.decode = codec_decode, .discard = codec_discard,
		.did_activate = codec_activate,
	};
	const char *spec = c->cfg.store, *colon = strrchr(spec, ':');
	struct sipc_store *s;
	struct sipc_source src;
	char host[64];
	int port = colon ? atoi(colon + 1) : 6379;
	redisReply *r;
	char tok[40];

	snprintf(host, sizeof(host), "%.*s",
		 colon ? (int)(colon - spec) : (int)strlen(spec), spec);
	s = calloc(1, sizeof(*s));
	if (!s)
		return -1;
	c->store = s;
	sipc__gen_token(tok, sizeof(tok));
	snprintf(s->token, sizeof(s->token), "%s:%.16s", c->cfg.node, tok);
	s->rc = connect_to(c, host, port);
	s->sub = s->rc ? connect_to(c, host, port) : NULL;
	if (!s->sub)
		return -1;
	r = redisCommand(s->sub, "SUBSCRIBE sstck:took");
	if (!r || r->type != REDIS_REPLY_ARRAY) {
		sipc_log(c, "store: SUBSCRIBE failed: %s", r && r->str ?
			 r->str : s->sub->errstr);
		freeReplyObject(r);
		return -1;
	}
	freeReplyObject(r);
	if (ssm_set_node(c->m, c->cfg.node, seed_of(tok)) ||
	    (!c->cfg.not_distributable &&
	     ssm_app_set_distributable(c->mapp, &codec)))
		return -1;
	src = (struct sipc_source){ .fd = s->sub->fd,
		.timeout_ms = store_timeout, .run = store_run, .arg = c };
	return sipc_add_source(c, &src);
}

void sipc__store_close(struct sipc *c)
{
	struct sipc_store *s = c->store;

	if (!s)
		return;
	if (s->rc && !s->broken)
		sipc__store_flush(c);
	for (size_t i = 0; i < s->nd; i++) {
		mem_deref(s->d[i].sas);
		free(s->d[i].id);
	}
	free(s->d);
	redisFree(s->rc);
	redisFree(s->sub);
	free(s);
	c->store = NULL;
}

void sipc__store_stats(const struct sipc *c, json_t *o)
{
	const struct sipc_store *s = c->store;

	if (!s)
		return;
	json_object_set_new(o, "node", json_string(s->token));
	json_object_set_new(o, "store_writes", json_integer((json_int_t)s->writes));
	json_object_set_new(o, "store_bytes", json_integer((json_int_t)s->bytes));
	json_object_set_new(o, "store_restores",
			    json_integer((json_int_t)s->restores));
	json_object_set_new(o, "store_evictions",
			    json_integer((json_int_t)s->evictions));
}
