/*
 * cli.h: the options every aiops program spells the same way, and the
 * start-up every filter needs (fds 0-2 open, SIGPIPE default, logging,
 * clock). A program appends AIOPS_CLI_LONGOPTS to its own option table and
 * hands every option it does not know to aiops_cli_option().
 */
#ifndef AIOPS_CLI_H
#define AIOPS_CLI_H

#include <getopt.h>
#include <stddef.h>

#include "core/clock.h"

enum {
	AIOPS_OPT_CONFIG = 0x1000,
	AIOPS_OPT_STATE,
	AIOPS_OPT_STRICT,
	AIOPS_OPT_MAX_LINE,
	AIOPS_OPT_LOG_FORMAT,
	AIOPS_OPT_CLOCK,
	AIOPS_OPT_PROGRAM_BASE = 0x1100,	/* programs number theirs from here */
};

#define AIOPS_CLI_SHORTOPTS "hqVv"
#define AIOPS_CLI_LONGOPTS \
	{ "clock",	required_argument, NULL, AIOPS_OPT_CLOCK }, \
	{ "config",	required_argument, NULL, AIOPS_OPT_CONFIG }, \
	{ "help",	no_argument, NULL, 'h' }, \
	{ "log-format",	required_argument, NULL, AIOPS_OPT_LOG_FORMAT }, \
	{ "max-line",	required_argument, NULL, AIOPS_OPT_MAX_LINE }, \
	{ "quiet",	no_argument, NULL, 'q' }, \
	{ "state",	required_argument, NULL, AIOPS_OPT_STATE }, \
	{ "strict",	no_argument, NULL, AIOPS_OPT_STRICT }, \
	{ "verbose",	no_argument, NULL, 'v' }, \
	{ "version",	no_argument, NULL, 'V' }

/* The help lines of the common options, for a program's --help. */
#define AIOPS_CLI_HELP \
"      --clock wall|event  time source: wall clock, or the events' own time\n" \
"      --config FILE       configuration file (default: see aiops(7))\n" \
"  -h, --help              show this help and exit\n" \
"      --log-format plain|json  format of diagnostics on stderr\n" \
"      --max-line BYTES    longest input line accepted (default 1 MiB)\n" \
"  -q, --quiet             report errors only\n" \
"      --state FILE        state file (default: see aiops(7))\n" \
"      --strict            stop at the first malformed input line\n" \
"  -v, --verbose           more diagnostics (repeatable)\n" \
"  -V, --version           show the version and exit\n"

struct aiops_cli {
	const char		*prog;
	const char		*synopsis;	/* usage lines, without "usage: " */
	const char		*help;		/* the program's own option lines */
	const char		*state_opt;	/* --state, or NULL */
	const char		*config_opt;	/* --config, or NULL */
	int			 strict;
	size_t			 max_line;
	int			 verbosity;	/* -1 quiet, 0, 1, 2... */
	int			 log_json;
	enum aiops_clock_mode	 clock;
};

void aiops_cli_init(struct aiops_cli *cli, const char *prog,
    const char *synopsis, const char *help);
/*
 * Handles a common option: returns 1 when it was one, 0 when it is the
 * program's own. --help and --version exit 0; a bad value or '?' exits
 * EX_USAGE with the synopsis.
 */
int aiops_cli_option(struct aiops_cli *cli, int opt, const char *arg);
/* Prints the synopsis on stderr and exits EX_USAGE. */
void aiops_cli_usage(const struct aiops_cli *cli) __attribute__((noreturn));
/* After option parsing: fds, signals, logging and clock. Exits on error. */
void aiops_cli_start(struct aiops_cli *cli);
struct aiops_conf;
struct aiops_state;

/*
 * The configuration (--config or the search order), its section checked
 * against keys (see aiops_conf_check()). Exits EX_CONFIG with file:line
 * on an error.
 */
struct aiops_conf *aiops_cli_config(const struct aiops_cli *cli, const char *section,
    const char *const *keys);
/*
 * The state file (--state or the search order), opened for writing and
 * migrated. Exits EX_USAGE when there is none to find (hint says what the
 * program offers instead), EX_TEMPFAIL when another writer held it locked
 * too long, EX_CANTCREAT when it cannot be opened.
 */
struct aiops_state *aiops_cli_state(const struct aiops_cli *cli, const char *hint);
/*
 * The same with aiops_state_open()'s flags; opened AIOPS_STATE_READONLY,
 * a state that cannot be read is EX_NOINPUT.
 */
struct aiops_state *aiops_cli_state_open(const struct aiops_cli *cli, int flags,
    const char *hint);
/* A checked integer in [min, max], as strtonum(3); exits EX_USAGE if bad. */
long long aiops_cli_number(const char *opt, const char *arg, long long min, long long max);
/* A duration ("5m", "2h"), in ns; exits EX_USAGE if bad. */
long long aiops_cli_duration(const char *opt, const char *arg);

#endif
