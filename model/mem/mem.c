/**
 * @file model/mem/mem.c  Reference-counted memory with destructors
 *
 * A block is a small header (reference count, destructor, size) followed by
 * the caller's data.  The counters are plain globals: the model is single
 * threaded by design (the container runs one event loop).
 */
#include <stdlib.h>
#include <string.h>
#include "mem.h"

/* 16 bytes on LP64, so the data keeps malloc's 16-byte alignment. */
struct mem {
	uint32_t nrefs;
	uint32_t size;
	mem_destroy_h *dh;
};

_Static_assert(sizeof(struct mem) % 16 == 0 || sizeof(void *) != 8,
	       "mem header must keep 16-byte alignment");

static struct mem_stats stats;
static int64_t fail_after = -1;
static int64_t fail_once = -1;
static uint64_t fault_calls;

bool mem_should_fail(void)
{
	fault_calls++;
	if (fail_after == 0)
		return true;
	if (fail_after > 0)
		--fail_after;
	if (fail_once > 0 && --fail_once == 0) {
		fail_once = -1;
		return true;
	}
	return false;
}

static struct mem *hdr(const void *data)
{
	return (struct mem *)((char *)(uintptr_t)data - sizeof(struct mem));
}

/**
 * Allocate a zeroed, reference-counted block of @size bytes.
 *
 * @return the block with one reference, or NULL when out of memory (or when
 *         the fault-injection budget of mem_fail_after() is spent).
 */
void *mem_zalloc(size_t size, mem_destroy_h *dh)
{
	struct mem *m;

	if (mem_should_fail())
		return NULL;
	if (size > UINT32_MAX - sizeof(*m))
		return NULL;

	m = calloc(1, sizeof(*m) + size);
	if (!m)
		return NULL;

	m->nrefs = 1;
	m->size = (uint32_t)size;
	m->dh = dh;

	stats.blocks++;
	stats.allocs++;
	stats.bytes += sizeof(*m) + size;
	if (stats.bytes > stats.peak_bytes)
		stats.peak_bytes = stats.bytes;

	return m + 1;
}

/** Add a reference.  @return @data, for chaining; NULL stays NULL. */
void *mem_ref(void *data)
{
	if (data)
		hdr(data)->nrefs++;
	return data;
}

/**
 * Drop a reference; the last one runs the destructor and frees the block.
 *
 * @return always NULL
 */
void *mem_deref(void *data)
{
	struct mem *m;

	if (!data)
		return NULL;

	m = hdr(data);
	if (--m->nrefs > 0)
		return NULL;

	if (m->dh)
		m->dh(data);

	/* A destructor may have taken a reference to keep the block. */
	if (m->nrefs > 0)
		return NULL;

	stats.blocks--;
	stats.bytes -= sizeof(*m) + m->size;
	free(m);
	return NULL;
}

uint32_t mem_nrefs(const void *data)
{
	return data ? hdr(data)->nrefs : 0;
}

/** Copy a string into a reference-counted block; NULL gives NULL. */
char *mem_strdup(const char *s)
{
	size_t n;
	char *d;

	if (!s)
		return NULL;
	n = strlen(s);
	d = mem_zalloc(n + 1, NULL);
	if (d)
		memcpy(d, s, n);
	return d;
}

void mem_stats_get(struct mem_stats *st)
{
	*st = stats;
}

void mem_stats_reset_peak(void)
{
	stats.peak_bytes = stats.bytes;
}

/**
 * Make allocations fail after @n more succeed; a negative @n turns fault
 * injection off.
 */
void mem_fail_after(int64_t n)
{
	fail_after = n;
}

/**
 * Make only the @n-th allocation from now fail (1: the next one), the
 * others succeed; 0 or less turns it off.  It counts the model's blocks
 * and every allocation that asks mem_should_fail(), as sstck-ref's
 * container does.
 */
void mem_fail_once(int64_t n)
{
	fail_once = n > 0 ? n : -1;
	fault_calls = 0;
}

uint64_t mem_fault_calls(void)
{
	return fault_calls;
}

size_t mem_header_size(void)
{
	return sizeof(struct mem);
}
