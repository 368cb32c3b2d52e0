/*
 * models.c: table detector_models. The model is an opaque blob; its
 * version is the detector's business (aiops_mdetect_load refuses another).
 * A rowid table (schema step 8): a blob of about 2 KB fills a leaf page of
 * a rowid table to the byte, where a WITHOUT ROWID table keeps at most
 * about 1 KB of a row on its leaf and puts the rest on an overflow page of
 * its own (4.6 KB a row for a 2 KB blob, measured).
 */
#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include "store/models.h"
#include "store/state.h"
#include "store/state_int.h"
#include "core/xmalloc.h"

static const char SQL_GET[] =
    "SELECT series_key, model, counter_ts_ns, counter_value, updated"
    " FROM detector_models WHERE series_key = ?1";
static const char SQL_PUT[] =
    "INSERT INTO detector_models (series_key, model, counter_ts_ns, counter_value, updated)"
    " VALUES (?1, ?2, ?3, ?4, ?5)"
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
	sqlite3_bind_blob64(s, 2, m->blob, m->len, SQLITE_STATIC);
	/* A counter's last sample keeps its nanoseconds (column _ns). */
	if (m->counter_ts != 0) {
		sqlite3_bind_int64(s, 3, m->counter_ts);
		sqlite3_bind_double(s, 4, m->counter_value);
	}
	aiops_state_bind_time(s, 5, m->updated);
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
	blob = sqlite3_column_blob(s, 1);	/* before its size, as SQLite asks */
	m->len = (size_t)sqlite3_column_bytes(s, 1);
	copy = xmalloc(m->len ? m->len : 1);
	if (m->len > 0)
		memcpy(copy, blob, m->len);
	m->blob = copy;
	if (sqlite3_column_type(s, 2) != SQLITE_NULL) {
		m->counter_ts = sqlite3_column_int64(s, 2);
		m->counter_value = sqlite3_column_double(s, 3);
	}
	m->updated = aiops_state_column_time(s, 4);
	sqlite3_reset(s);
	return 1;
}

void
aiops_model_release(struct aiops_model *m)
{
	free((void *)m->series_key);
	free((void *)m->blob);
	memset(m, 0, sizeof(*m));
}

static const char SQL_EXPIRE[] = "DELETE FROM detector_models WHERE updated < ?1";

long long
aiops_models_expire(struct aiops_state *st, int64_t before)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, SQL_EXPIRE)) == NULL)
		return -1;
	aiops_state_bind_time(s, 1, before);
	if (aiops_state_done(st, s) == -1)
		return -1;
	return (long long)sqlite3_changes64(aiops_state_db(st));
}

/* The keys from ?1 up to ?2, the prefix with its last byte one more. */
static const char SQL_KEYS[] =
    "SELECT series_key FROM detector_models WHERE series_key >= ?1 AND series_key < ?2"
    " ORDER BY series_key";

int
aiops_models_keys(struct aiops_state *st, const char *prefix,
    int (*fn)(void *arg, const char *key), void *arg)
{
	size_t n = strlen(prefix);
	char *end = xstrdup(prefix);
	sqlite3_stmt *s;
	int rc = 0, stop = 0;

	/* A prefix ending in byte 0xff has no such bound: none is used here. */
	if (n == 0 || (unsigned char)end[n - 1] == 0xff) {
		free(end);
		return -1;
	}
	end[n - 1]++;
	if ((s = aiops_state_stmt(st, SQL_KEYS)) == NULL) {
		free(end);
		return -1;
	}
	aiops_state_bind_str(s, 1, prefix);
	aiops_state_bind_str(s, 2, end);
	while (!stop && (rc = aiops_state_step(st, s)) == 1)
		stop = fn(arg, aiops_state_column_str(s, 0));
	if (stop)
		sqlite3_reset(s);
	free(end);
	return stop ? stop : rc;
}

static const char SQL_DELETE[] = "DELETE FROM detector_models WHERE series_key = ?1";

int
aiops_models_delete(struct aiops_state *st, const char *series_key)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, SQL_DELETE)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, series_key);
	return aiops_state_done(st, s);
}
