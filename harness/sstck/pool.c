/**
 * @file harness/sstck/pool.c  the job pool sstck run runs its cases in.
 *
 * Each job runs in a child process heading a process group of its own;
 * the child sends its result back over a pipe and exits, and the parent
 * then kills whatever is left in the group.  Ctrl-C, a hung job and a
 * crashed child all end the same way: kill(-group, SIGKILL).
 */
#define _GNU_SOURCE 1   /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sstck.h"

struct slot {
	pid_t pid;              /* the child, head of the job's group */
	int fd;                 /* its result pipe */
	size_t idx;
	size_t got;
	void *buf;              /* what has come through the pipe */
	long long started, deadline;
};

struct pool {
	struct slot *slots;
	int jobs;
	size_t size, running;
};

#ifdef SSTCK_GCOV
void __gcov_dump(void);
/* A job runs in a child that leaves by _exit(): in a coverage build its
 * counters are written first. */
static void gcov_flush(void)
{
	__gcov_dump();
}
#else
static void gcov_flush(void)
{
}
#endif

struct pool *pool_alloc(int jobs, size_t size)
{
	struct pool *p = calloc(1, sizeof(*p));

	if (!p || !(p->slots = calloc((size_t)jobs, sizeof(*p->slots)))) {
		free(p);
		return NULL;
	}
	p->jobs = jobs;
	p->size = size;
	for (int k = 0; k < jobs; k++)
		if (!(p->slots[k].buf = malloc(size))) {
			pool_free(p);
			return NULL;
		}
	return p;
}

void pool_free(struct pool *p)
{
	if (!p)
		return;
	for (int k = 0; k < p->jobs; k++)
		free(p->slots[k].buf);
	free(p->slots);
	free(p);
}

bool pool_full(const struct pool *p)
{
	return p->running >= (size_t)p->jobs;
}

size_t pool_running(const struct pool *p)
{
	return p->running;
}

/* In the child: the job, then its result down the pipe. */
static void child(struct slot *s, int wfd, pool_job_h *jobh, void *arg,
		  size_t size)
{
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	jobh(s->idx, s->buf, arg);

	const char *p = s->buf;
	size_t left = size;

	while (left) {
		ssize_t w = write(wfd, p, left);

		if (w <= 0 && errno != EINTR)
			_exit(3);
		if (w > 0) {
			p += w;
			left -= (size_t)w;
		}
	}
	gcov_flush();
	_exit(0);
}

int pool_start(struct pool *p, size_t idx, long long deadline_ms,
	       pool_job_h *jobh, void *arg, char *err, size_t errsz)
{
	struct slot *s = NULL;
	int pfd[2];

	for (int k = 0; k < p->jobs; k++)
		if (!p->slots[k].pid)
			s = &p->slots[k];
	if (!s) {
		text_fmt(err, errsz, "no free slot");
		return -1;
	}
	if (pipe2(pfd, O_CLOEXEC)) {
		text_fmt(err, errsz, "pipe: %s", strerror(errno));
		return -1;
	}
	s->idx = idx;
	s->got = 0;
	s->fd = pfd[0];
	s->started = proc_now_ms();
	s->deadline = deadline_ms;
	s->pid = fork();
	if (s->pid == 0) {
		close(pfd[0]);
		child(s, pfd[1], jobh, arg, p->size);
	}
	close(pfd[1]);
	if (s->pid < 0) {
		close(pfd[0]);
		s->pid = 0;
		text_fmt(err, errsz, "fork: %s", strerror(errno));
		return -1;
	}
	setpgid(s->pid, s->pid);
	p->running++;
	return 0;
}

void pool_kill(struct pool *p)
{
	for (int k = 0; k < p->jobs; k++)
		if (p->slots[k].pid)
			proc_kill_group(p->slots[k].pid);
}

/* Reads what S's pipe holds now; true when it is at its end. */
static bool drain(struct slot *s, size_t size)
{
	for (;;) {
		ssize_t got;
		struct pollfd q = { s->fd, POLLIN, 0 };

		if (poll(&q, 1, 0) <= 0)
			return false;
		got = read(s->fd, (char *)s->buf + s->got, size - s->got);
		if (got <= 0)
			return true;
		s->got += (size_t)got;
	}
}

void pool_wait(struct pool *p, int timeout_ms, bool interrupted,
	       pool_end_h *endh, void *arg)
{
	struct pollfd pf[64];
	int np = 0;

	for (int k = 0; k < p->jobs && np < 64; k++)
		if (p->slots[k].pid) {
			pf[np].fd = p->slots[k].fd;
			pf[np].events = POLLIN;
			pf[np].revents = 0;
			np++;
		}
	poll(pf, (nfds_t)np, timeout_ms);
	for (int k = 0; k < p->jobs; k++) {
		struct slot *s = &p->slots[k];
		enum pool_end how = POOL_DONE;
		bool ended;
		double secs;

		if (!s->pid)
			continue;
		ended = drain(s, p->size);
		if (!ended && !interrupted && proc_now_ms() < s->deadline)
			continue;
		if (!ended || s->got != p->size)
			how = interrupted ? POOL_INTERRUPTED :
			      proc_now_ms() >= s->deadline ? POOL_LATE : POOL_DIED;
		proc_kill_group(s->pid);
		waitpid(s->pid, NULL, 0);
		proc_kill_group(s->pid);
		close(s->fd);
		s->pid = 0;
		p->running--;
		secs = (double)(proc_now_ms() - s->started) / 1000.0;
		endh(s->idx, how == POOL_DONE ? s->buf : NULL, how, secs, arg);
	}
}
