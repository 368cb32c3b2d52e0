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
	/*
	 * The file's fingerprint, to know it again after a rename or a
	 * truncation (ingest/follow.c says how they are taken): FNV-1a 64
	 * of its first head_len bytes, and of the bytes just before offset.
	 * head_len 0: no fingerprint (a row of schema 5 or older).
	 */
	uint64_t	 head;
	int64_t		 head_len;
	uint64_t	 tail;
	/*
	 * The file's mtime (ns, the file system's clock) at the checkpoint:
	 * files rotated or copied beside it since are newer. 0: unknown.
	 */
	int64_t		 mtime_ns;
	/*
	 * The rotated file or copy read to its end before this one, not to
	 * be read again: its mtime may equal mtime_ns. 0, 0: none.
	 */
	int64_t		 prev_dev, prev_ino;
};

/* The offset kept for path: 1 and o filled, 0 if none, -1 on error. */
int aiops_offsets_get(struct aiops_state *st, const char *path, struct aiops_offset *o);
/* Keeps o for path (inside the caller's transaction, if one is open). 0, or -1. */
int aiops_offsets_put(struct aiops_state *st, const char *path, const struct aiops_offset *o);

#endif
