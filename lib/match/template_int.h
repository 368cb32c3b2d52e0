/*
 * template_int.h: what the parts of lib/match/template*.c share: the parse
 * tree (text/template/parse's nodes, cut to the subset of template.h), the
 * values an evaluation passes around, and the builtin function table.
 * Not for callers outside lib/match/template*.c.
 */
#ifndef AIOPS_MATCH_TEMPLATE_INT_H
#define AIOPS_MATCH_TEMPLATE_INT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "match/template.h"

/* ---- parse tree: all of it lives in one arena per aiops_tpl_add() ---- */

struct tpl_arena;

enum arg_kind {
	A_DOT,		/* . */
	A_FIELD,	/* .a.b: fields of dot */
	A_VAR,		/* $x, $x.a.b */
	A_PIPE,		/* (pipeline), (pipeline).a.b */
	A_FUNC,		/* a function name */
	A_STRING,
	A_INT,
	A_FLOAT,
	A_BOOL,
	A_NIL,
};

struct tpl_pipe;

struct tpl_arg {
	enum arg_kind	 kind;
	int		 line, col;
	const char	*name;		/* A_VAR "$x", A_FUNC name */
	const char	*str;		/* A_STRING bytes */
	size_t		 len;
	long long	 i;		/* A_INT, A_BOOL */
	double		 f;		/* A_FLOAT */
	struct tpl_pipe	*pipe;		/* A_PIPE */
	const char	**fields;	/* the chain after the operand */
	size_t		 nfields;
	const struct tpl_func *fn;	/* A_FUNC, resolved at parse */
};

struct tpl_cmd {
	struct tpl_arg	**args;
	size_t		 nargs;
	int		 line, col;
	const char	*src;		/* the command's text, for errors */
	size_t		 srclen;
};

enum { DECL_NONE, DECL_DEFINE, DECL_ASSIGN };

struct tpl_pipe {
	int		 decl;		/* DECL_* */
	const char	*vars[2];
	int		 nvars;
	struct tpl_cmd	**cmds;
	size_t		 ncmds;
	int		 line, col;
};

enum node_kind {
	N_TEXT, N_ACTION, N_IF, N_RANGE, N_WITH, N_TEMPLATE, N_BREAK, N_CONTINUE,
};

struct tpl_list;

struct tpl_node {
	enum node_kind	 kind;
	int		 line, col;
	const char	*text;		/* N_TEXT */
	size_t		 len;
	struct tpl_pipe	*pipe;		/* action, if, range, with, template (may be NULL) */
	struct tpl_list	*list;		/* if, range, with: the body */
	struct tpl_list	*elist;		/* the else branch, or NULL */
	const char	*tname;		/* N_TEMPLATE: the name called */
};

struct tpl_list {
	struct tpl_node	**v;
	size_t		 n, cap;
};

/* One named template of the set. */
struct tpl_def {
	char		*name;
	struct tpl_list	*body;
};

struct aiops_tpl {
	struct tpl_def	*defs;
	size_t		 ndefs, capdefs;
	struct tpl_arena **arenas;	/* one per successful aiops_tpl_add */
	size_t		 narenas;
};

void *tpl_alloc(struct tpl_arena *a, size_t n);
struct tpl_arena *tpl_arena_new(void);
void tpl_arena_free(struct tpl_arena *a);

/* Parses into arena a; calls def(ctx, name, body) for the body (name) and each define. */
typedef void tpl_def_cb(void *ctx, const char *name, struct tpl_list *body, int empty);
int tpl_parse(struct tpl_arena *a, const char *name, const char *text, size_t len,
    tpl_def_cb *def, void *ctx, char *err, size_t errlen);

/* ---- values ---- */

enum val_kind {
	V_INVALID,	/* Go's invalid reflect.Value: a missing key; prints "<no value>" */
	V_NIL,		/* untyped nil */
	V_JSON,		/* a json_t (owned reference) */
	V_TIME,		/* time.Time: ns since epoch, zone offset and name */
	V_DUR,		/* time.Duration in ns */
};

struct tpl_val {
	enum val_kind	 k;
	json_t		*j;
	int		 safe;		/* safeHtml's template.HTML: a string not HTML-escaped */
	int		 strslice;	/* stringSlice's []string */
	int64_t		 ns;
	int		 off;		/* seconds east of UTC */
	char		 zone[16];
};

/* Evaluation state: one per render, on its stack. */
struct tpl_exec;

/* Fills s's error at the command being run; returns -1. */
int tpl_fail(struct tpl_exec *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Counts one step; -1 (error set) when the budget is spent. */
int tpl_step(struct tpl_exec *s);
const struct aiops_tpl_env *tpl_env(struct tpl_exec *s);
int tpl_truth(const struct tpl_val *v);

void tpl_val_free(struct tpl_val *v);
struct tpl_val tpl_val_json(json_t *j);	/* takes the reference */
struct tpl_val tpl_val_str(const char *s, size_t n);
struct tpl_val tpl_val_copy(const struct tpl_val *v);

/* Go's type name of v as fmt's %T (string, int, float64, []interface {}...). */
const char *tpl_typename(const struct tpl_val *v);
/* fmt.Fprint(v): how Go prints one value (V_INVALID as "<nil>" here). */
void tpl_print_val(struct aiops_buf *b, const struct tpl_val *v);
/* fmt.Sprint / Sprintln over argv (Go's spacing rules); printf. */
void tpl_sprint(struct aiops_buf *b, const struct tpl_val *argv, size_t argc, int ln);
/* Stops formatting once it wrote more than limit bytes (the caller fails then). */
void tpl_sprintf(struct aiops_buf *b, const char *fmt, size_t flen,
    const struct tpl_val *argv, size_t argc, size_t limit);
/* Go's strconv.FormatFloat(f, 'g', -1, 64) with fmt's %v exponent rule. */
void tpl_fmt_float(struct aiops_buf *b, double f, int verb, int prec);
/* Go's time.Duration.String(), Time.Format(layout). */
void tpl_fmt_duration(struct aiops_buf *b, int64_t ns);
void tpl_fmt_time(struct aiops_buf *b, const struct tpl_val *t, const char *layout, size_t n);
/* Offset and abbreviation of IANA zone name at unix second sec; -1 unknown zone. */
int tpl_zone_at(const char *name, int64_t sec, int *off, char *abbr, size_t abbrlen);

/* ---- functions ---- */

enum { FN_AND = 1, FN_OR };

/* A builtin: argc arguments already evaluated (and/or excepted, see exec). */
typedef int tpl_fn(struct tpl_exec *s, struct tpl_val *argv, size_t argc, struct tpl_val *res);

struct tpl_func {
	const char	*name;
	tpl_fn		*fn;
	int		 special;	/* FN_AND, FN_OR: short-circuit, evaluated by exec */
};

const struct tpl_func *tpl_func_lookup(const char *name, size_t n);

#endif
