/**
 * @file model/sip/sendq.c  UDP datagrams sent by a thread of their own,
 * while the container is behind
 *
 * On loopback a sendto costs its caller the receiving side too: the
 * kernel delivers the datagram, and wakes its reader, inside the call.
 * That is about a quarter of sstck-ref's CPU per proxied call (perf at
 * 2500 calls/s), spent on the one thread that also parses, matches and
 * runs the model.  So when a read brings SENDQ_BUSY datagrams or more
 * (the container is behind its peers), what the turn sends goes into a
 * ring, and a thread sends it, sendmmsg by sendmmsg, while the loop goes
 * on with the next datagrams.  A container that keeps up sends in the
 * call itself: one system call a datagram, no thread to wake.
 *
 * Order is kept: while the ring holds a datagram, every datagram goes
 * through it.  The thread starts the first time it is needed; when it
 * cannot (no memory, no thread), the container sends in the call as
 * before.  A full ring waits for room.  sipc__sendq_stop sends what is
 * left and ends the thread (sipc_free, before the socket closes).
 *
 * SSTCK_REF_SENDQ=1 in the environment sends every UDP datagram through
 * the thread, busy or not: the soak's smoke in make check runs so, which
 * checks that each reaches its peer (tx_queued on the shutdown line).
 *
 * What leaves is what would have left: the cluster's write-ahead
 * (sipc__store_flush) and the tx count happen in the caller, before
 * the datagram is put here.  A send that fails (UDP: nothing to say on
 * loopback but a bad address, which the caller has checked) is counted
 * sent, as a datagram lost on the way would be.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sipc_int.h"

#define SENDQ_CAP    (4u << 20)   /* ring bytes: ~6000 datagrams      */
#define SENDQ_MMSG   64           /* datagrams in one sendmmsg         */

struct rec {                      /* a datagram in the ring, then its bytes */
	uint32_t len;             /* UINT32_MAX: skip to the ring's start */
	uint32_t slen;
	struct sockaddr_storage sa;
};

struct sipc_sendq {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t more, room;
	int fd;
	char *ring;
	uint64_t head, tail;      /* bytes put, bytes sent (mu)            */
	uint64_t kicked;          /* head at the last kick (loop only)     */
	bool idle, stop;          /* (mu)                                  */
};

static size_t rec_size(size_t len)
{
	return (sizeof(struct rec) + len + 7) & ~(size_t)7;
}

/* Send the records from @pos to @end with as few sendmmsg as fit. */
static void send_span(struct sipc_sendq *q, uint64_t pos, uint64_t end)
{
	struct mmsghdr mm[SENDQ_MMSG];
	struct iovec iov[SENDQ_MMSG];

	while (pos < end) {
		int n = 0, done = 0;

		while (pos < end && n < SENDQ_MMSG) {
			struct rec *r = (struct rec *)(q->ring + pos % SENDQ_CAP);

			if (r->len == UINT32_MAX) {
				pos += SENDQ_CAP - pos % SENDQ_CAP;
				continue;
			}
			iov[n] = (struct iovec){(char *)(r + 1), r->len};
			memset(&mm[n], 0, sizeof(mm[n]));
			mm[n].msg_hdr.msg_name = &r->sa;
			mm[n].msg_hdr.msg_namelen = r->slen;
			mm[n].msg_hdr.msg_iov = &iov[n];
			mm[n].msg_hdr.msg_iovlen = 1;
			n++;
			pos += rec_size(r->len);
		}
		while (done < n) {
			int k = sendmmsg(q->fd, mm + done, (unsigned)(n - done), 0);

			if (k > 0)
				done += k;
			else if (errno != EINTR)
				done++;          /* that one is lost: go on */
		}
	}
}

static void *sender(void *arg)
{
	struct sipc_sendq *q = arg;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		uint64_t pos, end;

		while (q->head == q->tail && !q->stop) {
			q->idle = true;
			pthread_cond_wait(&q->more, &q->mu);
			q->idle = false;
		}
		if (q->head == q->tail)
			break;                   /* stopped, and all sent */
		pos = q->tail;
		end = q->head;
		pthread_mutex_unlock(&q->mu);
		send_span(q, pos, end);
		pthread_mutex_lock(&q->mu);
		q->tail = end;
		pthread_cond_broadcast(&q->room);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

static struct sipc_sendq *sendq_start(struct sipc *c)
{
	struct sipc_sendq *q = calloc(1, sizeof(*q));
	int rc = ENOMEM;             /* pthread_create's error, or no memory */

	if (q)
		q->ring = malloc(SENDQ_CAP);
	if (!q || !q->ring)
		goto fail;
	q->fd = c->udp;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->more, NULL);
	pthread_cond_init(&q->room, NULL);
	if ((rc = pthread_create(&q->th, NULL, sender, q)) == 0)
		return q;
	pthread_cond_destroy(&q->room);
	pthread_cond_destroy(&q->more);
	pthread_mutex_destroy(&q->mu);
fail:
	if (q)
		free(q->ring);
	free(q);
	sipc_log(c, "no sending thread (%s): sending in the loop",
		 strerror(rc));
	c->sendq_failed = true;
	return NULL;
}

int sipc__sendq_put(struct sipc *c, const char *buf, size_t len,
		    const struct sockaddr_storage *sa, socklen_t slen)
{
	struct sipc_sendq *q = c->sendq;
	size_t need = rec_size(len);
	struct rec *r;

	bool busy = c->udp_busy || c->sendq_always;

	if (!q && (!busy || c->sendq_failed || c->sendq_stopped))
		return 0;
	if (need > SENDQ_CAP / 4)
		return 0;   /* cannot happen: SIPC_MAX_MSG is far smaller */
	if (!q && !(q = c->sendq = sendq_start(c)))
		return 0;
	pthread_mutex_lock(&q->mu);
	if (q->stop || (!busy && q->head == q->tail)) {
		pthread_mutex_unlock(&q->mu);
		return 0;   /* keeping up, and nothing queued: send it now */
	}
	for (;;) {
		size_t off = q->head % SENDQ_CAP;
		size_t waste = SENDQ_CAP - off < need ? SENDQ_CAP - off : 0;

		if (q->head - q->tail + waste + need <= SENDQ_CAP) {
			if (waste) {
				((struct rec *)(q->ring + off))->len = UINT32_MAX;
				q->head += waste;
			}
			break;
		}
		if (q->idle)
			pthread_cond_signal(&q->more);
		pthread_cond_wait(&q->room, &q->mu);
	}
	r = (struct rec *)(q->ring + q->head % SENDQ_CAP);
	r->len = (uint32_t)len;
	r->slen = (uint32_t)slen;
	memcpy(&r->sa, sa, slen);
	memcpy(r + 1, buf, len);
	q->head += need;
	c->tx_queued++;
	if (q->idle && q->head - q->tail > SENDQ_CAP / 8)
		pthread_cond_signal(&q->more);
	pthread_mutex_unlock(&q->mu);
	return 1;
}

void sipc__sendq_kick(struct sipc *c)
{
	struct sipc_sendq *q = c->sendq;

	if (!q)
		return;
	pthread_mutex_lock(&q->mu);
	if (q->head != q->kicked && q->idle)
		pthread_cond_signal(&q->more);
	q->kicked = q->head;
	pthread_mutex_unlock(&q->mu);
}

void sipc__sendq_stop(struct sipc *c)
{
	struct sipc_sendq *q = c->sendq;

	c->sendq_stopped = true;
	if (!q)
		return;
	pthread_mutex_lock(&q->mu);
	q->stop = true;
	pthread_cond_signal(&q->more);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->th, NULL);
	pthread_cond_destroy(&q->room);
	pthread_cond_destroy(&q->more);
	pthread_mutex_destroy(&q->mu);
	free(q->ring);
	free(q);
	c->sendq = NULL;
}
