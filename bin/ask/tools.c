/*
 * tools.c: the read-only functions over the state that the offline
 * engine, a model's tool calls and the MCP server all call: the same
 * names, the same arguments, the same rows (aiops-ask(1) TOOLS).
 */
#include "compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ask.h"
#include "core/clock.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "forecast/forecast.h"
#include "store/views.h"

#define NS_PER_MS	1000000LL

#define P_HOST	"\"host\": {\"type\": \"string\", \"description\": \"a host name, as the state knows it\"}"
#define P_SERVICE "\"service\": {\"type\": \"string\", \"description\": \"the program that logged: sshd, postgres\"}"
#define P_SINCE	"\"since\": {\"type\": \"string\", \"description\": \"RFC 3339 time, or how long ago: 24h, 7d\"}"
#define P_UNTIL	"\"until\": {\"type\": \"string\", \"description\": \"RFC 3339 time, or how long ago; default now\"}"
#define P_METRIC "\"metric\": {\"type\": \"string\", \"description\": \"a metric name (list_metrics), or a pattern with %\"}"
#define OBJ(...)	"{\"type\": \"object\", \"properties\": {" __VA_ARGS__ "}}"
#define OBJ_REQ(req, ...) "{\"type\": \"object\", \"properties\": {" __VA_ARGS__ "}, \"required\": [" req "]}"

int64_t
ask_time_arg(const struct ask *a, const char *s)
{
	int64_t ns;

	if (strcmp(s, "now") == 0)
		return a->now / NS_PER_MS;
	if (aiops_duration_parse(s, &ns) == 0)
		return (a->now - ns) / NS_PER_MS;
	if (aiops_time_parse_rfc3339(s, strlen(s), &ns) == 0)
		return ns / NS_PER_MS;
	return -1;
}

/*
 * The query's parameters from a tool's arguments: strings and numbers as
 * they are, since and until as ms, :now the question's time. NULL with err.
 */
static json_t *
params_of(struct ask *a, const json_t *args, char *err, size_t errlen)
{
	json_t *p = json_object(), *v;
	const char *k;

	json_object_foreach((json_t *)args, k, v) {
		if (strcmp(k, "since") == 0 || strcmp(k, "until") == 0 || strcmp(k, "within") == 0) {
			int64_t ms;

			if (!json_is_string(v) || (ms = ask_time_arg(a, json_string_value(v))) < 0) {
				snprintf(err, errlen, "%s: not a time (RFC 3339, or 24h for a day ago)", k);
				json_decref(p);
				return NULL;
			}
			json_object_set_new(p, k, json_integer(ms));
		} else if (json_is_string(v) || json_is_number(v) || json_is_boolean(v)) {
			json_object_set(p, k, v);
		} else if (!json_is_null(v)) {
			snprintf(err, errlen, "%s: a string or a number", k);
			json_decref(p);
			return NULL;
		}
	}
	json_object_set_new(p, "now", json_integer(a->now / NS_PER_MS));
	return p;
}

/* Runs the named query with params; the result object, or NULL with err. */
static json_t *
query(struct ask *a, const char *name, json_t *params, char *err, size_t errlen)
{
	json_t *rows = json_array();
	int truncated = 0;

	if (aiops_views_query(a->st, name, params, ASK_MAX_ROWS, rows, &truncated, err, errlen) == -1) {
		json_decref(rows);
		return NULL;
	}
	return json_pack("{s:o, s:b}", "rows", rows, "truncated", truncated);
}

/*
 * When rows were cut at ASK_MAX_ROWS, how many there are in all, from the
 * counting query: the result's "total".
 */
static void
add_total(struct ask *a, json_t *r, const char *counter, json_t *params)
{
	char err[ASK_ERRSZ];
	json_t *c;

	if (r == NULL)
		return;
	if (!json_is_true(json_object_get(r, "truncated"))) {
		json_object_set_new(r, "total",
		    json_integer((json_int_t)json_array_size(json_object_get(r, "rows"))));
		return;
	}
	if ((c = query(a, counter, params, err, sizeof(err))) != NULL)
		json_object_set(r, "total", json_object_get(json_array_get(json_object_get(c, "rows"), 0),
		    "total"));
	json_decref(c);
}

/* A tool that is one named query over its arguments. */
#define SIMPLE(fn, qname)						\
static json_t *								\
fn(struct ask *a, const json_t *args, char *err, size_t errlen)	\
{									\
	json_t *p = params_of(a, args, err, errlen), *r;		\
									\
	if (p == NULL)							\
		return NULL;						\
	r = query(a, qname, p, err, errlen);				\
	json_decref(p);							\
	return r;							\
}

SIMPLE(t_hosts, "hosts")
SIMPLE(t_metrics, "metrics")
SIMPLE(t_alerts, "alerts")
SIMPLE(t_anomalies, "anomalies")
SIMPLE(t_anomaly_summary, "anomaly_summary")
SIMPLE(t_incidents, "incidents")
SIMPLE(t_templates, "templates")
SIMPLE(t_templates_new, "templates_new")
SIMPLE(t_log_counts, "log_counts")
SIMPLE(t_clusters, "clusters")
SIMPLE(t_tasks, "tasks")
SIMPLE(t_audit, "audit")

/* Predictions due before :within (a time or how far ahead: "7d"). */
static json_t *
t_predictions(struct ask *a, const json_t *args, char *err, size_t errlen)
{
	json_t *copy = json_deep_copy(args), *p, *r, *w = json_object_get(args, "within");
	int64_t ns;

	json_object_del(copy, "within");
	p = params_of(a, copy, err, errlen);
	json_decref(copy);
	if (p == NULL)
		return NULL;
	if (json_is_string(w)) {
		if (aiops_duration_parse(json_string_value(w), &ns) != 0) {
			snprintf(err, errlen, "within: a duration such as 7d");
			json_decref(p);
			return NULL;
		}
		json_object_set_new(p, "until", json_integer((a->now + ns) / NS_PER_MS));
	}
	r = query(a, "predictions", p, err, errlen);
	json_decref(p);
	return r;
}

/* aggregation latest (the last point) or summary (min, max, avg over since..until). */
static json_t *
t_metric(struct ask *a, const json_t *args, char *err, size_t errlen)
{
	const char *agg = json_string_value(json_object_get(args, "aggregation"));
	json_t *copy = json_deep_copy(args), *p, *r;

	json_object_del(copy, "aggregation");
	p = params_of(a, copy, err, errlen);
	json_decref(copy);
	if (p == NULL)
		return NULL;
	if (agg == NULL)
		agg = json_object_get(p, "since") != NULL ? "summary" : "latest";
	if (strcmp(agg, "latest") != 0 && strcmp(agg, "summary") != 0) {
		snprintf(err, errlen, "aggregation: latest or summary");
		json_decref(p);
		return NULL;
	}
	r = query(a, strcmp(agg, "latest") == 0 ? "metric_latest" : "metric_agg", p, err, errlen);
	json_decref(p);
	return r;
}

/* What a line that says something failed has (FTS5). */
#define FAILURE_WORDS	"(\"fail\"* OR \"invalid\"* OR \"denied\"* OR \"error\"* OR " \
	"\"refused\"* OR \"exceeded\"* OR \"timeout\"* OR \"unable\"*)"

/* How much of a word a prefix search keeps: "throttling" finds "throttled". */
static size_t
stem_len(const char *w, size_t n)
{
	static const char *const ends[] = { "ing", "ed", "es", "s", NULL };
	size_t i, e;

	for (i = 0; ends[i] != NULL; i++) {
		e = strlen(ends[i]);
		/* "502s" is 502, "logs" log; "ending" keeps four letters at least */
		if (n >= e + (e == 1 ? 3 : 4) && strncmp(w + n - e, ends[i], e) == 0)
			return n - e;
	}
	return n;
}

/*
 * FTS5 text from words: each quoted, so that no word is an operator; with
 * "prefix", each as a prefix of its stem ("ssh" finds "sshd"); with
 * "any", a line with any of them, as prefixes; with "failures", only
 * lines that also say something failed.
 */
static json_t *
t_search(struct ask *a, const json_t *args, char *err, size_t errlen)
{
	const char *q = json_string_value(json_object_get(args, "query"));
	int any = json_is_true(json_object_get(args, "any")), words = 0;
	int prefix = any || json_is_true(json_object_get(args, "prefix"));
	struct aiops_buf b, f;
	json_t *p, *r;
	const char *s;

	if (q == NULL) {
		snprintf(err, errlen, "query: the words to search for");
		return NULL;
	}
	if ((p = params_of(a, args, err, errlen)) == NULL)
		return NULL;
	aiops_buf_init(&b);
	for (s = q; *s != '\0';) {
		size_t n;

		s += strspn(s, " \t\"");
		n = strcspn(s, " \t\"");
		if (n == 0)
			break;
		aiops_buf_addf(&b, "%s\"%.*s\"%s", words++ ? (any ? " OR " : " ") : "",
		    (int)(prefix ? stem_len(s, n) : n), s, prefix ? "*" : "");
		s += n;
	}
	if (json_is_true(json_object_get(args, "failures"))) {
		aiops_buf_init(&f);
		if (words++ > 0)
			aiops_buf_addf(&f, "(%s) AND ", aiops_buf_cstr(&b));
		aiops_buf_addstr(&f, FAILURE_WORDS);
		aiops_buf_release(&b);
		b = f;
	}
	json_object_set_new(p, "query", json_string(aiops_buf_cstr(&b)));
	aiops_buf_release(&b);
	r = words ? query(a, "logs", p, err, errlen) : NULL;
	add_total(a, r, "logs_total", p);
	if (!words)
		snprintf(err, errlen, "query: the words to search for");
	json_decref(p);
	return r;
}

static json_t *
t_errors(struct ask *a, const json_t *args, char *err, size_t errlen)
{
	json_t *p = params_of(a, args, err, errlen), *r;

	if (p == NULL)
		return NULL;
	r = query(a, "log_errors", p, err, errlen);
	add_total(a, r, "log_errors_total", p);
	json_decref(p);
	return r;
}

static json_t *
t_gpu(struct ask *a, const json_t *args, char *err, size_t errlen)
{
	json_t *copy = json_deep_copy(args), *r;

	json_object_set_new(copy, "metric", json_string("nvidia_smi_%"));
	json_object_set_new(copy, "aggregation", json_string("latest"));
	r = t_metric(a, copy, err, errlen);
	json_decref(copy);
	return r;
}

/*
 * The KPI report over since..until (default: all the data): per host,
 * failures (incidents), downtime, MTTR (first seen to last seen of a
 * resolved incident), MTBF (time up over failures) and availability;
 * restarts and uptime from the uptime metrics.
 */
static json_t *
t_kpi(struct ask *a, const json_t *args, char *err, size_t errlen)
{
	json_t *p = params_of(a, args, err, errlen), *r, *range, *up, *row, *u;
	int64_t since, until;
	size_t i, j;

	if (p == NULL)
		return NULL;
	if (json_object_get(p, "since") == NULL || json_object_get(p, "until") == NULL) {
		if ((range = query(a, "time_range", p, err, errlen)) == NULL) {
			json_decref(p);
			return NULL;
		}
		row = json_array_get(json_object_get(range, "rows"), 0);
		if (json_object_get(p, "since") == NULL)
			json_object_set(p, "since", json_object_get(row, "first"));
		if (json_object_get(p, "until") == NULL)
			json_object_set_new(p, "until", json_integer(a->now / NS_PER_MS));
		json_decref(range);
	}
	since = json_integer_value(json_object_get(p, "since"));
	until = json_integer_value(json_object_get(p, "until"));
	if ((r = query(a, "kpi", p, err, errlen)) == NULL ||
	    (up = query(a, "uptime", p, err, errlen)) == NULL) {
		json_decref(r);
		json_decref(p);
		return NULL;
	}
	json_array_foreach(json_object_get(r, "rows"), i, row) {
		double window = (double)(until - since) / 1000.0;
		double down = json_number_value(json_object_get(row, "downtime_s"));
		json_int_t failures = json_integer_value(json_object_get(row, "failures"));

		if (window > 0) {
			json_object_set_new(row, "mtbf_s", json_real((window - down) / (double)failures));
			json_object_set_new(row, "availability_pct", json_real(100.0 * (1 - down / window)));
		}
	}
	/* The hosts with uptime facts, merged into their row or added. */
	json_array_foreach(json_object_get(up, "rows"), i, u) {
		const char *host = json_string_value(json_object_get(u, "host"));
		json_t *into = NULL;

		json_array_foreach(json_object_get(r, "rows"), j, row)
			if (host != NULL && json_equal(json_object_get(row, "host"), json_object_get(u, "host")))
				into = row;
		if (into == NULL) {
			into = json_pack("{s:s?, s:i, s:i}", "host", host, "failures", 0, "resolved", 0);
			json_object_set_new(into, "availability_pct", json_real(100.0));
			json_array_append_new(json_object_get(r, "rows"), into);
		}
		json_object_set(into, "restarts", json_object_get(u, "restarts"));
		json_object_set(into, "last_restart", json_object_get(u, "last_restart"));
		json_object_set(into, "uptime_s", json_object_get(u, "uptime_s"));
	}
	json_decref(up);
	if ((up = query(a, "kpi_all", p, err, errlen)) != NULL) {
		json_object_set(r, "fleet", json_array_get(json_object_get(up, "rows"), 0));
		json_decref(up);
	}
	if ((up = query(a, "kpi_clusters", p, err, errlen)) != NULL) {
		json_array_foreach(json_object_get(up, "rows"), i, row) {
			double window = (double)(until - since) / 1000.0;
			double down = json_number_value(json_object_get(row, "downtime_s"));

			if (window > 0) {
				json_object_set_new(row, "mtbf_s", json_real((window - down) /
				    (double)json_integer_value(json_object_get(row, "failures"))));
				json_object_set_new(row, "availability_pct",
				    json_real(100.0 * (1 - down / window)));
			}
		}
		json_object_set(r, "clusters", json_object_get(up, "rows"));
		json_decref(up);
	}
	{
		char b1[40], b2[40];

		aiops_time_format(since * NS_PER_MS, b1);
		aiops_time_format(until * NS_PER_MS, b2);
		json_object_set_new(r, "since", json_string(b1));
		json_object_set_new(r, "until", json_string(b2));
	}
	json_decref(p);
	return r;
}

static json_t *
t_sql(struct ask *a, const json_t *args, char *err, size_t errlen)
{
	const char *sql = json_string_value(json_object_get(args, "query"));
	json_t *rows;
	int truncated = 0;

	if (sql == NULL) {
		snprintf(err, errlen, "query: one SELECT over the views");
		return NULL;
	}
	rows = json_array();
	if (aiops_views_sql(a->st, sql, a->sql_max_rows, a->sql_timeout_ms, rows, &truncated,
	    err, errlen) == -1) {
		json_decref(rows);
		return NULL;
	}
	return json_pack("{s:o, s:b}", "rows", rows, "truncated", truncated);
}

/*
 * A forecast of one series from its last week of 5-minute averages
 * (lib/forecast: the model chosen per series, as aiops-forecast does), at
 * most 48 points of it over the horizon, with the 95% interval; with a
 * threshold, when it is first reached. Of several series of the metric
 * and host, the one named by labels, else the one highest now.
 */
static json_t *
t_forecast(struct ask *a, const json_t *args, char *err, size_t errlen)
{
	const char *metric = json_string_value(json_object_get(args, "metric"));
	const char *hz = json_string_value(json_object_get(args, "horizon"));
	const json_t *want = json_object_get(args, "labels"), *thr = json_object_get(args, "threshold");
	json_t *p, *hist, *row, *best = NULL, *labels = NULL, *rows, *out;
	int64_t horizon = 24 * 3600 * NS_PER_MS * 1000, step = 300 * NS_PER_MS * 1000, id = -1;
	int64_t *ts = NULL, t0, step_out;
	double *v = NULL, *y = NULL;
	struct aiops_fc_opts o = { 0 };
	struct aiops_fc f;
	size_t i, n = 0, len, every;
	int truncated;

	if (metric == NULL) {
		snprintf(err, errlen, "metric: the name of the series to forecast");
		return NULL;
	}
	if (hz != NULL && (aiops_duration_parse(hz, &horizon) != 0 || horizon < step ||
	    horizon > 90 * 86400 * NS_PER_MS * 1000LL)) {
		snprintf(err, errlen, "horizon: a duration from 5m to 90d");
		return NULL;
	}
	p = json_pack("{s:s, s:I}", "metric", metric, "since",
	    (json_int_t)((a->now / NS_PER_MS) - 7 * 86400 * 1000LL));
	if (json_is_string(json_object_get(args, "host")))
		json_object_set(p, "host", json_object_get(args, "host"));
	hist = json_array();
	if (aiops_views_query(a->st, "series_history", p, 1000000, hist, &truncated, err, errlen) == -1) {
		json_decref(p);
		json_decref(hist);
		return NULL;
	}
	json_decref(p);
	/* The series: the one whose labels hold those asked, highest last. */
	json_array_foreach(hist, i, row) {
		const char *k;
		json_t *lv;
		int match = 1;

		json_object_foreach((json_t *)want, k, lv)
			if (!json_equal(json_object_get(json_object_get(row, "labels"), k), lv))
				match = 0;
		if (!match)
			continue;
		if (i + 1 == json_array_size(hist) || json_integer_value(json_object_get(json_array_get(hist,
		    i + 1), "series_id")) != json_integer_value(json_object_get(row, "series_id")))
			if (best == NULL || json_number_value(json_object_get(row, "value")) >
			    json_number_value(json_object_get(best, "value")))
				best = row;
	}
	if (best == NULL) {
		snprintf(err, errlen, "no history of %s%s%s in the last 7 days", metric,
		    json_is_string(json_object_get(args, "host")) ? " on " : "",
		    json_is_string(json_object_get(args, "host")) ?
		    json_string_value(json_object_get(args, "host")) : "");
		json_decref(hist);
		return NULL;
	}
	id = json_integer_value(json_object_get(best, "series_id"));
	labels = json_incref(json_object_get(best, "labels"));
	ts = xmalloc(json_array_size(hist) * sizeof(*ts));
	v = xmalloc(json_array_size(hist) * sizeof(*v));
	json_array_foreach(hist, i, row)
		if (json_integer_value(json_object_get(row, "series_id")) == id) {
			ts[n] = json_integer_value(json_object_get(row, "ts_ms")) * NS_PER_MS;
			v[n++] = json_number_value(json_object_get(row, "value"));
		}
	out = json_pack("{s:s, s:O, s:O, s:O}", "metric", metric, "host", json_object_get(best, "host"),
	    "labels", labels, "unit", json_object_get(best, "unit"));
	json_decref(labels);
	len = aiops_fc_grid(ts, v, n, step, 7 * 288, &y, &t0, &step_out);
	o.horizon = (size_t)(horizon / step_out);
	o.level = 0.95;
	o.step = step_out;
	o.paths = json_is_number(thr);
	if (len < AIOPS_FC_MIN_POINTS || aiops_fc_forecast(y, len, &o, &f) != 0) {
		snprintf(err, errlen, "%s: too little history to forecast (%zu points)", metric, len);
		json_decref(out);
		goto done;
	}
	rows = json_array();
	every = f.h > 48 ? (f.h + 47) / 48 : 1;
	for (i = every - 1; i < f.h; i += every) {
		char t[40];

		aiops_time_format(t0 + (int64_t)(len + i) * step_out, t);
		json_array_append_new(rows, json_pack("{s:s, s:f, s:f, s:f}", "ts", t, "mean", f.mean[i],
		    "lo", f.lo[i], "hi", f.hi[i]));
	}
	json_object_set_new(out, "model", json_string(f.model));
	json_object_set_new(out, "last", json_real(y[len - 1]));
	if (json_is_number(thr)) {
		double eta, lo, hi, x = json_number_value(thr);
		int dir = x >= y[len - 1] ? 1 : -1;

		int rc = aiops_fc_crossing(&f, y[len - 1], x, dir, &eta, &lo, &hi);
		const char *keys[3] = { "eta", "eta_lo", "eta_hi" };
		double at[3] = { eta, lo, hi };
		int k;

		json_object_set_new(out, "threshold", json_real(x));
		json_object_set_new(out, "crossed", json_boolean(rc == 3));
		/* In steps after the last point, -1 when not within the horizon. */
		for (k = 0; k < 3; k++) {
			char t[40];

			if (rc == 1 || rc == 2 ? at[k] >= 0 : 0) {
				aiops_time_format(t0 + (int64_t)(((double)(len - 1) + at[k]) *
				    (double)step_out), t);
				json_object_set_new(out, keys[k], json_string(t));
			} else
				json_object_set_new(out, keys[k], json_null());
		}
	}
	json_object_set_new(out, "rows", rows);
	json_object_set_new(out, "truncated", json_false());
	aiops_fc_release(&f);
done:
	free(y);
	free(ts);
	free(v);
	json_decref(hist);
	return json_object_get(out, "rows") != NULL ? out : NULL;
}

const struct ask_tool ask_tools[] = {
	{ "list_hosts", "The hosts the state knows, with how many series, alerts, anomalies and incidents each has.",
	  OBJ(), t_hosts },
	{ "list_metrics", "The metric names stored, with their hosts and unit.", OBJ(), t_metrics },
	{ "list_alerts", "Alerts (Alertmanager's), firing first.",
	  OBJ("\"status\": {\"type\": \"string\", \"enum\": [\"firing\", \"resolved\"]}, "
	      P_HOST ", \"cluster\": {\"type\": \"string\"}, \"severity\": {\"type\": \"string\"}, \"alertname\": {\"type\": \"string\"}, "
	      P_SINCE ", " P_UNTIL), t_alerts },
	{ "list_anomalies", "Anomalies found by aiops-detect in metrics and logs, strongest first.",
	  OBJ(P_HOST ", " P_METRIC ", \"kind\": {\"type\": \"string\", \"enum\": [\"metric\", \"log\"]}, "
	      P_SINCE ", " P_UNTIL), t_anomalies },
	{ "summarize_anomalies", "Anomalies counted by host and metric.",
	  OBJ(P_HOST ", " P_METRIC ", " P_SINCE ", " P_UNTIL), t_anomaly_summary },
	{ "list_incidents", "Incidents (anomalies and alerts grouped), newest first, with the suspected cause.",
	  OBJ("\"status\": {\"type\": \"string\", \"enum\": [\"open\", \"resolved\"]}, "
	      "\"id\": {\"type\": \"string\"}, " P_HOST ", " P_SINCE ", " P_UNTIL), t_incidents },
	{ "list_predictions", "What is predicted to cross a threshold (disk 90%, memory 95%...) and when, with the interval.",
	  OBJ(P_HOST ", " P_METRIC ", \"within\": {\"type\": \"string\", \"description\": \"how far ahead: 7d\"}"),
	  t_predictions },
	{ "query_metrics", "A metric's last value per series (latest), or its min, max, average and last over a time range (summary).",
	  OBJ_REQ("\"metric\"", P_METRIC ", " P_HOST ", " P_SINCE ", " P_UNTIL ", "
	      "\"aggregation\": {\"type\": \"string\", \"enum\": [\"latest\", \"summary\"]}"), t_metric },
	{ "forecast_series", "A forecast of one metric's series from its last week (the model chosen "
	  "per series), with the 95% interval, at most 48 points over the horizon; with a threshold, "
	  "when it is first reached.",
	  OBJ_REQ("\"metric\"", P_METRIC ", " P_HOST ", \"labels\": {\"type\": \"object\"}, "
	      "\"horizon\": {\"type\": \"string\", \"description\": \"how far: 24h, 7d\"}, "
	      "\"threshold\": {\"type\": \"number\"}"), t_forecast },
	{ "top_log_templates", "The most frequent kinds of log lines (templates) over a time range.",
	  OBJ(P_HOST ", " P_SERVICE ", \"errors\": {\"type\": \"boolean\"}, " P_SINCE ", " P_UNTIL),
	  t_templates },
	{ "new_log_templates", "Kinds of log lines first seen in a time range.",
	  OBJ(P_HOST ", " P_SINCE ", " P_UNTIL), t_templates_new },
	{ "search_logs", "Full-text search of the stored log lines (every word must appear; with prefix, "
	  "as the start of a word; with any, one word or a word it begins; with errors, lines of severity error or worse; with failures, "
	  "lines that also say fail, invalid, denied, error, refused, exceeded, timeout or unable), newest first.",
	  OBJ_REQ("\"query\"", "\"query\": {\"type\": \"string\"}, \"any\": {\"type\": \"boolean\"}, \"prefix\": {\"type\": \"boolean\"}, "
	  "\"errors\": {\"type\": \"boolean\"}, \"failures\": {\"type\": \"boolean\"}, " P_SERVICE ", "
	  P_HOST ", " P_SINCE ", " P_UNTIL), t_search },
	{ "error_logs", "Log lines of severity error or worse, newest first.",
	  OBJ(P_HOST ", " P_SERVICE ", " P_SINCE ", " P_UNTIL), t_errors },
	{ "count_logs", "Log lines counted by host and severity.",
	  OBJ(P_HOST ", " P_SERVICE ", " P_SINCE ", " P_UNTIL), t_log_counts },
	{ "list_clusters", "The clusters, registered or named by the cluster label of alerts, incidents "
	  "and series: their hosts, health, alerts firing and incidents open.",
	  OBJ("\"cluster\": {\"type\": \"string\"}, \"status\": {\"type\": \"string\"}, "
	      "\"environment\": {\"type\": \"string\"}"), t_clusters },
	{ "gpu_status", "The last nvidia-smi readings per GPU: utilisation, memory, temperature, power, ECC errors.",
	  OBJ(P_HOST), t_gpu },
	{ "list_tasks", "What automation (aiops-run) did: tasks, their rule, target, state and result.",
	  OBJ(P_HOST ", \"status\": {\"type\": \"string\"}, \"rule\": {\"type\": \"string\"}, "
	  P_SINCE ", " P_UNTIL), t_tasks },
	{ "audit_log", "aiops-run's audit log: each decision (queued, started, succeeded, approved...).",
	  OBJ(P_HOST ", " P_SINCE ", " P_UNTIL), t_audit },
	{ "kpi_report", "Reliability per host, per cluster and over the fleet for a period: failures, downtime, MTTR, "
	  "MTBF, availability, restarts, uptime.",
	  OBJ(P_HOST ", \"cluster\": {\"type\": \"string\"}, " P_SINCE ", " P_UNTIL), t_kpi },
	{ "propose_playbook", "Propose a remediation playbook of share/playbooks (disk-cleanup, "
	  "log-rotate, restart-service, package-update...) for a host: it is syntax-checked and shown; "
	  "nothing runs until a person confirms and an approver approves it in aiops-run.",
	  OBJ_REQ("\"playbook\", \"host\"", "\"playbook\": {\"type\": \"string\"}, "
	      "\"host\": {\"type\": \"string\"}, \"vars\": {\"type\": \"object\"}, "
	      "\"reason\": {\"type\": \"string\"}"), ask_propose },
	{ "sql", "One read-only SELECT over the documented views (v_series, v_points, v_rollup_1h, v_alerts, "
	  "v_alert_history, v_anomalies, v_incidents, v_predictions, v_log_templates, v_logs, v_clusters, "
	  "v_tasks, v_audit); times are RFC 3339 text, *_ms columns milliseconds.",
	  OBJ_REQ("\"query\"", "\"query\": {\"type\": \"string\"}"), t_sql },
	{ NULL, NULL, NULL, NULL },
};

json_t *
ask_tool_call(struct ask *a, const char *name, const json_t *args, char *err, size_t errlen)
{
	const struct ask_tool *t;
	json_t *r, *empty = NULL;
	int64_t t0 = aiops_monotonic_ns();

	for (t = ask_tools; t->name != NULL; t++)
		if (strcmp(t->name, name) == 0)
			break;
	if (t->name == NULL) {
		snprintf(err, errlen, "no tool %s", name);
		return NULL;
	}
	if (args == NULL)
		args = empty = json_object();
	if (!json_is_object(args)) {
		snprintf(err, errlen, "%s: the arguments are not an object", name);
		return NULL;
	}
	r = t->run(a, args, err, errlen);
	if (a->calls != NULL)
		json_array_append_new(a->calls, json_pack("{s:s, s:O, s:o, s:I}", "name", name,
		    "arguments", args, "rows", r != NULL ?
		    json_integer((json_int_t)json_array_size(json_object_get(r, "rows"))) :
		    json_string(err), "ms", (json_int_t)((aiops_monotonic_ns() - t0) / NS_PER_MS)));
	json_decref(empty);
	return r;
}

json_t *
ask_tools_openai(void)
{
	const struct ask_tool *t;
	json_t *out = json_array();

	for (t = ask_tools; t->name != NULL; t++)
		json_array_append_new(out, json_pack("{s:s, s:{s:s, s:s, s:o}}", "type", "function",
		    "function", "name", t->name, "description", t->description, "parameters",
		    json_loads(t->parameters, 0, NULL)));
	return out;
}

json_t *
ask_tools_mcp(void)
{
	const struct ask_tool *t;
	json_t *out = json_array();

	for (t = ask_tools; t->name != NULL; t++)
		json_array_append_new(out, json_pack("{s:s, s:s, s:o, s:{s:b}}", "name", t->name,
		    "description", t->description, "inputSchema", json_loads(t->parameters, 0, NULL),
		    "annotations", "readOnlyHint", 1));
	return out;
}

/* The names in column col of the named query's rows, as an array. */
static json_t *
names(struct ask *a, const char *qname, const char *col, char *err, size_t errlen)
{
	json_t *p = json_object(), *r = query(a, qname, p, err, errlen), *out, *row;
	size_t i;

	json_decref(p);
	if (r == NULL)
		return NULL;
	out = json_array();
	json_array_foreach(json_object_get(r, "rows"), i, row)
		if (json_is_string(json_object_get(row, col)))
			json_array_append(out, json_object_get(row, col));
	json_decref(r);
	return out;
}

/*
 * The services of the logs, read at the first question that needs them
 * (a word no other slot took): reading them costs more than the rest of
 * the vocabulary. Empty when they cannot be read.
 */
const json_t *
ask_services(struct ask *a)
{
	char err[ASK_ERRSZ];

	if (a->services == NULL && (a->st == NULL || (a->services = names(a, "service_names",
	    "service", err, sizeof(err))) == NULL))
		a->services = json_array();
	return a->services;
}

int
ask_vocabulary(struct ask *a, char *err, size_t errlen)
{
	if ((a->hosts = names(a, "hosts", "host", err, errlen)) == NULL ||
	    (a->metrics = names(a, "metrics", "metric", err, errlen)) == NULL ||
	    (a->clusters = names(a, "cluster_names", "cluster", err, errlen)) == NULL ||
	    (a->rules = names(a, "rule_names", "rule", err, errlen)) == NULL ||
	    (a->alertnames = names(a, "alert_names", "alertname", err, errlen)) == NULL)
		return -1;
	return 0;
}
