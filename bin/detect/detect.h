/*
 * detect.h: the parts of aiops-detect (main.c: options and the input loop;
 * metrics.c: per-series metric detectors; series.c: the series and their
 * models under the memory budget; logs.c: template mining and log
 * anomalies).
 */
#ifndef AIOPS_DETECT_H
#define AIOPS_DETECT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "tool/cli.h"
#include "config/conf.h"
#include "event/event.h"
#include "event/evread.h"
#include "core/hmap.h"
#include "detect/kind.h"
#include "detect/mdetect.h"
#include "io/out.h"
#include "store/anomalies.h"
#include "store/state.h"

/* Save models at least this often during a long run (points). */
#define DETECT_SAVE_EVERY	200000

/*
 * detect.memory by default: 1,000,000 series all resident (a 1,600-byte
 * model chunk, about 160 bytes of series and key, 24 of index and dirty
 * list: 1.78 GB; the default leaves room for keys up to about 130 bytes)
 * within 2 GB of RSS (aiops-detect(1), bench/detect-speed).
 */
#define DETECT_MEMORY_DEFAULT	(1792ULL << 20)
/* detect.models.retention by default: a model not updated for 30 days goes. */
#define DETECT_MODELS_RETENTION	(30LL * 86400 * 1000000000)

struct logdet;
struct correlator;
struct series_table;
struct explainer;

/*
 * A metric series (series.c): from its first point to the end of the run,
 * about a hundred bytes and its key; its model only while resident.
 */
struct series {
	struct aiops_mdetect	*model;		/* NULL: not resident (evicted, or not yet) */
	struct series		*newer, *older;	/* series.c: the list of resident models */
	const char		*name;		/* the metric: in key[], after the key's NUL */
	double			 threshold;
	/*
	 * The last raw sample, or 0: a counter's, for its rate; an uptime's
	 * or a start time's, to see it restart. Saved with the model.
	 */
	int64_t			 counter_ts;
	double			 counter_value;
	/* materiality (kind.h): set with the model's settings */
	struct aiops_kind_class	 cls;
	struct aiops_kind_rule	 rule;
	unsigned long		 held_line;	/* input line of a far-future point held */
	uint32_t		 hash;		/* series.c: of the key, for the index */
	uint32_t		 klen;
	unsigned		 counter:1;	/* scored as a per-second rate */
	unsigned		 dirty:1;	/* the model changed since it was saved */
	unsigned		 listed:1;	/* series.c: on the dirty list */
	unsigned		 loaded:1;	/* series.c: its model was resident once */
	unsigned		 used:1;	/* series.c: used since it came to the list's end */
	unsigned		 warned_future:1;	/* said once per series and run */
	char			 key[];		/* name{host=...,labels}, NUL, the name, NUL */
};

/* An anomaly or alert offered to the correlator (incidents.c). */
struct detect_member {
	int64_t		 ts;
	const char	*kind;		/* metric | log | alert */
	const char	*detector;	/* level, spike, restart, new-template, ...; or NULL */
	const char	*host;		/* or NULL */
	size_t		 hlen;
	const char	*cluster;	/* or NULL */
	const char	*what;		/* metric name, template, alert name */
	size_t		 wlen;
	const char	*series;	/* a metric's series key (NUL-terminated); or NULL */
	const char	*service;	/* a log's program; or NULL */
	size_t		 slen;
	/* a metric's labels (sorted by key), which tell its device or path */
	const struct aiops_label *labels;
	size_t		 nlabels;
	/*
	 * A log's RFC 5424 level (0-7), an alert's severity as a level
	 * (critical 2, warning 4, info 6); -1: none (a metric).
	 */
	int		 level;
	int		 resolved;	/* an alert's end: joins, never opens */
	double		 score;
	double		 value;		/* a metric's value (its rate for a counter); NAN: none */
	double		 deviation;	/* and its signed robust z; 0: none */
	const char	*id;		/* its event's id, AIOPS_EVENT_ID_LEN digits; or NULL */
	const char	*event;		/* without an id: its event, JSON, hashed instead */
	size_t		 elen;
};

struct detect {
	struct aiops_cli		 cli;
	struct aiops_conf		*cfg;		/* checked (borrowed from cli) */
	struct aiops_state		*state;		/* NULL with --no-state */
	struct aiops_out		 out;
	int				 all;		/* --all: annotate every event */
	double				 threshold;	/* alert when score >= it */
	int				 threshold_set;
	struct aiops_mdetect_params	 params;
	const json_t			*overrides;	/* detect.metrics (borrowed) */
	const json_t			*counters;	/* detect.counters globs */
	/* detect.materiality, by kind, in base units (kind.h) */
	struct aiops_kind_rule		 materiality[AIOPS_KIND_N];
	struct series_table		*series;	/* series.c */
	struct aiops_hmap		 restarts;	/* host -> int64_t ts of its last restart */
	struct aiops_buf		 scratch;
	unsigned long			 nmetrics;
	unsigned long			 nanomalies;
	unsigned long			 since_save;
	double				 min_alert_value;	/* derived rates: volume needed */
	struct logdet			*logs;		/* logs.c */
	struct correlator		*corr;		/* incidents.c, with --correlate */
	struct explainer		*explain;	/* explain.c; NULL: no explanations */
	int				 raw;		/* --raw: input lines are log lines */
	struct aiops_evbatch		*batch;		/* events read, not yet handled */
	/*
	 * out.buf up to here may be written out: whole records of points
	 * handled, and anomalies stored. A failure of the state takes back
	 * what follows (detect_state_fatal()).
	 */
	size_t				 out_safe;
	/* where the current input line is, for messages */
	const char			*name;
	unsigned long			 lineno;
	char				 err[512];
};

/* main.c */
/*
 * A failure of the state: writes out what was stored (d->out_safe), takes
 * back the rest, and exits at once with aiops_state_exit_status(), saying
 * what was being done. Every function below that touches the state ends
 * here when it fails.
 */
void detect_state_fatal(struct detect *d, const char *what) __attribute__((noreturn));

/* metrics.c */
/*
 * One metric event (ev, parsed from line[0..len), or line NULL when it
 * came from the state): score it, write it (with --all) and any anomaly.
 * 0, or -1 with d->err set (the event was malformed: nothing written).
 */
int detect_metric(struct detect *d, json_t *ev, const char *line, size_t len);
/*
 * One point: ev and line are the input event and its bytes (for --all), or
 * NULL for points derived here (log rates), which are scored silently.
 */
void detect_point(struct detect *d, struct aiops_metric *m, const json_t *ev,
    const char *line, size_t len);
/* Feeds stored points since `since` (ns) through detect_metric. */
void detect_from_state(struct detect *d, int64_t since);
/*
 * The settings of series s from its metric m, when its model is made
 * resident (first seen, or loaded again after an eviction): s->counter,
 * s->threshold, its kind and materiality rule, and the model's parameters p.
 */
void detect_series_setup(const struct detect *d, struct series *s,
    const struct aiops_metric *m, struct aiops_mdetect_params *p);

/* series.c */
/*
 * The series table: budget (bytes, detect.memory) bounds the series and
 * their resident models together; stored models not updated for retention
 * (ns; 0: never) are deleted once a run.
 */
void detect_series_init(struct detect *d, size_t budget, int64_t retention);
/*
 * The series of m with its model resident, most recently used now and on
 * the list of the changed (the caller updates its model). Other models may
 * be evicted (saved first) to keep within the budget.
 */
struct series *series_get(struct detect *d, const struct aiops_metric *m);
/* Saves the models that changed, in one transaction. */
void detect_save_models(struct detect *d);
void detect_metrics_free(struct detect *d);

/*
 * Stores an anomaly event written to the output (all kinds): a->event
 * holds the event and a->id its id, as aiops_event_begin() gave it. Then
 * ends its record, which may now be written out: an anomaly reaches the
 * output only once it is stored.
 */
void detect_store_anomaly(struct detect *d, struct aiops_anomaly *a);

/* logs.c */
/*
 * detect.logs.max_templates by default: a program's templates, past which
 * its new kinds of line share its overflow template. A program's own
 * messages make hundreds at most; text that never forms templates (free
 * text, binary) makes one a line, and the miner holds each.
 */
#define DETECT_MAX_TEMPLATES	10000
/* The settings of the log part (aiops-detect(1)). */
struct detect_logs_conf {
	uint64_t	warmup;		/* detect.logs.warmup: lines before new templates alert */
	double		min_burst;	/* detect.logs.min_burst */
	int64_t		retention;	/* detect.logs.retention, ns; 0 keeps all */
	uint64_t	max_templates;	/* detect.logs.max_templates; 0: no cap */
};
void detect_logs_init(struct detect *d, const struct detect_logs_conf *conf);
/* A log event: mine it, count it, flag what is new. -1 with d->err. */
int detect_log(struct detect *d, json_t *ev, const char *line, size_t len);
/* A raw log line (--raw). */
int detect_raw(struct detect *d, const char *line, size_t len);
/* The learner of the raw lines' header (lib/detect/logmine.h). */
struct aiops_loghdr *detect_logs_loghdr(struct detect *d);
void detect_logs_save(struct detect *d);
void detect_logs_free(struct detect *d);
/*
 * --search: stored templates and lines matching an FTS5 query, best first,
 * as search results. 0, or -1 with d->err set when the query is not valid.
 */
int detect_search(struct detect *d, const char *query, int64_t since, int limit);

/* incidents.c */
/* The settings of --correlate (aiops-detect(1)), all in ns. */
struct detect_correlate_conf {
	int64_t	window;		/* detect.correlate.window: evidence together */
	int64_t	close_after;	/* detect.correlate.close_after */
	int64_t	min_duration;	/* detect.correlate.min_duration */
	int64_t	retention;	/* detect.incidents.retention; 0: kept */
};
void detect_correlate_init(struct detect *d, const struct detect_correlate_conf *conf);
/* Offers an anomaly or alert; no-op without --correlate. */
void detect_correlate(struct detect *d, const struct detect_member *m);
/*
 * A log line mined (not new, or in the warm-up), as a member: it joins
 * when it says something broke (critical, or a known failure such as the
 * OOM killer), however often it was seen before.
 */
void detect_correlate_line(struct detect *d, const struct detect_member *m);
/*
 * A point of series `series` that made no anomaly, value v (a counter's
 * rate): it tells whether a resource found exhausted stays so. Cheap when
 * nothing is watched.
 */
void detect_correlate_point(struct detect *d, const char *series,
    const struct aiops_metric *m, double v);
/* An input event of type alert or anomaly (from upstream). */
void detect_correlate_event(struct detect *d, const json_t *ev, const char *line, size_t len);
/* Resolves incidents quiet for close_after on the toolkit clock. */
void detect_correlate_tick(struct detect *d);
void detect_correlate_free(struct detect *d);

/* explain.c */
/* The settings of explanations (aiops-detect(1)). */
struct detect_explain_conf {
	int	required;	/* --explain: no model is an error */
	int	per_minute;	/* detect.explain.per_minute: models asked at most, > 0 */
	int64_t	timeout;	/* detect.explain.timeout, ns: one answer at most */
};
/*
 * Starts the explainer when the ask section names a model: 1, or 0 when
 * there is none (d->explain stays NULL, no thread). Without one, or with
 * the ask section wrong, conf->required exits EX_CONFIG; else a wrong
 * section is a warning.
 */
int detect_explain_init(struct detect *d, const struct detect_explain_conf *conf);
/* An incident event as written (incidents.c report()); all borrowed. */
struct detect_incident_view {
	const char	*id;		/* incident_id */
	const char	*status;	/* open, updated, resolved */
	const char	*severity;
	const char	*title;
	const char	*host;		/* the suspected cause's, or NULL */
	const json_t	*hosts;
	const json_t	*members;	/* as the event has them */
	const json_t	*root;		/* root_cause */
	size_t		 nmembers;	/* member_count */
};
/*
 * Offers an incident just written: a confirmed one (open or updated with
 * two members or more, or critical) not yet explained gets a job within
 * the budget; others are no-ops. No-op without the explainer.
 */
void detect_explain_offer(struct detect *d, const struct detect_incident_view *v);
/* Writes the explanations that are ready to d->out. Never waits. */
void detect_explain_write(struct detect *d);
/* A descriptor that turns readable when an explanation is done, or -1 when none is pending. */
int detect_explain_fd(struct detect *d);
/*
 * At the end: waits for the jobs left (each within its timeout; with
 * cancel, only the one running), writes their events, stops the thread.
 */
void detect_explain_finish(struct detect *d, int cancel);

#endif
