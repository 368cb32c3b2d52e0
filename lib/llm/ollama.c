/*
 * ollama.c: Ollama's POST /api/chat (ollama/ollama:docs/api.md, "Generate
 * a chat completion"): the request converted from OpenAI's shape, and the
 * NDJSON stream of its answer.
 *
 * Request: {"model", "messages", "tools", "stream": true, "options":
 * {"temperature"}}. A message is {"role", "content"} (content a string);
 * an assistant's tool calls are [{"function": {"name", "arguments":
 * {object}}}] (no id, arguments an object, not a string); a tool's result
 * is {"role": "tool", "content", "tool_name"}. Tools have OpenAI's shape.
 *
 * Answer: one JSON object a line, {"message": {"role": "assistant",
 * "content": "piece", "tool_calls": [...]}, "done": false}, tool calls in
 * any line; the last line has "done": true, "done_reason",
 * "prompt_eval_count", "eval_count". {"error": "..."} is an error.
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

/* OpenAI's content (a string, null, or an array of parts) as one string. */
static json_t *
content_text(const json_t *content)
{
	struct aiops_buf b = AIOPS_BUF_INIT;
	const json_t *part;
	json_t *v;
	size_t i;

	if (content == NULL || json_is_null(content))
		return json_string("");
	if (json_is_string(content))
		return json_stringn(json_string_value(content), json_string_length(content));
	if (!json_is_array(content))
		return NULL;
	json_array_foreach(content, i, part) {
		const json_t *t = json_object_get(part, "text");

		if (json_is_string(t))
			aiops_buf_add(&b, json_string_value(t), json_string_length(t));
	}
	v = json_stringn(b.data != NULL ? b.data : "", b.len);
	aiops_buf_release(&b);
	return v;
}

/* The name of the tool call id answered by messages[at], from the assistant messages before it. */
static const char *
tool_name_of(const json_t *messages, size_t at, const char *id)
{
	const json_t *m, *tc;
	size_t i, j;

	if (id == NULL)
		return NULL;
	for (i = at; i-- > 0;) {
		m = json_array_get(messages, i);
		json_array_foreach(json_object_get(m, "tool_calls"), j, tc) {
			const char *tid = json_string_value(json_object_get(tc, "id"));

			if (tid != NULL && strcmp(tid, id) == 0)
				return json_string_value(json_object_get(json_object_get(tc, "function"), "name"));
		}
	}
	return NULL;
}

/* An assistant's tool calls with their arguments as objects. */
static json_t *
convert_calls(const json_t *calls, size_t at, char *err, size_t errlen)
{
	const json_t *tc, *fn, *args;
	json_t *out = json_array(), *o, *f, *a;
	json_error_t jerr;
	size_t i;

	json_array_foreach(calls, i, tc) {
		const char *name;

		fn = json_object_get(tc, "function");
		if ((name = json_string_value(json_object_get(fn, "name"))) == NULL) {
			aiops_errf(err, errlen, "message %zu: tool call %zu has no function name", at, i);
			json_decref(out);
			return NULL;
		}
		args = json_object_get(fn, "arguments");
		a = NULL;
		if (json_is_string(args))
			a = json_loadb(json_string_value(args), json_string_length(args), 0, &jerr);
		else if (json_is_object(args))
			a = json_deep_copy(args);
		if (!json_is_object(a)) {
			/* The model's own arguments were not an object: Ollama wants one. */
			json_decref(a);
			a = json_object();
		}
		f = json_object();
		json_object_set_new(f, "name", json_string(name));
		json_object_set_new(f, "arguments", a);
		o = json_object();
		json_object_set_new(o, "function", f);
		json_array_append_new(out, o);
	}
	return out;
}

json_t *
llm_ollama_body(const char *model, const json_t *messages, const json_t *tools,
    double temperature, char *err, size_t errlen)
{
	json_t *body, *msgs, *o, *v;
	const json_t *m, *calls;
	const char *role, *name;
	size_t i;

	body = json_object();
	json_object_set_new(body, "model", json_string(model));
	msgs = json_array();
	json_object_set_new(body, "messages", msgs);
	json_array_foreach(messages, i, m) {
		if ((role = json_string_value(json_object_get(m, "role"))) == NULL) {
			aiops_errf(err, errlen, "message %zu has no role", i);
			goto fail;
		}
		if ((v = content_text(json_object_get(m, "content"))) == NULL) {
			aiops_errf(err, errlen, "message %zu: content is not a string or an array of parts", i);
			goto fail;
		}
		o = json_object();
		json_array_append_new(msgs, o);
		json_object_set_new(o, "role", json_string(role));
		json_object_set_new(o, "content", v);
		calls = json_object_get(m, "tool_calls");
		if (strcmp(role, "assistant") == 0 && json_array_size(calls) > 0) {
			if ((v = convert_calls(calls, i, err, errlen)) == NULL)
				goto fail;
			json_object_set_new(o, "tool_calls", v);
		}
		if (strcmp(role, "tool") == 0) {
			name = tool_name_of(messages, i, json_string_value(json_object_get(m, "tool_call_id")));
			if (name == NULL)
				name = json_string_value(json_object_get(m, "name"));
			if (name != NULL)
				json_object_set_new(o, "tool_name", json_string(name));
		}
	}
	if (tools != NULL && json_array_size(tools) > 0)
		json_object_set_new(body, "tools", json_deep_copy(tools));
	json_object_set_new(body, "stream", json_true());
	if (temperature >= 0) {
		o = json_object();
		json_object_set_new(o, "temperature", json_real(temperature));
		json_object_set_new(body, "options", o);
	}
	return body;
fail:
	json_decref(body);
	return NULL;
}

/* One tool call of a line. */
static int
tool_call(struct aiops_llm_stream *s, const json_t *tc, int mapped)
{
	const json_t *fn = json_object_get(tc, "function"), *args, *name;
	struct aiops_buf n = AIOPS_BUF_INIT, a = AIOPS_BUF_INIT, id = AIOPS_BUF_INIT;
	const char *idv;
	char *dump;
	int rc, ok;

	name = json_object_get(fn, "name");
	if (!json_is_string(name) || json_string_length(name) == 0)
		return llm_fail(s, AIOPS_LLM_E_PROTOCOL, "line %lu: a tool call without a function name",
		    s->nlines);
	if (json_string_length(name) > LLM_MAX_NAME)
		return llm_fail(s, AIOPS_LLM_E_PROTOCOL, "line %lu: a tool call's name is over %d bytes",
		    s->nlines, LLM_MAX_NAME);
	llm_unmap(&n, json_string_value(name), json_string_length(name), mapped);
	args = json_object_get(fn, "arguments");
	if (args == NULL || json_is_null(args) || (json_is_string(args) && json_string_length(args) == 0))
		aiops_buf_addstr(&a, "{}");
	else if (json_is_string(args))
		llm_unmap(&a, json_string_value(args), json_string_length(args), mapped);
	else {
		if ((dump = json_dumps(args, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL)
			xoom(0);
		llm_unmap(&a, dump, strlen(dump), mapped);
		free(dump);
	}
	ok = llm_args_ok(a.data, a.len);
	idv = json_string_value(json_object_get(tc, "id"));
	if (idv != NULL && strlen(idv) <= LLM_MAX_NAME)
		llm_unmap(&id, idv, strlen(idv), mapped);
	rc = llm_add_call(s, id.data, n.data, a.data, a.len, ok);
	aiops_buf_release(&n);
	aiops_buf_release(&a);
	aiops_buf_release(&id);
	return rc;
}

static long
count(const json_t *v)
{
	return json_is_integer(v) && json_integer_value(v) >= 0 ? (long)json_integer_value(v) : -1;
}

int
llm_ollama_line(const char *line, size_t len, void *arg)
{
	struct aiops_llm_stream *s = arg;
	struct aiops_buf b = AIOPS_BUF_INIT;
	const json_t *msg, *content, *calls, *e, *tc;
	json_error_t jerr;
	json_t *v;
	size_t i;
	int mapped;

	if (s->error != 0)
		return s->error;
	s->nlines++;
	for (i = 0; i < len && (line[i] == ' ' || line[i] == '\t'); i++)
		;
	if (i == len || s->done)
		return 0;	/* a blank line; anything after the end */
	v = llm_load(line, len, &mapped, &jerr);
	if (!json_is_object(v)) {
		json_decref(v);
		return llm_fail(s, AIOPS_LLM_E_PROTOCOL, "line %lu is not a JSON object%s%s", s->nlines,
		    v == NULL ? ": " : "", v == NULL ? jerr.text : "");
	}
	if ((e = json_object_get(v, "error")) != NULL) {
		if (llm_error_message(line, len, &b) == 0)
			aiops_buf_addstr(&b, "an error");
		(void)llm_fail(s, strstr(b.data, "not found") != NULL ? AIOPS_LLM_E_REFUSED : AIOPS_LLM_E_PROTOCOL,
		    "%s", b.data);
		goto out;
	}
	msg = json_object_get(v, "message");
	if (msg != NULL && !json_is_object(msg)) {
		(void)llm_fail(s, AIOPS_LLM_E_PROTOCOL, "line %lu: \"message\" is not an object", s->nlines);
		goto out;
	}
	content = json_object_get(msg, "content");
	if (json_is_string(content)) {
		llm_unmap(&b, json_string_value(content), json_string_length(content), mapped);
		if (llm_content(s, b.data, b.len) != 0)
			goto out;
	} else if (content != NULL && !json_is_null(content)) {
		(void)llm_fail(s, AIOPS_LLM_E_PROTOCOL, "line %lu: \"content\" is not a string", s->nlines);
		goto out;
	}
	calls = json_object_get(msg, "tool_calls");
	if (calls != NULL && !json_is_array(calls) && !json_is_null(calls)) {
		(void)llm_fail(s, AIOPS_LLM_E_PROTOCOL, "line %lu: \"tool_calls\" is not an array", s->nlines);
		goto out;
	}
	json_array_foreach(calls, i, tc)
		if (tool_call(s, tc, mapped) != 0)
			goto out;
	if (json_is_true(json_object_get(v, "done"))) {
		const char *why = json_string_value(json_object_get(v, "done_reason"));

		s->done = 1;
		if (why != NULL && strlen(why) <= LLM_MAX_NAME) {
			free(s->out->finish_reason);
			s->out->finish_reason = xstrdup(why);
		}
		s->out->prompt_tokens = count(json_object_get(v, "prompt_eval_count"));
		s->out->completion_tokens = count(json_object_get(v, "eval_count"));
	}
out:
	aiops_buf_release(&b);
	json_decref(v);
	return s->error;
}

int
llm_error_message(const char *body, size_t len, struct aiops_buf *b)
{
	json_error_t jerr;
	const json_t *e;
	const char *m;
	json_t *v;
	size_t n;

	if ((v = json_loadb(body, len, 0, &jerr)) == NULL)
		return 0;
	e = json_object_get(v, "error");
	if (json_is_object(e))
		e = json_object_get(e, "message");
	if ((m = json_string_value(e)) == NULL || m[0] == '\0') {
		json_decref(v);
		return 0;
	}
	n = strlen(m);
	aiops_buf_add(b, m, n > 300 ? 300 : n);
	if (n > 300)
		aiops_buf_addstr(b, "...");
	json_decref(v);
	return 1;
}
