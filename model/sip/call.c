/**
 * @file model/sip/call.c  third-party call control (RFC 3725 flow I)
 *
 * The container as the UAC of two legs of one application session, A
 * then B (click-to-call, model/apps/c2c.c): A's offer to B, B's answer
 * to A in the ACK, the hang-up of either.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <osipparser2/osip_parser.h>
#include "sipc.h"
#include "mem.h"
#include "sipc_int.h"
#include "fault.h"

void sipc__call_free(struct sipc_call *k)
{
	for (int i = 0; i < 2; i++) {
		mem_deref(k->leg[i]);
		free(k->party[i]);
		if (k->inv[i]) {
			k->inv[i]->call = NULL;
			sipc__relay_unref(k->inv[i]);
		}
	}
	free(k->from);
	if (k->offer)
		osip_message_free(k->offer);
	mem_deref(k->sas);
	free(k);
}

/** A request of the container on leg @i (INVITE or BYE), on a client
 * transaction whose responses come back to sipc__call_on_response. */
static int call_send(struct sipc_call *k, int i, const char *method,
		     const osip_message_t *body_from)
{
	struct sipc *c = k->c;
	struct leg *l = sipc__leg_of(k->leg[i]);
	struct relay *rl;
	struct ss_req rq;
	osip_message_t *m;
	char vb[64];

	if (!l || ss_create_request(k->leg[i], method, &rq))
		return -1;
	if (!strcmp(method, "INVITE"))
		l->invite_cseq = rq.cseq;
	m = sipc__leg_request(c, method, l->target, &rq, l->local, l->remote,
			      70,
			      body_from, vb, sizeof(vb));
	rl = calloc(1, sizeof(*rl));
	if (!m || !rl) {
		osip_message_free(m);
		free(rl);
		return -1;
	}
	rl->c = c;
	rl->out = mem_ref(k->leg[i]);
	rl->refs = 1;                         /* the call's, for INVITE */
	rl->initial = !strcmp(method, "INVITE");
	/* only an INVITE's answers matter to the call; a BYE's relay does
	 * not point at it, so it may outlive the call's record */
	rl->call = rl->initial ? k : NULL;
	if (rl->initial)
		k->inv[i] = rl;
	if (sipc__relay_send(rl, m)) {
		if (rl->initial)
			k->inv[i] = NULL;
		sipc__relay_unref(rl);
		return -1;
	}
	if (!rl->initial)
		sipc__relay_unref(rl);        /* the transaction holds it */
	return 0;
}

/** Leg @i: a new UAC SipSession in the call's application session, from
 * scratch (SipFactory.createRequest(sas, INVITE, from, to), B2B-12: the
 * model picks the Call-ID and the From tag). */
static int call_leg(struct sipc_call *k, int i, const osip_message_t *body_from)
{
	struct leg *l = calloc(1, sizeof(*l));
	struct ss *ss = NULL;

	if (!l || ss_create(k->sas, SS_ROLE_UAC, "INVITE", NULL, NULL, k->from,
			    k->party[i], &ss)) {
		free(l);
		return -1;
	}
	k->leg[i] = mem_ref(ss);
	l->owner = ss;
	l->target = strdup(k->party[i]);
	l->local = strdup(k->from);
	l->remote = strdup(k->party[i]);
	if (!l->target || !l->local || !l->remote ||
	    ss_set_attr(ss, LEG_ATTR, l, NULL)) {
		sipc__leg_free(l);
		return -1;
	}
	if (i == 1 && ss_link(k->leg[0], ss))   /* one call: linked legs */
		return -1;
	return call_send(k, i, "INVITE", body_from);
}

static void call_end(struct sipc_call *k, enum sipc_call_phase ph)
{
	k->phase = ph;
	for (int i = 0; i < 2; i++) {
		enum ss_state st;

		if (!k->leg[i] || k->bye[i] || !ss_is_valid(k->leg[i]) ||
		    ss_state(k->leg[i], &st))
			continue;
		if (st == SS_CONFIRMED) {
			/* a 2xx not yet ACKed (A's, while B rings) is ACKed
			 * first: RFC 3261 13.2.2.4 */
			if (!k->acked[i]) {
				k->acked[i] = true;
				sipc__leg_ack(k->c, k->leg[i], NULL);
			}
			k->bye[i] = true;
			call_send(k, i, "BYE", NULL);
		} else if (k->inv[i] && !k->status[i] && k->inv[i]->status >= 100) {
			k->bye[i] = true;
			sipc__send_cancel(k->c, k->leg[i], k->inv[i]->req);
		}
	}
}

void sipc__call_on_response(struct sipc_call *k, struct relay *rl,
			    struct ss *t, osip_message_t *resp)
{
	int i = rl == k->inv[0] ? 0 : rl == k->inv[1] ? 1 : -1;
	int st = resp->status_code;

	if (i < 0 || st < 200 || !MSG_IS_RESPONSE_FOR(resp, "INVITE"))
		return;                        /* a BYE's answer, a 1xx */
	if (k->status[i])
		return;                        /* a retransmission */
	k->status[i] = st;
	if (st >= 300) {
		/* a party declined: the other leg, if up, ends too */
		if (i == 1 && k->leg[0] && !k->acked[0]) {
			k->acked[0] = true;
			sipc__leg_ack(k->c, k->leg[0], NULL);
		}
		ss_initial_tx_ended(t);
		call_end(k, k->hangup ? SIPC_CALL_ENDED : SIPC_CALL_FAILED);
		return;
	}
	{
		struct leg *l = sipc__leg_own(t);

		if (l)
			sipc__set_str(&l->target, sipc__contact_of(resp));
	}
	if (i == 0) {
		/* A answered with its offer: B gets it (RFC 3725 flow I) */
		if (osip_message_clone(resp, &k->offer) < 0 || k->hangup ||
		    call_leg(k, 1, resp)) {
			k->acked[0] = true;
			sipc__leg_ack(k->c, t, NULL);
			call_end(k, k->hangup ? SIPC_CALL_ENDED : SIPC_CALL_FAILED);
			return;
		}
		k->phase = SIPC_CALL_CALLING_B;
		return;
	}
	/* B answered: ACK B, and A's ACK carries B's answer */
	k->acked[1] = true;
	sipc__leg_ack(k->c, t, NULL);
	if (!k->acked[0]) {
		k->acked[0] = true;
		sipc__leg_ack(k->c, k->leg[0], resp);
	}
	k->phase = SIPC_CALL_CONNECTED;
	if (k->hangup)
		call_end(k, SIPC_CALL_ENDED);
}

int sipc_call_start(struct sipc *c, struct sas *sas, const char *from,
		    const char *a, const char *b, struct sipc_call **kp)
{
	struct sipc_call *k;
	osip_uri_t *u[2] = { NULL, NULL };
	bool ok = true;

	/* the parties are SIP URIs on loopback, like every next hop */
	for (int i = 0; i < 2; i++) {
		const char *p = i ? b : a;

		ok &= p && osip_uri_init(&u[i]) >= 0 &&
		      osip_uri_parse(u[i], p) >= 0 && u[i]->scheme &&
		      !strcasecmp(u[i]->scheme, "sip") && u[i]->host &&
		      sipc_is_loopback(u[i]->host) &&
		      sipc__port_of(u[i]->port) > 0;
		osip_uri_free(u[i]);
	}
	if (!ok)
		return SSM_IAE;
	k = calloc(1, sizeof(*k));
	if (!k)
		return -1;
	k->c = c;
	k->sas = mem_ref(sas);
	k->party[0] = strdup(a);
	k->party[1] = strdup(b);
	k->from = strdup(from);
	k->phase = SIPC_CALL_CALLING_A;
	k->next = c->calls;
	c->calls = k;
	if (!k->party[0] || !k->party[1] || !k->from || call_leg(k, 0, NULL)) {
		k->phase = SIPC_CALL_FAILED;
		return -1;
	}
	*kp = k;
	return 0;
}

int sipc_call_hangup(struct sipc_call *k)
{
	if (k->phase == SIPC_CALL_ENDED || k->phase == SIPC_CALL_FAILED)
		return SSM_ISE;
	if (k->phase == SIPC_CALL_CONNECTED) {
		call_end(k, SIPC_CALL_ENDED);
		return 0;
	}
	/* still calling: end what is up, and what answers later */
	k->hangup = true;
	call_end(k, SIPC_CALL_ENDED);
	return 0;
}

int sipc_call_free(struct sipc_call *k)
{
	struct sipc_call **pp;
	const char *ph = sipc_call_phase_name(k);

	/* over, and no leg's INVITE still waiting for its final answer
	 * (a late 2xx must still be ACKed and ended by the call) */
	if (strcmp(ph, "ended") && strcmp(ph, "failed"))
		return SSM_ISE;
	for (int i = 0; i < 2; i++)
		if (k->inv[i] && !k->status[i])
			return SSM_ISE;
	for (pp = &k->c->calls; *pp && *pp != k; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = k->next;
	sipc__call_free(k);
	return 0;
}

struct sipc_call *sipc_call_find(struct sipc *c, const char *id)
{
	for (struct sipc_call *k = c->calls; k; k = k->next)
		if (!strcmp(sas_id(k->sas), id))
			return k;
	return NULL;
}

const char *sipc_call_phase_name(const struct sipc_call *k)
{
	static const char *n[] = { "calling-a", "calling-b", "connected",
				   "failed", "ended" };

	/* a connected call whose legs both ended (a party's BYE) */
	if (k->phase == SIPC_CALL_CONNECTED) {
		bool gone = true;

		for (int i = 0; i < 2; i++) {
			enum ss_state st;

			gone &= !k->leg[i] || !ss_is_valid(k->leg[i]) ||
				(!ss_state(k->leg[i], &st) && st == SS_TERMINATED);
		}
		if (gone)
			return "ended";
	}
	return n[k->phase];
}

struct ss *sipc_call_leg(const struct sipc_call *k, int i)
{
	return i >= 0 && i < 2 ? k->leg[i] : NULL;
}

const char *sipc_call_party(const struct sipc_call *k, int i)
{
	return i >= 0 && i < 2 ? k->party[i] : NULL;
}

int sipc_call_status(const struct sipc_call *k, int i)
{
	return i >= 0 && i < 2 ? k->status[i] : 0;
}

struct sas *sipc_call_sas(const struct sipc_call *k)
{
	return k->sas;
}
