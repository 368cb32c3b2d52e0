#include "compat.h"

#include <string.h>

#include "core/hash.h"

uint64_t
aiops_hash64(const void *p, size_t n, uint64_t h)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* The byte loop was a tenth of writing a log event: hence words. */
uint64_t
aiops_hash64_words(const void *p, size_t n, uint64_t h)
{
	const unsigned char *s = p;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w = (uint64_t)s[i] | (uint64_t)s[i + 1] << 8 |
		    (uint64_t)s[i + 2] << 16 | (uint64_t)s[i + 3] << 24 |
		    (uint64_t)s[i + 4] << 32 | (uint64_t)s[i + 5] << 40 |
		    (uint64_t)s[i + 6] << 48 | (uint64_t)s[i + 7] << 56;

		h ^= w;
		h *= 0x100000001b3ULL;
	}
	return aiops_hash64(s + i, n - i, h);
}

/*
 * Eight bytes a step with a multiply and a rotate, then the Murmur
 * finaliser: FNV-1a byte by byte took 2.4% of a metric store run.
 */
uint64_t
aiops_hash_fast(const void *p, size_t n)
{
	const char *s = p;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h = (h << 31) | (h >> 33);
	}
	w = 0;
	if (n > 0)
		memcpy(&w, s, n);
	return aiops_mix64(h ^ w);
}
