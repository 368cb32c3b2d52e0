/*
 * propose.c: natural language to automation. The propose_playbook tool
 * (a model's, the MCP client's, the offline engine's for "clean up the
 * disk on db-1") names a playbook of share/playbooks, a host and its
 * variables; the playbook is syntax-checked here (ansible-playbook
 * --syntax-check, argv, never a shell) and the proposal shown, nothing
 * run. Only once a person confirms (y at the REPL's question, or --yes)
 * does it go to aiops-run, as a task of the rule "aiops-ask" that waits
 * for approval (aiops-run approve ID, by run.approval.users), audited.
 */
#include "compat.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ask.h"
#include "config/conf.h"
#include "core/clock.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "run/proc.h"
#include "store/tasks.h"

#ifndef PLAYBOOKDIR
#define PLAYBOOKDIR	"/usr/local/share/aiops/playbooks"
#endif

#define NS_PER_SEC	1000000000LL
#define CHECK_TIMEOUT	(60 * NS_PER_SEC)

static int
is_name(const char *s)
{
	return *s != '\0' && *s != '-' && strlen(s) < 128 &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_") == strlen(s);
}

/* A host name as an inventory takes it: no option, no pattern, no list. */
static int
is_host(const char *s)
{
	return *s != '\0' && *s != '-' && strlen(s) < 256 &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:") == strlen(s);
}

/* ansible-playbook --syntax-check: NULL when it passes, else why (new). */
static char *
syntax_check(const char *ansible, const char *path, const char *host)
{
	char inv[300], err[256], *why;
	char *argv[] = { (char *)ansible, (char *)"--syntax-check", (char *)"-i", inv, (char *)path, NULL };
	struct aiops_proc_opts o = { .timeout_ns = CHECK_TIMEOUT, .output_max = 4096,
	    .env = aiops_proc_playbook_env() };
	struct aiops_proc_result r = { 0 };

	snprintf(inv, sizeof(inv), "%s,", host);
	if (aiops_proc_run(argv, &o, &r, err, sizeof(err)) == -1)
		return xstrdup(err);
	if (r.exit_status == 0) {
		free(r.output);
		return NULL;
	}
	xasprintf(&why, "%s --syntax-check failed (exit %d%s): %.300s", ansible, r.exit_status,
	    r.timed_out ? ", timed out" : "", r.output != NULL ? r.output : "");
	free(r.output);
	return why;
}

json_t *
ask_propose(struct ask *a, const json_t *args, char *err, size_t errlen)
{
	const char *name = json_string_value(json_object_get(args, "playbook"));
	const char *host = json_string_value(json_object_get(args, "host"));
	const char *reason = json_string_value(json_object_get(args, "reason"));
	const char *dir = aiops_conf_string(a->cli.cfg, "run.playbooks", PLAYBOOKDIR);
	const char *ansible = aiops_conf_string(a->cli.cfg, "run.ansible_playbook", "ansible-playbook");
	json_t *vars = json_object_get(args, "vars"), *p, *spec;
	char path[4096], *why;
	struct stat sb;

	if (name == NULL || host == NULL) {
		snprintf(err, errlen, "playbook and host are needed");
		return NULL;
	}
	if (strlen(name) > 4 && strcmp(name + strlen(name) - 4, ".yml") == 0)
		snprintf(path, sizeof(path), "%.*s", (int)strlen(name) - 4, name);
	else
		snprintf(path, sizeof(path), "%s", name);
	if (!is_name(path) || !is_host(host)) {
		snprintf(err, errlen, "playbook: a name of %s; host: a host name", dir);
		return NULL;
	}
	if (vars != NULL && !json_is_object(vars)) {
		snprintf(err, errlen, "vars: an object");
		return NULL;
	}
	snprintf(path + strlen(path), sizeof(path) - strlen(path), ".yml");
	{
		char full[4096];

		snprintf(full, sizeof(full), "%s/%s", dir, path);
		snprintf(path, sizeof(path), "%s", full);
	}
	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "no playbook %s", path);
		return NULL;
	}
	if ((why = syntax_check(ansible, path, host)) != NULL) {
		snprintf(err, errlen, "%s", why);
		free(why);
		return NULL;
	}
	vars = vars != NULL ? json_deep_copy(vars) : json_object();
	json_object_set_new(vars, "target_host", json_string(host));
	spec = json_pack("{s:s, s:s, s:s, s:n, s:O, s:[], s:b, s:I}", "kind", "playbook",
	    "playbook", path, "hosts", host, "connection", "vars", vars, "vars_files",
	    "check_first", 1, "timeout_ms", (json_int_t)600000);
	p = json_pack("{s:s, s:s, s:O, s:s, s:s, s:o}", "playbook", path, "host", host, "vars", vars,
	    "syntax_check", "ok", "reason", reason != NULL ? reason : "", "spec", spec);
	json_decref(vars);
	json_object_set_new(p, "queued", json_false());
	json_decref(a->proposal);
	a->proposal = json_incref(p);
	return json_pack("{s:[o], s:b, s:s}", "rows", p, "truncated", 0, "next",
	    "a person confirms it (aiops-ask asks), then aiops-run approve");
}

int
ask_propose_queue(struct ask *a, int64_t *idp, char *err, size_t errlen)
{
	const json_t *p = a->proposal;
	struct aiops_task t = { 0 };
	struct aiops_audit au = { 0 };
	struct passwd *pw = getpwuid(getuid());
	int64_t now = aiops_clock_now(), id;
	char *spec, detail[512], tbuf[40], action[300];
	const char *path;

	if (p == NULL) {
		snprintf(err, errlen, "nothing proposed");
		return -1;
	}
	if (a->rec == NULL) {
		snprintf(err, errlen, "the state cannot be written by this user: not queued");
		return -1;
	}
	spec = json_dumps(json_object_get(p, "spec"), JSON_COMPACT);
	t.rule = "aiops-ask";
	t.target = json_string_value(json_object_get(p, "host"));
	t.host = t.target;
	path = json_string_value(json_object_get(p, "playbook"));
	snprintf(action, sizeof(action), "ansible:%s",
	    strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path);
	t.action = action;
	t.spec = spec;
	t.idempotent = 1;
	t.state = "approval";
	t.approval_expires = now + aiops_conf_duration(a->cli.cfg, "run.approval.expires",
	    3600 * NS_PER_SEC);
	t.created = t.next_attempt = now;
	t.max_attempts = 1;
	t.exit_status = -1;
	if (aiops_state_begin(a->rec) == -1 || aiops_task_add(a->rec, &t, &id) == -1)
		goto fail;
	snprintf(detail, sizeof(detail), "proposed by aiops-ask for %s: %s",
	    pw != NULL ? pw->pw_name : "?", json_string_value(json_object_get(p, "reason")));
	au.ts = now;
	au.decision = "queued";
	au.rule = t.rule;
	au.target = t.target;
	au.task_id = id;
	au.detail = detail;
	if (aiops_audit_add(a->rec, &au) == -1)
		goto fail;
	aiops_time_format(t.approval_expires, tbuf);
	snprintf(detail, sizeof(detail), "until %s: aiops-run approve %lld, or deny", tbuf,
	    (long long)id);
	au.decision = "awaiting-approval";
	if (aiops_audit_add(a->rec, &au) == -1 || aiops_state_commit(a->rec) == -1)
		goto fail;
	free(spec);
	json_object_set_new((json_t *)p, "queued", json_true());
	json_object_set_new((json_t *)p, "task_id", json_integer(id));
	*idp = id;
	return 0;
fail:
	snprintf(err, errlen, "queueing the task: %s", aiops_state_errmsg(a->rec));
	aiops_state_rollback(a->rec);
	free(spec);
	return -1;
}
