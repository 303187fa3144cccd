/**
 * @file model/mem/htab.h  An intrusive chained hash table
 *
 * The entry lives inside the object it indexes (struct hent), so insert
 * and remove allocate nothing per entry; the bucket array doubles at
 * load 1.  The table does not know keys: the caller hashes (htab_hash_str)
 * and walks one hash's entries with HTAB_FOREACH_HASH, comparing its own
 * key.  The session model indexes its sessions this way and sstck-ref's
 * container its transactions.
 */
#ifndef SSTCK_HTAB_H
#define SSTCK_HTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hent {
	struct hent *next;
	uint32_t hash;
	bool linked;
};

struct htab {
	struct hent **b;
	size_t nb;
	size_t n;
};

/** FNV-1a over a string, chained from @h (start with HTAB_SEED). */
uint32_t htab_hash_str(uint32_t h, const char *s);
#define HTAB_SEED 2166136261u
/** @return 0, or -1 when the bucket array cannot grow. */
int htab_insert(struct htab *t, struct hent *e, uint32_t hash);
/** Remove @e if it is linked; O(entries in its bucket). */
void htab_remove(struct htab *t, struct hent *e);
void htab_free(struct htab *t);

#define HTAB_FOREACH_HASH(t, h, e)                                    \
	for (struct hent *e = (t)->nb ? (t)->b[(h) & ((t)->nb - 1)] : NULL; \
	     e; e = e->next) if (e->hash == (h))

#endif
