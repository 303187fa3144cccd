/**
 * @file model/sip/observe.c  the model's view, X-SS-State, the trace
 *
 * Each message in or out is applied to the session model first
 * (sipc__apply, an event for model/session); an outgoing one is then
 * stamped with X-SS-State, the session after processing (the observation
 * protocol, conformance/observation-protocol.md); the model's events are
 * written to the trace (JSON Lines).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <osipparser2/osip_parser.h>
#include "sipc.h"
#include "mem.h"
#include "sipc_int.h"
#include "fault.h"

/** The model's view of a message. */
void sipc__to_ev(const osip_message_t *m, enum ssm_dir dir,
		 struct ssm_msg *ev, char *cid, size_t cidsz)
{
	memset(ev, 0, sizeof(*ev));
	sipc__call_id_str(m, cid, cidsz);
	ev->dir = dir;
	ev->status = MSG_IS_RESPONSE(m) ? m->status_code : 0;
	ev->method = MSG_IS_REQUEST(m) ? m->sip_method :
		(m->cseq ? m->cseq->method : "");
	ev->call_id = cid;
	ev->from_tag = sipc__tag_of(m->from);
	ev->to_tag = sipc__tag_of(m->to);
	ev->cseq = m->cseq && m->cseq->number ?
		(uint32_t)strtoul(m->cseq->number, NULL, 10) : 0;
	ev->event = sipc__header_value(m, "event");
	ev->sub_state = sipc__header_value(m, "subscription-state");
}

struct ss *sipc__apply(struct sipc *c, struct ss *ss,
		       const osip_message_t *m, enum ssm_dir dir)
{
	struct ssm_msg ev;
	struct ss *t = NULL;
	char cid[256];

	(void)c;
	if (!ss || !ss_is_valid(ss))
		return ss;
	sipc__to_ev(m, dir, &ev, cid, sizeof(cid));
	if (ss_on_message(ss, &ev, &t))
		return ss;
	return t ? t : ss;
}

/** X-SS-State (the observation protocol). */
void sipc__stamp(struct sipc *c, struct ss *ss, osip_message_t *m)
{
	char v[320];

	(void)c;
	sipc__remove_headers(m, "X-SS-State");
	if (ss && ss_is_valid(ss)) {
		enum ss_state st = SS_INITIAL;
		struct sas *sas = NULL;
		size_t nsip = 0, nhttp = 0;

		ss_state(ss, &st);
		ss_app_session(ss, &sas);
		sas_sessions(sas, false, "SIP", NULL, 0, &nsip);
		sas_sessions(sas, false, "HTTP", NULL, 0, &nhttp);
		snprintf(v, sizeof(v),
			 "id=%s;state=%s;role=%s;sas=%s;sip=%zu;http=%zu;"
			 "derived=%d;valid=1", ss_id(ss), ss_state_name(st),
			 ss_role_name(ss_role(ss)), sas_id(sas), nsip, nhttp,
			 ss_original(ss) != NULL);
	}
	else if (ss) {
		snprintf(v, sizeof(v), "id=%s;state=TERMINATED;role=%s;"
			 "valid=0", ss_id(ss), ss_role_name(ss_role(ss)));
	}
	else {
		snprintf(v, sizeof(v), "none");
	}
	osip_message_set_header(m, "X-SS-State", v);
	sipc_ops_attach(&c->ops, m);
	osip_message_force_update(m);
}

/* An operation's trace line (ops.h): the caller keeps its reference. */
static void ops_trace(void *arg, json_t *o)
{
	sipc__trace_write(arg, json_incref(o));
}

/* 100 Trying never reaches the application. */
void sipc__ops_run(struct sipc *c, struct ss *ss, osip_message_t *m,
		   bool initial)
{
	struct sipc_ops_msg ctx = {
		.request = m && MSG_IS_REQUEST(m), .initial = initial,
		.ua = c->app.is_ua, .model = c->m,
		.req = m && MSG_IS_REQUEST(m) ? m : NULL,
		.px = c->ops_px, .branch = c->ops_branch,
	};

	sipc_ops_clear(&c->ops);
	if (ss && m && m->status_code != 100)
		sipc_ops_run(&c->ops, ss, m, &ctx, c->mapp, ops_trace, c);
}

void sipc__trace_write(struct sipc *c, json_t *o)
{
	if (!c->trace) {
		json_decref(o);
		return;
	}
	json_object_set_new(o, "seq", json_integer((json_int_t)++c->seq));
	json_object_set_new(o, "t", json_integer((json_int_t)sipc__now_ms()));
	json_dumpf(o, c->trace, JSON_COMPACT | JSON_PRESERVE_ORDER);
	fputc('\n', c->trace);
	c->trace_dirty = true;   /* flushed before the loop next waits */
	json_decref(o);
}

void sipc__on_model_event(const struct ssm_event *ev, void *arg)
{
	struct sipc *c = arg;
	json_t *o;

	if (!c->trace)
		return;
	o = json_object();
	json_object_set_new(o, "ev", json_string(ssm_ev_name(ev->type)));
	if (ev->sas)
		json_object_set_new(o, "sas", json_string(sas_id(ev->sas)));
	if (ev->ss) {
		json_object_set_new(o, "ss", json_string(ss_id(ev->ss)));
		json_object_set_new(o, "role",
				    json_string(ss_role_name(ss_role(ev->ss))));
	}
	if (ev->peer)
		json_object_set_new(o, ev->type == SSM_EV_SS_CREATED ?
				    "orig" : "peer",
				    json_string(ss_id(ev->peer)));
	if (ev->hs)
		json_object_set_new(o, "hs", json_string(hs_id(ev->hs)));
	if (ev->timer)
		json_object_set_new(o, "timer",
				    json_string(ssm_timer_id(ev->timer)));
	/* the state at readiness and invalidation: what the container did
	 * last to the session, after it processed its last message */
	if (ev->ss && (ev->type == SSM_EV_SS_READY ||
		       ev->type == SSM_EV_SS_DESTROYED)) {
		enum ss_state st;

		if (!ss_state(ev->ss, &st))
			json_object_set_new(o, "state",
					    json_string(ss_state_name(st)));
	}
	if (ev->type == SSM_EV_STATE) {
		json_object_set_new(o, "from",
				    json_string(ss_state_name(ev->from)));
		json_object_set_new(o, "to",
				    json_string(ss_state_name(ev->to)));
	}
	if (ev->msg) {
		char cause[96];

		if (ev->msg->status)
			snprintf(cause, sizeof(cause), "%d %s %s",
				 ev->msg->status, ev->msg->method,
				 ev->msg->dir == SSM_IN ? "in" : "out");
		else
			snprintf(cause, sizeof(cause), "%s %s",
				 ev->msg->method,
				 ev->msg->dir == SSM_IN ? "in" : "out");
		json_object_set_new(o, "cause", json_string(cause));
		json_object_set_new(o, "cseq",
				    json_integer(ev->msg->cseq));
	}
	sipc__trace_write(c, o);
}
