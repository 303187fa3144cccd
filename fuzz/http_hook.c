/**
 * @file fuzz/http_hook.c  sstck-ref's HTTP side without a listening socket
 *
 * Compiles model/http/http.c as it is, in this file, with one change: the
 * daemon is started with MHD_USE_NO_LISTEN_SOCKET (a macro around
 * MHD_start_daemon, defined after libmicrohttpd's header), so it binds
 * nothing.  A request then reaches http.c's access handler over a
 * socketpair handed to MHD_add_connection, and its answer is read back
 * and dropped (fuzz/hook.h).
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MHD_start_daemon(flags, ...) \
	MHD_start_daemon((flags) | MHD_USE_NO_LISTEN_SOCKET, __VA_ARGS__)
#include "http.c"
#undef MHD_start_daemon

#include "hook.h"

int hook_http_alloc(struct http **hp, struct sipc *c, int session_timeout_s,
		    int (*apph)(struct http_req *, json_t **, void *))
{
	struct http_cfg cfg = { "127.0.0.1", 0, NULL, session_timeout_s };

	return http_alloc(hp, c, &cfg, apph, NULL);
}

size_t hook_http_request(struct http *h, const void *buf, size_t len)
{
	struct sockaddr_in sa;
	const char *p = buf;
	char tmp[8192];
	size_t got = 0;
	ssize_t n;
	int sp[2];

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(40000);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) < 0)
		return 0;
	fcntl(sp[1], F_SETFL, O_NONBLOCK);
	if (MHD_add_connection(h->d, sp[0], (struct sockaddr *)&sa,
			       sizeof(sa)) != MHD_YES) {
		close(sp[0]);
		close(sp[1]);
		return 0;
	}
	/* a few turns of the loop: the request in, the answer out */
	for (int turn = 0; turn < 16; turn++) {
		ssize_t w = len ? write(sp[1], p, len) : 0;

		if (w > 0) {
			p += w;
			len -= (size_t)w;
		}
		MHD_run(h->d);
		while ((n = read(sp[1], tmp, sizeof(tmp))) > 0)
			got += (size_t)n;
	}
	close(sp[1]);
	for (int turn = 0; turn < 2; turn++)
		MHD_run(h->d);
	return got;
}
