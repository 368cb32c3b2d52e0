/*
 * verify.c: the closed loop. After a task's action succeeded, its rule's
 * condition is read back from the state: the metric history that
 * `aiops-ingest --store` keeps (the series' latest point stored since the
 * action began its check must be below or above the value), or the alerts
 * table (the alert must be resolved).
 */
#include "compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "run.h"
#include "store/alerts.h"
#include "store/mstore.h"

/* The series a verify block names, and its latest point seen. */
struct series_pick {
	const char	*name;
	const char	*host;		/* NULL: any */
	json_t		*labels;	/* each must be in the point's */
	int		 found;
	int64_t		 ts;
	double		 value;
};

static int
labels_hold(json_t *want, const char *have_text)
{
	json_t *have;
	const char *k;
	json_t *v;
	int ok = 1;

	if (json_object_size(want) == 0)
		return 1;
	if ((have = json_loads(have_text != NULL ? have_text : "{}", 0, NULL)) == NULL)
		return 0;
	json_object_foreach(want, k, v)
		if (!json_equal(json_object_get(have, k), v)) {
			ok = 0;
			break;
		}
	json_decref(have);
	return ok;
}

static int
pick_point(void *arg, const struct aiops_mstore_point *p)
{
	struct series_pick *s = arg;

	if (strcmp(p->name, s->name) != 0)
		return 0;
	if (s->host != NULL && (p->host == NULL || strcmp(p->host, s->host) != 0))
		return 0;
	if (!labels_hold(s->labels, p->labels))
		return 0;
	if (!s->found || p->ts >= s->ts) {
		s->found = 1;
		s->ts = p->ts;
		s->value = p->value;
	}
	return 0;
}

static int
check_metric(struct worker *w, const struct aiops_task *t, const json_t *v, char *seen,
    size_t len)
{
	int64_t within = json_integer_value(json_object_get(v, "within_ms")) * 1000000;
	const char *op = json_string_value(json_object_get(v, "op"));
	double x = json_number_value(json_object_get(v, "value"));
	struct series_pick s = {
		.name = json_string_value(json_object_get(v, "metric")),
		.host = json_string_value(json_object_get(v, "host")),
		.labels = json_object_get(v, "labels"),
	};
	int below = op != NULL && strcmp(op, "below") == 0, ok;
	char tbuf[AIOPS_TIME_BUFSZ];

	/* Points from when the check began: the deadline less the window. */
	if (s.name == NULL ||
	    aiops_mstore_read(w->state, t->verify_deadline - within, pick_point, &s) == -1)
		state_fatal(w->state, "reading the metric history");
	if (!s.found) {
		snprintf(seen, len, "%s%s%s: no point stored since the action", s.name ? s.name : "?",
		    s.host ? " on " : "", s.host ? s.host : "");
		return 0;
	}
	ok = below ? s.value < x : s.value > x;
	aiops_time_format(s.ts, tbuf);
	snprintf(seen, len, "%s%s%s was %.6g at %s: %s%s %.6g", s.name, s.host ? " on " : "",
	    s.host ? s.host : "", s.value, tbuf, ok ? "" : "not ", op ? op : "?", x);
	return ok;
}

static int
check_alert(struct worker *w, const json_t *v, int64_t now, char *seen, size_t len)
{
	const char *fp = json_string_value(json_object_get(v, "alert"));
	struct aiops_alert a;
	int rc, ok;

	if (fp == NULL || (rc = aiops_alerts_get(w->state, fp, now, &a)) == 0) {
		snprintf(seen, len, "alert %s: not in the state", fp ? fp : "?");
		return 0;
	}
	if (rc == -1)
		state_fatal(w->state, "reading the alerts");
	ok = strcmp(a.status, "resolved") == 0;
	snprintf(seen, len, "alert %s (%s) is %s", fp, a.alertname ? a.alertname : "?",
	    a.status);
	aiops_alert_release(&a);
	return ok;
}

int
verify_check(struct worker *w, const struct aiops_task *t, const json_t *verify,
    int64_t now, char *seen, size_t len)
{
	if (json_object_get(verify, "alert") != NULL)
		return check_alert(w, verify, now, seen, len);
	return check_metric(w, t, verify, seen, len);
}
