/*
 * matcher.c: the one model of lib/match (a list of ANDed conditions), its
 * evaluation for Alertmanager matchers and StackStorm criteria alike, the
 * canonical text, and the PCRE2 plumbing both parsers share. The parsers
 * are amparse.c and criteria.c.
 */
#include "compat.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/numparse.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "match/match_int.h"
#include "match/matcher.h"

struct aiops_match *
match_new(enum match_kind k)
{
	struct aiops_match *m = xcalloc(1, sizeof(*m));

	m->kind = k;
	if ((m->mctx = pcre2_match_context_create(NULL)) == NULL)
		xoom(sizeof(*m));
	pcre2_set_match_limit(m->mctx, AIOPS_MATCH_RE_LIMIT);
	pcre2_set_depth_limit(m->mctx, AIOPS_MATCH_RE_DEPTH);
	pcre2_set_heap_limit(m->mctx, AIOPS_MATCH_RE_HEAP);
	atomic_init(&m->limit_hits, 0);
	return m;
}

struct cond *
match_add(struct aiops_match *m)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 4;
		m->conds = xreallocarray(m->conds, m->cap, sizeof(*m->conds));
	}
	memset(&m->conds[m->n], 0, sizeof(m->conds[m->n]));
	return &m->conds[m->n++];
}

void
cond_release(struct cond *c)
{
	size_t i;

	for (i = 0; i < c->nsteps; i++)
		free(c->steps[i].key);
	free(c->steps);
	free(c->name);
	free(c->value);
	json_decref(c->pattern);
	pcre2_code_free(c->re);
	pcre2_code_free(c->re_whole);
	aiops_match_free(c->children);
	memset(c, 0, sizeof(*c));
}

void
aiops_match_free(struct aiops_match *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->n; i++)
		cond_release(&m->conds[i]);
	free(m->conds);
	free(m->order);
	pcre2_match_context_free(m->mctx);
	free(m);
}

size_t
aiops_match_count(const struct aiops_match *m)
{
	return m->n;
}

unsigned long
aiops_match_limit_hits(const struct aiops_match *m)
{
	return atomic_load_explicit(&((struct aiops_match *)m)->limit_hits,
	    memory_order_relaxed);
}

pcre2_code *
re_compile(const char *pattern, size_t len, uint32_t opts, size_t *erroff, char *msg,
    size_t msglen)
{
	pcre2_code *re;
	PCRE2_SIZE off = 0;
	int code;

	re = pcre2_compile((PCRE2_SPTR)pattern, len,
	    opts | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code, &off, NULL);
	if (re == NULL) {
		if (pcre2_get_error_message(code, (PCRE2_UCHAR *)msg, msglen) < 0 &&
		    msglen > 0)
			msg[0] = '\0';
		*erroff = off;
		return NULL;
	}
	/* The JIT is an optimisation: without it the interpreter runs. */
	(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	return re;
}

/* =========================================================================
 * Evaluation
 * =========================================================================
 */

struct evalctx {
	const struct aiops_match *top;	/* owns the limits and the counter */
	pcre2_match_data *md;		/* made on the first regex, per call */
	int64_t		 now_ns;
};

static int eval_conds(const struct aiops_match *m, const json_t *root, struct evalctx *cx);
static int eval_cond(const struct aiops_match *m, const struct cond *c, const json_t *root,
    struct evalctx *cx);

/* 1 match, 0 no match, -1 a limit was hit (counted). */
static int
re_run(const pcre2_code *re, const char *s, size_t n, struct evalctx *cx)
{
	int rc;

	if (cx->md == NULL && (cx->md = pcre2_match_data_create(1, NULL)) == NULL)
		xoom(64);
	rc = pcre2_match(re, (PCRE2_SPTR)s, n, 0, 0, cx->md, cx->top->mctx);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	atomic_fetch_add_explicit(&((struct aiops_match *)cx->top)->limit_hits, 1,
	    memory_order_relaxed);
	return -1;
}

/*
 * The value of label name in labels: absent or null is "" (Alertmanager);
 * a string is itself; anything else its compact JSON text, in *tofree.
 */
static const char *
label_value(const json_t *labels, const char *name, size_t namelen, size_t *len,
    char **tofree)
{
	json_t *v;

	*tofree = NULL;
	*len = 0;
	if (!json_is_object(labels) ||
	    (v = json_object_getn(labels, name, namelen)) == NULL || json_is_null(v))
		return "";
	if (json_is_string(v)) {
		*len = json_string_length(v);
		return json_string_value(v);
	}
	if ((*tofree = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT)) == NULL)
		xoom(0);
	*len = strlen(*tofree);
	return *tofree;
}

static int
eval_label(const struct cond *c, const json_t *labels, struct evalctx *cx)
{
	const char *v;
	char *tofree;
	size_t len;
	int r = 0;

	v = label_value(labels, c->name, c->namelen, &len, &tofree);
	switch (c->op) {
	case OP_AM_EQ:
	case OP_AM_NE:
		r = len == c->valuelen && memcmp(v, c->value, len) == 0;
		if (c->op == OP_AM_NE)
			r = !r;
		break;
	case OP_AM_RE:
		r = re_run(c->re, v, len, cx) == 1;
		break;
	case OP_AM_NRE:
		r = re_run(c->re, v, len, cx) == 0;
		break;
	default:
		break;
	}
	free(tofree);
	return r;
}

int
aiops_match_labels_equal(const json_t *a, const json_t *b, const json_t *equal)
{
	const char *va, *vb;
	char *fa, *fb;
	size_t i, la, lb;
	int same = 1;
	json_t *name;

	json_array_foreach(equal, i, name) {
		if (!json_is_string(name))
			continue;
		va = label_value(a, json_string_value(name), json_string_length(name), &la, &fa);
		vb = label_value(b, json_string_value(name), json_string_length(name), &lb, &fb);
		same = la == lb && memcmp(va, vb, la) == 0;
		free(fa);
		free(fb);
		if (!same)
			break;
	}
	return same;
}

/* The value at c's path under root, NULL when absent or null (None). */
static const json_t *
lookup(const json_t *root, const struct step *st, size_t n)
{
	const json_t *v = root;
	size_t i;

	for (i = 0; i < n && v != NULL; i++) {
		if (json_is_object(v) && !st[i].bracket)
			v = json_object_getn(v, st[i].key, st[i].keylen);
		else if (json_is_array(v) && st[i].index >= 0)
			v = json_array_get(v, (size_t)st[i].index);
		else
			v = NULL;
	}
	return json_is_null(v) ? NULL : v;
}

/* JSON equality as Python's ==: 1 and 1.0 are equal, deep for containers. */
static int
value_equal(const json_t *a, const json_t *b)
{
	const char *key;
	json_t *va;
	size_t i;

	if (json_is_number(a) && json_is_number(b))
		return json_number_value(a) == json_number_value(b);
	if (json_is_array(a) && json_is_array(b)) {
		if (json_array_size(a) != json_array_size(b))
			return 0;
		for (i = 0; i < json_array_size(a); i++)
			if (!value_equal(json_array_get(a, i), json_array_get(b, i)))
				return 0;
		return 1;
	}
	if (json_is_object(a) && json_is_object(b)) {
		if (json_object_size(a) != json_object_size(b))
			return 0;
		json_object_foreach((json_t *)a, key, va) {
			json_t *vb = json_object_getn(b, key, json_object_iter_key_len(
			    json_object_key_to_iter(key)));
			if (vb == NULL || !value_equal(va, vb))
				return 0;
		}
		return 1;
	}
	return json_equal(a, b);
}

/* A number, or a string that is a decimal number. 0 ok, -1 neither. */
static int
as_number(const json_t *v, double *d)
{
	if (json_is_number(v)) {
		*d = json_number_value(v);
		return 0;
	}
	if (json_is_string(v) &&
	    aiops_parse_decimal(json_string_value(v), json_string_length(v), d) == 0)
		return 0;
	return -1;
}

/* An RFC 3339 time, or Unix seconds as a number or a numeric string. */
static int
as_time(const json_t *v, int64_t *ns)
{
	double d;

	if (json_is_string(v) &&
	    aiops_time_parse_rfc3339(json_string_value(v), json_string_length(v), ns) == 0)
		return 0;
	if (as_number(v, &d) < 0 || !(fabs(d) < 9.2e9))
		return -1;
	*ns = (int64_t)(d * 1e9);
	return 0;
}

static int
has_substring(const json_t *hay, const char *needle, size_t n)
{
	return json_is_string(hay) &&
	    memmem(json_string_value(hay), json_string_length(hay), needle, n) != NULL;
}

/* Is the pattern (a string) in v: substring, array element, object key? */
static int
contains(const struct cond *c, const json_t *v, int caseless, struct evalctx *cx)
{
	size_t i;
	json_t *e;

	if (json_is_string(v)) {
		if (c->value == NULL)
			return 0;	/* `5 in "abc"` raises in Python */
		if (!caseless)
			return has_substring(v, c->value, c->valuelen);
		return re_run(c->re, json_string_value(v), json_string_length(v), cx) == 1;
	}
	if (json_is_array(v)) {
		json_array_foreach(v, i, e) {
			if (!caseless && value_equal(e, c->pattern))
				return 1;
			if (caseless && json_is_string(e) && re_run(c->re_whole,
			    json_string_value(e), json_string_length(e), cx) == 1)
				return 1;
		}
		return 0;
	}
	if (json_is_object(v) && c->value != NULL)
		return json_object_getn(v, c->value, c->valuelen) != NULL;
	return 0;
}

/* ncontains/incontains: false where st2 raises (None, numbers, ...). */
static int
not_contains(const struct cond *c, const json_t *v, int caseless, struct evalctx *cx)
{
	if (v == NULL || !(json_is_string(v) || json_is_array(v) || json_is_object(v)))
		return 0;
	if (json_is_string(v) && c->value == NULL)
		return 0;
	return !contains(c, v, caseless, cx);
}

/* Is v (NULL: null) inside the pattern list, or a substring of it? -1: neither. */
static int
inside(const struct cond *c, const json_t *v)
{
	size_t i;
	json_t *e;

	if (json_is_array(c->pattern)) {
		json_array_foreach(c->pattern, i, e)
			if (v == NULL ? json_is_null(e) : value_equal(v, e))
				return 1;
		return 0;
	}
	if (!json_is_string(v))
		return -1;
	return memmem(c->value, c->valuelen, json_string_value(v),
	    json_string_length(v)) != NULL;
}

static int
str_affix(const json_t *v, const struct cond *c, int suffix)
{
	const char *s;
	size_t n;

	if (!json_is_string(v))
		return 0;
	s = json_string_value(v);
	n = json_string_length(v);
	if (n < c->valuelen)
		return 0;
	return memcmp(suffix ? s + n - c->valuelen : s, c->value, c->valuelen) == 0;
}

static int
str_re(const json_t *v, const struct cond *c, struct evalctx *cx)
{
	return json_is_string(v) &&
	    re_run(c->re, json_string_value(v), json_string_length(v), cx) == 1;
}

static int
timediff(const struct cond *c, const json_t *v, struct evalctx *cx)
{
	int64_t t;
	double secs;

	if (v == NULL || as_time(v, &t) < 0)
		return 0;
	secs = ((double)cx->now_ns - (double)t) / 1e9;
	return c->op == OP_TIMEDIFF_LT ? secs < c->number : secs > c->number;
}

/*
 * search (operators.py search()): the children are matched against each
 * item; any/all over items, and all/any over children.
 */
static int
search(const struct cond *c, const json_t *v, struct evalctx *cx)
{
	int over_all_items = c->scond == SEARCH_ALL || c->scond == SEARCH_ALL2ANY;
	int any_child = c->scond == SEARCH_ANY2ANY || c->scond == SEARCH_ALL2ANY;
	const struct aiops_match *ch = c->children;
	size_t i, k;
	json_t *item;
	int r;

	if (!json_is_array(v))
		return 0;
	json_array_foreach(v, i, item) {
		if (!any_child)
			r = eval_conds(ch, item, cx);
		else
			for (r = 0, k = 0; k < ch->n && !r; k++)
				r = eval_cond(ch, &ch->conds[k], item, cx);
		if (over_all_items && !r)
			return 0;
		if (!over_all_items && r)
			return 1;
	}
	return over_all_items;
}

size_t
aiops_match_equals(const struct aiops_match *m, struct aiops_match_equals *v, size_t max)
{
	const struct cond *c;
	size_t i, n = 0;

	if (m->kind != KIND_CRITERIA)
		return 0;
	for (i = 0; i < m->n; i++) {
		c = &m->conds[i];
		if (c->op != OP_EQUALS || c->pattern == NULL ||
		    !(json_is_string(c->pattern) || json_is_boolean(c->pattern) ||
		    (json_is_number(c->pattern) && json_number_value(c->pattern) ==
		    json_number_value(c->pattern))))
			continue;
		if (n < max)
			v[n] = (struct aiops_match_equals){ i, c->name, c->namelen, c->pattern };
		n++;
	}
	return n;
}

const json_t *
aiops_match_value(const struct aiops_match *m, size_t cond, const json_t *event)
{
	if (cond >= m->n || !json_is_object(event))
		return NULL;
	return lookup(event, m->conds[cond].steps, m->conds[cond].nsteps);
}

static int
eval_criterion(const struct cond *c, const json_t *root, struct evalctx *cx)
{
	const json_t *v = lookup(root, c->steps, c->nsteps);
	double d;

	switch (c->op) {
	case OP_EQUALS:		return v != NULL && value_equal(v, c->pattern);
	case OP_NEQUALS:	return v == NULL || !value_equal(v, c->pattern);
	case OP_IEQUALS:
	case OP_MATCHWILDCARD:
	case OP_REGEX:
	case OP_IREGEX:
	case OP_MATCHREGEX:
	case OP_ISTARTSWITH:
	case OP_IENDSWITH:	return str_re(v, c, cx);
	case OP_LESSTHAN:	return v != NULL && as_number(v, &d) == 0 && d < c->number;
	case OP_GREATERTHAN:	return v != NULL && as_number(v, &d) == 0 && d > c->number;
	case OP_CONTAINS:	return contains(c, v, 0, cx);
	case OP_ICONTAINS:	return contains(c, v, 1, cx);
	case OP_NCONTAINS:	return not_contains(c, v, 0, cx);
	case OP_INCONTAINS:	return not_contains(c, v, 1, cx);
	case OP_STARTSWITH:	return str_affix(v, c, 0);
	case OP_ENDSWITH:	return str_affix(v, c, 1);
	case OP_EXISTS:		return v != NULL;
	case OP_NEXISTS:	return v == NULL;
	case OP_INSIDE:		return inside(c, v) == 1;
	case OP_NINSIDE:	return inside(c, v) == 0;
	case OP_TIMEDIFF_LT:
	case OP_TIMEDIFF_GT:	return timediff(c, v, cx);
	case OP_SEARCH:		return search(c, v, cx);
	default:		return 0;
	}
}

static int
eval_cond(const struct aiops_match *m, const struct cond *c, const json_t *root,
    struct evalctx *cx)
{
	return m->kind == KIND_MATCHERS ? eval_label(c, root, cx) : eval_criterion(c, root, cx);
}

static int
eval_conds(const struct aiops_match *m, const json_t *root, struct evalctx *cx)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (!eval_cond(m, &m->conds[m->order != NULL ? m->order[i] : i], root, cx))
			return 0;
	return 1;
}

int
aiops_match_eval(const struct aiops_match *m, const json_t *event, int64_t now_ns)
{
	struct evalctx cx = { m, NULL, now_ns };
	int r;

	if (!json_is_object(event))
		event = NULL;
	r = eval_conds(m, event, &cx);
	pcre2_match_data_free(cx.md);
	return r;
}

/* =========================================================================
 * Canonical text
 * =========================================================================
 */

static const char *const am_ops[] = { "=", "!=", "=~", "!~" };

/* [a-zA-Z_:][a-zA-Z0-9_:]*: a name the classic parser takes unquoted. */
static int
classic_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '_' || ch == ':'))
			return 0;
	}
	return 1;
}

/* "s" with \\ \n \" escaped (openMetricsEscape in pkg/labels/matcher.go). */
static void
put_quoted(struct aiops_buf *b, const char *s, size_t n)
{
	size_t i;

	aiops_buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		if (s[i] == '\\' || s[i] == '"')
			aiops_buf_addc(b, '\\');
		if (s[i] == '\n')
			aiops_buf_addstr(b, "\\n");
		else
			aiops_buf_addc(b, s[i]);
	}
	aiops_buf_addc(b, '"');
}

static int
bytes_cmp(const char *a, size_t na, const char *b, size_t nb)
{
	int r = memcmp(a, b, na < nb ? na : nb);

	return r != 0 ? r : (na > nb) - (na < nb);
}

/* pkg/labels/matcher.go Matchers.Less: name, then value, then type. */
static int
cond_cmp(const void *pa, const void *pb)
{
	const struct cond *a = *(const struct cond *const *)pa;
	const struct cond *b = *(const struct cond *const *)pb;
	int r;

	if ((r = bytes_cmp(a->name, a->namelen, b->name, b->namelen)) != 0)
		return r;
	if ((r = bytes_cmp(a->value, a->valuelen, b->value, b->valuelen)) != 0)
		return r;
	return (int)a->op - (int)b->op;
}

static char *
matchers_text(const struct aiops_match *m, int flags)
{
	struct aiops_buf b = AIOPS_BUF_INIT;
	const struct cond **order = xcalloc(m->n + 1, sizeof(*order));
	size_t i;

	for (i = 0; i < m->n; i++)
		order[i] = &m->conds[i];
	if (flags & AIOPS_MATCH_TEXT_SORTED)
		qsort(order, m->n, sizeof(*order), cond_cmp);
	aiops_buf_addstr(&b, (flags & AIOPS_MATCH_TEXT_BARE) ? "" : "{");
	for (i = 0; i < m->n; i++) {
		const struct cond *c = order[i];

		if (i > 0)
			aiops_buf_addc(&b, ',');
		if (classic_name(c->name, c->namelen))
			aiops_buf_add(&b, c->name, c->namelen);
		else
			put_quoted(&b, c->name, c->namelen);
		aiops_buf_addstr(&b, am_ops[c->op]);
		put_quoted(&b, c->value, c->valuelen);
	}
	if (!(flags & AIOPS_MATCH_TEXT_BARE))
		aiops_buf_addc(&b, '}');
	free(order);
	return aiops_buf_detach(&b, NULL);
}

char *
aiops_match_to_text(const struct aiops_match *m, int flags)
{
	json_t *j;
	char *s;

	if (m->kind == KIND_MATCHERS)
		return matchers_text(m, flags);
	j = criteria_json(m);
	if ((s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL)
		xoom(0);
	json_decref(j);
	return s;
}
