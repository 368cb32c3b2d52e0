#include "compat.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "tool/cli.h"
#include "config/conf.h"
#include "io/linereader.h"
#include "tool/log.h"
#include "tool/opts.h"
#include "config/paths.h"
#include "config/schema.h"
#include "store/state.h"
#include "core/timeutil.h"

/* The options of every program, after the program's own in --help. */
static const struct aiops_opt common_opts[] = {
	{ "clock", AIOPS_OPT_CLOCK, "wall|event", "time source: wall clock, or the events' own time" },
	{ "config", AIOPS_OPT_CONFIG, "FILE", "configuration file (default: see aiops(7))" },
	{ "help", 'h', NULL, "show this help and exit" },
	{ "log-format", AIOPS_OPT_LOG_FORMAT, "plain|json", "format of diagnostics on stderr" },
	{ "max-line", AIOPS_OPT_MAX_LINE, "BYTES", "longest input line accepted (default 1 MiB)" },
	{ "quiet", 'q', NULL, "report errors only" },
	{ "state", AIOPS_OPT_STATE, "FILE", "state file (default: see aiops(7))" },
	{ "strict", AIOPS_OPT_STRICT, NULL, "stop at the first malformed input line" },
	{ "verbose", 'v', NULL, "more diagnostics (repeatable)" },
	{ "version", 'V', NULL, "show the version and exit" },
	AIOPS_OPT_END
};

void
aiops_cli_init(struct aiops_cli *cli, const char *prog, const char *section,
    const char *synopsis, const struct aiops_opt *opts)
{
	const struct aiops_opt *tables[] = { opts, common_opts, NULL };

	memset(cli, 0, sizeof(*cli));
	cli->prog = prog;
	cli->section = section;
	cli->synopsis = synopsis;
	cli->opts = opts;
	aiops_opts_init(&cli->getopt, tables);
	cli->set = json_object();
	cli->max_line = AIOPS_MAX_LINE_DEFAULT;
	cli->clock = AIOPS_CLOCK_WALL;
	aiops_log_init(prog, 0, 0);
}

void
aiops_cli_release(struct aiops_cli *cli)
{
	aiops_conf_free(cli->cfg);
	cli->cfg = NULL;
	json_decref(cli->set);
	cli->set = NULL;
	aiops_opts_release(&cli->getopt);
}

void
aiops_cli_usage(const struct aiops_cli *cli)
{
	fprintf(stderr, "usage: %s\n", cli->synopsis);
	exit(EX_USAGE);
}

static void __attribute__((noreturn))
help(const struct aiops_cli *cli)
{
	const struct aiops_opt *tables[] = { cli->opts, common_opts, NULL };

	printf("usage: %s\n\nOptions:\n", cli->synopsis);
	aiops_opts_help(stdout, tables);
	printf("\nSee %s(1) and aiops(7).\n", cli->prog);
	exit(EX_OK);
}

long long
aiops_cli_number(const char *opt, const char *arg, long long min, long long max)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(arg, &end, 10);
	if (end == arg || *end != '\0' || errno != 0 || v < min || v > max)
		fatalx(EX_USAGE, "%s: expected a number from %lld to %lld, got \"%s\"",
		    opt, min, max, arg);
	return v;
}

long long
aiops_cli_duration(const char *opt, const char *arg)
{
	int64_t ns;

	if (aiops_duration_parse(arg, &ns) == -1)
		fatalx(EX_USAGE, "%s: expected a duration such as 90s, 5m, 2h, 7d, got \"%s\"",
		    opt, arg);
	return ns;
}

void
aiops_cli_set(struct aiops_cli *cli, const char *opt, const char *path, const char *arg)
{
	const struct aiops_conf_key *key = aiops_conf_key_find(path);
	char why[256];
	json_t *v;

	if (key == NULL)
		fatalx(EX_SOFTWARE, "%s: no configuration key %s", opt, path);
	/* Secrets never go on the command line (aiops(7)): its values may be shown. */
	if ((v = aiops_conf_value(key, arg, why, sizeof(why))) == NULL)
		fatalx(EX_USAGE, "%s: %s, got \"%s\"", opt, why, arg);
	json_object_set_new(cli->set, path, json_pack("[so]", opt, v));
}

/* A common option: 1 when it was one, 0 when it is the program's own. */
static int
common_option(struct aiops_cli *cli, int opt, const char *arg)
{
	char path[128];

	switch (opt) {
	case 'h':
		help(cli);
		/* NOTREACHED */
	case 'q':
		cli->verbosity = -1;
		return 1;
	case 'V':
		printf("%s %s\n", cli->prog, PACKAGE_VERSION);
		exit(EX_OK);
	case 'v':
		if (cli->verbosity < 0)
			cli->verbosity = 0;
		cli->verbosity++;
		return 1;
	case AIOPS_OPT_CLOCK:
		aiops_cli_set(cli, "--clock", "clock.mode", arg);
		return 1;
	case AIOPS_OPT_CONFIG:
		cli->config_opt = arg;
		return 1;
	case AIOPS_OPT_LOG_FORMAT:
		aiops_cli_set(cli, "--log-format", "log.format", arg);
		return 1;
	case AIOPS_OPT_MAX_LINE:
		snprintf(path, sizeof(path), "%s.max_line", cli->section);
		aiops_cli_set(cli, "--max-line", path, arg);
		return 1;
	case AIOPS_OPT_STATE:
		cli->state_opt = arg;
		return 1;
	case AIOPS_OPT_STRICT:
		cli->strict = 1;
		return 1;
	case '?':
		aiops_cli_usage(cli);
	default:
		return 0;
	}
}

int
aiops_cli_getopt(struct aiops_cli *cli, int argc, char **argv)
{
	int ch;

	while ((ch = getopt_long(argc, argv, cli->getopt.shortopts, cli->getopt.longopts,
	    NULL)) != -1)
		if (!common_option(cli, ch, optarg))
			return ch;
	return -1;
}

/*
 * The configuration, checked for this program, with the command line's
 * settings over it. Errors name where the value was set, never the value.
 */
static struct aiops_conf *
read_config(const struct aiops_cli *cli, char *err, size_t errlen)
{
	struct aiops_conf *cfg;
	const char *path;
	json_t *set;

	if ((cfg = aiops_conf_load(cli->config_opt, err, errlen)) == NULL)
		return NULL;
	if (aiops_conf_validate(cfg, cli->section, err, errlen) == -1) {
		aiops_conf_free(cfg);
		return NULL;
	}
	json_object_foreach(cli->set, path, set)
		aiops_conf_set(cfg, path, json_incref(json_array_get(set, 1)),
		    json_string_value(json_array_get(set, 0)));
	return cfg;
}

static void
load_config(struct aiops_cli *cli)
{
	char err[1024];

	if ((cli->cfg = read_config(cli, err, sizeof(err))) == NULL)
		fatalx(EX_CONFIG, "%s", err);
}

int
aiops_cli_reload(struct aiops_cli *cli, struct aiops_conf **old, char *err, size_t errlen)
{
	struct aiops_conf *cfg;

	if ((cfg = read_config(cli, err, errlen)) == NULL)
		return -1;
	*old = cli->cfg;
	cli->cfg = cfg;
	return 0;
}

/* The settings of every program, from the command line or the configuration. */
static void
apply_common(struct aiops_cli *cli)
{
	char path[128];

	cli->log_json = strcmp(aiops_conf_string(cli->cfg, "log.format", "plain"), "json") == 0;
	cli->clock = strcmp(aiops_conf_string(cli->cfg, "clock.mode", "wall"), "event") == 0 ?
	    AIOPS_CLOCK_EVENT : AIOPS_CLOCK_WALL;
	snprintf(path, sizeof(path), "%s.max_line", cli->section);
	cli->max_line = (size_t)aiops_conf_int(cli->cfg, path, AIOPS_MAX_LINE_DEFAULT);
}

struct aiops_state *
aiops_cli_state(const struct aiops_cli *cli, int flags, const char *hint)
{
	struct aiops_state *st;
	struct aiops_state_error e;
	char *path = aiops_path_state(cli->state_opt);

	if (path == NULL)
		fatalx(EX_USAGE, "no state file: give --state, or set AIOPS_STATE or HOME%s", hint);
	st = aiops_state_open(path, flags, aiops_conf_state_group(cli->cfg), &e);
	free(path);
	if (st == NULL)
		fatalx(e.status, "%s", e.text);
	return st;
}

/* A closed fd 0-2 would be reused by the next open() and corrupt it. */
static void
check_fds(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) == -1 && errno == EBADF &&
		    open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			_exit(EX_OSERR);
}

void
aiops_cli_start(struct aiops_cli *cli)
{
	json_t *fmt = json_array_get(json_object_get(cli->set, "log.format"), 1);

	check_fds();
	/* systemd may start us with SIGPIPE ignored: a filter must die quietly. */
	signal(SIGPIPE, SIG_DFL);
	/* Until the configuration is read, --log-format alone says how to log. */
	cli->log_json = json_is_string(fmt) && strcmp(json_string_value(fmt), "json") == 0;
	aiops_log_init(cli->prog, cli->log_json, cli->verbosity);
	if (aiops_clock_init(cli->clock) == -1)
		fatalx(EX_USAGE, "AIOPS_NOW: not a time: \"%s\"", getenv("AIOPS_NOW"));
	load_config(cli);
	apply_common(cli);
	aiops_log_init(cli->prog, cli->log_json, cli->verbosity);
	(void)aiops_clock_init(cli->clock);
}
