/**
 * @file model/sip/ops_int.h  what the operations' files share (ops.c,
 * ops_msg.c): one operation's call, its arguments and its value.
 */
#ifndef SSTCK_OPS_INT_H
#define SSTCK_OPS_INT_H

#include "ops.h"

#define OPS_ARGS 4

struct call {
	struct ss *ss;             /* the message's session */
	struct sipc_ops *o;        /* where ss.send leaves its request */
	struct ssm_app *app;
	const char *args[OPS_ARGS];
	int nargs;
	char *out;                 /* the value, when it returns one */
	size_t outsz;
	const char *bad;           /* the operation is not known */
	const char *made;          /* the session an operation made (and
				    * invalidated): the trace's "made" */
};

/* Argument I of the operation (NULL for "null"); a missing one makes
 * the operation "bad". */
const char *sipc__op_arg(struct call *k, int i);
/* The operation's value, as it is: SSM_OK. */
int sipc__op_put(struct call *k, const char *s);
/* req.* and proxy.* on the message in hand (ops_msg.c). */
int sipc__ops_on_message(struct call *k, const char *target, const char *op,
			 const struct sipc_ops_msg *ctx);

#endif
