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
#include "config/paths.h"
#include "store/state.h"
#include "core/timeutil.h"

void
aiops_cli_init(struct aiops_cli *cli, const char *prog, const char *synopsis,
    const char *help)
{
	memset(cli, 0, sizeof(*cli));
	cli->prog = prog;
	cli->synopsis = synopsis;
	cli->help = help;
	cli->max_line = AIOPS_MAX_LINE_DEFAULT;
	cli->clock = AIOPS_CLOCK_WALL;
	aiops_log_init(prog, 0, 0);
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
	printf("usage: %s\n\n%s%s\nSee %s(1) and aiops(7).\n", cli->synopsis,
	    cli->help != NULL ? cli->help : "", AIOPS_CLI_HELP, cli->prog);
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

int
aiops_cli_option(struct aiops_cli *cli, int opt, const char *arg)
{
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
		if (strcmp(arg, "wall") == 0)
			cli->clock = AIOPS_CLOCK_WALL;
		else if (strcmp(arg, "event") == 0)
			cli->clock = AIOPS_CLOCK_EVENT;
		else
			fatalx(EX_USAGE, "--clock: expected wall or event, got \"%s\"", arg);
		return 1;
	case AIOPS_OPT_CONFIG:
		cli->config_opt = arg;
		return 1;
	case AIOPS_OPT_LOG_FORMAT:
		if (strcmp(arg, "plain") == 0)
			cli->log_json = 0;
		else if (strcmp(arg, "json") == 0)
			cli->log_json = 1;
		else
			fatalx(EX_USAGE, "--log-format: expected plain or json, got \"%s\"", arg);
		return 1;
	case AIOPS_OPT_MAX_LINE:
		cli->max_line = (size_t)aiops_cli_number("--max-line", arg, 16,
		    (long long)1 << 30);
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

struct aiops_conf *
aiops_cli_config(const struct aiops_cli *cli, const char *section, const char *const *keys)
{
	struct aiops_conf *cfg;
	char err[512];

	if ((cfg = aiops_conf_load(cli->config_opt, err, sizeof(err))) == NULL ||
	    aiops_conf_check(cfg, section, keys, err, sizeof(err)) == -1)
		fatalx(EX_CONFIG, "%s", err);
	return cfg;
}

struct aiops_state *
aiops_cli_state(const struct aiops_cli *cli, const char *hint)
{
	return aiops_cli_state_open(cli, 0, hint);
}

struct aiops_state *
aiops_cli_state_open(const struct aiops_cli *cli, int flags, const char *hint)
{
	struct aiops_state *st;
	char err[512], *path = aiops_path_state(cli->state_opt);
	int saved;

	if (path == NULL)
		fatalx(EX_USAGE, "no state file: give --state, or set AIOPS_STATE or HOME%s", hint);
	st = aiops_state_open(path, flags, err, sizeof(err));
	saved = errno;
	free(path);
	if (st == NULL && saved == EAGAIN)
		fatalx(EX_TEMPFAIL, "%s", err);
	if (st == NULL)
		fatalx(flags & AIOPS_STATE_READONLY ? EX_NOINPUT : EX_CANTCREAT, "%s", err);
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
	check_fds();
	/* systemd may start us with SIGPIPE ignored: a filter must die quietly. */
	signal(SIGPIPE, SIG_DFL);
	aiops_log_init(cli->prog, cli->log_json, cli->verbosity);
	if (aiops_clock_init(cli->clock) == -1)
		fatalx(EX_USAGE, "AIOPS_NOW: not a time: \"%s\"", getenv("AIOPS_NOW"));
}
