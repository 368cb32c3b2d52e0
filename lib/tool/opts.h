/*
 * opts.h: a program's options as one table, from which getopt_long(3)'s
 * struct option array, its optstring and the --help lines are all made, so
 * that what a program accepts and what its --help says cannot drift apart.
 */
#ifndef AIOPS_OPTS_H
#define AIOPS_OPTS_H

#include <getopt.h>
#include <stdio.h>

struct aiops_opt {
	const char	*name;	/* long name, without "--" */
	int		 val;	/* its short letter, or an id (at least 0x100) when
				 * it has none: what getopt_long returns */
	const char	*arg;	/* the argument's name in --help, NULL for none */
	const char	*help;	/* --help text; a '\n' starts a continuation line */
};

#define AIOPS_OPT_END	{ NULL, 0, NULL, NULL }

/* getopt_long's view of a list of tables; made by aiops_opts_init(). */
struct aiops_opts {
	struct option	*longopts;	/* ended by a zeroed entry */
	char		*shortopts;	/* the letters, ':' after one taking an argument */
};

/*
 * Builds the getopt_long tables of tables: a NULL-terminated list of
 * option tables, each ended by AIOPS_OPT_END. Release with
 * aiops_opts_release().
 */
void aiops_opts_init(struct aiops_opts *o, const struct aiops_opt *const *tables);
void aiops_opts_release(struct aiops_opts *o);
/*
 * Writes a line per option of tables (continuations indented), in table
 * order: "  -f, --format FMT        input format...".
 */
void aiops_opts_help(FILE *fp, const struct aiops_opt *const *tables);

#endif
