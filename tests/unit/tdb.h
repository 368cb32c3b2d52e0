/*
 * tdb.h: the tests' own look into a state file, through a connection of
 * their own beside the one under test (which keeps its sqlite3 handle to
 * lib/store): what is stored is what another program would read.
 */
#ifndef AIOPS_TDB_H
#define AIOPS_TDB_H

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/clock.h"

/*
 * A test program's scratch folder, made from dir ("/tmp/t_x.XXXXXX",
 * filled in place), with the state at dir/state.db in path, and the
 * toolkit clock frozen at 2026-11-22T12:00:00Z. 0, or -1.
 */
static inline int
tdb_scratch(char *dir, char *path, size_t size)
{
	int n;

	if (mkdtemp(dir) == NULL)
		return -1;
	n = snprintf(path, size, "%s/state.db", dir);
	if (n < 0 || (size_t)n >= size)
		return -1;
	setenv("AIOPS_NOW", "2026-11-22T12:00:00Z", 1);
	return aiops_clock_init(AIOPS_CLOCK_WALL);
}

/* Removes the scratch folder and all in it. */
static inline void
tdb_scratch_remove(const char *dir)
{
	char cmd[600];
	int n = snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);

	if (n > 0 && (size_t)n < sizeof(cmd) && system(cmd) != 0)
		printf("# could not remove %s\n", dir);
}

static inline sqlite3 *
tdb_open(const char *path)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		printf("# %s: %s\n", path, db ? sqlite3_errmsg(db) : "cannot open");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 5000);
	return db;
}

/* Runs sql (no rows); 0, or -1 with the message printed. */
static inline int
tdb_exec(const char *path, const char *sql)
{
	sqlite3 *db = tdb_open(path);
	int rc = -1;

	if (db != NULL && (rc = sqlite3_exec(db, sql, NULL, NULL, NULL)) != SQLITE_OK)
		printf("# %s\n", sqlite3_errmsg(db));
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

/* sql with ?1 = arg when it has a parameter, stepped to its first row. */
static inline sqlite3_stmt *
tdb_first(sqlite3 *db, const char *sql, long long arg)
{
	sqlite3_stmt *s;

	if (db == NULL || sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return NULL;
	if (sqlite3_bind_parameter_count(s) > 0)
		sqlite3_bind_int64(s, 1, arg);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return NULL;
	}
	return s;
}

/* The first column of the first row as an integer; -1 if none. */
static inline long long
tdb_int(const char *path, const char *sql, long long arg)
{
	sqlite3 *db = tdb_open(path);
	sqlite3_stmt *s = tdb_first(db, sql, arg);
	long long v = s != NULL ? sqlite3_column_int64(s, 0) : -1;

	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

static inline double
tdb_real(const char *path, const char *sql, long long arg)
{
	sqlite3 *db = tdb_open(path);
	sqlite3_stmt *s = tdb_first(db, sql, arg);
	double v = s != NULL ? sqlite3_column_double(s, 0) : NAN;

	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/* The first row as text, columns joined by '|' (static buffer). */
static inline const char *
tdb_row(const char *path, const char *sql, long long arg)
{
	static char out[1024];
	sqlite3 *db = tdb_open(path);
	sqlite3_stmt *s = tdb_first(db, sql, arg);
	size_t o = 0;
	int i, n;

	out[0] = '\0';
	for (i = 0; s != NULL && i < sqlite3_column_count(s); i++) {
		const unsigned char *t = sqlite3_column_text(s, i);

		n = snprintf(out + o, sizeof(out) - o, "%s%s", i ? "|" : "",
		    t ? (const char *)t : "NULL");
		if (n < 0 || (size_t)n >= sizeof(out) - o)
			break;
		o += (size_t)n;
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	return out;
}

#endif
