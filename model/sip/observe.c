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

	if (!ss || !ss_is_valid(ss))
		return ss;
	sipc__to_ev(m, dir, &ev, cid, sizeof(cid));
	if (c->store) {
		struct sas *sas = NULL;

		if (!ss_app_session(ss, &sas))
			sipc__store_touch(c, sas, false);  /* written at the end */
	}
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
	osip_route_t *top = NULL;

	if (ctx.req && osip_message_get_route(m, 0, &top) >= 0 && top &&
	    sipc__uri_is_us(c, top->url))
		ctx.popped = top;             /* req.getPoppedRoute */

	struct ssm_app *a = NULL;

	sipc_ops_clear(&c->ops);
	/* the operations of the session's own application (cfg.app2) */
	if (ss && (ss_app(ss, &a) || !a))
		a = c->mapp;
	if (ss && m && m->status_code != 100)
		sipc_ops_run(&c->ops, ss, m, &ctx, a, ops_trace, c);
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

/* A trace line of the model's events, built in place: these are most of
 * the trace (a dozen a call), and a jansson object per line cost about a
 * tenth of a proxied call's CPU (make bench).  The same JSON as
 * sipc__trace_write's, keys in the same order. */
struct tline {
	char b[1024];
	size_t n;
};

static void tl_raw(struct tline *l, const char *s, size_t len)
{
	if (l->n + len < sizeof(l->b)) {
		memcpy(l->b + l->n, s, len);
		l->n += len;
	} else {
		l->n = sizeof(l->b);            /* too long: dropped whole */
	}
}

/* The length of the valid UTF-8 sequence at @s (1 to 4), or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 :
		   (s[0] & 0xf0) == 0xe0 ? 3 : (s[0] & 0xf8) == 0xf0 ? 4 : 0;

	if ((n == 2 && s[0] < 0xc2) ||             /* overlong */
	    (n == 3 && s[0] == 0xe0 && s[1] < 0xa0) ||
	    (n == 3 && s[0] == 0xed && s[1] >= 0xa0) ||   /* surrogates */
	    (n == 4 && s[0] == 0xf0 && s[1] < 0x90) ||
	    (n == 4 && (s[0] > 0xf4 || (s[0] == 0xf4 && s[1] >= 0x90))))
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* "KEY":"VALUE" (VALUE escaped; a byte that is not UTF-8 becomes
 * U+FFFD, where jansson would have refused the whole string). */
static void tl_str(struct tline *l, const char *key, const char *v)
{
	char esc[8];

	tl_raw(l, l->n > 1 ? ",\"" : "\"", l->n > 1 ? 2 : 1);
	tl_raw(l, key, strlen(key));
	tl_raw(l, "\":\"", 3);
	for (const unsigned char *p = (const unsigned char *)v; *p;) {
		size_t k = utf8_len(p);

		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			tl_raw(l, esc, 2);
		} else if (*p < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
			tl_raw(l, esc, 6);
		} else if (!k) {
			tl_raw(l, "\\ufffd", 6);
			k = 1;
		} else {
			tl_raw(l, (const char *)p, k);
		}
		p += k ? k : 1;
	}
	tl_raw(l, "\"", 1);
}

static void tl_int(struct tline *l, const char *key, long long v)
{
	char num[32];

	tl_raw(l, ",\"", 2);
	tl_raw(l, key, strlen(key));
	tl_raw(l, num, (size_t)snprintf(num, sizeof(num), "\":%lld", v));
}

void sipc__on_model_event(const struct ssm_event *ev, void *arg)
{
	struct sipc *c = arg;
	struct tline l = { "{", 1 };

	if (c->store && ev->sas)      /* a new one's first write: "new" */
		sipc__store_touch(c, ev->sas,
				  ev->type == SSM_EV_SAS_CREATED);
	if (!c->trace)
		return;
	tl_str(&l, "ev", ssm_ev_name(ev->type));
	if (ev->sas)
		tl_str(&l, "sas", sas_id(ev->sas));
	if (ev->ss) {
		tl_str(&l, "ss", ss_id(ev->ss));
		tl_str(&l, "role", ss_role_name(ss_role(ev->ss)));
	}
	if (ev->peer)
		tl_str(&l, ev->type == SSM_EV_SS_CREATED ? "orig" : "peer",
		       ss_id(ev->peer));
	if (ev->hs)
		tl_str(&l, "hs", hs_id(ev->hs));
	if (ev->timer)
		tl_str(&l, "timer", ssm_timer_id(ev->timer));
	/* the state at readiness and invalidation: what the container did
	 * last to the session, after it processed its last message */
	if (ev->ss && (ev->type == SSM_EV_SS_READY ||
		       ev->type == SSM_EV_SS_DESTROYED)) {
		enum ss_state st;

		if (!ss_state(ev->ss, &st))
			tl_str(&l, "state", ss_state_name(st));
	}
	if (ev->type == SSM_EV_STATE) {
		tl_str(&l, "from", ss_state_name(ev->from));
		tl_str(&l, "to", ss_state_name(ev->to));
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
		tl_str(&l, "cause", cause);
		tl_int(&l, "cseq", ev->msg->cseq);
	}
	tl_int(&l, "seq", (long long)++c->seq);
	tl_int(&l, "t", (long long)sipc__now_ms());
	tl_raw(&l, "}\n", 2);
	if (l.n >= sizeof(l.b)) {
		c->seq--;                       /* not written: not counted */
		return;
	}
	fwrite(l.b, 1, l.n, c->trace);
	c->trace_dirty = true;
}
