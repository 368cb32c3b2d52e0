/*
 * anomalies.c: table anomalies. Reads go by ts (index anomalies_ts) or by
 * host and ts (anomalies_host_ts); a limit keeps the latest rows, which
 * come back oldest first like the others.
 */
#include "compat.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/anomalies.h"
#include "store/state.h"
#include "store/state_int.h"
#include "core/xmalloc.h"

#define COLUMNS \
    "id, ts, kind, series_key, name, host, template_id, value, score, detector, reason, event"
#define SQL_LIST(where) \
    "SELECT " COLUMNS " FROM (SELECT " COLUMNS " FROM anomalies WHERE " where \
    " ORDER BY ts DESC, id DESC LIMIT ?4) ORDER BY ts, id"

static const char SQL_ADD[] =
    "INSERT OR REPLACE INTO anomalies (" COLUMNS ")"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
static const char SQL_GET[] = "SELECT " COLUMNS " FROM anomalies WHERE id = ?1";
static const char SQL_LIST_ALL[] = SQL_LIST("ts >= ?1 AND ts < ?2");
static const char SQL_LIST_HOST[] = SQL_LIST("host = ?3 AND ts >= ?1 AND ts < ?2");

int
aiops_anomalies_add(struct aiops_state *st, const struct aiops_anomaly *a)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, SQL_ADD)) == NULL)
		return -1;
	aiops_state_bind_strn(s, 1, a->id, strnlen(a->id, AIOPS_ANOMALY_IDLEN));
	aiops_state_bind_time(s, 2, a->ts);
	aiops_state_bind_str(s, 3, a->kind);
	aiops_state_bind_str(s, 4, a->series_key);
	aiops_state_bind_str(s, 5, a->name);
	aiops_state_bind_strn(s, 6, a->host, a->hlen);
	if (a->template_id != 0)
		sqlite3_bind_int64(s, 7, (sqlite3_int64)a->template_id);
	sqlite3_bind_double(s, 8, a->value);
	sqlite3_bind_double(s, 9, a->score);
	aiops_state_bind_str(s, 10, a->detector);
	aiops_state_bind_str(s, 11, a->reason);
	aiops_state_bind_strn(s, 12, a->event, a->elen);
	return aiops_state_done(st, s);
}

/* The row s is on, in the order of COLUMNS, into a (new strings). */
static void
row(sqlite3_stmt *s, struct aiops_anomaly *a)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->id, sizeof(a->id), "%s", aiops_state_column_str(s, 0) ?
	    aiops_state_column_str(s, 0) : "");
	a->ts = aiops_state_column_time(s, 1);
	a->kind = aiops_state_column_dup(s, 2);
	a->series_key = aiops_state_column_dup(s, 3);
	a->name = aiops_state_column_dup(s, 4);
	a->host = aiops_state_column_dup(s, 5);
	a->hlen = a->host != NULL ? strlen(a->host) : 0;
	a->template_id = (uint64_t)sqlite3_column_int64(s, 6);
	a->value = sqlite3_column_double(s, 7);
	a->score = sqlite3_column_double(s, 8);
	a->detector = aiops_state_column_dup(s, 9);
	a->reason = aiops_state_column_dup(s, 10);
	a->event = aiops_state_column_dup(s, 11);
	a->elen = a->event != NULL ? strlen(a->event) : 0;
}

int
aiops_anomalies_get(struct aiops_state *st, const char *id, struct aiops_anomaly *a)
{
	sqlite3_stmt *s;
	int rc;

	memset(a, 0, sizeof(*a));
	if ((s = aiops_state_stmt(st, SQL_GET)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, id);
	if ((rc = aiops_state_step(st, s)) != 1)
		return rc;
	row(s, a);
	sqlite3_reset(s);
	return 1;
}

int
aiops_anomalies_list(struct aiops_state *st, const struct aiops_anomaly_query *q,
    struct aiops_anomaly_list *l)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	l->v = NULL;
	l->n = 0;
	if ((s = aiops_state_stmt(st, q->host != NULL ? SQL_LIST_HOST : SQL_LIST_ALL)) == NULL)
		return -1;
	aiops_state_bind_time(s, 1, q->since);
	aiops_state_bind_time(s, 2, q->until != 0 ? q->until : INT64_MAX);
	aiops_state_bind_str(s, 3, q->host);
	sqlite3_bind_int64(s, 4, q->limit != 0 ? (sqlite3_int64)q->limit : -1);
	while ((rc = aiops_state_step(st, s)) == 1) {
		if (l->n == cap) {
			cap = cap ? 2 * cap : 16;
			l->v = xreallocarray(l->v, cap, sizeof(*l->v));
		}
		row(s, &l->v[l->n++]);
	}
	if (rc == -1)
		aiops_anomaly_list_release(l);
	return rc;
}

void
aiops_anomaly_release(struct aiops_anomaly *a)
{
	free((void *)a->kind);
	free((void *)a->series_key);
	free((void *)a->name);
	free((void *)a->host);
	free((void *)a->detector);
	free((void *)a->reason);
	free((void *)a->event);
	memset(a, 0, sizeof(*a));
}

void
aiops_anomaly_list_release(struct aiops_anomaly_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		aiops_anomaly_release(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
