/*
 * t_notify_store.c: aiops-notify's tables (store/notify.h) in a real
 * state file: groups and their notification log, members, the outbox
 * through pending, retried, sent and dead, what a crash in the middle of
 * an attempt leaves, silences, and the retentions.
 */
#include "compat.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/notify.h"
#include "store/state.h"
#include "tap.h"
#include "tdb.h"

#define NS_PER_S	1000000000LL
/* 2026-11-22T12:00:00Z, AIOPS_NOW of tdb_scratch(), in ns. */
#define NOW		(1795348800LL * NS_PER_S)
#define S(n)		((int64_t)(n) * NS_PER_S)

static char dir[] = "/tmp/t_notify_store.XXXXXX";
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

static struct aiops_notify_group
group(const char *receiver, const char *key, int64_t next_flush)
{
	struct aiops_notify_group g;

	memset(&g, 0, sizeof(g));
	g.receiver = receiver;
	g.group_key = key;
	g.route = "{}/0";
	g.group_labels = "{\"alertname\":\"DiskFull\"}";
	g.created = NOW;
	g.next_flush = next_flush;
	return g;
}

static int
collect(void *arg, const char *fp, int64_t joined)
{
	char *out = arg;

	(void)joined;
	strcat(out, fp);
	strcat(out, " ");
	return 0;
}

static int
first_only(void *arg, const char *fp, int64_t joined)
{
	(void)joined;
	strcpy(arg, fp);
	return 1;
}

static void
t_groups(struct aiops_state *st)
{
	struct aiops_notify_group g = group("slack", "{}:{alertname=\"DiskFull\"}", NOW + S(30));
	struct aiops_notify_group_list l;
	char fps[128] = "", first[32] = "";

	ok(aiops_notify_group_put(st, &g) == 0, "a group stored");
	g = group("pager", "{}:{alertname=\"DiskFull\"}", NOW + S(10));
	ok(aiops_notify_group_put(st, &g) == 0, "the same key for another receiver");
	ok(aiops_notify_groups_due(st, NOW + S(20), &l) == 0 && l.n == 1 &&
	    strcmp(l.v[0].receiver, "pager") == 0, "only the one whose timer is due");
	aiops_notify_group_list_release(&l);
	{
		int64_t when;

		ok(aiops_notify_groups_next(st, &when) == 0 && when == NOW + S(10),
		    "the earliest timer");
	}
	ok(aiops_notify_groups_due(st, NOW + S(60), &l) == 0 && l.n == 2 &&
	    strcmp(l.v[0].receiver, "pager") == 0 && strcmp(l.v[1].receiver, "slack") == 0,
	    "both, soonest first");
	aiops_notify_group_list_release(&l);

	/* A flush: the notification log and the next timer. */
	g = group("pager", "{}:{alertname=\"DiskFull\"}", NOW + S(310));
	g.last_notified = NOW + S(10);
	g.told_firing = "a1";
	g.told_resolved = "";
	g.external_ref = "{\"sys_id\":\"x\"}";
	g.last_flush = NOW + S(10);
	ok(aiops_notify_group_put(st, &g) == 0, "flushed");
	ok(aiops_notify_group_get(st, "pager", g.group_key, &l) == 0 && l.n == 1 &&
	    l.v[0].last_notified == NOW + S(10) && l.v[0].next_flush == NOW + S(310) &&
	    l.v[0].last_flush == NOW + S(10) &&
	    strcmp(l.v[0].told_firing, "a1") == 0 && strcmp(l.v[0].told_resolved, "") == 0 &&
	    strcmp(l.v[0].external_ref, "{\"sys_id\":\"x\"}") == 0 &&
	    strcmp(l.v[0].route, "{}/0") == 0 &&
	    strcmp(l.v[0].group_labels, "{\"alertname\":\"DiskFull\"}") == 0,
	    "read back as written");
	aiops_notify_group_list_release(&l);
	ok(aiops_notify_group_get(st, "slack", g.group_key, &l) == 0 && l.n == 1 &&
	    l.v[0].last_notified == 0 && l.v[0].told_firing == NULL && l.v[0].last_flush == 0,
	    "never notified: no log");
	aiops_notify_group_list_release(&l);

	ok(aiops_notify_member_add(st, "pager", g.group_key, "bbbb", NOW + S(2)) == 0 &&
	    aiops_notify_member_add(st, "pager", g.group_key, "aaaa", NOW + S(1)) == 0 &&
	    aiops_notify_member_add(st, "pager", g.group_key, "cccc", NOW + S(2)) == 0 &&
	    aiops_notify_member_add(st, "pager", g.group_key, "aaaa", NOW + S(9)) == 0,
	    "members added, one twice");
	ok(aiops_notify_members(st, "pager", g.group_key, collect, fps) == 0, "members read");
	is_str(fps, "aaaa bbbb cccc ", "in the order they joined, the first join kept");
	ok(aiops_notify_members(st, "pager", g.group_key, first_only, first) == 0 &&
	    strcmp(first, "aaaa") == 0, "a callback may stop the walk");
	ok(aiops_notify_member_remove(st, "pager", g.group_key, "bbbb") == 0, "one removed");
	fps[0] = '\0';
	aiops_notify_members(st, "pager", g.group_key, collect, fps);
	is_str(fps, "aaaa cccc ", "and gone");
	ok(aiops_notify_member_add(st, "nobody", "nokey", "dddd", NOW) == -1,
	    "a member of no group is refused");

	ok(aiops_notify_group_delete(st, "pager", g.group_key) == 0, "the group deleted");
	fps[0] = '\0';
	aiops_notify_members(st, "pager", g.group_key, collect, fps);
	is_str(fps, "", "its members with it");
}

static struct aiops_outbox_msg
msg(const char *dedup, int64_t created)
{
	struct aiops_outbox_msg m;

	memset(&m, 0, sizeof(m));
	m.receiver = "pager";
	m.group_key = "{}:{alertname=\"DiskFull\"}";
	m.dedup_key = dedup;
	m.payload = "{\"status\":\"firing\"}";
	m.created = created;
	m.next_attempt = created;
	return m;
}

static void
t_outbox(struct aiops_state *st)
{
	struct aiops_outbox_msg m;
	struct aiops_outbox_list l;
	int64_t a, b, c, when;
	uint64_t n;

	m = msg("k1", NOW);
	ok(aiops_outbox_add(st, &m, &a) == 0, "recorded before any attempt");
	m = msg("k2", NOW + S(1));
	aiops_outbox_add(st, &m, &b);
	m = msg("k3", NOW + S(2));
	aiops_outbox_add(st, &m, &c);
	ok(a < b && b < c, "ids in order");
	ok(aiops_outbox_next(st, &when) == 0 && when == NOW, "the next attempt is the oldest");

	/* The attempt is counted before it is made; a crash leaves it pending. */
	ok(aiops_outbox_attempt(st, a, NOW + S(60)) == 0, "attempt counted");
	ok(aiops_outbox_due(st, NOW + S(5), 0, &l) == 0 && l.n == 2 &&
	    l.v[0].id == b && l.v[1].id == c, "a row in its attempt is not due again at once");
	aiops_outbox_list_release(&l);
	ok(aiops_outbox_due(st, NOW + S(60), 0, &l) == 0 && l.n == 3 && l.v[0].id == a &&
	    l.v[0].attempts == 1 && strcmp(l.v[0].dedup_key, "k1") == 0 &&
	    l.v[0].state == AIOPS_OUTBOX_PENDING,
	    "after a crash it is due again, with its dedup key and the attempt counted");
	aiops_outbox_list_release(&l);
	ok(aiops_outbox_due(st, NOW + S(60), 1, &l) == 0 && l.n == 1 && l.v[0].id == a,
	    "at most max");
	aiops_outbox_list_release(&l);

	ok(aiops_outbox_retry(st, b, NOW + S(120), 503, "HTTP 503 from https://x/***") == 0,
	    "a failure to retry later");
	ok(aiops_outbox_sent(st, a, NOW + S(61), 202) == 0, "a is sent");
	ok(aiops_outbox_dead(st, c, NOW + S(62), 400, "HTTP 400: invalid routing key") == 0,
	    "c is dead");
	ok(aiops_outbox_sent(st, c, NOW + S(63), 202) == 0, "a dead row does not come back");
	ok(aiops_outbox_due(st, NOW + S(100), 0, &l) == 0 && l.n == 0, "nothing due before b's retry");
	aiops_outbox_list_release(&l);
	ok(aiops_outbox_next(st, &when) == 0 && when == NOW + S(120), "the next attempt is b's");
	ok(aiops_outbox_list(st, AIOPS_OUTBOX_DEAD, 0, &l) == 0 && l.n == 1 && l.v[0].id == c &&
	    l.v[0].status == 400 && strcmp(l.v[0].error, "HTTP 400: invalid routing key") == 0 &&
	    l.v[0].done == NOW + S(62), "the dead letter with its reason");
	aiops_outbox_list_release(&l);
	ok(aiops_outbox_list(st, AIOPS_OUTBOX_SENT, 0, &l) == 0 && l.n == 1 && l.v[0].id == a &&
	    l.v[0].status == 202 && l.v[0].error == NULL, "the sent one");
	aiops_outbox_list_release(&l);
	ok(aiops_outbox_list(st, AIOPS_OUTBOX_PENDING, 0, &l) == 0 && l.n == 1 &&
	    l.v[0].status == 503 && strstr(l.v[0].error, "503") != NULL, "b pending, why kept");
	aiops_outbox_list_release(&l);

	ok(aiops_outbox_expire(st, NOW + S(62), NOW + S(62), &n) == 0 && n == 1,
	    "the retention drops the sent row done before the cut");
	ok(aiops_outbox_expire(st, NOW + S(1000), NOW + S(1000), &n) == 0 && n == 1,
	    "then the dead one");
	ok(aiops_outbox_due(st, NOW + S(120), 0, &l) == 0 && l.n == 1 && l.v[0].id == b,
	    "a pending row is never dropped");
	aiops_outbox_list_release(&l);
	ok(aiops_outbox_sent(st, b, NOW + S(121), 200) == 0 &&
	    aiops_outbox_next(st, &when) == 0 && when == 0, "nothing pending: no next attempt");
}

static struct aiops_silence
silence(const char *id, int64_t starts, int64_t ends)
{
	struct aiops_silence x;

	memset(&x, 0, sizeof(x));
	x.id = id;
	x.matchers = "{alertname=\"DiskFull\",host=~\"db-.*\"}";
	x.starts_at = starts;
	x.ends_at = ends;
	x.created_by = "alice";
	x.comment = "disk swap, CHG0042";
	x.created = x.updated = NOW;
	return x;
}

static void
t_silences(struct aiops_state *st)
{
	struct aiops_silence x;
	struct aiops_silence_list l;
	uint64_t n;
	int found;

	x = silence("s1", NOW, NOW + S(3600));
	ok(aiops_silence_put(st, &x) == 0, "a silence");
	x = silence("s2", NOW + S(7200), NOW + S(9000));
	x.schedule = "{\"times\":[{\"start_time\":\"01:00\",\"end_time\":\"02:00\"}],"
	    "\"location\":\"Europe/Paris\"}";
	ok(aiops_silence_put(st, &x) == 0, "one to come, recurring");
	x = silence("s0", NOW - S(7200), NOW - S(3600));
	ok(aiops_silence_put(st, &x) == 0, "one that has ended");
	ok(aiops_silences_list(st, NOW, 0, &l) == 0 && l.n == 2 &&
	    strcmp(l.v[0].id, "s1") == 0 && strcmp(l.v[1].id, "s2") == 0 &&
	    l.v[0].schedule == NULL && strstr(l.v[1].schedule, "Europe/Paris") != NULL &&
	    strcmp(l.v[0].created_by, "alice") == 0 &&
	    strcmp(l.v[0].matchers, "{alertname=\"DiskFull\",host=~\"db-.*\"}") == 0,
	    "those not ended, by start, read back as written");
	aiops_silence_list_release(&l);
	ok(aiops_silences_list(st, NOW, 1, &l) == 0 && l.n == 3 && strcmp(l.v[0].id, "s0") == 0,
	    "all of them");
	aiops_silence_list_release(&l);

	ok(aiops_silence_expire(st, "s1", NOW + S(60), &found) == 0 && found, "expired");
	ok(aiops_silence_expire(st, "s1", NOW + S(120), &found) == 0 && !found,
	    "expiring it again changes nothing");
	ok(aiops_silence_expire(st, "nope", NOW, &found) == 0 && !found, "no such silence");
	ok(aiops_silences_list(st, NOW + S(60), 0, &l) == 0 && l.n == 1 &&
	    strcmp(l.v[0].id, "s2") == 0, "an expired one is no longer live");
	aiops_silence_list_release(&l);
	ok(aiops_silences_prune(st, NOW + S(61), &n) == 0 && n == 2,
	    "the retention drops those that ended before the cut");
}

int
main(void)
{
	struct aiops_state *st;

	if (tdb_scratch(dir, path, sizeof(path)) == -1) {
		printf("Bail out! no scratch folder\n");
		return 1;
	}
	if ((st = open_rw()) == NULL) {
		printf("Bail out! cannot open %s\n", path);
		return 1;
	}
	t_groups(st);
	t_outbox(st);
	t_silences(st);
	aiops_state_close(st);
	/* What was committed is there for the next run. */
	st = open_rw();
	{
		struct aiops_silence_list l;

		ok(st != NULL && aiops_silences_list(st, NOW, 1, &l) == 0 && l.n == 1 &&
		    strcmp(l.v[0].id, "s2") == 0, "a new connection reads the same state");
		if (st != NULL)
			aiops_silence_list_release(&l);
	}
	aiops_state_close(st);
	tdb_scratch_remove(dir);
	return tap_done();
}
