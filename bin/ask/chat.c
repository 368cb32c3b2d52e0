/*
 * chat.c: the tool-calling loop with a model (ask.h says what it does),
 * as HolmesGPT and k8sgpt run it: the persona and the question go to the
 * model with the tools; each tool call it makes runs here, read-only, and
 * its result goes back, until it answers in text or the budget (steps,
 * tool calls) is spent, when it is asked to answer with what it has.
 * What leaves the machine is redacted (lib/llm/redactor.h); the answer is
 * restored before anyone sees it. Tool results are cut to fit the context.
 */
#include "compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ask.h"
#include "config/conf.h"
#include "core/clock.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "llm/chat.h"
#include "llm/redactor.h"
#include "llm/settings.h"
#include "store/views.h"
#include "tool/log.h"

#define RESULT_MAX	(16 * 1024)	/* bytes of one tool result the model sees */
#define FACTS_MAX	200

static const char base_prompt[] =
    "You are aiops-ask, an assistant for operators on call. Answer from the tools only: they "
    "read the aiops state (metrics, alerts, anomalies, incidents, predictions, logs, clusters, "
    "automation). Call a tool before you state a fact; name hosts, metrics, times (UTC) and "
    "numbers exactly as the tools return them; say so when the data does not tell. Words in "
    "square brackets such as [IP_1] stand for redacted values: keep them as they are.";

struct chat {
	struct aiops_llm	*llm;
	struct aiops_redactor	*red;
	char			*backend, *model;
	struct aiops_buf	 pending;	/* streamed text held until a placeholder is whole */
	int			 printed;
	int			 json;
	struct ask		*a;
};

static struct chat chat;

int
ask_chat_configured(const struct ask *a)
{
	const char *b = aiops_conf_string(a->cli.cfg, "ask.backend", "none");

	return b != NULL && strcmp(b, "none") != 0;
}

/* The client, made on the first question and kept for the session. */
static int
setup(struct ask *a, char *err, size_t errlen)
{
	struct aiops_llm_settings set;
	size_t i;
	json_t *h;
	int rc;

	if (chat.llm != NULL)
		return 0;
	if ((rc = aiops_llm_settings_from(a->cli.cfg, &set, err, errlen)) != 1) {
		if (rc == 0)
			snprintf(err, errlen, "no model configured (ask.backend)");
		aiops_llm_settings_wipe(&set);
		return -1;
	}
	set.llm.seed = (uint64_t)getpid();
	set.llm.cancel = a->interrupted;
	chat.llm = aiops_llm_new(&set.llm, err, errlen);
	chat.backend = xstrdup(set.backend);
	chat.model = xstrdup(set.llm.model);
	aiops_llm_settings_wipe(&set);
	if (chat.llm == NULL)
		return -1;
	if (set.redact != 0) {
		if ((chat.red = aiops_redactor_new(set.redact, err, errlen)) == NULL)
			return -1;
		if (set.redact & AIOPS_REDACT_HOST)
			json_array_foreach(a->hosts, i, h)
				aiops_redactor_add_host(chat.red, json_string_value(h));
	}
	aiops_buf_init(&chat.pending);
	return 0;
}

/* Text on its way out: redacted, when redaction is on. A new string. */
static char *
redact(const char *s)
{
	struct aiops_buf b;
	char *out;

	if (chat.red == NULL)
		return xstrdup(s);
	aiops_buf_init(&b);
	/* It fails closed: nothing of the text goes, and the model is told. */
	if (aiops_redactor_apply(chat.red, s, strlen(s), &b) == -1) {
		log_warnx("redaction failed: %s; the text is withheld from the model", strerror(errno));
		aiops_buf_reset(&b);
		aiops_buf_addstr(&b, "[text withheld: redaction failed]");
	}
	out = xstrdup(aiops_buf_cstr(&b));
	aiops_buf_release(&b);
	return out;
}

static void
restore_into(const char *s, size_t n, struct aiops_buf *out)
{
	if (chat.red == NULL)
		aiops_buf_add(out, s, n);
	else
		aiops_redactor_restore(chat.red, s, n, out);
}

/* Prints the streamed text restored, holding back an unfinished "[...". */
static void
flush_pending(int all)
{
	struct aiops_buf out;
	size_t keep = 0;
	char *open = NULL;

	if (chat.pending.len == 0)
		return;
	if (!all && (open = strrchr(chat.pending.data, '[')) != NULL && strchr(open, ']') == NULL &&
	    chat.pending.len - (size_t)(open - chat.pending.data) < 32)
		keep = chat.pending.len - (size_t)(open - chat.pending.data);
	aiops_buf_init(&out);
	restore_into(chat.pending.data, chat.pending.len - keep, &out);
	fwrite(aiops_buf_cstr(&out), 1, out.len, stdout);
	fflush(stdout);
	aiops_buf_release(&out);
	memmove(chat.pending.data, chat.pending.data + chat.pending.len - keep, keep);
	chat.pending.len = keep;
	chat.pending.data[keep] = '\0';
	chat.printed = 1;
}

static int
on_token(const char *p, size_t n, void *arg)
{
	struct ask *a = arg;

	if (a->interrupted != NULL && *a->interrupted)
		return 1;
	if (chat.json)
		return 0;
	aiops_buf_add(&chat.pending, p, n);
	flush_pending(0);
	return 0;
}

/* A tool's result as the model sees it: redacted JSON, cut to RESULT_MAX. */
static char *
result_text(json_t *r, json_t *facts)
{
	json_t *rows = json_object_get(r, "rows"), *red;
	char *s;
	size_t i;
	json_t *row;

	json_array_foreach(rows, i, row)
		if (json_array_size(facts) < FACTS_MAX)
			json_array_append(facts, row);
	red = chat.red != NULL ? aiops_redactor_apply_json(chat.red, r) : json_incref(r);
	s = json_dumps(red, JSON_COMPACT);
	/* Cut rows off the end until it fits, and say so. */
	while (s != NULL && strlen(s) > RESULT_MAX && json_array_size(json_object_get(red, "rows")) > 0) {
		json_t *rr = json_object_get(red, "rows");

		json_array_remove(rr, json_array_size(rr) - 1 - json_array_size(rr) / 4);
		while (json_array_size(rr) > 1 && json_array_size(rr) * 2 > RESULT_MAX / 64)
			json_array_remove(rr, json_array_size(rr) - 1);
		json_object_set_new(red, "truncated", json_true());
		free(s);
		s = json_dumps(red, JSON_COMPACT);
	}
	json_decref(red);
	return s != NULL ? s : xstrdup("{}");
}

/* Runs the model's tool calls, appending the assistant's turn and the results. */
static void
run_calls(struct ask *a, const struct aiops_llm_reply *rep, json_t *messages, json_t *facts,
    size_t *budget)
{
	json_t *calls = json_array(), *msg;
	size_t i;

	for (i = 0; i < rep->ncalls; i++)
		json_array_append_new(calls, json_pack("{s:s, s:s, s:{s:s, s:s}}", "id", rep->calls[i].id,
		    "type", "function", "function", "name", rep->calls[i].name, "arguments",
		    rep->calls[i].arguments));
	msg = json_pack("{s:s, s:s%, s:o}", "role", "assistant", "content",
	    aiops_buf_cstr(&rep->text), rep->text.len, "tool_calls", calls);
	json_array_append_new(messages, msg);
	for (i = 0; i < rep->ncalls; i++) {
		const struct aiops_llm_call *c = &rep->calls[i];
		char err[ASK_ERRSZ] = "", *text;
		json_t *args = NULL, *r = NULL;

		if (*budget == 0)
			text = xstrdup("error: the tool budget of this answer is spent; answer now");
		else if (!c->args_ok || (args = json_loads(c->arguments, 0, NULL)) == NULL)
			text = xstrdup("error: the arguments are not a JSON object; call again");
		else if ((r = ask_tool_call(a, c->name, args, err, sizeof(err))) == NULL)
			text = redact(err);
		else
			text = result_text(r, facts);
		if (*budget > 0)
			(*budget)--;
		log_debug("tool %s(%s): %zu bytes", c->name, c->arguments, strlen(text));
		json_array_append_new(messages, json_pack("{s:s, s:s, s:s, s:s}", "role", "tool",
		    "tool_call_id", c->id, "name", c->name, "content", text));
		free(text);
		json_decref(args);
		json_decref(r);
	}
}

/* The session's earlier questions and answers, redacted, as context. */
static void
history(struct ask *a, json_t *messages)
{
	json_t *old = json_array(), *m;
	size_t i;

	if (a->session <= 0 || a->rec == NULL ||
	    aiops_ask_messages(a->rec, a->session, 20, old) == -1) {
		json_decref(old);
		return;
	}
	json_array_foreach(old, i, m) {
		const char *role = json_string_value(json_object_get(m, "role"));
		char *text = redact(json_string_value(json_object_get(m, "content")));

		if (role != NULL && (strcmp(role, "user") == 0 || strcmp(role, "assistant") == 0))
			json_array_append_new(messages, json_pack("{s:s, s:s}", "role", role, "content",
			    text));
		free(text);
	}
	json_decref(old);
}

static void
record(struct ask *a, const char *question, const char *answer, int64_t t0)
{
	struct aiops_ask_decision d = { 0 };
	char *tools;

	if (a->rec == NULL)
		return;
	tools = json_dumps(a->calls, JSON_COMPACT);
	d.session = a->session;
	d.ts = aiops_clock_now();
	d.question = question;
	d.intent = "model";
	d.confidence = 1;
	d.backend = chat.backend;
	d.model = chat.model;
	d.tools = tools;
	d.answer = answer;
	d.elapsed_ms = (aiops_monotonic_ns() - t0) / 1000000;
	if (aiops_ask_decision_add(a->rec, &d) == -1 || ask_session_add(a, question, answer) == -1)
		log_warnx("the decision was not recorded: %s", aiops_state_errmsg(a->rec));
	free(tools);
}

int
ask_chat(struct ask *a, const char *question, int json, char *err, size_t errlen)
{
	const struct aiops_conf *cfg = a->cli.cfg;
	size_t steps = (size_t)aiops_conf_int(cfg, "ask.max_steps", 6), step;
	size_t budget = (size_t)aiops_conf_int(cfg, "ask.max_tool_calls", 12);
	json_t *messages, *tools, *facts = json_array();
	struct aiops_llm_reply rep;
	enum aiops_llm_error e = AIOPS_LLM_OK;
	struct aiops_buf answer;
	int64_t t0 = aiops_monotonic_ns();
	char *q, sys[8192], now[40];
	int rc = 0;

	if (setup(a, err, errlen) == -1)
		return 1;
	chat.json = json;
	chat.printed = 0;
	chat.pending.len = 0;
	aiops_time_format(a->now, now);
	snprintf(sys, sizeof(sys), "%s\n%s\n%s\nThe time now: %s.", base_prompt,
	    a->persona_text != NULL ? a->persona_text : "", ask_persona_rules(a), now);
	messages = json_pack("[{s:s, s:s}]", "role", "system", "content", sys);
	history(a, messages);
	q = redact(question);
	json_array_append_new(messages, json_pack("{s:s, s:s}", "role", "user", "content", q));
	free(q);
	tools = ask_tools_openai();
	aiops_llm_reply_init(&rep);
	for (step = 0; step <= steps; step++) {
		aiops_llm_reply_release(&rep);
		aiops_llm_reply_init(&rep);
		/* The last turn has no tools: the model must answer with what it has. */
		e = aiops_llm_chat(chat.llm, messages, step < steps ? tools : NULL, on_token, a, &rep,
		    err, errlen);
		if (e != AIOPS_LLM_OK || rep.ncalls == 0)
			break;
		run_calls(a, &rep, messages, facts, &budget);
	}
	if (e != AIOPS_LLM_OK) {
		/* Unreachable or refused before a word was shown: the offline engine answers. */
		rc = chat.printed ? -1 : 1;
		if (e == AIOPS_LLM_E_CANCELLED) {
			rc = 0;
			flush_pending(1);
			printf("\n(interrupted)\n");
		}
		goto out;
	}
	aiops_buf_init(&answer);
	restore_into(aiops_buf_cstr(&rep.text), rep.text.len, &answer);
	if (json) {
		json_t *o = json_pack("{s:s, s:s, s:{}, s:f, s:b, s:s, s:O, s:[], s:O, s:s, s:s}",
		    "question", question, "intent", "model", "slots", "confidence", 1.0, "understood", 1,
		    "answer", aiops_buf_cstr(&answer), "facts", facts, "evidence", "tools", a->calls,
		    "backend", chat.backend, "model", chat.model);
		char *s = json_dumps(o, JSON_COMPACT);

		printf("%s\n", s);
		free(s);
		json_decref(o);
	} else {
		flush_pending(1);
		if (answer.len == 0 || answer.data[answer.len - 1] != '\n')
			putchar('\n');
	}
	fflush(stdout);
	record(a, question, aiops_buf_cstr(&answer), t0);
	aiops_buf_release(&answer);
out:
	aiops_llm_reply_release(&rep);
	json_decref(messages);
	json_decref(tools);
	json_decref(facts);
	return rc;
}
