/*
 * fuzz_timeint.c: libFuzzer harness for the time interval parsers of
 * lib/notify/timeint.c: the JSON list of entries (a silence's stored
 * schedule, the config's time_intervals) and the short front end
 * ("weekdays 22:00-06:00"). The first byte picks the parser.
 *
 * Checked: a failed parse fills err (a non-empty C string); a good parse
 * gives a canonical text that parses again to the same text (the round
 * trip the silences table relies on); contains() and, for small inputs,
 * next_change() run, and a change it reports is one (the state differs
 * from the second before).
 */
#include "compat.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "notify/timeint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* next_change walks up to a year; keep each run short. */
#define NEXT_MAX_INPUT	2048

static void
check_err(const char *err, size_t len)
{
	if (memchr(err, '\0', len) == NULL || err[0] == '\0')
		abort();
}

static void
round_trip(const struct aiops_timeint *ti)
{
	struct aiops_timeint *again;
	char err[256], *s, *s2;

	s = aiops_timeint_to_text(ti);
	again = aiops_timeint_parse_text(s, strlen(s), err, sizeof(err));
	if (again == NULL)
		abort();
	s2 = aiops_timeint_to_text(again);
	if (strcmp(s, s2) != 0)
		abort();
	free(s);
	free(s2);
	aiops_timeint_free(again);
}

static void
evaluate(const struct aiops_timeint *ti, size_t size, const uint8_t *data)
{
	static const char *const zones[] = { NULL, "Europe/Paris", "America/New_York" };
	int64_t t = 1711843200LL * AIOPS_NS_PER_SEC, nx;	/* 2024-03-31 */
	const char *tz = zones[size % 3];

	if (size >= 9)
		memcpy(&t, data + 1, sizeof(t));
	(void)aiops_timeint_contains(ti, t, tz);
	if (size > NEXT_MAX_INPUT)
		return;
	if (aiops_timeint_next_change(ti, t, tz, &nx) == 1) {
		if (nx <= t || nx % AIOPS_NS_PER_SEC != 0)
			abort();
		if (nx > INT64_MIN + AIOPS_NS_PER_SEC &&
		    aiops_timeint_contains(ti, nx, tz) ==
		    aiops_timeint_contains(ti, nx - AIOPS_NS_PER_SEC, tz))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aiops_timeint *ti;
	char err[256], *text;

	if (size == 0)
		return 0;
	memset(err, 'x', sizeof(err));
	if (data[0] & 1) {
		text = xstrndup((const char *)data + 1, size - 1);
		ti = aiops_timeint_parse_spec(text, (data[0] & 2) ? "Europe/Paris" : NULL,
		    err, sizeof(err));
		free(text);
	} else
		ti = aiops_timeint_parse_text((const char *)data + 1, size - 1, err, sizeof(err));
	if (ti == NULL) {
		check_err(err, sizeof(err));
		return 0;
	}
	round_trip(ti);
	evaluate(ti, size, data);
	aiops_timeint_free(ti);
	return 0;
}
