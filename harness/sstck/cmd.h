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

#endif
