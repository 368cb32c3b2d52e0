/*
 * fuzz_ingest.c: one libFuzzer harness for every line format of
 * aiops-ingest. FUZZ_FORMAT names the parser (-DFUZZ_FORMAT='"influx"';
 * "auto" detects as --format auto does, over a window of lines). The
 * input is split at '\n' and fed line by line as aiops-ingest does; the
 * output is discarded (fd -1), but every record a line produced is first
 * checked to be a JSON object: a parser must never make the writer emit
 * broken NDJSON.
 */
#include "compat.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "ingest/ingest.h"
#include "io/out.h"

#ifndef FUZZ_FORMAT
#error "build with -DFUZZ_FORMAT='\"influx\"' (a format name, or \"auto\")"
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct aiops_ingest_opts opts;
static const struct aiops_format *fmt;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	AIOPS_UNUSED(argc);
	AIOPS_UNUSED(argv);
	aiops_clock_init(AIOPS_CLOCK_WALL);
	if (strcmp(FUZZ_FORMAT, "auto") != 0 &&
	    (fmt = aiops_format_find(FUZZ_FORMAT)) == NULL)
		abort();
	opts.precision = AIOPS_TU_NS;
	opts.json_fields = json_object();	/* as aiops-ingest: empty, not NULL */
	return 0;
}

/* Each record in [from, to) is one line holding a JSON object. */
static void
check_records(const char *from, const char *to)
{
	json_error_t jerr;
	const char *nl;
	json_t *v;

	for (; from < to; from = nl + 1) {
		if ((nl = memchr(from, '\n', (size_t)(to - from))) == NULL)
			abort();	/* a record without its newline */
		v = json_loadb(from, (size_t)(nl - from), 0, &jerr);
		if (v == NULL || !json_is_object(v))
			abort();
		json_decref(v);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *nl;
	struct aiops_ingest ing;
	struct aiops_input in;
	struct aiops_out out;
	unsigned long lineno = 0;
	size_t mark;

	aiops_out_init(&out, -1);
	aiops_ingest_init(&ing, &opts, &out, NULL);
	aiops_input_init(&in, fmt, "fuzz");
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		mark = out.buf.len;
		(void)aiops_input_line(&ing, &in, p, (size_t)(nl - p), ++lineno);
		/* Unless the buffer was just written out (and so emptied). */
		if (out.buf.len >= mark)
			check_records(out.buf.data + mark, out.buf.data + out.buf.len);
	}
	mark = out.buf.len;
	(void)aiops_input_finish(&ing, &in);
	if (out.buf.len >= mark)
		check_records(out.buf.data + mark, out.buf.data + out.buf.len);
	(void)aiops_out_close(&out);
	return 0;
}
