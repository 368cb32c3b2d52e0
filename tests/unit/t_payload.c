/*
 * t_payload.c: lib/notify/payload, the receivers' bodies against their
 * contracts (/work/shared/PEERS.md sections 1 and 7).
 *
 * The webhook fixtures were posted by the real Alertmanager 0.25 (Debian
 * prometheus-alertmanager) to a receiver on 127.0.0.1, for the three
 * alerts below sent to POST /api/v2/alerts, route group_by [alertname],
 * two webhook_configs (max_alerts 0 and 2), --web.external-url
 * http://am.example.com:9093/: am025-webhook.json and
 * am025-webhook-max2.json, the bodies byte for byte. The dedup key is
 * Python's hashlib.sha256(b'{}:{alertname="DiskFull"}').hexdigest().
 */
#include "compat.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/timeutil.h"
#include "notify/alert.h"
#include "notify/payload.h"
#include "store/alerts.h"
#include "tap.h"

#define DISKFULL_KEY	"{}:{alertname=\"DiskFull\"}"
#define DISKFULL_SHA	"17c4e445d234645c9e547ff6d32a864af0ebdadcd1902771c24c8d366637ff41"

static int64_t
ns(const char *s)
{
	int64_t v = 0;

	if (aiops_time_parse_rfc3339(s, strlen(s), &v) == -1)
		abort();
	return v;
}

static char *
slurp(const char *name, size_t *len)
{
	const char *src = getenv("AIOPS_SRCDIR");
	char path[4096];
	struct aiops_buf b = AIOPS_BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *f;

	(void)snprintf(path, sizeof(path), "%s/tests/fixtures/alertmap/%s",
	    src != NULL ? src : ".", name);
	if ((f = fopen(path, "rb")) == NULL) {
		(void)snprintf(path, sizeof(path), "%s", __FILE__);
		*strrchr(path, '/') = '\0';
		(void)snprintf(path + strlen(path), sizeof(path) - strlen(path),
		    "/../fixtures/alertmap/%s", name);
		f = fopen(path, "rb");
	}
	if (f == NULL) {
		printf("Bail out! cannot open %s (set AIOPS_SRCDIR)\n", name);
		exit(1);
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		aiops_buf_add(&b, chunk, n);
	fclose(f);
	return aiops_buf_detach(&b, len);
}

/* The three DiskFull alerts Alertmanager got, as the alerts table holds them. */
static struct aiops_alert disk[3];
static char fps[3][AIOPS_FINGERPRINT_LEN + 1];

static void
make_disk(void)
{
	static const char *const labels[3] = {
		"{\"alertname\":\"DiskFull\",\"instance\":\"db-2:9100\",\"job\":\"node\","
		    "\"severity\":\"warning\",\"host\":\"db-2\"}",
		"{\"alertname\":\"DiskFull\",\"instance\":\"db-1:9100\",\"job\":\"node\","
		    "\"severity\":\"critical\",\"host\":\"db-1\"}",
		"{\"alertname\":\"DiskFull\",\"job\":\"node\",\"severity\":\"warning\","
		    "\"host\":\"nfs-1\"}",
	};
	static const char *const ann[3] = {
		"{\"summary\":\"Disk <90%> & rising on db-2\","
		    "\"runbook_url\":\"https://runbooks.example.com/DiskFull\"}",
		"{\"summary\":\"Disk full on db-1\","
		    "\"runbook_url\":\"https://runbooks.example.com/DiskFull\"}",
		"{\"summary\":\"Disk full on nfs-1 \xe2\x80\xa8 line\","
		    "\"runbook_url\":\"https://runbooks.example.com/DiskFull\"}",
	};
	int i;

	for (i = 0; i < 3; i++) {
		json_t *l = json_loads(labels[i], 0, NULL);

		aiops_alert_fingerprint(l, fps[i]);
		json_decref(l);
		memset(&disk[i], 0, sizeof(disk[i]));
		disk[i].fingerprint = fps[i];
		disk[i].alertname = "DiskFull";
		disk[i].status = "firing";
		disk[i].labels = labels[i];
		disk[i].annotations = ann[i];
		disk[i].generator_url = "http://prometheus:9090/graph?g0.expr=disk%3E90&g0.tab=1";
	}
	disk[0].starts_at = ns("2026-11-30T10:00:00.123Z");
	/* an end not reached yet is hidden, as Alertmanager hides it */
	disk[0].ends_at = ns("2026-12-01T05:28:00Z");
	disk[0].severity = "warning";
	disk[1].starts_at = ns("2026-11-30T09:00:00Z");
	disk[1].ends_at = ns("2026-11-30T09:30:00.5Z");
	disk[1].severity = "critical";
	disk[2].starts_at = ns("2026-11-30T11:00:00.000000001Z");
	disk[2].generator_url = NULL;
	disk[2].severity = "warning";
}

static struct aiops_payload *
disk_group(const struct aiops_alert *alerts, size_t n, int64_t now)
{
	json_t *gl = json_pack("{s:s}", "alertname", "DiskFull");
	struct aiops_payload_group g = { "hook", DISKFULL_KEY, gl, alerts, n,
	    "http://am.example.com:9093/", now };
	char err[256];
	struct aiops_payload *p = aiops_payload_prepare(&g, err, sizeof(err));

	if (p == NULL) {
		printf("Bail out! %s\n", err);
		exit(1);
	}
	json_decref(gl);
	return p;
}

static void
test_webhook(void)
{
	/* given out of Alertmanager's order: the payload sorts them */
	struct aiops_alert in[3] = { disk[2], disk[0], disk[1] };
	struct aiops_payload *p = disk_group(in, 3, ns("2026-12-01T05:23:00Z"));
	json_t *body;
	char *got, *want;
	size_t glen, wlen;

	body = aiops_payload_webhook(p, 0);
	got = aiops_payload_dump(body, AIOPS_PAYLOAD_GO, &glen);
	want = slurp("am025-webhook.json", &wlen);
	ok(glen == wlen && memcmp(got, want, wlen) == 0,
	    "webhook v4: the bytes Alertmanager 0.25 posted");
	if (glen != wlen || memcmp(got, want, wlen) != 0)
		printf("#   got:  %s#   want: %s", got, want);
	free(got);
	free(want);
	json_decref(body);

	body = aiops_payload_webhook(p, 2);
	got = aiops_payload_dump(body, AIOPS_PAYLOAD_GO, &glen);
	want = slurp("am025-webhook-max2.json", &wlen);
	ok(glen == wlen && memcmp(got, want, wlen) == 0,
	    "webhook v4 max_alerts 2: the bytes Alertmanager 0.25 posted");
	if (glen != wlen || memcmp(got, want, wlen) != 0)
		printf("#   got:  %s#   want: %s", got, want);
	is_int(json_integer_value(json_object_get(body, "truncatedAlerts")), 1,
	    "webhook: truncatedAlerts");
	free(got);
	free(want);
	json_decref(body);
	body = aiops_payload_webhook(p, 5);
	is_int(json_array_size(json_object_get(body, "alerts")), 3, "webhook: max over n: all");
	json_decref(body);

	is_str(aiops_payload_dedup_key(p), DISKFULL_SHA, "dedup key: sha256 of the group key");
	is_str(aiops_payload_status(p), "firing", "status firing: two fire");
	is_int(aiops_payload_count(p, "firing"), 2, "two firing");
	is_int(aiops_payload_count(p, "resolved"), 1, "one resolved");
	aiops_payload_free(p);
}

static void
test_webhook_resolved(void)
{
	struct aiops_alert in[3] = { disk[0], disk[1], disk[2] };
	struct aiops_payload *p;
	json_t *body, *a;
	size_t i;

	/* later: db-2's end passed, nfs-1 resolved explicitly */
	in[2].status = "resolved";
	in[2].ends_at = ns("2026-12-01T06:00:00Z");
	p = disk_group(in, 3, ns("2026-12-01T06:00:00Z"));
	body = aiops_payload_webhook(p, 0);
	is_str(json_string_value(json_object_get(body, "status")), "resolved",
	    "webhook: all resolved, status resolved");
	json_array_foreach(json_object_get(body, "alerts"), i, a)
		ok(strcmp(json_string_value(json_object_get(a, "status")), "resolved") == 0 &&
		    strncmp(json_string_value(json_object_get(a, "endsAt")), "2026-", 5) == 0,
		    "webhook: alert %zu resolved with its endsAt", i);
	json_decref(body);
	aiops_payload_free(p);
}

static void
test_common(void)
{
	struct aiops_alert one = disk[1];
	struct aiops_payload *p = disk_group(&one, 1, ns("2026-12-01T05:23:00Z"));
	json_t *body = aiops_payload_webhook(p, 0);

	is_int(json_object_size(json_object_get(body, "commonLabels")), 5,
	    "one alert: its labels are the common ones");
	is_int(json_object_size(json_object_get(body, "commonAnnotations")), 2,
	    "one alert: its annotations too");
	json_decref(body);
	aiops_payload_free(p);
	p = disk_group(NULL, 0, ns("2026-12-01T05:23:00Z"));
	body = aiops_payload_webhook(p, 0);
	ok(json_array_size(json_object_get(body, "alerts")) == 0 &&
	    json_object_size(json_object_get(body, "commonLabels")) == 0 &&
	    strcmp(json_string_value(json_object_get(body, "status")), "resolved") == 0,
	    "no alerts: empty, resolved");
	json_decref(body);
	aiops_payload_free(p);
}

static void
test_sort(void)
{
	/*
	 * types.AlertSlice: job, then instance, an alert without them after;
	 * then LabelSet.Before: fewer labels first, and a set that lacks the
	 * first name the other has comes first ({z} before {y}). Alertmanager
	 * 0.25 posted these six in this order.
	 */
	static const char *const labels[] = {
		"{\"alertname\":\"A\",\"z\":\"1\"}",
		"{\"alertname\":\"A\",\"job\":\"b\"}",
		"{\"alertname\":\"A\",\"job\":\"a\",\"instance\":\"y\"}",
		"{\"alertname\":\"A\",\"job\":\"a\",\"instance\":\"x\"}",
		"{\"alertname\":\"A\"}",
		"{\"alertname\":\"A\",\"y\":\"1\"}",
	};
	static const int want[] = { 3, 2, 1, 4, 0, 5 };
	struct aiops_alert in[6];
	char fp[6][AIOPS_FINGERPRINT_LEN + 1];
	struct aiops_payload *p;
	json_t *body, *alerts;
	size_t i;

	for (i = 0; i < 6; i++) {
		memset(&in[i], 0, sizeof(in[i]));
		(void)snprintf(fp[i], sizeof(fp[i]), "%016zx", i);
		in[i].fingerprint = fp[i];
		in[i].labels = labels[i];
		in[i].status = "firing";
	}
	p = disk_group(in, 6, 1);
	body = aiops_payload_webhook(p, 0);
	alerts = json_object_get(body, "alerts");
	for (i = 0; i < 6; i++) {
		char w[AIOPS_FINGERPRINT_LEN + 1];

		(void)snprintf(w, sizeof(w), "%016x", want[i]);
		is_str(json_string_value(json_object_get(json_array_get(alerts, i), "fingerprint")),
		    w, "Alertmanager's order, place %zu", i);
	}
	json_decref(body);
	aiops_payload_free(p);
}

/* Every string member of o has at most max characters. */
static size_t
chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static void
test_pagerduty(void)
{
	struct aiops_alert in[3] = { disk[0], disk[1], disk[2] };
	struct aiops_payload *p = disk_group(in, 3, ns("2026-12-01T05:23:00Z"));
	struct aiops_pagerduty_opts o = { "0123456789abcdef0123456789abcdef", NULL, NULL,
	    NULL, NULL };
	json_t *b, *pl;
	char err[256];

	ok(aiops_payload_pagerduty(p, &(struct aiops_pagerduty_opts){ 0 }, NULL, err,
	    sizeof(err)) == NULL && strstr(err, "routing_key") != NULL,
	    "pagerduty: no routing key, an error");
	b = aiops_payload_pagerduty(p, &o, NULL, err, sizeof(err));
	ok(b != NULL, "pagerduty: trigger built");
	is_str(json_string_value(json_object_get(b, "routing_key")), o.routing_key,
	    "pagerduty: routing_key");
	is_str(json_string_value(json_object_get(b, "event_action")), "trigger",
	    "pagerduty: event_action trigger");
	is_str(json_string_value(json_object_get(b, "dedup_key")), DISKFULL_SHA,
	    "pagerduty: dedup_key sha256(group key), Alertmanager's Key.Hash");
	pl = json_object_get(b, "payload");
	ok(json_is_object(pl), "pagerduty: payload");
	is_str(json_string_value(json_object_get(pl, "summary")),
	    "[FIRING:2] DiskFull (node)", "pagerduty: summary is Alertmanager's subject");
	ok(chars(json_string_value(json_object_get(pl, "summary"))) <= AIOPS_PD_SUMMARY_MAX,
	    "pagerduty: summary within 1024 characters");
	is_str(json_string_value(json_object_get(pl, "source")), "db-1, db-2, nfs-1",
	    "pagerduty: source, the hosts");
	is_str(json_string_value(json_object_get(pl, "severity")), "warning",
	    "pagerduty: severity of the firing alerts");
	is_str(json_string_value(json_object_get(pl, "timestamp")), "2026-11-30T09:00:00.000Z",
	    "pagerduty: timestamp ISO 8601, the first start");
	ok(json_is_object(json_object_get(pl, "custom_details")) &&
	    strcmp(json_string_value(json_object_get(json_object_get(pl, "custom_details"),
	    "num_firing")), "2") == 0, "pagerduty: custom_details");
	ok(json_array_size(json_object_get(b, "links")) == 1 &&
	    json_is_string(json_object_get(json_array_get(json_object_get(b, "links"), 0),
	    "href")), "pagerduty: links, each source once");
	is_str(json_string_value(json_object_get(b, "client_url")), "http://am.example.com:9093",
	    "pagerduty: client_url");
	json_decref(b);
	aiops_payload_free(p);

	/* resolved: routing_key, dedup_key, event_action and nothing else */
	in[0].status = in[2].status = "resolved";
	in[0].ends_at = in[2].ends_at = ns("2026-12-01T05:00:00Z");
	p = disk_group(in, 3, ns("2026-12-01T05:23:00Z"));
	b = aiops_payload_pagerduty(p, &o, NULL, err, sizeof(err));
	is_str(json_string_value(json_object_get(b, "event_action")), "resolve",
	    "pagerduty: event_action resolve");
	is_int(json_object_size(b), 3, "pagerduty: a resolve has three members");
	is_str(json_string_value(json_object_get(b, "dedup_key")), DISKFULL_SHA,
	    "pagerduty: resolve, the same dedup_key");
	json_decref(b);
	aiops_payload_free(p);
}

/* A renderer of n characters "é" for any text. */
static int
long_text(void *arg, enum aiops_payload_text what, const json_t *data, struct aiops_buf *out,
    char *err, size_t errlen)
{
	size_t i, n = *(size_t *)arg;

	(void)what, (void)data, (void)err, (void)errlen;
	for (i = 0; i < n; i++)
		aiops_buf_addstr(out, "\xc3\xa9");
	return 0;
}

static int
failing(void *arg, enum aiops_payload_text what, const json_t *data, struct aiops_buf *out,
    char *err, size_t errlen)
{
	(void)arg, (void)what, (void)data, (void)out;
	(void)snprintf(err, errlen, "template: no such function \"x\"");
	return -1;
}

/* A renderer that checks it gets Alertmanager's data and writes a template's text. */
static int
templated(void *arg, enum aiops_payload_text what, const json_t *data, struct aiops_buf *out,
    char *err, size_t errlen)
{
	const json_t *a0 = json_array_get(json_object_get(data, "Alerts"), 0);

	(void)arg, (void)err, (void)errlen;
	aiops_buf_addf(out, "%s %s %s", what == AIOPS_TEXT_TITLE ? "T" : "B",
	    json_string_value(json_object_get(json_object_get(data, "CommonLabels"), "alertname")),
	    json_string_value(json_object_get(json_object_get(a0, "Labels"), "host")));
	return 0;
}

static void
test_truncation(void)
{
	struct aiops_alert in[1] = { disk[0] };
	struct aiops_payload *p = disk_group(in, 1, ns("2026-12-01T05:23:00Z"));
	struct aiops_pagerduty_opts o = { "k", "aiops-test", "disk", "storage", "fs" };
	size_t n = 5000;
	struct aiops_payload_texts t = { long_text, &n };
	const char *s;
	json_t *b;
	char err[256];

	b = aiops_payload_pagerduty(p, &o, &t, err, sizeof(err));
	s = json_string_value(json_object_get(json_object_get(b, "payload"), "summary"));
	is_int(chars(s), 1024, "pagerduty: a long summary is 1024 characters");
	ok(strcmp(s + strlen(s) - 3, "\xe2\x80\xa6") == 0, "pagerduty: ending in an ellipsis");
	is_str(json_string_value(json_object_get(json_object_get(b, "payload"), "component")),
	    "disk", "pagerduty: component");
	json_decref(b);
	n = 1024;
	b = aiops_payload_pagerduty(p, &o, &t, err, sizeof(err));
	s = json_string_value(json_object_get(json_object_get(b, "payload"), "summary"));
	ok(chars(s) == 1024 && strstr(s, "\xe2\x80\xa6") == NULL,
	    "pagerduty: 1024 characters are kept whole");
	json_decref(b);

	n = 5000;
	b = aiops_payload_servicenow(p, NULL, &t, err, sizeof(err));
	is_int(chars(json_string_value(json_object_get(b, "short_description"))), 160,
	    "servicenow: short_description 160 characters");
	is_int(chars(json_string_value(json_object_get(b, "description"))), 4000,
	    "servicenow: description 4000 characters");
	json_decref(b);
	b = aiops_payload_slack(p, &t, err, sizeof(err));
	is_int(chars(json_string_value(json_object_get(json_object_get(json_array_get(
	    json_object_get(b, "blocks"), 0), "text"), "text"))), 150,
	    "slack: header 150 characters");
	is_int(chars(json_string_value(json_object_get(json_object_get(json_array_get(
	    json_object_get(b, "blocks"), 1), "text"), "text"))), 3000,
	    "slack: section 3000 characters");
	json_decref(b);

	t.render = failing;
	ok(aiops_payload_slack(p, &t, err, sizeof(err)) == NULL &&
	    strstr(err, "no such function") != NULL, "slack: a renderer's error comes back");
	ok(aiops_payload_pagerduty(p, &o, &t, err, sizeof(err)) == NULL,
	    "pagerduty: a renderer's error comes back");
	ok(aiops_payload_servicenow(p, NULL, &t, err, sizeof(err)) == NULL &&
	    aiops_payload_servicenow_resolve(p, NULL, &t, err, sizeof(err)) == NULL,
	    "servicenow: a renderer's error comes back");
	n = 0;
	t.render = long_text;
	b = aiops_payload_slack(p, &t, err, sizeof(err));
	is_str(json_string_value(json_object_get(b, "text")), "[FIRING]",
	    "an empty title: the status, Slack and PagerDuty need one");
	is_int(json_array_size(json_object_get(b, "blocks")), 3, "an empty body: no section");
	json_decref(b);
	t.render = templated;
	b = aiops_payload_servicenow(p, NULL, &t, err, sizeof(err));
	is_str(json_string_value(json_object_get(b, "short_description")), "T DiskFull db-2",
	    "renderer swapped: the title from template data");
	is_str(json_string_value(json_object_get(b, "description")), "B DiskFull db-2",
	    "renderer swapped: the body");
	json_decref(b);
	aiops_payload_free(p);
}

static void
test_servicenow(void)
{
	struct aiops_alert in[3] = { disk[0], disk[1], disk[2] };
	struct aiops_payload *p = disk_group(in, 3, ns("2026-12-01T05:23:00Z"));
	struct aiops_servicenow_opts o = { "Storage", "aiops.bot", "Hardware", NULL };
	json_t *b;
	char err[256];
	const char *d;

	b = aiops_payload_servicenow(p, &o, NULL, err, sizeof(err));
	ok(b != NULL, "servicenow: incident built");
	is_str(json_string_value(json_object_get(b, "short_description")), "[FIRING:2] DiskFull (node)",
	    "servicenow: short_description");
	d = json_string_value(json_object_get(b, "description"));
	ok(d != NULL && strstr(d, "[FIRING] Disk <90%> & rising on db-2") != NULL &&
	    strstr(d, "[RESOLVED] Disk full on db-1") != NULL &&
	    strstr(d, "lasted 30m") != NULL, "servicenow: description lists the alerts");
	is_str(json_string_value(json_object_get(b, "urgency")), "2", "servicenow: urgency");
	is_str(json_string_value(json_object_get(b, "impact")), "3", "servicenow: impact");
	is_str(json_string_value(json_object_get(b, "correlation_id")), DISKFULL_SHA,
	    "servicenow: correlation_id the dedup key");
	is_str(json_string_value(json_object_get(b, "assignment_group")), "Storage",
	    "servicenow: assignment_group");
	is_str(json_string_value(json_object_get(b, "caller_id")), "aiops.bot",
	    "servicenow: caller_id");
	json_decref(b);
	b = aiops_payload_servicenow_resolve(p, &o, NULL, err, sizeof(err));
	is_str(json_string_value(json_object_get(b, "state")), "6", "servicenow resolve: state 6");
	is_str(json_string_value(json_object_get(b, "close_code")), "Solution provided",
	    "servicenow resolve: close_code");
	ok(json_is_string(json_object_get(b, "close_notes")), "servicenow resolve: close_notes");
	json_decref(b);
	aiops_payload_free(p);

	/* critical firing: P1 */
	in[1].status = "firing";
	in[1].ends_at = 0;
	p = disk_group(in, 3, ns("2026-12-01T05:23:00Z"));
	b = aiops_payload_servicenow(p, NULL, NULL, err, sizeof(err));
	ok(strcmp(json_string_value(json_object_get(b, "urgency")), "1") == 0 &&
	    strcmp(json_string_value(json_object_get(b, "impact")), "1") == 0,
	    "servicenow: critical is urgency 1, impact 1");
	json_decref(b);
	aiops_payload_free(p);
}

static void
test_slack(void)
{
	struct aiops_alert in[3] = { disk[0], disk[1], disk[2] };
	struct aiops_payload *p = disk_group(in, 3, ns("2026-12-01T05:23:00Z"));
	json_t *b, *blocks, *fields, *f;
	const char *s;
	char err[256];
	size_t i;

	b = aiops_payload_slack(p, NULL, err, sizeof(err));
	ok(b != NULL, "slack: built");
	is_str(json_string_value(json_object_get(b, "text")), "[FIRING:2] DiskFull (node)",
	    "slack: fallback text");
	blocks = json_object_get(b, "blocks");
	is_int(json_array_size(blocks), 4, "slack: header, body, fields, context");
	is_str(json_string_value(json_object_get(json_array_get(blocks, 0), "type")), "header",
	    "slack: a header block");
	is_str(json_string_value(json_object_get(json_object_get(json_array_get(blocks, 0),
	    "text"), "type")), "plain_text", "slack: header text is plain_text");
	s = json_string_value(json_object_get(json_object_get(json_array_get(blocks, 1), "text"),
	    "text"));
	ok(s != NULL && strstr(s, "Disk &lt;90%&gt; &amp; rising") != NULL &&
	    strchr(s, '<') == NULL, "slack: & < > escaped in mrkdwn");
	fields = json_object_get(json_array_get(blocks, 2), "fields");
	ok(json_array_size(fields) >= 3 && json_array_size(fields) <= 10, "slack: 3 to 10 fields");
	json_array_foreach(fields, i, f)
		ok(strcmp(json_string_value(json_object_get(f, "type")), "mrkdwn") == 0 &&
		    chars(json_string_value(json_object_get(f, "text"))) <= AIOPS_SLACK_FIELD_MAX,
		    "slack: field %zu mrkdwn within 2000", i);
	is_str(json_string_value(json_object_get(json_array_get(fields, 0), "text")),
	    "*Severity*\nwarning", "slack: severity field");
	is_str(json_string_value(json_object_get(json_array_get(fields, 1), "text")),
	    "*Hosts*\ndb-1, db-2, nfs-1", "slack: hosts field");
	is_str(json_string_value(json_object_get(json_array_get(fields, 2), "text")),
	    "*Started*\n2026-11-30T09:00:00.000Z", "slack: started field");
	is_str(json_string_value(json_object_get(json_array_get(blocks, 3), "type")), "context",
	    "slack: a context block");
	s = json_string_value(json_object_get(json_array_get(json_object_get(
	    json_array_get(blocks, 3), "elements"), 0), "text"));
	ok(s != NULL && strstr(s, "2 firing, 1 resolved") != NULL &&
	    strstr(s, "<http://am.example.com:9093|more>") != NULL, "slack: context line");
	json_decref(b);
	aiops_payload_free(p);

	/* resolved: says how long it lasted */
	in[0].status = in[2].status = "resolved";
	in[0].ends_at = ns("2026-11-30T10:30:00.123Z");
	in[2].ends_at = ns("2026-11-30T11:45:00Z");
	p = disk_group(in, 3, ns("2026-12-01T05:23:00Z"));
	b = aiops_payload_slack(p, NULL, err, sizeof(err));
	is_str(json_string_value(json_object_get(b, "text")), "[RESOLVED] DiskFull (node) (lasted 2h 45m)",
	    "slack resolved: how long it lasted");
	fields = json_object_get(json_array_get(json_object_get(b, "blocks"), 2), "fields");
	is_str(json_string_value(json_object_get(json_array_get(fields, 3), "text")),
	    "*Lasted*\n2h 45m", "slack resolved: a lasted field");
	json_decref(b);
	aiops_payload_free(p);
}

static void
test_data(void)
{
	struct aiops_alert in[1] = { disk[1] };
	struct aiops_payload *p = disk_group(in, 1, ns("2026-12-01T05:23:00Z"));
	json_t *d = aiops_payload_data(p), *a = json_array_get(json_object_get(d, "Alerts"), 0);
	static const char *const keys[] = { "Receiver", "Status", "Alerts", "GroupLabels",
	    "CommonLabels", "CommonAnnotations", "ExternalURL" };
	static const char *const akeys[] = { "Status", "Labels", "Annotations", "StartsAt",
	    "EndsAt", "GeneratorURL", "Fingerprint" };
	size_t i;

	for (i = 0; i < 7; i++)
		ok(json_object_get(d, keys[i]) != NULL, "template data: .%s", keys[i]);
	for (i = 0; i < 7; i++)
		ok(json_object_get(a, akeys[i]) != NULL, "template data: alert .%s", akeys[i]);
	is_str(json_string_value(json_object_get(a, "Fingerprint")), "1042802f01991d38",
	    "template data: Alertmanager's fingerprint");
	json_decref(d);
	aiops_payload_free(p);
}

static void
test_incident(void)
{
	/* an incident mapped by notify/alert and sent: the texts a person reads */
	json_t *ev = json_loads("{\"type\":\"incident\",\"ts\":\"2026-11-15T18:56:00.000Z\","
	    "\"host\":\"web-1\",\"labels\":{\"alertname\":\"aiops_incident\",\"host\":\"web-1\","
	    "\"signal\":\"cpu{cpu=cpu-total}\"},\"incident_id\":\"e00838e0853fb295\","
	    "\"status\":\"resolved\",\"severity\":\"warning\",\"title\":\"web-1: CPU saturated\","
	    "\"fingerprint\":\"4e79fd49e89e22ab\",\"first_seen\":\"2026-11-15T18:20:00.000Z\","
	    "\"last_seen\":\"2026-11-15T18:26:00.000Z\",\"hosts\":[\"web-1\"],"
	    "\"root_cause\":{\"kind\":\"metric\",\"what\":\"cpu_usage_user\",\"host\":\"web-1\"},"
	    "\"summary\":\"web-1: CPU saturated; suspected cause: metric cpu_usage_user\"}", 0, NULL);
	struct aiops_alertmap am;
	struct aiops_payload *p;
	json_t *b, *gl = json_pack("{s:s}", "alertname", "aiops_incident");
	struct aiops_payload_group g = { "oncall", "{}:{alertname=\"aiops_incident\"}", gl,
	    NULL, 1, NULL, ns("2026-11-15T19:00:00Z") };
	char err[256];
	const char *s;

	ok(aiops_alertmap_event(ev, NULL, &am, err, sizeof(err)) == 1, "incident: mapped");
	g.alerts = &am.alert;
	p = aiops_payload_prepare(&g, err, sizeof(err));
	b = aiops_payload_slack(p, NULL, err, sizeof(err));
	is_str(json_string_value(json_object_get(b, "text")),
	    "[RESOLVED] web-1: CPU saturated (lasted 6m)", "incident: resolved title");
	s = json_string_value(json_object_get(json_object_get(json_array_get(
	    json_object_get(b, "blocks"), 1), "text"), "text"));
	ok(s != NULL && strstr(s, "Suspected cause: metric cpu_usage_user on web-1") != NULL,
	    "incident: the suspected cause in the body");
	json_decref(b);
	aiops_payload_free(p);
	aiops_alertmap_release(&am);
	json_decref(gl);
	json_decref(ev);
}

static void
test_big_pagerduty(void)
{
	struct aiops_alert in[1] = { disk[0] };
	struct aiops_pagerduty_opts o = { "k", NULL, NULL, NULL, NULL };
	struct aiops_buf ann = AIOPS_BUF_INIT;
	struct aiops_payload *p;
	json_t *b, *cd;
	char err[256];
	size_t i;

	aiops_buf_addstr(&ann, "{\"big\":\"");
	for (i = 0; i < 600000; i++)
		aiops_buf_addc(&ann, 'x');
	aiops_buf_addstr(&ann, "\"}");
	in[0].annotations = ann.data;
	p = disk_group(in, 1, ns("2026-12-01T05:23:00Z"));
	b = aiops_payload_pagerduty(p, &o, NULL, err, sizeof(err));
	cd = json_object_get(json_object_get(b, "payload"), "custom_details");
	ok(json_object_size(cd) == 1 && strstr(json_string_value(json_object_get(cd, "error")),
	    "exceeds the maximum size") != NULL, "pagerduty: over 512 kB, details removed");
	json_decref(b);
	aiops_payload_free(p);
	aiops_buf_release(&ann);
}

static void
test_malformed(void)
{
	struct aiops_alert a = disk[0];
	struct aiops_payload_group g = { "r", "k", NULL, &a, 1, NULL, 0 };
	char err[256];

	a.labels = "{\"a\":";
	ok(aiops_payload_prepare(&g, err, sizeof(err)) == NULL &&
	    strstr(err, "alerts[0]") != NULL && strstr(err, "labels") != NULL,
	    "truncated labels: an error naming the alert");
	a.labels = "{\"a\":1}";
	ok(aiops_payload_prepare(&g, err, sizeof(err)) == NULL, "a label that is a number");
	a.labels = "[]";
	ok(aiops_payload_prepare(&g, err, sizeof(err)) == NULL, "labels an array");
	a = disk[0];
	a.annotations = "{\"a\":{}}";
	ok(aiops_payload_prepare(&g, err, sizeof(err)) == NULL &&
	    strstr(err, "annotations") != NULL, "an annotation that is an object");
	a = disk[0];
	a.fingerprint = NULL;
	ok(aiops_payload_prepare(&g, err, sizeof(err)) == NULL &&
	    strstr(err, "fingerprint") != NULL, "no fingerprint");
	a = disk[0];
	g.receiver = NULL;
	ok(aiops_payload_prepare(&g, err, sizeof(err)) == NULL &&
	    strstr(err, "receiver") != NULL, "no receiver");
	g.receiver = "r";
	g.group_labels = json_array();
	ok(aiops_payload_prepare(&g, err, sizeof(err)) == NULL &&
	    strstr(err, "group labels") != NULL, "group labels an array");
	json_decref((json_t *)g.group_labels);
}

static void
test_dump(void)
{
	json_t *o = json_pack("{s:s,s:s}", "a", "\x01\b\f\n\t\"\\/", "b",
	    "\xe2\x80\xa9<&>\xc3\xa9");
	char *s = aiops_payload_dump(o, AIOPS_PAYLOAD_GO, NULL);

	is_str(s, "{\"a\":\"\\u0001\\u0008\\u000c\\n\\t\\\"\\\\/\","
	    "\"b\":\"\\u2029\\u003c\\u0026\\u003e\xc3\xa9\"}\n", "dump: as Go's encoder");
	free(s);
	s = aiops_payload_dump(o, 0, NULL);
	ok(strchr(s, '<') != NULL && s[strlen(s) - 1] == '}', "dump: plain compact JSON");
	free(s);
	json_decref(o);
}

static void
test_severity(void)
{
	is_str(aiops_payload_pd_severity("critical"), "critical", "pd severity critical");
	is_str(aiops_payload_pd_severity("CRIT"), "critical", "pd severity CRIT");
	is_str(aiops_payload_pd_severity("page"), "critical", "pd severity page");
	is_str(aiops_payload_pd_severity("error"), "error", "pd severity error");
	is_str(aiops_payload_pd_severity("warning"), "warning", "pd severity warning");
	is_str(aiops_payload_pd_severity("info"), "info", "pd severity info");
	is_str(aiops_payload_pd_severity("notice"), "info", "pd severity notice");
	is_str(aiops_payload_pd_severity("bogus"), "warning", "pd severity unknown");
	is_str(aiops_payload_pd_severity(NULL), "warning", "pd severity none");
}

static void
test_sha(void)
{
	char out[AIOPS_DEDUP_KEY_LEN + 1];

	/* hashlib.sha256(b'').hexdigest() */
	aiops_payload_sha256_hex("", 0, out);
	is_str(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	    "sha256 of nothing");
	aiops_payload_sha256_hex(DISKFULL_KEY, strlen(DISKFULL_KEY), out);
	is_str(out, DISKFULL_SHA, "sha256 of a group key (Python hashlib)");
}

int
main(void)
{
	make_disk();
	test_webhook();
	test_webhook_resolved();
	test_common();
	test_sort();
	test_pagerduty();
	test_truncation();
	test_servicenow();
	test_slack();
	test_data();
	test_incident();
	test_big_pagerduty();
	test_malformed();
	test_dump();
	test_severity();
	test_sha();
	return tap_done();
}
