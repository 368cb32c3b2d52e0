/*
 * The state file (modes, WAL, migrations, read-only) and the metric store
 * (series, points, rollups, duplicates, retention, batches).
 */
#include "compat.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <fcntl.h>
#include <grp.h>
#include <unistd.h>

#include "core/clock.h"
#include "event/event.h"
#include "store/logs.h"
#include "store/mstore.h"
#include "store/state.h"
#include "tap.h"
#include "tdb.h"

#define MIN_MS		(60 * 1000LL)
#define NS_PER_MS	1000000LL
/* 2026-11-22T12:00:00Z, the frozen clock of these tests. */
#define NOW_MS		1795348800000LL

static char dir[] = "/tmp/t_state.XXXXXX";

/* ---- helpers ---- */

static const char *
tpath(const char *name)
{
	static char p[2][512];
	static int k;
	int n;

	k ^= 1;
	n = snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(p[k]))
		abort();
	return p[k];
}

/* Queries through a connection of the test's own (tdb.h). */
static long long
q_int(struct aiops_state *st, const char *sql, long long arg)
{
	return tdb_int(aiops_state_path(st), sql, arg);
}

static double
q_real(struct aiops_state *st, const char *sql, long long arg)
{
	return tdb_real(aiops_state_path(st), sql, arg);
}

static const char *
q_row(struct aiops_state *st, const char *sql, long long arg)
{
	return tdb_row(aiops_state_path(st), sql, arg);
}

static int
q_exec(struct aiops_state *st, const char *sql)
{
	return tdb_exec(aiops_state_path(st), sql);
}

static struct aiops_state *
open_rw(const char *name)
{
	struct aiops_state_error e;
	struct aiops_state *st = aiops_state_open(tpath(name), 0, NULL, &e);

	if (st == NULL)
		printf("# %s\n", e.text);
	return st;
}

static struct aiops_mstore *
new_store(struct aiops_state *st, int64_t retention)
{
	char err[512];
	struct aiops_mstore *ms = aiops_mstore_new(st, retention, err, sizeof(err));

	if (ms == NULL)
		printf("# %s\n", err);
	return ms;
}

/* Adds name{host="h",dc="x"} = v at ms (since the epoch). */
static int
add(struct aiops_mstore *ms, const char *name, int64_t ms_ts, double v)
{
	struct aiops_label l[1] = { { "dc", 2, "x", 1 } };
	struct aiops_metric m;

	memset(&m, 0, sizeof(m));
	m.ts = ms_ts * NS_PER_MS;
	m.name = name;
	m.nlen = strlen(name);
	m.value = v;
	m.unit = "percent";
	m.host = "h1";
	m.hlen = 2;
	m.source = "test";
	m.labels = l;
	m.nlabels = 1;
	return aiops_mstore_add(ms, &m);
}

/* ---- the state file ---- */

static void
test_create(void)
{
	struct aiops_state *st;
	struct stat sb;

	st = open_rw("sub/dir/state.db");
	ok(st != NULL, "state created in a new directory");
	if (st == NULL)
		return;
	ok(stat(tpath("sub/dir"), &sb) == 0 && (sb.st_mode & 0777) == 0700,
	    "its directory is 0700 (%o)", (unsigned)(sb.st_mode & 0777));
	ok(stat(tpath("sub/dir/state.db"), &sb) == 0 && (sb.st_mode & 0777) == 0600,
	    "the file is 0600 (%o)", (unsigned)(sb.st_mode & 0777));
	is_str(q_row(st, "PRAGMA journal_mode", 0), "wal", "journal_mode is WAL");
	is_int(q_int(st, "PRAGMA user_version", 0), aiops_state_schema_version(),
	    "user_version is the schema version");
	ok(aiops_state_schema_version() >= 1, "schema version >= 1");
	/* (the cache is the connection's own: the test's connection cannot see it) */
	ok(aiops_state_cache(st, 64 * 1024 * 1024) == 0, "a larger page cache asked for");
	is_int(q_int(st, "SELECT count(*) FROM sqlite_master WHERE name = 'file_offsets'", 0), 1,
	    "tables are there");
	ok(stat(tpath("sub/dir/state.db-wal"), &sb) == 0 && (sb.st_mode & 0777) == 0600,
	    "the -wal file is 0600 too");
	is_int(q_int(st, "PRAGMA application_id", 0), AIOPS_APPLICATION_ID,
	    "marked as ours by its application_id");
	ok(aiops_state_close(st) == 0, "close");
}

/*
 * Reopening does not migrate: it opens while another connection holds the
 * write lock, which a migration (BEGIN IMMEDIATE) would wait for.
 */
static void
test_reopen(void)
{
	struct aiops_state *a, *b;

	a = open_rw("sub/dir/state.db");
	ok(a != NULL && q_exec(a, "INSERT INTO meta VALUES ('k', 'v')") == 0,
	    "write a row");
	ok(a != NULL && aiops_state_begin(a) == 0, "hold the write lock");
	b = open_rw("sub/dir/state.db");
	ok(b != NULL, "reopening while locked: no migration attempted");
	if (b != NULL)
		is_str(q_row(b, "SELECT value FROM meta WHERE key = 'k'", 0), "v",
		    "data kept across reopen");
	aiops_state_close(b);
	if (a != NULL)
		aiops_state_rollback(a);
	aiops_state_close(a);
}

static void
test_newer(void)
{
	struct aiops_state_error e;
	struct aiops_state *st;
	char sql[64];

	st = open_rw("newer.db");
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", aiops_state_schema_version() + 1);
	ok(st != NULL && q_exec(st, sql) == 0, "set a newer user_version");
	aiops_state_close(st);
	st = aiops_state_open(tpath("newer.db"), 0, NULL, &e);
	ok(st == NULL && e.status == EX_CONFIG, "a newer schema is refused");
	ok(strstr(e.text, "newer than this program") != NULL && strstr(e.text, "newer.db") != NULL,
	    "with a clear message: %s", e.text);
	aiops_state_close(st);
}


/* ---- the state file contract: what is refused, what is adopted ---- */

static int
refused(const char *name, int status, const char *words)
{
	struct aiops_state_error e;
	struct aiops_state *st = aiops_state_open(tpath(name), 0, NULL, &e);

	if (st != NULL) {
		aiops_state_close(st);
		printf("# %s: opened\n", name);
		return 0;
	}
	if (e.status != status || strstr(e.text, words) == NULL) {
		printf("# %s: status %d: %s\n", name, e.status, e.text);
		return 0;
	}
	return 1;
}

static void
write_file(const char *name, const char *text, int mode)
{
	int fd = open(tpath(name), O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd != -1) {
		if (write(fd, text, strlen(text)) < 0)
			printf("# write %s failed\n", name);
		fchmod(fd, mode);
		close(fd);
	}
}

static void
test_symlinks(void)
{
	struct aiops_state *st;
	struct stat sb;

	ok(symlink(tpath("nowhere/target.db"), tpath("dangling.db")) == 0, "a dangling symlink");
	ok(refused("dangling.db", EX_CANTCREAT, "symlink to nothing"), "is refused");
	ok(lstat(tpath("nowhere"), &sb) == -1, "and its target is not created");
	write_file("empty", "", 0600);
	ok(symlink(tpath("empty"), tpath("to-empty.db")) == 0, "a symlink to an empty file");
	ok(refused("to-empty.db", EX_CANTCREAT, "empty file"), "is refused");
	ok(stat(tpath("empty"), &sb) == 0 && sb.st_size == 0 && (sb.st_mode & 0777) == 0600,
	    "and the file is left as it was");
	write_file("blank.db", "", 0600);
	ok(tdb_exec(tpath("blank.db"), "CREATE TABLE t (x); DROP TABLE t; VACUUM") == 0 &&
	    stat(tpath("blank.db"), &sb) == 0 && sb.st_size > 0, "a SQLite file of no tables");
	ok(symlink(tpath("blank.db"), tpath("to-blank.db")) == 0, "a symlink to it");
	ok(refused("to-blank.db", EX_CANTCREAT, "not an aiops state"), "is refused, not made a state");
	ok(symlink(tpath("sub/dir/state.db"), tpath("to-state.db")) == 0, "a symlink to a state");
	st = open_rw("to-state.db");
	ok(st != NULL, "is followed");
	if (st != NULL)
		is_str(q_row(st, "SELECT value FROM meta WHERE key = 'k'", 0), "v", "to the real file");
	aiops_state_close(st);
	ok(lstat(tpath("to-state.db-wal"), &sb) == -1, "whose -wal stays beside the real file");
}

static void
test_modes(void)
{
	struct aiops_state *st;

	st = open_rw("open.db");
	aiops_state_close(st);
	chmod(tpath("open.db"), 0666);
	ok(refused("open.db", EX_NOPERM, "every user"), "a world-writable state is refused");
	chmod(tpath("open.db"), 0644);
	ok(refused("open.db", EX_NOPERM, "chmod o-rw"), "a world-readable one too, saying what to do");
	chmod(tpath("open.db"), 0640);
	st = open_rw("open.db");
	ok(st != NULL, "a group-readable one is taken (state.group)");
	aiops_state_close(st);
}

static void
test_group(void)
{
	struct aiops_state_error e;
	struct aiops_state *st;
	struct group *gr = getgrgid(getgid());
	struct stat sb;

	if (gr == NULL) {
		ok(1, "# SKIP no group entry for our gid");
		return;
	}
	st = aiops_state_open(tpath("grp/state.db"), 0, gr->gr_name, &e);
	ok(st != NULL, "created with state.group %s", gr->gr_name);
	aiops_state_close(st);
	ok(stat(tpath("grp/state.db"), &sb) == 0 && (sb.st_mode & 0777) == 0660 &&
	    sb.st_gid == gr->gr_gid, "the file is 0660 and the group's (%o)",
	    (unsigned)(sb.st_mode & 0777));
	ok(stat(tpath("grp"), &sb) == 0 && (sb.st_mode & 07777) == 02770 &&
	    sb.st_gid == gr->gr_gid, "its directory is the group's, 2770");
	st = aiops_state_open(tpath("grp2/state.db"), 0, "no-such-group-aiops", &e);
	ok(st == NULL && e.status == EX_CONFIG && strstr(e.text, "state.group") != NULL,
	    "an unknown group is a configuration error: %s", e.text);
	ok(access(tpath("grp2"), F_OK) == -1, "and nothing is created");
}

static void
test_foreign(void)
{
	struct aiops_state *st;

	st = open_rw("foreign.db");
	ok(st != NULL && q_exec(st, "PRAGMA application_id = 1") == 0,
	    "a database stamped by another program");
	aiops_state_close(st);
	ok(refused("foreign.db", EX_CANTCREAT, "not an aiops state"), "is refused");
	/* Another program's database, unstamped: tables that are not ours. */
	st = open_rw("other.db");
	ok(st != NULL && q_exec(st, "PRAGMA application_id = 0") == 0 &&
	    q_exec(st, "DROP TABLE series") == 0, "an unstamped database of other tables");
	aiops_state_close(st);
	ok(refused("other.db", EX_CANTCREAT, "not an aiops state"), "is refused");
	/* A state of the previous build: our schema, no application_id. */
	st = open_rw("old.db");
	ok(st != NULL && q_exec(st, "PRAGMA application_id = 0") == 0, "an old state");
	aiops_state_close(st);
	st = open_rw("old.db");
	ok(st != NULL, "is adopted");
	if (st != NULL)
		is_int(q_int(st, "PRAGMA application_id", 0), AIOPS_APPLICATION_ID, "and stamped");
	aiops_state_close(st);
}

static void
test_readonly(void)
{
	struct aiops_state_error e;
	struct aiops_state *st;
	uint64_t nlines;
	int64_t minute;
	char sql[64];

	st = aiops_state_open(tpath("sub/dir/state.db"), AIOPS_STATE_READONLY, NULL, &e);
	ok(st != NULL, "read-only open");
	if (st == NULL) {
		printf("# %s\n", e.text);
		return;
	}
	is_str(q_row(st, "SELECT value FROM meta WHERE key = 'k'", 0), "v", "the data is there");
	ok(aiops_logs_position_get(st, &nlines, &minute) == 0 && nlines == 0,
	    "reads work through it");
	ok(access(tpath("sub/dir/state.db-wal"), F_OK) == -1 &&
	    access(tpath("sub/dir/state.db-shm"), F_OK) == -1,
	    "no -wal or -shm file made for it");
	ok(aiops_logs_position_put(st, 1, 0) == -1, "writes fail");
	ok(strstr(aiops_state_errmsg(st), "readonly") != NULL, "as read-only: %s",
	    aiops_state_errmsg(st));
	is_int(aiops_state_exit_status(st), EX_CANTCREAT, "which is EX_CANTCREAT");
	aiops_state_close(st);
	st = aiops_state_open(tpath("missing.db"), AIOPS_STATE_READONLY, NULL, &e);
	ok(st == NULL && strstr(e.text, "missing.db") != NULL && e.status == EX_NOINPUT,
	    "a missing file read-only: %s", e.text);
	ok(access(tpath("missing.db"), F_OK) == -1, "is not created");
	aiops_state_close(st);

	/* A reader cannot migrate, and an older schema has other units. */
	st = open_rw("older.db");
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", aiops_state_schema_version() - 1);
	ok(st != NULL && q_exec(st, sql) == 0, "an older user_version");
	aiops_state_close(st);
	st = aiops_state_open(tpath("older.db"), AIOPS_STATE_READONLY, NULL, &e);
	ok(st == NULL && strstr(e.text, "older than this program") != NULL && e.status == EX_CONFIG,
	    "is refused read-only: %s", e.text);
	aiops_state_close(st);
}

/* ---- the metric store ---- */

static void
test_points(void)
{
	struct aiops_state *st = open_rw("m.db");
	struct aiops_mstore *ms = new_store(st, 0);
	int64_t t0 = NOW_MS - 60 * MIN_MS;	/* 11:00, a 5 m and 1 h boundary */
	int rc = 0;

	ok(ms != NULL, "store");
	if (ms == NULL)
		return;
	rc |= add(ms, "cpu", t0, 1);
	rc |= add(ms, "cpu", t0 + 1 * MIN_MS, 4);
	rc |= add(ms, "cpu", t0 + 4 * MIN_MS + 59999, 2);
	rc |= add(ms, "cpu", t0 + 5 * MIN_MS, 10);		/* next 5 m bucket */
	rc |= add(ms, "cpu", t0 + 61 * MIN_MS, 7);		/* next hour */
	rc |= add(ms, "cpu", t0 + 62 * MIN_MS, NAN);		/* not stored */
	rc |= add(ms, "mem", t0, 3);
	ok(rc == 0, "add points");
	ok(aiops_mstore_flush(ms) == 0, "flush");
	is_int(q_int(st, "SELECT count(*) FROM series", 0), 2, "two series");
	is_str(q_row(st, "SELECT key, name, host, labels, unit, first_ts, last_ts FROM series"
	    " WHERE name = 'cpu'", 0),
	    "cpu{host=\"h1\",dc=\"x\"}|cpu|h1|{\"dc\":\"x\"}|percent|1795345200000|1795348860000",
	    "series row: key, name, host, labels, unit, first and last ts");
	is_int(q_int(st, "SELECT count(*) FROM points", 0), 6, "six points (NaN skipped)");
	is_int(q_int(st, "SELECT ts FROM points WHERE value = 10", 0), t0 + 5 * MIN_MS,
	    "ts in ms");
	is_str(q_row(st, "SELECT count, sum, min, max, last FROM rollup_5m r JOIN series s"
	    " ON s.id = r.series_id WHERE s.name = 'cpu' AND bucket = ?1", t0),
	    "3|7.0|1.0|4.0|2.0", "5 m bucket: count sum min max last");
	is_str(q_row(st, "SELECT count, sum, min, max, last FROM rollup_5m r JOIN series s"
	    " ON s.id = r.series_id WHERE s.name = 'cpu' AND bucket = ?1", t0 + 5 * MIN_MS),
	    "1|10.0|10.0|10.0|10.0", "next 5 m bucket");
	is_str(q_row(st, "SELECT count, sum, min, max, last FROM rollup_1h r JOIN series s"
	    " ON s.id = r.series_id WHERE s.name = 'cpu' AND bucket = ?1", t0),
	    "4|17.0|1.0|10.0|10.0", "1 h bucket");
	is_str(q_row(st, "SELECT count, sum FROM rollup_1h r JOIN series s"
	    " ON s.id = r.series_id WHERE s.name = 'cpu' AND bucket = ?1", t0 + 60 * MIN_MS),
	    "1|7.0", "next hour");
	is_int(q_int(st, "SELECT count(*) FROM rollup_5m", 0), 4, "four 5 m rows");

	/* A second batch adds to the same buckets and series. */
	rc = add(ms, "cpu", t0 + 2 * MIN_MS, -5);
	ok(rc == 0 && aiops_mstore_flush(ms) == 0, "second batch");
	is_int(q_int(st, "SELECT count(*) FROM series", 0), 2, "no new series");
	is_str(q_row(st, "SELECT count, sum, min, max FROM rollup_5m r JOIN series s"
	    " ON s.id = r.series_id WHERE s.name = 'cpu' AND bucket = ?1", t0),
	    "4|2.0|-5.0|4.0", "upsert adds to the bucket");
	ok(aiops_mstore_free(ms) == 0, "free");

	/* A new store (empty cache) finds the series in the state. */
	ms = new_store(st, 0);
	ok(ms != NULL && add(ms, "cpu", t0 + 3 * MIN_MS, 1) == 0 && aiops_mstore_free(ms) == 0,
	    "a new store, same series");
	is_int(q_int(st, "SELECT count(*) FROM series", 0), 2, "still two series");
	is_int(q_int(st, "SELECT count(*) FROM points", 0), 8, "eight points");
	aiops_state_close(st);
}

static void
test_duplicates(void)
{
	struct aiops_state *st = open_rw("d.db");
	struct aiops_mstore *ms = new_store(st, 0);
	int64_t t0 = NOW_MS - 60 * MIN_MS;
	uint64_t same, other;
	int rc = 0;

	if (ms == NULL)
		return;
	rc |= add(ms, "cpu", t0, 1);
	rc |= add(ms, "cpu", t0 + MIN_MS, 9);
	rc |= aiops_mstore_flush(ms);
	rc |= add(ms, "cpu", t0 + MIN_MS, 5);		/* 9 stays: in another batch */
	rc |= add(ms, "cpu", t0 + 2 * MIN_MS, 2);
	rc |= add(ms, "cpu", t0 + 2 * MIN_MS, 3);	/* 2 stays: in the same batch */
	rc |= aiops_mstore_flush(ms);
	ok(rc == 0, "add duplicates");
	is_int(q_int(st, "SELECT count(*) FROM points", 0), 3, "duplicates are not stored");
	ok(q_real(st, "SELECT value FROM points WHERE ts = ?1", t0 + MIN_MS) == 9,
	    "the first value stays");
	aiops_mstore_repeats(ms, &same, &other);
	ok(same == 0 && other == 2, "two other values counted");
	is_str(q_row(st, "SELECT count, sum, min, max, last FROM rollup_5m WHERE bucket = ?1", t0),
	    "3|12.0|1.0|9.0|2.0", "5 m rollup of the stored points");
	is_str(q_row(st, "SELECT count, sum, min, max, last FROM rollup_1h WHERE bucket = ?1", t0),
	    "3|12.0|1.0|9.0|2.0", "1 h rollup of the stored points");
	aiops_mstore_free(ms);
	aiops_state_close(st);
}

static void
test_retention(void)
{
	struct aiops_state *st = open_rw("r.db");
	struct aiops_mstore *ms = new_store(st, 10 * MIN_MS * NS_PER_MS);
	int rc = 0;

	if (ms == NULL)
		return;
	/* Raw kept 10 min, 5 m buckets 100 min, 1 h buckets 1000 min. */
	rc |= add(ms, "cpu", NOW_MS - 20 * 60 * MIN_MS, 1);	/* 20 h: all gone */
	rc |= add(ms, "cpu", NOW_MS - 5 * 60 * MIN_MS, 2);	/* 5 h: 1 h rollup only */
	rc |= add(ms, "cpu", NOW_MS - 30 * MIN_MS, 3);		/* 30 min: rollups only */
	rc |= add(ms, "cpu", NOW_MS - 5 * MIN_MS, 4);		/* 5 min: everything */
	rc |= aiops_mstore_flush(ms);
	ok(rc == 0, "add old and new points");
	is_int(q_int(st, "SELECT count(*) FROM points", 0), 1, "old raw points deleted");
	is_int(q_int(st, "SELECT min(ts) FROM points", 0), NOW_MS - 5 * MIN_MS, "the recent one kept");
	is_int(q_int(st, "SELECT count(*) FROM rollup_5m", 0), 2, "old 5 m buckets deleted");
	is_int(q_int(st, "SELECT min(bucket) FROM rollup_5m", 0), NOW_MS - 30 * MIN_MS,
	    "the 30 min old bucket kept");
	is_int(q_int(st, "SELECT count(*) FROM rollup_1h", 0), 2, "old 1 h buckets deleted");
	is_int(q_int(st, "SELECT min(bucket) FROM rollup_1h", 0), NOW_MS - 5 * 60 * MIN_MS,
	    "the 5 h old bucket kept");
	aiops_mstore_free(ms);
	aiops_state_close(st);
}

/* Retention reaches series that get no new points, a slice per commit. */
static void
test_retention_idle(void)
{
	struct aiops_state *st = open_rw("ri.db");
	struct aiops_mstore *ms = new_store(st, 0);
	char name[32];
	int i, rc = 0;

	if (ms == NULL)
		return;
	for (i = 0; i < 1200; i++) {
		snprintf(name, sizeof(name), "m%d", i);
		rc |= add(ms, name, NOW_MS - 60 * MIN_MS, i);
	}
	rc |= aiops_mstore_free(ms);
	ok(rc == 0, "1200 series, an hour old");
	ms = new_store(st, 10 * MIN_MS * NS_PER_MS);
	for (i = 0; i < 3 && ms != NULL; i++) {
		rc |= add(ms, "m0", NOW_MS, 1);
		rc |= aiops_mstore_flush(ms);
	}
	ok(rc == 0, "three commits with a 10 min retention");
	is_int(q_int(st, "SELECT count(*) FROM points", 0), 1, "all old points gone");
	aiops_mstore_free(ms);
	aiops_state_close(st);
}

/* A filling batch does not hold the write lock: other writers go on. */
static void
test_lock_free(void)
{
	struct aiops_state *st = open_rw("l.db");
	struct aiops_mstore *ms = new_store(st, 0);
	sqlite3 *other = NULL;

	if (ms == NULL)
		return;
	ok(add(ms, "cpu", NOW_MS, 1) == 0, "a point waits in the batch");
	ok(sqlite3_open_v2(tpath("l.db"), &other, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
	    sqlite3_exec(other, "BEGIN IMMEDIATE; INSERT INTO meta VALUES ('o', 'x'); COMMIT",
	    NULL, NULL, NULL) == SQLITE_OK, "another connection writes meanwhile");
	sqlite3_close(other);
	ok(aiops_mstore_flush(ms) == 0, "then the batch is written");
	is_int(q_int(st, "SELECT count(*) FROM points", 0), 1, "one point");
	is_int(q_int(st, "SELECT count(*) FROM meta", 0), 1, "and the other's row");
	aiops_mstore_free(ms);
	aiops_state_close(st);
}

/* A batch that cannot commit leaves nothing behind. */
static void
test_rollback(void)
{
	struct aiops_state *st = open_rw("f.db");
	struct aiops_mstore *ms = new_store(st, 0);
	int rc;

	if (ms == NULL)
		return;
	ok(add(ms, "cpu", NOW_MS, 1) == 0, "a point in a batch");
	/* Make the commit fail: a rollup row that the upsert cannot satisfy. */
	ok(q_exec(st, "CREATE TRIGGER no_rollup BEFORE INSERT ON rollup_1h"
	    " BEGIN SELECT RAISE(ABORT, 'rollups refused'); END") == 0, "a trigger that fails");
	rc = aiops_mstore_flush(ms);
	ok(rc == -1, "flush fails");
	ok(strstr(aiops_mstore_errmsg(ms), "rollups refused") != NULL, "the message says why: %s",
	    aiops_mstore_errmsg(ms));
	is_int(q_int(st, "SELECT count(*) FROM points", 0), 0, "no point stored");
	is_int(q_int(st, "SELECT count(*) FROM series", 0), 0, "no series stored");
	is_int(q_int(st, "SELECT count(*) FROM rollup_5m", 0), 0, "no rollup stored");
	ok(aiops_mstore_free(ms) == -1, "free reports the failed flush");
	ms = new_store(st, 0);
	q_exec(st, "DROP TRIGGER no_rollup");
	ok(ms != NULL && add(ms, "cpu", NOW_MS, 2) == 0 && aiops_mstore_free(ms) == 0,
	    "a new batch works after a failure");
	is_int(q_int(st, "SELECT count(*) FROM points", 0), 1, "and is stored");
	aiops_state_close(st);
}

/* PRAGMA data_version: what another connection wrote, not this one. */
static void
test_changed_elsewhere(void)
{
	struct aiops_state *st = open_rw("dv.db");
	struct aiops_mstore *ms;

	if (st == NULL)
		return;
	is_int(aiops_state_changed_elsewhere(st), 1, "changed elsewhere: yes at the first call");
	is_int(aiops_state_changed_elsewhere(st), 0, "nothing since");
	ms = new_store(st, 0);
	ok(ms != NULL && add(ms, "cpu", NOW_MS, 1) == 0 && aiops_mstore_free(ms) == 0,
	    "this connection writes");
	is_int(aiops_state_changed_elsewhere(st), 0, "its own writes do not count");
	q_exec(st, "CREATE TABLE scratch (x)");
	is_int(aiops_state_changed_elsewhere(st), 1, "another connection's do");
	is_int(aiops_state_changed_elsewhere(st), 0, "told once");
	aiops_state_close(st);
}

int
main(void)
{
	char path[512];	/* each test names its own state in dir */

	if (tdb_scratch(dir, path, sizeof(path)) == -1)
		return 1;
	ok(aiops_clock_now() == NOW_MS * NS_PER_MS, "frozen clock");
	test_create();
	test_reopen();
	test_newer();
	test_symlinks();
	test_modes();
	test_group();
	test_foreign();
	test_readonly();
	test_points();
	test_duplicates();
	test_retention();
	test_retention_idle();
	test_lock_free();
	test_rollback();
	test_changed_elsewhere();
	tdb_scratch_remove(dir);
	return tap_done();
}
