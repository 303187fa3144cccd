/**
 * @file harness/test/t_pcap.c  the harness's unit tests of case.pcap, made
 * from the agents' message logs.
 */
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "th.h"

/* --- the capture from the message logs ------------------------------- */

/* A block of a SIPp -trace_msg log, as SIPp writes it. */
enum { SENT, RECV, TSENT, TRECV };

static void log_block(FILE *fp, const char *stamp, int how, const char *msg,
		      size_t len)
{
	const char *t = how == TSENT || how == TRECV ? "TCP" : "UDP";

	fprintf(fp, "----------------------------------------------- %s\n", stamp);
	if (how == SENT || how == TSENT)
		fprintf(fp, "%s message sent (%zu bytes):\n\n", t, len);
	else
		fprintf(fp, "%s message received [%zu] bytes :\n\n", t, len);
	fwrite(msg, 1, len, fp);
	fputs("\n", fp);
}

static FILE *log_open(const char *name)
{
	char p[512];
	FILE *fp;

	snprintf(p, sizeof(p), "%s/%s.msg.log", th_tmp, name);
	fp = fopen(p, "w");
	ck_assert_ptr_nonnull(fp);
	return fp;
}

#define T(us) "2026-12-02 10:00:00." us

static const char inv_a[] = "INVITE sip:bob@127.0.0.1:5999 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 127.0.0.1:6001;branch=z9hG4bK-1\r\nContent-Length: 0\r\n\r\n";
static const char inv_b[] = "INVITE sip:bob@127.0.0.1:6002 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-2\r\n"
	"Via: SIP/2.0/UDP 127.0.0.1:6001;branch=z9hG4bK-1\r\nContent-Length: 0\r\n\r\n";
static const char ok_b[] = "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n";
/* a target's answer that carries a block of its own, separator and all:
 * the byte count SIPp wrote is what ends it */
static const char hostile[] = "SIP/2.0 200 OK\r\nX-Evil: 1\r\n\r\n"
	"----------------------------------------------- 2026-12-02 09:00:00.000000\n"
	"UDP message sent (5 bytes):\n\nhello\n\xff\x00 end";
static const char ack[] = "ACK sip:bob@127.0.0.1:6002 SIP/2.0\r\nContent-Length: 0\r\n\r\n";
static const char reg1[] = "REGISTER sip:127.0.0.1 SIP/2.0\r\n"
	"v: SIP/2.0/TCP 127.0.0.1:7777;branch=z9hG4bK-3\r\nContent-Length: 0\r\n\r\n";
static const char reg_ok[] = "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n";
static const char reg2[] = "REGISTER sip:127.0.0.1 SIP/2.0\r\n"
	"v: SIP/2.0/TCP 127.0.0.1:7777;branch=z9hG4bK-4\r\nContent-Length: 0\r\n\r\n";

struct pkt {
	long long us;
	uint16_t sport, dport;
	bool tcp;
	uint32_t seq, ack;
	size_t len;
	unsigned char data[512];
};

static uint16_t get16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* The agents' logs: the caller's with a hostile answer and blocks that
 * are not whole, the callee's with a direct ACK, a TCP agent's; LARGE is
 * a message no packet holds. */
static void write_logs(const char *large, size_t big)
{
	FILE *fp;

	fp = log_open("caller");
	fputs("Problem EAGAIN on socket 8 (not a block)\n", fp);
	log_block(fp, T("000100"), SENT, inv_a, strlen(inv_a));
	log_block(fp, T("000500"), RECV, hostile, sizeof(hostile) - 1);
	log_block(fp, T("000600"), SENT, ack, strlen(ack));
	fputs("----------------------------------------------- " T("000700") "\n"
	      "UDP message sent (abc bytes):\n\nxyz\n", fp);          /* no count */
	fputs("----------------------------------------------- 2026-13-99 xx\n"
	      "UDP message sent (3 bytes):\n\nxyz\n", fp);            /* no time */
	log_block(fp, T("000800"), SENT, large, big);                /* too large */
	fputs("----------------------------------------------- " T("002000") "\n"
	      "UDP message received [500] bytes :\n\nSIP/2.0 200 OK\r\nVia: SIP/2.0/U",
	      fp);                                                   /* cut short */
	fclose(fp);
	fp = log_open("callee");
	log_block(fp, T("000300"), RECV, inv_b, strlen(inv_b));
	log_block(fp, T("000400"), SENT, ok_b, strlen(ok_b));
	/* direct, logged by its receiver before its sender (SIPp logs what it
	 * sends once sent) */
	log_block(fp, T("000450"), RECV, ack, strlen(ack));
	fclose(fp);
	fp = log_open("tcpa");
	log_block(fp, T("000900"), TSENT, reg1, strlen(reg1));
	log_block(fp, T("001000"), TRECV, reg_ok, strlen(reg_ok));
	log_block(fp, T("001100"), TSENT, reg2, strlen(reg2));
	fclose(fp);
}

/* DIR/case.pcap's packets into V (16 at most); how many. */
static size_t read_capture(const char *dir, struct pkt *v)
{
	char p[512], perr[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	size_t n = 0;
	pcap_t *pc;

	snprintf(p, sizeof(p), "%s/case.pcap", dir);
	pc = pcap_open_offline(p, perr);
	ck_assert_msg(pc != NULL, "%s", perr);
	ck_assert_int_eq(pcap_datalink(pc), DLT_EN10MB);
	while (pcap_next_ex(pc, &h, &d) == 1) {
		struct pkt *k = &v[n];
		const u_char *ip = d + 14, *l4 = ip + 20;
		size_t hl;

		ck_assert_uint_lt(n, 16);
		ck_assert_uint_eq(h->caplen, h->len);
		ck_assert_uint_eq(get16(d + 12), 0x0800);
		ck_assert_uint_eq(get16(ip + 2) + 14u, h->caplen);
		ck_assert_uint_eq(get32(ip + 12), 0x7f000001);
		ck_assert_uint_eq(get32(ip + 16), 0x7f000001);
		k->tcp = ip[9] == 6;
		ck_assert(k->tcp || ip[9] == 17);
		hl = k->tcp ? 20 : 8;
		k->us = (long long)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
		k->sport = get16(l4);
		k->dport = get16(l4 + 2);
		if (k->tcp) {
			k->seq = get32(l4 + 4);
			k->ack = get32(l4 + 8);
		} else {
			ck_assert_uint_eq(get16(l4 + 4), h->caplen - 14 - 20);
		}
		k->len = h->caplen - 14 - 20 - hl;
		ck_assert_uint_le(k->len, sizeof(k->data));
		memcpy(k->data, l4 + hl, k->len);
		n++;
	}
	pcap_close(pc);
	return n;
}

/* The packets of write_logs' logs, in time order, each between the right
 * ports, byte for byte. */
static void check_packets(const struct pkt *v, size_t n)
{
	ck_assert_uint_eq(n, 8);
	for (size_t i = 1; i < n; i++)             /* in time order */
		ck_assert(v[i - 1].us < v[i].us);
	ck_assert_int_eq(v[7].us - v[0].us, 1000);
	ck_assert_int_eq(v[0].us % 1000000, 100);
	/* caller to the target, the target to callee and back */
	ck_assert_uint_eq(v[0].sport, 6001);
	ck_assert_uint_eq(v[0].dport, 5999);
	ck_assert_uint_eq(v[0].len, strlen(inv_a));
	ck_assert(!memcmp(v[0].data, inv_a, v[0].len));
	ck_assert_uint_eq(v[1].sport, 5999);
	ck_assert_uint_eq(v[1].dport, 6002);
	ck_assert(!memcmp(v[1].data, inv_b, v[1].len));
	ck_assert_uint_eq(v[2].sport, 6002);
	ck_assert_uint_eq(v[2].dport, 5999);
	/* the direct ACK: once, caller to callee, at the earlier time, so
	 * before the answer its sender logged first */
	ck_assert_uint_eq(v[3].sport, 6001);
	ck_assert_uint_eq(v[3].dport, 6002);
	ck_assert_int_eq(v[3].us % 1000000, 450);
	ck_assert_uint_eq(v[3].len, strlen(ack));
	ck_assert(!memcmp(v[3].data, ack, v[3].len));
	/* the hostile answer, byte for byte, its inner "block" included */
	ck_assert_uint_eq(v[4].sport, 5999);
	ck_assert_uint_eq(v[4].dport, 6001);
	ck_assert_uint_eq(v[4].len, sizeof(hostile) - 1);
	ck_assert(!memcmp(v[4].data, hostile, v[4].len));
	/* TCP, its port from its Via; a sequence number per direction */
	ck_assert(v[5].tcp && v[6].tcp && v[7].tcp);
	ck_assert_uint_eq(v[5].sport, 7777);
	ck_assert_uint_eq(v[6].dport, 7777);
	ck_assert_uint_eq(v[5].seq, 1);
	ck_assert_uint_eq(v[5].ack, 1);
	ck_assert_uint_eq(v[6].seq, 1);
	ck_assert_uint_eq(v[6].ack, 1 + strlen(reg1));
	ck_assert_uint_eq(v[7].seq, 1 + strlen(reg1));
	ck_assert_uint_eq(v[7].ack, 1 + strlen(reg_ok));
	ck_assert(!memcmp(v[7].data, reg2, v[7].len));
}

START_TEST(pcap_from_logs)
{
	const struct pcap_agent agents[] = {
		{ "caller", 6001 }, { "callee", 6002 }, { "tcpa", 0 }, { "ghost", 6004 },
	};
	char err[SSTCK_TEXT], p[512];
	struct pcap_stats st;
	struct pkt v[16];
	size_t n, big = 70000;
	char *large = malloc(big);

	ck_assert_ptr_nonnull(large);
	memset(large, 'x', big);
	th_mk_tmp();
	write_logs(large, big);

	ck_assert_msg(!pcap_case(th_tmp, agents, 4, "127.0.0.1", 5999, &st, err,
				 sizeof(err)), "%s", err);
	ck_assert_uint_eq(st.logs, 3);
	ck_assert_uint_eq(st.missing, 1);             /* ghost: no log */
	ck_assert_uint_eq(st.messages, 10);
	ck_assert_uint_eq(st.packets, 8);
	ck_assert_uint_eq(st.direct, 1);
	ck_assert_uint_eq(st.too_large, 1);
	ck_assert_uint_eq(st.malformed, 3);

	n = read_capture(th_tmp, v);
	check_packets(v, n);

	/* a log that cannot be read as one (a folder) adds nothing */
	snprintf(p, sizeof(p), "%s/dir.msg.log", th_tmp);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	{
		const struct pcap_agent two[] = { { "dir", 6005 }, { "tcpa", 0 } };

		ck_assert_int_eq(pcap_case(th_tmp, two, 2, "127.0.0.1", 5999, &st, err,
					   sizeof(err)), 0);
		ck_assert_uint_eq(st.packets, 3);
	}
	snprintf(p, sizeof(p), "%s/case.pcap", th_tmp);
	/* no log has a message: no capture, and the old one is gone */
	ck_assert_int_eq(pcap_case(th_tmp, agents + 3, 1, "127.0.0.1", 5999, &st,
				   err, sizeof(err)), 1);
	ck_assert_uint_eq(st.missing, 1);
	ck_assert_int_eq(access(p, F_OK), -1);
	/* a log that is only garbage: counted, no capture, no crash */
	th_put("junk.msg.log", "----------------------------------------------- \n"
	    "-----------------------------------------------  x\nUDP message sent (");
	{
		const struct pcap_agent j = { "junk", 1 };

		ck_assert_int_eq(pcap_case(th_tmp, &j, 1, NULL, 0, &st, err,
					   sizeof(err)), 1);
		ck_assert_uint_eq(st.malformed, 2);
	}
	free(large);
	th_rm_tmp();
}
END_TEST

void th_pcap(TCase *tc)
{
	tcase_add_test(tc, pcap_from_logs);
}
