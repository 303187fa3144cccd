/**
 * @file harness/test/main.c  the harness's unit tests (check-sstck): the
 * scratch folder, the rules catalog, and the suite of every file's tests
 * (th.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "th.h"

char th_tmp[256];
struct ruleset th_rules;

void th_mk_tmp(void)
{
	snprintf(th_tmp, sizeof(th_tmp), "/tmp/check-sstck.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(th_tmp));
}

void th_rm_tmp(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", th_tmp);
	ck_assert_int_eq(system(cmd), 0);
}

void th_put(const char *name, const char *text)
{
	char p[512];
	FILE *fp;

	snprintf(p, sizeof(p), "%s/%s", th_tmp, name);
	fp = fopen(p, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	fclose(fp);
}

void th_load_rules(void)
{
	char err[SSTCK_TEXT];

	ck_assert_msg(!rules_load(&th_rules, "conformance/rules.tsv", err, sizeof(err)),
		      "%s", err);
}

int main(void)
{
	Suite *s = suite_create("sstck");
	TCase *tc = tcase_create("harness");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 20);
	th_inputs(tc);
	th_proc(tc);
	th_sipp(tc);
	th_judge(tc);
	th_pcap(tc);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
