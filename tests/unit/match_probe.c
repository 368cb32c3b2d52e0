/*
 * match_probe: answers for lib/match in tests/match.bats, which asks the
 * real amtool the same question. Not a unit test itself.
 *
 * Usage: match_probe [-c] [-t] SPEC [EVENT [NOW_NS]]
 *        match_probe -l [-t] SPEC [LABEL...]
 *   SPEC    Alertmanager matchers text, or with -c StackStorm criteria JSON
 *   EVENT   a JSON object: the labels, or with -c the event (default {})
 *   -l      the labels are arguments name="value", as amtool takes them
 *           (read with our own parser, `=` only)
 *   -t      print the canonical text of SPEC first
 * Prints "hit" or "miss"; an invalid SPEC prints "error: ..." on stdout
 * and exits 2.
 */
#include "compat.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "match/matcher.h"

/* Labels from name="value" arguments; NULL (message printed) if one is bad. */
static json_t *
labels_from_args(int argc, char **argv)
{
	json_t *labels = json_object(), *sil, *o;
	struct aiops_match *m;
	char err[512];
	size_t k;
	int i;

	for (i = 0; i < argc; i++) {
		if ((m = aiops_match_parse(argv[i], strlen(argv[i]), err, sizeof(err))) == NULL) {
			printf("error: label: %s\n", err);
			json_decref(labels);
			return NULL;
		}
		sil = aiops_match_to_silence(m);
		json_array_foreach(sil, k, o) {
			if (json_is_true(json_object_get(o, "isRegex")) ||
			    json_is_false(json_object_get(o, "isEqual"))) {
				printf("error: label %s: not name=value\n", argv[i]);
				json_decref(labels);
				labels = NULL;
				break;
			}
			json_object_set(labels, json_string_value(json_object_get(o, "name")),
			    json_object_get(o, "value"));
		}
		json_decref(sil);
		aiops_match_free(m);
		if (labels == NULL)
			return NULL;
	}
	return labels;
}

int
main(int argc, char **argv)
{
	struct aiops_match *m;
	json_t *crit = NULL, *ev;
	json_error_t jerr;
	char err[512], *txt;
	int ch, cflag = 0, lflag = 0, tflag = 0, r;
	long long now = 0;

	while ((ch = getopt(argc, argv, "clt")) != -1)
		switch (ch) {
		case 'c': cflag = 1; break;
		case 'l': lflag = 1; break;
		case 't': tflag = 1; break;
		default: return 64;
		}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return 64;
	if (cflag) {
		if ((crit = json_loads(argv[0], 0, &jerr)) == NULL) {
			printf("error: criteria JSON: %s\n", jerr.text);
			return 2;
		}
		m = aiops_match_criteria(crit, err, sizeof(err));
		json_decref(crit);
	} else
		m = aiops_match_parse(argv[0], strlen(argv[0]), err, sizeof(err));
	if (m == NULL) {
		printf("error: %s\n", err);
		return 2;
	}
	if (tflag) {
		txt = aiops_match_to_text(m, 0);
		printf("%s\n", txt);
		free(txt);
	}
	if (lflag) {
		if ((ev = labels_from_args(argc - 1, argv + 1)) == NULL) {
			aiops_match_free(m);
			return 2;
		}
	} else if ((ev = json_loads(argc > 1 ? argv[1] : "{}", 0, &jerr)) == NULL) {
		printf("error: event JSON: %s\n", jerr.text);
		aiops_match_free(m);
		return 2;
	}
	if (!lflag && argc > 2)
		now = strtoll(argv[2], NULL, 10);
	r = aiops_match_eval(m, ev, (int64_t)now);
	printf("%s\n", r ? "hit" : "miss");
	json_decref(ev);
	aiops_match_free(m);
	return 0;
}
