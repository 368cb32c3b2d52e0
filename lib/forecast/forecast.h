/*
 * forecast.h: forecasts of one series with prediction intervals, and the
 * time until a forecast crosses a threshold.
 *
 * A series is a regular grid: n values, step nanoseconds apart, NaN for a
 * gap (aiops_fc_grid() makes one from points as they come: unsorted,
 * repeated, irregular). aiops_fc_forecast() fits the candidate models on
 * the history, chooses per series by rolling-origin holdout inside the
 * history (never by anything after it), and writes h forecasts with a
 * two-sided interval at the given level.
 *
 * Models (names as in the "model" field of a forecast event):
 *   naive       the last value (a series too short for anything else)
 *   snaive      seasonal naive: the value one season earlier
 *   linear      least squares line over the recent window, as Prometheus'
 *               predict_linear (promql/functions.go); for comparison
 *   snaive_w    the value a week earlier
 *   profile, profile_w, profile_ws, profile_t
 *               the mean daily (weekly) shape of the last seasons over a
 *               level; profile_t with a least-squares trend
 *   ets         ETS(A,Ad,A): additive error, damped trend, additive
 *               season (Hyndman, Koehler, Ord & Snyder 2008, "Forecasting
 *               with exponential smoothing", eq. 2.14; its interval, when
 *               asked for alone, their Table 6.1)
 *   theta       Theta method (Assimakopoulos & Nikolopoulos 2000, as
 *               Hyndman & Billah 2003: SES with drift half the OLS slope)
 *   "comb:a+b+c" is the mean of the candidates named.
 * Units: values are the series' own; times are ns since the epoch; steps
 * and horizons count grid steps.
 */
#ifndef AIOPS_FORECAST_H
#define AIOPS_FORECAST_H

#include <stddef.h>
#include <stdint.h>

/* Fewer points than this: only naive (and the result says so). */
#define AIOPS_FC_MIN_POINTS	3

struct aiops_fc_opts {
	size_t		 horizon;	/* steps to forecast, at least 1 */
	double		 level;		/* interval coverage in (0, 1): 0.95 */
	int64_t		 step;		/* the grid's step in ns, 0 when unknown;
					 * seasons of a day and a week are tried
					 * from it */
	size_t		 season;	/* a season length in steps, 0: found */
	const char	*model;		/* one model by name, NULL or "auto" */
	int		 paths;		/* 1: also the sample paths that
					 * aiops_fc_crossing() reads the ETA
					 * off (about twice the work) */
};

struct aiops_fc {
	char		 model[64];	/* the model used: a name above, or
					 * "comb:a+b+c" for a mean of them */
	size_t		 season;	/* main season in steps, 0 for none */
	size_t		 season2;	/* a second (weekly) season, 0 for none */
	size_t		 n_used;	/* history points fitted (after the last
					 * level shift, without gaps) */
	size_t		 start;		/* index of the first point fitted */
	double		 sigma;		/* one-step residual standard deviation */
	double		 mase;		/* holdout MASE of the model chosen, NaN
					 * when there was no holdout */
	char		 note[96];	/* why a simpler model or a shorter
					 * history was used, or "" */
	size_t		 h;
	double		*mean;		/* h values */
	double		*lo;		/* h lower bounds at level */
	double		*hi;		/* h upper bounds */
	/*
	 * npaths sample paths (path j at paths[j * h]), or none: the forecast
	 * with the errors the model made from earlier origins on this series
	 * laid over it, a whole season apart. They carry how errors follow each
	 * other, which the per-step band does not: the time a threshold is
	 * first reached is read off them.
	 */
	size_t		 npaths;
	double		*paths;
};

/*
 * Forecasts y[0..n-1] (NaN: gaps) h = o->horizon steps ahead into f (its
 * arrays allocated; release with aiops_fc_release()). Deterministic: the
 * same input gives the same bytes. 0, or -1 when there is nothing to
 * forecast from (no finite value), with f->note saying so.
 */
int aiops_fc_forecast(const double *y, size_t n, const struct aiops_fc_opts *o,
    struct aiops_fc *f);
void aiops_fc_release(struct aiops_fc *f);

/* Is name a model aiops_fc_forecast() knows ("auto" included)? */
int aiops_fc_model_known(const char *name);

/*
 * Points as they came (ts in ns, any order, repeats: the last one of a
 * time wins) onto a regular grid. step 0: the median spacing of the
 * points. The grid ends at the last point and starts at the first, or
 * max_len steps before the end. *y (allocated) gets a value per step, NaN
 * where no point fell; *t0 the time of (*y)[0]. The number of steps, 0
 * when there is no point.
 */
size_t aiops_fc_grid(const int64_t *ts, const double *v, size_t n, int64_t step,
    size_t max_len, double **y, int64_t *t0, int64_t *step_out);

/*
 * A counter's values into its per-second rate, in place: y[i] becomes
 * (y[i] - y[i-1]) / step seconds, a reset (a fall) gives y[i] / step as
 * Prometheus' rate() does, and y[0] becomes NaN.
 */
void aiops_fc_counter_rate(double *y, size_t n, int64_t step);

/*
 * When the forecast f, from last (the last observed value), first reaches
 * threshold: dir > 0 at or above it (a disk filling), dir < 0 at or below
 * it (certificate days left), dir 0 whichever side last is not on. *eta
 * from the sample paths when there are (the time by which 7 in 24 have
 * crossed, see grid.c), else the mean path; *eta_lo from the
 * interval edge facing the threshold
 * (the earliest it may come), *eta_hi from the far edge (the latest),
 * each in steps after the last point, fractional (linear between steps),
 * or -1 when that path does not reach it within the horizon. Returns 1 if
 * the mean path reaches it, 2 if only the near edge does, 0 if none does,
 * and 3, with all three 0, when last is already on the threshold's side.
 */
int aiops_fc_crossing(const struct aiops_fc *f, double last, double threshold,
    int dir, double *eta, double *eta_lo, double *eta_hi);

#endif
