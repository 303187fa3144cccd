/**
 * @file harness/test/t_proc.c  the harness's unit tests of ports and
 * processes.
 */
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "th.h"

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

void th_proc(TCase *tc)
{
	tcase_add_test(tc, port_blocks);
	tcase_add_test(tc, ports);
	tcase_add_test(tc, proc_exit_and_timeout);
	tcase_add_test(tc, proc_group_kill);
}
