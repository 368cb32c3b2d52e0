/*
 * aiops-forecast: reads metric events (or the stored history), forecasts
 * each series with a prediction interval, and tells when one will cross
 * a threshold. A one-shot filter: it reads to the end of its input (or a
 * SIGINT or SIGTERM), then forecasts every series it read.
 */
#include "compat.h"

#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "event/evread.h"
#include "forecast.h"
#include "forecast/forecast.h"
#include "tool/filter.h"
#include "tool/log.h"

enum {
	OPT_ALL = AIOPS_OPT_PROGRAM_BASE,
	OPT_FROM_STATE,
	OPT_HORIZON,
	OPT_LEVEL,
	OPT_MODEL,
	OPT_NO_STATE,
	OPT_PLOT,
	OPT_SINCE,
	OPT_SPARK,
	OPT_THRESHOLD,
};

static const char synopsis[] =
    "aiops-forecast [-hqVv] [--all | --spark] [--horizon n|duration] [--level l]\n"
    "                      [--model name] [--threshold [<]value ...] [--plot file.svg]\n"
    "                      [--from-state [--since duration] | --no-state] [--state file]\n"
    "                      [--config file] [--strict] [--max-line bytes]\n"
    "                      [--clock wall|event] [--log-format plain|json] [file ...]";

static const struct aiops_opt opts[] = {
	{ "horizon", OPT_HORIZON, "H", "how far ahead: a number of steps, or a duration\n"
	    "(3d) in steps of each series (default 7d)" },
	{ "level", OPT_LEVEL, "L", "the interval's coverage: 95 or 0.95 (default 95)" },
	{ "model", OPT_MODEL, "NAME", "one model for every series (default auto: chosen per\n"
	    "series on its own history)" },
	{ "threshold", OPT_THRESHOLD, "[<]V", "predict when every series reaches V (at or above),\n"
	    "or <V (at or below), in place of the configured thresholds;\n"
	    "repeatable" },
	{ "all", OPT_ALL, NULL, "write every input event too, unchanged, before the forecasts" },
	{ "spark", OPT_SPARK, NULL, "write a text line per series with a sparkline, not events" },
	{ "plot", OPT_PLOT, "FILE", "draw every series, its forecast and thresholds into an SVG file" },
	{ "from-state", OPT_FROM_STATE, NULL, "forecast the stored history, not the input" },
	{ "since", OPT_SINCE, "DUR", "with --from-state, how far back (default 4 horizons,\n"
	    "at least 2 days)" },
	{ "no-state", OPT_NO_STATE, NULL, "keep nothing: every prediction is told, none stored" },
	AIOPS_OPT_END
};

struct options {
	int		 from_state;
	int		 no_state;
	const char	*since;
	const char	*thresholds[FC_MAX_CLI_THRESHOLDS];
	size_t		 nthresholds;
};

static struct fcast fc;
static struct aiops_filter filter;

static void
parse_options(struct options *o, int argc, char **argv)
{
	int ch;

	while ((ch = aiops_cli_getopt(&fc.cli, argc, argv)) != -1) {
		switch (ch) {
		case OPT_ALL:
			fc.all = 1;
			break;
		case OPT_FROM_STATE:
			o->from_state = 1;
			break;
		case OPT_HORIZON:
			aiops_cli_set(&fc.cli, "--horizon", "forecast.horizon", optarg);
			break;
		case OPT_LEVEL:
			aiops_cli_set(&fc.cli, "--level", "forecast.level", optarg);
			break;
		case OPT_MODEL:
			aiops_cli_set(&fc.cli, "--model", "forecast.model", optarg);
			break;
		case OPT_NO_STATE:
			o->no_state = 1;
			break;
		case OPT_PLOT:
			fc.plot = optarg;
			break;
		case OPT_SINCE:
			o->since = optarg;
			break;
		case OPT_SPARK:
			fc.spark = 1;
			break;
		case OPT_THRESHOLD:
			if (o->nthresholds == FC_MAX_CLI_THRESHOLDS)
				fatalx(EX_USAGE, "--threshold: at most %d", FC_MAX_CLI_THRESHOLDS);
			o->thresholds[o->nthresholds++] = optarg;
			break;
		default:
			aiops_cli_usage(&fc.cli);
		}
	}
	if (o->from_state && o->no_state)
		fatalx(EX_USAGE, "--from-state needs the state: drop --no-state");
	if (o->since != NULL && !o->from_state)
		fatalx(EX_USAGE, "--since goes with --from-state");
	if (o->from_state && optind < argc)
		fatalx(EX_USAGE, "--from-state reads no input files");
	if (fc.all && fc.spark)
		fatalx(EX_USAGE, "--spark writes text, --all events: choose one");
}

/*
 * A setting the schema let through that is bad all the same: where it
 * was set and what is wrong; EX_USAGE for an option, else EX_CONFIG.
 */
static void __attribute__((format(printf, 2, 3), noreturn))
bad_setting(const char *path, const char *fmt, ...)
{
	char where[256], what[512];
	va_list ap;

	aiops_conf_where(fc.cfg, path, where, sizeof(where));
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	fatalx(where[0] == '-' ? EX_USAGE : EX_CONFIG, "%s: %s", where, what);
}

/*
 * A horizon: a number of steps ("48") or a duration ("3d"); exits
 * EX_USAGE (or EX_CONFIG when it came from the file) if it is neither.
 */
static void
parse_horizon(const char *text)
{
	long long n;
	int64_t ns;

	memset(&fc.horizon, 0, sizeof(fc.horizon));
	if (*text != '\0' && text[strspn(text, "0123456789")] == '\0') {
		n = strlen(text) <= 7 ? atoll(text) : 0;
		if (n >= 1 && n <= 1000000) {
			fc.horizon.steps = (size_t)n;
			return;
		}
	} else if (aiops_duration_parse(text, &ns) == 0 && ns > 0) {
		fc.horizon.dur = ns;
		return;
	}
	bad_setting("forecast.horizon", "%s: expected a number of steps from 1 to 1000000,"
	    " or a duration such as 3d", text);
}

/* 95 or 0.95: a share of 1, or percent from 1 on. */
static double
parse_level(double v)
{
	if (v >= 1)
		v /= 100;
	if (!(v > 0 && v < 1))
		bad_setting("forecast.level", "%.15g: expected a coverage from 0 to 100 (95), or"
		    " 0 to 1 (0.95)", v >= 1 ? v * 100 : v);
	return v;
}

/* The settings, checked: the command line over the environment over the file. */
static void
configure(const struct options *o)
{
	fc.cfg = fc.cli.cfg;
	parse_horizon(aiops_conf_string(fc.cfg, "forecast.horizon", "7d"));
	fc.level = parse_level(aiops_conf_number(fc.cfg, "forecast.level", 95));
	fc.model = aiops_conf_string(fc.cfg, "forecast.model", "auto");
	if (!aiops_fc_model_known(fc.model))
		bad_setting("forecast.model", "%s: not a model aiops-forecast knows (see"
		    " aiops-forecast(1))", fc.model);
	fc.reemit_share = aiops_conf_number(fc.cfg, "forecast.reemit_share", 0.10);
	fc.retention = aiops_conf_duration(fc.cfg, "forecast.retention",
	    30 * 86400 * AIOPS_NS_PER_SEC);
	fc.counters = aiops_conf_get(fc.cfg, "forecast.counters");
	forecast_rules_init(&fc, o->thresholds, o->nthresholds);
}

/* Sparklines in blocks only where the terminal's codeset is UTF-8. */
static void
locale_setup(void)
{
	const char *cs;

	if (setlocale(LC_CTYPE, "") == NULL)
		return;
	cs = nl_langinfo(CODESET);
	fc.utf8 = cs != NULL && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
	setlocale(LC_CTYPE, "C");	/* nothing else may depend on it */
}

void
forecast_state_fatal(struct fcast *f, const char *what)
{
	(void)aiops_out_flush(&f->out);
	fatalx(aiops_state_exit_status(f->state), "%s: %s: %s", aiops_state_path(f->state),
	    what, aiops_state_errmsg(f->state));
}

/* One event: a metric's point is kept; with --all every event goes through. */
static void
handle_event(void *arg, const struct aiops_evline *l)
{
	const char *type;

	(void)arg;
	fc.name = l->name;
	fc.lineno = l->lineno;
	if (l->rc == 1)
		return;
	if (l->rc == -1) {
		aiops_filter_skip(&filter, l->name, l->lineno, l->err);
		return;
	}
	type = json_string_value(json_object_get(l->ev, "type"));
	if (type != NULL && strcmp(type, "metric") == 0 && forecast_series_event(&fc, l->ev) == -1) {
		aiops_filter_skip(&filter, l->name, l->lineno, fc.err);
		return;
	}
	if (fc.all) {
		aiops_buf_add(&fc.out.buf, l->line, l->len);
		aiops_out_end(&fc.out);
		aiops_out_commit(&fc.out);
	}
}

/* Lines in the batch, not handled yet. */
static size_t pending;

static void
drain(void *arg)
{
	(void)arg;
	aiops_evbatch_run(fc.batch, handle_event, NULL);
	pending = 0;
}

/*
 * A metric event of the common shape is read at once (fastpath.c); other
 * lines go through the batch, which is handled first, so that points and
 * lines keep their order (the last point of a series at a time wins).
 */
static void
handle_line(void *arg, const char *name, const char *line, size_t len, unsigned long lineno)
{
	struct aiops_label lab[AIOPS_MAX_LABELS];
	struct aiops_metric m;

	(void)arg;
	if (forecast_fast_metric(&fc.line, line, len, &m, lab) == 0) {
		if (pending > 0)
			drain(NULL);
		forecast_series_point(&fc, &m);
		if (fc.all) {
			aiops_buf_add(&fc.out.buf, line, len);
			aiops_out_end(&fc.out);
			aiops_out_commit(&fc.out);
		}
		return;
	}
	pending++;
	if (aiops_evbatch_add(fc.batch, name, line, len, lineno))
		drain(NULL);
}

static void
read_input(const char *path)
{
	aiops_filter_read(&filter, path, handle_line, NULL);
	drain(NULL);
	aiops_filter_check_output(&filter);
}

/* --from-state: the resolution and how far back follow from the horizon. */
static void
read_state(const struct options *o)
{
	int64_t hdur = fc.horizon.dur, since;

	/* a horizon in steps is taken as steps of 5 minutes for the choice */
	if (hdur == 0)
		hdur = (int64_t)fc.horizon.steps * 300 * AIOPS_NS_PER_SEC;
	if (o->since != NULL)
		since = aiops_cli_duration("--since", o->since);
	else {
		since = hdur > INT64_MAX / 4 ? INT64_MAX / 4 : 4 * hdur;
		if (since < 2 * 86400 * AIOPS_NS_PER_SEC)
			since = 2 * 86400 * AIOPS_NS_PER_SEC;
	}
	forecast_series_from_state(&fc, aiops_clock_now() - since, hdur);
}

static int
finish(void)
{
	int status;

	forecast_all(&fc);
	forecast_charts_finish(&fc);
	if (aiops_out_close(&fc.out) == -1)
		aiops_filter_check_output(&filter);
	aiops_evbatch_free(fc.batch);
	forecast_series_free(&fc);
	forecast_rules_free(&fc);
	if (fc.state != NULL && aiops_state_close(fc.state) == -1)
		log_error("closing the state file failed");
	status = aiops_filter_status(&filter);
	aiops_cli_release(&fc.cli);
	return status;
}

int
main(int argc, char **argv)
{
	struct options o;
	int i;

	memset(&o, 0, sizeof(o));
	locale_setup();
	aiops_cli_init(&fc.cli, "aiops-forecast", "forecast", synopsis, opts);
	parse_options(&o, argc, argv);
	aiops_cli_start(&fc.cli);
	configure(&o);
	if (!o.no_state)
		fc.state = aiops_cli_state(&fc.cli, 0, ", or use --no-state");
	forecast_series_init(&fc);
	aiops_out_init(&fc.out, STDOUT_FILENO);
	aiops_filter_init(&filter, &fc.cli, &fc.out);
	aiops_filter_signals();
	fc.batch = aiops_evbatch_new();
	filter.drain = drain;
	if (o.from_state)
		read_state(&o);
	else if (optind == argc)
		read_input("-");
	else
		for (i = optind; i < argc && !aiops_stop; i++)
			read_input(argv[i]);
	return finish();
}
