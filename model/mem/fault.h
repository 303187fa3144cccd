/**
 * @file model/mem/fault.h  allocation with fault injection, for sstck-ref
 *
 * Beside the allocator whose counter it reads (mem.h).  Included last by
 * the container's files (model/sip, model/http, model/apps): their
 * calloc, malloc, realloc and strdup then ask mem_should_fail() first,
 * so one counter (mem_fail_once) can make the Nth allocation of a call
 * fail, in the model or in the container, and test-oom proves that
 * sstck-ref survives each.  Allocations inside
 * libosip2, libmicrohttpd and jansson are theirs and are not counted.
 */
#ifndef SSTCK_FAULT_H
#define SSTCK_FAULT_H

#include <stdlib.h>
#include <string.h>
#include "mem.h"

static inline void *fault_calloc(size_t n, size_t sz)
{
	return mem_should_fail() ? NULL : calloc(n, sz);
}

static inline void *fault_malloc(size_t sz)
{
	return mem_should_fail() ? NULL : malloc(sz);
}

static inline void *fault_realloc(void *p, size_t sz)
{
	return mem_should_fail() ? NULL : realloc(p, sz);
}

static inline char *fault_strdup(const char *s)
{
	return mem_should_fail() ? NULL : strdup(s);
}

#define calloc(n, sz) fault_calloc(n, sz)
#define malloc(sz) fault_malloc(sz)
#define realloc(p, sz) fault_realloc(p, sz)
#define strdup(s) fault_strdup(s)

#endif
