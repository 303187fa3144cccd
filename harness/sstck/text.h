/**
 * @file harness/sstck/text.h  the text helpers the harness, the report
 * (reports/) and the oracle share: bounded formatting, whole files, tab-
 * separated fields, UTF-8, XML and JSON text.  Nothing here knows a case,
 * so reports/ and conformance/oracle/ include this and not sstck.h.
 */
#ifndef SSTCK_TEXT_H
#define SSTCK_TEXT_H

#include <stddef.h>
#include <jansson.h>

/* The size of the harness's text fields (reasons, errors, details). */
#define SSTCK_TEXT 512

/* snprintf for texts that may be cut: always terminated, never a warning */
void text_fmt(char *buf, size_t bufsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The whole file at PATH, NUL-terminated (its length in *LEN when LEN is
 * not NULL); malloc'd, or NULL when it cannot be read. */
char *text_file_read(const char *path, size_t *len);

/* The next tab-separated field of the line at *P, cut in place; NULL
 * past the last one. */
char *text_tsv_field(char **p);

/* The length of the valid UTF-8 sequence at P (1 for ASCII), 0 when none
 * starts there. */
size_t text_utf8_seq(const unsigned char *p);
/* XML text escaping into BUF; the result is always terminated, and a
 * byte that is not UTF-8 becomes U+FFFD. */
void text_xml_escape(const char *in, char *buf, size_t bufsz);
/* A JSON string of S, any byte that is not UTF-8 as U+FFFD (jansson's
 * json_string refuses such text and returns NULL). */
json_t *text_json(const char *s);

#endif
