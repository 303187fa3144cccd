/**
 * @file harness/sstck/proc.c  processes, ports and listeners.
 *
 * A case runs in a process group of its own (the runner calls setpgid);
 * what it starts stays in that group, so one kill(-group) stops all of
 * it, Kamailio's children and SIPp's exec'd commands included.  Each child
 * also dies with the runner (PR_SET_PDEATHSIG), the belt to those braces.
 *
 * Waiting waits on the events themselves: a child's exit on its pidfd, a
 * file or a listener appearing on inotify's word that its folder changed
 * (with a recheck every PROC_RECHECK_MS besides).  Where the kernel has
 * no pidfd or inotify, a 10 ms poll does the same.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sstck.h"

long long proc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int bind_port(int type, int port)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, type, 0), got = -1;

	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((unsigned short)port);
	if (!bind(fd, (struct sockaddr *)&sa, sizeof(sa)) &&
	    !getsockname(fd, (struct sockaddr *)&sa, &len))
		got = ntohs(sa.sin_port);
	close(fd);
	return got;
}

/* The first port the kernel hands out on its own: ports below it are
 * taken only by whoever binds them by number, so one given to an agent
 * cannot be stolen by somebody's outgoing socket before the agent binds. */
static int ephemeral_low(void)
{
	FILE *fp = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
	int lo = 32768, hi = 60999;

	if (fp) {
		if (fscanf(fp, "%d %d", &lo, &hi) != 2)
			lo = 32768;
		fclose(fp);
	}
	return lo;
}

static int next_port, port_lo, port_hi;

static void port_range(void)
{
	if (port_lo)
		return;
	port_lo = 10000;
	port_hi = ephemeral_low();
	if (port_hi - port_lo < 1000) { /* an odd range: below it is too small */
		port_lo = 1024;
		port_hi = 65535;
	}
}

void proc_port_block(unsigned slot)
{
	static unsigned base;

	port_range();
	if (!base)
		base = 1u + (unsigned)getpid() * 7919u;
	next_port = port_lo + (int)((base + slot * 32u) % (unsigned)(port_hi - port_lo));
}

int proc_port_alloc(void)
{
	static unsigned char given[65536 / 8];
	int lo, hi;

	if (!next_port)
		proc_port_block(0);
	lo = port_lo;
	hi = port_hi;
	for (int tries = 0; tries < 2000; tries++) {
		int p = next_port++;

		if (next_port >= hi)
			next_port = lo;
		if (given[p / 8] & (1u << (p % 8)))
			continue;
		if (bind_port(SOCK_DGRAM, p) != p || bind_port(SOCK_STREAM, p) != p)
			continue;
		given[p / 8] |= (unsigned char)(1u << (p % 8));
		return p;
	}
	return 0;
}

static bool scan(const char *file, int port, bool tcp)
{
	FILE *fp = fopen(file, "r");
	char line[512];
	bool found = false;

	if (!fp)
		return false;
	if (!fgets(line, sizeof(line), fp)) {     /* the header */
		fclose(fp);
		return false;
	}
	while (!found && fgets(line, sizeof(line), fp)) {
		char local[128], remote[128], st[8];
		unsigned lport;
		char *colon;

		if (sscanf(line, " %*s %127s %127s %7s", local, remote, st) != 3)
			continue;
		colon = strrchr(local, ':');
		if (!colon || sscanf(colon + 1, "%x", &lport) != 1 ||
		    (int)lport != port)
			continue;
		*colon = '\0';
		/* 127.0.0.1 or the wildcard, in /proc's byte order; ::1 or :: */
		if (strcmp(local, "0100007F") && strcmp(local, "00000000") &&
		    strcmp(local, "00000000000000000000000001000000") &&
		    strcmp(local, "00000000000000000000000000000000"))
			continue;
		found = !tcp || !strcmp(st, "0A");
	}
	fclose(fp);
	return found;
}

bool proc_port_listening(int port, bool tcp)
{
	if (tcp)
		return scan("/proc/net/tcp", port, true) ||
		       scan("/proc/net/tcp6", port, true);
	return scan("/proc/net/udp", port, false) ||
	       scan("/proc/net/udp6", port, false);
}

pid_t proc_spawn(char *const argv[], const char *outfile, const char *dir)
{
	pid_t parent = getpid(), pid = fork();

	if (pid)
		return pid;              /* -1 or the child */
	int fd = open(outfile ? outfile : "/dev/null",
		      O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int nul = open("/dev/null", O_RDONLY);

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	if (fd < 0 || nul < 0 || dup2(nul, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(127);
	if (dir && chdir(dir)) {
		dprintf(2, "cannot enter %s: %s\n", dir, strerror(errno));
		_exit(127);
	}
	execvp(argv[0], argv);
	dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static int code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

/* A descriptor that turns readable when PID ends, or -1. */
static int pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

/* Milliseconds from now to DEADLINE_MS, at most CAP (0: none). */
static int left_ms(long long deadline_ms, int cap)
{
	long long left = deadline_ms - proc_now_ms();

	if (left < 0)
		left = 0;
	if (left > INT_MAX)
		left = INT_MAX;
	return cap && left > cap ? cap : (int)left;
}

int proc_wait(pid_t pid, long long deadline_ms)
{
	int fd = -2, rc;

	for (;;) {
		int status;
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid) {
			rc = code(status);
			break;
		}
		if ((r < 0 && errno != EINTR) || proc_now_ms() >= deadline_ms) {
			rc = -1;
			break;
		}
		if (r < 0)
			continue;
		if (fd == -2)
			fd = pidfd(pid);
		if (fd >= 0) {
			struct pollfd p = { fd, POLLIN, 0 };

			poll(&p, 1, left_ms(deadline_ms, 0));
		} else {
			usleep(10000);
		}
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

void proc_wait_any(const pid_t *pids, size_t n, long long deadline_ms)
{
	struct pollfd p[SSTCK_MAX_AGENTS];
	size_t np = 0;
	bool all = true;

	for (size_t i = 0; i < n && np < SSTCK_MAX_AGENTS; i++)
		if (pids[i] > 0) {
			p[np].fd = pidfd(pids[i]);
			p[np].events = POLLIN;
			p[np].revents = 0;
			all &= p[np].fd >= 0;
			np++;
		}
	if (np && all)
		poll(p, (nfds_t)np, left_ms(deadline_ms, 0));
	else
		usleep(10000);
	for (size_t i = 0; i < np; i++)
		if (p[i].fd >= 0)
			close(p[i].fd);
}

/* The process's inotify instance, made once and never closed: closing
 * one waits for the kernel to retire its watches (5 to 20 ms here, each
 * time), so each wait removes its own watch instead, long before the
 * process exits. */
static int notify_fd(void)
{
	static int fd = -2;

	if (fd == -2)
		fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	return fd;
}

int proc_wait_until(pid_t pid, const char *dir, bool (*held)(const void *arg),
		    const void *arg, long long deadline_ms)
{
	int ifd = dir ? notify_fd() : -1, pfd = pidfd(pid), wd = -1, rc;
	char buf[4096];

	if (ifd >= 0)
		wd = inotify_add_watch(ifd, dir, IN_CREATE | IN_MODIFY |
				       IN_CLOSE_WRITE | IN_MOVED_TO);
	for (;;) {
		struct pollfd p[2];
		nfds_t np = 0;

		if (held(arg)) {
			rc = 0;
			break;
		}
		if (proc_wait(pid, 0) != -1) {
			rc = 1;                  /* it exited */
			break;
		}
		if (proc_now_ms() >= deadline_ms) {
			rc = -1;
			break;
		}
		if (wd >= 0)
			p[np++] = (struct pollfd){ ifd, POLLIN, 0 };
		if (pfd >= 0)
			p[np++] = (struct pollfd){ pfd, POLLIN, 0 };
		poll(p, np, left_ms(deadline_ms, np == 2 ? PROC_RECHECK_MS : 10));
		while (wd >= 0 && read(ifd, buf, sizeof(buf)) > 0)
			;
	}
	if (wd >= 0) {
		inotify_rm_watch(ifd, wd);
		while (read(ifd, buf, sizeof(buf)) > 0)
			;
	}
	if (pfd >= 0)
		close(pfd);
	return rc;
}

int proc_stop(pid_t pid, int grace_ms)
{
	int rc;

	if (pid <= 0)
		return -1;
	kill(pid, SIGTERM);
	rc = proc_wait(pid, proc_now_ms() + grace_ms);
	if (rc == -1) {
		kill(pid, SIGKILL);
		rc = proc_wait(pid, proc_now_ms() + 2000);
		if (rc == -1)
			return -1;
		return 128 + SIGKILL;
	}
	return rc;
}

void proc_kill_group(pid_t pgid)
{
	if (pgid <= 1)
		return;
	kill(-pgid, SIGKILL);
	while (waitpid(-pgid, NULL, WNOHANG) > 0)
		;
}
