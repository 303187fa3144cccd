/**
 * @file reports/report_int.h  the report's private interface: what its
 * files (html.c, ladder.c, compare.c) share.  Not for sstck: report.h is
 * the report's API.
 */
#ifndef SSTCK_REPORT_INT_H
#define SSTCK_REPORT_INT_H

#include <jansson.h>
#include <stdio.h>

/* The page's style sheet, for index.html and compare.html. */
extern const char *const report__style;

/* Writes S as HTML text (and attribute) content. */
void report__esc(FILE *fp, const char *s);
/* The same, cut to N characters with an ellipsis. */
void report__esc_cut(FILE *fp, const char *s, size_t n);
/* O's string K, or "" when it has none. */
const char *report__js(json_t *o, const char *k);
/* The CSS class of a verdict ("pass", "fail", ...; "none" for no verdict). */
const char *report__vclass(const char *verdict);
/* The JSON file at PATH, or NULL. */
json_t *report__load_json(const char *path);
/* Rule ID's verdict in a run's rules (results.json), or "". */
const char *report__run_rule_verdict(json_t *rules, const char *id);

/* The TCK assertions' section of index.html (reports/tck.c). */
void report__tck_section(FILE *fp, const char *top, json_t *rules, json_t *cases);

/* A case's ladder (its ladder.json, LAD) as an SVG diagram, the messages
 * FINDINGS name marked; IDX makes its ids unique on the page. */
void report__ladder(FILE *fp, json_t *lad, json_t *findings, int idx);

#endif
