/*
 * metrics.c: aiops-detect for metric events. One model (lib/mdetect.c)
 * per series, loaded from the state on first sight and saved back when it
 * changed, so that runs from cron continue exactly where the last stopped.
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
#include "core/timeutil.h"
#include "core/xmalloc.h"

struct series {
	const char		*key;		/* the map's copy */
	char			*name;
	char			*host;
	struct aiops_mdetect	*model;
	double			 threshold;
	int			 counter;	/* scored as a per-second rate */
	int64_t			 counter_ts;	/* last raw sample, or 0 */
	double			 counter_value;
	int			 dirty;
};

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

static const char sql_load[] =
    "SELECT model, counter_ts, counter_value FROM detector_models WHERE series_key = ?1";
static const char sql_save[] =
    "INSERT INTO detector_models (series_key, name, host, model, counter_ts, counter_value, updated)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
    " ON CONFLICT (series_key) DO UPDATE SET model = excluded.model,"
    " counter_ts = excluded.counter_ts, counter_value = excluded.counter_value,"
    " updated = excluded.updated";
static const char sql_anomaly[] =
    "INSERT OR REPLACE INTO anomalies (id, ts, kind, series_key, name, host, template_id,"
    " value, score, detector, reason, event)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

/* The model saved for key, if any. */
static void
load_model(struct detect *d, struct series *s)
{
	sqlite3_stmt *st;

	if (d->state == NULL || (st = aiops_state_stmt(d->state, sql_load)) == NULL)
		return;
	sqlite3_bind_text(st, 1, s->key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const void *blob = sqlite3_column_blob(st, 0);
		int n = sqlite3_column_bytes(st, 0);

		if (aiops_mdetect_load(&s->model, blob, (size_t)n) == -1)
			log_warnx("%s: saved model of another version: starting afresh", s->key);
		if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
			s->counter_ts = sqlite3_column_int64(st, 1);
			s->counter_value = sqlite3_column_double(st, 2);
		}
	}
	sqlite3_reset(st);
}

static struct series *
series_get(struct detect *d, const struct aiops_metric *m)
{
	struct aiops_mdetect_params p;
	struct series *s;

	aiops_buf_reset(&d->scratch);
	aiops_series_key(&d->scratch, m);
	s = aiops_hmap_get(&d->series, d->scratch.data, d->scratch.len);
	if (s != NULL)
		return s;
	s = xcalloc(1, sizeof(*s));
	s->key = aiops_hmap_put(&d->series, d->scratch.data, d->scratch.len, s);
	s->name = xstrndup(m->name, m->nlen);
	s->host = m->host != NULL ? xstrndup(m->host, m->hlen) : NULL;
	s->counter = is_counter(d, s->name);
	series_params(d, s->name, &p, &s->threshold);
	load_model(d, s);
	if (s->model == NULL && (s->model = aiops_mdetect_new(&p)) == NULL)
		fatalx(70, "out of memory");
	aiops_mdetect_set_params(s->model, &p);
	return s;
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
detect_store_anomaly(struct detect *d, const char *id, const char *event, size_t elen,
    int64_t ts, const char *kind, const char *series_key, const char *name, const char *host,
    size_t hlen, uint64_t tid, double value, double score, const char *detector,
    const char *reason)
{
	sqlite3_stmt *st;

	if (d->state == NULL || (st = aiops_state_stmt(d->state, sql_anomaly)) == NULL)
		return;
	sqlite3_bind_text(st, 1, id, AIOPS_EVENT_ID_LEN, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, ts / 1000000);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	if (series_key != NULL)
		sqlite3_bind_text(st, 4, series_key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, name, -1, SQLITE_STATIC);
	if (host != NULL)
		sqlite3_bind_text(st, 6, host, (int)hlen, SQLITE_STATIC);
	if (tid != 0)
		sqlite3_bind_int64(st, 7, (sqlite3_int64)tid);
	sqlite3_bind_double(st, 8, value);
	sqlite3_bind_double(st, 9, score);
	sqlite3_bind_text(st, 10, detector, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, event, (int)elen, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE)
		log_warnx("%s: storing an anomaly: %s", aiops_state_path(d->state),
		    aiops_state_errmsg(d->state));
	sqlite3_reset(st);
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
	detect_store_anomaly(d, id, d->out.buf.data + start, d->out.buf.len - start, m->ts,
	    "metric", s->key, s->name, m->host, m->hlen, 0, m->value, r->score,
	    r->detector, r->reason);
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

static int
save_one(struct detect *d, struct series *s, int64_t now)
{
	sqlite3_stmt *st = aiops_state_stmt(d->state, sql_save);
	unsigned char *blob = NULL;
	size_t n = aiops_mdetect_save(s->model, &blob);
	int rc;

	if (st == NULL || n == 0) {
		free(blob);
		return -1;
	}
	sqlite3_bind_text(st, 1, s->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, s->name, -1, SQLITE_STATIC);
	if (s->host != NULL)
		sqlite3_bind_text(st, 3, s->host, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, blob, (int)n, free);
	if (s->counter_ts != 0) {
		sqlite3_bind_int64(st, 5, s->counter_ts);
		sqlite3_bind_double(st, 6, s->counter_value);
	}
	sqlite3_bind_int64(st, 7, now / 1000000);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_reset(st);
	s->dirty = 0;
	return rc;
}

int
detect_save_models(struct detect *d)
{
	int64_t now = aiops_clock_now();
	size_t i;

	d->since_save = 0;
	if (d->state == NULL)
		return 0;
	if (aiops_state_begin(d->state) == -1)
		goto fail;
	for (i = 0; i < d->series.cap; i++) {
		struct series *s = d->series.ents[i].val;

		if (d->series.ents[i].key != NULL && s->dirty && save_one(d, s, now) == -1) {
			aiops_state_rollback(d->state);
			goto fail;
		}
	}
	if (aiops_state_commit(d->state) == -1)
		goto fail;
	return 0;
fail:
	snprintf(d->err, sizeof(d->err), "%s: saving models: %s",
	    aiops_state_path(d->state), aiops_state_errmsg(d->state));
	return -1;
}

static void
series_free(void *p)
{
	struct series *s = p;

	aiops_mdetect_free(s->model);
	free(s->name);
	free(s->host);
	free(s);
}

void
detect_metrics_free(struct detect *d)
{
	aiops_hmap_release(&d->series, series_free);
}

static const char sql_points[] =
    "SELECT s.name, s.host, s.labels, s.unit, p.ts, p.value"
    " FROM points p JOIN series s ON s.id = p.series_id"
    " WHERE p.ts >= ?1 ORDER BY p.ts, p.series_id";

/* A stored point as the metric event aiops-ingest wrote for it. */
static json_t *
stored_event(sqlite3_stmt *st)
{
	char ts[AIOPS_TIME_BUFSZ];
	json_t *ev, *labels;

	aiops_time_format(sqlite3_column_int64(st, 4) * 1000000, ts);
	labels = json_loads((const char *)sqlite3_column_text(st, 2), 0, NULL);
	ev = json_pack("{s:s, s:s, s:o, s:s, s:f}", "type", "metric", "ts", ts,
	    "labels", labels ? labels : json_object(),
	    "name", (const char *)sqlite3_column_text(st, 0),
	    "value", sqlite3_column_double(st, 5));
	if (sqlite3_column_type(st, 1) != SQLITE_NULL)
		json_object_set_new(ev, "host", json_string((const char *)sqlite3_column_text(st, 1)));
	if (sqlite3_column_type(st, 3) != SQLITE_NULL)
		json_object_set_new(ev, "unit", json_string((const char *)sqlite3_column_text(st, 3)));
	return ev;
}

int
detect_from_state(struct detect *d, int64_t since)
{
	sqlite3_stmt *st = aiops_state_stmt(d->state, sql_points);
	int rc;

	if (st == NULL) {
		snprintf(d->err, sizeof(d->err), "%s: %s", aiops_state_path(d->state),
		    aiops_state_errmsg(d->state));
		return -1;
	}
	sqlite3_bind_int64(st, 1, since / 1000000);
	d->name = aiops_state_path(d->state);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *ev = stored_event(st);

		d->lineno++;
		if (detect_metric(d, ev, NULL, 0) == -1)
			log_warnx("%s: point %lu: skipped: %s", d->name, d->lineno, d->err);
		json_decref(ev);
		aiops_out_commit(&d->out);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		snprintf(d->err, sizeof(d->err), "%s: %s", aiops_state_path(d->state),
		    aiops_state_errmsg(d->state));
		return -1;
	}
	return 0;
}
