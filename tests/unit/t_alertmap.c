/*
 * t_alertmap.c: lib/notify/alert, events as Alertmanager alerts.
 *
 * The events are real outputs (tests/fixtures/alertmap/events.ndjson):
 * aiops-ingest's alerts (tests/fixtures/ingest/am-*.expected), aiops-detect's
 * incident and anomalies (tests/fixtures/detect/spike-alert.expected, a
 * restart from the samples, new-log-alert.expected), aiops-forecast's
 * prediction of the samples' db-1 disk and a cleared one (the run of
 * tests/forecast.bats), and tasks written to the aiops(7) contract
 * (aiops-run does not exist yet). The expected fingerprints were computed
 * with Python (FNV-1a 64 as prometheus/common model/signature.go):
 *
 *   def fp(l):
 *       h = 0xcbf29ce484222325
 *       for k in sorted(l, key=str.encode):
 *           for b in k.encode() + b'\xff' + l[k].encode() + b'\xff':
 *               h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
 *       return '%016x' % h
 *
 * and 1042802f01991d38 is also the one Alertmanager 0.25 gave the same
 * label set (tests/fixtures/alertmap/am025-webhook.json).
 */
#include "compat.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "notify/alert.h"
#include "store/alerts.h"
#include "tap.h"

#define NS(s)	parse_ns(s)

static json_t *events;

static int64_t
parse_ns(const char *s)
{
	int64_t ns = 0;

	if (aiops_time_parse_rfc3339(s, strlen(s), &ns) == -1)
		abort();
	return ns;
}

static void
load_events(void)
{
	const char *src = getenv("AIOPS_SRCDIR");
	char path[4096], line[65536];
	FILE *f;

	if (src == NULL)
		src = ".";
	(void)snprintf(path, sizeof(path), "%s/tests/fixtures/alertmap/events.ndjson", src);
	if ((f = fopen(path, "r")) == NULL) {
		/* run by hand from the build directory: the source is where this file is */
		(void)snprintf(path, sizeof(path), "%s", __FILE__);
		*strrchr(path, '/') = '\0';
		(void)snprintf(path + strlen(path), sizeof(path) - strlen(path),
		    "/../fixtures/alertmap/events.ndjson");
		f = fopen(path, "r");
	}
	if (f == NULL) {
		printf("Bail out! cannot open events.ndjson (set AIOPS_SRCDIR)\n");
		exit(1);
	}
	events = json_array();
	while (fgets(line, sizeof(line), f) != NULL) {
		json_error_t je;
		json_t *ev = json_loads(line, 0, &je);

		if (ev == NULL) {
			printf("Bail out! %s: %s\n", path, je.text);
			exit(1);
		}
		json_array_append_new(events, ev);
	}
	fclose(f);
}

/* The first event of the fixture of type and host (or any host). */
static const json_t *
event(const char *type, const char *key, const char *val)
{
	size_t i;
	json_t *ev;

	json_array_foreach(events, i, ev)
		if (strcmp(json_string_value(json_object_get(ev, "type")), type) == 0 &&
		    (key == NULL || (json_is_string(json_object_get(ev, key)) &&
		    strcmp(json_string_value(json_object_get(ev, key)), val) == 0)))
			return ev;
	printf("Bail out! no %s event with %s=%s\n", type, key, val);
	exit(1);
}

static const char *
lab(const struct aiops_alertmap *am, const char *k)
{
	return json_string_value(json_object_get(am->labels, k));
}

static const char *
ann(const struct aiops_alertmap *am, const char *k)
{
	return json_string_value(json_object_get(am->annotations, k));
}

/* Maps ev; the result code must be want. */
static int
map(const json_t *ev, struct aiops_alertmap *am, int64_t now, char *err, size_t errlen)
{
	struct aiops_alertmap_opts o = { now, 0 };

	return aiops_alertmap_event(ev, &o, am, err, errlen);
}

static void
test_alert(void)
{
	struct aiops_alertmap am;
	char err[256];

	is_int(map(event("alert", "status", "firing"), &am, 0, err, sizeof(err)), 1,
	    "alert: mapped");
	is_str(am.alert.fingerprint, "66b31e347cdc900a", "alert: its own fingerprint");
	is_str(am.labels_text, "{\"alertname\":\"HighCPU\",\"instance\":\"web-2:9100\","
	    "\"severity\":\"critical\"}", "alert: labels + alertname, sorted");
	is_str(am.alert.status, "firing", "alert: firing");
	is_str(am.alert.severity, "critical", "alert: severity");
	is_str(am.alert.host, "web-2", "alert: host");
	is_int(am.alert.starts_at, NS("2026-11-22T11:55:00.123Z"), "alert: startsAt");
	is_int(am.alert.ends_at, 0, "alert: no endsAt while firing");
	is_str(ann(&am, "summary"), "CPU above 90% on web-2", "alert: annotations kept");
	is_str(am.alert.generator_url,
	    "http://prometheus:9090/graph?g0.expr=cpu_usage+%3E+90&g0.tab=1", "alert: generatorURL");
	is_str(am.alert.source, "alertmanager", "alert: source");
	aiops_alertmap_release(&am);

	is_int(map(event("alert", "status", "resolved"), &am, 0, err, sizeof(err)), 1,
	    "alert resolved: mapped");
	is_str(am.alert.status, "resolved", "alert resolved: resolved");
	is_int(am.alert.ends_at, NS("2026-11-22T12:10:00.000Z"), "alert resolved: endsAt");
	is_str(am.alert.fingerprint, "66b31e347cdc900a", "alert resolved: same fingerprint");
	aiops_alertmap_release(&am);
}

static void
test_alert_computed(void)
{
	struct aiops_alertmap am;
	json_t *ev = json_deep_copy(event("alert", "status", "firing"));
	char err[256];

	json_object_del(ev, "fingerprint");
	ok(map(ev, &am, 0, err, sizeof(err)) == 1 &&
	    strcmp(am.alert.fingerprint, "66b31e347cdc900a") == 0,
	    "alert without fingerprint: computed as Prometheus does");
	aiops_alertmap_release(&am);
	/* firing, but its endsAt is past at now: resolved */
	json_object_set_new(ev, "ends_at", json_string("2026-11-22T12:00:00Z"));
	ok(map(ev, &am, NS("2026-11-22T12:00:00Z"), err, sizeof(err)) == 1 &&
	    strcmp(am.alert.status, "resolved") == 0, "alert: endsAt at now resolves it");
	aiops_alertmap_release(&am);
	ok(map(ev, &am, NS("2026-11-22T11:59:59Z"), err, sizeof(err)) == 1 &&
	    strcmp(am.alert.status, "firing") == 0, "alert: endsAt after now fires");
	aiops_alertmap_release(&am);
	json_decref(ev);
}

static void
test_incident(void)
{
	struct aiops_alertmap am;
	char err[256];

	is_int(map(event("incident", "status", "open"), &am, 0, err, sizeof(err)), 1,
	    "incident: mapped");
	is_str(am.alert.fingerprint, "4e79fd49e89e22ab", "incident: its fingerprint");
	is_str(am.labels_text, "{\"alertname\":\"aiops_incident\",\"host\":\"web-1\","
	    "\"signal\":\"cpu{cpu=cpu-total}\"}", "incident: its labels");
	is_str(am.alert.status, "firing", "incident open: firing");
	is_str(am.alert.severity, "warning", "incident: severity");
	is_str(lab(&am, "severity"), NULL, "incident: severity is no label");
	is_str(json_string_value(json_object_get(am.match_labels, "severity")), "warning",
	    "incident: severity is a match label");
	is_int(am.alert.starts_at, NS("2026-11-15T18:20:00Z"), "incident: startsAt first_seen");
	is_str(ann(&am, "summary"), "web-1: CPU saturated, alert HostHighCpuLoad",
	    "incident: summary is the title");
	is_str(ann(&am, "suspected_cause"),
	    "metric cpu_usage_user on web-1 at 2026-11-15T18:20:00.000Z (spike, value 97.5)",
	    "incident: suspected cause");
	is_str(ann(&am, "hosts"), "web-1", "incident: hosts");
	is_str(ann(&am, "members"), "2", "incident: members");
	is_str(ann(&am, "incident_id"), "e00838e0853fb295", "incident: id");
	ok(ann(&am, "description") != NULL &&
	    strstr(ann(&am, "description"), "suspected cause") != NULL,
	    "incident: description is its summary sentence");
	aiops_alertmap_release(&am);

	is_int(map(event("incident", "status", "resolved"), &am, 0, err, sizeof(err)), 1,
	    "incident resolved: mapped");
	is_str(am.alert.status, "resolved", "incident resolved: resolved");
	is_str(am.alert.fingerprint, "4e79fd49e89e22ab", "incident resolved: same fingerprint");
	is_int(am.alert.ends_at, NS("2026-11-15T18:26:00Z"), "incident resolved: endsAt last_seen");
	aiops_alertmap_release(&am);
}

static void
test_incident_bare(void)
{
	/* an incident of tests/fixtures/incidents: no labels, no fingerprint */
	json_t *ev = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "type", "incident",
	    "ts", "2026-11-02T10:05:00.000Z", "host", "web-1", "incident_id", "a",
	    "status", "open", "first_seen", "2026-11-02T10:05:00.000Z", "summary", "a, first");
	struct aiops_alertmap am;
	char err[256];

	ok(map(ev, &am, 0, err, sizeof(err)) == 1, "bare incident: mapped");
	is_str(am.labels_text, "{\"alertname\":\"aiops_incident\",\"host\":\"web-1\","
	    "\"incident_id\":\"a\"}", "bare incident: named by its id");
	/* fp({"alertname":"aiops_incident","host":"web-1","incident_id":"a"}) */
	is_str(am.alert.fingerprint, "bd9a132a11973280", "bare incident: computed fingerprint");
	is_str(ann(&am, "summary"), "a, first", "bare incident: summary");
	aiops_alertmap_release(&am);
	json_decref(ev);
}

static void
test_anomaly(void)
{
	struct aiops_alertmap am;
	char err[256];

	is_int(map(event("anomaly", "detector", "spike"), &am, 0, err, sizeof(err)), 1,
	    "anomaly: mapped");
	is_str(am.labels_text, "{\"alertname\":\"aiops_anomaly\",\"cpu\":\"cpu-total\","
	    "\"host\":\"web-1\",\"name\":\"cpu_usage_user\"}", "anomaly: series labels");
	is_str(am.alert.fingerprint, "0338619fe756fbea", "anomaly: fingerprint");
	is_str(am.alert.status, "firing", "anomaly: firing");
	is_int(am.alert.starts_at, NS("2026-11-15T18:20:00Z"), "anomaly: startsAt ts");
	is_int(am.alert.ends_at, NS("2026-11-15T18:25:00Z"), "anomaly: fires resolve_timeout");
	is_str(ann(&am, "summary"),
	    "web-1: cpu_usage_user{cpu=cpu-total} is 97.5%, expected about 39.35 \xc2\xb1 4.559%",
	    "anomaly: value against its expected range");
	is_str(ann(&am, "description"), "value 97.5 is 12.8 robust SDs above the rolling "
	    "median of 39.35 (last 128 points); detector spike, score 0.976",
	    "anomaly: reason, detector, score");
	is_str(am.alert.severity, "warning", "anomaly: warning");
	aiops_alertmap_release(&am);

	is_int(map(event("anomaly", "detector", "spike"), &am, NS("2026-11-15T18:25:00Z"), err,
	    sizeof(err)), 1, "anomaly later: mapped");
	is_str(am.alert.status, "resolved", "anomaly: resolved once resolve_timeout passed");
	aiops_alertmap_release(&am);

	is_int(map(event("anomaly", "detector", "restart"), &am, 0, err, sizeof(err)), 1,
	    "restart: mapped");
	is_str(am.alert.fingerprint, "fa7c5c3f22c05d87", "restart: fingerprint");
	is_str(ann(&am, "summary"), "web-1 restarted: net_bytes_recv was reset from "
	    "1211726010907 to 103050648", "restart: its reason, host not repeated");
	aiops_alertmap_release(&am);

	is_int(map(event("anomaly", "detector", "new-template"), &am, 0, err, sizeof(err)), 1,
	    "log anomaly: mapped");
	is_str(am.alert.fingerprint, "5fe9cfda5c9da272", "log anomaly: template_id, service");
	is_str(lab(&am, "template_id"), "3", "log anomaly: template_id as text");
	ok(strncmp(ann(&am, "summary"), "web-1: a new kind of log line", 29) == 0,
	    "log anomaly: summary from the reason");
	ok(ann(&am, "template") != NULL, "log anomaly: template");
	aiops_alertmap_release(&am);
}

static void
test_anomaly_timeout(void)
{
	struct aiops_alertmap am;
	struct aiops_alertmap_opts o = { 0, 60 * AIOPS_NS_PER_SEC };
	char err[256];

	ok(aiops_alertmap_event(event("anomaly", "detector", "spike"), &o, &am, err,
	    sizeof(err)) == 1 && am.alert.ends_at == NS("2026-11-15T18:21:00Z"),
	    "anomaly: resolve_timeout is an option");
	aiops_alertmap_release(&am);
}

static void
test_prediction(void)
{
	struct aiops_alertmap am, cl;
	struct aiops_alert stored;
	char err[256];

	is_int(map(event("prediction", "host", "db-1"), &am, 0, err, sizeof(err)), 1,
	    "prediction: mapped");
	is_str(am.alert.fingerprint, "f9df084c436e014e", "prediction: fingerprint");
	is_str(lab(&am, "threshold"), "90", "prediction: threshold label");
	is_str(lab(&am, "direction"), "above", "prediction: direction label");
	is_str(lab(&am, "rule"), NULL, "prediction: rule is no label (a cleared one has none)");
	is_str(ann(&am, "rule"), "disk", "prediction: rule annotation");
	is_str(ann(&am, "summary"), "db-1: disk_used_percent{device=sdb1,fstype=xfs,mode=rw,"
	    "path=/var/lib/postgresql} reaches 90% in 35.6 h (25.6 to 64.8 h)",
	    "prediction: reaches 90%% in 35.6 h (25.6 to 64.8 h)");
	is_str(am.alert.severity, "warning", "prediction: due in 35 h is a warning");
	is_int(am.alert.ends_at, 0, "prediction: no end");
	aiops_alertmap_release(&am);

	is_int(map(event("prediction", "host", "h1"), &am, 0, err, sizeof(err)), 1,
	    "prediction h1: mapped");
	is_str(ann(&am, "summary"), "h1: disk_used_percent reaches 90% in 50.0 h "
	    "(3.0 h at the earliest)", "prediction: no far edge");
	is_int(map(event("prediction", "status", "cleared"), &cl, 0, err, sizeof(err)), 1,
	    "cleared: mapped");
	is_str(cl.alert.fingerprint, am.alert.fingerprint, "cleared: same fingerprint");
	is_str(cl.alert.fingerprint, "678a4be670915833", "cleared: fingerprint");
	is_str(cl.alert.status, "resolved", "cleared: resolved");
	is_int(cl.alert.ends_at, NS("2026-11-22T23:00:00Z"), "cleared: endsAt its ts");
	is_str(ann(&cl, "summary"), "h1: disk_used_percent no longer reaches 90%",
	    "cleared: summary");
	/* the store's alert it continues gives it its start */
	stored = am.alert;
	aiops_alertmap_merge(&cl, &stored);
	is_int(cl.alert.starts_at, NS("2026-11-21T23:00:00Z"), "cleared merged: the first start");
	is_int(cl.alert.ends_at, NS("2026-11-22T23:00:00Z"), "cleared merged: its own end");
	aiops_alertmap_release(&cl);
	aiops_alertmap_release(&am);
}

static void
test_prediction_crossed(void)
{
	json_t *ev = json_deep_copy(event("prediction", "host", "db-1"));
	struct aiops_alertmap am;
	char err[256];

	json_object_set_new(ev, "crossed", json_true());
	json_object_set_new(ev, "value", json_real(91.25));
	ok(map(ev, &am, 0, err, sizeof(err)) == 1, "crossed: mapped");
	is_str(am.alert.severity, "critical", "crossed: critical");
	ok(strstr(ann(&am, "summary"), "is at or above 90% already (91.25%)") != NULL,
	    "crossed: says so");
	aiops_alertmap_release(&am);
	json_object_set_new(ev, "direction", json_string("below"));
	json_object_set_new(ev, "threshold", json_real(0.1));
	json_object_del(ev, "crossed");
	ok(map(ev, &am, 0, err, sizeof(err)) == 1 && strcmp(lab(&am, "threshold"), "0.1") == 0 &&
	    strstr(ann(&am, "summary"), "falls to 0.1%") != NULL,
	    "below: falls to, threshold 0.1 as its shortest text");
	aiops_alertmap_release(&am);
	json_decref(ev);
}

static void
test_task(void)
{
	struct aiops_alertmap am;
	char err[256];

	is_int(map(event("task", "status", "failed"), &am, 0, err, sizeof(err)), 1,
	    "task failed: mapped");
	is_str(am.labels_text, "{\"action\":\"ansible:disk_cleanup.yml\",\"alertname\":"
	    "\"aiops_task\",\"host\":\"db-1\",\"rule\":\"disk-cleanup\",\"target\":\"db-1\"}",
	    "task: rule, target, action, host");
	is_str(am.alert.fingerprint, "8d90c448fdea7f39", "task: fingerprint");
	is_str(am.alert.status, "firing", "task failed: firing");
	is_str(am.alert.severity, "warning", "task failed: warning");
	is_str(ann(&am, "summary"), "db-1: rule disk-cleanup (ansible:disk_cleanup.yml) "
	    "failed, attempt 2", "task: summary with its result");
	ok(strstr(ann(&am, "description"), "permission denied") != NULL, "task: output");
	is_str(ann(&am, "task_id"), "t-0001", "task: task_id");
	aiops_alertmap_release(&am);

	is_int(map(event("task", "status", "verified"), &am, 0, err, sizeof(err)), 1,
	    "task verified: mapped");
	is_str(am.alert.fingerprint, "8d90c448fdea7f39", "task verified: same alert");
	is_str(am.alert.status, "resolved", "task verified: resolved");
	aiops_alertmap_release(&am);

	is_int(map(event("task", "status", "dead"), &am, 0, err, sizeof(err)), 1,
	    "task dead: mapped");
	is_str(am.alert.fingerprint, "9ea927b158ef613c", "task dead: fingerprint");
	is_str(am.alert.severity, "critical", "task dead: critical");
	aiops_alertmap_release(&am);
}

static void
test_task_output(void)
{
	json_t *ev = json_deep_copy(event("task", "status", "failed"));
	struct aiops_alertmap am;
	char *out = malloc(100001), err[256];
	size_t i;

	/* a long output of 2-byte characters: the tail kept, at a character */
	for (i = 0; i < 100000; i += 2)
		memcpy(out + i, "\xc3\xa9", 2);
	out[100000] = '\0';
	json_object_set_new(ev, "output", json_string(out));
	ok(map(ev, &am, 0, err, sizeof(err)) == 1, "long output: mapped");
	ok(strlen(ann(&am, "description")) <= AIOPS_ALERT_OUTPUT_MAX + 3 &&
	    strncmp(ann(&am, "description"), "\xe2\x80\xa6\xc3\xa9", 5) == 0,
	    "long output: its tail after an ellipsis, whole characters");
	aiops_alertmap_release(&am);
	free(out);
	json_decref(ev);
}

static void
test_not_alerts(void)
{
	static const char *const types[] = { "metric", "log", "forecast" };
	struct aiops_alertmap am;
	char err[256];
	size_t i;
	json_t *ev;

	for (i = 0; i < 3; i++)
		is_int(map(event(types[i], NULL, NULL), &am, 0, err, sizeof(err)), 0,
		    "%s: no alert", types[i]);
	ev = json_pack("{s:s,s:s}", "type", "notification", "ts", "2026-11-22T12:00:00Z");
	is_int(map(ev, &am, 0, err, sizeof(err)), 0, "notification: no alert (no loops)");
	json_decref(ev);
	ev = json_pack("{s:s}", "type", "something-new");
	is_int(map(ev, &am, 0, err, sizeof(err)), 0, "a type not known yet: no alert");
	aiops_alertmap_release(&am);
	json_decref(ev);
}

static void
test_labels(void)
{
	json_t *ev = json_deep_copy(event("anomaly", "detector", "spike"));
	json_t *l = json_object_get(ev, "labels");
	struct aiops_alertmap am;
	char err[256];

	/* series labels named as ours lose; an empty one is no label */
	json_object_set_new(l, "alertname", json_string("Spoof"));
	json_object_set_new(l, "name", json_string("other"));
	json_object_set_new(l, "empty", json_string(""));
	ok(map(ev, &am, 0, err, sizeof(err)) == 1, "labels: mapped");
	is_str(lab(&am, "alertname"), "aiops_anomaly", "labels: alertname is ours");
	is_str(lab(&am, "name"), "cpu_usage_user", "labels: name is the event's");
	ok(json_object_get(am.labels, "empty") == NULL, "labels: empty value dropped");
	is_str(am.alert.fingerprint, "0338619fe756fbea", "labels: same fingerprint");
	aiops_alertmap_release(&am);
	json_decref(ev);
}

static void
test_fingerprint(void)
{
	char fp[AIOPS_FINGERPRINT_LEN + 1];
	json_t *l = json_object();

	ok(aiops_alert_fingerprint(l, fp) == 0, "fingerprint of {}");
	is_str(fp, "cbf29ce484222325", "fingerprint of {} is the FNV offset basis");
	json_object_set_new(l, "b", json_string("\xc3\xa9"));
	json_object_set_new(l, "ab", json_string("2"));
	json_object_set_new(l, "\xc3\xa9", json_string("x"));
	json_object_set_new(l, "a", json_string("1"));
	json_object_set_new(l, "Z", json_string("y"));
	ok(aiops_alert_fingerprint(l, fp) == 0, "fingerprint of a mixed set");
	is_str(fp, "0083814d177d0fb9", "fingerprint: names in byte order (Python)");
	json_object_set_new(l, "zz", json_string(""));
	ok(aiops_alert_fingerprint(l, fp) == 0 && strcmp(fp, "0083814d177d0fb9") == 0,
	    "fingerprint: an empty value is no label");
	json_object_set_new(l, "n", json_integer(1));
	is_int(aiops_alert_fingerprint(l, fp), -1, "fingerprint: a number is no label value");
	json_decref(l);
	l = json_pack("{s:s,s:s,s:s,s:s,s:s}", "alertname", "DiskFull", "host", "db-1",
	    "instance", "db-1:9100", "job", "node", "severity", "critical");
	ok(aiops_alert_fingerprint(l, fp) == 0 && strcmp(fp, "1042802f01991d38") == 0,
	    "fingerprint: Alertmanager 0.25's for the same set");
	json_decref(l);
}

/* ev's JSON text with a change: mapped must fail with an error holding want. */
static void
bad(const char *text, const char *want)
{
	json_t *ev = json_loads(text, JSON_DECODE_ANY, NULL);
	struct aiops_alertmap am;
	char err[256] = "unset";
	int r;

	r = map(ev, &am, 0, err, sizeof(err));
	ok(r == -1 && strstr(err, want) != NULL, "malformed: %s", want);
	if (r != -1 || strstr(err, want) == NULL)
		printf("#   r=%d err=\"%s\"\n", r, err);
	ok(am.labels == NULL && am.alert.fingerprint == NULL, "malformed: nothing left (%s)",
	    want);
	aiops_alertmap_release(&am);
	json_decref(ev);
}

static void
test_malformed(void)
{
	bad("[1]", "event is not an object");
	bad("{\"ts\":\"2026-11-22T12:00:00Z\"}", "event has no type");
	bad("{\"type\":\"anomaly\",\"ts\":\"yesterday\",\"name\":\"x\"}",
	    "anomaly: ts is not a time");
	bad("{\"type\":\"anomaly\",\"ts\":\"2026-11-22T12:00:00Z\"}", "anomaly: missing name");
	bad("{\"type\":\"anomaly\",\"ts\":\"2026-11-22T12:00:00Z\",\"name\":\"x\","
	    "\"labels\":[]}", "anomaly: labels is not an object");
	bad("{\"type\":\"anomaly\",\"ts\":\"2026-11-22T12:00:00Z\",\"name\":\"x\","
	    "\"labels\":{\"cpu\":0}}", "anomaly: labels.cpu is not a string");
	bad("{\"type\":\"anomaly\",\"ts\":\"2026-11-22T12:00:00Z\",\"name\":\"x\","
	    "\"labels\":{\"\":\"v\"}}", "anomaly: labels: an empty label name");
	bad("{\"type\":\"anomaly\",\"ts\":\"2026-11-22T12:00:00Z\",\"name\":\"x\","
	    "\"template_id\":{}}", "anomaly: template_id is not a number or a string");
	bad("{\"type\":\"alert\",\"ts\":\"2026-11-22T12:00:00Z\",\"status\":\"firing\","
	    "\"starts_at\":\"2026-11-22T12:00:00Z\"}", "alert: missing alertname");
	bad("{\"type\":\"alert\",\"ts\":\"2026-11-22T12:00:00Z\",\"alertname\":\"A\","
	    "\"status\":\"pending\"}", "alert: status is not firing or resolved");
	bad("{\"type\":\"alert\",\"alertname\":\"A\","
	    "\"status\":\"firing\"}", "ts is not a time");
	bad("{\"type\":\"alert\",\"ts\":\"2026-11-22T12:00:00Z\",\"alertname\":\"A\","
	    "\"status\":\"firing\",\"starts_at\":\"2026-11-22T12:00:00Z\","
	    "\"fingerprint\":\"0123456789ABCDEF\"}",
	    "alert: fingerprint is not 16 lower-case hex digits");
	bad("{\"type\":\"alert\",\"ts\":\"2026-11-22T12:00:00Z\",\"alertname\":\"A\","
	    "\"status\":\"firing\",\"starts_at\":\"2026-11-22T12:00:00Z\","
	    "\"annotations\":\"x\"}", "alert: annotations is not an object");
	bad("{\"type\":\"incident\",\"ts\":\"2026-11-22T12:00:00Z\",\"incident_id\":\"a\","
	    "\"status\":\"closed\"}", "incident: status is not open, updated or resolved");
	bad("{\"type\":\"incident\",\"ts\":\"2026-11-22T12:00:00Z\",\"status\":\"open\"}",
	    "incident: missing incident_id");
	bad("{\"type\":\"incident\",\"ts\":\"2026-11-22T12:00:00Z\",\"incident_id\":\"a\","
	    "\"status\":\"open\",\"first_seen\":\"soon\"}",
	    "incident: first_seen is not a time");
	bad("{\"type\":\"prediction\",\"ts\":\"2026-11-22T12:00:00Z\",\"name\":\"d\","
	    "\"threshold\":\"90\",\"direction\":\"above\"}",
	    "prediction: threshold is not a number");
	bad("{\"type\":\"prediction\",\"ts\":\"2026-11-22T12:00:00Z\",\"name\":\"d\","
	    "\"threshold\":90,\"direction\":\"up\"}", "prediction: direction is not above or below");
	bad("{\"type\":\"prediction\",\"ts\":\"2026-11-22T12:00:00Z\",\"name\":\"d\","
	    "\"threshold\":90,\"direction\":\"above\",\"status\":\"gone\"}",
	    "prediction: status is not cleared");
	bad("{\"type\":\"task\",\"ts\":\"2026-11-22T12:00:00Z\",\"status\":\"failed\"}",
	    "task: missing rule");
	bad("{\"type\":\"task\",\"ts\":\"2026-11-22T12:00:00Z\",\"rule\":\"r\","
	    "\"status\":\"running\"}", "task: status is not one of aiops-run's");
}

static void
test_merge(void)
{
	struct aiops_alertmap a1, a2;
	struct aiops_alert stored;
	json_t *ev = json_deep_copy(event("anomaly", "detector", "spike"));
	char err[256];

	/* a second point 2 minutes into the first one's 5: the same episode */
	ok(map(ev, &a1, 0, err, sizeof(err)) == 1, "merge: first point");
	json_object_set_new(ev, "ts", json_string("2026-11-15T18:22:00Z"));
	ok(map(ev, &a2, 0, err, sizeof(err)) == 1, "merge: second point");
	stored = a1.alert;
	aiops_alertmap_merge(&a2, &stored);
	is_int(a2.alert.starts_at, NS("2026-11-15T18:20:00Z"), "merge: the earlier start");
	is_int(a2.alert.ends_at, NS("2026-11-15T18:27:00Z"), "merge: its own later end");
	aiops_alertmap_release(&a2);
	/* 10 minutes later: a new episode */
	json_object_set_new(ev, "ts", json_string("2026-11-15T18:30:00Z"));
	ok(map(ev, &a2, 0, err, sizeof(err)) == 1, "merge: a later point");
	aiops_alertmap_merge(&a2, &stored);
	is_int(a2.alert.starts_at, NS("2026-11-15T18:30:00Z"), "merge: no overlap, own start");
	aiops_alertmap_merge(&a2, NULL);
	is_int(a2.alert.starts_at, NS("2026-11-15T18:30:00Z"), "merge: NULL is a no-op");
	stored.fingerprint = "0000000000000000";
	json_object_set_new(ev, "ts", json_string("2026-11-15T18:21:00Z"));
	aiops_alertmap_release(&a2);
	ok(map(ev, &a2, 0, err, sizeof(err)) == 1, "merge: another alert's point");
	aiops_alertmap_merge(&a2, &stored);
	is_int(a2.alert.starts_at, NS("2026-11-15T18:21:00Z"), "merge: other fingerprint ignored");
	aiops_alertmap_release(&a2);
	aiops_alertmap_release(&a1);
	json_decref(ev);
}

static void
test_hostile(void)
{
	json_t *ev = json_deep_copy(event("anomaly", "detector", "spike"));
	json_t *l = json_object_get(ev, "labels");
	struct aiops_alertmap am;
	char key[32], err[256];
	int i;

	for (i = 0; i < 20000; i++) {
		(void)snprintf(key, sizeof(key), "k%d", i);
		json_object_set_new(l, key, json_string("$(reboot) \"\n<b>"));
	}
	json_object_set_new(l, "nul", json_stringn("a\0b", 3));
	ok(map(ev, &am, 0, err, sizeof(err)) == 1, "20000 labels: mapped");
	is_int(json_object_size(am.labels), 20005, "20000 labels: all kept");
	ok(strlen(am.alert.fingerprint) == 16, "20000 labels: a fingerprint");
	aiops_alertmap_release(&am);
	json_decref(ev);
	/* a tiny error buffer is still terminated */
	ev = json_pack("{s:s}", "type", "task");
	ok(map(ev, &am, 0, err, 4) == -1 && strlen(err) == 3, "error cut to errlen");
	ok(map(ev, &am, 0, NULL, 0) == -1, "no error buffer");
	json_decref(ev);
}

/* aiops(7): ts is starts_at when firing and ends_at when resolved. */
static void
test_alert_ts(void)
{
	json_t *ev = json_loads("{\"type\":\"alert\",\"ts\":\"2026-11-22T12:00:00Z\","
	    "\"alertname\":\"A\",\"status\":\"firing\"}", 0, NULL);
	struct aiops_alertmap am;
	char err[256];

	ok(map(ev, &am, 0, err, sizeof(err)) == 1 &&
	    am.alert.starts_at == parse_ns("2026-11-22T12:00:00Z"),
	    "a firing alert without starts_at starts at its ts");
	aiops_alertmap_release(&am);
	json_decref(ev);
	ev = json_loads("{\"type\":\"alert\",\"ts\":\"2026-11-22T13:00:00Z\","
	    "\"alertname\":\"A\",\"status\":\"resolved\","
	    "\"starts_at\":\"2026-11-22T12:00:00Z\"}", 0, NULL);
	ok(map(ev, &am, 0, err, sizeof(err)) == 1 &&
	    am.alert.ends_at == parse_ns("2026-11-22T13:00:00Z") &&
	    strcmp(am.alert.status, "resolved") == 0,
	    "a resolved alert without ends_at ends at its ts");
	aiops_alertmap_release(&am);
	json_decref(ev);
}

/*
 * Alertmanager's API: a firing alert without endsAt gets one at
 * resolve_timeout after its receipt; one relayed from an Alertmanager
 * notification (group_key) fires until its resolution comes. An alert
 * without a severity has none. ts may be an epoch number.
 */
static void
test_alert_timeout(void)
{
	json_t *ev = json_loads("{\"type\":\"alert\",\"ts\":1795348800,"
	    "\"alertname\":\"A\",\"status\":\"firing\"}", 0, NULL);
	int64_t now = parse_ns("2026-11-22T12:10:00Z");
	struct aiops_alertmap am;
	char err[256];

	ok(map(ev, &am, now, err, sizeof(err)) == 1 &&
	    am.alert.starts_at == parse_ns("2026-11-22T12:00:00Z"),
	    "ts as epoch seconds");
	is_int(am.alert.ends_at, now + AIOPS_ALERT_RESOLVE_TIMEOUT,
	    "no endsAt: resolve_timeout after now");
	is_str(am.alert.status, "firing", "no endsAt: firing until then");
	ok(am.alert.severity == NULL && json_object_get(am.match_labels, "severity") == NULL,
	    "no severity: none invented");
	aiops_alertmap_release(&am);
	json_object_set_new(ev, "group_key", json_string("{}:{alertname=\"A\"}"));
	ok(map(ev, &am, now, err, sizeof(err)) == 1 && am.alert.ends_at == 0,
	    "relayed from an Alertmanager notification: no endsAt");
	aiops_alertmap_release(&am);
	json_decref(ev);
}

int
main(void)
{
	load_events();
	test_alert_ts();
	test_alert_timeout();
	test_alert();
	test_alert_computed();
	test_incident();
	test_incident_bare();
	test_anomaly();
	test_anomaly_timeout();
	test_prediction();
	test_prediction_crossed();
	test_task();
	test_task_output();
	test_not_alerts();
	test_labels();
	test_fingerprint();
	test_malformed();
	test_merge();
	test_hostile();
	json_decref(events);
	return tap_done();
}
