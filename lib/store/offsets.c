/*
 * offsets.c: table file_offsets, one row per path followed. The
 * fingerprints are unsigned 64-bit hashes kept in SQLite's signed
 * integers: the same 64 bits, cast both ways.
 */
#include "compat.h"

#include <string.h>

#include "store/offsets.h"
#include "store/state.h"
#include "store/state_int.h"

static const char SQL_GET[] =
    "SELECT dev, ino, offset, lineno, updated, head, head_len, tail, mtime_ns,"
    " prev_dev, prev_ino"
    " FROM file_offsets WHERE path = ?1";
static const char SQL_PUT[] =
    "INSERT INTO file_offsets(path, dev, ino, offset, lineno, updated, head, head_len, tail,"
    " mtime_ns, prev_dev, prev_ino) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
    " ON CONFLICT(path) DO UPDATE SET"
    " dev = excluded.dev, ino = excluded.ino, offset = excluded.offset,"
    " lineno = excluded.lineno, updated = excluded.updated, head = excluded.head,"
    " head_len = excluded.head_len, tail = excluded.tail, mtime_ns = excluded.mtime_ns,"
    " prev_dev = excluded.prev_dev, prev_ino = excluded.prev_ino";

int
aiops_offsets_get(struct aiops_state *st, const char *path, struct aiops_offset *o)
{
	sqlite3_stmt *s;
	int rc;

	memset(o, 0, sizeof(*o));
	if ((s = aiops_state_stmt(st, SQL_GET)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, path);
	if ((rc = aiops_state_step(st, s)) != 1)
		return rc;
	o->dev = sqlite3_column_int64(s, 0);
	o->ino = sqlite3_column_int64(s, 1);
	o->offset = sqlite3_column_int64(s, 2);
	o->lineno = (uint64_t)sqlite3_column_int64(s, 3);
	o->updated = aiops_state_column_time(s, 4);
	o->head = (uint64_t)sqlite3_column_int64(s, 5);
	o->head_len = sqlite3_column_int64(s, 6);
	o->tail = (uint64_t)sqlite3_column_int64(s, 7);
	o->mtime_ns = sqlite3_column_int64(s, 8);
	o->prev_dev = sqlite3_column_int64(s, 9);
	o->prev_ino = sqlite3_column_int64(s, 10);
	sqlite3_reset(s);
	return 1;
}

int
aiops_offsets_put(struct aiops_state *st, const char *path, const struct aiops_offset *o)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, SQL_PUT)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, path);
	sqlite3_bind_int64(s, 2, o->dev);
	sqlite3_bind_int64(s, 3, o->ino);
	sqlite3_bind_int64(s, 4, o->offset);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)o->lineno);
	aiops_state_bind_time(s, 6, o->updated);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)o->head);
	sqlite3_bind_int64(s, 8, o->head_len);
	sqlite3_bind_int64(s, 9, (sqlite3_int64)o->tail);
	sqlite3_bind_int64(s, 10, o->mtime_ns);
	sqlite3_bind_int64(s, 11, o->prev_dev);
	sqlite3_bind_int64(s, 12, o->prev_ino);
	return aiops_state_done(st, s);
}
