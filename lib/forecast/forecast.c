/*
 * forecast.c: the choice of models per series, their combination, and the
 * interval.
 *
 * Auto: every candidate that the history is long enough for forecasts the
 * last stretch of the history from two earlier origins (rolling origin,
 * Tashman 2000); the three with the least absolute error are averaged
 * (combinations beat the single best on average: Makridakis et al. 2020,
 * the M4 findings). The interval comes from the same combination's errors
 * at up to sixteen earlier origins: the empirical spread of what it got
 * wrong on this series, not a model's assumption. When its errors at the
 * end of the holdout say the series has changed since, it is chosen again
 * on what came after the change.
 */
#include "compat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "forecast/forecast.h"
#include "forecast/fcint.h"

#define NS_HOUR		(3600LL * 1000000000)
#define NS_DAY		(24 * NS_HOUR)
#define COMB_SIZE	3
#define COMB_WITHIN	1.5
#define PI_ORIGINS	16
/*
 * PI_WIDEN and the origins were set on the M4 Hourly training series with
 * their last 48 points held out (bench/m4 --dev), never on the test: 95 %
 * intervals covered 95.1 % of the held-out points.
 */
#define PI_WIDEN	1.3
/* A run of errors that marks a recent change (recent_change): set on the
 * M4 Hourly training series and bench/ttc/ops seeds 2 and 3. */
#define RUN_MIN		6
#define RUN_FACTOR	4
/* Sample paths for the ETA: a month of daily origins (bench/ttc --dev). */
#define PATH_ORIGINS	24

struct fc_ctx {
	size_t	m;	/* main season in steps, 0: none */
	size_t	m2;	/* weekly season, 0: none */
	int	mult;	/* the series is positive: profiles are ratios */
	double	floor;	/* of a positive series' forecasts: half its least value */
};

typedef void (*method_fn)(const struct fc_ctx *c, const double *y, size_t n,
    size_t h, double *out);

struct method {
	const char	*name;
	method_fn	 fn;
	int		 seasonal;	/* 1: needs m, 2: needs m2 */
	size_t		 seasons;	/* whole seasons of history it needs */
	int		 in_auto;	/* 1 seasonal sets, 2 others, 3 both */
};

static void
m_naive(const struct fc_ctx *c, const double *y, size_t n, size_t h, double *out)
{
	size_t i;

	(void)c;
	for (i = 0; i < h; i++)
		out[i] = y[n - 1];
}

static void
snaive_m(const double *y, size_t n, size_t m, size_t h, double *out)
{
	size_t i;

	for (i = 0; i < h; i++)
		out[i] = y[n - m + i % m];
}

static void
m_snaive(const struct fc_ctx *c, const double *y, size_t n, size_t h, double *out)
{
	snaive_m(y, n, c->m, h, out);
}

static void
m_snaive_w(const struct fc_ctx *c, const double *y, size_t n, size_t h, double *out)
{
	snaive_m(y, n, c->m2, h, out);
}

static void
m_profile(const struct fc_ctx *c, const double *y, size_t n, size_t h, double *out)
{
	fc_prof(y, n, c->m, 7, c->m, c->mult, h, out);
}

static void
m_profile_w(const struct fc_ctx *c, const double *y, size_t n, size_t h, double *out)
{
	fc_prof(y, n, c->m2, 2, c->m, c->mult, h, out);
}

static void
m_profile_ws(const struct fc_ctx *c, const double *y, size_t n, size_t h, double *out)
{
	fc_prof(y, n, c->m2, 4, 0, c->mult, h, out);
}

static void
m_profile_t(const struct fc_ctx *c, const double *y, size_t n, size_t h, double *out)
{
	fc_prof_trend(y, n, c->m, 7, h, out);
}

static void
m_theta(const struct fc_ctx *c, const double *y, size_t n, size_t h, double *out)
{
	fc_theta(y, n, c->m, c->mult, h, out);
}

static void
m_ets(const struct fc_ctx *c, const double *y, size_t n, size_t h, double *out)
{
	if (fc_ets(y, n, c->m, h, out, NULL) < 0)
		m_naive(c, y, n, h, out);
}

static void
m_linear(const struct fc_ctx *c, const double *y, size_t n, size_t h, double *out)
{
	size_t w = c->m > 0 ? 3 * c->m : 20;

	if (w > n)
		w = n;
	fc_ols(y + n - w, w, h, out);
}

static const struct method methods[] = {
	{ "naive",	m_naive,	0, 0, 2 },
	{ "snaive",	m_snaive,	1, 1, 1 },
	{ "snaive_w",	m_snaive_w,	2, 1, 1 },
	{ "profile",	m_profile,	1, 2, 1 },
	{ "profile_w",	m_profile_w,	2, 2, 1 },
	{ "profile_ws",	m_profile_ws,	2, 2, 1 },
	{ "profile_t",	m_profile_t,	1, 3, 1 },
	{ "theta",	m_theta,	0, 0, 3 },
	{ "ets",	m_ets,		0, 0, 2 },
	{ "linear",	m_linear,	0, 0, 3 },
};
#define NMETHODS	(sizeof(methods) / sizeof(methods[0]))

int
aiops_fc_model_known(const char *name)
{
	size_t i;

	if (strcmp(name, "auto") == 0)
		return 1;
	for (i = 0; i < NMETHODS; i++)
		if (strcmp(methods[i].name, name) == 0)
			return 1;
	return 0;
}

/* The fewest points method k needs (at least 3 for a fit). */
static size_t
min_points(const struct method *k, const struct fc_ctx *c)
{
	size_t s = k->seasonal == 2 ? c->m2 : k->seasonal == 1 ? c->m : 0;

	if (k->seasonal > 0 && s == 0)
		return SIZE_MAX;
	return s * k->seasons > 3 ? s * k->seasons : 3;
}

void
aiops_fc_release(struct aiops_fc *f)
{
	free(f->mean);
	free(f->lo);
	free(f->hi);
	free(f->paths);
	f->mean = f->lo = f->hi = f->paths = NULL;
	f->npaths = 0;
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

/* Autocorrelation of y at lag k. */
static double
acf(const double *y, size_t n, size_t k, double mean, double var)
{
	double s = 0;
	size_t i;

	for (i = k; i < n; i++)
		s += (y[i] - mean) * (y[i - k] - mean);
	return var > 0 ? s / var : 0;
}

/*
 * M4's seasonality test (the R code of the competition's benchmarks): the
 * autocorrelation at lag m beyond 1.645 standard errors (90 %), with
 * Bartlett's formula for its variance.
 */
static int
is_seasonal(const double *y, size_t n, size_t m)
{
	double mean = 0, var = 0, sum = 0, r;
	size_t i;

	if (m < 2 || n < 3 * m)
		return n >= 2 * m && m >= 2;
	for (i = 0; i < n; i++)
		mean += y[i] / (double)n;
	for (i = 0; i < n; i++)
		var += (y[i] - mean) * (y[i] - mean);
	for (i = 1; i < m; i++) {
		r = acf(y, n, i, mean, var);
		sum += r * r;
	}
	r = acf(y, n, m, mean, var);
	return fabs(r) > 1.645 * sqrt((1 + 2 * sum) / (double)n);
}

/*
 * Season lengths from the sampling interval: a day (and a week) of
 * sub-daily samples, a week of days, a year of weeks, months or quarters.
 * Months and quarters are recognised by their length to a few days.
 */
static void
seasons_from_step(int64_t step, size_t *m, size_t *m2)
{
	double days = (double)step / (double)NS_DAY;

	*m = *m2 = 0;
	if (step <= 0)
		return;
	if (step < NS_DAY) {
		if (NS_DAY % step == 0)
			*m = (size_t)(NS_DAY / step);
		if ((7 * NS_DAY) % step == 0)
			*m2 = (size_t)(7 * NS_DAY / step);
		if (*m < 2)
			*m = 0;
	} else if (step == NS_DAY)
		*m = 7;
	else if (days > 6.5 && days < 7.5)
		*m = 52;
	else if (days > 27 && days < 32)
		*m = 12;
	else if (days > 88 && days < 93)
		*m = 4;
}

static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(const double *v, size_t n, double *tmp)
{
	memcpy(tmp, v, n * sizeof(double));
	qsort(tmp, n, sizeof(double), dbl_cmp);
	return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

/*
 * The last level shift: a point where the median of the season (or ten
 * points) after it differs from the median before it by more than eight
 * robust spreads of the seasonal differences, and stays. Returns its index,
 * or 0 when there is none.
 */
static size_t
last_shift(const double *y, size_t n, size_t m, double *delta)
{
	size_t w = m > 10 ? m : 10, lag = m > 0 ? m : 1, i, t, k = 0, stride, lo;
	double *d, *tmp, scale, tail;

	*delta = 0;
	if (n < 4 * w || n <= lag + 1)
		return 0;
	/* Only recent shifts matter: the models look back a few seasons. */
	lo = n > 12 * w ? n - 12 * w : 2 * w;
	d = xcalloc(n, sizeof(double));
	tmp = xcalloc(n, sizeof(double));
	for (i = lo > lag ? lo : lag; i < n; i++)
		d[k++] = fabs(y[i] - y[i - lag]);
	scale = 1.4826 * median(d, k, tmp);
	free(d);
	if (scale <= 0) {
		free(tmp);
		return 0;
	}
	stride = w / 4 > 0 ? w / 4 : 1;
	tail = median(y + n - w, w, tmp);
	for (t = n - w; t >= lo + stride; t -= stride) {
		double before = median(y + t - w, w, tmp);
		double after = median(y + t, w, tmp);

		if (fabs(after - before) > 8 * scale &&
		    fabs(tail - before) > 8 * scale) {
			*delta = after - before;
			free(tmp);
			return t;
		}
	}
	free(tmp);
	return 0;
}

/* A series that has always been positive: profiles are ratios, forecasts
 * stay above half its least value. */
static void
positive_floor(struct fc_ctx *c, const double *y, size_t n)
{
	size_t i;

	c->mult = 1;
	c->floor = INFINITY;
	for (i = 0; i < n; i++) {
		if (!(y[i] > 0))
			c->mult = 0;
		if (y[i] / 2 < c->floor)
			c->floor = y[i] / 2;
	}
}

/* The members' mean forecast from y[0..n-1]. */
static void
comb_forecast(const struct fc_ctx *c, const size_t *mem, size_t nmem,
    const double *y, size_t n, size_t h, double *out, double *tmp)
{
	size_t i, j;

	for (i = 0; i < h; i++)
		out[i] = 0;
	for (j = 0; j < nmem; j++) {
		methods[mem[j]].fn(c, y, n, h, tmp);
		for (i = 0; i < h; i++)
			out[i] += tmp[i] / (double)nmem;
	}
	/* A series that has always been positive is not forecast to go below. */
	if (c->mult)
		for (i = 0; i < h; i++)
			if (out[i] < c->floor)
				out[i] = c->floor;
}

/*
 * Ranks the candidates by their absolute error over the last hv points
 * from two origins (hv and 2 hv before the end); writes the best
 * COMB_SIZE (or fewer) into mem. The number written, 0 when the history
 * is too short for any holdout.
 */
static size_t
rank_methods(const struct fc_ctx *c, const double *y, size_t n, size_t hv,
    int set, size_t *mem, double *mase)
{
	double err[NMETHODS], *f = xcalloc(hv, sizeof(double)), scale = 0;
	size_t idx[NMETHODS], k, nk = 0, i, j, o;

	for (k = 0; k < NMETHODS; k++) {
		size_t need = min_points(&methods[k], c);

		if (!(methods[k].in_auto & set) || need == SIZE_MAX || n < hv + need)
			continue;
		err[k] = 0;
		for (o = 1; o <= 2; o++) {
			size_t t = n - o * hv;

			if (n < o * hv + need)
				break;
			methods[k].fn(c, y, t, hv, f);
			for (i = 0; i < hv; i++)
				err[k] += fabs(y[t + i] - f[i]);
		}
		/* One origin only when the second does not fit: same scale. */
		if (o == 2)
			err[k] *= 2;
		idx[nk++] = k;
	}
	free(f);
	for (i = 0; i < nk; i++)
		for (j = i + 1; j < nk; j++)
			if (err[idx[j]] < err[idx[i]]) {
				k = idx[i];
				idx[i] = idx[j];
				idx[j] = k;
			}
	for (i = 1; i < n; i++)
		scale += fabs(y[i] - y[i - 1]) / (double)(n - 1);
	if (nk > 0 && scale > 0)
		*mase = err[idx[0]] / (2 * (double)hv) / scale;
	if (nk > COMB_SIZE)
		nk = COMB_SIZE;
	/* A candidate far behind the best is no help to it (a flat one
	 * beside the only one that saw a disk fill). */
	while (nk > 1 && err[idx[nk - 1]] > COMB_WITHIN * err[idx[0]])
		nk--;
	memcpy(mem, idx, nk * sizeof(size_t));
	return nk;
}

/*
 * A change the chosen models did not see coming: forecasting the last hv
 * points from hv before the end, their errors end in a run of one sign,
 * each over RUN_FACTOR times their mean absolute error from the origin
 * before, at least RUN_MIN long and a whole season when there is one (a
 * season's own swing is no change). Errors that keep one sign mean the
 * model has lost the series: the idea of Trigg's tracking signal (1964).
 * Returns where the run starts, or 0.
 */
static size_t
recent_change(const struct fc_ctx *c, const size_t *mem, size_t nmem,
    const double *y, size_t n, size_t hv)
{
	double *f, *tmp, mae = 0;
	size_t i, run = 0;
	int sign;

	if (n < 2 * hv + 3 || hv < RUN_MIN)
		return 0;
	f = xcalloc(hv, sizeof(double));
	tmp = xcalloc(hv, sizeof(double));
	comb_forecast(c, mem, nmem, y, n - 2 * hv, hv, f, tmp);
	for (i = 0; i < hv; i++)
		mae += fabs(y[n - 2 * hv + i] - f[i]) / (double)hv;
	comb_forecast(c, mem, nmem, y, n - hv, hv, f, tmp);
	sign = y[n - 1] > f[hv - 1] ? 1 : -1;
	while (run < hv && (y[n - 1 - run] - f[hv - 1 - run]) * sign >
	    RUN_FACTOR * mae)
		run++;
	free(f);
	free(tmp);
	return run >= RUN_MIN && run >= c->m ? n - run : 0;
}

/* The q-quantile of sorted v[0..n-1], linear between ranks. */
static double
quantile(const double *v, size_t n, double q)
{
	double r = q * (double)(n - 1);
	size_t i = (size_t)r;

	if (i + 1 >= n)
		return v[n - 1];
	return v[i] + (r - (double)i) * (v[i + 1] - v[i]);
}

/* The errors of the combination's forecasts from earlier origins, each kept
 * once: the interval and the sample paths share most of their origins. */
struct origin_errors {
	size_t	 n;
	size_t	 t[PI_ORIGINS + PATH_ORIGINS];
	double	*e[PI_ORIGINS + PATH_ORIGINS];
};

/* The hv errors from origin t (log ratios for a positive series). */
static const double *
errors_at(struct origin_errors *oe, const struct fc_ctx *c, const size_t *mem,
    size_t nmem, const double *y, size_t t, size_t hv, double *tmp)
{
	double *e;
	size_t i, k;

	for (i = 0; i < oe->n; i++)
		if (oe->t[i] == t)
			return oe->e[i];
	e = xcalloc(hv, sizeof(double));
	comb_forecast(c, mem, nmem, y, t, hv, e, tmp);
	for (k = 0; k < hv; k++)
		e[k] = c->mult ? log(y[t + k] / e[k]) : y[t + k] - e[k];
	oe->t[oe->n] = t;
	oe->e[oe->n++] = e;
	return e;
}

/*
 * The interval: the combination forecasts the history from up to
 * PI_ORIGINS earlier origins half a season apart; the quantiles of all
 * its errors bound the forecast. Errors of a positive series are ratios
 * (log y - log forecast), so the band is narrow where the series is low
 * and wide where it is high. Errors on the history it was chosen on are
 * smaller than on the future: the spread about the median error is
 * widened by PI_WIDEN. Past the steps it could check, the band grows with
 * the square root of the steps.
 *
 * The sample paths (f->paths): the errors from up to PATH_ORIGINS origins
 * a whole season apart, each laid over the forecast as it fell, so step k
 * of a path carries an error made at the same time of day as step k: a
 * daily peak's errors over the peak. 0, or -1 when the history is too
 * short for four origins.
 */
static int
empirical_interval(const struct fc_ctx *c, const size_t *mem, size_t nmem,
    const double *y, size_t n, size_t need, double level, int paths,
    struct aiops_fc *f)
{
	struct origin_errors oe = { 0 };
	size_t hv = f->h, gap, pgap, j, k, norig, npaths;
	double *tmp, *pool, qlo, qhi, mid;

	if (hv > n / 3)
		hv = n / 3;
	gap = c->m > 1 ? c->m / 2 : (hv / 4 > 0 ? hv / 4 : 1);
	if (hv < 2 || n < hv + 3 * gap + need)
		return -1;
	norig = (n - hv - need) / gap + 1;
	if (norig > PI_ORIGINS)
		norig = PI_ORIGINS;
	pgap = c->m > 1 ? c->m : gap;
	npaths = (n - hv - need) / pgap + 1;
	if (npaths < 4)
		pgap = gap, npaths = norig;
	if (npaths > PATH_ORIGINS)
		npaths = PATH_ORIGINS;
	if (!paths)
		npaths = 0;
	tmp = xcalloc(hv, sizeof(double));
	pool = xcalloc(norig * hv, sizeof(double));
	for (j = 0; j < norig; j++)
		memcpy(pool + j * hv, errors_at(&oe, c, mem, nmem, y, n - hv - j * gap,
		    hv, tmp), hv * sizeof(double));
	qsort(pool, norig * hv, sizeof(double), dbl_cmp);
	mid = quantile(pool, norig * hv, 0.5);
	qlo = mid + PI_WIDEN * (quantile(pool, norig * hv, (1 - level) / 2) - mid);
	qhi = mid + PI_WIDEN * (quantile(pool, norig * hv, (1 + level) / 2) - mid);
	f->sigma = (qhi - qlo) / 2 / fc_qnorm((1 + level) / 2);
	for (k = 0; k < f->h; k++) {
		double g = k < hv ? 1 : sqrt((double)(k + 1) / (double)hv);
		double lo = qlo * g, hi = qhi * g;

		if (c->mult) {
			f->lo[k] = f->mean[k] * exp(lo);
			f->hi[k] = f->mean[k] * exp(hi);
		} else {
			f->lo[k] = f->mean[k] + lo;
			f->hi[k] = f->mean[k] + hi;
		}
	}
	f->npaths = npaths;
	f->paths = npaths > 0 ? xcalloc(npaths * f->h, sizeof(double)) : NULL;
	for (j = 0; j < npaths; j++) {
		const double *e = errors_at(&oe, c, mem, nmem, y, n - hv - j * pgap,
		    hv, tmp);

		for (k = 0; k < f->h; k++) {
			double g = k < hv ? 1 : sqrt((double)(k + 1) / (double)hv);
			double d = e[k < hv ? k : hv - 1] * g;

			f->paths[j * f->h + k] = c->mult ? f->mean[k] * exp(d) :
			    f->mean[k] + d;
		}
	}
	for (j = 0; j < oe.n; j++)
		free(oe.e[j]);
	free(tmp);
	free(pool);
	return 0;
}

/* The method named want, or NAN-free fallback index of naive. */
static size_t
method_index(const char *want)
{
	size_t k;

	for (k = 0; k < NMETHODS; k++)
		if (strcmp(methods[k].name, want) == 0)
			return k;
	return 0;
}

/* ETS asked for alone: its own forecast and analytic interval. 0 or -1. */
static int
ets_interval(const struct fc_ctx *c, const double *y, size_t n, double z,
    struct aiops_fc *f)
{
	double *sd = xcalloc(f->h, sizeof(double));
	size_t i;

	if (fc_ets(y, n, c->m, f->h, f->mean, sd) < 0) {
		free(sd);
		return -1;
	}
	for (i = 0; i < f->h; i++) {
		f->lo[i] = f->mean[i] - z * sd[i];
		f->hi[i] = f->mean[i] + z * sd[i];
	}
	f->sigma = f->h > 0 ? sd[0] : NAN;
	free(sd);
	return 0;
}

/* The seasonal naive's analytic interval when there is nothing better. */
static void
simple_interval(const double *y, size_t n, size_t m, double z, struct aiops_fc *f)
{
	double ss = 0, sd;
	size_t i, k = 0;

	if (m == 0 || m >= n)
		m = 1;
	for (i = m; i < n; i++) {
		ss += (y[i] - y[i - m]) * (y[i] - y[i - m]);
		k++;
	}
	sd = k > 0 ? sqrt(ss / (double)k) : 0;
	for (i = 0; i < f->h; i++) {
		double w = z * sd * sqrt((double)(i / m + 1));

		f->lo[i] = f->mean[i] - w;
		f->hi[i] = f->mean[i] + w;
	}
	f->sigma = sd;
}

static void
model_name(struct aiops_fc *f, const size_t *mem, size_t nmem)
{
	size_t j, len;

	if (nmem == 1) {
		snprintf(f->model, sizeof(f->model), "%s", methods[mem[0]].name);
		return;
	}
	len = (size_t)snprintf(f->model, sizeof(f->model), "comb:");
	for (j = 0; j < nmem && len < sizeof(f->model); j++)
		len += (size_t)snprintf(f->model + len, sizeof(f->model) - len,
		    "%s%s", j > 0 ? "+" : "", methods[mem[j]].name);
}

int
aiops_fc_forecast(const double *y, size_t n, const struct aiops_fc_opts *o,
    struct aiops_fc *f)
{
	struct fc_series s;
	struct fc_ctx c;
	const char *want = o->model != NULL ? o->model : "auto";
	double z = fc_qnorm(0.5 + o->level / 2), delta, *tmp, *x;
	size_t mem[COMB_SIZE], nmem = 0, shift, i, need = 3;

	alloc_out(f, o->horizon);
	if (fc_series_init(&s, y, n) < 0) {
		snprintf(f->note, sizeof(f->note), "no finite value to forecast from");
		return -1;
	}
	x = s.y;
	memset(&c, 0, sizeof(c));
	if (o->season != 0)
		c.m = o->season;
	else
		seasons_from_step(o->step, &c.m, &c.m2);
	/* A level shift: the history before it is moved to the new level. */
	shift = last_shift(x, s.n, c.m, &delta);
	for (i = 0; i < shift; i++)
		x[i] += delta;
	if (shift > 0 && s.n - shift >= 2 * (c.m > 0 ? c.m : 10)) {
		x += shift;
		s.n -= shift;
		s.start += shift;
	}
	if (c.m > 0 && !is_seasonal(x, s.n, c.m))
		c.m = c.m2 = 0;
	if (c.m2 > 0 && s.n < 2 * c.m2 + c.m)
		c.m2 = 0;
	positive_floor(&c, x, s.n);
	if (strcmp(want, "auto") == 0) {
		size_t hv = o->horizon < s.n / 4 ? o->horizon : s.n / 4, k;

		if (hv >= 1)
			nmem = rank_methods(&c, x, s.n, hv, c.m > 0 ? 1 : 2, mem, &f->mase);
		/* A change since the holdout began: what came before it misleads. */
		if (nmem > 0 && (k = recent_change(&c, mem, nmem, x, s.n, hv)) > 0) {
			x += k;
			s.n -= k;
			s.start += k;
			c.m = c.m2 = 0;
			positive_floor(&c, x, s.n);
			nmem = rank_methods(&c, x, s.n, s.n / 4, 2, mem, &f->mase);
			snprintf(f->note, sizeof(f->note),
			    "a change %zu points before the end: fit after it", s.n);
		}
		if (nmem == 0) {
			mem[nmem++] = c.m > 0 && s.n >= c.m ? method_index("snaive") :
			    method_index("naive");
			if (s.n < AIOPS_FC_MIN_POINTS)
				snprintf(f->note, sizeof(f->note),
				    "%zu points: too few for a model, the last value repeated", s.n);
		}
	} else {
		size_t k = method_index(want);

		if (min_points(&methods[k], &c) > s.n) {
			snprintf(f->note, sizeof(f->note), "%zu points%s: too few for %s",
			    s.n, c.m == 0 && methods[k].seasonal ? " and no season" : "", want);
			k = method_index("naive");
		}
		mem[nmem++] = k;
	}
	f->season = c.m;
	f->season2 = c.m2;
	f->start = s.start;
	f->n_used = s.n;
	for (i = 0; i < nmem; i++)
		if (min_points(&methods[mem[i]], &c) > need)
			need = min_points(&methods[mem[i]], &c);
	model_name(f, mem, nmem);
	/* ETS alone has an interval of its own; everything else the empirical one. */
	if (nmem == 1 && strcmp(methods[mem[0]].name, "ets") == 0 &&
	    ets_interval(&c, x, s.n, z, f) == 0) {
		fc_series_release(&s);
		return 0;
	}
	tmp = xcalloc(f->h, sizeof(double));
	comb_forecast(&c, mem, nmem, x, s.n, f->h, f->mean, tmp);
	free(tmp);
	if (empirical_interval(&c, mem, nmem, x, s.n, need, o->level, o->paths, f) < 0)
		simple_interval(x, s.n, c.m, z, f);
	fc_series_release(&s);
	return 0;
}
