/*
 * ingest.h: input formats of aiops-ingest and the sink they write to.
 *
 * A format is a table of callbacks (lib/ingest/<format>.c). The sink turns
 * what a format parses into events on the output and, with --store, into
 * points in the state. Rule for formats: parse and check the whole line
 * (or document) first, then emit; on a bad line return
 * aiops_ingest_error(ing, "what is wrong") having emitted nothing: the
 * caller reports "file:line: skipped: what is wrong" and goes on.
 */
#ifndef AIOPS_INGEST_H
#define AIOPS_INGEST_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "event/event.h"
#include "json/jw.h"
#include "store/mstore.h"
#include "io/out.h"
#include "core/timeutil.h"

struct aiops_ingest_opts {
	const char		*source;	/* "source" field; default: the format's name */
	const char		*host;		/* host when the input names none */
	const char		*cluster;	/* cluster for every event, or NULL */
	enum aiops_time_unit	 precision;	/* of line-protocol timestamps (default ns) */
	const json_t		*json_fields;	/* JSON logs: {"message":"msg",...} (borrowed) */
};

struct aiops_ingest {
	const struct aiops_ingest_opts	*opts;
	struct aiops_out		*out;
	struct aiops_mstore		*store;		/* NULL without --store */
	struct aiops_jw			 jw;
	const char			*name;		/* input name for messages */
	unsigned long			 lineno;	/* line being parsed */
	/*
	 * Where the line being parsed is in its file, when it comes from one
	 * (has_origin; set by the reader with each line): a log line without
	 * a time of its own takes its id from it (event/event.h).
	 */
	struct aiops_origin		 origin;
	int				 has_origin;
	unsigned long			 errline;	/* line of the error (0: lineno) */
	char				 err[512];
	unsigned long			 nevents;
	int				 store_failed;
	/*
	 * What was accepted but changed or left out, never silently: counted
	 * here, each one shown by note() (the program logs it at -v), the
	 * counts summed up at exit.
	 */
	unsigned long			 nonfinite;	/* NaN, +Inf, -Inf samples not written */
	unsigned long			 replaced;	/* lines kept with bad bytes as U+FFFD */
	void				(*note)(void *arg, const char *name,
					    unsigned long line, const char *what);
	void				*note_arg;
};

struct aiops_format {
	const char	*name;
	const char	*desc;
	/* How sure (0-100) that an input whose first line is this is ours. */
	int		(*sniff)(const char *line, size_t len);
	/* Per-input state, or NULL (then the others get NULL). */
	void		*(*start)(struct aiops_ingest *ing);
	/* One line: 0 ok, -1 bad line (aiops_ingest_error). */
	int		(*line)(void *st, struct aiops_ingest *ing, const char *line, size_t len);
	/* End of input: 0, or -1 for trailing garbage. May be NULL. */
	int		(*finish)(void *st, struct aiops_ingest *ing);
	void		(*free)(void *st);
	/*
	 * 1: the format checks its own bytes (jansson refuses invalid UTF-8),
	 * so a bad line inside a multi-line document fails that document.
	 */
	int		 checks_utf8;
};

/* Every format, NULL-terminated. */
extern const struct aiops_format *const aiops_formats[];
const struct aiops_format *aiops_format_find(const char *name);
/* The format most sure of this first line (plain text when none is). */
const struct aiops_format *aiops_format_sniff(const char *line, size_t len);

void aiops_ingest_init(struct aiops_ingest *ing, const struct aiops_ingest_opts *opts,
    struct aiops_out *out, struct aiops_mstore *store);
/* Records the error (printf-style) and returns -1. */
int aiops_ingest_error(struct aiops_ingest *ing, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int aiops_ingest_error_at(struct aiops_ingest *ing, unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/*
 * Something accepted but changed or left out (printf-style): passed to
 * ing->note with the input's name and line, when there is a note().
 */
void aiops_ingest_note(struct aiops_ingest *ing, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Time for data that carries none: the toolkit clock. */
int64_t aiops_ingest_now(struct aiops_ingest *ing);
/* The "source" to write: opts->source or the given format name. */
const char *aiops_ingest_source(const struct aiops_ingest *ing, const char *fmtname);
/*
 * A metric: fills host/cluster/source defaults when NULL, writes the event,
 * and stores it with --store. 0, or -1 when the store failed.
 */
int aiops_ingest_metric(struct aiops_ingest *ing, struct aiops_metric *m);
/*
 * Another event: writes the head (host/cluster defaults filled) and returns
 * the writer for the event's own fields; aiops_ingest_end() closes it.
 */
struct aiops_jw *aiops_ingest_begin(struct aiops_ingest *ing, struct aiops_event_head *h);
void aiops_ingest_end(struct aiops_ingest *ing);

/*
 * One input being read: its format (chosen from the first non-blank line
 * when fmt is NULL) and that format's state.
 */
struct aiops_input {
	const struct aiops_format	*fmt;
	void				*st;
	const char			*name;
	int				 started;
};

void aiops_input_init(struct aiops_input *in, const struct aiops_format *fmt, const char *name);
/*
 * Feeds one line: 0 ok (blank lines included), -1 the line was bad and
 * nothing of it was written (ing->err, ing->errline say why and where).
 */
int aiops_input_line(struct aiops_ingest *ing, struct aiops_input *in,
    const char *line, size_t len, unsigned long lineno);
/* End of input: runs the format's finish(); -1 as above. Frees the state. */
int aiops_input_finish(struct aiops_ingest *ing, struct aiops_input *in);

#endif
