/*
 * series.c: the metric series of aiops-detect and their models, under a
 * memory budget (detect.memory).
 *
 * A series lives from its first point to the end of the run: its key,
 * name, threshold and counter sample, about a hundred bytes (struct series
 * in detect.h). Its model, which is most of the memory (aiops_mdetect_size()),
 * is resident only while it fits: the resident models are kept on a list
 * in the order they were loaded, and when the series and the models
 * together pass the budget the least recently used are evicted, in a batch
 * down to 15/16 of it (one transaction for the batch). Recency is that of
 * CLOCK (second chance, Corbato 1968): a use sets a bit, and the oldest
 * model on the list goes unless its bit is set, in which case the bit is
 * cleared and it goes to the other end; a use costs a bit, not the two
 * list moves of exact LRU. A model
 * changed since it was saved is saved to the state first, then freed. When
 * its series comes again, its model is loaded again from the state, so
 * that scores do not depend on the budget.
 *
 * With --no-state there is nowhere to keep an evicted model: it is dropped
 * and its series starts afresh when it comes again, and one warning at the
 * end says how many were dropped. The budget stays a bound on memory, which
 * is what it is for; a run that must keep every model without a state sets
 * detect.memory above what they take (aiops-detect(1)).
 *
 * Saving is linear in what changed: a series goes on the dirty list when
 * its model is first changed after a save, and a save walks that list.
 */
#include "compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/hash.h"
#include "core/xmalloc.h"
#include "detect.h"
#include "store/models.h"
#include "tool/log.h"

/* glibc's malloc: 8 bytes of header, chunks in steps of 16, at least 32. */
#define CHUNK(n)	((n) + 8 < 32 ? 32 : ((n) + 8 + 15) & ~(size_t)15)

struct series_table {
	struct series	**slots;	/* open addressing, linear probing; cap slots */
	size_t		  cap;		/* a power of two, or 0 */
	size_t		  len;		/* series */
	struct series	 *newest;	/* resident models, last loaded (or spared) first */
	struct series	 *oldest;
	struct series	**dirty;	/* changed since the last save (some since evicted) */
	size_t		  ndirty, dirtycap;
	size_t		  budget;	/* bytes: detect.memory */
	size_t		  used;		/* bytes now: series, index, dirty list, models */
	size_t		  model_bytes;	/* one resident model */
	int64_t		  retention;	/* of stored models, ns; 0: keep all */
	int		  expired;	/* the retention ran in this run */
	int		  warned;	/* the budget was too small for the series alone */
	unsigned long	  nresident, nevicted, nreloaded, ndropped;
	unsigned long	  nstale;	/* saved models of another version */
};

void
detect_series_init(struct detect *d, size_t budget, int64_t retention)
{
	struct series_table *t = xcalloc(1, sizeof(*t));

	t->budget = budget;
	t->retention = retention > 0 ? retention : 0;
	t->model_bytes = CHUNK(aiops_mdetect_size());
	d->series = t;
}

/*
 * ---- the index ----
 * Not core/hmap: that keeps its own copy of each key and a 40-byte entry a
 * slot. A series holds its key inline, so the index here is one pointer a
 * slot: about 17 bytes a series at 1,000,000 series (README, Speed).
 */

static struct series **
slot_of(const struct series_table *t, const char *key, size_t klen, uint32_t hash)
{
	size_t mask = t->cap - 1, i;

	for (i = hash & mask;; i = (i + 1) & mask) {
		struct series *s = t->slots[i];

		if (s == NULL || (s->hash == hash && s->klen == klen &&
		    memcmp(s->key, key, klen) == 0))
			return &t->slots[i];
	}
}

/* Kept at most 70% full: 8 bytes a slot, 11 to 23 bytes a series. */
static void
index_grow(struct series_table *t)
{
	struct series **old = t->slots;
	size_t oldcap = t->cap, i;

	t->cap = oldcap ? oldcap * 2 : 64;
	t->slots = xcalloc(t->cap, sizeof(*t->slots));
	for (i = 0; i < oldcap; i++)
		if (old[i] != NULL)
			*slot_of(t, old[i]->key, old[i]->klen, old[i]->hash) = old[i];
	free(old);
	t->used += (t->cap - oldcap) * sizeof(*t->slots);
}

/* ---- the list of resident models ---- */

static void
lru_unlink(struct series_table *t, struct series *s)
{
	if (s->newer != NULL)
		s->newer->older = s->older;
	else
		t->newest = s->older;
	if (s->older != NULL)
		s->older->newer = s->newer;
	else
		t->oldest = s->newer;
	s->newer = s->older = NULL;
}

static void
lru_push(struct series_table *t, struct series *s)
{
	s->older = t->newest;
	s->newer = NULL;
	if (t->newest != NULL)
		t->newest->newer = s;
	else
		t->oldest = s;
	t->newest = s;
}

/* ---- the state ---- */

static int
save_one(struct detect *d, struct series *s, int64_t now)
{
	struct aiops_model m;
	unsigned char *blob = NULL;
	int rc;

	memset(&m, 0, sizeof(m));
	m.series_key = s->key;
	m.len = aiops_mdetect_save(s->model, &blob);
	m.blob = blob;
	m.counter_ts = s->counter_ts;
	m.counter_value = s->counter_value;
	m.updated = now;
	rc = m.len != 0 ? aiops_models_put(d->state, &m) : -1;
	free(blob);
	s->dirty = 0;
	return rc;
}

/*
 * The model saved for the series, if any. The counter's last sample is
 * taken from the state only the first time: after that the series itself
 * holds it (and it was saved with the model when evicted).
 */
static void
load_model(struct detect *d, struct series *s)
{
	struct aiops_model saved;
	int rc;

	if (d->state == NULL)
		return;
	if ((rc = aiops_models_get(d->state, s->key, &saved)) == -1)
		detect_state_fatal(d, "loading a model");
	if (rc == 0)
		return;
	/* After an upgrade every series may say so: the first, then a count. */
	if (aiops_mdetect_load(&s->model, saved.blob, saved.len) == -1 &&
	    d->series->nstale++ == 0)
		log_warnx("%s: saved model of another version: starting afresh", s->key);
	if (!s->loaded) {
		s->counter_ts = saved.counter_ts;
		s->counter_value = saved.counter_value;
	}
	aiops_model_release(&saved);
}

/*
 * Evicts the least recently used models but keep (and the last one left),
 * down to 15/16 of the budget: in a batch, so that the changed ones are
 * saved in one transaction (joining one already open).
 */
static void
evict(struct detect *d, struct series *keep)
{
	struct series_table *t = d->series;
	size_t low = t->budget - t->budget / 16;
	int64_t now = aiops_clock_now();
	struct series *s;
	int own = 0;

	while (t->used > low && (s = t->oldest) != NULL && s != t->newest) {
		/* Used since it last came to the end of the list: a second chance. */
		if (s->used || s == keep) {
			s->used = 0;
			lru_unlink(t, s);
			lru_push(t, s);
			continue;
		}
		if (d->state == NULL) {
			t->ndropped++;
		} else if (s->dirty) {
			if (!own && !aiops_state_in_transaction(d->state)) {
				if (aiops_state_begin(d->state) == -1)
					detect_state_fatal(d, "evicting models");
				own = 1;
			}
			if (save_one(d, s, now) == -1) {
				if (own)
					aiops_state_rollback(d->state);
				detect_state_fatal(d, "evicting models");
			}
		}
		lru_unlink(t, s);
		aiops_mdetect_free(s->model);
		s->model = NULL;
		s->dirty = 0;
		t->used -= t->model_bytes;
		t->nresident--;
		t->nevicted++;
	}
	if (own && aiops_state_commit(d->state) == -1)
		detect_state_fatal(d, "evicting models");
	if (t->used - t->nresident * t->model_bytes > t->budget && !t->warned) {
		t->warned = 1;
		log_warnx("detect.memory: %zu series take %zu bytes before their models,"
		    " over the budget of %zu: one model is kept at a time", t->len,
		    t->used - t->nresident * t->model_bytes, t->budget);
	}
}

/* ---- series ---- */

static struct series *
series_new(struct detect *d, struct series **slot, const struct aiops_metric *m,
    const char *key, size_t klen, uint32_t hash)
{
	struct series_table *t = d->series;
	size_t size = sizeof(struct series) + klen + 1 + m->nlen + 1;
	struct series *s;
	char *name;

	s = xcalloc(1, size);
	memcpy(s->key, key, klen);
	name = s->key + klen + 1;
	memcpy(name, m->name, m->nlen);
	s->name = name;
	s->klen = (uint32_t)klen;
	s->hash = hash;
	*slot = s;
	t->len++;
	t->used += CHUNK(size);
	if (t->len * 10 > t->cap * 7)
		index_grow(t);
	return s;
}

/* Makes the model of s resident: loaded from the state, or a new one. */
static void
series_load(struct detect *d, struct series *s, const struct aiops_metric *m)
{
	struct series_table *t = d->series;
	struct aiops_mdetect_params p;

	detect_series_setup(d, s, m, &p);
	load_model(d, s);
	if (s->model == NULL && (s->model = aiops_mdetect_new(&p)) == NULL)
		fatalx(70, "out of memory");
	aiops_mdetect_set_params(s->model, &p);
	if (s->loaded)
		t->nreloaded++;
	s->loaded = 1;
	lru_push(t, s);
	t->used += t->model_bytes;
	t->nresident++;
}

/* s is about to change: onto the dirty list, unless it is already on it. */
static void
mark_dirty(struct detect *d, struct series *s)
{
	struct series_table *t = d->series;

	if (s->listed || d->state == NULL)
		return;
	if (t->ndirty == t->dirtycap) {
		size_t cap = t->dirtycap ? t->dirtycap * 2 : 64;

		t->dirty = xreallocarray(t->dirty, cap, sizeof(*t->dirty));
		t->used += (cap - t->dirtycap) * sizeof(*t->dirty);
		t->dirtycap = cap;
	}
	t->dirty[t->ndirty++] = s;
	s->listed = 1;
}

struct series *
series_get(struct detect *d, const struct aiops_metric *m)
{
	struct series_table *t = d->series;
	struct series **slot, *s;
	uint32_t hash;

	aiops_buf_reset(&d->scratch);
	aiops_series_key(&d->scratch, m);
	hash = (uint32_t)aiops_hash_fast(d->scratch.data, d->scratch.len);
	if (t->cap == 0)
		index_grow(t);
	slot = slot_of(t, d->scratch.data, d->scratch.len, hash);
	if ((s = *slot) == NULL)
		s = series_new(d, slot, m, d->scratch.data, d->scratch.len, hash);
	if (s->model == NULL) {
		series_load(d, s, m);
	} else {
		s->used = 1;
	}
	mark_dirty(d, s);
	if (t->used > t->budget)
		evict(d, s);
	return s;
}

void
detect_save_models(struct detect *d)
{
	struct series_table *t = d->series;
	int64_t now = aiops_clock_now();
	size_t i;

	d->since_save = 0;
	/* No write lock taken for nothing: a log-only run needs none here. */
	if (d->state == NULL || t == NULL || t->ndirty == 0)
		return;
	if (aiops_state_begin(d->state) == -1)
		detect_state_fatal(d, "saving models");
	/* The retention, once a run: before the saves, which renew what they save. */
	if (!t->expired && t->retention > 0 &&
	    aiops_models_expire(d->state, now - t->retention) == -1) {
		aiops_state_rollback(d->state);
		detect_state_fatal(d, "deleting old models");
	}
	t->expired = 1;
	for (i = 0; i < t->ndirty; i++) {
		struct series *s = t->dirty[i];

		s->listed = 0;
		if (s->dirty && s->model != NULL && save_one(d, s, now) == -1) {
			aiops_state_rollback(d->state);
			detect_state_fatal(d, "saving models");
		}
	}
	t->ndirty = 0;
	if (aiops_state_commit(d->state) == -1)
		detect_state_fatal(d, "saving models");
}

void
detect_metrics_free(struct detect *d)
{
	struct series_table *t = d->series;
	size_t i;

	aiops_hmap_release(&d->restarts, free);
	if (t == NULL)
		return;
	if (t->nevicted > 0)
		log_info("%zu series, %lu models evicted, %lu loaded again", t->len,
		    t->nevicted, t->nreloaded);
	if (t->nstale > 1)
		log_warnx("%lu saved models of another version in all: their series started afresh",
		    t->nstale);
	if (t->ndropped > 0)
		log_warnx("%lu models dropped: over detect.memory with no state to keep"
		    " them (--no-state), their series started afresh", t->ndropped);
	for (i = 0; i < t->cap; i++)
		if (t->slots[i] != NULL) {
			aiops_mdetect_free(t->slots[i]->model);
			free(t->slots[i]);
		}
	free(t->slots);
	free(t->dirty);
	free(t);
	d->series = NULL;
}
