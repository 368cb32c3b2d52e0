/*
 * follow.c: tail -F for aiops-ingest --follow.
 *
 * Each file has a line reader in follow mode, so a last line still being
 * written waits for its newline. When a reader has nothing more, the file
 * is looked at under its name: a new inode there is a rotation (the old
 * descriptor is read to its very end, an unterminated last line
 * included, then the new file from 0); a size below what we read is a
 * truncation (read again from 0); no file is a file to wait for.
 *
 * IDLE is returned once when every file is drained after some activity,
 * and after every FORCE_IDLE lines of a file that never drains, so the
 * caller checkpoints regularly even under constant load; then we sleep
 * poll_ms at a time without returning until there is something new.
 *
 * Offsets are kept by absolute path (the path given, made absolute
 * against the working directory, symbolic links not resolved: tail -F
 * follows a name) and are used on restart only if dev and inode match.
 */
#include "compat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "ingest/follow.h"
#include "io/linereader.h"
#include "store/offsets.h"
#include "store/state.h"
#include "core/xmalloc.h"

#define ERRLEN		512
#define FAIR_LINES	1024		/* lines from one file before the next gets a turn */
#define FORCE_IDLE	65536		/* lines between two IDLEs under constant load */
#define SLEEP_SLICE_MS	50		/* longest sleep between two looks at *stop */

/* What a file's position was at the last checkpoint (or load). */
struct mark {
	int64_t		 dev, ino;
	int64_t		 offset;
	unsigned long	 lineno;
	int		 valid;
};

struct ffile {
	char		*name;		/* as given: returned to the caller */
	char		*key;		/* absolute: the row in file_offsets */
	int		 fd;		/* -1: not open (yet) */
	int64_t		 dev, ino;	/* of fd */
	struct aiops_lr	*lr;
	int		 opened;	/* opened once: later files start at 0 */
	struct mark	 saved;
};

struct aiops_follow {
	struct aiops_state	*st;
	struct ffile		*files;
	size_t			 nfiles;
	size_t			 max_line;
	int			 poll_ms;
	volatile int		*stop;
	size_t			 cur;		/* file read last */
	unsigned long		 run;		/* lines in a row from cur */
	unsigned long		 since_idle;	/* lines returned since the last IDLE */
	int			 changed;	/* lines or file events since the last IDLE */
	char			 err[ERRLEN];
};

static int
fail(struct aiops_follow *f, const char *name, const char *what)
{
	int n = snprintf(f->err, sizeof(f->err), "%s: %s", name, what);

	if (n < 0 || (size_t)n >= sizeof(f->err))
		f->err[sizeof(f->err) - 1] = '\0';
	return AIOPS_FOLLOW_ERROR;
}

/* ---- offsets in the state ---- */

static char *
absolute(const char *path)
{
	char cwd[4096];
	char *s;

	if (path[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL)
		return xstrdup(path);
	xasprintf(&s, "%s/%s", cwd, path);
	return s;
}

static int
load_mark(struct aiops_follow *f, struct ffile *ff)
{
	struct aiops_offset o;
	int rc;

	if ((rc = aiops_offsets_get(f->st, ff->key, &o)) == 1) {
		ff->saved.dev = o.dev;
		ff->saved.ino = o.ino;
		ff->saved.offset = o.offset;
		ff->saved.lineno = (unsigned long)o.lineno;
		ff->saved.valid = 1;
	}
	return rc == -1 ? -1 : 0;
}

static int
save_mark(struct aiops_follow *f, struct ffile *ff, const struct mark *m)
{
	struct aiops_offset o;

	o.dev = m->dev;
	o.ino = m->ino;
	o.offset = m->offset;
	o.lineno = m->lineno;
	o.updated = aiops_clock_now();
	return aiops_offsets_put(f->st, ff->key, &o);
}

/* Where ff is now, in the terms of a checkpoint; 0 if it was never read. */
static int
current_mark(const struct ffile *ff, struct mark *m)
{
	if (ff->lr == NULL)
		return 0;
	m->dev = ff->dev;
	m->ino = ff->ino;
	m->offset = (int64_t)aiops_lr_offset(ff->lr);
	m->lineno = aiops_lr_lineno(ff->lr);
	m->valid = 1;
	return 1;
}

static int
same_mark(const struct mark *a, const struct mark *b)
{
	return a->valid && b->valid && a->dev == b->dev && a->ino == b->ino &&
	    a->offset == b->offset && a->lineno == b->lineno;
}

/* Saves what changed; inside the caller's transaction if one is open. */
static int
save_all(struct aiops_follow *f)
{
	struct mark m;
	size_t i;

	for (i = 0; i < f->nfiles; i++) {
		struct ffile *ff = &f->files[i];

		if (!current_mark(ff, &m) || same_mark(&m, &ff->saved))
			continue;
		if (save_mark(f, ff, &m) == -1)
			return -1;
		ff->saved = m;
	}
	return 0;
}

int
aiops_follow_checkpoint(struct aiops_follow *f)
{
	size_t i;
	int own;

	if (f->st == NULL)
		return 0;
	own = !aiops_state_in_transaction(f->st);
	if (own && aiops_state_begin(f->st) == -1)
		goto sqlerr;
	if (save_all(f) == -1)
		goto sqlerr;
	if (own && aiops_state_commit(f->st) == -1)
		goto sqlerr;
	return 0;
sqlerr:
	fail(f, aiops_state_path(f->st), aiops_state_errmsg(f->st));
	if (own) {
		aiops_state_rollback(f->st);
		/* What we thought saved may not be: save everything next time. */
		for (i = 0; i < f->nfiles; i++)
			f->files[i].saved.valid = 0;
	}
	return -1;
}

/* ---- opening ---- */

/*
 * Opens ff if its file is there. The first time, a saved offset for the
 * same file (dev and inode) is resumed; any other file starts at 0.
 * 0 opened, 1 not there (yet), AIOPS_FOLLOW_ERROR.
 */
static int
file_open(struct aiops_follow *f, struct ffile *ff)
{
	struct stat sb;
	off_t off = 0;
	unsigned long lineno = 0;
	int fd;

	fd = open(ff->name, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return errno == ENOENT || errno == ENOTDIR ? 1 : fail(f, ff->name, strerror(errno));
	if (fstat(fd, &sb) == -1) {
		close(fd);
		return fail(f, ff->name, strerror(errno));
	}
	ff->dev = (int64_t)sb.st_dev;
	ff->ino = (int64_t)sb.st_ino;
	if (!ff->opened && ff->saved.valid && ff->saved.dev == ff->dev &&
	    ff->saved.ino == ff->ino && ff->saved.offset <= (int64_t)sb.st_size &&
	    lseek(fd, (off_t)ff->saved.offset, SEEK_SET) != -1) {
		off = (off_t)ff->saved.offset;
		lineno = ff->saved.lineno;
	}
	ff->opened = 1;
	ff->fd = fd;
	if (ff->lr == NULL)
		ff->lr = aiops_lr_new(fd, f->max_line, off);
	else
		aiops_lr_reset(ff->lr, fd, off);
	aiops_lr_set_follow(ff->lr, 1);
	aiops_lr_set_lineno(ff->lr, lineno);
	return 0;
}

/* The old file is read to its end: go on with the one under the name. */
static int
file_switch(struct aiops_follow *f, struct ffile *ff)
{
	close(ff->fd);
	ff->fd = -1;
	f->changed = 1;
	return file_open(f, ff);
}

/*
 * Nothing more to read from ff for now: look for a rotation or a
 * truncation. 1 if there is something to read now, 0 if not, or
 * AIOPS_FOLLOW_ERROR.
 */
static int
file_check(struct aiops_follow *f, struct ffile *ff)
{
	struct stat sb;
	off_t pos;

	if (stat(ff->name, &sb) == 0 &&
	    ((int64_t)sb.st_dev != ff->dev || (int64_t)sb.st_ino != ff->ino)) {
		/* Rotated: finish the old descriptor, last partial line too. */
		aiops_lr_set_follow(ff->lr, 0);
		return 1;
	}
	if (fstat(ff->fd, &sb) == -1)
		return fail(f, ff->name, strerror(errno));
	pos = lseek(ff->fd, 0, SEEK_CUR);
	if (pos != -1 && sb.st_size < pos) {
		/* Truncated: whatever we held of a partial line is gone too. */
		if (lseek(ff->fd, 0, SEEK_SET) == -1)
			return fail(f, ff->name, strerror(errno));
		aiops_lr_reset(ff->lr, ff->fd, 0);
		aiops_lr_set_lineno(ff->lr, 0);
		f->changed = 1;
		return 1;
	}
	return 0;
}

/* ---- reading ---- */

/*
 * The next line of ff: AIOPS_FOLLOW_LINE or _TOOLONG, 0 when there is
 * nothing for now, or AIOPS_FOLLOW_ERROR.
 */
static int
file_next(struct aiops_follow *f, struct ffile *ff, const char **line, size_t *len)
{
	int rc;

	for (;;) {
		if (*f->stop)
			return 0;
		if (ff->fd == -1 && (rc = file_open(f, ff)) != 0)
			return rc == 1 ? 0 : rc;
		rc = aiops_lr_next(ff->lr, line, len);
		switch (rc) {
		case AIOPS_LR_LINE:
			return AIOPS_FOLLOW_LINE;
		case AIOPS_LR_TOOLONG:
			return AIOPS_FOLLOW_TOOLONG;
		case AIOPS_LR_ERROR:
			if (errno == EINTR)
				continue;
			return fail(f, ff->name, strerror(errno));
		case AIOPS_LR_EOF:
			/* Only when rotating: the old file is done. */
			if ((rc = file_switch(f, ff)) != 0)
				return rc == 1 ? 0 : rc;
			continue;
		}
		if ((rc = file_check(f, ff)) != 1)
			return rc;
	}
}

/* Sleeps poll_ms, in slices, so a stop request is seen promptly. */
static void
nap(struct aiops_follow *f)
{
	int left = f->poll_ms;

	while (left > 0 && !*f->stop) {
		int ms = left < SLEEP_SLICE_MS ? left : SLEEP_SLICE_MS;
		struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

		nanosleep(&ts, NULL);
		left -= ms;
	}
}

/* One round over the files from f->cur: a line, 0 for none, or an error. */
static int
round_robin(struct aiops_follow *f, const char **line, size_t *len)
{
	size_t k;

	if (f->run >= FAIR_LINES) {
		f->cur = (f->cur + 1) % f->nfiles;
		f->run = 0;
	}
	for (k = 0; k < f->nfiles; k++) {
		size_t i = (f->cur + k) % f->nfiles;
		int rc = file_next(f, &f->files[i], line, len);

		if (rc == 0)
			continue;
		if (i != f->cur) {
			f->cur = i;
			f->run = 0;
		}
		return rc;
	}
	return 0;
}

int
aiops_follow_next(struct aiops_follow *f, const char **line, size_t *len,
    const char **name, unsigned long *lineno)
{
	int rc;

	for (;;) {
		if (*f->stop)
			return AIOPS_FOLLOW_STOP;
		if (f->since_idle >= FORCE_IDLE) {
			f->since_idle = 0;
			f->changed = 0;
			return AIOPS_FOLLOW_IDLE;
		}
		rc = round_robin(f, line, len);
		if (rc == AIOPS_FOLLOW_ERROR)
			return rc;
		if (rc != 0) {
			*name = f->files[f->cur].name;
			*lineno = aiops_lr_lineno(f->files[f->cur].lr);
			f->run++;
			f->since_idle++;
			f->changed = 1;
			return rc;
		}
		if (*f->stop)
			return AIOPS_FOLLOW_STOP;
		if (f->changed) {
			f->changed = 0;
			f->since_idle = 0;
			return AIOPS_FOLLOW_IDLE;
		}
		nap(f);
	}
}

/* ---- lifecycle ---- */

struct aiops_follow *
aiops_follow_new(struct aiops_state *st, char *const *paths, size_t npaths,
    size_t max_line, int poll_ms, volatile int *stop)
{
	struct aiops_follow *f;
	size_t i;

	if (npaths == 0)
		return NULL;
	f = xcalloc(1, sizeof(*f));
	f->st = st;
	f->max_line = max_line;
	f->poll_ms = poll_ms > 0 ? poll_ms : 1;
	f->stop = stop;
	f->files = xcalloc(npaths, sizeof(*f->files));
	f->nfiles = npaths;
	for (i = 0; i < npaths; i++) {
		f->files[i].name = xstrdup(paths[i]);
		f->files[i].key = absolute(paths[i]);
		f->files[i].fd = -1;
		if (st != NULL && load_mark(f, &f->files[i]) == -1) {
			aiops_follow_free(f);
			return NULL;
		}
	}
	/* A first IDLE once the files are drained, even if they are empty. */
	f->changed = 1;
	return f;
}

void
aiops_follow_free(struct aiops_follow *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->nfiles; i++) {
		if (f->files[i].fd != -1)
			close(f->files[i].fd);
		aiops_lr_free(f->files[i].lr);
		free(f->files[i].name);
		free(f->files[i].key);
	}
	free(f->files);
	free(f);
}

const char *
aiops_follow_errmsg(const struct aiops_follow *f)
{
	return f->err[0] != '\0' ? f->err : "no error";
}
