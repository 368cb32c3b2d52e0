#include "compat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sysexits.h>
#include <unistd.h>

#include "config/paths.h"
#include "core/buf.h"
#include "store/state.h"
#include "store/state_int.h"
#include "core/xmalloc.h"

#define BUSY_TIMEOUT_MS	5000
#define ERRLEN		512

/* Filesystems where WAL's shared memory does not work. */
#define NFS_SUPER_MAGIC		0x6969
#define SMB_SUPER_MAGIC		0x517B
#define CIFS_MAGIC_NUMBER	0xFF534D42
#define SMB2_MAGIC_NUMBER	0xFE534D42

struct stmt_cache {
	const char	*sql;
	sqlite3_stmt	*stmt;
};

struct aiops_state {
	sqlite3			*db;
	char			*path;
	struct stmt_cache	*stmts;
	size_t			 nstmts;
	size_t			 stmtcap;
	int			 errcode;	/* of the last failure recorded */
	char			 errmsg[ERRLEN];
};

int
aiops_state_schema_version(void)
{
	return aiops_migrations[aiops_nmigrations - 1].version;
}

static int
is_local_fs(const char *path)
{
	struct statfs sf;

	if (statfs(path, &sf) == -1)
		return 1;
	switch ((unsigned long)sf.f_type) {
	case NFS_SUPER_MAGIC: case SMB_SUPER_MAGIC:
	case CIFS_MAGIC_NUMBER: case SMB2_MAGIC_NUMBER:
		return 0;
	}
	return 1;
}

/*
 * Creates the file 0600 before SQLite sees it, so it is never briefly
 * readable by others; SQLite gives -wal and -shm the same mode.
 */
static int
create_private(const char *path, char *err, size_t errlen)
{
	int fd;

	if (aiops_mkdirs_for(path, 0700) == -1) {
		snprintf(err, errlen, "%s: cannot create its directory: %s", path, strerror(errno));
		return -1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

static int
user_version(sqlite3 *db, int *v)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(s);
	*v = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* "path: SQLite's message", the failure recorded. */
static int
sqlerr(struct aiops_state *st, char *err, size_t errlen)
{
	aiops_state_fail(st);
	snprintf(err, errlen, "%s: %s", st->path, st->errmsg);
	return -1;
}

static int
migrate(struct aiops_state *st, char *err, size_t errlen)
{
	int have, rc, latest = aiops_state_schema_version();
	size_t i;
	char *sql;

	if (user_version(st->db, &have) == -1)
		return sqlerr(st, err, errlen);
	if (have == latest)
		return 0;
	/* Check again under the write lock: another tool may have migrated. */
	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return sqlerr(st, err, errlen);
	if (user_version(st->db, &have) == -1)
		goto rollback;
	if (have > latest) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		snprintf(err, errlen, "%s: schema version %d is newer than this program's %d: upgrade aiops",
		    st->path, have, latest);
		return -1;
	}
	for (i = 0; i < aiops_nmigrations; i++) {
		if (aiops_migrations[i].version <= have)
			continue;
		if (sqlite3_exec(st->db, aiops_migrations[i].sql, NULL, NULL, NULL) != SQLITE_OK)
			goto rollback;
		/* PRAGMA takes no parameters; the version is our own integer. */
		sql = sqlite3_mprintf("PRAGMA user_version = %d", aiops_migrations[i].version);
		rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
		sqlite3_free(sql);
		if (rc != SQLITE_OK)
			goto rollback;
	}
	if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto rollback;
	return 0;
rollback:
	aiops_state_fail(st);
	snprintf(err, errlen, "%s: migrating the schema: %s", st->path, st->errmsg);
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* A reader cannot migrate: it reads this program's schema or nothing. */
static int
check_version(struct aiops_state *st, char *err, size_t errlen)
{
	int have, latest = aiops_state_schema_version();

	if (user_version(st->db, &have) == -1)
		return sqlerr(st, err, errlen);
	if (have > latest)
		snprintf(err, errlen, "%s: schema version %d is newer than this program's %d: upgrade aiops",
		    st->path, have, latest);
	else if (have < latest)
		snprintf(err, errlen, "%s: schema version %d is older than this program's %d:"
		    " a program that writes the state (aiops-ingest --store, aiops-detect) migrates it",
		    st->path, have, latest);
	return have == latest ? 0 : -1;
}

static int
configure(struct aiops_state *st, int flags, char *err, size_t errlen)
{
	sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
	if (sqlite3_exec(st->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) != SQLITE_OK)
		return sqlerr(st, err, errlen);
	if (flags & AIOPS_STATE_READONLY)
		return check_version(st, err, errlen);
	if (is_local_fs(st->path)) {
		if (sqlite3_exec(st->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(st->db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL) != SQLITE_OK)
			return sqlerr(st, err, errlen);
	}
	return migrate(st, err, errlen);
}

/*
 * The name SQLite opens a reader by. A reader of a WAL database creates
 * -wal and -shm files when they are missing, and cannot remove them: it
 * would leave them behind, or fail where it may not create files. No -wal
 * file means no connection has the state open (a writer keeps it until
 * the last one closes), so the file is read as immutable: no lock, no
 * file created. A writer that starts meanwhile appends to its own -wal and
 * copies into the file only at 1000 pages or when it closes; a read that
 * overlapped such a copy could fail or see a page half-copied, so readers
 * open the state for a short look and close it (aiops-detect --search).
 */
static char *
reader_uri(const char *path)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789/._-~";
	struct aiops_buf b = AIOPS_BUF_INIT;
	const unsigned char *p;
	char *wal;
	int busy;

	xasprintf(&wal, "%s-wal", path);
	busy = access(wal, F_OK) == 0;
	free(wal);
	aiops_buf_addstr(&b, "file:");
	for (p = (const unsigned char *)path; *p != '\0'; p++) {
		if (strchr(safe, *p) != NULL)
			aiops_buf_addc(&b, (char)*p);
		else
			aiops_buf_addf(&b, "%%%02X", *p);
	}
	aiops_buf_addstr(&b, busy ? "?mode=ro" : "?mode=ro&immutable=1");
	return aiops_buf_detach(&b, NULL);
}

/* Sets errno for the caller of a failed open: EAGAIN when it was locked. */
static struct aiops_state *
open_failed(struct aiops_state *st)
{
	int code = st != NULL ? st->errcode : SQLITE_ERROR;

	aiops_state_close(st);
	errno = aiops_state_status_of(code) == EX_TEMPFAIL ? EAGAIN : EIO;
	return NULL;
}

struct aiops_state *
aiops_state_open(const char *path, int flags, char *err, size_t errlen)
{
	struct aiops_state *st;
	int oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, rc;
	char *name;

	if (flags & AIOPS_STATE_READONLY)
		oflags = SQLITE_OPEN_READONLY | SQLITE_OPEN_URI;
	else if (access(path, F_OK) == -1 && create_private(path, err, errlen) == -1)
		return open_failed(NULL);
	st = xcalloc(1, sizeof(*st));
	st->path = xstrdup(path);
	name = (flags & AIOPS_STATE_READONLY) ? reader_uri(path) : xstrdup(path);
	rc = sqlite3_open_v2(name, &st->db, oflags | SQLITE_OPEN_NOMUTEX, NULL);
	free(name);
	if (rc != SQLITE_OK) {
		st->errcode = rc;
		snprintf(err, errlen, "%s: %s", path,
		    st->db ? sqlite3_errmsg(st->db) : "cannot open");
		return open_failed(st);
	}
	sqlite3_extended_result_codes(st->db, 1);
	/* SQLite opens a file it may not write read-only, silently. */
	if (!(flags & AIOPS_STATE_READONLY) && sqlite3_db_readonly(st->db, "main") == 1) {
		st->errcode = SQLITE_READONLY;
		snprintf(err, errlen, "%s: read-only: cannot write the state", path);
		return open_failed(st);
	}
	if (configure(st, flags, err, errlen) == -1)
		return open_failed(st);
	return st;
}

int
aiops_state_close(struct aiops_state *st)
{
	size_t i;
	int rc = 0;

	if (st == NULL)
		return 0;
	for (i = 0; i < st->nstmts; i++)
		sqlite3_finalize(st->stmts[i].stmt);
	free(st->stmts);
	if (st->db != NULL && sqlite3_close(st->db) != SQLITE_OK)
		rc = -1;
	free(st->path);
	free(st);
	return rc;
}

sqlite3 *aiops_state_db(struct aiops_state *st) { return st->db; }
const char *aiops_state_path(const struct aiops_state *st) { return st->path; }

const char *
aiops_state_errmsg(struct aiops_state *st)
{
	return st->errcode != SQLITE_OK ? st->errmsg : sqlite3_errmsg(st->db);
}

int
aiops_state_fail(struct aiops_state *st)
{
	int n;

	st->errcode = sqlite3_extended_errcode(st->db);
	n = snprintf(st->errmsg, sizeof(st->errmsg), "%s", sqlite3_errmsg(st->db));
	if (n < 0 || (size_t)n >= sizeof(st->errmsg))
		st->errmsg[sizeof(st->errmsg) - 1] = '\0';
	return -1;
}

int
aiops_state_errcode(struct aiops_state *st)
{
	return st->errcode;
}

int
aiops_state_status_of(int code)
{
	switch (code & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return EX_TEMPFAIL;
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return EX_DATAERR;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_CANTOPEN:
		return EX_CANTCREAT;
	default:
		return EX_IOERR;
	}
}

int
aiops_state_exit_status(struct aiops_state *st)
{
	return aiops_state_status_of(st->errcode != SQLITE_OK ? st->errcode :
	    sqlite3_extended_errcode(st->db));
}

sqlite3_stmt *
aiops_state_stmt(struct aiops_state *st, const char *sql)
{
	sqlite3_stmt *s;
	size_t i;

	for (i = 0; i < st->nstmts; i++)
		if (st->stmts[i].sql == sql) {
			s = st->stmts[i].stmt;
			sqlite3_reset(s);
			sqlite3_clear_bindings(s);
			return s;
		}
	if (st->nstmts == st->stmtcap) {
		st->stmtcap = st->stmtcap ? 2 * st->stmtcap : 32;
		st->stmts = xreallocarray(st->stmts, st->stmtcap, sizeof(*st->stmts));
	}
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
		aiops_state_fail(st);
		return NULL;
	}
	st->stmts[st->nstmts].sql = sql;
	st->stmts[st->nstmts].stmt = s;
	st->nstmts++;
	return s;
}

int
aiops_state_step(struct aiops_state *st, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc != SQLITE_DONE)
		aiops_state_fail(st);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
aiops_state_done(struct aiops_state *st, sqlite3_stmt *s)
{
	int rc = aiops_state_step(st, s);

	if (rc == 1)
		sqlite3_reset(s);
	return rc == -1 ? -1 : 0;
}

int
aiops_state_exec(struct aiops_state *st, const char *sql)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return aiops_state_fail(st);
	return 0;
}

int
aiops_state_begin(struct aiops_state *st)
{
	return aiops_state_exec(st, "BEGIN IMMEDIATE");
}

int
aiops_state_commit(struct aiops_state *st)
{
	return aiops_state_exec(st, "COMMIT");
}

void
aiops_state_rollback(struct aiops_state *st)
{
	if (!sqlite3_get_autocommit(st->db))
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

int
aiops_state_in_transaction(struct aiops_state *st)
{
	return !sqlite3_get_autocommit(st->db);
}

/* ---- binding and reading, for lib/store ---- */

void
aiops_state_bind_str(sqlite3_stmt *s, int i, const char *str)
{
	if (str != NULL)
		sqlite3_bind_text(s, i, str, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

void
aiops_state_bind_strn(sqlite3_stmt *s, int i, const char *str, size_t len)
{
	if (str != NULL)
		sqlite3_bind_text64(s, i, str, len, SQLITE_STATIC, SQLITE_UTF8);
	else
		sqlite3_bind_null(s, i);
}

void
aiops_state_bind_time(sqlite3_stmt *s, int i, int64_t ns)
{
	sqlite3_bind_int64(s, i, ns / AIOPS_STATE_NS_PER_MS);
}

int64_t
aiops_state_column_time(sqlite3_stmt *s, int i)
{
	return sqlite3_column_int64(s, i) * AIOPS_STATE_NS_PER_MS;
}

const char *
aiops_state_column_str(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

char *
aiops_state_column_dup(sqlite3_stmt *s, int i)
{
	const char *t = (const char *)sqlite3_column_text(s, i);

	return t != NULL ? xstrndup(t, (size_t)sqlite3_column_bytes(s, i)) : NULL;
}
