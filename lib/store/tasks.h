/*
 * tasks.h: aiops-run's durable task queue and audit log (tables run_tasks
 * and run_audit).
 *
 * A task is one rendered action for one rule and target. Its life:
 *   approval  its rule asks a person first: approved it is queued, denied
 *             or not decided by approval_expires it ends (denied, expired);
 *   queued    waiting for next_attempt (a retry waits out its backoff);
 *   running   a worker claimed it (worker = "pid:start time" of that
 *             process, pgid = its action's process group) and runs it;
 *   verifying the action succeeded; its rule's condition is checked at
 *             next_attempt until it holds (verified) or verify_deadline
 *             passes (unverified);
 *   succeeded, verified, unverified, dead, denied, expired: the ends.
 *             dead is a dead letter, error says why (failed every
 *             attempt, or interrupted and not idempotent).
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
	const char	*throttle_key;	/* or NULL */
	const char	*event_id;	/* the triggering event's id, or NULL */
	const char	*action;	/* command:PROGRAM or ansible:PLAYBOOK */
	const char	*spec;		/* the rendered action, JSON */
	int		 idempotent;
	const char	*state;		/* as above */
	int64_t		 approval_expires;	/* 0: none */
	const char	*decided_by;	/* or NULL */
	int64_t		 verify_deadline;	/* 0: none */
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

/* Adds t in t->state (queued or approval; its id and attempt fields are
 * ignored): *id set. 0, or -1. */
int aiops_task_add(struct aiops_state *st, const struct aiops_task *t, int64_t *id);
/*
 * The newest task of rule and target created at or after since, into l
 * (0 or 1 entries): the cooldown's question. 0, or -1.
 */
int aiops_task_last(struct aiops_state *st, const char *rule, const char *target,
    int64_t since, struct aiops_task_list *l);
/* Tasks of rule and throttle key created at or after since, in *n. */
int aiops_task_count_since(struct aiops_state *st, const char *rule, const char *key,
    int64_t since, int64_t *n);
/*
 * The oldest queued task due by now whose host runs fewer than per_host
 * tasks (0: no limit), into l (0 or 1 entries). 0, or -1.
 */
int aiops_task_due(struct aiops_state *st, int64_t now, int per_host,
    struct aiops_task_list *l);
/* Tasks verifying whose next check is due by now, oldest first. */
int aiops_task_verify_due(struct aiops_state *st, int64_t now, struct aiops_task_list *l);
/* Tasks awaiting approval whose approval expired by now. */
int aiops_task_approval_expired(struct aiops_state *st, int64_t now,
    struct aiops_task_list *l);
/* When the next queued or verifying task is due in *when, 0 when none is. */
int aiops_task_next(struct aiops_state *st, int64_t *when);
/* Task id into l (0 or 1 entries). 0, or -1. */
int aiops_task_get(struct aiops_state *st, int64_t id, struct aiops_task_list *l);
/*
 * Moves task id from state `from` to state `to` at now: next_attempt and
 * verify_deadline set when not 0, finished set for an end state, error
 * and decided_by when not NULL. *moved is 0 when it was not in `from`.
 */
int aiops_task_move(struct aiops_state *st, int64_t id, const char *from, const char *to,
    int64_t now, int64_t next_attempt, int64_t verify_deadline, const char *error,
    const char *decided_by, int *moved);
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
/* Deletes tasks that ended well (succeeded, verified) before done_before
 * and the others (dead, unverified, denied, expired) before dead_before;
 * *n how many. 0, or -1. */
int aiops_task_expire(struct aiops_state *st, int64_t done_before, int64_t dead_before,
    uint64_t *n);
void aiops_task_list_release(struct aiops_task_list *l);

/* A target's circuit breaker: its failures in a row, and when it opened. */
struct aiops_breaker {
	int		 failures;
	int64_t		 opened;	/* 0: closed */
	int64_t		 last_task;
	char		*reason;	/* the last failure, or NULL: free(3) */
};

/* The breaker of target (zeroed when it has none). 0, or -1. */
int aiops_breaker_get(struct aiops_state *st, const char *target, struct aiops_breaker *b);
/*
 * A failure of task on target: counted, and the breaker opened at now
 * when the count reaches threshold (*opened 1 then, the first time). 0, or -1.
 */
int aiops_breaker_failure(struct aiops_state *st, const char *target, int64_t task,
    int64_t now, int threshold, const char *reason, int *opened);
/* Closes target's breaker and forgets its failures (a success, a reset). */
int aiops_breaker_reset(struct aiops_state *st, const char *target);

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
