/*
 * tasks.c: tables run_tasks and run_audit (store/tasks.h has the rules).
 */
#include "compat.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "store/state.h"
#include "store/state_int.h"
#include "store/tasks.h"

#define TASK_COLUMNS \
    "id, rule, target, host, event_id, spec, idempotent, state, created, next_attempt," \
    " attempts, max_attempts, started, finished, worker, pgid, exit_status, output, error," \
    " throttle_key, action, approval_expires, decided_by, verify_deadline"

/* The states a task ends in; the others are queued, approval, running, verifying. */
#define ENDED	"('succeeded', 'verified', 'unverified', 'dead', 'denied', 'expired')"

static const char SQL_TASK_ADD[] =
    "INSERT INTO run_tasks (rule, target, host, event_id, spec, idempotent, state, created,"
    " next_attempt, max_attempts, throttle_key, action, approval_expires)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?10, ?7, ?8, ?9, ?11, ?12, ?13)";
static const char SQL_TASK_COUNT_SINCE[] =
    "SELECT count(*) FROM run_tasks WHERE rule = ?1 AND throttle_key IS ?2 AND created >= ?3";
static const char SQL_TASK_VERIFY_DUE[] =
    "SELECT " TASK_COLUMNS " FROM run_tasks WHERE state = 'verifying' AND next_attempt <= ?1"
    " ORDER BY next_attempt, id";
static const char SQL_TASK_APPROVAL_EXPIRED[] =
    "SELECT " TASK_COLUMNS " FROM run_tasks WHERE state = 'approval'"
    " AND approval_expires <= ?1 ORDER BY id";
static const char SQL_TASK_GET[] = "SELECT " TASK_COLUMNS " FROM run_tasks WHERE id = ?1";
static const char SQL_TASK_MOVE[] =
    "UPDATE run_tasks SET state = ?3,"
    " next_attempt = CASE WHEN ?5 IS NULL THEN next_attempt ELSE ?5 END,"
    " verify_deadline = CASE WHEN ?6 IS NULL THEN verify_deadline ELSE ?6 END,"
    " finished = CASE WHEN ?3 IN " ENDED " THEN ?4 ELSE finished END,"
    " error = CASE WHEN ?7 IS NULL THEN error ELSE ?7 END,"
    " decided_by = CASE WHEN ?8 IS NULL THEN decided_by ELSE ?8 END"
    " WHERE id = ?1 AND state = ?2";
static const char SQL_TASK_LAST[] =
    "SELECT " TASK_COLUMNS " FROM run_tasks WHERE rule = ?1 AND target = ?2"
    " AND created >= ?3 ORDER BY created DESC, id DESC LIMIT 1";
static const char SQL_TASK_DUE[] =
    "SELECT " TASK_COLUMNS " FROM run_tasks AS t WHERE state = 'queued' AND next_attempt <= ?1"
    " AND (?2 <= 0 OR t.host IS NULL OR (SELECT count(*) FROM run_tasks AS r"
    "   WHERE r.host = t.host AND r.state = 'running') < ?2)"
    " ORDER BY next_attempt, id LIMIT 1";
static const char SQL_TASK_NEXT[] =
    "SELECT min(next_attempt) FROM run_tasks WHERE state IN ('queued', 'verifying')";
static const char SQL_TASK_CLAIM[] =
    "UPDATE run_tasks SET state = 'running', worker = ?2, started = ?3,"
    " attempts = attempts + 1, pgid = NULL WHERE id = ?1 AND state = 'queued'";
static const char SQL_TASK_PGID[] =
    "UPDATE run_tasks SET pgid = ?2 WHERE id = ?1";
static const char SQL_TASK_END[] =
    "UPDATE run_tasks SET state = ?2, finished = CASE WHEN ?2 IN " ENDED " THEN ?3 ELSE NULL END,"
    " next_attempt = ?4, exit_status = ?5, output = ?6, error = ?7, worker = NULL"
    " WHERE id = ?1 AND state = 'running'";
static const char SQL_TASK_RUNNING[] =
    "SELECT " TASK_COLUMNS " FROM run_tasks WHERE state = 'running' ORDER BY id";
static const char SQL_TASK_LIST[] =
    "SELECT " TASK_COLUMNS " FROM run_tasks WHERE ?1 IS NULL OR state = ?1"
    " ORDER BY id DESC LIMIT ?2";
static const char SQL_TASK_EXPIRE[] =
    "DELETE FROM run_tasks WHERE (state IN ('succeeded', 'verified') AND finished < ?1)"
    " OR (state IN ('dead', 'unverified', 'denied', 'expired') AND finished < ?2)";

static const char SQL_BREAKER_GET[] =
    "SELECT failures, opened, last_task, reason FROM run_breakers WHERE target = ?1";
static const char SQL_BREAKER_FAILURE[] =
    "INSERT INTO run_breakers (target, failures, last_task, reason) VALUES (?1, 1, ?2, ?3)"
    " ON CONFLICT (target) DO UPDATE SET failures = failures + 1, last_task = ?2, reason = ?3";
static const char SQL_BREAKER_OPEN[] =
    "UPDATE run_breakers SET opened = ?2 WHERE target = ?1 AND opened IS NULL"
    " AND failures >= ?3";
static const char SQL_BREAKER_RESET[] = "DELETE FROM run_breakers WHERE target = ?1";

static const char SQL_AUDIT_ADD[] =
    "INSERT INTO run_audit (ts, decision, rule, target, task_id, event_id, detail)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char SQL_AUDIT_EACH[] =
    "SELECT seq, ts, decision, rule, target, task_id, event_id, detail FROM run_audit"
    " WHERE ts >= ?1 ORDER BY seq";
static const char SQL_AUDIT_EXPIRE[] = "DELETE FROM run_audit WHERE ts < ?1";

#define DAY_NS	(86400LL * 1000000000LL)

int
aiops_task_add(struct aiops_state *st, const struct aiops_task *t, int64_t *id)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, SQL_TASK_ADD)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, t->rule);
	aiops_state_bind_str(s, 2, t->target);
	aiops_state_bind_str(s, 3, t->host);
	aiops_state_bind_str(s, 4, t->event_id);
	aiops_state_bind_str(s, 5, t->spec);
	sqlite3_bind_int(s, 6, t->idempotent != 0);
	aiops_state_bind_time(s, 7, t->created);
	aiops_state_bind_time(s, 8, t->next_attempt);
	sqlite3_bind_int(s, 9, t->max_attempts);
	aiops_state_bind_str(s, 10, t->state != NULL ? t->state : "queued");
	aiops_state_bind_str(s, 11, t->throttle_key);
	aiops_state_bind_str(s, 12, t->action);
	if (t->approval_expires != 0)
		aiops_state_bind_time(s, 13, t->approval_expires);
	if (aiops_state_done(st, s) == -1)
		return -1;
	*id = (int64_t)sqlite3_last_insert_rowid(aiops_state_db(st));
	return 0;
}

/* The row s is on, as a task of new strings. */
static void
read_task(sqlite3_stmt *s, void *elem)
{
	struct aiops_task *t = elem;

	t->id = sqlite3_column_int64(s, 0);
	t->rule = aiops_state_column_dup(s, 1);
	t->target = aiops_state_column_dup(s, 2);
	t->host = aiops_state_column_dup(s, 3);
	t->event_id = aiops_state_column_dup(s, 4);
	t->spec = aiops_state_column_dup(s, 5);
	t->idempotent = sqlite3_column_int(s, 6);
	t->state = aiops_state_column_dup(s, 7);
	t->created = aiops_state_column_time(s, 8);
	t->next_attempt = aiops_state_column_time(s, 9);
	t->attempts = sqlite3_column_int(s, 10);
	t->max_attempts = sqlite3_column_int(s, 11);
	t->started = aiops_state_column_time(s, 12);
	t->finished = aiops_state_column_time(s, 13);
	t->worker = aiops_state_column_dup(s, 14);
	t->pgid = (long)sqlite3_column_int64(s, 15);
	t->exit_status = sqlite3_column_type(s, 16) == SQLITE_NULL ? -1 :
	    sqlite3_column_int(s, 16);
	t->output = aiops_state_column_dup(s, 17);
	t->error = aiops_state_column_dup(s, 18);
	t->throttle_key = aiops_state_column_dup(s, 19);
	t->action = aiops_state_column_dup(s, 20);
	t->approval_expires = aiops_state_column_time(s, 21);
	t->decided_by = aiops_state_column_dup(s, 22);
	t->verify_deadline = aiops_state_column_time(s, 23);
}

/* Steps s (bound) to its end, appending every row to l. */
static int
read_tasks(struct aiops_state *st, sqlite3_stmt *s, struct aiops_task_list *l)
{
	memset(l, 0, sizeof(*l));
	if (aiops_state_read_rows(st, s, (void **)&l->v, &l->n, sizeof(*l->v), read_task) == -1) {
		aiops_task_list_release(l);
		return -1;
	}
	return 0;
}

int
aiops_task_last(struct aiops_state *st, const char *rule, const char *target,
    int64_t since, struct aiops_task_list *l)
{
	sqlite3_stmt *s;

	memset(l, 0, sizeof(*l));
	if ((s = aiops_state_stmt(st, SQL_TASK_LAST)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, rule);
	aiops_state_bind_str(s, 2, target);
	aiops_state_bind_time(s, 3, since);
	return read_tasks(st, s, l);
}

int
aiops_task_count_since(struct aiops_state *st, const char *rule, const char *key,
    int64_t since, int64_t *n)
{
	sqlite3_stmt *s;
	int rc;

	*n = 0;
	if ((s = aiops_state_stmt(st, SQL_TASK_COUNT_SINCE)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, rule);
	aiops_state_bind_str(s, 2, key);
	aiops_state_bind_time(s, 3, since);
	if ((rc = aiops_state_step(st, s)) == 1) {
		*n = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
	}
	return rc == -1 ? -1 : 0;
}

int
aiops_task_due(struct aiops_state *st, int64_t now, int per_host, struct aiops_task_list *l)
{
	sqlite3_stmt *s;

	memset(l, 0, sizeof(*l));
	if ((s = aiops_state_stmt(st, SQL_TASK_DUE)) == NULL)
		return -1;
	aiops_state_bind_time(s, 1, now);
	sqlite3_bind_int(s, 2, per_host);
	return read_tasks(st, s, l);
}

/* Tasks of sql with ?1 the time now. */
static int
tasks_at(struct aiops_state *st, const char *sql, int64_t now, struct aiops_task_list *l)
{
	sqlite3_stmt *s;

	memset(l, 0, sizeof(*l));
	if ((s = aiops_state_stmt(st, sql)) == NULL)
		return -1;
	aiops_state_bind_time(s, 1, now);
	return read_tasks(st, s, l);
}

int
aiops_task_verify_due(struct aiops_state *st, int64_t now, struct aiops_task_list *l)
{
	return tasks_at(st, SQL_TASK_VERIFY_DUE, now, l);
}

int
aiops_task_approval_expired(struct aiops_state *st, int64_t now, struct aiops_task_list *l)
{
	return tasks_at(st, SQL_TASK_APPROVAL_EXPIRED, now, l);
}

int
aiops_task_get(struct aiops_state *st, int64_t id, struct aiops_task_list *l)
{
	sqlite3_stmt *s;

	memset(l, 0, sizeof(*l));
	if ((s = aiops_state_stmt(st, SQL_TASK_GET)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	return read_tasks(st, s, l);
}

int
aiops_task_move(struct aiops_state *st, int64_t id, const char *from, const char *to,
    int64_t now, int64_t next_attempt, int64_t verify_deadline, const char *error,
    const char *decided_by, int *moved)
{
	sqlite3_stmt *s;

	*moved = 0;
	if ((s = aiops_state_stmt(st, SQL_TASK_MOVE)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	aiops_state_bind_str(s, 2, from);
	aiops_state_bind_str(s, 3, to);
	aiops_state_bind_time(s, 4, now);
	if (next_attempt != 0)
		aiops_state_bind_time(s, 5, next_attempt);
	if (verify_deadline != 0)
		aiops_state_bind_time(s, 6, verify_deadline);
	aiops_state_bind_str(s, 7, error);
	aiops_state_bind_str(s, 8, decided_by);
	if (aiops_state_done(st, s) == -1)
		return -1;
	*moved = sqlite3_changes(aiops_state_db(st)) == 1;
	return 0;
}

int
aiops_task_next(struct aiops_state *st, int64_t *when)
{
	sqlite3_stmt *s;
	int rc;

	*when = 0;
	if ((s = aiops_state_stmt(st, SQL_TASK_NEXT)) == NULL)
		return -1;
	if ((rc = aiops_state_step(st, s)) == 1) {
		*when = aiops_state_column_time(s, 0);
		sqlite3_reset(s);
	}
	return rc == -1 ? -1 : 0;
}

int
aiops_task_claim(struct aiops_state *st, int64_t id, const char *worker, int64_t now,
    int *claimed)
{
	sqlite3_stmt *s;

	*claimed = 0;
	if ((s = aiops_state_stmt(st, SQL_TASK_CLAIM)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	aiops_state_bind_str(s, 2, worker);
	aiops_state_bind_time(s, 3, now);
	if (aiops_state_done(st, s) == -1)
		return -1;
	*claimed = sqlite3_changes(aiops_state_db(st)) == 1;
	return 0;
}

int
aiops_task_set_pgid(struct aiops_state *st, int64_t id, long pgid)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, SQL_TASK_PGID)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, pgid);
	return aiops_state_done(st, s);
}

int
aiops_task_end(struct aiops_state *st, int64_t id, const char *state, int64_t now,
    int64_t next_attempt, int exit_status, const char *output, const char *error)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, SQL_TASK_END)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	aiops_state_bind_str(s, 2, state);
	aiops_state_bind_time(s, 3, now);
	aiops_state_bind_time(s, 4, next_attempt);
	if (exit_status >= 0)
		sqlite3_bind_int(s, 5, exit_status);
	aiops_state_bind_str(s, 6, output);
	aiops_state_bind_str(s, 7, error);
	return aiops_state_done(st, s);
}

int
aiops_task_running(struct aiops_state *st, struct aiops_task_list *l)
{
	sqlite3_stmt *s;

	memset(l, 0, sizeof(*l));
	if ((s = aiops_state_stmt(st, SQL_TASK_RUNNING)) == NULL)
		return -1;
	return read_tasks(st, s, l);
}

int
aiops_task_list(struct aiops_state *st, const char *state, size_t limit,
    struct aiops_task_list *l)
{
	sqlite3_stmt *s;

	memset(l, 0, sizeof(*l));
	if ((s = aiops_state_stmt(st, SQL_TASK_LIST)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, state);
	sqlite3_bind_int64(s, 2, limit == 0 ? -1 : (sqlite3_int64)limit);
	return read_tasks(st, s, l);
}

int
aiops_task_expire(struct aiops_state *st, int64_t done_before, int64_t dead_before,
    uint64_t *n)
{
	sqlite3_stmt *s;

	*n = 0;
	if ((s = aiops_state_stmt(st, SQL_TASK_EXPIRE)) == NULL)
		return -1;
	aiops_state_bind_time(s, 1, done_before);
	aiops_state_bind_time(s, 2, dead_before);
	if (aiops_state_done(st, s) == -1)
		return -1;
	*n = (uint64_t)sqlite3_changes(aiops_state_db(st));
	return 0;
}

void
aiops_task_list_release(struct aiops_task_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		struct aiops_task *t = &l->v[i];

		free((char *)t->rule);
		free((char *)t->target);
		free((char *)t->host);
		free((char *)t->event_id);
		free((char *)t->spec);
		free((char *)t->state);
		free((char *)t->worker);
		free((char *)t->output);
		free((char *)t->error);
		free((char *)t->throttle_key);
		free((char *)t->action);
		free((char *)t->decided_by);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int
aiops_breaker_get(struct aiops_state *st, const char *target, struct aiops_breaker *b)
{
	sqlite3_stmt *s;
	int rc;

	memset(b, 0, sizeof(*b));
	if ((s = aiops_state_stmt(st, SQL_BREAKER_GET)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, target);
	if ((rc = aiops_state_step(st, s)) == 1) {
		b->failures = sqlite3_column_int(s, 0);
		b->opened = aiops_state_column_time(s, 1);
		b->last_task = sqlite3_column_int64(s, 2);
		b->reason = aiops_state_column_dup(s, 3);
		sqlite3_reset(s);
	}
	return rc == -1 ? -1 : 0;
}

int
aiops_breaker_failure(struct aiops_state *st, const char *target, int64_t task,
    int64_t now, int threshold, const char *reason, int *opened)
{
	sqlite3_stmt *s;

	*opened = 0;
	if ((s = aiops_state_stmt(st, SQL_BREAKER_FAILURE)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, target);
	sqlite3_bind_int64(s, 2, task);
	aiops_state_bind_str(s, 3, reason);
	if (aiops_state_done(st, s) == -1)
		return -1;
	if (threshold <= 0)
		return 0;
	if ((s = aiops_state_stmt(st, SQL_BREAKER_OPEN)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, target);
	aiops_state_bind_time(s, 2, now);
	sqlite3_bind_int(s, 3, threshold);
	if (aiops_state_done(st, s) == -1)
		return -1;
	*opened = sqlite3_changes(aiops_state_db(st)) == 1;
	return 0;
}

int
aiops_breaker_reset(struct aiops_state *st, const char *target)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, SQL_BREAKER_RESET)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, target);
	return aiops_state_done(st, s);
}

int
aiops_audit_add(struct aiops_state *st, const struct aiops_audit *a)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, SQL_AUDIT_ADD)) == NULL)
		return -1;
	aiops_state_bind_time(s, 1, a->ts);
	aiops_state_bind_str(s, 2, a->decision);
	aiops_state_bind_str(s, 3, a->rule);
	aiops_state_bind_str(s, 4, a->target);
	if (a->task_id != 0)
		sqlite3_bind_int64(s, 5, a->task_id);
	aiops_state_bind_str(s, 6, a->event_id);
	aiops_state_bind_str(s, 7, a->detail);
	return aiops_state_done(st, s);
}

int
aiops_audit_each(struct aiops_state *st, int64_t since,
    int (*fn)(void *arg, const struct aiops_audit *a), void *arg)
{
	struct aiops_audit a;
	sqlite3_stmt *s;
	int rc;

	if ((s = aiops_state_stmt(st, SQL_AUDIT_EACH)) == NULL)
		return -1;
	aiops_state_bind_time(s, 1, since);
	while ((rc = aiops_state_step(st, s)) == 1) {
		a.seq = sqlite3_column_int64(s, 0);
		a.ts = aiops_state_column_time(s, 1);
		a.decision = aiops_state_column_str(s, 2);
		a.rule = aiops_state_column_str(s, 3);
		a.target = aiops_state_column_str(s, 4);
		a.task_id = sqlite3_column_int64(s, 5);
		a.event_id = aiops_state_column_str(s, 6);
		a.detail = aiops_state_column_str(s, 7);
		if (fn(arg, &a) != 0) {
			sqlite3_reset(s);
			return 0;
		}
	}
	return rc == -1 ? -1 : 0;
}

int
aiops_audit_expire(struct aiops_state *st, int64_t before, uint64_t *n)
{
	sqlite3_stmt *s;
	int64_t day = before >= 0 ? before / DAY_NS * DAY_NS : 0;

	*n = 0;
	if ((s = aiops_state_stmt(st, SQL_AUDIT_EXPIRE)) == NULL)
		return -1;
	aiops_state_bind_time(s, 1, day);
	if (aiops_state_done(st, s) == -1)
		return -1;
	*n = (uint64_t)sqlite3_changes(aiops_state_db(st));
	return 0;
}
