#include "compat.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "evread.h"
#include "timeutil.h"

int
aiops_evread_line(const char *line, size_t len, json_t **out, char *err, size_t errlen)
{
	json_error_t jerr;
	size_t i;

	for (i = 0; i < len && (line[i] == ' ' || line[i] == '\t'); i++)
		;
	if (i == len)
		return 1;
	*out = json_loadb(line, len, 0, &jerr);
	if (*out == NULL) {
		snprintf(err, errlen, "invalid JSON at column %d: %s", jerr.column, jerr.text);
		return -1;
	}
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		snprintf(err, errlen, "expected a JSON object");
		return -1;
	}
	return 0;
}

int
aiops_evread_ts(const json_t *ev, int64_t *ts, char *err, size_t errlen)
{
	const json_t *v = json_object_get(ev, "ts");
	char num[64];
	int n;

	if (json_is_string(v)) {
		if (aiops_time_parse(json_string_value(v), json_string_length(v), ts) == 0)
			return 0;
		snprintf(err, errlen, "ts: not a time: \"%.40s\"", json_string_value(v));
		return -1;
	}
	if (json_is_integer(v)) {
		json_int_t e = json_integer_value(v);

		/* The magnitude says the unit, as aiops_time_from_epoch() guesses. */
		if (e >= 0 && e < 100000000000LL) {
			*ts = e * AIOPS_NS_PER_SEC;
			return 0;
		}
		n = snprintf(num, sizeof(num), "%lld", (long long)e);
		if (aiops_time_from_epoch(num, (size_t)n, AIOPS_TU_AUTO, ts) == 0)
			return 0;
	} else if (json_is_real(v) && isfinite(json_real_value(v))) {
		n = snprintf(num, sizeof(num), "%.6f", json_real_value(v));
		if (n > 0 && (size_t)n < sizeof(num) &&
		    aiops_time_from_epoch(num, (size_t)n, AIOPS_TU_AUTO, ts) == 0)
			return 0;
	}
	snprintf(err, errlen, v == NULL ? "ts: missing" : "ts: not a time");
	return -1;
}

static const char *
opt_string(const json_t *ev, const char *key, size_t *len)
{
	const json_t *v = json_object_get(ev, key);

	if (!json_is_string(v)) {
		*len = 0;
		return NULL;
	}
	*len = json_string_length(v);
	return json_string_value(v);
}

int
aiops_evread_metric(const json_t *ev, struct aiops_metric *m,
    struct aiops_label *lab, char *err, size_t errlen)
{
	const json_t *v = json_object_get(ev, "value"), *labels;
	const char *k;
	json_t *lv;
	size_t n;

	memset(m, 0, sizeof(*m));
	if ((m->name = opt_string(ev, "name", &m->nlen)) == NULL || m->nlen == 0) {
		snprintf(err, errlen, "metric without a name");
		return -1;
	}
	if (!json_is_number(v)) {
		snprintf(err, errlen, v == NULL || json_is_null(v) ?
		    "metric without a value" : "value is not a number");
		return -1;
	}
	m->value = json_number_value(v);
	if (aiops_evread_ts(ev, &m->ts, err, errlen) == -1)
		return -1;
	m->host = opt_string(ev, "host", &m->hlen);
	m->cluster = opt_string(ev, "cluster", &n);
	m->source = opt_string(ev, "source", &n);
	m->unit = opt_string(ev, "unit", &n);
	m->labels = lab;
	labels = json_object_get(ev, "labels");
	if (labels != NULL && !json_is_object(labels)) {
		snprintf(err, errlen, "labels is not an object");
		return -1;
	}
	json_object_foreach((json_t *)labels, k, lv) {
		if (!json_is_string(lv)) {
			snprintf(err, errlen, "label %.40s is not a string", k);
			return -1;
		}
		if (m->nlabels == AIOPS_MAX_LABELS) {
			snprintf(err, errlen, "more than %d labels", AIOPS_MAX_LABELS);
			return -1;
		}
		lab[m->nlabels].key = k;
		lab[m->nlabels].klen = strlen(k);
		lab[m->nlabels].val = json_string_value(lv);
		lab[m->nlabels].vlen = json_string_length(lv);
		m->nlabels++;
	}
	aiops_labels_sort(lab, m->nlabels);
	return 0;
}
