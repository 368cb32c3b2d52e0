/*
 * forecast.c: the choice of a model per series and the forecast with its
 * interval. (First cut: naive, seasonal naive and predict_linear; the
 * state-space models follow.)
 */
#include "compat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "forecast/forecast.h"
#include "forecast/fcint.h"

static const char *const models[] = {
	"auto", "naive", "snaive", "linear", NULL
};

int
aiops_fc_model_known(const char *name)
{
	size_t i;

	for (i = 0; models[i] != NULL; i++)
		if (strcmp(models[i], name) == 0)
			return 1;
	return 0;
}

void
aiops_fc_release(struct aiops_fc *f)
{
	free(f->mean);
	free(f->lo);
	free(f->hi);
	f->mean = f->lo = f->hi = NULL;
	f->h = 0;
}

/*
 * The standard normal quantile (Acklam's rational approximation, relative
 * error below 1.15e-9; P. J. Acklam, "An algorithm for computing the
 * inverse normal cumulative distribution function", 2003).
 */
double
fc_qnorm(double p)
{
	static const double a[] = { -3.969683028665376e+01, 2.209460984245205e+02,
	    -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01,
	    2.506628277459239e+00 };
	static const double b[] = { -5.447609879822406e+01, 1.615858368580409e+02,
	    -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01 };
	static const double c[] = { -7.784894002430293e-03, -3.223964580411365e-01,
	    -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00,
	    2.938163982698783e+00 };
	static const double d[] = { 7.784695709041462e-03, 3.224671290700398e-01,
	    2.445134137142996e+00, 3.754408661907416e+00 };
	double q, r;

	if (p <= 0)
		return -INFINITY;
	if (p >= 1)
		return INFINITY;
	if (p < 0.02425) {
		q = sqrt(-2 * log(p));
		return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	}
	if (p > 1 - 0.02425)
		return -fc_qnorm(1 - p);
	q = p - 0.5;
	r = q * q;
	return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
	    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

static void
alloc_out(struct aiops_fc *f, size_t h)
{
	memset(f, 0, sizeof(*f));
	f->h = h;
	f->mean = xcalloc(h, sizeof(double));
	f->lo = xcalloc(h, sizeof(double));
	f->hi = xcalloc(h, sizeof(double));
	f->mase = NAN;
	f->sigma = NAN;
}

/* The season of a day, else of a week, in steps, if the history holds two. */
static size_t
season_from_step(int64_t step, size_t n)
{
	static const int64_t periods[] = { 86400LL * 1000000000, 7 * 86400LL * 1000000000 };
	size_t i;

	if (step <= 0)
		return 0;
	for (i = 0; i < 2; i++) {
		int64_t m = periods[i] / step;

		if (m >= 2 && periods[i] % step == 0 && (size_t)m * 2 <= n)
			return (size_t)m;
	}
	return 0;
}

int
aiops_fc_forecast(const double *y, size_t n, const struct aiops_fc_opts *o,
    struct aiops_fc *f)
{
	struct fc_series s;
	const char *want = o->model != NULL ? o->model : "auto";
	double z = fc_qnorm(0.5 + o->level / 2);
	size_t m;
	int rc;

	alloc_out(f, o->horizon);
	if (fc_series_init(&s, y, n) < 0) {
		snprintf(f->note, sizeof(f->note), "no finite value to forecast from");
		return -1;
	}
	m = o->season != 0 ? o->season : season_from_step(o->step, s.n);
	if (strcmp(want, "linear") == 0)
		rc = fc_linear(&s, f, z);
	else if (strcmp(want, "naive") == 0 || m == 0 || s.n < 2 * m) {
		if (strcmp(want, "auto") != 0 && strcmp(want, "naive") != 0)
			snprintf(f->note, sizeof(f->note),
			    "%zu points: too few for %s, naive used", s.n, want);
		rc = fc_naive(&s, f, z, 1);
	} else
		rc = fc_naive(&s, f, z, m);
	fc_series_release(&s);
	return rc;
}
