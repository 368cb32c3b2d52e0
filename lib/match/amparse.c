/*
 * amparse.c: Alertmanager label matchers from text (`{a="x", b=~"y"}`, the
 * form of route `matchers:`, amtool and silences) and from the silences
 * API's JSON objects. The grammar is in matcher.h; it follows
 * pkg/labels/parse.go (the classic parser: its escapes) and
 * matchers/parse/lexer.go (the UTF-8 parser: its tokens).
 */
#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/utf8.h"
#include "core/xmalloc.h"
#include "match/match_int.h"
#include "match/matcher.h"

/* How much of the text an error quotes. */
#define QUOTE_MAX	64

struct lexer {
	const char	*s;
	size_t		 n, i;
	char		*err;
	size_t		 errlen;
};

/* 1-based column of byte offset off, counted in UTF-8 characters. */
static size_t
column(const char *s, size_t off)
{
	size_t i, col = 1;

	for (i = 0; i < off; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			col++;
	return col;
}

static void
lex_error(struct lexer *lx, size_t off, const char *what)
{
	size_t q = lx->n;
	const char *more = "";

	if (q > QUOTE_MAX) {
		q = QUOTE_MAX;
		while (q > 0 && ((unsigned char)lx->s[q] & 0xC0) == 0x80)
			q--;
		more = "...";
	}
	aiops_errf(lx->err, lx->errlen, "matcher '%.*s%s': %s at column %zu", (int)q, lx->s,
	    more, what, column(lx->s, off));
}

/* White space and the characters the UTF-8 parser reserves (lexer.go). */
static int
reserved(unsigned char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' ||
	    ch == '\v' || ch == '\0' || strchr("{}!=~,\\\"'`", ch) != NULL;
}

static void
skip_ws(struct lexer *lx)
{
	while (lx->i < lx->n && strchr(" \t\n\r\f\v", lx->s[lx->i]) != NULL &&
	    lx->s[lx->i] != '\0')
		lx->i++;
}

/*
 * A quoted string at lx->i into b: \" \\ \n are escapes, a backslash
 * before anything else stays (pkg/labels/parse.go). -1 if unterminated.
 */
static int
lex_quoted(struct lexer *lx, struct aiops_buf *b)
{
	size_t open = lx->i++;

	while (lx->i < lx->n) {
		char ch = lx->s[lx->i++];

		if (ch == '"')
			return 0;
		if (ch == '\\' && lx->i < lx->n && strchr("\"\\n", lx->s[lx->i]) != NULL &&
		    lx->s[lx->i] != '\0') {
			ch = lx->s[lx->i++];
			aiops_buf_addc(b, ch == 'n' ? '\n' : ch);
		} else
			aiops_buf_addc(b, ch);
	}
	lex_error(lx, open, "unterminated quoted string");
	return -1;
}

/* A quoted string or a run of unreserved characters into b. */
static int
lex_token(struct lexer *lx, struct aiops_buf *b)
{
	size_t start = lx->i;

	if (lx->i < lx->n && lx->s[lx->i] == '"')
		return lex_quoted(lx, b);
	while (lx->i < lx->n && !reserved((unsigned char)lx->s[lx->i]))
		lx->i++;
	aiops_buf_add(b, lx->s + start, lx->i - start);
	return 0;
}

static int
lex_op(struct lexer *lx, enum cond_op *op)
{
	const char *p = lx->s + lx->i;
	size_t left = lx->n - lx->i;

	if (left >= 2 && p[0] == '=' && p[1] == '~')
		*op = OP_AM_RE;
	else if (left >= 2 && p[0] == '!' && p[1] == '=')
		*op = OP_AM_NE;
	else if (left >= 2 && p[0] == '!' && p[1] == '~')
		*op = OP_AM_NRE;
	else if (left >= 1 && p[0] == '=')
		*op = OP_AM_EQ;
	else {
		lex_error(lx, lx->i, "expected =, !=, =~ or !~");
		return -1;
	}
	lx->i += *op == OP_AM_EQ ? 1 : 2;
	return 0;
}

/*
 * The byte offset in the text of byte off of the value that starts at
 * start (after its opening quote when quoted): undoes the escapes.
 */
static size_t
source_offset(const struct lexer *lx, size_t start, int quoted, size_t off)
{
	size_t j = start, d = 0;

	if (!quoted)
		return start + off;
	while (d < off && j < lx->n) {
		if (lx->s[j] == '\\' && j + 1 < lx->n && strchr("\"\\n", lx->s[j + 1]) != NULL &&
		    lx->s[j + 1] != '\0')
			j++;
		j++;
		d++;
	}
	return j;
}

/*
 * Sets c to the matcher (name, op, value): copies, and compiles a regex
 * anchored at both ends with `$` only at the very end, as Go's. -1 when
 * the regex does not compile: msg and *erroff (into value) say why.
 */
static int
am_cond_set(struct cond *c, enum cond_op op, const char *name, size_t namelen,
    const char *value, size_t valuelen, char *msg, size_t msglen, size_t *erroff)
{
	c->op = op;
	c->name = xstrndup(name, namelen);
	c->namelen = namelen;
	c->value = xmalloc(valuelen + 1);
	memcpy(c->value, value, valuelen);
	c->value[valuelen] = '\0';
	c->valuelen = valuelen;
	if (op != OP_AM_RE && op != OP_AM_NRE)
		return 0;
	c->re = re_compile(value, valuelen,
	    PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_DOLLAR_ENDONLY, erroff, msg, msglen);
	return c->re == NULL ? -1 : 0;
}

/* Names and values are UTF-8 text; -1 (error set) if not. */
static int
check_utf8(struct lexer *lx, const struct aiops_buf *b, size_t start, int quoted,
    const char *what)
{
	ssize_t bad = aiops_utf8_check(b->data ? b->data : "", b->len);
	char why[64];

	if (bad < 0)
		return 0;
	(void)snprintf(why, sizeof(why), "%s is not valid UTF-8", what);
	lex_error(lx, source_offset(lx, start + (quoted ? 1 : 0), quoted, (size_t)bad), why);
	return -1;
}

/* name OP value at lx->i, appended to m. */
static int
lex_matcher(struct lexer *lx, struct aiops_match *m)
{
	struct aiops_buf name = AIOPS_BUF_INIT, value = AIOPS_BUF_INIT;
	size_t nstart = lx->i, vstart, erroff;
	enum cond_op op;
	char msg[256];
	int rc = -1, vquoted;

	if (lex_token(lx, &name) < 0)
		goto out;
	if (lx->i == nstart) {
		lex_error(lx, lx->i, "expected a label name");
		goto out;
	}
	if (name.len == 0) {
		lex_error(lx, nstart, "empty label name");
		goto out;
	}
	if (check_utf8(lx, &name, nstart, lx->s[nstart] == '"', "label name") < 0)
		goto out;
	skip_ws(lx);
	if (lex_op(lx, &op) < 0)
		goto out;
	skip_ws(lx);
	vstart = lx->i;
	vquoted = lx->i < lx->n && lx->s[lx->i] == '"';
	if (lex_token(lx, &value) < 0 || check_utf8(lx, &value, vstart, vquoted, "value") < 0)
		goto out;
	if (am_cond_set(match_add(m), op, name.data ? name.data : "", name.len,
	    value.data ? value.data : "", value.len, msg, sizeof(msg), &erroff) < 0) {
		lex_error(lx, source_offset(lx, vstart + vquoted, vquoted, erroff), msg);
		goto out;
	}
	rc = 0;
out:
	aiops_buf_release(&name);
	aiops_buf_release(&value);
	return rc;
}

/* The set or single matcher of text, appended to m. */
static int
lex_set(struct lexer *lx, struct aiops_match *m)
{
	int braced = 0;

	skip_ws(lx);
	if (lx->i < lx->n && lx->s[lx->i] == '{') {
		braced = 1;
		lx->i++;
	}
	for (;;) {
		skip_ws(lx);
		if (lx->i == lx->n) {
			if (braced) {
				lex_error(lx, lx->i, "missing }");
				return -1;
			}
			return 0;
		}
		if (lx->s[lx->i] == '}') {
			if (!braced) {
				lex_error(lx, lx->i, "unexpected }");
				return -1;
			}
			lx->i++;
			break;
		}
		if (lex_matcher(lx, m) < 0)
			return -1;
		skip_ws(lx);
		if (lx->i < lx->n && lx->s[lx->i] == ',')
			lx->i++;
		else if (lx->i < lx->n && lx->s[lx->i] != '}') {
			lex_error(lx, lx->i, "expected , or } after a matcher");
			return -1;
		}
	}
	skip_ws(lx);
	if (lx->i < lx->n) {
		lex_error(lx, lx->i, "unexpected text after }");
		return -1;
	}
	return 0;
}

int
aiops_match_parse_add(struct aiops_match *m, const char *text, size_t len, char *err,
    size_t errlen)
{
	struct lexer lx = { text, len, 0, err, errlen };
	size_t before = m->n;

	if (m->kind != KIND_MATCHERS) {
		aiops_errf(err, errlen, "matcher: cannot add label matchers to criteria");
		return -1;
	}
	if (lex_set(&lx, m) == 0)
		return 0;
	while (m->n > before)
		cond_release(&m->conds[--m->n]);
	return -1;
}

struct aiops_match *
aiops_match_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct aiops_match *m = match_new(KIND_MATCHERS);

	if (aiops_match_parse_add(m, text, len, err, errlen) < 0) {
		aiops_match_free(m);
		return NULL;
	}
	return m;
}

/* =========================================================================
 * The silences API: {"name","value","isRegex","isEqual"}
 * =========================================================================
 */

static int
silence_one(struct aiops_match *m, const json_t *o, size_t idx, char *err, size_t errlen)
{
	json_t *name = json_object_get(o, "name"), *value = json_object_get(o, "value");
	json_t *isre = json_object_get(o, "isRegex"), *iseq = json_object_get(o, "isEqual");
	enum cond_op op;
	size_t erroff;
	char msg[256];

	if (!json_is_object(o)) {
		aiops_errf(err, errlen, "silence matcher [%zu]: not an object", idx);
		return -1;
	}
	if (!json_is_string(name) || json_string_length(name) == 0 ||
	    memchr(json_string_value(name), '\0', json_string_length(name)) != NULL) {
		aiops_errf(err, errlen, "silence matcher [%zu]: \"name\" is not a label name", idx);
		return -1;
	}
	if (!json_is_string(value) ||
	    memchr(json_string_value(value), '\0', json_string_length(value)) != NULL) {
		aiops_errf(err, errlen, "silence matcher [%zu]: \"value\" is not a string "
		    "(without NUL)", idx);
		return -1;
	}
	if (!json_is_boolean(isre) || (iseq != NULL && !json_is_boolean(iseq))) {
		aiops_errf(err, errlen, "silence matcher [%zu]: \"isRegex\" and \"isEqual\" "
		    "are booleans (isRegex required)", idx);
		return -1;
	}
	op = json_is_true(isre) ? OP_AM_RE : OP_AM_EQ;
	if (json_is_false(iseq))
		op = op == OP_AM_RE ? OP_AM_NRE : OP_AM_NE;
	if (am_cond_set(match_add(m), op, json_string_value(name), json_string_length(name),
	    json_string_value(value), json_string_length(value), msg, sizeof(msg),
	    &erroff) < 0) {
		aiops_errf(err, errlen, "silence matcher [%zu] (%s): %s at offset %zu", idx,
		    json_string_value(name), msg, erroff);
		return -1;
	}
	return 0;
}

struct aiops_match *
aiops_match_from_silence(const json_t *matchers, char *err, size_t errlen)
{
	struct aiops_match *m = match_new(KIND_MATCHERS);
	size_t i;
	json_t *o;

	if (json_is_object(matchers)) {
		if (silence_one(m, matchers, 0, err, errlen) < 0)
			goto fail;
		return m;
	}
	if (!json_is_array(matchers)) {
		aiops_errf(err, errlen, "silence matchers: not an array of objects");
		goto fail;
	}
	json_array_foreach(matchers, i, o)
		if (silence_one(m, o, i, err, errlen) < 0)
			goto fail;
	return m;
fail:
	aiops_match_free(m);
	return NULL;
}

json_t *
aiops_match_to_silence(const struct aiops_match *m)
{
	json_t *a;
	size_t i;

	if (m->kind != KIND_MATCHERS)
		return NULL;
	a = json_array();
	for (i = 0; i < m->n; i++) {
		const struct cond *c = &m->conds[i];

		json_array_append_new(a, json_pack("{s:s%,s:s%,s:b,s:b}",
		    "name", c->name, c->namelen, "value", c->value, c->valuelen,
		    "isRegex", c->op == OP_AM_RE || c->op == OP_AM_NRE,
		    "isEqual", c->op == OP_AM_EQ || c->op == OP_AM_RE));
	}
	return a;
}
