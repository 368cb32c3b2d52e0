/*
 * fuzz_alertpush.c: the listener's parsers beside the line formats:
 * Alertmanager's push API (a JSON array of alerts, POST /api/v2/alerts)
 * and the bearer token of an Authorization header. The first byte picks
 * which. Every record the push API parser writes must be one JSON object
 * on one line; the token check must answer, whatever the header.
 */
#include "compat.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "ingest/ingest.h"
#include "ingest/jsondoc.h"
#include "io/out.h"
#include "net/token.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct aiops_ingest_opts opts;
static struct aiops_tokenset *tokens;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct aiops_token_row row;

	AIOPS_UNUSED(argc);
	AIOPS_UNUSED(argv);
	aiops_clock_init(AIOPS_CLOCK_WALL);
	opts.precision = AIOPS_TU_NS;
	memset(&row, 0, sizeof(row));
	memcpy(row.id, "0123456789ab", AIOPS_TOKEN_ID_LEN + 1);
	row.name = "fuzz";
	row.scopes = "write";
	tokens = aiops_tokenset_new(&row, 1);
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

static void
push(const char *p, size_t n)
{
	struct aiops_ingest ing;
	struct aiops_out out;
	json_error_t jerr;
	json_t *doc;

	if ((doc = json_loadb(p, n, 0, &jerr)) == NULL)
		return;
	aiops_out_init(&out, AIOPS_OUT_MEMORY);
	aiops_ingest_init(&ing, &opts, &out, NULL);
	if (aiops_alertmanager_emit_postable(&ing, doc) == 0)
		check_records(out.buf.data, out.buf.data + out.buf.len);
	else if (out.buf.len != 0)
		abort();	/* a bad batch writes nothing */
	json_decref(doc);
	(void)aiops_out_close(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct aiops_token_row *row;
	char *hdr;

	if (size == 0)
		return 0;
	if (data[0] & 1) {
		push((const char *)data + 1, size - 1);
		return 0;
	}
	hdr = strndup((const char *)data + 1, size - 1);
	if (aiops_tokenset_check(tokens, hdr, "write", 0, &row) == AIOPS_TOKEN_OK && row == NULL)
		abort();
	free(hdr);
	return 0;
}
