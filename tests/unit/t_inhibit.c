/*
 * t_inhibit: lib/notify/inhibit, Alertmanager's inhibition rules
 * (inhibit/inhibit.go), and its cost with 100,000 firing alerts.
 */
#include "compat.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/conf.h"
#include "notify/inhibit.h"
#include "tap.h"

static char err[1024];

/* The rules of notify.inhibit_rules in yaml, or NULL with err. */
static struct aiops_inhibit *
build(const char *yaml)
{
	struct aiops_conf *cfg;
	struct aiops_inhibit *ih;

	err[0] = '\0';
	if ((cfg = aiops_conf_parse("aiops.yaml", yaml, strlen(yaml), err, sizeof(err))) == NULL)
		return NULL;
	ih = aiops_inhibit_build(aiops_conf_get(cfg, "notify.inhibit_rules"), cfg,
	    "notify.inhibit_rules", err, sizeof(err));
	aiops_conf_free(cfg);
	return ih;
}

static const char *
build_err(const char *yaml)
{
	struct aiops_inhibit *ih = build(yaml);

	aiops_inhibit_free(ih);
	return ih != NULL ? "built" : err;
}

static void
fire(struct aiops_inhibit *ih, const char *id, const char *labels_json)
{
	json_t *l = json_loads(labels_json, 0, NULL);

	if (l == NULL)
		printf("# bad test JSON: %s\n", labels_json);
	aiops_inhibit_set(ih, id, strlen(id), l, 0);
	json_decref(l);
}

/* "muted by ID", or "not muted". */
static const char *
muted(const struct aiops_inhibit *ih, const char *labels_json)
{
	static char out[256];
	json_t *l = json_loads(labels_json, 0, NULL);
	const char *by = NULL;
	size_t bylen = 0;

	if (aiops_inhibit_muted(ih, l, 0, &by, &bylen))
		snprintf(out, sizeof(out), "muted by %.*s", (int)bylen, by);
	else
		snprintf(out, sizeof(out), "not muted");
	json_decref(l);
	return out;
}

/* Sets a source that ends at `end` (ns). */
static void
fire_until(struct aiops_inhibit *ih, const char *id, int64_t end)
{
	json_t *l = json_pack("{s:s, s:s}", "severity", "critical", "cluster", id);

	aiops_inhibit_set(ih, id, strlen(id), l, end);
	json_decref(l);
}

static int
muted_at(const struct aiops_inhibit *ih, const char *cluster, int64_t now)
{
	json_t *l = json_pack("{s:s, s:s}", "severity", "warning", "cluster", cluster);
	int m = aiops_inhibit_muted(ih, l, now, NULL, NULL);

	json_decref(l);
	return m;
}

static const char *const rules_yaml =
    "notify:\n"
    "  inhibit_rules:\n"
    "    - source_matchers: [severity=critical]\n"
    "      target_matchers: ['severity=~\"warning|info\"']\n"
    "      equal: [cluster, service]\n"
    "    - source_match: {alertname: NodeDown}\n"
    "      target_match_re: {alertname: 'Node.*'}\n"
    "      equal: [instance]\n";

/* A source mutes until its end; the ends pass in order, once each. */
static void
test_ends(void)
{
	struct aiops_inhibit *ih = build("notify:\n  inhibit_rules:\n"
	    "    - source_matchers: [severity=critical]\n"
	    "      target_matchers: [severity=warning]\n      equal: [cluster]\n");
	size_t i;

	if (ih == NULL)
		return;
	fire_until(ih, "a", 100);
	fire_until(ih, "b", 300);
	fire_until(ih, "c", 0);
	ok(muted_at(ih, "a", 99) && !muted_at(ih, "a", 100),
	    "a source mutes before its end, not at it (before any expiry)");
	fire_until(ih, "b", 500);	/* sent again: its first end is stale */
	is_int(aiops_inhibit_expire(ih, 50), 0, "nothing ended at 50");
	is_int(aiops_inhibit_expire(ih, 300), 1, "at 300: a ended, b's old end is stale");
	is_int(aiops_inhibit_size(ih), 2, "b and c left");
	ok(muted_at(ih, "b", 400), "b mutes until its new end");
	is_int(aiops_inhibit_expire(ih, 1000), 1, "b ends at 500");
	ok(muted_at(ih, "c", 1000000), "c has no end");
	aiops_inhibit_unset(ih, "c", 1);
	/* Many ends out of order come off in order. */
	for (i = 0; i < 1000; i++) {
		char id[16];

		snprintf(id, sizeof(id), "s%zu", i);
		fire_until(ih, id, (int64_t)((i * 7919) % 1000) + 1);
	}
	is_int(aiops_inhibit_expire(ih, 500), 500, "1,000 ends: 500 by 500");
	is_int(aiops_inhibit_expire(ih, 1000), 500, "the rest by 1,000");
	is_int(aiops_inhibit_size(ih), 0, "none left");
	/* Sent again and again with a later end: the stale ends are dropped
	 * as they pile up, and only the last one counts. */
	for (i = 0; i < 5000; i++)
		fire_until(ih, "r", 2000 + (int64_t)i);
	fire_until(ih, "s", 3000);
	fire_until(ih, "s", 3000);
	is_int(aiops_inhibit_expire(ih, 6998), 1, "5,000 ends of one alert: none ends early; s at 3,000");
	ok(muted_at(ih, "r", 6998), "r mutes until its last end");
	is_int(aiops_inhibit_expire(ih, 6999), 1, "and ends there, once");
	is_int(aiops_inhibit_size(ih), 0, "none left again");
	aiops_inhibit_free(ih);
}

static void
test_rules(void)
{
	struct aiops_inhibit *ih = build(rules_yaml);

	ok(ih != NULL, "rules build: %s", err);
	if (ih == NULL)
		return;
	is_int(aiops_inhibit_rules(ih), 2, "two rules");
	is_str(muted(ih, "{\"severity\":\"warning\",\"cluster\":\"c1\",\"service\":\"db\"}"),
	    "not muted", "no firing alerts: nothing is muted");
	fire(ih, "crit-c1-db", "{\"severity\":\"critical\",\"cluster\":\"c1\",\"service\":\"db\"}");
	is_int(aiops_inhibit_size(ih), 1, "one firing alert");
	is_str(muted(ih, "{\"severity\":\"warning\",\"cluster\":\"c1\",\"service\":\"db\",\"x\":\"y\"}"),
	    "muted by crit-c1-db", "a warning with the same cluster and service");
	is_str(muted(ih, "{\"severity\":\"warning\",\"cluster\":\"c2\",\"service\":\"db\"}"),
	    "not muted", "another cluster");
	is_str(muted(ih, "{\"severity\":\"critical\",\"cluster\":\"c1\",\"service\":\"db\"}"),
	    "not muted", "the target side does not match a critical");
	is_str(muted(ih, "{\"severity\":\"warning\",\"cluster\":\"c1\"}"), "not muted",
	    "a missing service is \"\", not db");

	fire(ih, "crit-c3", "{\"severity\":\"critical\",\"cluster\":\"c3\"}");
	is_str(muted(ih, "{\"severity\":\"info\",\"cluster\":\"c3\"}"), "muted by crit-c3",
	    "equal labels missing on both sides are equal (\"\")");
	is_str(muted(ih, "{\"severity\":\"info\",\"cluster\":\"c3\",\"service\":\"\"}"),
	    "muted by crit-c3", "missing equals empty");
	is_str(muted(ih, "{\"severity\":\"info\",\"cluster\":\"c3\",\"service\":\"web\"}"),
	    "not muted", "but not a value");

	ok(aiops_inhibit_unset(ih, "crit-c1-db", 10) == 1, "the source resolves");
	ok(aiops_inhibit_unset(ih, "crit-c1-db", 10) == 0, "twice is a no-op");
	is_str(muted(ih, "{\"severity\":\"warning\",\"cluster\":\"c1\",\"service\":\"db\"}"),
	    "not muted", "its targets are no longer muted");

	fire(ih, "down-h1", "{\"alertname\":\"NodeDown\",\"instance\":\"h1\"}");
	is_str(muted(ih, "{\"alertname\":\"NodeFilesystemFull\",\"instance\":\"h1\"}"),
	    "muted by down-h1", "the deprecated match and match_re forms");
	is_str(muted(ih, "{\"alertname\":\"DiskFull\",\"instance\":\"h1\"}"), "not muted",
	    "match_re is anchored");
	is_str(muted(ih, "{\"alertname\":\"NodeDown\",\"instance\":\"h1\"}"), "not muted",
	    "an alert matching both sides is not muted by itself");
	fire(ih, "down-h1", "{\"alertname\":\"NodeDown\",\"instance\":\"h2\"}");
	is_int(aiops_inhibit_size(ih), 2, "set again: replaced, not added");
	is_str(muted(ih, "{\"alertname\":\"NodeFilesystemFull\",\"instance\":\"h1\"}"),
	    "not muted", "its new labels count, not its old ones");
	aiops_inhibit_free(ih);
}

/* inhibit.go: a both-sides alert is not muted by sources that match both sides. */
static void
test_both_sides(void)
{
	struct aiops_inhibit *ih = build(
	    "notify:\n"
	    "  inhibit_rules:\n"
	    "    - source_matchers: ['severity=~\"critical|warning\"']\n"
	    "      target_matchers: ['severity=~\"warning|info\"']\n"
	    "      equal: [host]\n");

	ok(ih != NULL, "an overlapping rule builds: %s", err);
	if (ih == NULL)
		return;
	fire(ih, "w1", "{\"severity\":\"warning\",\"host\":\"a\"}");
	fire(ih, "w2", "{\"severity\":\"warning\",\"host\":\"a\",\"n\":\"2\"}");
	is_str(muted(ih, "{\"severity\":\"warning\",\"host\":\"a\"}"), "not muted",
	    "two warnings (both sides) do not mute each other");
	is_str(muted(ih, "{\"severity\":\"info\",\"host\":\"a\"}"), "muted by w2",
	    "but a target-only alert is muted by either");
	fire(ih, "c1", "{\"severity\":\"critical\",\"host\":\"a\"}");
	is_str(muted(ih, "{\"severity\":\"warning\",\"host\":\"a\"}"), "muted by c1",
	    "a source-only alert mutes the warning");
	is_str(muted(ih, "{\"severity\":\"warning\",\"host\":\"b\"}"), "not muted",
	    "on its host only");
	aiops_inhibit_unset(ih, "c1", 2);
	is_str(muted(ih, "{\"severity\":\"warning\",\"host\":\"a\"}"), "not muted",
	    "without it, the warnings are back");
	aiops_inhibit_free(ih);

	ih = build("notify:\n  inhibit_rules:\n    - target_matchers: [a=b]\n");
	fire(ih, "x", "{\"c\":\"d\"}");
	is_str(muted(ih, "{\"a\":\"b\"}"), "muted by x",
	    "no source matchers, no equal: any firing alert mutes the targets");
	is_str(muted(ih, "{\"a\":\"c\"}"), "not muted", "and only them");
	aiops_inhibit_free(ih);
}

static void
test_errors(void)
{
	is_str(build_err("notify:\n  inhibit_rules:\n    - source_matchers: ['a=~\"(\"']\n"),
	    "aiops.yaml:3: notify.inhibit_rules.0.source_matchers.0: matcher 'a=~\"(\"': "
	    "missing closing parenthesis at column 6", "a bad matcher, at its item");
	is_str(build_err("notify:\n  inhibit_rules:\n    - {}\n    - target_matchers: [a=b]\n"
	    "      equals: [x]\n"),
	    "aiops.yaml:5: notify.inhibit_rules.1.equals: unknown field 'equals'", "an unknown field");
	is_str(build_err("notify:\n  inhibit_rules:\n    - equal: x\n"),
	    "aiops.yaml:3: notify.inhibit_rules.0.equal: expected a list of label names",
	    "equal not a list");
	is_str(build_err("notify:\n  inhibit_rules:\n    - equal: [a, '']\n"),
	    "aiops.yaml:3: notify.inhibit_rules.0.equal.1: invalid label name", "an empty name");
	is_str(build_err("notify:\n  inhibit_rules:\n    - target_match: {a: [1]}\n"),
	    "aiops.yaml:3: notify.inhibit_rules.0.target_match.a: expected a string",
	    "a bad target_match");
	is_str(build_err("notify:\n  inhibit_rules: {a: 1}\n"),
	    "aiops.yaml:2: notify.inhibit_rules: expected a list of rules", "not a list");
	is_str(build_err("notify:\n  inhibit_rules: [x]\n"),
	    "aiops.yaml:2: notify.inhibit_rules.0: expected a mapping", "a rule not a mapping");
	is_str(build_err("notify:\n  route: {receiver: a}\n"), "built", "no rules");
}

/* A deterministic generator, so the run is the same each time. */
static unsigned long long rng = 88172645463325252ULL;

static unsigned
next_rand(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * 100,000 firing alerts over 2,000 hosts, a tenth of them critical; every
 * alert is checked. The expected answer is counted independently: a
 * non-critical alert is muted when its host has a critical one.
 */
static void
test_scale(void)
{
	enum { N = 100000, HOSTS = 2000 };
	struct aiops_inhibit *ih = build(
	    "notify:\n"
	    "  inhibit_rules:\n"
	    "    - source_matchers: [severity=critical]\n"
	    "      target_matchers: [severity!=critical]\n"
	    "      equal: [host, cluster]\n"
	    "    - source_matchers: [alertname=ClusterDown]\n"
	    "      target_matchers: [alertname!=ClusterDown]\n"
	    "      equal: [cluster]\n");
	static char crit_host[HOSTS];
	json_t **labels = calloc(N, sizeof(*labels));
	char id[32], host[32];
	size_t i, want = 0, got = 0, ncrit = 0;
	double t0, t_add, t_check;

	if (ih == NULL || labels == NULL) {
		ok(0, "scale setup: %s", err);
		return;
	}
	for (i = 0; i < N; i++) {
		unsigned h = next_rand(HOSTS), crit = next_rand(10) == 0;

		snprintf(host, sizeof(host), "host%u", h);
		labels[i] = json_pack("{s:s, s:s, s:s, s:s}", "alertname", crit ? "Down" : "Slow",
		    "host", host, "cluster", "c1", "severity", crit ? "critical" : "warning");
		if (crit)
			crit_host[h] = 1;
		ncrit += crit;
	}
	for (i = 0; i < N; i++) {
		const char *h = json_string_value(json_object_get(labels[i], "host"));

		if (strcmp(json_string_value(json_object_get(labels[i], "severity")), "critical") != 0 &&
		    crit_host[atoi(h + 4)])
			want++;
	}
	t0 = now_s();
	for (i = 0; i < N; i++) {
		snprintf(id, sizeof(id), "%016zx", i);
		aiops_inhibit_set(ih, id, strlen(id), labels[i], 0);
	}
	t_add = now_s() - t0;
	t0 = now_s();
	for (i = 0; i < N; i++)
		got += (size_t)aiops_inhibit_muted(ih, labels[i], 0, NULL, NULL);
	t_check = now_s() - t0;
	is_int(aiops_inhibit_size(ih), ncrit, "of 100,000 firing alerts, the sources are kept");
	is_int(got, want, "every check right (%zu muted)", want);
	ok(t_add < 1.0, "added in %.3f s", t_add);
	ok(t_check < 1.0, "checked in %.3f s", t_check);
	printf("# add %.0f/s, check %.0f/s\n", N / t_add, N / t_check);

	/* Resolve every critical alert: nothing stays muted; the maps shrink. */
	t0 = now_s();
	for (i = 0; i < N; i++) {
		snprintf(id, sizeof(id), "%016zx", i);
		if (strcmp(json_string_value(json_object_get(labels[i], "severity")), "critical") == 0)
			aiops_inhibit_unset(ih, id, strlen(id));
	}
	got = 0;
	for (i = 0; i < N; i++)
		got += (size_t)aiops_inhibit_muted(ih, labels[i], 0, NULL, NULL);
	is_int(got, 0, "all sources resolved: nothing muted");
	ok(now_s() - t0 < 1.0, "resolved and checked again in %.3f s", now_s() - t0);
	fire(ih, "cluster", "{\"alertname\":\"ClusterDown\",\"cluster\":\"c1\"}");
	got = 0;
	for (i = 0; i < N; i++)
		got += (size_t)aiops_inhibit_muted(ih, labels[i], 0, NULL, NULL);
	is_int(got, N, "one ClusterDown mutes every other alert, resolved ones checked too");
	for (i = 0; i < N; i++)
		json_decref(labels[i]);
	free(labels);
	aiops_inhibit_free(ih);
}

int
main(void)
{
	test_rules();
	test_ends();
	test_both_sides();
	test_errors();
	test_scale();
	return tap_done();
}
