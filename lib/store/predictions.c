/*
 * predictions.c: table predictions, keyed by (series_key, threshold,
 * direction). A series' rows are read by the primary key's prefix.
 */
#include "compat.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "store/predictions.h"
#include "store/state.h"
#include "store/state_int.h"

#define COLUMNS \
    "series_key, threshold, direction, name, host, ts, eta, eta_lo, eta_hi, crossed," \
    " value, model, seen, event"

static const char SQL_PUT[] =
    "INSERT OR REPLACE INTO predictions (" COLUMNS ")"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";
static const char SQL_TOUCH[] =
    "UPDATE predictions SET seen = ?4 WHERE series_key = ?1 AND threshold = ?2 AND direction = ?3";
static const char SQL_DELETE[] =
    "DELETE FROM predictions WHERE series_key = ?1 AND threshold = ?2 AND direction = ?3";
static const char SQL_OF[] =
    "SELECT " COLUMNS " FROM predictions WHERE series_key = ?1 ORDER BY threshold, direction";
static const char SQL_LIST[] =
    "SELECT " COLUMNS " FROM predictions ORDER BY eta, series_key, threshold, direction";
static const char SQL_EXPIRE[] = "DELETE FROM predictions WHERE seen < ?1";

int
aiops_predictions_put(struct aiops_state *st, const struct aiops_prediction *p)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, SQL_PUT)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, p->series_key);
	sqlite3_bind_double(s, 2, p->threshold);
	aiops_state_bind_str(s, 3, p->direction);
	aiops_state_bind_str(s, 4, p->name);
	aiops_state_bind_str(s, 5, p->host);
	aiops_state_bind_time(s, 6, p->ts);
	aiops_state_bind_time(s, 7, p->eta);
	aiops_state_bind_time(s, 8, p->eta_lo);
	if (p->has_eta_hi)
		aiops_state_bind_time(s, 9, p->eta_hi);
	sqlite3_bind_int(s, 10, p->crossed != 0);
	sqlite3_bind_double(s, 11, p->value);
	aiops_state_bind_str(s, 12, p->model);
	aiops_state_bind_time(s, 13, p->seen);
	aiops_state_bind_strn(s, 14, p->event, p->elen);
	return aiops_state_done(st, s);
}

/* Binds the primary key as ?1, ?2, ?3. */
static void
bind_key(sqlite3_stmt *s, const char *series_key, double threshold, const char *direction)
{
	aiops_state_bind_str(s, 1, series_key);
	sqlite3_bind_double(s, 2, threshold);
	aiops_state_bind_str(s, 3, direction);
}

int
aiops_predictions_touch(struct aiops_state *st, const char *series_key, double threshold,
    const char *direction, int64_t seen)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, SQL_TOUCH)) == NULL)
		return -1;
	bind_key(s, series_key, threshold, direction);
	aiops_state_bind_time(s, 4, seen);
	return aiops_state_done(st, s);
}

int
aiops_predictions_delete(struct aiops_state *st, const char *series_key, double threshold,
    const char *direction)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, SQL_DELETE)) == NULL)
		return -1;
	bind_key(s, series_key, threshold, direction);
	return aiops_state_done(st, s);
}

/* The row s is on, in the order of COLUMNS, into p (new strings). */
static void
row(sqlite3_stmt *s, struct aiops_prediction *p)
{
	memset(p, 0, sizeof(*p));
	p->series_key = aiops_state_column_dup(s, 0);
	p->threshold = sqlite3_column_double(s, 1);
	p->direction = aiops_state_column_dup(s, 2);
	p->name = aiops_state_column_dup(s, 3);
	p->host = aiops_state_column_dup(s, 4);
	p->ts = aiops_state_column_time(s, 5);
	p->eta = aiops_state_column_time(s, 6);
	p->eta_lo = aiops_state_column_time(s, 7);
	p->has_eta_hi = sqlite3_column_type(s, 8) != SQLITE_NULL;
	p->eta_hi = aiops_state_column_time(s, 8);
	p->crossed = sqlite3_column_int(s, 9);
	p->value = sqlite3_column_double(s, 10);
	p->model = aiops_state_column_dup(s, 11);
	p->seen = aiops_state_column_time(s, 12);
	p->event = aiops_state_column_dup(s, 13);
	p->elen = p->event != NULL ? strlen(p->event) : 0;
}

static int
read_rows(struct aiops_state *st, sqlite3_stmt *s, struct aiops_prediction_list *l)
{
	size_t cap = 0;
	int rc;

	while ((rc = aiops_state_step(st, s)) == 1) {
		if (l->n == cap) {
			cap = cap ? 2 * cap : 4;
			l->v = xreallocarray(l->v, cap, sizeof(*l->v));
		}
		row(s, &l->v[l->n++]);
	}
	if (rc == -1)
		aiops_prediction_list_release(l);
	return rc;
}

int
aiops_predictions_of(struct aiops_state *st, const char *series_key,
    struct aiops_prediction_list *l)
{
	sqlite3_stmt *s;

	l->v = NULL;
	l->n = 0;
	if ((s = aiops_state_stmt(st, SQL_OF)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, series_key);
	return read_rows(st, s, l);
}

int
aiops_predictions_list(struct aiops_state *st, struct aiops_prediction_list *l)
{
	sqlite3_stmt *s;

	l->v = NULL;
	l->n = 0;
	if ((s = aiops_state_stmt(st, SQL_LIST)) == NULL)
		return -1;
	return read_rows(st, s, l);
}

int
aiops_predictions_expire(struct aiops_state *st, int64_t before, uint64_t *n)
{
	sqlite3_stmt *s;

	*n = 0;
	if ((s = aiops_state_stmt(st, SQL_EXPIRE)) == NULL)
		return -1;
	aiops_state_bind_time(s, 1, before);
	if (aiops_state_done(st, s) == -1)
		return -1;
	*n = (uint64_t)sqlite3_changes(aiops_state_db(st));
	return 0;
}

void
aiops_prediction_list_release(struct aiops_prediction_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		struct aiops_prediction *p = &l->v[i];

		free((void *)p->series_key);
		free((void *)p->direction);
		free((void *)p->name);
		free((void *)p->host);
		free((void *)p->model);
		free((void *)p->event);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
