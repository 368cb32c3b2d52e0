/*
 * matcher.h: one matcher for two programs. aiops-notify routes, inhibits
 * and silences alerts with Prometheus Alertmanager's label matchers;
 * aiops-run triggers rules with StackStorm's criteria over nested event
 * fields. Both compile into one struct aiops_match, a list of conditions
 * that are all ANDed, evaluated by aiops_match_eval().
 *
 * Sources: prometheus/alertmanager pkg/labels/{matcher,parse}.go (the
 * classic parser) and matchers/parse/ (the UTF-8 one), docs/configuration.md
 * (routes, inhibit_rule `equal`), api/v2/openapi.yaml (silence matchers);
 * StackStorm st2common/st2common/operators.py and rules/filter.py (the
 * operators and how a criterion is looked up), st2docs rules.rst. See
 * /work/shared/PEERS.md sections 1 and 2.
 *
 * Memory: every constructor returns a new struct aiops_match that the
 * caller frees with aiops_match_free(); json_t arguments are borrowed (the
 * match keeps its own references). Errors: constructors return NULL and
 * write "what and where" into err (errlen bytes, always NUL-terminated when
 * errlen > 0); nothing is printed.
 *
 * Threads: a built match is read-only. aiops_match_eval() may run on many
 * threads at once on the same match (PCRE2 match data is made per call; the
 * limit counter is atomic).
 *
 * Regexes are PCRE2 (libpcre2-8, UTF mode, invalid UTF-8 in a subject
 * never matches instead of failing), compiled once at build time, with a
 * match limit of AIOPS_MATCH_RE_LIMIT steps and a depth/heap bound: a
 * regex that reaches it makes its condition false (for `!~` and `nequals`
 * alike: a limit never widens a match, so a silence never silences and a
 * rule never fires because of it), and aiops_match_limit_hits() counts it.
 */
#ifndef AIOPS_MATCH_MATCHER_H
#define AIOPS_MATCH_MATCHER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct aiops_match;

/* Backtracking steps a regex match may take (PCRE2's default is 10M). */
#define AIOPS_MATCH_RE_LIMIT	1000000
/* Nested backtracking frames, and heap for them in KiB. */
#define AIOPS_MATCH_RE_DEPTH	10000
#define AIOPS_MATCH_RE_HEAP	65536

/* -------------------------------------------------------------------------
 * Alertmanager label matchers
 *
 * Text: one matcher `name OP value`, OP one of = != =~ !~, or a set
 * `{a="x", b=~"y|z"}`: optional braces, matchers separated by commas (a
 * trailing comma is allowed), white space around every token ignored. The
 * empty text and `{}` are the empty set, which matches every alert.
 *  - A name is a run of characters other than white space and
 *    { } ! = ~ , \ " ' ` (the UTF-8 parser's rule, so `k8s.io/app=x`
 *    works; the classic parser allowed only [a-zA-Z_:][a-zA-Z0-9_:]*), or
 *    a quoted string (`"k8s.io/app"="x"`).
 *  - A value is quoted, with the escapes of the classic parser: \" \\ and
 *    \n; a backslash before any other character stays a backslash, so
 *    `a=~"\d+"` is the regex \d+ as Alertmanager reads it. Or unquoted
 *    (`severity=critical`), a run of the characters a name may hold.
 *  - Names and values must be valid UTF-8.
 * Semantics (pkg/labels/matcher.go): a label that is absent has the value
 * "" (so `a=""` matches an alert without a, and `a!=""` means a is
 * present); `=~` and `!~` match the whole value, as Alertmanager's
 * "^(?:re)$" (PCRE2_ANCHORED|PCRE2_ENDANCHORED, `$` only at the very end
 * as in Go); `a=~"x|y"` is anchored as a whole.
 * Deliberate differences: regexes are PCRE2, not Go's RE2 (a superset:
 * backreferences and lookaround compile here, Alertmanager refuses them;
 * RE2 never backtracks, PCRE2 may hit the limit below); a regex is
 * compiled on its own, so `a)|(b`, which Alertmanager's string pasting
 * turns into a valid pattern, is an error here. The classic parser (0.25,
 * amtool) also takes `{a="x"` (a brace it merely trims) and `a=b c` (the
 * rest of the text as the value); both are errors here, as in the UTF-8
 * parser. tests/match.bats checks 39 cases against amtool.
 *
 * Errors name the text and the column (1-based, in characters):
 *   matcher 'a=~"("': missing closing parenthesis at column 6
 * -------------------------------------------------------------------------
 */

/* Parses a matcher or a set of them (len bytes of text, NUL not needed). */
struct aiops_match *aiops_match_parse(const char *text, size_t len, char *err, size_t errlen);
/*
 * Appends the matchers of text to m, which must hold Alertmanager
 * matchers (a YAML list of `matchers:` is parsed item by item into one
 * set). 0 ok; -1 with err set and m unchanged.
 */
int aiops_match_parse_add(struct aiops_match *m, const char *text, size_t len, char *err,
    size_t errlen);
/*
 * The silences API's matchers (api/v2/openapi.yaml `matchers`): an array
 * of objects, or one object, {"name": str, "value": str, "isRegex": bool,
 * "isEqual": bool (optional, default true)}. Unknown members are ignored,
 * as Alertmanager does. The error names the array index.
 */
struct aiops_match *aiops_match_from_silence(const json_t *matchers, char *err, size_t errlen);
/* The same matchers as that array: a new reference. NULL for criteria. */
json_t *aiops_match_to_silence(const struct aiops_match *m);
/*
 * Inhibition's `equal`: 1 when every label named in equal (an array of
 * strings) has the same value in a and b, an absent label being "" on
 * either side (docs/configuration.md "<inhibit_rule>"); else 0.
 */
int aiops_match_labels_equal(const json_t *a, const json_t *b, const json_t *equal);

/* -------------------------------------------------------------------------
 * StackStorm criteria
 *
 * criteria is an object {path: {"type": op, "pattern": p}, ...} or an
 * array of such objects (so one path can carry two criteria); all are
 * ANDed. The rule files are YAML: the caller converts them to jansson.
 * Paths: components split at dots, descending into objects; `[N]`, or a
 * component of digits when the value there is an array, indexes an
 * array; a component in double quotes may hold dots (`labels."a.b"`).
 * A leading `trigger.` (as st2 rules write it) is dropped, and in the
 * child criteria of `search` a leading `item.` (st2's item prefix), so
 * rules paste in; `trigger` alone is the whole event, `item` the item.
 *
 * Operators (st2 operators.py; the value is the event's, the pattern the
 * rule's; an absent or null field is Python's None there and here):
 *   equals nequals            JSON equality (1 and 1.0 are equal);
 *                             nequals is true for a missing field
 *   iequals                   strings equal ignoring case (Unicode)
 *   lessthan greaterthan      numbers; a string that is a decimal number
 *                             counts as that number (st2 would refuse it)
 *   matchwildcard (wildcard)  fnmatch as Python's: * ? [...] [!...],
 *                             case-sensitive, no backslash escapes, the
 *                             whole string
 *   regex  iregex             re.search, unanchored; regex adds DOTALL and
 *                             iregex IGNORECASE, as operators.py compiles
 *                             them; matchregex (deprecated): re.match;
 *                             \w \d \b are Unicode (PCRE2_UCP), as in
 *                             Python 3 (Alertmanager's, as Go's, are ASCII)
 *   contains ncontains        substring of a string, element of an array,
 *                             key of an object; ncontains is false for a
 *                             missing field (st2 raises, which is false)
 *   icontains incontains      the same ignoring case; st2 only takes
 *                             strings, here array elements count too
 *   startswith istartswith endswith iendswith   strings only
 *   exists nexists            the field is there and not null (pattern
 *                             ignored)
 *   inside ninside            the field's value is an element of the
 *                             pattern list, or a substring of the pattern
 *                             string
 *   timediff_lt timediff_gt   the field is an RFC 3339 time or Unix
 *                             seconds (a number or a numeric string);
 *                             (now - field) in seconds < or > the pattern
 *   search                    the field is an array; "condition" any,
 *                             all, any2any or all2any, "pattern" the child
 *                             criteria applied to each item: any = some
 *                             item matches all children, all = every item
 *                             matches all (true for an empty list, as
 *                             Python's all()), any2any = some item
 *                             matches some child, all2any = every item
 *                             matches some child
 * A value of the wrong type for an operator makes it false (st2 catches
 * the TypeError). Build-time checks (st2 finds these only when an event
 * arrives): an unknown operator or condition, a missing or null pattern
 * where one is needed, a pattern of the wrong type (a string for the
 * string operators, a number for lessthan/greaterthan/timediff, a list
 * or string for inside), a regex that does not compile. The error names
 * the path and the operator:
 *   criteria 'trigger.x' (regex): missing closing parenthesis at offset 1
 * Not supported: Jinja in patterns ({{ }} is matched literally), jsonpath
 * wildcards. Python's re and PCRE2 differ in corners (\Z is PCRE2's \z).
 * -------------------------------------------------------------------------
 */
struct aiops_match *aiops_match_criteria(const json_t *criteria, char *err, size_t errlen);

/*
 * For an index of many criteria (aiops-run's rules): the top-level equals
 * criteria of m whose pattern is a string, a number (not NaN) or a
 * boolean, in order. Each names its condition (for aiops_match_value()),
 * its path as written and its pattern (borrowed from m). Returns how many
 * there are; fills at most max of them.
 */
struct aiops_match_equals {
	size_t		 cond;
	const char	*path;
	size_t		 pathlen;
	const json_t	*pattern;
};
size_t aiops_match_equals(const struct aiops_match *m, struct aiops_match_equals *v,
    size_t max);
/* The value at the path of condition cond of m in event (borrowed), or NULL
 * when absent or null, as the criterion itself reads it. */
const json_t *aiops_match_value(const struct aiops_match *m, size_t cond, const json_t *event);

/* -------------------------------------------------------------------------
 * Both
 * -------------------------------------------------------------------------
 */

/*
 * 1 when every condition of m holds for event, else 0. For Alertmanager
 * matchers event is an object of labels (a label name is a literal key,
 * never a path; a value that is not a string is compared as its JSON
 * text); for criteria it is the event object. now_ns (ns since the Unix
 * epoch) is "now" for timediff_lt/gt: the caller passes the wall clock or
 * the event time of a replay. A NULL or non-object event has no fields.
 */
int aiops_match_eval(const struct aiops_match *m, const json_t *event, int64_t now_ns);

enum aiops_match_text_flags {
	AIOPS_MATCH_TEXT_BARE = 1 << 0,	/* matchers without the braces */
	AIOPS_MATCH_TEXT_SORTED = 1 << 1,	/* by name, value, type: route keys */
};
/*
 * The canonical text, a new string the caller frees. Matchers: {a="x",b=~"y"}
 * (Matchers.String(): values quoted with \\ \n \" escaped, names quoted
 * only when they are not [a-zA-Z_:][a-zA-Z0-9_:]*); with BARE and one
 * matcher, name="value"; SORTED orders them as dispatch/route.go does
 * before it prints a route key. Criteria: compact JSON, an object
 * {path: {"type","pattern"[,"condition"]}} (an array of one-member objects
 * when a path repeats), type names canonical (wildcard prints as
 * matchwildcard). Parsing or building the text again gives the same text.
 */
char *aiops_match_to_text(const struct aiops_match *m, int flags);
/* Number of conditions (matchers or top-level criteria). */
size_t aiops_match_count(const struct aiops_match *m);
/* How many regex matches of m hit the PCRE2 limits so far. */
unsigned long aiops_match_limit_hits(const struct aiops_match *m);
/* Frees m; NULL is a no-op. */
void aiops_match_free(struct aiops_match *m);

#endif
