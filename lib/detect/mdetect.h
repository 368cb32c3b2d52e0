/*
 * mdetect.h - streaming anomaly detection for one metric series.
 *
 * One struct aiops_mdetect per series (series = name + host + labels; the
 * caller keys them).  Each call to aiops_mdetect_update() first scores the
 * point against what the model has learned so far, then learns from it, so
 * a score never depends on the point itself or on anything after it.
 *
 * Method (see mdetect.c): robust statistics of the value against the
 * rolling median / IQR of the last 128 points (spike, or a Poisson-like
 * count model for low integer series), of the mean of the last 12 points
 * (level shift), the recent spread against its long-run value
 * (volatility), and a time-of-day baseline learned from the series' own
 * sampling interval (seasonal).  Each is divided by its own running
 * 1-in-2000 quantile, blended with a prior scale while the quantile is
 * young, the largest ratio E becomes the score E^2/(E^2+1) (0.5 at
 * E = 1); daily and weekly routines are damped and repeats
 * de-duplicated.
 *
 * The model is a fixed-size plain struct without pointers, so saving it is
 * a copy (see aiops_mdetect_save()).  Memory per series: see
 * aiops_mdetect_size().
 *
 * Ownership: aiops_mdetect_new() and aiops_mdetect_load() return a model the
 * caller frees with aiops_mdetect_free(); aiops_mdetect_save() returns a
 * malloc'd blob the caller frees with free().  Nothing here prints, exits or
 * keeps global state; distinct models may be used from distinct threads.
 */
#ifndef AIOPS_MDETECT_H
#define AIOPS_MDETECT_H

#include <stddef.h>
#include <stdint.h>

/*
 * The knobs.  Every field has a default from aiops_mdetect_params_default();
 * a caller normally changes only sensitivity.
 */
struct aiops_mdetect_params {
	/*
	 * 0..1, default 0.5.  Moves the alert threshold (aiops_mdetect_threshold()):
	 * higher = more alerts.  Scores themselves do not depend on it, so
	 * changing it never invalidates a saved model.
	 */
	double sensitivity;
	/*
	 * Points learned before any score above 0 is given (the model has
	 * not seen enough to judge).  Default 30: after that, statistics
	 * whose own quantile is still young are judged against a prior
	 * scale, widened while the window is short (the seasonal one starts
	 * after two days).
	 */
	uint32_t warmup;
	/*
	 * De-duplication half-life in points: evidence no stronger than
	 * the recent maximum (which halves every dedup points) is damped
	 * to a tenth, so an incident alerts once unless it gets worse.
	 * Default 144 (half a day at 5-minute samples).  0 = off.
	 */
	uint32_t dedup;
};

/* What one update found.  reason is always NUL-terminated. */
#define AIOPS_MDETECT_REASON_MAX 192
struct aiops_mdetect_result {
	double score;		/* [0,1]; same value update() returns */
	int alert;		/* 1 if score >= threshold (after de-duplication) */
	const char *detector;	/* static name of the strongest statistic:
				   "spike", "count", "level", "volatility",
				   "seasonal"; or "warmup", "invalid"
				   (NaN/inf), "future", "none" */
	double baseline;	/* value the point was compared with */
	double spread;		/* robust standard deviation of that baseline */
	double deviation;	/* (value - baseline) / spread, signed */
	/*
	 * 1: the point was a surprise, but one that came at this time of
	 * day on at least 2 of the previous 7 days, or on 2 of the same
	 * weekdays 1 to 4 weeks ago, and is not much bigger (at most 4
	 * times the evidence): a daily or weekly routine, or the end of
	 * its episode (the return to the level before it, which windows
	 * still full of the routine find surprising for a while).  Its
	 * evidence is judged against the routine's own size and damped to
	 * a tenth, so it does not alert.
	 */
	int routine;
	/*
	 * 1: the timestamp is far ahead of the series' own clock (more
	 * than 60 sampling intervals, at least an hour): scored 0, not
	 * learned, the clock not moved; the point is held until the next
	 * one says whether it was a real gap (then it is learned) or a bad
	 * timestamp (then it is dropped).  The caller reports it.
	 */
	int future;
	/*
	 * Not 0: the point held as far ahead (future) before this one had
	 * this timestamp (ns), and this point is back on the series' own
	 * timeline: the held one was a bad timestamp and was dropped, never
	 * learned.  The caller reports it now, when it is known.
	 */
	int64_t dropped_ts;
	/*
	 * 1: the series is modelled as count data (non-negative integers
	 * with a mean of at most 20): deviations are judged on Anscombe's
	 * square-root scale, where a Poisson count has an SD of about 1.
	 */
	int count;
	/*
	 * 1: the strongest statistic is a slow one (level, seasonal,
	 * volatility), the model has begun fewer than 8 days, and the value
	 * lies within the range the series took the day before (UTC):
	 * what a day of data can say is ordinary (a first Monday
	 * ramp, a first weekend).  The score is not changed; the caller
	 * writes no anomaly event for such a point.
	 */
	int seen_range;
	/* filled only when alert is 1 (it costs a snprintf) */
	char reason[AIOPS_MDETECT_REASON_MAX];
};

struct aiops_mdetect;

void aiops_mdetect_params_default(struct aiops_mdetect_params *);

/* Alert threshold on the score for these params (0.5 at sensitivity 0.5). */
double aiops_mdetect_threshold(const struct aiops_mdetect_params *);

/* NULL params = defaults.  Returns NULL if out of memory. */
struct aiops_mdetect *aiops_mdetect_new(const struct aiops_mdetect_params *);
void aiops_mdetect_free(struct aiops_mdetect *);

/* Change the knobs of a live (e.g. just loaded) model; scores stay valid. */
void aiops_mdetect_set_params(struct aiops_mdetect *,
    const struct aiops_mdetect_params *);

/*
 * Score the point (ts_ns: nanoseconds since the Unix epoch, UTC), then
 * learn it.  Returns the score in [0,1]; out may be NULL.
 *
 * Bad input, handled deliberately:
 *  - NaN, infinite, or |value| > 1e300 (sums of such values would
 *    overflow): score 0, detector "invalid", nothing learned.
 *  - timestamp far ahead of the newest one learned (more than 60
 *    sampling intervals, at least an hour): see result.future.
 *  - timestamp equal to or older than the newest one learned (duplicate,
 *    out of order, or a cron batch that overlaps the previous one): scored
 *    against the current model, but not learned, so replaying points never
 *    changes the model.
 *  - gap (more than 10 sampling intervals since the previous point; the
 *    interval is the median of the first 31): the short-term memory
 *    (recent shape, level-shift and volatility windows) restarts;
 *    long-term baselines are kept.
 *  - counters: the model treats values as gauges.  Give it rates (the
 *    caller differentiates counters and drops the negative delta at a
 *    reset, see aiops_mdetect_counter_rate()); a raw counter only looks
 *    like a steady trend and its reset like a level shift.
 */
double aiops_mdetect_update(struct aiops_mdetect *, int64_t ts_ns,
    double value, struct aiops_mdetect_result *out);

/*
 * Counter helper: *rate = per-second increase from (prev_ts, prev) to
 * (ts, cur).  Returns 0 and sets *rate, or -1 when there is no rate to
 * give: a reset (cur < prev; the counter restarted from 0, so the
 * increase since the previous sample is unknown), a non-increasing
 * timestamp, or a non-finite input.
 */
int aiops_mdetect_counter_rate(int64_t prev_ts_ns, double prev,
    int64_t ts_ns, double cur, double *rate);

/*
 * Serialise to a new malloc'd blob (*blob), returning its size, or 0 if
 * out of memory.  The blob is the model in host byte order with a magic,
 * version and size header; a model loaded from it continues exactly as the
 * saved one would have (bit-identical scores).
 */
size_t aiops_mdetect_save(const struct aiops_mdetect *, unsigned char **blob);

/*
 * Load a blob from aiops_mdetect_save() into a new model (*m), with the
 * params it was saved with (override with aiops_mdetect_set_params()).
 * Returns 0, or -1 if the blob is not a model of this version / size /
 * byte order or memory runs out (*m is then NULL); the caller then
 * starts a fresh model.
 */
int aiops_mdetect_load(struct aiops_mdetect **m, const void *blob, size_t n);

/* Bytes of memory one model uses (its whole state; 1608 on x86-64, at
 * most 1616 by design, so 1,000,000 fit the 1792MiB detect.memory
 * default; the blob the same). */
size_t aiops_mdetect_size(void);

#endif /* AIOPS_MDETECT_H */
