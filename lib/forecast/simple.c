/*
 * simple.c: the benchmarks every forecaster is measured against: the last
 * value, the value a season ago, and Prometheus' predict_linear.
 */
#include "compat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "forecast/fcint.h"

int
fc_series_init(struct fc_series *s, const double *y, size_t n)
{
	size_t i, first = n, last = n, prev;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < n; i++)
		if (isfinite(y[i])) {
			if (first == n)
				first = i;
			last = i;
		}
	if (first == n)
		return -1;
	s->n = last - first + 1;
	s->start = first;
	s->y = xcalloc(s->n, sizeof(double));
	prev = first;
	for (i = first; i <= last; i++) {
		if (!isfinite(y[i]))
			continue;
		if (i > prev + 1) {
			size_t j;

			for (j = prev + 1; j < i; j++)
				s->y[j - first] = y[prev] + (y[i] - y[prev]) *
				    (double)(j - prev) / (double)(i - prev);
		}
		s->y[i - first] = y[i];
		prev = i;
	}
	return 0;
}

void
fc_series_release(struct fc_series *s)
{
	free(s->y);
	s->y = NULL;
}

/*
 * The value m steps earlier; interval from the m-step differences' spread,
 * widening with the square root of the seasons ahead (Hyndman &
 * Athanasopoulos, FPP3 5.5).
 */
int
fc_naive(const struct fc_series *s, struct aiops_fc *f, double z, size_t m)
{
	double ss = 0, sd;
	size_t i, k = 0;

	if (m == 0 || m > s->n)
		m = 1;
	for (i = m; i < s->n; i++) {
		double e = s->y[i] - s->y[i - m];

		ss += e * e;
		k++;
	}
	sd = k > 0 ? sqrt(ss / (double)k) : 0;
	for (i = 0; i < f->h; i++) {
		double v = s->y[s->n - m + i % m];
		double w = z * sd * sqrt((double)(i / m + 1));

		f->mean[i] = v;
		f->lo[i] = v - w;
		f->hi[i] = v + w;
	}
	snprintf(f->model, sizeof(f->model), "%s", m > 1 ? "snaive" : "naive");
	f->season = m > 1 ? m : 0;
	f->sigma = sd;
	f->n_used = s->n;
	f->start = s->start;
	return 0;
}

/*
 * Ordinary least squares over the history, as predict_linear over the
 * same range; the interval is the regression's prediction interval
 * (residual spread, widened for the distance from the fitted times).
 */
int
fc_linear(const struct fc_series *s, struct aiops_fc *f, double z)
{
	double n = (double)s->n, sx = 0, sy = 0, sxx = 0, sxy = 0, slope = 0;
	double icpt, xbar, ss = 0, sd, den;
	size_t i;

	for (i = 0; i < s->n; i++) {
		double x = (double)i;

		sx += x;
		sy += s->y[i];
		sxx += x * x;
		sxy += x * s->y[i];
	}
	den = sxx - sx * sx / n;
	if (den > 0)
		slope = (sxy - sx * sy / n) / den;
	xbar = sx / n;
	icpt = sy / n - slope * xbar;
	for (i = 0; i < s->n; i++) {
		double e = s->y[i] - (icpt + slope * (double)i);

		ss += e * e;
	}
	sd = s->n > 2 ? sqrt(ss / (n - 2)) : 0;
	for (i = 0; i < f->h; i++) {
		double x = n - 1 + (double)(i + 1);
		double v = icpt + slope * x;
		double w = z * sd * sqrt(1 + 1 / n + (den > 0 ? (x - xbar) * (x - xbar) / den : 0));

		f->mean[i] = v;
		f->lo[i] = v - w;
		f->hi[i] = v + w;
	}
	snprintf(f->model, sizeof(f->model), "linear");
	f->sigma = sd;
	f->n_used = s->n;
	f->start = s->start;
	return 0;
}
