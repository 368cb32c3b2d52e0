/*
 * forecast.h: the parts of aiops-forecast (main.c: options and the input
 * loop; series.c: points gathered per series, from events or the state;
 * rules.c: the thresholds and the series they apply to; predict.c: a
 * series' forecast, its predictions and what the state remembers of
 * them; charts.c: --plot and --spark).
 */
#ifndef AIOPS_FORECAST_PROG_H
#define AIOPS_FORECAST_PROG_H

#include <stddef.h>
#include <stdint.h>

#include "config/conf.h"
#include "core/buf.h"
#include "core/hmap.h"
#include "event/event.h"
#include "forecast/forecast.h"
#include "io/out.h"
#include "store/state.h"
#include "tool/cli.h"

/* History a series keeps for its fit, in grid steps (the newest). */
#define FC_MAX_HISTORY		8064	/* 4 weeks of 5 minutes, 48 weeks of hours */
/*
 * A horizon given as a duration stops here, in steps: a forecast event
 * of 4096 points is about 400 KB, within the 1 MiB line of the programs
 * reading it.
 */
#define FC_MAX_HORIZON		4096
/* --threshold may be given this often. */
#define FC_MAX_CLI_THRESHOLDS	16

/* A threshold rule (rules.c): built-in, from the configuration, or --threshold. */
struct fc_rule {
	char		*id;		/* its key under forecast.thresholds, or "threshold" */
	char		*name;		/* glob on the metric name; NULL: every metric */
	double		 value;
	int		 dir;		/* 1 above (at or over), -1 below (at or under) */
	char		*unit;		/* NULL: any */
	char		*type;		/* NULL: any */
	json_t		*labels;	/* object of exact matches, or NULL (owned) */
};

/* A series: its identity and the points read for it. */
struct fseries {
	const char		*key;		/* series key (hmap's copy) */
	char			*name;
	char			*host;		/* or NULL */
	char			*cluster;	/* or NULL */
	char			*unit;		/* or NULL */
	char			*metric_type;	/* or NULL */
	struct aiops_label	*labels;	/* sorted, strings in lblob */
	size_t			 nlabels;
	char			*lblob;
	int			 counter;	/* forecast as its per-second rate */
	int64_t			*ts;		/* ns */
	double			*v;
	size_t			 n, cap;
};

struct fc_horizon {
	int64_t		 dur;		/* ns, or 0 when given in steps */
	size_t		 steps;		/* when given in steps */
};

struct fcast {
	struct aiops_cli	 cli;
	struct aiops_conf	*cfg;		/* borrowed from cli */
	struct aiops_state	*state;		/* NULL with --no-state */
	struct aiops_out	 out;
	struct aiops_evbatch	*batch;
	int			 all;		/* --all: pass the input through */
	int			 spark;		/* --spark: text lines, not events */
	int			 utf8;		/* the locale's codeset is UTF-8 */
	const char		*plot;		/* --plot file, or NULL */
	struct fc_horizon	 horizon;
	double			 level;		/* (0, 1) */
	const char		*model;		/* "auto" or a model's name */
	double			 reemit_share;
	int64_t			 retention;	/* ns, of stored predictions; 0: keep */
	const json_t		*counters;	/* forecast.counters globs, or NULL */
	struct fc_rule		*rules;
	size_t			 nrules;
	struct aiops_hmap	 series;	/* key -> struct fseries, first seen first */
	struct aiops_buf	 key;		/* scratch */
	struct aiops_buf	 line;		/* fastpath.c's copy of a line */
	struct aiops_buf	 svg;		/* --plot: the panels kept */
	struct fc_panels	*panels;	/* charts.c */
	struct fc_ops		*ops;		/* predict.c: state writes at the end */
	unsigned long		 nforecasts, npredictions, ncleared;
	int			 status;	/* EX_DATAERR when a series was refused */
	/* where the current input line is, for messages */
	const char		*name;
	unsigned long		 lineno;
	char			 err[512];
};

/* main.c */
/* A failure of the state: says what was being done, exits its status. */
void forecast_state_fatal(struct fcast *fc, const char *what) __attribute__((noreturn));

/* series.c */
void forecast_series_init(struct fcast *fc);
void forecast_series_free(struct fcast *fc);
/* A metric event's point into its series. 0, or -1 with fc->err set. */
int forecast_series_event(struct fcast *fc, const json_t *ev);
/* A metric's point into its series (labels sorted). */
void forecast_series_point(struct fcast *fc, const struct aiops_metric *m);
/*
 * The stored history since `since` (ns) into the series, at the
 * resolution a horizon of hdur ns asks for (mstore.h). hdur 0: raw.
 */
void forecast_series_from_state(struct fcast *fc, int64_t since, int64_t hdur);
/* Is the series of this name and type a counter, forecast on its rate? */
int forecast_is_counter(const struct fcast *fc, const char *name, const char *metric_type);

/* fastpath.c */
/*
 * A metric event of the common shape, read without jansson into m (its
 * strings in copy, which the caller keeps until it is done with m): 0,
 * or -1 for any other line, which aiops_evread_metric() then reads.
 */
int forecast_fast_metric(struct aiops_buf *copy, const char *line, size_t len,
    struct aiops_metric *m, struct aiops_label *lab);

/* rules.c */
/* The rules: --threshold's if any, else the built-in ones under the configuration's. */
void forecast_rules_init(struct fcast *fc, const char *const *cli, size_t ncli);
void forecast_rules_free(struct fcast *fc);
/* Parses "90", "<14", ">=90" into r (id "threshold"). 0, or -1. */
int forecast_rule_parse_cli(const char *arg, struct fc_rule *r);
/* Does rule r apply to series s? */
int forecast_rule_applies(const struct fc_rule *r, const struct fseries *s);

/* predict.c */
/* Forecasts every series, first seen first, and writes what it found. */
void forecast_all(struct fcast *fc);

/* charts.c */
struct fc_chart_mark {
	int		 has_threshold;
	double		 threshold;
	double		 eta, eta_lo, eta_hi;	/* steps, -1: none */
	char		 text[160];		/* "90 at ... (in 55 h, 40 to 70 h)", or "" */
};
/* Keeps a series' chart for --plot, or prints its --spark line. */
void forecast_chart(struct fcast *fc, const struct fseries *s, const double *y,
    size_t n, int64_t t0, int64_t step, const struct aiops_fc *f,
    const struct fc_chart_mark *mark);
/* Writes the --plot file (exits EX_CANTCREAT when it cannot). */
void forecast_charts_finish(struct fcast *fc);

#endif
