/**
 * @file harness/test/th.h  the harness's unit tests (check-sstck): what
 * their files share, a scratch folder and the rules catalog, and each
 * file's tests.  Run from the top of the tree (make check does).
 *
 *   t_inputs.c  rules, manifests, targets and kits
 *   t_proc.c    ports and processes
 *   t_sipp.c    SIPp's artifacts
 *   t_judge.c   verdicts and escaping
 *   t_pcap.c    the capture from the message logs
 */
#ifndef SSTCK_TH_H
#define SSTCK_TH_H

#include <check.h>

#include "sstck.h"

/* A scratch folder (th_mk_tmp, th_rm_tmp) and a file NAME in it. */
extern char th_tmp[256];
void th_mk_tmp(void);
void th_rm_tmp(void);
void th_put(const char *name, const char *text);

/* conformance/rules.tsv, loaded by th_load_rules */
extern struct ruleset th_rules;
void th_load_rules(void);

/* Each file's tests onto TC. */
void th_inputs(TCase *tc);
void th_proc(TCase *tc);
void th_sipp(TCase *tc);
void th_judge(TCase *tc);
void th_pcap(TCase *tc);

#endif
