/*
 * template_fmt.c: how Go writes values, for the template's output: fmt's
 * %v (print.go printValue), Sprint's spacing, Printf's verbs and its
 * "%!verb(type=value)" complaints (fmt/print.go, fmt/format.go), shortest
 * floats (strconv.FormatFloat), time.Duration.String and time.Format with
 * the reference time (time/format.go), and a zone's offset at an instant.
 */
#include "compat.h"

#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/timeutil.h"
#include "core/utf8.h"
#include "match/template_int.h"

const char *
tpl_typename(const struct tpl_val *v)
{
	switch (v->k) {
	case V_INVALID:
	case V_NIL:
		return "<nil>";
	case V_TIME:
		return "time.Time";
	case V_DUR:
		return "time.Duration";
	case V_JSON:
		break;
	}
	switch (json_typeof(v->j)) {
	case JSON_OBJECT: return "map[string]interface {}";
	case JSON_ARRAY: return v->strslice ? "[]string" : "[]interface {}";
	case JSON_STRING: return v->safe ? "template.HTML" : "string";
	case JSON_INTEGER: return "int";
	case JSON_REAL: return "float64";
	case JSON_TRUE:
	case JSON_FALSE: return "bool";
	default: return "<nil>";
	}
}

/* ---- floats ---- */

/*
 * The shortest decimal digits that read back as f (what Go's strconv
 * finds with Ryu): digits without the point, and the exponent of the
 * first digit. Tries 1 to 17 significant digits.
 */
static void
shortest_digits(double f, char *digits, int *exp10)
{
	char buf[40];
	int prec;

	for (prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*e", prec - 1, f);
		if (strtod(buf, NULL) == f)
			break;
	}
	{
		char *e = strchr(buf, 'e');
		size_t k = 0;
		const char *p;

		*exp10 = atoi(e + 1);
		for (p = buf; p < e; p++)
			if (*p >= '0' && *p <= '9')
				digits[k++] = *p;
		while (k > 1 && digits[k - 1] == '0')
			k--;
		digits[k] = '\0';
	}
}

/* strconv %e / %f of given digits (exp10 of the first), as Go writes them. */
static void
put_exp_form(struct aiops_buf *b, const char *d, int exp10, int upper)
{
	size_t nd = strlen(d);

	aiops_buf_addc(b, d[0]);
	if (nd > 1) {
		aiops_buf_addc(b, '.');
		aiops_buf_add(b, d + 1, nd - 1);
	}
	aiops_buf_addf(b, "%c%c%02d", upper ? 'E' : 'e', exp10 < 0 ? '-' : '+',
	    exp10 < 0 ? -exp10 : exp10);
}

static void
put_fixed_form(struct aiops_buf *b, const char *d, int exp10)
{
	int nd = (int)strlen(d), dp = exp10 + 1, i;

	if (dp <= 0) {
		aiops_buf_addstr(b, "0.");
		for (i = 0; i < -dp; i++)
			aiops_buf_addc(b, '0');
		aiops_buf_addstr(b, d);
		return;
	}
	for (i = 0; i < dp; i++)
		aiops_buf_addc(b, i < nd ? d[i] : '0');
	if (nd > dp) {
		aiops_buf_addc(b, '.');
		aiops_buf_addstr(b, d + dp);
	}
}

/* verb 'g' (or 'G') with prec -1: Go's shortest %v; otherwise C's printf does. */
void
tpl_fmt_float(struct aiops_buf *b, double f, int verb, int prec)
{
	char digits[32];
	int exp10;

	if (isnan(f)) {
		aiops_buf_addstr(b, "NaN");
		return;
	}
	if (isinf(f)) {
		aiops_buf_addstr(b, f > 0 ? "+Inf" : "-Inf");
		return;
	}
	if ((verb == 'g' || verb == 'G') && prec < 0) {
		if (signbit(f))
			aiops_buf_addc(b, '-');
		if (f == 0) {
			aiops_buf_addc(b, '0');
			return;
		}
		shortest_digits(fabs(f), digits, &exp10);
		/* strconv: %e when the exponent is < -4 or >= 6 for the shortest form */
		if (exp10 < -4 || exp10 >= 6)
			put_exp_form(b, digits, exp10, verb == 'G');
		else
			put_fixed_form(b, digits, exp10);
		return;
	}
	{
		char fmt[8];

		snprintf(fmt, sizeof(fmt), "%%.*%c", verb);
		aiops_buf_addf(b, fmt, prec < 0 ? 6 : prec, f);
	}
}

/* ---- %v ---- */

static void print_verb(struct aiops_buf *b, const struct tpl_val *v, int verb, int depth);

static void
print_json_verb(struct aiops_buf *b, json_t *j, int verb, int depth)
{
	struct tpl_val e;

	memset(&e, 0, sizeof(e));
	e.k = V_JSON;
	e.j = j;
	print_verb(b, &e, verb, depth);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Go's fmt of a []interface{} or map[string]interface{}: the verb applies to elements. */
static void
print_container(struct aiops_buf *b, json_t *j, int verb, int depth)
{
	size_t i, n;

	if (json_is_array(j)) {
		aiops_buf_addc(b, '[');
		for (i = 0; i < json_array_size(j); i++) {
			if (i > 0)
				aiops_buf_addc(b, ' ');
			print_json_verb(b, json_array_get(j, i), verb, depth + 1);
		}
		aiops_buf_addc(b, ']');
		return;
	}
	{
		const char **keys, *k;
		json_t *v;

		n = json_object_size(j);
		keys = calloc(n + 1, sizeof(*keys));
		if (keys == NULL)
			return;
		i = 0;
		json_object_foreach(j, k, v)
			keys[i++] = k;
		qsort(keys, n, sizeof(*keys), cmp_str);
		aiops_buf_addstr(b, "map[");
		for (i = 0; i < n; i++) {
			json_t *ks = json_string_nocheck(keys[i]);

			if (i > 0)
				aiops_buf_addc(b, ' ');
			print_json_verb(b, ks, verb, depth + 1);
			json_decref(ks);
			aiops_buf_addc(b, ':');
			print_json_verb(b, json_object_get(j, keys[i]), verb, depth + 1);
		}
		aiops_buf_addc(b, ']');
		free(keys);
	}
}

void
tpl_fmt_duration(struct aiops_buf *b, int64_t d)
{
	uint64_t u = d < 0 ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;
	char buf[40];
	int w = sizeof(buf), prec, i, print;

	/* time.Duration.String, written backwards as Go does */
	buf[--w] = 's';
	if (u == 0) {
		aiops_buf_addstr(b, "0s");
		return;
	}
	if (u < 1000000000ULL) {
		if (u < 1000) {
			prec = 0;
			buf[--w] = 'n';
		} else if (u < 1000000) {
			prec = 3;
			w -= 2;
			memcpy(buf + w, "\xc2\xb5", 2);
		} else {
			prec = 6;
			buf[--w] = 'm';
		}
	} else {
		prec = 9;
	}
	print = 0;
	for (i = 0; i < prec; i++) {
		int digit = (int)(u % 10);

		print = print || digit != 0;
		if (print)
			buf[--w] = (char)('0' + digit);
		u /= 10;
	}
	if (print)
		buf[--w] = '.';
	if (prec == 9) {
		uint64_t sec = u % 60, min;

		do {
			buf[--w] = (char)('0' + sec % 10);
			sec /= 10;
		} while (sec > 0);
		u /= 60;
		if (u > 0) {
			min = u % 60;
			buf[--w] = 'm';
			do {
				buf[--w] = (char)('0' + min % 10);
				min /= 10;
			} while (min > 0);
			u /= 60;
			if (u > 0) {
				buf[--w] = 'h';
				do {
					buf[--w] = (char)('0' + u % 10);
					u /= 10;
				} while (u > 0);
			}
		}
	} else {
		do {
			buf[--w] = (char)('0' + u % 10);
			u /= 10;
		} while (u > 0);
	}
	if (d < 0)
		buf[--w] = '-';
	aiops_buf_add(b, buf + w, sizeof(buf) - (size_t)w);
}

static const char time_string_layout[] = "2006-01-02 15:04:05.999999999 -0700 MST";

/* fmt's %v of one value; depth > 0 inside a container (Go prints nil there as <nil>). */
static void
print_verb(struct aiops_buf *b, const struct tpl_val *v, int verb, int depth)
{
	json_t *j = v->j;

	switch (v->k) {
	case V_INVALID:
	case V_NIL:
		aiops_buf_addstr(b, "<nil>");
		return;
	case V_TIME:
		tpl_fmt_time(b, v, time_string_layout, sizeof(time_string_layout) - 1);
		return;
	case V_DUR:
		tpl_fmt_duration(b, v->ns);
		return;
	case V_JSON:
		break;
	}
	switch (json_typeof(j)) {
	case JSON_STRING:
		aiops_buf_add(b, json_string_value(j), json_string_length(j));
		break;
	case JSON_INTEGER:
		aiops_buf_addf(b, "%lld", (long long)json_integer_value(j));
		break;
	case JSON_REAL:
		tpl_fmt_float(b, json_real_value(j), 'g', -1);
		break;
	case JSON_TRUE:
		aiops_buf_addstr(b, "true");
		break;
	case JSON_FALSE:
		aiops_buf_addstr(b, "false");
		break;
	case JSON_NULL:
		aiops_buf_addstr(b, "<nil>");
		break;
	default:
		if (depth > 32) {	/* jansson data nests at most so deep; be safe */
			aiops_buf_addstr(b, "...");
			break;
		}
		print_container(b, j, verb, depth);
		break;
	}
}

void
tpl_print_val(struct aiops_buf *b, const struct tpl_val *v)
{
	print_verb(b, v, 'v', 0);
}

static int
is_string_kind(const struct tpl_val *v)
{
	return v->k == V_JSON && json_is_string(v->j);
}

/* fmt.Sprint (spaces between operands when neither is a string), Sprintln. */
void
tpl_sprint(struct aiops_buf *b, const struct tpl_val *argv, size_t argc, int ln)
{
	size_t i;

	for (i = 0; i < argc; i++) {
		if (i > 0 && (ln || (!is_string_kind(&argv[i]) && !is_string_kind(&argv[i - 1]))))
			aiops_buf_addc(b, ' ');
		print_verb(b, &argv[i], 'v', 0);
	}
	if (ln)
		aiops_buf_addc(b, '\n');
}

/* ---- Printf ---- */

struct spec {
	int	minus, plus, sharp, space, zero;
	int	wid, prec;	/* -1 when absent */
	int	verb;
};

static size_t
rune_count(const char *s, size_t n)
{
	size_t i = 0, c = 0;

	while (i < n) {
		size_t l = aiops_utf8_seqlen((const unsigned char *)s + i, n - i);

		i += l ? l : 1;
		c++;
	}
	return c;
}

/* fmt.pad: width in runes, spaces (zeros with the 0 flag) left or right. */
static void
pad(struct aiops_buf *b, const struct spec *sp, const char *s, size_t n)
{
	size_t w = rune_count(s, n), i;

	if (sp->wid < 0 || (size_t)sp->wid <= w) {
		aiops_buf_add(b, s, n);
		return;
	}
	if (sp->minus) {
		aiops_buf_add(b, s, n);
		for (i = w; i < (size_t)sp->wid; i++)
			aiops_buf_addc(b, ' ');
		return;
	}
	for (i = w; i < (size_t)sp->wid; i++)
		aiops_buf_addc(b, sp->zero ? '0' : ' ');
	aiops_buf_add(b, s, n);
}

/* fmt.fmtInteger: sign, base prefix, precision as minimum digits. */
static void
fmt_integer(struct aiops_buf *b, const struct spec *sp, long long v, int base, int upper)
{
	char digits[80], out[200];
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int nd = 0, prec = sp->prec, k = 0, i;
	struct spec s2 = *sp;

	if (prec == 0 && v == 0) {
		s2.zero = 0;
		pad(b, &s2, "", 0);
		return;
	}
	do {
		digits[nd++] = dig[u % (unsigned)base];
		u /= (unsigned)base;
	} while (u > 0 && nd < (int)sizeof(digits));
	if (prec < 0 && sp->zero && sp->wid > 0 && !sp->minus) {
		prec = sp->wid;
		if (v < 0 || sp->plus || sp->space)
			prec--;
	}
	if (prec > 100)	/* widths are capped at 1e6 by the caller; keep the stack buffer */
		prec = 100;
	while (nd < prec)
		digits[nd++] = '0';
	if (sp->sharp) {
		if (base == 16) {
			digits[nd++] = upper ? 'X' : 'x';
			digits[nd++] = '0';
		} else if (base == 8 && digits[nd - 1] != '0') {
			digits[nd++] = '0';
		}
	}
	if (v < 0)
		out[k++] = '-';
	else if (sp->plus)
		out[k++] = '+';
	else if (sp->space)
		out[k++] = ' ';
	for (i = nd - 1; i >= 0; i--)
		out[k++] = digits[i];
	s2.zero = 0;	/* zeros went in as precision */
	pad(b, &s2, out, (size_t)k);
}

static void
fmt_float_spec(struct aiops_buf *b, const struct spec *sp, double f)
{
	struct aiops_buf t = AIOPS_BUF_INIT;
	int verb = sp->verb == 'v' ? 'g' : sp->verb;
	int prec = sp->prec;
	struct spec s2 = *sp;

	if ((verb == 'e' || verb == 'E' || verb == 'f' || verb == 'F') && prec < 0)
		prec = 6;
	if (verb == 'F')
		verb = 'f';
	if (sp->plus && !signbit(f))
		aiops_buf_addc(&t, '+');
	else if (sp->space && !signbit(f))
		aiops_buf_addc(&t, ' ');
	tpl_fmt_float(&t, f, verb, prec);
	if (sp->zero && sp->wid > 0 && !sp->minus && isfinite(f)) {
		/* zeros go after the sign */
		size_t w = rune_count(t.data, t.len), signlen;

		signlen = (t.data[0] == '-' || t.data[0] == '+' || t.data[0] == ' ') ? 1 : 0;
		aiops_buf_add(b, t.data, signlen);
		for (; w < (size_t)sp->wid; w++)
			aiops_buf_addc(b, '0');
		aiops_buf_add(b, t.data + signlen, t.len - signlen);
	} else {
		s2.zero = 0;
		pad(b, &s2, t.data, t.len);
	}
	aiops_buf_release(&t);
}

/* strconv.Quote: printable runes as they are, the rest escaped. */
static void
quote_string(struct aiops_buf *b, const char *s, size_t n)
{
	size_t i = 0;

	aiops_buf_addc(b, '"');
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t l = aiops_utf8_seqlen((const unsigned char *)s + i, n - i);

		if (l == 0) {
			aiops_buf_addf(b, "\\x%02x", c);
			i++;
			continue;
		}
		if (l > 1) {
			unsigned long r = c & (0xff >> (l + 1));
			size_t k;

			for (k = 1; k < l; k++)
				r = (r << 6) | ((unsigned char)s[i + k] & 0x3f);
			/* C1 controls, no-break and format spaces are not printable for Go */
			if (r < 0xa0 || r == 0xad || (r >= 0x2000 && r <= 0x200f) ||
			    (r >= 0x2028 && r <= 0x202f) || (r >= 0x205f && r <= 0x206f) ||
			    r == 0xfeff || r == 0x3000 || r == 0xa0) {
				if (r < 0x10000)
					aiops_buf_addf(b, "\\u%04lx", r);
				else
					aiops_buf_addf(b, "\\U%08lx", r);
			} else {
				aiops_buf_add(b, s + i, l);
			}
			i += l;
			continue;
		}
		switch (c) {
		case '\a': aiops_buf_addstr(b, "\\a"); break;
		case '\b': aiops_buf_addstr(b, "\\b"); break;
		case '\f': aiops_buf_addstr(b, "\\f"); break;
		case '\n': aiops_buf_addstr(b, "\\n"); break;
		case '\r': aiops_buf_addstr(b, "\\r"); break;
		case '\t': aiops_buf_addstr(b, "\\t"); break;
		case '\v': aiops_buf_addstr(b, "\\v"); break;
		case '\\': aiops_buf_addstr(b, "\\\\"); break;
		case '"': aiops_buf_addstr(b, "\\\""); break;
		default:
			if (c < 0x20 || c == 0x7f)
				aiops_buf_addf(b, "\\x%02x", c);
			else
				aiops_buf_addc(b, (char)c);
		}
		i++;
	}
	aiops_buf_addc(b, '"');
}

/* A string under a verb: %s %v %q %x %X; precision cuts runes (bytes for %x). */
static void
fmt_string(struct aiops_buf *b, const struct spec *sp, const char *s, size_t n)
{
	struct aiops_buf t = AIOPS_BUF_INIT;
	size_t i;

	if (sp->prec >= 0) {
		if (sp->verb == 'x' || sp->verb == 'X') {
			if ((size_t)sp->prec < n)
				n = (size_t)sp->prec;
		} else {
			size_t r = 0;

			for (i = 0; i < n && r < (size_t)sp->prec; r++) {
				size_t l = aiops_utf8_seqlen((const unsigned char *)s + i, n - i);

				i += l ? l : 1;
			}
			n = i;
		}
	}
	switch (sp->verb) {
	case 'q':
		quote_string(&t, s, n);
		break;
	case 'x':
	case 'X':
		for (i = 0; i < n; i++) {
			if (sp->space && i > 0)
				aiops_buf_addc(&t, ' ');
			if (sp->sharp && (sp->space || i == 0))
				aiops_buf_addstr(&t, sp->verb == 'x' ? "0x" : "0X");
			aiops_buf_addf(&t, sp->verb == 'x' ? "%02x" : "%02X", (unsigned char)s[i]);
		}
		break;
	default:
		aiops_buf_add(&t, s, n);
		break;
	}
	pad(b, sp, t.data != NULL ? t.data : "", t.len);
	aiops_buf_release(&t);
}

/* %!verb(type=value): what Go writes for a verb that does not fit. */
static void
bad_verb(struct aiops_buf *b, int verb, const struct tpl_val *v)
{
	aiops_buf_addf(b, "%%!%c(", verb);
	if (v->k == V_INVALID || v->k == V_NIL ||
	    (v->k == V_JSON && json_is_null(v->j))) {
		aiops_buf_addstr(b, "<nil>");
	} else {
		aiops_buf_addstr(b, tpl_typename(v));
		aiops_buf_addc(b, '=');
		print_verb(b, v, 'v', 0);
	}
	aiops_buf_addc(b, ')');
}

static void fmt_arg(struct aiops_buf *b, const struct spec *sp, const struct tpl_val *v, int depth);

static void
fmt_container(struct aiops_buf *b, const struct spec *sp, json_t *j, int depth)
{
	struct tpl_val e;
	size_t i;

	memset(&e, 0, sizeof(e));
	e.k = V_JSON;
	if (json_is_array(j)) {
		aiops_buf_addc(b, '[');
		for (i = 0; i < json_array_size(j); i++) {
			if (i > 0)
				aiops_buf_addc(b, ' ');
			e.j = json_array_get(j, i);
			fmt_arg(b, sp, &e, depth + 1);
		}
		aiops_buf_addc(b, ']');
		return;
	}
	{
		size_t n = json_object_size(j);
		const char **keys = calloc(n + 1, sizeof(*keys)), *k;
		json_t *v;

		if (keys == NULL)
			return;
		i = 0;
		json_object_foreach(j, k, v)
			keys[i++] = k;
		qsort(keys, n, sizeof(*keys), cmp_str);
		aiops_buf_addstr(b, "map[");
		for (i = 0; i < n; i++) {
			if (i > 0)
				aiops_buf_addc(b, ' ');
			e.j = json_string_nocheck(keys[i]);
			fmt_arg(b, sp, &e, depth + 1);
			json_decref(e.j);
			aiops_buf_addc(b, ':');
			e.j = json_object_get(j, keys[i]);
			fmt_arg(b, sp, &e, depth + 1);
		}
		aiops_buf_addc(b, ']');
		free(keys);
	}
}

/* fmt.printArg for one verb and value. */
static void
fmt_arg(struct aiops_buf *b, const struct spec *sp, const struct tpl_val *v, int depth)
{
	int verb = sp->verb;
	json_t *j = v->j;

	if (v->k == V_INVALID || v->k == V_NIL || (v->k == V_JSON && json_is_null(j))) {
		if (verb == 'v' || verb == 'T') {
			pad(b, sp, "<nil>", 5);
			return;
		}
		bad_verb(b, verb, v);
		return;
	}
	if (verb == 'T') {
		const char *tn = tpl_typename(v);

		pad(b, sp, tn, strlen(tn));
		return;
	}
	if (v->k == V_TIME || (v->k == V_DUR && verb != 'd')) {
		/* Stringers: %v %s %q %x %X use String() */
		if (strchr("vsqxX", verb) != NULL) {
			struct aiops_buf t = AIOPS_BUF_INIT;
			struct spec s2 = *sp;

			print_verb(&t, v, 'v', 0);
			if (s2.verb == 'v')
				s2.verb = 's';
			fmt_string(b, &s2, t.data, t.len);
			aiops_buf_release(&t);
		} else {
			bad_verb(b, verb, v);
		}
		return;
	}
	if (v->k == V_DUR) {
		fmt_integer(b, sp, (long long)v->ns, 10, 0);
		return;
	}
	switch (json_typeof(j)) {
	case JSON_STRING:
		if (strchr("vsqxX", verb) != NULL) {
			struct spec s2 = *sp;

			if (s2.verb == 'v')
				s2.verb = 's';
			fmt_string(b, &s2, json_string_value(j), json_string_length(j));
		} else {
			bad_verb(b, verb, v);
		}
		return;
	case JSON_INTEGER: {
		long long x = (long long)json_integer_value(j);

		switch (verb) {
		case 'v': case 'd': fmt_integer(b, sp, x, 10, 0); return;
		case 'x': fmt_integer(b, sp, x, 16, 0); return;
		case 'X': fmt_integer(b, sp, x, 16, 1); return;
		case 'o': fmt_integer(b, sp, x, 8, 0); return;
		case 'b': fmt_integer(b, sp, x, 2, 0); return;
		case 'U': {
			char u[32];

			snprintf(u, sizeof(u), "U+%04llX", (unsigned long long)x);
			if (x < 0) {
				bad_verb(b, verb, v);
				return;
			}
			pad(b, sp, u, strlen(u));
			return;
		}
		case 'c': {
			struct aiops_buf t = AIOPS_BUF_INIT;
			unsigned long r = (x < 0 || x > 0x10ffff || (x >= 0xd800 && x < 0xe000)) ?
			    0xfffd : (unsigned long)x;

			if (r < 0x80) {
				aiops_buf_addc(&t, (char)r);
			} else {
				char u[8];
				int k = 0;

				if (r < 0x800) {
					u[k++] = (char)(0xc0 | (r >> 6));
				} else if (r < 0x10000) {
					u[k++] = (char)(0xe0 | (r >> 12));
					u[k++] = (char)(0x80 | ((r >> 6) & 0x3f));
				} else {
					u[k++] = (char)(0xf0 | (r >> 18));
					u[k++] = (char)(0x80 | ((r >> 12) & 0x3f));
					u[k++] = (char)(0x80 | ((r >> 6) & 0x3f));
				}
				u[k++] = (char)(0x80 | (r & 0x3f));
				aiops_buf_add(&t, u, (size_t)k);
			}
			pad(b, sp, t.data, t.len);
			aiops_buf_release(&t);
			return;
		}
		default:
			bad_verb(b, verb, v);
			return;
		}
	}
	case JSON_REAL:
		if (strchr("veEfFgG", verb) != NULL)
			fmt_float_spec(b, sp, json_real_value(j));
		else
			bad_verb(b, verb, v);
		return;
	case JSON_TRUE:
	case JSON_FALSE:
		if (verb == 'v' || verb == 't')
			pad(b, sp, json_is_true(j) ? "true" : "false", json_is_true(j) ? 4 : 5);
		else
			bad_verb(b, verb, v);
		return;
	default:
		if (depth > 32) {
			aiops_buf_addstr(b, "...");
			return;
		}
		fmt_container(b, sp, j, depth);
		return;
	}
}

#define FMT_TOO_LARGE 1000000	/* fmt's tooLarge: widths beyond are %!(BADWIDTH) */

/* fmt.Sprintf over our values: Go's verbs, flags, width, precision and complaints. */
void
tpl_sprintf(struct aiops_buf *b, const char *f, size_t n, const struct tpl_val *argv, size_t argc,
    size_t limit)
{
	size_t i = 0, arg = 0, b0 = b->len;

	while (i < n && b->len - b0 <= limit) {
		struct spec sp;
		size_t lasti = i;

		while (i < n && f[i] != '%')
			i++;
		aiops_buf_add(b, f + lasti, i - lasti);
		if (i >= n)
			break;
		i++;	/* the % */
		memset(&sp, 0, sizeof(sp));
		sp.wid = sp.prec = -1;
		for (; i < n; i++) {
			switch (f[i]) {
			case '#': sp.sharp = 1; continue;
			case '0': sp.zero = !sp.minus; continue;
			case '+': sp.plus = 1; continue;
			case '-': sp.minus = 1; sp.zero = 0; continue;
			case ' ': sp.space = 1; continue;
			}
			break;
		}
		if (i < n && f[i] >= '0' && f[i] <= '9') {
			long w = 0;

			while (i < n && f[i] >= '0' && f[i] <= '9') {
				if (w <= FMT_TOO_LARGE)
					w = w * 10 + (f[i] - '0');
				i++;
			}
			if (w > FMT_TOO_LARGE) {
				aiops_buf_addstr(b, "%!(BADWIDTH)");
				w = -1;
			}
			sp.wid = (int)w;
		}
		if (i < n && f[i] == '.') {
			long p = 0;

			i++;
			while (i < n && f[i] >= '0' && f[i] <= '9') {
				if (p <= FMT_TOO_LARGE)
					p = p * 10 + (f[i] - '0');
				i++;
			}
			if (p > FMT_TOO_LARGE) {
				aiops_buf_addstr(b, "%!(BADPREC)");
				p = -1;
			}
			sp.prec = (int)p;
		}
		if (i >= n) {
			aiops_buf_addstr(b, "%!(NOVERB)");
			break;
		}
		{
			size_t l = aiops_utf8_seqlen((const unsigned char *)f + i, n - i);

			if (l > 1) {	/* a verb that is not ASCII: never valid */
				aiops_buf_addstr(b, "%!");
				aiops_buf_add(b, f + i, l);
				i += l;
				if (arg < argc) {
					aiops_buf_addc(b, '(');
					aiops_buf_addstr(b, tpl_typename(&argv[arg]));
					aiops_buf_addc(b, '=');
					print_verb(b, &argv[arg], 'v', 0);
					aiops_buf_addc(b, ')');
					arg++;
				} else {
					aiops_buf_addstr(b, "(MISSING)");
				}
				continue;
			}
		}
		sp.verb = (unsigned char)f[i++];
		if (sp.verb == '%') {
			aiops_buf_addc(b, '%');
			continue;
		}
		if (arg >= argc) {
			aiops_buf_addf(b, "%%!%c(MISSING)", sp.verb);
			continue;
		}
		/* (a NUL verb would match every strchr below: it is a bad verb) */
		if (sp.verb == 0 || !strchr("vTtbcdoOqxXUeEfFgGsp", sp.verb) || sp.verb == 'O' ||
		    sp.verb == 'p') {
			bad_verb(b, sp.verb, &argv[arg++]);
			continue;
		}
		fmt_arg(b, &sp, &argv[arg++], 0);
	}
	if (arg < argc) {
		aiops_buf_addstr(b, "%!(EXTRA ");
		for (; arg < argc; arg++) {
			const struct tpl_val *v = &argv[arg];

			if (v->k == V_INVALID || v->k == V_NIL || (v->k == V_JSON && json_is_null(v->j))) {
				aiops_buf_addstr(b, "<nil>");
			} else {
				aiops_buf_addstr(b, tpl_typename(v));
				aiops_buf_addc(b, '=');
				print_verb(b, v, 'v', 0);
			}
			if (arg + 1 < argc)
				aiops_buf_addstr(b, ", ");
		}
		aiops_buf_addc(b, ')');
	}
}

/* ---- time.Format ---- */

static const char *const long_months[] = { "January", "February", "March", "April", "May",
	"June", "July", "August", "September", "October", "November", "December" };
static const char *const long_days[] = { "Sunday", "Monday", "Tuesday", "Wednesday",
	"Thursday", "Friday", "Saturday" };

enum std {
	STD_NONE, STD_LONG_MONTH, STD_MONTH, STD_NUM_MONTH, STD_ZERO_MONTH, STD_LONG_WEEKDAY,
	STD_WEEKDAY, STD_DAY, STD_UNDER_DAY, STD_ZERO_DAY, STD_UNDER_YEARDAY, STD_ZERO_YEARDAY,
	STD_HOUR, STD_HOUR12, STD_ZERO_HOUR12, STD_MINUTE, STD_ZERO_MINUTE, STD_SECOND,
	STD_ZERO_SECOND, STD_LONG_YEAR, STD_YEAR, STD_PM, STD_pm, STD_TZ,
	STD_ISO_TZ, STD_ISO_SECONDS_TZ, STD_ISO_SHORT_TZ, STD_ISO_COLON_TZ,
	STD_ISO_COLON_SECONDS_TZ, STD_NUM_TZ, STD_NUM_SECONDS_TZ, STD_NUM_SHORT_TZ,
	STD_NUM_COLON_TZ, STD_NUM_COLON_SECONDS_TZ, STD_FRAC0, STD_FRAC9,
};

static int
starts_lower(const char *s, size_t n)
{
	return n > 0 && s[0] >= 'a' && s[0] <= 'z';
}

static int
pfx(const char *s, size_t n, const char *w)
{
	size_t k = strlen(w);

	return n >= k && memcmp(s, w, k) == 0;
}

/* time/format.go nextStdChunk: the next layout element at or after s[*i]. */
static enum std
next_std(const char *s, size_t n, size_t *at, size_t *len, int *fracdigits)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *p = s + i;
		size_t r = n - i;

		*at = i;
		switch (p[0]) {
		case 'J':
			if (pfx(p, r, "Jan")) {
				if (pfx(p, r, "January")) { *len = 7; return STD_LONG_MONTH; }
				if (!starts_lower(p + 3, r - 3)) { *len = 3; return STD_MONTH; }
			}
			break;
		case 'M':
			if (pfx(p, r, "Mon")) {
				if (pfx(p, r, "Monday")) { *len = 6; return STD_LONG_WEEKDAY; }
				if (!starts_lower(p + 3, r - 3)) { *len = 3; return STD_WEEKDAY; }
			}
			if (pfx(p, r, "MST")) { *len = 3; return STD_TZ; }
			break;
		case '0':
			if (r >= 2 && p[1] >= '1' && p[1] <= '6') {
				static const enum std z[] = { STD_ZERO_MONTH, STD_ZERO_DAY,
					STD_ZERO_HOUR12, STD_ZERO_MINUTE, STD_ZERO_SECOND, STD_YEAR };

				*len = 2;
				return z[p[1] - '1'];
			}
			if (pfx(p, r, "002")) { *len = 3; return STD_ZERO_YEARDAY; }
			break;
		case '1':
			if (pfx(p, r, "15")) { *len = 2; return STD_HOUR; }
			*len = 1;
			return STD_NUM_MONTH;
		case '2':
			if (pfx(p, r, "2006")) { *len = 4; return STD_LONG_YEAR; }
			*len = 1;
			return STD_DAY;
		case '_':
			if (r >= 2 && p[1] == '2') {
				if (pfx(p + 1, r - 1, "2006")) {
					*at = i + 1;
					*len = 4;
					return STD_LONG_YEAR;
				}
				*len = 2;
				return STD_UNDER_DAY;
			}
			if (pfx(p, r, "__2")) { *len = 3; return STD_UNDER_YEARDAY; }
			break;
		case '3': *len = 1; return STD_HOUR12;
		case '4': *len = 1; return STD_MINUTE;
		case '5': *len = 1; return STD_SECOND;
		case 'P':
			if (pfx(p, r, "PM")) { *len = 2; return STD_PM; }
			break;
		case 'p':
			if (pfx(p, r, "pm")) { *len = 2; return STD_pm; }
			break;
		case '-':
			if (pfx(p, r, "-070000")) { *len = 7; return STD_NUM_SECONDS_TZ; }
			if (pfx(p, r, "-07:00:00")) { *len = 9; return STD_NUM_COLON_SECONDS_TZ; }
			if (pfx(p, r, "-0700")) { *len = 5; return STD_NUM_TZ; }
			if (pfx(p, r, "-07:00")) { *len = 6; return STD_NUM_COLON_TZ; }
			if (pfx(p, r, "-07")) { *len = 3; return STD_NUM_SHORT_TZ; }
			break;
		case 'Z':
			if (pfx(p, r, "Z070000")) { *len = 7; return STD_ISO_SECONDS_TZ; }
			if (pfx(p, r, "Z07:00:00")) { *len = 9; return STD_ISO_COLON_SECONDS_TZ; }
			if (pfx(p, r, "Z0700")) { *len = 5; return STD_ISO_TZ; }
			if (pfx(p, r, "Z07:00")) { *len = 6; return STD_ISO_COLON_TZ; }
			if (pfx(p, r, "Z07")) { *len = 3; return STD_ISO_SHORT_TZ; }
			break;
		case '.':
		case ',':
			if (r >= 2 && (p[1] == '0' || p[1] == '9')) {
				size_t j = 1;

				while (j < r && p[j] == p[1])
					j++;
				if (!(j < r && p[j] >= '0' && p[j] <= '9')) {
					*len = j;
					*fracdigits = (int)j - 1;
					return p[1] == '0' ? STD_FRAC0 : STD_FRAC9;
				}
			}
			break;
		default:
			break;
		}
	}
	*at = n;
	*len = 0;
	return STD_NONE;
}

static void
put_int(struct aiops_buf *b, long long v, int width)
{
	if (v < 0) {
		aiops_buf_addc(b, '-');
		v = -v;
	}
	aiops_buf_addf(b, "%0*lld", width, v);
}

void
tpl_fmt_time(struct aiops_buf *b, const struct tpl_val *t, const char *layout, size_t n)
{
	int64_t sec = t->ns / AIOPS_NS_PER_SEC, nsec = t->ns % AIOPS_NS_PER_SEC;
	int64_t local, days, sod, y;
	unsigned m, d;
	int hour, min, s, wday, yday;

	if (nsec < 0) {
		nsec += AIOPS_NS_PER_SEC;
		sec--;
	}
	local = sec + t->off;
	days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
	sod = local - days * 86400;
	aiops_civil_from_days(days, &y, &m, &d);
	hour = (int)(sod / 3600);
	min = (int)(sod / 60 % 60);
	s = (int)(sod % 60);
	wday = (int)(((days % 7) + 11) % 7);	/* 1970-01-01 was a Thursday */
	yday = (int)(days - aiops_days_from_civil(y, 1, 1)) + 1;
	while (n > 0) {
		size_t at, len = 0;
		int frac = 0, zone, absz;
		enum std std = next_std(layout, n, &at, &len, &frac);

		aiops_buf_add(b, layout, at);
		if (std == STD_NONE)
			break;
		switch (std) {
		case STD_YEAR: put_int(b, (y % 100 + 100) % 100, 2); break;
		case STD_LONG_YEAR: put_int(b, y, 4); break;
		case STD_MONTH: aiops_buf_add(b, long_months[m - 1], 3); break;
		case STD_LONG_MONTH: aiops_buf_addstr(b, long_months[m - 1]); break;
		case STD_NUM_MONTH: put_int(b, m, 0); break;
		case STD_ZERO_MONTH: put_int(b, m, 2); break;
		case STD_WEEKDAY: aiops_buf_add(b, long_days[wday], 3); break;
		case STD_LONG_WEEKDAY: aiops_buf_addstr(b, long_days[wday]); break;
		case STD_DAY: put_int(b, d, 0); break;
		case STD_UNDER_DAY:
			if (d < 10)
				aiops_buf_addc(b, ' ');
			put_int(b, d, 0);
			break;
		case STD_ZERO_DAY: put_int(b, d, 2); break;
		case STD_UNDER_YEARDAY:
			if (yday < 100)
				aiops_buf_addc(b, ' ');
			if (yday < 10)
				aiops_buf_addc(b, ' ');
			put_int(b, yday, 0);
			break;
		case STD_ZERO_YEARDAY: put_int(b, yday, 3); break;
		case STD_HOUR: put_int(b, hour, 2); break;
		case STD_HOUR12: put_int(b, hour % 12 == 0 ? 12 : hour % 12, 0); break;
		case STD_ZERO_HOUR12: put_int(b, hour % 12 == 0 ? 12 : hour % 12, 2); break;
		case STD_MINUTE: put_int(b, min, 0); break;
		case STD_ZERO_MINUTE: put_int(b, min, 2); break;
		case STD_SECOND: put_int(b, s, 0); break;
		case STD_ZERO_SECOND: put_int(b, s, 2); break;
		case STD_PM: aiops_buf_addstr(b, hour >= 12 ? "PM" : "AM"); break;
		case STD_pm: aiops_buf_addstr(b, hour >= 12 ? "pm" : "am"); break;
		case STD_ISO_TZ: case STD_ISO_COLON_TZ: case STD_ISO_SECONDS_TZ:
		case STD_ISO_SHORT_TZ: case STD_ISO_COLON_SECONDS_TZ:
			if (t->off == 0) {
				aiops_buf_addc(b, 'Z');
				break;
			}
			/* FALLTHROUGH */
		case STD_NUM_TZ: case STD_NUM_SECONDS_TZ: case STD_NUM_SHORT_TZ:
		case STD_NUM_COLON_TZ: case STD_NUM_COLON_SECONDS_TZ: {
			int colon = std == STD_ISO_COLON_TZ || std == STD_NUM_COLON_TZ ||
			    std == STD_ISO_COLON_SECONDS_TZ || std == STD_NUM_COLON_SECONDS_TZ;
			int secs = std == STD_ISO_SECONDS_TZ || std == STD_NUM_SECONDS_TZ ||
			    std == STD_ISO_COLON_SECONDS_TZ || std == STD_NUM_COLON_SECONDS_TZ;
			int shrt = std == STD_ISO_SHORT_TZ || std == STD_NUM_SHORT_TZ;

			zone = t->off / 60;
			absz = t->off < 0 ? -t->off : t->off;
			aiops_buf_addc(b, zone < 0 ? '-' : '+');
			if (zone < 0)
				zone = -zone;
			put_int(b, zone / 60, 2);
			if (!shrt) {
				if (colon)
					aiops_buf_addc(b, ':');
				put_int(b, zone % 60, 2);
			}
			if (secs) {
				if (colon)
					aiops_buf_addc(b, ':');
				put_int(b, absz % 60, 2);
			}
			break;
		}
		case STD_TZ:
			if (t->zone[0] != '\0') {
				aiops_buf_addstr(b, t->zone);
				break;
			}
			zone = t->off / 60;
			aiops_buf_addc(b, zone < 0 ? '-' : '+');
			if (zone < 0)
				zone = -zone;
			put_int(b, zone / 60, 2);
			put_int(b, zone % 60, 2);
			break;
		case STD_FRAC0:
		case STD_FRAC9: {
			char digits[16];
			int k = frac > 9 ? 9 : frac;

			snprintf(digits, sizeof(digits), "%09lld", (long long)nsec);
			if (std == STD_FRAC9) {
				while (k > 0 && digits[k - 1] == '0')
					k--;
				if (k == 0)
					break;
			}
			aiops_buf_addc(b, layout[at]);
			aiops_buf_add(b, digits, (size_t)k);
			break;
		}
		default:
			break;
		}
		layout += at + len;
		n -= at + len;
	}
}

/* ---- zones ---- */

static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;

static int
zone_name_ok(const char *name)
{
	char path[512];
	const char *p;

	if (name[0] == '/' || strstr(name, "..") != NULL || strlen(name) > 200)
		return 0;
	for (p = name; *p != '\0'; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("/_+-", *p) != NULL))
			return 0;
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", name);
	return access(path, R_OK) == 0;
}

/*
 * POSIX gives no localtime for a named zone: set TZ, tzset, localtime_r
 * and put TZ back, under one lock. UTC needs none of it.
 */
int
tpl_zone_at(const char *name, int64_t sec, int *off, char *abbr, size_t abbrlen)
{
	struct tm tm;
	time_t t = (time_t)sec;
	char *old, *saved = NULL;
	int rc = 0;

	if (name == NULL || name[0] == '\0' || strcmp(name, "UTC") == 0) {
		*off = 0;
		snprintf(abbr, abbrlen, "UTC");
		return 0;
	}
	if (!zone_name_ok(name))
		return -1;
	pthread_mutex_lock(&tz_lock);
	old = getenv("TZ");
	if (old != NULL)
		saved = strdup(old);
	setenv("TZ", name, 1);
	tzset();
	if (localtime_r(&t, &tm) == NULL) {
		rc = -1;
	} else {
		*off = (int)tm.tm_gmtoff;
		snprintf(abbr, abbrlen, "%s", tm.tm_zone != NULL ? tm.tm_zone : "");
	}
	if (saved != NULL) {
		setenv("TZ", saved, 1);
		free(saved);
	} else {
		unsetenv("TZ");
	}
	tzset();
	pthread_mutex_unlock(&tz_lock);
	return rc;
}
