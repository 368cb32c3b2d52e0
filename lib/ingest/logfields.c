#include "compat.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "ingest/logfields.h"
#include "core/timeutil.h"

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

void
aiops_logrec_guess_time(struct aiops_logrec *r, struct aiops_ingest *ing)
{
	const char *s = r->message;
	size_t n = r->mlen, end;

	AIOPS_UNUSED(ing);
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

const char *
aiops_severity_syslog(int level)
{
	static const char *const names[] = {
		"critical", "critical", "critical", "error",
		"warning", "notice", "info", "debug",
	};

	return level >= 0 && level <= 7 ? names[level] : "info";
}

const char *
aiops_severity_norm(const char *s, size_t n)
{
	static const struct { const char *word; const char *sev; } words[] = {
		{ "emerg", "critical" }, { "emergency", "critical" }, { "alert", "critical" },
		{ "crit", "critical" }, { "critical", "critical" }, { "fatal", "critical" },
		{ "panic", "critical" }, { "f", "critical" }, { "c", "critical" },
		{ "err", "error" }, { "error", "error" }, { "severe", "error" }, { "e", "error" },
		{ "warn", "warning" }, { "warning", "warning" }, { "w", "warning" },
		{ "notice", "notice" }, { "n", "notice" },
		{ "info", "info" }, { "information", "info" }, { "informational", "info" },
		{ "i", "info" },
		{ "debug", "debug" }, { "trace", "debug" }, { "fine", "debug" },
		{ "finer", "debug" }, { "finest", "debug" }, { "d", "debug" }, { "v", "debug" },
	};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i].word) == n && strncasecmp(s, words[i].word, n) == 0)
			return words[i].sev;
	return NULL;
}

const char *
aiops_severity_guess(const char *line, size_t len)
{
	size_t i = 0, lim = len < 96 ? len : 96;

	while (i < lim) {
		size_t start;
		const char *sev;

		while (i < lim && !isalpha((unsigned char)line[i]))
			i++;
		start = i;
		while (i < lim && isalpha((unsigned char)line[i]))
			i++;
		/* Single letters (logcat "E") only count when set apart by spaces. */
		if (i - start == 1 && !(start > 0 && line[start - 1] == ' ' &&
		    i < len && line[i] == ' '))
			continue;
		/* Upper-case or bracketed words only: "error" in prose is not a level. */
		if (i - start > 1 && !isupper((unsigned char)line[start + 1]) &&
		    !(start > 0 && (line[start - 1] == '[' || line[start - 1] == '<')))
			continue;
		sev = aiops_severity_norm(line + start, i - start);
		if (sev != NULL)
			return sev;
	}
	return "info";
}
