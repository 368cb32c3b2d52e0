/*
 * t_mdetect - TAP unit tests for lib/mdetect.
 *
 * cc -std=c11 -Wall -Wextra -Ilib -Itests/unit tests/unit/t_mdetect.c \
 *     lib/mdetect*.c -lm
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

#define NPTS	6000
#define PI	3.14159265358979323846
#define STEP	(300LL * 1000000000LL)	/* 5 minutes */
#define T0	(1700000000LL * 1000000000LL)

static double
noise(void)
{
	return urand() + urand() + urand() + urand() - 2.0;
}

/* A daily sine plus noise, with a spike at 4000 and a level shift at 5000. */
static void
make_series(double *v)
{
	int i;

	for (i = 0; i < NPTS; i++) {
		v[i] = 50 + 20 * sin(2 * PI * i / 288.0) + 2 * noise();
		if (i == 4000)
			v[i] += 60;
		if (i >= 5000)
			v[i] += 15;
	}
}

static int
blobs_equal(const struct aiops_mdetect *a, const struct aiops_mdetect *b)
{
	unsigned char *x, *y;
	size_t nx = aiops_mdetect_save(a, &x), ny = aiops_mdetect_save(b, &y);
	int eq = nx == ny && nx > 0 && memcmp(x, y, nx) == 0;

	free(x);
	free(y);
	return eq;
}

static void
test_params(void)
{
	struct aiops_mdetect_params p;

	aiops_mdetect_params_default(&p);
	ok(p.sensitivity == 0.5 && aiops_mdetect_threshold(&p) == 0.5,
	    "default sensitivity 0.5 gives threshold 0.5");
	p.sensitivity = 1;
	ok(aiops_mdetect_threshold(&p) < 0.5,
	    "higher sensitivity lowers the threshold");
	ok(aiops_mdetect_size() <= 2048,
	    "model is at most 2048 bytes (a million series in 2 GB)");
}

static void
test_range_and_detection(const double *v)
{
	struct aiops_mdetect *m = aiops_mdetect_new(NULL);
	struct aiops_mdetect_result r;
	int i, inrange = 1, spike_alert = 0, shift_alert = 0, early = 0;
	int reason_ok = 1;

	for (i = 0; i < NPTS; i++) {
		double s = aiops_mdetect_update(m, T0 + i * STEP, v[i], &r);
		if (!(s >= 0 && s <= 1) || s != r.score)
			inrange = 0;
		if (i < 30 && s != 0)
			early = 1;
		if (r.alert && r.reason[0] == '\0')
			reason_ok = 0;
		if (i == 4000 && r.alert)
			spike_alert = 1;
		if (i >= 5000 && i < 5020 && r.alert)
			shift_alert = 1;
	}
	ok(inrange, "every score is in [0,1] and equals result.score");
	ok(!early, "no score during warm-up");
	ok(spike_alert, "a 30-sigma spike alerts");
	ok(shift_alert, "a level shift alerts within 20 points");
	ok(reason_ok, "every alert has a reason");
	aiops_mdetect_free(m);
}

/* Save/load after every k points must reproduce the one-run scores exactly. */
static int
split_equals_one_run(const double *v, int k)
{
	struct aiops_mdetect *one = aiops_mdetect_new(NULL);
	struct aiops_mdetect *part = aiops_mdetect_new(NULL);
	int i, same = 1;

	for (i = 0; i < NPTS; i++) {
		double a = aiops_mdetect_update(one, T0 + i * STEP, v[i], NULL);
		double b;
		if (i % k == 0) {
			unsigned char *blob;
			size_t n = aiops_mdetect_save(part, &blob);
			aiops_mdetect_free(part);
			if (n == 0 || aiops_mdetect_load(&part, blob, n) != 0) {
				free(blob);
				return 0;
			}
			free(blob);
		}
		b = aiops_mdetect_update(part, T0 + i * STEP, v[i], NULL);
		if (memcmp(&a, &b, sizeof(a)) != 0)
			same = 0;
	}
	same = same && blobs_equal(one, part);
	aiops_mdetect_free(one);
	aiops_mdetect_free(part);
	return same;
}

/* On a daily sine the time-of-day baseline is in charge and catches it. */
static void
test_seasonal(const double *v)
{
	struct aiops_mdetect_params p;
	struct aiops_mdetect *m;
	struct aiops_mdetect_result r;
	int i, spike = 0;

	aiops_mdetect_params_default(&p);
	m = aiops_mdetect_new(&p);
	for (i = 0; i < NPTS; i++) {
		aiops_mdetect_update(m, T0 + i * STEP, v[i], &r);
		/* a daily sine: the time-of-day baseline is in charge */
		if (i == 4000 && r.alert && strcmp(r.detector, "seasonal") == 0 &&
		    strstr(r.reason, "time-of-day baseline") != NULL)
			spike = 1;
	}
	ok(spike, "the spike is flagged against the "
	    "time-of-day baseline");
	aiops_mdetect_free(m);
}

/* Sensitivity moves the threshold only: identical scores, more alerts. */
static void
test_sensitivity(const double *v)
{
	struct aiops_mdetect_params lo, hi;
	struct aiops_mdetect *a, *b;
	struct aiops_mdetect_result ra, rb;
	int i, same = 1, na = 0, nb = 0;

	aiops_mdetect_params_default(&lo);
	hi = lo;
	lo.sensitivity = 0.2;
	hi.sensitivity = 0.9;
	a = aiops_mdetect_new(&lo);
	b = aiops_mdetect_new(NULL);
	aiops_mdetect_set_params(b, &hi);
	for (i = 0; i < NPTS; i++) {
		aiops_mdetect_update(a, T0 + i * STEP, v[i], &ra);
		aiops_mdetect_update(b, T0 + i * STEP, v[i], &rb);
		if (ra.score != rb.score)
			same = 0;
		na += ra.alert;
		nb += rb.alert;
	}
	ok(same && nb >= na && nb > 0,
	    "sensitivity changes alerts, never scores");
	aiops_mdetect_free(a);
	aiops_mdetect_free(b);
}

static void
test_bad_values(const double *v)
{
	struct aiops_mdetect *m = aiops_mdetect_new(NULL);
	struct aiops_mdetect *ref = aiops_mdetect_new(NULL);
	struct aiops_mdetect_result r;
	int i;
	double s;

	for (i = 0; i < 1000; i++) {
		aiops_mdetect_update(m, T0 + i * STEP, v[i], NULL);
		aiops_mdetect_update(ref, T0 + i * STEP, v[i], NULL);
	}
	s = aiops_mdetect_update(m, T0 + i * STEP, NAN, &r);
	ok(s == 0 && strcmp(r.detector, "invalid") == 0 && blobs_equal(m, ref),
	    "NaN scores 0, is marked invalid, and is not learned");
	aiops_mdetect_update(m, T0 + i * STEP, INFINITY, NULL);
	aiops_mdetect_update(m, T0 + i * STEP, -INFINITY, NULL);
	ok(blobs_equal(m, ref), "infinities are not learned");
	s = aiops_mdetect_update(m, T0 + (i - 1) * STEP, v[i - 1], &r);
	ok(s >= 0 && s <= 1 && blobs_equal(m, ref),
	    "a duplicate timestamp is scored but not learned");
	s = aiops_mdetect_update(m, T0 + (i - 500) * STEP, 1e6, &r);
	ok(s >= 0 && s <= 1 && blobs_equal(m, ref),
	    "an out-of-order point is scored but not learned");
	/* a day-long gap, then data again: still sane */
	for (; i < 1300; i++) {
		s = aiops_mdetect_update(m, T0 + (i + 288) * STEP, v[i], &r);
		if (!(s >= 0 && s <= 1))
			break;
	}
	ok(i == 1300, "scores stay in range across a gap");
	s = aiops_mdetect_update(m, T0 + (i + 288) * STEP, 1e300, &r);
	ok(s >= 0.5 && s <= 1 && isfinite(r.deviation),
	    "a huge value alerts, with a finite deviation");
	for (i = 401; i < 700; i++) {
		s = aiops_mdetect_update(m, T0 + (i + 1300) * STEP,
		    i % 2 ? -1e300 : v[i], &r);
		if (!(s >= 0 && s <= 1 && isfinite(r.deviation)))
			break;
	}
	ok(i == 700, "huge values of both signs keep everything finite");
	s = aiops_mdetect_update(m, T0 + (i + 1300) * STEP, 1e301, &r);
	ok(s == 0 && strcmp(r.detector, "invalid") == 0,
	    "values beyond 1e300 are refused like inf");
	aiops_mdetect_free(m);
	aiops_mdetect_free(ref);
}

static void
test_flat_and_blobs(void)
{
	struct aiops_mdetect *m = aiops_mdetect_new(NULL), *l;
	unsigned char *blob;
	size_t n;
	int i, zero = 1;
	double rate;

	for (i = 0; i < 3000; i++)
		if (aiops_mdetect_update(m, T0 + i * STEP, 7.0, NULL) != 0)
			zero = 0;
	ok(zero, "a flat series never scores above 0");
	ok(aiops_mdetect_update(m, T0 + i * STEP, 9.0, NULL) > 0.5,
	    "a change in a flat series scores high");
	aiops_mdetect_free(m);

	/* a status-like gauge: constant, a one-step blip now and then */
	m = aiops_mdetect_new(NULL);
	zero = 1;
	for (i = 0; i < 6000; i++) {
		double v = i % 500 == 250 ? 8.0 : 7.0;
		double s = aiops_mdetect_update(m, T0 + i * STEP, v, NULL);
		if (i > 2000 && s >= 0.5)
			zero = 0;
	}
	ok(zero, "routine blips of a step gauge stop alerting");
	ok(aiops_mdetect_update(m, T0 + i * STEP, 40.0, NULL) >= 0.5,
	    "a step gauge jumping far beyond its blips alerts");

	n = aiops_mdetect_save(m, &blob);
	ok(n == aiops_mdetect_size(), "the blob is the whole model");
	ok(aiops_mdetect_load(&l, blob, n - 1) == -1 && l == NULL,
	    "a truncated blob is rejected");
	blob[0] ^= 0xff;
	ok(aiops_mdetect_load(&l, blob, n) == -1 && l == NULL,
	    "a blob with a bad magic is rejected");
	ok(aiops_mdetect_load(&l, NULL, 0) == -1, "a NULL blob is rejected");
	free(blob);
	aiops_mdetect_free(m);

	ok(aiops_mdetect_counter_rate(0, 100, 10 * 1000000000LL, 150,
	    &rate) == 0 && rate == 5, "counter rate is the per-second increase");
	ok(aiops_mdetect_counter_rate(0, 100, 10 * 1000000000LL, 3,
	    &rate) == -1, "a counter reset gives no rate");
	ok(aiops_mdetect_counter_rate(5, 1, 5, 2, &rate) == -1,
	    "a non-increasing timestamp gives no rate");
}

int
main(void)
{
	static double v[NPTS];

	make_series(v);
	test_params();
	test_range_and_detection(v);
	ok(split_equals_one_run(v, 1), "save/load after every point == one run");
	ok(split_equals_one_run(v, 97), "save/load every 97 points == one run");
	ok(split_equals_one_run(v, 1000), "save/load every 1000 points == one run");
	test_seasonal(v);
	test_sensitivity(v);
	test_bad_values(v);
	test_flat_and_blobs();
	return tap_done();
}
