/*
 * t_mdetect_sum - TAP: the scores of lib/detect/mdetect on fixed generated
 * series, as a checksum.  The model's memory layout may change (model
 * version 4 keeps its sorted window as indices into the arrival ring),
 * its scores may not: the checksum was recorded before such a change and
 * must hold after it.  A change of the method changes the checksum on
 * purpose: record the new one, and say why in the commit.
 */
#include "compat.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/mdetect.h"
#include "tap.h"
#include "trng.h"

#define NS	1000000000LL
#define MIN	(60LL * NS)
#define T0	(1700006400LL * NS)	/* 2023-11-15 00:00 UTC */

/* FNV-1a over the bytes of v. */
static uint64_t
fnv(uint64_t h, const void *v, size_t n)
{
	const unsigned char *p = v;

	while (n--) {
		h ^= *p++;
		h *= 1099511628211ULL;
	}
	return h;
}

/*
 * Value of series kind k at point i: a daily wave with noise, spikes and a
 * step; low counts; a flat gauge that moves; values with ties (integers
 * around 1000, which exercise the duplicate handling of the sorted window).
 */
static double
value(int k, int i)
{
	double t = i * 5.0 / 1440;	/* days */

	switch (k) {
	case 0:
		return 50 + 10 * sin(2 * M_PI * t) + 2 * gauss() +
		    (i % 997 == 500 ? 40 : 0) + (i > 4000 ? 15 : 0);
	case 1:
		return floor(3 * urand() * urand() * 4);
	case 2:
		return i % 1500 == 1499 ? 7 : 5;
	default:
		return 1000 + floor(4 * gauss()) + (i % 288 < 3 ? 200 : 0);
	}
}

int
main(void)
{
	uint64_t h = 1469598103934665603ULL;
	struct aiops_mdetect_result r;
	int k, i;

	for (k = 0; k < 4; k++) {
		struct aiops_mdetect *m = aiops_mdetect_new(NULL);

		rng = 77 + k;
		for (i = 0; i < 12000; i++) {
			int64_t ts = T0 + (int64_t)i * 5 * MIN;

			if (i == 6000) {	/* through a save and a load */
				unsigned char *b;
				size_t n = aiops_mdetect_save(m, &b);

				aiops_mdetect_free(m);
				if (aiops_mdetect_load(&m, b, n) != 0)
					return 1;
				free(b);
			}
			if (i % 2500 == 100)	/* a gap of a day */
				ts += 1440 * MIN;
			if (i % 3001 == 7)	/* a replayed point */
				ts -= 5 * MIN;
			if (i >= 2500)
				ts += 1440 * MIN;
			aiops_mdetect_update(m, ts, value(k, i), &r);
			h = fnv(h, &r.score, sizeof(r.score));
			h = fnv(h, &r.baseline, sizeof(r.baseline));
			h = fnv(h, &r.spread, sizeof(r.spread));
		}
		aiops_mdetect_free(m);
	}
	ok(h == 0x028d915a085272a8ULL,
	    "scores, baselines and spreads: checksum %016llx",
	    (unsigned long long)h);
	ok(aiops_mdetect_size() <= 1616, "model size %zu <= 1616 bytes",
	    aiops_mdetect_size());
	return tap_done();
}
