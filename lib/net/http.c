/*
 * http.c: the libcurl client (http.h): request setup, the response's
 * headers and body, classification, and err strings without secrets.
 * The URL redaction and scrubbing live in redact.c.
 */
#include "compat.h"

#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>

#include "core/clock.h"
#include "core/buf.h"
#include "core/xmalloc.h"
#include "net/http.h"
#include "net/redact.h"

#define USER_AGENT	"aiops/" PACKAGE_VERSION
#define SNIPPET_MAX	120	/* bytes of an error body quoted in err */
#define ERRBODY_MAX	(64 * 1024)	/* bytes of an error body kept */

struct aiops_http {
	CURL	*easy;
	CURLM	*multi;
	CURL	**pool;		/* the multi runner's easy handles, reused */
	size_t	 npool;
};

/* One transfer in flight: what the callbacks need. */
struct xfer {
	CURL	*easy;
	const struct aiops_http_request *req;
	struct aiops_http_response *resp;
	struct curl_slist *hdrs;
	size_t	 max_body, received;
	int64_t	 last_data_ns;	/* monotonic time of the last body bytes */
	int	 status_checked, ok_status, streaming, too_big, cancelled, idle;
	int	 errbody_cut;	/* an error body was cut short on purpose */
	char	 errbuf[CURL_ERROR_SIZE];
};

static int curl_ready;

void
aiops_http_response_init(struct aiops_http_response *resp)
{
	memset(resp, 0, sizeof(*resp));
	aiops_buf_init(&resp->body);
}

static void
clear_headers(struct aiops_http_response *resp)
{
	size_t i;

	free(resp->content_type);
	free(resp->retry_after);
	free(resp->location);
	resp->content_type = resp->retry_after = resp->location = NULL;
	for (i = 0; i < AIOPS_HTTP_CAPTURE_MAX; i++) {
		free(resp->captured[i]);
		resp->captured[i] = NULL;
	}
}

void
aiops_http_response_release(struct aiops_http_response *resp)
{
	clear_headers(resp);
	aiops_buf_release(&resp->body);
}

static void
response_reset(struct aiops_http_response *resp)
{
	struct aiops_buf body = resp->body;

	clear_headers(resp);
	aiops_buf_reset(&body);
	memset(resp, 0, sizeof(*resp));
	resp->body = body;
}

struct aiops_http *
aiops_http_new(char *err, size_t errlen)
{
	struct aiops_http *h;
	CURLcode rc;

	if (!curl_ready) {
		if ((rc = curl_global_init(CURL_GLOBAL_DEFAULT)) != CURLE_OK) {
			snprintf(err, errlen, "libcurl: %s", curl_easy_strerror(rc));
			return NULL;
		}
		curl_ready = 1;
	}
	h = xcalloc(1, sizeof(*h));
	if ((h->easy = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "libcurl: cannot make an easy handle");
		free(h);
		return NULL;
	}
	return h;
}

void
aiops_http_free(struct aiops_http *h)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < h->npool; i++)
		curl_easy_cleanup(h->pool[i]);
	free(h->pool);
	if (h->multi != NULL)
		curl_multi_cleanup(h->multi);
	curl_easy_cleanup(h->easy);
	free(h);
}

/* ---- classification ---- */

static enum aiops_http_outcome
classify_status(long status, enum aiops_http_reason *reason)
{
	if (status >= 200 && status <= 299) {
		*reason = AIOPS_HTTP_R_NONE;
		return AIOPS_HTTP_OK;
	}
	if (status == 429) {
		*reason = AIOPS_HTTP_R_429;
		return AIOPS_HTTP_RETRY;
	}
	if (status >= 500 && status <= 599) {
		*reason = AIOPS_HTTP_R_5XX;
		return AIOPS_HTTP_RETRY;
	}
	if (status >= 400 && status <= 499)
		*reason = AIOPS_HTTP_R_4XX;
	else if (status >= 300 && status <= 399)
		*reason = AIOPS_HTTP_R_REDIRECT;
	else
		*reason = AIOPS_HTTP_R_STATUS;
	return AIOPS_HTTP_PERMANENT;
}

enum aiops_http_outcome
aiops_http_classify(int curl_code, long status, enum aiops_http_reason *reason)
{
	switch ((CURLcode)curl_code) {
	case CURLE_OK:
		return classify_status(status, reason);
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		*reason = AIOPS_HTTP_R_DNS;
		return AIOPS_HTTP_RETRY;
	case CURLE_COULDNT_CONNECT:
		*reason = AIOPS_HTTP_R_CONNECT;
		return AIOPS_HTTP_RETRY;
	case CURLE_OPERATION_TIMEDOUT:
		*reason = AIOPS_HTTP_R_TIMEOUT;
		return AIOPS_HTTP_RETRY;
	case CURLE_SSL_CONNECT_ERROR:
		*reason = AIOPS_HTTP_R_TLS;
		return AIOPS_HTTP_RETRY;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_USE_SSL_FAILED:
		*reason = AIOPS_HTTP_R_TLS;
		return AIOPS_HTTP_PERMANENT;
	case CURLE_TOO_MANY_REDIRECTS:
		*reason = AIOPS_HTTP_R_REDIRECT;
		return AIOPS_HTTP_PERMANENT;
	case CURLE_FILESIZE_EXCEEDED:
		*reason = AIOPS_HTTP_R_TOO_BIG;
		return AIOPS_HTTP_PERMANENT;
	case CURLE_WRITE_ERROR:
	case CURLE_ABORTED_BY_CALLBACK:
		*reason = AIOPS_HTTP_R_CANCELLED;
		return AIOPS_HTTP_PERMANENT;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_NOT_BUILT_IN:
	case CURLE_BAD_FUNCTION_ARGUMENT:
	case CURLE_UNKNOWN_OPTION:
	case CURLE_LOGIN_DENIED:
	case CURLE_READ_ERROR:
		*reason = AIOPS_HTTP_R_REQUEST;
		return AIOPS_HTTP_PERMANENT;
	case CURLE_OUT_OF_MEMORY:
	case CURLE_FAILED_INIT:
		*reason = AIOPS_HTTP_R_INTERNAL;
		return AIOPS_HTTP_RETRY;
	default:
		/* Send and receive errors, a reply cut short, a server that
		 * is not HTTP (yet): transient as far as we can tell. */
		*reason = AIOPS_HTTP_R_NETWORK;
		return AIOPS_HTTP_RETRY;
	}
}

const char *
aiops_http_outcome_name(enum aiops_http_outcome o)
{
	switch (o) {
	case AIOPS_HTTP_OK:		return "ok";
	case AIOPS_HTTP_RETRY:		return "retry";
	case AIOPS_HTTP_PERMANENT:	return "permanent";
	}
	return "unknown";
}

const char *
aiops_http_reason_name(enum aiops_http_reason r)
{
	static const char *const names[] = {
		[AIOPS_HTTP_R_NONE] = "none", [AIOPS_HTTP_R_DNS] = "dns",
		[AIOPS_HTTP_R_CONNECT] = "connect", [AIOPS_HTTP_R_TIMEOUT] = "timeout",
		[AIOPS_HTTP_R_TLS] = "tls", [AIOPS_HTTP_R_NETWORK] = "network",
		[AIOPS_HTTP_R_429] = "429", [AIOPS_HTTP_R_5XX] = "5xx",
		[AIOPS_HTTP_R_4XX] = "4xx", [AIOPS_HTTP_R_REDIRECT] = "redirect",
		[AIOPS_HTTP_R_STATUS] = "status", [AIOPS_HTTP_R_TOO_BIG] = "too_big",
		[AIOPS_HTTP_R_CANCELLED] = "cancelled", [AIOPS_HTTP_R_REQUEST] = "request",
		[AIOPS_HTTP_R_INTERNAL] = "internal",
	};

	if ((unsigned)r < sizeof(names) / sizeof(names[0]) && names[r] != NULL)
		return names[r];
	return "unknown";
}

/* ---- callbacks ---- */

/*
 * The idle timeout. libcurl's LOW_SPEED_TIME averages the speed over
 * seconds, so a stream that sent a line and went quiet would pass for a
 * while; this counts the time since the last bytes instead. libcurl calls
 * it about once a second at least, and often while data flows.
 */
static int
on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct xfer *x = arg;

	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	if (x->req->cancel != NULL && *x->req->cancel) {
		x->cancelled = 1;
		return 1;
	}
	if (x->req->idle_timeout_ms > 0 &&
	    aiops_monotonic_ns() - x->last_data_ns > (int64_t)x->req->idle_timeout_ms * 1000000) {
		x->idle = 1;
		return 1;	/* CURLE_ABORTED_BY_CALLBACK */
	}
	return 0;
}

static size_t
errbody_cap(const struct xfer *x)
{
	return x->max_body < ERRBODY_MAX ? x->max_body : ERRBODY_MAX;
}

/* The body: streamed when the status is 2xx and the caller asked, else kept. */
static size_t
on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nmemb;
	long status = 0;

	if (!x->status_checked) {
		x->status_checked = 1;
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
		x->ok_status = status >= 200 && status <= 299;
		x->streaming = x->req->on_data != NULL && x->ok_status;
	}
	if (!x->ok_status && n > errbody_cap(x) - x->received) {
		/* An error body: enough of it is kept for the err string; the
		 * status, not its size, decides the outcome. */
		aiops_buf_add(&x->resp->body, p, errbody_cap(x) - x->received);
		x->received = errbody_cap(x);
		x->errbody_cut = 1;
		return 0;
	}
	if (n > x->max_body - x->received) {
		x->too_big = 1;
		return 0;	/* CURLE_WRITE_ERROR */
	}
	x->received += n;
	x->last_data_ns = aiops_monotonic_ns();
	if (x->streaming) {
		if (x->req->on_data(p, n, x->req->arg) != 0) {
			x->cancelled = 1;
			return 0;
		}
	} else
		aiops_buf_add(&x->resp->body, p, n);
	return n;
}

static int
name_is(const char *line, size_t namelen, const char *name)
{
	return strlen(name) == namelen && strncasecmp(line, name, namelen) == 0;
}

static void
keep_value(char **slot, const char *v, size_t n)
{
	free(*slot);
	*slot = xstrndup(v, n);
}

/*
 * One header line at a time ("Name: value\r\n"). A status line starts a
 * new response (after a 1xx or a followed redirect): forget the last one's.
 */
static size_t
on_header(char *p, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	const char *const *cap;
	size_t n = size * nmemb, namelen, i;
	const char *colon, *v;
	size_t vn;

	if (n >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		clear_headers(x->resp);
		return n;
	}
	if ((colon = memchr(p, ':', n)) == NULL)
		return n;
	namelen = (size_t)(colon - p);
	v = colon + 1;
	vn = n - namelen - 1;
	while (vn > 0 && (*v == ' ' || *v == '\t'))
		v++, vn--;
	while (vn > 0 && (v[vn - 1] == '\r' || v[vn - 1] == '\n' || v[vn - 1] == ' ' || v[vn - 1] == '\t'))
		vn--;
	if (name_is(p, namelen, "Content-Type"))
		keep_value(&x->resp->content_type, v, vn);
	else if (name_is(p, namelen, "Retry-After"))
		keep_value(&x->resp->retry_after, v, vn);
	else if (name_is(p, namelen, "Location"))
		keep_value(&x->resp->location, v, vn);
	if ((cap = x->req->capture) != NULL)
		for (i = 0; i < AIOPS_HTTP_CAPTURE_MAX && cap[i] != NULL; i++)
			if (name_is(p, namelen, cap[i]))
				keep_value(&x->resp->captured[i], v, vn);
	return n;
}

/* ---- request setup ---- */

/* A method is an RFC 9110 token; we take upper-case letters only. */
static int
method_ok(const char *m)
{
	if (*m == '\0')
		return 0;
	for (; *m != '\0'; m++)
		if (*m < 'A' || *m > 'Z')
			return 0;
	return 1;
}

static int
header_ok(const struct aiops_http_header *hd)
{
	const char *s;

	if (hd->name == NULL || hd->value == NULL || hd->name[0] == '\0')
		return 0;
	for (s = hd->name; *s != '\0'; s++)
		if (*s <= ' ' || *s == ':' || *s == 0x7f)
			return 0;
	/* No CR or LF: a value must not start a header of its own. */
	return strpbrk(hd->value, "\r\n") == NULL;
}

static const char *
req_method(const struct aiops_http_request *req)
{
	if (req->method != NULL)
		return req->method;
	return req->body != NULL ? "POST" : "GET";
}

/* Builds the header list. 0, or -1 with err set for a bad header. */
static int
build_headers(struct xfer *x, char *err, size_t errlen)
{
	const struct aiops_http_request *req = x->req;
	struct curl_slist *l;
	char *line;
	size_t i;

	/* Webhooks do not need the 100-continue round trip. */
	if ((x->hdrs = curl_slist_append(NULL, "Expect:")) == NULL)
		xoom(0);
	for (i = 0; i < req->nheaders; i++) {
		if (!header_ok(&req->headers[i])) {
			snprintf(err, errlen, "header %zu: bad name, or CR or LF in the value", i + 1);
			return -1;
		}
		/* "Name;" is how libcurl sends a header with an empty value. */
		if (req->headers[i].value[0] == '\0')
			xasprintf(&line, "%s;", req->headers[i].name);
		else
			xasprintf(&line, "%s: %s", req->headers[i].name, req->headers[i].value);
		l = curl_slist_append(x->hdrs, line);
		explicit_bzero(line, strlen(line));
		free(line);
		if (l == NULL)
			xoom(0);
		x->hdrs = l;
	}
	return 0;
}

static void
set_method(CURL *e, const struct aiops_http_request *req, const char *method)
{
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET") != 0 || req->body != NULL) {
		/* POSTFIELDS sends the body with any method given as CUSTOMREQUEST. */
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body != NULL ? req->body : "");
		if (strcmp(method, "POST") != 0)
			curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	}
}

static void
set_limits(CURL *e, const struct aiops_http_request *req, struct xfer *x)
{
	long ct = req->connect_timeout_ms > 0 ? req->connect_timeout_ms : AIOPS_HTTP_CONNECT_TIMEOUT_MS;

	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, ct);
	if (req->timeout_ms >= 0)
		curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
		    req->timeout_ms > 0 ? req->timeout_ms : (long)AIOPS_HTTP_TIMEOUT_MS);
	if (req->idle_timeout_ms > 0 || req->cancel != NULL) {
		x->last_data_ns = aiops_monotonic_ns();
		curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(e, CURLOPT_XFERINFODATA, x);
		curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
	}
	/* Counted as the body comes (on_body), not from Content-Length
	 * (CURLOPT_MAXFILESIZE), so that a 5xx with a big body is still a 5xx. */
	x->max_body = req->max_body > 0 ? req->max_body : AIOPS_HTTP_MAX_BODY;
}

static void
set_tls(CURL *e, const struct aiops_http_request *req)
{
	long verify = (req->flags & AIOPS_HTTP_NO_VERIFY) ? 0L : 1L;

	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, verify);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
	if (req->ca_file != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO, req->ca_file);
	if (req->cert_file != NULL)
		curl_easy_setopt(e, CURLOPT_SSLCERT, req->cert_file);
	if (req->key_file != NULL)
		curl_easy_setopt(e, CURLOPT_SSLKEY, req->key_file);
}

/* Everything on a freshly reset handle. 0, or -1 with err set. */
static int
setup(CURL *e, struct xfer *x, char *err, size_t errlen)
{
	const struct aiops_http_request *req = x->req;
	const char *method = req_method(req);

	curl_easy_reset(e);
	x->easy = e;
	if (req->url == NULL || !method_ok(method)) {
		snprintf(err, errlen, "%s", req->url == NULL ? "no URL" : "bad method");
		return -1;
	}
	if (build_headers(x, err, errlen) != 0)
		return -1;
	curl_easy_setopt(e, CURLOPT_URL, req->url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, USER_AGENT);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	if (req->flags & AIOPS_HTTP_FOLLOW) {
		curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(e, CURLOPT_MAXREDIRS, (long)AIOPS_HTTP_MAX_REDIRS);
	}
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->hdrs);
	set_method(e, req, method);
	set_limits(e, req, x);
	set_tls(e, req);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	x->errbuf[0] = '\0';
	return 0;
}

/* ---- the err string ---- */

/* The start of an error body, printable ASCII only, for the operator. */
static void
add_snippet(struct aiops_buf *b, const struct aiops_buf *body)
{
	size_t i, n = body->len < SNIPPET_MAX ? body->len : SNIPPET_MAX;

	if (n == 0)
		return;
	aiops_buf_addstr(b, ": ");
	for (i = 0; i < n; i++)
		aiops_buf_addc(b, body->data[i] >= ' ' && body->data[i] < 0x7f ? body->data[i] : '?');
	if (n < body->len)
		aiops_buf_addstr(b, "...");
}

static void
describe(const struct xfer *x, const char *detail, CURLcode rc)
{
	const struct aiops_http_request *req = x->req;
	struct aiops_http_response *resp = x->resp;
	struct aiops_buf b = AIOPS_BUF_INIT;

	aiops_buf_addf(&b, "%s ", req->method != NULL && method_ok(req->method) ? req->method :
	    req->method != NULL ? "(bad method)" : req_method(req));
	if (req->url != NULL)
		aiops_http_redact_url(req->url, req->flags, req->secret_params, &b);
	aiops_buf_addstr(&b, ": ");
	if (detail != NULL)
		aiops_buf_addstr(&b, detail);
	else if (x->too_big)
		aiops_buf_addf(&b, "response body over %zu bytes", x->max_body);
	else if (x->cancelled)
		aiops_buf_addstr(&b, "stopped by the stream reader");
	else if (x->idle)
		aiops_buf_addf(&b, "no data for %ld ms", req->idle_timeout_ms);
	else if (rc != CURLE_OK)
		aiops_buf_addstr(&b, x->errbuf[0] != '\0' ? x->errbuf : curl_easy_strerror(rc));
	else {
		aiops_buf_addf(&b, "HTTP %ld", resp->status);
		if (resp->reason == AIOPS_HTTP_R_REDIRECT && resp->location != NULL)
			aiops_buf_addstr(&b, " (redirect not followed)");
		add_snippet(&b, &resp->body);
	}
	aiops_redact_scrub(&b, req->url, req->flags, req->secret_params, req->headers, req->nheaders);
	/* Control bytes from curl or a body never reach a log line. */
	aiops_redact_controls(&b);
	snprintf(resp->err, sizeof(resp->err), "%s", b.data != NULL ? b.data : "");
	aiops_buf_release(&b);
}

/* The transfer is over: fill in the response. */
static void
finish(struct xfer *x, CURLcode rc)
{
	struct aiops_http_response *resp = x->resp;
	curl_off_t us = 0;

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &resp->status);
	curl_easy_getinfo(x->easy, CURLINFO_TOTAL_TIME_T, &us);
	resp->elapsed_ns = (int64_t)us * 1000;
	resp->curl_code = (int)rc;
	if (x->errbody_cut && rc == CURLE_WRITE_ERROR)
		rc = CURLE_OK;
	resp->outcome = aiops_http_classify((int)rc, resp->status, &resp->reason);
	if (x->too_big) {
		resp->outcome = AIOPS_HTTP_PERMANENT;
		resp->reason = AIOPS_HTTP_R_TOO_BIG;
	} else if (x->cancelled) {
		resp->outcome = AIOPS_HTTP_PERMANENT;
		resp->reason = AIOPS_HTTP_R_CANCELLED;
	} else if (x->idle) {
		resp->outcome = AIOPS_HTTP_RETRY;
		resp->reason = AIOPS_HTTP_R_TIMEOUT;
	}
	if (resp->outcome != AIOPS_HTTP_OK)
		describe(x, NULL, rc);
	curl_slist_free_all(x->hdrs);
	x->hdrs = NULL;
	/* The handle keeps pointers into x and the request until reset. */
	curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, NULL);
}

/* A request refused before it went out. */
static void
refuse(struct xfer *x, const char *why)
{
	x->resp->outcome = AIOPS_HTTP_PERMANENT;
	x->resp->reason = AIOPS_HTTP_R_REQUEST;
	describe(x, why, CURLE_OK);
	curl_slist_free_all(x->hdrs);
	x->hdrs = NULL;
}

static void
xfer_init(struct xfer *x, const struct aiops_http_request *req, struct aiops_http_response *resp)
{
	memset(x, 0, sizeof(*x));
	x->req = req;
	x->resp = resp;
	response_reset(resp);
}

enum aiops_http_outcome
aiops_http_do(struct aiops_http *h, const struct aiops_http_request *req,
    struct aiops_http_response *resp)
{
	struct xfer x;
	char why[128];

	xfer_init(&x, req, resp);
	if (setup(h->easy, &x, why, sizeof(why)) != 0)
		refuse(&x, why);
	else
		finish(&x, curl_easy_perform(h->easy));
	return resp->outcome;
}

/* ---- the multi runner ---- */

static void
pool_grow(struct aiops_http *h, size_t n)
{
	if (h->npool >= n)
		return;
	h->pool = xreallocarray(h->pool, n, sizeof(*h->pool));
	while (h->npool < n)
		if ((h->pool[h->npool++] = curl_easy_init()) == NULL)
			xoom(0);
}

/* Starts request i on slot s; returns 1 when it is in flight, 0 when refused. */
static int
start(struct aiops_http *h, struct xfer *slots, size_t s, const struct aiops_http_request *reqs,
    struct aiops_http_response *resps, size_t i)
{
	struct xfer *x = &slots[s];
	char why[128];

	xfer_init(x, &reqs[i], &resps[i]);
	if (setup(h->pool[s], x, why, sizeof(why)) != 0) {
		refuse(x, why);
		return 0;
	}
	if (curl_multi_add_handle(h->multi, h->pool[s]) != CURLM_OK) {
		refuse(x, "cannot add to the multi handle");
		return 0;
	}
	return 1;
}

/* Fills slot s with the next request that goes out; returns 1 if one did. */
static int
start_next(struct aiops_http *h, struct xfer *slots, size_t s,
    const struct aiops_http_request *reqs, struct aiops_http_response *resps, size_t n, size_t *next)
{
	while (*next < n)
		if (start(h, slots, s, reqs, resps, (*next)++))
			return 1;
	return 0;
}

/* Reads finished transfers, reusing their slots. Returns how many ended. */
static size_t
reap(struct aiops_http *h, struct xfer *slots, const struct aiops_http_request *reqs,
    struct aiops_http_response *resps, size_t n, size_t *next, size_t *running)
{
	struct CURLMsg *m;
	struct xfer *x;
	char *priv;
	CURLcode rc;
	int left;
	size_t ended = 0;

	while ((m = curl_multi_info_read(h->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		priv = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
		x = (struct xfer *)(void *)priv;
		rc = m->data.result;
		curl_multi_remove_handle(h->multi, x->easy);
		finish(x, rc);
		ended++;
		(*running)--;
		if (start_next(h, slots, (size_t)(x - slots), reqs, resps, n, next))
			(*running)++;
	}
	return ended;
}

static void
fail_rest(struct xfer *slots, size_t nslots, const struct aiops_http_request *reqs,
    struct aiops_http_response *resps, size_t n, size_t next, const char *why)
{
	struct xfer x;
	size_t s;

	for (s = 0; s < nslots; s++)
		if (slots[s].hdrs != NULL) {
			slots[s].resp->outcome = AIOPS_HTTP_RETRY;
			slots[s].resp->reason = AIOPS_HTTP_R_INTERNAL;
			describe(&slots[s], why, CURLE_OK);
			curl_slist_free_all(slots[s].hdrs);
			slots[s].hdrs = NULL;
		}
	for (; next < n; next++) {
		xfer_init(&x, &reqs[next], &resps[next]);
		x.resp->outcome = AIOPS_HTTP_RETRY;
		x.resp->reason = AIOPS_HTTP_R_INTERNAL;
		describe(&x, why, CURLE_OK);
	}
}

int
aiops_http_multi(struct aiops_http *h, const struct aiops_http_request *reqs,
    struct aiops_http_response *resps, size_t n, unsigned max_parallel)
{
	size_t nslots = max_parallel > 0 ? max_parallel : AIOPS_HTTP_PARALLEL, s, next = 0, running = 0;
	struct xfer *slots;
	int still, rc = 0;
	CURLMcode mc;

	if (nslots > n)
		nslots = n;
	if (n == 0)
		return 0;
	if (h->multi == NULL && (h->multi = curl_multi_init()) == NULL)
		xoom(0);
	pool_grow(h, nslots);
	slots = xcalloc(nslots, sizeof(*slots));
	for (s = 0; s < nslots; s++)
		if (start_next(h, slots, s, reqs, resps, n, &next))
			running++;
	while (running > 0) {
		if ((mc = curl_multi_perform(h->multi, &still)) != CURLM_OK ||
		    (reap(h, slots, reqs, resps, n, &next, &running) == 0 && running > 0 &&
		    (mc = curl_multi_poll(h->multi, NULL, 0, 1000, NULL)) != CURLM_OK)) {
			for (s = 0; s < nslots; s++)
				if (slots[s].hdrs != NULL)
					curl_multi_remove_handle(h->multi, slots[s].easy);
			fail_rest(slots, nslots, reqs, resps, n, next, curl_multi_strerror(mc));
			rc = -1;
			break;
		}
	}
	free(slots);
	return rc;
}

char *
aiops_http_basic_auth(const char *user, const char *password)
{
	struct aiops_buf in = AIOPS_BUF_INIT;
	char *out;

	aiops_buf_addf(&in, "%s:%s", user, password);
	out = xmalloc(6 + 4 * ((in.len + 2) / 3) + 1);
	memcpy(out, "Basic ", 6);
	EVP_EncodeBlock((unsigned char *)out + 6, (const unsigned char *)in.data, (int)in.len);
	explicit_bzero(in.data, in.len);
	aiops_buf_release(&in);
	return out;
}
