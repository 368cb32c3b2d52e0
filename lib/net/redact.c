/*
 * redact.c: URLs and err strings without secrets (redact.h, http.h).
 * The URL is taken apart by libcurl's URL API (curl_url(3)), the same
 * parser the transfer uses, so what is hidden is what was sent.
 */
#include "compat.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/xmalloc.h"
#include "net/http.h"
#include "net/redact.h"

#define MASK	"***"

static const char *const default_params[] = {
	"access_token", "api_key", "apikey", "auth", "key", "password", "secret",
	"sig", "signature", "token", NULL
};

static const char *const secret_words[] = { "token", "key", "secret", "password", "auth", NULL };

/* A growing list of strings to hide. */
struct secrets {
	char	**v;
	size_t	 n, cap;
};

static void
secrets_add(struct secrets *s, const char *p, size_t n)
{
	if (n == 0)
		return;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
	}
	s->v[s->n++] = xstrndup(p, n);
}

/* The raw form and, when it differs, the percent-decoded one. */
static void
secrets_add_url_part(struct secrets *s, const char *p, size_t n)
{
	char *dec;
	int declen = 0;

	secrets_add(s, p, n);
	if (n > 0 && n < (size_t)INT32_MAX &&
	    (dec = curl_easy_unescape(NULL, p, (int)n, &declen)) != NULL) {
		if ((size_t)declen != n || memcmp(dec, p, n) != 0)
			secrets_add(s, dec, (size_t)declen);
		curl_free(dec);
	}
}

static void
secrets_free(struct secrets *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		explicit_bzero(s->v[i], strlen(s->v[i]));
		free(s->v[i]);
	}
	free(s->v);
}

static int
in_list(const char *name, size_t n, const char *const *list)
{
	if (list == NULL)
		return 0;
	for (; *list != NULL; list++)
		if (strlen(*list) == n && strncasecmp(*list, name, n) == 0)
			return 1;
	return 0;
}

static int
param_secret(const char *name, size_t n, unsigned flags, const char *const *secret_params)
{
	return (flags & AIOPS_HTTP_SECRET_QUERY) || in_list(name, n, default_params) ||
	    in_list(name, n, secret_params);
}

int
aiops_redact_header_secret(const struct aiops_http_header *hd)
{
	const char *const *w;
	size_t i, n;

	if (hd->secret)
		return 1;
	if (hd->name == NULL)
		return 0;
	if (strcasecmp(hd->name, "Cookie") == 0)
		return 1;
	/* "auth" covers Authorization and Proxy-Authorization. */
	n = strlen(hd->name);
	for (w = secret_words; *w != NULL; w++)
		for (i = 0; i + strlen(*w) <= n; i++)
			if (strncasecmp(hd->name + i, *w, strlen(*w)) == 0)
				return 1;
	return 0;
}

/*
 * Appends the query with secret values masked; with s, collects them.
 * Parameters are split on '&' and at the first '=' (WHATWG URL's
 * application/x-www-form-urlencoded, which every receiver here uses).
 */
static void
walk_query(const char *q, unsigned flags, const char *const *secret_params,
    struct aiops_buf *out, struct secrets *s)
{
	const char *amp, *eq;
	size_t n;

	for (;;) {
		amp = strchr(q, '&');
		n = amp != NULL ? (size_t)(amp - q) : strlen(q);
		eq = memchr(q, '=', n);
		if (eq != NULL && param_secret(q, (size_t)(eq - q), flags, secret_params)) {
			if (out != NULL) {
				aiops_buf_add(out, q, (size_t)(eq - q) + 1);
				aiops_buf_addstr(out, MASK);
			}
			if (s != NULL)
				secrets_add_url_part(s, eq + 1, n - (size_t)(eq - q) - 1);
		} else if (out != NULL)
			aiops_buf_add(out, q, n);
		if (amp == NULL)
			break;
		if (out != NULL)
			aiops_buf_addc(out, '&');
		q = amp + 1;
	}
}

static char *
url_get(CURLU *u, CURLUPart part)
{
	char *v = NULL;

	if (curl_url_get(u, part, &v, 0) != CURLUE_OK)
		return NULL;
	return v;
}

static CURLU *
url_parse(const char *url)
{
	CURLU *u;

	if ((u = curl_url()) == NULL)
		xoom(0);
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
		curl_url_cleanup(u);
		return NULL;
	}
	return u;
}

void
aiops_http_redact_url(const char *url, unsigned flags, const char *const *secret_params,
    struct aiops_buf *out)
{
	char *scheme, *user, *pass, *host, *port, *path, *query;
	CURLU *u;

	if (url == NULL || (u = url_parse(url)) == NULL) {
		aiops_buf_addstr(out, "(unparsable URL)");
		return;
	}
	scheme = url_get(u, CURLUPART_SCHEME);
	user = url_get(u, CURLUPART_USER);
	pass = url_get(u, CURLUPART_PASSWORD);
	host = url_get(u, CURLUPART_HOST);
	port = url_get(u, CURLUPART_PORT);
	path = url_get(u, CURLUPART_PATH);
	query = url_get(u, CURLUPART_QUERY);
	aiops_buf_addf(out, "%s://", scheme != NULL ? scheme : "");
	if (user != NULL || pass != NULL)
		aiops_buf_addstr(out, MASK "@");
	aiops_buf_addstr(out, host != NULL ? host : "");
	if (port != NULL)
		aiops_buf_addf(out, ":%s", port);
	if (path != NULL && (flags & AIOPS_HTTP_SECRET_PATH) && strcmp(path, "/") != 0)
		aiops_buf_addstr(out, "/" MASK);
	else
		aiops_buf_addstr(out, path != NULL ? path : "/");
	if (query != NULL) {
		aiops_buf_addc(out, '?');
		walk_query(query, flags, secret_params, out, NULL);
	}
	curl_free(scheme);
	curl_free(user);
	curl_free(pass);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(query);
	curl_url_cleanup(u);
}

static void
collect_url(struct secrets *s, const char *url, unsigned flags, const char *const *secret_params)
{
	char *user, *pass, *path, *query;
	CURLU *u;

	if (url == NULL || (u = url_parse(url)) == NULL)
		return;
	if ((user = url_get(u, CURLUPART_USER)) != NULL)
		secrets_add_url_part(s, user, strlen(user));
	if ((pass = url_get(u, CURLUPART_PASSWORD)) != NULL)
		secrets_add_url_part(s, pass, strlen(pass));
	if ((flags & AIOPS_HTTP_SECRET_PATH) && (path = url_get(u, CURLUPART_PATH)) != NULL) {
		/* The path, and each of its segments (a Slack token is one). */
		const char *seg = path, *slash;

		secrets_add_url_part(s, path, strlen(path));
		while (*seg != '\0') {
			slash = strchr(seg, '/');
			secrets_add_url_part(s, seg, slash != NULL ? (size_t)(slash - seg) : strlen(seg));
			seg = slash != NULL ? slash + 1 : seg + strlen(seg);
		}
		curl_free(path);
	}
	if ((query = url_get(u, CURLUPART_QUERY)) != NULL)
		walk_query(query, flags, secret_params, NULL, s);
	curl_free(user);
	curl_free(pass);
	curl_free(query);
	curl_url_cleanup(u);
}

static void
collect_headers(struct secrets *s, const struct aiops_http_header *headers, size_t n)
{
	const char *v, *sp;
	size_t i;

	for (i = 0; i < n; i++) {
		if (headers[i].value == NULL || !aiops_redact_header_secret(&headers[i]))
			continue;
		v = headers[i].value;
		secrets_add(s, v, strlen(v));
		/* "Bearer abc", "Basic dXNlcjpw": the credential alone too. */
		if ((sp = strrchr(v, ' ')) != NULL)
			secrets_add(s, sp + 1, strlen(sp + 1));
	}
}

static int
by_length_desc(const void *a, const void *b)
{
	size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);

	return la < lb ? 1 : la > lb ? -1 : 0;
}

/* Replaces each occurrence of needle in b with MASK. */
static void
replace_all(struct aiops_buf *b, const char *needle)
{
	struct aiops_buf out = AIOPS_BUF_INIT;
	size_t nl = strlen(needle), i = 0;
	const char *hit;

	if (b->len == 0 || nl == 0)
		return;
	while (i < b->len && (hit = memmem(b->data + i, b->len - i, needle, nl)) != NULL) {
		aiops_buf_add(&out, b->data + i, (size_t)(hit - (b->data + i)));
		aiops_buf_addstr(&out, MASK);
		i = (size_t)(hit - b->data) + nl;
	}
	if (i == 0)
		return;
	aiops_buf_add(&out, b->data + i, b->len - i);
	explicit_bzero(b->data, b->len);
	aiops_buf_release(b);
	*b = out;
}

void
aiops_redact_scrub(struct aiops_buf *b, const char *url, unsigned flags,
    const char *const *secret_params, const struct aiops_http_header *headers, size_t nheaders)
{
	struct secrets s = { NULL, 0, 0 };
	size_t i;

	collect_url(&s, url, flags, secret_params);
	collect_headers(&s, headers, nheaders);
	if (s.n > 1)
		qsort(s.v, s.n, sizeof(*s.v), by_length_desc);
	for (i = 0; i < s.n; i++)
		replace_all(b, s.v[i]);
	secrets_free(&s);
}

void
aiops_redact_controls(struct aiops_buf *b)
{
	size_t i;

	for (i = 0; i < b->len; i++)
		if ((unsigned char)b->data[i] < 0x20 || (unsigned char)b->data[i] == 0x7f)
			b->data[i] = '?';
}
