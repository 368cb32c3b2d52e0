/*
 * selector.c: Kubernetes label selectors (selector.h).
 */
#include "compat.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "match/selector.h"

enum sel_op { SEL_EQ, SEL_NE, SEL_IN, SEL_NOTIN, SEL_EXISTS, SEL_ABSENT };

struct sel_req {
	enum sel_op	 op;
	char		*key;
	char		**values;
	size_t		 nvalues;
};

struct aiops_selector {
	struct sel_req	*reqs;
	size_t		 n;
};

/* The parser's place in the text and the first error. */
struct parser {
	const char	*text;
	const char	*p;
	char		*err;
	size_t		 errlen;
	int		 failed;
};

static int
key_char(int c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '/';
}

static int
value_char(int c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '.';
}

int
aiops_selector_valid_key(const char *k)
{
	size_t n = strlen(k), i;

	if (n == 0 || n > AIOPS_SELECTOR_KEY_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!key_char((unsigned char)k[i]))
			return 0;
	return 1;
}

int
aiops_selector_valid_value(const char *v)
{
	size_t n = strlen(v), i;

	if (n > AIOPS_SELECTOR_VALUE_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!value_char((unsigned char)v[i]))
			return 0;
	return 1;
}

static int
fail(struct parser *ps, const char *what)
{
	if (!ps->failed)
		snprintf(ps->err, ps->errlen, "%s, at byte %zu", what,
		    (size_t)(ps->p - ps->text) + 1);
	ps->failed = 1;
	return -1;
}

static void
skip_space(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t')
		ps->p++;
}

/* A run of characters accepted by ok, at most max bytes, as a new string. */
static char *
word(struct parser *ps, int (*ok)(int), size_t max, const char *what)
{
	const char *start = ps->p;

	while (*ps->p != '\0' && ok((unsigned char)*ps->p))
		ps->p++;
	if ((size_t)(ps->p - start) > max) {
		ps->p = start;
		fail(ps, what);
		return NULL;
	}
	return xstrndup(start, (size_t)(ps->p - start));
}

static char *
key(struct parser *ps)
{
	char *k;

	skip_space(ps);
	if ((k = word(ps, key_char, AIOPS_SELECTOR_KEY_MAX, "a label key too long")) == NULL)
		return NULL;
	if (*k == '\0') {
		free(k);
		fail(ps, "a label key expected");
		return NULL;
	}
	return k;
}

static int
add_value(struct parser *ps, struct sel_req *r)
{
	char *v;

	skip_space(ps);
	if ((v = word(ps, value_char, AIOPS_SELECTOR_VALUE_MAX, "a label value too long")) == NULL)
		return -1;
	r->values = xreallocarray(r->values, r->nvalues + 1, sizeof(*r->values));
	r->values[r->nvalues++] = v;
	skip_space(ps);
	return 0;
}

/* "(a, b, c)" after in or notin. */
static int
value_set(struct parser *ps, struct sel_req *r)
{
	skip_space(ps);
	if (*ps->p != '(')
		return fail(ps, "'(' expected after in or notin");
	ps->p++;
	for (;;) {
		if (add_value(ps, r) == -1)
			return -1;
		if (*ps->p == ')') {
			ps->p++;
			return 0;
		}
		if (*ps->p != ',')
			return fail(ps, "',' or ')' expected in a set of values");
		ps->p++;
	}
}

/* Is the text at p the word w, followed by a space or '('? */
static int
keyword(const char *p, const char *w)
{
	size_t n = strlen(w);

	return strncmp(p, w, n) == 0 && (p[n] == ' ' || p[n] == '\t' || p[n] == '(');
}

/* One requirement into r. */
static int
requirement(struct parser *ps, struct sel_req *r)
{
	memset(r, 0, sizeof(*r));
	skip_space(ps);
	if (*ps->p == '!') {
		ps->p++;
		r->op = SEL_ABSENT;
		return (r->key = key(ps)) == NULL ? -1 : 0;
	}
	if ((r->key = key(ps)) == NULL)
		return -1;
	skip_space(ps);
	if (*ps->p == '\0' || *ps->p == ',') {
		r->op = SEL_EXISTS;
		return 0;
	}
	if (ps->p[0] == '!' && ps->p[1] == '=') {
		r->op = SEL_NE;
		ps->p += 2;
		return add_value(ps, r);
	}
	if (ps->p[0] == '=') {
		r->op = SEL_EQ;
		ps->p += ps->p[1] == '=' ? 2 : 1;
		return add_value(ps, r);
	}
	if (keyword(ps->p, "in")) {
		r->op = SEL_IN;
		ps->p += 2;
		return value_set(ps, r);
	}
	if (keyword(ps->p, "notin")) {
		r->op = SEL_NOTIN;
		ps->p += 5;
		return value_set(ps, r);
	}
	return fail(ps, "=, ==, !=, in or notin expected after a label key");
}

static void
req_release(struct sel_req *r)
{
	size_t i;

	free(r->key);
	for (i = 0; i < r->nvalues; i++)
		free(r->values[i]);
	free(r->values);
}

struct aiops_selector *
aiops_selector_parse(const char *text, char *err, size_t errlen)
{
	struct parser ps = { text, text, err, errlen, 0 };
	struct aiops_selector *s = xcalloc(1, sizeof(*s));
	struct sel_req r;

	skip_space(&ps);
	if (*ps.p == '\0')
		return s;
	for (;;) {
		if (requirement(&ps, &r) == -1) {
			req_release(&r);
			aiops_selector_free(s);
			return NULL;
		}
		s->reqs = xreallocarray(s->reqs, s->n + 1, sizeof(*s->reqs));
		s->reqs[s->n++] = r;
		skip_space(&ps);
		if (*ps.p == '\0')
			return s;
		if (*ps.p != ',') {
			fail(&ps, "',' expected between requirements");
			aiops_selector_free(s);
			return NULL;
		}
		ps.p++;
	}
}

static int
in_values(const struct sel_req *r, const char *v)
{
	size_t i;

	for (i = 0; i < r->nvalues; i++)
		if (strcmp(r->values[i], v) == 0)
			return 1;
	return 0;
}

static int
req_matches(const struct sel_req *r, const json_t *labels)
{
	const char *v = json_string_value(json_object_get(labels, r->key));

	switch (r->op) {
	case SEL_EQ:
	case SEL_IN:
		return v != NULL && in_values(r, v);
	case SEL_NE:
	case SEL_NOTIN:
		return v == NULL || !in_values(r, v);
	case SEL_EXISTS:
		return v != NULL;
	case SEL_ABSENT:
		return v == NULL;
	}
	return 0;
}

int
aiops_selector_matches(const struct aiops_selector *s, const json_t *labels)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!req_matches(&s->reqs[i], labels))
			return 0;
	return 1;
}

void
aiops_selector_free(struct aiops_selector *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++)
		req_release(&s->reqs[i]);
	free(s->reqs);
	free(s);
}
