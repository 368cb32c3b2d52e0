#include "compat.h"

#include <stdint.h>

#include "event/severity.h"

/*
 * Every word for a level, lower case. Sources: the keywords of syslog.conf(5)
 * (emerg, panic, alert, crit, err, error, warn, warning, notice, info,
 * debug) and the names of RFC 5424's table 2; log4j and logback (fatal,
 * trace); java.util.logging (severe, fine, finer, finest); Windows event
 * levels (information, verbose); the BG/L RAS logs (failure: below fatal,
 * since "LOGIN FAILURE" in a line's first words is an error, not an
 * outage); the one-letter codes of Android's logcat (V D I W E F, A for
 * assert) and glog (I W E F).
 */
static const struct {
	const char	*word;
	unsigned char	 len;
	unsigned char	 level;
} words[] = {
#define W(s, l) { s, sizeof(s) - 1, l }
	W("emerg", 0), W("emergency", 0), W("panic", 0),
	W("alert", 1),
	W("crit", 2), W("critical", 2), W("fatal", 2), W("f", 2), W("a", 2),
	W("err", 3), W("error", 3), W("severe", 3), W("failure", 3), W("e", 3),
	W("warn", 4), W("warning", 4), W("w", 4),
	W("notice", 5),
	W("info", 6), W("information", 6), W("informational", 6), W("i", 6),
	W("debug", 7), W("dbg", 7), W("trace", 7), W("verbose", 7),
	W("fine", 7), W("finer", 7), W("finest", 7), W("d", 7), W("v", 7),
#undef W
};

#define MAXWORD		13	/* "informational" */

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/*
 * The first letters of the words: the miner asks about every word of a
 * line's header, and most are not levels. Kept by hand with the table
 * (tests/unit/t_severity.c parses every word).
 */
#define BIT(c)		((uint32_t)1 << ((c) - 'a'))
#define FIRST_LETTERS	(BIT('a') | BIT('c') | BIT('d') | BIT('e') | BIT('f') | \
	BIT('i') | BIT('n') | BIT('p') | BIT('s') | BIT('t') | BIT('v') | BIT('w'))

int
aiops_severity_parse(const char *s, size_t n)
{
	size_t i, j;
	int c0;

	if (n == 0 || n > MAXWORD)
		return -1;
	c0 = lower((unsigned char)s[0]);
	if (c0 < 'a' || c0 > 'z' || !(FIRST_LETTERS & BIT(c0)))
		return -1;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (words[i].len != n || words[i].word[0] != c0)
			continue;
		for (j = 1; j < n && lower((unsigned char)s[j]) == words[i].word[j]; j++)
			;
		if (j == n)
			return words[i].level;
	}
	return -1;
}

const char *
aiops_severity_name(int level)
{
	static const char *const names[] = {
		"critical", "critical", "critical", "error",
		"warning", "notice", "info", "debug",
	};

	return level >= 0 && level <= 7 ? names[level] : "info";
}
