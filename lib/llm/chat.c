/*
 * chat.c: the chat client (chat.h): the reply, the stream parsers' common
 * part, and the request loop with its retries and rate limit. The two
 * wire formats live in ollama.c and openai.c.
 */
#include "compat.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/errf.h"
#include "core/utf8.h"
#include "core/xmalloc.h"
#include "llm/backend.h"
#include "llm/chat.h"
#include "net/http.h"
#include "net/lines.h"
#include "net/retry.h"

#define MS			1000000LL
#define DEFAULT_CONNECT_MS	5000
#define DEFAULT_TIMEOUT_MS	120000
#define DEFAULT_IDLE_MS		30000
#define MAX_RETRIES		10
#define MAX_WAIT_NS		(60LL * 1000 * MS)	/* one sleep, at most */
#define BACKOFF_BASE_NS		(500 * MS)
#define BACKOFF_CAP_NS		(10LL * 1000 * MS)
/* The body of a 2xx is streamed, not kept: this only stops a server that
 * talks forever (an NDJSON line per token is about 150 bytes). */
#define MAX_BODY		((size_t)512 * 1024 * 1024)

/* ---- the reply ---- */

void
aiops_llm_reply_init(struct aiops_llm_reply *r)
{
	memset(r, 0, sizeof(*r));
	aiops_buf_init(&r->text);
	r->first_token_ns = -1;
	r->prompt_tokens = -1;
	r->completion_tokens = -1;
}

void
aiops_llm_reply_release(struct aiops_llm_reply *r)
{
	size_t i;

	aiops_buf_release(&r->text);
	for (i = 0; i < r->ncalls; i++) {
		free(r->calls[i].id);
		free(r->calls[i].name);
		free(r->calls[i].arguments);
	}
	free(r->calls);
	free(r->finish_reason);
	aiops_llm_reply_init(r);
}

enum aiops_llm_api
aiops_llm_api_parse(const char *name)
{
	if (name == NULL || strcmp(name, "none") == 0)
		return AIOPS_LLM_NONE;
	if (strcmp(name, "ollama") == 0)
		return AIOPS_LLM_OLLAMA;
	if (strcmp(name, "openai") == 0)
		return AIOPS_LLM_OPENAI;
	return (enum aiops_llm_api)-1;
}

static const char *
api_name(enum aiops_llm_api api)
{
	return api == AIOPS_LLM_OLLAMA ? "ollama" : api == AIOPS_LLM_OPENAI ? "openai" : "none";
}

const char *
aiops_llm_error_name(enum aiops_llm_error e)
{
	switch (e) {
	case AIOPS_LLM_OK:
		return "ok";
	case AIOPS_LLM_E_UNREACHABLE:
		return "unreachable";
	case AIOPS_LLM_E_REFUSED:
		return "refused";
	case AIOPS_LLM_E_PROTOCOL:
		return "protocol";
	case AIOPS_LLM_E_CANCELLED:
		return "cancelled";
	}
	return "unknown";
}

/* ---- the stream parsers' common part ---- */

int
llm_fail(struct aiops_llm_stream *s, int error, const char *fmt, ...)
{
	va_list ap;

	if (s->error != 0)
		return s->error;
	s->error = error;
	va_start(ap, fmt);
	(void)vsnprintf(s->errmsg, sizeof(s->errmsg), fmt, ap);
	va_end(ap);
	return error;
}

int
llm_content(struct aiops_llm_stream *s, const char *p, size_t n)
{
	struct aiops_llm_reply *out = s->out;

	if (n == 0)
		return 0;
	if (n > AIOPS_LLM_MAX_TEXT - out->text.len)
		return llm_fail(s, AIOPS_LLM_E_PROTOCOL, "the answer's text is over %d bytes",
		    AIOPS_LLM_MAX_TEXT);
	if (out->first_token_ns < 0)
		out->first_token_ns = aiops_monotonic_ns() - s->t0_ns;
	aiops_buf_add(&out->text, p, n);
	s->passed = 1;
	if (s->on_token != NULL && s->on_token(p, n, s->arg) != 0)
		return llm_fail(s, AIOPS_LLM_E_CANCELLED, "cancelled by the caller");
	return 0;
}

int
llm_add_call(struct aiops_llm_stream *s, const char *id, const char *name,
    const char *arguments, size_t args_len, int args_ok)
{
	struct aiops_llm_reply *out = s->out;
	struct aiops_llm_call *call;

	if (out->ncalls >= AIOPS_LLM_MAX_CALLS)
		return llm_fail(s, AIOPS_LLM_E_PROTOCOL, "more than %d tool calls", AIOPS_LLM_MAX_CALLS);
	if (args_len > AIOPS_LLM_MAX_ARGS)
		return llm_fail(s, AIOPS_LLM_E_PROTOCOL, "tool call %zu's arguments are over %d bytes",
		    out->ncalls, AIOPS_LLM_MAX_ARGS);
	out->calls = xreallocarray(out->calls, out->ncalls + 1, sizeof(*out->calls));
	call = &out->calls[out->ncalls];
	if (id != NULL && id[0] != '\0')
		call->id = xstrdup(id);
	else
		(void)xasprintf(&call->id, "call_%zu", out->ncalls);
	call->name = xstrdup(name);
	call->arguments = xstrndup(arguments, args_len);
	call->args_ok = args_ok;
	out->ncalls++;
	s->passed = 1;
	return 0;
}

int
llm_args_ok(const char *p, size_t n)
{
	json_error_t jerr;
	json_t *v;
	int ok;

	v = json_loadb(p, n, 0, &jerr);
	ok = json_is_object(v);
	json_decref(v);
	return ok;
}

/* U+10FF00 + b for a byte b (0x80..0xff) that is not UTF-8: 4 bytes. */
static void
map_byte(struct aiops_buf *b, unsigned char c)
{
	char u[4];

	u[0] = (char)0xf4;
	u[1] = (char)0x8f;
	u[2] = (char)(c & 0x40 ? 0xbf : 0xbe);
	u[3] = (char)(0x80 | (c & 0x3f));
	aiops_buf_add(b, u, 4);
}

json_t *
llm_load(const char *p, size_t n, int *mapped, json_error_t *jerr)
{
	const unsigned char *u = (const unsigned char *)p;
	struct aiops_buf b = AIOPS_BUF_INIT;
	size_t i, k;
	json_t *v;

	*mapped = 0;
	for (i = 0; i < n; i += k)
		if ((k = aiops_utf8_seqlen(u + i, n - i)) == 0)
			break;
	if (i == n)
		return json_loadb(p, n, JSON_ALLOW_NUL, jerr);
	aiops_buf_add(&b, p, i);
	for (; i < n; i += k)
		if ((k = aiops_utf8_seqlen(u + i, n - i)) == 0) {
			map_byte(&b, u[i]);
			k = 1;
		} else
			aiops_buf_add(&b, p + i, k);
	*mapped = 1;
	v = json_loadb(b.data, b.len, JSON_ALLOW_NUL, jerr);
	aiops_buf_release(&b);
	return v;
}

void
llm_unmap(struct aiops_buf *b, const char *p, size_t n, int mapped)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i, from;

	if (!mapped) {
		aiops_buf_add(b, p, n);
		return;
	}
	for (i = from = 0; i + 4 <= n; i++)
		if (u[i] == 0xf4 && u[i + 1] == 0x8f && (u[i + 2] == 0xbe || u[i + 2] == 0xbf) &&
		    (u[i + 3] & 0xc0) == 0x80) {
			aiops_buf_add(b, p + from, i - from);
			aiops_buf_addc(b, (char)(0x80 | (u[i + 2] & 1) << 6 | (u[i + 3] & 0x3f)));
			i += 3;
			from = i + 1;
		}
	aiops_buf_add(b, p + from, n - from);
}

static int
on_lines_too_long(struct aiops_llm_stream *s)
{
	if (s->lines.too_long > 0 || s->sse.dropped > 0 || s->sse.lines.too_long > 0)
		return llm_fail(s, AIOPS_LLM_E_PROTOCOL, "%s over %d bytes",
		    s->api == AIOPS_LLM_OLLAMA ? "a line" : "an event", LLM_MAX_LINE);
	return 0;
}

struct aiops_llm_stream *
aiops_llm_stream_new(enum aiops_llm_api api, aiops_llm_token_fn on_token, void *arg,
    struct aiops_llm_reply *out)
{
	struct aiops_llm_stream *s;

	if (api != AIOPS_LLM_OLLAMA && api != AIOPS_LLM_OPENAI)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	s->api = api;
	s->on_token = on_token;
	s->arg = arg;
	s->out = out;
	s->t0_ns = aiops_monotonic_ns();
	aiops_lines_init(&s->lines, LLM_MAX_LINE, 0);
	aiops_sse_init(&s->sse, LLM_MAX_LINE, llm_openai_event, s);
	return s;
}

int
aiops_llm_stream_feed(struct aiops_llm_stream *s, const char *p, size_t n)
{
	if (s->error != 0 || s->finished)
		return s->error;
	if (s->api == AIOPS_LLM_OLLAMA)
		(void)aiops_lines_feed(&s->lines, p, n, llm_ollama_line, s);
	else
		(void)aiops_sse_feed(&s->sse, p, n);
	(void)on_lines_too_long(s);
	return s->error;
}

int
aiops_llm_stream_finish(struct aiops_llm_stream *s, char *err, size_t errlen)
{
	if (!s->finished && s->error == 0) {
		if (s->api == AIOPS_LLM_OLLAMA)
			(void)aiops_lines_finish(&s->lines, llm_ollama_line, s);
		else
			aiops_sse_finish(&s->sse);
		(void)on_lines_too_long(s);
		if (s->error == 0 && !s->done)
			(void)llm_fail(s, AIOPS_LLM_E_PROTOCOL, "the stream ended early (%s)",
			    s->api == AIOPS_LLM_OLLAMA ? "no line with \"done\": true" : "no data: [DONE]");
		if (s->error == 0 && s->api == AIOPS_LLM_OPENAI)
			(void)llm_openai_finish(s);
	}
	s->finished = 1;
	if (s->error != 0)
		aiops_errf(err, errlen, "%s", s->errmsg);
	else
		aiops_errf(err, errlen, "%s", "");
	return s->error;
}

void
aiops_llm_stream_free(struct aiops_llm_stream *s)
{
	if (s == NULL)
		return;
	aiops_lines_release(&s->lines);
	aiops_sse_release(&s->sse);
	llm_openai_release(s);
	free(s);
}

/* ---- the client ---- */

struct aiops_llm {
	enum aiops_llm_api api;
	char		*endpoint;	/* the URL posted to */
	char		*model;
	char		*key;
	char		*auth;		/* "Bearer <key>" */
	long		 connect_timeout_ms, timeout_ms, idle_timeout_ms;
	int		 retries;
	double		 rate_per_min, temperature;
	uint64_t	 seed;
	const volatile int *cancel;
	double		 bucket;	/* requests that may go now */
	int64_t		 bucket_ns;	/* when it was last filled */
	struct aiops_http *http;
};

struct aiops_llm *
aiops_llm_new(const struct aiops_llm_config *cfg, char *err, size_t errlen)
{
	struct aiops_llm *c;
	char herr[AIOPS_HTTP_ERRSZ];
	size_t n;

	if (cfg->api != AIOPS_LLM_OLLAMA && cfg->api != AIOPS_LLM_OPENAI) {
		aiops_errf(err, errlen, "no language model API (ollama or openai)");
		return NULL;
	}
	if (cfg->url == NULL || (strncmp(cfg->url, "http://", 7) != 0 && strncmp(cfg->url, "https://", 8) != 0)) {
		aiops_errf(err, errlen, "%s: the URL must begin with http:// or https://", api_name(cfg->api));
		return NULL;
	}
	if (cfg->model == NULL || cfg->model[0] == '\0') {
		aiops_errf(err, errlen, "%s: no model", api_name(cfg->api));
		return NULL;
	}
	if (cfg->retries < 0 || cfg->retries > MAX_RETRIES) {
		aiops_errf(err, errlen, "%s: retries %d is not in 0..%d", api_name(cfg->api), cfg->retries,
		    MAX_RETRIES);
		return NULL;
	}
	if (cfg->connect_timeout_ms < 0 || cfg->timeout_ms < 0 || cfg->idle_timeout_ms < 0 ||
	    !(cfg->rate_per_min >= 0)) {
		aiops_errf(err, errlen, "%s: a negative timeout or rate", api_name(cfg->api));
		return NULL;
	}
	if (cfg->api_key != NULL && strpbrk(cfg->api_key, "\r\n") != NULL) {
		aiops_errf(err, errlen, "%s: the API key holds a line break", api_name(cfg->api));
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	if ((c->http = aiops_http_new(herr, sizeof(herr))) == NULL) {
		aiops_errf(err, errlen, "%s: %s", api_name(cfg->api), herr);
		free(c);
		return NULL;
	}
	c->api = cfg->api;
	n = strlen(cfg->url);
	while (n > 0 && cfg->url[n - 1] == '/')
		n--;
	(void)xasprintf(&c->endpoint, "%.*s%s", (int)n, cfg->url,
	    cfg->api == AIOPS_LLM_OLLAMA ? "/api/chat" : "/chat/completions");
	c->model = xstrdup(cfg->model);
	if (cfg->api_key != NULL && cfg->api_key[0] != '\0') {
		c->key = xstrdup(cfg->api_key);
		(void)xasprintf(&c->auth, "Bearer %s", c->key);
	}
	c->connect_timeout_ms = cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms : DEFAULT_CONNECT_MS;
	c->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : DEFAULT_TIMEOUT_MS;
	c->idle_timeout_ms = cfg->idle_timeout_ms > 0 ? cfg->idle_timeout_ms : DEFAULT_IDLE_MS;
	c->cancel = cfg->cancel;
	c->retries = cfg->retries;
	c->rate_per_min = cfg->rate_per_min;
	c->temperature = cfg->temperature;
	c->seed = cfg->seed;
	c->bucket = 1;
	c->bucket_ns = aiops_monotonic_ns();
	return c;
}

static void
wipe_free(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

void
aiops_llm_free(struct aiops_llm *c)
{
	if (c == NULL)
		return;
	aiops_http_free(c->http);
	free(c->endpoint);
	free(c->model);
	wipe_free(c->key);
	wipe_free(c->auth);
	free(c);
}

static void
sleep_ns(int64_t ns)
{
	struct timespec ts, rem;

	if (ns <= 0)
		return;
	ts.tv_sec = (time_t)(ns / 1000000000LL);
	ts.tv_nsec = (long)(ns % 1000000000LL);
	while (nanosleep(&ts, &rem) == -1 && errno == EINTR)
		ts = rem;
}

/*
 * The token bucket: rate_per_min requests a minute, a burst of one, so no
 * sliding minute ever sees more than the rate (plus the one in hand). A
 * wait is capped at MAX_WAIT_NS: a rate under one a minute waits a minute.
 */
static void
rate_wait(struct aiops_llm *c)
{
	double per_ns;
	int64_t now;

	if (c->rate_per_min <= 0)
		return;
	per_ns = c->rate_per_min / 60e9;
	now = aiops_monotonic_ns();
	c->bucket += (double)(now - c->bucket_ns) * per_ns;
	if (c->bucket > 1)
		c->bucket = 1;
	c->bucket_ns = now;
	if (c->bucket < 1) {
		double wait = (1 - c->bucket) / per_ns;

		sleep_ns(wait > (double)MAX_WAIT_NS ? MAX_WAIT_NS : (int64_t)wait + 1);
		now = aiops_monotonic_ns();
		c->bucket += (double)(now - c->bucket_ns) * per_ns;
		c->bucket_ns = now;
	}
	c->bucket -= 1;
	if (c->bucket < 0)
		c->bucket = 0;
}

static int64_t
wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int
on_data(const char *p, size_t n, void *arg)
{
	return aiops_llm_stream_feed(arg, p, n);
}

/* Replaces every occurrence of the key in b with "***". */
static void
scrub(struct aiops_buf *b, const char *key)
{
	struct aiops_buf o = AIOPS_BUF_INIT;
	size_t klen, i, from;

	if (key == NULL || (klen = strlen(key)) == 0 || b->len < klen)
		return;
	for (i = from = 0; i + klen <= b->len; i++)
		if (memcmp(b->data + i, key, klen) == 0) {
			aiops_buf_add(&o, b->data + from, i - from);
			aiops_buf_addstr(&o, "***");
			i += klen - 1;
			from = i + 1;
		}
	if (from == 0)
		return;
	aiops_buf_add(&o, b->data + from, b->len - from);
	explicit_bzero(b->data, b->len);
	aiops_buf_release(b);
	*b = o;
}

/* err = "<api> <url>: <detail>", no key, no control bytes. */
static void
set_err(const struct aiops_llm *c, char *err, size_t errlen, const char *detail, int attempts)
{
	struct aiops_buf b = AIOPS_BUF_INIT;
	size_t i;

	aiops_buf_addf(&b, "%s ", api_name(c->api));
	aiops_http_redact_url(c->endpoint, 0, NULL, &b);
	aiops_buf_addf(&b, ": %s", detail);
	if (attempts > 1)
		aiops_buf_addf(&b, " (%d attempts)", attempts);
	scrub(&b, c->key);
	for (i = 0; i < b.len; i++)
		if ((unsigned char)b.data[i] < 0x20 || b.data[i] == 0x7f)
			b.data[i] = '?';
	aiops_errf(err, errlen, "%s", b.data);
	aiops_buf_release(&b);
}

/* The detail of a failed HTTP response: the server's message and the status. */
static void
http_detail(const struct aiops_llm *c, const struct aiops_http_response *resp, struct aiops_buf *d)
{
	struct aiops_buf prefix = AIOPS_BUF_INIT;
	const char *e = resp->err;

	if (resp->status >= 300 && resp->body.len > 0 && llm_error_message(resp->body.data, resp->body.len, d)) {
		aiops_buf_addf(d, " (%ld)", resp->status);
		return;
	}
	if (resp->status >= 300 && (resp->reason == AIOPS_HTTP_R_4XX || resp->reason == AIOPS_HTTP_R_5XX ||
	    resp->reason == AIOPS_HTTP_R_429)) {
		aiops_buf_addf(d, "HTTP %ld", resp->status);
		return;
	}
	/* net/http's err without its "POST <url>: " */
	aiops_buf_addstr(&prefix, "POST ");
	aiops_http_redact_url(c->endpoint, 0, NULL, &prefix);
	aiops_buf_addstr(&prefix, ": ");
	if (strncmp(e, prefix.data, prefix.len) == 0)
		e += prefix.len;
	aiops_buf_addstr(d, e[0] != '\0' ? e : aiops_http_reason_name(resp->reason));
	aiops_buf_release(&prefix);
}

static enum aiops_llm_error
permanent_error(const struct aiops_http_response *resp)
{
	switch (resp->reason) {
	case AIOPS_HTTP_R_4XX:
	case AIOPS_HTTP_R_REDIRECT:
	case AIOPS_HTTP_R_REQUEST:
		return AIOPS_LLM_E_REFUSED;
	case AIOPS_HTTP_R_TOO_BIG:
	case AIOPS_HTTP_R_STATUS:
		return AIOPS_LLM_E_PROTOCOL;
	default:
		return AIOPS_LLM_E_UNREACHABLE;	/* an untrusted certificate and the like */
	}
}

enum aiops_llm_error
aiops_llm_chat(struct aiops_llm *c, const json_t *messages, const json_t *tools,
    aiops_llm_token_fn on_token, void *arg, struct aiops_llm_reply *out, char *err, size_t errlen)
{
	struct aiops_backoff backoff = { BACKOFF_BASE_NS, BACKOFF_CAP_NS };
	struct aiops_http_header hdrs[3];
	struct aiops_http_request req;
	struct aiops_http_response resp;
	struct aiops_buf detail = AIOPS_BUF_INIT;
	struct aiops_llm_stream *s;
	enum aiops_llm_error rc = AIOPS_LLM_OK;
	char berr[256], serr[256];
	json_t *body;
	char *text;
	int attempt;

	aiops_llm_reply_release(out);
	aiops_errf(err, errlen, "%s", "");
	if (!json_is_array(messages) || (tools != NULL && !json_is_array(tools))) {
		set_err(c, err, errlen, "messages and tools must be JSON arrays", 0);
		return AIOPS_LLM_E_REFUSED;
	}
	body = c->api == AIOPS_LLM_OLLAMA ?
	    llm_ollama_body(c->model, messages, tools, c->temperature, berr, sizeof(berr)) :
	    llm_openai_body(c->model, messages, tools, c->temperature, berr, sizeof(berr));
	if (body == NULL) {
		set_err(c, err, errlen, berr, 0);
		return AIOPS_LLM_E_REFUSED;
	}
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (text == NULL)
		xoom(0);

	memset(hdrs, 0, sizeof(hdrs));
	hdrs[0].name = "Content-Type";
	hdrs[0].value = "application/json";
	hdrs[1].name = "Accept";
	hdrs[1].value = c->api == AIOPS_LLM_OLLAMA ? "application/x-ndjson" : "text/event-stream";
	hdrs[2].name = "Authorization";
	hdrs[2].value = c->auth;
	hdrs[2].secret = 1;
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = c->endpoint;
	req.headers = hdrs;
	req.nheaders = c->auth != NULL ? 3 : 2;
	req.body = text;
	req.body_len = strlen(text);
	req.connect_timeout_ms = c->connect_timeout_ms;
	req.timeout_ms = c->timeout_ms;
	req.idle_timeout_ms = c->idle_timeout_ms;
	req.max_body = MAX_BODY;
	req.on_data = on_data;
	req.cancel = c->cancel;

	aiops_http_response_init(&resp);
	for (attempt = 0;; attempt++) {
		int64_t now, delay;
		int passed;

		rate_wait(c);
		aiops_llm_reply_release(out);
		s = aiops_llm_stream_new(c->api, on_token, arg, out);
		req.arg = s;
		aiops_buf_reset(&detail);
		if (aiops_http_do(c->http, &req, &resp) == AIOPS_HTTP_OK) {
			rc = aiops_llm_stream_finish(s, serr, sizeof(serr));
			aiops_buf_addstr(&detail, serr);
			aiops_llm_stream_free(s);
			break;
		}
		passed = s->passed;
		if (s->error != 0) {
			/* The stream parser or on_token stopped the transfer. */
			rc = aiops_llm_stream_finish(s, serr, sizeof(serr));
			aiops_buf_addstr(&detail, serr);
			aiops_llm_stream_free(s);
			break;
		}
		aiops_llm_stream_free(s);
		http_detail(c, &resp, &detail);
		if (resp.outcome != AIOPS_HTTP_RETRY) {
			rc = permanent_error(&resp);
			if (c->cancel != NULL && *c->cancel && resp.reason == AIOPS_HTTP_R_CANCELLED)
				rc = AIOPS_LLM_E_CANCELLED;
			break;
		}
		rc = AIOPS_LLM_E_UNREACHABLE;
		if (passed) {
			aiops_buf_addstr(&detail, " (after the answer had begun)");
			break;
		}
		if (attempt >= c->retries)
			break;
		now = wall_ns();
		delay = aiops_retry_next(&backoff, (unsigned)attempt, c->seed, now, resp.retry_after) - now;
		if (delay > MAX_WAIT_NS) {
			aiops_buf_addf(&detail, " (the server asks to wait %lld s)",
			    (long long)(delay / 1000000000LL));
			break;
		}
		sleep_ns(delay);
	}
	if (rc != AIOPS_LLM_OK)
		set_err(c, err, errlen, detail.data != NULL ? detail.data : "", attempt + 1);
	aiops_http_response_release(&resp);
	aiops_buf_release(&detail);
	free(text);
	return rc;
}
