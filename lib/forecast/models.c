/*
 * models.c: the point forecasters chosen among per series: seasonal
 * profiles with a smoothed level, exponential smoothing, Theta.
 * Each writes h point forecasts from y[0..n-1] (no gaps) into out.
 */
#include "compat.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "forecast/fcint.h"

/*
 * Simple exponential smoothing of d[0..n-1]: the final level with the
 * alpha of least one-step squared error on a grid (then refined), the
 * error variance in *mse.
 */
static double
ses_run(const double *d, size_t n, double alpha, double *sse)
{
	double l = d[0], s = 0;
	size_t i;

	for (i = 1; i < n; i++) {
		double e = d[i] - l;

		s += e * e;
		l += alpha * e;
	}
	if (sse != NULL)
		*sse = s;
	return l;
}

double
fc_ses(const double *d, size_t n, double *alpha_out, double *mse)
{
	double best = INFINITY, ba = 0.5, a, lo, hi, sse;
	int i;

	if (n < 2) {
		if (alpha_out != NULL)
			*alpha_out = 1;
		if (mse != NULL)
			*mse = 0;
		return d[n - 1];
	}
	for (i = 0; i < 5; i++) {
		a = 0.1 + i / 5.0;
		ses_run(d, n, a, &sse);
		if (sse < best) {
			best = sse;
			ba = a;
		}
	}
	lo = ba - 0.2 > 0.01 ? ba - 0.2 : 0.01;
	hi = ba + 0.2 < 1 ? ba + 0.2 : 1;
	/* Golden section on [lo, hi]: SSE is near unimodal there. */
	for (i = 0; i < 8; i++) {
		double m1 = hi - (hi - lo) * 0.618, m2 = lo + (hi - lo) * 0.618, s1, s2;

		ses_run(d, n, m1, &s1);
		ses_run(d, n, m2, &s2);
		if (s1 < s2)
			hi = m2;
		else
			lo = m1;
	}
	a = (lo + hi) / 2;
	ses_run(d, n, a, &sse);
	if (alpha_out != NULL)
		*alpha_out = a;
	if (mse != NULL)
		*mse = sse / (double)(n - 1);
	return ses_run(d, n, a, NULL);
}

/*
 * A seasonal profile of period m from the last k whole periods: each
 * point's difference from its period's mean, averaged per phase. s[p] is
 * the phase p steps after a period boundary, periods ending at n.
 */
void
fc_profile(const double *y, size_t n, size_t m, size_t k, int mult, double *s)
{
	size_t j, p;

	if (k * m > n)
		k = n / m;
	for (p = 0; p < m; p++)
		s[p] = mult ? 1 : 0;
	if (k == 0)
		return;
	for (p = 0; p < m; p++)
		s[p] = 0;
	for (j = 0; j < k; j++) {
		const double *w = y + n - (j + 1) * m;
		double mu = 0;

		for (p = 0; p < m; p++)
			mu += w[p];
		mu /= (double)m;
		for (p = 0; p < m; p++)
			s[p] += (mult ? w[p] / mu : w[p] - mu) / (double)k;
	}
}

/*
 * Profile forecast: the last k periods' profile, the level of the series
 * without it by SES, the profile added back.
 */
void
fc_prof(const double *y, size_t n, size_t m, size_t k, size_t lw, int mult, size_t h, double *out)
{
	double *s = xcalloc(m, sizeof(double)), *d, l;
	size_t i, len, off;

	fc_profile(y, n, m, k, mult, s);
	len = n < 4 * m ? n : 4 * m;
	if (len > n)
		len = n;
	off = n - len;
	d = xcalloc(len, sizeof(double));
	for (i = 0; i < len; i++) {
		size_t t = off + i;

		double si = s[(t + m - n % m) % m];

		d[i] = mult ? y[t] / si : y[t] - si;
	}
	if (lw == 0)
		l = fc_ses(d, len, NULL, NULL);
	else {
		if (lw > len)
			lw = len;
		for (l = 0, i = len - lw; i < len; i++)
			l += d[i] / (double)lw;
	}
	for (i = 0; i < h; i++)
		out[i] = mult ? l * s[i % m] : l + s[i % m];
	free(d);
	free(s);
}

/*
 * Theta (Assimakopoulos & Nikolopoulos 2000) as Hyndman & Billah (2003)
 * show it to be: SES with a drift of half the least-squares slope, on the
 * series without its seasonal profile (multiplicative when positive), the
 * profile put back.
 */
void
fc_theta(const double *y, size_t n, size_t m, int mult, size_t h, double *out)
{
	double *s = NULL, *d = xcalloc(n, sizeof(double));
	double sx = 0, sy = 0, sxx = 0, sxy = 0, slope = 0, alpha, l, den;
	size_t i, w;

	if (m > 0 && n >= 2 * m) {
		s = xcalloc(m, sizeof(double));
		fc_profile(y, n, m, n / m, mult, s);
	}
	for (i = 0; i < n; i++) {
		double si = s != NULL ? s[(i + m - n % m) % m] : (mult ? 1 : 0);

		d[i] = mult ? y[i] / si : y[i] - si;
		sx += (double)i;
		sy += d[i];
		sxx += (double)i * (double)i;
		sxy += (double)i * d[i];
	}
	den = sxx - sx * sx / (double)n;
	if (den > 0)
		slope = (sxy - sx * sy / (double)n) / den;
	/* The level needs only the recent past: SES over the last 8 seasons. */
	w = m > 0 ? 8 * m : 200;
	if (w > n)
		w = n;
	l = fc_ses(d + n - w, w, &alpha, NULL);
	for (i = 0; i < h; i++) {
		double v = l + slope / 2 * ((double)i + 1 / alpha);
		double si = s != NULL ? s[i % m] : (mult ? 1 : 0);

		out[i] = mult ? v * si : v + si;
	}
	free(s);
	free(d);
}

/*
 * Profile with a trend: the last k periods' additive profile taken out,
 * a least-squares line through what is left (a disk that fills by day and
 * is cleaned each night grows along it), the profile put back.
 */
void
fc_prof_trend(const double *y, size_t n, size_t m, size_t k, size_t h, double *out)
{
	double *s = xcalloc(m, sizeof(double)), *d;
	size_t i, len, off;

	if (k * m > n)
		k = n / m;
	fc_profile(y, n, m, k, 0, s);
	len = k * m;
	off = n - len;
	d = xcalloc(len, sizeof(double));
	for (i = 0; i < len; i++)
		d[i] = y[off + i] - s[i % m];
	fc_ols(d, len, h, out);
	for (i = 0; i < h; i++)
		out[i] += s[i % m];
	free(d);
	free(s);
}
