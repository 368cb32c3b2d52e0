/*
 * buf.h: the growable byte buffer of aiops (git's strbuf, curl's dynbuf).
 * data is always NUL-terminated after len bytes. Memory leaves a buffer
 * only through aiops_buf_detach(). Growth cannot fail (xmalloc).
 */
#ifndef AIOPS_BUF_H
#define AIOPS_BUF_H

#include <stddef.h>
#include <string.h>

struct aiops_buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

#define AIOPS_BUF_INIT { NULL, 0, 0 }

void aiops_buf_init(struct aiops_buf *b);
void aiops_buf_release(struct aiops_buf *b);
/* Make room for at least extra more bytes (plus the NUL). */
void aiops_buf_grow(struct aiops_buf *b, size_t extra);
void aiops_buf_addf(struct aiops_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Returns the data, which the caller now owns, and empties b. */
char *aiops_buf_detach(struct aiops_buf *b, size_t *len);

static inline void
aiops_buf_reset(struct aiops_buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

static inline void
aiops_buf_add(struct aiops_buf *b, const void *p, size_t n)
{
	if (b->cap - b->len <= n)
		aiops_buf_grow(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static inline void
aiops_buf_addc(struct aiops_buf *b, char c)
{
	if (b->cap - b->len <= 1)
		aiops_buf_grow(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

static inline void
aiops_buf_addstr(struct aiops_buf *b, const char *s)
{
	aiops_buf_add(b, s, strlen(s));
}

#endif
