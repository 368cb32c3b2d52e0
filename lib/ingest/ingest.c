#include "compat.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "ingest/ingest.h"
#include "core/utf8.h"

extern const struct aiops_format aiops_format_influx;
extern const struct aiops_format aiops_format_prometheus;
extern const struct aiops_format aiops_format_syslog;
extern const struct aiops_format aiops_format_json;
extern const struct aiops_format aiops_format_alertmanager;
extern const struct aiops_format aiops_format_redfish;
extern const struct aiops_format aiops_format_sentry;
extern const struct aiops_format aiops_format_nvsmi;
extern const struct aiops_format aiops_format_snmp;
extern const struct aiops_format aiops_format_csv;
extern const struct aiops_format aiops_format_text;

/* Sniffing ties go to the earlier entry; text is the fallback. */
const struct aiops_format *const aiops_formats[] = {
	&aiops_format_influx,
	&aiops_format_prometheus,
	&aiops_format_syslog,
	&aiops_format_json,
	&aiops_format_alertmanager,
	&aiops_format_redfish,
	&aiops_format_sentry,
	&aiops_format_nvsmi,
	&aiops_format_snmp,
	&aiops_format_csv,
	&aiops_format_text,
	NULL,
};

static const struct { const char *alias, *name; } aliases[] = {
	{ "lp", "influx" }, { "line-protocol", "influx" },
	{ "prom", "prometheus" }, { "openmetrics", "prometheus" },
	{ "ndjson", "json" }, { "nvidia-smi", "nvsmi" }, { "plain", "text" },
};

const struct aiops_format *
aiops_format_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcmp(name, aliases[i].alias) == 0)
			name = aliases[i].name;
	for (i = 0; aiops_formats[i] != NULL; i++)
		if (strcmp(name, aiops_formats[i]->name) == 0)
			return aiops_formats[i];
	return NULL;
}

const struct aiops_format *
aiops_format_sniff(const char *line, size_t len)
{
	const struct aiops_format *best = &aiops_format_text;
	int score = 0;
	size_t i;

	for (i = 0; aiops_formats[i] != NULL; i++) {
		int s;

		if (aiops_formats[i]->sniff == NULL)
			continue;
		s = aiops_formats[i]->sniff(line, len);
		if (s > score) {
			score = s;
			best = aiops_formats[i];
		}
	}
	return best;
}

void
aiops_ingest_init(struct aiops_ingest *ing, const struct aiops_ingest_opts *opts,
    struct aiops_out *out, struct aiops_mstore *store)
{
	memset(ing, 0, sizeof(*ing));
	ing->opts = opts;
	ing->out = out;
	ing->store = store;
	ing->name = "-";
	aiops_jw_init(&ing->jw, &out->buf);
}

static int
verror(struct aiops_ingest *ing, unsigned long line, const char *fmt, va_list ap)
{
	vsnprintf(ing->err, sizeof(ing->err), fmt, ap);
	ing->errline = line;
	return -1;
}

int
aiops_ingest_error(struct aiops_ingest *ing, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(ing, 0, fmt, ap);
	va_end(ap);
	return -1;
}

int
aiops_ingest_error_at(struct aiops_ingest *ing, unsigned long line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(ing, line, fmt, ap);
	va_end(ap);
	return -1;
}

void
aiops_ingest_note(struct aiops_ingest *ing, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	if (ing->note == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	ing->note(ing->note_arg, ing->name, ing->lineno, what);
}

int64_t
aiops_ingest_now(struct aiops_ingest *ing)
{
	AIOPS_UNUSED(ing);
	return aiops_clock_now();
}

const char *
aiops_ingest_source(const struct aiops_ingest *ing, const char *fmtname)
{
	return ing->opts->source != NULL ? ing->opts->source : fmtname;
}

static void
defaults(struct aiops_ingest *ing, const char **host, size_t *hlen, const char **cluster)
{
	if (*host == NULL && ing->opts->host != NULL) {
		*host = ing->opts->host;
		*hlen = strlen(*host);
	}
	if (*cluster == NULL)
		*cluster = ing->opts->cluster;
}

int
aiops_ingest_metric(struct aiops_ingest *ing, struct aiops_metric *m)
{
	defaults(ing, &m->host, &m->hlen, &m->cluster);
	if (ing->opts->source != NULL)
		m->source = ing->opts->source;
	aiops_clock_observe(m->ts);
	ing->nevents++;
	if (ing->out->fd < 0)		/* --store-only: no event to write */
		aiops_labels_sort(m->labels, m->nlabels);
	else {
		aiops_event_metric(&ing->jw, m);
		aiops_out_end(ing->out);
	}
	if (ing->store != NULL && aiops_mstore_add(ing->store, m) == -1) {
		ing->store_failed = 1;
		return -1;
	}
	return 0;
}

int
aiops_ingest_alert(struct aiops_ingest *ing, const struct aiops_alert *a)
{
	if (ing->alerts != NULL &&
	    aiops_alertstore_add(ing->alerts, a, aiops_ingest_now(ing)) == -1) {
		ing->store_failed = 1;
		return -1;
	}
	return 0;
}

struct aiops_jw *
aiops_ingest_begin(struct aiops_ingest *ing, struct aiops_event_head *h)
{
	defaults(ing, &h->host, &h->hlen, &h->cluster);
	if (ing->opts->source != NULL)
		h->source = ing->opts->source;
	aiops_clock_observe(h->ts);
	aiops_event_begin(&ing->jw, h);
	return &ing->jw;
}

void
aiops_ingest_end(struct aiops_ingest *ing)
{
	aiops_jw_object_end(&ing->jw);
	aiops_out_end(ing->out);
	ing->nevents++;
}

void
aiops_input_init(struct aiops_input *in, const struct aiops_format *fmt, const char *name)
{
	memset(in, 0, sizeof(*in));
	in->fmt = fmt;
	in->name = name;
}

static int
blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

int
aiops_input_line(struct aiops_ingest *ing, struct aiops_input *in,
    const char *line, size_t len, unsigned long lineno)
{
	size_t mark = ing->out->buf.len;
	ssize_t bad;
	int rc;

	ing->name = in->name;
	ing->lineno = lineno;
	ing->errline = 0;
	if (!in->started && blank(line, len))
		return 0;
	if (!in->started) {
		if (in->fmt == NULL)
			in->fmt = aiops_format_sniff(line, len);
		if (in->fmt->start != NULL)
			in->st = in->fmt->start(ing);
		in->started = 1;
	}
	if (!in->fmt->checks_utf8 && (bad = aiops_utf8_check(line, len)) >= 0)
		return aiops_ingest_error(ing, "%s at byte %zd",
		    line[bad] == '\0' ? "NUL byte" : "invalid UTF-8", bad + 1);
	if (!in->fmt->checks_utf8 && blank(line, len))
		return 0;
	rc = in->fmt->line(in->st, ing, line, len);
	if (rc == -1) {
		aiops_out_rollback(ing->out, mark);
		return -1;
	}
	aiops_out_commit(ing->out);
	return 0;
}

int
aiops_input_finish(struct aiops_ingest *ing, struct aiops_input *in)
{
	size_t mark = ing->out->buf.len;
	int rc = 0;

	ing->name = in->name;
	ing->errline = 0;
	if (in->started && in->fmt->finish != NULL)
		rc = in->fmt->finish(in->st, ing);
	if (rc == -1)
		aiops_out_rollback(ing->out, mark);
	if (in->started && in->fmt->free != NULL)
		in->fmt->free(in->st);
	in->st = NULL;
	in->started = 0;
	return rc;
}
