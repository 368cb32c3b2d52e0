/*
 * route.c: Alertmanager's routing tree (see route.h for the sources and
 * the rules).
 */
#include "compat.h"

#define PCRE2_CODE_UNIT_WIDTH 8

#include <jansson.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf.h"
#include "core/buf.h"
#include "core/timeutil.h"
#include "core/utf8.h"
#include "core/xmalloc.h"
#include "match/matcher.h"
#include "notify/route.h"

#define PATH_LEN	512	/* longest dotted path named in a message */

struct aiops_route_tree {
	struct aiops_route	*root;
	struct aiops_route	**all;		/* depth-first */
	size_t			 count;
};

/* What a build needs at every route. */
struct build {
	struct aiops_route_tree	*tree;
	const struct aiops_conf	*cfg;
	const json_t		*receivers;	/* names, or NULL */
	const json_t		*intervals;	/* names, or NULL */
	char			*err;
	size_t			 errlen;
};

/* "where: path: what"; always -1. */
static int __attribute__((format(printf, 5, 6)))
fail_at(const struct aiops_conf *cfg, char *err, size_t errlen, const char *path,
    const char *fmt, ...)
{
	char where[PATH_LEN], what[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (cfg != NULL) {
		aiops_conf_where(cfg, path, where, sizeof(where));
		snprintf(err, errlen, "%s: %s: %s", where, path, what);
	} else
		snprintf(err, errlen, "%s: %s", path, what);
	return -1;
}

/* A path cut to fit PATH_LEN ends in "...": only a message shows it. */
static void
mark_cut(char *out, int n)
{
	if (n < 0 || n >= PATH_LEN)
		memcpy(out + PATH_LEN - 4, "...", 4);
}

/* path.name in out (PATH_LEN bytes). */
static void
subpath(char *out, const char *path, const char *name)
{
	mark_cut(out, snprintf(out, PATH_LEN, "%s.%s", path, name));
}

/* path.N in out (PATH_LEN bytes): a list item. */
static void
subpath_n(char *out, const char *path, size_t i)
{
	mark_cut(out, snprintf(out, PATH_LEN, "%s.%zu", path, i));
}

static int
is_name(const char *s)
{
	return *s != '\0' && aiops_utf8_check(s, strlen(s)) == -1;
}

/* ------------------------------------------------------------------------
 * Scalars: YAML leaves them strings, JSON has numbers and booleans
 * ------------------------------------------------------------------------
 */

/* yaml.v2's booleans, which Alertmanager's YAML reader takes. */
static int
get_bool(const json_t *v, int *out)
{
	static const char *const yes[] = { "true", "True", "TRUE", "yes", "Yes", "YES",
	    "on", "On", "ON", NULL };
	static const char *const no[] = { "false", "False", "FALSE", "no", "No", "NO",
	    "off", "Off", "OFF", NULL };
	size_t i;

	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return 0;
	}
	if (!json_is_string(v))
		return -1;
	for (i = 0; yes[i] != NULL; i++)
		if (strcmp(json_string_value(v), yes[i]) == 0)
			return *out = 1, 0;
	for (i = 0; no[i] != NULL; i++)
		if (strcmp(json_string_value(v), no[i]) == 0)
			return *out = 0, 0;
	return -1;
}

/* A duration string, or a JSON number of seconds. */
static int
get_duration(const json_t *v, int64_t *ns)
{
	if (json_is_integer(v) && json_integer_value(v) >= 0 &&
	    json_integer_value(v) <= INT64_MAX / AIOPS_NS_PER_SEC) {
		*ns = (int64_t)json_integer_value(v) * AIOPS_NS_PER_SEC;
		return 0;
	}
	if (!json_is_string(v) || json_string_length(v) != strlen(json_string_value(v)))
		return -1;
	return aiops_duration_parse(json_string_value(v), ns);
}

/* A list of strings (a YAML sequence of scalars); 0 or -1 with err. */
static int
get_names(struct build *b, const json_t *v, const char *path, char ***out, size_t *n)
{
	char sub[PATH_LEN];
	const json_t *item;
	size_t i;

	if (!json_is_array(v))
		return fail_at(b->cfg, b->err, b->errlen, path, "expected a list");
	json_array_foreach(v, i, item) {
		if (!json_is_string(item) || !is_name(json_string_value(item))) {
			subpath_n(sub, path, i);
			return fail_at(b->cfg, b->err, b->errlen, sub, "expected a name");
		}
	}
	*n = json_array_size(v);
	*out = xcalloc(*n + 1, sizeof(**out));
	json_array_foreach(v, i, item)
		(*out)[i] = xstrdup(json_string_value(item));
	return 0;
}

static void
free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; names != NULL && i < n; i++)
		free(names[i]);
	free(names);
}

static char **
copy_names(char *const *names, size_t n)
{
	char **out = xcalloc(n + 1, sizeof(*out));
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = xstrdup(names[i]);
	return out;
}

static int
has_name(const json_t *names, const char *name)
{
	const json_t *v;
	size_t i;

	json_array_foreach(names, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), name) == 0)
			return 1;
	return 0;
}

/* ------------------------------------------------------------------------
 * Matchers: the new list and the deprecated maps, in one set
 * ------------------------------------------------------------------------
 */

/* s as a quoted matcher string: the escapes lib/match reads (\" \\ \n). */
static void
add_quoted(struct aiops_buf *t, const char *s)
{
	aiops_buf_addc(t, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			aiops_buf_addc(t, '\\');
		if (*s == '\n')
			aiops_buf_addstr(t, "\\n");
		else
			aiops_buf_addc(t, *s);
	}
	aiops_buf_addc(t, '"');
}

/*
 * match (op "=") or match_re (op "=~"): a map label -> value, added to m
 * as matchers. match_re's value becomes "^(?:re)$": config.Regexp keeps
 * that text and NewRoute builds its matcher from it, so a key shows it.
 */
static int
add_match_map(struct build *b, struct aiops_match *m, const json_t *map, const char *path,
    const char *op)
{
	struct aiops_buf t = AIOPS_BUF_INIT;
	char sub[PATH_LEN], why[512];
	const char *name;
	const json_t *v;

	if (!json_is_object(map))
		return fail_at(b->cfg, b->err, b->errlen, path, "expected a mapping of labels");
	json_object_foreach((json_t *)map, name, v) {
		subpath(sub, path, name);
		if (!is_name(name)) {
			aiops_buf_release(&t);
			return fail_at(b->cfg, b->err, b->errlen, sub, "invalid label name");
		}
		if (!json_is_string(v) ||
		    json_string_length(v) != strlen(json_string_value(v))) {
			aiops_buf_release(&t);
			return fail_at(b->cfg, b->err, b->errlen, sub, "expected a string");
		}
		aiops_buf_reset(&t);
		add_quoted(&t, name);
		aiops_buf_addstr(&t, op);
		if (op[1] == '~') {
			char *re;

			xasprintf(&re, "^(?:%s)$", json_string_value(v));
			add_quoted(&t, re);
			free(re);
		} else
			add_quoted(&t, json_string_value(v));
		if (aiops_match_parse_add(m, t.data, t.len, why, sizeof(why)) == -1) {
			aiops_buf_release(&t);
			return fail_at(b->cfg, b->err, b->errlen, sub, "%s", why);
		}
	}
	aiops_buf_release(&t);
	return 0;
}

/* matchers: a list of matcher texts (each may hold several). */
static int
add_matchers(struct build *b, struct aiops_match *m, const json_t *list, const char *path)
{
	char sub[PATH_LEN], why[512];
	const json_t *v;
	size_t i;

	if (!json_is_array(list))
		return fail_at(b->cfg, b->err, b->errlen, path, "expected a list of matchers");
	json_array_foreach(list, i, v) {
		subpath_n(sub, path, i);
		if (!json_is_string(v))
			return fail_at(b->cfg, b->err, b->errlen, sub, "expected a matcher string");
		if (aiops_match_parse_add(m, json_string_value(v), json_string_length(v), why,
		    sizeof(why)) == -1)
			return fail_at(b->cfg, b->err, b->errlen, sub, "%s", why);
	}
	return 0;
}

/*
 * The matchers of a route (prefix "") or of an inhibition rule's side
 * ("source_", "target_"), from its fields match, match_re and matchers.
 */
static int
node_matchers(struct build *b, const json_t *node, const char *path, const char *prefix,
    struct aiops_match **out)
{
	static const struct { const char *field, *op; } maps[] = {
		{ "match", "=" }, { "match_re", "=~" },
	};
	char sub[PATH_LEN], field[64], why[256];
	const json_t *v;
	size_t i;

	if ((*out = aiops_match_parse("", 0, why, sizeof(why))) == NULL)
		return fail_at(b->cfg, b->err, b->errlen, path, "%s", why);
	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		snprintf(field, sizeof(field), "%s%s", prefix, maps[i].field);
		if ((v = json_object_get(node, field)) == NULL || json_is_null(v))
			continue;
		subpath(sub, path, field);
		if (add_match_map(b, *out, v, sub, maps[i].op) == -1)
			return -1;
	}
	snprintf(field, sizeof(field), "%smatchers", prefix);
	if ((v = json_object_get(node, field)) != NULL && !json_is_null(v)) {
		subpath(sub, path, field);
		if (add_matchers(b, *out, v, sub) == -1)
			return -1;
	}
	return 0;
}

struct aiops_match *
aiops_route_matchers(const json_t *node, const char *prefix, const struct aiops_conf *cfg,
    const char *path, char *err, size_t errlen)
{
	struct build b = { NULL, cfg, NULL, NULL, err, errlen };
	struct aiops_match *m = NULL;

	if (node_matchers(&b, node, path, prefix, &m) == -1) {
		aiops_match_free(m);
		return NULL;
	}
	return m;
}

/* ------------------------------------------------------------------------
 * Building a route
 * ------------------------------------------------------------------------
 */

static const char *const route_fields[] = {
	"receiver", "group_by", "continue", "matchers", "match", "match_re", "group_wait",
	"group_interval", "repeat_interval", "mute_time_intervals", "active_time_intervals",
	"routes", NULL,
};

static int
check_fields(struct build *b, const json_t *node, const char *path)
{
	const char *name;
	const json_t *v;
	size_t i;

	json_object_foreach((json_t *)node, name, v) {
		for (i = 0; route_fields[i] != NULL; i++)
			if (strcmp(name, route_fields[i]) == 0)
				break;
		if (route_fields[i] == NULL) {
			char sub[PATH_LEN];

			subpath(sub, path, name);
			return fail_at(b->cfg, b->err, b->errlen, sub, "unknown field '%s'", name);
		}
	}
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * group_by, as config.go reads it: '...' alone groups by every label; a
 * name twice, a bad name, or '...' beside names is an error; a list with
 * no names (unset, []) leaves the parent's grouping.
 */
static int
set_group_by(struct build *b, struct aiops_route *r, const json_t *v, const char *path)
{
	char **names;
	size_t n, i, k = 0;
	int all = 0;

	if (get_names(b, v, path, &names, &n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (strcmp(names[i], "...") == 0) {
			all = 1;
			free(names[i]);
			continue;
		}
		names[k++] = names[i];
	}
	qsort(names, k, sizeof(*names), cmp_str);
	for (i = 1; i < k; i++)
		if (strcmp(names[i - 1], names[i]) == 0) {
			fail_at(b->cfg, b->err, b->errlen, path, "duplicated label '%s' in group_by",
			    names[i]);
			free_names(names, k);
			return -1;
		}
	if (all && k > 0) {
		free_names(names, k);
		return fail_at(b->cfg, b->err, b->errlen, path,
		    "cannot have wildcard group_by ('...') and other labels at the same time");
	}
	if (k > 0) {
		free_names(r->group_by, r->ngroup_by);
		r->group_by = names;
		r->ngroup_by = k;
		r->group_by_all = 0;
	} else {
		free(names);
		if (all)
			r->group_by_all = 1;
	}
	return 0;
}

static int
set_duration(struct build *b, const json_t *node, const char *field, const char *path,
    int64_t *out, int zero_ok)
{
	const json_t *v = json_object_get(node, field);
	char sub[PATH_LEN];
	int64_t ns;

	if (v == NULL || json_is_null(v))
		return 0;
	subpath(sub, path, field);
	if (get_duration(v, &ns) == -1)
		return fail_at(b->cfg, b->err, b->errlen, sub,
		    "expected a duration such as 30s, 5m, 4h");
	if (ns == 0 && !zero_ok)
		return fail_at(b->cfg, b->err, b->errlen, sub, "%s cannot be zero", field);
	*out = ns;
	return 0;
}

/* mute_time_intervals or active_time_intervals: names that must exist. */
static int
set_intervals(struct build *b, const json_t *node, const char *field, const char *path,
    char ***out, size_t *n)
{
	const json_t *v = json_object_get(node, field);
	char sub[PATH_LEN], sub2[PATH_LEN];
	size_t i;

	*out = NULL;
	*n = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	subpath(sub, path, field);
	if (get_names(b, v, sub, out, n) == -1)
		return -1;
	for (i = 0; b->intervals != NULL && i < *n; i++)
		if (!has_name(b->intervals, (*out)[i])) {
			subpath_n(sub2, sub, i);
			return fail_at(b->cfg, b->err, b->errlen, sub2,
			    "undefined time interval '%s' used in route", (*out)[i]);
		}
	return 0;
}

/* The options a route inherits, copied from its parent or the defaults. */
static void
inherit(struct aiops_route *r, const struct aiops_route *parent)
{
	if (parent == NULL) {
		r->group_wait = AIOPS_ROUTE_GROUP_WAIT;
		r->group_interval = AIOPS_ROUTE_GROUP_INTERVAL;
		r->repeat_interval_set = AIOPS_ROUTE_REPEAT_INTERVAL;
		r->group_by = xcalloc(1, sizeof(*r->group_by));
		return;
	}
	r->receiver = parent->receiver != NULL ? xstrdup(parent->receiver) : NULL;
	r->group_by = copy_names(parent->group_by, parent->ngroup_by);
	r->ngroup_by = parent->ngroup_by;
	r->group_by_all = parent->group_by_all;
	r->group_wait = parent->group_wait;
	r->group_interval = parent->group_interval;
	r->repeat_interval_set = parent->repeat_interval_set;
}

static int
set_receiver(struct build *b, struct aiops_route *r, const json_t *node, const char *path)
{
	const json_t *v = json_object_get(node, "receiver");
	char sub[PATH_LEN];

	if (v == NULL || json_is_null(v))
		return 0;
	subpath(sub, path, "receiver");
	if (!json_is_string(v) || json_string_length(v) != strlen(json_string_value(v)))
		return fail_at(b->cfg, b->err, b->errlen, sub, "expected a receiver name");
	if (json_string_length(v) == 0)
		return 0;	/* "": the parent's */
	if (b->receivers != NULL && !has_name(b->receivers, json_string_value(v)))
		return fail_at(b->cfg, b->err, b->errlen, sub,
		    "undefined receiver '%s' used in route", json_string_value(v));
	free(r->receiver);
	r->receiver = xstrdup(json_string_value(v));
	return 0;
}

/* repeat_interval rounded up to a multiple of group_interval. */
static int64_t
effective_repeat(int64_t repeat, int64_t gi)
{
	int64_t rem;

	if (gi <= 0 || (rem = repeat % gi) == 0 || repeat > INT64_MAX - gi)
		return repeat;
	return repeat - rem + gi;
}

/* Key and ID, as dispatch/route.go prints them. */
static void
set_keys(struct aiops_route *r)
{
	char *text = aiops_match_to_text(r->matchers, AIOPS_MATCH_TEXT_SORTED);

	if (r->parent == NULL) {
		r->key = xstrdup(text);
		r->id = xstrdup(text);
	} else {
		xasprintf(&r->key, "%s/%s", r->parent->key, text);
		xasprintf(&r->id, "%s/%s/%zu", r->parent->id, text, r->index);
	}
	free(text);
}

static int build_route(struct build *b, struct aiops_route *r, const json_t *node);

static int
build_children(struct build *b, struct aiops_route *r, const json_t *node)
{
	const json_t *list = json_object_get(node, "routes"), *child;
	char sub[PATH_LEN];
	size_t i;

	if (list == NULL || json_is_null(list))
		return 0;
	subpath(sub, r->path, "routes");
	if (!json_is_array(list))
		return fail_at(b->cfg, b->err, b->errlen, sub, "expected a list of routes");
	if (r->depth + 1 >= AIOPS_ROUTE_MAX_DEPTH)
		return fail_at(b->cfg, b->err, b->errlen, sub, "routes nested too deeply");
	r->routes = xcalloc(json_array_size(list) + 1, sizeof(*r->routes));
	json_array_foreach(list, i, child) {
		struct aiops_route *c = xcalloc(1, sizeof(*c));

		c->parent = r;
		c->index = i;
		c->depth = r->depth + 1;
		r->routes[r->nroutes++] = c;
		xasprintf(&c->path, "%s.%zu", sub, i);
		if (build_route(b, c, child) == -1)
			return -1;
	}
	return 0;
}

/* Appends r to the depth-first list of the tree. */
static void
enlist(struct aiops_route_tree *t, struct aiops_route *r)
{
	if ((t->count & (t->count - 1)) == 0)	/* 0, 1, 2, 4...: grow */
		t->all = xreallocarray(t->all, t->count ? t->count * 2 : 1, sizeof(*t->all));
	t->all[t->count++] = r;
}

/* r's fields from node; r->parent, index, depth and path are set. */
static int
build_route(struct build *b, struct aiops_route *r, const json_t *node)
{
	const json_t *v;
	char sub[PATH_LEN];
	int c;

	enlist(b->tree, r);
	inherit(r, r->parent);
	if (!json_is_object(node))
		return fail_at(b->cfg, b->err, b->errlen, r->path, "expected a mapping");
	if (check_fields(b, node, r->path) == -1 || set_receiver(b, r, node, r->path) == -1)
		return -1;
	if ((v = json_object_get(node, "group_by")) != NULL && !json_is_null(v)) {
		subpath(sub, r->path, "group_by");
		if (set_group_by(b, r, v, sub) == -1)
			return -1;
	}
	if ((v = json_object_get(node, "continue")) != NULL && !json_is_null(v)) {
		subpath(sub, r->path, "continue");
		if (get_bool(v, &c) == -1)
			return fail_at(b->cfg, b->err, b->errlen, sub, "expected true or false");
		r->cont = c;
	}
	if (node_matchers(b, node, r->path, "", &r->matchers) == -1 ||
	    set_duration(b, node, "group_wait", r->path, &r->group_wait, 1) == -1 ||
	    set_duration(b, node, "group_interval", r->path, &r->group_interval, 0) == -1 ||
	    set_duration(b, node, "repeat_interval", r->path, &r->repeat_interval_set, 0) == -1 ||
	    set_intervals(b, node, "mute_time_intervals", r->path, &r->mute_time_intervals,
	    &r->nmute) == -1 ||
	    set_intervals(b, node, "active_time_intervals", r->path, &r->active_time_intervals,
	    &r->nactive) == -1)
		return -1;
	r->repeat_interval = effective_repeat(r->repeat_interval_set, r->group_interval);
	set_keys(r);
	return build_children(b, r, node);
}

/* config.go's rules for the root route. */
static int
check_root(struct build *b, const struct aiops_route *r)
{
	if (r->receiver == NULL)
		return fail_at(b->cfg, b->err, b->errlen, r->path,
		    "root route must specify a default receiver");
	if (aiops_match_count(r->matchers) > 0)
		return fail_at(b->cfg, b->err, b->errlen, r->path,
		    "root route must not have any matchers");
	if (r->nmute > 0)
		return fail_at(b->cfg, b->err, b->errlen, r->path,
		    "root route must not have any mute time intervals");
	if (r->nactive > 0)
		return fail_at(b->cfg, b->err, b->errlen, r->path,
		    "root route must not have any active time intervals");
	return 0;
}

static void
free_route(struct aiops_route *r)
{
	free(r->receiver);
	aiops_match_free(r->matchers);
	free_names(r->group_by, r->ngroup_by);
	free_names(r->mute_time_intervals, r->nmute);
	free_names(r->active_time_intervals, r->nactive);
	free(r->key);
	free(r->id);
	free(r->path);
	free(r->routes);
	free(r);
}

void
aiops_route_tree_free(struct aiops_route_tree *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->count; i++)
		free_route(t->all[i]);
	free(t->all);
	free(t);
}

struct aiops_route_tree *
aiops_route_build(const json_t *route, const struct aiops_conf *cfg, const char *path,
    const json_t *receivers, const json_t *time_intervals, char *err, size_t errlen)
{
	struct aiops_route_tree *t = xcalloc(1, sizeof(*t));
	struct build b = { t, cfg, receivers, time_intervals, err, errlen };

	if (errlen > 0)
		err[0] = '\0';
	t->root = xcalloc(1, sizeof(*t->root));
	t->root->path = xstrdup(path);
	if (route == NULL) {
		fail_at(cfg, err, errlen, path, "no routing tree");
		enlist(t, t->root);
		aiops_route_tree_free(t);
		return NULL;
	}
	if (build_route(&b, t->root, route) == -1 || check_root(&b, t->root) == -1) {
		aiops_route_tree_free(t);
		return NULL;
	}
	return t;
}

json_t *
aiops_route_names(const json_t *list, const struct aiops_conf *cfg, const char *path,
    char *err, size_t errlen)
{
	json_t *names = json_array();
	const json_t *item, *name;
	const char *key;
	char sub[PATH_LEN];
	size_t i;

	if (list == NULL || json_is_null(list))
		return names;
	if (json_is_object(list)) {
		json_object_foreach((json_t *)list, key, item)
			json_array_append_new(names, json_string(key));
		return names;
	}
	if (!json_is_array(list)) {
		fail_at(cfg, err, errlen, path, "expected a list or a mapping");
		goto bad;
	}
	json_array_foreach(list, i, item) {
		subpath_n(sub, path, i);
		name = json_object_get(item, "name");
		if (!json_is_object(item)) {
			fail_at(cfg, err, errlen, sub, "expected a mapping");
			goto bad;
		}
		if (!json_is_string(name) || !is_name(json_string_value(name))) {
			fail_at(cfg, err, errlen, sub, "expected a name");
			goto bad;
		}
		if (has_name(names, json_string_value(name))) {
			char sub2[PATH_LEN];

			subpath(sub2, sub, "name");
			fail_at(cfg, err, errlen, sub2, "'%s' is defined twice",
			    json_string_value(name));
			goto bad;
		}
		json_array_append_new(names, json_string(json_string_value(name)));
	}
	return names;
bad:
	json_decref(names);
	return NULL;
}

const struct aiops_route *
aiops_route_root(const struct aiops_route_tree *t)
{
	return t->root;
}

size_t
aiops_route_count(const struct aiops_route_tree *t)
{
	return t->count;
}

const struct aiops_route *
aiops_route_at(const struct aiops_route_tree *t, size_t i)
{
	return i < t->count ? t->all[i] : NULL;
}

const struct aiops_route *
aiops_route_find(const struct aiops_route_tree *t, const char *id)
{
	size_t i;

	for (i = 0; i < t->count; i++)
		if (strcmp(t->all[i]->id, id) == 0)
			return t->all[i];
	return NULL;
}

/* ------------------------------------------------------------------------
 * Matching
 * ------------------------------------------------------------------------
 */

/* Route.Match: appends to out the routes under r that take the alert. */
static size_t
match_route(const struct aiops_route *r, const json_t *labels, const struct aiops_route **out)
{
	size_t n = 0, i, got;

	if (!aiops_match_eval(r->matchers, labels, 0))
		return 0;
	for (i = 0; i < r->nroutes; i++) {
		got = match_route(r->routes[i], labels, out + n);
		n += got;
		if (got > 0 && !r->routes[i]->cont)
			break;
	}
	if (n == 0)
		out[n++] = r;
	return n;
}

size_t
aiops_route_match(const struct aiops_route_tree *t, const json_t *labels,
    const struct aiops_route **out)
{
	size_t n = match_route(t->root, labels, out);

	return n > 0 ? n : (out[0] = t->root, 1);	/* the root has no matchers */
}

/* ------------------------------------------------------------------------
 * Group labels and keys
 * ------------------------------------------------------------------------
 */

static int
in_group_by(const struct aiops_route *r, const char *name)
{
	return r->group_by_all ||
	    bsearch(&name, r->group_by, r->ngroup_by, sizeof(*r->group_by), cmp_str) != NULL;
}

json_t *
aiops_route_group_labels(const struct aiops_route *r, const json_t *labels)
{
	json_t *out = json_object(), *v;
	const char *name;

	if (!json_is_object(labels))
		return out;
	json_object_foreach((json_t *)labels, name, v)
		if (!json_is_null(v) && in_group_by(r, name))	/* null: absent */
			json_object_set(out, name, v);
	return out;
}

static pcre2_code *printable;
static pthread_once_t printable_once = PTHREAD_ONCE_INIT;

/* Go's unicode.IsPrint beyond ASCII: categories L, M, N, P and S. */
static void
compile_printable(void)
{
	static const char re[] = "[\\p{L}\\p{M}\\p{N}\\p{P}\\p{S}]";
	PCRE2_SIZE off;
	int code;

	printable = pcre2_compile((PCRE2_SPTR)re, sizeof(re) - 1,
	    PCRE2_UTF | PCRE2_ANCHORED | PCRE2_NO_UTF_CHECK, &code, &off, NULL);
}

static int
is_printable(const char *s, size_t n)
{
	pcre2_match_data *md;
	int rc;

	pthread_once(&printable_once, compile_printable);
	if (printable == NULL || (md = pcre2_match_data_create(1, NULL)) == NULL)
		return 1;	/* out of memory in PCRE2: print it raw */
	rc = pcre2_match(printable, (PCRE2_SPTR)s, n, 0, PCRE2_NO_UTF_CHECK, md, NULL);
	pcre2_match_data_free(md);
	return rc > 0;
}

/* The code point of a valid sequence of len bytes. */
static uint32_t
decode(const unsigned char *p, size_t len)
{
	static const unsigned char lead[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	uint32_t c = p[0] & lead[len];
	size_t i;

	for (i = 1; i < len; i++)
		c = (c << 6) | (p[i] & 0x3f);
	return c;
}

/* One rune as strconv.Quote writes it (appendEscapedRune). */
static void
quote_rune(struct aiops_buf *b, const char *s, size_t len)
{
	static const char esc[] = "\aa\bb\ff\nn\rr\tt\vv";
	uint32_t c = decode((const unsigned char *)s, len);
	const char *e;

	if (c == '"' || c == '\\') {
		aiops_buf_addc(b, '\\');
		aiops_buf_addc(b, (char)c);
	} else if (c >= 0x20 && c < 0x7f) {
		aiops_buf_addc(b, (char)c);
	} else if (c >= 0x80 && is_printable(s, len)) {
		aiops_buf_add(b, s, len);
	} else if (c != 0 && c < 0x80 && (e = memchr(esc, (int)c, sizeof(esc) - 1)) != NULL &&
	    (e - esc) % 2 == 0) {
		aiops_buf_addc(b, '\\');
		aiops_buf_addc(b, e[1]);
	} else if (c < 0x20 || c == 0x7f) {
		aiops_buf_addf(b, "\\x%02x", c);
	} else if (c < 0x10000) {
		aiops_buf_addf(b, "\\u%04x", c);
	} else {
		aiops_buf_addf(b, "\\U%08x", c);
	}
}

/* s as Go's strconv.Quote (%q) writes it. */
static void
go_quote(struct aiops_buf *b, const char *s, size_t n)
{
	size_t i = 0, len;

	aiops_buf_addc(b, '"');
	while (i < n) {
		len = aiops_utf8_seqlen((const unsigned char *)s + i, n - i);
		if (len == 0) {		/* a byte not UTF-8: utf8.RuneError, width 1 */
			aiops_buf_addf(b, "\\x%02x", (unsigned char)s[i]);
			i++;
			continue;
		}
		quote_rune(b, s + i, len);
		i += len;
	}
	aiops_buf_addc(b, '"');
}

static void
add_labels_text(struct aiops_buf *b, const json_t *labels)
{
	const char **names;
	const char *name;
	json_t *v;
	size_t n = 0, i;

	aiops_buf_addc(b, '{');
	if (!json_is_object(labels) || json_object_size(labels) == 0) {
		aiops_buf_addc(b, '}');
		return;
	}
	names = xcalloc(json_object_size(labels), sizeof(*names));
	json_object_foreach((json_t *)labels, name, v)
		names[n++] = name;
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		v = json_object_get(labels, names[i]);
		if (i > 0)
			aiops_buf_addstr(b, ", ");
		aiops_buf_addstr(b, names[i]);
		aiops_buf_addc(b, '=');
		if (json_is_string(v)) {
			go_quote(b, json_string_value(v), json_string_length(v));
		} else {
			char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);

			go_quote(b, s != NULL ? s : "", s != NULL ? strlen(s) : 0);
			free(s);
		}
	}
	aiops_buf_addc(b, '}');
	free(names);
}

char *
aiops_route_labels_text(const json_t *labels)
{
	struct aiops_buf b = AIOPS_BUF_INIT;

	add_labels_text(&b, labels);
	return aiops_buf_detach(&b, NULL);
}

char *
aiops_route_group_key(const struct aiops_route *r, const json_t *labels)
{
	struct aiops_buf b = AIOPS_BUF_INIT;
	json_t *group = aiops_route_group_labels(r, labels);

	aiops_buf_addstr(&b, r->key);
	aiops_buf_addc(&b, ':');
	add_labels_text(&b, group);
	json_decref(group);
	return aiops_buf_detach(&b, NULL);
}
