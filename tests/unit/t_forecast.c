/*
 * t_forecast: the forecasting library on series whose answer is known:
 * same bytes twice, constant, nothing to forecast, a level shift, a disk
 * cleaned nightly that still fills, the grid, counters, crossings.
 */
#include "compat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forecast/forecast.h"
#include "tap.h"
#include "trng.h"

#define NS_MIN	(60LL * 1000000000)
#define NS_HOUR	(60 * NS_MIN)
/* Sample paths of 30 days of hourly history: all of forecast.c's
 * PATH_ORIGINS origins a day apart fit. */
#define PATHS	24

static int
run(const double *y, size_t n, int64_t step, size_t h, struct aiops_fc *f)
{
	struct aiops_fc_opts o = { h, 0.95, step, 0, "auto", 1 };

	return aiops_fc_forecast(y, n, &o, f);
}

/* Hourly, a daily cycle and noise: the same input, the same bytes. */
static void
t_deterministic(void)
{
	double y[24 * 30];
	struct aiops_fc a, b;
	size_t i;

	for (i = 0; i < 24 * 30; i++)
		y[i] = 100 + 30 * sin(2 * M_PI * (double)i / 24) + 3 * gauss();
	run(y, 24 * 30, NS_HOUR, 48, &a);
	run(y, 24 * 30, NS_HOUR, 48, &b);
	ok(memcmp(a.mean, b.mean, 48 * sizeof(double)) == 0 &&
	    memcmp(a.lo, b.lo, 48 * sizeof(double)) == 0 &&
	    memcmp(a.hi, b.hi, 48 * sizeof(double)) == 0, "same input, same bytes");
	ok(a.season == 24, "a daily season found from the step (%zu)", a.season);
	/* the cycle carried forward: the forecast at the peak hour is high */
	ok(a.mean[(6 - 24 * 30 % 24 + 24) % 24] > 120, "the daily peak is forecast");
	for (i = 0; i < 48; i++)
		if (!(a.lo[i] <= a.mean[i] && a.mean[i] <= a.hi[i]))
			break;
	ok(i == 48, "lo <= value <= hi at every step");
	ok(a.npaths == PATHS, "%d sample paths, a day apart (%zu)", PATHS, a.npaths);
	aiops_fc_release(&b);
	/* Without the paths (no threshold to read), the same forecast. */
	{
		struct aiops_fc_opts o = { 48, 0.95, NS_HOUR, 0, "auto", 0 };

		aiops_fc_forecast(y, 24 * 30, &o, &b);
	}
	ok(b.npaths == 0 && b.paths == NULL && memcmp(a.mean, b.mean, 48 * sizeof(double)) == 0 &&
	    memcmp(a.lo, b.lo, 48 * sizeof(double)) == 0, "no paths asked: none, the same forecast");
	aiops_fc_release(&a);
	aiops_fc_release(&b);
}

static void
t_constant_and_empty(void)
{
	double y[100], nan3[3] = { NAN, NAN, NAN };
	struct aiops_fc f;
	size_t i;

	for (i = 0; i < 100; i++)
		y[i] = 42;
	ok(run(y, 100, NS_MIN, 10, &f) == 0, "a constant series is forecast");
	ok(f.mean[9] == 42 && f.lo[9] == 42 && f.hi[9] == 42, "as itself, with no spread");
	aiops_fc_release(&f);
	ok(run(nan3, 3, NS_MIN, 10, &f) == -1 && strstr(f.note, "no finite") != NULL,
	    "nothing finite: no forecast, and the note says why");
	aiops_fc_release(&f);
	ok(run(y, 2, NS_MIN, 5, &f) == 0 && strstr(f.note, "too few") != NULL &&
	    strcmp(f.model, "naive") == 0, "two points: the last value, said so (%s)", f.note);
	aiops_fc_release(&f);
}

/* A daily cycle around 50, then around 150 for the last three days. */
static void
t_level_shift(void)
{
	double y[24 * 21];
	struct aiops_fc f;
	size_t i;

	for (i = 0; i < 24 * 21; i++)
		y[i] = (i < 24 * 18 ? 50 : 150) + 10 * sin(2 * M_PI * (double)i / 24) + gauss();
	run(y, 24 * 21, NS_HOUR, 24, &f);
	for (i = 0; i < 24; i++)
		if (fabs(f.mean[i] - 150) > 25)
			break;
	ok(i == 24, "after a level shift the forecast is at the new level (%g)", f.mean[0]);
	ok(f.start >= 24 * 18 - 24, "the fit starts at the shift (%zu)", f.start);
	aiops_fc_release(&f);
}

/*
 * A disk every 5 minutes, rotated at 03:00: +1.2 % an hour, and each
 * rotation leaves 3 % more than the last. 90 % is first reached near a
 * daily peak, about five days after the history ends.
 */
static double
disk(size_t i)
{
	size_t since = (i + 288 - 36) % 288;	/* 5-minute steps since 03:00 */
	double d = (double)((i + 288 - 36) / 288);

	return 10 + 3 * d + 1.2 * (double)since / 12 + 0.2 * gauss();
}

static void
t_sawtooth_disk(void)
{
	size_t n = 288 * 14, i, truth = 0;
	double *y = calloc(n, sizeof(double)), eta, lo, hi;
	struct aiops_fc f;
	int rc;

	for (i = 0; i < n; i++)
		y[i] = disk(i);
	for (i = n; truth == 0 && i < n + 288 * 7; i++)
		if (disk(i) >= 90)
			truth = i - (n - 1);
	run(y, n, 5 * NS_MIN, 288 * 7, &f);
	rc = aiops_fc_crossing(&f, y[n - 1], 90, 1, &eta, &lo, &hi);
	ok(truth > 0 && rc == 1, "the disk is seen to reach 90%% (model %s, truth in %.1f h)",
	    f.model, (double)truth / 12);
	/* Near a daily peak a day early is one peak early: the ETA leans early. */
	ok(fabs(eta - (double)truth) <= 30 * 12, "within a peak (%.1f h for %.1f h)",
	    eta / 12, (double)truth / 12);
	ok(lo <= eta && (hi < 0 || eta <= hi), "eta_lo <= eta <= eta_hi");
	ok(lo <= (double)truth && (hi < 0 || (double)truth <= hi),
	    "the true crossing within [eta_lo, eta_hi] (%.1f - %.1f h)", lo / 12, hi / 12);
	aiops_fc_release(&f);
	free(y);
}

static void
t_grid_and_counter(void)
{
	int64_t ts[] = { 3 * NS_MIN, 1 * NS_MIN, 0, 1 * NS_MIN, 6 * NS_MIN };
	double v[] = { 3, 1, 0, 1.5, 6 }, *y, c[] = { 10, 70, 130, 10, 70 };
	int64_t t0, step;
	size_t n;

	n = aiops_fc_grid(ts, v, 5, NS_MIN, 0, &y, &t0, &step);
	ok(n == 7 && step == NS_MIN && t0 == 0, "grid: 7 steps of a minute (%zu)", n);
	ok(y[0] == 0 && y[1] == 1.5 && isnan(y[2]) && y[3] == 3 && isnan(y[4]) && y[6] == 6,
	    "sorted, the last of a time wins, gaps are NaN");
	free(y);
	aiops_fc_counter_rate(c, 5, NS_MIN);
	ok(isnan(c[0]) && c[1] == 1 && c[2] == 1 && fabs(c[3] - 10.0 / 60) < 1e-12 && c[4] == 1,
	    "counter: per-second rate, a reset counts from zero");
}

static void
t_crossing(void)
{
	double mean[] = { 10, 20, 30 }, lo[] = { 5, 10, 15 }, hi[] = { 15, 30, 45 };
	struct aiops_fc f;
	double eta, elo, ehi;

	memset(&f, 0, sizeof(f));
	f.h = 3;
	f.mean = mean;
	f.lo = lo;
	f.hi = hi;
	is_int(aiops_fc_crossing(&f, 0, 25, 1, &eta, &elo, &ehi), 1, "mean path reaches 25");
	ok(eta == 2.5 && fabs(elo - (1 + 10.0 / 15)) < 1e-12 && ehi == -1,
	    "2.5 steps after the last point, the high edge at 1.67, the low edge never (%g %g %g)",
	    eta, elo, ehi);
	is_int(aiops_fc_crossing(&f, 0, 40, 1, &eta, &elo, &ehi), 2, "only the near edge reaches 40");
	is_int(aiops_fc_crossing(&f, 50, 40, 1, &eta, &elo, &ehi), 3, "already past: crossed");
	ok(eta == 0 && elo == 0 && ehi == 0, "with all times 0");
	is_int(aiops_fc_crossing(&f, 12, 6, -1, &eta, &elo, &ehi), 2,
	    "falling to 6: the low edge only");
}

int
main(void)
{
	t_deterministic();
	t_constant_and_empty();
	t_level_shift();
	t_sawtooth_disk();
	t_grid_and_counter();
	t_crossing();
	return tap_done();
}
