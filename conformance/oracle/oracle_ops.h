/**
 * @file conformance/oracle/oracle_ops.h  the oracle's parts, shared between
 * its files (not for the harness: oracle.h is its interface).
 */
#ifndef SSTCK_ORACLE_OPS_H
#define SSTCK_ORACLE_OPS_H

#include <osipparser2/osip_message.h>
#include <stdbool.h>

#include "oracle.h"

/* A message as ops.c needs it: who sent it, where it is in the logs. */
struct ops_msg {
	osip_message_t *m;
	bool agent_sent;           /* else the agent received it */
	bool direct;               /* between agents, not through the target */
	const char *where;         /* "caller #3" */
	const char *first;         /* its first line */
};

/* A finding under RULE at WHERE (oracle.c; one per rule and place). */
void oracle_find(struct oracle_result *r, const char *rule, const char *where,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Judges the case's operations (observation-protocol.md 4) against the
 * messages M and DIR/trace.jsonl. */
void oracle__ops_check(const struct oracle_case *c, const struct ops_msg *m, size_t nm,
		       const char *dir, struct oracle_result *r);

#endif
