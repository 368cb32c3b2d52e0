#include "compat.h"

#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <time.h>
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
	int			 linked;	/* path is a symlink: never a new state */
	int			 data_version;	/* PRAGMA data_version last seen */
	int			 dv_seen;	/* 0: never asked */
	int			 depth;		/* transactions open: 1 BEGIN, then SAVEPOINTs */
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

/* Fills e and returns -1: the one way this file reports a failure. */
static int
fail(struct aiops_state_error *e, int status, const char *fmt, ...)
{
	va_list ap;

	e->status = status;
	va_start(ap, fmt);
	vsnprintf(e->text, sizeof(e->text), fmt, ap);
	va_end(ap);
	return -1;
}

static int
sqlfail(struct aiops_state *st, struct aiops_state_error *e, const char *what)
{
	return fail(e, aiops_state_status_of(sqlite3_extended_errcode(st->db)),
	    "%s: %s%s", st->path, what, sqlite3_errmsg(st->db));
}

static int
is_busy(struct aiops_state *st)
{
	int rc = sqlite3_errcode(st->db) & 0xff;

	return rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
}

/*
 * The directories of path, 0700; with a state group the last one is the
 * group's, 2770: its members reach the file, and the -wal and -shm files
 * SQLite makes there inherit the group.
 */
static int
make_dirs(const char *path, gid_t gid)
{
	char *dir, *slash;
	struct stat sb;
	int rc = 0, existed;

	if (gid == (gid_t)-1)
		return aiops_mkdirs_for(path, 0700);
	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		existed = stat(dir, &sb) == 0;
		rc = aiops_mkdirs_for(path, 0700);
		if (rc == 0 && !existed && (chown(dir, (uid_t)-1, gid) == -1 ||
		    chmod(dir, 02770) == -1))
			rc = -1;
	}
	free(dir);
	return rc;
}

/*
 * Creates the file before SQLite sees it, so it is never briefly readable
 * by others: 0600, or 0660 and owned by group gid (-1: none). O_EXCL: a
 * file another program created first is theirs to set up; O_NOFOLLOW: a
 * symlink planted in its place is not followed. SQLite gives -wal and -shm
 * the mode of the database.
 */
static int
create_private(const char *path, gid_t gid, struct aiops_state_error *e)
{
	int fd;

	if (make_dirs(path, gid) == -1)
		return fail(e, EX_CANTCREAT, "%s: cannot create its directory: %s",
		    path, strerror(errno));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    gid == (gid_t)-1 ? 0600 : 0660);
	if (fd == -1)
		return errno == EEXIST ? 0 : fail(e, EX_CANTCREAT, "%s: %s", path, strerror(errno));
	/* umask may have taken the group bits: the mode is a decision here. */
	if (gid != (gid_t)-1 && (fchown(fd, (uid_t)-1, gid) == -1 || fchmod(fd, 0660) == -1)) {
		int saved = errno;

		close(fd);
		unlink(path);
		return fail(e, EX_NOPERM, "%s: cannot give it to the state group: %s",
		    path, strerror(saved));
	}
	close(fd);
	return 0;
}

static int
group_id(const char *group, gid_t *gid, struct aiops_state_error *e)
{
	struct group *gr;

	*gid = (gid_t)-1;
	if (group == NULL || *group == '\0')
		return 0;
	if ((gr = getgrnam(group)) == NULL)
		return fail(e, EX_CONFIG, "state.group: no such group");
	*gid = gr->gr_gid;
	return 0;
}

/*
 * Decides which file to open: a regular file, created if missing (not
 * when read-only), and not open to the world. A symlink is taken only to an
 * existing non-empty file, which must then prove to be an aiops state (the
 * caller checks); SQLite is handed the real path, so -wal and -shm go
 * beside the real file. *real is allocated.
 */
static int
resolve_path(const char *path, int flags, gid_t gid, char **real, int *linked,
    struct aiops_state_error *e)
{
	struct stat sb;
	int tries;

	*linked = 0;
	for (tries = 0; tries < 2; tries++) {
		if (lstat(path, &sb) == 0)
			break;
		if (errno != ENOENT)
			return fail(e, EX_CANTCREAT, "%s: %s", path, strerror(errno));
		if (flags & AIOPS_STATE_READONLY)
			return fail(e, EX_NOINPUT, "%s: no such state file", path);
		if (create_private(path, gid, e) == -1)
			return -1;
	}
	if (S_ISLNK(sb.st_mode)) {
		*linked = 1;
		if (stat(path, &sb) == -1)
			return fail(e, EX_CANTCREAT, "%s: a symlink to nothing: refusing to create its target", path);
		if (S_ISREG(sb.st_mode) && sb.st_size == 0)
			return fail(e, EX_CANTCREAT, "%s: a symlink to an empty file, not an aiops state", path);
	}
	if (!S_ISREG(sb.st_mode))
		return fail(e, EX_CANTCREAT, "%s: not a regular file", path);
	if (sb.st_mode & (S_IROTH | S_IWOTH))
		return fail(e, EX_NOPERM, "%s: mode %04o lets every user %s it: chmod o-rw",
		    path, (unsigned)(sb.st_mode & 07777),
		    sb.st_mode & S_IWOTH ? "change" : "read");
	if ((*real = realpath(path, NULL)) == NULL)
		return fail(e, EX_CANTCREAT, "%s: %s", path, strerror(errno));
	return 0;
}

static int
pragma_int(sqlite3 *db, const char *sql, int *v)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(s);
	*v = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

/*
 * Is this file ours? Stamped with our application_id: yes. Unstamped and
 * empty: a new state, stamped by the migration, unless reached through a
 * symlink, which must lead to an existing state. Unstamped with our tables:
 * made before the stamp existed, adopted (stamped) by the migration.
 * Anything else is another program's database and is left alone.
 * *stamp is set when the migration must stamp it.
 */
static int
identify(struct aiops_state *st, int *stamp, struct aiops_state_error *e)
{
	int app, nobj, ours;

	*stamp = 0;
	if (pragma_int(st->db, "PRAGMA application_id", &app) == -1 ||
	    pragma_int(st->db, "SELECT count(*) FROM sqlite_master", &nobj) == -1 ||
	    pragma_int(st->db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
	    " AND name IN ('series', 'points', 'meta', 'file_offsets')", &ours) == -1)
		return sqlfail(st, e, "");
	if (app == AIOPS_APPLICATION_ID)
		return 0;
	if (app == 0 && ((nobj == 0 && !st->linked) || ours == 4)) {
		*stamp = 1;
		return 0;
	}
	return fail(e, EX_CANTCREAT, "%s: not an aiops state: a SQLite database of another "
	    "program (application_id %d, %d objects); give another --state", st->path, app, nobj);
}

/*
 * Brings the schema up to date in one BEGIN IMMEDIATE transaction, so two
 * programs starting together cannot both migrate; the second finds the
 * work done when it gets the lock.
 */
static int
migrate(struct aiops_state *st, struct aiops_state_error *e)
{
	int have, stamp, rc, latest = aiops_state_schema_version();
	size_t i;
	char *sql;

	if (pragma_int(st->db, "PRAGMA user_version", &have) == -1)
		return sqlfail(st, e, "");
	if (identify(st, &stamp, e) == -1)
		return -1;
	if (have == latest && !stamp)
		return 0;
	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return sqlfail(st, e, "");
	if (pragma_int(st->db, "PRAGMA user_version", &have) == -1 ||
	    identify(st, &stamp, e) == -1)
		goto rollback;
	if (have > latest) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return fail(e, EX_CONFIG, "%s: schema version %d is newer than this program's %d: upgrade aiops",
		    st->path, have, latest);
	}
	for (i = 0; i < aiops_nmigrations; i++) {
		if (aiops_migrations[i].version <= have)
			continue;
		if (sqlite3_exec(st->db, aiops_migrations[i].sql, NULL, NULL, NULL) != SQLITE_OK)
			goto rollback;
		if (aiops_migration_code(st->db, aiops_migrations[i].version) == -1)
			goto rollback;
		/* PRAGMA takes no parameters; the version is our own integer. */
		sql = sqlite3_mprintf("PRAGMA user_version = %d", aiops_migrations[i].version);
		rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
		sqlite3_free(sql);
		if (rc != SQLITE_OK)
			goto rollback;
	}
	sql = sqlite3_mprintf("PRAGMA application_id = %d", AIOPS_APPLICATION_ID);
	rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	sqlite3_free(sql);
	if (rc != SQLITE_OK || sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto rollback;
	return 0;
rollback:
	if (e->text[0] == '\0' || is_busy(st))
		sqlfail(st, e, "migrating the schema: ");
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* A reader cannot migrate: it reads this program's schema or nothing. */
static int
check_version(struct aiops_state *st, struct aiops_state_error *e)
{
	int have, latest = aiops_state_schema_version();

	if (pragma_int(st->db, "PRAGMA user_version", &have) == -1)
		return sqlfail(st, e, "");
	if (have > latest)
		return fail(e, EX_CONFIG, "%s: schema version %d is newer than this program's %d: upgrade aiops",
		    st->path, have, latest);
	if (have < latest)
		return fail(e, EX_CONFIG, "%s: schema version %d is older than this program's %d:"
		    " a program that writes the state (aiops-ingest --store, aiops-detect) migrates it",
		    st->path, have, latest);
	return 0;
}

static int
configure(struct aiops_state *st, int flags, struct aiops_state_error *e)
{
	int stamp;

	sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
	if (sqlite3_exec(st->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) != SQLITE_OK)
		return sqlfail(st, e, "");
	if (flags & AIOPS_STATE_READONLY)
		return identify(st, &stamp, e) == -1 ? -1 : check_version(st, e);
	if (is_local_fs(st->path)) {
		if (sqlite3_exec(st->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(st->db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL) != SQLITE_OK)
			return sqlfail(st, e, "");
	}
	return migrate(st, e);
}

/*
 * Setting up a new state races other programs setting it up: switching to
 * WAL and the first reads of a file being created can be refused at once
 * with SQLITE_BUSY, without the busy handler. Those attempts are retried,
 * with a short random pause, up to the busy timeout: creating and migrating
 * the state waits like every other write.
 */
static int
configure_retrying(struct aiops_state *st, int flags, struct aiops_state_error *e)
{
	struct timespec pause;
	unsigned long waited = 0, attempt;

	for (attempt = 0;; attempt++) {
		e->text[0] = '\0';
		if (configure(st, flags, e) == 0)
			return 0;
		if (e->status != EX_TEMPFAIL || waited >= BUSY_TIMEOUT_MS * 1000UL)
			return -1;
		/* 1 to 10 ms, different for each process and attempt */
		pause.tv_sec = 0;
		pause.tv_nsec = (long)(1000 + ((unsigned long)getpid() * 7919 + attempt * 104729) % 9000) * 1000L;
		nanosleep(&pause, NULL);
		waited += (unsigned long)pause.tv_nsec / 1000;
	}
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

struct aiops_state *
aiops_state_open(const char *path, int flags, const char *group, struct aiops_state_error *e)
{
	struct aiops_state *st;
	int oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, linked, rc;
	char *real = NULL, *name;
	gid_t gid;

	e->status = 0;
	e->text[0] = '\0';
	if (flags & AIOPS_STATE_READONLY)
		oflags = SQLITE_OPEN_READONLY | SQLITE_OPEN_URI;
	if (group_id(group, &gid, e) == -1 || resolve_path(path, flags, gid, &real, &linked, e) == -1)
		return NULL;
	st = xcalloc(1, sizeof(*st));
	st->path = xstrdup(path);
	st->linked = linked;
	name = (flags & AIOPS_STATE_READONLY) ? reader_uri(real) : xstrdup(real);
	rc = sqlite3_open_v2(name, &st->db, oflags | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW, NULL);
	free(name);
	if (rc != SQLITE_OK) {
		fail(e, EX_CANTCREAT, "%s: %s", path, st->db ? sqlite3_errmsg(st->db) : "cannot open");
		goto bad;
	}
	free(real);
	real = NULL;
	sqlite3_extended_result_codes(st->db, 1);
	/* SQLite opens a file it may not write read-only, silently. */
	if (!(flags & AIOPS_STATE_READONLY) && sqlite3_db_readonly(st->db, "main") == 1) {
		fail(e, EX_CANTCREAT, "%s: read-only: cannot write the state", path);
		goto bad;
	}
	if (configure_retrying(st, flags, e) == -1)
		goto bad;
	return st;
bad:
	free(real);
	aiops_state_close(st);
	return NULL;
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
aiops_state_cache(struct aiops_state *st, size_t bytes)
{
	char sql[64];

	/* A negative cache_size is in KiB (sqlite.org/pragma.html#pragma_cache_size). */
	snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%zu", bytes / 1024);
	return aiops_state_exec(st, sql);
}

int
aiops_state_wal_limit(struct aiops_state *st, size_t bytes)
{
	char sql[64];
	int page;

	if (pragma_int(st->db, "PRAGMA page_size", &page) == -1 || page <= 0)
		return aiops_state_fail(st);
	snprintf(sql, sizeof(sql), "PRAGMA wal_autocheckpoint = %zu", bytes / (size_t)page);
	return aiops_state_exec(st, sql);
}

int
aiops_state_read_rows(struct aiops_state *st, sqlite3_stmt *s, void **v, size_t *n,
    size_t size, void (*read)(sqlite3_stmt *s, void *elem))
{
	size_t cap = 0;
	int rc;

	while ((rc = aiops_state_step(st, s)) == 1) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 4;
			*v = xreallocarray(*v, cap, size);
		}
		read(s, (char *)*v + *n * size);
		(*n)++;
	}
	return rc == -1 ? -1 : 0;
}

int
aiops_state_durable(struct aiops_state *st)
{
	return aiops_state_exec(st, "PRAGMA synchronous = FULL");
}

int
aiops_state_begin(struct aiops_state *st)
{
	if (st->depth > 0 && sqlite3_get_autocommit(st->db))
		st->depth = 0;		/* SQLite ended it (a failed COMMIT) */
	if (aiops_state_exec(st, st->depth > 0 ? "SAVEPOINT aiops_nested" :
	    "BEGIN IMMEDIATE") == -1)
		return -1;
	st->depth++;
	return 0;
}

int
aiops_state_commit(struct aiops_state *st)
{
	if (aiops_state_exec(st, st->depth > 1 ? "RELEASE aiops_nested" : "COMMIT") == -1)
		return -1;
	if (st->depth > 0)
		st->depth--;
	return 0;
}

void
aiops_state_rollback(struct aiops_state *st)
{
	if (!sqlite3_get_autocommit(st->db))
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->depth = 0;
}

int
aiops_state_in_transaction(struct aiops_state *st)
{
	return !sqlite3_get_autocommit(st->db);
}

int
aiops_state_changed_elsewhere(struct aiops_state *st)
{
	int v, was = st->data_version, seen = st->dv_seen;

	if (pragma_int(st->db, "PRAGMA data_version", &v) == -1)
		return aiops_state_fail(st);
	st->data_version = v;
	st->dv_seen = 1;
	return !seen || v != was;
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
