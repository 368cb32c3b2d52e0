/*
 * sentry.c: Sentry events and webhooks as log events (aiops(7)), read by
 * the JSON reader of json.c (NDJSON or pretty-printed documents).
 *
 * The shapes (docs.sentry.io, integration platform webhooks; the resource
 * is said by the Sentry-Hook-Resource header, which a file does not keep,
 * so it is told from the body):
 *   event_alert  {"action":"triggered","data":{"event":{..},"triggered_rule":".."}}
 *   error        {"action":"created","data":{"error":{..}}}
 *   issue        {"action":"created|resolved|assigned|ignored|..","data":{"issue":{..}}}
 *   legacy       the webhook plugin's {"id","project","project_name","culprit",
 *                "message","url","level","triggering_rules","event":{..}}
 *   event        a bare event {"event_id","timestamp","level","platform",
 *                "exception":{"values":[..]},"logentry","culprit","transaction",
 *                "release","environment","tags","server_name",..}
 * An event (data.event, data.error, the legacy event, a bare one) and an
 * issue are mapped alike:
 *   ts        timestamp (RFC 3339 or epoch seconds), else datetime, else
 *             received; an issue's firstSeen (created) or lastSeen; else
 *             the clock
 *   host      server_name, else the tag server_name, else the tag host
 *   service   the project's slug or name, else the tag service
 *   severity  level: fatal critical, error, warning, info, debug; none
 *             is error, Sentry's default. An issue webhook other than
 *             created or unresolved (resolved, assigned, ignored...) is info:
 *             it reports a change, not the error again.
 *   message   "Type: value" of the last of exception.values (the one Sentry
 *             shows), else logentry.formatted (or .message), else message,
 *             else title
 *   labels    culprit, transaction, release, environment, platform, level,
 *             logger, exception_type, event_id, issue_id, project, rule,
 *             action, resource, url, and the tags as tag.<key> while there
 *             is room (AIOPS_MAX_LABELS; the others are noted at -v)
 *   fields    frame (the last frame of that exception's stacktrace, "file:
 *             line in function"), request_method, request_url, trace_id
 *             (contexts.trace), and an issue's short_id, status, count,
 *             first_seen, last_seen
 * The id is computed from the Sentry ids (event_id; an issue's id and the
 * action), so a payload read twice has the same id, as long as it carries
 * a time (a payload without one takes the clock's, and its id follows).
 * Everything is checked before anything is written: a member of the wrong
 * type skips the payload, named by its path.
 */
#include "compat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "event/event.h"
#include "event/logkeys.h"
#include "event/severity.h"
#include "ingest/ingest.h"
#include "ingest/jsondoc.h"
#include "json/jw.h"

#define FMTNAME		"sentry"
#define NUMBUF		24	/* an integer id as text */
#define NNUM		3	/* issue id, project id, legacy id */

/* One payload being read; strings borrowed from the document. */
struct sentry {
	struct aiops_ingest	*ing;
	const json_t		*ev;		/* the event, or NULL */
	const char		*evpath;	/* its path for messages: "data.event" */
	const json_t		*issue;		/* data.issue, or NULL */
	const json_t		*outer;		/* the legacy webhook, or NULL */
	const char		*resource;	/* event_alert, error, issue, webhook, event */
	const char		*action;

	int64_t			 ts;
	int			 has_ts;
	const char		*host, *service, *severity;
	size_t			 hlen, slen;
	struct aiops_buf	 msg;
	const char		*level;
	size_t			 levlen;
	const json_t		*exc;		/* the main exception value */
	struct aiops_label	 labels[AIOPS_MAX_LABELS];
	size_t			 nlabels;
	char			*tagkeys[AIOPS_MAX_LABELS];
	size_t			 ntagkeys;
	size_t			 tags_left_out;
	char			 num[NNUM][NUMBUF];
	size_t			 nnum;
	struct aiops_buf	 idkey;
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- recognising a payload ---- */

static const json_t *
webhook_data(const json_t *doc, const char **which)
{
	static const char *const kinds[] = { "event", "error", "issue" };
	const json_t *data = json_object_get(doc, "data");
	size_t i;

	if (!json_is_string(json_object_get(doc, "action")) || !json_is_object(data))
		return NULL;
	for (i = 0; i < NELEM(kinds); i++)
		if (json_is_object(json_object_get(data, kinds[i]))) {
			*which = kinds[i];
			return data;
		}
	return NULL;
}

static int
is_legacy(const json_t *doc)
{
	return json_is_object(json_object_get(doc, "event")) &&
	    (json_object_get(doc, "project_name") != NULL ||
	    json_object_get(doc, "project_slug") != NULL ||
	    (json_object_get(doc, "culprit") != NULL && json_object_get(doc, "url") != NULL));
}

/* An event as SDKs send and Sentry stores it: an event_id and what only events have. */
static int
is_event(const json_t *doc)
{
	return json_is_string(json_object_get(doc, "event_id")) &&
	    (json_is_string(json_object_get(doc, "platform")) ||
	    json_object_get(doc, "exception") != NULL ||
	    json_is_object(json_object_get(doc, "sdk")) ||
	    json_object_get(doc, "logentry") != NULL);
}

int
aiops_sentry_match(const json_t *doc)
{
	const char *which;

	if (!json_is_object(doc))
		return 0;
	return webhook_data(doc, &which) != NULL || is_legacy(doc) || is_event(doc);
}

/*
 * A line that is a whole Sentry payload (NDJSON) is surely ours; the first
 * line of a pretty-printed one says nothing: the json format takes it and
 * hands the payload here by its content.
 */
int
aiops_sentry_sniff(const char *line, size_t len)
{
	json_error_t jerr;
	json_t *v;
	int yes;

	if (len == 0 || (line[0] != '{' && line[0] != ' ' && line[0] != '\t' &&
	    line[0] != '\xef'))
		return 0;
	if (len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
		line += 3;
		len -= 3;
	}
	if ((v = json_loadb(line, len, 0, &jerr)) == NULL)
		return 0;
	yes = aiops_sentry_match(v);
	json_decref(v);
	return yes ? 90 : 0;
}

/* ---- typed members ---- */

static int
type_error(struct sentry *s, const char *path, const char *key, const char *what)
{
	return aiops_ingest_error(s->ing, "%s%s%s is not %s", path, *path ? "." : "", key, what);
}

/* An optional string: 0 (absent or null: *v NULL), -1 wrong type. */
static int
opt_str(struct sentry *s, const json_t *o, const char *path, const char *key,
    const char **v, size_t *n)
{
	const json_t *j = json_object_get(o, key);

	*v = NULL;
	*n = 0;
	if (j == NULL || json_is_null(j))
		return 0;
	if (!json_is_string(j))
		return type_error(s, path, key, "a string");
	*v = json_string_value(j);
	*n = json_string_length(j);
	return 0;
}

/* An optional object: 0 (absent or null: *v NULL), -1 wrong type. */
static int
opt_obj(struct sentry *s, const json_t *o, const char *path, const char *key,
    const json_t **v)
{
	const json_t *j = json_object_get(o, key);

	*v = NULL;
	if (j == NULL || json_is_null(j))
		return 0;
	if (!json_is_object(j))
		return type_error(s, path, key, "an object");
	*v = j;
	return 0;
}

/* An id, a string or an integer (Sentry writes both): as text. */
static int
opt_id(struct sentry *s, const json_t *o, const char *path, const char *key,
    const char **v, size_t *n)
{
	const json_t *j = json_object_get(o, key);
	int r;

	*v = NULL;
	*n = 0;
	if (json_is_integer(j) && s->nnum < NNUM) {
		r = snprintf(s->num[s->nnum], NUMBUF, "%lld", (long long)json_integer_value(j));
		*v = s->num[s->nnum++];
		*n = (size_t)r;
		return 0;
	}
	if (j != NULL && !json_is_null(j) && !json_is_string(j))
		return type_error(s, path, key, "a string or an integer");
	return opt_str(s, o, path, key, v, n);
}

/* A time: RFC 3339 or epoch text, or epoch seconds. 1 found, 0 none, -1 bad. */
static int
opt_time(struct sentry *s, const json_t *o, const char *path, const char *key, int64_t *ns)
{
	const json_t *j = json_object_get(o, key);

	if (j == NULL || json_is_null(j))
		return 0;
	if (aiops_json_time(j, AIOPS_TU_S, ns) == -1)
		return type_error(s, path, key, "an RFC 3339 time or epoch seconds");
	return 1;
}

/* ---- labels ---- */

static int
has_label(const struct sentry *s, const char *k, size_t kl)
{
	size_t i;

	for (i = 0; i < s->nlabels; i++)
		if (s->labels[i].klen == kl && memcmp(s->labels[i].key, k, kl) == 0)
			return 1;
	return 0;
}

/* A label unless v is NULL or empty, or k is taken (the first one wins). */
static void
label(struct sentry *s, const char *k, const char *v, size_t vl)
{
	size_t kl = strlen(k);

	if (v == NULL || vl == 0 || s->nlabels == AIOPS_MAX_LABELS || has_label(s, k, kl))
		return;
	s->labels[s->nlabels].key = k;
	s->labels[s->nlabels].klen = kl;
	s->labels[s->nlabels].val = v;
	s->labels[s->nlabels].vlen = vl;
	s->nlabels++;
}

/* A string member as a label (the first of ev, outer, issue holding it). */
static int
str_label(struct sentry *s, const json_t *o, const char *path, const char *key,
    const char *lname)
{
	const char *v;
	size_t n;

	if (o == NULL)
		return 0;
	if (opt_str(s, o, path, key, &v, &n) == -1)
		return -1;
	label(s, lname, v, n);
	return 0;
}

static int
id_label(struct sentry *s, const json_t *o, const char *path, const char *key,
    const char *lname)
{
	const char *v;
	size_t n;

	if (o == NULL)
		return 0;
	if (opt_id(s, o, path, key, &v, &n) == -1)
		return -1;
	label(s, lname, v, n);
	return 0;
}

static void
tag_label(struct sentry *s, const char *k, size_t kl, const char *v, size_t vl)
{
	char *key;
	size_t i;

	if (kl == 0 || vl == 0 || memchr(k, '\0', kl) != NULL)
		return;
	/* Sentry repeats level, release, environment... as tags: once is enough. */
	for (i = 0; i < s->nlabels; i++)
		if (s->labels[i].klen == kl && memcmp(s->labels[i].key, k, kl) == 0 &&
		    s->labels[i].vlen == vl && memcmp(s->labels[i].val, v, vl) == 0)
			return;
	key = xmalloc(kl + 5);
	memcpy(key, "tag.", 4);
	memcpy(key + 4, k, kl);
	key[kl + 4] = '\0';
	if (has_label(s, key, kl + 4)) {
		free(key);
		return;
	}
	/* One place is kept for the project, known after the tags. */
	if (s->nlabels >= AIOPS_MAX_LABELS - 1) {
		s->tags_left_out++;
		free(key);
		return;
	}
	s->tagkeys[s->ntagkeys++] = key;
	label(s, key, v, vl);
}

/* The value of tag k (for host and service), or NULL. */
static const char *
tag_value(const struct sentry *s, const char *k, size_t *vl)
{
	char key[32];
	size_t i, kl;

	kl = (size_t)snprintf(key, sizeof(key), "tag.%s", k);
	for (i = 0; i < s->nlabels; i++)
		if (s->labels[i].klen == kl && memcmp(s->labels[i].key, key, kl) == 0) {
			*vl = s->labels[i].vlen;
			return s->labels[i].val;
		}
	return NULL;
}

/* One tag: a [key, value] pair or {"key":..,"value":..}; a null value is none. */
static int
one_tag(struct sentry *s, const char *path, size_t i, const json_t *t)
{
	const json_t *k, *v;

	if (json_is_array(t) && json_array_size(t) == 2) {
		k = json_array_get(t, 0);
		v = json_array_get(t, 1);
	} else if (json_is_object(t)) {
		k = json_object_get(t, "key");
		v = json_object_get(t, "value");
	} else
		return aiops_ingest_error(s->ing, "%s%stags[%zu] is not a [key, value] pair",
		    path, *path ? "." : "", i);
	if (!json_is_string(k) || (v != NULL && !json_is_null(v) && !json_is_string(v)))
		return aiops_ingest_error(s->ing, "%s%stags[%zu] is not a pair of strings",
		    path, *path ? "." : "", i);
	if (json_is_string(v))
		tag_label(s, json_string_value(k), json_string_length(k),
		    json_string_value(v), json_string_length(v));
	return 0;
}

/* tags: a list of pairs (as Sentry stores them) or an object (as SDKs send them). */
static int
tags(struct sentry *s, const json_t *o, const char *path)
{
	const json_t *t = json_object_get(o, "tags"), *v;
	const char *k;
	size_t i;

	if (t == NULL || json_is_null(t))
		return 0;
	if (json_is_array(t)) {
		json_array_foreach(t, i, v)
			if (one_tag(s, path, i, v) == -1)
				return -1;
		return 0;
	}
	if (!json_is_object(t))
		return type_error(s, path, "tags", "a list of pairs or an object");
	json_object_foreach((json_t *)t, k, v) {
		if (v != NULL && !json_is_null(v) && !json_is_string(v))
			return aiops_ingest_error(s->ing, "%s%stags.%s is not a string",
			    path, *path ? "." : "", k);
		if (json_is_string(v))
			tag_label(s, k, strlen(k), json_string_value(v), json_string_length(v));
	}
	return 0;
}

/* ---- the message ---- */

/* exception.values[] (or an older bare list): the last one, as Sentry shows it. */
static int
main_exception(struct sentry *s)
{
	const json_t *e = json_object_get(s->ev, "exception"), *vals, *x;
	size_t i;

	if (e == NULL || json_is_null(e))
		return 0;
	if (json_is_object(e))
		vals = json_object_get(e, "values");
	else if (json_is_array(e))
		vals = e;
	else
		return type_error(s, s->evpath, "exception", "an object");
	if (vals == NULL || json_is_null(vals))
		return 0;
	if (!json_is_array(vals))
		return type_error(s, s->evpath, "exception.values", "an array");
	json_array_foreach(vals, i, x)
		if (!json_is_object(x))
			return aiops_ingest_error(s->ing, "%s.exception.values[%zu] is not an object",
			    s->evpath, i);
	if (json_array_size(vals) > 0)
		s->exc = json_array_get(vals, json_array_size(vals) - 1);
	return 0;
}

static int
exception_message(struct sentry *s)
{
	const char *type, *val;
	char path[64];
	size_t tl, vl;

	snprintf(path, sizeof(path), "%s%sexception", s->evpath, *s->evpath ? "." : "");
	if (opt_str(s, s->exc, path, "type", &type, &tl) == -1 ||
	    opt_str(s, s->exc, path, "value", &val, &vl) == -1)
		return -1;
	if (tl > 0)
		aiops_buf_add(&s->msg, type, tl);
	if (tl > 0 && vl > 0)
		aiops_buf_add(&s->msg, ": ", 2);
	if (vl > 0)
		aiops_buf_add(&s->msg, val, vl);
	label(s, "exception_type", type, tl);
	return 0;
}

/* logentry.formatted or .message; message (a string, or such an object). */
static int
logentry(struct sentry *s, const json_t *o, const char *path, const char *key)
{
	const json_t *j = json_object_get(o, key);
	const char *v;
	char sub[64];
	size_t n;

	if (j == NULL || json_is_null(j) || s->msg.len > 0)
		return 0;
	if (json_is_string(j)) {
		if (json_string_length(j) > 0)
			aiops_buf_add(&s->msg, json_string_value(j), json_string_length(j));
		return 0;
	}
	if (!json_is_object(j))
		return type_error(s, path, key, "a string or an object");
	snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", key);
	if (opt_str(s, j, sub, "formatted", &v, &n) == -1)
		return -1;
	if (n == 0 && opt_str(s, j, sub, "message", &v, &n) == -1)
		return -1;
	if (n > 0)
		aiops_buf_add(&s->msg, v, n);
	return 0;
}

static int
message(struct sentry *s)
{
	const json_t *srcs[3] = { s->ev, s->outer, s->issue };
	const char *v;
	size_t i, n;

	if (s->ev != NULL && main_exception(s) == -1)
		return -1;
	if (s->exc != NULL && exception_message(s) == -1)
		return -1;
	if (s->ev != NULL && (logentry(s, s->ev, s->evpath, "logentry") == -1 ||
	    logentry(s, s->ev, s->evpath, "message") == -1))
		return -1;
	if (s->outer != NULL && logentry(s, s->outer, "", "message") == -1)
		return -1;
	for (i = 0; i < NELEM(srcs) && s->msg.len == 0; i++) {
		if (srcs[i] == NULL)
			continue;
		if (opt_str(s, srcs[i], i == 0 ? s->evpath : i == 1 ? "" : "data.issue",
		    "title", &v, &n) == -1)
			return -1;
		if (n > 0)
			aiops_buf_add(&s->msg, v, n);
	}
	return 0;
}

/* ---- time, level, host, service ---- */

/*
 * The project's slug in the API url of an event, which an event_alert or
 * error webhook gives while its "project" is a number:
 * ".../api/0/projects/<org>/<slug>/events/<id>/".
 */
static void
slug_of_url(const char *url, const char **slug, size_t *n)
{
	const char *p, *org;

	if (url == NULL || (p = strstr(url, "/projects/")) == NULL)
		return;
	org = p + strlen("/projects/");
	if ((p = strchr(org, '/')) == NULL || p == org)
		return;
	p++;
	*n = strcspn(p, "/?#");
	*slug = p;
	if (p[*n] != '/')
		*n = 0;
}

static int
timestamp(struct sentry *s)
{
	static const char *const evkeys[] = { "timestamp", "datetime", "received" };
	size_t i;
	int r;

	for (i = 0; s->ev != NULL && i < NELEM(evkeys) && !s->has_ts; i++) {
		if ((r = opt_time(s, s->ev, s->evpath, evkeys[i], &s->ts)) == -1)
			return -1;
		s->has_ts = r;
	}
	if (s->issue != NULL && !s->has_ts) {
		const char *first = strcmp(s->action, "created") == 0 ? "firstSeen" : "lastSeen";

		if ((r = opt_time(s, s->issue, "data.issue", first, &s->ts)) == -1)
			return -1;
		if (r == 0 && (r = opt_time(s, s->issue, "data.issue",
		    first[0] == 'f' ? "lastSeen" : "firstSeen", &s->ts)) == -1)
			return -1;
		s->has_ts = r;
	}
	return 0;
}

static int
level(struct sentry *s)
{
	const json_t *srcs[3] = { s->ev, s->outer, s->issue };
	const char *paths[3] = { s->evpath, "", "data.issue" };
	size_t i;
	int l;

	for (i = 0; i < NELEM(srcs) && s->level == NULL; i++)
		if (srcs[i] != NULL &&
		    opt_str(s, srcs[i], paths[i], "level", &s->level, &s->levlen) == -1)
			return -1;
	l = s->level != NULL ? aiops_severity_parse(s->level, s->levlen) : -1;
	s->severity = aiops_severity_name(l >= 0 ? l : AIOPS_SEV_ERR);
	if (s->issue != NULL && strcmp(s->action, "created") != 0 &&
	    strcmp(s->action, "unresolved") != 0)
		s->severity = aiops_severity_name(AIOPS_SEV_INFO);
	label(s, "level", s->level, s->levlen);
	return 0;
}

static int
host_service(struct sentry *s)
{
	const json_t *proj;
	const char *v;
	size_t n;

	if (s->ev != NULL && opt_str(s, s->ev, s->evpath, "server_name", &s->host, &s->hlen) == -1)
		return -1;
	if (s->hlen == 0 && (s->host = tag_value(s, "server_name", &s->hlen)) == NULL)
		s->host = tag_value(s, "host", &s->hlen);
	if (s->hlen == 0)
		s->host = NULL;
	/* The project: an object (issues), a slug (legacy), or an id (events). */
	if (s->issue != NULL) {
		if (opt_obj(s, s->issue, "data.issue", "project", &proj) == -1)
			return -1;
		if (proj != NULL && (opt_str(s, proj, "data.issue.project", "slug",
		    &s->service, &s->slen) == -1 || (s->slen == 0 &&
		    opt_str(s, proj, "data.issue.project", "name", &s->service, &s->slen) == -1)))
			return -1;
	}
	if (s->outer != NULL && s->slen == 0) {
		static const char *const keys[] = { "project_slug", "project", "project_name" };
		size_t i;

		for (i = 0; i < NELEM(keys) && s->slen == 0; i++)
			if (opt_id(s, s->outer, "", keys[i], &s->service, &s->slen) == -1)
				return -1;
	}
	if (s->slen == 0 && s->ev != NULL) {
		if (opt_id(s, s->ev, s->evpath, "project", &v, &n) == -1)
			return -1;
		slug_of_url(json_string_value(json_object_get(s->ev, "url")), &s->service,
		    &s->slen);
		if (s->slen == 0)
			label(s, "project", v, n);
	}
	if (s->slen == 0)
		s->service = tag_value(s, "service", &s->slen);
	if (s->slen == 0)
		s->service = NULL;
	label(s, "project", s->service, s->slen);
	return 0;
}

/* ---- the labels, in order of importance (the tags fill the rest) ---- */

static int
event_labels(struct sentry *s)
{
	static const struct { const char *key, *label; } strs[] = {
		{ "culprit", "culprit" }, { "transaction", "transaction" },
		{ "release", "release" }, { "environment", "environment" },
		{ "platform", "platform" }, { "logger", "logger" },
		{ "event_id", "event_id" }, { "web_url", "url" },
	};
	const json_t *srcs[3] = { s->ev, s->outer, s->issue };
	const char *paths[3] = { s->evpath, "", "data.issue" };
	size_t i, j;

	for (i = 0; i < NELEM(strs); i++)
		for (j = 0; j < NELEM(srcs); j++)
			if (str_label(s, srcs[j], paths[j], strs[i].key, strs[i].label) == -1)
				return -1;
	if (id_label(s, s->ev, s->evpath, "issue_id", "issue_id") == -1 ||
	    id_label(s, s->ev, s->evpath, "group_id", "issue_id") == -1 ||
	    id_label(s, s->issue, "data.issue", "id", "issue_id") == -1 ||
	    id_label(s, s->outer, "", "id", "issue_id") == -1 ||
	    str_label(s, s->outer, "", "url", "url") == -1 ||
	    str_label(s, s->issue, "data.issue", "permalink", "url") == -1 ||
	    str_label(s, s->ev, s->evpath, "url", "url") == -1)
		return -1;
	return 0;
}

static int
webhook_labels(struct sentry *s, const json_t *doc)
{
	const json_t *data = json_object_get(doc, "data"), *rules;
	const char *v;
	size_t n;

	if (s->action != NULL && s->outer == NULL) {
		if (opt_str(s, data, "data", "triggered_rule", &v, &n) == -1)
			return -1;
		label(s, "rule", v, n);
	}
	if (s->outer != NULL) {
		rules = json_object_get(doc, "triggering_rules");
		if (rules != NULL && !json_is_null(rules) && !json_is_array(rules))
			return type_error(s, "", "triggering_rules", "an array");
		if (json_is_string(json_array_get(rules, 0)))
			label(s, "rule", json_string_value(json_array_get(rules, 0)),
			    json_string_length(json_array_get(rules, 0)));
	}
	if (s->action != NULL)
		label(s, "action", s->action, strlen(s->action));
	label(s, "resource", s->resource, strlen(s->resource));
	return 0;
}

/* ---- fields ---- */

/* The last frame of the main exception: "file:line in function". */
static void
frame(json_t *fields, const json_t *exc)
{
	const json_t *st = json_object_get(exc, "stacktrace"), *frames, *f;
	const char *file, *fn;
	struct aiops_buf b;

	frames = json_object_get(st, "frames");
	if (!json_is_object(st) || !json_is_array(frames) || json_array_size(frames) == 0)
		return;
	f = json_array_get(frames, json_array_size(frames) - 1);
	file = json_string_value(json_object_get(f, "filename"));
	if (file == NULL)
		file = json_string_value(json_object_get(f, "abs_path"));
	if (file == NULL)
		file = json_string_value(json_object_get(f, "module"));
	fn = json_string_value(json_object_get(f, "function"));
	if (file == NULL && fn == NULL)
		return;
	aiops_buf_init(&b);
	if (file != NULL)
		aiops_buf_add(&b, file, strlen(file));
	if (json_is_integer(json_object_get(f, "lineno")))
		aiops_buf_addf(&b, ":%lld",
		    (long long)json_integer_value(json_object_get(f, "lineno")));
	if (fn != NULL)
		aiops_buf_addf(&b, "%sin %s", b.len > 0 ? " " : "", fn);
	json_object_set_new(fields, "frame", json_stringn(b.data, b.len));
	aiops_buf_release(&b);
}

/* A non-empty string member of o as fields[k]. */
static void
copy_str(json_t *f, const char *k, const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (json_is_string(v) && json_string_length(v) > 0)
		json_object_set(f, k, v);
}

/* The fields, when there are any. */
static void
write_fields(struct sentry *s, struct aiops_jw *w)
{
	const json_t *req = s->ev != NULL ? json_object_get(s->ev, "request") : NULL;
	json_t *f = json_object(), *cnt;

	if (s->exc != NULL)
		frame(f, s->exc);
	if (json_is_object(req)) {
		copy_str(f, "request_method", req, "method");
		copy_str(f, "request_url", req, "url");
	}
	/* The trace, to find the same request in other tools' logs. */
	if (s->ev != NULL)
		copy_str(f, "trace_id", json_object_get(json_object_get(s->ev, "contexts"),
		    "trace"), "trace_id");
	if (s->issue != NULL) {
		copy_str(f, "short_id", s->issue, "shortId");
		copy_str(f, "status", s->issue, "status");
		cnt = json_object_get(s->issue, "count");
		if (json_is_string(cnt) || json_is_integer(cnt))
			json_object_set(f, "count", cnt);
		copy_str(f, "first_seen", s->issue, "firstSeen");
		copy_str(f, "last_seen", s->issue, "lastSeen");
	}
	if (s->tags_left_out > 0)
		json_object_set_new(f, "tags_left_out", json_integer((json_int_t)s->tags_left_out));
	if (json_object_size(f) > 0) {
		aiops_jw_key(w, "fields", 6);
		aiops_jw_json(w, f);
	}
	json_decref(f);
}

/* ---- the payload ---- */

/* Which shape doc is: sets ev, issue, outer, resource, action. */
static int
shape(struct sentry *s, const json_t *doc)
{
	const json_t *data;
	const char *which = NULL;

	if ((data = webhook_data(doc, &which)) != NULL) {
		s->action = json_string_value(json_object_get(doc, "action"));
		if (strcmp(which, "issue") == 0) {
			s->issue = json_object_get(data, "issue");
			s->resource = "issue";
		} else {
			s->ev = json_object_get(data, which);
			s->evpath = which[1] == 'v' ? "data.event" : "data.error";
			s->resource = which[1] == 'v' ? "event_alert" : "error";
		}
		return 0;
	}
	if (is_legacy(doc)) {
		s->outer = doc;
		s->ev = json_object_get(doc, "event");
		s->evpath = "event";
		s->resource = "webhook";
		return 0;
	}
	if (is_event(doc)) {
		s->ev = doc;
		s->evpath = "";
		s->resource = "event";
		return 0;
	}
	return aiops_ingest_error(s->ing, "not a Sentry event, webhook or issue payload "
	    "(no \"event_id\", nor \"action\" and \"data\")");
}

/* The key of the id: the Sentry ids, so the same payload keeps its id. */
static void
idkey(struct sentry *s)
{
	size_t i;

	aiops_buf_add(&s->idkey, "sentry", 6);
	for (i = 0; i < s->nlabels; i++)
		if ((s->labels[i].klen == 8 && memcmp(s->labels[i].key, "event_id", 8) == 0) ||
		    (s->labels[i].klen == 8 && memcmp(s->labels[i].key, "issue_id", 8) == 0)) {
			aiops_buf_addc(&s->idkey, ' ');
			aiops_buf_add(&s->idkey, s->labels[i].val, s->labels[i].vlen);
		}
	aiops_buf_addc(&s->idkey, ' ');
	if (s->msg.len > 0)
		aiops_buf_add(&s->idkey, s->msg.data, s->msg.len);
}

static int
read_payload(struct sentry *s, const json_t *doc)
{
	if (shape(s, doc) == -1 || timestamp(s) == -1 || message(s) == -1 ||
	    level(s) == -1 || event_labels(s) == -1 || webhook_labels(s, doc) == -1)
		return -1;
	/* The tags last: they fill what room the others leave. */
	if ((s->ev != NULL && tags(s, s->ev, s->evpath) == -1) ||
	    (s->issue != NULL && tags(s, s->issue, "data.issue") == -1))
		return -1;
	return host_service(s);
}

static void
emit(struct sentry *s)
{
	struct aiops_event_head h;
	struct aiops_jw *w;

	idkey(s);
	aiops_labels_sort(s->labels, s->nlabels);
	memset(&h, 0, sizeof(h));
	h.type = "log";
	h.ts = s->has_ts ? s->ts : aiops_ingest_now(s->ing);
	h.host = s->host;
	h.hlen = s->hlen;
	h.source = aiops_ingest_source(s->ing, FMTNAME);
	h.labels = s->labels;
	h.nlabels = s->nlabels;
	h.idkey = s->idkey.data;
	h.idklen = s->idkey.len;
	w = aiops_ingest_begin(s->ing, &h);
	if (s->service != NULL)
		aiops_jw_kstr(w, "service", s->service, s->slen);
	aiops_jw_kcstr(w, "severity", s->severity);
	aiops_jw_kstr(w, "message", s->msg.len > 0 ? s->msg.data : "", s->msg.len);
	write_fields(s, w);
	aiops_ingest_end(s->ing);
}

int
aiops_sentry_emit(struct aiops_ingest *ing, const json_t *doc)
{
	struct sentry s;
	size_t i;
	int rc;

	memset(&s, 0, sizeof(s));
	s.ing = ing;
	aiops_buf_init(&s.msg);
	aiops_buf_init(&s.idkey);
	if (!json_is_object(doc))
		rc = aiops_ingest_error(ing, "not a Sentry payload (not an object)");
	else
		rc = read_payload(&s, doc);
	if (rc == 0) {
		if (s.tags_left_out > 0)
			aiops_ingest_note(ing, "%zu Sentry tag%s left out: more than %d labels",
			    s.tags_left_out, s.tags_left_out == 1 ? "" : "s", AIOPS_MAX_LABELS);
		emit(&s);
	}
	for (i = 0; i < s.ntagkeys; i++)
		free(s.tagkeys[i]);
	aiops_buf_release(&s.msg);
	aiops_buf_release(&s.idkey);
	return rc;
}
