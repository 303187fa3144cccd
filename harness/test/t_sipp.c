/**
 * @file harness/test/t_sipp.c  the harness's unit tests of what it reads of
 * SIPp's artifacts and of its scenario rewrite.
 */
#include <stdlib.h>
#include <string.h>

#include "th.h"

/* --- SIPp's artifacts ------------------------------------------------- */

START_TEST(sipp_files)
{
	char p[300], buf[SSTCK_TEXT], err[SSTCK_TEXT], q[300];
	long ok, failed;

	th_mk_tmp();
	th_put("s.csv", "StartTime;LastResetTime;SuccessfulCall(P);SuccessfulCall(C);FailedCall(P);FailedCall(C);\n"
	    "a;b;0;0;0;0;\n" "a;b;1;1;0;0;\n");
	snprintf(p, sizeof(p), "%s/s.csv", th_tmp);
	ck_assert_int_eq(sipp_stat(p, &ok, &failed), 0);
	ck_assert_int_eq(ok, 1);
	ck_assert_int_eq(failed, 0);
	th_put("t.csv", "StartTime;LastResetTime;\na;b;\n");
	snprintf(p, sizeof(p), "%s/t.csv", th_tmp);
	ck_assert_int_eq(sipp_stat(p, &ok, &failed), -1);
	ck_assert_int_eq(ok, -1);
	ck_assert_int_eq(sipp_stat("/nonexistent", &ok, &failed), -1);

#define SEP "----------------------------------------------- 2026-12-02 17:57:35.703672\n"
	th_put("m.log", SEP "UDP message sent (3 bytes):\n\nINVITE\n"
	    SEP "UDP message received [3] bytes :\n\nSIP/2.0 100\n"
	    "X-Hostile: UDP message received [9] bytes :\n"
	    "UDP message received [9] bytes :\n"
	    SEP "TCP message received [3] bytes :\n\nSIP/2.0 200\n");
#undef SEP
	snprintf(p, sizeof(p), "%s/m.log", th_tmp);
	/* what the target's own text says is no message */
	ck_assert_int_eq(sipp_received(p), 2);
	ck_assert_int_eq(sipp_received("/nonexistent"), -1);

	th_put("e.log", "The following events occurred:\n"
	    "2026-11-24\t23:59:01.851325\t1795564741.851325: Aborting call on unexpected message\n");
	snprintf(p, sizeof(p), "%s/e.log", th_tmp);
	sipp_first_error(p, buf, sizeof(buf));
	ck_assert_str_eq(buf, "Aborting call on unexpected message");

	th_put("x.xml", "<scenario>\n<recv response=\"200\"><action>\n"
	    "<ereg regexp=\"state=EARLY\" search_in=\"hdr\" header=\"X-SS-State:\" check_it=\"true\" assign_to=\"a\"/>\n"
	    "<ereg regexp=\"Max-Forwards: 69\" search_in=\"msg\" check_it=\"true\" assign_to=\"b\"/>\n"
	    "<ereg regexp=\"state=CONFIRMED\" search_in=\"hdr\" header=\"X-SS-State:\" check_it=\"true\" assign_to=\"c\"/>\n"
	    "<test assign_to=\"d\" variable=\"ss_x\" compare=\"not_equal\" value=\"0\" check_it=\"true\"/>\n"
	    "<test assign_to=\"e\" variable=\"x\" compare=\"equal\" value=\"0\" check_it=\"true\"/>\n"
	    "</action></recv></scenario>\n");
	snprintf(p, sizeof(p), "%s/x.xml", th_tmp);
	snprintf(q, sizeof(q), "%s/y.xml", th_tmp);
	ck_assert_int_eq(sipp_scenario_copy(p, q, true, err, sizeof(err)), 3);
	ck_assert_int_eq(sipp_scenario_copy(p, q, false, err, sizeof(err)), 3);
	char *text = text_file_read(q, NULL);

	ck_assert_ptr_nonnull(text);
	/* the state checks lose check_it; the wire check keeps it */
	ck_assert_ptr_nonnull(strstr(text, "header=\"X-SS-State:\" assign_to=\"a\""));
	ck_assert_ptr_nonnull(strstr(text, "search_in=\"msg\" check_it=\"true\" assign_to=\"b\""));
	ck_assert_ptr_nonnull(strstr(text, "header=\"X-SS-State:\" assign_to=\"c\""));
	ck_assert_ptr_nonnull(strstr(text, "variable=\"ss_x\" compare=\"not_equal\" value=\"0\"/>"));
	ck_assert_ptr_nonnull(strstr(text, "variable=\"x\" compare=\"equal\" value=\"0\" check_it=\"true\"/>"));
	th_put("n.xml", "hello");
	snprintf(p, sizeof(p), "%s/n.xml", th_tmp);
	ck_assert_int_eq(sipp_scenario_copy(p, q, true, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "not XML"));
	th_put("o.xml", "<?xml version=\"1.0\"?>\n<notes><ereg/></notes>\n");
	snprintf(p, sizeof(p), "%s/o.xml", th_tmp);
	ck_assert_int_eq(sipp_scenario_copy(p, q, true, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "not a SIPp scenario"));
	/* XML is XML: a tab before an attribute, attributes in another order,
	 * single quotes, an entity; the CDATA of a message kept as it was */
	th_put("t.xml", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
	    "<!DOCTYPE scenario SYSTEM \"sipp.dtd\">\n<scenario>\n"
	    "<send><![CDATA[\n  INVITE sip:b@h SIP/2.0\n  X-A: <&>\n]]></send>\n"
	    "<recv response=\"180\"><action>\n"
	    "<ereg\tcheck_it=\"true\" assign_to='a' header=\"X-SS-State:\"\n"
	    "      search_in=\"hdr\" regexp=\"state=EARLY&amp;\"/>\n"
	    "</action></recv></scenario>\n");
	snprintf(p, sizeof(p), "%s/t.xml", th_tmp);
	ck_assert_int_eq(sipp_scenario_copy(p, q, true, err, sizeof(err)), 1);
	free(text);
	text = text_file_read(q, NULL);
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_null(strstr(text, "check_it"));
	ck_assert_ptr_nonnull(strstr(text, "<![CDATA[\n  INVITE sip:b@h SIP/2.0\n  X-A: <&>\n]]>"));
	ck_assert_ptr_nonnull(strstr(text, "sstck-expect 1 {[$sstck_m1]} {[$sstck_h1]}"));
	ck_assert_ptr_nonnull(strstr(text, "regexp=\"state=EARLY&amp;\" search_in=\"hdr\""));
	free(text);
	th_rm_tmp();
}
END_TEST

void th_sipp(TCase *tc)
{
	tcase_add_test(tc, sipp_files);
}
