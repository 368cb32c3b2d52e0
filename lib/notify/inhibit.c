/*
 * inhibit.c: inhibition rules over an indexed set of firing alerts (see
 * inhibit.h for the sources and the rules).
 *
 * Alertmanager's inhibitor scans, per rule, every cached source alert for
 * each check (inhibit.go hasEqual). Here each rule keeps its sources in
 * buckets keyed by the values of its equal labels; a bucket has two
 * lists, the sources that match only the source side and those that match
 * both, so the both-sides rule is a choice of list, not a scan.
 */
#include "compat.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf.h"
#include "core/buf.h"
#include "core/hmap.h"
#include "core/utf8.h"
#include "core/xmalloc.h"
#include "match/matcher.h"
#include "notify/inhibit.h"
#include "notify/route.h"

#define PATH_LEN	512	/* longest dotted path named in a message */
/* Removed entries a map keeps before it is rebuilt without them. */
#define COMPACT_MIN	1024

/*
 * A hash map with removal: core/hmap has none, so a removed key keeps a
 * NULL value until the dead entries outnumber the live ones; then the map
 * is rebuilt (amortised O(1) a removal).
 */
struct dmap {
	struct aiops_hmap	 m;
	size_t			 live;
};

enum side { SOURCE_ONLY, BOTH_SIDES };

struct member;

/* The sources of a rule that share the values of its equal labels. */
struct bucket {
	struct member	*head[2];	/* by enum side */
	size_t		 n;
	char		*key;
	size_t		 klen;
};

/* An alert as a source of one rule. */
struct member {
	struct member	*prev, *next;
	struct bucket	*bucket;	/* NULL: not a source of the rule */
	struct alert	*alert;
	enum side	 side;
};

struct alert {
	char		*id;
	size_t		 idlen;
	json_t		*labels;
	int64_t		 ends_at;	/* ns; 0: none */
	struct member	*members;	/* one per rule */
};

/* An end to come, in the set's min-heap; stale once its alert is set again. */
struct end {
	int64_t		 at;
	char		*id;
	size_t		 idlen;
};

struct rule {
	struct aiops_match	*source, *target;
	json_t			*equal;		/* array of label names */
	struct dmap		 buckets;	/* equal key -> struct bucket */
};

struct aiops_inhibit {
	struct rule	*rules;
	size_t		 nrules;
	struct dmap	 alerts;		/* id -> struct alert */
	struct end	*ends;			/* min-heap by at */
	size_t		 nends, capends;
};

/* ------------------------------------------------------------------------
 * dmap
 * ------------------------------------------------------------------------
 */

static void
dmap_init(struct dmap *d)
{
	aiops_hmap_init(&d->m);
	d->live = 0;
}

static void
dmap_compact(struct dmap *d)
{
	struct aiops_hmap fresh;
	size_t i;

	aiops_hmap_init(&fresh);
	for (i = 0; i < d->m.len; i++)
		if (d->m.ents[i].val != NULL)
			aiops_hmap_put_h(&fresh, d->m.ents[i].key, d->m.ents[i].klen,
			    d->m.ents[i].hash, d->m.ents[i].val);
	aiops_hmap_release(&d->m, NULL);
	d->m = fresh;
}

/* Sets key to a value (not NULL) it does not hold yet. */
static void
dmap_add(struct dmap *d, const char *key, size_t klen, void *val)
{
	aiops_hmap_put(&d->m, key, klen, val);
	d->live++;
}

static void
dmap_remove(struct dmap *d, const char *key, size_t klen)
{
	aiops_hmap_put(&d->m, key, klen, NULL);
	d->live--;
	if (d->m.len - d->live > COMPACT_MIN && d->m.len - d->live > d->live)
		dmap_compact(d);
}

/* ------------------------------------------------------------------------
 * Rules
 * ------------------------------------------------------------------------
 */

static const char *const rule_fields[] = {
	"source_matchers", "target_matchers", "source_match", "target_match",
	"source_match_re", "target_match_re", "equal", NULL,
};

/* A path cut to fit PATH_LEN ends in "...": only a message shows it. */
static void
mark_cut(char *out, int n)
{
	if (n < 0 || n >= PATH_LEN)
		memcpy(out + PATH_LEN - 4, "...", 4);
}

static int
fail_at(const struct aiops_conf *cfg, char *err, size_t errlen, const char *path,
    const char *what, const char *arg)
{
	char where[PATH_LEN], msg[256];

	snprintf(msg, sizeof(msg), what, arg);
	if (cfg != NULL) {
		aiops_conf_where(cfg, path, where, sizeof(where));
		snprintf(err, errlen, "%s: %s: %s", where, path, msg);
	} else
		snprintf(err, errlen, "%s: %s", path, msg);
	return -1;
}

static int
check_fields(const json_t *node, const struct aiops_conf *cfg, const char *path, char *err,
    size_t errlen)
{
	char sub[PATH_LEN];
	const char *name;
	const json_t *v;
	size_t i;

	json_object_foreach((json_t *)node, name, v) {
		for (i = 0; rule_fields[i] != NULL; i++)
			if (strcmp(name, rule_fields[i]) == 0)
				break;
		if (rule_fields[i] == NULL) {
			mark_cut(sub, snprintf(sub, sizeof(sub), "%s.%s", path, name));
			return fail_at(cfg, err, errlen, sub, "unknown field '%s'", name);
		}
	}
	return 0;
}

/* equal: a list of label names, kept as an array of strings. */
static int
set_equal(struct rule *r, const json_t *node, const struct aiops_conf *cfg, const char *path,
    char *err, size_t errlen)
{
	const json_t *v = json_object_get(node, "equal"), *item;
	char sub[PATH_LEN];
	size_t i;

	r->equal = json_array();
	if (v == NULL || json_is_null(v))
		return 0;
	mark_cut(sub, snprintf(sub, sizeof(sub), "%s.equal", path));
	if (!json_is_array(v))
		return fail_at(cfg, err, errlen, sub, "expected a list of label names%s", "");
	json_array_foreach(v, i, item) {
		if (!json_is_string(item) || json_string_length(item) == 0 ||
		    aiops_utf8_check(json_string_value(item), json_string_length(item)) != -1) {
			mark_cut(sub, snprintf(sub, sizeof(sub), "%s.equal.%zu", path, i));
			return fail_at(cfg, err, errlen, sub, "invalid label name%s", "");
		}
		json_array_append_new(r->equal, json_string(json_string_value(item)));
	}
	return 0;
}

static int
build_rule(struct rule *r, const json_t *node, const struct aiops_conf *cfg, const char *path,
    char *err, size_t errlen)
{
	dmap_init(&r->buckets);
	if (!json_is_object(node))
		return fail_at(cfg, err, errlen, path, "expected a mapping%s", "");
	if (check_fields(node, cfg, path, err, errlen) == -1 ||
	    set_equal(r, node, cfg, path, err, errlen) == -1)
		return -1;
	if ((r->source = aiops_route_matchers(node, "source_", cfg, path, err, errlen)) == NULL ||
	    (r->target = aiops_route_matchers(node, "target_", cfg, path, err, errlen)) == NULL)
		return -1;
	return 0;
}

static void
free_bucket(void *p)
{
	struct bucket *b = p;

	if (b == NULL)
		return;
	free(b->key);
	free(b);
}

static void
free_alert(void *p)
{
	struct alert *a = p;

	if (a == NULL)
		return;
	free(a->id);
	json_decref(a->labels);
	free(a->members);
	free(a);
}

void
aiops_inhibit_free(struct aiops_inhibit *ih)
{
	size_t i;

	if (ih == NULL)
		return;
	for (i = 0; i < ih->nrules; i++) {
		aiops_match_free(ih->rules[i].source);
		aiops_match_free(ih->rules[i].target);
		json_decref(ih->rules[i].equal);
		aiops_hmap_release(&ih->rules[i].buckets.m, free_bucket);
	}
	free(ih->rules);
	aiops_hmap_release(&ih->alerts.m, free_alert);
	for (i = 0; i < ih->nends; i++)
		free(ih->ends[i].id);
	free(ih->ends);
	free(ih);
}

struct aiops_inhibit *
aiops_inhibit_build(const json_t *list, const struct aiops_conf *cfg, const char *path,
    char *err, size_t errlen)
{
	struct aiops_inhibit *ih = xcalloc(1, sizeof(*ih));
	char sub[PATH_LEN];
	const json_t *node;
	size_t i;

	if (errlen > 0)
		err[0] = '\0';
	dmap_init(&ih->alerts);
	if (list == NULL || json_is_null(list))
		return ih;
	if (!json_is_array(list)) {
		fail_at(cfg, err, errlen, path, "expected a list of rules%s", "");
		aiops_inhibit_free(ih);
		return NULL;
	}
	ih->rules = xcalloc(json_array_size(list) + 1, sizeof(*ih->rules));
	json_array_foreach(list, i, node) {
		mark_cut(sub, snprintf(sub, sizeof(sub), "%s.%zu", path, i));
		ih->nrules++;
		if (build_rule(&ih->rules[i], node, cfg, sub, err, errlen) == -1) {
			aiops_inhibit_free(ih);
			return NULL;
		}
	}
	return ih;
}

size_t
aiops_inhibit_rules(const struct aiops_inhibit *ih)
{
	return ih->nrules;
}

size_t
aiops_inhibit_size(const struct aiops_inhibit *ih)
{
	return ih->alerts.live;
}

/* ------------------------------------------------------------------------
 * The set of firing alerts
 * ------------------------------------------------------------------------
 */

/*
 * The key of labels under rule r: each equal label's value (absent or
 * null as "", a string as itself, else its JSON text) after its length,
 * so no two different tuples share a key.
 */
static void
equal_key(const struct rule *r, const json_t *labels, struct aiops_buf *key)
{
	const json_t *name, *v;
	size_t i;

	aiops_buf_reset(key);
	aiops_buf_grow(key, 64);	/* data is never NULL, even with no equal */
	json_array_foreach(r->equal, i, name) {
		const char *s = "";
		char *tofree = NULL;
		uint32_t len;

		v = json_is_object(labels) ? json_object_get(labels, json_string_value(name)) : NULL;
		if (json_is_string(v))
			s = json_string_value(v);
		else if (v != NULL && !json_is_null(v))
			s = tofree = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		if (s == NULL)
			xoom(0);
		len = json_is_string(v) ? (uint32_t)json_string_length(v) : (uint32_t)strlen(s);
		aiops_buf_add(key, &len, sizeof(len));
		aiops_buf_add(key, s, len);
		free(tofree);
	}
}

static void
join(struct rule *r, struct member *m, const struct aiops_buf *key)
{
	struct bucket *b = aiops_hmap_get(&r->buckets.m, key->data, key->len);

	if (b == NULL) {
		b = xcalloc(1, sizeof(*b));
		b->key = xmalloc(key->len + 1);
		memcpy(b->key, key->data, key->len);
		b->klen = key->len;
		dmap_add(&r->buckets, key->data, key->len, b);
	}
	m->bucket = b;
	m->prev = NULL;
	m->next = b->head[m->side];
	if (m->next != NULL)
		m->next->prev = m;
	b->head[m->side] = m;
	b->n++;
}

static void
leave(struct rule *r, struct member *m)
{
	struct bucket *b = m->bucket;

	if (m->prev != NULL)
		m->prev->next = m->next;
	else
		b->head[m->side] = m->next;
	if (m->next != NULL)
		m->next->prev = m->prev;
	m->bucket = NULL;
	if (--b->n == 0) {
		dmap_remove(&r->buckets, b->key, b->klen);
		free_bucket(b);
	}
}

int
aiops_inhibit_unset(struct aiops_inhibit *ih, const char *id, size_t idlen)
{
	struct alert *a = aiops_hmap_get(&ih->alerts.m, id, idlen);
	size_t i;

	if (a == NULL)
		return 0;
	for (i = 0; i < ih->nrules; i++)
		if (a->members[i].bucket != NULL)
			leave(&ih->rules[i], &a->members[i]);
	dmap_remove(&ih->alerts, id, idlen);
	free_alert(a);
	return 1;
}

/* ------------------------------------------------------------------------
 * The ends to come, a binary min-heap
 * ------------------------------------------------------------------------
 */

static void
ends_swap(struct end *v, size_t i, size_t j)
{
	struct end t = v[i];

	v[i] = v[j];
	v[j] = t;
}

static void ends_rebuild(struct aiops_inhibit *ih);

static void
ends_push(struct aiops_inhibit *ih, int64_t at, const char *id, size_t idlen)
{
	size_t i, up;

	/* Ends of alerts set again or gone stay until their time: past twice
	 * the live ones, the heap is made again of the live ends alone. */
	if (ih->nends > 2 * ih->alerts.live + 64)
		ends_rebuild(ih);
	if (ih->nends == ih->capends) {
		ih->capends = ih->capends == 0 ? 64 : ih->capends * 2;
		ih->ends = xreallocarray(ih->ends, ih->capends, sizeof(*ih->ends));
	}
	i = ih->nends++;
	ih->ends[i].at = at;
	ih->ends[i].id = xmalloc(idlen + 1);
	memcpy(ih->ends[i].id, id, idlen);
	ih->ends[i].id[idlen] = '\0';
	ih->ends[i].idlen = idlen;
	for (; i > 0 && ih->ends[up = (i - 1) / 2].at > ih->ends[i].at; i = up)
		ends_swap(ih->ends, i, up);
}

static void
ends_rebuild(struct aiops_inhibit *ih)
{
	const struct alert *a;
	size_t i, n = ih->nends;

	for (i = 0; i < n; i++)
		free(ih->ends[i].id);
	ih->nends = 0;
	for (i = 0; i < ih->alerts.m.len; i++)
		if ((a = ih->alerts.m.ents[i].val) != NULL && a->ends_at != 0)
			ends_push(ih, a->ends_at, a->id, a->idlen);
}

/* Takes the earliest end off the heap (the caller frees its id). */
static struct end
ends_pop(struct aiops_inhibit *ih)
{
	struct end top = ih->ends[0];
	size_t i = 0, c;

	ih->ends[0] = ih->ends[--ih->nends];
	while ((c = 2 * i + 1) < ih->nends) {
		if (c + 1 < ih->nends && ih->ends[c + 1].at < ih->ends[c].at)
			c++;
		if (ih->ends[i].at <= ih->ends[c].at)
			break;
		ends_swap(ih->ends, i, c);
		i = c;
	}
	return top;
}

size_t
aiops_inhibit_expire(struct aiops_inhibit *ih, int64_t now)
{
	const struct alert *a;
	struct end e;
	size_t n = 0;

	while (ih->nends > 0 && ih->ends[0].at <= now) {
		e = ends_pop(ih);
		a = aiops_hmap_get(&ih->alerts.m, e.id, e.idlen);
		if (a != NULL && a->ends_at == e.at)
			n += (size_t)aiops_inhibit_unset(ih, e.id, e.idlen);
		free(e.id);
	}
	return n;
}

void
aiops_inhibit_set(struct aiops_inhibit *ih, const char *id, size_t idlen, const json_t *labels,
    int64_t ends_at)
{
	struct aiops_buf key = AIOPS_BUF_INIT;
	struct alert *a = aiops_hmap_get(&ih->alerts.m, id, idlen);
	size_t i;
	/* Sent again with the same end, it has that end in the heap already. */
	int queued = a != NULL && a->ends_at == ends_at;

	aiops_inhibit_unset(ih, id, idlen);
	/* Only sources are kept: a target is looked up, never stored. */
	for (i = 0; i < ih->nrules && !aiops_match_eval(ih->rules[i].source, labels, 0); i++)
		;
	if (i == ih->nrules)
		return;
	a = xcalloc(1, sizeof(*a));
	a->id = xmalloc(idlen + 1);
	memcpy(a->id, id, idlen);
	a->id[idlen] = '\0';
	a->idlen = idlen;
	a->labels = json_incref((json_t *)labels);
	a->ends_at = ends_at;
	if (ends_at != 0 && !queued)
		ends_push(ih, ends_at, id, idlen);
	a->members = xcalloc(ih->nrules + 1, sizeof(*a->members));
	for (i = 0; i < ih->nrules; i++) {
		struct rule *r = &ih->rules[i];

		a->members[i].alert = a;
		if (!aiops_match_eval(r->source, labels, 0))
			continue;
		a->members[i].side = aiops_match_eval(r->target, labels, 0) ? BOTH_SIDES :
		    SOURCE_ONLY;
		equal_key(r, labels, &key);
		join(r, &a->members[i], &key);
	}
	dmap_add(&ih->alerts, id, idlen, a);
	aiops_buf_release(&key);
}

/* The first source of the list still firing at now, or NULL. */
static const struct alert *
firing_in(const struct member *m, int64_t now)
{
	for (; m != NULL; m = m->next)
		if (m->alert->ends_at == 0 || m->alert->ends_at > now)
			return m->alert;
	return NULL;
}

/*
 * hasEqual: a source of r firing at now with the target's equal values;
 * with both_sides (the target matches the source side too) only a source
 * that matches the source side alone counts.
 */
static const struct alert *
source_for(const struct rule *r, const json_t *labels, int both_sides, int64_t now,
    struct aiops_buf *key)
{
	const struct bucket *b;
	const struct alert *a;

	equal_key(r, labels, key);
	if ((b = aiops_hmap_get(&r->buckets.m, key->data, key->len)) == NULL)
		return NULL;
	if ((a = firing_in(b->head[SOURCE_ONLY], now)) != NULL || both_sides)
		return a;
	return firing_in(b->head[BOTH_SIDES], now);
}

int
aiops_inhibit_muted(const struct aiops_inhibit *ih, const json_t *labels, int64_t now,
    const char **by, size_t *bylen)
{
	struct aiops_buf key = AIOPS_BUF_INIT;
	const struct alert *src = NULL;
	size_t i;

	for (i = 0; i < ih->nrules && src == NULL; i++) {
		const struct rule *r = &ih->rules[i];

		if (r->buckets.live == 0 || !aiops_match_eval(r->target, labels, 0))
			continue;
		src = source_for(r, labels, aiops_match_eval(r->source, labels, 0), now, &key);
	}
	aiops_buf_release(&key);
	if (src != NULL && by != NULL) {
		*by = src->id;
		if (bylen != NULL)
			*bylen = src->idlen;
	}
	return src != NULL;
}
