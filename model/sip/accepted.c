/**
 * @file model/sip/accepted.c  server transactions answered, for 64*T1
 *
 * RFC 6026's Accepted state, which libosip2 does not have: its INVITE
 * server transaction ends with the 2xx it sends (RFC 3261 17.2.1), so a
 * retransmission of that INVITE (a UAC, or a proxy in front, that had not
 * seen the 2xx yet) found no transaction, made a new one and a second
 * dialog with the same caller: two 200s with two To tags, two sessions,
 * and a cluster's dialog index pointing at the second.  Here the 2xx is
 * kept, by the INVITE's key (top Via branch, Call-ID, CSeq number), for
 * 64*T1 after it was sent (Timer L): a retransmission of the INVITE gets
 * that 2xx again, the way the request came, and reaches nothing else.
 *
 * A non-INVITE server transaction in its Completed state (RFC 3261
 * 17.2.2, Timer J: 64*T1 on UDP) does nothing but that either: it sends
 * its final response again to each retransmission of the request.  Kept
 * as libosip2's transaction it held the request and the response parsed,
 * with the session and the proxy context they refer to, some 22 kB per
 * BYE for 32 s.  So on UDP it is kept here the same way, by the request's
 * method, branch, sent-by, Call-ID and CSeq number (17.2.3), and the
 * transaction ends at once, as it does on TCP where Timer J is zero
 * (txtab.c, compact).  A request without the magic cookie keeps its
 * transaction: RFC 2543's matching needs more than a key.
 */
#include <stdlib.h>
#include <string.h>
#include <osipparser2/osip_parser.h>
#include "sipc.h"
#include "mem.h"
#include "sipc_int.h"
#include "fault.h"

#define ACC_MAX (1u << 19)            /* the oldest go beyond this */

struct acc {
	struct hent he;
	struct acc *next;             /**< by age: the list's order      */
	uint64_t until;
	char *key;
	char *buf;                    /**< the 2xx as sent               */
	size_t len;
	char *host;
	int port, conn;
};

/* The key of an INVITE: its top Via's branch, Call-ID and CSeq number,
 * into BUF; false if it has none of them. */
static bool key_of(const osip_message_t *m, char *buf, size_t sz)
{
	osip_via_t *v = osip_list_get(&m->vias, 0);
	osip_generic_param_t *b = NULL;
	char cid[256];

	if (!v || !m->cseq || !m->cseq->number ||
	    osip_via_param_get_byname(v, "branch", &b) < 0 || !b ||
	    !b->gvalue)
		return false;
	sipc__call_id_str(m, cid, sizeof(cid));
	if (MSG_IS_INVITE(m))
		return (size_t)snprintf(buf, sz, "%s|%s|%s", b->gvalue, cid,
					m->cseq->number) < sz;
	/* a non-INVITE: 17.2.3's key, the method first (a CANCEL has its
	 * INVITE's branch) */
	if (!m->sip_method || !v->host ||
	    strncmp(b->gvalue, "z9hG4bK", 7))
		return false;
	return (size_t)snprintf(buf, sz, "%s|%s|%s:%s|%s|%s", m->sip_method,
				b->gvalue, v->host, v->port ? v->port : "",
				cid, m->cseq->number) < sz;
}

static void acc_free(struct acc *a)
{
	free(a->key);
	free(a->buf);
	free(a->host);
	free(a);
}

static void drop_oldest(struct sipc *c)
{
	struct acc *a = c->acc.head;

	c->acc.head = a->next;
	if (!c->acc.head)
		c->acc.tail = NULL;
	htab_remove(&c->acc.idx, &a->he);
	c->acc.n--;
	acc_free(a);
}

bool sipc__acc_add(struct sipc *c, osip_transaction_t *tr)
{
	osip_message_t *r = tr->last_response;
	char key[512], *host = NULL;
	int port = 0, t1 = c->cfg.t1_ms > 0 ? c->cfg.t1_ms : 500;
	struct acc *a;
	size_t len;

	if (!r || !tr->orig_request || r->status_code < 200 ||
	    (MSG_IS_INVITE(tr->orig_request) && !MSG_IS_STATUS_2XX(r)) ||
	    MSG_IS_ACK(tr->orig_request) ||
	    !key_of(tr->orig_request, key, sizeof(key)))
		return false;
	a = calloc(1, sizeof(*a));
	osip_response_get_destination(r, &host, &port);
	if (!a || !host || !(a->key = strdup(key)) ||
	    !(a->host = strdup(host)) ||
	    osip_message_to_str(r, &a->buf, &len) < 0) {
		osip_free(host);
		if (a)
			acc_free(a);
		return false;
	}
	osip_free(host);
	a->len = len;
	a->port = port ? port : 5060;
	a->conn = tr->out_socket > 0 ? tr->out_socket : 0;
	a->until = sipc__now_ms() + 64 * (uint64_t)t1;
	if (htab_insert(&c->acc.idx, &a->he,
			htab_hash_str(HTAB_SEED, key))) {
		acc_free(a);
		return false;
	}
	if (c->acc.tail)
		c->acc.tail->next = a;
	else
		c->acc.head = a;
	c->acc.tail = a;
	if (++c->acc.n > ACC_MAX)
		drop_oldest(c);
	return true;
}

bool sipc__acc_absorb(struct sipc *c, const osip_message_t *m)
{
	char key[512];
	uint32_t h;

	if (!c->acc.n || MSG_IS_ACK(m) || !key_of(m, key, sizeof(key)))
		return false;
	h = htab_hash_str(HTAB_SEED, key);
	HTAB_FOREACH_HASH(&c->acc.idx, h, e) {
		struct acc *a = container_of(e, struct acc, he);

		if (strcmp(a->key, key))
			continue;
		sipc__send_back(c, a->buf, a->len, a->host, a->port,
				a->conn, NULL);
		return true;
	}
	return false;
}

void sipc__acc_expire(struct sipc *c)
{
	uint64_t now = sipc__now_ms();

	while (c->acc.head && c->acc.head->until <= now)
		drop_oldest(c);
}

void sipc__acc_free(struct sipc *c)
{
	while (c->acc.head)
		drop_oldest(c);
	htab_free(&c->acc.idx);
}
