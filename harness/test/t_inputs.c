/**
 * @file harness/test/t_inputs.c  the harness's unit tests of its inputs: the
 * rules catalog, manifests, target descriptions, kits and Kamailio's configs.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "th.h"

/* --- rules ------------------------------------------------------------ */

START_TEST(rules_catalog)
{
	const struct rule *r;

	th_load_rules();
	ck_assert_uint_ge(th_rules.n, 150);
	r = rules_find(&th_rules, "PROXY-02");
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->group, "PROXY");
	ck_assert_int_eq(r->obs, OBS_WIRE);
	ck_assert_int_eq(rules_find(&th_rules, "SS-STATE-01")->obs, OBS_STATE);
	ck_assert_ptr_null(rules_find(&th_rules, "NO-SUCH-1"));
	rules_free(&th_rules);
}
END_TEST

START_TEST(rules_malformed)
{
	char err[SSTCK_TEXT], p[300];
	struct ruleset rs;

	th_mk_tmp();
	th_put("r.tsv", "# header\nX-1\tX\t1\tQ\t1.1\tspec\tsummary\n");
	snprintf(p, sizeof(p), "%s/r.tsv", th_tmp);
	ck_assert_int_eq(rules_load(&rs, p, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "r.tsv:2:"));
	ck_assert_int_eq(rules_load(&rs, "/nonexistent.tsv", err, sizeof(err)), -1);
	th_rm_tmp();
}
END_TEST

/* --- manifests -------------------------------------------------------- */

static const char good_ini[] =
	"[case]\nsummary = a case\nrules = PROXY-02 SS-STATE-23\n\n"
	"[ref]\napp = fork\nargs = --target sip:bob@{a} --target sip:bob@{b}\ntransport = tcp\n\n"
	"[agent.a]\nrole = uas\nscenario = a.xml\nstart = 1\n\n"
	"[agent.b]\nrole = uas\nscenario = a.xml\nstart = 2\n\n"
	"[agent.caller]\nrole = uac\nscenario = c.xml\nstart = 3\n\n"
	"[expect]\nderived = 1\n";

START_TEST(manifest_good)
{
	struct manifest m;
	char err[SSTCK_TEXT] = "";

	th_load_rules();
	th_mk_tmp();
	th_put("case.ini", good_ini);
	th_put("a.xml", "<scenario/>");
	th_put("c.xml", "<scenario/>");
	ck_assert_msg(!manifest_load(&m, th_tmp, "g/c", &th_rules, err, sizeof(err)), "%s", err);
	ck_assert_str_eq(m.summary, "a case");
	ck_assert_uint_eq(m.nrules, 2);
	ck_assert_str_eq(m.rules[1], "SS-STATE-23");
	ck_assert_str_eq(m.app, "fork");
	ck_assert(m.tcp);
	ck_assert_uint_eq(m.nagents, 3);
	ck_assert_str_eq(m.agents[2].name, "caller");
	ck_assert_int_eq(m.agents[2].role, ROLE_UAC);
	ck_assert_int_eq(m.agents[1].start, 2);
	ck_assert_int_eq(m.expect_derived, 1);
	th_rm_tmp();
	rules_free(&th_rules);
}
END_TEST

/* Each broken manifest, and the words its error must contain. */
static const struct {
	const char *ini, *want;
} bad[] = {
	{ "[case\nsummary = x\n", "case.ini:1:" },
	{ "[case]\nsummary = x\nrules = PROXY-02\ncolour = red\n", "no key 'colour'" },
	{ "[case]\nsummary = x\nrules = NOT-A-RULE-9\n[ref]\napp = proxy\n"
	  "[agent.c]\nrole = uac\nscenario = c.xml\nstart = 1\n", "NOT-A-RULE-9 is not in" },
	{ "[case]\nrules = PROXY-02\n[ref]\napp = proxy\n"
	  "[agent.c]\nrole = uac\nscenario = c.xml\nstart = 1\n", "summary is missing" },
	{ "[case]\nsummary = x\nrules = PROXY-02\n[ref]\napp = proxy\n"
	  "[agent.c]\nrole = client\nscenario = c.xml\nstart = 1\n", "role must be uas or uac" },
	{ "[case]\nsummary = x\nrules = PROXY-02\n[ref]\napp = proxy\n"
	  "[agent.c]\nrole = uac\nscenario = missing.xml\nstart = 1\n", "missing.xml" },
	{ "[case]\nsummary = x\nrules = PROXY-02\n[ref]\napp = proxy\n"
	  "[agent.c]\nrole = uas\nscenario = c.xml\nstart = 1\n", "no agent has role uac" },
	{ "[case]\nsummary = x\nrules = PROXY-02\n[ref]\napp = proxy\nargs = --target {z}\n"
	  "[agent.c]\nrole = uac\nscenario = c.xml\nstart = 1\n", "{z} is not an agent" },
	{ "[case]\nsummary = x\nrules = PROXY-02\n[ref]\napp = proxy\ntransport = sctp\n", "udp or tcp" },
	{ "[case]\nsummary = x\nrules = PROXY-02\n[ref]\napp = proxy\n"
	  "[agent.c]\nrole = uac\nscenario = c.xml\nstart = soon\n", "start must be a number" },
	{ "[case]\nsummary = x\nrules = PROXY-02\n[ref]\napp = proxy\n"
	  "[agent.c]\nrole = uac\nscenario = ../c.xml\nstart = 1\n", "not a file name" },
	{ "[case]\nsummary = x\nrules = PROXY-02\n[cases]\nsummary = y\n", "unknown section [cases]" },
	{ "[case]\nsummary = x\nrules = PROXY-02\n[ref]\napp = proxy\n", "no [agent.NAME]" },
	{ "[case]\nsummary = x\nrules = PROXY-02\n[ref]\napp = proxy\n"
	  "[agent.c]\nrole = uac\nscenario = c.xml\nstart = 1\n[expect]\nderived = many\n", "derived must be" },
	{ "[case]\nsummary = x\nrules = PROXY-02\n[ref]\napp = c\n[agent.c]\nrole = uas\n"
	  "scenario = c.xml\nstart = 1\n[http.a]\nrequest = FETCH /x\n", "request must be METHOD" },
	{ "[case]\nsummary = x\nrules = PROXY-02\n[ref]\napp = c\n[agent.c]\nrole = uas\n"
	  "scenario = c.xml\nstart = 1\n[http.a]\nrequest = GET /x\nexpect = phase is up\n",
	  "expect must be PATH = VALUE" },
	{ "[case]\nsummary = x\nrules = PROXY-02\n[ref]\napp = c\n[agent.c]\nrole = uas\n"
	  "scenario = c.xml\nstart = 1\n[http.a]\nstatus = 200\n", "[http.a] needs a request" },
	{ "[case]\nsummary = x\nrules = PROXY-02\n[ref]\napp = c\n[agent.c]\nrole = uas\n"
	  "scenario = c.xml\nstart = 1\n[http.a]\nrequest = GET /x\nuntil = forever\n", "until must be" },
	{ "[case]\nsummary = x\nrules = PROXY-02\n[ref]\napp = c\n[agent.c]\nrole = uas\n"
	  "scenario = c.xml\nstart = 1\n[http.a]\nrequest = GET /x\ncookie = maybe\n", "keep or none" },
	{ "[case]\nsummary = x\nrules = PROXY-02\n[ref]\napp = c\n[agent.c]\nrole = uas\n"
	  "scenario = c.xml\nstart = 1\n[http.a]\nrequest = GET /x\npause = soon\n", "pause must be" },
	{ "[case]\nsummary = x\napi = 3.0\nrules = PROXY-02\n[ref]\napp = c\n[agent.c]\nrole = uas\n"
	  "scenario = c.xml\nstart = 1\n", "api must be 1.1 or 2.0" },
	{ "[case]\nsummary = xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n", "case.ini:2: longer than" },
};

START_TEST(manifest_bad)
{
	struct manifest m;
	char err[SSTCK_TEXT] = "";

	th_load_rules();
	th_mk_tmp();
	th_put("c.xml", "<scenario/>");
	th_put("case.ini", bad[_i].ini);
	ck_assert_int_eq(manifest_load(&m, th_tmp, "g/c", &th_rules, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, bad[_i].want), "case %d: '%s' lacks '%s'", _i, err, bad[_i].want);
	ck_assert_msg(strstr(err, "case.ini"), "the error names the file: %s", err);
	th_rm_tmp();
	rules_free(&th_rules);
}
END_TEST

/* A converged case: HTTP steps in file order, and no uac agent needed. */
START_TEST(manifest_http)
{
	struct manifest m;
	char err[SSTCK_TEXT] = "";

	th_load_rules();
	th_mk_tmp();
	th_put("a.xml", "<scenario/>");
	th_put("case.ini", "[case]\nsummary = c2c\nrules = B2B-12\n[ref]\napp = click-to-call\n"
	    "[agent.a]\nrole = uas\nscenario = a.xml\nstart = 1\n"
	    "[http.call]\nrequest = POST /calls\nbody = {\"from\": \"sip:a@{a}\"}\n"
	    "status = 201\nexpect = id ~ ^as-\nexpect = legs.# = 2\nsave = call id\n"
	    "[http.after]\nrequest = GET {url}\nuntil = 5\ncookie = none\npause = 900\n");
	ck_assert_msg(!manifest_load(&m, th_tmp, "g/c", &th_rules, err, sizeof(err)), "%s", err);
	ck_assert_uint_eq(m.nhttp, 2);
	ck_assert_str_eq(m.http[0].name, "call");
	ck_assert_str_eq(m.http[0].method, "POST");
	ck_assert_str_eq(m.http[0].path, "/calls");
	ck_assert_str_eq(m.http[0].body, "{\"from\": \"sip:a@{a}\"}");
	ck_assert_int_eq(m.http[0].status, 201);
	ck_assert_uint_eq(m.http[0].nexpect, 2);
	ck_assert_str_eq(m.http[0].save[0], "call id");
	ck_assert_str_eq(m.http[1].path, "{url}");
	ck_assert_int_eq(m.http[1].until_s, 5);
	ck_assert_int_eq(m.http[1].pause_ms, 900);
	ck_assert_int_eq(m.http[0].pause_ms, 0);
	ck_assert(m.http[1].no_cookie);
	ck_assert(!m.http[0].no_cookie);
	th_rm_tmp();
	rules_free(&th_rules);
}
END_TEST

/* The JSON expectations of an HTTP step. */
START_TEST(http_expectations)
{
	json_error_t je;
	json_t *b = json_loads("{\"id\": \"as-12\", \"n\": 3, \"ok\": false, \"z\": null,"
			       " \"legs\": [{\"state\": \"CONFIRMED\"}, {\"state\": \"EARLY\"}]}",
			       0, &je);
	char why[256];

	ck_assert_ptr_nonnull(b);
	ck_assert(http_expect(b, "id = as-12", why, sizeof(why)));
	ck_assert(!http_expect(b, "id = as-13", why, sizeof(why)));
	ck_assert_msg(strstr(why, "'as-12'") != NULL, "%s", why);
	ck_assert(http_expect(b, "id != as-13", why, sizeof(why)));
	ck_assert(!http_expect(b, "id != as-12", why, sizeof(why)));
	ck_assert(http_expect(b, "id ~ ^as-[0-9]+$", why, sizeof(why)));
	ck_assert(!http_expect(b, "id ~ ^hs-", why, sizeof(why)));
	ck_assert(http_expect(b, "n = 3", why, sizeof(why)));
	ck_assert(http_expect(b, "ok = false", why, sizeof(why)));
	ck_assert(http_expect(b, "z = null", why, sizeof(why)));
	ck_assert(http_expect(b, "legs.# = 2", why, sizeof(why)));
	ck_assert(http_expect(b, "legs.1.state = EARLY", why, sizeof(why)));
	ck_assert(!http_expect(b, "legs.2.state = EARLY", why, sizeof(why)));
	ck_assert_msg(strstr(why, "no such value") != NULL, "%s", why);
	ck_assert(!http_expect(b, "legs.x.state = EARLY", why, sizeof(why)));
	ck_assert(!http_expect(b, "id ~ (", why, sizeof(why)));
	ck_assert(!http_expect(b, "nothing here", why, sizeof(why)));
	ck_assert(http_expect(b, "legs has x", why, sizeof(why)) == false);
	json_decref(b);
	b = json_loads("{\"l\": [\"as-1\", \"as-2\"], \"o\": [{\"id\": \"ss-9\"}]}", 0, &je);
	ck_assert_ptr_nonnull(b);
	ck_assert(http_expect(b, "l has as-2", why, sizeof(why)));
	ck_assert(!http_expect(b, "l has as-3", why, sizeof(why)));
	ck_assert(http_expect(b, "o has ss-9", why, sizeof(why)));
	ck_assert(!http_expect(b, "id has ss-9", why, sizeof(why)));
	json_decref(b);
}
END_TEST

START_TEST(manifest_missing)
{
	struct manifest m;
	char err[SSTCK_TEXT];

	ck_assert_int_eq(manifest_load(&m, "/nonexistent/case", "x", NULL, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/case/case.ini"));
}
END_TEST

/* --- targets ---------------------------------------------------------- */

START_TEST(targets)
{
	struct target t;
	struct manifest m;
	char err[SSTCK_TEXT], why[SSTCK_TEXT];

	ck_assert_msg(!target_open(&t, "ref", ".", NULL, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(t.kind, TARGET_REF);
	ck_assert(t.state_header && t.trace && t.all_apps);
	ck_assert_msg(!target_open(&t, "kamailio", ".", NULL, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(t.kind, TARGET_KAMAILIO);
	ck_assert(!t.state_header && !t.trace);
	memset(&m, 0, sizeof(m));
	strcpy(m.app, "fork");
	strcpy(m.args, "--target sip:a@{a} --target sip:b@{b}");
	ck_assert(target_plays(&t, &m, why, sizeof(why)));
	strcpy(m.args, "--sequential --target sip:a@{a}");
	ck_assert(!target_plays(&t, &m, why, sizeof(why)));
	ck_assert_ptr_nonnull(strstr(why, "--sequential"));
	strcpy(m.app, "b2bua");
	ck_assert(!target_plays(&t, &m, why, sizeof(why)));
	ck_assert_ptr_nonnull(strstr(why, "b2bua"));

	ck_assert(!target_open(&t, "127.0.0.1:5099", ".", NULL, err, sizeof(err)));
	ck_assert_int_eq(t.kind, TARGET_REMOTE);
	ck_assert_int_eq(t.port, 5099);
	ck_assert(t.state_header && !t.trace);
	ck_assert(!target_open(&t, "127.0.0.1:5099", ".", "wire", err, sizeof(err)));
	ck_assert(!t.state_header);
	ck_assert_int_eq(target_open(&t, "192.0.2.1:5060", ".", NULL, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "loopback"));
	ck_assert_int_eq(target_open(&t, "127.0.0.1:0", ".", NULL, err, sizeof(err)), -1);
	ck_assert_int_eq(target_open(&t, "opensips", ".", NULL, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "no description"));
	ck_assert_int_eq(target_open(&t, "ref", ".", "psychic", err, sizeof(err)), -1);

	/* a kit's container: started once, reached like a remote one */
	ck_assert_msg(!target_open(&t, "cipango", ".", NULL, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(t.kind, TARGET_KIT);
	ck_assert(target_shared(&t) && t.state_header && t.trace && t.app_header);
	ck_assert_str_eq(t.kit.env, "CIPANGO_KIT");
	ck_assert(t.kit.build[0] && t.kit.run[0] && t.kit.ready[0]);
	ck_assert_ptr_nonnull(strstr(t.cf, "CF-19=1"));
	ck_assert_ptr_nonnull(strstr(t.kit.java, "routeOutgoingRequests=false"));
	ck_assert_msg(!target_open(&t, "ref-other-side", ".", NULL, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(t.kind, TARGET_REF);
	ck_assert_ptr_nonnull(strstr(t.ref_args, "--opt cf19_cancel_follows_branches=1"));
	ck_assert(!target_shared(&t));
}
END_TEST

/* a description that says start = kit and not how */
START_TEST(kit_description)
{
	struct target t;
	char err[SSTCK_TEXT], dir[300];

	th_mk_tmp();
	snprintf(dir, sizeof(dir), "%s/harness", th_tmp);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	snprintf(dir, sizeof(dir), "%s/harness/targets", th_tmp);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	th_put("harness/targets/half.ini", "[target]\nstart = kit\n[kit]\nrun = r.sh\n");
	ck_assert_int_eq(target_open(&t, "half", th_tmp, NULL, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "needs [kit]"));
	th_put("harness/targets/odd.ini", "[target]\nstart = kit\n[kit]\ncolour = blue\n");
	ck_assert_int_eq(target_open(&t, "odd", th_tmp, NULL, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "no key 'colour'"));
	th_rm_tmp();
}
END_TEST

/* a case's part of a run-wide trace: by its Call-IDs, their application
 * sessions and every session of those; not another case's */
START_TEST(kit_trace_slices)
{
	struct manifest m;
	char shared[300], p[300], *got;
	size_t events, pending;

	th_mk_tmp();
	memset(&m, 0, sizeof(m));
	m.nagents = 2;
	strcpy(m.agents[0].name, "caller");
	strcpy(m.agents[1].name, "callee");
	th_put("caller.msg.log", "UDP message sent (3 bytes):\n\nINVITE sip:b@h SIP/2.0\n"
	    "Call-ID: 1-100@127.0.0.1\r\nCSeq: 1 INVITE\n");
	th_put("callee.msg.log", "UDP message received [3] bytes :\n\nINVITE sip:b@h SIP/2.0\n"
	    "i: leg-2@container \nCSeq: 1 INVITE\n");
	th_put("all.jsonl",
	    "{\"ev\":\"sas-created\",\"sas\":\"A\",\"seq\":1,\"t\":0}\n"
	    "{\"ev\":\"sas-created\",\"sas\":\"B\",\"seq\":2,\"t\":0}\n"
	    "{\"ev\":\"ss-created\",\"sas\":\"A\",\"ss\":\"a1\",\"call\":\"1-100@127.0.0.1\",\"seq\":3,\"t\":0}\n"
	    "{\"ev\":\"ss-created\",\"sas\":\"B\",\"ss\":\"b1\",\"call\":\"9-999@127.0.0.1\",\"seq\":4,\"t\":0}\n"
	    "{\"ev\":\"ss-created\",\"sas\":\"A\",\"ss\":\"a2\",\"call\":\"leg-2@container\",\"seq\":5,\"t\":0}\n"
	    "{\"ev\":\"ss-ready\",\"sas\":\"A\",\"ss\":\"a1\",\"state\":\"TERMINATED\",\"seq\":6,\"t\":0}\n"
	    "{\"ev\":\"ss-invalidated\",\"ss\":\"a1\",\"seq\":7,\"t\":0}\n"
	    "{\"ev\":\"ss-ready\",\"sas\":\"B\",\"ss\":\"b1\",\"seq\":8,\"t\":0}\n"
	    "not json\n");
	snprintf(shared, sizeof(shared), "%s/all.jsonl", th_tmp);
	ck_assert_int_eq(kit_trace_slice(shared, &m, th_tmp, &events, &pending), 0);
	ck_assert_uint_eq(events, 5);
	ck_assert_uint_eq(pending, 1);         /* a2: neither ready nor invalidated */
	snprintf(p, sizeof(p), "%s/trace.jsonl", th_tmp);
	got = text_file_read(p, NULL);
	ck_assert_ptr_nonnull(got);
	ck_assert_ptr_nonnull(strstr(got, "\"ss\":\"a2\""));
	ck_assert_ptr_nonnull(strstr(got, "\"ev\":\"ss-invalidated\",\"ss\":\"a1\""));
	ck_assert_ptr_null(strstr(got, "\"B\""));
	ck_assert_ptr_null(strstr(got, "b1"));
	ck_assert_ptr_null(strstr(got, "not json"));
	free(got);
	ck_assert_int_eq(kit_trace_slice("/nonexistent", &m, th_tmp, &events, &pending), -1);
	th_rm_tmp();
}
END_TEST

/* how each state check came out, from the scenario copy's list and
 * SIPp's log */
START_TEST(expectations)
{
	struct agent_facts a;

	th_mk_tmp();
	memset(&a, 0, sizeof(a));
	strcpy(a.name, "caller");
	th_put("caller.xml.expect", "1\tereg\t180\tstate=EARLY\n2\tereg\t200\tstate=CONFIRMED\n"
	    "3\tereg\t100\tstate=INITIAL\n4\tereg\t487\tstate=TERMINATED\n"
	    "5\ttest\tBYE\ttest of ss_x\n6\tereg\t200\tstate=TERMINATED\nbroken line\n");
	th_put("caller.log", "sstck-expect 1 {state=EARLY} {id=s;state=EARLY;role=PROXY}\n"
	    "sstck-expect 2 {} {id=s;state=EARLY;role=PROXY}\n"
	    "sstck-expect 3 {} {}\n"
	    "sstck-expect 4 {} {id=s;state=INITIAL;role=PROXY;valid=1;at=app}\n"
	    "sstck-expect 5 {true} {}\n");
	sipp_expectations(th_tmp, &a);
	ck_assert_int_eq(a.exp_held, 2);
	ck_assert_int_eq(a.exp_failed, 1);
	ck_assert_int_eq(a.exp_unstamped, 1);
	ck_assert_int_eq(a.exp_app, 1);
	ck_assert_int_eq(a.exp_unreached, 1);
	ck_assert_ptr_nonnull(strstr(a.exp_first, "on 200: X-SS-State expected /state=CONFIRMED/"));
	th_rm_tmp();
}
END_TEST

START_TEST(kamailio_config)
{
	char err[SSTCK_TEXT];
	char *c = target_kamailio_config("listen=udp:127.0.0.1:5060\nlisten=tcp:127.0.0.1:5060\n"
					 "route {\n@BRANCHES@\n}\n", 4242,
					 "--target sip:a@127.0.0.1:1 --target sip:b@127.0.0.1:2",
					 err, sizeof(err));

	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_nonnull(strstr(c, "listen=udp:127.0.0.1:4242\nlisten=tcp:127.0.0.1:4242\n"));
	ck_assert_ptr_nonnull(strstr(c, "$ru = \"sip:a@127.0.0.1:1\";"));
	ck_assert_ptr_nonnull(strstr(c, "append_branch(\"sip:b@127.0.0.1:2\");"));
	ck_assert_ptr_null(strstr(c, "@BRANCHES@"));
	free(c);
	ck_assert_ptr_null(target_kamailio_config("@BRANCHES@", 1, "", err, sizeof(err)));
	ck_assert_ptr_null(target_kamailio_config("@BRANCHES@", 1, "--target sip:\"x", err, sizeof(err)));
}
END_TEST

void th_inputs(TCase *tc)
{
	tcase_add_test(tc, rules_catalog);
	tcase_add_test(tc, rules_malformed);
	tcase_add_test(tc, manifest_good);
	tcase_add_loop_test(tc, manifest_bad, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, manifest_missing);
	tcase_add_test(tc, manifest_http);
	tcase_add_test(tc, http_expectations);
	tcase_add_test(tc, targets);
	tcase_add_test(tc, kit_description);
	tcase_add_test(tc, kit_trace_slices);
	tcase_add_test(tc, expectations);
	tcase_add_test(tc, kamailio_config);
}
