/*
 * search.h: full-text search of the stored log lines and templates (FTS5
 * tables log_fts and template_fts over logs.h's tables), ranked by bm25.
 */
#ifndef AIOPS_SEARCH_H
#define AIOPS_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "store/state.h"

/* The query is not valid FTS5 syntax (a result of the functions below). */
#define AIOPS_SEARCH_BADQUERY	(-2)

enum aiops_search_kind {
	AIOPS_SEARCH_TEMPLATE,
	AIOPS_SEARCH_LINE,
};

/* One match; strings are borrowed for the call of fn. */
struct aiops_search_hit {
	enum aiops_search_kind	 kind;
	double			 rank;		/* bm25 negated: higher is better */
	uint64_t		 template_id;	/* of the template, or of the line */
	/* AIOPS_SEARCH_TEMPLATE */
	const char		*text;		/* the template */
	size_t			 len;
	uint64_t		 count;		/* its lines over all runs */
	/* AIOPS_SEARCH_LINE */
	int64_t			 ts;		/* ns since the epoch (stored to the ms) */
	const char		*host;		/* or NULL */
	const char		*service;	/* or NULL */
	const char		*severity;	/* or NULL */
	const char		*message;
	size_t			 mlen;
};

typedef int aiops_search_fn(void *arg, const struct aiops_search_hit *h);

/*
 * Calls fn for each template matching query (FTS5 syntax), best first
 * (equals by id), at most limit, until fn returns nonzero. 0 (or fn's
 * value), AIOPS_SEARCH_BADQUERY, or -1 on a store failure.
 */
int aiops_search_templates(struct aiops_state *st, const char *query, size_t limit,
    aiops_search_fn *fn, void *arg);
/* The same for the lines stored at or after since (ns). */
int aiops_search_lines(struct aiops_state *st, const char *query, int64_t since,
    size_t limit, aiops_search_fn *fn, void *arg);

#endif
