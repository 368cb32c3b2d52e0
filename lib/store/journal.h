/*
 * journal.h: what aiops-ingest --listen accepted (tables ingest_journal
 * and ingest_cursors of schema.c), so that nothing acknowledged is lost.
 *
 * Every event a request carried is appended, with a sequence number, in
 * the transaction that also stores its points and alerts (the events of
 * one request in one row, numbered in order); the listener
 * answers 2xx only once that commits. Its standard output is then fed
 * from the journal, in order of sequence, and a named cursor remembers
 * the last event written there: a pipeline that stopped (or a listener
 * killed with events not yet written) starts again where it left off,
 * and --from-seq replays from any point the retention still keeps.
 * Sequence numbers only grow: one is never given twice, even after the
 * retention has emptied the journal.
 *
 * Times in and out are int64 nanoseconds since the epoch (stored in ms).
 * Functions return -1 on a failure that aiops_state_errmsg() describes.
 */
#ifndef AIOPS_STORE_JOURNAL_H
#define AIOPS_STORE_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "store/state.h"

/* What one event came with. */
struct aiops_journal_origin {
	int64_t		 received;	/* ns, the toolkit clock */
	const char	*endpoint;	/* "write", "alerts", "alertmanager", "sentry", "generic/SRC" */
	const char	*token;		/* the name of the token used, or NULL */
};

/*
 * Appends n > 0 events (NDJSON lines, '\n' between them and none after,
 * len bytes) in the caller's transaction; they are numbered from the
 * last number given + 1, and *last gets the number of the last. 0, or -1.
 */
int aiops_journal_append(struct aiops_state *st, const struct aiops_journal_origin *o,
    const char *events, size_t len, size_t n, int64_t *last);
/* The last sequence number given (0: none ever). 0, or -1. */
int aiops_journal_last(struct aiops_state *st, int64_t *seq);
/*
 * Calls fn for the events with a sequence number above after, in order,
 * with the event's text (len bytes, valid during the call), about max of
 * them (whole requests: a few more); a nonzero return from fn stops. The
 * number of events passed, or -1.
 */
typedef int (*aiops_journal_fn)(void *arg, int64_t seq, const char *event, size_t len);
long aiops_journal_read(struct aiops_state *st, int64_t after, size_t max,
    aiops_journal_fn fn, void *arg);
/* The first sequence number still kept (0: the journal is empty). 0, or -1. */
int aiops_journal_first(struct aiops_state *st, int64_t *seq);
/* A named cursor: 1 and *seq when it exists, 0 when not, -1. */
int aiops_journal_cursor_get(struct aiops_state *st, const char *name, int64_t *seq);
/* Sets a named cursor to seq (the last event written out) at now. 0, or -1. */
int aiops_journal_cursor_set(struct aiops_state *st, const char *name, int64_t seq,
    int64_t now);
/*
 * Deletes the events received before cutoff (ns), at most max of them
 * (a bound on the transaction); *deleted gets how many. 0, or -1.
 */
int aiops_journal_expire(struct aiops_state *st, int64_t cutoff, size_t max, size_t *deleted);

#endif
