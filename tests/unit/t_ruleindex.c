/*
 * t_ruleindex.c: lib/run/ruleindex gives the same rules as trying every
 * rule: random rules (equals on strings, numbers, booleans, paths written
 * two ways, rules with no equals at all) against random events, and the
 * order of the rules kept.
 */
#include "compat.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "run/rule.h"
#include "run/ruleindex.h"
#include "tap.h"

static unsigned long seed = 7;

static unsigned
rnd(unsigned n)
{
	seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((seed >> 33) % n);
}

static const char *const types[] = { "alert", "prediction", "anomaly", "metric" };
static const char *const names[] = { "disk", "mem", "cpu", "net", "gpu" };

/* A criterion on a value from a small set, so that events match often. */
static void
add_criterion(json_t *crit)
{
	switch (rnd(7)) {
	case 0:
		json_object_set_new(crit, rnd(2) ? "type" : "trigger.type", json_pack("{s:s, s:s}",
		    "type", "equals", "pattern", types[rnd(4)]));
		break;
	case 1:
		json_object_set_new(crit, "name", json_pack("{s:s, s:s}", "type", "equals",
		    "pattern", names[rnd(5)]));
		break;
	case 2:
		json_object_set_new(crit, "value", json_pack("{s:s, s:f}", "type", "equals",
		    "pattern", (double)rnd(3)));
		break;
	case 3:
		json_object_set_new(crit, "labels.up", json_pack("{s:s, s:b}", "type", "equals",
		    "pattern", rnd(2)));
		break;
	case 4:
		json_object_set_new(crit, "value", json_pack("{s:s, s:i}", "type", "greaterthan",
		    "pattern", (int)rnd(3)));
		break;
	case 5:
		json_object_set_new(crit, "host", json_pack("{s:s, s:s}", "type", "startswith",
		    "pattern", rnd(2) ? "db" : "web"));
		break;
	default:
		json_object_set_new(crit, "name", json_pack("{s:s, s:s}", "type", "nequals",
		    "pattern", names[rnd(5)]));
	}
}

static json_t *
random_rules(size_t n)
{
	json_t *list = json_array(), *crit;
	char name[32];
	size_t i, k, nc;

	for (i = 0; i < n; i++) {
		crit = json_object();
		nc = rnd(4);	/* 0 criteria: matches every event */
		for (k = 0; k < nc; k++)
			add_criterion(crit);
		snprintf(name, sizeof(name), "r%zu", i);
		json_array_append_new(list, json_pack("{s:s, s:o, s:[s]}", "name", name,
		    "criteria", crit, "command", "true"));
	}
	return list;
}

static json_t *
random_event(void)
{
	json_t *ev = json_pack("{s:s, s:s, s:s}", "type", types[rnd(4)], "name", names[rnd(5)],
	    "host", rnd(2) ? "db-1" : "web-2");

	switch (rnd(4)) {
	case 0:
		json_object_set_new(ev, "value", json_integer(rnd(3)));
		break;
	case 1:
		json_object_set_new(ev, "value", json_real(rnd(3)));
		break;
	case 2:
		json_object_set_new(ev, "value", json_string("1"));
		break;
	}
	if (rnd(2))
		json_object_set_new(ev, "labels", json_pack("{s:b}", "up", rnd(2)));
	return ev;
}

int
main(void)
{
	struct aiops_rule_defaults d = { NULL, 60000000000LL };
	struct aiops_ruleset rs;
	struct aiops_rule_index *x;
	size_t *cand, n, i, k, got, want, bad = 0, tried = 0, all = 0;
	json_t *rules, *ev;
	char err[512];
	int round;

	for (round = 0; round < 20; round++) {
		rules = random_rules(10 + rnd(200));
		ok(aiops_rules_build(rules, &d, &rs, err, sizeof(err)) == 0, "round %d: rules build (%s)",
		    round, err);
		x = aiops_rule_index_new(&rs);
		cand = xcalloc(rs.n + 1, sizeof(*cand));
		for (k = 0; k < 500; k++) {
			ev = random_event();
			n = aiops_rule_index_candidates(x, ev, cand);
			tried += n;
			all += rs.n;
			/* The matching rules, in order, both ways. */
			for (i = 0, got = 0, want = 0; i < rs.n; i++)
				want += aiops_rule_matches(rs.v[i], ev, 0) ? i + 1 : 0;
			for (i = 0; i < n; i++) {
				if (i > 0 && cand[i] <= cand[i - 1])
					bad++;	/* out of order or twice */
				got += aiops_rule_matches(rs.v[cand[i]], ev, 0) ? cand[i] + 1 : 0;
			}
			for (i = 0; i < rs.n; i++) {
				int in = 0;
				size_t j;

				for (j = 0; j < n; j++)
					in |= cand[j] == i;
				if (!in && aiops_rule_matches(rs.v[i], ev, 0))
					bad++;	/* a matching rule left out */
			}
			if (got != want)
				bad++;
			json_decref(ev);
		}
		free(cand);
		aiops_rule_index_free(x);
		aiops_rules_free(&rs);
		json_decref(rules);
	}
	is_int(bad, 0, "10,000 events against 20 random rule sets: the same rules, in order");
	/* A quarter of the rules have no criterion, more no equals: they are always tried. */
	ok(tried < all * 3 / 4, "the index tries fewer rules: %zu of %zu", tried, all);
	return tap_done();
}
