/*
 * query.c: aiops-run test (a rule against events, offline: nothing is
 * stored or run), aiops-run tasks (the queue and its dead letters) and
 * aiops-run audit (the decisions, oldest first).
 */
#include "compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "config/conf.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "event/evread.h"
#include "json/jw.h"
#include "run.h"
#include "run/rule.h"
#include "store/tasks.h"
#include "tool/cli.h"
#include "tool/filter.h"
#include "tool/log.h"

#ifndef PLAYBOOKDIR
#define PLAYBOOKDIR	"/usr/local/share/aiops/playbooks"
#endif

enum {
	OPT_JSON = AIOPS_OPT_PROGRAM_BASE,
	OPT_SINCE,
	OPT_STATUS,
	OPT_LIMIT,
};

static const char synopsis[] =
    "aiops-run test [--json] rule [event-file]\n"
    "       aiops-run tasks [--json] [--status state] [--limit n]\n"
    "       aiops-run audit [--json] [--since time]";

static const struct aiops_opt opts[] = {
	{ "json", OPT_JSON, NULL, "a JSON object a line" },
	{ "since", OPT_SINCE, "time", "audit: records from this time (RFC 3339) or this long ago (1h)" },
	{ "status", OPT_STATUS, "state", "tasks: only those queued, running, succeeded or dead" },
	{ "limit", OPT_LIMIT, "n", "tasks: the newest n (default 50; 0 for all)" },
	AIOPS_OPT_END
};

struct query {
	struct aiops_cli	 cli;
	int			 json;
	const char		*since;
	const char		*status;
	size_t			 limit;
	/* test */
	const struct aiops_rule	*rule;
	struct aiops_filter	 filter;
	struct aiops_out	 out;
	unsigned long		 events, matches, refused;
};

/* An argument as a shell would need it to read it back, for people only. */
static void
add_quoted(struct aiops_buf *b, const char *s)
{
	const char *p;

	if (*s != '\0' && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-_./=:,@%+") == strlen(s)) {
		aiops_buf_addstr(b, s);
		return;
	}
	aiops_buf_addc(b, '\'');
	for (p = s; *p != '\0'; p++)
		if (*p == '\'')
			aiops_buf_addstr(b, "'\\''");
		else
			aiops_buf_addc(b, *p);
	aiops_buf_addc(b, '\'');
}

static void
test_report(struct query *q, const char *name, unsigned long lineno, int matched,
    const char *target, json_t *spec, const char *err)
{
	struct aiops_buf *b = &q->out.buf;
	json_t *shown = spec != NULL ? aiops_spec_shown(spec, "ansible-playbook") : NULL, *v;
	size_t i;

	if (q->json) {
		json_t *o = json_pack("{s:s, s:b}", "rule", aiops_rule_name(q->rule), "matched",
		    matched);
		struct aiops_jw jw;

		json_object_set_new(o, "line", json_integer((json_int_t)lineno));
		if (target != NULL)
			json_object_set_new(o, "target", json_string(target));
		if (shown != NULL)
			json_object_update(o, shown);
		if (spec != NULL && json_object_get(spec, "vars") != NULL)
			json_object_set(o, "vars", json_object_get(spec, "vars"));
		if (err != NULL)
			json_object_set_new(o, "refused", json_string(err));
		aiops_jw_init(&jw, b);
		aiops_jw_json(&jw, o);
		aiops_out_end(&q->out);
		json_decref(o);
	} else {
		aiops_buf_addf(b, "%s:%lu: rule %s: %s", name, lineno, aiops_rule_name(q->rule),
		    !matched ? "no match" : err != NULL ? "matches, but refused: " : "matches");
		if (err != NULL)
			aiops_buf_addstr(b, err);
		aiops_buf_addc(b, '\n');
		if (target != NULL)
			aiops_buf_addf(b, "  target: %s\n", target);
		if (json_object_get(shown, "argv") != NULL) {
			aiops_buf_addstr(b, "  would run:");
			json_array_foreach(json_object_get(shown, "argv"), i, v) {
				aiops_buf_addc(b, ' ');
				add_quoted(b, json_string_value(v));
			}
			aiops_buf_addc(b, '\n');
		}
		if (json_object_get(shown, "request") != NULL) {
			char *req = json_dumps(json_object_get(shown, "request"), JSON_COMPACT);

			aiops_buf_addf(b, "  would send: %s\n", req);
			free(req);
		}
		if (spec != NULL && json_object_size(json_object_get(spec, "vars")) > 0) {
			char *vars = json_dumps(json_object_get(spec, "vars"), JSON_COMPACT);

			aiops_buf_addf(b, "  vars: %s\n", vars);
			free(vars);
		}
	}
	json_decref(shown);
	aiops_out_commit(&q->out);
}

static struct query *the_query;

static void
test_line(void *arg, const char *name, const char *line, size_t len, unsigned long lineno)
{
	struct query *q = the_query;
	struct aiops_rule_task rt = { NULL, NULL, NULL };
	char err[512];
	json_t *ev;
	int rc, m, refused = 0;
	int64_t ts;

	(void)arg;
	if ((rc = aiops_evread_line(line, len, &ev, err, sizeof(err))) == 1)
		return;
	if (rc == -1) {
		aiops_filter_skip(&q->filter, name, lineno, err);
		return;
	}
	if (aiops_evread_ts(ev, &ts, NULL, 0) == 0)
		aiops_clock_observe(ts);
	q->events++;
	if ((m = aiops_rule_matches(q->rule, ev, aiops_clock_now())) != 0) {
		q->matches++;
		if (aiops_rule_render(q->rule, ev, aiops_clock_now(), &rt, err, sizeof(err)) == -1) {
			q->refused++;
			refused = 1;
		}
	}
	test_report(q, name, lineno, m, rt.target, rt.spec, refused ? err : NULL);
	aiops_rule_task_release(&rt);
	json_decref(ev);
}

/* aiops-run test RULE [FILE]: 0 when every event matched, 1 when one did not. */
static int
run_test(struct query *q, int argc, char **argv)
{
	struct aiops_rule_defaults d;
	struct aiops_ruleset rs;
	char err[1024];
	int status;

	if (argc < 1 || argc > 2)
		aiops_cli_usage(&q->cli);
	d.playbooks = aiops_conf_string(q->cli.cfg, "run.playbooks", PLAYBOOKDIR);
	d.timeout_ns = aiops_conf_duration(q->cli.cfg, "run.timeout", 600 * AIOPS_NS_PER_SEC);
	if (aiops_rules_build(aiops_conf_get(q->cli.cfg, "run.rules"), &d, &rs, err,
	    sizeof(err)) == -1)
		fatalx(EX_CONFIG, "%s", err);
	if ((q->rule = aiops_rules_find(&rs, argv[0])) == NULL)
		fatalx(EX_USAGE, "no rule is named '%s' (%zu rules in %s)", argv[0], rs.n,
		    aiops_conf_file(q->cli.cfg) ? aiops_conf_file(q->cli.cfg) : "the configuration");
	aiops_out_init(&q->out, 1);
	aiops_filter_init(&q->filter, &q->cli, &q->out);
	the_query = q;
	aiops_filter_read(&q->filter, argc == 2 ? argv[1] : "-", test_line, NULL);
	if (aiops_out_close(&q->out) == -1)
		aiops_filter_check_output(&q->filter);
	status = aiops_filter_status(&q->filter);
	aiops_rules_free(&rs);
	if (status == 0 && q->refused > 0)
		status = EX_DATAERR;
	if (status == 0 && (q->events == 0 || q->matches < q->events))
		status = 1;
	return status;
}

static void
add_time(json_t *o, const char *key, int64_t ns)
{
	char t[AIOPS_TIME_BUFSZ];

	if (ns != 0) {
		aiops_time_format(ns, t);
		json_object_set_new(o, key, json_string(t));
	}
}

static void
set_str(json_t *o, const char *key, const char *s)
{
	if (s != NULL)
		json_object_set_new(o, key, json_string(s));
}

static void
print_task(const struct aiops_task *t, int json)
{
	char created[AIOPS_TIME_BUFSZ];
	json_t *o;
	char *s;

	if (!json) {
		aiops_time_format(t->created, created);
		printf("%-6lld %-9s %-20s %-16s %d/%d  %s%s%s\n", (long long)t->id, t->state,
		    t->rule, t->target, t->attempts, t->max_attempts, created,
		    t->error ? "  " : "", t->error ? t->error : "");
		return;
	}
	o = json_pack("{s:I, s:s, s:s, s:s, s:i, s:i, s:b}", "task_id", (json_int_t)t->id,
	    "state", t->state, "rule", t->rule, "target", t->target, "attempts", t->attempts,
	    "max_attempts", t->max_attempts, "idempotent", t->idempotent);
	set_str(o, "host", t->host);
	set_str(o, "trigger_id", t->event_id);
	json_object_set_new(o, "action", json_loads(t->spec, 0, NULL));
	add_time(o, "created", t->created);
	if (strcmp(t->state, "queued") == 0)
		add_time(o, "next_attempt", t->next_attempt);
	add_time(o, "started", t->started);
	add_time(o, "finished", t->finished);
	if (t->exit_status >= 0)
		json_object_set_new(o, "exit_status", json_integer(t->exit_status));
	set_str(o, "output", t->output);
	set_str(o, "error", t->error);
	s = json_dumps(o, JSON_COMPACT);
	printf("%s\n", s);
	free(s);
	json_decref(o);
}

static int
run_tasks(struct query *q)
{
	struct aiops_state *st = aiops_cli_state(&q->cli, AIOPS_STATE_READONLY, "");
	struct aiops_task_list l;
	size_t i;

	if (aiops_task_list(st, q->status, q->limit, &l) == -1)
		fatalx(aiops_state_exit_status(st), "%s: reading the tasks: %s",
		    aiops_state_path(st), aiops_state_errmsg(st));
	if (!q->json && l.n > 0)
		printf("%-6s %-9s %-20s %-16s %-5s %s\n", "ID", "STATE", "RULE", "TARGET", "TRIES",
		    "CREATED");
	for (i = 0; i < l.n; i++)
		print_task(&l.v[i], q->json);
	aiops_task_list_release(&l);
	aiops_state_close(st);
	return 0;
}

static int
print_audit(void *arg, const struct aiops_audit *a)
{
	const struct query *q = arg;
	char t[AIOPS_TIME_BUFSZ];
	json_t *o;
	char *s;

	aiops_time_format(a->ts, t);
	if (!q->json) {
		printf("%s  %-11s %-20s %-16s", t, a->decision, a->rule ? a->rule : "-",
		    a->target ? a->target : "-");
		if (a->task_id != 0)
			printf(" task %lld", (long long)a->task_id);
		if (a->event_id != NULL)
			printf(" event %s", a->event_id);
		if (a->detail != NULL)
			printf(": %s", a->detail);
		putchar('\n');
		return 0;
	}
	o = json_pack("{s:I, s:s, s:s}", "seq", (json_int_t)a->seq, "ts", t, "decision",
	    a->decision);
	set_str(o, "rule", a->rule);
	set_str(o, "target", a->target);
	if (a->task_id != 0)
		json_object_set_new(o, "task_id", json_integer(a->task_id));
	set_str(o, "trigger_id", a->event_id);
	set_str(o, "detail", a->detail);
	s = json_dumps(o, JSON_COMPACT);
	printf("%s\n", s);
	free(s);
	json_decref(o);
	return 0;
}

static int
run_audit(struct query *q)
{
	struct aiops_state *st;
	int64_t since = 0, d;

	if (q->since != NULL &&
	    aiops_time_parse(q->since, strlen(q->since), &since) == -1) {
		if (aiops_duration_parse(q->since, &d) == -1)
			fatalx(EX_USAGE, "--since: '%s' is neither a time (RFC 3339) nor a duration (1h)",
			    q->since);
		since = aiops_clock_now() - d;
	}
	st = aiops_cli_state(&q->cli, AIOPS_STATE_READONLY, "");
	if (aiops_audit_each(st, since, print_audit, q) == -1)
		fatalx(aiops_state_exit_status(st), "%s: reading the audit log: %s",
		    aiops_state_path(st), aiops_state_errmsg(st));
	aiops_state_close(st);
	return 0;
}

int
run_query_main(const char *verb, int argc, char **argv)
{
	struct query q;
	int ch, rc;

	memset(&q, 0, sizeof(q));
	q.limit = 50;
	aiops_cli_init(&q.cli, "aiops-run", "run", synopsis, opts);
	/* argv[0] is the verb: getopt starts after it. */
	while ((ch = aiops_cli_getopt(&q.cli, argc, argv)) != -1) {
		switch (ch) {
		case OPT_JSON:
			q.json = 1;
			break;
		case OPT_SINCE:
			q.since = optarg;
			break;
		case OPT_STATUS:
			q.status = optarg;
			if (strcmp(optarg, "queued") != 0 && strcmp(optarg, "running") != 0 &&
			    strcmp(optarg, "succeeded") != 0 && strcmp(optarg, "dead") != 0)
				fatalx(EX_USAGE, "--status: queued, running, succeeded or dead");
			break;
		case OPT_LIMIT:
			q.limit = (size_t)aiops_cli_number("--limit", optarg, 0, 1000000000);
			break;
		default:
			aiops_cli_usage(&q.cli);
		}
	}
	aiops_cli_start(&q.cli);
	if (strcmp(verb, "test") == 0)
		rc = run_test(&q, argc - optind, argv + optind);
	else if (optind != argc)
		aiops_cli_usage(&q.cli);
	else if (strcmp(verb, "tasks") == 0)
		rc = run_tasks(&q);
	else
		rc = run_audit(&q);
	aiops_cli_release(&q.cli);
	return rc;
}
