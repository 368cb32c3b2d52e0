/*
 * http.h: the HTTP client of aiops, on libcurl (issues 13, 14, 15, 16).
 *
 * One request, one response. aiops_http_do() performs it on the client's
 * one easy handle, reset between requests so connections, DNS and TLS
 * sessions are reused; aiops_http_multi() performs N at once on libcurl's
 * multi interface with at most max_parallel in flight (the pollers' shape)
 * and returns when all are done. Nothing sleeps or retries in here: the
 * outcome says ok, retry or permanent and why, and net/retry.h computes
 * when to try again; the caller (a durable outbox) decides.
 *
 * Safe defaults: TLS peer and host verified, http and https only (also
 * across redirects), redirects not followed (a webhook that redirects is
 * suspicious: 3xx is a permanent failure unless AIOPS_HTTP_FOLLOW), no
 * signals (CURLOPT_NOSIGNAL), User-Agent "aiops/<version>", no
 * "Expect: 100-continue", a response body cap, connect and total timeouts.
 *
 * Secrets: err strings name the method, the URL with its secrets replaced
 * by "***" (userinfo always; the values of secret query parameters; the
 * path with AIOPS_HTTP_SECRET_PATH, as a Slack webhook's is a credential)
 * and curl's error text or the HTTP status with the start of the body; the
 * value of every secret header and URL part is then scrubbed from the
 * whole string. Nothing here logs; libcurl's verbose mode is never on.
 *
 * Ownership: requests and everything they point to stay the caller's and
 * must live until do/multi returns. A response owns its strings and body
 * until aiops_http_response_release(). No function prints or exits.
 */
#ifndef AIOPS_NET_HTTP_H
#define AIOPS_NET_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define AIOPS_HTTP_ERRSZ		512
#define AIOPS_HTTP_CONNECT_TIMEOUT_MS	10000
#define AIOPS_HTTP_TIMEOUT_MS		30000
#define AIOPS_HTTP_MAX_BODY		(8 * 1024 * 1024)
#define AIOPS_HTTP_MAX_REDIRS		5
#define AIOPS_HTTP_CAPTURE_MAX		4	/* extra response headers kept */
#define AIOPS_HTTP_PARALLEL		8	/* aiops_http_multi's default cap */

/*
 * A request header. secret marks a value that must never appear in an err
 * string; Authorization, Proxy-Authorization, Cookie and any name holding
 * "token", "key", "secret", "password" or "auth" are secret anyway.
 */
struct aiops_http_header {
	const char	*name;
	const char	*value;
	int		 secret;
};

enum aiops_http_flags {
	AIOPS_HTTP_FOLLOW	= 1 << 0,	/* follow up to AIOPS_HTTP_MAX_REDIRS */
	AIOPS_HTTP_NO_VERIFY	= 1 << 1,	/* do not verify the TLS peer (a lab) */
	AIOPS_HTTP_SECRET_PATH	= 1 << 2,	/* the URL path is a credential */
	AIOPS_HTTP_SECRET_QUERY	= 1 << 3,	/* every query value is */
};

/*
 * Streams a 2xx body: called with each chunk as it arrives (feed it to a
 * net/lines.h splitter). Return 0 to go on, non-zero to stop the transfer
 * (outcome permanent, reason cancelled). Bodies of other statuses are
 * kept in the response's body instead, for the err string.
 */
typedef int (*aiops_http_data_fn)(const char *p, size_t n, void *arg);

struct aiops_http_request {
	const char	*method;	/* NULL: GET, or POST when body is set */
	const char	*url;
	const struct aiops_http_header *headers;
	size_t		 nheaders;
	const void	*body;		/* sent as is, may hold NUL bytes */
	size_t		 body_len;
	long		 connect_timeout_ms;	/* 0: AIOPS_HTTP_CONNECT_TIMEOUT_MS */
	long		 timeout_ms;		/* whole transfer; 0: default; < 0: none */
	long		 idle_timeout_ms;	/* no body bytes for this long fails (to ~1 s); 0: off */
	size_t		 max_body;		/* of a 2xx body; 0: AIOPS_HTTP_MAX_BODY */
	const char	*ca_file;		/* PEM bundle instead of the system's */
	const char	*cert_file, *key_file;	/* PEM client certificate and key */
	unsigned	 flags;			/* enum aiops_http_flags */
	/* Query parameter names (NULL-terminated) whose values are secret,
	 * beside the usual ones: access_token, api_key, apikey, auth, key,
	 * password, secret, sig, signature, token. */
	const char *const *secret_params;
	/* Response header names (NULL-terminated, at most CAPTURE_MAX) to keep in captured[]. */
	const char *const *capture;
	aiops_http_data_fn on_data;
	void		*arg;
	/*
	 * When it points at a non-zero value (a SIGINT handler's flag), the
	 * transfer stops within about a second, even while no byte comes
	 * (outcome permanent, reason cancelled). NULL: never.
	 */
	const volatile int *cancel;
};

enum aiops_http_outcome {
	AIOPS_HTTP_OK,		/* 2xx */
	AIOPS_HTTP_RETRY,	/* worth trying again later */
	AIOPS_HTTP_PERMANENT,	/* trying again will not help: dead letter */
};

/*
 * Why, for the outcome (Alertmanager's notify.Retrier classification:
 * 2xx ok, 5xx retry, other 4xx permanent; 429 retry, since Slack and
 * PagerDuty document it; 408 stays permanent as Alertmanager has it).
 */
enum aiops_http_reason {
	AIOPS_HTTP_R_NONE,
	AIOPS_HTTP_R_DNS,	/* name not resolved: retry */
	AIOPS_HTTP_R_CONNECT,	/* refused or unreachable: retry */
	AIOPS_HTTP_R_TIMEOUT,	/* connect, total or idle timeout: retry */
	AIOPS_HTTP_R_TLS,	/* handshake failed: retry; certificate not trusted: permanent */
	AIOPS_HTTP_R_NETWORK,	/* send or receive failed, closed mid-body: retry */
	AIOPS_HTTP_R_429,	/* Too Many Requests: retry (after Retry-After) */
	AIOPS_HTTP_R_5XX,	/* retry */
	AIOPS_HTTP_R_4XX,	/* permanent */
	AIOPS_HTTP_R_REDIRECT,	/* 3xx not followed, or too many: permanent */
	AIOPS_HTTP_R_STATUS,	/* a status outside 200-599: permanent */
	AIOPS_HTTP_R_TOO_BIG,	/* body over max_body: permanent */
	AIOPS_HTTP_R_CANCELLED,	/* on_data stopped it: permanent */
	AIOPS_HTTP_R_REQUEST,	/* bad URL, scheme, header or option: permanent */
	AIOPS_HTTP_R_INTERNAL,	/* out of memory in libcurl and the like: retry */
};

struct aiops_http_response {
	long		 status;	/* 0 when no response came */
	struct aiops_buf body;		/* the body, unless streamed (2xx with on_data);
					 * of other statuses, the first 64 KiB
					 * (max_body if less): the status decides */
	char		*content_type;	/* header values, NULL when absent */
	char		*retry_after;	/* give it to aiops_retry_next() */
	char		*location;
	char		*captured[AIOPS_HTTP_CAPTURE_MAX];	/* per request->capture */
	enum aiops_http_outcome outcome;
	enum aiops_http_reason reason;
	int		 curl_code;	/* CURLcode */
	int64_t		 elapsed_ns;
	char		 err[AIOPS_HTTP_ERRSZ];	/* "" when ok */
};

void aiops_http_response_init(struct aiops_http_response *resp);
void aiops_http_response_release(struct aiops_http_response *resp);

struct aiops_http;

/*
 * A client: one easy handle, and a multi handle made on first use. The
 * first call initialises libcurl (curl_global_init): make it from the
 * main thread before others start. NULL with err set if libcurl fails.
 */
struct aiops_http *aiops_http_new(char *err, size_t errlen);
void aiops_http_free(struct aiops_http *h);

/* Performs req; resp (initialised) is reset first. Returns resp->outcome. */
enum aiops_http_outcome aiops_http_do(struct aiops_http *h, const struct aiops_http_request *req,
    struct aiops_http_response *resp);

/*
 * Performs reqs[0..n) with at most max_parallel (0: AIOPS_HTTP_PARALLEL)
 * in flight, resps[i] for reqs[i] (initialised; reset first). Returns 0
 * when every request ran to an outcome, -1 when the multi handle failed
 * (then the requests not done say so in their err).
 */
int aiops_http_multi(struct aiops_http *h, const struct aiops_http_request *reqs,
    struct aiops_http_response *resps, size_t n, unsigned max_parallel);

/* The classification of a transfer's result (a CURLcode) and status. */
enum aiops_http_outcome aiops_http_classify(int curl_code, long status,
    enum aiops_http_reason *reason);
const char *aiops_http_outcome_name(enum aiops_http_outcome o);	/* "ok", "retry", "permanent" */
const char *aiops_http_reason_name(enum aiops_http_reason r);	/* "dns", "429", "5xx"... */

/*
 * The value of an Authorization header for Basic authentication (RFC
 * 7617): "Basic " and base64(user ":" password), a new string. It holds
 * the password: wipe it (explicit_bzero) before freeing it.
 */
char *aiops_http_basic_auth(const char *user, const char *password);

/*
 * Appends url to out with its secrets as "***" (see above); fragment
 * dropped. A URL libcurl cannot parse becomes "(unparsable URL)".
 */
void aiops_http_redact_url(const char *url, unsigned flags, const char *const *secret_params,
    struct aiops_buf *out);

#endif
