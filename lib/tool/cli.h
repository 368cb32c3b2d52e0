/*
 * cli.h: the options every aiops program spells the same way, and the
 * start-up every filter needs (fds 0-2 open, SIGPIPE default, the checked
 * configuration, logging, clock). A program describes its own options in
 * a table (tool/opts.h), reads them with aiops_cli_getopt(), which handles
 * the common ones, and hands the settings that have a configuration key to
 * aiops_cli_set(), so that the command line wins over the environment and
 * the file, and both are checked the same way.
 */
#ifndef AIOPS_CLI_H
#define AIOPS_CLI_H

#include <jansson.h>
#include <stddef.h>

#include "core/clock.h"
#include "tool/opts.h"

enum {
	AIOPS_OPT_CONFIG = 0x1000,
	AIOPS_OPT_STATE,
	AIOPS_OPT_STRICT,
	AIOPS_OPT_MAX_LINE,
	AIOPS_OPT_LOG_FORMAT,
	AIOPS_OPT_CLOCK,
	AIOPS_OPT_PROGRAM_BASE = 0x1100,	/* programs number theirs from here */
};

struct aiops_conf;

struct aiops_cli {
	const char		*prog;
	const char		*section;	/* its configuration section: "ingest" */
	const char		*synopsis;	/* usage lines, without "usage: " */
	const struct aiops_opt	*opts;		/* the program's own options */
	struct aiops_opts	 getopt;	/* made from opts and the common ones */
	json_t			*set;		/* path -> [option, value] from argv */
	struct aiops_conf	*cfg;		/* checked, argv over it; after start */
	const char		*state_opt;	/* --state, or NULL */
	const char		*config_opt;	/* --config, or NULL */
	int			 strict;
	size_t			 max_line;
	int			 verbosity;	/* -1 quiet, 0, 1, 2... */
	int			 log_json;
	enum aiops_clock_mode	 clock;
};

/*
 * synopsis: the man page's SYNOPSIS, usage lines without "usage: ";
 * section: the program's configuration section; opts: its option table
 * (ended by AIOPS_OPT_END), shown first in --help.
 */
void aiops_cli_init(struct aiops_cli *cli, const char *prog, const char *section,
    const char *synopsis, const struct aiops_opt *opts);
/*
 * The next option of the program's own (getopt_long(3), optarg set), or
 * -1 at the end. Common options are handled here: --help and --version
 * exit 0; an unknown option or a bad value exits EX_USAGE.
 */
int aiops_cli_getopt(struct aiops_cli *cli, int argc, char **argv);
/*
 * The option opt ("--poll") sets the configuration key path to arg, which
 * is checked as the configuration's value would be: exits EX_USAGE with
 * the synopsis if it is bad. Applied over the configuration at start.
 */
void aiops_cli_set(struct aiops_cli *cli, const char *opt, const char *path,
    const char *arg);
/* Prints the synopsis on stderr and exits EX_USAGE. */
void aiops_cli_usage(const struct aiops_cli *cli) __attribute__((noreturn));
/*
 * After option parsing: fds and signals; the configuration (--config or
 * the search order, then the environment) checked for the program's
 * section and the shared ones, exiting EX_CONFIG with where and what, the
 * command line's settings applied over it (cli->cfg); then logging, clock
 * and the line limit, from the result.
 */
void aiops_cli_start(struct aiops_cli *cli);
/* Frees what init and start allocated (cli->cfg included). */
/*
 * Reads the configuration again (SIGHUP): 0 with cli->cfg the new one and
 * the one it replaces in *old, which the caller frees once nothing points
 * into it; or -1 with "where: what" in err and nothing changed.
 */
int aiops_cli_reload(struct aiops_cli *cli, struct aiops_conf **old, char *err, size_t errlen);
void aiops_cli_release(struct aiops_cli *cli);
struct aiops_state;

/*
 * The state file (--state or the search order), opened for writing and
 * migrated, or read-only with AIOPS_STATE_READONLY in flags. Exits
 * EX_USAGE when there is none to find (hint says what the program offers
 * instead), else with the status aiops_state_open() gives.
 */
struct aiops_state *aiops_cli_state(const struct aiops_cli *cli, int flags, const char *hint);
/* A checked integer in [min, max], as strtonum(3); exits EX_USAGE if bad. */
long long aiops_cli_number(const char *opt, const char *arg, long long min, long long max);
/* A duration ("5m", "2h"), in ns; exits EX_USAGE if bad. */
long long aiops_cli_duration(const char *opt, const char *arg);

#endif
