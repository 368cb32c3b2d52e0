/*
 * template.c: the set of named templates and their evaluation, after Go's
 * text/template/exec.go: walk the tree, evaluate pipelines left to right
 * with the previous value as the last argument, print what an action
 * yields through the sink's escaper. Errors unwind by return code; every
 * action, loop turn and call is a step of a bounded budget.
 */
#include "compat.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/xmalloc.h"
#include "json/jw.h"
#include "match/template.h"
#include "match/template_int.h"

/* ---- the set ---- */

struct aiops_tpl *
aiops_tpl_new(void)
{
	return xcalloc(1, sizeof(struct aiops_tpl));
}

void
aiops_tpl_free(struct aiops_tpl *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->ndefs; i++)
		free(t->defs[i].name);
	free(t->defs);
	for (i = 0; i < t->narenas; i++)
		tpl_arena_free(t->arenas[i]);
	free(t->arenas);
	free(t);
}

static struct tpl_def *
find_def(const struct aiops_tpl *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->ndefs; i++)
		if (strcmp(t->defs[i].name, name) == 0)
			return &t->defs[i];
	return NULL;
}

int
aiops_tpl_has(const struct aiops_tpl *t, const char *name)
{
	return find_def(t, name) != NULL;
}

/* Definitions of one add, applied to the set only when the whole text parsed. */
struct pending {
	struct {
		const char	*name;
		struct tpl_list	*body;
		int		 empty;
	}		*v;
	size_t		 n, cap;
};

static void
collect_def(void *ctx, const char *name, struct tpl_list *body, int empty)
{
	struct pending *pd = ctx;

	if (pd->n == pd->cap) {
		pd->cap = pd->cap ? 2 * pd->cap : 8;
		pd->v = xreallocarray(pd->v, pd->cap, sizeof(*pd->v));
	}
	pd->v[pd->n].name = name;
	pd->v[pd->n].body = body;
	pd->v[pd->n].empty = empty;
	pd->n++;
}

int
aiops_tpl_add(struct aiops_tpl *t, const char *name, const char *text, size_t len,
    char *err, size_t errlen)
{
	struct tpl_arena *a = tpl_arena_new();
	struct pending pd = { NULL, 0, 0 };
	size_t i;

	if (errlen > 0)
		err[0] = '\0';
	if (tpl_parse(a, name, text, len, collect_def, &pd, err, errlen) < 0) {
		free(pd.v);
		tpl_arena_free(a);
		return -1;
	}
	for (i = 0; i < pd.n; i++) {
		struct tpl_def *d = find_def(t, pd.v[i].name);

		if (d != NULL) {
			/* Go: an empty body does not replace a template (template.go AddParseTree) */
			if (!pd.v[i].empty)
				d->body = pd.v[i].body;
			continue;
		}
		if (t->ndefs == t->capdefs) {
			t->capdefs = t->capdefs ? 2 * t->capdefs : 8;
			t->defs = xreallocarray(t->defs, t->capdefs, sizeof(*t->defs));
		}
		t->defs[t->ndefs].name = xstrdup(pd.v[i].name);
		t->defs[t->ndefs].body = pd.v[i].body;
		t->ndefs++;
	}
	free(pd.v);
	t->arenas = xreallocarray(t->arenas, t->narenas + 1, sizeof(*t->arenas));
	t->arenas[t->narenas++] = a;
	return 0;
}

/* ---- escapers ---- */

static void
escape_html(const char *s, size_t n, struct aiops_buf *out)
{
	size_t i, last = 0;

	for (i = 0; i < n; i++) {
		const char *rep;

		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&#34;"; break;
		case '\'': rep = "&#39;"; break;
		case '\0': rep = "\xef\xbf\xbd"; break;
		default: continue;
		}
		aiops_buf_add(out, s + last, i - last);
		aiops_buf_addstr(out, rep);
		last = i + 1;
	}
	aiops_buf_add(out, s + last, n - last);
}

static void
escape_slack(const char *s, size_t n, struct aiops_buf *out)
{
	size_t i, last = 0;

	for (i = 0; i < n; i++) {
		const char *rep;

		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		default: continue;
		}
		aiops_buf_add(out, s + last, i - last);
		aiops_buf_addstr(out, rep);
		last = i + 1;
	}
	aiops_buf_add(out, s + last, n - last);
}

void
aiops_tpl_escape(enum aiops_tpl_escape esc, const char *s, size_t n, struct aiops_buf *out)
{
	switch (esc) {
	case AIOPS_TPL_ESC_JSON:
		aiops_json_escape(out, s, n);
		break;
	case AIOPS_TPL_ESC_HTML:
		escape_html(s, n, out);
		break;
	case AIOPS_TPL_ESC_SLACK:
		escape_slack(s, n, out);
		break;
	default:
		aiops_buf_add(out, s, n);
		break;
	}
}

/* ---- values ---- */

struct tpl_val
tpl_val_json(json_t *j)
{
	struct tpl_val v;

	memset(&v, 0, sizeof(v));
	v.k = V_JSON;
	v.j = j;
	return v;
}

struct tpl_val
tpl_val_str(const char *s, size_t n)
{
	return tpl_val_json(json_stringn_nocheck(s, n));
}

struct tpl_val
tpl_val_copy(const struct tpl_val *v)
{
	struct tpl_val c = *v;

	if (c.j != NULL)
		json_incref(c.j);
	return c;
}

void
tpl_val_free(struct tpl_val *v)
{
	if (v->j != NULL)
		json_decref(v->j);
	memset(v, 0, sizeof(*v));
}

static struct tpl_val
val_invalid(void)
{
	struct tpl_val v;

	memset(&v, 0, sizeof(v));
	return v;
}

/* text/template isTrue: the truth of if, with, and, or, not. */
int
tpl_truth(const struct tpl_val *v)
{
	switch (v->k) {
	case V_INVALID:
	case V_NIL:
		return 0;
	case V_TIME:
		return 1;
	case V_DUR:
		return v->ns != 0;
	case V_JSON:
		break;
	}
	switch (json_typeof(v->j)) {
	case JSON_OBJECT: return json_object_size(v->j) > 0;
	case JSON_ARRAY: return json_array_size(v->j) > 0;
	case JSON_STRING: return json_string_length(v->j) > 0;
	case JSON_INTEGER: return json_integer_value(v->j) != 0;
	case JSON_REAL: return json_real_value(v->j) != 0;
	case JSON_TRUE: return 1;
	default: return 0;
	}
}

/* ---- evaluation state ---- */

struct var {
	const char	*name;
	struct tpl_val	 v;
};

enum flow { FLOW_NONE, FLOW_BREAK, FLOW_CONTINUE };

struct tpl_exec {
	const struct aiops_tpl	*t;
	const struct aiops_tpl_env *env;
	struct aiops_buf	*out;
	size_t			 out0;		/* out->len when the render began */
	size_t			 max_output;
	uint64_t		 steps, max_steps;
	int			 depth, max_depth;
	struct var		*vars;
	size_t			 nvars, capvars;
	size_t			 frame;		/* first variable of the running template */
	const char		*tname;
	const struct tpl_cmd	*cmd;		/* running, for errors */
	int			 line, col;
	enum flow		 flow;
	int			 failed;
	char			*err;
	size_t			 errlen;
};

const struct aiops_tpl_env *
tpl_env(struct tpl_exec *s)
{
	return s->env;
}

/* exec.go errorf: "template: NAME:LINE:COL: executing "NAME" at <cmd>: msg" */
int
tpl_fail(struct tpl_exec *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->failed)
		return -1;
	s->failed = 1;
	if (s->errlen == 0)
		return -1;
	if (s->cmd != NULL)
		n = snprintf(s->err, s->errlen, "template: %s:%d:%d: executing \"%s\" at <%.*s>: ",
		    s->tname, s->cmd->line, s->cmd->col, s->tname,
		    (int)(s->cmd->srclen > 60 ? 60 : s->cmd->srclen), s->cmd->src);
	else
		n = snprintf(s->err, s->errlen, "template: %s:%d:%d: executing \"%s\": ",
		    s->tname, s->line, s->col, s->tname);
	if (n < 0 || (size_t)n >= s->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(s->err + n, s->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

int
tpl_step(struct tpl_exec *s)
{
	if (++s->steps > s->max_steps)
		return tpl_fail(s, "evaluation exceeds %llu steps",
		    (unsigned long long)s->max_steps);
	return 0;
}

static void
push_var(struct tpl_exec *s, const char *name, struct tpl_val v)
{
	if (s->nvars == s->capvars) {
		s->capvars = s->capvars ? 2 * s->capvars : 16;
		s->vars = xreallocarray(s->vars, s->capvars, sizeof(*s->vars));
	}
	s->vars[s->nvars].name = name;
	s->vars[s->nvars].v = v;
	s->nvars++;
}

static void
pop_vars(struct tpl_exec *s, size_t mark)
{
	while (s->nvars > mark)
		tpl_val_free(&s->vars[--s->nvars].v);
}

static struct var *
find_var(struct tpl_exec *s, const char *name)
{
	size_t i;

	for (i = s->nvars; i > s->frame; i--)
		if (strcmp(s->vars[i - 1].name, name) == 0)
			return &s->vars[i - 1];
	return NULL;
}

/* ---- fields ---- */

static int
str_is(const json_t *j, const char *s)
{
	return json_is_string(j) && strcmp(json_string_value(j), s) == 0;
}

/* Alertmanager's Alerts.Firing / Alerts.Resolved over a JSON array. */
static json_t *
alerts_with_status(json_t *arr, const char *status)
{
	json_t *res = json_array(), *e;
	size_t i;

	json_array_foreach(arr, i, e)
		if (json_is_object(e) && str_is(json_object_get(e, "Status"), status))
			json_array_append(res, e);
	return res;
}

static int
cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Keys of obj, sorted bytewise as Go sorts map[string] keys; caller frees the array. */
static const char **
sorted_keys(json_t *obj, size_t *n)
{
	const char **keys, *k;
	json_t *v;
	size_t i = 0;

	*n = json_object_size(obj);
	keys = xcalloc(*n + 1, sizeof(*keys));
	json_object_foreach(obj, k, v)
		keys[i++] = k;
	qsort(keys, *n, sizeof(*keys), cmp_keys);
	return keys;
}

/* Alertmanager's KV.SortedPairs, KV.Names, KV.Values over a JSON object. */
static json_t *
kv_method(json_t *obj, const char *m)
{
	size_t n, i;
	const char **keys = sorted_keys(obj, &n);
	json_t *res = json_array();

	for (i = 0; i < n; i++) {
		json_t *v = json_object_get(obj, keys[i]);

		if (strcmp(m, "Names") == 0) {
			json_array_append_new(res, json_string(keys[i]));
		} else if (strcmp(m, "Values") == 0) {
			json_array_append(res, v);
		} else {
			json_t *pair = json_object();

			json_object_set_new(pair, "Name", json_string(keys[i]));
			json_object_set(pair, "Value", v);
			json_array_append_new(res, pair);
		}
	}
	free(keys);
	return res;
}

static int
is_method(const char *name, const char *const *names)
{
	for (; *names != NULL; names++)
		if (strcmp(name, *names) == 0)
			return 1;
	return 0;
}

static const char *const kv_methods[] = { "SortedPairs", "Names", "Values", "Remove", NULL };
static const char *const alerts_methods[] = { "Firing", "Resolved", NULL };
static const char *const pairs_methods[] = { "Names", "Values", NULL };

/* Alertmanager's KV.Remove(keys []string): a copy without those keys. */
static int
kv_remove(struct tpl_exec *s, json_t *obj, const struct tpl_val *keys, struct tpl_val *res)
{
	json_t *copy = json_copy(obj), *k;
	size_t i;

	if (keys->k == V_JSON && json_is_array(keys->j)) {
		json_array_foreach(keys->j, i, k) {
			if (!json_is_string(k))
				break;
			json_object_del(copy, json_string_value(k));
		}
		if (i == json_array_size(keys->j)) {
			*res = tpl_val_json(copy);
			return 0;
		}
	}
	json_decref(copy);
	return tpl_fail(s, "wrong type for value; expected []string; got %s", tpl_typename(keys));
}

/* Alertmanager's Pairs.Names / Pairs.Values over an array of {"Name","Value"}. */
static json_t *
pairs_method(json_t *arr, const char *m)
{
	json_t *res = json_array(), *e;
	size_t i;

	json_array_foreach(arr, i, e) {
		json_t *v = json_is_object(e) ?
		    json_object_get(e, strcmp(m, "Names") == 0 ? "Name" : "Value") : NULL;

		json_array_append(res, v != NULL ? v : json_null());
	}
	return res;
}

static int
method_args(struct tpl_exec *s, const char *name, size_t argc, size_t want)
{
	if (argc != want)
		return tpl_fail(s, "wrong number of args for %s: want %zu got %zu", name, want, argc);
	return 0;
}

/*
 * exec.go evalField: one field of recv. argv holds the arguments when the
 * field is the last of a command that has some (has_args): only the
 * Alertmanager methods take them.
 */
static int
eval_field(struct tpl_exec *s, const struct tpl_val *recv, const char *name, int has_args,
    const struct tpl_val *argv, size_t argc, struct tpl_val *res)
{
	json_t *j;

	*res = val_invalid();
	if (!has_args)
		argc = 0;
	switch (recv->k) {
	case V_INVALID:
	case V_NIL:
		return 0;	/* Go: a field of nothing is nothing */
	case V_TIME:
		return tpl_fail(s, "can't evaluate field %s in type time.Time", name);
	case V_DUR:
		return tpl_fail(s, "can't evaluate field %s in type time.Duration", name);
	case V_JSON:
		break;
	}
	j = recv->j;
	if (json_is_object(j)) {
		json_t *v = json_object_get(j, name);

		if (v == NULL && is_method(name, kv_methods)) {
			if (strcmp(name, "Remove") == 0)
				return method_args(s, name, argc, 1) < 0 ? -1 :
				    kv_remove(s, j, &argv[0], res);
			if (method_args(s, name, argc, 0) < 0)
				return -1;
			*res = tpl_val_json(kv_method(j, name));
			return 0;
		}
		if (has_args)
			return tpl_fail(s, "%s is not a method but has arguments", name);
		if (v != NULL)
			*res = tpl_val_json(json_incref(v));
		return 0;
	}
	if (json_is_array(j) && is_method(name, alerts_methods)) {
		if (method_args(s, name, argc, 0) < 0)
			return -1;
		*res = tpl_val_json(alerts_with_status(j, strcmp(name, "Firing") == 0 ?
		    "firing" : "resolved"));
		return 0;
	}
	if (json_is_array(j) && is_method(name, pairs_methods)) {
		if (method_args(s, name, argc, 0) < 0)
			return -1;
		*res = tpl_val_json(pairs_method(j, name));
		return 0;
	}
	if (json_is_null(j))
		return tpl_fail(s, "nil pointer evaluating interface {}.%s", name);
	return tpl_fail(s, "can't evaluate field %s in type %s", name, tpl_typename(recv));
}

/* Follows a chain of fields from v (consumed); the last may carry arguments. */
static int
eval_chain_args(struct tpl_exec *s, struct tpl_val v, const char *const *fields, size_t n,
    int has_args, const struct tpl_val *argv, size_t argc, struct tpl_val *res)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct tpl_val next;
		int rc = eval_field(s, &v, fields[i], has_args && i + 1 == n, argv, argc, &next);

		tpl_val_free(&v);
		if (rc < 0)
			return -1;
		v = next;
	}
	*res = v;
	return 0;
}

static int
eval_chain(struct tpl_exec *s, struct tpl_val v, const char *const *fields, size_t n,
    int has_args, struct tpl_val *res)
{
	return eval_chain_args(s, v, fields, n, has_args, NULL, 0, res);
}

/* ---- pipelines ---- */

static int eval_pipeline(struct tpl_exec *s, const struct tpl_val *dot,
    const struct tpl_pipe *p, struct tpl_val *res);
static int call_func(struct tpl_exec *s, const struct tpl_val *dot, const struct tpl_arg *fn,
    struct tpl_arg *const *args, size_t nargs, const struct tpl_val *final, struct tpl_val *res);

/* exec.go evalArg, for our untyped functions: any operand to a value. */
static int
eval_arg(struct tpl_exec *s, const struct tpl_val *dot, const struct tpl_arg *a,
    struct tpl_val *res)
{
	struct tpl_val base;
	struct var *var;

	*res = val_invalid();
	switch (a->kind) {
	case A_DOT:
		*res = tpl_val_copy(dot);
		return 0;
	case A_NIL:
		res->k = V_NIL;
		return 0;
	case A_STRING:
		*res = tpl_val_str(a->str, a->len);
		return 0;
	case A_INT:
		*res = tpl_val_json(json_integer(a->i));
		return 0;
	case A_FLOAT:
		*res = tpl_val_json(json_real(a->f));
		return 0;
	case A_BOOL:
		*res = tpl_val_json(json_boolean(a->i));
		return 0;
	case A_FIELD:
		return eval_chain(s, tpl_val_copy(dot), a->fields, a->nfields, 0, res);
	case A_VAR:
		var = find_var(s, a->name);
		if (var == NULL)
			return tpl_fail(s, "undefined variable: %s", a->name);
		return eval_chain(s, tpl_val_copy(&var->v), a->fields, a->nfields, 0, res);
	case A_PIPE:
		if (eval_pipeline(s, dot, a->pipe, &base) < 0)
			return -1;
		return eval_chain(s, base, a->fields, a->nfields, 0, res);
	case A_FUNC:
		if (call_func(s, dot, a, NULL, 0, NULL, &base) < 0)
			return -1;
		return eval_chain(s, base, a->fields, a->nfields, 0, res);
	}
	return tpl_fail(s, "can't handle argument");
}

static int
eval_args(struct tpl_exec *s, const struct tpl_val *dot, struct tpl_arg *const *args,
    size_t nargs, const struct tpl_val *final, struct tpl_val **argv, size_t *argc)
{
	size_t i, n = nargs + (final != NULL ? 1 : 0);

	*argv = xcalloc(n + 1, sizeof(**argv));
	*argc = 0;
	for (i = 0; i < nargs; i++) {
		if (eval_arg(s, dot, args[i], &(*argv)[i]) < 0)
			return -1;
		*argc = i + 1;
	}
	if (final != NULL)
		(*argv)[(*argc)++] = tpl_val_copy(final);
	return 0;
}

static void
free_args(struct tpl_val *argv, size_t argc)
{
	size_t i;

	for (i = 0; i < argc; i++)
		tpl_val_free(&argv[i]);
	free(argv);
}

/* and / or: evaluate left to right, stop at the first false / true one. */
static int
call_andor(struct tpl_exec *s, const struct tpl_val *dot, int is_or,
    struct tpl_arg *const *args, size_t nargs, const struct tpl_val *final, struct tpl_val *res)
{
	size_t i;

	if (nargs + (final != NULL) < 1)
		return tpl_fail(s, "wrong number of args for %s: want at least 1 got 0",
		    is_or ? "or" : "and");
	*res = val_invalid();
	for (i = 0; i < nargs; i++) {
		tpl_val_free(res);
		if (eval_arg(s, dot, args[i], res) < 0)
			return -1;
		if (tpl_truth(res) == is_or)
			return 0;
	}
	if (final != NULL) {
		tpl_val_free(res);
		*res = tpl_val_copy(final);
	}
	return 0;
}

static int
call_func(struct tpl_exec *s, const struct tpl_val *dot, const struct tpl_arg *fn,
    struct tpl_arg *const *args, size_t nargs, const struct tpl_val *final, struct tpl_val *res)
{
	struct tpl_val *argv;
	size_t argc;
	int rc;

	*res = val_invalid();
	if (tpl_step(s) < 0)
		return -1;
	if (fn->fn->special)
		return call_andor(s, dot, fn->fn->special == FN_OR, args, nargs, final, res);
	if (eval_args(s, dot, args, nargs, final, &argv, &argc) < 0) {
		free_args(argv, argc);
		return -1;
	}
	rc = fn->fn->fn(s, argv, argc, res);
	free_args(argv, argc);
	if (rc < 0) {
		tpl_val_free(res);
		return -1;
	}
	if (res->k == V_JSON && json_is_string(res->j) &&
	    json_string_length(res->j) > s->max_output) {
		tpl_val_free(res);
		return tpl_fail(s, "value exceeds the output limit of %zu bytes", s->max_output);
	}
	return 0;
}

static int eval_args(struct tpl_exec *s, const struct tpl_val *dot, struct tpl_arg *const *args,
    size_t nargs, const struct tpl_val *final, struct tpl_val **argv, size_t *argc);
static void free_args(struct tpl_val *argv, size_t argc);

/* A chain whose last field is called with the command's other arguments. */
static int
eval_method(struct tpl_exec *s, const struct tpl_val *dot, const struct tpl_cmd *c,
    const struct tpl_val *final, struct tpl_val base, const char *const *fields, size_t n,
    struct tpl_val *res)
{
	struct tpl_val *argv;
	size_t argc;
	int rc;

	if (c->nargs <= 1 && final == NULL)
		return eval_chain(s, base, fields, n, 0, res);
	if (eval_args(s, dot, c->args + 1, c->nargs - 1, final, &argv, &argc) < 0) {
		free_args(argv, argc);
		tpl_val_free(&base);
		return -1;
	}
	s->cmd = c;
	rc = eval_chain_args(s, base, fields, n, 1, argv, argc, res);
	free_args(argv, argc);
	return rc;
}

/* exec.go evalCommand: final is the previous command's value, or NULL. */
static int
eval_command(struct tpl_exec *s, const struct tpl_val *dot, const struct tpl_cmd *c,
    const struct tpl_val *final, struct tpl_val *res)
{
	const struct tpl_arg *first = c->args[0];
	int has_args = c->nargs > 1 || final != NULL;
	struct tpl_val base;
	struct var *var;

	s->cmd = c;
	*res = val_invalid();
	switch (first->kind) {
	case A_FUNC:
		if (first->nfields > 0) {
			/* a chain on a function: called without arguments, then the fields */
			if (call_func(s, dot, first, NULL, 0, NULL, &base) < 0)
				return -1;
			s->cmd = c;
			return eval_method(s, dot, c, final, base, first->fields, first->nfields, res);
		}
		return call_func(s, dot, first, c->args + 1, c->nargs - 1, final, res);
	case A_FIELD:
		return eval_method(s, dot, c, final, tpl_val_copy(dot), first->fields,
		    first->nfields, res);
	case A_VAR:
		var = find_var(s, first->name);
		if (var == NULL)
			return tpl_fail(s, "undefined variable: %s", first->name);
		if (first->nfields == 0 && has_args)
			return tpl_fail(s, "can't give argument to non-function %s", first->name);
		return eval_method(s, dot, c, final, tpl_val_copy(&var->v), first->fields,
		    first->nfields, res);
	case A_PIPE:
		if (first->nfields == 0 && has_args)
			return tpl_fail(s, "can't give argument to non-function (pipeline)");
		if (eval_pipeline(s, dot, first->pipe, &base) < 0)
			return -1;
		s->cmd = c;
		return eval_method(s, dot, c, final, base, first->fields, first->nfields, res);
	case A_NIL:
		return tpl_fail(s, "nil is not a command");
	default:
		if (has_args)
			return tpl_fail(s, "can't give argument to non-function %.*s",
			    (int)(c->srclen > 40 ? 40 : c->srclen), c->src);
		return eval_arg(s, dot, first, res);
	}
}

/* exec.go evalPipeline, with its declarations and assignments. */
static int
eval_pipeline(struct tpl_exec *s, const struct tpl_val *dot, const struct tpl_pipe *p,
    struct tpl_val *res)
{
	struct tpl_val v = val_invalid(), next;
	size_t i;
	int k;

	*res = val_invalid();
	for (i = 0; i < p->ncmds; i++) {
		int rc = eval_command(s, dot, p->cmds[i], i > 0 ? &v : NULL, &next);

		tpl_val_free(&v);
		if (rc < 0) {
			tpl_val_free(&next);
			return -1;
		}
		v = next;
		/* Go digs a nil interface{} down to the invalid value: null is "<no value>" */
		if (v.k == V_NIL || (v.k == V_JSON && json_is_null(v.j)))
			tpl_val_free(&v);
	}
	for (k = 0; k < p->nvars; k++) {
		if (p->decl == DECL_ASSIGN) {
			struct var *var = find_var(s, p->vars[k]);

			if (var == NULL) {
				tpl_val_free(&v);
				return tpl_fail(s, "undefined variable: %s", p->vars[k]);
			}
			tpl_val_free(&var->v);
			var->v = tpl_val_copy(&v);
		} else {
			push_var(s, p->vars[k], tpl_val_copy(&v));
		}
	}
	*res = v;
	return 0;
}

/* ---- printing ---- */

static int
emit(struct tpl_exec *s, const char *p, size_t n, int escape, int safe)
{
	size_t room = s->max_output - (s->out->len - s->out0);

	if (s->out->len - s->out0 > s->max_output || n > room)
		return tpl_fail(s, "output exceeds %zu bytes", s->max_output);
	if (!escape || (safe && s->env->escape == AIOPS_TPL_ESC_HTML))
		aiops_buf_add(s->out, p, n);
	else
		aiops_tpl_escape(s->env->escape, p, n, s->out);
	if (s->out->len - s->out0 > s->max_output)
		return tpl_fail(s, "output exceeds %zu bytes", s->max_output);
	return 0;
}

/* exec.go printValue: an action's value, through the escaper. */
static int
print_value(struct tpl_exec *s, const struct tpl_val *v)
{
	struct aiops_buf b = AIOPS_BUF_INIT;
	int rc;

	if (v->k == V_INVALID)
		aiops_buf_addstr(&b, "<no value>");
	else
		tpl_print_val(&b, v);
	rc = emit(s, b.data != NULL ? b.data : "", b.len, 1, v->safe);
	aiops_buf_release(&b);
	return rc;
}

/* ---- the walk ---- */

static int walk(struct tpl_exec *s, const struct tpl_val *dot, const struct tpl_list *l);

static int
walk_if_with(struct tpl_exec *s, const struct tpl_val *dot, const struct tpl_node *n)
{
	size_t mark = s->nvars;
	struct tpl_val v;
	int rc = 0;

	if (eval_pipeline(s, dot, n->pipe, &v) < 0)
		return -1;
	if (tpl_truth(&v))
		rc = walk(s, n->kind == N_WITH ? &v : dot, n->list);
	else if (n->elist != NULL)
		rc = walk(s, dot, n->elist);
	tpl_val_free(&v);
	pop_vars(s, mark);
	return rc;
}

/* One turn of a range: the variables take index and element, the body runs. */
static int
range_turn(struct tpl_exec *s, const struct tpl_node *n, size_t mark, const struct tpl_val *idx,
    const struct tpl_val *elem)
{
	size_t body = s->nvars;
	int rc;

	if (tpl_step(s) < 0)
		return -1;
	if (n->pipe->nvars > 0) {
		/* exec.go: the last declared variable is the element, the first the index */
		struct var *ve = &s->vars[mark + (size_t)n->pipe->nvars - 1];

		if (n->pipe->decl == DECL_ASSIGN)
			ve = find_var(s, n->pipe->vars[n->pipe->nvars - 1]);
		if (ve != NULL) {
			tpl_val_free(&ve->v);
			ve->v = tpl_val_copy(elem);
		}
		if (n->pipe->nvars > 1) {
			struct var *vi = &s->vars[mark];

			if (n->pipe->decl == DECL_ASSIGN)
				vi = find_var(s, n->pipe->vars[0]);
			if (vi != NULL) {
				tpl_val_free(&vi->v);
				vi->v = tpl_val_copy(idx);
			}
		}
	}
	rc = walk(s, elem, n->list);
	pop_vars(s, body);
	return rc;
}

static int
walk_range(struct tpl_exec *s, const struct tpl_val *dot, const struct tpl_node *n)
{
	size_t mark = s->nvars, count = 0, i, nk;
	struct tpl_val v, idx, elem;
	int rc = 0;

	if (eval_pipeline(s, dot, n->pipe, &v) < 0)
		return -1;
	if (v.k == V_JSON && json_is_array(v.j)) {
		for (i = 0; i < json_array_size(v.j) && rc == 0; i++, count++) {
			idx = tpl_val_json(json_integer((json_int_t)i));
			elem = tpl_val_json(json_incref(json_array_get(v.j, i)));
			rc = range_turn(s, n, mark, &idx, &elem);
			tpl_val_free(&idx);
			tpl_val_free(&elem);
			if (s->flow == FLOW_BREAK) {
				s->flow = FLOW_NONE;
				break;
			}
			s->flow = FLOW_NONE;
		}
	} else if (v.k == V_JSON && json_is_object(v.j)) {
		const char **keys = sorted_keys(v.j, &nk);

		for (i = 0; i < nk && rc == 0; i++, count++) {
			idx = tpl_val_str(keys[i], strlen(keys[i]));
			elem = tpl_val_json(json_incref(json_object_get(v.j, keys[i])));
			rc = range_turn(s, n, mark, &idx, &elem);
			tpl_val_free(&idx);
			tpl_val_free(&elem);
			if (s->flow == FLOW_BREAK) {
				s->flow = FLOW_NONE;
				break;
			}
			s->flow = FLOW_NONE;
		}
		free(keys);
	} else if (v.k != V_INVALID) {
		struct aiops_buf b = AIOPS_BUF_INIT;

		tpl_print_val(&b, &v);
		s->cmd = NULL;
		s->line = n->line;
		s->col = n->col;
		rc = tpl_fail(s, "range can't iterate over %.*s", (int)(b.len > 60 ? 60 : b.len),
		    b.data != NULL ? b.data : "");
		aiops_buf_release(&b);
	}
	if (rc == 0 && count == 0 && n->elist != NULL)
		rc = walk(s, dot, n->elist);
	tpl_val_free(&v);
	pop_vars(s, mark);
	return rc;
}

static int
walk_template(struct tpl_exec *s, const struct tpl_val *dot, const struct tpl_node *n)
{
	const struct tpl_def *d = find_def(s->t, n->tname);
	size_t frame = s->frame, mark = s->nvars;
	const char *tname = s->tname;
	struct tpl_val v;
	int rc;

	s->cmd = NULL;
	s->line = n->line;
	s->col = n->col;
	if (d == NULL)
		return tpl_fail(s, "template \"%s\" not defined", n->tname);
	if (s->depth >= s->max_depth)
		return tpl_fail(s, "exceeded maximum template depth (%d)", s->max_depth);
	if (n->pipe != NULL) {
		if (eval_pipeline(s, dot, n->pipe, &v) < 0)
			return -1;
	} else {
		v = val_invalid();
		v.k = V_NIL;
	}
	/* exec.go walkTemplate: a new scope where $ is the argument */
	pop_vars(s, mark);	/* the call's own declarations are not visible inside */
	s->frame = s->nvars;
	push_var(s, "$", tpl_val_copy(&v));
	s->depth++;
	s->tname = d->name;
	rc = walk(s, &v, d->body);
	s->tname = tname;
	s->depth--;
	pop_vars(s, s->frame);
	s->frame = frame;
	tpl_val_free(&v);
	return rc;
}

static int
walk(struct tpl_exec *s, const struct tpl_val *dot, const struct tpl_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct tpl_node *n = l->v[i];
		struct tpl_val v;
		int rc = 0;

		s->cmd = NULL;
		s->line = n->line;
		s->col = n->col;
		if (tpl_step(s) < 0)
			return -1;
		switch (n->kind) {
		case N_TEXT:
			rc = emit(s, n->text, n->len, 0, 0);
			break;
		case N_ACTION:
			if (eval_pipeline(s, dot, n->pipe, &v) < 0)
				return -1;
			if (n->pipe->nvars == 0)
				rc = print_value(s, &v);
			tpl_val_free(&v);
			break;
		case N_IF:
		case N_WITH:
			rc = walk_if_with(s, dot, n);
			break;
		case N_RANGE:
			rc = walk_range(s, dot, n);
			break;
		case N_TEMPLATE:
			rc = walk_template(s, dot, n);
			break;
		case N_BREAK:
			s->flow = FLOW_BREAK;
			return 0;
		case N_CONTINUE:
			s->flow = FLOW_CONTINUE;
			return 0;
		}
		if (rc < 0)
			return -1;
		if (s->flow != FLOW_NONE)
			return 0;
	}
	return 0;
}

int
aiops_tpl_render(const struct aiops_tpl *t, const char *name, json_t *data,
    const struct aiops_tpl_env *env, struct aiops_buf *out, char *err, size_t errlen)
{
	static const struct aiops_tpl_env defenv;
	const struct tpl_def *d = find_def(t, name);
	struct tpl_exec s;
	struct tpl_val dot;
	int rc;

	if (errlen > 0)
		err[0] = '\0';
	if (d == NULL) {
		snprintf(err, errlen, "template: no template \"%s\" associated with template set", name);
		return -1;
	}
	memset(&s, 0, sizeof(s));
	s.t = t;
	s.env = env != NULL ? env : &defenv;
	s.out = out;
	s.out0 = out->len;
	s.max_output = s.env->max_output ? s.env->max_output : AIOPS_TPL_MAX_OUTPUT;
	s.max_steps = s.env->max_steps ? s.env->max_steps : AIOPS_TPL_MAX_STEPS;
	s.max_depth = s.env->max_depth ? s.env->max_depth : AIOPS_TPL_MAX_DEPTH;
	s.tname = d->name;
	s.err = err;
	s.errlen = errlen;
	if (data != NULL) {
		dot = tpl_val_json(json_incref(data));
	} else {
		dot = val_invalid();
		dot.k = V_NIL;
	}
	push_var(&s, "$", tpl_val_copy(&dot));
	rc = walk(&s, &dot, d->body);
	pop_vars(&s, 0);
	free(s.vars);
	tpl_val_free(&dot);
	if (rc == 0 && s.env->escape == AIOPS_TPL_ESC_ARGV && out->len > s.out0 &&
	    memchr(out->data + s.out0, '\0', out->len - s.out0) != NULL) {
		snprintf(err, errlen, "template: %s: output has a NUL byte: not an argument", name);
		rc = -1;
	}
	return rc < 0 ? -1 : 0;
}
