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
 *
 * A call that is over (ended or failed) is still answered for a while, so
 * that its client can read how it went, then forgotten (GET answers 404):
 * each ended call's record is kept for keep_ms after it was first seen
 * over, and at most keep_n of them, the oldest forgotten first.  The
 * records are the container's (sipc_call_free); c2c only chooses when.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "apps.h"
#include "http.h"
#include "fault.h"

/** A call c2c started, as it tracks it (the call is the container's). */
struct c2c_rec {
	struct sipc_call *k;          /**< borrowed                       */
	uint64_t over_ms;             /**< when first seen over; 0: live  */
	struct c2c_rec *next;
};

struct c2c {
	struct c2c_rec *live;         /**< calls not seen over (owned)    */
	struct c2c_rec *over;         /**< ended calls, oldest first (owned) */
	struct c2c_rec **over_tail;
	size_t nover;
	size_t keep_n;                /**< ended records kept, at most    */
	uint64_t keep_ms;             /**< each for this long             */
};

int c2c_alloc(struct c2c **cp, int keep_n, int keep_s)
{
	struct c2c *cc;

	if (!cp || keep_n < 0 || keep_s < 0)
		return EINVAL;
	cc = calloc(1, sizeof(*cc));
	if (!cc)
		return ENOMEM;
	cc->over_tail = &cc->over;
	cc->keep_n = (size_t)keep_n;
	cc->keep_ms = (uint64_t)keep_s * 1000;
	*cp = cc;
	return 0;
}

static void recs_free(struct c2c_rec *r)
{
	while (r) {
		struct c2c_rec *next = r->next;

		free(r);
		r = next;
	}
}

void c2c_free(struct c2c *cc)
{
	if (!cc)
		return;
	recs_free(cc->live);
	recs_free(cc->over);
	free(cc);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static bool call_over(const struct sipc_call *k)
{
	const char *ph = sipc_call_phase_name(k);

	return !strcmp(ph, "ended") || !strcmp(ph, "failed");
}

/* On every request: calls newly over join the end of the ended list, and
 * ended records past keep_ms, or beyond keep_n, are forgotten, oldest
 * first.  One whose container still waits on a leg (sipc_call_free says
 * SSM_ISE) is kept for a later turn. */
static void c2c_sweep(struct c2c *cc)
{
	uint64_t now = mono_ms();
	struct c2c_rec **pp = &cc->live, *r;

	while ((r = *pp)) {
		if (!call_over(r->k)) {
			pp = &r->next;
			continue;
		}
		*pp = r->next;
		r->next = NULL;
		r->over_ms = now;
		*cc->over_tail = r;
		cc->over_tail = &r->next;
		cc->nover++;
	}
	pp = &cc->over;
	while ((r = *pp) && (cc->nover > cc->keep_n ||
			     now - r->over_ms >= cc->keep_ms)) {
		if (sipc_call_free(r->k)) {
			pp = &r->next;
			continue;
		}
		*pp = r->next;
		if (cc->over_tail == &r->next)
			cc->over_tail = pp;
		free(r);
		cc->nover--;
	}
}

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

/* What a party's URI may be.  RFC 3261 sets no bounds; these are far above
 * what a call between two loopback user agents needs, and far below what
 * the container would carry into a request's Request-URI and To (and its
 * trace) on every leg's message. */
#define C2C_URI_MAX    512      /**< the whole URI, in bytes          */
#define C2C_USER_MAX   128      /**< its user part, in bytes          */
#define C2C_PARAMS_MAX 8        /**< its ;uri-parameters (transport,
				     user, lr, ... as RFC 3261 19.1.1) */

/* Only the characters of a SIP URI (RFC 3261 25.1): alphanumerics, the
 * marks and the reserved characters, %HH escapes, and the brackets of an
 * IPv6 reference.  No space, CR, LF or control character, and no '<', '>'
 * or '"', which would end the To header's name-addr and let the rest of
 * the party into the request as headers of its own. */
static bool uri_chars_ok(const char *uri)
{
	static const char other[] = "-_.!~*'();/?:@&=+$,[]";

	for (const char *p = uri; *p; p++) {
		unsigned char ch = (unsigned char)*p;

		if (ch == '%') {
			if (!isxdigit((unsigned char)p[1]) ||
			    !isxdigit((unsigned char)p[2]))
				return false;
			p += 2;
			continue;
		}
		if (ch >= 0x80 || (!isalnum(ch) && !strchr(other, ch)))
			return false;
	}
	return true;
}

/**
 * Check the party @uri of the request's field @key, as it is read from the
 * body and before anything is made for the call: a sip: URI on loopback,
 * only a URI's characters, its port (if any) 1 to 65535, its length, its
 * user part and its number of parameters bounded (above), and no ?headers (which would be copied
 * into the container's own requests; RFC 3261 19.1.5).  0, or EINVAL with
 * the reason in @why (for the 400's error text).
 */
static int party_check(const char *key, const char *uri, char *why, size_t sz)
{
	osip_uri_t *u = NULL;
	size_t len = strlen(uri);
	int err = EINVAL;

	if (len > C2C_URI_MAX) {
		snprintf(why, sz, "%s: a URI of %zu bytes (at most %d)", key, len,
			 C2C_URI_MAX);
		return EINVAL;
	}
	if (!uri_chars_ok(uri)) {
		snprintf(why, sz, "%s: a character a SIP URI cannot hold (RFC 3261 "
			 "25.1; escape it as %%HH)", key);
		return EINVAL;
	}
	if (osip_uri_init(&u) < 0) {
		snprintf(why, sz, "%s: out of memory", key);
		return ENOMEM;
	}
	if (osip_uri_parse(u, uri) < 0 || !u->scheme ||
	    strcasecmp(u->scheme, "sip") || !u->host || !*u->host) {
		snprintf(why, sz, "%s must be a sip: URI", key);
		goto out;
	}
	if (!sipc_is_loopback(u->host)) {
		snprintf(why, sz, "%s must be on loopback, not %.64s", key, u->host);
		goto out;
	}
	if (u->port) {
		char *end = NULL;
		long port;

		errno = 0;
		port = strtol(u->port, &end, 10);
		if (u->port[0] < '0' || u->port[0] > '9' || *end || errno ||
		    port < 1 || port > 65535) {
			snprintf(why, sz, "%s: port %.16s is not 1 to 65535", key,
				 u->port);
			goto out;
		}
	}
	if (u->username && strlen(u->username) > C2C_USER_MAX) {
		snprintf(why, sz, "%s: a user part of %zu bytes (at most %d)", key,
			 strlen(u->username), C2C_USER_MAX);
		goto out;
	}
	if (osip_list_size(&u->url_params) > C2C_PARAMS_MAX) {
		snprintf(why, sz, "%s: %d URI parameters (at most %d)", key,
			 osip_list_size(&u->url_params), C2C_PARAMS_MAX);
		goto out;
	}
	if (osip_list_size(&u->url_headers) > 0) {
		snprintf(why, sz, "%s: a URI with headers (?...) is not a party", key);
		goto out;
	}
	err = 0;
out:
	osip_uri_free(u);
	return err;
}

int c2c_http(struct http_req *r, json_t **bodyp, void *arg)
{
	struct sipc *c = http_container(r->h);
	struct c2c *cc = arg;
	struct sipc_call *k;
	const char *rest, *id;
	char cid[64];
	size_t n;

	if (cc)
		c2c_sweep(cc);
	if (!strcmp(r->path, "/calls")) {
		struct sas *sas = r->joined;
		char from[128], why[160];
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
		/* the parties are checked here, where they are read: a
		 * refused call leaves nothing behind (no application
		 * session, no SIP session) */
		if (party_check("from", party(r->body, "from"), why, sizeof(why)) ||
		    party_check("to", party(r->body, "to"), why, sizeof(why))) {
			*bodyp = http_error("%s", why);
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
		if (cc) {
			struct c2c_rec *rec = calloc(1, sizeof(*rec));

			/* no memory: the call goes on, remembered until the
			 * container stops, as before there was a bound */
			if (rec) {
				rec->k = k;
				rec->next = cc->live;
				cc->live = rec;
			}
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
