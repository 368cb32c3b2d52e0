/*
 * predict.c: each series onto its grid (the median spacing of its
 * points), its forecast (lib/forecast), the forecast event, the
 * thresholds it reaches within the horizon as prediction events, and
 * what the state keeps of those: a prediction is told again only when it
 * is news (aiops-forecast(1), PREDICTIONS).
 *
 * The state is read while forecasting (no lock: WAL readers never wait)
 * and written once at the end, in one short transaction, so a long run
 * never holds the write lock that aiops-ingest --store needs. An event
 * already written whose row a failed commit lost is told again by the
 * next run: told at least once, never lost.
 */
#include "compat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/numparse.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "event/event.h"
#include "forecast.h"
#include "json/jw.h"
#include "store/predictions.h"
#include "tool/log.h"

/* Series too short to forecast, named one by one up to this many. */
#define SHORT_SHOWN	10

enum op_kind { OP_PUT, OP_TOUCH, OP_DELETE };

/* A write to the predictions table, done at the end (strings owned). */
struct fc_op {
	enum op_kind		 kind;
	struct aiops_prediction	 p;
};

struct fc_ops {
	struct fc_op	*v;
	size_t		 n, cap;
};

/* One series being forecast. */
struct run {
	struct fseries		*s;
	double			*y;		/* the grid: rates for a counter */
	size_t			 n;
	int64_t			 t0, step;
	int64_t			 last_ts;	/* of y[n - 1], the last point */
	double			 last;		/* the last finite value */
	struct aiops_fc		 f;
	struct aiops_prediction_list stored;
	unsigned char		*held;		/* per stored: still predicted */
	struct fc_chart_mark	 mark;
};

static unsigned long nshort;

/*
 * A member of value aiops_round7(v), written as printf's %.7g gives it (valid
 * JSON, "1.234568e+10" included): a forecast writes three numbers a
 * step, and formatting each twice was most of a long horizon's time.
 */
static void
knum7(struct aiops_jw *w, const char *k, double v)
{
	char buf[32];
	int n;

	aiops_jw_key(w, k, strlen(k));
	if (!isfinite(v) || (n = snprintf(buf, sizeof(buf), "%.7g", v)) < 0 ||
	    (size_t)n >= sizeof(buf)) {
		aiops_jw_null(w);
		return;
	}
	aiops_jw_raw(w, buf, (size_t)n);
}

static void
op_add(struct fcast *fc, enum op_kind kind, const struct aiops_prediction *p)
{
	struct fc_ops *o = fc->ops;
	struct fc_op *op;

	if (o->n == o->cap) {
		o->cap = o->cap ? 2 * o->cap : 16;
		o->v = xreallocarray(o->v, o->cap, sizeof(*o->v));
	}
	op = &o->v[o->n++];
	op->kind = kind;
	op->p = *p;
	op->p.series_key = xstrdup(p->series_key);
	op->p.direction = xstrdup(p->direction);
	op->p.name = p->name != NULL ? xstrdup(p->name) : NULL;
	op->p.host = p->host != NULL ? xstrdup(p->host) : NULL;
	op->p.model = p->model != NULL ? xstrdup(p->model) : NULL;
	op->p.event = p->event != NULL ? xstrndup(p->event, p->elen) : NULL;
}

static void
ops_free(struct fc_ops *o)
{
	size_t i;

	for (i = 0; i < o->n; i++) {
		free((void *)o->v[i].p.series_key);
		free((void *)o->v[i].p.direction);
		free((void *)o->v[i].p.name);
		free((void *)o->v[i].p.host);
		free((void *)o->v[i].p.model);
		free((void *)o->v[i].p.event);
	}
	free(o->v);
	free(o);
}

/* The head every event about series s starts with. */
static void
head(struct aiops_event_head *h, const char *type, const struct fseries *s, int64_t ts,
    const char *idkey, size_t idklen)
{
	memset(h, 0, sizeof(*h));
	h->type = type;
	h->ts = ts;
	h->host = s->host;
	h->hlen = s->host != NULL ? strlen(s->host) : 0;
	h->cluster = s->cluster;
	h->source = "aiops-forecast";
	h->labels = s->labels;
	h->nlabels = s->nlabels;
	h->idkey = idkey;
	h->idklen = idklen;
}

static void
ktime(struct aiops_jw *w, const char *k, int64_t ns)
{
	char buf[AIOPS_TIME_BUFSZ];

	aiops_time_format(ns, buf);
	aiops_jw_kcstr(w, k, buf);
}

static void
write_forecast(struct fcast *fc, const struct run *r)
{
	const struct fseries *s = r->s;
	struct aiops_event_head h;
	struct aiops_jw w;
	size_t i;

	head(&h, "forecast", s, r->last_ts, s->key, strlen(s->key));
	aiops_jw_init(&w, &fc->out.buf);
	aiops_event_begin(&w, &h);
	aiops_jw_kcstr(&w, "name", s->name);
	aiops_jw_kcstr(&w, "series", s->key);
	aiops_jw_kcstr(&w, "model", r->f.model);
	aiops_jw_kint(&w, "season", (int64_t)r->f.season);
	aiops_jw_knum(&w, "level", fc->level);
	aiops_jw_knum(&w, "step", (double)r->step / AIOPS_NS_PER_SEC);
	aiops_jw_kint(&w, "horizon", (int64_t)r->f.h);
	aiops_jw_kint(&w, "n", (int64_t)r->f.n_used);
	aiops_jw_knum(&w, "sigma", aiops_round7(r->f.sigma));
	aiops_jw_knum(&w, "mase", aiops_round7(r->f.mase));
	if (r->f.note[0] != '\0')
		aiops_jw_kcstr(&w, "note", r->f.note);
	if (s->counter) {
		aiops_jw_key(&w, "rate", 4);
		aiops_jw_bool(&w, 1);
	}
	aiops_jw_key(&w, "forecast", 8);
	aiops_jw_array_begin(&w);
	for (i = 0; i < r->f.h; i++) {
		aiops_jw_object_begin(&w);
		ktime(&w, "ts", r->last_ts + (int64_t)(i + 1) * r->step);
		knum7(&w, "value", r->f.mean[i]);
		knum7(&w, "lo", r->f.lo[i]);
		knum7(&w, "hi", r->f.hi[i]);
		aiops_jw_object_end(&w);
	}
	aiops_jw_array_end(&w);
	aiops_jw_object_end(&w);
	aiops_out_end(&fc->out);
}

/* A time steps (fractional) after the last point, to the second. */
static int64_t
after(const struct run *r, double steps)
{
	double ns = steps * (double)r->step;

	return r->last_ts + llround(ns / AIOPS_NS_PER_SEC) * AIOPS_NS_PER_SEC;
}

static double
hours(int64_t from, int64_t to)
{
	return round((double)(to - from) / (3600.0 * AIOPS_NS_PER_SEC) * 100) / 100;
}

/* The id of a prediction: its series, threshold and direction, and ts. */
static size_t
prediction_idkey(const struct run *r, const struct aiops_prediction *p, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s%c%s%c%.17g", r->s->key, 0, p->direction, 0, p->threshold);

	return n < 0 ? 0 : (size_t)n >= len ? len - 1 : (size_t)n;
}

/* Writes the prediction event p (the part common to a cleared one). */
static void
prediction_begin(struct fcast *fc, const struct run *r, const struct aiops_prediction *p,
    struct aiops_jw *w)
{
	struct aiops_event_head h;
	char idkey[1024];

	head(&h, "prediction", r->s, r->last_ts, idkey, prediction_idkey(r, p, idkey, sizeof(idkey)));
	aiops_jw_init(w, &fc->out.buf);
	aiops_event_begin(w, &h);
	aiops_jw_kcstr(w, "name", r->s->name);
	aiops_jw_kcstr(w, "series", r->s->key);
	aiops_jw_kcstr(w, "model", r->f.model);
	aiops_jw_knum(w, "threshold", p->threshold);
	aiops_jw_kcstr(w, "direction", p->direction);
	aiops_jw_knum(w, "value", aiops_round7(r->last));
}

/* Writes p's event; p->event and p->elen then point at it in the output. */
static void
write_prediction(struct fcast *fc, const struct run *r, struct aiops_prediction *p,
    const char *rule)
{
	struct aiops_jw w;
	size_t start = fc->out.buf.len;

	prediction_begin(fc, r, p, &w);
	if (rule != NULL)
		aiops_jw_kcstr(&w, "rule", rule);
	ktime(&w, "eta", p->eta);
	ktime(&w, "eta_lo", p->eta_lo);
	if (p->has_eta_hi)
		ktime(&w, "eta_hi", p->eta_hi);
	else {
		aiops_jw_key(&w, "eta_hi", 6);
		aiops_jw_null(&w);
	}
	aiops_jw_knum(&w, "hours_left", hours(r->last_ts, p->eta));
	aiops_jw_knum(&w, "hours_left_lo", hours(r->last_ts, p->eta_lo));
	if (p->has_eta_hi)
		aiops_jw_knum(&w, "hours_left_hi", hours(r->last_ts, p->eta_hi));
	else {
		aiops_jw_key(&w, "hours_left_hi", 13);
		aiops_jw_null(&w);
	}
	if (p->crossed) {
		aiops_jw_key(&w, "crossed", 7);
		aiops_jw_bool(&w, 1);
	}
	aiops_jw_object_end(&w);
	p->event = fc->out.buf.data + start;
	p->elen = fc->out.buf.len - start;
	if (fc->state != NULL)
		op_add(fc, OP_PUT, p);
	if (!fc->spark)
		aiops_out_end(&fc->out);
	else
		aiops_out_rollback(&fc->out, start);	/* stored, not shown */
	fc->npredictions++;
}

/* A stored prediction that no longer holds: told once more, then deleted. */
static void
write_cleared(struct fcast *fc, const struct run *r, const struct aiops_prediction *old)
{
	struct aiops_jw w;

	if (!fc->spark) {
		prediction_begin(fc, r, old, &w);
		aiops_jw_kcstr(&w, "status", "cleared");
		ktime(&w, "previous_eta", old->eta);
		aiops_jw_object_end(&w);
		aiops_out_end(&fc->out);
	}
	op_add(fc, OP_DELETE, old);
	fc->ncleared++;
}

/* The stored prediction of r's series for this threshold, or -1. */
static long
stored_index(const struct run *r, double threshold, const char *direction)
{
	size_t i;

	for (i = 0; i < r->stored.n; i++)
		if (r->stored.v[i].threshold == threshold &&
		    strcmp(r->stored.v[i].direction, direction) == 0)
			return (long)i;
	return -1;
}

/*
 * Is p news against what was told (old)? New; crossed now and not then
 * (or back); the far edge come within the horizon or gone past it; or
 * the ETA moved by more than forecast.reemit_share of the time left.
 */
static int
is_news(const struct fcast *fc, const struct run *r, const struct aiops_prediction *p,
    const struct aiops_prediction *old)
{
	double left;

	if (old == NULL || p->crossed != old->crossed)
		return 1;
	if (p->crossed)
		return 0;
	if (p->has_eta_hi != old->has_eta_hi)
		return 1;
	left = (double)(p->eta - r->last_ts);
	if (left < (double)r->step)
		left = (double)r->step;
	return fabs((double)(p->eta - old->eta)) > fc->reemit_share * left;
}

/* The chart's threshold mark and the --spark text: the soonest prediction. */
static void
mark(struct run *r, const struct aiops_prediction *p, double eta, double lo, double hi)
{
	struct fc_chart_mark *m = &r->mark;

	m->threshold = p->threshold;
	m->eta = eta;
	m->eta_lo = lo >= 0 ? lo : eta;
	m->eta_hi = hi;
	if (p->crossed)
		snprintf(m->text, sizeof(m->text), "%.15g %s: past it now", p->threshold,
		    p->direction);
	else if (p->has_eta_hi)
		snprintf(m->text, sizeof(m->text), "%.15g in %.1f h (%.1f to %.1f h)",
		    p->threshold, hours(r->last_ts, p->eta), hours(r->last_ts, p->eta_lo),
		    hours(r->last_ts, p->eta_hi));
	else
		snprintf(m->text, sizeof(m->text), "%.15g in %.1f h (%.1f h to past the horizon)",
		    p->threshold, hours(r->last_ts, p->eta), hours(r->last_ts, p->eta_lo));
}

/* One threshold: a prediction when the mean path reaches it, or it is crossed. */
static void
check_rule(struct fcast *fc, struct run *r, const struct fc_rule *rule)
{
	struct aiops_prediction p;
	double eta, lo, hi;
	long k;
	int rc;

	rc = aiops_fc_crossing(&r->f, r->last, rule->value, rule->dir, &eta, &lo, &hi);
	if (!r->mark.has_threshold) {
		r->mark.has_threshold = 1;
		r->mark.threshold = rule->value;
		r->mark.eta = r->mark.eta_lo = r->mark.eta_hi = -1;
	}
	if (rc != 1 && rc != 3)
		return;
	memset(&p, 0, sizeof(p));
	p.series_key = r->s->key;
	p.threshold = rule->value;
	p.direction = rule->dir > 0 ? "above" : "below";
	p.name = r->s->name;
	p.host = r->s->host;
	p.ts = r->last_ts;
	p.eta = after(r, eta);
	p.eta_lo = after(r, lo >= 0 ? lo : eta);
	p.has_eta_hi = hi >= 0;
	p.eta_hi = p.has_eta_hi ? after(r, hi) : 0;
	p.crossed = rc == 3;
	p.value = r->last;
	p.model = r->f.model;
	p.seen = aiops_clock_now();
	if (r->mark.text[0] == '\0' || eta < r->mark.eta)
		mark(r, &p, eta, lo, hi);
	k = stored_index(r, p.threshold, p.direction);
	if (k >= 0)
		r->held[k] = 1;
	if (fc->state == NULL || is_news(fc, r, &p, k >= 0 ? &r->stored.v[k] : NULL)) {
		write_prediction(fc, r, &p, rule->id);
	} else {
		op_add(fc, OP_TOUCH, &p);
	}
}

/* The predictions of a series: its rules, then the stored ones not held. */
static void
predictions(struct fcast *fc, struct run *r)
{
	size_t i;

	if (fc->state != NULL) {
		if (aiops_predictions_of(fc->state, r->s->key, &r->stored) == -1)
			forecast_state_fatal(fc, "reading the stored predictions");
		r->held = xcalloc(r->stored.n + 1, 1);
	}
	for (i = 0; i < fc->nrules; i++)
		if (forecast_rule_applies(&fc->rules[i], r->s))
			check_rule(fc, r, &fc->rules[i]);
	for (i = 0; i < r->stored.n; i++)
		if (!r->held[i])
			write_cleared(fc, r, &r->stored.v[i]);
	aiops_prediction_list_release(&r->stored);
	free(r->held);
	r->held = NULL;
}

static void
too_short(const struct fseries *s, size_t n, const char *why)
{
	if (++nshort <= SHORT_SHOWN)
		log_warnx("%s: %zu point%s: %s", s->key, n, n == 1 ? "" : "s", why);
}

/* The horizon in steps of the series' grid. */
static size_t
horizon_steps(const struct fcast *fc, const struct run *r)
{
	static int warned;
	int64_t h;

	if (fc->horizon.dur == 0)
		return fc->horizon.steps;
	h = (fc->horizon.dur + r->step - 1) / r->step;
	if (h < 1)
		h = 1;
	if (h > FC_MAX_HORIZON) {
		if (!warned++)
			log_warnx("%s: the horizon is %lld steps of %.15g s: %d forecast (said once)",
			    r->s->key, (long long)h, (double)r->step / AIOPS_NS_PER_SEC, FC_MAX_HORIZON);
		h = FC_MAX_HORIZON;
	}
	return (size_t)h;
}

/* The grid of a series; 0, or -1 when it has too few points (said). */
static int
grid(struct run *r)
{
	size_t i, finite = 0;

	r->n = aiops_fc_grid(r->s->ts, r->s->v, r->s->n, 0, FC_MAX_HISTORY, &r->y, &r->t0,
	    &r->step);
	if (r->n > 0 && r->s->counter)
		aiops_fc_counter_rate(r->y, r->n, r->step);
	r->last = NAN;
	for (i = 0; i < r->n; i++)
		if (isfinite(r->y[i])) {
			finite++;
			r->last = r->y[i];
		}
	if (finite < AIOPS_FC_MIN_POINTS) {
		too_short(r->s, r->s->counter ? finite : r->s->n, r->s->counter ?
		    "too few rates to forecast (at least 3)" : "too few to forecast (at least 3)");
		return -1;
	}
	r->last_ts = r->t0 + (int64_t)(r->n - 1) * r->step;
	return 0;
}

/* A forecast with a value that is not a number is no forecast. */
static int
finite_forecast(const struct aiops_fc *f)
{
	size_t i;

	for (i = 0; i < f->h; i++)
		if (!isfinite(f->mean[i]))
			return 0;
	return 1;
}

/* Does a threshold apply to s (and its ETA need the sample paths)? */
static int
has_rule(const struct fcast *fc, const struct fseries *s)
{
	size_t i;

	for (i = 0; i < fc->nrules; i++)
		if (forecast_rule_applies(&fc->rules[i], s))
			return 1;
	return 0;
}

static void
forecast_series(struct fcast *fc, struct fseries *s)
{
	struct aiops_fc_opts o;
	struct run r;

	memset(&r, 0, sizeof(r));
	r.s = s;
	r.mark.eta = r.mark.eta_lo = r.mark.eta_hi = -1;
	if (grid(&r) == -1)
		goto out;
	memset(&o, 0, sizeof(o));
	o.horizon = horizon_steps(fc, &r);
	o.level = fc->level;
	o.step = r.step;
	o.model = fc->model;
	o.paths = has_rule(fc, s);
	if (aiops_fc_forecast(r.y, r.n, &o, &r.f) == -1 || !finite_forecast(&r.f)) {
		log_warnx("%s: no forecast: %s", s->key, r.f.note[0] != '\0' ? r.f.note :
		    "its values are too large to forecast");
		goto out;
	}
	if (!fc->spark)
		write_forecast(fc, &r);
	fc->nforecasts++;
	predictions(fc, &r);
	forecast_chart(fc, s, r.y, r.n, r.t0, r.step, &r.f, &r.mark);
	aiops_out_commit(&fc->out);
out:
	aiops_fc_release(&r.f);
	free(r.y);
}

/* The writes of the run, in one transaction, and the retention. */
static void
store(struct fcast *fc)
{
	struct fc_ops *o = fc->ops;
	uint64_t expired = 0;
	size_t i;
	int rc = 0;

	if (fc->state == NULL)
		return;
	if (aiops_state_begin(fc->state) == -1)
		forecast_state_fatal(fc, "storing the predictions");
	for (i = 0; i < o->n && rc == 0; i++) {
		const struct aiops_prediction *p = &o->v[i].p;

		if (o->v[i].kind == OP_PUT)
			rc = aiops_predictions_put(fc->state, p);
		else if (o->v[i].kind == OP_TOUCH)
			rc = aiops_predictions_touch(fc->state, p->series_key, p->threshold,
			    p->direction, p->seen);
		else
			rc = aiops_predictions_delete(fc->state, p->series_key, p->threshold,
			    p->direction);
	}
	if (rc == 0 && fc->retention > 0)
		rc = aiops_predictions_expire(fc->state, aiops_clock_now() - fc->retention,
		    &expired);
	if (rc == -1 || aiops_state_commit(fc->state) == -1) {
		aiops_state_rollback(fc->state);
		forecast_state_fatal(fc, "storing the predictions");
	}
	if (expired > 0)
		log_info("%llu predictions not renewed for the retention deleted",
		    (unsigned long long)expired);
}

void
forecast_all(struct fcast *fc)
{
	size_t i;

	fc->ops = xcalloc(1, sizeof(*fc->ops));
	for (i = 0; i < fc->series.len; i++)
		forecast_series(fc, fc->series.ents[i].val);
	if (nshort > SHORT_SHOWN)
		log_warnx("%lu more series too short to forecast", nshort - SHORT_SHOWN);
	store(fc);
	ops_free(fc->ops);
	fc->ops = NULL;
	log_info("%zu series, %lu forecasts, %lu predictions, %lu cleared", fc->series.len,
	    fc->nforecasts, fc->npredictions, fc->ncleared);
}
