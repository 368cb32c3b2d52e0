#include "compat.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "ingest/logfields.h"
#include "core/logtime.h"
#include "event/logkeys.h"
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

void
aiops_logrec_guess_time(struct aiops_logrec *r, struct aiops_ingest *ing)
{
	int64_t ref = aiops_ingest_now(ing);

	if (aiops_logkeys_logfmt_time(r->message, r->mlen, ref, &r->ts) == 0 ||
	    aiops_logtime_scan(r->message, r->mlen, ref, 0, &r->ts) > 0)
		r->has_ts = 1;
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
	size_t i = 0, lim = len < 96 ? len : 96;
	int level;

	if ((level = aiops_logkeys_logfmt_level(line, len)) >= 0)
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
