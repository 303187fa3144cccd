/**
 * @file harness/test/t_harness.c  unit tests of the harness itself
 * (check-sstck): manifests, rules, targets, ports, processes, SIPp artifacts,
 * verdicts and escaping. Run from the top of the tree (make check does).
 */
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sstck.h"

static char tmp[256];

static void mk_tmp(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/check-sstck.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
}

static void rm_tmp(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	ck_assert_int_eq(system(cmd), 0);
}

static void put(const char *name, const char *text)
{
	char p[512];
	FILE *fp;

	snprintf(p, sizeof(p), "%s/%s", tmp, name);
	fp = fopen(p, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	fclose(fp);
}

static struct ruleset rules;

static void load_rules(void)
{
	char err[SSTCK_TEXT];

	ck_assert_msg(!rules_load(&rules, "conformance/rules.tsv", err, sizeof(err)), "%s", err);
}

/* --- rules ------------------------------------------------------------ */

START_TEST(rules_catalog)
{
	const struct rule *r;

	load_rules();
	ck_assert_uint_ge(rules.n, 150);
	r = rules_find(&rules, "PROXY-02");
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->group, "PROXY");
	ck_assert_int_eq(r->obs, OBS_WIRE);
	ck_assert_int_eq(rules_find(&rules, "SS-STATE-01")->obs, OBS_STATE);
	ck_assert_ptr_null(rules_find(&rules, "NO-SUCH-1"));
	rules_free(&rules);
}
END_TEST

START_TEST(rules_malformed)
{
	char err[SSTCK_TEXT], p[300];
	struct ruleset rs;

	mk_tmp();
	put("r.tsv", "# header\nX-1\tX\t1\tQ\t1.1\tspec\tsummary\n");
	snprintf(p, sizeof(p), "%s/r.tsv", tmp);
	ck_assert_int_eq(rules_load(&rs, p, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "r.tsv:2:"));
	ck_assert_int_eq(rules_load(&rs, "/nonexistent.tsv", err, sizeof(err)), -1);
	rm_tmp();
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

	load_rules();
	mk_tmp();
	put("case.ini", good_ini);
	put("a.xml", "<scenario/>");
	put("c.xml", "<scenario/>");
	ck_assert_msg(!manifest_load(&m, tmp, "g/c", &rules, err, sizeof(err)), "%s", err);
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
	rm_tmp();
	rules_free(&rules);
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
	{ "[case]\nsummary = xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n", "case.ini:2: longer than" },
};

START_TEST(manifest_bad)
{
	struct manifest m;
	char err[SSTCK_TEXT] = "";

	load_rules();
	mk_tmp();
	put("c.xml", "<scenario/>");
	put("case.ini", bad[_i].ini);
	ck_assert_int_eq(manifest_load(&m, tmp, "g/c", &rules, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, bad[_i].want), "case %d: '%s' lacks '%s'", _i, err, bad[_i].want);
	ck_assert_msg(strstr(err, "case.ini"), "the error names the file: %s", err);
	rm_tmp();
	rules_free(&rules);
}
END_TEST

/* A converged case: HTTP steps in file order, and no uac agent needed. */
START_TEST(manifest_http)
{
	struct manifest m;
	char err[SSTCK_TEXT] = "";

	load_rules();
	mk_tmp();
	put("a.xml", "<scenario/>");
	put("case.ini", "[case]\nsummary = c2c\nrules = B2B-12\n[ref]\napp = click-to-call\n"
	    "[agent.a]\nrole = uas\nscenario = a.xml\nstart = 1\n"
	    "[http.call]\nrequest = POST /calls\nbody = {\"from\": \"sip:a@{a}\"}\n"
	    "status = 201\nexpect = id ~ ^as-\nexpect = legs.# = 2\nsave = call id\n"
	    "[http.after]\nrequest = GET {url}\nuntil = 5\ncookie = none\n");
	ck_assert_msg(!manifest_load(&m, tmp, "g/c", &rules, err, sizeof(err)), "%s", err);
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
	ck_assert(m.http[1].no_cookie);
	ck_assert(!m.http[0].no_cookie);
	rm_tmp();
	rules_free(&rules);
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

	mk_tmp();
	snprintf(dir, sizeof(dir), "%s/harness", tmp);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	snprintf(dir, sizeof(dir), "%s/harness/targets", tmp);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	put("harness/targets/half.ini", "[target]\nstart = kit\n[kit]\nrun = r.sh\n");
	ck_assert_int_eq(target_open(&t, "half", tmp, NULL, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "needs [kit]"));
	put("harness/targets/odd.ini", "[target]\nstart = kit\n[kit]\ncolour = blue\n");
	ck_assert_int_eq(target_open(&t, "odd", tmp, NULL, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "no key 'colour'"));
	rm_tmp();
}
END_TEST

/* a case's part of a run-wide trace: by its Call-IDs, their application
 * sessions and every session of those; not another case's */
START_TEST(kit_trace_slices)
{
	struct manifest m;
	char shared[300], p[300], *got;
	size_t events, pending;

	mk_tmp();
	memset(&m, 0, sizeof(m));
	m.nagents = 2;
	strcpy(m.agents[0].name, "caller");
	strcpy(m.agents[1].name, "callee");
	put("caller.msg.log", "UDP message sent (3 bytes):\n\nINVITE sip:b@h SIP/2.0\n"
	    "Call-ID: 1-100@127.0.0.1\r\nCSeq: 1 INVITE\n");
	put("callee.msg.log", "UDP message received [3] bytes :\n\nINVITE sip:b@h SIP/2.0\n"
	    "i: leg-2@container \nCSeq: 1 INVITE\n");
	put("all.jsonl",
	    "{\"ev\":\"sas-created\",\"sas\":\"A\",\"seq\":1,\"t\":0}\n"
	    "{\"ev\":\"sas-created\",\"sas\":\"B\",\"seq\":2,\"t\":0}\n"
	    "{\"ev\":\"ss-created\",\"sas\":\"A\",\"ss\":\"a1\",\"call\":\"1-100@127.0.0.1\",\"seq\":3,\"t\":0}\n"
	    "{\"ev\":\"ss-created\",\"sas\":\"B\",\"ss\":\"b1\",\"call\":\"9-999@127.0.0.1\",\"seq\":4,\"t\":0}\n"
	    "{\"ev\":\"ss-created\",\"sas\":\"A\",\"ss\":\"a2\",\"call\":\"leg-2@container\",\"seq\":5,\"t\":0}\n"
	    "{\"ev\":\"ss-ready\",\"sas\":\"A\",\"ss\":\"a1\",\"state\":\"TERMINATED\",\"seq\":6,\"t\":0}\n"
	    "{\"ev\":\"ss-invalidated\",\"ss\":\"a1\",\"seq\":7,\"t\":0}\n"
	    "{\"ev\":\"ss-ready\",\"sas\":\"B\",\"ss\":\"b1\",\"seq\":8,\"t\":0}\n"
	    "not json\n");
	snprintf(shared, sizeof(shared), "%s/all.jsonl", tmp);
	ck_assert_int_eq(kit_trace_slice(shared, &m, tmp, &events, &pending), 0);
	ck_assert_uint_eq(events, 5);
	ck_assert_uint_eq(pending, 1);         /* a2: neither ready nor invalidated */
	snprintf(p, sizeof(p), "%s/trace.jsonl", tmp);
	got = text_file_read(p, NULL);
	ck_assert_ptr_nonnull(got);
	ck_assert_ptr_nonnull(strstr(got, "\"ss\":\"a2\""));
	ck_assert_ptr_nonnull(strstr(got, "\"ev\":\"ss-invalidated\",\"ss\":\"a1\""));
	ck_assert_ptr_null(strstr(got, "\"B\""));
	ck_assert_ptr_null(strstr(got, "b1"));
	ck_assert_ptr_null(strstr(got, "not json"));
	free(got);
	ck_assert_int_eq(kit_trace_slice("/nonexistent", &m, tmp, &events, &pending), -1);
	rm_tmp();
}
END_TEST

/* how each state check came out, from the scenario copy's list and
 * SIPp's log */
START_TEST(expectations)
{
	struct agent_facts a;

	mk_tmp();
	memset(&a, 0, sizeof(a));
	strcpy(a.name, "caller");
	put("caller.xml.expect", "1\tereg\t180\tstate=EARLY\n2\tereg\t200\tstate=CONFIRMED\n"
	    "3\tereg\t100\tstate=INITIAL\n4\tereg\t487\tstate=TERMINATED\n"
	    "5\ttest\tBYE\ttest of ss_x\n6\tereg\t200\tstate=TERMINATED\nbroken line\n");
	put("caller.log", "sstck-expect 1 {state=EARLY} {id=s;state=EARLY;role=PROXY}\n"
	    "sstck-expect 2 {} {id=s;state=EARLY;role=PROXY}\n"
	    "sstck-expect 3 {} {}\n"
	    "sstck-expect 4 {} {id=s;state=INITIAL;role=PROXY;valid=1;at=app}\n"
	    "sstck-expect 5 {true} {}\n");
	sipp_expectations(tmp, &a);
	ck_assert_int_eq(a.exp_held, 2);
	ck_assert_int_eq(a.exp_failed, 1);
	ck_assert_int_eq(a.exp_unstamped, 1);
	ck_assert_int_eq(a.exp_app, 1);
	ck_assert_int_eq(a.exp_unreached, 1);
	ck_assert_ptr_nonnull(strstr(a.exp_first, "on 200: X-SS-State expected /state=CONFIRMED/"));
	rm_tmp();
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

/* --- ports and processes ---------------------------------------------- */

START_TEST(ports)
{
	int a = proc_port_alloc(), b = proc_port_alloc(), fd;
	struct sockaddr_in sa;

	ck_assert_int_gt(a, 0);
	ck_assert_int_gt(b, 0);
	ck_assert_int_ne(a, b);
	ck_assert(!proc_port_listening(a, false));
	ck_assert(!proc_port_listening(a, true));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((unsigned short)a);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert(proc_port_listening(a, false));
	close(fd);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert(!proc_port_listening(a, true));          /* bound is not listening */
	ck_assert_int_eq(listen(fd, 1), 0);
	ck_assert(proc_port_listening(a, true));
	close(fd);
}
END_TEST

/* Cases in parallel processes draw from blocks of their own, below the
 * kernel's ephemeral range. */
START_TEST(port_blocks)
{
	FILE *fp = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
	int lo = 32768, hi = 60999, a, b;

	if (fp) {
		ck_assert_int_eq(fscanf(fp, "%d %d", &lo, &hi), 2);
		fclose(fp);
	}
	proc_port_block(3);
	a = proc_port_alloc();
	proc_port_block(4);
	b = proc_port_alloc();
	ck_assert_int_gt(a, 0);
	ck_assert_int_lt(a, lo);
	ck_assert_int_lt(b, lo);
	ck_assert_int_ge(a, 1024);
	ck_assert_int_ne(a, b);
}
END_TEST

START_TEST(proc_exit_and_timeout)
{
	char *ok[] = { "sh", "-c", "exit 7", NULL };
	char *slow[] = { "sleep", "30", NULL };
	char *none[] = { "/nonexistent/program", NULL };
	long long t0 = proc_now_ms();
	pid_t p;

	p = proc_spawn(ok, NULL, NULL);
	ck_assert_int_gt(p, 0);
	ck_assert_int_eq(proc_wait(p, proc_now_ms() + 5000), 7);
	p = proc_spawn(none, NULL, NULL);
	ck_assert_int_eq(proc_wait(p, proc_now_ms() + 5000), 127);
	p = proc_spawn(slow, NULL, NULL);
	ck_assert_int_eq(proc_wait(p, proc_now_ms() + 200), -1);     /* the deadline */
	ck_assert_int_eq(proc_stop(p, 1000), 128 + SIGTERM);
	ck_assert_int_lt(proc_now_ms() - t0, 5000);
	ck_assert_int_eq(kill(p, 0), -1);
}
END_TEST

/* A case's process group with a grandchild in the background: one kill
 * of the group stops all of it. */
START_TEST(proc_group_kill)
{
	int pfd[2];
	pid_t runner, grandchild = 0;

	ck_assert_int_eq(pipe(pfd), 0);
	runner = fork();
	if (!runner) {
		char *argv[] = { "sh", "-c", "sleep 30 & echo $! >&3; wait", NULL };

		setpgid(0, 0);
		dup2(pfd[1], 3);
		proc_spawn(argv, NULL, NULL);
		pause();
		_exit(0);
	}
	setpgid(runner, runner);
	close(pfd[1]);
	FILE *fp = fdopen(pfd[0], "r");

	ck_assert_int_eq(fscanf(fp, "%d", &grandchild), 1);
	fclose(fp);
	ck_assert_int_eq(kill(grandchild, 0), 0);
	proc_kill_group(runner);
	waitpid(runner, NULL, 0);
	/* the orphaned grandchild is reaped by init: wait for it to go */
	for (int i = 0; i < 200 && kill(-runner, 0) == 0; i++)
		usleep(10000);
	ck_assert_int_eq(kill(-runner, 0), -1);
	ck_assert_int_eq(errno, ESRCH);
}
END_TEST

/* --- SIPp's artifacts ------------------------------------------------- */

START_TEST(sipp_files)
{
	char p[300], buf[SSTCK_TEXT], err[SSTCK_TEXT], q[300];
	long ok, failed;

	mk_tmp();
	put("s.csv", "StartTime;LastResetTime;SuccessfulCall(P);SuccessfulCall(C);FailedCall(P);FailedCall(C);\n"
	    "a;b;0;0;0;0;\n" "a;b;1;1;0;0;\n");
	snprintf(p, sizeof(p), "%s/s.csv", tmp);
	ck_assert_int_eq(sipp_stat(p, &ok, &failed), 0);
	ck_assert_int_eq(ok, 1);
	ck_assert_int_eq(failed, 0);
	put("t.csv", "StartTime;LastResetTime;\na;b;\n");
	snprintf(p, sizeof(p), "%s/t.csv", tmp);
	ck_assert_int_eq(sipp_stat(p, &ok, &failed), -1);
	ck_assert_int_eq(ok, -1);
	ck_assert_int_eq(sipp_stat("/nonexistent", &ok, &failed), -1);

#define SEP "----------------------------------------------- 2026-12-02 17:57:35.703672\n"
	put("m.log", SEP "UDP message sent (3 bytes):\n\nINVITE\n"
	    SEP "UDP message received [3] bytes :\n\nSIP/2.0 100\n"
	    "X-Hostile: UDP message received [9] bytes :\n"
	    "UDP message received [9] bytes :\n"
	    SEP "TCP message received [3] bytes :\n\nSIP/2.0 200\n");
#undef SEP
	snprintf(p, sizeof(p), "%s/m.log", tmp);
	/* what the target's own text says is no message */
	ck_assert_int_eq(sipp_received(p), 2);
	ck_assert_int_eq(sipp_received("/nonexistent"), -1);

	put("e.log", "The following events occurred:\n"
	    "2026-11-24\t23:59:01.851325\t1795564741.851325: Aborting call on unexpected message\n");
	snprintf(p, sizeof(p), "%s/e.log", tmp);
	sipp_first_error(p, buf, sizeof(buf));
	ck_assert_str_eq(buf, "Aborting call on unexpected message");

	put("x.xml", "<scenario>\n<recv response=\"200\"><action>\n"
	    "<ereg regexp=\"state=EARLY\" search_in=\"hdr\" header=\"X-SS-State:\" check_it=\"true\" assign_to=\"a\"/>\n"
	    "<ereg regexp=\"Max-Forwards: 69\" search_in=\"msg\" check_it=\"true\" assign_to=\"b\"/>\n"
	    "<ereg regexp=\"state=CONFIRMED\" search_in=\"hdr\" header=\"X-SS-State:\" check_it=\"true\" assign_to=\"c\"/>\n"
	    "<test assign_to=\"d\" variable=\"ss_x\" compare=\"not_equal\" value=\"0\" check_it=\"true\"/>\n"
	    "<test assign_to=\"e\" variable=\"x\" compare=\"equal\" value=\"0\" check_it=\"true\"/>\n"
	    "</action></recv></scenario>\n");
	snprintf(p, sizeof(p), "%s/x.xml", tmp);
	snprintf(q, sizeof(q), "%s/y.xml", tmp);
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
	put("n.xml", "hello");
	snprintf(p, sizeof(p), "%s/n.xml", tmp);
	ck_assert_int_eq(sipp_scenario_copy(p, q, true, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "not XML"));
	put("o.xml", "<?xml version=\"1.0\"?>\n<notes><ereg/></notes>\n");
	snprintf(p, sizeof(p), "%s/o.xml", tmp);
	ck_assert_int_eq(sipp_scenario_copy(p, q, true, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "not a SIPp scenario"));
	/* XML is XML: a tab before an attribute, attributes in another order,
	 * single quotes, an entity; the CDATA of a message kept as it was */
	put("t.xml", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
	    "<!DOCTYPE scenario SYSTEM \"sipp.dtd\">\n<scenario>\n"
	    "<send><![CDATA[\n  INVITE sip:b@h SIP/2.0\n  X-A: <&>\n]]></send>\n"
	    "<recv response=\"180\"><action>\n"
	    "<ereg\tcheck_it=\"true\" assign_to='a' header=\"X-SS-State:\"\n"
	    "      search_in=\"hdr\" regexp=\"state=EARLY&amp;\"/>\n"
	    "</action></recv></scenario>\n");
	snprintf(p, sizeof(p), "%s/t.xml", tmp);
	ck_assert_int_eq(sipp_scenario_copy(p, q, true, err, sizeof(err)), 1);
	free(text);
	text = text_file_read(q, NULL);
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_null(strstr(text, "check_it"));
	ck_assert_ptr_nonnull(strstr(text, "<![CDATA[\n  INVITE sip:b@h SIP/2.0\n  X-A: <&>\n]]>"));
	ck_assert_ptr_nonnull(strstr(text, "sstck-expect 1 {[$sstck_m1]} {[$sstck_h1]}"));
	ck_assert_ptr_nonnull(strstr(text, "regexp=\"state=EARLY&amp;\" search_in=\"hdr\""));
	free(text);
	rm_tmp();
}
END_TEST

/* --- verdicts --------------------------------------------------------- */

static void base(struct facts *f, int nag)
{
	memset(f, 0, sizeof(*f));
	strcpy(f->target_desc, "ref");
	f->expect_derived = -1;
	f->state_header = f->trace = f->target_started = true;
	f->target_exit = 0;
	f->live_ss = 0;
	f->derived = 0;
	f->nagents = (size_t)nag;
	for (int i = 0; i < nag; i++) {
		struct agent_facts *a = &f->agents[i];

		snprintf(a->name, sizeof(a->name), "ag%d", i);
		a->role = i == nag - 1 ? ROLE_UAC : ROLE_UAS;
		a->ran = true;
		a->calls_ok = 1;
		a->received = 4;
		a->state_checks = 2;
	}
}

START_TEST(verdicts)
{
	struct facts f;
	struct judgement j;

	base(&f, 2);
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_PASSED);
	ck_assert_uint_ge(j.nchecks, 4);

	base(&f, 2);                  /* SIPp exits 0 with no call done */
	f.agents[1].calls_ok = 0;
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_FAILED);
	ck_assert_ptr_nonnull(strstr(j.reason, "0 successful"));

	base(&f, 2);                  /* no statistics: never a pass */
	f.agents[0].calls_ok = -1;
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_ERROR);

	base(&f, 2);
	f.agents[0].exit = 1;
	strcpy(f.agents[0].error, "Failed regexp match");
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_FAILED);
	ck_assert_ptr_nonnull(strstr(j.reason, "Failed regexp match"));
	ck_assert_ptr_nonnull(strstr(j.where, "ag0.err.log"));

	base(&f, 2);                  /* the target said nothing at all */
	f.agents[1].exit = 1;
	f.agents[1].received = 0;
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_ERROR);
	ck_assert_ptr_nonnull(strstr(j.reason, "did not answer"));

	base(&f, 2);
	f.agents[0].exit = 254;
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_ERROR);
	ck_assert_ptr_nonnull(strstr(j.reason, "bind"));

	base(&f, 2);
	f.agents[1].exit = 255;
	strcpy(f.agents[1].error, "Unable to load or parse 'x.xml' xml scenario file");
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_ERROR);

	base(&f, 2);                  /* SIPp's own timeout is a failure */
	f.agents[1].exit = 255;
	strcpy(f.agents[1].error, "caller timed out after '20.000' seconds");
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_FAILED);

	base(&f, 2);                  /* killed at the harness's deadline */
	f.agents[0].exit = -1;
	f.timed_out = true;
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_FAILED);
	ck_assert_ptr_nonnull(strstr(j.reason, "in time"));

	base(&f, 2);                  /* a leak */
	f.live_ss = 2;
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_FAILED);
	ck_assert_ptr_nonnull(strstr(j.reason, "2 live"));

	base(&f, 2);
	f.live_ss = -1;
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_ERROR);

	base(&f, 2);                  /* a crash on SIGTERM (e.g. ASan) */
	f.target_exit = 1;
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_FAILED);

	base(&f, 3);
	f.expect_derived = 2;
	f.derived = 1;
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_FAILED);
	ck_assert_ptr_nonnull(strstr(j.reason, "expected 2 derived"));

	base(&f, 2);                  /* a wire-only target */
	f.state_header = f.trace = f.target_started = false;
	f.expect_derived = 1;
	f.derived = f.live_ss = -1;
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_PASSED);
	int notobs = 0;

	for (size_t i = 0; i < j.nchecks; i++)
		notobs += j.checks[i].outcome == V_NOTOBS;
	ck_assert_int_eq(notobs, 3);  /* X-SS-State, leak, derived */

	base(&f, 2);
	strcpy(f.na_reason, "target kamailio does not play the b2bua application");
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_NA);     /* not applicable, not "not observable" */
	ck_assert_str_eq(judge_verdict_name(j.verdict), "not applicable");
	ck_assert_int_eq(judge_rule_verdict(V_NA, OBS_STATE, false), V_NA);

	base(&f, 2);
	strcpy(f.setup_error, "case.ini:3: oops");
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_ERROR);
	ck_assert_str_eq(j.reason, "case.ini:3: oops");

	base(&f, 2);                  /* the callee never listened: its fault first */
	f.agents[1].ran = false;
	f.agents[0].no_listen = true;
	strcpy(f.agents[0].error, "did not listen on 127.0.0.1:9");
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_ERROR);
	ck_assert_ptr_nonnull(strstr(j.reason, "did not listen"));

	base(&f, 2);
	f.interrupted = true;
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_ERROR);

	/* an agent killed by a signal we did not send: no verdict on the
	 * target, and not "the target did not answer" */
	base(&f, 2);
	f.agents[1].exit = 128 + 9;
	f.agents[1].received = 0;
	judge_facts(&f, &j);
	ck_assert_int_eq(j.verdict, V_ERROR);
	ck_assert_ptr_nonnull(strstr(j.reason, "killed by signal 9"));
}
END_TEST

START_TEST(rule_verdicts)
{
	ck_assert_int_eq(judge_rule_verdict(V_PASSED, OBS_WIRE, false), V_PASSED);
	ck_assert_int_eq(judge_rule_verdict(V_PASSED, OBS_STATE, false), V_NOTOBS);
	ck_assert_int_eq(judge_rule_verdict(V_FAILED, OBS_STATE, false), V_NOTOBS);
	ck_assert_int_eq(judge_rule_verdict(V_ERROR, OBS_STATE, false), V_ERROR);
	ck_assert_int_eq(judge_rule_verdict(V_PASSED, OBS_STATE, true), V_PASSED);
	ck_assert_int_eq(judge_rule_verdict(V_FAILED, OBS_WIRE_STAR, false), V_FAILED);
}
END_TEST

START_TEST(escaping)
{
	char buf[256];

	text_xml_escape("<script>alert('x')</script>&\"\x01", buf, sizeof(buf));
	ck_assert_str_eq(buf, "&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt;&amp;&quot;?");
	text_xml_escape("<<<<", buf, 9);            /* never cuts an entity */
	ck_assert_str_eq(buf, "&lt;&lt;");
	/* junit.xml stays well-formed whatever bytes a target sends */
	text_xml_escape("caf\xc3\xa9 \xff\xc3(\xed\xa0\x80\xe2\x82\xac", buf, sizeof(buf));
	ck_assert_str_eq(buf, "caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd(\xef\xbf\xbd"
			 "\xef\xbf\xbd\xef\xbf\xbd\xe2\x82\xac");
	/* and results.json keeps the text jansson would refuse */
	json_t *j = text_json("seen \xff\xfe");

	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(j), "seen \xef\xbf\xbd\xef\xbf\xbd");
	json_decref(j);
	ck_assert_ptr_null(json_string("seen \xff"));   /* what it fixes */
}
END_TEST

/* --- the capture from the message logs ------------------------------- */

/* A block of a SIPp -trace_msg log, as SIPp writes it. */
enum { SENT, RECV, TSENT, TRECV };

static void log_block(FILE *fp, const char *stamp, int how, const char *msg,
		      size_t len)
{
	const char *t = how == TSENT || how == TRECV ? "TCP" : "UDP";

	fprintf(fp, "----------------------------------------------- %s\n", stamp);
	if (how == SENT || how == TSENT)
		fprintf(fp, "%s message sent (%zu bytes):\n\n", t, len);
	else
		fprintf(fp, "%s message received [%zu] bytes :\n\n", t, len);
	fwrite(msg, 1, len, fp);
	fputs("\n", fp);
}

static FILE *log_open(const char *name)
{
	char p[512];
	FILE *fp;

	snprintf(p, sizeof(p), "%s/%s.msg.log", tmp, name);
	fp = fopen(p, "w");
	ck_assert_ptr_nonnull(fp);
	return fp;
}

#define T(us) "2026-12-02 10:00:00." us

static const char inv_a[] = "INVITE sip:bob@127.0.0.1:5999 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 127.0.0.1:6001;branch=z9hG4bK-1\r\nContent-Length: 0\r\n\r\n";
static const char inv_b[] = "INVITE sip:bob@127.0.0.1:6002 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-2\r\n"
	"Via: SIP/2.0/UDP 127.0.0.1:6001;branch=z9hG4bK-1\r\nContent-Length: 0\r\n\r\n";
static const char ok_b[] = "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n";
/* a target's answer that carries a block of its own, separator and all:
 * the byte count SIPp wrote is what ends it */
static const char hostile[] = "SIP/2.0 200 OK\r\nX-Evil: 1\r\n\r\n"
	"----------------------------------------------- 2026-12-02 09:00:00.000000\n"
	"UDP message sent (5 bytes):\n\nhello\n\xff\x00 end";
static const char ack[] = "ACK sip:bob@127.0.0.1:6002 SIP/2.0\r\nContent-Length: 0\r\n\r\n";
static const char reg1[] = "REGISTER sip:127.0.0.1 SIP/2.0\r\n"
	"v: SIP/2.0/TCP 127.0.0.1:7777;branch=z9hG4bK-3\r\nContent-Length: 0\r\n\r\n";
static const char reg_ok[] = "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n";
static const char reg2[] = "REGISTER sip:127.0.0.1 SIP/2.0\r\n"
	"v: SIP/2.0/TCP 127.0.0.1:7777;branch=z9hG4bK-4\r\nContent-Length: 0\r\n\r\n";

struct pkt {
	long long us;
	uint16_t sport, dport;
	bool tcp;
	uint32_t seq, ack;
	size_t len;
	unsigned char data[512];
};

static uint16_t get16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

START_TEST(pcap_from_logs)
{
	const struct pcap_agent agents[] = {
		{ "caller", 6001 }, { "callee", 6002 }, { "tcpa", 0 }, { "ghost", 6004 },
	};
	char err[SSTCK_TEXT], p[512], perr[PCAP_ERRBUF_SIZE];
	struct pcap_stats st;
	struct pkt v[16];
	size_t n = 0, big = 70000;
	char *large = malloc(big);
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *pc;
	FILE *fp;

	ck_assert_ptr_nonnull(large);
	memset(large, 'x', big);
	mk_tmp();
	fp = log_open("caller");
	fputs("Problem EAGAIN on socket 8 (not a block)\n", fp);
	log_block(fp, T("000100"), SENT, inv_a, strlen(inv_a));
	log_block(fp, T("000500"), RECV, hostile, sizeof(hostile) - 1);
	log_block(fp, T("000600"), SENT, ack, strlen(ack));
	fputs("----------------------------------------------- " T("000700") "\n"
	      "UDP message sent (abc bytes):\n\nxyz\n", fp);          /* no count */
	fputs("----------------------------------------------- 2026-13-99 xx\n"
	      "UDP message sent (3 bytes):\n\nxyz\n", fp);            /* no time */
	log_block(fp, T("000800"), SENT, large, big);                /* too large */
	fputs("----------------------------------------------- " T("002000") "\n"
	      "UDP message received [500] bytes :\n\nSIP/2.0 200 OK\r\nVia: SIP/2.0/U",
	      fp);                                                   /* cut short */
	fclose(fp);
	fp = log_open("callee");
	log_block(fp, T("000300"), RECV, inv_b, strlen(inv_b));
	log_block(fp, T("000400"), SENT, ok_b, strlen(ok_b));
	/* direct, logged by its receiver before its sender (SIPp logs what it
	 * sends once sent) */
	log_block(fp, T("000450"), RECV, ack, strlen(ack));
	fclose(fp);
	fp = log_open("tcpa");
	log_block(fp, T("000900"), TSENT, reg1, strlen(reg1));
	log_block(fp, T("001000"), TRECV, reg_ok, strlen(reg_ok));
	log_block(fp, T("001100"), TSENT, reg2, strlen(reg2));
	fclose(fp);

	ck_assert_msg(!pcap_case(tmp, agents, 4, "127.0.0.1", 5999, &st, err,
				 sizeof(err)), "%s", err);
	ck_assert_uint_eq(st.logs, 3);
	ck_assert_uint_eq(st.missing, 1);             /* ghost: no log */
	ck_assert_uint_eq(st.messages, 10);
	ck_assert_uint_eq(st.packets, 8);
	ck_assert_uint_eq(st.direct, 1);
	ck_assert_uint_eq(st.too_large, 1);
	ck_assert_uint_eq(st.malformed, 3);

	snprintf(p, sizeof(p), "%s/case.pcap", tmp);
	pc = pcap_open_offline(p, perr);
	ck_assert_msg(pc != NULL, "%s", perr);
	ck_assert_int_eq(pcap_datalink(pc), DLT_EN10MB);
	while (pcap_next_ex(pc, &h, &d) == 1) {
		struct pkt *k = &v[n];
		const u_char *ip = d + 14, *l4 = ip + 20;
		size_t hl;

		ck_assert_uint_lt(n, 16);
		ck_assert_uint_eq(h->caplen, h->len);
		ck_assert_uint_eq(get16(d + 12), 0x0800);
		ck_assert_uint_eq(get16(ip + 2) + 14u, h->caplen);
		ck_assert_uint_eq(get32(ip + 12), 0x7f000001);
		ck_assert_uint_eq(get32(ip + 16), 0x7f000001);
		k->tcp = ip[9] == 6;
		ck_assert(k->tcp || ip[9] == 17);
		hl = k->tcp ? 20 : 8;
		k->us = (long long)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
		k->sport = get16(l4);
		k->dport = get16(l4 + 2);
		if (k->tcp) {
			k->seq = get32(l4 + 4);
			k->ack = get32(l4 + 8);
		} else {
			ck_assert_uint_eq(get16(l4 + 4), h->caplen - 14 - 20);
		}
		k->len = h->caplen - 14 - 20 - hl;
		ck_assert_uint_le(k->len, sizeof(k->data));
		memcpy(k->data, l4 + hl, k->len);
		n++;
	}
	pcap_close(pc);
	ck_assert_uint_eq(n, 8);
	for (size_t i = 1; i < n; i++)             /* in time order */
		ck_assert(v[i - 1].us < v[i].us);
	ck_assert_int_eq(v[7].us - v[0].us, 1000);
	ck_assert_int_eq(v[0].us % 1000000, 100);
	/* caller to the target, the target to callee and back */
	ck_assert_uint_eq(v[0].sport, 6001);
	ck_assert_uint_eq(v[0].dport, 5999);
	ck_assert_uint_eq(v[0].len, strlen(inv_a));
	ck_assert(!memcmp(v[0].data, inv_a, v[0].len));
	ck_assert_uint_eq(v[1].sport, 5999);
	ck_assert_uint_eq(v[1].dport, 6002);
	ck_assert(!memcmp(v[1].data, inv_b, v[1].len));
	ck_assert_uint_eq(v[2].sport, 6002);
	ck_assert_uint_eq(v[2].dport, 5999);
	/* the direct ACK: once, caller to callee, at the earlier time, so
	 * before the answer its sender logged first */
	ck_assert_uint_eq(v[3].sport, 6001);
	ck_assert_uint_eq(v[3].dport, 6002);
	ck_assert_int_eq(v[3].us % 1000000, 450);
	ck_assert_uint_eq(v[3].len, strlen(ack));
	ck_assert(!memcmp(v[3].data, ack, v[3].len));
	/* the hostile answer, byte for byte, its inner "block" included */
	ck_assert_uint_eq(v[4].sport, 5999);
	ck_assert_uint_eq(v[4].dport, 6001);
	ck_assert_uint_eq(v[4].len, sizeof(hostile) - 1);
	ck_assert(!memcmp(v[4].data, hostile, v[4].len));
	/* TCP, its port from its Via; a sequence number per direction */
	ck_assert(v[5].tcp && v[6].tcp && v[7].tcp);
	ck_assert_uint_eq(v[5].sport, 7777);
	ck_assert_uint_eq(v[6].dport, 7777);
	ck_assert_uint_eq(v[5].seq, 1);
	ck_assert_uint_eq(v[5].ack, 1);
	ck_assert_uint_eq(v[6].seq, 1);
	ck_assert_uint_eq(v[6].ack, 1 + strlen(reg1));
	ck_assert_uint_eq(v[7].seq, 1 + strlen(reg1));
	ck_assert_uint_eq(v[7].ack, 1 + strlen(reg_ok));
	ck_assert(!memcmp(v[7].data, reg2, v[7].len));

	/* a log that cannot be read as one (a folder) adds nothing */
	snprintf(p, sizeof(p), "%s/dir.msg.log", tmp);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	{
		const struct pcap_agent two[] = { { "dir", 6005 }, { "tcpa", 0 } };

		ck_assert_int_eq(pcap_case(tmp, two, 2, "127.0.0.1", 5999, &st, err,
					   sizeof(err)), 0);
		ck_assert_uint_eq(st.packets, 3);
	}
	snprintf(p, sizeof(p), "%s/case.pcap", tmp);
	/* no log has a message: no capture, and the old one is gone */
	ck_assert_int_eq(pcap_case(tmp, agents + 3, 1, "127.0.0.1", 5999, &st,
				   err, sizeof(err)), 1);
	ck_assert_uint_eq(st.missing, 1);
	ck_assert_int_eq(access(p, F_OK), -1);
	/* a log that is only garbage: counted, no capture, no crash */
	put("junk.msg.log", "----------------------------------------------- \n"
	    "-----------------------------------------------  x\nUDP message sent (");
	{
		const struct pcap_agent j = { "junk", 1 };

		ck_assert_int_eq(pcap_case(tmp, &j, 1, NULL, 0, &st, err,
					   sizeof(err)), 1);
		ck_assert_uint_eq(st.malformed, 2);
	}
	free(large);
	rm_tmp();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sstck");
	TCase *tc = tcase_create("harness");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, rules_catalog);
	tcase_add_test(tc, rules_malformed);
	tcase_add_test(tc, manifest_good);
	tcase_add_loop_test(tc, manifest_bad, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, manifest_missing);
	tcase_add_test(tc, manifest_http);
	tcase_add_test(tc, http_expectations);
	tcase_add_test(tc, port_blocks);
	tcase_add_test(tc, targets);
	tcase_add_test(tc, kit_description);
	tcase_add_test(tc, kit_trace_slices);
	tcase_add_test(tc, expectations);
	tcase_add_test(tc, kamailio_config);
	tcase_add_test(tc, ports);
	tcase_add_test(tc, proc_exit_and_timeout);
	tcase_add_test(tc, proc_group_kill);
	tcase_add_test(tc, sipp_files);
	tcase_add_test(tc, verdicts);
	tcase_add_test(tc, rule_verdicts);
	tcase_add_test(tc, escaping);
	tcase_add_test(tc, pcap_from_logs);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
