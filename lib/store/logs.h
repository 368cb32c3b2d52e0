/*
 * logs.h: what aiops-detect keeps of logs (tables log_templates,
 * log_lines, log_rate_pending and two keys of meta): the mined templates,
 * the lines (indexed for search.h), the per-minute counts of a minute not
 * yet over, and how far the miner got, so the next run goes on from there.
 */
#ifndef AIOPS_LOGS_H
#define AIOPS_LOGS_H

#include <stddef.h>
#include <stdint.h>

#include "store/state.h"

/* Pointers are borrowed: from the caller, or for the call of fn. */
struct aiops_log_template {
	uint64_t	 id;		/* the template_id, > 0, never reused */
	const char	*text;		/* the template, variable parts as <*> */
	size_t		 len;
	uint64_t	 count;		/* lines mined into it, over all runs */
	/*
	 * ns. To put: when it was seen (its latest line), and first when it
	 * is new (its first line; 0: seen); first and last seen are kept.
	 * Read: its first and last seen.
	 */
	int64_t		 seen;
	int64_t		 first;
	/* the program whose line made it ("": none); NULL: not known. Put when new. */
	const char	*source;
};

struct aiops_log_line {
	int64_t		 ts;		/* ns since the epoch (stored to the ms) */
	const char	*host;		/* or NULL */
	const char	*service;	/* or NULL */
	const char	*severity;	/* critical, error, ... debug */
	uint64_t	 template_id;
	const char	*message;
};

/* The count of one template's lines, or of one host's error lines. */
struct aiops_log_rate {
	const char	*key;		/* name{template_id="..."} or name{host="..."} */
	int64_t		 minute;	/* ns: the start of the minute counted */
	uint64_t	 count;
	const char	*host;		/* error lines: the host; or NULL */
	uint64_t	 template_id;	/* a template's lines; 0 for error lines */
};

/*
 * Calls fn for each stored template, by id, until it returns nonzero:
 * 0 (or fn's value), or -1 on error.
 */
int aiops_logs_templates(struct aiops_state *st,
    int (*fn)(void *arg, const struct aiops_log_template *t), void *arg);
/*
 * Stores t: a new template (first and last seen t->seen), or a changed
 * one (text, count, last seen); an unchanged one is left alone. 0, or -1.
 */
int aiops_logs_template_put(struct aiops_state *st, const struct aiops_log_template *t);

/* Stores a line (indexed for full-text search). 0, or -1. */
int aiops_logs_line_add(struct aiops_state *st, const struct aiops_log_line *l);
/* Deletes the lines older than before (ns). 0, or -1. */
int aiops_logs_expire(struct aiops_state *st, int64_t before);

/* Calls fn for each count kept, until it returns nonzero; as above. */
int aiops_logs_rates(struct aiops_state *st,
    int (*fn)(void *arg, const struct aiops_log_rate *r), void *arg);
/* Forgets every count kept, before the counts of this run are added. */
int aiops_logs_rates_clear(struct aiops_state *st);
int aiops_logs_rate_add(struct aiops_state *st, const struct aiops_log_rate *r);

/*
 * How far the miner got: lines mined over all runs, and the latest minute
 * counted (ns). Both 0 when nothing was saved. 0, or -1.
 */
int aiops_logs_position_get(struct aiops_state *st, uint64_t *nlines, int64_t *minute);
int aiops_logs_position_put(struct aiops_state *st, uint64_t nlines, int64_t minute);

#endif
