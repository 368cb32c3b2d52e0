/*
 * aiopsev.c: events already in the format of aiops(7), as aiops-ingest
 * and the other programs write them, read back through aiops-ingest.
 * Ingest is the gate of the pipeline, so they are checked like any other
 * input, not passed through blind:
 *
 *  - every event: "ts" RFC 3339 text or an epoch number that is a real
 *    time an int64 of nanoseconds holds (2026-02-30 and 1e300 are bad);
 *    "id", when present, 16 lower-case hex digits; "host", "cluster",
 *    "source" strings; "labels" an object of strings (nested values are
 *    bad).
 *  - a metric: "name" a non-empty string, "value" a JSON number (a string
 *    such as "1.5" is bad: aiops(7) says a number, and JSON has no NaN),
 *    "metric_type" one of the Prometheus type words, "unit" a string.
 *    It is then written normalised, as any metric: the head in the order
 *    of aiops(7), ts as RFC 3339 UTC, labels sorted, the name and label
 *    names made valid Prometheus names (event/promname.h), the --host,
 *    --cluster and --source rules applied; the members aiops(7) does not
 *    name for a metric are kept, after the known ones, as they came. It
 *    is stored with --store like any metric. The id is kept as given,
 *    unless ingest changed what it is computed from (name, a label name,
 *    the host), or there is none: then it is computed.
 *  - an alert: also "alertname" (or a label of that name), "fingerprint"
 *    (non-empty strings), "status" ("firing" or "resolved"), "starts_at"
 *    (a firing alert's defaults to its ts) and, if present, "ends_at"
 *    (RFC 3339), "annotations" (an object); stored with --store
 *    as the alerts of a webhook are (store/alerts.h), its label set the
 *    event's labels with alertname, as Alertmanager's.
 *  - another type: checked as above and passed through as it is; a
 *    missing id is computed for a log (over its message) and an alert
 *    (its fingerprint and status), as aiops-ingest computes them; other
 *    types must have one.
 */
#include "compat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/timeutil.h"
#include "event/event.h"
#include "event/logkeys.h"
#include "event/promname.h"
#include "ingest/ingest.h"
#include "ingest/jsondoc.h"
#include "io/out.h"
#include "core/xmalloc.h"

static const char *const types[] = {
	"metric", "log", "alert", "anomaly", "forecast", "prediction", "gpu",
	"cluster", "incident", "task", "notification", "report", NULL,
};

static const char *const metric_types[] = {
	"counter", "gauge", "histogram", "summary", "untyped",
	"gaugehistogram", "stateset", "info", NULL,
};

/* The members of a metric event that are written from what is parsed. */
static const char *const metric_keys[] = {
	"type", "ts", "id", "host", "cluster", "source", "labels",
	"name", "value", "metric_type", "unit", NULL,
};

/* A parsed event: what the checks found, pointing into the object. */
struct ev {
	const char		*type;
	int64_t			 ts;
	const char		*id;		/* or NULL */
	const char		*host;
	size_t			 hlen;
	const char		*cluster;
	const char		*source;
	struct aiops_label	 labels[AIOPS_MAX_LABELS];
	size_t			 nlabels;
	int			 changed;	/* a field the id covers was changed */
	struct aiops_buf	 names;		/* label names made valid */
};

static int
in_list(const char *s, const char *const *list)
{
	size_t i;

	for (i = 0; s != NULL && list[i] != NULL; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

int
aiops_event_match(const json_t *doc)
{
	return in_list(json_string_value(json_object_get(doc, "type")), types);
}

/* ts: RFC 3339 text or an epoch number (text or JSON), unit by magnitude. */
static int
ev_time(struct aiops_ingest *ing, const json_t *v, int64_t *ns)
{
	if (v == NULL)
		return aiops_ingest_error(ing, "no \"ts\"");
	if (!json_is_string(v) && !json_is_number(v))
		return aiops_ingest_error(ing, "\"ts\" is %s, not a time", aiops_json_type_name(v));
	if (aiops_json_time(v, AIOPS_TU_AUTO, ns) == 0)
		return 0;
	if (json_is_string(v))
		return aiops_ingest_error(ing, "bad \"ts\" \"%.64s\": not a real RFC 3339"
		    " time or epoch number", json_string_value(v));
	if (json_is_integer(v))
		return aiops_ingest_error(ing, "\"ts\" %lld is out of range",
		    (long long)json_integer_value(v));
	return aiops_ingest_error(ing, "\"ts\" %g is out of range", json_real_value(v));
}

/* An optional string member: 0 (NULL when absent), or -1. */
static int
opt_string(struct aiops_ingest *ing, const json_t *o, const char *key, const char **s,
    size_t *n)
{
	const json_t *v = json_object_get(o, key);

	*s = NULL;
	if (v == NULL)
		return 0;
	if (!json_is_string(v))
		return aiops_ingest_error(ing, "\"%s\" is %s, not a string", key,
		    aiops_json_type_name(v));
	*s = json_string_value(v);
	if (n != NULL)
		*n = json_string_length(v);
	return 0;
}

static int
ev_id(struct aiops_ingest *ing, const json_t *o, struct ev *e)
{
	size_t i, n = 0;

	if (opt_string(ing, o, "id", &e->id, &n) == -1)
		return -1;
	if (e->id == NULL)
		return 0;
	for (i = 0; i < n; i++)
		if (!((e->id[i] >= '0' && e->id[i] <= '9') || (e->id[i] >= 'a' && e->id[i] <= 'f')))
			break;
	if (n != AIOPS_EVENT_ID_LEN || i != n)
		return aiops_ingest_error(ing, "bad \"id\" \"%.32s\": not %d lower-case hex digits",
		    e->id, AIOPS_EVENT_ID_LEN);
	return 0;
}

/*
 * labels: an object of strings, into e->labels. With fix, their names
 * are made valid label names (into e->names, sized first so it never
 * moves) and two that become one are an error.
 */
static int
ev_labels(struct aiops_ingest *ing, const json_t *o, struct ev *e, int fix)
{
	const json_t *l = json_object_get(o, "labels"), *v;
	const char *k;
	size_t i, j, need = 0, off;

	if (l == NULL)
		return 0;
	if (!json_is_object(l))
		return aiops_ingest_error(ing, "\"labels\" is %s, not an object", aiops_json_type_name(l));
	if (json_object_size(l) > AIOPS_MAX_LABELS)
		return aiops_ingest_error(ing, "more than %d labels", AIOPS_MAX_LABELS);
	json_object_foreach((json_t *)l, k, v) {
		if (!json_is_string(v))
			return aiops_ingest_error(ing, "label \"%.64s\" is %s, not a string",
			    k, aiops_json_type_name(v));
		need += strlen(k) + 4;
	}
	aiops_buf_grow(&e->names, need);
	json_object_foreach((json_t *)l, k, v) {
		struct aiops_label *lb = &e->labels[e->nlabels++];

		lb->key = k;
		lb->klen = strlen(k);
		lb->val = json_string_value(v);
		lb->vlen = json_string_length(v);
		if (!fix || aiops_promname_valid(lb->key, lb->klen, AIOPS_PN_LABEL))
			continue;
		off = e->names.len;
		aiops_promname_add(&e->names, lb->key, lb->klen, AIOPS_PN_LABEL);
		lb->key = e->names.data + off;
		lb->klen = e->names.len - off;
		aiops_buf_addc(&e->names, '\0');
		e->changed = 1;
	}
	for (i = 0; fix && i < e->nlabels; i++)
		for (j = i + 1; j < e->nlabels; j++)
			if (e->labels[i].klen == e->labels[j].klen &&
			    memcmp(e->labels[i].key, e->labels[j].key, e->labels[i].klen) == 0)
				return aiops_ingest_error(ing, "two labels make the label name"
				    " \"%.*s\"", (int)e->labels[i].klen, e->labels[i].key);
	aiops_labels_sort(e->labels, e->nlabels);
	return 0;
}

/* The checks every event gets. */
static int
ev_head(struct aiops_ingest *ing, const json_t *o, struct ev *e, int fix)
{
	e->type = json_string_value(json_object_get(o, "type"));
	if (ev_time(ing, json_object_get(o, "ts"), &e->ts) == -1 || ev_id(ing, o, e) == -1 ||
	    opt_string(ing, o, "host", &e->host, &e->hlen) == -1 ||
	    opt_string(ing, o, "cluster", &e->cluster, NULL) == -1 ||
	    opt_string(ing, o, "source", &e->source, NULL) == -1)
		return -1;
	return ev_labels(ing, o, e, fix);
}

static void
ev_idtext(const struct ev *e, const char *idkey, size_t idklen, char id[AIOPS_EVENT_ID_LEN + 1])
{
	struct aiops_event_head h;

	memset(&h, 0, sizeof(h));
	h.type = e->type;
	h.ts = e->ts;
	h.host = e->host;
	h.hlen = e->hlen;
	h.labels = e->labels;
	h.nlabels = e->nlabels;
	h.idkey = idkey;
	h.idklen = idklen;
	aiops_event_id_text(aiops_event_id(&h), id);
}

static void
write_labels(struct aiops_jw *w, const struct ev *e)
{
	size_t i;

	aiops_jw_key(w, "labels", 6);
	aiops_jw_object_begin(w);
	for (i = 0; i < e->nlabels; i++) {
		aiops_jw_key(w, e->labels[i].key, e->labels[i].klen);
		aiops_jw_string(w, e->labels[i].val, e->labels[i].vlen);
	}
	aiops_jw_object_end(w);
}

static int
metric(struct aiops_ingest *ing, const json_t *o, struct ev *e)
{
	const json_t *v = json_object_get(o, "value"), *x;
	const char *name, *mtype, *unit, *k;
	struct aiops_buf nbuf = AIOPS_BUF_INIT;
	struct aiops_metric m;
	char id[AIOPS_EVENT_ID_LEN + 1], ts[AIOPS_TIME_BUFSZ];
	struct aiops_jw *w = &ing->jw;
	size_t nlen = 0;

	if (opt_string(ing, o, "name", &name, &nlen) == -1)
		return -1;
	if (name == NULL || nlen == 0)
		return aiops_ingest_error(ing, "a metric without a \"name\"");
	if (v == NULL)
		return aiops_ingest_error(ing, "a metric without a \"value\"");
	if (!json_is_number(v))
		return aiops_ingest_error(ing, "\"value\" is %s, not a number", aiops_json_type_name(v));
	if (opt_string(ing, o, "metric_type", &mtype, NULL) == -1 ||
	    opt_string(ing, o, "unit", &unit, NULL) == -1)
		return -1;
	if (mtype != NULL && !in_list(mtype, metric_types))
		return aiops_ingest_error(ing, "\"metric_type\" \"%.32s\" is not a Prometheus type",
		    mtype);
	if (!aiops_promname_valid(name, nlen, AIOPS_PN_METRIC)) {
		aiops_promname_add(&nbuf, name, nlen, AIOPS_PN_METRIC);
		name = nbuf.data;
		nlen = nbuf.len;
		e->changed = 1;
	}

	memset(&m, 0, sizeof(m));
	m.ts = e->ts;
	m.name = name;
	m.nlen = nlen;
	m.value = json_number_value(v);
	m.metric_type = mtype;
	m.unit = unit;
	m.host = e->host;
	m.hlen = e->hlen;
	if (m.host == NULL && ing->opts->host != NULL) {
		m.host = ing->opts->host;
		m.hlen = strlen(m.host);
		e->changed = 1;
	}
	m.cluster = e->cluster != NULL ? e->cluster : ing->opts->cluster;
	m.source = ing->opts->source != NULL ? ing->opts->source : e->source;
	m.labels = e->labels;
	m.nlabels = e->nlabels;
	e->host = m.host;
	e->hlen = m.hlen;

	aiops_clock_observe(m.ts);
	ing->nevents++;
	if (!aiops_out_discards(ing->out)) {
		if (e->id == NULL || e->changed)
			ev_idtext(e, name, nlen, id);
		else
			memcpy(id, e->id, sizeof(id));
		aiops_jw_object_begin(w);
		aiops_jw_kcstr(w, "type", "metric");
		aiops_jw_kstr(w, "ts", ts, aiops_time_format(m.ts, ts));
		aiops_jw_kcstr(w, "id", id);
		if (m.host != NULL)
			aiops_jw_kstr(w, "host", m.host, m.hlen);
		if (m.cluster != NULL)
			aiops_jw_kcstr(w, "cluster", m.cluster);
		if (m.source != NULL)
			aiops_jw_kcstr(w, "source", m.source);
		write_labels(w, e);
		aiops_jw_kstr(w, "name", name, nlen);
		aiops_jw_knum(w, "value", m.value);
		if (mtype != NULL)
			aiops_jw_kcstr(w, "metric_type", mtype);
		if (unit != NULL)
			aiops_jw_kcstr(w, "unit", unit);
		json_object_foreach((json_t *)o, k, x) {
			if (in_list(k, metric_keys))
				continue;
			aiops_jw_key(w, k, strlen(k));
			aiops_jw_json(w, x);
		}
		aiops_jw_object_end(w);
		aiops_out_end(ing->out);
	}
	if (ing->store != NULL && aiops_mstore_add(ing->store, &m) == -1)
		ing->store_failed = 1;
	aiops_buf_release(&nbuf);
	/* A store failure is not the line's: the caller stops on store_failed. */
	return 0;
}

/*
 * Another type: passed as it is, with an id put after ts when it had
 * none (a log's over its message, an alert's over fingerprint and status).
 */
/* An optional RFC 3339 member of an alert: 0 (*ns 0 when absent), or -1. */
static int
alert_time(struct aiops_ingest *ing, const json_t *o, const char *key, int64_t *ns)
{
	const char *s;
	size_t n;

	*ns = 0;
	if (opt_string(ing, o, key, &s, &n) == -1)
		return -1;
	if (s != NULL && aiops_time_parse(s, n, ns) == -1)
		return aiops_ingest_error(ing, "bad \"%s\" \"%.64s\": not an RFC 3339 time", key, s);
	return 0;
}

/*
 * The members an alert needs to be an alert, and to be kept; 0, or -1.
 * Lenient where aiops(7) leaves no doubt: alertname may be a label, as in
 * Alertmanager, and a firing alert starts at its ts.
 */
static int
alert_check(struct aiops_ingest *ing, const json_t *o, const struct ev *e,
    struct aiops_alert *a)
{
	size_t i;

	const json_t *ann = json_object_get(o, "annotations");

	memset(a, 0, sizeof(*a));
	if (opt_string(ing, o, "alertname", &a->alertname, NULL) == -1 ||
	    opt_string(ing, o, "status", &a->status, NULL) == -1 ||
	    opt_string(ing, o, "fingerprint", &a->fingerprint, NULL) == -1 ||
	    opt_string(ing, o, "severity", &a->severity, NULL) == -1 ||
	    opt_string(ing, o, "generator_url", &a->generator_url, NULL) == -1 ||
	    alert_time(ing, o, "starts_at", &a->starts_at) == -1 ||
	    alert_time(ing, o, "ends_at", &a->ends_at) == -1)
		return -1;
	for (i = 0; a->alertname == NULL && i < e->nlabels; i++)
		if (e->labels[i].klen == 9 && memcmp(e->labels[i].key, "alertname", 9) == 0)
			a->alertname = e->labels[i].val;
	if (a->alertname == NULL || *a->alertname == '\0')
		return aiops_ingest_error(ing, "an alert without \"alertname\"");
	if (a->fingerprint == NULL || *a->fingerprint == '\0')
		return aiops_ingest_error(ing, "an alert without \"fingerprint\"");
	if (a->status == NULL ||
	    (strcmp(a->status, "firing") != 0 && strcmp(a->status, "resolved") != 0))
		return aiops_ingest_error(ing, "an alert's \"status\" is \"firing\" or \"resolved\"");
	if (a->starts_at == 0 && strcmp(a->status, "firing") == 0)
		a->starts_at = e->ts;
	if (a->starts_at == 0)
		return aiops_ingest_error(ing, "a resolved alert without \"starts_at\"");
	if (ann != NULL && !json_is_object(ann))
		return aiops_ingest_error(ing, "\"annotations\" is %s, not an object",
		    aiops_json_type_name(ann));
	return 0;
}

/* Keeps a checked alert event with --store, as a webhook's alert is kept. */
static void
alert_store(struct aiops_ingest *ing, const json_t *o, const struct ev *e,
    struct aiops_alert *a)
{
	const json_t *ann = json_object_get(o, "annotations");
	json_t *labels = json_object();
	char *host = e->host != NULL ? xstrndup(e->host, e->hlen) : NULL;
	char *lj, *aj;
	size_t i;

	if (ing->alerts == NULL) {
		json_decref(labels);
		free(host);
		return;
	}
	for (i = 0; i < e->nlabels; i++)
		json_object_setn_new(labels, e->labels[i].key, e->labels[i].klen,
		    json_stringn(e->labels[i].val, e->labels[i].vlen));
	json_object_set_new(labels, "alertname", json_string(a->alertname));
	lj = json_dumps(labels, JSON_COMPACT | JSON_SORT_KEYS);
	aj = ann != NULL ? json_dumps(ann, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	if (lj == NULL)
		xoom(0);
	a->labels = lj;
	a->annotations = aj != NULL ? aj : "{}";
	a->host = host;
	a->source = e->source != NULL ? e->source : aiops_ingest_source(ing, "aiops");
	/* A store failure sets ing->store_failed; the caller stops on it. */
	(void)aiops_ingest_alert(ing, a);
	free(lj);
	free(aj);
	free(host);
	json_decref(labels);
}

static int
other(struct aiops_ingest *ing, const json_t *o, struct ev *e)
{
	struct aiops_alert alert;
	int is_alert = strcmp(e->type, "alert") == 0;
	char id[AIOPS_EVENT_ID_LEN + 1], key[256];
	const char *s, *st, *k;
	const json_t *x;
	size_t n = 0;
	int kn;

	if (is_alert && alert_check(ing, o, e, &alert) == -1)
		return -1;
	if (e->id == NULL && strcmp(e->type, "log") == 0) {
		if (opt_string(ing, o, "message", &s, &n) == -1)
			return -1;
		ev_idtext(e, s != NULL ? s : "", s != NULL ? n : 0, id);
	} else if (e->id == NULL && strcmp(e->type, "alert") == 0) {
		s = json_string_value(json_object_get(o, "fingerprint"));
		st = json_string_value(json_object_get(o, "status"));
		if (s == NULL || st == NULL)
			return aiops_ingest_error(ing, "an alert without \"id\", \"fingerprint\""
			    " or \"status\"");
		kn = snprintf(key, sizeof(key), "%s %s", s, st);
		if (kn < 0 || (size_t)kn >= sizeof(key))
			return aiops_ingest_error(ing, "an alert without \"id\" and a"
			    " fingerprint too long");
		ev_idtext(e, key, (size_t)kn, id);
	} else if (e->id == NULL)
		return aiops_ingest_error(ing, "an event of type \"%s\" without \"id\"", e->type);
	aiops_clock_observe(e->ts);
	ing->nevents++;
	if (e->id != NULL) {
		aiops_jw_json(&ing->jw, o);
	} else {
		aiops_jw_object_begin(&ing->jw);
		json_object_foreach((json_t *)o, k, x) {
			aiops_jw_key(&ing->jw, k, strlen(k));
			aiops_jw_json(&ing->jw, x);
			if (strcmp(k, "ts") == 0)
				aiops_jw_kcstr(&ing->jw, "id", id);
		}
		aiops_jw_object_end(&ing->jw);
	}
	aiops_out_end(ing->out);
	if (is_alert)
		alert_store(ing, o, e, &alert);
	return 0;
}

int
aiops_event_emit(struct aiops_ingest *ing, const json_t *doc)
{
	struct ev e;
	int metric_ev = strcmp(json_string_value(json_object_get(doc, "type")), "metric") == 0;
	int rc;

	memset(&e, 0, sizeof(e));
	aiops_buf_init(&e.names);
	rc = ev_head(ing, doc, &e, metric_ev);
	if (rc == 0)
		rc = metric_ev ? metric(ing, doc, &e) : other(ing, doc, &e);
	aiops_buf_release(&e.names);
	return rc;
}
