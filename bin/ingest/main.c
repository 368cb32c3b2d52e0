/*
 * aiops-ingest: reads metrics, logs and alerts in their native formats and
 * writes normalised NDJSON events (aiops(7)); --store also keeps metric
 * history in the state file.
 */
#include "compat.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "tool/cli.h"
#include "config/conf.h"
#include "tool/filter.h"
#include "ingest/follow.h"
#include "ingest/ingest.h"
#include "io/linereader.h"
#include "tool/log.h"
#include "store/mstore.h"
#include "io/out.h"
#include "store/state.h"
#include "core/xmalloc.h"

enum {
	OPT_CLUSTER = AIOPS_OPT_PROGRAM_BASE,
	OPT_FOLLOW,
	OPT_LIST_FORMATS,
	OPT_MAP,
	OPT_POLL,
	OPT_PRECISION,
	OPT_RETENTION,
	OPT_SOURCE,
	OPT_STORE,
	OPT_STORE_ONLY,
};

static const char synopsis[] =
    "aiops-ingest [-hqVv] [-f format] [--follow] [--store | --store-only]\n"
    "                    [--host name] [--cluster name] [--source name]\n"
    "                    [--precision ns|us|ms|s] [--map field=key] [--retention duration]\n"
    "                    [--state file] [--config file] [--strict] [--max-line bytes] [file ...]";

static const char helptext[] =
    "Options:\n"
    "  -f, --format FMT        input format: auto (default), influx, prometheus, syslog,\n"
    "                          json, alertmanager, redfish, nvsmi, csv, text\n"
    "      --list-formats      list the formats and exit\n"
    "      --follow            keep reading files as they grow (tail -F); offsets kept in the state\n"
    "      --poll MS           with --follow, how often to look for new data (default 250)\n"
    "      --store             also write metrics into the state file\n"
    "      --store-only        write metrics into the state file, print nothing\n"
    "      --retention DUR     with --store, delete raw points older than DUR (e.g. 30d)\n"
    "      --host NAME         host for data that names none\n"
    "      --cluster NAME      cluster of every event\n"
    "      --source NAME       source of every event (default: the format's name)\n"
    "      --precision UNIT    unit of line-protocol timestamps (default ns)\n"
    "      --map FIELD=KEY     JSON logs: take FIELD (ts, message, severity, host,\n"
    "                          service) from KEY (repeatable)\n";

static const struct option longopts[] = {
	{ "cluster",	  required_argument, NULL, OPT_CLUSTER },
	{ "follow",	  no_argument,	     NULL, OPT_FOLLOW },
	{ "format",	  required_argument, NULL, 'f' },
	{ "host",	  required_argument, NULL, 'H' },
	{ "list-formats", no_argument,	     NULL, OPT_LIST_FORMATS },
	{ "map",	  required_argument, NULL, OPT_MAP },
	{ "poll",	  required_argument, NULL, OPT_POLL },
	{ "precision",	  required_argument, NULL, OPT_PRECISION },
	{ "retention",	  required_argument, NULL, OPT_RETENTION },
	{ "source",	  required_argument, NULL, OPT_SOURCE },
	{ "store",	  no_argument,	     NULL, OPT_STORE },
	{ "store-only",	  no_argument,	     NULL, OPT_STORE_ONLY },
	AIOPS_CLI_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

static const char *const config_keys[] = {
	"format", "host", "cluster", "source", "precision", "store", "retention",
	"poll", "json.fields.*", NULL,
};

struct ingest_cmd {
	struct aiops_cli		 cli;
	struct aiops_conf		*cfg;
	const struct aiops_format	*fmt;		/* NULL: auto */
	struct aiops_ingest_opts	 opts;
	json_t				*fields;	/* --map and config */
	int				 follow;
	int				 store;		/* 1 store, 2 store only */
	int				 poll_ms;
	int64_t				 retention;
	const char			*retention_arg;
	const char			*precision_arg;
	struct aiops_state		*state;
	struct aiops_mstore		*mstore;
	struct aiops_out		 out;
	struct aiops_ingest		 ing;
	struct aiops_filter		 filter;
	struct aiops_input		*in;		/* the input being read */
};

static void __attribute__((noreturn))
list_formats(void)
{
	size_t i;

	for (i = 0; aiops_formats[i] != NULL; i++)
		printf("%-14s %s\n", aiops_formats[i]->name, aiops_formats[i]->desc);
	exit(EX_OK);
}

static void
add_map(struct ingest_cmd *c, const char *arg)
{
	const char *eq = strchr(arg, '=');
	static const char *const fields[] = { "ts", "message", "severity", "host", "service", NULL };
	size_t i;
	char *field;

	if (eq == NULL || eq == arg || eq[1] == '\0')
		fatalx(EX_USAGE, "--map: expected FIELD=KEY, got \"%s\"", arg);
	field = xstrndup(arg, (size_t)(eq - arg));
	for (i = 0; fields[i] != NULL && strcmp(fields[i], field) != 0; i++)
		;
	if (fields[i] == NULL)
		fatalx(EX_USAGE, "--map: unknown field \"%s\" (ts, message, severity, host, service)", field);
	json_object_set_new(c->fields, field, json_string(eq + 1));
	free(field);
}

static void
parse_options(struct ingest_cmd *c, int argc, char **argv)
{
	int ch;

	while ((ch = getopt_long(argc, argv, "f:H:" AIOPS_CLI_SHORTOPTS, longopts, NULL)) != -1) {
		if (aiops_cli_option(&c->cli, ch, optarg))
			continue;
		switch (ch) {
		case 'f':
			if (strcmp(optarg, "auto") == 0)
				c->fmt = NULL;
			else if ((c->fmt = aiops_format_find(optarg)) == NULL)
				fatalx(EX_USAGE, "--format: unknown format \"%s\" (see --list-formats)", optarg);
			break;
		case 'H':
			c->opts.host = optarg;
			break;
		case OPT_CLUSTER:
			c->opts.cluster = optarg;
			break;
		case OPT_FOLLOW:
			c->follow = 1;
			break;
		case OPT_LIST_FORMATS:
			list_formats();
		case OPT_MAP:
			add_map(c, optarg);
			break;
		case OPT_POLL:
			c->poll_ms = (int)aiops_cli_number("--poll", optarg, 1, 3600000);
			break;
		case OPT_PRECISION:
			c->precision_arg = optarg;
			break;
		case OPT_RETENTION:
			c->retention_arg = optarg;
			break;
		case OPT_SOURCE:
			c->opts.source = optarg;
			break;
		case OPT_STORE:
			c->store = 1;
			break;
		case OPT_STORE_ONLY:
			c->store = 2;
			break;
		default:
			aiops_cli_usage(&c->cli);
		}
	}
}

/* Config values fill in what the command line left unset. */
static void
apply_config(struct ingest_cmd *c)
{
	char err[512];
	json_t *fields;
	const char *k;
	json_t *v;
	int on;

	c->cfg = aiops_cli_config(&c->cli, "ingest", config_keys);
	if (c->opts.host == NULL)
		c->opts.host = aiops_conf_string(c->cfg, "ingest.host", NULL);
	if (c->opts.cluster == NULL)
		c->opts.cluster = aiops_conf_string(c->cfg, "ingest.cluster", NULL);
	if (c->opts.source == NULL)
		c->opts.source = aiops_conf_string(c->cfg, "ingest.source", NULL);
	if (c->precision_arg == NULL)
		c->precision_arg = aiops_conf_string(c->cfg, "ingest.precision", "ns");
	if (aiops_time_unit_parse(c->precision_arg, &c->opts.precision) == -1)
		fatalx(EX_USAGE, "precision: expected ns, us, ms or s, got \"%s\"", c->precision_arg);
	if (c->retention_arg != NULL)
		c->retention = aiops_cli_duration("--retention", c->retention_arg);
	else if (aiops_conf_duration(c->cfg, "ingest.retention", 0, &c->retention, err, sizeof(err)) == -1)
		fatalx(EX_CONFIG, "%s", err);
	if (c->store == 0) {
		if (aiops_conf_bool(c->cfg, "ingest.store", 0, &on, err, sizeof(err)) == -1)
			fatalx(EX_CONFIG, "%s", err);
		c->store = on;
	}
	fields = aiops_conf_get(c->cfg, "ingest.json.fields");
	json_object_foreach(fields, k, v)
		if (json_object_get(c->fields, k) == NULL && json_is_string(v))
			json_object_set(c->fields, k, v);
	c->opts.json_fields = c->fields;
}

static void
open_state(struct ingest_cmd *c)
{
	char err[512];

	if (!c->store && !c->follow)
		return;
	c->state = aiops_cli_state(&c->cli, "");
	if (c->store) {
		c->mstore = aiops_mstore_new(c->state, c->retention, err, sizeof(err));
		if (c->mstore == NULL)
			fatalx(EX_CANTCREAT, "%s", err);
	}
}

/* A bad line, where the format says it is. */
static void
skipped(struct ingest_cmd *c)
{
	aiops_filter_skip(&c->filter, c->ing.name,
	    c->ing.errline ? c->ing.errline : c->ing.lineno, c->ing.err);
}

static int
store_status(struct ingest_cmd *c)
{
	return aiops_state_exit_status(c->state);
}

static void
check_store(struct ingest_cmd *c)
{
	if (c->ing.store_failed)
		fatalx(store_status(c), "%s: storing metrics: %s", aiops_state_path(c->state),
		    aiops_mstore_errmsg(c->mstore));
}

static void
feed(struct ingest_cmd *c, struct aiops_input *in, const char *line, size_t len,
    unsigned long lineno)
{
	if (aiops_input_line(&c->ing, in, line, len, lineno) == -1)
		skipped(c);
	check_store(c);
}

static void
finish_input(struct ingest_cmd *c, struct aiops_input *in)
{
	if (aiops_input_finish(&c->ing, in) == -1)
		skipped(c);
	check_store(c);
}

static void
feed_line(void *arg, const char *name, const char *line, size_t len, unsigned long lineno)
{
	struct ingest_cmd *c = arg;

	AIOPS_UNUSED(name);
	feed(c, c->in, line, len, lineno);
}

/* Reads one file (or stdin) to its end. */
static void
read_input(struct ingest_cmd *c, const char *path)
{
	struct aiops_input in;

	aiops_input_init(&in, c->fmt, strcmp(path, "-") == 0 ? "(stdin)" : path);
	c->in = &in;
	if (aiops_filter_read(&c->filter, path, feed_line, c) == 0)
		finish_input(c, &in);
	else
		(void)aiops_input_finish(&c->ing, &in);
	c->in = NULL;
}

/* Everything read so far is out and stored: remember where we are. */
static void
checkpoint(struct ingest_cmd *c, struct aiops_follow *f)
{
	if (aiops_out_flush(&c->out) == -1)
		aiops_filter_check_output(&c->filter);
	if (c->mstore != NULL && aiops_mstore_flush(c->mstore) == -1) {
		c->ing.store_failed = 1;
		check_store(c);
	}
	if (aiops_follow_checkpoint(f) == -1)
		fatalx(store_status(c), "%s: saving offsets: %s", aiops_state_path(c->state),
		    aiops_follow_errmsg(f));
}

static void
follow_inputs(struct ingest_cmd *c, char **paths, int npaths)
{
	struct aiops_input *ins = xcalloc((size_t)npaths, sizeof(*ins));
	struct aiops_follow *f;
	const char *line, *name;
	size_t len;
	unsigned long lineno;
	int i, rc;

	f = aiops_follow_new(c->state, paths, (size_t)npaths, c->cli.max_line,
	    c->poll_ms ? c->poll_ms : 250, &aiops_stop);
	if (f == NULL && c->state != NULL)
		fatalx(store_status(c), "%s: reading offsets: %s", aiops_state_path(c->state),
		    aiops_state_errmsg(c->state));
	if (f == NULL)
		fatalx(EX_SOFTWARE, "cannot follow files");
	for (i = 0; i < npaths; i++)
		aiops_input_init(&ins[i], c->fmt, paths[i]);
	while ((rc = aiops_follow_next(f, &line, &len, &name, &lineno)) != AIOPS_FOLLOW_STOP) {
		struct aiops_input *in = NULL;

		if (rc == AIOPS_FOLLOW_ERROR)
			fatalx(EX_IOERR, "%s", aiops_follow_errmsg(f));
		if (rc == AIOPS_FOLLOW_IDLE) {
			checkpoint(c, f);
			continue;
		}
		for (i = 0; i < npaths; i++)
			if (strcmp(paths[i], name) == 0)
				in = &ins[i];
		if (rc == AIOPS_FOLLOW_TOOLONG) {
			char reason[128];

			snprintf(reason, sizeof(reason), "line of %zu bytes is longer than --max-line %zu",
			    len, c->cli.max_line);
			aiops_filter_skip(&c->filter, name, lineno, reason);
		} else if (in != NULL) {
			feed(c, in, line, len, lineno);
		}
		aiops_filter_check_output(&c->filter);
	}
	for (i = 0; i < npaths; i++)
		finish_input(c, &ins[i]);
	checkpoint(c, f);
	aiops_follow_free(f);
	free(ins);
}

static int
finish(struct ingest_cmd *c)
{
	if (aiops_out_close(&c->out) == -1)
		aiops_filter_check_output(&c->filter);
	if (c->mstore != NULL && aiops_mstore_flush(c->mstore) == -1)
		fatalx(store_status(c), "%s: storing metrics: %s", aiops_state_path(c->state),
		    aiops_mstore_errmsg(c->mstore));
	if (c->mstore != NULL)
		(void)aiops_mstore_free(c->mstore);
	if (c->state != NULL && aiops_state_close(c->state) == -1)
		log_error("%s: closing the state file failed", aiops_state_path(c->state));
	json_decref(c->fields);
	aiops_conf_free(c->cfg);
	return aiops_filter_status(&c->filter);
}

int
main(int argc, char **argv)
{
	static char dash[] = "-";
	static char *stdin_only[] = { dash };
	struct ingest_cmd c;
	char **paths;
	int npaths, i;

	memset(&c, 0, sizeof(c));
	aiops_cli_init(&c.cli, "aiops-ingest", synopsis, helptext);
	c.fields = json_object();
	parse_options(&c, argc, argv);
	aiops_cli_start(&c.cli);
	apply_config(&c);
	paths = argc > optind ? argv + optind : stdin_only;
	npaths = argc > optind ? argc - optind : 1;
	if (c.follow && strcmp(paths[0], "-") == 0)
		fatalx(EX_USAGE, "--follow needs files to follow");
	open_state(&c);
	aiops_out_init(&c.out, c.store == 2 ? -1 : STDOUT_FILENO);
	aiops_ingest_init(&c.ing, &c.opts, &c.out, c.mstore);
	aiops_filter_init(&c.filter, &c.cli, &c.out);
	aiops_filter_signals();
	if (c.follow)
		follow_inputs(&c, paths, npaths);
	else
		for (i = 0; i < npaths && !aiops_stop; i++)
			read_input(&c, paths[i]);
	return finish(&c);
}
