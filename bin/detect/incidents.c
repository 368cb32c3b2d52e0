/*
 * incidents.c: aiops-detect --correlate. Anomalies and alerts that come
 * close in time on related hosts (the same host, or hosts of one cluster)
 * join one incident; the suspected root cause is its earliest member
 * (within a minute of each other, a metric before a log line before an
 * alert: resources fail first, then the logs say so, then alerting).
 * Incidents open, grow, and resolve after a quiet spell, all on the
 * toolkit clock, so a replay gives the same incidents.
 */
#include "compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/clock.h"
#include "detect.h"
#include "event/event.h"
#include "event/evread.h"
#include "json/jw.h"
#include "store/incidents.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

#define MAX_MEMBERS	100	/* kept per incident; more are counted */
#define ROOT_TIE_NS	(60 * AIOPS_NS_PER_SEC)

struct incident {
	char		 id[17];
	int64_t		 first_seen, last_seen;
	json_t		*hosts;		/* array of strings */
	json_t		*clusters;
	json_t		*members;	/* array of objects */
	json_t		*root;		/* one of members (borrowed) */
	size_t		 nmembers;	/* all, including those not kept */
	size_t		 reported_hosts;
	size_t		 reported_members;
	struct incident	*next;
};

struct correlator {
	int64_t		 window;	/* a member joins if this close to last_seen */
	int64_t		 close_after;	/* quiet this long: resolved */
	struct incident	*open;
	json_t		*host_cluster;	/* host -> cluster, learned from events */
};

static int
kind_rank(const char *kind)
{
	if (strcmp(kind, "metric") == 0)
		return 0;
	return strcmp(kind, "log") == 0 ? 1 : 2;
}

static int
has_string(const json_t *arr, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v)
		if (strcmp(json_string_value(v), s) == 0)
			return 1;
	return 0;
}

static void
add_string(json_t *arr, const char *s)
{
	if (s != NULL && *s != '\0' && !has_string(arr, s))
		json_array_append_new(arr, json_string(s));
}

/* The cluster of a member: its own, or the one its host was seen in. */
static const char *
member_cluster(struct correlator *c, const struct detect_member *m, const char *host)
{
	if (m->cluster != NULL)
		return m->cluster;
	return host != NULL ? json_string_value(json_object_get(c->host_cluster, host)) : NULL;
}

static int
related(const struct incident *inc, const char *host, const char *cluster)
{
	if (host == NULL)
		return 1;	/* nothing says otherwise: the nearest incident takes it */
	return has_string(inc->hosts, host) ||
	    (cluster != NULL && has_string(inc->clusters, cluster));
}

static struct incident *
find_incident(struct correlator *c, int64_t ts, const char *host, const char *cluster)
{
	struct incident *inc, *best = NULL;

	for (inc = c->open; inc != NULL; inc = inc->next)
		if (ts - inc->last_seen <= c->window && related(inc, host, cluster) &&
		    (best == NULL || inc->last_seen > best->last_seen))
			best = inc;
	return best;
}

static json_t *
member_json(const struct detect_member *m, const char *id, const char *host)
{
	char ts[AIOPS_TIME_BUFSZ];
	json_t *o;

	aiops_time_format(m->ts, ts);
	o = json_pack("{s:s, s:s, s:s, s:s%, s:f}", "id", id, "kind", m->kind, "ts", ts,
	    "what", m->what != NULL ? m->what : "", m->what != NULL ? m->wlen : 0,
	    "score", m->score);
	if (host != NULL)
		json_object_set_new(o, "host", json_string(host));
	json_object_set_new(o, "_ns", json_integer(m->ts));
	return o;
}

static int
better_root(const json_t *cand, const json_t *root)
{
	int64_t a = json_integer_value(json_object_get(cand, "_ns"));
	int64_t b = json_integer_value(json_object_get(root, "_ns"));
	const char *ka = json_string_value(json_object_get(cand, "kind"));
	const char *kb = json_string_value(json_object_get(root, "kind"));

	if (a < b - ROOT_TIE_NS)
		return 1;
	if (a > b + ROOT_TIE_NS)
		return 0;
	if (kind_rank(ka) != kind_rank(kb))
		return kind_rank(ka) < kind_rank(kb);
	return a < b;
}

static void
summary(const struct incident *inc, struct aiops_buf *b)
{
	const json_t *r = inc->root;
	size_t i;
	json_t *h;

	aiops_buf_addf(b, "%zu signal%s on ", inc->nmembers, inc->nmembers == 1 ? "" : "s");
	json_array_foreach(inc->hosts, i, h)
		aiops_buf_addf(b, "%s%s", i ? ", " : "", json_string_value(h));
	if (json_array_size(inc->hosts) == 0)
		aiops_buf_addstr(b, "unknown hosts");
	aiops_buf_addf(b, "; suspected cause: %s %s",
	    json_string_value(json_object_get(r, "kind")), json_string_value(json_object_get(r, "what")));
	if (json_object_get(r, "host") != NULL)
		aiops_buf_addf(b, " on %s", json_string_value(json_object_get(r, "host")));
	aiops_buf_addf(b, " at %s", json_string_value(json_object_get(r, "ts")));
}

/* Members without our private sort key, for output. */
static json_t *
public_copy(const json_t *members)
{
	json_t *out = json_deep_copy(members), *v;
	size_t i;

	json_array_foreach(out, i, v)
		json_object_del(v, "_ns");
	return out;
}

static void
save_incident(struct detect *d, const struct incident *inc, const char *status, const char *sum)
{
	struct aiops_incident row;
	char *hosts, *root, *members;
	int rc;

	if (d->state == NULL)
		return;
	hosts = json_dumps(inc->hosts, JSON_COMPACT);
	root = json_dumps(inc->root, JSON_COMPACT);
	members = json_dumps(inc->members, JSON_COMPACT);
	memset(&row, 0, sizeof(row));
	memcpy(row.id, inc->id, sizeof(row.id));
	row.status = status;
	row.first_seen = inc->first_seen;
	row.last_seen = inc->last_seen;
	row.hosts = hosts;
	row.root_cause = root;
	row.members = members;
	row.summary = sum;
	rc = aiops_incidents_put(d->state, &row);
	free(hosts);
	free(root);
	free(members);
	if (rc == -1)
		detect_state_fatal(d, "storing an incident");
}

/* Writes the incident event (and stores the incident). */
static void
report(struct detect *d, struct incident *inc, const char *status, int64_t ts)
{
	struct aiops_buf sum = AIOPS_BUF_INIT;
	struct aiops_event_head h;
	char first[AIOPS_TIME_BUFSZ], last[AIOPS_TIME_BUFSZ];
	struct aiops_jw w;
	json_t *root = json_deep_copy(inc->root), *members = public_copy(inc->members);
	const char *rhost = json_string_value(json_object_get(inc->root, "host"));

	json_object_del(root, "_ns");
	summary(inc, &sum);
	aiops_time_format(inc->first_seen, first);
	aiops_time_format(inc->last_seen, last);
	memset(&h, 0, sizeof(h));
	h.type = "incident";
	h.ts = ts;
	h.host = rhost;
	h.hlen = rhost != NULL ? strlen(rhost) : 0;
	h.source = "aiops-detect";
	h.idkey = inc->id;
	h.idklen = 16;
	aiops_jw_init(&w, &d->out.buf);
	aiops_event_begin(&w, &h);
	aiops_jw_kcstr(&w, "incident_id", inc->id);
	aiops_jw_kcstr(&w, "status", status);
	aiops_jw_kcstr(&w, "first_seen", first);
	aiops_jw_kcstr(&w, "last_seen", last);
	aiops_jw_key(&w, "hosts", 5);
	aiops_jw_json(&w, inc->hosts);
	aiops_jw_key(&w, "clusters", 8);
	aiops_jw_json(&w, inc->clusters);
	aiops_jw_key(&w, "member_count", 12);
	aiops_jw_uinteger(&w, inc->nmembers);
	aiops_jw_key(&w, "members", 7);
	aiops_jw_json(&w, members);
	aiops_jw_key(&w, "root_cause", 10);
	aiops_jw_json(&w, root);
	aiops_jw_kstr(&w, "summary", sum.data, sum.len);
	aiops_jw_object_end(&w);
	aiops_out_end(&d->out);
	save_incident(d, inc, strcmp(status, "resolved") == 0 ? "resolved" : "open", sum.data);
	inc->reported_hosts = json_array_size(inc->hosts);
	inc->reported_members = inc->nmembers;
	json_decref(root);
	json_decref(members);
	aiops_buf_release(&sum);
}

/* The member's event id, or for an event without one a hash of its text. */
static void
member_id(const struct detect_member *m, char id[AIOPS_EVENT_ID_LEN + 1])
{
	if (m->id != NULL) {
		memcpy(id, m->id, AIOPS_EVENT_ID_LEN + 1);
		return;
	}
	aiops_event_id_text(aiops_hash64(m->event ? m->event : "", m->elen, AIOPS_HASH_INIT), id);
}

void
detect_correlate(struct detect *d, const struct detect_member *m)
{
	struct correlator *c = d->corr;
	struct incident *inc;
	char id[17], *host = NULL;
	const char *cluster;
	json_t *mj;

	if (c == NULL)
		return;
	member_id(m, id);		/* before we write: m->event may move */
	if (m->host != NULL)
		host = xstrndup(m->host, m->hlen);
	cluster = member_cluster(c, m, host);
	if (host != NULL && m->cluster != NULL)
		json_object_set_new(c->host_cluster, host, json_string(m->cluster));
	detect_correlate_tick(d);
	mj = member_json(m, id, host);
	if ((inc = find_incident(c, m->ts, host, cluster)) == NULL) {
		inc = xcalloc(1, sizeof(*inc));
		memcpy(inc->id, id, sizeof(inc->id));
		inc->first_seen = inc->last_seen = m->ts;
		inc->hosts = json_array();
		inc->clusters = json_array();
		inc->members = json_array();
		inc->next = c->open;
		c->open = inc;
	}
	if (m->ts > inc->last_seen)
		inc->last_seen = m->ts;
	if (m->ts < inc->first_seen)
		inc->first_seen = m->ts;
	add_string(inc->hosts, host);
	add_string(inc->clusters, cluster);
	inc->nmembers++;
	/* Past MAX_MEMBERS members are counted, not kept: the root is among the first. */
	if (json_array_size(inc->members) < MAX_MEMBERS) {
		json_array_append(inc->members, mj);
		if (inc->root == NULL || better_root(mj, inc->root))
			inc->root = mj;
	}
	json_decref(mj);
	/* Tell when it opens, when a host joins, and as it doubles in size. */
	if (inc->reported_members == 0)
		report(d, inc, "open", m->ts);
	else if (json_array_size(inc->hosts) > inc->reported_hosts ||
	    inc->nmembers >= 2 * inc->reported_members)
		report(d, inc, "updated", m->ts);
	free(host);
}

static void
incident_free(struct incident *inc)
{
	json_decref(inc->hosts);
	json_decref(inc->clusters);
	json_decref(inc->members);
	free(inc);
}

void
detect_correlate_tick(struct detect *d)
{
	struct correlator *c = d->corr;
	struct incident **pp;
	int64_t now;

	if (c == NULL)
		return;
	now = aiops_clock_now();
	for (pp = &c->open; *pp != NULL;) {
		struct incident *inc = *pp;

		if (now - inc->last_seen > c->close_after) {
			report(d, inc, "resolved", inc->last_seen + c->close_after);
			*pp = inc->next;
			incident_free(inc);
		} else {
			pp = &inc->next;
		}
	}
}

void
detect_correlate_event(struct detect *d, const json_t *ev, const char *line, size_t len)
{
	const char *type = json_string_value(json_object_get(ev, "type"));
	const json_t *labels = json_object_get(ev, "labels"), *id = json_object_get(ev, "id");
	struct detect_member m;
	const char *what;
	char err[128];

	if (d->corr == NULL || type == NULL)
		return;
	memset(&m, 0, sizeof(m));
	if (aiops_evread_ts(ev, &m.ts, err, sizeof(err)) == -1)
		return;
	if (strcmp(type, "alert") == 0) {
		m.kind = "alert";
		what = json_string_value(json_object_get(ev, "alertname"));
		m.score = 1.0;
	} else if (strcmp(type, "anomaly") == 0) {
		m.kind = json_object_get(ev, "template_id") ? "log" : "metric";
		what = json_string_value(json_object_get(ev, "name"));
		m.score = json_number_value(json_object_get(ev, "score"));
	} else {
		return;
	}
	aiops_clock_observe(m.ts);
	m.host = json_string_value(json_object_get(ev, "host"));
	m.hlen = m.host ? strlen(m.host) : 0;
	m.cluster = json_string_value(json_object_get(ev, "cluster"));
	if (m.cluster == NULL)
		m.cluster = json_string_value(json_object_get(labels, "cluster"));
	m.what = what;
	m.wlen = what ? strlen(what) : 0;
	if (json_is_string(id) && json_string_length(id) == AIOPS_EVENT_ID_LEN)
		m.id = json_string_value(id);
	m.event = line;
	m.elen = len;
	detect_correlate(d, &m);
}

/* An open incident of an earlier run, or NULL if its JSON is not ours. */
static struct incident *
resume(const struct aiops_incident *row)
{
	struct incident *inc = xcalloc(1, sizeof(*inc));
	size_t i;
	json_t *v;

	memcpy(inc->id, row->id, sizeof(inc->id));
	inc->first_seen = row->first_seen;
	inc->last_seen = row->last_seen;
	inc->hosts = json_loads(row->hosts != NULL ? row->hosts : "", 0, NULL);
	inc->members = json_loads(row->members != NULL ? row->members : "", 0, NULL);
	if (!json_is_array(inc->hosts) || !json_is_array(inc->members)) {
		json_decref(inc->hosts);
		json_decref(inc->members);
		free(inc);
		return NULL;
	}
	inc->clusters = json_array();
	inc->nmembers = inc->reported_members = json_array_size(inc->members);
	inc->reported_hosts = json_array_size(inc->hosts);
	json_array_foreach(inc->members, i, v)
		if (inc->root == NULL || better_root(v, inc->root))
			inc->root = v;
	return inc;
}

static void
load_open(struct detect *d)
{
	struct correlator *c = d->corr;
	struct aiops_incident_query q;
	struct aiops_incident_list l;
	struct incident *inc;
	size_t i;

	memset(&q, 0, sizeof(q));
	q.status = "open";
	if (aiops_incidents_list(d->state, &q, &l) == -1)
		detect_state_fatal(d, "loading open incidents");
	for (i = 0; i < l.n; i++) {
		if ((inc = resume(&l.v[i])) == NULL)
			continue;
		inc->next = c->open;
		c->open = inc;
	}
	aiops_incident_list_release(&l);
}

void
detect_correlate_init(struct detect *d, int64_t window, int64_t close_after)
{
	struct correlator *c = xcalloc(1, sizeof(*c));

	c->window = window;
	c->close_after = close_after;
	c->host_cluster = json_object();
	d->corr = c;
	if (d->state != NULL)
		load_open(d);
}

void
detect_correlate_free(struct detect *d)
{
	struct correlator *c = d->corr;

	if (c == NULL)
		return;
	while (c->open != NULL) {
		struct incident *inc = c->open;

		c->open = inc->next;
		incident_free(inc);
	}
	json_decref(c->host_cluster);
	free(c);
	d->corr = NULL;
}
