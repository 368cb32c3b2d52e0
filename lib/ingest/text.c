/*
 * text.c: plain text logs. Each line is a log event. Its header is split
 * off by event/loghdr.h, the parser aiops-detect --raw uses, with one
 * learner per input: the header's time (any form core/logtime.h reads, else
 * a logfmt ts=) is the event time, its level the severity (else a severity
 * word near the start of the line), its host and program the event's, its
 * pid a label, and the rest of the line the message.
 */
#include "compat.h"

#include <string.h>

#include "core/logtime.h"
#include "event/loghdr.h"
#include "event/severity.h"
#include "ingest/ingest.h"
#include "ingest/logfields.h"

static int
sniff(const char *line, size_t len)
{
	AIOPS_UNUSED(line);
	AIOPS_UNUSED(len);
	return 1;
}

/* The input's header learner; NULL (out of memory) splits without one. */
static void *
text_start(struct aiops_ingest *ing)
{
	AIOPS_UNUSED(ing);
	return aiops_loghdr_new();
}

static void
text_free(void *st)
{
	aiops_loghdr_free(st);
}

static int
text_line(void *st, struct aiops_ingest *ing, const char *line, size_t len)
{
	struct aiops_logrec r;
	struct aiops_loghead h;

	aiops_loghdr_split(st, line, len, &h);
	aiops_logrec_init(&r);
	r.message = h.message;
	r.mlen = h.message_len;
	r.host = h.host;
	r.hlen = h.host_len;
	r.service = h.component;
	r.slen = h.component_len;
	if (h.pid != NULL)
		aiops_logrec_label(&r, "pid", 3, h.pid, h.pid_len);
	if (h.ts != NULL && aiops_logtime_parse(h.ts, h.ts_len, aiops_ingest_now(ing),
	    AIOPS_LOGTIME_HEADER, &r.ts) == 0) {
		r.has_ts = 1;
	} else {
		r.message = line;	/* a logfmt ts= is anywhere in the line */
		r.mlen = len;
		aiops_logrec_guess_time(&r, ing);
		r.message = h.message;
		r.mlen = h.message_len;
	}
	r.severity = h.severity >= 0 ? aiops_severity_name(h.severity) :
	    aiops_logrec_guess_severity(h.message, h.message_len);
	aiops_logrec_emit(ing, &r, aiops_ingest_source(ing, "text"));
	return 0;
}

const struct aiops_format aiops_format_text = {
	.name = "text",
	.desc = "plain text logs, one event per line",
	.sniff = sniff,
	.start = text_start,
	.line = text_line,
	.free = text_free,
};
