/*
 * t_retry.c: Retry-After (RFC 9110 §10.2.3, both forms and the obsolete
 * date forms of §5.6.7), the full-jitter backoff and the next attempt.
 */
#include "compat.h"

#include <stdint.h>
#include <string.h>

#include "net/retry.h"
#include "tap.h"

#define NS	1000000000LL
/* 1994-11-06T08:49:37Z, RFC 9110's example date. */
#define EX_DATE	784111777LL

static int
ra(const char *s, int64_t now, int64_t *d)
{
	return aiops_retry_after_parse(s, strlen(s), now, d);
}

static void
test_retry_after(void)
{
	int64_t d = -1, before = (EX_DATE - 120) * NS;

	ok(ra("120", 0, &d) == 0 && d == 120 * NS, "delay-seconds");
	ok(ra("0", 0, &d) == 0 && d == 0, "zero");
	ok(ra(" \t30 ", 0, &d) == 0 && d == 30 * NS, "spaces and tabs around");
	ok(ra("99999999999999999999999999", 0, &d) == 0 && d == AIOPS_RETRY_AFTER_MAX,
	    "huge delay clamped, no overflow");
	ok(ra("604801", 0, &d) == 0 && d == AIOPS_RETRY_AFTER_MAX, "a week and a second: clamped");
	ok(ra("Sun, 06 Nov 1994 08:49:37 GMT", before, &d) == 0 && d == 120 * NS, "IMF-fixdate");
	ok(ra("Sunday, 06-Nov-94 08:49:37 GMT", before, &d) == 0 && d == 120 * NS, "RFC 850 date");
	ok(ra("Sun Nov  6 08:49:37 1994", before, &d) == 0 && d == 120 * NS, "asctime date");
	ok(ra("Sun, 06 Nov 1994 08:49:37 GMT", (EX_DATE + 5) * NS, &d) == 0 && d == 0,
	    "a date in the past: no delay");
	ok(ra("Sun, 06 Nov 1994 08:49:37 GMT", INT64_MIN, &d) == 0 && d == AIOPS_RETRY_AFTER_MAX,
	    "now at the int64 minimum: clamped, no overflow");
	ok(ra("", 0, &d) == -1, "empty: bad");
	ok(ra("   ", 0, &d) == -1, "blank: bad");
	ok(ra("-5", 0, &d) == -1, "negative: bad");
	ok(ra("+5", 0, &d) == -1, "a sign: bad");
	ok(ra("1.5", 0, &d) == -1, "a fraction: bad");
	ok(ra("7s", 0, &d) == -1, "a unit: bad");
	ok(ra("3pm", 0, &d) == -1, "a time of day: bad");
	ok(ra("soon", 0, &d) == -1, "a word: bad");
	ok(aiops_retry_after_parse("12\0", 3, 0, &d) == -1, "a NUL byte: bad");
	ok(aiops_retry_after_parse("Sun, 06 Nov 1994\0 08:49:37 GMT", 30, 0, &d) == -1,
	    "a NUL inside a date: bad");
	ok(ra("Sun, 06 Nov 1994 08:49:37 GMT xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 0, &d) == -1,
	    "an over-long date: bad");
}

static void
test_backoff(void)
{
	struct aiops_backoff b = { 1 * NS, 60 * NS }, dflt = { 0, 0 }, inv = { 10 * NS, 1 * NS };
	int64_t d, sum = 0, max_seen = 0;
	unsigned k;
	int inside = 1, differ = 0;
	uint64_t seed;

	for (k = 0; k < 64; k++) {
		int64_t ceil = k < 6 ? (1LL << k) * NS : 60 * NS;

		d = aiops_backoff_delay(&b, k, 7);
		inside &= d >= 0 && d <= ceil;
		inside &= d == aiops_backoff_delay(&b, k, 7);
	}
	ok(inside, "attempt k waits in [0, min(cap, base 2^k)], the same for the same seed");
	d = aiops_backoff_delay(&b, UINT32_MAX, 7);
	ok(d >= 0 && d <= 60 * NS, "attempt 2^32-1: under the cap, no overflow");
	for (seed = 0; seed < 20000; seed++) {
		d = aiops_backoff_delay(&b, 10, seed);
		sum += d / 1000;
		if (d > max_seen)
			max_seen = d;
		differ += d != aiops_backoff_delay(&b, 10, seed + 1);
	}
	/* Uniform on [0, 60 s]: mean 30 s; 20000 draws give it within 1%. */
	ok(sum / 20000 > 29400000 && sum / 20000 < 30600000, "full jitter: mean half the cap (%lld us)",
	    (long long)(sum / 20000));
	ok(max_seen > 59 * NS, "it reaches near the cap");
	ok(differ > 19900, "seeds give different delays");
	d = aiops_backoff_delay(&dflt, 0, 1);
	ok(d >= 0 && d <= NS, "defaults: base 1 s");
	d = aiops_backoff_delay(&dflt, 40, 1);
	ok(d >= 0 && d <= 3600 * NS, "defaults: cap 1 h");
	d = aiops_backoff_delay(&inv, 5, 1);
	ok(d >= 0 && d <= 10 * NS, "a cap below the base is the base");
	ok(aiops_backoff_delay(&b, 3, 99) != aiops_backoff_delay(&b, 4, 99) ||
	    aiops_backoff_delay(&b, 5, 99) != aiops_backoff_delay(&b, 6, 99), "attempts draw differently");
}

static void
test_next(void)
{
	struct aiops_backoff b = { 1 * NS, 60 * NS };
	int64_t now = 1800000000LL * NS, at;

	at = aiops_retry_next(&b, 0, 5, now, NULL);
	ok(at >= now && at <= now + NS, "no Retry-After: the backoff");
	is_int(aiops_retry_next(&b, 0, 5, now, "30"), now + 30 * NS, "a later Retry-After wins");
	at = aiops_retry_next(&b, 20, 5, now, "0");
	is_int(at, now + aiops_backoff_delay(&b, 20, 5), "an earlier Retry-After loses to the backoff");
	at = aiops_retry_next(&b, 0, 5, now, "garbage");
	ok(at >= now && at <= now + NS, "an unreadable Retry-After is ignored");
	is_int(aiops_retry_next(&b, 0, 5, INT64_MAX - 5, "30"), INT64_MAX, "saturates at the end of time");
	is_int(aiops_retry_next(&b, 3, 5, now, "2"), aiops_retry_next(&b, 3, 5, now, "2"),
	    "deterministic: a replay gets the same time");
}

int
main(void)
{
	test_retry_after();
	test_backoff();
	test_next();
	return tap_done();
}
