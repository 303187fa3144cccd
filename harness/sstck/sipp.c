/**
 * @file harness/sstck/sipp.c  reading what SIPp leaves behind, and the one
 * rewrite of a scenario the harness makes.
 *
 * SIPp can exit 0 with fewer calls done than asked, so the harness reads
 * its statistics (-trace_stat) and counts calls itself; the message log
 * (-trace_msg) says whether the target answered at all.
 */
#define _GNU_SOURCE 1   /* memmem */
#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "sstck.h"

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
	char *text = text_file_read(path, NULL), *line, *save = NULL, *last = NULL;
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
	char *text = text_file_read(path, NULL);
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
	char *text = text_file_read(path, NULL), *save = NULL;

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

/* Whether the request in the CDATA at @cdata (up to @end) is an initial
 * one as the scenario writes it: a To header of its own without a tag. */
static bool initial_request(const char *cdata, const char *end)
{
	for (const char *l = cdata; l && l < end; l = strchr(l, '\n')) {
		const char *eol;

		l += strspn(l, " \t\r\n");
		if (strncmp(l, "To:", 3))
			continue;
		l += 3;
		l += strspn(l, " \t");
		eol = strchr(l, '\n');
		if (!eol || eol > end || *l == '[')
			return false;
		return !memmem(l, (size_t)(eol - l), "tag=", 4);
	}
	return false;
}

int sipp_add_header(const char *path, const char *line)
{
	size_t len, done = 0;
	char *text = text_file_read(path, &len), *send, *cdata, *cid, *eol, *end;
	FILE *fp;
	int rc = 0, added = 0;

	if (!text)
		return -1;
	fp = fopen(path, "w");
	if (!fp) {
		free(text);
		return -1;
	}
	/* the first <send> whose CDATA opens with a request line, and every
	 * later initial request (a scenario may start a second one) */
	for (send = strstr(text, "<send"); send; send = strstr(send + 5, "<send")) {
		cdata = strstr(send, "<![CDATA[");
		if (!cdata)
			break;
		cdata += 9;
		cdata += strspn(cdata, " \t\r\n");
		end = strstr(cdata, "]]>");
		if (!end || !strncmp(cdata, "SIP/2.0", 7) ||
		    (added && !initial_request(cdata, end)))
			continue;
		if (!(cid = strstr(cdata, "Call-ID:")) || cid > end ||
		    !(eol = strchr(cid, '\n')))
			continue;
		const char *indent = cid;

		while (indent > text && (indent[-1] == ' ' || indent[-1] == '\t'))
			indent--;
		if (fwrite(text + done, 1, (size_t)(eol + 1 - text) - done, fp) !=
		    (size_t)(eol + 1 - text) - done ||
		    fprintf(fp, "%.*s%s\n", (int)(cid - indent), indent, line) < 0)
			rc = -1;
		done = (size_t)(eol + 1 - text);
		added++;
	}
	if (fwrite(text + done, 1, len - done, fp) != len - done)
		rc = -1;
	if (fclose(fp))
		rc = -1;
	free(text);
	return added && !rc ? 0 : -1;
}

/* An attribute of N, as a malloc'd string, or NULL. */
static char *prop(xmlNode *n, const char *name)
{
	return (char *)xmlGetProp(n, (const xmlChar *)name);
}

static bool prop_is(xmlNode *n, const char *name, const char *value)
{
	char *v = prop(n, name);
	bool is = v && !strcmp(v, value);

	xmlFree(v);
	return is;
}

/* Whether N is a state check: an ereg on the X-SS-State header, or a test
 * of a variable named ss_* (where scenarios keep X-SS-State values). */
static bool state_check(xmlNode *n)
{
	char *v;
	bool is = false;

	if (n->type != XML_ELEMENT_NODE)
		return false;
	if (!xmlStrcmp(n->name, (const xmlChar *)"ereg")) {
		v = prop(n, "header");
		is = v && !strcasecmp(v, "X-SS-State:");
		xmlFree(v);
	} else if (!xmlStrcmp(n->name, (const xmlChar *)"test")) {
		v = prop(n, "variable");
		is = v && !strncmp(v, "ss_", 3);
		xmlFree(v);
	}
	return is && prop_is(n, "check_it", "true");
}

/* A new element NAME after N, with the attributes KV (name, value, ...,
 * NULL). */
static xmlNode *add_after(xmlNode *n, const char *name, ...)
{
	xmlNode *e = xmlNewNode(NULL, (const xmlChar *)name);
	va_list ap;
	const char *k;

	if (!e)
		return NULL;
	va_start(ap, name);
	while ((k = va_arg(ap, const char *))) {
		const char *v = va_arg(ap, const char *);

		xmlNewProp(e, (const xmlChar *)k, (const xmlChar *)v);
	}
	va_end(ap);
	return xmlAddNextSibling(n, e);
}

struct copy {
	bool state;
	int n;
	char awaited[32];            /* what the last <recv> waits for */
	FILE *expf;
	bool oom;
};

/* Walks the scenario in document order: each state check loses its
 * check_it, and with STATE gets the actions that log how it came out. */
static void walk(xmlNode *n, struct copy *c)
{
	for (; n && !c->oom; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (!xmlStrcmp(n->name, (const xmlChar *)"recv")) {
			char *v = prop(n, "response");

			if (!v)
				v = prop(n, "request");
			text_fmt(c->awaited, sizeof(c->awaited), "%s", v ? v : "");
			xmlFree(v);
		}
		if (!state_check(n)) {
			walk(n->children, c);
			continue;
		}
		c->n++;
		xmlUnsetProp(n, (const xmlChar *)"check_it");
		if (!c->state)
			continue;

		bool ereg = !xmlStrcmp(n->name, (const xmlChar *)"ereg");
		char m[32], h[32], msg[160], re[SSTCK_TEXT], *v;
		xmlNode *last = n;

		snprintf(m, sizeof(m), "sstck_m%d", c->n);
		snprintf(h, sizeof(h), "sstck_h%d", c->n);
		if (ereg) {
			v = prop(n, "regexp");
			text_fmt(re, sizeof(re), "%s", v ? v : "");
			xmlFree(v);
			last = add_after(last, "ereg", "regexp", re, "search_in", "hdr",
					 "header", "X-SS-State:", "assign_to", m, (char *)NULL);
			if (last)
				last = add_after(last, "ereg", "regexp", ".*", "search_in",
						 "hdr", "header", "X-SS-State:", "assign_to", h,
						 (char *)NULL);
			snprintf(msg, sizeof(msg), "sstck-expect %d {[$%s]} {[$%s]}", c->n, m, h);
		} else {
			v = prop(n, "assign_to");
			text_fmt(re, sizeof(re), "test of %s", v ? v : "");
			snprintf(msg, sizeof(msg), "sstck-expect %d {[$%s]} {}", c->n, v ? v : "");
			xmlFree(v);
		}
		if (last)
			last = add_after(last, "log", "message", msg, (char *)NULL);
		if (!last) {
			c->oom = true;
			return;
		}
		if (c->expf)
			fprintf(c->expf, "%d\t%s\t%s\t%s\n", c->n, ereg ? "ereg" : "test",
				c->awaited[0] ? c->awaited : "?", re);
		n = last;
	}
}

int sipp_scenario_copy(const char *src, const char *dst, bool state,
		       char *err, size_t errsz)
{
	/* the scenario is XML and read as XML (libxml2): attributes in any
	 * order, any white space, entities; no DTD fetched, nothing from the
	 * network */
	xmlDoc *doc = xmlReadFile(src, NULL, XML_PARSE_NONET | XML_PARSE_NOWARNING |
				  XML_PARSE_NOERROR);
	xmlNode *root;
	struct copy c = { state, 0, "", NULL, false };
	char expath[1100];
	int rc = -1;

	if (!doc) {
		const xmlError *e = xmlGetLastError();

		if (access(src, R_OK))
			snprintf(err, errsz, "%s: %s", src, strerror(errno));
		else
			snprintf(err, errsz, "scenario %s:%d is not XML: %s", src, e ? e->line : 0,
				 e && e->message ? e->message : "?");
		if (err[0] && err[strlen(err) - 1] == '\n')
			err[strlen(err) - 1] = '\0';
		return -1;
	}
	root = xmlDocGetRootElement(doc);
	if (!root || xmlStrcmp(root->name, (const xmlChar *)"scenario")) {
		snprintf(err, errsz, "%s: not a SIPp scenario (no <scenario>)", src);
		goto out;
	}
	text_fmt(expath, sizeof(expath), "%s.expect", dst);
	if (state && !(c.expf = fopen(expath, "w"))) {
		snprintf(err, errsz, "%s: %s", expath, strerror(errno));
		goto out;
	}
	walk(root->children, &c);
	if (c.expf && fclose(c.expf)) {
		c.expf = NULL;
		snprintf(err, errsz, "%s: cannot write", expath);
		goto out;
	}
	c.expf = NULL;
	if (c.oom) {
		snprintf(err, errsz, "%s: out of memory", src);
		goto out;
	}
	if (xmlSaveFile(dst, doc) < 0) {
		snprintf(err, errsz, "%s: cannot write", dst);
		goto out;
	}
	rc = c.n;
out:
	if (c.expf)
		fclose(c.expf);
	xmlFreeDoc(doc);
	return rc;
}

int sipp_copy_file(const char *src, const char *dst, char *err, size_t errsz)
{
	size_t len;
	char *text = text_file_read(src, &len);
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
	text_fmt(path, sizeof(path), "%s/%s.xml.expect", dir, a->name);
	exp = text_file_read(path, NULL);
	text_fmt(path, sizeof(path), "%s/%s.log", dir, a->name);
	log = text_file_read(path, NULL);
	for (char *l = exp ? strtok_r(exp, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save)) {
		char key[48], *kind, *what, *re, *hit, *m, *h, *q = l;
		int n = atoi(l);

		if (!(kind = strchr(l, '\t')) || !(what = strchr(kind + 1, '\t')) ||
		    !(re = strchr(what + 1, '\t')))
			continue;
		*what++ = *re++ = '\0';
		kind++;
		text_fmt(key, sizeof(key), "sstck-expect %d {", n);
		hit = log ? strstr(log, key) : NULL;
		if (!hit) {
			a->exp_unreached++;
			continue;
		}
		q = hit + strlen(key) - 1;
		char line[SSTCK_TEXT * 2];

		text_fmt(line, sizeof(line), "%.*s", (int)strcspn(q, "\n"), q);
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
			text_fmt(a->exp_first, sizeof(a->exp_first), "on %s: X-SS-State "
				 "expected /%s/, seen '%s'", what, re, !strcmp(kind, "test") ?
				 (m[0] ? m : "no value") : h);
	}
	free(exp);
	free(log);
}
