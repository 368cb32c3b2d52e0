/*
 * rule.h: aiops-run's rules. A rule is a trigger (StackStorm criteria over
 * the event's fields, lib/match) and an action whose parameters are Go
 * templates over the event (lib/match/template.h), each value rendered as
 * one argv element or one JSON string, never as text for a shell.
 *
 * A rule, as the configuration gives it (run.rules, a list; aiops-run(1)):
 *   name         unique; [A-Za-z0-9_.-]
 *   criteria     {path: {type: op, pattern: p}, ...}: when it fires
 *   target       template: what cooldown and retries count per (default:
 *                the event's host, else "-")
 *   command      a list, the argv of a program (argv[0] searched in PATH)
 *   servicenow   or: a record by the Table API: {instance_url, username,
 *                password_file | password_env, table: incident |
 *                change_request, fields: {short_description: TEMPLATE...}}
 *   terraform    or: a Terraform Cloud run (POST /api/v2/runs): {url
 *                (default https://app.terraform.io), token_file | token_env,
 *                workspace: TEMPLATE (ws-...), message: TEMPLATE, auto_apply,
 *                is_destroy}
 *   playbook     or: a playbook file, relative to the playbook folder,
 *                with hosts (template, default "localhost"), connection
 *                (local, ssh...), vars (a mapping of templates: the extra
 *                vars, written to a 0600 file), vars_files (files of
 *                secrets, passed as they are), check_first (--check before
 *                the real run)
 *   timeout      how long the action may run (default 10m)
 *   cooldown     after a task, the same rule and target are suppressed
 *                this long (default 0)
 *   retries      attempts after a failed one (default 0)
 *   idempotent   may run again after its worker died mid-run (default false)
 *   throttle     {max: N, per: DURATION, by: TEMPLATE}: at most N tasks of
 *                the rule per window for each value of by (default: one
 *                group for the rule)
 *   approval     true, or {users: [NAME...], expires: DURATION}: a person
 *                approves each task first (users and expiry default to
 *                run.approval.users and run.approval.expires)
 *   verify       after the action, the condition that must hold by a
 *                deadline: {metric: NAME, host: TEMPLATE (default the
 *                event's host), labels: {K: TEMPLATE}, below: X | above: X,
 *                within: DURATION, every: DURATION (default 30s)}: the
 *                series' first point stored after the action, then each
 *                one after, is checked; or {alert: resolved, fingerprint:
 *                TEMPLATE (default the event's), within: DURATION}
 *   description  for people
 *
 * Safety of rendered values: a value must not be empty where a program or
 * host is named, must not hold NUL, must not read "<no value>" (a field the
 * template names is missing), and must not start with '-' unless the
 * template's own text does: event data can never add an option.
 *
 * The rendered action (a task's spec) is JSON:
 *   {"kind":"command","argv":[...],"timeout_ms":N}
 *   {"kind":"playbook","playbook":PATH,"hosts":H,"connection":C|null,
 *    "vars":{...},"vars_files":[...],"check_first":B,"timeout_ms":N}
 *   {"kind":"http","service":"servicenow"|"terraform","url":URL,
 *    "user":U (ServiceNow),"credential":{"file":PATH}|{"env":NAME},
 *    "content_type":T,"body":{...},"timeout_ms":N}
 * with "verify" when the rule has one:
 *   {"metric":NAME,"host":H|null,"labels":{...},"op":"below"|"above",
 *    "value":X,"within_ms":N,"every_ms":N}
 *   {"alert":FINGERPRINT,"within_ms":N,"every_ms":N}
 *
 * Errors name the rule and the key: "run.rules[2] (disk-cleanup): command[1]:
 * template: ..." at build; at render "command[1] renders as an option
 * ('--delete') from event data".
 */
#ifndef AIOPS_RUN_RULE_H
#define AIOPS_RUN_RULE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct aiops_match;
struct aiops_rule;

struct aiops_ruleset {
	struct aiops_rule	**v;
	size_t			  n;
};

/* Rule defaults and where relative playbooks are. */
struct aiops_rule_defaults {
	const char	*playbooks;	/* folder of relative playbook paths */
	int64_t		 timeout_ns;
};

/*
 * Builds the rules of list (a JSON array of objects, borrowed; NULL is
 * none). 0, or -1 with err ("run.rules[i] (name): what") and rs empty.
 */
int aiops_rules_build(const json_t *list, const struct aiops_rule_defaults *d,
    struct aiops_ruleset *rs, char *err, size_t errlen);
void aiops_rules_free(struct aiops_ruleset *rs);
/* The rule named name, or NULL. */
const struct aiops_rule *aiops_rules_find(const struct aiops_ruleset *rs, const char *name);

const char *aiops_rule_name(const struct aiops_rule *r);
int64_t aiops_rule_cooldown(const struct aiops_rule *r);
int aiops_rule_attempts(const struct aiops_rule *r);	/* 1 + retries */
int aiops_rule_idempotent(const struct aiops_rule *r);
/* The criteria (borrowed). */
const struct aiops_match *aiops_rule_criteria(const struct aiops_rule *r);

/* 1 when the rule's criteria hold for event at now_ns (timediff's now). */
int aiops_rule_matches(const struct aiops_rule *r, const json_t *event, int64_t now_ns);
/* The action's label, for people and alerts: command:PROGRAM, ansible:PLAYBOOK. */
const char *aiops_rule_action(const struct aiops_rule *r);
/* The throttle: 0 when the rule has none, else 1 with *max and *per_ns. */
int aiops_rule_throttle(const struct aiops_rule *r, int *max, int64_t *per_ns);
/*
 * Does the rule ask for approval? 1 with *expires_ns (0: the default) and
 * *users (borrowed array of names; NULL: the default), else 0.
 */
int aiops_rule_approval(const struct aiops_rule *r, int64_t *expires_ns,
    const json_t **users);

/* A rule's task for an event: what aiops_rule_render() makes. */
struct aiops_rule_task {
	char	*target;
	char	*throttle_key;	/* NULL when the rule has no throttle `by` */
	json_t	*spec;
};

/* The rule's task for event. 0, or -1 with err when a value is refused. */
int aiops_rule_render(const struct aiops_rule *r, json_t *event, int64_t now_ns,
    struct aiops_rule_task *t, char *err, size_t errlen);
void aiops_rule_task_release(struct aiops_rule_task *t);

/*
 * The argv that runs spec: the command's, or ansible-playbook's for a
 * playbook (ansible is the program, "ansible-playbook" when NULL;
 * varsfile the file holding spec's vars, as "@file" extra vars; check
 * adds --check). A NULL-terminated array of new strings
 * (aiops_argv_free()), or NULL with err when spec is not one of ours.
 */
char **aiops_spec_argv(const json_t *spec, const char *ansible, const char *varsfile,
    int check, char *err, size_t errlen);
void aiops_argv_free(char **argv);
/*
 * What an HTTP action (kind "http") sends, for people: {"method":"POST",
 * "url":URL,"body":{...}} (new), without its credential; NULL for others.
 */
json_t *aiops_spec_request(const json_t *spec);
/*
 * What spec runs, as the task events and `aiops-run test` show it: a new
 * object with "argv" (a playbook's vars file as "<vars file>") or, for an
 * HTTP action, "request"; empty when spec is not one of ours.
 */
json_t *aiops_spec_shown(const json_t *spec, const char *ansible);

#endif
