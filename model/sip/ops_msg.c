/**
 * @file model/sip/ops_msg.c  operations on the message in hand: req.*
 * (isInitial, getProxy, b2bCreateRequest, setHeader, removeHeader) and
 * an initial request's proxy.* (observation-protocol.md 4).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "ops_int.h"
#include "sipc_int.h"

/*
 * req.b2bCreateRequest this|null LINKED [HEADER VALUE] (B2B-04):
 * B2buaHelper.createRequest(the request in hand or null, LINKED, a map
 * of HEADER to VALUE); the request is not sent, its new session is
 * invalidated at once.
 */
static int b2b_create(struct call *k, const struct sipc_ops_msg *ctx)
{
	const char *orig = sipc__op_arg(k, 0), *linked = sipc__op_arg(k, 1), *hdr = NULL;
	const char *from = NULL, *to = NULL;
	struct ss *leg = NULL;
	int err;

	if (k->nargs > 2)
		hdr = sipc__op_arg(k, 2);
	if (k->nargs == 3)
		(void)sipc__op_arg(k, 3);
	if (k->bad)
		return SSM_OK;
	if (!orig)
		return SSM_NPE;
	if (strcmp(orig, "this")) {
		k->bad = "the original is this or null";
		return SSM_OK;
	}
	if (!ctx->initial || (k->nargs > 2 && !ssm_b2b_header_allowed(hdr)))
		return SSM_IAE;
	(void)ss_remote_party(k->ss, &from);
	(void)ss_local_party(k->ss, &to);
	err = ss_b2b_leg(k->ss, linked && !strcmp(linked, "true"), 70, from, to, &leg);
	if (err)
		return err;
	k->made = ss_id(leg);
	(void)ss_invalidate(leg);
	return sipc__op_put(k, "created");
}

/* The system headers of JSR 289 5.4.2, which an application may not
 * set or remove (IllegalArgumentException). */
static bool system_header(const char *name)
{
	static const char *const sys[] = {
		"Call-ID", "i", "From", "f", "To", "t", "CSeq", "Via", "v",
		"Record-Route", "Route", "Path", "Contact", "m", "RSeq", "RAck",
		"Content-Length", "l", NULL
	};

	for (const char *const *s = sys; *s; s++)
		if (!strcasecmp(*s, name))
			return true;
	return false;
}

/*
 * req.setHeader NAME VALUE, req.removeHeader NAME (PROXY-17, the TCK's
 * ProxyBranch4): a non-system header of the request in hand, changed
 * before the application acts on it: what it proxies carries it.
 */
static int set_header(struct call *k, const char *op, const struct sipc_ops_msg *ctx)
{
	const char *name = sipc__op_arg(k, 0), *val = op[0] == 's' ? sipc__op_arg(k, 1) : "";
	osip_header_t *h = NULL;
	int pos;

	if (k->bad)
		return SSM_OK;
	if (!name || !val)
		return SSM_NPE;
	if (!ctx->req || !strcasecmp(name, "x-sstck-op") ||
	    !strcasecmp(name, "x-sstck-result") || !strcasecmp(name, "x-ss-state")) {
		k->bad = ctx->req ? "the protocol's own header" : "no request to change";
		return SSM_OK;
	}
	if (system_header(name))
		return SSM_IAE;
	while ((pos = osip_message_header_get_byname(ctx->req, name, 0, &h)) >= 0) {
		osip_list_remove(&ctx->req->headers, pos);
		osip_header_free(h);
	}
	if (op[0] == 's' && osip_message_set_header(ctx->req, name, val) < 0)
		return SSM_NOMEM;
	osip_message_force_update(ctx->req);
	return sipc__op_put(k, "void");
}

/*
 * proxy.cancel and proxy.cancelBranch on a branch's response (the TCK's
 * ProxyBranch5): Proxy.cancel() cancels every branch still pending,
 * ProxyBranch.cancel() the response's own; RFC 3261 16.10.
 */
static int on_branch_response(struct call *k, const char *op,
			      const struct sipc_ops_msg *ctx)
{
	if (!ctx->px || (strcmp(op, "cancel") && strcmp(op, "cancelBranch"))) {
		k->bad = ctx->px ? "unknown operation" : "not a proxy's branch response";
		return SSM_OK;
	}
	if (!strcmp(op, "cancel"))
		sipc__px_cancel_pending(ctx->px, -1);
	else
		sipc__px_cancel_branch(ctx->px, ctx->branch);
	return sipc__op_put(k, "void");
}

/* A URI parameter's name or value as sstck-ref puts it on its
 * Record-Route: token characters only (RFC 3261 25.1). */
static bool param_word(const char *w)
{
	return *w && !w[strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			      "0123456789-_.!~*'")];
}

/*
 * proxy.setRecordRouteParam NAME VALUE (the TCK's Proxy11, PROXY-06):
 * getProxy().setRecordRoute(true), then getRecordRouteURI() given the
 * parameter; the container puts it on the Record-Route of the proxy the
 * application starts next.  req.getPoppedRoute NAME: that parameter on
 * the container's own Route a later request came with (JSR 289
 * getPoppedRoute()): its value, null without it, none when no Route of
 * the container's was popped.
 */
static int rr_param(struct call *k, const char *op, const struct sipc_ops_msg *ctx)
{
	const char *name = sipc__op_arg(k, 0), *val = NULL;
	osip_uri_param_t *p = NULL;
	size_t n;

	if (op[0] == 's')
		val = sipc__op_arg(k, 1);
	if (k->bad)
		return SSM_OK;
	if (!name || (op[0] == 's' && !val))
		return SSM_NPE;
	if (op[0] == 'g') {
		if (!ctx->popped)
			return sipc__op_put(k, "none");
		if (osip_uri_uparam_get_byname(ctx->popped->url, (char *)name, &p) < 0 || !p)
			return sipc__op_put(k, "null");
		return sipc__op_put(k, p->gvalue ? p->gvalue : "\"\"");
	}
	if (!param_word(name) || !param_word(val))
		return SSM_IAE;
	n = k->o ? strlen(k->o->rr_param) : 0;
	if (!k->o || n + strlen(name) + strlen(val) + 3 > sizeof(k->o->rr_param)) {
		k->bad = "parameters too long for sstck-ref";
		return SSM_OK;
	}
	/* each one more on the same URI (a name twice: the first wins) */
	if (snprintf(k->o->rr_param + n, sizeof(k->o->rr_param) - n, "%s%s=%s",
		     n ? ";" : "", name, val) < 0)
		k->o->rr_param[n] = '\0';
	return sipc__op_put(k, "void");
}

/*
 * req.isInitial, req.getProxy and the initial request's Proxy defaults
 * (proxy.getRecurse ...): what the container knows of the message in
 * hand (@ctx).  getProxy on a request of a user agent's session (a B2BUA
 * leg) is IllegalStateException (B2B-01).
 */
int sipc__ops_on_message(struct call *k, const char *target, const char *op,
			  const struct sipc_ops_msg *ctx)
{
	struct ssm_proxy_cfg cfg;
	enum ss_role role = ss_role(k->ss);

	if (!ctx->request && !strcmp(target, "proxy"))
		return on_branch_response(k, op, ctx);
	if (!ctx->request) {
		k->bad = "not a request";
		return SSM_OK;
	}
	if (!strcmp(target, "req")) {
		if (!strcmp(op, "isInitial"))
			return sipc__op_put(k, ctx->initial ? "true" : "false");
		if (!strcmp(op, "getProxy"))
			return role == SS_ROLE_PROXY || (ctx->initial && !ctx->ua) ?
			       sipc__op_put(k, "proxy") : SSM_ISE;
		if (!strcmp(op, "b2bCreateRequest"))
			return b2b_create(k, ctx);
		if (!strcmp(op, "setHeader") || !strcmp(op, "removeHeader"))
			return set_header(k, op, ctx);
		if (!strcmp(op, "getPoppedRoute"))
			return rr_param(k, op, ctx);
		k->bad = "unknown operation";
		return SSM_OK;
	}
	if (!ctx->initial) {
		k->bad = "not an initial request";
		return SSM_OK;
	}
	if (!strcmp(op, "setRecordRouteParam"))
		return rr_param(k, op, ctx);
	ssm_proxy_defaults(ctx->model, &cfg);
	if (!strcmp(op, "getRecurse"))
		return sipc__op_put(k, cfg.recurse ? "true" : "false");
	if (!strcmp(op, "getRecordRoute"))
		return sipc__op_put(k, cfg.record_route ? "true" : "false");
	if (!strcmp(op, "getParallel"))
		return sipc__op_put(k, cfg.parallel ? "true" : "false");
	if (!strcmp(op, "getSupervised"))
		return sipc__op_put(k, cfg.supervised ? "true" : "false");
	k->bad = "unknown operation";
	return SSM_OK;
}

