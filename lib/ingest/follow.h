/*
 * follow.h: reading files as `tail -F` does, for aiops-ingest --follow.
 *
 * Each file is read to its end, then polled. A file replaced under its
 * name (rotation: new inode) is finished, then the new one is read from
 * its start; a file that shrinks (truncation) is read again from 0; a file
 * that vanishes is waited for. With a state file, the offset and line
 * number of each file are kept in table file_offsets so that a restart
 * resumes after the last line checkpointed: nothing lost, nothing repeated.
 */
#ifndef AIOPS_FOLLOW_H
#define AIOPS_FOLLOW_H

#include <stddef.h>
#include <stdint.h>

#include "store/state.h"

struct aiops_follow;

enum aiops_follow_status {
	AIOPS_FOLLOW_ERROR = -1,	/* see aiops_follow_errmsg() */
	AIOPS_FOLLOW_STOP = 0,		/* *stop became true */
	AIOPS_FOLLOW_LINE = 1,
	AIOPS_FOLLOW_TOOLONG = 2,	/* *len is the size of the skipped line */
	AIOPS_FOLLOW_IDLE = 3,		/* nothing new for now: flush, checkpoint */
};

/*
 * st may be NULL (offsets not kept). poll_ms: how often to look for new
 * data. stop is polled between reads (set by a signal handler). NULL when
 * the offsets cannot be read from st (aiops_state_errmsg() says why).
 */
struct aiops_follow *aiops_follow_new(struct aiops_state *st, char *const *paths,
    size_t npaths, size_t max_line, int poll_ms, volatile int *stop);
void aiops_follow_free(struct aiops_follow *f);
/* The next line of any file; name and lineno say where it came from. */
int aiops_follow_next(struct aiops_follow *f, const char **line, size_t *len,
    const char **name, unsigned long *lineno);
/*
 * Records in the state that every line returned so far is done. Call it
 * after the output is written and the store committed: a crash in between
 * repeats those lines at most, it never loses one. 0, or -1.
 */
int aiops_follow_checkpoint(struct aiops_follow *f);
const char *aiops_follow_errmsg(const struct aiops_follow *f);

#endif
