/*
 * t_sign.c: HMAC-SHA256 on RFC 4231's test cases, cross-checked against
 * `openssl dgst` and Python's hmac on pseudo-random keys and bodies; the
 * aiops v1 webhook signature (window, rotation, malformed headers) and
 * Sentry-Hook-Signature.
 */
#include "compat.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "net/sign.h"
#include "tap.h"

static void
test_rfc4231(void)
{
	static const struct {
		const char *key;
		size_t keylen;
		const char *data;
		size_t len;
		const char *mac;	/* case 5 is compared on its first 128 bits */
	} tc[] = {
		{ NULL, 20, "Hi There", 8,
		  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
		{ "Jefe", 4, "what do ya want for nothing?", 28,
		  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
		{ NULL, 20, NULL, 50,
		  "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe" },
		{ NULL, 25, NULL, 50,
		  "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b" },
		{ NULL, 20, "Test With Truncation", 20, "a3b6167473100ee06e0c796c2955552b" },
		{ NULL, 131, "Test Using Larger Than Block-Size Key - Hash Key First", 54,
		  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
		{ NULL, 131, "This is a test using a larger than block-size key and a larger than "
		  "block-size data. The key needs to be hashed before being used by the HMAC algorithm.", 152,
		  "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2" },
	};
	unsigned char key[131], data[50];
	char hex[AIOPS_SHA256_HEXSZ];
	size_t i, j;

	for (i = 0; i < sizeof(tc) / sizeof(tc[0]); i++) {
		const void *k = tc[i].key, *d = tc[i].data;

		if (k == NULL) {
			for (j = 0; j < tc[i].keylen; j++)
				key[j] = i == 0 ? 0x0b : i == 3 ? (unsigned char)(j + 1) : i == 4 ? 0x0c : 0xaa;
			k = key;
		}
		if (d == NULL) {
			memset(data, i == 2 ? 0xdd : 0xcd, sizeof(data));
			d = data;
		}
		ok(aiops_hmac_sha256_hex(k, tc[i].keylen, d, tc[i].len, hex) == 0 &&
		    strncmp(hex, tc[i].mac, strlen(tc[i].mac)) == 0, "RFC 4231 test case %zu", i + 1);
	}
	ok(aiops_hmac_sha256_hex("It's a Secret to Everybody", 26, "Hello, World!", 13, hex) == 0 &&
	    strcmp(hex, "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17") == 0,
	    "GitHub's documented webhook example");
	ok(aiops_hmac_sha256_hex("", 0, "x", 1, hex) == -1, "an empty key is refused");
}

static uint64_t rng = 88172645463325252ULL;

static unsigned
next_byte(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng >> 56);
}

static void
to_hexstr(const unsigned char *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

/* Runs cmd and returns its first 64 characters of output (a hex MAC), or "". */
static void
run_hex(const char *cmd, char out[AIOPS_SHA256_HEXSZ])
{
	FILE *f = popen(cmd, "r");
	char line[512];

	out[0] = '\0';
	if (f == NULL)
		return;
	if (fgets(line, sizeof(line), f) != NULL) {
		/* openssl prints "HMAC-SHA2-256(file)= <hex>", Python the hex alone. */
		char *eq = strstr(line, "= ");
		const char *h = eq != NULL ? eq + 2 : line;

		snprintf(out, AIOPS_SHA256_HEXSZ, "%.64s", h);
	}
	pclose(f);
}

static void
test_cross_check(void)
{
	char path[] = "/tmp/t_sign.XXXXXX", cmd[1024], keyhex[2 * 100 + 1], mine[AIOPS_SHA256_HEXSZ],
	    ossl[AIOPS_SHA256_HEXSZ], py[AIOPS_SHA256_HEXSZ], tshex[2 * 24 + 1];
	unsigned char key[100], body[3000];
	struct aiops_buf ts = AIOPS_BUF_INIT, sig = AIOPS_BUF_INIT;
	struct aiops_secret sec;
	size_t keylen, len, i;
	int round, fd, agree = 0, v1agree = 0, rounds = 12;
	FILE *f;

	for (round = 0; round < rounds; round++) {
		keylen = 1 + next_byte() % 99;
		len = (size_t)next_byte() * 11 + next_byte() % 7;
		for (i = 0; i < keylen; i++)
			key[i] = (unsigned char)next_byte();
		for (i = 0; i < len; i++)
			body[i] = (unsigned char)next_byte();
		to_hexstr(key, keylen, keyhex);
		if ((fd = mkstemp(path)) < 0 || (f = fdopen(fd, "w")) == NULL)
			break;
		fwrite(body, 1, len, f);
		fclose(f);
		aiops_hmac_sha256_hex(key, keylen, body, len, mine);
		snprintf(cmd, sizeof(cmd), "openssl dgst -sha256 -mac HMAC -macopt hexkey:%s %s", keyhex, path);
		run_hex(cmd, ossl);
		snprintf(cmd, sizeof(cmd), "/usr/bin/python3 -c 'import hmac,hashlib,sys; "
		    "print(hmac.new(bytes.fromhex(sys.argv[1]), open(sys.argv[2],\"rb\").read(), "
		    "hashlib.sha256).hexdigest())' %s %s", keyhex, path);
		run_hex(cmd, py);
		agree += strcmp(mine, ossl) == 0 && strcmp(mine, py) == 0;

		/* The v1 scheme: HMAC(secret, ts "." body), as Python computes it. */
		sec.key = key;
		sec.len = keylen;
		aiops_buf_reset(&ts);
		aiops_buf_reset(&sig);
		aiops_sign_v1(&sec, 1, 1700000000 + round, body, len, &ts, &sig);
		to_hexstr((const unsigned char *)ts.data, ts.len, tshex);
		snprintf(cmd, sizeof(cmd), "/usr/bin/python3 -c 'import hmac,hashlib,sys; "
		    "print(\"v1=\" + hmac.new(bytes.fromhex(sys.argv[1]), bytes.fromhex(sys.argv[2]) + b\".\" + "
		    "open(sys.argv[3],\"rb\").read(), hashlib.sha256).hexdigest())' %s %s %s", keyhex, tshex, path);
		run_hex(cmd, py);
		v1agree += sig.data != NULL && strncmp(sig.data, py, 64) == 0 && sig.len == 67;
		unlink(path);
		snprintf(path, sizeof(path), "/tmp/t_sign.XXXXXX");
	}
	is_int(agree, rounds, "HMAC-SHA256 agrees with openssl dgst and Python's hmac on random inputs");
	is_int(v1agree, rounds, "the v1 signature agrees with Python's hmac over ts \".\" body");
	aiops_buf_release(&ts);
	aiops_buf_release(&sig);
}

static enum aiops_sign_status
verify(const struct aiops_secret *s, size_t ns, const char *ts, const char *sig, const char *body,
    int64_t now)
{
	return aiops_sign_v1_verify(s, ns, ts, ts != NULL ? strlen(ts) : 0, sig,
	    sig != NULL ? strlen(sig) : 0, body, strlen(body), now, 0);
}

static void
test_v1(void)
{
	struct aiops_secret s[2] = { { "old-secret", 10 }, { "new-secret", 10 } }, empty = { "", 0 };
	struct aiops_buf ts = AIOPS_BUF_INIT, sig = AIOPS_BUF_INIT, hdr = AIOPS_BUF_INIT;
	const char *body = "{\"version\":\"4\",\"status\":\"firing\"}";
	char hex[AIOPS_SHA256_HEXSZ], upper[80];
	int64_t t = 1750000000;
	size_t i;

	ok(aiops_sign_v1(&s[1], 1, t, body, strlen(body), &ts, &sig) == 0, "sign");
	is_str(ts.data, "1750000000", "the timestamp header");
	aiops_hmac_sha256_hex("new-secret", 10, "1750000000.{\"version\":\"4\",\"status\":\"firing\"}",
	    11 + strlen(body), hex);
	ok(sig.len == 67 && strncmp(sig.data, "v1=", 3) == 0 && strcmp(sig.data + 3, hex) == 0,
	    "v1=<hex HMAC(secret, ts.body)>");
	is_int(verify(&s[1], 1, ts.data, sig.data, body, t), AIOPS_SIGN_OK, "verifies");
	is_int(verify(s, 2, ts.data, sig.data, body, t), AIOPS_SIGN_OK, "verifies with old and new secrets");
	is_int(verify(&s[0], 1, ts.data, sig.data, body, t), AIOPS_SIGN_MISMATCH, "wrong secret: mismatch");
	is_int(verify(&s[1], 1, ts.data, sig.data, "{\"version\":\"4\",\"status\":\"resolved\"}", t),
	    AIOPS_SIGN_MISMATCH, "changed body: mismatch");
	is_int(verify(&s[1], 1, "1750000001", sig.data, body, t), AIOPS_SIGN_MISMATCH,
	    "changed timestamp: mismatch");
	is_int(verify(&s[1], 1, ts.data, sig.data, body, t + 300), AIOPS_SIGN_OK, "300 s later: ok");
	is_int(verify(&s[1], 1, ts.data, sig.data, body, t - 300), AIOPS_SIGN_OK, "300 s earlier: ok");
	is_int(verify(&s[1], 1, ts.data, sig.data, body, t + 301), AIOPS_SIGN_STALE, "301 s later: stale");
	is_int(verify(&s[1], 1, ts.data, sig.data, body, t - 301), AIOPS_SIGN_STALE,
	    "301 s in the future: stale");
	is_int(aiops_sign_v1_verify(&s[1], 1, ts.data, ts.len, sig.data, sig.len, body, strlen(body),
	    t + 1000, 3600), AIOPS_SIGN_OK, "a wider window when asked");
	is_int(verify(&empty, 1, ts.data, sig.data, body, t), AIOPS_SIGN_MISMATCH, "an empty secret never matches");
	is_int(verify(NULL, 0, ts.data, sig.data, body, t), AIOPS_SIGN_MISMATCH, "no secret: mismatch");

	/* Rotation: the sender signs with both. */
	aiops_buf_reset(&ts);
	aiops_buf_reset(&sig);
	ok(aiops_sign_v1(s, 2, t, body, strlen(body), &ts, &sig) == 0, "sign with two secrets");
	ok(sig.len == 2 * 67 + 1 && sig.data[67] == ',', "two v1= values, comma-separated");
	is_int(verify(&s[0], 1, ts.data, sig.data, body, t), AIOPS_SIGN_OK, "the receiver with the old secret");
	is_int(verify(&s[1], 1, ts.data, sig.data, body, t), AIOPS_SIGN_OK, "the receiver with the new one");
	aiops_buf_addf(&hdr, "v0=abc, %.*s ,v2=zzz , %s", 67, sig.data, sig.data + 68);
	is_int(verify(&s[1], 1, ts.data, hdr.data, body, t), AIOPS_SIGN_OK,
	    "other schemes skipped, spaces allowed");
	for (i = 0; i < sig.len && i < sizeof(upper) - 1; i++)
		upper[i] = i >= 3 && i < 67 && sig.data[i] >= 'a' && sig.data[i] <= 'f' ? sig.data[i] - 32 : sig.data[i];
	upper[67] = '\0';
	is_int(verify(&s[0], 1, ts.data, upper, body, t), AIOPS_SIGN_OK, "upper-case hex accepted");
	aiops_buf_reset(&hdr);
	for (i = 0; i < AIOPS_SIGN_MAX_SIGS; i++)
		aiops_buf_addf(&hdr, "v1=%064d,", 0);
	aiops_buf_add(&hdr, sig.data, 67);
	is_int(verify(&s[0], 1, ts.data, hdr.data, body, t), AIOPS_SIGN_MISMATCH,
	    "a match after AIOPS_SIGN_MAX_SIGS values is not looked for");

	/* Malformed. */
	is_int(verify(&s[0], 1, NULL, sig.data, body, t), AIOPS_SIGN_MALFORMED, "no timestamp");
	is_int(verify(&s[0], 1, ts.data, NULL, body, t), AIOPS_SIGN_MALFORMED, "no signature");
	is_int(verify(&s[0], 1, "", sig.data, body, t), AIOPS_SIGN_MALFORMED, "empty timestamp");
	is_int(verify(&s[0], 1, "-1750000000", sig.data, body, t), AIOPS_SIGN_MALFORMED, "signed timestamp");
	is_int(verify(&s[0], 1, "1750000000.5", sig.data, body, t), AIOPS_SIGN_MALFORMED, "fractional timestamp");
	is_int(verify(&s[0], 1, "1750000000000000000", sig.data, body, t), AIOPS_SIGN_MALFORMED,
	    "a 19-digit timestamp");
	is_int(verify(&s[0], 1, "999999999999999999", sig.data, body, t), AIOPS_SIGN_STALE,
	    "an 18-digit one is read, and stale");
	is_int(verify(&s[0], 1, ts.data, "", body, t), AIOPS_SIGN_MALFORMED, "empty signature");
	is_int(verify(&s[0], 1, ts.data, "v1=", body, t), AIOPS_SIGN_MALFORMED, "v1= without a value");
	is_int(verify(&s[0], 1, ts.data, "v1=abcd", body, t), AIOPS_SIGN_MALFORMED, "a short value");
	is_int(verify(&s[0], 1, ts.data, "v2=abcd", body, t), AIOPS_SIGN_MALFORMED, "no v1 at all");
	is_int(verify(&s[0], 1, ts.data, "sha256=abcd, nonsense", body, t), AIOPS_SIGN_MALFORMED, "garbage");
	aiops_buf_reset(&hdr);
	aiops_buf_addf(&hdr, "v1=%.63sg", sig.data + 3);
	is_int(verify(&s[0], 1, ts.data, hdr.data, body, t), AIOPS_SIGN_MALFORMED, "a non-hex digit");
	is_int(verify(&s[0], 1, ts.data, sig.data, body, -1), AIOPS_SIGN_STALE, "a clock before 1970: stale");
	is_str(aiops_sign_status_name(AIOPS_SIGN_STALE), "stale", "status names");
	ok(aiops_sign_v1(s, 0, t, body, 1, &ts, &sig) == -1, "signing needs a secret");
	ok(aiops_sign_v1(s, 1, -5, body, 1, &ts, &sig) == -1, "and a timestamp after 1970");
	aiops_buf_release(&ts);
	aiops_buf_release(&sig);
	aiops_buf_release(&hdr);
}

static void
test_sentry(void)
{
	struct aiops_secret s = { "client-secret", 13 }, other = { "other", 5 };
	const char *body = "{\"action\":\"created\",\"data\":{}}";
	char hex[AIOPS_SHA256_HEXSZ], hdr[80];

	aiops_hmac_sha256_hex("client-secret", 13, body, strlen(body), hex);
	is_int(aiops_sign_sentry_verify(&s, 1, hex, 64, body, strlen(body)), AIOPS_SIGN_OK, "Sentry: verifies");
	snprintf(hdr, sizeof(hdr), " %s\t", hex);
	is_int(aiops_sign_sentry_verify(&s, 1, hdr, strlen(hdr), body, strlen(body)), AIOPS_SIGN_OK,
	    "Sentry: spaces around");
	is_int(aiops_sign_sentry_verify(&other, 1, hex, 64, body, strlen(body)), AIOPS_SIGN_MISMATCH,
	    "Sentry: another secret");
	is_int(aiops_sign_sentry_verify(&s, 1, hex, 64, body, strlen(body) - 1), AIOPS_SIGN_MISMATCH,
	    "Sentry: a truncated body");
	snprintf(hdr, sizeof(hdr), "sha256=%s", hex);
	is_int(aiops_sign_sentry_verify(&s, 1, hdr, strlen(hdr), body, strlen(body)), AIOPS_SIGN_MALFORMED,
	    "Sentry: no prefix allowed");
	is_int(aiops_sign_sentry_verify(&s, 1, hex, 63, body, strlen(body)), AIOPS_SIGN_MALFORMED,
	    "Sentry: 63 digits");
	is_int(aiops_sign_sentry_verify(&s, 1, NULL, 0, body, strlen(body)), AIOPS_SIGN_MALFORMED,
	    "Sentry: no header");
}

int
main(void)
{
	test_rfc4231();
	test_cross_check();
	test_v1();
	test_sentry();
	return tap_done();
}
