/*
 * state.h: the shared SQLite state file.
 *
 * Opened with a 5 s busy timeout, foreign keys on, WAL and synchronous=
 * NORMAL; created with mode 0600 in a 0700 directory. The schema is
 * migrated in one BEGIN IMMEDIATE transaction keyed by PRAGMA
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

/*
 * NULL on failure, with "path: what" in err and errno EAGAIN when another
 * writer held the lock past the busy timeout (the migration waits for it).
 */
struct aiops_state *aiops_state_open(const char *path, int flags, char *err, size_t errlen);
/* Finalizes cached statements and closes; -1 if SQLite refused to close. */
int aiops_state_close(struct aiops_state *st);
const char *aiops_state_path(const struct aiops_state *st);
/* BEGIN IMMEDIATE (waits for other writers up to the busy timeout). */
int aiops_state_begin(struct aiops_state *st);
int aiops_state_commit(struct aiops_state *st);
/* Rolls back the open transaction, if any; keeps the failure recorded. */
void aiops_state_rollback(struct aiops_state *st);
/* 1 inside a transaction of aiops_state_begin(), else 0. */
int aiops_state_in_transaction(struct aiops_state *st);
/* What the last failure on st was (SQLite's words). */
const char *aiops_state_errmsg(struct aiops_state *st);
/*
 * The exit status (sysexits.h) for the last failure on st, the one mapping
 * of SQLite errors for every program: a state locked by another writer past
 * the busy timeout is EX_TEMPFAIL (75, try again later); a full disk or any
 * other I/O failure EX_IOERR (74); a file that is not an aiops state or is
 * damaged EX_DATAERR (65); a state the program may not write EX_CANTCREAT.
 */
int aiops_state_exit_status(struct aiops_state *st);
/* The same mapping for a SQLite result code (primary or extended). */
int aiops_state_status_of(int sqlite_code);
/* The schema version this program writes. */
int aiops_state_schema_version(void);

#endif
