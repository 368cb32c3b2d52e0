/*
 * incidents.c: table incidents. Hosts are a JSON array, searched with
 * json_each(); the table stays small (one row per incident), so a read
 * by host scans it.
 */
#include "compat.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/incidents.h"
#include "store/state.h"
#include "store/state_int.h"
#include "core/xmalloc.h"

#define COLUMNS "id, status, first_seen, last_seen, hosts, root_cause, members, summary," \
	" severity, title, labels, fingerprint"

static const char SQL_PUT[] =
    "INSERT INTO incidents (" COLUMNS ")"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT (id) DO UPDATE SET"
    " status = excluded.status, first_seen = excluded.first_seen, last_seen = excluded.last_seen,"
    " hosts = excluded.hosts, root_cause = excluded.root_cause, members = excluded.members,"
    " summary = excluded.summary, severity = excluded.severity, title = excluded.title,"
    " labels = excluded.labels, fingerprint = excluded.fingerprint";
static const char SQL_EXPIRE[] =
    "DELETE FROM incidents WHERE status = 'resolved' AND last_seen < ?1";
static const char SQL_GET[] = "SELECT " COLUMNS " FROM incidents WHERE id = ?1";
static const char SQL_LIST[] =
    "SELECT " COLUMNS " FROM (SELECT " COLUMNS " FROM incidents"
    " WHERE last_seen >= ?1 AND first_seen < ?2"
    " AND (?3 IS NULL OR EXISTS (SELECT 1 FROM json_each(incidents.hosts) h WHERE h.value = ?3))"
    " AND (?4 IS NULL OR status = ?4)"
    " ORDER BY first_seen DESC, id DESC LIMIT ?5) ORDER BY first_seen, id";

int
aiops_incidents_put(struct aiops_state *st, const struct aiops_incident *inc)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, SQL_PUT)) == NULL)
		return -1;
	aiops_state_bind_strn(s, 1, inc->id, strnlen(inc->id, AIOPS_INCIDENT_IDLEN));
	aiops_state_bind_str(s, 2, inc->status);
	aiops_state_bind_time(s, 3, inc->first_seen);
	aiops_state_bind_time(s, 4, inc->last_seen);
	aiops_state_bind_str(s, 5, inc->hosts);
	aiops_state_bind_str(s, 6, inc->root_cause);
	aiops_state_bind_str(s, 7, inc->members);
	aiops_state_bind_str(s, 8, inc->summary);
	aiops_state_bind_str(s, 9, inc->severity);
	aiops_state_bind_str(s, 10, inc->title);
	aiops_state_bind_str(s, 11, inc->labels);
	aiops_state_bind_str(s, 12, inc->fingerprint);
	return aiops_state_done(st, s);
}

/* The row s is on, in the order of COLUMNS, into inc (new strings). */
static void
row(sqlite3_stmt *s, struct aiops_incident *inc)
{
	memset(inc, 0, sizeof(*inc));
	snprintf(inc->id, sizeof(inc->id), "%s", aiops_state_column_str(s, 0) ?
	    aiops_state_column_str(s, 0) : "");
	inc->status = aiops_state_column_dup(s, 1);
	inc->first_seen = aiops_state_column_time(s, 2);
	inc->last_seen = aiops_state_column_time(s, 3);
	inc->hosts = aiops_state_column_dup(s, 4);
	inc->root_cause = aiops_state_column_dup(s, 5);
	inc->members = aiops_state_column_dup(s, 6);
	inc->summary = aiops_state_column_dup(s, 7);
	inc->severity = aiops_state_column_dup(s, 8);
	inc->title = aiops_state_column_dup(s, 9);
	inc->labels = aiops_state_column_dup(s, 10);
	inc->fingerprint = aiops_state_column_dup(s, 11);
}

int
aiops_incidents_get(struct aiops_state *st, const char *id, struct aiops_incident *inc)
{
	sqlite3_stmt *s;
	int rc;

	memset(inc, 0, sizeof(*inc));
	if ((s = aiops_state_stmt(st, SQL_GET)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, id);
	if ((rc = aiops_state_step(st, s)) != 1)
		return rc;
	row(s, inc);
	sqlite3_reset(s);
	return 1;
}

int
aiops_incidents_list(struct aiops_state *st, const struct aiops_incident_query *q,
    struct aiops_incident_list *l)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	l->v = NULL;
	l->n = 0;
	if ((s = aiops_state_stmt(st, SQL_LIST)) == NULL)
		return -1;
	aiops_state_bind_time(s, 1, q->since);
	aiops_state_bind_time(s, 2, q->until != 0 ? q->until : INT64_MAX);
	aiops_state_bind_str(s, 3, q->host);
	aiops_state_bind_str(s, 4, q->status);
	sqlite3_bind_int64(s, 5, q->limit != 0 ? (sqlite3_int64)q->limit : -1);
	while ((rc = aiops_state_step(st, s)) == 1) {
		if (l->n == cap) {
			cap = cap ? 2 * cap : 16;
			l->v = xreallocarray(l->v, cap, sizeof(*l->v));
		}
		row(s, &l->v[l->n++]);
	}
	if (rc == -1)
		aiops_incident_list_release(l);
	return rc;
}

int
aiops_incidents_expire(struct aiops_state *st, int64_t before)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, SQL_EXPIRE)) == NULL)
		return -1;
	aiops_state_bind_time(s, 1, before);
	return aiops_state_done(st, s);
}

void
aiops_incident_release(struct aiops_incident *inc)
{
	free((void *)inc->status);
	free((void *)inc->hosts);
	free((void *)inc->root_cause);
	free((void *)inc->members);
	free((void *)inc->summary);
	free((void *)inc->severity);
	free((void *)inc->title);
	free((void *)inc->labels);
	free((void *)inc->fingerprint);
	memset(inc, 0, sizeof(*inc));
}

void
aiops_incident_list_release(struct aiops_incident_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		aiops_incident_release(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
