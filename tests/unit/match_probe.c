/*
 * match_probe: answers for lib/match in tests/match.bats, which asks the
 * real amtool the same question. Not a unit test itself.
 *
 * Usage: match_probe [-c] [-t] SPEC [EVENT [NOW_NS]]
 *   SPEC    Alertmanager matchers text, or with -c StackStorm criteria JSON
 *   EVENT   a JSON object: the labels, or with -c the event (default {})
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

int
main(int argc, char **argv)
{
	struct aiops_match *m;
	json_t *crit = NULL, *ev;
	json_error_t jerr;
	char err[512], *txt;
	int ch, cflag = 0, tflag = 0, r;
	long long now = 0;

	while ((ch = getopt(argc, argv, "ct")) != -1)
		switch (ch) {
		case 'c': cflag = 1; break;
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
	if ((ev = json_loads(argc > 1 ? argv[1] : "{}", 0, &jerr)) == NULL) {
		printf("error: event JSON: %s\n", jerr.text);
		aiops_match_free(m);
		return 2;
	}
	if (argc > 2)
		now = strtoll(argv[2], NULL, 10);
	r = aiops_match_eval(m, ev, (int64_t)now);
	printf("%s\n", r ? "hit" : "miss");
	json_decref(ev);
	aiops_match_free(m);
	return 0;
}
