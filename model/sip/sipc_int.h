/**
 * @file model/sip/sipc_int.h  sstck-ref's SIP container: private interface
 *
 * The struct bodies behind sipc.h's opaque types, and the functions the
 * container's files share (the sipc__ tier: internal, across files).
 * Nothing outside model/sip includes it (but the fuzz build, fuzz/).
 */
#ifndef SSTCK_SIPC_INT_H
#define SSTCK_SIPC_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <jansson.h>
#include <osip2/osip.h>
#include <osipparser2/osip_parser.h>
#include "heap.h"
#include "htab.h"
#include "ops.h"
#include "sipc.h"

#define MAX_CONNS  64

/* TCP connection deadlines.  A peer writes a message in one go, so bytes
 * of a message that is still not whole TCP_MSG_MS after its first byte
 * came are a peer holding a slot, not a slow one (4 s is far above any
 * loopback or LAN delay and well under a caller's patience).  A
 * connection with nothing pending (no partial message, no server
 * transaction answering on it) is kept TCP_IDLE_MS (sstck-ref's
 * --tcp-idle sets another), 64*T1 (Timer B and F, RFC 3261 17.1.1.2),
 * as long as a client transaction of the peer's can wait for us; a
 * response for a connection closed by then takes a new one (18.2.2,
 * sipc__send_back). */
#define TCP_MSG_MS   4000

#define TCP_IDLE_MS  32000

#define TCP_BACKLOG  SOMAXCONN

/* The trace is written at most this long after a line (sipc_run). */
#define TRACE_FLUSH_MS 50

/* The longest the loop waits in a UDP read (sipc__read_udp), when UDP is
 * all it listens on (sstck-ref --no-tcp, no HTTP): a timer due meanwhile
 * fires that much late at most, far inside any SIP timer's tolerance
 * (T1 is 500 ms). */
#define UDP_WAIT_MS  10

/* A read of this many datagrams or more: the container is behind, and
 * its datagrams go out through the sending thread (sendq.c). */
#define SENDQ_BUSY   4

/* Datagrams read in one recvmmsg (sipc__read_udp). */
#define UDP_BATCH    16

#define BRANCH_MAGIC "z9hG4bKsstck"

#define MAX_BRANCHES (2 * SIPC_MAX_TARGETS)

struct conn {
	int fd;
	int id;                       /**< never reused; 0 is UDP       */
	char host[64];
	int port;
	char *buf;
	size_t len;
	uint64_t last;                /**< last byte read or written    */
	uint64_t msg_start;           /**< first byte of a partial msg  */
};

struct branch {
	osip_transaction_t *tr;
	char *target;
	int status;                   /**< last status; 0 none           */
	osip_message_t *final;        /**< final response kept (non-2xx) */
	struct heap_node tn;          /**< its timeout, in c->br_due
				       * (sipc__px_on_timeout)           */
	struct sipc_px *px;           /**< whose branch it is            */
	bool started, done, cancelled;
	bool sent;                    /**< its request went out (br_req) */
	bool cancel_held;             /**< its CANCEL waits for a 1xx    */
	bool provisional;             /**< has had a 1xx (CF-18)         */
	bool timed_out;               /**< CANCELled on timeout (CF-18)  */
	bool recursed;                /**< replaced by its 3xx Contacts  */
	bool own;                     /**< its final was for us alone    */
};

struct srv;

/** The transaction table (txtab.c). */
struct txrec;
struct sipc_txtab {
	struct htab idx;              /**< by branch or Call-ID, and kind */
	struct heap due;              /**< by next libosip2 timer (osip clock) */
	struct txrec *ready, *ready_tail;  /**< with events to run      */
	struct txrec *all;            /**< every live one                 */
	struct txrec *garbage;        /**< killed, freed after the turn   */
	size_t n;
};

struct sipc_px {
	struct sipc *c;
	struct srv *srv;              /**< NULL once the server tx ended */
	struct ss *ss;                /**< reference, or NULL            */
	osip_message_t *orig;         /**< the received request (clone);
				       * NULL once completed (px_trim)   */
	bool invite;                  /**< it is an INVITE               */
	struct sipc_proxy_opts o;
	char rr_param[128];           /**< NAME=VALUE on its Record-Route
				       * URI, or "" (PROXY-06)           */
	struct branch br[MAX_BRANCHES];
	int nbr;
	int refs;
	uint64_t deadline;            /**< proxy timeout                 */
	bool completed;               /**< final response sent upstream  */
	bool in_callback;
	bool app_answered;
	struct sipc_px *prev, *next;  /**< c->pxs                        */
};

struct srv {
	struct sipc *c;
	osip_transaction_t *tr;
	osip_message_t *req;          /**< borrowed from tr              */
	struct ss *ss;                /**< reference, or NULL            */
	struct sipc_px *px;
	struct relay *rl;             /**< B2BUA: relayed to the other leg */
	bool final_sent;
	bool is_invite;
};

struct sipc_call;

struct sipc_req {
	struct srv *srv;
};

/** B2BUA: one leg's dialog data, kept as a session attribute. */
struct leg {
	struct ss *owner;             /**< the session it belongs to      */
	char *target;                 /**< remote target (Contact)        */
	char *local, *remote;         /**< the parties' URIs              */
	uint32_t invite_cseq;         /**< for the ACK of a 2xx           */
	osip_message_t *invite;       /**< UAS legs: the INVITE that made
					   the session, kept past its server
					   transaction for each further 2xx
					   of a forking callee (B2B-08)    */
};

/** B2BUA: a request relayed to the other leg (client tx reserved3). */
struct relay {
	struct sipc *c;
	struct srv *srv;              /**< the request's server tx, or NULL */
	struct ss *in, *out;          /**< references                     */
	osip_transaction_t *tr;
	osip_message_t *req;          /**< what we sent (for CANCEL)      */
	int refs;
	int status;                   /**< last status on the client tx   */
	bool initial, auth_retry, retried, cancel_pending, cancelled;
	struct sipc_call *call;       /**< third-party call control, or NULL */
};

/** Third-party call control (RFC 3725, flow I): the container is the
 * UAC of two legs of one application session, A then B. */
struct sipc_call {
	struct sipc *c;
	struct sas *sas;              /**< reference                      */
	struct ss *leg[2];            /**< references, NULL until created */
	struct relay *inv[2];         /**< the INVITE of each leg         */
	char *party[2];
	char *from;
	osip_message_t *offer;        /**< A's 2xx, with its offer        */
	int status[2];                /**< final status per leg, 0 none   */
	enum sipc_call_phase phase;
	bool hangup;                  /**< asked to end before connected  */
	bool bye[2];                  /**< BYE or CANCEL sent on the leg  */
	bool acked[2];                /**< its 2xx ACKed                  */
	struct sipc_call *next;
};

struct sipc {
	struct sipc_cfg cfg;
	struct sipc_app app;
	struct ssm *m;
	struct ssm_app *mapp;
	struct ssm_app *mapp2;        /**< cfg.app2's, or NULL            */
	osip_t *osip;
	int udp, tcp;
	int port;
	char addr[80];
	int udp2, port2;              /**< cfg.iface's socket, or -1 (SS-11) */
	char addr2[80];
	const char *ifaces[3];        /**< the outbound interfaces: addr and
				       * addr2 (the model's, SS-11)      */
	struct conn conns[MAX_CONNS];
	int nconns;
	int next_conn_id;
	int rx_conn;                  /**< the message in hand came on this
				       * connection (0: UDP)             */
	FILE *trace;
	bool trace_dirty;        /* lines written since the last flush */
	uint64_t trace_flushed;  /* when (sipc__now_ms)                */
	uint64_t seq;
	struct sipc_px *pxs;
	bool b2b_auth_retry;
	struct sipc_txtab txs;
	struct heap br_due;           /**< proxy branches' deadlines
				       * (sipc__now_ms clock)             */
	int sigpipe[2];
	bool stop;
	unsigned long rx, tx, dropped;
	unsigned long tx_queued;      /**< of tx, sent by the thread (sendq.c) */
	struct sipc_source src[4];    /**< other things to poll (HTTP)    */
	int nsrc;
	struct sipc_call *calls;
	struct sipc_ops ops;          /**< results of the message in hand
				       * (operations, ops.h)             */
	struct sipc_store *store;     /**< the cluster's Redis, or NULL  */
	struct {                      /**< server transactions answered
				       * (accepted.c)                    */
		struct htab idx;
		struct acc *head, *tail;
		size_t n;
	} acc;
	struct sipc_sendq *sendq;     /**< the sending thread (sendq.c)  */
	bool udp_busy;                /**< the last read brought
				       * SENDQ_BUSY datagrams or more     */
	bool sendq_failed, sendq_stopped;
	bool sendq_always;            /**< SSTCK_REF_SENDQ=1 (sendq.c)   */
	int udp_family;               /**< the UDP socket's              */
	struct sipc_px *ops_px;       /**< the proxy of the branch response
					   in hand, for proxy.cancel      */
	int ops_branch;               /**< and its branch                */
};

#define LEG_ATTR "sstck.leg"

struct verdict {
	int status;          /**< 0: fine; else the response to send      */
	const char *why;
};

/* sipc.c: the container's life and its loop */
uint64_t sipc__now_ms(void);

/* transport.c: sockets, framing and sending */
int sipc__port_of(const char *s);
int sipc__send_back(struct sipc *c, const char *buf, size_t len,
		    const char *host, int port, int conn,
		    const osip_message_t *m);
int sipc__cb_send(osip_transaction_t *tr, osip_message_t *m, char *host,
		  int port, int sock);
void sipc__send_stateless(struct sipc *c, osip_message_t *m);
int sipc__bind_sockets(struct sipc *c);
void sipc__read_udp(struct sipc *c, bool wait);
void sipc__read_conn(struct sipc *c, int idx);
void sipc__accept_conn(struct sipc *c);
void sipc__conn_timers(struct sipc *c);

/* sendq.c: UDP datagrams sent by a thread of their own, under load */
int sipc__sendq_put(struct sipc *c, const char *buf, size_t len,
		    const struct sockaddr_storage *sa, socklen_t slen);
void sipc__sendq_kick(struct sipc *c);
void sipc__sendq_stop(struct sipc *c);

/* guard.c: input guards: what libosip2 does not check */
bool sipc__line_named(const char *l, const char *end, const char *name,
		      const char *compact, const char **valp);
struct verdict sipc__check_raw(const char *buf, size_t len);
struct verdict sipc__check_msg(const osip_message_t *m);
bool sipc__raw_respond(struct sipc *c, const char *buf, int status,
		       const char *reason, const char *host, int port);
bool sipc__multipart_twice_typed(const char *buf, size_t len);
int sipc__unparsable_status(const char *buf);

/* recv.c: one received message: checks, parse, transaction */
void sipc__on_bytes(struct sipc *c, const char *buf, size_t len,
		    const char *host, int port);

/* txn.c: transactions: the libosip2 glue */
struct sipc *sipc__of_tr(osip_transaction_t *tr);
int sipc__srv_respond_msg(struct srv *s, osip_message_t *r);
int sipc__srv_respond(struct srv *s, int status, const char *reason);
int sipc__client_tr(struct sipc *c, osip_transaction_t **tr,
		    osip_fsm_type_t type, osip_message_t *m);
void sipc__nict_send(struct sipc *c, struct ss *ss, osip_message_t *m);
void sipc__on_kill(int type, osip_transaction_t *tr);
void sipc__set_callbacks(osip_t *o);
void sipc__pump(struct sipc *c);

/* txtab.c: the transaction table */
int sipc__tx_add(struct sipc *c, osip_transaction_t *tr);
osip_transaction_t *sipc__tx_find(struct sipc *c, osip_message_t *m);
void sipc__tx_event(struct sipc *c, osip_transaction_t *tr, osip_event_t *e);
void sipc__tx_run(struct sipc *c);
void sipc__tx_timers(struct sipc *c);
int sipc__tx_timeout_ms(struct sipc *c);
void sipc__tx_killed(struct sipc *c, osip_transaction_t *tr);
void sipc__tx_collect(struct sipc *c);
void sipc__tx_free_all(struct sipc *c);
osip_transaction_t *sipc__tx_find_invite(struct sipc *c,
					 const osip_message_t *cancel);
bool sipc__tx_on_conn(const struct sipc *c, int id);

/* build.c: building messages */
char *sipc__header_value(const osip_message_t *m, const char *name);
void sipc__remove_headers(osip_message_t *m, const char *name);
const char *sipc__tag_of(osip_from_t *f);
void sipc__call_id_str(const osip_message_t *m, char *buf, size_t sz);
void sipc__gen_token(char *buf, size_t sz);
osip_message_t *sipc__make_response(const osip_message_t *req, int status,
				    const char *reason, const char *totag);
void sipc__own_contact(const struct sipc *c, const char *user, char *buf,
		       size_t sz);
int sipc__push_via(struct sipc *c, osip_message_t *m, bool tcp,
		   char *branch, size_t bsz);
void sipc__pop_via(osip_message_t *m);
bool sipc__top_via_is_ours(const osip_message_t *m);
bool sipc__uri_is_us(struct sipc *c, const osip_uri_t *u);
void sipc__pop_own_route(struct sipc *c, osip_message_t *m);
int sipc__max_forwards(const osip_message_t *m);
void sipc__set_max_forwards(osip_message_t *m, int mf);
char *sipc__uri_dup(const osip_uri_t *u);
char *sipc__contact_of(const osip_message_t *m);

/* observe.c: the model's view, X-SS-State, the trace */
void sipc__to_ev(const osip_message_t *m, enum ssm_dir dir,
		 struct ssm_msg *ev, char *cid, size_t cidsz);
struct ss *sipc__apply(struct sipc *c, struct ss *ss,
		       const osip_message_t *m, enum ssm_dir dir);
void sipc__stamp(struct sipc *c, struct ss *ss, osip_message_t *m);
void sipc__trace_write(struct sipc *c, json_t *o);
/** The operations @m asks of the application, on @ss, as the application
 * gets the message (observation-protocol.md 4). */
void sipc__ops_run(struct sipc *c, struct ss *ss, osip_message_t *m,
		   bool initial);
void sipc__on_model_event(const struct ssm_event *ev, void *arg);

/* proxy.c: the proxy engine (RFC 3261 16) */
void sipc__px_free(struct sipc_px *px);
void sipc__px_unref(struct sipc_px *px);
int sipc__branch_of(struct sipc_px *px, osip_transaction_t *tr);
void sipc__px_cancel_pending(struct sipc_px *px, int except);
/* ProxyBranch.cancel(): branch @i's CANCEL, if it is still pending. */
void sipc__px_cancel_branch(struct sipc_px *px, int i);
void sipc__px_branch_final(struct sipc_px *px, int i, int status,
			   osip_message_t *copy);
void sipc__px_on_response(struct sipc_px *px, osip_transaction_t *tr,
			  osip_message_t *resp);
void sipc__px_on_timeout(struct sipc_px *px, int i);
void sipc__px_branch_timers(struct sipc *c);

/* b2bua.c: the B2BUA (B2B-02 to B2B-10) */
void sipc__leg_free(struct leg *l);
struct leg *sipc__leg_of(struct ss *ss);
struct leg *sipc__leg_own(struct ss *ss);
void sipc__set_str(char **dst, char *v);
osip_message_t *sipc__leg_request(struct sipc *c, const char *method,
				  const char *ruri, const struct ss_req *rq,
				  const char *local, const char *remote,
				  int mf, const osip_message_t *body_from,
				  char *vb, size_t vbsz);
void sipc__relay_unref(struct relay *rl);
int sipc__relay_send(struct relay *rl, osip_message_t *m);
void sipc__send_cancel(struct sipc *c, struct ss *ss,
		       const osip_message_t *req);
void sipc__relay_on_response(struct relay *rl, osip_message_t *resp);
void sipc__relay_request(struct srv *s);
void sipc__leg_ack(struct sipc *c, struct ss *ss,
		   const osip_message_t *body_from);
void sipc__leg_bye(struct sipc *c, struct ss *ss);
int  sipc__b2b_late_2xx(struct sipc *c, struct ss *uac, osip_message_t *resp);
void sipc__relay_ack(struct sipc *c, struct ss *ss);
/* A request of a session whose outbound interface is cfg.iface leaves
 * from it: its Via and Contact say so (transport.c). */
void sipc__from_iface(struct sipc *c, struct ss *ss, osip_message_t *m);
void sipc__read_iface(struct sipc *c);
/* The ss.send requests of the message in hand, sent (b2bua.c). */
void sipc__ops_flush(struct sipc *c);
void sipc__on_ss_created(struct ss *ss, void *arg);
void sipc__on_ss_destroyed(struct ss *ss, void *arg);

/* accepted.c: RFC 6026's Accepted state, the 2xx kept for 64*T1, and a
 * non-INVITE's final response for Timer J */
struct acc;
bool sipc__acc_add(struct sipc *c, osip_transaction_t *tr);
bool sipc__acc_absorb(struct sipc *c, const osip_message_t *m);
void sipc__acc_expire(struct sipc *c);
void sipc__acc_free(struct sipc *c);

/* store.c: a cluster's sessions in Redis (DIST-*) */
struct redisContext;
struct redisReply;

/* codec.c: what a distributable application's values are to the model */
const struct ssm_codec *sipc__store_codec(void);
/* lua.c: the store's scripts, each checking sstck:own where it writes */
enum sipc_lua { SIPC_LUA_WRITE, SIPC_LUA_DEL, SIPC_LUA_TAKE, SIPC_LUA_N };
#define SIPC_LUA_SHA  48       /* a SHA1 in hex, and its NUL           */
#define SIPC_LUA_ARGS 24       /* a script's arguments at most          */
/** SCRIPT LOAD of every script on @rc into @sha: 0, or -1 with the
 * reason in @err. */
int sipc__lua_load(struct redisContext *rc, char sha[][SIPC_LUA_SHA],
		   char *err, size_t errsz);
/** EVALSHA @sha with @argc arguments (SIPC_LUA_ARGS at most, borrowed,
 * copied into @rc's output), appended to @rc's pipeline. */
void sipc__lua_append(struct redisContext *rc, const char *sha, int argc,
		      const char *const *argv);
/** true for a store that does not know the script (SCRIPT FLUSH). */
bool sipc__lua_noscript(const struct redisReply *r);

/* store.c's state (ended.c reads the store with it too).  A session
 * this turn touched, written at its end: */
struct dirty {
	struct sas *sas;              /**< reference                     */
	char *id;
	bool fresh;                   /**< made here, not written yet    */
	bool sent;                    /**< in the pipeline: a reply due  */
	bool retry;                   /**< NOSCRIPT: again, once loaded  */
	bool back;                    /**< maybe not in the store: "any" */
	bool answered;                /**< its reply came                */
};

/* A session this node found it no longer owns, dropped at its next turn
 * (not in the middle of the message whose write was refused). */
struct lost {
	struct sas *sas;              /**< reference                     */
	char owner[48];               /**< the owner's token, "" none    */
};

struct sipc_store {
	struct redisContext *rc;      /**< commands                      */
	struct redisContext *sub;     /**< SUBSCRIBE sstck:took          */
	char token[40];               /**< NODE:RANDOM                   */
	char sha[SIPC_LUA_N][SIPC_LUA_SHA]; /**< SCRIPT LOAD's        */
	struct dirty *d;
	size_t nd, cap;
	struct lost *lost;
	size_t nlost, caplost;
	uint64_t next_poll;
	bool broken;                  /**< the store went away: said once */
	uint64_t next_retry;          /**< broken: when to connect again  */
	const char *out;              /**< the message about to leave     */
	size_t outlen;
	bool stop_ended;              /**< SSTCK_REF_STOP_ENDED set      */
	const char *stop_new;         /**< SSTCK_REF_STOP_NEW's file     */
	bool no_dialog;               /**< the claim found none (absorb) */
	char run_id[48];              /**< the store's (INFO server)     */
	char **unwritten;             /**< made, not known written: ids  */
	size_t nun, capun;
	unsigned long writes, bytes, restores, evictions, losses, stale;
};

int sipc__store_open(struct sipc *c);
void sipc__store_close(struct sipc *c);
void sipc__store_touch(struct sipc *c, struct sas *sas, bool created);
void sipc__store_claim(struct sipc *c, const osip_message_t *m);
void sipc__store_flush(struct sipc *c);
/** The flush before @buf (@len bytes) leaves (transport.c's sends). */
void sipc__store_flush_out(struct sipc *c, const char *buf, size_t len);
/** A request of a dialog the store has no session for (the claim just
 * looked), answered from the dialog's tombstone (ended.c): true when
 * it was. */
bool sipc__store_absorb(struct sipc *c, const osip_message_t *m);
void sipc__store_passivate_all(struct sipc *c);
void sipc__store_stats(const struct sipc *c, json_t *o);
/* store.c's replies and trace, for takeover.c */
struct redisReply;
struct redisReply *sipc__store_cmd(struct sipc *c, const char *fmt, ...);
const char *sipc__store_str(const struct redisReply *r);
void sipc__store_trace(struct sipc *c, const char *ev, const char *id,
		       const char *other);
struct redisReply *sipc__store_eval(struct sipc *c, enum sipc_lua k, int argc,
				    const char *const *argv);
void sipc__store_evict(struct sipc *c, struct sas *sas, const char *by,
		       const char *ev);
/* takeover.c: a session another node took (a message of sstck:took),
 * and a due session whose owner is gone */
void sipc__store_on_took(struct sipc *c, const struct redisReply *r);
void sipc__store_take_due(struct sipc *c, const char *id);

/* ended.c: a dialog a cluster node ended, its last response kept in
 * the store for 64*T1 (sstck:end:KEY) */
struct sipc_tomb {
	char key[600];                /**< CALLID;FROMTAG;TOTAG          */
	char cid[256];
	char ttl[16];                 /**< 64*T1, ms                     */
	char *text;                   /**< the response (malloc'd)       */
};
/** The tombstone key of @m's dialog into @buf: false without both tags. */
bool sipc__tomb_key(const osip_message_t *m, char *buf, size_t sz);
/** The tombstone of @buf (@len bytes, about to leave), if it is a final
 * response to a request other than INVITE and CANCEL, into @t: true,
 * then @t->text is to be freed. */
bool sipc__tomb_of(const struct sipc *c, const char *buf, size_t len,
		   struct sipc_tomb *t);
/** @m answered with the tombstone's response @text if that answered the
 * same request (CSeq): true when it was. */
bool sipc__tomb_answer(struct sipc *c, const osip_message_t *m,
		       const char *text);

/* call.c: third-party call control (RFC 3725 flow I) */
void sipc__call_free(struct sipc_call *k);
void sipc__call_on_response(struct sipc_call *k, struct relay *rl,
			    struct ss *t, osip_message_t *resp);

#endif
