/*
 * evread.h: reading NDJSON events, for every program after aiops-ingest.
 * A line is parsed with json_loadb (never json_loadf on the stream: a
 * parse error would leave its position undefined); a bad line is
 * reported by the caller as "file:line: skipped: reason".
 */
#ifndef AIOPS_EVREAD_H
#define AIOPS_EVREAD_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

/*
 * Parses one line into a new object (*out, the caller decrefs). 0 ok;
 * 1 blank line (nothing); -1 with the reason in err.
 */
int aiops_evread_line(const char *line, size_t len, json_t **out, char *err, size_t errlen);
/* The event's "ts": RFC 3339 text or an epoch number. -1 with err. */
int aiops_evread_ts(const json_t *ev, int64_t *ts, char *err, size_t errlen);

/*
 * A metric event's fields into m, pointing into ev (valid while ev lives):
 * name, value (a number), ts, host, cluster, source, labels (up to
 * AIOPS_MAX_LABELS, in the caller's array lab, then sorted). -1 with err.
 */
int aiops_evread_metric(const json_t *ev, struct aiops_metric *m,
    struct aiops_label *lab, char *err, size_t errlen);

#endif
