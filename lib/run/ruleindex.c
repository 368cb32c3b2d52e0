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

/* A path of an equals criterion, and how to read its value in an event. */
struct path {
	char			*text;
	size_t			 len;
	const struct aiops_match *m;	/* a rule's criteria with that path, */
	size_t			 cond;	/* and its condition */
	size_t			 distinct;	/* values the rules give it */
};

/*
 * Rules filed under the values of one or two paths (two when a rule has
 * two equals criteria: type and name tell 200 groups apart where name
 * alone tells 50): the values' joined keys -> bucket.
 */
struct group {
	size_t			 p[2];	/* into paths */
	size_t			 np;
	struct aiops_hmap	 values;
};

struct aiops_rule_index {
	const struct aiops_ruleset *rs;
	struct path		*paths;
	size_t			 npaths;
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

static void
push(size_t **v, size_t *n, size_t *cap, size_t rule)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 4;
		*v = xreallocarray(*v, *cap, sizeof(**v));
	}
	(*v)[(*n)++] = rule;
}

static size_t
path_of(struct aiops_rule_index *x, const struct aiops_match_equals *eq,
    const struct aiops_match *m)
{
	struct path *p;
	size_t i;

	for (i = 0; i < x->npaths; i++)
		if (x->paths[i].len == eq->pathlen && memcmp(x->paths[i].text, eq->path,
		    eq->pathlen) == 0)
			return i;
	x->paths = xreallocarray(x->paths, x->npaths + 1, sizeof(*x->paths));
	p = &x->paths[x->npaths];
	p->text = xmalloc(eq->pathlen + 1);
	memcpy(p->text, eq->path, eq->pathlen);
	p->text[eq->pathlen] = '\0';
	p->len = eq->pathlen;
	p->m = m;
	p->cond = eq->cond;
	p->distinct = 0;
	return x->npaths++;
}

/* How many distinct values the rules give each path (keys in a scratch map). */
static void
count_values(struct aiops_rule_index *x, struct aiops_buf *key)
{
	struct aiops_match_equals eq[MAX_EQUALS];
	const struct aiops_match *m;
	struct aiops_hmap seen;
	size_t r, i, n, p;

	aiops_hmap_init(&seen);
	for (r = 0; r < x->rs->n; r++) {
		m = aiops_rule_criteria(x->rs->v[r]);
		n = aiops_match_equals(m, eq, MAX_EQUALS);
		for (i = 0; i < n && i < MAX_EQUALS; i++) {
			p = path_of(x, &eq[i], m);
			if (value_key(eq[i].pattern, key) == -1)
				continue;
			aiops_buf_addf(key, "@%zu", p);
			if (aiops_hmap_get(&seen, key->data, key->len) == NULL) {
				aiops_hmap_put(&seen, key->data, key->len, x);
				x->paths[p].distinct++;
			}
		}
	}
	aiops_hmap_release(&seen, NULL);
}

/* Appends the key of value v to key: its length, then it (one is scratch). */
static int
add_part(struct aiops_buf *key, const json_t *v, struct aiops_buf *one)
{
	if (value_key(v, one) == -1)
		return -1;
	aiops_buf_addf(key, "%zu:", one->len);
	aiops_buf_add(key, one->data, one->len);
	return 0;
}

static struct group *
group_of(struct aiops_rule_index *x, const size_t *p, size_t np)
{
	struct group *g;
	size_t i;

	for (i = 0; i < x->ngroups; i++)
		if (x->groups[i].np == np && x->groups[i].p[0] == p[0] &&
		    (np == 1 || x->groups[i].p[1] == p[1]))
			return &x->groups[i];
	x->groups = xreallocarray(x->groups, x->ngroups + 1, sizeof(*g));
	g = &x->groups[x->ngroups++];
	memset(g, 0, sizeof(*g));
	memcpy(g->p, p, np * sizeof(*p));
	g->np = np;
	aiops_hmap_init(&g->values);
	return g;
}

/* Swaps entries 0 and 1 of a path list and its patterns. */
static void
swap2(size_t *p, const json_t **pat)
{
	size_t t = p[0];
	const json_t *tp = pat[0];

	p[0] = p[1], p[1] = t;
	pat[0] = pat[1], pat[1] = tp;
}

/* Files rule r under the values of its (at most two) most telling equals paths. */
static void
file_rule(struct aiops_rule_index *x, size_t r, struct aiops_buf *key, struct aiops_buf *one)
{
	struct aiops_match_equals eq[MAX_EQUALS];
	const struct aiops_match *m = aiops_rule_criteria(x->rs->v[r]);
	const json_t *pat[2] = { NULL, NULL };
	size_t i, n, t, p[2] = { 0, 0 }, np = 0;
	struct bucket *b;
	struct group *g;

	n = aiops_match_equals(m, eq, MAX_EQUALS);
	for (i = 0; i < n && i < MAX_EQUALS; i++) {
		if (value_key(eq[i].pattern, one) == -1)
			continue;
		t = path_of(x, &eq[i], m);
		if ((np > 0 && t == p[0]) || (np > 1 && t == p[1]))
			continue;	/* the same path twice: one says it */
		if (np < 2) {
			p[np] = t;
			pat[np++] = eq[i].pattern;
		} else if (x->paths[t].distinct > x->paths[p[1]].distinct) {
			p[1] = t;
			pat[1] = eq[i].pattern;
		}
		if (np == 2 && x->paths[p[1]].distinct > x->paths[p[0]].distinct)
			swap2(p, pat);
	}
	if (np == 0) {
		x->always[x->nalways++] = r;	/* room for every rule */
		return;
	}
	/* The group's paths in one order, whatever order the rule wrote them. */
	if (np == 2 && p[0] > p[1])
		swap2(p, pat);
	g = group_of(x, p, np);
	aiops_buf_reset(key);
	for (i = 0; i < np; i++)
		add_part(key, pat[i], one);
	if ((b = aiops_hmap_get(&g->values, key->data, key->len)) == NULL) {
		b = xcalloc(1, sizeof(*b));
		aiops_hmap_put(&g->values, key->data, key->len, b);
	}
	push(&b->v, &b->n, &b->cap, r);
}

struct aiops_rule_index *
aiops_rule_index_new(const struct aiops_ruleset *rs)
{
	struct aiops_rule_index *x = xcalloc(1, sizeof(*x));
	struct aiops_buf key = AIOPS_BUF_INIT, one = AIOPS_BUF_INIT;
	size_t r;

	x->rs = rs;
	x->always = xcalloc(rs->n + 1, sizeof(*x->always));
	count_values(x, &key);
	for (r = 0; r < rs->n; r++)
		file_rule(x, r, &key, &one);
	aiops_buf_release(&key);
	aiops_buf_release(&one);
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
	for (i = 0; i < x->ngroups; i++)
		aiops_hmap_release(&x->groups[i].values, bucket_free);
	for (i = 0; i < x->npaths; i++)
		free(x->paths[i].text);
	free(x->groups);
	free(x->paths);
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
	struct aiops_buf key = AIOPS_BUF_INIT, one = AIOPS_BUF_INIT;
	const struct bucket *b;
	const struct group *g;
	const struct path *p;
	size_t i, k, n, sorted;

	memcpy(out, x->always, x->nalways * sizeof(*out));
	n = sorted = x->nalways;
	for (i = 0; i < x->ngroups; i++) {
		g = &x->groups[i];
		aiops_buf_reset(&key);
		for (k = 0; k < g->np; k++) {
			p = &x->paths[g->p[k]];
			if (add_part(&key, aiops_match_value(p->m, p->cond, event), &one) == -1)
				break;
		}
		if (k < g->np || (b = aiops_hmap_get(&g->values, key.data, key.len)) == NULL)
			continue;
		memcpy(out + n, b->v, b->n * sizeof(*out));
		n += b->n;
	}
	aiops_buf_release(&key);
	aiops_buf_release(&one);
	/* Each rule is filed once: no duplicates, only the order to restore. */
	if (n > sorted)
		qsort(out, n, sizeof(*out), by_index);
	return n;
}
