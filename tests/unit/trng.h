/*
 * trng.h - deterministic noise for the unit tests of the detectors: a
 * xorshift64* generator (Vigna, "An experimental exploration of
 * Marsaglia's xorshift generators, scrambled", 2016) over the test's
 * own state `rng`, which each test seeds to get its own series.
 */
#ifndef TRNG_H
#define TRNG_H

#include <stdint.h>

static uint64_t rng = 88172645463325252ULL;

/* Uniform in [0, 1). */
static inline double
urand(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (double)((rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

/* About N(0, 1): a sum of 12 uniforms. */
static inline double
gauss(void)
{
	double s = 0;
	int i;

	for (i = 0; i < 12; i++)
		s += urand();
	return s - 6;
}

#endif
