/**
 * @file model/mem/heap.h  A binary min-heap of deadlines
 *
 * Intrusive, like htab.h: the node lives in the object that has the
 * deadline and knows its slot, so re-arming or stopping one is
 * O(log n) and nothing walks the deadlines that are not due.  The session
 * model's timers sit in one; sstck-ref's container keeps its
 * transactions' and proxy branches' deadlines in another.
 */
#ifndef SSTCK_HEAP_H
#define SSTCK_HEAP_H

#include <stddef.h>
#include <stdint.h>

struct heap_node {
	uint64_t due;
	size_t idx;                       /**< slot; SIZE_MAX: not armed */
};

struct heap {
	struct heap_node **v;
	size_t n, sz;
};

void heap_node_init(struct heap_node *x);
/** Arm or re-arm @x at @due.  @return 0, or -1 when the heap cannot grow. */
int heap_start(struct heap *h, struct heap_node *x, uint64_t due);
void heap_stop(struct heap *h, struct heap_node *x);
/** The earliest node, or NULL. */
static inline struct heap_node *heap_top(const struct heap *h)
{
	return h->n ? h->v[0] : NULL;
}
static inline int heap_armed(const struct heap_node *x)
{
	return x->idx != SIZE_MAX;
}
void heap_free(struct heap *h);

#endif
