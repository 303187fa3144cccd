/**
 * @file harness/sstck/cluster.c  targets of several nodes: started by a
 * command, and a node failed at a case's failover point (DIST-*)
 *
 * A target with start = command (harness/targets/ref-cluster.ini) is
 * started per case by its command (harness/cluster-up: Redis, sstck-ref
 * nodes, Kamailio in front), which takes the case's application and
 * arguments and writes the front's port to a file, as sstck-ref does; it
 * stops it all on SIGTERM and leaves one trace, its nodes' merged.
 *
 * A case with [failover] names an agent and the start of a message's
 * first line: once the agent's message log shows it has sent such a
 * message, the target's fail command runs (the target's fail =, or
 * sstck run --fail-cmd: a vendor's own for a cluster of theirs), with the
 * call's Call-ID in SSTCK_CALL_ID, the case's folder in SSTCK_CASE_DIR and
 * SSTCK_FAILOVER kill (the node dies) or stop (it is shut down, and may
 * hand its sessions over: [failover] mode = stop).
 * It must return once the node is gone; its output is failover.log.  The
 * agent's scenario pauses after that message long enough for it.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sstck.h"

#define FAIL_CMD_MS 10000     /* a fail command that takes longer: error */
#define WATCH_MS    5         /* how often the agent's log is read */

/* CMD with {top} replaced by TOP, into OUT. */
static void expand_top(const char *cmd, const char *top, char *out, size_t sz)
{
	size_t n = 0;

	while (*cmd && n + 1 < sz) {
		if (!strncmp(cmd, "{top}", 5)) {
			n += (size_t)snprintf(out + n, sz - n, "%s", top);
			if (n >= sz)
				n = sz - 1;
			cmd += 5;
		} else {
			out[n++] = *cmd++;
		}
	}
	out[n] = '\0';
}

/* Words of S (changed in place) appended to ARGV. */
static void words(char *s, char **argv, int *n, int max)
{
	for (char *save = NULL, *w = strtok_r(s, " \t", &save); w && *n < max;
	     w = strtok_r(NULL, " \t", &save))
		argv[(*n)++] = w;
}

pid_t cluster_start(const struct run_opts *o, const struct manifest *m,
		    const char *args, const char *outdir, const char *portf,
		    const char *tracef, const char *logf)
{
	static char cmd[SSTCK_TEXT], rest[SSTCK_TEXT];
	char *argv[96];
	int n = 0;

	expand_top(o->target->command, o->top, cmd, sizeof(cmd));
	words(cmd, argv, &n, 40);
	argv[n++] = "--ref";
	argv[n++] = (char *)o->ref_bin;
	argv[n++] = "--app";
	argv[n++] = (char *)m->app;
	argv[n++] = "--dir";
	argv[n++] = (char *)outdir;
	argv[n++] = "--port-file";
	argv[n++] = (char *)portf;
	argv[n++] = "--trace";
	argv[n++] = (char *)tracef;
	if (o->verbose)
		argv[n++] = "-v";
	argv[n++] = "--";
	text_fmt(rest, sizeof(rest), "%s%s%s", o->target->ref_args,
		 o->target->ref_args[0] ? " " : "", args);
	words(rest, argv, &n, 94);
	argv[n] = NULL;
	return proc_spawn(argv, logf, NULL);
}

/* A sent message's identity in a message log, from its text at BODY:
 * its first line, Call-ID and CSeq, so that a retransmission is the same
 * message and the next request or response another. */
static void msg_key(const char *body, char *key, size_t sz)
{
	const char *end = strstr(body, "\n\n"), *cid, *cs;
	size_t n = strcspn(body, "\r\n");

	cid = strcasestr(body, "\nCall-ID:");
	cs = strcasestr(body, "\nCSeq:");
	if (end && cid > end)
		cid = NULL;
	if (end && cs > end)
		cs = NULL;
	text_fmt(key, sz, "%.*s|%.*s|%.*s", (int)n, body,
		 cid ? (int)strcspn(cid + 1, "\r\n") : 0, cid ? cid + 1 : "",
		 cs ? (int)strcspn(cs + 1, "\r\n") : 0, cs ? cs + 1 : "");
}

/* How many distinct messages (not counting retransmissions) the message
 * log LOG shows sent. */
static int sent_count(const char *log)
{
	char *text = text_file_read(log, NULL), *p;
	static char keys[64][256];
	int n = 0;

	for (p = text; p && (p = strstr(p, " message sent ")); p++) {
		char *body = strstr(p, "\n\n"), key[256];
		bool seen = false;

		if (!body)
			break;
		msg_key(body + 2, key, sizeof(key));
		for (int i = 0; i < n && !seen; i++)
			seen = !strcmp(keys[i], key);
		if (!seen && n < 64)
			text_fmt(keys[n++], sizeof(keys[0]), "%s", key);
	}
	free(text);
	return n;
}

/* Whether the message log LOG shows a sent message whose first line
 * starts with AFTER; its Call-ID into CID. */
static bool sent(const char *log, const char *after, char *cid, size_t cidsz)
{
	char *text = text_file_read(log, NULL), *p;
	bool found = false;

	if (!text)
		return false;
	for (p = text; !found && (p = strstr(p, " message sent ")); p++) {
		char *body = strstr(p, "\n\n"), *end, *c;

		if (!body)
			break;
		body += 2;
		if (strncmp(body, after, strlen(after)))
			continue;
		found = true;
		end = strstr(body, "\n\n");
		c = strcasestr(body, "\nCall-ID:");
		if (c && (!end || c < end)) {
			c += 9;
			c += strspn(c, " \t");
			text_fmt(cid, cidsz, "%.*s", (int)strcspn(c, "\r\n"), c);
		}
	}
	free(text);
	return found;
}

/* Whether PID has ended, without reaping it (its exit code stays for
 * whoever waits for it). */
static bool ended(pid_t pid)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	return pid <= 0 ||
	       (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
		si.si_pid == pid);
}

void cluster_failover(const struct run_opts *o, const struct manifest *m,
		      const char *outdir, const pid_t *apid, long long deadline,
		      struct facts *f)
{
	char log[1024], cid[256] = "", cmd[SSTCK_TEXT], out[1024], abs[4096];
	char *argv[4];
	size_t i;
	pid_t pid;
	int rc, before;

	f->failover.wanted = true;
	for (i = 0; i < m->nagents; i++)
		if (!strcmp(m->agents[i].name, m->fo_agent))
			break;
	if (i == m->nagents || apid[i] <= 0)
		return;
	text_fmt(log, sizeof(log), "%s/%s.msg.log", outdir, m->fo_agent);
	while (!sent(log, m->fo_after, cid, sizeof(cid))) {
		if (ended(apid[i]) || proc_now_ms() >= deadline)
			return;          /* it failed first: its verdict says why */
		usleep(WATCH_MS * 1000);
	}
	/* what the agent sends while the harness waits (wait =: for the
	 * node to handle what that message set off, a response it relays)
	 * counts as sent after the failover point, and makes it too late */
	before = sent_count(log);
	if (m->fo_wait_ms > 0)
		usleep((useconds_t)m->fo_wait_ms * 1000);
	expand_top(o->target->fail_cmd, o->top, cmd, sizeof(cmd));
	if (!realpath(outdir, abs))
		text_fmt(abs, sizeof(abs), "%s", outdir);
	setenv("SSTCK_CALL_ID", cid, 1);
	setenv("SSTCK_FAILOVER", m->fo_stop ? "stop" : "kill", 1);
	setenv("SSTCK_CASE_DIR", abs, 1);
	argv[0] = "/bin/sh";
	argv[1] = "-c";
	argv[2] = cmd;
	argv[3] = NULL;
	text_fmt(out, sizeof(out), "%s/failover.log", outdir);
	pid = proc_spawn(argv, out, NULL);
	rc = pid > 0 ? proc_wait(pid, proc_now_ms() + FAIL_CMD_MS) : -1;
	if (pid > 0 && rc == -1) {
		proc_stop(pid, 500);
		rc = -2;
	}
	/* what the agent sent after the failover point must meet the failed
	 * node gone: a fail command slower than the scenario's pause after
	 * that point shows nothing of a failover */
	if (rc == 0 && sent_count(log) > before)
		rc = -3;
	f->failover.ran = true;
	f->failover.rc = rc;
	{
		char *t = text_file_read(out, NULL);
		size_t len = t ? strcspn(t, "\n") : 0;

		if (rc == -2)
			text_fmt(f->failover.detail, sizeof(f->failover.detail),
				 "the fail command did not return within %d s: %s",
				 FAIL_CMD_MS / 1000, cmd);
		else if (rc == -3)
			text_fmt(f->failover.detail, sizeof(f->failover.detail),
				 "the fail command returned after %s had sent its "
				 "next message: the node was failed too late (%.*s)",
				 m->fo_agent, (int)len, t ? t : "");
		else
			text_fmt(f->failover.detail, sizeof(f->failover.detail),
				 "after %s's %s (Call-ID %s): %.*s", m->fo_agent,
				 m->fo_after, cid[0] ? cid : "?", (int)len,
				 t ? t : "");
		free(t);
	}
}
