/**
 * @file model/session/ssm.h  The SIP Servlet session model (public API)
 *
 * SipApplicationSession (struct sas), SipSession (struct ss), HttpSession
 * (struct hs) and ServletTimer (struct ssm_timer) as a C library with no I/O
 * and no SIP parser inside.  Its input is a message event (struct ssm_msg):
 * the container that owns the sockets and the parser tells the model what
 * was sent or received, and the model applies the rules of
 * shared/spec/session-rules.md (rule IDs are quoted throughout).
 *
 * Objects are reference counted (model/mem).  The model owns one reference
 * to every valid object; invalidation drops it.  A caller that wants to use
 * an object after it may have been invalidated (to call ss_is_valid(), or
 * to read its id, as Java code may) takes its own reference with mem_ref().
 *
 * Errors are return codes that keep the Java exceptions apart
 * (SSM_ISE = IllegalStateException, SSM_IAE = IllegalArgumentException,
 * SSM_NPE = NullPointerException).  Nothing in the model aborts.  When a
 * call returns an error, nothing has changed and no listener has fired.
 *
 * Time comes from an injectable clock, so expiry and timers are tested
 * without sleeping: ssm_run_timers() fires everything that is due.
 */
#ifndef SSTCK_SSM_H
#define SSTCK_SSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ssm;
struct ssm_app;
struct sas;
struct ss;
struct hs;
struct ssm_timer;

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

#define SSM_ERR_MAP(XX)                                                 \
	XX(OK,      "success")                                          \
	XX(ISE,     "IllegalStateException")                            \
	XX(IAE,     "IllegalArgumentException")                         \
	XX(NPE,     "NullPointerException")                             \
	XX(NOMEM,   "out of memory")                                    \
	XX(SERVLET, "ServletException (no such servlet)")               \
	XX(HOPS,    "TooManyHopsException")                             \
	XX(LIMIT,   "too many transactions pending on one session")

enum ssm_err {
#define XX(name, text) SSM_##name,
	SSM_ERR_MAP(XX)
#undef XX
	SSM_ERR_MAX
};

/** The Java exception (or condition) an error code stands for. */
const char *ssm_strerror(int err);
/** The short name of an error code ("ISE", "IAE", ...). */
const char *ssm_errname(int err);

/* ------------------------------------------------------------------ */
/* Conflicts of session-rules.md section 14, as named options          */
/* ------------------------------------------------------------------ */

/*
 * Every conflict between the javadoc, the TCK and the implementations is a
 * switch of the model.  The default is the position the rules recommend
 * for the reference model; CF-18 to CF-20, found running Cipango after
 * section 14 was written, default to the position the model took before
 * they were options, with Cipango's on the other side.  CF-21 and CF-22
 * are those of distributed sessions (conformance/distributed.md).  This table is the
 * one place they are listed: `sstck-ref --help` and the documentation
 * print it.
 *
 * XX(rule ID, field, default, text of the default, text of the other side)
 */
#define SSM_CF_MAP(XX)                                                  \
	XX(CF_01, cf01_early_on_any_1xx, 0,                             \
	   "UAC stays INITIAL on 100 and tag-less 1xx (RFC 3261, CIP)",  \
	   "UAC goes EARLY on any 1xx (MSS, IBM)")                       \
	XX(CF_02, cf02_487_terminates, 0,                               \
	   "487 at a UAC after CANCEL goes back to INITIAL (CIP)",       \
	   "487 at a UAC terminates the session (MSS)")                  \
	XX(CF_03, cf03_nonrr_proxy_ready_on_confirmed, 1,               \
	   "non-record-routing proxy session is ready when CONFIRMED",   \
	   "literal javadoc \"COMPLETED\": ready only when TERMINATED")  \
	XX(CF_04, cf04_nondialog_ready, 1,                              \
	   "non-dialog sessions are ready when no transaction is pending",\
	   "non-dialog sessions are never ready (javadoc list only)")   \
	XX(CF_05, cf05_strict_invalidate, 0,                            \
	   "SipSession.invalidate() allowed in any state (final 1.1)",  \
	   "ISE in EARLY/CONFIRMED or with a transaction pending (PFD)") \
	XX(CF_06, cf06_shared_derived_attrs, 0,                         \
	   "derived sessions copy the attribute map at creation (IBM, CIP)",\
	   "derived sessions share one attribute map (MSS)")            \
	XX(CF_07, cf07_unknown_protocol_empty, 0,                       \
	   "getSessions(unknown protocol) throws IAE (TCK, all impls)", \
	   "getSessions(unknown protocol) returns an empty list")       \
	XX(CF_08, cf08_expiry_from_creation, 0,                         \
	   "SAS expiry restarts on every access (spec 6.3, MSS, CIP)",  \
	   "SAS expires at creation + timeout (getExpirationTime doc)") \
	XX(CF_09, cf09_supervised_default, 1,                           \
	   "Proxy.supervised defaults to true (MSS, CIP, IBM)",         \
	   "Proxy.supervised defaults to false (Mobius docs)")          \
	XX(CF_10, cf10_refer_creates_dialog, 1,                         \
	   "REFER creates a dialog like SUBSCRIBE (MSS, IBM)",          \
	   "REFER does not create a dialog (CIP)")                      \
	XX(CF_11, cf11_lenient_pending_create, 0,                       \
	   "createRequest in INITIAL with a pending transaction: ISE",  \
	   "not enforced (MSS, CIP)")                                   \
	XX(CF_12, cf12_uas_early_in_doinvite, 0,                        \
	   "UAS session is INITIAL inside doInvite (spec TCK)",         \
	   "UAS session is EARLY inside doInvite (API TCK tolerates)")  \
	XX(CF_13, cf13_b2b_subsequent_needs_initial, 0,                 \
	   "B2buaHelper.createRequest(session, orig, map) takes a subsequent orig",\
	   "literal javadoc: orig not initial gives IAE")               \
	XX(CF_14, cf14_null_parties_v10, 0,                             \
	   "getCallId/getLocalParty/getRemoteParty give values always", \
	   "null for non-dialog sessions of 1.0 applications (IBM)")    \
	XX(CF_15, cf15_http_ready, 0,                                   \
	   "SAS readiness: a valid HTTP session blocks it (MSS)",        \
	   "1 = any HTTP session blocks (CIP); 2 = HTTP ignored (javadoc)")\
	XX(CF_16, cf16_rfc3261_best_response, 0,                        \
	   "best response: 6xx first, then the lowest code (MSS, CIP)", \
	   "best response: RFC 3261 16.7 class and 4xx preferences, 503 to 500")\
	XX(CF_17, cf17_6xx_no_cancel, 0,                                \
	   "a 6xx cancels the other pending branches (MSS, CIP)",       \
	   "only a 2xx cancels the other branches")                     \
	XX(CF_18, cf18_timeout_cancels, 0,                              \
	   "a branch that times out ends at once with a 408 (PROXY-10, MSS)",\
	   "after a 1xx: CANCELled, ends with its 487 (RFC 3261 16.8, CIP)")  \
	XX(CF_19, cf19_cancel_follows_branches, 0,                      \
	   "a CANCEL at a proxy before a final terminates the session (MSS)",\
	   "the CANCEL changes nothing, the 487s do as any final (CIP)")   \
	XX(CF_20, cf20_notify_ends_on_response, 0,                      \
	   "a terminating NOTIFY ends the session when sent or received (SS-STATE-41)",\
	   "it ends it when its final response is sent or received (CIP)")\
	XX(CF_21, cf21_replica_notifies, 0,                             \
	   "a replica of a session that stays on its node notifies nobody (DIST-15)",\
	   "will-passivate before it, did-activate after it (MSS/JBoss)") \
	XX(CF_22, cf22_keep_unserializable, 0,                          \
	   "a value a distributable app cannot move: setAttribute IAE (SRV.7.7.2)",\
	   "kept on the node, left out of replicas, lost at failover (SJSAS)")\
	XX(CF_24, cf24_proxy_bye_ends_on_receipt, 0,                    \
	   "a proxy's BYE 2xx ends the session once relayed (SS-STATE-33)",\
	   "it ends it as it arrives, before doResponse (CIP)")           \
	XX(CF_25, cf25_uas_early_bye_created, 0,                         \
	   "createRequest(BYE) by a UAS in EARLY: ISE (SS-STATE-26, IBM)",\
	   "created; not sending it is the application's part (CIP)")

struct ssm_opts {
#define XX(id, field, def, on, off) int field;
	SSM_CF_MAP(XX)
#undef XX
	int expires_max_min;  /**< setExpires cap in minutes; 0 none, <0 refuse */
	const char *const *outbound_ifaces; /**< NULL-ended list (SS-11) */
};

/** Fill @o with the recommended defaults of every option. */
void ssm_opts_default(struct ssm_opts *o);

/* ------------------------------------------------------------------ */
/* Message events                                                      */
/* ------------------------------------------------------------------ */

enum ssm_dir { SSM_IN, SSM_OUT };

enum ss_role {
	SS_ROLE_UNDEF = 0,
	SS_ROLE_UAC,
	SS_ROLE_UAS,
	SS_ROLE_PROXY,
};

enum ss_state {
	SS_INITIAL = 0,
	SS_EARLY,
	SS_CONFIRMED,
	SS_TERMINATED,
};

/**
 * One SIP message as the session sees it.  Strings are borrowed for the
 * duration of the call.  For a response, @method is the CSeq method.
 * Tags are the From and To tags as they appear on this message (a request
 * from the callee has the callee's tag in From).
 */
struct ssm_msg {
	enum ssm_dir dir;          /**< Received (IN) or sent (OUT)          */
	const char *method;        /**< Request method or CSeq method        */
	int status;                /**< Status code; 0 for a request         */
	const char *call_id;       /**< Call-ID                              */
	const char *from_tag;      /**< From tag (NULL if none)              */
	const char *to_tag;        /**< To tag (NULL if none)                */
	uint32_t cseq;             /**< CSeq number                          */
	const char *event;         /**< Event header (SUBSCRIBE/NOTIFY)      */
	const char *sub_state;     /**< Subscription-State value             */
};

/* ------------------------------------------------------------------ */
/* Protocol sessions in a SAS, listeners, trace events                 */
/* ------------------------------------------------------------------ */

enum ssm_proto { SSM_PROTO_SIP, SSM_PROTO_HTTP };

/** A protocol session of an application session (getSessions()). */
struct ssm_psess {
	enum ssm_proto proto;
	union {
		struct ss *ss;
		struct hs *hs;
	} u;
};

/** The owner of an attribute. */
enum ssm_kind { SSM_KIND_SS, SSM_KIND_SAS, SSM_KIND_HS };

/**
 * Binding listener of one attribute value (SipSessionBindingListener,
 * SipApplicationSessionBindingListener).  Values are borrowed: the model
 * never frees them.
 */
struct ssm_binding {
	void (*bound)(void *value, const char *name, enum ssm_kind kind,
		      void *owner, void *arg);
	void (*unbound)(void *value, const char *name, enum ssm_kind kind,
			void *owner, void *arg);
	void *arg;
};

enum ssm_attr_ev { SSM_ATTR_ADDED, SSM_ATTR_REPLACED, SSM_ATTR_REMOVED };

/**
 * The listeners an application declares (INVAL-16).  Any may be NULL.
 * They run synchronously; a listener may call back into the model.
 */
struct ssm_listeners {
	void (*ss_created)(struct ss *ss, void *arg);
	void (*ss_destroyed)(struct ss *ss, void *arg);
	void (*ss_ready)(struct ss *ss, void *arg);
	void (*sas_created)(struct sas *sas, void *arg);
	void (*sas_destroyed)(struct sas *sas, void *arg);
	void (*sas_expired)(struct sas *sas, void *arg);
	void (*sas_ready)(struct sas *sas, void *arg);
	void (*attr)(enum ssm_attr_ev ev, enum ssm_kind kind, void *owner,
		     const char *name, void *value, void *arg);
	void (*timeout)(struct ssm_timer *t, void *arg);
	void *arg;
};

#define SSM_EV_MAP(XX)                                  \
	XX(SAS_CREATED,   "sas-created")                \
	XX(SS_CREATED,    "ss-created")                 \
	XX(HS_CREATED,    "hs-created")                 \
	XX(STATE,         "state")                      \
	XX(LINK,          "link")                       \
	XX(UNLINK,        "unlink")                     \
	XX(HS_ATTACH,     "hs-attach")                  \
	XX(SS_READY,      "ss-ready")                   \
	XX(SAS_READY,     "sas-ready")                  \
	XX(SS_DESTROYED,  "ss-invalidated")             \
	XX(SAS_DESTROYED, "sas-invalidated")            \
	XX(HS_DESTROYED,  "hs-invalidated")             \
	XX(SAS_EXPIRED,   "sas-expired")                \
	XX(TIMER_CREATED, "timer-created")              \
	XX(TIMER_FIRED,   "timer-fired")                \
	XX(TIMER_CANCELLED, "timer-cancelled")        \
	XX(SS_PASSIVATE,  "ss-will-passivate")          \
	XX(SAS_PASSIVATE, "sas-will-passivate")         \
	XX(SAS_ACTIVATE,  "sas-did-activate")           \
	XX(SS_ACTIVATE,   "ss-did-activate")

enum ssm_ev_type {
#define XX(name, text) SSM_EV_##name,
	SSM_EV_MAP(XX)
#undef XX
	SSM_EV_MAX
};

/**
 * A trace event, for the container's --trace and for tests.  Pointers are
 * borrowed for the call.  For SSM_EV_STATE, @from and @to are states and
 * @msg the message that caused the change (NULL if none).  For
 * SSM_EV_SS_CREATED of a derived session, @peer is the original; for LINK
 * and UNLINK it is the other session.
 */
struct ssm_event {
	enum ssm_ev_type type;
	uint64_t time_ms;
	struct sas *sas;
	struct ss *ss;
	struct ss *peer;
	struct hs *hs;
	struct ssm_timer *timer;
	enum ss_state from;
	enum ss_state to;
	const struct ssm_msg *msg;
};

typedef void (ssm_event_h)(const struct ssm_event *ev, void *arg);
typedef uint64_t (ssm_clock_h)(void *arg);
typedef void (ssm_servlet_h)(struct ss *ss, const struct ssm_msg *msg,
			      void *arg);

const char *ssm_ev_name(enum ssm_ev_type t);
const char *ss_state_name(enum ss_state s);
const char *ss_role_name(enum ss_role r);

/* ------------------------------------------------------------------ */
/* The model and its applications                                      */
/* ------------------------------------------------------------------ */

/**
 * Create a model.  @clock gives the time in ms (NULL: the real clock).
 * @opts may be NULL for the defaults.  @return SSM_OK or SSM_NOMEM.
 */
int ssm_alloc(struct ssm **mp, const struct ssm_opts *opts,
	      ssm_clock_h *clock, void *clock_arg);
const struct ssm_opts *ssm_opts(const struct ssm *m);
void ssm_set_event_handler(struct ssm *m, ssm_event_h *h, void *arg);
uint64_t ssm_now(const struct ssm *m);
/** The longest node name (ssm_set_node). */
#define SSM_NODE_MAX 4
/**
 * Name this model's node in a cluster: every id it makes from then on
 * (SipSessions, application sessions, timers, Call-IDs and tags it
 * generates) carries @node, so that two nodes never make the same one and
 * a session restored elsewhere keeps an id no other node can mint
 * (DIST-02, DIST-06).  @node is 1 to SSM_NODE_MAX of [a-z0-9], or "" for
 * none.  @seed (random, from the container) starts the ids' counter and
 * mixes their random part, so that a node restarted under the same name
 * does not mint again the ids of its earlier life, which the store may
 * still hold.  @return SSM_OK, SSM_NPE, SSM_IAE.
 */
int ssm_set_node(struct ssm *m, const char *node, uint64_t seed);
/** Number of valid SipSessions and SASs in the model. */
size_t ssm_count_ss(const struct ssm *m);
size_t ssm_count_sas(const struct ssm *m);
/** The live application sessions, for introspection (GET /sessions):
 * up to @max into @out (borrowed), the total returned. */
size_t ssm_list_sas(struct ssm *m, struct sas **out, size_t max);

/** Invalidate everything still valid and release the model. */
void ssm_shutdown(struct ssm *m);

enum ssm_version { SSM_V10 = 10, SSM_V11 = 11, SSM_V20 = 20 };

/**
 * Deploy an application.  @timeout_min is the session-timeout in minutes
 * (EXP-01: a value <= 0 means never; pass SSM_DEFAULT_TIMEOUT for the
 * default of 3).  @servlets is a NULL-ended list of servlet names (SS-10),
 * or NULL.  @return SSM_OK, SSM_NPE (null name), SSM_IAE (name in use).
 */
#define SSM_DEFAULT_TIMEOUT 3
int ssm_app_add(struct ssm *m, const char *name, enum ssm_version v,
		int timeout_min, const struct ssm_listeners *l,
		const char *const *servlets, struct ssm_app **appp);
struct ssm_app *ssm_app_find(struct ssm *m, const char *name);
const char *ssm_app_name(const struct ssm_app *app);

/**
 * @SipApplicationKey (KEY-01): @h computes the key of an initial request
 * (it gets the request read-only) and returns it in @buf, or returns false
 * for "no key" (KEY-03).  An application has at most one key method: a
 * second one gives SSM_IAE.
 */
typedef bool (ssm_key_h)(const struct ssm_msg *req, char *buf, size_t sz,
			  void *arg);
int ssm_app_set_key_method(struct ssm_app *app, ssm_key_h *h, void *arg);

/* ------------------------------------------------------------------ */
/* Dispatch: the container's entry points                              */
/* ------------------------------------------------------------------ */

/**
 * Find the session a message belongs to by its dialog identifiers
 * (Call-ID and the two tags, in either order), or the original session of
 * its Call-ID and From tag for a response that opens a new dialog.
 * O(1) expected.  @return the session, or NULL (an initial request).
 */
struct ss *ssm_match(struct ssm *m, const struct ssm_msg *msg);

/**
 * Choose the SAS of an initial request (KEY-02, KEY-03): with a key method
 * the SAS of that key (created if needed), otherwise a new SAS.
 */
int ssm_sas_for_initial(struct ssm_app *app, const struct ssm_msg *req,
			struct sas **sasp);

/**
 * Apply a message to a session, before any application code sees it
 * (SS-STATE-02): transactions, state, derived sessions, last-accessed
 * times.  @targetp receives the session the message belongs to: @ss or a
 * derived session (DERIVED-01, DERIVED-06).  @return SSM_OK, SSM_ISE
 * (invalid session), SSM_NPE, SSM_NOMEM, SSM_LIMIT.
 */
int ss_on_message(struct ss *ss, const struct ssm_msg *msg,
		  struct ss **targetp);

/**
 * ss_on_message(), then the servlet @h (may be NULL), then ssm_settle():
 * the order of SS-STATE-02 and INVAL-13.
 */
int ssm_dispatch(struct ss *ss, const struct ssm_msg *msg,
		 ssm_servlet_h *h, void *arg);

/**
 * Run the readiness step (INVAL-13, INVAL-14): every session that became
 * ready-to-invalidate with invalidate-when-ready set is announced to the
 * listeners and invalidated, SipSessions before their SAS.
 */
void ssm_settle(struct ssm *m);

/** Fire every timer that is due (ServletTimers, expiry), then settle. */
void ssm_run_timers(struct ssm *m);
/** Time of the next due timer in ms, or 0 when none is armed. */
uint64_t ssm_next_timer(const struct ssm *m);

/* ------------------------------------------------------------------ */
/* SipApplicationSession                                               */
/* ------------------------------------------------------------------ */

/** SipFactory.createApplicationSession(). */
int sas_create(struct ssm_app *app, struct sas **sasp);
/**
 * SipFactory.createApplicationSessionByKey() / SipSessionsUtil
 * getApplicationSessionByKey(key, create) (KEY-04).  NULL key: SSM_NPE.
 * With @create false and no SAS, *sasp is NULL and SSM_OK is returned.
 */
int sas_by_key(struct ssm_app *app, const char *key, bool create,
	       struct sas **sasp);
/** SipSessionsUtil.getApplicationSessionById (OWN-09): same app only. */
int ssm_app_find_sas(struct ssm_app *app, const char *id, struct sas **sasp);

const char *sas_id(const struct sas *sas);           /* never fails */
bool sas_is_valid(const struct sas *sas);            /* never fails */
int sas_app_name(const struct sas *sas, const char **namep);
int sas_creation_time(const struct sas *sas, uint64_t *tp);
int sas_last_accessed(const struct sas *sas, uint64_t *tp);

int sas_set_attr(struct sas *sas, const char *name, void *value,
		 const struct ssm_binding *b);
int sas_get_attr(struct sas *sas, const char *name, void **valuep);
int sas_remove_attr(struct sas *sas, const char *name);
/** Names into @names (up to @max); *np is the total count. */
int sas_attr_names(struct sas *sas, const char **names, size_t max,
		   size_t *np);

/**
 * getSessions() (@protocol NULL and @all true), getSessions(protocol):
 * valid protocol sessions into @out (up to @max), total in *np.  A null
 * protocol with @all false gives SSM_NPE; an unknown one SSM_IAE (CF-07).
 */
int sas_sessions(struct sas *sas, bool all, const char *protocol,
		 struct ssm_psess *out, size_t max, size_t *np);
int sas_get_sip_session(struct sas *sas, const char *id, struct ss **ssp);
int sas_get_session(struct sas *sas, const char *id, const char *protocol,
		    struct ssm_psess *outp, bool *foundp);

int sas_invalidate(struct sas *sas);
int sas_is_ready(struct sas *sas, bool *readyp);
int sas_get_iwr(struct sas *sas, bool *iwrp);
int sas_set_iwr(struct sas *sas, bool iwr);

/** setExpires (EXP-04): *grantedp gets the minutes granted (0 refused). */
int sas_set_expires(struct sas *sas, int delta_min, int *grantedp);
/** getExpirationTime (EXP-05): 0 never, INT64_MIN while expired. */
int sas_expiration_time(struct sas *sas, int64_t *tp);

int sas_timers(struct sas *sas, struct ssm_timer **out, size_t max,
	       size_t *np);
int sas_get_timer(struct sas *sas, const char *id, struct ssm_timer **tp);

/** encodeURL (HTTP-02): @url with the SAS id as a query parameter. */
int sas_encode_url(struct sas *sas, const char *url, char *buf, size_t sz);
/** encodeURI (KEY-05): a sip:/sips: URI with the SAS id as a parameter. */
int sas_encode_uri(struct sas *sas, const char *uri, char *buf, size_t sz);
/** The name of the URL and URI parameter that carries a SAS id. */
#define SSM_SAS_PARAM "sstck-sas"
/** The live SAS an encoded URL or URI names, or NULL (HTTP-02, KEY-05). */
struct sas *ssm_sas_from_encoded(struct ssm *m, const char *url_or_uri);

/* ------------------------------------------------------------------ */
/* SipSession                                                          */
/* ------------------------------------------------------------------ */

/**
 * Create a SipSession in @sas (OWN-03): for an incoming initial request
 * (@call_id and @from_tag from the request) or for SipFactory.createRequest
 * (@call_id and @from_tag NULL: the model generates them, B2B-12).
 * @method is the initial request's method; it decides whether the session
 * is a dialog session (INVITE, SUBSCRIBE, REFER per CF-10) or not.
 */
int ss_create(struct sas *sas, enum ss_role role, const char *method,
	      const char *call_id, const char *from_tag,
	      const char *from_uri, const char *to_uri, struct ss **ssp);

const char *ss_id(const struct ss *ss);              /* never fails */
bool ss_is_valid(const struct ss *ss);               /* never fails */
int ss_state(const struct ss *ss, enum ss_state *statep);
enum ss_role ss_role(const struct ss *ss);           /* never fails */
int ss_app_session(const struct ss *ss, struct sas **sasp);
int ss_app(const struct ss *ss, struct ssm_app **appp);
int ss_call_id(const struct ss *ss, const char **cidp);
int ss_local_party(const struct ss *ss, const char **urip);
int ss_remote_party(const struct ss *ss, const char **urip);
/** Local and remote tags; remote is NULL outside a dialog. */
int ss_tags(const struct ss *ss, const char **localp, const char **remotep);
int ss_creation_time(const struct ss *ss, uint64_t *tp);
int ss_last_accessed(const struct ss *ss, uint64_t *tp);
/** The original of a derived session, or NULL. */
struct ss *ss_original(const struct ss *ss);
/** ForkingContext (DERIVED-08): the original and its valid derived. */
int ss_forking_context(struct ss *ss, struct ss **out, size_t max,
		       size_t *np);
/**
 * The INVITE client transaction of @ss ended (RFC 3261 13.2.2.4): early
 * dialogs of its family that never received a 2xx become TERMINATED.
 */
int ss_initial_tx_ended(struct ss *ss);
/** sizeof the SipSession record (for the benchmark's figures). */
size_t ss_record_size(void);
/** Number of pending transactions on the session. */
unsigned ss_pending(const struct ss *ss);

int ss_set_attr(struct ss *ss, const char *name, void *value,
		const struct ssm_binding *b);
int ss_get_attr(struct ss *ss, const char *name, void **valuep);
int ss_remove_attr(struct ss *ss, const char *name);
int ss_attr_names(struct ss *ss, const char **names, size_t max,
		  size_t *np);

int ss_invalidate(struct ss *ss);
int ss_is_ready(struct ss *ss, bool *readyp);
int ss_get_iwr(struct ss *ss, bool *iwrp);
int ss_set_iwr(struct ss *ss, bool iwr);

/** Request parameters of the next request created on a session. */
struct ss_req {
	const char *call_id;
	const char *from_tag;      /**< This side's tag                   */
	const char *to_tag;        /**< The remote tag, NULL out of dialog */
	uint32_t cseq;
};

/**
 * SipSession.createRequest(method) (SS-06, SS-07, SS-08, SS-STATE-04,
 * SS-STATE-14, SS-STATE-26, SS-STATE-52): check that the session may
 * originate @method and reserve the next local CSeq.  @reqp receives the
 * dialog identifiers (borrowed from the session).
 */
int ss_create_request(struct ss *ss, const char *method, struct ss_req *reqp);

/** getRegion/getSubscriberURI (SS-09): set for received initial requests. */
int ss_set_routing(struct ss *ss, const char *region, const char *subscriber);
int ss_region(const struct ss *ss, const char **regionp);
int ss_subscriber_uri(const struct ss *ss, const char **urip);
/** setHandler (SS-10): unknown servlet gives SSM_SERVLET. */
int ss_set_handler(struct ss *ss, const char *servlet);
int ss_handler(const struct ss *ss, const char **servletp);
/** setOutboundInterface (SS-11). */
int ss_set_outbound(struct ss *ss, const char *iface);
int ss_outbound(const struct ss *ss, const char **ifacep);
/**
 * Mark a session as used by a proxy that record-routes or not.  SSM_ISE
 * once the session acted as a B2BUA (B2B-01) or for a UAC session.
 */
int ss_set_proxy(struct ss *ss, bool record_route);

/* ------------------------------------------------------------------ */
/* B2BUA (session side of section 10)                                  */
/* ------------------------------------------------------------------ */

/**
 * B2buaHelper.createRequest(orig, linked, map) (B2B-02, B2B-05): a new UAC
 * session in the same SAS with a new Call-ID and From tag, linked to
 * @orig when @linked.  @max_forwards is the original's Max-Forwards: 0
 * gives SSM_HOPS, the TooManyHops case (B2B-03); a proxy session gives
 * SSM_ISE (B2B-01).
 */
int ss_b2b_leg(struct ss *orig, bool linked, int max_forwards,
	       const char *from_uri, const char *to_uri, struct ss **legp);
/**
 * The deprecated 1.0 route, SipFactory.createRequest(origRequest,
 * sameCallId) (B2B-11): a new UAC session in @orig's SAS with a new From
 * tag, not linked; with @same_call_id it keeps @orig's Call-ID, which RFC
 * 3261 forbids for a new dialog (B2buaHelper is the way, B2B-02).
 */
int ss_factory_copy(struct ss *orig, bool same_call_id, struct ss **legp);
/** Whether a header may be given in a B2BUA header map (B2B-04). */
bool ssm_b2b_header_allowed(const char *name);
/**
 * B2buaHelper.createRequest(session, origRequest, map) (B2B-07): the next
 * request on @ss, linking @ss and @orig_ss when they are not linked.
 */
int ss_b2b_subsequent(struct ss *ss, struct ss *orig_ss,
		      bool orig_is_initial, const char *method,
		      struct ss_req *reqp);
int ss_link(struct ss *a, struct ss *b);
int ss_unlink(struct ss *s);
int ss_linked(struct ss *s, struct ss **peerp);

/* ------------------------------------------------------------------ */
/* Proxy and Join/Replaces helpers                                     */
/* ------------------------------------------------------------------ */

/** Proxy defaults of PROXY-01 (supervised per CF-09). */
struct ssm_proxy_cfg {
	bool recurse, record_route, parallel, stateful, supervised;
	bool add_to_path, no_cancel;
	int proxy_timeout_s;
};
void ssm_proxy_defaults(const struct ssm *m, struct ssm_proxy_cfg *cfg);
/** The best of @n final responses (PROXY-10, CF-16); 0 when @n is 0. */
int ssm_best_response(const struct ssm *m, const int *codes, size_t n);
/** Whether a final @status on one branch cancels the others (PROXY-09). */
bool ssm_cancels_branches(const struct ssm *m, int status, bool no_cancel);
/**
 * Whether a proxy branch that timed out (the proxy or branch timeout)
 * waits for the final response its CANCEL brings, which is then its
 * response like any other (CF-18 set, RFC 3261 16.8), rather than ending
 * at once with a synthesized 408 (PROXY-10).  Only a branch that has had
 * a provisional response (@provisional) can be CANCELled; one that has
 * not gets the 408 either way.
 */
bool ssm_timeout_waits_final(const struct ssm *m, bool provisional);

enum ssm_join {
	SSM_JOIN_NONE = 0,      /**< no match: route as untargeted       */
	SSM_JOIN_MATCH,         /**< targeted to the matched session     */
	SSM_JOIN_BAD,           /**< 400: malformed use                  */
	SSM_JOIN_NOT_INVITE,    /**< 481: matched a non-INVITE dialog    */
	SSM_JOIN_TERMINATED,    /**< 603: matched a terminated dialog    */
};
/** Join/Replaces targeting of KEY-06. */
enum ssm_join ssm_join_match(struct ssm *m, const char *method,
			     bool has_join, bool has_replaces,
			     const char *call_id, const char *tag1,
			     const char *tag2, struct ss **ssp);

/* ------------------------------------------------------------------ */
/* HTTP sessions (section 11)                                          */
/* ------------------------------------------------------------------ */

int hs_create(struct ssm *m, int max_inactive_s, struct hs **hsp);
struct hs *ssm_find_hs(struct ssm *m, const char *id);
const char *hs_id(const struct hs *hs);
bool hs_is_valid(const struct hs *hs);
/** ConvergedHttpSession.getApplicationSession (HTTP-01). */
int hs_app_session(struct hs *hs, struct ssm_app *app, struct sas **sasp);
/** Associate @hs with @sas (HTTP-02: a request with an encoded URL). */
int hs_join(struct hs *hs, struct sas *sas);
/** SipFactory.createApplicationSession() while serving @hs (HTTP-05). */
int hs_create_app_session(struct hs *hs, struct ssm_app *app,
			  struct sas **sasp);
/** An HTTP request on the session: extends its lifetime (HTTP-06). */
int hs_access(struct hs *hs);
/** HttpSession.setMaxInactiveInterval / getMaxInactiveInterval, in
 * seconds; 0 or less: the session never times out (HTTP-06). */
int hs_set_max_inactive(struct hs *hs, int s);
int hs_max_inactive(const struct hs *hs);
int hs_invalidate(struct hs *hs);
int hs_set_attr(struct hs *hs, const char *name, void *value,
		const struct ssm_binding *b);
int hs_get_attr(struct hs *hs, const char *name, void **valuep);
/** ConvergedHttpSession.encodeURL(url) (HTTP-03). */
int hs_encode_url(struct hs *hs, const char *url, char *buf, size_t sz);
/** ConvergedHttpSession.encodeURL(relativePath, scheme) (HTTP-03). */
int hs_encode_url_rel(struct hs *hs, const char *path, const char *scheme,
		      const char *hostport, const char *ctx, char *buf,
		      size_t sz);

/* ------------------------------------------------------------------ */
/* ServletTimer (TIMER-*)                                              */
/* ------------------------------------------------------------------ */

/**
 * TimerService.createTimer: one-shot when @period_ms is 0, otherwise
 * repeating with fixed-delay (@fixed_delay) or fixed-rate semantics.
 * SSM_ISE on an invalid SAS.  *tp is borrowed: the SAS holds the timer
 * while it is active; take a reference to use it after it ends.
 */
int ssm_timer_create(struct sas *sas, uint64_t delay_ms, uint64_t period_ms,
		     bool fixed_delay, void *info, struct ssm_timer **tp);
void ssm_timer_cancel(struct ssm_timer *t);
const char *ssm_timer_id(const struct ssm_timer *t);
void *ssm_timer_info(const struct ssm_timer *t);
struct sas *ssm_timer_sas(const struct ssm_timer *t);
bool ssm_timer_active(const struct ssm_timer *t);
int64_t ssm_timer_remaining(const struct ssm_timer *t);
/** scheduledExecutionTime: undefined (0) before the first expiry. */
uint64_t ssm_timer_scheduled(const struct ssm_timer *t);

/* ------------------------------------------------------------------ */
/* Distributed sessions (conformance/distributed.md, DIST-*)          */
/* ------------------------------------------------------------------ */

/**
 * What a distributable application tells the model about its attribute
 * values: the C form of java.io.Serializable and of the two activation
 * listener interfaces (SipSessionActivationListener,
 * SipApplicationSessionActivationListener), decided per value as Java
 * decides per class.  Every member may be NULL but @encode and @decode.
 * For a ServletTimer's info, @kind is SSM_KIND_SAS and @name NULL.
 */
struct ssm_codec {
	/** Whether @value can move to another node (NULL: all can). */
	bool (*serializable)(enum ssm_kind kind, const char *name,
			     const void *value, void *arg);
	/** Write @value as UTF-8 text into *textp (malloc'd; the model frees
	 * it).  @return SSM_OK, or an error that fails the save. */
	int (*encode)(enum ssm_kind kind, const char *name, const void *value,
		      char **textp, void *arg);
	/** Make a value from @text for the restored session; *bp (zeroed)
	 * may get its binding listener.  The value is the application's, as
	 * any value it sets.  @return SSM_OK, or an error that fails the
	 * restore. */
	int (*decode)(enum ssm_kind kind, const char *name, const char *text,
		      void **valuep, struct ssm_binding *bp, void *arg);
	/** Take back a decoded value of a restore that failed, and the
	 * decoded info of a restored ServletTimer when the timer goes. */
	void (*discard)(enum ssm_kind kind, const char *name, void *value,
			void *arg);
	/** sessionWillPassivate / sessionDidActivate of the value bound to
	 * @name on @owner (a struct ss or struct sas) (DIST-12). */
	void (*will_passivate)(enum ssm_kind kind, void *owner,
			       const char *name, void *value, void *arg);
	void (*did_activate)(enum ssm_kind kind, void *owner,
			     const char *name, void *value, void *arg);
	void *arg;
};

/**
 * Mark @app `<distributable/>` (DIST-01) with the codec of its values
 * (copied).  From then on ss_set_attr and sas_set_attr refuse, with
 * SSM_IAE, a value the codec says cannot move (DIST-04), unless CF-22 keeps
 * it on the node.  @return SSM_OK, SSM_NPE (no app, codec, encode or
 * decode).
 */
int ssm_app_set_distributable(struct ssm_app *app, const struct ssm_codec *c);
bool ssm_app_distributable(const struct ssm_app *app);

enum ssm_dist_mode {
	SSM_DIST_REPLICATE,   /**< a replica; the SAS stays here (DIST-15) */
	SSM_DIST_PASSIVATE,   /**< the SAS leaves this node (DIST-12)      */
};

/**
 * Write @sas with its SipSessions, their ids, state, roles, tags,
 * parties, CSeqs, links, attributes, and the SAS's timers and expiry, as
 * one JSON text into *outp (malloc'd; free() it).  Transactions in flight
 * are not written (DIST-10), nor HTTP sessions (the web container's).
 * REPLICATE fires no listener (CF-21: will-passivate before, did-activate
 * after).  PASSIVATE fires will-passivate on every value, SipSessions
 * first, then writes, then removes the SAS from this model as
 * ssm_dist_evict() does.  @return SSM_OK; SSM_NPE; SSM_ISE (invalid SAS, or
 * its application is not distributable); SSM_IAE (a value that cannot
 * move, or the codec's error); SSM_NOMEM.  On an error after
 * will-passivate, did-activate fires and the SAS stays.
 */
int ssm_dist_save(struct sas *sas, enum ssm_dist_mode mode, char **outp);

/**
 * Rebuild in @m the SAS that @text describes, with the same ids, as the
 * node that takes it over (DIST-06 to DIST-09): no created, bound or
 * attribute listener fires (DIST-14); once all is built, did-activate
 * fires on every value, the SAS first, then its SipSessions.  Timers and
 * expiry keep their due times; those already past fire at the next
 * ssm_run_timers().  *sasp (may be NULL) gets the SAS, borrowed.
 * @return SSM_OK; SSM_NPE; SSM_IAE (not such a text, or its application is
 * not deployed or not distributable here, or the codec's error); SSM_ISE
 * (this model already holds that SAS or one of its sessions); SSM_NOMEM.
 * On an error nothing has changed.
 */
int ssm_dist_restore(struct ssm *m, const char *text, struct sas **sasp);

/**
 * Remove @sas and its SipSessions and timers from this model without
 * invalidating them: no listener fires, the values stay the application's
 * (it takes them back in will-passivate).  For a node that handed the SAS
 * over, or learns that another node holds it.  @return SSM_OK, SSM_NPE,
 * SSM_ISE (already invalid).
 */
int ssm_dist_evict(struct sas *sas);

/**
 * When @sas next needs its node without a message: the earliest due time
 * of its active ServletTimers and of its expiry, on the model's clock (ms
 * since the epoch), so that a store can say which sessions fall due while
 * no node holds them (DIST-09).  @return that time, or 0 for none (or an
 * invalid SAS).
 */
uint64_t ssm_dist_next_due(const struct sas *sas);

#endif
