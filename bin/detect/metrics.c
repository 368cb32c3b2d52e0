/*
 * metrics.c: aiops-detect for metric events. One model (lib/mdetect.c)
 * per series, loaded from the state on first sight and saved back when it
 * changed, so that runs from cron continue exactly where the last stopped
 * (series.c keeps them, under the memory budget).
 */
#include "compat.h"

#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/numparse.h"
#include "detect.h"
#include "detect/kind.h"
#include "event/event.h"
#include "event/evread.h"
#include "json/jw.h"
#include "tool/log.h"
#include "store/anomalies.h"
#include "store/mstore.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

/*
 * Prometheus names its counters; Telegraf's line protocol does not say,
 * so its common cumulative fields are named here.
 */
static const char *const default_counters[] = {
	"*_total", "*_count", "*_sum", "*_bucket",
	"net_bytes_*", "net_packets_*", "net_err_*", "net_drop_*",
	"diskio_reads", "diskio_writes", "diskio_read_bytes", "diskio_write_bytes",
	"diskio_*_time", NULL,
};

static int
glob_match(const char *pattern, const char *name)
{
	return fnmatch(pattern, name, 0) == 0;
}

/* Counters are scored on their rate: by name, as Prometheus names them. */
static int
is_counter(const struct detect *d, const char *name)
{
	size_t i;
	json_t *v;

	if (d->counters != NULL) {
		json_array_foreach(d->counters, i, v)
			if (json_is_string(v) && glob_match(json_string_value(v), name))
				return 1;
		return 0;
	}
	for (i = 0; default_counters[i] != NULL; i++)
		if (glob_match(default_counters[i], name))
			return 1;
	return 0;
}

/* The first entry of detect.metrics whose glob matches name, or NULL. */
static const json_t *
metric_override(const struct detect *d, const char *name)
{
	const char *glob;
	json_t *o;

	json_object_foreach((json_t *)d->overrides, glob, o)
		if (glob_match(glob, name))
			return o;
	return NULL;
}

/*
 * The parameters of a series: the defaults, then its entry of
 * detect.metrics (sensitivity, threshold).
 */
static void
series_params(const struct detect *d, const json_t *o,
    struct aiops_mdetect_params *p, double *threshold)
{
	json_t *v;

	*p = d->params;
	*threshold = d->threshold_set ? d->threshold : aiops_mdetect_threshold(p);
	if (json_is_number(v = json_object_get(o, "sensitivity"))) {
		p->sensitivity = json_number_value(v);
		if (!d->threshold_set)
			*threshold = aiops_mdetect_threshold(p);
	}
	if (json_is_number(v = json_object_get(o, "threshold")))
		*threshold = json_number_value(v);
}

/*
 * The kind and the materiality rule of a series: guessed from its name,
 * unit and type (kind.h), then the kind's rule from detect.materiality,
 * then its entry of detect.metrics (kind, min_change in the metric's own
 * unit, min_relative).
 */
static void
series_kind(const struct detect *d, const json_t *o, struct series *s,
    const struct aiops_metric *m)
{
	json_t *v;

	aiops_kind_classify(s->name, strlen(s->name), m->unit, m->metric_type, s->counter, &s->cls);
	if (json_is_string(v = json_object_get(o, "kind")) &&
	    aiops_kind_parse(json_string_value(v), json_string_length(v), &s->cls.kind) == 0)
		s->cls.scale = 1;	/* the metric's own unit is the kind's */
	s->rule = d->materiality[s->cls.kind];
	if (json_is_number(v = json_object_get(o, "min_change")))
		s->rule.min_change = json_number_value(v) * s->cls.scale;
	if (json_is_number(v = json_object_get(o, "min_relative")))
		s->rule.min_relative = json_number_value(v);
}

void
detect_series_setup(const struct detect *d, struct series *s, const struct aiops_metric *m,
    struct aiops_mdetect_params *p)
{
	const json_t *o = metric_override(d, s->name);

	s->counter = is_counter(d, s->name);
	series_params(d, o, p, &s->threshold);
	series_kind(d, o, s, m);
}

/*
 * The value the model sees: the metric itself, or for a counter its
 * per-second rate since the last sample, with *per the seconds since that
 * sample (1 for a gauge). 0, or -1 when there is none (the first sample,
 * or a reset: the increase since the last sample is unknown). The
 * counter's last sample moves in counter_advance(), once the model has
 * said whether the point is far ahead of the series' own time.
 */
static int
model_value(struct series *s, const struct aiops_metric *m, double *v, double *per)
{
	*per = 1;
	if (!s->counter) {
		*v = m->value;
		return 0;
	}
	if (s->counter_ts == 0 || aiops_mdetect_counter_rate(s->counter_ts,
	    s->counter_value, m->ts, m->value, v) == -1)
		return -1;
	*per = (double)(m->ts - s->counter_ts) / AIOPS_NS_PER_SEC;
	return 0;
}

/*
 * A counter that went down has restarted from 0 (its process or host
 * did), unless it fell from the top of 32 bits, where SNMP's Counter32
 * wraps, or by less than half, which no restart does.
 */
static int
counter_reset(const struct series *s, const struct aiops_metric *m)
{
	double prev = s->counter_value;

	if (!s->counter || s->counter_ts == 0 || m->ts <= s->counter_ts || !(m->value < prev))
		return 0;
	if (prev >= 2147483648.0 && prev <= 4294967295.0)
		return 0;
	return m->value < prev / 2;
}

/* The counter's last sample, unless the point was out of order or far ahead. */
static void
counter_advance(struct series *s, const struct aiops_metric *m, int future)
{
	if (s->counter && !future && m->ts > s->counter_ts) {
		s->counter_ts = m->ts;
		s->counter_value = m->value;
	}
}

/*
 * An uptime that fell, or a start time that moved ahead by more than a
 * few seconds (a start time computed from the clock jitters by one), is a
 * restart: 1 with *prev the value before it. The last sample moves on, as
 * a counter's does.
 */
static int
clock_restart(struct series *s, const struct aiops_metric *m, int future, double *prev)
{
	double second = 1 / s->cls.scale;
	int rc = 0;

	if ((s->cls.kind != AIOPS_KIND_UPTIME && s->cls.kind != AIOPS_KIND_START_TIME) ||
	    s->counter || future || m->ts <= s->counter_ts)
		return 0;
	if (s->counter_ts != 0) {
		*prev = s->counter_value;
		if (s->cls.kind == AIOPS_KIND_UPTIME)
			rc = m->value + second < *prev;
		else
			rc = m->value > *prev + 5 * second;
	}
	s->counter_ts = m->ts;
	s->counter_value = m->value;
	return rc;
}

/* The input event with our fields added. */
static void
write_annotated(struct detect *d, const char *line, size_t len, const json_t *ev,
    const struct aiops_mdetect_result *r)
{
	struct aiops_jw w;

	aiops_jw_init(&w, &d->out.buf);
	aiops_event_reopen(&w, ev, line, len);
	aiops_jw_knum(&w, "score", r->score);
	aiops_jw_kcstr(&w, "detector", r->detector);
	aiops_jw_object_end(&w);
	aiops_out_end(&d->out);
}

void
detect_store_anomaly(struct detect *d, struct aiops_anomaly *a)
{
	if (d->state != NULL && aiops_anomalies_add(d->state, a) == -1)
		detect_state_fatal(d, "storing an anomaly");
	aiops_out_end(&d->out);
	d->out_safe = d->out.buf.len;
}

/*
 * The hook for an explanation of a confirmed anomaly (an LLM, later through
 * aiops-ask). Off by default and not wired yet: detection never waits on it.
 */
static void
explain_anomaly(struct detect *d, const struct series *s, const struct aiops_mdetect_result *r)
{
	AIOPS_UNUSED(d);
	AIOPS_UNUSED(s);
	AIOPS_UNUSED(r);
}

/* The event head of an anomaly about series s at point m. */
static void
anomaly_head(struct aiops_event_head *h, const struct series *s, const struct aiops_metric *m)
{
	memset(h, 0, sizeof(*h));
	h->type = "anomaly";
	h->ts = m->ts;
	h->host = m->host;
	h->hlen = m->hlen;
	h->cluster = m->cluster;
	h->source = "aiops-detect";
	h->labels = m->labels;
	h->nlabels = m->nlabels;
	h->idkey = s->key;
	h->idklen = strlen(s->key);
}

/*
 * Offers an anomaly written for m to the correlator (--correlate): seen is
 * the value scored (a counter's rate), deviation its robust z (0: none).
 */
static void
offer(struct detect *d, const struct series *s, const struct aiops_metric *m, double score,
    const char *detector, double seen, double deviation, const char *id)
{
	struct detect_member mem;

	memset(&mem, 0, sizeof(mem));
	mem.series = s->key;
	mem.ts = m->ts;
	mem.kind = "metric";
	mem.detector = detector;
	mem.host = m->host;
	mem.hlen = m->hlen;
	mem.cluster = m->cluster;
	mem.what = m->name;
	mem.wlen = m->nlen;
	mem.labels = m->labels;
	mem.nlabels = m->nlabels;
	mem.level = -1;
	mem.score = score;
	mem.value = seen;
	mem.deviation = deviation;
	mem.id = id;
	detect_correlate(d, &mem);
}

/*
 * Stores the anomaly event written to the output from `start` (its id,
 * `id`), counts it and offers it to the correlator (--correlate).
 */
static void
store_anomaly(struct detect *d, const struct series *s, const struct aiops_metric *m,
    double score, const char *detector, const char *reason, size_t start, const char *id,
    double seen, double deviation)
{
	struct aiops_anomaly a;

	memset(&a, 0, sizeof(a));
	memcpy(a.id, id, sizeof(a.id));
	a.ts = m->ts;
	a.kind = "metric";
	a.series_key = s->key;
	a.name = s->name;
	a.host = m->host;
	a.hlen = m->hlen;
	a.value = m->value;
	a.score = score;
	a.detector = detector;
	a.reason = reason;
	a.event = d->out.buf.data + start;
	a.elen = d->out.buf.len - start;
	detect_store_anomaly(d, &a);
	d->nanomalies++;
	offer(d, s, m, score, detector, seen, deviation, id);
}

static void
write_anomaly(struct detect *d, const struct series *s, struct aiops_metric *m,
    const struct aiops_mdetect_result *r, double seen)
{
	struct aiops_event_head h;
	struct aiops_jw w;
	size_t start = d->out.buf.len;
	char id[AIOPS_EVENT_ID_LEN + 1];

	anomaly_head(&h, s, m);
	aiops_jw_init(&w, &d->out.buf);
	aiops_event_id_text(aiops_event_begin(&w, &h), id);
	aiops_jw_kstr(&w, "name", m->name, m->nlen);
	aiops_jw_knum(&w, "value", m->value);
	if (s->counter)
		aiops_jw_knum(&w, "rate", seen);
	aiops_jw_knum(&w, "score", r->score);
	aiops_jw_knum(&w, "threshold", s->threshold);
	aiops_jw_kcstr(&w, "detector", r->detector);
	aiops_jw_kcstr(&w, "kind", aiops_kind_name(s->cls.kind));
	aiops_jw_key(&w, "baseline", 8);
	aiops_jw_object_begin(&w);
	aiops_jw_knum(&w, "value", aiops_round7(r->baseline));
	aiops_jw_knum(&w, "spread", r->spread);
	aiops_jw_knum(&w, "deviation", r->deviation);
	aiops_jw_object_end(&w);
	aiops_jw_kcstr(&w, "reason", r->reason);
	aiops_jw_kcstr(&w, "series", s->key);
	aiops_jw_object_end(&w);
	store_anomaly(d, s, m, r->score, r->detector, r->reason, start, id, seen, r->deviation);
	explain_anomaly(d, s, r);
}

/*
 * Was the restart of m's host at about m->ts already reported? Resets of
 * one host within RESTART_WINDOW of a reported restart are that restart:
 * a reboot resets its uptime and all its counters, seen at their next
 * samples, maybe by another run (the state keeps the restarts reported).
 * Otherwise this one is remembered as the host's.
 */
#define RESTART_WINDOW	(10 * 60 * AIOPS_NS_PER_SEC)
static int
restart_reported(struct detect *d, const struct aiops_metric *m)
{
	struct aiops_anomaly_query q;
	struct aiops_anomaly_list l;
	int64_t *last;
	size_t i;
	int found = 0;

	last = aiops_hmap_get(&d->restarts, m->host ? m->host : "", m->host ? m->hlen : 0);
	if (last != NULL && m->ts >= *last - RESTART_WINDOW && m->ts <= *last + RESTART_WINDOW)
		return 1;
	if (d->state != NULL) {
		memset(&q, 0, sizeof(q));
		q.since = m->ts - RESTART_WINDOW;
		q.until = m->ts + RESTART_WINDOW + 1;
		q.host = m->host != NULL ? xstrndup(m->host, m->hlen) : NULL;
		if (aiops_anomalies_list(d->state, &q, &l) == -1)
			detect_state_fatal(d, "reading the restarts reported");
		for (i = 0; i < l.n && !found; i++)
			found = l.v[i].detector != NULL && strcmp(l.v[i].detector, "restart") == 0 &&
			    (m->host != NULL) == (l.v[i].host != NULL);
		aiops_anomaly_list_release(&l);
		free((void *)q.host);
		if (found)
			return 1;
	}
	if (last == NULL) {
		last = xmalloc(sizeof(*last));
		aiops_hmap_put(&d->restarts, m->host ? m->host : "", m->host ? m->hlen : 0, last);
	}
	*last = m->ts;
	return 0;
}

/*
 * The restart fact (aiops(7), EVENTS): an anomaly event of detector
 * "restart", score 1, with the value before the reset; for an uptime or a
 * start time also when the restart happened.
 */
static void
write_restart(struct detect *d, const struct series *s, struct aiops_metric *m, double prev)
{
	struct aiops_event_head h;
	struct aiops_jw w;
	size_t start = d->out.buf.len;
	char id[AIOPS_EVENT_ID_LEN + 1], started[AIOPS_TIME_BUFSZ], reason[AIOPS_MDETECT_REASON_MAX];
	double at = NAN;

	if (restart_reported(d, m))
		return;
	if (s->cls.kind == AIOPS_KIND_UPTIME)
		at = (double)m->ts / AIOPS_NS_PER_SEC - m->value * s->cls.scale;
	else if (s->cls.kind == AIOPS_KIND_START_TIME)
		at = m->value * s->cls.scale;
	snprintf(reason, sizeof(reason), "%.*s restarted: %s %s from %.15g to %.15g",
	    m->host != NULL ? (int)m->hlen : 4, m->host != NULL ? m->host : "host", s->name,
	    s->cls.kind == AIOPS_KIND_UPTIME ? "fell" : s->cls.kind == AIOPS_KIND_START_TIME ?
	    "moved" : "was reset", prev, m->value);
	anomaly_head(&h, s, m);
	aiops_jw_init(&w, &d->out.buf);
	aiops_event_id_text(aiops_event_begin(&w, &h), id);
	aiops_jw_kstr(&w, "name", m->name, m->nlen);
	aiops_jw_knum(&w, "value", m->value);
	aiops_jw_knum(&w, "previous", prev);
	aiops_jw_knum(&w, "score", 1);
	aiops_jw_knum(&w, "threshold", s->threshold);
	aiops_jw_kcstr(&w, "detector", "restart");
	aiops_jw_kcstr(&w, "kind", aiops_kind_name(s->cls.kind));
	/* the clock's own word: only a time within a day or so of the point */
	if (isfinite(at) && fabs(at * AIOPS_NS_PER_SEC - (double)m->ts) < 400.0 * 86400 * AIOPS_NS_PER_SEC &&
	    at * AIOPS_NS_PER_SEC <= (double)m->ts) {
		aiops_time_format((int64_t)(at * AIOPS_NS_PER_SEC), started);
		aiops_jw_kcstr(&w, "started", started);
	}
	aiops_jw_kcstr(&w, "reason", reason);
	aiops_jw_kcstr(&w, "series", s->key);
	aiops_jw_object_end(&w);
	store_anomaly(d, s, m, 1, "restart", reason, start, id, m->value, 0);
}

/*
 * A point far ahead of the series' own time is held by the model until the
 * next point says what it was: the start of a real gap (then it is learned,
 * and nothing is said) or a bad timestamp (then it is dropped, and said here,
 * once per series and run, at the line of the point held).
 */
static void
warn_future(struct detect *d, struct series *s, const struct aiops_mdetect_result *r)
{
	char ts[AIOPS_TIME_BUFSZ];

	if (r->future)
		s->held_line = d->lineno;
	if (r->dropped_ts == 0 || s->warned_future)
		return;
	s->warned_future = 1;
	aiops_time_format(r->dropped_ts, ts);
	if (s->held_line != 0)
		log_warnx("%s:%lu: %s: time %s is far ahead of the series' own: scored 0,"
		    " not learned (said once per series)", d->name, s->held_line, s->key, ts);
	else
		log_warnx("%s: time %s, held from an earlier run, was far ahead of the"
		    " series' own: not learned", s->key, ts);
}

int
detect_metric(struct detect *d, json_t *ev, const char *line, size_t len)
{
	struct aiops_label lab[AIOPS_MAX_LABELS];
	struct aiops_metric m;

	if (aiops_evread_metric(ev, &m, lab, d->err, sizeof(d->err)) == -1)
		return -1;
	detect_point(d, &m, ev, line, len);
	return 0;
}

/*
 * An anomaly needs a surprising point (the model's score at the threshold)
 * that is also a material change for the kind of metric (kind.h): the
 * value seen (a counter's rate) against the baseline it was compared with.
 */
static int
is_anomaly(const struct detect *d, const struct series *s, const struct aiops_metric *m,
    const struct aiops_mdetect_result *r, double seen, double per)
{
	if (r->future || r->seen_range || r->score <= 0 || r->score < s->threshold ||
	    !(r->alert || d->threshold_set) || m->value < d->min_alert_value)
		return 0;
	return aiops_kind_material(&s->cls, &s->rule, seen, r->baseline, per);
}

void
detect_point(struct detect *d, struct aiops_metric *m, const json_t *ev,
    const char *line, size_t len)
{
	struct aiops_mdetect_result r;
	struct series *s;
	double v = 0, per = 1, prev = 0;
	int reset, restart;

	s = series_get(d, m);
	memset(&r, 0, sizeof(r));
	reset = counter_reset(s, m);
	if (model_value(s, m, &v, &per) == -1) {
		r.detector = "counter-reset";
		r.score = 0;
	} else {
		aiops_mdetect_update(s->model, m->ts, v, &r);
	}
	/* a far-future time moves neither the series' clock nor the toolkit's */
	if (!r.future)
		aiops_clock_observe(m->ts);
	if (reset)
		prev = s->counter_value;
	counter_advance(s, m, r.future);
	restart = reset || clock_restart(s, m, r.future, &prev);
	s->dirty = 1;
	d->nmetrics++;
	if (d->all && ev != NULL)
		write_annotated(d, line, line != NULL ? len : 0, ev, &r);
	warn_future(d, s, &r);
	if (restart)
		write_restart(d, s, m, prev);
	else if (is_anomaly(d, s, m, &r, v, per)) {
		if (r.reason[0] == '\0')
			snprintf(r.reason, sizeof(r.reason), "score %.3f above the threshold %.3f",
			    r.score, s->threshold);
		write_anomaly(d, s, m, &r, v);
	} else {
		detect_correlate_point(d, s->key, m, v);
	}
	d->since_save++;
}

/* A stored point as the metric event aiops-ingest wrote for it. */
static json_t *
stored_event(const struct aiops_mstore_point *p)
{
	char ts[AIOPS_TIME_BUFSZ];
	json_t *ev, *labels;

	aiops_time_format(p->ts, ts);
	labels = json_loads(p->labels != NULL ? p->labels : "{}", 0, NULL);
	ev = json_pack("{s:s, s:s, s:o, s:s, s:f}", "type", "metric", "ts", ts,
	    "labels", labels ? labels : json_object(), "name", p->name, "value", p->value);
	if (p->host != NULL)
		json_object_set_new(ev, "host", json_string(p->host));
	if (p->unit != NULL)
		json_object_set_new(ev, "unit", json_string(p->unit));
	if (p->metric_type != NULL)
		json_object_set_new(ev, "metric_type", json_string(p->metric_type));
	return ev;
}

static int
stored_point(void *arg, const struct aiops_mstore_point *p)
{
	struct detect *d = arg;
	json_t *ev = stored_event(p);

	d->lineno++;
	d->out_safe = d->out.buf.len;
	if (detect_metric(d, ev, NULL, 0) == -1)
		log_warnx("%s: point %lu: skipped: %s", d->name, d->lineno, d->err);
	json_decref(ev);
	aiops_out_commit(&d->out);
	return 0;
}

void
detect_from_state(struct detect *d, int64_t since)
{
	d->name = aiops_state_path(d->state);
	if (aiops_mstore_read(d->state, since, stored_point, d) == -1)
		detect_state_fatal(d, "reading metric history");
}
