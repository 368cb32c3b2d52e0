/*
 * template.h: message templates in the subset of Go's text/template that
 * Alertmanager users write (golang.org/pkg/text/template, Go 1.19; the
 * functions of prometheus/alertmanager:template/template.go), evaluated
 * over jansson data and escaped for the sink that receives the text.
 *
 * Syntax (as text/template's doc): text, {{ action }}, trim markers
 * "{{- " and " -}}" (the whitespace " \t\r\n" beside them goes),
 * comments (a slash-star comment right inside the braces); pipelines
 * "cmd | cmd" with the previous value passed as the last argument;
 * operands: . .a.b $ $x $x.a (pipeline).a, function names, "strings"
 * with Go's escapes, `raw strings`, 'c' runes, numbers (an integer
 * literal is Go's int, one with . e E a float64), true, false, nil;
 * $x := pipeline, $x = pipeline; if / else if / else / end; range
 * [$i[, $v] :=] pipeline / else / end over arrays and objects (objects
 * in sorted key order, as Go ranges over a map), with break and
 * continue; with / else with / else / end; define, template, block.
 * Variables are checked at compile time, as Go does.
 *
 * Data model. A JSON object is Go's map[string]interface{}, an array
 * []interface{}, a string string, true/false bool, a JSON integer Go's
 * int, a JSON real float64, null a nil interface. So, as in Go:
 *  - a missing key gives "<no value>" (.a.missing, and .a.missing.b),
 *    a pipeline worth null prints "<no value>" too, null inside a
 *    printed object or array prints "<nil>";
 *  - a field of a string or number is an error ("can't evaluate field b
 *    in type interface {}"), a field of null an error ("nil pointer
 *    evaluating interface {}.b");
 *  - floats print as Go's %v: shortest round-trip digits, exponent form
 *    from 1e+06 and below 1e-04 (1234567.0 prints 1.234567e+06);
 *  - eq/lt compare like kinds only: eq 3 3.0 is an error ("incompatible
 *    types for comparison"), a missing value is unequal to anything but
 *    nil; arrays and objects cannot be compared;
 *  - truth: false, 0, 0.0, "", null, missing, empty array and object are
 *    false, everything else true.
 * Alertmanager's data is typed Go; over JSON these stand in for its
 * methods (a key of that name in the data wins over them):
 *  - an array's .Firing and .Resolved: its elements whose "Status" is
 *    "firing" / "resolved" (template.Alerts);
 *  - an object's .SortedPairs (array of {"Name","Value"} by name),
 *    .Names and .Values (sorted by name) (template.KV);
 *  - index OBJ "missing" gives "" when every value of OBJ is a string
 *    (Alertmanager's KV is map[string]string), else "<no value>".
 * Times in the data are RFC 3339 strings and print as such (Go would
 * print a time.Time as "2006-01-02 15:04:05 +0000 UTC").
 *
 * Functions. Go's: and or not len index eq ne lt le gt ge print printf
 * println html js urlquery (printf verbs %v %s %d %f %e %g %q %x %X %t
 * %c %o %% with flags "+- #0", width and precision, and Go's
 * "%!d(float64=1.5)", "%!s(MISSING)", "%!(EXTRA int=3)" for mistakes).
 * Alertmanager's: toUpper toLower title trimSpace join match reReplaceAll
 * safeHtml stringSlice humanizeDuration date tz since (match and
 * reReplaceAll through PCRE2 with Go's RE2 syntax as far as PCRE2 reads it,
 * match unanchored as regexp.MatchString; reReplaceAll's $1 ${1} ${name}
 * as Go's Expand). date "LAYOUT" T formats with Go's reference time
 * "Mon Jan 2 15:04:05 MST 2006"; a time given as a string is shown in the
 * render's zone (env->tz), tz "Europe/Paris" T moves it to another zone
 * (the system's tz database); since T is now minus T as a duration
 * (prints like Go's time.Duration, "1h2m3s"). Also sprig's default:
 * default DEFAULT VALUE gives VALUE unless it is false by the truth
 * rule above, then DEFAULT.
 *
 * Not supported: methods and function values of Go data, complex
 * numbers, range over an integer (Go 1.22), printf's %[n] and * (argument
 * indexes, widths from arguments), %x of floats, the slice and call
 * builtins, custom delimiters, missingkey options, html/template's contextual
 * escaping (the sink's escaper below stands in for it).
 *
 * Escaping. What an action prints is passed through the render's
 * escaper; the template's own text is not (the author's markup stays):
 *  - NONE: as is;
 *  - JSON: the content of a JSON string (the caller writes the quotes):
 *    " \ and control characters escaped as jansson's dump does, bytes
 *    that are not UTF-8 written as U+FFFD (lib/json/jw.h);
 *  - HTML: & < > " ' as &amp; &lt; &gt; &#34; &#39;, NUL as U+FFFD
 *    (Go's template.HTMLEscape); safeHtml's result is not escaped again;
 *  - SLACK: & < > as &amp; &lt; &gt; (api.slack.com, "Escaping text" of
 *    mrkdwn), so no <!channel> or link can be injected by data;
 *  - ARGV: the whole output is one argument for execve(2): nothing is
 *    quoted (no shell), a NUL anywhere in it is an error.
 *
 * Errors go to err (what and where, NUL-terminated) in Go's shape, with a
 * column (bytes before the token on its line, counted from 0 as Go does):
 *   template: slack.title:3:14: function "foo" not defined
 *   template: t:1:3: executing "t" at <index .Alerts 5>: error calling
 *   index: index out of range: 5
 * Bounds: output bytes, evaluation steps (each action, loop turn and
 * function call is a step), template call depth and parse nesting
 * (AIOPS_TPL_MAXNEST): exceeding one is an error, never a hang.
 *
 * Thread safety: a compiled set is read-only during aiops_tpl_render(),
 * which may run on many threads at once. tz and zoned dates switch TZ
 * under one lock (POSIX has no per-zone localtime): other threads of the
 * process must not call localtime(3) meanwhile.
 */
#ifndef AIOPS_MATCH_TEMPLATE_H
#define AIOPS_MATCH_TEMPLATE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define AIOPS_TPL_MAXNEST	100	/* parentheses and blocks inside each other */

enum aiops_tpl_escape {
	AIOPS_TPL_ESC_NONE = 0,
	AIOPS_TPL_ESC_JSON,
	AIOPS_TPL_ESC_HTML,
	AIOPS_TPL_ESC_SLACK,
	AIOPS_TPL_ESC_ARGV,
};

/* Defaults, used where a limit in struct aiops_tpl_env is 0. */
#define AIOPS_TPL_MAX_OUTPUT	(1024 * 1024)	/* bytes */
#define AIOPS_TPL_MAX_STEPS	1000000
#define AIOPS_TPL_MAX_DEPTH	100		/* {{template}} calls inside each other */

/* How one render runs. A zeroed struct is plain text, UTC, now = 0. */
struct aiops_tpl_env {
	enum aiops_tpl_escape escape;
	int64_t		 now_ns;	/* "now" of since, ns since the epoch */
	const char	*tz;		/* IANA zone of date and times; NULL or "" = UTC */
	size_t		 max_output;	/* bytes the render may write; 0 = default */
	uint64_t	 max_steps;	/* 0 = default */
	int		 max_depth;	/* 0 = default */
};

struct aiops_tpl;

/* An empty set of named templates. */
struct aiops_tpl *aiops_tpl_new(void);
/*
 * Compiles text[0..len) into the set: its body as the template `name`
 * and each {{define "x"}} in it as "x"; a later definition of a name
 * replaces the earlier one, as in Go (except that a body that is only
 * whitespace and defines does not replace an existing one). On error
 * returns -1 with err filled and leaves the set as it was; 0 ok.
 */
int aiops_tpl_add(struct aiops_tpl *t, const char *name, const char *text, size_t len,
    char *err, size_t errlen);
/* 1 if the set has a template of that name. */
int aiops_tpl_has(const struct aiops_tpl *t, const char *name);
/*
 * Runs the template `name` with dot = data (borrowed; NULL is nil),
 * appending to out. On error returns -1 with err filled; out then holds
 * what was written before the error (callers discard it). 0 ok.
 */
int aiops_tpl_render(const struct aiops_tpl *t, const char *name, json_t *data,
    const struct aiops_tpl_env *env, struct aiops_buf *out, char *err, size_t errlen);
void aiops_tpl_free(struct aiops_tpl *t);

/*
 * Appends s[0..n) to out escaped as esc does for an action's output
 * (ARGV copies as is: the NUL check is the render's). For callers that
 * build a message around rendered parts.
 */
void aiops_tpl_escape(enum aiops_tpl_escape esc, const char *s, size_t n,
    struct aiops_buf *out);

#endif
