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
 *   sstck:own:ID      the token of the node that owns it
 *   sstck:dlg:CALLID  the id of the session whose SipSession has that Call-ID
 *   sstck:cids:ID     the Call-IDs of its SipSessions (a set)
 *   sstck:due         sessions by their next timer or expiry (a sorted set)
 *   sstck:node:NAME   a live node's token, kept fresh while it runs
 *   sstck:claim:ID    a node taking over a due session nobody holds
 *
 * One node holds a session at a time (DIST-02), and only the node that
 * owns a session writes it: every write is a Lua script (write_script)
 * that checks sstck:own:ID and writes the keys in one step on the
 * server, or writes nothing and answers with the owner's token.  A node
 * becomes the owner as it reads a session in (take_script: the text, and
 * sstck:own set to its token, at once), and publishes that on the
 * channel sstck:took, on which a node that held the session drops its
 * copy without a listener (ssm_dist_evict).  A node that misses that
 * message (slow, or cut off from the store: a channel keeps nothing for
 * a subscriber that is away) and then writes finds that it lost the
 * session: the store keeps the owner's text, the node traces
 * "store-lost" and drops its copy before its next turn, and a later
 * message of that session on this node reads the session in again.
 * Before it handles a message of a session it holds, a node also checks
 * that the token in sstck:own is still its own.  A node's token is its
 * name and a number drawn at start, so a node restarted under the same
 * name is a new one.  Transactions in flight are not written (DIST-10):
 * a survivor sees the UA's retransmission as a new transaction.  An
 * invalidated session's keys go at once, by the owner only (del_script),
 * and when a response that ends its dialog leaves then, that dialog's
 * tombstone comes in the same step (sstck:end:KEY, ended.c).
 */
#define _GNU_SOURCE 1          /* asprintf */
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>
#include <unistd.h>
#include <hiredis/hiredis.h>
#include "sipc.h"
#include "mem.h"
#include "sipc_int.h"

#define STORE_POLL_MS   200   /* heartbeat and the scan for due sessions */
#define STORE_ALIVE_MS 1000   /* a node's key lives this long unrefreshed */
#define STORE_DUE_BATCH  16
#define STORE_RETRY_MS 1000   /* the store gone: how often to try again */

/* ----- replies ----- */

redisReply *sipc__store_cmd(struct sipc *c, const char *fmt, ...)
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
const char *sipc__store_str(const redisReply *r)
{
	return r && r->type == REDIS_REPLY_STRING ? r->str : NULL;
}

void sipc__store_trace(struct sipc *c, const char *ev, const char *id,
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

/* ----- the scripts: loaded once per connection, run by their SHA1 ----- */

/* The scripts loaded (their SHA1 for EVALSHA): 0, or -1 (said in the
 * log). */
static int store_prepare(struct sipc *c)
{
	struct sipc_store *s = c->store;
	char err[128];

	if (sipc__lua_load(s->rc, s->sha, err, sizeof(err))) {
		sipc_log(c, "store: SCRIPT LOAD failed: %s", err);
		return -1;
	}
	return 0;
}

/* The channel sstck:took on the second connection: 0, or -1 (said in
 * the log). */
static int subscribe(struct sipc *c)
{
	struct sipc_store *s = c->store;
	redisReply *r = redisCommand(s->sub, "SUBSCRIBE sstck:took");

	if (!r || r->type != REDIS_REPLY_ARRAY) {
		sipc_log(c, "store: SUBSCRIBE failed: %s", r && r->str ?
			 r->str : s->sub->errstr);
		freeReplyObject(r);
		return -1;
	}
	freeReplyObject(r);
	return 0;
}

/* Script @k run with @argc arguments @argv, waited for: its reply (NULL
 * when the store is gone).  A store that lost the scripts (SCRIPT
 * FLUSH) gets them again, once. */
redisReply *sipc__store_eval(struct sipc *c, enum sipc_lua k, int argc,
			     const char *const *argv)
{
	struct sipc_store *s = c->store;
	void *r = NULL;

	for (int round = 0; round < 2; round++) {
		sipc__lua_append(s->rc, s->sha[k], argc, argv);
		if (redisGetReply(s->rc, &r) != REDIS_OK) {
			if (!s->broken)
				sipc_log(c, "store: %s", s->rc->errstr);
			s->broken = true;
			return NULL;
		}
		if (!sipc__lua_noscript(r) || round || store_prepare(c))
			break;
		freeReplyObject(r);
		r = NULL;
	}
	return r;
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
 * (ssm_dist_evict leaves values to their owner).  @ev is the trace's
 * word for it: "store-evicted" (another node said it took the session)
 * or "store-lost" (a write refused: another node owns it, @by). */
void sipc__store_evict(struct sipc *c, struct sas *sas, const char *by,
		       const char *ev)
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
	sipc__store_trace(c, ev, sas_id(sas), by);
	ssm_dist_evict(sas);
}

/* Room in the array *@vp for one more than its @n (of *@capp, @size
 * bytes each): 0, or -1 (then it is as it was). */
static int grow(void **vp, size_t *capp, size_t n, size_t size)
{
	size_t cap = *capp ? 2 * *capp : 8;
	void *v;

	if (n < *capp)
		return 0;
	v = realloc(*vp, cap * size);
	if (!v)
		return -1;
	*vp = v;
	*capp = cap;
	return 0;
}

/* A write of @sas refused: @owner owns it ("" nobody: it was
 * invalidated there).  The store keeps the owner's; this node stops
 * writing its copy, and drops it at its next turn (drop_lost), or at
 * once says so for a copy that is no longer valid here. */
static void lost(struct sipc *c, struct sas *sas, const char *id,
		 const char *owner)
{
	struct sipc_store *s = c->store;

	s->losses++;
	if (c->cfg.verbose)
		sipc_log(c, "store: %s is %s's, not ours: our write refused",
			 id, owner[0] ? owner : "nobody");
	for (size_t i = 0; i < s->nlost; i++)
		if (s->lost[i].sas == sas)
			return;
	if (!sas_is_valid(sas)) {
		sipc__store_trace(c, "store-lost", id, owner[0] ? owner : NULL);
		return;
	}
	if (grow((void **)&s->lost, &s->caplost, s->nlost, sizeof(*s->lost)))
		return;
	s->lost[s->nlost].sas = mem_ref(sas);
	snprintf(s->lost[s->nlost].owner, sizeof(s->lost[0].owner), "%s",
		 owner);
	s->nlost++;
}

/* The copies lost() found stale, dropped between two turns, each if it
 * is still this node's copy (a message since may have read the session
 * in again: that copy is the owner's, and stays). */
static void drop_lost(struct sipc *c)
{
	struct sipc_store *s = c->store;

	while (s->nlost) {
		struct lost l = s->lost[--s->nlost];

		sipc__store_evict(c, l.sas, l.owner[0] ? l.owner : NULL, "store-lost");
		mem_deref(l.sas);
	}
}

/* ----- what a turn touched, written at its end ----- */

void sipc__store_touch(struct sipc *c, struct sas *sas, bool created)
{
	struct sipc_store *s = c->store;

	if (!s || !sas || c->cfg.not_distributable)
		return;                 /* DIST-01: only a distributable app's */
	for (size_t i = 0; i < s->nd; i++)
		if (s->d[i].sas == sas) {
			s->d[i].fresh |= created;
			return;
		}
	if (grow((void **)&s->d, &s->cap, s->nd, sizeof(*s->d)))
		return;
	s->d[s->nd].id = strdup(sas_id(sas));
	if (!s->d[s->nd].id)
		return;
	s->d[s->nd].sas = mem_ref(sas);
	s->d[s->nd].fresh = created;
	s->d[s->nd].sent = s->d[s->nd].retry = false;
	s->d[s->nd].back = s->d[s->nd].answered = false;
	s->nd++;
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

/* The write of one session's keys (write_script), appended to the
 * pipeline: the text @text, the owner's check @want, the Call-IDs
 * @cids (borrowed), its next due time. */
static void append_write(struct sipc_store *s, const char *id,
			 const char *want, const char *text,
			 const char *const *cids, size_t nc, uint64_t due)
{
	const char *v[5 + 16];
	char when[24] = "";
	size_t n = 0;

	if (due)
		snprintf(when, sizeof(when), "%llu", (unsigned long long)due);
	v[n++] = id;
	v[n++] = s->token;
	v[n++] = want;
	v[n++] = text;
	v[n++] = when;
	for (size_t i = 0; i < nc && i < 16; i++)
		v[n++] = cids[i];
	sipc__lua_append(s->rc, s->sha[SIPC_LUA_WRITE], (int)n, v);
	s->writes++;
	s->bytes += strlen(text);
}

/* Dirty entry @d into the pipeline: its keys deleted (invalidated) or
 * written; false when nothing was appended. */
static bool append_dirty(struct sipc *c, struct dirty *d)
{
	struct sipc_store *s = c->store;
	const char *cids[16];
	char *text = NULL;
	int err;

	if (!sas_is_valid(d->sas)) {
		/* a response that leaves now: its dialog's tombstone too */
		struct sipc_tomb t = { .text = NULL };
		bool tomb = s->out && sipc__tomb_of(c, s->out, s->outlen, &t);
		const char *v[6] = { d->id, s->token, t.key, t.cid, t.text,
				     t.ttl };

		sipc__lua_append(s->rc, s->sha[SIPC_LUA_DEL], tomb ? 6 : 2, v);
		free(t.text);
		return true;
	}
	err = ssm_dist_save(d->sas, SSM_DIST_REPLICATE, &text);
	if (err) {
		sipc_log(c, "store: %s not written: %s", d->id,
			 ssm_strerror(err));
		return false;
	}
	append_write(s, d->id, d->back ? "any" : d->fresh ? "new" : "mine",
		     text, cids, cids_of(d->sas, cids),
		     ssm_dist_next_due(d->sas));
	free(text);
	return true;
}

/* The reply to dirty entry @d's command: written, refused (lost), or
 * the scripts gone (true: again, once they are loaded). */
static bool dirty_reply(struct sipc *c, struct dirty *d, redisReply *r)
{
	if (sipc__lua_noscript(r))
		return true;
	if (r->type == REDIS_REPLY_ERROR)
		sipc_log(c, "store: %s", r->str);
	else if (r->type == REDIS_REPLY_STRING)
		lost(c, d->sas, d->id, r->str);
	return false;
}

/* A session made here whose write got no answer (the store went away):
 * it may not be in the store, and is written "any" once it is back.
 * Listed once a turn that touched it (reconnect sorts them). */
static void unwritten(struct sipc_store *s, const char *id)
{
	char *dup;

	if (grow((void **)&s->unwritten, &s->capun, s->nun,
		 sizeof(*s->unwritten)) || !(dup = strdup(id)))
		return;
	s->unwritten[s->nun++] = dup;
}

static void forget_unwritten(struct sipc_store *s)
{
	while (s->nun)
		free(s->unwritten[--s->nun]);
}

/* Every session this turn touched into the store, in one pipeline (an
 * entry's back: one that may be missing from it, the store come back).
 * A store that lost the scripts gets them again and the writes it
 * refused for that, once. */
static void flush(struct sipc *c)
{
	struct sipc_store *s = c->store;
	bool retry = false, deleted = false, made = false;

	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < s->nd; i++)
			s->d[i].sent = (!round || s->d[i].retry) &&
				       append_dirty(c, &s->d[i]);
		retry = false;
		for (size_t i = 0; i < s->nd; i++) {
			void *r = NULL;

			if (!s->d[i].sent)
				continue;
			if (redisGetReply(s->rc, &r) != REDIS_OK) {
				if (!s->broken)
					sipc_log(c, "store: %s", s->rc->errstr);
				s->broken = true;
				break;
			}
			s->d[i].answered = true;
			s->d[i].retry = dirty_reply(c, &s->d[i], r);
			retry |= s->d[i].retry;
			deleted |= !sas_is_valid(s->d[i].sas) &&
				   ((redisReply *)r)->type == REDIS_REPLY_INTEGER;
			made |= s->stop_new && s->d[i].fresh &&
				sas_is_valid(s->d[i].sas) &&
				((redisReply *)r)->type == REDIS_REPLY_INTEGER;
			freeReplyObject(r);
		}
		if (s->broken || !retry || store_prepare(c))
			break;
	}
	for (size_t i = 0; i < s->nd; i++) {
		if ((s->d[i].fresh || s->d[i].back) && !s->d[i].answered &&
		    sas_is_valid(s->d[i].sas))
			unwritten(s, s->d[i].id);
		mem_deref(s->d[i].sas);
		free(s->d[i].id);
	}
	s->nd = 0;
	/* model/ref/test-cluster's flow ended: the node stops where a kill
	 * is the worst, its ended session's keys gone and its response
	 * not yet sent */
	if (deleted && s->stop_ended && s->out &&
	    !strncmp(s->out, "SIP/2.0 ", 8))
		raise(SIGSTOP);
	/* its flow stale: the first node of the cluster to write a new
	 * session (the one that makes the file) stops before the response
	 * of that turn leaves, as a node dies before it answers an INVITE */
	if (made && s->stop_new && s->out && !strncmp(s->out, "SIP/2.0 ", 8)) {
		int fd = open(s->stop_new, O_WRONLY | O_CREAT | O_EXCL, 0644);

		if (fd >= 0) {
			close(fd);
			raise(SIGSTOP);
		}
	}
}

void sipc__store_flush(struct sipc *c)
{
	if (c->store && c->store->nd)
		flush(c);
}

void sipc__store_flush_out(struct sipc *c, const char *buf, size_t len)
{
	if (!c->store || !c->store->nd)
		return;
	c->store->out = buf;
	c->store->outlen = len;
	flush(c);
	c->store->out = NULL;
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
	void *r = NULL;

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
	append_write(s, id, "mine", text, cids, nc, due);
	free(text);
	if (redisGetReply(s->rc, &r) != REDIS_OK)
		r = NULL;
	if (sipc__store_str(r)) {
		/* another node's since: the store keeps its text */
		const char *owner = sipc__store_str(r);

		s->losses++;
		sipc__store_trace(c, "store-lost", id, owner[0] ? owner : NULL);
	} else {
		sipc__store_trace(c, "store-passivated", id, NULL);
	}
	freeReplyObject(r);
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
	drop_lost(c);                /* what is no longer ours stays theirs */
	while ((n = ssm_list_sas(c->m, v, 256)) > 0) {   /* 256 at a time */
		size_t before = moved;

		for (size_t i = 0; i < n && i < 256; i++)
			moved += passivate(c, v[i]);
		if (moved == before)
			break;              /* what is left cannot move */
	}
}

static void poll_store(struct sipc *c)
{
	struct sipc_store *s = c->store;
	char name[SSM_NODE_MAX + 1];
	redisReply *r;

	snprintf(name, sizeof(name), "%.*s",
		 (int)(strchr(s->token, ':') - s->token), s->token);
	freeReplyObject(sipc__store_cmd(c, "SET sstck:node:%s %s PX %d", name, s->token,
			    STORE_ALIVE_MS));
	r = sipc__store_cmd(c, "ZRANGEBYSCORE sstck:due -inf %llu LIMIT 0 %d",
		(unsigned long long)ssm_now(c->m), STORE_DUE_BATCH);
	if (r && r->type == REDIS_REPLY_ARRAY)
		for (size_t i = 0; i < r->elements; i++)
			if (sipc__store_str(r->element[i]))
				sipc__store_take_due(c, r->element[i]->str);
	freeReplyObject(r);
	sipc__store_flush(c);
}

static void store_run(void *arg, bool ready);

/* The store's run_id (INFO server) into @out: a Redis restarted, or
 * another one, has another; "" when it does not say. */
static void run_id_of(redisContext *rc, char *out, size_t n)
{
	redisReply *r = redisCommand(rc, "INFO server");
	const char *p = r && r->type == REDIS_REPLY_STRING ?
			strstr(r->str, "run_id:") : NULL;

	out[0] = '\0';
	if (p)
		snprintf(out, n, "%.*s", (int)strcspn(p + 7, "\r\n"), p + 7);
	freeReplyObject(r);
}

static int cmp_id(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_unwritten(const struct sipc_store *s, const char *id)
{
	return s->nun && bsearch(&id, s->unwritten, s->nun,
				 sizeof(*s->unwritten), cmp_id);
}

/* The store came back (a Redis restarted, or this node cut off from it a
 * while): both connections again, the scripts, the subscription, and
 * every session this node holds written anew, since what changed while
 * the store was away was not.  The same store (its run_id): a session
 * it has is written only if it is still this node's ("mine"), so that
 * one another node took, or took and ended, meanwhile is not written
 * back (write_script refuses it: lost); only a session made here whose
 * write got no answer may be missing ("any").  Another store, or one
 * restarted: every session may be missing, all "any". */
static void reconnect(struct sipc *c)
{
	struct sipc_store *s = c->store;
	struct timeval tv = { 2, 0 };
	char was[sizeof(s->run_id)];
	struct sas **v;
	size_t n;
	bool same;

	if (redisReconnect(s->rc) != REDIS_OK ||
	    redisReconnect(s->sub) != REDIS_OK)
		return;
	redisSetTimeout(s->rc, tv);
	redisSetTimeout(s->sub, tv);
	if (store_prepare(c) || subscribe(c))
		return;
	for (int i = 0; i < c->nsrc; i++)
		if (c->src[i].arg == c && c->src[i].run == store_run)
			c->src[i].fd = s->sub->fd;
	s->broken = false;
	snprintf(was, sizeof(was), "%s", s->run_id);
	run_id_of(s->rc, s->run_id, sizeof(s->run_id));
	same = was[0] && !strcmp(was, s->run_id);
	sipc_log(c, "store: connected again (%s)", same ? "the same store" :
		 "another store, or restarted: every session written anew");
	n = ssm_list_sas(c->m, NULL, 0);
	v = n ? calloc(n, sizeof(*v)) : NULL;
	n = v ? ssm_list_sas(c->m, v, n) : 0;
	for (size_t i = 0; i < n; i++)
		sipc__store_touch(c, v[i], false);
	free(v);
	if (s->nun)
		qsort(s->unwritten, s->nun, sizeof(*s->unwritten), cmp_id);
	for (size_t i = 0; i < s->nd; i++)
		s->d[i].back = !same || is_unwritten(s, s->d[i].id);
	forget_unwritten(s);
	flush(c);
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

	drop_lost(c);                /* between turns: see lost() */
	if (ready && redisBufferRead(s->sub) == REDIS_OK) {
		void *r = NULL;

		while (redisGetReplyFromReader(s->sub, &r) == REDIS_OK && r) {
			sipc__store_on_took(c, r);
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
	const char *spec = c->cfg.store, *colon = strrchr(spec, ':');
	struct sipc_store *s;
	struct sipc_source src;
	char host[64];
	int port = colon ? atoi(colon + 1) : 6379;
	char tok[40];

	snprintf(host, sizeof(host), "%.*s",
		 colon ? (int)(colon - spec) : (int)strlen(spec), spec);
	s = calloc(1, sizeof(*s));
	if (!s)
		return -1;
	c->store = s;
	s->stop_ended = getenv("SSTCK_REF_STOP_ENDED") != NULL;
	s->stop_new = getenv("SSTCK_REF_STOP_NEW");
	sipc__gen_token(tok, sizeof(tok));
	snprintf(s->token, sizeof(s->token), "%s:%.16s", c->cfg.node, tok);
	s->rc = connect_to(c, host, port);
	s->sub = s->rc ? connect_to(c, host, port) : NULL;
	if (!s->sub || store_prepare(c) || subscribe(c))
		return -1;
	run_id_of(s->rc, s->run_id, sizeof(s->run_id));
	if (ssm_set_node(c->m, c->cfg.node, seed_of(tok)) ||
	    (!c->cfg.not_distributable &&
	     ssm_app_set_distributable(c->mapp, sipc__store_codec())))
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
	for (size_t i = 0; i < s->nlost; i++)
		mem_deref(s->lost[i].sas);
	forget_unwritten(s);
	free(s->d);
	free(s->lost);
	free(s->unwritten);
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
	json_object_set_new(o, "store_stale",
			    json_integer((json_int_t)s->stale));
	json_object_set_new(o, "store_lost",
			    json_integer((json_int_t)s->losses));
}
