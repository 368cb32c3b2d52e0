/*
 * kind.h: what kind of quantity a metric measures, and how large a change
 * of it must be to matter (materiality).
 *
 * A statistical score says how surprising a point is for its series; on a
 * series that never moves, 50 -> 50.01 is as surprising as 50 -> 60. An
 * operator asks a second question: is the change large enough to act on?
 * That depends on the kind of quantity, not on the series' history, so
 * aiops-detect writes an anomaly only when the point is both surprising
 * (score >= threshold) and material for its kind (aiops_kind_material()).
 * The score itself is left alone.
 *
 * Kinds, their base units and default smallest material change
 * (|value - baseline| must reach min_change AND min_relative * |baseline|):
 *
 *   kind         base unit            min_change   min_relative
 *   percent      percentage points    5            0
 *   ratio        fraction, 0 to 1     0.05         0
 *   bytes        bytes (or bytes/s)   1 MiB        0.1
 *   count        events               5            0.2
 *   latency      seconds              0.001        0.2
 *   temperature  degrees Celsius      3            0
 *   generic      the metric's own     0            0.1
 *   uptime       seconds              never        (restarts only)
 *   start_time   seconds since epoch  never        (restarts only)
 *
 * A count is judged on events: a count gauge's value is a number of events;
 * a counter's rate (per second) times the seconds since its last sample is
 * the number of events in that interval. An uptime or a start time is a
 * clock, not a measure: its only news is a restart, which the caller
 * reports as a fact (aiops(7), EVENTS), never as a statistical anomaly.
 *
 * Classification (aiops_kind_classify()) reads, strongest first: the
 * OpenMetrics unit the event carries, then the name as Prometheus and
 * Telegraf spell them (a unit suffix before _total/_count/_sum/_bucket,
 * then words such as latency, temp, uptime, errors), then the Prometheus
 * type (a counter not otherwise known counts events). The scale turns the
 * metric's own unit into the base unit (api_latency_ms: 0.001; a MiB gauge:
 * 1048576; Fahrenheit: 5/9).
 *
 * Sources: the Prometheus naming conventions (prometheus.io/docs/practices/
 * naming: base units, _total, _count, _sum, _bucket), the OpenMetrics 1.0
 * UNIT of a family, and the field names of Telegraf's system inputs. The
 * defaults are judgement, set per kind before any scored data was looked
 * at; aiops-detect(1) documents them and the keys that change them.
 *
 * Nothing here allocates, prints or keeps state.
 */
#ifndef AIOPS_KIND_H
#define AIOPS_KIND_H

#include <stddef.h>

enum aiops_kind {
	AIOPS_KIND_GENERIC,
	AIOPS_KIND_PERCENT,
	AIOPS_KIND_RATIO,
	AIOPS_KIND_BYTES,
	AIOPS_KIND_COUNT,
	AIOPS_KIND_LATENCY,
	AIOPS_KIND_TEMPERATURE,
	AIOPS_KIND_UPTIME,
	AIOPS_KIND_START_TIME,
	AIOPS_KIND_N
};

/* The smallest material change, in the kind's base unit (above). */
struct aiops_kind_rule {
	double	min_change;	/* absolute, >= 0; HUGE_VAL: never material */
	double	min_relative;	/* of |baseline|, >= 0 */
};

/* What aiops_kind_classify() found. */
struct aiops_kind_class {
	enum aiops_kind	kind;
	double		scale;		/* value * scale = base units; > 0 */
};

/* "percent", "generic"...: the name used in the configuration and events. */
const char *aiops_kind_name(enum aiops_kind k);
/* The kind named name[0..len): 0 and *k set, or -1 for no such kind. */
int aiops_kind_parse(const char *name, size_t len, enum aiops_kind *k);
/* "percent|ratio|...": the names, for the configuration schema. */
const char *aiops_kind_names(void);
/* The built-in rule of a kind. */
void aiops_kind_default_rule(enum aiops_kind k, struct aiops_kind_rule *r);
/* 1 if the kind can be material at all (not uptime or start_time). */
int aiops_kind_has_rule(enum aiops_kind k);

/*
 * The kind of the metric name[0..nlen) with its OpenMetrics unit and
 * Prometheus metric_type (each NULL when the event does not say); counter
 * is 1 when the caller scores the series on its rate.
 */
void aiops_kind_classify(const char *name, size_t nlen, const char *unit,
    const char *metric_type, int counter, struct aiops_kind_class *c);

/*
 * Is a point of value `value` against `baseline` (both in the metric's own
 * unit, or per second for a counter's rate) a material change under rule r
 * for a metric of class c? events_per_unit turns a count kind's value into
 * events: 1 for a gauge, the seconds since the previous sample for a
 * counter's rate; it is ignored for other kinds. 1 or 0.
 */
int aiops_kind_material(const struct aiops_kind_class *c, const struct aiops_kind_rule *r,
    double value, double baseline, double events_per_unit);

#endif
