/*
 * logs.c: tables log_templates, log_lines (whose triggers keep the
 * full-text indexes of search.c in step), log_rate_pending, and the keys
 * detect.log_lines and detect.log_minute of meta.
 */
#include "compat.h"

#include <stdint.h>
#include <string.h>

#include "store/logs.h"
#include "store/state.h"
#include "store/state_int.h"

#define KEY_LINES	"detect.log_lines"
#define KEY_MINUTE	"detect.log_minute"	/* ms, as a time column */

static const char SQL_TEMPLATES[] =
    "SELECT id, template, count, first_seen, last_seen, source FROM log_templates ORDER BY id";
static const char SQL_TEMPLATE_PUT[] =
    "INSERT INTO log_templates (id, template, count, first_seen, last_seen, source)"
    " VALUES (?1, ?2, ?3, ?5, ?4, ?6) ON CONFLICT (id) DO UPDATE SET"
    " template = excluded.template, count = excluded.count, last_seen = excluded.last_seen"
    " WHERE template <> excluded.template OR count <> excluded.count";
static const char SQL_LINE[] =
    "INSERT INTO log_lines (ts, host, service, severity, template_id, message)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_EXPIRE[] = "DELETE FROM log_lines WHERE ts < ?1";
static const char SQL_RATES[] =
    "SELECT key, minute, count, host, template_id FROM log_rate_pending";
static const char SQL_RATES_CLEAR[] = "DELETE FROM log_rate_pending";
static const char SQL_RATE_ADD[] =
    "INSERT INTO log_rate_pending (key, minute, count, host, template_id)"
    " VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_META_GET[] = "SELECT value FROM meta WHERE key = ?1";
static const char SQL_META_SET[] =
    "INSERT INTO meta (key, value) VALUES (?1, ?2)"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value";

int
aiops_logs_templates(struct aiops_state *st,
    int (*fn)(void *arg, const struct aiops_log_template *t), void *arg)
{
	struct aiops_log_template t;
	sqlite3_stmt *s;
	int rc, stop = 0;

	if ((s = aiops_state_stmt(st, SQL_TEMPLATES)) == NULL)
		return -1;
	while (!stop && (rc = aiops_state_step(st, s)) == 1) {
		memset(&t, 0, sizeof(t));
		t.id = (uint64_t)sqlite3_column_int64(s, 0);
		t.text = aiops_state_column_str(s, 1);
		t.len = (size_t)sqlite3_column_bytes(s, 1);
		t.count = (uint64_t)sqlite3_column_int64(s, 2);
		t.first = aiops_state_column_time(s, 3);
		t.seen = aiops_state_column_time(s, 4);
		t.source = aiops_state_column_str(s, 5);
		if (t.text == NULL)
			t.text = "";
		stop = fn(arg, &t);
	}
	if (stop)
		sqlite3_reset(s);
	return stop ? stop : rc;
}

int
aiops_logs_template_put(struct aiops_state *st, const struct aiops_log_template *t)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, SQL_TEMPLATE_PUT)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)t->id);
	aiops_state_bind_strn(s, 2, t->text, t->len);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)t->count);
	aiops_state_bind_time(s, 4, t->seen);
	aiops_state_bind_time(s, 5, t->first != 0 ? t->first : t->seen);
	aiops_state_bind_str(s, 6, t->source);
	return aiops_state_done(st, s);
}

int
aiops_logs_line_add(struct aiops_state *st, const struct aiops_log_line *l)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, SQL_LINE)) == NULL)
		return -1;
	aiops_state_bind_time(s, 1, l->ts);
	aiops_state_bind_str(s, 2, l->host);
	aiops_state_bind_str(s, 3, l->service);
	aiops_state_bind_str(s, 4, l->severity);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)l->template_id);
	aiops_state_bind_str(s, 6, l->message);
	return aiops_state_done(st, s);
}

int
aiops_logs_expire(struct aiops_state *st, int64_t before)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, SQL_EXPIRE)) == NULL)
		return -1;
	aiops_state_bind_time(s, 1, before);
	return aiops_state_done(st, s);
}

int
aiops_logs_rates(struct aiops_state *st,
    int (*fn)(void *arg, const struct aiops_log_rate *r), void *arg)
{
	struct aiops_log_rate r;
	sqlite3_stmt *s;
	int rc, stop = 0;

	if ((s = aiops_state_stmt(st, SQL_RATES)) == NULL)
		return -1;
	while (!stop && (rc = aiops_state_step(st, s)) == 1) {
		r.key = aiops_state_column_str(s, 0);
		r.minute = aiops_state_column_time(s, 1);
		r.count = (uint64_t)sqlite3_column_int64(s, 2);
		r.host = aiops_state_column_str(s, 3);
		r.template_id = (uint64_t)sqlite3_column_int64(s, 4);
		stop = fn(arg, &r);
	}
	if (stop)
		sqlite3_reset(s);
	return stop ? stop : rc;
}

int
aiops_logs_rates_clear(struct aiops_state *st)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, SQL_RATES_CLEAR)) == NULL)
		return -1;
	return aiops_state_done(st, s);
}

int
aiops_logs_rate_add(struct aiops_state *st, const struct aiops_log_rate *r)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, SQL_RATE_ADD)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, r->key);
	aiops_state_bind_time(s, 2, r->minute);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)r->count);
	aiops_state_bind_str(s, 4, r->host);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)r->template_id);
	return aiops_state_done(st, s);
}

/* An integer kept in meta: 0 and *v (0 when the key is missing), or -1. */
static int
meta_get(struct aiops_state *st, const char *key, int64_t *v)
{
	sqlite3_stmt *s;
	int rc;

	*v = 0;
	if ((s = aiops_state_stmt(st, SQL_META_GET)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, key);
	if ((rc = aiops_state_step(st, s)) == 1) {
		*v = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
	}
	return rc == -1 ? -1 : 0;
}

static int
meta_set(struct aiops_state *st, const char *key, int64_t v)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, SQL_META_SET)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, key);
	sqlite3_bind_int64(s, 2, v);
	return aiops_state_done(st, s);
}

int
aiops_logs_position_get(struct aiops_state *st, uint64_t *nlines, int64_t *minute)
{
	int64_t n, ms;

	if (meta_get(st, KEY_LINES, &n) == -1 || meta_get(st, KEY_MINUTE, &ms) == -1)
		return -1;
	*nlines = (uint64_t)n;
	*minute = ms * AIOPS_STATE_NS_PER_MS;
	return 0;
}

int
aiops_logs_position_put(struct aiops_state *st, uint64_t nlines, int64_t minute)
{
	if (meta_set(st, KEY_LINES, (int64_t)nlines) == -1 ||
	    meta_set(st, KEY_MINUTE, minute / AIOPS_STATE_NS_PER_MS) == -1)
		return -1;
	return 0;
}
