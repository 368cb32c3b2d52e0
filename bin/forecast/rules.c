/*
 * rules.c: the thresholds a forecast is checked against. --threshold
 * gives one rule for every series; else the built-in rules, then those of
 * forecast.thresholds over them, by id (a key of a built-in rule changes
 * that rule, enabled: false drops it).
 */
#include "compat.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "core/xmalloc.h"
#include "detect/kind.h"
#include "forecast.h"
#include "tool/log.h"

/*
 * What Telegraf (disk, mem, x509_cert inputs, named as aiops-ingest names
 * line protocol: measurement_field) reports. node_exporter gives bytes
 * and file counts, not shares; rules on them go in the configuration.
 */
static const struct {
	const char	*id, *name, *unit;
	double		 value;
	int		 dir;
} builtin[] = {
	{ "disk", "disk_used_percent", "percent", 90, 1 },
	{ "memory", "mem_used_percent", "percent", 95, 1 },
	{ "inodes", "disk_inodes_used_percent", "percent", 90, 1 },
	/* seconds until the certificate expires: 14 days */
	{ "certificate", "x509_cert_expiry", NULL, 14 * 86400, -1 },
};

static char *
dup0(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static void
rule_release(struct fc_rule *r)
{
	free(r->id);
	free(r->name);
	free(r->unit);
	free(r->type);
	json_decref(r->labels);
	memset(r, 0, sizeof(*r));
}

static struct fc_rule *
rule_add(struct fcast *fc, const char *id)
{
	struct fc_rule *r;

	fc->rules = xreallocarray(fc->rules, fc->nrules + 1, sizeof(*fc->rules));
	r = &fc->rules[fc->nrules++];
	memset(r, 0, sizeof(*r));
	r->id = xstrdup(id);
	return r;
}

static struct fc_rule *
rule_find(struct fcast *fc, const char *id)
{
	size_t i;

	for (i = 0; i < fc->nrules; i++)
		if (strcmp(fc->rules[i].id, id) == 0)
			return &fc->rules[i];
	return NULL;
}

static void
rule_drop(struct fcast *fc, struct fc_rule *r)
{
	size_t i = (size_t)(r - fc->rules);

	rule_release(r);
	memmove(&fc->rules[i], &fc->rules[i + 1], (fc->nrules - i - 1) * sizeof(*r));
	fc->nrules--;
}

static void
replace(char **field, const json_t *v)
{
	if (!json_is_string(v))
		return;
	free(*field);
	*field = xstrdup(json_string_value(v));
}

/* One entry of forecast.thresholds (checked by the schema) over its rule. */
static void
rule_configure(struct fcast *fc, const char *id, const json_t *o)
{
	struct fc_rule *r = rule_find(fc, id);
	json_t *v;
	char where[256], path[256];

	if (json_is_false(json_object_get(o, "enabled"))) {
		if (r != NULL)
			rule_drop(fc, r);
		return;
	}
	if (r == NULL) {
		if (!json_is_number(json_object_get(o, "value"))) {
			snprintf(path, sizeof(path), "forecast.thresholds.%s", id);
			fatalx(EX_CONFIG, "%s: %s: a threshold needs a value",
			    aiops_conf_where(fc->cfg, path, where, sizeof(where)), path);
		}
		r = rule_add(fc, id);
		r->dir = 1;
	}
	replace(&r->name, json_object_get(o, "name"));
	replace(&r->unit, json_object_get(o, "unit"));
	replace(&r->type, json_object_get(o, "type"));
	if (json_is_number(v = json_object_get(o, "value")))
		r->value = json_number_value(v);
	if (json_is_string(v = json_object_get(o, "direction")))
		r->dir = strcmp(json_string_value(v), "below") == 0 ? -1 : 1;
	if (json_is_object(v = json_object_get(o, "labels"))) {
		json_decref(r->labels);
		r->labels = json_incref(v);
	}
}

void
forecast_rules_init(struct fcast *fc, const char *const *cli, size_t ncli)
{
	const json_t *conf;
	const char *id;
	json_t *o;
	size_t i;

	if (ncli > 0) {
		for (i = 0; i < ncli; i++)
			if (forecast_rule_parse_cli(cli[i], rule_add(fc, "threshold")) == -1)
				fatalx(EX_USAGE, "--threshold %s: expected a number, or <number", cli[i]);
		return;
	}
	for (i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++) {
		struct fc_rule *r = rule_add(fc, builtin[i].id);

		r->name = xstrdup(builtin[i].name);
		r->unit = dup0(builtin[i].unit);
		r->value = builtin[i].value;
		r->dir = builtin[i].dir;
	}
	if ((conf = aiops_conf_get(fc->cfg, "forecast.thresholds")) != NULL)
		json_object_foreach((json_t *)conf, id, o)
			rule_configure(fc, id, o);
}

void
forecast_rules_free(struct fcast *fc)
{
	size_t i;

	for (i = 0; i < fc->nrules; i++)
		rule_release(&fc->rules[i]);
	free(fc->rules);
	fc->rules = NULL;
	fc->nrules = 0;
}

int
forecast_rule_parse_cli(const char *arg, struct fc_rule *r)
{
	const char *p = arg;
	char *end;

	r->dir = 1;
	if (*p == '<') {
		r->dir = -1;
		p++;
	} else if (*p == '>') {
		p++;
	}
	if (*p == '=')
		p++;
	while (isspace((unsigned char)*p))
		p++;
	errno = 0;
	r->value = strtod(p, &end);
	if (end == p || *end != '\0' || errno != 0 || !isfinite(r->value))
		return -1;
	return 0;
}

/*
 * The unit a rule's "unit" is compared with: the series' own (OpenMetrics
 * UNIT, "%" read as percent), else the kind its name says (kind.h), as
 * "percent" for Telegraf's *_used_percent, which carries no unit.
 */
static const char *
series_unit(const struct fseries *s)
{
	struct aiops_kind_class c;

	if (s->unit != NULL)
		return strcmp(s->unit, "%") == 0 ? "percent" : s->unit;
	aiops_kind_classify(s->name, strlen(s->name), NULL, s->metric_type, s->counter, &c);
	return c.kind == AIOPS_KIND_GENERIC ? NULL : aiops_kind_name(c.kind);
}

/* The series' Prometheus type, else counter or gauge as it is forecast. */
static const char *
series_type(const struct fseries *s)
{
	if (s->metric_type != NULL)
		return s->metric_type;
	return s->counter ? "counter" : "gauge";
}

static int
labels_match(const json_t *want, const struct fseries *s)
{
	const char *k;
	json_t *v;
	size_t i;

	json_object_foreach((json_t *)want, k, v) {
		int found = 0;

		for (i = 0; i < s->nlabels && !found; i++)
			found = strcmp(s->labels[i].key, k) == 0 && json_is_string(v) &&
			    strcmp(s->labels[i].val, json_string_value(v)) == 0;
		if (!found)
			return 0;
	}
	return 1;
}

int
forecast_rule_applies(const struct fc_rule *r, const struct fseries *s)
{
	const char *u;

	if (r->name != NULL && fnmatch(r->name, s->name, 0) != 0)
		return 0;
	if (r->unit != NULL && ((u = series_unit(s)) == NULL || strcasecmp(u, r->unit) != 0))
		return 0;
	if (r->type != NULL && strcasecmp(series_type(s), r->type) != 0)
		return 0;
	return r->labels == NULL || labels_match(r->labels, s);
}
