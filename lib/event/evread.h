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

#include "event/event.h"

/*
 * Parses one line into a new object (*out, the caller decrefs). 0 ok;
 * 1 blank line (nothing but JSON's blanks: space, tab, CR, LF); -1 with
 * the reason in err.
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

/*
 * Batches of lines parsed on two threads: parsing with jansson is three
 * quarters of a filter's work, and each line parses on its own. Lines are
 * copied in; aiops_evbatch_run() parses them all, then hands each to fn in
 * input order, on the calling thread, with its object (borrowed: it is
 * freed after fn returns, and its memory reused, so fn must copy whatever
 * it keeps; a json_incref() does not keep it) or its error. One batch at
 * a time per process.
 */
struct aiops_evline {
	const char	*line;
	size_t		 len;
	const char	*name;		/* input name, for messages */
	unsigned long	 lineno;
	json_t		*ev;		/* NULL: blank line or error */
	int		 rc;		/* as aiops_evread_line() */
	const char	*err;		/* the error, when rc is -1 */
};

struct aiops_evbatch;

struct aiops_evbatch *aiops_evbatch_new(void);
void aiops_evbatch_free(struct aiops_evbatch *b);
/* Adds a line (copied). Returns 1 when the batch is full: run it. */
int aiops_evbatch_add(struct aiops_evbatch *b, const char *name, const char *line,
    size_t len, unsigned long lineno);
void aiops_evbatch_run(struct aiops_evbatch *b,
    void (*fn)(void *arg, const struct aiops_evline *l), void *arg);

#endif
