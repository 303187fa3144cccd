/**
 * @file model/mem/mem.h  Reference-counted memory with destructors
 *
 * Every model object comes from mem_zalloc(): a zeroed block with a
 * reference count and an optional destructor.  mem_ref() adds an owner,
 * mem_deref() drops one and always returns NULL, so `p = mem_deref(p);`
 * releases and clears in one statement.  mem_deref(NULL) is a no-op, so a
 * half-built object can always be released.
 *
 * The layer also counts live blocks and bytes (and the peak), which the
 * unit suites use to prove that a test leaves nothing behind and the
 * benchmark uses to report bytes per session.  A fault-injection hook makes
 * the Nth allocation fail, so out-of-memory paths can be tested.
 */
#ifndef SSTCK_MEM_H
#define SSTCK_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** The object of @type whose @member @p points at. */
#define container_of(p, type, member) \
	((type *)(void *)((char *)(p) - offsetof(type, member)))

typedef void (mem_destroy_h)(void *data);

struct mem_stats {
	uint64_t blocks;       /**< Live blocks                       */
	uint64_t bytes;        /**< Live bytes, headers included      */
	uint64_t peak_bytes;   /**< Highest value of bytes seen       */
	uint64_t allocs;       /**< Allocations since start           */
};

void *mem_zalloc(size_t size, mem_destroy_h *dh);
void *mem_ref(void *data);
void *mem_deref(void *data);
uint32_t mem_nrefs(const void *data);
char *mem_strdup(const char *s);

void mem_stats_get(struct mem_stats *st);
void mem_stats_reset_peak(void);
void mem_fail_after(int64_t n);
void mem_fail_once(int64_t n);
/** Whether this allocation is to fail (fault injection); for allocators
 * outside this layer that take part in it.  Counts the calls. */
bool mem_should_fail(void);
/** Allocations that asked since mem_fail_once() was last called. */
uint64_t mem_fault_calls(void);
size_t mem_header_size(void);

#endif
