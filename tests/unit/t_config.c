#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include "config/conf.h"
#include "tap.h"

static struct aiops_conf *
parse(const char *yaml, char *err, size_t errlen)
{
	return aiops_conf_parse("test.yaml", yaml, strlen(yaml), err, errlen);
}

static void
test_values(void)
{
	char err[256] = "";
	struct aiops_conf *cfg = parse(
	    "# comment\n"
	    "ingest:\n"
	    "  host: web-1\n"
	    "  store: yes\n"
	    "  retention: 30d\n"
	    "  json:\n"
	    "    fields:\n"
	    "      message: msg\n"
	    "detect:\n"
	    "  sensitivity: 0.8\n"
	    "  quoted: \"12\"\n"
	    "  list: [a, b]\n", err, sizeof(err));
	double d;
	int b;
	int64_t ns;

	ok(cfg != NULL, "parses: %s", err);
	is_str(aiops_conf_string(cfg, "ingest.host", NULL), "web-1", "a string");
	is_str(aiops_conf_string(cfg, "ingest.json.fields.message", NULL), "msg", "nested");
	is_str(aiops_conf_string(cfg, "detect.list.1", NULL), "b", "a list item");
	ok(aiops_conf_number(cfg, "detect.sensitivity", 0, &d, err, sizeof(err)) == 0 && d == 0.8, "a number");
	ok(aiops_conf_number(cfg, "detect.quoted", 0, &d, err, sizeof(err)) == 0 && d == 12, "a quoted number");
	ok(aiops_conf_bool(cfg, "ingest.store", 0, &b, err, sizeof(err)) == 0 && b == 1, "a boolean");
	ok(aiops_conf_duration(cfg, "ingest.retention", 0, &ns, err, sizeof(err)) == 0 &&
	    ns == 30LL * 86400 * 1000000000, "a duration");
	ok(aiops_conf_number(cfg, "ingest.host", 5, &d, err, sizeof(err)) == -1 &&
	    strcmp(err, "test.yaml:3: ingest.host: expected a number") == 0, "a bad number names file and line");
	ok(aiops_conf_number(cfg, "nope.x", 5, &d, err, sizeof(err)) == 0 && d == 5, "defaults");
	is_int(aiops_conf_line(cfg, "detect.sensitivity"), 10, "keys remember their line");
	aiops_conf_free(cfg);
}

static void
test_check(void)
{
	static const char *const allowed[] = { "host", "json.fields.*", NULL };
	char err[256] = "";
	struct aiops_conf *cfg = parse("ingest:\n  host: a\n  json:\n    fields:\n      ts: t\n", err, sizeof(err));

	ok(aiops_conf_check(cfg, "ingest", allowed, err, sizeof(err)) == 0, "known keys pass");
	aiops_conf_free(cfg);
	cfg = parse("ingest:\n  host: a\n  hots: b\n", err, sizeof(err));
	ok(aiops_conf_check(cfg, "ingest", allowed, err, sizeof(err)) == -1, "an unknown key fails");
	is_str(err, "test.yaml:3: unknown key 'ingest.hots'", "and says file:line");
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

static void
test_env(void)
{
	char err[256] = "";
	struct aiops_conf *cfg;

	setenv("AIOPS__INGEST__HOST", "from-env", 1);
	setenv("AIOPS__NEW__DEEP__KEY", "x", 1);
	cfg = parse("ingest:\n  host: from-file\n", err, sizeof(err));
	is_str(aiops_conf_string(cfg, "ingest.host", NULL), "from-env", "environment overrides the file");
	is_str(aiops_conf_string(cfg, "new.deep.key", NULL), "x", "and creates sections");
	aiops_conf_free(cfg);
	unsetenv("AIOPS__INGEST__HOST");
	unsetenv("AIOPS__NEW__DEEP__KEY");
	cfg = parse("", err, sizeof(err));
	ok(cfg != NULL && json_object_size(aiops_conf_root(cfg)) == 0, "an empty file is an empty config");
	aiops_conf_free(cfg);
}

int
main(void)
{
	test_values();
	test_check();
	test_errors();
	test_env();
	return tap_done();
}
