#include "compat.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "tool/opts.h"

/* --help puts the help text of every option at this column. */
#define HELP_COLUMN	26

static int
has_letter(const struct aiops_opt *opt)
{
	return opt->val > 0 && opt->val < 0x100;
}

void
aiops_opts_init(struct aiops_opts *o, const struct aiops_opt *const *tables)
{
	const struct aiops_opt *const *t;
	const struct aiops_opt *opt;
	size_t n = 0, i = 0, j = 0;

	for (t = tables; *t != NULL; t++)
		for (opt = *t; opt->name != NULL; opt++)
			n++;
	o->longopts = xcalloc(n + 1, sizeof(*o->longopts));
	o->shortopts = xcalloc(2 * n + 1, 1);
	for (t = tables; *t != NULL; t++) {
		for (opt = *t; opt->name != NULL; opt++) {
			o->longopts[i].name = opt->name;
			o->longopts[i].has_arg = opt->arg ? required_argument : no_argument;
			o->longopts[i].flag = NULL;
			o->longopts[i].val = opt->val;
			i++;
			if (!has_letter(opt))
				continue;
			o->shortopts[j++] = (char)opt->val;
			if (opt->arg != NULL)
				o->shortopts[j++] = ':';
		}
	}
}

void
aiops_opts_release(struct aiops_opts *o)
{
	free(o->longopts);
	free(o->shortopts);
	o->longopts = NULL;
	o->shortopts = NULL;
}

static void
help_line(FILE *fp, const struct aiops_opt *opt)
{
	const char *p = opt->help;
	int n;

	if (has_letter(opt))
		n = fprintf(fp, "  -%c, --%s", opt->val, opt->name);
	else
		n = fprintf(fp, "      --%s", opt->name);
	if (opt->arg != NULL)
		n += fprintf(fp, " %s", opt->arg);
	/* A long left part keeps two spaces before its text. */
	fprintf(fp, "%*s", n < HELP_COLUMN - 2 ? HELP_COLUMN - n : 2, "");
	for (;;) {
		size_t len = strcspn(p, "\n");

		fprintf(fp, "%.*s\n", (int)len, p);
		if (p[len] == '\0')
			break;
		p += len + 1;
		fprintf(fp, "%*s", HELP_COLUMN, "");
	}
}

void
aiops_opts_help(FILE *fp, const struct aiops_opt *const *tables)
{
	const struct aiops_opt *const *t;
	const struct aiops_opt *opt;

	for (t = tables; *t != NULL; t++)
		for (opt = *t; opt->name != NULL; opt++)
			help_line(fp, opt);
}
