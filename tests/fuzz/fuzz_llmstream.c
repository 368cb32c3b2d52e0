/*
 * fuzz_llmstream.c: libFuzzer harness of the chat stream parsers
 * (lib/llm/chat.h): the first byte picks the API (even: Ollama's NDJSON,
 * "N"; odd: OpenAI's Server-Sent Events, "S") and the size of the pieces
 * the rest is fed in. Whatever the bytes, the reply must hold to its
 * bounds, a call with args_ok must carry a JSON object, and the content
 * passed to on_token must be the reply's text.
 */
#include "compat.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "llm/chat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
on_token(const char *p, size_t n, void *arg)
{
	struct aiops_buf *seen = arg;

	if (n == 0)
		abort();	/* empty pieces are not passed */
	aiops_buf_add(seen, p, n);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aiops_buf seen = AIOPS_BUF_INIT;
	struct aiops_llm_reply r;
	struct aiops_llm_stream *s;
	enum aiops_llm_api api;
	json_error_t jerr;
	size_t step, i, n;
	char err[256];
	int rc = 0;

	if (size < 1)
		return 0;
	api = data[0] % 2 == 0 ? AIOPS_LLM_OLLAMA : AIOPS_LLM_OPENAI;
	step = (size_t)(data[0] >> 1) % 17 == 0 ? size : (size_t)(data[0] >> 1) % 17;
	data++;
	size--;
	aiops_llm_reply_init(&r);
	s = aiops_llm_stream_new(api, on_token, &seen, &r);
	for (i = 0; i < size && rc == 0; i += n) {
		n = size - i < step ? size - i : step;
		rc = aiops_llm_stream_feed(s, (const char *)data + i, n);
	}
	rc = aiops_llm_stream_finish(s, err, sizeof(err));
	aiops_llm_stream_free(s);

	if (rc < AIOPS_LLM_OK || rc > AIOPS_LLM_E_CANCELLED || (rc != 0) != (err[0] != '\0'))
		abort();
	if (r.text.len > AIOPS_LLM_MAX_TEXT || r.ncalls > AIOPS_LLM_MAX_CALLS)
		abort();
	if (seen.len != r.text.len || (seen.len > 0 && memcmp(seen.data, r.text.data, seen.len) != 0))
		abort();
	for (i = 0; i < r.ncalls; i++) {
		const struct aiops_llm_call *c = &r.calls[i];

		if (c->id == NULL || c->name == NULL || c->arguments == NULL || c->name[0] == '\0')
			abort();
		if (strlen(c->arguments) > AIOPS_LLM_MAX_ARGS)
			abort();
		if (c->args_ok) {
			json_t *v = json_loads(c->arguments, 0, &jerr);

			if (!json_is_object(v))
				abort();
			json_decref(v);
		}
	}
	aiops_llm_reply_release(&r);
	aiops_buf_release(&seen);
	return 0;
}
