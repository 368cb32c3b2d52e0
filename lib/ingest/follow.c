/*
 * follow.c: tail -F for aiops-ingest --follow, that neither loses nor
 * repeats a line across rotations, truncations and restarts.
 *
 * Each file has a line reader in follow mode, so a last line still being
 * written waits for its newline. A file is known by its inode and by its
 * fingerprint, as Vector's file source knows it: the hash of its head
 * (its first line, at most HEAD_MAX bytes, which appending never changes
 * and a rename keeps) and, in a checkpoint, the hash of the TAIL_MAX bytes
 * before the offset.
 *
 * When the reader has nothing more, the file is looked at under its name:
 * - a new inode there is a rotation: the old descriptor is read to its
 *   very end, an unterminated last line included;
 * - a size below what we read, or a head that is not ours any more, is a
 *   truncation: the copy that copytruncate left beside it (same head,
 *   large enough) is read from our offset, or else, there being none, the
 *   file is read again from 0;
 * - no file is a file to wait for.
 * The head is checked again after every read(2) of new data, before a
 * line made of it is returned: a file truncated and grown past our offset
 * between two looks would otherwise give a fragment.
 *
 * A file with no whole first line yet has no head to tell a truncation
 * by: a copy made beside it since we last looked at it (its mtime) holds
 * what was written to it meanwhile, and is read first.
 *
 * A rotated file read to its end is followed by the files rotated after
 * it (same folder, name = our name and a '.', '-' or '_' suffix, modified
 * since, not compressed), oldest first, then by the file under the name
 * from 0: several rotations between two looks, or while we were down,
 * lose nothing. Two files of the same mtime (the file system's clock
 * ticks in milliseconds) are both read: a file read twice, its lines with
 * the same ids, rather than one lost.
 *
 * On restart, the saved offset is resumed in the file under the name if
 * it is the same file (inode, head, tail). If not, the file read last is
 * looked for in the folder, by inode and head, or by head and tail (a
 * copy), and read on from the offset, then the files rotated after it,
 * then the file under the name from 0. A file that cannot be found (a
 * compressed one: we do not read those) is said to the caller. A file is
 * recorded in the state as soon as it is first opened, so that a crash
 * before the first checkpoint still knows it.
 *
 * IDLE is returned once when every file is drained after some activity,
 * and after every FORCE_IDLE lines of a file that never drains, so the
 * caller checkpoints regularly even under constant load; then we sleep
 * poll_ms at a time without returning until there is something new.
 *
 * Offsets are kept by absolute path (the path given, made absolute
 * against the working directory, symbolic links not resolved: tail -F
 * follows a name).
 */
#include "compat.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/hash.h"
#include "core/xmalloc.h"
#include "ingest/follow.h"
#include "io/linereader.h"
#include "store/offsets.h"
#include "store/state.h"

#define ERRLEN		512
#define FAIR_LINES	1024		/* lines from one file before the next gets a turn */
#define FORCE_IDLE	65536		/* lines between two IDLEs under constant load */
#define SLEEP_SLICE_MS	50		/* longest sleep between two looks at *stop */
#define HEAD_MAX	1024		/* bytes of the head fingerprint, at most */
#define TAIL_MAX	1024		/* bytes before the offset in a checkpoint */

/* Where a file was: at the last checkpoint (or load), or now. */
struct mark {
	int64_t		 dev, ino;
	int64_t		 offset;
	unsigned long	 lineno;
	uint64_t	 head;
	int64_t		 head_len;	/* 0: no fingerprint */
	uint64_t	 tail;
	int		 has_tail;
	int64_t		 mtime;		/* ns: the file's, at the checkpoint; 0 unknown */
	int64_t		 prev_dev, prev_ino;	/* the file read to its end before */
	int		 valid;
};

/* A head: a file's first line, or its first HEAD_MAX bytes. */
struct head {
	uint64_t	 hash;
	int64_t		 len;
	int		 final;		/* a whole line, or HEAD_MAX bytes */
};

/* A file to read after the current one. */
struct qent {
	int		 fd;
	int64_t		 offset;
	unsigned long	 lineno;
	int		 follow;	/* the file under the name: followed, not drained */
	struct head	 head;		/* followed: its head and mtime when queued */
	int64_t		 mtime;
};

struct devino {
	int64_t		 dev, ino;
};

struct ffile {
	char		*name;		/* as given: returned to the caller */
	char		*key;		/* absolute: the row in file_offsets */
	char		*dir, *base;	/* of key: where rotated files are */
	int		 fd;		/* -1: not open (yet) */
	struct aiops_lr	*lr;
	struct mark	 cur;		/* fd's file, after the last line returned */
	int		 head_final;	/* cur.head is a whole first line, or HEAD_MAX bytes */
	int		 draining;	/* fd is not under the name any more: read it to its end */
	int		 waiting;	/* nothing new at the last look: look before reading */
	int		 did_read;	/* read(2) was called since the last look at the head */
	int		 planned;	/* the saved offset was looked at */
	/*
	 * While nothing was read of fd (no whole first line yet): its mtime
	 * when last seen, so that a copytruncate meanwhile, the copy newer
	 * than that, is not missed (there is no head to see it by).
	 */
	int64_t		 m0;
	/*
	 * A rotated file was read to its end with no file under the name:
	 * when one comes, the files rotated since chain_since come first.
	 */
	int		 chain;
	int64_t		 chain_since;
	struct qent	*queue;
	size_t		 nqueue;
	struct devino	*seen;		/* files of this chain of rotations, read or queued */
	size_t		 nseen;
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
	void			(*note)(void *, int, const char *);
	void			*note_arg;
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

static void
note(struct aiops_follow *f, int warn, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
note(struct aiops_follow *f, int warn, const char *fmt, ...)
{
	char msg[ERRLEN];
	va_list ap;

	if (f->note == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	f->note(f->note_arg, warn, msg);
}

/* ---- fingerprints ---- */

static ssize_t
pread_all(int fd, char *buf, size_t n, off_t off)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(fd, buf + got, n - got, off + (off_t)got);

		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* The head of the file at fd: its first line, at most HEAD_MAX bytes. */
static int
head_read(int fd, struct head *h)
{
	char buf[HEAD_MAX], *nl;
	ssize_t n = pread_all(fd, buf, sizeof(buf), 0);

	if (n == -1)
		return -1;
	nl = memchr(buf, '\n', (size_t)n);
	h->len = nl != NULL ? nl - buf + 1 : n;
	h->final = nl != NULL || n == HEAD_MAX;
	h->hash = aiops_hash64(buf, (size_t)h->len, AIOPS_HASH_INIT);
	return 0;
}

int
aiops_file_identity(int fd, uint64_t *id)
{
	struct head h;

	if (head_read(fd, &h) == -1)
		return -1;
	*id = h.hash;
	return 0;
}

/* 1 if the len bytes of fd at off hash to hash (len <= TAIL_MAX). */
static int
bytes_match(int fd, int64_t off, int64_t len, uint64_t hash)
{
	char buf[TAIL_MAX > HEAD_MAX ? TAIL_MAX : HEAD_MAX];

	if (len < 0 || (size_t)len > sizeof(buf))
		return 0;
	return pread_all(fd, buf, (size_t)len, (off_t)off) == len &&
	    aiops_hash64(buf, (size_t)len, AIOPS_HASH_INIT) == hash;
}

/* The hash of the bytes before off, TAIL_MAX at most. */
static uint64_t
tail_hash(int fd, int64_t off)
{
	char buf[TAIL_MAX];
	int64_t len = off < TAIL_MAX ? off : TAIL_MAX;
	ssize_t n = pread_all(fd, buf, (size_t)len, (off_t)(off - len));

	return aiops_hash64(buf, n > 0 ? (size_t)n : 0, AIOPS_HASH_INIT);
}

/*
 * Is the file at fd (sb) the one of mark m, at least up to m's offset?
 * 2: the same file (inode, and fingerprint when m has one), 1: a copy
 * (same fingerprint, another inode), 0: no. A mark without a
 * fingerprint (a row of schema 5, an empty file) knows only its inode.
 */
static int
mark_match(const struct mark *m, int fd, const struct stat *sb)
{
	int same = m->dev == (int64_t)sb->st_dev && m->ino == (int64_t)sb->st_ino;

	if ((int64_t)sb->st_size < m->offset)
		return 0;
	if (m->head_len == 0)
		return same ? 2 : 0;
	if (!bytes_match(fd, 0, m->head_len, m->head))
		return 0;
	if (m->has_tail && tail_hash(fd, m->offset) != m->tail)
		return 0;
	return same ? 2 : 1;
}

static int64_t
mtime_ns(const struct stat *sb)
{
	return (int64_t)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec;
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
		ff->saved.head = o.head;
		ff->saved.head_len = o.head_len;
		ff->saved.tail = o.tail;
		ff->saved.has_tail = o.head_len > 0;
		ff->saved.mtime = o.mtime_ns;
		ff->saved.prev_dev = o.prev_dev;
		ff->saved.prev_ino = o.prev_ino;
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
	o.head = m->head;
	o.head_len = m->head_len;
	o.tail = m->tail;
	o.mtime_ns = m->mtime;
	o.prev_dev = m->prev_dev;
	o.prev_ino = m->prev_ino;
	return aiops_offsets_put(f->st, ff->key, &o);
}

/*
 * Where ff is now, in the terms of a checkpoint; 0 if no file was ever
 * read, or if the file followed is not as we read it any more (truncated
 * since: its tail would be of other bytes; the last checkpoint stays, and
 * the lines since are read again). Between two files, the last one read,
 * at its end.
 */
static int
current_mark(const struct ffile *ff, struct mark *m)
{
	struct stat sb;

	if (!ff->cur.valid)
		return 0;
	*m = ff->cur;
	if (ff->fd == -1)
		return 1;
	if (!m->has_tail) {
		m->tail = tail_hash(ff->fd, m->offset);
		m->has_tail = 1;
	}
	/* After the tail: a truncation before it shows in the head. */
	if (!ff->draining && ff->head_final &&
	    !bytes_match(ff->fd, 0, m->head_len, m->head))
		return 0;
	/*
	 * With no head to know it by, the mtime of the last look: a copy
	 * made since, unseen, is newer.
	 */
	if (!ff->head_final)
		m->mtime = ff->m0;
	else if (fstat(ff->fd, &sb) == 0)
		m->mtime = mtime_ns(&sb);
	return 1;
}

static int
same_mark(const struct mark *a, const struct mark *b)
{
	return a->valid && b->valid && a->dev == b->dev && a->ino == b->ino &&
	    a->offset == b->offset && a->lineno == b->lineno &&
	    a->head == b->head && a->head_len == b->head_len;
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

/* ---- the files of a chain of rotations ---- */

static void
seen_add(struct ffile *ff, int64_t dev, int64_t ino)
{
	ff->seen = xreallocarray(ff->seen, ff->nseen + 1, sizeof(*ff->seen));
	ff->seen[ff->nseen].dev = dev;
	ff->seen[ff->nseen].ino = ino;
	ff->nseen++;
}

static int
seen_has(const struct ffile *ff, int64_t dev, int64_t ino)
{
	size_t i;

	for (i = 0; i < ff->nseen; i++)
		if (ff->seen[i].dev == dev && ff->seen[i].ino == ino)
			return 1;
	return 0;
}

static void
queue_add(struct ffile *ff, int fd, int64_t offset, unsigned long lineno, int follow)
{
	struct qent *q;
	struct stat sb;

	ff->queue = xreallocarray(ff->queue, ff->nqueue + 1, sizeof(*ff->queue));
	q = &ff->queue[ff->nqueue++];
	memset(q, 0, sizeof(*q));
	q->fd = fd;
	q->offset = offset;
	q->lineno = lineno;
	q->follow = follow;
	/*
	 * The file under the name may be truncated while it waits its turn
	 * (copytruncate): what it is now tells the copy when we get to it.
	 */
	if (follow && head_read(fd, &q->head) == 0 && fstat(fd, &sb) == 0)
		q->mtime = mtime_ns(&sb);
}

/* A name logrotate gives a rotated base: base.1, base-20261130, base_old. */
static int
rotated_name(const char *base, const char *name)
{
	size_t n = strlen(base);

	return strncmp(name, base, n) == 0 &&
	    (name[n] == '.' || name[n] == '-' || name[n] == '_') && name[n + 1] != '\0';
}

static int
compressed_name(const char *name)
{
	static const char *const ext[] = {
		".gz", ".bz2", ".xz", ".zst", ".lz4", ".lzma", ".lz", ".Z", ".zip", NULL
	};
	size_t i, n = strlen(name);

	for (i = 0; ext[i] != NULL; i++) {
		size_t e = strlen(ext[i]);

		if (n > e && strcmp(name + n - e, ext[i]) == 0)
			return 1;
	}
	return 0;
}

/* gzip, bzip2, xz, zstd by their magic numbers, whatever the name. */
static int
compressed_data(int fd)
{
	unsigned char m[6];
	ssize_t n = pread_all(fd, (char *)m, sizeof(m), 0);

	return (n >= 2 && m[0] == 0x1f && m[1] == 0x8b) ||
	    (n >= 3 && memcmp(m, "BZh", 3) == 0) ||
	    (n >= 6 && memcmp(m, "\xfd" "7zXZ\0", 6) == 0) ||
	    (n >= 4 && memcmp(m, "\x28\xb5\x2f\xfd", 4) == 0);
}

struct cand {
	char		*path;
	int		 fd;
	struct stat	 sb;
};

static int
cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	int64_t mx = mtime_ns(&x->sb), my = mtime_ns(&y->sb);

	if (mx != my)
		return mx < my ? -1 : 1;
	if (x->sb.st_ino != y->sb.st_ino)
		return x->sb.st_ino < y->sb.st_ino ? -1 : 1;
	return 0;
}

static void
cands_free(struct cand *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (c[i].fd != -1)
			close(c[i].fd);
		free(c[i].path);
	}
	free(c);
}

/*
 * Is sb the file under one of the names followed? Then it is not a
 * rotated file of another (app.log.err beside app.log, both followed).
 */
static int
followed(const struct aiops_follow *f, const struct stat *sb)
{
	struct stat nsb;
	size_t i;

	for (i = 0; i < f->nfiles; i++)
		if (stat(f->files[i].key, &nsb) == 0 && nsb.st_dev == sb->st_dev &&
		    nsb.st_ino == sb->st_ino)
			return 1;
	return 0;
}

/*
 * The rotated files of ff beside it, open, oldest first, but those of
 * this chain (seen) and the files under the names followed. Compressed
 * ones are left out (and said, when tell is set).
 */
static size_t
rotated_files(struct aiops_follow *f, struct ffile *ff, struct cand **out, int tell)
{
	struct cand *c = NULL;
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	*out = NULL;
	if ((d = opendir(ff->dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		struct cand k;
		int packed;

		if (!rotated_name(ff->base, de->d_name))
			continue;
		xasprintf(&k.path, "%s/%s", ff->dir, de->d_name);
		k.fd = -1;
		if (lstat(k.path, &k.sb) == -1 || !S_ISREG(k.sb.st_mode) ||
		    seen_has(ff, (int64_t)k.sb.st_dev, (int64_t)k.sb.st_ino) ||
		    followed(f, &k.sb)) {
			free(k.path);
			continue;
		}
		packed = compressed_name(de->d_name);
		if (!packed && (k.fd = open(k.path, O_RDONLY | O_CLOEXEC)) != -1) {
			/* The file read, not one put there since under its name. */
			packed = compressed_data(k.fd);
			if (packed || fstat(k.fd, &k.sb) == -1) {
				close(k.fd);
				k.fd = -1;
			}
		}
		if (k.fd == -1) {
			if (tell && packed)
				note(f, 1, "%s: %s is compressed: not read", ff->name, k.path);
			free(k.path);
			continue;
		}
		c = xreallocarray(c, n + 1, sizeof(*c));
		c[n++] = k;
	}
	closedir(d);
	if (n > 1)
		qsort(c, n, sizeof(*c), cand_cmp);
	*out = c;
	return n;
}

/*
 * Queues the rotated files modified at or after since (ns), oldest
 * first, then the file under the name (from 0): what was written after
 * the file we read last. Ties of mtime are kept: one file read twice
 * (the same ids) rather than one lost.
 */
static void
queue_after(struct aiops_follow *f, struct ffile *ff, int64_t since)
{
	struct cand *c;
	struct stat sb;
	size_t i, n;
	int fd;

	/*
	 * The file under the name first, held open, so that a rotation
	 * between the look at the folder and the open loses nothing: it is
	 * the one followed (and not a rotated file: it is seen), and a
	 * rotation before we get to it shows.
	 */
	if ((fd = open(ff->name, O_RDONLY | O_CLOEXEC)) != -1) {
		if (fstat(fd, &sb) == 0) {
			seen_add(ff, (int64_t)sb.st_dev, (int64_t)sb.st_ino);
		} else {
			close(fd);
			fd = -1;
		}
	}
	n = rotated_files(f, ff, &c, 0);
	for (i = 0; i < n; i++) {
		if (since == INT64_MAX || mtime_ns(&c[i].sb) < since)
			continue;
		note(f, 0, "%s: rotated meanwhile: reading %s", ff->name, c[i].path);
		queue_add(ff, c[i].fd, 0, 0, 0);
		seen_add(ff, (int64_t)c[i].sb.st_dev, (int64_t)c[i].sb.st_ino);
		c[i].fd = -1;
	}
	cands_free(c, n);
	if (fd != -1)
		queue_add(ff, fd, 0, 0, 1);
}

/*
 * The rotated file that holds m's file, at least up to m's offset: the
 * same inode best, else a copy. Its index in c, or -1.
 */
static ssize_t
find_mark(const struct mark *m, struct cand *c, size_t n)
{
	ssize_t best = -1;
	int bm = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int k = mark_match(m, c[i].fd, &c[i].sb);

		/* Among copies, the newest: it holds the most. */
		if (k > bm || (k == bm && k == 1)) {
			best = (ssize_t)i;
			bm = k;
		}
	}
	return best;
}

/* ---- opening ---- */

static void
lr_hook(void *arg)
{
	struct ffile *ff = arg;

	ff->did_read = 1;
}

/* Reads fd (sb) from offset on: followed, or drained to its end. */
static void
use_fd(struct aiops_follow *f, struct ffile *ff, int fd, const struct stat *sb,
    int64_t offset, unsigned long lineno, int follow)
{
	struct head h;
	int64_t pdev = ff->cur.prev_dev, pino = ff->cur.prev_ino;

	if (head_read(fd, &h) == -1)
		memset(&h, 0, sizeof(h));
	(void)lseek(fd, (off_t)offset, SEEK_SET);
	memset(&ff->cur, 0, sizeof(ff->cur));
	ff->cur.dev = (int64_t)sb->st_dev;
	ff->cur.ino = (int64_t)sb->st_ino;
	ff->cur.offset = offset;
	ff->cur.lineno = lineno;
	ff->cur.head = h.hash;
	ff->cur.head_len = h.len;
	ff->cur.mtime = mtime_ns(sb);
	ff->cur.prev_dev = pdev;
	ff->cur.prev_ino = pino;
	ff->cur.valid = 1;
	ff->head_final = h.final;
	ff->m0 = mtime_ns(sb);
	ff->fd = fd;
	ff->draining = !follow;
	/* No head yet: look for copies before the first read. */
	ff->waiting = follow && !h.final;
	ff->did_read = 0;
	if (ff->lr == NULL) {
		ff->lr = aiops_lr_new(fd, f->max_line, (off_t)offset);
		aiops_lr_set_before_read(ff->lr, lr_hook, ff);
	} else {
		aiops_lr_reset(ff->lr, fd, (off_t)offset);
	}
	aiops_lr_set_follow(ff->lr, follow);
	aiops_lr_set_lineno(ff->lr, lineno);
	/*
	 * The chain of rotations ends once the file under the name has a
	 * head: older files are not looked at again but for a copy of it.
	 */
	if (!follow)
		seen_add(ff, ff->cur.dev, ff->cur.ino);
	else if (h.final)
		ff->nseen = 0;
	ff->chain = 0;
	f->changed = 1;
}

/* Closes what ff reads, its place kept in cur for the checkpoint. */
static void
file_close(struct ffile *ff)
{
	struct stat sb;

	if (ff->fd == -1)
		return;
	if (!ff->cur.has_tail) {
		ff->cur.tail = tail_hash(ff->fd, ff->cur.offset);
		ff->cur.has_tail = 1;
	}
	if (fstat(ff->fd, &sb) == 0)
		ff->cur.mtime = mtime_ns(&sb);
	close(ff->fd);
	ff->fd = -1;
	/* The next file's checkpoint remembers this one as read. */
	ff->cur.prev_dev = ff->cur.dev;
	ff->cur.prev_ino = ff->cur.ino;
}

/* Opens the file under the name, from offset. 0, 1 not there, or an error. */
static int
open_name(struct aiops_follow *f, struct ffile *ff, int64_t offset, unsigned long lineno)
{
	struct stat sb;
	int fd;

	fd = open(ff->name, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return errno == ENOENT || errno == ENOTDIR ? 1 : fail(f, ff->name, strerror(errno));
	if (fstat(fd, &sb) == -1) {
		close(fd);
		return fail(f, ff->name, strerror(errno));
	}
	use_fd(f, ff, fd, &sb, offset, lineno, 1);
	return 0;
}

/* Was m's head a whole first line (or HEAD_MAX bytes) of fd's file? */
static int
head_was_whole(int fd, const struct mark *m)
{
	char c;

	return m->head_len == HEAD_MAX || (m->head_len > 0 &&
	    pread_all(fd, &c, 1, (off_t)(m->head_len - 1)) == 1 && c == '\n');
}

/*
 * The first time: where the last run stopped. The file under the name
 * if it is the one read last, else the one read last found among the
 * rotated files, read on from the offset (the files rotated after it
 * follow when it is done), else, lost, the files rotated since the last
 * checkpoint. 0, or 1 when nothing is to be read yet.
 */
static int
plan(struct aiops_follow *f, struct ffile *ff)
{
	struct mark *m = &ff->saved;
	struct cand *c;
	struct stat sb;
	ssize_t k;
	size_t n;
	int fd, at_name = 0;

	if (m->offset == 0 && m->mtime > 0) {
		/*
		 * Nothing of it was read: whatever was written to it since
		 * (copied away, rotated) is in the files modified since, then
		 * in the file under the name. The file read before it, of the
		 * same mtime maybe, is not read again.
		 */
		if (m->prev_ino != 0)
			seen_add(ff, m->prev_dev, m->prev_ino);
		queue_after(f, ff, m->mtime);
		if (ff->nqueue == 0) {
			ff->chain = 1;
			ff->chain_since = m->mtime;
		}
		return 0;
	}
	if ((fd = open(ff->name, O_RDONLY | O_CLOEXEC)) != -1) {
		if (fstat(fd, &sb) == 0 && (at_name = mark_match(m, fd, &sb)) == 2) {
			use_fd(f, ff, fd, &sb, m->offset, m->lineno, 1);
			if (!head_was_whole(fd, m) && m->mtime > 0) {
				/*
				 * Nothing of it was read, and there was no head
				 * to know it by: look for copies made since.
				 */
				ff->cur.head = m->head;
				ff->cur.head_len = m->head_len;
				ff->cur.prev_dev = m->prev_dev;
				ff->cur.prev_ino = m->prev_ino;
				ff->head_final = 0;
				ff->waiting = 1;
				ff->m0 = m->mtime;
			}
			return 0;
		}
		if (at_name == 1) {
			/* The same bytes under a new inode (a copy put back). */
			note(f, 0, "%s: replaced by a copy of itself: resuming at byte %lld",
			    ff->name, (long long)m->offset);
			use_fd(f, ff, fd, &sb, m->offset, m->lineno, 1);
			return 0;
		}
		close(fd);
	}
	n = rotated_files(f, ff, &c, 0);
	if ((k = find_mark(m, c, n)) != -1) {
		/* Its files rotated after it and the name come once it is read. */
		note(f, 0, "%s: rotated or truncated while we were down: reading %s from byte %lld",
		    ff->name, c[k].path, (long long)m->offset);
		use_fd(f, ff, c[k].fd, &c[k].sb, m->offset, m->lineno, 0);
		c[k].fd = -1;
		cands_free(c, n);
		return 0;
	}
	cands_free(c, n);
	if (m->offset > 0) {
		note(f, 1, "%s: the file read last (%lld bytes read) is not here any more: "
		    "what was written to it after that, if anything, is lost",
		    ff->name, (long long)m->offset);
		n = rotated_files(f, ff, &c, 1);
		cands_free(c, n);
	}
	/* Rotated since the checkpoint; a row of schema 5 cannot say. */
	queue_after(f, ff, m->mtime > 0 ? m->mtime : INT64_MAX);
	if (ff->nqueue == 0 && m->mtime > 0) {
		ff->chain = 1;
		ff->chain_since = m->mtime;
	}
	return 0;
}

/*
 * A file seen for the first time is recorded at once, at its start, so
 * that a copytruncate or a rotation before the first checkpoint is known
 * after a crash. Best effort: the next checkpoint tries again.
 */
static void
first_sight(struct aiops_follow *f, struct ffile *ff)
{
	struct mark m;
	int own;

	if (f->st == NULL || ff->saved.valid || !current_mark(ff, &m))
		return;
	own = !aiops_state_in_transaction(f->st);
	if (own && aiops_state_begin(f->st) == -1)
		return;
	if (save_mark(f, ff, &m) == 0 && (!own || aiops_state_commit(f->st) == 0)) {
		ff->saved = m;
		return;
	}
	if (own)
		aiops_state_rollback(f->st);
}

/* Goes on with the next file: queued, rotated after the last, or named. */
static int
next_file(struct aiops_follow *f, struct ffile *ff)
{
	struct stat sb;
	struct qent q;

	if (!ff->planned && ff->saved.valid) {
		ff->planned = 1;
		return plan(f, ff);
	}
	ff->planned = 1;
	if (ff->nqueue == 0 && ff->chain) {
		/* The name was rotated again before we saw it, maybe. */
		if (stat(ff->name, &sb) == -1)
			return 1;
		ff->chain = 0;
		queue_after(f, ff, ff->chain_since);
	}
	if (ff->nqueue == 0) {
		int rc = open_name(f, ff, 0, 0);

		if (rc == 0)
			first_sight(f, ff);
		return rc;
	}
	q = ff->queue[0];
	ff->nqueue--;
	memmove(ff->queue, ff->queue + 1, ff->nqueue * sizeof(*ff->queue));
	if (fstat(q.fd, &sb) == -1) {
		close(q.fd);
		return fail(f, ff->name, strerror(errno));
	}
	use_fd(f, ff, q.fd, &sb, q.offset, q.lineno, q.follow);
	if (q.follow && q.mtime != 0) {
		/* Look, before reading, for a truncation since it was queued. */
		ff->cur.head = q.head.hash;
		ff->cur.head_len = q.head.len;
		ff->head_final = q.head.final;
		ff->m0 = q.mtime;
		ff->waiting = 1;
	}
	return 0;
}

/* The same file, from its start: what we held of it is gone. */
static void
again_from_0(struct aiops_follow *f, struct ffile *ff)
{
	struct stat sb;

	if (fstat(ff->fd, &sb) == -1) {
		memset(&sb, 0, sizeof(sb));
		sb.st_dev = (dev_t)ff->cur.dev;
		sb.st_ino = (ino_t)ff->cur.ino;
	}
	use_fd(f, ff, ff->fd, &sb, 0, 0, 1);
}

/*
 * The file we read was truncated (copytruncate): the copy left beside
 * it, same head, as large as our offset, holds the rest of what we were
 * reading, and the file under the name is read from 0 after it. With no
 * copy, the file is read again from 0.
 */
static void
truncated(struct aiops_follow *f, struct ffile *ff)
{
	struct mark m = ff->cur;
	struct cand *c;
	ssize_t k;
	size_t n;

	/* The checkpoint's tail, if it is of this file, makes sure of the copy. */
	m.has_tail = 0;
	if (ff->saved.valid && ff->saved.dev == m.dev && ff->saved.ino == m.ino &&
	    ff->saved.head == m.head && ff->saved.head_len == m.head_len &&
	    ff->saved.offset <= m.offset) {
		m.offset = ff->saved.offset;
		m.tail = ff->saved.tail;
		m.has_tail = ff->saved.has_tail;
	}
	f->changed = 1;
	n = rotated_files(f, ff, &c, 0);
	k = m.head_len > 0 ? find_mark(&m, c, n) : -1;
	if (k != -1 && (int64_t)c[k].sb.st_size >= ff->cur.offset) {
		/* The name is opened again once the copy is read. */
		note(f, 0, "%s: truncated: reading the rest from its copy %s", ff->name, c[k].path);
		close(ff->fd);
		use_fd(f, ff, c[k].fd, &c[k].sb, ff->cur.offset, ff->cur.lineno, 0);
		c[k].fd = -1;
		cands_free(c, n);
		return;
	}
	cands_free(c, n);
	note(f, 0, "%s: truncated: reading it again from the start", ff->name);
	again_from_0(f, ff);
}

/*
 * Nothing of fd read yet (no whole first line), and it changed since m0:
 * a copy made since (copytruncate) holds what was written before. The
 * oldest is read first; the others, and the file under the name, after
 * it (queue_after()). 1 if there is one.
 */
static int
copied_since(struct aiops_follow *f, struct ffile *ff)
{
	struct cand *c;
	size_t i, n = rotated_files(f, ff, &c, 0);
	ssize_t k = -1;

	for (i = 0; i < n && k == -1; i++) {
		int64_t t = mtime_ns(&c[i].sb);

		/* The file read before, of the same mtime as we saw (a tie). */
		if (t == ff->m0 && (int64_t)c[i].sb.st_dev == ff->cur.prev_dev &&
		    (int64_t)c[i].sb.st_ino == ff->cur.prev_ino)
			continue;
		if (t >= ff->m0 && (ff->cur.head_len == 0 ||
		    bytes_match(c[i].fd, 0, ff->cur.head_len, ff->cur.head)))
			k = (ssize_t)i;
	}
	if (k != -1) {
		note(f, 0, "%s: truncated: reading first its copy %s", ff->name, c[k].path);
		close(ff->fd);
		use_fd(f, ff, c[k].fd, &c[k].sb, 0, 0, 0);
		c[k].fd = -1;
	}
	cands_free(c, n);
	return k != -1;
}

/* Is the head still ours? Not: the file was truncated and written again. */
static int
head_intact(struct ffile *ff)
{
	struct head h;

	if (!ff->head_final) {
		/* The first line was still being written: complete it. */
		if (ff->cur.head_len > 0 &&
		    !bytes_match(ff->fd, 0, ff->cur.head_len, ff->cur.head))
			return 0;
		if (head_read(ff->fd, &h) == -1)
			return 1;
		ff->cur.head = h.hash;
		ff->cur.head_len = h.len;
		ff->head_final = h.final;
		if (h.final && !ff->draining)
			ff->nseen = 0;
		return 1;
	}
	return bytes_match(ff->fd, 0, ff->cur.head_len, ff->cur.head);
}

/*
 * Nothing more to read from ff, or a look before reading again: a
 * rotation, a truncation? 1 if there is something to read now, 0 if
 * not, or AIOPS_FOLLOW_ERROR.
 */
static int
file_check(struct aiops_follow *f, struct ffile *ff)
{
	struct stat sb;
	off_t pos;
	int rotated;

	rotated = stat(ff->name, &sb) == 0 &&
	    ((int64_t)sb.st_dev != ff->cur.dev || (int64_t)sb.st_ino != ff->cur.ino);
	if (fstat(ff->fd, &sb) == -1)
		return fail(f, ff->name, strerror(errno));
	if ((pos = lseek(ff->fd, 0, SEEK_CUR)) == -1)
		return fail(f, ff->name, strerror(errno));
	if (!ff->head_final && mtime_ns(&sb) != ff->m0) {
		if (copied_since(f, ff))
			return 1;
		ff->m0 = mtime_ns(&sb);
	}
	/*
	 * Smaller, or grown with another head: truncated, whatever we held
	 * is gone too. Before a rotation: copytruncate, then mv, between two
	 * looks leaves our bytes in the copy, not in the file moved.
	 */
	if (sb.st_size < pos || ((sb.st_size > pos || rotated) && !head_intact(ff))) {
		truncated(f, ff);
		return 1;
	}
	if (rotated) {
		/* Finish the old descriptor, last partial line too. */
		note(f, 0, "%s: rotated: reading the old file to its end", ff->name);
		ff->draining = 1;
		seen_add(ff, ff->cur.dev, ff->cur.ino);
		aiops_lr_set_follow(ff->lr, 0);
		return 1;
	}
	return sb.st_size > pos;
}

/* ---- reading ---- */

/*
 * The next line of ff: AIOPS_FOLLOW_LINE or _TOOLONG, 0 when there is
 * nothing for now, or AIOPS_FOLLOW_ERROR. *start: the line's offset.
 */
static int
file_next(struct aiops_follow *f, struct ffile *ff, const char **line, size_t *len,
    int64_t *start)
{
	int rc;

	for (;;) {
		if (*f->stop)
			return 0;
		if (ff->fd == -1 && (rc = next_file(f, ff)) != 0)
			return rc == 1 ? 0 : rc;
		if (ff->fd == -1)
			continue;
		if (ff->waiting && !ff->draining) {
			if ((rc = file_check(f, ff)) != 1)
				return rc;
			ff->waiting = 0;
			continue;
		}
		ff->did_read = 0;
		rc = aiops_lr_next(ff->lr, line, len);
		if (rc == AIOPS_LR_LINE || rc == AIOPS_LR_TOOLONG) {
			/*
			 * New bytes: the file must still be the one whose head
			 * we know, or the line may be made of another's bytes.
			 */
			if (ff->did_read && !ff->draining && !head_intact(ff)) {
				truncated(f, ff);
				continue;
			}
			if (!ff->head_final && ff->draining)
				(void)head_intact(ff);
			*start = ff->cur.offset;
			ff->cur.offset = (int64_t)aiops_lr_offset(ff->lr);
			ff->cur.lineno = aiops_lr_lineno(ff->lr);
			ff->cur.has_tail = 0;
			return rc == AIOPS_LR_LINE ? AIOPS_FOLLOW_LINE : AIOPS_FOLLOW_TOOLONG;
		}
		switch (rc) {
		case AIOPS_LR_ERROR:
			if (errno == EINTR)
				continue;
			return fail(f, ff->name, strerror(errno));
		case AIOPS_LR_EOF: {
			/* Only when draining: the old file is done. */
			struct stat sb;
			int64_t since = 0;

			if (fstat(ff->fd, &sb) == 0)
				since = mtime_ns(&sb);
			file_close(ff);
			f->changed = 1;
			if (ff->nqueue == 0)
				queue_after(f, ff, since);
			if (ff->nqueue == 0) {
				ff->chain = 1;
				ff->chain_since = since;
			}
			continue;
		}
		}
		/* AIOPS_LR_AGAIN: caught up. */
		ff->waiting = 1;
		if ((rc = file_check(f, ff)) != 1)
			return rc;
		ff->waiting = 0;
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
round_robin(struct aiops_follow *f, const char **line, size_t *len, int64_t *start)
{
	size_t k;

	if (f->run >= FAIR_LINES) {
		f->cur = (f->cur + 1) % f->nfiles;
		f->run = 0;
	}
	for (k = 0; k < f->nfiles; k++) {
		size_t i = (f->cur + k) % f->nfiles;
		int rc = file_next(f, &f->files[i], line, len, start);

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
    const char **name, unsigned long *lineno, struct aiops_origin *origin)
{
	int64_t start = 0;
	int rc;

	for (;;) {
		if (*f->stop)
			return AIOPS_FOLLOW_STOP;
		if (f->since_idle >= FORCE_IDLE) {
			f->since_idle = 0;
			f->changed = 0;
			return AIOPS_FOLLOW_IDLE;
		}
		rc = round_robin(f, line, len, &start);
		if (rc == AIOPS_FOLLOW_ERROR)
			return rc;
		if (rc != 0) {
			struct ffile *ff = &f->files[f->cur];

			*name = ff->name;
			*lineno = ff->cur.lineno;
			if (origin != NULL) {
				origin->file = ff->cur.head;
				origin->offset = start;
			}
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

int
aiops_follow_first_line(struct aiops_follow *f, struct aiops_buf *b)
{
	const struct ffile *ff = &f->files[f->cur];
	char chunk[4096], *nl = NULL;
	ssize_t n = 1;

	aiops_buf_reset(b);
	if (ff->fd == -1)
		return -1;
	while (nl == NULL && n > 0 && b->len <= f->max_line) {
		if ((n = pread_all(ff->fd, chunk, sizeof(chunk), (off_t)b->len)) == -1)
			return -1;
		nl = memchr(chunk, '\n', (size_t)n);
		aiops_buf_add(b, chunk, nl != NULL ? (size_t)(nl - chunk) : (size_t)n);
	}
	return nl != NULL && b->len <= f->max_line ? 0 : -1;
}

/* ---- lifecycle ---- */

static void
split_key(struct ffile *ff)
{
	char *slash = strrchr(ff->key, '/');

	if (slash == NULL) {
		ff->dir = xstrdup(".");
		ff->base = xstrdup(ff->key);
	} else {
		ff->dir = slash == ff->key ? xstrdup("/") : xstrndup(ff->key, (size_t)(slash - ff->key));
		ff->base = xstrdup(slash + 1);
	}
}

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
		split_key(&f->files[i]);
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
aiops_follow_set_note(struct aiops_follow *f, void (*fn)(void *arg, int warn, const char *msg),
    void *arg)
{
	f->note = fn;
	f->note_arg = arg;
}

void
aiops_follow_free(struct aiops_follow *f)
{
	size_t i, j;

	if (f == NULL)
		return;
	for (i = 0; i < f->nfiles; i++) {
		struct ffile *ff = &f->files[i];

		if (ff->fd != -1)
			close(ff->fd);
		for (j = 0; j < ff->nqueue; j++)
			close(ff->queue[j].fd);
		aiops_lr_free(ff->lr);
		free(ff->queue);
		free(ff->seen);
		free(ff->name);
		free(ff->key);
		free(ff->dir);
		free(ff->base);
	}
	free(f->files);
	free(f);
}

const char *
aiops_follow_errmsg(const struct aiops_follow *f)
{
	return f->err[0] != '\0' ? f->err : "no error";
}
