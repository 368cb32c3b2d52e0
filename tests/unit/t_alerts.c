/*
 * lib/store/alerts.c on a real state file: the state of each alert and
 * its history as notifications arrive (firing, resolved, re-delivered,
 * out of order, an earlier episode, an endsAt that passes, an alert no
 * longer received), the sweep's expiry and retention, the readers, and
 * the batches of aiops-ingest, a failed one kept whole. Rows are checked
 * through a connection of the test's own (tdb.h).
 */
#include "compat.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "store/alerts.h"
#include "store/state.h"
#include "tap.h"
#include "tdb.h"

#define NS_PER_MS	1000000LL
#define MIN_MS		(60 * 1000LL)
/* 2026-11-22T12:00:00Z, AIOPS_NOW below, in ms. */
#define NOW		1795348800000LL
#define NS(ms)		((int64_t)(ms) * NS_PER_MS)

static char dir[] = "/tmp/t_alerts.XXXXXX";
static char path[512];

static struct aiops_state *
open_rw(void)
{
	struct aiops_state_error e;
	struct aiops_state *st = aiops_state_open(path, 0, NULL, &e);

	if (st == NULL)
		printf("# %s\n", e.text);
	return st;
}

/* A notification of alert fp; ends_ms 0: none. */
static struct aiops_alert
alert(const char *fp, const char *status, long long starts_ms, long long ends_ms)
{
	struct aiops_alert a;

	memset(&a, 0, sizeof(a));
	a.fingerprint = fp;
	a.alertname = "HighCPU";
	a.status = status;
	a.severity = "critical";
	a.host = "web-2";
	a.labels = "{\"alertname\":\"HighCPU\",\"instance\":\"web-2:9100\"}";
	a.annotations = "{\"summary\":\"CPU above 90%\"}";
	a.starts_at = NS(starts_ms);
	a.ends_at = ends_ms != 0 ? NS(ends_ms) : 0;
	a.generator_url = "http://prometheus:9090/graph";
	a.source = "alertmanager";
	return a;
}

static int
put(struct aiops_state *st, const char *fp, const char *status, long long starts_ms,
    long long ends_ms, long long received_ms)
{
	struct aiops_alert a = alert(fp, status, starts_ms, ends_ms);

	return aiops_alerts_put(st, &a, NS(received_ms));
}

/* The alert's row: status|expired|starts_at|ends_at|first_seen|last_seen. */
static const char *
state_of(const char *fp)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT status, expired, starts_at, ends_at, first_seen,"
	    " last_seen FROM alerts WHERE fingerprint = '%s'", fp);
	return tdb_row(path, sql, 0);
}

struct hbuf {
	char	 s[1024];
	size_t	 n;
};

static int
add_change(void *arg, const struct aiops_alert_change *c)
{
	struct hbuf *b = arg;
	int n;

	n = snprintf(b->s + b->n, sizeof(b->s) - b->n, "%s%s@%lld/%lu%s", b->n ? " " : "",
	    c->status, (long long)(c->ts / NS_PER_MS), c->receipts, c->expired ? "x" : "");
	if (n > 0 && (size_t)n < sizeof(b->s) - b->n)
		b->n += (size_t)n;
	return 0;
}

/* The alert's history, rows "status@ts/receipts[x]" joined by spaces. */
static const char *
history_of(struct aiops_state *st, const char *fp)
{
	static struct hbuf b;

	memset(&b, 0, sizeof(b));
	if (aiops_alerts_history(st, fp, 0, add_change, &b) == -1)
		return "error";
	return b.s;
}

static long long
count(const char *sql)
{
	return tdb_int(path, sql, 0);
}

/* ---- one alert, firing then resolved, each notification re-delivered ---- */

static void
test_lifecycle(struct aiops_state *st)
{
	const long long s = NOW - 30 * MIN_MS;
	struct aiops_alert a;

	is_int(put(st, "aaaa000000000001", "firing", s, 0, NOW - 29 * MIN_MS), AIOPS_ALERT_NEW,
	    "a firing alert is new");
	is_str(state_of("aaaa000000000001"), "firing|0|1795347000000|NULL|1795347060000|1795347060000",
	    "its row: firing, no end, received at 11:31");
	is_int(put(st, "aaaa000000000001", "firing", s, 0, NOW - 24 * MIN_MS),
	    AIOPS_ALERT_REPEATED, "the same firing again (group_interval) is a repeat");
	is_str(state_of("aaaa000000000001"), "firing|0|1795347000000|NULL|1795347060000|1795347360000",
	    "which only moves last_seen");
	is_str(history_of(st, "aaaa000000000001"), "firing@1795347000000/2",
	    "one history row, received twice");
	is_int(count("SELECT last_seen FROM alert_history"), 1795347360000LL,
	    "the row's last_seen moved too");

	is_int(put(st, "aaaa000000000001", "resolved", s, NOW - 5 * MIN_MS, NOW - 4 * MIN_MS),
	    AIOPS_ALERT_CHANGED, "resolved: a change");
	is_int(put(st, "aaaa000000000001", "resolved", s, NOW - 5 * MIN_MS, NOW - 3 * MIN_MS),
	    AIOPS_ALERT_REPEATED, "resolved again: a repeat");
	is_str(state_of("aaaa000000000001"),
	    "resolved|0|1795347000000|1795348500000|1795347060000|1795348620000",
	    "its row: resolved at 11:55, last received 11:57");
	is_str(history_of(st, "aaaa000000000001"),
	    "firing@1795347000000/2 resolved@1795348500000/2", "a start and an end, no more");
	is_int(count("SELECT count(*) FROM alert_history"), 2, "two history rows in all");

	is_int(aiops_alerts_get(st, "aaaa000000000001", aiops_clock_now(), &a), 1, "get");
	is_str(a.status, "resolved", "get: resolved");
	is_str(a.labels, "{\"alertname\":\"HighCPU\",\"instance\":\"web-2:9100\"}", "get: labels");
	is_str(a.annotations, "{\"summary\":\"CPU above 90%\"}", "get: annotations");
	ok(a.starts_at == NS(s) && a.ends_at == NS(NOW - 5 * MIN_MS), "get: times in ns");
	ok(a.last_seen == NS(NOW - 3 * MIN_MS) && a.first_seen == NS(NOW - 29 * MIN_MS),
	    "get: first and last received");
	is_str(a.host, "web-2", "get: host");
	is_str(a.generator_url, "http://prometheus:9090/graph", "get: generator URL");
	is_str(a.source, "alertmanager", "get: source");
	aiops_alert_release(&a);
	is_int(aiops_alerts_get(st, "ffff000000000000", aiops_clock_now(), &a), 0, "get: none");

	/* It fires again: a new episode, a greater startsAt. */
	is_int(put(st, "aaaa000000000001", "firing", NOW - 2 * MIN_MS, 0, NOW - MIN_MS),
	    AIOPS_ALERT_CHANGED, "a new episode is a change");
	is_str(state_of("aaaa000000000001"),
	    "firing|0|1795348680000|NULL|1795348740000|1795348740000",
	    "the row is the new episode's, first received now");
	is_str(history_of(st, "aaaa000000000001"),
	    "firing@1795347000000/2 resolved@1795348500000/2 firing@1795348680000/1",
	    "the history has both episodes");
	/* A late resolved of the first episode changes nothing current. */
	is_int(put(st, "aaaa000000000001", "resolved", s, NOW - 5 * MIN_MS, NOW),
	    AIOPS_ALERT_LATE, "a notification of an earlier episode is late");
	is_str(state_of("aaaa000000000001"),
	    "firing|0|1795348680000|NULL|1795348740000|1795348740000", "and changes no state");
	is_int(count("SELECT count FROM alert_history WHERE status = 'resolved'"), 3,
	    "but is counted in its history row");
}

/* ---- out of order: a resolved received before its firing ---- */

static void
test_out_of_order(struct aiops_state *st)
{
	const long long s = NOW - 20 * MIN_MS;

	is_int(put(st, "bbbb000000000002", "resolved", s, NOW - 10 * MIN_MS, NOW - 9 * MIN_MS),
	    AIOPS_ALERT_NEW, "a resolved first: new, and resolved");
	is_int(put(st, "bbbb000000000002", "firing", s, 0, NOW - 8 * MIN_MS), AIOPS_ALERT_LATE,
	    "then its firing, the same startsAt: late");
	is_str(state_of("bbbb000000000002"),
	    "resolved|0|1795347600000|1795348200000|1795348260000|1795348260000",
	    "it is not resurrected: resolved, last_seen of the resolved");
	is_str(history_of(st, "bbbb000000000002"),
	    "firing@1795347600000/1 resolved@1795348200000/1",
	    "the history in the order of the times, not of arrival");
	is_int(put(st, "bbbb000000000002", "firing", s, 0, NOW - 7 * MIN_MS), AIOPS_ALERT_LATE,
	    "re-delivered, still late");
	is_int(count("SELECT count(*) FROM alert_history WHERE fingerprint = 'bbbb000000000002'"),
	    2, "and no new row");
	/* A firing whose own endsAt is later than the end recorded: it fires on. */
	is_int(put(st, "bbbb000000000002", "firing", s, NOW + 5 * MIN_MS, NOW - 6 * MIN_MS),
	    AIOPS_ALERT_CHANGED, "a firing with an endsAt past the recorded end fires again");
	is_str(state_of("bbbb000000000002"),
	    "firing|0|1795347600000|1795349100000|1795348260000|1795348440000",
	    "firing, until its endsAt");
	is_str(history_of(st, "bbbb000000000002"), "firing@1795347600000/3",
	    "the end it did not have is out of the history");
}

/* ---- endsAt passing, expiry, readers ---- */

struct names {
	char	 s[512];
	size_t	 n;
	int	 stop_after;
};

static int
add_name(void *arg, const struct aiops_alert *a)
{
	struct names *b = arg;
	int n;

	n = snprintf(b->s + b->n, sizeof(b->s) - b->n, "%s%s", b->n ? " " : "", a->fingerprint);
	if (n > 0 && (size_t)n < sizeof(b->s) - b->n)
		b->n += (size_t)n;
	return --b->stop_after == 0 ? 7 : 0;
}

static const char *
current(struct aiops_state *st, int stop_after, int *rc)
{
	static struct names b;

	memset(&b, 0, sizeof(b));
	b.stop_after = stop_after;
	*rc = aiops_alerts_current(st, aiops_clock_now(), add_name, &b);
	return b.s;
}

static void
test_ends_and_expiry(struct aiops_state *st)
{
	const int64_t hour = 60 * MIN_MS, expire = NS(6 * hour);
	struct aiops_alert a;
	int rc;

	/* c...3: firing with an endsAt (the push API's), past at NOW. */
	put(st, "cccc000000000003", "firing", NOW - 3 * hour, NOW - hour, NOW - 2 * hour);
	/* d...4: firing, no endsAt, last received 7 hours ago. */
	put(st, "dddd000000000004", "firing", NOW - 8 * hour, 0, NOW - 7 * hour);
	is_str(current(st, 0, &rc), "dddd000000000004 bbbb000000000002 aaaa000000000001",
	    "current: firing ones by startsAt, the one whose endsAt passed left out");
	is_int(rc, 0, "current: 0");
	is_str(current(st, 2, &rc), "dddd000000000004 bbbb000000000002",
	    "current: stops when the callback says so");
	is_int(rc, 7, "and returns its value");
	is_int(aiops_alerts_get(st, "cccc000000000003", aiops_clock_now(), &a), 1, "get the one whose end passed");
	is_str(a.status, "resolved", "it reads as resolved before any sweep");
	aiops_alert_release(&a);
	is_str(state_of("cccc000000000003"), "firing|0|1795338000000|1795345200000|1795341600000|1795341600000",
	    "though its row still says firing");

	ok(aiops_alerts_sweep(st, NS(NOW), expire, 0) == 0, "sweep, expiry 6h");
	is_str(state_of("cccc000000000003"),
	    "resolved|0|1795338000000|1795345200000|1795341600000|1795341600000",
	    "endsAt passed: resolved, not expired");
	is_str(history_of(st, "cccc000000000003"), "firing@1795338000000/1 resolved@1795345200000/0",
	    "its end inferred (0 receipts)");
	is_str(state_of("dddd000000000004"),
	    "resolved|1|1795320000000|1795345200000|1795323600000|1795323600000",
	    "not received for 7h: expired, ended 6h after it was last received");
	is_str(history_of(st, "dddd000000000004"), "firing@1795320000000/1 resolved@1795345200000/0x",
	    "its end a guess");
	is_str(state_of("aaaa000000000001"), "firing|0|1795348680000|NULL|1795348740000|1795348740000",
	    "an alert received lately still fires");
	ok(aiops_alerts_sweep(st, NS(NOW), expire, 0) == 0 &&
	    count("SELECT count(*) FROM alert_history") == 8, "a second sweep adds nothing");

	/* Alertmanager re-sends it after all: the guess is undone. */
	is_int(put(st, "dddd000000000004", "firing", NOW - 8 * hour, 0, NOW), AIOPS_ALERT_CHANGED,
	    "an expired alert received again fires again");
	is_str(state_of("dddd000000000004"), "firing|0|1795320000000|NULL|1795323600000|1795348800000",
	    "firing, no end");
	is_str(history_of(st, "dddd000000000004"), "firing@1795320000000/2",
	    "the guessed end is out of the history");
	/* Expired again, then the real resolved comes. */
	ok(aiops_alerts_sweep(st, NS(NOW + 7 * hour), expire, 0) == 0, "sweep 7h later");
	is_str(state_of("dddd000000000004"), "resolved|1|1795320000000|1795370400000|1795323600000|1795348800000",
	    "expired again");
	is_int(put(st, "dddd000000000004", "resolved", NOW - 8 * hour, NOW + hour, NOW + 7 * hour),
	    AIOPS_ALERT_CHANGED, "its resolved replaces the guess");
	is_str(state_of("dddd000000000004"), "resolved|0|1795320000000|1795352400000|1795323600000|1795374000000",
	    "resolved by the source, at its endsAt");
	is_str(history_of(st, "dddd000000000004"), "firing@1795320000000/2 resolved@1795352400000/1",
	    "the end, received once");
	is_int(put(st, "dddd000000000004", "firing", NOW - 8 * hour, 0, NOW + 8 * hour),
	    AIOPS_ALERT_LATE, "now a late firing does not reopen it");
}

/* ---- retention ---- */

static void
test_retention(struct aiops_state *st)
{
	const long long day = 24 * 60 * MIN_MS, later = NOW + 40 * day;

	/* e...5: an old episode, then a current one still firing. */
	put(st, "eeee000000000005", "firing", NOW - 60 * day, 0, NOW - 60 * day);
	put(st, "eeee000000000005", "resolved", NOW - 60 * day, NOW - 59 * day, NOW - 59 * day);
	put(st, "eeee000000000005", "firing", NOW - 50 * day, 0, later);
	ok(aiops_alerts_sweep(st, NS(later), NS(day), NS(30 * day)) == 0,
	    "sweep, expiry 1d, retention 30d");
	is_int(count("SELECT count(*) FROM alerts WHERE fingerprint != 'eeee000000000005'"), 0,
	    "resolved alerts not received for 30 days are gone");
	is_int(count("SELECT count(*) FROM alert_history WHERE fingerprint != 'eeee000000000005'"),
	    0, "with their history");
	is_str(state_of("eeee000000000005"), "firing|0|1791028800000|NULL|1798804800000|1798804800000",
	    "a firing alert is kept, however old its start");
	is_str(history_of(st, "eeee000000000005"), "firing@1791028800000/1",
	    "its earlier episode is gone from the history, its current one kept");
	ok(aiops_alerts_sweep(st, NS(later + 1000 * day), 0, NS(30 * day)) == 0 &&
	    count("SELECT count(*) FROM alerts") == 1, "without an expiry a firing alert stays");
}

/* ---- the batches of aiops-ingest ---- */

static void
test_batches(struct aiops_state *st)
{
	struct aiops_alertstore *as = aiops_alertstore_new(st, 0, 0);
	const struct aiops_alertstore_counts *n;
	struct aiops_alert a = alert("9999000000000009", "firing", NOW - MIN_MS, 0);
	struct aiops_alert r = alert("9999000000000009", "resolved", NOW - MIN_MS, NOW);
	int i, rc = 0;

	for (i = 0; i < 3; i++)
		rc |= aiops_alertstore_add(as, &a, NS(NOW + i));
	rc |= aiops_alertstore_add(as, &r, NS(NOW + 3));
	ok(rc == 0 && count("SELECT count(*) FROM alerts WHERE fingerprint = '9999000000000009'") == 0,
	    "added, not yet stored");
	ok(tdb_exec(path, "CREATE TRIGGER no_alerts BEFORE INSERT ON alerts BEGIN"
	    " SELECT RAISE(ABORT, 'no alerts today'); END") == 0, "a trigger that refuses");
	is_int(aiops_alertstore_flush(as), -1, "the flush fails");
	ok(aiops_alertstore_errmsg(as) != NULL &&
	    strstr(aiops_alertstore_errmsg(as), "storing alerts: no alerts today") != NULL,
	    "saying why: %s", aiops_alertstore_errmsg(as) ? aiops_alertstore_errmsg(as) : "NULL");
	ok(!aiops_state_in_transaction(st), "rolled back");
	ok(tdb_exec(path, "DROP TRIGGER no_alerts") == 0, "the trigger dropped");
	is_int(aiops_alertstore_flush(as), 0, "the kept batch is stored");
	ok(aiops_alertstore_errmsg(as) == NULL, "no error now");
	is_str(history_of(st, "9999000000000009"), "firing@1795348740000/3 resolved@1795348800000/1",
	    "once, whole");
	n = aiops_alertstore_counts(as);
	ok(n->added == 1 && n->repeated == 2 && n->changed == 1 && n->late == 0,
	    "counted: 1 new, 2 repeated, 1 changed");
	is_int(aiops_alertstore_flush(as), 0, "an empty flush");
	a.fingerprint = "9999000000000010";
	ok(aiops_alertstore_add(as, &a, NS(NOW + 4)) == 0, "one more added");
	aiops_alertstore_forget(as);
	ok(aiops_alertstore_flush(as) == 0 &&
	    count("SELECT count(*) FROM alerts WHERE fingerprint = '9999000000000010'") == 0,
	    "forgotten (its batch's outer transaction rolled back): never stored");
	aiops_alertstore_free(as);
}

int
main(void)
{
	struct aiops_state *st;

	if (tdb_scratch(dir, path, sizeof(path)) == -1 || (st = open_rw()) == NULL)
		return 1;
	test_lifecycle(st);
	test_out_of_order(st);
	test_ends_and_expiry(st);
	test_retention(st);
	test_batches(st);
	ok(aiops_state_close(st) == 0, "close");
	tdb_scratch_remove(dir);
	return tap_done();
}
