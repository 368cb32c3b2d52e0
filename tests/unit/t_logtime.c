#include "compat.h"

#include <string.h>

#include "tap.h"
#include "core/logtime.h"
#include "core/timeutil.h"

#define H	AIOPS_LOGTIME_HEADER

static int64_t ref;	/* the reference of the tests below */

static int64_t
t(const char *rfc3339)
{
	int64_t ns = -1;

	if (aiops_time_parse_rfc3339(rfc3339, strlen(rfc3339), &ns) == -1)
		return -1;
	return ns;
}

/* The span s read with flags, as RFC 3339, or "-1". */
static const char *
span(const char *s, int flags)
{
	static char buf[AIOPS_TIME_BUFSZ];
	int64_t ns;

	if (aiops_logtime_parse(s, strlen(s), ref, flags, &ns) == -1)
		return "-1";
	aiops_time_format(ns, buf);
	return buf;
}

/* The time at the start of s: "length time", or "0". */
static const char *
lead(const char *s, int flags)
{
	static char buf[AIOPS_TIME_BUFSZ + 24];
	char ts[AIOPS_TIME_BUFSZ];
	int64_t ns;
	size_t n = aiops_logtime_scan(s, strlen(s), ref, flags, &ns);

	if (n == 0)
		return "0";
	aiops_time_format(ns, ts);
	snprintf(buf, sizeof(buf), "%zu %s", n, ts);
	return buf;
}

static void
iso(void)
{
	ref = t("2026-06-15T00:00:00Z");
	is_str(span("2026-01-05T00:00:00Z", 0), "2026-01-05T00:00:00.000Z", "RFC 3339");
	is_str(span("2026-01-05T00:00:00.25+02:00", 0), "2026-01-04T22:00:00.250Z", "offset");
	is_str(span("2026-01-05 00:00:00,747", 0), "2026-01-05T00:00:00.747Z", "blank, comma fraction (log4j)");
	is_str(span("2026-01-05 00:00:00 -0700", 0), "2026-01-05T07:00:00.000Z", "offset as a word");
	is_str(span("2026-01-05 00:00:00 UTC", 0), "2026-01-05T00:00:00.000Z", "UTC as a word");
	is_str(span("2026-01-05T00:00:00.123456789123Z", 0), "2026-01-05T00:00:00.123456789Z",
	    "fraction past nanoseconds dropped");
	is_str(span("2026/11/15 00:00:00.000", 0), "2026-11-15T00:00:00.000Z", "slashes (nvidia-smi)");
	is_str(span("2015.10.18 18:01:47", 0), "2015-10-18T18:01:47.000Z", "dots");
	is_str(span("2005-06-03-15.42.50.675872", 0), "2005-06-03T15:42:50.675872Z", "BGL");
	is_str(span("20171223-22:15:29:606", 0), "2017-12-23T22:15:29.606Z", "HealthApp");
	is_str(span("20171223T221529Z", 0), "2017-12-23T22:15:29.000Z", "ISO 8601 basic");
	is_str(span("17/06/09 20:10:40", 0), "2017-06-09T20:10:40.000Z", "YY/MM/DD (Spark)");
	is_str(span("10/Oct/2000:13:55:36 -0700", 0), "2000-10-10T20:55:36.000Z", "Apache access");
	is_str(span("Thu Jun 09 06:07:04 2005", 0), "2005-06-09T06:07:04.000Z", "asctime (Apache error)");
	is_str(span("Tue Dec  1 00:24:01 UTC 2026", 0), "2026-12-01T00:24:01.000Z", "date(1)");
	is_str(span("Mon 2026-11-30 09:15:02 UTC", 0), "2026-11-30T09:15:02.000Z", "journalctl short-full");
	is_str(span("69/01/01 00:00:00", 0), "1969-01-01T00:00:00.000Z", "two-digit year 69 is 1969");
	is_str(span("68/01/01 00:00:00", 0), "2068-01-01T00:00:00.000Z", "two-digit year 68 is 2068");
}

static void
numbers(void)
{
	ref = t("2026-06-15T00:00:00Z");
	is_str(span("081109 203615", H), "2008-11-09T20:36:15.000Z", "HDFS YYMMDD HHMMSS");
	is_str(span("081109 203615 148", H), "2008-11-09T20:36:15.000Z", "HDFS with its pid");
	is_str(span("081109 203615", 0), "-1", "HDFS only as a header");
	is_str(span("1117838570", H), "2005-06-03T22:42:50.000Z", "epoch seconds");
	is_str(span("1117838570.5", H), "2005-06-03T22:42:50.500Z", "epoch seconds, fraction");
	is_str(span("1117838570123", H), "2005-06-03T22:42:50.123Z", "epoch milliseconds");
	is_str(span("1117838570", 0), "-1", "epoch only as a header");
	is_str(span("11178385701", H), "-1", "eleven digits");
	is_str(span("1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872", H),
	    "2005-06-03T22:42:50.000Z", "BGL span: its epoch first");
	is_str(span("134681 node-246 node status 1077804742", H), "2004-02-26T14:12:22.000Z",
	    "HPC span: the epoch after the words");
	is_str(span("2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872", H),
	    "2005-06-03T15:42:50.675872Z", "a full time wins over a date before it");
	is_str(span("2015-10-18", H), "2015-10-18T00:00:00.000Z", "a date alone, as a header");
	is_str(span("2015-10-18", 0), "-1", "a date alone, not otherwise");
	ref = t("2026-06-15T12:00:00Z");
	is_str(span("16:49:06", H), "2026-06-15T16:49:06.000Z", "a time of day alone: nearest day");
	is_str(span("01:00:00", H), "2026-06-15T01:00:00.000Z", "... earlier the same day");
	ref = t("2026-06-15T23:00:00Z");
	is_str(span("01:00:00", H), "2026-06-16T01:00:00.000Z", "... the next day after midnight");
	is_str(span("16:49:06", 0), "-1", "a time of day alone, not otherwise");
}

static void
no_year(void)
{
	ref = t("2026-01-05T12:00:00Z");
	is_str(span("Jan  5 00:00:00", 0), "2026-01-05T00:00:00.000Z", "RFC 3164, padded day");
	is_str(span("Jan 05 00:00:00.250", 0), "2026-01-05T00:00:00.250Z", "zero day, fraction");
	is_str(span("Jan 5 00:00:00", 0), "2026-01-05T00:00:00.000Z", "bare day");
	is_str(span("Sep  1 09:02:26", 0), "2025-09-01T09:02:26.000Z", "September read in January: last year's");
	is_str(span("Mar  1 09:02:26", 0), "2026-03-01T09:02:26.000Z", "March read in January: this year's");
	is_str(span("Jun 14 15:16:01 2005", 0), "2005-06-14T15:16:01.000Z", "a year after the time");
	is_str(span("2026 Nov 20 22:23:27", 0), "2026-11-20T22:23:27.000Z", "a year first (NX-OS)");
	is_str(span("Nov 20 2026 22:23:27", 0), "2026-11-20T22:23:27.000Z", "a year after the day (ASA)");
	is_str(span("03-17 16:13:38.811  1702  2395", 0), "2026-03-17T16:13:38.811Z",
	    "logcat MM-DD, pids after it");
	is_str(span("10.30 16:49:06", 0), "2025-10-30T16:49:06.000Z", "Proxifier MM.DD");

	/* New Year, both ways. */
	ref = t("2026-01-01T00:00:10Z");
	is_str(span("Dec 31 23:59:59", 0), "2025-12-31T23:59:59.000Z", "Dec 31 read on Jan 1: last year");
	is_str(span("12-31 23:59:59.000", 0), "2025-12-31T23:59:59.000Z", "... MM-DD too");
	ref = t("2025-12-31T23:59:50Z");
	is_str(span("Jan  1 00:00:01", 0), "2026-01-01T00:00:01.000Z", "Jan 1 read on Dec 31: next year");

	/* Feb 29: the nearest leap year. */
	ref = t("2025-12-01T00:00:00Z");
	is_str(span("Feb 29 12:00:00", 0), "2024-02-29T12:00:00.000Z", "Feb 29 read in late 2025: 2024");
	ref = t("2027-06-01T00:00:00Z");
	is_str(span("Feb 29 12:00:00", 0), "2028-02-29T12:00:00.000Z", "... in mid 2027: 2028");
	ref = t("2099-06-01T00:00:00Z");
	is_str(span("Feb 29 12:00:00", 0), "2096-02-29T12:00:00.000Z", "... 2100 is no leap year");
	is_str(span("Feb 29 2026 12:00:00", 0), "-1", "Feb 29 of a year that has none");
	is_str(span("2026-02-29 12:00:00", 0), "-1", "... in ISO form");
	is_str(span("Nov 31 12:00:00", 0), "-1", "Nov 31");
}

static void
garbage(void)
{
	ref = t("2026-01-05T12:00:00Z");
	is_str(span("", H), "-1", "empty");
	is_str(span("hello world", H), "-1", "words");
	is_str(span("Jan", H), "-1", "a month alone");
	is_str(span("Jan  5", H), "-1", "a date without a time");
	is_str(span("Jan  5 00:00", 0), "-1", "no seconds");
	is_str(span("Jan  5 24:00:00", 0), "-1", "hour 24");
	is_str(span("Jan  5 00:60:00", 0), "-1", "minute 60");
	is_str(span("Jan 32 00:00:00", 0), "-1", "day 32");
	is_str(span("2026-13-01T00:00:00Z", H), "-1", "month 13");
	is_str(span("2026-01-05T00:00:00Zjunk", 0), "-1", "junk stuck to the time");
	is_str(span("2026-01-0", H), "-1", "truncated date");
	is_str(span("2026-01-05T00:0", 0), "-1", "truncated time, no header");
	is_str(span("2026-01-05T00:0", H), "-1", "truncated time, even in a header");
	is_str(span("Jan  5 00:00:00.1234567890", 0), "-1", "a BSD fraction past nanoseconds");
	is_str(span("17/13/09 20:10:40", 0), "-1", "YY/MM/DD with month 13");
	is_str(span("1.2.3 4:5:6", H), "-1", "a version number");
	is_str(span("2026-02-30 12:00:00 12:00:00", H), "-1", "a bad date is not made up by a later time");
	is_str(span("12/25/23 10:00:00", 0), "-1", "MM/DD/YY is not guessed");
	is_str(span("Jan  5 00:00:00 +2500", 0), "2026-01-05T00:00:00.000Z", "no such offset: not read");
}

static void
leading(void)
{
	ref = t("2026-01-05T12:00:00Z");
	is_str(lead("2026-01-05 00:00:03,120 INFO x", 0), "23 2026-01-05T00:00:03.120Z", "log4j");
	is_str(lead("[Thu Jun 09 06:07:04 2005] [notice] x", 0), "26 2005-06-09T06:07:04.000Z",
	    "a bracketed time");
	is_str(lead("[Thu Jun 09 06:07:04 2005 [notice] x", 0), "0", "an open bracket");
	is_str(lead("Jan  5 00:00:00 host x", 0), "15 2026-01-05T00:00:00.000Z", "RFC 3164");
	is_str(lead("2026-01-05T00:00:00Z", 0), "20 2026-01-05T00:00:00.000Z", "the whole text");
	is_str(lead("1736000000 bytes", 0), "0", "a number in prose is no time");
	is_str(lead("1736000000 bytes", H), "10 2025-01-04T14:13:20.000Z", "... but in a header");
	is_str(lead("2026-01-05T00:00:00Z, x", 0), "20 2026-01-05T00:00:00.000Z", "a comma ends it");
}

static void
bsd(void)
{
	struct aiops_logtime_tm tm;
	int64_t ns;

	is_int(aiops_logtime_bsd("Jan  5 00:00:00: %SYS", 21, &tm), 15, "BSD: Cisco's ':' is the caller's");
	is_int(aiops_logtime_bsd("*Jan  5 00:00:00", 16, &tm), 0, "BSD: '*' is the caller's");
	is_int(aiops_logtime_bsd("Jan  5 00:00:00 2026 host", 25, &tm), 20, "BSD: Aruba's year");
	is_int(tm.year, 2026, "BSD: ... read");
	is_int(aiops_logtime_bsd("Jan  5 00:00:00 2400 host", 25, &tm), 15, "BSD: 2400 is a host");
	is_int(aiops_logtime_bsd("Jan  5 0:00:00", 14, &tm), 0, "BSD: the hour padded");
	tm.year = -1;
	tm.mon = 2;
	tm.day = 29;
	tm.h = tm.mi = tm.sec = 0;
	tm.frac = 0;
	tm.off = 0;
	is_int(aiops_logtime_resolve(&tm, t("2026-01-01T00:00:00Z"), &ns), 0, "resolve: Feb 29");
	is_int(ns, t("2024-02-29T00:00:00Z"), "resolve: ... in 2024");
	tm.sec = 60;
	tm.year = 2026;
	tm.mon = 12;
	tm.day = 31;
	tm.h = 23;
	tm.mi = 59;
	is_int(aiops_logtime_resolve(&tm, 0, &ns), 0, "resolve: a leap second");
	is_int(ns, t("2027-01-01T00:00:00Z"), "resolve: ... folds onto the next second");
	tm.year = 1600;
	is_int(aiops_logtime_resolve(&tm, 0, &ns), -1, "resolve: 1600 does not fit");
}

int
main(void)
{
	iso();
	numbers();
	no_year();
	garbage();
	leading();
	bsd();
	return tap_done();
}
