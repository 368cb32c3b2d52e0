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
#include "detect.h"
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

/*
 * The parameters of a series: the defaults, then the first entry of
 * detect.metrics whose glob matches the name (sensitivity, threshold).
 */
static void
series_params(const struct detect *d, const char *name,
    struct aiops_mdetect_params *p, double *threshold)
{
	const char *glob;
	json_t *o;

	*p = d->params;
	*threshold = d->threshold_set ? d->threshold : aiops_mdetect_threshold(p);
	json_object_foreach((json_t *)d->overrides, glob, o) {
		json_t *v;

		if (!glob_match(glob, name))
			continue;
		if (json_is_number(v = json_object_get(o, "sensitivity"))) {
			p->sensitivity = json_number_value(v);
			if (!d->threshold_set)
				*threshold = aiops_mdetect_threshold(p);
		}
		if (json_is_number(v = json_object_get(o, "threshold")))
			*threshold = json_number_value(v);
		break;
	}
}

void
detect_series_setup(const struct detect *d, struct series *s, const struct aiops_metric *m,
    struct aiops_mdetect_params *p)
{
	AIOPS_UNUSED(m);
	s->counter = is_counter(d, s->name);
	series_params(d, s->name, p, &s->threshold);
}

/*
 * The value the model sees: the metric itself, or for a counter its
 * per-second rate since the last sample. 0, or -1 when there is none (the
 * first sample, or a reset: the increase since the last sample is unknown).
 */
static int
model_value(struct series *s, const struct aiops_metric *m, double *v)
{
	int rc = 0;

	if (!s->counter) {
		*v = m->value;
		return 0;
	}
	if (s->counter_ts == 0 || aiops_mdetect_counter_rate(s->counter_ts,
	    s->counter_value, m->ts, m->value, v) == -1)
		rc = -1;
	if (m->ts > s->counter_ts) {
		s->counter_ts = m->ts;
		s->counter_value = m->value;
	}
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
	if (d->state == NULL)
		return;
	if (aiops_anomalies_add(d->state, a) == -1)
		detect_state_fatal(d, "storing an anomaly");
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

static void
write_anomaly(struct detect *d, const struct series *s, struct aiops_metric *m,
    const struct aiops_mdetect_result *r, double seen)
{
	struct aiops_event_head h;
	struct aiops_jw w;
	struct aiops_anomaly a;
	struct detect_member mem;
	size_t start = d->out.buf.len;
	char id[AIOPS_EVENT_ID_LEN + 1];

	memset(&h, 0, sizeof(h));
	h.type = "anomaly";
	h.ts = m->ts;
	h.host = m->host;
	h.hlen = m->hlen;
	h.cluster = m->cluster;
	h.source = "aiops-detect";
	h.labels = m->labels;
	h.nlabels = m->nlabels;
	h.idkey = s->key;
	h.idklen = strlen(s->key);
	aiops_jw_init(&w, &d->out.buf);
	aiops_event_id_text(aiops_event_begin(&w, &h), id);
	aiops_jw_kstr(&w, "name", m->name, m->nlen);
	aiops_jw_knum(&w, "value", m->value);
	if (s->counter)
		aiops_jw_knum(&w, "rate", seen);
	aiops_jw_knum(&w, "score", r->score);
	aiops_jw_knum(&w, "threshold", s->threshold);
	aiops_jw_kcstr(&w, "detector", r->detector);
	aiops_jw_key(&w, "baseline", 8);
	aiops_jw_object_begin(&w);
	aiops_jw_knum(&w, "value", r->baseline);
	aiops_jw_knum(&w, "spread", r->spread);
	aiops_jw_knum(&w, "deviation", r->deviation);
	aiops_jw_object_end(&w);
	aiops_jw_kcstr(&w, "reason", r->reason);
	aiops_jw_kcstr(&w, "series", s->key);
	aiops_jw_object_end(&w);
	memset(&a, 0, sizeof(a));
	memcpy(a.id, id, sizeof(a.id));
	a.ts = m->ts;
	a.kind = "metric";
	a.series_key = s->key;
	a.name = s->name;
	a.host = m->host;
	a.hlen = m->hlen;
	a.value = m->value;
	a.score = r->score;
	a.detector = r->detector;
	a.reason = r->reason;
	a.event = d->out.buf.data + start;
	a.elen = d->out.buf.len - start;
	detect_store_anomaly(d, &a);
	aiops_out_end(&d->out);
	d->nanomalies++;
	explain_anomaly(d, s, r);
	memset(&mem, 0, sizeof(mem));
	mem.ts = m->ts;
	mem.kind = "metric";
	mem.host = m->host;
	mem.hlen = m->hlen;
	mem.cluster = m->cluster;
	mem.what = m->name;
	mem.wlen = m->nlen;
	mem.score = r->score;
	mem.id = id;
	detect_correlate(d, &mem);
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

void
detect_point(struct detect *d, struct aiops_metric *m, const json_t *ev,
    const char *line, size_t len)
{
	struct aiops_mdetect_result r;
	struct series *s;
	double v;

	aiops_clock_observe(m->ts);
	s = series_get(d, m);
	memset(&r, 0, sizeof(r));
	if (model_value(s, m, &v) == -1) {
		r.detector = "counter-reset";
		r.score = 0;
	} else {
		aiops_mdetect_update(s->model, m->ts, v, &r);
	}
	s->dirty = 1;
	d->nmetrics++;
	if (d->all && ev != NULL)
		write_annotated(d, line, line != NULL ? len : 0, ev, &r);
	if (r.score >= s->threshold && (r.alert || d->threshold_set) && r.score > 0 &&
	    m->value >= d->min_alert_value) {
		if (r.reason[0] == '\0')
			snprintf(r.reason, sizeof(r.reason), "score %.3f above the threshold %.3f",
			    r.score, s->threshold);
		write_anomaly(d, s, m, &r, v);
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
