/*
 * fuzz_rules.c: libFuzzer harness for lib/run/rule and ruleindex, the
 * code that reads run.rules, a tree an operator writes by hand, and turns
 * events, which anyone may send, into argv.
 *
 * The input is split at the first NUL byte into a YAML configuration and
 * a JSON event. The rules are built; then, for the event, the rules the
 * index offers must be exactly those that match when each is tried, in
 * rule order; each match is rendered, and a rendered action must have no
 * argv element that is empty (the program), holds "<no value>" or starts
 * with '-' where its rule's text does not (checked through the command's
 * first element here: a program never renders as an option). A failure
 * fills err (a non-empty C string). Never a crash or a leak.
 */
#include "compat.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf.h"
#include "run/rule.h"
#include "run/ruleindex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_err(const char *err, size_t len)
{
	if (memchr(err, '\0', len) == NULL || err[0] == '\0')
		abort();
}

static void
check_spec(const json_t *spec)
{
	const json_t *argv = json_object_get(spec, "argv"), *v;
	char err[256], **built;
	size_t i;

	json_array_foreach(argv, i, v) {
		const char *s = json_string_value(v);

		if (s == NULL || strstr(s, "<no value>") != NULL || (i == 0 && (*s == '\0' ||
		    *s == '-')))
			abort();
	}
	built = aiops_spec_argv(spec, NULL, "/vars.json", 1, err, sizeof(err));
	if (built == NULL)
		check_err(err, sizeof(err));
	aiops_argv_free(built);
}

static void
check_event(const struct aiops_ruleset *rs, json_t *ev)
{
	struct aiops_rule_index *x = aiops_rule_index_new(rs);
	size_t *cand = calloc(rs->n + 1, sizeof(*cand)), n, i, k = 0;
	struct aiops_rule_task t;
	char err[768];

	if (cand == NULL)
		abort();
	n = aiops_rule_index_candidates(x, ev, cand);
	for (i = 0; i < rs->n; i++) {
		int m = aiops_rule_matches(rs->v[i], ev, 0);

		while (k < n && cand[k] < i)
			k++;	/* a candidate that does not match */
		if (m && (k == n || cand[k] != i))
			abort();	/* a match the index left out */
		if (!m)
			continue;
		memset(err, 'x', sizeof(err));
		if (aiops_rule_render(rs->v[i], ev, 0, &t, err, sizeof(err)) == -1) {
			check_err(err, sizeof(err));
			continue;
		}
		if (t.target == NULL || t.spec == NULL)
			abort();
		check_spec(t.spec);
		aiops_rule_task_release(&t);
	}
	for (i = 1; i < n; i++)
		if (cand[i] <= cand[i - 1])
			abort();
	free(cand);
	aiops_rule_index_free(x);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *z = memchr(p, '\0', size);
	size_t ylen = z ? (size_t)(z - p) : size;
	struct aiops_rule_defaults d = { "/playbooks", 60000000000LL };
	struct aiops_ruleset rs;
	struct aiops_conf *cfg;
	json_t *ev = NULL;
	char err[1024];

	if (z != NULL)
		ev = json_loadb(z + 1, size - ylen - 1, 0, NULL);
	memset(err, 'x', sizeof(err));
	if ((cfg = aiops_conf_parse("fuzz.yaml", p, ylen, err, sizeof(err))) == NULL) {
		check_err(err, sizeof(err));
		json_decref(ev);
		return 0;
	}
	memset(err, 'x', sizeof(err));
	if (aiops_rules_build(aiops_conf_get(cfg, "run.rules"), &d, &rs, err, sizeof(err)) == -1)
		check_err(err, sizeof(err));
	else {
		if (json_is_object(ev))
			check_event(&rs, ev);
		aiops_rules_free(&rs);
	}
	json_decref(ev);
	aiops_conf_free(cfg);
	return 0;
}
