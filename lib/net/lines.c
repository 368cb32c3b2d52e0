/*
 * lines.c: the line splitter and the Server-Sent Events parser (lines.h).
 */
#include "compat.h"

#include <string.h>

#include "core/buf.h"
#include "net/lines.h"

void
aiops_lines_init(struct aiops_lines *l, size_t max_line, unsigned flags)
{
	memset(l, 0, sizeof(*l));
	aiops_buf_init(&l->partial);
	l->max_line = max_line > 0 ? max_line : AIOPS_LINES_MAX_DEFAULT;
	l->flags = flags;
}

void
aiops_lines_release(struct aiops_lines *l)
{
	aiops_buf_release(&l->partial);
}

/* The end of a line: s is its last piece (the whole line if nothing is pending). */
static int
line_end(struct aiops_lines *l, const char *s, size_t len, aiops_line_fn fn, void *arg)
{
	int r;

	if (l->skipping) {
		l->skipping = 0;
		return 0;
	}
	if (l->partial.len > 0) {
		if (len > l->max_line - l->partial.len + 1) {
			l->too_long++;
			aiops_buf_reset(&l->partial);
			return 0;
		}
		aiops_buf_add(&l->partial, s, len);
		s = l->partial.data;
		len = l->partial.len;
	}
	/* LF mode drops the CR of a CRLF; max_line counts the line without it. */
	if (!(l->flags & AIOPS_LINES_CR) && len > 0 && s[len - 1] == '\r')
		len--;
	if (len > l->max_line) {
		l->too_long++;
		r = 0;
	} else
		r = fn(s, len, arg);
	aiops_buf_reset(&l->partial);
	return r;
}

/* The start of a line that the chunk does not finish: keep it, or start skipping. */
static void
line_keep(struct aiops_lines *l, const char *s, size_t len)
{
	if (l->skipping || len == 0)
		return;
	/* One byte of slack for the CR that LF mode drops at the end. */
	if (len > l->max_line + 1 - l->partial.len) {
		l->too_long++;
		l->skipping = 1;
		aiops_buf_reset(&l->partial);
		return;
	}
	aiops_buf_add(&l->partial, s, len);
}

static const char *
find_end(const struct aiops_lines *l, const char *p, size_t n)
{
	size_t i;

	if (!(l->flags & AIOPS_LINES_CR))
		return memchr(p, '\n', n);
	for (i = 0; i < n; i++)
		if (p[i] == '\n' || p[i] == '\r')
			return p + i;
	return NULL;
}

int
aiops_lines_feed(struct aiops_lines *l, const char *p, size_t n, aiops_line_fn fn, void *arg)
{
	const char *end;
	int r;

	while (n > 0) {
		if (l->after_cr) {
			l->after_cr = 0;
			if (*p == '\n') {
				p++, n--;
				continue;
			}
		}
		if ((end = find_end(l, p, n)) == NULL) {
			line_keep(l, p, n);
			return 0;
		}
		if (*end == '\r')
			l->after_cr = 1;
		if ((r = line_end(l, p, (size_t)(end - p), fn, arg)) != 0)
			return r;
		n -= (size_t)(end - p) + 1;
		p = end + 1;
	}
	return 0;
}

int
aiops_lines_finish(struct aiops_lines *l, aiops_line_fn fn, void *arg)
{
	int r = 0;

	l->after_cr = 0;
	if (l->skipping)
		l->skipping = 0;
	else if (l->partial.len > 0)
		r = line_end(l, "", 0, fn, arg);
	aiops_buf_reset(&l->partial);
	return r;
}

/* ---- Server-Sent Events ---- */

void
aiops_sse_init(struct aiops_sse *s, size_t max_line, aiops_sse_fn fn, void *arg)
{
	memset(s, 0, sizeof(*s));
	aiops_lines_init(&s->lines, max_line, AIOPS_LINES_CR);
	aiops_buf_init(&s->data);
	aiops_buf_init(&s->type);
	aiops_buf_init(&s->id);
	s->retry_ms = -1;
	s->fn = fn;
	s->arg = arg;
}

void
aiops_sse_release(struct aiops_sse *s)
{
	aiops_lines_release(&s->lines);
	aiops_buf_release(&s->data);
	aiops_buf_release(&s->type);
	aiops_buf_release(&s->id);
}

static int
sse_dispatch(struct aiops_sse *s)
{
	struct aiops_sse_event ev;
	int r = 0;

	if (s->oversize)
		s->dropped++;
	else if (s->data.len > 0) {
		ev.type = s->type.len > 0 ? s->type.data : "message";
		ev.type_len = s->type.len > 0 ? s->type.len : strlen("message");
		ev.data = s->data.data;
		ev.data_len = s->data.len - 1;	/* the last LF goes */
		ev.id = s->id.len > 0 ? s->id.data : "";
		ev.id_len = s->id.len;
		ev.retry_ms = s->retry_ms;
		r = s->fn(&ev, s->arg);
	}
	s->oversize = 0;
	aiops_buf_reset(&s->data);
	aiops_buf_reset(&s->type);
	return r;
}

static int
all_digits(const char *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] < '0' || v[i] > '9')
			return 0;
	return n > 0;
}

static void
sse_field(struct aiops_sse *s, const char *f, size_t fn, const char *v, size_t vn)
{
	if (fn == 5 && memcmp(f, "event", 5) == 0) {
		aiops_buf_reset(&s->type);
		aiops_buf_add(&s->type, v, vn);
	} else if (fn == 4 && memcmp(f, "data", 4) == 0) {
		if (s->oversize || vn + 1 > s->lines.max_line + 1 - s->data.len) {
			s->oversize = 1;
			aiops_buf_reset(&s->data);
			return;
		}
		aiops_buf_add(&s->data, v, vn);
		aiops_buf_addc(&s->data, '\n');
	} else if (fn == 2 && memcmp(f, "id", 2) == 0) {
		if (memchr(v, '\0', vn) == NULL) {
			aiops_buf_reset(&s->id);
			aiops_buf_add(&s->id, v, vn);
		}
	} else if (fn == 5 && memcmp(f, "retry", 5) == 0) {
		/* Up to 15 digits: more would not fit the int64 once scaled. */
		if (all_digits(v, vn) && vn <= 15) {
			size_t i;

			s->retry_ms = 0;
			for (i = 0; i < vn; i++)
				s->retry_ms = s->retry_ms * 10 + (v[i] - '0');
		}
	}
}

static int
sse_line(const char *line, size_t len, void *arg)
{
	struct aiops_sse *s = arg;
	const char *colon;
	size_t vn;

	/* A UTF-8 decoder drops one BOM at the start of the stream. */
	if (!s->seen_line) {
		s->seen_line = 1;
		if (len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0)
			line += 3, len -= 3;
	}
	if (len == 0)
		return sse_dispatch(s);
	if (line[0] == ':')
		return 0;
	if ((colon = memchr(line, ':', len)) == NULL) {
		sse_field(s, line, len, "", 0);
		return 0;
	}
	vn = len - (size_t)(colon - line) - 1;
	if (vn > 0 && colon[1] == ' ')
		sse_field(s, line, (size_t)(colon - line), colon + 2, vn - 1);
	else
		sse_field(s, line, (size_t)(colon - line), colon + 1, vn);
	return 0;
}

int
aiops_sse_feed(struct aiops_sse *s, const char *p, size_t n)
{
	return aiops_lines_feed(&s->lines, p, n, sse_line, s);
}

void
aiops_sse_finish(struct aiops_sse *s)
{
	s->lines.after_cr = 0;
	s->lines.skipping = 0;
	aiops_buf_reset(&s->lines.partial);
	s->oversize = 0;
	aiops_buf_reset(&s->data);
	aiops_buf_reset(&s->type);
}
