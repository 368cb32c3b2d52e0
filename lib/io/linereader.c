#include "compat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/linereader.h"
#include "core/xmalloc.h"

#define CHUNK	(256 * 1024)

struct aiops_lr {
	int		 fd;
	char		*buf;
	size_t		 cap;
	size_t		 start;		/* first byte not yet returned */
	size_t		 scan;		/* bytes before this have no '\n' */
	size_t		 end;		/* end of buffered data */
	size_t		 max_line;
	unsigned long	 lineno;
	off_t		 offset;	/* file offset of buf[start] */
	int		 eof;
	int		 follow;
	size_t		 skipping;	/* bytes of an over-long line dropped so far */
	void		(*before_read)(void *);
	void		*arg;
};

struct aiops_lr *
aiops_lr_new(int fd, size_t max_line, off_t offset)
{
	struct aiops_lr *lr = xcalloc(1, sizeof(*lr));

	lr->fd = fd;
	lr->max_line = max_line ? max_line : AIOPS_MAX_LINE_DEFAULT;
	lr->cap = CHUNK;
	lr->buf = xmalloc(lr->cap);
	lr->offset = offset;
	return lr;
}

void
aiops_lr_free(struct aiops_lr *lr)
{
	if (lr == NULL)
		return;
	free(lr->buf);
	free(lr);
}

unsigned long aiops_lr_lineno(const struct aiops_lr *lr) { return lr->lineno; }
void aiops_lr_set_lineno(struct aiops_lr *lr, unsigned long n) { lr->lineno = n; }
off_t aiops_lr_offset(const struct aiops_lr *lr) { return lr->offset; }
void aiops_lr_set_follow(struct aiops_lr *lr, int on) { lr->follow = on; }
size_t aiops_lr_pending(const struct aiops_lr *lr) { return lr->end - lr->start; }

void
aiops_lr_set_before_read(struct aiops_lr *lr, void (*fn)(void *), void *arg)
{
	lr->before_read = fn;
	lr->arg = arg;
}

void
aiops_lr_reset(struct aiops_lr *lr, int fd, off_t offset)
{
	lr->fd = fd;
	lr->start = lr->scan = lr->end = 0;
	lr->offset = offset;
	lr->eof = 0;
	lr->skipping = 0;
}

/* Hands out buf[start, start+n) as a line and consumes n+skip bytes. */
static int
take(struct aiops_lr *lr, const char **line, size_t *len, size_t n, size_t skip)
{
	*line = lr->buf + lr->start;
	*len = n;
	if (n > 0 && lr->buf[lr->start + n - 1] == '\r')
		(*len)--;
	lr->start += n + skip;
	lr->scan = lr->start;
	lr->offset += (off_t)(n + skip);
	lr->lineno++;
	return AIOPS_LR_LINE;
}

/* Ends an over-long line that was being drained: report its size. */
static int
toolong(struct aiops_lr *lr, size_t *len, size_t tail, size_t skip)
{
	*len = lr->skipping + tail;
	lr->offset += (off_t)(tail + skip);
	lr->start += tail + skip;
	lr->scan = lr->start;
	lr->skipping = 0;
	lr->lineno++;
	return AIOPS_LR_TOOLONG;
}

/* Room for more input: compact, then grow up to what max_line needs. */
static void
make_room(struct aiops_lr *lr)
{
	size_t want;

	if (lr->start > 0) {
		memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
		lr->end -= lr->start;
		lr->scan -= lr->start;
		lr->start = 0;
	}
	if (lr->cap - lr->end >= CHUNK / 4)
		return;
	want = lr->cap * 2;
	/* A line of max_line bytes, its '\r' and '\n', and one chunk to read. */
	if (want > lr->max_line + 2 + CHUNK)
		want = lr->max_line + 2 + CHUNK;
	if (want > lr->cap) {
		lr->buf = xreallocarray(lr->buf, want, 1);
		lr->cap = want;
	}
}

int
aiops_lr_next(struct aiops_lr *lr, const char **line, size_t *len)
{
	for (;;) {
		char *nl = memchr(lr->buf + lr->scan, '\n', lr->end - lr->scan);
		size_t have;
		ssize_t n;

		if (nl != NULL) {
			size_t linelen = (size_t)(nl - (lr->buf + lr->start));

			if (lr->skipping)
				return toolong(lr, len, linelen, 1);
			if (linelen > lr->max_line + 1 ||
			    (linelen == lr->max_line + 1 && nl[-1] != '\r')) {
				lr->skipping = 0;
				return toolong(lr, len, linelen, 1);
			}
			return take(lr, line, len, linelen, 1);
		}
		lr->scan = lr->end;
		have = lr->end - lr->start;
		if (have > lr->max_line + 1) {
			/* Drop what we have of an over-long line; keep counting. */
			lr->skipping += have;
			lr->offset += (off_t)have;
			lr->start = lr->scan = lr->end;
			have = 0;
		}
		if (lr->eof) {
			if (lr->follow) {
				lr->eof = 0;
				return AIOPS_LR_AGAIN;
			}
			if (lr->skipping)
				return toolong(lr, len, have, 0);
			if (have == 0)
				return AIOPS_LR_EOF;
			return take(lr, line, len, have, 0);
		}
		make_room(lr);
		if (lr->before_read != NULL)
			lr->before_read(lr->arg);
		n = read(lr->fd, lr->buf + lr->end, lr->cap - lr->end);
		if (n < 0)
			return AIOPS_LR_ERROR;
		if (n == 0)
			lr->eof = 1;
		lr->end += (size_t)n;
	}
}
