/**
 * @file model/sip/ops.h  operations: the session API called on request
 *
 * A message the application receives may ask, in X-SSTCK-Op headers, for
 * calls of the session API on its session (conformance/observation-
 * protocol.md 4).  The container runs them when it gives the message to
 * the application, keeps the results, and puts them as X-SSTCK-Result on
 * every message it sends for it.
 */
#ifndef SSTCK_OPS_H
#define SSTCK_OPS_H

#include <jansson.h>
#include <osip2/osip.h>
#include "ssm.h"

#define SIPC_MAX_OPS 48
#define SIPC_MAX_SENDS 4

/** A request an operation made on a session (ss.send, SS-08), for the
 * container to send once the application has acted on the message. */
struct sipc_send {
	struct ss *ss;             /**< a reference                       */
	char method[16];
	uint32_t cseq;             /**< the CSeq createRequest gave it    */
};

/** The results of the message in hand, as X-SSTCK-Result values. */
struct sipc_ops {
	char v[SIPC_MAX_OPS][320];
	int n;
	void **held;               /**< sessions kept until the turn ends */
	int nheld, szheld;
	struct sipc_send send[SIPC_MAX_SENDS];
	int nsend;                 /**< the message's ss.send requests    */
	/** proxy.setRecordRouteParam's NAME=VALUE, for the Record-Route of
	 * the proxy the application is about to start (PROXY-06), or "". */
	char rr_param[128];
};

/** What the container knows of the message in hand. */
struct sipc_ops_msg {
	bool request;              /**< a request (else a response)     */
	bool initial;              /**< an initial request             */
	bool ua;                   /**< the application is a user agent
				        (a B2BUA): no Proxy for it        */
	const struct ssm *model;
	/** The request in hand, which the application may still change
	 * before it acts on it (req.setHeader); NULL for a response. */
	osip_message_t *req;
	/** A proxy's branch response in hand: the proxy and the branch
	 * (proxy.cancel, proxy.cancelBranch); NULL otherwise. */
	struct sipc_px *px;
	int branch;
	/** The container's own Route the request came with, which it pops
	 * (req.getPoppedRoute), or NULL. */
	const osip_route_t *popped;
};

/** Writes one trace line (the container's trace). */
typedef void (sipc_ops_trace_h)(void *arg, json_t *line);

/**
 * Forgets the last message's results, then runs the operations @m asks
 * for on @ss (its application session, its linked session), in @app;
 * each result goes to @o and, through @trace, to the trace.
 */
void sipc_ops_run(struct sipc_ops *o, struct ss *ss, const osip_message_t *m,
		  const struct sipc_ops_msg *ctx, struct ssm_app *app,
		  sipc_ops_trace_h *trace, void *arg);
/** Forgets the results: the message they belong to is done with. */
void sipc_ops_clear(struct sipc_ops *o);
/** Forgets the ss.send requests of the message in hand (sent or not),
 * dropping their sessions' references; sipc_ops_clear does it too. */
void sipc_ops_sent(struct sipc_ops *o);
/** Let go of the sessions sipc_ops_run held: an operation that
 * invalidates the session of the message in hand (ss.invalidate,
 * sas.invalidate) must not free what the container's code still reads
 * while it handles that message; the loop calls this once the turn that
 * read the message is done, and sipc_free with @final. */
void sipc_ops_release(struct sipc_ops *o, bool final);
/** The attribute value an operation would set for @v (interned: one
 * copy of each text until sipc_ops_forget), e.g. for a value read back
 * from a store; NULL if there is no room or memory. */
const char *sipc_ops_value(const char *v);
/** Whether @v is such a value (a session store can write it). */
bool sipc_ops_is_value(const void *v);
/** The application's sessionExpired listener: extends an application
 * session once by its sstck.extend attribute's minutes (EXP-03). */
void sipc_ops_on_sas_expired(struct sas *sas, void *arg);
/** The application's attribute listeners (SipSessionAttributeListener,
 * SipApplicationSessionAttributeListener): for app.attributeEvents. */
void sipc_ops_on_attr(enum ssm_attr_ev ev, enum ssm_kind kind, void *owner,
		      const char *name, void *value, void *arg);
/** Frees the attribute values operations set (the container stops). */
void sipc_ops_forget(void);
/** Puts the results on @m, a message sent for the one in hand. */
void sipc_ops_attach(const struct sipc_ops *o, osip_message_t *m);

#endif
