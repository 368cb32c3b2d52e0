#include "compat.h"

#include <errno.h>
#include <unistd.h>

#include "io/out.h"

#define OUT_CHUNK	(128 * 1024)

void
aiops_out_init(struct aiops_out *o, int fd)
{
	o->fd = fd;
	aiops_buf_init(&o->buf);
	aiops_buf_grow(&o->buf, OUT_CHUNK * 2);
	o->error = 0;
}

void
aiops_out_end(struct aiops_out *o)
{
	aiops_buf_addc(&o->buf, '\n');
}

void
aiops_out_commit(struct aiops_out *o)
{
	if (o->buf.len >= OUT_CHUNK && o->fd != AIOPS_OUT_MEMORY)
		(void)aiops_out_flush(o);
}

void
aiops_out_rollback(struct aiops_out *o, size_t mark)
{
	if (mark <= o->buf.len) {
		o->buf.len = mark;
		o->buf.data[mark] = '\0';
	}
}

int
aiops_out_flush(struct aiops_out *o)
{
	size_t off = 0;

	if (o->fd == AIOPS_OUT_MEMORY)
		return 0;
	if (o->fd < 0) {	/* output discarded (--store-only) */
		aiops_buf_reset(&o->buf);
		return 0;
	}
	while (off < o->buf.len && o->error == 0) {
		ssize_t n = write(o->fd, o->buf.data + off, o->buf.len - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			o->error = errno;
			break;
		}
		off += (size_t)n;
	}
	aiops_buf_reset(&o->buf);
	if (o->error != 0) {
		errno = o->error;
		return -1;
	}
	return 0;
}

void
aiops_out_hook(void *arg)
{
	struct aiops_out *o = arg;

	if (o->buf.len > 0)
		(void)aiops_out_flush(o);
}

int
aiops_out_close(struct aiops_out *o)
{
	int rc = aiops_out_flush(o);

	aiops_buf_release(&o->buf);
	return rc;
}
