/*
 * rename.c: schema step 5's renaming of series to the names aiops-ingest
 * gives them since then (event/promname.h): line protocol names made
 * valid Prometheus names ("cpu,x_field key" is cpu_x_field_key, tag keys
 * valid label names), and the measurement "prometheus" of Telegraf's
 * prometheus input left out (prometheus_http_requests_total is
 * http_requests_total), so that history goes on under the new name.
 *
 * A stored series does not say which format it came from, and a
 * Prometheus server's own metrics are named prometheus_*: only a series
 * that has the label "url", which Telegraf's prometheus input adds, loses
 * its "prometheus_". Names that are valid already and have no such label
 * are left as they are.
 *
 * Where the new key is already taken (a series under the new name exists
 * beside the old one), the two are merged: the old one's points move to
 * the new one, the new one's value winning at a time both have, their
 * rollup buckets are added up (a time both had counts twice there), the
 * first unit and metric_type kept. detector_models keeps the model updated
 * last; anomalies are renamed (their series_key and name; the stored event
 * stays as it was written). A series whose labels would become two of one
 * name is left as it is.
 */
#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/xmalloc.h"
#include "event/event.h"
#include "event/promname.h"
#include "json/jw.h"
#include "store/state_int.h"

/* A series key parsed: name{host="h",k="v",...}, values unescaped. */
struct pkey {
	struct aiops_metric	 m;
	struct aiops_label	 lab[AIOPS_MAX_LABELS];
	struct aiops_buf	 text;		/* names and values, NUL after each */
};

/* One renaming: the old key and the new series. */
struct ren {
	char		*old;
	char		*key;
	char		*name;
	char		*labels;	/* JSON object */
};

/*
 * Parses key into pk (offsets into pk->text; pointers fixed at the end,
 * when text no longer moves). host: the key's first pair is the host.
 * -1 when it is not a key as aiops_series_key() writes it.
 */
static int
key_parse(struct pkey *pk, const char *key, int host)
{
	const char *p = strchr(key, '{');
	size_t off[2 * AIOPS_MAX_LABELS + 3], len[2 * AIOPS_MAX_LABELS + 3], n = 0, i;

	memset(&pk->m, 0, sizeof(pk->m));
	aiops_buf_reset(&pk->text);
	if (p == NULL || p == key)
		return -1;
	off[n] = 0;
	len[n] = (size_t)(p - key);
	aiops_buf_add(&pk->text, key, len[n++]);
	aiops_buf_addc(&pk->text, '\0');
	for (p++; *p != '}'; ) {
		const char *eq = strchr(p, '=');

		if (eq == NULL || eq[1] != '"' || n + 2 > sizeof(off) / sizeof(off[0]))
			return -1;
		off[n] = pk->text.len;
		len[n] = (size_t)(eq - p);
		aiops_buf_add(&pk->text, p, len[n++]);
		aiops_buf_addc(&pk->text, '\0');
		off[n] = pk->text.len;
		for (p = eq + 2; *p != '"'; p++) {
			if (*p == '\0')
				return -1;
			if (*p == '\\' && p[1] != '\0') {
				p++;
				aiops_buf_addc(&pk->text, *p == 'n' ? '\n' : *p);
			} else
				aiops_buf_addc(&pk->text, *p);
		}
		len[n] = pk->text.len - off[n];
		n++;
		aiops_buf_addc(&pk->text, '\0');
		if (*++p == ',')
			p++;
		else if (*p != '}')
			return -1;
	}
	if (p[1] != '\0' || (host && n < 3))
		return -1;
	pk->m.name = pk->text.data;
	pk->m.nlen = len[0];
	for (i = 1; i + 1 < n; i += 2) {
		if (host && i == 1) {
			pk->m.host = pk->text.data + off[i + 1];
			pk->m.hlen = len[i + 1];
			continue;
		}
		if (pk->m.nlabels == AIOPS_MAX_LABELS)
			return -1;
		pk->lab[pk->m.nlabels].key = pk->text.data + off[i];
		pk->lab[pk->m.nlabels].klen = len[i];
		pk->lab[pk->m.nlabels].val = pk->text.data + off[i + 1];
		pk->lab[pk->m.nlabels].vlen = len[i + 1];
		pk->m.nlabels++;
	}
	pk->m.labels = pk->lab;
	return 0;
}

/*
 * The new key of the series of key (and its name and labels JSON, when
 * asked) into r; 0 when it stays as it is or cannot be renamed.
 */
static int
key_rename(const char *key, int host, struct ren *r, int want_labels)
{
	struct pkey pk;
	struct aiops_buf names, out;
	const char *name;
	size_t nlen, i, j, off[AIOPS_MAX_LABELS + 1];
	int url = 0, rc = 0;

	aiops_buf_init(&pk.text);
	aiops_buf_init(&names);
	aiops_buf_init(&out);
	if (key_parse(&pk, key, host) == -1)
		goto out;
	name = pk.m.name;
	nlen = pk.m.nlen;
	for (i = 0; i < pk.m.nlabels; i++) {
		off[i] = names.len;
		aiops_promname_add(&names, pk.lab[i].key, pk.lab[i].klen, AIOPS_PN_LABEL);
		if (names.len - off[i] == 3 && memcmp(names.data + off[i], "url", 3) == 0)
			url = 1;
	}
	off[i] = names.len;
	if (url && nlen > 11 && memcmp(name, "prometheus_", 11) == 0) {
		name += 11;
		nlen -= 11;
	}
	for (i = 0; i < pk.m.nlabels; i++) {
		pk.lab[i].key = names.data + off[i];
		pk.lab[i].klen = off[i + 1] - off[i];
	}
	for (i = 0; i < pk.m.nlabels; i++)
		for (j = i + 1; j < pk.m.nlabels; j++)
			if (pk.lab[i].klen == pk.lab[j].klen &&
			    memcmp(pk.lab[i].key, pk.lab[j].key, pk.lab[i].klen) == 0)
				goto out;
	aiops_promname_add(&out, name, nlen, AIOPS_PN_METRIC);
	r->name = xstrndup(out.data, out.len);
	pk.m.name = r->name;
	pk.m.nlen = out.len;
	aiops_labels_sort(pk.lab, pk.m.nlabels);
	aiops_buf_reset(&out);
	aiops_series_key(&out, &pk.m);
	if (strcmp(out.data, key) == 0) {
		free(r->name);
		r->name = NULL;
		goto out;
	}
	r->old = xstrdup(key);
	r->key = xstrndup(out.data, out.len);
	if (want_labels) {
		struct aiops_jw w;

		aiops_buf_reset(&out);
		aiops_jw_init(&w, &out);
		aiops_jw_object_begin(&w);
		for (i = 0; i < pk.m.nlabels; i++) {
			aiops_jw_key(&w, pk.lab[i].key, pk.lab[i].klen);
			aiops_jw_string(&w, pk.lab[i].val, pk.lab[i].vlen);
		}
		aiops_jw_object_end(&w);
		r->labels = xstrndup(out.data, out.len);
	}
	rc = 1;
out:
	aiops_buf_release(&pk.text);
	aiops_buf_release(&names);
	aiops_buf_release(&out);
	return rc;
}

static void
ren_free(struct ren *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(r[i].old);
		free(r[i].key);
		free(r[i].name);
		free(r[i].labels);
	}
	free(r);
}

/* Runs sql with the bound texts and integers (NULL text: none). */
static int
run(sqlite3 *db, const char *sql, const char *t1, const char *t2, const char *t3,
    sqlite3_int64 i1, sqlite3_int64 i2)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (t1 != NULL)
		sqlite3_bind_text(s, 1, t1, -1, SQLITE_STATIC);
	if (t2 != NULL)
		sqlite3_bind_text(s, 2, t2, -1, SQLITE_STATIC);
	if (t3 != NULL)
		sqlite3_bind_text(s, 3, t3, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_index(s, "?4") > 0)
		sqlite3_bind_int64(s, 4, i1);
	if (sqlite3_bind_parameter_index(s, "?5") > 0)
		sqlite3_bind_int64(s, 5, i2);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		;
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The id of the series of key, 0 if none, -1 on error. */
static sqlite3_int64
series_id(sqlite3 *db, const char *key)
{
	sqlite3_stmt *s;
	sqlite3_int64 id = 0;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT id FROM series WHERE key = ?1", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? id : -1;
}

/*
 * Rows of sql (column 0 a key, column 1 non-NULL when the key has a host)
 * renamed into *out. -1 on error.
 */
static int
collect(sqlite3 *db, const char *sql, int want_labels, struct ren **out, size_t *n)
{
	sqlite3_stmt *s;
	struct ren r, *v = NULL;
	size_t cap = 0;
	int rc;

	*n = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(s, 0);

		memset(&r, 0, sizeof(r));
		if (key == NULL || key_rename(key, sqlite3_column_type(s, 1) != SQLITE_NULL,
		    &r, want_labels) == 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		v[(*n)++] = r;
	}
	sqlite3_finalize(s);
	*out = v;
	if (rc != SQLITE_DONE) {
		ren_free(v, *n);
		*out = NULL;
		return -1;
	}
	return 0;
}

static const char *const sql_merge[] = {
	"INSERT OR IGNORE INTO points(series_id, ts, value)"
	" SELECT ?5, ts, value FROM points WHERE series_id = ?4",
	"DELETE FROM points WHERE series_id = ?4",
	"INSERT INTO rollup_5m(series_id, bucket, count, sum, min, max, last)"
	" SELECT ?5, bucket, count, sum, min, max, last FROM rollup_5m WHERE series_id = ?4"
	" ON CONFLICT(series_id, bucket) DO UPDATE SET count = count + excluded.count,"
	" sum = sum + excluded.sum, min = min(min, excluded.min), max = max(max, excluded.max)",
	"INSERT INTO rollup_1h(series_id, bucket, count, sum, min, max, last)"
	" SELECT ?5, bucket, count, sum, min, max, last FROM rollup_1h WHERE series_id = ?4"
	" ON CONFLICT(series_id, bucket) DO UPDATE SET count = count + excluded.count,"
	" sum = sum + excluded.sum, min = min(min, excluded.min), max = max(max, excluded.max)",
	"UPDATE series SET"
	" first_ts = min(coalesce(first_ts, o.f), coalesce(o.f, first_ts)),"
	" last_ts = max(coalesce(last_ts, o.l), coalesce(o.l, last_ts)),"
	" unit = coalesce(unit, o.u), metric_type = coalesce(metric_type, o.t)"
	" FROM (SELECT first_ts AS f, last_ts AS l, unit AS u, metric_type AS t"
	"  FROM series WHERE id = ?4) AS o WHERE id = ?5",
	"DELETE FROM rollup_5m WHERE series_id = ?4",
	"DELETE FROM rollup_1h WHERE series_id = ?4",
	"DELETE FROM series WHERE id = ?4",
};

static int
series_rename(sqlite3 *db)
{
	struct ren *r;
	size_t n, i, k;
	sqlite3_int64 from, to;
	int rc = -1;

	if (collect(db, "SELECT key, host FROM series ORDER BY id", 1, &r, &n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if ((from = series_id(db, r[i].old)) <= 0 || (to = series_id(db, r[i].key)) < 0)
			goto out;
		if (to == 0) {
			if (run(db, "UPDATE series SET key = ?1, name = ?2, labels = ?3 WHERE id = ?4",
			    r[i].key, r[i].name, r[i].labels, from, 0) == -1)
				goto out;
			continue;
		}
		for (k = 0; k < sizeof(sql_merge) / sizeof(sql_merge[0]); k++)
			if (run(db, sql_merge[k], NULL, NULL, NULL, from, to) == -1)
				goto out;
	}
	rc = 0;
out:
	ren_free(r, n);
	return rc;
}

static int
models_rename(sqlite3 *db)
{
	struct ren *r;
	size_t n, i;
	int rc = -1;

	if (collect(db, "SELECT series_key, host FROM detector_models", 0, &r, &n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		/* Of two models of one series, the one updated last stays. */
		if (run(db, "DELETE FROM detector_models WHERE series_key = ?2 AND updated <"
		    " (SELECT updated FROM detector_models WHERE series_key = ?1)",
		    r[i].old, r[i].key, NULL, 0, 0) == -1 ||
		    run(db, "DELETE FROM detector_models WHERE series_key = ?1 AND EXISTS"
		    " (SELECT 1 FROM detector_models WHERE series_key = ?2)",
		    r[i].old, r[i].key, NULL, 0, 0) == -1 ||
		    run(db, "UPDATE detector_models SET series_key = ?2, name = ?3"
		    " WHERE series_key = ?1", r[i].old, r[i].key, r[i].name, 0, 0) == -1)
			goto out;
	}
	rc = 0;
out:
	ren_free(r, n);
	return rc;
}

static int
anomalies_rename(sqlite3 *db)
{
	struct ren *r;
	size_t n, i;
	int rc = -1;

	if (collect(db, "SELECT DISTINCT series_key, host FROM anomalies"
	    " WHERE series_key IS NOT NULL", 0, &r, &n) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (run(db, "UPDATE anomalies SET series_key = ?2, name = ?3 WHERE series_key = ?1",
		    r[i].old, r[i].key, r[i].name, 0, 0) == -1)
			goto out;
	rc = 0;
out:
	ren_free(r, n);
	return rc;
}

int
aiops_schema_rename_series(sqlite3 *db)
{
	if (series_rename(db) == -1 || models_rename(db) == -1 || anomalies_rename(db) == -1)
		return -1;
	return 0;
}
