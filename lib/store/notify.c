/*
 * notify.c: tables notify_groups, notify_members, notify_outbox and
 * silences (store/notify.h has the rules).
 */
#include "compat.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "store/notify.h"
#include "store/state.h"
#include "store/state_int.h"

#define GROUP_COLUMNS \
    "receiver, group_key, route, group_labels, created, next_flush, last_notified," \
    " told_firing, told_resolved, external_ref, last_flush"

static const char SQL_GROUP_PUT[] =
    "INSERT INTO notify_groups (" GROUP_COLUMNS ")"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
    " ON CONFLICT (receiver, group_key) DO UPDATE SET route = ?3, group_labels = ?4,"
    " created = ?5, next_flush = ?6, last_notified = ?7, told_firing = ?8,"
    " told_resolved = ?9, external_ref = ?10, last_flush = ?11";
static const char SQL_GROUP_GET[] =
    "SELECT " GROUP_COLUMNS " FROM notify_groups WHERE receiver = ?1 AND group_key = ?2";
static const char SQL_GROUPS_DUE[] =
    "SELECT " GROUP_COLUMNS " FROM notify_groups WHERE next_flush <= ?1"
    " ORDER BY next_flush, receiver, group_key";
static const char SQL_GROUPS_NEXT[] = "SELECT min(next_flush) FROM notify_groups";
static const char SQL_GROUP_DELETE[] =
    "DELETE FROM notify_groups WHERE receiver = ?1 AND group_key = ?2";

static const char SQL_MEMBER_ADD[] =
    "INSERT OR IGNORE INTO notify_members (receiver, group_key, fingerprint, joined)"
    " VALUES (?1, ?2, ?3, ?4)";
static const char SQL_MEMBER_REMOVE[] =
    "DELETE FROM notify_members WHERE receiver = ?1 AND group_key = ?2 AND fingerprint = ?3";
static const char SQL_MEMBERS[] =
    "SELECT fingerprint, joined FROM notify_members WHERE receiver = ?1 AND group_key = ?2"
    " ORDER BY joined, fingerprint";

#define OUTBOX_COLUMNS \
    "id, receiver, group_key, dedup_key, payload, created, next_attempt, attempts," \
    " state, done, status, error"

static const char SQL_OUTBOX_ADD[] =
    "INSERT INTO notify_outbox (receiver, group_key, dedup_key, payload, created,"
    " next_attempt, state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending')";
static const char SQL_OUTBOX_ATTEMPT[] =
    "UPDATE notify_outbox SET attempts = attempts + 1, next_attempt = ?2"
    " WHERE id = ?1 AND state = 'pending'";
static const char SQL_OUTBOX_RETRY[] =
    "UPDATE notify_outbox SET next_attempt = ?2, status = ?3, error = ?4"
    " WHERE id = ?1 AND state = 'pending'";
static const char SQL_OUTBOX_FINISH[] =
    "UPDATE notify_outbox SET state = ?2, done = ?3, status = ?4, error = ?5"
    " WHERE id = ?1 AND state = 'pending'";
static const char SQL_OUTBOX_DUE[] =
    "SELECT " OUTBOX_COLUMNS " FROM notify_outbox"
    " WHERE state = 'pending' AND next_attempt <= ?1 ORDER BY id LIMIT ?2";
static const char SQL_OUTBOX_LIST[] =
    "SELECT " OUTBOX_COLUMNS " FROM notify_outbox WHERE state = ?1"
    " ORDER BY id DESC LIMIT ?2";
static const char SQL_OUTBOX_NEXT[] =
    "SELECT min(next_attempt) FROM notify_outbox WHERE state = 'pending'";
static const char SQL_OUTBOX_SENT_SINCE[] =
    "SELECT count(*), min(done) FROM notify_outbox"
    " WHERE state = 'sent' AND receiver = ?1 AND done >= ?2";
static const char SQL_OUTBOX_EXPIRE[] =
    "DELETE FROM notify_outbox WHERE (state = 'sent' AND done < ?1)"
    " OR (state = 'dead' AND done < ?2)";

#define SILENCE_COLUMNS \
    "id, matchers, starts_at, ends_at, schedule, created_by, comment, created, updated"

static const char SQL_SILENCE_PUT[] =
    "INSERT OR REPLACE INTO silences (" SILENCE_COLUMNS ")"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char SQL_SILENCE_EXPIRE[] =
    "UPDATE silences SET ends_at = ?2, updated = ?2 WHERE id = ?1 AND ends_at > ?2";
static const char SQL_SILENCES_LIVE[] =
    "SELECT " SILENCE_COLUMNS " FROM silences WHERE ends_at > ?1 ORDER BY starts_at, id";
static const char SQL_SILENCES_ALL[] =
    "SELECT " SILENCE_COLUMNS " FROM silences ORDER BY starts_at, id";
static const char SQL_SILENCES_PRUNE[] = "DELETE FROM silences WHERE ends_at < ?1";

static const char *const outbox_states[] = { "pending", "sent", "dead" };

/* Binds a receiver and group key as ?1, ?2. */
static void
bind_group(sqlite3_stmt *s, const char *receiver, const char *group_key)
{
	aiops_state_bind_str(s, 1, receiver);
	aiops_state_bind_str(s, 2, group_key);
}

/* Runs s and returns the number of rows it changed in *n. 0, or -1. */
static int
done_changes(struct aiops_state *st, sqlite3_stmt *s, uint64_t *n)
{
	if (aiops_state_done(st, s) == -1)
		return -1;
	*n = (uint64_t)sqlite3_changes(aiops_state_db(st));
	return 0;
}

/* Grows a list's array to hold one more of size sz. */
static void *
grow(void *v, size_t n, size_t *cap, size_t sz)
{
	if (n < *cap)
		return v;
	*cap = *cap ? 2 * *cap : 4;
	return xreallocarray(v, *cap, sz);
}

int
aiops_notify_group_put(struct aiops_state *st, const struct aiops_notify_group *g)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, SQL_GROUP_PUT)) == NULL)
		return -1;
	bind_group(s, g->receiver, g->group_key);
	aiops_state_bind_str(s, 3, g->route != NULL ? g->route : "");
	aiops_state_bind_str(s, 4, g->group_labels != NULL ? g->group_labels : "{}");
	aiops_state_bind_time(s, 5, g->created);
	aiops_state_bind_time(s, 6, g->next_flush);
	if (g->last_notified != 0)
		aiops_state_bind_time(s, 7, g->last_notified);
	aiops_state_bind_str(s, 8, g->told_firing);
	aiops_state_bind_str(s, 9, g->told_resolved);
	aiops_state_bind_str(s, 10, g->external_ref);
	if (g->last_flush != 0)
		aiops_state_bind_time(s, 11, g->last_flush);
	return aiops_state_done(st, s);
}

static void
group_row(sqlite3_stmt *s, struct aiops_notify_group *g)
{
	memset(g, 0, sizeof(*g));
	g->receiver = aiops_state_column_dup(s, 0);
	g->group_key = aiops_state_column_dup(s, 1);
	g->route = aiops_state_column_dup(s, 2);
	g->group_labels = aiops_state_column_dup(s, 3);
	g->created = aiops_state_column_time(s, 4);
	g->next_flush = aiops_state_column_time(s, 5);
	g->last_notified = aiops_state_column_time(s, 6);
	g->told_firing = aiops_state_column_dup(s, 7);
	g->told_resolved = aiops_state_column_dup(s, 8);
	g->external_ref = aiops_state_column_dup(s, 9);
	g->last_flush = aiops_state_column_time(s, 10);
}

static int
group_rows(struct aiops_state *st, sqlite3_stmt *s, struct aiops_notify_group_list *l)
{
	size_t cap = 0;
	int rc;

	while ((rc = aiops_state_step(st, s)) == 1) {
		l->v = grow(l->v, l->n, &cap, sizeof(*l->v));
		group_row(s, &l->v[l->n++]);
	}
	if (rc == -1)
		aiops_notify_group_list_release(l);
	return rc;
}

int
aiops_notify_group_get(struct aiops_state *st, const char *receiver,
    const char *group_key, struct aiops_notify_group_list *l)
{
	sqlite3_stmt *s;

	l->v = NULL;
	l->n = 0;
	if ((s = aiops_state_stmt(st, SQL_GROUP_GET)) == NULL)
		return -1;
	bind_group(s, receiver, group_key);
	return group_rows(st, s, l);
}

int
aiops_notify_groups_due(struct aiops_state *st, int64_t now,
    struct aiops_notify_group_list *l)
{
	sqlite3_stmt *s;

	l->v = NULL;
	l->n = 0;
	if ((s = aiops_state_stmt(st, SQL_GROUPS_DUE)) == NULL)
		return -1;
	aiops_state_bind_time(s, 1, now);
	return group_rows(st, s, l);
}

/* The single value of a SELECT min(...) into *when (0 for NULL). */
static int
min_time(struct aiops_state *st, const char *sql, int64_t *when)
{
	sqlite3_stmt *s;
	int rc;

	*when = 0;
	if ((s = aiops_state_stmt(st, sql)) == NULL)
		return -1;
	if ((rc = aiops_state_step(st, s)) == 1) {
		*when = aiops_state_column_time(s, 0);
		sqlite3_reset(s);
	}
	return rc == -1 ? -1 : 0;
}

int
aiops_notify_groups_next(struct aiops_state *st, int64_t *when)
{
	return min_time(st, SQL_GROUPS_NEXT, when);
}

int
aiops_notify_group_delete(struct aiops_state *st, const char *receiver,
    const char *group_key)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, SQL_GROUP_DELETE)) == NULL)
		return -1;
	bind_group(s, receiver, group_key);
	return aiops_state_done(st, s);
}

void
aiops_notify_group_list_release(struct aiops_notify_group_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		struct aiops_notify_group *g = &l->v[i];

		free((void *)g->receiver);
		free((void *)g->group_key);
		free((void *)g->route);
		free((void *)g->group_labels);
		free((void *)g->told_firing);
		free((void *)g->told_resolved);
		free((void *)g->external_ref);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int
aiops_notify_member_add(struct aiops_state *st, const char *receiver,
    const char *group_key, const char *fingerprint, int64_t joined)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, SQL_MEMBER_ADD)) == NULL)
		return -1;
	bind_group(s, receiver, group_key);
	aiops_state_bind_str(s, 3, fingerprint);
	aiops_state_bind_time(s, 4, joined);
	return aiops_state_done(st, s);
}

int
aiops_notify_member_remove(struct aiops_state *st, const char *receiver,
    const char *group_key, const char *fingerprint)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, SQL_MEMBER_REMOVE)) == NULL)
		return -1;
	bind_group(s, receiver, group_key);
	aiops_state_bind_str(s, 3, fingerprint);
	return aiops_state_done(st, s);
}

int
aiops_notify_members(struct aiops_state *st, const char *receiver,
    const char *group_key, int (*fn)(void *arg, const char *fingerprint, int64_t joined),
    void *arg)
{
	sqlite3_stmt *s;
	int rc;

	if ((s = aiops_state_stmt(st, SQL_MEMBERS)) == NULL)
		return -1;
	bind_group(s, receiver, group_key);
	while ((rc = aiops_state_step(st, s)) == 1)
		if (fn(arg, aiops_state_column_str(s, 0), aiops_state_column_time(s, 1)) != 0) {
			sqlite3_reset(s);
			return 0;
		}
	return rc;
}

int
aiops_outbox_add(struct aiops_state *st, const struct aiops_outbox_msg *m, int64_t *id)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, SQL_OUTBOX_ADD)) == NULL)
		return -1;
	bind_group(s, m->receiver, m->group_key);
	aiops_state_bind_str(s, 3, m->dedup_key);
	aiops_state_bind_str(s, 4, m->payload);
	aiops_state_bind_time(s, 5, m->created);
	aiops_state_bind_time(s, 6, m->next_attempt);
	if (aiops_state_done(st, s) == -1)
		return -1;
	*id = (int64_t)sqlite3_last_insert_rowid(aiops_state_db(st));
	return 0;
}

int
aiops_outbox_attempt(struct aiops_state *st, int64_t id, int64_t retry_at)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, SQL_OUTBOX_ATTEMPT)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	aiops_state_bind_time(s, 2, retry_at);
	return aiops_state_done(st, s);
}

/* Binds a status as ?n: NULL for none. */
static void
bind_status(sqlite3_stmt *s, int n, int status)
{
	if (status != 0)
		sqlite3_bind_int(s, n, status);
}

int
aiops_outbox_retry(struct aiops_state *st, int64_t id, int64_t retry_at, int status,
    const char *error)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, SQL_OUTBOX_RETRY)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	aiops_state_bind_time(s, 2, retry_at);
	bind_status(s, 3, status);
	aiops_state_bind_str(s, 4, error);
	return aiops_state_done(st, s);
}

static int
outbox_finish(struct aiops_state *st, int64_t id, enum aiops_outbox_state state,
    int64_t at, int status, const char *error)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, SQL_OUTBOX_FINISH)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	aiops_state_bind_str(s, 2, outbox_states[state]);
	aiops_state_bind_time(s, 3, at);
	bind_status(s, 4, status);
	aiops_state_bind_str(s, 5, error);
	return aiops_state_done(st, s);
}

int
aiops_outbox_sent(struct aiops_state *st, int64_t id, int64_t at, int status)
{
	return outbox_finish(st, id, AIOPS_OUTBOX_SENT, at, status, NULL);
}

int
aiops_outbox_dead(struct aiops_state *st, int64_t id, int64_t at, int status,
    const char *error)
{
	return outbox_finish(st, id, AIOPS_OUTBOX_DEAD, at, status, error);
}

static void
outbox_row(sqlite3_stmt *s, struct aiops_outbox_msg *m)
{
	const char *state;
	int i;

	memset(m, 0, sizeof(*m));
	m->id = sqlite3_column_int64(s, 0);
	m->receiver = aiops_state_column_dup(s, 1);
	m->group_key = aiops_state_column_dup(s, 2);
	m->dedup_key = aiops_state_column_dup(s, 3);
	m->payload = aiops_state_column_dup(s, 4);
	m->created = aiops_state_column_time(s, 5);
	m->next_attempt = aiops_state_column_time(s, 6);
	m->attempts = (unsigned)sqlite3_column_int(s, 7);
	state = aiops_state_column_str(s, 8);
	for (i = 0; i < 3; i++)
		if (state != NULL && strcmp(state, outbox_states[i]) == 0)
			m->state = (enum aiops_outbox_state)i;
	m->done = aiops_state_column_time(s, 9);
	m->status = sqlite3_column_int(s, 10);
	m->error = aiops_state_column_dup(s, 11);
}

static int
outbox_rows(struct aiops_state *st, sqlite3_stmt *s, struct aiops_outbox_list *l)
{
	size_t cap = 0;
	int rc;

	while ((rc = aiops_state_step(st, s)) == 1) {
		l->v = grow(l->v, l->n, &cap, sizeof(*l->v));
		outbox_row(s, &l->v[l->n++]);
	}
	if (rc == -1)
		aiops_outbox_list_release(l);
	return rc;
}

/* A LIMIT of max, or none (-1) for 0. */
static void
bind_max(sqlite3_stmt *s, int n, size_t max)
{
	sqlite3_bind_int64(s, n, max == 0 || max > INT64_MAX ? -1 : (sqlite3_int64)max);
}

int
aiops_outbox_due(struct aiops_state *st, int64_t now, size_t max, struct aiops_outbox_list *l)
{
	sqlite3_stmt *s;

	l->v = NULL;
	l->n = 0;
	if ((s = aiops_state_stmt(st, SQL_OUTBOX_DUE)) == NULL)
		return -1;
	aiops_state_bind_time(s, 1, now);
	bind_max(s, 2, max);
	return outbox_rows(st, s, l);
}

int
aiops_outbox_list(struct aiops_state *st, enum aiops_outbox_state state, size_t max,
    struct aiops_outbox_list *l)
{
	sqlite3_stmt *s;

	l->v = NULL;
	l->n = 0;
	if ((s = aiops_state_stmt(st, SQL_OUTBOX_LIST)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, outbox_states[state]);
	bind_max(s, 2, max);
	return outbox_rows(st, s, l);
}

int
aiops_outbox_next(struct aiops_state *st, int64_t *when)
{
	return min_time(st, SQL_OUTBOX_NEXT, when);
}

int
aiops_outbox_sent_since(struct aiops_state *st, const char *receiver, int64_t since,
    uint64_t *n, int64_t *first)
{
	sqlite3_stmt *s;
	int rc;

	*n = 0;
	*first = 0;
	if ((s = aiops_state_stmt(st, SQL_OUTBOX_SENT_SINCE)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, receiver);
	aiops_state_bind_time(s, 2, since);
	if ((rc = aiops_state_step(st, s)) == 1) {
		*n = (uint64_t)sqlite3_column_int64(s, 0);
		*first = aiops_state_column_time(s, 1);
		sqlite3_reset(s);
	}
	return rc == -1 ? -1 : 0;
}

int
aiops_outbox_expire(struct aiops_state *st, int64_t sent_before, int64_t dead_before,
    uint64_t *n)
{
	sqlite3_stmt *s;

	*n = 0;
	if ((s = aiops_state_stmt(st, SQL_OUTBOX_EXPIRE)) == NULL)
		return -1;
	aiops_state_bind_time(s, 1, sent_before);
	aiops_state_bind_time(s, 2, dead_before);
	return done_changes(st, s, n);
}

void
aiops_outbox_list_release(struct aiops_outbox_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		struct aiops_outbox_msg *m = &l->v[i];

		free((void *)m->receiver);
		free((void *)m->group_key);
		free((void *)m->dedup_key);
		free((void *)m->payload);
		free((void *)m->error);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int
aiops_silence_put(struct aiops_state *st, const struct aiops_silence *x)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, SQL_SILENCE_PUT)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, x->id);
	aiops_state_bind_str(s, 2, x->matchers);
	aiops_state_bind_time(s, 3, x->starts_at);
	aiops_state_bind_time(s, 4, x->ends_at);
	aiops_state_bind_str(s, 5, x->schedule);
	aiops_state_bind_str(s, 6, x->created_by);
	aiops_state_bind_str(s, 7, x->comment != NULL ? x->comment : "");
	aiops_state_bind_time(s, 8, x->created);
	aiops_state_bind_time(s, 9, x->updated);
	return aiops_state_done(st, s);
}

int
aiops_silence_expire(struct aiops_state *st, const char *id, int64_t now, int *found)
{
	sqlite3_stmt *s;
	uint64_t n;

	*found = 0;
	if ((s = aiops_state_stmt(st, SQL_SILENCE_EXPIRE)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, id);
	aiops_state_bind_time(s, 2, now);
	if (done_changes(st, s, &n) == -1)
		return -1;
	*found = n > 0;
	return 0;
}

static void
silence_row(sqlite3_stmt *s, struct aiops_silence *x)
{
	memset(x, 0, sizeof(*x));
	x->id = aiops_state_column_dup(s, 0);
	x->matchers = aiops_state_column_dup(s, 1);
	x->starts_at = aiops_state_column_time(s, 2);
	x->ends_at = aiops_state_column_time(s, 3);
	x->schedule = aiops_state_column_dup(s, 4);
	x->created_by = aiops_state_column_dup(s, 5);
	x->comment = aiops_state_column_dup(s, 6);
	x->created = aiops_state_column_time(s, 7);
	x->updated = aiops_state_column_time(s, 8);
}

int
aiops_silences_list(struct aiops_state *st, int64_t now, int all,
    struct aiops_silence_list *l)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	l->v = NULL;
	l->n = 0;
	if ((s = aiops_state_stmt(st, all ? SQL_SILENCES_ALL : SQL_SILENCES_LIVE)) == NULL)
		return -1;
	if (!all)
		aiops_state_bind_time(s, 1, now);
	while ((rc = aiops_state_step(st, s)) == 1) {
		l->v = grow(l->v, l->n, &cap, sizeof(*l->v));
		silence_row(s, &l->v[l->n++]);
	}
	if (rc == -1)
		aiops_silence_list_release(l);
	return rc;
}

int
aiops_silences_prune(struct aiops_state *st, int64_t before, uint64_t *n)
{
	sqlite3_stmt *s;

	*n = 0;
	if ((s = aiops_state_stmt(st, SQL_SILENCES_PRUNE)) == NULL)
		return -1;
	aiops_state_bind_time(s, 1, before);
	return done_changes(st, s, n);
}

void
aiops_silence_list_release(struct aiops_silence_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		struct aiops_silence *x = &l->v[i];

		free((void *)x->id);
		free((void *)x->matchers);
		free((void *)x->schedule);
		free((void *)x->created_by);
		free((void *)x->comment);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
