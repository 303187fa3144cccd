/**
 * @file model/sip/ended.c  a dialog a cluster node ended: its last
 * response, kept in the store for 64*T1 (a tombstone)
 *
 * A cluster node writes what a message changed before the message
 * leaves (store.c), and an invalidated session's keys go then too.  So a
 * node that ends a session with a response (its 200 to a BYE) deletes
 * the keys first; killed between the deletion and the send, it left
 * nothing behind and no 200 out, and the BYE sent again (by the caller,
 * or failed over by a proxy in front) reached another node that found no
 * dialog and answered 481: the call was lost (harness/bench-cluster's
 * smoke saw it; model/ref/test-cluster's flow ended stops a node there).
 * A single node has no such hole: its non-INVITE server transaction
 * keeps the response and answers every retransmission of the request
 * with it for 64*T1 (Timer J, RFC 3261 17.2.2).  A cluster keeps that
 * response where every node sees it:
 *
 *   sstck:end:CALLID;FROMTAG;TOTAG   the final response, as it leaves
 *
 * written with a life of 64*T1 by the script that deletes the session's
 * keys (lua.c del_script), in the same step, when the message about to
 * leave is a final response to a request of one of that session's
 * dialogs (not an INVITE's or a CANCEL's): no moment has the keys gone
 * and no tombstone.  A node that gets a request of a dialog the store
 * does not have, and no transaction of its own for it, answers it with
 * the tombstone's response when that answered the same request (its
 * CSeq number and method), with the request's Vias: the same 200 from
 * any node, as the node that sent it would have answered.  Any other
 * request of the dialog gets what it got before (481).  Tombstones
 * expire on their own: the store is empty 64*T1 after the last call
 * ended.  ';' is in no Call-ID and no tag, so a key names one dialog.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <hiredis/hiredis.h>
#include <osipparser2/osip_parser.h>
#include "sipc.h"
#include "sipc_int.h"

bool sipc__tomb_key(const osip_message_t *m, char *buf, size_t sz)
{
	const char *ft = sipc__tag_of(m->from), *tt = sipc__tag_of(m->to);
	char cid[256];

	sipc__call_id_str(m, cid, sizeof(cid));
	return ft && tt && cid[0] &&
	       (size_t)snprintf(buf, sz, "%s;%s;%s", cid, ft, tt) < sz;
}

static osip_message_t *tomb_parse(const char *buf, size_t len)
{
	osip_message_t *m = NULL;

	if (osip_message_init(&m) < 0)
		return NULL;
	if (osip_message_parse(m, buf, len) < 0) {
		osip_message_free(m);
		return NULL;
	}
	return m;
}

bool sipc__tomb_of(const struct sipc *c, const char *buf, size_t len,
		   struct sipc_tomb *t)
{
	int t1 = c->cfg.t1_ms > 0 ? c->cfg.t1_ms : 500;
	osip_message_t *m;
	bool ok;

	t->text = NULL;
	if (len < 12 || strncmp(buf, "SIP/2.0 ", 8) || !(m = tomb_parse(buf, len)))
		return false;
	ok = m->status_code >= 200 && m->cseq && m->cseq->method &&
	     strcasecmp(m->cseq->method, "INVITE") &&
	     strcasecmp(m->cseq->method, "CANCEL") &&
	     sipc__tomb_key(m, t->key, sizeof(t->key));
	if (ok) {
		sipc__call_id_str(m, t->cid, sizeof(t->cid));
		snprintf(t->ttl, sizeof(t->ttl), "%d", 64 * t1);
		t->text = strndup(buf, len);
	}
	osip_message_free(m);
	return t->text != NULL;
}

static void trace_answered(struct sipc *c, const osip_message_t *r)
{
	json_t *o = json_object();
	char cid[256];

	sipc__call_id_str(r, cid, sizeof(cid));
	json_object_set_new(o, "ev", json_string("tombstone-answered"));
	json_object_set_new(o, "cid", json_string(cid));
	json_object_set_new(o, "method", json_string(r->cseq->method));
	json_object_set_new(o, "status", json_integer(r->status_code));
	sipc__trace_write(c, o);
}

bool sipc__tomb_answer(struct sipc *c, const osip_message_t *m,
		       const char *text)
{
	osip_message_t *r = tomb_parse(text, strlen(text));
	char *host = NULL, *buf = NULL;
	int port = 0;
	size_t len;
	bool answered = false;

	if (!r)
		return false;
	if (r->cseq && m->cseq && r->cseq->number && m->cseq->number &&
	    r->cseq->method && m->cseq->method &&
	    !strcmp(r->cseq->number, m->cseq->number) &&
	    !strcmp(r->cseq->method, m->cseq->method)) {
		/* the response to this request: its Vias (RFC 3261 8.2.6.2) */
		osip_list_special_free(&r->vias,
				       (void (*)(void *))osip_via_free);
		osip_list_clone(&m->vias, &r->vias,
				(int (*)(void *, void **))osip_via_clone);
		osip_message_force_update(r);
		osip_response_get_destination(r, &host, &port);
		if (host && osip_list_size(&r->vias) > 0 &&
		    osip_message_to_str(r, &buf, &len) >= 0) {
			sipc__send_back(c, buf, len, host, port ? port : 5060,
					c->rx_conn, r);
			trace_answered(c, r);
			answered = true;
		}
	}
	osip_free(buf);
	osip_free(host);
	osip_message_free(r);
	return answered;
}

bool sipc__store_absorb(struct sipc *c, const osip_message_t *m)
{
	struct sipc_store *s = c->store;
	char key[sizeof(((struct sipc_tomb *)0)->key)];
	redisReply *r;
	bool done;

	if (!s || !s->no_dialog || s->broken ||
	    !sipc__tomb_key(m, key, sizeof(key)))
		return false;
	s->no_dialog = false;
	r = redisCommand(s->rc, "GET sstck:end:%s", key);
	if (!r) {
		sipc_log(c, "store: %s", s->rc->errstr);
		s->broken = true;      /* store.c connects again */
	}
	done = r && r->type == REDIS_REPLY_STRING &&
	       sipc__tomb_answer(c, m, r->str);
	freeReplyObject(r);
	return done;
}
