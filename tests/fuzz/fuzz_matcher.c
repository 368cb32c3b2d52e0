/*
 * fuzz_matcher.c: libFuzzer harness for lib/match/matcher.
 *
 * The input is split at NUL bytes into a matcher text, a JSON criteria
 * document and a JSON event. The matcher text, when it parses, must print
 * a canonical text that parses back to the same text (plain, bare and
 * sorted), go through the silence JSON and back unchanged, and evaluate
 * the same as the original against the event. The criteria, when they
 * build, must print JSON that builds back to the same text and evaluates
 * the same. Never a crash or a leak (ASan's leak check runs at exit).
 */
#include "compat.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "match/matcher.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A parse of text that must succeed and give back text exactly. */
static void
reparse(const char *text, int flags, const json_t *labels, int want)
{
	char err[256], *again;
	struct aiops_match *m = aiops_match_parse(text, strlen(text), err, sizeof(err));

	if (m == NULL)
		abort();
	again = aiops_match_to_text(m, flags);
	if (strcmp(again, text) != 0)
		abort();
	if (!(flags & AIOPS_MATCH_TEXT_SORTED) && aiops_match_eval(m, labels, 0) != want)
		abort();
	free(again);
	aiops_match_free(m);
}

static void
check_matcher(const char *text, size_t len, const json_t *labels)
{
	struct aiops_match *m, *s;
	char err[256], *t, *bare, *sorted, *st;
	json_t *sil;
	int r;

	if ((m = aiops_match_parse(text, len, err, sizeof(err))) == NULL) {
		if (memchr(err, '\0', sizeof(err)) == NULL)
			abort();
		return;
	}
	r = aiops_match_eval(m, labels, 0);
	t = aiops_match_to_text(m, 0);
	bare = aiops_match_to_text(m, AIOPS_MATCH_TEXT_BARE);
	sorted = aiops_match_to_text(m, AIOPS_MATCH_TEXT_SORTED);
	reparse(t, 0, labels, r);
	reparse(bare, AIOPS_MATCH_TEXT_BARE, labels, r);
	reparse(sorted, AIOPS_MATCH_TEXT_SORTED, labels, r);
	sil = aiops_match_to_silence(m);
	if ((s = aiops_match_from_silence(sil, err, sizeof(err))) == NULL)
		abort();
	st = aiops_match_to_text(s, 0);
	if (strcmp(st, t) != 0 || aiops_match_eval(s, labels, 0) != r)
		abort();
	free(st);
	aiops_match_free(s);
	json_decref(sil);
	free(t);
	free(bare);
	free(sorted);
	aiops_match_free(m);
}

static void
check_criteria(const char *doc, size_t len, const json_t *event)
{
	char err[256], *t, *t2;
	struct aiops_match *m, *m2;
	json_t *c, *back;
	int r;

	if ((c = json_loadb(doc, len, 0, NULL)) == NULL)
		return;
	m = aiops_match_criteria(c, err, sizeof(err));
	json_decref(c);
	if (m == NULL)
		return;
	r = aiops_match_eval(m, event, 1767225600LL * 1000000000LL);
	t = aiops_match_to_text(m, 0);
	if ((back = json_loads(t, 0, NULL)) == NULL)
		abort();
	if ((m2 = aiops_match_criteria(back, err, sizeof(err))) == NULL)
		abort();
	t2 = aiops_match_to_text(m2, 0);
	if (strcmp(t, t2) != 0 ||
	    aiops_match_eval(m2, event, 1767225600LL * 1000000000LL) != r)
		abort();
	free(t);
	free(t2);
	json_decref(back);
	aiops_match_free(m);
	aiops_match_free(m2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *crit, *ev;
	const char *z1 = memchr(p, '\0', size), *z2;
	json_t *event;

	crit = z1 ? z1 + 1 : end;
	z2 = z1 ? memchr(crit, '\0', (size_t)(end - crit)) : NULL;
	ev = z2 ? z2 + 1 : end;
	event = json_loadb(ev, (size_t)(end - ev), 0, NULL);
	check_matcher(p, (size_t)((z1 ? z1 : end) - p), event);
	check_criteria(crit, (size_t)((z2 ? z2 : end) - crit), event);
	json_decref(event);
	return 0;
}
