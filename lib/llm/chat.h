/*
 * chat.h: the chat client of aiops-ask (issue 16): one streamed turn of a
 * conversation with a language model, with tool calls, against either
 *  - Ollama's POST /api/chat (ollama/ollama:docs/api.md, "Generate a chat
 *    completion", streaming and tools: NDJSON lines, the last with
 *    "done": true; tool call arguments are JSON objects, no call ids), or
 *  - an OpenAI-compatible POST /v1/chat/completions (OpenAI's Chat
 *    Completions API reference, streaming and function calling; the
 *    chunk types of openai/openai-python's chat_completion_chunk.py):
 *    Server-Sent Events "data: {chunk}" ending with "data: [DONE]"; tool
 *    calls come as fragments keyed by "index" whose "arguments" strings
 *    concatenate to a JSON text, checked here.
 * Messages and tools are given in OpenAI's shape; the Ollama backend
 * converts them. Both always stream.
 *
 * Transport: net/http.h (libcurl), retried with net/retry.h's seeded
 * full-jitter backoff, Retry-After honoured, only while nothing of the
 * answer has been passed on; a token bucket keeps to rate_per_min.
 * Bounds: an answer's text at most AIOPS_LLM_MAX_TEXT, at most
 * AIOPS_LLM_MAX_CALLS tool calls, a call's arguments at most
 * AIOPS_LLM_MAX_ARGS: beyond is AIOPS_LLM_E_PROTOCOL.
 *
 * Nothing here prints or exits. err strings name the API and the URL
 * (userinfo redacted) and never hold the API key.
 */
#ifndef AIOPS_LLM_CHAT_H
#define AIOPS_LLM_CHAT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define AIOPS_LLM_MAX_TEXT	(1024 * 1024)
#define AIOPS_LLM_MAX_CALLS	64
#define AIOPS_LLM_MAX_ARGS	(256 * 1024)

enum aiops_llm_api { AIOPS_LLM_NONE, AIOPS_LLM_OLLAMA, AIOPS_LLM_OPENAI };

struct aiops_llm_config {
	enum aiops_llm_api api;
	const char *url;        /* base URL: http://127.0.0.1:11434 (Ollama) or http://host:8000/v1 (OpenAI-compatible: /chat/completions is appended) */
	const char *model;
	const char *api_key;    /* NULL: none; sent as "Authorization: Bearer" (secret: never in err) */
	long connect_timeout_ms; /* 0: 5000 */
	long timeout_ms;        /* whole answer; 0: 120000 */
	long idle_timeout_ms;   /* no byte for this long fails; 0: 30000 */
	int retries;            /* extra attempts after a retryable failure before any token was streamed; 0..10 */
	double rate_per_min;    /* at most this many requests a minute (token bucket, sleeps to wait); 0: no limit */
	double temperature;     /* < 0: the server's default */
	uint64_t seed;          /* the backoff jitter's seed */
	const volatile int *cancel; /* non-zero stops a turn within about a second (E_CANCELLED), even a silent one; NULL: never */
};

/* One tool call the model asked for. arguments is the JSON text of an object ("{}" when the model gave none); args_ok is 0 when the model's text was not a JSON object (the caller tells the model so). */
struct aiops_llm_call {
	char *id;        /* OpenAI's id; Ollama gives none: "call_<n>" */
	char *name;
	char *arguments;
	int   args_ok;
};

struct aiops_llm_reply {
	struct aiops_buf text;       /* the assistant's content, whole */
	struct aiops_llm_call *calls;
	size_t ncalls;
	char *finish_reason;         /* "stop", "tool_calls", "length"... or NULL */
	int64_t first_token_ns;      /* from the request to the first content byte; -1 if none */
	long prompt_tokens, completion_tokens; /* from usage / prompt_eval_count, eval_count; -1 if not given */
};
void aiops_llm_reply_init(struct aiops_llm_reply *r);
void aiops_llm_reply_release(struct aiops_llm_reply *r);

/* Called with each piece of content as it streams in (UTF-8, may split a character); return non-zero to cancel (then aiops_llm_chat fails with AIOPS_LLM_E_CANCELLED). */
typedef int (*aiops_llm_token_fn)(const char *p, size_t n, void *arg);

enum aiops_llm_error {
	AIOPS_LLM_OK = 0,
	AIOPS_LLM_E_UNREACHABLE,  /* connect/DNS/timeout/5xx/429 after the retries: the caller falls back to the offline engine */
	AIOPS_LLM_E_REFUSED,      /* 4xx other than 429 (bad key, unknown model): permanent */
	AIOPS_LLM_E_PROTOCOL,     /* the stream was not what the API documents */
	AIOPS_LLM_E_CANCELLED,
};

struct aiops_llm;
struct aiops_llm *aiops_llm_new(const struct aiops_llm_config *cfg, char *err, size_t errlen); /* copies cfg's strings */
void aiops_llm_free(struct aiops_llm *c);
/*
 * One turn: messages is a jansson array in OpenAI's shape (role system/user/assistant/tool; an assistant message may carry "tool_calls" [{id, type:"function", function:{name, arguments: JSON string}}]; a tool message has "tool_call_id" and "content"); tools is a jansson array of OpenAI's shape [{type:"function", function:{name, description, parameters: JSON schema}}] or NULL. The Ollama backend converts both to Ollama's shape (arguments as objects; tool results as role "tool" with "tool_name" where Ollama documents it). Always streams ("stream": true). Returns AIOPS_LLM_OK or an error with err filled (no secret in it).
 *
 * out (initialised) is cleared first. An error may leave a partial reply
 * in it (the text streamed so far).
 */
enum aiops_llm_error aiops_llm_chat(struct aiops_llm *c, const json_t *messages, const json_t *tools,
    aiops_llm_token_fn on_token, void *arg, struct aiops_llm_reply *out, char *err, size_t errlen);

/* The stream parsers alone, for tests and the fuzzer: feed the raw body bytes in any chunking, then finish. */
struct aiops_llm_stream;
struct aiops_llm_stream *aiops_llm_stream_new(enum aiops_llm_api api, aiops_llm_token_fn on_token, void *arg, struct aiops_llm_reply *out);
int aiops_llm_stream_feed(struct aiops_llm_stream *s, const char *p, size_t n); /* 0, or an aiops_llm_error */
int aiops_llm_stream_finish(struct aiops_llm_stream *s, char *err, size_t errlen);
void aiops_llm_stream_free(struct aiops_llm_stream *s);

enum aiops_llm_api aiops_llm_api_parse(const char *name); /* "ollama", "openai"; "none"/NULL -> NONE; unknown -> -1 cast */
const char *aiops_llm_error_name(enum aiops_llm_error e);

#endif
