# SessionTCK top-level Makefile.
#
#   make               build the model library and tools (build/rel)
#   make check         the tests: unit suites under ASan + UBSan
#   make conformance   the main job: the conformance run with its report
#   make rules         every rule ID with the tests that cover it
#   make coverage      gcov build, the suites, an lcov HTML report
#   make bench         the model microbenchmark, then the load benchmark
#                      (harness/bench-load: sstck-ref and Kamailio paired,
#                      60 s a run, and the highest rate each holds; about
#                      half an hour), then a soak of 10^5 calls, then
#                      the cluster's (harness/bench-cluster: 10^4 calls
#                      with a node killed every 10^3, replication's CPU
#                      per call and bytes per call, one node against two;
#                      about a quarter of an hour)
#   make probe         the Java probe for third-party containers: a SAR in
#                      build/probe/sessiontck-probe.sar
#   make install       sstck, sstck-ref, their man pages, the cases, rules
#                      and targets (PREFIX=/usr/local, DESTDIR=)
#   make fuzz          libFuzzer (clang, ASan + UBSan) on sstck-ref's receive
#                      path, each application, and on the harness's readers;
#                      FUZZ_SECONDS=N each (default 600); make fuzz-smoke:
#                      the regression inputs, then 60 s in all
#
# Quiet by default; V=1 shows the commands.

CC      ?= cc
CSTD    := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wformat=2
DEPS    := -MMD -MP
OUT     := build
REPORTS := reports/out

ifeq ($(V),1)
Q :=
else
Q := @
endif

MODEL_SRCS := model/mem/mem.c model/mem/htab.c model/mem/heap.c \
              model/session/util.c \
              model/session/core.c \
              model/session/sas.c \
              model/session/timer.c \
              model/session/hs.c \
              model/session/ss.c \
              model/session/state.c \
              model/session/dist.c

UNIT_SRCS  := $(wildcard conformance/unit/*.c)

# sstck-ref's SIP container (model/sip), one file per job, then the
# applications, the HTTP side and the program
SIPC_SRCS  := model/sip/sipc.c model/sip/transport.c model/sip/guard.c \
              model/sip/txtab.c \
              model/sip/recv.c model/sip/txn.c model/sip/build.c \
              model/sip/observe.c model/sip/proxy.c model/sip/b2bua.c \
              model/sip/call.c model/sip/store.c model/sip/takeover.c \
              model/sip/lua.c \
              model/sip/codec.c model/sip/accepted.c model/sip/ended.c \
              model/sip/sendq.c

REF_SRCS   := $(SIPC_SRCS) model/sip/ops.c model/sip/ops_msg.c model/apps/apps.c model/apps/c2c.c \
              model/http/http.c model/ref/main.c

HARNESS_SRCS := harness/sstck/text.c harness/sstck/rules.c harness/sstck/manifest.c \
                harness/sstck/target.c harness/sstck/proc.c \
                harness/sstck/sipp.c harness/sstck/judge.c \
                harness/sstck/runner.c harness/sstck/pool.c harness/sstck/results.c \
                harness/sstck/httpstep.c harness/sstck/kit.c \
                harness/sstck/pcap.c harness/sstck/cluster.c \
                conformance/oracle/oracle.c conformance/oracle/states.c \
                conformance/oracle/trace.c conformance/oracle/wire.c \
                conformance/oracle/ops.c \
                reports/html.c reports/ladder.c reports/compare.c reports/tck.c
# the sstck program's own files (harness/sstck/cmd.h), linked with libsstck.a
SSTCK_SRCS   := harness/sstck/main.c harness/sstck/cmd_run.c harness/sstck/exclude.c \
                harness/sstck/cmd_list.c
HTEST_SRCS   := $(wildcard harness/test/*.c)
OTEST_SRCS   := $(wildcard conformance/oracle/test/*.c)

# Three flavours of the same sources: release, sanitizers, coverage.
CFLAGS_rel := -O2 -g
CFLAGS_san := -O1 -g -fno-omit-frame-pointer \
              -fsanitize=address,undefined -fno-sanitize-recover=all
CFLAGS_cov := -O0 -g --coverage -DSSTCK_GCOV
# the fuzz flavour is always clang's (libFuzzer); see fuzz/README.md.
# clang's -Wformat=2 also flags vsnprintf(fmt) in helpers gcc accepts.
CFLAGS_fuzz := -O1 -g -fno-omit-frame-pointer \
               -fsanitize=fuzzer-no-link,address,undefined \
               -fno-sanitize-recover=all -Wno-format-nonliteral
LDFLAGS_rel :=
# The release sstck-ref allocates with gperftools' tcmalloc (Debian's
# libtcmalloc-minimal4, linked by its file name: the package has no .so
# link): libosip2 makes and frees a few hundred small blocks per proxied
# call, and tcmalloc's per-size caches cost about 15 % less CPU per call
# than glibc's malloc there (make bench).  The sanitizer, coverage and
# fuzzing builds keep the C library's, which their tools replace.
REF_LIBS_rel := -l:libtcmalloc_minimal.so.4
LDFLAGS_san := -fsanitize=address,undefined
LDFLAGS_cov := --coverage
LDFLAGS_fuzz := -fsanitize=fuzzer,address,undefined

CHECK_CFLAGS = $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   = $(shell pkg-config --libs check 2>/dev/null)
SIP_CFLAGS   = $(shell pkg-config --cflags libosip2 jansson inih libmicrohttpd libxml-2.0 2>/dev/null)
# hiredis: a cluster node's session store (model/sip/store.c, --store)
SIP_LIBS     = $(shell pkg-config --libs libosip2 jansson libmicrohttpd hiredis 2>/dev/null) -pthread
# the model writes distributed sessions as JSON (model/session/dist.c)
MODEL_LIBS   = $(shell pkg-config --libs jansson 2>/dev/null)
HARNESS_LIBS = $(shell pkg-config --libs libosip2 jansson inih libxml-2.0 libpcap 2>/dev/null)

.PHONY: all check conformance rules coverage bench deps clean help probe \
        man install fuzz fuzz-smoke fuzz-build

all: $(OUT)/rel/libssm.a $(OUT)/rel/ssm-bench $(OUT)/rel/sstck-ref \
     $(OUT)/rel/sstck

help:
	@sed -n '3,21p' Makefile | sed 's/^# \{0,1\}//'

deps:
	$(Q)sh harness/setup-deps

define flavour
$(OUT)/$(1)/%.o: %.c | deps
	@mkdir -p $$(dir $$@)
	@$(if $(Q),echo "  CC[$(1)]  $$<")
	$(Q)$$(CC) $(CSTD) $(WARN) $(DEPS) $$(CFLAGS_$(1)) $$(CHECK_CFLAGS) \
		$$(SIP_CFLAGS) -Imodel/session -Imodel/mem -Imodel/sip \
		-Imodel/apps -Imodel/http -Iharness/sstck -Iconformance/oracle -Ireports -c $$< -o $$@

$(OUT)/$(1)/libssm.a: $(MODEL_SRCS:%.c=$(OUT)/$(1)/%.o)
	$(Q)rm -f $$@ && ar rcs $$@ $$^

$(OUT)/$(1)/check-model: $(UNIT_SRCS:%.c=$(OUT)/$(1)/%.o) $(OUT)/$(1)/libssm.a
	@$(if $(Q),echo "  LD[$(1)]  $$@")
	$(Q)$$(CC) $$(LDFLAGS_$(1)) -o $$@ $$^ $$(CHECK_LIBS) $$(MODEL_LIBS)

$(OUT)/$(1)/sstck-ref: $(REF_SRCS:%.c=$(OUT)/$(1)/%.o) $(OUT)/$(1)/libssm.a
	@$(if $(Q),echo "  LD[$(1)]  $$@")
	$(Q)$$(CC) $$(LDFLAGS_$(1)) -o $$@ $$^ $$(SIP_LIBS) $$(REF_LIBS_$(1))

$(OUT)/$(1)/libsstck.a: $(HARNESS_SRCS:%.c=$(OUT)/$(1)/%.o)
	$(Q)rm -f $$@ && ar rcs $$@ $$^

$(OUT)/$(1)/sstck: $(SSTCK_SRCS:%.c=$(OUT)/$(1)/%.o) $(OUT)/$(1)/libsstck.a
	@$(if $(Q),echo "  LD[$(1)]  $$@")
	$(Q)$$(CC) $$(LDFLAGS_$(1)) -o $$@ $$^ $$(HARNESS_LIBS)

$(OUT)/$(1)/check-sstck: $(HTEST_SRCS:%.c=$(OUT)/$(1)/%.o) $(OUT)/$(1)/libsstck.a
	@$(if $(Q),echo "  LD[$(1)]  $$@")
	$(Q)$$(CC) $$(LDFLAGS_$(1)) -o $$@ $$^ $$(CHECK_LIBS) $$(HARNESS_LIBS)

$(OUT)/$(1)/check-oracle: $(OTEST_SRCS:%.c=$(OUT)/$(1)/%.o) $(OUT)/$(1)/libsstck.a
	@$(if $(Q),echo "  LD[$(1)]  $$@")
	$(Q)$$(CC) $$(LDFLAGS_$(1)) -o $$@ $$^ $$(CHECK_LIBS) $$(HARNESS_LIBS)
endef

$(eval $(call flavour,rel))
$(eval $(call flavour,san))
$(eval $(call flavour,cov))
$(eval $(call flavour,fuzz))

$(OUT)/rel/ssm-bench: $(OUT)/rel/model/bench/bench.o $(OUT)/rel/libssm.a
	@$(if $(Q),echo "  LD[rel]  $@")
	$(Q)$(CC) -o $@ $^ $(MODEL_LIBS)

# Fuzzing (fuzz/README.md): two libFuzzer targets in build/fuzz/.
# fuzz-sip runs the container's receive path in-process for each
# application; fuzz-reader the oracle, the verdict and the report on
# hostile logs.  fuzz/run-fuzz replays fuzz/regress/ first and fails on any
# crash, leak or sanitizer report.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 600
FUZZ_APPS    ?= proxy b2bua fork probe uas click-to-call
FUZZ_SIP_SRCS := fuzz/fuzz_sip.c fuzz/sipc_hook.c fuzz/http_hook.c \
                 fuzz/clock_hook.c model/sip/ops.c model/sip/ops_msg.c \
                 model/apps/apps.c model/apps/c2c.c

$(OUT)/fuzz/%: CC := $(FUZZ_CC)

$(OUT)/fuzz/fuzz-sip: $(FUZZ_SIP_SRCS:%.c=$(OUT)/fuzz/%.o) $(OUT)/fuzz/libssm.a
	@$(if $(Q),echo "  LD[fuzz]  $@")
	$(Q)$(CC) $(LDFLAGS_fuzz) -o $@ $^ $(SIP_LIBS)

$(OUT)/fuzz/fuzz-reader: $(OUT)/fuzz/fuzz/fuzz_reader.o $(OUT)/fuzz/libsstck.a
	@$(if $(Q),echo "  LD[fuzz]  $@")
	$(Q)$(CC) $(LDFLAGS_fuzz) -o $@ $^ $(HARNESS_LIBS)

fuzz-build: $(OUT)/fuzz/fuzz-sip $(OUT)/fuzz/fuzz-reader

fuzz: fuzz-build
	$(Q)fuzz/run-fuzz $(OUT)/fuzz $(FUZZ_SECONDS) $(FUZZ_APPS)

# for make check: the regression inputs, then the same 20000 inputs for
# each application and 2000 for the readers on every clean clone (a fixed
# seed and count: a smoke that cannot find today what it missed
# yesterday), about 60 s in all
fuzz-smoke: fuzz-build
	$(Q)FUZZ_SEED=1 FUZZ_RUNS=20000 fuzz/run-fuzz $(OUT)/fuzz 30 $(FUZZ_APPS)

# The tests.  Check prints its summary line; the rule listing follows.
check: $(OUT)/san/check-model $(OUT)/san/sstck-ref $(OUT)/san/check-sstck \
       $(OUT)/san/sstck $(OUT)/san/check-oracle $(OUT)/rel/sstck $(OUT)/rel/sstck-ref
	@echo "== layout: files to 900 lines, functions to 120, prefixed symbols (harness/check-layout)"
	$(Q)harness/check-layout $(OUT)/san
	@echo "== unit conformance suite (ASan + UBSan)"
	$(Q)ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		$(OUT)/san/check-model
	$(Q)$(OUT)/san/check-model --list | sh conformance/rule-coverage \
		conformance/rules.tsv --summary
	@echo "== the harness's unit tests (ASan + UBSan)"
	$(Q)$(OUT)/san/check-sstck
	@echo "== the generated cases are the generator's output"
	$(Q)harness/test-generated $(REPORTS)/check/generated
	@echo "== sstck end to end: sstck-ref, Kamailio, bad input (ASan + UBSan)"
	$(Q)harness/test-sstck $(OUT)/san $(REPORTS)/check
	@echo "== the oracle's mutation tests, on that run's logs (ASan + UBSan)"
	$(Q)$(OUT)/san/check-oracle $(REPORTS)/check/ref/cases
	@echo "== sstck-ref with a bug at a time: a case, not the unit suite, catches each"
	$(Q)conformance/mutants/run-mutants $(OUT)/rel $(REPORTS)/check/mutants
	@echo "== sstck-ref's command line, a port in use, IPv6 loopback (ASan + UBSan)"
	$(Q)model/ref/test-cli $(OUT)/san $(REPORTS)/check/cli
	@echo "== sstck-ref as a cluster: Redis, Kamailio, two nodes, a node killed mid-call (ASan + UBSan)"
	$(Q)model/ref/test-cluster $(OUT)/san $(REPORTS)/check/cluster
	@echo "== sstck-ref out of memory: each allocation of five calls failed in turn (ASan)"
	$(Q)model/ref/test-oom $(OUT)/san $(REPORTS)/check/oom
	@echo "== the HTML report in headless Chromium; a hostile target; two runs compared"
	$(Q)harness/test-report $(OUT)/san $(REPORTS)/check
	@echo "== the probe for third-party containers: build, package, protocol, the guide's run"
	$(Q)$(MAKE) -s probe
	$(Q)conformance/probe/test-probe $(OUT)/san $(REPORTS)/check/probe $(OUT)/probe
	@echo "== a soak's smoke: 1000 calls through sstck-ref's proxy and B2BUA, every datagram by the sending thread, no call lost, no session left"
	$(Q)SSTCK_REF_SENDQ=1 SSTCK_REF=$(CURDIR)/$(OUT)/san/sstck-ref harness/bench-soak 1000 100
	@echo "== a cluster soak's smoke: 300 calls through Kamailio to two nodes, one killed and restarted, no call lost, an empty store (ASan + UBSan)"
	$(Q)SSTCK_REF=$(CURDIR)/$(OUT)/san/sstck-ref harness/bench-cluster --smoke
	@echo "== the load benchmark's smoke: 3 s at 50 calls/s through sstck-ref, then Kamailio (figures, no timing asserted)"
	$(Q)SSTCK_REF=$(CURDIR)/$(OUT)/rel/sstck-ref harness/bench-load --seconds 3 \
		--pairs 1 --rates 50 --no-max-rate --syscall-seconds 1 --linger 2
	@echo "== make install, and the installed sstck run from outside the tree"
	$(Q)harness/test-install $(REPORTS)/check/install
	@echo "== Cipango 3.0.2 with the probe: every verdict as harness/targets/cipango.md says"
	$(Q)harness/test-cipango $(OUT)/san $(REPORTS)/check/cipango
	@echo "== RFC 4475 torture messages against sstck-ref (ASan + UBSan)"
	$(Q)conformance/torture/rfc4475-test $(OUT)/san/sstck-ref
	@echo "== fuzzing: regression inputs and seeds once, then 60 s (libFuzzer, ASan + UBSan)"
	$(Q)$(MAKE) -s fuzz-smoke

rules: $(OUT)/rel/check-model
	$(Q)$(OUT)/rel/check-model --list | sh conformance/rule-coverage \
		conformance/rules.tsv

# The main job: the model's conformance suite and rule table, then every
# scenario case against sstck-ref with sstck (results.json, junit.xml and
# each case's logs in reports/out/).
conformance: $(OUT)/rel/check-model $(OUT)/rel/sstck-ref $(OUT)/rel/sstck
	$(Q)mkdir -p $(REPORTS)
	$(Q)$(OUT)/rel/check-model --xml $(REPORTS)/check-model.xml
	$(Q)$(OUT)/rel/check-model --list | sh conformance/rule-coverage \
		conformance/rules.tsv > $(REPORTS)/rules.txt
	$(Q)tail -1 $(REPORTS)/rules.txt
	$(Q)$(OUT)/rel/sstck run --out $(REPORTS)
	@echo "rule table: $(REPORTS)/rules.txt"
	@echo "report: $(CURDIR)/$(REPORTS)/index.html"

# Coverage: a gcov build of model/, harness/, the oracle and the report
# writer; the unit suites and the conformance run on sstck-ref; an lcov HTML
# report, a line per module (kept in coverage/summary.txt, which the run's
# index.html shows beside its rule coverage).
# the calls make coverage runs out of memory, each allocation in turn
OOM_CASES := proxy/rr-caller-bye proxy/cancel-ringing proxy/rr-tcp-caller \
             proxy/subscribe-notify proxy/recursion-302 b2bua/call-info-bye \
             b2bua/cancel-ringing b2bua/auth-retry-407 b2bua/reinvite \
             b2bua/downstream-fork fork/parallel-200-cancel \
             fork/sequential-busy-then-200 send-on/reject-foreign \
             converged-http/both-answer converged-http/hangup-while-ringing \
             converged-http/second-busy converged-http/party-bye \
             converged-http/encode-url

COV_DIRS := model/session model/mem model/sip model/apps model/http model/ref \
            harness/sstck conformance/oracle reports

coverage: $(OUT)/cov/check-model $(OUT)/cov/check-sstck $(OUT)/cov/sstck-ref \
          $(OUT)/cov/sstck
	$(Q)rm -rf $(REPORTS)/coverage && mkdir -p $(REPORTS)/coverage
	$(Q)find $(OUT)/cov -name '*.gcda' -delete
	$(Q)CK_FORK=no $(OUT)/cov/check-model --xml $(REPORTS)/check-model.xml >/dev/null
	$(Q)$(OUT)/cov/check-model --list | sh conformance/rule-coverage \
		conformance/rules.tsv > $(REPORTS)/rules.txt
	$(Q)CK_FORK=no $(OUT)/cov/check-sstck >/dev/null
	$(Q)$(OUT)/cov/sstck run --out $(REPORTS) -q | grep '^sstck: .* cases against .* in'
	$(Q)conformance/torture/rfc4475-test $(OUT)/cov/sstck-ref | tail -1
	$(Q)$(OUT)/cov/sstck run -v -q --out $(OUT)/cov-runs/verbose 'proxy/*' \
		'b2bua/*' 'fork/*' 'converged-http/*' | grep '^sstck: .* cases against .* in'
	$(Q)model/ref/test-cli $(OUT)/cov $(OUT)/cov-runs/cli | tail -1
	$(Q)model/ref/test-oom $(OUT)/cov $(OUT)/cov-runs/oom $(OOM_CASES) | tail -1
	$(Q)conformance/probe/test-probe $(OUT)/cov $(OUT)/cov-runs/probe | tail -1
	$(Q)lcov -q --capture --directory $(OUT)/cov --base-directory . \
		--output-file $(REPORTS)/coverage/all.info 2>/dev/null
	$(Q)lcov -q --extract $(REPORTS)/coverage/all.info $(COV_DIRS:%='*/%/*') \
		--output-file $(REPORTS)/coverage/project.info 2>/dev/null
	$(Q)genhtml -q --legend -o $(REPORTS)/coverage \
		$(REPORTS)/coverage/project.info 2>/dev/null
	$(Q)for d in model/session+model/mem model $(COV_DIRS); do \
		pats=$$(echo $$d | sed "s|\([^+]*\)|'*/\1/*'|g; s|+| |g"); \
		eval lcov -q --extract $(REPORTS)/coverage/project.info $$pats \
			--output-file $(REPORTS)/coverage/part.info 2>/dev/null; \
		lcov --summary $(REPORTS)/coverage/part.info 2>&1 | \
			awk -v d="$$d" '/lines/ {sub(/\+/, " and ", d); \
			print "line coverage " d ": " $$2 " " $$3 " " $$4 " " $$5 " " $$6}'; \
	done > $(REPORTS)/coverage/summary.txt
	$(Q)lcov --summary $(REPORTS)/coverage/project.info 2>&1 | awk '/lines/ \
		{print "line coverage in all (model, harness, oracle, reports): " $$2 " " \
		$$3 " " $$4 " " $$5 " " $$6}' >> $(REPORTS)/coverage/summary.txt
	$(Q)cat $(REPORTS)/coverage/summary.txt
	$(Q)rm -f $(REPORTS)/coverage/part.info
	$(Q)$(OUT)/cov/check-model --list | sh conformance/rule-coverage \
		conformance/rules.tsv --summary
	$(Q)awk '$$3 == 0 {n++} END {print "rules with no unit test: " n+0}' \
		$(REPORTS)/rules.txt
	$(Q)$(OUT)/cov/sstck report $(REPORTS) >/dev/null
	@echo "coverage report: $(REPORTS)/coverage/index.html"
	@echo "report: $(CURDIR)/$(REPORTS)/index.html"

probe: | deps
	$(Q)conformance/probe/build-probe $(OUT)/probe

bench: $(OUT)/rel/ssm-bench $(OUT)/rel/sstck-ref
	$(Q)$(OUT)/rel/ssm-bench
	$(Q)SSTCK_REF=$(CURDIR)/$(OUT)/rel/sstck-ref harness/bench-load
	$(Q)SSTCK_REF=$(CURDIR)/$(OUT)/rel/sstck-ref harness/bench-soak
	$(Q)SSTCK_REF=$(CURDIR)/$(OUT)/rel/sstck-ref harness/bench-cluster

# The man pages are made from the programs' own --help (doc/man/mkman),
# so the two never differ.
man: $(OUT)/man/sstck.1 $(OUT)/man/sstck-ref.1

$(OUT)/man/sstck.1: $(OUT)/rel/sstck doc/man/sstck.prose doc/man/mkman
	@mkdir -p $(dir $@)
	$(Q)python3 doc/man/mkman $< sstck doc/man/sstck.prose \
		run list show check report compare > $@.tmp && mv $@.tmp $@

$(OUT)/man/sstck-ref.1: $(OUT)/rel/sstck-ref doc/man/sstck-ref.prose doc/man/mkman
	@mkdir -p $(dir $@)
	$(Q)python3 doc/man/mkman $< sstck-ref doc/man/sstck-ref.prose > $@.tmp && mv $@.tmp $@

# What an installed sstck reads lives in PREFIX/share/sessiontck, laid out
# as in the tree (it finds it beside its bin/); the probe goes with it
# when make probe has built it.
PREFIX  ?= /usr/local
SHARE   := $(PREFIX)/share/sessiontck
install: all man
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(SHARE)/conformance/oracle $(DESTDIR)$(SHARE)/harness
	install -m 755 $(OUT)/rel/sstck $(OUT)/rel/sstck-ref $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(OUT)/man/sstck.1 $(OUT)/man/sstck-ref.1 \
		$(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 conformance/rules.tsv conformance/tck-assertions.tsv \
		conformance/unjudged.tsv $(DESTDIR)$(SHARE)/conformance/
	install -m 644 conformance/oracle/state-table.tsv $(DESTDIR)$(SHARE)/conformance/oracle/
	cp -R scenarios $(DESTDIR)$(SHARE)/
	cp -R harness/targets harness/kamailio $(DESTDIR)$(SHARE)/harness/
	install -m 755 harness/cluster-up harness/cluster-fail $(DESTDIR)$(SHARE)/harness/
	if [ -f $(OUT)/probe/sessiontck-probe.sar ]; then \
		install -d $(DESTDIR)$(SHARE)/probe && \
		install -m 644 $(OUT)/probe/sessiontck-probe.sar $(DESTDIR)$(SHARE)/probe/; fi

clean:
	rm -rf $(OUT) $(REPORTS)

-include $(shell find $(OUT) -name '*.d' 2>/dev/null)
