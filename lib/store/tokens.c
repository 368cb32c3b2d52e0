/*
 * tokens.c: table ingest_tokens (store/tokens.h has the rules). expires,
 * revoked and last_used are NULL for "none", 0 in the API.
 */
#include "compat.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/xmalloc.h"
#include "store/state.h"
#include "store/state_int.h"
#include "store/tokens.h"

#define TOKEN_COLUMNS	"id, name, hash, scopes, created, expires, revoked, last_used"

static const char SQL_NAME_TAKEN[] = "SELECT 1 FROM ingest_tokens WHERE name = ?1";
static const char SQL_ADD[] =
    "INSERT INTO ingest_tokens (id, name, hash, scopes, created, expires)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_LIST[] =
    "SELECT " TOKEN_COLUMNS " FROM ingest_tokens ORDER BY name";
static const char SQL_GET[] =
    "SELECT " TOKEN_COLUMNS " FROM ingest_tokens WHERE name = ?1 OR id = ?1"
    " ORDER BY name = ?1 DESC LIMIT 1";
static const char SQL_LIVE[] =
    "SELECT " TOKEN_COLUMNS " FROM ingest_tokens WHERE revoked IS NULL"
    " AND (expires IS NULL OR expires > ?1) ORDER BY id";
/* ?2 is "KEY~": when KEY is a name, the rows it was rotated from. */
static const char SQL_REVOKE[] =
    "UPDATE ingest_tokens SET revoked = ?3 WHERE revoked IS NULL"
    " AND (name = ?1 OR id = ?1 OR substr(name, 1, length(?2)) = ?2)";
static const char SQL_RETIRE[] =
    "UPDATE ingest_tokens SET name = ?2,"
    " revoked = CASE WHEN ?3 IS NULL THEN revoked ELSE coalesce(revoked, ?3) END,"
    " expires = CASE WHEN ?4 IS NULL OR (expires IS NOT NULL AND expires <= ?4)"
    "   THEN expires ELSE ?4 END"
    " WHERE id = ?1 AND name = ?5";
static const char SQL_TOUCH[] =
    "UPDATE ingest_tokens SET last_used = ?2 WHERE id = ?1"
    " AND (last_used IS NULL OR last_used < ?2)";

/* ns as ms, or SQL NULL for 0. */
static void
bind_opt_time(sqlite3_stmt *s, int i, int64_t ns)
{
	if (ns == 0)
		sqlite3_bind_null(s, i);
	else
		aiops_state_bind_time(s, i, ns);
}

static void
read_row(sqlite3_stmt *s, void *elem)
{
	struct aiops_token_row *t = elem;
	const char *id = aiops_state_column_str(s, 0);
	const void *h = sqlite3_column_blob(s, 2);

	memset(t, 0, sizeof(*t));
	if (id != NULL)
		snprintf(t->id, sizeof(t->id), "%s", id);
	t->name = aiops_state_column_dup(s, 1);
	if (h != NULL && sqlite3_column_bytes(s, 2) == AIOPS_TOKEN_HASH_LEN)
		memcpy(t->hash, h, AIOPS_TOKEN_HASH_LEN);
	t->scopes = aiops_state_column_dup(s, 3);
	t->created = aiops_state_column_time(s, 4);
	t->expires = aiops_state_column_time(s, 5);
	t->revoked = aiops_state_column_time(s, 6);
	t->last_used = aiops_state_column_time(s, 7);
}

/* Steps s (bound) to its end, every row into l. */
static int
read_rows(struct aiops_state *st, sqlite3_stmt *s, struct aiops_token_list *l)
{
	memset(l, 0, sizeof(*l));
	if (aiops_state_read_rows(st, s, (void **)&l->v, &l->n, sizeof(*l->v), read_row) == -1) {
		aiops_token_list_release(l);
		return -1;
	}
	return 0;
}

static int
name_taken(struct aiops_state *st, const char *name)
{
	sqlite3_stmt *s;
	int rc;

	if ((s = aiops_state_stmt(st, SQL_NAME_TAKEN)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, name);
	if ((rc = aiops_state_step(st, s)) == 1)
		sqlite3_reset(s);
	return rc;
}

static int
insert(struct aiops_state *st, const struct aiops_token_row *t)
{
	sqlite3_stmt *s;

	if ((s = aiops_state_stmt(st, SQL_ADD)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, t->id);
	aiops_state_bind_str(s, 2, t->name);
	sqlite3_bind_blob(s, 3, t->hash, AIOPS_TOKEN_HASH_LEN, SQLITE_STATIC);
	aiops_state_bind_str(s, 4, t->scopes);
	aiops_state_bind_time(s, 5, t->created);
	bind_opt_time(s, 6, t->expires);
	return aiops_state_done(st, s);
}

/* Begins a transaction unless one is open: *own 1 when this one did. */
static int
begin(struct aiops_state *st, int *own)
{
	*own = !aiops_state_in_transaction(st);
	return *own ? aiops_state_begin(st) : 0;
}

/* Ends what begin() began: rc 0 commits, else rolls back. Returns rc,
 * or -1 when the commit fails. */
static int
end(struct aiops_state *st, int own, int rc)
{
	if (!own)
		return rc;
	if (rc >= 0 && aiops_state_commit(st) == 0)
		return rc;
	aiops_state_rollback(st);
	return -1;
}

int
aiops_tokens_add(struct aiops_state *st, const struct aiops_token_row *t)
{
	int own, rc;

	if (begin(st, &own) == -1)
		return -1;
	if ((rc = name_taken(st, t->name)) == 0)
		rc = insert(st, t);
	return end(st, own, rc);
}

int
aiops_tokens_list(struct aiops_state *st, struct aiops_token_list *l)
{
	sqlite3_stmt *s;

	memset(l, 0, sizeof(*l));
	if ((s = aiops_state_stmt(st, SQL_LIST)) == NULL)
		return -1;
	return read_rows(st, s, l);
}

int
aiops_tokens_get(struct aiops_state *st, const char *key, struct aiops_token_list *l)
{
	sqlite3_stmt *s;

	memset(l, 0, sizeof(*l));
	if ((s = aiops_state_stmt(st, SQL_GET)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, key);
	return read_rows(st, s, l);
}

int
aiops_tokens_live(struct aiops_state *st, int64_t now, struct aiops_token_list *l)
{
	sqlite3_stmt *s;

	memset(l, 0, sizeof(*l));
	if ((s = aiops_state_stmt(st, SQL_LIVE)) == NULL)
		return -1;
	aiops_state_bind_time(s, 1, now);
	return read_rows(st, s, l);
}

int
aiops_tokens_revoke(struct aiops_state *st, const char *key, int64_t now, size_t *n)
{
	struct aiops_buf prefix = AIOPS_BUF_INIT;
	sqlite3_stmt *s;
	int rc;

	*n = 0;
	if ((s = aiops_state_stmt(st, SQL_REVOKE)) == NULL)
		return -1;
	aiops_buf_addf(&prefix, "%s~", key);
	aiops_state_bind_str(s, 1, key);
	aiops_state_bind_str(s, 2, prefix.data);
	aiops_state_bind_time(s, 3, now);
	if ((rc = aiops_state_done(st, s)) == 0)
		*n = (size_t)sqlite3_changes(aiops_state_db(st));
	aiops_buf_release(&prefix);
	return rc;
}

/* Renames the row old_id of name to NAME~OLDID, revoked or with a grace. */
static int
retire(struct aiops_state *st, const char *old_id, const char *name, int64_t now,
    int64_t grace)
{
	struct aiops_buf to = AIOPS_BUF_INIT;
	sqlite3_stmt *s;
	int rc;

	if ((s = aiops_state_stmt(st, SQL_RETIRE)) == NULL)
		return -1;
	aiops_buf_addf(&to, "%s~%s", name, old_id);
	aiops_state_bind_str(s, 1, old_id);
	aiops_state_bind_str(s, 2, to.data);
	bind_opt_time(s, 3, grace > 0 ? 0 : now);
	bind_opt_time(s, 4, grace > 0 ? now + grace : 0);
	aiops_state_bind_str(s, 5, name);
	if ((rc = aiops_state_done(st, s)) == 0)
		rc = sqlite3_changes(aiops_state_db(st)) == 1 ? 0 : 1;
	aiops_buf_release(&to);
	return rc;
}

int
aiops_tokens_rotate(struct aiops_state *st, const char *old_id,
    const struct aiops_token_row *fresh, int64_t now, int64_t grace)
{
	int own, rc;

	if (begin(st, &own) == -1)
		return -1;
	if ((rc = retire(st, old_id, fresh->name, now, grace)) == 0)
		rc = insert(st, fresh);
	if (own && rc == 1) {
		aiops_state_rollback(st);
		return 1;
	}
	return end(st, own, rc);
}

int
aiops_tokens_touch(struct aiops_state *st, const char *const *ids, size_t n, int64_t now)
{
	sqlite3_stmt *s;
	size_t i;
	int own, rc = 0;

	if (n == 0)
		return 0;
	if (begin(st, &own) == -1)
		return -1;
	for (i = 0; i < n && rc == 0; i++) {
		if ((s = aiops_state_stmt(st, SQL_TOUCH)) == NULL) {
			rc = -1;
			break;
		}
		aiops_state_bind_str(s, 1, ids[i]);
		aiops_state_bind_time(s, 2, now);
		rc = aiops_state_done(st, s);
	}
	return end(st, own, rc);
}

void
aiops_token_list_release(struct aiops_token_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].scopes);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}
