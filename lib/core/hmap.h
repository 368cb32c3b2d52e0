/*
 * hmap.h: a hash map from byte-string keys to pointers, for the in-memory
 * tables of the programs (series, hosts, Prometheus families).
 *
 * Keys are copied (any bytes, NUL included); values are the caller's.
 * Entries stay in insertion order, so a walk over the map never depends
 * on the hash (aiops_hash_fast(), free to change: core/hash.h):
 *
 *	for (i = 0; i < m->len; i++)
 *		use(m->ents[i].key, m->ents[i].klen, m->ents[i].val);
 *
 * ents has cap slots, those from len on zeroed, so a walk over all cap
 * slots that skips NULL keys is the same walk. Lookups go through an open
 * addressing index kept under half full. There is no removal.
 */
#ifndef AIOPS_HMAP_H
#define AIOPS_HMAP_H

#include <stddef.h>
#include <stdint.h>

struct aiops_hmap_ent {
	char		*key;		/* NUL-terminated copy; NULL past len */
	size_t		 klen;
	uint64_t	 hash;
	void		*val;
};

struct aiops_hmap_slot {
	uint32_t	 ent;		/* index in ents + 1; 0: empty */
	uint32_t	 tag;		/* the hash's high half, checked first */
};

struct aiops_hmap {
	struct aiops_hmap_ent	*ents;	/* cap slots, entries in insertion order */
	struct aiops_hmap_slot	*index;	/* cap slots */
	size_t			 cap;	/* a power of two, or 0 */
	size_t			 len;
};

void aiops_hmap_init(struct aiops_hmap *m);
/* Frees the keys and the tables; free_val (may be NULL) gets each value. */
void aiops_hmap_release(struct aiops_hmap *m, void (*free_val)(void *));
/* The hash of a key, for the _h calls: hash once, look up and add. */
uint64_t aiops_hmap_hash(const char *key, size_t klen);
/* The value of key, or NULL when it has none. */
void *aiops_hmap_get(const struct aiops_hmap *m, const char *key, size_t klen);
void *aiops_hmap_get_h(const struct aiops_hmap *m, const char *key, size_t klen,
    uint64_t hash);
/*
 * Sets key to val, replacing a value it had (not freed), and returns the
 * map's copy of the key, valid until the map is released.
 */
const char *aiops_hmap_put(struct aiops_hmap *m, const char *key, size_t klen, void *val);
const char *aiops_hmap_put_h(struct aiops_hmap *m, const char *key, size_t klen,
    uint64_t hash, void *val);

#endif
