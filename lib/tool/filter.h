/*
 * filter.h: what every filter's main loop shares: stopping on SIGINT and
 * SIGTERM, reading files line by line, reporting malformed lines as
 * "file:line: skipped: reason" (and stopping at the first with --strict),
 * quitting quietly when the reader of stdout goes away, and the summary
 * and exit status at the end.
 */
#ifndef AIOPS_FILTER_H
#define AIOPS_FILTER_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include "tool/cli.h"
#include "io/out.h"

/* Skipped lines reported one by one; the rest are counted (all with -v). */
#define AIOPS_SKIP_SHOWN	10

/* Set by SIGINT/SIGTERM (and --strict): finish the batch, then exit. */
extern volatile int aiops_stop;

struct aiops_filter {
	const struct aiops_cli	*cli;
	struct aiops_out	*out;
	unsigned long		 skipped;
	int			 status;	/* the first error's exit status, or 0 */
	/*
	 * Called before each read that may wait for input, then the output
	 * is flushed: a filter that batches its input finishes the batch here
	 * so nothing waits on input that may be slow to come. May be NULL.
	 */
	void			(*drain)(void *arg);
	void			*drain_arg;
	int			 fd;		/* of the input being read, for drain() */
	/* While aiops_filter_read() calls fn: the bytes before its line. */
	off_t			 line_offset;
};

/* Called with each line of an input; name is "(stdin)" for "-". */
typedef void (*aiops_line_fn)(void *arg, const char *name, const char *line,
    size_t len, unsigned long lineno);

void aiops_filter_init(struct aiops_filter *f, const struct aiops_cli *cli,
    struct aiops_out *out);
/*
 * SIGINT and SIGTERM set aiops_stop (without SA_RESTART, so a blocked read
 * returns); a second one exits at once.
 */
void aiops_filter_signals(void);
/* Set by SIGHUP once aiops_filter_reload_signals() is called: the program
 * reads its configuration again at its next quiet moment and clears it. */
extern volatile sig_atomic_t aiops_reload;
/*
 * SIGHUP sets aiops_reload; it and each signal of wake (a list ended by 0,
 * may be NULL: SIGALRM for a timer) interrupt a wait (no SA_RESTART) and
 * do nothing else.
 */
void aiops_filter_reload_signals(const int *wake);
/*
 * Counts a skipped line; reports "name:line: skipped: reason" for the first
 * AIOPS_SKIP_SHOWN (every one at -v), then one line saying the rest are
 * only counted. Sets aiops_stop under --strict.
 */
void aiops_filter_skip(struct aiops_filter *f, const char *name, unsigned long line,
    const char *reason);
/* Exits 0 when stdout's reader went away (EPIPE), EX_IOERR on other errors. */
void aiops_filter_check_output(struct aiops_filter *f);
/*
 * Would a read of the input now return at once (data waiting, its end, a
 * regular file)? For drain(): a filter can keep a transaction open while
 * more input is there, and commit before it waits.
 */
int aiops_filter_input_ready(const struct aiops_filter *f);
/*
 * Reads path ("-": stdin) to its end or until aiops_stop, calling fn per
 * line; over-long lines are skipped and reported. 0, or -1 when it could
 * not be opened or read (reported; the status is set).
 */
int aiops_filter_read(struct aiops_filter *f, const char *path, aiops_line_fn fn, void *arg);
/* Reports the number of skipped lines; the status to exit with. */
int aiops_filter_status(struct aiops_filter *f);

#endif
