/*
 * logmine_words.c: words that are the event, not a value in it.
 *
 * Drain and its descendants turn any token that differs between two
 * otherwise equal lines into a parameter, so "VM Started" and "VM Stopped",
 * "status success" and "status failure", "temperature above the limit" and
 * "below the limit" become one template, and the first failure after a
 * thousand successes is no new kind of line.  Operators reported it against
 * Drain3, Loki and Elastic (../shared/cases/detect, l01).
 *
 * Three kinds of word are constants: the words of a small vocabulary of
 * states, outcomes, directions and verbs of a life cycle (chosen from what
 * programs write, not from any benchmark), HTTP's methods in capitals
 * ("GET /x" and "POST /x" are two requests), and the names of error types
 * ("java.net.SocketTimeoutException:", "ValueError").  Two lines that
 * differ in such a word are two kinds of line.  A word outside the
 * vocabulary (a user, a host, a queue) stays a value as before.
 */
#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include "detect/logmine_int.h"

/* Sorted, lower case: bsearch() below. */
static const char *const vocab[] = {
	"above", "accept", "accepted", "acquire", "acquired", "activated",
	"active", "add", "added", "allow", "allowed", "attach", "attached",
	"below", "block", "blocked", "canceled", "cancelled", "close",
	"closed", "closing", "complete", "completed", "connect", "connected",
	"connecting", "create", "created", "deactivated", "decreased",
	"degraded", "delete", "deleted", "denied", "deny", "detach",
	"detached", "disable", "disabled", "disconnect", "disconnected",
	"down", "enable", "enabled", "expired", "fail", "failed", "failing",
	"failure", "finished", "granted", "healthy", "high", "inactive",
	"increased", "invalid", "joined", "killed", "left", "locked", "login",
	"logout", "low", "mount", "mounted", "offline", "online", "open",
	"opened", "opening", "pass", "passed", "pause", "paused", "pending",
	"ready", "reject", "rejected", "release", "released", "remove",
	"removed", "restart", "restarted", "restarting", "resume", "resumed",
	"revoked", "running", "start", "started", "starting", "stop",
	"stopped", "stopping", "succeeded", "success", "successful",
	"suspended", "terminated", "timeout", "unhealthy", "unlocked",
	"unmount", "unmounted", "up", "valid",
};

static int
cmp_word(const void *key, const void *elt)
{
	const char *k = key, *w = *(const char *const *)elt;

	return strcmp(k, w);
}

/* "Started," "(failed)" "success." -> the letters, lower-cased into buf. */
static size_t
bare_word(const char *p, size_t n, char *buf, size_t cap)
{
	size_t i;

	while (n > 0 && strchr("([{'\"", p[0]) != NULL)
		p++, n--;
	while (n > 0 && strchr(")]}'\",.;:!?", p[n - 1]) != NULL)
		n--;
	if (n == 0 || n >= cap)
		return 0;
	for (i = 0; i < n; i++) {
		if (!lm_isalpha(p[i]))
			return 0;
		buf[i] = (char)(p[i] | 0x20);
	}
	buf[n] = '\0';
	return n;
}

/* "java.lang.OutOfMemoryError:", "ValueError", "SocketTimeoutException". */
static int
is_error_type(const char *p, size_t n)
{
	static const char *const ends[] = { "Error", "Exception", "Fault" };
	size_t i, k;

	if (n > 0 && p[n - 1] == ':')
		n--;
	for (i = 0; i < n; i++)
		if (!lm_isalnum(p[i]) && p[i] != '.' && p[i] != '_' &&
		    p[i] != '$')
			return 0;
	for (k = 0; k < sizeof(ends) / sizeof(ends[0]); k++) {
		size_t e = strlen(ends[k]);

		/* a type name, not the word itself: "Error" alone is a level */
		if (n > e && memcmp(p + n - e, ends[k], e) == 0 &&
		    lm_isalpha(p[0]))
			return 1;
	}
	return 0;
}

/* RFC 9110's methods, as request lines write them: '"GET' in an access log. */
static int
is_http_method(const char *p, size_t n)
{
	static const char *const m[] = { "GET", "HEAD", "POST", "PUT",
	    "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", NULL };
	const char *const *w;

	if (n > 0 && p[0] == '"')
		p++, n--;
	for (w = m; *w != NULL; w++)
		if (strlen(*w) == n && memcmp(*w, p, n) == 0)
			return 1;
	return 0;
}

int
aiops_logmine_is_event_word(const char *p, size_t n)
{
	char buf[16];

	if (bare_word(p, n, buf, sizeof(buf)) > 0 &&
	    bsearch(buf, vocab, sizeof(vocab) / sizeof(vocab[0]),
	    sizeof(vocab[0]), cmp_word) != NULL)
		return 1;
	return is_http_method(p, n) || is_error_type(p, n);
}
