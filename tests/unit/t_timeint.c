/*
 * t_timeint.c: Alertmanager time intervals (lib/notify/timeint.c): every
 * field, the errors (checked against amtool check-config 0.25), the
 * canonical text, the short front end, and evaluation in Europe/Paris,
 * America/New_York and Asia/Kathmandu across daylight-saving changes, with
 * next_change checked exact to the second and against a brute-force scan.
 */
#include "compat.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/timeutil.h"
#include "notify/timeint.h"
#include "tap.h"

#define SEC	AIOPS_NS_PER_SEC

/* An RFC 3339 instant in ns; aborts on a typo in the test itself. */
static int64_t
T(const char *s)
{
	int64_t ns;

	if (aiops_time_parse_rfc3339(s, strlen(s), &ns) == -1) {
		fprintf(stderr, "bad test time %s\n", s);
		abort();
	}
	return ns;
}

static char *
fmt(int64_t ns)
{
	static char buf[4][AIOPS_TIME_BUFSZ];
	static int k;

	k = (k + 1) % 4;
	aiops_time_format(ns, buf[k]);
	return buf[k];
}

static struct aiops_timeint *
P(const char *json)
{
	char err[256];
	struct aiops_timeint *ti = aiops_timeint_parse_text(json, strlen(json), err, sizeof(err));

	if (ti == NULL) {
		fprintf(stderr, "test interval %s: %s\n", json, err);
		abort();
	}
	return ti;
}

/* ------------------------------------------------------------------------ */

static void
test_canonical(void)
{
	static const struct { const char *in, *out; } c[] = {
		{ "[]", "[]" },
		{ "[null]", "[{}]" },
		{ "[{}]", "[{}]" },
		{ "[{\"times\":null,\"weekdays\":null,\"location\":null}]", "[{}]" },
		{ "[{\"weekdays\":[]}]", "[{\"weekdays\":[]}]" },
		{ "[{\"weekdays\":[\"Monday:FRIDAY\"],\"times\":[{\"end_time\":\"17:00\","
		  "\"start_time\":\"09:00\"}],\"months\":[\"1:march\"],\"days_of_month\":"
		  "[\"+5\",\"-7:-1\"],\"years\":[2024],\"location\":\"\"}]",
		  "[{\"times\":[{\"start_time\":\"09:00\",\"end_time\":\"17:00\"}],"
		  "\"weekdays\":[\"monday:friday\"],\"days_of_month\":[\"5\",\"-7:-1\"],"
		  "\"months\":[\"january:march\"],\"years\":[\"2024\"],\"location\":\"UTC\"}]" },
		{ "[{\"weekdays\":[\"sunday:saturday\",\"wednesday:wednesday\"]}]",
		  "[{\"weekdays\":[\"sunday:saturday\",\"wednesday\"]}]" },
		{ "[{\"days_of_month\":[\"05\",\"27:-1\",\"1:-1\",\"-31:-30\",\"-1\"]}]",
		  "[{\"days_of_month\":[\"5\",\"27:-1\",\"1:-1\",\"-31:-30\",\"-1\"]}]" },
		{ "[{\"months\":[\"12\",\"+3\",\"May:june\"],\"years\":[\"0\",\"2025:2027\"]}]",
		  "[{\"months\":[\"december\",\"march\",\"may:june\"],\"years\":[\"0\",\"2025:2027\"]}]" },
		{ "[{\"years\":[\"9223372036854775807\"]}]",
		  "[{\"years\":[\"9223372036854775807\"]}]" },
		{ "[{\"times\":[{\"start_time\":\"00:00\",\"end_time\":\"24:00\"},"
		  "{\"start_time\":\"23:59\",\"end_time\":\"24:00\"}]}]",
		  "[{\"times\":[{\"start_time\":\"00:00\",\"end_time\":\"24:00\"},"
		  "{\"start_time\":\"23:59\",\"end_time\":\"24:00\"}]}]" },
		{ "[{\"location\":\"Europe/Paris\"},{\"location\":\"Local\"},"
		  "{\"location\":\"EST5EDT\"}]",
		  "[{\"location\":\"Europe/Paris\"},{\"location\":\"Local\"},"
		  "{\"location\":\"EST5EDT\"}]" },
	};
	struct aiops_timeint *ti, *again;
	char *s, *s2;
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		ti = P(c[i].in);
		s = aiops_timeint_to_text(ti);
		is_str(s, c[i].out, "canonical %s", c[i].in);
		again = P(s);
		s2 = aiops_timeint_to_text(again);
		is_str(s2, s, "canonical text parses to itself: %s", s);
		free(s);
		free(s2);
		aiops_timeint_free(ti);
		aiops_timeint_free(again);
	}
}

/* Every invalid form, with the message the caller shows after file:line. */
static void
test_errors(void)
{
	static const struct { const char *in, *err; } c[] = {
		{ "{}", "time intervals: must be a list" },
		{ "[1]", "[0]: must be a mapping" },
		{ "[{}, \"x\"]", "[1]: must be a mapping" },
		{ "[{\"foo\":1}]", "[0].field foo not found in a time interval" },
		{ "[{\"weekdays\":\"monday\"}]", "[0].weekdays: must be a list" },
		{ "[{\"weekdays\":[[\"monday\"]]}]", "[0].weekdays[0]: must be a string" },
		{ "[{\"weekdays\":[true]}]", "[0].weekdays[0]: must be a string" },
		{ "[{\"weekdays\":[1.5]}]", "[0].weekdays[0]: must be a string" },
		{ "[{\"weekdays\":[\"monday\",\"funday\"]}]",
		  "[0].weekdays[1]: funday is not a valid weekday" },
		{ "[{\"weekdays\":[\"Mon\"]}]", "[0].weekdays[0]: mon is not a valid weekday" },
		{ "[{\"weekdays\":[\" monday\"]}]", "[0].weekdays[0]:  monday is not a valid weekday" },
		{ "[{\"weekdays\":[\"1\"]}]", "[0].weekdays[0]: 1 is not a valid weekday" },
		{ "[{\"weekdays\":[\"friday:monday\"]}]",
		  "[0].weekdays[0]: end day monday is before start day friday" },
		{ "[{\"weekdays\":[\"monday:\"]}]", "[0].weekdays[0]:  is not a valid weekday" },
		{ "[{\"weekdays\":[\"a:b:c\"]}]",
		  "[0].weekdays[0]: couldn't parse range a:b:c, invalid format" },
		{ "[{\"weekdays\":[\"mon\\u0000day\"]}]", "[0].weekdays[0]: must be a string" },
		{ "[{\"days_of_month\":[\"0\"]}]",
		  "[0].days_of_month[0]: 0 is not a valid day of the month: out of range" },
		{ "[{\"days_of_month\":[\"32\"]}]",
		  "[0].days_of_month[0]: 32 is not a valid day of the month: out of range" },
		{ "[{\"days_of_month\":[\"-32\"]}]",
		  "[0].days_of_month[0]: -32 is not a valid day of the month: out of range" },
		{ "[{\"days_of_month\":[\"1:40\"]}]",
		  "[0].days_of_month[0]: 40 is not a valid day of the month: out of range" },
		{ "[{\"days_of_month\":[\"-1:1\"]}]",
		  "[0].days_of_month[0]: end day must be negative if start day is negative" },
		{ "[{\"days_of_month\":[\"-3:-5\"]}]",
		  "[0].days_of_month[0]: end day -5 is always before start day -3" },
		{ "[{\"days_of_month\":[\"28:-1\"]}]",
		  "[0].days_of_month[0]: end day -1 is always before start day 28" },
		{ "[{\"days_of_month\":[\"10:5\"]}]",
		  "[0].days_of_month[0]: end day 5 is always before start day 10" },
		{ "[{\"days_of_month\":[\"1:2:3\"]}]",
		  "[0].days_of_month[0]: couldn't parse range 1:2:3, invalid format" },
		{ "[{\"days_of_month\":[\"5:\"]}]",
		  "[0].days_of_month[0]:  is not a valid day of the month" },
		{ "[{\"days_of_month\":[\" 5\"]}]",
		  "[0].days_of_month[0]:  5 is not a valid day of the month" },
		{ "[{\"days_of_month\":[\"5x\"]}]",
		  "[0].days_of_month[0]: 5x is not a valid day of the month" },
		{ "[{\"days_of_month\":[\"+\"]}]",
		  "[0].days_of_month[0]: + is not a valid day of the month" },
		{ "[{\"days_of_month\":[\"0x5\"]}]",
		  "[0].days_of_month[0]: 0x5 is not a valid day of the month" },
		{ "[{\"days_of_month\":[\"99999999999999999999\"]}]",
		  "[0].days_of_month[0]: 99999999999999999999 is not a valid day of the month: out of range" },
		{ "[{\"months\":[\"0\"]}]", "[0].months[0]: 0 is not a valid month: out of range" },
		{ "[{\"months\":[\"13\"]}]", "[0].months[0]: 13 is not a valid month: out of range" },
		{ "[{\"months\":[\"jan\"]}]", "[0].months[0]: jan is not a valid month" },
		{ "[{\"months\":[\"December:january\"]}]",
		  "[0].months[0]: end month january is before start month december" },
		{ "[{\"months\":[\"12:1\"]}]",
		  "[0].months[0]: end month january is before start month december" },
		{ "[{\"years\":[\"-1\"]}]", "[0].years[0]: -1 is not a valid year: negative" },
		{ "[{\"years\":[\"2025:2024\"]}]",
		  "[0].years[0]: end year 2024 is before start year 2025" },
		{ "[{\"years\":[\"2020:\"]}]", "[0].years[0]:  is not a valid year" },
		{ "[{\"years\":[\"9223372036854775808\"]}]",
		  "[0].years[0]: 9223372036854775808 is not a valid year: out of range" },
		{ "[{\"times\":{}}]", "[0].times: must be a list" },
		{ "[{\"times\":[\"09:00-17:00\"]}]",
		  "[0].times[0]: must be a mapping with start_time and end_time" },
		{ "[{\"times\":[{\"start_time\":\"09:00\"}]}]",
		  "[0].times[0]: both start and end times must be provided" },
		{ "[{\"times\":[{\"start_time\":\"09:00\",\"end_time\":\"\"}]}]",
		  "[0].times[0]: both start and end times must be provided" },
		{ "[{\"times\":[{\"start_time\":\"9:00\",\"end_time\":\"17:00\"}]}]",
		  "[0].times[0]: couldn't parse timestamp 9:00, invalid format" },
		{ "[{\"times\":[{\"start_time\":\"09:60\",\"end_time\":\"17:00\"}]}]",
		  "[0].times[0]: couldn't parse timestamp 09:60, invalid format" },
		{ "[{\"times\":[{\"start_time\":\"09:00\",\"end_time\":\"24:01\"}]}]",
		  "[0].times[0]: couldn't parse timestamp 24:01, invalid format" },
		{ "[{\"times\":[{\"start_time\":\"09:00\",\"end_time\":\"25:00\"}]}]",
		  "[0].times[0]: couldn't parse timestamp 25:00, invalid format" },
		{ "[{\"times\":[{\"start_time\":\"09:00\",\"end_time\":\"17:00:00\"}]}]",
		  "[0].times[0]: couldn't parse timestamp 17:00:00, invalid format" },
		{ "[{\"times\":[{\"start_time\":\"0900\",\"end_time\":\"17:00\"}]}]",
		  "[0].times[0]: couldn't parse timestamp 0900, invalid format" },
		{ "[{\"times\":[{\"start_time\":900,\"end_time\":\"17:00\"}]}]",
		  "[0].times[0]: couldn't parse timestamp 900, invalid format" },
		{ "[{\"times\":[{\"start_time\":[],\"end_time\":\"17:00\"}]}]",
		  "[0].times[0]: start_time: must be a string" },
		{ "[{\"times\":[{\"start_time\":\"17:00\",\"end_time\":\"09:00\"}]}]",
		  "[0].times[0]: start time cannot be equal or greater than end time" },
		{ "[{\"times\":[{\"start_time\":\"09:00\",\"end_time\":\"09:00\"}]}]",
		  "[0].times[0]: start time cannot be equal or greater than end time" },
		{ "[{\"times\":[{\"start_time\":\"24:00\",\"end_time\":\"24:00\"}]}]",
		  "[0].times[0]: start time cannot be equal or greater than end time" },
		{ "[{\"times\":[{\"start_time\":\"09:00\",\"end_time\":\"17:00\",\"foo\":1}]}]",
		  "[0].times[0]: field foo not found in a time range" },
		{ "[{\"location\":\"Nowhere/X\"}]", "[0].location: unknown time zone Nowhere/X" },
		{ "[{\"location\":\"europe/paris\"}]", "[0].location: unknown time zone europe/paris" },
		{ "[{\"location\":\"Europe\"}]", "[0].location: unknown time zone Europe" },
		{ "[{\"location\":\"../etc/passwd\"}]", "[0].location: time: invalid location name" },
		{ "[{\"location\":\"Europe/../UTC\"}]", "[0].location: time: invalid location name" },
		{ "[{\"location\":\"/usr/share/zoneinfo/UTC\"}]",
		  "[0].location: time: invalid location name" },
		{ "[{\"location\":\"zone.tab\"}]", "[0].location: malformed time zone information" },
		{ "[{\"location\":\"CET-1CEST\"}]", "[0].location: unknown time zone CET-1CEST" },
		{ "[{\"location\":[\"UTC\"]}]", "[0].location: must be a string" },
		{ "[{}, {\"weekdays\":[\"monday\"]}, {\"months\":[\"x\"]}]",
		  "[2].months[0]: x is not a valid month" },
	};
	struct aiops_timeint *ti;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		memset(err, 'x', sizeof(err));
		ti = aiops_timeint_parse_text(c[i].in, strlen(c[i].in), err, sizeof(err));
		ok(ti == NULL, "refused: %s", c[i].in);
		is_str(ti == NULL ? err : "", c[i].err, "message for %s", c[i].in);
		aiops_timeint_free(ti);
	}
	ti = aiops_timeint_parse_text("[{", 2, err, sizeof(err));
	ok(ti == NULL && strstr(err, "column") != NULL, "bad JSON: %s", err);
	ti = aiops_timeint_parse_text("[{\"times\":null,\"times\":null}]", 29, err, sizeof(err));
	ok(ti == NULL && strstr(err, "duplicate") != NULL, "duplicate key: %s", err);
	/* A tiny buffer is still a C string; errlen 0 writes nothing. */
	ti = aiops_timeint_parse_text("[{\"weekdays\":[\"x\"]}]", 20, err, 4);
	ok(ti == NULL && strcmp(err, "[0]") == 0, "truncated message \"%s\"", err);
	ti = aiops_timeint_parse_text("[{\"weekdays\":[\"x\"]}]", 20, NULL, 0);
	ok(ti == NULL, "errlen 0");
}

/* ------------------------------------------------------------------------ */

static void
in(const char *json, const char *when, const char *tz, int want)
{
	struct aiops_timeint *ti = P(json);

	is_int(aiops_timeint_contains(ti, T(when), tz), want, "%s at %s (%s): %s",
	    json, when, tz ? tz : "UTC", want ? "in" : "out");
	aiops_timeint_free(ti);
}

static void
test_fields(void)
{
	const char *biz = "[{\"times\":[{\"start_time\":\"09:00\",\"end_time\":\"17:00\"}]}]";
	const char *late = "[{\"times\":[{\"start_time\":\"23:00\",\"end_time\":\"24:00\"}]}]";

	/* times: [start, end), minutes. */
	in(biz, "2024-01-01T08:59:59Z", NULL, 0);
	in(biz, "2024-01-01T09:00:00Z", NULL, 1);
	in(biz, "2024-01-01T16:59:59.999Z", NULL, 1);
	in(biz, "2024-01-01T17:00:00Z", NULL, 0);
	in(late, "2024-01-01T23:59:59Z", NULL, 1);
	in(late, "2024-01-02T00:00:00Z", NULL, 0);
	in(late, "2024-01-01T22:59:59Z", NULL, 0);
	/* Empty lists match nothing; absent fields everything. */
	in("[{}]", "2024-01-01T00:00:00Z", NULL, 1);
	in("[null]", "2024-01-01T00:00:00Z", NULL, 1);
	in("[]", "2024-01-01T00:00:00Z", NULL, 0);
	in("[{\"weekdays\":[]}]", "2024-01-01T00:00:00Z", NULL, 0);
	in("[{\"times\":[]},{\"years\":[\"2024\"]}]", "2024-01-01T00:00:00Z", NULL, 1);
	/* weekdays: 2024-01-01 is a Monday. */
	in("[{\"weekdays\":[\"monday:friday\"]}]", "2024-01-01T12:00:00Z", NULL, 1);
	in("[{\"weekdays\":[\"monday:friday\"]}]", "2024-01-06T12:00:00Z", NULL, 0);
	in("[{\"weekdays\":[\"monday:friday\"]}]", "2024-01-05T23:59:59Z", NULL, 1);
	in("[{\"weekdays\":[\"saturday\",\"sunday\"]}]", "2024-01-07T00:00:00Z", NULL, 1);
	in("[{\"weekdays\":[\"SUNDAY\"]}]", "2024-01-08T00:00:00Z", NULL, 0);
	/* days_of_month, negatives, February in leap and common years. */
	in("[{\"days_of_month\":[\"-1\"]}]", "2024-02-29T10:00:00Z", NULL, 1);
	in("[{\"days_of_month\":[\"-1\"]}]", "2024-02-28T10:00:00Z", NULL, 0);
	in("[{\"days_of_month\":[\"-1\"]}]", "2023-02-28T10:00:00Z", NULL, 1);
	in("[{\"days_of_month\":[\"-1\"]}]", "2023-12-31T10:00:00Z", NULL, 1);
	in("[{\"days_of_month\":[\"-1\"]}]", "2023-04-30T10:00:00Z", NULL, 1);
	in("[{\"days_of_month\":[\"-2\"]}]", "2024-02-28T10:00:00Z", NULL, 1);
	in("[{\"days_of_month\":[\"-2\"]}]", "2023-02-27T10:00:00Z", NULL, 1);
	in("[{\"days_of_month\":[\"-7:-1\"]}]", "2024-02-23T00:00:00Z", NULL, 1);
	in("[{\"days_of_month\":[\"-7:-1\"]}]", "2024-02-22T23:59:59Z", NULL, 0);
	in("[{\"days_of_month\":[\"-7:-1\"]}]", "2023-02-22T00:00:00Z", NULL, 1);
	in("[{\"days_of_month\":[\"-7:-1\"]}]", "2023-02-21T00:00:00Z", NULL, 0);
	in("[{\"days_of_month\":[\"1:-1\"]}]", "2023-02-28T00:00:00Z", NULL, 1);
	in("[{\"days_of_month\":[\"29:31\"]}]", "2023-02-28T00:00:00Z", NULL, 0);
	in("[{\"days_of_month\":[\"29:31\"]}]", "2024-02-29T00:00:00Z", NULL, 1);
	in("[{\"days_of_month\":[\"30\"]}]", "2024-02-29T00:00:00Z", NULL, 0);
	in("[{\"days_of_month\":[\"1:31\"]}]", "2023-02-28T00:00:00Z", NULL, 1);
	in("[{\"days_of_month\":[\"-31\"]}]", "2024-01-01T00:00:00Z", NULL, 1);
	in("[{\"days_of_month\":[\"-31\"]}]", "2024-01-02T00:00:00Z", NULL, 0);
	in("[{\"days_of_month\":[\"-31\"]}]", "2024-02-01T00:00:00Z", NULL, 0);
	in("[{\"days_of_month\":[\"-31:-29\"]}]", "2024-02-01T00:00:00Z", NULL, 1);
	in("[{\"days_of_month\":[\"-31:-29\"]}]", "2023-02-01T00:00:00Z", NULL, 0);
	in("[{\"days_of_month\":[\"27:-1\"]}]", "2023-02-26T00:00:00Z", NULL, 0);
	in("[{\"days_of_month\":[\"27:-1\"]}]", "2023-02-27T00:00:00Z", NULL, 1);
	/* months, years. */
	in("[{\"months\":[\"january:march\"]}]", "2024-03-31T23:59:59Z", NULL, 1);
	in("[{\"months\":[\"january:march\"]}]", "2024-04-01T00:00:00Z", NULL, 0);
	in("[{\"months\":[\"12\"]}]", "2024-12-01T00:00:00Z", NULL, 1);
	in("[{\"years\":[\"2024:2025\"]}]", "2025-12-31T23:59:59Z", NULL, 1);
	in("[{\"years\":[\"2024:2025\"]}]", "2026-01-01T00:00:00Z", NULL, 0);
	in("[{\"years\":[\"2024:2025\"]}]", "2023-12-31T23:59:59Z", NULL, 0);
	/* AND inside an entry, OR across entries. */
	in("[{\"weekdays\":[\"monday\"],\"times\":[{\"start_time\":\"09:00\",\"end_time\":\"10:00\"}]}]",
	    "2024-01-01T09:30:00Z", NULL, 1);
	in("[{\"weekdays\":[\"monday\"],\"times\":[{\"start_time\":\"09:00\",\"end_time\":\"10:00\"}]}]",
	    "2024-01-02T09:30:00Z", NULL, 0);
	in("[{\"weekdays\":[\"monday\"]},{\"weekdays\":[\"tuesday\"]}]", "2024-01-02T09:30:00Z", NULL, 1);
	/* location, and the caller's zone for entries without one. */
	in("[{\"times\":[{\"start_time\":\"09:00\",\"end_time\":\"17:00\"}],\"location\":\"Europe/Paris\"}]",
	    "2024-01-01T08:00:00Z", NULL, 1);
	in("[{\"times\":[{\"start_time\":\"09:00\",\"end_time\":\"17:00\"}],\"location\":\"Europe/Paris\"}]",
	    "2024-01-01T16:00:00Z", NULL, 0);
	in(biz, "2024-01-01T08:00:00Z", "Europe/Paris", 1);
	in(biz, "2024-01-01T08:00:00Z", "", 0);
	in("[{\"times\":[{\"start_time\":\"09:00\",\"end_time\":\"17:00\"}],\"location\":\"UTC\"}]",
	    "2024-01-01T08:00:00Z", "Europe/Paris", 0);
	/* The date is the local one: Monday 00:30 in Paris is Sunday in UTC. */
	in("[{\"weekdays\":[\"monday\"],\"location\":\"Europe/Paris\"}]", "2023-12-31T23:30:00Z", NULL, 1);
	in("[{\"days_of_month\":[\"-1\"],\"months\":[\"december\"],\"years\":[\"2023\"],"
	    "\"location\":\"America/New_York\"}]", "2024-01-01T04:59:59Z", NULL, 1);
	/* Kathmandu is +05:45. */
	in("[{\"times\":[{\"start_time\":\"09:00\",\"end_time\":\"17:00\"}],\"location\":\"Asia/Kathmandu\"}]",
	    "2024-01-01T03:14:59Z", NULL, 0);
	in("[{\"times\":[{\"start_time\":\"09:00\",\"end_time\":\"17:00\"}],\"location\":\"Asia/Kathmandu\"}]",
	    "2024-01-01T03:15:00Z", NULL, 1);
	/* Entries in different zones. */
	in("[{\"times\":[{\"start_time\":\"09:00\",\"end_time\":\"10:00\"}],\"location\":\"Asia/Tokyo\"},"
	    "{\"times\":[{\"start_time\":\"09:00\",\"end_time\":\"10:00\"}],\"location\":\"America/New_York\"}]",
	    "2024-01-01T14:30:00Z", NULL, 1);
	in("[{\"times\":[{\"start_time\":\"09:00\",\"end_time\":\"10:00\"}],\"location\":\"Asia/Tokyo\"},"
	    "{\"times\":[{\"start_time\":\"09:00\",\"end_time\":\"10:00\"}],\"location\":\"America/New_York\"}]",
	    "2024-01-01T00:30:00Z", NULL, 1);
	in("[{\"times\":[{\"start_time\":\"09:00\",\"end_time\":\"10:00\"}],\"location\":\"Asia/Tokyo\"},"
	    "{\"times\":[{\"start_time\":\"09:00\",\"end_time\":\"10:00\"}],\"location\":\"America/New_York\"}]",
	    "2024-01-01T08:30:00Z", NULL, 0);
	/* Before 1970, and far ahead. */
	in("[{\"years\":[\"1969\"],\"months\":[\"12\"],\"days_of_month\":[\"-1\"]}]",
	    "1969-12-31T23:59:59Z", NULL, 1);
	in("[{\"years\":[\"2262\"]}]", "2262-01-01T00:00:00Z", NULL, 1);
}

/* Local is the process's zone: TZ as it was before the call. */
static void
test_tz_env(void)
{
	struct aiops_timeint *ti = P("[{\"times\":[{\"start_time\":\"09:00\",\"end_time\":\"17:00\"}],"
	    "\"location\":\"Local\"}]");
	struct aiops_timeint *paris = P("[{\"location\":\"Europe/Paris\","
	    "\"times\":[{\"start_time\":\"09:00\",\"end_time\":\"17:00\"}]}]");
	int64_t t = T("2024-01-01T20:00:00Z"), nx;
	char err[128];

	setenv("TZ", "America/New_York", 1);
	tzset();
	is_int(aiops_timeint_contains(ti, t, NULL), 1, "Local is New York: 15:00 inside");
	is_int(aiops_timeint_contains(paris, t, NULL), 0, "Paris: 21:00 outside");
	is_str(getenv("TZ"), "America/New_York", "TZ restored after contains");
	(void)aiops_timeint_next_change(paris, t, NULL, &nx);
	is_str(getenv("TZ"), "America/New_York", "TZ restored after next_change");
	is_int(timezone, 5 * 3600, "libc's zone state restored too");
	unsetenv("TZ");
	tzset();
	(void)aiops_timeint_contains(paris, t, NULL);
	ok(getenv("TZ") == NULL, "unset TZ stays unset");
	setenv("TZ", "UTC0", 1);
	tzset();
	is_int(aiops_timeint_contains(ti, t, NULL), 0, "Local is UTC now: 20:00 outside");
	is_int(aiops_timeint_contains(ti, t, "Local"), 0, "deftz Local");
	unsetenv("TZ");
	tzset();
	is_int(aiops_timeint_zone_check("Europe/Paris", err, sizeof(err)), 0, "zone check ok");
	is_int(aiops_timeint_zone_check("", err, sizeof(err)), 0, "zone check: empty is UTC");
	is_int(aiops_timeint_zone_check("Mars/Olympus", err, sizeof(err)), -1, "zone check bad");
	is_str(err, "unknown time zone Mars/Olympus", "zone check message");
	aiops_timeint_free(ti);
	aiops_timeint_free(paris);
}

/* ------------------------------------------------------------------------ */

/* next_change from `from` is exactly `want` (found). */
static void
nc(const struct aiops_timeint *ti, const char *tz, const char *from, const char *want,
    const char *what)
{
	int64_t nx = 0;
	int found = aiops_timeint_next_change(ti, T(from), tz, &nx);

	ok(found == 1 && nx == T(want), "%s: next change after %s is %s (got %s, %d)",
	    what, from, want, fmt(nx), found);
}

static const char *const w0100 = "[{\"times\":[{\"start_time\":\"01:00\",\"end_time\":\"02:00\"}]}]";
static const char *const w0200 = "[{\"times\":[{\"start_time\":\"02:00\",\"end_time\":\"03:00\"}]}]";

/*
 * Europe/Paris 2024: CET->CEST on 31 March at 01:00Z (02:00 -> 03:00),
 * CEST->CET on 27 October at 01:00Z (03:00 -> 02:00).
 */
static void
test_paris(void)
{
	struct aiops_timeint *a = P(w0100), *b = P(w0200);
	const char *z = "Europe/Paris";

	/* Spring forward: 01:00-02:00 CET is 00:00Z-01:00Z. */
	in(w0100, "2024-03-30T23:59:59Z", z, 0);
	in(w0100, "2024-03-31T00:00:00Z", z, 1);
	in(w0100, "2024-03-31T00:59:59Z", z, 1);
	in(w0100, "2024-03-31T01:00:00Z", z, 0);
	nc(a, z, "2024-03-30T22:00:00Z", "2024-03-31T00:00:00Z", "Paris spring 01-02 start");
	nc(a, z, "2024-03-31T00:00:00Z", "2024-03-31T01:00:00Z", "Paris spring 01-02 end");
	/* 02:00-03:00 does not exist that night: empty, as Alertmanager. */
	in(w0200, "2024-03-31T00:59:59Z", z, 0);
	in(w0200, "2024-03-31T01:00:00Z", z, 0);
	in(w0200, "2024-03-31T01:30:00Z", z, 0);
	nc(b, z, "2024-03-30T23:30:00Z", "2024-04-01T00:00:00Z", "Paris spring 02-03 skipped");
	nc(b, z, "2024-04-01T00:00:00Z", "2024-04-01T01:00:00Z", "Paris 02-03 next day end");
	/* The day before: 02:00 CET is 01:00Z. */
	nc(b, z, "2024-03-29T12:00:00Z", "2024-03-30T01:00:00Z", "Paris 02-03 before");
	/* Fall back: 02:00-03:00 is lived twice, 00:00Z-02:00Z. */
	in(w0200, "2024-10-26T23:59:59Z", z, 0);
	in(w0200, "2024-10-27T00:00:00Z", z, 1);
	in(w0200, "2024-10-27T00:59:59Z", z, 1);
	in(w0200, "2024-10-27T01:00:00Z", z, 1);
	in(w0200, "2024-10-27T01:59:59Z", z, 1);
	in(w0200, "2024-10-27T02:00:00Z", z, 0);
	nc(b, z, "2024-10-26T12:00:00Z", "2024-10-27T00:00:00Z", "Paris fall 02-03 start");
	nc(b, z, "2024-10-27T00:00:00Z", "2024-10-27T02:00:00Z", "Paris fall 02-03 end (2 h)");
	nc(b, z, "2024-10-27T00:59:59.5Z", "2024-10-27T02:00:00Z", "Paris fall 02-03 across jump");
	/* 01:00-02:00 CEST that night: 23:00Z-00:00Z, one hour. */
	nc(a, z, "2024-10-26T22:00:00Z", "2024-10-26T23:00:00Z", "Paris fall 01-02 start");
	nc(a, z, "2024-10-26T23:00:00Z", "2024-10-27T00:00:00Z", "Paris fall 01-02 end");
	aiops_timeint_free(a);
	aiops_timeint_free(b);
}

/*
 * America/New_York 2024: EST->EDT on 10 March at 07:00Z (02:00 -> 03:00),
 * EDT->EST on 3 November at 06:00Z (02:00 -> 01:00).
 */
static void
test_new_york(void)
{
	struct aiops_timeint *a = P(w0100), *b = P(w0200);
	const char *z = "America/New_York";

	nc(a, z, "2024-03-10T05:00:00Z", "2024-03-10T06:00:00Z", "NY spring 01-02 start");
	nc(a, z, "2024-03-10T06:00:00Z", "2024-03-10T07:00:00Z", "NY spring 01-02 end");
	in(w0200, "2024-03-10T07:00:00Z", z, 0);
	in(w0200, "2024-03-10T06:59:59Z", z, 0);
	nc(b, z, "2024-03-10T06:30:00Z", "2024-03-11T06:00:00Z", "NY spring 02-03 skipped");
	/* Fall back: 01:00-02:00 is lived twice, 05:00Z-07:00Z. */
	in(w0100, "2024-11-03T05:59:59Z", z, 1);
	in(w0100, "2024-11-03T06:00:00Z", z, 1);
	in(w0100, "2024-11-03T06:59:59Z", z, 1);
	in(w0100, "2024-11-03T07:00:00Z", z, 0);
	nc(a, z, "2024-11-03T04:30:00Z", "2024-11-03T05:00:00Z", "NY fall 01-02 start");
	nc(a, z, "2024-11-03T05:00:00Z", "2024-11-03T07:00:00Z", "NY fall 01-02 end (2 h)");
	nc(b, z, "2024-11-03T05:00:00Z", "2024-11-03T07:00:00Z", "NY fall 02-03 start (EST)");
	nc(b, z, "2024-11-03T07:00:00Z", "2024-11-03T08:00:00Z", "NY fall 02-03 end");
	aiops_timeint_free(a);
	aiops_timeint_free(b);
}

static void
test_next_change(void)
{
	struct aiops_timeint *ti;
	int64_t nx, t;

	ti = P("[{\"times\":[{\"start_time\":\"09:00\",\"end_time\":\"17:00\"}],"
	    "\"weekdays\":[\"monday:friday\"]}]");
	nc(ti, NULL, "2024-01-05T16:59:59.999999999Z", "2024-01-05T17:00:00Z", "Friday end");
	nc(ti, NULL, "2024-01-05T17:00:00Z", "2024-01-08T09:00:00Z", "over the weekend");
	nc(ti, NULL, "2024-01-08T08:59:59.000000001Z", "2024-01-08T09:00:00Z", "Monday start");
	nc(ti, "Asia/Kathmandu", "2024-01-08T00:00:00Z", "2024-01-08T03:15:00Z", "Kathmandu +05:45");
	aiops_timeint_free(ti);
	/* Adjacent ranges are one window: no change at 12:00. */
	ti = P("[{\"times\":[{\"start_time\":\"09:00\",\"end_time\":\"12:00\"},"
	    "{\"start_time\":\"12:00\",\"end_time\":\"17:00\"}]}]");
	nc(ti, NULL, "2024-01-01T10:00:00Z", "2024-01-01T17:00:00Z", "adjacent ranges");
	aiops_timeint_free(ti);
	/* Until 24:00 then from 00:00 next day: one window across midnight. */
	ti = P("[{\"times\":[{\"start_time\":\"22:00\",\"end_time\":\"24:00\"}]},"
	    "{\"times\":[{\"start_time\":\"00:00\",\"end_time\":\"06:00\"}]}]");
	nc(ti, NULL, "2024-01-01T23:00:00Z", "2024-01-02T06:00:00Z", "across midnight");
	aiops_timeint_free(ti);
	/* The last day of February. */
	ti = P("[{\"days_of_month\":[\"-1\"],\"months\":[\"february\"]}]");
	nc(ti, NULL, "2024-01-15T00:00:00Z", "2024-02-29T00:00:00Z", "leap Feb last day");
	nc(ti, NULL, "2024-02-29T00:00:00Z", "2024-03-01T00:00:00Z", "leap Feb last day end");
	nc(ti, NULL, "2023-01-15T00:00:00Z", "2023-02-28T00:00:00Z", "Feb last day");
	aiops_timeint_free(ti);
	/* Years ahead: not within the horizon, ask again at its end. */
	ti = P("[{\"years\":[\"2030\"]}]");
	t = T("2026-05-01T12:00:00.5Z");
	is_int(aiops_timeint_next_change(ti, t, NULL, &nx), 0, "2030 is beyond the horizon");
	is_int(nx, t + AIOPS_TIMEINT_HORIZON_S * SEC, "ask again at the horizon");
	nc(ti, NULL, "2029-06-01T00:00:00Z", "2030-01-01T00:00:00Z", "2030 within a year");
	nc(ti, NULL, "2030-06-01T00:00:00Z", "2031-01-01T00:00:00Z", "2030 ends");
	aiops_timeint_free(ti);
	/* Never and always change nothing. */
	ti = P("[]");
	is_int(aiops_timeint_next_change(ti, t, NULL, &nx), 0, "never: no change");
	aiops_timeint_free(ti);
	ti = P("[{}]");
	is_int(aiops_timeint_next_change(ti, t, "Europe/Paris", &nx), 0, "always: no change");
	aiops_timeint_free(ti);
	/* At the edge of int64 nanoseconds. */
	ti = P("[{\"times\":[{\"start_time\":\"01:00\",\"end_time\":\"02:00\"}]}]");
	(void)aiops_timeint_next_change(ti, INT64_MAX - 5, NULL, &nx);
	ok(nx >= INT64_MAX - 5, "next_change near INT64_MAX does not wrap");
	(void)aiops_timeint_next_change(ti, INT64_MIN + 5, NULL, &nx);
	ok(nx > INT64_MIN + 5, "next_change near INT64_MIN moves forward");
	aiops_timeint_free(ti);
}

/*
 * next_change against brute force: from `from`, follow the changes for
 * `days`; each must be a real change (the second before differs) and no
 * minute or zone jump in between may differ (every candidate instant).
 */
static void
brute(const char *json, const char *tz, const char *from, int days)
{
	struct aiops_timeint *ti = P(json);
	int64_t cur = T(from), end = cur + (int64_t)days * 86400 * SEC, nx, s;
	int bad = 0, changes = 0, st, found;

	while (cur < end && !bad) {
		st = aiops_timeint_contains(ti, cur, tz);
		found = aiops_timeint_next_change(ti, cur, tz, &nx);
		if (!found)
			nx = end;
		/* Every 15 s in between keeps the state (offsets are whole minutes, windows too). */
		for (s = (cur / (15 * SEC) + 1) * 15 * SEC; s < nx && s < end; s += 15 * SEC)
			if (aiops_timeint_contains(ti, s, tz) != st) {
				printf("# %s %s: change at %s missed (next said %s)\n", json,
				    tz ? tz : "UTC", fmt(s), fmt(nx));
				bad = 1;
				break;
			}
		if (found && nx < end && !bad) {
			if (aiops_timeint_contains(ti, nx, tz) == st ||
			    aiops_timeint_contains(ti, nx - SEC, tz) != st) {
				printf("# %s: %s is no change\n", json, fmt(nx));
				bad = 1;
			}
			changes++;
		}
		cur = nx;
	}
	ok(!bad && changes > 0, "brute force agrees: %s in %s from %s (%d changes)", json,
	    tz ? tz : "UTC", from, changes);
	aiops_timeint_free(ti);
}

static void
test_brute(void)
{
	brute(w0100, "Europe/Paris", "2024-03-29T00:00:00Z", 4);
	brute(w0200, "Europe/Paris", "2024-10-25T00:00:00Z", 4);
	brute(w0100, "America/New_York", "2024-11-01T00:00:00Z", 4);
	brute("[{\"times\":[{\"start_time\":\"00:00\",\"end_time\":\"03:30\"},"
	    "{\"start_time\":\"22:15\",\"end_time\":\"24:00\"}],\"weekdays\":[\"sunday\",\"saturday\"]}]",
	    "America/New_York", "2024-03-08T00:00:00Z", 4);
	brute("[{\"days_of_month\":[\"-1\"],\"times\":[{\"start_time\":\"23:00\",\"end_time\":\"24:00\"}]},"
	    "{\"weekdays\":[\"monday\"],\"location\":\"Asia/Kathmandu\"}]",
	    "Europe/Paris", "2024-03-28T00:00:00Z", 6);
	/* Lord Howe moves by 30 minutes; Santiago changes at midnight. */
	brute("[{\"times\":[{\"start_time\":\"01:30\",\"end_time\":\"02:15\"}]}]",
	    "Australia/Lord_Howe", "2024-04-05T00:00:00Z", 3);
	brute("[{\"weekdays\":[\"sunday\"]}]", "America/Santiago", "2024-04-05T00:00:00Z", 4);
	brute("[{\"weekdays\":[\"saturday\"]}]", "America/Santiago", "2024-09-06T00:00:00Z", 4);
}

/* ------------------------------------------------------------------------ */

static void
spec(const char *text, const char *zone, const char *want)
{
	struct aiops_timeint *ti;
	char err[256], *s;

	ti = aiops_timeint_parse_spec(text, zone, err, sizeof(err));
	s = ti != NULL ? aiops_timeint_to_text(ti) : NULL;
	is_str(s != NULL ? s : err, want, "spec \"%s\"", text);
	free(s);
	aiops_timeint_free(ti);
}

static void
test_spec(void)
{
	struct aiops_timeint *ti;
	char err[128];

	spec("01:00-02:00", NULL, "[{\"times\":[{\"start_time\":\"01:00\",\"end_time\":\"02:00\"}]}]");
	spec("times 01:00-02:00", NULL, "[{\"times\":[{\"start_time\":\"01:00\",\"end_time\":\"02:00\"}]}]");
	spec("saturday,sunday", NULL, "[{\"weekdays\":[\"sunday\",\"saturday\"]}]");
	spec("Weekends", NULL, "[{\"weekdays\":[\"sunday\",\"saturday\"]}]");
	spec("weekdays 22:00-06:00", NULL,
	    "[{\"times\":[{\"start_time\":\"22:00\",\"end_time\":\"24:00\"}],\"weekdays\":[\"monday:friday\"]},"
	    "{\"times\":[{\"start_time\":\"00:00\",\"end_time\":\"06:00\"}],\"weekdays\":[\"tuesday:saturday\"]}]");
	spec("weekends 23:00-01:00", NULL,
	    "[{\"times\":[{\"start_time\":\"23:00\",\"end_time\":\"24:00\"}],\"weekdays\":[\"sunday\",\"saturday\"]},"
	    "{\"times\":[{\"start_time\":\"00:00\",\"end_time\":\"01:00\"}],\"weekdays\":[\"sunday:monday\"]}]");
	spec("22:00-06:00", NULL,
	    "[{\"times\":[{\"start_time\":\"22:00\",\"end_time\":\"24:00\"},"
	    "{\"start_time\":\"00:00\",\"end_time\":\"06:00\"}]}]");
	spec("22:00-00:00", NULL, "[{\"times\":[{\"start_time\":\"22:00\",\"end_time\":\"24:00\"}]}]");
	spec("00:00-00:00 monday", NULL,
	    "[{\"times\":[{\"start_time\":\"00:00\",\"end_time\":\"24:00\"}],\"weekdays\":[\"monday\"]}]");
	spec("friday:monday", NULL, "[{\"weekdays\":[\"sunday:monday\",\"friday:saturday\"]}]");
	spec("daily 09:00-12:00,13:00-17:00", "Europe/Paris",
	    "[{\"times\":[{\"start_time\":\"09:00\",\"end_time\":\"12:00\"},"
	    "{\"start_time\":\"13:00\",\"end_time\":\"17:00\"}],\"location\":\"Europe/Paris\"}]");
	spec("weekdays 09:00-17:00; saturday 10:00-12:00 location UTC", "Europe/Paris",
	    "[{\"times\":[{\"start_time\":\"09:00\",\"end_time\":\"17:00\"}],\"weekdays\":[\"monday:friday\"],"
	    "\"location\":\"Europe/Paris\"},{\"times\":[{\"start_time\":\"10:00\",\"end_time\":\"12:00\"}],"
	    "\"weekdays\":[\"saturday\"],\"location\":\"UTC\"}]");
	spec("december days_of_month 24:26 years 2026", NULL,
	    "[{\"days_of_month\":[\"24:26\"],\"months\":[\"december\"],\"years\":[\"2026\"]}]");
	spec("months 1,7:8 days_of_month -1", NULL,
	    "[{\"days_of_month\":[\"-1\"],\"months\":[\"january\",\"july:august\"]}]");
	/* Errors. */
	spec("", NULL, "entry 1: empty");
	spec("monday;", NULL, "entry 2: empty");
	spec("funday", NULL, "entry 1: unknown word \"funday\"");
	spec("25:00-01:00", NULL, "entry 1: times: bad range in \"25:00-01:00\" (HH:MM-HH:MM)");
	spec("01:00-01:00", NULL, "entry 1: times: bad range in \"01:00-01:00\" (HH:MM-HH:MM)");
	spec("1:00-2:00", NULL, "entry 1: times: bad range in \"1:00-2:00\" (HH:MM-HH:MM)");
	spec("01:00-02:00,", NULL, "entry 1: times: bad range in \"01:00-02:00,\" (HH:MM-HH:MM)");
	spec("times monday", NULL, "entry 1: times: bad range in \"monday\" (HH:MM-HH:MM)");
	spec("times", NULL, "entry 1: times: a value must follow");
	spec("monday tuesday", NULL, "entry 1: weekdays given twice");
	spec("01:00-02:00 03:00-04:00", NULL, "entry 1: times given twice");
	spec("months 13", NULL, "[0].months[0]: 13 is not a valid month: out of range");
	spec("location Mars/Olympus", NULL, "[0].location: unknown time zone Mars/Olympus");
	spec("monday", "Nowhere", "[0].location: unknown time zone Nowhere");
	spec("days_of_month -1 22:00-02:00 monday", NULL,
	    "entry 1: a time range that crosses midnight cannot be combined with "
	    "days_of_month, months or years: write two entries");
	spec("days_of_month -1 22:00-02:00", NULL,
	    "entry 1: a time range that crosses midnight cannot be combined with "
	    "days_of_month, months or years: write two entries");
	spec("DAILY 23:00-01:00", NULL,
	    "[{\"times\":[{\"start_time\":\"23:00\",\"end_time\":\"24:00\"},"
	    "{\"start_time\":\"00:00\",\"end_time\":\"01:00\"}]}]");
	/* What "weekdays 22:00-06:00" means. 2024-01-05 is a Friday. */
	ti = aiops_timeint_parse_spec("weekdays 22:00-06:00", NULL, err, sizeof(err));
	ok(ti != NULL, "night shift parses");
	if (ti != NULL) {
		is_int(aiops_timeint_contains(ti, T("2024-01-05T23:00:00Z"), NULL), 1, "Fri 23:00");
		is_int(aiops_timeint_contains(ti, T("2024-01-06T05:59:59Z"), NULL), 1, "Sat 05:59");
		is_int(aiops_timeint_contains(ti, T("2024-01-06T23:00:00Z"), NULL), 0, "Sat 23:00");
		is_int(aiops_timeint_contains(ti, T("2024-01-08T05:00:00Z"), NULL), 0, "Mon 05:00");
		is_int(aiops_timeint_contains(ti, T("2024-01-08T22:00:00Z"), NULL), 1, "Mon 22:00");
		is_int(aiops_timeint_contains(ti, T("2024-01-09T05:00:00Z"), NULL), 1, "Tue 05:00");
		nc(ti, NULL, "2024-01-05T21:00:00Z", "2024-01-05T22:00:00Z", "night shift Fri start");
		nc(ti, NULL, "2024-01-05T22:00:00Z", "2024-01-06T06:00:00Z", "night shift Sat end");
		nc(ti, NULL, "2024-01-06T06:00:00Z", "2024-01-08T22:00:00Z", "night shift Mon start");
		aiops_timeint_free(ti);
	}
}

/* ------------------------------------------------------------------------ */

static void
test_set(void)
{
	static const struct { const char *in, *err; } bad[] = {
		{ "{}", "must be a list" },
		{ "[1]", "[0]: must be a mapping with name and time_intervals" },
		{ "[{\"time_intervals\":[]}]", "[0]: missing name in time interval" },
		{ "[{\"name\":\"\"}]", "[0]: missing name in time interval" },
		{ "[{\"name\":1}]", "[0]: missing name in time interval" },
		{ "[{\"name\":\"a\",\"foo\":1}]", "[0]: field foo not found in a named time interval" },
		{ "[{\"name\":\"a\"},{\"name\":\"a\"}]", "[1]: time interval \"a\" is not unique" },
		{ "[{\"name\":\"office\",\"time_intervals\":[{\"weekdays\":[\"x\"]}]}]",
		  "[0]: \"office\": time_intervals[0].weekdays[0]: x is not a valid weekday" },
		{ "[{\"name\":\"office\",\"time_intervals\":{}}]",
		  "[0]: \"office\": time_intervals: must be a list" },
	};
	struct aiops_timeint_set *set = aiops_timeint_set_new();
	const struct aiops_timeint *ti;
	json_t *j;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		j = json_loads(bad[i].in, 0, NULL);
		is_int(aiops_timeint_set_add(set, j, err, sizeof(err)), -1, "set refuses %s", bad[i].in);
		is_str(err, bad[i].err, "set message for %s", bad[i].in);
		is_int(aiops_timeint_set_count(set), 0, "nothing kept");
		json_decref(j);
	}
	j = json_loads("[{\"name\":\"office\",\"time_intervals\":[{\"weekdays\":[\"monday:friday\"],"
	    "\"times\":[{\"start_time\":\"09:00\",\"end_time\":\"17:00\"}]}]},"
	    "{\"name\":\"never\"},{\"name\":\"always\",\"time_intervals\":[null]}]", 0, NULL);
	is_int(aiops_timeint_set_add(set, j, err, sizeof(err)), 0, "set adds three");
	json_decref(j);
	is_int(aiops_timeint_set_add(set, NULL, err, sizeof(err)), 0, "NULL adds nothing");
	/* The deprecated mute_time_intervals list shares the names. */
	j = json_loads("[{\"name\":\"night\"},{\"name\":\"office\"}]", 0, NULL);
	is_int(aiops_timeint_set_add(set, j, err, sizeof(err)), -1, "duplicate across lists");
	is_str(err, "[1]: time interval \"office\" is not unique", "duplicate across lists: message");
	json_decref(j);
	is_int(aiops_timeint_set_count(set), 3, "a failed list adds nothing");
	ti = aiops_timeint_set_get(set, "office");
	ok(ti != NULL, "office found");
	if (ti != NULL) {
		is_int(aiops_timeint_contains(ti, T("2024-01-01T10:00:00Z"), NULL), 1, "office Monday 10:00");
		is_int(aiops_timeint_contains(ti, T("2024-01-06T10:00:00Z"), NULL), 0, "office Saturday");
	}
	ti = aiops_timeint_set_get(set, "never");
	ok(ti != NULL && !aiops_timeint_contains(ti, 0, NULL), "missing time_intervals: never");
	ti = aiops_timeint_set_get(set, "always");
	ok(ti != NULL && aiops_timeint_contains(ti, 0, NULL), "null entry: always");
	ok(aiops_timeint_set_get(set, "Office") == NULL, "names are case-sensitive");
	aiops_timeint_set_free(set);
}

/* Big and hostile input: many entries, long strings, deep nesting. */
static void
test_huge(void)
{
	struct aiops_buf b;
	struct aiops_timeint *ti;
	char err[256], *s;
	int64_t nx;
	int i;

	aiops_buf_init(&b);
	aiops_buf_addc(&b, '[');
	for (i = 0; i < 2000; i++)
		aiops_buf_addf(&b, "%s{\"times\":[{\"start_time\":\"%02d:%02d\",\"end_time\":\"24:00\"}],"
		    "\"days_of_month\":[\"%d\"]}", i ? "," : "", (i / 60) % 24, i % 60, i % 31 + 1);
	aiops_buf_addc(&b, ']');
	ti = aiops_timeint_parse_text(b.data, b.len, err, sizeof(err));
	ok(ti != NULL, "2000 entries parse");
	if (ti != NULL) {
		ok(aiops_timeint_next_change(ti, T("2024-01-01T00:00:00Z"), NULL, &nx) == 1,
		    "2000 entries: next change %s", fmt(nx));
		s = aiops_timeint_to_text(ti);
		ok(strlen(s) > 100000, "2000 entries to text");
		free(s);
		aiops_timeint_free(ti);
	}
	aiops_buf_reset(&b);
	aiops_buf_addstr(&b, "[{\"location\":\"");
	for (i = 0; i < 5000; i++)
		aiops_buf_addstr(&b, "Europe/");
	aiops_buf_addstr(&b, "\"}]");
	ti = aiops_timeint_parse_text(b.data, b.len, err, sizeof(err));
	ok(ti == NULL && strcmp(err, "[0].location: time: invalid location name") == 0,
	    "35 kB zone name refused: %.60s", err);
	aiops_buf_reset(&b);
	aiops_buf_addstr(&b, "[{\"weekdays\":[\"");
	for (i = 0; i < 5000; i++)
		aiops_buf_addstr(&b, "monday");
	aiops_buf_addstr(&b, "\"]}]");
	ti = aiops_timeint_parse_text(b.data, b.len, err, sizeof(err));
	ok(ti == NULL && strlen(err) == sizeof(err) - 1, "long bad value: message truncated");
	aiops_buf_reset(&b);
	for (i = 0; i < 10000; i++)
		aiops_buf_addc(&b, '[');
	ti = aiops_timeint_parse_text(b.data, b.len, err, sizeof(err));
	ok(ti == NULL, "deep nesting refused");
	aiops_buf_reset(&b);
	for (i = 0; i < 40; i++)
		aiops_buf_addstr(&b, "monday ");
	ti = aiops_timeint_parse_spec(b.data, NULL, err, sizeof(err));
	is_str(ti == NULL ? err : "", "entry 1: more than 32 words", "spec word cap");
	aiops_buf_reset(&b);
	aiops_buf_addstr(&b, "00:00-00:01");
	for (i = 1; i < 70; i++)
		aiops_buf_addf(&b, ",%02d:%02d-%02d:%02d", i / 60, i % 60, i / 60, i % 60 + 1);
	ti = aiops_timeint_parse_spec(b.data, NULL, err, sizeof(err));
	ok(ti == NULL, "spec: more than 64 time ranges refused");
	aiops_buf_release(&b);
}

int
main(void)
{
	unsetenv("TZ");
	unsetenv("TZDIR");
	test_canonical();
	test_errors();
	test_fields();
	test_tz_env();
	test_paris();
	test_new_york();
	test_next_change();
	test_brute();
	test_spec();
	test_set();
	test_huge();
	return tap_done();
}
