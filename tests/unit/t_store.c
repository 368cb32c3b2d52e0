/*
 * The typed functions of lib/store, on a real state file: anomalies and
 * incidents as the programs after aiops-detect read them (by time range,
 * host, status, the latest N), models, logs, search, offsets, the points
 * of --from-state, points sent twice (the first stays, rollups follow the
 * stored points), times in ns converted to the tables' ms, and a failure
 * and its exit status.
 */
#include "compat.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "core/clock.h"
#include "event/event.h"
#include "store/anomalies.h"
#include "store/incidents.h"
#include "store/logs.h"
#include "store/models.h"
#include "store/mstore.h"
#include "store/offsets.h"
#include "store/search.h"
#include "store/state.h"
#include "tap.h"
#include "tdb.h"

#define NS_PER_MS	1000000LL
#define MIN_NS		(60 * 1000 * NS_PER_MS)
/* 2026-11-15T00:00:00Z */
#define T0		(1794700800000LL * NS_PER_MS)

static char dir[] = "/tmp/t_store.XXXXXX";
static char path[512];

static struct aiops_state *
open_rw(void)
{
	struct aiops_state_error e;
	struct aiops_state *st = aiops_state_open(path, 0, NULL, &e);

	if (st == NULL)
		printf("# %s\n", e.text);
	return st;
}

/* ---- anomalies ---- */

static int
add_anomaly(struct aiops_state *st, const char *id, int64_t ts, const char *host)
{
	char event[128];
	struct aiops_anomaly a;

	memset(&a, 0, sizeof(a));
	snprintf(a.id, sizeof(a.id), "%s", id);
	snprintf(event, sizeof(event), "{\"type\":\"anomaly\",\"id\":\"%s\"}", id);
	a.ts = ts;
	a.kind = "metric";
	a.series_key = "cpu{host=\"h\"}";
	a.name = "cpu";
	a.host = host;
	a.hlen = host != NULL ? strlen(host) : 0;
	a.value = 99.5;
	a.score = 0.75;
	a.detector = "spike";
	a.reason = "a reason";
	a.event = event;
	a.elen = strlen(event);
	return aiops_anomalies_add(st, &a);
}

/* The ids of l, joined by spaces (static buffer). */
static const char *
anomaly_ids(const struct aiops_anomaly_list *l)
{
	static char out[512];
	size_t i, o = 0;

	out[0] = '\0';
	for (i = 0; i < l->n && o + 18 < sizeof(out); i++)
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s", i ? " " : "", l->v[i].id);
	return out;
}

static const char *
list_anomalies(struct aiops_state *st, int64_t since, int64_t until, const char *host,
    size_t limit)
{
	struct aiops_anomaly_query q = { since, until, host, limit };
	struct aiops_anomaly_list l;
	static char out[512];

	if (aiops_anomalies_list(st, &q, &l) == -1)
		return "(error)";
	snprintf(out, sizeof(out), "%s", anomaly_ids(&l));
	aiops_anomaly_list_release(&l);
	return out;
}

static void
test_anomalies(struct aiops_state *st)
{
	struct aiops_anomaly a;
	int rc = 0;

	/* a1..a5 a minute apart, on web-1 but a3 (db-1) and a5 (no host). */
	rc |= add_anomaly(st, "00000000000000a1", T0, "web-1");
	rc |= add_anomaly(st, "00000000000000a2", T0 + MIN_NS, "web-1");
	rc |= add_anomaly(st, "00000000000000a3", T0 + 2 * MIN_NS, "db-1");
	rc |= add_anomaly(st, "00000000000000a4", T0 + 3 * MIN_NS + 999999, "web-1");
	rc |= add_anomaly(st, "00000000000000a5", T0 + 4 * MIN_NS, NULL);
	ok(rc == 0, "anomalies added");
	is_int(tdb_int(path, "SELECT ts FROM anomalies WHERE id = '00000000000000a4'", 0),
	    (T0 + 3 * MIN_NS) / NS_PER_MS, "stored in ms");

	is_str(list_anomalies(st, 0, 0, NULL, 0),
	    "00000000000000a1 00000000000000a2 00000000000000a3 00000000000000a4 00000000000000a5",
	    "all, oldest first");
	is_str(list_anomalies(st, T0 + MIN_NS, T0 + 3 * MIN_NS, NULL, 0),
	    "00000000000000a2 00000000000000a3", "a time range: from, before");
	is_str(list_anomalies(st, 0, 0, "web-1", 0),
	    "00000000000000a1 00000000000000a2 00000000000000a4", "one host's");
	is_str(list_anomalies(st, T0 + MIN_NS, 0, "web-1", 0),
	    "00000000000000a2 00000000000000a4", "one host's, since");
	is_str(list_anomalies(st, 0, 0, NULL, 2),
	    "00000000000000a4 00000000000000a5", "the latest 2, oldest first");
	is_str(list_anomalies(st, 0, 0, "nowhere", 0), "", "none");

	ok(aiops_anomalies_get(st, "00000000000000a4", &a) == 1, "get by id");
	is_int(a.ts, T0 + 3 * MIN_NS, "ts back in ns, to the ms");
	is_str(a.kind, "metric", "kind");
	is_str(a.series_key, "cpu{host=\"h\"}", "series key");
	is_str(a.host, "web-1", "host");
	is_int(a.hlen, 5, "its length");
	ok(a.value == 99.5 && a.score == 0.75, "value and score");
	is_str(a.detector, "spike", "detector");
	is_str(a.event, "{\"type\":\"anomaly\",\"id\":\"00000000000000a4\"}", "the event");
	is_int(a.template_id, 0, "no template");
	aiops_anomaly_release(&a);
	ok(aiops_anomalies_get(st, "00000000000000a5", &a) == 1 && a.host == NULL,
	    "no host reads back NULL");
	aiops_anomaly_release(&a);
	ok(aiops_anomalies_get(st, "ffffffffffffffff", &a) == 0, "an unknown id: 0");

	/* The same id again replaces it. */
	ok(add_anomaly(st, "00000000000000a1", T0, "web-2") == 0, "same id again");
	is_str(list_anomalies(st, 0, 0, "web-2", 0), "00000000000000a1", "replaced");
}

/* ---- incidents ---- */

static int
put_incident(struct aiops_state *st, const char *id, const char *status, int64_t first,
    int64_t last, const char *hosts)
{
	struct aiops_incident inc;

	memset(&inc, 0, sizeof(inc));
	snprintf(inc.id, sizeof(inc.id), "%s", id);
	inc.status = status;
	inc.first_seen = first;
	inc.last_seen = last;
	inc.hosts = hosts;
	inc.root_cause = "{\"kind\":\"metric\"}";
	inc.members = "[{\"kind\":\"metric\"}]";
	inc.summary = "a summary";
	inc.severity = "critical";
	inc.title = "db-1: disk full";
	inc.labels = "{\"host\":\"db-1\"}";
	inc.fingerprint = "0123456789abcdef";
	return aiops_incidents_put(st, &inc);
}

static const char *
list_incidents(struct aiops_state *st, int64_t since, int64_t until, const char *host,
    const char *status, size_t limit)
{
	struct aiops_incident_query q = { since, until, host, status, limit };
	struct aiops_incident_list l;
	static char out[512];
	size_t i, o = 0;

	if (aiops_incidents_list(st, &q, &l) == -1)
		return "(error)";
	out[0] = '\0';
	for (i = 0; i < l.n && o + 18 < sizeof(out); i++)
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s", i ? " " : "", l.v[i].id);
	aiops_incident_list_release(&l);
	return out;
}

static void
test_incidents(struct aiops_state *st)
{
	struct aiops_incident inc;
	int rc = 0;

	/* i1 00:00-00:10 web-1; i2 00:20-00:30 web-1, db-1; i3 00:40- db-1, open. */
	rc |= put_incident(st, "00000000000000b1", "resolved", T0, T0 + 10 * MIN_NS, "[\"web-1\"]");
	rc |= put_incident(st, "00000000000000b2", "resolved", T0 + 20 * MIN_NS, T0 + 30 * MIN_NS,
	    "[\"web-1\",\"db-1\"]");
	rc |= put_incident(st, "00000000000000b3", "open", T0 + 40 * MIN_NS, T0 + 40 * MIN_NS,
	    "[\"db-1\"]");
	ok(rc == 0, "incidents put");
	is_str(tdb_row(path, "SELECT first_seen, last_seen FROM incidents WHERE id = '00000000000000b2'", 0),
	    "1794702000000|1794702600000", "stored in ms");
	is_str(list_incidents(st, 0, 0, NULL, NULL, 0),
	    "00000000000000b1 00000000000000b2 00000000000000b3", "all, by first seen");
	is_str(list_incidents(st, 0, 0, NULL, "open", 0), "00000000000000b3", "the open ones");
	is_str(list_incidents(st, 0, 0, "web-1", NULL, 0),
	    "00000000000000b1 00000000000000b2", "on a host");
	is_str(list_incidents(st, 0, 0, "db-1", "resolved", 0), "00000000000000b2",
	    "on a host, resolved");
	is_str(list_incidents(st, T0 + 5 * MIN_NS, T0 + 25 * MIN_NS, NULL, NULL, 0),
	    "00000000000000b1 00000000000000b2", "those overlapping a time range");
	is_str(list_incidents(st, T0 + 31 * MIN_NS, 0, NULL, NULL, 0), "00000000000000b3",
	    "since: last seen at or after");
	is_str(list_incidents(st, 0, 0, NULL, NULL, 1), "00000000000000b3", "the latest one");
	is_str(list_incidents(st, 0, 0, "\"web-1\"", NULL, 0), "", "hosts are matched whole");

	/* The next state of b3, all of it: it learned of an earlier member. */
	rc = put_incident(st, "00000000000000b3", "resolved", T0 + 35 * MIN_NS, T0 + 45 * MIN_NS,
	    "[\"db-1\",\"web-2\"]");
	ok(rc == 0 && aiops_incidents_get(st, "00000000000000b3", &inc) == 1, "updated, get");
	is_str(inc.status, "resolved", "status");
	is_int(inc.first_seen, T0 + 35 * MIN_NS, "first seen replaced");
	is_int(inc.last_seen, T0 + 45 * MIN_NS, "last seen, ns");
	is_str(inc.hosts, "[\"db-1\",\"web-2\"]", "hosts");
	is_str(inc.root_cause, "{\"kind\":\"metric\"}", "root cause");
	is_str(inc.members, "[{\"kind\":\"metric\"}]", "members");
	is_str(inc.summary, "a summary", "summary");
	is_str(inc.severity, "critical", "severity");
	is_str(inc.title, "db-1: disk full", "title");
	is_str(inc.labels, "{\"host\":\"db-1\"}", "labels");
	is_str(inc.fingerprint, "0123456789abcdef", "fingerprint");
	aiops_incident_release(&inc);
	is_str(list_incidents(st, 0, 0, "web-2", NULL, 0), "00000000000000b3", "a host joined");
	ok(aiops_incidents_get(st, "nope", &inc) == 0, "an unknown id: 0");

	/* The retention: resolved ones last seen before, never open ones. */
	rc = put_incident(st, "00000000000000b4", "open", T0, T0 + 5 * MIN_NS, "[\"db-2\"]");
	ok(rc == 0 && aiops_incidents_expire(st, T0 + 40 * MIN_NS) == 0, "expire");
	is_str(list_incidents(st, 0, 0, NULL, NULL, 0), "00000000000000b4 00000000000000b3",
	    "resolved and last seen before: gone");
}

/* ---- models ---- */

static int
join_key(void *arg, const char *key)
{
	char *s = arg;

	snprintf(s + strlen(s), 256 - strlen(s), "[%s]", key);
	return strcmp(key, "stop") == 0 ? 9 : 0;
}

/* The keys of a prefix, and one model deleted. */
static void
test_model_keys(struct aiops_state *st)
{
	static const char *keys[] = { "rate{id=\"2\"}", "rate{id=\"10\"}", "ratez", "rat",
	    "rate|", "stop", "stops" };
	static const unsigned char blob[] = { 1 };
	struct aiops_model m;
	char s[256] = "";
	size_t i;

	memset(&m, 0, sizeof(m));
	m.blob = blob;
	m.len = 1;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		m.series_key = keys[i];
		aiops_models_put(st, &m);
	}
	is_int(aiops_models_keys(st, "rate{", join_key, s), 0, "keys of a prefix");
	is_str(s, "[rate{id=\"10\"}][rate{id=\"2\"}]", "those only, in key order");
	s[0] = '\0';
	is_int(aiops_models_keys(st, "stop", join_key, s), 9, "fn's value stops the walk");
	is_str(s, "[stop]", "at once");
	ok(aiops_models_delete(st, "rate{id=\"2\"}") == 0 && aiops_models_delete(st, "none") == 0,
	    "delete, and of no model");
	s[0] = '\0';
	aiops_models_keys(st, "rate{", join_key, s);
	is_str(s, "[rate{id=\"10\"}]", "the other kept");
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		aiops_models_delete(st, keys[i]);
}

static void
test_models(struct aiops_state *st)
{
	struct aiops_model m, got;
	static const unsigned char blob[] = { 1, 0, 2, 0, 3 };

	memset(&m, 0, sizeof(m));
	m.series_key = "net{host=\"h\"}";
	m.blob = blob;
	m.len = sizeof(blob);
	m.counter_ts = T0 + 123456789;		/* below the ms: kept */
	m.counter_value = 42;
	m.updated = T0 + 5 * NS_PER_MS;
	ok(aiops_models_put(st, &m) == 0, "model put");
	ok(aiops_models_get(st, "net{host=\"h\"}", &got) == 1, "model get");
	ok(got.len == sizeof(blob) && memcmp(got.blob, blob, sizeof(blob)) == 0,
	    "the blob, zero bytes and all");
	is_int(got.counter_ts, T0 + 123456789, "the counter's sample to the ns (counter_ts_ns)");
	ok(got.counter_value == 42, "its value");
	is_int(got.updated, T0 + 5 * NS_PER_MS, "updated");
	is_str(got.series_key, "net{host=\"h\"}", "its key");
	aiops_model_release(&got);
	m.counter_ts = 0;
	m.len = 1;
	ok(aiops_models_put(st, &m) == 0 && aiops_models_get(st, "net{host=\"h\"}", &got) == 1,
	    "replaced");
	ok(got.len == 1 && got.counter_ts == 0, "no counter sample: 0");
	aiops_model_release(&got);
	ok(aiops_models_get(st, "other", &got) == 0 && got.blob == NULL, "none: 0");
	/* The retention: updated at T0 + 5 ms, kept up to that ms. */
	is_int(aiops_models_expire(st, T0 + 5 * NS_PER_MS), 0, "retention keeps a model updated then");
	is_int(aiops_models_expire(st, T0 + 6 * NS_PER_MS), 1, "and deletes it after");
	ok(aiops_models_get(st, "net{host=\"h\"}", &got) == 0, "gone");
	test_model_keys(st);
}

/* ---- logs and search ---- */

static int
count_template(void *arg, const struct aiops_log_template *t)
{
	(*(int *)arg)++;
	return t->id == 2 ? 7 : 0;	/* stop at the second */
}

static int
keep_rate(void *arg, const struct aiops_log_rate *r)
{
	*(struct aiops_log_rate *)arg = *r;
	((struct aiops_log_rate *)arg)->key = NULL;	/* borrowed */
	((struct aiops_log_rate *)arg)->host = NULL;
	return 0;
}

struct hits {
	int	 n;
	char	 s[1024];
};

static int
keep_hit(void *arg, const struct aiops_search_hit *h)
{
	struct hits *x = arg;
	size_t o = strlen(x->s);

	x->n++;
	if (h->kind == AIOPS_SEARCH_TEMPLATE)
		snprintf(x->s + o, sizeof(x->s) - o, "[t%llu %s n=%llu]",
		    (unsigned long long)h->template_id, h->text, (unsigned long long)h->count);
	else
		snprintf(x->s + o, sizeof(x->s) - o, "[l%llu %lld %s %s]",
		    (unsigned long long)h->template_id, (long long)(h->ts / NS_PER_MS),
		    h->host ? h->host : "-", h->message);
	return 0;
}

static void
add_line(struct aiops_state *st, int64_t ts, const char *host, uint64_t tid, const char *msg)
{
	struct aiops_log_line l = { ts, host, "svc", "error", tid, msg };

	if (aiops_logs_line_add(st, &l) == -1)
		printf("# %s\n", aiops_state_errmsg(st));
}

static void
test_logs(struct aiops_state *st)
{
	struct aiops_log_template t = { 1, "disk <*> full", 13, 3, T0 };
	struct aiops_log_rate r = { "log_error_rate{host=\"h\"}", T0 + MIN_NS, 4, "h", 0 };
	struct aiops_log_rate back;
	struct hits h;
	uint64_t nlines;
	int64_t minute;
	int n = 0;

	ok(aiops_logs_template_put(st, &t) == 0, "template 1");
	t.id = 2, t.text = "link <*> down", t.len = 13, t.count = 1;
	ok(aiops_logs_template_put(st, &t) == 0, "template 2");
	t.id = 3, t.text = "fan <*> slow", t.len = 12;
	ok(aiops_logs_template_put(st, &t) == 0, "template 3");
	t.id = 1, t.text = "disk <*> full", t.len = 13, t.count = 5, t.seen = T0 + MIN_NS;
	ok(aiops_logs_template_put(st, &t) == 0, "template 1 again, counted");
	is_str(tdb_row(path, "SELECT count, first_seen, last_seen FROM log_templates WHERE id = 1", 0),
	    "5|1794700800000|1794700860000", "count and last seen updated, in ms");
	is_int(aiops_logs_templates(st, count_template, &n), 7, "fn's value stops the walk");
	is_int(n, 2, "after two");

	add_line(st, T0, "db-1", 1, "disk sda full");
	add_line(st, T0 + MIN_NS, NULL, 1, "disk sdb full");
	add_line(st, T0 + 2 * MIN_NS, "db-1", 2, "link eth0 down");
	is_int(tdb_int(path, "SELECT max(ts) FROM log_lines", 0), (T0 + 2 * MIN_NS) / NS_PER_MS,
	    "lines in ms");

	memset(&h, 0, sizeof(h));
	is_int(aiops_search_templates(st, "disk", 10, keep_hit, &h), 0, "search templates");
	is_str(h.s, "[t1 disk <*> full n=5]", "the template");
	memset(&h, 0, sizeof(h));
	is_int(aiops_search_lines(st, "disk", 0, 10, keep_hit, &h), 0, "search lines");
	ok(h.n == 2 && strstr(h.s, "[l1 1794700800000 db-1 disk sda full]") != NULL &&
	    strstr(h.s, "[l1 1794700860000 - disk sdb full]") != NULL, "both, with ts and host: %s", h.s);
	memset(&h, 0, sizeof(h));
	ok(aiops_search_lines(st, "disk", T0 + MIN_NS, 10, keep_hit, &h) == 0 && h.n == 1,
	    "since");
	memset(&h, 0, sizeof(h));
	ok(aiops_search_lines(st, "disk OR link", 0, 1, keep_hit, &h) == 0 && h.n == 1, "limit");
	is_int(aiops_search_lines(st, "\"unbalanced", 0, 10, keep_hit, &h), AIOPS_SEARCH_BADQUERY,
	    "a query FTS5 cannot parse");
	ok(strstr(aiops_state_errmsg(st), "unterminated") != NULL, "says why: %s",
	    aiops_state_errmsg(st));

	ok(aiops_logs_expire(st, T0 + MIN_NS) == 0, "expire");
	is_int(tdb_int(path, "SELECT count(*) FROM log_lines", 0), 2, "the older line is gone");
	memset(&h, 0, sizeof(h));
	ok(aiops_search_lines(st, "sda", 0, 10, keep_hit, &h) == 0 && h.n == 0,
	    "and out of the index");

	ok(aiops_logs_rate_add(st, &r) == 0, "a pending rate");
	is_int(tdb_int(path, "SELECT minute FROM log_rate_pending", 0), (T0 + MIN_NS) / NS_PER_MS,
	    "its minute in ms");
	memset(&back, 0, sizeof(back));
	ok(aiops_logs_rates(st, keep_rate, &back) == 0 && back.minute == T0 + MIN_NS &&
	    back.count == 4 && back.template_id == 0, "read back in ns");
	ok(aiops_logs_rates_clear(st) == 0 &&
	    tdb_int(path, "SELECT count(*) FROM log_rate_pending", 0) == 0, "cleared");

	ok(aiops_logs_position_get(st, &nlines, &minute) == 0 && nlines == 0 && minute == 0,
	    "no position yet: 0, 0");
	ok(aiops_logs_position_put(st, 12345, T0 + 3 * MIN_NS) == 0, "position put");
	is_str(tdb_row(path, "SELECT value FROM meta WHERE key = 'detect.log_minute'", 0),
	    "1794700980000", "the minute kept in ms");
	ok(aiops_logs_position_get(st, &nlines, &minute) == 0 && nlines == 12345 &&
	    minute == T0 + 3 * MIN_NS, "position back in ns");
}

/* ---- offsets and points ---- */

static int
keep_point(void *arg, const struct aiops_mstore_point *p)
{
	char *s = arg;
	size_t o = strlen(s);

	snprintf(s + o, 256 - o, "[%s %s %s %lld %g]", p->name, p->host ? p->host : "-",
	    p->labels, (long long)(p->ts / NS_PER_MS), p->value);
	return 0;
}

static void
test_offsets_points(struct aiops_state *st)
{
	struct aiops_offset o = {
		.dev = 8, .ino = 1234, .offset = 4096, .lineno = 77, .updated = T0
	}, back;
	struct aiops_label lab[1] = { { "dc", 2, "x", 1 } };
	struct aiops_mstore *ms;
	struct aiops_metric m;
	char err[256], got[256] = "";

	ok(aiops_offsets_get(st, "/var/log/x", &back) == 0, "no offset yet");
	ok(aiops_offsets_put(st, "/var/log/x", &o) == 0, "offset put");
	ok(aiops_offsets_get(st, "/var/log/x", &back) == 1 && back.dev == 8 && back.ino == 1234 &&
	    back.offset == 4096 && back.lineno == 77 && back.updated == T0, "offset back");
	is_int(tdb_int(path, "SELECT updated FROM file_offsets", 0), T0 / NS_PER_MS, "updated in ms");

	memset(&m, 0, sizeof(m));
	m.name = "cpu";
	m.nlen = 3;
	m.host = "h1";
	m.hlen = 2;
	m.labels = lab;
	m.nlabels = 1;
	m.source = "test";
	ms = aiops_mstore_new(st, 0, err, sizeof(err));
	m.ts = T0, m.value = 1;
	ok(ms != NULL && aiops_mstore_add(ms, &m) == 0, "a point");
	m.ts = T0 + MIN_NS, m.value = 2;
	ok(ms != NULL && aiops_mstore_add(ms, &m) == 0 && aiops_mstore_free(ms) == 0, "another");
	ok(aiops_mstore_read(st, T0 + MIN_NS, keep_point, got) == 0, "read points since");
	is_str(got, "[cpu h1 {\"dc\":\"x\"} 1794700860000 2]", "the later one, with its series");
}

/* ---- points sent twice ---- */

static int
add_mem(struct aiops_mstore *ms, struct aiops_metric *m, int64_t min, double v)
{
	m->ts = T0 + min * MIN_NS;
	m->value = v;
	return aiops_mstore_add(ms, m);
}

/*
 * The first point of a series and time stays, within a batch and across
 * batches; the others are counted. A point older than the newest stored
 * (backfill) leaves the bucket's last to the later stored point.
 */
static void
test_repeats(struct aiops_state *st)
{
	struct aiops_mstore *ms;
	struct aiops_metric m;
	uint64_t same = 9, other = 9;
	char err[256];
	int rc = 0;

	memset(&m, 0, sizeof(m));
	m.name = "mem";
	m.nlen = 3;
	m.source = "test";
	if ((ms = aiops_mstore_new(st, 0, err, sizeof(err))) == NULL) {
		ok(0, "a store: %s", err);
		return;
	}
	/* One batch: 10 min = 1, then the same, then another value. */
	rc |= add_mem(ms, &m, 10, 1);
	rc |= add_mem(ms, &m, 10, 1);
	rc |= add_mem(ms, &m, 10, 2);
	rc |= aiops_mstore_flush(ms);
	aiops_mstore_repeats(ms, &same, &other);
	ok(rc == 0 && same == 1 && other == 1, "in a batch: 1 same, 1 other (%llu, %llu)",
	    (unsigned long long)same, (unsigned long long)other);
	/* The next batches: both again, a later point, then a backfill. */
	rc |= add_mem(ms, &m, 10, 3);
	rc |= add_mem(ms, &m, 10, 1);
	rc |= add_mem(ms, &m, 12, 5);
	rc |= aiops_mstore_flush(ms);
	rc |= add_mem(ms, &m, 11, 7);
	rc |= add_mem(ms, &m, 11, 8);
	rc |= aiops_mstore_flush(ms);
	aiops_mstore_repeats(ms, &same, &other);
	ok(rc == 0 && same == 2 && other == 3, "across batches: 2 same, 3 other (%llu, %llu)",
	    (unsigned long long)same, (unsigned long long)other);
	ok(aiops_mstore_free(ms) == 0, "freed");
	is_str(tdb_row(path, "SELECT group_concat((ts % 3600000 / 60000) || '=' || value, ' ')"
	    " FROM (SELECT p.ts, p.value FROM points p JOIN series s ON s.id = p.series_id"
	    " WHERE s.name = 'mem' ORDER BY p.ts)", 0), "10=1.0 11=7.0 12=5.0", "the first values");
	is_str(tdb_row(path, "SELECT count, sum, min, max, last FROM rollup_5m r"
	    " JOIN series s ON s.id = r.series_id WHERE s.name = 'mem' AND bucket = 1794701400000", 0),
	    "3|13.0|1.0|7.0|5.0", "5 m rollup: the last is 12's, not the backfill's");
	is_str(tdb_row(path, "SELECT count, sum, min, max, last FROM rollup_1h r"
	    " JOIN series s ON s.id = r.series_id WHERE s.name = 'mem'", 0),
	    "3|13.0|1.0|7.0|5.0", "1 h rollup too");
}

/* ---- failures ---- */

static void
test_failure(struct aiops_state *st)
{
	struct aiops_anomaly_list l;
	struct aiops_anomaly_query q;

	/* A table another program dropped: the failure and its status stay. */
	ok(tdb_exec(path, "DROP TABLE anomalies") == 0, "anomalies dropped behind our back");
	memset(&q, 0, sizeof(q));
	ok(aiops_anomalies_list(st, &q, &l) == -1 && l.n == 0 && l.v == NULL, "list fails, empty");
	ok(strstr(aiops_state_errmsg(st), "anomalies") != NULL, "the message: %s",
	    aiops_state_errmsg(st));
	ok(aiops_state_begin(st) == 0, "a transaction");
	aiops_state_rollback(st);
	ok(strstr(aiops_state_errmsg(st), "anomalies") != NULL, "kept across a rollback");
	is_int(aiops_state_exit_status(st), EX_IOERR, "exit status EX_IOERR");
	is_int(aiops_state_status_of(5 /* SQLITE_BUSY */), EX_TEMPFAIL, "busy is EX_TEMPFAIL");
	is_int(aiops_state_status_of(261 /* SQLITE_BUSY_RECOVERY */), EX_TEMPFAIL,
	    "an extended code too");
}

int
main(void)
{
	struct aiops_state *st;

	if (tdb_scratch(dir, path, sizeof(path)) == -1 || (st = open_rw()) == NULL)
		return 1;
	test_anomalies(st);
	test_incidents(st);
	test_models(st);
	test_logs(st);
	test_offsets_points(st);
	test_repeats(st);
	test_failure(st);
	ok(aiops_state_close(st) == 0, "close");
	tdb_scratch_remove(dir);
	return tap_done();
}
