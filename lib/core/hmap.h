/*
 * hmap.h: a hash map from byte-string keys to pointers (open addressing,
 * FNV-1a). Keys are copied; values are the caller's. For the per-series
 * and per-template tables of the filters.
 */
#ifndef AIOPS_HMAP_H
#define AIOPS_HMAP_H

#include <stddef.h>
#include <stdint.h>

struct aiops_hmap_ent {
	char		*key;		/* NULL: empty slot */
	size_t		 klen;
	uint64_t	 hash;
	void		*val;
};

struct aiops_hmap {
	struct aiops_hmap_ent	*ents;
	size_t			 cap;	/* a power of two, or 0 */
	size_t			 len;
};

void aiops_hmap_init(struct aiops_hmap *m);
/* Frees the keys and the table; free_val (may be NULL) gets each value. */
void aiops_hmap_release(struct aiops_hmap *m, void (*free_val)(void *));
void *aiops_hmap_get(const struct aiops_hmap *m, const char *key, size_t klen);
/* Sets key to val (replacing), returns the slot's stable key copy. */
const char *aiops_hmap_put(struct aiops_hmap *m, const char *key, size_t klen, void *val);
/* Iteration: for (i = 0; i < m->cap; i++) if (m->ents[i].key) ... */

#endif
