#include "compat.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "event/promname.h"
#include "ingest/ingest.h"
#include "core/utf8.h"
#include "core/xmalloc.h"

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

static int
blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

/*
 * Sums, not a vote per line: a line that fits one format strongly (a
 * TYPE line, a header row) outweighs one that fits another weakly, a
 * line no format claims adds nothing, and plain text (1 a line) wins
 * only when no other format claims a line.
 */
const struct aiops_format *
aiops_format_sniff(const char *const *lines, const size_t *lens, size_t n, int *scores)
{
	const struct aiops_format *best = &aiops_format_text;
	int score = 0;
	size_t i, k;

	for (i = 0; aiops_formats[i] != NULL; i++) {
		int s = 0;

		for (k = 0; aiops_formats[i]->sniff != NULL && k < n; k++)
			s += aiops_formats[i]->sniff(lines[k], lens[k]);
		if (scores != NULL)
			scores[i] = s;
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

/*
 * Every metric's name and label names are valid Prometheus names, whatever
 * the format (line protocol makes its own so; a CSV header may not be):
 * the state's series and schema step 5 count on it. A metric whose names
 * are not is written as the copy v, with its labels in lab and the names
 * made in b (sized first so that it does not move under them): the
 * caller's labels may serve the next metric of its row or document.
 * Returns the metric to write: m, or v.
 */
static struct aiops_metric *
valid_names(struct aiops_ingest *ing, struct aiops_metric *m, struct aiops_metric *v,
    struct aiops_label *lab, struct aiops_buf *b)
{
	size_t i, j, need = m->nlen + 4, off;
	int bad = !aiops_promname_valid(m->name, m->nlen, AIOPS_PN_METRIC);

	for (i = 0; i < m->nlabels; i++) {
		need += m->labels[i].klen + 4;
		if (!aiops_promname_valid(m->labels[i].key, m->labels[i].klen, AIOPS_PN_LABEL))
			bad = 1;
	}
	if (!bad || m->nlabels > AIOPS_MAX_LABELS)
		return m;
	*v = *m;
	aiops_buf_grow(b, need);
	aiops_promname_add(b, m->name, m->nlen, AIOPS_PN_METRIC);
	v->name = b->data;
	v->nlen = b->len;
	aiops_buf_addc(b, '\0');
	v->labels = lab;
	for (i = 0; i < m->nlabels; i++) {
		lab[i] = m->labels[i];
		off = b->len;
		aiops_promname_add(b, lab[i].key, lab[i].klen, AIOPS_PN_LABEL);
		lab[i].key = b->data + off;
		lab[i].klen = b->len - off;
		aiops_buf_addc(b, '\0');
	}
	aiops_labels_sort(lab, v->nlabels);
	for (i = 1; i < v->nlabels; ) {
		if (lab[i].klen != lab[i - 1].klen ||
		    memcmp(lab[i].key, lab[i - 1].key, lab[i].klen) != 0) {
			i++;
			continue;
		}
		aiops_ingest_note(ing, "label \"%.*s\" given twice once made valid: the value"
		    " \"%.*s\" left out", (int)lab[i].klen, lab[i].key,
		    (int)lab[i].vlen, lab[i].val);
		for (j = i + 1; j < v->nlabels; j++)
			lab[j - 1] = lab[j];
		v->nlabels--;
	}
	return v;
}

int
aiops_ingest_metric(struct aiops_ingest *ing, struct aiops_metric *m)
{
	struct aiops_buf names = AIOPS_BUF_INIT;
	struct aiops_label lab[AIOPS_MAX_LABELS];
	struct aiops_metric v;
	int rc;

	rc = aiops_ingest_metric_valid(ing, valid_names(ing, m, &v, lab, &names));
	aiops_buf_release(&names);
	return rc;
}

int
aiops_ingest_metric_valid(struct aiops_ingest *ing, struct aiops_metric *m)
{
	defaults(ing, &m->host, &m->hlen, &m->cluster);
	if (ing->opts->source != NULL)
		m->source = ing->opts->source;
	aiops_clock_observe(m->ts);
	ing->nevents++;
	if (aiops_out_discards(ing->out))	/* --store-only: no event to write */
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
	aiops_buf_init(&in->held);
	aiops_buf_init(&in->fixed);
}

/* Passes the bad line to ing->skip: nonzero means stop. */
static int
report(struct aiops_ingest *ing)
{
	if (ing->skip == NULL)
		return 0;
	return ing->skip(ing->skip_arg, ing->name,
	    ing->errline ? ing->errline : ing->lineno, ing->err);
}

static void
start(struct aiops_ingest *ing, struct aiops_input *in)
{
	if (in->fmt->start != NULL)
		in->st = in->fmt->start(ing);
	in->started = 1;
}

/*
 * One line to the format: bad bytes replaced first, so a stray byte costs
 * a character, not the line (aiops-detect --raw keeps it the same way).
 * NUL is replaced too: no text format has a use for it, and C strings
 * downstream would end there.
 */
static int
feed(struct aiops_ingest *ing, struct aiops_input *in, const char *line, size_t len,
    unsigned long lineno)
{
	size_t mark = ing->out->buf.len;
	ssize_t bad;
	int nul = 0;

	ing->lineno = lineno;
	ing->errline = 0;
	if (!in->fmt->checks_utf8 && blank(line, len))
		return 0;
	if ((bad = aiops_utf8_check(line, len)) >= 0) {
		nul = line[bad] == '\0';
		aiops_utf8_repair(&in->fixed, line, len);
		line = in->fixed.data;
		len = in->fixed.len;
	}
	if (in->fmt->line(in->st, ing, line, len) == -1) {
		aiops_out_rollback(ing->out, mark);
		return -1;
	}
	aiops_out_commit(ing->out);
	if (bad >= 0) {
		ing->replaced++;
		aiops_ingest_note(ing, "%s at byte %zd replaced by U+FFFD",
		    nul ? "NUL byte" : "invalid UTF-8", bad + 1);
	}
	return 0;
}

/* "format syslog (syslog 212, text 16, influx 0, ...) from 16 lines": best first. */
static void
note_choice(struct aiops_ingest *ing, const struct aiops_input *in, int *scores,
    size_t nfmt)
{
	struct aiops_buf b = AIOPS_BUF_INIT;
	size_t i, k, best;

	aiops_buf_addf(&b, "format %s (", in->fmt->name);
	for (i = 0; i < nfmt; i++) {
		best = nfmt;
		for (k = 0; k < nfmt; k++)
			if (scores[k] >= 0 && aiops_formats[k]->sniff != NULL &&
			    (best == nfmt || scores[k] > scores[best]))
				best = k;
		if (best == nfmt)
			break;
		aiops_buf_addf(&b, "%s%s %d", i > 0 ? ", " : "", aiops_formats[best]->name,
		    scores[best]);
		scores[best] = -1;	/* shown */
	}
	aiops_buf_addf(&b, ") from %zu line%s", in->nscored, in->nscored == 1 ? "" : "s");
	ing->lineno = in->hl[0].lineno;
	aiops_ingest_note(ing, "%s", b.data);
	aiops_buf_release(&b);
}

/*
 * Chooses the format from the held lines, then feeds them in order with
 * their own numbers: a bad one among them is reported like any other.
 */
static int
decide(struct aiops_ingest *ing, struct aiops_input *in)
{
	const char *lines[AIOPS_DETECT_HELD];
	size_t lens[AIOPS_DETECT_HELD], i, n = 0, nfmt;
	int *scores, rc = 0;

	if (in->fmt != NULL || in->nheld == 0)
		return 0;
	for (i = 0; i < in->nheld; i++) {
		if (in->hl[i].blank)
			continue;
		lines[n] = in->held.data + in->hl[i].off;
		lens[n++] = in->hl[i].len;
	}
	for (nfmt = 0; aiops_formats[nfmt] != NULL; nfmt++)
		;
	scores = xcalloc(nfmt, sizeof(*scores));
	in->fmt = aiops_format_sniff(lines, lens, n, scores);
	note_choice(ing, in, scores, nfmt);
	free(scores);
	start(ing, in);
	for (i = 0; i < in->nheld; i++) {
		/* Its id, if it has no time of its own, is from its own place. */
		ing->origin = in->hl[i].origin;
		ing->has_origin = in->hl[i].has_origin;
		if (feed(ing, in, in->held.data + in->hl[i].off, in->hl[i].len,
		    in->hl[i].lineno) == 0)
			continue;
		rc = -1;
		if (report(ing) != 0)
			break;
	}
	in->nheld = in->nscored = 0;
	aiops_buf_release(&in->held);
	return rc;
}

/* Holds a copy of the line for detection, with where it was read. */
static void
hold(struct aiops_ingest *ing, struct aiops_input *in, const char *line, size_t len,
    unsigned long lineno, int isblank)
{
	if (in->nheld == 0)
		in->since = aiops_monotonic_ns();
	in->hl[in->nheld].off = in->held.len;
	in->hl[in->nheld].len = len;
	in->hl[in->nheld].lineno = lineno;
	in->hl[in->nheld].blank = isblank;
	in->hl[in->nheld].origin = ing->origin;
	in->hl[in->nheld].has_origin = ing->has_origin;
	in->nheld++;
	in->nscored += !isblank;
	aiops_buf_add(&in->held, line, len);
	aiops_buf_addc(&in->held, '\n');
}

int
aiops_input_line(struct aiops_ingest *ing, struct aiops_input *in,
    const char *line, size_t len, unsigned long lineno)
{
	ing->name = in->name;
	ing->lineno = lineno;
	ing->errline = 0;
	/*
	 * A UTF-8 BOM (Windows editors, PowerShell's Out-File) only opens the
	 * file: it is no part of its first line, for detection or the format.
	 */
	if (lineno == 1 && len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
		line += 3;
		len -= 3;
	}
	if (in->fmt == NULL) {
		int isblank = blank(line, len);

		/* Blank lines say nothing of the format; leading ones are dropped. */
		if (isblank && in->nheld == 0)
			return 0;
		hold(ing, in, line, len, lineno, isblank);
		if (in->nscored < AIOPS_DETECT_LINES && in->nheld < AIOPS_DETECT_HELD &&
		    aiops_input_wait_ms(in) > 0)
			return 0;
		return decide(ing, in);
	}
	if (!in->started) {
		if (blank(line, len))
			return 0;
		start(ing, in);
	}
	if (feed(ing, in, line, len, lineno) == 0)
		return 0;
	(void)report(ing);
	return -1;
}

int
aiops_input_flush(struct aiops_ingest *ing, struct aiops_input *in)
{
	size_t mark;
	int rc;

	ing->name = in->name;
	rc = decide(ing, in);
	if (!in->started || in->fmt->idle == NULL)
		return rc;
	mark = ing->out->buf.len;
	ing->errline = 0;
	if (in->fmt->idle(in->st, ing) == -1) {
		aiops_out_rollback(ing->out, mark);
		(void)report(ing);
		return -1;
	}
	aiops_out_commit(ing->out);
	return rc;
}

int
aiops_input_holding(const struct aiops_input *in)
{
	if (in->nheld > 0)
		return 1;
	return in->started && in->fmt->held != NULL && in->fmt->held(in->st);
}

int
aiops_input_wait_ms(const struct aiops_input *in)
{
	int64_t left;

	if (in->nheld == 0)
		return -1;
	left = in->since + (int64_t)AIOPS_DETECT_MS * 1000000 - aiops_monotonic_ns();
	return left <= 0 ? 0 : (int)((left + 999999) / 1000000);
}

int
aiops_input_finish(struct aiops_ingest *ing, struct aiops_input *in)
{
	size_t mark;
	int rc;

	rc = aiops_input_flush(ing, in);
	mark = ing->out->buf.len;
	ing->name = in->name;
	ing->errline = 0;
	if (in->started && in->fmt->finish != NULL && in->fmt->finish(in->st, ing) == -1) {
		aiops_out_rollback(ing->out, mark);
		(void)report(ing);
		rc = -1;
	}
	if (in->started && in->fmt->free != NULL)
		in->fmt->free(in->st);
	in->st = NULL;
	in->started = 0;
	aiops_buf_release(&in->held);
	aiops_buf_release(&in->fixed);
	return rc;
}
