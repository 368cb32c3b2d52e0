#include "compat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/jw.h"
#include "core/utf8.h"

void
aiops_jw_init(struct aiops_jw *w, struct aiops_buf *b)
{
	w->b = b;
	w->depth = 0;
	w->need_comma[0] = 0;
}

/*
 * Before a value or a key: a comma unless it opens its container. Values
 * at the top level are records of their own (NDJSON): no commas there.
 * aiops_jw_kstr_lit() in jw.h follows the same rule.
 */
static void
sep(struct aiops_jw *w)
{
	if (w->need_comma[w->depth] && w->depth > 0)
		aiops_buf_addc(w->b, ',');
	w->need_comma[w->depth] = 1;
}

static void value_sep(struct aiops_jw *w);

static void
open_container(struct aiops_jw *w, char c)
{
	value_sep(w);
	aiops_buf_addc(w->b, c);
	if (w->depth + 1 < AIOPS_JW_MAXDEPTH)
		w->depth++;
	w->need_comma[w->depth] = 0;
}

static void
close_container(struct aiops_jw *w, char c)
{
	aiops_buf_addc(w->b, c);
	if (w->depth > 0)
		w->depth--;
}

void
aiops_jw_object_resume(struct aiops_jw *w, const char *obj, size_t n, int members)
{
	value_sep(w);
	aiops_buf_add(w->b, obj, n);
	if (w->depth + 1 < AIOPS_JW_MAXDEPTH)
		w->depth++;
	w->need_comma[w->depth] = members != 0;
}

void aiops_jw_object_begin(struct aiops_jw *w) { open_container(w, '{'); }
void aiops_jw_object_end(struct aiops_jw *w) { close_container(w, '}'); }
void aiops_jw_array_begin(struct aiops_jw *w) { open_container(w, '['); }
void aiops_jw_array_end(struct aiops_jw *w) { close_container(w, ']'); }

static int plain_ascii(const char *s, size_t n);

void
aiops_jw_key(struct aiops_jw *w, const char *k, size_t n)
{
	struct aiops_buf *b = w->b;

	sep(w);
	/* Keys are mostly our own short names: copy them in one go. */
	if (plain_ascii(k, n)) {
		aiops_buf_grow(b, n + 3);
		b->data[b->len] = '"';
		memcpy(b->data + b->len + 1, k, n);
		memcpy(b->data + b->len + 1 + n, "\":", 3);
		b->len += n + 3;
	} else {
		aiops_buf_addc(b, '"');
		aiops_json_escape(b, k, n);
		aiops_buf_add(b, "\":", 2);
	}
	w->need_comma[w->depth] = 2;
}

/*
 * need_comma is 2 right after a key: the value takes that slot, and the
 * next key needs a comma again.
 */
static void
value_sep(struct aiops_jw *w)
{
	if (w->need_comma[w->depth] == 2) {
		w->need_comma[w->depth] = 1;
		return;
	}
	sep(w);
}

void
aiops_jw_string(struct aiops_jw *w, const char *s, size_t n)
{
	value_sep(w);
	aiops_buf_addc(w->b, '"');
	aiops_json_escape(w->b, s, n);
	aiops_buf_addc(w->b, '"');
}

void
aiops_jw_number(struct aiops_jw *w, double v)
{
	char tmp[32];
	size_t n = aiops_json_fmt_double(tmp, v);

	value_sep(w);
	aiops_buf_add(w->b, tmp, n);
}

/* Decimal digits of v, right-aligned in buf[24]; returns the first. */
static char *
utoa(uint64_t v, char *buf)
{
	char *p = buf + 24;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return p;
}

void
aiops_jw_integer(struct aiops_jw *w, int64_t v)
{
	char tmp[24], *p = utoa(v < 0 ? -(uint64_t)v : (uint64_t)v, tmp);

	if (v < 0)
		*--p = '-';
	value_sep(w);
	aiops_buf_add(w->b, p, (size_t)(tmp + 24 - p));
}

void
aiops_jw_uinteger(struct aiops_jw *w, uint64_t v)
{
	char tmp[24], *p = utoa(v, tmp);

	value_sep(w);
	aiops_buf_add(w->b, p, (size_t)(tmp + 24 - p));
}

void
aiops_jw_bool(struct aiops_jw *w, int v)
{
	value_sep(w);
	aiops_buf_addstr(w->b, v ? "true" : "false");
}

void
aiops_jw_null(struct aiops_jw *w)
{
	value_sep(w);
	aiops_buf_add(w->b, "null", 4);
}

void
aiops_jw_raw(struct aiops_jw *w, const char *json, size_t n)
{
	value_sep(w);
	aiops_buf_add(w->b, json, n);
}

/*
 * Walks a jansson value with this writer rather than json_dumpb(), whose
 * reals carry 17 digits (0.97 becomes 0.96999999999999997).
 */
void
aiops_jw_json(struct aiops_jw *w, const json_t *v)
{
	const char *k;
	json_t *e;
	size_t i;

	if (v == NULL) {
		aiops_jw_null(w);
		return;
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		aiops_jw_object_begin(w);
		json_object_foreach((json_t *)v, k, e) {
			aiops_jw_key(w, k, strlen(k));
			aiops_jw_json(w, e);
		}
		aiops_jw_object_end(w);
		break;
	case JSON_ARRAY:
		aiops_jw_array_begin(w);
		json_array_foreach(v, i, e)
			aiops_jw_json(w, e);
		aiops_jw_array_end(w);
		break;
	case JSON_STRING:
		aiops_jw_string(w, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		aiops_jw_integer(w, json_integer_value(v));
		break;
	case JSON_REAL:
		aiops_jw_number(w, json_real_value(v));
		break;
	case JSON_TRUE:
		aiops_jw_bool(w, 1);
		break;
	case JSON_FALSE:
		aiops_jw_bool(w, 0);
		break;
	default:
		aiops_jw_null(w);
		break;
	}
}

void
aiops_jw_kstr(struct aiops_jw *w, const char *k, const char *s, size_t n)
{
	aiops_jw_key(w, k, strlen(k));
	aiops_jw_string(w, s, n);
}

void
aiops_jw_kcstr(struct aiops_jw *w, const char *k, const char *s)
{
	aiops_jw_kstr(w, k, s, strlen(s));
}

void
aiops_jw_knum(struct aiops_jw *w, const char *k, double v)
{
	aiops_jw_key(w, k, strlen(k));
	aiops_jw_number(w, v);
}

void
aiops_jw_kint(struct aiops_jw *w, const char *k, int64_t v)
{
	aiops_jw_key(w, k, strlen(k));
	aiops_jw_integer(w, v);
}

/* Escape table: 0 = copy, 'u' = \u00XX, else the letter after '\'. */
static const char esc[128] = {
	'u','u','u','u','u','u','u','u','b','t','n','u','f','r','u','u',
	'u','u','u','u','u','u','u','u','u','u','u','u','u','u','u','u',
	0, 0, '"', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '\\', 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* No byte of s needs escaping. */
static int
plain_ascii(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80 || esc[c] != 0)
			return 0;
	}
	return 1;
}

/*
 * Does any of the eight bytes in w need a look: a control character, '"',
 * '\\' or a byte of a multi-byte sequence? (Bit tricks from "Bit
 * Twiddling Hacks": a byte is zero when (x - 1) & ~x has its high bit.)
 */
static inline int
word_needs_escape(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
	uint64_t q = w ^ (ones * '"'), bs = w ^ (ones * '\\');

	return ((w & high) | ((w - ones * 0x20) & ~w & high) |
	    ((q - ones) & ~q & high) | ((bs - ones) & ~bs & high)) != 0;
}

void
aiops_json_escape(struct aiops_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;

	aiops_buf_grow(b, n + 2);
	while (i < n) {
		unsigned char c;
		size_t clen;
		uint64_t w;

		if (i + 8 <= n) {
			memcpy(&w, p + i, 8);
			if (!word_needs_escape(w)) {
				i += 8;
				continue;
			}
		}
		c = p[i];
		if (c < 0x80 && esc[c] == 0) {
			i++;
			continue;
		}
		if (i > run)
			aiops_buf_add(b, s + run, i - run);
		if (c < 0x80) {
			char e[6] = { '\\', esc[c], '0', '0', hex[c >> 4], hex[c & 15] };

			aiops_buf_add(b, e, esc[c] == 'u' ? 6 : 2);
			run = ++i;
			continue;
		}
		clen = aiops_utf8_seqlen(p + i, n - i);
		if (clen == 0) {
			aiops_buf_add(b, "\xef\xbf\xbd", 3);
			run = ++i;
			continue;
		}
		aiops_buf_add(b, s + i, clen);
		run = i += clen;
	}
	if (i > run)
		aiops_buf_add(b, s + run, i - run);
}

size_t
aiops_json_fmt_double(char *buf, double v)
{
	int prec, n = 0;

	if (!isfinite(v)) {
		memcpy(buf, "null", 5);
		return 4;
	}
	/* Integers in the exactly representable range print without exponent. */
	if (v == floor(v) && fabs(v) < 1e15) {
		n = snprintf(buf, 32, "%.0f", v);
		return (size_t)n;
	}
	for (prec = 15; prec <= 17; prec++) {
		n = snprintf(buf, 32, "%.*g", prec, v);
		if (prec == 17 || strtod(buf, NULL) == v)
			break;
	}
	return (size_t)n;
}
