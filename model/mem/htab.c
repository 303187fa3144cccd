/**
 * @file model/mem/htab.c  An intrusive chained hash table (htab.h)
 */
#include <stdlib.h>
#include <string.h>
#include "htab.h"

uint32_t htab_hash_str(uint32_t h, const char *s)
{
	if (!s)
		return h * 16777619u;
	for (; *s; s++) {
		h ^= (uint8_t)*s;
		h *= 16777619u;
	}
	return h;
}

static int grow(struct htab *t)
{
	size_t nb = t->nb ? t->nb * 2 : 64;
	struct hent **b = calloc(nb, sizeof(*b));

	if (!b)
		return -1;

	for (size_t i = 0; i < t->nb; i++) {
		struct hent *e = t->b[i];

		while (e) {
			struct hent *next = e->next;
			size_t k = e->hash & (nb - 1);

			e->next = b[k];
			b[k] = e;
			e = next;
		}
	}
	free(t->b);
	t->b = b;
	t->nb = nb;
	return 0;
}

int htab_insert(struct htab *t, struct hent *e, uint32_t hash)
{
	size_t k;

	if (t->n >= t->nb && grow(t))
		return -1;

	e->hash = hash;
	k = hash & (t->nb - 1);
	e->next = t->b[k];
	t->b[k] = e;
	e->linked = true;
	t->n++;
	return 0;
}

void htab_remove(struct htab *t, struct hent *e)
{
	struct hent **pp;

	if (!e->linked)
		return;
	for (pp = &t->b[e->hash & (t->nb - 1)]; *pp; pp = &(*pp)->next) {
		if (*pp == e) {
			*pp = e->next;
			e->next = NULL;
			e->linked = false;
			t->n--;
			return;
		}
	}
}

void htab_free(struct htab *t)
{
	free(t->b);
	memset(t, 0, sizeof(*t));
}
