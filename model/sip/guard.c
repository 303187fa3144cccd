/**
 * @file model/sip/guard.c  input guards: what libosip2 does not check
 *
 * Checks on a message's raw bytes before it is parsed, and on the parsed
 * message after, for what libosip2 accepts but RFC 3261 does not (the
 * torture messages of RFC 4475 3.1.2 and 3.3, hostile input): a bad
 * request is answered from its raw bytes when a response can be formed,
 * else dropped.
 */
#define _GNU_SOURCE 1          /* memmem, strcasestr */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <osipparser2/osip_parser.h>
#include "sipc.h"
#include "mem.h"
#include "sipc_int.h"
#include "fault.h"

static bool is_token_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		(ch >= '0' && ch <= '9') || (ch && strchr("-.!%*_+`'~", ch));
}

/**
 * Whether the header line at @l (bytes up to @end) is named @name, or
 * @compact (may be NULL): RFC 3261 7.3.1, a token, then optional SP or
 * HT, then the colon; names are case-insensitive.  On a match *@valp
 * (if given) is just past the colon.  Works by length: a NUL byte is
 * just a byte that is no token character.
 */
bool sipc__line_named(const char *l, const char *end, const char *name,
		      const char *compact, const char **valp)
{
	const char *p = l;
	size_t k;

	while (p < end && is_token_char(*p))
		p++;
	k = (size_t)(p - l);
	if (!k || !((k == strlen(name) && !strncasecmp(l, name, k)) ||
		    (compact && k == strlen(compact) &&
		     !strncasecmp(l, compact, k))))
		return false;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p != ':')
		return false;
	if (valp)
		*valp = p + 1;
	return true;
}

/** The raw header lines named @name (or its compact form) in @buf. */
static int raw_count(const char *buf, size_t len, const char *name,
		     const char *compact)
{
	const char *end = buf + len, *hdr_end, *p;
	int n = 0;

	hdr_end = strstr(buf, "\r\n\r\n");
	if (!hdr_end || hdr_end > end)
		hdr_end = end;
	for (p = strstr(buf, "\r\n"); p && p < hdr_end;
	     p = strstr(p + 2, "\r\n")) {
		const char *l = p + 2;
		size_t k = strlen(name);

		if ((!strncasecmp(l, name, k) &&
		     (l[k] == ':' || l[k] == ' ' || l[k] == '\t')) ||
		    (compact && !strncasecmp(l, compact, 1) &&
		     (l[1] == ':' || l[1] == ' ' || l[1] == '\t')))
			n++;
	}
	return n;
}

/** The value of the first raw header @name/@compact, into @out. */
static bool raw_value(const char *buf, const char *name, const char *compact,
		      char *out, size_t sz)
{
	const char *hdr_end = strstr(buf, "\r\n\r\n");

	for (const char *p = strstr(buf, "\r\n"); p && (!hdr_end || p < hdr_end);
	     p = strstr(p + 2, "\r\n")) {
		const char *l = p + 2, *v;
		size_t k = strlen(name), n;

		if (!((!strncasecmp(l, name, k) &&
		       (l[k] == ':' || l[k] == ' ' || l[k] == '\t')) ||
		      (compact && !strncasecmp(l, compact, 1) &&
		       (l[1] == ':' || l[1] == ' ' || l[1] == '\t'))))
			continue;
		v = strchr(l, ':');
		if (!v)
			return false;
		v++;
		while (*v == ' ' || *v == '\t')
			v++;
		n = strcspn(v, "\r");
		if (n >= sz)
			n = sz - 1;
		memcpy(out, v, n);
		out[n] = '\0';
		return true;
	}
	return false;
}

/* A name-addr or addr-spec as RFC 3261 25.1 allows it: no LWS just inside
 * the angle brackets (RFC 4475 3.1.2.14), an unquoted display name made
 * of tokens (3.1.2.15), and an addr-spec without <> carries no '?'
 * (3.1.2.13). */
static bool bad_addr(const char *v)
{
	const char *lt = strchr(v, '<'), *gt = lt ? strchr(lt, '>') : NULL;

	if (lt) {
		if (!gt || lt[1] == ' ' || lt[1] == '\t' ||
		    gt[-1] == ' ' || gt[-1] == '\t')
			return true;
		if (v[0] != '"')
			for (const char *p = v; p < lt; p++)
				if (!strchr(" \t-.!%*_+`'~", *p) &&
				    !((*p >= 'a' && *p <= 'z') ||
				      (*p >= 'A' && *p <= 'Z') ||
				      (*p >= '0' && *p <= '9')))
					return true;
		return false;
	}
	return strchr(v, '?') != NULL;
}

struct verdict sipc__check_raw(const char *buf, size_t len)
{
	static const struct { const char *n, *c; } single[] = {
		{"Call-ID", "i"}, {"CSeq", NULL}, {"From", "f"}, {"To", "t"},
		{"Max-Forwards", NULL}, {"Content-Length", "l"},
	};
	static const struct { const char *n, *c; } addrs[] = {
		{"From", "f"}, {"To", "t"}, {"Contact", "m"},
	};
	struct verdict v = {0, NULL};
	char val[1024];
	size_t rl = strcspn(buf, "\r\n");

	if (!strncmp(buf, "SIP/", 4))
		return v;                            /* a response */
	/* Request-Line = Method SP Request-URI SP SIP-Version CRLF, with
	 * single spaces (RFC 4475 3.1.2.8 to 3.1.2.10). */
	{
		const char *sp1 = memchr(buf, ' ', rl), *sp2;

		sp2 = sp1 ? memchr(sp1 + 1, ' ', rl - (size_t)(sp1 + 1 - buf))
			  : NULL;
		if (!sp1 || !sp2 || sp2 == sp1 + 1 ||
		    memchr(sp2 + 1, ' ', rl - (size_t)(sp2 + 1 - buf)) ||
		    buf[rl - 1] == ' ' || buf[rl - 1] == '\t') {
			v.status = 400;
			v.why = "Bad Request-Line";
			return v;
		}
		/* escaped headers in a SIP Request-URI (3.1.2.11): a '?'
		 * after the host part (the user part may hold one) */
		const char *at = NULL;

		for (const char *p = sp1 + 1; p < sp2; p++)
			if (*p == '@')
				at = p;
		if (!strncasecmp(sp1 + 1, "sip", 3) &&
		    memchr(at ? at : sp1 + 1, '?',
			   (size_t)(sp2 - (at ? at : sp1 + 1)))) {
			v.status = 400;
			v.why = "Headers In Request-URI";
			return v;
		}
	}
	for (size_t i = 0; i < sizeof(single) / sizeof(single[0]); i++) {
		if (raw_count(buf, len, single[i].n, single[i].c) > 1) {
			v.status = 400;
			v.why = "Multiple Values In A Single-Value Header";
			return v;
		}
	}
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		if (raw_value(buf, addrs[i].n, addrs[i].c, val, sizeof(val)) &&
		    bad_addr(val)) {
			v.status = 400;
			v.why = "Malformed Address";
			return v;
		}
	}
	return v;
}

/** RFC 3261 checks on a parsed message (RFC 4475 3.1.2, 3.3). */
struct verdict sipc__check_msg(const osip_message_t *m)
{
	struct verdict v = {400, NULL};
	const char *mf;

	if (!m->call_id || !m->from || !m->to || !m->cseq ||
	    !m->cseq->method || !m->cseq->number ||
	    !osip_list_size(&m->vias)) {
		v.why = "Missing Mandatory Header";
		return v;
	}
	if (MSG_IS_REQUEST(m) && strcmp(m->cseq->method, m->sip_method)) {
		v.why = "CSeq Method Mismatch";
		return v;
	}
	/* The model keys a session on the Call-ID, at most 255 bytes
	 * (sipc__call_id_str): a longer one would be cut, and two calls that
	 * differ past byte 255 would share a session. */
	if (!m->call_id->number || strlen(m->call_id->number) +
	    (m->call_id->host ? 1 + strlen(m->call_id->host) : 0) > 255) {
		v.why = "Call-ID Too Long";
		return v;
	}
	/* Every port we may send to or compare with ours: 1 to 65535. */
	{
		osip_route_t *r = NULL;
		osip_via_t *via;
		osip_contact_t *ct;

		if (MSG_IS_REQUEST(m) && m->req_uri &&
		    sipc__port_of(m->req_uri->port) < 0) {
			v.why = "Bad Port In Request-URI";
			return v;
		}
		for (int i = 0; (via = osip_list_get(&m->vias, i)); i++)
			if (sipc__port_of(via->port) < 0) {
				v.why = "Bad Port In Via";
				return v;
			}
		for (int i = 0; (r = osip_list_get(&m->routes, i)); i++)
			if (r->url && sipc__port_of(r->url->port) < 0) {
				v.why = "Bad Port In Route";
				return v;
			}
		for (int i = 0; (ct = osip_list_get(&m->contacts, i)); i++)
			if (ct->url && sipc__port_of(ct->url->port) < 0) {
				v.why = "Bad Port In Contact";
				return v;
			}
	}
	for (const char *p = m->cseq->number; *p; p++)
		if (*p < '0' || *p > '9') {
			v.why = "Bad CSeq";
			return v;
		}
	if (strlen(m->cseq->number) > 10 ||
	    strtoull(m->cseq->number, NULL, 10) > 0xffffffffull) {
		v.why = "Bad CSeq";
		return v;
	}
	if (m->sip_version && strcmp(m->sip_version, "SIP/2.0")) {
		v.status = 505;               /* RFC 4475 3.1.2.16 */
		v.why = NULL;
		return v;
	}
	mf = sipc__header_value(m, "max-forwards");
	if (mf) {
		bool bad = !*mf || strlen(mf) > 10;   /* 1*DIGIT, e.g. 0068 */

		for (const char *p = mf; *p; p++)
			bad |= *p < '0' || *p > '9';
		if (bad || strtoul(mf, NULL, 10) > 255) {
			v.why = "Bad Max-Forwards";
			return v;
		}
	}
	if (m->content_length && m->content_length->value)
		for (const char *p = m->content_length->value; *p; p++)
			if (*p < '0' || *p > '9') {
				v.why = "Bad Content-Length";
				return v;
			}
	v.status = 0;
	return v;
}

/* What sipc__raw_respond copies from a request it could not read: a control
 * character (a bare LF above all, which a peer may take for a line end
 * and so for a header of the attacker's) becomes a space. */
static void defang(char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((p[i] >= 0 && p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f)
			p[i] = ' ';
}

/**
 * A response built from the raw lines of a request libosip2 cannot parse
 * (RFC 4475 3.1.2: "400 where a response can be formed").  It needs the
 * Via, From, To, Call-ID and CSeq lines; without them, nothing is sent.
 */
bool sipc__raw_respond(struct sipc *c, const char *buf, int status,
		       const char *reason, const char *host, int port)
{
	char out[8192], v[2048], tag[32];
	size_t n;
	const char *hdr_end = strstr(buf, "\r\n\r\n");
	static const struct { const char *n, *c; } need[] = {
		{"From", "f"}, {"To", "t"}, {"Call-ID", "i"}, {"CSeq", NULL},
	};

	n = (size_t)snprintf(out, sizeof(out), "SIP/2.0 %d %s\r\n", status,
			     reason);
	for (const char *p = strstr(buf, "\r\n"); p && (!hdr_end || p < hdr_end);
	     p = strstr(p + 2, "\r\n")) {
		const char *l = p + 2;
		size_t k = strcspn(l, "\r");

		if ((!strncasecmp(l, "Via", 3) && strchr(": \t", l[3])) ||
		    (!strncasecmp(l, "v", 1) && strchr(": \t", l[1]))) {
			if (n + k + 2 >= sizeof(out))
				return false;
			memcpy(out + n, l, k);
			defang(out + n, k);
			n += k;
			out[n++] = '\r';
			out[n++] = '\n';
		}
	}
	if (!strstr(out, "\r\n"))
		return false;
	sipc__gen_token(tag, sizeof(tag));
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		if (!raw_value(buf, need[i].n, need[i].c, v, sizeof(v)))
			return false;
		defang(v, strlen(v));
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s: %s%s%s\r\n",
				      need[i].n, v,
				      !strcmp(need[i].n, "To") &&
				      !strstr(v, "tag=") ? ";tag=" : "",
				      !strcmp(need[i].n, "To") &&
				      !strstr(v, "tag=") ? tag : "");
		if (n >= sizeof(out))
			return false;
	}
	n += (size_t)snprintf(out + n, sizeof(out) - n,
			      "X-SS-State: none\r\nContent-Length: 0\r\n\r\n");
	if (n >= sizeof(out))
		return false;
	sipc__send_back(c, out, n, host, port, c->rx_conn, NULL);
	return true;
}

/**
 * Whether a multipart body (RFC 2046 5.1) in @buf has a part with more
 * than one Content-Type.  libosip2 5.3.0 keeps the first and loses the
 * second (osip_body_set_contenttype leaks it, about 43 bytes a message),
 * so such a message is refused before it is parsed.  By length: the
 * body may hold anything.
 */
/* Whether the line [L, E) of a body part would be a Content-Type to
 * libosip2, which compares only the first twelve bytes of a part header's
 * name: as loose as it is, so that nothing it takes for one slips by. */
static bool part_typed(const char *l, const char *e)
{
	const char *colon = memchr(l, ':', (size_t)(e - l)), *q;

	if (!colon)
		return false;
	if (colon - l >= 12 && !strncasecmp(l, "content-type", 12))
		return true;
	for (q = l; q < colon && (*q == ' ' || *q == '\t'); q++)
		;
	if (q < colon && (*q == 'c' || *q == 'C')) {
		for (q++; q < colon && (*q == ' ' || *q == '\t'); q++)
			;
		return q == colon;
	}
	return false;
}

/* Whether the line [L, E) is the message's own Content-Type header to
 * libosip2's message parser, which matches a header name whole (and
 * case-insensitively): "Content-Type" or "c", blanks before the colon. */
static bool message_typed(const char *l, const char *e)
{
	const char *colon = memchr(l, ':', (size_t)(e - l)), *ne;

	if (!colon)
		return false;
	for (ne = colon; ne > l && (ne[-1] == ' ' || ne[-1] == '\t'); ne--)
		;
	return (ne - l == 12 && !strncasecmp(l, "content-type", 12)) ||
	       (ne - l == 1 && (*l == 'c' || *l == 'C'));
}

/* Whether a part of the multipart body whose boundary is @bnd (@bl
 * bytes, "--" included) has two Content-Type lines: each part's header
 * lines, up to an empty line or the message's end; a line ends at LF,
 * with or without CR (libosip2 takes both).  From the message's start,
 * not from its first empty line: where the headers end is libosip2's
 * reading, which takes a CR alone, a LF alone; a boundary inside a
 * header only costs a false 400. */
static bool parts_twice_typed(const char *buf, const char *end,
			      const char *bnd, size_t bl)
{
	for (const char *p = buf;
	     p < end && (p = memmem(p, (size_t)(end - p), bnd, bl)); p += bl) {
		const char *l = memchr(p, '\n', (size_t)(end - p));
		int n = 0;

		if (!l)
			break;
		for (l++; l < end;) {
			const char *e = memchr(l, '\n', (size_t)(end - l));
			const char *le = e ? e : end;

			if (le > l && le[-1] == '\r')
				le--;
			if (le == l)
				break;                 /* the part's headers end */
			if (part_typed(l, le))
				n++;
			if (!e)
				break;
			l = e + 1;
		}
		if (n > 1)
			return true;
	}
	return false;
}

/* The boundary of a Content-Type value @v (@vl bytes) of a multipart
 * type, "--" before it, into @bnd: its length, or 0. */
static size_t boundary_of(const char *v, size_t vl, char *bnd)
{
	char ct[1024];
	const char *bp;
	size_t bl;

	if (vl >= sizeof(ct))
		vl = sizeof(ct) - 1;
	memcpy(ct, v, vl);
	ct[vl] = '\0';
	if (!strcasestr(ct, "multipart/") || !(bp = strcasestr(ct, "boundary=")))
		return 0;
	bp += 9;
	if (*bp == '"')
		bp++;
	bl = strcspn(bp, "\"; \t\r\n");
	if (!bl || bl > 128)
		return 0;
	bnd[0] = bnd[1] = '-';
	memcpy(bnd + 2, bp, bl);
	return bl + 2;
}

/* A header's value from @v to its line's end @le, and the lines after
 * it that start with a blank (RFC 3261 7.3.1's folding, which libosip2
 * unfolds: "Content-Type:" CRLF " multipart/mixed;boundary=b" is a
 * multipart type, a fuzzer's find), one space for each fold, into @out
 * (@outsz bytes at most, cut there).  Its length. */
static size_t folded_value(const char *v, const char *le, const char *end,
			   char *out, size_t outsz)
{
	size_t n = 0;

	for (;;) {
		const char *e;
		size_t k = (size_t)(le - v);

		if (k > outsz - 1 - n)
			k = outsz - 1 - n;
		memcpy(out + n, v, k);
		n += k;
		e = memchr(le, '\n', (size_t)(end - le));
		if (!e || e + 1 >= end || (e[1] != ' ' && e[1] != '\t') ||
		    n >= outsz - 2)
			break;
		out[n++] = ' ';
		v = e + 1;
		le = memchr(v, '\n', (size_t)(end - v));
		le = le ? le : end;
		if (le > v && le[-1] == '\r')
			le--;
	}
	out[n] = '\0';
	return n;
}

bool sipc__multipart_twice_typed(const char *buf, size_t len)
{
	const char *end = buf + len;
	char bnd[128 + 3];

	/* every line libosip2 may take for the message's Content-Type, not
	 * only the first: one it cannot parse is dropped, and the next one
	 * is the body's type (a fuzzer's find); each multipart one's parts
	 * (a part's headers are read more loosely, part_typed) */
	for (const char *l = buf; l < end;) {
		const char *e = memchr(l, '\n', (size_t)(end - l)), *le = e ? e : end;
		size_t bl;

		if (le > l && le[-1] == '\r')
			le--;
		if (l != buf && message_typed(l, le)) {
			const char *v = memchr(l, ':', (size_t)(le - l)) + 1;
			char val[1024];
			size_t vl = folded_value(v, le, end, val, sizeof(val));

			bl = boundary_of(val, vl, bnd);
			if (bl && parts_twice_typed(buf, end, bnd, bl))
				return true;
		}
		if (!e)
			break;
		l = e + 1;
	}
	return false;
}

/** The status for an unparsable request: 416 for a URI scheme we do not
 * know (RFC 3261 16.3, RFC 4475 3.3.3), else 400. */
int sipc__unparsable_status(const char *buf)
{
	const char *sp = strchr(buf, ' ');
	size_t k;

	if (!sp)
		return 400;
	sp++;
	k = strcspn(sp, ": \r\n");
	if (sp[k] != ':' || !k)
		return 400;
	if ((k == 3 && !strncasecmp(sp, "sip", 3)) ||
	    (k == 4 && !strncasecmp(sp, "sips", 4)) || *sp == '<')
		return 400;
	for (size_t i = 0; i < k; i++)
		if (!strchr("+-.", sp[i]) && !((sp[i] >= 'a' && sp[i] <= 'z') ||
		    (sp[i] >= 'A' && sp[i] <= 'Z') ||
		    (sp[i] >= '0' && sp[i] <= '9')))
			return 400;
	return 416;
}
