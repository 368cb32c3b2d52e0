/*
 * jsondoc.h: JSON inputs. One reader (json.c) takes NDJSON (a value per
 * line) or whole documents (pretty-printed, several in a row), and hands
 * each top-level value to the handler of its kind:
 *   - an Alertmanager webhook payload (version "4")  -> alert events
 *   - a Redfish Thermal or Power resource            -> metric events
 *   - a Sentry event, webhook or issue payload       -> a log event
 *   - an aiops event (has a known "type")            -> checked, then
 *     written again (a metric, normalised and stored) or passed (others)
 *   - anything else, an object                       -> a log event
 * Formats alertmanager, redfish and sentry force their kind.
 */
#ifndef AIOPS_INGEST_JSONDOC_H
#define AIOPS_INGEST_JSONDOC_H

#include <jansson.h>

#include "ingest/ingest.h"

/* What v is, for messages: "an object", "an array", "a string", "null"... */
const char *aiops_json_type_name(const json_t *v);
/* alertmanager.c: is doc a webhook payload? Emit its alerts (0, or -1). */
int aiops_alertmanager_match(const json_t *doc);
int aiops_alertmanager_emit(struct aiops_ingest *ing, const json_t *doc);
/*
 * The alerts of Alertmanager's push API (POST /api/v2/alerts: a JSON
 * array of {labels, annotations, startsAt, endsAt, generatorURL}), as
 * Prometheus sends them: firing until endsAt (default now + the
 * resolve_timeout), resolved once it is past. 0, or -1.
 */
#define AIOPS_ALERTMANAGER_RESOLVE_TIMEOUT	(300 * 1000000000LL)
int aiops_alertmanager_emit_postable(struct aiops_ingest *ing, const json_t *doc);
/* redfish.c: is doc a Thermal or Power resource? Emit its readings. */
int aiops_redfish_match(const json_t *doc);
int aiops_redfish_emit(struct aiops_ingest *ing, const json_t *doc);
/*
 * sentry.c: is doc a Sentry event, webhook (event_alert, error, issue,
 * legacy plugin) or issue payload? Emit it as a log event. The sniff of
 * format sentry: 90 for a line that is a whole Sentry payload, else 0.
 */
int aiops_sentry_match(const json_t *doc);
int aiops_sentry_emit(struct aiops_ingest *ing, const json_t *doc);
int aiops_sentry_sniff(const char *line, size_t len);
/* aiopsev.c: is doc an event of aiops(7)? Check and write it (0, or -1). */
int aiops_event_match(const json_t *doc);
int aiops_event_emit(struct aiops_ingest *ing, const json_t *doc);

#endif
