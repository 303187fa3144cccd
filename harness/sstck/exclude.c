/**
 * @file harness/sstck/exclude.c  sstck run --exclude FILE: the cases a
 * vendor keeps out of a run, each with its reason (cmd.h)
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "sstck.h"

int exclusions_load(struct exclusions *x, const char *path, char *err,
			   size_t errsz)
{
	FILE *fp = fopen(path, "r");
	char line[1024];
	int no = 0;

	if (!fp) {
		text_fmt(err, errsz, "--exclude %s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp)) {
		char *p = line, *g, *why;

		no++;
		line[strcspn(line, "\r\n")] = '\0';
		p += strspn(p, " \t");
		if (!*p || *p == '#')
			continue;
		g = p;
		p += strcspn(p, " \t");
		why = p + strspn(p, " \t");
		if (!*p || !*why || p - g >= 128) {
			text_fmt(err, errsz, "%s:%d: expected a case (or glob) and the reason "
				 "it is excluded", path, no);
			fclose(fp);
			return -1;
		}
		*p = '\0';
		void *v = realloc(x->v, (x->n + 1) * sizeof(*x->v));

		if (!v) {
			fclose(fp);
			text_fmt(err, errsz, "out of memory");
			return -1;
		}
		x->v = v;
		text_fmt(x->v[x->n].glob, sizeof(x->v[0].glob), "%s", g);
		text_fmt(x->v[x->n].why, sizeof(x->v[0].why), "excluded by %s:%d: %s",
			 path, no, why);
		x->n++;
	}
	fclose(fp);
	return 0;
}

const char *exclusions_match(const struct exclusions *x, const char *name)
{
	for (size_t i = 0; i < x->n; i++)
		if (!fnmatch(x->v[i].glob, name, 0))
			return x->v[i].why;
	return NULL;
}

void exclusions_free(struct exclusions *x)
{
	free(x->v);
	x->v = NULL;
	x->n = 0;
}

