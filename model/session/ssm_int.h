/**
 * @file model/session/ssm_int.h  Session model private interface
 *
 * The bodies of the model's objects and the functions shared between the
 * files of model/session.  Nothing outside model/session includes this.
 */
#ifndef SSTCK_SSM_INT_H
#define SSTCK_SSM_INT_H

#include "ssm.h"
#include "../mem/mem.h"
#include "../mem/heap.h"
#include "../mem/htab.h"


/* ----- intrusive list ----- */

struct le {
	struct le *prev, *next;
};

struct list {
	struct le *head, *tail;
	size_t n;
};

void ssm__list_append(struct list *l, struct le *e);
void ssm__list_unlink(struct list *l, struct le *e);

#define LIST_FOREACH(l, e) \
	for (struct le *e = (l)->head, *e##_n = e ? e->next : NULL; e; \
	     e = e##_n, e##_n = e ? e->next : NULL)

/* ----- hash table and timer heap: model/mem's htab.h and heap.h ----- */

/** A model timer: its heap node first, so the heap's node is the timer. */
struct tmr {
	struct heap_node n;
	void (*h)(struct tmr *t);
};

void ssm__tmr_init(struct tmr *t, void (*h)(struct tmr *t));
int ssm__tmr_start(struct ssm *m, struct tmr *t, uint64_t due);
void ssm__tmr_stop(struct ssm *m, struct tmr *t);

/* ----- attributes ----- */

struct attr {
	struct attr *next;
	char *name;
	void *value;
	struct ssm_binding b;
};

/** An attribute map: a mem block, shared between sessions under CF-06. */
struct attrs {
	struct attr *head;
	size_t n;
};

struct attrs *ssm__attrs_alloc(void);
struct attrs *ssm__attrs_copy(const struct attrs *src);
int ssm__attrs_set(struct ssm_app *app, enum ssm_kind kind, void *owner,
		   struct attrs *a, const char *name, void *value,
		   const struct ssm_binding *b);
struct attr *ssm__attrs_find(const struct attrs *a, const char *name);
void ssm__attrs_remove(struct ssm_app *app, enum ssm_kind kind, void *owner,
		       struct attrs *a, const char *name);
void ssm__attrs_clear(struct ssm_app *app, enum ssm_kind kind, void *owner,
		      struct attrs *a);
size_t ssm__attrs_names(const struct attrs *a, const char **names, size_t max);

/* ----- objects ----- */

enum meth {
	M_OTHER = 0, M_INVITE, M_ACK, M_BYE, M_CANCEL, M_SUBSCRIBE,
	M_NOTIFY, M_REFER, M_PRACK, M_UPDATE, M_INFO, M_MESSAGE,
	M_OPTIONS, M_REGISTER, M_PUBLISH,
};

enum ss_kind { KIND_NONE = 0, KIND_DIALOG, KIND_NONDIALOG };

struct ssm_app {
	struct le le;
	struct ssm *m;
	char *name;
	enum ssm_version version;
	int timeout_min;
	struct ssm_listeners l;
	char **servlets;
	ssm_key_h *keyh;
	void *keyarg;
	struct ssm_codec codec;   /**< distributable apps only (DIST-01)    */
	bool distributable;
};

struct ssm {
	struct ssm_opts opts;
	ssm_clock_h *clock;
	void *clock_arg;
	ssm_event_h *evh;
	void *evarg;
	struct list apps;
	struct htab ss_by_id;
	struct htab ss_by_dialog;
	struct htab ss_by_family;
	struct htab sas_by_id;
	struct htab hs_by_id;
	struct heap timers;
	struct list dirty_ss;
	struct list dirty_sas;
	uint64_t next_id;
	uint64_t rnd;
	char node[SSM_NODE_MAX + 1];  /**< in every id it makes (DIST-02) */
	size_t nss, nsas;
	bool settling;
};

#define SS_MAXTX 6

struct tx {
	uint32_t cseq;
	uint8_t meth;
	uint8_t server;
};

struct sub {
	struct sub *next;
	char key[];
};

/**
 * A NOTIFY with Subscription-State terminated whose final response is
 * awaited (CF-20): the NOTIFY's transaction in the dialog (CSeq, From tag,
 * direction) and the usage it ends.
 */
struct pnotify {
	struct pnotify *next;
	uint32_t cseq;
	uint8_t dir;              /**< the NOTIFY's (enum ssm_dir)         */
	char *ftag;               /**< into data; NULL: no From tag        */
	char data[];              /**< usage key, then the From tag        */
};

struct ss {
	struct hent hid;
	struct hent hdlg;
	struct hent hfam;
	struct le sasle;          /**< in sas->sips (holds a reference)     */
	struct le famle;          /**< in orig->derived                     */
	struct le dirtyle;
	struct sas *sas;          /**< strong                                */
	struct ss *orig;          /**< strong; derived sessions only         */
	struct list derived;      /**< originals only (borrowed)             */
	struct ss *linked;        /**< borrowed, cleared on invalidation     */
	struct attrs *attrs;
	char *call_id, *ftag, *ttag;
	char *local_uri, *remote_uri;
	char *region, *subscriber, *handler, *outbound;
	struct sub *subs;
	struct pnotify *pnotify;  /**< terminating NOTIFYs (CF-20)         */
	char *pend_event;         /**< Event of the last SUBSCRIBE/REFER  */
	uint64_t created, accessed;
	uint32_t local_cseq, init_cseq;
	struct tx tx[SS_MAXTX];
	uint8_t ntx;
	uint8_t role, state, kind, init_meth;
	bool valid:1, iwr:1, dirty:1, ready_seen:1, fell_back:1;
	bool last_auth:1, invite_usage:1, rr:1, family_done:1;
	bool received_initial:1, used:1, b2b:1;
	char id[24];
};

struct sas {
	struct hent hid;
	struct le dirtyle;
	struct ssm_app *app;
	char *id;
	char *key;                /**< @SipApplicationKey value or NULL    */
	struct attrs *attrs;
	struct list sips;         /**< SipSessions (references)            */
	struct hs **hss;          /**< HTTP sessions (references)          */
	size_t nhss, hssz;
	struct list timers;       /**< active ServletTimers (references)   */
	struct tmr exp;
	uint64_t created, accessed;
	uint64_t lifetime_ms;     /**< 0 = never expires                   */
	uint64_t expires_at;
	bool valid:1, iwr:1, dirty:1, ready_seen:1, expiring:1;
	bool extended:1, invalidating:1;
};

struct hs {
	struct hent hid;
	struct ssm *m;
	struct attrs *attrs;
	struct sas **sases;       /**< borrowed; [0] is the parent         */
	size_t nsas, sassz;
	struct tmr exp;
	uint64_t created, accessed;
	int max_inactive_s;
	bool valid;
	char id[24];
};

struct ssm_timer {
	struct tmr t;
	struct le le;             /**< in sas->timers                      */
	struct sas *sas;          /**< strong                               */
	void *info;
	uint64_t period;
	uint64_t scheduled;
	bool fixed_delay;
	bool active;
	bool info_decoded;        /**< restored: info goes to codec.discard */
	char id[24];
};

/* ----- shared internals ----- */

void ssm__emit(struct ssm *m, enum ssm_ev_type type, struct sas *sas,
	       struct ss *ss, struct ss *peer, struct hs *hs,
	       struct ssm_timer *t, const struct ssm_msg *msg);
void ssm__dirty_ss(struct ss *ss);
void ssm__dirty_sas(struct sas *sas);
void ssm__gen_token(struct ssm *m, const char *prefix, char *buf,
		    size_t sz);
enum meth ssm__meth(const char *s);
bool ssm__is_token(const char *s);

/* the start of an application session's API call: NPE for NULL, ISE once
 * invalidated (sas.c, timer.c, hs.c) */
#define SAS_CHECK(sas)                          \
	do {                                    \
		if (!(sas))                     \
			return SSM_NPE;         \
		if (!(sas)->valid)              \
			return SSM_ISE;         \
	} while (0)

void sas__touch(struct sas *sas, bool refresh);
void sas__invalidate(struct sas *sas);
bool sas__ready(const struct sas *sas);
void sas__add_hs(struct sas *sas, struct hs *hs);
void sas__drop_hs(struct sas *sas, struct hs *hs);
int sas__alloc(struct ssm_app *app, const char *key, struct sas **sasp);
struct sas *sas__find(struct ssm *m, const char *id);
uint32_t ssm__id_hash(const char *id);

void ss__invalidate(struct ss *ss);
int ss__index_dialog(struct ss *ss);
int ss__index_family(struct ss *ss);
bool ss__ready(const struct ss *ss);
/* ss.c and state.c */
bool ss__dialog_creating(const struct ssm *m, enum meth meth);
struct ss *ss__derive(struct ss *orig, struct ss *src, const char *ttag,
		      bool *linked);
void ss__set_state(struct ss *ss, enum ss_state to,
		   const struct ssm_msg *msg);
struct ss *ss__family_orig(struct ss *ss);
void ss__family_hand_on(struct ss *ss);

/* the model a session belongs to */
static inline struct ssm *ss__model(const struct ss *ss)
{
	return ss->sas->app->m;
}

void hs__invalidate(struct hs *hs);
void ssm__timer_cancel_all(struct sas *sas);

/* distributed sessions (dist.c, and the quiet constructors it uses) */
int ssm__dist_check(struct ssm_app *app, enum ssm_kind kind,
		    const char *name, const void *value);
int sas__restore(struct ssm_app *app, const char *id, const char *key,
		 struct sas **sasp);
struct ssm_timer *ssm__timer_restore(struct sas *sas, const char *id);
struct ss *ss__restore(struct sas *sas, enum ss_role role, const char *id);
int ss__register(struct ss *ss, struct ss *orig);
void ss__unregister(struct ss *ss);
int ss__add_sub(struct ss *ss, const char *key);

#endif
