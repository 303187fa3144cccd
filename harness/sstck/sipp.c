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
	for (const char *p = text; (p = strstr(p, " message received [")); p++)
		n++;
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

int sipp_scenario_copy(const char *src, const char *dst, bool state,
		       char *err, size_t errsz)
{
	size_t len;
	char *text = file_read(src, &len);
	int off = 0;
	FILE *fp;

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
	 * variable named ss_* (where scenarios keep X-SS-State values) */
	for (char *p = text; (p = strpbrk(p, "<"));) {
		char *end = strchr(p, '>'), *hdr = NULL, *chk;

		if (!end)
			break;
		if (!strncmp(p, "<ereg", 5))
			hdr = strstr(p, "header=\"X-SS-State:\"");
		else if (!strncmp(p, "<test", 5))
			hdr = strstr(p, " variable=\"ss_");
		chk = strstr(p, " check_it=\"true\"");
		if (hdr && hdr < end && chk && chk < end) {
			size_t n = strlen(" check_it=\"true\"");

			off++;
			if (!state) {
				memmove(chk, chk + n, strlen(chk + n) + 1);
				end -= n;
			}
		}
		p = end;
	}
	fp = fopen(dst, "w");
	if (!fp) {
		snprintf(err, errsz, "%s: %s", dst, strerror(errno));
		free(text);
		return -1;
	}
	bool bad = fputs(text, fp) == EOF;

	if (fclose(fp) || bad) {
		snprintf(err, errsz, "%s: cannot write", dst);
		free(text);
		return -1;
	}
	free(text);
	return off;
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
