/*
 * mdetect.c - streaming anomaly detection for one metric series.
 * See mdetect.h for the contract; this file explains the method.
 *
 * Five statistics are computed for each point, each from the model as it
 * was before the point (no look-ahead):
 *
 *   spike      |x - median of the last MDETECT_WIN points|;
 *   level      |mean of the last MDETECT_LEVEL points - that median|, in
 *              standard errors (robust SD / sqrt(MDETECT_LEVEL)), so a
 *              sustained shift too small for "spike" still shows;
 *   volatility mean |x - median| over the last MDETECT_VOL points, over
 *              its long-run value: bursts and rising noise;
 *   seasonal   |x - time-of-day baseline| / seasonal SD, used only while
 *              the seasonal baseline predicts the series at least twice
 *              as well as the rolling median (so it stays silent on
 *              series without a daily rhythm);
 *   context    distance from the recent shape (the last MDETECT_SPAN
 *              points, smoothed) to the nearest shape stored over the
 *              last days, in robust SDs.  This is the confirming model:
 *              it flags shapes never seen before even when each single
 *              value is ordinary (a missing daily peak, a flat line
 *              where the series normally moves).
 *
 * Operations data differ wildly in how heavy their tails are, so no fixed
 * z threshold suits them all.  Each statistic is therefore divided by its
 * own running upper quantile (MDETECT_TAIL: about 1 point in 2000 exceeds
 * it), tracked in the log domain with a fixed step (a scale-free
 * stochastic quantile estimate), and used only once it has seen
 * p.warmup values.  The evidence E is the largest of these ratios, and
 * the score is E^2 / (E^2 + 1): 0.5 when the strongest statistic sits at
 * its own 1-in-2000 level.  Because each exceedance raises the quantile
 * and it comes down slowly, an anomaly is in effect "the most unusual
 * thing in a long while": a series that keeps producing large values
 * soon stops alerting on them.
 *
 * Alert de-duplication: evidence that does not beat the decaying maximum
 * of recent evidence (half-life p.dedup points) is multiplied by
 * MDETECT_DAMP, so one incident gives one alert unless it grows.
 *
 * Everything is O(1) per point except the context search (MDETECT_RES
 * shapes of MDETECT_CTX floats) and the sorted-window insert (a memmove
 * of at most MDETECT_WIN doubles).
 */
#include "compat.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/mdetect.h"

#define NS_PER_S	1000000000LL
#define DAY_S		86400LL

/*
 * Sizes.  Each trades memory and speed against how much of the past the
 * model remembers; the values are ordinary choices, not fitted.
 */
#define MDETECT_WIN	128	/* rolling window: ~10 h at 5-min samples */
#define MDETECT_CTX	16	/* shape length for the context model ... */
#define MDETECT_PAA	4	/* ... each element the mean of 4 points */
#define MDETECT_SPAN	(MDETECT_CTX * MDETECT_PAA)	/* 64 points: 5 h at 5 min */
#define MDETECT_RES	192	/* stored past shapes ... */
#define MDETECT_STRIDE	4	/* ... one every 4 points: ~2.7 days at 5 min */
#define MDETECT_LEVEL	12	/* level-shift window: an hour at 5 min */
#define MDETECT_SEAS	96	/* time-of-day slots, at most 15 min each */
#define MDETECT_WEEK	168	/* hour-of-week slots */
#define MDETECT_DTN	31	/* deltas used to estimate the sampling interval */
#define MDETECT_GAP	10	/* missing intervals that make a gap */
#define MDETECT_VOL	24	/* volatility window: 2 h at 5 min */
#define MDETECT_NSTAT	5
#define MDETECT_XMAX	1e300	/* larger |values| are refused like inf:
				   sums and spreads of them stay finite */

_Static_assert(2 * MDETECT_SPAN <= MDETECT_WIN,
    "stored shapes are read back from the rolling window");

/*
 * Calibration: the tail probability each statistic's running quantile
 * tracks (1 point in 2000: a week of 5-minute samples holds 2016, so a
 * quiet series alerts about weekly at most), and the log step of the
 * tracker (+22% per exceedance, so a burst of exceedances raises the bar
 * quickly; it then falls by 0.01% per point, about 1/e in 10,000 points).
 */
#define MDETECT_TAIL	0.0005
#define MDETECT_QSTEP	0.2
/* Factor applied to repeated (not stronger) evidence. */
#define MDETECT_DAMP	0.1

#define MAGIC	0x6d646574u	/* "mdet" */
#define MODEL_VERSION	2u	/* bump on any change of the struct or the method */

/*
 * An EWMA mean/variance z-score was tried as a sixth statistic and left
 * out: it only added false alarms (NAB standard 70.0 -> 67.3 at alpha
 * 0.01, 67.8 at 0.002); the level and seasonal statistics already cover
 * what it would catch. The exponentially weighted errors below
 * (seas_err, loc_err, wk_err) are its use here.
 */
enum { ST_SPIKE, ST_SEAS, ST_CTX, ST_LEVEL, ST_VOL };
static const char *const stat_name[MDETECT_NSTAT] = {
	"spike", "seasonal", "context", "level", "volatility"
};

struct aiops_mdetect {
	uint32_t magic, version, size, pad;
	struct aiops_mdetect_params p;
	double dedup_g;		/* per-point decay of recent_max */

	uint64_t n;		/* points learned */
	int64_t last_ts;	/* newest timestamp learned */
	int64_t dt;		/* sampling interval (ns), 0 until known */
	uint32_t run;		/* points since start or the last gap */

	/* rolling window, arrival order and sorted */
	double ring[MDETECT_WIN];
	double sorted[MDETECT_WIN];
	uint32_t rpos, rlen;

	/*
	 * Long-run mean absolute deviation from the rolling median: floors
	 * the spread when the IQR collapses (discrete or mostly flat data).
	 */
	double absdev;

	/* recent absolute deviations from the rolling median */
	double vdev[MDETECT_VOL];
	double vsum;
	uint32_t vpos;

	/* sampling interval estimation */
	int64_t dts[MDETECT_DTN];
	uint32_t ndts;

	/* seasonal (time of day) baseline */
	uint32_t nslots;	/* 0 = not seasonal (yet) */
	int64_t first_ts;	/* first point learned into the profile */
	uint32_t seas_started;	/* first_ts is set */
	double seas_err;	/* EW mean |x - slot mean| */
	double loc_err;		/* EW mean |x - rolling median| */
	float smean[MDETECT_SEAS];
	uint16_t scnt[MDETECT_SEAS];
	/* hour-of-week baseline (Monday 00:00 = 0) */
	double wk_err;		/* EW mean |x - hour-of-week mean| */
	float wmean[MDETECT_WEEK];
	uint16_t wcnt[MDETECT_WEEK];

	/* context model: past shapes */
	float res[MDETECT_RES][MDETECT_CTX];
	uint32_t rescnt, respos;

	/* calibration: log of each statistic's upper quantile */
	double lq[MDETECT_NSTAT];
	uint32_t lq_init;	/* bit i: lq[i] seeded */
	uint32_t nq[MDETECT_NSTAT];	/* values seen; used once >= warmup */

	/* de-duplication */
	double recent_max;	/* decaying max of recent evidence */
};

/* ---------- params ---------- */

void
aiops_mdetect_params_default(struct aiops_mdetect_params *p)
{
	p->sensitivity = 0.5;
	p->warmup = 200;
	p->dedup = 144;
	p->context = 1;
}

double
aiops_mdetect_threshold(const struct aiops_mdetect_params *p)
{
	double s = p->sensitivity;

	if (!(s >= 0))
		s = 0;
	if (s > 1)
		s = 1;
	/* 0.5 -> 0.5 (evidence at the 1-in-2000 level); 0 -> 0.9; 1 -> 0.1 */
	return 0.9 - 0.8 * s;
}

/* v limited to +-1e300: finite for logs, exp() and JSON output. */
static double
clamp_finite(double v)
{
	if (!(v <= 1e300))
		return v != v ? 0 : 1e300;
	return v < -1e300 ? -1e300 : v;
}

/* ---------- lifecycle and persistence ---------- */

struct aiops_mdetect *
aiops_mdetect_new(const struct aiops_mdetect_params *p)
{
	struct aiops_mdetect *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->magic = MAGIC;
	m->version = MODEL_VERSION;
	m->size = sizeof(*m);
	aiops_mdetect_set_params(m, p);
	return m;
}

void
aiops_mdetect_free(struct aiops_mdetect *m)
{
	free(m);
}

void
aiops_mdetect_set_params(struct aiops_mdetect *m,
    const struct aiops_mdetect_params *p)
{
	if (p != NULL)
		m->p = *p;
	else
		aiops_mdetect_params_default(&m->p);
	m->dedup_g = m->p.dedup > 0 ? pow(0.5, 1.0 / m->p.dedup) : 0;
}

size_t
aiops_mdetect_size(void)
{
	return sizeof(struct aiops_mdetect);
}

size_t
aiops_mdetect_save(const struct aiops_mdetect *m, unsigned char **blob)
{
	*blob = malloc(sizeof(*m));
	if (*blob == NULL)
		return 0;
	memcpy(*blob, m, sizeof(*m));
	return sizeof(*m);
}

int
aiops_mdetect_load(struct aiops_mdetect **mp, const void *blob, size_t n)
{
	struct aiops_mdetect *m;

	*mp = NULL;
	if (blob == NULL || n != sizeof(*m))
		return -1;
	m = malloc(sizeof(*m));
	if (m == NULL)
		return -1;
	memcpy(m, blob, sizeof(*m));
	/* the magic also catches a blob from a host of other byte order */
	if (m->magic != MAGIC || m->version != MODEL_VERSION ||
	    m->size != sizeof(*m)) {
		free(m);
		return -1;
	}
	*mp = m;
	return 0;
}

int
aiops_mdetect_counter_rate(int64_t prev_ts_ns, double prev, int64_t ts_ns,
    double cur, double *rate)
{
	if (!isfinite(prev) || !isfinite(cur) || ts_ns <= prev_ts_ns ||
	    cur < prev)
		return -1;
	*rate = (cur - prev) / ((double)(ts_ns - prev_ts_ns) / NS_PER_S);
	return 0;
}

/* ---------- rolling window ---------- */

/* Index of the first element of a[0..n) that is >= v. */
static uint32_t
lower_bound(const double *a, uint32_t n, double v)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (a[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Append v, dropping the oldest value once full; sorted stays sorted. */
static void
win_push(struct aiops_mdetect *m, double v)
{
	uint32_t i;

	if (m->rlen == MDETECT_WIN) {
		i = lower_bound(m->sorted, m->rlen, m->ring[m->rpos]);
		memmove(&m->sorted[i], &m->sorted[i + 1],
		    (m->rlen - i - 1) * sizeof(double));
		m->rlen--;
	}
	i = lower_bound(m->sorted, m->rlen, v);
	memmove(&m->sorted[i + 1], &m->sorted[i],
	    (m->rlen - i) * sizeof(double));
	m->sorted[i] = v;
	m->rlen++;
	m->ring[m->rpos] = v;
	m->rpos = (m->rpos + 1) % MDETECT_WIN;
}

/* k-th newest value learned (0 = newest); needs k < rlen. */
static double
win_back(const struct aiops_mdetect *m, uint32_t k)
{
	return m->ring[(m->rpos + MDETECT_WIN - 1 - k) % MDETECT_WIN];
}

/* Linearly interpolated quantile of the window (rlen >= 1). */
static double
win_q(const struct aiops_mdetect *m, double q)
{
	double pos = q * (m->rlen - 1);
	uint32_t i = (uint32_t)pos;
	double f = pos - i;

	if (i + 1 >= m->rlen)
		return m->sorted[m->rlen - 1];
	return m->sorted[i] * (1 - f) + m->sorted[i + 1] * f;
}

/*
 * Robust standard deviation: IQR / 1.349 (exact for a normal
 * distribution), floored by the long-run mean absolute deviation (still
 * positive when more than half the window holds one value), and by a
 * tiny relative epsilon so a change in a flat series gives a huge but
 * finite deviation.
 */
static double
robust_sd(const struct aiops_mdetect *m, double med)
{
	double sd = (win_q(m, 0.75) - win_q(m, 0.25)) / 1.349;
	double floor = m->absdev * 1.2533;	/* mean abs dev -> SD */
	double eps = 1e-9 * (fabs(med) + 1e-9);

	if (sd < floor)
		sd = floor;
	return sd > eps ? sd : eps;
}

/* ---------- context model ---------- */

/* Shapes are floats (half the memory and twice the SIMD width); values
 * beyond the float range saturate instead of becoming inf. */
static float
to_float(double v)
{
	if (v > FLT_MAX)
		return FLT_MAX;
	return v < -FLT_MAX ? -FLT_MAX : (float)v;
}

/*
 * A shape is MDETECT_CTX means of MDETECT_PAA consecutive points
 * (piecewise aggregate approximation): averaging keeps the outline of
 * the last MDETECT_SPAN points and drops most of the noise, which would
 * otherwise dominate the distances.  Store the shape that ends
 * MDETECT_SPAN points before the newest one, so the current shape is
 * never compared with one overlapping it.
 */
static void
res_insert(struct aiops_mdetect *m)
{
	float *c = m->res[m->respos];
	uint32_t i;

	uint32_t k;

	for (i = 0; i < MDETECT_CTX; i++) {
		double sum = 0;
		for (k = 0; k < MDETECT_PAA; k++)
			sum += win_back(m, MDETECT_SPAN + i * MDETECT_PAA + k);
		c[i] = to_float(sum / MDETECT_PAA);
	}
	m->respos = (m->respos + 1) % MDETECT_RES;
	if (m->rescnt < MDETECT_RES)
		m->rescnt++;
}

/* RMS distance from the current shape (x and the points before it) to
 * the nearest stored shape. */
static double
res_nearest(const struct aiops_mdetect *m, double x)
{
	float q[MDETECT_CTX];
	float best = INFINITY;
	uint32_t i, j;

	uint32_t k;

	for (i = 0; i < MDETECT_CTX; i++) {
		double sum = 0;
		for (k = 0; k < MDETECT_PAA; k++) {
			uint32_t idx = i * MDETECT_PAA + k;
			sum += idx == 0 ? x : win_back(m, idx - 1);
		}
		q[i] = to_float(sum / MDETECT_PAA);
	}
	for (j = 0; j < m->rescnt; j++) {
		const float *c = m->res[j];
		float d = 0;
		/* partial sums only grow: half-way, skip a beaten shape */
		for (i = 0; i < MDETECT_CTX / 2; i++) {
			float e = q[i] - c[i];
			d += e * e;
		}
		if (d >= best)
			continue;
		for (; i < MDETECT_CTX; i++) {
			float e = q[i] - c[i];
			d += e * e;
		}
		if (d < best)
			best = d;
	}
	return sqrt(best / MDETECT_CTX);
}

/* ---------- time ---------- */

/*
 * Estimate the sampling interval once, as the median of the first
 * MDETECT_DTN gaps (robust to a few missing or doubled samples), then fix
 * the time-of-day slot width from it: one slot per interval but at
 * least 15 minutes (enough points per slot per day) and no profile at
 * all for intervals over 3 hours (too few points per day to learn one).
 */
static void
learn_dt(struct aiops_mdetect *m, int64_t ts)
{
	int64_t tmp[MDETECT_DTN], w;
	uint32_t i, j;

	if (m->dt != 0 || m->n == 0)
		return;
	m->dts[m->ndts++] = ts - m->last_ts;
	if (m->ndts < MDETECT_DTN)
		return;
	memcpy(tmp, m->dts, sizeof(tmp));
	for (i = 1; i < MDETECT_DTN; i++) {	/* insertion sort, runs once */
		int64_t v = tmp[i];
		for (j = i; j > 0 && tmp[j - 1] > v; j--)
			tmp[j] = tmp[j - 1];
		tmp[j] = v;
	}
	m->dt = tmp[MDETECT_DTN / 2];
	if (m->dt > 3 * 3600 * NS_PER_S)
		return;
	w = m->dt > 900 * NS_PER_S ? m->dt : 900 * NS_PER_S;
	m->nslots = (uint32_t)(DAY_S * NS_PER_S / w);
	if (m->nslots > MDETECT_SEAS)
		m->nslots = MDETECT_SEAS;
}

static uint32_t
slot_of(const struct aiops_mdetect *m, int64_t ts)
{
	int64_t s = ts / NS_PER_S % DAY_S;

	if (s < 0)
		s += DAY_S;
	return (uint32_t)(s * m->nslots / DAY_S);
}

/* Hour of the week, Monday 00:00 UTC = 0 (1970-01-01 was a Thursday). */
static uint32_t
wslot_of(int64_t ts)
{
	int64_t h = ts / NS_PER_S / 3600;

	if (ts < 0 && ts % (3600 * NS_PER_S) != 0)
		h--;
	h = (h + 3 * 24) % (7 * 24);
	return (uint32_t)(h < 0 ? h + 7 * 24 : h);
}

/* ---------- one point ---------- */

struct eval {
	double med, sd;			/* rolling baseline */
	double z;			/* (x - med) / sd */
	double seas_base, seas_sd;	/* time-of-day baseline */
	double level_mean;
	double vol;			/* recent / long-run mean abs deviation */
	uint32_t slot, wslot;
	int weekly;			/* the hour-of-week baseline is used */
	int seas_ok;			/* seasonal model in charge */
	int flat;			/* the series has never moved */
	double st[MDETECT_NSTAT];	/* statistics; < 0 = not available */
};

/* Score side: compute the statistics from the model; changes nothing. */
static void
evaluate(const struct aiops_mdetect *m, int64_t ts, double x, struct eval *e)
{
	uint32_t i;

	memset(e, 0, sizeof(*e));
	for (i = 0; i < MDETECT_NSTAT; i++)
		e->st[i] = -1;
	e->med = win_q(m, 0.5);
	e->sd = robust_sd(m, e->med);
	e->flat = m->absdev == 0 && m->sorted[0] == m->sorted[m->rlen - 1];
	e->z = (x - e->med) / e->sd;
	/*
	 * In the series' own units: its running quantile is the scale.
	 * (In robust SDs it drifted while the spread estimate settled on
	 * sparse, spiky series, and the slowly falling quantile stayed
	 * locked on early, inflated values.)
	 */
	e->st[ST_SPIKE] = fabs(x - e->med);

	if (m->run >= MDETECT_LEVEL && m->rlen >= 2 * MDETECT_LEVEL) {
		double sum = x;
		for (i = 0; i + 1 < MDETECT_LEVEL; i++)
			sum += win_back(m, i);
		e->level_mean = sum / MDETECT_LEVEL;
		e->st[ST_LEVEL] = fabs(e->level_mean - e->med) / e->sd *
		    sqrt((double)MDETECT_LEVEL);
	}

	/* volatility: only a rise counts (a series that stops moving is a
	 * new shape, which the context model flags) */
	if (m->run >= MDETECT_VOL && m->absdev > 0) {
		e->vol = (m->vsum - m->vdev[m->vpos] + fabs(x - e->med)) /
		    MDETECT_VOL / m->absdev;
		e->st[ST_VOL] = e->vol;
	}

	if (m->nslots != 0) {
		e->slot = slot_of(m, ts);
		/* two full days before the profile is trusted */
		if (m->scnt[e->slot] > 0 &&
		    ts - m->first_ts >= 2 * DAY_S * NS_PER_S) {
			e->seas_base = m->smean[e->slot];
			e->seas_sd = m->seas_err * 1.2533;
			if (e->seas_sd < e->sd * 0.05)
				e->seas_sd = e->sd * 0.05;
			/* in charge only if it halves the rolling median's error */
			e->seas_ok = m->seas_err < 0.5 * m->loc_err;
			/*
			 * The hour-of-week baseline takes over after two
			 * weeks if it beats the daily one clearly (weekends
			 * that differ from weekdays).
			 */
			if (m->dt <= 3600 * NS_PER_S) {
				e->wslot = wslot_of(ts);
				if (m->wcnt[e->wslot] > 0 &&
				    ts - m->first_ts >= 14 * DAY_S * NS_PER_S &&
				    m->wk_err < 0.8 * m->seas_err &&
				    m->wk_err < 0.5 * m->loc_err) {
					e->weekly = 1;
					e->seas_ok = 1;
					e->seas_base = m->wmean[e->wslot];
					e->seas_sd = m->wk_err * 1.2533;
					if (e->seas_sd < e->sd * 0.05)
						e->seas_sd = e->sd * 0.05;
				}
			}
			if (e->seas_ok)
				e->st[ST_SEAS] = fabs(x - e->seas_base) /
				    e->seas_sd;
		}
	}

	if (m->p.context && m->run >= MDETECT_SPAN && m->rescnt >= 16)
		e->st[ST_CTX] = res_nearest(m, x) / e->sd;
}

/* Learn side: fold x into the baselines (after it was scored). */
static void
learn(struct aiops_mdetect *m, int64_t ts, double x, const struct eval *e)
{
	double a = m->n < 1000 ? 1.0 / (m->n + 1) : 0.001;
	double dev = fabs(x - e->med);

	m->absdev += a * (dev - m->absdev);
	m->vsum += dev - m->vdev[m->vpos];
	m->vdev[m->vpos] = dev;
	m->vpos = (m->vpos + 1) % MDETECT_VOL;
	if (m->vpos == 0) {	/* re-add: no rounding drift over months */
		uint32_t i;
		m->vsum = 0;
		for (i = 0; i < MDETECT_VOL; i++)
			m->vsum += m->vdev[i];
	}
	m->loc_err += 0.01 * (dev - m->loc_err);
	if (m->nslots != 0) {
		float *sm = &m->smean[e->slot];
		if (!m->seas_started) {
			m->first_ts = ts;
			m->seas_started = 1;
		}
		if (m->scnt[e->slot] == 0) {
			*sm = to_float(x);
		} else {
			m->seas_err += 0.01 * (fabs(x - *sm) - m->seas_err);
			/* a quarter per visit: follows a pattern within days */
			*sm = to_float(*sm + 0.25 * (x - *sm));
		}
		if (m->scnt[e->slot] < UINT16_MAX)
			m->scnt[e->slot]++;
		if (m->dt <= 3600 * NS_PER_S) {
			uint32_t w = wslot_of(ts);
			float *wm = &m->wmean[w];
			if (m->wcnt[w] == 0) {
				*wm = to_float(x);
			} else {
				m->wk_err += 0.01 * (fabs(x - *wm) - m->wk_err);
				*wm = to_float(*wm + 0.25 * (x - *wm));
			}
			if (m->wcnt[w] < UINT16_MAX)
				m->wcnt[w]++;
		}
	}
	win_push(m, x);
	m->run++;
	if (m->run >= 2 * MDETECT_SPAN && m->n % MDETECT_STRIDE == 0)
		res_insert(m);
}

/*
 * Evidence: the largest statistic relative to its own running upper
 * quantile (index of the winner in *which).  With learnit, each quantile
 * then moves: up by QSTEP*(1-TAIL) in log when exceeded, else down by
 * QSTEP*TAIL, which settles where a fraction TAIL of points exceed it.
 */
static double
evidence(struct aiops_mdetect *m, const struct eval *e, int learnit,
    int *which)
{
	double best = 0;
	int i;

	*which = ST_SPIKE;
	for (i = 0; i < MDETECT_NSTAT; i++) {
		double s = e->st[i];
		int seeded = (m->lq_init >> i) & 1;

		if (s < 0)
			continue;	/* not available for this point */
		s = clamp_finite(s);	/* |x - med| of huge x can overflow */
		if (e->flat && i != ST_SEAS) {
			/*
			 * The series never moved: the spread is the epsilon
			 * floor and any deviation is enormous.  Report the
			 * first one (in epsilon SDs), but keep such values
			 * out of the quantiles, which they would wreck.
			 */
			if (i == ST_SPIKE && fabs(e->z) > best &&
			    m->n >= m->p.warmup) {
				best = fabs(e->z);
				*which = i;
			}
			continue;
		}
		if (seeded && m->nq[i] >= m->p.warmup &&
		    s / exp(m->lq[i]) > best) {
			best = s / exp(m->lq[i]);
			*which = i;
		}
		if (!learnit)
			continue;
		if (m->nq[i] < UINT32_MAX)
			m->nq[i]++;
		/*
		 * A 0 (x exactly at the baseline, common in discrete data)
		 * counts towards the warm-up but does not move the quantile:
		 * it says nothing about the size of deviations, and as a
		 * seed its log would drag the quantile to -inf.
		 */
		if (s <= 0)
			continue;
		if (!seeded) {
			m->lq[i] = log(s);
			m->lq_init |= 1u << i;
		} else if (log(s) > m->lq[i])
			m->lq[i] += MDETECT_QSTEP * (1 - MDETECT_TAIL);
		else
			m->lq[i] -= MDETECT_QSTEP * MDETECT_TAIL;
	}
	return best;
}

/*
 * De-duplicate: damp evidence that does not beat the decaying maximum of
 * recent evidence.  Done on the evidence, not the score, so the half-life
 * means the same whatever the score mapping.
 */
static double
dedup(struct aiops_mdetect *m, double ev, int learnit)
{
	double r = m->recent_max;

	if (m->p.dedup == 0)
		return ev;
	if (ev <= r)
		ev *= MDETECT_DAMP;
	if (learnit)
		m->recent_max = (ev > r ? ev : r) * m->dedup_g;
	return ev;
}

static const char *const wday[7] = {	/* hour-of-week slot / 24 */
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
	"Sunday"
};

/* Fill r->reason; only called for alerts (snprintf is not free). */
static void
explain(const struct aiops_mdetect *m, int64_t ts, double x,
    const struct eval *e, int which, struct aiops_mdetect_result *r)
{
	const char *dir = r->deviation >= 0 ? "above" : "below";
	double dev = fabs(r->deviation);
	int n = 0;

	switch (which) {
	case ST_SEAS: {
		int64_t tod = ts / NS_PER_S % DAY_S;
		if (tod < 0)
			tod += DAY_S;
		if (e->weekly) {
			n = snprintf(r->reason, sizeof(r->reason),
			    "value %.4g is %.1f SDs %s the %s %02d:00 "
			    "baseline of %.4g", x, dev, dir,
			    wday[e->wslot / 24], (int)(e->wslot % 24),
			    r->baseline);
			break;
		}
		tod = tod / (DAY_S / m->nslots) * (DAY_S / m->nslots);
		n = snprintf(r->reason, sizeof(r->reason),
		    "value %.4g is %.1f SDs %s the %02d:%02d time-of-day "
		    "baseline of %.4g", x, dev, dir, (int)(tod / 3600),
		    (int)(tod % 3600 / 60), r->baseline);
		break;
	}
	case ST_LEVEL:
		n = snprintf(r->reason, sizeof(r->reason),
		    "mean of the last %d points, %.4g, is %.1f standard "
		    "errors %s the rolling median of %.4g (level shift)",
		    MDETECT_LEVEL, e->level_mean, e->st[ST_LEVEL],
		    e->level_mean >= e->med ? "above" : "below", e->med);
		break;
	case ST_CTX:
		n = snprintf(r->reason, sizeof(r->reason),
		    "the shape of the last %d points (now %.4g) is %.1f SDs "
		    "away from any seen in the last days (rolling median %.4g)",
		    MDETECT_SPAN, x, e->st[ST_CTX], e->med);
		break;
	case ST_VOL:
		n = snprintf(r->reason, sizeof(r->reason),
		    "the last %d points (now %.4g) vary %.1f times as much as "
		    "usual around the rolling median of %.4g",
		    MDETECT_VOL, x, e->vol, e->med);
		break;
	default:
		if (e->flat) {	/* no spread to count in: say what changed */
			n = snprintf(r->reason, sizeof(r->reason),
			    "value %.4g after %u points that were all %.4g",
			    x, m->rlen, r->baseline);
			break;
		}
		n = snprintf(r->reason, sizeof(r->reason),
		    "value %.4g is %.1f robust SDs %s the rolling median of "
		    "%.4g (last %u points)", x, dev, dir, r->baseline,
		    m->rlen);
		break;
	}
	if (n < 0)
		r->reason[0] = '\0';
	/* n >= size only truncates: still NUL-terminated and readable */
}

/* Warm-up: the first two points only seed the rolling window. */
static double
seed(struct aiops_mdetect *m, int64_t ts, double x, int learnit,
    struct aiops_mdetect_result *out)
{
	if (learnit) {
		learn_dt(m, ts);
		win_push(m, x);
		m->n++;
		m->run++;
		m->last_ts = ts;
	}
	if (out != NULL)
		out->detector = "warmup";
	return 0;
}

double
aiops_mdetect_update(struct aiops_mdetect *m, int64_t ts, double x,
    struct aiops_mdetect_result *out)
{
	struct eval e;
	double ev, score;
	int learnit, which, warm;

	if (out != NULL) {
		memset(out, 0, sizeof(*out));
		out->detector = "none";
	}
	if (!isfinite(x) || fabs(x) > MDETECT_XMAX) {
		if (out != NULL)
			out->detector = "invalid";
		return 0;
	}
	learnit = m->n == 0 || ts > m->last_ts;
	if (learnit && m->n > 0 && m->dt > 0 &&
	    ts - m->last_ts > MDETECT_GAP * m->dt)
		m->run = 0;	/* gap: shapes and short means across it mislead */
	if (m->rlen < 2)
		return seed(m, ts, x, learnit, out);

	warm = m->n < m->p.warmup;
	evaluate(m, ts, x, &e);
	ev = evidence(m, &e, learnit, &which);
	ev = dedup(m, warm ? 0 : ev, learnit);
	/* E^2 / (E^2 + 1), written so that E = inf gives 1, not NaN */
	score = ev > 0 ? 1 / (1 + 1 / (ev * ev)) : 0;
	if (learnit) {
		learn_dt(m, ts);
		learn(m, ts, x, &e);
		m->n++;
		m->last_ts = ts;
	}
	if (score > 1)
		score = 1;
	if (out == NULL)
		return score;
	out->score = score;
	out->detector = warm ? "warmup" : stat_name[which];
	out->baseline = which == ST_SEAS ? e.seas_base : e.med;
	out->spread = which == ST_SEAS ? e.seas_sd : e.sd;
	out->deviation = clamp_finite((x - out->baseline) / out->spread);
	out->alert = score >= aiops_mdetect_threshold(&m->p);
	if (out->alert)
		explain(m, ts, x, &e, which, out);
	return score;
}
