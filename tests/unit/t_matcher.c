/*
 * t_matcher.c: lib/match/matcher: Alertmanager label matchers (text and
 * silence JSON), StackStorm criteria, one evaluation, canonical text,
 * errors with columns, bounds (1 MB values, a regex that hits the limit).
 */
#include "compat.h"

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/xmalloc.h"
#include "match/matcher.h"
#include "tap.h"

static char err[512];

/* Alertmanager text against labels (JSON): 1, 0, or -1 when it fails to parse. */
static int
am(const char *text, const char *labels)
{
	struct aiops_match *m = aiops_match_parse(text, strlen(text), err, sizeof(err));
	json_t *l;
	int r;

	if (m == NULL)
		return -1;
	l = json_loads(labels, 0, NULL);
	if (l == NULL) {
		aiops_match_free(m);
		return -2;
	}
	r = aiops_match_eval(m, l, 0);
	json_decref(l);
	aiops_match_free(m);
	return r;
}

/* The error of text, or "" when it parses. */
static const char *
am_err(const char *text)
{
	struct aiops_match *m = aiops_match_parse(text, strlen(text), err, sizeof(err));

	if (m == NULL)
		return err;
	aiops_match_free(m);
	return "";
}

/* Canonical text of text (flags), in a static buffer; "ERR" on error. */
static const char *
am_text(const char *text, int flags)
{
	static char out[4096];
	struct aiops_match *m = aiops_match_parse(text, strlen(text), err, sizeof(err));
	char *s;

	if (m == NULL)
		return "ERR";
	s = aiops_match_to_text(m, flags);
	(void)snprintf(out, sizeof(out), "%s", s);
	free(s);
	aiops_match_free(m);
	return out;
}

/* Criteria (JSON) against an event (JSON) at now_ns: 1, 0, -1 bad criteria. */
static int
crn(const char *criteria, const char *event, int64_t now_ns)
{
	json_t *c = json_loads(criteria, 0, NULL), *e;
	struct aiops_match *m;
	int r;

	if (c == NULL)
		return -2;
	m = aiops_match_criteria(c, err, sizeof(err));
	json_decref(c);
	if (m == NULL)
		return -1;
	e = json_loads(event, JSON_DECODE_ANY, NULL);
	r = aiops_match_eval(m, e, now_ns);
	json_decref(e);
	aiops_match_free(m);
	return r;
}

static int
cr(const char *criteria, const char *event)
{
	return crn(criteria, event, 0);
}

/* One criterion {"f": {"type": op, "pattern": pat}} against {"f": value}. */
static int
op1(const char *op, const char *pat, const char *value)
{
	char c[1024], e[1024];

	(void)snprintf(c, sizeof(c), "{\"f\":{\"type\":\"%s\",\"pattern\":%s}}", op, pat);
	(void)snprintf(e, sizeof(e), value ? "{\"f\":%s}" : "{}", value);
	return cr(c, e);
}

static const char *
cr_err(const char *criteria)
{
	json_t *c = json_loads(criteria, 0, NULL);
	struct aiops_match *m = aiops_match_criteria(c, err, sizeof(err));

	json_decref(c);
	if (m == NULL)
		return err;
	aiops_match_free(m);
	return "";
}

static const char *
cr_text(const char *criteria)
{
	static char out[4096];
	json_t *c = json_loads(criteria, 0, NULL);
	struct aiops_match *m = aiops_match_criteria(c, err, sizeof(err));
	char *s;

	json_decref(c);
	if (m == NULL)
		return "ERR";
	s = aiops_match_to_text(m, 0);
	(void)snprintf(out, sizeof(out), "%s", s);
	free(s);
	aiops_match_free(m);
	return out;
}

static void
test_am_operators(void)
{
	is_int(am("a=\"x\"", "{\"a\":\"x\"}"), 1, "= equal value");
	is_int(am("a=\"x\"", "{\"a\":\"xy\"}"), 0, "= other value");
	is_int(am("a=\"x\"", "{}"), 0, "= absent label");
	is_int(am("a!=\"x\"", "{\"a\":\"y\"}"), 1, "!= other value");
	is_int(am("a!=\"x\"", "{\"a\":\"x\"}"), 0, "!= same value");
	is_int(am("a!=\"x\"", "{}"), 1, "!= absent label is \"\"");
	is_int(am("a=\"\"", "{}"), 1, "a=\"\" matches a missing a");
	is_int(am("a=\"\"", "{\"a\":null}"), 1, "a=\"\" matches a null a");
	is_int(am("a=\"\"", "{\"a\":\"v\"}"), 0, "a=\"\" does not match a present a");
	is_int(am("a!=\"\"", "{\"a\":\"v\"}"), 1, "a!=\"\" means present");
	is_int(am("a!=\"\"", "{}"), 0, "a!=\"\" fails when absent");
	is_int(am("a=~\"b\"", "{\"a\":\"abc\"}"), 0, "=~ anchored: b does not match abc");
	is_int(am("a=~\"b.*\"", "{\"a\":\"bcd\"}"), 1, "=~ b.* matches bcd");
	is_int(am("a=~\"b.*\"", "{\"a\":\"abcd\"}"), 0, "=~ b.* anchored at the start");
	is_int(am("a=~\"x|y\"", "{\"a\":\"y\"}"), 1, "alternation x|y matches y");
	is_int(am("a=~\"x|y\"", "{\"a\":\"xy\"}"), 0, "alternation anchored as a whole");
	is_int(am("a=~\"x|xy\"", "{\"a\":\"xy\"}"), 1, "end anchoring backtracks into the second branch");
	is_int(am("a=~\"x$\"", "{\"a\":\"x\\n\"}"), 0, "$ is the very end, as Go's");
	is_int(am("a=~\".*\"", "{}"), 1, "=~ .* matches an absent label");
	is_int(am("a=~\".+\"", "{}"), 0, "=~ .+ needs a value");
	is_int(am("a!~\"x.*\"", "{\"a\":\"xyz\"}"), 0, "!~ excludes a match");
	is_int(am("a!~\"x.*\"", "{\"a\":\"yz\"}"), 1, "!~ passes a non-match");
	is_int(am("a!~\"x.*\"", "{}"), 1, "!~ absent label");
	is_int(am("a=~\"\\\\d+\"", "{\"a\":\"123\"}"), 1, "escaped backslash: \\\\d+");
	is_int(am("a=~\"\\d+\"", "{\"a\":\"123\"}"), 1, "\\d stays a backslash (classic parser)");
	is_int(am("a=~\"(?i)ERR\"", "{\"a\":\"err\"}"), 1, "inline flags");
	is_int(am("a=\"1\"", "{\"a\":1}"), 1, "a number label compares as its JSON text");
	is_int(am("a=~\"é.\"", "{\"a\":\"éü\"}"), 1, "UTF-8: . is one character");
	is_int(am("a=\"日本\"", "{\"a\":\"日本\"}"), 1, "UTF-8 value");
	is_int(am("a=\"x\"", "[]"), 0, "a non-object is no labels");
}

static void
test_am_sets(void)
{
	is_int(am("{a=\"x\", b=~\"y|z\"}", "{\"a\":\"x\",\"b\":\"z\"}"), 1, "set: both hold");
	is_int(am("{a=\"x\", b=~\"y|z\"}", "{\"a\":\"x\",\"b\":\"w\"}"), 0, "set: ANDed");
	is_int(am("{}", "{\"a\":\"x\"}"), 1, "empty set matches all");
	is_int(am("", "{}"), 1, "empty text matches all");
	is_int(am("  { a = \"x\" , }  ", "{\"a\":\"x\"}"), 1, "white space and trailing comma");
	is_int(am("a=x,b=y", "{\"a\":\"x\",\"b\":\"y\"}"), 1, "unbraced list, unquoted values");
	is_int(am("severity=critical", "{\"severity\":\"critical\"}"), 1, "unquoted value");
	is_int(am("a=", "{}"), 1, "a= is a=\"\" as the classic parser reads it");
	is_int(am("k8s.io/app=web", "{\"k8s.io/app\":\"web\"}"), 1, "dots in an unquoted name are literal");
	is_int(am("k8s.io/app=web", "{\"k8s\":{\"io/app\":\"web\"}}"), 0, "label names are never paths");
	is_int(am("\"a b\"=\"x\"", "{\"a b\":\"x\"}"), 1, "quoted label name");
	is_int(am("{a=\"x,y\"}", "{\"a\":\"x,y\"}"), 1, "comma inside quotes");
	is_int(am("{a=\"}\"}", "{\"a\":\"}\"}"), 1, "brace inside quotes");
	is_int(am("{a=~\"x{2}\"}", "{\"a\":\"xx\"}"), 1, "braces inside a quoted regex");
}

static void
test_am_text(void)
{
	struct aiops_match *m, *m2;
	char *t, *t2;
	const char *hostile = "a=~\"q\\\"uo\\\\te\\nnl\\d\", \"we.ird\"!=\"é\"";

	is_str(am_text("a=\"x\"", AIOPS_MATCH_TEXT_BARE), "a=\"x\"", "bare single matcher");
	is_str(am_text("{ b=~\"y\" , a = x }", 0), "{b=~\"y\",a=\"x\"}", "set text, order kept");
	is_str(am_text("{b=~\"y\",a=\"x\",a=\"w\",a!=\"w\"}", AIOPS_MATCH_TEXT_SORTED),
	    "{a=\"w\",a!=\"w\",a=\"x\",b=~\"y\"}", "sorted by name, value, type (route key)");
	is_str(am_text(hostile, 0),
	    "{a=~\"q\\\"uo\\\\te\\nnl\\\\d\",\"we.ird\"!=\"é\"}", "escapes printed");
	m = aiops_match_parse(hostile, strlen(hostile), err, sizeof(err));
	t = aiops_match_to_text(m, 0);
	m2 = aiops_match_parse(t, strlen(t), err, sizeof(err));
	ok(m2 != NULL, "to-text parses back");
	t2 = m2 ? aiops_match_to_text(m2, 0) : xstrdup("");
	is_str(t2, t, "to-text of to-text is the same");
	{
		json_t *l = json_pack("{s:s,s:s}", "a", "q\"uo\te\nnl7", "we.ird", "x");
		is_int(aiops_match_eval(m2, l, 0), 1, "round-tripped matcher still matches the value");
		json_decref(l);
	}
	free(t);
	free(t2);
	aiops_match_free(m);
	aiops_match_free(m2);
	is_str(am_text("{}", 0), "{}", "empty set text");
	is_str(am_text("", AIOPS_MATCH_TEXT_BARE), "", "empty bare text");
}

static void
test_am_errors(void)
{
	is_str(am_err("a=~\"(\""), "matcher 'a=~\"(\"': missing closing parenthesis at column 6",
	    "regex error with its column");
	is_str(am_err("a=~\"\\\\\\\\(\""),
	    "matcher 'a=~\"\\\\\\\\(\"': missing closing parenthesis at column 10",
	    "column counts the escape's two characters");
	is_str(am_err("é=~\"[\""), "matcher 'é=~\"[\"': missing terminating ] for character class at column 6",
	    "column in characters, not bytes");
	is_str(am_err("{a=\"x\""), "matcher '{a=\"x\"': missing } at column 7", "missing }");
	is_str(am_err("a=\"x"), "matcher 'a=\"x': unterminated quoted string at column 3",
	    "unterminated quote");
	is_str(am_err("a~x"), "matcher 'a~x': expected =, !=, =~ or !~ at column 2", "bad operator");
	is_str(am_err("{=x}"), "matcher '{=x}': expected a label name at column 2", "no name");
	is_str(am_err("\"\"=x"), "matcher '\"\"=x': empty label name at column 1", "empty name");
	is_str(am_err("a=\"x\" b=\"y\""), "matcher 'a=\"x\" b=\"y\"': expected , or } after a matcher at column 7",
	    "missing comma");
	is_str(am_err("{a=x}}"), "matcher '{a=x}}': unexpected text after } at column 6", "text after }");
	is_str(am_err("a=x}"), "matcher 'a=x}': unexpected } at column 4", "unopened }");
	is_str(am_err("{a=x,,b=y}"), "matcher '{a=x,,b=y}': expected a label name at column 6",
	    "double comma");
	is_str(am_err("a=\"\xff\""), "matcher 'a=\"\xff\"': value is not valid UTF-8 at column 4",
	    "invalid UTF-8 value");
	ok(strstr(am_err("a=~\"(?<=a+)b\""), "lookbehind") != NULL, "PCRE2's own message: %s", err);
	{
		char *big = xmalloc(300);

		memset(big, 'x', 299);
		big[299] = '\0';
		big[0] = '(';
		ok(strlen(am_err(big)) < 160 && strstr(err, "...'") != NULL,
		    "a long text is quoted cut short: %s", err);
		free(big);
	}
	{
		struct aiops_match *m = aiops_match_parse("a=x", 3, err, sizeof(err));

		is_int(aiops_match_parse_add(m, "b=\"y\"", 5, err, sizeof(err)), 0, "parse_add appends");
		is_int(aiops_match_parse_add(m, "c=\"z\",d=~\"(\"", 12, err, sizeof(err)), -1,
		    "parse_add fails on a bad item");
		is_int(aiops_match_count(m), 2, "and leaves the set as it was");
		aiops_match_free(m);
	}
}

static void
test_silence_json(void)
{
	json_t *j = json_loads("[{\"name\":\"a\",\"value\":\"x\",\"isRegex\":false},"
	    "{\"name\":\"b\",\"value\":\"y|z\",\"isRegex\":true,\"isEqual\":false},"
	    "{\"name\":\"c\",\"value\":\"\",\"isRegex\":false,\"isEqual\":false}]", 0, NULL);
	struct aiops_match *m = aiops_match_from_silence(j, err, sizeof(err));
	json_t *l, *back;
	char *t;

	ok(m != NULL, "silence matchers build");
	t = aiops_match_to_text(m, 0);
	is_str(t, "{a=\"x\",b!~\"y|z\",c!=\"\"}", "isEqual defaults to true; false negates");
	free(t);
	l = json_pack("{s:s,s:s,s:s}", "a", "x", "b", "w", "c", "1");
	is_int(aiops_match_eval(m, l, 0), 1, "silence matches");
	json_object_set_new(l, "b", json_string("z"));
	is_int(aiops_match_eval(m, l, 0), 0, "silence !~ excludes");
	json_decref(l);
	back = aiops_match_to_silence(m);
	{
		json_t *want = json_loads("{\"name\":\"b\",\"value\":\"y|z\",\"isRegex\":true,"
		    "\"isEqual\":false}", 0, NULL);

		ok(json_equal(json_array_get(back, 1), want), "to_silence gives the API object back");
		json_decref(want);
	}
	json_decref(back);
	aiops_match_free(m);
	json_decref(j);

	j = json_loads("[{\"name\":\"a\",\"value\":\"(\",\"isRegex\":true}]", 0, NULL);
	ok(aiops_match_from_silence(j, err, sizeof(err)) == NULL, "bad silence regex refused");
	is_str(err, "silence matcher [0] (a): missing closing parenthesis at offset 1",
	    "its error names the index");
	json_decref(j);
	j = json_loads("[{\"name\":\"a\",\"value\":\"x\",\"isRegex\":false},{\"value\":\"x\",\"isRegex\":false}]",
	    0, NULL);
	ok(aiops_match_from_silence(j, err, sizeof(err)) == NULL, "silence without a name refused");
	is_str(err, "silence matcher [1]: \"name\" is not a label name", "names index 1");
	json_decref(j);
	j = json_loads("{\"name\":\"a\",\"value\":\"x\"}", 0, NULL);
	ok(aiops_match_from_silence(j, err, sizeof(err)) == NULL, "isRegex is required");
	json_decref(j);
	j = json_loads("\"a=x\"", JSON_DECODE_ANY, NULL);
	ok(aiops_match_from_silence(j, err, sizeof(err)) == NULL, "a string is not matchers");
	json_decref(j);
}

static void
test_labels_equal(void)
{
	json_t *a = json_pack("{s:s,s:s}", "host", "h1", "dc", "x");
	json_t *b = json_pack("{s:s,s:s}", "host", "h1", "dc", "y");
	json_t *eq1 = json_pack("[s]", "host"), *eq2 = json_pack("[s,s]", "host", "dc");
	json_t *eq3 = json_pack("[s]", "missing"), *eq4 = json_pack("[s]", "dc");
	json_t *c = json_pack("{s:s}", "dc", ""), *none = json_object();

	is_int(aiops_match_labels_equal(a, b, eq1), 1, "equal: host same");
	is_int(aiops_match_labels_equal(a, b, eq2), 0, "equal: dc differs");
	is_int(aiops_match_labels_equal(a, b, eq3), 1, "equal: missing on both sides is equal");
	is_int(aiops_match_labels_equal(none, c, eq4), 1, "equal: missing == empty");
	json_decref(a); json_decref(b); json_decref(c); json_decref(none);
	json_decref(eq1); json_decref(eq2); json_decref(eq3); json_decref(eq4);
}

static void
test_st2_compare(void)
{
	is_int(op1("equals", "\"x\"", "\"x\""), 1, "equals string");
	is_int(op1("equals", "\"x\"", "\"y\""), 0, "equals other string");
	is_int(op1("equals", "1", "1.0"), 1, "equals 1 == 1.0");
	is_int(op1("equals", "1", "\"1\""), 0, "equals: 1 is not \"1\"");
	is_int(op1("equals", "[1,{\"a\":2}]", "[1.0,{\"a\":2}]"), 1, "equals deep");
	is_int(op1("equals", "\"x\"", NULL), 0, "equals absent");
	is_int(op1("equals", "\"x\"", "null"), 0, "equals null");
	is_int(op1("nequals", "\"x\"", "\"y\""), 1, "nequals");
	is_int(op1("nequals", "\"x\"", "\"x\""), 0, "nequals same");
	is_int(op1("nequals", "\"x\"", NULL), 1, "nequals absent (None != x)");
	is_int(op1("iequals", "\"ABC\"", "\"abc\""), 1, "iequals");
	is_int(op1("iequals", "\"ÉTÉ\"", "\"été\""), 1, "iequals Unicode");
	is_int(op1("iequals", "\"ab\"", "\"abc\""), 0, "iequals whole string");
	is_int(op1("iequals", "\"1\"", "1"), 0, "iequals a number");
	is_int(op1("iequals", "\"a.c\"", "\"abc\""), 0, "iequals is literal");
	is_int(op1("lessthan", "5", "4"), 1, "lessthan");
	is_int(op1("lessthan", "5", "5"), 0, "lessthan equal");
	is_int(op1("lessthan", "\"5\"", "\"4.5\""), 1, "lessthan numeric strings");
	is_int(op1("lessthan", "5", "\"abc\""), 0, "lessthan non-numeric string");
	is_int(op1("lessthan", "5", NULL), 0, "lessthan absent");
	is_int(op1("lessthan", "5", "true"), 0, "lessthan bool");
	is_int(op1("greaterthan", "5", "6e0"), 1, "greaterthan");
	is_int(op1("greaterthan", "5", "-6"), 0, "greaterthan false");
	is_int(op1("lt", "1", "0"), 1, "lt alias");
	is_int(op1("GreaterThan", "1", "2"), 1, "operator names ignore case");
}

static void
test_st2_strings(void)
{
	is_int(op1("matchwildcard", "\"web-*\"", "\"web-01\""), 1, "wildcard *");
	is_int(op1("matchwildcard", "\"web-*\"", "\"db-01\""), 0, "wildcard * false");
	is_int(op1("wildcard", "\"w?b\"", "\"web\""), 1, "wildcard alias, ?");
	is_int(op1("wildcard", "\"w?b\"", "\"weeb\""), 0, "? is one character");
	is_int(op1("wildcard", "\"h[0-9]\"", "\"h7\""), 1, "wildcard [range]");
	is_int(op1("wildcard", "\"h[!0-9]\"", "\"h7\""), 0, "wildcard [!range]");
	is_int(op1("wildcard", "\"a.b*\"", "\"axbc\""), 0, "wildcard dots are literal");
	is_int(op1("wildcard", "\"*/x\"", "\"a/b/x\""), 1, "* crosses /");
	is_int(op1("wildcard", "\"a[\"", "\"a[\""), 1, "unclosed [ is literal");
	is_int(op1("wildcard", "\"[]]\"", "\"]\""), 1, "[]] holds ]");
	is_int(op1("wildcard", "\"a\\\\b\"", "\"a\\\\b\""), 1, "backslash literal");
	is_int(op1("wildcard", "\"x*\"", "\"x\\nz\""), 1, "* crosses a newline");
	is_int(op1("wildcard", "\"é?\"", "\"éü\""), 1, "? is one UTF-8 character");
	is_int(op1("wildcard", "\"x\"", "5"), 0, "wildcard a number");
	is_int(op1("regex", "\"b+\"", "\"abbc\""), 1, "regex searches");
	is_int(op1("regex", "\"^b\"", "\"abc\""), 0, "regex ^ anchors");
	is_int(op1("regex", "\"a.c\"", "\"a\\nc\""), 1, "regex DOTALL");
	is_int(op1("regex", "\"x\"", NULL), 0, "regex absent");
	is_int(op1("iregex", "\"ERR\"", "\"an error\""), 1, "iregex");
	is_int(op1("iregex", "\"a.c\"", "\"A\\nC\""), 0, "iregex without DOTALL");
	is_int(op1("regex", "\"^\\\\w+$\"", "\"été\""), 1, "regex \\w is Unicode, as Python 3");
	is_int(am("a=~\"\\w+\"", "{\"a\":\"été\"}"), 0, "matcher \\w is ASCII, as Go");
	is_int(op1("matchregex", "\"b\"", "\"abc\""), 0, "matchregex anchors at the start");
	is_int(op1("matchregex", "\"a\"", "\"abc\""), 1, "matchregex");
	is_int(op1("contains", "\"ell\"", "\"hello\""), 1, "contains substring");
	is_int(op1("contains", "\"ELL\"", "\"hello\""), 0, "contains is case-sensitive");
	is_int(op1("contains", "\"b\"", "[\"a\",\"b\"]"), 1, "contains element");
	is_int(op1("contains", "\"b\"", "[\"abc\"]"), 0, "contains element, not substring");
	is_int(op1("contains", "2", "[1,2.0]"), 1, "contains number element");
	is_int(op1("contains", "\"k\"", "{\"k\":1}"), 1, "contains object key");
	is_int(op1("contains", "2", "\"123\""), 0, "contains number in string (TypeError)");
	is_int(op1("contains", "\"x\"", NULL), 0, "contains absent");
	is_int(op1("ncontains", "\"x\"", "\"abc\""), 1, "ncontains");
	is_int(op1("ncontains", "\"b\"", "\"abc\""), 0, "ncontains false");
	is_int(op1("ncontains", "\"x\"", NULL), 0, "ncontains absent (st2 raises)");
	is_int(op1("ncontains", "\"x\"", "[\"y\"]"), 1, "ncontains list");
	is_int(op1("icontains", "\"ELL\"", "\"hello\""), 1, "icontains");
	is_int(op1("icontains", "\"B\"", "[\"a\",\"b\"]"), 1, "icontains element");
	is_int(op1("icontains", "\"B\"", "[\"abc\"]"), 0, "icontains whole element");
	is_int(op1("icontains", "\"x\"", "\"abc\""), 0, "icontains false");
	is_int(op1("incontains", "\"X\"", "\"abc\""), 1, "incontains");
	is_int(op1("incontains", "\"B\"", "\"abc\""), 0, "incontains false");
	is_int(op1("incontains", "\"B\"", NULL), 0, "incontains absent");
	is_int(op1("startswith", "\"ab\"", "\"abc\""), 1, "startswith");
	is_int(op1("startswith", "\"bc\"", "\"abc\""), 0, "startswith false");
	is_int(op1("startswith", "\"abcd\"", "\"abc\""), 0, "startswith longer");
	is_int(op1("istartswith", "\"AB\"", "\"abc\""), 1, "istartswith");
	is_int(op1("istartswith", "\"BC\"", "\"abc\""), 0, "istartswith false");
	is_int(op1("endswith", "\"bc\"", "\"abc\""), 1, "endswith");
	is_int(op1("endswith", "\"ab\"", "\"abc\""), 0, "endswith false");
	is_int(op1("iendswith", "\"BC\"", "\"abc\""), 1, "iendswith");
	is_int(op1("iendswith", "\"AB\"", "\"abc\""), 0, "iendswith false");
	is_int(op1("endswith", "\"1\"", "1"), 0, "endswith a number");
}

static void
test_st2_presence(void)
{
	is_int(op1("exists", "null", "0"), 1, "exists 0");
	is_int(op1("exists", "null", "\"\""), 1, "exists empty string");
	is_int(op1("exists", "null", "null"), 0, "exists null (None)");
	is_int(op1("exists", "null", NULL), 0, "exists absent");
	is_int(op1("nexists", "null", NULL), 1, "nexists absent");
	is_int(op1("nexists", "null", "false"), 0, "nexists false value");
	is_int(op1("inside", "[\"a\",\"b\"]", "\"b\""), 1, "inside list");
	is_int(op1("inside", "[\"a\",\"b\"]", "\"c\""), 0, "inside list false");
	is_int(op1("inside", "[1,2]", "2.0"), 1, "inside list number");
	is_int(op1("inside", "\"abcdef\"", "\"cde\""), 1, "inside string");
	is_int(op1("inside", "\"abcdef\"", "\"x\""), 0, "inside string false");
	is_int(op1("inside", "\"abc\"", "1"), 0, "inside string, number value");
	is_int(op1("inside", "[null]", NULL), 1, "absent is None, in [None]");
	is_int(op1("ninside", "[\"a\"]", "\"b\""), 1, "ninside");
	is_int(op1("ninside", "[\"a\"]", "\"a\""), 0, "ninside false");
	is_int(op1("ninside", "\"abc\"", "\"x\""), 1, "ninside string");
	is_int(op1("ninside", "\"abc\"", NULL), 0, "ninside string, absent (TypeError)");
	is_int(op1("ninside", "[\"a\"]", NULL), 1, "ninside list, absent");
}

static void
test_st2_time(void)
{
	const int64_t now = 1767225600LL * 1000000000LL;	/* 2026-01-01T00:00:00Z */

	is_int(crn("{\"t\":{\"type\":\"timediff_lt\",\"pattern\":60}}",
	    "{\"t\":\"2025-12-31T23:59:30Z\"}", now), 1, "timediff_lt RFC 3339, 30 s ago");
	is_int(crn("{\"t\":{\"type\":\"timediff_lt\",\"pattern\":60}}",
	    "{\"t\":\"2025-12-31T23:58:30Z\"}", now), 0, "timediff_lt 90 s ago");
	is_int(crn("{\"t\":{\"type\":\"timediff_gt\",\"pattern\":60}}",
	    "{\"t\":\"2025-12-31T23:58:30+00:00\"}", now), 1, "timediff_gt 90 s ago");
	is_int(crn("{\"t\":{\"type\":\"timediff_gt\",\"pattern\":\"60\"}}",
	    "{\"t\":1767225500}", now), 1, "timediff_gt Unix seconds, 100 s ago");
	is_int(crn("{\"t\":{\"type\":\"timediff_lt\",\"pattern\":60}}",
	    "{\"t\":\"1767225590.5\"}", now), 1, "timediff_lt numeric string");
	is_int(crn("{\"t\":{\"type\":\"timediff_lt\",\"pattern\":60}}",
	    "{\"t\":\"2026-01-01T00:00:30Z\"}", now), 1, "a future time is a negative diff");
	is_int(crn("{\"t\":{\"type\":\"timediff_lt\",\"pattern\":60}}", "{\"t\":\"soon\"}", now), 0,
	    "timediff_lt unparsable time");
	is_int(crn("{\"t\":{\"type\":\"timediff_gt\",\"pattern\":60}}", "{}", now), 0,
	    "timediff_gt absent");
	is_int(crn("{\"t\":{\"type\":\"td_gt\",\"pattern\":60}}", "{\"t\":0}", now), 1,
	    "td_gt alias, the epoch");
}

static void
test_st2_paths(void)
{
	const char *ev = "{\"labels\":{\"host\":\"db1\",\"a.b\":\"dot\"},"
	    "\"list\":[{\"n\":\"x\"},{\"n\":\"y\",\"sub\":[10,20]}],\"obj\":{\"0\":\"zero\"},"
	    "\"trigger\":{\"x\":1},\"nul\":null}";

	is_int(cr("{\"labels.host\":{\"type\":\"equals\",\"pattern\":\"db1\"}}", ev), 1, "nested path");
	is_int(cr("{\"trigger.labels.host\":{\"type\":\"equals\",\"pattern\":\"db1\"}}", ev), 1,
	    "trigger. prefix ignored");
	is_int(cr("{\"trigger.trigger.x\":{\"type\":\"equals\",\"pattern\":1}}", ev), 1,
	    "a field named trigger is trigger.trigger");
	is_int(cr("{\"list[1].n\":{\"type\":\"equals\",\"pattern\":\"y\"}}", ev), 1, "[N] index");
	is_int(cr("{\"list.1.n\":{\"type\":\"equals\",\"pattern\":\"y\"}}", ev), 1, ".N index");
	is_int(cr("{\"list[1].sub[1]\":{\"type\":\"equals\",\"pattern\":20}}", ev), 1, "two indexes");
	is_int(cr("{\"list[1].sub.1\":{\"type\":\"equals\",\"pattern\":20}}", ev), 1, "index after index");
	is_int(cr("{\"list[5].n\":{\"type\":\"exists\"}}", ev), 0, "index past the end");
	is_int(cr("{\"obj.0\":{\"type\":\"equals\",\"pattern\":\"zero\"}}", ev), 1,
	    ".0 on an object is the key \"0\"");
	is_int(cr("{\"obj[0]\":{\"type\":\"exists\"}}", ev), 0, "[0] on an object is nothing");
	is_int(cr("{\"labels.\\\"a.b\\\"\":{\"type\":\"equals\",\"pattern\":\"dot\"}}", ev), 1,
	    "quoted component with a dot");
	is_int(cr("{\"labels.host.x\":{\"type\":\"exists\"}}", ev), 0, "descending into a string");
	is_int(cr("{\"nul.x\":{\"type\":\"nexists\"}}", ev), 1, "descending into null");
	is_int(cr("{\"missing.deep.path\":{\"type\":\"nexists\"}}", ev), 1, "absent chain");
	is_int(cr("{\"trigger\":{\"type\":\"contains\",\"pattern\":\"labels\"}}", ev), 1,
	    "trigger alone is the event");
	is_int(cr("[{\"labels.host\":{\"type\":\"startswith\",\"pattern\":\"db\"}},"
	    "{\"labels.host\":{\"type\":\"endswith\",\"pattern\":\"1\"}}]", ev), 1,
	    "array form, one path twice");
	is_int(cr("[{\"labels.host\":{\"type\":\"startswith\",\"pattern\":\"db\"}},"
	    "{\"labels.host\":{\"type\":\"endswith\",\"pattern\":\"2\"}}]", ev), 0, "array form ANDed");
	is_int(cr("{\"labels.host\":{\"type\":\"equals\",\"pattern\":\"db1\"},"
	    "\"list[0].n\":{\"type\":\"equals\",\"pattern\":\"nope\"}}", ev), 0, "object form ANDed");
	is_int(cr("{}", ev), 1, "no criteria: true");
	is_int(cr("{\"a\":{\"type\":\"nexists\"}}", "[1]"), 1, "a non-object event has no fields");
}

static void
test_st2_search(void)
{
	const char *ev = "{\"issue_fields\":[{\"field_name\":\"Status\",\"to_value\":\"Approved\"},"
	    "{\"field_name\":\"Assignee\",\"to_value\":\"Stanley\"}],\"tags\":[\"a\",\"b\"],\"none\":[]}";
	const char *any = "{\"trigger.issue_fields\":{\"type\":\"search\",\"condition\":\"%s\","
	    "\"pattern\":{\"item.field_name\":{\"type\":\"equals\",\"pattern\":\"Status\"},"
	    "\"item.to_value\":{\"type\":\"equals\",\"pattern\":\"Approved\"}}}}";
	char c[1024];

	(void)snprintf(c, sizeof(c), any, "any");
	is_int(cr(c, ev), 1, "search any: one item matches all children");
	(void)snprintf(c, sizeof(c), any, "all");
	is_int(cr(c, ev), 0, "search all: not every item");
	(void)snprintf(c, sizeof(c), any, "any2any");
	is_int(cr(c, ev), 1, "search any2any");
	(void)snprintf(c, sizeof(c), any, "all2any");
	is_int(cr(c, ev), 0, "search all2any: Assignee/Stanley matches no child");
	is_int(cr("{\"issue_fields\":{\"type\":\"search\",\"condition\":\"all2any\",\"pattern\":"
	    "{\"item.field_name\":{\"type\":\"equals\",\"pattern\":\"Status\"},"
	    "\"item.to_value\":{\"type\":\"equals\",\"pattern\":\"Stanley\"}}}}", ev), 1,
	    "search all2any: each item matches some child");
	is_int(cr("{\"issue_fields\":{\"type\":\"search\",\"condition\":\"all\",\"pattern\":"
	    "{\"item.to_value\":{\"type\":\"regex\",\"pattern\":\"^[AS]\"}}}}", ev), 1,
	    "search all: every item");
	is_int(cr("{\"tags\":{\"type\":\"search\",\"condition\":\"any\",\"pattern\":"
	    "{\"item\":{\"type\":\"equals\",\"pattern\":\"b\"}}}}", ev), 1, "search over scalars: item");
	is_int(cr("{\"none\":{\"type\":\"search\",\"condition\":\"all\",\"pattern\":"
	    "{\"item\":{\"type\":\"equals\",\"pattern\":\"b\"}}}}", ev), 1,
	    "search all over [] is true (Python's all)");
	is_int(cr("{\"none\":{\"type\":\"search\",\"condition\":\"any\",\"pattern\":"
	    "{\"item\":{\"type\":\"equals\",\"pattern\":\"b\"}}}}", ev), 0, "search any over [] is false");
	is_int(cr("{\"missing\":{\"type\":\"search\",\"condition\":\"all\",\"pattern\":"
	    "{\"item\":{\"type\":\"equals\",\"pattern\":\"b\"}}}}", ev), 0, "search over absent is false");
	is_int(cr("{\"x\":{\"type\":\"search\",\"condition\":\"any\",\"pattern\":"
	    "{\"item.l\":{\"type\":\"search\",\"condition\":\"any\",\"pattern\":"
	    "{\"item\":{\"type\":\"gt\",\"pattern\":2}}}}}}", "{\"x\":[{\"l\":[1]},{\"l\":[1,3]}]}"), 1,
	    "nested search");
}

static void
test_st2_errors(void)
{
	is_str(cr_err("{\"trigger.x\":{\"type\":\"regex\",\"pattern\":\"(\"}}"),
	    "criteria 'trigger.x' (regex): missing closing parenthesis at offset 1", "bad regex");
	is_str(cr_err("{\"x\":{\"type\":\"bogus\",\"pattern\":1}}"),
	    "criteria 'x' (bogus): unknown operator", "unknown operator");
	is_str(cr_err("{\"x\":{\"type\":\"lessthan\",\"pattern\":\"abc\"}}"),
	    "criteria 'x' (lessthan): pattern is not a number", "lessthan not a number");
	is_str(cr_err("{\"x\":{\"type\":\"startswith\",\"pattern\":1}}"),
	    "criteria 'x' (startswith): pattern is not a string", "startswith wants a string");
	is_str(cr_err("{\"x\":{\"type\":\"inside\",\"pattern\":{}}}"),
	    "criteria 'x' (inside): pattern is not a list or a string", "inside wants a list");
	is_str(cr_err("{\"x\":{\"type\":\"equals\"}}"),
	    "criteria 'x' (equals): no pattern (st2 would never match)", "missing pattern");
	is_str(cr_err("{\"x\":{\"pattern\":1}}"), "criteria 'x' (?): no type", "missing type");
	is_str(cr_err("{\"x\":\"equals\"}"), "criteria 'x' (?): not an object {type, pattern}",
	    "criterion not an object");
	is_str(cr_err("{\"x\":{\"type\":\"search\",\"pattern\":{}}}"),
	    "criteria 'x' (search): search needs a condition: any, all, any2any or all2any",
	    "search without condition");
	is_str(cr_err("{\"x\":{\"type\":\"search\",\"condition\":\"some\",\"pattern\":{}}}"),
	    "criteria 'x' (search): condition is not any, all, any2any or all2any", "bad condition");
	is_str(cr_err("{\"x\":{\"type\":\"search\",\"condition\":\"any\",\"pattern\":"
	    "{\"item.y\":{\"type\":\"regex\",\"pattern\":\"[\"}}}}"),
	    "criteria 'item.y' (regex): missing terminating ] for character class at offset 1",
	    "bad regex in a search child");
	is_str(cr_err("{\"a..b\":{\"type\":\"exists\"}}"),
	    "criteria 'a..b' (exists): empty component in the path", "empty path component");
	is_str(cr_err("{\"a[x]\":{\"type\":\"exists\"}}"),
	    "criteria 'a[x]' (exists): expected [digits] in the path", "bad index");
	is_str(cr_err("{\"a.\":{\"type\":\"exists\"}}"), "criteria 'a.' (exists): path ends with .",
	    "trailing dot");
	is_str(cr_err("{\"\":{\"type\":\"exists\"}}"), "criteria '' (exists): empty path", "empty path");
	is_str(cr_err("{\"a\\\"b\":{\"type\":\"exists\"}}"), "", "a quote inside a component is literal");
	is_str(cr_err("{\"\\\"a\":{\"type\":\"exists\"}}"),
	    "criteria '\"a' (exists): unterminated quote in the path", "unterminated quote");
	is_str(cr_err("[1]"), "criteria [0]: not an object", "array of non-objects");
	is_str(cr_err("1"), "criteria: not an object or an array of objects", "not criteria");
	{
		/* 20 nested searches */
		struct aiops_buf b = AIOPS_BUF_INIT;
		int i;

		for (i = 0; i < 20; i++)
			aiops_buf_addstr(&b, "{\"x\":{\"type\":\"search\",\"condition\":\"any\",\"pattern\":");
		aiops_buf_addstr(&b, "{\"x\":{\"type\":\"exists\"}}");
		for (i = 0; i < 20; i++)
			aiops_buf_addstr(&b, "}}");
		ok(strstr(cr_err(b.data), "nested too deeply") != NULL, "search depth bounded: %s", err);
		aiops_buf_release(&b);
	}
}

static void
test_st2_text(void)
{
	const char *c = "{\"trigger.a\":{\"type\":\"wildcard\",\"pattern\":\"x*\"},"
	    "\"b\":{\"type\":\"exists\",\"pattern\":5},\"n\":{\"type\":\"lt\",\"pattern\":1.5},"
	    "\"s\":{\"type\":\"search\",\"condition\":\"ANY\",\"pattern\":{\"item\":{\"type\":\"eq\",\"pattern\":[1]}}}}";
	char *t1;

	is_str(cr_text(c), "{\"trigger.a\":{\"type\":\"matchwildcard\",\"pattern\":\"x*\"},"
	    "\"b\":{\"type\":\"exists\"},\"n\":{\"type\":\"lessthan\",\"pattern\":1.5},"
	    "\"s\":{\"type\":\"search\",\"condition\":\"any\",\"pattern\":{\"item\":{\"type\":\"equals\","
	    "\"pattern\":[1]}}}}", "criteria canonical text");
	t1 = xstrdup(cr_text(c));
	is_str(cr_text(t1), t1, "criteria text builds back to itself");
	free(t1);
	is_str(cr_text("[{\"a\":{\"type\":\"exists\"}},{\"a\":{\"type\":\"equals\",\"pattern\":1}}]"),
	    "[{\"a\":{\"type\":\"exists\"}},{\"a\":{\"type\":\"equals\",\"pattern\":1}}]",
	    "a repeated path prints as the array form");
}

/* A value of 1 MB, as a label and as an event field. */
static void
test_big(void)
{
	size_t n = 1 << 20;
	char *v = xmalloc(n + 1);
	json_t *l;
	struct aiops_match *m;
	char *text;

	memset(v, 'b', n);
	v[n] = '\0';
	v[n - 1] = 'z';
	l = json_pack("{s:s}", "a", v);
	m = aiops_match_parse("a=~\"b.*z\"", 9, err, sizeof(err));
	is_int(aiops_match_eval(m, l, 0), 1, "1 MB label value, =~ b.*z");
	aiops_match_free(m);
	m = aiops_match_parse("a=~\"b+\"", 7, err, sizeof(err));
	is_int(aiops_match_eval(m, l, 0), 0, "1 MB label value, =~ b+ (ends with z)");
	is_int(aiops_match_limit_hits(m), 0, "no limit hit on 1 MB");
	aiops_match_free(m);
	/* A matcher text whose value is 1 MB. */
	xasprintf(&text, "a=\"%s\"", v);
	m = aiops_match_parse(text, strlen(text), err, sizeof(err));
	is_int(aiops_match_eval(m, l, 0), 1, "1 MB matcher value");
	aiops_match_free(m);
	free(text);
	json_decref(l);
	l = json_pack("{s:{s:s}}", "x", "y", v);
	{
		json_t *c = json_pack("{s:{s:s,s:s}}", "x.y", "type", "icontains", "pattern", "BZ");
		struct aiops_match *cm = aiops_match_criteria(c, err, sizeof(err));

		is_int(aiops_match_eval(cm, l, 0), 1, "1 MB event field, icontains");
		aiops_match_free(cm);
		json_decref(c);
	}
	json_decref(l);
	free(v);
}

/* An exponential regex hits the match limit: no match, counted, quick. */
static void
test_limit(void)
{
	char subject[64];
	struct aiops_match *m;
	json_t *l, *c;
	clock_t t0;
	double secs;

	memset(subject, 'a', 40);
	memcpy(subject + 40, "bx", 3);	/* b is there: no quick refusal */
	l = json_pack("{s:s}", "a", subject);
	m = aiops_match_parse("a=~\"(a|a)*b\"", 12, err, sizeof(err));
	t0 = clock();
	is_int(aiops_match_eval(m, l, 0), 0, "catastrophic regex: no match");
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	is_int(aiops_match_limit_hits(m), 1, "and the limit hit is counted");
	ok(secs < 2.0, "within the limit's time (%.3f s)", secs);
	aiops_match_free(m);
	m = aiops_match_parse("a!~\"(a|a)*b\"", 12, err, sizeof(err));
	is_int(aiops_match_eval(m, l, 0), 0, "!~ that hits the limit is false too (never widens)");
	is_int(aiops_match_limit_hits(m), 1, "counted");
	aiops_match_free(m);
	json_decref(l);
	c = json_pack("{s:{s:s,s:s}}", "f", "type", "regex", "pattern", "^(a|a)*b$");
	m = aiops_match_criteria(c, err, sizeof(err));
	l = json_pack("{s:s}", "f", subject);
	is_int(aiops_match_eval(m, l, 0), 0, "criteria regex at the limit: false");
	is_int(aiops_match_limit_hits(m), 1, "counted for criteria");
	aiops_match_free(m);
	json_decref(c);
	json_decref(l);
}

/* Many threads evaluate one match at once: same answers, exact count. */
#define NTHREADS	4
#define NROUNDS		50

struct shared {
	struct aiops_match	*m;
	json_t			*hit, *miss, *slow;
	int			 wrong;
};

static void *
evaluator(void *arg)
{
	struct shared *sh = arg;
	int i;

	for (i = 0; i < NROUNDS; i++)
		if (aiops_match_eval(sh->m, sh->hit, 0) != 1 ||
		    aiops_match_eval(sh->m, sh->miss, 0) != 0 ||
		    aiops_match_eval(sh->m, sh->slow, 0) != 0)
			__atomic_add_fetch(&sh->wrong, 1, __ATOMIC_RELAXED);
	return NULL;
}

static void
test_threads(void)
{
	const char *text = "{a=~\"(a|a)*b|x.*\", b!=\"no\"}";
	struct shared sh = { NULL, NULL, NULL, NULL, 0 };
	pthread_t t[NTHREADS];
	int i;

	sh.m = aiops_match_parse(text, strlen(text), err, sizeof(err));
	sh.hit = json_pack("{s:s}", "a", "xyz");
	sh.miss = json_pack("{s:s,s:s}", "a", "xyz", "b", "no");
	sh.slow = json_pack("{s:s}", "a", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaabx");
	for (i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, evaluator, &sh);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	is_int(sh.wrong, 0, "%d threads x %d rounds: same answers", NTHREADS, NROUNDS);
	is_int(aiops_match_limit_hits(sh.m), NTHREADS * NROUNDS, "every limit hit counted once");
	json_decref(sh.hit);
	json_decref(sh.miss);
	json_decref(sh.slow);
	aiops_match_free(sh.m);
}

int
main(void)
{
	test_am_operators();
	test_am_sets();
	test_am_text();
	test_am_errors();
	test_silence_json();
	test_labels_equal();
	test_st2_compare();
	test_st2_strings();
	test_st2_presence();
	test_st2_time();
	test_st2_paths();
	test_st2_search();
	test_st2_errors();
	test_st2_text();
	test_big();
	test_limit();
	test_threads();
	return tap_done();
}
