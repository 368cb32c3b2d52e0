#include "compat.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool/opts.h"
#include "tap.h"

enum { OPT_FOLLOW = 0x1100, OPT_POLL, OPT_A_VERY_LONG_ONE };

static const struct aiops_opt prog[] = {
	{ "format", 'f', "FMT", "input format: auto (default),\ninflux, text" },
	{ "follow", OPT_FOLLOW, NULL, "keep reading files as they grow" },
	{ "poll", OPT_POLL, "MS", "how often to look" },
	{ "log-format", OPT_A_VERY_LONG_ONE, "plain|json", "format of diagnostics" },
	AIOPS_OPT_END
};

static const struct aiops_opt common[] = {
	{ "help", 'h', NULL, "show this help and exit" },
	{ "verbose", 'v', NULL, "more diagnostics" },
	AIOPS_OPT_END
};

static char *
help_text(const struct aiops_opt *const *tables)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	aiops_opts_help(fp, tables);
	fclose(fp);
	return text;
}

static void
test_getopt_tables(void)
{
	const struct aiops_opt *tables[] = { prog, common, NULL };
	struct aiops_opts o;
	size_t i;

	aiops_opts_init(&o, tables);
	is_str(o.shortopts, "f:hv", "optstring: the letters, ':' for an argument");
	for (i = 0; o.longopts[i].name != NULL; i++)
		;
	is_int(i, 6, "a struct option per entry of every table");
	is_str(o.longopts[0].name, "format", "in table order");
	ok(o.longopts[0].has_arg == required_argument && o.longopts[0].val == 'f',
	    "an option with a letter returns it");
	ok(o.longopts[1].has_arg == no_argument && o.longopts[1].val == OPT_FOLLOW,
	    "one without returns its id");
	ok(o.longopts[6].flag == NULL && o.longopts[6].val == 0, "ended by a zeroed entry");
	aiops_opts_release(&o);
}

static void
test_help(void)
{
	const struct aiops_opt *tables[] = { prog, common, NULL };
	const struct aiops_opt *const *t;
	const struct aiops_opt *opt;
	char *text = help_text(tables);

	is_str(text,
	    "  -f, --format FMT        input format: auto (default),\n"
	    "                          influx, text\n"
	    "      --follow            keep reading files as they grow\n"
	    "      --poll MS           how often to look\n"
	    "      --log-format plain|json  format of diagnostics\n"
	    "  -h, --help              show this help and exit\n"
	    "  -v, --verbose           more diagnostics\n",
	    "help: a line per option, text at column 26");
	for (t = tables; *t != NULL; t++) {
		for (opt = *t; opt->name != NULL; opt++) {
			char want[64];

			snprintf(want, sizeof(want), "--%s%s%s", opt->name,
			    opt->arg ? " " : "", opt->arg ? opt->arg : "");
			ok(strstr(text, want) != NULL, "--help shows %s", want);
		}
	}
	free(text);
}

int
main(void)
{
	test_getopt_tables();
	test_help();
	return tap_done();
}
