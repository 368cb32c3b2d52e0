/*
 * alerts.c: tables alerts (one row per fingerprint: the state of its
 * latest episode) and alert_history (per episode, at most a row for its
 * start and one for its end, each with its receipt times and count).
 * alerts.h says the rules; here is how they are kept.
 *
 * A notification is one SELECT of the alert's row, at most one write to
 * it and one upsert into the history, keyed by (fingerprint, starts_at,
 * status): a re-delivery hits the key and only moves last_seen and the
 * count, so no row is ever added for it. The sweep is a few statements
 * over indexes (alerts_status, alert_history_ts); the
 * history of an alert goes with it (ON DELETE CASCADE).
 */
#include "compat.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "store/alerts.h"
#include "store/state.h"
#include "store/state_int.h"
#include "core/xmalloc.h"

#define BATCH_ALERTS	256
#define BATCH_NS	1000000000LL	/* 1 s of real time, as mstore.c */
#define ERRLEN		512

static const char FIRING[] = "firing";
static const char RESOLVED[] = "resolved";

#define COLUMNS \
    "fingerprint, alertname, status, expired, severity, host, labels, annotations," \
    " starts_at, ends_at, generator_url, source, first_seen, last_seen"

static const char SQL_STATE[] =
    "SELECT status, starts_at, ends_at, expired FROM alerts WHERE fingerprint = ?1";
static const char SQL_INSERT[] =
    "INSERT INTO alerts (" COLUMNS ")"
    " VALUES (?1, ?2, ?3, 0, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)";
/* A new episode, or its start or end: all but the fingerprint. */
static const char SQL_REPLACE[] =
    "UPDATE alerts SET alertname = ?2, status = ?3, expired = 0, severity = ?5, host = ?6,"
    " labels = ?7, annotations = ?8, starts_at = ?9, ends_at = ?10, generator_url = ?11,"
    " source = ?12, first_seen = CASE WHEN starts_at = ?9 THEN first_seen ELSE ?13 END,"
    " last_seen = max(last_seen, ?13) WHERE fingerprint = ?1";
static const char SQL_HISTORY_PUT[] =
    "INSERT INTO alert_history (fingerprint, starts_at, status, ts, expired, first_seen,"
    " last_seen, count) VALUES (?1, ?2, ?3, ?4, 0, ?5, ?5, 1)"
    " ON CONFLICT (fingerprint, starts_at, status) DO UPDATE SET ts = excluded.ts, expired = 0,"
    " first_seen = CASE WHEN count = 0 THEN excluded.first_seen"
    "  ELSE min(first_seen, excluded.first_seen) END,"
    " last_seen = max(last_seen, excluded.last_seen), count = count + 1";
static const char SQL_HISTORY_UNEND[] =
    "DELETE FROM alert_history WHERE fingerprint = ?1 AND starts_at = ?2 AND status = 'resolved'";

/* The sweep. ?1 now, ?2 the expiry and ?3 the retention, in ms. */
#define ENDS_PASSED "status = 'firing' AND ends_at IS NOT NULL AND ends_at <= ?1"
#define NOT_SEEN "status = 'firing' AND ends_at IS NULL AND last_seen < ?1 - ?2"
static const char SQL_END_PASSED_HIST[] =
    "INSERT INTO alert_history (fingerprint, starts_at, status, ts, expired, first_seen,"
    " last_seen, count) SELECT fingerprint, starts_at, 'resolved', ends_at, 0, ?1, ?1, 0"
    " FROM alerts WHERE " ENDS_PASSED " ON CONFLICT DO NOTHING";
static const char SQL_END_PASSED[] =
    "UPDATE alerts SET status = 'resolved' WHERE " ENDS_PASSED;
static const char SQL_EXPIRE_HIST[] =
    "INSERT INTO alert_history (fingerprint, starts_at, status, ts, expired, first_seen,"
    " last_seen, count) SELECT fingerprint, starts_at, 'resolved', last_seen + ?2, 1, ?1, ?1, 0"
    " FROM alerts WHERE " NOT_SEEN " ON CONFLICT DO NOTHING";
static const char SQL_EXPIRE[] =
    "UPDATE alerts SET status = 'resolved', expired = 1, ends_at = last_seen + ?2"
    " WHERE " NOT_SEEN;
static const char SQL_TRIM_ALERTS[] =
    "DELETE FROM alerts WHERE status = 'resolved' AND ends_at < ?1 - ?3"
    " AND last_seen < ?1 - ?3";
static const char SQL_TRIM_HISTORY[] =
    "DELETE FROM alert_history WHERE ts < ?1 - ?3 AND last_seen < ?1 - ?3"
    " AND starts_at < (SELECT a.starts_at FROM alerts a"
    "  WHERE a.fingerprint = alert_history.fingerprint)";

static const char SQL_CURRENT[] =
    "SELECT " COLUMNS " FROM alerts WHERE status = 'firing' AND (ends_at IS NULL OR ends_at > ?1)"
    " ORDER BY starts_at, fingerprint";
static const char SQL_GET[] = "SELECT " COLUMNS " FROM alerts WHERE fingerprint = ?1";
#define HISTORY_COLUMNS \
    "fingerprint, starts_at, status, ts, expired, first_seen, last_seen, count"
static const char SQL_HISTORY_ONE[] =
    "SELECT " HISTORY_COLUMNS " FROM alert_history WHERE fingerprint = ?1 AND ts >= ?2"
    " ORDER BY ts, status, id";
static const char SQL_HISTORY_ALL[] =
    "SELECT " HISTORY_COLUMNS " FROM alert_history WHERE ts >= ?2"
    " ORDER BY ts, status, fingerprint, id";

/* ---- writing ---- */

static int
is_resolved(const char *status)
{
	return status != NULL && strcmp(status, RESOLVED) == 0;
}

/* The row's values of a, as SQL_INSERT and SQL_REPLACE number them. */
static void
bind_alert(sqlite3_stmt *s, const struct aiops_alert *a, int64_t received)
{
	aiops_state_bind_str(s, 1, a->fingerprint);
	aiops_state_bind_str(s, 2, a->alertname);
	aiops_state_bind_str(s, 3, is_resolved(a->status) ? RESOLVED : FIRING);
	aiops_state_bind_str(s, 5, a->severity);
	aiops_state_bind_str(s, 6, a->host);
	aiops_state_bind_str(s, 7, a->labels != NULL ? a->labels : "{}");
	aiops_state_bind_str(s, 8, a->annotations != NULL ? a->annotations : "{}");
	aiops_state_bind_time(s, 9, a->starts_at);
	if (a->ends_at != 0)
		aiops_state_bind_time(s, 10, a->ends_at);
	else
		sqlite3_bind_null(s, 10);
	aiops_state_bind_str(s, 11, a->generator_url);
	aiops_state_bind_str(s, 12, a->source);
	aiops_state_bind_time(s, 13, received);
}

static int
write_alert(struct aiops_state *st, const char *sql, const struct aiops_alert *a,
    int64_t received)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, sql)) == NULL)
		return -1;
	bind_alert(s, a, received);
	return aiops_state_done(st, s);
}

/* The start or end a notification tells: a row of the history, or a receipt of it. */
static int
write_history(struct aiops_state *st, const struct aiops_alert *a, int64_t received)
{
	sqlite3_stmt *s;
	int resolved = is_resolved(a->status);

	if ((s = aiops_state_stmt(st, SQL_HISTORY_PUT)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, a->fingerprint);
	aiops_state_bind_time(s, 2, a->starts_at);
	aiops_state_bind_str(s, 3, resolved ? RESOLVED : FIRING);
	aiops_state_bind_time(s, 4, resolved ? a->ends_at : a->starts_at);
	aiops_state_bind_time(s, 5, received);
	return aiops_state_done(st, s);
}

/* A firing episode whose end was recorded fires after all: the end is undone. */
static int
unend(struct aiops_state *st, const struct aiops_alert *a)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, SQL_HISTORY_UNEND)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, a->fingerprint);
	aiops_state_bind_time(s, 2, a->starts_at);
	return aiops_state_done(st, s);
}

/* What the alert's row says. */
struct stored {
	int		 resolved;
	int64_t		 starts;	/* ms */
	int64_t		 ends;		/* ms; 0: none */
	int		 expired;
};

/* The alert's row into c: 1, or 0 if there is none, or -1. */
static int
stored_state(struct aiops_state *st, const char *fingerprint, struct stored *c)
{
	sqlite3_stmt *s;
	int rc;

	if ((s = aiops_state_stmt(st, SQL_STATE)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, fingerprint);
	if ((rc = aiops_state_step(st, s)) != 1)
		return rc;
	c->resolved = is_resolved(aiops_state_column_str(s, 0));
	c->starts = sqlite3_column_int64(s, 1);
	c->ends = sqlite3_column_int64(s, 2);
	c->expired = sqlite3_column_int(s, 3);
	sqlite3_reset(s);
	return 1;
}

/*
 * The rules of alerts.h for a notification of the stored episode: what
 * it does to the alert's row. *undo is set when a recorded end is undone.
 */
static enum aiops_alert_outcome
same_episode(const struct stored *c, const struct aiops_alert *a, int *undo)
{
	int64_t ends = a->ends_at / AIOPS_STATE_NS_PER_MS;

	*undo = 0;
	if (is_resolved(a->status))
		return c->resolved && !c->expired && c->ends == ends ?
		    AIOPS_ALERT_REPEATED : AIOPS_ALERT_CHANGED;
	if (!c->resolved)
		return AIOPS_ALERT_REPEATED;
	if (c->expired || (a->ends_at != 0 && ends > c->ends)) {
		*undo = 1;
		return AIOPS_ALERT_CHANGED;
	}
	return AIOPS_ALERT_LATE;
}

int
aiops_alerts_put(struct aiops_state *st, const struct aiops_alert *a, int64_t received)
{
	enum aiops_alert_outcome out;
	struct stored c;
	int64_t starts = a->starts_at / AIOPS_STATE_NS_PER_MS;
	int rc, undo = 0;

	memset(&c, 0, sizeof(c));
	if ((rc = stored_state(st, a->fingerprint, &c)) == -1)
		return -1;
	if (rc == 0)
		out = AIOPS_ALERT_NEW;
	else if (starts > c.starts)
		out = AIOPS_ALERT_CHANGED;
	else if (starts < c.starts)
		out = AIOPS_ALERT_LATE;
	else
		out = same_episode(&c, a, &undo);
	if (out == AIOPS_ALERT_NEW)
		rc = write_alert(st, SQL_INSERT, a, received);
	else if (out != AIOPS_ALERT_LATE)
		rc = write_alert(st, SQL_REPLACE, a, received);
	else
		rc = 0;
	if (rc == 0 && undo)
		rc = unend(st, a);
	if (rc == 0)
		rc = write_history(st, a, received);
	return rc == -1 ? -1 : (int)out;
}

static int
sweep_step(struct aiops_state *st, const char *sql, int64_t now, int64_t expire,
    int64_t retention)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, sql)) == NULL)
		return -1;
	aiops_state_bind_time(s, 1, now);
	/* Each statement takes the parameters it numbers, ?1 to ?3. */
	if (sqlite3_bind_parameter_count(s) >= 2)
		aiops_state_bind_time(s, 2, expire);
	if (sqlite3_bind_parameter_count(s) >= 3)
		aiops_state_bind_time(s, 3, retention);
	return aiops_state_done(st, s);
}

int
aiops_alerts_sweep(struct aiops_state *st, int64_t now, int64_t expire, int64_t retention)
{
	/* The history first: it reads the rows the update then changes. */
	if (sweep_step(st, SQL_END_PASSED_HIST, now, 0, 0) == -1 ||
	    sweep_step(st, SQL_END_PASSED, now, 0, 0) == -1)
		return -1;
	if (expire > 0 && (sweep_step(st, SQL_EXPIRE_HIST, now, expire, 0) == -1 ||
	    sweep_step(st, SQL_EXPIRE, now, expire, 0) == -1))
		return -1;
	if (retention > 0 && (sweep_step(st, SQL_TRIM_ALERTS, now, 0, retention) == -1 ||
	    sweep_step(st, SQL_TRIM_HISTORY, now, 0, retention) == -1))
		return -1;
	return 0;
}

/* ---- reading ---- */

/*
 * The row s is on, in the order of COLUMNS, with strings borrowed from s;
 * at now, a firing alert whose end is past reads as resolved.
 */
static void
row(sqlite3_stmt *s, struct aiops_alert *a, int64_t now)
{
	memset(a, 0, sizeof(*a));
	a->fingerprint = aiops_state_column_str(s, 0);
	a->alertname = aiops_state_column_str(s, 1);
	a->status = is_resolved(aiops_state_column_str(s, 2)) ? RESOLVED : FIRING;
	a->expired = sqlite3_column_int(s, 3);
	a->severity = aiops_state_column_str(s, 4);
	a->host = aiops_state_column_str(s, 5);
	a->labels = aiops_state_column_str(s, 6);
	a->annotations = aiops_state_column_str(s, 7);
	a->starts_at = aiops_state_column_time(s, 8);
	a->ends_at = aiops_state_column_time(s, 9);
	a->generator_url = aiops_state_column_str(s, 10);
	a->source = aiops_state_column_str(s, 11);
	a->first_seen = aiops_state_column_time(s, 12);
	a->last_seen = aiops_state_column_time(s, 13);
	if (a->ends_at != 0 && a->ends_at / AIOPS_STATE_NS_PER_MS <= now / AIOPS_STATE_NS_PER_MS)
		a->status = RESOLVED;
}

int
aiops_alerts_current(struct aiops_state *st, int64_t now,
    int (*fn)(void *arg, const struct aiops_alert *a), void *arg)
{
	struct aiops_alert a;
	sqlite3_stmt *s;
	int rc = 0, stop = 0;

	if ((s = aiops_state_stmt(st, SQL_CURRENT)) == NULL)
		return -1;
	aiops_state_bind_time(s, 1, now);
	while (stop == 0 && (rc = aiops_state_step(st, s)) == 1) {
		row(s, &a, now);
		stop = fn(arg, &a);
	}
	if (stop != 0) {
		sqlite3_reset(s);
		return stop;
	}
	return rc;
}

static char *
copy(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

int
aiops_alerts_get(struct aiops_state *st, const char *fingerprint, int64_t now,
    struct aiops_alert *a)
{
	struct aiops_alert b;
	sqlite3_stmt *s;
	int rc;

	memset(a, 0, sizeof(*a));
	if ((s = aiops_state_stmt(st, SQL_GET)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, fingerprint);
	if ((rc = aiops_state_step(st, s)) != 1)
		return rc;
	row(s, &b, now);
	*a = b;
	a->fingerprint = copy(b.fingerprint);
	a->alertname = copy(b.alertname);
	a->severity = copy(b.severity);
	a->host = copy(b.host);
	a->labels = copy(b.labels);
	a->annotations = copy(b.annotations);
	a->generator_url = copy(b.generator_url);
	a->source = copy(b.source);
	sqlite3_reset(s);
	return 1;
}

void
aiops_alert_release(struct aiops_alert *a)
{
	free((void *)a->fingerprint);
	free((void *)a->alertname);
	free((void *)a->severity);
	free((void *)a->host);
	free((void *)a->labels);
	free((void *)a->annotations);
	free((void *)a->generator_url);
	free((void *)a->source);
	memset(a, 0, sizeof(*a));
}

int
aiops_alerts_history(struct aiops_state *st, const char *fingerprint, int64_t since,
    int (*fn)(void *arg, const struct aiops_alert_change *c), void *arg)
{
	struct aiops_alert_change c;
	sqlite3_stmt *s;
	int rc = 0, stop = 0;

	s = aiops_state_stmt(st, fingerprint != NULL ? SQL_HISTORY_ONE : SQL_HISTORY_ALL);
	if (s == NULL)
		return -1;
	if (fingerprint != NULL)
		aiops_state_bind_str(s, 1, fingerprint);
	aiops_state_bind_time(s, 2, since);
	while (stop == 0 && (rc = aiops_state_step(st, s)) == 1) {
		memset(&c, 0, sizeof(c));
		c.fingerprint = aiops_state_column_str(s, 0);
		c.starts_at = aiops_state_column_time(s, 1);
		c.status = is_resolved(aiops_state_column_str(s, 2)) ? RESOLVED : FIRING;
		c.ts = aiops_state_column_time(s, 3);
		c.expired = sqlite3_column_int(s, 4);
		c.first_seen = aiops_state_column_time(s, 5);
		c.last_seen = aiops_state_column_time(s, 6);
		c.receipts = (unsigned long)sqlite3_column_int64(s, 7);
		stop = fn(arg, &c);
	}
	if (stop != 0) {
		sqlite3_reset(s);
		return stop;
	}
	return rc;
}

/* ---- the batches of aiops-ingest ---- */

struct pending {
	struct aiops_alert	 a;
	int64_t			 received;
};

struct aiops_alertstore {
	struct aiops_state		*st;
	int64_t				 expire;
	int64_t				 retention;
	struct pending			*v;
	size_t				 n, cap;
	int64_t				 batch_start;	/* monotonic ns of the oldest */
	struct aiops_alertstore_counts	 counts;
	int				 failed;
	char				 err[ERRLEN];
};

struct aiops_alertstore *
aiops_alertstore_new(struct aiops_state *st, int64_t expire, int64_t retention)
{
	struct aiops_alertstore *as = xcalloc(1, sizeof(*as));

	as->st = st;
	as->expire = expire > 0 ? expire : 0;
	as->retention = retention > 0 ? retention : 0;
	return as;
}

static void
pending_free(struct pending *p)
{
	aiops_alert_release(&p->a);
}

/* Applies the batch in one transaction; on a failure nothing of it stays. */
static int
commit(struct aiops_alertstore *as)
{
	struct aiops_alertstore_counts n;
	size_t i;
	int rc = 0;

	memset(&n, 0, sizeof(n));
	if (aiops_state_begin(as->st) == -1)
		goto fail;
	for (i = 0; i < as->n && rc != -1; i++) {
		switch ((rc = aiops_alerts_put(as->st, &as->v[i].a, as->v[i].received))) {
		case AIOPS_ALERT_NEW:
			n.added++;
			break;
		case AIOPS_ALERT_CHANGED:
			n.changed++;
			break;
		case AIOPS_ALERT_REPEATED:
			n.repeated++;
			break;
		case AIOPS_ALERT_LATE:
			n.late++;
			break;
		}
	}
	if (rc == -1 || aiops_alerts_sweep(as->st, aiops_clock_now(), as->expire,
	    as->retention) == -1 || aiops_state_commit(as->st) == -1)
		goto fail;
	for (i = 0; i < as->n; i++)
		pending_free(&as->v[i]);
	as->n = 0;
	as->counts.added += n.added;
	as->counts.changed += n.changed;
	as->counts.repeated += n.repeated;
	as->counts.late += n.late;
	as->failed = 0;
	return 0;
fail:
	snprintf(as->err, sizeof(as->err), "storing alerts: %s", aiops_state_errmsg(as->st));
	aiops_state_rollback(as->st);
	as->failed = 1;
	return -1;
}

int
aiops_alertstore_add(struct aiops_alertstore *as, const struct aiops_alert *a,
    int64_t received)
{
	struct pending *p;

	if (as->n == as->cap) {
		as->cap = as->cap ? 2 * as->cap : 16;
		as->v = xreallocarray(as->v, as->cap, sizeof(*as->v));
	}
	if (as->n == 0)
		as->batch_start = aiops_monotonic_ns();
	p = &as->v[as->n++];
	p->a = *a;
	p->a.fingerprint = copy(a->fingerprint);
	p->a.alertname = copy(a->alertname);
	p->a.status = is_resolved(a->status) ? RESOLVED : FIRING;
	p->a.severity = copy(a->severity);
	p->a.host = copy(a->host);
	p->a.labels = copy(a->labels);
	p->a.annotations = copy(a->annotations);
	p->a.generator_url = copy(a->generator_url);
	p->a.source = copy(a->source);
	p->received = received;
	if (as->n >= BATCH_ALERTS || aiops_monotonic_ns() - as->batch_start >= BATCH_NS)
		return commit(as);
	return 0;
}

int
aiops_alertstore_flush(struct aiops_alertstore *as)
{
	if (as->n == 0) {
		as->failed = 0;
		return 0;
	}
	return commit(as);
}

const char *
aiops_alertstore_errmsg(struct aiops_alertstore *as)
{
	return as->failed ? as->err : NULL;
}

const struct aiops_alertstore_counts *
aiops_alertstore_counts(struct aiops_alertstore *as)
{
	return &as->counts;
}

void
aiops_alertstore_forget(struct aiops_alertstore *as)
{
	size_t i;

	for (i = 0; i < as->n; i++)
		pending_free(&as->v[i]);
	as->n = 0;
}

void
aiops_alertstore_free(struct aiops_alertstore *as)
{
	if (as == NULL)
		return;
	aiops_alertstore_forget(as);
	free(as->v);
	free(as);
}
