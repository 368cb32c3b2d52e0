/*
 * main.c: aiops-ask, questions in plain language answered from the state.
 *
 *	aiops-ask "what is firing?"	one question, one answer
 *	aiops-ask --json "..."		the answer as one JSON object
 *	aiops-ask			a REPL on a terminal (readline), else a
 *					question a line from standard input
 *	aiops-ask --mcp			an MCP server on stdin and stdout
 *
 * The state is read through a read-only connection; the decisions are
 * recorded through a second one when the state may be written (a member
 * of the state's group may; a reader who may not loses only the record).
 */
#include "compat.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "ask.h"
#include "config/conf.h"
#include "config/paths.h"
#include "core/clock.h"
#include "core/xmalloc.h"
#include "json/jw.h"
#include "store/views.h"
#include "tool/log.h"

enum {
	OPT_JSON = AIOPS_OPT_PROGRAM_BASE,
	OPT_MCP,
	OPT_OFFLINE,
	OPT_PERSONA,
	OPT_SESSION,
	OPT_YES,
};

static const char synopsis[] =
    "aiops-ask [-hqVv] [--json] [--offline] [--yes] [--persona name] [--session id]\n"
    "                 [--state file] [--config file] [--strict]\n"
    "                 [--max-line bytes] [--clock wall|event] [--log-format plain|json]\n"
    "                 [question ...]\n"
    "       aiops-ask --mcp";

static const struct aiops_opt opts[] = {
	{ "json", OPT_JSON, NULL, "each answer as one JSON object: question, intent, slots,\n"
	  "confidence, answer, facts, evidence" },
	{ "offline", OPT_OFFLINE, NULL, "answer with the built-in intent engine only" },
	{ "mcp", OPT_MCP, NULL, "serve the Model Context Protocol on stdin and stdout" },
	{ "persona", OPT_PERSONA, "name", "the persona: default, platform-ops, gpu-expert,\n"
	  "network-cnf, telco-5g, or a file" },
	{ "yes", OPT_YES, NULL, "queue a playbook an answer proposes without asking\n"
	  "(it still waits for approval in aiops-run)" },
	{ "session", OPT_SESSION, "id", "go on with this session: its questions and answers\n"
	  "are the model's context, and these join them" },
	AIOPS_OPT_END
};

static struct ask ask;
static int json_out;
static volatile int interrupted;

static void
on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

int
ask_session_add(struct ask *a, const char *question, const char *answer)
{
	int64_t now = aiops_clock_now();

	if (a->session <= 0 || a->rec == NULL)
		return 0;
	if (aiops_ask_message_add(a->rec, a->session, now, "user", question) == -1 ||
	    aiops_ask_message_add(a->rec, a->session, now, "assistant", answer) == -1)
		return -1;
	return 0;
}

/* Records the decision; a state that refuses writes loses only this. */
static void
record(const char *question, const struct ask_match *m, const struct ask_answer *ans,
    int64_t elapsed_ms)
{
	struct aiops_ask_decision d = { 0 };
	char *tools;

	if (ask.rec == NULL)
		return;
	tools = json_dumps(ask.calls, JSON_COMPACT);
	d.session = ask.session;
	d.ts = aiops_clock_now();
	d.question = question;
	d.intent = ask_answer_intent(m, ans);
	d.confidence = m->confidence;
	d.backend = "offline";
	d.tools = tools;
	d.answer = aiops_buf_cstr(&ans->text);
	d.elapsed_ms = elapsed_ms;
	if (aiops_ask_decision_add(ask.rec, &d) == -1 || ask_session_add(&ask, question, d.answer) == -1)
		log_warnx("%s: the decision was not recorded: %s", aiops_state_path(ask.rec),
		    aiops_state_errmsg(ask.rec));
	free(tools);
}

static int yes, interactive;

/*
 * A playbook proposed goes to aiops-run only once a person confirms it:
 * --yes, or y at the REPL's question. Queued, it still waits for an
 * approver there.
 */
static void
confirm(void)
{
	char err[ASK_ERRSZ], *line;
	int64_t id;
	int ok;

	if (ask.proposal == NULL || json_is_true(json_object_get(ask.proposal, "queued")))
		return;
	if (!yes) {
		if (!interactive) {
			if (!json_out)
				printf("Not queued: confirm it in the REPL, or ask again with --yes.\n");
			return;
		}
		line = readline("Queue it for approval in aiops-run? [y/N] ");
		ok = line != NULL && (line[0] == 'y' || line[0] == 'Y');
		free(line);
		if (!ok) {
			printf("Not queued.\n");
			return;
		}
	}
	if (ask_propose_queue(&ask, &id, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return;
	}
	if (!json_out)
		printf("Queued as task %lld, awaiting approval: aiops-run approve %lld\n",
		    (long long)id, (long long)id);
}

/* Answers one question on stdout. 0 understood, 1 not, -1 the state failed. */
static int
answer_one(const char *question)
{
	struct ask_match m;
	struct ask_answer ans;
	char err[ASK_ERRSZ] = "";
	int64_t t0 = aiops_monotonic_ns();
	int rc;

	ask.now = aiops_clock_now();
	json_decref(ask.calls);
	ask.calls = json_array();
	json_decref(ask.proposal);
	ask.proposal = NULL;
	if (!ask.offline && ask_chat_configured(&ask)) {
		rc = ask_chat(&ask, question, json_out, err, sizeof(err));
		if (rc == 0) {
			confirm();
			return 0;
		}
		log_warnx("%s%s", err, rc == 1 ? "; answering offline" : "");
		if (rc == -1)
			return -1;
		json_decref(ask.calls);
		ask.calls = json_array();
	}
	ask_understand(&ask, question, &m);
	ask_answer_init(&ans);
	if (ask_answer(&ask, &m, &ans, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		rc = -1;
	} else {
		/* --yes queues before the answer is shown, which then says so. */
		if (yes)
			confirm();
		if (json_out) {
			json_t *o = ask_answer_json(question, &m, &ans);
			char *s;

			json_object_set(o, "tools", ask.calls);
			if (ask.session > 0)
				json_object_set_new(o, "session", json_integer(ask.session));
			s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII * 0);
			printf("%s\n", s);
			free(s);
			json_decref(o);
		} else {
			fputs(aiops_buf_cstr(&ans.text), stdout);
		}
		fflush(stdout);
		confirm();
		record(question, &m, &ans, (aiops_monotonic_ns() - t0) / 1000000);
		rc = ans.understood ? 0 : 1;
	}
	ask_answer_release(&ans);
	ask_match_release(&m);
	return rc;
}

/* readline's completion: commands and cue words, hosts, metrics. */
static char *
complete_word(const char *text, int state)
{
	static size_t i, j, len;
	const char *w;
	json_t *lists[3];

	if (state == 0) {
		i = j = 0;
		len = strlen(text);
	}
	for (; ask_words[i] != NULL; i++)
		if (strncmp(ask_words[i], text, len) == 0)
			return xstrdup(ask_words[i++]);
	lists[0] = ask.hosts;
	lists[1] = ask.metrics;
	lists[2] = ask.clusters;
	for (; j < json_array_size(lists[0]) + json_array_size(lists[1]) + json_array_size(lists[2]); j++) {
		size_t k = j, l = 0;

		while (k >= json_array_size(lists[l])) {
			k -= json_array_size(lists[l]);
			l++;
		}
		w = json_string_value(json_array_get(lists[l], k));
		if (w != NULL && strncmp(w, text, len) == 0) {
			j++;
			return xstrdup(w);
		}
	}
	return NULL;
}

static char **
complete(const char *text, int start, int end)
{
	(void)start;
	(void)end;
	rl_attempted_completion_over = 1;
	return rl_completion_matches(text, complete_word);
}

/* $XDG_STATE_HOME/aiops/ask_history, else ~/.local/state/aiops/ask_history. */
static char *
history_path(void)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char dir[4096], *path;

	if (xdg != NULL && *xdg == '/')
		snprintf(dir, sizeof(dir), "%s/aiops", xdg);
	else if (home != NULL && *home == '/')
		snprintf(dir, sizeof(dir), "%s/.local/state/aiops", home);
	else
		return NULL;
	if (mkdir(dir, 0700) == -1 && errno == ENOENT) {
		char parent[4096];

		snprintf(parent, sizeof(parent), "%.*s", (int)(strrchr(dir, '/') - dir), dir);
		if (mkdir(parent, 0700) == -1 && errno != EEXIST)
			return NULL;
		(void)mkdir(dir, 0700);
	}
	path = xmalloc(strlen(dir) + 16);
	sprintf(path, "%s/ask_history", dir);
	return path;
}

static int
is_quit(const char *line)
{
	return strcmp(line, "quit") == 0 || strcmp(line, "exit") == 0 || strcmp(line, "q") == 0 ||
	    strcmp(line, "\\q") == 0;
}

/* Ctrl-C at the prompt clears the line; during an answer, stops it. */
static int
repl(void)
{
	char *hist = history_path(), *line;
	struct sigaction sa;
	size_t len;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigaction(SIGINT, &sa, NULL);
	rl_readline_name = "aiops-ask";
	rl_attempted_completion_function = complete;
	using_history();
	/* append_history() needs the file: a first session makes it, 0600. */
	if (hist != NULL && read_history(hist) != 0) {
		int fd = open(hist, O_WRONLY | O_CREAT | O_APPEND, 0600);

		if (fd != -1)
			close(fd);
	}
	if (ask.session == 0 && ask.rec != NULL &&
	    aiops_ask_session_new(ask.rec, aiops_clock_now(), getenv("USER"), ask.persona,
	    ask_chat_configured(&ask) && !ask.offline ? aiops_conf_string(ask.cli.cfg, "ask.backend", NULL) :
	    "offline", aiops_conf_string(ask.cli.cfg, "ask.model", NULL), &ask.session) == -1)
		log_warnx("no session recorded: %s", aiops_state_errmsg(ask.rec));
	printf("aiops-ask: ask about the state in plain words; help for examples, quit to leave.\n");
	if (ask.session > 0)
		printf("(session %lld: aiops-ask --session %lld goes on with it)\n",
		    (long long)ask.session, (long long)ask.session);
	for (;;) {
		interrupted = 0;
		if ((line = readline("aiops> ")) == NULL)
			break;
		line[strcspn(line, "\r\n")] = '\0';
		/* A completion leaves a space after the word: trimmed, as any. */
		for (len = strlen(line); len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'); len--)
			line[len - 1] = '\0';
		if (*line == '\0') {
			free(line);
			continue;
		}
		if (is_quit(line)) {
			free(line);
			break;
		}
		add_history(line);
		if (hist != NULL)
			append_history(1, hist);
		answer_one(line);
		if (interrupted)
			printf("(interrupted)\n");
		free(line);
	}
	if (hist != NULL)
		history_truncate_file(hist, 1000);
	free(hist);
	return 0;
}

/* Questions one a line from a pipe. */
static int
batch(void)
{
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;

	while (getline(&line, &cap, stdin) != -1) {
		line[strcspn(line, "\r\n")] = '\0';
		if (*line == '\0' || *line == '#')
			continue;
		if (strlen(line) > ask.cli.max_line) {
			log_warnx("a question of %zu bytes, over --max-line: skipped", strlen(line));
			continue;
		}
		if (answer_one(line) == -1)
			rc = EX_SOFTWARE;
	}
	free(line);
	return rc;
}

/* The retention of sessions and decisions, by whoever may write. */
static void
expire(void)
{
	int64_t now = aiops_clock_now();

	if (ask.rec == NULL)
		return;
	if (aiops_ask_expire(ask.rec,
	    now - aiops_conf_duration(ask.cli.cfg, "ask.retention.sessions", 30 * 86400000000000LL),
	    now - aiops_conf_duration(ask.cli.cfg, "ask.retention.decisions", 90 * 86400000000000LL)) == -1)
		log_warnx("%s: retention: %s", aiops_state_path(ask.rec), aiops_state_errmsg(ask.rec));
}

/*
 * The state: a writable connection first when this user may write it
 * (it migrates a state of an earlier aiops, and records the decisions),
 * then the read-only one every tool reads through.
 */
static void
open_state(void)
{
	struct aiops_state_error e;
	char *path = aiops_path_state(ask.cli.state_opt);

	if (path == NULL)
		fatalx(EX_USAGE, "no state file: give --state, or set AIOPS_STATE or HOME");
	if (access(path, W_OK) == 0 &&
	    (ask.rec = aiops_state_open(path, 0, aiops_conf_state_group(ask.cli.cfg), &e)) == NULL)
		log_debug("decisions not recorded: %s", e.text);
	if ((ask.st = aiops_state_open(path, AIOPS_STATE_READONLY, NULL, &e)) == NULL)
		fatalx(e.status, "%s", e.text);
	free(path);
}

int
main(int argc, char **argv)
{
	char err[ASK_ERRSZ];
	int ch, mcp = 0, rc = 0, i;

	aiops_cli_init(&ask.cli, "aiops-ask", "ask", synopsis, opts);
	ask.interrupted = &interrupted;
	while ((ch = aiops_cli_getopt(&ask.cli, argc, argv)) != -1) {
		switch (ch) {
		case OPT_JSON:
			json_out = 1;
			break;
		case OPT_MCP:
			mcp = 1;
			break;
		case OPT_OFFLINE:
			ask.offline = 1;
			break;
		case OPT_PERSONA:
			aiops_cli_set(&ask.cli, "--persona", "ask.persona", optarg);
			break;
		case OPT_YES:
			yes = 1;
			break;
		case OPT_SESSION:
			ask.session = aiops_cli_number("--session", optarg, 1, INT64_MAX);
			break;
		default:
			aiops_cli_usage(&ask.cli);
		}
	}
	argc -= optind;
	argv += optind;
	if (mcp && argc > 0)
		aiops_cli_usage(&ask.cli);
	aiops_cli_start(&ask.cli);
	open_state();
	if (ask_persona_load(&ask, NULL, err, sizeof(err)) == -1)
		fatalx(EX_CONFIG, "%s", err);
	expire();
	ask.sql_timeout_ms = aiops_conf_duration(ask.cli.cfg, "ask.sql.timeout", 2000000000LL) / 1000000;
	ask.sql_max_rows = (size_t)aiops_conf_int(ask.cli.cfg, "ask.sql.max_rows", 1000);
	ask.now = aiops_clock_now();
	if (ask_vocabulary(&ask, err, sizeof(err)) == -1)
		fatalx(aiops_state_exit_status(ask.st), "%s: %s", aiops_state_path(ask.st), err);
	if (mcp)
		rc = ask_mcp(&ask);
	else if (argc > 0) {
		struct aiops_buf q;

		aiops_buf_init(&q);
		for (i = 0; i < argc; i++)
			aiops_buf_addf(&q, "%s%s", i ? " " : "", argv[i]);
		rc = answer_one(aiops_buf_cstr(&q));
		rc = rc == -1 ? aiops_state_exit_status(ask.st) : rc;
		aiops_buf_release(&q);
	} else if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) && !json_out) {
		interactive = 1;
		rc = repl();
	}
	else
		rc = batch();
	json_decref(ask.calls);
	json_decref(ask.proposal);
	json_decref(ask.hosts);
	json_decref(ask.metrics);
	json_decref(ask.clusters);
	json_decref(ask.rules);
	json_decref(ask.alertnames);
	json_decref(ask.services);
	if (ask.rec != NULL)
		aiops_state_close(ask.rec);
	aiops_state_close(ask.st);
	free(ask.persona);
	free(ask.persona_text);
	aiops_cli_release(&ask.cli);
	return rc;
}
