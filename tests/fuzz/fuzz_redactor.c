/*
 * fuzz_redactor.c: libFuzzer harness of lib/llm/redactor. Apply then
 * restore, with every kind and with the kinds that come back (IP, EMAIL,
 * HOST, MAC), twice each so the second pass meets numbers already given;
 * also apply_json on the input parsed as JSON. With no secret kinds,
 * restore(apply(x)) must give x back when x has no '[' (a '[' can type a
 * placeholder, which is kept, not restored); with every kind, the same
 * when no secret was found.
 */
#include "compat.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "llm/redactor.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOSECRET (AIOPS_REDACT_IP | AIOPS_REDACT_EMAIL | AIOPS_REDACT_HOST | AIOPS_REDACT_MAC)

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	AIOPS_UNUSED(argc);
	AIOPS_UNUSED(argv);
	return 0;
}

static struct aiops_redactor *
mk(unsigned kinds)
{
	struct aiops_redactor *r = aiops_redactor_new(kinds, NULL, 0);

	if (r == NULL || aiops_redactor_add_host(r, "web1") != 0 ||
	    aiops_redactor_add_host(r, "db-primary.prod") != 0)
		abort();
	return r;
}

static void
round_trip(unsigned kinds, const char *s, size_t n)
{
	struct aiops_buf red = AIOPS_BUF_INIT, back = AIOPS_BUF_INIT;
	struct aiops_redactor *r = mk(kinds);
	int pass;

	for (pass = 0; pass < 2; pass++) {
		aiops_buf_reset(&red);
		aiops_buf_reset(&back);
		if (aiops_redactor_apply(r, s, n, &red) != 0)
			continue;	/* fails closed: fine, if rare */
		if (aiops_redactor_restore(r, red.data, red.len, &back) != 0)
			abort();
		if (kinds == NOSECRET && memchr(s, '[', n) == NULL &&
		    (back.len != n || memcmp(back.data, s, n) != 0))
			abort();
		if (kinds != NOSECRET && aiops_redactor_count(r, AIOPS_REDACT_SECRET) +
		    aiops_redactor_count(r, AIOPS_REDACT_URLCRED) == 0 &&
		    memchr(s, '[', n) == NULL && (back.len != n || memcmp(back.data, s, n) != 0))
			abort();
	}
	aiops_buf_release(&red);
	aiops_buf_release(&back);
	aiops_redactor_free(r);
}

static void
json(const char *s, size_t n)
{
	struct aiops_redactor *r;
	json_error_t jerr;
	json_t *v, *red;

	if ((v = json_loadb(s, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr)) == NULL)
		return;
	r = mk(AIOPS_REDACT_ALL);
	red = aiops_redactor_apply_json(r, v);
	if (red != NULL && json_typeof(red) != json_typeof(v))
		abort();
	json_decref(red);
	json_decref(v);
	aiops_redactor_free(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;

	round_trip(NOSECRET, s, size);
	round_trip(AIOPS_REDACT_ALL, s, size);
	json(s, size);
	return 0;
}
