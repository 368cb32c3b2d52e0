/*
 * fuzz_route.c: libFuzzer harness for lib/notify/route and inhibit, the
 * code that reads notify.route and notify.inhibit_rules, trees an
 * operator writes by hand.
 *
 * The input is split at the first NUL byte into a YAML configuration and
 * a JSON object of labels. The configuration is parsed and, for
 * aiops-notify, its receivers, time intervals, routing tree and inhibition
 * rules built. Checked: a failure fills err (a non-empty C string); a
 * built tree matches the labels to between 1 and count routes, each with
 * a receiver, a key that begins with its parent's and an id found again
 * by aiops_route_find(); the group key begins with the route's key; an
 * alert set in the inhibition set and unset again leaves the set empty.
 * Never a crash or a leak.
 */
#include "compat.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf.h"
#include "config/schema.h"
#include "notify/inhibit.h"
#include "notify/route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_err(const char *err, size_t len)
{
	if (memchr(err, '\0', len) == NULL || err[0] == '\0')
		abort();
}

static void
check_route(const struct aiops_route_tree *t, const struct aiops_route *r, const json_t *labels)
{
	char *gk;

	if (r->receiver == NULL || aiops_route_find(t, r->id) != r)
		abort();
	if (r->parent != NULL && strncmp(r->key, r->parent->key, strlen(r->parent->key)) != 0)
		abort();
	if (r->repeat_interval < r->repeat_interval_set || r->group_interval <= 0)
		abort();
	gk = aiops_route_group_key(r, labels);
	if (strncmp(gk, r->key, strlen(r->key)) != 0 || gk[strlen(r->key)] != ':')
		abort();
	free(gk);
}

static void
check_tree(const struct aiops_route_tree *t, const json_t *labels)
{
	const struct aiops_route **out = calloc(aiops_route_count(t), sizeof(*out));
	size_t n, i;

	if (out == NULL)
		abort();
	n = aiops_route_match(t, labels, out);
	if (n < 1 || n > aiops_route_count(t))
		abort();
	for (i = 0; i < n; i++)
		check_route(t, out[i], labels);
	for (i = 0; i < aiops_route_count(t); i++)
		if (aiops_route_at(t, i) == NULL)
			abort();
	free(out);
}

static void
check_inhibit(struct aiops_inhibit *ih, const json_t *labels)
{
	const char *by;
	size_t bylen;

	aiops_inhibit_set(ih, "a", 1, labels, 0);
	aiops_inhibit_set(ih, "b", 1, labels, 0);
	if (aiops_inhibit_muted(ih, labels, 0, &by, &bylen) && (bylen != 1 || (*by != 'a' && *by != 'b')))
		abort();
	aiops_inhibit_unset(ih, "a", 1);
	aiops_inhibit_unset(ih, "b", 1);
	if (aiops_inhibit_size(ih) != 0 || aiops_inhibit_muted(ih, labels, 0, NULL, NULL))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *z = memchr(p, '\0', size);
	size_t ylen = z ? (size_t)(z - p) : size;
	struct aiops_conf *cfg;
	struct aiops_route_tree *t;
	struct aiops_inhibit *ih;
	json_t *labels = NULL, *rx, *ti;
	char err[512];

	if (z != NULL)
		labels = json_loadb(z + 1, size - ylen - 1, 0, NULL);
	memset(err, 'x', sizeof(err));
	if ((cfg = aiops_conf_parse("fuzz.yaml", p, ylen, err, sizeof(err))) == NULL) {
		check_err(err, sizeof(err));
		json_decref(labels);
		return 0;
	}
	rx = aiops_route_names(aiops_conf_get(cfg, "notify.receivers"), cfg, "notify.receivers",
	    err, sizeof(err));
	ti = aiops_route_names(aiops_conf_get(cfg, "notify.time_intervals"), cfg,
	    "notify.time_intervals", err, sizeof(err));
	memset(err, 'x', sizeof(err));
	t = aiops_route_build(aiops_conf_get(cfg, "notify.route"), cfg, "notify.route", rx, ti,
	    err, sizeof(err));
	if (t == NULL)
		check_err(err, sizeof(err));
	else
		check_tree(t, labels);
	memset(err, 'x', sizeof(err));
	ih = aiops_inhibit_build(aiops_conf_get(cfg, "notify.inhibit_rules"), cfg,
	    "notify.inhibit_rules", err, sizeof(err));
	if (ih == NULL)
		check_err(err, sizeof(err));
	else
		check_inhibit(ih, labels);
	aiops_inhibit_free(ih);
	aiops_route_tree_free(t);
	json_decref(rx);
	json_decref(ti);
	json_decref(labels);
	aiops_conf_free(cfg);
	return 0;
}
