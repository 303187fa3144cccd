/**
 * @file model/sip/ops.c  operations: the session API called on request
 *
 * sstck-ref's side of conformance/observation-protocol.md section 4; the
 * Java probe's is conformance/probe/java/.../Ops.java.  Each operation is
 * one call of the session model's API, its error code the exception the
 * API would throw.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "ops.h"
#include "ops_int.h"
#include "mem.h"


/*
 * Attribute values: interned strings, each kept once until the container
 * stops (sipc_ops_forget).  A derived session's attributes are a shallow
 * copy of its original's (DERIVED-03, CF-06): one value may be bound to
 * several sessions at once and unbound from each, so no unbinding may
 * free it.
 */
#define OPS_VALUES 256
static char *values[OPS_VALUES];

static char *intern(const char *v)
{
	int i;

	for (i = 0; i < OPS_VALUES && values[i]; i++)
		if (!strcmp(values[i], v))
			return values[i];
	if (i == OPS_VALUES)
		return NULL;
	values[i] = strdup(v);
	return values[i];
}

const char *sipc_ops_value(const char *v)
{
	return v ? intern(v) : NULL;
}

bool sipc_ops_is_value(const void *v)
{
	for (int i = 0; i < OPS_VALUES && values[i]; i++)
		if (values[i] == v)
			return true;
	return false;
}

/*
 * Binding-listener values (setBindingAttribute): each records what the
 * container told it, under the name it was first stored as, for
 * app.bindingEvents.  Its label comes first, so that getAttribute shows
 * it as the probe's toString() does.  Kept, like the strings, until the
 * container stops: the model never frees a value.
 */
#define OPS_BOUND 128
struct bval {
	char label[12];            /* "binding" */
	char name[112];
	char ev[72];               /* "bound+unbound..." */
};
static struct bval *bvals[OPS_BOUND];

/* What the application's attribute listeners were told, by attribute
 * name (app.attributeEvents), until the container stops. */
struct aev {
	char name[112];
	char ev[72];               /* "added+replaced+removed" */
};
static struct aev *aevs[OPS_BOUND];

void sipc_ops_forget(void)
{
	for (int i = 0; i < OPS_VALUES; i++) {
		free(values[i]);
		values[i] = NULL;
	}
	for (int i = 0; i < OPS_BOUND; i++) {
		free(bvals[i]);
		bvals[i] = NULL;
		free(aevs[i]);
		aevs[i] = NULL;
	}
}

void sipc_ops_on_attr(enum ssm_attr_ev ev, enum ssm_kind kind, void *owner,
		      const char *name, void *value, void *arg)
{
	static const char *const what[] = { "added", "replaced", "removed" };
	int i;
	size_t n;

	(void)kind, (void)owner, (void)value, (void)arg;
	if (!name || !strncmp(name, "sstck.", 6) || (unsigned)ev > SSM_ATTR_REMOVED)
		return;                   /* the applications' own */
	for (i = 0; i < OPS_BOUND && aevs[i] && strcmp(aevs[i]->name, name); i++)
		;
	if (i == OPS_BOUND || (!aevs[i] && !(aevs[i] = calloc(1, sizeof(*aevs[i])))))
		return;                   /* full: no more names kept */
	snprintf(aevs[i]->name, sizeof(aevs[i]->name), "%s", name);
	n = strlen(aevs[i]->ev);
	snprintf(aevs[i]->ev + n, sizeof(aevs[i]->ev) - n, "%s%s", n ? "+" : "",
		 what[ev]);
}

static void bval_ev(void *value, const char *what)
{
	struct bval *b = value;
	size_t n = strlen(b->ev);

	snprintf(b->ev + n, sizeof(b->ev) - n, "%s%s", n ? "+" : "", what);
}

static void on_bound(void *value, const char *name, enum ssm_kind kind,
		     void *owner, void *arg)
{
	(void)name, (void)kind, (void)owner, (void)arg;
	bval_ev(value, "bound");
}

static void on_unbound(void *value, const char *name, enum ssm_kind kind,
		       void *owner, void *arg)
{
	(void)name, (void)kind, (void)owner, (void)arg;
	bval_ev(value, "unbound");
}

static const struct ssm_binding binding = { on_bound, on_unbound, NULL };

static struct bval *bval_new(const char *name)
{
	for (int i = 0; i < OPS_BOUND; i++) {
		if (bvals[i])
			continue;
		if (!(bvals[i] = calloc(1, sizeof(*bvals[i]))))
			return NULL;
		snprintf(bvals[i]->label, sizeof(bvals[i]->label), "binding");
		snprintf(bvals[i]->name, sizeof(bvals[i]->name), "%s", name);
		return bvals[i];
	}
	return NULL;
}

const char *sipc__op_arg(struct call *k, int i)
{
	if (i >= k->nargs) {
		k->bad = "missing argument";
		return NULL;
	}
	return strcmp(k->args[i], "null") ? k->args[i] : NULL;
}

/* The operation's value, as it is. */
int sipc__op_put(struct call *k, const char *s)
{
	snprintf(k->out, k->outsz, "%s", s);
	return SSM_OK;
}

static int put_u64(struct call *k, int err, uint64_t v)
{
	if (!err)
		snprintf(k->out, k->outsz, "%" PRIu64, v);
	return err;
}

static int put_bool(struct call *k, int err, bool v)
{
	if (!err)
		sipc__op_put(k, v ? "true" : "false");
	return err;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Attribute names in byte order, without the applications' own. */
static int put_names(struct call *k, const char **names, size_t n)
{
	size_t len = 0;

	qsort(names, n, sizeof(names[0]), cmp_str);
	k->out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (!strncmp(names[i], "sstck.", 6))
			continue;
		len += (size_t)snprintf(k->out + len, len < k->outsz ? k->outsz - len : 0,
					"%s%s", len ? " " : "", names[i]);
		if (len >= k->outsz)
			break;
	}
	return SSM_OK;
}

/* A value no store can write: not one of the interned texts, so a
 * distributable application's codec refuses it (DIST-04), as Java's
 * setAttribute(name, new Object()) gives a container a value that is not
 * Serializable.  One object for every such attribute, never freed. */
static const char unmovable[] = "an object that is not Serializable";

static int set_unmovable(struct call *k, bool on_sas, struct sas *sas,
			 struct ss *ss)
{
	const char *name = sipc__op_arg(k, 0);
	int err;

	if (k->bad)
		return SSM_OK;
	err = on_sas ? sas_set_attr(sas, name, (void *)unmovable, NULL) :
		       ss_set_attr(ss, name, (void *)unmovable, NULL);
	if (!err)
		sipc__op_put(k, "void");
	return err;
}

static int set_attr(struct call *k, bool on_sas, struct sas *sas, struct ss *ss)
{
	const char *name = sipc__op_arg(k, 0), *val = sipc__op_arg(k, 1);
	char *v = val ? intern(val) : NULL;
	int err;

	if (k->bad)
		return SSM_OK;
	if (val && !v)
		return SSM_NOMEM;
	err = on_sas ? sas_set_attr(sas, name, v, NULL) :
		       ss_set_attr(ss, name, v, NULL);
	return err ? err : sipc__op_put(k, "void");
}

/* setBindingAttribute NAME (SAS-03, INVAL-01): a new binding-listener
 * value under NAME. */
static int set_binding(struct call *k, struct sas *sas, struct ss *ss)
{
	const char *name = sipc__op_arg(k, 0);
	struct bval *b;
	int err;

	if (k->bad)
		return SSM_OK;
	if (!name)
		return SSM_NPE;
	if (!(b = bval_new(name)))
		return SSM_NOMEM;
	err = sas ? sas_set_attr(sas, name, b, &binding) :
		    ss_set_attr(ss, name, b, &binding);
	return err ? err : sipc__op_put(k, "void");
}

/* app.bindingEvents NAME: each value first stored under NAME, in the
 * order they were made, with what it was told ("bound+unbound");
 * app.attributeEvents NAME: what the attribute listeners were told of
 * NAME ("added+replaced+removed"). */
static int on_appself(struct call *k, const char *op)
{
	const char *name;
	size_t len = 0;

	if (strcmp(op, "bindingEvents") && strcmp(op, "attributeEvents")) {
		k->bad = "unknown operation";
		return SSM_OK;
	}
	name = sipc__op_arg(k, 0);
	if (k->bad || !name)
		return k->bad ? SSM_OK : SSM_NPE;
	k->out[0] = '\0';
	if (op[0] == 'a') {
		for (int i = 0; i < OPS_BOUND && aevs[i]; i++)
			if (!strcmp(aevs[i]->name, name))
				return sipc__op_put(k, aevs[i]->ev);
		return SSM_OK;
	}
	for (int i = 0; i < OPS_BOUND && len < k->outsz; i++)
		if (bvals[i] && !strcmp(bvals[i]->name, name))
			len += (size_t)snprintf(k->out + len, k->outsz - len, "%s%s",
						len ? " " : "", bvals[i]->ev[0] ?
						bvals[i]->ev : "none");
	return SSM_OK;
}

/*
 * ss.send METHOD (UasActive1, SS-08): SipSession.createRequest(METHOD),
 * sent by the container once the application has acted on the message
 * in hand, with this message's results (sipc_ops_flush's caller).  The
 * CSeq is the one createRequest gave it; an INVITE, which would need a
 * client transaction of its own and an ACK, is not an operation.
 */
static int send_request(struct call *k, struct ss *s)
{
	const char *m = sipc__op_arg(k, 0);
	struct sipc_send *out;
	struct ss_req rq;
	int err;

	if (k->bad)
		return SSM_OK;
	if (m && (!strcasecmp(m, "INVITE") || strlen(m) >= sizeof(out->method) ||
		  !k->o || k->o->nsend == SIPC_MAX_SENDS)) {
		k->bad = "not a request ss.send makes";
		return SSM_OK;
	}
	if ((err = ss_create_request(s, m, &rq)))
		return err;
	out = &k->o->send[k->o->nsend++];
	out->ss = mem_ref(s);
	snprintf(out->method, sizeof(out->method), "%s", m);
	out->cseq = rq.cseq;
	return sipc__op_put(k, "void");
}

/* The session operations on_session leaves: its context, binding values,
 * the requests it sends. */
static int on_session_more(struct call *k, const char *op, struct ss *s)
{
	struct ssm_app *a = NULL;
	int err;

	if (!strcmp(op, "send"))
		return send_request(k, s);
	if (!strcmp(op, "setOutboundInterface")) {
		/* setOutboundInterface(InetAddress) (SS-11): one of the
		 * container's outbound interfaces, or IAE; null is NPE */
		const char *addr = sipc__op_arg(k, 0);

		if (k->bad)
			return SSM_OK;
		err = ss_set_outbound(s, addr);
		return err ? err : sipc__op_put(k, "void");
	}
	if (!strcmp(op, "getServletContext")) {
		/* the application's own context (SS-12): its ssm_app */
		if ((err = ss_app(s, &a)))
			return err;
		return sipc__op_put(k, !a ? "null" : a == k->app ? "app" : "other");
	}
	if (!strcmp(op, "setBindingAttribute"))
		return set_binding(k, NULL, s);
	if (!strcmp(op, "throwFromDestroyed"))
		/* the application's sessionDestroyed is to throw for this
		 * session (INVAL-17): a C listener cannot, and the model,
		 * like a container that logs a listener's failure and goes
		 * on, never depends on what a listener did */
		return ss_is_valid(s) ? sipc__op_put(k, "void") : SSM_ISE;
	k->bad = "unknown operation";
	return SSM_OK;
}

static int get_attr(struct call *k, int err, void *v)
{
	if (!err)
		sipc__op_put(k, v ? (const char *)v : "null");
	return err;
}

static int on_session(struct call *k, const char *op, struct ss *s)
{
	const char *names[64], *str = NULL;
	enum ss_state st;
	struct sas *sas;
	struct ss_req req;
	uint64_t t;
	size_t n;
	void *v = NULL;
	bool b;
	int err;

	if (!strcmp(op, "getId"))
		return sipc__op_put(k, ss_id(s));
	if (!strcmp(op, "isValid"))
		return put_bool(k, 0, ss_is_valid(s));
	if (!strcmp(op, "getState")) {
		if (!(err = ss_state(s, &st)))
			sipc__op_put(k, ss_state_name(st));
		return err;
	}
	if (!strcmp(op, "getCallId") || !strcmp(op, "getLocalParty") ||
	    !strcmp(op, "getRemoteParty") || !strcmp(op, "getRegion") ||
	    !strcmp(op, "getSubscriberURI")) {
		err = !strcmp(op, "getCallId") ? ss_call_id(s, &str) :
		      !strcmp(op, "getLocalParty") ? ss_local_party(s, &str) :
		      !strcmp(op, "getRegion") ? ss_region(s, &str) :
		      !strcmp(op, "getSubscriberURI") ? ss_subscriber_uri(s, &str) :
		      ss_remote_party(s, &str);
		if (!err)
			sipc__op_put(k, str ? str : "null");
		return err;
	}
	if (!strcmp(op, "getCreationTime") || !strcmp(op, "getLastAccessedTime")) {
		err = op[3] == 'C' ? ss_creation_time(s, &t) : ss_last_accessed(s, &t);
		return put_u64(k, err, t);
	}
	if (!strcmp(op, "getForkingContext")) {       /* JSR 359, DERIVED-08 */
		err = ss_forking_context(s, NULL, 0, &n);
		return put_u64(k, err, n);
	}
	if (!strcmp(op, "getApplicationSessionId")) {
		if (!(err = ss_app_session(s, &sas)))
			sipc__op_put(k, sas_id(sas));
		return err;
	}
	if (!strcmp(op, "setAttribute"))
		return set_attr(k, false, NULL, s);
	if (!strcmp(op, "setUnserializable"))
		return set_unmovable(k, false, NULL, s);
	if (!strcmp(op, "getAttribute")) {
		str = sipc__op_arg(k, 0);
		if (k->bad)
			return SSM_OK;
		err = ss_get_attr(s, str, &v);
		return get_attr(k, err, v);
	}
	if (!strcmp(op, "removeAttribute")) {
		str = sipc__op_arg(k, 0);
		if (k->bad || (err = ss_remove_attr(s, str)))
			return k->bad ? SSM_OK : err;
		return sipc__op_put(k, "void");
	}
	if (!strcmp(op, "getAttributeNames")) {
		if ((err = ss_attr_names(s, names, 64, &n)))
			return err;
		return put_names(k, names, n < 64 ? n : 64);
	}
	if (!strcmp(op, "invalidate"))
		return (err = ss_invalidate(s)) ? err : sipc__op_put(k, "void");
	if (!strcmp(op, "isReadyToInvalidate")) {
		err = ss_is_ready(s, &b);
		return put_bool(k, err, err ? false : b);
	}
	if (!strcmp(op, "getInvalidateWhenReady")) {
		err = ss_get_iwr(s, &b);
		return put_bool(k, err, err ? false : b);
	}
	if (!strcmp(op, "setInvalidateWhenReady")) {
		str = sipc__op_arg(k, 0);
		if (k->bad)
			return SSM_OK;
		err = ss_set_iwr(s, str && !strcmp(str, "true"));
		return err ? err : sipc__op_put(k, "void");
	}
	if (!strcmp(op, "createRequest")) {
		str = sipc__op_arg(k, 0);
		if (k->bad)
			return SSM_OK;
		err = ss_create_request(s, str, &req);
		return err ? err : sipc__op_put(k, "created");
	}
	if (!strcmp(op, "setHandler")) {
		str = sipc__op_arg(k, 0);
		if (k->bad)
			return SSM_OK;
		err = ss_set_handler(s, str);
		return err ? err : sipc__op_put(k, "void");
	}
	return on_session_more(k, op, s);
}

/* The application session's timers, encodeURI and keys. */
static int on_app_more(struct call *k, const char *op, struct sas *sas)
{
	const char *str = NULL;
	struct ssm_timer *tm;
	struct sas *other;
	size_t n;
	int err;

	if (!strcmp(op, "createTimer")) {
		str = sipc__op_arg(k, 0);
		if (k->bad)
			return SSM_OK;
		err = ssm_timer_create(sas, str ? strtoull(str, NULL, 10) : 0, 0,
				       false, NULL, &tm);
		return err ? err : sipc__op_put(k, "created");
	}
	if (!strcmp(op, "getTimeRemaining")) {
		if ((err = sas_timers(sas, &tm, 1, &n)))
			return err;
		if (!n) {
			k->bad = "no timer";
			return SSM_OK;
		}
		snprintf(k->out, k->outsz, "%" PRId64, ssm_timer_remaining(tm));
		return SSM_OK;
	}
	if (!strcmp(op, "byId")) {
		str = sipc__op_arg(k, 0);
		if (k->bad)
			return SSM_OK;
		if (str && !strcmp(str, "self"))
			str = sas_id(sas);
		other = NULL;
		if ((err = ssm_app_find_sas(k->app, str, &other)))
			return err;
		return sipc__op_put(k, !other ? "null" : other == sas ? "self" : "other");
	}
	if (!strcmp(op, "getTimers")) {
		if (!(err = sas_timers(sas, NULL, 0, &n)))
			snprintf(k->out, k->outsz, "%zu", n);
		return err;
	}
	if (!strcmp(op, "encodeURI")) {
		str = sipc__op_arg(k, 0);
		if (k->bad)
			return SSM_OK;
		return sas_encode_uri(sas, str, k->out, k->outsz);
	}
	if (!strcmp(op, "byKey")) {
		str = sipc__op_arg(k, 0);
		if (k->bad)
			return SSM_OK;
		if ((err = sas_by_key(k->app, str, true, &other)))
			return err;
		return sipc__op_put(k, sas_id(other));
	}
	if (!strcmp(op, "setBindingAttribute"))
		return set_binding(k, sas, NULL);
	if (!strcmp(op, "cancelTimers")) {
		/* each timer cancelled twice: cancel() is idempotent (TIMER-04) */
		struct ssm_timer *all[16];

		if ((err = sas_timers(sas, all, 16, &n)))
			return err;
		for (size_t i = 0; i < n && i < 16; i++)
			mem_ref(all[i]);
		for (size_t i = 0; i < n && i < 16; i++) {
			ssm_timer_cancel(all[i]);
			ssm_timer_cancel(all[i]);
			mem_deref(all[i]);
		}
		return sipc__op_put(k, "void");
	}
	k->bad = "unknown operation";
	return SSM_OK;
}

static int on_app(struct call *k, const char *op, struct sas *sas)
{
	const char *names[64], *str = NULL;
	struct ss *found;
	uint64_t t;
	int64_t exp;
	size_t n;
	void *v = NULL;
	bool b;
	int err, granted;

	if (!strcmp(op, "getId"))
		return sipc__op_put(k, sas_id(sas));
	if (!strcmp(op, "isValid"))
		return put_bool(k, 0, sas_is_valid(sas));
	if (!strcmp(op, "getApplicationName")) {
		if (!(err = sas_app_name(sas, &str)))
			sipc__op_put(k, str ? str : "null");
		return err;
	}
	if (!strcmp(op, "getCreationTime") || !strcmp(op, "getLastAccessedTime")) {
		err = op[3] == 'C' ? sas_creation_time(sas, &t) :
		      sas_last_accessed(sas, &t);
		return put_u64(k, err, t);
	}
	if (!strcmp(op, "getExpirationTime")) {
		if (!(err = sas_expiration_time(sas, &exp)))
			snprintf(k->out, k->outsz, "%" PRId64, exp);
		return err;
	}
	if (!strcmp(op, "setExpires")) {
		str = sipc__op_arg(k, 0);
		if (k->bad)
			return SSM_OK;
		if (!(err = sas_set_expires(sas, str ? atoi(str) : 0, &granted)))
			snprintf(k->out, k->outsz, "%d", granted);
		return err;
	}
	if (!strcmp(op, "setAttribute"))
		return set_attr(k, true, sas, NULL);
	if (!strcmp(op, "setUnserializable"))
		return set_unmovable(k, true, sas, NULL);
	if (!strcmp(op, "getAttribute")) {
		str = sipc__op_arg(k, 0);
		if (k->bad)
			return SSM_OK;
		err = sas_get_attr(sas, str, &v);
		return get_attr(k, err, v);
	}
	if (!strcmp(op, "removeAttribute")) {
		str = sipc__op_arg(k, 0);
		if (k->bad || (err = sas_remove_attr(sas, str)))
			return k->bad ? SSM_OK : err;
		return sipc__op_put(k, "void");
	}
	if (!strcmp(op, "getAttributeNames")) {
		if ((err = sas_attr_names(sas, names, 64, &n)))
			return err;
		return put_names(k, names, n < 64 ? n : 64);
	}
	if (!strcmp(op, "getSessions")) {
		str = k->nargs ? sipc__op_arg(k, 0) : NULL;
		err = sas_sessions(sas, k->nargs == 0, str, NULL, 0, &n);
		if (!err)
			snprintf(k->out, k->outsz, "%zu", n);
		return err;
	}
	if (!strcmp(op, "getSipSession")) {
		str = sipc__op_arg(k, 0);
		if (k->bad)
			return SSM_OK;
		if (str && !strcmp(str, "self"))
			str = ss_id(k->ss);
		found = NULL;
		if ((err = sas_get_sip_session(sas, str, &found)))
			return err;
		return sipc__op_put(k, !found ? "null" : found == k->ss ? "self" : "other");
	}
	if (!strcmp(op, "invalidate"))
		return (err = sas_invalidate(sas)) ? err : sipc__op_put(k, "void");
	if (!strcmp(op, "isReadyToInvalidate")) {
		err = sas_is_ready(sas, &b);
		return put_bool(k, err, err ? false : b);
	}
	if (!strcmp(op, "getInvalidateWhenReady")) {
		err = sas_get_iwr(sas, &b);
		return put_bool(k, err, err ? false : b);
	}
	if (!strcmp(op, "setInvalidateWhenReady")) {
		str = sipc__op_arg(k, 0);
		if (k->bad)
			return SSM_OK;
		err = sas_set_iwr(sas, str && !strcmp(str, "true"));
		return err ? err : sipc__op_put(k, "void");
	}
	return on_app_more(k, op, sas);
}

/* The exception a model error stands for. */
static const char *exception(int err)
{
	switch (err) {
	case SSM_ISE:     return "IllegalStateException";
	case SSM_IAE:     return "IllegalArgumentException";
	case SSM_NPE:     return "NullPointerException";
	case SSM_SERVLET: return "ServletException";
	case SSM_HOPS:    return "TooManyHopsException";
	default:          return NULL;
	}
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decoding in place; false when it is not well formed. */
static bool decode(char *s)
{
	char *w = s;

	if (!strcmp(s, "\"\"")) {
		s[0] = '\0';
		return true;
	}
	for (; *s; s++) {
		if (*s == '%') {
			int h = hexval(s[1]), l = h < 0 ? -1 : hexval(s[2]);

			if (h < 0 || l < 0)
				return false;
			*w++ = (char)(h * 16 + l);
			s += 2;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
	return true;
}

/* Percent-encoding of the protocol. */
static void encode(const char *s, char *out, size_t sz)
{
	size_t k = 0;

	if (!*s) {
		snprintf(out, sz, "\"\"");
		return;
	}
	for (; *s && k + 4 < sz; s++) {
		unsigned char c = (unsigned char)*s;

		if (c > 0x20 && c < 0x7f && c != '%' && c != ',' && c != '"')
			out[k++] = (char)c;
		else
			k += (size_t)snprintf(out + k, sz - k, "%%%02X", c);
	}
	out[k] = '\0';
}

/* Runs one "N TARGET.OP ARGS" into @res ("N ok VALUE"). */
static void run_one(struct sipc_ops *o, const char *spec, struct ss *ss,
		    struct sas *sas, struct ssm_app *app,
		    const struct sipc_ops_msg *ctx, char *res, size_t ressz,
		    json_t *line)
{
	char buf[512], value[256] = "", enc[300], *save = NULL, *w, *dot;
	struct call k = { .ss = ss, .o = o, .app = app, .out = value,
			  .outsz = sizeof(value) };
	const char *n, *kind = "ok", *ex;
	struct ss *target = ss, *peer = NULL;
	int err = SSM_OK;

	snprintf(buf, sizeof(buf), "%s", spec);
	n = strtok_r(buf, " \t", &save);
	w = strtok_r(NULL, " \t", &save);
	if (!n || !w || n[strspn(n, "0123456789")] || !(dot = strchr(w, '.'))) {
		k.bad = "syntax";
	} else {
		*dot++ = '\0';
		for (char *a; (a = strtok_r(NULL, " \t", &save));)
			if (k.nargs < OPS_ARGS && decode(a))
				k.args[k.nargs++] = a;
			else
				k.bad = "bad argument";
	}
	if (!k.bad && !strcmp(w, "linked")) {
		err = ss_linked(ss, &peer);
		if (!err && !peer)
			k.bad = "no linked session";
		target = peer;
	}
	if (!k.bad && !err) {
		if (!strcmp(w, "ss") || !strcmp(w, "linked")) {
			err = on_session(&k, dot, target);
		} else if (!strcmp(w, "sas")) {
			err = sas ? on_app(&k, dot, sas) : SSM_ISE;
		} else if (!strcmp(w, "app")) {
			err = on_appself(&k, dot);
		} else if (!strcmp(w, "req") || !strcmp(w, "proxy")) {
			err = sipc__ops_on_message(&k, w, dot, ctx);
		} else {
			k.bad = "unknown target";
		}
	}
	ex = err ? exception(err) : NULL;
	if (k.bad) {
		kind = "bad";
		snprintf(value, sizeof(value), "%s", k.bad);
	} else if (err) {
		kind = ex ? "ex" : "bad";
		snprintf(value, sizeof(value), "%s", ex ? ex : ssm_strerror(err));
	}
	encode(value, enc, sizeof(enc));
	snprintf(res, ressz, "%s %s %s", n ? n : "?", kind, enc);
	json_object_set_new(line, "n", json_integer(n ? atoi(n) : -1));
	snprintf(enc, sizeof(enc), "%s.%s", w && dot ? w : "", w && dot ? dot : "");
	json_object_set_new(line, "op", json_string(enc));
	json_object_set_new(line, kind, json_string(value));
	if (k.made)
		json_object_set_new(line, "made", json_string(k.made));
}

/*
 * The application's sessionExpired (EXP-03): an application session with
 * the attribute sstck.extend (set by an operation) gets that many more
 * minutes, once: the attribute goes.
 */
void sipc_ops_on_sas_expired(struct sas *sas, void *arg)
{
	void *v = NULL;
	int granted;

	(void)arg;
	if (sas_get_attr(sas, "sstck.extend", &v) || !v)
		return;
	granted = atoi(v);
	(void)sas_remove_attr(sas, "sstck.extend");
	(void)sas_set_expires(sas, granted, &granted);
}

void sipc_ops_clear(struct sipc_ops *o)
{
	o->n = 0;
	o->rr_param[0] = '\0';
	sipc_ops_sent(o);
}

void sipc_ops_sent(struct sipc_ops *o)
{
	for (int i = 0; i < o->nsend; i++)
		o->send[i].ss = mem_deref(o->send[i].ss);
	o->nsend = 0;
}

static void hold(struct sipc_ops *o, void *p)
{
	if (!p)
		return;
	if (o->nheld == o->szheld) {
		int n = o->szheld ? 2 * o->szheld : 16;
		void **v = realloc(o->held, (size_t)n * sizeof(*v));

		if (!v)
			return;          /* sipc_ops_run runs no operation */
		o->held = v;
		o->szheld = n;
	}
	o->held[o->nheld++] = mem_ref(p);
}

void sipc_ops_release(struct sipc_ops *o, bool final)
{
	if (final)
		sipc_ops_sent(o);
	for (int i = 0; i < o->nheld; i++)
		mem_deref(o->held[i]);
	o->nheld = 0;
	if (final) {
		free(o->held);
		o->held = NULL;
		o->szheld = 0;
	}
}

void sipc_ops_run(struct sipc_ops *o, struct ss *ss, const osip_message_t *m,
		  const struct sipc_ops_msg *ctx, struct ssm_app *app,
		  sipc_ops_trace_h *trace, void *arg)
{
	osip_header_t *h = NULL;
	struct sas *sas = NULL;
	const char *spec[SIPC_MAX_OPS];
	bool held = false;
	int nspec = 0;

	o->n = 0;
	if (!ss || !m)
		return;
	/* the application session as the message found it: one an
	 * operation invalidates stays the one the later ones are on */
	(void)ss_app_session(ss, &sas);
	/* every operation first: one may change the request's headers
	 * (req.setHeader), never the protocol's own */
	for (int pos = 0;
	     (pos = osip_message_header_get_byname(m, "x-sstck-op", pos, &h)) >= 0 &&
	     nspec < SIPC_MAX_OPS; pos++)
		if (h && h->hvalue)
			spec[nspec++] = h->hvalue;
	for (int i = 0; i < nspec; i++) {
		json_t *line;

		if (!held) {
			int before = o->nheld;

			hold(o, ss);
			hold(o, sas);
			if (o->nheld != before + 1 + (sas != NULL))
				return;  /* out of memory: no operation runs */
			held = true;
		}
		line = json_object();
		json_object_set_new(line, "ev", json_string("op"));
		json_object_set_new(line, "ss", json_string(ss_id(ss)));
		if (sas)
			json_object_set_new(line, "sas", json_string(sas_id(sas)));
		run_one(o, spec[i], ss, sas, app, ctx, o->v[o->n], sizeof(o->v[0]),
			line);
		o->n++;
		if (trace)
			trace(arg, line);
		json_decref(line);
	}
}

void sipc_ops_attach(const struct sipc_ops *o, osip_message_t *m)
{
	for (int i = 0; i < o->n; i++)
		osip_message_set_header(m, "X-SSTCK-Result", o->v[i]);
}
