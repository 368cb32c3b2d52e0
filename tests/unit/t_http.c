/*
 * t_http.c: lib/net/http against a real HTTP server on 127.0.0.1
 * (tests/helpers/httpd.py, started here and killed at the end): outcomes,
 * classification, headers, Retry-After, timeouts in bounded wall time,
 * body caps, streams, redirects, redaction of secrets from every err
 * string, connection reuse, and the multi runner. An alarm ends the test
 * (and the server) if anything hangs.
 */
#include "compat.h"

#include <curl/curl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "net/http.h"
#include "net/lines.h"
#include "net/retry.h"
#include "tap.h"
#include "../helpers/spawn.h"

#ifndef HTTPD_PY
#define HTTPD_PY "tests/helpers/httpd.py"
#endif
#define NS	1000000000LL

static pid_t srv_pid = -1;
static int port;
static struct aiops_http *h;

static void
on_alarm(int sig)
{
	static const char msg[] = "Bail out! t_http timed out\n";

	(void)sig;
	if (srv_pid > 0)
		kill(srv_pid, SIGKILL);
	(void)!write(1, msg, sizeof(msg) - 1);
	_exit(1);
}

static int
start_server(void)
{
	char path[4096];
	char *argv[] = { "/usr/bin/python3", path, "--timeout", "120", NULL };

	helper_path(path, sizeof(path), "httpd.py", HTTPD_PY);
	return (srv_pid = spawn_server(argv, &port)) > 0 ? 0 : -1;
}

static void
stop_server(void)
{
	stop_server_pid(srv_pid);
	srv_pid = -1;
}

static int64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

static char urlbuf[8][512];
static int urlslot;

/* A URL on the test server (eight live at a time). */
static const char *
url(const char *path)
{
	char *u = urlbuf[urlslot++ % 8];

	snprintf(u, sizeof(urlbuf[0]), "http://127.0.0.1:%d%s", port, path);
	return u;
}

static enum aiops_http_outcome
get(const char *path, struct aiops_http_response *r)
{
	struct aiops_http_request req = { 0 };

	req.url = url(path);
	req.timeout_ms = 10000;
	return aiops_http_do(h, &req, r);
}

/* The echo's JSON, or NULL. */
static json_t *
echo_doc(const struct aiops_http_response *r)
{
	json_error_t jerr;

	return json_loadb(r->body.data != NULL ? r->body.data : "", r->body.len, JSON_ALLOW_NUL, &jerr);
}

static const char *
echo_header(json_t *doc, const char *name)
{
	return json_string_value(json_object_get(json_object_get(doc, "headers"), name));
}

static void
test_basic(void)
{
	struct aiops_http_response r;

	aiops_http_response_init(&r);
	is_int(get("/ok", &r), AIOPS_HTTP_OK, "GET /ok is ok");
	is_int(r.status, 200, "status 200");
	is_str(r.body.data, "hello", "body kept");
	is_str(r.content_type, "text/plain", "Content-Type kept");
	is_str(r.err, "", "no err when ok");
	ok(r.elapsed_ns > 0, "elapsed time measured");

	is_int(get("/accepted", &r), AIOPS_HTTP_OK, "202 is ok (PagerDuty)");
	is_int(r.status, 202, "status 202");

	is_int(get("/status/404", &r), AIOPS_HTTP_PERMANENT, "404 is permanent");
	is_int(r.reason, AIOPS_HTTP_R_4XX, "reason 4xx");
	ok(strstr(r.err, "HTTP 404: status 404") != NULL, "err gives the status and body: %s", r.err);
	ok(strncmp(r.err, "GET http://127.0.0.1:", 21) == 0, "err starts with method and URL");

	is_int(get("/status/400", &r), AIOPS_HTTP_PERMANENT, "400 is permanent (PagerDuty: never retry)");
	is_int(get("/status/408", &r), AIOPS_HTTP_PERMANENT, "408 is permanent, as in Alertmanager");
	is_int(get("/status/503", &r), AIOPS_HTTP_RETRY, "503 is retried");
	is_int(r.reason, AIOPS_HTTP_R_5XX, "reason 5xx");
	is_int(get("/status/299", &r), AIOPS_HTTP_OK, "any 2xx is ok");
	is_int(get("/status/304", &r), AIOPS_HTTP_PERMANENT, "304 not followed is permanent");
	is_int(r.reason, AIOPS_HTTP_R_REDIRECT, "reason redirect");

	is_int(get("/flaky/a", &r), AIOPS_HTTP_RETRY, "500 first: retry");
	is_int(get("/flaky/a", &r), AIOPS_HTTP_OK, "then 200: ok");
	is_str(r.body.data, "recovered", "the recovered body");
	is_str(r.err, "", "the err of the failure is gone");
	aiops_http_response_release(&r);
}

static void
test_request_shape(void)
{
	static const char body[] = "a\0b{\"x\":1}";
	struct aiops_http_header hdrs[] = {
		{ "Content-Type", "application/json", 0 },
		{ "Idempotency-Key", "k-123", 0 },
		{ "X-Empty", "", 0 },
	};
	struct aiops_http_request req = { 0 };
	struct aiops_http_response r;
	json_t *doc;
	json_int_t port1;

	aiops_http_response_init(&r);
	req.url = url("/echo?q=1");
	req.headers = hdrs;
	req.nheaders = 3;
	req.body = body;
	req.body_len = sizeof(body) - 1;
	is_int(aiops_http_do(h, &req, &r), AIOPS_HTTP_OK, "POST /echo");
	doc = echo_doc(&r);
	ok(doc != NULL, "echo is JSON");
	is_str(json_string_value(json_object_get(doc, "method")), "POST", "a body means POST");
	is_int(json_integer_value(json_object_get(doc, "body_len")), sizeof(body) - 1,
	    "the whole body went, NUL included");
	is_str(echo_header(doc, "content-type"), "application/json", "header sent");
	is_str(echo_header(doc, "idempotency-key"), "k-123", "Idempotency-Key sent");
	is_str(echo_header(doc, "x-empty"), "", "an empty header is sent empty");
	ok(echo_header(doc, "expect") == NULL, "no Expect: 100-continue");
	ok(echo_header(doc, "user-agent") != NULL &&
	    strncmp(echo_header(doc, "user-agent"), "aiops/", 6) == 0, "User-Agent aiops/<version>");
	is_str(json_string_value(json_object_get(doc, "query")), "q=1", "query sent");
	port1 = json_integer_value(json_object_get(doc, "port"));
	json_decref(doc);

	req.method = "PATCH";
	is_int(aiops_http_do(h, &req, &r), AIOPS_HTTP_OK, "PATCH /echo");
	doc = echo_doc(&r);
	is_str(json_string_value(json_object_get(doc, "method")), "PATCH", "method PATCH with a body");
	is_int(json_integer_value(json_object_get(doc, "body_len")), sizeof(body) - 1, "PATCH body sent");
	is_int(json_integer_value(json_object_get(doc, "port")), port1,
	    "the same connection served both requests (reuse)");
	json_decref(doc);

	req.method = "DELETE";
	req.body = NULL;
	req.body_len = 0;
	is_int(aiops_http_do(h, &req, &r), AIOPS_HTTP_OK, "DELETE /echo");
	doc = echo_doc(&r);
	is_str(json_string_value(json_object_get(doc, "method")), "DELETE", "method DELETE");
	json_decref(doc);

	req.method = "HEAD";
	req.url = url("/ok");
	is_int(aiops_http_do(h, &req, &r), AIOPS_HTTP_OK, "HEAD /ok");
	is_int(r.body.len, 0, "HEAD: no body read");

	req.method = "GET";
	req.url = url("/echo");
	is_int(aiops_http_do(h, &req, &r), AIOPS_HTTP_OK, "GET /echo");
	doc = echo_doc(&r);
	is_str(json_string_value(json_object_get(doc, "method")), "GET", "method GET");
	json_decref(doc);

	req.method = "get";
	is_int(aiops_http_do(h, &req, &r), AIOPS_HTTP_PERMANENT, "a lower-case method is refused");
	is_int(r.reason, AIOPS_HTTP_R_REQUEST, "reason request");
	req.method = "GET\r\nX: y";
	is_int(aiops_http_do(h, &req, &r), AIOPS_HTTP_PERMANENT, "a method with CRLF is refused");
	ok(strstr(r.err, "\r") == NULL && strstr(r.err, "\n") == NULL, "err has no CR/LF: %s", r.err);
	aiops_http_response_release(&r);
}

static void
test_refused_requests(void)
{
	struct aiops_http_header bad[] = { { "X-Inject", "a\r\nX-Evil: 1", 0 } };
	struct aiops_http_header badname[] = { { "X Bad", "v", 0 } };
	struct aiops_http_request req = { 0 };
	struct aiops_http_response r;

	aiops_http_response_init(&r);
	req.url = url("/echo");
	req.headers = bad;
	req.nheaders = 1;
	is_int(aiops_http_do(h, &req, &r), AIOPS_HTTP_PERMANENT, "CRLF in a header value is refused");
	is_int(r.reason, AIOPS_HTTP_R_REQUEST, "reason request");
	is_int(r.status, 0, "nothing was sent");
	req.headers = badname;
	is_int(aiops_http_do(h, &req, &r), AIOPS_HTTP_PERMANENT, "a space in a header name is refused");
	req.headers = NULL;
	req.nheaders = 0;

	req.url = "ftp://127.0.0.1/x";
	is_int(aiops_http_do(h, &req, &r), AIOPS_HTTP_PERMANENT, "ftp: refused");
	is_int(r.reason, AIOPS_HTTP_R_REQUEST, "reason request (protocol)");
	req.url = "file:///etc/passwd";
	is_int(aiops_http_do(h, &req, &r), AIOPS_HTTP_PERMANENT, "file: refused");
	ok(r.body.len == 0, "nothing read from a file");
	req.url = "not a url";
	is_int(aiops_http_do(h, &req, &r), AIOPS_HTTP_PERMANENT, "a malformed URL is permanent");
	ok(strstr(r.err, "(unparsable URL)") != NULL, "err does not echo it: %s", r.err);
	req.url = NULL;
	is_int(aiops_http_do(h, &req, &r), AIOPS_HTTP_PERMANENT, "no URL is permanent");
	aiops_http_response_release(&r);
}

static void
test_retry_after(void)
{
	struct aiops_backoff b = { 1 * NS, 60 * NS };
	struct aiops_http_response r;
	int64_t now = 1700000000LL * NS, at, d = -1;

	aiops_http_response_init(&r);
	is_int(get("/429s", &r), AIOPS_HTTP_RETRY, "429 is retried");
	is_int(r.reason, AIOPS_HTTP_R_429, "reason 429");
	is_str(r.retry_after, "7", "Retry-After kept");
	at = aiops_retry_next(&b, 0, 42, now, r.retry_after);
	is_int(at, now + 7 * NS, "Retry-After 7 s wins over a backoff of at most 1 s");
	at = aiops_retry_next(&b, 10, 42, now, r.retry_after);
	ok(at >= now && at <= now + 60 * NS, "a later attempt's backoff stays under the cap");

	is_int(get("/429d", &r), AIOPS_HTTP_RETRY, "429 with an HTTP-date");
	is_str(r.retry_after, "Wed, 21 Oct 2037 07:28:00 GMT", "the date kept");
	ok(r.retry_after != NULL &&
	    aiops_retry_after_parse(r.retry_after, strlen(r.retry_after), 2139722780LL * NS, &d) == 0,
	    "the date parses");
	is_int(d, 100 * NS, "the delay to 2037-10-21T07:28:00Z from 100 s before");
	at = aiops_retry_next(&b, 0, 42, now, r.retry_after);
	is_int(at, now + AIOPS_RETRY_AFTER_MAX, "a date years ahead is clamped to a week");
	aiops_http_response_release(&r);
}

static void
test_timeouts(void)
{
	struct aiops_http_request req = { 0 };
	struct aiops_http_response r;
	int64_t t0, el;

	aiops_http_response_init(&r);
	req.url = url("/slow?ms=3000");
	req.timeout_ms = 300;
	t0 = mono_ns();
	is_int(aiops_http_do(h, &req, &r), AIOPS_HTTP_RETRY, "a slow server times out: retry");
	el = mono_ns() - t0;
	is_int(r.reason, AIOPS_HTTP_R_TIMEOUT, "reason timeout");
	ok(el >= 250000000LL && el < 2 * NS, "the timeout took about 300 ms (%lld ms)",
	    (long long)(el / 1000000));
	ok(strstr(r.err, "imeout") != NULL || strstr(r.err, "timed out") != NULL, "err says so: %s", r.err);

	req.url = url("/slow?ms=100");
	req.timeout_ms = 5000;
	is_int(aiops_http_do(h, &req, &r), AIOPS_HTTP_OK, "a slow server within the timeout is fine");
	aiops_http_response_release(&r);
}

/* Lines of a stream, joined with '|'. */
static int
collect_line(const char *line, size_t len, void *arg)
{
	struct aiops_buf *b = arg;

	if (b->len > 0)
		aiops_buf_addc(b, '|');
	aiops_buf_add(b, line, len);
	return 0;
}

struct ndjson {
	struct aiops_lines lines;
	struct aiops_buf got;
	int chunks;
};

static int
ndjson_data(const char *p, size_t n, void *arg)
{
	struct ndjson *nd = arg;

	nd->chunks++;
	return aiops_lines_feed(&nd->lines, p, n, collect_line, &nd->got);
}

static int
sse_event(const struct aiops_sse_event *ev, void *arg)
{
	struct aiops_buf *b = arg;

	aiops_buf_addf(b, "[%.*s:%.*s:%.*s]", (int)ev->type_len, ev->type, (int)ev->data_len,
	    ev->data, (int)ev->id_len, ev->id);
	return 0;
}

static int
sse_data(const char *p, size_t n, void *arg)
{
	return aiops_sse_feed(arg, p, n);
}

static int
stop_at_first(const char *p, size_t n, void *arg)
{
	(void)p;
	(void)n;
	(void)arg;
	return 1;
}

static void
test_streams(void)
{
	struct aiops_http_request req = { 0 };
	struct aiops_http_response r;
	struct ndjson nd;
	struct aiops_buf events = AIOPS_BUF_INIT;
	struct aiops_sse sse;
	int64_t t0, el;

	aiops_http_response_init(&r);
	memset(&nd, 0, sizeof(nd));
	aiops_lines_init(&nd.lines, 0, 0);
	req.url = url("/ndjson");
	req.on_data = ndjson_data;
	req.arg = &nd;
	is_int(aiops_http_do(h, &req, &r), AIOPS_HTTP_OK, "NDJSON stream");
	aiops_lines_finish(&nd.lines, collect_line, &nd.got);
	is_str(nd.got.data, "{\"n\":1}|{\"n\":2}|{\"n\":3}||{\"n\":4}|{\"n\":5}",
	    "lines whole across chunks, CRLF and a last line without LF");
	ok(nd.chunks >= 2, "it came in several chunks (%d)", nd.chunks);
	is_int(r.body.len, 0, "a streamed body is not kept");
	is_str(r.content_type, "application/x-ndjson", "Content-Type of the stream");
	aiops_lines_release(&nd.lines);
	aiops_buf_release(&nd.got);

	aiops_sse_init(&sse, 0, sse_event, &events);
	req.url = url("/sse");
	req.on_data = sse_data;
	req.arg = &sse;
	is_int(aiops_http_do(h, &req, &r), AIOPS_HTTP_OK, "SSE stream");
	aiops_sse_finish(&sse);
	is_str(events.data, "[message:{\"a\":1}:][message:line1\nline2:][ping:x:7][message:[DONE]:7]",
	    "SSE events: CRLF split across chunks, comments, joined data, event, id");
	aiops_sse_release(&sse);
	aiops_buf_release(&events);

	/* An error status is not streamed: its body is kept for the err. */
	memset(&nd, 0, sizeof(nd));
	aiops_lines_init(&nd.lines, 0, 0);
	req.url = url("/status/500");
	req.on_data = ndjson_data;
	req.arg = &nd;
	is_int(aiops_http_do(h, &req, &r), AIOPS_HTTP_RETRY, "a 500 on a stream");
	is_int(nd.chunks, 0, "its body did not go to the stream reader");
	is_str(r.body.data, "status 500", "it is in the response");

	req.url = url("/ndjson");
	req.on_data = stop_at_first;
	is_int(aiops_http_do(h, &req, &r), AIOPS_HTTP_PERMANENT, "the reader stops the stream");
	is_int(r.reason, AIOPS_HTTP_R_CANCELLED, "reason cancelled");

	/* Idle timeout: one line, then silence. */
	aiops_buf_reset(&nd.got);
	nd.chunks = 0;
	req.url = url("/stall");
	req.on_data = ndjson_data;
	req.timeout_ms = -1;
	req.idle_timeout_ms = 1000;
	t0 = mono_ns();
	is_int(aiops_http_do(h, &req, &r), AIOPS_HTTP_RETRY, "a stalled stream fails");
	el = mono_ns() - t0;
	is_int(r.reason, AIOPS_HTTP_R_TIMEOUT, "reason timeout (idle)");
	is_str(nd.got.data, "{\"n\":1}", "the line before the stall arrived");
	ok(el < 4 * NS, "in bounded time (%lld ms)", (long long)(el / 1000000));
	aiops_lines_release(&nd.lines);
	aiops_buf_release(&nd.got);
	aiops_http_response_release(&r);
}

static void
test_limits(void)
{
	struct aiops_http_request req = { 0 };
	struct aiops_http_response r;

	aiops_http_response_init(&r);
	req.max_body = 1000;
	req.url = url("/big?n=1000");
	is_int(aiops_http_do(h, &req, &r), AIOPS_HTTP_OK, "a body at the cap is fine");
	is_int(r.body.len, 1000, "all of it");
	req.url = url("/big?n=1001");
	is_int(aiops_http_do(h, &req, &r), AIOPS_HTTP_PERMANENT, "a Content-Length over the cap");
	is_int(r.reason, AIOPS_HTTP_R_TOO_BIG, "reason too_big");
	req.url = url("/bigchunked?n=200000");
	is_int(aiops_http_do(h, &req, &r), AIOPS_HTTP_PERMANENT, "a chunked body over the cap");
	is_int(r.reason, AIOPS_HTTP_R_TOO_BIG, "reason too_big (counted as it came)");
	ok(r.body.len <= 1000, "no more than the cap kept (%zu)", r.body.len);
	ok(strstr(r.err, "over 1000 bytes") != NULL, "err says so: %s", r.err);

	req.url = url("/big?n=200000&status=503");
	is_int(aiops_http_do(h, &req, &r), AIOPS_HTTP_RETRY, "a 503 with a body over the cap is still a 503");
	is_int(r.reason, AIOPS_HTTP_R_5XX, "reason 5xx");
	is_int(r.body.len, 1000, "the start of the error body kept, up to max_body");
	ok(strlen(r.err) < 300 && strstr(r.err, "HTTP 503: xxxx") != NULL, "err quotes its start: %.60s...", r.err);

	req.max_body = 0;
	is_int(aiops_http_do(h, &req, &r), AIOPS_HTTP_RETRY, "with the default cap");
	is_int(r.body.len, 64 * 1024, "64 KiB of an error body kept");
	req.url = url("/cut");
	is_int(aiops_http_do(h, &req, &r), AIOPS_HTTP_RETRY, "a connection closed mid-body: retry");
	is_int(r.reason, AIOPS_HTTP_R_NETWORK, "reason network");
	is_int(get("/ok", &r), AIOPS_HTTP_OK, "the client works after that");
	aiops_http_response_release(&r);
}

static void
test_redirects(void)
{
	struct aiops_http_request req = { 0 };
	struct aiops_http_response r;

	aiops_http_response_init(&r);
	req.url = url("/redirect");
	is_int(aiops_http_do(h, &req, &r), AIOPS_HTTP_PERMANENT, "a redirect is not followed by default");
	is_int(r.reason, AIOPS_HTTP_R_REDIRECT, "reason redirect");
	is_str(r.location, "/ok", "Location kept");
	ok(strstr(r.err, "redirect not followed") != NULL, "err says so: %s", r.err);
	req.flags = AIOPS_HTTP_FOLLOW;
	is_int(aiops_http_do(h, &req, &r), AIOPS_HTTP_OK, "followed when asked");
	is_str(r.body.data, "hello", "the target's body");
	ok(r.location == NULL, "the final response's headers only");
	aiops_http_response_release(&r);
}

/* A port nothing listens on: bound, then closed. */
static int
dead_port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), p;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
		return 1;
	p = ntohs(sa.sin_port);
	close(fd);
	return p;
}

static void
test_transport_errors(void)
{
	struct aiops_http_request req = { 0 };
	struct aiops_http_response r;
	char u[128];

	aiops_http_response_init(&r);
	snprintf(u, sizeof(u), "http://127.0.0.1:%d/", dead_port());
	req.url = u;
	is_int(aiops_http_do(h, &req, &r), AIOPS_HTTP_RETRY, "connection refused: retry");
	is_int(r.reason, AIOPS_HTTP_R_CONNECT, "reason connect");
	is_int(r.status, 0, "no status");

	req.url = "http://aiops-test.invalid/";
	req.connect_timeout_ms = 3000;
	is_int(aiops_http_do(h, &req, &r), AIOPS_HTTP_RETRY, "an unknown host: retry");
	is_int(r.reason, AIOPS_HTTP_R_DNS, "reason dns");

	snprintf(u, sizeof(u), "https://127.0.0.1:%d/ok", port);
	req.url = u;
	is_int(aiops_http_do(h, &req, &r), AIOPS_HTTP_RETRY, "TLS to a plain HTTP server fails");
	is_int(r.reason, AIOPS_HTTP_R_TLS, "reason tls");
	aiops_http_response_release(&r);
}

#define S1	"SEKRETbearer1"
#define S2	"SEKRETmarked2"
#define S3	"SEKRETpass3"
#define S4	"SEKRETtok4"
#define S5	"SEKRETslack5"
#define S6	"SEKRETuser6"
#define S7	"SEKRET%%2Fenc7"

static int
has_secret(const char *s)
{
	return strstr(s, "SEKRET") != NULL;
}

static void
test_redaction(void)
{
	const char *params[] = { "sess", NULL };
	struct aiops_http_header hdrs[] = {
		{ "Authorization", "Bearer " S1, 0 },
		{ "X-Custom", S2, 1 },
		{ "X-Api-Token", "SEKRETauto8", 0 },
	};
	struct aiops_http_request req = { 0 };
	struct aiops_http_response r;
	char u[512];
	int leaks = 0, i;
	struct aiops_buf b = AIOPS_BUF_INIT;

	aiops_http_response_init(&r);
	req.headers = hdrs;
	req.nheaders = 3;
	req.secret_params = params;
	/* An error body that echoes every header back, Authorization included. */
	snprintf(u, sizeof(u), "http://" S6 ":" S3 "@127.0.0.1:%d/echo?status=400&token=" S4
	    "&sess=" S7 "&x=1", port);
	req.url = u;
	is_int(aiops_http_do(h, &req, &r), AIOPS_HTTP_PERMANENT, "400 with secrets in the request");
	ok(strstr(r.err, "HTTP 400") != NULL, "err has the status: %s", r.err);
	ok(!has_secret(r.err), "no secret in the err of an error status");
	ok(strstr(r.err, "http://***@127.0.0.1:") != NULL, "userinfo masked");
	ok(strstr(r.err, "token=***") != NULL && strstr(r.err, "sess=***") != NULL &&
	    strstr(r.err, "x=1") != NULL, "secret query values masked, others kept");

	/* The same request on failing transports. */
	for (i = 0; i < 3; i++) {
		if (i == 0)
			snprintf(u, sizeof(u), "http://" S6 ":" S3 "@127.0.0.1:%d/x?token=" S4
			    "&sess=" S7, dead_port());
		else if (i == 1)
			snprintf(u, sizeof(u), "http://" S6 ":" S3 "@" S4 ".invalid/x?token=" S4);
		else
			snprintf(u, sizeof(u), "http://" S6 ":" S3 "@127.0.0.1:%d/slow?ms=2000&token="
			    S4, port);
		req.url = u;
		req.timeout_ms = i == 2 ? 200 : 0;
		req.connect_timeout_ms = 3000;
		aiops_http_do(h, &req, &r);
		ok(r.outcome == AIOPS_HTTP_RETRY && r.err[0] != '\0', "transport failure %d: %s", i, r.err);
		leaks += has_secret(r.err);
	}
	is_int(leaks, 0, "no secret in the err of refused, DNS and timeout failures");

	/* Slack: the path is the credential. */
	req.flags = AIOPS_HTTP_SECRET_PATH;
	snprintf(u, sizeof(u), "http://127.0.0.1:%d/services/T000/B000/" S5, port);
	req.url = u;
	req.timeout_ms = 0;
	is_int(aiops_http_do(h, &req, &r), AIOPS_HTTP_PERMANENT, "404 on a Slack-like path");
	ok(!has_secret(r.err) && strstr(r.err, "/***") != NULL, "the path is masked: %s", r.err);

	/* A header refused for its CRLF: the err has no value at all. */
	hdrs[1].value = S2 "\r\n";
	req.flags = 0;
	req.url = url("/ok");
	is_int(aiops_http_do(h, &req, &r), AIOPS_HTTP_PERMANENT, "a bad secret header is refused");
	ok(!has_secret(r.err), "and not shown: %s", r.err);

	aiops_http_redact_url("https://u:p@h.example:8443/a/b?api_key=K&q=v#frag", 0, NULL, &b);
	is_str(b.data, "https://***@h.example:8443/a/b?api_key=***&q=v", "redact_url: userinfo, api_key, fragment");
	aiops_buf_reset(&b);
	aiops_http_redact_url("https://h/p?a=1&b=2", AIOPS_HTTP_SECRET_QUERY, NULL, &b);
	is_str(b.data, "https://h/p?a=***&b=***", "redact_url: every query value");
	aiops_buf_reset(&b);
	aiops_http_redact_url("http://[::1", 0, NULL, &b);
	is_str(b.data, "(unparsable URL)", "redact_url: unparsable");
	aiops_buf_release(&b);
	aiops_http_response_release(&r);
}

static void
test_multi(void)
{
	struct aiops_http_request reqs[24];
	struct aiops_http_response resps[24];
	struct aiops_http_header bad[] = { { "X-Bad", "a\nb", 0 } };
	char urls[24][128], want[32];
	struct aiops_http_response r;
	int i, right = 0;
	int64_t t0, el;
	json_t *doc;

	memset(reqs, 0, sizeof(reqs));
	for (i = 0; i < 20; i++) {
		snprintf(urls[i], sizeof(urls[i]), "http://127.0.0.1:%d/conc?ms=150&id=%d", port, i);
		reqs[i].url = urls[i];
		reqs[i].timeout_ms = 10000;
		aiops_http_response_init(&resps[i]);
	}
	t0 = mono_ns();
	is_int(aiops_http_multi(h, reqs, resps, 20, 4), 0, "multi: 20 requests, 4 at a time");
	el = mono_ns() - t0;
	for (i = 0; i < 20; i++) {
		snprintf(want, sizeof(want), "{\"id\": \"%d\"}", i);
		right += resps[i].outcome == AIOPS_HTTP_OK && resps[i].body.data != NULL &&
		    strcmp(resps[i].body.data, want) == 0;
	}
	is_int(right, 20, "every response is its own request's");
	ok(el >= 5 * 150000000LL, "the cap held them to five rounds (%lld ms)", (long long)(el / 1000000));
	ok(el < 20 * 150000000LL, "and they ran in parallel");
	aiops_http_response_init(&r);
	get("/maxconc", &r);
	doc = echo_doc(&r);
	ok(doc != NULL && json_integer_value(json_object_get(doc, "max")) <= 4 &&
	    json_integer_value(json_object_get(doc, "max")) >= 2,
	    "the server saw at most 4 at once (%lld)", (long long)json_integer_value(json_object_get(doc, "max")));
	json_decref(doc);

	/* A mix: outcomes stay with their requests. */
	snprintf(urls[20], sizeof(urls[20]), "http://127.0.0.1:%d/429s", port);
	snprintf(urls[21], sizeof(urls[21]), "http://127.0.0.1:%d/ok", port);
	snprintf(urls[22], sizeof(urls[22]), "http://127.0.0.1:%d/status/404", port);
	snprintf(urls[23], sizeof(urls[23]), "http://127.0.0.1:%d/ok", port);
	for (i = 20; i < 24; i++) {
		reqs[i].url = urls[i];
		aiops_http_response_init(&resps[i]);
	}
	reqs[23].headers = bad;
	reqs[23].nheaders = 1;
	is_int(aiops_http_multi(h, reqs + 20, resps + 20, 4, 2), 0, "multi: a mixed batch");
	ok(resps[20].outcome == AIOPS_HTTP_RETRY && resps[20].reason == AIOPS_HTTP_R_429 &&
	    resps[20].retry_after != NULL && strcmp(resps[20].retry_after, "7") == 0, "429 with Retry-After");
	ok(resps[21].outcome == AIOPS_HTTP_OK && strcmp(resps[21].body.data, "hello") == 0, "200 ok");
	ok(resps[22].outcome == AIOPS_HTTP_PERMANENT && resps[22].reason == AIOPS_HTTP_R_4XX, "404 permanent");
	ok(resps[23].outcome == AIOPS_HTTP_PERMANENT && resps[23].reason == AIOPS_HTTP_R_REQUEST,
	    "a refused request in the batch");
	is_int(aiops_http_multi(h, reqs, resps, 0, 4), 0, "multi: nothing to do");
	for (i = 0; i < 24; i++)
		aiops_http_response_release(&resps[i]);
	aiops_http_response_release(&r);
}

static void
test_classify(void)
{
	enum aiops_http_reason why;

	is_int(aiops_http_classify(CURLE_OK, 201, &why), AIOPS_HTTP_OK, "201 ok (ServiceNow)");
	is_int(aiops_http_classify(CURLE_OK, 100, &why), AIOPS_HTTP_PERMANENT, "1xx as final: permanent");
	is_int(why, AIOPS_HTTP_R_STATUS, "reason status");
	is_int(aiops_http_classify(CURLE_OK, 600, &why), AIOPS_HTTP_PERMANENT, "600: permanent");
	is_int(aiops_http_classify(CURLE_RECV_ERROR, 0, &why), AIOPS_HTTP_RETRY, "recv error: retry");
	is_int(why, AIOPS_HTTP_R_NETWORK, "reason network");
	is_int(aiops_http_classify(CURLE_PEER_FAILED_VERIFICATION, 0, &why), AIOPS_HTTP_PERMANENT,
	    "an untrusted certificate: permanent");
	is_int(why, AIOPS_HTTP_R_TLS, "reason tls");
	is_int(aiops_http_classify(CURLE_TOO_MANY_REDIRECTS, 0, &why), AIOPS_HTTP_PERMANENT, "redirect loop");
	is_str(aiops_http_reason_name(AIOPS_HTTP_R_429), "429", "reason name");
	is_str(aiops_http_reason_name((enum aiops_http_reason)99), "unknown", "reason name out of range");
	is_str(aiops_http_outcome_name(AIOPS_HTTP_RETRY), "retry", "outcome name");
}

int
main(void)
{
	char err[256];

	signal(SIGALRM, on_alarm);
	alarm(120);
	signal(SIGPIPE, SIG_IGN);
	test_classify();
	if ((h = aiops_http_new(err, sizeof(err))) == NULL || start_server() != 0) {
		printf("Bail out! cannot start: %s\n", h == NULL ? err : "httpd.py");
		stop_server();
		return 1;
	}
	test_basic();
	test_request_shape();
	test_refused_requests();
	test_retry_after();
	test_timeouts();
	test_streams();
	test_limits();
	test_redirects();
	test_transport_errors();
	test_redaction();
	test_multi();
	aiops_http_free(h);
	stop_server();
	return tap_done();
}
