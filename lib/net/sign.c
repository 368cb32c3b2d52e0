/*
 * sign.c: HMAC-SHA256 webhook signatures (sign.h). The MAC is libcrypto's
 * EVP_MAC "HMAC" (OpenSSL 3, EVP_MAC-HMAC(7)); nothing here is hand-rolled
 * but the hex.
 */
#include "compat.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "net/sign.h"

#define MACSZ	32	/* SHA-256 */
#define TS_DIGITS_MAX	18	/* below INT64_MAX whatever the digits */

struct part {
	const void	*p;
	size_t		 n;
};

/* HMAC-SHA256 of the concatenated parts. 0, or -1 on a libcrypto error or an empty key. */
static int
hmac_sha256(const void *key, size_t keylen, const struct part *parts, size_t nparts,
    unsigned char out[MACSZ])
{
	EVP_MAC *mac = NULL;
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	size_t outlen = 0, i;
	int rc = -1;

	if (keylen == 0)
		return -1;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL ||
	    (ctx = EVP_MAC_CTX_new(mac)) == NULL ||
	    !EVP_MAC_init(ctx, key, keylen, params))
		goto out;
	for (i = 0; i < nparts; i++)
		if (parts[i].n > 0 && !EVP_MAC_update(ctx, parts[i].p, parts[i].n))
			goto out;
	if (!EVP_MAC_final(ctx, out, &outlen, MACSZ) || outlen != MACSZ)
		goto out;
	rc = 0;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return rc;
}

static void
to_hex(const unsigned char *p, size_t n, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[p[i] >> 4];
		hex[2 * i + 1] = digits[p[i] & 15];
	}
	hex[2 * n] = '\0';
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Exactly 2*MACSZ hex digits into out. 0 ok, -1 otherwise. */
static int
from_hex(const char *s, size_t n, unsigned char out[MACSZ])
{
	size_t i;
	int hi, lo;

	if (n != 2 * MACSZ)
		return -1;
	for (i = 0; i < MACSZ; i++) {
		if ((hi = hexval(s[2 * i])) < 0 || (lo = hexval(s[2 * i + 1])) < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

static void
trim_ows(const char **s, size_t *n)
{
	while (*n > 0 && (**s == ' ' || **s == '\t'))
		(*s)++, (*n)--;
	while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

const char *
aiops_sign_status_name(enum aiops_sign_status st)
{
	switch (st) {
	case AIOPS_SIGN_OK:		return "ok";
	case AIOPS_SIGN_MALFORMED:	return "malformed";
	case AIOPS_SIGN_STALE:		return "stale";
	case AIOPS_SIGN_MISMATCH:	return "mismatch";
	}
	return "unknown";
}

int
aiops_hmac_sha256_hex(const void *key, size_t keylen, const void *msg, size_t len,
    char hex[AIOPS_SHA256_HEXSZ])
{
	struct part part = { msg, len };
	unsigned char mac[MACSZ];

	if (hmac_sha256(key, keylen, &part, 1, mac) != 0)
		return -1;
	to_hex(mac, MACSZ, hex);
	return 0;
}

/* The v1 MAC: HMAC(secret, ts "." body). */
static int
mac_v1(const struct aiops_secret *sec, const char *ts, size_t tslen, const void *body,
    size_t len, unsigned char out[MACSZ])
{
	struct part parts[3] = { { ts, tslen }, { ".", 1 }, { body, len } };

	return hmac_sha256(sec->key, sec->len, parts, 3, out);
}

int
aiops_sign_v1(const struct aiops_secret *secrets, size_t nsecrets, int64_t ts,
    const void *body, size_t len, struct aiops_buf *ts_out, struct aiops_buf *sig_out)
{
	char tsbuf[24], hex[AIOPS_SHA256_HEXSZ];
	unsigned char mac[MACSZ];
	size_t i;
	int n;

	n = snprintf(tsbuf, sizeof(tsbuf), "%lld", (long long)ts);
	if (nsecrets == 0 || ts < 0 || n < 0 || (size_t)n >= sizeof(tsbuf))
		return -1;
	for (i = 0; i < nsecrets; i++) {
		if (mac_v1(&secrets[i], tsbuf, (size_t)n, body, len, mac) != 0)
			return -1;
		to_hex(mac, MACSZ, hex);
		aiops_buf_addf(sig_out, "%sv1=%s", i > 0 ? "," : "", hex);
	}
	aiops_buf_add(ts_out, tsbuf, (size_t)n);
	return 0;
}

/* Decimal digits only, no sign: a timestamp. 0 ok, -1 otherwise. */
static int
parse_ts(const char *s, size_t n, int64_t *ts)
{
	size_t i;

	if (n == 0 || n > TS_DIGITS_MAX)
		return -1;
	*ts = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*ts = *ts * 10 + (s[i] - '0');
	}
	return 0;
}

/*
 * Splits the signature header on commas into up to AIOPS_SIGN_MAX_SIGS
 * decoded v1 MACs. Returns how many, or -1 when an element is unreadable.
 */
static int
parse_v1_list(const char *s, size_t n, unsigned char sigs[][MACSZ])
{
	const char *comma, *el;
	size_t eln;
	int count = 0;

	for (;;) {
		comma = memchr(s, ',', n);
		el = s;
		eln = comma != NULL ? (size_t)(comma - s) : n;
		n -= comma != NULL ? eln + 1 : eln;
		s = comma != NULL ? comma + 1 : s + eln;
		trim_ows(&el, &eln);
		if (eln >= 3 && memcmp(el, "v1=", 3) == 0) {
			/* Past the bound, values are neither read nor checked. */
			if (count < AIOPS_SIGN_MAX_SIGS) {
				if (from_hex(el + 3, eln - 3, sigs[count]) != 0)
					return -1;
				count++;
			}
		} else if (eln == 0 || memchr(el, '=', eln) == NULL)
			return -1;	/* not "scheme=value": garbage, not a new version */
		if (comma == NULL)
			break;
	}
	return count;
}

/* Does any MAC in sigs match any secret's MAC? Constant time per pair. */
static int
any_match(const unsigned char sigs[][MACSZ], int nsigs, const unsigned char (*macs)[MACSZ],
    size_t nmacs)
{
	size_t i;
	int j, found = 0;

	for (i = 0; i < nmacs; i++)
		for (j = 0; j < nsigs; j++)
			found |= CRYPTO_memcmp(sigs[j], macs[i], MACSZ) == 0;
	return found;
}

enum aiops_sign_status
aiops_sign_v1_verify(const struct aiops_secret *secrets, size_t nsecrets,
    const char *ts_hdr, size_t ts_len, const char *sig_hdr, size_t sig_len,
    const void *body, size_t len, int64_t now, int64_t window_s)
{
	unsigned char sigs[AIOPS_SIGN_MAX_SIGS][MACSZ], mac[1][MACSZ];
	int64_t ts;
	size_t i;
	int nsigs, found = 0;

	if (window_s <= 0)
		window_s = AIOPS_SIGN_WINDOW_S;
	if (ts_hdr == NULL || sig_hdr == NULL)
		return AIOPS_SIGN_MALFORMED;
	trim_ows(&ts_hdr, &ts_len);
	if (parse_ts(ts_hdr, ts_len, &ts) != 0)
		return AIOPS_SIGN_MALFORMED;
	if ((nsigs = parse_v1_list(sig_hdr, sig_len, sigs)) <= 0)
		return AIOPS_SIGN_MALFORMED;
	/* ts and now are both far from the int64 limits: no overflow. */
	if (now < 0 || now > INT64_MAX / 2 || ts > now + window_s || ts < now - window_s)
		return AIOPS_SIGN_STALE;
	for (i = 0; i < nsecrets; i++) {
		if (mac_v1(&secrets[i], ts_hdr, ts_len, body, len, mac[0]) != 0)
			continue;
		found |= any_match((const unsigned char (*)[MACSZ])sigs, nsigs,
		    (const unsigned char (*)[MACSZ])mac, 1);
	}
	return found ? AIOPS_SIGN_OK : AIOPS_SIGN_MISMATCH;
}

enum aiops_sign_status
aiops_sign_sentry_verify(const struct aiops_secret *secrets, size_t nsecrets,
    const char *sig_hdr, size_t sig_len, const void *body, size_t len)
{
	unsigned char sig[1][MACSZ], mac[1][MACSZ];
	struct part part = { body, len };
	size_t i;
	int found = 0;

	if (sig_hdr == NULL)
		return AIOPS_SIGN_MALFORMED;
	trim_ows(&sig_hdr, &sig_len);
	if (from_hex(sig_hdr, sig_len, sig[0]) != 0)
		return AIOPS_SIGN_MALFORMED;
	for (i = 0; i < nsecrets; i++) {
		if (hmac_sha256(secrets[i].key, secrets[i].len, &part, 1, mac[0]) != 0)
			continue;
		found |= any_match((const unsigned char (*)[MACSZ])sig, 1,
		    (const unsigned char (*)[MACSZ])mac, 1);
	}
	return found ? AIOPS_SIGN_OK : AIOPS_SIGN_MISMATCH;
}
