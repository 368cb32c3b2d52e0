/*
 * lograte.c: per-minute counts of log lines, scored as the metrics
 * log_template_rate (one series per template) and log_error_rate (one per
 * host) by the metric detectors (detect_point).
 *
 * A template's count gets a model only once one of its minutes reaches
 * the alert floor (detect.logs.min_burst; a minute below it can never
 * alert, see rate_point()): text that never forms templates makes a
 * template a line, and a model each (1.6 KB, 1.8 KB stored) made the
 * state of 100,000 such lines 196 MB. Until then a template keeps its
 * minute and count (struct tmpl). The model, when made, is first given
 * the baseline the template had: its lines before that minute over the
 * minutes since its first line, as Poisson counts of that mean (the last
 * SEED_MAX minutes, seed()), so a template seen once a day that writes
 * 80 lines in a minute is a burst against zeros, as it was when every
 * template had a model, and one steady just under the floor is not.
 *
 * Each minute closes only the counts on the active list: those that
 * counted a line in the last MAX_ZERO_FILL minutes. A count quiet for
 * longer leaves it, after its model has been given those quiet minutes
 * as zeros; when it counts again its model is first given the zeros of
 * the minutes just before (MAX_ZERO_FILL at most), so its burst is scored
 * against them, not held as a point far ahead of the model's clock. The
 * work is thus at most 2 * MAX_ZERO_FILL + 1 points a minute counted.
 */
#include "compat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "logdet.h"
#include "store/logs.h"
#include "store/models.h"

#define NS_PER_MIN	(60 * AIOPS_NS_PER_SEC)
#define MAX_ZERO_FILL	60	/* quiet minutes fed after a count, and before the next */
#define SEED_MAX	128	/* minutes of baseline a new model gets: its rolling window */
/* struct rate's fed: 0 never; this: in an earlier run, when not known */
#define FED_BEFORE	INT64_MIN

#define TEMPLATE_RATE	"log_template_rate"
#define ERROR_RATE	"log_error_rate"
#define TEMPLATE_KEY	TEMPLATE_RATE "{template_id=\""	/* its series keys begin so */

static struct rate *
rate_new(const char *name, const char *host, size_t hlen, uint64_t tid)
{
	struct rate *r = xcalloc(1, sizeof(*r));

	r->name = name;
	r->host = host != NULL ? xstrndup(host, hlen) : NULL;
	r->tid = tid;
	return r;
}

static void
rate_free(void *p)
{
	struct rate *r = p;

	if (r != NULL)
		free(r->host);
	free(r);
}

/* Appends v to the array *a of *n, capacity *cap. */
static void
push_id(uint64_t **a, size_t *n, size_t *cap, uint64_t v)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*a = xreallocarray(*a, *cap, sizeof(**a));
	}
	(*a)[(*n)++] = v;
}

struct tmpl *
lograte_tmpl(struct logdet *l, uint64_t tid, int make)
{
	if (tid > LOG_OVERFLOW_BASE) {
		uint64_t k = tid - LOG_OVERFLOW_BASE;

		return k <= l->noverflows && l->overflows[k - 1] != NULL ?
		    &l->overflows[k - 1]->over_tmpl : NULL;
	}
	if (tid >= l->ntmpls && !make)
		return NULL;
	/* The miner's ids are small and dense, so an array. */
	if (tid >= l->ntmpls) {
		size_t n = l->ntmpls ? l->ntmpls : 64;

		while (n <= tid)
			n *= 2;
		l->tmpls = xreallocarray(l->tmpls, n, sizeof(*l->tmpls));
		memset(l->tmpls + l->ntmpls, 0, (n - l->ntmpls) * sizeof(*l->tmpls));
		l->ntmpls = n;
	}
	return &l->tmpls[tid];
}

static struct rate *
error_rate(struct logdet *l, const char *host, size_t hlen)
{
	struct rate *r;

	if (host == NULL)
		host = "", hlen = 0;
	r = aiops_hmap_get(&l->by_host, host, hlen);
	if (r == NULL) {
		r = rate_new(ERROR_RATE, hlen ? host : NULL, hlen, 0);
		r->ord = l->by_host.len;
		aiops_hmap_put(&l->by_host, host, hlen, r);
	}
	return r;
}

/* ---- scoring ---- */

/*
 * Scores one minute's count as a point of the metric r names. need: the
 * count a point needs to alert; the baseline and zeros given to a model
 * (seed(), wake()) are learned, never alerted on.
 */
static void
rate_point(struct detect *d, struct rate *r, int64_t minute, double count, double need)
{
	struct aiops_label lab[1];
	struct aiops_metric m;
	char tid[24];

	memset(&m, 0, sizeof(m));
	m.ts = minute + NS_PER_MIN;	/* the count is known when the minute ends */
	m.name = r->name;
	m.nlen = strlen(r->name);
	m.value = count;
	m.unit = "lines/min";
	m.source = "aiops-detect";
	m.labels = lab;
	if (r->host != NULL) {
		m.host = r->host;
		m.hlen = strlen(r->host);
	}
	if (r->tid != 0) {
		lab[0].key = "template_id";
		lab[0].klen = 11;
		lab[0].val = tid;
		lab[0].vlen = (size_t)snprintf(tid, sizeof(tid), "%llu", (unsigned long long)r->tid);
		m.nlabels = 1;
	}
	d->min_alert_value = need;
	detect_point(d, &m, NULL, NULL, 0);
	d->min_alert_value = 0;
	if (minute > r->fed)
		r->fed = minute;
}

/* Closes r's count if its minute ended before `minute`, zeros after it. */
static void
rate_close(struct detect *d, struct rate *r, int64_t minute)
{
	int64_t m;
	int n;

	if (r->minute >= minute)
		return;
	rate_point(d, r, r->minute, (double)r->count, d->logs->min_burst);
	for (m = r->minute + NS_PER_MIN, n = 0; m < minute && n < MAX_ZERO_FILL;
	    m += NS_PER_MIN, n++)
		rate_point(d, r, m, 0, INFINITY);
	r->minute = minute;
	r->count = 0;
}

/* ---- the active list ---- */

/* Templates by id, then hosts as first seen: the walk of before, kept. */
static int
walk_order(const void *a, const void *b)
{
	const struct rate *x = *(struct rate *const *)a, *y = *(struct rate *const *)b;

	if ((x->tid == 0) != (y->tid == 0))
		return x->tid == 0 ? 1 : -1;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	return x->ord < y->ord ? -1 : x->ord > y->ord;
}

static void
activate(struct logdet *l, struct rate *r)
{
	if (r->active)
		return;
	if (l->nactive == l->capactive) {
		l->capactive = l->capactive ? l->capactive * 2 : 64;
		l->active = xreallocarray(l->active, l->capactive, sizeof(*l->active));
	}
	l->active[l->nactive++] = r;
	r->active = 1;
	l->sorted = 0;
}

/*
 * A count that comes back after quiet minutes: its model is given the
 * zeros of those just before (not of those it was already given), so the
 * count is scored as the next point of its series. A template's model
 * from an earlier run gets the last MAX_ZERO_FILL minutes (those older
 * than its last point are not learned again). A count not scored in this
 * run and with no model known (a host's error lines) starts with its
 * first minute, as before.
 */
static void
wake(struct detect *d, struct rate *r, int64_t minute)
{
	int64_t from = minute - MAX_ZERO_FILL * NS_PER_MIN, m;

	if (r->fed == 0)
		return;
	if (r->fed != FED_BEFORE && r->fed + NS_PER_MIN > from)
		from = r->fed + NS_PER_MIN;
	for (m = from; m < minute; m += NS_PER_MIN)
		rate_point(d, r, m, 0, INFINITY);
}

static void
rate_count(struct detect *d, struct rate *r, int64_t minute)
{
	if (!r->active) {
		wake(d, r, minute);
		activate(d->logs, r);
	}
	if (r->count == 0 && r->minute < minute)
		r->minute = minute;
	r->count++;
	r->last = minute;
}

/*
 * Closes the minutes before `minute` of every active count; those quiet
 * for MAX_ZERO_FILL minutes leave the list, their zeros given.
 */
static void
close_minutes(struct detect *d, int64_t minute)
{
	struct logdet *l = d->logs;
	size_t i, n = 0;

	if (!l->sorted && l->nactive > 1)
		qsort(l->active, l->nactive, sizeof(*l->active), walk_order);
	l->sorted = 1;
	for (i = 0; i < l->nactive; i++) {
		struct rate *r = l->active[i];

		rate_close(d, r, minute);
		if (minute - r->last > MAX_ZERO_FILL * NS_PER_MIN)
			r->active = 0;
		else
			l->active[n++] = r;
	}
	l->nactive = n;
	l->ncounted = 0;
}

/* ---- templates ---- */

/*
 * The count at p (0..1) of a Poisson count of mean `mean`: lines written
 * independently of each other come so. The walk starts 10 SDs below the
 * mean, where the mass left out is nothing a double holds.
 */
static double
poisson_at(double mean, double p)
{
	double sd = sqrt(mean), k = floor(mean - 10 * sd), cdf = 0;

	if (k < 0)
		k = 0;
	for (; k < mean + 20 * sd + 20; k++) {
		cdf += exp(-mean + k * log(mean) - lgamma(k + 1));
		if (cdf >= p)
			break;
	}
	return k;
}

/*
 * The baseline of a template's new model: minutes of the rate it had
 * (its `before` lines over the minutes since its first one), the last
 * SEED_MAX of them, as Poisson counts of that mean at evenly spread
 * quantiles in a mixed order. Flat counts would make the first count
 * off them a spike; a template of less than a line every other minute
 * gets zeros, since a lone 1 among them would be a surprise of its own
 * that damps the next (mdetect.h's de-duplication).
 */
static void
seed(struct detect *d, struct rate *r, const struct tmpl *t, uint64_t before)
{
	int64_t now = d->logs->minute;
	int64_t first = t->first - ((t->first % NS_PER_MIN) + NS_PER_MIN) % NS_PER_MIN;
	int64_t n = (now - first) / NS_PER_MIN, i;
	double mean;

	if (t->first == 0 || n <= 0)
		return;
	mean = (double)before / (double)n;
	if (n > SEED_MAX)
		n = SEED_MAX;
	for (i = 0; i < n; i++) {
		/* golden-ratio steps: quantiles spread evenly, in no order */
		double p = fmod(0.5 + (double)i * 0.6180339887498949, 1.0);

		rate_point(d, r, now - (n - i) * NS_PER_MIN, mean < 0.5 ? 0 : poisson_at(mean, p),
		    INFINITY);
	}
}

/* Template tid's count reached the alert floor: from now on it has a model. */
static void
promote(struct detect *d, struct tmpl *t, uint64_t tid, uint64_t total)
{
	struct logdet *l = d->logs;
	struct rate *r = rate_new(TEMPLATE_RATE, NULL, 0, tid);

	t->rate = r;
	seed(d, r, t, total > t->count ? total - t->count : 0);
	r->minute = l->minute;
	r->count = t->count;
	r->last = l->minute;
	activate(l, r);
}

/* A line of template tid (record t, `total` lines over all runs). */
static void
template_count(struct detect *d, struct tmpl *t, uint64_t tid, uint64_t total)
{
	struct logdet *l = d->logs;
	double need = l->min_burst > 1 ? l->min_burst : 1;

	if (t->rate != NULL) {
		rate_count(d, t->rate, l->minute);
		return;
	}
	if (t->minute != l->minute) {
		t->minute = l->minute;
		t->count = 0;
		push_id(&l->counted, &l->ncounted, &l->capcounted, tid);
	}
	if ((double)++t->count >= need)
		promote(d, t, tid, total);
}

void
lograte_count(struct detect *d, int64_t ts, const struct aiops_logline *ll,
    struct tmpl *t, const char *host, size_t hlen)
{
	struct logdet *l = d->logs;
	int64_t minute = ts - ((ts % NS_PER_MIN) + NS_PER_MIN) % NS_PER_MIN;

	if (minute > l->minute) {
		if (l->minute != 0)
			close_minutes(d, minute);
		l->minute = minute;
	}
	template_count(d, t, ll->template_id, ll->count);
	if (ll->severity >= 0 && ll->severity <= 3)
		rate_count(d, error_rate(l, host, hlen), l->minute);
}

/* ---- the state ---- */

/* A stored model of a template's count: the template has one. */
static int
has_model(void *arg, const char *key)
{
	struct logdet *l = arg;
	const char *p = key + strlen(TEMPLATE_KEY);
	char *end;
	unsigned long long tid = strtoull(p, &end, 10);
	struct tmpl *t;

	if (end == p || strcmp(end, "\"}") != 0 || tid == 0)
		return 0;
	if ((t = lograte_tmpl(l, tid, 0)) != NULL && t->rate == NULL) {
		t->rate = rate_new(TEMPLATE_RATE, NULL, 0, tid);
		t->rate->fed = FED_BEFORE;
	}
	return 0;
}

/* A count of the minute the last run ended in. */
static int
restore_rate(void *arg, const struct aiops_log_rate *pr)
{
	struct logdet *l = arg;
	struct rate *r;
	struct tmpl *t = NULL;

	if (pr->template_id != 0) {
		if ((t = lograte_tmpl(l, pr->template_id, 0)) == NULL)
			return 0;
		if (t->rate == NULL) {
			t->minute = pr->minute;
			t->count = pr->count;
			push_id(&l->counted, &l->ncounted, &l->capcounted, pr->template_id);
			return 0;
		}
		r = t->rate;
	} else {
		r = error_rate(l, pr->host, pr->host ? strlen(pr->host) : 0);
	}
	r->minute = pr->minute;
	r->count = pr->count;
	r->last = pr->minute;
	activate(l, r);
	return 0;
}

void
lograte_load(struct detect *d)
{
	struct logdet *l = d->logs;

	if (aiops_models_keys(d->state, TEMPLATE_KEY, has_model, l) == -1 ||
	    aiops_logs_rates(d->state, restore_rate, l) == -1)
		detect_state_fatal(d, "loading log counts");
}

static int
save_rate(struct detect *d, const struct rate *r, uint64_t tid, int64_t minute, uint64_t count)
{
	struct aiops_log_rate pr;

	aiops_buf_reset(&d->scratch);
	if (tid != 0)
		aiops_buf_addf(&d->scratch, TEMPLATE_KEY "%llu\"}", (unsigned long long)tid);
	else
		aiops_buf_addf(&d->scratch, ERROR_RATE "{host=\"%s\"}", r->host ? r->host : "");
	pr.key = d->scratch.data;
	pr.minute = minute;
	pr.count = count;
	pr.host = r != NULL ? r->host : NULL;
	pr.template_id = tid;
	return aiops_logs_rate_add(d->state, &pr);
}

/* The counts of the minute not yet over, for the next run to go on with. */
static int
save_pending(struct detect *d)
{
	struct logdet *l = d->logs;
	size_t i;

	if (aiops_logs_rates_clear(d->state) == -1)
		return -1;
	for (i = 0; i < l->nactive; i++) {
		struct rate *r = l->active[i];

		if (r->count > 0 && save_rate(d, r, r->tid, r->minute, r->count) == -1)
			return -1;
	}
	for (i = 0; i < l->ncounted; i++) {
		struct tmpl *t = lograte_tmpl(l, l->counted[i], 0);

		if (t != NULL && t->rate == NULL && t->minute == l->minute &&
		    save_rate(d, NULL, l->counted[i], t->minute, t->count) == -1)
			return -1;
	}
	return 0;
}

/*
 * The model of a template not seen for the retention, and not counted in
 * this run (not even in the minute the last one ended in), goes: the template keeps its record, and a model afresh (with
 * its baseline) if it can burst again.
 */
static int
expire_one(struct detect *d, struct tmpl *t, uint64_t tid, int64_t before)
{
	if (t->rate == NULL || t->rate->active || t->rate->fed != FED_BEFORE || t->last >= before)
		return 0;
	aiops_buf_reset(&d->scratch);
	aiops_buf_addf(&d->scratch, TEMPLATE_KEY "%llu\"}", (unsigned long long)tid);
	if (aiops_models_delete(d->state, d->scratch.data) == -1)
		return -1;
	rate_free(t->rate);
	t->rate = NULL;
	return 0;
}

/* Once a run, when the clock is known: a walk of the templates. */
static int
expire_models(struct detect *d)
{
	struct logdet *l = d->logs;
	int64_t before = aiops_clock_now() - l->retention;
	size_t i;

	if (l->expired || l->retention <= 0)
		return 0;
	l->expired = 1;
	for (i = 1; i < l->ntmpls; i++)
		if (expire_one(d, &l->tmpls[i], i, before) == -1)
			return -1;
	for (i = 0; i < l->noverflows; i++)
		if (l->overflows[i] != NULL && expire_one(d, &l->overflows[i]->over_tmpl,
		    LOG_OVERFLOW_BASE + i + 1, before) == -1)
			return -1;
	return 0;
}

int
lograte_save(struct detect *d)
{
	return save_pending(d) == -1 || expire_models(d) == -1 ? -1 : 0;
}

void
lograte_free(struct logdet *l)
{
	size_t i;

	for (i = 0; i < l->ntmpls; i++)
		rate_free(l->tmpls[i].rate);
	for (i = 0; i < l->noverflows; i++)
		if (l->overflows[i] != NULL)
			rate_free(l->overflows[i]->over_tmpl.rate);
	free(l->tmpls);
	aiops_hmap_release(&l->by_host, rate_free);
	free(l->active);
	free(l->counted);
}
