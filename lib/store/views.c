/*
 * views.c: aiops-ask's reads of the state (views.h): the named queries,
 * the sandbox of untrusted SQL, and the ask_ tables.
 */
#include "compat.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "store/state_int.h"
#include "store/views.h"

/* A stored ms time as RFC 3339 text, seconds. */
#define ISO(c)	"strftime('%Y-%m-%dT%H:%M:%SZ', " c " / 1000, 'unixepoch')"
/* The time window [:since, :until] on a column of ms; NULL bounds are open. */
#define WINDOW(c) "(:since IS NULL OR " c " >= :since) AND (:until IS NULL OR " c " <= :until)"

const char *const aiops_views[] = {
	"v_series", "v_points", "v_rollup_1h", "v_alerts", "v_alert_history", "v_anomalies",
	"v_incidents", "v_predictions", "v_log_templates", "v_logs", "v_clusters", "v_tasks",
	"v_audit", NULL,
};

struct named {
	const char	*name;
	const char	*sql;
};

/* With :errors true, lines of severity error or worse only. */
#define ERRORS_ONLY(col)						\
	"(:errors IS NULL OR NOT :errors OR " col			\
	" IN ('emergency', 'alert', 'critical', 'error', 'fatal'))"

/*
 * Every (cluster, host) pair the labels give: a host is in the cluster
 * its alerts, incidents or series carry the label cluster= of. A
 * registered cluster with a Prometheus adds the label to what is polled
 * from it; the samples carry it too.
 */
#define CLUSTER_PAIRS							\
	"SELECT json_extract(labels, '$.cluster') AS cluster, host FROM alerts" \
	"  WHERE host <> '' AND json_extract(labels, '$.cluster') IS NOT NULL" \
	" UNION SELECT json_extract(i.labels, '$.cluster'), j.value FROM incidents i," \
	"  json_each(i.hosts) j WHERE json_extract(i.labels, '$.cluster') IS NOT NULL" \
	" UNION SELECT json_extract(labels, '$.cluster'), host FROM series" \
	"  WHERE host <> '' AND json_extract(labels, '$.cluster') IS NOT NULL"

/* The pairs as a CTE named ch; the hosts of :cluster. */
#define CLUSTER_MAP	"ch(cluster, host) AS (" CLUSTER_PAIRS ")"
#define CLUSTER_HOSTS	"SELECT host FROM (" CLUSTER_PAIRS ") WHERE cluster = :cluster"

static const struct named queries[] = {
	{ "hosts",
	  "SELECT host, sum(series) AS series, sum(alerts) AS alerts, sum(anomalies) AS anomalies,"
	  " sum(incidents) AS incidents FROM ("
	  " SELECT host, count(*) AS series, 0 AS alerts, 0 AS anomalies, 0 AS incidents"
	  "  FROM series WHERE host <> '' GROUP BY host"
	  " UNION ALL SELECT host, 0, count(*), 0, 0 FROM alerts WHERE host <> '' GROUP BY host"
	  " UNION ALL SELECT host, 0, 0, count(*), 0 FROM anomalies WHERE host <> '' GROUP BY host"
	  " UNION ALL SELECT j.value, 0, 0, 0, count(*) FROM incidents, json_each(incidents.hosts) j"
	  "  GROUP BY j.value)"
	  " GROUP BY host ORDER BY host" },
	{ "metrics",
	  "SELECT name AS metric, count(*) AS series, group_concat(DISTINCT host) AS hosts,"
	  " max(unit) AS unit FROM series GROUP BY name ORDER BY name" },
	/* Registered clusters and those only labels name, with their hosts, the
	 * alerts firing and the incidents open on them. */
	{ "clusters",
	  "WITH " CLUSTER_MAP ", n(cluster) AS (SELECT name FROM clusters UNION SELECT cluster FROM ch),"
	  " t AS (SELECT n.cluster, c.environment, c.type, c.has_gpu, c.name IS NOT NULL AS registered,"
	  "  c.status, " ISO("c.status_since") " AS status_since, c.failures, c.labels, c.health,"
	  "  (SELECT group_concat(host, ',') FROM (SELECT DISTINCT host FROM ch"
	  "   WHERE ch.cluster = n.cluster ORDER BY host)) AS hosts,"
	  "  (SELECT count(*) FROM alerts a WHERE a.status = 'firing'"
	  "   AND (json_extract(a.labels, '$.cluster') = n.cluster"
	  "   OR a.host IN (SELECT host FROM ch WHERE ch.cluster = n.cluster))) AS firing,"
	  "  (SELECT count(*) FROM incidents i WHERE i.status = 'open'"
	  "   AND (json_extract(i.labels, '$.cluster') = n.cluster OR EXISTS (SELECT 1"
	  "   FROM json_each(i.hosts) j WHERE j.value IN (SELECT host FROM ch"
	  "   WHERE ch.cluster = n.cluster)))) AS open_incidents"
	  "  FROM n LEFT JOIN clusters c ON c.name = n.cluster)"
	  " SELECT * FROM t WHERE (:cluster IS NULL OR cluster = :cluster)"
	  " AND (:status IS NULL OR status = :status)"
	  " AND (:environment IS NULL OR environment = :environment)"
	  " ORDER BY coalesce(status, 'online') = 'online', firing + open_incidents = 0, cluster" },
	{ "alerts",
	  "SELECT fingerprint AS id, alertname, status, severity, host, " ISO("starts_at")
	  " AS starts_at, " ISO("ends_at") " AS ends_at, (coalesce(CASE WHEN status = 'resolved'"
	  " THEN ends_at END, :now) - starts_at) / 1000 AS duration_s,"
	  " json_extract(annotations, '$.summary') AS summary, labels FROM alerts"
	  " WHERE (:status IS NULL OR status = :status) AND (:host IS NULL OR host = :host)"
	  " AND (:severity IS NULL OR severity = :severity)"
	  " AND (:alertname IS NULL OR alertname = :alertname)"
	  " AND (:cluster IS NULL OR json_extract(labels, '$.cluster') = :cluster"
	  "  OR host IN (" CLUSTER_HOSTS "))"
	  " AND (:until IS NULL OR starts_at <= :until)"
	  " AND (:since IS NULL OR status = 'firing' OR ends_at IS NULL OR ends_at >= :since)"
	  " ORDER BY status = 'firing' DESC, severity = 'critical' DESC, starts_at DESC" },
	{ "anomalies",
	  "SELECT id, " ISO("ts") " AS ts, kind, name AS metric, host, template_id, value, score,"
	  " detector, reason FROM anomalies"
	  " WHERE (:host IS NULL OR host = :host) AND " WINDOW("ts")
	  " AND (:metric IS NULL OR name = :metric OR name LIKE :metric || '%')"
	  " AND (:kind IS NULL OR kind = :kind)"
	  " ORDER BY score DESC, ts DESC" },
	{ "anomaly_summary",
	  "SELECT host, name AS metric, kind, count(*) AS count, max(score) AS score,"
	  " " ISO("min(ts)") " AS first, " ISO("max(ts)") " AS last FROM anomalies"
	  " WHERE (:host IS NULL OR host = :host) AND " WINDOW("ts")
	  " AND (:metric IS NULL OR name = :metric OR name LIKE :metric || '%')"
	  " GROUP BY host, name ORDER BY count(*) DESC, max(score) DESC" },
	{ "incidents",
	  "SELECT id, status, severity, title, hosts, " ISO("first_seen") " AS first_seen, "
	  ISO("last_seen") " AS last_seen, (last_seen - first_seen) / 1000 AS duration_s,"
	  " json_extract(root_cause, '$.host') AS cause_host,"
	  " json_extract(root_cause, '$.what') AS cause,"
	  " json_extract(root_cause, '$.kind') AS cause_kind,"
	  " json_array_length(members) AS members, summary FROM incidents"
	  " WHERE (:status IS NULL OR status = :status) AND (:id IS NULL OR id = :id)"
	  " AND (:host IS NULL OR EXISTS (SELECT 1 FROM json_each(incidents.hosts) WHERE value = :host))"
	  " AND (:until IS NULL OR first_seen <= :until) AND (:since IS NULL OR last_seen >= :since)"
	  " ORDER BY first_seen DESC" },
	{ "predictions",
	  "SELECT p.name AS metric, p.host, s.labels, p.threshold, p.direction, " ISO("p.eta")
	  " AS eta, " ISO("p.eta_lo") " AS eta_lo, " ISO("p.eta_hi") " AS eta_hi, p.crossed,"
	  " p.value, round((p.eta - :now) / 3600000.0, 1) AS hours_left, p.model"
	  " FROM predictions p LEFT JOIN series s ON s.key = p.series_key"
	  " WHERE (:host IS NULL OR p.host = :host)"
	  " AND (:metric IS NULL OR p.name = :metric OR p.name LIKE :metric || '%')"
	  " AND (:until IS NULL OR p.eta <= :until OR p.crossed)"
	  " ORDER BY p.crossed DESC, p.eta" },
	/* Aggregates over the 5-minute rollups: exact sums, counts, minima and maxima. */
	{ "metric_agg",
	  "WITH agg AS (SELECT s.id, s.name, s.host, s.labels, s.unit, sum(r.count) AS n,"
	  "  min(r.min) AS min, max(r.max) AS max, sum(r.sum) / sum(r.count) AS avg,"
	  "  max(r.bucket) AS last_bucket"
	  "  FROM series s JOIN rollup_5m r ON r.series_id = s.id AND " WINDOW("r.bucket")
	  "  WHERE (:metric IS NULL OR s.name = :metric OR s.name LIKE :metric)"
	  "  AND (:host IS NULL OR s.host = :host) GROUP BY s.id)"
	  " SELECT name AS metric, host, labels, unit, n, min, max, avg,"
	  " (SELECT r2.last FROM rollup_5m r2 WHERE r2.series_id = agg.id"
	  "  AND r2.bucket = agg.last_bucket) AS last,"
	  " " ISO("last_bucket") " AS last_ts,"
	  " (SELECT " ISO("r3.bucket") " FROM rollup_5m r3 WHERE r3.series_id = agg.id"
	  "  AND r3.max = agg.max AND " WINDOW("r3.bucket") " ORDER BY r3.bucket LIMIT 1) AS max_ts"
	  " FROM agg ORDER BY max DESC" },
	/* A metric's 5-minute averages, series by series, for a forecast. */
	{ "series_history",
	  "SELECT s.id AS series_id, s.name AS metric, s.host, s.labels, s.unit, r.bucket AS ts_ms,"
	  " r.sum / r.count AS value FROM series s JOIN rollup_5m r ON r.series_id = s.id"
	  " WHERE s.name = :metric AND (:host IS NULL OR s.host = :host)"
	  " AND (:since IS NULL OR r.bucket >= :since) ORDER BY s.id, r.bucket" },
	{ "metric_latest",
	  "SELECT s.name AS metric, s.host, s.labels, s.unit, p.value, " ISO("s.last_ts") " AS ts"
	  " FROM series s JOIN points p ON p.ts = s.last_ts AND p.series_id = s.id"
	  " WHERE (:metric IS NULL OR s.name = :metric OR s.name LIKE :metric)"
	  " AND (:host IS NULL OR s.host = :host)"
	  " ORDER BY s.host, s.name, s.labels" },
	{ "templates",
	  "SELECT t.id AS template_id, t.template, count(*) AS count, " ISO("min(l.ts)") " AS first,"
	  " " ISO("max(l.ts)") " AS last, group_concat(DISTINCT l.host) AS hosts"
	  " FROM log_lines l JOIN log_templates t ON t.id = l.template_id"
	  " WHERE (:host IS NULL OR l.host = :host) AND " WINDOW("l.ts")
	  " AND (:service IS NULL OR l.service = :service) AND " ERRORS_ONLY("l.severity")
	  " GROUP BY t.id ORDER BY count(*) DESC, t.id" },
	{ "templates_new",
	  "SELECT t.id AS template_id, t.template, t.count, " ISO("t.first_seen") " AS first_seen,"
	  " a.host FROM log_templates t LEFT JOIN anomalies a ON a.template_id = t.id"
	  " AND a.detector = 'new-template'"
	  " WHERE " WINDOW("t.first_seen") " AND (:host IS NULL OR a.host = :host)"
	  " GROUP BY t.id ORDER BY t.first_seen, t.id" },
	{ "logs",
	  "SELECT l.id, " ISO("l.ts") " AS ts, l.host, l.service, l.severity, l.template_id, l.message"
	  " FROM log_fts f JOIN log_lines l ON l.id = f.rowid"
	  " WHERE log_fts MATCH :query AND (:host IS NULL OR l.host = :host) AND " WINDOW("l.ts")
	  " AND (:service IS NULL OR l.service = :service)"
	  " AND " ERRORS_ONLY("l.severity") " ORDER BY l.ts DESC" },
	{ "log_errors",
	  "SELECT id, " ISO("ts") " AS ts, host, service, severity, template_id, message FROM log_lines"
	  " WHERE severity IN ('emergency', 'alert', 'critical', 'error', 'fatal')"
	  " AND (:host IS NULL OR host = :host) AND " WINDOW("ts")
	  " AND (:service IS NULL OR service = :service)"
	  " ORDER BY ts DESC" },
	{ "log_errors_total",
	  "SELECT count(*) AS total FROM log_lines"
	  " WHERE severity IN ('emergency', 'alert', 'critical', 'error', 'fatal')"
	  " AND (:host IS NULL OR host = :host) AND " WINDOW("ts")
	  " AND (:service IS NULL OR service = :service)" },
	{ "logs_total",
	  "SELECT count(*) AS total FROM log_fts f JOIN log_lines l ON l.id = f.rowid"
	  " WHERE log_fts MATCH :query AND (:host IS NULL OR l.host = :host) AND " WINDOW("l.ts")
	  " AND (:service IS NULL OR l.service = :service)"
	  " AND " ERRORS_ONLY("l.severity") },
	{ "log_counts",
	  "SELECT host, severity, count(*) AS count FROM log_lines"
	  " WHERE (:host IS NULL OR host = :host) AND " WINDOW("ts")
	  " AND (:service IS NULL OR service = :service)"
	  " GROUP BY host, severity ORDER BY host, count(*) DESC" },
	{ "tasks",
	  "SELECT id, rule, target, host, action, state, " ISO("created") " AS created, "
	  ISO("finished") " AS finished, attempts, exit_status, error FROM run_tasks"
	  " WHERE (:host IS NULL OR host = :host) AND (:status IS NULL OR state = :status)"
	  " AND (:rule IS NULL OR rule = :rule)"
	  " AND " WINDOW("created") " ORDER BY created DESC, id DESC" },
	{ "audit",
	  "SELECT seq, " ISO("ts") " AS ts, decision, rule, target, task_id, detail FROM run_audit"
	  " WHERE " WINDOW("ts") " AND (:host IS NULL OR target = :host) ORDER BY seq" },
	/* Failures, downtime and repair times per host: the KPI report's inputs. */
	{ "kpi",
	  "SELECT j.value AS host, count(*) AS failures,"
	  " count(*) FILTER (WHERE i.status = 'resolved') AS resolved,"
	  " sum(min(i.last_seen, coalesce(:until, i.last_seen)) - max(i.first_seen, coalesce(:since, 0)))"
	  "  / 1000 AS downtime_s,"
	  " avg(i.last_seen - i.first_seen) FILTER (WHERE i.status = 'resolved') / 1000.0 AS mttr_s"
	  " FROM incidents i, json_each(i.hosts) j"
	  " WHERE (:host IS NULL OR j.value = :host) AND (:until IS NULL OR i.first_seen <= :until)"
	  " AND (:since IS NULL OR i.last_seen >= :since)"
	  " AND (:cluster IS NULL OR j.value IN (" CLUSTER_HOSTS "))"
	  " GROUP BY j.value ORDER BY j.value" },
	/* The same by cluster: an incident counts for a cluster that its label
	 * names or that holds one of its hosts, once. */
	{ "kpi_clusters",
	  "WITH " CLUSTER_MAP ", ic(cluster, id) AS ("
	  " SELECT json_extract(labels, '$.cluster'), id FROM incidents"
	  "  WHERE json_extract(labels, '$.cluster') IS NOT NULL"
	  " UNION SELECT ch.cluster, i.id FROM incidents i, json_each(i.hosts) j"
	  "  JOIN ch ON ch.host = j.value)"
	  " SELECT ic.cluster, count(*) AS failures,"
	  " count(*) FILTER (WHERE status = 'resolved') AS resolved,"
	  " sum(min(last_seen, coalesce(:until, last_seen)) - max(first_seen, coalesce(:since, 0)))"
	  "  / 1000 AS downtime_s,"
	  " avg(last_seen - first_seen) FILTER (WHERE status = 'resolved') / 1000.0 AS mttr_s"
	  " FROM ic JOIN incidents USING (id)"
	  " WHERE (:cluster IS NULL OR ic.cluster = :cluster)"
	  " AND (:until IS NULL OR first_seen <= :until) AND (:since IS NULL OR last_seen >= :since)"
	  " AND (:host IS NULL OR EXISTS (SELECT 1 FROM json_each(incidents.hosts) WHERE value = :host))"
	  " GROUP BY 1 ORDER BY 1" },
	/* Every cluster name the state holds: the registry's, and the labels' of incidents and alerts. */
	{ "cluster_names",
	  "SELECT name AS cluster FROM clusters"
	  " UNION SELECT json_extract(labels, '$.cluster') FROM incidents"
	  "  WHERE json_extract(labels, '$.cluster') IS NOT NULL"
	  " UNION SELECT json_extract(labels, '$.cluster') FROM alerts"
	  "  WHERE json_extract(labels, '$.cluster') IS NOT NULL ORDER BY 1" },
	/* The services of the latest 20,000 log lines: no index covers them
	 * all (aiops-ask reads them only for a question that needs them). */
	{ "service_names",
	  "SELECT DISTINCT service FROM (SELECT service FROM log_lines ORDER BY id DESC LIMIT 20000)"
	  " WHERE service <> '' ORDER BY 1" },
	/* The names of the latest 20,000 alerts (no index covers them all). */
	{ "alert_names",
	  "SELECT DISTINCT alertname FROM (SELECT alertname FROM alerts ORDER BY rowid DESC"
	  " LIMIT 20000) WHERE alertname <> '' ORDER BY 1" },
	{ "rule_names",
	  "SELECT DISTINCT rule FROM run_tasks ORDER BY 1" },
	/* The KPIs over the fleet, each incident once. */
	{ "kpi_all",
	  "SELECT count(*) AS failures, count(*) FILTER (WHERE status = 'resolved') AS resolved,"
	  " avg(last_seen - first_seen) FILTER (WHERE status = 'resolved') / 1000.0 AS mttr_s"
	  " FROM incidents WHERE (:until IS NULL OR first_seen <= :until)"
	  " AND (:since IS NULL OR last_seen >= :since)"
	  " AND (:cluster IS NULL OR json_extract(labels, '$.cluster') = :cluster"
	  "  OR EXISTS (SELECT 1 FROM json_each(incidents.hosts) WHERE value IN (" CLUSTER_HOSTS ")))"
	  " AND (:host IS NULL OR EXISTS (SELECT 1 FROM json_each(incidents.hosts) WHERE value = :host))" },
	/* Restarts: an uptime that went down between two 5-minute buckets, or within one. */
	{ "uptime",
	  "WITH u AS (SELECT s.host, r.bucket, r.min, r.last,"
	  "  lag(r.last) OVER (PARTITION BY s.id ORDER BY r.bucket) AS prev"
	  "  FROM series s JOIN rollup_5m r ON r.series_id = s.id"
	  "  WHERE s.name = 'system_uptime' AND (:host IS NULL OR s.host = :host)"
	  "  AND (:cluster IS NULL OR s.host IN (" CLUSTER_HOSTS "))"
	  "  AND " WINDOW("r.bucket") ")"
	  " SELECT host, count(*) FILTER (WHERE min < prev) AS restarts,"
	  " " ISO("max(bucket) FILTER (WHERE min < prev)") " AS last_restart,"
	  " (SELECT last FROM u u2 WHERE u2.host = u.host ORDER BY bucket DESC LIMIT 1) AS uptime_s,"
	  " " ISO("max(bucket)") " AS ts FROM u GROUP BY host ORDER BY host" },
	{ "boot_times",
	  "SELECT s.host, p.value AS boot_time, " ISO("s.last_ts") " AS ts FROM series s"
	  " JOIN points p ON p.ts = s.last_ts AND p.series_id = s.id"
	  " WHERE s.name = 'node_boot_time_seconds' AND (:host IS NULL OR s.host = :host)" },
	{ "time_range",
	  "SELECT min(first_ts) AS first, max(last_ts) AS last FROM series" },
	{ NULL, NULL },
};

/* Columns whose text is JSON: handed back parsed. */
static int
json_column(const char *name)
{
	return strcmp(name, "labels") == 0 || strcmp(name, "hosts") == 0 ||
	    strcmp(name, "health") == 0 || strcmp(name, "endpoints") == 0 ||
	    strcmp(name, "annotations") == 0;
}

static json_t *
column_value(sqlite3_stmt *s, int i)
{
	const char *text;
	json_t *v;

	switch (sqlite3_column_type(s, i)) {
	case SQLITE_INTEGER:
		return json_integer((json_int_t)sqlite3_column_int64(s, i));
	case SQLITE_FLOAT:
		return json_real(sqlite3_column_double(s, i));
	case SQLITE_NULL:
		return json_null();
	case SQLITE_BLOB:
		return json_string("(blob)");
	default:
		text = (const char *)sqlite3_column_text(s, i);
		if (json_column(sqlite3_column_name(s, i)) &&
		    (v = json_loads(text, JSON_DECODE_ANY, NULL)) != NULL)
			return v;
		return json_stringn(text, (size_t)sqlite3_column_bytes(s, i));
	}
}

/* Steps s to its end or max_rows, a JSON object a row. 0, or -1 recorded. */
static int
read_rows(struct aiops_state *st, sqlite3_stmt *s, size_t max_rows, json_t *rows, int *truncated)
{
	size_t n = 0;
	int rc, i, ncol = sqlite3_column_count(s);

	if (truncated != NULL)
		*truncated = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		json_t *row;

		if (n == max_rows) {
			if (truncated != NULL)
				*truncated = 1;
			break;
		}
		row = json_object();
		for (i = 0; i < ncol; i++)
			json_object_set_new(row, sqlite3_column_name(s, i), column_value(s, i));
		json_array_append_new(rows, row);
		n++;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		aiops_state_fail(st);
		sqlite3_reset(s);
		return -1;
	}
	sqlite3_reset(s);
	return 0;
}

/* Binds each named parameter from params; ":now" defaults to the clock. */
static int
bind_params(sqlite3_stmt *s, const json_t *params)
{
	int i, n = sqlite3_bind_parameter_count(s);

	for (i = 1; i <= n; i++) {
		const char *name = sqlite3_bind_parameter_name(s, i);
		json_t *v = name != NULL ? json_object_get(params, name + 1) : NULL;

		if (json_is_integer(v))
			sqlite3_bind_int64(s, i, (sqlite3_int64)json_integer_value(v));
		else if (json_is_real(v))
			sqlite3_bind_double(s, i, json_real_value(v));
		else if (json_is_string(v))
			sqlite3_bind_text(s, i, json_string_value(v), (int)json_string_length(v),
			    SQLITE_TRANSIENT);
		else if (json_is_boolean(v))
			sqlite3_bind_int(s, i, json_is_true(v));
		else if (name != NULL && strcmp(name, ":now") == 0)
			sqlite3_bind_int64(s, i, aiops_clock_now() / AIOPS_STATE_NS_PER_MS);
		else
			sqlite3_bind_null(s, i);
	}
	return 0;
}

int
aiops_views_query(struct aiops_state *st, const char *name, const json_t *params,
    size_t max_rows, json_t *rows, int *truncated, char *err, size_t errlen)
{
	const struct named *q;
	sqlite3_stmt *s;

	for (q = queries; q->name != NULL; q++)
		if (strcmp(q->name, name) == 0)
			break;
	if (q->name == NULL) {
		snprintf(err, errlen, "no query %s", name);
		return -1;
	}
	if ((s = aiops_state_stmt(st, q->sql)) == NULL)
		goto fail;
	bind_params(s, params);
	if (read_rows(st, s, max_rows, rows, truncated) == -1)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", name, aiops_state_errmsg(st));
	return -1;
}

/* The tables each view reads: a count(*) of a view reads its table alone. */
static const char *const view_tables[][3] = {
	{ "v_series", "series", NULL }, { "v_points", "points", "series" },
	{ "v_rollup_1h", "rollup_1h", "series" }, { "v_alerts", "alerts", NULL },
	{ "v_alert_history", "alert_history", "alerts" }, { "v_anomalies", "anomalies", NULL },
	{ "v_incidents", "incidents", NULL }, { "v_predictions", "predictions", "series" },
	{ "v_log_templates", "log_templates", NULL }, { "v_logs", "log_lines", NULL },
	{ "v_clusters", "clusters", NULL }, { "v_tasks", "run_tasks", NULL },
	{ "v_audit", "run_audit", NULL },
};

/* The sandbox of aiops_views_sql(). */
struct sandbox {
	const char	*sql;		/* the statement's text */
	json_t		*tables;	/* the names of the file's tables: {name: true} */
	char		 why[256];
};

/* Does the text name word, as a whole word? */
static int
names_word(const char *text, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = text; (p = strcasestr(p, word)) != NULL; p += n)
		if ((p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_')) &&
		    !(isalnum((unsigned char)p[n]) || p[n] == '_'))
			return 1;
	return 0;
}

/* A read of table with no column (count(*)) of a view the statement names. */
static int
counted_by_view(const struct sandbox *sb, const char *table)
{
	size_t i;

	for (i = 0; i < sizeof(view_tables) / sizeof(view_tables[0]); i++)
		if ((strcmp(view_tables[i][1], table) == 0 ||
		    (view_tables[i][2] != NULL && strcmp(view_tables[i][2], table) == 0)) &&
		    names_word(sb->sql, view_tables[i][0]))
			return 1;
	return 0;
}

static int
is_view(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && aiops_views[i] != NULL; i++)
		if (strcmp(name, aiops_views[i]) == 0)
			return 1;
	return 0;
}

/*
 * SQLite's authorizer (sqlite3_set_authorizer): a SELECT may read a view,
 * and what the view reads on its behalf (arg4 names the view); nothing
 * else. Functions are allowed but the few that reach outside.
 */
static int
authorize(void *arg, int action, const char *a1, const char *a2, const char *a3, const char *a4)
{
	struct sandbox *sb = arg;

	switch (action) {
	case SQLITE_SELECT:
	case SQLITE_RECURSIVE:
		return SQLITE_OK;
	case SQLITE_READ:
		if (is_view(a1) || is_view(a4) || a1 == NULL || *a1 == '\0')
			return SQLITE_OK;
		/* A common table expression's name is no table of the file. */
		if (strncmp(a1, "sqlite_", 7) != 0 && json_object_get(sb->tables, a1) == NULL)
			return SQLITE_OK;
		if (a2 != NULL && *a2 == '\0' && counted_by_view(sb, a1))
			return SQLITE_OK;
		snprintf(sb->why, sizeof(sb->why), "not allowed: table %s; read the views: "
		    "v_series, v_points, v_alerts, v_anomalies, v_incidents, v_predictions, "
		    "v_logs...", a1);
		return SQLITE_DENY;
	case SQLITE_FUNCTION:
		if (a2 != NULL && (strcmp(a2, "load_extension") == 0 ||
		    strcmp(a2, "fts3_tokenizer") == 0 || strcmp(a2, "readfile") == 0 ||
		    strcmp(a2, "writefile") == 0)) {
			snprintf(sb->why, sizeof(sb->why), "not allowed: function %s", a2);
			return SQLITE_DENY;
		}
		return SQLITE_OK;
	default:
		snprintf(sb->why, sizeof(sb->why), "not allowed: only a SELECT of the views may run");
		return SQLITE_DENY;
	}
	(void)a3;
}

struct deadline {
	int64_t	 at;
	int	 hit;
};

static int
progress(void *arg)
{
	struct deadline *d = arg;

	if (aiops_monotonic_ns() > d->at) {
		d->hit = 1;
		return 1;
	}
	return 0;
}

int
aiops_views_sql(struct aiops_state *st, const char *sql, size_t max_rows, long timeout_ms,
    json_t *rows, int *truncated, char *err, size_t errlen)
{
	sqlite3 *db = aiops_state_db(st);
	struct sandbox sb = { sql, NULL, "" };
	sqlite3_stmt *t;
	struct deadline dl;
	sqlite3_stmt *s = NULL;
	const char *tail = NULL;
	int rc;

	if (!sqlite3_db_readonly(db, "main")) {
		snprintf(err, errlen, "SQL runs only on a read-only connection");
		return -1;
	}
	/* Every table of the file, views aside: what a statement may not read. */
	sb.tables = json_object();
	if (sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE type = 'table'", -1, &t,
	    NULL) == SQLITE_OK) {
		while (sqlite3_step(t) == SQLITE_ROW)
			json_object_set_new(sb.tables, (const char *)sqlite3_column_text(t, 0),
			    json_true());
	}
	sqlite3_finalize(t);
	sqlite3_set_authorizer(db, authorize, &sb);
	rc = sqlite3_prepare_v2(db, sql, -1, &s, &tail);
	sqlite3_set_authorizer(db, NULL, NULL);
	json_decref(sb.tables);
	if (rc != SQLITE_OK || s == NULL) {
		snprintf(err, errlen, "%s", sb.why[0] != '\0' ? sb.why :
		    s == NULL && rc == SQLITE_OK ? "no statement" : sqlite3_errmsg(db));
		sqlite3_finalize(s);
		return -1;
	}
	while (tail != NULL && (*tail == ' ' || *tail == '\n' || *tail == '\t' ||
	    *tail == '\r' || *tail == ';'))
		tail++;
	if (tail != NULL && *tail != '\0') {
		snprintf(err, errlen, "one statement only");
		sqlite3_finalize(s);
		return -1;
	}
	if (!sqlite3_stmt_readonly(s)) {
		snprintf(err, errlen, "not allowed: only a SELECT of the views may run");
		sqlite3_finalize(s);
		return -1;
	}
	dl.at = aiops_monotonic_ns() + (int64_t)timeout_ms * 1000000;
	dl.hit = 0;
	sqlite3_progress_handler(db, 1000, progress, &dl);
	rc = read_rows(st, s, max_rows, rows, truncated);
	sqlite3_progress_handler(db, 0, NULL, NULL);
	if (rc == -1) {
		if (dl.hit)
			snprintf(err, errlen, "interrupted after %ld ms", timeout_ms);
		else
			snprintf(err, errlen, "%s", aiops_state_errmsg(st));
	}
	sqlite3_finalize(s);
	return rc;
}

static const char SQL_SESSION[] =
    "INSERT INTO ask_sessions (started, last_used, user, persona, backend, model)"
    " VALUES (?1, ?1, ?2, ?3, ?4, ?5)";
static const char SQL_MESSAGE[] =
    "INSERT INTO ask_messages (session, ts, role, content) VALUES (?1, ?2, ?3, ?4)";
static const char SQL_TOUCH[] = "UPDATE ask_sessions SET last_used = ?2 WHERE id = ?1";
static const char SQL_MESSAGES[] =
    "SELECT role, content FROM (SELECT id, role, content FROM ask_messages WHERE session = ?1"
    " ORDER BY id DESC LIMIT ?2) ORDER BY id";
static const char SQL_DECISION[] =
    "INSERT INTO ask_decisions (session, ts, question, intent, confidence, backend, model,"
    " tools, answer, elapsed_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
static const char SQL_EXPIRE_SESSIONS[] = "DELETE FROM ask_sessions WHERE last_used < ?1";
static const char SQL_EXPIRE_DECISIONS[] = "DELETE FROM ask_decisions WHERE ts < ?1";

int
aiops_ask_session_new(struct aiops_state *st, int64_t now, const char *user,
    const char *persona, const char *backend, const char *model, int64_t *id)
{
	sqlite3_stmt *s = aiops_state_stmt(st, SQL_SESSION);

	if (s == NULL)
		return -1;
	aiops_state_bind_time(s, 1, now);
	aiops_state_bind_str(s, 2, user);
	aiops_state_bind_str(s, 3, persona);
	aiops_state_bind_str(s, 4, backend);
	aiops_state_bind_str(s, 5, model);
	if (aiops_state_done(st, s) == -1)
		return -1;
	*id = (int64_t)sqlite3_last_insert_rowid(aiops_state_db(st));
	return 0;
}

int
aiops_ask_message_add(struct aiops_state *st, int64_t session, int64_t ts, const char *role,
    const char *content)
{
	sqlite3_stmt *s = aiops_state_stmt(st, SQL_MESSAGE);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, session);
	aiops_state_bind_time(s, 2, ts);
	aiops_state_bind_str(s, 3, role);
	aiops_state_bind_str(s, 4, content);
	if (aiops_state_done(st, s) == -1 || (s = aiops_state_stmt(st, SQL_TOUCH)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, session);
	aiops_state_bind_time(s, 2, ts);
	return aiops_state_done(st, s);
}

int
aiops_ask_messages(struct aiops_state *st, int64_t session, size_t max, json_t *out)
{
	sqlite3_stmt *s = aiops_state_stmt(st, SQL_MESSAGES);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, session);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)max);
	return read_rows(st, s, max, out, NULL);
}

int
aiops_ask_decision_add(struct aiops_state *st, const struct aiops_ask_decision *d)
{
	sqlite3_stmt *s = aiops_state_stmt(st, SQL_DECISION);

	if (s == NULL)
		return -1;
	if (d->session > 0)
		sqlite3_bind_int64(s, 1, d->session);
	aiops_state_bind_time(s, 2, d->ts);
	aiops_state_bind_str(s, 3, d->question);
	aiops_state_bind_str(s, 4, d->intent);
	sqlite3_bind_double(s, 5, d->confidence);
	aiops_state_bind_str(s, 6, d->backend);
	aiops_state_bind_str(s, 7, d->model);
	aiops_state_bind_str(s, 8, d->tools != NULL ? d->tools : "[]");
	aiops_state_bind_str(s, 9, d->answer);
	sqlite3_bind_int64(s, 10, d->elapsed_ms);
	return aiops_state_done(st, s);
}

int
aiops_ask_expire(struct aiops_state *st, int64_t sessions_before, int64_t decisions_before)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, SQL_EXPIRE_SESSIONS)) == NULL)
		return -1;
	aiops_state_bind_time(s, 1, sessions_before);
	if (aiops_state_done(st, s) == -1 || (s = aiops_state_stmt(st, SQL_EXPIRE_DECISIONS)) == NULL)
		return -1;
	aiops_state_bind_time(s, 1, decisions_before);
	return aiops_state_done(st, s);
}
