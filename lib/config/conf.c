#include "compat.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/buf.h"
#include "config/conf.h"
#include "config/paths.h"
#include "core/xmalloc.h"

extern char **environ;

#define MAX_CONFIG_BYTES	(16 * 1024 * 1024)
#define MAX_DEPTH		32

struct aiops_conf {
	char	*file;
	json_t	*root;
	json_t	*where;		/* dotted path -> line number, or the variable or
				 * option that set it */
};

struct parser {
	yaml_parser_t	 yp;
	const char	*name;
	json_t		*where;
	char		*err;
	size_t		 errlen;
};

static int parse_node(struct parser *p, yaml_event_t *ev, const char *path, json_t **out, int depth);

static int
fail(struct parser *p, size_t line, const char *what)
{
	snprintf(p->err, p->errlen, "%s:%zu: %s", p->name, line + 1, what);
	return -1;
}

static int
next_event(struct parser *p, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&p->yp, ev)) {
		char what[256];

		snprintf(what, sizeof(what), "%s%s%s",
		    p->yp.problem ? p->yp.problem : "YAML error",
		    p->yp.context ? " " : "", p->yp.context ? p->yp.context : "");
		return fail(p, p->yp.problem_mark.line, what);
	}
	return 0;
}

/*
 * Scalars stay text, so "007" stays 007 for a string key: the schema knows
 * each key's type and reads the text as the command line would. Only an
 * empty plain scalar (or ~, null) is null: the key is there but unset.
 */
static json_t *
scalar(const yaml_event_t *ev)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;

	if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    (n == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	    strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0))
		return json_null();
	return json_stringn(s, n);
}

static int
parse_mapping(struct parser *p, const char *path, json_t **out, int depth)
{
	json_t *obj = json_object();
	yaml_event_t ev;

	for (;;) {
		char *key, *sub;
		json_t *val;
		size_t line;

		if (next_event(p, &ev) == -1)
			goto bad;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (ev.type != YAML_SCALAR_EVENT) {
			fail(p, ev.start_mark.line, "mapping keys must be plain strings");
			yaml_event_delete(&ev);
			goto bad;
		}
		key = xstrdup((const char *)ev.data.scalar.value);
		line = ev.start_mark.line;
		yaml_event_delete(&ev);
		if (*path != '\0')
			xasprintf(&sub, "%s.%s", path, key);
		else
			sub = xstrdup(key);
		if (json_object_get(obj, key) != NULL) {
			fail(p, line, "duplicate key");
			free(key);
			free(sub);
			goto bad;
		}
		json_object_set_new(p->where, sub, json_integer((json_int_t)line + 1));
		if (next_event(p, &ev) == -1 || parse_node(p, &ev, sub, &val, depth + 1) == -1) {
			free(key);
			free(sub);
			goto bad;
		}
		json_object_set_new(obj, key, val);
		free(key);
		free(sub);
	}
	*out = obj;
	return 0;
bad:
	json_decref(obj);
	return -1;
}

static int
parse_sequence(struct parser *p, const char *path, json_t **out, int depth)
{
	json_t *arr = json_array();
	yaml_event_t ev;
	size_t i;

	for (i = 0;; i++) {
		json_t *val;
		char *sub;

		if (next_event(p, &ev) == -1)
			goto bad;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		xasprintf(&sub, "%s.%zu", path, i);
		/* An item's own line, for messages about it (route.routes.2). */
		json_object_set_new(p->where, sub, json_integer((json_int_t)ev.start_mark.line + 1));
		if (parse_node(p, &ev, sub, &val, depth + 1) == -1) {
			free(sub);
			goto bad;
		}
		free(sub);
		json_array_append_new(arr, val);
	}
	*out = arr;
	return 0;
bad:
	json_decref(arr);
	return -1;
}

/* Consumes ev (already read) and what it opens. */
static int
parse_node(struct parser *p, yaml_event_t *ev, const char *path, json_t **out, int depth)
{
	yaml_event_type_t type = ev->type;
	size_t line = ev->start_mark.line;
	int rc = 0;

	if (depth > MAX_DEPTH) {
		yaml_event_delete(ev);
		return fail(p, line, "nested too deeply");
	}
	switch (type) {
	case YAML_SCALAR_EVENT:
		*out = scalar(ev);
		break;
	case YAML_MAPPING_START_EVENT:
		rc = parse_mapping(p, path, out, depth);
		break;
	case YAML_SEQUENCE_START_EVENT:
		rc = parse_sequence(p, path, out, depth);
		break;
	case YAML_ALIAS_EVENT:
		rc = fail(p, line, "aliases are not supported");
		break;
	default:
		rc = fail(p, line, "unexpected YAML structure");
		break;
	}
	yaml_event_delete(ev);
	return rc;
}

static int
parse_document(struct parser *p, json_t **root)
{
	yaml_event_t ev;

	*root = NULL;
	for (;;) {
		yaml_event_type_t type;

		if (next_event(p, &ev) == -1)
			return -1;
		type = ev.type;
		if (type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (type == YAML_MAPPING_START_EVENT || type == YAML_SEQUENCE_START_EVENT ||
		    type == YAML_SCALAR_EVENT || type == YAML_ALIAS_EVENT) {
			size_t line = ev.start_mark.line;

			if (*root != NULL) {
				yaml_event_delete(&ev);
				return fail(p, line, "only one YAML document is allowed");
			}
			if (parse_node(p, &ev, "", root, 0) == -1)
				return -1;
			if (!json_is_object(*root))
				return fail(p, line, "the configuration must be a mapping");
			continue;
		}
		yaml_event_delete(&ev);
	}
	if (*root == NULL)
		*root = json_object();
	return 0;
}

/*
 * Sets the path of parts (a NULL-terminated list) to value (stolen),
 * creating mappings on the way, and remembers origin as where it and the
 * mappings it created were set.
 */
static void
set_path(struct aiops_conf *cfg, char **parts, json_t *value, json_t *origin)
{
	struct aiops_buf path = AIOPS_BUF_INIT;
	json_t *node = cfg->root;
	size_t i;

	for (i = 0; parts[i] != NULL; i++) {
		json_t *child;

		if (i > 0)
			aiops_buf_addc(&path, '.');
		aiops_buf_addstr(&path, parts[i]);
		if (parts[i + 1] == NULL) {
			json_object_set_new(node, parts[i], value);
			json_object_set(cfg->where, path.data, origin);
			break;
		}
		if (!json_is_object(child = json_object_get(node, parts[i]))) {
			child = json_object();
			json_object_set_new(node, parts[i], child);
			json_object_set(cfg->where, path.data, origin);
		}
		node = child;
	}
	aiops_buf_release(&path);
}

/* AIOPS__A__B=v sets a.b = v: "a" and "b" lower-cased, as text. */
static int
apply_var(struct aiops_conf *cfg, const char *var, const char *eq, char *err, size_t errlen)
{
	char *name = xstrndup(var, (size_t)(eq - var)), *path, *s, **parts;
	json_t *origin = json_string(name), *value = json_string(eq + 1);
	size_t n = 1;

	/* Keys and the values of string keys go out in JSON: UTF-8 only. */
	if (origin == NULL || value == NULL) {
		snprintf(err, errlen, "%s: not UTF-8", origin ? name : "an AIOPS__ variable's name");
		json_decref(origin);
		json_decref(value);
		free(name);
		return -1;
	}
	path = xstrdup(name + 7);
	for (s = path; *s != '\0'; s++) {
		*s = (char)tolower((unsigned char)*s);
		if (s[0] == '_' && s[1] == '_')
			n++;
	}
	parts = xcalloc(n + 1, sizeof(*parts));
	n = 0;
	parts[n++] = path;
	while ((s = strstr(parts[n - 1], "__")) != NULL) {
		*s = '\0';
		parts[n++] = s + 2;
	}
	set_path(cfg, parts, value, origin);
	json_decref(origin);
	free(parts);
	free(path);
	free(name);
	return 0;
}

static int
apply_env(struct aiops_conf *cfg, char *err, size_t errlen)
{
	char **e;

	for (e = environ; *e != NULL; e++) {
		const char *eq = strchr(*e, '=');

		if (strncmp(*e, "AIOPS__", 7) == 0 && eq != NULL &&
		    apply_var(cfg, *e, eq, err, errlen) == -1)
			return -1;
	}
	return 0;
}

struct aiops_conf *
aiops_conf_parse(const char *name, const char *text, size_t len, char *err, size_t errlen)
{
	struct aiops_conf *cfg = xcalloc(1, sizeof(*cfg));
	struct parser p;

	memset(&p, 0, sizeof(p));
	p.name = name;
	p.err = err;
	p.errlen = errlen;
	p.where = cfg->where = json_object();
	if (!yaml_parser_initialize(&p.yp))
		xoom(sizeof(p.yp));	/* libyaml fails here only without memory */
	yaml_parser_set_input_string(&p.yp, (const unsigned char *)text, len);
	if (parse_document(&p, &cfg->root) == -1) {
		yaml_parser_delete(&p.yp);
		json_decref(cfg->root);
		cfg->root = NULL;
		aiops_conf_free(cfg);
		return NULL;
	}
	yaml_parser_delete(&p.yp);
	cfg->file = xstrdup(name);
	if (apply_env(cfg, err, errlen) == -1) {
		aiops_conf_free(cfg);
		return NULL;
	}
	return cfg;
}

static int
slurp(const char *path, struct aiops_buf *b, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	char chunk[8192];
	size_t n;

	if (fp == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		aiops_buf_add(b, chunk, n);
		if (b->len > MAX_CONFIG_BYTES) {
			snprintf(err, errlen, "%s: larger than %d bytes", path, MAX_CONFIG_BYTES);
			fclose(fp);
			return -1;
		}
	}
	if (ferror(fp)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		fclose(fp);
		return -1;
	}
	fclose(fp);
	return 0;
}

struct aiops_conf *
aiops_conf_load(const char *opt, char *err, size_t errlen)
{
	struct aiops_buf b = AIOPS_BUF_INIT;
	struct aiops_conf *cfg;
	int explicit;
	char *path = aiops_path_config(opt, &explicit);

	if (path == NULL) {
		if ((cfg = aiops_conf_parse("(defaults)", "", 0, err, errlen)) != NULL) {
			free(cfg->file);
			cfg->file = NULL;
		}
		return cfg;
	}
	if (slurp(path, &b, err, errlen) == -1) {
		free(path);
		aiops_buf_release(&b);
		return NULL;
	}
	cfg = aiops_conf_parse(path, b.data ? b.data : "", b.len, err, errlen);
	free(path);
	aiops_buf_release(&b);
	return cfg;
}

void
aiops_conf_free(struct aiops_conf *cfg)
{
	if (cfg == NULL)
		return;
	json_decref(cfg->root);
	json_decref(cfg->where);
	free(cfg->file);
	free(cfg);
}

const char *aiops_conf_file(const struct aiops_conf *cfg) { return cfg->file; }
json_t *aiops_conf_root(const struct aiops_conf *cfg) { return cfg->root; }

json_t *
aiops_conf_get(const struct aiops_conf *cfg, const char *path)
{
	json_t *node = cfg->root;
	const char *p = path;

	while (node != NULL && *p != '\0') {
		size_t n = strcspn(p, ".");
		char key[256];

		if (n >= sizeof(key))
			return NULL;
		memcpy(key, p, n);
		key[n] = '\0';
		if (json_is_object(node))
			node = json_object_get(node, key);
		else if (json_is_array(node) && isdigit((unsigned char)key[0]))
			node = json_array_get(node, strtoul(key, NULL, 10));
		else
			node = NULL;
		p += n;
		if (*p == '.')
			p++;
	}
	return node;
}

void
aiops_conf_set(struct aiops_conf *cfg, const char *path, json_t *value, const char *origin)
{
	char *copy = xstrdup(path), *s, **parts;
	json_t *o = json_string(origin);
	size_t n = 2;

	for (s = copy; *s != '\0'; s++)
		n += *s == '.';
	parts = xcalloc(n, sizeof(*parts));
	n = 0;
	parts[n++] = copy;
	while ((s = strchr(parts[n - 1], '.')) != NULL) {
		*s = '\0';
		parts[n++] = s + 1;
	}
	set_path(cfg, parts, value, o);
	json_decref(o);
	free(parts);
	free(copy);
}

int
aiops_conf_line(const struct aiops_conf *cfg, const char *path)
{
	json_t *w = json_object_get(cfg->where, path);

	return json_is_integer(w) ? (int)json_integer_value(w) : 0;
}

const char *
aiops_conf_where(const struct aiops_conf *cfg, const char *path, char *buf, size_t len)
{
	char *p = xstrdup(path), *dot;
	const char *file = cfg->file ? cfg->file : "(defaults)";

	for (;;) {
		json_t *w = json_object_get(cfg->where, p);

		if (json_is_integer(w)) {
			snprintf(buf, len, "%s:%lld", file, (long long)json_integer_value(w));
			break;
		}
		if (json_is_string(w)) {
			snprintf(buf, len, "%s", json_string_value(w));
			break;
		}
		if ((dot = strrchr(p, '.')) == NULL) {
			snprintf(buf, len, "%s", file);
			break;
		}
		*dot = '\0';
	}
	free(p);
	return buf;
}

const char *
aiops_conf_string(const struct aiops_conf *cfg, const char *path, const char *def)
{
	json_t *v = aiops_conf_get(cfg, path);

	return json_is_string(v) ? json_string_value(v) : def;
}

int
aiops_conf_bool(const struct aiops_conf *cfg, const char *path, int def)
{
	json_t *v = aiops_conf_get(cfg, path);

	return json_is_boolean(v) ? json_is_true(v) : def;
}

long long
aiops_conf_int(const struct aiops_conf *cfg, const char *path, long long def)
{
	json_t *v = aiops_conf_get(cfg, path);

	return json_is_integer(v) ? (long long)json_integer_value(v) : def;
}

double
aiops_conf_number(const struct aiops_conf *cfg, const char *path, double def)
{
	json_t *v = aiops_conf_get(cfg, path);

	return json_is_number(v) ? json_number_value(v) : def;
}

int64_t
aiops_conf_duration(const struct aiops_conf *cfg, const char *path, int64_t def)
{
	json_t *v = aiops_conf_get(cfg, path);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : def;
}

const char *
aiops_conf_state_group(const struct aiops_conf *cfg)
{
	return aiops_conf_string(cfg, "state.group", NULL);
}
