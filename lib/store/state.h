/*
 * state.h: the shared SQLite state file.
 *
 * Opened with a 5 s busy timeout, foreign keys on, WAL and synchronous=
 * NORMAL; created with mode 0600 in a 0700 directory (see aiops_state_open). The schema is
 * migrated in one BEGIN IMMEDIATE transaction keyed by PRAGMA
 * user_version (lib/schema.c); a file newer than this program is refused.
 * All SQL goes through prepared statements with bound parameters.
 */
#ifndef AIOPS_STATE_H
#define AIOPS_STATE_H

#include <sqlite3.h>
#include <stddef.h>

enum aiops_state_flags {
	AIOPS_STATE_READONLY = 1 << 0,
};

struct aiops_state;

/* PRAGMA application_id of every aiops state: "AIOP". */
#define AIOPS_APPLICATION_ID	0x41494f50

/* Why an open failed: an exit status (sysexits.h) and "path: what". */
struct aiops_state_error {
	int	 status;
	char	 text[512];
};

/*
 * Opens the state at path, creating it (and its directories) when missing
 * unless AIOPS_STATE_READONLY: mode 0600, or 0660 owned by group when group
 * is a group name (NULL or "": none). Refused, with e filled and NULL
 * returned: a file every user may read or write (EX_NOPERM); a symlink to
 * nothing or to an empty file, a SQLite database of another program
 * (EX_CANTCREAT; a state of an earlier aiops without the application_id is
 * adopted and stamped); a schema newer than this program (EX_CONFIG); a
 * state locked past the busy timeout (EX_TEMPFAIL). Creation and migration
 * wait for other programs doing the same.
 */
struct aiops_state *aiops_state_open(const char *path, int flags, const char *group,
    struct aiops_state_error *e);
/* Finalizes cached statements and closes; -1 if SQLite refused to close. */
int aiops_state_close(struct aiops_state *st);
sqlite3 *aiops_state_db(struct aiops_state *st);
const char *aiops_state_path(const struct aiops_state *st);
/*
 * A statement prepared once (SQLITE_PREPARE_PERSISTENT) and cached by its
 * SQL text pointer: pass string literals. It comes back reset with its
 * bindings cleared. NULL on error (aiops_state_errmsg()).
 */
sqlite3_stmt *aiops_state_stmt(struct aiops_state *st, const char *sql);
/* BEGIN IMMEDIATE (waits for other writers up to the busy timeout). */
int aiops_state_begin(struct aiops_state *st);
int aiops_state_commit(struct aiops_state *st);
void aiops_state_rollback(struct aiops_state *st);
/* Runs sql with no parameters and no rows (DDL, pragmas). */
int aiops_state_exec(struct aiops_state *st, const char *sql);
const char *aiops_state_errmsg(struct aiops_state *st);
/*
 * The exit status (sysexits.h) for the last failure on st, the one mapping
 * of SQLite errors for every program: a state locked by another writer past
 * the busy timeout is EX_TEMPFAIL (75, try again later); a full disk or any
 * other I/O failure EX_IOERR (74); a file that is not a database, or one
 * the program may not write, EX_CANTCREAT (73).
 */
int aiops_state_exit_status(struct aiops_state *st);
/* The same mapping for a SQLite result code (primary or extended). */
int aiops_state_status_of(int sqlite_code);
/* The schema version this program writes. */
int aiops_state_schema_version(void);

/* lib/schema.c */
struct aiops_migration {
	int		 version;
	const char	*sql;
};
extern const struct aiops_migration aiops_migrations[];
extern const size_t aiops_nmigrations;

#endif
