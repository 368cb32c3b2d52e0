/*
 * openai.c: an OpenAI-compatible POST /v1/chat/completions (OpenAI's Chat
 * Completions API reference; openai/openai-python's
 * types/chat/chat_completion_chunk.py and _streaming.py), streamed.
 *
 * Request: {"model", "messages", "tools", "stream": true,
 * "stream_options": {"include_usage": true}, "temperature"}: messages and
 * tools are already in this shape.
 *
 * Answer: Server-Sent Events, "data: {chunk}" each, "data: [DONE]" last.
 * A chunk is {"choices": [{"index": 0, "delta": {"content", "tool_calls":
 * [{"index", "id", "type", "function": {"name", "arguments"}}]},
 * "finish_reason"}]}; with include_usage a last chunk has "choices": []
 * and "usage": {"prompt_tokens", "completion_tokens"}. The first fragment
 * of a tool call (by "index") has its id and name, the next ones pieces of
 * its arguments string, which may split a UTF-8 character or an escape of
 * the JSON text they make: they are joined, then checked to be an object.
 * {"error": {"message"}} in a chunk is an error.
 */
#include "compat.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/errf.h"
#include "core/xmalloc.h"
#include "llm/backend.h"
#include "llm/chat.h"
#include "net/lines.h"

json_t *
llm_openai_body(const char *model, const json_t *messages, const json_t *tools,
    double temperature, char *err, size_t errlen)
{
	const json_t *m;
	json_t *body, *o;
	size_t i;

	json_array_foreach(messages, i, m)
		if (!json_is_string(json_object_get(m, "role"))) {
			aiops_errf(err, errlen, "message %zu has no role", i);
			return NULL;
		}
	body = json_object();
	json_object_set_new(body, "model", json_string(model));
	json_object_set_new(body, "messages", json_deep_copy(messages));
	if (tools != NULL && json_array_size(tools) > 0)
		json_object_set_new(body, "tools", json_deep_copy(tools));
	json_object_set_new(body, "stream", json_true());
	o = json_object();
	json_object_set_new(o, "include_usage", json_true());
	json_object_set_new(body, "stream_options", o);
	if (temperature >= 0)
		json_object_set_new(body, "temperature", json_real(temperature));
	return body;
}

static struct llm_pending *
pending(struct aiops_llm_stream *s, const json_t *frag)
{
	const json_t *jidx = json_object_get(frag, "index");
	struct llm_pending *p;
	long idx;
	size_t i;

	if (json_is_integer(jidx))
		idx = (long)json_integer_value(jidx);
	else if (s->npend == 0)
		idx = 0;
	else if (json_is_string(json_object_get(frag, "id"))) {
		/* No index (some servers): a new id is a new call. */
		for (i = 0, idx = 0; i < s->npend; i++)
			if (s->pend[i].index >= idx)
				idx = s->pend[i].index + 1;
	} else
		idx = s->pend[s->npend - 1].index;
	for (i = 0; i < s->npend; i++)
		if (s->pend[i].index == idx)
			return &s->pend[i];
	if (s->npend >= AIOPS_LLM_MAX_CALLS) {
		(void)llm_fail(s, AIOPS_LLM_E_PROTOCOL, "more than %d tool calls", AIOPS_LLM_MAX_CALLS);
		return NULL;
	}
	s->pend = xreallocarray(s->pend, s->npend + 1, sizeof(*s->pend));
	p = &s->pend[s->npend++];
	memset(p, 0, sizeof(*p));
	p->index = idx;
	return p;
}

/* One fragment of a tool call. */
static int
fragment(struct aiops_llm_stream *s, const json_t *frag, int mapped)
{
	const json_t *fn, *id, *name, *args;
	struct aiops_buf tmp = AIOPS_BUF_INIT;
	struct llm_pending *p;

	if (!json_is_object(frag))
		return llm_fail(s, AIOPS_LLM_E_PROTOCOL, "event %lu: a tool call is not an object", s->nlines);
	if ((p = pending(s, frag)) == NULL)
		return s->error;
	s->passed = 1;
	id = json_object_get(frag, "id");
	if (json_is_string(id) && json_string_length(id) > 0 && p->id.len == 0) {
		if (json_string_length(id) > LLM_MAX_NAME)
			return llm_fail(s, AIOPS_LLM_E_PROTOCOL, "event %lu: a tool call id over %d bytes",
			    s->nlines, LLM_MAX_NAME);
		llm_unmap(&p->id, json_string_value(id), json_string_length(id), mapped);
	}
	fn = json_object_get(frag, "function");
	if (fn != NULL && !json_is_object(fn) && !json_is_null(fn))
		return llm_fail(s, AIOPS_LLM_E_PROTOCOL, "event %lu: \"function\" is not an object", s->nlines);
	name = json_object_get(fn, "name");
	if (json_is_string(name) && json_string_length(name) > 0) {
		llm_unmap(&tmp, json_string_value(name), json_string_length(name), mapped);
		/* The name comes once; a server that repeats it is not taken to extend it. */
		if (p->name.len != tmp.len || memcmp(p->name.data, tmp.data, tmp.len) != 0)
			aiops_buf_add(&p->name, tmp.data, tmp.len);
		aiops_buf_release(&tmp);
		if (p->name.len > LLM_MAX_NAME)
			return llm_fail(s, AIOPS_LLM_E_PROTOCOL, "event %lu: a tool call's name is over %d bytes",
			    s->nlines, LLM_MAX_NAME);
	}
	args = json_object_get(fn, "arguments");
	if (json_is_string(args)) {
		if (json_string_length(args) > AIOPS_LLM_MAX_ARGS - p->args.len)
			return llm_fail(s, AIOPS_LLM_E_PROTOCOL, "tool call %ld's arguments are over %d bytes",
			    p->index, AIOPS_LLM_MAX_ARGS);
		llm_unmap(&p->args, json_string_value(args), json_string_length(args), mapped);
	} else if (args != NULL && !json_is_null(args))
		return llm_fail(s, AIOPS_LLM_E_PROTOCOL, "event %lu: \"arguments\" is not a string", s->nlines);
	return 0;
}

static int
choice(struct aiops_llm_stream *s, const json_t *c, int mapped)
{
	const json_t *delta, *content, *calls, *frag, *why, *idx;
	struct aiops_buf b = AIOPS_BUF_INIT;
	size_t i;

	if (!json_is_object(c))
		return llm_fail(s, AIOPS_LLM_E_PROTOCOL, "event %lu: a choice is not an object", s->nlines);
	idx = json_object_get(c, "index");
	if (json_is_integer(idx) && json_integer_value(idx) != 0)
		return 0;	/* n > 1: the first choice only */
	delta = json_object_get(c, "delta");
	if (delta != NULL && !json_is_object(delta) && !json_is_null(delta))
		return llm_fail(s, AIOPS_LLM_E_PROTOCOL, "event %lu: \"delta\" is not an object", s->nlines);
	content = json_object_get(delta, "content");
	if (json_is_string(content)) {
		llm_unmap(&b, json_string_value(content), json_string_length(content), mapped);
		(void)llm_content(s, b.data, b.len);
		aiops_buf_release(&b);
		if (s->error != 0)
			return s->error;
	} else if (content != NULL && !json_is_null(content))
		return llm_fail(s, AIOPS_LLM_E_PROTOCOL, "event %lu: \"content\" is not a string", s->nlines);
	calls = json_object_get(delta, "tool_calls");
	if (calls != NULL && !json_is_array(calls) && !json_is_null(calls))
		return llm_fail(s, AIOPS_LLM_E_PROTOCOL, "event %lu: \"tool_calls\" is not an array", s->nlines);
	json_array_foreach(calls, i, frag)
		if (fragment(s, frag, mapped) != 0)
			return s->error;
	why = json_object_get(c, "finish_reason");
	if (json_is_string(why) && json_string_length(why) <= LLM_MAX_NAME) {
		free(s->out->finish_reason);
		s->out->finish_reason = xstrdup(json_string_value(why));
	}
	return 0;
}

static long
count(const json_t *v)
{
	return json_is_integer(v) && json_integer_value(v) >= 0 ? (long)json_integer_value(v) : -1;
}

int
llm_openai_event(const struct aiops_sse_event *ev, void *arg)
{
	struct aiops_llm_stream *s = arg;
	struct aiops_buf b = AIOPS_BUF_INIT;
	const json_t *choices, *c, *usage;
	const char *d = ev->data;
	size_t n = ev->data_len, i;
	json_error_t jerr;
	json_t *v;
	int mapped;

	if (s->error != 0)
		return s->error;
	s->nlines++;
	if (s->done)
		return 0;	/* after [DONE] */
	while (n > 0 && (d[n - 1] == ' ' || d[n - 1] == '\t'))
		n--;
	if (!(ev->type_len == 7 && memcmp(ev->type, "message", 7) == 0)) {
		if (ev->type_len == 5 && memcmp(ev->type, "error", 5) == 0) {
			if (llm_error_message(d, n, &b) == 0)
				aiops_buf_add(&b, d, n > 300 ? 300 : n);
			(void)llm_fail(s, AIOPS_LLM_E_PROTOCOL, "an error event: %s", b.data != NULL ? b.data : "");
			aiops_buf_release(&b);
			return s->error;
		}
		return 0;	/* another event type: not ours */
	}
	if (n == 6 && memcmp(d, "[DONE]", 6) == 0) {
		s->done = 1;
		return 0;
	}
	if (n == 0)
		return 0;
	v = llm_load(d, n, &mapped, &jerr);
	if (!json_is_object(v)) {
		json_decref(v);
		return llm_fail(s, AIOPS_LLM_E_PROTOCOL, "event %lu is not a JSON object%s%s", s->nlines,
		    v == NULL ? ": " : "", v == NULL ? jerr.text : "");
	}
	if (json_object_get(v, "error") != NULL) {
		if (llm_error_message(d, n, &b) == 0)
			aiops_buf_addstr(&b, "an error");
		(void)llm_fail(s, AIOPS_LLM_E_PROTOCOL, "%s", b.data);
		goto out;
	}
	choices = json_object_get(v, "choices");
	if (choices != NULL && !json_is_array(choices) && !json_is_null(choices)) {
		(void)llm_fail(s, AIOPS_LLM_E_PROTOCOL, "event %lu: \"choices\" is not an array", s->nlines);
		goto out;
	}
	json_array_foreach(choices, i, c)
		if (choice(s, c, mapped) != 0)
			goto out;
	usage = json_object_get(v, "usage");
	if (json_is_object(usage)) {
		s->out->prompt_tokens = count(json_object_get(usage, "prompt_tokens"));
		s->out->completion_tokens = count(json_object_get(usage, "completion_tokens"));
	}
out:
	aiops_buf_release(&b);
	json_decref(v);
	return s->error;
}

static int
by_index(const void *a, const void *b)
{
	const struct llm_pending *x = a, *y = b;

	return x->index < y->index ? -1 : x->index > y->index;
}

int
llm_openai_finish(struct aiops_llm_stream *s)
{
	struct llm_pending *p;
	size_t i;

	if (s->npend > 1)
		qsort(s->pend, s->npend, sizeof(*s->pend), by_index);
	for (i = 0; i < s->npend; i++) {
		p = &s->pend[i];
		if (p->name.len == 0)
			return llm_fail(s, AIOPS_LLM_E_PROTOCOL, "tool call %ld has no function name", p->index);
		if (p->args.len == 0)
			aiops_buf_addstr(&p->args, "{}");
		if (llm_add_call(s, p->id.data, p->name.data, p->args.data, p->args.len,
		    llm_args_ok(p->args.data, p->args.len)) != 0)
			return s->error;
	}
	return 0;
}

void
llm_openai_release(struct aiops_llm_stream *s)
{
	size_t i;

	for (i = 0; i < s->npend; i++) {
		aiops_buf_release(&s->pend[i].id);
		aiops_buf_release(&s->pend[i].name);
		aiops_buf_release(&s->pend[i].args);
	}
	free(s->pend);
	s->pend = NULL;
	s->npend = 0;
}
