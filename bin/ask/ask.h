/*
 * ask.h: aiops-ask's parts. tools.c: the read-only functions over the
 * state that every way of answering calls (the offline engine, a model's
 * tool calls, the MCP server); intent.c: the offline intent engine
 * (a question to an intent and its slots); answer.c: an intent answered
 * from the tools as text, facts and evidence; mcp.c: the MCP server;
 * chat.c: the tool-calling loop with a model.
 */
#ifndef AIOPS_ASK_H
#define AIOPS_ASK_H

#include <jansson.h>
#include <stdint.h>

#include "core/buf.h"
#include "store/state.h"
#include "tool/cli.h"

#define ASK_MAX_ROWS	200	/* rows a tool returns at most */
#define ASK_ERRSZ	512

/* A buffer's text, "" when it has none yet. */
static inline const char *
aiops_buf_cstr(const struct aiops_buf *b)
{
	return b->data != NULL ? b->data : "";
}

struct ask {
	struct aiops_cli	 cli;
	struct aiops_state	*st;		/* read-only: every tool reads here */
	struct aiops_state	*rec;		/* writable, for the ask_ records; NULL if refused */
	int64_t			 now;		/* ns, the toolkit clock at the question */
	json_t			*hosts;		/* ["db-1", ...]: what the state knows */
	json_t			*metrics;	/* ["cpu_usage_user", ...] */
	json_t			*clusters;
	json_t			*rules;		/* automation rules that ran */
	json_t			*alertnames;	/* the alerts' names */
	json_t			*services;	/* services of the stored log lines */
	json_t			*calls;		/* this answer's tool calls: [{name, arguments, rows, ms}] */
	long			 sql_timeout_ms;
	size_t			 sql_max_rows;
	int			 offline;	/* --offline */
	char			*persona, *persona_text;	/* its name, its text for a model */
	const char		*style;		/* concise, balanced, detailed */
	const char		*autonomy;	/* cautious, balanced, autonomous */
	size_t			 table_rows;	/* rows a table shows: from the style */
	int64_t			 session;	/* ask_sessions.id, 0 when none */
	json_t			*proposal;	/* the last playbook proposed, not yet queued */
	volatile int		*interrupted;	/* set by SIGINT: the answer stops */
};

/* tools.c */
struct ask_tool {
	const char	*name;
	const char	*description;
	const char	*parameters;	/* JSON schema of the arguments object */
	json_t		*(*run)(struct ask *a, const json_t *args, char *err, size_t errlen);
};
extern const struct ask_tool ask_tools[];
/*
 * Calls the tool name with args (an object): its result, {"rows": [...],
 * "truncated": bool} and whatever else it adds, recorded in a->calls; or
 * NULL with err ("no tool x", "since: not a time"...).
 */
json_t *ask_tool_call(struct ask *a, const char *name, const json_t *args, char *err, size_t errlen);
/* The tools as OpenAI's "tools" array, and as MCP's tools/list "tools". */
json_t *ask_tools_openai(void);
json_t *ask_tools_mcp(void);
/* A time argument: RFC 3339, "now", or a duration back from now ("24h"): ms; -1 if bad. */
int64_t ask_time_arg(const struct ask *a, const char *s);
/* Loads hosts, metrics, clusters, rules and alert names into a (for slots and completion). */
int ask_vocabulary(struct ask *a, char *err, size_t errlen);
/* The services of the stored log lines, read once, at the first need. */
const json_t *ask_services(struct ask *a);

/* intent.c */
struct ask_slots {
	char		*host;		/* a host the state knows */
	char		*unknown_host;	/* a word shaped like a host the state does not know */
	char		*cluster;
	char		*metric;	/* a metric name, or a LIKE pattern */
	char		*metric_word;	/* what the question said: "cpu" */
	char		*severity, *status;
	char		*query;		/* search words, FTS5 quoted */
	int		 query_any;	/* query: lines with any of its words, as prefixes */
	int		 errors_only;	/* query: lines of severity error or worse */
	int		 failures_only;	/* query: lines that say something failed */
	int		 guess;		/* query: the question was not understood otherwise */
	int		 failure_words;	/* "brute forcing", "attack": what failed is asked */
	char		*terms;		/* words no cue, slot or stop list took ("stripe") */
	char		*rule;		/* an automation rule the state knows */
	char		*alertname;	/* an alert the state knows ("gpu overheat": GPUOverheat) */
	char		*service;	/* a service of the logs ("postgres"; "ssh" for sshd) */
	char		*id;		/* an incident or alert id */
	int64_t		 since, until;	/* ms, -1 unset */
	int64_t		 ahead;		/* ms: "next 24h", "tomorrow"; 0 unset */
	char		*period;	/* "in the last 24 hours" */
};

struct ask_intent;
struct ask_match {
	const struct ask_intent	*intent;
	double			 confidence;
	struct ask_slots	 slots;
	char			*normalized;	/* the question as understood */
};

int ask_understand(struct ask *a, const char *question, struct ask_match *m);
void ask_match_release(struct ask_match *m);
const char *ask_intent_name(const struct ask_intent *in);
/* Is w a word that says nothing of what to look for ("the", "which")? */
int ask_stop_word(const char *w);
size_t ask_intent_count(void);
/* Questions to suggest when one is not understood, NULL-terminated. */
extern const char *const ask_examples[];
/* Words for completion: commands, intents' cues; NULL-terminated. */
extern const char *const ask_words[];

/* answer.c */
struct ask_answer {
	struct aiops_buf text;		/* the short answer, then a table */
	json_t		*facts;		/* typed rows */
	json_t		*evidence;	/* ids of the events used */
	int		 understood;
	size_t		 table_rows;	/* rows a table shows, the rest counted */
};
void ask_answer_init(struct ask_answer *ans);
void ask_answer_release(struct ask_answer *ans);
const char *ask_answer_intent(const struct ask_match *m, const struct ask_answer *ans);
/* Answers m from the state; 0, or -1 with err (the state failed). */
int ask_answer(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err, size_t errlen);
/* The question, intent, slots, confidence, answer, facts, evidence as aiops-ask --json says. */
json_t *ask_answer_json(const char *question, const struct ask_match *m, const struct ask_answer *ans);
/* The intent's answer function (intent.c's table points here). */
typedef int ask_answer_fn(struct ask *a, const struct ask_match *m, struct ask_answer *ans,
    char *err, size_t errlen);

/*
 * chat.c: the tool-calling loop with the configured model (ask.backend):
 * the question, redacted, goes to the model with the tools; its tool
 * calls run here (bounded by ask.max_steps and ask.max_tool_calls, each
 * logged in a->calls); its answer streams to stdout as it comes (or is
 * printed as --json's object), restored. Returns 0 answered; 1 when the
 * model could not be reached (err says why: the caller answers offline);
 * -1 on another failure, with err.
 */
int ask_chat(struct ask *a, const char *question, int json, char *err, size_t errlen);
/* Is a model configured (ask.backend other than none)? */
int ask_chat_configured(const struct ask *a);

/*
 * persona.c: loads the persona name (NULL: ask.persona, else default):
 * its text, style and autonomy into a. 0, or -1 with err.
 */
int ask_persona_load(struct ask *a, const char *name, char *err, size_t errlen);
/* The style's and autonomy's instructions to a model, one sentence or two. */
const char *ask_persona_rules(const struct ask *a);

/*
 * propose.c: the propose_playbook tool: checks and shows a proposal (kept
 * in a->proposal), runs nothing; and the queueing of a->proposal, once a
 * person confirmed, as a task awaiting approval: its id in *id. 0, or -1.
 */
json_t *ask_propose(struct ask *a, const json_t *args, char *err, size_t errlen);
int ask_propose_queue(struct ask *a, int64_t *id, char *err, size_t errlen);

/* main.c: the question and answer joined to the session, if one is open. 0, or -1. */
int ask_session_add(struct ask *a, const char *question, const char *answer);

/* mcp.c: serves MCP on stdin and stdout until EOF. An exit status. */
int ask_mcp(struct ask *a);

#endif
