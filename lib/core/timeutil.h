/*
 * timeutil.h: time as int64 nanoseconds since the Unix epoch (UTC), its
 * RFC 3339 text form, epoch numbers in s/ms/us/ns, and durations.
 */
#ifndef AIOPS_TIMEUTIL_H
#define AIOPS_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

#define AIOPS_NS_PER_SEC	1000000000LL
#define AIOPS_TIME_BUFSZ	40

enum aiops_time_unit {
	AIOPS_TU_AUTO = 0,	/* guess from the magnitude (see aiops_time_from_epoch) */
	AIOPS_TU_S,
	AIOPS_TU_MS,
	AIOPS_TU_US,
	AIOPS_TU_NS,
};

/* "s", "ms", "us", "ns" (also "n", "u", "µ"), or "auto". 0 ok, -1 unknown. */
int aiops_time_unit_parse(const char *s, enum aiops_time_unit *u);
/*
 * RFC 3339 ("2026-11-22T12:00:00.25Z", "...+02:00"), also with a space or
 * lower-case 't' for the 'T', and without zone (taken as UTC). 0 ok, -1 bad.
 */
int aiops_time_parse_rfc3339(const char *s, size_t n, int64_t *ns);
/*
 * An epoch number in unit u. AUTO guesses: below 1e11 seconds, below 1e14
 * milliseconds, below 1e17 microseconds, else nanoseconds (that maps each
 * unit's 1973-5138 range to itself). Fractions are kept. 0 ok, -1 bad.
 */
int aiops_time_from_epoch(const char *s, size_t n, enum aiops_time_unit u, int64_t *ns);
/* RFC 3339 or an epoch number (unit AUTO). */
int aiops_time_parse(const char *s, size_t n, int64_t *ns);
/*
 * Formats as RFC 3339 UTC with milliseconds, or micro/nanoseconds when the
 * value has them: "2026-11-22T12:00:00.250Z". Returns the length.
 */
size_t aiops_time_format(int64_t ns, char *buf);
/* "90s", "5m", "2h", "7d", "1w", "250ms", combined "1h30m"; bare number = s. */
int aiops_duration_parse(const char *s, int64_t *ns);
/* Days since 1970-01-01 for a proleptic Gregorian date, and back. */
int64_t aiops_days_from_civil(int64_t y, unsigned m, unsigned d);
void aiops_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);
/* Days in month m (1-12) of proleptic Gregorian year y. */
int aiops_days_in_month(int64_t y, int m);

#endif
