#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/hmap.h"
#include "core/xmalloc.h"

void
aiops_hmap_init(struct aiops_hmap *m)
{
	memset(m, 0, sizeof(*m));
}

void
aiops_hmap_release(struct aiops_hmap *m, void (*free_val)(void *))
{
	size_t i;

	for (i = 0; i < m->len; i++) {
		free(m->ents[i].key);
		if (free_val != NULL)
			free_val(m->ents[i].val);
	}
	free(m->ents);
	free(m->index);
	aiops_hmap_init(m);
}

uint64_t
aiops_hmap_hash(const char *key, size_t klen)
{
	return aiops_hash_fast(key, klen);
}

static uint32_t
tag(uint64_t h)
{
	return (uint32_t)(h >> 32);
}

/* The index slot of key, or the empty slot where it would go. */
static size_t
find(const struct aiops_hmap *m, const char *key, size_t klen, uint64_t h)
{
	size_t i = (size_t)h & (m->cap - 1);

	for (;; i = (i + 1) & (m->cap - 1)) {
		const struct aiops_hmap_slot *s = &m->index[i];
		const struct aiops_hmap_ent *e;

		if (s->ent == 0)
			return i;
		if (s->tag != tag(h))
			continue;
		e = &m->ents[s->ent - 1];
		if (e->hash == h && e->klen == klen && memcmp(e->key, key, klen) == 0)
			return i;
	}
}

void *
aiops_hmap_get_h(const struct aiops_hmap *m, const char *key, size_t klen, uint64_t hash)
{
	size_t i;

	if (m->len == 0)
		return NULL;
	i = find(m, key, klen, hash);
	return m->index[i].ent != 0 ? m->ents[m->index[i].ent - 1].val : NULL;
}

void *
aiops_hmap_get(const struct aiops_hmap *m, const char *key, size_t klen)
{
	return aiops_hmap_get_h(m, key, klen, aiops_hmap_hash(key, klen));
}

/*
 * Doubles both tables, keeping the index under half full so probes stay
 * short. Entries do not move in ents; the index is built again.
 */
static void
grow(struct aiops_hmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64, i, j;

	if (cap > (size_t)UINT32_MAX)
		xoom(cap);	/* entry numbers are 32 bits */
	m->ents = xreallocarray(m->ents, cap, sizeof(*m->ents));
	memset(m->ents + m->cap, 0, (cap - m->cap) * sizeof(*m->ents));
	free(m->index);
	m->index = xcalloc(cap, sizeof(*m->index));
	m->cap = cap;
	for (i = 0; i < m->len; i++) {
		for (j = (size_t)m->ents[i].hash & (cap - 1); m->index[j].ent != 0;
		    j = (j + 1) & (cap - 1))
			;
		m->index[j].ent = (uint32_t)i + 1;
		m->index[j].tag = tag(m->ents[i].hash);
	}
}

const char *
aiops_hmap_put_h(struct aiops_hmap *m, const char *key, size_t klen, uint64_t hash, void *val)
{
	struct aiops_hmap_ent *e;
	size_t i;

	if ((m->len + 1) * 2 > m->cap)
		grow(m);
	i = find(m, key, klen, hash);
	if (m->index[i].ent != 0) {
		e = &m->ents[m->index[i].ent - 1];
		e->val = val;
		return e->key;
	}
	e = &m->ents[m->len++];
	e->key = xmalloc(klen + 1);
	memcpy(e->key, key, klen);
	e->key[klen] = '\0';
	e->klen = klen;
	e->hash = hash;
	e->val = val;
	m->index[i].ent = (uint32_t)m->len;
	m->index[i].tag = tag(hash);
	return e->key;
}

const char *
aiops_hmap_put(struct aiops_hmap *m, const char *key, size_t klen, void *val)
{
	return aiops_hmap_put_h(m, key, klen, aiops_hmap_hash(key, klen), val);
}
