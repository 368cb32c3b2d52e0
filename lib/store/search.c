/*
 * search.c: FTS5 queries over log_fts and template_fts. A query is data
 * (bound, never pasted into SQL), but FTS5 parses it when the statement
 * runs: a malformed one fails there with SQLITE_ERROR, which is told
 * apart from a failing store.
 */
#include "compat.h"

#include <string.h>

#include "store/search.h"
#include "store/state.h"
#include "store/state_int.h"

static const char SQL_TEMPLATES[] =
    "SELECT t.id, t.template, t.count, bm25(template_fts) FROM template_fts"
    " JOIN log_templates t ON t.id = template_fts.rowid"
    " WHERE template_fts MATCH ?1 ORDER BY bm25(template_fts), t.id LIMIT ?2";
static const char SQL_LINES[] =
    "SELECT l.ts, l.host, l.service, l.severity, l.template_id, l.message, bm25(log_fts)"
    " FROM log_fts JOIN log_lines l ON l.id = log_fts.rowid"
    " WHERE log_fts MATCH ?1 AND l.ts >= ?2 ORDER BY bm25(log_fts), l.id LIMIT ?3";

static void
template_hit(sqlite3_stmt *s, struct aiops_search_hit *h)
{
	memset(h, 0, sizeof(*h));
	h->kind = AIOPS_SEARCH_TEMPLATE;
	h->template_id = (uint64_t)sqlite3_column_int64(s, 0);
	h->text = aiops_state_column_str(s, 1);
	h->len = (size_t)sqlite3_column_bytes(s, 1);
	if (h->text == NULL)
		h->text = "";
	h->count = (uint64_t)sqlite3_column_int64(s, 2);
	h->rank = -sqlite3_column_double(s, 3);
}

static void
line_hit(sqlite3_stmt *s, struct aiops_search_hit *h)
{
	memset(h, 0, sizeof(*h));
	h->kind = AIOPS_SEARCH_LINE;
	h->ts = aiops_state_column_time(s, 0);
	h->host = aiops_state_column_str(s, 1);
	h->service = aiops_state_column_str(s, 2);
	h->severity = aiops_state_column_str(s, 3);
	h->template_id = (uint64_t)sqlite3_column_int64(s, 4);
	h->message = aiops_state_column_str(s, 5);
	h->mlen = (size_t)sqlite3_column_bytes(s, 5);
	if (h->message == NULL)
		h->message = "";
	h->rank = -sqlite3_column_double(s, 6);
}

/* Steps s, a hit per row; a plain SQLITE_ERROR is FTS5 refusing the query. */
static int
run(struct aiops_state *st, sqlite3_stmt *s,
    void (*hit)(sqlite3_stmt *, struct aiops_search_hit *), aiops_search_fn *fn, void *arg)
{
	struct aiops_search_hit h;
	int rc, stop = 0;

	while (!stop && (rc = aiops_state_step(st, s)) == 1) {
		hit(s, &h);
		stop = fn(arg, &h);
	}
	if (stop) {
		sqlite3_reset(s);
		return stop;
	}
	if (rc == -1 && (aiops_state_errcode(st) & 0xff) == SQLITE_ERROR)
		return AIOPS_SEARCH_BADQUERY;
	return rc;
}

int
aiops_search_templates(struct aiops_state *st, const char *query, size_t limit,
    aiops_search_fn *fn, void *arg)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, SQL_TEMPLATES)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, query);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)limit);
	return run(st, s, template_hit, fn, arg);
}

int
aiops_search_lines(struct aiops_state *st, const char *query, int64_t since,
    size_t limit, aiops_search_fn *fn, void *arg)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, SQL_LINES)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, query);
	aiops_state_bind_time(s, 2, since);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)limit);
	return run(st, s, line_hit, fn, arg);
}
