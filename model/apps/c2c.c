/**
 * @file model/apps/c2c.c  click-to-call: a converged HTTP and SIP application
 *
 *   POST /calls {"from": A, "to": B}   an application session with the
 *                                      request's HTTP session attached;
 *                                      the container calls A, then B,
 *                                      and bridges them (RFC 3725 flow I)
 *   GET  /calls/ID                     both SIP sessions' states
 *   POST /calls/ID/hangup              BYE (or CANCEL) on both legs
 *
 * ID is the application session's id; the "url" of a call is encodeURL's
 * (HTTP-02, HTTP-03), and a request on it joins that application session.
 */
#include <stdio.h>
#include <string.h>

#include "apps.h"
#include "http.h"
#include "fault.h"

static json_t *call_json(struct sipc_call *k, struct hs *hs)
{
	struct sas *sas = sipc_call_sas(k);
	json_t *legs = json_array(), *o;
	char url[256], rel[128];

	for (int i = 0; i < 2; i++) {
		struct ss *ss = sipc_call_leg(k, i);
		json_t *l = ss ? http_ss_json(ss) : json_pack("{s:s}", "state", "none");

		json_object_set_new(l, "party", json_string(sipc_call_party(k, i)));
		json_object_set_new(l, "status", json_integer(sipc_call_status(k, i)));
		json_array_append_new(legs, l);
	}
	snprintf(rel, sizeof(rel), "/calls/%s", sas_id(sas));
	if (!sas_is_valid(sas) || sas_encode_url(sas, rel, url, sizeof(url)))
		snprintf(url, sizeof(url), "%s", rel);
	o = json_pack("{s:s,s:s,s:s,s:b,s:o}", "id", sas_id(sas), "phase",
		      sipc_call_phase_name(k), "url", url, "valid",
		      sas_is_valid(sas), "legs", legs);
	if (hs)
		json_object_set_new(o, "http_session", json_string(hs_id(hs)));
	return o;
}

static const char *party(json_t *body, const char *key)
{
	return json_string_value(json_object_get(body, key));
}

int c2c_http(struct http_req *r, json_t **bodyp, void *arg)
{
	struct sipc *c = http_container(r->h);
	struct sipc_call *k;
	const char *rest, *id;
	char cid[64];
	size_t n;

	(void)arg;
	if (!strcmp(r->path, "/calls")) {
		struct sas *sas = r->joined;
		char from[128];
		int rc;

		if (strcmp(r->method, "POST")) {
			*bodyp = http_error("%s not allowed on /calls", r->method);
			return 405;
		}
		if (!json_is_object(r->body) || !party(r->body, "from") ||
		    !party(r->body, "to")) {
			*bodyp = http_error("expected {\"from\": SIP URI, \"to\": SIP URI}");
			return 400;
		}
		/* SipFactory.createApplicationSession() while serving the
		 * HTTP session: a new one with it attached (HTTP-05) */
		if (!sas && hs_create_app_session(r->hs, sipc_model_app(c), &sas)) {
			*bodyp = http_error("no application session");
			return 500;
		}
		snprintf(from, sizeof(from), "sip:click-to-call@%s:%d",
			 sipc_addr(c), sipc_port(c));
		rc = sipc_call_start(c, sas, from, party(r->body, "from"),
				     party(r->body, "to"), &k);
		if (rc) {
			if (!r->joined)
				sas_invalidate(sas);
			*bodyp = rc == SSM_IAE ?
				http_error("from and to must be sip: URIs on loopback, "
					   "a port 1 to 65535") :
				http_error("the call could not start (%d)", rc);
			return rc == SSM_IAE ? 400 : 500;
		}
		*bodyp = call_json(k, r->hs);
		return 201;
	}
	if (strncmp(r->path, "/calls/", 7))
		return 0;
	id = r->path + 7;
	n = strcspn(id, "/");
	if (!n || n >= sizeof(cid)) {
		*bodyp = http_error("no such call");
		return 404;
	}
	snprintf(cid, sizeof(cid), "%.*s", (int)n, id);
	rest = id + n;
	k = sipc_call_find(c, cid);
	if (!k) {
		*bodyp = http_error("no call %s", cid);
		return 404;
	}
	if (!*rest && !strcmp(r->method, "GET")) {
		*bodyp = call_json(k, r->hs);
		return 200;
	}
	if (!strcmp(rest, "/hangup") && !strcmp(r->method, "POST")) {
		if (sipc_call_hangup(k)) {
			*bodyp = http_error("call %s is over (%s)", cid,
					    sipc_call_phase_name(k));
			return 409;
		}
		*bodyp = call_json(k, r->hs);
		return 202;
	}
	*bodyp = http_error("%s not allowed on %s", r->method, r->path);
	return *rest && strcmp(rest, "/hangup") ? 404 : 405;
}
