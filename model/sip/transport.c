/**
 * @file model/sip/transport.c  sockets, framing and sending
 *
 * UDP and TCP on one address (RFC 3261 18): binding, the TCP
 * connections (accept, read, deadlines, close), a stream cut into
 * messages at Content-Length (18.3), and every send: to a target, back to
 * where a request came from (18.2.2), outside any transaction.  What is
 * read goes to sipc__on_bytes (recv.c).
 */
#define _GNU_SOURCE 1          /* memmem */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#include <osipparser2/osip_parser.h>
#include "sipc.h"
#include "mem.h"
#include "sipc_int.h"
#include "fault.h"

static int sock_addr(const char *host, int port, struct sockaddr_storage *ss,
		     socklen_t *len)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	char h[64];
	size_t n = strlen(host);

	memset(ss, 0, sizeof(*ss));
	if (n >= sizeof(h) || port < 0 || port > 65535)
		return -1;
	if (host[0] == '[' && n > 2) {
		memcpy(h, host + 1, n - 2);
		h[n - 2] = '\0';
	}
	else {
		memcpy(h, host, n + 1);
	}
	if (inet_pton(AF_INET, h, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		*len = sizeof(*a4);
		return 0;
	}
	if (inet_pton(AF_INET6, h, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a6);
		return 0;
	}
	return -1;
}

static void addr_str(const struct sockaddr_storage *ss, char *host,
		     size_t sz, int *port)
{
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)ss;

		inet_ntop(AF_INET6, &a->sin6_addr, host, (socklen_t)sz);
		*port = ntohs(a->sin6_port);
	}
	else {
		const struct sockaddr_in *a = (const void *)ss;

		inet_ntop(AF_INET, &a->sin_addr, host, (socklen_t)sz);
		*port = ntohs(a->sin_port);
	}
}

/** An IPv6 address as a URI host: in brackets. */
static void bracket_v6(char *h, size_t sz)
{
	size_t n = strlen(h);

	if (n + 3 > sz)
		return;
	memmove(h + 1, h, n + 1);
	h[0] = '[';
	h[n + 1] = ']';
	h[n + 2] = '\0';
}

static struct conn *conn_find(struct sipc *c, const char *host, int port)
{
	for (int i = 0; i < c->nconns; i++)
		if (c->conns[i].port == port &&
		    !strcmp(c->conns[i].host, host))
			return &c->conns[i];
	return NULL;
}

static struct conn *conn_by_id(struct sipc *c, int id)
{
	for (int i = 0; id > 0 && i < c->nconns; i++)
		if (c->conns[i].id == id)
			return &c->conns[i];
	return NULL;
}

static void conn_close(struct sipc *c, struct conn *k)
{
	close(k->fd);
	free(k->buf);
	*k = c->conns[--c->nconns];
}

/** Whether a server transaction still answers on connection @k. */
static bool conn_has_tr(struct sipc *c, const struct conn *k)
{
	return sipc__tx_on_conn(c, k->id);
}

/** A new connection in the table.  A full table gives up its oldest
 * idle connection (no partial message; one with no transaction that
 * answers on it first, whose response would otherwise take a new
 * connection, sipc__send_back), so that idle clients cannot lock new ones
 * out; with none idle, the new one is refused (NULL, @fd closed). */
static struct conn *conn_add(struct sipc *c, int fd, const char *host,
			     int port)
{
	struct conn *k;

	if (c->nconns == MAX_CONNS) {
		struct conn *old = NULL;
		bool old_tr = true;

		for (int i = 0; i < c->nconns; i++) {
			struct conn *x = &c->conns[i];
			bool tr;

			if (x->len)
				continue;
			tr = conn_has_tr(c, x);
			if (!old || (old_tr && !tr) ||
			    (old_tr == tr && x->last < old->last)) {
				old = x;
				old_tr = tr;
			}
		}
		if (!old) {
			sipc_log(c, "too many TCP connections; refusing %s:%d",
				 host, port);
			close(fd);
			return NULL;
		}
		if (c->cfg.verbose)
			sipc_log(c, "TCP table full: closing idle %s:%d for "
				 "%s:%d", old->host, old->port, host, port);
		conn_close(c, old);
	}
	k = &c->conns[c->nconns++];
	memset(k, 0, sizeof(*k));
	k->fd = fd;
	if (++c->next_conn_id <= 0)
		c->next_conn_id = 1;
	k->id = c->next_conn_id;
	snprintf(k->host, sizeof(k->host), "%s", host);
	k->port = port;
	k->last = sipc__now_ms();
	return k;
}

static int conn_write(struct conn *k, const char *buf, size_t len)
{
	k->last = sipc__now_ms();
	return write(k->fd, buf, len) == (ssize_t)len ? 0 : -1;
}

static int send_raw(struct sipc *c, const char *buf, size_t len,
		    const char *host, int port, bool tcp, int ufd)
{
	struct sockaddr_storage sa;
	socklen_t slen;

	if (!sipc_is_loopback(host)) {
		sipc_log(c, "not sending to %s:%d: outside loopback", host,
			 port);
		return -1;
	}
	if (port < 1 || sock_addr(host, port, &sa, &slen))
		return -1;
	/* a cluster node writes what the message changed before it leaves:
	 * a node killed once its 200 is out must not take the dialog with
	 * it (DIST-07, DIST-11) */
	sipc__store_flush_out(c, buf, len);
	c->tx++;
	if (!tcp && ufd == c->udp && sa.ss_family == c->udp_family &&
	    sipc__sendq_put(c, buf, len, &sa, slen))
		return 0;
	if (!tcp)
		return sendto(ufd, buf, len, 0, (struct sockaddr *)&sa,
			      slen) < 0 ? -1 : 0;
	{
		struct conn *k = conn_find(c, host, port);

		if (!k) {
			int fd = socket(sa.ss_family, SOCK_STREAM, 0);

			if (fd < 0 || connect(fd, (struct sockaddr *)&sa,
					      slen) < 0) {
				if (fd >= 0)
					close(fd);
				return -1;
			}
			k = conn_add(c, fd, host, port);
			if (!k)
				return -1;
		}
		return conn_write(k, buf, len);
	}
}

/** A port as a URI or Via carries it: 1 to 65535, 5060 when absent, -1
 * when it is anything else (a port taken modulo 2^16 is another port:
 * the proxy's own plus 65536 was a loop through itself). */
int sipc__port_of(const char *s)
{
	long v = 0;

	if (!s)
		return 5060;
	if (!*s || strlen(s) > 5)
		return -1;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v >= 1 && v <= 65535 ? (int)v : -1;
}

/**
 * Send a response back the way its request came (RFC 3261 18.2.2): on
 * the TCP connection @conn it came on, or on UDP when @conn is 0, to
 * @host:@port (received and rport).  If that connection has closed, a
 * new one to @host at the top Via's sent-by port of @m, as 18.2.2 says
 * a server SHOULD: a client behind a closed connection (idle deadline,
 * table full) still gets its final response, and never on UDP, where
 * it does not listen for one; without @m the response is dropped.
 */
int sipc__send_back(struct sipc *c, const char *buf, size_t len,
		    const char *host, int port, int conn,
		    const osip_message_t *m)
{
	struct conn *k;
	osip_via_t *v = NULL;
	int vp;

	if (conn <= 0)
		return send_raw(c, buf, len, host, port, false, c->udp);
	k = conn_by_id(c, conn);
	if (k) {
		sipc__store_flush_out(c, buf, len);  /* as send_raw */
		c->tx++;
		return conn_write(k, buf, len);
	}
	if (!m || osip_message_get_via(m, 0, &v) < 0 || !v ||
	    (vp = sipc__port_of(v->port)) < 0)
		return -1;
	return send_raw(c, buf, len, host, vp, true, c->udp);
}

/* The UDP socket a request leaves on: the second interface's when its
 * top Via is that interface's (sipc__from_iface), else the listen one. */
static int udp_of(const struct sipc *c, const osip_message_t *m)
{
	osip_via_t *v = NULL;

	if (c->udp2 < 0 || osip_message_get_via(m, 0, &v) < 0 || !v ||
	    !v->host || strcmp(v->host, c->addr2) ||
	    sipc__port_of(v->port) != c->port2)
		return c->udp;
	return c->udp2;
}

static bool via_is_tcp(const osip_message_t *m)
{
	osip_via_t *v = NULL;

	if (osip_message_get_via(m, 0, &v) < 0 || !v || !v->protocol)
		return false;
	return !strcasecmp(v->protocol, "TCP");
}

int sipc__cb_send(osip_transaction_t *tr, osip_message_t *m, char *host,
		  int port, int sock)
{
	struct sipc *c = sipc__of_tr(tr);
	char *buf = NULL;
	size_t len = 0;
	int err;

	if (osip_message_to_str(m, &buf, &len) < 0) {
		sipc_log(c, "cannot serialize a %s %d: dropped",
			 MSG_IS_REQUEST(m) ? m->sip_method : "response",
			 m->status_code);
		return -1;
	}
	if (!port)
		port = 5060;
	/* A response goes back the way its request came: the server
	 * transaction's out_socket is the connection (sipc__on_bytes). */
	if (MSG_IS_REQUEST(m))
		err = send_raw(c, buf, len, host, port, via_is_tcp(m),
			       udp_of(c, m));
	else
		err = sipc__send_back(c, buf, len, host, port, sock, m);
	if (c->cfg.verbose)
		sipc_log(c, "sent %.*s to %s:%d%s", (int)strcspn(buf, "\r"),
			 buf, host, port, err ? " (failed)" : "");
	osip_free(buf);
	return err ? -1 : 0;
}

/** Send outside any transaction (stateless forwarding, 400s). */
void sipc__send_stateless(struct sipc *c, osip_message_t *m)
{
	char *host = NULL, *buf = NULL;
	int port = 0;
	size_t len;

	if (MSG_IS_RESPONSE(m)) {
		osip_response_get_destination(m, &host, &port);
	}
	else {
		osip_route_t *r = NULL;
		osip_uri_t *u = m->req_uri;

		if (osip_message_get_route(m, 0, &r) >= 0 && r && r->url)
			u = r->url;
		if (u && u->host && sipc__port_of(u->port) > 0) {
			host = osip_strdup(u->host);
			port = sipc__port_of(u->port);
		}
	}
	if (host && osip_message_to_str(m, &buf, &len) >= 0)
		send_raw(c, buf, len, host, port ? port : 5060, via_is_tcp(m),
			 MSG_IS_REQUEST(m) ? udp_of(c, m) : c->udp);
	osip_free(buf);
	osip_free(host);
}

/* cfg.iface (SS-11): a UDP socket on that loopback address, a port the
 * kernel picks; with the listen address, the model's outbound
 * interfaces.  0, or -1 said in the log. */
static int bind_iface(struct sipc *c)
{
	struct sockaddr_storage sa, got;
	socklen_t len, glen = sizeof(got);

	c->ifaces[0] = c->addr;
	c->cfg.opts.outbound_ifaces = c->ifaces;
	if (!c->cfg.iface)
		return 0;
	if (!sipc_is_loopback(c->cfg.iface) || sock_addr(c->cfg.iface, 0, &sa, &len) ||
	    !strcmp(c->cfg.iface, c->cfg.addr)) {
		sipc_log(c, "--interface takes another loopback address than "
			 "--addr, not '%s'", c->cfg.iface);
		return -1;
	}
	c->udp2 = socket(sa.ss_family, SOCK_DGRAM, 0);
	if (c->udp2 < 0 || bind(c->udp2, (struct sockaddr *)&sa, len) < 0 ||
	    getsockname(c->udp2, (struct sockaddr *)&got, &glen) < 0) {
		sipc_log(c, "cannot bind UDP %s: %s", c->cfg.iface, strerror(errno));
		return -1;
	}
	addr_str(&got, c->addr2, sizeof(c->addr2), &c->port2);
	if (got.ss_family == AF_INET6)
		bracket_v6(c->addr2, sizeof(c->addr2));
	c->ifaces[1] = c->addr2;
	return 0;
}

static int bind_main(struct sipc *c);

int sipc__bind_sockets(struct sipc *c)
{
	return bind_main(c) || bind_iface(c) ? -1 : 0;
}

static int bind_main(struct sipc *c)
{
	struct sockaddr_storage sa;
	socklen_t len;
	int one = 1;

	if (sock_addr(c->cfg.addr, c->cfg.port, &sa, &len)) {
		sipc_log(c, "bad listen address '%s'", c->cfg.addr);
		return -1;
	}
	/* everything stays on loopback (or in a namespace of the tests') */
	if (!sipc_is_loopback(c->cfg.addr)) {
		sipc_log(c, "listens on loopback only (127.0.0.0/8, ::1), not '%s'",
			 c->cfg.addr);
		return -1;
	}
	/* with port 0 the kernel picks the UDP port, and TCP must get the
	 * same number; somebody's outgoing TCP socket may hold it, so a port
	 * picked that way is picked again (a flake seen in make check) */
	for (int tries = 0;; tries++) {
		struct sockaddr_storage got = sa;
		socklen_t glen = len;

		c->udp = socket(sa.ss_family, SOCK_DGRAM, 0);
		if (c->udp < 0 || bind(c->udp, (struct sockaddr *)&sa, len) < 0) {
			sipc_log(c, "cannot bind UDP %s:%d: %s", c->cfg.addr,
				 c->cfg.port, strerror(errno));
			return -1;
		}
		/* the longest a read that waits waits (sipc__read_udp with wait); every
		 * other read passes MSG_DONTWAIT */
		{
			struct timeval tv = {0, UDP_WAIT_MS * 1000};

			setsockopt(c->udp, SOL_SOCKET, SO_RCVTIMEO, &tv,
				   sizeof(tv));
		}
		getsockname(c->udp, (struct sockaddr *)&got, &glen);
		c->udp_family = got.ss_family;
		addr_str(&got, c->addr, sizeof(c->addr), &c->port);
		if (got.ss_family == AF_INET6)
			bracket_v6(c->addr, sizeof(c->addr));
		c->tcp = -1;
		if (!c->cfg.tcp)
			return 0;
		c->tcp = socket(got.ss_family, SOCK_STREAM, 0);
		if (c->tcp >= 0)
			setsockopt(c->tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (c->tcp >= 0 && bind(c->tcp, (struct sockaddr *)&got, glen) == 0 &&
		    listen(c->tcp, TCP_BACKLOG) == 0 &&
		    fcntl(c->tcp, F_SETFL,
			  fcntl(c->tcp, F_GETFL) | O_NONBLOCK) == 0)
			return 0;
		if (errno != EADDRINUSE || c->cfg.port || tries == 20) {
			sipc_log(c, "cannot bind TCP %s:%d: %s", c->cfg.addr,
				 c->port, strerror(errno));
			return -1;
		}
		if (c->tcp >= 0)
			close(c->tcp);
		close(c->udp);
	}
}

/* The datagrams waiting on the UDP socket, up to UDP_BATCH, in one
 * recvmmsg; with MSG_WAITFORONE it waits for the first (SO_RCVTIMEO:
 * UDP_WAIT_MS at most), then takes what is there.  Returns how many were
 * read: UDP_BATCH means there may be more. */
static int udp_read(struct sipc *c, int fd, int flags)
{
	static char buf[UDP_BATCH][SIPC_MAX_MSG + 2];
	struct sockaddr_storage sa[UDP_BATCH];
	struct mmsghdr mm[UDP_BATCH];
	struct iovec iov[UDP_BATCH];
	int n;

	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < UDP_BATCH; i++) {
		iov[i] = (struct iovec){buf[i], sizeof(buf[i]) - 1};
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		mm[i].msg_hdr.msg_name = &sa[i];
		mm[i].msg_hdr.msg_namelen = sizeof(sa[i]);
	}
	n = recvmmsg(fd, mm, UDP_BATCH, flags, NULL);
	c->udp_busy = n >= SENDQ_BUSY;
	for (int i = 0; i < n; i++) {
		char host[80];
		int port;
		size_t len = mm[i].msg_len;

		if (!len)
			continue;
		buf[i][len] = '\0';
		addr_str(&sa[i], host, sizeof(host), &port);
		if (sa[i].ss_family == AF_INET6)
			bracket_v6(host, sizeof(host));
		sipc__on_bytes(c, buf[i], len, host, port);
	}
	return n < 0 ? 0 : n;
}

/** The datagrams on the UDP socket: with @wait, the loop's wait when UDP
 * is all it listens on (sipc_run), in the read itself, one system call a
 * message where poll and a read are two, as long as UDP_WAIT_MS; else
 * what poll said is there.  Either way one read a wake-up, none of them
 * empty unless the queue holds a multiple of UDP_BATCH. */
void sipc__read_udp(struct sipc *c, bool wait)
{
	if (udp_read(c, c->udp, wait ? MSG_WAITFORONE : MSG_DONTWAIT) == UDP_BATCH)
		for (int k = 0; k < 16 &&
		     udp_read(c, c->udp, MSG_DONTWAIT) == UDP_BATCH; k++)
			;
}

/** What poll said is on the second interface's socket (SS-11): the
 * responses to the requests that left from it. */
void sipc__read_iface(struct sipc *c)
{
	(void)udp_read(c, c->udp2, MSG_DONTWAIT);
}

/**
 * A request of the session @ss, built on the listen address, leaves from
 * the session's outbound interface when it is cfg.iface
 * (setOutboundInterface, SS-11): its top Via's sent-by and its Contact
 * are that interface's, and udp_of sends it on its socket.
 */
void sipc__from_iface(struct sipc *c, struct ss *ss, osip_message_t *m)
{
	const char *oi = NULL;
	osip_via_t *v = NULL;
	osip_contact_t *ct = NULL;
	char port[8];

	if (c->udp2 < 0 || ss_outbound(ss, &oi) || !oi || strcmp(oi, c->addr2))
		return;
	snprintf(port, sizeof(port), "%d", c->port2);
	if (osip_message_get_via(m, 0, &v) >= 0 && v) {
		osip_free(v->host);
		osip_free(v->port);
		v->host = osip_strdup(c->addr2);
		v->port = osip_strdup(port);
	}
	if (osip_message_get_contact(m, 0, &ct) >= 0 && ct && ct->url) {
		osip_free(ct->url->host);
		osip_free(ct->url->port);
		ct->url->host = osip_strdup(c->addr2);
		ct->url->port = osip_strdup(port);
	}
	osip_message_force_update(m);
}

enum frame {
	FRAME_MORE,          /**< not whole yet                        */
	FRAME_OK,            /**< a message of *totalp bytes           */
	FRAME_BAD,           /**< no, or a bad, Content-Length: 400    */
	FRAME_BIG,           /**< past SIPC_MAX_MSG: closed unanswered */
};

/**
 * Where the first message in the stream bytes @buf (@len of them) ends:
 * its headers up to CRLFCRLF, then Content-Length bytes of body, which
 * on a stream every message carries (RFC 3261 18.3; 7.3.1 for the name:
 * "Content-Length", any case, or "l", optional SP/HT before the colon,
 * the value possibly on a folded line).  Everything by length, a NUL
 * byte included; the number is checked before it is added.  *@whyp
 * says what is wrong with FRAME_BAD.
 */
static enum frame tcp_frame(const char *buf, size_t len, size_t *totalp,
			    const char **whyp)
{
	const char *hend = memmem(buf, len, "\r\n\r\n", 4), *l, *e;
	size_t hlen, blen = 0;
	int seen = 0;

	if (!hend)
		return len > SIPC_MAX_MSG ? FRAME_BIG : FRAME_MORE;
	hlen = (size_t)(hend - buf) + 4;
	if (hlen > SIPC_MAX_MSG)
		return FRAME_BIG;
	*whyp = "Bad Content-Length";
	/* header lines, after the start line; hend + 2 ends the last */
	for (l = memmem(buf, hlen, "\r\n", 2) + 2; l < hend + 2; l = e + 2) {
		const char *v;
		size_t digits = 0, n = 0;

		e = memmem(l, (size_t)(hend + 2 - l), "\r\n", 2);
		if (!sipc__line_named(l, e, "Content-Length", "l", &v))
			continue;
		if (++seen > 1) {
			*whyp = "Multiple Content-Length Headers";
			return FRAME_BAD;
		}
		for (;;) {                          /* LWS, folding too */
			while (v < e && (*v == ' ' || *v == '\t'))
				v++;
			if (v == e && e < hend &&
			    (e[2] == ' ' || e[2] == '\t')) {
				v = e + 2;
				e = memmem(v, (size_t)(hend + 2 - v), "\r\n",
					   2);
				continue;
			}
			break;
		}
		for (; v < e && *v >= '0' && *v <= '9'; v++, digits++)
			if (n <= SIPC_MAX_MSG)
				n = n * 10 + (size_t)(*v - '0');
		while (v < e && (*v == ' ' || *v == '\t'))
			v++;
		if (!digits || digits > 10 || v != e)    /* as a CSeq's */
			return FRAME_BAD;
		if (n > SIPC_MAX_MSG - hlen)
			return FRAME_BIG;
		blen = n;
	}
	if (!seen) {
		*whyp = "Missing Content-Length";
		return FRAME_BAD;
	}
	if (len < hlen + blen)
		return FRAME_MORE;
	*totalp = hlen + blen;
	return FRAME_OK;
}

/** Read what connection @idx has for us and run each whole message. */
void sipc__read_conn(struct sipc *c, int idx)
{
	struct conn *k = &c->conns[idx];
	char tmp[8192];
	ssize_t n = recv(k->fd, tmp, sizeof(tmp), MSG_DONTWAIT);
	int id = k->id;

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		      errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(c, k);
		return;
	}
	if (k->len + (size_t)n > 2 * SIPC_MAX_MSG) {
		sipc_log(c, "TCP %s:%d: message over %d bytes; closing",
			 k->host, k->port, SIPC_MAX_MSG);
		conn_close(c, k);
		return;
	}
	{
		char *b = realloc(k->buf, k->len + (size_t)n + 1);

		if (!b) {
			conn_close(c, k);
			return;
		}
		k->buf = b;
	}
	k->last = sipc__now_ms();
	if (!k->len)
		k->msg_start = k->last;
	memcpy(k->buf + k->len, tmp, (size_t)n);
	k->len += (size_t)n;
	k->buf[k->len] = '\0';

	for (;;) {
		size_t total = 0;
		const char *why = NULL;
		char host[64];
		int port = k->port;

		while (k->len >= 2 && k->buf[0] == '\r' && k->buf[1] == '\n') {
			memmove(k->buf, k->buf + 2, k->len - 2);
			k->len -= 2;
		}
		switch (tcp_frame(k->buf, k->len, &total, &why)) {
		case FRAME_MORE:
			return;
		case FRAME_BIG:
			sipc_log(c, "TCP %s:%d: oversize message; closing",
				 k->host, k->port);
			conn_close(c, k);
			return;
		case FRAME_BAD:
			/* RFC 3261 18.3: 400, and the stream cannot be
			 * framed any more: closed */
			sipc_log(c, "TCP %s:%d: %s; closing", k->host, k->port,
				 why);
			c->rx_conn = id;
			if (strncmp(k->buf, "SIP/", 4))
				sipc__raw_respond(c, k->buf, 400, why, k->host,
						  k->port);
			c->rx_conn = 0;
			c->dropped++;
			conn_close(c, k);
			return;
		case FRAME_OK:
			break;
		}
		snprintf(host, sizeof(host), "%s", k->host);
		{
			char *msg = malloc(total + 1);

			if (!msg)
				return;
			memcpy(msg, k->buf, total);
			msg[total] = '\0';
			memmove(k->buf, k->buf + total, k->len - total);
			k->len -= total;
			k->msg_start = sipc__now_ms();
			c->rx_conn = id;
			sipc__on_bytes(c, msg, total, host, port);
			c->rx_conn = 0;
			free(msg);
		}
		/* sipc__on_bytes may have closed or moved connections */
		if (idx >= c->nconns || c->conns[idx].id != id)
			return;
		k = &c->conns[idx];
	}
}

/* Every connection waiting in the listen queue (the socket does not
 * block): one accept a poll round let a burst of connects fill the
 * queue of 16, and the kernel dropped the SYNs past it; each of those
 * connects stalled a second until its SYN was sent again. */
void sipc__accept_conn(struct sipc *c)
{
	for (int i = 0; i < 4 * MAX_CONNS; i++) {
		struct sockaddr_storage sa;
		socklen_t len = sizeof(sa);
		char host[64];
		int port;
		int fd = accept(c->tcp, (struct sockaddr *)&sa, &len);

		if (fd < 0)
			return;
		addr_str(&sa, host, sizeof(host), &port);
		conn_add(c, fd, host, port);
	}
}

/* The deadlines of TCP_MSG_MS and TCP_IDLE_MS (or --tcp-idle's); a
 * connection that a server transaction still answers on is not idle. */
void sipc__conn_timers(struct sipc *c)
{
	uint64_t now = sipc__now_ms();
	int idle = c->cfg.tcp_idle_ms > 0 ? c->cfg.tcp_idle_ms : TCP_IDLE_MS;

	for (int i = c->nconns - 1; i >= 0; i--) {
		struct conn *k = &c->conns[i];

		if (k->len && now - k->msg_start > TCP_MSG_MS) {
			sipc_log(c, "TCP %s:%d: a message not whole after %d "
				 "ms; closing", k->host, k->port, TCP_MSG_MS);
			conn_close(c, k);
		}
		else if (!k->len && now - k->last > (uint64_t)idle &&
			 !conn_has_tr(c, k)) {
			if (c->cfg.verbose)
				sipc_log(c, "TCP %s:%d: idle %d ms; closing",
					 k->host, k->port, idle);
			conn_close(c, k);
		}
	}
}
