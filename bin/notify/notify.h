/*
 * notify.h: what the parts of aiops-notify share.
 */
#ifndef AIOPS_NOTIFY_PROG_H
#define AIOPS_NOTIFY_PROG_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/buf.h"
#include "store/alerts.h"

struct aiops_conf;
struct aiops_tpl;

/* The kinds of integration a receiver may have (Alertmanager's *_configs). */
enum integration_type {
	INT_WEBHOOK,	/* Alertmanager's webhook payload v4, signed */
	INT_SLACK,	/* incoming webhook: 200 "ok" */
	INT_PAGERDUTY,	/* Events API v2: 202 */
	INT_SERVICENOW,	/* Table API incident: 201, then PATCH to resolve */
	INT_EMAIL,	/* SMTP, STARTTLS and AUTH */
	INT_FILE,	/* a line of JSON appended to a local file */
	INT_STDOUT,	/* the message in the notification event itself: the
			 * receiver "stdout", there when none is configured */
};

/*
 * One integration of a receiver ("oncall/pagerduty/0"). Secrets (the
 * webhook's signing secret, PagerDuty's routing key, ServiceNow's and
 * SMTP's passwords, Slack's URL) come from files or the environment,
 * never from the configuration text, and are never written to the state:
 * they are added to a request when it is sent.
 */
struct integration {
	enum integration_type	 type;
	char			*id;		/* receiver/type/index */
	char			*receiver;
	char			*url;		/* webhook, Slack, PagerDuty, ServiceNow base */
	char			*secret;	/* signing secret, routing key, password */
	char			*user;		/* ServiceNow, SMTP AUTH */
	char			*secret_file;	/* SMTP: read by lib/net at each send */
	char			*from;		/* email */
	char			**to;		/* email recipients */
	size_t			 nto;
	int			 require_tls;	/* email: STARTTLS or fail */
	char			*ca_file;	/* email: PEM bundle to trust, or NULL */
	char			*path;		/* file */
	int			 send_resolved;
	size_t			 max_alerts;	/* 0: all */
	long			 timeout_ms;
	/*
	 * The title and text of the message as Go templates (the fields
	 * title and text, with the defines of notify.templates), or NULL for
	 * the built-in texts; their names in it are "title" and "text".
	 */
	struct aiops_tpl	*tpl;
	int			 has_title, has_text;
};

/* A receiver's rate limit: at most count messages sent per window. */
struct rate_limit {
	char			*receiver;
	unsigned		 count;
	int64_t			 per;		/* ns */
};

struct receivers {
	struct integration	*v;
	size_t			 n;
	char			**names;	/* every receiver, even one without integrations */
	size_t			 nnames;
	struct rate_limit	*limits;
	size_t			 nlimits;
};

/* The rate limit of a receiver, or NULL for none. */
const struct rate_limit *receivers_limit(const struct receivers *r, const char *name);

/* The receivers of notify.receivers; 0, or -1 with "file:line: what" in err. */
int receivers_load(struct receivers *r, const struct aiops_conf *cfg, char *err, size_t errlen);
void receivers_free(struct receivers *r);
const struct integration *receivers_find(const struct receivers *r, const char *id);
int receivers_has(const struct receivers *r, const char *name);
const char *integration_type_name(enum integration_type t);

struct aiops_http;
struct aiops_out;
struct aiops_state;

/* What delivery needs: the state's outbox, the receivers, where events go. */
struct deliver {
	struct aiops_state	*state;
	struct aiops_http	*http;
	const struct receivers	*rcv;
	struct aiops_out	*out;		/* notification events */
	int64_t			 backoff_base;	/* ns: the first retry's scale */
	int64_t			 backoff_cap;	/* ns: retries' longest wait */
	unsigned		 max_attempts;	/* past it a retryable failure is dead too */
	uint64_t		 seed;		/* of the jitter: replays are the same */
	char			 err[512];	/* why delivery_run() failed */
};

/*
 * Attempts every pending notification due at now (oldest first): each
 * attempt is counted in the state and committed, with the transaction
 * open before it, before it is made; then the row is marked sent, left
 * pending for its next attempt, or dead, in a transaction left open for
 * the caller to commit (the last outcome is the one a crash may lose:
 * that row is attempted again, with its dedup key). Writes a
 * notification event per attempt. 0, or -1 on a state error (err).
 */
int delivery_run(struct deliver *d, int64_t now);

/* An event as an alert (mapping.c, over lib/notify/alert.h). */
struct mapped {
	struct aiops_alert	 a;		/* for the alerts table; borrowed strings */
	json_t			*labels;	/* match labels: a new reference */
	void			*own;		/* what the strings point into */
};

/* 1 mapped, 0 not an alert, -1 a malformed one (err). */
struct aiops_state;
int notify_map_event(struct aiops_state *st, const json_t *ev, int64_t now,
    int64_t resolve_timeout, struct mapped *m, char *err, size_t errlen);
void notify_mapped_release(struct mapped *m);
/* An alert of the state as routes, silences and inhibition see it: its
 * labels and its severity (new), or NULL when they are unreadable. */
json_t *notify_alert_labels(const struct aiops_alert *a);

/* An alert of a group as a flush sees it. */
struct galert {
	struct aiops_alert	 a;		/* from the alerts table */
	json_t			*labels;
	json_t			*annotations;
	int			 firing;
};

/* A group about to be notified. */
struct gview {
	const char		*receiver;
	const char		*group_key;
	json_t			*group_labels;
	const char		*external_ref;	/* the receiver's record (ServiceNow), or NULL */
	struct galert		*v;
	size_t			 n;
	size_t			 nfiring;
};

/*
 * The outbox payload of integration in for the group: {"integration",
 * "status", "body"} as JSON text (new), or NULL when the integration
 * takes nothing now (only resolved alerts and no send_resolved; err "")
 * or the body could not be made (err says why).
 */
char *notify_payload(const struct integration *in, const struct gview *g,
    const char *external_url, const char *tz, int64_t now, char *err, size_t errlen);

/* aiops-notify silence add|list|expire; argv[0] is "silence". */
int notify_silence_main(int argc, char **argv);

#endif
