/*
 * text.c: plain text logs. Each line is a log event whose message is the
 * line; a leading RFC 3339 time, if any, becomes the event time, and a
 * severity word (ERROR, WARN...) near the start becomes its severity.
 * Template mining and header parsing proper are aiops-detect's job.
 */
#include "compat.h"

#include <string.h>

#include "ingest/ingest.h"
#include "ingest/logfields.h"

static int
sniff(const char *line, size_t len)
{
	AIOPS_UNUSED(line);
	AIOPS_UNUSED(len);
	return 1;
}

static int
text_line(void *st, struct aiops_ingest *ing, const char *line, size_t len)
{
	struct aiops_logrec r;

	AIOPS_UNUSED(st);
	aiops_logrec_init(&r);
	r.message = line;
	r.mlen = len;
	aiops_logrec_guess_time(&r, ing);
	r.severity = aiops_logrec_guess_severity(line, len);
	aiops_logrec_emit(ing, &r, aiops_ingest_source(ing, "text"));
	return 0;
}

const struct aiops_format aiops_format_text = {
	.name = "text",
	.desc = "plain text logs, one event per line",
	.sniff = sniff,
	.line = text_line,
};
