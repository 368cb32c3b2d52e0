/*
 * run.h: what the files of aiops-run share.
 */
#ifndef AIOPS_RUN_H
#define AIOPS_RUN_H

#include <jansson.h>
#include <stdint.h>

#include "io/out.h"
#include "net/http.h"
#include "net/retry.h"
#include "run/rule.h"
#include "store/state.h"
#include "store/tasks.h"

/* The queue's side: what runs tasks (worker.c). */
struct worker {
	struct aiops_state	*state;
	struct aiops_out	*out;
	const char		*ansible;	/* ansible-playbook's path or name */
	struct aiops_backoff	 backoff;	/* between a failed attempt and the next */
	size_t			 output_max;	/* bytes of an action's output kept */
	int			 per_host;	/* tasks a host may run at once; 0: any */
	int			 breaker_failures;	/* in a row that open a target's
						 * breaker; 0: never */
	int64_t			 breaker_reset;	/* an open breaker closes after; 0: by hand */
	struct aiops_http	*http;		/* made on the first HTTP action */
	char			 id[64];	/* this process: pid:start time */
	unsigned long		 ran;		/* tasks run */
};

/* Claims and runs every task due by now, one after the other, until none
 * is left or aiops_stop; a state failure exits. */
void worker_run_due(struct worker *w);
/* Tasks left running by a worker that died: killed, then queued again
 * (idempotent) or dead. */
void worker_recover(struct worker *w);
/*
 * A task ended badly (dead, unverified): its target's breaker counts it,
 * and opening says so (audit, a breaker-open task event). In the open
 * transaction.
 */
void worker_failure(struct worker *w, const struct aiops_task *t, const char *reason);
/* Is target's circuit breaker open at now? detail says since when and why. */
int worker_breaker_open(struct worker *w, const char *target, int64_t now, char *detail,
    size_t len);
/* A task ended well: its target's breaker closes. In the open transaction. */
void worker_success(struct worker *w, const struct aiops_task *t);

/* What an HTTP action came to (http.c); its strings are new. */
struct http_outcome {
	long	 status;	/* HTTP status, 0 when none came */
	char	*output;	/* what the service made, when it succeeded */
	char	*error;		/* why it failed, or NULL */
	int	 permanent;	/* retrying cannot help */
	char	*retry_after;	/* the service's Retry-After, or NULL */
};

/* Performs spec's request (kind "http") for task_id. 0 ok, -1 failed. */
int http_action(struct worker *w, const json_t *spec, int64_t task_id, struct http_outcome *o);

/*
 * verify.c: checks the condition of a verifying task at now. 1 when it
 * holds, 0 when not (yet), with what was seen in seen (for the record).
 */
int verify_check(struct worker *w, const struct aiops_task *t, const json_t *verify,
    int64_t now, char *seen, size_t len);

/*
 * A task event on out: {"type":"task","ts":...,"status":status,...}, with
 * the task's id, rule, target, host and triggering event's id when t is
 * given, and the members of extra (borrowed, may be NULL).
 */
void task_event(struct aiops_out *out, const char *status, int64_t ts,
    const struct aiops_task *t, const json_t *extra);
/* An audit record, exiting on a state failure. */
void audit(struct aiops_state *st, int64_t ts, const char *decision, const char *rule,
    const char *target, int64_t task_id, const char *event_id, const char *detail);
/* Exits with the state's status and message. */
void state_fatal(struct aiops_state *st, const char *doing) __attribute__((noreturn));

/* aiops-run test|tasks|audit. */
int run_query_main(const char *verb, int argc, char **argv);
/* aiops-run approve|deny|reset. */
int run_decide_main(const char *verb, int argc, char **argv);

#endif
