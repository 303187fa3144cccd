/**
 * @file model/apps/apps.c  sstck-ref's applications (the servlets)
 *
 *   proxy    the record-routing proxy servlet of IBM's example (EX-03):
 *            supervised, record-route on, proxies to the Request-URI;
 *            --rr-invite-only makes it the SimpleProxyServlet (EX-04),
 *            which record-routes initial INVITEs only.
 *   send-on  the SendOnServlet (EX-01): proxies to the Request-URI with
 *            no Record-Route; with a domain set, INVITEs whose From host
 *            is outside it get 403.
 *   fork     proxies to a fixed target list, in parallel or in sequence
 *            (PROXY-04, -05, -09, -10, -12).  In the best-response
 *            callback (PROXY-11) it can proxy once more (--reproxy) or
 *            answer upstream itself (--best-answer), as the JSR 289 TCK's
 *            proxy tests do.
 *   b2bua    the B2buaHelper pattern (B2B-02 to -09): a new linked leg in
 *            the same application session, to --target or the
 *            Request-URI; --auth-retry retries a 401/407 on the same
 *            session (SS-STATE-14).
 *   uas      answers every request itself with 200: the session a case
 *            asks for operations on when no other role makes one.  Its
 *            @SipApplicationKey method is the X-SSTCK-Key header.
 *   probe    what the Java probe (conformance/probe/java) does in a
 *            third-party container: each initial request names the
 *            application and its options in X-SSTCK-App, as sstck run
 *            adds it for a HOST:PORT target; the same cases then run
 *            against sstck-ref standing in for such a container.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "apps.h"
#include "fault.h"

static void uri_target(struct sipc_req *r, char *buf, size_t sz)
{
	const osip_message_t *m = sipc_req_msg(r);
	char *s = NULL;

	buf[0] = '\0';
	if (m->req_uri && osip_uri_to_str(m->req_uri, &s) >= 0) {
		snprintf(buf, sz, "%s", s);
		osip_free(s);
	}
}

static void do_proxy(struct sipc_req *r, void *arg)
{
	struct app_cfg *a = arg;
	struct sipc_proxy_opts o = a->px;
	char target[512];
	const char *t = target;

	uri_target(r, target, sizeof(target));
	/* EX-03 record-routes every initial request; the SimpleProxyServlet
	 * of EX-04 only INVITEs */
	o.record_route = !a->rr_invite_only || MSG_IS_INVITE(sipc_req_msg(r));
	(void)sipc_proxy(r, &o, &t, 1, NULL);
}

static void do_send_on(struct sipc_req *r, void *arg)
{
	struct app_cfg *a = arg;
	const osip_message_t *m = sipc_req_msg(r);
	struct sipc_proxy_opts o = a->px;
	char target[512], reason[160];
	const char *t = target;

	if (a->domain && MSG_IS_INVITE(m) &&
	    (!m->from || !m->from->url || !m->from->url->host ||
	     strcasecmp(m->from->url->host, a->domain))) {
		snprintf(reason, sizeof(reason),
			 "Calls outside %s not accepted", a->domain);
		sipc_respond(r, 403, reason);
		return;
	}
	uri_target(r, target, sizeof(target));
	o.record_route = false;
	(void)sipc_proxy(r, &o, &t, 1, NULL);
}

static void do_fork(struct sipc_req *r, void *arg)
{
	struct app_cfg *a = arg;

	(void)sipc_proxy(r, &a->px, (const char *const *)a->targets,
			 a->ntargets, NULL);
}

/* The best-response callback of a supervised proxy (PROXY-11): called with
 * the best final response before it goes upstream. */
#define PROBE_ATTR "sstck.probe"

/* The probe's choice for one call: an application and its options. */
struct probe_cfg {
	struct app_cfg a;
	bool auth_retry, same_call_id;
	char buf[1024];
};

static void do_best(struct sipc_px *px, int status, void *arg)
{
	struct app_cfg *a = arg;
	struct ss *ss = sipc_px_session(px);
	void *done = NULL, *pc = NULL;

	struct sas *sas = NULL;

	/* kept in the application session: derived sessions share it, and
	 * a copied attribute would be freed twice (CF-06 copies the map) */
	if (ss && !ss_app_session(ss, &sas) && sas &&
	    !sas_get_attr(sas, PROBE_ATTR, &pc) && pc)
		a = &((struct probe_cfg *)pc)->a;

	if (status < 300)
		return;
	if (a->reproxy) {
		/* once per call: the mark lives in the session, like a
		 * servlet's session attribute */
		if (ss && ss_get_attr(ss, "sstck.reproxied", &done) == 0 && done)
			return;
		if (ss)
			ss_set_attr(ss, "sstck.reproxied", (void *)a, NULL);
		sipc_px_add_target(px, a->reproxy);
		return;
	}
	if (a->best_answer)
		sipc_px_respond(px, a->best_answer, NULL);
}

static void do_b2bua(struct sipc_req *r, void *arg)
{
	struct app_cfg *a = arg;
	char target[512];

	if (a->ntargets)
		snprintf(target, sizeof(target), "%s", a->targets[0]);
	else
		uri_target(r, target, sizeof(target));
	(void)sipc_b2b(r, target);
}

static void probe_unbound(void *value, const char *name, enum ssm_kind kind,
			  void *owner, void *arg)
{
	(void)name;
	(void)kind;
	(void)owner;
	(void)arg;
	free(value);
}

/* A flag without a value: it sets @field to @value. */
struct bool_flag {
	const char *flag;
	bool *field;
	bool value;
};

static const struct bool_flag *bool_flag(const struct bool_flag *t,
					 const char *w)
{
	for (; t->flag; t++)
		if (!strcmp(t->flag, w))
			return t;
	return NULL;
}

/* X-SSTCK-App: NAME [OPTIONS]: the options sstck-ref takes for NAME. */
static int probe_parse(struct probe_cfg *pc, const char *v)
{
	struct app_cfg *a = &pc->a;
	const struct bool_flag flags[] = {
		{"--sequential", &a->px.parallel, false},
		{"--no-recurse", &a->px.recurse, false},
		{"--recurse", &a->px.recurse, true},
		{"--no-cancel", &a->px.no_cancel, true},
		{"--record-route", &a->px.record_route, true},
		{"--unsupervised", &a->px.supervised, false},
		{"--rr-invite-only", &a->rr_invite_only, true},
		{"--path", &a->px.add_path, true},
		{"--auth-retry", &pc->auth_retry, true},
		{"--same-call-id", &pc->same_call_id, true},
		{NULL, NULL, false},
	};
	const struct bool_flag *flag;
	char *save = NULL, *w;

	memset(pc, 0, sizeof(*pc));
	a->name = "proxy";
	a->px.parallel = true;
	a->px.recurse = true;
	a->px.supervised = true;
	a->px.branch_timeout_ms = 4000;
	snprintf(pc->buf, sizeof(pc->buf), "%s", v ? v : "");
	w = strtok_r(pc->buf, " \t", &save);
	if (w && w[0] != '-') {
		a->name = w;
		w = strtok_r(NULL, " \t", &save);
	}
	for (; w; w = strtok_r(NULL, " \t", &save)) {
		char *val = NULL;

		if (!strcmp(w, "--target") || !strcmp(w, "--domain") ||
		    !strcmp(w, "--branch-timeout") || !strcmp(w, "--reproxy") ||
		    !strcmp(w, "--best-answer") || !strcmp(w, "--app2")) {
			val = strtok_r(NULL, " \t", &save);
			if (!val)
				return -1;
		}
		if (!strcmp(w, "--target") && a->ntargets < SIPC_MAX_TARGETS)
			a->targets[a->ntargets++] = val;
		else if (!strcmp(w, "--domain"))
			a->domain = val;
		else if (!strcmp(w, "--branch-timeout"))
			a->px.branch_timeout_ms = atoi(val);
		else if (!strcmp(w, "--reproxy"))
			a->reproxy = val;
		else if (!strcmp(w, "--best-answer"))
			a->best_answer = atoi(val);
		else if (!strcmp(w, "--app2"))
			;      /* the container's second application, not the role's */
		else if (!(flag = bool_flag(flags, w)))
			return -1;
		else
			*flag->field = flag->value;
	}
	return 0;
}

/* uas: answers every request itself, 200 (SS-STATE-50): where a case
 * asks for operations on a session no other application makes */
static void do_uas(struct sipc_req *r, void *arg)
{
	(void)arg;
	/* its session's dialog, for the requests it makes there (ss.send) */
	if (MSG_IS_INVITE(sipc_req_msg(r)))
		(void)sipc_ua_dialog(r);
	sipc_respond(r, 200, NULL);
}

/* uas: a request in the dialog of a call it answered, 200 too */
static bool uas_subsequent(struct sipc_req *r, void *arg)
{
	do_uas(r, arg);
	return true;
}

/* The probe's: the same when the session's role (its application
 * session's PROBE_ATTR) is uas; a B2BUA leg's is relayed. */
static bool probe_subsequent(struct sipc_req *r, void *arg)
{
	struct ss *ss = sipc_req_session(r);
	struct sas *sas = NULL;
	void *pc = NULL;

	if (!ss || ss_app_session(ss, &sas) || !sas ||
	    sas_get_attr(sas, PROBE_ATTR, &pc) || !pc ||
	    strcmp(((struct probe_cfg *)pc)->a.name, "uas"))
		return false;
	return uas_subsequent(r, arg);
}

static void do_probe(struct sipc_req *r, void *arg)
{
	const osip_message_t *m = sipc_req_msg(r);
	osip_header_t *h = NULL;
	struct probe_cfg *pc = malloc(sizeof(*pc));
	static const struct ssm_binding free_it = { NULL, probe_unbound, NULL };
	struct ss *ss = sipc_req_session(r);
	struct sas *sas = NULL;

	(void)arg;
	osip_message_header_get_byname(m, "x-sstck-app", 0, &h);
	if (!pc || probe_parse(pc, h ? h->hvalue : NULL)) {
		free(pc);
		sipc_respond(r, 400, "Bad X-SSTCK-App");
		return;
	}
	/* an operation invalidated the session (observation-protocol.md 4):
	 * no role to play on it; the request is answered with the results,
	 * as the Java probe does */
	if (ss && (!ss_is_valid(ss) || ss_app_session(ss, &sas) || !sas ||
		   !sas_is_valid(sas))) {
		free(pc);
		sipc_respond(r, 200, "Operations Done");
		return;
	}
	if (!ss || ss_app_session(ss, &sas) || !sas ||
	    sas_set_attr(sas, PROBE_ATTR, pc, &free_it)) {
		free(pc);
		sipc_respond(r, 500, NULL);
		return;
	}
	if (!strcmp(pc->a.name, "proxy"))
		do_proxy(r, &pc->a);
	else if (!strcmp(pc->a.name, "send-on"))
		do_send_on(r, &pc->a);
	else if (!strcmp(pc->a.name, "fork") && pc->a.ntargets)
		do_fork(r, &pc->a);
	else if (!strcmp(pc->a.name, "b2bua")) {
		char target[512];

		if (pc->a.ntargets)
			snprintf(target, sizeof(target), "%s", pc->a.targets[0]);
		else
			uri_target(r, target, sizeof(target));
		(void)sipc_b2b_opts(r, target, pc->auth_retry, pc->same_call_id);
	} else if (!strcmp(pc->a.name, "uas"))
		do_uas(r, NULL);
	else if (!strcmp(pc->a.name, "ping"))
		sipc_respond(r, 200, "Probe Ready");    /* sstck's pre-flight */
	else
		sipc_respond(r, 501, "Unknown Probe Role");
}

/* click-to-call places calls; a request that comes to it is no call */
static void do_c2c(struct sipc_req *r, void *arg)
{
	(void)arg;
	sipc_respond(r, 403, "Click-To-Call Places Calls Only");
}

int app_setup(struct app_cfg *a, struct sipc_app *app)
{
	memset(app, 0, sizeof(*app));
	app->arg = a;
	app->name = a->name;
	app->version = SSM_V11;
	if (!strcmp(a->name, "proxy")) {
		app->do_request = do_proxy;
		return 0;
	}
	if (!strcmp(a->name, "send-on")) {
		app->do_request = do_send_on;
		return 0;
	}
	if (!strcmp(a->name, "fork")) {
		if (a->ntargets < 1) {
			fprintf(stderr, "sstck-ref: --app fork needs at least "
				"one --target\n");
			return -1;
		}
		app->do_request = do_fork;
		if (a->reproxy || a->best_answer)
			app->do_response = do_best;
		return 0;
	}
	if (!strcmp(a->name, "b2bua")) {
		app->do_request = do_b2bua;
		app->is_ua = true;
		return 0;
	}
	if (!strcmp(a->name, "probe")) {
		app->do_request = do_probe;
		app->do_subsequent = probe_subsequent;
		app->do_response = do_best;
		/* as a SIP servlet container does: an in-dialog request of
		 * no dialog it keeps reaches no application (481) */
		app->is_ua = true;
		app->key_header = "x-sstck-key";   /* the probe's key method */
		return 0;
	}
	if (!strcmp(a->name, "uas")) {
		app->do_request = do_uas;
		app->do_subsequent = uas_subsequent;
		app->is_ua = true;
		app->key_header = "x-sstck-key";   /* its key method */
		return 0;
	}
	if (!strcmp(a->name, "click-to-call")) {
		app->do_request = do_c2c;
		app->is_ua = true;
		return 0;
	}
	fprintf(stderr, "sstck-ref: unknown application '%s' (proxy, "
		"send-on, fork, b2bua, uas, click-to-call, probe)\n", a->name);
	return -1;
}
