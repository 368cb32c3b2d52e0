/*
 * alerts.h: the alerts aiops-ingest --store received (tables alerts and
 * alert_history): the current state of each alert, by fingerprint, and
 * the history of its episodes. The one place that keeps alert state:
 * aiops-detect, aiops-notify, aiops-run (did the alert resolve?) and
 * aiops-ask (what fires now?) read it here.
 *
 * Alertmanager's model (prometheus/alertmanager: docs/alerts_api.md,
 * types/types.go): an alert is a label set, named by its fingerprint; an
 * episode of it is one startsAt; it fires until endsAt, and an alert
 * whose endsAt is past is resolved. Webhook notifications of a firing
 * alert carry no endsAt (Alertmanager hides one not yet reached) and are
 * sent again every group_interval or repeat_interval.
 *
 * How a notification changes the state, decided by its times and not by
 * the order it arrives in (a webhook may be re-delivered or overtaken):
 *  - an episode later than the stored one (a greater startsAt) replaces
 *    it; an earlier one is late: it only adds to the history;
 *  - within an episode a resolved notification ends it and is final: a
 *    firing notification of the same startsAt received after it is late
 *    (history only), unless it carries an endsAt later than the recorded
 *    end, or the end was only aiops-ingest's guess (expired below): then
 *    the alert fires again and the end is taken out of the history;
 *  - a notification the state already has (a re-delivery) only moves the
 *    last_seen times and counts the receipt: no new history row.
 * The sweep (aiops_alerts_sweep) resolves a firing alert whose endsAt is
 * past, and one not received for the expiry time (Alertmanager re-sends a
 * firing alert at least every repeat_interval; the alert is then marked
 * expired), and deletes what the retention no longer keeps.
 *
 * Times in and out are int64 nanoseconds since the epoch, stored to the
 * millisecond; an episode is its startsAt to the millisecond. Received
 * times are on the toolkit clock. Functions return -1 on a failure that
 * aiops_state_errmsg() describes.
 */
#ifndef AIOPS_ALERTS_H
#define AIOPS_ALERTS_H

#include <stddef.h>
#include <stdint.h>

#include "store/state.h"

/*
 * An alert. Given to the writers the pointers are borrowed; from
 * aiops_alerts_get() they are new (aiops_alert_release() frees them);
 * given to a reader's callback they are valid during the call only.
 * status is always one of the two static strings.
 */
struct aiops_alert {
	const char	*fingerprint;	/* Alertmanager's (16 hex digits), or computed */
	const char	*alertname;
	const char	*status;	/* "firing" or "resolved" */
	int		 expired;	/* resolved by the sweep: not received for long */
	const char	*severity;	/* or NULL */
	const char	*host;		/* or NULL */
	const char	*labels;	/* JSON object: the whole label set, alertname too */
	const char	*annotations;	/* JSON object */
	int64_t		 starts_at;	/* ns: the episode */
	int64_t		 ends_at;	/* ns; 0: none (firing with no end given) */
	const char	*generator_url;	/* or NULL */
	const char	*source;	/* the event's source (alertmanager...) */
	int64_t		 first_seen;	/* ns: the episode first received (readers only) */
	int64_t		 last_seen;	/* ns: last received (readers only) */
};

/* One row of the history: the start or the end of an episode. */
struct aiops_alert_change {
	const char	*fingerprint;
	int64_t		 starts_at;	/* ns: the episode */
	const char	*status;	/* "firing" (it began) or "resolved" (it ended) */
	int64_t		 ts;		/* ns: starts_at, or the end (endsAt) */
	int		 expired;	/* the end is the sweep's guess */
	int64_t		 first_seen;	/* ns: first received (or inferred by the sweep) */
	int64_t		 last_seen;	/* ns: last received */
	unsigned long	 receipts;	/* notifications received; 0: inferred by the sweep */
};

/* What aiops_alerts_put() did with a notification. */
enum aiops_alert_outcome {
	AIOPS_ALERT_NEW,	/* an alert not stored before */
	AIOPS_ALERT_CHANGED,	/* a new episode, or the episode fired or ended */
	AIOPS_ALERT_REPEATED,	/* what the state had: last_seen moved */
	AIOPS_ALERT_LATE,	/* older than the state: history only */
};

/*
 * Applies one notification received at `received` (ns), in the caller's
 * transaction if one is open. The outcome, or -1.
 */
int aiops_alerts_put(struct aiops_state *st, const struct aiops_alert *a, int64_t received);
/*
 * At now (ns): resolves firing alerts whose endsAt is past, and, when
 * expire > 0, those not received for expire ns (expired, ended expire
 * after they were last received); when retention > 0, deletes the
 * alerts resolved and not received for retention ns with their history,
 * and the history rows of earlier episodes not received for as long.
 * 0, or -1.
 */
int aiops_alerts_sweep(struct aiops_state *st, int64_t now, int64_t expire, int64_t retention);

/*
 * The alerts firing at now (ns; an endsAt at or before it counts as
 * resolved even before a sweep wrote so), by starts_at then fingerprint.
 * fn is called for each until it returns nonzero; it must not call
 * aiops_alerts_current() itself. 0 (or fn's value), or -1.
 */
int aiops_alerts_current(struct aiops_state *st, int64_t now,
    int (*fn)(void *arg, const struct aiops_alert *a), void *arg);
/*
 * The alert with this fingerprint as it is at now (ns): resolved when its
 * endsAt is at or before now. 1 and a filled, 0 if none, -1 on error.
 */
int aiops_alerts_get(struct aiops_state *st, const char *fingerprint, int64_t now,
    struct aiops_alert *a);
void aiops_alert_release(struct aiops_alert *a);
/*
 * The history of one alert (fingerprint NULL: of every alert) from since
 * (ns, by ts; 0: all), by ts, a start before an end at the same time.
 * fn as for aiops_alerts_current(). 0 (or fn's value), or -1.
 */
int aiops_alerts_history(struct aiops_state *st, const char *fingerprint, int64_t since,
    int (*fn)(void *arg, const struct aiops_alert_change *c), void *arg);

/*
 * For aiops-ingest: notifications gathered and applied in one transaction
 * per batch (every 256, or when the oldest waited a second, and at each
 * flush), with a sweep after each batch. A batch that fails is kept whole
 * for the next flush. expire and retention as for aiops_alerts_sweep().
 */
struct aiops_alertstore;

struct aiops_alertstore_counts {
	unsigned long	 added, changed, repeated, late;
};

struct aiops_alertstore *aiops_alertstore_new(struct aiops_state *st, int64_t expire,
    int64_t retention);
/* Copies a. -1 when a batch it completed failed (kept for the next flush). */
int aiops_alertstore_add(struct aiops_alertstore *as, const struct aiops_alert *a,
    int64_t received);
int aiops_alertstore_flush(struct aiops_alertstore *as);
/* What the last flush failed on; NULL after a flush that worked. */
const char *aiops_alertstore_errmsg(struct aiops_alertstore *as);
/* The outcomes of the notifications stored so far. */
const struct aiops_alertstore_counts *aiops_alertstore_counts(struct aiops_alertstore *as);
/*
 * Drops the notifications not yet applied, for a caller that rolled back
 * the outer transaction its flush was nested in (state.h) and answered
 * the senders that nothing was kept.
 */
void aiops_alertstore_forget(struct aiops_alertstore *as);
/* Frees as and what it still holds (flush first). */
void aiops_alertstore_free(struct aiops_alertstore *as);

#endif
