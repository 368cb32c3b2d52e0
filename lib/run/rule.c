/*
 * rule.c: aiops-run's rules, built from the configuration and rendered
 * for an event (run/rule.h has the rules).
 */
#include "compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "match/matcher.h"
#include "match/template.h"
#include "run/rule.h"

#define NO_VALUE	"<no value>"

enum action_kind { ACTION_COMMAND, ACTION_PLAYBOOK, ACTION_SERVICENOW, ACTION_TERRAFORM };

#define TFC_URL	"https://app.terraform.io"

struct aiops_rule {
	char			*name;
	struct aiops_match	*criteria;
	struct aiops_tpl	*tpl;		/* "target", "argv.N", "hosts", "vars.K" */
	int			 has_target;
	enum action_kind	 kind;
	size_t			 argc;
	char			*option_ok;	/* per argv element: its template starts with '-' */
	char			*playbook;	/* absolute */
	char			*connection;	/* or NULL */
	json_t			*var_names;	/* array of the vars' names */
	json_t			*var_lists;	/* name -> count, for a var given as a list */
	json_t			*vars_files;	/* array of strings */
	int			 check_first;
	int			 idempotent;
	int64_t			 timeout;
	int64_t			 cooldown;
	int			 attempts;
	char			*action;	/* command:PROGRAM, ansible:PLAYBOOK */
	int			 throttle_max;	/* 0: none */
	int64_t			 throttle_per;
	int			 has_throttle_by;
	int			 approval;
	int64_t			 approval_expires;
	json_t			*approvers;	/* array, or NULL: the default */
	json_t			*verify;	/* the verify block's fixed part, or NULL */
	json_t			*http;		/* an HTTP action's fixed part, or NULL */
	json_t			*field_names;	/* ServiceNow: the fields, templates "field.K" */
	int			 verify_labels;	/* its labels are templates "verify.labels.K" */
};

static const char *const known_keys[] = {
	"name", "description", "criteria", "target", "command", "playbook", "hosts",
	"connection", "vars", "vars_files", "check_first", "timeout", "cooldown", "retries",
	"idempotent", "throttle", "approval", "verify", "servicenow", "terraform", NULL
};

static void
rule_free(struct aiops_rule *r)
{
	if (r == NULL)
		return;
	free(r->name);
	aiops_match_free(r->criteria);
	aiops_tpl_free(r->tpl);
	free(r->option_ok);
	free(r->playbook);
	free(r->connection);
	json_decref(r->var_names);
	json_decref(r->var_lists);
	json_decref(r->vars_files);
	free(r->action);
	json_decref(r->approvers);
	json_decref(r->verify);
	json_decref(r->http);
	json_decref(r->field_names);
	free(r);
}

/* A string member, or NULL; -1 when present and not a string. */
static int
get_string(const json_t *o, const char *key, const char **out, char *err, size_t errlen)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		snprintf(err, errlen, "%s: a string, please", key);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

/* A boolean (the YAML loader gives strings): 0/1, or -1 with err. */
static int
get_bool(const json_t *o, const char *key, int def, char *err, size_t errlen)
{
	const char *s;

	if (get_string(o, key, &s, err, errlen) == -1)
		return -1;
	if (s == NULL)
		return def;
	if (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0)
		return 1;
	if (strcmp(s, "false") == 0 || strcmp(s, "no") == 0)
		return 0;
	snprintf(err, errlen, "%s: true or false, not '%s'", key, s);
	return -1;
}

/* A duration member in ns (def when absent): 0, or -1 with err. */
static int
get_duration(const json_t *o, const char *key, int64_t def, int64_t *ns, char *err,
    size_t errlen)
{
	const char *s;

	*ns = def;
	if (get_string(o, key, &s, err, errlen) == -1)
		return -1;
	if (s != NULL && aiops_duration_parse(s, ns) == -1) {
		snprintf(err, errlen, "%s: not a duration: '%s' (30s, 10m, 2h)", key, s);
		return -1;
	}
	return 0;
}

/* Compiles text as the template `name` of r. */
static int
add_template(struct aiops_rule *r, const char *name, const char *text, const char *what,
    char *err, size_t errlen)
{
	char why[512], *msg;

	if (aiops_tpl_add(r->tpl, name, text, strlen(text), why, sizeof(why)) == -1) {
		xasprintf(&msg, "%s: %s", what, why);
		snprintf(err, errlen, "%s", msg);
		free(msg);
		return -1;
	}
	return 0;
}

/* The last part of a path. */
static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/* A number member (the loader gives strings). 0, or -1 with err. */
static int
get_number(const json_t *o, const char *key, int *has, double *out, char *err, size_t errlen)
{
	const char *s;
	char *end;

	*has = 0;
	if (get_string(o, key, &s, err, errlen) == -1)
		return -1;
	if (s == NULL)
		return 0;
	*out = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || *out != *out) {
		snprintf(err, errlen, "%s: not a number: '%s'", key, s);
		return -1;
	}
	*has = 1;
	return 0;
}

static int
build_command(struct aiops_rule *r, const json_t *cmd, char *err, size_t errlen)
{
	char name[32], what[48];
	size_t i;
	json_t *v;

	if (!json_is_array(cmd) || json_array_size(cmd) == 0) {
		snprintf(err, errlen, "command: a list of arguments, the program first");
		return -1;
	}
	r->kind = ACTION_COMMAND;
	r->argc = json_array_size(cmd);
	r->option_ok = xcalloc(r->argc, 1);
	json_array_foreach(cmd, i, v) {
		snprintf(what, sizeof(what), "command[%zu]", i);
		if (!json_is_string(v)) {
			snprintf(err, errlen, "%s: a string, please", what);
			return -1;
		}
		snprintf(name, sizeof(name), "argv.%zu", i);
		if (add_template(r, name, json_string_value(v), what, err, errlen) == -1)
			return -1;
		r->option_ok[i] = json_string_value(v)[0] == '-';
	}
	xasprintf(&r->action, "command:%s", base_name(json_string_value(json_array_get(cmd, 0))));
	return 0;
}

/* vars: each value a template, or a list of them. */
static int
build_vars(struct aiops_rule *r, const json_t *vars, char *err, size_t errlen)
{
	char name[512], what[512];
	const char *key;
	json_t *v, *item;
	size_t i;

	r->var_names = json_array();
	r->var_lists = json_object();
	if (vars == NULL || json_is_null(vars))
		return 0;
	if (!json_is_object(vars)) {
		snprintf(err, errlen, "vars: a mapping of names to values");
		return -1;
	}
	json_object_foreach((json_t *)vars, key, v) {
		json_array_append_new(r->var_names, json_string(key));
		if (json_is_string(v)) {
			snprintf(name, sizeof(name), "vars.%s", key);
			snprintf(what, sizeof(what), "vars.%s", key);
			if (add_template(r, name, json_string_value(v), what, err, errlen) == -1)
				return -1;
			continue;
		}
		if (!json_is_array(v)) {
			snprintf(err, errlen, "vars.%s: a string or a list of strings", key);
			return -1;
		}
		json_object_set_new(r->var_lists, key, json_integer((json_int_t)json_array_size(v)));
		json_array_foreach(v, i, item) {
			snprintf(what, sizeof(what), "vars.%s[%zu]", key, i);
			if (!json_is_string(item)) {
				snprintf(err, errlen, "%s: a string, please", what);
				return -1;
			}
			snprintf(name, sizeof(name), "vars.%s.%zu", key, i);
			if (add_template(r, name, json_string_value(item), what, err, errlen) == -1)
				return -1;
		}
	}
	return 0;
}

static int
build_playbook(struct aiops_rule *r, const json_t *o, const char *playbook,
    const struct aiops_rule_defaults *d, char *err, size_t errlen)
{
	const char *hosts, *conn;
	json_t *files = json_object_get(o, "vars_files"), *f;
	size_t i;

	r->kind = ACTION_PLAYBOOK;
	xasprintf(&r->action, "ansible:%s", base_name(playbook));
	if (playbook[0] == '/' || d->playbooks == NULL)
		r->playbook = xstrdup(playbook);
	else
		xasprintf(&r->playbook, "%s/%s", d->playbooks, playbook);
	if (get_string(o, "hosts", &hosts, err, errlen) == -1 ||
	    get_string(o, "connection", &conn, err, errlen) == -1)
		return -1;
	if (add_template(r, "hosts", hosts != NULL ? hosts : "localhost", "hosts", err,
	    errlen) == -1)
		return -1;
	r->connection = conn != NULL ? xstrdup(conn) : NULL;
	if (build_vars(r, json_object_get(o, "vars"), err, errlen) == -1)
		return -1;
	r->vars_files = json_array();
	if (files != NULL && !json_is_null(files)) {
		if (!json_is_array(files)) {
			snprintf(err, errlen, "vars_files: a list of files");
			return -1;
		}
		json_array_foreach(files, i, f) {
			if (!json_is_string(f) || json_string_value(f)[0] != '/') {
				snprintf(err, errlen, "vars_files[%zu]: an absolute path, please", i);
				return -1;
			}
			json_array_append(r->vars_files, f);
		}
	}
	if ((r->check_first = get_bool(o, "check_first", 0, err, errlen)) == -1)
		return -1;
	return 0;
}

static int
build_throttle(struct aiops_rule *r, const json_t *o, char *err, size_t errlen)
{
	const char *by;
	double max;
	int has;

	if (o == NULL || json_is_null(o))
		return 0;
	if (!json_is_object(o)) {
		snprintf(err, errlen, "throttle: a mapping {max: N, per: DURATION, by: TEMPLATE}");
		return -1;
	}
	if (get_number(o, "max", &has, &max, err, errlen) == -1)
		goto bad;
	if (!has || max < 1 || max > 1e9 || max != (int)max) {
		snprintf(err, errlen, "throttle.max: a whole number from 1, please");
		goto bad;
	}
	r->throttle_max = (int)max;
	if (get_duration(o, "per", 0, &r->throttle_per, err, errlen) == -1 ||
	    get_string(o, "by", &by, err, errlen) == -1)
		goto bad;
	if (r->throttle_per <= 0) {
		snprintf(err, errlen, "throttle.per: the window, a duration (1h)");
		goto bad;
	}
	if (by != NULL) {
		r->has_throttle_by = 1;
		return add_template(r, "throttle", by, "throttle.by", err, errlen);
	}
	return 0;
bad:
	if (strncmp(err, "throttle", 8) != 0) {
		char *msg;

		xasprintf(&msg, "throttle.%s", err);
		snprintf(err, errlen, "%s", msg);
		free(msg);
	}
	return -1;
}

static int
build_approval(struct aiops_rule *r, const json_t *o, char *err, size_t errlen)
{
	json_t *users, *u;
	size_t i;

	if (o == NULL || json_is_null(o))
		return 0;
	if (json_is_string(o)) {
		const char *v = json_string_value(o);

		r->approval = strcmp(v, "true") == 0 || strcmp(v, "yes") == 0;
		if (!r->approval && strcmp(v, "false") != 0 && strcmp(v, "no") != 0) {
			snprintf(err, errlen, "approval: true, false, or {users: [...], expires: ...}");
			return -1;
		}
		return 0;
	}
	if (!json_is_object(o)) {
		snprintf(err, errlen, "approval: true, or {users: [...], expires: DURATION}");
		return -1;
	}
	r->approval = 1;
	if (get_duration(o, "expires", 0, &r->approval_expires, err, errlen) == -1)
		return -1;
	if ((users = json_object_get(o, "users")) != NULL) {
		if (!json_is_array(users) || json_array_size(users) == 0) {
			snprintf(err, errlen, "approval.users: a list of user names");
			return -1;
		}
		json_array_foreach(users, i, u)
			if (!json_is_string(u)) {
				snprintf(err, errlen, "approval.users[%zu]: a user name", i);
				return -1;
			}
		r->approvers = json_incref(users);
	}
	return 0;
}

/* verify: the fixed part in r->verify, the templates in r->tpl. */
static int
build_verify(struct aiops_rule *r, const json_t *o, char *err, size_t errlen)
{
	const char *metric, *alert, *host, *fp, *key;
	int64_t within, every;
	int has_below, has_above;
	double below, above;
	char name[512];
	json_t *labels, *v;

	if (o == NULL || json_is_null(o))
		return 0;
	if (!json_is_object(o)) {
		snprintf(err, errlen, "verify: a mapping with metric or alert");
		return -1;
	}
	if (get_string(o, "metric", &metric, err, errlen) == -1 ||
	    get_string(o, "alert", &alert, err, errlen) == -1 ||
	    get_string(o, "host", &host, err, errlen) == -1 ||
	    get_string(o, "fingerprint", &fp, err, errlen) == -1 ||
	    get_duration(o, "within", 0, &within, err, errlen) == -1 ||
	    get_duration(o, "every", 30 * 1000000000LL, &every, err, errlen) == -1 ||
	    get_number(o, "below", &has_below, &below, err, errlen) == -1 ||
	    get_number(o, "above", &has_above, &above, err, errlen) == -1)
		goto bad;
	if (within <= 0 || every <= 0) {
		snprintf(err, errlen, "within: the deadline, a duration (10m)");
		goto bad;
	}
	if ((metric != NULL) == (alert != NULL)) {
		snprintf(err, errlen, "metric or alert, please (one of them)");
		goto bad;
	}
	r->verify = json_pack("{s:I, s:I}", "within_ms", (json_int_t)(within / 1000000),
	    "every_ms", (json_int_t)(every / 1000000));
	if (alert != NULL) {
		if (strcmp(alert, "resolved") != 0) {
			snprintf(err, errlen, "alert: resolved is the condition it can wait for");
			goto bad;
		}
		return add_template(r, "verify.fingerprint", fp ? fp : "{{ .fingerprint }}",
		    "verify.fingerprint", err, errlen);
	}
	if (has_below == has_above) {
		snprintf(err, errlen, "below or above, please (one of them)");
		goto bad;
	}
	json_object_set_new(r->verify, "metric", json_string(metric));
	json_object_set_new(r->verify, "op", json_string(has_below ? "below" : "above"));
	json_object_set_new(r->verify, "value", json_real(has_below ? below : above));
	if (add_template(r, "verify.host", host ? host : "{{ with .host }}{{ . }}{{ end }}",
	    "verify.host", err, errlen) == -1)
		return -1;
	labels = json_object_get(o, "labels");
	if (labels != NULL && !json_is_object(labels)) {
		snprintf(err, errlen, "labels: a mapping of label names to values");
		goto bad;
	}
	json_object_set_new(r->verify, "label_names", json_array());
	json_object_foreach(labels, key, v) {
		if (!json_is_string(v)) {
			snprintf(err, errlen, "labels.%s: a string, please", key);
			goto bad;
		}
		snprintf(name, sizeof(name), "verify.labels.%s", key);
		if (add_template(r, name, json_string_value(v), name, err, errlen) == -1)
			return -1;
		json_array_append_new(json_object_get(r->verify, "label_names"), json_string(key));
	}
	return 0;
bad:
	if (strncmp(err, "verify", 6) != 0) {
		char *msg;

		xasprintf(&msg, "verify.%s", err);
		snprintf(err, errlen, "%s", msg);
		free(msg);
	}
	return -1;
}

/*
 * The credential of an HTTP action: {"file": PATH} or {"env": NAME}, read
 * when the task runs, so the secret is never in the configuration, the
 * state or a task event.
 */
static json_t *
credential(const json_t *o, const char *name, char *err, size_t errlen)
{
	char key[64], key2[64];
	const char *file, *env;

	snprintf(key, sizeof(key), "%s_file", name);
	snprintf(key2, sizeof(key2), "%s_env", name);
	if (get_string(o, key, &file, err, errlen) == -1 ||
	    get_string(o, key2, &env, err, errlen) == -1)
		return NULL;
	if ((file != NULL) == (env != NULL)) {
		snprintf(err, errlen, "%s or %s, please (one of them: the secret itself is never"
		    " in the configuration)", key, key2);
		return NULL;
	}
	if (file != NULL && file[0] != '/') {
		snprintf(err, errlen, "%s: an absolute path, please", key);
		return NULL;
	}
	return file != NULL ? json_pack("{s:s}", "file", file) : json_pack("{s:s}", "env", env);
}

/* A base URL: http or https, without a trailing slash. */
static int
base_url(const char *url, const char *key, char *err, size_t errlen)
{
	if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0) {
		snprintf(err, errlen, "%s: an http:// or https:// URL, please", key);
		return -1;
	}
	return 0;
}

/* servicenow: {instance_url, username, password_file|password_env, table, fields} */
static int
build_servicenow(struct aiops_rule *r, const json_t *o, char *err, size_t errlen)
{
	const char *url, *user, *table, *key;
	json_t *fields = json_object_get(o, "fields"), *cred, *v;
	char name[512];

	r->kind = ACTION_SERVICENOW;
	if (!json_is_object(o)) {
		snprintf(err, errlen, "servicenow: a mapping, please");
		return -1;
	}
	if (get_string(o, "instance_url", &url, err, errlen) == -1 ||
	    get_string(o, "username", &user, err, errlen) == -1 ||
	    get_string(o, "table", &table, err, errlen) == -1)
		return -1;
	if (url == NULL || user == NULL) {
		snprintf(err, errlen, "servicenow: instance_url and username, please");
		return -1;
	}
	if (base_url(url, "servicenow.instance_url", err, errlen) == -1)
		return -1;
	if (table == NULL)
		table = "incident";
	if (strcmp(table, "incident") != 0 && strcmp(table, "change_request") != 0) {
		snprintf(err, errlen, "servicenow.table: incident or change_request");
		return -1;
	}
	if ((cred = credential(o, "password", err, errlen)) == NULL)
		return -1;
	r->http = json_pack("{s:s, s:s+++, s:s, s:o, s:s}", "service", "servicenow",
	    "url", url, url[strlen(url) - 1] == '/' ? "" : "/", "api/now/table/", table,
	    "user", user, "credential", cred, "content_type", "application/json");
	xasprintf(&r->action, "servicenow:%s", table);
	if (!json_is_object(fields) || json_object_get(fields, "short_description") == NULL) {
		snprintf(err, errlen, "servicenow.fields: a mapping with short_description at least");
		return -1;
	}
	r->field_names = json_array();
	json_object_foreach(fields, key, v) {
		snprintf(name, sizeof(name), "field.%s", key);
		if (!json_is_string(v)) {
			snprintf(err, errlen, "servicenow.fields.%s: a string, please", key);
			return -1;
		}
		if (add_template(r, name, json_string_value(v), name + 6, err, errlen) == -1)
			return -1;
		json_array_append_new(r->field_names, json_string(key));
	}
	return 0;
}

/* terraform: {url, token_file|token_env, workspace, message, auto_apply, is_destroy} */
static int
build_terraform(struct aiops_rule *r, const json_t *o, char *err, size_t errlen)
{
	const char *url, *ws, *msg;
	int auto_apply, destroy;
	json_t *cred;

	r->kind = ACTION_TERRAFORM;
	if (!json_is_object(o)) {
		snprintf(err, errlen, "terraform: a mapping, please");
		return -1;
	}
	if (get_string(o, "url", &url, err, errlen) == -1 ||
	    get_string(o, "workspace", &ws, err, errlen) == -1 ||
	    get_string(o, "message", &msg, err, errlen) == -1 ||
	    (auto_apply = get_bool(o, "auto_apply", 0, err, errlen)) == -1 ||
	    (destroy = get_bool(o, "is_destroy", 0, err, errlen)) == -1)
		return -1;
	if (url == NULL)
		url = TFC_URL;
	if (base_url(url, "terraform.url", err, errlen) == -1)
		return -1;
	if (ws == NULL) {
		snprintf(err, errlen, "terraform.workspace: the workspace id (ws-...), please");
		return -1;
	}
	if ((cred = credential(o, "token", err, errlen)) == NULL)
		return -1;
	r->http = json_pack("{s:s, s:s++, s:o, s:s, s:b, s:b}", "service", "terraform",
	    "url", url, url[strlen(url) - 1] == '/' ? "" : "/", "api/v2/runs",
	    "credential", cred, "content_type", "application/vnd.api+json",
	    "auto_apply", auto_apply, "is_destroy", destroy);
	xasprintf(&r->action, "terraform:run");
	if (add_template(r, "tf.workspace", ws, "terraform.workspace", err, errlen) == -1)
		return -1;
	return add_template(r, "tf.message", msg ? msg : "",
	    "terraform.message", err, errlen);
}

/* Is the name fit for audit lines and file names? */
static int
good_name(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' || *s == '-'))
			return 0;
	return 1;
}

static int
check_keys(const json_t *o, char *err, size_t errlen)
{
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach((json_t *)o, key, v) {
		for (i = 0; known_keys[i] != NULL; i++)
			if (strcmp(key, known_keys[i]) == 0)
				break;
		if (known_keys[i] == NULL) {
			snprintf(err, errlen, "%s: unknown key", key);
			return -1;
		}
	}
	return 0;
}

static struct aiops_rule *
rule_build(const json_t *o, const struct aiops_rule_defaults *d, char *err, size_t errlen)
{
	struct aiops_rule *r = xcalloc(1, sizeof(*r));
	const char *name, *target, *playbook, *retries;
	json_t *crit = json_object_get(o, "criteria"), *cmd = json_object_get(o, "command");
	char why[512];
	long long n;
	char *end;

	r->tpl = aiops_tpl_new();
	if (check_keys(o, err, errlen) == -1 ||
	    get_string(o, "name", &name, err, errlen) == -1)
		goto bad;
	if (name == NULL || !good_name(name)) {
		snprintf(err, errlen, "name: each rule needs one, of letters, digits, _ . -");
		goto bad;
	}
	r->name = xstrdup(name);
	if (crit == NULL) {
		snprintf(err, errlen, "criteria: missing (a rule with none would fire on every event)");
		goto bad;
	}
	if ((r->criteria = aiops_match_criteria(crit, why, sizeof(why))) == NULL) {
		snprintf(err, errlen, "criteria: %s", why);
		goto bad;
	}
	if (get_string(o, "target", &target, err, errlen) == -1 ||
	    get_string(o, "playbook", &playbook, err, errlen) == -1)
		goto bad;
	if (target != NULL) {
		r->has_target = 1;
		if (add_template(r, "target", target, "target", err, errlen) == -1)
			goto bad;
	}
	if ((cmd != NULL) + (playbook != NULL) + (json_object_get(o, "servicenow") != NULL) +
	    (json_object_get(o, "terraform") != NULL) != 1) {
		snprintf(err, errlen, "an action, please: command, playbook, servicenow or terraform"
		    " (one of them)");
		goto bad;
	}
	if (cmd != NULL ? build_command(r, cmd, err, errlen) == -1 :
	    playbook != NULL ? build_playbook(r, o, playbook, d, err, errlen) == -1 :
	    json_object_get(o, "servicenow") != NULL ?
	    build_servicenow(r, json_object_get(o, "servicenow"), err, errlen) == -1 :
	    build_terraform(r, json_object_get(o, "terraform"), err, errlen) == -1)
		goto bad;
	if (get_duration(o, "timeout", d->timeout_ns, &r->timeout, err, errlen) == -1 ||
	    get_duration(o, "cooldown", 0, &r->cooldown, err, errlen) == -1 ||
	    get_string(o, "retries", &retries, err, errlen) == -1 ||
	    (r->idempotent = get_bool(o, "idempotent", 0, err, errlen)) == -1)
		goto bad;
	r->attempts = 1;
	if (retries != NULL) {
		n = strtoll(retries, &end, 10);
		if (*retries == '\0' || *end != '\0' || n < 0 || n > 100) {
			snprintf(err, errlen, "retries: a number from 0 to 100, not '%s'", retries);
			goto bad;
		}
		r->attempts = 1 + (int)n;
	}
	if (r->timeout <= 0) {
		snprintf(err, errlen, "timeout: must be more than 0");
		goto bad;
	}
	if (build_throttle(r, json_object_get(o, "throttle"), err, errlen) == -1 ||
	    build_approval(r, json_object_get(o, "approval"), err, errlen) == -1 ||
	    build_verify(r, json_object_get(o, "verify"), err, errlen) == -1)
		goto bad;
	return r;
bad:
	rule_free(r);
	return NULL;
}

int
aiops_rules_build(const json_t *list, const struct aiops_rule_defaults *d,
    struct aiops_ruleset *rs, char *err, size_t errlen)
{
	char why[768];
	const char *name;
	struct aiops_rule *r;
	size_t i, j;
	json_t *o;

	memset(rs, 0, sizeof(*rs));
	if (list == NULL || json_is_null(list))
		return 0;
	if (!json_is_array(list)) {
		snprintf(err, errlen, "run.rules: a list of rules");
		return -1;
	}
	rs->v = xcalloc(json_array_size(list) + 1, sizeof(*rs->v));
	json_array_foreach(list, i, o) {
		name = json_string_value(json_object_get(o, "name"));
		if (!json_is_object(o)) {
			snprintf(err, errlen, "run.rules[%zu]: a mapping, please", i);
			goto bad;
		}
		if ((r = rule_build(o, d, why, sizeof(why))) == NULL) {
			snprintf(err, errlen, "run.rules[%zu]%s%s%s: %s", i, name ? " (" : "",
			    name ? name : "", name ? ")" : "", why);
			goto bad;
		}
		for (j = 0; j < rs->n; j++)
			if (strcmp(rs->v[j]->name, r->name) == 0) {
				snprintf(err, errlen, "run.rules[%zu] (%s): name: rule %zu has it too",
				    i, r->name, j);
				rule_free(r);
				goto bad;
			}
		rs->v[rs->n++] = r;
	}
	return 0;
bad:
	aiops_rules_free(rs);
	return -1;
}

void
aiops_rules_free(struct aiops_ruleset *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		rule_free(rs->v[i]);
	free(rs->v);
	memset(rs, 0, sizeof(*rs));
}

const struct aiops_rule *
aiops_rules_find(const struct aiops_ruleset *rs, const char *name)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (strcmp(rs->v[i]->name, name) == 0)
			return rs->v[i];
	return NULL;
}

const char *aiops_rule_name(const struct aiops_rule *r) { return r->name; }
int64_t aiops_rule_cooldown(const struct aiops_rule *r) { return r->cooldown; }
int aiops_rule_attempts(const struct aiops_rule *r) { return r->attempts; }
int aiops_rule_idempotent(const struct aiops_rule *r) { return r->idempotent; }
const char *aiops_rule_action(const struct aiops_rule *r) { return r->action; }
const struct aiops_match *aiops_rule_criteria(const struct aiops_rule *r) { return r->criteria; }

int
aiops_rule_throttle(const struct aiops_rule *r, int *max, int64_t *per_ns)
{
	*max = r->throttle_max;
	*per_ns = r->throttle_per;
	return r->throttle_max > 0;
}

int
aiops_rule_approval(const struct aiops_rule *r, int64_t *expires_ns, const json_t **users)
{
	*expires_ns = r->approval_expires;
	*users = r->approvers;
	return r->approval;
}

int
aiops_rule_matches(const struct aiops_rule *r, const json_t *event, int64_t now_ns)
{
	return aiops_match_eval(r->criteria, event, now_ns);
}

/*
 * Renders the template `name` as one value (a new string) and checks it:
 * what names it in err; option_ok when the template itself starts with '-';
 * need when it may not be empty.
 */
static char *
render_value(const struct aiops_rule *r, const char *name, const char *what, json_t *event,
    int64_t now_ns, enum aiops_tpl_escape esc, int option_ok, int need, char *err,
    size_t errlen)
{
	struct aiops_tpl_env env = { .escape = esc, .now_ns = now_ns };
	struct aiops_buf b = AIOPS_BUF_INIT;
	char why[512];

	if (aiops_tpl_render(r->tpl, name, event, &env, &b, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "%s: %s", what, why);
		goto bad;
	}
	aiops_buf_addc(&b, '\0');
	if (strlen(b.data) != b.len - 1) {
		snprintf(err, errlen, "%s: renders with a NUL byte", what);
		goto bad;
	}
	if (strstr(b.data, NO_VALUE) != NULL) {
		snprintf(err, errlen, "%s: renders '%s': a field it names is missing from the event",
		    what, NO_VALUE);
		goto bad;
	}
	if (need && b.data[0] == '\0') {
		snprintf(err, errlen, "%s: renders empty", what);
		goto bad;
	}
	if (!option_ok && b.data[0] == '-') {
		snprintf(err, errlen, "%s: renders as an option ('%.60s') from event data", what,
		    b.data);
		goto bad;
	}
	return aiops_buf_detach(&b, NULL);
bad:
	aiops_buf_release(&b);
	return NULL;
}

/* The target: its template's, or the event's host, or "-". */
static char *
render_target(const struct aiops_rule *r, json_t *event, int64_t now_ns, char *err,
    size_t errlen)
{
	const char *host = json_string_value(json_object_get(event, "host"));

	if (r->has_target)
		return render_value(r, "target", "target", event, now_ns, AIOPS_TPL_ESC_NONE, 1,
		    1, err, errlen);
	return xstrdup(host != NULL && host[0] != '\0' ? host : "-");
}

static json_t *
render_command(const struct aiops_rule *r, json_t *event, int64_t now_ns, char *err,
    size_t errlen)
{
	json_t *argv = json_array();
	char name[32], what[48], *v;
	size_t i;

	for (i = 0; i < r->argc; i++) {
		snprintf(name, sizeof(name), "argv.%zu", i);
		snprintf(what, sizeof(what), "command[%zu]", i);
		v = render_value(r, name, what, event, now_ns, AIOPS_TPL_ESC_ARGV, r->option_ok[i],
		    i == 0, err, errlen);
		if (v == NULL) {
			json_decref(argv);
			return NULL;
		}
		if (json_array_append_new(argv, json_string(v)) == -1) {
			snprintf(err, errlen, "%s: renders text that is not UTF-8", what);
			free(v);
			json_decref(argv);
			return NULL;
		}
		free(v);
	}
	return json_pack("{s:s, s:o, s:I}", "kind", "command", "argv", argv, "timeout_ms",
	    (json_int_t)(r->timeout / 1000000));
}

/* A var's value: a string, or a list when it was given as one. */
static json_t *
render_var(const struct aiops_rule *r, const char *key, json_t *event, int64_t now_ns,
    char *err, size_t errlen)
{
	json_t *count = json_object_get(r->var_lists, key), *list;
	char name[512], what[512], *v;
	json_int_t i;

	if (count == NULL) {
		snprintf(name, sizeof(name), "vars.%s", key);
		v = render_value(r, name, name, event, now_ns, AIOPS_TPL_ESC_NONE, 1, 0, err,
		    errlen);
		if (v == NULL)
			return NULL;
		list = json_string(v);	/* NULL when not UTF-8 */
		free(v);
		if (list == NULL)
			snprintf(err, errlen, "%s: renders text that is not UTF-8", name);
		return list;
	}
	list = json_array();
	for (i = 0; i < json_integer_value(count); i++) {
		snprintf(name, sizeof(name), "vars.%s.%lld", key, (long long)i);
		snprintf(what, sizeof(what), "vars.%s[%lld]", key, (long long)i);
		v = render_value(r, name, what, event, now_ns, AIOPS_TPL_ESC_NONE, 1, 0, err,
		    errlen);
		if (v == NULL) {
			json_decref(list);
			return NULL;
		}
		json_array_append_new(list, json_string(v));
		free(v);
	}
	if (json_array_size(list) != (size_t)json_integer_value(count)) {
		snprintf(err, errlen, "vars.%s: renders text that is not UTF-8", key);
		json_decref(list);
		return NULL;
	}
	return list;
}

static json_t *
render_playbook(const struct aiops_rule *r, json_t *event, int64_t now_ns, char *err,
    size_t errlen)
{
	json_t *vars = json_object(), *name, *v;
	char *hosts;
	size_t i;

	hosts = render_value(r, "hosts", "hosts", event, now_ns, AIOPS_TPL_ESC_ARGV, 0, 1, err,
	    errlen);
	if (hosts == NULL)
		goto bad;
	if (strpbrk(hosts, ", \t\n") != NULL) {
		snprintf(err, errlen, "hosts: renders '%.60s': one host, please", hosts);
		goto bad;
	}
	json_array_foreach(r->var_names, i, name) {
		if ((v = render_var(r, json_string_value(name), event, now_ns, err, errlen)) == NULL)
			goto bad;
		json_object_set_new(vars, json_string_value(name), v);
	}
	v = json_pack("{s:s, s:s, s:s, s:o, s:O, s:b, s:I}", "kind", "playbook",
	    "playbook", r->playbook, "hosts", hosts, "vars", vars, "vars_files", r->vars_files,
	    "check_first", r->check_first, "timeout_ms", (json_int_t)(r->timeout / 1000000));
	json_object_set_new(v, "connection", r->connection ? json_string(r->connection) :
	    json_null());
	free(hosts);
	return v;
bad:
	free(hosts);
	json_decref(vars);
	return NULL;
}

/* The verify block for event: new, or NULL with err. */
static json_t *
render_verify(const struct aiops_rule *r, json_t *event, int64_t now_ns, char *err,
    size_t errlen)
{
	json_t *v = json_deep_copy(r->verify), *names = json_object_get(r->verify, "label_names");
	json_t *labels = json_object(), *name;
	char tname[512], *s;
	size_t i;

	json_object_del(v, "label_names");
	if (json_object_get(v, "metric") == NULL) {
		s = render_value(r, "verify.fingerprint", "verify.fingerprint", event, now_ns,
		    AIOPS_TPL_ESC_NONE, 1, 1, err, errlen);
		if (s == NULL)
			goto bad;
		json_object_set_new(v, "alert", json_string(s));
		free(s);
		json_decref(labels);
		return v;
	}
	if ((s = render_value(r, "verify.host", "verify.host", event, now_ns, AIOPS_TPL_ESC_NONE,
	    1, 0, err, errlen)) == NULL)
		goto bad;
	json_object_set_new(v, "host", s[0] != '\0' ? json_string(s) : json_null());
	free(s);
	json_array_foreach(names, i, name) {
		snprintf(tname, sizeof(tname), "verify.labels.%s", json_string_value(name));
		if ((s = render_value(r, tname, tname, event, now_ns, AIOPS_TPL_ESC_NONE, 1, 0, err,
		    errlen)) == NULL)
			goto bad;
		json_object_set_new(labels, json_string_value(name), json_string(s));
		free(s);
	}
	json_object_set_new(v, "labels", labels);
	return v;
bad:
	json_decref(labels);
	json_decref(v);
	return NULL;
}

/* An HTTP action: the request's fixed part and its rendered body. */
static json_t *
render_http(const struct aiops_rule *r, json_t *event, int64_t now_ns, char *err,
    size_t errlen)
{
	json_t *spec = json_deep_copy(r->http), *body, *name;
	char tname[512], *v, *ws = NULL, *msg = NULL;
	size_t i;

	json_object_set_new(spec, "kind", json_string("http"));
	json_object_set_new(spec, "timeout_ms", json_integer((json_int_t)(r->timeout / 1000000)));
	if (r->kind == ACTION_SERVICENOW) {
		body = json_object();
		json_object_set_new(spec, "body", body);
		json_array_foreach(r->field_names, i, name) {
			snprintf(tname, sizeof(tname), "field.%s", json_string_value(name));
			if ((v = render_value(r, tname, tname + 6, event, now_ns, AIOPS_TPL_ESC_NONE,
			    1, 0, err, errlen)) == NULL)
				goto bad;
			json_object_set_new(body, json_string_value(name), json_string(v));
			free(v);
		}
		return spec;
	}
	if ((ws = render_value(r, "tf.workspace", "terraform.workspace", event, now_ns,
	    AIOPS_TPL_ESC_NONE, 0, 1, err, errlen)) == NULL ||
	    (msg = render_value(r, "tf.message", "terraform.message", event, now_ns,
	    AIOPS_TPL_ESC_NONE, 1, 0, err, errlen)) == NULL)
		goto bad;
	if (msg[0] == '\0') {
		free(msg);
		xasprintf(&msg, "aiops-run: rule %s", r->name);
	}
	/* POST /api/v2/runs (developer.hashicorp.com, Runs API). */
	body = json_pack("{s:{s:s, s:{s:s, s:b, s:b}, s:{s:{s:{s:s, s:s}}}}}", "data",
	    "type", "runs", "attributes", "message", msg, "is-destroy",
	    json_is_true(json_object_get(spec, "is_destroy")), "auto-apply",
	    json_is_true(json_object_get(spec, "auto_apply")), "relationships", "workspace", "data",
	    "type", "workspaces", "id", ws);
	json_object_del(spec, "is_destroy");
	json_object_del(spec, "auto_apply");
	json_object_set_new(spec, "body", body);
	free(ws);
	free(msg);
	return spec;
bad:
	free(ws);
	free(msg);
	json_decref(spec);
	return NULL;
}

int
aiops_rule_render(const struct aiops_rule *r, json_t *event, int64_t now_ns,
    struct aiops_rule_task *t, char *err, size_t errlen)
{
	json_t *verify;

	memset(t, 0, sizeof(*t));
	if ((t->target = render_target(r, event, now_ns, err, errlen)) == NULL)
		goto bad;
	if (r->has_throttle_by && (t->throttle_key = render_value(r, "throttle", "throttle.by",
	    event, now_ns, AIOPS_TPL_ESC_NONE, 1, 0, err, errlen)) == NULL)
		goto bad;
	t->spec = r->kind == ACTION_COMMAND ? render_command(r, event, now_ns, err, errlen) :
	    r->kind == ACTION_PLAYBOOK ? render_playbook(r, event, now_ns, err, errlen) :
	    render_http(r, event, now_ns, err, errlen);
	if (t->spec == NULL)
		goto bad;
	json_object_set_new(t->spec, "action", json_string(r->action));
	if (r->verify != NULL) {
		if ((verify = render_verify(r, event, now_ns, err, errlen)) == NULL)
			goto bad;
		json_object_set_new(t->spec, "verify", verify);
	}
	return 0;
bad:
	aiops_rule_task_release(t);
	return -1;
}

void
aiops_rule_task_release(struct aiops_rule_task *t)
{
	free(t->target);
	free(t->throttle_key);
	json_decref(t->spec);
	memset(t, 0, sizeof(*t));
}

static void
argv_add(char ***argv, size_t *n, const char *s)
{
	*argv = xreallocarray(*argv, *n + 2, sizeof(**argv));
	(*argv)[(*n)++] = xstrdup(s);
	(*argv)[*n] = NULL;
}

char **
aiops_spec_argv(const json_t *spec, const char *ansible, const char *varsfile, int check,
    char *err, size_t errlen)
{
	const char *kind = json_string_value(json_object_get(spec, "kind"));
	const char *conn = json_string_value(json_object_get(spec, "connection"));
	char **argv = NULL, *s;
	size_t n = 0, i;
	json_t *v;

	if (kind != NULL && strcmp(kind, "command") == 0 &&
	    json_array_size(json_object_get(spec, "argv")) > 0) {
		json_array_foreach(json_object_get(spec, "argv"), i, v) {
			if (!json_is_string(v))
				goto bad;
			argv_add(&argv, &n, json_string_value(v));
		}
		return argv;
	}
	if (kind == NULL || strcmp(kind, "playbook") != 0 ||
	    !json_is_string(json_object_get(spec, "hosts")) ||
	    !json_is_string(json_object_get(spec, "playbook")))
		goto bad;
	argv_add(&argv, &n, ansible != NULL ? ansible : "ansible-playbook");
	argv_add(&argv, &n, "-i");
	xasprintf(&s, "%s,", json_string_value(json_object_get(spec, "hosts")));
	argv_add(&argv, &n, s);
	free(s);
	if (conn != NULL) {
		argv_add(&argv, &n, "-c");
		argv_add(&argv, &n, conn);
	}
	if (check)
		argv_add(&argv, &n, "--check");
	if (varsfile != NULL) {
		argv_add(&argv, &n, "--extra-vars");
		xasprintf(&s, "@%s", varsfile);
		argv_add(&argv, &n, s);
		free(s);
	}
	json_array_foreach(json_object_get(spec, "vars_files"), i, v) {
		argv_add(&argv, &n, "--extra-vars");
		xasprintf(&s, "@%s", json_string_value(v));
		argv_add(&argv, &n, s);
		free(s);
	}
	argv_add(&argv, &n, json_string_value(json_object_get(spec, "playbook")));
	return argv;
bad:
	aiops_argv_free(argv);
	snprintf(err, errlen, "not an action aiops-run knows: %s", kind ? kind : "(no kind)");
	return NULL;
}

void
aiops_argv_free(char **argv)
{
	size_t i;

	if (argv == NULL)
		return;
	for (i = 0; argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

json_t *
aiops_spec_request(const json_t *spec)
{
	const char *kind = json_string_value(json_object_get(spec, "kind"));

	if (kind == NULL || strcmp(kind, "http") != 0)
		return NULL;
	return json_pack("{s:s, s:O, s:O}", "method", "POST", "url", json_object_get(spec, "url"),
	    "body", json_object_get(spec, "body"));
}

json_t *
aiops_spec_shown(const json_t *spec, const char *ansible)
{
	json_t *o = json_object(), *req = aiops_spec_request(spec), *a;
	char err[256], **argv;
	size_t i;

	if (req != NULL) {
		json_object_set_new(o, "request", req);
		return o;
	}
	if ((argv = aiops_spec_argv(spec, ansible, "<vars file>", 0, err, sizeof(err))) == NULL)
		return o;
	a = json_array();
	for (i = 0; argv[i] != NULL; i++)
		json_array_append_new(a, json_string(argv[i]));
	json_object_set_new(o, "argv", a);
	aiops_argv_free(argv);
	return o;
}
