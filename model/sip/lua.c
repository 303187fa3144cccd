/**
 * @file model/sip/lua.c  the store's scripts: who owns a session, checked
 * where it is written
 *
 * A cluster node (store.c) writes, deletes and takes over a session in
 * Redis through these Lua scripts, each run whole on the server: the
 * check of sstck:own:ID and the writes it guards are one step, with no
 * other node's command between them (DIST-02).  They take no KEYS: each
 * makes its keys from the session's id (one Redis, not a Redis Cluster).
 *
 * Lua, not WATCH/MULTI/EXEC: a script is one round trip, and a turn's
 * writes stay one pipeline; WATCH would need a GET of the owner and an
 * EXEC per session, each its own round trip (a WATCH covers only its
 * connection's next EXEC), and a retry loop for each EXEC that fails.
 * They are loaded once per connection (SCRIPT LOAD) and run by their
 * SHA1 (EVALSHA), so that a write sends its arguments, not the script.
 */
#include <stdio.h>
#include <string.h>
#include <hiredis/hiredis.h>
#include "sipc.h"
#include "sipc_int.h"

/* One session's keys, by its owner only (DIST-02).  ARGV: the id, this
 * node's token, what sstck:own must be ("mine": this token; "new", a
 * session made here and not written yet: none; "any", the store come
 * back after it went away: either), the text, the next due time ("" for
 * none), the Call-IDs.  1 when written; else nothing is written and the
 * reply is the owner's token ("" when the session is gone from the
 * store: its owner invalidated it). */
static const char write_script[] =
	"local id, tok, want = ARGV[1], ARGV[2], ARGV[3] "
	"local own = redis.call('GET', 'sstck:own:' .. id) "
	"if (own and own ~= tok) or (own and want == 'new') or "
	"   (not own and want == 'mine') then return own or '' end "
	"redis.call('SET', 'sstck:sas:' .. id, ARGV[4]) "
	"redis.call('SET', 'sstck:own:' .. id, tok) "
	"for i = 6, #ARGV do "
	"  redis.call('SET', 'sstck:dlg:' .. ARGV[i], id) "
	"  redis.call('SADD', 'sstck:cids:' .. id, ARGV[i]) end "
	"if ARGV[5] ~= '' then redis.call('ZADD', 'sstck:due', ARGV[5], id) "
	"else redis.call('ZREM', 'sstck:due', id) end "
	"return 1";

/* An invalidated session's keys, by its owner (or nobody's: a session
 * never written).  ARGV: the id, this node's token; and when a final
 * response leaves with the deletion, its dialog's tombstone (ended.c):
 * the key's CALLID;FROMTAG;TOTAG, the Call-ID, the response, its life
 * in ms, written in the same step if that Call-ID is the session's.
 * The number of its Call-IDs, or the owner's token (then nothing is
 * deleted). */
static const char del_script[] =
	"local own = redis.call('GET', 'sstck:own:' .. ARGV[1]) "
	"if own and own ~= ARGV[2] then return own end "
	"if #ARGV == 6 and redis.call('SISMEMBER', 'sstck:cids:' .. ARGV[1], "
	"    ARGV[4]) == 1 then "
	"  redis.call('SET', 'sstck:end:' .. ARGV[3], ARGV[5], 'PX', ARGV[6]) "
	"end "
	"local c = redis.call('SMEMBERS', 'sstck:cids:' .. ARGV[1]) "
	"for _, k in ipairs(c) do "
	"  if redis.call('GET', 'sstck:dlg:' .. k) == ARGV[1] then "
	"    redis.call('DEL', 'sstck:dlg:' .. k) end end "
	"redis.call('DEL', 'sstck:cids:' .. ARGV[1], 'sstck:sas:' .. ARGV[1], "
	"  'sstck:own:' .. ARGV[1], 'sstck:claim:' .. ARGV[1]) "
	"redis.call('ZREM', 'sstck:due', ARGV[1]) return #c";

/* A session read in by the node that takes it over: its text, and at
 * once this node its owner, said on sstck:took when it was another's.
 * ARGV: the id, this node's token.  [text, the previous owner's token
 * or ""], or nil when the store does not have it. */
static const char take_script[] =
	"local t = redis.call('GET', 'sstck:sas:' .. ARGV[1]) "
	"if not t then return false end "
	"local own = redis.call('GET', 'sstck:own:' .. ARGV[1]) or '' "
	"redis.call('SET', 'sstck:own:' .. ARGV[1], ARGV[2]) "
	"if own ~= ARGV[2] then "
	"  redis.call('PUBLISH', 'sstck:took', ARGV[1] .. ' ' .. ARGV[2]) end "
	"return {t, own}";

static const char *const scripts[SIPC_LUA_N] = {
	write_script, del_script, take_script,
};

int sipc__lua_load(struct redisContext *rc, char sha[][SIPC_LUA_SHA],
		   char *err, size_t errsz)
{
	for (int i = 0; i < SIPC_LUA_N; i++) {
		redisReply *r = redisCommand(rc, "SCRIPT LOAD %s", scripts[i]);

		if (!r || r->type != REDIS_REPLY_STRING) {
			snprintf(err, errsz, "%s", r && r->str ? r->str :
				 rc->errstr);
			freeReplyObject(r);
			return -1;
		}
		snprintf(sha[i], SIPC_LUA_SHA, "%s", r->str);
		freeReplyObject(r);
	}
	return 0;
}

void sipc__lua_append(struct redisContext *rc, const char *sha, int argc,
		      const char *const *argv)
{
	const char *v[3 + SIPC_LUA_ARGS];
	int n = 0;

	v[n++] = "EVALSHA";
	v[n++] = sha;
	v[n++] = "0";                  /* no KEYS: see the file comment */
	for (int i = 0; i < argc && i < SIPC_LUA_ARGS; i++)
		v[n++] = argv[i];
	redisAppendCommandArgv(rc, n, v, NULL);
}

bool sipc__lua_noscript(const struct redisReply *r)
{
	return r && r->type == REDIS_REPLY_ERROR &&
	       !strncmp(r->str, "NOSCRIPT", 8);
}
