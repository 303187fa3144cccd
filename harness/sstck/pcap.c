/**
 * @file harness/sstck/pcap.c  a case's capture, case.pcap, made from its
 * agents' SIPp message logs (-trace_msg) after the case: for Wireshark and
 * sngrep, with no capture rights (libpcap's pcap_dump on synthetic packets).
 *
 * A log is a run of blocks, each
 *
 *   "-----------------------------------------------" " " DATE " " TIME "\n"
 *   "UDP message sent (N bytes):\n"  or  "UDP message received [N] bytes :\n"
 *   "\n" N bytes of message "\n"
 *
 * (TCP likewise).  The byte count is SIPp's, so a message is cut by it and
 * never by a separator it may contain: a target can put anything in a
 * message, but not in the header line SIPp writes.
 *
 * Each message becomes one packet, all logs merged in time order:
 * Ethernet (zero MACs, as Linux's loopback shows it) + IPv4 + UDP, or TCP
 * with a sequence number per direction of each agent's flow, checksums
 * computed.  Each log entry is one hop between its agent and the target,
 * 127.0.0.1:AGENT_PORT and the target's address, except a message that
 * one agent sent and another received byte for byte (the same rule as
 * the oracle's: it did not cross the target, which would have changed a
 * Via at least): the pair is one packet from the sender's port to the
 * receiver's, at the earlier of its two times (SIPp logs a message it
 * sends once it is sent, so the receiver's log may have it first).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "sstck.h"

/* What a packet's IPv4 datagram can carry after its UDP or TCP header. */
#define MAX_UDP_PAYLOAD (65535 - 20 - 8)
#define MAX_TCP_PAYLOAD (65535 - 20 - 20)

static const char sep[] = "----------------------------------------------- ";

struct entry {
	long long us;            /* the log's timestamp, microseconds */
	size_t agent;
	size_t pos;              /* its place in its log, for a stable order */
	bool sent, tcp;
	bool gone;               /* merged into its sender's packet */
	size_t to;               /* merged: the agent that received it */
	bool direct;
	const char *msg;
	size_t len;
};

struct flow {                    /* one TCP connection, seen from agent A */
	uint32_t a_ip, b_ip;
	uint16_t a_port, b_port;
	uint32_t next_ab, next_ba;
};

struct writer {
	struct entry *v;
	size_t n, cap;
	struct flow *flows;
	size_t nflows;
	uint16_t ip_id;
};

/* --- reading a log ---------------------------------------------------- */

static bool digits(const char *p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return true;
}

/* "2026-12-02 17:57:35.703672" (SIPp's local time) in microseconds since
 * the epoch; -1 when it is not one. */
static long long parse_stamp(const char *p, const char *end)
{
	int y, mo, d, h, mi, s, us;
	struct tm tm;
	time_t t;

	if (end - p < 26 || p[4] != '-' || p[7] != '-' || p[10] != ' ' ||
	    p[13] != ':' || p[16] != ':' || p[19] != '.' ||
	    !digits(p, 4, &y) || !digits(p + 5, 2, &mo) || !digits(p + 8, 2, &d) ||
	    !digits(p + 11, 2, &h) || !digits(p + 14, 2, &mi) ||
	    !digits(p + 17, 2, &s) || !digits(p + 20, 6, &us))
		return -1;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || s > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	if (t == (time_t)-1)
		return -1;
	return (long long)t * 1000000 + us;
}

/* The second line of a block: transport, direction, byte count.  False
 * when it is not a message line SIPp writes. */
static bool parse_head(const char *p, const char *eol, bool *tcp, bool *sent,
		       size_t *n)
{
	const char *q, *close;
	char *e;
	unsigned long v;

	if (eol - p < 4 || (strncmp(p, "UDP ", 4) && strncmp(p, "TCP ", 4)))
		return false;
	*tcp = p[0] == 'T';
	q = p + 4;
	if ((size_t)(eol - q) > 14 && !strncmp(q, "message sent (", 14)) {
		*sent = true;
		q += 14;
		close = " bytes):";
	} else if ((size_t)(eol - q) > 18 && !strncmp(q, "message received [", 18)) {
		*sent = false;
		q += 18;
		close = "] bytes :";
	} else {
		return false;
	}
	if (*q < '0' || *q > '9')
		return false;
	errno = 0;
	v = strtoul(q, &e, 10);
	if (errno || e >= eol || (size_t)(eol - e) != strlen(close) ||
	    strncmp(e, close, strlen(close)))
		return false;
	*n = v;
	return true;
}

static int add(struct writer *w, const struct entry *x)
{
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		struct entry *v = realloc(w->v, cap * sizeof(*v));

		if (!v)
			return -1;
		w->v = v;
		w->cap = cap;
	}
	w->v[w->n++] = *x;
	return 0;
}

/* The next block separator at the start of a line, from P on. */
static const char *next_block(const char *text, const char *p, const char *end)
{
	while (p < end && (p = strstr(p, sep))) {
		if (p == text || p[-1] == '\n')
			return p;
		p++;
	}
	return NULL;
}

/* Every message block of the log TEXT (LEN bytes, NUL-terminated) into W
 * as agent A's.  -1 on out of memory only: a bad block is counted. */
static int read_log(struct writer *w, size_t a, const char *text, size_t len,
		    struct pcap_stats *st)
{
	const char *end = text + len, *p = next_block(text, text, end);
	size_t pos = 0;

	while (p) {
		const char *l1 = p + strlen(sep), *eol1 = memchr(l1, '\n', end - l1);
		const char *l2, *eol2, *body;
		struct entry x;
		size_t n;

		memset(&x, 0, sizeof(x));
		if (!eol1)
			goto bad_at_end;
		x.us = parse_stamp(l1, eol1);
		l2 = eol1 + 1;
		eol2 = memchr(l2, '\n', end - l2);
		if (x.us < 0 || !eol2 || !parse_head(l2, eol2, &x.tcp, &x.sent, &n) ||
		    eol2 + 1 >= end || eol2[1] != '\n') {
			st->malformed++;
			p = next_block(text, l1, end);
			continue;
		}
		body = eol2 + 2;
		/* cut short (SIPp stopped mid-write), a count that does not end
		 * where the block does, or no message at all */
		if (!n || n > (size_t)(end - body) ||
		    (body + n < end && body[n] != '\n')) {
			st->malformed++;
			p = next_block(text, l1, end);
			continue;
		}
		st->messages++;
		if (n > (x.tcp ? MAX_TCP_PAYLOAD : MAX_UDP_PAYLOAD)) {
			st->too_large++;
		} else {
			x.agent = a;
			x.pos = pos++;
			x.msg = body;
			x.len = n;
			if (add(w, &x))
				return -1;
		}
		p = next_block(text, body + n, end);
	}
	return 0;
bad_at_end:
	st->malformed++;
	return 0;
}

static int by_time(const void *pa, const void *pb)
{
	const struct entry *x = pa, *y = pb;

	if (x->us != y->us)
		return x->us < y->us ? -1 : 1;
	if (x->sent != y->sent)          /* at the same microsecond: a send first */
		return x->sent ? -1 : 1;
	if (x->agent != y->agent)
		return x->agent < y->agent ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* A message one agent sent and another received byte for byte went from
 * one to the other: the receipt nearest in time joins the send, which
 * takes the earlier time of the two.  True when a time moved. */
static bool mark_direct(struct writer *w, struct pcap_stats *st)
{
	bool moved = false;

	for (size_t i = 0; i < w->n; i++) {
		struct entry *s = &w->v[i], *best = NULL;

		if (!s->sent)
			continue;
		for (size_t k = 0; k < w->n; k++) {
			struct entry *q = &w->v[k];

			if (q->sent || q->gone || q->agent == s->agent ||
			    q->len != s->len || q->tcp != s->tcp ||
			    memcmp(q->msg, s->msg, s->len))
				continue;
			if (!best || llabs(q->us - s->us) < llabs(best->us - s->us))
				best = q;
		}
		if (best) {
			best->gone = true;
			s->direct = true;
			s->to = best->agent;
			st->direct++;
			if (best->us < s->us) {
				s->us = best->us;
				moved = true;
			}
		}
	}
	return moved;
}

/* The port in the top Via of the first request agent A sent, 0 when none
 * says. */
static int via_port(const struct writer *w, size_t a)
{
	for (size_t i = 0; i < w->n; i++) {
		const struct entry *x = &w->v[i];
		const char *p = x->msg, *end = x->msg + x->len;

		if (x->agent != a || !x->sent || (x->len > 4 && !strncmp(p, "SIP/", 4)))
			continue;
		while (p < end) {
			const char *eol = memchr(p, '\n', end - p);

			if (!eol || eol == p || (eol == p + 1 && *p == '\r'))
				break;
			if (!strncasecmp(p, "Via:", 4) || !strncasecmp(p, "v:", 2)) {
				/* "Via: SIP/2.0/UDP host:port;..." */
				const char *h = memchr(p, '/', eol - p);

				h = h ? memchr(h + 1, '/', eol - h - 1) : NULL;
				h = h ? memchr(h + 1, ' ', eol - h - 1) : NULL;
				while (h && h < eol && *h == ' ')
					h++;
				const char *c = h ? memchr(h, ':', eol - h) : NULL;
				int port;

				if (c && c + 1 < eol &&
				    (port = atoi(c + 1)) > 0 && port < 65536)
					return port;
				return 0;
			}
			p = eol + 1;
		}
		return 0;
	}
	return 0;
}

/* --- writing packets -------------------------------------------------- */

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/* The TCP flow between A and B, either way round (made on first use);
 * *FORWARD tells whether it was seen from A.  NULL on out of memory. */
static struct flow *flow_of(struct writer *w, uint32_t a_ip, uint16_t a_port,
			    uint32_t b_ip, uint16_t b_port, bool *forward)
{
	for (size_t i = 0; i < w->nflows; i++) {
		struct flow *f = &w->flows[i];

		if (f->a_ip == a_ip && f->a_port == a_port && f->b_ip == b_ip &&
		    f->b_port == b_port) {
			*forward = true;
			return f;
		}
		if (f->a_ip == b_ip && f->a_port == b_port && f->b_ip == a_ip &&
		    f->b_port == a_port) {
			*forward = false;
			return f;
		}
	}
	struct flow *v = realloc(w->flows, (w->nflows + 1) * sizeof(*v));

	if (!v)
		return NULL;
	w->flows = v;
	v += w->nflows++;
	v->a_ip = a_ip;
	v->a_port = a_port;
	v->b_ip = b_ip;
	v->b_port = b_port;
	/* as after a handshake from initial sequence numbers of 0 */
	v->next_ab = v->next_ba = 1;
	*forward = true;
	return v;
}

/* One frame into BUF (room for any): Ethernet, IPv4, UDP or TCP, X's
 * message.  Its length, or 0 on out of memory. */
static size_t frame(struct writer *w, uint8_t *buf, const struct entry *x,
		    uint32_t sip, uint16_t sport, uint32_t dip, uint16_t dport)
{
	size_t l4 = x->tcp ? 20 : 8, iplen = 20 + l4 + x->len;
	uint8_t *ip = buf + 14, *th = ip + 20;
	uint32_t s;

	memset(buf, 0, 14 + 20 + l4);
	put16(buf + 12, 0x0800);                 /* zero MACs, IPv4 */
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)iplen);
	put16(ip + 4, w->ip_id++);
	put16(ip + 6, 0x4000);                   /* don't fragment */
	ip[8] = 64;
	ip[9] = x->tcp ? 6 : 17;
	put32(ip + 12, sip);
	put32(ip + 16, dip);
	put16(ip + 10, fold(sum16(ip, 20, 0)));
	put16(th, sport);
	put16(th + 2, dport);
	if (x->tcp) {
		bool fwd;
		struct flow *f = flow_of(w, sip, sport, dip, dport, &fwd);
		uint32_t *mine, *theirs;

		if (!f)
			return 0;
		mine = fwd ? &f->next_ab : &f->next_ba;
		theirs = fwd ? &f->next_ba : &f->next_ab;
		put32(th + 4, *mine);
		put32(th + 8, *theirs);
		*mine += (uint32_t)x->len;
		th[12] = 5 << 4;
		th[13] = 0x18;                   /* PSH, ACK */
		put16(th + 14, 65535);
	} else {
		put16(th + 4, (uint16_t)(8 + x->len));
	}
	memcpy(th + l4, x->msg, x->len);
	/* the pseudo-header, then the segment */
	s = sum16(ip + 12, 8, 0) + ip[9] + (uint32_t)(l4 + x->len);
	s = fold(sum16(th, l4 + x->len, s));
	if (x->tcp)
		put16(th + 16, (uint16_t)s);
	else
		put16(th + 6, s ? (uint16_t)s : 0xffff);
	return 14 + iplen;
}

/* A packet per message of W into DUMP, in W's order, from the agents'
 * ports APORT to the target at TIP:TARGET_PORT and back (or agent to
 * agent); BUF holds the largest frame.  0, or -1 out of memory. */
static int dump_packets(struct writer *w, pcap_dumper_t *dump, uint8_t *buf,
			const uint16_t *aport, uint32_t tip, uint16_t target_port,
			struct pcap_stats *st)
{
	uint32_t lo = 0x7f000001;

	for (size_t i = 0; i < w->n; i++) {
		const struct entry *x = &w->v[i];
		struct pcap_pkthdr h;
		uint32_t sip = lo, dip = lo;
		uint16_t sport, dport;
		size_t len;

		if (x->gone)
			continue;
		if (x->direct) {
			sport = aport[x->agent];
			dport = aport[x->to];
		} else if (x->sent) {
			sport = aport[x->agent];
			dport = target_port;
			dip = tip;
		} else {
			sport = target_port;
			sip = tip;
			dport = aport[x->agent];
		}
		if (!(len = frame(w, buf, x, sip, sport, dip, dport)))
			return -1;
		memset(&h, 0, sizeof(h));
		h.ts.tv_sec = (time_t)(x->us / 1000000);
		h.ts.tv_usec = (suseconds_t)(x->us % 1000000);
		h.caplen = h.len = (bpf_u_int32)len;
		pcap_dump((u_char *)dump, &h, buf);
		st->packets++;
	}
	return 0;
}

int pcap_case(const char *dir, const struct pcap_agent *agents, size_t n,
	      const char *target_host, int target_port, struct pcap_stats *st,
	      char *err, size_t errsz)
{
	struct writer w;
	char path[1024], tmpf[1100];
	char *texts[SSTCK_MAX_AGENTS] = { 0 };
	uint16_t aport[SSTCK_MAX_AGENTS];
	struct in_addr ta;
	uint32_t lo = 0x7f000001, tip;
	uint8_t *buf = NULL;
	pcap_t *pd = NULL;
	pcap_dumper_t *dump = NULL;
	int rc = -1;

	memset(&w, 0, sizeof(w));
	memset(st, 0, sizeof(*st));
	err[0] = '\0';
	text_fmt(path, sizeof(path), "%s/case.pcap", dir);
	text_fmt(tmpf, sizeof(tmpf), "%s/case.pcap.part", dir);
	(void)unlink(path);
	if (n > SSTCK_MAX_AGENTS)
		n = SSTCK_MAX_AGENTS;
	for (size_t a = 0; a < n; a++) {
		char log[1024];
		size_t len;

		text_fmt(log, sizeof(log), "%s/%s.msg.log", dir, agents[a].name);
		texts[a] = text_file_read(log, &len);
		if (!texts[a]) {
			st->missing++;
			continue;
		}
		st->logs++;
		if (read_log(&w, a, texts[a], len, st)) {
			text_fmt(err, errsz, "out of memory");
			goto out;
		}
	}
	if (!w.n) {
		rc = 1;                  /* nothing to capture: no file */
		goto out;
	}
	qsort(w.v, w.n, sizeof(w.v[0]), by_time);
	if (mark_direct(&w, st))
		qsort(w.v, w.n, sizeof(w.v[0]), by_time);
	for (size_t a = 0; a < n; a++) {
		int p = agents[a].port > 0 && agents[a].port < 65536 ?
			agents[a].port : via_port(&w, a);

		/* placeholders: 5061 on for agents, 5060 for the target */
		aport[a] = (uint16_t)(p ? p : 5061 + (int)a);
	}
	if (target_port <= 0 || target_port > 65535)
		target_port = 5060;
	tip = target_host && inet_pton(AF_INET, target_host, &ta) == 1 ?
	      ntohl(ta.s_addr) : lo;

	buf = malloc(14 + 20 + 20 + 65535);
	pd = pcap_open_dead(DLT_EN10MB, 262144);
	if (!buf || !pd) {
		text_fmt(err, errsz, "out of memory");
		goto out;
	}
	if (!(dump = pcap_dump_open(pd, tmpf))) {
		text_fmt(err, errsz, "%s: %s", tmpf, pcap_geterr(pd));
		goto out;
	}
	if (dump_packets(&w, dump, buf, aport, tip, (uint16_t)target_port, st)) {
		text_fmt(err, errsz, "out of memory");
		goto out;
	}
	if (pcap_dump_flush(dump)) {
		text_fmt(err, errsz, "%s: %s", tmpf, strerror(errno));
		goto out;
	}
	pcap_dump_close(dump);
	dump = NULL;
	if (rename(tmpf, path)) {
		text_fmt(err, errsz, "%s: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (dump)
		pcap_dump_close(dump);
	if (rc)
		(void)unlink(tmpf);
	if (pd)
		pcap_close(pd);
	free(buf);
	free(w.v);
	free(w.flows);
	for (size_t a = 0; a < n; a++)
		free(texts[a]);
	return rc;
}
