/*
 * ets.c: exponential smoothing, additive error, additive damped trend and
 * additive seasonality (ETS(A,Ad,A) of Hyndman, Koehler, Ord & Snyder
 * 2008, "Forecasting with exponential smoothing", eq. 2.14), fitted by
 * least squares of the one-step errors (the likelihood for additive
 * errors with the initial states fixed) with Nelder-Mead. The variance of
 * the h-step error is their Table 6.1, class 1. Multiplicative
 * seasonality is the same model on the logarithm of a positive series
 * (forecast.c).
 */
#include "compat.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "forecast/fcint.h"

struct ets {
	const double	*y;
	size_t		 n;
	size_t		 m;	/* season, 0: none */
	double		 l0, b0;
	double		*s0;	/* m initial seasonal states */
	double		*s;	/* m working states */
};

struct ets_par {
	double	a, b, g, phi;
};

static double
logistic(double x, double lo, double hi)
{
	return lo + (hi - lo) / (1 + exp(-x));
}

/* Each parameter in its admissible range: 0 < b < a < 1, 0 < g < 1 - a. */
static void
ets_params(const double *x, size_t m, struct ets_par *p)
{
	p->a = logistic(x[0], 0.001, 0.999);
	p->b = p->a * logistic(x[1], 0.001, 0.5);
	p->g = m > 0 ? (1 - p->a) * logistic(x[2], 0.001, 0.999) : 0;
	p->phi = logistic(x[3], 0.8, 0.98);
}

/*
 * Runs the filter over the history: the sum of squared one-step errors,
 * the final level and trend in *l and *b, the seasonal states in e->s
 * (the state for y[t] at e->s[t % m]).
 */
static double
ets_run(struct ets *e, const struct ets_par *p, double *lp, double *bp)
{
	size_t m = e->m, i;
	double l = e->l0, b = e->b0, sse = 0;

	if (m > 0)
		memcpy(e->s, e->s0, m * sizeof(double));
	for (i = 0; i < e->n; i++) {
		double si = m > 0 ? e->s[i % m] : 0;
		double err = e->y[i] - (l + p->phi * b + si);

		sse += err * err;
		l = l + p->phi * b + p->a * err;
		b = p->phi * b + p->b * err;
		if (m > 0)
			e->s[i % m] = si + p->g * err;
	}
	if (lp != NULL) {
		*lp = l;
		*bp = b;
	}
	return sse;
}

static double
ets_cost(void *arg, const double *x)
{
	struct ets *e = arg;
	struct ets_par p;

	ets_params(x, e->m, &p);
	return ets_run(e, &p, NULL, NULL);
}

/*
 * Nelder & Mead (1965) simplex minimisation of fn over dim <= 4
 * variables from x (the result written back), with the standard
 * coefficients; stops after maxit steps or when the simplex's values
 * agree to a relative 1e-8.
 */
void
fc_nelder_mead(double (*fn)(void *, const double *), void *arg, double *x,
    int dim, int maxit)
{
	double p[5][4], v[5], c[4], r[4], t[4], vr, vt;
	int i, j, it, lo, hi, nh;

	for (i = 0; i <= dim; i++) {
		for (j = 0; j < dim; j++)
			p[i][j] = x[j] + (i == j + 1 ? 1.0 : 0);
		v[i] = fn(arg, p[i]);
	}
	for (it = 0; it < maxit; it++) {
		lo = hi = 0;
		for (i = 1; i <= dim; i++) {
			if (v[i] < v[lo])
				lo = i;
			if (v[i] > v[hi])
				hi = i;
		}
		nh = lo;
		for (i = 0; i <= dim; i++)
			if (i != hi && v[i] > v[nh])
				nh = i;
		if (fabs(v[hi] - v[lo]) <= 1e-8 * (fabs(v[lo]) + 1e-12))
			break;
		for (j = 0; j < dim; j++) {
			c[j] = 0;
			for (i = 0; i <= dim; i++)
				if (i != hi)
					c[j] += p[i][j] / dim;
			r[j] = c[j] + (c[j] - p[hi][j]);
		}
		vr = fn(arg, r);
		if (vr < v[lo]) {
			for (j = 0; j < dim; j++)
				t[j] = c[j] + 2 * (c[j] - p[hi][j]);
			vt = fn(arg, t);
			if (vt < vr) {
				memcpy(p[hi], t, sizeof(t));
				v[hi] = vt;
			} else {
				memcpy(p[hi], r, sizeof(r));
				v[hi] = vr;
			}
		} else if (vr < v[nh]) {
			memcpy(p[hi], r, sizeof(r));
			v[hi] = vr;
		} else {
			for (j = 0; j < dim; j++)
				t[j] = c[j] + 0.5 * ((vr < v[hi] ? r[j] : p[hi][j]) - c[j]);
			vt = fn(arg, t);
			if (vt < (vr < v[hi] ? vr : v[hi])) {
				memcpy(p[hi], t, sizeof(t));
				v[hi] = vt;
			} else {
				/* Shrink towards the best point. */
				for (i = 0; i <= dim; i++) {
					if (i == lo)
						continue;
					for (j = 0; j < dim; j++)
						p[i][j] = p[lo][j] + 0.5 * (p[i][j] - p[lo][j]);
					v[i] = fn(arg, p[i]);
				}
			}
		}
	}
	lo = 0;
	for (i = 1; i <= dim; i++)
		if (v[i] < v[lo])
			lo = i;
	memcpy(x, p[lo], dim * sizeof(double));
}

/* Initial states from the first two seasons (or two points). */
static void
ets_init(struct ets *e)
{
	size_t m = e->m, i;

	if (m == 0) {
		e->l0 = e->y[0];
		e->b0 = e->n > 1 ? e->y[1] - e->y[0] : 0;
		return;
	}
	{
		double a = 0, b = 0;

		for (i = 0; i < m; i++) {
			a += e->y[i] / (double)m;
			b += e->y[m + i] / (double)m;
		}
		e->l0 = a;
		e->b0 = (b - a) / (double)m;
		for (i = 0; i < m; i++)
			e->s0[i] = e->y[i] - a - e->b0 * ((double)i - (double)(m - 1) / 2);
	}
}

int
fc_ets(const double *y, size_t n, size_t m, size_t h, double *out, double *sd)
{
	struct ets e;
	struct ets_par p;
	double x[4] = { 0, 0, -1, 1 }, l, b, sse, sigma2, cum = 0, phij = 1, acc = 0;
	size_t w, i;
	int np;

	if (m > 0 && n < 2 * m + 2)
		m = 0;
	if (n < 4)
		return -1;
	w = m > 0 ? 10 * m : 200;
	if (w > n)
		w = n;
	memset(&e, 0, sizeof(e));
	e.y = y + n - w;
	e.n = w;
	e.m = m;
	if (m > 0) {
		e.s0 = xcalloc(m, sizeof(double));
		e.s = xcalloc(m, sizeof(double));
	}
	ets_init(&e);
	fc_nelder_mead(ets_cost, &e, x, 4, 200);
	ets_params(x, m, &p);
	sse = ets_run(&e, &p, &l, &b);
	np = m > 0 ? 4 : 3;
	sigma2 = sse / (double)(w > (size_t)np + 1 ? w - (size_t)np : 1);
	for (i = 0; i < h; i++) {
		size_t j = i + 1;
		double cj;

		phij *= p.phi;
		cum += phij;
		out[i] = l + cum * b + (m > 0 ? e.s[(w + i) % m] : 0);
		if (sd == NULL)
			continue;
		sd[i] = sqrt(sigma2 * (1 + acc));
		/* c_j of Table 6.1, for the steps after this one. */
		cj = p.a + p.b * p.phi * (1 - pow(p.phi, (double)j)) / (1 - p.phi) +
		    (m > 0 && j % m == 0 ? p.g : 0);
		acc += cj * cj;
	}
	free(e.s0);
	free(e.s);
	return 0;
}
