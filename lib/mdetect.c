/*
 * mdetect.c - streaming anomaly detection for one metric series.
 * See mdetect.h for the contract; this file explains the method.
 *
 * Four statistics are computed for each point, each from the model as it
 * was before the point (no look-ahead):
 *
 *   spike     |x - median| / robust SD over the last MDETECT_WIN points;
 *   level     the same for the mean of the last MDETECT_LEVEL points,
 *             scaled by sqrt(MDETECT_LEVEL) (a standard error), so a
 *             sustained shift too small for "spike" still shows;
 *   seasonal  |x - time-of-day baseline| / seasonal SD, used only while
 *             the seasonal baseline predicts the series clearly better
 *             than the rolling median (so it stays silent on series
 *             without a daily rhythm);
 *   context   distance from the last MDETECT_CTX points to the nearest
 *             stored past shape, in robust SDs (the confirming model:
 *             it flags shapes never seen before even when every single
 *             value is ordinary, such as a missing daily peak).
 *
 * Operations data differ wildly in how heavy their tails are, so no fixed
 * z threshold suits them all.  Each statistic is therefore divided by its
 * own running upper quantile (MDETECT_TAIL: about 1 point in 2000 exceeds
 * it), tracked in the log domain with a fixed step (a scale-free
 * stochastic quantile estimate).  The evidence E is the largest of these
 * ratios, and the score is E^2 / (E^2 + 1): 0.5 when the strongest
 * statistic sits at its own 1-in-2000 level.  Because each exceedance
 * raises the quantile, a series that keeps producing large values soon
 * stops being surprising (a busy series alerts about as rarely as a calm
 * one).
 *
 * Alert de-duplication: a score that is not above the decaying maximum of
 * recent scores (half-life p.dedup points) is multiplied by
 * MDETECT_DAMP, so one incident gives one alert unless it grows.
 */
#include "mdetect.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_S	1000000000LL
#define DAY_S		86400LL

/*
 * Sizes.  Each trades memory and speed against how much of the past the
 * model remembers; the values are ordinary choices, not fitted.
 */
#ifndef MDETECT_WIN
#define MDETECT_WIN	128	/* rolling window: ~10 h at 5-min samples */
#endif
#ifndef MDETECT_CTX
#define MDETECT_CTX	8	/* shape length for the context model */
#endif
#ifndef MDETECT_RES
#define MDETECT_RES	192	/* stored past shapes ... */
#endif
#ifndef MDETECT_STRIDE
#define MDETECT_STRIDE	4	/* ... one every 4 points: ~2.7 days at 5 min */
#endif
#define MDETECT_LEVEL	12	/* level-shift window: an hour at 5 min */
#define MDETECT_SEAS	96	/* time-of-day slots, at most 15 min each */
#define MDETECT_DTN	31	/* deltas used to estimate the sampling interval */
#define MDETECT_GAP	10	/* missing intervals that make a gap */
#define MDETECT_NSTAT	4

#ifdef MDETECT_DEV
/* development knobs: MDk=value in the environment (bench tuning only) */
static double
dv(int k, double def)
{
	char name[16];
	const char *v;

	snprintf(name, sizeof(name), "MD%d", k);
	v = getenv(name);
	return v != NULL ? atof(v) : def;
}
#define DV(k, def) dv(k, def)
#else
#define DV(k, def) (def)
#endif

/* Tail probability the per-statistic quantile tracks, and its log step. */
#define MDETECT_TAIL	DV(11, 0.0005)
#define MDETECT_QSTEP	DV(6, 0.2)
/* Factor applied to a repeated (not stronger) score. */
#define MDETECT_DAMP	DV(7, 0.1)

#define MAGIC	0x6d646574u	/* "mdet" */
#define VERSION	1u

enum { ST_SPIKE, ST_SEAS, ST_CTX, ST_LEVEL };
static const char *const stat_name[MDETECT_NSTAT] = {
	"spike", "seasonal", "context", "level"
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

	/* sampling interval estimation */
	int64_t dts[MDETECT_DTN];
	uint32_t ndts;

	/* seasonal (time of day) baseline */
	uint32_t nslots;	/* 0 = not seasonal (yet) */
	int64_t first_ts;	/* first point learned into the profile */
	double seas_err;	/* EW mean |x - slot mean| */
	double loc_err;		/* EW mean |x - rolling median| */
	float smean[MDETECT_SEAS];
	uint16_t scnt[MDETECT_SEAS];

	/* context model: past shapes */
	float res[MDETECT_RES][MDETECT_CTX];
	uint32_t rescnt, respos;

	/* calibration: log of each statistic's upper quantile */
	double lq[MDETECT_NSTAT];
	uint32_t lq_init;	/* bit i: lq[i] seeded */

	/* de-duplication */
	double recent_max;	/* decaying max of recent evidence */
};

/* ---------- params ---------- */

void
aiops_mdetect_params_default(struct aiops_mdetect_params *p)
{
	p->sensitivity = 0.5;
	p->warmup = 200;
	p->dedup = 150;
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

/* ---------- lifecycle and persistence ---------- */

struct aiops_mdetect *
aiops_mdetect_new(const struct aiops_mdetect_params *p)
{
	struct aiops_mdetect *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->magic = MAGIC;
	m->version = VERSION;
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
	m->dedup_g = m->p.dedup > 0 ? pow(0.5, 1.0 / (m->p.dedup * DV(8, 1))) : 0;
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
	if (m->magic != MAGIC || m->version != VERSION ||
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

/* Store the shape that ends MDETECT_CTX points before the newest point,
 * so the current shape is never compared with one overlapping it. */
static void
res_insert(struct aiops_mdetect *m)
{
	float *c = m->res[m->respos];
	uint32_t i;

	for (i = 0; i < MDETECT_CTX; i++)
		c[i] = (float)win_back(m, MDETECT_CTX + i);
	m->respos = (m->respos + 1) % MDETECT_RES;
	if (m->rescnt < MDETECT_RES)
		m->rescnt++;
}

/* RMS distance from the current shape (x and the newest points) to the
 * nearest stored shape. */
static double
res_nearest(const struct aiops_mdetect *m, double x)
{
	float q[MDETECT_CTX];
	float best = INFINITY;
	uint32_t i, j;

	q[0] = (float)x;
	for (i = 1; i < MDETECT_CTX; i++)
		q[i] = (float)win_back(m, i - 1);
	for (j = 0; j < m->rescnt; j++) {
		const float *c = m->res[j];
		float d = 0;
		for (i = 0; i < MDETECT_CTX; i++) {
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

/* ---------- one point ---------- */

struct eval {
	double med, sd;			/* rolling baseline */
	double seas_base, seas_sd;	/* time-of-day baseline */
	double level_mean;
	uint32_t slot;
	int seas_ok;			/* seasonal model in charge */
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
	e->st[ST_SPIKE] = fabs(x - e->med) / e->sd;

	if (m->run >= MDETECT_LEVEL && m->rlen >= 2 * MDETECT_LEVEL) {
		double sum = x;
		for (i = 0; i + 1 < MDETECT_LEVEL; i++)
			sum += win_back(m, i);
		e->level_mean = sum / MDETECT_LEVEL;
		e->st[ST_LEVEL] = fabs(e->level_mean - e->med) / e->sd *
		    sqrt((double)MDETECT_LEVEL);
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
			e->seas_ok = m->seas_err < 0.7 * m->loc_err;
			if (e->seas_ok)
				e->st[ST_SEAS] = fabs(x - e->seas_base) /
				    e->seas_sd;
		}
	}

	if (m->p.context && m->run >= MDETECT_CTX && m->rescnt >= 16)
		e->st[ST_CTX] = res_nearest(m, x) / e->sd;
}

/* Learn side: fold x into the baselines (after it was scored). */
static void
learn(struct aiops_mdetect *m, int64_t ts, double x, const struct eval *e)
{
	double a = m->n < 1000 ? 1.0 / (m->n + 1) : 0.001;
	double dev = fabs(x - e->med);

	m->absdev += a * (dev - m->absdev);
	m->loc_err += 0.01 * (dev - m->loc_err);
	if (m->nslots != 0) {
		float *sm = &m->smean[e->slot];
		if (m->first_ts == 0)
			m->first_ts = ts;
		if (m->scnt[e->slot] == 0) {
			*sm = (float)x;
		} else {
			m->seas_err += 0.01 * (fabs(x - *sm) - m->seas_err);
			/* a quarter per visit: follows a pattern within days */
			*sm += (float)(0.25 * (x - *sm));
		}
		if (m->scnt[e->slot] < UINT16_MAX)
			m->scnt[e->slot]++;
	}
	win_push(m, x);
	m->run++;
	if (m->run >= 2 * MDETECT_CTX && m->n % MDETECT_STRIDE == 0)
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
		double s = e->st[i], ls;

		/* 0 (x exactly at the baseline, common in discrete data)
		 * says nothing about the tail and would drag it to -inf */
		if (s <= 0)
			continue;
		ls = log(s);
		if ((m->lq_init & (1u << i)) && s / exp(m->lq[i]) > best) {
			best = s / exp(m->lq[i]);
			*which = i;
		} else if (i == ST_SPIKE && !(m->lq_init & 1u) && s > best) {
			/* first deviation ever of a so far constant series:
			 * in SDs of the epsilon spread, i.e. enormous */
			best = s;
			*which = i;
		}
		if (!learnit)
			continue;
		if (!(m->lq_init & (1u << i))) {
			m->lq[i] = ls;
			m->lq_init |= 1u << i;
		} else if (ls > m->lq[i])
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

static const char *const wday[7] = {
	"Thursday", "Friday", "Saturday", "Sunday", "Monday", "Tuesday",
	"Wednesday"	/* 1970-01-01 was a Thursday */
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
		int64_t s = ts / NS_PER_S, d = s / DAY_S, tod = s % DAY_S;
		if (tod < 0) {
			tod += DAY_S;
			d--;
		}
		tod = tod / (DAY_S / m->nslots) * (DAY_S / m->nslots);
		n = snprintf(r->reason, sizeof(r->reason),
		    "value %.4g is %.1f SDs %s the %s %02d:%02d time-of-day "
		    "baseline of %.4g", x, dev, dir, wday[((d % 7) + 7) % 7],
		    (int)(tod / 3600), (int)(tod % 3600 / 60), r->baseline);
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
		    "the last %d points (now %.4g) form a pattern %.1f SDs "
		    "away from any seen recently (rolling median %.4g)",
		    MDETECT_CTX, x, e->st[ST_CTX], e->med);
		break;
	default:
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
	if (!isfinite(x)) {
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
	score = ev * ev / (ev * ev + 1);
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
	out->deviation = (x - out->baseline) / out->spread;
	out->alert = score >= aiops_mdetect_threshold(&m->p);
	if (out->alert)
		explain(m, ts, x, &e, which, out);
	return score;
}
