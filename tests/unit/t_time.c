#include "compat.h"

#include <string.h>

#include "tap.h"
#include "core/timeutil.h"

static const char *
fmt(int64_t ns)
{
	static char buf[AIOPS_TIME_BUFSZ];

	aiops_time_format(ns, buf);
	return buf;
}

static int64_t
parse(const char *s)
{
	int64_t ns = -1;

	if (aiops_time_parse(s, strlen(s), &ns) == -1)
		return -1;
	return ns;
}

static int64_t
dur(const char *s)
{
	int64_t ns;

	return aiops_duration_parse(s, &ns) == 0 ? ns : -1;
}

int
main(void)
{
	const int64_t t = 1795348800LL * AIOPS_NS_PER_SEC;	/* 2026-11-22T12:00:00Z */
	int64_t ns;

	is_str(fmt(0), "1970-01-01T00:00:00.000Z", "the epoch");
	is_str(fmt(t + 250000000), "2026-11-22T12:00:00.250Z", "milliseconds");
	is_str(fmt(t + 250001000), "2026-11-22T12:00:00.250001Z", "microseconds when present");
	is_str(fmt(t + 1), "2026-11-22T12:00:00.000000001Z", "nanoseconds when present");
	is_str(fmt(-1), "1969-12-31T23:59:59.999999999Z", "before the epoch");
	is_str(fmt(951782400LL * AIOPS_NS_PER_SEC), "2000-02-29T00:00:00.000Z", "leap day 2000");
	is_int(parse("2026-11-22T12:00:00Z"), t, "RFC 3339 Z");
	is_int(parse("2026-11-22T12:00:00.25Z"), t + 250000000, "fraction");
	is_int(parse("2026-11-22T14:00:00+02:00"), t, "positive offset");
	is_int(parse("2026-11-22T07:30:00-0430"), t, "negative offset without colon");
	is_int(parse("2026-11-22 12:00:00"), t, "space and no zone (UTC)");
	is_int(parse("2026-11-22t12:00:00z"), t, "lower case t and z");
	is_int(parse("2026-11-22T12:00:00,5Z"), t + 500000000, "comma fraction");
	is_int(parse("2026-02-29T00:00:00Z"), -1, "no 29 February in 2026");
	is_int(parse("2026-13-01T00:00:00Z"), -1, "month 13");
	is_int(parse("2026-11-22T24:00:00Z"), -1, "hour 24");
	is_int(parse("2026-11-22T12:00:00Zjunk"), -1, "trailing junk");
	is_int(parse("9999-01-01T00:00:00Z"), -1, "past 2262 does not fit");
	is_int(parse("1000-01-01T00:00:00Z"), -1, "before 1677 does not fit");
	is_int(parse("2262-01-01T00:00:00Z"), 9214646400LL * AIOPS_NS_PER_SEC, "2262 fits");
	is_int(parse("2026-11-22T12:00"), -1, "truncated");
	is_int(parse("1795348800"), t, "epoch seconds");
	is_int(parse("1795348800000"), t, "epoch milliseconds");
	is_int(parse("1795348800000000"), t, "epoch microseconds");
	is_int(parse("1795348800000000000"), t, "epoch nanoseconds");
	is_int(parse("1795348800.5"), t + 500000000, "fractional seconds");
	is_int(parse("99999999999999999999999"), -1, "overflow");
	is_int(parse(""), -1, "empty");
	is_int(parse("12a"), -1, "not a number");
	ok(aiops_time_from_epoch("1795348800", 10, AIOPS_TU_MS, &ns) == 0 &&
	    ns == 1795348800LL * 1000000, "an explicit unit wins over the guess");
	is_int(dur("90s"), 90 * AIOPS_NS_PER_SEC, "seconds");
	is_int(dur("5m"), 300 * AIOPS_NS_PER_SEC, "minutes");
	is_int(dur("1h30m"), 5400 * AIOPS_NS_PER_SEC, "combined");
	is_int(dur("7d"), 7 * 86400 * AIOPS_NS_PER_SEC, "days");
	is_int(dur("250ms"), 250000000, "milliseconds");
	is_int(dur("2"), 2 * AIOPS_NS_PER_SEC, "a bare number is seconds");
	is_int(dur("5x"), -1, "unknown unit");
	is_int(dur("-5m"), -1, "negative");
	is_int(dur(""), -1, "empty duration");
	is_int(aiops_days_from_civil(1970, 1, 1), 0, "day 0");
	{
		int64_t y, d0;
		unsigned m, d;
		int all = 1;

		for (d0 = -800000; d0 < 800000; d0 += 37) {
			aiops_civil_from_days(d0, &y, &m, &d);
			all &= aiops_days_from_civil(y, m, d) == d0;
		}
		ok(all, "civil dates round-trip over four millennia");
	}
	return tap_done();
}
