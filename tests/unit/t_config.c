#include "compat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf.h"
#include "config/schema.h"
#include "core/buf.h"
#include "ingest/ingest.h"
#include "tap.h"

extern char **environ;

static struct aiops_conf *
parse(const char *yaml, char *err, size_t errlen)
{
	return aiops_conf_parse("test.yaml", yaml, strlen(yaml), err, errlen);
}

/* Parses and checks yaml for section; the error, or "" when it passes. */
static const char *
check(const char *yaml, const char *section)
{
	static char err[512];
	struct aiops_conf *cfg;

	err[0] = '\0';
	if ((cfg = parse(yaml, err, sizeof(err))) == NULL)
		return err;
	if (aiops_conf_validate(cfg, section, err, sizeof(err)) == 0)
		err[0] = '\0';
	aiops_conf_free(cfg);
	return err;
}

static void
test_values(void)
{
	char err[256] = "";
	struct aiops_conf *cfg = parse(
	    "# comment\n"
	    "ingest:\n"
	    "  host: \"007\"\n"
	    "  cluster: 0x10\n"
	    "  store: yes\n"
	    "  retention: 30d\n"
	    "  poll: 100\n"
	    "  max_line: 64KiB\n"
	    "  source:\n"
	    "  json:\n"
	    "    fields:\n"
	    "      message: msg\n"
	    "detect:\n"
	    "  sensitivity: 0.8\n"
	    "  list: [a, b]\n", err, sizeof(err));

	ok(cfg != NULL, "parses: %s", err);
	ok(aiops_conf_validate(cfg, "ingest", err, sizeof(err)) == 0, "checks: %s", err);
	is_str(aiops_conf_string(cfg, "ingest.host", NULL), "007", "a string stays as written");
	is_str(aiops_conf_string(cfg, "ingest.cluster", NULL), "0x10", "even a plain one");
	is_str(aiops_conf_string(cfg, "ingest.json.fields.message", NULL), "msg", "nested");
	ok(aiops_conf_bool(cfg, "ingest.store", 0) == 1, "a boolean");
	ok(aiops_conf_duration(cfg, "ingest.retention", 0) == 30LL * 86400 * 1000000000,
	    "a duration, in ns");
	ok(aiops_conf_int(cfg, "ingest.poll", 0) == 100, "an integer");
	ok(aiops_conf_int(cfg, "ingest.max_line", 0) == 65536, "a size");
	ok(aiops_conf_get(cfg, "ingest.source") == NULL, "an empty value is unset");
	is_str(aiops_conf_string(cfg, "ingest.source", "def"), "def", "and reads as the default");
	ok(aiops_conf_int(cfg, "ingest.nope", 5) == 5, "defaults");
	is_str(aiops_conf_string(cfg, "detect.list.1", NULL), "b",
	    "another program's section is left as it is");
	is_int(aiops_conf_line(cfg, "ingest.poll"), 7, "keys remember their line");
	ok(aiops_conf_validate(cfg, "detect", err, sizeof(err)) == -1, "detect: list is unknown");
	is_str(err, "test.yaml:15: unknown key 'detect.list'", "and says file:line");
	aiops_conf_free(cfg);
}

static void
test_unknown(void)
{
	is_str(check("ingest:\n  host: a\n  hots: b\n", "ingest"),
	    "test.yaml:3: unknown key 'ingest.hots'", "an unknown key, at file:line");
	is_str(check("ingset:\n  host: a\n", "ingest"),
	    "test.yaml:1: unknown section 'ingset'", "an unknown section");
	is_str(check("ingest:\n  json:\n    fields:\n      when: t\n", "ingest"),
	    "test.yaml:4: unknown key 'ingest.json.fields.when'", "a nested unknown key");
	is_str(check("ingest:\n  json: x\n", "ingest"),
	    "test.yaml:2: ingest.json: expected a mapping", "a scalar for a mapping");
	is_str(check("ingest: 3\n", "ingest"), "test.yaml:1: ingest: expected a mapping",
	    "a scalar for a section");
	is_str(check("detect:\n  bogus: 1\nforecast:\n  x: 1\nrun:\n", "ingest"), "",
	    "other programs' sections are theirs to check");
	is_str(check("state:\n  group: aiops\nlog:\n  format: json\nclock:\n  mode: event\n",
	    "detect"), "", "the shared sections");
	is_str(check("state:\n  grop: aiops\n", "detect"),
	    "test.yaml:2: unknown key 'state.grop'", "are checked by every program");
	is_str(check("detect:\n  metrics:\n    \"cpu_*\":\n      threshold: 0.9\n"
	    "    mem:\n      sensitivity: 1\n", "detect"), "", "a * part matches any name");
	is_str(check("detect:\n  metrics:\n    cpu:\n      treshold: 0.9\n", "detect"),
	    "test.yaml:4: unknown key 'detect.metrics.cpu.treshold'", "but not a typo below it");
	is_str(check("ingest:\n", "ingest"), "", "an empty section");
}

static void
test_values_checked(void)
{
	const char *e;

	is_str(check("detect:\n  sensitivity: 2\n", "detect"),
	    "test.yaml:2: detect.sensitivity: expected a number from 0 to 1", "a number out of range");
	is_str(check("detect:\n  sensitivity: nan\n", "detect"),
	    "test.yaml:2: detect.sensitivity: expected a number from 0 to 1", "NaN is not a number");
	is_str(check("detect:\n  threshold: inf\n", "detect"),
	    "test.yaml:2: detect.threshold: expected a number from 0 to 1", "nor is infinity");
	is_str(check("ingest:\n  poll: 1.5\n", "ingest"),
	    "test.yaml:2: ingest.poll: expected an integer from 1 to 3600000", "an integer");
	is_str(check("ingest:\n  precision: secret-value\n", "ingest"),
	    "test.yaml:2: ingest.precision: expected ns, us, ms, s or auto", "an enum");
	is_str(check("ingest:\n  store: maybe\n", "ingest"),
	    "test.yaml:2: ingest.store: expected true or false", "a boolean");
	is_str(check("ingest:\n  retention: soon\n", "ingest"),
	    "test.yaml:2: ingest.retention: expected a duration such as 90s, 5m, 2h, 7d", "a duration");
	is_str(check("ingest:\n  max_line: 8\n", "ingest"),
	    "test.yaml:2: ingest.max_line: expected a size from 16 to 1GiB bytes, such as 4096 or 64KiB",
	    "a size");
	is_str(check("ingest:\n  host: [a]\n", "ingest"),
	    "test.yaml:2: ingest.host: expected a string", "a list for a string");
	is_str(check("detect:\n  counters: [a, [b]]\n", "detect"),
	    "test.yaml:2: detect.counters: expected a list of strings", "a list of lists");
	e = check("ingest:\n  poll: hunter2\n", "ingest");
	ok(*e != '\0' && strstr(e, "hunter2") == NULL, "a bad value is not shown: %s", e);
}

/* aiops_conf_value() for one key: the value as JSON text, or "!why". */
static const char *
value(const char *path, const char *text)
{
	static char out[256];
	const struct aiops_conf_key *k = aiops_conf_key_find(path);
	char why[200];
	json_t *v;
	char *s;

	if (k == NULL)
		return "(no key)";
	if ((v = aiops_conf_value(k, text, why, sizeof(why))) == NULL) {
		snprintf(out, sizeof(out), "!%s", why);
		return out;
	}
	s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	snprintf(out, sizeof(out), "%s", s);
	free(s);
	json_decref(v);
	return out;
}

static void
test_types(void)
{
	is_str(value("ingest.max_line", "4096"), "4096", "size: bytes");
	is_str(value("ingest.max_line", "64k"), "65536", "size: k");
	is_str(value("ingest.max_line", "2MiB"), "2097152", "size: MiB");
	is_str(value("ingest.max_line", "1GiB"), "1073741824", "size: the maximum");
	ok(value("ingest.max_line", "2G")[0] == '!', "size: over the maximum");
	ok(value("ingest.max_line", "-1")[0] == '!', "size: negative");
	ok(value("ingest.max_line", "1 MiB")[0] == '!', "size: a space");
	ok(value("ingest.max_line", "99999999999999999999G")[0] == '!', "size: overflow");
	is_str(value("detect.sensitivity", "0.25"), "0.25", "number");
	ok(value("detect.sensitivity", "")[0] == '!', "number: empty");
	ok(value("detect.sensitivity", "0.5x")[0] == '!', "number: trailing junk");
	ok(value("detect.sensitivity", "-nan")[0] == '!', "number: -nan");
	is_str(value("ingest.poll", "1"), "1", "integer: the minimum");
	ok(value("ingest.poll", "0")[0] == '!', "integer: under the minimum");
	is_str(value("ingest.store", "on"), "true", "bool: on");
	is_str(value("ingest.store", "0"), "false", "bool: 0");
	is_str(value("ingest.retention", "1h30m"), "5400000000000", "duration");
	is_str(value("ingest.retention", "90"), "90000000000", "duration: bare seconds");
	is_str(value("log.format", "json"), "\"json\"", "enum");
	is_str(value("clock.mode", "eventual"), "!expected wall or event", "enum: two words");
	is_str(value("detect.counters", "a_*, b_total,,"), "[\"a_*\",\"b_total\"]",
	    "list: commas, spaces trimmed");
	is_str(value("state.group", "aiops"), "\"aiops\"", "string");
	is_str(value("detect.metrics.disk_*.threshold", "0.75"), "0.75", "a key under a pattern");
	ok(aiops_conf_key_find("detect.metrics.threshold") == NULL, "the pattern part is needed");
	ok(aiops_conf_key_find("detect") == NULL, "a section is not a key");
	ok(aiops_conf_key_find("nope.x") == NULL, "nor is an unknown section's");
}

/* Sets an environment variable for the next parse. */
static void
env(const char *name, const char *value)
{
	if (value != NULL)
		setenv(name, value, 1);
	else
		unsetenv(name);
}

static void
test_env(void)
{
	char err[256] = "";
	struct aiops_conf *cfg;
	const char *e;

	env("AIOPS__INGEST__HOST", "from-env");
	env("AIOPS__INGEST__MAX_LINE", "4096");
	cfg = parse("ingest:\n  host: from-file\n", err, sizeof(err));
	ok(aiops_conf_validate(cfg, "ingest", err, sizeof(err)) == 0, "checks: %s", err);
	is_str(aiops_conf_string(cfg, "ingest.host", NULL), "from-env", "environment overrides the file");
	ok(aiops_conf_int(cfg, "ingest.max_line", 0) == 4096, "AIOPS__INGEST__MAX_LINE sets ingest.max_line");
	is_str(aiops_conf_where(cfg, "ingest.host", err, sizeof(err)), "AIOPS__INGEST__HOST",
	    "and is where the value came from");
	aiops_conf_free(cfg);
	env("AIOPS__INGEST__HOST", NULL);
	env("AIOPS__INGEST__MAX_LINE", NULL);

	env("AIOPS__DETECT__SENSITIVITY", "nan");
	e = check("", "detect");
	is_str(e, "AIOPS__DETECT__SENSITIVITY: detect.sensitivity: expected a number from 0 to 1",
	    "a bad value from the environment names the variable");
	is_str(check("", "ingest"), "", "and is left to its program");
	env("AIOPS__DETECT__SENSITIVITY", NULL);

	env("AIOPS__DETECT__THRESHOLD", "abc");
	is_str(check("detect:\n  sensitivity: 0.5\n  threshold: 0.5\n", "detect"),
	    "AIOPS__DETECT__THRESHOLD: detect.threshold: expected a number from 0 to 1",
	    "not the valid file line it overrides");
	env("AIOPS__DETECT__THRESHOLD", NULL);

	env("AIOPS__INGEST__HOTS", "x");
	is_str(check("", "ingest"), "AIOPS__INGEST__HOTS: unknown key 'ingest.hots'",
	    "an unknown key from the environment");
	env("AIOPS__INGEST__HOTS", NULL);
	env("AIOPS__INGSET__HOST", "x");
	is_str(check("ingest:\n  host: a\n", "ingest"),
	    "AIOPS__INGSET__HOST: unknown section 'ingset'", "an unknown section");
	env("AIOPS__INGSET__HOST", NULL);
	env("AIOPS__INGEST", "x");
	is_str(check("ingest:\n  host: a\n", "ingest"), "AIOPS__INGEST: ingest: expected a mapping",
	    "a variable that names a section");
	env("AIOPS__INGEST", NULL);

	env("AIOPS__DETECT__COUNTERS", "a_*,b_*");
	env("AIOPS__DETECT__METRICS__CPU_*__THRESHOLD", "0.75");
	cfg = parse("detect:\n  metrics:\n    cpu_*:\n      sensitivity: 0.1\n", err, sizeof(err));
	ok(aiops_conf_validate(cfg, "detect", err, sizeof(err)) == 0, "checks: %s", err);
	is_int((int)json_array_size(aiops_conf_get(cfg, "detect.counters")), 2,
	    "a list from the environment, comma-separated");
	ok(aiops_conf_number(cfg, "detect.metrics.cpu_*.threshold", 0) == 0.75 &&
	    aiops_conf_number(cfg, "detect.metrics.cpu_*.sensitivity", 0) == 0.1,
	    "a key below a pattern, beside the file's");
	aiops_conf_free(cfg);
	env("AIOPS__DETECT__COUNTERS", NULL);
	env("AIOPS__DETECT__METRICS__CPU_*__THRESHOLD", NULL);

	env("AIOPS__INGEST__POLL", "hunter2");
	e = check("", "ingest");
	ok(*e != '\0' && strstr(e, "hunter2") == NULL, "a bad value is not shown: %s", e);
	env("AIOPS__INGEST__POLL", NULL);

	cfg = parse("", err, sizeof(err));
	ok(cfg != NULL && json_object_size(aiops_conf_root(cfg)) == 0, "an empty file is an empty config");
	aiops_conf_free(cfg);
}

static void
test_set(void)
{
	char err[256] = "";
	struct aiops_conf *cfg = parse("ingest:\n  poll: 100\nstate:\n  group: ops\n", err, sizeof(err));

	ok(aiops_conf_validate(cfg, "ingest", err, sizeof(err)) == 0, "checks: %s", err);
	aiops_conf_set(cfg, "ingest.poll", json_integer(20), "--poll");
	aiops_conf_set(cfg, "ingest.json.fields.ts", json_string("t"), "--map");
	ok(aiops_conf_int(cfg, "ingest.poll", 0) == 20, "the command line over the file");
	is_str(aiops_conf_string(cfg, "ingest.json.fields.ts", NULL), "t", "creating mappings");
	is_str(aiops_conf_where(cfg, "ingest.poll", err, sizeof(err)), "--poll", "where: the option");
	is_str(aiops_conf_where(cfg, "state.group", err, sizeof(err)), "test.yaml:4", "where: file:line");
	is_str(aiops_conf_state_group(cfg), "ops", "state.group");
	aiops_conf_free(cfg);
}

static void
test_errors(void)
{
	char err[256] = "";

	ok(parse("a: [1, 2\n", err, sizeof(err)) == NULL, "unclosed flow sequence");
	ok(strncmp(err, "test.yaml:", 10) == 0, "error names the file: %s", err);
	ok(parse("a: 1\na: 2\n", err, sizeof(err)) == NULL, "duplicate keys");
	is_str(err, "test.yaml:2: duplicate key", "duplicate key error");
	ok(parse("- a\n- b\n", err, sizeof(err)) == NULL, "a top-level list is refused");
	ok(parse("a: &x 1\nb: *x\n", err, sizeof(err)) == NULL, "aliases are refused");
	ok(parse("a: b\n---\nc: d\n", err, sizeof(err)) == NULL, "two documents are refused");
}

/* The schema's enum of ingest.format is the formats of lib/ingest, and auto. */
static void
test_formats(void)
{
	struct aiops_buf want = AIOPS_BUF_INIT;
	size_t i;

	aiops_buf_addstr(&want, "auto");
	for (i = 0; aiops_formats[i] != NULL; i++)
		aiops_buf_addf(&want, "|%s", aiops_formats[i]->name);
	is_str(aiops_conf_key_find("ingest.format")->values, want.data, "ingest.format: the formats");
	aiops_buf_release(&want);
}

static char *
slurp(const char *path)
{
	struct aiops_buf b = AIOPS_BUF_INIT;
	char chunk[4096];
	FILE *fp;
	size_t n;

	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		aiops_buf_add(&b, chunk, n);
	fclose(fp);
	return aiops_buf_detach(&b, NULL);
}

/*
 * Every key of the schema is in aiops(7) with its type (".It Cm
 * ingest.poll Pq integer"), and in the example configuration, which every
 * program accepts.
 */
static void
test_documented(void)
{
	const char *top = getenv("AIOPS_SRCDIR");
	const struct aiops_conf_section *s;
	const struct aiops_conf_key *k;
	struct aiops_conf *cfg[2];
	char path[512], err[512], *man, *example;

	if (top == NULL) {
		ok(1, "# SKIP AIOPS_SRCDIR unset");
		return;
	}
	snprintf(path, sizeof(path), "%s/man/aiops.7", top);
	man = slurp(path);
	snprintf(path, sizeof(path), "%s/contrib/aiops.yaml", top);
	example = slurp(path);
	ok(man != NULL && example != NULL, "man/aiops.7 and contrib/aiops.yaml");
	if (man == NULL || example == NULL)
		return;
	cfg[0] = aiops_conf_parse(path, example, strlen(example), err, sizeof(err));
	ok(cfg[0] != NULL && aiops_conf_validate(cfg[0], "ingest", err, sizeof(err)) == 0,
	    "aiops-ingest takes the example: %s", err);
	cfg[1] = aiops_conf_parse(path, example, strlen(example), err, sizeof(err));
	ok(cfg[1] != NULL && aiops_conf_validate(cfg[1], "detect", err, sizeof(err)) == 0,
	    "aiops-detect takes the example: %s", err);
	for (s = aiops_conf_sections; s->name != NULL; s++) {
		for (k = s->keys; k->name != NULL; k++) {
			char item[512], *star;

			snprintf(item, sizeof(item), "\n.It Cm %s.%s Pq %s\n", s->name, k->name,
			    aiops_conf_type_name(k->type));
			ok(strstr(man, item) != NULL, "aiops(7) has %s.%s (%s)", s->name, k->name,
			    aiops_conf_type_name(k->type));
			ok(k->doc != NULL && *k->doc != '\0', "%s.%s has a doc line", s->name, k->name);
			snprintf(item, sizeof(item), "%s.%s", s->name, k->name);
			if ((star = strstr(item, ".*")) != NULL)
				*star = '\0';	/* a pattern: its mapping is there */
			ok(cfg[0] != NULL && aiops_conf_line(cfg[0], item) > 0,
			    "the example has %s", item);
		}
	}
	aiops_conf_free(cfg[0]);
	aiops_conf_free(cfg[1]);
	free(man);
	free(example);
}

/* The tests set the AIOPS__* variables they need; none may come from outside. */
static void
clear_env(void)
{
	char **e, *name;

	for (e = environ; *e != NULL;) {
		if (strncmp(*e, "AIOPS__", 7) != 0) {
			e++;
			continue;
		}
		name = strndup(*e, strcspn(*e, "="));
		unsetenv(name);
		free(name);
		e = environ;
	}
}

int
main(void)
{
	clear_env();
	test_values();
	test_unknown();
	test_values_checked();
	test_types();
	test_env();
	test_set();
	test_errors();
	test_formats();
	test_documented();
	return tap_done();
}
