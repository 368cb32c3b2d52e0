/*
 * route_probe: names the receivers our routing tree gives an alert, for
 * tests/route.bats, which asks the real amtool the same question. Not a
 * unit test itself.
 *
 * Usage: route_probe [-k] CONFIG [NAME=VALUE...]
 *   CONFIG  an aiops.yaml with notify.route (and notify.receivers)
 *   -k      print each route's group key for the labels instead, one a line
 * Prints the receivers comma-separated, in order, as `amtool config routes
 * test` does. A configuration error prints "error: ..." and exits 2.
 */
#include "compat.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/conf.h"
#include "config/schema.h"
#include "notify/route.h"

static struct aiops_route_tree *
load(const char *file, char *err, size_t errlen)
{
	struct aiops_conf *cfg = aiops_conf_load(file, err, errlen);
	struct aiops_route_tree *t = NULL;
	json_t *rx = NULL, *ti = NULL;

	if (cfg == NULL)
		return NULL;
	if (aiops_conf_validate(cfg, "notify", err, errlen) == 0 &&
	    (rx = aiops_route_names(aiops_conf_get(cfg, "notify.receivers"), cfg,
	    "notify.receivers", err, errlen)) != NULL &&
	    (ti = aiops_route_names(aiops_conf_get(cfg, "notify.time_intervals"), cfg,
	    "notify.time_intervals", err, errlen)) != NULL)
		t = aiops_route_build(aiops_conf_get(cfg, "notify.route"), cfg, "notify.route", rx,
		    ti, err, errlen);
	json_decref(rx);
	json_decref(ti);
	aiops_conf_free(cfg);
	return t;
}

int
main(int argc, char **argv)
{
	struct aiops_route_tree *t;
	const struct aiops_route **out;
	json_t *labels;
	char err[1024];
	size_t n, i;
	int ch, kflag = 0, a;

	while ((ch = getopt(argc, argv, "k")) != -1)
		switch (ch) {
		case 'k': kflag = 1; break;
		default: return 64;
		}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return 64;
	if ((t = load(argv[0], err, sizeof(err))) == NULL) {
		printf("error: %s\n", err);
		return 2;
	}
	labels = json_object();
	for (a = 1; a < argc; a++) {
		char *eq = strchr(argv[a], '=');

		if (eq == NULL)
			return 64;
		*eq = '\0';
		json_object_set_new(labels, argv[a], json_string(eq + 1));
	}
	out = calloc(aiops_route_count(t), sizeof(*out));
	n = aiops_route_match(t, labels, out);
	for (i = 0; i < n; i++) {
		if (kflag) {
			char *k = aiops_route_group_key(out[i], labels);

			printf("%s\n", k);
			free(k);
		} else
			printf("%s%s", i ? "," : "", out[i]->receiver);
	}
	if (!kflag)
		printf("\n");
	free(out);
	json_decref(labels);
	aiops_route_tree_free(t);
	return 0;
}
