/*
 * fuzz_config.c: libFuzzer harness for the YAML configuration reader
 * (aiops_conf_parse in lib/conf.c), the one parser that reads a file an
 * operator wrote by hand.
 *
 * Checked: a failed parse fills err (a non-empty C string); a good one
 * gives an object tree, and every getter and the key check run over it
 * without crashing, whatever the values are (a bad value is an error,
 * never an abort).
 */
#include "compat.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Paths the programs ask for, and some that exercise the path walk. */
static const char *const paths[] = {
	"ingest", "ingest.host", "ingest.store", "ingest.retention",
	"ingest.json.fields", "ingest.json.fields.message", "detect.sensitivity",
	"a", "a.b", "a.b.c", "0", "", ".", "..", "a..b", NULL,
};

static const char *const allowed[] = {
	"format", "host", "store", "retention", "json.fields.*", "*", NULL,
};

/* Every getter on every path: each must return cleanly. */
static void
query(struct aiops_conf *cfg)
{
	char err[512];
	double d;
	int64_t ns;
	size_t i;
	int b;

	for (i = 0; paths[i] != NULL; i++) {
		(void)aiops_conf_get(cfg, paths[i]);
		(void)aiops_conf_string(cfg, paths[i], "def");
		if (aiops_conf_number(cfg, paths[i], 1.0, &d, err, sizeof(err)) == -1 &&
		    (memchr(err, '\0', sizeof(err)) == NULL || err[0] == '\0'))
			abort();
		if (aiops_conf_bool(cfg, paths[i], 0, &b, err, sizeof(err)) == -1 &&
		    (memchr(err, '\0', sizeof(err)) == NULL || err[0] == '\0'))
			abort();
		if (aiops_conf_duration(cfg, paths[i], 0, &ns, err, sizeof(err)) == -1 &&
		    (memchr(err, '\0', sizeof(err)) == NULL || err[0] == '\0'))
			abort();
		(void)aiops_conf_line(cfg, paths[i]);
	}
	(void)aiops_conf_check(cfg, "ingest", allowed, err, sizeof(err));
	(void)aiops_conf_check(cfg, "nope", allowed, err, sizeof(err));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aiops_conf *cfg;
	char err[512];

	memset(err, 'x', sizeof(err));
	cfg = aiops_conf_parse("fuzz.yaml", (const char *)data, size, err, sizeof(err));
	if (cfg == NULL) {
		if (memchr(err, '\0', sizeof(err)) == NULL || err[0] == '\0')
			abort();
		return 0;
	}
	if (!json_is_object(aiops_conf_root(cfg)))
		abort();
	query(cfg);
	aiops_conf_free(cfg);
	return 0;
}
