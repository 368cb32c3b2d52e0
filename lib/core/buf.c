#include "compat.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/buf.h"
#include "core/xmalloc.h"

void
aiops_buf_init(struct aiops_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
aiops_buf_release(struct aiops_buf *b)
{
	free(b->data);
	aiops_buf_init(b);
}

void
aiops_buf_grow(struct aiops_buf *b, size_t extra)
{
	size_t want = b->len + extra + 1;
	size_t cap = b->cap ? b->cap : 64;

	if (want <= b->cap)
		return;
	while (cap < want)
		cap = cap < ((size_t)1 << 62) ? cap * 2 : want;
	b->data = xreallocarray(b->data, cap, 1);
	b->cap = cap;
	b->data[b->len] = '\0';
}

void
aiops_buf_addf(struct aiops_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	aiops_buf_grow(b, 64);
	va_start(ap, fmt);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		aiops_buf_grow(b, (size_t)n);
		va_start(ap, fmt);
		n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

char *
aiops_buf_detach(struct aiops_buf *b, size_t *len)
{
	char *p;

	if (b->data == NULL)
		aiops_buf_grow(b, 0);
	p = b->data;
	if (len != NULL)
		*len = b->len;
	aiops_buf_init(b);
	return p;
}
