/*
 * promapi.c: the Prometheus HTTP API's query answers as metric events
 * (promapi.h). Two passes over the parsed document: the first checks
 * everything, the second writes, so a malformed answer writes nothing.
 */
#include "compat.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "event/event.h"
#include "ingest/ingest.h"
#include "ingest/promapi.h"

#define SOURCE		"promql"
/* 9e9 s is the year 2255: int64 nanoseconds, the toolkit's times, end in 2262. */
#define MAX_SECONDS	9e9

struct walk {
	struct aiops_ingest		*ing;
	const char			*name;
	const char			*cluster;
	struct aiops_promapi_result	*res;
	int				 emit;	/* 0: check only */
};

/* A sample [<unix seconds>, "<value>"]: 0, or -1 with ing->err. */
static int
sample(struct walk *w, const json_t *s, int64_t *ts, double *v, int *finite)
{
	const json_t *t, *val;
	const char *str;
	double secs;
	char *end;

	if (!json_is_array(s) || json_array_size(s) != 2)
		return aiops_ingest_error(w->ing, "a sample is not [time, \"value\"]");
	t = json_array_get(s, 0);
	val = json_array_get(s, 1);
	if (!json_is_number(t))
		return aiops_ingest_error(w->ing, "a sample's time is not a number");
	secs = json_number_value(t);
	if (!isfinite(secs) || secs < 0 || secs >= MAX_SECONDS)
		return aiops_ingest_error(w->ing, "a sample's time is out of range");
	if (!json_is_string(val))
		return aiops_ingest_error(w->ing, "a sample's value is not a string");
	str = json_string_value(val);
	errno = 0;
	*v = strtod(str, &end);
	if (end == str || *end != '\0' || json_string_length(val) != strlen(str))
		return aiops_ingest_error(w->ing, "a sample's value \"%.40s\" is not a number", str);
	/* Prometheus's times are milliseconds: no more is kept. */
	*ts = (int64_t)llround(secs * 1e3) * 1000000;
	*finite = isfinite(*v);
	return 0;
}

/*
 * The labels of metric (an object of strings) into lab (n of them, the
 * cluster's added), the name into *name. 0, or -1 with ing->err.
 */
static int
labels(struct walk *w, const json_t *metric, struct aiops_label *lab, size_t *n,
    const char **name, size_t *nlen)
{
	const char *k;
	json_t *v;

	*n = 0;
	*name = w->name;
	*nlen = w->name != NULL ? strlen(w->name) : 0;
	if (metric != NULL && !json_is_object(metric))
		return aiops_ingest_error(w->ing, "a series' \"metric\" is not an object");
	json_object_foreach((json_t *)metric, k, v) {
		if (!json_is_string(v))
			return aiops_ingest_error(w->ing, "label \"%.40s\" is not a string", k);
		if (strcmp(k, "__name__") == 0) {
			*name = json_string_value(v);
			*nlen = json_string_length(v);
			continue;
		}
		if (*n >= AIOPS_MAX_LABELS - 1)
			return aiops_ingest_error(w->ing, "a series has more than %d labels",
			    AIOPS_MAX_LABELS - 1);
		lab[*n].key = w->cluster != NULL && strcmp(k, "cluster") == 0 ?
		    "exported_cluster" : k;
		lab[*n].klen = strlen(lab[*n].key);
		lab[*n].val = json_string_value(v);
		lab[*n].vlen = json_string_length(v);
		(*n)++;
	}
	if (*name == NULL || *nlen == 0)
		return aiops_ingest_error(w->ing, "a series has no __name__ and the query no name");
	if (w->cluster != NULL) {
		lab[*n].key = "cluster";
		lab[*n].klen = 7;
		lab[*n].val = w->cluster;
		lab[*n].vlen = strlen(w->cluster);
		(*n)++;
	}
	return 0;
}

/* One sample of a series: checked, then written when w->emit. */
static int
point(struct walk *w, const json_t *s, const char *name, size_t nlen,
    const struct aiops_label *lab, size_t n)
{
	struct aiops_label copy[AIOPS_MAX_LABELS];
	struct aiops_metric m;
	double v = 0;
	int64_t ts = 0;
	int finite = 0;

	if (sample(w, s, &ts, &v, &finite) == -1)
		return -1;
	if (!w->emit)
		return 0;
	if (!finite) {
		w->ing->nonfinite++;
		aiops_ingest_note(w->ing, "%.*s: a sample of %s not written", (int)nlen, name,
		    isnan(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf");
		return 0;
	}
	memcpy(copy, lab, n * sizeof(*lab));	/* sorted in place by the sink */
	memset(&m, 0, sizeof(m));
	m.ts = ts;
	m.name = name;
	m.nlen = nlen;
	m.value = v;
	m.cluster = w->cluster;
	m.source = aiops_ingest_source(w->ing, SOURCE);
	m.labels = copy;
	m.nlabels = n;
	if (aiops_ingest_metric(w->ing, &m) == -1)
		return -1;
	w->res->events++;
	return 0;
}

/* A vector's or a matrix's item. */
static int
series(struct walk *w, const json_t *item, int matrix)
{
	struct aiops_label lab[AIOPS_MAX_LABELS];
	const json_t *vals;
	const char *name;
	size_t n, nlen, i;

	if (!json_is_object(item))
		return aiops_ingest_error(w->ing, "a result item is not an object");
	if (labels(w, json_object_get(item, "metric"), lab, &n, &name, &nlen) == -1)
		return -1;
	if (w->emit)
		w->res->series++;
	if (!matrix)
		return point(w, json_object_get(item, "value"), name, nlen, lab, n);
	vals = json_object_get(item, "values");
	if (!json_is_array(vals))
		return aiops_ingest_error(w->ing, "a matrix item has no \"values\" array");
	for (i = 0; i < json_array_size(vals); i++)
		if (point(w, json_array_get(vals, i), name, nlen, lab, n) == -1)
			return -1;
	return 0;
}

static int
walk(struct walk *w, const json_t *data)
{
	const json_t *result = json_object_get(data, "result");
	const char *type = json_string_value(json_object_get(data, "resultType"));
	struct aiops_label lab[1];
	size_t i, n = 0;
	int matrix;

	if (type == NULL)
		return aiops_ingest_error(w->ing, "no data.resultType");
	if (strcmp(type, "string") == 0)
		return 0;
	if (strcmp(type, "scalar") == 0) {
		if (w->name == NULL)
			return aiops_ingest_error(w->ing, "a scalar result and the query has no name");
		if (w->cluster != NULL) {
			lab[0].key = "cluster";
			lab[0].klen = 7;
			lab[0].val = w->cluster;
			lab[0].vlen = strlen(w->cluster);
			n = 1;
		}
		if (w->emit)
			w->res->series++;
		return point(w, result, w->name, strlen(w->name), lab, n);
	}
	if (strcmp(type, "vector") == 0)
		matrix = 0;
	else if (strcmp(type, "matrix") == 0)
		matrix = 1;
	else
		return aiops_ingest_error(w->ing, "unknown resultType \"%.40s\"", type);
	if (!json_is_array(result))
		return aiops_ingest_error(w->ing, "data.result is not an array");
	for (i = 0; i < json_array_size(result); i++)
		if (series(w, json_array_get(result, i), matrix) == -1)
			return -1;
	return 0;
}

int
aiops_promapi_emit(struct aiops_ingest *ing, const char *body, size_t len,
    const char *name, const char *cluster, struct aiops_promapi_result *res)
{
	struct walk w;
	json_error_t e;
	json_t *doc, *warnings;
	const char *status;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	if ((doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &e)) == NULL)
		return aiops_ingest_error(ing, "not JSON: %s at line %d", e.text, e.line);
	status = json_string_value(json_object_get(doc, "status"));
	if (status == NULL) {
		aiops_ingest_error(ing, "not an answer of the Prometheus HTTP API (no \"status\")");
		goto done;
	}
	if (strcmp(status, "error") == 0) {
		const char *type = json_string_value(json_object_get(doc, "errorType"));
		const char *err = json_string_value(json_object_get(doc, "error"));

		snprintf(res->error, sizeof(res->error), "%s: %s", type ? type : "error",
		    err ? err : "(no message)");
		rc = 1;
		goto done;
	}
	if (strcmp(status, "success") != 0) {
		aiops_ingest_error(ing, "status \"%.40s\" is neither success nor error", status);
		goto done;
	}
	if (!json_is_object(json_object_get(doc, "data"))) {
		aiops_ingest_error(ing, "no \"data\" object");
		goto done;
	}
	warnings = json_object_get(doc, "warnings");
	if (json_is_array(warnings) && json_array_size(warnings) > 0) {
		res->warnings = json_array_size(warnings);
		snprintf(res->warning, sizeof(res->warning), "%s",
		    json_is_string(json_array_get(warnings, 0)) ?
		    json_string_value(json_array_get(warnings, 0)) : "(not a string)");
	}
	memset(&w, 0, sizeof(w));
	w.ing = ing;
	w.name = name != NULL && *name != '\0' ? name : NULL;
	w.cluster = cluster != NULL && *cluster != '\0' ? cluster : NULL;
	w.res = res;
	if (walk(&w, json_object_get(doc, "data")) == -1)
		goto done;
	w.emit = 1;
	rc = walk(&w, json_object_get(doc, "data"));
done:
	json_decref(doc);
	return rc;
}
