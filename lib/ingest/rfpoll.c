/*
 * rfpoll.c: the Redfish crawl of rfpoll.h.
 *
 * Each target keeps a list of resources to fetch, each with what it is
 * (the root, a collection, a chassis, a system, a Thermal or Power
 * resource); a pass fetches every target's list at once and what the
 * answers link to makes the next pass's lists.
 */
#include "compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/xmalloc.h"
#include "event/event.h"
#include "ingest/ingest.h"
#include "ingest/jsondoc.h"
#include "ingest/rfpoll.h"
#include "net/http.h"

#define FMTNAME	"redfish"

enum what { W_ROOT, W_CHASSES, W_SYSTEMS, W_CHASSIS, W_SYSTEM, W_SENSORS };

struct fetch {
	enum what	 what;
	char		*path;		/* "/redfish/v1/Chassis/1U" */
	char		*url;
	size_t		 target;
};

struct crawl {
	struct fetch	*v;
	size_t		 n, cap;
};

static void
crawl_add(struct crawl *c, const struct aiops_redfish_target *t, struct aiops_redfish_result *r,
    size_t target, enum what what, const char *path)
{
	struct fetch *f;
	const char *o = t->url, *slash;
	size_t olen;

	if (path == NULL || path[0] != '/' || strstr(path, "..") != NULL)
		return;		/* not a path of this service: not followed */
	if (r->fetches >= RF_MAX_FETCHES) {
		if (!r->failed) {
			r->failed = 1;
			snprintf(r->err, sizeof(r->err), "more than %d resources: the rest not read",
			    RF_MAX_FETCHES);
		}
		return;
	}
	r->fetches++;
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 16;
		c->v = xreallocarray(c->v, c->cap, sizeof(*c->v));
	}
	f = &c->v[c->n++];
	f->what = what;
	f->target = target;
	f->path = xstrdup(path);
	/* The origin of the target's URL, then the path. */
	slash = strstr(o, "://");
	slash = slash != NULL ? strchr(slash + 3, '/') : NULL;
	olen = slash != NULL ? (size_t)(slash - o) : strlen(o);
	f->url = xmalloc(olen + strlen(path) + 1);
	memcpy(f->url, o, olen);
	strcpy(f->url + olen, path);
}

static void
crawl_release(struct crawl *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i].path);
		free(c->v[i].url);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}

static const char *
link_of(const json_t *doc, const char *member)
{
	return json_string_value(json_object_get(json_object_get(doc, member), "@odata.id"));
}

/* The last part of a path: "/redfish/v1/Systems/1" -> "1". */
static const char *
last_part(const char *path, size_t *n)
{
	size_t len = strlen(path);
	const char *s;

	while (len > 0 && path[len - 1] == '/')
		len--;
	s = path + len;
	while (s > path && s[-1] != '/')
		s--;
	*n = (size_t)(path + len - s);
	return s;
}

/* Status.Health of a chassis or system, when in service and told. */
static void
health_add(struct aiops_redfish_result *r, const char *kind, const char *path, const json_t *doc)
{
	static const char *const off[] = {
		"Absent", "Disabled", "StandbyOffline", "UnavailableOffline",
	};
	const json_t *st = json_object_get(doc, "Status");
	const char *h = json_string_value(json_object_get(st, "Health"));
	const char *state = json_string_value(json_object_get(st, "State"));
	const char *id;
	double v;
	size_t i, n;

	if (h == NULL)
		return;
	for (i = 0; state != NULL && i < sizeof(off) / sizeof(off[0]); i++)
		if (strcmp(state, off[i]) == 0)
			return;
	if (strcmp(h, "OK") == 0)
		v = 1;
	else if (strcmp(h, "Warning") == 0)
		v = 0.5;
	else if (strcmp(h, "Critical") == 0)
		v = 0;
	else
		return;
	id = json_string_value(json_object_get(doc, "Id"));
	if (id == NULL) {
		id = last_part(path, &n);
	} else
		n = strlen(id);
	r->health = xreallocarray(r->health, r->nhealth + 1, sizeof(*r->health));
	r->health[r->nhealth].kind = xstrdup(kind);
	r->health[r->nhealth].id = xstrndup(id, n);
	r->health[r->nhealth].value = v;
	r->nhealth++;
}

static void
result_fail(struct aiops_redfish_result *r, const char *path, const char *why)
{
	if (r->failed)
		return;
	r->failed = 1;
	snprintf(r->err, sizeof(r->err), "%s: %s", path, why);
}

/* One answer: what it links to goes on next. */
static void
answered(const struct aiops_redfish_target *t, struct aiops_redfish_result *r,
    const struct fetch *f, const struct aiops_http_response *resp, struct crawl *next)
{
	json_error_t je;
	json_t *doc, *m, *members;
	size_t i;

	if (resp->outcome != AIOPS_HTTP_OK) {
		result_fail(r, f->path, resp->err);
		return;
	}
	doc = json_loadb(resp->body.data, resp->body.len, 0, &je);
	if (!json_is_object(doc)) {
		char why[256];

		snprintf(why, sizeof(why), "not a JSON object: %s", doc == NULL ? je.text : "");
		result_fail(r, f->path, why);
		json_decref(doc);
		return;
	}
	switch (f->what) {
	case W_ROOT:
		crawl_add(next, t, r, f->target, W_CHASSES, link_of(doc, "Chassis"));
		crawl_add(next, t, r, f->target, W_SYSTEMS, link_of(doc, "Systems"));
		break;
	case W_CHASSES:
	case W_SYSTEMS:
		members = json_object_get(doc, "Members");
		json_array_foreach(members, i, m)
			crawl_add(next, t, r, f->target, f->what == W_CHASSES ? W_CHASSIS : W_SYSTEM,
			    json_string_value(json_object_get(m, "@odata.id")));
		break;
	case W_CHASSIS:
		health_add(r, "chassis", f->path, doc);
		crawl_add(next, t, r, f->target, W_SENSORS, link_of(doc, "Thermal"));
		crawl_add(next, t, r, f->target, W_SENSORS, link_of(doc, "Power"));
		break;
	case W_SYSTEM:
		health_add(r, "system", f->path, doc);
		break;
	case W_SENSORS:
		json_array_append(r->docs, doc);
		break;
	}
	json_decref(doc);
}

size_t
aiops_redfish_poll(struct aiops_http *h, const struct aiops_redfish_target *targets,
    struct aiops_redfish_result *results, size_t n, unsigned parallel)
{
	struct crawl cur, next;
	size_t i, failed = 0;

	memset(&cur, 0, sizeof(cur));
	for (i = 0; i < n; i++) {
		memset(&results[i], 0, sizeof(results[i]));
		results[i].docs = json_array();
		crawl_add(&cur, &targets[i], &results[i], i, W_ROOT, "/redfish/v1/");
	}
	while (cur.n > 0) {
		struct aiops_http_request *reqs = xcalloc(cur.n, sizeof(*reqs));
		struct aiops_http_response *resps = xcalloc(cur.n, sizeof(*resps));

		for (i = 0; i < cur.n; i++) {
			const struct aiops_redfish_target *t = &targets[cur.v[i].target];

			reqs[i].method = "GET";
			reqs[i].url = cur.v[i].url;
			reqs[i].headers = t->headers;
			reqs[i].nheaders = t->nheaders;
			reqs[i].ca_file = t->ca_file;
			reqs[i].flags = t->flags;
			reqs[i].timeout_ms = t->timeout_ms;
			reqs[i].connect_timeout_ms = t->timeout_ms;
			reqs[i].max_body = t->max_body;
			aiops_http_response_init(&resps[i]);
		}
		/* -1: each request not made says so in its err. */
		(void)aiops_http_multi(h, reqs, resps, cur.n, parallel);
		memset(&next, 0, sizeof(next));
		for (i = 0; i < cur.n; i++) {
			answered(&targets[cur.v[i].target], &results[cur.v[i].target], &cur.v[i],
			    &resps[i], &next);
			aiops_http_response_release(&resps[i]);
		}
		free(reqs);
		free(resps);
		crawl_release(&cur);
		cur = next;
	}
	for (i = 0; i < n; i++)
		failed += results[i].failed != 0;
	return failed;
}

int
aiops_redfish_result_emit(struct aiops_ingest *ing, const struct aiops_redfish_result *r)
{
	json_t *doc;
	size_t i;
	int rc = 0;

	json_array_foreach(r->docs, i, doc)
		if (aiops_redfish_emit(ing, doc) == -1)
			rc = -1;
	for (i = 0; i < r->nhealth; i++) {
		struct aiops_label l[2];
		struct aiops_metric m;
		const char *kind = r->health[i].kind;

		l[0].key = "kind";
		l[0].klen = 4;
		l[0].val = kind;
		l[0].vlen = strlen(kind);
		l[1].key = kind;
		l[1].klen = strlen(kind);
		l[1].val = r->health[i].id;
		l[1].vlen = strlen(r->health[i].id);
		memset(&m, 0, sizeof(m));
		m.ts = aiops_ingest_now(ing);
		m.name = "redfish_health";
		m.nlen = strlen(m.name);
		m.value = r->health[i].value;
		m.source = aiops_ingest_source(ing, FMTNAME);
		m.labels = l;
		m.nlabels = 2;
		(void)aiops_ingest_metric(ing, &m);
	}
	return rc;
}

void
aiops_redfish_result_release(struct aiops_redfish_result *r)
{
	size_t i;

	json_decref(r->docs);
	for (i = 0; i < r->nhealth; i++) {
		free(r->health[i].kind);
		free(r->health[i].id);
	}
	free(r->health);
	memset(r, 0, sizeof(*r));
}
