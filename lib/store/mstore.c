/*
 * mstore.c: metric points into the state file, in batches.
 *
 * Points are gathered in memory, then written in one BEGIN IMMEDIATE
 * transaction when a batch is full (sized to commit in about a second, at
 * most BATCH_POINTS; see batch_size()), when the oldest has waited
 * BATCH_NS of real time, or by aiops_mstore_flush(). The write lock is
 * held only while a batch is written, never while it fills, so other
 * tools writing to the state wait milliseconds, not the batch's age. A
 * failure rolls the whole batch back: the state never holds half of one.
 *
 * Why real time and not the toolkit clock: the batch age only bounds how
 * long a point may stay unwritten, which changes no output. On the event
 * clock a replay would commit at every second of event time: 1M points
 * of 1000 series at 10 s steps took 92 s instead of 9 s. Retention does
 * read the toolkit clock.
 *
 * Adding a point costs a series key, a hash lookup in the cache of series
 * and an append to the batch (no allocation but for a new series, and no
 * SQL). At commit, series new to the cache are looked up or inserted, the
 * batch is sorted by (ts, series), the primary key's order, and inserted
 * with one prepared INSERT per point: points arrive in time order, so the
 * inserts append at the end of the tree instead of scattering over a
 * page per series. Rollups are summed in
 * memory per (series, bucket) while inserting and written once per bucket
 * with an upsert that adds to what earlier batches stored.
 *
 * Points sent twice (a Telegraf retry, a cron job reading a file again,
 * the tail re-read after a kill -9): the first point written for a
 * (series, ts) stays, as in Prometheus; a later one is not stored and is
 * counted, as an identical repeat or as a conflict (another value). So a
 * stored point never changes and rollups are only ever added to: they
 * hold exactly the stored points, whatever the mix of new and re-sent
 * points, batches and runs, and a batch is one transaction, so a kill -9
 * leaves both or neither. Keeping the last write instead (InfluxDB) would
 * make each changed value redo min, max and last of its buckets from the
 * raw points, and points are clustered by time: reading one series' bucket
 * reads every series' points of that time. That made re-sent points
 * quadratic: a 2,000,000-line file of 10,000 series stored in 11 s took
 * more than 5 minutes the second time (the issue saw more than 10).
 *
 * A re-sent point costs one primary-key lookup, as a new one costs one
 * insert: the cache knows the newest stored point of each series (its
 * last_ts, read once, then kept up to date by this store), and only a
 * point at or before it may be stored already and is looked up. The
 * others, and those not found, go in whole chunks. When another program
 * has written to the state since our last commit (PRAGMA data_version),
 * what the cache knows is read again; a stored point missed all the same
 * makes its chunk fail and go row by row, with the same outcome.
 *
 * "last" of a rollup is the value with the greatest ts. Within a batch
 * that is the batch's latest point; a point older than the newest stored
 * of its series ("late": backfill) may have a later stored point in its
 * bucket, which is read for that series from the series' last_ts down (a
 * short read, late points only).
 *
 * With retention, a re-sent point whose raw copy retention deleted is
 * stored again and counted again in its rollups (which outlive raw points).
 *
 * NaN values are not stored (points.value is NOT NULL and SQLite binds
 * NaN as NULL); they still go to the output. Infinities are stored.
 *
 * A series keeps the first metric_type (the Prometheus TYPE) it is given:
 * set when the series is added, or on a series that had none by the first
 * point that has one. A type longer than TYPE_MAX is not kept.
 */
#include "compat.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "core/hash.h"
#include "core/buf.h"
#include "core/clock.h"
#include "event/event.h"
#include "json/jw.h"
#include "core/hmap.h"
#include "store/mstore.h"
#include "store/state.h"
#include "store/state_int.h"
#include "core/xmalloc.h"

#define BATCH_POINTS	500000		/* 16 MB; a commit rewrites pages, so fewer is better */
#define BATCH_FIRST	8192		/* before a commit has been timed */
#define BATCH_MIN	1024
#define BATCH_NS	1000000000LL		/* 1 s */
#define COMMIT_NS	1000000000LL		/* what a commit should take, about */
#define NS_PER_MS	1000000LL
#define BUCKET_5M	(5 * 60 * 1000LL)	/* ms */
#define BUCKET_1H	(60 * 60 * 1000LL)
#define SERIES_MAX	(1 << 18)		/* cached series; the cache is dropped past this */
#define SWEEP_SERIES	512			/* series trimmed by retention per commit */
#define CACHE_KIB	8192			/* PRAGMA cache_size: 32 MiB was no faster */
#define ERRLEN		512
#define TYPE_MAX	24			/* bytes of a metric_type kept */

/*
 * A plain INSERT: points already stored were taken out of the batch
 * before (points_sift()); a constraint failure means one was missed and
 * sends its chunk row by row. OR IGNORE would cost an extra seek per
 * point (3.8 s instead of 3.3 s for 2.9M points).
 */
static const char SQL_POINT[] =
    "INSERT INTO points(series_id, ts, value) VALUES (?1, ?2, ?3)";
/*
 * The same for CHUNK points at once: one statement step per CHUNK rows
 * instead of per row took a quarter off storing. A chunk that meets a
 * stored point fails whole (nothing of it stays) and is redone row by row.
 */
#define CHUNK	64
#define ROW3	"(?,?,?),"
#define ROW3x8	ROW3 ROW3 ROW3 ROW3 ROW3 ROW3 ROW3 ROW3
static const char SQL_POINTS[] =
    "INSERT INTO points(series_id, ts, value) VALUES "
    ROW3x8 ROW3x8 ROW3x8 ROW3x8 ROW3x8 ROW3x8 ROW3x8 ROW3 ROW3 ROW3 ROW3 ROW3 ROW3 ROW3
    "(?,?,?)";
static const char SQL_POINT_GET[] =
    "SELECT value FROM points WHERE ts = ?2 AND series_id = ?1";
/* Changes when another connection commits to the state. */
static const char SQL_DATA_VERSION[] = "PRAGMA data_version";
/*
 * The latest stored point of a series in (?2, ?3]: read backwards from ?3,
 * it stops at the first point of the series.
 */
static const char SQL_POINT_LAST[] =
    "SELECT value FROM points WHERE ts > ?2 AND ts <= ?3 AND series_id = ?1"
    " ORDER BY ts DESC LIMIT 1";
static const char SQL_SERIES_LAST[] =
    "SELECT last_ts FROM series WHERE id = ?1";
static const char SQL_SERIES_GET[] =
    "SELECT id FROM series WHERE key = ?1";
static const char SQL_SERIES_ADD[] =
    "INSERT INTO series(key, name, host, labels, unit, first_ts, last_ts, metric_type)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char SQL_SERIES_TYPE[] =
    "UPDATE series SET metric_type = ?2 WHERE id = ?1 AND metric_type IS NULL";
static const char SQL_SERIES_TS[] =
    "UPDATE series SET first_ts = min(coalesce(first_ts, ?2), ?2),"
    " last_ts = max(coalesce(last_ts, ?3), ?3) WHERE id = ?1";

/* Upserts and recomputations, [0] for rollup_5m and [1] for rollup_1h. */
static const char *const sql_rollup_add[2] = {
	"INSERT INTO rollup_5m(series_id, bucket, count, sum, min, max, last)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(series_id, bucket) DO UPDATE SET"
	" count = count + excluded.count, sum = sum + excluded.sum,"
	" min = min(min, excluded.min), max = max(max, excluded.max), last = excluded.last",
	"INSERT INTO rollup_1h(series_id, bucket, count, sum, min, max, last)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(series_id, bucket) DO UPDATE SET"
	" count = count + excluded.count, sum = sum + excluded.sum,"
	" min = min(min, excluded.min), max = max(max, excluded.max), last = excluded.last",
};
static const int64_t bucket_ms[2] = { BUCKET_5M, BUCKET_1H };

/*
 * Retention, a slice of SWEEP_SERIES series per commit: the IN list lets
 * SQLite seek (series_id, ts) in the primary key for each series.
 */
static const char SQL_SWEEP_END[] =
    "SELECT max(id), count(*) FROM"
    " (SELECT id FROM series WHERE id > ?1 ORDER BY id LIMIT ?2)";
static const char *const sql_trim[3] = {
	"DELETE FROM points WHERE series_id IN"
	" (SELECT id FROM series WHERE id > ?1 AND id <= ?2) AND ts < ?3",
	"DELETE FROM rollup_5m WHERE series_id IN"
	" (SELECT id FROM series WHERE id > ?1 AND id <= ?2) AND bucket <= ?3",
	"DELETE FROM rollup_1h WHERE series_id IN"
	" (SELECT id FROM series WHERE id > ?1 AND id <= ?2) AND bucket <= ?3",
};

/*
 * A series seen by this store. id 0: not looked up in the state yet (done
 * at commit). data holds key, name, host, labels (JSON) and unit, each
 * NUL-terminated, in one allocation with the entry.
 */
struct series_ent {
	uint64_t	 hash;
	int64_t		 id;
	size_t		 agg[2];	/* its rollup entries last used, per level... */
	uint64_t	 agg_gen;	/* ...valid while this is the batch's generation */
	int64_t		 first, last;	/* ms, of this batch's points */
	int64_t		 stored_last;	/* ms, its newest stored point, or INT64_MIN... */
	uint64_t	 last_gen;	/* ...while this is the store's known_gen */
	int		 touched;
	int		 has_host, has_unit;
	int		 type_pending;	/* type to set on a stored series without one */
	char		 type[TYPE_MAX];	/* metric_type, "" for none */
	uint32_t	 klen, nlen, hlen, jlen;
	char		 data[];
};

/* A point of the batch, inserted at commit in (series, ts) order. */
struct point {
	int64_t		 sid;		/* series id, set at commit */
	int64_t		 ts;		/* ms */
	double		 v;
	uint32_t	 si;		/* index in the series cache */
	uint32_t	 seq;		/* arrival: the later duplicate wins */
};

struct agg_ent {
	int64_t		 sid;
	int64_t		 bucket;	/* ms */
	int64_t		 count;
	double		 sum, min, max, last;
	int64_t		 last_ts;
	int		 level;		/* 0: 5m, 1: 1h */
	int		 late;		/* holds a point older than the newest stored */
};

/*
 * Open addressing over an entry array: a slot holds the index + 1 (0 is
 * empty) and 32 bits of the hash, so most probes of other entries end
 * without touching them.
 */
struct slot {
	uint32_t	 idx1;
	uint32_t	 tag;
};

struct index {
	struct slot	*slot;
	size_t		 mask;
};

struct aiops_mstore {
	struct aiops_state	*st;
	sqlite3_stmt		*ins;		/* SQL_POINT, kept for the hot path */
	sqlite3_stmt		*ins_chunk;	/* SQL_POINTS */
	int64_t			 retention;	/* ns, 0: keep all */
	int			 failed;
	int64_t			 batch_start;	/* monotonic, ns */
	size_t			 npoints;
	size_t			 batch_limit;	/* points that commit in about COMMIT_NS */
	int64_t			 sweep_id;	/* retention resumes after this series */
	int64_t			 data_version;	/* PRAGMA data_version at our last commit */
	uint64_t		 known_gen;	/* series_ent.stored_last is valid at this */
	uint64_t		 nrepeat, nconflict;	/* points not stored, committed */
	uint64_t		 brepeat, bconflict;	/* the same, this batch */

	struct series_ent	**series;
	size_t			 nseries, series_cap;
	struct index		 series_idx;
	uint32_t		*touched;
	size_t			 ntouched, touched_cap;

	struct point		*pts;
	size_t			 pts_cap;

	struct agg_ent		*aggs;
	size_t			 naggs, aggs_cap;
	uint64_t		 gen;		/* batch generation, for series_ent.agg */
	struct index		 agg_idx;

	struct aiops_buf	 key;
	struct aiops_buf	 json;
	char			 err[ERRLEN];
};

/* ---- hash index ---- */

static void
index_init(struct index *ix, size_t nslots)
{
	ix->slot = xcalloc(nslots, sizeof(*ix->slot));
	ix->mask = nslots - 1;
}

static void
index_clear(struct index *ix)
{
	memset(ix->slot, 0, (ix->mask + 1) * sizeof(*ix->slot));
}

/* The first slot to probe for hash h, which is well mixed already. */
static size_t
index_home(const struct index *ix, uint64_t h)
{
	return (size_t)h & ix->mask;
}

static uint32_t
index_tag(uint64_t h)
{
	return (uint32_t)(h >> 32);
}

/* Doubles the slots when n entries would fill more than half of them. */
static void
index_fit(struct index *ix, size_t n, uint64_t (*hashof)(size_t, void *), void *arg)
{
	size_t i, nslots = ix->mask + 1;

	if (n * 2 < nslots)
		return;
	free(ix->slot);
	index_init(ix, nslots * 2);
	for (i = 0; i < n; i++) {
		uint64_t h = hashof(i, arg);
		size_t s = index_home(ix, h);

		while (ix->slot[s].idx1 != 0)
			s = (s + 1) & ix->mask;
		ix->slot[s].idx1 = (uint32_t)(i + 1);
		ix->slot[s].tag = index_tag(h);
	}
}

static uint64_t
series_hash(size_t i, void *arg)
{
	return ((struct series_ent **)arg)[i]->hash;
}

static uint64_t
agg_hash_of(int64_t sid, int64_t bucket, int level)
{
	return aiops_mix64((uint64_t)sid * 0x9e3779b97f4a7c15ULL ^ (uint64_t)bucket ^
	    ((uint64_t)level << 62));
}

static uint64_t
agg_hash(size_t i, void *arg)
{
	struct agg_ent *a = (struct agg_ent *)arg + i;

	return agg_hash_of(a->sid, a->bucket, a->level);
}

static void
series_clear(struct aiops_mstore *ms)
{
	size_t i;

	for (i = 0; i < ms->nseries; i++)
		free(ms->series[i]);
	ms->nseries = 0;
	ms->ntouched = 0;
	index_clear(&ms->series_idx);
}

static void
agg_clear(struct aiops_mstore *ms)
{
	ms->naggs = 0;
	ms->gen++;		/* every series_ent.agg is stale now */
	index_clear(&ms->agg_idx);
}

/* ---- errors ---- */

/* Records "what: sqlite's message", and the failure on the state; -1. */
static int
sqlfail(struct aiops_mstore *ms, const char *what)
{
	int n;

	aiops_state_fail(ms->st);
	n = snprintf(ms->err, sizeof(ms->err), "%s: %s", what,
	    aiops_state_errmsg(ms->st));
	if (n < 0 || (size_t)n >= sizeof(ms->err))
		ms->err[sizeof(ms->err) - 1] = '\0';
	return -1;
}

/* Steps a statement that returns no rows, then resets it. */
static int
step_done(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* A cached statement, or NULL with the error recorded. */
static sqlite3_stmt *
stmt(struct aiops_mstore *ms, const char *sql)
{
	sqlite3_stmt *s = aiops_state_stmt(ms->st, sql);

	if (s == NULL)
		sqlfail(ms, "preparing a statement");
	return s;
}

/*
 * Drops the batch: nothing of it is in the state, and the cached series
 * ids may name rows that the rollback took away.
 */
static int
abort_batch(struct aiops_mstore *ms)
{
	sqlite3_reset(ms->ins);
	sqlite3_reset(ms->ins_chunk);
	aiops_state_rollback(ms->st);
	ms->npoints = 0;
	ms->failed = 1;
	ms->brepeat = ms->bconflict = 0;
	series_clear(ms);
	agg_clear(ms);
	return -1;
}

/* ---- time ---- */

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t
ns_to_ms(int64_t ns)
{
	return floor_div(ns, NS_PER_MS);
}

/* ---- series: the cache ---- */

static void
labels_json(struct aiops_mstore *ms, const struct aiops_metric *m)
{
	struct aiops_jw w;
	size_t i;

	aiops_buf_reset(&ms->json);
	aiops_jw_init(&w, &ms->json);
	aiops_jw_object_begin(&w);
	for (i = 0; i < m->nlabels; i++) {
		aiops_jw_key(&w, m->labels[i].key, m->labels[i].klen);
		aiops_jw_string(&w, m->labels[i].val, m->labels[i].vlen);
	}
	aiops_jw_object_end(&w);
}

/* Appends s, n bytes, and a NUL at *p; returns n. */
static uint32_t
put(char **p, const char *s, size_t n)
{
	if (n > 0)
		memcpy(*p, s, n);
	(*p)[n] = '\0';
	*p += n + 1;
	return (uint32_t)n;
}

/* Takes m's metric_type when the entry has none yet. */
static void
series_type(struct series_ent *e, const struct aiops_metric *m)
{
	size_t n;

	if (e->type[0] != '\0' || m->metric_type == NULL ||
	    (n = strlen(m->metric_type)) == 0 || n >= sizeof(e->type))
		return;
	memcpy(e->type, m->metric_type, n + 1);
	e->type_pending = 1;
}

/* A new entry for the series of ms->key (hash h): what a commit inserts. */
static struct series_ent *
series_new(struct aiops_mstore *ms, const struct aiops_metric *m, uint64_t h)
{
	size_t ulen = m->unit != NULL ? strlen(m->unit) : 0;
	size_t hlen = m->host != NULL ? m->hlen : 0;
	struct series_ent *e;
	char *p;

	labels_json(ms, m);
	e = xmalloc(sizeof(*e) + ms->key.len + m->nlen + hlen + ms->json.len + ulen + 5);
	memset(e, 0, sizeof(*e));
	e->hash = h;
	e->has_host = m->host != NULL;
	e->has_unit = m->unit != NULL;
	series_type(e, m);
	p = e->data;
	e->klen = put(&p, ms->key.data, ms->key.len);
	e->nlen = put(&p, m->name, m->nlen);
	e->hlen = put(&p, m->host, hlen);
	e->jlen = put(&p, ms->json.data, ms->json.len);
	put(&p, m->unit, ulen);
	return e;
}

/* Adds e to the cache at its (empty) slot s; returns its index. */
static size_t
series_cache(struct aiops_mstore *ms, struct series_ent *e, size_t s)
{
	if (ms->nseries == ms->series_cap) {
		ms->series_cap = ms->series_cap ? ms->series_cap * 2 : 256;
		ms->series = xreallocarray(ms->series, ms->series_cap, sizeof(*ms->series));
	}
	ms->series[ms->nseries] = e;
	ms->series_idx.slot[s].idx1 = (uint32_t)(ms->nseries + 1);
	ms->series_idx.slot[s].tag = index_tag(e->hash);
	ms->nseries++;
	index_fit(&ms->series_idx, ms->nseries, series_hash, ms->series);
	return ms->nseries - 1;
}

/* The cache index of m's series, found or added (not yet looked up). */
static size_t
series_get(struct aiops_mstore *ms, const struct aiops_metric *m)
{
	struct index *ix = &ms->series_idx;
	uint64_t h;
	size_t s;

	aiops_buf_reset(&ms->key);
	aiops_series_key(&ms->key, m);
	h = aiops_hash_fast(ms->key.data, ms->key.len);
	for (s = index_home(ix, h); ix->slot[s].idx1 != 0; s = (s + 1) & ix->mask) {
		struct series_ent *e;

		if (ix->slot[s].tag != index_tag(h))
			continue;
		e = ms->series[ix->slot[s].idx1 - 1];
		if (e->hash == h && e->klen == ms->key.len &&
		    memcmp(e->data, ms->key.data, e->klen) == 0) {
			if (e->type[0] == '\0')
				series_type(e, m);
			return ix->slot[s].idx1 - 1;
		}
	}
	return series_cache(ms, series_new(ms, m, h), s);
}

static void
series_touch(struct aiops_mstore *ms, size_t i, int64_t ts)
{
	struct series_ent *e = ms->series[i];

	if (!e->touched) {
		if (ms->ntouched == ms->touched_cap) {
			ms->touched_cap = ms->touched_cap ? ms->touched_cap * 2 : 256;
			ms->touched = xreallocarray(ms->touched, ms->touched_cap,
			    sizeof(*ms->touched));
		}
		ms->touched[ms->ntouched++] = (uint32_t)i;
		e->touched = 1;
		e->first = e->last = ts;
		return;
	}
	if (ts < e->first)
		e->first = ts;
	if (ts > e->last)
		e->last = ts;
}

/* ---- series: in the state ---- */

/* Sets e->id from the state; it stays 0 if the series is not there. */
static int
series_find(struct aiops_mstore *ms, struct series_ent *e)
{
	sqlite3_stmt *s;
	int rc;

	if ((s = stmt(ms, SQL_SERIES_GET)) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, e->data, (int)e->klen, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		e->id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sqlfail(ms, "looking up a series");
	return 0;
}

static int
series_insert(struct aiops_mstore *ms, struct series_ent *e)
{
	const char *name = e->data + e->klen + 1;
	const char *host = name + e->nlen + 1;
	const char *json = host + e->hlen + 1;
	const char *unit = json + e->jlen + 1;
	sqlite3_stmt *s;

	if ((s = stmt(ms, SQL_SERIES_ADD)) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, e->data, (int)e->klen, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, name, (int)e->nlen, SQLITE_STATIC);
	if (e->has_host)
		sqlite3_bind_text(s, 3, host, (int)e->hlen, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, json, (int)e->jlen, SQLITE_STATIC);
	if (e->has_unit)
		sqlite3_bind_text(s, 5, unit, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, e->first);
	sqlite3_bind_int64(s, 7, e->last);
	if (e->type[0] != '\0')
		sqlite3_bind_text(s, 8, e->type, -1, SQLITE_STATIC);
	if (step_done(s) == -1)
		return sqlfail(ms, "adding a series");
	e->id = sqlite3_last_insert_rowid(aiops_state_db(ms->st));
	e->type_pending = 0;
	return 0;
}

/* The first metric_type of a stored series that had none. */
static int
series_settype(struct aiops_mstore *ms, struct series_ent *e)
{
	sqlite3_stmt *s;

	if ((s = stmt(ms, SQL_SERIES_TYPE)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, e->id);
	sqlite3_bind_text(s, 2, e->type, -1, SQLITE_STATIC);
	if (step_done(s) == -1)
		return sqlfail(ms, "setting a series' type");
	e->type_pending = 0;
	return 0;
}

/* The stored last_ts of series sid in *ts (INT64_MIN if none). */
static int
series_last(struct aiops_mstore *ms, int64_t sid, int64_t *ts)
{
	sqlite3_stmt *s;
	int rc;

	if ((s = stmt(ms, SQL_SERIES_LAST)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, sid);
	rc = sqlite3_step(s);
	*ts = rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL ?
	    sqlite3_column_int64(s, 0) : INT64_MIN;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sqlfail(ms, "looking up a series");
	return 0;
}

/*
 * Gives every series of the batch its id, inserting those that are new,
 * and the ts of its newest stored point.
 */
static int
series_resolve(struct aiops_mstore *ms)
{
	size_t i;

	for (i = 0; i < ms->ntouched; i++) {
		struct series_ent *e = ms->series[ms->touched[i]];

		if (e->id == 0 && series_find(ms, e) == -1)
			return -1;
		if (e->id == 0) {
			if (series_insert(ms, e) == -1)
				return -1;
			e->stored_last = INT64_MIN;	/* no point stored yet */
			e->last_gen = ms->known_gen;
		}
		if (e->type_pending && series_settype(ms, e) == -1)
			return -1;
		if (e->last_gen != ms->known_gen) {
			if (series_last(ms, e->id, &e->stored_last) == -1)
				return -1;
			e->last_gen = ms->known_gen;
		}
	}
	return 0;
}

/* first_ts and last_ts of the series of the batch. */
static int
series_write(struct aiops_mstore *ms)
{
	sqlite3_stmt *s;
	size_t i;

	for (i = 0; i < ms->ntouched; i++) {
		struct series_ent *e = ms->series[ms->touched[i]];

		if ((s = stmt(ms, SQL_SERIES_TS)) == NULL)
			return -1;
		sqlite3_bind_int64(s, 1, e->id);
		sqlite3_bind_int64(s, 2, e->first);
		sqlite3_bind_int64(s, 3, e->last);
		if (step_done(s) == -1)
			return sqlfail(ms, "updating a series");
	}
	return 0;
}

/* ---- rollups ---- */

static struct agg_ent *
agg_get(struct aiops_mstore *ms, int64_t sid, int64_t bucket, int level)
{
	struct index *ix = &ms->agg_idx;
	uint64_t h = agg_hash_of(sid, bucket, level);
	struct agg_ent *a;
	size_t s;

	for (s = index_home(ix, h); ix->slot[s].idx1 != 0; s = (s + 1) & ix->mask) {
		if (ix->slot[s].tag != index_tag(h))
			continue;
		a = &ms->aggs[ix->slot[s].idx1 - 1];
		if (a->sid == sid && a->bucket == bucket && a->level == level)
			return a;
	}
	if (ms->naggs == ms->aggs_cap) {
		ms->aggs_cap = ms->aggs_cap ? ms->aggs_cap * 2 : 1024;
		ms->aggs = xreallocarray(ms->aggs, ms->aggs_cap, sizeof(*ms->aggs));
	}
	a = &ms->aggs[ms->naggs];
	memset(a, 0, sizeof(*a));
	a->sid = sid;
	a->bucket = bucket;
	a->level = level;
	a->min = INFINITY;
	a->max = -INFINITY;
	a->last_ts = INT64_MIN;
	ix->slot[s].idx1 = (uint32_t)(ms->naggs + 1);
	ix->slot[s].tag = index_tag(h);
	ms->naggs++;
	index_fit(ix, ms->naggs, agg_hash, ms->aggs);
	return &ms->aggs[ms->naggs - 1];
}

/* Adds a stored point to both rollups. */
static void
agg_add(struct aiops_mstore *ms, struct series_ent *se, int64_t sid, int64_t ts, double v)
{
	int level;

	for (level = 0; level < 2; level++) {
		int64_t b = floor_div(ts, bucket_ms[level]) * bucket_ms[level];
		size_t k = se->agg[level];
		struct agg_ent *a;

		/* Mostly the series' bucket of its point before: no hashing. */
		if (se->agg_gen == ms->gen && ms->aggs[k].bucket == b)
			a = &ms->aggs[k];
		else {
			a = agg_get(ms, sid, b, level);
			se->agg[level] = (size_t)(a - ms->aggs);
		}
		if (level == 1)
			se->agg_gen = ms->gen;	/* both levels are set now */

		a->count++;
		a->sum += v;
		if (ts < se->stored_last)
			a->late = 1;
		if (v < a->min)
			a->min = v;
		if (v > a->max)
			a->max = v;
		if (ts >= a->last_ts) {
			a->last_ts = ts;
			a->last = v;
		}
	}
}

/*
 * A late point's bucket may hold a later stored point of its series: then
 * that one's value is the bucket's last. The series' last_ts (not yet
 * updated by this batch) bounds the read.
 */
static int
last_fix(struct aiops_mstore *ms, struct agg_ent *a)
{
	int64_t hi, end = a->bucket + bucket_ms[a->level] - 1;
	sqlite3_stmt *s;
	int rc;

	if (series_last(ms, a->sid, &hi) == -1)
		return -1;
	if (hi > end)
		hi = end;
	if (hi <= a->last_ts)
		return 0;	/* nothing stored after the batch's last point */
	if ((s = stmt(ms, SQL_POINT_LAST)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, a->sid);
	sqlite3_bind_int64(s, 2, a->last_ts);
	sqlite3_bind_int64(s, 3, hi);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		a->last = sqlite3_column_double(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sqlfail(ms, "updating a rollup");
	return 0;
}

static int
rollup_add(struct aiops_mstore *ms, const struct agg_ent *a)
{
	sqlite3_stmt *s;

	if ((s = stmt(ms, sql_rollup_add[a->level])) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, a->sid);
	sqlite3_bind_int64(s, 2, a->bucket);
	sqlite3_bind_int64(s, 3, a->count);
	sqlite3_bind_double(s, 4, a->sum);
	sqlite3_bind_double(s, 5, a->min);
	sqlite3_bind_double(s, 6, a->max);
	sqlite3_bind_double(s, 7, a->last);
	return step_done(s) == -1 ? sqlfail(ms, "updating a rollup") : 0;
}

/* Adds the batch's sums to the stored rollups. */
static int
rollups_write(struct aiops_mstore *ms)
{
	size_t i;

	for (i = 0; i < ms->naggs; i++) {
		struct agg_ent *a = &ms->aggs[i];

		if (a->late && last_fix(ms, a) == -1)
			return -1;
		if (rollup_add(ms, a) == -1)
			return -1;
	}
	return 0;
}

/* ---- retention ---- */

/* Sets *hi to the last series id of the next slice after ms->sweep_id. */
static int
sweep_slice(struct aiops_mstore *ms, int64_t *hi, int *wrap)
{
	sqlite3_stmt *s;
	int rc;

	if ((s = stmt(ms, SQL_SWEEP_END)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, ms->sweep_id);
	sqlite3_bind_int(s, 2, SWEEP_SERIES);
	rc = sqlite3_step(s);
	*hi = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	*wrap = rc == SQLITE_ROW ? sqlite3_column_int(s, 1) < SWEEP_SERIES : 1;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return sqlfail(ms, "applying retention");
	return 0;
}

/*
 * Deletes raw points older than cut[0] (ms), and 5-minute and 1-hour
 * buckets that end at or before cut[1] and cut[2], for the next slice of
 * series; the slices go round all series, SWEEP_SERIES per commit.
 */
static int
retention_apply(struct aiops_mstore *ms, const int64_t cut[3])
{
	sqlite3_stmt *s;
	int64_t hi;
	int i, wrap;

	if (sweep_slice(ms, &hi, &wrap) == -1)
		return -1;
	for (i = 0; i < 3 && hi > ms->sweep_id; i++) {
		if ((s = stmt(ms, sql_trim[i])) == NULL)
			return -1;
		sqlite3_bind_int64(s, 1, ms->sweep_id);
		sqlite3_bind_int64(s, 2, hi);
		sqlite3_bind_int64(s, 3, i == 0 ? cut[0] : cut[i] - bucket_ms[i - 1]);
		if (step_done(s) == -1)
			return sqlfail(ms, "applying retention");
	}
	ms->sweep_id = wrap ? 0 : hi;
	return 0;
}

/* ---- points ---- */

/* A point not stored: its value v beside the one kept, kept. */
static void
repeat_count(struct aiops_mstore *ms, double v, double kept)
{
	if (v == kept)
		ms->brepeat++;
	else
		ms->bconflict++;
}

/* The stored value of (sid, ts) in *v: 1, 0 if there is none, -1 on error. */
static int
point_get(struct aiops_mstore *ms, int64_t sid, int64_t ts, double *v)
{
	sqlite3_stmt *s;
	int rc;

	if ((s = stmt(ms, SQL_POINT_GET)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, sid);
	sqlite3_bind_int64(s, 2, ts);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_double(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sqlfail(ms, "looking up a point");
	return rc == SQLITE_ROW;
}

static int
point_insert(struct aiops_mstore *ms, const struct point *p)
{
	sqlite3_stmt *s = ms->ins;
	double kept;
	int rc;

	sqlite3_bind_int64(s, 1, p->sid);
	sqlite3_bind_int64(s, 2, p->ts);
	sqlite3_bind_double(s, 3, p->v);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
		if (point_get(ms, p->sid, p->ts, &kept) != 1)
			return sqlfail(ms, "inserting a point");
		repeat_count(ms, p->v, kept);
		return 0;
	}
	if (rc != SQLITE_DONE)
		return sqlfail(ms, "inserting a point");
	agg_add(ms, ms->series[p->si], p->sid, p->ts, p->v);
	return 0;
}

static int
point_cmp(const void *a, const void *b)
{
	const struct point *p = a, *q = b;

	if (p->ts != q->ts)
		return p->ts < q->ts ? -1 : 1;
	if (p->sid != q->sid)
		return p->sid < q->sid ? -1 : 1;
	return p->seq < q->seq ? -1 : p->seq > q->seq;
}

/*
 * CHUNK points in one statement: 1 done, 0 when one of them is already
 * stored (nothing of the chunk was written), -1 on error.
 */
static int
chunk_insert(struct aiops_mstore *ms, const struct point *p)
{
	sqlite3_stmt *s = ms->ins_chunk;
	int i, rc;

	for (i = 0; i < CHUNK; i++) {
		sqlite3_bind_int64(s, 3 * i + 1, p[i].sid);
		sqlite3_bind_int64(s, 3 * i + 2, p[i].ts);
		sqlite3_bind_double(s, 3 * i + 3, p[i].v);
	}
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
		return 0;
	if (rc != SQLITE_DONE)
		return sqlfail(ms, "inserting points");
	for (i = 0; i < CHUNK; i++)
		agg_add(ms, ms->series[p[i].si], p[i].sid, p[i].ts, p[i].v);
	return 1;
}

/*
 * When another program has committed since our last commit, what the
 * cache knows of the newest stored points may be out of date.
 */
static int
others_check(struct aiops_mstore *ms)
{
	sqlite3_stmt *s;
	int64_t v;
	int rc;

	if ((s = stmt(ms, SQL_DATA_VERSION)) == NULL)
		return -1;
	rc = sqlite3_step(s);
	v = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return sqlfail(ms, "reading the data version");
	if (v != ms->data_version) {
		ms->data_version = v;
		ms->known_gen++;
	}
	return 0;
}

/*
 * Takes out of the sorted batch the points not to store: a later one of
 * the same (series, ts) in the batch, and one already stored, looked up
 * only when its ts is at most the newest stored of its series. Sets
 * *nkeep to how many stay (at the front, still sorted).
 */
static int
points_sift(struct aiops_mstore *ms, size_t *nkeep)
{
	int64_t kts = 0, ksid = 0;	/* the (ts, series) of kept */
	double kept = 0;
	size_t i, n = 0;
	int rc;

	for (i = 0; i < ms->npoints; i++) {
		const struct point *p = &ms->pts[i];

		if (i > 0 && p->ts == kts && p->sid == ksid) {
			repeat_count(ms, p->v, kept);
			continue;
		}
		kts = p->ts;
		ksid = p->sid;
		if (p->ts <= ms->series[p->si]->stored_last) {
			if ((rc = point_get(ms, p->sid, p->ts, &kept)) == -1)
				return -1;
			if (rc == 1) {
				repeat_count(ms, p->v, kept);
				continue;
			}
		}
		kept = p->v;
		ms->pts[n++] = *p;
	}
	*nkeep = n;
	return 0;
}

/*
 * Inserts the batch in primary key order (time, then series): each insert
 * lands on or next to the page of the one before.
 */
static int
points_write(struct aiops_mstore *ms)
{
	size_t i, j, n;
	int rc;

	for (i = 0; i < ms->npoints; i++)
		ms->pts[i].sid = ms->series[ms->pts[i].si]->id;
	qsort(ms->pts, ms->npoints, sizeof(*ms->pts), point_cmp);
	if (points_sift(ms, &n) == -1)
		return -1;
	for (i = 0; i < n; i += j) {
		/* Whole chunks first; a chunk that fails goes row by row. */
		if (n - i >= CHUNK && (rc = chunk_insert(ms, &ms->pts[i])) != 0) {
			if (rc == -1)
				return -1;
			j = CHUNK;
			continue;
		}
		for (j = 0; j < CHUNK && i + j < n; j++)
			if (point_insert(ms, &ms->pts[i + j]) == -1)
				return -1;
	}
	return 0;
}

/* Cut-offs in ms for points, rollup_5m and rollup_1h (10x and 100x). */
static void
cutoffs(const struct aiops_mstore *ms, int64_t cut[3])
{
	int64_t now = ns_to_ms(aiops_clock_now());
	int64_t ret = ms->retention / NS_PER_MS;

	if (ret < 1)
		ret = 1;
	cut[0] = now - ret;
	cut[1] = ret > INT64_MAX / 10 ? INT64_MIN / 2 : now - ret * 10;
	cut[2] = ret > INT64_MAX / 100 ? INT64_MIN / 2 : now - ret * 100;
}

/* ---- batches ---- */

/* The batch is in: forget it, keep the series cache unless it grew too big. */
static void
batch_done(struct aiops_mstore *ms)
{
	size_t i;

	for (i = 0; i < ms->ntouched; i++) {
		struct series_ent *e = ms->series[ms->touched[i]];

		e->touched = 0;
		if (e->last > e->stored_last)
			e->stored_last = e->last;
	}
	ms->ntouched = 0;
	agg_clear(ms);
	ms->npoints = 0;
	ms->failed = 0;
	ms->nrepeat += ms->brepeat;
	ms->nconflict += ms->bconflict;
	ms->brepeat = ms->bconflict = 0;
	if (ms->nseries > SERIES_MAX)
		series_clear(ms);
}

/*
 * Sizes the next batch from how fast this one went in, so that a commit
 * takes about COMMIT_NS: a program told to stop finishes the commit in
 * progress and the one of what it holds, seconds at most, even where
 * points are slow to store (a slow disk, a state file grown past the
 * page cache).
 */
static void
batch_size(struct aiops_mstore *ms, size_t npoints, int64_t took)
{
	double fit = took > 0 ? (double)npoints * COMMIT_NS / (double)took : BATCH_POINTS;

	ms->batch_limit = fit > BATCH_POINTS ? BATCH_POINTS :
	    fit < BATCH_MIN ? BATCH_MIN : (size_t)fit;
}

/*
 * Writes the batch in one transaction; -1 and nothing written on error.
 * When the write lock cannot be had (another program holds it past the
 * busy timeout) the batch is kept, for a later flush to retry.
 */
static int
commit(struct aiops_mstore *ms)
{
	int64_t cut[3] = { INT64_MIN, INT64_MIN, INT64_MIN };
	int64_t t0 = aiops_monotonic_ns();
	size_t n = ms->npoints;

	if (ms->npoints == 0)
		return 0;
	if (aiops_state_begin(ms->st) == -1) {
		sqlfail(ms, "starting a batch");
		if (aiops_state_exit_status(ms->st) == EX_TEMPFAIL)
			return -1;
		return abort_batch(ms);
	}
	if (ms->retention > 0)
		cutoffs(ms, cut);
	if (others_check(ms) == -1 || series_resolve(ms) == -1 || points_write(ms) == -1 ||
	    rollups_write(ms) == -1 || series_write(ms) == -1)
		return abort_batch(ms);
	if (ms->retention > 0 && retention_apply(ms, cut) == -1)
		return abort_batch(ms);
	if (aiops_state_commit(ms->st) == -1) {
		sqlfail(ms, "committing a batch");
		return abort_batch(ms);
	}
	batch_done(ms);
	batch_size(ms, n, aiops_monotonic_ns() - t0);
	return 0;
}

void
aiops_mstore_forget(struct aiops_mstore *ms)
{
	ms->npoints = 0;
	ms->brepeat = ms->bconflict = 0;
	series_clear(ms);
	agg_clear(ms);
}

static void
point_push(struct aiops_mstore *ms, size_t si, int64_t ts, double v)
{
	struct point *p;

	if (ms->npoints == ms->pts_cap) {
		ms->pts_cap = ms->pts_cap ? ms->pts_cap * 2 : 4096;
		ms->pts = xreallocarray(ms->pts, ms->pts_cap, sizeof(*ms->pts));
	}
	p = &ms->pts[ms->npoints];
	p->sid = 0;
	p->ts = ts;
	p->v = v;
	p->si = (uint32_t)si;
	p->seq = (uint32_t)ms->npoints++;
}

int
aiops_mstore_add(struct aiops_mstore *ms, const struct aiops_metric *m)
{
	int64_t ts = ns_to_ms(m->ts);
	size_t si;

	if (isnan(m->value))
		return 0;
	if (ms->npoints == 0)
		ms->batch_start = aiops_monotonic_ns();
	si = series_get(ms, m);
	series_touch(ms, si, ts);
	point_push(ms, si, ts, m->value);
	if (ms->npoints >= ms->batch_limit ||
	    aiops_monotonic_ns() - ms->batch_start >= BATCH_NS)
		return commit(ms);
	return 0;
}

int
aiops_mstore_flush(struct aiops_mstore *ms)
{
	if (ms->npoints == 0)
		return ms->failed ? -1 : 0;
	return commit(ms);
}

void
aiops_mstore_repeats(const struct aiops_mstore *ms, uint64_t *same, uint64_t *other)
{
	*same = ms->nrepeat;
	*other = ms->nconflict;
}

const char *
aiops_mstore_errmsg(struct aiops_mstore *ms)
{
	return ms->err[0] != '\0' ? ms->err : "no error";
}

/* ---- lifecycle ---- */

static int
prepare_all(struct aiops_mstore *ms)
{
	static const char *const sqls[] = {
		SQL_POINT_GET, SQL_DATA_VERSION, SQL_POINT_LAST, SQL_SERIES_LAST,
		SQL_SERIES_GET, SQL_SERIES_ADD, SQL_SERIES_TS, SQL_SERIES_TYPE, SQL_SWEEP_END,
	};
	size_t i;

	if ((ms->ins = stmt(ms, SQL_POINT)) == NULL ||
	    (ms->ins_chunk = stmt(ms, SQL_POINTS)) == NULL)
		return -1;
	for (i = 0; i < sizeof(sqls) / sizeof(sqls[0]); i++)
		if (stmt(ms, sqls[i]) == NULL)
			return -1;
	for (i = 0; i < 2; i++)
		if (stmt(ms, sql_rollup_add[i]) == NULL)
			return -1;
	for (i = 0; i < 3; i++)
		if (stmt(ms, sql_trim[i]) == NULL)
			return -1;
	return 0;
}

struct aiops_mstore *
aiops_mstore_new(struct aiops_state *st, int64_t retention, char *err, size_t errlen)
{
	struct aiops_mstore *ms = xcalloc(1, sizeof(*ms));
	char pragma[64];
	int n;

	ms->gen = 1;		/* a series_ent.agg_gen of 0 is never valid */
	ms->known_gen = 1;	/* nor a series_ent.last_gen of 0 */
	ms->data_version = -1;
	/* Else BEGIN IMMEDIATE succeeds and only the commit would fail. */
	if (sqlite3_db_readonly(aiops_state_db(st), "main") == 1) {
		snprintf(err, errlen, "%s: the state file is read-only: cannot store metrics",
		    aiops_state_path(st));
		free(ms);
		return NULL;
	}
	ms->st = st;
	ms->retention = retention > 0 ? retention : 0;
	ms->batch_limit = BATCH_FIRST;
	aiops_buf_init(&ms->key);
	aiops_buf_init(&ms->json);
	index_init(&ms->series_idx, 1024);
	index_init(&ms->agg_idx, 4096);
	/* A batch touches many pages; the default 2 MiB cache spills. */
	n = snprintf(pragma, sizeof(pragma), "PRAGMA cache_size = -%d", CACHE_KIB);
	if (n < 0 || (size_t)n >= sizeof(pragma) ||
	    aiops_state_exec(st, pragma) == -1 ||
	    prepare_all(ms) == -1) {
		if (ms->err[0] == '\0')
			sqlfail(ms, "setting up the store");
		snprintf(err, errlen, "%s: %s", aiops_state_path(st), ms->err);
		aiops_mstore_free(ms);
		return NULL;
	}
	return ms;
}

int
aiops_mstore_free(struct aiops_mstore *ms)
{
	int rc;

	if (ms == NULL)
		return 0;
	rc = aiops_mstore_flush(ms);
	series_clear(ms);
	free(ms->series);
	free(ms->series_idx.slot);
	free(ms->touched);
	free(ms->pts);
	free(ms->aggs);
	free(ms->agg_idx.slot);
	aiops_buf_release(&ms->key);
	aiops_buf_release(&ms->json);
	free(ms);
	return rc;
}

/* ---- reading ---- */

static const char SQL_READ[] =
    "SELECT s.name, s.host, s.labels, s.unit, p.ts, p.value, s.metric_type, s.key"
    " FROM points p JOIN series s ON s.id = p.series_id"
    " WHERE p.ts >= ?1 ORDER BY p.ts, p.series_id";

int
aiops_mstore_read(struct aiops_state *st, int64_t since,
    int (*fn)(void *arg, const struct aiops_mstore_point *p), void *arg)
{
	struct aiops_mstore_point p;
	sqlite3_stmt *s;
	int rc, stop = 0;

	if ((s = aiops_state_stmt(st, SQL_READ)) == NULL)
		return -1;
	aiops_state_bind_time(s, 1, since);
	while (!stop && (rc = aiops_state_step(st, s)) == 1) {
		p.name = aiops_state_column_str(s, 0);
		p.host = aiops_state_column_str(s, 1);
		p.labels = aiops_state_column_str(s, 2);
		p.unit = aiops_state_column_str(s, 3);
		p.ts = aiops_state_column_time(s, 4);
		p.value = sqlite3_column_double(s, 5);
		p.metric_type = aiops_state_column_str(s, 6);
		p.key = aiops_state_column_str(s, 7);
		stop = fn(arg, &p);
	}
	if (stop) {
		sqlite3_reset(s);
		return stop;
	}
	return rc;
}

/* By the primary key (series_id, bucket): one pass, no sort. */
#define SQL_ROLLUP(table) \
    "SELECT s.key, s.name, s.host, s.labels, s.unit, s.metric_type," \
    " r.bucket, r.count, r.sum, r.min, r.max, r.last" \
    " FROM " table " r JOIN series s ON s.id = r.series_id" \
    " WHERE r.bucket >= ?1 ORDER BY r.series_id, r.bucket"
static const char *const sql_rollup_read[2] = {
	SQL_ROLLUP("rollup_5m"), SQL_ROLLUP("rollup_1h"),
};

int
aiops_mstore_read_rollup(struct aiops_state *st, enum aiops_mstore_level level,
    int64_t since, int (*fn)(void *arg, const struct aiops_mstore_bucket *b), void *arg)
{
	struct aiops_mstore_bucket b;
	sqlite3_stmt *s;
	int rc, stop = 0;

	if ((s = aiops_state_stmt(st, sql_rollup_read[level == AIOPS_MSTORE_1H])) == NULL)
		return -1;
	aiops_state_bind_time(s, 1, since);
	while (!stop && (rc = aiops_state_step(st, s)) == 1) {
		b.key = aiops_state_column_str(s, 0);
		b.name = aiops_state_column_str(s, 1);
		b.host = aiops_state_column_str(s, 2);
		b.labels = aiops_state_column_str(s, 3);
		b.unit = aiops_state_column_str(s, 4);
		b.metric_type = aiops_state_column_str(s, 5);
		b.bucket = aiops_state_column_time(s, 6);
		b.count = sqlite3_column_int64(s, 7);
		b.sum = sqlite3_column_double(s, 8);
		b.min = sqlite3_column_double(s, 9);
		b.max = sqlite3_column_double(s, 10);
		b.last = sqlite3_column_double(s, 11);
		stop = fn(arg, &b);
	}
	if (stop) {
		sqlite3_reset(s);
		return stop;
	}
	return rc;
}
