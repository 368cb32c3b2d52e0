/*
 * clusters.c: table clusters (store/clusters.h has the rules).
 */
#include "compat.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "store/clusters.h"
#include "store/state.h"
#include "store/state_int.h"

#define CLUSTER_COLUMNS \
    "name, environment, type, labels, has_gpu, endpoints, credentials, created, updated," \
    " status, status_since, failures, health"

static const char SQL_CLUSTER_ADD[] =
    "INSERT INTO clusters (name, environment, type, labels, has_gpu, endpoints, credentials,"
    " created, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)"
    " ON CONFLICT (name) DO NOTHING";
static const char SQL_CLUSTER_UPDATE[] =
    "UPDATE clusters SET environment = ?2, type = ?3, labels = ?4, has_gpu = ?5,"
    " endpoints = ?6, credentials = ?7, updated = ?8 WHERE name = ?1";
static const char SQL_CLUSTER_REMOVE[] = "DELETE FROM clusters WHERE name = ?1";
static const char SQL_CLUSTER_GET[] =
    "SELECT " CLUSTER_COLUMNS " FROM clusters WHERE name = ?1";
static const char SQL_CLUSTER_LIST[] =
    "SELECT " CLUSTER_COLUMNS " FROM clusters WHERE (?1 IS NULL OR environment = ?1)"
    " AND (?2 IS NULL OR type = ?2) AND (?3 < 0 OR has_gpu = ?3) ORDER BY name";
static const char SQL_CLUSTER_HEALTH[] =
    "UPDATE clusters SET"
    " status_since = CASE WHEN status IS ?2 AND status_since IS NOT NULL"
    "   THEN status_since ELSE ?5 END,"
    " status = ?2, failures = ?3, health = ?4 WHERE name = ?1";

/* Binds the fields ?2 to ?8 that add and update share. */
static void
bind_cluster(sqlite3_stmt *s, const struct aiops_cluster *c, int64_t when)
{
	aiops_state_bind_str(s, 1, c->name);
	aiops_state_bind_str(s, 2, c->environment);
	aiops_state_bind_str(s, 3, c->type);
	aiops_state_bind_str(s, 4, c->labels != NULL ? c->labels : "{}");
	sqlite3_bind_int(s, 5, c->has_gpu != 0);
	aiops_state_bind_str(s, 6, c->endpoints != NULL ? c->endpoints : "{}");
	aiops_state_bind_str(s, 7, c->credentials != NULL ? c->credentials : "{}");
	aiops_state_bind_time(s, 8, when);
}

/* Runs s (bound) and sets *changed to whether it changed a row. */
static int
change(struct aiops_state *st, sqlite3_stmt *s, int *changed)
{
	*changed = 0;
	if (aiops_state_done(st, s) == -1)
		return -1;
	*changed = sqlite3_changes(aiops_state_db(st)) > 0;
	return 0;
}

int
aiops_cluster_add(struct aiops_state *st, const struct aiops_cluster *c, int *added)
{
	sqlite3_stmt *s;

	*added = 0;
	if ((s = aiops_state_stmt(st, SQL_CLUSTER_ADD)) == NULL)
		return -1;
	bind_cluster(s, c, c->created);
	return change(st, s, added);
}

int
aiops_cluster_update(struct aiops_state *st, const struct aiops_cluster *c, int *found)
{
	sqlite3_stmt *s;

	*found = 0;
	if ((s = aiops_state_stmt(st, SQL_CLUSTER_UPDATE)) == NULL)
		return -1;
	bind_cluster(s, c, c->updated);
	return change(st, s, found);
}

int
aiops_cluster_remove(struct aiops_state *st, const char *name, int *found)
{
	sqlite3_stmt *s;

	*found = 0;
	if ((s = aiops_state_stmt(st, SQL_CLUSTER_REMOVE)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, name);
	return change(st, s, found);
}

/* The row s is on, as a cluster of new strings. */
static void
read_cluster(sqlite3_stmt *s, void *elem)
{
	struct aiops_cluster *c = elem;

	c->name = aiops_state_column_dup(s, 0);
	c->environment = aiops_state_column_dup(s, 1);
	c->type = aiops_state_column_dup(s, 2);
	c->labels = aiops_state_column_dup(s, 3);
	c->has_gpu = sqlite3_column_int(s, 4);
	c->endpoints = aiops_state_column_dup(s, 5);
	c->credentials = aiops_state_column_dup(s, 6);
	c->created = aiops_state_column_time(s, 7);
	c->updated = aiops_state_column_time(s, 8);
	c->status = aiops_state_column_dup(s, 9);
	c->status_since = aiops_state_column_time(s, 10);
	c->failures = sqlite3_column_int(s, 11);
	c->health = aiops_state_column_dup(s, 12);
}

/* Steps s (bound) to its end, appending every row to l. */
static int
read_clusters(struct aiops_state *st, sqlite3_stmt *s, struct aiops_cluster_list *l)
{
	memset(l, 0, sizeof(*l));
	if (aiops_state_read_rows(st, s, (void **)&l->v, &l->n, sizeof(*l->v), read_cluster) == -1) {
		aiops_cluster_list_release(l);
		return -1;
	}
	return 0;
}

int
aiops_cluster_get(struct aiops_state *st, const char *name, struct aiops_cluster_list *l)
{
	sqlite3_stmt *s;

	memset(l, 0, sizeof(*l));
	if ((s = aiops_state_stmt(st, SQL_CLUSTER_GET)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, name);
	return read_clusters(st, s, l);
}

int
aiops_cluster_list(struct aiops_state *st, const struct aiops_cluster_filter *f,
    struct aiops_cluster_list *l)
{
	sqlite3_stmt *s;

	memset(l, 0, sizeof(*l));
	if ((s = aiops_state_stmt(st, SQL_CLUSTER_LIST)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, f != NULL ? f->environment : NULL);
	aiops_state_bind_str(s, 2, f != NULL ? f->type : NULL);
	sqlite3_bind_int(s, 3, f != NULL ? f->has_gpu : -1);
	return read_clusters(st, s, l);
}

int
aiops_cluster_health(struct aiops_state *st, const char *name, const char *status,
    int failures, const char *health, int64_t now, int *found)
{
	sqlite3_stmt *s;

	*found = 0;
	if ((s = aiops_state_stmt(st, SQL_CLUSTER_HEALTH)) == NULL)
		return -1;
	aiops_state_bind_str(s, 1, name);
	aiops_state_bind_str(s, 2, status);
	sqlite3_bind_int(s, 3, failures);
	aiops_state_bind_str(s, 4, health);
	aiops_state_bind_time(s, 5, now);
	return change(st, s, found);
}

void
aiops_cluster_list_release(struct aiops_cluster_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		struct aiops_cluster *c = &l->v[i];

		free((char *)c->name);
		free((char *)c->environment);
		free((char *)c->type);
		free((char *)c->labels);
		free((char *)c->endpoints);
		free((char *)c->credentials);
		free((char *)c->status);
		free((char *)c->health);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}
