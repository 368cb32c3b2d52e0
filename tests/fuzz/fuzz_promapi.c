/*
 * fuzz_promapi.c: libFuzzer harness of the Prometheus HTTP API's query
 * answers (lib/ingest/promapi.c), with and without a cluster and a name.
 * Every record written must be a JSON object on its own line; a malformed
 * answer or an error writes nothing.
 */
#include "compat.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "ingest/ingest.h"
#include "ingest/promapi.h"
#include "io/out.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct aiops_ingest_opts opts;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	AIOPS_UNUSED(argc);
	AIOPS_UNUSED(argv);
	aiops_clock_init(AIOPS_CLOCK_WALL);
	opts.precision = AIOPS_TU_NS;
	return 0;
}

static void
check_records(const char *from, const char *to)
{
	json_error_t jerr;
	const char *nl;
	json_t *v;

	for (; from < to; from = nl + 1) {
		if ((nl = memchr(from, '\n', (size_t)(to - from))) == NULL)
			abort();
		v = json_loadb(from, (size_t)(nl - from), 0, &jerr);
		if (v == NULL || !json_is_object(v))
			abort();
		json_decref(v);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aiops_promapi_result res;
	struct aiops_ingest ing;
	struct aiops_out out;
	int rc, round;

	for (round = 0; round < 2; round++) {
		aiops_out_init(&out, AIOPS_OUT_MEMORY);
		aiops_ingest_init(&ing, &opts, &out, NULL);
		rc = aiops_promapi_emit(&ing, (const char *)data, size,
		    round ? "q" : NULL, round ? "c1" : NULL, &res);
		if (rc != 0 && out.buf.len != 0)
			abort();	/* nothing written unless it succeeded */
		check_records(out.buf.data, out.buf.data + out.buf.len);
		aiops_buf_release(&out.buf);
	}
	return 0;
}
