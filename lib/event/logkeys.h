/*
 * logkeys.h: where a structured log line keeps its time, message, level,
 * host and service, for every program that reads one: aiops-ingest (JSON
 * logs, logfmt in text and syslog lines) and aiops-detect --raw (JSON and
 * logfmt lines). One list of key names, one reading of their values.
 *
 * JSON values are jansson's, borrowed from the object given; nothing here
 * allocates. Times are int64 nanoseconds since the epoch (UTC); a time
 * without a zone is UTC, one without a year or a day is placed nearest
 * ref (core/logtime.h).
 */
#ifndef AIOPS_LOGKEYS_H
#define AIOPS_LOGKEYS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/timeutil.h"

enum aiops_logkey {
	AIOPS_LOGKEY_TS,
	AIOPS_LOGKEY_MESSAGE,
	AIOPS_LOGKEY_SEVERITY,
	AIOPS_LOGKEY_HOST,
	AIOPS_LOGKEY_SERVICE,
	AIOPS_LOGKEY_COUNT
};

/* The event field f fills: "ts", "message", "severity", "host", "service". */
const char *aiops_logkeys_name(enum aiops_logkey f);

/*
 * The member of o at key, or along a dotted path of nested objects
 * ("log.level" is {"log":{"level":..}} when there is no "log.level" key).
 * Borrowed, or NULL.
 */
json_t *aiops_logkeys_lookup(json_t *o, const char *key);

/*
 * The first of f's usual keys that holds a value of the wanted type: a
 * string, or for ts and severity a number too. The keys, most specific
 * first:
 *	ts		time, timestamp, @timestamp, ts
 *	message		msg, message, log, text
 *	severity	level, severity, lvl, log.level
 *	host		host, hostname
 *	service		service, app, logger, component
 * *key is set to the key used. Borrowed, or NULL.
 */
json_t *aiops_logkeys_find(json_t *o, enum aiops_logkey f, const char **key);

/*
 * The level (event/severity.h) a JSON severity names: a level word,
 * syslog's 0-7, or bunyan and pino's 10-60. -1 when it names none.
 */
int aiops_logkeys_level(const json_t *v);

/*
 * A JSON time, strictly: RFC 3339 or epoch text (aiops_time_parse), or an
 * epoch number in unit (AIOPS_TU_AUTO: guessed from its magnitude). The
 * reader of the event contract's "ts" and of every JSON input format.
 * 0, or -1.
 */
int aiops_json_time(const json_t *v, enum aiops_time_unit unit, int64_t *ns);

/*
 * The time a log's time value gives: what aiops_json_time reads, else a
 * string in one of the forms log headers write (core/logtime.h, read as a
 * header: the key says it is a time). 0, or -1.
 */
int aiops_logkeys_time(const json_t *v, int64_t ref, int64_t *ns);

/*
 * logfmt (Go's log/slog, go-kit: Prometheus, Loki, Grafana): the value of
 * key= or key="..." among the first 96 bytes of s, the key at the start
 * or after a blank. A quoted value runs to its closing quote, a bare one
 * to the next blank. *v points into s; the value's length, 0 when absent.
 */
size_t aiops_logkeys_logfmt(const char *s, size_t n, const char *key, const char **v);

/*
 * The time of a logfmt line: its ts= or time= value, in any form of
 * core/logtime.h (read as a header). 0, or -1 when it has neither or the
 * value is no time.
 */
int aiops_logkeys_logfmt_time(const char *s, size_t n, int64_t ref, int64_t *ns);

/*
 * The level (event/severity.h) of a logfmt line's level=, lvl= or
 * severity= (logfmt says it outright, in lower case: level=error), or -1.
 */
int aiops_logkeys_logfmt_level(const char *s, size_t n);

#endif
