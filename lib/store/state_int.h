/*
 * state_int.h: what the modules of lib/store share and nothing else may
 * see: the SQLite handle, the statement cache, the schema steps and the
 * helpers that bind and read times and strings. Included by the files of
 * lib/store only (tests/check-tree checks it); programs reach the tables
 * through the typed functions of the other store/ headers.
 */
#ifndef AIOPS_STATE_INT_H
#define AIOPS_STATE_INT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "store/state.h"

/* Table times are milliseconds since the epoch; the API's nanoseconds. */
#define AIOPS_STATE_NS_PER_MS	1000000LL

sqlite3 *aiops_state_db(struct aiops_state *st);
/*
 * A statement prepared once (SQLITE_PREPARE_PERSISTENT) and cached by its
 * SQL text pointer: pass a static array. It comes back reset with its
 * bindings cleared. NULL on error, recorded as by aiops_state_fail().
 */
sqlite3_stmt *aiops_state_stmt(struct aiops_state *st, const char *sql);
/* Runs sql with no parameters and no rows (DDL, pragmas). 0, or -1 recorded. */
int aiops_state_exec(struct aiops_state *st, const char *sql);
/*
 * Records SQLite's last error on st (its code for aiops_state_exit_status(),
 * its message for aiops_state_errmsg()), so that a rollback after it does
 * not lose it. Call it before anything else touches the connection.
 * Returns -1.
 */
int aiops_state_fail(struct aiops_state *st);
/* The SQLite result code of the last failure recorded, or SQLITE_OK. */
int aiops_state_errcode(struct aiops_state *st);
/*
 * Steps s: 1 with a row to read; 0 at the end, -1 on an error (recorded),
 * s reset in both cases. A caller that stops before the end resets s.
 */
int aiops_state_step(struct aiops_state *st, sqlite3_stmt *s);
/* Steps a statement that returns no rows and resets it: 0, or -1 recorded. */
int aiops_state_done(struct aiops_state *st, sqlite3_stmt *s);
/*
 * Steps s (bound) to its end, each row read by read() into a new element
 * of the array *v (elements of size bytes, *n of them, grown as needed;
 * *v and *n start at NULL and 0). 0, or -1 recorded, with the rows read
 * so far left in *v for the caller to release.
 */
int aiops_state_read_rows(struct aiops_state *st, sqlite3_stmt *s, void **v, size_t *n,
    size_t size, void (*read)(sqlite3_stmt *s, void *elem));

/*
 * Binding and reading. Bound strings are not copied (SQLITE_STATIC): they
 * must live until the statement is stepped, which the functions of
 * lib/store do before they return. NULL binds SQL NULL.
 */
void aiops_state_bind_str(sqlite3_stmt *s, int i, const char *str);
void aiops_state_bind_strn(sqlite3_stmt *s, int i, const char *str, size_t len);
/* ns in, ms stored (integer division, as schema step 4 did). */
void aiops_state_bind_time(sqlite3_stmt *s, int i, int64_t ns);
/* A stored ms time as ns; 0 for NULL. */
int64_t aiops_state_column_time(sqlite3_stmt *s, int i);
/* A text column, or NULL for SQL NULL; valid until s is stepped or reset. */
const char *aiops_state_column_str(sqlite3_stmt *s, int i);
/* A copy of a text column (free(3) it), or NULL for SQL NULL. */
char *aiops_state_column_dup(sqlite3_stmt *s, int i);

/* lib/store/schema.c: the steps, in order of version. */
struct aiops_migration {
	int		 version;
	const char	*sql;
};
extern const struct aiops_migration aiops_migrations[];
extern const size_t aiops_nmigrations;
/*
 * What a step does in C, after its SQL and in the same transaction (most
 * do nothing): 0, or -1 with SQLite's error on db.
 */
int aiops_migration_code(sqlite3 *db, int version);
/* lib/store/rename.c: step 5's renaming of series to Prometheus names. */
int aiops_schema_rename_series(sqlite3 *db);

#endif
