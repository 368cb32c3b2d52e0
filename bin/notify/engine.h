/*
 * engine.h: aiops-notify's dispatcher (engine.c): alerts in, groups'
 * timers, the notification log and the outbox in the state.
 */
#ifndef AIOPS_NOTIFY_ENGINE_H
#define AIOPS_NOTIFY_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/hmap.h"

struct aiops_alert;
struct aiops_conf;
struct aiops_out;
struct aiops_route_tree;
struct aiops_state;
struct aiops_timeint_set;
struct receivers;
struct inhibitor;

struct engine {
	struct aiops_state		*state;
	struct aiops_route_tree		*tree;
	struct aiops_timeint_set	*intervals;	/* notify.time_intervals */
	struct inhibitor		*inhibit;	/* notify.inhibit_rules */
	const struct receivers		*rcv;
	const char			*timezone;	/* of intervals without a location */
	const char			*external_url;
	struct aiops_out		*out;		/* suppression events, or NULL */
	int64_t				 resolve_timeout;
	int64_t				 next_timer;	/* when work is due next; 0: none */
	/*
	 * The groups known to be in the state ("receiver\0group_key" to
	 * non-NULL): an alert of a known group costs no read of its group.
	 * Dropped when another program wrote to the state, and when the
	 * groups it knows gone (known_gone, NULL values: the map has no
	 * removal) outnumber the others.
	 */
	struct aiops_hmap		 known;
	size_t				 known_gone;
	/* What the run did, for the summary and the tests. */
	unsigned long			 alerts, groups_made, enqueued, held, muted;
	char				 err[512];
};

/*
 * An input event: 1 it was an alert, routed and grouped; 0 it is not an
 * alert; -1 with err (a malformed alert: skip the line) or, when err is
 * empty, e->err (the state failed: stop).
 */
int engine_event(struct engine *e, const json_t *ev, int64_t now, char *err, size_t errlen);
/* Flushes every group due at now into the outbox. 0, or -1 (e->err). */
int engine_flush(struct engine *e, int64_t now);
/*
 * A transaction began: what the engine keeps in memory of the state (the
 * groups it knows, the sources of inhibition) is dropped when another
 * program wrote to it since. 0, or -1 (e->err).
 */
int engine_txn_begin(struct engine *e);

/* Inhibition (inhibit.c, over lib/notify/inhibit.h). */
struct inhibitor *engine_inhibit_new(const json_t *rules, const struct aiops_conf *cfg,
    char *err, size_t errlen);
void engine_inhibit_free(struct inhibitor *in);
/*
 * The sources of inhibition as they are at now: the alerts firing, read
 * from the alerts table when not yet loaded (or forgotten), those whose
 * end has passed taken out. 0, or -1 (e->err).
 */
int engine_inhibit_load(struct engine *e, int64_t now);
/* Another program wrote to the state: load again before the next use. */
void engine_inhibit_forget(struct inhibitor *in);
/* The intake stored alert a (its match labels): the set follows it. */
void engine_inhibit_note(struct engine *e, const struct aiops_alert *a, const json_t *labels,
    int64_t now);
/* 1 when inhibited at now, with *by the fingerprint of an alert that
 * inhibits it (valid until the set changes), else 0. */
int engine_inhibited(struct engine *e, const json_t *labels, int64_t now, const char **by);

#endif
