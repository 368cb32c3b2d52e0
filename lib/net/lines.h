/*
 * lines.h: splitting a streamed response body into lines and events, for
 * the two streaming shapes LLM servers use (issue 16):
 *  - NDJSON (Ollama /api/chat): one JSON text per line, "\n" ends a line
 *    and a "\r" before it is dropped (STYLE.md §6);
 *  - Server-Sent Events (OpenAI /v1/chat/completions): the event stream
 *    format of the HTML Living Standard, §9.2.6 "Interpreting an event
 *    stream": lines end in CRLF, LF or a lone CR; "data:", "event:",
 *    "id:" and "retry:" fields; ":" starts a comment; a blank line
 *    dispatches the event. aiops_sse hands over whole events, with several
 *    data lines joined by "\n" as the standard says.
 * Chunks may split a line (or a CRLF) anywhere; the state carries over.
 * A line longer than max_line bytes is dropped and counted (too_long),
 * and reading resumes after its end, as the line reader of io/ does.
 * Lines and events are passed as pointer and length: they may hold NUL
 * bytes, and are valid only during the callback.
 */
#ifndef AIOPS_NET_LINES_H
#define AIOPS_NET_LINES_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define AIOPS_LINES_MAX_DEFAULT	(1024 * 1024)

enum aiops_lines_flags {
	AIOPS_LINES_CR = 1 << 0,	/* a lone CR also ends a line (SSE) */
};

/* Return 0 to go on; any other value stops the feed and is returned by it. */
typedef int (*aiops_line_fn)(const char *line, size_t len, void *arg);

struct aiops_lines {
	struct aiops_buf partial;	/* the line begun in an earlier chunk */
	size_t		 max_line;
	unsigned	 flags;
	int		 after_cr;	/* the last byte was a CR that ended a line */
	int		 skipping;	/* inside a line already too long */
	uint64_t	 too_long;	/* lines dropped for length */
};

/* max_line 0 means AIOPS_LINES_MAX_DEFAULT. Does not allocate. */
void aiops_lines_init(struct aiops_lines *l, size_t max_line, unsigned flags);
void aiops_lines_release(struct aiops_lines *l);
/* Calls fn for each line completed by these n bytes, without its end. */
int aiops_lines_feed(struct aiops_lines *l, const char *p, size_t n, aiops_line_fn fn, void *arg);
/* End of stream: a last line without an end is still a line (NDJSON). */
int aiops_lines_finish(struct aiops_lines *l, aiops_line_fn fn, void *arg);

/* One dispatched event. The id is the last event ID seen so far (it
 * persists across events, as the standard says); retry_ms is the last
 * "retry:" value, -1 if none came. */
struct aiops_sse_event {
	const char	*type;	/* "message" unless an "event:" field said otherwise */
	size_t		 type_len;
	const char	*data;
	size_t		 data_len;
	const char	*id;
	size_t		 id_len;
	int64_t		 retry_ms;
};

typedef int (*aiops_sse_fn)(const struct aiops_sse_event *ev, void *arg);

struct aiops_sse {
	struct aiops_lines lines;
	struct aiops_buf data, type, id;
	int64_t		 retry_ms;
	int		 seen_line;	/* the first line lost its BOM already */
	int		 oversize;	/* this event's data went past max_line */
	uint64_t	 dropped;	/* events dropped for size */
	aiops_sse_fn	 fn;
	void		*arg;
};

/* max_line bounds a line and an event's joined data. Does not allocate. */
void aiops_sse_init(struct aiops_sse *s, size_t max_line, aiops_sse_fn fn, void *arg);
void aiops_sse_release(struct aiops_sse *s);
/* Returns 0, or the non-zero value fn returned to stop. */
int aiops_sse_feed(struct aiops_sse *s, const char *p, size_t n);
/* End of stream: an event without its blank line is discarded (§9.2.6). */
void aiops_sse_finish(struct aiops_sse *s);

#endif
