/*
 * criteria.c: StackStorm rule criteria built from jansson values (the
 * rules are YAML; the caller converts). Operators and their pattern types
 * are in matcher.h; the names come from st2common/operators.py, which
 * also accepts the short forms and any letter case (get_operator()).
 */
#include "compat.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/numparse.h"
#include "core/xmalloc.h"
#include "match/match_int.h"
#include "match/matcher.h"

/* search inside search inside ...: deeper than any rule needs. */
#define SEARCH_DEPTH_MAX	16

enum pat { PAT_NONE, PAT_ANY, PAT_STR, PAT_NUM, PAT_LIST_OR_STR, PAT_CRITERIA };

static const struct op_def {
	const char	*name;
	enum cond_op	 op;
	enum pat	 pat;
} op_defs[] = {
	/* The canonical name of each op comes first. */
	{ "equals", OP_EQUALS, PAT_ANY },
	{ "nequals", OP_NEQUALS, PAT_ANY },
	{ "iequals", OP_IEQUALS, PAT_STR },
	{ "lessthan", OP_LESSTHAN, PAT_NUM },
	{ "greaterthan", OP_GREATERTHAN, PAT_NUM },
	{ "matchwildcard", OP_MATCHWILDCARD, PAT_STR },
	{ "regex", OP_REGEX, PAT_STR },
	{ "iregex", OP_IREGEX, PAT_STR },
	{ "matchregex", OP_MATCHREGEX, PAT_STR },
	{ "contains", OP_CONTAINS, PAT_ANY },
	{ "ncontains", OP_NCONTAINS, PAT_ANY },
	{ "icontains", OP_ICONTAINS, PAT_STR },
	{ "incontains", OP_INCONTAINS, PAT_STR },
	{ "startswith", OP_STARTSWITH, PAT_STR },
	{ "istartswith", OP_ISTARTSWITH, PAT_STR },
	{ "endswith", OP_ENDSWITH, PAT_STR },
	{ "iendswith", OP_IENDSWITH, PAT_STR },
	{ "exists", OP_EXISTS, PAT_NONE },
	{ "nexists", OP_NEXISTS, PAT_NONE },
	{ "inside", OP_INSIDE, PAT_LIST_OR_STR },
	{ "ninside", OP_NINSIDE, PAT_LIST_OR_STR },
	{ "timediff_lt", OP_TIMEDIFF_LT, PAT_NUM },
	{ "timediff_gt", OP_TIMEDIFF_GT, PAT_NUM },
	{ "search", OP_SEARCH, PAT_CRITERIA },
	/* Aliases: the brief's and operators.py's short forms. */
	{ "wildcard", OP_MATCHWILDCARD, PAT_STR },
	{ "eq", OP_EQUALS, PAT_ANY },
	{ "neq", OP_NEQUALS, PAT_ANY },
	{ "ieq", OP_IEQUALS, PAT_STR },
	{ "lt", OP_LESSTHAN, PAT_NUM },
	{ "gt", OP_GREATERTHAN, PAT_NUM },
	{ "td_lt", OP_TIMEDIFF_LT, PAT_NUM },
	{ "td_gt", OP_TIMEDIFF_GT, PAT_NUM },
	{ "in", OP_INSIDE, PAT_LIST_OR_STR },
	{ "nin", OP_NINSIDE, PAT_LIST_OR_STR },
};

static const char *const search_conds[] = { "any", "all", "any2any", "all2any" };

static const struct op_def *
op_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(op_defs) / sizeof(op_defs[0]); i++)
		if (strcasecmp(op_defs[i].name, name) == 0)
			return &op_defs[i];
	return NULL;
}

static const char *
op_name(enum cond_op op)
{
	size_t i;

	for (i = 0; i < sizeof(op_defs) / sizeof(op_defs[0]); i++)
		if (op_defs[i].op == op)
			return op_defs[i].name;
	return "?";
}

/* Where an error is: the path and the operator as written. */
struct where {
	char		*err;
	size_t		 errlen;
	const char	*path;
	const char	*op;
};

static int
crit_error(const struct where *w, const char *what)
{
	aiops_errf(w->err, w->errlen, "criteria '%.200s' (%s): %s", w->path,
	    w->op ? w->op : "?", what);
	return -1;
}

/* =========================================================================
 * Paths: a.b[0]."c.d".1
 * =========================================================================
 */

static void
add_step(struct cond *c, const char *key, size_t len, int bracket)
{
	struct step *st;
	size_t i;

	c->steps = xreallocarray(c->steps, c->nsteps + 1, sizeof(*c->steps));
	st = &c->steps[c->nsteps++];
	st->key = xstrndup(key, len);
	st->keylen = len;
	st->bracket = bracket;
	st->index = len > 0 && len <= 9 ? 0 : -1;	/* longer: past any array */
	for (i = 0; i < len && st->index >= 0; i++)
		st->index = isdigit((unsigned char)key[i]) ? st->index * 10 + (key[i] - '0') : -1;
}

/* One component at p[*i]: quoted, or up to the next . or [. */
static int
path_component(struct cond *c, const char *p, size_t n, size_t *i, const struct where *w)
{
	size_t start = *i;

	if (p[*i] == '"') {
		const char *q = memchr(p + *i + 1, '"', n - *i - 1);

		if (q == NULL)
			return crit_error(w, "unterminated quote in the path");
		add_step(c, p + *i + 1, (size_t)(q - p) - *i - 1, 0);
		*i = (size_t)(q - p) + 1;
		return 0;
	}
	while (*i < n && p[*i] != '.' && p[*i] != '[')
		(*i)++;
	if (*i == start)
		return crit_error(w, "empty component in the path");
	add_step(c, p + start, *i - start, 0);
	return 0;
}

/* [digits] at p[*i]. */
static int
path_index(struct cond *c, const char *p, size_t n, size_t *i, const struct where *w)
{
	size_t start = ++*i;

	while (*i < n && isdigit((unsigned char)p[*i]))
		(*i)++;
	if (*i == start || *i == n || p[*i] != ']')
		return crit_error(w, "expected [digits] in the path");
	add_step(c, p + start, *i - start, 1);
	(*i)++;
	return 0;
}

/* Splits the path; drops a leading prefix (trigger or item) component. */
static int
parse_path(struct cond *c, const char *p, size_t n, const char *prefix, const struct where *w)
{
	size_t i = 0;

	if (n == 0)
		return crit_error(w, "empty path");
	if (memchr(p, '\0', n) != NULL)
		return crit_error(w, "NUL in the path");
	for (;;) {
		if (path_component(c, p, n, &i, w) < 0)
			return -1;
		while (i < n && p[i] == '[')
			if (path_index(c, p, n, &i, w) < 0)
				return -1;
		if (i == n)
			break;
		if (p[i] != '.')
			return crit_error(w, "expected . or [ in the path");
		if (++i == n)
			return crit_error(w, "path ends with .");
	}
	if (c->nsteps > 0 && !c->steps[0].bracket && p[0] != '"' &&
	    strcmp(c->steps[0].key, prefix) == 0) {
		free(c->steps[0].key);
		memmove(c->steps, c->steps + 1, --c->nsteps * sizeof(*c->steps));
	}
	return 0;
}

/* =========================================================================
 * Patterns
 * =========================================================================
 */

/*
 * fnmatch.translate() of Python: * ? [seq] [!seq], everything else
 * literal, matched over the whole string with DOTALL (Python appends \Z
 * and uses (?s:...)).
 */
static void
wildcard_to_re(struct aiops_buf *b, const char *p, size_t n)
{
	size_t i = 0, j, k;

	aiops_buf_addstr(b, "(?s)");
	while (i < n) {
		char ch = p[i++];

		if (ch == '*') {
			while (i < n && p[i] == '*')
				i++;
			aiops_buf_addstr(b, ".*");
		} else if (ch == '?')
			aiops_buf_addc(b, '.');
		else if (ch == '[') {
			j = i;
			if (j < n && p[j] == '!')
				j++;
			if (j < n && p[j] == ']')
				j++;
			while (j < n && p[j] != ']')
				j++;
			if (j >= n) {
				aiops_buf_addstr(b, "\\[");
				continue;
			}
			if (j == i) {
				aiops_buf_addstr(b, "(?!)");	/* [] never matches */
			} else if (j == i + 1 && p[i] == '!') {
				aiops_buf_addc(b, '.');		/* [!] any character */
			} else {
				aiops_buf_addc(b, '[');
				k = i;
				if (p[k] == '!') {
					aiops_buf_addc(b, '^');
					k++;
				}
				for (; k < j; k++) {
					if (strchr("\\[]^", p[k]) != NULL && p[k] != '\0')
						aiops_buf_addc(b, '\\');
					aiops_buf_addc(b, p[k]);
				}
				aiops_buf_addc(b, ']');
			}
			i = j + 1;
		} else {
			if ((unsigned char)ch < 0x80 && !isalnum((unsigned char)ch))
				aiops_buf_addc(b, '\\');
			aiops_buf_addc(b, ch);
		}
	}
}

/* The compiled form of a string pattern for the regex-backed operators. */
static int
compile_pattern(struct cond *c, const struct where *w)
{
	const uint32_t lit = PCRE2_LITERAL | PCRE2_CASELESS;
	struct aiops_buf b = AIOPS_BUF_INIT;
	char msg[256], what[320];
	size_t off = 0;
	uint32_t opts;
	const char *src = c->value;
	size_t len = c->valuelen;
	int ok;

	switch (c->op) {
	case OP_IEQUALS:	opts = lit | PCRE2_ANCHORED | PCRE2_ENDANCHORED; break;
	case OP_ISTARTSWITH:	opts = lit | PCRE2_ANCHORED; break;
	case OP_IENDSWITH:	opts = lit | PCRE2_ENDANCHORED; break;
	case OP_ICONTAINS:
	case OP_INCONTAINS:	opts = lit; break;
	/* PCRE2_UCP: \w \d \b are Unicode, as in Python 3's str patterns. */
	case OP_REGEX:		opts = PCRE2_UCP | PCRE2_DOTALL; break;
	case OP_IREGEX:		opts = PCRE2_UCP | PCRE2_CASELESS; break;
	case OP_MATCHREGEX:	opts = PCRE2_UCP | PCRE2_DOTALL | PCRE2_ANCHORED; break;
	case OP_MATCHWILDCARD:
		wildcard_to_re(&b, c->value, c->valuelen);
		src = b.data;
		len = b.len;
		opts = PCRE2_ANCHORED | PCRE2_ENDANCHORED;
		break;
	default:
		return 0;
	}
	c->re = re_compile(src, len, opts, &off, msg, sizeof(msg));
	ok = c->re != NULL;
	if (ok && (c->op == OP_ICONTAINS || c->op == OP_INCONTAINS)) {
		c->re_whole = re_compile(src, len, opts | PCRE2_ANCHORED | PCRE2_ENDANCHORED,
		    &off, msg, sizeof(msg));
		ok = c->re_whole != NULL;
	}
	aiops_buf_release(&b);
	if (ok)
		return 0;
	if (c->op == OP_MATCHWILDCARD)
		(void)snprintf(what, sizeof(what), "%s", msg);
	else
		(void)snprintf(what, sizeof(what), "%s at offset %zu", msg, off);
	return crit_error(w, what);
}

/* A number or a numeric string into c->number. */
static int
number_pattern(struct cond *c, const json_t *p, const struct where *w)
{
	if (json_is_number(p)) {
		c->number = json_number_value(p);
		return 0;
	}
	if (json_is_string(p) && aiops_parse_decimal(json_string_value(p),
	    json_string_length(p), &c->number) == 0)
		return 0;
	return crit_error(w, "pattern is not a number");
}

static struct aiops_match *build(const json_t *criteria, const char *prefix, int depth,
    char *err, size_t errlen);

static int
search_pattern(struct cond *c, const json_t *spec, const json_t *p, int depth,
    const struct where *w)
{
	json_t *cond = json_object_get(spec, "condition");
	size_t i;

	if (!json_is_string(cond))
		return crit_error(w, "search needs a condition: any, all, any2any or all2any");
	for (i = 0; i < 4; i++)
		if (strcasecmp(json_string_value(cond), search_conds[i]) == 0)
			break;
	if (i == 4)
		return crit_error(w, "condition is not any, all, any2any or all2any");
	c->scond = (enum search_cond)i;
	if (depth >= SEARCH_DEPTH_MAX)
		return crit_error(w, "search nested too deeply");
	if (!json_is_object(p) && !json_is_array(p))
		return crit_error(w, "pattern is not criteria (an object or an array)");
	c->children = build(p, "item", depth + 1, w->err, w->errlen);
	return c->children == NULL ? -1 : 0;
}

/* Checks the pattern's type for the operator and prepares it. */
static int
set_pattern(struct cond *c, const struct op_def *d, const json_t *spec, int depth,
    const struct where *w)
{
	json_t *p = json_object_get(spec, "pattern");

	if (d->pat == PAT_NONE)
		return 0;
	if (p == NULL || json_is_null(p))
		return crit_error(w, "no pattern (st2 would never match)");
	c->pattern = json_incref(p);
	if (json_is_string(p)) {
		c->value = xmalloc(json_string_length(p) + 1);
		memcpy(c->value, json_string_value(p), json_string_length(p) + 1);
		c->valuelen = json_string_length(p);
	}
	switch (d->pat) {
	case PAT_STR:
		if (!json_is_string(p))
			return crit_error(w, "pattern is not a string");
		return compile_pattern(c, w);
	case PAT_NUM:
		return number_pattern(c, p, w);
	case PAT_LIST_OR_STR:
		if (!json_is_array(p) && !json_is_string(p))
			return crit_error(w, "pattern is not a list or a string");
		return 0;
	case PAT_CRITERIA:
		return search_pattern(c, spec, p, depth, w);
	default:
		return 0;
	}
}

/* One criterion: key (the path) and spec {type, pattern[, condition]}. */
static int
criterion(struct aiops_match *m, const char *key, size_t keylen, const json_t *spec,
    const char *prefix, int depth, char *err, size_t errlen)
{
	struct where w = { err, errlen, key, NULL };
	json_t *type = json_object_get(spec, "type");
	const struct op_def *d;
	struct cond *c;

	if (!json_is_object(spec))
		return crit_error(&w, "not an object {type, pattern}");
	if (!json_is_string(type))
		return crit_error(&w, "no type");
	w.op = json_string_value(type);
	if ((d = op_by_name(w.op)) == NULL)
		return crit_error(&w, "unknown operator");
	c = match_add(m);
	c->op = d->op;
	c->name = xstrndup(key, keylen);
	c->namelen = keylen;
	if (parse_path(c, key, keylen, prefix, &w) < 0 ||
	    set_pattern(c, d, spec, depth, &w) < 0) {
		cond_release(c);
		m->n--;
		return -1;
	}
	return 0;
}

static int
criteria_object(struct aiops_match *m, const json_t *o, const char *prefix, int depth,
    char *err, size_t errlen)
{
	const char *key;
	json_t *spec;

	json_object_foreach((json_t *)o, key, spec)
		if (criterion(m, key, json_object_iter_key_len(json_object_key_to_iter(key)),
		    spec, prefix, depth, err, errlen) < 0)
			return -1;
	return 0;
}

/* What a condition costs to try: a lookup and a compare first, regexes
 * after, a search over a list last. */
static int
cost(const struct cond *c)
{
	switch (c->op) {
	case OP_REGEX: case OP_IREGEX: case OP_MATCHREGEX: case OP_MATCHWILDCARD:
	case OP_ICONTAINS: case OP_INCONTAINS:
		return 2;
	case OP_IEQUALS: case OP_ISTARTSWITH: case OP_IENDSWITH: case OP_CONTAINS:
	case OP_NCONTAINS:
		return 1;
	case OP_SEARCH:
		return 3;
	default:
		return 0;
	}
}

/* The order conditions are tried in: by cost, then as written. */
static void
set_order(struct aiops_match *m)
{
	size_t i, k = 0;
	int c;

	if (m->n < 2)
		return;
	m->order = xcalloc(m->n, sizeof(*m->order));
	for (c = 0; c <= 3; c++)
		for (i = 0; i < m->n; i++)
			if (cost(&m->conds[i]) == c)
				m->order[k++] = i;
}

static struct aiops_match *
build(const json_t *criteria, const char *prefix, int depth, char *err, size_t errlen)
{
	struct aiops_match *m = match_new(KIND_CRITERIA);
	size_t i;
	json_t *o;

	if (json_is_object(criteria)) {
		if (criteria_object(m, criteria, prefix, depth, err, errlen) < 0)
			goto fail;
		set_order(m);
		return m;
	}
	if (!json_is_array(criteria)) {
		aiops_errf(err, errlen, "criteria: not an object or an array of objects");
		goto fail;
	}
	json_array_foreach(criteria, i, o) {
		if (!json_is_object(o)) {
			aiops_errf(err, errlen, "criteria [%zu]: not an object", i);
			goto fail;
		}
		if (criteria_object(m, o, prefix, depth, err, errlen) < 0)
			goto fail;
	}
	set_order(m);
	return m;
fail:
	aiops_match_free(m);
	return NULL;
}

struct aiops_match *
aiops_match_criteria(const json_t *criteria, char *err, size_t errlen)
{
	return build(criteria, "trigger", 0, err, errlen);
}

/* =========================================================================
 * Back to JSON (aiops_match_to_text)
 * =========================================================================
 */

static json_t *
criterion_json(const struct cond *c)
{
	json_t *spec = json_object();

	json_object_set_new(spec, "type", json_string(op_name(c->op)));
	if (c->op == OP_SEARCH) {
		json_object_set_new(spec, "condition", json_string(search_conds[c->scond]));
		json_object_set_new(spec, "pattern", criteria_json(c->children));
	} else if (c->pattern != NULL)
		json_object_set(spec, "pattern", c->pattern);
	return spec;
}

json_t *
criteria_json(const struct aiops_match *m)
{
	json_t *o = json_object(), *a;
	size_t i;

	for (i = 0; i < m->n; i++)
		if (json_object_getn(o, m->conds[i].name, m->conds[i].namelen) != NULL)
			break;
		else
			json_object_setn_new(o, m->conds[i].name, m->conds[i].namelen,
			    criterion_json(&m->conds[i]));
	if (i == m->n)
		return o;
	/* A path repeats: one single-member object per criterion. */
	json_decref(o);
	a = json_array();
	for (i = 0; i < m->n; i++) {
		o = json_object();
		json_object_setn_new(o, m->conds[i].name, m->conds[i].namelen,
		    criterion_json(&m->conds[i]));
		json_array_append_new(a, o);
	}
	return a;
}
