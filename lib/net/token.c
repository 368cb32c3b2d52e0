/*
 * token.c: the listener's bearer tokens in memory (net/token.h has the
 * format and the rules). The set is an array sorted by id: bsearch finds
 * the row, then the secret is hashed and compared whether or not it did.
 */
#include "compat.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core/xmalloc.h"
#include "net/token.h"
#include "store/tokens.h"

enum {
	SCOPE_WRITE = 1 << 0,
	SCOPE_ALERTS = 1 << 1,
	SCOPE_READ = 1 << 2,
	SCOPE_ALL = SCOPE_WRITE | SCOPE_ALERTS | SCOPE_READ,
};

static const struct {
	const char	*name;
	unsigned	 mask;
} scopes[] = {
	{ "write", SCOPE_WRITE },
	{ "alerts", SCOPE_ALERTS },
	{ "read", SCOPE_READ },
	{ "*", SCOPE_ALL },
};

struct entry {
	struct aiops_token_row	 row;
	unsigned		 mask;
};

struct aiops_tokenset {
	struct entry	*v;
	size_t		 n;
	unsigned char	 dummy[AIOPS_TOKEN_HASH_LEN];	/* what an unknown id is compared with */
};

/* The dummy of a NULL set (no token lets anyone in then). */
static const unsigned char no_set[AIOPS_TOKEN_HASH_LEN];

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char hexdig[] = "0123456789abcdef";

/* The scope's bit, or 0 for none of ours. */
static unsigned
scope_mask(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++)
		if (strlen(scopes[i].name) == len && memcmp(scopes[i].name, s, len) == 0)
			return scopes[i].mask;
	return 0;
}

/* The bits of a space-separated list (unknown words grant nothing). */
static unsigned
scopes_mask(const char *list)
{
	unsigned m = 0;
	size_t len;

	while (list != NULL && *list != '\0') {
		list += strspn(list, " ");
		len = strcspn(list, " ");
		m |= scope_mask(list, len);
		list += len;
	}
	return m;
}

int
aiops_token_scope_ok(const char *scope)
{
	return scope != NULL && scope_mask(scope, strlen(scope)) != 0;
}

int
aiops_token_scopes_grant(const char *list, const char *scope)
{
	unsigned want = scope != NULL ? scope_mask(scope, strlen(scope)) : 0;

	return want != 0 && (scopes_mask(list) & want) == want;
}

static int
is_hex_id(const char *s, size_t len)
{
	size_t i;

	if (len != AIOPS_TOKEN_ID_LEN)
		return 0;
	for (i = 0; i < len; i++)
		if (strchr(hexdig, s[i]) == NULL || s[i] == '\0')
			return 0;
	return 1;
}

int
aiops_token_name_ok(const char *name)
{
	size_t len = name != NULL ? strlen(name) : 0, i;
	char c;

	if (len == 0 || len > AIOPS_TOKEN_NAME_MAX || name[0] == '-' || is_hex_id(name, len))
		return 0;
	for (i = 0; i < len; i++) {
		c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

int
aiops_token_hash(const char *secret, size_t len, unsigned char out[AIOPS_TOKEN_HASH_LEN])
{
	unsigned int n = 0;

	if (EVP_Digest(secret, len, out, &n, EVP_sha256(), NULL) != 1 ||
	    n != AIOPS_TOKEN_HASH_LEN)
		return -1;
	return 0;
}

/* 32 bytes as 43 base64url characters, no padding, into out (NUL added). */
static void
b64url_32(const unsigned char in[32], char out[AIOPS_TOKEN_SECRET_LEN + 1])
{
	unsigned long v;
	size_t i, o = 0;

	for (i = 0; i + 3 <= 30; i += 3) {
		v = (unsigned long)in[i] << 16 | (unsigned long)in[i + 1] << 8 | in[i + 2];
		out[o++] = b64url[v >> 18 & 63];
		out[o++] = b64url[v >> 12 & 63];
		out[o++] = b64url[v >> 6 & 63];
		out[o++] = b64url[v & 63];
	}
	v = (unsigned long)in[30] << 16 | (unsigned long)in[31] << 8;
	out[o++] = b64url[v >> 18 & 63];
	out[o++] = b64url[v >> 12 & 63];
	out[o++] = b64url[v >> 6 & 63];
	out[o] = '\0';
}

int
aiops_token_generate(struct aiops_token_new *t)
{
	unsigned char idb[AIOPS_TOKEN_ID_LEN / 2], sb[32];
	char secret[AIOPS_TOKEN_SECRET_LEN + 1];
	size_t i;
	int rc = -1;

	memset(t, 0, sizeof(*t));
	if (RAND_bytes(idb, sizeof(idb)) == 1 && RAND_bytes(sb, sizeof(sb)) == 1) {
		for (i = 0; i < sizeof(idb); i++) {
			t->id[2 * i] = hexdig[idb[i] >> 4];
			t->id[2 * i + 1] = hexdig[idb[i] & 15];
		}
		b64url_32(sb, secret);
		memcpy(t->text, AIOPS_TOKEN_PREFIX, 6);
		memcpy(t->text + 6, t->id, AIOPS_TOKEN_ID_LEN);
		t->text[6 + AIOPS_TOKEN_ID_LEN] = '_';
		memcpy(t->text + 7 + AIOPS_TOKEN_ID_LEN, secret, AIOPS_TOKEN_SECRET_LEN);
		rc = aiops_token_hash(secret, AIOPS_TOKEN_SECRET_LEN, t->hash);
	}
	OPENSSL_cleanse(sb, sizeof(sb));
	OPENSSL_cleanse(secret, sizeof(secret));
	if (rc == -1)
		aiops_token_wipe(t);
	return rc;
}

void
aiops_token_wipe(struct aiops_token_new *t)
{
	OPENSSL_cleanse(t, sizeof(*t));
}

int
aiops_token_parse(const char *s, size_t len, char id[AIOPS_TOKEN_ID_LEN + 1],
    const char **secret)
{
	const char *sec = s + 7 + AIOPS_TOKEN_ID_LEN;
	size_t i;

	id[0] = '\0';
	*secret = NULL;
	if (len != AIOPS_TOKEN_LEN || memcmp(s, AIOPS_TOKEN_PREFIX, 6) != 0 ||
	    !is_hex_id(s + 6, AIOPS_TOKEN_ID_LEN) || s[6 + AIOPS_TOKEN_ID_LEN] != '_')
		return -1;
	for (i = 0; i < AIOPS_TOKEN_SECRET_LEN; i++)
		if (sec[i] == '\0' || strchr(b64url, sec[i]) == NULL)
			return -1;
	memcpy(id, s + 6, AIOPS_TOKEN_ID_LEN);
	id[AIOPS_TOKEN_ID_LEN] = '\0';
	*secret = sec;
	return 0;
}

const char *
aiops_token_status_name(enum aiops_token_status s)
{
	switch (s) {
	case AIOPS_TOKEN_OK:		return "ok";
	case AIOPS_TOKEN_NONE:		return "none";
	case AIOPS_TOKEN_MALFORMED:	return "malformed";
	case AIOPS_TOKEN_UNKNOWN:	return "unknown";
	case AIOPS_TOKEN_DENIED:	return "denied";
	case AIOPS_TOKEN_EXPIRED:	return "expired";
	}
	return "?";
}

static int
by_id(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->row.id, ((const struct entry *)b)->row.id);
}

struct aiops_tokenset *
aiops_tokenset_new(const struct aiops_token_row *rows, size_t n)
{
	struct aiops_tokenset *ts = xcalloc(1, sizeof(*ts));
	struct entry *e;
	size_t i;

	if (RAND_bytes(ts->dummy, sizeof(ts->dummy)) != 1) {
		free(ts);
		return NULL;
	}
	ts->v = xcalloc(n ? n : 1, sizeof(*ts->v));
	for (i = 0; i < n; i++) {
		if (rows[i].revoked != 0 || !is_hex_id(rows[i].id, strlen(rows[i].id)))
			continue;
		e = &ts->v[ts->n++];
		e->row = rows[i];
		e->row.name = xstrdup(rows[i].name != NULL ? rows[i].name : "");
		e->row.scopes = xstrdup(rows[i].scopes != NULL ? rows[i].scopes : "");
		e->mask = scopes_mask(e->row.scopes);
	}
	qsort(ts->v, ts->n, sizeof(*ts->v), by_id);
	return ts;
}

size_t
aiops_tokenset_size(const struct aiops_tokenset *ts)
{
	return ts != NULL ? ts->n : 0;
}

void
aiops_tokenset_free(struct aiops_tokenset *ts)
{
	size_t i;

	if (ts == NULL)
		return;
	for (i = 0; i < ts->n; i++) {
		free(ts->v[i].row.name);
		free(ts->v[i].row.scopes);
	}
	free(ts->v);
	free(ts);
}

static int
ows(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * The token of "Bearer TOKEN" or "Token TOKEN" (scheme in any case, then
 * spaces or tabs, spaces or tabs around allowed) at *tok, *toklen. 0, or
 * -1 for another shape. len is at most AIOPS_TOKEN_HEADER_MAX, no NUL.
 */
static int
split_header(const char *h, size_t len, const char **tok, size_t *toklen)
{
	size_t i = 0, j;

	while (i < len && ows(h[i]))
		i++;
	while (len > i && ows(h[len - 1]))
		len--;
	if (len - i > 7 && strncasecmp(h + i, "Bearer", 6) == 0 && ows(h[i + 6]))
		j = i + 6;
	else if (len - i > 6 && strncasecmp(h + i, "Token", 5) == 0 && ows(h[i + 5]))
		j = i + 5;
	else
		return -1;
	while (j < len && ows(h[j]))
		j++;
	*tok = h + j;
	*toklen = len - j;
	return 0;
}

static int
all_ows(const char *h, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!ows(h[i]))
			return 0;
	return 1;
}

enum aiops_token_status
aiops_tokenset_check_n(const struct aiops_tokenset *ts, const char *authorization,
    size_t len, const char *scope, int64_t now, const struct aiops_token_row **row)
{
	unsigned char h[AIOPS_TOKEN_HASH_LEN];
	char id[AIOPS_TOKEN_ID_LEN + 1];
	const char *tok, *secret;
	const struct entry *e;
	struct entry key;
	size_t toklen;
	unsigned want;
	int match;

	if (row != NULL)
		*row = NULL;
	if (authorization == NULL || all_ows(authorization, len))
		return AIOPS_TOKEN_NONE;
	if (len > AIOPS_TOKEN_HEADER_MAX || memchr(authorization, '\0', len) != NULL ||
	    split_header(authorization, len, &tok, &toklen) == -1 ||
	    aiops_token_parse(tok, toklen, id, &secret) == -1)
		return AIOPS_TOKEN_MALFORMED;
	memcpy(key.row.id, id, sizeof(id));
	e = ts != NULL && ts->n > 0 ?
	    bsearch(&key, ts->v, ts->n, sizeof(*ts->v), by_id) : NULL;
	if (aiops_token_hash(secret, AIOPS_TOKEN_SECRET_LEN, h) == -1)
		return AIOPS_TOKEN_UNKNOWN;
	/* The same work for an unknown id: a compare against the dummy. */
	match = CRYPTO_memcmp(h, e != NULL ? e->row.hash : ts != NULL ? ts->dummy : no_set,
	    sizeof(h)) == 0;
	OPENSSL_cleanse(h, sizeof(h));
	if (!match || e == NULL)
		return AIOPS_TOKEN_UNKNOWN;
	if (row != NULL)
		*row = &e->row;
	if (e->row.expires != 0 && now >= e->row.expires)
		return AIOPS_TOKEN_EXPIRED;
	want = scope != NULL ? scope_mask(scope, strlen(scope)) : 0;
	if (want == 0 || (e->mask & want) != want)
		return AIOPS_TOKEN_DENIED;
	return AIOPS_TOKEN_OK;
}

enum aiops_token_status
aiops_tokenset_check(const struct aiops_tokenset *ts, const char *authorization,
    const char *scope, int64_t now, const struct aiops_token_row **row)
{
	size_t len = authorization != NULL ? strnlen(authorization, AIOPS_TOKEN_HEADER_MAX + 1) : 0;

	return aiops_tokenset_check_n(ts, authorization, len, scope, now, row);
}
