/*
 * The severity vocabulary: every word of aiops(7) names its level in any
 * case, the event's word for each level, and what is not a level.
 */
#include "compat.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "event/severity.h"
#include "tap.h"

/* The table of aiops(7), word by word. */
static const struct {
	const char	*word;
	int		 level;
} vocab[] = {
	{ "emerg", 0 }, { "emergency", 0 }, { "panic", 0 },
	{ "alert", 1 },
	{ "crit", 2 }, { "critical", 2 }, { "fatal", 2 }, { "F", 2 }, { "A", 2 },
	{ "err", 3 }, { "error", 3 }, { "severe", 3 }, { "failure", 3 }, { "E", 3 },
	{ "warn", 4 }, { "warning", 4 }, { "W", 4 },
	{ "notice", 5 },
	{ "info", 6 }, { "information", 6 }, { "informational", 6 }, { "I", 6 },
	{ "debug", 7 }, { "dbg", 7 }, { "trace", 7 }, { "verbose", 7 },
	{ "fine", 7 }, { "finer", 7 }, { "finest", 7 }, { "D", 7 }, { "V", 7 },
};

static int
parse(const char *s)
{
	return aiops_severity_parse(s, strlen(s));
}

/* w in upper, lower and capitalised case all give level. */
static int
every_case(const char *w, int level)
{
	char up[32], low[32], cap[32];
	size_t i, n = strlen(w);

	for (i = 0; i <= n; i++) {
		up[i] = (char)toupper((unsigned char)w[i]);
		low[i] = (char)tolower((unsigned char)w[i]);
		cap[i] = i == 0 ? up[i] : low[i];
	}
	return parse(up) == level && parse(low) == level && parse(cap) == level;
}

int
main(void)
{
	static const char *const names[] = {
		"critical", "critical", "critical", "error", "warning", "notice",
		"info", "debug",
	};
	/* Near misses, prose, the letters no format uses, and the empty word. */
	static const char *const not_levels[] = {
		"", "errors", "warns", "informative", "debugging", "fail", "failed",
		"critic", "emergencies", "C", "N", "T", "x", "log", "ok", "5",
		"error ", " error", "[error]", "err:", "INFORMATIONALLY",
	};
	size_t i;

	for (i = 0; i < sizeof(vocab) / sizeof(vocab[0]); i++)
		ok(every_case(vocab[i].word, vocab[i].level), "\"%s\" is level %d in any case",
		    vocab[i].word, vocab[i].level);
	for (i = 0; i < sizeof(not_levels) / sizeof(not_levels[0]); i++)
		is_int(parse(not_levels[i]), -1, "\"%s\" is not a level", not_levels[i]);
	is_int(aiops_severity_parse("error", 3), AIOPS_SEV_ERR,
	    "the length bounds the word: \"err\" of \"error\"");
	is_int(aiops_severity_parse("warning\0x", 9), -1, "a NUL byte is not part of a word");
	for (i = 0; i < 8; i++)
		is_str(aiops_severity_name((int)i), names[i], "level %zu is \"%s\" in events",
		    i, names[i]);
	is_str(aiops_severity_name(-1), "info", "no level is info");
	is_str(aiops_severity_name(8), "info", "past debug is info");
	/* Each word an event writes reads back as a level of that name. */
	for (i = 0; i < 8; i++)
		is_str(aiops_severity_name(parse(names[i])), names[i],
		    "\"%s\" round-trips", names[i]);
	return tap_done();
}
