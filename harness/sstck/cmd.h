/**
 * @file harness/sstck/cmd.h  the sstck program's commands and what they
 * share: main.c (where things are, the case library, check, report,
 * compare), cmd_run.c (run) and cmd_list.c (list, show).  Not part of
 * libsstck.a.
 */
#ifndef SSTCK_CMD_H
#define SSTCK_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include "sstck.h"          /* SSTCK_TEXT */

/* The cases under ROOT, each a folder holding a case.ini: *NAMES (*N of
 * them, sorted) are their paths relative to ROOT.  0, or -1 with a line
 * on stderr. */
int  sstck_discover(const char *root, char ***names, size_t *n);
/* Whether NAME matches one of the NGLOBS GLOBS (every name when none). */
bool sstck_selected(const char *name, char **globs, int nglobs);

/* sstck run; TOP is the tree (scenarios/, harness/targets/), EXEDIR the
 * folder of the sstck binary.  The exit status. */
int  sstck_cmd_run(int argc, char **argv, const char *top, const char *exedir);
/* sstck list, or with SHOW sstck show.  The exit status. */
int  sstck_cmd_list(int argc, char **argv, bool show, const char *top);

/* An exclude file, as a vendor keeps it beside their CI: a line per
 * exclusion, CASE-GLOB then the reason ("b2bua/reinvite  our B2BUA is not
 * deployed in this lab"); # starts a comment.  An excluded case is not
 * run and is reported not applicable, with the file, line and reason. */
struct exclusions {
	struct { char glob[128], why[SSTCK_TEXT]; } *v;
	size_t n;
};

int  exclusions_load(struct exclusions *x, const char *path, char *err,
		     size_t errsz);
/* The reason NAME is excluded, or NULL. */
const char *exclusions_match(const struct exclusions *x, const char *name);
void exclusions_free(struct exclusions *x);

#endif
