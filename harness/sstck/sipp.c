/*
 * sipp.c: reading what SIPp leaves behind, and the one rewrite of a
 * scenario the harness makes.
 *
 * SIPp can exit 0 with fewer calls done than asked, so the harness reads
 * its statistics (-trace_stat) and counts calls itself; the message log
 * (-trace_msg) says whether the target answered at all.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sstck.h"

char *file_read(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;

	if (!fp)
		return NULL;
	for (;;) {
		if (cap - n < 4096) {
			char *p = realloc(buf, cap + 65536);

			if (!p) {
				free(buf);
				fclose(fp);
				return NULL;
			}
			buf = p;
			cap += 65536;
		}
		size_t r = fread(buf + n, 1, cap - n - 1, fp);

		n += r;
		if (!r)
			break;
	}
	fclose(fp);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/* The INDEXth ';'-separated field of LINE, into OUT. */
static int csv_field(const char *line, int index, char *out, size_t outsz)
{
	const char *p = line;

	for (int i = 0; i < index; i++) {
		p = strchr(p, ';');
		if (!p)
			return -1;
		p++;
	}
	size_t n = strcspn(p, ";\r\n");

	if (n >= outsz)
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

int sipp_stat(const char *path, long *ok, long *failed)
{
	char *text = file_read(path, NULL), *line, *save = NULL, *last = NULL;
	int c_ok = -1, c_fail = -1, i = 0;
	char val[64];

	*ok = *failed = -1;
	if (!text)
		return -1;
	line = strtok_r(text, "\n", &save);
	if (!line) {
		free(text);
		return -1;
	}
	for (const char *p = line; p; p = strchr(p, ';'), p = p ? p + 1 : NULL, i++) {
		if (!strncmp(p, "SuccessfulCall(C);", 18))
			c_ok = i;
		if (!strncmp(p, "FailedCall(C);", 14))
			c_fail = i;
	}
	for (char *l; (l = strtok_r(NULL, "\n", &save));)
		last = l;
	if (c_ok < 0 || c_fail < 0 || !last ||
	    csv_field(last, c_ok, val, sizeof(val))) {
		free(text);
		return -1;
	}
	*ok = strtol(val, NULL, 10);
	if (csv_field(last, c_fail, val, sizeof(val))) {
		*ok = -1;
		free(text);
		return -1;
	}
	*failed = strtol(val, NULL, 10);
	free(text);
	return 0;
}

int sipp_received(const char *path)
{
	char *text = file_read(path, NULL);
	int n = 0;

	if (!text)
		return -1;
	/* a block's first line after SIPp's separator, "----- DATE TIME":
	 * never the text of a message, which may say anything */
	for (const char *p = text; (p = strstr(p, "----------------------------------------------- ")); p++) {
		const char *l = strchr(p, '\n');

		if ((p == text || p[-1] == '\n') && l && strlen(l + 1) > 4 &&
		    !strncmp(l + 4, " message received [", 19))
			n++;
	}
	free(text);
	return n;
}

void sipp_first_error(const char *path, char *buf, size_t bufsz)
{
	char *text = file_read(path, NULL), *save = NULL;

	buf[0] = '\0';
	if (!text)
		return;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *p = l;

		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (!*p || !strncmp(p, "The following", 13) || !strncmp(p, "---", 3) ||
		    !strncmp(p, "Resolving", 9) || !strncmp(p, "Warning: open file limit", 24))
			continue;
		/* "2026-11-24\t23:59:59.123\t1764028799.123: text": the text */
		char *colon = strstr(p, ": ");

		if (colon && p[0] >= '1' && p[0] <= '2' && colon - p < 48)
			p = colon + 2;
		p[strcspn(p, "\r")] = '\0';
		snprintf(buf, bufsz, "%s", p);
		break;
	}
	free(text);
}

int sipp_add_header(const char *path, const char *line)
{
	size_t len;
	char *text = file_read(path, &len), *send, *cdata, *cid, *eol;
	FILE *fp;
	int rc = -1;

	if (!text)
		return -1;
	/* the first <send> whose CDATA opens with a request line */
	for (send = strstr(text, "<send"); send; send = strstr(send + 5, "<send")) {
		cdata = strstr(send, "<![CDATA[");
		if (!cdata)
			break;
		cdata += 9;
		cdata += strspn(cdata, " \t\r\n");
		if (strncmp(cdata, "SIP/2.0", 7))
			break;
	}
	if (!send || !cdata || !(cid = strstr(cdata, "Call-ID:")) ||
	    !(eol = strchr(cid, '\n'))) {
		free(text);
		return -1;
	}
	fp = fopen(path, "w");
	if (fp) {
		size_t head = (size_t)(eol + 1 - text);
		const char *indent = cid;

		while (indent > text && (indent[-1] == ' ' || indent[-1] == '\t'))
			indent--;
		rc = fwrite(text, 1, head, fp) == head &&
		     fprintf(fp, "%.*s%s\n", (int)(cid - indent), indent, line) > 0 &&
		     fputs(eol + 1, fp) != EOF ? 0 : -1;
		if (fclose(fp))
			rc = -1;
	}
	free(text);
	return rc;
}

/* An attribute's value in the element [P, END): into OUT, "" when absent. */
static void attr(const char *p, const char *end, const char *name, char *out,
		 size_t outsz)
{
	char key[40];
	const char *a, *e;

	out[0] = '\0';
	snprintf(key, sizeof(key), " %s=\"", name);
	a = strstr(p, key);
	if (!a || a >= end)
		return;
	a += strlen(key);
	e = strchr(a, '"');
	if (!e || e > end)
		return;
	snprintf(out, outsz, "%.*s", (int)(e - a), a);
}

/* What the <recv> before P waits for ("486", "BYE"), for a reader. */
static void awaited(const char *text, const char *p, char *out, size_t outsz)
{
	const char *r = NULL;

	for (const char *q = text; (q = strstr(q, "<recv")) && q < p; q++)
		r = q;
	out[0] = '\0';
	if (r) {
		const char *e = strchr(r, '>');

		attr(r, e, "response", out, outsz);
		if (!out[0])
			attr(r, e, "request", out, outsz);
	}
}

/* Appends S to the growing text *OUT. */
static int put(char **out, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t c = (*len + n + 1) * 2;
		char *p = realloc(*out, c);

		if (!p)
			return -1;
		*out = p;
		*cap = c;
	}
	memcpy(*out + *len, s, n);
	*len += n;
	(*out)[*len] = '\0';
	return 0;
}

int sipp_scenario_copy(const char *src, const char *dst, bool state,
		       char *err, size_t errsz)
{
	static const char chk_attr[] = " check_it=\"true\"";
	size_t len, olen = 0, ocap = 0;
	char *text = file_read(src, &len), *out = NULL;
	const char *p, *from;
	int n = 0;
	FILE *fp, *expf = NULL;
	char expath[1100];

	if (!text) {
		snprintf(err, errsz, "%s: %s", src, strerror(errno));
		return -1;
	}
	if (!strstr(text, "<scenario")) {
		snprintf(err, errsz, "%s: not a SIPp scenario (no <scenario>)", src);
		free(text);
		return -1;
	}
	/* state checks: an ereg on the X-SS-State header, or a test of a
	 * variable named ss_* (where scenarios keep X-SS-State values).  None
	 * may abort the call (SIPp stops a call at the first failed check,
	 * hiding every later one): each loses its check_it, and with STATE
	 * its outcome goes to SIPp's log as a line sipp_expectations reads,
	 * the expectation itself to DST.expect */
	textf(expath, sizeof(expath), "%s.expect", dst);
	if (state && !(expf = fopen(expath, "w"))) {
		snprintf(err, errsz, "%s: %s", expath, strerror(errno));
		free(text);
		return -1;
	}
	for (p = from = text; (p = strchr(p, '<'));) {
		const char *end = strchr(p, '>'), *hdr = NULL, *chk;
		bool ereg = !strncmp(p, "<ereg", 5);

		if (!end)
			break;
		if (ereg)
			hdr = strstr(p, "header=\"X-SS-State:\"");
		else if (!strncmp(p, "<test", 5))
			hdr = strstr(p, " variable=\"ss_");
		chk = strstr(p, chk_attr);
		if (!hdr || hdr > end || !chk || chk > end) {
			p = end;
			continue;
		}
		n++;
		if (put(&out, &olen, &ocap, from, chk - from))
			goto oom;
		from = chk + strlen(chk_attr);
		if (!state) {
			p = end;
			continue;
		}
		if (put(&out, &olen, &ocap, from, end + 1 - from))
			goto oom;
		from = end + 1;

		char re[SSTCK_TEXT], var[64], what[32], add[2 * SSTCK_TEXT];

		awaited(text, p, what, sizeof(what));
		if (ereg) {
			attr(p, end, "regexp", re, sizeof(re));
			textf(add, sizeof(add),
			      "<ereg regexp=\"%s\" search_in=\"hdr\" header=\"X-SS-State:\" "
			      "assign_to=\"sstck_m%d\"/><ereg regexp=\".*\" search_in=\"hdr\" "
			      "header=\"X-SS-State:\" assign_to=\"sstck_h%d\"/>"
			      "<log message=\"sstck-expect %d {[$sstck_m%d]} {[$sstck_h%d]}\"/>",
			      re, n, n, n, n, n);
		} else {
			attr(p, end, "assign_to", var, sizeof(var));
			textf(re, sizeof(re), "test of %s", var);
			textf(add, sizeof(add), "<log message=\"sstck-expect %d {[$%s]} {}\"/>",
			      n, var);
		}
		if (expf)
			fprintf(expf, "%d\t%s\t%s\t%s\n", n, ereg ? "ereg" : "test",
				what[0] ? what : "?", re);
		if (put(&out, &olen, &ocap, add, strlen(add)))
			goto oom;
		p = end;
	}
	if (put(&out, &olen, &ocap, from, strlen(from)))
		goto oom;
	if (expf && fclose(expf)) {
		expf = NULL;
		snprintf(err, errsz, "%s: cannot write", expath);
		goto fail;
	}
	expf = NULL;
	fp = fopen(dst, "w");
	if (!fp) {
		snprintf(err, errsz, "%s: %s", dst, strerror(errno));
		free(text);
		free(out);
		return -1;
	}
	bool bad = fputs(out, fp) == EOF;

	if (fclose(fp) || bad) {
		snprintf(err, errsz, "%s: cannot write", dst);
		free(text);
		free(out);
		return -1;
	}
	free(text);
	free(out);
	return n;
oom:
	snprintf(err, errsz, "%s: out of memory", src);
fail:
	if (expf)
		fclose(expf);
	free(text);
	free(out);
	return -1;
}

int sipp_copy_file(const char *src, const char *dst, char *err, size_t errsz)
{
	size_t len;
	char *text = file_read(src, &len);
	FILE *fp;

	if (!text) {
		snprintf(err, errsz, "%s: %s", src, strerror(errno));
		return -1;
	}
	fp = fopen(dst, "wb");
	if (!fp) {
		snprintf(err, errsz, "%s: %s", dst, strerror(errno));
		free(text);
		return -1;
	}
	bool bad = fwrite(text, 1, len, fp) != len;

	if (fclose(fp) || bad) {
		snprintf(err, errsz, "%s: cannot write", dst);
		free(text);
		return -1;
	}
	free(text);
	return 0;
}

/* The text between the braces at *P ("{...}"), cut in place; NULL when
 * there is none. */
static char *braced(char **p)
{
	char *a = strchr(*p, '{'), *e;

	if (!a || !(e = strchr(a + 1, '}')))
		return NULL;
	*e = '\0';
	*p = e + 1;
	return a + 1;
}

void sipp_expectations(const char *dir, struct agent_facts *a)
{
	char path[1024], *exp, *log, *save = NULL;

	a->exp_held = a->exp_failed = a->exp_unstamped = a->exp_app = 0;
	a->exp_unreached = 0;
	a->exp_first[0] = '\0';
	textf(path, sizeof(path), "%s/%s.xml.expect", dir, a->name);
	exp = file_read(path, NULL);
	textf(path, sizeof(path), "%s/%s.log", dir, a->name);
	log = file_read(path, NULL);
	for (char *l = exp ? strtok_r(exp, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save)) {
		char key[48], *kind, *what, *re, *hit, *m, *h, *q = l;
		int n = atoi(l);

		if (!(kind = strchr(l, '\t')) || !(what = strchr(kind + 1, '\t')) ||
		    !(re = strchr(what + 1, '\t')))
			continue;
		*what++ = *re++ = '\0';
		kind++;
		textf(key, sizeof(key), "sstck-expect %d {", n);
		hit = log ? strstr(log, key) : NULL;
		if (!hit) {
			a->exp_unreached++;
			continue;
		}
		q = hit + strlen(key) - 1;
		char line[SSTCK_TEXT * 2];

		textf(line, sizeof(line), "%.*s", (int)strcspn(q, "\n"), q);
		q = line;
		m = braced(&q);
		h = m ? braced(&q) : NULL;
		if (!m || !h)
			continue;
		while (*h == ' ')
			h++;
		if (!strcmp(kind, "test")) {
			if (!strcmp(m, "true") || !strcmp(m, "1")) {
				a->exp_held++;
				continue;
			}
		} else if (m[0]) {
			a->exp_held++;
			continue;
		} else if (!h[0]) {
			a->exp_unstamped++;
			continue;
		} else if (strstr(h, ";at=app") || !strncmp(h, "at=app", 6)) {
			a->exp_app++;
			continue;
		}
		if (!a->exp_failed++)
			textf(a->exp_first, sizeof(a->exp_first), "on %s: X-SS-State "
			      "expected /%s/, seen '%s'", what, re, !strcmp(kind, "test") ?
			      (m[0] ? m : "no value") : h);
	}
	free(exp);
	free(log);
}
