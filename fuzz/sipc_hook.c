/**
 * @file fuzz/sipc_hook.c  sstck-ref's SIP container with its sends stubbed
 *
 * Compiles the container's files (the .c files of model/sip) as they
 * are, in this file, so that its receive path (sipc__on_bytes for a
 * datagram, sipc__read_conn for a TCP stream) and sipc__pump() can be
 * called in-process by a fuzz target (fuzz/hook.h).  Two system calls are
 * replaced for those files alone, by macros defined after the system
 * headers and before the container's files:
 *
 *   sendto   counts the bytes and drops them: no datagram is sent;
 *   connect  turns the new socket into /dev/null, so a TCP branch or
 *            response "connects" and its writes vanish.
 *
 * and the session model gets the fuzz target's clock (ssm_alloc's clock
 * argument, fuzz/clock_hook.c), so that its timers can be made to fire.
 *
 * The listening sockets sipc_alloc binds stay real (127.0.0.1, port 0)
 * and are never read.  Nothing the container would send leaves the
 * process.
 *
 * This relies on the names sipc__on_bytes, sipc__read_conn, sipc__pump
 * and the static conn_add, conn_close (transport.c) and sipc__px_branch_timers
 * (proxy.c), and on the list of files above; a rename there breaks the
 * fuzz build (make fuzz) loudly, not silently.  A file added to
 * model/sip must be added here too.
 */
#define _GNU_SOURCE 1
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static size_t hook_nsent;

static ssize_t hook_sendto(int fd, const void *buf, size_t len, int flags,
			   const struct sockaddr *sa, socklen_t salen)
{
	(void)fd;
	(void)buf;
	(void)flags;
	(void)sa;
	(void)salen;
	hook_nsent += len;
	return (ssize_t)len;
}

static int hook_connect(int fd, const struct sockaddr *sa, socklen_t salen)
{
	int null = open("/dev/null", O_RDWR);

	(void)sa;
	(void)salen;
	if (null < 0)
		return -1;
	if (dup2(null, fd) < 0) {
		close(null);
		return -1;
	}
	close(null);
	return 0;
}

#include "hook.h"

#define sendto hook_sendto
#define connect hook_connect
#define ssm_alloc(mp, opts, clock, arg) \
	ssm_alloc(mp, opts, hook_model_clock, NULL)
#include "sipc.c"
#include "transport.c"
#include "guard.c"
#include "recv.c"
#include "txn.c"
#include "txtab.c"
#include "build.c"
#include "observe.c"
#include "proxy.c"
#include "b2bua.c"
#include "call.c"
#include "store.c"
#include "takeover.c"
#include "lua.c"
#include "codec.c"
#include "accepted.c"
#include "sendq.c"
#include "ended.c"
#undef sendto
#undef connect
#undef ssm_alloc

/* the fuzz target's TCP connection: our end, and the port it claims */
static int hook_peer = -1;
static int hook_port;

size_t hook_sent(void)
{
	return hook_nsent;
}

void hook_turn(struct sipc *c)
{
	sipc__px_branch_timers(c);
	sipc__pump(c);
	sipc_ops_release(&c->ops, false);
}

void hook_udp(struct sipc *c, const void *buf, size_t len, const char *host,
	      int port)
{
	/* read_udp reads at most SIPC_MAX_MSG + 1 bytes, NUL-terminated */
	size_t n = len > SIPC_MAX_MSG + 1 ? SIPC_MAX_MSG + 1 : len;
	char *copy = malloc(n + 1);

	if (!copy)
		return;
	memcpy(copy, buf, n);
	copy[n] = '\0';
	sipc__on_bytes(c, copy, n, host, port);
	free(copy);
	hook_turn(c);
}

static int conn_index(struct sipc *c)
{
	for (int i = 0; i < c->nconns; i++)
		if (c->conns[i].port == hook_port &&
		    !strcmp(c->conns[i].host, "127.0.0.1"))
			return i;
	return -1;
}

/* what the container wrote to us: read and dropped */
static void drain(void)
{
	char tmp[8192];
	ssize_t n;

	while (hook_peer >= 0 && (n = read(hook_peer, tmp, sizeof(tmp))) > 0)
		hook_nsent += (size_t)n;
}

void hook_tcp_close(struct sipc *c)
{
	int i = conn_index(c);

	if (i >= 0)
		conn_close(c, &c->conns[i]);
	if (hook_peer >= 0)
		close(hook_peer);
	hook_peer = -1;
}

void hook_tcp(struct sipc *c, const void *buf, size_t len, int port)
{
	const char *p = buf;
	int sp[2];

	if (hook_peer >= 0 && (port != hook_port || conn_index(c) < 0))
		hook_tcp_close(c);
	if (hook_peer < 0) {
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) < 0)
			return;
		fcntl(sp[0], F_SETFL, O_NONBLOCK);
		fcntl(sp[1], F_SETFL, O_NONBLOCK);
		hook_port = port;
		if (!conn_add(c, sp[0], "127.0.0.1", port)) {
			close(sp[1]);          /* conn_add closed sp[0] */
			return;
		}
		hook_peer = sp[1];
	}
	while (len) {
		ssize_t w = write(hook_peer, p, len);
		int i, pending = 0;

		if (w <= 0)
			break;
		p += w;
		len -= (size_t)w;
		/* the loop calls read_conn while the socket is readable */
		while ((i = conn_index(c)) >= 0 &&
		       ioctl(c->conns[i].fd, FIONREAD, &pending) == 0 &&
		       pending > 0) {
			sipc__read_conn(c, i);
			drain();
		}
		if (conn_index(c) < 0) {     /* the container hung up */
			close(hook_peer);
			hook_peer = -1;
			break;
		}
	}
	drain();
	hook_turn(c);
}
