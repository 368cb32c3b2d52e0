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

#include "core/buf.h"
#include "event/event.h"
#include "json/jw.h"
#include "store/alerts.h"
#include "store/mstore.h"
#include "io/out.h"
#include "core/timeutil.h"

struct aiops_ingest_opts {
	const char		*source;	/* "source" field; default: the format's name */
	const char		*host;		/* host when the input names none */
	const char		*cluster;	/* cluster for every event, or NULL */
	enum aiops_time_unit	 precision;	/* of line-protocol timestamps (default ns) */
	const json_t		*json_fields;	/* JSON logs: {"message":"msg",...} (borrowed) */
	size_t			 max_record;	/* longest CSV record over lines (0: 1 MiB) */
};

struct aiops_ingest {
	const struct aiops_ingest_opts	*opts;
	struct aiops_out		*out;
	struct aiops_mstore		*store;		/* NULL without --store */
	struct aiops_alertstore		*alerts;	/* likewise, for alerts */
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
	/*
	 * A bad line, as aiops_input_*() find it: one call may feed several
	 * (the lines held for detection), so each is reported here, with the
	 * line the format named (errline) or the line fed. Returns nonzero to
	 * stop (--strict): the lines still held are then dropped. May be NULL.
	 */
	int				(*skip)(void *arg, const char *name,
					    unsigned long line, const char *why);
	void				*skip_arg;
};

struct aiops_format {
	const char	*name;
	const char	*desc;
	/*
	 * How sure (0-100) that this one line is ours; 0: not ours, or no
	 * telling from this line alone (the inside of a document, a CSV
	 * row). Detection sums it over a window of lines (aiops_input_line).
	 * NULL: never detected, only chosen (--format).
	 */
	int		(*sniff)(const char *line, size_t len);
	/* Per-input state, or NULL (then the others get NULL). */
	void		*(*start)(struct aiops_ingest *ing);
	/* One line: 0 ok, -1 bad line (aiops_ingest_error). */
	int		(*line)(void *st, struct aiops_ingest *ing, const char *line, size_t len);
	/* End of input: 0, or -1 for trailing garbage. May be NULL. */
	int		(*finish)(void *st, struct aiops_ingest *ing);
	/*
	 * The input pauses (--follow is idle): write what is complete though
	 * more could belong to it (an SNMP walk). 0, or -1 as finish(). May
	 * be NULL.
	 */
	int		(*idle)(void *st, struct aiops_ingest *ing);
	/*
	 * Nonzero while lines already read are held in a record not written
	 * yet (a CSV record whose quoted field goes on, a JSON document, an
	 * SNMP string over lines): --follow saves no offset then, so that a
	 * crash cannot skip them. May be NULL (nothing is ever held).
	 */
	int		(*held)(const void *st);
	/*
	 * 1: every line needs the file's first line, a header naming the
	 * columns (CSV): a follower that reads on in another file (rotated,
	 * copied) starts the format again, and one that resumes past the
	 * header (a restart) feeds it the header first.
	 */
	int		 header;
	void		(*free)(void *st);
	/*
	 * 1: blank lines are passed on too (a JSON document counts its
	 * lines). Bad bytes are replaced for every format (aiops_input_line);
	 * the name is from when jansson was left to refuse them.
	 */
	int		 checks_utf8;
};

/* Every format, NULL-terminated. */
extern const struct aiops_format *const aiops_formats[];
const struct aiops_format *aiops_format_find(const char *name);
/*
 * Detection: the format whose sniff() sums highest over the n lines (ties
 * to the earlier in aiops_formats[]; plain text when no format claims
 * any line). scores, when not NULL, gets each format's sum, in the order
 * of aiops_formats[] (0 for a format without sniff()).
 */
const struct aiops_format *aiops_format_sniff(const char *const *lines, const size_t *lens,
    size_t n, int *scores);

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
 * A metric: fills host/cluster/source defaults when NULL, makes its name
 * and label names valid Prometheus names (event/promname.h; of two labels
 * that become one name the first in name order stays, noted), writes the
 * event, and stores it with --store. 0, or -1 when the store failed.
 */
int aiops_ingest_metric(struct aiops_ingest *ing, struct aiops_metric *m);
/*
 * The same for a format that made the names valid itself (line protocol,
 * whose hot path cannot afford checking them twice).
 */
int aiops_ingest_metric_valid(struct aiops_ingest *ing, struct aiops_metric *m);
/*
 * An alert notification, stored with --store (its event is written with
 * aiops_ingest_begin()); received now on the toolkit clock. 0, or -1
 * when the store failed.
 */
int aiops_ingest_alert(struct aiops_ingest *ing, const struct aiops_alert *a);
/*
 * Another event: writes the head (host/cluster defaults filled) and returns
 * the writer for the event's own fields; aiops_ingest_end() closes it.
 */
struct aiops_jw *aiops_ingest_begin(struct aiops_ingest *ing, struct aiops_event_head *h);
void aiops_ingest_end(struct aiops_ingest *ing);

/*
 * Non-blank lines that detection weighs, lines held in all (blank lines
 * between them are held too, for the formats that count them), and the
 * longest the first of them waits.
 */
#define AIOPS_DETECT_LINES	16
#define AIOPS_DETECT_HELD	64
#define AIOPS_DETECT_MS		1000

/*
 * One input being read: its format and that format's state. Without a
 * format (--format auto), the lines from the first non-blank one are held
 * (copied) until AIOPS_DETECT_LINES of them are not blank; the format is
 * chosen from those (ing->note says which, with the scores), and the held
 * lines fed to it in order under their own line numbers. They are held no
 * longer than AIOPS_DETECT_MS, the end of the input (aiops_input_finish)
 * or a pause (aiops_input_flush), whichever comes first.
 */
struct aiops_input {
	const struct aiops_format	*fmt;		/* NULL: not chosen yet */
	void				*st;
	const char			*name;
	int				 started;
	struct aiops_buf		 held;		/* the held lines, back to back */
	struct {
		size_t			 off, len;
		unsigned long		 lineno;
		int			 blank;
		struct aiops_origin	 origin;	/* ing->origin when held */
		int			 has_origin;
	}				 hl[AIOPS_DETECT_HELD];
	size_t				 nheld;		/* lines held */
	size_t				 nscored;	/* of them not blank */
	int64_t				 since;		/* monotonic ns of the first held */
	struct aiops_buf		 fixed;		/* a line with bad bytes replaced */
};

void aiops_input_init(struct aiops_input *in, const struct aiops_format *fmt, const char *name);
/*
 * Feeds one line (or holds it for detection). A line with bytes that are
 * not UTF-8, or NUL bytes, is kept with each such byte replaced by U+FFFD
 * (counted in ing->replaced, shown by note()); a UTF-8 BOM opening line
 * 1 is dropped. Returns 0, or -1 when a
 * line fed by this call was bad and nothing of it was written: each one
 * is passed to ing->skip (ing->err, ing->errline say why and where).
 */
int aiops_input_line(struct aiops_ingest *ing, struct aiops_input *in,
    const char *line, size_t len, unsigned long lineno);
/*
 * The input pauses (no more for now; --follow is idle): choose the format
 * from the lines held and feed them, then let the format write what is
 * complete (its idle()). 0 or -1 as above.
 */
int aiops_input_flush(struct aiops_ingest *ing, struct aiops_input *in);
/*
 * Nonzero while lines read are not written yet: held for detection, or
 * in a record the format holds (its held()). A follower saves no offset
 * then.
 */
int aiops_input_holding(const struct aiops_input *in);
/*
 * Milliseconds the held lines may still wait for more input (0: flush
 * now), or -1 when no line is held.
 */
int aiops_input_wait_ms(const struct aiops_input *in);
/*
 * End of input: flushes, runs the format's finish(); 0 or -1 as above.
 * Frees the state and the buffers.
 */
int aiops_input_finish(struct aiops_ingest *ing, struct aiops_input *in);

#endif
