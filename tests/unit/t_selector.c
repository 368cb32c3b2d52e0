/*
 * t_selector.c: lib/match/selector, Kubernetes label selectors: each kind
 * of requirement, absent labels, several requirements, spaces, and the
 * errors with where they are.
 */
#include "compat.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "match/selector.h"
#include "tap.h"

/* Does selector text match the labels of JSON object text? -1: it does not parse. */
static int
m(const char *text, const char *labels)
{
	json_t *l = json_loads(labels, 0, NULL);
	struct aiops_selector *s;
	char err[256];
	int r;

	if ((s = aiops_selector_parse(text, err, sizeof(err))) == NULL) {
		json_decref(l);
		return -1;
	}
	r = aiops_selector_matches(s, l);
	aiops_selector_free(s);
	json_decref(l);
	return r;
}

static void
test_requirements(void)
{
	const char *gpu = "{\"tier\":\"gpu\",\"region\":\"eu-west\",\"team\":\"ml\"}";

	is_int(m("", gpu), 1, "the empty selector matches");
	is_int(m("  ", "{}"), 1, "spaces only match too");
	is_int(m("tier=gpu", gpu), 1, "k=v");
	is_int(m("tier==gpu", gpu), 1, "k==v");
	is_int(m("tier=cpu", gpu), 0, "k=v, another value");
	is_int(m("zone=a", gpu), 0, "k=v, no such label");
	is_int(m("tier!=cpu", gpu), 1, "k!=v");
	is_int(m("tier!=gpu", gpu), 0, "k!=v, that value");
	is_int(m("zone!=a", gpu), 1, "k!=v holds without the label");
	is_int(m("region in (eu-west, us-east)", gpu), 1, "in");
	is_int(m("region in (us-east)", gpu), 0, "in, not among");
	is_int(m("zone in (a,b)", gpu), 0, "in, no such label");
	is_int(m("region notin (us-east,ap-south)", gpu), 1, "notin");
	is_int(m("region notin (eu-west)", gpu), 0, "notin, among");
	is_int(m("zone notin (a)", gpu), 1, "notin holds without the label");
	is_int(m("team", gpu), 1, "exists");
	is_int(m("zone", gpu), 0, "exists, no such label");
	is_int(m("!zone", gpu), 1, "!k");
	is_int(m("!team", gpu), 0, "!k, present");
	is_int(m("tier=gpu,region in (eu-west),!zone,team!=web", gpu), 1, "all of four");
	is_int(m("tier=gpu, region in (us-east)", gpu), 0, "one of two fails");
	is_int(m(" tier = gpu , team ", gpu), 1, "spaces around words");
	is_int(m("region in(eu-west)", gpu), 1, "in right before (");
	is_int(m("tier=", "{\"tier\":\"\"}"), 1, "an empty value");
	is_int(m("app.kubernetes.io/name=web", "{\"app.kubernetes.io/name\":\"web\"}"), 1,
	    "a prefixed key");
}

static void
err_is(const char *text, const char *want)
{
	char err[256] = "";
	struct aiops_selector *s = aiops_selector_parse(text, err, sizeof(err));

	ok(s == NULL && strcmp(err, want) == 0, "'%s': %s", text, want);
	if (s != NULL || strcmp(err, want) != 0)
		printf("#   got: %s\n", s ? "(parsed)" : err);
	aiops_selector_free(s);
}

static void
test_errors(void)
{
	char longv[80];

	err_is("=v", "a label key expected, at byte 1");
	err_is("k=v,", "a label key expected, at byte 5");
	err_is("k=v x", "',' expected between requirements, at byte 5");
	err_is("k in a", "'(' expected after in or notin, at byte 6");
	err_is("k in (a b)", "',' or ')' expected in a set of values, at byte 9");
	err_is("k in (a", "',' or ')' expected in a set of values, at byte 8");
	err_is("k < 3", "=, ==, !=, in or notin expected after a label key, at byte 3");
	err_is("k=v=w", "',' expected between requirements, at byte 4");
	err_is("!", "a label key expected, at byte 2");
	memset(longv, 'a', 64);
	longv[64] = '\0';
	{
		char text[100];

		snprintf(text, sizeof(text), "k=%s", longv);
		err_is(text, "a label value too long, at byte 3");
	}
	is_int(aiops_selector_valid_key("a/b.c-d_e"), 1, "a valid key");
	is_int(aiops_selector_valid_key(""), 0, "an empty key");
	is_int(aiops_selector_valid_key("a b"), 0, "a key with a space");
	is_int(aiops_selector_valid_value(""), 1, "an empty value");
	is_int(aiops_selector_valid_value("a/b"), 0, "a value with a slash");
	is_int(aiops_selector_valid_value(longv), 0, "a value of 64 bytes");
}

int
main(void)
{
	test_requirements();
	test_errors();
	return tap_done();
}
