/*
 * timeint.h: Alertmanager's time intervals (a route's mute_time_intervals
 * and active_time_intervals) and aiops-notify's recurring silences, which
 * use the same structure, evaluated in a named time zone.
 *
 * Sources: prometheus/alertmanager docs/configuration.md (<time_interval>)
 * and timeinterval/timeinterval.go (parsing, validation, ContainsTime);
 * every validation rule below was checked against amtool check-config
 * 0.25 (Debian prometheus-alertmanager), quoted messages are its own.
 * See /work/shared/PEERS.md section 1 and issue 13 items 2 and 3.
 *
 * Model. A time interval is a list of entries, ORed; an entry has up to six
 * fields, ANDed; a field that is absent (or null) matches every instant:
 *   times          [{start_time: "HH:MM", end_time: "HH:MM"}, ...]
 *                  [start, end) in minutes of the local day; HH:MM is
 *                  00:00..23:59 or 24:00, two digits each; start < end
 *   weekdays       ["monday:friday", "sunday", ...]  names, any case;
 *                  a range runs sunday(0)..saturday(6), begin <= end
 *   days_of_month  ["1:5", "-1", "-7:-1", ...]  1..31 or -31..-1, where
 *                  -1 is the last day of the month
 *   months         ["january:march", "12", ...]  names (any case) or 1..12
 *   years          ["2026", "2025:2027", ...]  decimal, >= 0
 *   location       "Europe/Paris"  IANA zone of the system tz database;
 *                  "UTC" or "" is UTC, "Local" the process's own zone
 * A field given as an empty list matches no instant at all (Go keeps a
 * non-nil empty slice and its loop finds nothing), so `weekdays: []` makes
 * its entry never match; a named interval with no entries never matches.
 * A null entry is an empty entry: it matches every instant. Numbers are
 * read as Go's strconv.Atoi reads them ("+5" and "05" are 5, " 5" is an
 * error); JSON integers are taken as their decimal text (YAML's 5 is "5").
 * days_of_month, as Alertmanager: a negative begin needs a negative end;
 * begin <= end is checked with a 28-day month (negative d counts as
 * 28 + d), so "28:-1" is refused although February has a 28th (Alertmanager
 * refuses it too); at evaluation a negative day d is (days in month) + d +
 * 1, a range whose begin is past the month's end is skipped, and the end is
 * clamped to the month ("1:31" is the whole of February).
 *
 * Deliberate differences from Alertmanager 0.25: months outside 1..12 and
 * negative years are errors here (amtool accepts "13" and "-1", which can
 * never match: a typo in a mute window that silently never mutes is the
 * failure an operator does not notice); years above 2^63-1 are errors in
 * both. Location names follow Go's time.LoadLocation: no "..", no leading
 * "/" or "\"; the file must exist under $TZDIR (default
 * /usr/share/zoneinfo) and start with the TZif magic ("unknown time zone
 * X" / "malformed time zone information" otherwise). Go also looks in
 * $ZONEINFO and its embedded copy, glibc does not.
 *
 * Evaluation (Alertmanager's ContainsTime): the instant is converted to
 * wall-clock time in the entry's location, whose hour, minute, day, month,
 * year and weekday are compared; no wall time is ever turned back into an
 * instant (Go's time.Date and its normalisation of a wall time that does
 * not exist are never involved). So on a spring-forward night a window
 * 02:00-03:00 in Europe/Paris is empty (the wall clock goes from 01:59:59
 * to 03:00:00), and 01:00-02:00 ends at the jump; on the fall-back night a
 * window 02:00-03:00 holds for two real hours (the hour is lived twice).
 *
 * Zones. Wall time comes from localtime_r(3) with TZ set to ":ZONE" for
 * the call and restored after (setenv, tzset); UTC uses gmtime_r. This
 * changes process-wide state (environ and libc's zone rules), so it is not
 * thread-safe: no other thread may read the environment or local time
 * during a call. glibc has no per-zone localtime (NetBSD and tzcode have
 * tzalloc/localtime_rz); the alternative would be a second reader of TZif
 * files and their POSIX TZ footers, which is libc's job. aiops-notify
 * evaluates on its main thread only. Each call switches TZ once per
 * distinct zone in the interval, and glibc re-reads a zone file when TZ
 * changes: cheap beside a notification, not for a per-event loop.
 *
 * Memory: constructors return new objects freed with aiops_timeint_free()
 * or aiops_timeint_set_free(); json_t arguments are borrowed. Errors:
 * constructors return NULL and write into err (errlen bytes, always
 * NUL-terminated when errlen > 0) the path of the bad value inside the
 * parsed node and why, for the caller to prefix with file:line, e.g.
 *   [1].weekdays[0]: funday is not a valid weekday
 * Nothing is printed.
 */
#ifndef AIOPS_NOTIFY_TIMEINT_H
#define AIOPS_NOTIFY_TIMEINT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct aiops_timeint;		/* one interval: a list of entries, ORed */
struct aiops_timeint_set;	/* named intervals, as the config's list */

/* How far aiops_timeint_next_change() looks: 366 days, in seconds. */
#define AIOPS_TIMEINT_HORIZON_S	(366LL * 86400)

/*
 * Parses a list of time_interval entries (a JSON array; each element an
 * object or null). Unknown keys are errors, as in Alertmanager's strict
 * YAML ("field foo not found").
 */
struct aiops_timeint *aiops_timeint_parse(const json_t *entries, char *err,
    size_t errlen);
/* The same from JSON text (a silence's stored schedule). */
struct aiops_timeint *aiops_timeint_parse_text(const char *text, size_t len,
    char *err, size_t errlen);
/*
 * The canonical form: compact JSON, fields in the order of the model above,
 * times as {"start_time","end_time"} "HH:MM", weekdays and months as
 * lower-case names, ranges "b:e" or "b" when b == e, location as given
 * ("" becomes "UTC"). Parsing it gives the same text again. Returns a new
 * string (free()), or a new reference for _to_json.
 */
char *aiops_timeint_to_text(const struct aiops_timeint *ti);
json_t *aiops_timeint_to_json(const struct aiops_timeint *ti);

/*
 * The short front end for people (`silence add --every '...'`). Entries are
 * separated by ';'; an entry is words separated by blanks, each field at
 * most once:
 *   HH:MM-HH:MM[,...]       times (the word `times` before it is allowed)
 *   monday,wednesday:friday weekdays: names, ranges, and the words
 *                           `weekdays` (monday:friday), `weekends`
 *                           (saturday,sunday) and `daily` (no restriction)
 *   january:march,...       months by name
 *   days_of_month LIST      days, as in the JSON ("1:5,-1")
 *   months LIST             months, names or numbers
 *   years LIST              years
 *   location ZONE           the entry's zone (else the zone argument)
 * A time range whose end is not after its start crosses midnight
 * ("22:00-06:00"): it is split at midnight, and when weekdays are given the
 * part after midnight moves to the following days in an entry of its own
 * ("weekdays 22:00-06:00" is monday:friday 22:00-24:00 plus
 * tuesday:saturday 00:00-06:00); with days_of_month, months or years it is
 * an error (the next day's date is ambiguous: write two entries). "00:00"
 * as an end is midnight. zone (NULL for none) is written into each entry
 * that names none. Examples: "01:00-02:00", "saturday,sunday",
 * "weekdays 09:00-17:00; saturday 10:00-12:00".
 */
struct aiops_timeint *aiops_timeint_parse_spec(const char *spec,
    const char *zone, char *err, size_t errlen);

void aiops_timeint_free(struct aiops_timeint *ti);

/*
 * Whether instant t_ns (ns since the epoch, UTC) is inside: 1 or 0. An
 * entry without location is evaluated in deftz (NULL or "" for UTC, as
 * Alertmanager's docs say; "Local" for the process's zone), which the
 * caller checked with aiops_timeint_zone_check(). Only whole seconds
 * matter.
 */
int aiops_timeint_contains(const struct aiops_timeint *ti, int64_t t_ns,
    const char *deftz);
/*
 * The first instant after t_ns where aiops_timeint_contains() changes,
 * exact to the second, in *next_ns (a whole second). Returns 1 when found
 * within AIOPS_TIMEINT_HORIZON_S; else 0, with *next_ns = t_ns + the
 * horizon, where asking again is correct (a window may be years away:
 * "years: 2030"). Zone offsets that change twice within one local day,
 * which no zone has done since 1970, may be missed. Cost: one step per
 * local midnight, time range boundary and offset change up to the
 * answer, each testing the entries of one zone, so
 * O(days x boundaries per day x entries) at worst: fine for the few
 * entries people write, slow for thousands (the caller bounds them).
 */
int aiops_timeint_next_change(const struct aiops_timeint *ti, int64_t t_ns,
    const char *deftz, int64_t *next_ns);

/*
 * 0 if name is a zone the entries' location may name (see above), else -1
 * with err "unknown time zone NAME" or why.
 */
int aiops_timeint_zone_check(const char *name, char *err, size_t errlen);

/*
 * Alertmanager's top-level `time_intervals` (and the older
 * `mute_time_intervals`, the same shape): a list of {name, time_intervals}.
 * _set_add() adds a list to a set (NULL or null adds nothing); names must
 * be non-empty ("missing name in time interval") and unique across every
 * list added ("time interval \"x\" is not unique"). A missing or null
 * time_intervals is an interval that never matches. Errors are prefixed
 * "[i]" (and the name when known); on error the set keeps the lists added
 * before, whole.
 */
struct aiops_timeint_set *aiops_timeint_set_new(void);
int aiops_timeint_set_add(struct aiops_timeint_set *set, const json_t *list,
    char *err, size_t errlen);
/* The interval named name (borrowed from the set), or NULL. */
const struct aiops_timeint *aiops_timeint_set_get(
    const struct aiops_timeint_set *set, const char *name);
size_t aiops_timeint_set_count(const struct aiops_timeint_set *set);
void aiops_timeint_set_free(struct aiops_timeint_set *set);

#endif
