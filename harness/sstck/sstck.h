/**
 * @file harness/sstck/sstck.h  the harness's parts, shared by the sstck binary
 * and its unit tests (harness/test).
 *
 * Each module's global symbols start with its prefix (harness/check-layout
 * checks libsstck.a for it):
 *
 *   text.c      text_      bounded text, whole files, UTF-8, XML, JSON (text.h)
 *   rules.c     rules_     conformance/rules.tsv: rule IDs, what the wire shows
 *   manifest.c  manifest_  a case's case.ini, read with libinih and validated
 *   target.c    target_    target descriptions (harness/targets/NAME.ini), pre-flight
 *   kit.c       kit_       a container built from a kit, started once a run
 *   httpstep.c  http_      a converged case's HTTP steps
 *   proc.c      proc_      processes in a case's group, ports, listeners
 *   sipp.c      sipp_      SIPp's artifacts: statistics, logs, scenario rewrite
 *   judge.c     judge_     the verdict, a pure function of what a run collected
 *   runner.c    runner_    one case, start to end, in its own process group
 *   pool.c      pool_      the job pool: a child and a process group per job
 *   results.c   results_   results.json, junit.xml, the table
 *   pcap.c      pcap_      case.pcap from the agents' message logs
 *   cluster.c   cluster_   targets of several nodes, a node failed mid-case
 *
 * libsstck.a also holds the oracle (oracle_, conformance/oracle/oracle.h)
 * and the report (report_, reports/report.h).
 */
#ifndef SSTCK_H
#define SSTCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include <jansson.h>

#include "text.h"

/* The suite's version, in --version, results.json and junit.xml. */
#define SSTCK_VERSION "0.3.0"

#define SSTCK_MAX_AGENTS 8
#define SSTCK_MAX_RULES  48
#define SSTCK_MAX_CHECKS 48
/* How long an agent waits for each message of a call before the call
 * fails (SIPp's -recv_timeout); no case waits longer on purpose. */
#define SSTCK_RECV_TIMEOUT_MS 5000

/* --- rules.c ---------------------------------------------------------- */

/* How a rule shows itself (rules.tsv column obs): on the wire alone (W),
 * on the wire with the target's help (W*), or only through the target's
 * state (P: X-SS-State, the trace, or a unit test). */
enum rule_obs { OBS_WIRE, OBS_WIRE_STAR, OBS_STATE };

struct rule {
	char id[24];
	char group[24];
	int section;             /* of the rules digest (session-rules.md) */
	enum rule_obs obs;
	char *summary;
};

struct ruleset {
	struct rule *v;
	size_t n;
};

int  rules_load(struct ruleset *rs, const char *path, char *err, size_t errsz);
const struct rule *rules_find(const struct ruleset *rs, const char *id);
void rules_free(struct ruleset *rs);

/* --- manifest.c ------------------------------------------------------- */

enum agent_role { ROLE_UAS, ROLE_UAC };

struct agent {
	char name[32];
	enum agent_role role;
	char scenario[128];
	int start;
	bool seen_role, seen_scenario;
};

/* An HTTP step of a converged case ([http.NAME]): run by the harness with
 * curl against the target's HTTP side, its answer judged here (SIPp's
 * exec would not report it). */
#define SSTCK_MAX_HTTP   24
#define SSTCK_MAX_EXPECT 8
#define SSTCK_MAX_OPS    48

struct http_step {
	char name[32];
	char method[8];
	char path[256];          /* {agent} and {saved} placeholders */
	char body[512];
	int status;              /* 0: any 2xx */
	char expect[SSTCK_MAX_EXPECT][160]; /* "PATH OP VALUE", OP = != ~ */
	size_t nexpect;
	char save[4][96];        /* "NAME PATH": {NAME} in later steps */
	size_t nsave;
	int until_s;             /* poll until it holds, this many seconds */
	int pause_ms;            /* wait this long before the request */
	bool no_cookie;          /* a client without the case's cookies */
};

struct manifest {
	char name[128];          /* "proxy/rr-callee-bye": its folder under scenarios/ */
	char dir[512];           /* the folder itself */
	char summary[SSTCK_TEXT];
	char rules[SSTCK_MAX_RULES][24];
	bool rule_by_op[SSTCK_MAX_RULES]; /* named only by [ops]: judged
					     through the API operations */
	size_t nrules;
	char app[32];            /* [ref] app */
	char args[SSTCK_TEXT];   /* [ref] args, {agent} placeholders unexpanded */
	char cf[128];            /* [case] cf: the CF sides it is written for
				  * ("CF-17=0"); other targets: not applicable */
	bool tcp;                /* [ref] transport = tcp */
	struct agent agents[SSTCK_MAX_AGENTS];
	size_t nagents;
	int expect_derived;      /* [expect] derived, -1 when not given */
	int expect_fired;        /* [expect] timers-fired, -1 when not given */
	int expect_expired;      /* [expect] expired, -1 when not given */
	char iface[64];          /* [case] interface: a second outbound
				  * interface (loopback address) the case
				  * sends from (SS-11), or "" */
	bool api20;              /* [case] api = 2.0: it calls JSR 359 API */
	bool needs_ops;          /* [case] needs-ops = yes: its flow depends on
				  * what its operations do; a target that
				  * runs none does not play it */
	int slow_s;              /* [case] slow = S: a case of the slow group,
				  * S seconds at most (its timeout); only
				  * sstck run --slow plays it; 0 not slow */
	struct http_step http[SSTCK_MAX_HTTP];
	size_t nhttp;
	/* [ops]: the operations' numbers and "RULES | EXPECTATION ..." */
	int op_n[SSTCK_MAX_OPS];
	char op_expect[SSTCK_MAX_OPS][224];
	size_t nops;
	/* [failover]: once agent FO_AGENT has sent a message whose first
	 * line starts with FO_AFTER, the harness fails the node that holds
	 * the call (the target's fail command); "" when the case has none */
	char fo_agent[32];
	char fo_after[64];
	int fo_wait_ms;          /* wait = MS: from that message to the failover */
	bool fo_stop;            /* mode = stop: the node stopped, not killed */
};

/* Reads DIR/case.ini; NAME is how reports call the case.  Checks every
 * rule against RS when RS is not NULL.  0, or -1 with a one-line ERR that
 * names the file (and the line, for a syntax error). */
int manifest_load(struct manifest *m, const char *dir, const char *name,
		  const struct ruleset *rs, char *err, size_t errsz);

/* What M waits of itself, in ms: its agents' scenario pauses (the longest
 * agent's) and its HTTP steps' pause =.  The run starts the cases that
 * wait longest first, so that one does not end the run alone. */
long manifest_waits_ms(const struct manifest *m);

/* --- target.c --------------------------------------------------------- */

enum target_kind { TARGET_REF, TARGET_KAMAILIO, TARGET_REMOTE, TARGET_KIT,
		   TARGET_CMD };

#define SSTCK_MAX_TAPPS 8

struct target_app {
	char name[32];
	char config[128];        /* kamailio: config template under harness/ */
	char options[SSTCK_TEXT];/* options of [ref] args it can play */
};

struct target {
	char name[64];
	enum target_kind kind;
	char summary[SSTCK_TEXT];
	bool state_header;       /* X-SS-State on what it sends */
	bool trace;              /* a JSON Lines trace of session events */
	bool all_apps;           /* plays every application (ref, a probe) */
	struct target_app apps[SSTCK_MAX_TAPPS];
	size_t napps;
	char host[64];           /* remote: where it listens */
	int port;
	bool app_header;         /* name the role in X-SSTCK-App (a probe) */
	char http_base[256];     /* remote: its HTTP side, or "" for none */
	struct {                 /* start = kit: how to build and run it */
		char env[32], paths[SSTCK_TEXT], build[64], run[64];
		char ready[128], context[64], java[SSTCK_TEXT];
	} kit;
	int http_port;           /* kit: its HTTP side, once started */
	char trace_file[1024];   /* kit: the probe's trace for the whole run */
	char cf[SSTCK_TEXT];     /* the sides it takes (CF options), for reports */
	char ref_args[SSTCK_TEXT];/* ref: options sstck-ref gets in every case */
	char command[SSTCK_TEXT];/* start = command: what starts it per case
				  * (harness/cluster-up for a cluster) */
	char fail_cmd[SSTCK_TEXT];/* how to fail one of its nodes (fail =, or
				  * sstck run --fail-cmd); "" when it cannot */
	char groups[128];        /* the case groups it plays ("": all) */
	bool api20;              /* api = 2.0: it has the JSR 359 API (VER-05) */
	char second_app[64];     /* the Request-URI user its application
				  * router gives a second application of
				  * the probe's (sstck-ref: --app2), or "" */
	char router[64];         /* its application router's answer to every
				  * initial request, REGION:from|to|none
				  * (SS-09), or "" when unknown */
	char interfaces[128];    /* its outbound interfaces beside the
				  * listen address (SS-11); start = ref:
				  * sstck-ref gets the case's own */
	int front_hops;          /* proxies of its own in front of its
				  * container (a cluster's), for the oracle */
};

/* Whether T runs apart from the harness's cases (one already running, or
 * a kit's container started once for the run): cases reach it at
 * host:port and it shows X-SS-State through the probe. */
static inline bool target_shared(const struct target *t)
{
	return t->kind == TARGET_REMOTE || t->kind == TARGET_KIT;
}

/* --- kit.c ------------------------------------------------------------ */

/* Builds T's container from its kit into TOP/build/NAME (once), starts it
 * with APP (the probe) on free loopback ports, its output and the probe's
 * trace in LOGDIR; fills T's host, port, http_base and trace_file.  0, or
 * -1 with ERR (nothing left running). */
int  kit_start(struct target *t, const char *top, const char *app,
	       const char *logdir, char *err, size_t errsz);
/* Stops what kit_start started, by its process group; safe to repeat. */
void kit_stop(void);
bool kit_running(void);
/* DIR/trace.jsonl: the lines of the run's trace SHARED that belong to the
 * case M ran in DIR (the sessions of its calls' Call-IDs, their
 * application sessions and every session of those); *PENDING: how many of
 * its SipSessions are neither ready nor invalidated yet.  0 or -1. */
int  kit_trace_slice(const char *shared, const struct manifest *m,
		     const char *dir, size_t *events, size_t *pending);

/* Reads harness/targets/NAME.ini for "ref" and "kamailio"; HOST:PORT
 * makes a remote description (X-SS-State assumed unless OBSERVE is
 * "wire").  0 or -1 with ERR. */
int target_open(struct target *t, const char *spec, const char *top,
		const char *observe, char *err, size_t errsz);

/* Whether a target already running (target_shared) answers an OPTIONS
 * within three seconds: no case is worth starting against it otherwise.
 * 0, or -1 with WHY. */
int  target_preflight(const struct target *t, char *why, size_t whysz);
/* Whether a target's HTTP side answers GET BASE/session (the observation
 * protocol's section 3) within three seconds, or no converged case is
 * worth its timeout.  BASE is http://127.0.0.1:PORT[/CONTEXT].  0, or -1
 * with WHY. */
int  target_http_preflight(const char *base, char *why, size_t whysz);

/* Whether T can play M's application with M's options; when it cannot,
 * WHY says what is missing. */
bool target_plays(const struct target *t, const struct manifest *m,
		  char *why, size_t whysz);

/* Expands a Kamailio config template: every 127.0.0.1:5060 gets PORT, and
 * @BRANCHES@ with the case's --target URIs (first in $ru, then
 * append_branch).  Returns a malloc'd text or NULL with ERR. */
char *target_kamailio_config(const char *tmpl, int port, const char *args,
			     char *err, size_t errsz);

struct facts;

/* --- httpstep.c ------------------------------------------------------ */

/* Runs M's HTTP steps in order against BASE (http://127.0.0.1:PORT, or a
 * remote target's --http-base) with curl (its
 * processes in the case's group), {agent} placeholders from PORTS; each
 * step's outcome into F, its exchange into OUTDIR/http.log.  Stops at the
 * first step that fails or at DEADLINE (ms). */
void http_steps_run(const struct manifest *m, const int *ports, const char *base,
		    const char *outdir, long long deadline, struct facts *f);

/* Whether the JSON value at PATH (dot-separated; a number indexes an
 * array, # is a length) of BODY, as text, satisfies "OP VALUE".  WHY
 * gets what was seen. */
bool http_expect(json_t *body, const char *expect, char *why, size_t whysz);

/* --- proc.c ----------------------------------------------------------- */

/* A free loopback port for both UDP and TCP, never one handed out before
 * by this process.  0 when none could be found. */
int  proc_port_alloc(void);

/* Where the next proc_port_alloc() looks: a block of 32 of its own for each
 * SLOT (a case's number in the run), below the kernel's ephemeral range,
 * so that cases run in parallel processes never hand out the same port
 * and no outgoing socket takes one before its agent binds it. */
void proc_port_block(unsigned slot);
/* Whether something listens on 127.0.0.1:PORT (UDP bound, or TCP in
 * LISTEN), read from /proc/net. */
bool proc_port_listening(int port, bool tcp);

/* Starts ARGV in the current process group with stdout and stderr to
 * OUTFILE (NULL: /dev/null), in directory DIR (NULL: unchanged).  The
 * child dies with the caller (PR_SET_PDEATHSIG).  Pid or -1. */
pid_t proc_spawn(char *const argv[], const char *outfile, const char *dir);

/* Waits for PID until DEADLINE_MS (monotonic, ms); returns its exit code,
 * 128+signal when killed, or -1 when the deadline passed (PID is left
 * running). */
int  proc_wait(pid_t pid, long long deadline_ms);
/* Waits until one of the N processes PIDS (those above 0) may have ended,
 * or DEADLINE_MS; reaps none. */
void proc_wait_any(const pid_t *pids, size_t n, long long deadline_ms);
/* How often proc_wait_until looks again when nothing woke it. */
#define PROC_RECHECK_MS 50
/* Waits until HELD(ARG) is true (0), PID has exited (1, reaped) or
 * DEADLINE_MS has passed (-1), looking again whenever PID ends or
 * something in folder DIR is created, written or closed (NULL: none),
 * and every PROC_RECHECK_MS besides. */
int  proc_wait_until(pid_t pid, const char *dir, bool (*held)(const void *arg),
		     const void *arg, long long deadline_ms);
/* SIGTERM, up to GRACE_MS, then SIGKILL; reaps.  Returns the exit code
 * as proc_wait does. */
int  proc_stop(pid_t pid, int grace_ms);
/* Kills a whole process group and reaps what is ours of it. */
void proc_kill_group(pid_t pgid);
long long proc_now_ms(void);

/* --- sipp.c ----------------------------------------------------------- */

/* SuccessfulCall(C) and FailedCall(C) of the last line of a SIPp
 * -trace_stat CSV; -1 when the file or the column is missing. */
int sipp_stat(const char *path, long *ok, long *failed);
/* How many messages SIPp logged as received in a -trace_msg log; -1 when
 * the file cannot be read. */
int sipp_received(const char *path);
/* The first meaningful line of a SIPp error log or output, for a verdict. */
void sipp_first_error(const char *path, char *buf, size_t bufsz);

/* Adds header LINE ("Name: value") to the first request the scenario at
 * PATH sends (a UAC's initial request), after its Call-ID.  0, or -1 when
 * it sends no request. */
int sipp_add_header(const char *path, const char *line);

/* Copies a scenario.  Every state check (an ereg on X-SS-State, a test
 * of a variable named ss_*) loses its check_it, so that none aborts the
 * call; with STATE (a target that shows X-SS-State) each one's outcome is
 * logged by SIPp (run it with -trace_logs) and DST.expect lists them.
 * Returns the number of state checks, or -1 with ERR. */
int sipp_scenario_copy(const char *src, const char *dst, bool state,
		       char *err, size_t errsz);

struct agent_facts;

/* Reads how the state checks of agent A's scenario copy DIR/A.xml came
 * out, from DIR/A.xml.expect and SIPp's log DIR/A.log, into A's exp_*. */
void sipp_expectations(const char *dir, struct agent_facts *a);

/* A byte-for-byte copy of a file. */
int sipp_copy_file(const char *src, const char *dst, char *err, size_t errsz);

/* --- judge.c ---------------------------------------------------------- */

/* not observable: the target cannot show what the case checks; not
 * applicable: the target does not play the case at all (an application
 * it lacks).  Neither is ever a pass. */
enum verdict { V_PASSED, V_FAILED, V_NOTOBS, V_ERROR, V_NA, V_SKIPPED };
#define SSTCK_NVERDICTS 6

/* "passed", "failed", "not observable", "error", "not applicable",
 * "skipped" (a slow case a run without --slow leaves out: never a
 * pass); a check's outcome is one of these too */
const char *judge_verdict_name(enum verdict v);

struct agent_facts {
	char name[32];
	enum agent_role role;
	int exit;            /* exit code; -1 when it did not run or was killed at the deadline */
	bool ran;
	bool no_listen;      /* a receiving agent that never bound its port */
	long calls_ok, calls_failed; /* -1: not known */
	int received;        /* messages received; -1 not known */
	int state_checks;    /* X-SS-State checks in its scenario */
	/* how they came out (sipp_expectations): held, failed, on a message
	 * the target sent without X-SS-State, stamped in the application's
	 * callback (at=app: the oracle judges those), never reached */
	int exp_held, exp_failed, exp_unstamped, exp_app, exp_unreached;
	char exp_first[SSTCK_TEXT]; /* the first that failed, in words */
	char cut[64];        /* stopped early, after this one failed */
	char error[SSTCK_TEXT];
	char log[64];        /* its message log, relative to the case folder */
	char scenario[160];  /* its scenario, as the case names it */
};

#define SSTCK_MAX_FINDINGS 8

/* What the oracle (conformance/oracle) found, as far as a case keeps it. */
struct oracle_facts {
	bool ran;
	char error[SSTCK_TEXT];    /* it could not judge */
	size_t n;                  /* findings in all */
	struct {
		char rule[24];
		char where[192];
		char text[384];
	} f[SSTCK_MAX_FINDINGS];
	size_t messages, state_checks, trace_events, wire_checks, op_checks;
	size_t op_unobs;           /* operations not observable here */
	char op_unobs_rules[512], op_judged_rules[1024];
	bool node_trace;           /* a cluster's trace, its nodes named */
	bool trace_shutdown;       /* its trace ends with the shutdown */
	bool http_trace;           /* its trace shows HTTP sessions */
	size_t unparsed;
	char first_unparsed[160];
};

struct facts {
	char setup_error[SSTCK_TEXT]; /* a manifest, scenario or start problem */
	char na_reason[SSTCK_TEXT];   /* the target does not play the case at all */
	char target_desc[128];
	bool timed_out;
	bool interrupted;
	struct agent_facts agents[SSTCK_MAX_AGENTS];
	size_t nagents;
	bool target_started;  /* we started it (ref, kamailio) */
	int target_exit;      /* its exit code after SIGTERM; -1 unknown */
	bool trace;           /* the target keeps a trace of its own */
	bool events;          /* the case's session events are known: its
			       * trace, or its slice of a run's container's */
	long live_ss;         /* live SipSessions at its shutdown; -1 unknown */
	long derived;         /* derived sessions created; -1 unknown */
	int expect_derived;   /* -1: no expectation */
	long fired;           /* ServletTimers that fired (timer-fired) */
	int expect_fired;     /* -1: no expectation */
	long expired;         /* application sessions' expiries (sas-expired) */
	int expect_expired;   /* -1: no expectation */
	bool skipped;         /* na_reason says why the slow case did not run */
	bool state_header;    /* the target shows X-SS-State */
	struct oracle_facts oracle;
	struct {
		char name[32];
		bool ran, ok;
		char detail[SSTCK_TEXT];
	} http[SSTCK_MAX_HTTP];
	size_t nhttp;
	int http_port;        /* the target's HTTP side, 0 when none */
	struct {              /* the case's failover ([failover]) */
		bool wanted, ran;
		int rc;            /* the fail command's exit code */
		char detail[SSTCK_TEXT];
	} failover;
	struct {              /* case.pcap (pcap_case): never judged */
		bool written;
		size_t packets, direct, skipped, missing;
		char error[SSTCK_TEXT];
	} pcap;
};

struct check {
	char name[64];
	enum verdict outcome;
	char detail[SSTCK_TEXT];
};

struct judgement {
	enum verdict verdict;
	char reason[SSTCK_TEXT];  /* the first failed expectation or the error */
	char where[SSTCK_TEXT];   /* where to look */
	struct check checks[SSTCK_MAX_CHECKS];
	size_t nchecks;
};

/* The verdict from the facts: pure, no I/O (unit-tested). */
void judge_facts(const struct facts *f, struct judgement *j);

/* A rule's verdict in a case: the case's verdict, except that a rule only
 * the target's state shows is not observable on a target without state. */
enum verdict judge_rule_verdict(enum verdict case_v, enum rule_obs obs,
				bool state_observable);

/* --- runner.c --------------------------------------------------------- */

struct run_opts {
	const char *top;        /* the repository: scenarios/, harness/ */
	const char *ref_bin;    /* sstck-ref */
	const char *sipp;       /* sipp */
	const struct target *target;
	int timeout_s;
	bool verbose;
	bool slow;              /* --slow: the slow group plays too */
};

/* Runs one case (M, or MERR when its manifest did not load) into OUTDIR
 * and fills F and J.  Blocking; call it in a process of its own. */
void runner_run_case(const struct run_opts *o, const struct manifest *m,
		     const char *merr, const char *outdir, struct facts *f,
		     struct judgement *j);

/* Runs the oracle on a case folder (its agents' logs, its trace) and
 * keeps what it found in O.  TOP finds the state table. */
void runner_run_oracle(const char *top, const struct manifest *m, const char *dir,
		       struct oracle_facts *o);

/* --- cluster.c -------------------------------------------------------- */

/* Starts a start = command target for case M (its [ref] args ARGS
 * expanded) with OUTDIR for its logs: the front's port into PORTF, the
 * merged trace into TRACEF, its output into LOGF.  The pid, or -1. */
pid_t cluster_start(const struct run_opts *o, const struct manifest *m,
		    const char *args, const char *outdir, const char *portf,
		    const char *tracef, const char *logf);
/* M's failover point: waits (until DEADLINE, or until the agent ends)
 * for M's agent to send the message, then runs the target's fail command
 * and keeps how it went in F->failover. */
void cluster_failover(const struct run_opts *o, const struct manifest *m,
		      const char *outdir, const pid_t *apid, long long deadline,
		      struct facts *f);

/* --- pool.c ----------------------------------------------------------- */

/* The job pool: each job runs in a child heading a process group of its
 * own and sends its result, SIZE bytes, back over a pipe; when it has
 * ended, passed its deadline, or the run is interrupted, the pool kills
 * what is left of the group and reaps it. */
struct pool;

/* In the child: job IDX, its result into RESULT (SIZE bytes). */
typedef void (pool_job_h)(size_t idx, void *result, void *arg);

/* How a job ended: its result came whole; the child ended without it;
 * it was still running at its deadline; the run was interrupted. */
enum pool_end { POOL_DONE, POOL_DIED, POOL_LATE, POOL_INTERRUPTED };

/* In the parent, once job IDX's group is gone: RESULT is what it sent
 * (POOL_DONE) or NULL; SECONDS since it started. */
typedef void (pool_end_h)(size_t idx, const void *result, enum pool_end how,
			  double seconds, void *arg);

/* A pool of JOBS children at a time with results of SIZE bytes; NULL
 * when out of memory. */
struct pool *pool_alloc(int jobs, size_t size);
void pool_free(struct pool *p);
bool pool_full(const struct pool *p);
size_t pool_running(const struct pool *p);
/* Starts job IDX in a child that runs JOBH, to end by DEADLINE_MS
 * (proc_now_ms).  0, or -1 with ERR ("fork: ...") and nothing started. */
int  pool_start(struct pool *p, size_t idx, long long deadline_ms,
		pool_job_h *jobh, void *arg, char *err, size_t errsz);
/* Waits up to TIMEOUT_MS for results, then calls ENDH for each job that
 * ended, is past its deadline, or (INTERRUPTED) is running at all. */
void pool_wait(struct pool *p, int timeout_ms, bool interrupted,
	       pool_end_h *endh, void *arg);
/* Kills every running job's group (Ctrl-C); pool_wait then ends them. */
void pool_kill(struct pool *p);

/* --- results.c -------------------------------------------------------- */

struct case_result {
	struct manifest m;
	bool loaded;
	char excluded[SSTCK_TEXT];   /* why the user excluded it, or "" */
	char out[512];
	double seconds;
	struct facts f;
	struct judgement j;
	enum verdict rule_v[SSTCK_MAX_RULES];
};

int  results_json(const char *path, const struct target *t,
		  const struct case_result *rs, size_t n, double seconds);
int  results_junit(const char *path, const struct target *t,
		   const struct case_result *rs, size_t n, double seconds);
void results_table(FILE *fp, const struct case_result *rs, size_t n);
/* How the table and the run's lines name R's verdict: its verdict, or
 * "failed/timeout" for a case that ran into its timeout. */
const char *results_verdict_word(const struct case_result *r);

/* The seconds case M may take: the run's, or a slow case's own. */
int runner_timeout(const struct run_opts *o, const struct manifest *m);

/* --- pcap.c ----------------------------------------------------------- */

struct pcap_agent {
	const char *name;        /* its log is DIR/NAME.msg.log */
	int port;                /* 127.0.0.1:PORT; 0: its first request's
				  * top Via says, else 5061 + its index */
};

struct pcap_stats {
	size_t logs, missing;    /* logs read; logs missing or unreadable */
	size_t messages;         /* well-formed message blocks in them */
	size_t packets;          /* written */
	size_t direct;           /* agent-to-agent messages: one packet for
				  * the sender's and the receiver's entry */
	size_t too_large;        /* skipped: more than an IPv4 packet holds */
	size_t malformed;        /* skipped: a block SIPp did not write whole */
};

/* DIR/case.pcap from the message logs of the N AGENTS: a packet per
 * message in time order, Ethernet + IPv4 + UDP or TCP between the agent
 * and TARGET_HOST:TARGET_PORT (an IPv4 literal, else 127.0.0.1; a port of
 * 0 is 5060).  0 when written, 1 when no log had a message (no file), -1
 * with ERR (no file).  Any earlier case.pcap is removed first. */
int pcap_case(const char *dir, const struct pcap_agent *agents, size_t n,
	      const char *target_host, int target_port, struct pcap_stats *st,
	      char *err, size_t errsz);

#endif
