/*
 * t_route: lib/notify/route (Alertmanager's routing tree) and the notify
 * keys of the schema. The group keys marked "AM 0.25" were printed by the
 * real Alertmanager (Debian prometheus-alertmanager 0.25) in the groupKey
 * of its webhook payload, for the same tree and labels.
 */
#include "compat.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf.h"
#include "config/schema.h"
#include "match/matcher.h"
#include "notify/route.h"
#include "tap.h"

#define NS	1000000000LL

static char err[1024];

/*
 * Parses yaml as aiops.yaml, checks it for aiops-notify, and builds
 * notify.route with the receivers (when it has notify.receivers) and time
 * intervals it defines. NULL with err set on any failure.
 */
static struct aiops_route_tree *
build(const char *yaml)
{
	struct aiops_conf *cfg;
	struct aiops_route_tree *t = NULL;
	json_t *rx = NULL, *ti = NULL;

	err[0] = '\0';
	if ((cfg = aiops_conf_parse("aiops.yaml", yaml, strlen(yaml), err, sizeof(err))) == NULL)
		return NULL;
	if (aiops_conf_validate(cfg, "notify", err, sizeof(err)) == 0 &&
	    (aiops_conf_get(cfg, "notify.receivers") == NULL ||
	    (rx = aiops_route_names(aiops_conf_get(cfg, "notify.receivers"), cfg,
	    "notify.receivers", err, sizeof(err))) != NULL) &&
	    (ti = aiops_route_names(aiops_conf_get(cfg, "notify.time_intervals"), cfg,
	    "notify.time_intervals", err, sizeof(err))) != NULL)
		t = aiops_route_build(aiops_conf_get(cfg, "notify.route"), cfg, "notify.route",
		    rx, ti, err, sizeof(err));
	json_decref(rx);
	json_decref(ti);
	aiops_conf_free(cfg);
	return t;
}

/* The error of building yaml, or "built" when it builds. */
static const char *
build_err(const char *yaml)
{
	struct aiops_route_tree *t = build(yaml);

	if (t != NULL) {
		aiops_route_tree_free(t);
		return "built";
	}
	return err;
}

/* The receivers that take labels (JSON), comma-separated, as amtool prints them. */
static const char *
receivers(const struct aiops_route_tree *t, const char *labels_json)
{
	static char out[512];
	const struct aiops_route **m = calloc(aiops_route_count(t), sizeof(*m));
	json_t *labels = json_loads(labels_json, 0, NULL);
	size_t n, i;

	out[0] = '\0';
	n = aiops_route_match(t, labels, m);
	for (i = 0; i < n; i++) {
		size_t used = strlen(out);

		snprintf(out + used, sizeof(out) - used, "%s%s", i ? "," : "", m[i]->receiver);
	}
	json_decref(labels);
	free(m);
	return out;
}

/* The group key of labels on the first route that takes them. */
static const char *
group_key(const struct aiops_route_tree *t, const char *labels_json)
{
	static char out[1024];
	const struct aiops_route **m = calloc(aiops_route_count(t), sizeof(*m));
	json_t *labels = json_loads(labels_json, 0, NULL);
	char *k;

	aiops_route_match(t, labels, m);
	k = aiops_route_group_key(m[0], labels);
	snprintf(out, sizeof(out), "%s", k);
	free(k);
	json_decref(labels);
	free(m);
	return out;
}

static const char *const am_yaml =
    "notify:\n"
    "  receivers:\n"
    "    - name: root\n"
    "    - name: db\n"
    "    - name: dbc\n"
    "    - name: web\n"
    "    - name: q\n"
    "  route:\n"
    "    receiver: root\n"
    "    group_by: [alertname, b, a]\n"
    "    group_wait: 1s\n"
    "    routes:\n"
    "      - receiver: db\n"
    "        matchers: ['team=\"db\"', 'sev=~\"crit|warn\"']\n"
    "        continue: true\n"
    "        routes:\n"
    "          - receiver: dbc\n"
    "            match: {sev: crit}\n"
    "      - receiver: web\n"
    "        match_re: {team: \"web.*\"}\n"
    "        group_by: ['...']\n"
    "      - receiver: q\n"
    "        matchers: ['team=\"x\\\"y\"']\n";

/* The tree and alerts given to Alertmanager 0.25, and its groupKeys. */
static void
test_am_keys(void)
{
	struct aiops_route_tree *t = build(am_yaml);

	ok(t != NULL, "the Alertmanager test tree builds: %s", err);
	if (t == NULL)
		return;
	is_str(group_key(t, "{\"alertname\":\"A\",\"team\":\"db\",\"sev\":\"crit\",\"a\":\"x\",\"b\":\"y\"}"),
	    "{}/{sev=~\"crit|warn\",team=\"db\"}/{sev=\"crit\"}:{a=\"x\", alertname=\"A\", b=\"y\"}",
	    "AM 0.25: nested keys, matchers sorted, group labels sorted and joined by \", \"");
	is_str(group_key(t, "{\"alertname\":\"B\",\"team\":\"web1\",\"sev\":\"warn\",\"z\":\"tab\\there\","
	    "\"q\":\"quo\\\"te\\\\back\"}"),
	    "{}/{team=~\"^(?:web.*)$\"}:{alertname=\"B\", q=\"quo\\\"te\\\\back\", sev=\"warn\", "
	    "team=\"web1\", z=\"tab\\there\"}",
	    "AM 0.25: match_re shows ^(?:re)$, '...' takes every label, Go escapes");
	is_str(group_key(t, "{\"alertname\":\"C\",\"team\":\"x\\\"y\","
	    "\"a\":\"nb\\u00a0sp \\u00e9 \\u200b \\u0085 \\ud83d\\ude00 \\ue000\"}"),
	    "{}/{team=\"x\\\"y\"}:{a=\"nb\\u00a0sp \xc3\xa9 \\u200b \\u0085 \xf0\x9f\x98\x80 \\ue000\", "
	    "alertname=\"C\"}",
	    "AM 0.25: runes Go does not print are \\u escapes, others raw");
	is_str(group_key(t, "{\"alertname\":\"D\",\"team\":\"none\",\"b\":\"new\\nline\\u0001\\u007f\"}"),
	    "{}:{alertname=\"D\", b=\"new\\nline\\x01\\x7f\"}",
	    "AM 0.25: control characters as \\n and \\xNN; the root's key is {}");
	is_str(receivers(t, "{\"team\":\"db\",\"sev\":\"crit\"}"), "dbc",
	    "continue on a route whose child took the alert: the child only");
	aiops_route_tree_free(t);
}

static void
test_defaults(void)
{
	struct aiops_route_tree *t = build(
	    "notify:\n"
	    "  route:\n"
	    "    receiver: ops\n");
	const struct aiops_route *r;

	ok(t != NULL, "a root with a receiver is enough: %s", err);
	if (t == NULL)
		return;
	r = aiops_route_root(t);
	is_int(r->group_wait, 30 * NS, "group_wait defaults to 30s");
	is_int(r->group_interval, 300 * NS, "group_interval defaults to 5m");
	is_int(r->repeat_interval, 4 * 3600 * NS, "repeat_interval defaults to 4h");
	is_int(r->ngroup_by, 0, "group_by defaults to none");
	ok(!r->group_by_all && !r->cont, "no '...', no continue");
	is_str(r->key, "{}", "the root's key");
	is_str(r->id, "{}", "the root's id");
	is_str(r->path, "notify.route", "the root's path");
	is_int(aiops_route_count(t), 1, "one route");
	is_str(receivers(t, "{\"a\":\"b\"}"), "ops", "the root takes every alert");
	is_str(receivers(t, "{}"), "ops", "even one with no labels");
	is_str(group_key(t, "{\"a\":\"b\"}"), "{}:{}", "no group_by: one group, {}:{}");
	aiops_route_tree_free(t);
}

static const char *const inherit_yaml =
    "notify:\n"
    "  time_intervals:\n"
    "    - name: nights\n"
    "      time_intervals: [{times: [{start_time: '00:00', end_time: '06:00'}]}]\n"
    "    - name: office\n"
    "  route:\n"
    "    receiver: ops\n"
    "    group_by: [alertname, cluster]\n"
    "    group_wait: 10s\n"
    "    group_interval: 7m\n"
    "    repeat_interval: 1h\n"
    "    routes:\n"
    "      - matchers: [team=db]\n"
    "        mute_time_intervals: [nights]\n"
    "        routes:\n"
    "          - matchers: ['severity=\"critical\"']\n"
    "            receiver: db-pager\n"
    "            group_interval: 5m\n"
    "            repeat_interval: 12m\n"
    "          - matchers: ['severity=\"info\"']\n"
    "            group_by: []\n"
    "      - matchers: [team=web]\n"
    "        receiver: web\n"
    "        group_by: [...]\n"
    "        group_wait: 0s\n"
    "        active_time_intervals: [office]\n"
    "        routes:\n"
    "          - matchers: [env=prod]\n"
    "          - matchers: [env=dev]\n"
    "            group_by: [host]\n";

static void
test_inherit(void)
{
	struct aiops_route_tree *t = build(inherit_yaml);
	const struct aiops_route *db, *crit, *info, *web, *prod, *dev;

	ok(t != NULL, "the inheritance tree builds: %s", err);
	if (t == NULL)
		return;
	is_int(aiops_route_count(t), 7, "seven routes");
	db = aiops_route_at(t, 1);
	crit = aiops_route_at(t, 2);
	info = aiops_route_at(t, 3);
	web = aiops_route_at(t, 4);
	prod = aiops_route_at(t, 5);
	dev = aiops_route_at(t, 6);
	ok(aiops_route_at(t, 7) == NULL, "aiops_route_at past the end is NULL");
	is_str(db->receiver, "ops", "a child without a receiver takes its parent's");
	is_int(db->group_wait, 10 * NS, "and group_wait");
	is_int(db->group_interval, 7 * 60 * NS, "and group_interval");
	is_int(db->repeat_interval_set, 3600 * NS, "and repeat_interval");
	is_int(db->repeat_interval, 63 * 60 * NS, "1h rounded up to a multiple of 7m: 63m");
	is_int(db->ngroup_by, 2, "and group_by");
	is_str(db->group_by[0], "alertname", "group_by sorted: alertname");
	is_str(db->group_by[1], "cluster", "then cluster");
	is_int(db->nmute, 1, "its own mute_time_intervals");
	is_str(db->mute_time_intervals[0], "nights", "by name");
	is_str(crit->receiver, "db-pager", "a grandchild's own receiver");
	is_int(crit->group_interval, 5 * 60 * NS, "its own group_interval");
	is_int(crit->repeat_interval, 15 * 60 * NS, "12m rounded up to a multiple of 5m: 15m");
	is_int(crit->group_wait, 10 * NS, "group_wait from two levels up");
	is_int(crit->nmute, 0, "mute_time_intervals are not inherited (NewRoute)");
	is_int(info->ngroup_by, 2, "group_by: [] inherits, as config.go reads it");
	ok(web->group_by_all, "group_by: [...] groups by every label");
	is_int(web->group_wait, 0, "group_wait may be 0");
	is_int(web->nactive, 1, "active_time_intervals");
	ok(prod->group_by_all, "'...' is inherited");
	ok(!dev->group_by_all && dev->ngroup_by == 1, "and replaced by a list of names");
	is_int(prod->nactive, 0, "active_time_intervals are not inherited");
	is_str(crit->key, "{}/{team=\"db\"}/{severity=\"critical\"}", "a key: the parents' joined by /");
	is_str(crit->id, "{}/{team=\"db\"}/0/{severity=\"critical\"}/0", "an id: with sibling indexes");
	is_str(dev->id, "{}/{team=\"web\"}/1/{env=\"dev\"}/1", "another id");
	is_str(dev->path, "notify.route.routes.1.routes.1", "a path");
	ok(aiops_route_find(t, dev->id) == dev, "found by id");
	ok(aiops_route_find(t, "{}/{team=\"mail\"}/9") == NULL, "an unknown id is NULL");
	ok(crit->parent == db && db->parent == aiops_route_root(t) && crit->depth == 2,
	    "parents and depth");
	is_str(receivers(t, "{\"team\":\"db\",\"severity\":\"critical\"}"), "db-pager", "routed to the leaf");
	is_str(receivers(t, "{\"team\":\"db\",\"severity\":\"warning\"}"), "ops",
	    "no child matches: the route itself (its receiver inherited)");
	is_str(group_key(t, "{\"team\":\"web\",\"env\":\"prod\",\"host\":\"h1\"}"),
	    "{}/{team=\"web\"}/{env=\"prod\"}:{env=\"prod\", host=\"h1\", team=\"web\"}",
	    "'...': every label in the group key");
	is_str(group_key(t, "{\"team\":\"web\",\"env\":\"dev\",\"host\":\"h1\"}"),
	    "{}/{team=\"web\"}/{env=\"dev\"}:{host=\"h1\"}", "group_by [host]");
	is_str(group_key(t, "{\"team\":\"db\",\"alertname\":\"X\"}"),
	    "{}/{team=\"db\"}:{alertname=\"X\"}", "PEERS.md's example; a missing cluster is left out");
	aiops_route_tree_free(t);
}

static const char *const continue_yaml =
    "notify:\n"
    "  route:\n"
    "    receiver: default\n"
    "    routes:\n"
    "      - receiver: all-audit\n"
    "        continue: yes\n"
    "      - receiver: a\n"
    "        matchers: [x=1]\n"
    "        continue: 'true'\n"
    "        routes:\n"
    "          - {receiver: a1, matchers: [y=1], continue: true}\n"
    "          - {receiver: a2, matchers: ['y=~\"1|2\"']}\n"
    "          - {receiver: a3, matchers: [y=1]}\n"
    "      - receiver: b\n"
    "        matchers: ['x=~\"1|2\"']\n"
    "      - receiver: c\n"
    "        matchers: [x!=3]\n";

static void
test_continue(void)
{
	struct aiops_route_tree *t = build(continue_yaml);

	ok(t != NULL, "the continue tree builds: %s", err);
	if (t == NULL)
		return;
	is_str(receivers(t, "{\"x\":\"1\",\"y\":\"1\"}"), "all-audit,a1,a2,b",
	    "continue: every route in order; a2 stops a3, b stops c");
	is_str(receivers(t, "{\"x\":\"1\",\"y\":\"3\"}"), "all-audit,a,b",
	    "a with no matching child takes the alert itself, then b");
	is_str(receivers(t, "{\"x\":\"2\"}"), "all-audit,b", "b stops the search");
	is_str(receivers(t, "{\"x\":\"4\"}"), "all-audit,c", "c");
	is_str(receivers(t, "{\"x\":\"3\"}"), "all-audit",
	    "a continue route that matched: the root does not take it too");
	aiops_route_tree_free(t);
}

/* One mistake per case: the whole message, file:line first. */
static void
test_errors(void)
{
	static const char head[] = "notify:\n  receivers: [{name: ops}, {name: db}]\n"
	    "  time_intervals: [{name: nights}]\n  route:\n    receiver: ops\n";
	static const struct { const char *body, *want, *what; } cases[] = {
		{ "    matchers: [a=b]\n",
		  "aiops.yaml:4: notify.route: root route must not have any matchers",
		  "the root with matchers" },
		{ "    match: {a: b}\n",
		  "aiops.yaml:4: notify.route: root route must not have any matchers",
		  "the root with match" },
		{ "    mute_time_intervals: [nights]\n",
		  "aiops.yaml:4: notify.route: root route must not have any mute time intervals",
		  "the root with mute_time_intervals" },
		{ "    active_time_intervals: [nights]\n",
		  "aiops.yaml:4: notify.route: root route must not have any active time intervals",
		  "the root with active_time_intervals" },
		{ "    routes:\n      - receiver: db\n      - receiver: db\n        matchers: [ok=1, 'a=~\"(\"']\n",
		  "aiops.yaml:9: notify.route.routes.1.matchers.1: matcher 'a=~\"(\"': "
		  "missing closing parenthesis at column 6",
		  "a bad matcher: its list item" },
		{ "    routes:\n      - match_re: {a: '('}\n",
		  "aiops.yaml:7: notify.route.routes.0.match_re.a: matcher '\"a\"=~\"^(?:()$\"': "
		  "missing closing parenthesis at column 14",
		  "a bad match_re" },
		{ "    group_wait: soon\n",
		  "aiops.yaml:6: notify.route.group_wait: expected a duration such as 30s, 5m, 4h",
		  "a bad duration" },
		{ "    routes:\n      - group_interval: 0s\n",
		  "aiops.yaml:7: notify.route.routes.0.group_interval: group_interval cannot be zero",
		  "a zero group_interval" },
		{ "    repeat_interval: 0\n",
		  "aiops.yaml:6: notify.route.repeat_interval: repeat_interval cannot be zero",
		  "a zero repeat_interval" },
		{ "    routes:\n      - matchers: [a=b]\n        recevier: db\n",
		  "aiops.yaml:8: notify.route.routes.0.recevier: unknown field 'recevier'",
		  "an unknown field" },
		{ "    routes:\n      - mute_time_intervals: [nights, weekends]\n",
		  "aiops.yaml:7: notify.route.routes.0.mute_time_intervals.1: "
		  "undefined time interval 'weekends' used in route",
		  "an unknown time interval" },
		{ "    routes:\n      - active_time_intervals: [days]\n",
		  "aiops.yaml:7: notify.route.routes.0.active_time_intervals.0: "
		  "undefined time interval 'days' used in route",
		  "an unknown active time interval" },
		{ "    routes:\n      - receiver: pager\n",
		  "aiops.yaml:7: notify.route.routes.0.receiver: undefined receiver 'pager' used in route",
		  "an undefined receiver" },
		{ "    group_by: [a, b, a]\n",
		  "aiops.yaml:6: notify.route.group_by: duplicated label 'a' in group_by",
		  "a label twice in group_by" },
		{ "    group_by: [a, ...]\n",
		  "aiops.yaml:6: notify.route.group_by: cannot have wildcard group_by ('...') and "
		  "other labels at the same time",
		  "'...' beside names" },
		{ "    group_by: a\n",
		  "aiops.yaml:6: notify.route.group_by: expected a list", "group_by not a list" },
		{ "    group_by: ['']\n",
		  "aiops.yaml:6: notify.route.group_by.0: expected a name", "an empty label name" },
		{ "    continue: maybe\n",
		  "aiops.yaml:6: notify.route.continue: expected true or false", "a bad continue" },
		{ "    routes: {a: 1}\n",
		  "aiops.yaml:6: notify.route.routes: expected a list of routes", "routes not a list" },
		{ "    routes: [x]\n",
		  "aiops.yaml:6: notify.route.routes.0: expected a mapping", "a route not a mapping" },
		{ "    matchers: a=b\n",
		  "aiops.yaml:6: notify.route.matchers: expected a list of matchers",
		  "matchers not a list" },
		{ "    routes:\n      - matchers: [[a]]\n",
		  "aiops.yaml:7: notify.route.routes.0.matchers.0: expected a matcher string",
		  "a matcher not a string" },
		{ "    routes:\n      - match: {a: [b]}\n",
		  "aiops.yaml:7: notify.route.routes.0.match.a: expected a string",
		  "a match value not a string" },
		{ "    routes:\n      - receiver: [ops]\n",
		  "aiops.yaml:7: notify.route.routes.0.receiver: expected a receiver name",
		  "a receiver list" },
	};
	char yaml[1024];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(yaml, sizeof(yaml), "%s%s", head, cases[i].body);
		is_str(build_err(yaml), cases[i].want, "%s", cases[i].what);
	}
	is_str(build_err("notify:\n  route:\n    group_by: [a]\n"),
	    "aiops.yaml:2: notify.route: root route must specify a default receiver",
	    "the root without a receiver");
	is_str(build_err("notify:\n  route:\n    receiver: ''\n"),
	    "aiops.yaml:2: notify.route: root route must specify a default receiver",
	    "an empty receiver is none");
	is_str(build_err("notify:\n  receivers: [{name: a}]\n"),
	    "aiops.yaml:1: notify.route: no routing tree", "no route at all");
	is_str(build_err("notify:\n  route: ops\n"),
	    "aiops.yaml:2: notify.route: expected a YAML mapping or list",
	    "the schema: a tree is not a scalar");
	is_str(build_err("notify:\n  route: [ops]\n"),
	    "aiops.yaml:2: notify.route: expected a mapping", "a list for the route");
	is_str(build_err("notify:\n  receivers: [{name: a}, {name: a}]\n  route: {receiver: a}\n"),
	    "aiops.yaml:2: notify.receivers.1.name: 'a' is defined twice", "a receiver twice");
	is_str(build_err("notify:\n  receivers:\n    - name: a\n    - type: slack\n  route: {receiver: a}\n"),
	    "aiops.yaml:4: notify.receivers.1: expected a name", "a receiver without a name");
	is_str(build_err("notify:\n  receivers: [a]\n  route: {receiver: a}\n"),
	    "aiops.yaml:2: notify.receivers.0: expected a mapping", "a receiver not a mapping");
	is_str(build_err("notify:\n  receivers: {a: {type: slack}, b: {}}\n  route: {receiver: b}\n"),
	    "built", "receivers as a mapping by name");
	is_str(build_err("notify:\n  route:\n    receiver: nowhere\n"), "built",
	    "no receivers given: names are not checked");
}

/* The schema's notify keys, and a tree set from the environment. */
static void
test_schema(void)
{
	struct aiops_conf *cfg;
	struct aiops_route_tree *t;
	const struct aiops_conf_key *k = aiops_conf_key_find("notify.route");
	char why[128];

	ok(k != NULL && k->type == AIOPS_CONF_TREE, "notify.route is a tree");
	is_str(aiops_conf_type_name(AIOPS_CONF_TREE), "tree", "named tree");
	ok(k != NULL && aiops_conf_value(k, "{}", why, sizeof(why)) == NULL,
	    "a tree cannot be one text: %s", why);
	{
		static const char y[] =
		    "notify:\n  resolve_timeout: 5m\n  timezone: Europe/Paris\n  retention:\n"
		    "    sent: 30d\n    dead: 90d\n  external_url: http://x\n  max_line: 1MiB\n"
		    "  route: {receiver: a}\n  inhibit_rules: []\n  time_intervals: []\n"
		    "  receivers: [{name: a, anything: {goes: [1]}}]\n";

		cfg = aiops_conf_parse("aiops.yaml", y, sizeof(y) - 1, err, sizeof(err));
	}
	ok(cfg != NULL && aiops_conf_validate(cfg, "notify", err, sizeof(err)) == 0,
	    "every notify key checks: %s", err);
	ok(aiops_conf_duration(cfg, "notify.resolve_timeout", 0) == 300 * NS, "resolve_timeout");
	ok(aiops_conf_duration(cfg, "notify.retention.dead", 0) == 90 * 86400 * NS, "retention.dead");
	is_str(aiops_conf_string(cfg, "notify.timezone", NULL), "Europe/Paris", "timezone");
	ok(json_is_array(aiops_conf_get(cfg, "notify.receivers")), "a tree is left as loaded");
	aiops_conf_free(cfg);

	setenv("AIOPS__NOTIFY__ROUTE__RECEIVER", "from-env", 1);
	t = build("notify:\n  route:\n    receiver: ops\n    group_wait: 1m\n");
	ok(t != NULL, "a key inside a tree from the environment: %s", err);
	if (t != NULL)
		is_str(aiops_route_root(t)->receiver, "from-env", "overrides the file's");
	aiops_route_tree_free(t);
	setenv("AIOPS__NOTIFY__ROUTE__GROUP_WAIT", "never", 1);
	is_str(build_err("notify:\n  route:\n    receiver: ops\n"),
	    "AIOPS__NOTIFY__ROUTE__GROUP_WAIT: notify.route.group_wait: "
	    "expected a duration such as 30s, 5m, 4h", "and its error names the variable");
	unsetenv("AIOPS__NOTIFY__ROUTE__RECEIVER");
	unsetenv("AIOPS__NOTIFY__ROUTE__GROUP_WAIT");
}

static void
test_labels_text(void)
{
	json_t *l = json_object();
	char *s;

	json_object_set_new(l, "b", json_stringn_nocheck("a\xff\xc3(z", 5));
	json_object_set_new(l, "a", json_integer(3));
	json_object_set_new(l, "c", json_string("\xe2\x80\xa8\xef\xbb\xbf"));
	s = aiops_route_labels_text(l);
	is_str(s, "{a=\"3\", b=\"a\\xff\\xc3(z\", c=\"\\u2028\\ufeff\"}",
	    "bytes not UTF-8 as \\xNN, a number as its text, separators and BOM as \\u");
	free(s);
	s = aiops_route_labels_text(NULL);
	is_str(s, "{}", "no labels: {}");
	free(s);
	json_decref(l);
}

/* Trees built from JSON directly: types, and hostile shapes. */
static void
test_json_trees(void)
{
	json_t *root = json_pack("{s:s, s:b, s:i, s:[{s:s, s:[s]}]}", "receiver", "r",
	    "continue", 1, "group_wait", 45, "routes", "receiver", "x", "matchers", "a=\"1\"");
	json_t *deep, *node, *labels;
	struct aiops_route_tree *t = aiops_route_build(root, NULL, "route", NULL, NULL, err,
	    sizeof(err));
	const struct aiops_route **m;
	size_t i;

	ok(t != NULL, "JSON booleans and numbers (seconds) are taken: %s", err);
	if (t != NULL)
		is_int(aiops_route_root(t)->group_wait, 45 * NS, "45 is 45s");
	aiops_route_tree_free(t);
	json_decref(root);

	deep = json_pack("{s:s}", "receiver", "r");
	node = deep;
	for (i = 0; i < 100; i++) {
		json_t *child = json_pack("{s:[s]}", "matchers", "a=b");

		json_object_set_new(node, "routes", json_pack("[o]", child));
		node = child;
	}
	t = aiops_route_build(deep, NULL, "route", NULL, NULL, err, sizeof(err));
	ok(t == NULL && strstr(err, "routes nested too deeply") != NULL,
	    "100 levels are refused: %.80s", err);
	json_decref(deep);

	root = json_pack("{s:s, s:[]}", "receiver", "r", "routes");
	for (i = 0; i < 10000; i++)
		json_array_append_new(json_object_get(root, "routes"),
		    json_pack("{s:s, s:b}", "receiver", i % 2 ? "odd" : "even", "continue", 1));
	t = aiops_route_build(root, NULL, "route", NULL, NULL, err, sizeof(err));
	ok(t != NULL && aiops_route_count(t) == 10001, "10000 children build");
	if (t != NULL) {
		m = calloc(aiops_route_count(t), sizeof(*m));
		labels = json_object();
		is_int(aiops_route_match(t, labels, m), 10000, "and all match with continue");
		ok(m[9999] == aiops_route_at(t, 10000), "in order");
		free(m);
		json_decref(labels);
	}
	aiops_route_tree_free(t);
	json_decref(root);

	root = json_pack("{s:s, s:s}", "receiver", "r", "group_wait", "1h\0x");
	json_object_set_new(root, "group_wait", json_stringn("1h\0x", 4));
	t = aiops_route_build(root, NULL, "route", NULL, NULL, err, sizeof(err));
	is_str(t == NULL ? err : "built", "route.group_wait: expected a duration such as 30s, 5m, 4h",
	    "a NUL inside a duration");
	aiops_route_tree_free(t);
	json_decref(root);
}

int
main(void)
{
	test_am_keys();
	test_defaults();
	test_inherit();
	test_continue();
	test_errors();
	test_schema();
	test_labels_text();
	test_json_trees();
	return tap_done();
}
