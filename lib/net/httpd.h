/*
 * httpd.h: an HTTP/1.1 listener over GNU libmicrohttpd, for handlers that
 * may block (a request answered only once what it carried is durable).
 *
 * A thread per connection (MHD_USE_THREAD_PER_CONNECTION), so one slow
 * handler holds up only its own client. Limits against hostile clients:
 * a body over max_body bytes is answered 413: at once when its
 * Content-Length says so, else (chunked) once the rest, up to 64 MiB, is
 * read and dropped, so the client gets the answer and not a connection
 * reset; a body sent with Content-Encoding:
 * gzip is inflated with zlib up to max_body bytes too (a gzip bomb is a
 * 413), another encoding is a 415; connections idle for timeout seconds
 * are closed; at most max_conns connections in all and per_ip from one
 * address (more are refused at accept). Headers are bounded by the
 * connection's memory limit (header_limit bytes; more is a 431).
 * TLS with a PEM certificate and key, when given (GnuTLS, in libmicrohttpd).
 *
 * Errors are "what: why" in err; nothing here prints.
 */
#ifndef AIOPS_NET_HTTPD_H
#define AIOPS_NET_HTTPD_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

struct aiops_httpd;
struct aiops_httpd_conn;	/* the request's connection (opaque) */

struct aiops_httpd_req {
	const char			*method;
	const char			*url;		/* the path, without the query */
	const char			*body;		/* decoded; NUL-terminated */
	size_t				 len;
	const char			*peer;		/* the client's address, numeric */
	struct aiops_httpd_conn		*conn;
};

struct aiops_httpd_resp {
	int			 status;
	const char		*content_type;	/* static; NULL: text/plain; charset=utf-8 */
	struct aiops_buf	 body;		/* initialized empty for the handler */
	int			 retry_after;	/* > 0: a Retry-After header, seconds */
	const char		*www_authenticate; /* static; a 401's challenge */
};

/* Answers one request; resp->status 0 is taken as 500. Called from many threads at once. */
typedef void (*aiops_httpd_handler)(void *arg, const struct aiops_httpd_req *req,
    struct aiops_httpd_resp *resp);

struct aiops_httpd_opts {
	const char	*listen;	/* "ADDR:PORT", "[v6]:PORT" or ":PORT" (all addresses) */
	size_t		 max_body;	/* bytes, after decoding; 0: 10 MiB */
	size_t		 header_limit;	/* bytes of a connection's request head; 0: 32 KiB */
	unsigned	 timeout;	/* seconds idle; 0: 30 */
	unsigned	 max_conns;	/* 0: 256 */
	unsigned	 per_ip;	/* 0: 64 */
	const char	*cert_pem;	/* both or neither: TLS */
	const char	*key_pem;
};

/* Starts listening. NULL with err filled (a bad address, a port in use). */
struct aiops_httpd *aiops_httpd_start(const struct aiops_httpd_opts *o,
    aiops_httpd_handler handler, void *arg, char *err, size_t errlen);
/* The port listened on (the one the kernel chose for port 0). */
unsigned aiops_httpd_port(const struct aiops_httpd *h);
/*
 * Stops taking new connections and waits for the requests in flight to
 * be answered (a graceful shutdown), then frees h.
 */
void aiops_httpd_stop(struct aiops_httpd *h);

/* A request header (case-insensitive name), or NULL. */
const char *aiops_httpd_header(const struct aiops_httpd_req *r, const char *name);
/* A query-string argument, decoded, or NULL. */
const char *aiops_httpd_query(const struct aiops_httpd_req *r, const char *name);

#endif
