/*
 * series.c: the points of each series, gathered as they come (interleaved,
 * in any order) from metric events or from the state, by series key, the
 * key aiops-ingest stores and aiops-detect models by (event/event.h).
 */
#include "compat.h"

#include <fnmatch.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "event/event.h"
#include "event/evread.h"
#include "forecast.h"
#include "store/mstore.h"
#include "tool/log.h"

/* Prometheus names its counters so; OpenMetrics requires it. */
static const char *const default_counters[] = { NULL };

void
forecast_series_init(struct fcast *fc)
{
	aiops_hmap_init(&fc->series);
	aiops_buf_init(&fc->key);
	aiops_buf_init(&fc->line);
}

static void
series_free(void *arg)
{
	struct fseries *s = arg;

	free(s->name);
	free(s->host);
	free(s->cluster);
	free(s->unit);
	free(s->metric_type);
	free(s->labels);
	free(s->lblob);
	free(s->ts);
	free(s->v);
	free(s);
}

void
forecast_series_free(struct fcast *fc)
{
	aiops_hmap_release(&fc->series, series_free);
	aiops_buf_release(&fc->key);
	aiops_buf_release(&fc->line);
}

int
forecast_is_counter(const struct fcast *fc, const char *name, const char *metric_type)
{
	size_t i;
	json_t *v;

	if (metric_type != NULL && strcmp(metric_type, "counter") == 0)
		return 1;
	if (fc->counters != NULL) {
		json_array_foreach(fc->counters, i, v)
			if (json_is_string(v) && fnmatch(json_string_value(v), name, 0) == 0)
				return 1;
		return 0;
	}
	for (i = 0; default_counters[i] != NULL; i++)
		if (fnmatch(default_counters[i], name, 0) == 0)
			return 1;
	return 0;
}

static char *
dupn(const char *s, size_t n)
{
	return s != NULL ? xstrndup(s, n) : NULL;
}

static char *
dup0(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* A copy of m's labels (sorted), their strings in one block. */
static void
copy_labels(struct fseries *s, const struct aiops_metric *m)
{
	size_t i, total = 0;
	char *p;

	s->nlabels = m->nlabels;
	if (m->nlabels == 0)
		return;
	for (i = 0; i < m->nlabels; i++)
		total += m->labels[i].klen + m->labels[i].vlen + 2;
	s->labels = xcalloc(m->nlabels, sizeof(*s->labels));
	p = s->lblob = xmalloc(total);
	for (i = 0; i < m->nlabels; i++) {
		memcpy(p, m->labels[i].key, m->labels[i].klen);
		p[m->labels[i].klen] = '\0';
		s->labels[i].key = p;
		s->labels[i].klen = m->labels[i].klen;
		p += m->labels[i].klen + 1;
		memcpy(p, m->labels[i].val, m->labels[i].vlen);
		p[m->labels[i].vlen] = '\0';
		s->labels[i].val = p;
		s->labels[i].vlen = m->labels[i].vlen;
		p += m->labels[i].vlen + 1;
	}
}

/* The series of key (fc->key), made from m the first time. */
static struct fseries *
series_get(struct fcast *fc, const struct aiops_metric *m)
{
	uint64_t h = aiops_hmap_hash(fc->key.data, fc->key.len);
	struct fseries *s;

	if ((s = aiops_hmap_get_h(&fc->series, fc->key.data, fc->key.len, h)) != NULL)
		return s;
	s = xcalloc(1, sizeof(*s));
	s->name = dupn(m->name, m->nlen);
	s->host = dupn(m->host, m->hlen);
	s->cluster = dup0(m->cluster);
	s->unit = dup0(m->unit);
	s->metric_type = dup0(m->metric_type);
	copy_labels(s, m);
	s->counter = forecast_is_counter(fc, s->name, s->metric_type);
	s->key = aiops_hmap_put_h(&fc->series, fc->key.data, fc->key.len, h, s);
	return s;
}

static void
series_add(struct fseries *s, int64_t ts, double v)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->ts = xreallocarray(s->ts, s->cap, sizeof(*s->ts));
		s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
	}
	s->ts[s->n] = ts;
	s->v[s->n++] = v;
}

int
forecast_series_event(struct fcast *fc, const json_t *ev)
{
	struct aiops_label lab[AIOPS_MAX_LABELS];
	struct aiops_metric m;

	if (aiops_evread_metric(ev, &m, lab, fc->err, sizeof(fc->err)) == -1)
		return -1;
	forecast_series_point(fc, &m);
	return 0;
}

void
forecast_series_point(struct fcast *fc, const struct aiops_metric *m)
{
	aiops_buf_reset(&fc->key);
	aiops_series_key(&fc->key, m);
	series_add(series_get(fc, m), m->ts, m->value);
}

/* ---- the state ---- */

/*
 * The series of a stored point, by its stored key; made the first time
 * from its columns (labels as stored: a JSON object, keys sorted).
 */
static struct fseries *
stored_series(struct fcast *fc, const char *key, const char *name, const char *host,
    const char *labels, const char *unit, const char *metric_type)
{
	struct aiops_label lab[AIOPS_MAX_LABELS];
	struct aiops_metric m;
	struct fseries *s;
	json_t *lj = NULL, *v;
	const char *k;

	if ((s = aiops_hmap_get(&fc->series, key, strlen(key))) != NULL)
		return s;
	memset(&m, 0, sizeof(m));
	m.name = name;
	m.nlen = strlen(name);
	m.host = host;
	m.hlen = host != NULL ? strlen(host) : 0;
	m.unit = unit;
	m.metric_type = metric_type;
	m.labels = lab;
	if (labels != NULL && (lj = json_loads(labels, 0, NULL)) != NULL) {
		json_object_foreach(lj, k, v) {
			if (m.nlabels == AIOPS_MAX_LABELS || !json_is_string(v))
				continue;
			lab[m.nlabels].key = k;
			lab[m.nlabels].klen = strlen(k);
			lab[m.nlabels].val = json_string_value(v);
			lab[m.nlabels++].vlen = json_string_length(v);
		}
	}
	aiops_labels_sort(lab, m.nlabels);
	aiops_buf_reset(&fc->key);
	aiops_buf_addstr(&fc->key, key);
	s = series_get(fc, &m);
	json_decref(lj);
	return s;
}

static int
raw_point(void *arg, const struct aiops_mstore_point *p)
{
	struct fcast *fc = arg;

	series_add(stored_series(fc, p->key, p->name, p->host, p->labels, p->unit,
	    p->metric_type), p->ts, p->value);
	return 0;
}

/* A bucket's mean; a counter's last value, whose rate is forecast. */
static int
rollup_point(void *arg, const struct aiops_mstore_bucket *b)
{
	struct fcast *fc = arg;
	struct fseries *s;

	s = stored_series(fc, b->key, b->name, b->host, b->labels, b->unit, b->metric_type);
	series_add(s, b->bucket, s->counter ? b->last :
	    b->count > 0 ? b->sum / (double)b->count : b->last);
	return 0;
}

#define DAY_NS		(86400LL * 1000000000)

void
forecast_series_from_state(struct fcast *fc, int64_t since, int64_t hdur)
{
	int rc;

	fc->name = aiops_state_path(fc->state);
	if (hdur <= DAY_NS)
		rc = aiops_mstore_read(fc->state, since, raw_point, fc);
	else
		rc = aiops_mstore_read_rollup(fc->state, hdur <= 14 * DAY_NS ?
		    AIOPS_MSTORE_5M : AIOPS_MSTORE_1H, since, rollup_point, fc);
	if (rc == -1)
		forecast_state_fatal(fc, "reading metric history");
	log_info("%zu series read from the state", fc->series.len);
}
