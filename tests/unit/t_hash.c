/*
 * The two hashes: aiops_hash64() against the published FNV-1a 64 test
 * vectors (Fowler, Noll, Vo: the test suite of isthe.com/chongo/tech/comp/fnv),
 * chaining, the word-wise variant; aiops_hash_fast() on every tail length.
 */
#include "compat.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/hash.h"
#include "tap.h"

static const struct {
	const char	*in;
	size_t		 len;
	uint64_t	 want;
} vectors[] = {
	{ "", 0, 0xcbf29ce484222325ULL },
	{ "a", 1, 0xaf63dc4c8601ec8cULL },
	{ "b", 1, 0xaf63df4c8601f1a5ULL },
	{ "c", 1, 0xaf63de4c8601eff2ULL },
	{ "f", 1, 0xaf63db4c8601ead9ULL },
	{ "fo", 2, 0x08985907b541d342ULL },
	{ "foo", 3, 0xdcb27518fed9d577ULL },
	{ "foob", 4, 0xdd120e790c2512afULL },
	{ "fooba", 5, 0xcac165afa2fef40aULL },
	{ "foobar", 6, 0x85944171f73967e8ULL },
	{ "\0", 1, 0xaf63bd4c8601b7dfULL },
};

/* aiops(7)'s "eight bytes at a time, little-endian", then byte by byte. */
static uint64_t
words_ref(const unsigned char *p, size_t n, uint64_t h)
{
	size_t i = 0, j;
	uint64_t w;

	for (; i + 8 <= n; i += 8) {
		for (w = 0, j = 0; j < 8; j++)
			w |= (uint64_t)p[i + j] << (8 * j);
		h = (h ^ w) * 0x100000001b3ULL;
	}
	for (; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

int
main(void)
{
	static const char text[] = "the quick brown fox jumps over the lazy dog\0\xff";
	unsigned char buf[64];
	uint64_t seen[sizeof(text)];
	size_t i, j, n, bad = 0, same = 0;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++)
		ok(aiops_hash64(vectors[i].in, vectors[i].len, AIOPS_HASH_INIT) == vectors[i].want,
		    "FNV-1a 64 of \"%s\" (%zu bytes) is %016llx", vectors[i].in, vectors[i].len,
		    (unsigned long long)vectors[i].want);
	ok(aiops_hash64("bar", 3, aiops_hash64("foo", 3, AIOPS_HASH_INIT)) ==
	    0x85944171f73967e8ULL, "chained calls hash the concatenation");
	for (n = 0; n < sizeof(text); n++)
		if (aiops_hash64_words(text, n, AIOPS_HASH_INIT) !=
		    words_ref((const unsigned char *)text, n, AIOPS_HASH_INIT))
			bad++;
	is_int(bad, 0, "the word-wise hash is aiops(7)'s, at every length to %zu", sizeof(text) - 1);
	ok(aiops_hash64_words("foobar", 6, AIOPS_HASH_INIT) == 0x85944171f73967e8ULL,
	    "under eight bytes it is FNV-1a");
	/* A fast hash of every prefix: all different, the same when asked again. */
	for (n = 0; n < sizeof(text); n++) {
		seen[n] = aiops_hash_fast(text, n);
		if (seen[n] != aiops_hash_fast(text, n))
			bad++;
		for (j = 0; j < n; j++)
			if (seen[j] == seen[n])
				same++;
	}
	ok(bad == 0 && same == 0, "fast: each prefix has its own hash, every time");
	/* The bytes past n are not read into the hash. */
	memset(buf, 0, sizeof(buf));
	memcpy(buf, "abcdefghijk", 11);
	for (n = bad = 0; n <= 11; n++) {
		uint64_t h = aiops_hash_fast(buf, n);

		buf[n] = 'x';
		if (aiops_hash_fast(buf, n) != h)
			bad++;
		buf[n] = n < 11 ? "abcdefghijk"[n] : 0;
	}
	is_int(bad, 0, "fast: the bytes past the length do not count");
	ok(aiops_hash_fast("a\0", 2) != aiops_hash_fast("a", 1) &&
	    aiops_hash_fast("\0\0\0\0\0\0\0\0", 8) != aiops_hash_fast("", 0),
	    "fast: NUL bytes and the length count");
	ok(aiops_mix64(0) == 0 && aiops_mix64(1) != 1 && aiops_mix64(1) != aiops_mix64(2),
	    "mix64: 0 stays 0, neighbouring keys part");
	return tap_done();
}
