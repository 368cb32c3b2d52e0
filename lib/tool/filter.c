#include "compat.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "tool/filter.h"
#include "io/linereader.h"
#include "tool/log.h"

volatile int aiops_stop;

void
aiops_filter_init(struct aiops_filter *f, const struct aiops_cli *cli, struct aiops_out *out)
{
	memset(f, 0, sizeof(*f));
	f->cli = cli;
	f->out = out;
}

static void
on_signal(int sig)
{
	/* A second signal means now: the first is still committing. */
	if (aiops_stop)
		_exit(128 + sig);
	aiops_stop = 1;
}

void
aiops_filter_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

volatile sig_atomic_t aiops_reload;

static void
on_wake(int sig)
{
	if (sig == SIGHUP)
		aiops_reload = 1;
}

void
aiops_filter_reload_signals(const int *wake)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_wake;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	for (; wake != NULL && *wake != 0; wake++)
		sigaction(*wake, &sa, NULL);
}

void
aiops_filter_skip(struct aiops_filter *f, const char *name, unsigned long line,
    const char *reason)
{
	f->skipped++;
	/* A flood of garbage must not become a flood of stderr: -v shows all. */
	if (f->skipped <= AIOPS_SKIP_SHOWN || f->cli->verbosity > 0)
		log_warnx("%s:%lu: skipped: %s", name, line, reason);
	else if (f->skipped == AIOPS_SKIP_SHOWN + 1)
		log_warnx("%s:%lu: more lines skipped: counted, not shown (-v shows them)",
		    name, line);
	/* Stop reading, but keep what was accepted: the caller still flushes it. */
	if (f->cli->strict && !aiops_stop) {
		log_error("%s:%lu: stopping (--strict)", name, line);
		aiops_stop = 1;
	}
}

void
aiops_filter_check_output(struct aiops_filter *f)
{
	if (f->out->error == EPIPE)
		exit(EX_OK);	/* the reader went away: `| head` */
	if (f->out->error != 0) {
		errno = f->out->error;
		fatal(EX_IOERR, "writing standard output");
	}
}

int
aiops_filter_input_ready(const struct aiops_filter *f)
{
	struct pollfd p;

	p.fd = f->fd;
	p.events = POLLIN;
	p.revents = 0;
	return poll(&p, 1, 0) > 0;
}

static void
before_read(void *arg)
{
	struct aiops_filter *f = arg;

	if (f->drain != NULL)
		f->drain(f->drain_arg);
	aiops_out_hook(f->out);
}

int
aiops_filter_read(struct aiops_filter *f, const char *path, aiops_line_fn fn, void *arg)
{
	const char *name = strcmp(path, "-") == 0 ? "(stdin)" : path;
	struct aiops_lr *lr;
	const char *line;
	size_t len;
	int fd = STDIN_FILENO, rc, ret = 0;

	if (strcmp(path, "-") != 0 && (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_error("%s: %s", path, strerror(errno));
		if (f->status == 0)
			f->status = EX_NOINPUT;
		return -1;
	}
	f->fd = fd;
	lr = aiops_lr_new(fd, f->cli->max_line, 0);
	aiops_lr_set_before_read(lr, before_read, f);
	for (;;) {
		/* Where the next line starts, before the reader moves past it. */
		f->line_offset = aiops_lr_offset(lr);
		if (aiops_stop || (rc = aiops_lr_next(lr, &line, &len)) == AIOPS_LR_EOF)
			break;
		if (rc == AIOPS_LR_ERROR) {
			if (errno == EINTR)
				continue;
			log_error("%s: %s", name, strerror(errno));
			if (f->status == 0)
				f->status = EX_IOERR;
			ret = -1;
			break;
		}
		if (rc == AIOPS_LR_TOOLONG) {
			char reason[128];

			snprintf(reason, sizeof(reason), "line of %zu bytes is longer than --max-line %zu",
			    len, f->cli->max_line);
			aiops_filter_skip(f, name, aiops_lr_lineno(lr), reason);
		} else {
			fn(arg, name, line, len, aiops_lr_lineno(lr));
		}
		aiops_filter_check_output(f);
	}
	aiops_lr_free(lr);
	if (fd != STDIN_FILENO)
		close(fd);
	return ret;
}

int
aiops_filter_status(struct aiops_filter *f)
{
	if (f->skipped > 0) {
		log_warnx("%lu line%s skipped", f->skipped, f->skipped == 1 ? "" : "s");
		if (f->status == 0)
			f->status = EX_DATAERR;
	}
	return f->status;
}
