/*
 * fcint.h: what the files of lib/forecast share and nobody else uses.
 */
#ifndef AIOPS_FCINT_H
#define AIOPS_FCINT_H

#include <stddef.h>

#include "forecast/forecast.h"

/* The history, gaps filled (by linear interpolation), from its first value. */
struct fc_series {
	double	*y;
	size_t	 n;
	size_t	 start;		/* index in the caller's array of y[0] */
};

int fc_series_init(struct fc_series *s, const double *y, size_t n);
void fc_series_release(struct fc_series *s);

double fc_qnorm(double p);

/* Point forecasters: h values after y[0..n-1] (no gaps) into out. */
void fc_ols(const double *y, size_t n, size_t h, double *out);
void fc_prof_trend(const double *y, size_t n, size_t m, size_t k, size_t h, double *out);

double fc_ses(const double *d, size_t n, double *alpha, double *mse);
void fc_profile(const double *y, size_t n, size_t m, size_t k, int mult, double *s);
void fc_prof(const double *y, size_t n, size_t m, size_t k, size_t lw, int mult, size_t h, double *out);

void fc_theta(const double *y, size_t n, size_t m, int mult, size_t h, double *out);
int fc_ets(const double *y, size_t n, size_t m, size_t h, double *out, double *sd);
void fc_nelder_mead(double (*fn)(void *, const double *), void *arg, double *x,
    int dim, int maxit);

#endif
