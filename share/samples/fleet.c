/*
 * fleet.c: gensamples --fleet, a production fleet with planted faults.
 *
 *	gensamples --fleet [--seed n] [--hosts n] [--days n] outdir
 *
 * Writes outdir/metrics.lp (Telegraf line protocol, one point a minute),
 * outdir/syslog.log (RFC 3164 as a central rsyslog receives it) and
 * outdir/faults.json (the truth: one JSON object a line per planted
 * fault).  Defaults: seed 1, 8 hosts (lb-1, web-1..3, db-1, db-2,
 * batch-1, cache-1, cluster=prod), 8 days from Sunday 2026-11-01T00:00Z.
 *
 * Beside six faults (a memory leak ending in the OOM killer, a database
 * out of connections and the web tier's 502/504 after it, /var filling
 * up, a runaway process at 100% CPU, I/O errors on a database disk, a
 * flapping NIC) the data has the normal routines that look odd: nightly
 * backups on the databases, a daily batch job at 100% CPU, log rotation
 * at midnight, one deploy, weekend traffic, and short benign blips, some
 * of them near a fault.  None of these is in faults.json.
 *
 * The seed chooses the times and hosts of the faults, the deploy, the
 * batch job and the blips; the files are byte-identical for a seed.
 * Metric values are functions of (seed, host, series, minute) through
 * counter-based noise, plus counters and averages carried minute to
 * minute; the log lines of a fault are drawn from the same schedule the
 * metrics are.
 */

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "samples.h"

#define FT0		INT64_C(1793491200)	/* 2026-11-01T00:00:00Z, Sunday */
#define MINUTE		60
#define MAXHOSTS	FAULT_MAXHOSTS
#define MAXBLIPS	512
#define MAXFLAPS	32
#define NFAULTS		6
#define PG_MAXCONN	100

enum role { R_LB, R_WEB, R_DB, R_BATCH, R_CACHE };

struct fhost {
	char		 name[16];
	enum role	 role;
	int		 ncpu;
	int64_t		 mem_total, root_total, var_total;	/* bytes */
	int64_t		 boot;		/* epoch s */
	double		 mem_base, root_base, var_base;	/* percent */
	char		 ip[16];
	int64_t		 deploy;	/* this host's app restart; 0 none */
};

enum fkind { K_LEAK, K_DBCONN, K_DISKFULL, K_CPU, K_IOERR, K_NIC };

static const char *const kind_name[NFAULTS] = {
	"memory", "db_connections", "disk_full", "cpu", "disk_io", "network"
};

struct ffault {
	enum fkind	 kind;
	int		 host;
	int64_t		 start, end;	/* the truth, epoch s */
	int64_t		 t1, t2;	/* kind's own instants, see plan_fault() */
	double		 x;		/* kind's own size */
	int		 nflaps;
	int64_t		 down[MAXFLAPS], up[MAXFLAPS];	/* NIC, ms */
};

enum bkind { B_CPU, B_NET, B_DISKIO, B_REQ, B_MEM, B_NKIND };

struct blip {
	int		 host;
	enum bkind	 kind;
	int64_t		 start, end;	/* epoch s */
	double		 amp;
};

struct fleet {
	uint64_t	 seed;
	int		 nhosts, days;
	int64_t		 tend;
	struct fhost	 h[MAXHOSTS];
	int		 nweb;
	struct ffault	 f[NFAULTS];
	struct blip	 b[MAXBLIPS];
	int		 nblips;
	int64_t		 deploy_start, deploy_end;
	int		 batch_min;	/* batch job start, minutes after 00:00 */
	int		 backup_min[MAXHOSTS];
};

static struct fleet F;

/* ---------------------------------------------------------------- */
/* Small helpers                                                    */

/* Noise of series s on host h at minute t: same inputs, same number. */
static double
nz(int h, int s, int64_t t)
{
	return gauss(key3(F.seed * UINT64_C(1000003) + (uint64_t)h,
	    (uint64_t)s, (uint64_t)t));
}

/* Uniform [0, 1) of series s on host h at t. */
static double
uz(int h, int s, int64_t t)
{
	return u01(key3(F.seed * UINT64_C(7919) + (uint64_t)h + 0x5eed,
	    (uint64_t)s, (uint64_t)t));
}

static int
wday(int64_t t)		/* 0 = Monday */
{
	struct civil c;

	civil_from_ms(t * 1000, &c);
	return c.wday;
}

static int
weekend(int64_t t)
{
	return wday(t) >= 5;
}

static int
hour_of(int64_t t)
{
	return (int)((t - FT0) % DAY / 3600);
}

/*
 * Business activity in [0.1, 1]: web shop traffic in CET (UTC+1), from
 * morning to late evening; weekend days at about 45% of a weekday.
 */
static double
activity(int64_t t)
{
	struct civil c;
	double hour, s, dayf;

	civil_from_ms((t + 3600) * 1000, &c);
	hour = c.h + c.min / 60.0;
	s = logistic((hour - 8.0) * 1.4) * logistic((21.5 - hour) * 0.9);
	if (c.wday >= 5)
		s *= 0.45;
	dayf = 1.0 + 0.04 * gauss(key3(F.seed, 0xda7, (uint64_t)((t - FT0) /
	    DAY)));
	return (0.1 + 0.9 * s) * dayf;
}

/* ---------------------------------------------------------------- */
/* The fleet                                                        */

/* Roles in the order they are kept when --hosts is small. */
static const struct {
	const char	*name;
	enum role	 role;
} roster[] = {
	{ "web-1", R_WEB }, { "db-1", R_DB }, { "lb-1", R_LB },
	{ "web-2", R_WEB }, { "batch-1", R_BATCH }, { "db-2", R_DB },
	{ "web-3", R_WEB }, { "cache-1", R_CACHE },
};

static void
make_hosts(struct rng *r)
{
	struct fhost *H;
	int i, nroster = (int)(sizeof(roster) / sizeof(roster[0]));

	for (i = 0; i < F.nhosts; i++) {
		H = &F.h[i];
		if (i < nroster) {
			xsnprintf(H->name, sizeof(H->name), "%s",
			    roster[i].name);
			H->role = roster[i].role;
		} else {
			xsnprintf(H->name, sizeof(H->name), "web-%d",
			    i - nroster + 4);
			H->role = R_WEB;
		}
		if (H->role == R_WEB)
			F.nweb++;
		xsnprintf(H->ip, sizeof(H->ip), "10.0.%d.%d",
		    H->role == R_DB ? 2 : 1, 10 + i);
		switch (H->role) {
		case R_LB:
			H->ncpu = 4;
			H->mem_total = 8 * GIB;
			H->mem_base = 22;
			break;
		case R_WEB:
			H->ncpu = 8;
			H->mem_total = 16 * GIB;
			H->mem_base = 38 + 4 * runif(r);
			break;
		case R_DB:
			H->ncpu = 16;
			H->mem_total = 64 * GIB;
			H->mem_base = 70;
			break;
		case R_BATCH:
			H->ncpu = 32;
			H->mem_total = 128 * GIB;
			H->mem_base = 12;
			break;
		case R_CACHE:
			H->ncpu = 8;
			H->mem_total = 32 * GIB;
			H->mem_base = 61;
			break;
		}
		H->root_total = INT64_C(53687091200);	/* 50 GiB */
		H->root_base = 25 + 30 * runif(r);
		H->var_total = H->role == R_LB || H->role == R_WEB ||
		    H->role == R_DB ? INT64_C(42949672960) : 0;	/* 40 GiB */
		H->var_base = 30 + 20 * runif(r);
		H->boot = FT0 - (int64_t)rint_(r, 5, 120) * DAY;
		H->boot -= rint_(r, 0, 86399);
	}
}

static int
pick_host(struct rng *r, int mask)
{
	int c[MAXHOSTS], n = 0, i;

	for (i = 0; i < F.nhosts; i++)
		if (mask & (1 << F.h[i].role))
			c[n++] = i;
	if (n == 0)
		return -1;
	return c[rint_(r, 0, n - 1)];
}

/* ---------------------------------------------------------------- */
/* The schedule: deploy, batch job, backups, faults, blips           */

static void
plan_routines(struct rng *r)
{
	int d, n = 0, i, cand[64];
	int64_t t;

	for (d = 1; d < F.days && n < 64; d++)
		if (wday(FT0 + d * DAY) < 5)
			cand[n++] = d;
	F.deploy_start = 0;
	if (n > 0 && F.nweb > 0) {
		d = cand[rint_(r, 0, n - 1)];
		t = FT0 + d * DAY + 10 * 3600 + rint_(r, 0, 20) * MINUTE;
		F.deploy_start = t;
		for (i = 0; i < F.nhosts; i++) {
			if (F.h[i].role != R_WEB)
				continue;
			F.h[i].deploy = t;
			t += rint_(r, 6, 9) * MINUTE;
		}
		F.deploy_end = t;
	}
	F.batch_min = (int)rint_(r, 60, 240);
	for (i = 0, n = 0; i < F.nhosts; i++)
		if (F.h[i].role == R_DB)
			F.backup_min[i] = 120 + 50 * n++;
}

/* Minutes from start to end of a fault of kind k, its parts drawn. */
static void
plan_fault(struct rng *r, struct ffault *f)
{
	int i;
	int64_t t;

	switch (f->kind) {
	case K_LEAK:		/* t1: OOM kill */
		f->t1 = rint_(r, 90, 240) * MINUTE;
		f->t1 += rint_(r, 0, 59);
		f->end = f->t1 + 10 * MINUTE;
		break;
	case K_DBCONN:		/* t1: at the max; t2: freed */
		f->t1 = rint_(r, 4, 10) * MINUTE;
		f->t2 = f->t1 + rint_(r, 15, 40) * MINUTE;
		f->x = rint_(r, 1, 3) * MINUTE;	/* web tier lag */
		f->end = f->t2 + 3 * MINUTE;
		break;
	case K_DISKFULL:	/* t1: full; t2: cleaned up */
		f->t1 = rint_(r, 30, 120) * MINUTE;
		f->t2 = f->t1 + rint_(r, 10, 30) * MINUTE;
		f->end = f->t2 + 2 * MINUTE;
		break;
	case K_CPU:
		f->end = rint_(r, 30, 60) * MINUTE;
		f->x = 1.1 + 0.5 * runif(r);	/* load per cpu */
		break;
	case K_IOERR:
		f->end = rint_(r, 10, 30) * MINUTE;
		break;
	case K_NIC:
		f->end = rint_(r, 10, 30) * MINUTE;
		for (t = rint_(r, 5, 40) * 1000, i = 0; i < MAXFLAPS &&
		    t < f->end * 1000 - 30000; i++) {
			f->down[i] = t;
			f->up[i] = t + rint_(r, 3000, 40000);
			t = f->up[i] + rint_(r, 30000, 240000);
		}
		f->nflaps = i;
		f->end = f->up[i - 1] / 1000 + 2 * MINUTE;
		break;
	}
}

static int
hosts_of(const struct ffault *f, int h)
{
	if (f->host == h)
		return 1;
	return f->kind == K_DBCONN && F.h[h].role == R_WEB;
}

/* Whether fault f, placed at s, is clear of the others and routines. */
static int
fits(const struct ffault *f, int64_t s, int nplaced, int64_t margin)
{
	int64_t e = s + f->end, a, b, m;
	const struct ffault *g;
	int i, j;

	if (s < FT0 + DAY + 30 * MINUTE || e > F.tend - 60 * MINUTE)
		return 0;
	for (i = 0; i < nplaced; i++) {
		g = &F.f[i];
		if (s < g->end + margin && g->start < e + margin)
			return 0;
	}
	if (F.deploy_start != 0 && s < F.deploy_end + 60 * MINUTE &&
	    F.deploy_start - 60 * MINUTE < e)
		for (j = 0; j < F.nhosts; j++)
			if (hosts_of(f, j) && F.h[j].role == R_WEB)
				return 0;
	/* keep a database's own fault clear of its nightly backup */
	if (F.h[f->host].role == R_DB)
		for (a = floordiv(s - FT0, DAY) - 1; a <= (e - FT0) / DAY; a++) {
			m = FT0 + a * DAY + F.backup_min[f->host] * MINUTE;
			b = m + 40 * MINUTE;
			if (s < b + 30 * MINUTE && m - 30 * MINUTE < e)
				return 0;
		}
	if (F.h[f->host].role == R_BATCH)
		for (a = floordiv(s - FT0, DAY) - 1; a <= (e - FT0) / DAY; a++) {
			m = FT0 + a * DAY + F.batch_min * MINUTE;
			if (s < m + 75 * MINUTE && m - 30 * MINUTE < e)
				return 0;
		}
	return 1;
}

enum { WANT_ANY, WANT_NIGHT, WANT_WEEKEND };

static int
wanted(int64_t s, int want)
{
	switch (want) {
	case WANT_NIGHT:
		return hour_of(s) < 5 && !weekend(s);
	case WANT_WEEKEND:
		return weekend(s) && hour_of(s) >= 7;
	default:
		return 1;
	}
}

/* Place fault i: the wish first, then anywhere, then closer together. */
static void
place(struct rng *r, int i, int want)
{
	struct ffault *f = &F.f[i];
	int64_t span = (F.tend - FT0) / MINUTE, s;
	int pass, tries;

	for (pass = 0; pass < 3; pass++)
		for (tries = 0; tries < 20000; tries++) {
			s = FT0 + rint_(r, 0, (long)span - 1) * MINUTE;
			if (!fits(f, s, i, pass < 2 ? 90 * MINUTE : 20 * MINUTE))
				continue;
			if (pass == 0 && !wanted(s, want))
				continue;
			f->start = s;
			f->end += s;
			f->t1 += s;
			f->t2 += s;
			return;
		}
	die(EX_USAGE, "--fleet: no room for six faults in %d days; "
	    "give more --days", F.days);
}

static void
plan_faults(struct rng *r)
{
	static const int mask[NFAULTS] = {
		[K_LEAK] = 1 << R_WEB,
		[K_DBCONN] = 1 << R_DB,
		[K_DISKFULL] = 1 << R_LB | 1 << R_WEB | 1 << R_DB,
		[K_CPU] = 1 << R_LB | 1 << R_WEB | 1 << R_BATCH | 1 << R_CACHE,
		[K_IOERR] = 1 << R_DB,
		[K_NIC] = 1 << R_LB | 1 << R_WEB,
	};
	int order[NFAULTS], want[NFAULTS], i, j, k, we = 0;
	struct ffault tmp;

	for (i = 0; i < NFAULTS; i++)
		order[i] = i;
	for (i = NFAULTS - 1; i > 0; i--) {
		j = (int)rint_(r, 0, i);
		k = order[i];
		order[i] = order[j];
		order[j] = k;
	}
	for (i = 1; i < F.days; i++)
		we |= weekend(FT0 + i * DAY);
	/* the first two in this order at night, the third at a weekend */
	for (i = 0; i < NFAULTS; i++) {
		want[i] = i < 2 ? WANT_NIGHT : i == 2 && we ? WANT_WEEKEND :
		    WANT_ANY;
		memset(&F.f[i], 0, sizeof(F.f[i]));
		F.f[i].kind = (enum fkind)order[i];
		F.f[i].host = pick_host(r, mask[order[i]]);
		plan_fault(r, &F.f[i]);
	}
	/* the long ones first, where there is most room */
	for (i = 0; i < NFAULTS; i++)
		place(r, i, want[i]);
	/* ids in time order */
	for (i = 1; i < NFAULTS; i++)
		for (j = i; j > 0 && F.f[j].start < F.f[j - 1].start; j--) {
			tmp = F.f[j];
			F.f[j] = F.f[j - 1];
			F.f[j - 1] = tmp;
		}
}

static void
add_blip(int h, enum bkind k, int64_t s, int dur, double amp)
{
	struct blip *b;

	if (F.nblips == MAXBLIPS || h < 0)
		return;
	if (k == B_REQ && F.h[h].role != R_WEB && F.h[h].role != R_LB)
		k = B_NET;
	b = &F.b[F.nblips++];
	b->host = h;
	b->kind = k;
	b->start = s;
	b->end = s + dur * MINUTE;
	b->amp = amp;
}

/*
 * Short benign spikes: about one per host every three days, on random
 * series, a third of them on network counters; and near three of the
 * faults a network burst on some host, as noise that happens to overlap.
 */
static void
plan_blips(struct rng *r)
{
	int i, n = F.nhosts * F.days / 3 + 1, h, dur;
	enum bkind k;
	int64_t s;

	for (i = 0; i < n; i++) {
		h = (int)rint_(r, 0, F.nhosts - 1);
		k = runif(r) < 0.35 ? B_NET : (enum bkind)rint_(r, 0,
		    B_NKIND - 1);
		s = FT0 + rint_(r, 0, F.days * 1440 - 10) * MINUTE;
		dur = (int)rint_(r, 1, 5);
		add_blip(h, k, s, dur, 1.0 + 2.0 * runif(r));
	}
	for (i = 0; i < NFAULTS; i++) {
		if (runif(r) >= 0.5)
			continue;
		h = (int)rint_(r, 0, F.nhosts - 1);
		s = F.f[i].start + rint_(r, -10, 20) * MINUTE;
		dur = (int)rint_(r, 1, 4);
		add_blip(h, B_NET, s, dur, 1.5 + 2.0 * runif(r));
	}
}

static double
blip(int h, enum bkind k, int64_t t)
{
	int i;
	double a = 0;

	for (i = 0; i < F.nblips; i++)
		if (F.b[i].host == h && F.b[i].kind == k &&
		    during(t, F.b[i].start, F.b[i].end))
			a += F.b[i].amp;
	return a;
}

/* ---------------------------------------------------------------- */
/* The metric model                                                 */

enum { S_USER, S_SYS, S_IOW, S_MEM, S_ROOT, S_VAR, S_RD, S_WR, S_IO,
	S_RX, S_TX, S_LOAD, S_REQ, S_ACT, S_BACK, S_COMMIT, S_DROP, S_ERR,
	S_SDB, S_5XX, S_BKP };

struct hm {
	double	user, sys, iow, idle;	/* percent */
	double	mem;			/* used percent */
	double	root, var;		/* used percent */
	double	rd, wr, rdb, wrb, iot;	/* sda, per second; io_time ms/s */
	double	brd, bwr, brdb, bwrb, biot;	/* sdb (databases) */
	double	rx, tx;			/* bytes/s */
	double	err_in, err_out, drop_in;	/* per second */
	double	load;
	double	req, active, e5xx;	/* nginx, per second */
	double	backends, commits;	/* postgresql */
};

/* Seconds of minute [t, t+60) the NIC of fault f is down. */
static double
nic_down(const struct ffault *f, int64_t t)
{
	int64_t a, b, lo = t * 1000, hi = (t + MINUTE) * 1000, ms = 0;
	int i;

	for (i = 0; i < f->nflaps; i++) {
		a = f->start * 1000 + f->down[i];
		b = f->start * 1000 + f->up[i];
		a = a > lo ? a : lo;
		b = b < hi ? b : hi;
		if (b > a)
			ms += b - a;
	}
	return (double)ms / 1000.0;
}

static int
backup_on(int h, int64_t t)
{
	int64_t m = (t - FT0) % DAY / MINUTE;

	return F.h[h].role == R_DB && m >= F.backup_min[h] &&
	    m < F.backup_min[h] + 40;
}

static int
batch_on(int h, int64_t t)
{
	int64_t m = (t - FT0) % DAY / MINUTE;

	return F.h[h].role == R_BATCH && m >= F.batch_min &&
	    m < F.batch_min + 45;
}

static void
base_model(int h, int64_t t, double a, struct hm *o)
{
	const struct fhost *H = &F.h[h];
	double d = (double)(t - FT0) / DAY, webshare;

	memset(o, 0, sizeof(*o));
	webshare = F.nweb > 0 ? 1.0 / F.nweb : 1.0;
	o->root = H->root_base + 0.04 * d + 0.005 * nz(h, S_ROOT, t);
	o->rd = 2 + 3 * a;
	o->wr = 12 + 20 * a;
	o->iot = 6 + 20 * a;
	o->iow = 0.3 + 0.2 * fabs(nz(h, S_IOW, t));
	switch (H->role) {
	case R_LB:
		o->req = (60 + 1400 * a) * (1 + 0.03 * nz(h, S_REQ, t));
		o->user = 2 + 14 * a + 0.6 * nz(h, S_USER, t);
		o->sys = 3 + 10 * a + 0.4 * nz(h, S_SYS, t);
		o->mem = H->mem_base + 2 * a + 0.2 * nz(h, S_MEM, t);
		o->rx = o->req * 19e3;
		o->tx = o->req * 19.5e3;
		o->active = 30 + 0.6 * o->req + 4 * nz(h, S_ACT, t);
		o->e5xx = 0.0005 * o->req;
		break;
	case R_WEB:
		o->req = (60 + 1400 * a) * webshare *
		    (1 + 0.03 * nz(h, S_REQ, t));
		o->user = 4 + 40 * a + 1.2 * nz(h, S_USER, t);
		o->sys = 1.5 + 6 * a + 0.4 * nz(h, S_SYS, t);
		o->mem = H->mem_base + 8 * a + 0.3 * nz(h, S_MEM, t);
		if (H->deploy != 0 && t >= H->deploy)
			o->mem += 6.5;
		o->rx = o->req * 1.3e3 + 40e3 * a;
		o->tx = o->req * 18e3;
		o->active = 5 + 0.15 * o->req + 2 * nz(h, S_ACT, t);
		o->e5xx = 0.0005 * o->req;
		o->wr += 30 * a;
		break;
	case R_DB:
		o->user = 3 + 28 * a + 1.0 * nz(h, S_USER, t);
		o->sys = 2 + 5 * a + 0.3 * nz(h, S_SYS, t);
		o->iow = 0.8 + 2.5 * a + 0.3 * fabs(nz(h, S_IOW, t));
		o->mem = H->mem_base + 5 * a + 0.3 * nz(h, S_MEM, t);
		o->rx = (1e6 + 12e6 * a) * (1 + 0.04 * nz(h, S_RX, t));
		o->tx = o->rx * 1.6;
		o->backends = 12 + 30 * a + 2 * nz(h, S_BACK, t);
		o->commits = (40 + 600 * a) * (1 + 0.05 * nz(h, S_COMMIT, t));
		o->brd = (30 + 200 * a) * (1 + 0.1 * nz(h, S_SDB, t));
		o->bwr = 60 + 300 * a;
		o->brdb = o->brd * 8192 * 2;
		o->bwrb = o->bwr * 8192 * 3;
		o->biot = 40 + 250 * a + 10 * nz(h, S_SDB + 1, t);
		break;
	case R_BATCH:
		o->user = 2 + 3 * a + 0.3 * nz(h, S_USER, t);
		o->sys = 1 + 0.2 * nz(h, S_SYS, t);
		o->mem = H->mem_base + 0.3 * nz(h, S_MEM, t);
		o->rx = (50e3 + 200e3 * a) * (1 + 0.05 * nz(h, S_RX, t));
		o->tx = o->rx * 0.8;
		break;
	case R_CACHE:
		o->user = 3 + 12 * a + 0.5 * nz(h, S_USER, t);
		o->sys = 2 + 8 * a + 0.3 * nz(h, S_SYS, t);
		o->mem = H->mem_base + 0.4 * d + 0.15 * nz(h, S_MEM, t);
		o->rx = (2e6 + 30e6 * a) * (1 + 0.04 * nz(h, S_RX, t));
		o->tx = o->rx * 3.2;
		break;
	}
	if (H->role != R_DB && H->role != R_CACHE) {
		if (o->rx == 0)
			o->rx = 100e3;
	}
	o->rx *= 1 + 0.03 * nz(h, S_RX, t);
	o->tx *= 1 + 0.03 * nz(h, S_TX, t);
	o->rd *= 1 + 0.2 * fabs(nz(h, S_RD, t));
	o->wr *= 1 + 0.1 * nz(h, S_WR, t);
	o->iot *= 1 + 0.1 * nz(h, S_IO, t);
	o->rdb = o->rd * 16384;
	o->wrb = o->wr * 12288;
	/* a dropped packet now and then */
	o->drop_in = 0.004 + 0.012 * uz(h, S_DROP, t);
}

/* Nightly backup, daily batch job, the deploy: normal, if odd. */
static void
routines(int h, int64_t t, struct hm *o)
{
	const struct fhost *H = &F.h[h];
	double u;

	if (backup_on(h, t)) {
		u = uz(h, S_BKP, t);
		o->iow = 15 + 15 * u;
		o->user += 10;
		o->brd += 900;
		o->brdb += 140e6 * (0.9 + 0.2 * u);
		o->biot = 700 + 150 * u;
		o->tx += 90e6 * (0.9 + 0.2 * uz(h, S_BKP + 1, t));
	}
	if (batch_on(h, t)) {
		o->user = 92 + 1.5 * nz(h, S_USER + 100, t);
		o->sys = 5 + 0.5 * nz(h, S_SYS + 100, t);
		o->mem += 25;
		o->wr += 300;
		o->rd += 200;
		o->iot += 150;
		o->rx += 40e6;
	}
	/* the restarted app warms up for two minutes, nginx 502s meanwhile */
	if (H->deploy != 0 && during(t, H->deploy, H->deploy + 2 * MINUTE)) {
		o->user += 15;
		o->e5xx += t == H->deploy ? 4 : 0.5;
	}
}

static void
blips(int h, int64_t t, struct hm *o)
{
	double b;

	if ((b = blip(h, B_CPU, t)) > 0)
		o->user += 15 * b;
	if ((b = blip(h, B_NET, t)) > 0) {
		o->rx *= 1 + b;
		o->tx *= 1 + 0.7 * b;
	}
	if ((b = blip(h, B_DISKIO, t)) > 0) {
		o->rd += 300 * b;
		o->iot += 200 * b;
		o->iow += 3 * b;
	}
	if ((b = blip(h, B_REQ, t)) > 0) {
		o->req *= 1 + 0.5 * b;
		o->user += 5 * b;
	}
	if ((b = blip(h, B_MEM, t)) > 0)
		o->mem += 3 * b;
}

static void
faults(int h, int64_t t, double a, struct hm *o)
{
	const struct ffault *f;
	double x, down;
	int i;

	for (i = 0; i < NFAULTS; i++) {
		f = &F.f[i];
		if (!hosts_of(f, h) || !during(t, f->start, f->end + 30 * MINUTE))
			continue;
		switch (f->kind) {
		case K_LEAK:
			if (t < f->t1) {
				x = (double)(t - f->start) / (f->t1 - f->start);
				o->mem += (97.5 - o->mem) * pow(clamp(x, 0, 1),
				    1.15);
				if (x > 0.85)	/* the GC works hard */
					o->user += 25 * (x - 0.85) / 0.15;
			} else if (t < f->t1 + 10 * MINUTE) {
				o->mem -= 7 * (1 - (double)(t - f->t1) /
				    (10 * MINUTE));
				if (t < f->t1 + MINUTE) {
					o->sys += 12;
					o->e5xx += 6;
				}
			}
			break;
		case K_DBCONN:
			if (F.h[h].role == R_DB && t < f->t2) {
				x = clamp((double)(t - f->start) /
				    (f->t1 - f->start), 0, 1);
				o->backends += (PG_MAXCONN - o->backends) * x;
				o->commits *= 1 - 0.7 * x;
				o->sys += 3 * x;
			} else if (F.h[h].role == R_DB && t < f->end)
				o->backends = 0.5 * (o->backends + PG_MAXCONN);
			else if (F.h[h].role == R_WEB &&
			    during(t, f->t1 + (int64_t)f->x, f->t2 + MINUTE)) {
				x = 0.25 + 0.15 * uz(h, S_5XX, t);
				o->e5xx += o->req * x;
				o->req *= 1 - 0.3 * x;
				o->active += 60 + 20 * uz(h, S_ACT + 50, t);
				o->user *= 0.8;
			}
			break;
		case K_DISKFULL:	/* /var itself: faults_var() */
			if (t < f->t1) {
				o->wr += 400;
				o->wrb += 6e6 * (1 + 0.2 * nz(h, S_WR + 50, t));
				o->iot += 120;
				o->user += 8;
			}
			break;
		case K_CPU:
			if (t < f->end) {
				o->user = 96.5 + 1.0 * nz(h, S_USER + 200, t);
				o->sys = 2.5 + 0.3 * fabs(nz(h, S_SYS + 200, t));
				o->load = F.h[h].ncpu * f->x;
			}
			break;
		case K_IOERR:
			if (t < f->end) {
				o->iow = 24 + 12 * uz(h, S_IOW + 300, t);
				o->biot = 960 + 30 * uz(h, S_SDB + 300, t);
				o->brd *= 0.2;
				o->brdb *= 0.2;
				o->bwr *= 0.3;
				o->bwrb *= 0.3;
				o->load = 12 + 8 * uz(h, S_LOAD + 300, t);
			}
			break;
		case K_NIC:
			if (t < f->end - 2 * MINUTE) {
				down = nic_down(f, t);
				x = (1 - down / MINUTE) * (0.55 + 0.2 *
				    uz(h, S_RX + 400, t));
				o->rx *= x;
				o->tx *= x;
				o->req *= x;
				o->err_in = 20 + 100 * uz(h, S_ERR, t);
				o->err_out = 1 + 4 * uz(h, S_ERR + 1, t);
				o->drop_in = 40 + 200 * uz(h, S_DROP + 400, t);
			}
			break;
		}
	}
	(void)a;
}

/* The runaway log on /var: o->var holds the rotation sawtooth. */
static void
faults_var(int h, int64_t t, struct hm *o)
{
	const struct ffault *f;
	int i;

	for (i = 0; i < NFAULTS; i++) {
		f = &F.f[i];
		if (f->kind != K_DISKFULL || f->host != h)
			continue;
		if (during(t, f->start, f->t1))
			o->var += (100 - o->var) * (double)(t - f->start) /
			    (double)(f->t1 - f->start);
		else if (during(t, f->t1, f->t2))
			o->var = 100;
	}
}

static void
model(int h, int64_t t, double a, struct hm *o)
{
	double busy;

	base_model(h, t, a, o);
	routines(h, t, o);
	blips(h, t, o);
	o->load = -1;
	faults(h, t, a, o);
	o->user = clamp(o->user, 0.3, 98.8);
	o->sys = clamp(o->sys, 0.2, 99.5 - o->user);
	o->iow = clamp(o->iow, 0.0, 99.8 - o->user - o->sys);
	o->idle = 100.0 - o->user - o->sys - o->iow;
	o->mem = clamp(o->mem, 3.0, 98.5);
	if (o->load < 0) {
		busy = (o->user + o->sys + o->iow) / 100.0;
		o->load = F.h[h].ncpu * busy * 1.02;
	}
	o->load += 0.05 * fabs(nz(h, S_LOAD, t));
	o->backends = clamp(o->backends, 1, PG_MAXCONN);
}

/* ---------------------------------------------------------------- */
/* metrics.lp                                                       */

struct hstate {
	double	 l5, l15, varacc;
	int64_t	 rd, wr, rdb, wrb, iot, brd, bwr, brdb, bwrb, biot;
	int64_t	 rx, tx, rxp, txp, ein, eout, din, req, e5xx, commits;
	double	 frac[24];	/* counters' fractional carries */
	struct hm prev;		/* the minute before: what counters add */
};

/* Add rate * 60 to a counter, carrying the fraction so small rates count. */
static void
cnt(int64_t *c, double *carry, double rate)
{
	double v = rate * MINUTE + *carry;
	int64_t n = (int64_t)floor(v);

	*c += n;
	*carry = v - (double)n;
}

static void
counters(struct hstate *s, const struct hm *m)
{
	int k = 0;

	cnt(&s->rd, &s->frac[k++], m->rd);
	cnt(&s->wr, &s->frac[k++], m->wr);
	cnt(&s->rdb, &s->frac[k++], m->rdb);
	cnt(&s->wrb, &s->frac[k++], m->wrb);
	cnt(&s->iot, &s->frac[k++], m->iot);
	cnt(&s->brd, &s->frac[k++], m->brd);
	cnt(&s->bwr, &s->frac[k++], m->bwr);
	cnt(&s->brdb, &s->frac[k++], m->brdb);
	cnt(&s->bwrb, &s->frac[k++], m->bwrb);
	cnt(&s->biot, &s->frac[k++], m->biot);
	cnt(&s->rx, &s->frac[k++], m->rx);
	cnt(&s->tx, &s->frac[k++], m->tx);
	cnt(&s->rxp, &s->frac[k++], m->rx / 870);
	cnt(&s->txp, &s->frac[k++], m->tx / 1210);
	cnt(&s->ein, &s->frac[k++], m->err_in);
	cnt(&s->eout, &s->frac[k++], m->err_out);
	cnt(&s->din, &s->frac[k++], m->drop_in);
	cnt(&s->req, &s->frac[k++], m->req);
	cnt(&s->e5xx, &s->frac[k++], m->e5xx);
	cnt(&s->commits, &s->frac[k++], m->commits);
}

/* Counters as if the host had run since boot at the first minute's rates. */
static void
counters_init(int h, struct hstate *s, const struct hm *m)
{
	double up = (double)(FT0 - F.h[h].boot), f = 0.55;

	memset(s, 0, sizeof(*s));
	s->rd = (int64_t)(m->rd * up * f);
	s->wr = (int64_t)(m->wr * up * f);
	s->rdb = (int64_t)(m->rdb * up * f);
	s->wrb = (int64_t)(m->wrb * up * f);
	s->iot = (int64_t)(m->iot * up * f);
	s->brd = (int64_t)(m->brd * up * f);
	s->bwr = (int64_t)(m->bwr * up * f);
	s->brdb = (int64_t)(m->brdb * up * f);
	s->bwrb = (int64_t)(m->bwrb * up * f);
	s->biot = (int64_t)(m->biot * up * f);
	s->rx = (int64_t)(m->rx * up * f * 3);
	s->tx = (int64_t)(m->tx * up * f * 3);
	s->rxp = s->rx / 870;
	s->txp = s->tx / 1210;
	s->din = (int64_t)(up / 3000);
	s->req = (int64_t)(m->req * up * f * 3);
	s->e5xx = s->req / 2000;
	s->commits = (int64_t)(m->commits * up * f * 3);
	s->l5 = s->l15 = m->load;
}

static void
lp_disk(FILE *f, const struct fhost *H, const char *dev, const char *path,
    int64_t total, double pct, long long ns)
{
	int64_t used = (int64_t)llround((double)total * pct / 100.0);

	fprintf(f, "disk,cluster=prod,device=%s,fstype=ext4,host=%s,mode=rw,"
	    "path=%s free=%lldi,inodes_used=%lldi,used=%lldi,"
	    "used_percent=%.4f %lld\n", dev, H->name, path,
	    (long long)(total - used), (long long)(used / 65536 + 20000),
	    (long long)used, (double)used * 100.0 / (double)total, ns);
}

static void
lp_host(FILE *f, int h, int64_t t, double a, struct hstate *s, int first)
{
	const struct fhost *H = &F.h[h];
	long long ns = (long long)t * 1000000000LL;
	struct hm m;
	int64_t used;
	double var;

	model(h, t, a, &m);
	/* a counter read at t has counted the minute before t */
	if (first)
		counters_init(h, s, &m);
	else
		counters(s, &s->prev);
	s->prev = m;
	s->l5 = s->l5 * 0.8187307530779818 + m.load * (1 - 0.8187307530779818);
	s->l15 = s->l15 * 0.9355069850316178 + m.load *
	    (1 - 0.9355069850316178);

	fprintf(f, "cpu,cluster=prod,cpu=cpu-total,host=%s usage_idle=%.3f,"
	    "usage_iowait=%.3f,usage_system=%.3f,usage_user=%.3f %lld\n",
	    H->name, m.idle, m.iow, m.sys, m.user, ns);
	used = (int64_t)llround((double)H->mem_total * m.mem / 100.0);
	fprintf(f, "mem,cluster=prod,host=%s available=%lldi,"
	    "available_percent=%.4f,total=%lldi,used=%lldi,used_percent=%.4f"
	    " %lld\n", H->name, (long long)(H->mem_total - used),
	    100.0 - (double)used * 100.0 / (double)H->mem_total,
	    (long long)H->mem_total, (long long)used,
	    (double)used * 100.0 / (double)H->mem_total, ns);
	lp_disk(f, H, "sda1", "/", H->root_total, m.root, ns);
	if (H->var_total != 0) {
		/* logs grow with traffic, logrotate cuts them at 00:00 */
		if ((t - FT0) % DAY == 0)
			s->varacc = 0;
		s->varacc += a;
		var = H->var_base + (H->role == R_WEB ? 0.012 : 0.002) *
		    s->varacc + 0.003 * nz(h, S_VAR, t);
		m.var = var;
		faults_var(h, t, &m);
		lp_disk(f, H, "sda3", "/var", H->var_total, m.var, ns);
	}
	fprintf(f, "diskio,cluster=prod,host=%s,name=sda io_time=%lldi,"
	    "read_bytes=%lldi,reads=%lldi,write_bytes=%lldi,writes=%lldi "
	    "%lld\n", H->name, (long long)s->iot, (long long)s->rdb,
	    (long long)s->rd, (long long)s->wrb, (long long)s->wr, ns);
	if (H->role == R_DB)
		fprintf(f, "diskio,cluster=prod,host=%s,name=sdb io_time=%lldi,"
		    "read_bytes=%lldi,reads=%lldi,write_bytes=%lldi,"
		    "writes=%lldi %lld\n", H->name, (long long)s->biot,
		    (long long)s->brdb, (long long)s->brd, (long long)s->bwrb,
		    (long long)s->bwr, ns);
	fprintf(f, "net,cluster=prod,host=%s,interface=eth0 bytes_recv=%lldi,"
	    "bytes_sent=%lldi,drop_in=%lldi,err_in=%lldi,err_out=%lldi,"
	    "packets_recv=%lldi,packets_sent=%lldi %lld\n", H->name,
	    (long long)s->rx, (long long)s->tx, (long long)s->din,
	    (long long)s->ein, (long long)s->eout, (long long)s->rxp,
	    (long long)s->txp, ns);
	fprintf(f, "system,cluster=prod,host=%s load1=%.2f,load15=%.2f,"
	    "load5=%.2f %lld\n", H->name, m.load, s->l15, s->l5, ns);
	fprintf(f, "system,cluster=prod,host=%s uptime=%lldi %lld\n", H->name,
	    (long long)(t - H->boot), ns);
	if (H->role == R_WEB || H->role == R_LB)
		fprintf(f, "nginx,cluster=prod,host=%s,port=80,server=localhost "
		    "active=%lldi,requests=%lldi,responses_5xx=%lldi %lld\n",
		    H->name, (long long)llround(clamp(m.active, 0, 1e9)),
		    (long long)s->req, (long long)s->e5xx, ns);
	if (H->role == R_DB)
		fprintf(f, "postgresql,cluster=prod,db=shop,host=%s,"
		    "server=localhost numbackends=%lldi,xact_commit=%lldi "
		    "%lld\n", H->name, (long long)llround(m.backends),
		    (long long)s->commits, ns);
}

static void
gen_metrics(void)
{
	static struct hstate st[MAXHOSTS];
	static char buf[1 << 20];
	FILE *f = out_open("metrics.lp");
	int64_t t;
	double a;
	int h;

	setvbuf(f, buf, _IOFBF, sizeof(buf));
	for (t = FT0; t < F.tend; t += MINUTE) {
		a = activity(t);
		for (h = 0; h < F.nhosts; h++)
			lp_host(f, h, t, a, &st[h], t == FT0);
	}
	out_close(f, "metrics.lp");
}

/* ---------------------------------------------------------------- */
/* syslog.log                                                       */

struct flog {
	struct lines	 L;
	struct rng	 r;
	int		 pid[MAXHOSTS];
	long		 conn;
	int		 session[MAXHOSTS];
};

static int
newpid(struct flog *S, int h)
{
	S->pid[h] += (int)rint_(&S->r, 1, 37);
	return S->pid[h];
}

/* One RFC 3164 line; pid < 0: no [pid]. */
static void
sl(struct flog *S, int h, int64_t ms, int pri, const char *tag, int pid,
    const char *fmt, ...)
	__attribute__((__format__(__printf__, 7, 8)));

static void
sl(struct flog *S, int h, int64_t ms, int pri, const char *tag, int pid,
    const char *fmt, ...)
{
	char msg[MAXMSG], ts[32], id[32] = "";
	va_list ap;

	va_start(ap, fmt);
	xvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (pid >= 0)
		xsnprintf(id, sizeof(id), "[%d]", pid);
	lines_add(&S->L, ms, "<%d>%s %s %s%s: %s", pri,
	    fmt_ts(ts, sizeof(ts), ms, TS_3164), F.h[h].name, tag, id, msg);
}

/* Kernel ring-buffer stamp "[ 1234.567890]" for host h at ms. */
static const char *
kstamp(char *buf, size_t len, int h, int64_t ms)
{
	int64_t us = (ms - F.h[h].boot * 1000) * 1000 + (ms % 7) * 113;

	xsnprintf(buf, len, "[%5lld.%06lld]", (long long)(us / 1000000),
	    (long long)(us % 1000000));
	return buf;
}

static void
sl_kern(struct flog *S, int h, int64_t ms, int sev, const char *msg)
{
	char k[40];

	sl(S, h, ms, PRI(F_KERN, sev), "kernel", -1, "%s %s",
	    kstamp(k, sizeof(k), h, ms), msg);
}

static void
sl_cron(struct flog *S, int h, int64_t ms, const char *user,
    const char *cmd)
{
	int pid = newpid(S, h);
	int uid = strcmp(user, "root") == 0 ? 0 : 114;

	sl(S, h, ms, PRI(F_AUTHPRIV, L_INFO), "CRON", pid,
	    "pam_unix(cron:session): session opened for user %s(uid=%d) "
	    "by (uid=0)", user, uid);
	sl(S, h, ms + 2, PRI(F_CRON, L_INFO), "CRON", pid, "(%s) CMD (%s)",
	    user, cmd);
	sl(S, h, ms + 40 + rint_(&S->r, 0, 900), PRI(F_AUTHPRIV, L_INFO),
	    "CRON", pid, "pam_unix(cron:session): session closed for user %s",
	    user);
}

static void
sl_unit(struct flog *S, int h, int64_t ms, const char *unit,
    const char *desc, int64_t took)
{
	sl(S, h, ms, PRI(F_DAEMON, L_INFO), "systemd", 1,
	    "Starting %s - %s...", unit, desc);
	sl(S, h, ms + took, PRI(F_DAEMON, L_INFO), "systemd", 1,
	    "%s: Deactivated successfully.", unit);
	sl(S, h, ms + took + 1, PRI(F_DAEMON, L_INFO), "systemd", 1,
	    "Finished %s - %s.", unit, desc);
}

static const struct {
	const char *user, *ip;
	int uid;
} ssh_users[] = {
	{ "alice", "10.8.0.14", 1001 }, { "bob", "10.8.0.22", 1002 },
	{ "deploy", "10.0.0.5", 1003 }, { "carol", "10.8.0.31", 1004 },
};

static const char *const scanner_ips[] = {
	"45.155.205.233", "185.220.101.47", "141.98.11.23", "92.118.39.82",
	"193.32.162.157", "218.92.0.112", "61.177.172.140", "180.101.88.240",
	"198.51.100.133", "192.0.2.66"
};

static void
sl_session(struct flog *S, int h, int64_t ms, int u)
{
	int pid = newpid(S, h), port = (int)rint_(&S->r, 32768, 60999);
	int sess = ++S->session[h];
	int64_t end = ms + rint_(&S->r, 30000, 1500000);

	sl(S, h, ms, PRI(F_AUTH, L_INFO), "sshd", pid, "Accepted publickey for "
	    "%s from %s port %d ssh2: ED25519 SHA256:%08llx", ssh_users[u].user,
	    ssh_users[u].ip, port, (unsigned long long)(rnext(&S->r) >> 32));
	sl(S, h, ms + 20, PRI(F_AUTHPRIV, L_INFO), "sshd", pid,
	    "pam_unix(sshd:session): session opened for user %s(uid=%d) by "
	    "(uid=0)", ssh_users[u].user, ssh_users[u].uid);
	sl(S, h, ms + 31, PRI(F_AUTH, L_INFO), "systemd-logind", 402,
	    "New session %d of user %s.", sess, ssh_users[u].user);
	sl(S, h, end, PRI(F_AUTHPRIV, L_INFO), "sshd", pid,
	    "pam_unix(sshd:session): session closed for user %s",
	    ssh_users[u].user);
	sl(S, h, end + 9, PRI(F_AUTH, L_INFO), "systemd-logind", 402,
	    "Session %d logged out. Waiting for processes to exit.", sess);
}

static void
sl_invalid(struct flog *S, int h, int64_t ms)
{
	static const char *const names[] = { "admin", "test", "oracle",
	    "ubuntu", "postgres", "git", "user", "support", "ftpuser", "pi" };
	const char *u = PICK(&S->r, names);
	const char *ip = PICK(&S->r, scanner_ips);
	int pid = newpid(S, h), port = (int)rint_(&S->r, 1024, 65535);

	sl(S, h, ms, PRI(F_AUTH, L_INFO), "sshd", pid,
	    "Invalid user %s from %s port %d", u, ip, port);
	sl(S, h, ms + rint_(&S->r, 200, 2000), PRI(F_AUTH, L_INFO), "sshd",
	    pid, "Connection closed by invalid user %s %s port %d [preauth]",
	    u, ip, port);
}

static void
sl_nginx(struct flog *S, int h, int64_t ms, const char *lvl, int sev,
    const char *fmt, ...)
	__attribute__((__format__(__printf__, 6, 7)));

static void
sl_nginx(struct flog *S, int h, int64_t ms, const char *lvl, int sev,
    const char *fmt, ...)
{
	char msg[MAXMSG], ts[32];
	va_list ap;
	int worker = 1200 + h * 37 + (int)rint_(&S->r, 0, 7);

	va_start(ap, fmt);
	xvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sl(S, h, ms, PRI(F_LOCAL7, sev), "nginx", -1, "%s [%s] %d#%d: *%ld %s",
	    fmt_ts(ts, sizeof(ts), ms, TS_SLASH), lvl, worker, worker,
	    ++S->conn, msg);
}

static const char *const api_paths[] = {
	"/api/cart", "/api/checkout", "/api/products", "/api/search",
	"/api/orders", "/api/session"
};

static void
sl_upstream(struct flog *S, int h, int64_t ms, int which)
{
	const char *p = PICK(&S->r, api_paths);
	const char *ip = PICK(&S->r, scanner_ips);

	switch (which) {
	case 0:
		sl_nginx(S, h, ms, "error", L_ERR, "upstream timed out (110: "
		    "Connection timed out) while reading response header from "
		    "upstream, client: %s, server: shop.example.com, request: "
		    "\"GET %s HTTP/2.0\", upstream: \"http://127.0.0.1:8080%s\", "
		    "host: \"shop.example.com\"", ip, p, p);
		break;
	case 1:
		sl_nginx(S, h, ms, "error", L_ERR, "upstream prematurely closed "
		    "connection while reading response header from upstream, "
		    "client: %s, server: shop.example.com, request: \"POST %s "
		    "HTTP/2.0\", upstream: \"http://127.0.0.1:8080%s\", host: "
		    "\"shop.example.com\"", ip, p, p);
		break;
	default:
		sl_nginx(S, h, ms, "error", L_ERR, "connect() failed (111: "
		    "Connection refused) while connecting to upstream, client: "
		    "%s, server: shop.example.com, request: \"GET %s HTTP/2.0\", "
		    "upstream: \"http://127.0.0.1:8080%s\", host: "
		    "\"shop.example.com\"", ip, p, p);
		break;
	}
}

/* Every host, every hour: cron, admins, scanners, daily timers. */
static void
sl_background(struct flog *S, int h, int64_t hs)
{
	static const char *const missing[] = { "favicon.ico", "robots.txt",
	    "wp-login.php", ".env", "apple-touch-icon.png" };
	const struct fhost *H = &F.h[h];
	int hour = hour_of(hs), i, n, rm, rc;
	double a = activity(hs + 1800);
	const char *p, *ip;
	int64_t ms;

	sl_cron(S, h, (hs + 17 * 60 + 1) * 1000 + rint_(&S->r, 0, 400),
	    "root", "cd / && run-parts --report /etc/cron.hourly");
	if (hour == 0) {
		ms = hs * 1000 + rint_(&S->r, 0, 900);
		sl_unit(S, h, ms, "logrotate.service", "Rotate log files",
		    rint_(&S->r, 200, 2400));
		if (H->role == R_WEB || H->role == R_LB)
			sl_nginx(S, h, hs * 1000 + 2500, "notice", L_NOTICE,
			    "signal 10 (SIGUSR1) received from %d, reopening "
			    "logs", (int)rint_(&S->r, 3000, 9000));
	}
	if (hour == 6) {
		sl_cron(S, h, (hs + 25 * 60 + 1) * 1000 + rint_(&S->r, 0, 400),
		    "root", "test -x /usr/sbin/anacron || { cd / && run-parts "
		    "--report /etc/cron.daily; }");
		ms = (hs + rint_(&S->r, 0, 3000)) * 1000;
		sl_unit(S, h, ms, "apt-daily.service",
		    "Daily apt download activities", rint_(&S->r, 2000, 9000));
	}
	if (runif(&S->r) < 0.25 * a) {
		ms = rms(&S->r, hs, 3600);
		sl_session(S, h, ms, (int)rint_(&S->r, 0, 3));
	}
	if (H->role == R_LB || H->role == R_WEB) {
		n = (int)rint_(&S->r, 0, H->role == R_LB ? 5 : 2);
		for (i = 0; i < n; i++)
			sl_invalid(S, h, rms(&S->r, hs, 3590));
		n = (int)rint_(&S->r, 0, 2);
		for (i = 0; i < n; i++) {
			p = PICK(&S->r, missing);
			ip = PICK(&S->r, scanner_ips);
			ms = rms(&S->r, hs, 3600);
			sl_nginx(S, h, ms, "error", L_ERR, "open() "
			    "\"/var/www/shop/%s\" failed (2: No such file or "
			    "directory), client: %s, server: shop.example.com, "
			    "request: \"GET /%s HTTP/1.1\", host: "
			    "\"shop.example.com\"", p, ip, p);
		}
	}
	if (H->role == R_LB && runif(&S->r) < 0.08) {
		ms = rms(&S->r, hs, 3600);
		ip = PICK(&S->r, scanner_ips);
		n = (int)rint_(&S->r, 1024, 65535);
		sl(S, h, ms, PRI(F_KERN, L_WARN), "kernel", -1, "[UFW BLOCK] "
		    "IN=eth0 OUT= MAC=52:54:00:12:34:56 SRC=%s DST=%s LEN=40 "
		    "TOS=0x00 PREC=0x00 TTL=242 ID=54321 PROTO=TCP SPT=%d DPT=23 "
		    "WINDOW=1024 RES=0x00 SYN URGP=0", ip, H->ip, n);
	}
	if (H->role == R_DB)
		for (i = 0; i < 4; i++) {
			sl(S, h, (hs + i * 900 + 7) * 1000 + 411,
			    PRI(F_LOCAL0, L_INFO), "postgres", 812,
			    "[%d-1] LOG:  checkpoint starting: time",
			    (int)((hs - FT0) / 900) + i);
			ms = (hs + i * 900 + 277) * 1000 + rint_(&S->r, 0, 999);
			rm = (int)rint_(&S->r, 0, 2);
			rc = (int)rint_(&S->r, 1, 9);
			n = (int)rint_(&S->r, 0, 999);
			sl(S, h, ms, PRI(F_LOCAL0, L_INFO), "postgres", 812,
			    "[%d-1] LOG:  checkpoint complete: wrote %d buffers "
			    "(%.1f%%); 0 WAL file(s) added, %d removed, %d "
			    "recycled; write=269.%03d s", (int)((hs - FT0) / 900) +
			    i, (int)(800 + 9000 * a), (800 + 9000 * a) / 1310.72,
			    rm, rc, n);
		}
	if (H->role == R_CACHE) {
		i = newpid(S, h);
		sl(S, h, (hs + 1800) * 1000 + 12, PRI(F_DAEMON, L_NOTICE),
		    "redis-server", 911, "Background saving started by pid %d",
		    i);
		sl(S, h, (hs + 1800) * 1000 + rint_(&S->r, 4000, 9000),
		    PRI(F_DAEMON, L_NOTICE), "redis-server", i,
		    "DB saved on disk");
		sl(S, h, (hs + 1810) * 1000 + 3, PRI(F_DAEMON, L_NOTICE),
		    "redis-server", 911, "Background saving terminated with "
		    "success");
	}
}

/* Backups, the batch job, the deploy. */
static void
sl_routines(struct flog *S, int h, int64_t hs)
{
	const struct fhost *H = &F.h[h];
	int64_t s, ms;
	int pid;
	double gib;
	long rows;

	if (H->role == R_DB) {
		s = hs - (hs - FT0) % DAY + F.backup_min[h] * MINUTE;
		if (during(s, hs, hs + 3600)) {
			sl_cron(S, h, s * 1000 + 300, "postgres",
			    "/usr/local/bin/pg_backup.sh --stanza=shop");
			pid = newpid(S, h);
			sl(S, h, s * 1000 + 810, PRI(F_LOCAL0, L_INFO),
			    "pg_backup.sh", pid, "starting pg_dump of database "
			    "\"shop\" to /backup/shop-%lld.dump",
			    (long long)((s - FT0) / DAY));
			ms = (s + 40 * MINUTE) * 1000 - rint_(&S->r, 1000, 20000);
			gib = 38 + 4 * runif(&S->r);
			sl(S, h, ms, PRI(F_LOCAL0, L_INFO), "pg_backup.sh", pid,
			    "pg_dump of database \"shop\" completed: %.1f GiB in "
			    "%d s, uploaded to s3://backups/shop/", gib,
			    (int)((ms / 1000 - s)));
		}
	}
	if (H->role == R_BATCH) {
		s = hs - (hs - FT0) % DAY + F.batch_min * MINUTE;
		if (during(s, hs, hs + 3600)) {
			sl_cron(S, h, s * 1000 + 120, "batch",
			    "/opt/batch/bin/nightly-report --all");
			pid = newpid(S, h);
			sl(S, h, s * 1000 + 900, PRI(F_USER, L_INFO),
			    "nightly-report", pid, "run %lld started, 32 workers",
			    (long long)((s - FT0) / DAY));
			ms = (s + 45 * MINUTE) * 1000 - rint_(&S->r, 1000, 30000);
			rows = rint_(&S->r, 1500000, 2500000);
			sl(S, h, ms, PRI(F_USER, L_INFO), "nightly-report", pid,
			    "run %lld finished: %ld rows in %d s",
			    (long long)((s - FT0) / DAY), rows,
			    (int)(ms / 1000 - s));
		}
	}
	if (H->deploy != 0 && during(H->deploy, hs, hs + 3600)) {
		ms = H->deploy * 1000;
		sl_session(S, h, ms - 70000, 2);
		sl(S, h, ms, PRI(F_DAEMON, L_INFO), "systemd", 1,
		    "Stopping shop.service - Shop application...");
		sl(S, h, ms + 2410, PRI(F_DAEMON, L_INFO), "systemd", 1,
		    "shop.service: Deactivated successfully.");
		sl(S, h, ms + 2500, PRI(F_DAEMON, L_INFO), "systemd", 1,
		    "Started shop.service - Shop application.");
		sl_upstream(S, h, ms + 3100, 2);
		sl_upstream(S, h, ms + 9800, 2);
	}
}

static void
sl_oom(struct flog *S, int h, int64_t ms)
{
	char msg[512];
	int jpid = 2000 + (int)rint_(&S->r, 100, 900);

	xsnprintf(msg, sizeof(msg), "java invoked oom-killer: gfp_mask=0x140cca"
	    "(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0");
	sl_kern(S, h, ms, L_WARN, msg);
	xsnprintf(msg, sizeof(msg), "oom-kill:constraint=CONSTRAINT_NONE,"
	    "nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg="
	    "/system.slice/shop.service,task=java,pid=%d,uid=998", jpid);
	sl_kern(S, h, ms + 1, L_INFO, msg);
	xsnprintf(msg, sizeof(msg), "Out of memory: Killed process %d (java) "
	    "total-vm:17123456kB, anon-rss:%ldkB, file-rss:1024kB, "
	    "shmem-rss:0kB, UID:998 pgtables:30112kB oom_score_adj:0", jpid,
	    rint_(&S->r, 14000000, 15000000));
	sl_kern(S, h, ms + 1, L_ERR, msg);
	xsnprintf(msg, sizeof(msg), "oom_reaper: reaped process %d (java), now "
	    "anon-rss:0kB, file-rss:0kB, shmem-rss:0kB", jpid);
	sl_kern(S, h, ms + 212, L_INFO, msg);
	sl(S, h, ms + 390, PRI(F_DAEMON, L_WARN), "systemd", 1,
	    "shop.service: A process of this unit has been killed by the OOM "
	    "killer.");
	sl(S, h, ms + 395, PRI(F_DAEMON, L_NOTICE), "systemd", 1,
	    "shop.service: Main process exited, code=killed, status=9/KILL");
	sl(S, h, ms + 396, PRI(F_DAEMON, L_WARN), "systemd", 1,
	    "shop.service: Failed with result 'oom-kill'.");
	sl_upstream(S, h, ms + 1500, 2);
	sl_upstream(S, h, ms + 4200, 2);
	sl_upstream(S, h, ms + 8800, 2);
	sl(S, h, ms + 10400, PRI(F_DAEMON, L_INFO), "systemd", 1,
	    "shop.service: Scheduled restart job, restart counter is at 1.");
	sl(S, h, ms + 10402, PRI(F_DAEMON, L_INFO), "systemd", 1,
	    "Stopped shop.service - Shop application.");
	sl(S, h, ms + 10410, PRI(F_DAEMON, L_INFO), "systemd", 1,
	    "Started shop.service - Shop application.");
}

static void
sl_dbconn(struct flog *S, const struct ffault *f, int64_t hs)
{
	int64_t t, lo = hs * 1000, hi = (hs + 3600) * 1000;
	int h, pid, ms;
	long xid;

	t = (f->start + 55) * 1000 + 312;
	if (during(t, lo, hi)) {
		pid = newpid(S, f->host);
		xid = rint_(&S->r, 4000000, 9000000);
		ms = (int)rint_(&S->r, 0, 999);
		sl(S, f->host, t, PRI(F_LOCAL0, L_INFO), "postgres", pid,
		    "[3-1] LOG:  process %d still waiting for ShareLock on "
		    "transaction %ld after 1000.%03d ms", pid, xid, ms);
		sl(S, f->host, t + 1, PRI(F_LOCAL0, L_INFO), "postgres", pid,
		    "[3-2] DETAIL:  Process holding the lock: %d. Wait queue: "
		    "%d.", pid - 211, pid);
	}
	for (t = f->t1 * 1000 + 2100; t < f->t2 * 1000;
	    t += rint_(&S->r, 4000, 20000)) {
		if (!during(t, lo, hi))
			continue;
		pid = newpid(S, f->host);
		if (runif(&S->r) < 0.7)
			sl(S, f->host, t, PRI(F_LOCAL0, L_ERR), "postgres", pid,
			    "[1-1] FATAL:  sorry, too many clients already");
		else
			sl(S, f->host, t, PRI(F_LOCAL0, L_ERR), "postgres", pid,
			    "[1-1] FATAL:  remaining connection slots are "
			    "reserved for non-replication superuser connections");
	}
	t = f->t2 * 1000 + 700;
	if (during(t, lo, hi)) {
		sl_session(S, f->host, t - 240000, 0);
		for (h = 0; h < 4; h++)
			sl(S, f->host, t + h * 3, PRI(F_LOCAL0, L_ERR), "postgres",
			    newpid(S, f->host), "[1-1] FATAL:  terminating "
			    "connection due to administrator command");
	}
	for (h = 0; h < F.nhosts; h++) {
		if (F.h[h].role != R_WEB)
			continue;
		for (t = (f->t1 + (int64_t)f->x) * 1000 + rint_(&S->r, 0, 5000);
		    t < (f->t2 + MINUTE) * 1000; t += rint_(&S->r, 3000, 15000))
			if (during(t, lo, hi))
				sl_upstream(S, h, t, runif(&S->r) < 0.75 ? 0 : 1);
	}
}

static void
sl_diskfull(struct flog *S, const struct ffault *f, int64_t hs)
{
	const struct fhost *H = &F.h[f->host];
	int64_t t, lo = hs * 1000, hi = (hs + 3600) * 1000;
	int h = f->host, n;
	const char *ip;

	for (t = f->t1 * 1000 + 800; t < f->t2 * 1000;
	    t += rint_(&S->r, 20000, 90000)) {
		if (!during(t, lo, hi))
			continue;
		if (runif(&S->r) < 0.3)
			sl(S, h, t, PRI(F_SYSLOG, L_ERR), "rsyslogd", -1,
			    "file '/var/log/syslog': write error: No space left "
			    "on device [v8.2302.0 try https://www.rsyslog.com/"
			    "e/2027 ]");
		else if (H->role == R_DB)
			sl(S, h, t, PRI(F_LOCAL0, L_ERR), "postgres",
			    newpid(S, h), "[1-1] LOG:  could not write to log "
			    "file: No space left on device");
		else {
			n = (int)rint_(&S->r, 0, 99999);
			ip = PICK(&S->r, scanner_ips);
			sl_nginx(S, h, t, "crit", L_CRIT, "pwrite() \"/var/lib/"
			    "nginx/body/00000%05d\" failed (28: No space left on "
			    "device), client: %s, server: shop.example.com", n,
			    ip);
		}
	}
	t = f->t2 * 1000 - 2300;
	if (during(t, lo, hi)) {
		sl_session(S, h, t - 300000, 1);
		sl(S, h, t, PRI(F_AUTHPRIV, L_NOTICE), "sudo", -1,
		    "     bob : TTY=pts/0 ; PWD=/home/bob ; USER=root ; "
		    "COMMAND=/usr/bin/truncate -s 0 /var/log/shop/debug.log");
	}
}

static void
sl_ioerr(struct flog *S, const struct ffault *f, int64_t hs)
{
	int64_t t, lo = hs * 1000, hi = (hs + 3600) * 1000;
	unsigned long long sector;
	char msg[512];
	int h = f->host, tag, pid;
	long blk, seg;

	for (t = f->start * 1000 + 1217; t < f->end * 1000;
	    t += rint_(&S->r, 10000, 40000)) {
		if (!during(t, lo, hi))
			continue;
		sector = 1234567890ULL + (unsigned long long)rint_(&S->r, 0,
		    80000000);
		tag = (int)rint_(&S->r, 0, 31);
		xsnprintf(msg, sizeof(msg), "sd 2:0:0:0: [sdb] tag#%d FAILED "
		    "Result: hostbyte=DID_OK driverbyte=DRIVER_OK cmd_age=30s",
		    tag);
		sl_kern(S, h, t, L_ERR, msg);
		xsnprintf(msg, sizeof(msg), "sd 2:0:0:0: [sdb] tag#%d Sense Key "
		    ": Medium Error [current]", tag);
		sl_kern(S, h, t, L_WARN, msg);
		xsnprintf(msg, sizeof(msg), "blk_update_request: I/O error, dev "
		    "sdb, sector %llu op 0x0:(READ) flags 0x80700 phys_seg 1 "
		    "prio class 0", sector);
		sl_kern(S, h, t + 1, L_ERR, msg);
		xsnprintf(msg, sizeof(msg), "Buffer I/O error on dev sdb1, "
		    "logical block %llu, async page read", sector / 8 - 256);
		sl_kern(S, h, t + 1, L_ERR, msg);
		if (runif(&S->r) < 0.5) {
			pid = newpid(S, h);
			blk = rint_(&S->r, 1000, 99999);
			seg = rint_(&S->r, 1, 40);
			sl(S, h, t + 40, PRI(F_LOCAL0, L_ERR), "postgres", pid,
			    "[1-1] ERROR:  could not read block %ld in file "
			    "\"base/16384/24601.%ld\": Input/output error",
			    blk, seg);
		}
	}
	t = (f->end + 300) * 1000 + 52;
	if (during(t, lo, hi))
		sl(S, h, t, PRI(F_DAEMON, L_CRIT), "smartd", 611, "Device: "
		    "/dev/sdb [SAT], %ld Currently unreadable (pending) sectors",
		    rint_(&S->r, 8, 64));
}

static void
sl_nic(struct flog *S, const struct ffault *f, int64_t hs)
{
	int64_t t, lo = hs * 1000, hi = (hs + 3600) * 1000;
	int i, h = f->host;

	for (i = 0; i < f->nflaps; i++) {
		t = f->start * 1000 + f->down[i];
		if (during(t, lo, hi)) {
			sl_kern(S, h, t, L_ERR, "e1000e 0000:00:1f.6 eth0: NIC "
			    "Link is Down");
			sl(S, h, t + 4, PRI(F_DAEMON, L_INFO), "systemd-networkd",
			    388, "eth0: Lost carrier");
		}
		t = f->start * 1000 + f->up[i];
		if (during(t, lo, hi)) {
			sl_kern(S, h, t, L_INFO, runif(&S->r) < 0.3 ?
			    "e1000e 0000:00:1f.6 eth0: NIC Link is Up 100 Mbps "
			    "Full Duplex, Flow Control: None" :
			    "e1000e 0000:00:1f.6 eth0: NIC Link is Up 1000 Mbps "
			    "Full Duplex, Flow Control: Rx/Tx");
			sl(S, h, t + 5, PRI(F_DAEMON, L_INFO), "systemd-networkd",
			    388, "eth0: Gained carrier");
		}
	}
}

static void
sl_faults(struct flog *S, int64_t hs)
{
	const struct ffault *f;
	int i;

	for (i = 0; i < NFAULTS; i++) {
		f = &F.f[i];
		if (f->start > hs + 3600 || f->end + 3600 < hs)
			continue;
		switch (f->kind) {
		case K_LEAK:
			if (during(f->t1, hs, hs + 3600))
				sl_oom(S, f->host, f->t1 * 1000 + 88);
			break;
		case K_DBCONN:
			sl_dbconn(S, f, hs);
			break;
		case K_DISKFULL:
			sl_diskfull(S, f, hs);
			break;
		case K_CPU:
			if (during(f->end - 40, hs, hs + 3600)) {
				sl_session(S, f->host, (f->end - 300) * 1000 + 77, 1);
				sl(S, f->host, (f->end - 40) * 1000 + 5,
				    PRI(F_AUTHPRIV, L_NOTICE), "sudo", -1,
				    "     bob : TTY=pts/1 ; PWD=/home/bob ; "
				    "USER=root ; COMMAND=/usr/bin/kill -9 %ld",
				    rint_(&S->r, 40000, 90000));
			}
			break;
		case K_IOERR:
			sl_ioerr(S, f, hs);
			break;
		case K_NIC:
			sl_nic(S, f, hs);
			break;
		}
	}
}

static void
gen_syslog(void)
{
	static char buf[1 << 20];
	FILE *f = out_open("syslog.log");
	struct flog S;
	int64_t hs;
	int h;

	setvbuf(f, buf, _IOFBF, sizeof(buf));
	memset(&S, 0, sizeof(S));
	S.r.s = key3(F.seed, 3164, 0);
	for (h = 0; h < F.nhosts; h++)
		S.pid[h] = 20000 + 7919 * h;
	for (hs = FT0; hs < F.tend; hs += 3600) {
		for (h = 0; h < F.nhosts; h++) {
			sl_background(&S, h, hs);
			sl_routines(&S, h, hs);
		}
		sl_faults(&S, hs);
		lines_flush(&S.L, f, hs * 1000);
	}
	/* lines after the end (a session still open) are left out */
	lines_flush(&S.L, f, F.tend * 1000);
	for (h = 0; h < (int)S.L.n; h++)
		free(S.L.v[h].s);
	free(S.L.v);
	out_close(f, "syslog.log");
}

/* ---------------------------------------------------------------- */
/* faults.json                                                      */

static const char *const sigs[NFAULTS][16] = {
	[K_LEAK] = { "mem_used_percent", "mem_used", "mem_available_percent",
	    "mem_available", "Out of memory", "oom-kill", "oom_reaper:",
	    "killed by the OOM killer", NULL },
	[K_DBCONN] = { "postgresql_numbackends", "postgresql_xact_commit",
	    "too many clients", "remaining connection slots",
	    "still waiting for ShareLock", NULL },
	[K_DISKFULL] = { "disk_used_percent", "disk_used", "disk_free",
	    "disk_inodes_used", "diskio_write_bytes", "diskio_writes",
	    "No space left on device", NULL },
	[K_CPU] = { "cpu_usage_user", "cpu_usage_idle", "cpu_usage_system",
	    "system_load1", "system_load5", "system_load15", NULL },
	[K_IOERR] = { "cpu_usage_iowait", "diskio_io_time", "I/O error",
	    "Buffer I/O error", "blk_update_request:", "Medium Error",
	    "Input/output error", NULL },
	[K_NIC] = { "net_err_in", "net_err_out", "net_drop_in",
	    "net_bytes_recv", "net_bytes_sent", "net_packets_recv",
	    "net_packets_sent", "Link is Down", "Link is Up", "Lost carrier",
	    NULL },
};

static const char *const titles[NFAULTS] = {
	[K_LEAK] = "memory leak, app killed by the OOM killer",
	[K_DBCONN] = "database out of connections, web tier 502/504",
	[K_DISKFULL] = "/var full (runaway log), No space left on device",
	[K_CPU] = "runaway process at 100% CPU",
	[K_IOERR] = "I/O errors on sdb",
	[K_NIC] = "eth0 link flapping, input errors and drops",
};

static void
gen_faults(void)
{
	FILE *out = out_open("faults.json");
	const struct ffault *f;
	struct fault w;
	int i, h;

	for (i = 0; i < NFAULTS; i++) {
		f = &F.f[i];
		memset(&w, 0, sizeof(w));
		w.kind = kind_name[f->kind];
		w.hosts[w.nhosts++] = F.h[f->host].name;
		for (h = 0; h < F.nhosts; h++)
			if (h != f->host && hosts_of(f, h))
				w.hosts[w.nhosts++] = F.h[h].name;
		w.cause = F.h[f->host].name;
		w.start = f->start;
		w.end = f->end;
		w.signals = sigs[f->kind];
		xsnprintf(w.title, sizeof(w.title), "%s: %s", w.cause,
		    titles[f->kind]);
		fault_write(out, i + 1, &w);
	}
	out_close(out, "faults.json");
}

/* ---------------------------------------------------------------- */

static int
num(const char *s, const char *what, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		die(EX_USAGE, "--fleet: %s: %s: not a number in %ld..%ld",
		    what, s, lo, hi);
	return (int)v;
}

static void
schedule_report(void)
{
	char a[40], b[40];
	int i;

	for (i = 0; i < NFAULTS; i++)
		fprintf(stderr, "f%d %-14s %-8s %s .. %s\n", i + 1,
		    kind_name[F.f[i].kind], F.h[F.f[i].host].name,
		    fmt_ts(a, sizeof(a), F.f[i].start * 1000, TS_ISO_S),
		    fmt_ts(b, sizeof(b), F.f[i].end * 1000, TS_ISO_S));
	if (F.deploy_start != 0)
		fprintf(stderr, "deploy            %s .. %s\n",
		    fmt_ts(a, sizeof(a), F.deploy_start * 1000, TS_ISO_S),
		    fmt_ts(b, sizeof(b), F.deploy_end * 1000, TS_ISO_S));
	fprintf(stderr, "batch job daily at %02d:%02d, %d blips\n",
	    F.batch_min / 60, F.batch_min % 60, F.nblips);
}

int
fleet_main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "days", required_argument, NULL, 'd' },
		{ "hosts", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	struct stat sb;
	struct rng r;
	int c, verbose = 0;

	F.seed = 1;
	F.nhosts = 8;
	F.days = 8;
	while ((c = getopt_long(argc, argv, "v", longopts, NULL)) != -1)
		switch (c) {
		case 'd':
			F.days = num(optarg, "--days", 2, 366);
			break;
		case 'n':
			F.nhosts = num(optarg, "--hosts", 2, MAXHOSTS);
			break;
		case 's':
			F.seed = (uint64_t)num(optarg, "--seed", 0, INT_MAX);
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			fputs("usage: gensamples --fleet [-v] [--seed n] "
			    "[--hosts n] [--days n] outdir\n", stderr);
			return EX_USAGE;
		}
	if (argc - optind != 1) {
		fputs("usage: gensamples --fleet [-v] [--seed n] [--hosts n] "
		    "[--days n] outdir\n", stderr);
		return EX_USAGE;
	}
	outdir = argv[optind];
	if (mkdir(outdir, 0777) != 0 && errno != EEXIST)
		die(EX_CANTCREAT, "%s: %s", outdir, strerror(errno));
	if (stat(outdir, &sb) != 0 || !S_ISDIR(sb.st_mode))
		die(EX_CANTCREAT, "%s: not a directory", outdir);
	if (days_from_civil(2026, 11, 1) * DAY != FT0)
		die(EX_SOFTWARE, "internal: calendar is wrong");
	F.tend = FT0 + F.days * DAY;

	r.s = key3(F.seed, 0xf1ee7, 0);
	make_hosts(&r);
	plan_routines(&r);
	plan_faults(&r);
	plan_blips(&r);
	if (verbose)
		schedule_report();
	gen_metrics();
	gen_syslog();
	gen_faults();
	return 0;
}
