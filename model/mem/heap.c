/**
 * @file model/mem/heap.c  A binary min-heap of deadlines (heap.h)
 */
#include <stdlib.h>
#include "heap.h"

void heap_node_init(struct heap_node *x)
{
	x->due = 0;
	x->idx = SIZE_MAX;
}

static void swap(struct heap *h, size_t a, size_t b)
{
	struct heap_node *x = h->v[a];

	h->v[a] = h->v[b];
	h->v[b] = x;
	h->v[a]->idx = a;
	h->v[b]->idx = b;
}

static void up(struct heap *h, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (h->v[p]->due <= h->v[i]->due)
			break;
		swap(h, p, i);
		i = p;
	}
}

static void down(struct heap *h, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, s = i;

		if (l < h->n && h->v[l]->due < h->v[s]->due)
			s = l;
		if (r < h->n && h->v[r]->due < h->v[s]->due)
			s = r;
		if (s == i)
			return;
		swap(h, i, s);
		i = s;
	}
}

int heap_start(struct heap *h, struct heap_node *x, uint64_t due)
{
	if (x->idx != SIZE_MAX) {
		uint64_t old = x->due;

		x->due = due;
		if (due < old)
			up(h, x->idx);
		else
			down(h, x->idx);
		return 0;
	}
	if (h->n == h->sz) {
		size_t n = h->sz ? h->sz * 2 : 64;
		struct heap_node **v = realloc(h->v, n * sizeof(*v));

		if (!v)
			return -1;
		h->v = v;
		h->sz = n;
	}
	x->due = due;
	x->idx = h->n;
	h->v[h->n++] = x;
	up(h, x->idx);
	return 0;
}

void heap_stop(struct heap *h, struct heap_node *x)
{
	size_t i = x->idx;

	if (i == SIZE_MAX)
		return;
	x->idx = SIZE_MAX;
	if (i == --h->n)
		return;
	h->v[i] = h->v[h->n];
	h->v[i]->idx = i;
	up(h, i);
	down(h, h->v[i]->idx);
}

void heap_free(struct heap *h)
{
	free(h->v);
	h->v = NULL;
	h->n = h->sz = 0;
}
