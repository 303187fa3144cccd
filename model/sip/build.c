/**
 * @file model/sip/build.c  building messages
 *
 * Responses, Via, Route and Max-Forwards handling, and small readers of
 * a message's headers, for the proxy, the B2BUA and the server side.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <osipparser2/osip_parser.h>
#include "sipc.h"
#include "mem.h"
#include "sipc_int.h"
#include "fault.h"

char *sipc__header_value(const osip_message_t *m, const char *name)
{
	osip_header_t *h = NULL;

	if (osip_message_header_get_byname(m, name, 0, &h) < 0 || !h)
		return NULL;
	return h->hvalue;
}

void sipc__remove_headers(osip_message_t *m, const char *name)
{
	int pos = 0;

	while (pos < osip_list_size(&m->headers)) {
		osip_header_t *h = osip_list_get(&m->headers, pos);

		if (h && h->hname && !strcasecmp(h->hname, name)) {
			osip_list_remove(&m->headers, pos);
			osip_header_free(h);
			continue;
		}
		pos++;
	}
}

const char *sipc__tag_of(osip_from_t *f)
{
	osip_generic_param_t *p = NULL;

	if (!f || osip_from_get_tag(f, &p) < 0 || !p)
		return NULL;
	return p->gvalue;
}

void sipc__call_id_str(const osip_message_t *m, char *buf, size_t sz)
{
	if (!m->call_id || !m->call_id->number)
		snprintf(buf, sz, "%s", "");
	else if (m->call_id->host)
		snprintf(buf, sz, "%s@%s", m->call_id->number,
			 m->call_id->host);
	else
		snprintf(buf, sz, "%s", m->call_id->number);
}

void sipc__gen_token(char *buf, size_t sz)
{
	static uint64_t n;
	uint64_t r = ((uint64_t)rand() << 31) ^ (uint64_t)rand() ^ ++n;

	snprintf(buf, sz, "%llx%llx", (unsigned long long)r,
		 (unsigned long long)n);
}

osip_message_t *sipc__make_response(const osip_message_t *req, int status,
				    const char *reason, const char *totag)
{
	osip_message_t *r = NULL;

	if (osip_message_init(&r) < 0)
		return NULL;
	osip_message_set_version(r, osip_strdup("SIP/2.0"));
	osip_message_set_status_code(r, status);
	osip_message_set_reason_phrase(r, osip_strdup(
		reason ? reason : (osip_message_get_reason(status) ?
				   osip_message_get_reason(status) :
				   "Unknown")));
	osip_list_clone(&req->vias, &r->vias,
			(int (*)(void *, void **))osip_via_clone);
	if (req->from)
		osip_from_clone(req->from, &r->from);
	if (req->to)
		osip_to_clone(req->to, &r->to);
	if (req->call_id)
		osip_call_id_clone(req->call_id, &r->call_id);
	if (req->cseq)
		osip_cseq_clone(req->cseq, &r->cseq);
	if (r->to && status > 100 && !sipc__tag_of(r->to) && totag)
		osip_to_set_tag(r->to, osip_strdup(totag));
	osip_message_set_content_length(r, "0");
	if (!r->from || !r->to || !r->call_id || !r->cseq ||
	    !osip_list_size(&r->vias)) {
		osip_message_free(r);
		return NULL;
	}
	return r;
}

/** Our Contact URI: @user at our address, or, for a cluster node, the
 * node's name at the cluster's front (--advertise), so that the dialog's
 * requests reach whichever node holds it (DIST-02). */
void sipc__own_contact(const struct sipc *c, const char *user, char *buf,
		       size_t sz)
{
	if (c->cfg.advertise)
		snprintf(buf, sz, "sip:sstck-%s@%s", c->cfg.node,
			 c->cfg.advertise);
	else
		snprintf(buf, sz, "sip:%s@%s:%d", user, c->addr, c->port);
}

/** Our Via, as the top Via of a forwarded request. */
int sipc__push_via(struct sipc *c, osip_message_t *m, bool tcp,
		   char *branch, size_t bsz)
{
	osip_via_t *v = NULL;
	char s[256], tok[40];

	sipc__gen_token(tok, sizeof(tok));
	snprintf(branch, bsz, BRANCH_MAGIC "%s", tok);
	snprintf(s, sizeof(s), "SIP/2.0/%s %s:%d;branch=%s",
		 tcp ? "TCP" : "UDP", c->addr, c->port, branch);
	if (osip_via_init(&v) < 0)
		return -1;
	if (osip_via_parse(v, s) < 0) {
		osip_via_free(v);
		return -1;
	}
	osip_list_add(&m->vias, v, 0);
	return 0;
}

void sipc__pop_via(osip_message_t *m)
{
	osip_via_t *v = osip_list_get(&m->vias, 0);

	if (v) {
		osip_list_remove(&m->vias, 0);
		osip_via_free(v);
	}
}

bool sipc__top_via_is_ours(const osip_message_t *m)
{
	osip_via_t *v = NULL;
	osip_generic_param_t *b = NULL;

	if (osip_message_get_via(m, 0, &v) < 0 || !v)
		return false;
	if (osip_via_param_get_byname(v, "branch", &b) < 0 || !b ||
	    !b->gvalue)
		return false;
	return !strncmp(b->gvalue, BRANCH_MAGIC, strlen(BRANCH_MAGIC));
}

bool sipc__uri_is_us(struct sipc *c, const osip_uri_t *u)
{
	int port;

	if (!u || !u->host)
		return false;
	port = sipc__port_of(u->port);
	return port == c->port && (!strcmp(u->host, c->addr) ||
				   (sipc_is_loopback(u->host) &&
				    sipc_is_loopback(c->addr)));
}

/* A cluster node's Record-Route, sstck-NODE at the front (proxy.c), of
 * this node or of another that held the dialog before it (DIST-02). */
static bool uri_is_cluster_node(const struct sipc *c, const osip_uri_t *u)
{
	char hp[96];

	if (!c->cfg.advertise || !u || !u->host || !u->username ||
	    strncmp(u->username, "sstck-", 6))
		return false;
	snprintf(hp, sizeof(hp), "%s:%d", u->host, sipc__port_of(u->port));
	return !strcmp(hp, c->cfg.advertise);
}

/** RFC 3261 16.4: a top Route that names us is removed. */
void sipc__pop_own_route(struct sipc *c, osip_message_t *m)
{
	osip_route_t *r = NULL;

	if (osip_message_get_route(m, 0, &r) >= 0 && r &&
	    (sipc__uri_is_us(c, r->url) || uri_is_cluster_node(c, r->url))) {
		osip_list_remove(&m->routes, 0);
		osip_route_free(r);
	}
}

int sipc__max_forwards(const osip_message_t *m)
{
	const char *v = sipc__header_value(m, "max-forwards");

	return v ? atoi(v) : 70;
}

void sipc__set_max_forwards(osip_message_t *m, int mf)
{
	char v[16];

	sipc__remove_headers(m, "max-forwards");
	snprintf(v, sizeof(v), "%d", mf);
	osip_message_set_header(m, "Max-Forwards", v);
}

char *sipc__uri_dup(const osip_uri_t *u)
{
	char *t = NULL, *r;

	if (!u || osip_uri_to_str(u, &t) < 0)
		return NULL;
	r = strdup(t);
	osip_free(t);
	return r;
}

char *sipc__contact_of(const osip_message_t *m)
{
	osip_contact_t *ct = NULL;

	if (osip_message_get_contact(m, 0, &ct) < 0 || !ct)
		return NULL;
	return sipc__uri_dup(ct->url);
}
