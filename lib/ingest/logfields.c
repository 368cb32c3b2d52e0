#include "compat.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "ingest/logfields.h"
#include "core/timeutil.h"
#include "event/severity.h"

void
aiops_logrec_init(struct aiops_logrec *r)
{
	memset(r, 0, sizeof(*r));
	r->severity = "info";
}

int
aiops_logrec_label(struct aiops_logrec *r, const char *k, size_t kl, const char *v, size_t vl)
{
	if (r->nlabels == AIOPS_MAX_LABELS)
		return -1;
	r->labels[r->nlabels].key = k;
	r->labels[r->nlabels].klen = kl;
	r->labels[r->nlabels].val = v;
	r->labels[r->nlabels].vlen = vl;
	r->nlabels++;
	return 0;
}

/*
 * logfmt (Go's log/slog, go-kit: Prometheus, Loki, Grafana): the value of
 * key= or key="..." among the first 96 bytes, key at the start or after a
 * space. Its length, 0 when absent.
 */
static size_t
logfmt_value(const char *s, size_t n, const char *key, const char **v)
{
	size_t kl = strlen(key), lim = n < 96 ? n : 96, p, e;

	for (p = 0; p + kl < lim; p++) {
		if ((p > 0 && s[p - 1] != ' ') || memcmp(s + p, key, kl) != 0 || s[p + kl] != '=')
			continue;
		p += kl + 1;
		if (p < n && s[p] == '"')
			p++;
		for (e = p; e < n && s[e] != ' ' && s[e] != '"'; e++)
			;
		*v = s + p;
		return e - p;
	}
	return 0;
}

void
aiops_logrec_guess_time(struct aiops_logrec *r, struct aiops_ingest *ing)
{
	const char *s = r->message, *v;
	size_t n = r->mlen, end, vl;

	AIOPS_UNUSED(ing);
	if (((vl = logfmt_value(s, n, "ts", &v)) > 0 || (vl = logfmt_value(s, n, "time", &v)) > 0) &&
	    isdigit((unsigned char)v[0]) && aiops_time_parse_rfc3339(v, vl, &r->ts) == 0) {
		r->has_ts = 1;
		return;
	}
	if (n < 19 || !isdigit((unsigned char)s[0]) || s[4] != '-' || s[7] != '-')
		return;
	/* The time runs to the first space after the clock part. */
	for (end = 19; end < n && s[end] != ' '; end++)
		;
	if (aiops_time_parse_rfc3339(s, end, &r->ts) == 0) {
		r->has_ts = 1;
		return;
	}
	/* log4j "2026-11-15 00:00:03,120": date, space, time with a comma. */
	if (end + 1 < n && s[10] == ' ') {
		size_t e2;

		for (e2 = 20; e2 < n && s[e2] != ' '; e2++)
			;
		if (aiops_time_parse_rfc3339(s, e2, &r->ts) == 0)
			r->has_ts = 1;
	}
}

void
aiops_logrec_emit(struct aiops_ingest *ing, struct aiops_logrec *r, const char *source)
{
	struct aiops_event_head h;
	struct aiops_jw *w;

	aiops_labels_sort(r->labels, r->nlabels);
	memset(&h, 0, sizeof(h));
	h.type = "log";
	h.ts = r->has_ts ? r->ts : aiops_ingest_now(ing);
	h.host = r->host;
	h.hlen = r->hlen;
	h.source = source;
	h.labels = r->labels;
	h.nlabels = r->nlabels;
	h.idkey = r->message;
	h.idklen = r->mlen;
	/* Read again, a line of no time of its own keeps its id. */
	if (!r->has_ts && ing->has_origin)
		h.origin = &ing->origin;
	w = aiops_ingest_begin(ing, &h);
	if (r->service != NULL)
		aiops_jw_kstr(w, "service", r->service, r->slen);
	aiops_jw_kcstr(w, "severity", r->severity);
	aiops_jw_kstr(w, "message", r->message, r->mlen);
	if (r->fields != NULL && json_object_size(r->fields) > 0) {
		aiops_jw_key(w, "fields", 6);
		aiops_jw_json(w, r->fields);
	}
	aiops_ingest_end(ing);
}

/*
 * A one-letter code counts only set apart by spaces (logcat's "1235 E
 * Tag: ..."), and not the English words "A" and "I", which start many a
 * message ("A new session...").
 */
static int
letter_code(const char *line, size_t len, size_t at)
{
	int c = line[at] & ~0x20;

	return at > 0 && line[at - 1] == ' ' && at + 1 < len && line[at + 1] == ' ' &&
	    c != 'A' && c != 'I';
}

int
aiops_logrec_guess_level(const char *line, size_t len)
{
	size_t i = 0, lim = len < 96 ? len : 96, vl;
	const char *v;
	int level;

	/* logfmt says it outright, in lower case: level=error. */
	if (((vl = logfmt_value(line, len, "level", &v)) > 0 ||
	    (vl = logfmt_value(line, len, "lvl", &v)) > 0 ||
	    (vl = logfmt_value(line, len, "severity", &v)) > 0) &&
	    (level = aiops_severity_parse(v, vl)) >= 0)
		return level;
	while (i < lim) {
		size_t start;

		while (i < lim && !isalpha((unsigned char)line[i]))
			i++;
		start = i;
		while (i < lim && isalpha((unsigned char)line[i]))
			i++;
		if (i - start == 1 && !letter_code(line, len, start))
			continue;
		/* Upper-case or bracketed words only: "error" in prose is not a level. */
		if (i - start > 1 && !isupper((unsigned char)line[start + 1]) &&
		    !(start > 0 && (line[start - 1] == '[' || line[start - 1] == '<')))
			continue;
		if ((level = aiops_severity_parse(line + start, i - start)) >= 0)
			return level;
	}
	return -1;
}

const char *
aiops_logrec_guess_severity(const char *line, size_t len)
{
	int level = aiops_logrec_guess_level(line, len);

	return level >= 0 ? aiops_severity_name(level) : "info";
}
