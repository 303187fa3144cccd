/**
 * @file model/bench/bench.c  Session model microbenchmark (make bench)
 *
 * N application sessions, each with two SipSessions (the UAS leg of a
 * B2BUA and its linked UAC leg), are created first, so the memory peak
 * holds all of them; then each pair is driven through INVITE, 180, 200,
 * ACK, BYE, 200 on both legs, and the readiness step invalidates
 * everything.  It prints operations per second and bytes per session.
 * Nothing here asserts a timing: the figures are for people.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../session/ssm.h"
#include "../mem/mem.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t heap_used(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

struct pair {
	struct ss *uas, *uac;
};

static unsigned long ops;

static void apply(struct ss *ss, enum ssm_dir dir, const char *method,
		  int status, const char *cid, const char *ftag,
		  const char *ttag, uint32_t cseq)
{
	struct ssm_msg m = {
		.dir = dir, .method = method, .status = status,
		.call_id = cid, .from_tag = ftag, .to_tag = ttag,
		.cseq = cseq,
	};

	if (ssm_dispatch(ss, &m, NULL, NULL)) {
		fprintf(stderr, "bench: dispatch failed\n");
		exit(1);
	}
	ops++;
}

static void drive(struct pair *p)
{
	const char *ucid, *ul, *ur, *acid, *al, *ar;
	char uas_cid[64], uas_ftag[32], uac_cid[64], uac_ftag[32];

	ss_call_id(p->uas, &ucid);
	ss_tags(p->uas, &ul, &ur);
	ss_call_id(p->uac, &acid);
	ss_tags(p->uac, &al, &ar);
	/* copies: the sessions (and their strings) go away at the end */
	snprintf(uas_cid, sizeof(uas_cid), "%s", ucid);
	snprintf(uas_ftag, sizeof(uas_ftag), "%s", ur);
	snprintf(uac_cid, sizeof(uac_cid), "%s", acid);
	snprintf(uac_ftag, sizeof(uac_ftag), "%s", al);

	apply(p->uas, SSM_IN, "INVITE", 0, uas_cid, uas_ftag, NULL, 1);
	apply(p->uac, SSM_OUT, "INVITE", 0, uac_cid, uac_ftag, NULL, 1);
	apply(p->uac, SSM_IN, "INVITE", 180, uac_cid, uac_ftag, "b", 1);
	apply(p->uas, SSM_OUT, "INVITE", 180, uas_cid, uas_ftag, "a", 1);
	apply(p->uac, SSM_IN, "INVITE", 200, uac_cid, uac_ftag, "b", 1);
	apply(p->uac, SSM_OUT, "ACK", 0, uac_cid, uac_ftag, "b", 1);
	apply(p->uas, SSM_OUT, "INVITE", 200, uas_cid, uas_ftag, "a", 1);
	apply(p->uas, SSM_IN, "ACK", 0, uas_cid, uas_ftag, "a", 1);
	apply(p->uas, SSM_IN, "BYE", 0, uas_cid, uas_ftag, "a", 2);
	apply(p->uac, SSM_OUT, "BYE", 0, uac_cid, uac_ftag, "b", 2);
	apply(p->uac, SSM_IN, "BYE", 200, uac_cid, uac_ftag, "b", 2);
	apply(p->uas, SSM_OUT, "BYE", 200, uas_cid, uas_ftag, "a", 2);
}

int main(int argc, char **argv)
{
	unsigned long n = 1000000;
	struct mem_stats s0, s1, s2;
	struct ssm *m;
	struct ssm_app *app;
	struct pair *pairs;
	double t0, t1, t2;
	size_t h0, h1;
	char cid[48], tag[24];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			n = strtoul(argv[++i], NULL, 10);
		}
		else {
			fprintf(stderr, "usage: ssm-bench [-n SESSIONS]\n");
			return 2;
		}
	}
	if (!n)
		n = 1;

	pairs = calloc(n, sizeof(*pairs));
	if (!pairs || ssm_alloc(&m, NULL, NULL, NULL) ||
	    ssm_app_add(m, "bench", SSM_V11, 0, NULL, NULL, &app)) {
		fprintf(stderr, "bench: out of memory\n");
		return 1;
	}

	printf("== session model benchmark: %lu application sessions, "
	       "2 SipSessions each\n", n);
	mem_stats_get(&s0);
	h0 = heap_used();
	t0 = now_s();
	for (unsigned long i = 0; i < n; i++) {
		struct sas *sas;

		snprintf(cid, sizeof(cid), "%lx-bench@127.0.0.1", i);
		snprintf(tag, sizeof(tag), "c%lx", i);
		if (sas_create(app, &sas) ||
		    ss_create(sas, SS_ROLE_UAS, "INVITE", cid, tag,
			      "sip:alice@127.0.0.1", "sip:bob@127.0.0.1",
			      &pairs[i].uas) ||
		    ss_b2b_leg(pairs[i].uas, true, 70, "sip:alice@127.0.0.1",
			       "sip:bob@127.0.0.1", &pairs[i].uac)) {
			fprintf(stderr, "bench: create failed at %lu\n", i);
			return 1;
		}
		ops += 3;
	}
	t1 = now_s();
	mem_stats_get(&s1);
	h1 = heap_used();

	for (unsigned long i = 0; i < n; i++)
		drive(&pairs[i]);
	t2 = now_s();
	mem_stats_get(&s2);

	printf("create:   %lu SAS + %lu SipSessions in %.2f s "
	       "(%.0f sessions/s)\n", n, 2 * n, t1 - t0,
	       (double)(3 * n) / (t1 - t0));
	printf("drive:    %lu messages in %.2f s (%.0f messages/s), "
	       "%lu SAS left, %zu SipSessions left\n",
	       12 * n, t2 - t1, (double)(12 * n) / (t2 - t1),
	       (unsigned long)ssm_count_sas(m), ssm_count_ss(m));
	printf("total:    %.0f operations/s (creations + messages)\n",
	       (double)ops / (t2 - t0));
	printf("memory:   peak %.1f MiB of model blocks, %.1f MiB of heap\n",
	       (double)s2.peak_bytes / 1048576.0,
	       (double)(h1 - h0) / 1048576.0);
	printf("per application session (SAS + 2 SipSessions + strings): "
	       "%.0f bytes of model blocks, %.0f bytes of heap with "
	       "indexes\n", (double)(s1.bytes - s0.bytes) / (double)n,
	       (double)(h1 - h0) / (double)n);

	/* One SipSession alone: add sessions to a single SAS. */
	{
		struct sas *sas;
		struct ss *ss;
		struct mem_stats a, b;
		const unsigned long k = 100000;

		sas_create(app, &sas);
		sas_set_iwr(sas, false);
		mem_stats_get(&a);
		for (unsigned long i = 0; i < k; i++) {
			snprintf(cid, sizeof(cid), "%lx-one@127.0.0.1", i);
			ss_create(sas, SS_ROLE_UAS, "INVITE", cid, "f1234567",
				  NULL, NULL, &ss);
		}
		mem_stats_get(&b);
		printf("per SipSession without attributes: %.0f bytes in "
		       "all (record %zu bytes + %zu block header; the rest is "
		       "its Call-ID, tag and attribute map)\n",
		       (double)(b.bytes - a.bytes) / (double)k,
		       ss_record_size(), mem_header_size());
	}
	ssm_shutdown(m);
	free(pairs);
	return 0;
}
