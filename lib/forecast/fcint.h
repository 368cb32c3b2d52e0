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

/* Each fills f->mean/lo/hi (f->h long), f->model, f->sigma. 0 or -1. */
int fc_naive(const struct fc_series *s, struct aiops_fc *f, double z, size_t m);
int fc_linear(const struct fc_series *s, struct aiops_fc *f, double z);

#endif
