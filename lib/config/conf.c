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
#include "core/timeutil.h"
#include "core/xmalloc.h"

extern char **environ;

#define MAX_CONFIG_BYTES	(16 * 1024 * 1024)
#define MAX_DEPTH		32

struct aiops_conf {
	char	*file;
	json_t	*root;
	json_t	*lines;		/* dotted path -> line number */
};

struct parser {
	yaml_parser_t	 yp;
	const char	*name;
	json_t		*lines;
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

/* A plain (unquoted) scalar that reads as a number or boolean becomes one. */
static json_t *
scalar(const yaml_event_t *ev)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	char *end;
	double d;

	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return json_stringn(s, n);
	if (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0)
		return json_true();
	if (strcmp(s, "false") == 0 || strcmp(s, "no") == 0)
		return json_false();
	if (n == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0)
		return json_null();
	errno = 0;
	d = strtod(s, &end);
	if (*end == '\0' && errno == 0 && (isdigit((unsigned char)s[0]) ||
	    ((s[0] == '-' || s[0] == '+' || s[0] == '.') && n > 1)))
		return json_real(d);
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
		json_object_set_new(p->lines, sub, json_integer((json_int_t)line + 1));
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

/* AIOPS__A__B=v sets a.b = v. */
static void
apply_env(struct aiops_conf *cfg)
{
	char **e;

	for (e = environ; *e != NULL; e++) {
		const char *eq = strchr(*e, '=');
		char *path, *s, *part;
		json_t *node = cfg->root;

		if (strncmp(*e, "AIOPS__", 7) != 0 || eq == NULL || eq == *e + 7)
			continue;
		path = xstrndup(*e + 7, (size_t)(eq - *e - 7));
		for (s = path; *s != '\0'; s++)
			*s = (char)tolower((unsigned char)*s);
		part = path;
		while ((s = strstr(part, "__")) != NULL) {
			json_t *child;

			*s = '\0';
			child = json_object_get(node, part);
			if (!json_is_object(child)) {
				child = json_object();
				json_object_set_new(node, part, child);
			}
			node = child;
			part = s + 2;
		}
		json_object_set_new(node, part, json_string(eq + 1));
		free(path);
	}
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
	p.lines = cfg->lines = json_object();
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
	apply_env(cfg);
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
		cfg = aiops_conf_parse("(defaults)", "", 0, err, errlen);
		free(cfg->file);
		cfg->file = NULL;
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
	json_decref(cfg->lines);
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

int
aiops_conf_line(const struct aiops_conf *cfg, const char *path)
{
	return (int)json_integer_value(json_object_get(cfg->lines, path));
}

const char *
aiops_conf_string(const struct aiops_conf *cfg, const char *path, const char *def)
{
	json_t *v = aiops_conf_get(cfg, path);

	return json_is_string(v) ? json_string_value(v) : def;
}

static int
bad_value(const struct aiops_conf *cfg, const char *path, const char *want,
    char *err, size_t errlen)
{
	snprintf(err, errlen, "%s:%d: %s: expected %s",
	    cfg->file ? cfg->file : "(environment)", aiops_conf_line(cfg, path), path, want);
	return -1;
}

int
aiops_conf_number(const struct aiops_conf *cfg, const char *path, double def,
    double *out, char *err, size_t errlen)
{
	json_t *v = aiops_conf_get(cfg, path);
	char *end;

	*out = def;
	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_number(v)) {
		*out = json_number_value(v);
		return 0;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);

		errno = 0;
		*out = strtod(s, &end);
		if (*s != '\0' && *end == '\0' && errno == 0)
			return 0;
	}
	*out = def;
	return bad_value(cfg, path, "a number", err, errlen);
}

int
aiops_conf_bool(const struct aiops_conf *cfg, const char *path, int def,
    int *out, char *err, size_t errlen)
{
	json_t *v = aiops_conf_get(cfg, path);
	const char *s;

	*out = def;
	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return 0;
	}
	s = json_string_value(v);
	if (s != NULL && (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0 || strcmp(s, "1") == 0)) {
		*out = 1;
		return 0;
	}
	if (s != NULL && (strcmp(s, "false") == 0 || strcmp(s, "no") == 0 || strcmp(s, "0") == 0)) {
		*out = 0;
		return 0;
	}
	return bad_value(cfg, path, "true or false", err, errlen);
}

int
aiops_conf_duration(const struct aiops_conf *cfg, const char *path, int64_t def,
    int64_t *out, char *err, size_t errlen)
{
	json_t *v = aiops_conf_get(cfg, path);

	*out = def;
	if (v == NULL || json_is_null(v))
		return 0;
	/* A bare number is seconds; int64 nanoseconds hold some 292 years. */
	if (json_is_number(v) && json_number_value(v) >= 0 && json_number_value(v) < 9.2e9) {
		*out = (int64_t)(json_number_value(v) * 1e9);
		return 0;
	}
	if (json_is_string(v) && aiops_duration_parse(json_string_value(v), out) == 0)
		return 0;
	*out = def;
	return bad_value(cfg, path, "a duration such as 30s, 5m, 2h, 7d", err, errlen);
}

/*
 * Do the parts of pattern and rel agree as far as both go ("*" matches any
 * one part)? Then rel is the pattern itself, one of its parents (which
 * must exist for it to), or a key below it (free-form contents).
 */
static int
path_agrees(const char *pattern, const char *rel)
{
	for (;;) {
		size_t pn = strcspn(pattern, "."), rn = strcspn(rel, ".");

		if (!(pn == 1 && pattern[0] == '*') &&
		    (pn != rn || strncmp(pattern, rel, pn) != 0))
			return 0;
		pattern += pn;
		rel += rn;
		if (*pattern == '\0' || *rel == '\0')
			return 1;
		pattern++;
		rel++;
	}
}

static int
allowed_key(const char *rel, const char *const *allowed)
{
	size_t i;

	for (i = 0; allowed[i] != NULL; i++)
		if (path_agrees(allowed[i], rel))
			return 1;
	return 0;
}

int
aiops_conf_check(const struct aiops_conf *cfg, const char *section,
    const char *const *allowed, char *err, size_t errlen)
{
	const char *path;
	json_t *line;
	size_t slen = strlen(section);

	json_object_foreach(cfg->lines, path, line) {
		const char *rel;

		if (strncmp(path, section, slen) != 0 || path[slen] != '.')
			continue;
		rel = path + slen + 1;
		if (!allowed_key(rel, allowed)) {
			snprintf(err, errlen, "%s:%d: unknown key '%s'",
			    cfg->file ? cfg->file : "(defaults)", (int)json_integer_value(line), path);
			return -1;
		}
	}
	return 0;
}
