/**
 * @file harness/sstck/kit.c  a container the harness builds from a kit and
 * starts once for a whole run (start = kit in its description; Cipango is the
 * first).
 *
 *   [kit]  env      the variable that names the kit's folder (CIPANGO_KIT)
 *          paths    where to look for it otherwise, relative to the
 *                   repository unless absolute, first found wins
 *          build    the kit's build script: SCRIPT OUT_DIR
 *          run      its run script: SCRIPT OUT_DIR APP HOST SIP_PORT HTTP_PORT,
 *                   in the foreground until SIGTERM
 *          ready    what its output says once it serves
 *          context  the application's HTTP context (/probe)
 *          java     options for the JVM (JAVA_TOOL_OPTIONS), besides the
 *                   probe's trace, which the harness sets
 *
 * The container is built once into build/NAME (an installed sstck: the
 * user's cache, ~/.cache/sessiontck/NAME; again only when the kit's build
 * script changes), runs in a process group of its own on free loopback
 * ports, and is stopped by that group on every way out of the run: the
 * end, an error, a signal (the runner calls kit_stop), and the harness's
 * own death (PR_SET_PDEATHSIG).  Each case gets the slice of the probe's
 * trace that belongs to its sessions (kit_trace_slice).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sstck.h"

static pid_t kit_pid = -1, kit_owner;   /* only its starter stops it */

static bool is_dir(const char *p)
{
	struct stat st;

	return !stat(p, &st) && S_ISDIR(st.st_mode);
}

static bool executable(const char *name)
{
	const char *path = getenv("PATH");
	char buf[1024];

	if (strchr(name, '/'))
		return !access(name, X_OK);
	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");

		text_fmt(buf, sizeof(buf), "%.*s/%s", (int)n, p, name);
		if (!access(buf, X_OK))
			return true;
		p += n + (p[n] == ':');
	}
	return false;
}

/* The kit's folder: $ENV, or the first of PATHS that is one. */
static int kit_find(const struct target *t, const char *top, char *dir,
		    size_t dirsz, char *err, size_t errsz)
{
	const char *env = t->kit.env[0] ? getenv(t->kit.env) : NULL;
	char buf[SSTCK_TEXT], *save = NULL, *tok;

	if (env && env[0]) {
		if (!is_dir(env)) {
			text_fmt(err, errsz, "%s=%s: no such folder", t->kit.env, env);
			return -1;
		}
		if (!realpath(env, dir))
			text_fmt(dir, dirsz, "%s", env);
		return 0;
	}
	text_fmt(buf, sizeof(buf), "%s", t->kit.paths);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char p[1024];

		if (tok[0] == '/')
			text_fmt(p, sizeof(p), "%s", tok);
		else
			text_fmt(p, sizeof(p), "%s/%s", top, tok);
		if (is_dir(p)) {
			if (!realpath(p, dir))
				text_fmt(dir, dirsz, "%s", p);
			return 0;
		}
	}
	if (t->kit.env[0])
		text_fmt(err, errsz, "no %s kit: looked in %s (set %s to its folder)",
			 t->name, t->kit.paths, t->kit.env);
	else
		text_fmt(err, errsz, "no %s kit: looked in %s", t->name, t->kit.paths);
	return -1;
}

/* mkdir -p */
static void mkdirs_p(const char *path)
{
	char p[1024];

	text_fmt(p, sizeof(p), "%s", path);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0755);
			*s = '/';
		}
	mkdir(p, 0755);
}

/* The last lines of a log, one line, for an error. */
static void log_tail(const char *path, char *buf, size_t bufsz)
{
	size_t len;
	char *s = text_file_read(path, &len), *p;

	buf[0] = '\0';
	if (!s)
		return;
	while (len && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		s[--len] = '\0';
	p = strrchr(s, '\n');
	text_fmt(buf, bufsz, "%s", p ? p + 1 : s);
	free(s);
}

/* Runs ARGV to its end with its output in LOG; its exit code or -1. */
static int run_to_end(char *const argv[], const char *log, int timeout_s)
{
	pid_t pid = proc_spawn(argv, log, NULL);

	if (pid < 0)
		return -1;
	int rc = proc_wait(pid, proc_now_ms() + timeout_s * 1000LL);

	if (rc == -1)
		proc_stop(pid, 1000);
	return rc;
}

/* build/NAME, built from the kit at KIT unless it already was (its
 * stamp names the kit's folder and the time it was built from). */
static int kit_build(const struct target *t, const char *top, const char *kit,
		     const char *logdir, char *out, size_t outsz, char *err,
		     size_t errsz)
{
	char stamp[1100], lock[1100], want[1200], script[1100], log[1100], have[1200] = "";
	struct stat st;
	int fd, rc = 0;

	char base[1024];

	/* the tree's build/, or, for an installed sstck whose share folder
	 * is not writable, the user's cache */
	text_fmt(base, sizeof(base), "%s/build", top);
	mkdir(base, 0755);
	if (access(base, W_OK)) {
		const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

		if (xdg && *xdg)
			text_fmt(base, sizeof(base), "%s/sessiontck", xdg);
		else
			text_fmt(base, sizeof(base), "%s/.cache/sessiontck", home ? home : "/tmp");
		mkdirs_p(base);
	}
	text_fmt(out, outsz, "%s/%s", base, t->name);
	text_fmt(stamp, sizeof(stamp), "%s/.kit", out);
	text_fmt(lock, sizeof(lock), "%s/.%s.lock", base, t->name);
	text_fmt(script, sizeof(script), "%s/%s", kit, t->kit.build);
	if (stat(script, &st)) {
		text_fmt(err, errsz, "%s: %s", script, strerror(errno));
		return -1;
	}
	text_fmt(want, sizeof(want), "%s %lld", kit, (long long)st.st_mtime);
	mkdir(out, 0755);
	if ((fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0 || flock(fd, LOCK_EX)) {
		text_fmt(err, errsz, "%s: %s", lock, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	char *s = text_file_read(stamp, NULL);

	if (s) {
		text_fmt(have, sizeof(have), "%s", s);
		have[strcspn(have, "\n")] = '\0';
		free(s);
	}
	text_fmt(log, sizeof(log), "%s/%s-build.log", logdir, t->name);
	if (strcmp(have, want)) {
		char *argv[] = { "sh", script, out, NULL };

		printf("sstck: building %s from %s (once; build/%s)\n", t->name, kit,
		       t->name);
		fflush(stdout);
		if (run_to_end(argv, log, 600) != 0) {
			char why[256];

			log_tail(log, why, sizeof(why));
			text_fmt(err, errsz, "building %s failed: %s (see %s)", t->name,
				 why[0] ? why : "no output", log);
			rc = -1;
		} else {
			FILE *fp = fopen(stamp, "w");

			if (fp) {
				fprintf(fp, "%s\n", want);
				fclose(fp);
			}
		}
	}
	close(fd);
	return rc;
}

int kit_start(struct target *t, const char *top, const char *app,
	      const char *logdir, char *err, size_t errsz)
{
	char kit[1024], out[1100], script[1100], log[1100], opts[2048], why[256];
	char sip[16], http[16];
	long long deadline;

	if (!executable("java") || !executable("javac")) {
		text_fmt(err, errsz, "%s needs a JDK (java and javac; Debian package "
			 "default-jdk-headless, which harness/setup-deps installs)", t->name);
		return -1;
	}
	if (access(app, R_OK)) {
		text_fmt(err, errsz, "no probe at %s: run make probe", app);
		return -1;
	}
	if (kit_find(t, top, kit, sizeof(kit), err, errsz) ||
	    kit_build(t, top, kit, logdir, out, sizeof(out), err, errsz))
		return -1;
	proc_port_block(4000);
	t->port = proc_port_alloc();
	t->http_port = proc_port_alloc();
	if (!t->port || !t->http_port) {
		text_fmt(err, errsz, "no free loopback port for %s", t->name);
		return -1;
	}
	strcpy(t->host, "127.0.0.1");
	text_fmt(t->trace_file, sizeof(t->trace_file), "%s/%s-trace.jsonl", logdir, t->name);
	unlink(t->trace_file);
	text_fmt(log, sizeof(log), "%s/%s.log", logdir, t->name);
	text_fmt(script, sizeof(script), "%s/%s", kit, t->kit.run);
	text_fmt(opts, sizeof(opts), "%s%s-Dsstck.trace=%s %s",
		 getenv("JAVA_TOOL_OPTIONS") ? getenv("JAVA_TOOL_OPTIONS") : "",
		 getenv("JAVA_TOOL_OPTIONS") ? " " : "", t->trace_file, t->kit.java);
	snprintf(sip, sizeof(sip), "%d", t->port);
	snprintf(http, sizeof(http), "%d", t->http_port);

	int lfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (lfd < 0) {
		text_fmt(err, errsz, "%s: %s", log, strerror(errno));
		return -1;
	}
	fflush(NULL);
	kit_pid = fork();
	if (kit_pid < 0) {
		text_fmt(err, errsz, "fork: %s", strerror(errno));
		close(lfd);
		return -1;
	}
	kit_owner = getpid();
	if (kit_pid == 0) {
		char *argv[] = { "sh", script, out, (char *)app, "127.0.0.1", sip, http, NULL };
		int nfd = open("/dev/null", O_RDONLY);

		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (nfd >= 0)
			dup2(nfd, 0);
		dup2(lfd, 1);
		dup2(lfd, 2);
		signal(SIGPIPE, SIG_DFL);
		setenv("JAVA_TOOL_OPTIONS", opts, 1);
		setenv("CONTEXT", t->kit.context, 1);
		execvp("sh", argv);
		_exit(127);
	}
	close(lfd);
	setpgid(kit_pid, kit_pid);
	text_fmt(t->http_base, sizeof(t->http_base), "http://127.0.0.1:%d%s",
		 t->http_port, t->kit.context);
	deadline = proc_now_ms() + 90000;
	while (proc_now_ms() < deadline) {
		char *s = text_file_read(log, NULL);
		bool up = s && strstr(s, t->kit.ready);
		int st;

		free(s);
		if (up) {
			printf("sstck: %s started on 127.0.0.1:%d (HTTP %d) in its own "
			       "process group %ld; log %s\n", t->name, t->port, t->http_port,
			       (long)kit_pid, log);
			fflush(stdout);
			return 0;
		}
		if (waitpid(kit_pid, &st, WNOHANG) == kit_pid) {
			kit_pid = -1;
			log_tail(log, why, sizeof(why));
			text_fmt(err, errsz, "%s exited before it served: %s (see %s)", t->name,
				 why[0] ? why : "no output", log);
			return -1;
		}
		usleep(100000);
	}
	kit_stop();
	text_fmt(err, errsz, "%s did not start in 90 s (see %s)", t->name, log);
	return -1;
}

void kit_stop(void)
{
	pid_t pid = kit_pid;
	long long end;

	if (pid <= 0 || getpid() != kit_owner)
		return;
	kit_pid = -1;
	kill(-pid, SIGTERM);
	end = proc_now_ms() + 5000;
	while (proc_now_ms() < end) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			break;
		usleep(20000);
	}
	kill(-pid, SIGKILL);
	waitpid(pid, NULL, WNOHANG);
}

bool kit_running(void)
{
	if (kit_pid <= 0)
		return false;
	if (getpid() != kit_owner || waitpid(kit_pid, NULL, WNOHANG) == 0)
		return true;
	kill(-kit_pid, SIGKILL);        /* what it left of its group */
	kit_pid = -1;
	return false;
}

/* --- a case's part of the trace -------------------------------------- */

struct idset {
	char **v;
	size_t n;
};

static bool idset_has(const struct idset *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], id))
			return true;
	return false;
}

static void idset_add(struct idset *s, const char *id)
{
	char **v;

	if (!id || !id[0] || idset_has(s, id) || !(v = realloc(s->v, (s->n + 1) * sizeof(*v))))
		return;
	s->v = v;
	if ((s->v[s->n] = strdup(id)))
		s->n++;
}

static void idset_free(struct idset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

/* Every Call-ID in a SIPp message log. */
static void call_ids(const char *path, struct idset *calls)
{
	char *s = text_file_read(path, NULL);

	for (char *p = s; p && *p;) {
		char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);

		if ((n > 8 && !strncasecmp(p, "Call-ID:", 8)) || (n > 2 && !strncasecmp(p, "i:", 2))) {
			char *v = p + (p[1] == ':' ? 2 : 8), id[256];
			size_t k = 0;

			while (*v == ' ' || *v == '\t')
				v++;
			while (v + k < p + n && v[k] != '\r' && k < sizeof(id) - 1)
				k++;
			memcpy(id, v, k);
			id[k] = '\0';
			while (k && (id[k - 1] == ' ' || id[k - 1] == '\t'))
				id[--k] = '\0';
			idset_add(calls, id);
		}
		p = eol ? eol + 1 : NULL;
	}
	free(s);
}

int kit_trace_slice(const char *shared, const struct manifest *m,
		    const char *dir, size_t *events, size_t *pending)
{
	struct idset calls = { 0 }, sas = { 0 }, ss = { 0 }, done = { 0 };
	char path[1100], *trace;
	FILE *out;

	*events = *pending = 0;
	for (size_t i = 0; i < m->nagents; i++) {
		text_fmt(path, sizeof(path), "%s/%s.msg.log", dir, m->agents[i].name);
		call_ids(path, &calls);
	}
	trace = text_file_read(shared, NULL);
	text_fmt(path, sizeof(path), "%s/trace.jsonl", dir);
	if (!trace || !(out = fopen(path, "w"))) {
		free(trace);
		idset_free(&calls);
		return -1;
	}
	/* who is the case's: the sessions of its calls (the Call-IDs its
	 * agents sent or received: a B2BUA's and click-to-call's own legs
	 * reach an agent too), their application sessions, and every
	 * session of those.  Not the ids its HTTP answers name: GET
	 * /sessions lists every case's. */
	for (int pass = 0; pass < 2; pass++) {
		for (char *p = trace; *p;) {
			char *eol = strchr(p, '\n');

			if (eol)
				*eol = '\0';
			json_t *o = json_loads(p, 0, NULL);
			const char *ev = json_string_value(json_object_get(o, "ev")),
				   *a = json_string_value(json_object_get(o, "sas")),
				   *s = json_string_value(json_object_get(o, "ss")),
				   *c = json_string_value(json_object_get(o, "call"));

			if (ev && pass == 0) {
				if (!strcmp(ev, "ss-created") && c && idset_has(&calls, c))
					idset_add(&sas, a);
			} else if (ev) {
				if (!strcmp(ev, "ss-created") && a && idset_has(&sas, a))
					idset_add(&ss, s);
				if ((a && idset_has(&sas, a)) || (s && idset_has(&ss, s))) {
					fprintf(out, "%s\n", p);
					++*events;
					if (s && (!strcmp(ev, "ss-ready") || !strcmp(ev, "ss-invalidated")))
						idset_add(&done, s);
				}
			}
			json_decref(o);
			if (eol)
				*eol = '\n';
			p = eol ? eol + 1 : p + strlen(p);
		}
	}
	fclose(out);
	for (size_t i = 0; i < ss.n; i++)
		*pending += !idset_has(&done, ss.v[i]);
	free(trace);
	idset_free(&calls);
	idset_free(&sas);
	idset_free(&ss);
	idset_free(&done);
	return 0;
}
