/*
 * logfields.h: the log event shared by the log formats (syslog, JSON logs,
 * plain text): fill a struct aiops_logrec, then emit it.
 */
#ifndef AIOPS_INGEST_LOGFIELDS_H
#define AIOPS_INGEST_LOGFIELDS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "event/event.h"
#include "ingest/ingest.h"

struct aiops_logrec {
	int64_t			 ts;
	int			 has_ts;
	const char		*host;		/* or NULL */
	size_t			 hlen;
	const char		*service;	/* program, app name; or NULL */
	size_t			 slen;
	const char		*severity;	/* aiops_severity_name() of the level */
	const char		*message;
	size_t			 mlen;
	struct aiops_label	 labels[AIOPS_MAX_LABELS];
	size_t			 nlabels;
	const json_t		*fields;	/* extra structured fields (borrowed), or NULL */
};

void aiops_logrec_init(struct aiops_logrec *r);
/* A label (not copied: the strings must outlive the emit). -1 when full. */
int aiops_logrec_label(struct aiops_logrec *r, const char *k, size_t kl, const char *v, size_t vl);
/*
 * The time of a line of text as ts: a logfmt ts= or time= in its first 96
 * bytes (any form of core/logtime.h), else a time the line starts with
 * (core/logtime.h without AIOPS_LOGTIME_HEADER: a date and a time of day,
 * not a bare number). A year or day it lacks is taken nearest the clock.
 */
void aiops_logrec_guess_time(struct aiops_logrec *r, struct aiops_ingest *ing);
/* Writes the log event (ts: the clock's when has_ts is 0). */
void aiops_logrec_emit(struct aiops_ingest *ing, struct aiops_logrec *r, const char *source);

/*
 * The level (0-7) of a logfmt level=, lvl= or severity= in the first 96
 * bytes of a line, else of the first severity word there (upper case or
 * bracketed: event/severity.h); -1 when there is none.
 */
int aiops_logrec_guess_level(const char *line, size_t len);
/* The same as the event's word; "info" when there is none. */
const char *aiops_logrec_guess_severity(const char *line, size_t len);

#endif
