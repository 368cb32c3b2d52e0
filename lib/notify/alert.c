/*
 * alert.c: events as Alertmanager alerts; the mapping table is in alert.h.
 */
#include "compat.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/hash.h"
#include "core/timeutil.h"
#include "core/utf8.h"
#include "core/xmalloc.h"
#include "event/logkeys.h"
#include "event/severity.h"
#include "notify/alert.h"
#include "store/alerts.h"

/* What the mapping of one event gathers before it fills the struct. */
struct draft {
	const json_t	*ev;
	const char	*type;
	int64_t		 ts;
	int64_t		 now;
	int64_t		 resolve_timeout;
	json_t		*labels;	/* new */
	json_t		*annotations;	/* new */
	const char	*severity;	/* borrowed from ev or static */
	const char	*status;	/* static */
	int64_t		 starts_at, ends_at;
	const char	*generator_url;	/* borrowed, or NULL */
	const char	*fingerprint;	/* given, borrowed; NULL: computed */
	char		*err;
	size_t		 errlen;
};

/* Sets the error to "type: what" and returns -1. */
static int
fail(struct draft *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
fail(struct draft *d, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (d->errlen == 0)
		return -1;
	if (d->type != NULL)
		n = snprintf(d->err, d->errlen, "%s: ", d->type);
	if (n < 0 || (size_t)n >= d->errlen)
		n = 0;
	va_start(ap, fmt);
	(void)vsnprintf(d->err + n, d->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *
jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* ---------------------------------------------------------------------
 * Labels and the fingerprint
 * ---------------------------------------------------------------------
 */

struct pair {
	const char	*key;
	size_t		 klen;
	const char	*val;
	size_t		 vlen;
};

/* Go's sort.Strings order: bytes, a prefix first. */
static int
pair_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int c = memcmp(x->key, y->key, n);

	if (c != 0)
		return c;
	return x->klen < y->klen ? -1 : x->klen > y->klen;
}

static const unsigned char sep = 0xff;

int
aiops_alert_fingerprint(const json_t *labels, char out[AIOPS_FINGERPRINT_LEN + 1])
{
	struct pair *p;
	const char *key;
	size_t klen, n = 0, i;
	json_t *v;
	uint64_t h = AIOPS_HASH_INIT;

	p = xcalloc(json_object_size(labels) + 1, sizeof(*p));
	json_object_keylen_foreach((json_t *)labels, key, klen, v) {
		if (!json_is_string(v)) {
			free(p);
			return -1;
		}
		if (json_string_length(v) == 0)
			continue;
		p[n].key = key;
		p[n].klen = klen;
		p[n].val = json_string_value(v);
		p[n].vlen = json_string_length(v);
		n++;
	}
	qsort(p, n, sizeof(*p), pair_cmp);
	for (i = 0; i < n; i++) {
		h = aiops_hash64(p[i].key, p[i].klen, h);
		h = aiops_hash64(&sep, 1, h);
		h = aiops_hash64(p[i].val, p[i].vlen, h);
		h = aiops_hash64(&sep, 1, h);
	}
	free(p);
	(void)snprintf(out, AIOPS_FINGERPRINT_LEN + 1, "%016llx", (unsigned long long)h);
	return 0;
}

/* Sets label key to val; an empty value is no label (removes key). */
static void
set_label(json_t *labels, const char *key, const char *val)
{
	if (val == NULL || *val == '\0')
		(void)json_object_del(labels, key);
	else
		json_object_set_new(labels, key, json_string(val));
}

/*
 * Copies the event's labels (an object of strings, or absent) into
 * d->labels, leaving out empty values. -1 on a label that is no string.
 */
static int
copy_labels(struct draft *d)
{
	const json_t *l = json_object_get(d->ev, "labels");
	const char *key;
	size_t klen;
	json_t *v;

	if (l == NULL || json_is_null(l))
		return 0;
	if (!json_is_object(l))
		return fail(d, "labels is not an object");
	json_object_keylen_foreach((json_t *)l, key, klen, v) {
		if (klen == 0)
			return fail(d, "labels: an empty label name");
		if (!json_is_string(v))
			return fail(d, "labels.%s is not a string", key);
		if (json_string_length(v) > 0)
			json_object_setn(d->labels, key, klen, v);
	}
	return 0;
}

/* The text of a label value that is a number (a template_id, a threshold). */
static char *
number_text(const json_t *v)
{
	char *s;

	if (json_is_integer(v))
		xasprintf(&s, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v)) {
		double x = json_real_value(v);
		int prec;

		/* the shortest text that reads back as x, as Go's 'g', -1 */
		for (prec = 1; prec < 17; prec++) {
			xasprintf(&s, "%.*g", prec, x);
			if (strtod(s, NULL) == x)
				return s;
			free(s);
		}
		xasprintf(&s, "%.17g", x);
	} else if (json_is_string(v))
		s = xstrdup(json_string_value(v));
	else
		s = NULL;
	return s;
}

/* ---------------------------------------------------------------------
 * Times and text
 * ---------------------------------------------------------------------
 */

/* An RFC 3339 member: 1 read, 0 absent or null, -1 bad (error set). */
static int
get_time(struct draft *d, const char *key, int64_t *ns)
{
	const json_t *v = json_object_get(d->ev, key);

	if (v == NULL || json_is_null(v))
		return 0;
	if (aiops_json_time(v, AIOPS_TU_AUTO, ns) == -1)
		return fail(d, "%s is not a time (RFC 3339 or an epoch number)", key);
	return 1;
}

/* A number for a person: integers whole, others with 4 significant digits. */
static void
add_num(struct aiops_buf *b, double x)
{
	if (!isfinite(x))
		aiops_buf_addstr(b, "?");
	else if (x == floor(x) && fabs(x) < 1e15)
		aiops_buf_addf(b, "%.0f", x);
	else
		aiops_buf_addf(b, "%.4g", x);
}

static void
set_annotation(struct draft *d, const char *key, const char *val)
{
	if (val != NULL && *val != '\0')
		json_object_set_new(d->annotations, key, json_string(val));
}

/* Sets annotation key to b's text and empties b. */
static void
set_annotation_buf(struct draft *d, const char *key, struct aiops_buf *b)
{
	if (b->len > 0)
		set_annotation(d, key, b->data);
	aiops_buf_reset(b);
}

/* What a series is called for a person: name{k=v,...}, without host. */
static void
add_series(struct aiops_buf *b, const json_t *ev)
{
	const json_t *l = json_object_get(ev, "labels");
	const char *name = jstr(ev, "name"), *key;
	json_t *v;
	int first = 1;

	aiops_buf_addstr(b, name != NULL ? name : "?");
	if (!json_is_object(l) || json_object_size(l) == 0)
		return;
	json_object_foreach((json_t *)l, key, v) {
		if (!json_is_string(v))
			continue;
		aiops_buf_addstr(b, first ? "{" : ",");
		aiops_buf_addf(b, "%s=%s", key, json_string_value(v));
		first = 0;
	}
	if (!first)
		aiops_buf_addc(b, '}');
}

/* "web-1: " when the event names a host. */
static void
add_host_prefix(struct aiops_buf *b, const json_t *ev)
{
	const char *host = jstr(ev, "host");

	if (host != NULL && *host != '\0')
		aiops_buf_addf(b, "%s: ", host);
}

/* A percent unit for a series that is one (name or kind says so). */
static const char *
unit_of(const json_t *ev)
{
	const char *name = jstr(ev, "name"), *kind = jstr(ev, "kind");
	size_t n = name != NULL ? strlen(name) : 0;

	if ((kind != NULL && strcmp(kind, "percent") == 0) ||
	    (n > 8 && strcmp(name + n - 8, "_percent") == 0))
		return "%";
	return "";
}

/* ---------------------------------------------------------------------
 * Each type
 * ---------------------------------------------------------------------
 */

/* Labels every series alert has: the series', host, alertname and name. */
static int
series_labels(struct draft *d, const char *alertname)
{
	const char *name = jstr(d->ev, "name");

	if (name == NULL || *name == '\0')
		return fail(d, "missing name");
	if (copy_labels(d) == -1)
		return -1;
	set_label(d->labels, "host", jstr(d->ev, "host"));
	set_label(d->labels, "alertname", alertname);
	set_label(d->labels, "name", name);
	return 0;
}

static int
map_alert(struct draft *d)
{
	const char *name = jstr(d->ev, "alertname"), *st = jstr(d->ev, "status");
	const json_t *ann = json_object_get(d->ev, "annotations");
	const char *key;
	json_t *v;
	int r;

	if (name == NULL || *name == '\0')
		return fail(d, "missing alertname");
	if (st == NULL || (strcmp(st, "firing") != 0 && strcmp(st, "resolved") != 0))
		return fail(d, "status is not firing or resolved");
	d->status = strcmp(st, "firing") == 0 ? "firing" : "resolved";
	if (copy_labels(d) == -1)
		return -1;
	set_label(d->labels, "alertname", name);
	/* aiops(7): ts (which every event has) is starts_at when firing and
	 * ends_at when resolved, so either may be left out (Alertmanager's
	 * API takes a missing startsAt as now). */
	if ((r = get_time(d, "starts_at", &d->starts_at)) == -1)
		return -1;
	if (r == 0 && get_time(d, "ts", &d->starts_at) != 1)
		return fail(d, "missing starts_at and ts");
	if ((r = get_time(d, "ends_at", &d->ends_at)) == -1)
		return -1;
	if (r == 0 && strcmp(d->status, "resolved") == 0 &&
	    get_time(d, "ts", &d->ends_at) != 1)
		return fail(d, "resolved without ends_at or ts");
	/* Alertmanager's API gives a firing alert without endsAt one at
	 * resolve_timeout from its receipt: it resolves unless sent again.
	 * One relayed from an Alertmanager notification (group_key) has no
	 * endsAt because that Alertmanager hides it: it fires until its
	 * resolution comes, which the sender only repeats every
	 * repeat_interval. */
	if (r == 0 && strcmp(d->status, "firing") == 0 &&
	    json_object_get(d->ev, "group_key") == NULL)
		d->ends_at = d->now + d->resolve_timeout;
	if (ann != NULL && !json_is_null(ann) && !json_is_object(ann))
		return fail(d, "annotations is not an object");
	json_object_foreach((json_t *)ann, key, v) {
		if (json_is_string(v))
			json_object_set(d->annotations, key, v);
		else {
			char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

			if (s != NULL)
				json_object_set_new(d->annotations, key, json_string(s));
			free(s);
		}
	}
	d->severity = jstr(d->ev, "severity");
	if (d->severity == NULL)
		d->severity = jstr(json_object_get(d->ev, "labels"), "severity");
	d->generator_url = jstr(d->ev, "generator_url");
	d->fingerprint = jstr(d->ev, "fingerprint");
	return 0;
}

/* "metric cpu_usage_user on web-1 at <ts> (spike, value 97.5)" */
static void
add_cause(struct aiops_buf *b, const json_t *rc)
{
	const char *kind = jstr(rc, "kind"), *what = jstr(rc, "what"), *host = jstr(rc, "host");
	const char *ts = jstr(rc, "ts"), *det = jstr(rc, "detector");
	const json_t *val = json_object_get(rc, "value");

	if (what == NULL)
		what = jstr(rc, "template");
	if (kind != NULL)
		aiops_buf_addf(b, "%s ", kind);
	aiops_buf_addstr(b, what != NULL ? what : "?");
	if (host != NULL)
		aiops_buf_addf(b, " on %s", host);
	if (ts != NULL)
		aiops_buf_addf(b, " at %s", ts);
	if (det != NULL || json_is_number(val)) {
		aiops_buf_addstr(b, " (");
		if (det != NULL)
			aiops_buf_addf(b, "%s%s", det, json_is_number(val) ? ", " : "");
		if (json_is_number(val)) {
			aiops_buf_addstr(b, "value ");
			add_num(b, json_number_value(val));
		}
		aiops_buf_addc(b, ')');
	}
}

static void
incident_annotations(struct draft *d)
{
	const json_t *hosts = json_object_get(d->ev, "hosts"), *v;
	const json_t *rc = json_object_get(d->ev, "root_cause");
	const char *title = jstr(d->ev, "title"), *sum = jstr(d->ev, "summary");
	const char *id = jstr(d->ev, "incident_id");
	struct aiops_buf b = AIOPS_BUF_INIT;
	size_t i;

	if (title != NULL)
		set_annotation(d, "summary", title);
	else if (sum != NULL)
		set_annotation(d, "summary", sum);
	else {
		aiops_buf_addf(&b, "incident %s", id);
		set_annotation_buf(d, "summary", &b);
	}
	set_annotation(d, "description", sum);
	if (json_is_object(rc)) {
		add_cause(&b, rc);
		set_annotation_buf(d, "suspected_cause", &b);
	}
	json_array_foreach(hosts, i, v)
		if (json_is_string(v))
			aiops_buf_addf(&b, "%s%s", b.len > 0 ? ", " : "", json_string_value(v));
	set_annotation_buf(d, "hosts", &b);
	set_annotation(d, "first_seen", jstr(d->ev, "first_seen"));
	set_annotation(d, "last_seen", jstr(d->ev, "last_seen"));
	if (json_is_integer(json_object_get(d->ev, "member_count"))) {
		aiops_buf_addf(&b, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(json_object_get(d->ev, "member_count")));
		set_annotation_buf(d, "members", &b);
	}
	set_annotation(d, "incident_id", id);
	aiops_buf_release(&b);
}

static int
map_incident(struct draft *d)
{
	const char *st = jstr(d->ev, "status"), *id = jstr(d->ev, "incident_id");
	int64_t last;
	int r;

	if (id == NULL || *id == '\0')
		return fail(d, "missing incident_id");
	if (st == NULL || (strcmp(st, "open") != 0 && strcmp(st, "updated") != 0 &&
	    strcmp(st, "resolved") != 0))
		return fail(d, "status is not open, updated or resolved");
	if (copy_labels(d) == -1)
		return -1;
	if (json_object_get(d->labels, "alertname") == NULL)
		set_label(d->labels, "alertname", "aiops_incident");
	if (json_object_get(d->labels, "host") == NULL)
		set_label(d->labels, "host", jstr(d->ev, "host"));
	d->fingerprint = jstr(d->ev, "fingerprint");
	if (d->fingerprint == NULL)
		set_label(d->labels, "incident_id", id);
	if ((r = get_time(d, "first_seen", &d->starts_at)) == -1)
		return -1;
	if (r == 0)
		d->starts_at = d->ts;
	if ((r = get_time(d, "last_seen", &last)) == -1)
		return -1;
	if (strcmp(st, "resolved") == 0) {
		d->status = "resolved";
		d->ends_at = r == 1 ? last : d->ts;
		if (d->ends_at < d->starts_at)
			d->ends_at = d->starts_at;
	}
	d->severity = jstr(d->ev, "severity");
	incident_annotations(d);
	return 0;
}

static void
anomaly_annotations(struct draft *d)
{
	const json_t *bl = json_object_get(d->ev, "baseline");
	const json_t *val = json_object_get(d->ev, "value");
	const json_t *score = json_object_get(d->ev, "score");
	const char *reason = jstr(d->ev, "reason"), *det = jstr(d->ev, "detector");
	const char *unit = unit_of(d->ev), *host = jstr(d->ev, "host");
	struct aiops_buf b = AIOPS_BUF_INIT;

	if (json_is_object(bl) && json_is_number(val) &&
	    json_is_number(json_object_get(bl, "value"))) {
		/* the value against its expected range: the baseline and spread */
		add_host_prefix(&b, d->ev);
		add_series(&b, d->ev);
		aiops_buf_addstr(&b, " is ");
		add_num(&b, json_number_value(val));
		aiops_buf_addf(&b, "%s, expected about ", unit);
		add_num(&b, json_number_value(json_object_get(bl, "value")));
		if (json_is_number(json_object_get(bl, "spread"))) {
			aiops_buf_addstr(&b, " \xc2\xb1 ");
			add_num(&b, json_number_value(json_object_get(bl, "spread")));
		}
		aiops_buf_addstr(&b, unit);
	} else if (reason != NULL) {
		/* a restart's reason names its host already */
		if (host != NULL && strncmp(reason, host, strlen(host)) != 0)
			add_host_prefix(&b, d->ev);
		aiops_buf_addstr(&b, reason);
	} else {
		add_host_prefix(&b, d->ev);
		aiops_buf_addstr(&b, "anomaly in ");
		add_series(&b, d->ev);
	}
	set_annotation_buf(d, "summary", &b);
	if (reason != NULL)
		aiops_buf_addstr(&b, reason);
	if (det != NULL)
		aiops_buf_addf(&b, "%sdetector %s", b.len > 0 ? "; " : "", det);
	if (json_is_number(score)) {
		aiops_buf_addf(&b, "%sscore ", b.len > 0 ? (det != NULL ? ", " : "; ") : "");
		aiops_buf_addf(&b, "%.3f", json_number_value(score));
	}
	set_annotation_buf(d, "description", &b);
	set_annotation(d, "series", jstr(d->ev, "series"));
	set_annotation(d, "template", jstr(d->ev, "template"));
	aiops_buf_release(&b);
}

static int
map_anomaly(struct draft *d)
{
	const json_t *tid = json_object_get(d->ev, "template_id");
	const char *logsev = jstr(d->ev, "severity");
	char *t;

	if (series_labels(d, "aiops_anomaly") == -1)
		return -1;
	if (tid != NULL && !json_is_null(tid)) {
		if ((t = number_text(tid)) == NULL)
			return fail(d, "template_id is not a number or a string");
		set_label(d->labels, "template_id", t);
		free(t);
		set_label(d->labels, "service", jstr(d->ev, "service"));
	}
	d->starts_at = d->ts;
	d->ends_at = d->ts + d->resolve_timeout;
	d->severity = "warning";
	if (logsev != NULL && aiops_severity_parse(logsev, strlen(logsev)) >= 0 &&
	    aiops_severity_parse(logsev, strlen(logsev)) <= 2)
		d->severity = "critical";
	anomaly_annotations(d);
	return 0;
}

/* " in 35.6 h (25.6 to 64.8 h)": hours from the event's hours_left*. */
static void
add_hours(struct aiops_buf *b, const json_t *ev)
{
	const json_t *h = json_object_get(ev, "hours_left");
	const json_t *lo = json_object_get(ev, "hours_left_lo");
	const json_t *hi = json_object_get(ev, "hours_left_hi");

	if (!json_is_number(h))
		return;
	aiops_buf_addf(b, " in %.1f h", json_number_value(h));
	if (json_is_number(lo) && json_is_number(hi))
		aiops_buf_addf(b, " (%.1f to %.1f h)", json_number_value(lo),
		    json_number_value(hi));
	else if (json_is_number(lo))
		aiops_buf_addf(b, " (%.1f h at the earliest)", json_number_value(lo));
}

static void
prediction_annotations(struct draft *d, const char *threshold, int cleared)
{
	const char *dir = jstr(d->ev, "direction"), *unit = unit_of(d->ev);
	const char *verb = strcmp(dir, "below") == 0 ? "falls to" : "reaches";
	const json_t *val = json_object_get(d->ev, "value");
	struct aiops_buf b = AIOPS_BUF_INIT;

	add_host_prefix(&b, d->ev);
	add_series(&b, d->ev);
	if (cleared)
		aiops_buf_addf(&b, " no longer %s %s%s", strcmp(dir, "below") == 0 ?
		    "falls to" : "reaches", threshold, unit);
	else if (json_is_true(json_object_get(d->ev, "crossed"))) {
		aiops_buf_addf(&b, " %s %s%s already", strcmp(dir, "below") == 0 ?
		    "is at or below" : "is at or above", threshold, unit);
		if (json_is_number(val)) {
			aiops_buf_addstr(&b, " (");
			add_num(&b, json_number_value(val));
			aiops_buf_addf(&b, "%s)", unit);
		}
	} else {
		aiops_buf_addf(&b, " %s %s%s", verb, threshold, unit);
		add_hours(&b, d->ev);
	}
	set_annotation_buf(d, "summary", &b);
	if (json_is_number(val)) {
		aiops_buf_addstr(&b, "last value ");
		add_num(&b, json_number_value(val));
		aiops_buf_addstr(&b, unit);
	}
	if (cleared && jstr(d->ev, "previous_eta") != NULL)
		aiops_buf_addf(&b, "%sit was due at %s", b.len > 0 ? "; " : "",
		    jstr(d->ev, "previous_eta"));
	if (!cleared && jstr(d->ev, "eta") != NULL) {
		aiops_buf_addf(&b, "%sdue at %s", b.len > 0 ? "; " : "", jstr(d->ev, "eta"));
		if (jstr(d->ev, "eta_lo") != NULL)
			aiops_buf_addf(&b, ", between %s and %s", jstr(d->ev, "eta_lo"),
			    jstr(d->ev, "eta_hi") != NULL ? jstr(d->ev, "eta_hi") :
			    "beyond the horizon");
	}
	if (jstr(d->ev, "model") != NULL)
		aiops_buf_addf(&b, "%smodel %s", b.len > 0 ? "; " : "", jstr(d->ev, "model"));
	set_annotation_buf(d, "description", &b);
	set_annotation(d, "rule", jstr(d->ev, "rule"));
	set_annotation(d, "eta", jstr(d->ev, "eta"));
	set_annotation(d, "series", jstr(d->ev, "series"));
	aiops_buf_release(&b);
}

static int
map_prediction(struct draft *d)
{
	const json_t *thr = json_object_get(d->ev, "threshold");
	const char *dir = jstr(d->ev, "direction"), *st = jstr(d->ev, "status");
	int64_t eta;
	char *t;
	int cleared, r;

	if (series_labels(d, "aiops_prediction") == -1)
		return -1;
	if (!json_is_number(thr))
		return fail(d, "threshold is not a number");
	if (dir == NULL || (strcmp(dir, "above") != 0 && strcmp(dir, "below") != 0))
		return fail(d, "direction is not above or below");
	if (st != NULL && strcmp(st, "cleared") != 0)
		return fail(d, "status is not cleared");
	cleared = st != NULL;
	t = number_text(thr);
	set_label(d->labels, "threshold", t);
	set_label(d->labels, "direction", dir);
	if ((r = get_time(d, "eta", &eta)) == -1) {
		free(t);
		return -1;
	}
	d->starts_at = d->ts;
	d->severity = "warning";
	if (cleared) {
		d->status = "resolved";
		d->ends_at = d->ts;
	} else if (json_is_true(json_object_get(d->ev, "crossed")) ||
	    (r == 1 && eta - d->ts <= AIOPS_ALERT_PREDICTION_URGENT))
		d->severity = "critical";
	prediction_annotations(d, t, cleared);
	free(t);
	return 0;
}

static const struct {
	const char	*status;
	const char	*severity;
	int		 resolves;
	const char	*says;		/* for the summary */
} task_states[] = {
	/* aiops-run(1) TASK EVENTS has them all. */
	{ "requested",	"info",		0, "requested" },
	{ "awaiting-approval", "info",	0, "awaits approval" },
	{ "started",	"info",		0, "started" },
	{ "recovered",	"warning",	0, "was interrupted, and runs again" },
	{ "verifying",	"info",		0, "succeeded; verifying" },
	{ "succeeded",	"info",		1, "succeeded" },
	{ "verified",	"info",		1, "verified: the problem cleared" },
	{ "failed",	"warning",	0, "failed" },
	{ "unverified",	"critical",	0, "ran, but the problem did not clear: a person must act" },
	{ "dead",	"critical",	0, "gave up: a person must act" },
	{ "breaker-open", "critical",	0, "stopped: its circuit breaker opened" },
	{ "refused",	"warning",	0, "refused the event" },
	{ "suppressed",	"info",		0, "was suppressed" },
	{ "expired",	"warning",	0, "expired unapproved" },
	{ "dry-run",	"info",		0, "would run (dry run)" },
};

static void
task_annotations(struct draft *d, const char *says)
{
	const char *rule = jstr(d->ev, "rule"), *target = jstr(d->ev, "target");
	const char *action = jstr(d->ev, "action"), *out = jstr(d->ev, "output");
	const json_t *att = json_object_get(d->ev, "attempt");
	struct aiops_buf b = AIOPS_BUF_INIT;
	size_t n;

	if (target != NULL)
		aiops_buf_addf(&b, "%s: ", target);
	else
		add_host_prefix(&b, d->ev);
	aiops_buf_addf(&b, "rule %s", rule);
	if (action != NULL)
		aiops_buf_addf(&b, " (%s)", action);
	aiops_buf_addf(&b, " %s", says);
	if (json_is_integer(att) && json_integer_value(att) > 1)
		aiops_buf_addf(&b, ", attempt %" JSON_INTEGER_FORMAT, json_integer_value(att));
	set_annotation_buf(d, "summary", &b);
	if (out != NULL) {
		/* the tail says how it ended; cut at a character, not in one */
		n = strlen(out);
		if (n > AIOPS_ALERT_OUTPUT_MAX) {
			const char *p = out + n - AIOPS_ALERT_OUTPUT_MAX;

			while (p < out + n && ((unsigned char)*p & 0xc0) == 0x80)
				p++;
			aiops_buf_addstr(&b, "\xe2\x80\xa6");
			aiops_buf_addstr(&b, p);
		} else
			aiops_buf_addstr(&b, out);
		set_annotation_buf(d, "description", &b);
	}
	set_annotation(d, "task_id", jstr(d->ev, "task_id"));
	aiops_buf_release(&b);
}

static int
map_task(struct draft *d)
{
	const char *rule = jstr(d->ev, "rule"), *st = jstr(d->ev, "status");
	size_t i;

	if (rule == NULL || *rule == '\0')
		return fail(d, "missing rule");
	for (i = 0; i < sizeof(task_states) / sizeof(task_states[0]); i++)
		if (st != NULL && strcmp(st, task_states[i].status) == 0)
			break;
	if (i == sizeof(task_states) / sizeof(task_states[0]))
		return fail(d, "status is not one of aiops-run's (requested, started,"
		    " succeeded, verified, failed, dead...)");
	if (copy_labels(d) == -1)
		return -1;
	set_label(d->labels, "alertname", "aiops_task");
	set_label(d->labels, "rule", rule);
	set_label(d->labels, "target", jstr(d->ev, "target"));
	set_label(d->labels, "action", jstr(d->ev, "action"));
	set_label(d->labels, "host", jstr(d->ev, "host"));
	d->starts_at = d->ts;
	if (task_states[i].resolves) {
		d->status = "resolved";
		d->ends_at = d->ts;
	}
	d->severity = task_states[i].severity;
	task_annotations(d, task_states[i].says);
	return 0;
}

/* ---------------------------------------------------------------------
 * The struct
 * ---------------------------------------------------------------------
 */

static const struct {
	const char	*type;
	int		(*map)(struct draft *);
} mappers[] = {
	{ "alert",	map_alert },
	{ "incident",	map_incident },
	{ "anomaly",	map_anomaly },
	{ "prediction",	map_prediction },
	{ "task",	map_task },
};

static int
valid_fingerprint(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == AIOPS_FINGERPRINT_LEN;
}

static char *
dup_or_null(const char *s)
{
	return s != NULL && *s != '\0' ? xstrdup(s) : NULL;
}

/* A severity word as the event contract writes it ("crit" is critical). */
static const char *
severity_word(const char *s)
{
	int l;

	if (s == NULL || *s == '\0')
		return "warning";
	if ((l = aiops_severity_parse(s, strlen(s))) >= 0)
		return aiops_severity_name(l);
	return s;
}

static int
fill(struct draft *d, struct aiops_alertmap *am)
{
	struct aiops_alert *a = &am->alert;

	if (d->fingerprint != NULL) {
		if (!valid_fingerprint(d->fingerprint))
			return fail(d, "fingerprint is not %d lower-case hex digits",
			    AIOPS_FINGERPRINT_LEN);
		memcpy(am->fingerprint, d->fingerprint, AIOPS_FINGERPRINT_LEN + 1);
	} else if (aiops_alert_fingerprint(d->labels, am->fingerprint) == -1)
		return fail(d, "a label is not a string");
	if (strcmp(d->status, "firing") == 0 && d->ends_at != 0 && d->ends_at <= d->now)
		d->status = "resolved";
	am->type = d->type;
	am->labels = json_incref(d->labels);
	am->annotations = json_incref(d->annotations);
	am->match_labels = json_deep_copy(d->labels);
	/* An alert that gives no severity has none, as in Alertmanager:
	 * group_by and matchers see an empty value, not a guess. */
	if (d->severity != NULL || strcmp(d->type, "alert") != 0)
		am->severity = xstrdup(severity_word(d->severity));
	if (am->severity != NULL && json_object_get(am->match_labels, "severity") == NULL)
		set_label(am->match_labels, "severity", am->severity);
	am->labels_text = json_dumps(am->labels, JSON_COMPACT | JSON_SORT_KEYS);
	am->annotations_text = json_dumps(am->annotations, JSON_COMPACT | JSON_SORT_KEYS);
	if (am->labels_text == NULL || am->annotations_text == NULL)
		xoom(0);
	am->alertname = xstrdup(jstr(am->labels, "alertname"));
	am->host = dup_or_null(jstr(d->ev, "host"));
	am->generator_url = dup_or_null(d->generator_url);
	am->source = dup_or_null(jstr(d->ev, "source"));
	a->fingerprint = am->fingerprint;
	a->alertname = am->alertname;
	a->status = strcmp(d->status, "firing") == 0 ? "firing" : "resolved";
	a->severity = am->severity;
	a->host = am->host;
	a->labels = am->labels_text;
	a->annotations = am->annotations_text;
	a->starts_at = d->starts_at;
	a->ends_at = d->ends_at;
	a->generator_url = am->generator_url;
	a->source = am->source;
	return 0;
}

int
aiops_alertmap_event(const json_t *ev, const struct aiops_alertmap_opts *o,
    struct aiops_alertmap *am, char *err, size_t errlen)
{
	struct draft d;
	const json_t *ts;
	size_t i;
	int r = -1;

	memset(am, 0, sizeof(*am));
	memset(&d, 0, sizeof(d));
	d.err = err;
	d.errlen = errlen;
	if (errlen > 0)
		err[0] = '\0';
	if (!json_is_object(ev))
		return fail(&d, "event is not an object");
	if ((d.type = jstr(ev, "type")) == NULL) {
		d.type = NULL;
		return fail(&d, "event has no type");
	}
	for (i = 0; i < sizeof(mappers) / sizeof(mappers[0]); i++)
		if (strcmp(d.type, mappers[i].type) == 0)
			break;
	if (i == sizeof(mappers) / sizeof(mappers[0]))
		return 0;
	d.type = mappers[i].type;
	d.ev = ev;
	ts = json_object_get(ev, "ts");
	if (ts == NULL || aiops_json_time(ts, AIOPS_TU_AUTO, &d.ts) == -1)
		return fail(&d, "ts is not a time (RFC 3339 or an epoch number)");
	d.now = o != NULL && o->now != 0 ? o->now : d.ts;
	d.resolve_timeout = o != NULL && o->resolve_timeout > 0 ? o->resolve_timeout :
	    AIOPS_ALERT_RESOLVE_TIMEOUT;
	d.status = "firing";
	d.labels = json_object();
	d.annotations = json_object();
	if (mappers[i].map(&d) == 0 && fill(&d, am) == 0)
		r = 1;
	json_decref(d.labels);
	json_decref(d.annotations);
	if (r != 1)
		aiops_alertmap_release(am);
	return r;
}

void
aiops_alertmap_release(struct aiops_alertmap *am)
{
	json_decref(am->labels);
	json_decref(am->match_labels);
	json_decref(am->annotations);
	free(am->labels_text);
	free(am->annotations_text);
	free(am->alertname);
	free(am->severity);
	free(am->host);
	free(am->generator_url);
	free(am->source);
	memset(am, 0, sizeof(*am));
}

/* An end as Alertmanager's times compare: an open end is endless. */
static int64_t
end_of(int64_t ends_at)
{
	return ends_at == 0 ? INT64_MAX : ends_at;
}

void
aiops_alertmap_merge(struct aiops_alertmap *am, const struct aiops_alert *stored)
{
	struct aiops_alert *a = &am->alert;
	int64_t oend, nend;

	if (stored == NULL || a->fingerprint == NULL || stored->fingerprint == NULL ||
	    strcmp(a->fingerprint, stored->fingerprint) != 0)
		return;
	oend = end_of(stored->ends_at);
	nend = end_of(a->ends_at);
	/* provider/mem Put: merge only when the activity ranges overlap */
	if (!((nend > stored->starts_at && nend < oend) ||
	    (a->starts_at > stored->starts_at && a->starts_at < oend)))
		return;
	/* Alert.Merge: the earliest start; a firing alert keeps a later end */
	if (stored->starts_at < a->starts_at)
		a->starts_at = stored->starts_at;
	if (strcmp(a->status, "resolved") == 0) {
		if (strcmp(stored->status, "resolved") == 0 && stored->ends_at > a->ends_at)
			a->ends_at = stored->ends_at;
	} else if (stored->ends_at != 0 && a->ends_at != 0 && stored->ends_at > a->ends_at)
		a->ends_at = stored->ends_at;
}
