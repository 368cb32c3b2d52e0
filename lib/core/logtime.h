/*
 * logtime.h: the time a log line's header writes, in any of the forms log
 * writers use, as int64 nanoseconds since the Unix epoch (UTC). One reader
 * for aiops-ingest (syslog, text, JSON and logfmt lines) and aiops-detect
 * --raw (the time span its header split finds), so the two cannot drift.
 *
 * It lives in core/, beside timeutil.h, because it is only text to time:
 * it knows nothing of events, and every layer above may read a log's time.
 * It is a module of its own because timeutil.h is the strict reader of the
 * event contract ("ts" is RFC 3339 or an epoch number, nothing else), while
 * this one is lenient by design and must never widen that contract.
 *
 * Forms (each validated field by field; anything else is -1, never a
 * guess):
 *   2026-01-05T00:00:00.250Z, 2026-01-05 00:00:00,250 +02:00   ISO 8601
 *	(T or a blank; fraction after '.' or ','; zone attached or after a
 *	blank: Z, +hh:mm, +hhmm, UTC, GMT)
 *   2026/01/05 00:00:00.000, 2015.10.18 18:01:47               other dates
 *   Jan  5 00:00:00[.fff]                                      RFC 3164
 *	(day "dd", " d" or "d"; a year may stand before the month, after the
 *	day or after the time: Cisco NX-OS, ASA, Aruba)
 *   Thu Jun 09 06:07:04 2005, Mon 2026-11-30 09:15:02 UTC     a weekday first
 *   10/Oct/2000:13:55:36 -0700                                 Apache access
 *   2005-06-03-15.42.50.675872                                 BGL
 *   17/06/09 20:10:40                                          YY/MM/DD
 *   20171223-22:15:29:606, 20171223T221529Z                    compact dates
 *   03-17 16:13:38.811 (MM-DD), 10.30 16:49:06 (MM.DD)         no year
 *   with AIOPS_LOGTIME_HEADER only:
 *   081109 203615 (YYMMDD HHMMSS), 1117838570[.123] (epoch s),
 *   1117838570123 (epoch ms), 16:49:06 (a time of day alone), and a date
 *   alone (2015-10-18, 2005.06.03: midnight)
 * A leading '[' is skipped when its ']' closes the time.
 *
 * Zone: a time that gives none is UTC (aiops-ingest has no time zone
 * setting to borrow; RFC 3164 receivers read BSD times as UTC too).
 * Two-digit years are 1969-2068, as POSIX strptime's %y reads them.
 *
 * Missing year (RFC 3164, MM-DD, MM.DD): the year that puts the time
 * nearest the reference ref, among the years where the date exists, as
 * RFC 3164 receivers do: "Dec 31 23:59:59" read on Jan 1 is last year's,
 * "Jan  1 00:00:01" read on Dec 31 at 23:59:50 next year's, "Feb 29" the
 * nearest leap year. A time of day alone: the day that puts it nearest
 * ref. The caller chooses ref: the last time its input gave, or its clock.
 */
#ifndef AIOPS_LOGTIME_H
#define AIOPS_LOGTIME_H

#include <stddef.h>
#include <stdint.h>

enum aiops_logtime_flags {
	/*
	 * The text is known to be a time (a header split judged it one, or a
	 * key named it): also read the forms that are only digits (epoch
	 * numbers, YYMMDD HHMMSS), a time of day alone and a date alone.
	 * Without it those are too often a count or a date in prose.
	 */
	AIOPS_LOGTIME_HEADER = 1 << 0
};

/*
 * A broken-down time as a log wrote it. year is -1 when the text gave
 * none; off (seconds east of UTC) is 0 when it gave no zone.
 */
struct aiops_logtime_tm {
	int64_t	 year;
	int	 mon, day, h, mi, sec;
	int64_t	 frac;		/* nanoseconds */
	int	 off;
};

/*
 * The time written at the start of s: its length (it ends at the end of s,
 * a blank, or one of ",;|)\"'"; after a '[' at a ']', included), 0 when s
 * does not start with one of the forms above.
 */
size_t aiops_logtime_scan(const char *s, size_t n, int64_t ref, int flags, int64_t *ns);

/*
 * The time in a header's time span: the first of its blank-separated
 * tokens where a time starts (a span may hold more, as BGL's "epoch date
 * node time" or a logcat pid after the time), preferring one with a date
 * and a time of day, then a time of day alone, then a date alone. 0, or -1
 * when no token starts a time, or one read names no real time (Feb 30):
 * a broken time is not made up for by another token.
 */
int aiops_logtime_parse(const char *s, size_t n, int64_t ref, int flags, int64_t *ns);

/*
 * RFC 3164's time as devices write it: "[yyyy ]Mmm d[d] [yyyy ]hh:mm:ss"
 * with an optional fraction (at most nine digits) and an optional " yyyy"
 * (1970-2199) followed by a blank or the end. Fills tm (zone: UTC) and
 * returns its length, or 0. Nothing after it is checked: syslog's
 * reader looks at what follows itself (Cisco ends the time with ':').
 */
size_t aiops_logtime_bsd(const char *s, size_t n, struct aiops_logtime_tm *tm);

/*
 * The time tm names, a missing year (year -1) taken nearest ref (see
 * above). A leap second (:60) folds onto the next second. 0, or -1 when
 * the date does not exist (Nov 31, Feb 29 of 2026) or a field is out of
 * range, or the time falls outside int64 nanoseconds (1678-2261).
 */
int aiops_logtime_resolve(const struct aiops_logtime_tm *tm, int64_t ref, int64_t *ns);

#endif
