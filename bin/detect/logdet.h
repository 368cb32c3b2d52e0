/*
 * logdet.h: the log detector's state, shared by logs.c (mining, new
 * templates, the programs, stored lines, search) and lograte.c (the
 * per-minute counts of templates and of hosts' error lines, scored as
 * metrics). Nothing else includes it.
 */
#ifndef AIOPS_LOGDET_H
#define AIOPS_LOGDET_H

#include <stddef.h>
#include <stdint.h>

#include "core/hmap.h"
#include "detect/logmine.h"
#include "detect.h"

/*
 * Template ids from here on are the overflow templates of programs past
 * detect.logs.max_templates (logs.c): 2^52, far above any id the miner
 * gives and below 2^53, so that a JSON reader's double holds them exactly.
 */
#define LOG_OVERFLOW_BASE	(1ULL << 52)

/*
 * A per-minute count scored by a model: of one template (once it has one,
 * lograte.c) or of one host's error lines.
 */
struct rate {
	const char	*name;		/* log_template_rate | log_error_rate */
	char		*host;		/* or NULL */
	uint64_t	 tid;		/* template, or 0 */
	int64_t		 minute;	/* start of the minute counted, ns */
	uint64_t	 count;
	int64_t		 last;		/* the latest minute it counted a line in */
	int64_t		 fed;		/* the latest minute its model was given; see lograte.c */
	size_t		 ord;		/* hosts: in the order first seen */
	int		 active;	/* on the list of counts closed each minute */
};

/* What is kept of a template between its lines: a few words, no model. */
struct tmpl {
	int64_t		 first, last;	/* its first and latest line, ns */
	int64_t		 minute;	/* without a model: the minute counted... */
	uint64_t	 count;		/* ...and its lines in it */
	struct source	*src;		/* the program whose line made it; NULL: not known */
	struct rate	*rate;		/* its model's count, once it could burst; or NULL */
	int		 dirty;		/* counted since the templates were saved */
};

/*
 * A program (a line's component or service; "" for none): how its lines
 * categorise (logs.c categorises()) and its templates against the cap.
 */
struct source {
	const char	*name;		/* the map's copy of the key */
	size_t		 nlen;
	uint64_t	 lines, news;	/* in the block so far */
	int		 over;		/* whole blocks on end over SOURCE_NEW_MAX */
	int		 uncategorised;	/* two or more */
	int		 told;
	uint64_t	 templates;	/* made by its lines, over all runs */
	uint64_t	 over_id;	/* its overflow template, or 0 */
	char		*over_text;
	uint64_t	 over_count;	/* lines in it, over all runs */
	struct tmpl	 over_tmpl;
	int		 capped_told;	/* this run */
};

struct stored_line;

struct logdet {
	struct aiops_logmine	*lm;
	uint64_t		 nlines;	/* mined, over all runs */
	uint64_t		 warmup;	/* lines before new templates alert */
	double			 min_burst;	/* lines a minute before a rate alerts */
	int64_t			 retention;	/* of stored lines and rate models, ns; 0 keeps all */
	uint64_t		 max_templates;	/* a program's; 0: no cap */
	int64_t			 raw_last;	/* the last time a raw line gave, or 0 */
	/* the last header time read, and its text: lines of one second read it once */
	char			 ts_text[48];
	size_t			 ts_text_len;
	int64_t			 minute;	/* latest minute seen */
	/* templates, by id (dense: the miner's are 1, 2, ...) */
	struct tmpl		*tmpls;
	size_t			 ntmpls;
	uint64_t		*dirty;		/* ids of the templates counted since saved */
	size_t			 ndirty, capdirty;
	/* the programs, and those with an overflow template by its id */
	struct aiops_hmap	 by_source;	/* program -> struct source */
	struct source		**overflows;	/* [id - LOG_OVERFLOW_BASE - 1] */
	size_t			 noverflows;
	size_t			 ncapped;	/* programs at the cap */
	/* lograte.c */
	struct aiops_hmap	 by_host;	/* host -> its error-line rate */
	struct rate		**active;	/* counts closed each minute */
	size_t			 nactive, capactive;
	int			 sorted;	/* active is in the order of the walk */
	uint64_t		*counted;	/* templates without a model counted this minute */
	size_t			 ncounted, capcounted;
	int			 expired;	/* the retention of rate models ran this run */
	/* stored lines not yet saved */
	struct stored_line	*pending;
	size_t			 npending;
};

/* lograte.c */
/*
 * The record of template tid: made if need be when `make` (an id the miner
 * gave); else NULL for an id not known (an id read from the state is
 * trusted only as far as the templates restored).
 */
struct tmpl *lograte_tmpl(struct logdet *l, uint64_t tid, int make);
/* Counts line ll, of record t, in its minute, closing the minutes before. */
void lograte_count(struct detect *d, int64_t ts, const struct aiops_logline *ll,
    struct tmpl *t, const char *host, size_t hlen);
/* After the templates: which have a model, and the counts of the last run. */
void lograte_load(struct detect *d);
/* The counts of the minute not yet over, then once a run the retention. 0, or -1. */
int lograte_save(struct detect *d);
void lograte_free(struct logdet *l);

#endif
