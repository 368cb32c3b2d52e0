/*
 * journal.c: tables ingest_journal and ingest_cursors (journal.h).
 */
#include "compat.h"

#include <string.h>

#include "store/journal.h"
#include "store/state.h"
#include "store/state_int.h"

static const char SQL_APPEND[] =
    "INSERT INTO ingest_journal(seq, n, received, endpoint, token, events)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_LAST[] =
    "SELECT seq FROM sqlite_sequence WHERE name = 'ingest_journal'";
static const char SQL_FIRST[] =
    "SELECT seq - n + 1 FROM ingest_journal ORDER BY seq LIMIT 1";
/* The row that holds after + 1 is the first whose last is above after. */
static const char SQL_READ[] =
    "SELECT seq, n, events FROM ingest_journal WHERE seq > ?1 ORDER BY seq";
static const char SQL_CURSOR_GET[] =
    "SELECT seq FROM ingest_cursors WHERE name = ?1";
static const char SQL_CURSOR_SET[] =
    "INSERT INTO ingest_cursors(name, seq, updated) VALUES (?1, ?2, ?3)"
    " ON CONFLICT(name) DO UPDATE SET seq = excluded.seq, updated = excluded.updated";
/* The oldest first, by seq: received grows with it, give or take a clock step. */
static const char SQL_EXPIRE[] =
    "DELETE FROM ingest_journal WHERE seq IN"
    " (SELECT seq FROM ingest_journal WHERE received < ?1 ORDER BY seq LIMIT ?2)";

int
aiops_journal_append(struct aiops_state *st, const struct aiops_journal_origin *o,
    const char *events, size_t len, size_t n, int64_t *last)
{
	sqlite3_stmt *s;
	int64_t prev;

	if (aiops_journal_last(st, &prev) == -1 || (s = aiops_state_stmt(st, SQL_APPEND)) == NULL)
		return -1;
	*last = prev + (int64_t)n;
	sqlite3_bind_int64(s, 1, *last);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)n);
	aiops_state_bind_time(s, 3, o->received);
	aiops_state_bind_str(s, 4, o->endpoint);
	aiops_state_bind_str(s, 5, o->token);
	aiops_state_bind_strn(s, 6, events, len);
	return aiops_state_done(st, s);
}

/* The one integer a query gives (0 for no row or NULL). */
static int
query_int(struct aiops_state *st, const char *sql, int64_t *v)
{
	sqlite3_stmt *s;
	int rc;

	*v = 0;
	if ((s = aiops_state_stmt(st, sql)) == NULL)
		return -1;
	if ((rc = aiops_state_step(st, s)) == -1)
		return -1;
	if (rc == 1)
		*v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return 0;
}

int
aiops_journal_last(struct aiops_state *st, int64_t *seq)
{
	return query_int(st, SQL_LAST, seq);
}

int
aiops_journal_first(struct aiops_state *st, int64_t *seq)
{
	return query_int(st, SQL_FIRST, seq);
}

/*
 * The events of one row, those numbered above after: 0, or 1 when fn
 * stopped. *n counts those passed.
 */
static int
read_row(int64_t last, int64_t count, const char *p, size_t len, int64_t after,
    aiops_journal_fn fn, void *arg, long *n)
{
	const char *end = p + len, *nl;
	int64_t seq = last - count + 1;

	for (; p <= end && seq <= last; p = nl + 1, seq++) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (seq <= after)
			continue;
		(*n)++;
		if (fn(arg, seq, p, (size_t)(nl - p)) != 0)
			return 1;
	}
	return 0;
}

long
aiops_journal_read(struct aiops_state *st, int64_t after, size_t max, aiops_journal_fn fn,
    void *arg)
{
	sqlite3_stmt *s;
	long n = 0;
	int rc = 0;

	if ((s = aiops_state_stmt(st, SQL_READ)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, after);
	while ((size_t)n < max && (rc = aiops_state_step(st, s)) == 1) {
		const char *ev = (const char *)sqlite3_column_text(s, 2);

		if (ev != NULL && read_row(sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1),
		    ev, (size_t)sqlite3_column_bytes(s, 2), after, fn, arg, &n) == 1) {
			sqlite3_reset(s);
			return n;
		}
	}
	if ((size_t)n >= max) {
		sqlite3_reset(s);
		return n;
	}
	return rc == -1 ? -1 : n;
}

int
aiops_journal_cursor_get(struct aiops_state *st, const char *name, int64_t *seq)
{
	sqlite3_stmt *s;
	int rc;

	*seq = 0;
	if ((s = aiops_state_stmt(st, SQL_CURSOR_GET)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, name);
	if ((rc = aiops_state_step(st, s)) == 1) {
		*seq = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
	}
	return rc;
}

int
aiops_journal_cursor_set(struct aiops_state *st, const char *name, int64_t seq, int64_t now)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, SQL_CURSOR_SET)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, name);
	sqlite3_bind_int64(s, 2, seq);
	aiops_state_bind_time(s, 3, now);
	return aiops_state_done(st, s);
}

int
aiops_journal_expire(struct aiops_state *st, int64_t cutoff, size_t max, size_t *deleted)
{
	sqlite3_stmt *s;

	*deleted = 0;
	if ((s = aiops_state_stmt(st, SQL_EXPIRE)) == NULL)
		return -1;
	aiops_state_bind_time(s, 1, cutoff);
	sqlite3_bind_int64(s, 2, max > INT64_MAX ? INT64_MAX : (sqlite3_int64)max);
	if (aiops_state_done(st, s) == -1)
		return -1;
	*deleted = (size_t)sqlite3_changes(aiops_state_db(st));	/* requests, not events */
	return 0;
}
