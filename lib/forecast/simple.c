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
 * Ordinary least squares line through y[0..n-1] (x the step index), as
 * Prometheus' predict_linear over the same range: the line's values for
 * the h steps after the last point.
 */
void
fc_ols(const double *y, size_t n, size_t h, double *out)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, slope = 0, icpt, den, dn = (double)n;
	size_t i;

	for (i = 0; i < n; i++) {
		double x = (double)i;

		sx += x;
		sy += y[i];
		sxx += x * x;
		sxy += x * y[i];
	}
	den = sxx - sx * sx / dn;
	if (den > 0)
		slope = (sxy - sx * sy / dn) / den;
	icpt = sy / dn - slope * sx / dn;
	for (i = 0; i < h; i++)
		out[i] = icpt + slope * (double)(n + i);
}
