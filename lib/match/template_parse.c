/*
 * template_parse.c: the lexer and parser of the template subset, after
 * Go's text/template/parse (lex.go, parse.go): the same tokens, the same
 * grammar and, where a template is wrong, the same words, with a column.
 * The lexer runs on demand with one token of look-ahead instead of Go's
 * goroutine; a space before a token is a flag on it, not a token.
 */
#include "compat.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "core/xmalloc.h"
#include "match/template_int.h"

/* ---- arena: every node of one aiops_tpl_add() call, freed together ---- */

struct tpl_arena {
	struct tpl_arena *next;		/* older blocks */
	size_t		 used, cap;
	char		*mem;
};

struct tpl_arena *
tpl_arena_new(void)
{
	return xcalloc(1, sizeof(struct tpl_arena));
}

void *
tpl_alloc(struct tpl_arena *a, size_t n)
{
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (a->mem == NULL || a->cap - a->used < n) {
		/* The head keeps the current block; older ones hang behind it. */
		struct tpl_arena *old = xmalloc(sizeof(*old));
		size_t cap = n > 8192 ? n : 8192;

		*old = *a;
		a->next = old;
		a->mem = xmalloc(cap);
		a->cap = cap;
		a->used = 0;
	}
	p = a->mem + a->used;
	a->used += n;
	memset(p, 0, n);
	return p;
}

void
tpl_arena_free(struct tpl_arena *a)
{
	while (a != NULL) {
		struct tpl_arena *next = a->next;

		free(a->mem);
		free(a);
		a = next;
	}
}

static char *
arena_strndup(struct tpl_arena *a, const char *s, size_t n)
{
	char *p = tpl_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* ---- tokens ---- */

enum tok_type {
	T_EOF, T_ERROR, T_TEXT, T_LEFT, T_RIGHT, T_IDENT, T_FIELD, T_VAR, T_DOT,
	T_DECLARE, T_ASSIGN, T_PIPE, T_LPAREN, T_RPAREN, T_CHAR, T_STRING,
	T_RAWSTRING, T_RUNE, T_NUMBER, T_BOOL, T_NIL,
	/* keywords */
	T_BLOCK, T_BREAK, T_CONTINUE, T_DEFINE, T_ELSE, T_END, T_IF, T_RANGE,
	T_TEMPLATE, T_WITH,
};

static const struct {
	const char	*word;
	enum tok_type	 type;
} keywords[] = {
	{ "block", T_BLOCK }, { "break", T_BREAK }, { "continue", T_CONTINUE },
	{ "define", T_DEFINE }, { "else", T_ELSE }, { "end", T_END }, { "if", T_IF },
	{ "range", T_RANGE }, { "template", T_TEMPLATE }, { "with", T_WITH },
	{ "nil", T_NIL }, { "true", T_BOOL }, { "false", T_BOOL },
};

struct tok {
	enum tok_type	 type;
	size_t		 pos, len;
	int		 line, col;
	int		 sp;		/* whitespace came before it (inside actions) */
};

struct parser {
	struct tpl_arena *a;
	const char	*name;		/* the template being parsed, for errors */
	const char	*src;
	size_t		 len, pos;
	int		 in_action;
	int		 trim_next;	/* the last action ended in " -}}" */
	/* incremental line count: line of lpos, where that line starts */
	size_t		 lpos, lstart;
	int		 lline;
	struct tok	 peek;
	int		 have_peek;
	/* declared variables, as Go's Tree.vars: checked at parse */
	const char	**vars;
	size_t		 nvars, capvars;
	int		 depth;
	int		 in_range;
	int		 failed;
	char		*err;
	size_t		 errlen;
	tpl_def_cb	*def;
	void		*ctx;
};

static void
locate(struct parser *p, size_t pos, int *line, int *col)
{
	if (pos < p->lpos) {
		p->lpos = p->lstart = 0;
		p->lline = 1;
	}
	for (; p->lpos < pos; p->lpos++)
		if (p->src[p->lpos] == '\n') {
			p->lline++;
			p->lstart = p->lpos + 1;
		}
	*line = p->lline;
	*col = (int)(pos - p->lstart);
}

static void __attribute__((format(printf, 3, 4)))
perr(struct parser *p, size_t pos, const char *fmt, ...)
{
	va_list ap;
	int line, col, n;

	if (p->failed)
		return;
	p->failed = 1;
	if (p->errlen == 0)
		return;
	locate(p, pos, &line, &col);
	n = snprintf(p->err, p->errlen, "template: %s:%d:%d: ", p->name, line, col);
	if (n < 0 || (size_t)n >= p->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
is_alnum(int c)
{
	/* Go takes Unicode letters too; bytes >= 0x80 stand for them here. */
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (unsigned char)c >= 0x80;
}

static int
has_prefix(const struct parser *p, size_t at, const char *s)
{
	size_t n = strlen(s);

	return at <= p->len && p->len - at >= n && memcmp(p->src + at, s, n) == 0;
}

/* "{{- " at at: a left delimiter with a trim marker (lex.go hasLeftTrimMarker). */
static int
left_trim_at(const struct parser *p, size_t at)
{
	return has_prefix(p, at, "{{-") && at + 3 < p->len && is_space(p->src[at + 3]);
}

/* Right delimiter at at: 0 none, 2 "}}", 4 " -}}" (trimming). */
static int
right_delim_at(const struct parser *p, size_t at)
{
	if (at + 1 < p->len && is_space(p->src[at]) && has_prefix(p, at + 1, "-}}"))
		return 4;
	if (has_prefix(p, at, "}}"))
		return 2;
	return 0;
}

static int
at_terminator(const struct parser *p, size_t at)
{
	int c;

	if (at >= p->len)
		return 1;
	c = (unsigned char)p->src[at];
	if (is_space(c) || c == '.' || c == ',' || c == '|' || c == ':' || c == ')' || c == '(')
		return 1;
	return right_delim_at(p, at) != 0;
}

static struct tok
mktok(struct parser *p, enum tok_type type, size_t start, int sp)
{
	struct tok t;

	t.type = type;
	t.pos = start;
	t.len = p->pos - start;
	t.sp = sp;
	locate(p, start, &t.line, &t.col);
	return t;
}

static struct tok
lex_error(struct parser *p, size_t at, const char *fmt, const char *arg)
{
	struct tok t;

	perr(p, at, fmt, arg);
	t.type = T_ERROR;
	t.pos = at;
	t.len = 0;
	t.sp = 0;
	t.line = t.col = 0;
	return t;
}

/* Outside actions: text, then a left delimiter; comments vanish here. */
static struct tok
lex_text(struct parser *p)
{
	size_t start, end, next;
	const char *hit;

again:
	start = p->pos;
	if (p->trim_next) {
		while (start < p->len && is_space(p->src[start]))
			start++;
		p->trim_next = 0;
		p->pos = start;
	}
	if (start >= p->len)
		return mktok(p, T_EOF, start, 0);
	hit = memmem(p->src + start, p->len - start, "{{", 2);
	next = hit != NULL ? (size_t)(hit - p->src) : p->len;
	if (next > start) {
		end = next;
		if (hit != NULL && left_trim_at(p, next))
			while (end > start && is_space(p->src[end - 1]))
				end--;
		p->pos = next;
		if (end > start) {
			struct tok t = mktok(p, T_TEXT, start, 0);

			t.len = end - start;
			return t;
		}
	}
	/* At "{{": a comment is consumed whole, an action begins. */
	{
		size_t after = next + 2 + (left_trim_at(p, next) ? 2 : 0);

		if (has_prefix(p, after, "/*")) {
			const char *close = memmem(p->src + after + 2, p->len - after - 2, "*/", 2);
			int rd;

			if (close == NULL)
				return lex_error(p, next, "%sunclosed comment", "");
			after = (size_t)(close - p->src) + 2;
			rd = right_delim_at(p, after);
			if (rd == 0)
				return lex_error(p, next, "%scomment ends before closing delimiter", "");
			p->pos = after + (size_t)rd;
			p->trim_next = rd == 4;
			goto again;
		}
		p->pos = after;
		p->in_action = 1;
		return mktok(p, T_LEFT, next, 0);
	}
}

static struct tok
lex_quote(struct parser *p, size_t start, int sp)
{
	char q = p->src[start];

	p->pos = start + 1;
	for (;;) {
		char c;

		if (p->pos >= p->len)
			return lex_error(p, start, q == '"' ? "%sunterminated quoted string" :
			    "%sunterminated character constant", "");
		c = p->src[p->pos++];
		if (c == '\\') {
			if (p->pos < p->len && p->src[p->pos] != '\n') {
				p->pos++;
				continue;
			}
			return lex_error(p, start, q == '"' ? "%sunterminated quoted string" :
			    "%sunterminated character constant", "");
		}
		if (c == '\n')
			return lex_error(p, start, q == '"' ? "%sunterminated quoted string" :
			    "%sunterminated character constant", "");
		if (c == q)
			break;
	}
	return mktok(p, q == '"' ? T_STRING : T_RUNE, start, sp);
}

static int
is_digit_in(int c, int base)
{
	if (c == '_')
		return 1;
	switch (base) {
	case 16: return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
	case 8: return c >= '0' && c <= '7';
	case 2: return c == '0' || c == '1';
	default: return c >= '0' && c <= '9';
	}
}

/* A number as Go's lexer scans it (lex.go scanNumber), without complex. */
static struct tok
lex_number(struct parser *p, size_t start, int sp)
{
	size_t i = start;
	int base = 10;

	if (i < p->len && (p->src[i] == '+' || p->src[i] == '-'))
		i++;
	if (i + 1 < p->len && p->src[i] == '0' && strchr("xXoObB", p->src[i + 1]) != NULL &&
	    p->src[i + 1] != '\0') {
		char b = p->src[i + 1];

		base = (b == 'x' || b == 'X') ? 16 : (b == 'o' || b == 'O') ? 8 : 2;
		i += 2;
	}
	while (i < p->len && is_digit_in((unsigned char)p->src[i], base))
		i++;
	if (base == 10 && i < p->len && p->src[i] == '.') {
		i++;
		while (i < p->len && is_digit_in((unsigned char)p->src[i], 10))
			i++;
	}
	if (base == 10 && i < p->len && (p->src[i] == 'e' || p->src[i] == 'E')) {
		i++;
		if (i < p->len && (p->src[i] == '+' || p->src[i] == '-'))
			i++;
		while (i < p->len && is_digit_in((unsigned char)p->src[i], 10))
			i++;
	}
	p->pos = i;
	if (i < p->len && is_alnum((unsigned char)p->src[i])) {
		char buf[64];

		p->pos = i + 1;
		snprintf(buf, sizeof(buf), "%.*s", (int)(p->pos - start), p->src + start);
		return lex_error(p, start, "bad number syntax: \"%s\"", buf);
	}
	return mktok(p, T_NUMBER, start, sp);
}

/* Inside an action (lex.go lexInsideAction). */
static struct tok
lex_action(struct parser *p)
{
	size_t start;
	int sp = 0, rd, c;

	while (p->pos < p->len && is_space(p->src[p->pos])) {
		if (right_delim_at(p, p->pos) == 4)
			break;
		p->pos++;
		sp = 1;
	}
	start = p->pos;
	if ((rd = right_delim_at(p, start)) != 0) {
		if (rd == 4)
			sp = 1;
		p->pos = start + (size_t)rd;
		p->in_action = 0;
		p->trim_next = rd == 4;
		return mktok(p, T_RIGHT, start, sp);
	}
	if (start >= p->len)
		return lex_error(p, start, "%sunclosed action", "");
	c = (unsigned char)p->src[start];
	switch (c) {
	case ':':
		if (start + 1 < p->len && p->src[start + 1] == '=') {
			p->pos = start + 2;
			return mktok(p, T_DECLARE, start, sp);
		}
		return lex_error(p, start, "%sexpected :=", "");
	case '=':
		p->pos = start + 1;
		return mktok(p, T_ASSIGN, start, sp);
	case '|':
		p->pos = start + 1;
		return mktok(p, T_PIPE, start, sp);
	case '(':
		p->pos = start + 1;
		return mktok(p, T_LPAREN, start, sp);
	case ')':
		p->pos = start + 1;
		return mktok(p, T_RPAREN, start, sp);
	case '"':
	case '\'':
		return lex_quote(p, start, sp);
	case '`': {
		const char *end = memchr(p->src + start + 1, '`', p->len - start - 1);

		if (end == NULL)
			return lex_error(p, start, "%sunterminated raw quoted string", "");
		p->pos = (size_t)(end - p->src) + 1;
		return mktok(p, T_RAWSTRING, start, sp);
	}
	case '$':
	case '.': {
		size_t i = start + 1;

		/* ".5" is a number; "." or "$" alone is dot or the variable $. */
		if (c == '.' && i < p->len && p->src[i] >= '0' && p->src[i] <= '9')
			return lex_number(p, start, sp);
		while (i < p->len && is_alnum((unsigned char)p->src[i]))
			i++;
		p->pos = i;
		if (!at_terminator(p, i)) {
			char buf[8];

			snprintf(buf, sizeof(buf), "%c", p->src[i]);
			return lex_error(p, i, "bad character %s", buf);
		}
		if (c == '$')
			return mktok(p, T_VAR, start, sp);
		return mktok(p, i == start + 1 ? T_DOT : T_FIELD, start, sp);
	}
	default:
		break;
	}
	if (c == '+' || c == '-' || (c >= '0' && c <= '9'))
		return lex_number(p, start, sp);
	if (is_alnum(c)) {
		size_t i = start, k;

		while (i < p->len && is_alnum((unsigned char)p->src[i]))
			i++;
		p->pos = i;
		if (!at_terminator(p, i)) {
			char buf[8];

			snprintf(buf, sizeof(buf), "%c", p->src[i]);
			return lex_error(p, i, "bad character %s", buf);
		}
		for (k = 0; k < sizeof(keywords) / sizeof(keywords[0]); k++)
			if (strlen(keywords[k].word) == i - start &&
			    memcmp(keywords[k].word, p->src + start, i - start) == 0)
				return mktok(p, keywords[k].type, start, sp);
		return mktok(p, T_IDENT, start, sp);
	}
	if (c >= 0x20 && c < 0x7f) {
		p->pos = start + 1;
		return mktok(p, T_CHAR, start, sp);
	}
	{
		char buf[8];

		snprintf(buf, sizeof(buf), "%#x", c);
		return lex_error(p, start, "unrecognized character in action: %s", buf);
	}
}

static struct tok
next_tok(struct parser *p)
{
	if (p->have_peek) {
		p->have_peek = 0;
		return p->peek;
	}
	if (p->failed) {
		struct tok t = { T_ERROR, p->pos, 0, 0, 0, 0 };

		return t;
	}
	return p->in_action ? lex_action(p) : lex_text(p);
}

static struct tok
peek_tok(struct parser *p)
{
	if (!p->have_peek) {
		p->peek = next_tok(p);
		p->have_peek = 1;
	}
	return p->peek;
}

static void
tok_name(const struct parser *p, const struct tok *t, char *buf, size_t n)
{
	switch (t->type) {
	case T_EOF: snprintf(buf, n, "EOF"); break;
	case T_RIGHT: snprintf(buf, n, "<}}>"); break;
	case T_LEFT: snprintf(buf, n, "<{{>"); break;
	case T_ERROR: snprintf(buf, n, "error"); break;
	default:
		if (t->type >= T_BLOCK)
			snprintf(buf, n, "<%.*s>", (int)t->len, p->src + t->pos);
		else
			snprintf(buf, n, "%s%.*s%s", t->type == T_TEXT ? "" : "\"",
			    (int)(t->len > 40 ? 40 : t->len), p->src + t->pos,
			    t->type == T_TEXT ? "" : "\"");
	}
}

static void
unexpected(struct parser *p, const struct tok *t, const char *context)
{
	char buf[64];

	if (t->type == T_ERROR)
		return;
	tok_name(p, t, buf, sizeof(buf));
	perr(p, t->pos, "unexpected %s in %s", buf, context);
}

/* ---- literals ---- */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void
put_utf8(struct aiops_buf *b, unsigned long r)
{
	if (r < 0x80) {
		aiops_buf_addc(b, (char)r);
	} else if (r < 0x800) {
		aiops_buf_addc(b, (char)(0xc0 | (r >> 6)));
		aiops_buf_addc(b, (char)(0x80 | (r & 0x3f)));
	} else if (r < 0x10000) {
		aiops_buf_addc(b, (char)(0xe0 | (r >> 12)));
		aiops_buf_addc(b, (char)(0x80 | ((r >> 6) & 0x3f)));
		aiops_buf_addc(b, (char)(0x80 | (r & 0x3f)));
	} else {
		aiops_buf_addc(b, (char)(0xf0 | (r >> 18)));
		aiops_buf_addc(b, (char)(0x80 | ((r >> 12) & 0x3f)));
		aiops_buf_addc(b, (char)(0x80 | ((r >> 6) & 0x3f)));
		aiops_buf_addc(b, (char)(0x80 | (r & 0x3f)));
	}
}

/*
 * One character of a quoted literal at s[*i] (strconv.UnquoteChar):
 * appends it to b; *rune gets its value. -1 on bad syntax.
 */
static int
unquote_char(const char *s, size_t n, size_t *i, char quote, struct aiops_buf *b, long *rune)
{
	unsigned char c = (unsigned char)s[*i];
	unsigned long v = 0;
	int k, digits;

	if (c != '\\') {
		size_t l = aiops_utf8_seqlen((const unsigned char *)s + *i, n - *i);

		if (c == quote && quote == '\'')
			return -1;
		if (l == 0) {	/* Go decodes a bad byte as U+FFFD */
			put_utf8(b, 0xfffd);
			*rune = 0xfffd;
			(*i)++;
			return 0;
		}
		aiops_buf_add(b, s + *i, l);
		if (l == 1) {
			*rune = c;
		} else {
			unsigned long r = c & (0xff >> (l + 1));
			size_t j;

			for (j = 1; j < l; j++)
				r = (r << 6) | ((unsigned char)s[*i + j] & 0x3f);
			*rune = (long)r;
		}
		*i += l;
		return 0;
	}
	if (*i + 1 >= n)
		return -1;
	c = (unsigned char)s[*i + 1];
	*i += 2;
	switch (c) {
	case 'a': v = 7; break;
	case 'b': v = 8; break;
	case 'f': v = 12; break;
	case 'n': v = 10; break;
	case 'r': v = 13; break;
	case 't': v = 9; break;
	case 'v': v = 11; break;
	case '\\': v = '\\'; break;
	case '\'':
	case '"':
		if (c != (unsigned char)quote)
			return -1;
		v = c;
		break;
	case 'x':
	case 'u':
	case 'U':
		digits = c == 'x' ? 2 : c == 'u' ? 4 : 8;
		if (n - *i < (size_t)digits)
			return -1;
		for (k = 0; k < digits; k++) {
			int h = hexval((unsigned char)s[*i + (size_t)k]);

			if (h < 0)
				return -1;
			v = v * 16 + (unsigned long)h;
		}
		*i += (size_t)digits;
		if (c == 'x') {	/* a byte, not a rune */
			aiops_buf_addc(b, (char)v);
			*rune = (long)v;
			return 0;
		}
		if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000))
			return -1;
		put_utf8(b, v);
		*rune = (long)v;
		return 0;
	default:
		if (c < '0' || c > '7' || n - *i < 2)
			return -1;
		v = c - '0';
		for (k = 0; k < 2; k++) {
			int d = s[*i + (size_t)k];

			if (d < '0' || d > '7')
				return -1;
			v = v * 8 + (unsigned long)(d - '0');
		}
		if (v > 255)
			return -1;
		*i += 2;
		aiops_buf_addc(b, (char)v);
		*rune = (long)v;
		return 0;
	}
	aiops_buf_addc(b, (char)v);
	*rune = (long)v;
	return 0;
}

static int
unquote(struct parser *p, const struct tok *t, struct tpl_arg *arg)
{
	const char *s = p->src + t->pos;
	struct aiops_buf b = AIOPS_BUF_INIT;
	size_t i, n = t->len;
	long r;

	if (t->type == T_RAWSTRING) {
		/* strconv.Unquote drops carriage returns from raw strings */
		for (i = 1; i + 1 < n; i++)
			if (s[i] != '\r')
				aiops_buf_addc(&b, s[i]);
	} else {
		for (i = 1; i + 1 < n;)
			if (unquote_char(s, n - 1, &i, '"', &b, &r) < 0) {
				aiops_buf_release(&b);
				perr(p, t->pos, "invalid syntax");
				return -1;
			}
	}
	arg->kind = A_STRING;
	arg->str = arena_strndup(p->a, b.data != NULL ? b.data : "", b.len);
	arg->len = b.len;
	aiops_buf_release(&b);
	return 0;
}

static int
parse_rune(struct parser *p, const struct tok *t, struct tpl_arg *arg)
{
	struct aiops_buf b = AIOPS_BUF_INIT;
	size_t i = 1;
	long r = 0;
	int bad;

	bad = t->len < 3 || unquote_char(p->src + t->pos, t->len - 1, &i, '\'', &b, &r) < 0 ||
	    i != t->len - 1;
	aiops_buf_release(&b);
	if (bad) {
		perr(p, t->pos, "malformed character constant: %.*s", (int)t->len, p->src + t->pos);
		return -1;
	}
	arg->kind = A_INT;
	arg->i = r;
	return 0;
}

static int
parse_number(struct parser *p, const struct tok *t, struct tpl_arg *arg)
{
	char buf[128], *end;
	const char *s = p->src + t->pos;
	size_t i, k = 0;
	int isfloat = 0, hex = 0;

	if (t->len >= sizeof(buf)) {
		perr(p, t->pos, "illegal number syntax: \"%.*s\"", 40, s);
		return -1;
	}
	for (i = 0; i < t->len; i++)
		if (s[i] != '_')
			buf[k++] = s[i];
	buf[k] = '\0';
	for (i = 0; i < k; i++) {
		if (buf[i] == 'x' || buf[i] == 'X')
			hex = 1;
		if (!hex && (buf[i] == '.' || buf[i] == 'e' || buf[i] == 'E'))
			isfloat = 1;
	}
	errno = 0;
	if (isfloat) {
		arg->kind = A_FLOAT;
		arg->f = strtod(buf, &end);
	} else {
		const char *d = buf;
		int neg = 0, base = 10;
		unsigned long long u;

		if (*d == '+' || *d == '-')
			neg = *d++ == '-';
		if (d[0] == '0' && d[1] != '\0') {
			switch (d[1]) {
			case 'x': case 'X': base = 16; d += 2; break;
			case 'o': case 'O': base = 8; d += 2; break;
			case 'b': case 'B': base = 2; d += 2; break;
			default: base = 8; d += 1; break;	/* 017 is octal in Go */
			}
		}
		if (*d == '\0' || *d == '+' || *d == '-') {
			end = (char *)d;
			goto bad;
		}
		u = strtoull(d, &end, base);
		if (errno == ERANGE || u > (unsigned long long)LLONG_MAX + (neg ? 1 : 0)) {
			perr(p, t->pos, "%s overflows int", buf);
			return -1;
		}
		arg->kind = A_INT;
		arg->i = neg ? (long long)(0 - u) : (long long)u;
	}
	/* Go's ParseFloat refuses what overflows to infinity; jansson cannot hold it */
	if (*end != '\0' || end == buf || (arg->kind == A_FLOAT && isinf(arg->f))) {
bad:
		perr(p, t->pos, "illegal number syntax: \"%s\"", buf);
		return -1;
	}
	return 0;
}

/* ---- variables in scope (parse.go useVar) ---- */

static void
push_var(struct parser *p, const char *name)
{
	if (p->nvars == p->capvars) {
		p->capvars = p->capvars ? 2 * p->capvars : 16;
		p->vars = xreallocarray(p->vars, p->capvars, sizeof(*p->vars));
	}
	p->vars[p->nvars++] = name;
}

static int
var_known(const struct parser *p, const char *name)
{
	size_t i;

	for (i = p->nvars; i > 0; i--)
		if (strcmp(p->vars[i - 1], name) == 0)
			return 1;
	return 0;
}

/* ---- grammar ---- */

static struct tpl_pipe *parse_pipeline(struct parser *p, const char *context, enum tok_type end);

static struct tpl_arg *
new_arg(struct parser *p, enum arg_kind k, const struct tok *t)
{
	struct tpl_arg *a = tpl_alloc(p->a, sizeof(*a));

	a->kind = k;
	a->line = t->line;
	a->col = t->col;
	return a;
}

/* parse.go term(): an operand without its chain; NULL when none is next. */
static struct tpl_arg *
parse_term(struct parser *p)
{
	struct tok t = peek_tok(p);
	struct tpl_arg *a;

	switch (t.type) {
	case T_IDENT:
		next_tok(p);
		a = new_arg(p, A_FUNC, &t);
		a->name = arena_strndup(p->a, p->src + t.pos, t.len);
		a->fn = tpl_func_lookup(a->name, t.len);
		if (a->fn == NULL) {
			perr(p, t.pos, "function \"%s\" not defined", a->name);
			return NULL;
		}
		return a;
	case T_DOT:
		next_tok(p);
		return new_arg(p, A_DOT, &t);
	case T_NIL:
		next_tok(p);
		return new_arg(p, A_NIL, &t);
	case T_VAR:
		next_tok(p);
		a = new_arg(p, A_VAR, &t);
		a->name = arena_strndup(p->a, p->src + t.pos, t.len);
		if (!var_known(p, a->name)) {
			perr(p, t.pos, "undefined variable \"%s\"", a->name);
			return NULL;
		}
		return a;
	case T_FIELD:
		next_tok(p);
		a = new_arg(p, A_FIELD, &t);
		a->fields = tpl_alloc(p->a, sizeof(char *));
		a->fields[0] = arena_strndup(p->a, p->src + t.pos + 1, t.len - 1);
		a->nfields = 1;
		return a;
	case T_BOOL:
		next_tok(p);
		a = new_arg(p, A_BOOL, &t);
		a->i = p->src[t.pos] == 't';
		return a;
	case T_NUMBER:
		next_tok(p);
		a = new_arg(p, A_INT, &t);
		return parse_number(p, &t, a) < 0 ? NULL : a;
	case T_RUNE:
		next_tok(p);
		a = new_arg(p, A_INT, &t);
		return parse_rune(p, &t, a) < 0 ? NULL : a;
	case T_STRING:
	case T_RAWSTRING:
		next_tok(p);
		a = new_arg(p, A_STRING, &t);
		return unquote(p, &t, a) < 0 ? NULL : a;
	case T_LPAREN:
		next_tok(p);
		if (++p->depth > AIOPS_TPL_MAXNEST) {
			perr(p, t.pos, "nesting too deep (more than %d)", AIOPS_TPL_MAXNEST);
			return NULL;
		}
		a = new_arg(p, A_PIPE, &t);
		a->pipe = parse_pipeline(p, "parenthesized pipeline", T_RPAREN);
		p->depth--;
		return a->pipe == NULL ? NULL : a;
	default:
		return NULL;
	}
}

/* parse.go operand(): a term and the fields chained on it (no space between). */
static struct tpl_arg *
parse_operand(struct parser *p)
{
	struct tpl_arg *a = parse_term(p);
	struct tok t;
	size_t cap;

	if (a == NULL || p->failed)
		return NULL;
	t = peek_tok(p);
	if (t.type != T_FIELD || t.sp)
		return a;
	switch (a->kind) {
	case A_BOOL: case A_STRING: case A_INT: case A_FLOAT: case A_NIL: case A_DOT:
		perr(p, t.pos, "unexpected . after term");
		return NULL;
	default:
		break;
	}
	cap = a->nfields + 8;
	{
		const char **f = tpl_alloc(p->a, cap * sizeof(char *));

		if (a->nfields > 0)
			memcpy(f, a->fields, a->nfields * sizeof(char *));
		a->fields = f;
	}
	while ((t = peek_tok(p)).type == T_FIELD && !t.sp) {
		next_tok(p);
		if (a->nfields == cap) {
			const char **f = tpl_alloc(p->a, 2 * cap * sizeof(char *));

			memcpy(f, a->fields, cap * sizeof(char *));
			a->fields = f;
			cap *= 2;
		}
		a->fields[a->nfields++] = arena_strndup(p->a, p->src + t.pos + 1, t.len - 1);
	}
	return a;
}

static struct tpl_cmd *
parse_command(struct parser *p)
{
	struct tpl_cmd *c = tpl_alloc(p->a, sizeof(*c));
	struct tok t = peek_tok(p);
	size_t cap = 0, end = t.pos;

	c->line = t.line;
	c->col = t.col;
	c->src = p->src + t.pos;
	for (;;) {
		struct tpl_arg *a = parse_operand(p);

		if (p->failed)
			return NULL;
		if (a != NULL) {
			if (c->nargs == cap) {
				struct tpl_arg **v;

				cap = cap ? 2 * cap : 4;
				v = tpl_alloc(p->a, cap * sizeof(*v));
				if (c->nargs > 0)
					memcpy(v, c->args, c->nargs * sizeof(*v));
				c->args = v;
			}
			c->args[c->nargs++] = a;
			end = p->have_peek ? p->peek.pos : p->pos;
		}
		t = peek_tok(p);
		if (t.type == T_RIGHT || t.type == T_RPAREN)
			break;
		if (t.type == T_PIPE) {
			next_tok(p);
			break;
		}
		if (a != NULL && t.sp)
			continue;
		unexpected(p, &t, "operand");
		return NULL;
	}
	if (c->nargs == 0) {
		perr(p, t.pos, "empty command");
		return NULL;
	}
	/* the source of the command, trailing space trimmed, for errors */
	while (end > (size_t)(c->src - p->src) && is_space(p->src[end - 1]))
		end--;
	c->srclen = end - (size_t)(c->src - p->src);
	return c;
}

/* parse.go pipeline(): declarations, then commands up to the end token. */
static struct tpl_pipe *
parse_pipeline(struct parser *p, const char *context, enum tok_type end)
{
	struct tpl_pipe *pp = tpl_alloc(p->a, sizeof(*pp));
	struct tok t = peek_tok(p), v;
	size_t cap = 0;

	pp->line = t.line;
	pp->col = t.col;
	while ((v = peek_tok(p)).type == T_VAR) {
		/* "$x :=" "$x =" "$i, $v :=" declare; "$x foo" is an operand. */
		struct tok n;

		next_tok(p);
		n = peek_tok(p);
		if (n.type == T_DECLARE || n.type == T_ASSIGN) {
			const char *name = arena_strndup(p->a, p->src + v.pos, v.len);

			next_tok(p);
			if (n.type == T_ASSIGN && !var_known(p, name)) {
				perr(p, v.pos, "undefined variable \"%s\"", name);
				return NULL;
			}
			pp->decl = n.type == T_ASSIGN ? DECL_ASSIGN : DECL_DEFINE;
			pp->vars[pp->nvars++] = name;
			if (n.type == T_DECLARE)
				for (int k = 0; k < pp->nvars; k++)
					push_var(p, pp->vars[k]);
			break;
		}
		if (n.type == T_CHAR && p->src[n.pos] == ',') {
			next_tok(p);
			pp->vars[pp->nvars++] = arena_strndup(p->a, p->src + v.pos, v.len);
			if (strcmp(context, "range") == 0 && pp->nvars < 2) {
				n = peek_tok(p);
				if (n.type == T_VAR || n.type == T_RIGHT || n.type == T_RPAREN)
					continue;
				perr(p, n.pos, "range can only initialize variables");
				return NULL;
			}
			perr(p, n.pos, "too many declarations in %s", context);
			return NULL;
		}
		/* not a declaration: put the variable back and lex again from it */
		if (pp->nvars > 0) {
			perr(p, n.pos, "missing := after declared variables in %s", context);
			return NULL;
		}
		p->have_peek = 0;
		p->pos = v.pos;
		p->in_action = 1;
		p->trim_next = 0;
		break;
	}
	if (p->failed)
		return NULL;
	for (;;) {
		t = peek_tok(p);
		if (t.type == end) {
			next_tok(p);
			break;
		}
		switch (t.type) {
		case T_BOOL: case T_RUNE: case T_DOT: case T_FIELD: case T_IDENT:
		case T_NUMBER: case T_NIL: case T_RAWSTRING: case T_STRING: case T_VAR:
		case T_LPAREN: {
			struct tpl_cmd *c = parse_command(p);

			if (c == NULL)
				return NULL;
			if (pp->ncmds == cap) {
				struct tpl_cmd **cv;

				cap = cap ? 2 * cap : 4;
				cv = tpl_alloc(p->a, cap * sizeof(*cv));
				if (pp->ncmds > 0)
					memcpy(cv, pp->cmds, pp->ncmds * sizeof(*cv));
				pp->cmds = cv;
			}
			pp->cmds[pp->ncmds++] = c;
			break;
		}
		default:
			unexpected(p, &t, context);
			return NULL;
		}
	}
	/* parse.go checkPipeline */
	if (pp->ncmds == 0) {
		perr(p, t.pos, "missing value for %s", context);
		return NULL;
	}
	for (size_t i = 1; i < pp->ncmds; i++)
		switch (pp->cmds[i]->args[0]->kind) {
		case A_BOOL: case A_DOT: case A_NIL: case A_INT: case A_FLOAT: case A_STRING:
			perr(p, t.pos, "non executable command in pipeline stage %zu", i + 1);
			return NULL;
		default:
			break;
		}
	return pp;
}

static struct tpl_node *
new_node(struct parser *p, enum node_kind k, const struct tok *t)
{
	struct tpl_node *n = tpl_alloc(p->a, sizeof(*n));

	n->kind = k;
	n->line = t->line;
	n->col = t->col;
	return n;
}

static void
list_add(struct parser *p, struct tpl_list *l, struct tpl_node *n)
{
	if (l->n == l->cap) {
		struct tpl_node **v;

		l->cap = l->cap ? 2 * l->cap : 8;
		v = tpl_alloc(p->a, l->cap * sizeof(*v));
		if (l->n > 0)
			memcpy(v, l->v, l->n * sizeof(*v));
		l->v = v;
	}
	l->v[l->n++] = n;
}

/* How a list ended. */
enum stop { STOP_EOF, STOP_END, STOP_ELSE, STOP_ELSE_IF, STOP_ELSE_WITH, STOP_ERR };

static enum stop parse_list(struct parser *p, struct tpl_list *l, struct tok *at);

static int
expect_right(struct parser *p, const char *context)
{
	struct tok t = next_tok(p);

	if (t.type != T_RIGHT) {
		unexpected(p, &t, context);
		return -1;
	}
	return 0;
}

/* if / range / with (parse.go parseControl). */
static struct tpl_node *
parse_control(struct parser *p, enum node_kind kind, const struct tok *kw, const char *context)
{
	struct tpl_node *n = new_node(p, kind, kw);
	size_t mark = p->nvars;
	struct tok at;
	enum stop st;

	if (++p->depth > AIOPS_TPL_MAXNEST) {
		perr(p, kw->pos, "nesting too deep (more than %d)", AIOPS_TPL_MAXNEST);
		return NULL;
	}
	n->pipe = parse_pipeline(p, context, T_RIGHT);
	if (n->pipe == NULL)
		return NULL;
	if (kind == N_RANGE)
		p->in_range++;
	n->list = tpl_alloc(p->a, sizeof(struct tpl_list));
	st = parse_list(p, n->list, &at);
	if (kind == N_RANGE)
		p->in_range--;
	switch (st) {
	case STOP_ERR:
		return NULL;
	case STOP_EOF:
		perr(p, at.pos, "unexpected EOF");
		return NULL;
	case STOP_END:
		break;
	case STOP_ELSE_IF:
	case STOP_ELSE_WITH:
		/* {{if a}}x{{else if b}}y{{end}} is {{if a}}x{{else}}{{if b}}y{{end}}{{end}} */
		if ((st == STOP_ELSE_IF) != (kind == N_IF)) {
			perr(p, at.pos, "unexpected <else %s> in %s", st == STOP_ELSE_IF ? "if" : "with", context);
			return NULL;
		}
		n->elist = tpl_alloc(p->a, sizeof(struct tpl_list));
		{
			struct tok kw2 = next_tok(p);
			struct tpl_node *inner = parse_control(p, kind, &kw2, context);

			if (inner == NULL)
				return NULL;
			list_add(p, n->elist, inner);
		}
		break;
	case STOP_ELSE:
		n->elist = tpl_alloc(p->a, sizeof(struct tpl_list));
		st = parse_list(p, n->elist, &at);
		if (st == STOP_ERR)
			return NULL;
		if (st != STOP_END) {
			perr(p, at.pos, "expected end; found %s", st == STOP_EOF ? "EOF" : "{{else}}");
			return NULL;
		}
		break;
	}
	p->nvars = mark;
	p->depth--;
	return n;
}

/* {{template "name" [pipeline]}} after the keyword (parse.go templateControl). */
static struct tpl_node *
parse_template_call(struct parser *p, const struct tok *kw, const char *context)
{
	struct tpl_node *n = new_node(p, N_TEMPLATE, kw);
	struct tok t = next_tok(p);
	struct tpl_arg name;

	if (t.type != T_STRING && t.type != T_RAWSTRING) {
		unexpected(p, &t, context);
		return NULL;
	}
	if (unquote(p, &t, &name) < 0)
		return NULL;
	n->tname = name.str;
	if (peek_tok(p).type != T_RIGHT) {
		n->pipe = parse_pipeline(p, context, T_RIGHT);
		if (n->pipe == NULL)
			return NULL;
	} else {
		next_tok(p);
	}
	return n;
}

static int
is_empty_list(const struct tpl_list *l)
{
	size_t i, k;

	for (i = 0; i < l->n; i++) {
		if (l->v[i]->kind != N_TEXT)
			return 0;
		for (k = 0; k < l->v[i]->len; k++)
			if (!is_space(l->v[i]->text[k]))
				return 0;
	}
	return 1;
}

/* {{define "name"}} body {{end}}, and block's body: a fresh variable scope with $. */
static int
parse_body_def(struct parser *p, const char *name, struct tok *at, const char *context)
{
	struct tpl_list *body = tpl_alloc(p->a, sizeof(*body));
	const char **saved = p->vars;
	size_t savedn = p->nvars, savedcap = p->capvars;
	int saved_range = p->in_range;
	enum stop st;

	p->vars = NULL;
	p->nvars = p->capvars = 0;
	p->in_range = 0;
	push_var(p, "$");
	st = parse_list(p, body, at);
	free(p->vars);
	p->vars = saved;
	p->nvars = savedn;
	p->capvars = savedcap;
	p->in_range = saved_range;
	if (st == STOP_ERR)
		return -1;
	if (st != STOP_END) {
		perr(p, at->pos, st == STOP_EOF ? "unexpected EOF in %s" :
		    "unexpected {{else}} in %s", context);
		return -1;
	}
	p->def(p->ctx, name, body, is_empty_list(body));
	return 0;
}

static struct tpl_node *
parse_block(struct parser *p, const struct tok *kw)
{
	const char *context = "block clause";
	struct tpl_node *n = parse_template_call(p, kw, context);
	struct tok at;

	if (n == NULL)
		return NULL;
	if (++p->depth > AIOPS_TPL_MAXNEST) {
		perr(p, kw->pos, "nesting too deep (more than %d)", AIOPS_TPL_MAXNEST);
		return NULL;
	}
	if (parse_body_def(p, n->tname, &at, context) < 0)
		return NULL;
	p->depth--;
	return n;
}

/* After "{{": one action (parse.go action()). *st tells end/else. */
static struct tpl_node *
parse_action(struct parser *p, enum stop *st, struct tok *at)
{
	struct tok t = peek_tok(p);
	struct tpl_node *n;

	*st = STOP_EOF;
	switch (t.type) {
	case T_BLOCK:
		next_tok(p);
		return parse_block(p, &t);
	case T_BREAK:
	case T_CONTINUE:
		next_tok(p);
		if (!p->in_range) {
			perr(p, t.pos, "{{%s}} outside {{range}}", t.type == T_BREAK ? "break" : "continue");
			return NULL;
		}
		if (expect_right(p, t.type == T_BREAK ? "{{break}}" : "{{continue}}") < 0)
			return NULL;
		return new_node(p, t.type == T_BREAK ? N_BREAK : N_CONTINUE, &t);
	case T_ELSE:
		next_tok(p);
		*at = t;
		t = peek_tok(p);
		if (t.type == T_IF) {
			*st = STOP_ELSE_IF;
			return NULL;
		}
		if (t.type == T_WITH) {
			*st = STOP_ELSE_WITH;
			return NULL;
		}
		if (expect_right(p, "else") < 0)
			return NULL;
		*st = STOP_ELSE;
		return NULL;
	case T_END:
		next_tok(p);
		*at = t;
		if (expect_right(p, "end") < 0)
			return NULL;
		*st = STOP_END;
		return NULL;
	case T_IF:
		next_tok(p);
		return parse_control(p, N_IF, &t, "if");
	case T_RANGE:
		next_tok(p);
		return parse_control(p, N_RANGE, &t, "range");
	case T_WITH:
		next_tok(p);
		return parse_control(p, N_WITH, &t, "with");
	case T_TEMPLATE:
		next_tok(p);
		return parse_template_call(p, &t, "template clause");
	default:
		n = new_node(p, N_ACTION, &t);
		n->pipe = parse_pipeline(p, "command", T_RIGHT);
		return n->pipe == NULL ? NULL : n;
	}
}

static enum stop
parse_list(struct parser *p, struct tpl_list *l, struct tok *at)
{
	for (;;) {
		struct tok t = next_tok(p);
		struct tpl_node *n;
		enum stop st;

		if (p->failed)
			return STOP_ERR;
		switch (t.type) {
		case T_EOF:
			*at = t;
			return STOP_EOF;
		case T_TEXT:
			n = new_node(p, N_TEXT, &t);
			n->text = p->src + t.pos;
			n->len = t.len;
			list_add(p, l, n);
			break;
		case T_LEFT:
			if (peek_tok(p).type == T_DEFINE) {
				struct tok kw = next_tok(p);

				perr(p, kw.pos, "unexpected <define> in command");
				return STOP_ERR;
			}
			n = parse_action(p, &st, at);
			if (p->failed)
				return STOP_ERR;
			if (n == NULL)
				return st;
			list_add(p, l, n);
			break;
		default:
			unexpected(p, &t, "input");
			return STOP_ERR;
		}
	}
}

/* The top level: defines, and the body (parse.go parse()). */
static int
parse_top(struct parser *p, struct tpl_list *root)
{
	for (;;) {
		struct tok t = peek_tok(p), at;
		struct tpl_node *n;
		enum stop st;

		if (p->failed)
			return -1;
		if (t.type == T_EOF)
			return 0;
		if (t.type == T_LEFT) {
			next_tok(p);
			if (peek_tok(p).type == T_DEFINE) {
				struct tok kw = next_tok(p), name = next_tok(p);
				struct tpl_arg nm;

				if (name.type != T_STRING && name.type != T_RAWSTRING) {
					unexpected(p, &name, "define clause");
					return -1;
				}
				if (unquote(p, &name, &nm) < 0 || expect_right(p, "define clause") < 0)
					return -1;
				(void)kw;
				if (parse_body_def(p, nm.str, &at, "define clause") < 0)
					return -1;
				continue;
			}
			n = parse_action(p, &st, &at);
			if (p->failed)
				return -1;
			if (n == NULL) {
				perr(p, at.pos, "unexpected {{%s}}", st == STOP_END ? "end" : "else");
				return -1;
			}
			list_add(p, root, n);
			continue;
		}
		next_tok(p);
		if (t.type != T_TEXT) {
			unexpected(p, &t, "input");
			return -1;
		}
		n = new_node(p, N_TEXT, &t);
		n->text = p->src + t.pos;
		n->len = t.len;
		list_add(p, root, n);
	}
}

int
tpl_parse(struct tpl_arena *a, const char *name, const char *text, size_t len,
    tpl_def_cb *def, void *ctx, char *err, size_t errlen)
{
	struct parser p;
	struct tpl_list *root;
	int rc;

	memset(&p, 0, sizeof(p));
	p.a = a;
	p.name = name;
	/* text is kept: nodes point into the arena's copy */
	p.src = arena_strndup(a, text, len);
	p.len = len;
	p.lline = 1;
	p.err = err;
	p.errlen = errlen;
	p.def = def;
	p.ctx = ctx;
	push_var(&p, "$");
	root = tpl_alloc(a, sizeof(*root));
	rc = parse_top(&p, root);
	free(p.vars);
	if (rc < 0 || p.failed)
		return -1;
	def(ctx, arena_strndup(a, name, strlen(name)), root, is_empty_list(root));
	return 0;
}
