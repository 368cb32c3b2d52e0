/*
 * sign.h: webhook signatures, HMAC-SHA256 through OpenSSL's libcrypto.
 *
 * The aiops scheme (issue 13, checked by issue 15's listener), after
 * Stripe's and Grafana's: the sender adds
 *   X-Aiops-Timestamp: <unix seconds>
 *   X-Aiops-Signature: v1=<lowercase hex HMAC-SHA256(secret, timestamp "." raw body)>
 * and during a key rotation sends one v1= per secret, separated by commas
 * ("v1=ab..,v1=cd.."). The receiver accepts the request when the timestamp
 * is within the window of its clock (300 s by default, either way, so a
 * captured request cannot be replayed later) and any v1= value matches
 * any of its secrets. Other schemes ("v0=", "v2=") are skipped, so a
 * later version can be sent beside v1. Comparisons are constant time
 * (CRYPTO_memcmp) on the decoded 32 bytes, so hex case does not matter.
 *
 * Sentry's integration webhooks (docs.sentry.io, integration-platform/
 * webhooks): Sentry-Hook-Signature is the lowercase hex HMAC-SHA256 of the
 * raw body with the client secret, no prefix, no timestamp.
 *
 * Secrets, bodies and headers are <pointer, length>; none is kept.
 */
#ifndef AIOPS_NET_SIGN_H
#define AIOPS_NET_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define AIOPS_SIGN_HEADER_TS	"X-Aiops-Timestamp"
#define AIOPS_SIGN_HEADER_SIG	"X-Aiops-Signature"
#define AIOPS_SIGN_HEADER_SENTRY "Sentry-Hook-Signature"
#define AIOPS_SIGN_WINDOW_S	300
#define AIOPS_SHA256_HEXSZ	65	/* 64 hex digits and the NUL */
/* At most this many signatures of a header are tried (a bound on work). */
#define AIOPS_SIGN_MAX_SIGS	8

struct aiops_secret {
	const void	*key;
	size_t		 len;
};

enum aiops_sign_status {
	AIOPS_SIGN_OK = 0,
	AIOPS_SIGN_MALFORMED,	/* missing or unreadable timestamp or signature */
	AIOPS_SIGN_STALE,	/* timestamp outside the window */
	AIOPS_SIGN_MISMATCH,	/* well formed, but no secret signed it */
};

/* "ok", "malformed", "stale", "mismatch": for logs and HTTP answers. */
const char *aiops_sign_status_name(enum aiops_sign_status st);

/* Lowercase hex HMAC-SHA256(key, msg) into hex (NUL-terminated). 0, or -1 on a libcrypto error. */
int aiops_hmac_sha256_hex(const void *key, size_t keylen, const void *msg, size_t len,
    char hex[AIOPS_SHA256_HEXSZ]);

/*
 * The two header values for a body sent at unix time ts, one v1= per
 * secret in that order: ts_out gets the decimal timestamp, sig_out the
 * signature list (both appended to). 0, or -1 on a libcrypto error or
 * when nsecrets is 0.
 */
int aiops_sign_v1(const struct aiops_secret *secrets, size_t nsecrets, int64_t ts,
    const void *body, size_t len, struct aiops_buf *ts_out, struct aiops_buf *sig_out);

/*
 * Checks the two header values (as received, without the names) against
 * the body, at unix time now; window_s <= 0 means AIOPS_SIGN_WINDOW_S.
 * The timestamp must be decimal digits alone (up to 18).
 */
enum aiops_sign_status aiops_sign_v1_verify(const struct aiops_secret *secrets, size_t nsecrets,
    const char *ts_hdr, size_t ts_len, const char *sig_hdr, size_t sig_len,
    const void *body, size_t len, int64_t now, int64_t window_s);

/* Checks Sentry-Hook-Signature (64 hex digits, spaces around allowed). */
enum aiops_sign_status aiops_sign_sentry_verify(const struct aiops_secret *secrets, size_t nsecrets,
    const char *sig_hdr, size_t sig_len, const void *body, size_t len);

#endif
