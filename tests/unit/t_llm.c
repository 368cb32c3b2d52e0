/*
 * t_llm.c: lib/llm's chat client. First the stream parsers alone, fed
 * byte by byte (NDJSON of Ollama, SSE of OpenAI: text, tool calls split
 * anywhere, bounds, early ends, errors, cancelling); then both backends
 * against tests/helpers/llmd.py, which checks every request against the
 * API's contract: streamed text, tool calls, bad arguments, retries after
 * 500 and 429 (Retry-After), timeouts, a closed port, 404, a truncated or
 * cut stream, the key sent as Bearer and kept out of every err, the
 * conversion of OpenAI-shaped messages to Ollama's, the scripted turns,
 * the rate limit. An alarm ends the test (and the server) if anything
 * hangs.
 */
#include "compat.h"

#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "llm/chat.h"
#include "net/http.h"
#include "tap.h"
#include "../helpers/spawn.h"

#ifndef LLMD_PY
#define LLMD_PY "tests/helpers/llmd.py"
#endif
#define NS	1000000000LL
#define KEY	"sk-test-5ecr3t-k3y"
#define STR(s)	(s), strlen(s)

static pid_t srv_pid = -1;
static int port;
static char script_path[64];

static void
on_alarm(int sig)
{
	static const char msg[] = "Bail out! t_llm timed out\n";

	(void)sig;
	if (srv_pid > 0)
		kill(srv_pid, SIGKILL);
	(void)!write(1, msg, sizeof(msg) - 1);
	_exit(1);
}

/* ---- helpers ---- */

struct tokens {
	int		 calls;
	struct aiops_buf all;
	int		 cancel_after;	/* > 0: cancel on that call */
};

static int
on_token(const char *p, size_t n, void *arg)
{
	struct tokens *t = arg;

	t->calls++;
	aiops_buf_add(&t->all, p, n);
	return t->cancel_after > 0 && t->calls >= t->cancel_after;
}

/* Feeds body to a new parser of api byte by byte (step 1) or in step-sized pieces. */
static int
parse(enum aiops_llm_api api, const char *body, size_t len, size_t step, struct tokens *t,
    struct aiops_llm_reply *r, char *err, size_t errlen)
{
	struct aiops_llm_stream *s = aiops_llm_stream_new(api, t != NULL ? on_token : NULL, t, r);
	size_t i, n;
	int rc = 0;

	for (i = 0; i < len && rc == 0; i += n) {
		n = len - i < step ? len - i : step;
		rc = aiops_llm_stream_feed(s, body + i, n);
	}
	rc = aiops_llm_stream_finish(s, err, errlen);
	aiops_llm_stream_free(s);
	return rc;
}

static int
json_text_equal(const char *text, const char *want)
{
	json_error_t jerr;
	json_t *a = json_loads(text, 0, &jerr), *b = json_loads(want, 0, &jerr);
	int eq = a != NULL && b != NULL && json_equal(a, b);

	json_decref(a);
	json_decref(b);
	return eq;
}

/* ---- the parsers alone ---- */

static const char ollama_body[] =
    "{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"Hel\"},\"done\":false}\n"
    "{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"lo \\u2713\"},\"done\":false}\r\n"
    "\n"
    "{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":["
    "{\"function\":{\"name\":\"search_logs\",\"arguments\":{\"query\":\"a\\\"b\",\"limit\":5}}},"
    "{\"function\":{\"name\":\"uptime\"}}]},\"done\":false}\n"
    "{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"!\"},\"done\":false}\n"
    "{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,"
    "\"done_reason\":\"stop\",\"prompt_eval_count\":12,\"eval_count\":4}";	/* no final newline */

/* Content split inside the UTF-8 of "✓" (e2 9c 93) across two events;
 * two calls interleaved by index; arguments split inside an escape
 * ("\\" | "n") and inside "é" (c3 | a9); CRLF line ends; usage; [DONE]. */
static const char openai_body[] =
    ": a comment\r\n\r\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\r\n\r\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi \xe2\x9c\"},\"finish_reason\":null}]}\r\n\r\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\x93!\"},\"finish_reason\":null}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_a\",\"type\":\"function\","
    "\"function\":{\"name\":\"search_logs\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"q\\\": \\\"x\\\\\"}}]},\"finish_reason\":null}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"call_b\",\"type\":\"function\","
    "\"function\":{\"name\":\"uptime\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"ny \xc3\"}}]},\"finish_reason\":null}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\xa9\\\"}\"}}]},\"finish_reason\":null}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n"
    "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":9,\"total_tokens\":39}}\n\n"
    "data: [DONE]\n\n";

static void
test_parsers(void)
{
	struct aiops_llm_reply r;
	struct tokens t = { 0, AIOPS_BUF_INIT, 0 };
	struct aiops_buf big = AIOPS_BUF_INIT;
	char err[256];
	size_t step, i;
	int rc;

	aiops_llm_reply_init(&r);
	is_int(r.first_token_ns, -1, "a new reply has no first token");
	is_int(r.prompt_tokens, -1, "nor token counts");

	for (step = 1; step <= 7; step += 6) {
		t.calls = 0;
		aiops_buf_reset(&t.all);
		rc = parse(AIOPS_LLM_OLLAMA, ollama_body, sizeof(ollama_body) - 1, step, &t, &r, err, sizeof(err));
		is_int(rc, AIOPS_LLM_OK, "ollama stream in pieces of %zu: ok (%s)", step, err);
		is_str(r.text.data, "Hello \xe2\x9c\x93!", "ollama: the text whole");
		is_int(t.calls, 3, "ollama: three pieces through on_token");
		is_str(t.all.data, r.text.data, "ollama: on_token saw all of it");
		is_int(r.ncalls, 2, "ollama: two tool calls, from a line before the last");
		if (r.ncalls == 2) {
			is_str(r.calls[0].id, "call_0", "ollama: ids made up (call_0)");
			is_str(r.calls[1].id, "call_1", "ollama: call_1");
			is_str(r.calls[0].name, "search_logs", "ollama: name");
			ok(json_text_equal(r.calls[0].arguments, "{\"query\":\"a\\\"b\",\"limit\":5}") &&
			    r.calls[0].args_ok, "ollama: arguments as JSON text: %s", r.calls[0].arguments);
			is_str(r.calls[1].arguments, "{}", "ollama: no arguments is {}");
			ok(r.calls[1].args_ok, "ollama: and that is an object");
		}
		is_str(r.finish_reason, "stop", "ollama: done_reason");
		is_int(r.prompt_tokens, 12, "ollama: prompt_eval_count");
		is_int(r.completion_tokens, 4, "ollama: eval_count");
		ok(r.first_token_ns >= 0, "ollama: first token time");
		aiops_llm_reply_release(&r);

		t.calls = 0;
		aiops_buf_reset(&t.all);
		rc = parse(AIOPS_LLM_OPENAI, openai_body, sizeof(openai_body) - 1, step, &t, &r, err, sizeof(err));
		is_int(rc, AIOPS_LLM_OK, "openai stream in pieces of %zu: ok (%s)", step, err);
		is_str(r.text.data, "Hi \xe2\x9c\x93!", "openai: a character split between events is whole again");
		is_int(t.calls, 2, "openai: two pieces through on_token (the empty one is not passed)");
		is_int(r.ncalls, 2, "openai: two calls assembled by index");
		if (r.ncalls == 2) {
			is_str(r.calls[0].id, "call_a", "openai: id of index 0");
			is_str(r.calls[0].name, "search_logs", "openai: name of index 0");
			is_str(r.calls[0].arguments, "{\"q\": \"x\\ny \xc3\xa9\"}",
			    "openai: arguments split in an escape and in a character, joined");
			ok(r.calls[0].args_ok, "openai: they make an object");
			is_str(r.calls[1].id, "call_b", "openai: id of index 1");
			is_str(r.calls[1].arguments, "{}", "openai: no arguments is {}");
		}
		is_str(r.finish_reason, "tool_calls", "openai: finish_reason");
		is_int(r.prompt_tokens, 30, "openai: usage.prompt_tokens");
		is_int(r.completion_tokens, 9, "openai: usage.completion_tokens");
		aiops_llm_reply_release(&r);
	}

	/* The ends. */
	rc = parse(AIOPS_LLM_OLLAMA, ollama_body, (size_t)(strchr(ollama_body, '\n') + 1 - ollama_body), 1,
	    &t, &r, err, sizeof(err));
	is_int(rc, AIOPS_LLM_E_PROTOCOL, "ollama without done: protocol");
	ok(strstr(err, "the stream ended early") != NULL, "err: %s", err);
	aiops_llm_reply_release(&r);
	rc = parse(AIOPS_LLM_OPENAI, openai_body, sizeof(openai_body) - 1 - 16, 1, &t, &r, err, sizeof(err));
	is_int(rc, AIOPS_LLM_E_PROTOCOL, "openai without [DONE]: protocol");
	ok(strstr(err, "the stream ended early") != NULL, "err: %s", err);
	is_int(r.ncalls, 0, "openai: no calls from a stream that ended early");
	aiops_llm_reply_release(&r);
	rc = parse(AIOPS_LLM_OLLAMA, STR("{\"done\":true}\n"), 1, &t, &r, err, sizeof(err));
	is_int(rc, AIOPS_LLM_OK, "ollama: an empty answer is fine");
	is_str(r.text.data, NULL, "no text");
	is_int(r.first_token_ns, -1, "no first token");
	aiops_llm_reply_release(&r);

	/* Malformed. */
	rc = parse(AIOPS_LLM_OLLAMA, STR("{\"message\":{\"content\":\"a\"}}\nnot json\n"), 3, &t, &r, err, sizeof(err));
	is_int(rc, AIOPS_LLM_E_PROTOCOL, "ollama: a line that is not JSON: protocol");
	ok(strstr(err, "line 2 is not a JSON object") != NULL, "err names the line: %s", err);
	aiops_llm_reply_release(&r);
	rc = parse(AIOPS_LLM_OPENAI, STR("data: [1]\n\n"), 1, &t, &r, err, sizeof(err));
	is_int(rc, AIOPS_LLM_E_PROTOCOL, "openai: an event that is not an object: protocol");
	aiops_llm_reply_release(&r);
	rc = parse(AIOPS_LLM_OLLAMA, STR("{\"message\":{\"content\":5}}\n"), 1, &t, &r, err, sizeof(err));
	is_int(rc, AIOPS_LLM_E_PROTOCOL, "ollama: content not a string: protocol");
	aiops_llm_reply_release(&r);
	rc = parse(AIOPS_LLM_OLLAMA, STR("{\"error\":\"model \\\"x\\\" not found, try pulling it first\"}\n"),
	    1, &t, &r, err, sizeof(err));
	is_int(rc, AIOPS_LLM_E_REFUSED, "ollama: an error line saying not found: refused");
	is_str(err, "model \"x\" not found, try pulling it first", "err is the server's");
	aiops_llm_reply_release(&r);
	{
		static const char e[] = "data: {\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}\n\n";

		rc = parse(AIOPS_LLM_OPENAI, e, sizeof(e) - 1, 5, &t, &r, err, sizeof(err));
		is_int(rc, AIOPS_LLM_E_PROTOCOL, "openai: an error chunk: protocol");
		is_str(err, "overloaded", "err is the server's message");
		aiops_llm_reply_release(&r);
	}
	{
		static const char bad[] =
		    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c\","
		    "\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\\\":\"}}]}}]}\n\n"
		    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"d\","
		    "\"function\":{\"name\":\"g\",\"arguments\":\"[1]\"}}]}}]}\n\ndata: [DONE]\n\n";

		rc = parse(AIOPS_LLM_OPENAI, bad, sizeof(bad) - 1, 1, &t, &r, err, sizeof(err));
		is_int(rc, AIOPS_LLM_OK, "openai: bad arguments are not a stream error");
		ok(r.ncalls == 2 && !r.calls[0].args_ok && !r.calls[1].args_ok,
		    "truncated JSON and an array: args_ok 0");
		if (r.ncalls == 2)
			is_str(r.calls[0].arguments, "{\"a\":", "the model's text is kept for the caller");
		aiops_llm_reply_release(&r);
	}
	{
		static const char noname[] =
		    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
		    "\"function\":{\"arguments\":\"{}\"}}]}}]}\n\ndata: [DONE]\n\n";

		rc = parse(AIOPS_LLM_OPENAI, noname, sizeof(noname) - 1, 1, &t, &r, err, sizeof(err));
		is_int(rc, AIOPS_LLM_E_PROTOCOL, "openai: a call without a name: protocol");
		aiops_llm_reply_release(&r);
	}

	/* Cancelling. */
	t.cancel_after = 2;
	t.calls = 0;
	rc = parse(AIOPS_LLM_OLLAMA, ollama_body, sizeof(ollama_body) - 1, 1, &t, &r, err, sizeof(err));
	is_int(rc, AIOPS_LLM_E_CANCELLED, "on_token's non-zero cancels");
	is_int(t.calls, 2, "no token after that");
	t.cancel_after = 0;
	aiops_llm_reply_release(&r);

	/* Bounds. */
	for (i = 0; i < 17; i++) {
		size_t k;

		aiops_buf_addstr(&big, "{\"message\":{\"content\":\"");
		for (k = 0; k < 65536; k++)
			aiops_buf_addc(&big, 'x');
		aiops_buf_addstr(&big, "\"}}\n");
	}
	aiops_buf_addstr(&big, "{\"done\":true}\n");
	rc = parse(AIOPS_LLM_OLLAMA, big.data, big.len, 4096, NULL, &r, err, sizeof(err));
	is_int(rc, AIOPS_LLM_E_PROTOCOL, "text over 1 MiB: protocol");
	ok(strstr(err, "over 1048576 bytes") != NULL, "err: %s", err);
	ok(r.text.len <= AIOPS_LLM_MAX_TEXT, "the text kept is bounded");
	aiops_llm_reply_release(&r);

	aiops_buf_reset(&big);
	for (i = 0; i < 65; i++)
		aiops_buf_addf(&big, "{\"message\":{\"tool_calls\":[{\"function\":{\"name\":\"f%zu\"}}]}}\n", i);
	aiops_buf_addstr(&big, "{\"done\":true}\n");
	rc = parse(AIOPS_LLM_OLLAMA, big.data, big.len, 100, NULL, &r, err, sizeof(err));
	is_int(rc, AIOPS_LLM_E_PROTOCOL, "65 tool calls: protocol");
	ok(strstr(err, "more than 64 tool calls") != NULL, "err: %s", err);
	is_int(r.ncalls, 64, "64 kept");
	aiops_llm_reply_release(&r);

	aiops_buf_reset(&big);
	aiops_buf_addstr(&big, "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c\","
	    "\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\\\":\\\"\"}}]}}]}\n\n");
	for (i = 0; i < 5; i++) {
		size_t k;

		aiops_buf_addstr(&big, "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,"
		    "\"function\":{\"arguments\":\"");
		for (k = 0; k < 60000; k++)
			aiops_buf_addc(&big, 'y');
		aiops_buf_addstr(&big, "\"}}]}}]}\n\n");
	}
	aiops_buf_addstr(&big, "data: [DONE]\n\n");
	rc = parse(AIOPS_LLM_OPENAI, big.data, big.len, 65536, NULL, &r, err, sizeof(err));
	is_int(rc, AIOPS_LLM_E_PROTOCOL, "arguments over 256 KiB: protocol");
	ok(strstr(err, "arguments are over 262144 bytes") != NULL, "err: %s", err);
	aiops_llm_reply_release(&r);

	aiops_buf_release(&big);
	aiops_buf_release(&t.all);

	ok(aiops_llm_stream_new(AIOPS_LLM_NONE, NULL, NULL, &r) == NULL, "no parser for api none");
	is_int(aiops_llm_api_parse("ollama"), AIOPS_LLM_OLLAMA, "api ollama");
	is_int(aiops_llm_api_parse("openai"), AIOPS_LLM_OPENAI, "api openai");
	is_int(aiops_llm_api_parse("none"), AIOPS_LLM_NONE, "api none");
	is_int(aiops_llm_api_parse(NULL), AIOPS_LLM_NONE, "api NULL");
	ok(aiops_llm_api_parse("claude") == (enum aiops_llm_api)-1, "api unknown");
	is_str(aiops_llm_error_name(AIOPS_LLM_E_UNREACHABLE), "unreachable", "error name");
	is_str(aiops_llm_error_name(AIOPS_LLM_E_CANCELLED), "cancelled", "error name");
}

/* ---- against llmd.py ---- */

static int
start_server(void)
{
	char path[4096];
	char *argv[] = { "/usr/bin/python3", path, "--timeout", "120", "--key", KEY,
	    "--script", script_path, NULL };
	FILE *f;
	int fd;

	snprintf(script_path, sizeof(script_path), "/tmp/t_llm-script-XXXXXX");
	if ((fd = mkstemp(script_path)) == -1 || (f = fdopen(fd, "w")) == NULL)
		return -1;
	fputs("[{\"text\": \"\", \"tool_calls\": [{\"name\": \"search_logs\", \"arguments\": {\"query\": \"oom\"}}]},\n"
	    " {\"text\": \"The disk filled up because of the logs.\"}]\n", f);
	fclose(f);
	helper_path(path, sizeof(path), "llmd.py", LLMD_PY);
	return (srv_pid = spawn_server(argv, &port)) > 0 ? 0 : -1;
}

static void
stop_server(void)
{
	stop_server_pid(srv_pid);
	srv_pid = -1;
	unlink(script_path);
}

/* The requests llmd.py saw. */
static json_t *
requests(void)
{
	struct aiops_http_request req = { 0 };
	struct aiops_http_response resp;
	struct aiops_http *h;
	json_error_t jerr;
	char u[128], err[256];
	json_t *v = NULL;

	if ((h = aiops_http_new(err, sizeof(err))) == NULL)
		return NULL;
	snprintf(u, sizeof(u), "http://127.0.0.1:%d/_requests", port);
	req.url = u;
	aiops_http_response_init(&resp);
	if (aiops_http_do(h, &req, &resp) == AIOPS_HTTP_OK)
		v = json_loadb(resp.body.data, resp.body.len, 0, &jerr);
	aiops_http_response_release(&resp);
	aiops_http_free(h);
	return v;
}

static size_t
nrequests(void)
{
	json_t *v = requests();
	size_t n = json_array_size(v);

	json_decref(v);
	return n;
}

/* The body of the last request, owned by the caller. */
static json_t *
last_request(void)
{
	json_t *v = requests(), *last = NULL;

	if (json_array_size(v) > 0)
		last = json_incref(json_array_get(v, json_array_size(v) - 1));
	json_decref(v);
	return last;
}

struct opts {
	const char	*key;
	int		 retries;
	long		 idle_ms;
	double		 rate;
	double		 temperature;
	int		 port;
};

static struct aiops_llm *
client(enum aiops_llm_api api, const char *model, const struct opts *o)
{
	struct aiops_llm_config cfg;
	char u[128], err[256];
	struct aiops_llm *c;

	memset(&cfg, 0, sizeof(cfg));
	snprintf(u, sizeof(u), "http://127.0.0.1:%d%s", o != NULL && o->port ? o->port : port,
	    api == AIOPS_LLM_OPENAI ? "/v1/" : "");
	cfg.api = api;
	cfg.url = u;
	cfg.model = model;
	cfg.api_key = o != NULL ? o->key : KEY;
	cfg.connect_timeout_ms = 2000;
	cfg.timeout_ms = 20000;
	cfg.idle_timeout_ms = o != NULL && o->idle_ms ? o->idle_ms : 5000;
	cfg.retries = o != NULL ? o->retries : 0;
	cfg.rate_per_min = o != NULL ? o->rate : 0;
	cfg.temperature = o != NULL ? o->temperature : -1;
	cfg.seed = 42;
	if ((c = aiops_llm_new(&cfg, err, sizeof(err))) == NULL)
		printf("# aiops_llm_new: %s\n", err);
	return c;
}

static json_t *
messages(void)
{
	json_error_t jerr;

	return json_loads("[{\"role\":\"system\",\"content\":\"You are an SRE assistant.\"},"
	    "{\"role\":\"user\",\"content\":\"Why is /var full on db-1?\"}]", 0, &jerr);
}

static json_t *
tools(void)
{
	json_error_t jerr;

	return json_loads("[{\"type\":\"function\",\"function\":{\"name\":\"search_logs\","
	    "\"description\":\"Search the logs.\",\"parameters\":{\"type\":\"object\",\"properties\":"
	    "{\"query\":{\"type\":\"string\"},\"limit\":{\"type\":\"integer\"}},\"required\":[\"query\"]}}}]",
	    0, &jerr);
}

/* One turn with model against api; the reply in r, the err in err. */
static enum aiops_llm_error
turn(enum aiops_llm_api api, const char *model, const struct opts *o, struct tokens *t,
    struct aiops_llm_reply *r, char *err, size_t errlen)
{
	struct aiops_llm *c = client(api, model, o);
	json_t *m = messages(), *tl = tools();
	enum aiops_llm_error rc;

	if (c == NULL)
		return -1;
	rc = aiops_llm_chat(c, m, tl, t != NULL ? on_token : NULL, t, r, err, errlen);
	ok(strstr(err, KEY) == NULL && strstr(err, "5ecr3t") == NULL, "%s %s: the key is not in err",
	    api == AIOPS_LLM_OLLAMA ? "ollama" : "openai", model);
	json_decref(m);
	json_decref(tl);
	aiops_llm_free(c);
	return rc;
}

static void
test_backend(enum aiops_llm_api api)
{
	const char *an = api == AIOPS_LLM_OLLAMA ? "ollama" : "openai";
	struct tokens t = { 0, AIOPS_BUF_INIT, 0 };
	struct aiops_llm_reply r;
	struct opts o;
	char err[512], model[64], prefix[128];
	json_t *req;
	size_t before;
	int64_t t0, dt;
	int rc;

	aiops_llm_reply_init(&r);
	snprintf(prefix, sizeof(prefix), "%s http://127.0.0.1:%d/%s", an, port,
	    api == AIOPS_LLM_OLLAMA ? "api/chat" : "v1/chat/completions");

	rc = turn(api, "text", NULL, &t, &r, err, sizeof(err));
	is_int(rc, AIOPS_LLM_OK, "%s text: ok (%s)", an, err);
	is_str(r.text.data, "Hello from llmd: disk /var is 91% full. \xc3\x9cn\xc3\xaf" "c\xc3\xb8" "d\xc3\xa9 \xe2\x9c\x93",
	    "%s text: whole in reply.text", an);
	ok(t.calls >= 5, "%s text: in pieces through on_token (%d)", an, t.calls);
	is_str(t.all.data, r.text.data, "%s text: the pieces make the text", an);
	is_str(r.finish_reason, "stop", "%s text: finish_reason stop", an);
	is_int(r.prompt_tokens, 20, "%s text: prompt tokens counted", an);
	ok(r.completion_tokens > 0, "%s text: completion tokens counted", an);
	ok(r.first_token_ns > 0 && r.first_token_ns < 5 * NS, "%s text: first token time %lld ns", an,
	    (long long)r.first_token_ns);
	is_int(r.ncalls, 0, "%s text: no calls", an);
	req = last_request();
	is_str(json_string_value(json_object_get(json_object_get(req, "headers"), "authorization")),
	    "Bearer " KEY, "%s: the key went as Bearer", an);
	ok(json_is_true(json_object_get(json_object_get(req, "body"), "stream")), "%s: stream true", an);
	json_decref(req);

	aiops_buf_reset(&t.all);
	t.calls = 0;
	rc = turn(api, "tools-split", NULL, &t, &r, err, sizeof(err));
	is_int(rc, AIOPS_LLM_OK, "%s tools-split: ok (%s)", an, err);
	is_str(r.text.data, "Looking \xe2\x9c\x93 into it.", "%s tools-split: the text", an);
	is_str(t.all.data, r.text.data, "%s tools-split: on_token's pieces join into it", an);
	is_int(r.ncalls, 2, "%s tools-split: two calls", an);
	if (r.ncalls == 2) {
		is_str(r.calls[0].name, "search_logs", "%s: call 0 name", an);
		ok(r.calls[0].args_ok && json_text_equal(r.calls[0].arguments,
		    "{\"query\": \"a \\\"quoted\\\"\\nline \xc3\xa9\xe2\x9c\x93\", \"limit\": 5}"),
		    "%s: call 0 arguments assembled: %s", an, r.calls[0].arguments);
		is_str(r.calls[1].name, "get_metric", "%s: call 1 name", an);
		ok(r.calls[1].args_ok && json_text_equal(r.calls[1].arguments, "{\"name\":\"cpu\",\"host\":\"db-1\"}"),
		    "%s: call 1 arguments: %s", an, r.calls[1].arguments);
		is_str(r.calls[0].id, api == AIOPS_LLM_OLLAMA ? "call_0" : "call_llmd_0", "%s: call 0 id", an);
		is_str(r.calls[1].id, api == AIOPS_LLM_OLLAMA ? "call_1" : "call_llmd_1", "%s: call 1 id", an);
	}
	is_str(r.finish_reason, api == AIOPS_LLM_OLLAMA ? "stop" : "tool_calls", "%s: finish_reason", an);

	rc = turn(api, "tools-bad-args", NULL, NULL, &r, err, sizeof(err));
	is_int(rc, AIOPS_LLM_OK, "%s tools-bad-args: ok", an);
	ok(r.ncalls == 1 && !r.calls[0].args_ok, "%s tools-bad-args: args_ok 0", an);
	if (r.ncalls == 1)
		is_str(r.calls[0].arguments, "{\"query\": \"unterminated", "%s: the model's text kept", an);

	/* Retries. */
	memset(&o, 0, sizeof(o));
	o.key = KEY;
	o.retries = 2;
	o.temperature = -1;
	before = nrequests();
	snprintf(model, sizeof(model), "500-then-ok:2:%s", an);
	rc = turn(api, model, &o, NULL, &r, err, sizeof(err));
	is_int(rc, AIOPS_LLM_OK, "%s 500 twice, 2 retries: ok (%s)", an, err);
	is_int(nrequests() - before, 3, "%s: three requests", an);
	ok(r.text.len > 0, "%s: the answer of the third", an);

	o.retries = 1;
	snprintf(model, sizeof(model), "500-then-ok:5:%s", an);
	rc = turn(api, model, &o, NULL, &r, err, sizeof(err));
	is_int(rc, AIOPS_LLM_E_UNREACHABLE, "%s 500 more often than retried: unreachable", an);
	ok(strncmp(err, prefix, strlen(prefix)) == 0 && strstr(err, "internal error (500) (2 attempts)") != NULL,
	    "%s: err %s", an, err);

	snprintf(model, sizeof(model), "429:1:%s", an);
	t0 = aiops_monotonic_ns();
	rc = turn(api, model, &o, NULL, &r, err, sizeof(err));
	dt = aiops_monotonic_ns() - t0;
	is_int(rc, AIOPS_LLM_OK, "%s 429 then ok, 1 retry: ok (%s)", an, err);
	ok(dt >= 9 * NS / 10, "%s: Retry-After: 1 honoured (%.2f s)", an, (double)dt / NS);

	o.retries = 0;
	rc = turn(api, "429-always", &o, NULL, &r, err, sizeof(err));
	is_int(rc, AIOPS_LLM_E_UNREACHABLE, "%s 429 without retries: unreachable", an);
	ok(strstr(err, "(429)") != NULL, "%s: err %s", an, err);

	/* Timeouts and dead ends. */
	o.idle_ms = 1000;
	t0 = aiops_monotonic_ns();
	rc = turn(api, "slow:3500", &o, &t, &r, err, sizeof(err));
	dt = aiops_monotonic_ns() - t0;
	is_int(rc, AIOPS_LLM_E_UNREACHABLE, "%s silent past the idle timeout: unreachable (%s)", an, err);
	ok(dt < 3 * NS, "%s: in %.2f s", an, (double)dt / NS);
	ok(strstr(err, "no data for 1000 ms") != NULL, "%s: err %s", an, err);

	rc = turn(api, "stall:3500", &o, &t, &r, err, sizeof(err));
	is_int(rc, AIOPS_LLM_E_UNREACHABLE, "%s stalled after a token: unreachable", an);
	ok(strstr(err, "after the answer had begun") != NULL, "%s: not retried once begun: %s", an, err);
	o.idle_ms = 0;

	{
		struct sockaddr_in sa;
		socklen_t sl = sizeof(sa);
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		memset(&sa, 0, sizeof(sa));
		sa.sin_family = AF_INET;
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
		    getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
			o.port = ntohs(sa.sin_port);
		close(fd);
		o.retries = 1;
		rc = turn(api, "text", &o, NULL, &r, err, sizeof(err));
		is_int(rc, AIOPS_LLM_E_UNREACHABLE, "%s a closed port: unreachable (%s)", an, err);
		o.port = 0;
		o.retries = 0;
	}

	rc = turn(api, "notfound", NULL, NULL, &r, err, sizeof(err));
	is_int(rc, AIOPS_LLM_E_REFUSED, "%s 404: refused", an);
	ok(strncmp(err, prefix, strlen(prefix)) == 0 && strstr(err, "not") != NULL &&
	    strstr(err, "(404)") != NULL, "%s: err %s", an, err);

	rc = turn(api, "truncated", NULL, NULL, &r, err, sizeof(err));
	is_int(rc, AIOPS_LLM_E_PROTOCOL, "%s truncated: protocol", an);
	ok(strstr(err, "the stream ended early") != NULL, "%s: err %s", an, err);

	rc = turn(api, "cut", NULL, NULL, &r, err, sizeof(err));
	is_int(rc, AIOPS_LLM_E_UNREACHABLE, "%s cut mid-chunk: unreachable (%s)", an, err);

	rc = turn(api, "error", NULL, NULL, &r, err, sizeof(err));
	is_int(rc, AIOPS_LLM_E_PROTOCOL, "%s an error in the stream: protocol", an);
	ok(strstr(err, "an error in the middle of the stream") != NULL, "%s: err %s", an, err);

	/* The key. */
	o.key = "sk-wrong-5ecr3t";
	rc = turn(api, "text", &o, NULL, &r, err, sizeof(err));
	is_int(rc, AIOPS_LLM_E_REFUSED, "%s a wrong key: refused", an);
	ok(strstr(err, "(401)") != NULL && strstr(err, "sk-wrong") == NULL, "%s: err %s", an, err);
	o.key = NULL;
	rc = turn(api, "text", &o, NULL, &r, err, sizeof(err));
	is_int(rc, AIOPS_LLM_E_REFUSED, "%s no key: refused", an);
	req = last_request();
	ok(json_object_get(json_object_get(req, "headers"), "authorization") == NULL,
	    "%s: no key, no Authorization", an);
	json_decref(req);

	/* Cancelling through on_token. */
	t.cancel_after = 3;
	t.calls = 0;
	rc = turn(api, "text", NULL, &t, &r, err, sizeof(err));
	is_int(rc, AIOPS_LLM_E_CANCELLED, "%s cancelled by on_token", an);
	is_int(t.calls, 3, "%s: no token after", an);
	t.cancel_after = 0;

	aiops_llm_reply_release(&r);
	aiops_buf_release(&t.all);
}

/* An OpenAI-shaped conversation with a tool round, as both APIs get it. */
static void
test_conversion(void)
{
	struct aiops_llm_reply r;
	struct aiops_llm *c;
	json_error_t jerr;
	json_t *m, *tl, *req, *body, *msgs, *want;
	char err[512];
	int rc;
	struct opts o;

	memset(&o, 0, sizeof(o));
	o.key = KEY;
	o.temperature = 0.25;
	aiops_llm_reply_init(&r);
	m = json_loads("[{\"role\":\"system\",\"content\":\"You are an SRE assistant.\"},"
	    "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Why is \"},{\"type\":\"text\",\"text\":\"/var full?\"}]},"
	    "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_9\",\"type\":\"function\","
	    "\"function\":{\"name\":\"search_logs\",\"arguments\":\"{\\\"query\\\":\\\"disk\\\"}\"}},"
	    "{\"id\":\"call_10\",\"type\":\"function\",\"function\":{\"name\":\"uptime\",\"arguments\":\"not json\"}}]},"
	    "{\"role\":\"tool\",\"tool_call_id\":\"call_9\",\"content\":\"no space left on device\"},"
	    "{\"role\":\"tool\",\"tool_call_id\":\"call_10\",\"content\":\"up 3 days\"}]", 0, &jerr);
	tl = tools();

	c = client(AIOPS_LLM_OLLAMA, "text", &o);
	rc = aiops_llm_chat(c, m, tl, NULL, NULL, &r, err, sizeof(err));
	is_int(rc, AIOPS_LLM_OK, "ollama: a tool round converted, accepted (%s)", err);
	aiops_llm_free(c);
	req = last_request();
	body = json_object_get(req, "body");
	msgs = json_object_get(body, "messages");
	is_int(json_array_size(msgs), 5, "ollama: five messages");
	is_str(json_string_value(json_object_get(json_array_get(msgs, 1), "content")), "Why is /var full?",
	    "ollama: content parts joined into a string");
	is_str(json_string_value(json_object_get(json_array_get(msgs, 2), "content")), "",
	    "ollama: null content is \"\"");
	want = json_loads("[{\"function\":{\"name\":\"search_logs\",\"arguments\":{\"query\":\"disk\"}}},"
	    "{\"function\":{\"name\":\"uptime\",\"arguments\":{}}}]", 0, &jerr);
	ok(json_equal(json_object_get(json_array_get(msgs, 2), "tool_calls"), want),
	    "ollama: arguments as objects (a bad one as {}), no id, no type");
	json_decref(want);
	want = json_loads("{\"role\":\"tool\",\"content\":\"no space left on device\",\"tool_name\":\"search_logs\"}",
	    0, &jerr);
	ok(json_equal(json_array_get(msgs, 3), want), "ollama: the tool result with tool_name, no tool_call_id");
	json_decref(want);
	is_str(json_string_value(json_object_get(json_array_get(msgs, 4), "tool_name")), "uptime",
	    "ollama: the second result's tool_name");
	ok(json_equal(json_object_get(body, "tools"), tl), "ollama: tools as given");
	ok(json_real_value(json_object_get(json_object_get(body, "options"), "temperature")) == 0.25,
	    "ollama: options.temperature");
	ok(json_object_get(body, "temperature") == NULL && json_object_get(body, "stream_options") == NULL,
	    "ollama: nothing of OpenAI's");
	json_decref(req);

	c = client(AIOPS_LLM_OPENAI, "text", &o);
	rc = aiops_llm_chat(c, m, tl, NULL, NULL, &r, err, sizeof(err));
	is_int(rc, AIOPS_LLM_OK, "openai: the same round accepted (%s)", err);
	aiops_llm_free(c);
	req = last_request();
	body = json_object_get(req, "body");
	ok(json_equal(json_object_get(body, "messages"), m), "openai: messages as given");
	ok(json_equal(json_object_get(body, "tools"), tl), "openai: tools as given");
	ok(json_is_true(json_object_get(json_object_get(body, "stream_options"), "include_usage")),
	    "openai: stream_options.include_usage");
	ok(json_real_value(json_object_get(body, "temperature")) == 0.25, "openai: temperature");
	is_str(json_string_value(json_object_get(json_object_get(req, "headers"), "accept")), "text/event-stream",
	    "openai: Accept: text/event-stream");
	json_decref(req);

	c = client(AIOPS_LLM_OPENAI, "text", &o);
	rc = aiops_llm_chat(c, m, NULL, NULL, NULL, &r, err, sizeof(err));
	is_int(rc, AIOPS_LLM_OK, "openai: no tools");
	aiops_llm_free(c);
	req = last_request();
	ok(json_object_get(json_object_get(req, "body"), "tools") == NULL, "openai: no tools, no \"tools\"");
	json_decref(req);

	json_decref(m);
	json_decref(tl);
	aiops_llm_reply_release(&r);
}

static void
test_script_and_rate(void)
{
	struct aiops_llm_reply r;
	struct opts o;
	char err[512];
	int64_t t0, dt;
	int rc, i;

	aiops_llm_reply_init(&r);
	rc = turn(AIOPS_LLM_OLLAMA, "script", NULL, NULL, &r, err, sizeof(err));
	is_int(rc, AIOPS_LLM_OK, "script turn 1 over ollama (%s)", err);
	ok(r.ncalls == 1 && strcmp(r.calls[0].name, "search_logs") == 0 &&
	    json_text_equal(r.calls[0].arguments, "{\"query\":\"oom\"}"), "turn 1: the tool call");
	rc = turn(AIOPS_LLM_OPENAI, "script", NULL, NULL, &r, err, sizeof(err));
	is_int(rc, AIOPS_LLM_OK, "script turn 2 over openai (%s)", err);
	is_str(r.text.data, "The disk filled up because of the logs.", "turn 2: the text");
	rc = turn(AIOPS_LLM_OPENAI, "script", NULL, NULL, &r, err, sizeof(err));
	is_int(rc, AIOPS_LLM_E_REFUSED, "after the last turn: refused");
	ok(strstr(err, "script exhausted") != NULL, "err: %s", err);

	/* 120 a minute: one each 0.5 s. */
	{
		struct aiops_llm *c;
		json_t *m = messages();

		memset(&o, 0, sizeof(o));
		o.key = KEY;
		o.rate = 120;
		o.temperature = -1;
		c = client(AIOPS_LLM_OLLAMA, "tools", &o);
		t0 = aiops_monotonic_ns();
		for (i = 0; i < 3; i++)
			rc = aiops_llm_chat(c, m, NULL, NULL, NULL, &r, err, sizeof(err));
		dt = aiops_monotonic_ns() - t0;
		is_int(rc, AIOPS_LLM_OK, "rate-limited requests: ok");
		ok(dt >= 95 * NS / 100, "three requests at 120/min took %.2f s (>= 1)", (double)dt / NS);
		aiops_llm_free(c);
		json_decref(m);
	}
	aiops_llm_reply_release(&r);
}

static void
test_config(void)
{
	struct aiops_llm_config cfg;
	struct aiops_llm *c;
	char err[256];

	memset(&cfg, 0, sizeof(cfg));
	cfg.api = AIOPS_LLM_NONE;
	cfg.url = "http://127.0.0.1:1";
	cfg.model = "m";
	ok(aiops_llm_new(&cfg, err, sizeof(err)) == NULL, "api none: no client (%s)", err);
	cfg.api = AIOPS_LLM_OLLAMA;
	cfg.url = "ftp://x";
	ok(aiops_llm_new(&cfg, err, sizeof(err)) == NULL, "an ftp URL: no client (%s)", err);
	cfg.url = "http://127.0.0.1:1";
	cfg.retries = 11;
	ok(aiops_llm_new(&cfg, err, sizeof(err)) == NULL, "11 retries: no client (%s)", err);
	cfg.retries = 0;
	cfg.model = "";
	ok(aiops_llm_new(&cfg, err, sizeof(err)) == NULL, "no model: no client (%s)", err);
	cfg.model = "m";
	c = aiops_llm_new(&cfg, err, sizeof(err));
	ok(c != NULL, "a minimal config: a client");
	aiops_llm_free(c);
}

int
main(void)
{
	signal(SIGALRM, on_alarm);
	alarm(150);
	signal(SIGPIPE, SIG_IGN);
	aiops_clock_init(AIOPS_CLOCK_WALL);
	test_parsers();
	test_config();
	if (start_server() != 0) {
		printf("Bail out! cannot start llmd.py\n");
		stop_server();
		return 1;
	}
	test_backend(AIOPS_LLM_OLLAMA);
	test_backend(AIOPS_LLM_OPENAI);
	test_conversion();
	test_script_and_rate();
	stop_server();
	return tap_done();
}
