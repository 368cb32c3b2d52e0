/*
 * logmine.c: online template mining (Drain-style) over masked tokens.
 *
 * Grouping: candidates are the templates of the same token count that
 * were born with the same first token (masked first tokens share one
 * bucket), plus those of that length whose first token was generalised
 * later.  Similarity is the share of the template's tokens with a
 * constant part ("word", "key=<*>", "node-<*>") that the line repeats; a
 * bare <*> does not count either way, and "key=a" matches "key=b" since
 * key=value values are variables.  The best candidate wins if it reaches
 * SIM_TH; its differing tokens are generalised, keeping a common "key="
 * prefix or punctuation suffix ("ws=<*>", "<*>,").  Templates only grow
 * more general and are never merged, so a template id, once given, stays.
 *
 * An exact-match cache on the hash of the masked token sequence makes
 * repeated shapes O(length).  Memory is bounded by the templates (plus a
 * fixed-size cache), never by the lines seen.
 *
 * The hashes only index memory, so they are aiops_hash_fast(): template
 * ids are numbered in order of birth and the saved state is the
 * templates' text, so neither depends on a hash.
 */
#include "compat.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/hmap.h"
#include "detect/logmine.h"
#include "detect/logmine_int.h"

/*
 * Share of the template's constant tokens a line must repeat to join it,
 * by default (aiops_logmine_set_similarity() changes it).  One value for
 * every source: 0.70 to 0.75 score the same on Loghub.
 */
#define SIM_TH		0.72
#define MAXTOK		1024	/* more tokens are folded into the last one */
#define CACHE_BITS	16	/* exact-match cache: 64k slots, then reset */
#define CHAIN_SCAN	256	/* templates of a bucket compared with a line */
#define WILD		"<*>"


struct cluster {
	uint64_t id;
	uint64_t count;
	uint32_t ntok;
	char **tok;		/* template tokens, NUL-terminated */
	uint32_t *tlen;
	unsigned char *tflag;	/* per token: TOK_EVENT, TOK_WILD */
	char *tmpl;		/* tokens joined by one space */
	size_t tmpl_len;
	int sev;		/* guessed from the template's words */
	uint32_t next[3];	/* bucket chains: own first token, wild one, length */
	int in_wild;
};

struct map {			/* open addressing u64 -> u32 (+1; 0 = empty) */
	uint64_t *key;
	uint32_t *val;
	size_t cap, used;
};

struct tok {
	const char *p;
	size_t n;
	size_t m;		/* masked token offset in mbuf */
	size_t mn;
};

struct aiops_logmine {
	struct cluster *cl;
	size_t ncl, capcl;
	uint64_t next_id;
	double sim_th;		/* SIM_TH unless set */
	struct aiops_loghdr *hdr;	/* the raw lines' header, learned */
	struct map bucket;	/* (ntok, first token) -> head cluster */
	struct map cache;	/* masked sequence hash -> cluster */
	struct map byid;	/* id -> cluster index */

	/* per-line scratch, reused */
	struct tok *tk;
	size_t captk;
	char *mbuf;
	size_t capm;
	size_t mlen;		/* bytes used in mbuf, 0 if not contiguous */
	const char **par;
	size_t *parlen;
	size_t cappar;
	size_t *caps;
	size_t capcaps;
};

static void *
xrealloc_arr(void *p, size_t n, size_t sz)
{
	if (n != 0 && sz > SIZE_MAX / n) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, n * sz);
}

/* Grow *p to hold at least need items. */
static int
grow(void **p, size_t *cap, size_t need, size_t sz)
{
	size_t nc = *cap ? *cap : 16;
	void *np;

	if (need <= *cap)
		return 0;
	while (nc < need)
		nc *= 2;
	if ((np = xrealloc_arr(*p, nc, sz)) == NULL)
		return -1;
	*p = np;
	*cap = nc;
	return 0;
}

static uint64_t
mix(uint64_t h)
{
	return aiops_mix64(h) | 1;	/* never 0: 0 marks an empty slot */
}

static int
map_init(struct map *m, size_t cap)
{
	m->key = calloc(cap, sizeof(*m->key));
	m->val = calloc(cap, sizeof(*m->val));
	m->cap = cap;
	m->used = 0;
	return m->key == NULL || m->val == NULL ? -1 : 0;
}

static void
map_release(struct map *m)
{
	free(m->key);
	free(m->val);
	m->key = NULL;
	m->val = NULL;
}

static uint32_t *
map_slot(struct map *m, uint64_t key)
{
	size_t i = (size_t)key & (m->cap - 1);

	while (m->key[i] != 0 && m->key[i] != key)
		i = (i + 1) & (m->cap - 1);
	return &m->val[i];
}

static uint32_t
map_get(struct map *m, uint64_t key)
{
	return *map_slot(m, key);
}

static int
map_put(struct map *m, uint64_t key, uint32_t val)
{
	uint32_t *v;
	size_t i;

	if ((m->used + 1) * 2 > m->cap) {
		struct map n;

		if (map_init(&n, m->cap * 2) == -1) {
			map_release(&n);
			return -1;
		}
		for (i = 0; i < m->cap; i++)
			if (m->key[i] != 0)
				map_put(&n, m->key[i], m->val[i]);
		map_release(m);
		*m = n;
	}
	v = map_slot(m, key);
	if (*v == 0) {
		m->key[v - m->val] = key;
		m->used++;
	}
	*v = val;
	return 0;
}

/* Bounded cache: forget everything when half full. */
static void
cache_put(struct map *m, uint64_t key, uint32_t val)
{
	uint32_t *v;

	if ((m->used + 1) * 2 > m->cap) {
		memset(m->key, 0, m->cap * sizeof(*m->key));
		memset(m->val, 0, m->cap * sizeof(*m->val));
		m->used = 0;
	}
	v = map_slot(m, key);
	if (*v == 0) {
		m->key[v - m->val] = key;
		m->used++;
	}
	*v = val;
}

struct aiops_logmine *
aiops_logmine_new(void)
{
	struct aiops_logmine *lm = calloc(1, sizeof(*lm));

	if (lm == NULL)
		return NULL;
	lm->next_id = 1;
	lm->sim_th = SIM_TH;
	if ((lm->hdr = aiops_loghdr_new()) == NULL ||
	    map_init(&lm->bucket, 1024) == -1 ||
	    map_init(&lm->cache, (size_t)1 << CACHE_BITS) == -1 ||
	    map_init(&lm->byid, 1024) == -1) {
		aiops_logmine_free(lm);
		return NULL;
	}
	return lm;
}

void
aiops_logmine_set_similarity(struct aiops_logmine *lm, double th)
{
	lm->sim_th = th;
}

static void
cluster_release(struct cluster *c)
{
	uint32_t i;

	for (i = 0; i < c->ntok; i++)
		free(c->tok[i]);
	free(c->tok);
	free(c->tlen);
	free(c->tflag);
	free(c->tmpl);
}

void
aiops_logmine_free(struct aiops_logmine *lm)
{
	size_t i;

	if (lm == NULL)
		return;
	for (i = 0; i < lm->ncl; i++)
		cluster_release(&lm->cl[i]);
	free(lm->cl);
	map_release(&lm->bucket);
	map_release(&lm->cache);
	map_release(&lm->byid);
	aiops_loghdr_free(lm->hdr);
	free(lm->tk);
	free(lm->mbuf);
	free(lm->par);
	free(lm->parlen);
	free(lm->caps);
	free(lm);
}

/*
 * Bucket keys.  Chain 0: token count and first token as the template was
 * born (a masked first token, "<*>" or "node-<*>", all share one key).
 * Chain 1: templates of that length whose first token was generalised
 * later; any line of that length may join them.  Chain 2: every template
 * of that length, for a line whose first word is a value never seen
 * first before ("anna logged in", "omar logged in").  The keys differ so
 * the chains never share a head.
 */
static uint64_t
bucket_key(size_t ntok, const char *t0, size_t n0, int generalised)
{
	uint64_t h;

	if (generalised == 2)
		h = aiops_hash_fast("#len", 4);
	else if (generalised)
		h = aiops_hash_fast("<*>+", 4);
	else if (aiops_logmine_has_wild(t0, n0))
		h = aiops_hash_fast(WILD, 3);
	else
		h = aiops_hash_fast(t0, n0);
	return mix(h ^ aiops_mix64(ntok));
}

static int
rebuild_tmpl(struct cluster *c)
{
	size_t len = 0, k = 0;
	uint32_t i;
	char *s;

	for (i = 0; i < c->ntok; i++)
		len += c->tlen[i] + 1;
	if ((s = malloc(len + 1)) == NULL)
		return -1;
	for (i = 0; i < c->ntok; i++) {
		if (i > 0)
			s[k++] = ' ';
		memcpy(s + k, c->tok[i], c->tlen[i]);
		k += c->tlen[i];
	}
	s[k] = '\0';
	free(c->tmpl);
	c->tmpl = s;
	c->tmpl_len = k;
	/* severity words are part of the event type, not of its params:
	 * guess once per template instead of once per line */
	c->sev = aiops_logmine_guess_severity(s, k);
	return 0;
}

/*
 * What a template token is, worked out once and not for every line it is
 * compared with: TOK_WILD, it holds a <*>; TOK_EVENT, it is an event word.
 */
enum { TOK_EVENT = 1, TOK_WILD = 2 };

static unsigned char
tok_flags(const char *p, size_t n)
{
	if (aiops_logmine_has_wild(p, n))
		return TOK_WILD;
	return aiops_logmine_is_event_word(p, n) ? TOK_EVENT : 0;
}

static char *
xmemdup(const char *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s != NULL) {
		memcpy(s, p, n);
		s[n] = '\0';
	}
	return s;
}

static void
chain_push(struct aiops_logmine *lm, uint64_t key, uint32_t idx, int which)
{
	uint32_t head = map_get(&lm->bucket, key);

	lm->cl[idx].next[which] = head;
	map_put(&lm->bucket, key, idx + 1);
}

/* New cluster from masked tokens (tokens given as pointer/len pairs). */
static int
cluster_new(struct aiops_logmine *lm, uint64_t id, size_t ntok,
    const char *const *tp, const size_t *tn, uint64_t count)
{
	struct cluster *c;
	size_t i;
	uint32_t idx;

	if (grow((void **)&lm->cl, &lm->capcl, lm->ncl + 1, sizeof(*lm->cl)))
		return -1;
	c = &lm->cl[lm->ncl];
	memset(c, 0, sizeof(*c));
	c->id = id;
	c->count = count;
	c->ntok = (uint32_t)ntok;
	c->tok = calloc(ntok ? ntok : 1, sizeof(*c->tok));
	c->tlen = calloc(ntok ? ntok : 1, sizeof(*c->tlen));
	c->tflag = calloc(ntok ? ntok : 1, sizeof(*c->tflag));
	if (c->tok == NULL || c->tlen == NULL || c->tflag == NULL)
		goto fail;
	for (i = 0; i < ntok; i++) {
		if ((c->tok[i] = xmemdup(tp[i], tn[i])) == NULL)
			goto fail;
		c->tlen[i] = (uint32_t)tn[i];
		c->tflag[i] = tok_flags(tp[i], tn[i]);
	}
	if (rebuild_tmpl(c) == -1)
		goto fail;
	idx = (uint32_t)lm->ncl++;
	chain_push(lm, bucket_key(ntok, ntok ? tp[0] : "", ntok ? tn[0] : 0,
	    0), idx, 0);
	if (ntok > 0 && aiops_logmine_has_wild(tp[0], tn[0]))
		c->in_wild = 1;	/* born wild: chain 0 of the wild key */
	chain_push(lm, bucket_key(ntok, NULL, 0, 2), idx, 2);
	map_put(&lm->byid, mix(id), idx + 1);
	if (id >= lm->next_id)
		lm->next_id = id + 1;
	return (int)idx;
fail:
	cluster_release(c);
	return -1;
}

/* Does masked token (m, mn) fit template token t (flags: its tflag)? */
static int
tok_fits(const char *t, size_t tn, int flags, const char *m, size_t mn)
{
	if (tn == mn && memcmp(t, m, tn) == 0)
		return 1;
	return (flags & TOK_WILD) &&
	    aiops_logmine_glob(t, tn, m, mn, NULL, 0) >= 0;
}

static int
is_keep_prefix(char c)
{
	return c != '\0' && memchr("=:/#([{@|,\"'", c, 12) != NULL;
}

static int
is_keep_suffix(char c)
{
	return c != '\0' && memchr(",;:)]}\"'.!?", c, 11) != NULL;
}

/*
 * Generalise template token a against masked token b: keep a common
 * prefix ending in a separator ("key=") and a common punctuation suffix,
 * put <*> in between.  Result in out (capacity an + 4).
 */
static size_t
generalise(const char *a, size_t an, const char *b, size_t bn, char *out)
{
	size_t p = 0, s = 0, k = 0, lim = an < bn ? an : bn;

	while (p < lim && a[p] == b[p])
		p++;
	while (p > 0 && !is_keep_prefix(a[p - 1]))
		p--;
	/* a <*> cut in half is not a prefix */
	if (p > 0 && p < 3 && a[0] == '<')
		p = 0;
	while (s < lim - p && a[an - 1 - s] == b[bn - 1 - s] &&
	    is_keep_suffix(a[an - 1 - s]))
		s++;
	memcpy(out, a, p);
	k = p;
	memcpy(out + k, WILD, 3);
	k += 3;
	memcpy(out + k, a + an - s, s);
	k += s;
	return k;
}

/*
 * "key=a" and "key=b": the same field with another value.  Values of
 * key=value pairs are variables by convention, so the pair counts as equal.
 */
static int
same_key(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i;

	for (i = 0; i < an && i < bn && a[i] == b[i]; i++)
		if (a[i] == '=')
			return i > 0;
	return 0;
}

/*
 * Could a word be a value (a user, a host, a queue)?  Not an event word,
 * nor a "label:", nor a word with capitals and no digit (a sentence's verb
 * "Releasing", code's "tickTime", "DMA"), nor a verb in -ing or -ed
 * ("removing device node").  A value is lower case ("anna", "omar_ops") or
 * has a digit ("node7", "Node7", "db-3").
 */
static int
is_value(const char *p, size_t n)
{
	size_t i;
	int upper = 0, digit = 0;

	if (n == 0 || p[n - 1] == ':' || aiops_logmine_is_event_word(p, n))
		return 0;
	for (i = 0; i < n; i++) {
		upper |= lm_isupper(p[i]);
		digit |= lm_isdigit(p[i]);
	}
	if (digit || aiops_logmine_has_wild(p, n))
		return 1;
	if (upper)
		return 0;
	return !(n >= 5 && (memcmp(p + n - 3, "ing", 3) == 0 ||
	    memcmp(p + n - 2, "ed", 2) == 0));
}

/*
 * Similarity of masked line tokens to a cluster: the equal-token share, or
 * -1 when they differ in a word that is the event
 * (aiops_logmine_is_event_word(): "Started" and "Stopped" never merge).
 * A line that differs in one word only, a value ("Invalid user test from
 * <*>" and "Invalid user admin from <*>"), while it repeats three words or
 * more, is at least as similar as `floor`: on short lines one word is a
 * large share, and a threshold set for long ones would split them.
 */
static double
similarity(const struct cluster *c, const struct tok *tk, const char *mb,
    double floor, size_t *nwild)
{
	uint32_t i, eq = 0, w = 0, wfit = 0, diff = 0, d = 0;
	double s;

	for (i = 0; i < c->ntok; i++) {
		const char *t = c->tok[i];

		/* a bare <*> says nothing about the event; "key=<*>" or
		 * "node-<*>" still has a constant part that must fit */
		if (c->tlen[i] == 3 && memcmp(t, WILD, 3) == 0) {
			w++;
			if (w == i + 1 && tk[i].mn == 3 &&
			    memcmp(mb + tk[i].m, WILD, 3) == 0)
				wfit++;
			continue;
		}
		if (tok_fits(t, c->tlen[i], c->tflag[i], mb + tk[i].m, tk[i].mn) ||
		    same_key(t, c->tlen[i], mb + tk[i].m, tk[i].mn)) {
			eq++;
		} else if ((c->tflag[i] & TOK_EVENT) &&
		    aiops_logmine_is_event_word(mb + tk[i].m, tk[i].mn)) {
			*nwild = w;
			return -1.0;
		} else if (diff++ == 0) {
			d = i;
		}
	}
	*nwild = w;
	/* compare the tokens with a constant part only; an all-<*>
	 * template takes lines that are all masked values too */
	if (c->ntok == w)
		return c->ntok ? (double)wfit / c->ntok : 1.0;
	s = (double)eq / (c->ntok - w);
	if (diff == 1 && eq >= 3 && s < floor && is_value(c->tok[d],
	    c->tlen[d]) && is_value(mb + tk[d].m, tk[d].mn))
		return floor;
	return s;
}

static int
search_chain(struct aiops_logmine *lm, uint32_t head, int which, size_t ntok,
    double *best, size_t *bestw, int bi)
{
	uint32_t h;
	size_t seen = 0;

	/* the newest CHAIN_SCAN of a bucket: text that never forms
	 * templates (binary, free text) makes chains without end, and a scan of
	 * all of them for every line is quadratic */
	for (h = head; h != 0 && seen++ < CHAIN_SCAN; h = lm->cl[h - 1].next[which]) {
		struct cluster *c = &lm->cl[h - 1];
		size_t w;
		double s;

		if (c->ntok != ntok)
			continue;
		s = similarity(c, lm->tk, lm->mbuf, lm->sim_th, &w);
		if (s > *best || (s == *best && bi >= 0 && w > *bestw)) {
			*best = s;
			*bestw = w;
			bi = (int)(h - 1);
		}
	}
	return bi;
}

/*
 * Does the line repeat the tokens [from, to) of c?  Returns the number of
 * those that are words (no <*> in them), or -1 at the first that does
 * not fit.
 */
static int
rest_fits(const struct cluster *c, const struct tok *tk, const char *mb,
    uint32_t from, uint32_t to)
{
	uint32_t i;
	int k = 0;

	for (i = from; i < to; i++) {
		const char *t = c->tok[i];
		size_t tn = c->tlen[i];

		if (tn == tk[i].mn && memcmp(t, mb + tk[i].m, tn) == 0) {
			k += !(c->tflag[i] & TOK_WILD);
			continue;
		}
		if (!tok_fits(t, tn, c->tflag[i], mb + tk[i].m, tk[i].mn) &&
		    !same_key(t, tn, mb + tk[i].m, tk[i].mn))
			return -1;
	}
	return k;
}

/*
 * A line whose first word found no template: "anna logged in from <*>"
 * when only "omar logged in from <*>" exists.  Drain buckets by the first
 * token and makes one template per user; here a template of the same length
 * whose other words the line repeats, all of them and at least two, takes
 * it, and its first token becomes <*>.  Both first words must read as
 * values (is_value()): "Started job 4" and "Stopped job 4",
 * "Releasing lock" and "Acquiring lock" stay apart.
 */
static int
search_lengths(struct aiops_logmine *lm, size_t ntok)
{
	const char *t0 = lm->mbuf + lm->tk[0].m;
	size_t n0 = lm->tk[0].mn, seen = 0;
	uint32_t h;

	if (ntok < 3 || !is_value(t0, n0))
		return -1;
	h = map_get(&lm->bucket, bucket_key(ntok, NULL, 0, 2));
	for (; h != 0 && seen++ < CHAIN_SCAN; h = lm->cl[h - 1].next[2]) {
		struct cluster *c = &lm->cl[h - 1];

		if (c->ntok == ntok && !c->in_wild && !(c->tflag[0] & TOK_EVENT) &&
		    rest_fits(c, lm->tk, lm->mbuf, 1, c->ntok) >= 2 &&
		    is_value(c->tok[0], c->tlen[0]))
			return (int)(h - 1);
	}
	return -1;
}

static const char *
strpbrk_n(const char *p, size_t n, const char *set)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strchr(set, p[i]) != NULL && p[i] != '\0')
			return p + i;
	return NULL;
}

/*
 * A line a few tokens longer than a template that ends in a bare <*>, and
 * repeats all of its words before it, three at least: the <*> takes the
 * rest of the line ("lifetime 00:02" and "lifetime <1 sec"), as the
 * Loghub convention lets one <*> stand for several words.  Up to 3 more,
 * plain: a tail with brackets, '=' or ':' ("[preauth]", "code=5") has a
 * structure of its own, and is a template of its own.
 */
static int
search_tail(struct aiops_logmine *lm, size_t ntok)
{
	size_t m, seen;
	uint32_t h;

	if (ntok < 5)
		return -1;	/* a template of 4 at least, a line longer */
	for (m = ntok - 1; m + 3 >= ntok && m >= 4; m--) {
		if (strpbrk_n(lm->tk[m].p, lm->tk[m].n, "[](){}=:") != NULL)
			return -1;	/* this token is in every shorter tail */
		h = map_get(&lm->bucket, bucket_key(m, NULL, 0, 2));
		for (seen = 0; h != 0 && seen++ < CHAIN_SCAN;
		    h = lm->cl[h - 1].next[2]) {
			struct cluster *c = &lm->cl[h - 1];

			if (c->ntok == m && c->tlen[m - 1] == 3 &&
			    memcmp(c->tok[m - 1], WILD, 3) == 0 &&
			    rest_fits(c, lm->tk, lm->mbuf, 0, (uint32_t)m - 1) >= 3)
				return (int)(h - 1);
		}
	}
	return -1;
}

/* Fold the line's masked tokens into cluster idx; returns 1 if changed. */
static int
cluster_update(struct aiops_logmine *lm, uint32_t idx, size_t ntok)
{
	struct cluster *c = &lm->cl[idx];
	int changed = 0;
	size_t i;

	for (i = 0; i < ntok && i < c->ntok; i++) {
		const char *m = lm->mbuf + lm->tk[i].m;
		size_t mn = lm->tk[i].mn, gn;
		char *g;

		if (tok_fits(c->tok[i], c->tlen[i], c->tflag[i], m, mn))
			continue;
		if ((g = malloc(c->tlen[i] + mn + 8)) == NULL)
			return -1;
		gn = generalise(c->tok[i], c->tlen[i], m, mn, g);
		g[gn] = '\0';
		free(c->tok[i]);
		c->tok[i] = g;
		c->tlen[i] = (uint32_t)gn;
		c->tflag[i] = TOK_WILD;	/* a <*> now */
		changed = 1;
	}
	if (changed && rebuild_tmpl(c) == -1)
		return -1;
	if (changed && !c->in_wild && ntok > 0 &&
	    aiops_logmine_has_wild(c->tok[0], c->tlen[0])) {
		c->in_wild = 1;
		chain_push(lm, bucket_key(ntok, WILD, 3, 1), idx, 1);
	}
	return changed;
}

static int
is_digits(const char *p, size_t n, size_t lo, size_t hi)
{
	size_t i;

	if (n < lo || n > hi)
		return 0;
	for (i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	return 1;
}

/*
 * A date written with blanks inside a message ("at Fri Jun 17 20:55:06
 * 2005") is one value: fold [wday] month day time [year] into one <*>.
 */
static size_t
merge_dates(struct aiops_logmine *lm, size_t nt)
{
	struct tok *t = lm->tk;
	size_t i, j, e, w = 0;

	for (i = 0; i < nt; i++) {
		/* cheap filter first: names are three letters, capitalised */
		if (t[i].n != 3 || t[i].p[0] < 'A' || t[i].p[0] > 'Z') {
			t[w++] = t[i];
			continue;
		}
		j = i;
		if (aiops_loghdr_is_wday(t[j].p, t[j].n) && j + 1 < nt)
			j++;
		if (j + 2 < nt && aiops_loghdr_is_month(t[j].p, t[j].n) &&
		    is_digits(t[j + 1].p, t[j + 1].n, 1, 2) &&
		    aiops_loghdr_is_time(t[j + 2].p, t[j + 2].n)) {
			e = j + 3;
			if (e < nt && is_digits(t[e].p, t[e].n, 4, 4))
				e++;
			t[w] = t[i];
			t[w].n = (size_t)(t[e - 1].p + t[e - 1].n - t[i].p);
			memcpy(lm->mbuf + t[w].m, WILD, 4);
			t[w].mn = 3;
			w++;
			i = e - 1;
			continue;
		}
		t[w++] = t[i];
	}
	return w;
}

/* Token separators: any ASCII white space, so a message given through
 * the API with an embedded newline still saves as one line per template. */
static int
is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\v' || c == '\f';
}

/* Split the message on blanks and mask each token into lm->mbuf. */
static int
tokenize_mask(struct aiops_logmine *lm, const char *s, size_t n,
    size_t *ntokp)
{
	size_t i = 0, nt = 0, k = 0, run;
	int plain, dot;

	/* at most (n + 1) / 2 tokens: size the arrays once per line */
	if (grow((void **)&lm->mbuf, &lm->capm, 3 * n + 16, 1) == -1 ||
	    grow((void **)&lm->tk, &lm->captk, n / 2 + 2,
	    sizeof(*lm->tk)) == -1)
		return -1;
	while (i < n) {
		size_t st;

		while (i < n && is_blank(s[i]))
			i++;
		if (i >= n)
			break;
		st = i;
		if (nt + 1 == MAXTOK)
			i = n;	/* fold the tail into one token */
		/* find the token's end and, in the same pass, whether it
		 * is a plain word that masking would copy as it is */
		for (run = 0, plain = 1, dot = 0; i < n; i++) {
			unsigned char c = (unsigned char)s[i];

			if (is_blank(c))
				break;
			if (lm_isalpha(c)) {
				run++;
				continue;
			}
			dot |= c == '.';
			if (lm_isdigit(c) || c == '/' || c == '\\' ||
			    ((run == 4 || run == 5) &&
			    aiops_logmine_is_bool(s + i - run, run)))
				plain = 0;
			run = 0;
		}
		if ((run == 4 || run == 5) &&
		    aiops_logmine_is_bool(s + i - run, run))
			plain = 0;
		if (plain && dot && aiops_logmine_dotted_value(s + st, i - st))
			plain = 0;
		lm->tk[nt].p = s + st;
		lm->tk[nt].n = i - st;
		lm->tk[nt].m = k;
		if (plain) {
			memcpy(lm->mbuf + k, s + st, i - st);
			lm->mbuf[k + i - st] = '\0';
			lm->tk[nt].mn = i - st;
		} else {
			lm->tk[nt].mn = aiops_logmine_mask_nonplain(s + st,
			    i - st, lm->mbuf + k);
		}
		k += lm->tk[nt].mn + 1;
		nt++;
	}
	*ntokp = merge_dates(lm, nt);
	/* a merged date leaves a hole in mbuf: mine() then hashes token by
	 * token instead of the whole span */
	lm->mlen = *ntokp == nt ? k : 0;
	return 0;
}

static int
add_param(struct aiops_logmine *lm, size_t *np, const char *p, size_t n)
{
	if (*np >= lm->cappar) {
		size_t nc = lm->cappar ? 2 * lm->cappar : 16;
		const char **a = xrealloc_arr(lm->par, nc, sizeof(*a));
		size_t *b;

		if (a == NULL)
			return -1;
		lm->par = a;
		if ((b = xrealloc_arr(lm->parlen, nc, sizeof(*b))) == NULL)
			return -1;
		lm->parlen = b;
		lm->cappar = nc;
	}
	lm->par[*np] = p;
	lm->parlen[*np] = n;
	(*np)++;
	return 0;
}

/* Params: each <*> of the template matched against the original token. */
static int
extract_params(struct aiops_logmine *lm, const struct cluster *c,
    size_t ntok, size_t *np)
{
	size_t i, j;
	int r;

	*np = 0;
	for (i = 0; i < c->ntok; i++) {
		const char *t = c->tok[i];
		size_t tn = c->tlen[i], want = 0;
		const struct tok *o = &lm->tk[i];

		if (tn == 3 && memcmp(t, WILD, 3) == 0) {
			/* the whole token: no matching needed; a last one
			 * that took the rest of a longer line, all of it */
			size_t n = i + 1 == c->ntok && ntok > c->ntok ?
			    (size_t)(lm->tk[ntok - 1].p + lm->tk[ntok - 1].n - o->p) : o->n;

			if (add_param(lm, np, o->p, n) == -1)
				return -1;
			continue;
		}
		for (j = 0; j + 3 <= tn; j++)
			if (t[j] == '<' && memcmp(t + j, WILD, 3) == 0)
				want++;
		if (want == 0)
			continue;
		if (grow((void **)&lm->caps, &lm->capcaps, 2 * want,
		    sizeof(*lm->caps)) == -1)
			return -1;
		r = aiops_logmine_glob(t, tn, o->p, o->n, lm->caps, want);
		for (j = 0; j < want; j++) {
			const char *p = o->p;
			size_t n = o->n;

			if (r == (int)want) {
				p += lm->caps[2 * j];
				n = lm->caps[2 * j + 1];
			}
			if (add_param(lm, np, p, n) == -1)
				return -1;
		}
	}
	return 0;
}

/* A line of AIOPS_LOGMINE_NO_NEW that fits no template. */
static int
no_template(const char *msg, size_t n, struct aiops_logline *out)
{
	out->template_id = 0;
	out->tmpl = NULL;
	out->tmpl_len = 0;
	out->is_new = out->is_changed = 0;
	out->count = 0;
	out->nparams = 0;
	out->params = NULL;
	out->param_lens = NULL;
	if (out->severity < 0)
		out->severity = aiops_logmine_guess_severity(msg, n);
	return 0;
}

static int
mine(struct aiops_logmine *lm, const char *msg, size_t n, int flags,
    struct aiops_logline *out)
{
	size_t ntok, i, bestw = 0, np;
	uint64_t h = 0;
	uint32_t hit;
	int idx, changed = 0, isnew = 0;
	double best = -1.0;
	struct cluster *c;

	if (tokenize_mask(lm, msg, n, &ntok) == -1)
		return -1;
	/* masked tokens sit NUL-separated in mbuf: hash the span at once,
	 * unless merge_dates() left holes in it */
	if (ntok > 0 && lm->tk[ntok - 1].m + lm->tk[ntok - 1].mn + 1 ==
	    lm->mlen)
		h = aiops_hash_fast(lm->mbuf, lm->mlen);
	else
		for (i = 0; i < ntok; i++)
			h = aiops_mix64(h ^ aiops_hash_fast(lm->mbuf +
			    lm->tk[i].m, lm->tk[i].mn + 1));
	h = mix(h ^ ntok);
	/* a hash collision must at least not break the token alignment */
	if ((hit = map_get(&lm->cache, h)) != 0 &&
	    lm->cl[hit - 1].ntok == ntok) {
		idx = (int)hit - 1;
	} else {
		const char *t0 = ntok ? lm->mbuf + lm->tk[0].m : "";
		size_t n0 = ntok ? lm->tk[0].mn : 0;
		uint64_t k0 = bucket_key(ntok, t0, n0, 0);
		uint64_t kw = bucket_key(ntok, WILD, 3, 1);
		int other;

		idx = search_chain(lm, map_get(&lm->bucket, k0), 0, ntok,
		    &best, &bestw, -1);
		idx = search_chain(lm, map_get(&lm->bucket, kw), 1, ntok,
		    &best, &bestw, idx);
		if ((idx < 0 || best < lm->sim_th) &&
		    ((other = search_lengths(lm, ntok)) >= 0 ||
		    (other = search_tail(lm, ntok)) >= 0)) {
			idx = other;
			best = 1.0;
		}
		if (idx >= 0 && best >= lm->sim_th) {
			if ((changed = cluster_update(lm, (uint32_t)idx,
			    ntok)) == -1)
				return -1;
		} else if (flags & AIOPS_LOGMINE_NO_NEW) {
			return no_template(msg, n, out);
		} else {
			const char **tp = malloc((ntok + 1) * sizeof(*tp));
			size_t *tn = malloc((ntok + 1) * sizeof(*tn));

			if (tp == NULL || tn == NULL) {
				free(tp);
				free(tn);
				return -1;
			}
			for (i = 0; i < ntok; i++) {
				tp[i] = lm->mbuf + lm->tk[i].m;
				tn[i] = lm->tk[i].mn;
			}
			idx = cluster_new(lm, lm->next_id, ntok, tp, tn, 0);
			free(tp);
			free(tn);
			if (idx == -1)
				return -1;
			isnew = 1;
		}
		cache_put(&lm->cache, h, (uint32_t)idx + 1);
	}
	c = &lm->cl[idx];
	c->count++;
	if (extract_params(lm, c, ntok, &np) == -1)
		return -1;
	out->template_id = c->id;
	out->tmpl = c->tmpl;
	out->tmpl_len = c->tmpl_len;
	out->is_new = isnew;
	out->is_changed = changed;
	out->count = c->count;
	out->nparams = np;
	out->severity = out->severity >= 0 ? out->severity : c->sev;
	out->params = lm->par;
	out->param_lens = lm->parlen;
	return 0;
}

int
aiops_logmine_add(struct aiops_logmine *lm, const char *line, size_t len,
    int flags, struct aiops_logline *out)
{
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (flags & AIOPS_LOGMINE_RAW) {
		struct aiops_loghead h;

		aiops_loghdr_split(lm->hdr, line, len, &h);
		memset(out, 0, sizeof(*out));
		out->ts = h.ts;
		out->ts_len = h.ts_len;
		out->level = h.level;
		out->level_len = h.level_len;
		out->component = h.component;
		out->component_len = h.component_len;
		out->host = h.host;
		out->host_len = h.host_len;
		out->pid = h.pid;
		out->pid_len = h.pid_len;
		out->message = h.message;
		out->message_len = h.message_len;
		out->severity = h.severity;
	} else {
		memset(out, 0, sizeof(*out));
		out->severity = -1;
		out->message = line;
		out->message_len = len;
	}
	return mine(lm, out->message, out->message_len, flags, out);
}

struct aiops_loghdr *
aiops_logmine_loghdr(struct aiops_logmine *lm)
{
	return lm->hdr;
}

size_t
aiops_logmine_count(const struct aiops_logmine *lm)
{
	return lm->ncl;
}

const char *
aiops_logmine_template(const struct aiops_logmine *lm, uint64_t id,
    uint64_t *count)
{
	uint32_t v = map_get((struct map *)&lm->byid, mix(id));

	if (v == 0)
		return NULL;
	if (count != NULL)
		*count = lm->cl[v - 1].count;
	return lm->cl[v - 1].tmpl;
}

int
aiops_logmine_foreach(const struct aiops_logmine *lm,
    int (*fn)(void *, uint64_t, const char *, uint64_t), void *arg)
{
	size_t i;
	int r;

	/* clusters are stored in creation order, restored ones first */
	for (i = 0; i < lm->ncl; i++)
		if ((r = fn(arg, lm->cl[i].id, lm->cl[i].tmpl,
		    lm->cl[i].count)) != 0)
			return r;
	return 0;
}

char *
aiops_logmine_save(const struct aiops_logmine *lm, size_t *lenp)
{
	size_t i, j, cap = 64, k = 0;
	char *s;

	for (i = 0; i < lm->ncl; i++)
		cap += lm->cl[i].tmpl_len + 48;
	if ((s = malloc(cap)) == NULL)
		return NULL;
	for (i = 0; i < lm->ncl; i++) {
		int r = snprintf(s + k, cap - k, "%llu\t%llu\t",
		    (unsigned long long)lm->cl[i].id,
		    (unsigned long long)lm->cl[i].count);

		if (r < 0 || (size_t)r >= cap - k) {
			free(s);
			errno = EOVERFLOW;
			return NULL;
		}
		k += (size_t)r;
		for (j = 0; j < lm->cl[i].tmpl_len; j++) {
			char ch = lm->cl[i].tmpl[j];

			/* only a folded tail token can hold these */
			s[k++] = is_blank(ch) ? ' ' : ch;
		}
		s[k++] = '\n';
	}
	s[k] = '\0';
	if (lenp != NULL)
		*lenp = k;
	return s;
}

int
aiops_logmine_restore(struct aiops_logmine *lm, uint64_t id,
    const char *tmpl, size_t len, uint64_t count)
{
	const char *tp[MAXTOK] = { NULL };
	size_t tn[MAXTOK] = { 0 }, nt = 0, i = 0;
	int idx;

	if (id == 0 || map_get(&lm->byid, mix(id)) != 0) {
		errno = EEXIST;
		return -1;
	}
	while (i < len && nt < MAXTOK) {
		size_t st;

		while (i < len && tmpl[i] == ' ')
			i++;
		if (i >= len)
			break;
		st = i;
		if (nt + 1 == MAXTOK)
			i = len;	/* the same fold as tokenize_mask() */
		while (i < len && tmpl[i] != ' ')
			i++;
		tp[nt] = tmpl + st;
		tn[nt++] = i - st;
	}
	if ((idx = cluster_new(lm, id, nt, tp, tn, count)) < 0)
		return -1;
	/* whether a wild first token was born or generalised is not saved:
	 * let lines with any first token find it, as generalised ones are */
	if (nt > 0 && aiops_logmine_has_wild(tp[0], tn[0]))
		chain_push(lm, bucket_key(nt, WILD, 3, 1), (uint32_t)idx, 1);
	return 0;
}

int
aiops_logmine_load(struct aiops_logmine *lm, const char *buf, size_t len)
{
	size_t i = 0;

	while (i < len) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - buf) : len;
		unsigned long long id = 0, cnt = 0;
		size_t j = i;

		while (j < e && buf[j] >= '0' && buf[j] <= '9')
			id = id * 10 + (unsigned long long)(buf[j++] - '0');
		if (j >= e || buf[j++] != '\t') {
			errno = EINVAL;
			return -1;
		}
		while (j < e && buf[j] >= '0' && buf[j] <= '9')
			cnt = cnt * 10 + (unsigned long long)(buf[j++] - '0');
		if (j >= e || buf[j++] != '\t') {
			errno = EINVAL;
			return -1;
		}
		if (aiops_logmine_restore(lm, id, buf + j, e - j, cnt) == -1)
			return -1;
		i = e + 1;
	}
	return 0;
}
