/*
 * severity.h: the one vocabulary of log severities, shared by every
 * program (ingest's log formats, the miner's header scanner, aiops-detect).
 *
 * A level is one of RFC 5424's (section 6.2.1), lower is worse:
 *
 *	0 emerg  1 alert  2 crit  3 err  4 warning  5 notice  6 info  7 debug
 *
 * An event names its level with one of six words, aiops(7): "critical"
 * for 0 to 2, then "error", "warning", "notice", "info", "debug".
 *
 * The words a log may use for a level are one table (severity.c), matched
 * without regard to ASCII case and documented in aiops(7). Where such a
 * word may stand (a JSON field, a header column, free text) and how it
 * must be written there is each caller's rule: "error" in prose is not a
 * level, a lone "E" after a pid is.
 */
#ifndef AIOPS_SEVERITY_H
#define AIOPS_SEVERITY_H

#include <stddef.h>

enum aiops_severity {
	AIOPS_SEV_EMERG = 0,
	AIOPS_SEV_ALERT = 1,
	AIOPS_SEV_CRIT = 2,
	AIOPS_SEV_ERR = 3,
	AIOPS_SEV_WARNING = 4,
	AIOPS_SEV_NOTICE = 5,
	AIOPS_SEV_INFO = 6,
	AIOPS_SEV_DEBUG = 7
};

/*
 * The level the word s[0..n) names ("err", "ERROR", "Fatal", "E", "trace",
 * ...), or -1 when it names none. The whole of s must be the word.
 */
int aiops_severity_parse(const char *s, size_t n);

/* The event's word for a level; "info" for a value outside 0-7. Static. */
const char *aiops_severity_name(int level);

#endif
