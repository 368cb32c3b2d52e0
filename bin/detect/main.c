/*
 * aiops-detect: reads events, flags the abnormal ones. Metric events are
 * scored one point at a time by a model per series (metrics.c); anomaly
 * events are written for those over the threshold. Learned models persist
 * in the state file.
 */
#include "compat.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "core/clock.h"
#include "detect.h"
#include "event/loghdr.h"
#include "event/evread.h"
#include "tool/filter.h"
#include "io/linereader.h"
#include "tool/log.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

enum {
	OPT_ALL = AIOPS_OPT_PROGRAM_BASE,
	OPT_CORRELATE,
	OPT_EXPLAIN,
	OPT_FROM_STATE,
	OPT_LIMIT,
	OPT_MEMORY,
	OPT_NO_STATE,
	OPT_RAW,
	OPT_SEARCH,
	OPT_SENSITIVITY,
	OPT_SINCE,
	OPT_THRESHOLD,
};

static const char synopsis[] =
    "aiops-detect [-hqVv] [--all] [--raw] [--correlate] [--explain] [--sensitivity s]\n"
    "                    [--threshold t] [--from-state] [--since duration] [--no-state]\n"
    "                    [--memory size] [--state file] [--config file] [--strict]\n"
    "                    [--max-line bytes] [--clock wall|event] [--log-format plain|json]\n"
    "                    [file ...]\n"
    "       aiops-detect --search query [--since duration] [--limit n] [--state file]";

static const struct aiops_opt opts[] = {
	{ "all", OPT_ALL, NULL, "write every input event, metrics annotated with their\n"
	    "score and detector, not only the anomalies" },
	{ "sensitivity", OPT_SENSITIVITY, "S", "0 (fewest alerts) to 1 (most); default 0.5" },
	{ "threshold", OPT_THRESHOLD, "T", "alert when the score is at least T (default: from the\n"
	    "sensitivity)" },
	{ "raw", OPT_RAW, NULL, "input lines are raw log lines, not events" },
	{ "correlate", OPT_CORRELATE, NULL, "group anomalies and alerts into incidents" },
	{ "explain", OPT_EXPLAIN, NULL, "with --correlate, the ask section's model explains confirmed\n"
	    "incidents (without it: when a model is configured)" },
	{ "from-state", OPT_FROM_STATE, NULL, "read stored metric history instead of the input" },
	{ "since", OPT_SINCE, "DUR", "with --from-state or --search, how far back (e.g. 2h)" },
	{ "search", OPT_SEARCH, "QUERY", "full-text search of stored log lines and templates\n"
	    "(SQLite FTS5 syntax), best matches first" },
	{ "limit", OPT_LIMIT, "N", "with --search, at most N results of each kind (default 20)" },
	{ "no-state", OPT_NO_STATE, NULL, "keep nothing: models start afresh and are not saved" },
	{ "memory", OPT_MEMORY, "SIZE", "memory for the series and their models (default 1792MiB);\n"
	    "the least recently used models go to the state past it" },
	AIOPS_OPT_END
};

struct options {
	int		 from_state;
	int		 no_state;
	int		 correlate;
	int		 explain;
	int		 limit;
	const char	*search;
	const char	*since;
};

static struct aiops_filter filter;

static void
parse_options(struct detect *d, struct options *o, int argc, char **argv)
{
	int ch;

	while ((ch = aiops_cli_getopt(&d->cli, argc, argv)) != -1) {
		switch (ch) {
		case OPT_ALL:
			d->all = 1;
			break;
		case OPT_CORRELATE:
			o->correlate = 1;
			break;
		case OPT_EXPLAIN:
			o->explain = 1;
			break;
		case OPT_FROM_STATE:
			o->from_state = 1;
			break;
		case OPT_LIMIT:
			o->limit = (int)aiops_cli_number("--limit", optarg, 1, 1000000);
			break;
		case OPT_MEMORY:
			aiops_cli_set(&d->cli, "--memory", "detect.memory", optarg);
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
			aiops_cli_set(&d->cli, "--sensitivity", "detect.sensitivity", optarg);
			break;
		case OPT_SINCE:
			o->since = optarg;
			break;
		case OPT_THRESHOLD:
			aiops_cli_set(&d->cli, "--threshold", "detect.threshold", optarg);
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
	if (o->explain && !o->correlate)
		fatalx(EX_USAGE, "--explain goes with --correlate");
}

#define MINUTE_NS	(60 * AIOPS_NS_PER_SEC)

/* Explanations of incidents: asked for, or on by default when a model is configured. */
static void
start_explain(struct detect *d, const struct options *o)
{
	struct detect_explain_conf ec;

	if (!o->explain && !aiops_conf_bool(d->cfg, "detect.explain.enabled", 1))
		return;
	ec.required = o->explain;
	ec.per_minute = (int)aiops_conf_int(d->cfg, "detect.explain.per_minute", 6);
	ec.timeout = aiops_conf_duration(d->cfg, "detect.explain.timeout",
	    30 * AIOPS_NS_PER_SEC);
	if (ec.per_minute > 0)
		(void)detect_explain_init(d, &ec);
}

/* The log and incident parts, with their settings (see aiops-detect(1)). */
static void
start_parts(struct detect *d, const struct options *o)
{
	struct detect_logs_conf lc;

	lc.warmup = (uint64_t)aiops_conf_int(d->cfg, "detect.logs.warmup", 2000);
	lc.min_burst = aiops_conf_number(d->cfg, "detect.logs.min_burst", 10);
	lc.retention = aiops_conf_duration(d->cfg, "detect.logs.retention",
	    7 * 86400 * AIOPS_NS_PER_SEC);
	lc.max_templates = (uint64_t)aiops_conf_int(d->cfg, "detect.logs.max_templates",
	    DETECT_MAX_TEMPLATES);
	detect_logs_init(d, &lc);
	if (o->correlate) {
		struct detect_correlate_conf cc;

		cc.window = aiops_conf_duration(d->cfg, "detect.correlate.window", 20 * MINUTE_NS);
		cc.close_after = aiops_conf_duration(d->cfg, "detect.correlate.close_after",
		    30 * MINUTE_NS);
		cc.min_duration = aiops_conf_duration(d->cfg, "detect.correlate.min_duration",
		    10 * MINUTE_NS);
		cc.retention = aiops_conf_duration(d->cfg, "detect.incidents.retention",
		    90 * 1440 * MINUTE_NS);
		detect_correlate_init(d, &cc);
		start_explain(d, o);
	}
}

/* detect.materiality.KIND.min_change and .min_relative over the defaults (kind.h). */
static void
configure_materiality(struct detect *d)
{
	char key[96];
	int k;

	for (k = 0; k < AIOPS_KIND_N; k++) {
		struct aiops_kind_rule *r = &d->materiality[k];

		aiops_kind_default_rule((enum aiops_kind)k, r);
		if (!aiops_kind_has_rule((enum aiops_kind)k))
			continue;
		snprintf(key, sizeof(key), "detect.materiality.%s.min_change",
		    aiops_kind_name((enum aiops_kind)k));
		r->min_change = aiops_conf_number(d->cfg, key, r->min_change);
		snprintf(key, sizeof(key), "detect.materiality.%s.min_relative",
		    aiops_kind_name((enum aiops_kind)k));
		r->min_relative = aiops_conf_number(d->cfg, key, r->min_relative);
	}
}

/* The settings, checked: the command line over the environment over the file. */
static void
configure(struct detect *d)
{
	d->cfg = d->cli.cfg;
	aiops_mdetect_params_default(&d->params);
	d->params.sensitivity = aiops_conf_number(d->cfg, "detect.sensitivity",
	    d->params.sensitivity);
	d->threshold_set = aiops_conf_get(d->cfg, "detect.threshold") != NULL;
	d->threshold = aiops_conf_number(d->cfg, "detect.threshold", 0);
	d->overrides = aiops_conf_get(d->cfg, "detect.metrics");
	d->counters = aiops_conf_get(d->cfg, "detect.counters");
	configure_materiality(d);
}

/* --search only reads: it takes no lock and leaves the file as it is. */
static void
open_state(struct detect *d, const struct options *o)
{
	if (o->search != NULL)
		d->state = aiops_cli_state(&d->cli, AIOPS_STATE_READONLY, "");
	else if (!o->no_state)
		d->state = aiops_cli_state(&d->cli, 0, ", or use --no-state");
}

void
detect_state_fatal(struct detect *d, const char *what)
{
	/* what was stored goes out; nothing after it does */
	aiops_out_rollback(&d->out, d->out_safe);
	(void)aiops_out_flush(&d->out);
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
	d->out_safe = d->out.buf.len;	/* every record so far is whole */
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
	d->out_safe = d->out.buf.len;
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

static void
raw_line(struct detect *d, const char *name, const char *line, size_t len, unsigned long lineno)
{
	d->out_safe = d->out.buf.len;
	d->name = name;
	d->lineno = lineno;
	detect_raw(d, line, len);
	aiops_out_commit(&d->out);
}

/*
 * The first raw lines wait while the miner learns the input's header from
 * them (event/loghdr.h), so that they are split as the lines after them are:
 * at most the 32 it learns from, and no longer than until the next read
 * (with 8 lines or more it learns from those; with fewer they go on
 * unlearned and learning goes on).
 */
static struct held {
	char		*line;
	size_t		 len;
	const char	*name;
	unsigned long	 lineno;
} held[64];
static size_t nheld;

static void
release_raw(struct detect *d)
{
	size_t i;

	aiops_loghdr_decide(detect_logs_loghdr(d));
	for (i = 0; i < nheld; i++) {
		raw_line(d, held[i].name, held[i].line, held[i].len, held[i].lineno);
		free(held[i].line);
	}
	nheld = 0;
}

/* Parses the lines read so far (on two threads) and handles them in order. */
static void
drain(void *arg)
{
	struct detect *d = arg;

	if (d->raw)
		release_raw(d);
	aiops_evbatch_run(d->batch, handle_event, d);
	detect_explain_write(d);
}

/*
 * Before a read that may wait: the batch, then, while explanations are
 * pending and no input has come, each one as it is done.
 */
static void
drain_wait(void *arg)
{
	struct detect *d = arg;
	struct pollfd p[2];
	int fd;

	drain(d);
	while (!aiops_stop && (fd = detect_explain_fd(d)) != -1) {
		/* what is written goes out before the wait */
		if (aiops_out_flush(&d->out) == -1)
			aiops_filter_check_output(&filter);
		p[0].fd = filter.fd;
		p[1].fd = fd;
		p[0].events = p[1].events = POLLIN;
		p[0].revents = p[1].revents = 0;
		if (poll(p, 2, -1) == -1 && errno != EINTR)
			break;
		if (p[1].revents != 0)
			detect_explain_write(d);
		if (p[0].revents != 0)
			break;
	}
}

/* One input line: raw log lines at once, events into the batch. */
static void
handle_line(void *arg, const char *name, const char *line, size_t len, unsigned long lineno)
{
	struct detect *d = arg;
	struct aiops_loghdr *lh;

	if (d->raw) {
		lh = detect_logs_loghdr(d);
		if (!aiops_loghdr_learning(lh) || nheld == sizeof(held) / sizeof(held[0])) {
			release_raw(d);
			raw_line(d, name, line, len, lineno);
			return;
		}
		held[nheld].line = xmalloc(len + 1);
		memcpy(held[nheld].line, line, len);
		held[nheld].len = len;
		held[nheld].name = name;
		held[nheld++].lineno = lineno;
		aiops_loghdr_sample(lh, line, len);
		if (!aiops_loghdr_learning(lh))
			release_raw(d);
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
	detect_explain_finish(d, aiops_stop);
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
	aiops_cli_release(&d->cli);
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
	aiops_cli_init(&d.cli, "aiops-detect", "detect", synopsis, opts);
	parse_options(&d, &o, argc, argv);
	aiops_cli_start(&d.cli);
	configure(&d);
	open_state(&d, &o);
	aiops_hmap_init(&d.restarts);
	detect_series_init(&d, (size_t)aiops_conf_int(d.cfg, "detect.memory",
	    (long long)DETECT_MEMORY_DEFAULT), aiops_conf_duration(d.cfg,
	    "detect.models.retention", DETECT_MODELS_RETENTION));
	aiops_out_init(&d.out, STDOUT_FILENO);
	aiops_filter_init(&filter, &d.cli, &d.out);
	aiops_filter_signals();
	d.batch = aiops_evbatch_new();
	filter.drain = drain_wait;
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
