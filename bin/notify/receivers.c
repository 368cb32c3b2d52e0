/*
 * receivers.c: notify.receivers, Alertmanager's receiver list:
 *
 *   receivers:
 *     - name: oncall
 *       pagerduty_configs:
 *         - routing_key_file: /etc/aiops/pagerduty.key
 *     - name: team-db
 *       webhook_configs:
 *         - url: http://127.0.0.1:9000/hook
 *           secret_file: /etc/aiops/hook.secret
 *
 * Each *_configs item is an integration, named receiver/type/index. A
 * secret comes from NAME_file (a file only its owner may read) or
 * NAME_env (an environment variable), never from the text itself.
 */
#include "compat.h"

#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config/conf.h"
#include "core/buf.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "match/template.h"
#include "net/secret.h"
#include "notify.h"

#define SECRET_MAX	4096

static const struct {
	const char		*key;
	enum integration_type	 type;
} kinds[] = {
	{ "webhook_configs", INT_WEBHOOK },
	{ "slack_configs", INT_SLACK },
	{ "pagerduty_configs", INT_PAGERDUTY },
	{ "servicenow_configs", INT_SERVICENOW },
	{ "email_configs", INT_EMAIL },
	{ "file_configs", INT_FILE },
};
#define NKINDS	(sizeof(kinds) / sizeof(kinds[0]))

/* The fields each kind takes; a secret's name stands for NAME_file and NAME_env. */
static const char *const fields[NKINDS][12] = {
	{ "url", "secret", "send_resolved", "max_alerts", "timeout", NULL },
	{ "api_url", "send_resolved", "timeout", "title", "text", NULL },
	{ "url", "routing_key", "send_resolved", "timeout", "title", "text", NULL },
	{ "instance_url", "username", "password", "send_resolved", "timeout", "title", "text",
	    NULL },
	{ "to", "from", "smarthost", "auth_username", "auth_password", "require_tls",
	    "send_resolved", "timeout", "title", "text", "ca_file", NULL },
	{ "path", "send_resolved", NULL },
};

/* Secrets: read from NAME_file or NAME_env only. */
static int
is_secret(enum integration_type t, const char *field)
{
	return strcmp(field, "secret") == 0 || strcmp(field, "routing_key") == 0 ||
	    strcmp(field, "password") == 0 || strcmp(field, "auth_password") == 0 ||
	    (t == INT_SLACK && strcmp(field, "api_url") == 0);
}

struct loader {
	const struct aiops_conf	*cfg;
	char			*err;
	size_t			 errlen;
	char			 path[256];	/* of the item being read */
	struct aiops_buf	 files;		/* the text of notify.templates */
	size_t			 nfiles;
};

/* "where: path.field: what"; returns -1. */
static int __attribute__((format(printf, 3, 4)))
fail(struct loader *l, const char *field, const char *fmt, ...)
{
	char path[320], where[256], what[512];
	va_list ap;

	snprintf(path, sizeof(path), "%s%s%s", l->path, field ? "." : "", field ? field : "");
	aiops_conf_where(l->cfg, path, where, sizeof(where));
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(l->err, l->errlen, "%s: %s: %s", where, path, what);
	return -1;
}

static int
known_field(enum integration_type t, const char *key)
{
	size_t i, n;

	for (i = 0; fields[t][i] != NULL; i++) {
		const char *f = fields[t][i];

		if (strcmp(key, f) == 0 && !is_secret(t, f))
			return 1;
		n = strlen(f);
		if (is_secret(t, f) && strncmp(key, f, n) == 0 &&
		    (strcmp(key + n, "_file") == 0 || strcmp(key + n, "_env") == 0))
			return 1;
	}
	return 0;
}

static const char *
str(const json_t *item, const char *key)
{
	return json_string_value(json_object_get(item, key));
}

/* A secret from NAME_file or NAME_env into *out (new), or NULL when neither is set. */
static int
secret(struct loader *l, const json_t *item, const char *name, char **out)
{
	char key[64], buf[SECRET_MAX], why[512];
	const char *file, *env, *v;

	*out = NULL;
	snprintf(key, sizeof(key), "%s_file", name);
	file = str(item, key);
	snprintf(key, sizeof(key), "%s_env", name);
	env = str(item, key);
	if (file != NULL && env != NULL)
		return fail(l, key, "give %s_file or %s_env, not both", name, name);
	if (file != NULL) {
		if (aiops_secret_read_file(file, buf, sizeof(buf), why, sizeof(why)) == -1)
			return fail(l, NULL, "%s", why);
		*out = xstrdup(buf);
		explicit_bzero(buf, sizeof(buf));
	} else if (env != NULL) {
		if ((v = getenv(env)) == NULL || *v == '\0')
			return fail(l, key, "the environment has no %s", env);
		*out = xstrdup(v);
	}
	return 0;
}

static int
flag(struct loader *l, const json_t *item, const char *key, int def, int *out)
{
	const char *v = str(item, key);

	*out = def;
	if (v == NULL)
		return 0;
	if (strcmp(v, "true") == 0)
		*out = 1;
	else if (strcmp(v, "false") == 0)
		*out = 0;
	else
		return fail(l, key, "expected true or false");
	return 0;
}

static int
number(struct loader *l, const json_t *item, const char *key, long max, long *out)
{
	const char *v = str(item, key);
	char *end;

	if (v == NULL)
		return 0;
	*out = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || *out < 0 || *out > max)
		return fail(l, key, "expected a whole number from 0 to %ld", max);
	return 0;
}

/* "to" is one address or a list of them. */
static int
recipients(struct loader *l, const json_t *item, struct integration *in)
{
	const json_t *to = json_object_get(item, "to"), *v;
	size_t i;

	if (json_is_string(to)) {
		in->to = xcalloc(1, sizeof(*in->to));
		in->to[in->nto++] = xstrdup(json_string_value(to));
		return 0;
	}
	if (!json_is_array(to) || json_array_size(to) == 0)
		return fail(l, "to", "expected an address or a list of them");
	in->to = xcalloc(json_array_size(to), sizeof(*in->to));
	json_array_foreach(to, i, v) {
		if (!json_is_string(v))
			return fail(l, "to", "expected an address or a list of them");
		in->to[in->nto++] = xstrdup(json_string_value(v));
	}
	return 0;
}

/* An http(s) URL: the checks that catch a typo before the first alert. */
static int
http_url(struct loader *l, const char *key, const char *url)
{
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		return fail(l, key, "expected an http:// or https:// URL");
	return 0;
}

static int
load_kind(struct loader *l, const json_t *item, struct integration *in)
{
	const char *v;
	long n;

	switch (in->type) {
	case INT_WEBHOOK:
		if ((v = str(item, "url")) == NULL)
			return fail(l, NULL, "a webhook needs its url");
		if (http_url(l, "url", v) == -1 || secret(l, item, "secret", &in->secret) == -1)
			return -1;
		in->url = xstrdup(v);
		n = 0;
		if (number(l, item, "max_alerts", 1000000, &n) == -1)
			return -1;
		in->max_alerts = (size_t)n;
		break;
	case INT_SLACK:
		if (secret(l, item, "api_url", &in->url) == -1)
			return -1;
		if (in->url == NULL)
			return fail(l, NULL, "a Slack webhook needs api_url_file or api_url_env"
			    " (its URL is a credential)");
		if (http_url(l, "api_url_file", in->url) == -1)
			return -1;
		break;
	case INT_PAGERDUTY:
		v = str(item, "url");
		in->url = xstrdup(v != NULL ? v : "https://events.pagerduty.com/v2/enqueue");
		if (http_url(l, "url", in->url) == -1 ||
		    secret(l, item, "routing_key", &in->secret) == -1)
			return -1;
		if (in->secret == NULL)
			return fail(l, NULL, "PagerDuty needs routing_key_file or routing_key_env");
		break;
	case INT_SERVICENOW:
		if ((v = str(item, "instance_url")) == NULL || http_url(l, "instance_url", v) == -1)
			return v == NULL ? fail(l, NULL, "ServiceNow needs its instance_url") : -1;
		in->url = xstrdup(v);
		if ((v = str(item, "username")) == NULL)
			return fail(l, NULL, "ServiceNow needs a username");
		in->user = xstrdup(v);
		if (secret(l, item, "password", &in->secret) == -1)
			return -1;
		if (in->secret == NULL)
			return fail(l, NULL, "ServiceNow needs password_file or password_env");
		break;
	case INT_EMAIL:
		if ((v = str(item, "smarthost")) == NULL)
			return fail(l, NULL, "email needs its smarthost (smtp://host:587)");
		if (strncmp(v, "smtp://", 7) != 0 && strncmp(v, "smtps://", 8) != 0)
			xasprintf(&in->url, "smtp://%s", v);
		else
			in->url = xstrdup(v);
		if ((v = str(item, "from")) == NULL)
			return fail(l, NULL, "email needs a from address");
		in->from = xstrdup(v);
		if (recipients(l, item, in) == -1 || flag(l, item, "require_tls", 1,
		    &in->require_tls) == -1)
			return -1;
		if ((v = str(item, "ca_file")) != NULL)
			in->ca_file = xstrdup(v);
		if ((v = str(item, "auth_username")) != NULL) {
			in->user = xstrdup(v);
			if ((v = str(item, "auth_password_file")) == NULL)
				return fail(l, NULL, "auth_username needs auth_password_file");
			in->secret_file = xstrdup(v);
		}
		break;
	case INT_FILE:
		if ((v = str(item, "path")) == NULL || *v == '\0')
			return fail(l, NULL, "a file receiver needs its path");
		in->path = xstrdup(v);
		break;
	case INT_STDOUT:
		break;	/* built in, never configured */
	}
	return 0;
}

/*
 * The defines of notify.templates, read once into l->files (each file
 * checked on its own, so a mistake names its file): every integration
 * with a title or a text starts from them.
 */
static int
shared_templates(struct loader *l)
{
	const json_t *files = aiops_conf_get(l->cfg, "notify.templates"), *f;
	struct aiops_buf one = AIOPS_BUF_INIT;
	char buf[8192], why[512];
	struct aiops_tpl *t;
	size_t i, n;
	FILE *fp;
	int rc = 0;

	json_array_foreach(files, i, f) {
		const char *path = json_string_value(f);

		snprintf(l->path, sizeof(l->path), "notify.templates.%zu", i);
		if (path == NULL || (fp = fopen(path, "r")) == NULL) {
			rc = fail(l, NULL, "%s: %s", path ? path : "?", strerror(errno));
			break;
		}
		aiops_buf_reset(&one);
		while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
			aiops_buf_add(&one, buf, n);
		fclose(fp);
		t = aiops_tpl_new();
		rc = aiops_tpl_add(t, path, one.data != NULL ? one.data : "", one.len, why,
		    sizeof(why));
		aiops_tpl_free(t);
		if (rc == -1) {
			rc = fail(l, NULL, "%s", why);
			break;
		}
		aiops_buf_add(&l->files, one.data != NULL ? one.data : "", one.len);
		aiops_buf_addc(&l->files, '\n');
		l->nfiles++;
	}
	aiops_buf_release(&one);
	return rc;
}

/* title and text: Go templates over Alertmanager's data, checked now. */
static int
item_templates(struct loader *l, const json_t *item, struct integration *in)
{
	static const char *const keys[] = { "title", "text" };
	char why[512];
	size_t i;

	for (i = 0; i < 2; i++) {
		const char *v = str(item, keys[i]);

		if (v == NULL)
			continue;
		if (in->tpl == NULL) {
			in->tpl = aiops_tpl_new();
			if (l->nfiles > 0 && aiops_tpl_add(in->tpl, "notify.templates",
			    l->files.data, l->files.len, why, sizeof(why)) == -1)
				return fail(l, keys[i], "%s", why);
		}
		if (aiops_tpl_add(in->tpl, keys[i], v, strlen(v), why, sizeof(why)) == -1)
			return fail(l, keys[i], "%s", why);
		if (i == 0)
			in->has_title = 1;
		else
			in->has_text = 1;
	}
	return 0;
}

static int
load_item(struct loader *l, struct receivers *r, const char *name, size_t k,
    size_t idx, const json_t *item)
{
	struct integration *in;
	const char *key;
	json_t *val;
	int64_t ns;
	const char *t;

	if (!json_is_object(item))
		return fail(l, NULL, "expected a mapping");
	json_object_foreach((json_t *)item, key, val)
		if (!known_field(kinds[k].type, key))
			return fail(l, key, "not a field of %s", kinds[k].key);
	r->v = xreallocarray(r->v, r->n + 1, sizeof(*r->v));
	in = &r->v[r->n++];
	memset(in, 0, sizeof(*in));
	in->type = kinds[k].type;
	in->receiver = xstrdup(name);
	xasprintf(&in->id, "%s/%s/%zu", name, integration_type_name(in->type), idx);
	if (flag(l, item, "send_resolved", in->type != INT_SLACK, &in->send_resolved) == -1)
		return -1;
	if ((t = str(item, "timeout")) != NULL) {
		if (aiops_duration_parse(t, &ns) == -1 || ns <= 0)
			return fail(l, "timeout", "expected a duration (10s)");
		in->timeout_ms = (long)(ns / 1000000);
	}
	if (item_templates(l, item, in) == -1)
		return -1;
	return load_kind(l, item, in);
}

/* rate_limit: "N/DURATION", at most N messages sent in any such window. */
static int
rate_limit(struct loader *l, struct receivers *r, const char *name, const json_t *val)
{
	const char *v = json_string_value(val), *slash;
	struct rate_limit *rl;
	char *end;
	unsigned long count;
	int64_t per;

	if (v == NULL || (slash = strchr(v, '/')) == NULL)
		return fail(l, "rate_limit", "expected a count per duration (10/1m)");
	count = strtoul(v, &end, 10);
	if (end != slash || count == 0 || count > 1000000 ||
	    aiops_duration_parse(slash + 1, &per) == -1 || per <= 0)
		return fail(l, "rate_limit", "expected a count per duration (10/1m)");
	r->limits = xreallocarray(r->limits, r->nlimits + 1, sizeof(*r->limits));
	rl = &r->limits[r->nlimits++];
	rl->receiver = xstrdup(name);
	rl->count = (unsigned)count;
	rl->per = per;
	return 0;
}

static int
load_receiver(struct loader *l, struct receivers *r, const json_t *rcv)
{
	const char *name = str(rcv, "name"), *key;
	json_t *val;
	size_t k, j, base = strlen(l->path);

	if (!json_is_object(rcv) || name == NULL || *name == '\0')
		return fail(l, NULL, "a receiver needs a name");
	if (strchr(name, '/') != NULL)
		return fail(l, "name", "a receiver's name has no /");
	if (receivers_has(r, name))
		return fail(l, "name", "a second receiver named %s", name);
	r->names = xreallocarray(r->names, r->nnames + 1, sizeof(*r->names));
	r->names[r->nnames++] = xstrdup(name);
	json_object_foreach((json_t *)rcv, key, val) {
		if (strcmp(key, "name") == 0)
			continue;
		if (strcmp(key, "rate_limit") == 0) {
			if (rate_limit(l, r, name, val) == -1)
				return -1;
			continue;
		}
		for (k = 0; k < NKINDS && strcmp(key, kinds[k].key) != 0; k++)
			;
		if (k == NKINDS)
			return fail(l, key, "not a kind of receiver aiops-notify knows"
			    " (webhook_configs, slack_configs, pagerduty_configs,"
			    " servicenow_configs, email_configs, file_configs)");
		if (!json_is_array(val))
			return fail(l, key, "expected a list");
		for (j = 0; j < json_array_size(val); j++) {
			snprintf(l->path + base, sizeof(l->path) - base, ".%s.%zu", key, j);
			if (load_item(l, r, name, k, j, json_array_get(val, j)) == -1)
				return -1;
		}
		l->path[base] = '\0';
	}
	return 0;
}

int
receivers_load(struct receivers *r, const struct aiops_conf *cfg, char *err, size_t errlen)
{
	const json_t *list = aiops_conf_get(cfg, "notify.receivers");
	struct loader l = { cfg, err, errlen, "", AIOPS_BUF_INIT, 0 };
	size_t i;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	if (list == NULL) {
		/* None configured: what would be sent is written on stdout. */
		r->v = xcalloc(1, sizeof(*r->v));
		r->v[0].type = INT_STDOUT;
		r->v[0].receiver = xstrdup("stdout");
		r->v[0].id = xstrdup("stdout/stdout/0");
		r->v[0].send_resolved = 1;
		r->n = 1;
		r->names = xcalloc(1, sizeof(*r->names));
		r->names[0] = xstrdup("stdout");
		r->nnames = 1;
		return 0;
	}
	snprintf(l.path, sizeof(l.path), "notify.receivers");
	if (!json_is_array(list))
		return fail(&l, NULL, "expected a list of receivers");
	if (shared_templates(&l) == -1)
		rc = -1;
	for (i = 0; rc == 0 && i < json_array_size(list); i++) {
		snprintf(l.path, sizeof(l.path), "notify.receivers.%zu", i);
		rc = load_receiver(&l, r, json_array_get(list, i));
	}
	aiops_buf_release(&l.files);
	if (rc == -1)
		receivers_free(r);
	return rc;
}

void
receivers_free(struct receivers *r)
{
	size_t i, j;

	for (i = 0; i < r->n; i++) {
		struct integration *in = &r->v[i];

		free(in->id);
		free(in->receiver);
		free(in->url);
		if (in->secret != NULL) {
			explicit_bzero(in->secret, strlen(in->secret));
			free(in->secret);
		}
		free(in->user);
		free(in->secret_file);
		free(in->from);
		for (j = 0; j < in->nto; j++)
			free(in->to[j]);
		free(in->to);
		free(in->path);
		free(in->ca_file);
		aiops_tpl_free(in->tpl);
	}
	for (i = 0; i < r->nnames; i++)
		free(r->names[i]);
	free(r->names);
	for (i = 0; i < r->nlimits; i++)
		free(r->limits[i].receiver);
	free(r->limits);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

const struct integration *
receivers_find(const struct receivers *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->v[i].id, id) == 0)
			return &r->v[i];
	return NULL;
}

const struct rate_limit *
receivers_limit(const struct receivers *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nlimits; i++)
		if (strcmp(r->limits[i].receiver, name) == 0)
			return &r->limits[i];
	return NULL;
}

int
receivers_has(const struct receivers *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nnames; i++)
		if (strcmp(r->names[i], name) == 0)
			return 1;
	return 0;
}

const char *
integration_type_name(enum integration_type t)
{
	static const char *const names[] = { "webhook", "slack", "pagerduty", "servicenow",
	    "email", "file", "stdout" };

	return names[t];
}
