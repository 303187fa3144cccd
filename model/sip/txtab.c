/**
 * @file model/sip/txtab.c  the transaction table
 *
 * libosip2 runs each transaction's state machine; this file decides which
 * transaction a message is for and when a timer of one is due, so that
 * neither costs what exists instead of what is asked.  libosip2's own
 * executors (osip_ict_execute and its three twins, osip_timers_*_execute,
 * osip_timers_gettimeout, osip_find_transaction_and_add_event) walk every
 * transaction on every call, the completed ones too, which linger for
 * Timers D, I, J and K (32 s on UDP): at 200 calls/s that is thousands of
 * walked transactions per message.  Here, instead:
 *
 *   - every transaction leaves libosip2's lists as soon as it is made and
 *     is indexed by its key: the top Via's branch (RFC 3261 17.1.3,
 *     17.2.3) or, for an RFC 2543 peer without the magic cookie, the
 *     Call-ID, with the kind of transaction the message can match; the
 *     few entries of one key are then checked with libosip2's own
 *     matching functions;
 *   - an event is queued with osip_transaction_add_event and the
 *     transaction put on a ready list; only ready transactions run
 *     (osip_transaction_execute, one event at a time);
 *   - the next deadline of each transaction, read from its libosip2
 *     context (the timers that the state it is in can fire, as libosip2's
 *     __osip_*_need_timer_*_event do), sits in a heap (model/mem/heap.h):
 *     a wake-up fires what is due and nothing else.
 *
 * The matching functions are libosip2's exported
 * __osip_transaction_matching_*; they are not in its installed headers,
 * so their prototypes are written here, as libosip2 5.x defines them.
 */
#include <stdlib.h>
#include <string.h>
#include <osipparser2/osip_parser.h>
#include <osip2/osip_time.h>
#include "sipc.h"
#include "mem.h"
#include "sipc_int.h"
#include "fault.h"

int __osip_transaction_matching_response_osip_to_xict_17_1_3(
	osip_transaction_t *tr, osip_message_t *response);
int __osip_transaction_matching_request_osip_to_xist_17_2_3(
	osip_transaction_t *tr, osip_message_t *request);

struct txrec {
	struct heap_node due;         /**< first: the heap's node is it  */
	osip_transaction_t *tr;
	struct hent he;               /**< in c->txs.idx, by key and kind */
	struct txrec *rnext;          /**< ready list                    */
	struct txrec *dnext;          /**< due in this turn (tx_timers)  */
	struct txrec *prev, *next;    /**< every live one (sipc_free)    */
	bool ready, dead;
};

static struct txrec *rec_of(osip_transaction_t *tr)
{
	return tr ? osip_transaction_get_reserved5(tr) : NULL;
}

/* The key of a top Via and Call-ID, and the kind of transaction (one of
 * ICT, IST, NICT, NIST) a message with them can match. */
static uint32_t key_hash(int kind, const osip_via_t *via,
			 const osip_call_id_t *cid)
{
	osip_generic_param_t *b = NULL;
	uint32_t h = HTAB_SEED ^ (uint32_t)(kind + 1) * 0x9e3779b9u;

	if (via)
		osip_via_param_get_byname((osip_via_t *)via, "branch", &b);
	if (b && b->gvalue && !strncmp(b->gvalue, "z9hG4bK", 7))
		return htab_hash_str(h, b->gvalue);
	return htab_hash_str(h, cid ? cid->number : NULL);
}

static int kind_of_msg(const osip_message_t *m)
{
	if (MSG_IS_REQUEST(m))
		return MSG_IS_INVITE(m) || MSG_IS_ACK(m) ? IST : NIST;
	return m->cseq && m->cseq->method &&
	       !strcmp(m->cseq->method, "INVITE") ? ICT : NICT;
}

/* A timer of libosip2's that is running: its start is its deadline. */
static void min_timer(uint64_t *best, const struct timeval *tv)
{
	uint64_t ms;

	if (tv->tv_sec == -1)
		return;
	ms = (uint64_t)tv->tv_sec * 1000 + ((uint64_t)tv->tv_usec + 999) / 1000;
	if (!*best || ms < *best)
		*best = ms;
}

/* The earliest deadline the transaction's state can fire (0: none), the
 * conditions of libosip2's __osip_*_need_timer_*_event. */
static uint64_t next_due(const osip_transaction_t *tr)
{
	uint64_t t = 0;
	state_t st = tr->state;

	if (tr->ict_context) {
		if (st == ICT_CALLING) {
			min_timer(&t, &tr->ict_context->timer_a_start);
			min_timer(&t, &tr->ict_context->timer_b_start);
		} else if (st == ICT_COMPLETED) {
			min_timer(&t, &tr->ict_context->timer_d_start);
		}
	} else if (tr->ist_context) {
		if (st == IST_COMPLETED) {
			min_timer(&t, &tr->ist_context->timer_g_start);
			min_timer(&t, &tr->ist_context->timer_h_start);
		} else if (st == IST_CONFIRMED) {
			min_timer(&t, &tr->ist_context->timer_i_start);
		}
	} else if (tr->nict_context) {
		if (st == NICT_TRYING || st == NICT_PROCEEDING) {
			min_timer(&t, &tr->nict_context->timer_e_start);
			min_timer(&t, &tr->nict_context->timer_f_start);
		} else if (st == NICT_COMPLETED) {
			min_timer(&t, &tr->nict_context->timer_k_start);
		}
	} else if (tr->nist_context) {
		if (st == NIST_COMPLETED)
			min_timer(&t, &tr->nist_context->timer_j_start);
	}
	return t;
}

/* A non-INVITE server transaction that has sent its final response on
 * UDP only answers retransmissions until Timer J: its response is kept
 * by accepted.c instead, and it ends now, as it does on TCP (a zero
 * Timer J), with what it held.  One that cannot be kept so stays. */
static void compact(struct sipc *c, osip_transaction_t *tr)
{
	osip_nist_t *n = tr->nist_context;

	if (tr->ctx_type != NIST || !n || tr->state != NIST_COMPLETED ||
	    n->timer_j_length <= 0 || !sipc__acc_add(c, tr))
		return;
	n->timer_j_length = 0;
	osip_gettimeofday(&n->timer_j_start, NULL);
}

static void rearm(struct sipc *c, struct txrec *r)
{
	uint64_t t;

	compact(c, r->tr);
	t = next_due(r->tr);

	if (!t)
		heap_stop(&c->txs.due, &r->due);
	else
		(void)heap_start(&c->txs.due, &r->due, t); /* no room: it fires
							   * after its next event */
}

int sipc__tx_add(struct sipc *c, osip_transaction_t *tr)
{
	struct txrec *r = calloc(1, sizeof(*r));
	int kind = tr->ctx_type;

	if (!r)
		return -1;
	r->tr = tr;
	heap_node_init(&r->due);
	if (htab_insert(&c->txs.idx, &r->he,
			key_hash(kind, tr->topvia, tr->callid))) {
		free(r);
		return -1;
	}
	/* off libosip2's lists, which its walk-everything executors use:
	 * with every transaction taken off at once they hold one at most,
	 * so this removal costs nothing */
	osip_remove_transaction(c->osip, tr);
	osip_transaction_set_reserved5(tr, r);
	r->next = c->txs.all;
	if (r->next)
		r->next->prev = r;
	c->txs.all = r;
	c->txs.n++;
	return 0;
}

/* Out of the index, the heap and the ready list's future: a killed
 * transaction is freed after the turn (sipc__tx_collect). */
static void rec_unlink(struct sipc *c, struct txrec *r)
{
	htab_remove(&c->txs.idx, &r->he);
	heap_stop(&c->txs.due, &r->due);
	if (r->prev)
		r->prev->next = r->next;
	else
		c->txs.all = r->next;
	if (r->next)
		r->next->prev = r->prev;
	r->prev = r->next = NULL;
	c->txs.n--;
}

void sipc__tx_killed(struct sipc *c, osip_transaction_t *tr)
{
	struct txrec *r = rec_of(tr);

	if (!r || r->dead)
		return;      /* not indexed: its creator frees it (recv.c) */
	r->dead = true;
	rec_unlink(c, r);
	r->next = c->txs.garbage;
	c->txs.garbage = r;
}

void sipc__tx_collect(struct sipc *c)
{
	sipc__tx_run(c);    /* the ready list is empty: no dead one is on it */
	while (c->txs.garbage) {
		struct txrec *r = c->txs.garbage;

		c->txs.garbage = r->next;
		osip_transaction_free(r->tr);
		free(r);
	}
}

osip_transaction_t *sipc__tx_find(struct sipc *c, osip_message_t *m)
{
	int kind = kind_of_msg(m);
	uint32_t h = key_hash(kind, osip_list_get(&m->vias, 0), m->call_id);

	HTAB_FOREACH_HASH(&c->txs.idx, h, e) {
		struct txrec *r = container_of(e, struct txrec, he);
		osip_transaction_t *tr = r->tr;

		if ((int)tr->ctx_type != kind)
			continue;
		if (MSG_IS_REQUEST(m) ?
		    !__osip_transaction_matching_request_osip_to_xist_17_2_3(tr, m) :
		    !__osip_transaction_matching_response_osip_to_xict_17_1_3(tr, m))
			return tr;
	}
	return NULL;
}

void sipc__tx_event(struct sipc *c, osip_transaction_t *tr, osip_event_t *e)
{
	struct txrec *r = rec_of(tr);

	osip_transaction_add_event(tr, e);
	if (!r || r->dead || r->ready)
		return;                   /* freed with it, fifo and all */
	r->ready = true;
	r->rnext = NULL;
	if (c->txs.ready_tail)
		c->txs.ready_tail->rnext = r;
	else
		c->txs.ready = r;
	c->txs.ready_tail = r;
}

void sipc__tx_run(struct sipc *c)
{
	struct txrec *r;

	while ((r = c->txs.ready)) {
		osip_event_t *e;

		c->txs.ready = r->rnext;
		if (!c->txs.ready)
			c->txs.ready_tail = NULL;
		r->ready = false;
		while (!r->dead && (e = osip_fifo_tryget(r->tr->transactionff)))
			osip_transaction_execute(r->tr, e);
		if (!r->dead)
			rearm(c, r);
	}
}

/* The timer event libosip2's timer executors would queue for @tr now,
 * in their order (the transaction's end before a retransmission). */
static int due_event(const osip_transaction_t *tr, const struct timeval *now)
{
	static const struct {
		int ctx;
		state_t st, st2;
		size_t off;
		int type;
	} t[] = {
#define T(ctx, st, st2, ty, f, ev) \
	{ctx, st, st2, offsetof(ty, f), ev}
		T(ICT, ICT_CALLING, ICT_CALLING, osip_ict_t, timer_b_start, TIMEOUT_B),
		T(ICT, ICT_CALLING, ICT_CALLING, osip_ict_t, timer_a_start, TIMEOUT_A),
		T(ICT, ICT_COMPLETED, ICT_COMPLETED, osip_ict_t, timer_d_start, TIMEOUT_D),
		T(IST, IST_COMPLETED, IST_COMPLETED, osip_ist_t, timer_h_start, TIMEOUT_H),
		T(IST, IST_COMPLETED, IST_COMPLETED, osip_ist_t, timer_g_start, TIMEOUT_G),
		T(IST, IST_CONFIRMED, IST_CONFIRMED, osip_ist_t, timer_i_start, TIMEOUT_I),
		T(NICT, NICT_TRYING, NICT_PROCEEDING, osip_nict_t, timer_f_start, TIMEOUT_F),
		T(NICT, NICT_TRYING, NICT_PROCEEDING, osip_nict_t, timer_e_start, TIMEOUT_E),
		T(NICT, NICT_COMPLETED, NICT_COMPLETED, osip_nict_t, timer_k_start, TIMEOUT_K),
		T(NIST, NIST_COMPLETED, NIST_COMPLETED, osip_nist_t, timer_j_start, TIMEOUT_J),
#undef T
	};
	const void *ctx[] = {tr->ict_context, tr->ist_context,
			     tr->nict_context, tr->nist_context};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const struct timeval *tv;

		if ((int)tr->ctx_type != t[i].ctx || !ctx[t[i].ctx] ||
		    (tr->state != t[i].st && tr->state != t[i].st2))
			continue;
		tv = (const struct timeval *)((const char *)ctx[t[i].ctx] +
					      t[i].off);
		if (tv->tv_sec != -1 && osip_timercmp(now, tv, >=))
			return t[i].type;
	}
	return -1;
}

void sipc__tx_timers(struct sipc *c)
{
	struct timeval now;
	uint64_t ms;
	struct heap_node *x;
	struct txrec *due = NULL;

	osip_gettimeofday(&now, NULL);
	ms = (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_usec / 1000;
	/* take every due one first: a timer libosip2 does not restart
	 * waits for the next turn instead of spinning this one */
	while ((x = heap_top(&c->txs.due)) && x->due <= ms) {
		struct txrec *r = (struct txrec *)x;

		heap_stop(&c->txs.due, x);
		r->dnext = due;
		due = r;
	}
	while (due) {
		struct txrec *r = due;
		int type;

		due = r->dnext;
		if (r->dead)
			continue;
		type = due_event(r->tr, &now);
		if (type < 0) {
			rearm(c, r);      /* rounded up to the ms: not yet */
			if (r->due.idx != SIZE_MAX && r->due.due <= ms)
				heap_start(&c->txs.due, &r->due, ms + 1);
			continue;
		}
		{
			osip_event_t *e = osip_malloc(sizeof(*e));

			if (!e) {
				heap_start(&c->txs.due, &r->due, ms + 1);
				continue;
			}
			memset(e, 0, sizeof(*e));
			e->type = (type_t)type;
			sipc__tx_event(c, r->tr, e);
		}
	}
	sipc__tx_run(c);
}

int sipc__tx_timeout_ms(struct sipc *c)
{
	struct heap_node *x = heap_top(&c->txs.due);
	struct timeval now;
	uint64_t ms;

	if (!x)
		return -1;
	osip_gettimeofday(&now, NULL);
	ms = (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_usec / 1000;
	return x->due <= ms ? 0 : (x->due - ms > 1000000 ? 1000000 :
				   (int)(x->due - ms));
}

/* sipc_free: every transaction, its kill callback first (the proxy
 * contexts and relays it holds), then freed. */
void sipc__tx_free_all(struct sipc *c)
{
	while (c->txs.all) {
		osip_transaction_t *tr = c->txs.all->tr;

		sipc__on_kill(0, tr);      /* sipc__tx_killed: to garbage */
	}
	sipc__tx_collect(c);
	htab_free(&c->txs.idx);
	heap_free(&c->txs.due);
}

/** The INVITE server transaction a CANCEL is for (RFC 3261 9.2): the
 * one its key finds (same branch, or same Call-ID for an RFC 2543 peer)
 * with its Call-ID and CSeq number. */
osip_transaction_t *sipc__tx_find_invite(struct sipc *c,
					 const osip_message_t *cancel)
{
	uint32_t h = key_hash(IST, osip_list_get(&cancel->vias, 0),
			      cancel->call_id);

	HTAB_FOREACH_HASH(&c->txs.idx, h, e) {
		struct txrec *r = container_of(e, struct txrec, he);
		osip_transaction_t *x = r->tr;

		if (x->ctx_type == IST && x->orig_request &&
		    osip_call_id_match(x->callid, cancel->call_id) == 0 &&
		    x->cseq && cancel->cseq &&
		    !strcmp(x->cseq->number, cancel->cseq->number))
			return x;
	}
	return NULL;
}

/** Whether a live server transaction answers on connection @id. */
bool sipc__tx_on_conn(const struct sipc *c, int id)
{
	for (const struct txrec *r = c->txs.all; r; r = r->next)
		if ((r->tr->ctx_type == IST || r->tr->ctx_type == NIST) &&
		    r->tr->out_socket == id)
			return true;
	return false;
}
