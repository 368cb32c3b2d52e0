/*
 * fuzz_jw.c: libFuzzer harness for the JSON writer's two leaf encoders.
 *
 * aiops_json_escape: the input, quoted, must load in jansson as a string;
 * when the input is valid UTF-8 (NUL included, as \u0000) the string must
 * be the input's bytes exactly, and otherwise still valid UTF-8 (bad bytes
 * become U+FFFD). aiops_json_fmt_double: the first 8 bytes as a double must
 * print as a JSON number that reads back as the same double, or as null
 * when it is not finite.
 */
#include "compat.h"

#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "json/jw.h"
#include "core/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
valid_utf8(const uint8_t *s, size_t n)
{
	size_t i, l;

	for (i = 0; i < n; i += l)
		if ((l = aiops_utf8_seqlen(s + i, n - i)) == 0)
			return 0;
	return 1;
}

static void
check_escape(const uint8_t *data, size_t size)
{
	struct aiops_buf b = AIOPS_BUF_INIT;
	json_error_t jerr;
	json_t *v;

	aiops_buf_addc(&b, '"');
	aiops_json_escape(&b, (const char *)data, size);
	aiops_buf_addc(&b, '"');
	v = json_loadb(b.data, b.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	if (v == NULL || !json_is_string(v))
		abort();
	if (valid_utf8(data, size)) {
		if (json_string_length(v) != size ||
		    memcmp(json_string_value(v), data, size) != 0)
			abort();
	} else if (!valid_utf8((const uint8_t *)json_string_value(v), json_string_length(v)))
		abort();
	json_decref(v);
	aiops_buf_release(&b);
}

static void
check_double(const uint8_t *data, size_t size)
{
	char buf[32];
	json_error_t jerr;
	json_t *v;
	double d, back;
	size_t n;

	if (size < sizeof(d))
		return;
	memcpy(&d, data, sizeof(d));
	n = aiops_json_fmt_double(buf, d);
	if (n >= sizeof(buf) || buf[n] != '\0')
		abort();
	if (!isfinite(d)) {
		if (strcmp(buf, "null") != 0)
			abort();
		return;
	}
	v = json_loadb(buf, n, JSON_DECODE_ANY, &jerr);
	if (v == NULL || !json_is_number(v))
		abort();
	back = json_number_value(v);
	if (back != d)
		abort();
	json_decref(v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_escape(data, size);
	check_double(data, size);
	return 0;
}
