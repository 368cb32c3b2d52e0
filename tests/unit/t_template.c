/*
 * t_template.c: lib/match/template: each construct and function, Go's
 * truthiness and printing, range order, trim markers, every escaper,
 * Alertmanager's default notification templates over a two-alert group,
 * errors with line:column, nesting, and the output and step limits.
 * tests/template.bats compares the same engine with Go byte for byte.
 */
#include "compat.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "match/template.h"
#include "tap.h"

/* A two-alert group as Alertmanager's template.Data has it, in JSON. */
static const char group_json[] =
    "{\"Receiver\":\"team-x\",\"Status\":\"firing\",\"ExternalURL\":\"http://am:9093\","
    "\"GroupLabels\":{\"alertname\":\"DiskFull\"},"
    "\"CommonLabels\":{\"alertname\":\"DiskFull\",\"severity\":\"critical\"},"
    "\"CommonAnnotations\":{},"
    "\"Alerts\":["
    "{\"Status\":\"firing\",\"Labels\":{\"alertname\":\"DiskFull\",\"host\":\"db1\",\"severity\":\"critical\"},"
    "\"Annotations\":{\"summary\":\"/ at 97%\",\"description\":\"db1 <root> & \\\"fs\\\"\"},"
    "\"StartsAt\":\"2024-03-01T10:00:00Z\",\"EndsAt\":\"0001-01-01T00:00:00Z\","
    "\"GeneratorURL\":\"http://prom/graph?g0.expr=x\",\"Fingerprint\":\"0123456789abcdef\"},"
    "{\"Status\":\"resolved\",\"Labels\":{\"alertname\":\"DiskFull\",\"host\":\"db2\",\"severity\":\"critical\"},"
    "\"Annotations\":{\"summary\":\"/ at 91%\"},"
    "\"StartsAt\":\"2024-03-01T09:00:00Z\",\"EndsAt\":\"2024-03-01T09:30:00Z\","
    "\"GeneratorURL\":\"http://prom/graph?g0.expr=y\",\"Fingerprint\":\"fedcba9876543210\"}],"
    "\"n\":[3,1,2],\"m\":{\"b\":2,\"a\":1,\"c\":{\"z\":true}},\"s\":\"h\xc3\xa9llo\",\"num\":42,"
    "\"f\":2.5,\"e\":\"\",\"z\":0,\"zf\":0.0,\"t\":true,\"no\":false,\"null\":null,"
    "\"arr0\":[],\"obj0\":{},\"big\":1234567.0}";

/* From Alertmanager's template/default.tmpl, as its users know it. */
static const char am_default[] =
    "{{ define \"__alertmanager\" }}Alertmanager{{ end }}\n"
    "{{ define \"__alertmanagerURL\" }}{{ .ExternalURL }}/#/alerts?receiver={{ .Receiver | urlquery }}{{ end }}\n"
    "{{ define \"__subject\" }}[{{ .Status | toUpper }}{{ if eq .Status \"firing\" }}:{{ .Alerts.Firing | len }}{{ end }}]"
    " {{ .GroupLabels.SortedPairs.Values | join \" \" }} {{ if gt (len .CommonLabels) (len .GroupLabels) }}"
    "({{ with .CommonLabels.Remove .GroupLabels.Names }}{{ .Values | join \" \" }}{{ end }}){{ end }}{{ end }}\n"
    "{{ define \"__description\" }}{{ end }}\n"
    "{{ define \"__text_alert_list\" }}{{ range . }}Labels:\n"
    "{{ range .Labels.SortedPairs }} - {{ .Name }} = {{ .Value }}\n"
    "{{ end }}Annotations:\n"
    "{{ range .Annotations.SortedPairs }} - {{ .Name }} = {{ .Value }}\n"
    "{{ end }}Source: {{ .GeneratorURL }}\n"
    "{{ end }}{{ end }}\n"
    "{{ define \"slack.default.title\" }}{{ template \"__subject\" . }}{{ end }}\n"
    "{{ define \"slack.default.username\" }}{{ template \"__alertmanager\" . }}{{ end }}\n"
    "{{ define \"slack.default.fallback\" }}{{ template \"slack.default.title\" . }} | {{ template \"slack.default.titlelink\" . }}{{ end }}\n"
    "{{ define \"slack.default.titlelink\" }}{{ template \"__alertmanagerURL\" . }}{{ end }}\n"
    "{{ define \"email.default.subject\" }}{{ template \"__subject\" . }}{{ end }}\n"
    "{{ define \"pagerduty.default.description\" }}{{ template \"__subject\" . }}{{ end }}\n"
    "{{ define \"pagerduty.default.instances\" }}{{ template \"__text_alert_list\" . }}{{ end }}\n";

static json_t *data;
static char last_err[512];

/* Renders text with data under esc; the output, or "ERR" with last_err set. */
static char *
render_env(const char *text, const struct aiops_tpl_env *env)
{
	struct aiops_tpl *t = aiops_tpl_new();
	struct aiops_buf out = AIOPS_BUF_INIT;
	char *res;

	last_err[0] = '\0';
	if (aiops_tpl_add(t, "t", text, strlen(text), last_err, sizeof(last_err)) < 0 ||
	    aiops_tpl_render(t, "t", data, env, &out, last_err, sizeof(last_err)) < 0) {
		aiops_buf_release(&out);
		aiops_tpl_free(t);
		return strdup("ERR");
	}
	aiops_tpl_free(t);
	res = strdup(out.data != NULL ? out.data : "");
	aiops_buf_release(&out);
	return res;
}

static char *
render_esc(const char *text, enum aiops_tpl_escape esc)
{
	struct aiops_tpl_env env;

	memset(&env, 0, sizeof(env));
	env.escape = esc;
	env.now_ns = 1709290000LL * 1000000000LL;	/* 2024-03-01T10:46:40Z */
	return render_env(text, &env);
}

#define R(text, want, ...) do {						\
	char *r_ = render_esc((text), AIOPS_TPL_ESC_NONE);		\
	is_str(r_, (want), __VA_ARGS__);				\
	if (strcmp(r_, "ERR") == 0 && strcmp((want), "ERR") != 0)	\
		printf("#   error: %s\n", last_err);			\
	free(r_);							\
} while (0)

#define E(text, want_err, ...) do {					\
	char *r_ = render_esc((text), AIOPS_TPL_ESC_NONE);		\
	is_str(r_, "ERR", __VA_ARGS__);					\
	is_str(last_err, (want_err), "  message: %s", last_err);	\
	free(r_);							\
} while (0)

static void
test_text_and_trim(void)
{
	R("plain text", "plain text", "text alone");
	R("", "", "empty template");
	R("a  {{- .s -}}  b", "ah\xc3\xa9llob", "trim markers take spaces on both sides");
	R("a\n\t {{- \"x\" }} \n", "ax \n", "left trim only");
	R("{{- 3 -}}", "3", "trim at both ends of the input");
	R("{{-3}}", "-3", "{{-3}} is the number -3, not a trim");
	R("x {{/* a comment */}} y", "x  y", "comment vanishes");
	R("x {{- /* trimmed */ -}} y", "xy", "comment with trim markers");
	R("{{/* multi\nline */}}z", "z", "multi-line comment");
	R("a{{\n.num\n}}b", "a42b", "newlines inside an action");
}

static void
test_fields_and_values(void)
{
	R("{{ .num }} {{ .f }} {{ .s }} {{ .t }} {{ .no }}", "42 2.5 h\xc3\xa9llo true false",
	    "scalars print as Go prints them");
	R("{{ .missing }}|{{ .m.missing }}|{{ .missing.deeper }}", "<no value>|<no value>|<no value>",
	    "missing keys give Go's <no value>");
	R("{{ .null }}", "<no value>", "null in a pipeline is <no value>");
	R("{{ .n }} {{ .m }}", "[3 1 2] map[a:1 b:2 c:map[z:true]]", "arrays and maps as Go's %%v");
	R("{{ .big }}", "1.234567e+06", "a float from 1e6 prints in exponent form as Go's %%v");
	R("{{ 1e3 }} {{ 0.5 }} {{ .5 }} {{ 1e-7 }} {{ 100000.0 }}", "1000 0.5 0.5 1e-07 100000",
	    "float literals");
	R("{{ 0x1F }} {{ 017 }} {{ 0o17 }} {{ 0b101 }} {{ 1_000 }} {{ 'a' }} {{ '\\n' }}",
	    "31 15 15 5 1000 97 10", "integer literals in Go's bases, runes");
	R("{{ \"a\\tb\\x41\\101\\u00e9\" }}|{{ `raw\\n` }}", "a\tbAA\xc3\xa9|raw\\n",
	    "string escapes and raw strings");
	R("{{ true }} {{ false }}", "true false", "booleans");
	R("{{ . | len }}", "21", "dot is the data");
	R("{{ $.num }}", "42", "$ is the data");
	R("{{ (index .Alerts 0).Labels.host }}", "db1", "fields of a parenthesised pipeline");
	E("{{ .s.x }}", "template: t:1:3: executing \"t\" at <.s.x>: can't evaluate field x in type string",
	    "a field of a string is an error");
	E("{{ .null.x }}", "template: t:1:3: executing \"t\" at <.null.x>: nil pointer evaluating interface {}.x",
	    "a field of null is an error");
	E("{{ .s 1 }}", "template: t:1:3: executing \"t\" at <.s 1>: s is not a method but has arguments",
	    "arguments to a field");
}

static void
test_truth(void)
{
	R("{{ if .e }}T{{ else }}F{{ end }}{{ if .z }}T{{ else }}F{{ end }}"
	  "{{ if .zf }}T{{ else }}F{{ end }}{{ if .null }}T{{ else }}F{{ end }}"
	  "{{ if .missing }}T{{ else }}F{{ end }}{{ if .arr0 }}T{{ else }}F{{ end }}"
	  "{{ if .obj0 }}T{{ else }}F{{ end }}{{ if .no }}T{{ else }}F{{ end }}",
	    "FFFFFFFF", "false, 0, 0.0, \"\", null, missing, [] and {} are false");
	R("{{ if .s }}T{{ end }}{{ if .num }}T{{ end }}{{ if .n }}T{{ end }}{{ if .m }}T{{ end }}"
	  "{{ if .t }}T{{ end }}{{ if .f }}T{{ end }}", "TTTTTT", "everything else is true");
	R("{{ not .e }} {{ not .s }}", "true false", "not");
	R("{{ and 1 0 2 }} {{ and 1 2 }} {{ or 0 \"\" \"z\" }} {{ or 0 \"\" }}", "0 2 z ",
	    "and/or return the deciding value");
	R("{{ or .s .missing.x.y }}", "h\xc3\xa9llo", "or stops at the first true value");
}

static void
test_control(void)
{
	R("{{ if eq .num 1 }}one{{ else if eq .num 42 }}forty-two{{ else }}other{{ end }}",
	    "forty-two", "if / else if / else");
	R("{{ with .s }}{{ . }}{{ end }}{{ with .e }}x{{ else }}empty{{ end }}", "h\xc3\xa9lloempty",
	    "with sets dot; else when false");
	R("{{ with .e }}a{{ else with .s }}{{ . }}{{ end }}", "h\xc3\xa9llo", "else with");
	R("{{ range .n }}{{ . }},{{ end }}", "3,1,2,", "range over an array");
	R("{{ range $i, $v := .n }}{{ $i }}={{ $v }} {{ end }}", "0=3 1=1 2=2 ", "range with index");
	R("{{ range $v := .n }}{{ $v }}{{ end }}", "312", "range with one variable: the element");
	R("{{ range $k, $v := .m }}{{ $k }}:{{ $v }};{{ end }}", "a:1;b:2;c:map[z:true];",
	    "range over an object in sorted key order");
	R("{{ range .arr0 }}x{{ else }}none{{ end }}", "none", "range else on empty");
	R("{{ range .missing }}x{{ else }}none{{ end }}", "none", "range else on missing");
	R("{{ range .n }}{{ if eq . 1 }}{{ continue }}{{ end }}{{ if eq . 2 }}{{ break }}{{ end }}{{ . }}{{ end }}",
	    "3", "break and continue");
	R("{{ range .n }}{{ range $.n }}{{ if eq . 1 }}{{ break }}{{ end }}x{{ end }}|{{ end }}", "x|x|x|",
	    "break leaves the inner range only");
	E("{{ range .s }}{{ end }}", "template: t:1:3: executing \"t\": range can't iterate over h\xc3\xa9llo",
	    "range over a string is an error");
	R("{{ $x := 1 }}{{ if .t }}{{ $x = 2 }}{{ end }}{{ $x }}", "2", "assignment reaches the outer variable");
	R("{{ $x := 1 }}{{ range .n }}{{ $x := . }}{{ end }}{{ $x }}", "1", "a declaration in a block is local");
	R("{{ range $i, $e := .n }}{{ end }}{{ $i := 5 }}{{ $i }}", "5", "range variables end with the range");
	R("{{ define \"x\" }}[{{ . }}]{{ end }}{{ template \"x\" .num }}{{ template \"x\" }}",
	    "[42][<no value>]", "define and template, with and without data");
	R("{{ block \"b\" .s }}<{{ . }}>{{ end }}", "<h\xc3\xa9llo>", "block defines and runs");
	R("{{ define \"v\" }}{{ $ }}{{ end }}{{ template \"v\" 7 }}", "7", "$ in a template is its argument");
	E("{{ template \"nope\" }}", "template: t:1:3: executing \"t\": template \"nope\" not defined",
	    "calling a missing template");
}

static void
test_functions(void)
{
	R("{{ len .s }} {{ len .n }} {{ len .m }} {{ .n | len }}", "6 3 3 3", "len");
	R("{{ index .n 2 }} {{ index .m \"c\" \"z\" }} {{ index .Alerts 1 \"Labels\" \"host\" }}",
	    "2 true db2", "index");
	R("{{ index .CommonLabels \"nope\" }}|{{ index .m \"nope\" }}", "|<no value>",
	    "index of a missing key: \"\" in a label set (map[string]string), else nothing");
	E("{{ index .n 5 }}", "template: t:1:3: executing \"t\" at <index .n 5>: error calling index: index out of range: 5",
	    "index out of range");
	R("{{ eq .num 42 }} {{ eq .s \"a\" \"h\xc3\xa9llo\" }} {{ ne .num 1 }} {{ eq .missing \"x\" }} {{ eq .null nil }}",
	    "true true true false true", "eq, ne");
	R("{{ lt 1 2 }} {{ le 2 2 }} {{ gt \"b\" \"a\" }} {{ ge 2.5 .f }}", "true true true true",
	    "lt le gt ge");
	E("{{ lt 1 1.5 }}", "template: t:1:3: executing \"t\" at <lt 1 1.5>: error calling lt: incompatible types for comparison",
	    "int and float do not compare, as in Go");
	E("{{ eq .n .n }}", "template: t:1:3: executing \"t\" at <eq .n .n>: error calling eq: non-comparable type []interface {}",
	    "arrays do not compare");
	R("{{ print 1 2 \"a\" \"b\" 3 nil }}", "1 2ab3 <nil>", "print spaces like fmt.Sprint");
	R("{{ println 1 \"a\" }}", "1 a\n", "println");
	R("{{ printf \"%5s|%-5d|%+d|%x|%X|%o|%q|%c|%t|%v|%e|%g|%.2f|%8.3f|%05.1f|%%\" "
	  "\"ab\" 3 4 255 255 8 \"q\" 65 true nil 1234.5678 0.000012 3.14159 2.5 -2.5 }}",
	    "   ab|3    |+4|ff|FF|10|\"q\"|A|true|<nil>|1.234568e+03|1.2e-05|3.14|   2.500|-02.5|%",
	    "printf verbs, flags, widths");
	R("{{ printf \"%d %s\" 1.5 3 }}|{{ printf \"%s\" }}|{{ printf \"x\" 1 \"y\" }}",
	    "%!d(float64=1.5) %!s(int=3)|%!s(MISSING)|x%!(EXTRA int=1, string=y)",
	    "printf complains as Go does");
	R("{{ printf \"%v|%s|%d\" .n .m .n }}", "[3 1 2]|map[a:%!s(int=1) b:%!s(int=2) c:map[z:%!s(bool=true)]]|[3 1 2]",
	    "printf applies the verb inside containers");
	R("{{ printf \"%.3s|%-6.2f|%x|% x\" \"abcdef\" 3.14159 \"hi\" \"hi\" }}", "abc|3.14  |6869|68 69",
	    "precision on strings, hex of strings");
	R("{{ printf \"%99999999d\" 1 }}", "%!(BADWIDTH)1", "absurd widths are refused as Go does");
	{
		/* fuzz_template found it: a NUL verb matched strchr's terminator */
		char *r = render_esc("{{ printf \"%\\x00|%5\\x00\" 1.5 2 }}", AIOPS_TPL_ESC_NONE);

		ok(strncmp(r, "%!", 2) == 0, "a NUL verb is a bad verb");
		free(r);
	}
	R("{{ html \"<a href='x'>&\\\"\" }}", "&lt;a href=&#39;x&#39;&gt;&amp;&#34;", "html");
	R("{{ js \"a'b\\\"<>&=\\u00a0\\x01\" }}", "a\\'b\\\"\\u003C\\u003E\\u0026\\u003D\\u00A0\\u0001", "js");
	R("{{ urlquery \"a b&c/\xc3\xa9~\" }}", "a+b%26c%2F%C3%A9~", "urlquery");
	R("{{ .s | printf \"%s!\" | printf \"<%s>\" }}", "<h\xc3\xa9llo!>", "pipelines pass the value last");
}

static void
test_alertmanager_functions(void)
{
	R("{{ toUpper \"h\xc3\xa9llo ab\" }} {{ toLower \"\xc3\x80" "B\" }}", "H\xc3\x89LLO AB \xc3\xa0" "b",
	    "toUpper, toLower (Latin-1 too)");
	R("{{ title \"hello w\xc3\xb6rld it's-a test\" }}", "Hello W\xc3\xb6rld It's-A Test", "title");
	R("{{ trimSpace \" \\t x y \\n\" }}|", "x y|", "trimSpace");
	R("{{ join \", \" (stringSlice \"a\" \"b\" \"c\") }}", "a, b, c", "join and stringSlice");
	R("{{ .CommonLabels.Values | join \"/\" }}", "DiskFull/critical", "join of KV.Values");
	E("{{ join \",\" .n }}", "template: t:1:3: executing \"t\" at <join \",\" .n>: wrong type for value; expected []string; got []interface {}",
	    "join wants strings");
	R("{{ match \"^db[0-9]$\" \"db1\" }} {{ match \"b\" \"abc\" }} {{ match \"^x\" \"abc\" }}",
	    "true true false", "match is unanchored, as regexp.MatchString");
	R("{{ match \"a$\" \"a\\n\" }}", "false", "$ is the end of text, as in RE2");
	R("{{ reReplaceAll \"(\\\\w+)@(\\\\w+)\" \"$2 at ${1}x $1x $$\" \"bob@host\" }}",
	    "host at bobx  $", "reReplaceAll expands like regexp.Expand ($1x is ${1x})");
	R("{{ reReplaceAll \"a*\" \"-\" \"baaac\" }}", "-b-c-", "reReplaceAll with empty matches as Go");
	R("{{ reReplaceAll \"(?P<host>db\\\\d)\" \"<${host}>\" \"on db1\" }}", "on <db1>", "named groups");
	E("{{ match \"(\" \"x\" }}", "template: t:1:3: executing \"t\" at <match \"(\" \"x\">: error calling match: error parsing regexp: missing closing parenthesis at offset 1",
	    "a bad regexp is an error");
	R("{{ humanizeDuration 3661 }}|{{ humanizeDuration 0.0015 }}|{{ humanizeDuration 45.5 }}|"
	  "{{ humanizeDuration 90061 }}|{{ humanizeDuration 0 }}|{{ humanizeDuration \"12\" }}|{{ humanizeDuration -61 }}",
	    "1h 1m 1s|1.5ms|45.5s|1d 1h 1m 1s|0s|12s|-1m 1s", "humanizeDuration");
	R("{{ date \"2006-01-02 15:04:05 MST Mon Jan _2 3PM .000 .999 -07:00 Z07:00\" \"2024-03-01T10:00:00.120Z\" }}",
	    "2024-03-01 10:00:00 UTC Fri Mar  1 10AM .120 .12 +00:00 Z", "date with Go's reference layout");
	R("{{ \"2024-07-01T10:00:00Z\" | tz \"Europe/Paris\" | date \"Monday 02 January 2006 15:04 MST -0700\" }}",
	    "Monday 01 July 2024 12:00 CEST +0200", "tz moves a time to a zone (summer time)");
	R("{{ tz \"Asia/Kolkata\" \"2024-03-01T10:00:00Z\" }}", "2024-03-01 15:30:00 +0530 IST",
	    "a time prints as Go's time.Time");
	E("{{ tz \"Mars/Olympus\" \"2024-03-01T10:00:00Z\" }}",
	    "template: t:1:3: executing \"t\" at <tz \"Mars/Olympus\" \"2024-03-01T10:00:00Z\">: error calling tz: unknown time zone Mars/Olympus",
	    "unknown zone");
	R("{{ since \"2024-03-01T10:00:00Z\" }}|{{ since \"2024-03-01T10:00:00Z\" | humanizeDuration }}",
	    "46m40s|46m 40s", "since uses the caller's now");
	R("{{ safeHtml \"<b>\" }}", "<b>", "safeHtml");
	R("{{ .missing | default \"none\" }} {{ default \"d\" \"given\" }} {{ default \"d\" 0 }}", "none given d",
	    "default");
	R("{{ .Alerts.Firing | len }} {{ range .Alerts.Resolved }}{{ .Labels.host }}{{ end }}", "1 db2",
	    "Alerts.Firing and Alerts.Resolved");
	R("{{ .CommonLabels.Names }} {{ .CommonLabels.SortedPairs.Values }}", "[alertname severity] [DiskFull critical]",
	    "KV.Names, SortedPairs.Values");
	R("{{ .CommonLabels.Remove (stringSlice \"alertname\") }}", "map[severity:critical]", "KV.Remove");
}

static void
test_escapers(void)
{
	const char *t = "<{{ .Alerts | len }}> {{ (index .Alerts 0).Annotations.description }}";
	char *r;

	r = render_esc(t, AIOPS_TPL_ESC_NONE);
	is_str(r, "<2> db1 <root> & \"fs\"", "no escaping");
	free(r);
	r = render_esc(t, AIOPS_TPL_ESC_HTML);
	is_str(r, "<2> db1 &lt;root&gt; &amp; &#34;fs&#34;", "HTML escapes what actions print, not the text");
	free(r);
	r = render_esc(t, AIOPS_TPL_ESC_SLACK);
	is_str(r, "<2> db1 &lt;root&gt; &amp; \"fs\"", "Slack escapes & < > only");
	free(r);
	r = render_esc(t, AIOPS_TPL_ESC_JSON);
	is_str(r, "<2> db1 <root> & \\\"fs\\\"", "JSON escapes quotes");
	free(r);
	r = render_esc("{{ \"a\\n\\t\\x01\\\\\\xff\" }}", AIOPS_TPL_ESC_JSON);
	is_str(r, "a\\n\\t\\u0001\\\\\xef\xbf\xbd", "JSON escapes controls, backslash, bad UTF-8 as U+FFFD");
	{
		/* the JSON escaper's output inside quotes loads back as the same string */
		struct aiops_buf b = AIOPS_BUF_INIT;
		json_t *j;

		aiops_buf_addc(&b, '"');
		aiops_buf_addstr(&b, r);
		aiops_buf_addc(&b, '"');
		j = json_loads(b.data, JSON_DECODE_ANY, NULL);
		ok(j != NULL && strcmp(json_string_value(j), "a\n\t\x01\\\xef\xbf\xbd") == 0,
		    "JSON escaper output loads in jansson");
		json_decref(j);
		aiops_buf_release(&b);
	}
	free(r);
	r = render_esc("{{ safeHtml \"<b>x</b>\" }}{{ \"<i>\" }}", AIOPS_TPL_ESC_HTML);
	is_str(r, "<b>x</b>&lt;i&gt;", "safeHtml is not escaped again");
	free(r);
	r = render_esc("--host={{ (index .Alerts 0).Labels.host }}; rm -rf / {{ \"$(x) 'y'\" }}",
	    AIOPS_TPL_ESC_ARGV);
	is_str(r, "--host=db1; rm -rf / $(x) 'y'", "argv: nothing quoted (no shell)");
	free(r);
	r = render_esc("", AIOPS_TPL_ESC_ARGV);
	is_str(r, "", "argv: an empty argument is fine (fuzz_template found a NULL buffer here)");
	free(r);
	r = render_esc("{{ \"a\\x00b\" }}", AIOPS_TPL_ESC_ARGV);
	is_str(r, "ERR", "argv: a NUL is refused");
	ok(strstr(last_err, "NUL") != NULL, "  message names the NUL: %s", last_err);
	free(r);
	r = render_esc("{{ \"a\\x00b\" }}", AIOPS_TPL_ESC_HTML);
	is_str(r, "a\xef\xbf\xbd" "b", "HTML: NUL becomes U+FFFD as Go's HTMLEscape");
	free(r);
	{
		struct aiops_buf b = AIOPS_BUF_INIT;

		aiops_tpl_escape(AIOPS_TPL_ESC_SLACK, "<!channel> & co", 15, &b);
		is_str(b.data, "&lt;!channel&gt; &amp; co", "aiops_tpl_escape for callers");
		aiops_buf_release(&b);
	}
}

static void
test_alertmanager_defaults(void)
{
	struct aiops_tpl *t = aiops_tpl_new();
	struct aiops_buf out = AIOPS_BUF_INIT;
	char err[512];
	struct aiops_tpl_env env;
	static const char body[] =
	    "{{ template \"slack.default.title\" . }}\n"
	    "{{ if gt (len .Alerts.Firing) 0 }}Alerts Firing:\n{{ template \"__text_alert_list\" .Alerts.Firing }}{{ end }}"
	    "{{ if gt (len .Alerts.Resolved) 0 }}Alerts Resolved:\n{{ template \"__text_alert_list\" .Alerts.Resolved }}{{ end }}";

	memset(&env, 0, sizeof(env));
	ok(aiops_tpl_add(t, "default.tmpl", am_default, strlen(am_default), err, sizeof(err)) == 0,
	    "Alertmanager's default.tmpl definitions compile %s", err);
	ok(aiops_tpl_add(t, "body", body, strlen(body), err, sizeof(err)) == 0,
	    "a message body using them compiles %s", err);
	ok(aiops_tpl_has(t, "__subject") && aiops_tpl_has(t, "slack.default.title") &&
	    aiops_tpl_has(t, "body"), "the set has the defines and the bodies");

	ok(aiops_tpl_render(t, "__subject", data, &env, &out, err, sizeof(err)) == 0, "__subject renders %s", err);
	is_str(out.data, "[FIRING:1] DiskFull (critical)", "__subject of the two-alert group");
	aiops_buf_reset(&out);
	ok(aiops_tpl_render(t, "slack.default.fallback", data, &env, &out, err, sizeof(err)) == 0,
	    "slack.default.fallback renders");
	is_str(out.data, "[FIRING:1] DiskFull (critical) | http://am:9093/#/alerts?receiver=team-x",
	    "slack.default.fallback: title | link");
	aiops_buf_reset(&out);
	ok(aiops_tpl_render(t, "slack.default.username", data, &env, &out, err, sizeof(err)) == 0 &&
	    strcmp(out.data, "Alertmanager") == 0, "slack.default.username");
	aiops_buf_reset(&out);
	ok(aiops_tpl_render(t, "body", data, &env, &out, err, sizeof(err)) == 0, "body renders %s", err);
	is_str(out.data,
	    "[FIRING:1] DiskFull (critical)\n"
	    "Alerts Firing:\n"
	    "Labels:\n - alertname = DiskFull\n - host = db1\n - severity = critical\n"
	    "Annotations:\n - description = db1 <root> & \"fs\"\n - summary = / at 97%\n"
	    "Source: http://prom/graph?g0.expr=x\n"
	    "Alerts Resolved:\n"
	    "Labels:\n - alertname = DiskFull\n - host = db2\n - severity = critical\n"
	    "Annotations:\n - summary = / at 91%\n"
	    "Source: http://prom/graph?g0.expr=y\n",
	    "__text_alert_list over Alerts.Firing and Alerts.Resolved");
	aiops_buf_reset(&out);
	env.escape = AIOPS_TPL_ESC_JSON;
	ok(aiops_tpl_render(t, "pagerduty.default.instances", json_object_get(data, "Alerts"), &env,
	    &out, err, sizeof(err)) == 0, "PagerDuty instances render JSON-escaped");
	ok(strstr(out.data, "db1 <root> & \\\"fs\\\"") != NULL && strchr(out.data, '\n') != NULL,
	    "  actions escaped, the template's own newlines kept");
	aiops_buf_reset(&out);

	/* a later add redefines a name; a body of only defines keeps the old one */
	ok(aiops_tpl_add(t, "over", "{{ define \"__alertmanager\" }}AM2{{ end }}", 41, err, sizeof(err)) == 0,
	    "redefinition compiles");
	env.escape = AIOPS_TPL_ESC_NONE;
	ok(aiops_tpl_render(t, "slack.default.username", data, &env, &out, err, sizeof(err)) == 0 &&
	    strcmp(out.data, "AM2") == 0, "the later definition wins");
	aiops_buf_reset(&out);
	ok(aiops_tpl_add(t, "body", "{{/* x */}}\n", 12, err, sizeof(err)) == 0 &&
	    aiops_tpl_render(t, "body", data, &env, &out, err, sizeof(err)) == 0 &&
	    strncmp(out.data, "[FIRING:1]", 10) == 0, "an empty body does not replace a template");
	aiops_buf_reset(&out);
	ok(aiops_tpl_add(t, "bad", "{{ define \"__alertmanager\" }}X{{ end }}{{ nope }}", 48, err, sizeof(err)) < 0,
	    "a failed add");
	ok(aiops_tpl_render(t, "slack.default.username", data, &env, &out, err, sizeof(err)) == 0 &&
	    strcmp(out.data, "AM2") == 0 && !aiops_tpl_has(t, "bad"), "  leaves the set as it was");
	aiops_buf_reset(&out);
	ok(aiops_tpl_render(t, "nosuch", data, &env, &out, err, sizeof(err)) < 0 &&
	    strstr(err, "nosuch") != NULL, "rendering an unknown name fails: %s", err);
	aiops_buf_release(&out);
	aiops_tpl_free(t);
}

static void
test_compile_errors(void)
{
	E("{{ foo }}", "template: t:1:3: function \"foo\" not defined", "unknown function");
	E("line1\nline2\n  x {{ .a | bar 1 }}", "template: t:3:12: function \"bar\" not defined",
	    "line and column of an unknown function");
	E("{{ $y }}", "template: t:1:3: undefined variable \"$y\"", "undefined variable");
	E("{{ if .t }}", "template: t:1:11: unexpected EOF", "unclosed if");
	E("{{ end }}", "template: t:1:3: unexpected {{end}}", "stray end");
	E("{{ else }}", "template: t:1:3: unexpected {{else}}", "stray else");
	E("{{ \"abc }}", "template: t:1:3: unterminated quoted string", "unterminated string");
	E("{{ `abc }}", "template: t:1:3: unterminated raw quoted string", "unterminated raw string");
	E("{{ 3x }}", "template: t:1:3: bad number syntax: \"3x\"", "bad number");
	E("{{ 99999999999999999999 }}", "template: t:1:3: 99999999999999999999 overflows int", "int overflow");
	E("{{ 1e2121 }}", "template: t:1:3: illegal number syntax: \"1e2121\"",
	    "a float beyond float64 (fuzz_template found it)");
	E("{{ \"\\q\" }}", "template: t:1:3: invalid syntax", "bad escape");
	E("{{ .a", "template: t:1:5: unclosed action", "unclosed action");
	E("{{/* x */ }}", "template: t:1:0: comment ends before closing delimiter", "bad comment end");
	E("{{/* x", "template: t:1:0: unclosed comment", "unclosed comment");
	E("{{ }}", "template: t:1:3: missing value for command", "empty action");
	E("{{ .a | \"lit\" }}", "template: t:1:14: non executable command in pipeline stage 2",
	    "literal after a pipe");
	E("{{ break }}", "template: t:1:3: {{break}} outside {{range}}", "break outside range");
	E("{{ range $a, $b, $c := .n }}{{ end }}", "template: t:1:15: too many declarations in range",
	    "three range variables");
	E("{{ if 1 }}{{ define \"x\" }}{{ end }}{{ end }}", "template: t:1:13: unexpected <define> in command",
	    "define not at top level");
	E("{{ 1 }}{{ 'ab' }}", "template: t:1:10: malformed character constant: 'ab'", "bad rune");
	E("{{ nil }}", "template: t:1:3: executing \"t\" at <nil>: nil is not a command", "nil alone");
	E("{{ . 1 }}", "template: t:1:3: executing \"t\" at <. 1>: can't give argument to non-function . 1",
	    "argument to dot");
	E("{{ not 1 2 }}", "template: t:1:3: executing \"t\" at <not 1 2>: wrong number of args for not: want 1 got 2",
	    "argument count");
	E("{{ toUpper 3 }}", "template: t:1:3: executing \"t\" at <toUpper 3>: wrong type for value; expected string; got int",
	    "argument type");
	E("{{ \"\xff\" | printf \"%s\" }}{{ template \"t\" }}{{ .x.y.z }}{{ len }}",
	    "template: t:1:26: executing \"t\": exceeded maximum template depth (100)",
	    "endless recursion is caught by depth");
}

static void
test_nesting_and_limits(void)
{
	struct aiops_buf b = AIOPS_BUF_INIT;
	struct aiops_tpl_env env;
	char *r;
	int i;

	/* 90 nested parentheses and ifs: fine; 200: a compile error, no stack overflow */
	for (i = 0; i < 90; i++)
		aiops_buf_addstr(&b, "{{ if (not (not .t)) }}");
	aiops_buf_addstr(&b, "deep");
	for (i = 0; i < 90; i++)
		aiops_buf_addstr(&b, "{{ end }}");
	r = render_esc(b.data, AIOPS_TPL_ESC_NONE);
	is_str(r, "deep", "90 nested ifs");
	free(r);
	aiops_buf_reset(&b);
	for (i = 0; i < 200; i++)
		aiops_buf_addc(&b, '(');
	for (i = 0; i < 200; i++)
		aiops_buf_addc(&b, ')');
	{
		char *t = NULL;

		if (asprintf(&t, "{{ %s }}", b.data) < 0)
			t = NULL;
		r = render_esc(t != NULL ? t : "", AIOPS_TPL_ESC_NONE);
		is_str(r, "ERR", "200 nested parentheses are refused");
		ok(strstr(last_err, "nesting too deep") != NULL, "  %s", last_err);
		free(r);
		free(t);
	}
	aiops_buf_reset(&b);
	for (i = 0; i < 200; i++)
		aiops_buf_addstr(&b, "{{ with . }}");
	r = render_esc(b.data, AIOPS_TPL_ESC_NONE);
	is_str(r, "ERR", "200 nested blocks are refused");
	free(r);
	aiops_buf_release(&b);

	memset(&env, 0, sizeof(env));
	env.max_output = 100;
	r = render_env("{{ range .n }}{{ range $.n }}0123456789{{ end }}{{ end }}", &env);
	is_int(strlen(r), 90, "90 bytes fit in 100");
	free(r);
	r = render_env("{{ range .n }}{{ range $.n }}{{ range $.n }}0123456789{{ end }}{{ end }}{{ end }}", &env);
	is_str(r, "ERR", "270 bytes do not fit in 100");
	ok(strstr(last_err, "output exceeds 100 bytes") != NULL, "  %s", last_err);
	free(r);
	r = render_env("{{ printf \"%999999d\" 1 }}", &env);
	is_str(r, "ERR", "a wide printf hits the output limit");
	free(r);
	env.max_output = 0;
	env.max_steps = 1000;
	r = render_env("{{ define \"loop\" }}{{ range $.n }}{{ template \"loop\" $ }}{{ end }}{{ end }}"
	    "{{ template \"loop\" . }}", &env);
	is_str(r, "ERR", "exponential recursion stops");
	ok(strstr(last_err, "exceeds 1000 steps") != NULL || strstr(last_err, "depth") != NULL,
	    "  %s", last_err);
	free(r);
	{
		/* a range over a huge array is bounded by the steps */
		json_t *saved = data, *big = json_array();

		for (i = 0; i < 5000; i++)
			json_array_append_new(big, json_integer(i));
		data = json_pack("{s:o}", "a", big);
		r = render_env("{{ range .a }}{{ range $.a }}{{ end }}{{ end }}", &env);
		is_str(r, "ERR", "a range of 25 million turns stops at 1000 steps");
		free(r);
		json_decref(data);
		data = saved;
	}
}

/* Many threads render one compiled set at once: the same output each time. */
struct thr {
	struct aiops_tpl	*t;
	int			 bad;
};

static void *
render_many(void *arg)
{
	struct thr *th = arg;
	struct aiops_tpl_env env;
	int i;

	memset(&env, 0, sizeof(env));
	env.tz = "Europe/Paris";
	for (i = 0; i < 200; i++) {
		struct aiops_buf out = AIOPS_BUF_INIT;
		char err[256];

		if (aiops_tpl_render(th->t, "t", data, &env, &out, err, sizeof(err)) < 0 ||
		    strcmp(out.data, "[FIRING:1] DiskFull (critical) 2024-03-01 11:00 CET") != 0)
			th->bad++;
		aiops_buf_release(&out);
	}
	return NULL;
}

static void
test_threads(void)
{
	static const char text[] = "{{ template \"__subject\" . }} "
	    "{{ (index .Alerts 0).StartsAt | date \"2006-01-02 15:04 MST\" }}";
	struct aiops_tpl *t = aiops_tpl_new();
	struct thr th[4];
	pthread_t tid[4];
	char err[256];
	int i, bad = 0;

	aiops_tpl_add(t, "d", am_default, strlen(am_default), err, sizeof(err));
	aiops_tpl_add(t, "t", text, strlen(text), err, sizeof(err));
	for (i = 0; i < 4; i++) {
		th[i].t = t;
		th[i].bad = 0;
		pthread_create(&tid[i], NULL, render_many, &th[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(tid[i], NULL);
		bad += th[i].bad;
	}
	is_int(bad, 0, "4 threads x 200 renders of one set, dates in the render's zone");
	aiops_tpl_free(t);
}

int
main(void)
{
	json_error_t jerr;

	data = json_loads(group_json, 0, &jerr);
	ok(data != NULL, "test data loads %s", data == NULL ? jerr.text : "");
	if (data == NULL)
		return tap_done();
	test_text_and_trim();
	test_fields_and_values();
	test_truth();
	test_control();
	test_functions();
	test_alertmanager_functions();
	test_escapers();
	test_alertmanager_defaults();
	test_compile_errors();
	test_nesting_and_limits();
	test_threads();
	json_decref(data);
	return tap_done();
}
