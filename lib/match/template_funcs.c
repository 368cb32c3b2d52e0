/*
 * template_funcs.c: the functions a template may call: Go's builtins
 * (text/template/funcs.go) and Alertmanager's (template/template.go
 * DefaultFuncs; humanizeDuration from prometheus/common
 * helpers/templates), plus sprig's default. Arguments arrive evaluated;
 * a wrong type is an error in Go's words, never a crash.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "compat.h"

#include <jansson.h>
#include <math.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/timeutil.h"
#include "core/utf8.h"
#include "match/template_int.h"

/* ---- argument helpers ---- */

static int
is_nil(const struct tpl_val *v)
{
	return v->k == V_INVALID || v->k == V_NIL || (v->k == V_JSON && json_is_null(v->j));
}

static int
want_args(struct tpl_exec *s, const char *fn, size_t argc, size_t want)
{
	if (argc != want)
		return tpl_fail(s, "wrong number of args for %s: want %zu got %zu", fn, want, argc);
	return 0;
}

/* A string argument (Go's validateType for a string parameter). */
static int
arg_str(struct tpl_exec *s, const struct tpl_val *v, const char **p, size_t *n)
{
	if (v->k == V_JSON && json_is_string(v->j)) {
		*p = json_string_value(v->j);
		*n = json_string_length(v->j);
		return 0;
	}
	if (v->k == V_INVALID || v->k == V_NIL)
		return tpl_fail(s, "invalid value; expected string");
	return tpl_fail(s, "wrong type for value; expected string; got %s", tpl_typename(v));
}

static struct tpl_val
val_bool(int b)
{
	return tpl_val_json(json_boolean(b));
}

static struct tpl_val
val_buf(struct aiops_buf *b)
{
	struct tpl_val v = tpl_val_str(b->data != NULL ? b->data : "", b->len);

	aiops_buf_release(b);
	return v;
}

static size_t max_output(struct tpl_exec *s);

/* ---- Go builtins ---- */

static int
fn_not(struct tpl_exec *s, struct tpl_val *argv, size_t argc, struct tpl_val *res)
{
	if (want_args(s, "not", argc, 1) < 0)
		return -1;
	*res = val_bool(!tpl_truth(&argv[0]));
	return 0;
}

static int
fn_len(struct tpl_exec *s, struct tpl_val *argv, size_t argc, struct tpl_val *res)
{
	json_t *j;

	if (want_args(s, "len", argc, 1) < 0)
		return -1;
	if (is_nil(&argv[0]))
		return tpl_fail(s, "error calling len: len of nil pointer");
	j = argv[0].j;
	if (argv[0].k == V_JSON) {
		if (json_is_string(j)) {
			*res = tpl_val_json(json_integer((json_int_t)json_string_length(j)));
			return 0;
		}
		if (json_is_array(j)) {
			*res = tpl_val_json(json_integer((json_int_t)json_array_size(j)));
			return 0;
		}
		if (json_is_object(j)) {
			*res = tpl_val_json(json_integer((json_int_t)json_object_size(j)));
			return 0;
		}
	}
	return tpl_fail(s, "error calling len: len of type %s", tpl_typename(&argv[0]));
}

/* Go: an object of strings only is Alertmanager's KV (map[string]string). */
static int
all_strings(json_t *obj)
{
	const char *k;
	json_t *v;

	json_object_foreach(obj, k, v)
		if (!json_is_string(v))
			return 0;
	return 1;
}

static int
fn_index(struct tpl_exec *s, struct tpl_val *argv, size_t argc, struct tpl_val *res)
{
	struct tpl_val item;
	size_t i;

	if (argc < 1)
		return tpl_fail(s, "wrong number of args for index: want at least 1 got 0");
	item = tpl_val_copy(&argv[0]);
	for (i = 1; i < argc; i++) {
		const struct tpl_val *ix = &argv[i];
		json_t *j = item.j, *next = NULL;

		if (is_nil(&item)) {
			tpl_val_free(&item);
			return tpl_fail(s, "error calling index: index of untyped nil");
		}
		if (item.k == V_JSON && (json_is_array(j) || json_is_string(j))) {
			long long x;
			size_t len = json_is_array(j) ? json_array_size(j) : json_string_length(j);

			if (ix->k != V_JSON || !json_is_integer(ix->j)) {
				tpl_val_free(&item);
				return tpl_fail(s, "error calling index: cannot index slice/array with type %s",
				    tpl_typename(ix));
			}
			x = (long long)json_integer_value(ix->j);
			if (x < 0 || (unsigned long long)x >= len) {
				tpl_val_free(&item);
				return tpl_fail(s, "error calling index: index out of range: %lld", x);
			}
			if (json_is_array(j)) {
				next = json_incref(json_array_get(j, (size_t)x));
			} else {
				/* a byte of the string, as Go's uint8 */
				next = json_integer((unsigned char)json_string_value(j)[x]);
			}
		} else if (item.k == V_JSON && json_is_object(j)) {
			if (ix->k != V_JSON || !json_is_string(ix->j)) {
				tpl_val_free(&item);
				return tpl_fail(s, "error calling index: value has type %s; should be string",
				    tpl_typename(ix));
			}
			next = json_object_get(j, json_string_value(ix->j));
			if (next != NULL) {
				json_incref(next);
			} else if (all_strings(j)) {
				next = json_string("");
			} else {
				tpl_val_free(&item);
				*res = item;	/* the zero interface: "<no value>" */
				continue;
			}
		} else {
			const char *tn = tpl_typename(&item);

			tpl_val_free(&item);
			return tpl_fail(s, "error calling index: can't index item of type %s", tn);
		}
		tpl_val_free(&item);
		item = tpl_val_json(next);
	}
	*res = item;
	return 0;
}

/* ---- comparison (funcs.go eq, lt) ---- */

enum kind { K_INVALID, K_BOOL, K_INT, K_FLOAT, K_STRING, K_TIME, K_OTHER };

static enum kind
basic_kind(const struct tpl_val *v)
{
	if (is_nil(v))
		return K_INVALID;
	if (v->k == V_DUR)
		return K_INT;
	if (v->k == V_TIME)
		return K_TIME;
	switch (json_typeof(v->j)) {
	case JSON_TRUE: case JSON_FALSE: return K_BOOL;
	case JSON_INTEGER: return K_INT;
	case JSON_REAL: return K_FLOAT;
	case JSON_STRING: return K_STRING;
	default: return K_OTHER;
	}
}

static long long
int_of(const struct tpl_val *v)
{
	return v->k == V_DUR ? (long long)v->ns : (long long)json_integer_value(v->j);
}

static int
str_cmp(const struct tpl_val *a, const struct tpl_val *b)
{
	size_t na = json_string_length(a->j), nb = json_string_length(b->j);
	int c = memcmp(json_string_value(a->j), json_string_value(b->j), na < nb ? na : nb);

	if (c != 0)
		return c;
	return na < nb ? -1 : na > nb;
}

/* eq a b: 1, 0, or -1 with the error set. */
static int
equal(struct tpl_exec *s, const char *fn, const struct tpl_val *a, const struct tpl_val *b)
{
	enum kind ka = basic_kind(a), kb = basic_kind(b);

	if (ka != kb) {
		if (ka != K_INVALID && kb != K_INVALID)
			return tpl_fail(s, "error calling %s: incompatible types for comparison", fn);
		return 0;
	}
	switch (ka) {
	case K_INVALID: return 1;
	case K_BOOL: return json_is_true(a->j) == json_is_true(b->j);
	case K_INT: return int_of(a) == int_of(b);
	case K_FLOAT: return json_real_value(a->j) == json_real_value(b->j);
	case K_STRING: return str_cmp(a, b) == 0;
	case K_TIME: return a->ns == b->ns && a->off == b->off;
	default:
		return tpl_fail(s, "error calling %s: non-comparable type %s", fn, tpl_typename(a));
	}
}

/* lt a b: 1, 0, or -1 with the error set. */
static int
less(struct tpl_exec *s, const char *fn, const struct tpl_val *a, const struct tpl_val *b)
{
	enum kind ka = basic_kind(a), kb = basic_kind(b);

	if (ka == K_INVALID || kb == K_INVALID || ka == K_BOOL || kb == K_BOOL ||
	    ka == K_OTHER || kb == K_OTHER || ka == K_TIME || kb == K_TIME)
		return tpl_fail(s, "error calling %s: invalid type for comparison", fn);
	if (ka != kb)
		return tpl_fail(s, "error calling %s: incompatible types for comparison", fn);
	switch (ka) {
	case K_INT: return int_of(a) < int_of(b);
	case K_FLOAT: return json_real_value(a->j) < json_real_value(b->j);
	default: return str_cmp(a, b) < 0;
	}
}

static int
fn_eq(struct tpl_exec *s, struct tpl_val *argv, size_t argc, struct tpl_val *res)
{
	size_t i;

	if (argc < 2)
		return tpl_fail(s, "error calling eq: missing argument for comparison");
	for (i = 1; i < argc; i++) {
		int e = equal(s, "eq", &argv[0], &argv[i]);

		if (e < 0)
			return -1;
		if (e) {
			*res = val_bool(1);
			return 0;
		}
	}
	*res = val_bool(0);
	return 0;
}

static int
fn_ne(struct tpl_exec *s, struct tpl_val *argv, size_t argc, struct tpl_val *res)
{
	int e;

	if (want_args(s, "ne", argc, 2) < 0 || (e = equal(s, "ne", &argv[0], &argv[1])) < 0)
		return -1;
	*res = val_bool(!e);
	return 0;
}

/* lt le gt ge through lt and eq, as funcs.go does. */
static int
compare(struct tpl_exec *s, const char *fn, struct tpl_val *argv, size_t argc,
    struct tpl_val *res, int want_less, int or_equal)
{
	int l, e = 0;

	if (want_args(s, fn, argc, 2) < 0 || (l = less(s, fn, &argv[0], &argv[1])) < 0)
		return -1;
	if (!l && (e = equal(s, fn, &argv[0], &argv[1])) < 0)
		return -1;
	/* lt: l; le: l||e; gt: !(l||e); ge: !l */
	if (want_less)
		*res = val_bool(or_equal ? (l || e) : l);
	else
		*res = val_bool(or_equal ? !l : !(l || e));
	return 0;
}

static int
fn_lt(struct tpl_exec *s, struct tpl_val *argv, size_t argc, struct tpl_val *res)
{
	return compare(s, "lt", argv, argc, res, 1, 0);
}

static int
fn_le(struct tpl_exec *s, struct tpl_val *argv, size_t argc, struct tpl_val *res)
{
	return compare(s, "le", argv, argc, res, 1, 1);
}

static int
fn_gt(struct tpl_exec *s, struct tpl_val *argv, size_t argc, struct tpl_val *res)
{
	return compare(s, "gt", argv, argc, res, 0, 0);
}

static int
fn_ge(struct tpl_exec *s, struct tpl_val *argv, size_t argc, struct tpl_val *res)
{
	return compare(s, "ge", argv, argc, res, 0, 1);
}

/* ---- printing ---- */

static int
fn_print(struct tpl_exec *s, struct tpl_val *argv, size_t argc, struct tpl_val *res)
{
	struct aiops_buf b = AIOPS_BUF_INIT;

	tpl_sprint(&b, argv, argc, 0);
	*res = val_buf(&b);
	return 0;
}

static int
fn_println(struct tpl_exec *s, struct tpl_val *argv, size_t argc, struct tpl_val *res)
{
	struct aiops_buf b = AIOPS_BUF_INIT;

	tpl_sprint(&b, argv, argc, 1);
	*res = val_buf(&b);
	return 0;
}

static int
fn_printf(struct tpl_exec *s, struct tpl_val *argv, size_t argc, struct tpl_val *res)
{
	struct aiops_buf b = AIOPS_BUF_INIT;
	const char *f;
	size_t n;

	if (argc < 1)
		return tpl_fail(s, "wrong number of args for printf: want at least 1 got 0");
	if (arg_str(s, &argv[0], &f, &n) < 0)
		return -1;
	tpl_sprintf(&b, f, n, argv + 1, argc - 1, max_output(s));
	*res = val_buf(&b);
	return 0;
}

/* funcs.go evalArgs: one string as is, else Sprint with "<no value>" for nothing. */
static void
eval_args_text(struct tpl_val *argv, size_t argc, struct aiops_buf *b)
{
	size_t i;

	if (argc == 1 && argv[0].k == V_JSON && json_is_string(argv[0].j)) {
		aiops_buf_add(b, json_string_value(argv[0].j), json_string_length(argv[0].j));
		return;
	}
	for (i = 0; i < argc; i++)
		if (argv[i].k == V_INVALID || argv[i].k == V_NIL) {
			tpl_val_free(&argv[i]);
			argv[i] = tpl_val_str("<no value>", 10);
		}
	tpl_sprint(b, argv, argc, 0);
}

static int
fn_html(struct tpl_exec *s, struct tpl_val *argv, size_t argc, struct tpl_val *res)
{
	struct aiops_buf in = AIOPS_BUF_INIT, out = AIOPS_BUF_INIT;

	eval_args_text(argv, argc, &in);
	aiops_tpl_escape(AIOPS_TPL_ESC_HTML, in.data != NULL ? in.data : "", in.len, &out);
	aiops_buf_release(&in);
	*res = val_buf(&out);
	return 0;
}

/* Runes Go's unicode.IsPrint refuses, among the ones JSEscape meets. */
static int
nonprint_rune(unsigned long r)
{
	return r < 0xa0 || r == 0xad || (r >= 0x2000 && r <= 0x200f) || (r >= 0x2028 && r <= 0x202f) ||
	    (r >= 0x205f && r <= 0x206f) || r == 0xfeff || r == 0x3000 || r == 0xa0 ||
	    (r >= 0xfff9 && r <= 0xfffb);
}

static unsigned long
decode_rune(const char *s, size_t l)
{
	unsigned long r = (unsigned char)s[0] & (0xff >> (l + 1));
	size_t k;

	if (l == 1)
		return (unsigned char)s[0];
	for (k = 1; k < l; k++)
		r = (r << 6) | ((unsigned char)s[k] & 0x3f);
	return r;
}

/* template.JSEscape (Go 1.19). */
static int
fn_js(struct tpl_exec *s, struct tpl_val *argv, size_t argc, struct tpl_val *res)
{
	struct aiops_buf in = AIOPS_BUF_INIT, out = AIOPS_BUF_INIT;
	size_t i = 0;

	eval_args_text(argv, argc, &in);
	while (i < in.len) {
		unsigned char c = (unsigned char)in.data[i];

		if (c >= 0x80) {
			size_t l = aiops_utf8_seqlen((const unsigned char *)in.data + i, in.len - i);

			if (l == 0) {	/* RuneError is printable: the byte goes as it is */
				aiops_buf_addc(&out, (char)c);
				i++;
				continue;
			}
			if (nonprint_rune(decode_rune(in.data + i, l)))
				aiops_buf_addf(&out, "\\u%04lX", decode_rune(in.data + i, l));
			else
				aiops_buf_add(&out, in.data + i, l);
			i += l;
			continue;
		}
		switch (c) {
		case '\\': aiops_buf_addstr(&out, "\\\\"); break;
		case '\'': aiops_buf_addstr(&out, "\\'"); break;
		case '"': aiops_buf_addstr(&out, "\\\""); break;
		case '<': aiops_buf_addstr(&out, "\\u003C"); break;
		case '>': aiops_buf_addstr(&out, "\\u003E"); break;
		case '&': aiops_buf_addstr(&out, "\\u0026"); break;
		case '=': aiops_buf_addstr(&out, "\\u003D"); break;
		default:
			if (c < ' ')
				aiops_buf_addf(&out, "\\u%04X", c);
			else
				aiops_buf_addc(&out, (char)c);
		}
		i++;
	}
	aiops_buf_release(&in);
	*res = val_buf(&out);
	return 0;
}

/* url.QueryEscape. */
static int
fn_urlquery(struct tpl_exec *s, struct tpl_val *argv, size_t argc, struct tpl_val *res)
{
	struct aiops_buf in = AIOPS_BUF_INIT, out = AIOPS_BUF_INIT;
	size_t i;

	eval_args_text(argv, argc, &in);
	for (i = 0; i < in.len; i++) {
		unsigned char c = (unsigned char)in.data[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~')
			aiops_buf_addc(&out, (char)c);
		else if (c == ' ')
			aiops_buf_addc(&out, '+');
		else
			aiops_buf_addf(&out, "%%%02X", c);
	}
	aiops_buf_release(&in);
	*res = val_buf(&out);
	return 0;
}

/* ---- Alertmanager's strings ---- */

/* Simple case mapping for ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic. */
static unsigned long
map_case(unsigned long r, int upper)
{
	if (upper) {
		if (r >= 'a' && r <= 'z')
			return r - 32;
		if ((r >= 0xe0 && r <= 0xfe && r != 0xf7))
			return r - 32;
		if (r == 0xff)
			return 0x178;
		if (r >= 0x100 && r <= 0x17f && r != 0x130 && r != 0x131 && r != 0x138 &&
		    r != 0x149 && r != 0x17f) {
			int odd_upper = (r >= 0x139 && r <= 0x148) || (r >= 0x179 && r <= 0x17e);

			if (odd_upper ? (r % 2 == 0) : (r % 2 == 1))
				return r - 1;
			return r;
		}
		if (r >= 0x3b1 && r <= 0x3c9 && r != 0x3c2)
			return r - 32;
		if (r == 0x3c2)
			return 0x3a3;
		if (r >= 0x430 && r <= 0x44f)
			return r - 32;
		if (r >= 0x450 && r <= 0x45f)
			return r - 80;
		return r;
	}
	if (r >= 'A' && r <= 'Z')
		return r + 32;
	if (r >= 0xc0 && r <= 0xde && r != 0xd7)
		return r + 32;
	if (r == 0x178)
		return 0xff;
	if (r >= 0x100 && r <= 0x17f && r != 0x130 && r != 0x131 && r != 0x138 &&
	    r != 0x149 && r != 0x17f) {
		int odd_upper = (r >= 0x139 && r <= 0x148) || (r >= 0x179 && r <= 0x17e);

		if (odd_upper ? (r % 2 == 1) : (r % 2 == 0))
			return r + 1;
		return r;
	}
	if (r >= 0x391 && r <= 0x3a9 && r != 0x3a2)
		return r + 32;
	if (r >= 0x410 && r <= 0x42f)
		return r + 32;
	if (r >= 0x400 && r <= 0x40f)
		return r + 80;
	return r;
}

static void
put_rune(struct aiops_buf *b, unsigned long r)
{
	char u[4];
	size_t k = 0;

	if (r < 0x80) {
		u[k++] = (char)r;
	} else if (r < 0x800) {
		u[k++] = (char)(0xc0 | (r >> 6));
		u[k++] = (char)(0x80 | (r & 0x3f));
	} else if (r < 0x10000) {
		u[k++] = (char)(0xe0 | (r >> 12));
		u[k++] = (char)(0x80 | ((r >> 6) & 0x3f));
		u[k++] = (char)(0x80 | (r & 0x3f));
	} else {
		u[k++] = (char)(0xf0 | (r >> 18));
		u[k++] = (char)(0x80 | ((r >> 12) & 0x3f));
		u[k++] = (char)(0x80 | ((r >> 6) & 0x3f));
		u[k++] = (char)(0x80 | (r & 0x3f));
	}
	aiops_buf_add(b, u, k);
}

static int
is_word_rune(unsigned long r)
{
	return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') ||
	    r == '\'' || r == 0x2019 || r >= 0xc0;
}

/* mode: 'U' upper, 'L' lower, 'T' title (first letter of each word, rest kept). */
static int
case_map(struct tpl_exec *s, const char *fn, struct tpl_val *argv, size_t argc,
    struct tpl_val *res, int mode)
{
	struct aiops_buf b = AIOPS_BUF_INIT;
	const char *p;
	size_t n, i = 0;
	int in_word = 0;

	if (want_args(s, fn, argc, 1) < 0 || arg_str(s, &argv[0], &p, &n) < 0)
		return -1;
	while (i < n) {
		size_t l = aiops_utf8_seqlen((const unsigned char *)p + i, n - i);
		unsigned long r;

		if (l == 0) {	/* Go writes U+FFFD for a bad byte */
			put_rune(&b, 0xfffd);
			i++;
			in_word = 0;
			continue;
		}
		r = decode_rune(p + i, l);
		if (mode == 'T') {
			unsigned long m = in_word ? r : map_case(r, 1);

			in_word = is_word_rune(r);
			put_rune(&b, m);
		} else {
			put_rune(&b, map_case(r, mode == 'U'));
		}
		i += l;
	}
	*res = val_buf(&b);
	return 0;
}

static int
fn_toUpper(struct tpl_exec *s, struct tpl_val *argv, size_t argc, struct tpl_val *res)
{
	return case_map(s, "toUpper", argv, argc, res, 'U');
}

static int
fn_toLower(struct tpl_exec *s, struct tpl_val *argv, size_t argc, struct tpl_val *res)
{
	return case_map(s, "toLower", argv, argc, res, 'L');
}

static int
fn_title(struct tpl_exec *s, struct tpl_val *argv, size_t argc, struct tpl_val *res)
{
	return case_map(s, "title", argv, argc, res, 'T');
}

/* Bytes of the Unicode white space rune at p, or 0 (unicode.IsSpace). */
static size_t
space_at(const char *p, size_t n)
{
	size_t l = aiops_utf8_seqlen((const unsigned char *)p, n);
	unsigned long r;

	if (l == 0)
		return 0;
	r = decode_rune(p, l);
	if (r == ' ' || (r >= '\t' && r <= '\r') || r == 0x85 || r == 0xa0 || r == 0x1680 ||
	    (r >= 0x2000 && r <= 0x200a) || r == 0x2028 || r == 0x2029 || r == 0x202f ||
	    r == 0x205f || r == 0x3000)
		return l;
	return 0;
}

static int
fn_trimSpace(struct tpl_exec *s, struct tpl_val *argv, size_t argc, struct tpl_val *res)
{
	const char *p;
	size_t n, l, start = 0, end;

	if (want_args(s, "trimSpace", argc, 1) < 0 || arg_str(s, &argv[0], &p, &n) < 0)
		return -1;
	while (start < n && (l = space_at(p + start, n - start)) > 0)
		start += l;
	end = n;
	while (end > start) {
		size_t k = end - 1, back = 1;

		/* step back to the start of the last rune */
		while (k > start && back < 4 && ((unsigned char)p[k] & 0xc0) == 0x80) {
			k--;
			back++;
		}
		if (space_at(p + k, end - k) != end - k)
			break;
		end = k;
	}
	*res = tpl_val_str(p + start, end - start);
	return 0;
}

/* A []string: a JSON array whose elements are all strings. */
static int
arg_strings(struct tpl_exec *s, const struct tpl_val *v)
{
	size_t i;

	if (v->k == V_JSON && json_is_array(v->j)) {
		for (i = 0; i < json_array_size(v->j); i++)
			if (!json_is_string(json_array_get(v->j, i)))
				break;
		if (i == json_array_size(v->j))
			return 0;
	}
	if (v->k == V_INVALID || v->k == V_NIL)
		return 0;	/* a nil []string joins to "" */
	return tpl_fail(s, "wrong type for value; expected []string; got %s", tpl_typename(v));
}

static size_t
max_output(struct tpl_exec *s)
{
	const struct aiops_tpl_env *env = tpl_env(s);

	return env->max_output ? env->max_output : AIOPS_TPL_MAX_OUTPUT;
}

static int
fn_join(struct tpl_exec *s, struct tpl_val *argv, size_t argc, struct tpl_val *res)
{
	struct aiops_buf b = AIOPS_BUF_INIT;
	const char *sep;
	size_t n, i;

	if (want_args(s, "join", argc, 2) < 0 || arg_str(s, &argv[0], &sep, &n) < 0 ||
	    arg_strings(s, &argv[1]) < 0)
		return -1;
	if (argv[1].k == V_JSON)
		for (i = 0; i < json_array_size(argv[1].j); i++) {
			json_t *e = json_array_get(argv[1].j, i);

			if (i > 0)
				aiops_buf_add(&b, sep, n);
			aiops_buf_add(&b, json_string_value(e), json_string_length(e));
			if (b.len > max_output(s)) {
				aiops_buf_release(&b);
				return tpl_fail(s, "value exceeds the output limit of %zu bytes",
				    max_output(s));
			}
		}
	*res = val_buf(&b);
	return 0;
}

static int
fn_safeHtml(struct tpl_exec *s, struct tpl_val *argv, size_t argc, struct tpl_val *res)
{
	const char *p;
	size_t n;

	if (want_args(s, "safeHtml", argc, 1) < 0 || arg_str(s, &argv[0], &p, &n) < 0)
		return -1;
	*res = tpl_val_str(p, n);
	res->safe = 1;
	return 0;
}

static int
fn_stringSlice(struct tpl_exec *s, struct tpl_val *argv, size_t argc, struct tpl_val *res)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < argc; i++) {
		const char *p;
		size_t n;

		if (arg_str(s, &argv[i], &p, &n) < 0) {
			json_decref(arr);
			return -1;
		}
		json_array_append_new(arr, json_stringn_nocheck(p, n));
	}
	*res = tpl_val_json(arr);
	res->strslice = 1;
	return 0;
}

/* ---- regular expressions (PCRE2 standing in for Go's RE2) ---- */

static pcre2_code *
compile_re(struct tpl_exec *s, const char *fn, const char *pat, size_t n)
{
	pcre2_code *re;
	int errcode;
	PCRE2_SIZE off;

	/* RE2's $ is the end of text only; \C would split runes */
	re = pcre2_compile((PCRE2_SPTR)pat, n, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF |
	    PCRE2_DOLLAR_ENDONLY | PCRE2_NEVER_BACKSLASH_C, &errcode, &off, NULL);
	if (re == NULL) {
		PCRE2_UCHAR msg[128];

		pcre2_get_error_message(errcode, msg, sizeof(msg));
		tpl_fail(s, "error calling %s: error parsing regexp: %s at offset %zu", fn,
		    (const char *)msg, (size_t)off);
	}
	return re;
}

/* A match context bounding backtracking: RE2 is linear, PCRE2 is not. */
static pcre2_match_context *
match_ctx(void)
{
	pcre2_match_context *mc = pcre2_match_context_create(NULL);

	if (mc != NULL) {
		pcre2_set_match_limit(mc, 1000000);
		pcre2_set_depth_limit(mc, 10000);
	}
	return mc;
}

static int
match_error(struct tpl_exec *s, const char *fn, int rc)
{
	PCRE2_UCHAR msg[128];

	pcre2_get_error_message(rc, msg, sizeof(msg));
	return tpl_fail(s, "error calling %s: %s", fn, (const char *)msg);
}

static int
fn_match(struct tpl_exec *s, struct tpl_val *argv, size_t argc, struct tpl_val *res)
{
	const char *pat, *text;
	size_t np, nt;
	pcre2_code *re;
	pcre2_match_data *md;
	pcre2_match_context *mc;
	int rc;

	if (want_args(s, "match", argc, 2) < 0 || arg_str(s, &argv[0], &pat, &np) < 0 ||
	    arg_str(s, &argv[1], &text, &nt) < 0)
		return -1;
	if ((re = compile_re(s, "match", pat, np)) == NULL)
		return -1;
	md = pcre2_match_data_create_from_pattern(re, NULL);
	mc = match_ctx();
	rc = pcre2_match(re, (PCRE2_SPTR)text, nt, 0, 0, md, mc);
	pcre2_match_context_free(mc);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	if (rc < 0 && rc != PCRE2_ERROR_NOMATCH)
		return match_error(s, "match", rc);
	*res = val_bool(rc >= 0);
	return 0;
}

/* regexp.Expand: $1 ${1} $name ${name} $$ (the longest name: $1x is ${1x}). */
static void
expand(struct aiops_buf *b, const char *repl, size_t rn, const pcre2_code *re,
    const char *text, const PCRE2_SIZE *ov, int groups)
{
	size_t i = 0;

	while (i < rn) {
		size_t start, end, k;
		char name[64];
		int num = -1;

		if (repl[i] != '$' || i + 1 >= rn) {
			aiops_buf_addc(b, repl[i++]);
			continue;
		}
		if (repl[i + 1] == '$') {
			aiops_buf_addc(b, '$');
			i += 2;
			continue;
		}
		if (repl[i + 1] == '{') {
			start = i + 2;
			for (end = start; end < rn && is_word_rune((unsigned char)repl[end]) &&
			    repl[end] != '\'' && (unsigned char)repl[end] < 0x80; end++)
				;
			if (end == start || end >= rn || repl[end] != '}') {
				aiops_buf_addc(b, repl[i++]);	/* malformed: $ as text */
				continue;
			}
			k = end + 1;
		} else {
			start = i + 1;
			for (end = start; end < rn && is_word_rune((unsigned char)repl[end]) &&
			    repl[end] != '\'' && (unsigned char)repl[end] < 0x80; end++)
				;
			if (end == start) {
				aiops_buf_addc(b, repl[i++]);
				continue;
			}
			k = end;
		}
		if (end - start < sizeof(name)) {
			size_t j;

			memcpy(name, repl + start, end - start);
			name[end - start] = '\0';
			for (j = 0; name[j] >= '0' && name[j] <= '9'; j++)
				;
			if (name[j] == '\0') {
				num = j > 9 ? -1 : atoi(name);
			} else {
				num = pcre2_substring_number_from_name(re, (PCRE2_SPTR)name);
			}
		}
		if (num >= 0 && num < groups && ov[2 * num] != PCRE2_UNSET)
			aiops_buf_add(b, text + ov[2 * num], ov[2 * num + 1] - ov[2 * num]);
		i = k;
	}
}

/* regexp.ReplaceAllString, with Go's rules for empty matches. */
static int
fn_reReplaceAll(struct tpl_exec *s, struct tpl_val *argv, size_t argc, struct tpl_val *res)
{
	const char *pat, *repl, *text;
	size_t np, nr, nt, last = 0, pos = 0;
	struct aiops_buf b = AIOPS_BUF_INIT;
	pcre2_code *re;
	pcre2_match_data *md;
	pcre2_match_context *mc;
	int rc = 0, failed = 0;

	if (want_args(s, "reReplaceAll", argc, 3) < 0 || arg_str(s, &argv[0], &pat, &np) < 0 ||
	    arg_str(s, &argv[1], &repl, &nr) < 0 || arg_str(s, &argv[2], &text, &nt) < 0)
		return -1;
	if ((re = compile_re(s, "reReplaceAll", pat, np)) == NULL)
		return -1;
	md = pcre2_match_data_create_from_pattern(re, NULL);
	mc = match_ctx();
	while (pos <= nt) {
		PCRE2_SIZE *ov;
		size_t width;

		if (tpl_step(s) < 0) {
			failed = 1;
			break;
		}
		rc = pcre2_match(re, (PCRE2_SPTR)text, nt, pos, 0, md, mc);
		if (rc < 0)
			break;
		ov = pcre2_get_ovector_pointer(md);
		if (ov[0] > ov[1] || ov[0] < pos) {	/* \K can do that; RE2 has no \K */
			rc = PCRE2_ERROR_NOMATCH;
			break;
		}
		aiops_buf_add(&b, text + last, ov[0] - last);
		if (ov[1] > last || ov[0] == 0)
			expand(&b, repl, nr, re, text, ov, rc);
		last = ov[1];
		width = pos < nt ? aiops_utf8_seqlen((const unsigned char *)text + pos, nt - pos) : 0;
		if (width == 0)
			width = 1;
		if (pos + width > ov[1])
			pos += width;
		else
			pos = ov[1];
		if (b.len > max_output(s)) {
			tpl_fail(s, "value exceeds the output limit of %zu bytes", max_output(s));
			failed = 1;
			break;
		}
	}
	pcre2_match_context_free(mc);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	if (!failed && rc < 0 && rc != PCRE2_ERROR_NOMATCH) {
		match_error(s, "reReplaceAll", rc);
		failed = 1;
	}
	if (failed) {
		aiops_buf_release(&b);
		return -1;
	}
	if (last < nt)
		aiops_buf_add(&b, text + last, nt - last);
	*res = val_buf(&b);
	return 0;
}

/* ---- time ---- */

/* A time.Time from a time value or an RFC 3339 string, in the render's zone. */
static int
arg_time(struct tpl_exec *s, const char *fn, const struct tpl_val *v, struct tpl_val *t)
{
	const struct aiops_tpl_env *env = tpl_env(s);
	int64_t ns;

	if (v->k == V_TIME) {
		*t = *v;
		t->j = NULL;
		return 0;
	}
	if (v->k != V_JSON || !json_is_string(v->j))
		return tpl_fail(s, "wrong type for value; expected time.Time; got %s", tpl_typename(v));
	if (aiops_time_parse_rfc3339(json_string_value(v->j), json_string_length(v->j), &ns) < 0)
		return tpl_fail(s, "error calling %s: cannot parse \"%.40s\" as RFC 3339 time", fn,
		    json_string_value(v->j));
	memset(t, 0, sizeof(*t));
	t->k = V_TIME;
	t->ns = ns;
	if (tpl_zone_at(env->tz, ns / AIOPS_NS_PER_SEC - (ns < 0 && ns % AIOPS_NS_PER_SEC != 0),
	    &t->off, t->zone, sizeof(t->zone)) < 0)
		return tpl_fail(s, "error calling %s: unknown time zone %s", fn, env->tz);
	return 0;
}

static int
fn_date(struct tpl_exec *s, struct tpl_val *argv, size_t argc, struct tpl_val *res)
{
	struct aiops_buf b = AIOPS_BUF_INIT;
	struct tpl_val t;
	const char *layout;
	size_t n;

	if (want_args(s, "date", argc, 2) < 0 || arg_str(s, &argv[0], &layout, &n) < 0 ||
	    arg_time(s, "date", &argv[1], &t) < 0)
		return -1;
	tpl_fmt_time(&b, &t, layout, n);
	*res = val_buf(&b);
	return 0;
}

static int
fn_tz(struct tpl_exec *s, struct tpl_val *argv, size_t argc, struct tpl_val *res)
{
	const char *name;
	size_t n;
	struct tpl_val t;

	if (want_args(s, "tz", argc, 2) < 0 || arg_str(s, &argv[0], &name, &n) < 0 ||
	    arg_time(s, "tz", &argv[1], &t) < 0)
		return -1;
	if (strlen(name) != n ||
	    tpl_zone_at(strcmp(name, "Local") == 0 ? tpl_env(s)->tz : name,
	    t.ns / AIOPS_NS_PER_SEC - (t.ns < 0 && t.ns % AIOPS_NS_PER_SEC != 0), &t.off,
	    t.zone, sizeof(t.zone)) < 0)
		return tpl_fail(s, "error calling tz: unknown time zone %.64s", name);
	*res = t;
	return 0;
}

static int
fn_since(struct tpl_exec *s, struct tpl_val *argv, size_t argc, struct tpl_val *res)
{
	struct tpl_val t;

	if (want_args(s, "since", argc, 1) < 0 || arg_time(s, "since", &argv[0], &t) < 0)
		return -1;
	memset(res, 0, sizeof(*res));
	res->k = V_DUR;
	res->ns = tpl_env(s)->now_ns - t.ns;
	return 0;
}

/* prometheus/common helpers/templates HumanizeDuration. */
static int
fn_humanizeDuration(struct tpl_exec *s, struct tpl_val *argv, size_t argc, struct tpl_val *res)
{
	struct aiops_buf b = AIOPS_BUF_INIT;
	static const char *const prefixes[] = { "m", "u", "n", "p", "f", "a", "z", "y" };
	const struct tpl_val *a;
	const char *prefix = "";
	double v;
	size_t i;

	if (want_args(s, "humanizeDuration", argc, 1) < 0)
		return -1;
	a = &argv[0];
	if (a->k == V_DUR) {
		v = (double)a->ns / 1e9;
	} else if (a->k == V_JSON && json_is_number(a->j)) {
		v = json_number_value(a->j);
	} else if (a->k == V_JSON && json_is_string(a->j)) {
		char *end;
		const char *p = json_string_value(a->j);

		v = strtod(p, &end);
		if (end == p || *end != '\0')
			return tpl_fail(s, "error calling humanizeDuration: strconv.ParseFloat: "
			    "parsing \"%.40s\": invalid syntax", p);
	} else {
		return tpl_fail(s, "error calling humanizeDuration: can't convert %s to float",
		    tpl_typename(a));
	}
	if (isnan(v) || isinf(v)) {
		tpl_fmt_float(&b, v, 'g', 4);
	} else if (v == 0) {
		aiops_buf_addstr(&b, "0s");
	} else if (fabs(v) >= 1) {
		const char *sign = v < 0 ? "-" : "";
		long long d, sec, min, hrs, days;

		v = fabs(v);
		d = v >= 9.2e18 ? (long long)9.2e18 : (long long)v;
		sec = d % 60;
		min = (d / 60) % 60;
		hrs = (d / 3600) % 24;
		days = d / 86400;
		if (days != 0)
			aiops_buf_addf(&b, "%s%lldd %lldh %lldm %llds", sign, days, hrs, min, sec);
		else if (hrs != 0)
			aiops_buf_addf(&b, "%s%lldh %lldm %llds", sign, hrs, min, sec);
		else if (min != 0)
			aiops_buf_addf(&b, "%s%lldm %llds", sign, min, sec);
		else
			aiops_buf_addf(&b, "%s%.4gs", sign, v);
	} else {
		for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
			if (fabs(v) >= 1)
				break;
			prefix = prefixes[i];
			v *= 1000;
		}
		aiops_buf_addf(&b, "%.4g%ss", v, prefix);
	}
	*res = val_buf(&b);
	return 0;
}

/* sprig's default: the given value unless it is empty, then the default. */
static int
fn_default(struct tpl_exec *s, struct tpl_val *argv, size_t argc, struct tpl_val *res)
{
	if (argc < 1)
		return tpl_fail(s, "wrong number of args for default: want at least 1 got 0");
	if (argc >= 2 && tpl_truth(&argv[1]))
		*res = tpl_val_copy(&argv[1]);
	else
		*res = tpl_val_copy(&argv[0]);
	return 0;
}

/* Few enough to look up one by one, at parse time only. */
static const struct tpl_func funcs[] = {
	{ "and", NULL, FN_AND },
	{ "date", fn_date, 0 },
	{ "default", fn_default, 0 },
	{ "eq", fn_eq, 0 },
	{ "ge", fn_ge, 0 },
	{ "gt", fn_gt, 0 },
	{ "html", fn_html, 0 },
	{ "humanizeDuration", fn_humanizeDuration, 0 },
	{ "index", fn_index, 0 },
	{ "join", fn_join, 0 },
	{ "js", fn_js, 0 },
	{ "le", fn_le, 0 },
	{ "len", fn_len, 0 },
	{ "lt", fn_lt, 0 },
	{ "match", fn_match, 0 },
	{ "ne", fn_ne, 0 },
	{ "not", fn_not, 0 },
	{ "or", NULL, FN_OR },
	{ "print", fn_print, 0 },
	{ "printf", fn_printf, 0 },
	{ "println", fn_println, 0 },
	{ "reReplaceAll", fn_reReplaceAll, 0 },
	{ "safeHtml", fn_safeHtml, 0 },
	{ "since", fn_since, 0 },
	{ "stringSlice", fn_stringSlice, 0 },
	{ "title", fn_title, 0 },
	{ "toLower", fn_toLower, 0 },
	{ "toUpper", fn_toUpper, 0 },
	{ "trimSpace", fn_trimSpace, 0 },
	{ "tz", fn_tz, 0 },
	{ "urlquery", fn_urlquery, 0 },
};

const struct tpl_func *
tpl_func_lookup(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++)
		if (strlen(funcs[i].name) == n && memcmp(funcs[i].name, name, n) == 0)
			return &funcs[i];
	return NULL;
}
