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

	for (i = 0; i < m->cap; i++) {
		if (m->ents[i].key == NULL)
			continue;
		free(m->ents[i].key);
		if (free_val != NULL)
			free_val(m->ents[i].val);
	}
	free(m->ents);
	aiops_hmap_init(m);
}

static size_t
find(const struct aiops_hmap *m, const char *key, size_t klen, uint64_t h)
{
	size_t i = (size_t)h & (m->cap - 1);

	for (;; i = (i + 1) & (m->cap - 1)) {
		const struct aiops_hmap_ent *e = &m->ents[i];

		if (e->key == NULL || (e->hash == h && e->klen == klen &&
		    memcmp(e->key, key, klen) == 0))
			return i;
	}
}

void *
aiops_hmap_get(const struct aiops_hmap *m, const char *key, size_t klen)
{
	size_t i;

	if (m->cap == 0)
		return NULL;
	i = find(m, key, klen, aiops_hash64(key, klen, AIOPS_HASH_INIT));
	return m->ents[i].key != NULL ? m->ents[i].val : NULL;
}

/* Keeps the load under 1/2 so probes stay short. */
static void
grow(struct aiops_hmap *m)
{
	struct aiops_hmap old = *m;
	size_t i;

	m->cap = old.cap ? old.cap * 2 : 64;
	m->ents = xcalloc(m->cap, sizeof(*m->ents));
	for (i = 0; i < old.cap; i++)
		if (old.ents[i].key != NULL)
			m->ents[find(m, old.ents[i].key, old.ents[i].klen,
			    old.ents[i].hash)] = old.ents[i];
	free(old.ents);
}

const char *
aiops_hmap_put(struct aiops_hmap *m, const char *key, size_t klen, void *val)
{
	uint64_t h = aiops_hash64(key, klen, AIOPS_HASH_INIT);
	struct aiops_hmap_ent *e;

	if ((m->len + 1) * 2 > m->cap)
		grow(m);
	e = &m->ents[find(m, key, klen, h)];
	if (e->key == NULL) {
		e->key = xstrndup(key, klen);
		e->klen = klen;
		e->hash = h;
		m->len++;
	}
	e->val = val;
	return e->key;
}
