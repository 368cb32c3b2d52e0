/*
 * out.h: the record stream on stdout. Records are appended to a buffer
 * and written in large chunks; the buffer is flushed whenever the program
 * is about to wait for input (aiops_lr_set_before_read(lr, aiops_out_hook,
 * out)), so a consumer down the pipe sees every record as soon as the
 * producer idles, without a write(2) per record.
 */
#ifndef AIOPS_OUT_H
#define AIOPS_OUT_H

#include "core/buf.h"

/*
 * An output made with this fd keeps what is written in buf, never
 * writing it anywhere: the caller takes the records from buf (a
 * listener journals what a request carried before it is written out).
 */
#define AIOPS_OUT_MEMORY	(-2)

struct aiops_out {
	int		 fd;
	struct aiops_buf buf;
	int		 error;		/* errno of the first failed write, or 0 */
};

/* fd < 0 other than AIOPS_OUT_MEMORY: records are thrown away (--store-only). */
void aiops_out_init(struct aiops_out *o, int fd);
/* 1 when what is written is thrown away: a writer may skip making it. */
static inline int
aiops_out_discards(const struct aiops_out *o)
{
	return o->fd < 0 && o->fd != AIOPS_OUT_MEMORY;
}
/* Ends the record being written (adds '\n'). */
void aiops_out_end(struct aiops_out *o);
/*
 * Writes out the buffer once it is large. Call between input records only,
 * so that aiops_out_rollback() can still take back a half-written record.
 */
void aiops_out_commit(struct aiops_out *o);
/* Drops what was appended after mark (a former o->buf.len). */
void aiops_out_rollback(struct aiops_out *o, size_t mark);
/* Writes out what is buffered: 0, or -1 with errno (EPIPE, ENOSPC...). */
int aiops_out_flush(struct aiops_out *o);
/* A before-read hook for the line reader (arg is the struct aiops_out). */
void aiops_out_hook(void *arg);
/* Flushes and releases; -1 if any write failed. */
int aiops_out_close(struct aiops_out *o);

#endif
