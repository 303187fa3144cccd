/**
 * @file fuzz/hook.h  in-process entry points into sstck-ref, for fuzzing
 *
 * sipc_hook.c and http_hook.c compile the container's own files
 * (model/sip's .c files, model/http/http.c) with a few system calls
 * replaced, so that a fuzz target reaches the code sstck-ref runs for a
 * received datagram, a TCP stream chunk or an HTTP request, and nothing
 * it would send leaves the process.  The fuzz build links these instead of
 * model/sip's files and http.c; nothing else in the tree uses them.
 */
#ifndef SSTCK_FUZZ_HOOK_H
#define SSTCK_FUZZ_HOOK_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "sipc.h"

struct http;
struct http_req;

/** A datagram from @host:@port, as sipc__read_udp() passes it on (copied and
 * NUL-terminated, cut at SIPC_MAX_MSG + 1 bytes), then one turn of the
 * state machines, as the loop does after reading. */
void hook_udp(struct sipc *c, const void *buf, size_t len, const char *host,
	      int port);

/** A chunk of the TCP stream of the connection from 127.0.0.1:@port
 * (opened on first use, reopened after the container closed it): fed
 * through the container's own framing (sipc__read_conn) over a socketpair,
 * then one turn of the state machines.  What the container writes back
 * is read and discarded. */
void hook_tcp(struct sipc *c, const void *buf, size_t len, int port);

/** Closes the TCP connection hook_tcp opened, if any (before sipc_free). */
void hook_tcp_close(struct sipc *c);

/** One turn of the loop's housekeeping: branch timers, then pump(). */
void hook_turn(struct sipc *c);

/** The clock (clock_hook.c): back to real time; forward by @ms. */
void hook_clock_reset(void);
void hook_clock_advance(uint64_t ms);
/** The session model's clock: the real time plus the same offset. */
uint64_t hook_model_clock(void *arg);

/** Bytes the container tried to send (UDP and TCP), all discarded. */
size_t hook_sent(void);

/** The HTTP side without a listening socket (MHD_USE_NO_LISTEN_SOCKET):
 * like http_alloc, for click-to-call's routes when @apph is set. */
int hook_http_alloc(struct http **hp, struct sipc *c, int session_timeout_s,
		    int (*apph)(struct http_req *, json_t **, void *));

/** One HTTP request's bytes on a connection of its own (a socketpair
 * handed to libmicrohttpd), run until answered or given up; the answer
 * is discarded.  Returns how many bytes of answer came back. */
size_t hook_http_request(struct http *h, const void *buf, size_t len);

#endif
