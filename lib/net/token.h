/*
 * token.h: the bearer tokens of aiops-ingest's HTTP listener, in memory.
 *
 * A token is "aiops_<id>_<secret>", 62 characters: id 12 lowercase hex
 * digits (6 random bytes), public, the key of its row; secret 43 base64url
 * characters (32 bytes from RAND_bytes, no padding). The state keeps the
 * SHA-256 of the secret's 43 characters, never the secret
 * (lib/store/tokens.h). Clients send it as "Authorization: Bearer TOKEN"
 * or "Authorization: Token TOKEN" (what Telegraf's influxdb_v2 output and
 * the InfluxDB v2 clients send); the scheme's case does not matter.
 *
 * Scopes: "write" (the line protocol write API), "alerts" (Alertmanager
 * webhooks and the push API), "read" (/metrics), "*" (all of them).
 *
 * An aiops_tokenset is built once from the live rows and only read after:
 * any number of threads may call aiops_tokenset_check at once. The check
 * hashes the secret and compares 32 bytes with CRYPTO_memcmp whatever the
 * id: an unknown id is compared against a dummy hash, so the time taken
 * does not tell a known id from an unknown one, nor how much of a secret
 * was right.
 */
#ifndef AIOPS_NET_TOKEN_H
#define AIOPS_NET_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "store/tokens.h"

#define AIOPS_TOKEN_PREFIX	"aiops_"
#define AIOPS_TOKEN_SECRET_LEN	43
#define AIOPS_TOKEN_LEN		(6 + AIOPS_TOKEN_ID_LEN + 1 + AIOPS_TOKEN_SECRET_LEN)	/* 62 */
/* Authorization values longer than this are MALFORMED without a look. */
#define AIOPS_TOKEN_HEADER_MAX	256

/* A new token: the one place its secret exists in clear. Wipe it after use. */
struct aiops_token_new {
	char		 text[AIOPS_TOKEN_LEN + 1];	/* aiops_<id>_<secret> */
	char		 id[AIOPS_TOKEN_ID_LEN + 1];
	unsigned char	 hash[AIOPS_TOKEN_HASH_LEN];	/* of the secret part */
};

/* A new random token into t. 0, or -1 when libcrypto has no randomness. */
int aiops_token_generate(struct aiops_token_new *t);
/* Zeroes t (OPENSSL_cleanse). */
void aiops_token_wipe(struct aiops_token_new *t);
/*
 * Splits the token s (len bytes, no NUL needed): id into id (NUL-
 * terminated), *secret pointed at its 43 characters inside s. 0, or -1
 * when s is not exactly that shape.
 */
int aiops_token_parse(const char *s, size_t len, char id[AIOPS_TOKEN_ID_LEN + 1],
    const char **secret);
/* SHA-256 of the len bytes at secret into out. 0, or -1 on a libcrypto error. */
int aiops_token_hash(const char *secret, size_t len, unsigned char out[AIOPS_TOKEN_HASH_LEN]);

/* 1 when scope is one of write, alerts, read, "*". */
int aiops_token_scope_ok(const char *scope);
/* 1 when the space-separated scopes grant scope ("*" grants all). */
int aiops_token_scopes_grant(const char *scopes, const char *scope);
/* 1 when name is 1 to AIOPS_TOKEN_NAME_MAX of [A-Za-z0-9._-], not
 * starting with '-' (so never "NAME~ID", never an option). */
int aiops_token_name_ok(const char *name);

enum aiops_token_status {
	AIOPS_TOKEN_OK = 0,
	AIOPS_TOKEN_NONE,	/* no Authorization header, or an empty one */
	AIOPS_TOKEN_MALFORMED,	/* not "Bearer|Token aiops_<id>_<secret>" */
	AIOPS_TOKEN_UNKNOWN,	/* no live token with that id and secret */
	AIOPS_TOKEN_DENIED,	/* a valid token without the scope asked */
	AIOPS_TOKEN_EXPIRED,	/* a valid token past its expiry at now */
};

/* "ok", "none", "malformed", "unknown", "denied", "expired": for logs. */
const char *aiops_token_status_name(enum aiops_token_status s);

struct aiops_tokenset;

/*
 * A set of the n rows (copied: rows may be released after), revoked ones
 * left out. NULL only when memory or libcrypto fails.
 */
struct aiops_tokenset *aiops_tokenset_new(const struct aiops_token_row *rows, size_t n);
/*
 * Checks an Authorization header value (NULL: no header) for scope at now:
 * AIOPS_TOKEN_OK, or why not. *row points at the token's row (valid until
 * the set is freed) when the secret was right: OK, DENIED and EXPIRED (so
 * a log can name the token); else NULL. Thread-safe. row may be NULL; ts
 * may be NULL, a set with no token.
 */
enum aiops_token_status aiops_tokenset_check(const struct aiops_tokenset *ts,
    const char *authorization, const char *scope, int64_t now,
    const struct aiops_token_row **row);
/* The same with the header value's length: a NUL inside it is MALFORMED. */
enum aiops_token_status aiops_tokenset_check_n(const struct aiops_tokenset *ts,
    const char *authorization, size_t len, const char *scope, int64_t now,
    const struct aiops_token_row **row);
/* The number of tokens in the set. */
size_t aiops_tokenset_size(const struct aiops_tokenset *ts);
void aiops_tokenset_free(struct aiops_tokenset *ts);

#endif
