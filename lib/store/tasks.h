/*
 * tasks.h: aiops-run's durable task queue and audit log (tables run_tasks
 * and run_audit).
 *
 * A task is one rendered action for one rule and target. Its life:
 *   queued   waiting for next_attempt (a retry waits out its backoff);
 *   running  a worker claimed it (worker = "pid:start time" of that
 *            process, pgid = its action's process group) and runs it;
 *   succeeded / dead   the end: dead is a dead letter, error says why
 *            (failed every attempt, or interrupted and not idempotent).
 * Claiming is one UPDATE in the caller's transaction, so two workers never
 * claim the same task; the caller commits before it runs the action, so a
 * worker killed mid-task leaves the row running, for recovery to find.
 *
 * The audit log is append-only: a trigger refuses any UPDATE of run_audit,
 * and its retention deletes whole UTC days only.
 *
 * Times are int64 nanoseconds since the epoch, stored to the millisecond.
 * Strings given are borrowed; strings read back are new and the list's
 * release frees them. Functions return -1 on a failure that
 * aiops_state_errmsg() describes.
 */
#ifndef AIOPS_TASKS_STORE_H
#define AIOPS_TASKS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "store/state.h"

struct aiops_task {
	int64_t		 id;
	const char	*rule;
	const char	*target;
	const char	*host;		/* or NULL */
	const char	*event_id;	/* the triggering event's id, or NULL */
	const char	*spec;		/* the rendered action, JSON */
	int		 idempotent;
	const char	*state;		/* queued | running | succeeded | dead */
	int64_t		 created;
	int64_t		 next_attempt;
	int		 attempts;	/* made so far */
	int		 max_attempts;
	int64_t		 started;	/* the last attempt began; 0: never */
	int64_t		 finished;	/* 0 until succeeded or dead */
	const char	*worker;	/* or NULL */
	long		 pgid;		/* 0: none */
	int		 exit_status;	/* -1: none (not run, or killed) */
	const char	*output;	/* or NULL */
	const char	*error;		/* or NULL */
};

struct aiops_task_list {
	struct aiops_task	*v;
	size_t			 n;
};

/* Queues t (its id, state and attempt fields are ignored): *id set. 0, or -1. */
int aiops_task_add(struct aiops_state *st, const struct aiops_task *t, int64_t *id);
/*
 * The newest task of rule and target created at or after since, into l
 * (0 or 1 entries): the cooldown's question. 0, or -1.
 */
int aiops_task_last(struct aiops_state *st, const char *rule, const char *target,
    int64_t since, struct aiops_task_list *l);
/* The oldest queued task due by now (0 or 1 entries). 0, or -1. */
int aiops_task_due(struct aiops_state *st, int64_t now, struct aiops_task_list *l);
/* When the next queued task is due in *when, 0 when none is. 0, or -1. */
int aiops_task_next(struct aiops_state *st, int64_t *when);
/*
 * Claims queued task id for worker at now: running, one more attempt.
 * *claimed is 0 when it was not queued any more (another worker took it).
 */
int aiops_task_claim(struct aiops_state *st, int64_t id, const char *worker, int64_t now,
    int *claimed);
/* Records the process group of a running task's action. 0, or -1. */
int aiops_task_set_pgid(struct aiops_state *st, int64_t id, long pgid);
/*
 * Ends an attempt of running task id. state: "succeeded", "dead" (finished
 * at now) or "queued" (again at next_attempt). exit_status -1 for none;
 * output and error may be NULL. 0, or -1.
 */
int aiops_task_end(struct aiops_state *st, int64_t id, const char *state, int64_t now,
    int64_t next_attempt, int exit_status, const char *output, const char *error);
/* Every running task, oldest first (for recovery). 0, or -1. */
int aiops_task_running(struct aiops_state *st, struct aiops_task_list *l);
/*
 * Tasks, newest first, at most limit (0: all); state NULL for every state.
 */
int aiops_task_list(struct aiops_state *st, const char *state, size_t limit,
    struct aiops_task_list *l);
/* Deletes succeeded tasks finished before done_before and dead ones before
 * dead_before; *n how many. 0, or -1. */
int aiops_task_expire(struct aiops_state *st, int64_t done_before, int64_t dead_before,
    uint64_t *n);
void aiops_task_list_release(struct aiops_task_list *l);

/* One audit record. */
struct aiops_audit {
	int64_t		 seq;		/* set by the log, ignored when adding */
	int64_t		 ts;
	const char	*decision;	/* matched, suppressed, queued, started, ... */
	const char	*rule;		/* or NULL */
	const char	*target;	/* or NULL */
	int64_t		 task_id;	/* 0: none */
	const char	*event_id;	/* or NULL */
	const char	*detail;	/* or NULL */
};

int aiops_audit_add(struct aiops_state *st, const struct aiops_audit *a);
/* Calls fn with each record at or after since, in order; fn returns
 * nonzero to stop. 0, or -1. */
int aiops_audit_each(struct aiops_state *st, int64_t since,
    int (*fn)(void *arg, const struct aiops_audit *a), void *arg);
/* Deletes the UTC days that ended before `before` whole; *n records. */
int aiops_audit_expire(struct aiops_state *st, int64_t before, uint64_t *n);

#endif
