/*
 * follow.h: reading files as `tail -F` does, for aiops-ingest --follow,
 * without losing or repeating a line across rotations and restarts.
 *
 * Each file is read to its end, then polled. A file replaced under its
 * name (rotation: new inode) is finished, then the files rotated after it
 * and the new one from its start; a file truncated (smaller, or with
 * another first line: copytruncate) is finished from the copy left beside
 * it, if any, then read again from 0; a file that vanishes is waited for.
 * With a state file, the offset, line number and fingerprint of each file
 * are kept in table file_offsets so that a restart resumes after the last
 * line checkpointed, in the file under the name or, rotated meanwhile, in
 * the file found again beside it (follow.c says how).
 */
#ifndef AIOPS_FOLLOW_H
#define AIOPS_FOLLOW_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "event/event.h"
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
/*
 * What the caller may want to tell: a file rotated or truncated and read
 * on elsewhere (warn 0), lines that could not be read (warn 1: the file
 * read last is gone, a rotated file is compressed).
 */
void aiops_follow_set_note(struct aiops_follow *f,
    void (*fn)(void *arg, int warn, const char *msg), void *arg);
void aiops_follow_free(struct aiops_follow *f);
/*
 * The next line of any file; name and lineno say where it came from
 * (the name followed, even when the line is read from a rotated file),
 * origin (if not NULL) the file's identity and the line's offset in it.
 */
int aiops_follow_next(struct aiops_follow *f, const char **line, size_t *len,
    const char **name, unsigned long *lineno, struct aiops_origin *origin);
/*
 * The first line (without its newline) of the file the last line returned
 * came from, into b (reset first), for a format that needs the header of
 * the file it reads on in (CSV). 0, or -1 (no such line, or unreadable).
 */
int aiops_follow_first_line(struct aiops_follow *f, struct aiops_buf *b);
/*
 * Records in the state that every line returned so far is done. Call it
 * after the output is written and the store committed: a crash in between
 * repeats those lines at most (with the same ids), it never loses one.
 * 0, or -1.
 */
int aiops_follow_checkpoint(struct aiops_follow *f);
const char *aiops_follow_errmsg(const struct aiops_follow *f);

/*
 * The identity of the regular file open at fd, which lines read from it
 * carry in their origin: FNV-1a 64 of its head, the first line ('\n'
 * included) or its first 1024 bytes, whichever is shorter. Appending
 * does not change it, nor does a rename; a copy has the same. Read with
 * pread(2): fd's offset is left alone. 0, or -1 (errno set).
 */
int aiops_file_identity(int fd, uint64_t *id);

#endif
