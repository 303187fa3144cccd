/**
 * @file model/sip/sipc.h  sstck-ref's SIP container: the servlet-like API
 *
 * The container owns the sockets (UDP and TCP on loopback by default),
 * parses and builds messages with libosip2, runs RFC 3261 transactions on
 * libosip2's state machines (ICT, IST, NICT, NIST), and keeps every
 * message's session in the session model (model/session) before any
 * application code sees it.  Applications (model/apps) see a request
 * handler, a response handler and timers, as a SIP servlet would.
 *
 * Every message the container sends carries an X-SS-State header that
 * describes the session that sent it, after processing (the observation
 * protocol, conformance/observation-protocol.md).
 */
#ifndef SSTCK_SIPC_H
#define SSTCK_SIPC_H

#include <stdbool.h>
#include <stdint.h>
#include <osip2/osip.h>
#include "ssm.h"

struct sipc;
struct sipc_req;   /**< an incoming request the application handles   */
struct sipc_px;    /**< a proxy operation started on a request          */

#define SIPC_MAX_TARGETS 16
#define SIPC_MAX_MSG     65535      /**< larger messages are dropped   */

/** Proxy parameters (PROXY-01 defaults come from ssm_proxy_defaults). */
struct sipc_proxy_opts {
	bool record_route;
	bool parallel;
	bool recurse;
	bool no_cancel;
	bool supervised;
	bool add_path;             /**< Path on proxied REGISTERs (PROXY-18) */
	int branch_timeout_ms;     /**< sequential per-branch timeout    */
	int proxy_timeout_ms;      /**< whole operation (parallel)       */
};

/**
 * An application: the servlet.  @do_request gets every initial request
 * (in-dialog requests follow the path the initial one set up); it must
 * answer, proxy or relay it.  @do_response gets the best final response of
 * a supervised proxy before it is forwarded (PROXY-10, PROXY-11), and may
 * add targets or answer instead.  @do_b2b_response gets every response on
 * a B2BUA leg.
 */
struct sipc_app {
	const char *name;
	void (*do_request)(struct sipc_req *r, void *arg);
	void (*do_response)(struct sipc_px *px, int status, void *arg);
	void *arg;
	enum ssm_version version;
	bool is_ua;                /**< a B2BUA: no proxying of strays */
	/** A subsequent request on a dialog session of the application's
	 * own that no leg is linked to (a UAS's call): true when the
	 * application answered it; NULL, or false: relayed as a B2BUA's
	 * (481 without a linked leg). */
	bool (*do_subsequent)(struct sipc_req *r, void *arg);
	/** The application's @SipApplicationKey method (KEY-01): the value
	 * of this header of an initial request is its key; NULL: none. */
	const char *key_header;
};

struct sipc_cfg {
	const char *addr;          /**< listen address (127.0.0.1)       */
	int port;                  /**< listen port; 0 picks one         */
	bool tcp;                  /**< listen on TCP as well            */
	const char *trace;         /**< JSON Lines trace file, or NULL   */
	const char *port_file;     /**< write the bound port here        */
	int session_timeout_min;   /**< session-timeout of the app       */
	struct ssm_opts opts;      /**< model options (CF-*)             */
	bool b2b_auth_retry;       /**< B2BUA: retry a 401/407 once      */
	bool b2b_same_call_id;     /**< B2BUA: the 1.0 route, same Call-ID
				        on the new leg (B2B-11)          */
	int t1_ms;                 /**< RFC 3261 T1 of client transactions
				        (0: libosip2's 500 ms)           */
	const char *store;         /**< HOST:PORT of the cluster's Redis,
				        or NULL: sessions in this process */
	const char *node;          /**< this node's name (with store)   */
	bool not_distributable;    /**< with store: the application has no
				        <distributable/>: its sessions stay
				        in this node (DIST-01)           */
	const char *advertise;     /**< HOST:PORT in our Contacts: the
				        cluster's front (with store)     */
	const char *router;        /**< the application router's answer to
				        every initial request (SS-09):
				        "REGION:from|to|none", the region
				        and the subscriber URI's header
				        (NULL: NEUTRAL:from)             */
	const char *app2;          /**< a second application of the same
				        servlet under this name, or NULL:
				        its own application sessions and
				        keys; the initial requests whose
				        Request-URI user is the name go to
				        it (SipApplicationSessionKey1)   */
	const char *iface;         /**< a second loopback address to send
				        from, or NULL: with the listen
				        address, the outbound interfaces
				        (SS-11, setOutboundInterface)    */
	int tcp_idle_ms;           /**< a TCP connection with nothing
				        pending closes after this (0:
				        TCP_IDLE_MS)                     */
	bool verbose;
};

/** Something else the container's loop polls (the HTTP side): @fd for
 * reading, @timeout_ms the most it may wait (-1: no limit), @run called
 * on every turn of the loop (@ready: @fd was readable). */
struct sipc_source {
	int fd;
	int (*timeout_ms)(void *arg);
	void (*run)(void *arg, bool ready);
	void *arg;
};

int sipc_alloc(struct sipc **cp, const struct sipc_cfg *cfg,
	       const struct sipc_app *app);
int sipc_run(struct sipc *c);      /**< until SIGTERM/SIGINT or error  */
void sipc_free(struct sipc *c);
int sipc_port(const struct sipc *c);
struct ssm *sipc_model(struct sipc *c);
void sipc_log(struct sipc *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ----- the request an application handles ----- */

const osip_message_t *sipc_req_msg(const struct sipc_req *r);
struct ss *sipc_req_session(const struct sipc_req *r);
/** Answer the request (UAS).  A final answer ends the application's part. */
int sipc_respond(struct sipc_req *r, int status, const char *reason);
/** Proxy the request to @n targets (PROXY-04), taking the session's role. */
int sipc_proxy(struct sipc_req *r, const struct sipc_proxy_opts *o,
	       const char *const *targets, int n, struct sipc_px **pxp);

/**
 * Act as a B2BUA (B2B-02): a new linked UAC session in the request's SAS
 * sends the request to @target; responses, ACK, in-dialog requests and
 * CANCEL are relayed across the link.  SSM_HOPS after a 483 (B2B-03).
 */
int sipc_b2b(struct sipc_req *r, const char *target);
/** A user agent application answering a dialog-creating request itself
 * keeps the dialog's remote target and parties on its session, for the
 * requests it makes there (SipSession.createRequest, the ss.send
 * operation): 0, or -1 when it keeps none. */
int sipc_ua_dialog(struct sipc_req *r);
/** The same with the B2BUA's options for this request, not the
 * container's (the probe application chooses them per request). */
int sipc_b2b_opts(struct sipc_req *r, const char *target, bool auth_retry,
		  bool same_call_id);

/* ----- a proxy operation ----- */

/** Add a branch from the best-response callback (PROXY-11). */
int sipc_px_add_target(struct sipc_px *px, const char *target);
/** Answer upstream instead of forwarding the best response (PROXY-11). */
int sipc_px_respond(struct sipc_px *px, int status, const char *reason);
struct ss *sipc_px_session(const struct sipc_px *px);

int sipc_add_source(struct sipc *c, const struct sipc_source *src);
struct ssm_app *sipc_model_app(struct sipc *c);
const char *sipc_addr(const struct sipc *c);

/* ------------------------------------------------------------------ */
/* Third-party call control: click-to-call (RFC 3725 flow I)           */
/* ------------------------------------------------------------------ */

struct sipc_call;

enum sipc_call_phase {
	SIPC_CALL_CALLING_A,       /**< INVITE without an offer to A     */
	SIPC_CALL_CALLING_B,       /**< A's offer sent to B              */
	SIPC_CALL_CONNECTED,       /**< B's answer in A's ACK            */
	SIPC_CALL_FAILED,          /**< a party declined or was not reached */
	SIPC_CALL_ENDED,           /**< hung up                          */
};

/**
 * Call @a, then bridge @b to it: two UAC SipSessions created from scratch
 * in @sas (B2B-12), linked, the container's From @from on both.  The
 * parties must be sip: URIs on loopback (SSM_IAE otherwise).  A party's
 * BYE is relayed to the other leg; sipc_call_hangup() sends BYE (or
 * CANCEL) on both.
 */
int sipc_call_start(struct sipc *c, struct sas *sas, const char *from,
		    const char *a, const char *b, struct sipc_call **kp);
int sipc_call_hangup(struct sipc_call *k);
/**
 * Forget the call @k, which is over (ended or failed, and no leg's INVITE
 * waiting for its final answer): its record and the references it holds
 * (the application session, the legs); a BYE still in flight goes on
 * without it.  0, or SSM_ISE (nothing done) while it is not over.
 */
int sipc_call_free(struct sipc_call *k);
/** The call of the application session named @sas_id, or NULL. */
struct sipc_call *sipc_call_find(struct sipc *c, const char *sas_id);
const char *sipc_call_phase_name(const struct sipc_call *k);
struct ss *sipc_call_leg(const struct sipc_call *k, int i);
const char *sipc_call_party(const struct sipc_call *k, int i);
int sipc_call_status(const struct sipc_call *k, int i);
struct sas *sipc_call_sas(const struct sipc_call *k);

/** Whether HOST (an IPv4 or IPv6 literal, [::1] with brackets too) is a
 * loopback address: what the container and its applications send to. */
bool sipc_is_loopback(const char *host);

#endif
