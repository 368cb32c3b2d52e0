/*
 * alert.h: every event of aiops(7) as an Alertmanager alert, for
 * aiops-notify: a label set (named by its fingerprint), annotations a
 * person reads, startsAt/endsAt and a status, filled into the struct
 * aiops_alert of store/alerts.h so the program can keep it in the alerts
 * table, and the label object its matchers (match/matcher.h) evaluate.
 *
 * Alertmanager's model (prometheus/alertmanager docs/alerts_api.md,
 * types/types.go; /work/shared/PEERS.md section 1): an alert is a label
 * set; its fingerprint is FNV-1a 64 over the pairs sorted by name, each
 * name and value followed by the byte 0xff, printed as 16 hex digits
 * (prometheus/common model/signature.go labelSetToFingerprint; the empty
 * set is the FNV offset basis cbf29ce484222325); it fires from startsAt
 * until endsAt, and is resolved once endsAt is past. A label whose value
 * is empty is no label (api/v2 removeEmptyLabels drops it before the
 * fingerprint): the mapping drops it too.
 *
 * The label set of a mapped alert names the thing that is wrong and does
 * not change while it is wrong, so an update and the resolution of it
 * have the same fingerprint: severity, which an incident or a task may
 * change, is a label only when the event's own labels hold it (an
 * Alertmanager alert); aiops_alertmap.match_labels adds it (and every
 * label) for routes, silences and inhibition, so `severity="critical"`
 * matches every type.
 *
 * Mapping (the aiops-notify(1) table; "series labels" are the event's
 * labels; the event's own keys win over series labels of the same name):
 *
 *  type        labels                        annotations          times, status
 *  alert       its labels + alertname;       its own              startsAt starts_at, endsAt ends_at;
 *              fingerprint kept (computed                         its status (firing with endsAt past
 *              when absent)                                       `now` is resolved); firing without
 *                                                                 ends_at: endsAt now +
 *                                                                 resolve_timeout (Alertmanager's API),
 *                                                                 unless relayed from an Alertmanager
 *                                                                 notification (it has group_key)
 *  incident    its labels (alertname         summary (title),     startsAt first_seen; open, updated
 *              aiops_incident, host, signal, description (its     firing; resolved: endsAt last_seen
 *              cluster); fingerprint kept;   summary sentence),
 *              without one: + incident_id,   suspected_cause,
 *              computed                      hosts, first_seen,
 *                                            last_seen, members,
 *                                            incident_id
 *  anomaly     alertname aiops_anomaly,      summary (value       startsAt ts, endsAt ts +
 *              host, name, series labels,    against its expected resolve_timeout (a point fires for
 *              template_id and service       range, or the        5 m, Alertmanager's default);
 *              (log anomalies)               reason), description firing until then
 *                                            (reason, detector,
 *                                            score), series
 *  prediction  alertname aiops_prediction,   summary ("reaches    startsAt ts, no endsAt: firing until
 *              host, name, series labels,    90% in 35.6 h (25.6  a prediction with status cleared
 *              threshold, direction          to 64.8 h)"),        resolves it (endsAt its ts)
 *                                            description, rule,
 *                                            eta, series
 *  task        alertname aiops_task, rule,   summary (rule,       requested, started, failed, dead
 *              target, action, host          action, target and   fire (startsAt ts); succeeded and
 *                                            result), description verified resolve (endsAt ts)
 *                                            (output), task_id
 *  metric log forecast gpu cluster search notification report, and types
 *  not known yet: no alert.
 *
 * Severity (the store's column and match_labels.severity): an alert's
 * own, none when it gives none (no label to group or match by, as in
 * Alertmanager); an incident's (warning when absent); anomalies warning, critical
 * for a log anomaly of a critical line; predictions warning, critical when
 * crossed or due within 24 h; tasks info, failed warning, dead critical.
 *
 * startsAt of an update: an incident says when it began; an anomaly, a
 * prediction or a task does not, and a cleared prediction or a finished
 * task carries only its own time. aiops_alertmap_merge() gives such an
 * alert the startsAt of the stored one it continues, as Alertmanager's
 * store merges an alert received again (provider/mem Put, Alert.Merge).
 *
 * Times are int64 nanoseconds since the epoch. Errors: -1 with "what and
 * where" in err (errlen bytes, NUL-terminated when errlen > 0).
 */
#ifndef AIOPS_NOTIFY_ALERT_H
#define AIOPS_NOTIFY_ALERT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/timeutil.h"
#include "store/alerts.h"

#define AIOPS_FINGERPRINT_LEN	16	/* hex digits */
/* How long an anomaly fires: Alertmanager's resolve_timeout default. */
#define AIOPS_ALERT_RESOLVE_TIMEOUT	(5 * 60 * AIOPS_NS_PER_SEC)
/* A prediction due within this is critical. */
#define AIOPS_ALERT_PREDICTION_URGENT	(24 * 3600 * AIOPS_NS_PER_SEC)
/* Bytes of a task's output kept in its description. */
#define AIOPS_ALERT_OUTPUT_MAX	4000

struct aiops_alertmap_opts {
	/* ns: an alert whose endsAt is at or before now is resolved; 0: the event's ts */
	int64_t		 now;
	/* ns an anomaly, or an alert without an end, fires; 0: AIOPS_ALERT_RESOLVE_TIMEOUT */
	int64_t		 resolve_timeout;
};

/*
 * A mapped alert. alert's pointers point into this struct (and stay valid
 * until aiops_alertmap_release()); the json_t members are owned (new
 * references the release drops): borrow them, json_incref() to keep.
 */
struct aiops_alertmap {
	struct aiops_alert	 alert;
	json_t			*labels;	/* object of strings: the set, alertname too */
	json_t			*match_labels;	/* labels + severity when not a label */
	json_t			*annotations;	/* object of strings */
	char			 fingerprint[AIOPS_FINGERPRINT_LEN + 1];
	const char		*type;		/* the event's type (static) */
	/* owned text behind alert's pointers */
	char			*labels_text, *annotations_text;
	char			*alertname, *severity, *host, *generator_url, *source;
};

/*
 * Maps ev (borrowed) into am, which it initialises. 1: an alert; 0: an
 * event that is no alert (am is then empty, release is still allowed);
 * -1: a malformed event (err: "incident: status is not open, updated or
 * resolved"). o may be NULL for the defaults.
 */
int aiops_alertmap_event(const json_t *ev, const struct aiops_alertmap_opts *o,
    struct aiops_alertmap *am, char *err, size_t errlen);
/* Frees what am holds; a zeroed or released am is a no-op. */
void aiops_alertmap_release(struct aiops_alertmap *am);
/*
 * Alertmanager's merge of an alert received again with the stored one of
 * the same fingerprint (provider/mem/mem.go Put): when their times
 * overlap (am's startsAt or endsAt within the stored episode, an open end
 * being endless), am keeps the earlier startsAt, and a firing am without
 * an end of its own keeps a later stored end. Anything else is a new
 * episode and am is left as it is. stored may be NULL.
 */
void aiops_alertmap_merge(struct aiops_alertmap *am, const struct aiops_alert *stored);
/*
 * The fingerprint of labels (an object of strings; members with an empty
 * value are skipped) into out. 0, or -1 when a value is not a string.
 */
int aiops_alert_fingerprint(const json_t *labels, char out[AIOPS_FINGERPRINT_LEN + 1]);

#endif
