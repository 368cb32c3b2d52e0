/*
 * alertmanager.c: Alertmanager webhook payloads (version "4"), one alert
 * event per alert. The payload is checked whole before anything is
 * written, so a bad alert skips the payload and leaves no half of it.
 *
 * Payload: {"version":"4","groupKey":..,"receiver":..,"status":..,
 * "alerts":[{"status","labels","annotations","startsAt","endsAt",
 * "generatorURL","fingerprint"}],...}. Other keys (truncatedAlerts,
 * notification_reason, routeLabels, commonLabels...) are ignored, and so
 * is the version's value: any string will do.
 *
 * An alert event: ts = startsAt (firing) or endsAt (resolved); host =
 * label host, else label instance without its port; cluster = label
 * cluster; labels = all but alertname; fields alertname, status,
 * severity (label, else "warning"), fingerprint (given, else computed as
 * Prometheus does), starts_at, ends_at (when set), annotations,
 * generator_url, group_key, receiver. Its id covers fingerprint and
 * status, so a notification repeated by Alertmanager keeps its id.
 */
#include "compat.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "event/event.h"
#include "ingest/ingest.h"
#include "ingest/jsondoc.h"
#include "json/jw.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

#define FMTNAME		"alertmanager"
#define FPRINT_LEN	16

/* What one alert says, checked; strings borrowed from the document. */
struct alert {
	struct aiops_label	*labels;	/* all labels, sorted */
	size_t			 nlabels;
	const struct aiops_label *alertname;
	const char		*severity;
	size_t			 sevlen;
	const char		*status;
	const char		*host;
	size_t			 hlen;
	const char		*cluster;
	int64_t			 starts;
	int64_t			 ends;
	int			 has_ends;
	char			 fprint[FPRINT_LEN + 1];
	const json_t		*annotations;
	const char		*generator_url;
};

static int
key_is(const struct aiops_label *l, const char *key)
{
	size_t n = strlen(key);

	return l->klen == n && memcmp(l->key, key, n) == 0;
}

/* The borrowed string of member key, or NULL when absent or not a string. */
static const char *
member_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

int
aiops_alertmanager_match(const json_t *doc)
{
	if (!json_is_object(doc))
		return 0;
	return json_is_string(json_object_get(doc, "version")) &&
	    json_is_array(json_object_get(doc, "alerts"));
}

/*
 * Go's zero time ("0001-01-01T00:00:00Z") is how Alertmanager says
 * "no end yet"; its int64-nanosecond value would overflow, so it is
 * recognised by its text.
 */
static int
time_unset(const char *s)
{
	return s == NULL || *s == '\0' || strncmp(s, "0001-01-01T00:00:00", 19) == 0;
}

/*
 * An RFC 3339 time within what int64 nanoseconds can hold (years
 * 1678-2262); the year is checked first so that the conversion cannot
 * overflow. 0 ok, -1 bad.
 */
static int
parse_time(const char *s, int64_t *ns)
{
	size_t n = strlen(s);
	int y;

	if (n < 4 || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' ||
	    s[2] < '0' || s[2] > '9' || s[3] < '0' || s[3] > '9')
		return -1;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	if (y < 1678 || y > 2261)
		return -1;
	return aiops_time_parse_rfc3339(s, n, ns);
}

/* "web-2:9100" -> "web-2", "[::1]:9100" -> "::1"; a bare IPv6 stays whole. */
static void
strip_port(const char *s, size_t n, const char **host, size_t *hlen)
{
	const char *c, *rb;

	*host = s;
	*hlen = n;
	if (n > 0 && s[0] == '[') {
		rb = memchr(s, ']', n);
		if (rb != NULL) {
			*host = s + 1;
			*hlen = (size_t)(rb - s) - 1;
		}
		return;
	}
	c = memchr(s, ':', n);
	if (c != NULL && memchr(c + 1, ':', n - (size_t)(c - s) - 1) == NULL)
		*hlen = (size_t)(c - s);
}

/* Reads labels into a->labels (sorted); -1 with the error recorded. */
static int
read_labels(struct aiops_ingest *ing, size_t idx, const json_t *labels, struct alert *a)
{
	void *it;
	size_t n = 0;

	a->labels = xcalloc(json_object_size(labels) + 1, sizeof(*a->labels));
	for (it = json_object_iter((json_t *)labels); it != NULL;
	    it = json_object_iter_next((json_t *)labels, it)) {
		const json_t *v = json_object_iter_value(it);
		const char *k = json_object_iter_key(it);

		if (!json_is_string(v))
			return aiops_ingest_error(ing, "alerts[%zu]: labels.%s is not a string",
			    idx, k);
		a->labels[n].key = k;
		a->labels[n].klen = strlen(k);
		a->labels[n].val = json_string_value(v);
		a->labels[n].vlen = json_string_length(v);
		n++;
	}
	a->nlabels = n;
	aiops_labels_sort(a->labels, n);
	return 0;
}

/* The labels the alert's head and fields take from its label set. */
static void
label_roles(struct alert *a)
{
	const char *inst = NULL;
	size_t i, ilen = 0;

	a->severity = "warning";
	a->sevlen = strlen(a->severity);
	for (i = 0; i < a->nlabels; i++) {
		const struct aiops_label *l = &a->labels[i];

		if (l->vlen == 0)
			continue;
		if (key_is(l, "severity")) {
			a->severity = l->val;
			a->sevlen = l->vlen;
		} else if (key_is(l, "cluster"))
			a->cluster = l->val;
		else if (key_is(l, "host")) {
			a->host = l->val;
			a->hlen = l->vlen;
		} else if (key_is(l, "instance")) {
			inst = l->val;
			ilen = l->vlen;
		}
	}
	if (a->host == NULL && inst != NULL)
		strip_port(inst, ilen, &a->host, &a->hlen);
}

static int
read_times(struct aiops_ingest *ing, size_t idx, const json_t *al, struct alert *a)
{
	const json_t *sv = json_object_get(al, "startsAt");
	const json_t *ev = json_object_get(al, "endsAt");
	const char *ends;

	if (sv == NULL)
		return aiops_ingest_error(ing, "alerts[%zu]: missing startsAt", idx);
	if (!json_is_string(sv) || parse_time(json_string_value(sv), &a->starts) == -1)
		return aiops_ingest_error(ing, "alerts[%zu]: startsAt is not an RFC 3339 time",
		    idx);
	if (ev != NULL && !json_is_null(ev) && !json_is_string(ev))
		return aiops_ingest_error(ing, "alerts[%zu]: endsAt is not a string", idx);
	ends = json_string_value(ev);
	if (!time_unset(ends)) {
		if (parse_time(ends, &a->ends) == -1)
			return aiops_ingest_error(ing,
			    "alerts[%zu]: endsAt is not an RFC 3339 time", idx);
		a->has_ends = 1;
	}
	if (strcmp(a->status, "resolved") == 0 && !a->has_ends)
		return aiops_ingest_error(ing, "alerts[%zu]: resolved alert without endsAt", idx);
	return 0;
}

static int
read_status(struct aiops_ingest *ing, size_t idx, const json_t *al, struct alert *a)
{
	const json_t *v = json_object_get(al, "status");

	if (v == NULL)
		return aiops_ingest_error(ing, "alerts[%zu]: missing status", idx);
	a->status = json_string_value(v);
	if (a->status == NULL || (strcmp(a->status, "firing") != 0 &&
	    strcmp(a->status, "resolved") != 0))
		return aiops_ingest_error(ing,
		    "alerts[%zu]: status is not \"firing\" or \"resolved\"", idx);
	return 0;
}

/* The optional members: annotations, generatorURL, fingerprint. */
static int
read_extras(struct aiops_ingest *ing, size_t idx, const json_t *al, struct alert *a)
{
	const json_t *ann = json_object_get(al, "annotations");
	const json_t *gen = json_object_get(al, "generatorURL");
	const json_t *fp = json_object_get(al, "fingerprint");
	size_t n;

	if (ann != NULL && !json_is_null(ann) && !json_is_object(ann))
		return aiops_ingest_error(ing, "alerts[%zu]: annotations is not an object", idx);
	a->annotations = json_is_object(ann) ? ann : NULL;
	if (gen != NULL && !json_is_null(gen) && !json_is_string(gen))
		return aiops_ingest_error(ing, "alerts[%zu]: generatorURL is not a string", idx);
	a->generator_url = json_string_value(gen);
	if (fp != NULL && !json_is_null(fp) && !json_is_string(fp))
		return aiops_ingest_error(ing, "alerts[%zu]: fingerprint is not a string", idx);
	n = json_string_length(fp);
	if (n > FPRINT_LEN || (n > 0 && memchr(json_string_value(fp), '\0', n) != NULL))
		return aiops_ingest_error(ing, "alerts[%zu]: fingerprint is not %d hex digits",
		    idx, FPRINT_LEN);
	if (n == 0)
		aiops_labels_fingerprint(a->labels, a->nlabels, a->fprint);
	else
		memcpy(a->fprint, json_string_value(fp), n + 1);
	return 0;
}

/*
 * An alert of the push API (POST /api/v2/alerts, Alertmanager's
 * docs/alerts_api.md) has no status: it fires until its endsAt, which
 * defaults to now + resolve_timeout, as its startsAt defaults to now.
 */
static int
read_postable_times(struct aiops_ingest *ing, size_t idx, const json_t *al, struct alert *a)
{
	const json_t *sv = json_object_get(al, "startsAt");
	const json_t *ev = json_object_get(al, "endsAt");
	int64_t now = aiops_ingest_now(ing);

	a->starts = now;
	a->ends = now + AIOPS_ALERTMANAGER_RESOLVE_TIMEOUT;
	a->has_ends = 1;
	if (sv != NULL && !json_is_null(sv) && !time_unset(json_string_value(sv)) &&
	    (!json_is_string(sv) || parse_time(json_string_value(sv), &a->starts) == -1))
		return aiops_ingest_error(ing, "alerts[%zu]: startsAt is not an RFC 3339 time",
		    idx);
	if (ev != NULL && !json_is_null(ev) && !time_unset(json_string_value(ev)) &&
	    (!json_is_string(ev) || parse_time(json_string_value(ev), &a->ends) == -1))
		return aiops_ingest_error(ing, "alerts[%zu]: endsAt is not an RFC 3339 time",
		    idx);
	a->status = a->ends <= now ? "resolved" : "firing";
	return 0;
}

/* Checks alert idx and fills a; -1 with the error recorded. */
static int
read_alert(struct aiops_ingest *ing, size_t idx, const json_t *al, int postable,
    struct alert *a)
{
	const json_t *labels;
	size_t i;

	if (!json_is_object(al))
		return aiops_ingest_error(ing, "alerts[%zu]: not an object", idx);
	labels = json_object_get(al, "labels");
	if (labels == NULL)
		return aiops_ingest_error(ing, "alerts[%zu]: missing labels", idx);
	if (!json_is_object(labels))
		return aiops_ingest_error(ing, "alerts[%zu]: labels is not an object", idx);
	if (read_labels(ing, idx, labels, a) == -1)
		return -1;
	for (i = 0; i < a->nlabels; i++)
		if (key_is(&a->labels[i], "alertname") && a->labels[i].vlen > 0)
			a->alertname = &a->labels[i];
	if (a->alertname == NULL)
		return aiops_ingest_error(ing, "alerts[%zu]: missing labels.alertname", idx);
	label_roles(a);
	if (postable) {
		if (read_postable_times(ing, idx, al, a) == -1)
			return -1;
	} else if (read_status(ing, idx, al, a) == -1 || read_times(ing, idx, al, a) == -1)
		return -1;
	return read_extras(ing, idx, al, a);
}

static void
write_time(struct aiops_jw *w, const char *key, int64_t ns)
{
	char buf[AIOPS_TIME_BUFSZ];
	size_t n = aiops_time_format(ns, buf);

	aiops_jw_kstr(w, key, buf, n);
}

/* The payload's own string members (checked in check_payload). */
static void
write_payload_fields(struct aiops_jw *w, const json_t *doc)
{
	const char *gk = member_str(doc, "groupKey");
	const char *rcv = member_str(doc, "receiver");

	if (gk != NULL)
		aiops_jw_kcstr(w, "group_key", gk);
	if (rcv != NULL)
		aiops_jw_kcstr(w, "receiver", rcv);
}

/*
 * With --store, the alert into the state: the whole label set (the one
 * the fingerprint is of), annotations, times, and the host and source the
 * event has (h, its defaults filled).
 */
static void
store_alert(struct aiops_ingest *ing, const struct alert *a, const struct aiops_event_head *h)
{
	struct aiops_alert sa;
	struct aiops_buf labels, ann;
	struct aiops_jw w;
	char *host;
	size_t i;

	if (ing->alerts == NULL)
		return;
	aiops_buf_init(&labels);
	aiops_jw_init(&w, &labels);
	aiops_jw_object_begin(&w);
	for (i = 0; i < a->nlabels; i++) {
		aiops_jw_key(&w, a->labels[i].key, a->labels[i].klen);
		aiops_jw_string(&w, a->labels[i].val, a->labels[i].vlen);
	}
	aiops_jw_object_end(&w);
	aiops_buf_addc(&labels, '\0');
	aiops_buf_init(&ann);
	aiops_jw_init(&w, &ann);
	if (a->annotations != NULL)
		aiops_jw_json(&w, a->annotations);
	else
		aiops_jw_raw(&w, "{}", 2);
	aiops_buf_addc(&ann, '\0');
	/* The host may be part of a label (instance without its port). */
	host = h->host != NULL ? xstrndup(h->host, h->hlen) : NULL;
	memset(&sa, 0, sizeof(sa));
	sa.fingerprint = a->fprint;
	sa.alertname = a->alertname->val;
	sa.status = a->status;
	sa.severity = a->severity;
	sa.host = host;
	sa.labels = labels.data;
	sa.annotations = ann.data;
	sa.starts_at = a->starts;
	sa.ends_at = a->has_ends ? a->ends : 0;
	sa.generator_url = a->generator_url != NULL && *a->generator_url != '\0' ?
	    a->generator_url : NULL;
	sa.source = h->source;
	/* A store failure sets ing->store_failed; the caller stops on it. */
	(void)aiops_ingest_alert(ing, &sa);
	free(host);
	aiops_buf_release(&labels);
	aiops_buf_release(&ann);
}

static void
emit_alert(struct aiops_ingest *ing, const json_t *doc, struct alert *a)
{
	struct aiops_label *evl;
	struct aiops_event_head h;
	struct aiops_jw *w;
	char idkey[FPRINT_LEN + 16];
	size_t i, n = 0, fl = strlen(a->fprint), sl = strlen(a->status);

	/* The event's labels: all but alertname, still sorted. */
	evl = xcalloc(a->nlabels + 1, sizeof(*evl));
	for (i = 0; i < a->nlabels; i++)
		if (&a->labels[i] != a->alertname)
			evl[n++] = a->labels[i];
	/* fprint is at most 16 bytes, status "firing" or "resolved". */
	memcpy(idkey, a->fprint, fl);
	idkey[fl] = ' ';
	memcpy(idkey + fl + 1, a->status, sl);
	memset(&h, 0, sizeof(h));
	h.type = "alert";
	h.ts = strcmp(a->status, "resolved") == 0 ? a->ends : a->starts;
	h.host = a->host;
	h.hlen = a->hlen;
	h.cluster = a->cluster;
	h.source = aiops_ingest_source(ing, FMTNAME);
	h.labels = evl;
	h.nlabels = n;
	h.idkey = idkey;
	h.idklen = fl + 1 + sl;
	w = aiops_ingest_begin(ing, &h);
	aiops_jw_kstr(w, "alertname", a->alertname->val, a->alertname->vlen);
	aiops_jw_kcstr(w, "status", a->status);
	aiops_jw_kstr(w, "severity", a->severity, a->sevlen);
	aiops_jw_kcstr(w, "fingerprint", a->fprint);
	write_time(w, "starts_at", a->starts);
	if (a->has_ends)
		write_time(w, "ends_at", a->ends);
	aiops_jw_key(w, "annotations", 11);
	if (a->annotations != NULL)
		aiops_jw_json(w, a->annotations);
	else
		aiops_jw_raw(w, "{}", 2);
	if (a->generator_url != NULL)
		aiops_jw_kcstr(w, "generator_url", a->generator_url);
	write_payload_fields(w, doc);
	aiops_ingest_end(ing);
	store_alert(ing, a, &h);
	free(evl);
}

static int
check_payload(struct aiops_ingest *ing, const json_t *doc)
{
	static const char *const strs[] = { "groupKey", "receiver" };
	size_t i;

	if (!json_is_object(doc))
		return aiops_ingest_error(ing, "not an Alertmanager payload (not an object)");
	if (!json_is_string(json_object_get(doc, "version")))
		return aiops_ingest_error(ing, "not an Alertmanager payload (no \"version\" string)");
	if (!json_is_array(json_object_get(doc, "alerts")))
		return aiops_ingest_error(ing, "not an Alertmanager payload (no \"alerts\" array)");
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		const json_t *v = json_object_get(doc, strs[i]);

		if (v != NULL && !json_is_null(v) && !json_is_string(v))
			return aiops_ingest_error(ing, "%s is not a string", strs[i]);
	}
	return 0;
}

static void
free_alerts(struct alert *as, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(as[i].labels);
	free(as);
}

/* Every alert checked, then every one written: none of a bad batch is. */
static int
emit_alerts(struct aiops_ingest *ing, const json_t *doc, const json_t *alerts, int postable)
{
	struct alert *as;
	size_t i, n = json_array_size(alerts);
	int rc = 0;

	as = xcalloc(n + 1, sizeof(*as));
	for (i = 0; i < n && rc == 0; i++)
		rc = read_alert(ing, i, json_array_get(alerts, i), postable, &as[i]);
	for (i = 0; i < n && rc == 0; i++)
		emit_alert(ing, doc, &as[i]);
	free_alerts(as, n);
	return rc;
}

int
aiops_alertmanager_emit(struct aiops_ingest *ing, const json_t *doc)
{
	if (check_payload(ing, doc) == -1)
		return -1;
	return emit_alerts(ing, doc, json_object_get(doc, "alerts"), 0);
}

int
aiops_alertmanager_emit_postable(struct aiops_ingest *ing, const json_t *doc)
{
	if (!json_is_array(doc))
		return aiops_ingest_error(ing, "not a list of alerts (not a JSON array)");
	return emit_alerts(ing, NULL, doc, 1);
}
