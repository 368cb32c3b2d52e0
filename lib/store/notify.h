/*
 * notify.h: what aiops-notify keeps between runs (tables notify_groups,
 * notify_members, notify_outbox, silences). Alert state itself is the
 * alerts table (store/alerts.h); this is only routing, grouping and
 * delivery state, so a restart resumes exactly where the last run stopped.
 *
 * Alertmanager's model (prometheus/alertmanager: dispatch/dispatch.go,
 * nflog/nflog.go, silence/silence.go), made durable:
 *  - a group is one receiver and one group key (the route's key and the
 *    group_by labels' values); its timer fires first group_wait after its
 *    first alert, then every group_interval (next_flush);
 *  - the notification log (nflog) of a group is the set of firing and of
 *    resolved alerts last notified (their fingerprints, sorted, joined by
 *    ","), and when (last_notified): what a flush compares with to know
 *    whether there is news (Alertmanager's DedupStage);
 *  - the outbox holds every notification before any attempt is made: a
 *    row is pending until the receiver took it (sent) or refused it for
 *    good (dead, with the reason: a dead letter). A pending row whose
 *    attempt was cut by a crash is attempted again on restart with the
 *    same dedup key, so a receiver that deduplicates sees it once;
 *  - a silence mutes the alerts its matchers select from starts_at to
 *    ends_at; a recurring one (schedule) only inside its time intervals.
 *
 * Times in and out are int64 nanoseconds since the epoch, stored to the
 * millisecond. Strings given to writers are borrowed; read back they are
 * new and the list's release frees them. Functions return -1 on a
 * failure that aiops_state_errmsg() describes.
 */
#ifndef AIOPS_NOTIFY_STORE_H
#define AIOPS_NOTIFY_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "store/state.h"

/* A group's timer and notification log. */
struct aiops_notify_group {
	const char	*receiver;
	const char	*group_key;	/* Alertmanager's: route key ":" group labels */
	const char	*route;		/* the id of the route that made it */
	const char	*group_labels;	/* JSON object */
	int64_t		 created;	/* its first alert arrived */
	int64_t		 next_flush;	/* when its timer fires next */
	int64_t		 last_notified;	/* 0: never */
	int64_t		 last_flush;	/* its timer last fired; 0: never */
	const char	*told_firing;	/* the firing set last notified, or NULL */
	const char	*told_resolved;	/* the resolved set last notified, or NULL */
	const char	*external_ref;	/* the receiver's record (ServiceNow sys_id and
					 * number, as JSON), or NULL */
};

struct aiops_notify_group_list {
	struct aiops_notify_group	*v;
	size_t				 n;
};

/* Stores g over the one of its receiver and group key. 0, or -1. */
int aiops_notify_group_put(struct aiops_state *st, const struct aiops_notify_group *g);
/* The group of receiver and key into l (0 or 1 entries). 0, or -1. */
int aiops_notify_group_get(struct aiops_state *st, const char *receiver,
    const char *group_key, struct aiops_notify_group_list *l);
/* Groups whose timer is due (next_flush <= now), soonest first. 0, or -1. */
int aiops_notify_groups_due(struct aiops_state *st, int64_t now,
    struct aiops_notify_group_list *l);
/* The earliest timer of a group in *when, 0 when there is none. 0, or -1. */
int aiops_notify_groups_next(struct aiops_state *st, int64_t *when);
/* Deletes a group and its members. 0 (also when there was none), or -1. */
int aiops_notify_group_delete(struct aiops_state *st, const char *receiver,
    const char *group_key);
void aiops_notify_group_list_release(struct aiops_notify_group_list *l);

/* The alerts of a group, by fingerprint (store/alerts.h has their state). */
int aiops_notify_member_add(struct aiops_state *st, const char *receiver,
    const char *group_key, const char *fingerprint, int64_t joined);
int aiops_notify_member_remove(struct aiops_state *st, const char *receiver,
    const char *group_key, const char *fingerprint);
/* Calls fn for each fingerprint of the group and when it joined, in that
 * order (then by fingerprint); fn returns nonzero to stop. 0, or -1. */
int aiops_notify_members(struct aiops_state *st, const char *receiver,
    const char *group_key, int (*fn)(void *arg, const char *fingerprint, int64_t joined),
    void *arg);

/* A notification in the outbox. */
enum aiops_outbox_state {
	AIOPS_OUTBOX_PENDING,	/* to be attempted at next_attempt */
	AIOPS_OUTBOX_SENT,	/* the receiver took it */
	AIOPS_OUTBOX_DEAD	/* refused for good: error says why */
};

struct aiops_outbox_msg {
	int64_t			 id;		/* set by aiops_outbox_add() */
	const char		*receiver;
	const char		*group_key;
	const char		*dedup_key;	/* the same for every attempt */
	const char		*payload;	/* what to deliver, JSON */
	int64_t			 created;
	int64_t			 next_attempt;
	unsigned		 attempts;	/* made so far */
	enum aiops_outbox_state	 state;
	int64_t			 done;		/* sent or dead at; 0 while pending */
	int			 status;	/* the last HTTP (or SMTP) status, 0: none */
	const char		*error;		/* the last failure, or NULL */
};

struct aiops_outbox_list {
	struct aiops_outbox_msg	*v;
	size_t			 n;
};

/* Records m as pending; its id in *id. 0, or -1. */
int aiops_outbox_add(struct aiops_state *st, const struct aiops_outbox_msg *m, int64_t *id);
/*
 * Counts an attempt before it is made (attempts + 1, next_attempt moved to
 * retry_at), so a crash during it leaves a row that is retried, not lost.
 */
int aiops_outbox_attempt(struct aiops_state *st, int64_t id, int64_t retry_at);
/* The attempt failed and will be retried at retry_at. */
int aiops_outbox_retry(struct aiops_state *st, int64_t id, int64_t retry_at,
    int status, const char *error);
/* The receiver took it, or refused it for good (error says why). */
int aiops_outbox_sent(struct aiops_state *st, int64_t id, int64_t at, int status);
int aiops_outbox_dead(struct aiops_state *st, int64_t id, int64_t at, int status,
    const char *error);
/* Pending ones due (next_attempt <= now), oldest first, at most max. */
int aiops_outbox_due(struct aiops_state *st, int64_t now, size_t max,
    struct aiops_outbox_list *l);
/* Those in a state, newest first, at most max (0: all). */
int aiops_outbox_list(struct aiops_state *st, enum aiops_outbox_state state,
    size_t max, struct aiops_outbox_list *l);
/* How many of a receiver's rows were sent at or after since, and when the
 * first of them was (for a rate limit). 0, or -1. */
int aiops_outbox_sent_since(struct aiops_state *st, const char *receiver, int64_t since,
    uint64_t *n, int64_t *first);
/* The earliest next_attempt of a pending row, 0 when none. */
int aiops_outbox_next(struct aiops_state *st, int64_t *when);
/* Deletes sent rows done before sent_before and dead ones before
 * dead_before; how many in *n. Pending rows are never dropped. */
int aiops_outbox_expire(struct aiops_state *st, int64_t sent_before,
    int64_t dead_before, uint64_t *n);
void aiops_outbox_list_release(struct aiops_outbox_list *l);

/* A silence. */
struct aiops_silence {
	const char	*id;
	const char	*matchers;	/* Alertmanager's set, {a="x",b=~"y"} */
	int64_t		 starts_at;
	int64_t		 ends_at;
	const char	*schedule;	/* recurring: time intervals as JSON, or NULL */
	const char	*created_by;
	const char	*comment;
	int64_t		 created;
	int64_t		 updated;
};

struct aiops_silence_list {
	struct aiops_silence	*v;
	size_t			 n;
};

/* Stores s over the one of its id. 0, or -1. */
int aiops_silence_put(struct aiops_state *st, const struct aiops_silence *s);
/* Ends it at now if it had not ended (found: 1, or 0 when no such id or it
 * had already ended). 0, or -1. */
int aiops_silence_expire(struct aiops_state *st, const char *id, int64_t now, int *found);
/* Those not ended at now (active or to come), by starts_at then id; all
 * of them when all is set. 0, or -1. */
int aiops_silences_list(struct aiops_state *st, int64_t now, int all,
    struct aiops_silence_list *l);
/* Deletes those ended before before; how many in *n. 0, or -1. */
int aiops_silences_prune(struct aiops_state *st, int64_t before, uint64_t *n);
void aiops_silence_list_release(struct aiops_silence_list *l);

#endif
