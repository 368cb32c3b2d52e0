/*
 * state.h: the shared SQLite state file.
 *
 * Opened with a 5 s busy timeout, foreign keys on, WAL and synchronous=
 * NORMAL; created with mode 0600 in a 0700 directory (see aiops_state_open).
 * The schema is migrated in one BEGIN IMMEDIATE transaction keyed by PRAGMA
 * user_version (schema.c); a file newer than this program is refused.
 *
 * Programs reach the tables only through the typed functions of the other
 * store/ headers (mstore, models, anomalies, incidents, logs, search,
 * offsets); SQL and SQLite's types stay inside lib/store. Those functions
 * take and return times as the toolkit does, int64 nanoseconds since the
 * epoch; the tables keep milliseconds unless a column is named _ns.
 * They return -1 on a failure, which aiops_state_errmsg() and
 * aiops_state_exit_status() then describe.
 */
#ifndef AIOPS_STATE_H
#define AIOPS_STATE_H

#include <stddef.h>

enum aiops_state_flags {
	/*
	 * For readers: no write, no lock taken against writers, no migration,
	 * and no -wal or -shm file left behind; the schema must be this
	 * program's. For a short look: open, read, close (state.c says why),
	 * not a connection kept open while writers come and go.
	 */
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
/*
 * Lets the connection keep up to bytes of the database in memory (SQLite's
 * page cache, 2 MB by default), for a program whose working set is larger:
 * fewer reads and writes of the same pages. 0, or -1.
 */
int aiops_state_cache(struct aiops_state *st, size_t bytes);
/*
 * Lets the write-ahead log grow to about bytes before its pages are
 * copied into the file (PRAGMA wal_autocheckpoint, 4 MB by default), for
 * a program that commits often: a page written by many commits is copied
 * once per that many bytes of log instead of once per 4 MB. 0, or -1.
 */
int aiops_state_wal_limit(struct aiops_state *st, size_t bytes);
/*
 * Makes every commit of this connection durable across a power loss, not
 * only a crash of the program (PRAGMA synchronous = FULL: the log is
 * synced at each commit), for a program that acknowledges what it
 * committed to someone else (the HTTP listener). 0, or -1.
 */
int aiops_state_durable(struct aiops_state *st);
const char *aiops_state_path(const struct aiops_state *st);
/*
 * BEGIN IMMEDIATE (waits for other writers up to the busy timeout).
 * Inside a transaction already begun, a SAVEPOINT instead, which its
 * aiops_state_commit() releases: a caller can hold the batches of
 * several stores (a listener's journal, points and alerts) in one
 * transaction, and only the outermost commit makes them durable.
 */
int aiops_state_begin(struct aiops_state *st);
int aiops_state_commit(struct aiops_state *st);
/*
 * Rolls back the open transaction, if any, the outermost one too when
 * called inside a nested one; keeps the failure recorded.
 */
void aiops_state_rollback(struct aiops_state *st);
/* 1 inside a transaction of aiops_state_begin(), else 0. */
int aiops_state_in_transaction(struct aiops_state *st);
/*
 * 1 when another connection (another program, or another run) committed
 * to the file since the last call, and on the first call; 0 when only
 * this one wrote: what a program keeps in memory of the state is still
 * the truth. Asked inside a transaction, it holds for the transaction.
 * PRAGMA data_version. -1 on error.
 */
int aiops_state_changed_elsewhere(struct aiops_state *st);
/* What the last failure on st was (SQLite's words). */
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

#endif
