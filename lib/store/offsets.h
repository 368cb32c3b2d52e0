/*
 * offsets.h: where aiops-ingest --follow stopped in each file (table
 * file_offsets), so a restart goes on after the last line checkpointed.
 */
#ifndef AIOPS_OFFSETS_H
#define AIOPS_OFFSETS_H

#include <stdint.h>

#include "store/state.h"

struct aiops_offset {
	int64_t		 dev, ino;	/* of the file read, to know it again */
	int64_t		 offset;	/* bytes done */
	uint64_t	 lineno;	/* lines done */
	int64_t		 updated;	/* ns: when (stored to the ms) */
};

/* The offset kept for path: 1 and o filled, 0 if none, -1 on error. */
int aiops_offsets_get(struct aiops_state *st, const char *path, struct aiops_offset *o);
/* Keeps o for path (inside the caller's transaction, if one is open). 0, or -1. */
int aiops_offsets_put(struct aiops_state *st, const char *path, const struct aiops_offset *o);

#endif
