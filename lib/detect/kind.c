/*
 * kind.c: metric kinds and materiality (see kind.h for the table).
 *
 * The names are read as the Prometheus naming conventions write them
 * (prometheus.io/docs/practices/naming: a base-unit suffix such as
 * _seconds, _bytes or _ratio, then _total for a counter) and as Telegraf's
 * inputs name their fields (cpu_usage_*, mem_used, net_bytes_*, *_percent).
 * The defaults are the change an operator would act on, chosen per kind
 * before looking at any scored data: a few percentage points, a tenth of a
 * byte quantity, five events, a fifth of a latency above a millisecond, a
 * few degrees; of anything else a tenth of its magnitude.
 */
#include "compat.h"

#include <math.h>
#include <string.h>
#include <strings.h>

#include "detect/kind.h"

#define MAX_TOKENS	24
#define MIB		1048576.0

static const char *const names[AIOPS_KIND_N] = {
	"generic", "percent", "ratio", "bytes", "count", "latency", "temperature",
	"uptime", "start_time",
};

static const struct aiops_kind_rule defaults[AIOPS_KIND_N] = {
	[AIOPS_KIND_GENERIC] = { 0, 0.1 },
	[AIOPS_KIND_PERCENT] = { 5, 0 },
	[AIOPS_KIND_RATIO] = { 0.05, 0 },
	[AIOPS_KIND_BYTES] = { MIB, 0.1 },
	[AIOPS_KIND_COUNT] = { 5, 0.2 },
	[AIOPS_KIND_LATENCY] = { 0.001, 0.2 },
	[AIOPS_KIND_TEMPERATURE] = { 3, 0 },
	[AIOPS_KIND_UPTIME] = { HUGE_VAL, 0 },
	[AIOPS_KIND_START_TIME] = { HUGE_VAL, 0 },
};

const char *
aiops_kind_name(enum aiops_kind k)
{
	return (unsigned)k < AIOPS_KIND_N ? names[k] : "generic";
}

int
aiops_kind_parse(const char *name, size_t len, enum aiops_kind *k)
{
	size_t i;

	for (i = 0; i < AIOPS_KIND_N; i++)
		if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0) {
			*k = (enum aiops_kind)i;
			return 0;
		}
	return -1;
}

const char *
aiops_kind_names(void)
{
	return "generic|percent|ratio|bytes|count|latency|temperature|uptime|start_time";
}

void
aiops_kind_default_rule(enum aiops_kind k, struct aiops_kind_rule *r)
{
	*r = defaults[(unsigned)k < AIOPS_KIND_N ? k : AIOPS_KIND_GENERIC];
}

int
aiops_kind_has_rule(enum aiops_kind k)
{
	return k != AIOPS_KIND_UPTIME && k != AIOPS_KIND_START_TIME;
}

/* ---- classification ---- */

/* A name cut at '_' and ':' into words (pointers into the name). */
struct words {
	const char	*w[MAX_TOKENS];
	size_t		 len[MAX_TOKENS];
	size_t		 n;
};

static void
split(const char *name, size_t nlen, struct words *t)
{
	size_t i = 0;

	t->n = 0;
	while (i < nlen && t->n < MAX_TOKENS) {
		size_t j = i;

		while (j < nlen && name[j] != '_' && name[j] != ':')
			j++;
		if (j > i) {
			t->w[t->n] = name + i;
			t->len[t->n++] = j - i;
		}
		i = j + 1;
	}
}

/* Is word i one of the |-separated words of set (any case)? */
static int
word_in(const struct words *t, size_t i, const char *set)
{
	const char *p = set;

	if (i >= t->n)
		return 0;
	while (*p != '\0') {
		size_t n = strcspn(p, "|");

		if (n == t->len[i] && strncasecmp(p, t->w[i], n) == 0)
			return 1;
		p += n;
		if (*p == '|')
			p++;
	}
	return 0;
}

/* The first of words [from, to) in set, or -1. */
static int
find_word(const struct words *t, size_t from, size_t to, const char *set)
{
	size_t i;

	for (i = from; i < to && i < t->n; i++)
		if (word_in(t, i, set))
			return (int)i;
	return -1;
}

/* A unit word and how many base units it is. */
struct unit {
	const char	*set;		/* its spellings, "|"-separated */
	double		 scale;
};

/* Units of time as names and OpenMetrics units spell them, in seconds. */
static const struct unit time_units[] = {
	{ "seconds|second|secs|sec|s", 1 },
	{ "milliseconds|millisecond|millis|ms", 1e-3 },
	{ "microseconds|microsecond|micros|us", 1e-6 },
	{ "nanoseconds|nanosecond|nanos|ns", 1e-9 },
	{ "minutes|minute|mins", 60 },
	{ NULL, 0 },
};

/* Units of size, in bytes. */
static const struct unit byte_units[] = {
	{ "bytes|byte|octets|b", 1 },
	{ "kib|kb|kilobytes|kbytes", 1024 },
	{ "mib|mb|megabytes|mbytes", MIB },
	{ "gib|gb|gigabytes|gbytes", MIB * 1024 },
	{ "bits", 0.125 },
	{ NULL, 0 },
};

/* Is s[0..len) one of the units u? 1 and *scale set, or 0. */
static int
unit_in(const struct unit *u, const char *s, size_t len, double *scale)
{
	struct words t;

	t.w[0] = s;
	t.len[0] = len;
	t.n = 1;
	for (; u->set != NULL; u++)
		if (word_in(&t, 0, u->set)) {
			*scale = u->scale;
			return 1;
		}
	return 0;
}

static int
time_unit(const char *s, size_t len, double *scale)
{
	return unit_in(time_units, s, len, scale);
}

static int
byte_unit(const char *s, size_t len, double *scale)
{
	return unit_in(byte_units, s, len, scale);
}

static void
set(struct aiops_kind_class *c, enum aiops_kind k, double scale)
{
	c->kind = k;
	c->scale = scale;
}

/* A quantity of time: a clock (uptime, a start time) or a duration. */
static void
time_kind(const struct words *t, int counter, double scale, struct aiops_kind_class *c)
{
	if (find_word(t, 0, t->n, "uptime") >= 0)
		set(c, AIOPS_KIND_UPTIME, scale);
	else if (find_word(t, 0, t->n, "boot|start|started") >= 0 &&
	    find_word(t, 0, t->n, "time|timestamp") >= 0)
		set(c, AIOPS_KIND_START_TIME, scale);
	else if (counter)
		/* seconds per second: a share of a CPU or of a disk's time */
		set(c, AIOPS_KIND_GENERIC, 1);
	else
		set(c, AIOPS_KIND_LATENCY, scale);
}

/* The OpenMetrics unit, when it names one we know: 1, else 0. */
static int
by_unit(const char *unit, const struct words *t, int counter, struct aiops_kind_class *c)
{
	size_t len = strlen(unit);
	double scale;

	if (strcmp(unit, "%") == 0 || strcasecmp(unit, "percent") == 0 ||
	    strcasecmp(unit, "pct") == 0)
		set(c, AIOPS_KIND_PERCENT, 1);
	else if (strcasecmp(unit, "ratio") == 0)
		set(c, AIOPS_KIND_RATIO, 1);
	else if (byte_unit(unit, len, &scale))
		set(c, AIOPS_KIND_BYTES, scale);
	else if (time_unit(unit, len, &scale))
		time_kind(t, counter, scale, c);
	else if (strcasecmp(unit, "celsius") == 0 || strcasecmp(unit, "C") == 0 ||
	    strcmp(unit, "\xc2\xb0" "C") == 0 || strcasecmp(unit, "kelvin") == 0 ||
	    strcasecmp(unit, "K") == 0)
		set(c, AIOPS_KIND_TEMPERATURE, 1);
	else if (strcasecmp(unit, "fahrenheit") == 0 || strcasecmp(unit, "F") == 0 ||
	    strcmp(unit, "\xc2\xb0" "F") == 0)
		set(c, AIOPS_KIND_TEMPERATURE, 5.0 / 9.0);
	else
		return 0;
	return 1;
}

/*
 * The unit word at the end of the name (before a counter suffix): 1 when
 * it decides the kind.
 */
static int
by_suffix(const struct words *t, size_t end, int counter, struct aiops_kind_class *c)
{
	double scale;
	size_t i = end - 1;

	if (end == 0)
		return 0;
	if (word_in(t, i, "percent|pct|percentage"))
		set(c, AIOPS_KIND_PERCENT, 1);
	else if (word_in(t, i, "ratio"))
		set(c, AIOPS_KIND_RATIO, 1);
	else if (byte_unit(t->w[i], t->len[i], &scale) && !word_in(t, i, "b"))
		set(c, AIOPS_KIND_BYTES, scale);
	else if (time_unit(t->w[i], t->len[i], &scale) && !word_in(t, i, "s|sec"))
		time_kind(t, counter, scale, c);
	else if (word_in(t, i, "celsius|kelvin"))
		set(c, AIOPS_KIND_TEMPERATURE, 1);
	else if (word_in(t, i, "fahrenheit"))
		set(c, AIOPS_KIND_TEMPERATURE, 5.0 / 9.0);
	else
		return 0;
	return 1;
}

/* Words anywhere in the name: 1 when one decides the kind. */
static int
by_words(const struct words *t, size_t end, struct aiops_kind_class *c)
{
	double scale = 1;

	if (find_word(t, 0, end, "uptime") >= 0) {
		set(c, AIOPS_KIND_UPTIME, 1);
		return 1;
	}
	if (find_word(t, 0, end, "boot") >= 0 && find_word(t, 0, end, "time") >= 0) {
		set(c, AIOPS_KIND_START_TIME, 1);
		return 1;
	}
	if (find_word(t, 0, end, "temp|temperature|thermal") >= 0) {
		set(c, AIOPS_KIND_TEMPERATURE, 1);
		return 1;
	}
	if (find_word(t, 0, end, "percent|pct|utilization|utilisation|usage|util") >= 0) {
		set(c, AIOPS_KIND_PERCENT, 1);
		return 1;
	}
	if (find_word(t, 0, end, "latency|duration|rtt|response|elapsed") >= 0) {
		/* api_latency_ms: a unit word may follow the quantity's */
		if (end > 0)
			(void)time_unit(t->w[end - 1], t->len[end - 1], &scale);
		set(c, AIOPS_KIND_LATENCY, scale);
		return 1;
	}
	if (find_word(t, 0, end, "bytes|octets") >= 0) {
		set(c, AIOPS_KIND_BYTES, 1);
		return 1;
	}
	if (find_word(t, 0, end, "errors|error|errs|err|requests|reqs|packets|drops|drop|"
	    "dropped|failures|failed|fails|events|messages|retries|restarts|hits|misses|"
	    "inodes|connections|conns|users|processes|threads|sessions|jobs|tasks|"
	    "5xx|4xx|3xx|2xx|reads|writes|ops|n") >= 0) {
		set(c, AIOPS_KIND_COUNT, 1);
		return 1;
	}
	return 0;
}

/* Telegraf's mem, swap and disk inputs: sizes without a unit word. */
static int
telegraf_size(const struct words *t)
{
	return t->n == 2 && word_in(t, 0, "mem|swap|disk") && word_in(t, 1,
	    "used|free|total|available|cached|buffered|active|inactive|shared|slab|"
	    "dirty|mapped|wired|committed");
}

void
aiops_kind_classify(const char *name, size_t nlen, const char *unit,
    const char *metric_type, int counter, struct aiops_kind_class *c)
{
	struct words t;
	size_t end;

	set(c, AIOPS_KIND_GENERIC, 1);
	split(name, nlen, &t);
	end = t.n;
	if (telegraf_size(&t)) {
		set(c, AIOPS_KIND_BYTES, 1);
		return;
	}
	if (metric_type != NULL && strcmp(metric_type, "counter") == 0)
		counter = 1;
	/* a counter's, a histogram's or a summary's suffix */
	if (end > 0 && word_in(&t, end - 1, "total|count|bucket|sum")) {
		if (word_in(&t, end - 1, "count|bucket")) {
			set(c, AIOPS_KIND_COUNT, 1);	/* observations */
			return;
		}
		counter = counter || word_in(&t, end - 1, "total");
		end--;
	}
	if (unit != NULL && *unit != '\0' && by_unit(unit, &t, counter, c))
		return;
	if (by_suffix(&t, end, counter, c) || by_words(&t, end, c))
		return;
	/* diskio_io_time: milliseconds per second, a share of the time */
	if (counter && end > 0 && word_in(&t, end - 1, "time"))
		return;
	if (counter)
		set(c, AIOPS_KIND_COUNT, 1);
}

/* ---- the rule ---- */

int
aiops_kind_material(const struct aiops_kind_class *c, const struct aiops_kind_rule *r,
    double value, double baseline, double events_per_unit)
{
	double change, base;

	if (!isfinite(r->min_change) || !isfinite(value) || !isfinite(baseline))
		return 0;
	change = fabs(value - baseline) * c->scale;
	base = fabs(baseline) * c->scale;
	if (c->kind == AIOPS_KIND_COUNT && events_per_unit > 0) {
		change *= events_per_unit;
		base *= events_per_unit;
	}
	/* a change written in decimals (0.98 - 0.93) is not one ulp short of it */
	return change > 0 && change >= r->min_change * (1 - 1e-9) &&
	    change >= r->min_relative * base * (1 - 1e-9);
}
