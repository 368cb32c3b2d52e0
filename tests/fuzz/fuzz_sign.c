/*
 * fuzz_sign.c: libFuzzer harness for the webhook signature headers.
 *
 * The input is split at its first two NUL bytes into a timestamp header,
 * a signature header and a body. Properties: verification never crashes;
 * it says OK only when the signature header holds, within its first
 * AIOPS_SIGN_MAX_SIGS v1= values, the hex of the right MAC (any case) and
 * the timestamp is in the window; what aiops_sign_v1 makes for the body
 * always verifies, and fails once one byte of the body changes. The same
 * for Sentry-Hook-Signature.
 */
#include "compat.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "net/sign.h"

#define NOW	1750000000LL

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct aiops_secret secrets[2] = { { "fuzz-secret", 11 }, { "second", 6 } };

/* Is hex (64 digits) one of the v1 values of the header, ignoring case? */
static int
header_has(const char *sig, size_t n, const char *hex)
{
	size_t i;

	for (i = 0; i + 67 <= n; i++)
		if (memcmp(sig + i, "v1=", 3) == 0 && strncasecmp(sig + i + 3, hex, 64) == 0)
			return 1;
	return 0;
}

static void
check_verify(const char *ts, size_t tsn, const char *sig, size_t sign, const char *body, size_t n)
{
	enum aiops_sign_status st;
	struct aiops_buf msg = AIOPS_BUF_INIT;
	char hex[2][AIOPS_SHA256_HEXSZ];
	size_t i, lo, hi;

	st = aiops_sign_v1_verify(secrets, 2, ts, tsn, sig, sign, body, n, NOW, 0);
	if (st != AIOPS_SIGN_OK)
		return;
	/* OK: the trimmed timestamp, "." and the body, signed by a secret, is in the header. */
	for (lo = 0; lo < tsn && (ts[lo] == ' ' || ts[lo] == '\t'); lo++)
		;
	for (hi = tsn; hi > lo && (ts[hi - 1] == ' ' || ts[hi - 1] == '\t'); hi--)
		;
	aiops_buf_add(&msg, ts + lo, hi - lo);
	aiops_buf_addc(&msg, '.');
	aiops_buf_add(&msg, body, n);
	for (i = 0; i < 2; i++)
		if (aiops_hmac_sha256_hex(secrets[i].key, secrets[i].len, msg.data, msg.len, hex[i]) != 0)
			abort();
	if (!header_has(sig, sign, hex[0]) && !header_has(sig, sign, hex[1]))
		abort();
	aiops_buf_release(&msg);
}

static void
check_roundtrip(const char *body, size_t n)
{
	struct aiops_buf ts = AIOPS_BUF_INIT, sig = AIOPS_BUF_INIT;
	char *copy;

	if (aiops_sign_v1(secrets, 2, NOW - 17, body, n, &ts, &sig) != 0)
		abort();
	if (aiops_sign_v1_verify(&secrets[1], 1, ts.data, ts.len, sig.data, sig.len, body, n, NOW, 0) !=
	    AIOPS_SIGN_OK)
		abort();
	if (n > 0 && (copy = malloc(n)) != NULL) {
		memcpy(copy, body, n);
		copy[n / 2] ^= 1;
		if (aiops_sign_v1_verify(secrets, 2, ts.data, ts.len, sig.data, sig.len, copy, n, NOW, 0) !=
		    AIOPS_SIGN_MISMATCH)
			abort();
		free(copy);
	}
	aiops_buf_release(&ts);
	aiops_buf_release(&sig);
}

static void
check_sentry(const char *sig, size_t sign, const char *body, size_t n)
{
	char hex[AIOPS_SHA256_HEXSZ];

	if (aiops_hmac_sha256_hex(secrets[0].key, secrets[0].len, body, n, hex) != 0)
		abort();
	if (aiops_sign_sentry_verify(secrets, 1, hex, 64, body, n) != AIOPS_SIGN_OK)
		abort();
	/* OK only for the right MAC, in any case, with spaces around. */
	if (aiops_sign_sentry_verify(secrets, 1, sig, sign, body, n) == AIOPS_SIGN_OK) {
		while (sign > 0 && (*sig == ' ' || *sig == '\t'))
			sig++, sign--;
		if (sign < 64 || strncasecmp(sig, hex, 64) != 0)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *z1, *z2;
	const char *ts = p, *sig = "", *body = "";
	size_t tsn = size, sign = 0, n = 0;

	if ((z1 = memchr(p, '\0', size)) != NULL) {
		tsn = (size_t)(z1 - p);
		sig = z1 + 1;
		sign = (size_t)(end - sig);
		if ((z2 = memchr(sig, '\0', sign)) != NULL) {
			sign = (size_t)(z2 - sig);
			body = z2 + 1;
			n = (size_t)(end - body);
		}
	}
	check_verify(ts, tsn, sig, sign, body, n);
	check_roundtrip(p, size);
	check_sentry(sig, sign, body, n);
	return 0;
}
