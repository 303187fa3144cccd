/**
 * @file harness/sstck/rules.c  the rules catalog, conformance/rules.tsv.  The
 * harness needs each case's rule IDs to exist and, per rule, whether the wire
 * alone shows it (W, W*) or only the target's state does (P).
 */
#include <stdlib.h>
#include <string.h>

#include "sstck.h"

int rules_load(struct ruleset *rs, const char *path, char *err, size_t errsz)
{
	FILE *fp = fopen(path, "r");
	char line[2048];
	int lineno = 0;

	memset(rs, 0, sizeof(*rs));
	if (!fp) {
		snprintf(err, errsz, "%s: cannot open the rules catalog", path);
		return -1;
	}
	while (fgets(line, sizeof(line), fp)) {
		char *p = line, *id, *group, *sect, *obs, *summary;
		struct rule *r;

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0' ||
		    !strncmp(line, "id\t", 3))
			continue;
		id = text_tsv_field(&p);
		group = text_tsv_field(&p);
		sect = text_tsv_field(&p);
		obs = text_tsv_field(&p);
		(void)text_tsv_field(&p);             /* version */
		(void)text_tsv_field(&p);             /* spec section */
		summary = text_tsv_field(&p);
		if (!id || !group || !obs || !summary || strlen(id) >= 24 ||
		    strlen(group) >= 24 ||
		    (strcmp(obs, "W") && strcmp(obs, "W*") && strcmp(obs, "P"))) {
			snprintf(err, errsz, "%s:%d: not a rule row "
				 "(id, group, section, W|W*|P, version, spec, summary)",
				 path, lineno);
			fclose(fp);
			rules_free(rs);
			return -1;
		}
		r = realloc(rs->v, (rs->n + 1) * sizeof(*r));
		if (!r) {
			snprintf(err, errsz, "out of memory");
			fclose(fp);
			rules_free(rs);
			return -1;
		}
		rs->v = r;
		r = &rs->v[rs->n++];
		memset(r, 0, sizeof(*r));
		strcpy(r->id, id);
		strcpy(r->group, group);
		r->section = atoi(sect ? sect : "0");
		r->obs = !strcmp(obs, "W") ? OBS_WIRE :
			 !strcmp(obs, "W*") ? OBS_WIRE_STAR : OBS_STATE;
		r->summary = strdup(summary);
	}
	fclose(fp);
	if (!rs->n) {
		snprintf(err, errsz, "%s: no rules", path);
		return -1;
	}
	return 0;
}

const struct rule *rules_find(const struct ruleset *rs, const char *id)
{
	for (size_t i = 0; i < rs->n; i++)
		if (!strcmp(rs->v[i].id, id))
			return &rs->v[i];
	return NULL;
}

void rules_free(struct ruleset *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		free(rs->v[i].summary);
	free(rs->v);
	rs->v = NULL;
	rs->n = 0;
}
