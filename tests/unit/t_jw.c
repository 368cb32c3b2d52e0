/* The JSON writer against jansson: what we write, jansson reads back. */
#include "compat.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/utf8.h"
#include "json/jw.h"
#include "tap.h"

static const char *
escaped(const char *s, size_t n)
{
	static struct aiops_buf b = AIOPS_BUF_INIT;

	aiops_buf_reset(&b);
	aiops_json_escape(&b, s, n);
	return b.data ? b.data : "";
}

/* aiops_utf8_repair(): what aiops-ingest keeps of a line with bad bytes. */
static const char *
repaired(const char *s, size_t n, size_t *nbad)
{
	static struct aiops_buf b = AIOPS_BUF_INIT;

	*nbad = aiops_utf8_repair(&b, s, n);
	return b.data;
}

/* The string written, read back by jansson, equals the input. */
static int
roundtrip_string(const char *s, size_t n)
{
	struct aiops_buf b = AIOPS_BUF_INIT;
	struct aiops_jw w;
	json_t *v;
	int same;

	aiops_jw_init(&w, &b);
	aiops_jw_string(&w, s, n);
	v = json_loadb(b.data, b.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	same = v != NULL && json_string_length(v) == n &&
	    memcmp(json_string_value(v), s, n) == 0;
	json_decref(v);
	aiops_buf_release(&b);
	return same;
}

static int
roundtrip_double(double d)
{
	char buf[32];
	size_t n = aiops_json_fmt_double(buf, d);
	json_t *v = json_loadb(buf, n, JSON_DECODE_ANY, NULL);
	int same = v != NULL && json_number_value(v) == d;

	json_decref(v);
	return same;
}

static void
test_numbers(void)
{
	char buf[32];
	double vals[] = { 0.1, 1.0 / 3, 1e300, -2.5e-310, 123456789012345678.0,
	    97.2, 0.30000000000000004, 5e-324, 1.7976931348623157e308, -0.0 };
	size_t i;
	int all = 1;

	aiops_json_fmt_double(buf, 0.1);
	is_str(buf, "0.1", "0.1 is written shortest");
	aiops_json_fmt_double(buf, 42);
	is_str(buf, "42", "integers have no fraction");
	aiops_json_fmt_double(buf, NAN);
	is_str(buf, "null", "NaN is null");
	aiops_json_fmt_double(buf, INFINITY);
	is_str(buf, "null", "infinity is null");
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
		all &= roundtrip_double(vals[i]);
	ok(all, "doubles read back exactly");
	srand(7);
	for (i = 0, all = 1; i < 100000; i++) {
		uint64_t bits = ((uint64_t)rand() << 42) ^ ((uint64_t)rand() << 21) ^ (uint64_t)rand();
		double d;

		memcpy(&d, &bits, sizeof(d));
		if (isfinite(d))
			all &= roundtrip_double(d);
	}
	ok(all, "100000 random doubles read back exactly");
}

static void
test_strings(void)
{
	is_str(escaped("a\"b\\c", 5), "a\\\"b\\\\c", "quote and backslash");
	is_str(escaped("\n\t\r\b\f", 5), "\\n\\t\\r\\b\\f", "short escapes");
	is_str(escaped("\x01\x1f", 2), "\\u0001\\u001f", "control characters");
	is_str(escaped("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14),
	    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "valid UTF-8 is kept");
	is_str(escaped("a\xff" "b", 3), "a\xef\xbf\xbd" "b", "an invalid byte becomes U+FFFD");
	is_str(escaped("\xc0\xaf", 2), "\xef\xbf\xbd\xef\xbf\xbd", "overlong encodings are invalid");
	is_str(escaped("\xed\xa0\x80", 3), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", "surrogates are invalid");
	is_str(escaped("\xe2\x82", 2), "\xef\xbf\xbd\xef\xbf\xbd", "a truncated sequence is invalid");
	ok(roundtrip_string("x\0y", 3), "NUL is written as \\u0000");
}

/* Repair and the writer replace the same bytes the same way: one rule. */
static void
test_repair(void)
{
	static const struct { const char *s; size_t n; size_t nbad; } cases[] = {
		{ "a\xff" "b", 3, 1 }, { "\xc0\xaf", 2, 2 }, { "\xed\xa0\x80", 3, 3 },
		{ "\xe2\x82", 2, 2 }, { "caf\xc3\xa9 \xf0\x9f\x98\x80", 10, 0 },
		{ "ok \xe9t\xe9", 6, 2 },
	};
	size_t i, nbad;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *r = repaired(cases[i].s, cases[i].n, &nbad);

		is_str(r, escaped(cases[i].s, cases[i].n), "repair %zu is what the writer writes", i);
		ok(nbad == cases[i].nbad, "repair %zu counts %zu bad bytes", i, cases[i].nbad);
	}
	is_str(repaired("a\0b", 3, &nbad), "a\xef\xbf\xbd" "b", "NUL becomes U+FFFD");
	ok(nbad == 1, "and is counted");
	is_str(repaired("", 0, &nbad), "", "the empty line stays empty");
	ok(nbad == 0, "with nothing replaced");
	ok(roundtrip_string("\x7f/<>&'", 6), "DEL and punctuation read back");
}

static void
test_structure(void)
{
	struct aiops_buf b = AIOPS_BUF_INIT;
	struct aiops_jw w;
	json_t *v;

	aiops_jw_init(&w, &b);
	aiops_jw_object_begin(&w);
	aiops_jw_kcstr(&w, "type", "metric");
	aiops_jw_key(&w, "labels", 6);
	aiops_jw_object_begin(&w);
	aiops_jw_object_end(&w);
	aiops_jw_key(&w, "list", 4);
	aiops_jw_array_begin(&w);
	aiops_jw_integer(&w, -5);
	aiops_jw_uinteger(&w, 18446744073709551615ULL);
	aiops_jw_bool(&w, 1);
	aiops_jw_null(&w);
	aiops_jw_array_begin(&w);
	aiops_jw_array_end(&w);
	aiops_jw_array_end(&w);
	aiops_jw_knum(&w, "v", 1.5);
	aiops_jw_object_end(&w);
	is_str(b.data, "{\"type\":\"metric\",\"labels\":{},\"list\":[-5,18446744073709551615,true,null,[]],\"v\":1.5}",
	    "nested containers get their commas right");
	aiops_buf_reset(&b);
	aiops_jw_init(&w, &b);
	v = json_pack("{s:i,s:[s,f]}", "a", 1, "b", "x", 2.5);
	aiops_jw_object_begin(&w);
	aiops_jw_key(&w, "j", 1);
	aiops_jw_json(&w, v);
	aiops_jw_kint(&w, "n", 3);
	aiops_jw_object_end(&w);
	is_str(b.data, "{\"j\":{\"a\":1,\"b\":[\"x\",2.5]},\"n\":3}", "jansson values embed compactly");
	json_decref(v);
	aiops_buf_release(&b);
}

int
main(void)
{
	test_numbers();
	test_strings();
	test_repair();
	test_structure();
	return tap_done();
}
