/*
 * aiops-detect: reads events, flags the abnormal ones. Metric events are
 * scored one point at a time by a model per series (metrics.c); anomaly
 * events are written for those over the threshold. Learned models persist
 * in the state file.
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

#include "core/clock.h"
#include "detect.h"
#include "event/evread.h"
#include "tool/filter.h"
#include "io/linereader.h"
#include "tool/log.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

enum {
	OPT_ALL = AIOPS_OPT_PROGRAM_BASE,
	OPT_CORRELATE,
	OPT_FROM_STATE,
	OPT_LIMIT,
	OPT_NO_STATE,
	OPT_RAW,
	OPT_SEARCH,
	OPT_SENSITIVITY,
	OPT_SINCE,
	OPT_THRESHOLD,
};

static const char synopsis[] =
    "aiops-detect [-hqVv] [--all] [--raw] [--correlate] [--sensitivity s]\n"
    "                    [--threshold t] [--from-state] [--since duration] [--no-state]\n"
    "                    [--state file] [--config file] [--strict] [--max-line bytes] [file ...]\n"
    "       aiops-detect --search query [--since duration] [--limit n] [--state file]";

static const char helptext[] =
    "Options:\n"
    "      --all               write every input event, metrics annotated with their\n"
    "                          score and detector, not only the anomalies\n"
    "      --sensitivity S     0 (fewest alerts) to 1 (most); default 0.5\n"
    "      --threshold T       alert when the score is at least T (default: from the\n"
    "                          sensitivity)\n"
    "      --raw               input lines are raw log lines, not events\n"
    "      --correlate         group anomalies and alerts into incidents\n"
    "      --from-state        read stored metric history instead of the input\n"
    "      --since DUR         with --from-state or --search, how far back (e.g. 2h)\n"
    "      --search QUERY      full-text search of stored log lines and templates\n"
    "                          (SQLite FTS5 syntax), best matches first\n"
    "      --limit N           with --search, at most N results of each kind (default 20)\n"
    "      --no-state          keep nothing: models start afresh and are not saved\n";

static const struct option longopts[] = {
	{ "all",	 no_argument,	    NULL, OPT_ALL },
	{ "correlate",	 no_argument,	    NULL, OPT_CORRELATE },
	{ "from-state",	 no_argument,	    NULL, OPT_FROM_STATE },
	{ "limit",	 required_argument, NULL, OPT_LIMIT },
	{ "no-state",	 no_argument,	    NULL, OPT_NO_STATE },
	{ "raw",	 no_argument,	    NULL, OPT_RAW },
	{ "search",	 required_argument, NULL, OPT_SEARCH },
	{ "sensitivity", required_argument, NULL, OPT_SENSITIVITY },
	{ "since",	 required_argument, NULL, OPT_SINCE },
	{ "threshold",	 required_argument, NULL, OPT_THRESHOLD },
	AIOPS_CLI_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

static const char *const config_keys[] = {
	"sensitivity", "threshold", "metrics.*.sensitivity", "metrics.*.threshold",
	"counters", "context", "logs.warmup", "logs.min_burst", "logs.retention",
	"correlate.window", "correlate.close_after", NULL,
};

struct options {
	int		 from_state;
	int		 no_state;
	int		 correlate;
	int		 limit;
	const char	*search;
	const char	*since;
	const char	*sensitivity;
	const char	*threshold;
};

static struct aiops_filter filter;

static double
unit_interval(const char *opt, const char *arg)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (end == arg || *end != '\0' || errno != 0 || !(v >= 0 && v <= 1))
		fatalx(EX_USAGE, "%s: expected a number from 0 to 1, got \"%s\"", opt, arg);
	return v;
}

static void
parse_options(struct detect *d, struct options *o, int argc, char **argv)
{
	int ch;

	while ((ch = getopt_long(argc, argv, AIOPS_CLI_SHORTOPTS, longopts, NULL)) != -1) {
		if (aiops_cli_option(&d->cli, ch, optarg))
			continue;
		switch (ch) {
		case OPT_ALL:
			d->all = 1;
			break;
		case OPT_CORRELATE:
			o->correlate = 1;
			break;
		case OPT_FROM_STATE:
			o->from_state = 1;
			break;
		case OPT_LIMIT:
			o->limit = (int)aiops_cli_number("--limit", optarg, 1, 1000000);
			break;
		case OPT_NO_STATE:
			o->no_state = 1;
			break;
		case OPT_RAW:
			d->raw = 1;
			break;
		case OPT_SEARCH:
			o->search = optarg;
			break;
		case OPT_SENSITIVITY:
			o->sensitivity = optarg;
			break;
		case OPT_SINCE:
			o->since = optarg;
			break;
		case OPT_THRESHOLD:
			o->threshold = optarg;
			break;
		default:
			aiops_cli_usage(&d->cli);
		}
	}
	if ((o->from_state || o->search) && o->no_state)
		fatalx(EX_USAGE, "--from-state and --search need the state: drop --no-state");
	if (o->since != NULL && !o->from_state && o->search == NULL)
		fatalx(EX_USAGE, "--since goes with --from-state or --search");
	if (o->limit != 0 && o->search == NULL)
		fatalx(EX_USAGE, "--limit goes with --search");
}

static int64_t
conf_duration(struct detect *d, const char *path, int64_t def)
{
	char err[512];
	int64_t v;

	if (aiops_conf_duration(d->cfg, path, def, &v, err, sizeof(err)) == -1)
		fatalx(EX_CONFIG, "%s", err);
	return v;
}

static double
conf_number(struct detect *d, const char *path, double def)
{
	char err[512];
	double v;

	if (aiops_conf_number(d->cfg, path, def, &v, err, sizeof(err)) == -1)
		fatalx(EX_CONFIG, "%s", err);
	return v;
}

/* The log and incident parts, with their settings (see aiops-detect(1)). */
static void
start_parts(struct detect *d, const struct options *o)
{
	detect_logs_init(d, (uint64_t)conf_number(d, "detect.logs.warmup", 2000),
	    conf_number(d, "detect.logs.min_burst", 10),
	    conf_duration(d, "detect.logs.retention", 7 * 86400 * AIOPS_NS_PER_SEC));
	if (o->correlate)
		detect_correlate_init(d,
		    conf_duration(d, "detect.correlate.window", 10 * 60 * AIOPS_NS_PER_SEC),
		    conf_duration(d, "detect.correlate.close_after", 30 * 60 * AIOPS_NS_PER_SEC));
}

static void
configure(struct detect *d, const struct options *o)
{
	char err[512];
	double v;

	d->cfg = aiops_cli_config(&d->cli, "detect", config_keys);
	aiops_mdetect_params_default(&d->params);
	if (o->sensitivity != NULL)
		d->params.sensitivity = unit_interval("--sensitivity", o->sensitivity);
	else if (aiops_conf_number(d->cfg, "detect.sensitivity", d->params.sensitivity,
	    &d->params.sensitivity, err, sizeof(err)) == -1)
		fatalx(EX_CONFIG, "%s", err);
	if (o->threshold != NULL) {
		d->threshold = unit_interval("--threshold", o->threshold);
		d->threshold_set = 1;
	} else if (aiops_conf_get(d->cfg, "detect.threshold") != NULL) {
		if (aiops_conf_number(d->cfg, "detect.threshold", 0, &v, err, sizeof(err)) == -1)
			fatalx(EX_CONFIG, "%s", err);
		d->threshold = v;
		d->threshold_set = 1;
	}
	{
		int ctx;

		/* The confirming context model (tier 2); off = statistical tier only. */
		if (aiops_conf_bool(d->cfg, "detect.context", 1, &ctx, err, sizeof(err)) == -1)
			fatalx(EX_CONFIG, "%s", err);
		d->params.context = (uint32_t)ctx;
	}
	d->overrides = aiops_conf_get(d->cfg, "detect.metrics");
	d->counters = aiops_conf_get(d->cfg, "detect.counters");
	if (d->counters != NULL && !json_is_array(d->counters))
		fatalx(EX_CONFIG, "%s:%d: detect.counters: expected a list of name patterns",
		    aiops_conf_file(d->cfg), aiops_conf_line(d->cfg, "detect.counters"));
}

/* --search only reads: it takes no lock and leaves the file as it is. */
static void
open_state(struct detect *d, const struct options *o)
{
	if (o->search != NULL)
		d->state = aiops_cli_state_open(&d->cli, AIOPS_STATE_READONLY, "");
	else if (!o->no_state)
		d->state = aiops_cli_state(&d->cli, ", or use --no-state");
}

void
detect_state_fatal(struct detect *d, const char *what)
{
	fatalx(aiops_state_exit_status(d->state), "%s: %s: %s", aiops_state_path(d->state),
	    what, aiops_state_errmsg(d->state));
}

static void
skip(struct detect *d)
{
	aiops_filter_skip(&filter, d->name, d->lineno, d->err);
}

static void
save_models(struct detect *d)
{
	detect_save_models(d);
	detect_logs_save(d);
}

/* One event: metrics are scored, logs mined; others pass with --all. */
static void
handle_event(void *arg, const struct aiops_evline *l)
{
	struct detect *d = arg;
	const char *type;
	int rc = 0;

	if (aiops_stop)		/* --strict stopped us inside a batch */
		return;
	d->name = l->name;
	d->lineno = l->lineno;
	if (l->rc == 1)
		return;
	if (l->rc == -1) {
		snprintf(d->err, sizeof(d->err), "%s", l->err);
		skip(d);
		return;
	}
	type = json_string_value(json_object_get(l->ev, "type"));
	if (type != NULL && strcmp(type, "metric") == 0)
		rc = detect_metric(d, l->ev, l->line, l->len);
	else if (type != NULL && strcmp(type, "log") == 0)
		rc = detect_log(d, l->ev, l->line, l->len);
	else if (d->all) {
		aiops_buf_add(&d->out.buf, l->line, l->len);
		aiops_out_end(&d->out);
	}
	if (rc == -1)
		skip(d);
	else if (type != NULL)
		detect_correlate_event(d, l->ev, l->line, l->len);
	detect_correlate_tick(d);
	aiops_out_commit(&d->out);
	if (d->since_save >= DETECT_SAVE_EVERY)
		save_models(d);
}

/* Parses the lines read so far (on two threads) and handles them in order. */
static void
drain(void *arg)
{
	struct detect *d = arg;

	aiops_evbatch_run(d->batch, handle_event, d);
}

/* One input line: raw log lines at once, events into the batch. */
static void
handle_line(void *arg, const char *name, const char *line, size_t len, unsigned long lineno)
{
	struct detect *d = arg;

	if (d->raw) {
		d->name = name;
		d->lineno = lineno;
		detect_raw(d, line, len);
		aiops_out_commit(&d->out);
		return;
	}
	if (aiops_evbatch_add(d->batch, name, line, len, lineno))
		drain(d);
}

static void
read_input(struct detect *d, const char *path)
{
	aiops_filter_read(&filter, path, handle_line, d);
	drain(d);
	aiops_filter_check_output(&filter);
}

static int
finish(struct detect *d)
{
	save_models(d);
	if (aiops_out_close(&d->out) == -1)
		aiops_filter_check_output(&filter);
	log_info("%lu metric points, %lu anomalies", d->nmetrics, d->nanomalies);
	aiops_evbatch_free(d->batch);
	detect_correlate_free(d);
	detect_logs_free(d);
	detect_metrics_free(d);
	aiops_buf_release(&d->scratch);
	if (d->state != NULL && aiops_state_close(d->state) == -1)
		log_error("closing the state file failed");
	aiops_conf_free(d->cfg);
	return aiops_filter_status(&filter);
}

int
main(int argc, char **argv)
{
	struct detect d;
	struct options o;
	int i;

	memset(&d, 0, sizeof(d));
	memset(&o, 0, sizeof(o));
	aiops_cli_init(&d.cli, "aiops-detect", synopsis, helptext);
	parse_options(&d, &o, argc, argv);
	aiops_cli_start(&d.cli);
	configure(&d, &o);
	open_state(&d, &o);
	aiops_hmap_init(&d.series);
	aiops_out_init(&d.out, STDOUT_FILENO);
	aiops_filter_init(&filter, &d.cli, &d.out);
	aiops_filter_signals();
	d.batch = aiops_evbatch_new();
	filter.drain = drain;
	filter.drain_arg = &d;
	if (o.search != NULL) {
		int64_t since = o.since ? aiops_cli_duration("--since", o.since) : 0;

		if (detect_search(&d, o.search, since ? aiops_clock_now() - since : 0,
		    o.limit ? o.limit : 20) == -1)
			fatalx(EX_DATAERR, "%s", d.err);
		return finish(&d);
	}
	start_parts(&d, &o);
	if (o.from_state) {
		int64_t since = o.since ? aiops_cli_duration("--since", o.since) : 3600LL * AIOPS_NS_PER_SEC;

		detect_from_state(&d, aiops_clock_now() - since);
	} else if (optind == argc) {
		read_input(&d, "-");
	} else {
		for (i = optind; i < argc && !aiops_stop; i++)
			read_input(&d, argv[i]);
	}
	return finish(&d);
}
