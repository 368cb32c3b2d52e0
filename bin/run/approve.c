/*
 * approve.c: aiops-run approve|deny ID... (a person decides on tasks of
 * rules marked approval) and aiops-run reset TARGET... (closes a circuit
 * breaker). The caller is the Unix user running the command; approvers
 * are named in the configuration, per rule or in run.approval.users, and
 * must be able to write the state (its group, aiops-ingest(1) FILES).
 * Every decision is in the audit log with who made it.
 */
#include "compat.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "config/conf.h"
#include "core/clock.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "run.h"
#include "run/rule.h"
#include "store/tasks.h"
#include "tool/cli.h"
#include "tool/log.h"

#ifndef PLAYBOOKDIR
#define PLAYBOOKDIR	"/usr/local/share/aiops/playbooks"
#endif

static const char synopsis[] =
    "aiops-run approve id ...\n"
    "       aiops-run deny id ...\n"
    "       aiops-run reset target ...";

static const struct aiops_opt opts[] = {
	AIOPS_OPT_END
};

/* The caller's user name (new). */
static char *
caller(void)
{
	struct passwd *pw = getpwuid(getuid());

	if (pw == NULL)
		fatalx(EX_NOUSER, "the calling user (uid %lu) has no name", (unsigned long)getuid());
	return xstrdup(pw->pw_name);
}

/* May user decide on tasks of rule? The rule's approvers, else run.approval.users. */
static int
may_decide(const struct aiops_conf *cfg, const char *rule, const char *user)
{
	struct aiops_rule_defaults d = {
		.playbooks = aiops_conf_string(cfg, "run.playbooks", PLAYBOOKDIR),
		.timeout_ns = 600 * AIOPS_NS_PER_SEC,
	};
	const json_t *users = NULL, *u;
	const struct aiops_rule *r;
	struct aiops_ruleset rs;
	int64_t expires;
	char err[1024];
	size_t i;
	int ok = 0;

	if (aiops_rules_build(aiops_conf_get(cfg, "run.rules"), &d, &rs, err, sizeof(err)) == -1)
		fatalx(EX_CONFIG, "%s", err);
	if ((r = aiops_rules_find(&rs, rule)) != NULL)
		aiops_rule_approval(r, &expires, &users);
	if (users == NULL)
		users = aiops_conf_get(cfg, "run.approval.users");
	json_array_foreach(users, i, u)
		if (json_is_string(u) && strcmp(json_string_value(u), user) == 0)
			ok = 1;
	aiops_rules_free(&rs);
	return ok;
}

static void
txn(struct aiops_state *st, int commit)
{
	if ((commit ? aiops_state_commit(st) : aiops_state_begin(st)) == -1)
		state_fatal(st, commit ? "committing" : "beginning a transaction");
}

/* approve or deny one task: 0, or 1 when it could not be decided. */
static int
decide(struct aiops_state *st, const struct aiops_conf *cfg, int approve, const char *arg,
    const char *user)
{
	int64_t now = aiops_clock_now(), id;
	struct aiops_task_list l;
	char detail[256], tbuf[AIOPS_TIME_BUFSZ], *end;
	int moved, rc = 1;

	id = strtoll(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || id <= 0) {
		log_warnx("%s: not a task id", arg);
		return 1;
	}
	txn(st, 0);
	if (aiops_task_get(st, id, &l) == -1)
		state_fatal(st, "reading the task");
	if (l.n == 0)
		log_warnx("task %lld: no such task", (long long)id);
	else if (strcmp(l.v[0].state, "approval") != 0)
		log_warnx("task %lld: it is %s, not awaiting approval", (long long)id, l.v[0].state);
	else if (now >= l.v[0].approval_expires) {
		aiops_time_format(l.v[0].approval_expires, tbuf);
		log_warnx("task %lld: its approval expired at %s", (long long)id, tbuf);
	} else if (!may_decide(cfg, l.v[0].rule, user))
		log_warnx("task %lld: %s may not approve or deny tasks of rule %s", (long long)id,
		    user, l.v[0].rule);
	else {
		if (aiops_task_move(st, id, "approval", approve ? "queued" : "denied", now,
		    approve ? now : 0, 0, approve ? NULL : "denied", user, &moved) == -1)
			state_fatal(st, "recording the decision");
		snprintf(detail, sizeof(detail), "by %s", user);
		audit(st, now, approve ? "approved" : "denied", l.v[0].rule, l.v[0].target, id,
		    l.v[0].event_id, detail);
		printf("task %lld %s (rule %s, target %s)\n", (long long)id,
		    approve ? "approved: a worker runs it now" : "denied", l.v[0].rule,
		    l.v[0].target);
		rc = 0;
	}
	txn(st, 1);
	aiops_task_list_release(&l);
	return rc;
}

static int
reset(struct aiops_state *st, const char *target, const char *user)
{
	struct aiops_breaker b;
	char detail[256];

	txn(st, 0);
	if (aiops_breaker_get(st, target, &b) == -1)
		state_fatal(st, "reading the circuit breakers");
	if (b.failures == 0 && b.opened == 0) {
		txn(st, 1);
		log_warnx("%s: its circuit breaker is closed, with no failure counted", target);
		return 1;
	}
	if (aiops_breaker_reset(st, target) == -1)
		state_fatal(st, "closing a circuit breaker");
	snprintf(detail, sizeof(detail), "by %s, after %d failures", user, b.failures);
	audit(st, aiops_clock_now(), "breaker-reset", NULL, target, 0, NULL, detail);
	txn(st, 1);
	printf("%s: circuit breaker closed (%d failures forgotten)\n", target, b.failures);
	free(b.reason);
	return 0;
}

int
run_decide_main(const char *verb, int argc, char **argv)
{
	struct aiops_state *st;
	struct aiops_cli cli;
	char *user;
	int ch, i, rc = 0;

	aiops_cli_init(&cli, "aiops-run", "run", synopsis, opts);
	while ((ch = aiops_cli_getopt(&cli, argc, argv)) != -1)
		aiops_cli_usage(&cli);
	if (optind >= argc)
		aiops_cli_usage(&cli);
	aiops_cli_start(&cli);
	user = caller();
	st = aiops_cli_state(&cli, 0, "");
	for (i = optind; i < argc; i++)
		if ((strcmp(verb, "reset") == 0 ? reset(st, argv[i], user) :
		    decide(st, cli.cfg, strcmp(verb, "approve") == 0, argv[i], user)) != 0)
			rc = 1;
	free(user);
	aiops_state_close(st);
	aiops_cli_release(&cli);
	return rc;
}
