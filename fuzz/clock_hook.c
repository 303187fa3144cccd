/**
 * @file fuzz/clock_hook.c  a monotonic clock the fuzz target moves forward
 *
 * The container's timers (RFC 3261 Timers A to K in libosip2, the
 * proxy's branch timeouts in sipc.c, libmicrohttpd's connection timeout)
 * run on CLOCK_MONOTONIC; the session model's (session expiry) on the
 * clock sipc_hook.c hands to ssm_alloc.  This file defines clock_gettime
 * for the whole fuzz binary (it takes precedence over libc's, and over
 * the sanitizers' weak interceptor) so that CLOCK_MONOTONIC and its kin
 * read the real time plus an offset that an input advances ("%wait N"),
 * and so timers fire within one execution.  CLOCK_REALTIME is left
 * alone: libFuzzer measures its runs and timeouts with it.
 */
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "hook.h"

static uint64_t offset_ms;

void hook_clock_reset(void)
{
	offset_ms = 0;
}

void hook_clock_advance(uint64_t ms)
{
	offset_ms += ms;
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
	long rc = syscall(SYS_clock_gettime, id, ts);

	if (rc == 0 && offset_ms && id != CLOCK_REALTIME &&
	    id != CLOCK_REALTIME_COARSE && id != CLOCK_PROCESS_CPUTIME_ID &&
	    id != CLOCK_THREAD_CPUTIME_ID) {
		ts->tv_sec += (time_t)(offset_ms / 1000);
		ts->tv_nsec += (long)(offset_ms % 1000) * 1000000;
		if (ts->tv_nsec >= 1000000000) {
			ts->tv_sec++;
			ts->tv_nsec -= 1000000000;
		}
	}
	return rc == 0 ? 0 : -1;
}

uint64_t hook_model_clock(void *arg)
{
	struct timespec ts;

	(void)arg;
	syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000 +
	       offset_ms;
}
