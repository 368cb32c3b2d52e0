/*
 * mstore.h: metric history in the state file (tables series, points,
 * rollup_5m, rollup_1h of schema.c), written in batched transactions and
 * read back in time order. Replaces the time-series database of the
 * source design.
 */
#ifndef AIOPS_MSTORE_H
#define AIOPS_MSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "event/event.h"
#include "store/state.h"

struct aiops_mstore;

/*
 * retention: raw points older than this (on the toolkit clock) are
 * deleted at each commit; rollups are kept 10x (5m) and 100x (1h) as long.
 * 0 keeps everything. NULL on error, with err filled.
 */
struct aiops_mstore *aiops_mstore_new(struct aiops_state *st, int64_t retention,
    char *err, size_t errlen);
/*
 * Adds a point (labels sorted); commits when the batch is full. -1 on
 * error. The first point written for a series and time is kept: a later
 * one (a retry, a file read again) is not stored, and counted as below.
 * That is Prometheus' rule (a sample is never overwritten; it rejects a
 * different value at the same time as a duplicate), not InfluxDB's (the
 * last write wins): stored points never change, so rollups stay equal to
 * them and a re-sent point costs what a new one does.
 */
int aiops_mstore_add(struct aiops_mstore *ms, const struct aiops_metric *m);
/* Commits the batch (at EOF, on a signal, on a timer). -1 on error. */
int aiops_mstore_flush(struct aiops_mstore *ms);
/*
 * Points not stored, since this store was made, because a point of the
 * same series and time was stored (in a committed batch) or came first in
 * the batch: same, with the same value; other, with another value (the
 * first one is kept).
 */
void aiops_mstore_repeats(const struct aiops_mstore *ms, uint64_t *same,
    uint64_t *other);
const char *aiops_mstore_errmsg(struct aiops_mstore *ms);
/*
 * Forgets what the store holds in memory (the batch, and the series and
 * rollups it believes written) after the caller rolled back an outer
 * transaction its flush was nested in (state.h): what it wrote there is
 * gone, and it must not take it for stored.
 */
void aiops_mstore_forget(struct aiops_mstore *ms);
/* Flushes and frees; -1 if the last flush failed. */
int aiops_mstore_free(struct aiops_mstore *ms);

/* A stored point with its series. Strings are borrowed for the call. */
struct aiops_mstore_point {
	const char	*key;		/* the series key (aiops_series_key()) */
	const char	*name;
	const char	*host;		/* or NULL */
	const char	*labels;	/* a JSON object, keys sorted */
	const char	*unit;		/* or NULL */
	const char	*metric_type;	/* the series' Prometheus type, or NULL */
	int64_t		 ts;		/* ns since the epoch (stored to the ms) */
	double		 value;
};

/*
 * Calls fn for each stored point at or after since (ns), in time order
 * (then by series), until fn returns nonzero. Reads through st, no
 * aiops_mstore needed. 0 (or fn's nonzero value), or -1 on a store failure
 * (aiops_state_errmsg()).
 */
int aiops_mstore_read(struct aiops_state *st, int64_t since,
    int (*fn)(void *arg, const struct aiops_mstore_point *p), void *arg);

/* The rollup tables. */
enum aiops_mstore_level { AIOPS_MSTORE_5M, AIOPS_MSTORE_1H };

/* A stored rollup bucket with its series. Strings are borrowed for the call. */
struct aiops_mstore_bucket {
	const char	*key;		/* the series key */
	const char	*name;
	const char	*host;		/* or NULL */
	const char	*labels;	/* a JSON object, keys sorted */
	const char	*unit;		/* or NULL */
	const char	*metric_type;	/* or NULL */
	int64_t		 bucket;	/* ns: the start of its 5 minutes or hour */
	int64_t		 count;		/* the stored points it sums */
	double		 sum, min, max;
	double		 last;		/* the value of its latest point */
};

/*
 * Calls fn for each bucket of the rollup table of level that starts at or
 * after since (ns), series by series (in the order they were first
 * stored), each in time order, until fn returns nonzero. Rollups outlive
 * raw points (aiops_mstore_new()), so long histories read these. 0 (or
 * fn's nonzero value), or -1 on a store failure (aiops_state_errmsg()).
 */
int aiops_mstore_read_rollup(struct aiops_state *st, enum aiops_mstore_level level,
    int64_t since, int (*fn)(void *arg, const struct aiops_mstore_bucket *b), void *arg);

#endif
