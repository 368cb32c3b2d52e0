/*
 * mstore.h: metric history in the state file (tables series, points,
 * rollup_5m, rollup_1h of lib/schema.c), written in batched transactions.
 * Replaces the time-series database of the source design.
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
 * Adds a point (labels sorted); commits when the batch is full. A point
 * with the same series and time replaces the earlier one. -1 on error.
 */
int aiops_mstore_add(struct aiops_mstore *ms, const struct aiops_metric *m);
/* Commits the batch (at EOF, on a signal, on a timer). -1 on error. */
int aiops_mstore_flush(struct aiops_mstore *ms);
const char *aiops_mstore_errmsg(struct aiops_mstore *ms);
/* Flushes and frees; -1 if the last flush failed. */
int aiops_mstore_free(struct aiops_mstore *ms);

#endif
