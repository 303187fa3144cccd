/**
 * @file harness/sstck/text.c  the text helpers the harness, the report and
 * the oracle share (text.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

void text_fmt(char *buf, size_t bufsz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, bufsz, fmt, ap);
	va_end(ap);
}

char *text_file_read(const char *path, size_t *len)
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

/* The next tab-separated field of the line at *P (cut in place), or NULL
 * past the last one. */
char *text_tsv_field(char **p)
{
	char *s = *p, *t;

	if (!s)
		return NULL;
	t = strchr(s, '\t');
	if (t) {
		*t = '\0';
		*p = t + 1;
	} else {
		*p = NULL;
	}
	return s;
}

size_t text_utf8_seq(const unsigned char *p)
{
	size_t n;
	unsigned int c;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, c = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, c = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, c = p[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	/* overlong forms, surrogates, past U+10FFFF */
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return n;
}

/* U+FFFD, for a byte that starts no valid UTF-8 sequence */
static const char replacement[] = "\xef\xbf\xbd";

void text_xml_escape(const char *in, char *buf, size_t bufsz)
{
	size_t n = 0;

	if (!bufsz)
		return;
	for (; *in; in++) {
		const char *rep = NULL;
		unsigned char ch = (unsigned char)*in;
		size_t l = 1;

		switch (ch) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&apos;"; break;
		default:
			/* XML 1.0 has no place for other control characters,
			 * nor for bytes that are not UTF-8 */
			if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
				rep = "?";
			else if (ch >= 0x80 && !(l = text_utf8_seq((const unsigned char *)in)))
				rep = replacement;
		}
		size_t w = rep ? strlen(rep) : l;

		if (n + w >= bufsz)
			break;
		memcpy(buf + n, rep ? rep : in, w);
		n += w;
		if (!rep)
			in += l - 1;
	}
	buf[n] = '\0';
}

json_t *text_json(const char *s)
{
	size_t len = s ? strlen(s) : 0, n = 0;
	char *buf = malloc(3 * len + 1);
	json_t *j;

	if (!buf)
		return json_string("");
	for (const char *p = s; p && *p;) {
		size_t l = text_utf8_seq((const unsigned char *)p);

		if (l) {
			memcpy(buf + n, p, l);
			n += l;
			p += l;
		} else {
			memcpy(buf + n, replacement, 3);
			n += 3;
			p++;
		}
	}
	buf[n] = '\0';
	j = json_string(buf);
	free(buf);
	return j ? j : json_string("");
}
