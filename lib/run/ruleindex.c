/*
 * ruleindex.c: rules filed under their equals criteria (run/ruleindex.h).
 */
#include "compat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/hmap.h"
#include "core/xmalloc.h"
#include "match/matcher.h"
#include "run/ruleindex.h"

#define MAX_EQUALS	16	/* equals criteria of a rule considered */

/* The rules filed under one value. */
struct bucket {
	size_t	*v;
	size_t	 n, cap;
};

/* A path some rules are filed under: value key -> bucket. */
struct group {
	char			*path;
	size_t			 pathlen;
	const struct aiops_match *m;	/* a rule's criteria with that path, */
	size_t			 cond;	/* and its condition: how to read the value */
	struct aiops_hmap	 values;
};

struct aiops_rule_index {
	const struct aiops_ruleset *rs;
	struct group		*groups;
	size_t			 ngroups;
	size_t			*always;	/* rules with no equals criterion */
	size_t			 nalways;
};

/*
 * The key of a value as equals compares it (1 and 1.0 are equal, as in
 * Python): "s" and the bytes of a string, "n" and the shortest round-trip
 * digits of a number, "t" or "f" for a boolean. 0, or -1 for another type.
 */
static int
value_key(const json_t *v, struct aiops_buf *b)
{
	double d;

	aiops_buf_reset(b);
	if (json_is_string(v)) {
		aiops_buf_addc(b, 's');
		aiops_buf_add(b, json_string_value(v), json_string_length(v));
	} else if (json_is_number(v)) {
		d = json_number_value(v);
		if (isnan(d))
			return -1;
		aiops_buf_addf(b, "n%.17g", d == 0 ? 0.0 : d);
	} else if (json_is_boolean(v))
		aiops_buf_addc(b, json_is_true(v) ? 't' : 'f');
	else
		return -1;
	return 0;
}

static struct group *
group_of(struct aiops_rule_index *x, const char *path, size_t len)
{
	size_t i;

	for (i = 0; i < x->ngroups; i++)
		if (x->groups[i].pathlen == len && memcmp(x->groups[i].path, path, len) == 0)
			return &x->groups[i];
	return NULL;
}

static void
push(size_t **v, size_t *n, size_t *cap, size_t rule)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 4;
		*v = xreallocarray(*v, *cap, sizeof(**v));
	}
	(*v)[(*n)++] = rule;
}

/* Every rule's equals paths into groups, counting their distinct values. */
static void
make_groups(struct aiops_rule_index *x, struct aiops_buf *key)
{
	struct aiops_match_equals eq[MAX_EQUALS];
	const struct aiops_match *m;
	struct group *g;
	size_t r, i, n;

	for (r = 0; r < x->rs->n; r++) {
		m = aiops_rule_criteria(x->rs->v[r]);
		n = aiops_match_equals(m, eq, MAX_EQUALS);
		for (i = 0; i < n && i < MAX_EQUALS; i++) {
			if ((g = group_of(x, eq[i].path, eq[i].pathlen)) == NULL) {
				x->groups = xreallocarray(x->groups, x->ngroups + 1, sizeof(*g));
				g = &x->groups[x->ngroups++];
				memset(g, 0, sizeof(*g));
				g->path = xmalloc(eq[i].pathlen + 1);
				memcpy(g->path, eq[i].path, eq[i].pathlen);
				g->path[eq[i].pathlen] = '\0';
				g->pathlen = eq[i].pathlen;
				g->m = m;
				g->cond = eq[i].cond;
				aiops_hmap_init(&g->values);
			}
			if (value_key(eq[i].pattern, key) == 0 &&
			    aiops_hmap_get(&g->values, key->data, key->len) == NULL)
				aiops_hmap_put(&g->values, key->data, key->len,
				    xcalloc(1, sizeof(struct bucket)));
		}
	}
}

/* Files rule r under its equals on the path with the most distinct values. */
static void
file_rule(struct aiops_rule_index *x, size_t r, struct aiops_buf *key)
{
	struct aiops_match_equals eq[MAX_EQUALS], *best = NULL;
	const struct aiops_match *m = aiops_rule_criteria(x->rs->v[r]);
	struct group *g, *bg = NULL;
	struct bucket *b;
	size_t i, n;

	n = aiops_match_equals(m, eq, MAX_EQUALS);
	for (i = 0; i < n && i < MAX_EQUALS; i++) {
		g = group_of(x, eq[i].path, eq[i].pathlen);
		if (bg == NULL || g->values.len > bg->values.len) {
			bg = g;
			best = &eq[i];
		}
	}
	if (best == NULL || value_key(best->pattern, key) == -1) {
		x->always[x->nalways++] = r;	/* room for every rule */
		return;
	}
	b = aiops_hmap_get(&bg->values, key->data, key->len);
	push(&b->v, &b->n, &b->cap, r);
}

struct aiops_rule_index *
aiops_rule_index_new(const struct aiops_ruleset *rs)
{
	struct aiops_rule_index *x = xcalloc(1, sizeof(*x));
	struct aiops_buf key = AIOPS_BUF_INIT;
	size_t r;

	x->rs = rs;
	x->always = xcalloc(rs->n + 1, sizeof(*x->always));
	make_groups(x, &key);
	for (r = 0; r < rs->n; r++)
		file_rule(x, r, &key);
	aiops_buf_release(&key);
	return x;
}

static void
bucket_free(void *p)
{
	struct bucket *b = p;

	free(b->v);
	free(b);
}

void
aiops_rule_index_free(struct aiops_rule_index *x)
{
	size_t i;

	if (x == NULL)
		return;
	for (i = 0; i < x->ngroups; i++) {
		free(x->groups[i].path);
		aiops_hmap_release(&x->groups[i].values, bucket_free);
	}
	free(x->groups);
	free(x->always);
	free(x);
}

static int
by_index(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

size_t
aiops_rule_index_candidates(const struct aiops_rule_index *x, const json_t *event,
    size_t *out)
{
	struct aiops_buf key = AIOPS_BUF_INIT;
	const struct bucket *b;
	const struct group *g;
	size_t i, n = 0, sorted;

	memcpy(out, x->always, x->nalways * sizeof(*out));
	n = sorted = x->nalways;
	for (i = 0; i < x->ngroups; i++) {
		g = &x->groups[i];
		if (value_key(aiops_match_value(g->m, g->cond, event), &key) == -1)
			continue;
		if ((b = aiops_hmap_get(&g->values, key.data, key.len)) == NULL || b->n == 0)
			continue;
		memcpy(out + n, b->v, b->n * sizeof(*out));
		n += b->n;
	}
	aiops_buf_release(&key);
	/* Each rule is filed once: no duplicates, only the order to restore. */
	if (n > sorted)
		qsort(out, n, sizeof(*out), by_index);
	return n;
}
