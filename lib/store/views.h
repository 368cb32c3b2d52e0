/*
 * views.h: the state as aiops-ask reads it (issue 16). Two ways in, both
 * over the documented views of schema step 15 (aiops-ask(1) VIEWS):
 *
 *  - aiops_views_query(): one of the named queries below, written here,
 *    with named parameters bound from a JSON object (never spliced):
 *    what the offline intent engine, the model's tools and the MCP
 *    server call;
 *  - aiops_views_sql(): SQL text from outside (a model, a user), the one
 *    place where it is allowed: one statement, on a connection opened
 *    read-only, under an authorizer that lets it read the views only (no
 *    table, no ATTACH, no PRAGMA, no write, no function that reaches out
 *    such as load_extension), stopped after a time limit by the progress
 *    handler, and at most max_rows rows.
 *
 * Rows come back as JSON objects, column name to value (SQLite's
 * integers, reals, text, NULL; a text column holding a JSON object or
 * array, such as labels, comes back parsed). Times in parameters are
 * milliseconds since the epoch, as the tables keep them.
 */
#ifndef AIOPS_STORE_VIEWS_H
#define AIOPS_STORE_VIEWS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "store/state.h"

/* The views aiops_views_sql() may read, NULL-terminated. */
extern const char *const aiops_views[];

/*
 * Runs the named query (see views.c: hosts, metrics, clusters, alerts,
 * anomalies, incidents, predictions, metric_agg, metric_top, templates,
 * templates_new, logs, log_counts, tasks, audit, mttr, mtbf, uptime,
 * restarts...) with params (an object; a missing parameter is NULL),
 * appending at most max_rows rows to the array rows; *truncated set when
 * more were there. 0; -1 with err ("no query NAME" or SQLite's words).
 */
int aiops_views_query(struct aiops_state *st, const char *name, const json_t *params,
    size_t max_rows, json_t *rows, int *truncated, char *err, size_t errlen);

/*
 * Runs untrusted SQL as described above. st must have been opened with
 * AIOPS_STATE_READONLY. 0; -1 with err saying why it was refused or
 * failed ("not allowed: table points; read the views: v_points...",
 * "interrupted after 2000 ms").
 */
int aiops_views_sql(struct aiops_state *st, const char *sql, size_t max_rows, long timeout_ms,
    json_t *rows, int *truncated, char *err, size_t errlen);

/* aiops-ask's records (the ask_ tables). Times in ns. */
struct aiops_ask_decision {
	int64_t		 session;	/* 0: none */
	int64_t		 ts;
	const char	*question, *intent;
	double		 confidence;
	const char	*backend, *model;
	const char	*tools;		/* JSON text */
	const char	*answer;
	int64_t		 elapsed_ms;
};

/* A new session: its id in *id. 0, or -1. */
int aiops_ask_session_new(struct aiops_state *st, int64_t now, const char *user,
    const char *persona, const char *backend, const char *model, int64_t *id);
int aiops_ask_message_add(struct aiops_state *st, int64_t session, int64_t ts, const char *role,
    const char *content);
/* The messages of a session, oldest first, as [{role, content}] appended to out. */
int aiops_ask_messages(struct aiops_state *st, int64_t session, size_t max, json_t *out);
int aiops_ask_decision_add(struct aiops_state *st, const struct aiops_ask_decision *d);
/* Deletes sessions (and their messages) last used, and decisions made, before these times. */
int aiops_ask_expire(struct aiops_state *st, int64_t sessions_before, int64_t decisions_before);

#endif
