/*
 * models.c: table detector_models. The model is an opaque blob; its
 * version is the detector's business (aiops_mdetect_load refuses another).
 */
#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include "store/models.h"
#include "store/state.h"
#include "store/state_int.h"
#include "core/xmalloc.h"

static const char SQL_GET[] =
    "SELECT series_key, name, host, model, counter_ts_ns, counter_value, updated"
    " FROM detector_models WHERE series_key = ?1";
static const char SQL_PUT[] =
    "INSERT INTO detector_models (series_key, name, host, model, counter_ts_ns, counter_value, updated)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
    " ON CONFLICT (series_key) DO UPDATE SET model = excluded.model,"
    " counter_ts_ns = excluded.counter_ts_ns, counter_value = excluded.counter_value,"
    " updated = excluded.updated";

int
aiops_models_put(struct aiops_state *st, const struct aiops_model *m)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, SQL_PUT)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, m->series_key);
	aiops_state_bind_str(s, 2, m->name);
	aiops_state_bind_str(s, 3, m->host);
	sqlite3_bind_blob64(s, 4, m->blob, m->len, SQLITE_STATIC);
	/* A counter's last sample keeps its nanoseconds (column _ns). */
	if (m->counter_ts != 0) {
		sqlite3_bind_int64(s, 5, m->counter_ts);
		sqlite3_bind_double(s, 6, m->counter_value);
	}
	aiops_state_bind_time(s, 7, m->updated);
	return aiops_state_done(st, s);
}

int
aiops_models_get(struct aiops_state *st, const char *series_key, struct aiops_model *m)
{
	sqlite3_stmt *s;
	const void *blob;
	void *copy;
	int rc;

	memset(m, 0, sizeof(*m));
	if ((s = aiops_state_stmt(st, SQL_GET)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, series_key);
	if ((rc = aiops_state_step(st, s)) != 1)
		return rc;
	m->series_key = aiops_state_column_dup(s, 0);
	m->name = aiops_state_column_dup(s, 1);
	m->host = aiops_state_column_dup(s, 2);
	blob = sqlite3_column_blob(s, 3);	/* before its size, as SQLite asks */
	m->len = (size_t)sqlite3_column_bytes(s, 3);
	copy = xmalloc(m->len ? m->len : 1);
	if (m->len > 0)
		memcpy(copy, blob, m->len);
	m->blob = copy;
	if (sqlite3_column_type(s, 4) != SQLITE_NULL) {
		m->counter_ts = sqlite3_column_int64(s, 4);
		m->counter_value = sqlite3_column_double(s, 5);
	}
	m->updated = aiops_state_column_time(s, 6);
	sqlite3_reset(s);
	return 1;
}

void
aiops_model_release(struct aiops_model *m)
{
	free((void *)m->series_key);
	free((void *)m->name);
	free((void *)m->host);
	free((void *)m->blob);
	memset(m, 0, sizeof(*m));
}
