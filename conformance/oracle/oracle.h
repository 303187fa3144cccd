/**
 * @file conformance/oracle/oracle.h  SessionTCK's judge of a finished case.
 *
 * It reads what the SIPp agents logged (every message to and from the
 * target passes through them) and the target's trace when there is one,
 * and checks them against the rules: the X-SS-State values against the
 * states its own state table (state-table.tsv) derives from the wire, the
 * trace's transitions, ownership, leaks and the order of invalidation,
 * and the RFC 3261 proxy and B2BUA rules the wire shows.
 *
 * It shares no code with model/session: two independent readings of the
 * specification that agree are what make a pass mean something.
 */
#ifndef SSTCK_ORACLE_H
#define SSTCK_ORACLE_H

#include <stdbool.h>
#include <stddef.h>

#define ORACLE_MAX_FINDINGS 64

struct finding {
	char rule[24];        /* the rule ID it breaks */
	char where[192];      /* agent, position, first line; or trace line */
	char text[384];       /* expected against seen */
};

/* What the case is: the application the target plays and its options,
 * and the agents with their roles (true: the caller side). */
struct oracle_case {
	const char *app;              /* proxy, send-on, fork, b2bua, ... */
	const char *args;             /* [ref] args, {agents} expanded or not */
	size_t nagents;
	const char *agents[8];
	bool caller[8];
	const char *ladder;           /* where to write the ladder, or NULL */
	/* the target's sides of the CF options where they change what the
	 * wire or the trace must show ("CF-19=1 CF-20=1"); an option not
	 * named, or NULL, is the model's default (0) */
	const char *cf;
	/* the operations the case expects results of (observation-protocol.md
	 * 4, [ops] in case.ini): numbers and "RULES | EXPECTATION ..." */
	size_t nops;
	const int *op_n;
	const char *const *op_expect;
	/* proxies of the target's own between the agents and its container
	 * (a cluster's front): a request the container sends on to a callee
	 * passes them once on the way in and once on the way out, so its
	 * Max-Forwards is 2 * front_hops lower there (B2B-02) */
	int front_hops;
	/* the second outbound interface the case's application sends from
	 * ([case] interface, SS-11), or NULL */
	const char *iface;
	/* the target's application router's answer to every initial
	 * request, "REGION:from|to|none" (the @router- expectations), or
	 * NULL */
	const char *router;
};

struct oracle_result {
	struct finding f[ORACLE_MAX_FINDINGS];
	size_t n;                     /* findings (n may exceed the array) */
	size_t messages;              /* messages at the target's boundary */
	size_t unparsed;              /* messages libosip2 could not parse */
	char first_unparsed[160];     /* where the first of them is */
	size_t state_checks;          /* X-SS-State values judged */
	size_t trace_events;          /* trace lines judged; 0: no trace */
	size_t wire_checks;           /* proxy and B2BUA rules judged */
	size_t op_checks;             /* operations' results judged */
	bool node_trace;              /* a cluster's trace: each line names
				       * its node, the shutdown the nodes
				       * that failed (DIST-02 judged) */
	bool trace_shutdown;          /* the trace ends with its target's
				       * shutdown (CF-03's "never" judged) */
	bool http_trace;              /* the trace shows HTTP sessions
				       * (CF-15 judged) */
	/* operations whose result no message carried, on a target that
	 * keeps no trace: not observable there, never passed; their rules,
	 * and the rules at least one operation of was judged */
	size_t op_unobs;
	char op_unobs_rules[512], op_judged_rules[1024];
};

/* The ladder (c->ladder), for the report: JSON with "agents" and
 * "messages", each message as the oracle read it: "t" (seconds), "agent",
 * "sent" (by the agent), "direct" (between agents, not through the
 * target), "first" (its first line), "where" (as findings name it),
 * "stamp" (the X-SS-State it carried, when the target sent one) and
 * "derived" (the state changes the oracle's table derived from it:
 * session, state, rule ID). */

/* Whether W is one of the space-separated words of LIST (NULL: none). */
bool oracle_word_in(const char *list, const char *w);
/* The side a target takes of option ID ("CF-19") in its CF sides ("CF-19=1
 * CF-20=1"); 0, the model's default, when CF does not name it. */
int oracle_cf_value(const char *cf, const char *id);

/* Judges the case whose logs are in DIR (AGENT.msg.log, trace.jsonl),
 * with the state table at TABLE.  0, or -1 with ERR when the inputs
 * cannot be read at all. */
int oracle_judge(const char *dir, const struct oracle_case *c,
		 const char *table, struct oracle_result *r,
		 char *err, size_t errsz);

#endif
