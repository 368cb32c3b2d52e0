/*
 * backend.h: what chat.c shares with the two backends, ollama.c and
 * openai.c. Internal to lib/llm.
 */
#ifndef AIOPS_LLM_BACKEND_H
#define AIOPS_LLM_BACKEND_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "llm/chat.h"
#include "net/lines.h"

#define LLM_MAX_LINE	(4 * 1024 * 1024)	/* an NDJSON line, an SSE event */
#define LLM_MAX_NAME	1024			/* a tool call's name or id */

/* An OpenAI tool call being assembled from its fragments. */
struct llm_pending {
	long		 index;
	struct aiops_buf id, name, args;
};

struct aiops_llm_stream {
	enum aiops_llm_api api;
	aiops_llm_token_fn on_token;
	void		*arg;
	struct aiops_llm_reply *out;
	int64_t		 t0_ns;		/* the request's start (monotonic) */
	int		 error;		/* sticky: an enum aiops_llm_error */
	char		 errmsg[256];
	int		 done;		/* "done": true, or data: [DONE] */
	int		 passed;	/* content or a tool call came */
	int		 finished;
	unsigned long	 nlines;	/* lines or events read */
	struct aiops_lines lines;	/* Ollama */
	struct aiops_sse sse;		/* OpenAI */
	struct llm_pending *pend;	/* OpenAI's calls by index */
	size_t		 npend;
};

/* Records the first error (sticky) and returns it. */
int llm_fail(struct aiops_llm_stream *s, int error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Content: appended to the reply, passed to on_token, bounded. */
int llm_content(struct aiops_llm_stream *s, const char *p, size_t n);

/* A finished call is appended to the reply (strings copied). */
int llm_add_call(struct aiops_llm_stream *s, const char *id, const char *name,
    const char *arguments, size_t args_len, int args_ok);

/* Is this the JSON text of an object? */
int llm_args_ok(const char *p, size_t n);

/*
 * A JSON text of a line or an event. Bytes that are not UTF-8 (a server
 * that split a character between two chunks) are read as the code
 * points U+10FF80..U+10FFFF; llm_unmap() turns them back into bytes.
 * *mapped says whether any was. NULL when it is not JSON.
 */
json_t *llm_load(const char *p, size_t n, int *mapped, json_error_t *jerr);
/* Appends s's bytes to b, mapped code points back to the bytes they were. */
void llm_unmap(struct aiops_buf *b, const char *p, size_t n, int mapped);

/* Ollama: the request body; the NDJSON stream's line handler. */
json_t *llm_ollama_body(const char *model, const json_t *messages, const json_t *tools,
    double temperature, char *err, size_t errlen);
int llm_ollama_line(const char *line, size_t len, void *arg);

/* OpenAI: the request body; the SSE event handler; the end of the stream. */
json_t *llm_openai_body(const char *model, const json_t *messages, const json_t *tools,
    double temperature, char *err, size_t errlen);
int llm_openai_event(const struct aiops_sse_event *ev, void *arg);
int llm_openai_finish(struct aiops_llm_stream *s);
void llm_openai_release(struct aiops_llm_stream *s);

/* The error of an HTTP body (Ollama's {"error": "..."}, OpenAI's
 * {"error": {"message": ...}}), appended to b; 0 if none was found. */
int llm_error_message(const char *body, size_t len, struct aiops_buf *b);

#endif
