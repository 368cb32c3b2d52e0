/*
 * payload.h: the bodies aiops-notify sends for one group of alerts, each
 * built with jansson to its receiver's contract (/work/shared/PEERS.md
 * sections 1 and 7):
 *
 *  - the Alertmanager webhook, version "4", as Alertmanager 0.25 sends it
 *    (notify/webhook/webhook.go Message, template/template.go Data): the
 *    same members in the same order, alerts in Alertmanager's order
 *    (types.AlertSlice: by label job, then instance, then the label sets),
 *    truncated to max_alerts (truncatedAlerts counts the rest), status
 *    firing when any alert of the (truncated) list fires, commonLabels
 *    and commonAnnotations the pairs every alert of it shares, a firing
 *    alert's endsAt hidden ("0001-01-01T00:00:00Z"), times in Go's
 *    RFC3339Nano, externalURL without a trailing slash. Dumped with
 *    AIOPS_PAYLOAD_GO, the bytes are those of Alertmanager 0.25
 *    (tests/fixtures/alertmap/am025-webhook*.json were posted by it);
 *  - the PagerDuty Events API v2 event (POST /v2/enqueue): routing_key,
 *    event_action trigger or resolve, dedup_key the hex SHA-256 of the
 *    group key (notify/util.go Key.Hash), and for a trigger payload.summary
 *    (at most 1024 characters: longer ones keep 1023 and an ellipsis,
 *    notify/util.go TruncateInRunes), source, severity (critical, error,
 *    warning or info), timestamp, custom_details (firing, resolved,
 *    num_firing, num_resolved as Alertmanager's default), links, client
 *    and client_url. A resolve carries only routing_key, dedup_key and
 *    event_action, which is all the API reads. Over 512,000 bytes the
 *    custom_details are replaced by a note, as Alertmanager does;
 *  - the ServiceNow Table API incident (POST /api/now/table/incident):
 *    short_description (at most 160 characters, the field's default
 *    length), description (at most 4000), urgency and impact from the
 *    severity (critical 1/1, error 2/2, warning 2/3, else 3/3: priorities
 *    1, 3, 4 and 5 in the default matrix), correlation_id = the dedup key,
 *    correlation_display "aiops", and the optional assignment_group,
 *    caller_id and category; the update that resolves the same record
 *    (PATCH /api/now/table/incident/{sys_id}): state "6" (Resolved),
 *    close_code, close_notes. The resolve fields are marked unverified in
 *    PEERS.md: close_code's choices differ between releases, so it is an
 *    option (default "Solution provided");
 *  - the Slack incoming-webhook message: a fallback `text` and Block Kit
 *    blocks: a header (plain_text, at most 150 characters), a section with
 *    the body (mrkdwn, at most 3000), a section of fields severity, hosts,
 *    started, and for a resolved group how long it lasted (at most 2000
 *    each), a context line (receiver, alert counts, the external URL).
 *    Text from alerts is escaped & < > as Slack asks.
 *
 * Text parts: the title (one line) and the body (lines for a person) come
 * from one renderer, given the group as Alertmanager's template data
 * (aiops_payload_data(): .Receiver, .Status, .Alerts, .GroupLabels,
 * .CommonLabels, .CommonAnnotations, .ExternalURL, each alert's .Status,
 * .Labels, .Annotations, .StartsAt, .EndsAt, .GeneratorURL,
 * .Fingerprint). The default renderer (aiops_payload_default_text()) is C;
 * a program puts templates in its place by passing a struct
 * aiops_payload_texts whose render executes them (match/template.h) on
 * that data. Renderers write plain text: each body escapes it for its
 * sink (JSON by jansson, Slack's & < >).
 *
 * Memory: json_t results are new references; arguments are borrowed.
 * Errors: NULL (or -1) with "what and where" in err.
 */
#ifndef AIOPS_NOTIFY_PAYLOAD_H
#define AIOPS_NOTIFY_PAYLOAD_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "store/alerts.h"

#define AIOPS_DEDUP_KEY_LEN		64	/* hex digits of a SHA-256 */
#define AIOPS_PD_SUMMARY_MAX		1024	/* characters */
#define AIOPS_PD_MAX_EVENT		512000	/* bytes (notify/pagerduty maxEventSize) */
#define AIOPS_SN_SHORT_MAX		160
#define AIOPS_SN_DESCRIPTION_MAX	4000
#define AIOPS_SLACK_HEADER_MAX		150
#define AIOPS_SLACK_SECTION_MAX		3000
#define AIOPS_SLACK_FIELD_MAX		2000
#define AIOPS_SLACK_TEXT_MAX		4000	/* the fallback: Slack advises under 4000 */
#define AIOPS_PAYLOAD_BODY_ALERTS	20	/* alerts the default body lists */

/* One group as it is notified. */
struct aiops_payload_group {
	const char			*receiver;
	const char			*group_key;	/* e.g. {}/{team="db"}:{alertname="X"} */
	const json_t			*group_labels;	/* object of strings; NULL: {} */
	const struct aiops_alert	*alerts;	/* labels and annotations as JSON text */
	size_t				 nalerts;
	const char			*external_url;	/* or NULL */
	int64_t				 now;		/* ns: an endsAt at or before it is resolved */
};

/* A group checked, parsed and sorted once for every body (opaque). */
struct aiops_payload;

/*
 * Parses each alert's labels and annotations (objects of strings), decides
 * each status at g->now and sorts the alerts as Alertmanager does. g and
 * what it points at may go once it returns. NULL with err on an alert
 * whose labels or annotations are not such objects, or a missing
 * receiver, group key or fingerprint.
 */
struct aiops_payload *aiops_payload_prepare(const struct aiops_payload_group *g,
    char *err, size_t errlen);
void aiops_payload_free(struct aiops_payload *p);
/* "firing" when any alert fires, else "resolved". */
const char *aiops_payload_status(const struct aiops_payload *p);
/* Alerts firing and resolved. */
size_t aiops_payload_count(const struct aiops_payload *p, const char *status);
/* The dedup key of the group (hex SHA-256 of the group key, NUL-terminated). */
const char *aiops_payload_dedup_key(const struct aiops_payload *p);
/* The hex SHA-256 of key[0..len) into out (PagerDuty's dedup_key). */
void aiops_payload_sha256_hex(const char *key, size_t len, char out[AIOPS_DEDUP_KEY_LEN + 1]);

/* Alertmanager's template data for the whole group, with Go's field names. */
json_t *aiops_payload_data(const struct aiops_payload *p);

enum aiops_payload_text {
	AIOPS_TEXT_TITLE,	/* one line: [FIRING:2] ... or [RESOLVED] ... (lasted 36m) */
	AIOPS_TEXT_BODY,	/* the alerts, for a person */
};
/*
 * A renderer appends the text `what` for data (aiops_payload_data()) to
 * out: 0, or -1 with err set (a template that fails to execute).
 */
typedef int (*aiops_payload_render_fn)(void *arg, enum aiops_payload_text what,
    const json_t *data, struct aiops_buf *out, char *err, size_t errlen);
struct aiops_payload_texts {
	aiops_payload_render_fn	 render;	/* NULL: aiops_payload_default_text */
	void			*arg;
};
/* The texts in C (arg unused): the default renderer. */
int aiops_payload_default_text(void *arg, enum aiops_payload_text what,
    const json_t *data, struct aiops_buf *out, char *err, size_t errlen);

/* The webhook v4 body; max_alerts 0 sends them all. */
json_t *aiops_payload_webhook(const struct aiops_payload *p, size_t max_alerts);

struct aiops_pagerduty_opts {
	const char	*routing_key;	/* the integration key (required) */
	const char	*client;	/* NULL: "aiops" */
	const char	*component, *group, *class;	/* or NULL */
};
json_t *aiops_payload_pagerduty(const struct aiops_payload *p,
    const struct aiops_pagerduty_opts *o, const struct aiops_payload_texts *t,
    char *err, size_t errlen);

struct aiops_servicenow_opts {
	const char	*assignment_group, *caller_id, *category;	/* or NULL */
	const char	*close_code;	/* NULL: "Solution provided" */
};
/* The incident to create (POST). */
json_t *aiops_payload_servicenow(const struct aiops_payload *p,
    const struct aiops_servicenow_opts *o, const struct aiops_payload_texts *t,
    char *err, size_t errlen);
/* The update that resolves it (PATCH .../incident/{sys_id}). */
json_t *aiops_payload_servicenow_resolve(const struct aiops_payload *p,
    const struct aiops_servicenow_opts *o, const struct aiops_payload_texts *t,
    char *err, size_t errlen);

json_t *aiops_payload_slack(const struct aiops_payload *p,
    const struct aiops_payload_texts *t, char *err, size_t errlen);

/* A severity as PagerDuty's four words (unknown or NULL: warning). */
const char *aiops_payload_pd_severity(const char *severity);

enum aiops_payload_dump_flags {
	/*
	 * As Go's json.Encoder writes it (Alertmanager): < > & and U+2028,
	 * U+2029 as \u escapes, control characters as \u00xx but \n \r \t,
	 * and a newline at the end.
	 */
	AIOPS_PAYLOAD_GO = 1 << 0,
};
/* body as compact JSON (members in their order): a new string, its length in *len. */
char *aiops_payload_dump(const json_t *body, int flags, size_t *len);

#endif
