/*
 * linereader.h: bounded line reading from a file descriptor.
 *
 * We can't use getline(3): it is unbounded, and a reader of logs must not
 * grow without limit on a file with no newlines. Lines end at '\n'; a
 * '\r' before it is dropped; a last line without '\n' is still a line
 * (except in follow mode, where it may still be being written). A line
 * longer than max_line bytes is drained to its newline and reported once
 * as AIOPS_LR_TOOLONG, so the next line is read normally.
 */
#ifndef AIOPS_LINEREADER_H
#define AIOPS_LINEREADER_H

#include <stddef.h>
#include <sys/types.h>

#define AIOPS_MAX_LINE_DEFAULT	(1024 * 1024)

enum aiops_lr_status {
	AIOPS_LR_ERROR = -1,	/* read(2) failed: errno is set (EINTR too) */
	AIOPS_LR_EOF = 0,	/* no more input */
	AIOPS_LR_LINE = 1,	/* *line, *len hold a line (not NUL-terminated) */
	AIOPS_LR_TOOLONG = 2,	/* a line over max_line was skipped; *len is its size */
	AIOPS_LR_AGAIN = 3,	/* follow mode: no complete line yet */
};

struct aiops_lr;

/* Reads fd (not closed by the reader) from offset, which only sets the counter. */
struct aiops_lr *aiops_lr_new(int fd, size_t max_line, off_t offset);
void aiops_lr_free(struct aiops_lr *lr);
int aiops_lr_next(struct aiops_lr *lr, const char **line, size_t *len);
/* Line number of the line last returned (1-based, counted since the start). */
unsigned long aiops_lr_lineno(const struct aiops_lr *lr);
void aiops_lr_set_lineno(struct aiops_lr *lr, unsigned long lineno);
/* Offset just past the last line returned: where a restart resumes. */
off_t aiops_lr_offset(const struct aiops_lr *lr);
/* Follow mode keeps a partial last line until its newline arrives. */
void aiops_lr_set_follow(struct aiops_lr *lr, int on);
/* Switch to a new descriptor (a rotated file): buffered data is dropped. */
void aiops_lr_reset(struct aiops_lr *lr, int fd, off_t offset);
/* Bytes buffered that are not yet returned (a partial line). */
size_t aiops_lr_pending(const struct aiops_lr *lr);
/*
 * Called before each read(2) that could block, so a filter can flush its
 * output while it waits for input instead of after every record.
 */
void aiops_lr_set_before_read(struct aiops_lr *lr, void (*fn)(void *), void *arg);

#endif
