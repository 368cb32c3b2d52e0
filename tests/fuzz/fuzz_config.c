/*
 * fuzz_config.c: libFuzzer harness for the YAML configuration reader
 * (aiops_conf_parse in lib/config/conf.c) and its check against the schema
 * (aiops_conf_validate in lib/config/schema.c), the code that reads a file
 * an operator wrote by hand.
 *
 * Checked: a failed parse or check fills err (a non-empty C string); a
 * good parse gives an object tree, and the check, every getter and where
 * run over it without crashing, whatever the values are (a bad value is an
 * error, never an abort).
 */
#include "compat.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf.h"
#include "config/schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Paths the programs ask for, and some that exercise the path walk. */
static const char *const paths[] = {
	"ingest", "ingest.host", "ingest.store", "ingest.retention", "ingest.poll",
	"ingest.json.fields", "ingest.json.fields.message", "detect.sensitivity",
	"detect.counters", "detect.metrics", "a", "a.b", "a.b.c", "0", "", ".", "..",
	"a..b", NULL,
};

/* err, after a failure: a non-empty C string. */
static void
check_err(const char *err, size_t len)
{
	if (memchr(err, '\0', len) == NULL || err[0] == '\0')
		abort();
}

/* Every getter on every path: each must return cleanly. */
static void
query(struct aiops_conf *cfg)
{
	char where[512];
	size_t i;

	for (i = 0; paths[i] != NULL; i++) {
		(void)aiops_conf_get(cfg, paths[i]);
		(void)aiops_conf_string(cfg, paths[i], "def");
		(void)aiops_conf_number(cfg, paths[i], 1.0);
		(void)aiops_conf_int(cfg, paths[i], 1);
		(void)aiops_conf_bool(cfg, paths[i], 0);
		(void)aiops_conf_duration(cfg, paths[i], 0);
		(void)aiops_conf_line(cfg, paths[i]);
		check_err(aiops_conf_where(cfg, paths[i], where, sizeof(where)), sizeof(where));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const sections[] = { "ingest", "detect", NULL };
	struct aiops_conf *cfg;
	char err[512];
	size_t i;

	for (i = 0; sections[i] != NULL; i++) {
		memset(err, 'x', sizeof(err));
		cfg = aiops_conf_parse("fuzz.yaml", (const char *)data, size, err, sizeof(err));
		if (cfg == NULL) {
			check_err(err, sizeof(err));
			return 0;
		}
		if (!json_is_object(aiops_conf_root(cfg)))
			abort();
		query(cfg);
		memset(err, 'x', sizeof(err));
		if (aiops_conf_validate(cfg, sections[i], err, sizeof(err)) == -1)
			check_err(err, sizeof(err));
		query(cfg);
		aiops_conf_free(cfg);
	}
	return 0;
}
