/*
 * httpd.c: the HTTP listener (httpd.h) over libmicrohttpd's
 * thread-per-connection mode, bodies inflated with zlib.
 */
#include "compat.h"

#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <zlib.h>

#include "core/buf.h"
#include "core/xmalloc.h"
#include "net/httpd.h"

#define DEFAULT_MAX_BODY	(10 * 1024 * 1024)
#define DEFAULT_HEADER_LIMIT	(32 * 1024)
#define DEFAULT_TIMEOUT		30
#define DEFAULT_MAX_CONNS	256
#define DEFAULT_PER_IP		64
#define DROP_MAX		(64 * 1024 * 1024)

struct aiops_httpd {
	struct MHD_Daemon	*d;
	aiops_httpd_handler	 handler;
	void			*arg;
	size_t			 max_body;
};

enum encoding { ENC_IDENTITY, ENC_GZIP };

/* One request being received. */
struct request {
	struct aiops_buf	 raw;
	enum encoding		 enc;
	int			 answered;	/* a refusal was queued already */
	size_t			 dropped;	/* bytes past the limit, read and dropped */
};

struct aiops_httpd_conn {
	struct MHD_Connection	*c;
};

const char *
aiops_httpd_header(const struct aiops_httpd_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn->c, MHD_HEADER_KIND, name);
}

const char *
aiops_httpd_query(const struct aiops_httpd_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn->c, MHD_GET_ARGUMENT_KIND, name);
}

static enum MHD_Result
queue(struct MHD_Connection *c, struct aiops_httpd_resp *rs)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	char ra[24];

	r = MHD_create_response_from_buffer(rs->body.len, rs->body.data, MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	(void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    rs->content_type != NULL ? rs->content_type : "text/plain; charset=utf-8");
	if (rs->retry_after > 0) {
		snprintf(ra, sizeof(ra), "%d", rs->retry_after);
		(void)MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, ra);
	}
	if (rs->www_authenticate != NULL)
		(void)MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		    rs->www_authenticate);
	ret = MHD_queue_response(c, (unsigned)(rs->status > 0 ? rs->status : 500), r);
	MHD_destroy_response(r);
	return ret;
}

/* A refusal with a one-line text body. */
static enum MHD_Result
refuse(struct MHD_Connection *c, struct request *rq, int status, const char *why)
{
	struct aiops_httpd_resp rs;
	enum MHD_Result ret;

	memset(&rs, 0, sizeof(rs));
	aiops_buf_init(&rs.body);
	aiops_buf_addstr(&rs.body, why);
	aiops_buf_addc(&rs.body, '\n');
	rs.status = status;
	ret = queue(c, &rs);
	aiops_buf_release(&rs.body);
	rq->answered = 1;
	return ret;
}

/* The body's encoding: 0, or -1 for one we do not take. */
static int
encoding(struct MHD_Connection *c, enum encoding *enc)
{
	const char *ce = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_ENCODING);

	*enc = ENC_IDENTITY;
	if (ce == NULL || *ce == '\0' || strcasecmp(ce, "identity") == 0)
		return 0;
	if (strcasecmp(ce, "gzip") == 0 || strcasecmp(ce, "x-gzip") == 0) {
		*enc = ENC_GZIP;
		return 0;
	}
	return -1;
}

/* A declared length over the limit is refused before its body is read. */
static int
too_long(struct MHD_Connection *c, size_t max)
{
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	unsigned long long n;
	char *end;

	if (cl == NULL)
		return 0;
	errno = 0;
	n = strtoull(cl, &end, 10);
	return errno == ERANGE || (end != cl && n > max);
}

/*
 * Inflates a gzip body into out, at most max bytes: 0, -1 when it is not
 * gzip, -2 when it inflates to more than max (a gzip bomb is stopped as
 * soon as it passes the limit).
 */
static int
gunzip(const struct aiops_buf *in, size_t max, struct aiops_buf *out)
{
	unsigned char chunk[16384];
	z_stream zs;
	int rc = Z_OK;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
		return -1;
	zs.next_in = (unsigned char *)in->data;
	zs.avail_in = (uInt)in->len;
	while (rc != Z_STREAM_END) {
		zs.next_out = chunk;
		zs.avail_out = sizeof(chunk);
		rc = inflate(&zs, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END)
			break;
		if (out->len + (sizeof(chunk) - zs.avail_out) > max) {
			inflateEnd(&zs);
			return -2;
		}
		aiops_buf_add(out, chunk, sizeof(chunk) - zs.avail_out);
		if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0)
			break;		/* truncated */
	}
	inflateEnd(&zs);
	return rc == Z_STREAM_END && zs.avail_in == 0 ? 0 : -1;
}

static void
peer_name(struct MHD_Connection *c, char *buf, size_t size)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;
	socklen_t len;

	snprintf(buf, size, "?");
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || (sa = ci->client_addr) == NULL)
		return;
	len = sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
	if (getnameinfo(sa, len, buf, (socklen_t)size, NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(buf, size, "?");
}

/* The whole request is in: decode it, let the handler answer. */
static enum MHD_Result
answer(struct aiops_httpd *h, struct MHD_Connection *c, const char *url,
    const char *method, struct request *rq)
{
	struct aiops_httpd_conn conn = { c };
	struct aiops_httpd_req req;
	struct aiops_httpd_resp rs;
	struct aiops_buf body;
	enum MHD_Result ret;
	char peer[64];
	int rc;

	aiops_buf_init(&body);
	if (rq->enc == ENC_GZIP) {
		if ((rc = gunzip(&rq->raw, h->max_body, &body)) != 0) {
			aiops_buf_release(&body);
			return rc == -2 ? refuse(c, rq, MHD_HTTP_CONTENT_TOO_LARGE,
			    "request body too large once inflated") :
			    refuse(c, rq, MHD_HTTP_BAD_REQUEST, "body is not valid gzip");
		}
	} else {
		body = rq->raw;		/* taken over */
		aiops_buf_init(&rq->raw);
	}
	aiops_buf_addc(&body, '\0');
	body.len--;
	peer_name(c, peer, sizeof(peer));
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.url = url;
	req.body = body.data;
	req.len = body.len;
	req.peer = peer;
	req.conn = &conn;
	memset(&rs, 0, sizeof(rs));
	aiops_buf_init(&rs.body);
	h->handler(h->arg, &req, &rs);
	ret = queue(c, &rs);
	aiops_buf_release(&rs.body);
	aiops_buf_release(&body);
	return ret;
}

static enum MHD_Result
access_cb(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct aiops_httpd *h = cls;
	struct request *rq = *con_cls;

	(void)version;
	if (rq == NULL) {
		rq = xcalloc(1, sizeof(*rq));
		aiops_buf_init(&rq->raw);
		*con_cls = rq;
		if (encoding(c, &rq->enc) == -1)
			return refuse(c, rq, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
			    "Content-Encoding: only gzip and identity are accepted");
		if (too_long(c, h->max_body))
			return refuse(c, rq, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large");
		return MHD_YES;
	}
	if (*upload_size > 0) {
		/*
		 * A body of no declared length (chunked) that passes the limit
		 * is read on and dropped, so that the client, still sending,
		 * gets the 413 instead of a reset; up to a bound, past which
		 * it is refused at once.
		 */
		if (!rq->answered && (rq->dropped > 0 || rq->raw.len + *upload_size > h->max_body)) {
			rq->dropped += *upload_size;
			aiops_buf_release(&rq->raw);
			*upload_size = 0;
			if (rq->dropped > DROP_MAX)
				return refuse(c, rq, MHD_HTTP_CONTENT_TOO_LARGE,
				    "request body too large");
			return MHD_YES;
		}
		if (!rq->answered)
			aiops_buf_add(&rq->raw, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (rq->answered)
		return MHD_YES;
	if (rq->dropped > 0)
		return refuse(c, rq, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large");
	return answer(h, c, url, method, rq);
}

static void
completed_cb(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct request *rq = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (rq == NULL)
		return;
	aiops_buf_release(&rq->raw);
	free(rq);
	*con_cls = NULL;
}

/* "host:port", "[v6]:port" or ":port" into a socket address. */
static int
resolve(const char *listen, struct sockaddr_storage *ss, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL;
	const char *colon = strrchr(listen, ':');
	char host[256];
	size_t hl;
	int rc;

	if (colon == NULL || colon[1] == '\0') {
		snprintf(err, errlen, "%s: not ADDRESS:PORT", listen);
		return -1;
	}
	hl = (size_t)(colon - listen);
	if (hl >= 2 && listen[0] == '[' && listen[hl - 1] == ']') {
		listen++;
		hl -= 2;
	}
	if (hl >= sizeof(host)) {
		snprintf(err, errlen, "%s: address too long", listen);
		return -1;
	}
	memcpy(host, listen, hl);
	host[hl] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(hl > 0 ? host : NULL, colon + 1, &hints, &res)) != 0) {
		snprintf(err, errlen, "%s: %s", listen, gai_strerror(rc));
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return 0;
}

struct aiops_httpd *
aiops_httpd_start(const struct aiops_httpd_opts *o, aiops_httpd_handler handler, void *arg,
    char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	struct aiops_httpd *h;
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_ITC;

	memset(&ss, 0, sizeof(ss));
	if (resolve(o->listen, &ss, err, errlen) == -1)
		return NULL;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if ((o->cert_pem == NULL) != (o->key_pem == NULL)) {
		snprintf(err, errlen, "%s: TLS needs both a certificate and a key", o->listen);
		return NULL;
	}
	if (o->cert_pem != NULL)
		flags |= MHD_USE_TLS;
	h = xcalloc(1, sizeof(*h));
	h->handler = handler;
	h->arg = arg;
	h->max_body = o->max_body > 0 ? o->max_body : DEFAULT_MAX_BODY;
	h->d = MHD_start_daemon(flags, 0, NULL, NULL, access_cb, h,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_NOTIFY_COMPLETED, completed_cb, NULL,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)(o->header_limit > 0 ? o->header_limit : DEFAULT_HEADER_LIMIT),
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)(o->timeout > 0 ? o->timeout : DEFAULT_TIMEOUT),
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)(o->max_conns > 0 ? o->max_conns :
	    DEFAULT_MAX_CONNS),
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)(o->per_ip > 0 ? o->per_ip :
	    DEFAULT_PER_IP),
	    o->cert_pem != NULL ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, o->cert_pem,
	    MHD_OPTION_HTTPS_MEM_KEY, o->key_pem,
	    MHD_OPTION_END);
	if (h->d == NULL) {
		snprintf(err, errlen, "%s: cannot listen (in use, not an address of this host,"
		    " or a bad certificate or key)", o->listen);
		free(h);
		return NULL;
	}
	return h;
}

unsigned
aiops_httpd_port(const struct aiops_httpd *h)
{
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);

	return di != NULL ? di->port : 0;
}

void
aiops_httpd_stop(struct aiops_httpd *h)
{
	if (h == NULL)
		return;
	(void)MHD_quiesce_daemon(h->d);
	MHD_stop_daemon(h->d);
	free(h);
}
