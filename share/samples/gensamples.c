/*
 * gensamples: write the bundled aiops sample data set into a directory.
 *
 *	gensamples [-v] OUTDIR
 *	gensamples --fleet [-v] [--seed N] [--hosts N] [--days N] OUTDIR
 *
 * The second form writes a larger fleet with seeded planted faults for
 * bench/incidents: see fleet.c.  Both write OUTDIR/faults.json, the truth
 * of their planted faults, one JSON object a line (bench/incidents/README).
 *
 * One week, 2026-11-15T00:00:00Z to 2026-11-22T00:00:00Z, of a small fleet:
 * web-1, web-2 and db-1 in cluster "prod-eu", gpu-1 (4 GPUs) in "gpu-lab",
 * in the native formats aiops-ingest reads (aiops(7)): metrics.lp,
 * node.prom, node.om, gpu.csv, gpu-nounits.csv, syslog.log,
 * syslog5424.log, app.ndjson, app.log, alerts.ndjson,
 * redfish-thermal.json, redfish-power.json, sensors.csv, and
 * faults.json.  The incidents are fixed in the timeline below; -v prints
 * the alert episodes derived from them on stderr.
 *
 * Output is byte-identical across runs and machines: no rand(), no
 * locale, no time(), no gmtime(); every number is printed with an
 * explicit precision.  Metric values are pure functions of (host, series,
 * time) through counter-based noise, so the alert payloads and the log
 * bursts are derived from the very values the metrics show.
 */

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "samples.h"


#define STEP		300		/* metric interval, seconds */
#define T0		INT64_C(1794700800)	/* 2026-11-15T00:00:00Z, Sunday */
#define TEND		(T0 + 7 * DAY)		/* 2026-11-22T00:00:00Z */
#define AT(d, h, m, s)	(T0 + (d) * DAY + (h) * 3600 + (m) * 60 + (s))

/*
 * The timeline.  Day d is 2026-11-(15+d), UTC; d = 0 and d = 6 are the
 * weekend.  tests/ rely on these instants: change them with the tests.
 */
#define SSH_BURST	AT(1, 2, 0, 0)	/* web-1 sshd brute force, 20 min */
#define SSH_BURST_END	AT(1, 2, 20, 0)
#define LEAK_START	AT(2, 8, 0, 0)	/* web-1 inventory 2.14.0 deployed */
#define OOM_T		AT(4, 7, 32, 41)	/* web-1 OOM killer, restart */
#define REBOOT_T	AT(4, 7, 48, 30)	/* web-1 rebooted by alice */
#define BOOT_T		(REBOOT_T + 27)	/* web-1 kernel starts again */
#define CPU_START	AT(5, 14, 0, 0)	/* web-2 CPU saturated */
#define CPU_END		AT(5, 14, 40, 0)
#define IOERR_START	AT(6, 3, 10, 0)	/* db-1 sdb medium errors */
#define IOERR_END	AT(6, 3, 25, 0)
#define FAN_FAIL	AT(6, 10, 0, 0)	/* gpu-1 chassis fan 3 stops */
#define FAN_FIX		AT(6, 13, 0, 0)	/* fan reseated */
#define GPU_HOT		2		/* the GPU behind fan 3 */
#define REDFISH_T	AT(6, 12, 0, 0)	/* BMC snapshot, fan 3 down */
#define PROM_MS		((TEND - 15) * 1000 + 123)	/* db-1 scrape */

/* ---------------------------------------------------------------- */
/* Errors and output files                                          */

const char *outdir;

void
die(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("gensamples: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

/* vsnprintf that treats truncation as a bug. */
void
xvsnprintf(char *buf, size_t len, const char *fmt, va_list ap)
{
	int n;

	n = vsnprintf(buf, len, fmt, ap);
	if (n < 0 || (size_t)n >= len)
		die(EX_SOFTWARE, "internal: formatted string truncated");
}

void
xsnprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xvsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (p == NULL)
		die(EX_SOFTWARE, "out of memory");
	return p;
}

FILE *
out_open(const char *name)
{
	char path[4096];
	FILE *f;

	xsnprintf(path, sizeof(path), "%s/%s", outdir, name);
	f = fopen(path, "w");
	if (f == NULL)
		die(EX_CANTCREAT, "%s: %s", path, strerror(errno));
	return f;
}

void
out_close(FILE *f, const char *name)
{
	if (ferror(f) || fclose(f) != 0)
		die(EX_IOERR, "%s/%s: write error", outdir, name);
}

/* ---------------------------------------------------------------- */
/* Growable string                                                  */


void
sb_addf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s == NULL ? NULL : b->s + b->len,
		    b->s == NULL ? 0 : b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			die(EX_SOFTWARE, "internal: vsnprintf failed");
		if (b->s != NULL && (size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		b->cap = (b->cap + (size_t)n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
		if (b->len == 0)
			b->s[0] = '\0';
	}
}

/* Append s as a JSON string (RFC 8259), quotes included. */
void
sb_json(struct sbuf *b, const char *s)
{
	const unsigned char *p;

	sb_addf(b, "\"");
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			sb_addf(b, "\\%c", *p);
		else if (*p == '\n')
			sb_addf(b, "\\n");
		else if (*p == '\t')
			sb_addf(b, "\\t");
		else if (*p < 0x20)
			sb_addf(b, "\\u%04x", *p);
		else
			sb_addf(b, "%c", *p);
	}
	sb_addf(b, "\"");
}

/* ---------------------------------------------------------------- */
/* Lines sorted by time before they are written                     */



void
lines_add(struct lines *L, int64_t key, const char *fmt, ...)
{
	char buf[MAXMSG * 4];
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	xvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (L->n == L->cap) {
		L->cap = L->cap ? L->cap * 2 : 256;
		L->v = xrealloc(L->v, L->cap * sizeof(L->v[0]));
	}
	len = strlen(buf) + 1;
	L->v[L->n].key = key;
	L->v[L->n].seq = L->seq++;
	L->v[L->n].s = memcpy(xrealloc(NULL, len), buf, len);
	L->n++;
}

static int
line_cmp(const void *a, const void *b)
{
	const struct line *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Write, in time order, the lines before limit (ms); keep the others. */
void
lines_flush(struct lines *L, FILE *f, int64_t limit)
{
	size_t i, k = 0;

	qsort(L->v, L->n, sizeof(L->v[0]), line_cmp);
	for (i = 0; i < L->n; i++) {
		if (L->v[i].key < limit) {
			fputs(L->v[i].s, f);
			fputc('\n', f);
			free(L->v[i].s);
		} else
			L->v[k++] = L->v[i];
	}
	L->n = k;
}

/* ---------------------------------------------------------------- */
/* Calendar, without gmtime(3)                                      */


static const char *const monthabbr[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

int64_t
floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if (a % b != 0 && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = floordiv(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
civil_from_ms(int64_t ms, struct civil *c)
{
	int64_t secs, days, rem, z, era, doe, yoe, doy, mp, y;

	secs = floordiv(ms, 1000);
	days = floordiv(secs, DAY);
	rem = secs - days * DAY;
	c->ms = (int)(ms - secs * 1000);
	c->h = (int)(rem / 3600);
	c->min = (int)(rem / 60 % 60);
	c->s = (int)(rem % 60);
	c->wday = (int)((days % 7 + 7 + 3) % 7);
	z = days + 719468;
	era = floordiv(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	c->d = (int)(doy - (153 * mp + 2) / 5 + 1);
	c->mon = (int)(mp < 10 ? mp + 3 : mp - 9);
	c->y = (int)(y + (c->mon <= 2));
}


const char *
fmt_ts(char *buf, size_t len, int64_t ms, enum tsfmt how)
{
	struct civil c;
	char frac[8];

	civil_from_ms(ms, &c);
	switch (how) {
	case TS_RFC3339:
		xsnprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
		    c.y, c.mon, c.d, c.h, c.min, c.s, c.ms);
		break;
	case TS_GO:
		frac[0] = '\0';
		if (c.ms % 100 == 0 && c.ms != 0)
			xsnprintf(frac, sizeof(frac), ".%d", c.ms / 100);
		else if (c.ms % 10 == 0 && c.ms != 0)
			xsnprintf(frac, sizeof(frac), ".%02d", c.ms / 10);
		else if (c.ms != 0)
			xsnprintf(frac, sizeof(frac), ".%03d", c.ms);
		xsnprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d%sZ",
		    c.y, c.mon, c.d, c.h, c.min, c.s, frac);
		break;
	case TS_ISO_S:
		xsnprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ",
		    c.y, c.mon, c.d, c.h, c.min, c.s);
		break;
	case TS_3164:
		xsnprintf(buf, len, "%s %2d %02d:%02d:%02d",
		    monthabbr[c.mon - 1], c.d, c.h, c.min, c.s);
		break;
	case TS_LOG4J:
		xsnprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%02d,%03d",
		    c.y, c.mon, c.d, c.h, c.min, c.s, c.ms);
		break;
	case TS_SLASH_MS:
		xsnprintf(buf, len, "%04d/%02d/%02d %02d:%02d:%02d.%03d",
		    c.y, c.mon, c.d, c.h, c.min, c.s, c.ms);
		break;
	case TS_SLASH:
		xsnprintf(buf, len, "%04d/%02d/%02d %02d:%02d:%02d",
		    c.y, c.mon, c.d, c.h, c.min, c.s);
		break;
	}
	return buf;
}

/* ---------------------------------------------------------------- */
/* Randomness: splitmix64, counter-based and sequential             */

uint64_t
mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}


uint64_t
key3(uint64_t a, uint64_t b, uint64_t c)
{
	return mix(mix(mix(a + GOLDEN) ^ (b + GOLDEN)) ^ (c + GOLDEN));
}

double
u01(uint64_t x)
{
	return (double)(x >> 11) * 0x1.0p-53;
}

/* Standard normal deviate from one key (Box-Muller). */
double
gauss(uint64_t k)
{
	double u1, u2;

	u1 = (double)((mix(k) >> 11) + 1) * 0x1.0p-53;
	u2 = u01(mix(k ^ UINT64_C(0xa5a5a5a5a5a5a5a5)));
	return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* Noise of series s on host h at time t: same inputs, same number. */
static double
nz(int h, int s, int64_t t)
{
	return gauss(key3((uint64_t)h, (uint64_t)s, (uint64_t)t));
}


uint64_t
rnext(struct rng *r)
{
	r->s += GOLDEN;
	return mix(r->s);
}

double
runif(struct rng *r)
{
	return u01(rnext(r));
}

static int i64_cmp(const void *, const void *);

/* n sorted random instants in [s, s + span) seconds, so pids grow. */
static void
rms_sorted(struct rng *r, int64_t s, long span, int64_t *v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		v[i] = rms(r, s, span);
	qsort(v, (size_t)n, sizeof(v[0]), i64_cmp);
}

/* Uniform integer in [lo, hi]. */
long
rint_(struct rng *r, long lo, long hi)
{
	return lo + (long)(rnext(r) % (uint64_t)(hi - lo + 1));
}

static int
i64_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* A random instant in [s, s + span) seconds, in milliseconds. */
int64_t
rms(struct rng *r, int64_t s, long span)
{
	int64_t sec = rint_(r, 0, span - 1);

	return (s + sec) * 1000 + rint_(r, 0, 999);
}


/*
 * C leaves the order of evaluation of function arguments unspecified:
 * never draw twice from one rng in one expression, or gcc and clang
 * write different files.
 */

/* ---------------------------------------------------------------- */
/* The fleet and its metric model                                   */

enum { WEB1, WEB2, DB1, GPU1, NHOST };

static const struct host {
	const char	*name, *cluster, *ip;
	int		 ncpu;
	int64_t		 mem_total;	/* bytes */
	int64_t		 root_total;	/* bytes, / */
	int64_t		 boot;		/* epoch s of the boot before T0 */
} hosts[NHOST] = {
	{ "web-1", "prod-eu", "10.0.1.11", 8, 16 * GIB,
	  INT64_C(107317563392), T0 - 23 * DAY - 4321 },
	{ "web-2", "prod-eu", "10.0.1.12", 8, 16 * GIB,
	  INT64_C(107317563392), T0 - 41 * DAY - 777 },
	{ "db-1", "prod-eu", "10.0.1.20", 16, 64 * GIB,
	  INT64_C(52521566208), T0 - 97 * DAY - 16000 },
	{ "gpu-1", "gpu-lab", "10.2.0.31", 64, 512 * GIB,
	  INT64_C(1967317549056), T0 - 12 * DAY - 3000 },
};

#define DATA_TOTAL	INT64_C(1099511627776)	/* db-1 sdb1, 1 TiB */
#define NAS_TOTAL	INT64_C(10995116277760)	/* gpu-1 NFS, 10 TiB */

/* noise series ids */
enum { S_USER, S_SYS, S_IOW, S_MEM, S_ROOT, S_DATA, S_RX, S_LOAD,
	S_GUTIL, S_GMEM, S_GTEMP, S_GPOW, S_ROOM };

struct hs {
	double	user, sys, iow, idle;	/* percent */
	double	mem;			/* used_percent */
	double	root, data;		/* used_percent of / and data disk */
	double	rx;			/* bytes/s received */
	double	load;			/* instantaneous run queue */
};

struct gs {
	int	util, umem, mem_used, temp, ecc;
	double	power;
};

double
clamp(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

int
during(int64_t t, int64_t a, int64_t b)
{
	return t >= a && t < b;
}

double
logistic(double x)
{
	return 1.0 / (1.0 + exp(-x));
}

/*
 * Business activity in [0.08, 1]: office hours in CET (UTC+1), weekday
 * peak, weekend at a third.
 */
static double
activity(int64_t t)
{
	struct civil c;
	double hour, s;

	civil_from_ms((t + 3600) * 1000, &c);
	hour = c.h + c.min / 60.0 + c.s / 3600.0;
	s = logistic((hour - 8.5) * 1.6) * logistic((18.5 - hour) * 1.3);
	if (c.wday >= 5)
		s *= 0.35;
	return 0.08 + 0.92 * s;
}

static int64_t
boot_time(int h, int64_t t)
{
	if (h == WEB1 && t >= BOOT_T)
		return BOOT_T;
	return hosts[h].boot;
}

/* web-1 inventory heap leak, percent of RAM, until the OOM kill. */
static double
leak(int64_t t)
{
	if (!during(t, LEAK_START, OOM_T))
		return 0;
	return 50.0 * (double)(t - LEAK_START) / (double)(OOM_T - LEAK_START);
}

/* Whether GPU g runs a training job at t; *mib its memory. */
static int
gpu_job(int g, int64_t t, int *mib)
{
	struct civil c;
	uint64_t k;
	int on;

	k = key3(0x6a0b, (uint64_t)g, (uint64_t)floordiv(t - T0, 7200));
	civil_from_ms(t * 1000, &c);
	on = (int)(k % 10) < (c.wday >= 5 ? 5 : 7);
	if (g == GPU_HOT && during(t, AT(6, 8, 0, 0), AT(6, 16, 0, 0)))
		on = 1;
	if (mib != NULL)
		*mib = on ? 18000 + (int)((k >> 20) % 60000) : 4;
	return on;
}

/* Degrees added to GPU g by the failed fan. */
static double
fan_heat(int g, int64_t t)
{
	double x;

	if (!during(t, FAN_FAIL, FAN_FIX + 1800))
		return 0;
	if (t < FAN_FIX)
		x = clamp((double)(t - FAN_FAIL) / 2700.0, 0, 1);
	else
		x = 1.0 - (double)(t - FAN_FIX) / 1800.0;
	return (g == GPU_HOT ? 27.0 : g == 3 ? 4.0 : 1.0) * x;
}

static void
gpu_model(int g, int64_t t, struct gs *o)
{
	int on, mib;
	double u, temp;

	on = gpu_job(g, t, &mib);
	u = on ? clamp(92.0 + 3.0 * nz(GPU1, S_GUTIL + 16 * g, t), 60, 100)
	    : clamp(0.4 + 0.8 * nz(GPU1, S_GUTIL + 16 * g, t), 0, 3);
	o->util = (int)lround(u);
	o->umem = on ? (int)lround(clamp(0.55 * u +
	    2.0 * nz(GPU1, S_GMEM + 16 * g, t), 0, 100)) : 0;
	o->mem_used = on ? mib + (int)lround(40.0 *
	    nz(GPU1, S_GMEM + 16 * g, t)) : mib;
	temp = 30.0 + 0.36 * u + 0.7 * nz(GPU1, S_GTEMP + 16 * g, t) +
	    fan_heat(g, t);
	o->temp = (int)lround(temp);
	o->power = 56.0 + 3.2 * u + 4.0 * nz(GPU1, S_GPOW + 16 * g, t);
	if (o->temp >= 88)	/* HW slowdown */
		o->power *= 0.62;
	o->ecc = 0;
}

static int
gpu_jobs(int64_t t)
{
	int g, n = 0;

	for (g = 0; g < 4; g++)
		n += gpu_job(g, t, NULL);
	return n;
}

static void
host_model(int h, int64_t t, struct hs *o)
{
	double a = activity(t), d = (double)(t - T0) / (double)DAY, busy;
	int jobs;

	switch (h) {
	case WEB1:
	case WEB2:
		o->user = 6.0 + 42.0 * a + 2.0 * nz(h, S_USER, t);
		o->sys = 1.5 + 6.0 * a + 0.5 * nz(h, S_SYS, t);
		o->iow = 0.3 + 0.3 * fabs(nz(h, S_IOW, t));
		if (h == WEB2 && during(t, CPU_START, CPU_END)) {
			o->user = 94.0 + 1.2 * nz(h, S_USER, t);
			o->sys = 3.6 + 0.4 * nz(h, S_SYS, t);
			o->iow = 0.2;
		}
		o->mem = 38.0 + 12.0 * a + 0.35 * nz(h, S_MEM, t);
		if (h == WEB1)
			o->mem += leak(t);
		o->root = (h == WEB1 ? 33.5 : 41.2) + 0.05 * d +
		    0.01 * nz(h, S_ROOT, t);
		o->data = 0;
		o->rx = (250e3 + 2.2e6 * a) * (1.0 + 0.05 * nz(h, S_RX, t));
		break;
	case DB1:
		o->user = 4.0 + 22.0 * a + 1.5 * nz(h, S_USER, t);
		o->sys = 2.0 + 4.0 * a + 0.4 * nz(h, S_SYS, t);
		o->iow = 1.5 + 3.0 * a + 0.5 * fabs(nz(h, S_IOW, t));
		if (during(t, CPU_START, CPU_END))	/* connection storm */
			o->sys += 9.0;
		if (during(t, IOERR_START, IOERR_END))
			o->iow = 27.0 + 3.0 * nz(h, S_IOW, t);
		o->mem = 71.0 + 4.0 * a + 0.4 * nz(h, S_MEM, t);
		o->root = 22.0 + 0.01 * nz(h, S_ROOT, t);
		o->data = 62.0 + 3.0 * d + 0.15 * sin(6.283185307179586 * d) +
		    0.01 * nz(h, S_DATA, t);
		o->rx = (600e3 + 1.5e6 * a) * (1.0 + 0.05 * nz(h, S_RX, t));
		break;
	default:
		jobs = gpu_jobs(t);
		o->user = 3.0 + 4.5 * jobs + 1.0 * nz(h, S_USER, t);
		o->sys = 1.0 + 1.0 * jobs + 0.3 * nz(h, S_SYS, t);
		o->iow = 0.4 + 0.2 * fabs(nz(h, S_IOW, t));
		o->mem = 22.0 + 9.0 * jobs + 0.5 * nz(h, S_MEM, t);
		o->root = 51.0 + 0.01 * nz(h, S_ROOT, t);
		o->data = 73.4 + 0.002 * d;
		o->rx = (100e3 + 3.5e6 * jobs) * (1.0 + 0.05 * nz(h, S_RX, t));
		break;
	}
	o->user = clamp(o->user, 0.3, 98.5);
	o->sys = clamp(o->sys, 0.2, 99.5 - o->user);
	o->iow = clamp(o->iow, 0.0, 99.8 - o->user - o->sys);
	o->idle = 100.0 - o->user - o->sys - o->iow;
	o->mem = clamp(o->mem, 5.0, 99.0);
	busy = (o->user + o->sys + o->iow) / 100.0;
	o->load = hosts[h].ncpu * busy * 1.04 + 0.05 * fabs(nz(h, S_LOAD, t));
}

/* ---------------------------------------------------------------- */
/* metrics.lp: InfluxDB line protocol as Telegraf writes it          */

/* Tag keys, tag values and field keys escape comma, '=' and space. */
static void
lp_tag(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == ',' || *s == '=' || *s == ' ')
			fputc('\\', f);
		fputc(*s, f);
	}
}

/* String field values escape '"' and '\'. */
static void
lp_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* Telegraf's system plugin uptime_format. */
static void
uptime_format(char *buf, size_t len, int64_t up)
{
	int64_t days = up / DAY, hours = up / 3600 % 24, mins = up / 60 % 60;
	char d[32] = "";

	if (days != 0)
		xsnprintf(d, sizeof(d), "%lld day%s, ", (long long)days,
		    days > 1 ? "s" : "");
	xsnprintf(buf, len, "%s%2lld:%02lld", d, (long long)hours,
	    (long long)mins);
}

static void
lp_disk(FILE *f, int h, const char *dev, const char *fstype,
    const char *path, int64_t total, double pct, long long ns)
{
	int64_t used = (int64_t)llround((double)total * pct / 100.0);

	fputs("disk,device=", f);
	lp_tag(f, dev);
	fputs(",fstype=", f);
	lp_tag(f, fstype);
	fputs(",host=", f);
	lp_tag(f, hosts[h].name);
	fputs(",mode=rw,path=", f);
	lp_tag(f, path);
	fprintf(f, " free=%lldi,total=%lldi,used=%lldi,used_percent=%.4f"
	    " %lld\n", (long long)(total - used), (long long)total,
	    (long long)used, (double)used * 100.0 / (double)total, ns);
}

struct netstate {
	double	l5, l15;
	int64_t	rx, tx, rxp, txp;
	int	init;
};

static void
lp_host(FILE *f, int h, int64_t t, struct netstate *st)
{
	const struct host *H = &hosts[h];
	long long ns = (long long)t * 1000000000LL;
	struct hs s;
	int64_t used, up, db, since;
	char upf[64];

	host_model(h, t, &s);
	fprintf(f, "cpu,cpu=cpu-total,host=%s usage_idle=%.3f,"
	    "usage_iowait=%.3f,usage_system=%.3f,usage_user=%.3f %lld\n",
	    H->name, s.idle, s.iow, s.sys, s.user, ns);

	used = (int64_t)llround((double)H->mem_total * s.mem / 100.0);
	fprintf(f, "mem,host=%s available=%lldi,available_percent=%.4f,"
	    "total=%lldi,used=%lldi,used_percent=%.4f %lld\n", H->name,
	    (long long)(H->mem_total - used),
	    100.0 - (double)used * 100.0 / (double)H->mem_total,
	    (long long)H->mem_total, (long long)used,
	    (double)used * 100.0 / (double)H->mem_total, ns);

	lp_disk(f, h, h == GPU1 ? "nvme0n1p2" : "sda1", "ext4", "/",
	    H->root_total, s.root, ns);
	if (h == DB1)
		lp_disk(f, h, "sdb1", "xfs", "/var/lib/postgresql",
		    DATA_TOTAL, s.data, ns);
	if (h == GPU1)
		lp_disk(f, h, "nas-1:/export/lab", "nfs4", "/mnt/lab share",
		    NAS_TOTAL, s.data, ns);

	/* counters; a reboot starts them again from zero */
	since = t - boot_time(h, t);
	if (!st->init || since < STEP) {
		db = st->init ? since : (t - H->boot);
		st->rx = (int64_t)(s.rx * (double)db);
		st->tx = (int64_t)(s.rx * (h == DB1 ? 1.3 : 3.1) * (double)db);
		st->rxp = st->rx / 870;
		st->txp = st->tx / 1210;
		st->l5 = st->l15 = s.load;
		st->init = 1;
	} else {
		db = (int64_t)(s.rx * STEP);
		st->rx += db;
		st->tx += (int64_t)((double)db * (h == DB1 ? 1.3 : 3.1));
		st->rxp += db / 870;
		st->txp += (int64_t)((double)db * (h == DB1 ? 1.3 : 3.1)) / 1210;
		st->l5 = st->l5 * 0.36787944117144233 +
		    s.load * (1 - 0.36787944117144233);
		st->l15 = st->l15 * 0.71653131057378925 +
		    s.load * (1 - 0.71653131057378925);
	}
	fprintf(f, "net,host=%s,interface=%s bytes_recv=%lldi,"
	    "bytes_sent=%lldi,packets_recv=%lldi,packets_sent=%lldi %lld\n",
	    H->name, h == GPU1 ? "enp65s0f0" : "eth0", (long long)st->rx,
	    (long long)st->tx, (long long)st->rxp, (long long)st->txp, ns);

	fprintf(f, "system,host=%s load1=%.2f,load15=%.2f,load5=%.2f,"
	    "n_cpus=%di,n_users=%di %lld\n", H->name, s.load, st->l15,
	    st->l5, H->ncpu, (int)(1 + 2 * activity(t)), ns);
	up = t - boot_time(h, t);
	uptime_format(upf, sizeof(upf), up);
	fprintf(f, "system,host=%s uptime=%lldi,uptime_format=", H->name,
	    (long long)up);
	lp_str(f, upf);
	fprintf(f, " %lld\n", ns);
}

static void
gen_metrics(void)
{
	struct netstate st[NHOST];
	FILE *f = out_open("metrics.lp");
	int64_t t;
	int h;

	memset(st, 0, sizeof(st));
	for (t = T0; t < TEND; t += STEP)
		for (h = 0; h < NHOST; h++)
			lp_host(f, h, t, &st[h]);
	out_close(f, "metrics.lp");
}

/* ---------------------------------------------------------------- */
/* gpu.csv, gpu-nounits.csv: nvidia-smi --query-gpu                  */

static const char *const gpu_bus[4] = {
	"00000000:07:00.0", "00000000:0F:00.0",
	"00000000:47:00.0", "00000000:4E:00.0"
};

static void
gen_gpu(const char *name, int units, int64_t from, int64_t to)
{
	FILE *f = out_open(name);
	char ts[40];
	struct gs g;
	int64_t t;
	int i, ms;

	fprintf(f, "timestamp, name, pci.bus_id, index, "
	    "utilization.gpu [%%], utilization.memory [%%], "
	    "memory.used [MiB], memory.total [MiB], temperature.gpu, "
	    "power.draw [W], ecc.errors.uncorrected.volatile.total\n");
	for (t = from; t < to; t += STEP) {
		ms = 11 + (int)(key3(0x5a1, 0, (uint64_t)t) % 60);
		for (i = 0; i < 4; i++) {
			gpu_model(i, t, &g);
			fmt_ts(ts, sizeof(ts), t * 1000 + ms + i, TS_SLASH_MS);
			if (units)
				fprintf(f, "%s, NVIDIA A100-SXM4-80GB, %s, %d, "
				    "%d %%, %d %%, %d MiB, 81920 MiB, %d, "
				    "%.2f W, %d\n", ts, gpu_bus[i], i, g.util,
				    g.umem, g.mem_used, g.temp, g.power, g.ecc);
			else
				fprintf(f, "%s, NVIDIA A100-SXM4-80GB, %s, %d, "
				    "%d, %d, %d, 81920, %d, %.2f, %d\n", ts,
				    gpu_bus[i], i, g.util, g.umem, g.mem_used,
				    g.temp, g.power, g.ecc);
		}
	}
	out_close(f, name);
}

/* ---------------------------------------------------------------- */
/* syslog.log: RFC 3164 as a central rsyslog receives it             */


struct slog {
	struct lines	 L;
	struct rng	 r;
	int		 pid[NHOST];
	int		 session[NHOST];
	long		 conn;		/* nginx connection number */
	int		 pgseq;		/* checkpointer syslog sequence */
	int64_t		 lsn;		/* postgres WAL position, kB */
};

static int
newpid(struct slog *S, int h)
{
	S->pid[h] += (int)rint_(&S->r, 1, 37);
	return S->pid[h];
}

/*
 * One syslog line.  gpu-1's relay strips the PRI, as lines look in
 * /var/log/syslog; the others keep it, as received over the network.
 * pid < 0: no [pid].
 */
static void
sl(struct slog *S, int h, int64_t ms, int pri, const char *tag, int pid,
    const char *fmt, ...)
{
	char msg[MAXMSG], ts[32], pfx[32] = "", id[32] = "";
	va_list ap;

	va_start(ap, fmt);
	xvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (h != GPU1)
		xsnprintf(pfx, sizeof(pfx), "<%d>", pri);
	if (pid >= 0)
		xsnprintf(id, sizeof(id), "[%d]", pid);
	lines_add(&S->L, ms, "%s%s %s %s%s: %s", pfx,
	    fmt_ts(ts, sizeof(ts), ms, TS_3164), hosts[h].name, tag, id, msg);
}

/* Kernel ring-buffer stamp "[ 1234.567890]" for host h at ms. */
static const char *
kstamp(char *buf, size_t len, int h, int64_t ms)
{
	int64_t us = (ms - boot_time(h, ms / 1000) * 1000) * 1000 +
	    (ms % 7) * 113;

	xsnprintf(buf, len, "[%5lld.%06lld]", (long long)(us / 1000000),
	    (long long)(us % 1000000));
	return buf;
}

static void
sl_cron(struct slog *S, int h, int64_t ms, const char *user,
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
sl_cron_hour(struct slog *S, int h, int64_t hs, int hour)
{
	int m;

	sl_cron(S, h, (hs + 17 * 60 + 1) * 1000 + rint_(&S->r, 0, 400),
	    "root", "cd / && run-parts --report /etc/cron.hourly");
	if (hour == 6)
		sl_cron(S, h, (hs + 25 * 60 + 1) * 1000 + rint_(&S->r, 0, 400),
		    "root", "test -x /usr/sbin/anacron || { cd / && "
		    "run-parts --report /etc/cron.daily; }");
	if (h == DB1) {
		for (m = 5; m < 60; m += 10)
			sl_cron(S, h, (hs + m * 60 + 1) * 1000 +
			    rint_(&S->r, 0, 300), "root", "command -v "
			    "debian-sa1 > /dev/null && debian-sa1 1 1");
		if (hour == 1)
			sl_cron(S, h, (hs + 30 * 60) * 1000 + 500, "postgres",
			    "/usr/local/bin/pg_backup.sh --stanza=shop");
	}
}

static const struct {
	const char *user, *ip, *key;
	int uid;
} ssh_users[] = {
	{ "alice", "10.8.0.14", "Qm9yZWQgc3lzYWRtaW4gYWxpY2Ugc2F5cyBoaSEK0s", 1001 },
	{ "bob", "10.8.0.22", "dGhpcyBpcyBib2IncyBsYXB0b3Aga2V5IDIwMjYK1a", 1002 },
	{ "deploy", "10.0.0.5", "Y2kgZGVwbG95IGtleSBmb3Igc2hvcCBwcm9kLWV1Cg", 1003 },
	{ "carol", "10.8.0.31", "Y2Fyb2wgd29ya3Mgb24gdGhlIGdwdSBsYWIgYm94Cg", 1004 },
};

static void
sl_session(struct slog *S, int h, int64_t ms, int u)
{
	int pid = newpid(S, h), port = (int)rint_(&S->r, 32768, 60999);
	int sess = ++S->session[h];
	int64_t end = ms + rint_(&S->r, 60, 3000) * 1000;

	if (h == WEB1 && ms < REBOOT_T * 1000 && end > REBOOT_T * 1000)
		end = REBOOT_T * 1000 + 700;	/* killed by the reboot */
	const char *user = ssh_users[u].user, *ip = ssh_users[u].ip;

	sl(S, h, ms, PRI(F_AUTH, L_INFO), "sshd", pid, "Accepted publickey "
	    "for %s from %s port %d ssh2: ED25519 SHA256:%s", user, ip, port,
	    ssh_users[u].key);
	sl(S, h, ms + 9, PRI(F_AUTHPRIV, L_INFO), "sshd", pid,
	    "pam_unix(sshd:session): session opened for user %s(uid=%d) by "
	    "(uid=0)", user, ssh_users[u].uid);
	sl(S, h, ms + 14, PRI(F_AUTH, L_INFO), "systemd-logind", 402,
	    "New session %d of user %s.", sess, user);
	sl(S, h, end, PRI(F_AUTH, L_INFO), "sshd", pid, "Received disconnect "
	    "from %s port %d:11: disconnected by user", ip, port);
	sl(S, h, end + 1, PRI(F_AUTHPRIV, L_INFO), "sshd", pid,
	    "pam_unix(sshd:session): session closed for user %s", user);
	sl(S, h, end + 6, PRI(F_AUTH, L_INFO), "systemd-logind", 402,
	    "Removed session %d.", sess);
}

static void
sl_invalid(struct slog *S, int h, int64_t ms, const char *ip)
{
	static const char *const names[] = { "admin", "test", "oracle",
	    "ubuntu", "postgres", "git", "user", "support", "ftpuser", "pi" };
	const char *u = PICK(&S->r, names);
	int pid = newpid(S, h), port = (int)rint_(&S->r, 1024, 65535);

	sl(S, h, ms, PRI(F_AUTH, L_INFO), "sshd", pid,
	    "Invalid user %s from %s port %d", u, ip, port);
	sl(S, h, ms + rint_(&S->r, 200, 2000), PRI(F_AUTH, L_INFO), "sshd",
	    pid, "Connection closed by invalid user %s %s port %d [preauth]",
	    u, ip, port);
}

static const char *const scanner_ips[] = {
	"203.0.113.45", "198.51.100.7", "192.0.2.201", "203.0.113.190",
	"198.51.100.133", "192.0.2.66"
};

static void
sl_sshd_hour(struct slog *S, int h, int64_t hs)
{
	double a = activity(hs + 1800);
	int i, n, u;
	int64_t t, ms[3];

	rms_sorted(&S->r, hs, 3600, ms, 3);
	for (i = 0; i < 3; i++) {
		if (runif(&S->r) >= (h == GPU1 ? 0.5 : 0.35) * a)
			continue;
		u = h == GPU1 ? (int)rint_(&S->r, 0, 1) * 3 :
		    (int)rint_(&S->r, 0, 2);
		sl_session(S, h, ms[i], u);
	}
	if (h != WEB1 && h != WEB2)
		return;
	n = (int)rint_(&S->r, 0, 3);
	rms_sorted(&S->r, hs, 3590, ms, n);
	for (i = 0; i < n; i++)
		sl_invalid(S, h, ms[i], PICK(&S->r, scanner_ips));
	if (h != WEB1 || !during(hs, SSH_BURST - 3599, SSH_BURST_END))
		return;
	for (t = SSH_BURST * 1000; t < SSH_BURST_END * 1000;
	    t += rint_(&S->r, 3000, 9000)) {
		if (runif(&S->r) < 0.7) {
			sl_invalid(S, h, t, "203.0.113.77");
			continue;
		}
		n = newpid(S, h);
		i = (int)rint_(&S->r, 1024, 65535);
		sl(S, h, t, PRI(F_AUTH, L_ERR), "sshd", n, "error: maximum "
		    "authentication attempts exceeded for root from "
		    "203.0.113.77 port %d ssh2 [preauth]", i);
		sl(S, h, t + 3, PRI(F_AUTH, L_INFO), "sshd", n,
		    "Disconnecting authenticating user root 203.0.113.77 "
		    "port %d: Too many authentication failures [preauth]", i);
	}
}

static const char *const api_paths[] = {
	"/api/cart", "/api/checkout", "/api/products", "/api/search",
	"/api/orders", "/api/session"
};

static void
sl_nginx(struct slog *S, int h, int64_t ms, int sev, const char *fmt, ...)
{
	char msg[MAXMSG], ts[32];
	va_list ap;
	int worker = 1200 + h * 37 + (int)rint_(&S->r, 0, 7);

	va_start(ap, fmt);
	xvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sl(S, h, ms, PRI(F_LOCAL7, sev), "nginx", -1, "%s [%s] %d#%d: *%ld %s",
	    fmt_ts(ts, sizeof(ts), ms, TS_SLASH), sev == L_ERR ? "error" :
	    sev == L_WARN ? "warn" : "notice", worker, worker, ++S->conn, msg);
}

static void
sl_nginx_hour(struct slog *S, int h, int64_t hs)
{
	static const char *const missing[] = { "favicon.ico", "robots.txt",
	    "wp-login.php", ".env", "apple-touch-icon.png" };
	int64_t t, ms[3];
	int i, n = (int)rint_(&S->r, 0, 3);
	const char *p, *ip;

	rms_sorted(&S->r, hs, 3600, ms, n);
	for (i = 0; i < n; i++) {
		p = PICK(&S->r, missing);
		ip = PICK(&S->r, scanner_ips);
		sl_nginx(S, h, ms[i], L_ERR, "open() \"/var/www/shop/%s\" "
		    "failed (2: No such file or directory), client: %s, "
		    "server: shop.example.com, request: \"GET /%s HTTP/1.1\", "
		    "host: \"shop.example.com\"", p, ip, p);
	}
	if (h != WEB2 || !during(hs, CPU_START - 3599, CPU_END))
		return;
	for (t = CPU_START * 1000 + 40000; t < CPU_END * 1000 + 30000;
	    t += rint_(&S->r, 4000, 14000)) {
		p = PICK(&S->r, api_paths);
		ip = PICK(&S->r, scanner_ips);
		sl_nginx(S, h, t, L_ERR, "upstream timed out (110: Connection "
		    "timed out) while reading response header from upstream, "
		    "client: %s, server: shop.example.com, request: \"GET %s "
		    "HTTP/2.0\", upstream: \"http://127.0.0.1:8080%s\", host: "
		    "\"shop.example.com\"", ip, p, p);
		if (runif(&S->r) < 0.08)
			sl_nginx(S, h, t + 2, L_WARN, "upstream server "
			    "temporarily disabled while reading response header "
			    "from upstream, client: %s, server: shop.example.com, "
			    "request: \"GET %s HTTP/2.0\", upstream: "
			    "\"http://127.0.0.1:8080%s\"", ip, p, p);
	}
}

static void
sl_postgres_hour(struct slog *S, int64_t hs)
{
	static const char *const tables[] = { "orders", "order_items",
	    "carts", "sessions", "stock", "payments" };
	const char *p;
	int64_t t, ms;
	int i, bufs, pid, rm, rc, nf, a1, a2, a3;
	double w, sy, f1, f2, f3, f4;

	for (i = 0; i < 4; i++) {
		ms = (hs + i * 900 + 7) * 1000 + 411;
		bufs = (int)(800 + 9000 * activity(hs) + rint_(&S->r, 0, 900));
		w = 269.5 + runif(&S->r);
		S->lsn += bufs * 8 + rint_(&S->r, 0, 4000);
		rm = (int)rint_(&S->r, 0, 2);
		rc = (int)rint_(&S->r, 1, 9);
		sy = 0.004 + runif(&S->r) * 0.02;
		nf = (int)rint_(&S->r, 30, 160);
		sl(S, DB1, ms, PRI(F_LOCAL0, L_INFO), "postgres", 812,
		    "[%d-1] LOG:  checkpoint starting: time", ++S->pgseq);
		sl(S, DB1, ms + (int64_t)(w * 1000), PRI(F_LOCAL0, L_INFO),
		    "postgres", 812, "[%d-1] LOG:  checkpoint complete: wrote %d "
		    "buffers (%.1f%%); 0 WAL file(s) added, %d removed, %d "
		    "recycled; write=%.3f s, sync=%.3f s, total=%.3f s; sync "
		    "files=%d, longest=%.3f s, average=%.3f s; distance=%d kB, "
		    "estimate=%d kB; lsn=%llX/%08llX, redo lsn=%llX/%08llX",
		    ++S->pgseq, bufs, bufs * 100.0 / 131072.0, rm, rc, w, sy,
		    w + 0.03, nf, 0.002, 0.001, bufs * 8, bufs * 9,
		    (unsigned long long)(S->lsn >> 22),
		    (unsigned long long)((S->lsn << 10) & 0xffffffff),
		    (unsigned long long)(S->lsn >> 22),
		    (unsigned long long)(((S->lsn << 10) - 0x28000) &
		    0xffffffff));
	}
	if (runif(&S->r) < 0.6) {
		pid = newpid(S, DB1);
		ms = rms(&S->r, hs, 3600);
		p = PICK(&S->r, tables);
		f1 = runif(&S->r) * 40;
		f2 = runif(&S->r) * 2;
		a1 = (int)rint_(&S->r, 500, 90000);
		a2 = (int)rint_(&S->r, 0, 4000);
		a3 = (int)rint_(&S->r, 0, 200);
		f3 = runif(&S->r);
		f4 = runif(&S->r) * 0.1;
		w = 0.5 + runif(&S->r) * 3;
		sl(S, DB1, ms, PRI(F_LOCAL0, L_INFO), "postgres", pid, "[1-1] LOG:  "
		    "automatic analyze of table \"shop.public.%s\" avg read "
		    "rate: %.3f MB/s, avg write rate: %.3f MB/s buffer usage: "
		    "%d hits, %d misses, %d dirtied system usage: CPU: user: "
		    "%.2f s, system: %.2f s, elapsed: %.2f s",
		    p, f1, f2, a1, a2, a3, f3, f4, w);
	}
	if (during(hs, CPU_START - 3599, CPU_END))
		for (t = (CPU_START + 95) * 1000; t < (CPU_END - 60) * 1000;
		    t += rint_(&S->r, 6000, 25000)) {
			pid = newpid(S, DB1);
			sl(S, DB1, t, PRI(F_LOCAL0, L_ERR), "postgres", pid,
			    "[1-1] FATAL:  sorry, too many clients already");
			if (runif(&S->r) < 0.3)
				sl(S, DB1, t + 120, PRI(F_LOCAL0, L_INFO),
				    "postgres", newpid(S, DB1), "[1-1] LOG:  could "
				    "not receive data from client: Connection reset "
				    "by peer");
		}
}

static void
sl_ioerr_hour(struct slog *S, int64_t hs)
{
	char k[32];
	int64_t t;
	unsigned long long sector;
	int tag, pid;

	if (!during(hs, IOERR_START - 3599, IOERR_END))
		return;
	for (t = IOERR_START * 1000 + 3217; t < IOERR_END * 1000;
	    t += rint_(&S->r, 15000, 45000)) {
		sector = 1234567890ULL + (unsigned long long)rint_(&S->r, 0,
		    80000000);
		tag = (int)rint_(&S->r, 0, 31);
		sl(S, DB1, t, PRI(F_KERN, L_ERR), "kernel", -1, "%s sd 2:0:0:0: "
		    "[sdb] tag#%d FAILED Result: hostbyte=DID_OK "
		    "driverbyte=DRIVER_OK cmd_age=30s", kstamp(k, sizeof(k),
		    DB1, t), tag);
		sl(S, DB1, t, PRI(F_KERN, L_WARN), "kernel", -1, "%s sd 2:0:0:0: "
		    "[sdb] tag#%d Sense Key : Medium Error [current]",
		    kstamp(k, sizeof(k), DB1, t), tag);
		sl(S, DB1, t + 1, PRI(F_KERN, L_ERR), "kernel", -1, "%s I/O "
		    "error, dev sdb, sector %llu op 0x1:(WRITE) flags 0x8800 "
		    "phys_seg 8 prio class 2", kstamp(k, sizeof(k), DB1, t + 1),
		    sector);
		sl(S, DB1, t + 2, PRI(F_KERN, L_ERR), "kernel", -1, "%s XFS "
		    "(sdb1): metadata I/O error in \"xfs_buf_ioend+0x1a4/0x3e0 "
		    "[xfs]\" at daddr 0x%llx len 32 error 5", kstamp(k,
		    sizeof(k), DB1, t + 2), sector - 2048);
		if (runif(&S->r) < 0.5) {
			pid = newpid(S, DB1);
			tag = (int)rint_(&S->r, 1000, 99999);
			sl(S, DB1, t + 40, PRI(F_LOCAL0, L_WARN), "postgres", pid,
			    "[1-1] ERROR:  could not write block %d in file "
			    "\"base/16384/24601.%d\": Input/output error", tag,
			    (int)rint_(&S->r, 1, 40));
			sl(S, DB1, t + 40, PRI(F_LOCAL0, L_WARN), "postgres", pid,
			    "[1-2] CONTEXT:  writing block %d of relation "
			    "base/16384/24601", tag);
		}
	}
	sl(S, DB1, (IOERR_END + 300) * 1000 + 52, PRI(F_DAEMON, L_CRIT),
	    "smartd", 611, "Device: /dev/sdb [SAT], 8 Currently unreadable "
	    "(pending) sectors");
	sl(S, DB1, (IOERR_END + 300) * 1000 + 53, PRI(F_DAEMON, L_CRIT),
	    "smartd", 611, "Device: /dev/sdb [SAT], 8 Offline uncorrectable "
	    "sectors");
	sl(S, DB1, (IOERR_END + 300) * 1000 + 54, PRI(F_DAEMON, L_INFO),
	    "smartd", 611, "Device: /dev/sdb [SAT], SMART Usage Attribute: 5 "
	    "Reallocated_Sector_Ct changed from 100 to 98");
}

/* Service (re)starts of inventory on web-1. */
static void
sl_unit_start(struct slog *S, int64_t ms)
{
	sl(S, WEB1, ms, PRI(F_DAEMON, L_INFO), "systemd", 1,
	    "Started inventory.service - Inventory service.");
}

/* web-1: deploy of the leaking inventory 2.14.0. */
static void
sl_deploy(struct slog *S)
{
	int64_t ms = (LEAK_START - 60) * 1000;

	sl_session(S, WEB1, (LEAK_START - 140) * 1000 + 311, 2);
	sl(S, WEB1, ms, PRI(F_DAEMON, L_INFO), "systemd", 1,
	    "Stopping inventory.service - Inventory service...");
	sl(S, WEB1, ms + 2410, PRI(F_DAEMON, L_INFO), "systemd", 1,
	    "inventory.service: Deactivated successfully.");
	sl_unit_start(S, ms + 2500);
}

/* web-1: the kernel kills java, systemd restarts it. */
static void
sl_oom(struct slog *S)
{
	char k[32];
	int64_t ms = OOM_T * 1000 + 88;
	int jpid = 2211;

	sl(S, WEB1, ms, PRI(F_KERN, L_WARN), "kernel", -1, "%s java "
	    "invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE"
	    "|__GFP_COMP), order=0, oom_score_adj=0",
	    kstamp(k, sizeof(k), WEB1, ms));
	sl(S, WEB1, ms, PRI(F_KERN, L_WARN), "kernel", -1, "%s CPU: 3 PID: "
	    "%d Comm: java Not tainted 6.1.0-27-amd64 #1 Debian "
	    "6.1.115-1", kstamp(k, sizeof(k), WEB1, ms), jpid + 14);
	sl(S, WEB1, ms + 1, PRI(F_KERN, L_INFO), "kernel", -1, "%s "
	    "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),"
	    "cpuset=/,mems_allowed=0,global_oom,task_memcg=/system.slice/"
	    "inventory.service,task=java,pid=%d,uid=998",
	    kstamp(k, sizeof(k), WEB1, ms + 1), jpid);
	sl(S, WEB1, ms + 1, PRI(F_KERN, L_ERR), "kernel", -1, "%s Out of "
	    "memory: Killed process %d (java) total-vm:17123456kB, "
	    "anon-rss:14876012kB, file-rss:1024kB, shmem-rss:0kB, "
	    "UID:998 pgtables:30112kB oom_score_adj:0",
	    kstamp(k, sizeof(k), WEB1, ms + 1), jpid);
	sl(S, WEB1, ms + 212, PRI(F_KERN, L_INFO), "kernel", -1, "%s "
	    "oom_reaper: reaped process %d (java), now anon-rss:0kB, "
	    "file-rss:0kB, shmem-rss:0kB", kstamp(k, sizeof(k), WEB1,
	    ms + 212), jpid);
	sl(S, WEB1, ms + 390, PRI(F_DAEMON, L_WARN), "systemd", 1,
	    "inventory.service: A process of this unit has been killed "
	    "by the OOM killer.");
	sl(S, WEB1, ms + 395, PRI(F_DAEMON, L_NOTICE), "systemd", 1,
	    "inventory.service: Main process exited, code=killed, "
	    "status=9/KILL");
	sl(S, WEB1, ms + 396, PRI(F_DAEMON, L_WARN), "systemd", 1,
	    "inventory.service: Failed with result 'oom-kill'.");
	sl(S, WEB1, ms + 397, PRI(F_DAEMON, L_INFO), "systemd", 1,
	    "inventory.service: Consumed 1d 21h 12min 40.118s CPU time.");
	sl(S, WEB1, ms + 10400, PRI(F_DAEMON, L_INFO), "systemd", 1,
	    "inventory.service: Scheduled restart job, restart counter "
	    "is at 1.");
	sl(S, WEB1, ms + 10402, PRI(F_DAEMON, L_INFO), "systemd", 1,
	    "Stopped inventory.service - Inventory service.");
	sl_unit_start(S, ms + 10410);
}

/* web-1: alice reboots it after the OOM kill. */
static void
sl_reboot(struct slog *S)
{
	int64_t ms = REBOOT_T * 1000;

	sl_session(S, WEB1, (REBOOT_T - 200) * 1000 + 17, 0);
	sl(S, WEB1, ms, PRI(F_AUTH, L_INFO), "systemd-logind", 402,
	    "The system will reboot now!");
	sl(S, WEB1, ms + 5, PRI(F_AUTH, L_INFO), "systemd-logind", 402,
	    "System is rebooting.");
	sl(S, WEB1, ms + 90, PRI(F_DAEMON, L_INFO), "systemd", 1,
	    "Stopping inventory.service - Inventory service...");
	sl(S, WEB1, ms + 9000, PRI(F_SYSLOG, L_INFO), "rsyslogd", -1,
	    "[origin software=\"rsyslogd\" swVersion=\"8.2302.0\" "
	    "x-pid=\"498\" x-info=\"https://www.rsyslog.com\"] exiting "
	    "on signal 15.");
	ms = (BOOT_T + 19) * 1000 + 402;
	sl(S, WEB1, ms, PRI(F_KERN, L_NOTICE), "kernel", -1, "[    "
	    "0.000000] Linux version 6.1.0-27-amd64 "
	    "(debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) "
	    "12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP "
	    "PREEMPT_DYNAMIC Debian 6.1.115-1 (2024-11-01)");
	sl(S, WEB1, ms, PRI(F_KERN, L_INFO), "kernel", -1, "[    "
	    "0.000000] Command line: BOOT_IMAGE=/boot/vmlinuz-6.1.0-27-"
	    "amd64 root=UUID=5c1e0d8a-3f7b-4c52-9a1e-2b7d9e4f6a10 ro quiet");
	sl(S, WEB1, ms + 1, PRI(F_SYSLOG, L_INFO), "rsyslogd", -1,
	    "[origin software=\"rsyslogd\" swVersion=\"8.2302.0\" "
	    "x-pid=\"512\" x-info=\"https://www.rsyslog.com\"] start");
	sl_unit_start(S, ms + 4120);
}

static void
sl_web1_story(struct slog *S, int64_t hs)
{
	if (during(LEAK_START, hs, hs + 3600))
		sl_deploy(S);
	if (during(OOM_T, hs, hs + 3600))
		sl_oom(S);
	if (during(REBOOT_T, hs, hs + 3600))
		sl_reboot(S);
}

static void
sl_gpu_hour(struct slog *S, int64_t hs)
{
	struct gs g;
	int64_t t;
	int i;

	if (floordiv(hs - T0, 3600) % 2 == 0)
		for (i = 0; i < 4; i++)
			if (gpu_job(i, hs, NULL) && !gpu_job(i, hs - 60, NULL))
				sl(S, GPU1, (hs + 2) * 1000 + 100 * i + 17, 0,
				    "slurmd", 1288, "launch task StepId=%ld.0 "
				    "request from UID:1004 GID:1004 HOST:10.2.0.5 "
				    "PORT:%d", (long)(48100 + (hs - T0) / 7200 * 4 + i),
				    (int)rint_(&S->r, 40000, 60000));
	if (during(FAN_FAIL, hs, hs + 3600))
		sl(S, GPU1, (FAN_FAIL + 7) * 1000 + 250, 0, "ipmievd", 1421,
		    "Fan #0x33 Lower Critical going low  Reading 0 < Threshold "
		    "1000 RPM");
	if (during(FAN_FIX, hs, hs + 3600))
		sl(S, GPU1, (FAN_FIX + 4) * 1000 + 990, 0, "ipmievd", 1421,
		    "Fan #0x33 Lower Critical going low  Deasserted");
	for (t = hs; t < hs + 3600; t += 600) {
		gpu_model(GPU_HOT, t, &g);
		if (g.temp >= 88)
			sl(S, GPU1, (t + 31) * 1000 + 5, 0, "nv-hostengine", 1532,
			    "DCGM health watch: GPU %d (%s) thermal violation: "
			    "temperature %d C >= slowdown threshold 88 C, clocks "
			    "throttled", GPU_HOT, gpu_bus[GPU_HOT], g.temp);
	}
}

static void
gen_syslog(void)
{
	FILE *f = out_open("syslog.log");
	struct slog S;
	int64_t hs;
	int h, hour;

	memset(&S, 0, sizeof(S));
	S.r.s = 3164;
	S.pid[WEB1] = 24000;
	S.pid[WEB2] = 31000;
	S.pid[DB1] = 180000;
	S.pid[GPU1] = 52000;
	S.lsn = INT64_C(3) << 22;
	for (hs = T0; hs < TEND; hs += 3600) {
		hour = (int)((hs - T0) / 3600 % 24);
		for (h = 0; h < NHOST; h++) {
			sl_cron_hour(&S, h, hs, hour);
			sl_sshd_hour(&S, h, hs);
			if (h == WEB1 || h == WEB2)
				sl_nginx_hour(&S, h, hs);
		}
		sl_postgres_hour(&S, hs);
		sl_ioerr_hour(&S, hs);
		sl_web1_story(&S, hs);
		sl_gpu_hour(&S, hs);
		lines_flush(&S.L, f, hs * 1000);
	}
	lines_flush(&S.L, f, TEND * 1000);
	lines_flush(&S.L, f, INT64_MAX);
	free(S.L.v);
	out_close(f, "syslog.log");
}

/* ---------------------------------------------------------------- */
/* syslog5424.log: RFC 5424                                          */

static void
gen_syslog5424(void)
{
	FILE *f = out_open("syslog5424.log");
	struct lines L;
	struct rng r = { 5424 };
	char ts[40];
	int64_t t, ms;
	long a, b, c;
	int h, order = 10023;

	memset(&L, 0, sizeof(L));
	for (t = T0; t < TEND; t += 1800) {
		for (h = WEB1; h <= WEB2; h++) {
			ms = rms(&r, t, 1800);
			fmt_ts(ts, sizeof(ts), ms, TS_RFC3339);
			a = rint_(&r, 1, 6);
			b = rint_(&r, 5, 240);
			c = rint_(&r, 0, 99);
			switch (rint_(&r, 0, 3)) {
			case 0:
				lines_add(&L, ms, "<166>1 %s %s checkout %d - - "
				    "health check ok", ts, hosts[h].name,
				    2211 + 100 * h);
				break;
			case 1:
				lines_add(&L, ms, "<165>1 %s %s checkout %d ORDER "
				    "[order@32473 id=\"%d\" items=\"%ld\" "
				    "total=\"%ld.%02ld\"][origin ip=\"%s\" "
				    "software=\"checkout\" swVersion=\"3.8.1\"] "
				    "order placed", ts, hosts[h].name, 2211 + 100 * h,
				    order++, a, b, c, hosts[h].ip);
				break;
			case 2:
				lines_add(&L, ms, "<165>1 %s %s checkout %d SEARCH "
				    "[http@32473 path=\"/api/search\" q=\"%s\"] "
				    "search served in %ld ms", ts, hosts[h].name,
				    2211 + 100 * h, a > 3 ?
				    "red shoes" : "size \\\"42\\\" \\]boots\\\\",
				    b / 3 + 3);
				break;
			default:
				lines_add(&L, ms, "<14>1 %s %s checkout %d AUDIT - "
				    "user José updated profile", ts,
				    hosts[h].name, 2211 + 100 * h);
				break;
			}
		}
		if ((t - T0) % DAY == 5400) {
			/* db-1 pgbackrest logs local time, CET */
			struct civil lc;

			ms = (t + 2) * 1000 + 123;
			civil_from_ms(ms + 3600000, &lc);
			lines_add(&L, ms, "<134>1 %04d-%02d-%02dT%02d:%02d:%02d."
			    "%03d456+01:00 db-1 pgbackrest 7781 - - backup "
			    "command begin 2.54.0: --stanza=shop --type=incr",
			    lc.y, lc.mon, lc.d, lc.h, lc.min, lc.s, lc.ms);
		}
		if (during(CPU_START, t, t + 1800))
			for (ms = (CPU_START + 30) * 1000 + 7; ms < CPU_END *
			    1000; ms += rint_(&r, 20000, 40000))
				lines_add(&L, ms, "<163>1 %s web-2 checkout 2311 "
				    "DBERR [db@32473 host=\"db-1\" port=\"5432\" "
				    "attempt=\"%ld\"] could not connect to server: "
				    "Connection timed out", fmt_ts(ts, sizeof(ts), ms,
				    TS_RFC3339), rint_(&r, 1, 3));
		lines_flush(&L, f, t * 1000);
	}
	lines_flush(&L, f, INT64_MAX);
	free(L.v);
	out_close(f, "syslog5424.log");
}

/* ---------------------------------------------------------------- */
/* app.ndjson: checkout service JSON logs                            */

static void
app_json(struct lines *L, struct rng *r, int h, int64_t ms, int incident)
{
	static const char *const methods[] = { "GET", "GET", "GET", "POST" };
	struct sbuf b = { 0 };
	char ts[40], trace[20];
	double x = runif(r), y;
	long lat, n1, n2;
	const char *path = PICK(r, api_paths), *method;
	int status;

	xsnprintf(trace, sizeof(trace), "%016llx",
	    (unsigned long long)rnext(r));
	sb_addf(&b, "{\"time\":\"%s\",", fmt_ts(ts, sizeof(ts), ms,
	    TS_RFC3339));
	if (incident && x < 0.55) {
		if (runif(r) < 0.6)
			sb_addf(&b, "\"level\":\"error\",\"service\":\"checkout\","
			    "\"host\":\"%s\",\"msg\":\"could not connect to "
			    "server: Connection timed out\",\"db_host\":\"db-1\","
			    "\"db_port\":5432,\"attempt\":%ld,\"trace_id\":\"%s\"}",
			    hosts[h].name, rint_(r, 1, 3), trace);
		else
			sb_addf(&b, "\"level\":\"error\",\"service\":\"checkout\","
			    "\"host\":\"%s\",\"msg\":\"request timed out\","
			    "\"method\":\"GET\",\"path\":\"%s\",\"status\":504,"
			    "\"latency_ms\":%ld,\"trace_id\":\"%s\"}",
			    hosts[h].name, path, 30000 + rint_(r, 0, 40), trace);
		goto out;
	}
	y = runif(r);
	lat = (long)(8 + 120 * y * runif(r));
	if (incident)
		lat = 1800 + rint_(r, 0, 7000);
	method = PICK(r, methods);
	status = runif(r) < 0.03 ? 404 : 200;
	n1 = rint_(r, 10000, 99999);
	n2 = rint_(r, 500, 25000);
	if (x < 0.78)
		sb_addf(&b, "\"level\":\"%s\",\"service\":\"checkout\","
		    "\"host\":\"%s\",\"msg\":\"request completed\",\"method\":"
		    "\"%s\",\"path\":\"%s\",\"status\":%d,\"latency_ms\":%ld,"
		    "\"trace_id\":\"%s\"}", lat > 1000 ? "warn" : "info",
		    hosts[h].name, method, path, status, lat, trace);
	else if (x < 0.88)
		sb_addf(&b, "\"level\":\"debug\",\"service\":\"checkout\","
		    "\"host\":\"%s\",\"msg\":\"cache miss\",\"key\":"
		    "\"cart:%ld\",\"trace_id\":\"%s\"}", hosts[h].name,
		    n1 * 10 + n2 % 10, trace);
	else if (x < 0.985)
		sb_addf(&b, "\"level\":\"info\",\"service\":\"checkout\","
		    "\"host\":\"%s\",\"msg\":\"payment authorized\","
		    "\"order_id\":%ld,\"payment\":{\"provider\":\"stripe\","
		    "\"amount_cents\":%ld,\"currency\":\"EUR\"},\"latency_ms\":"
		    "%ld,\"trace_id\":\"%s\"}", hosts[h].name, n1, n2,
		    180 + lat, trace);
	else
		sb_addf(&b, "\"level\":\"error\",\"service\":\"checkout\","
		    "\"host\":\"%s\",\"msg\":\"payment provider \\\"stripe\\\" "
		    "returned 502\",\"status\":502,\"latency_ms\":%ld,"
		    "\"trace_id\":\"%s\"}", hosts[h].name, 400 + lat, trace);
out:
	lines_add(L, ms, "%s", b.s);
	free(b.s);
}

static void
gen_app_ndjson(void)
{
	FILE *f = out_open("app.ndjson");
	struct lines L;
	struct rng r = { 8259 };
	int64_t t, ms;
	int h, i, n, inc;

	memset(&L, 0, sizeof(L));
	for (t = T0; t < TEND; t += 60) {
		for (h = WEB1; h <= WEB2; h++) {
			inc = h == WEB2 && during(t, CPU_START, CPU_END);
			n = (int)(activity(t) * 1.4 + runif(&r));
			if (inc)
				n += 20 + (int)rint_(&r, 0, 10);
			for (i = 0; i < n; i++) {
				ms = rms(&r, t, 60);
				app_json(&L, &r, h, ms, inc);
			}
		}
		lines_flush(&L, f, (t + 60) * 1000);
	}
	lines_flush(&L, f, INT64_MAX);
	free(L.v);
	out_close(f, "app.ndjson");
}

/* ---------------------------------------------------------------- */
/* app.log: inventory (Java, log4j pattern) on web-1                 */

static void
log4j(struct lines *L, int64_t ms, const char *lvl, const char *thread,
    const char *logger, const char *fmt, ...)
{
	char msg[MAXMSG], ts[40];
	va_list ap;

	va_start(ap, fmt);
	xvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	lines_add(L, ms, "%s %-5s [%s] %s - %s", fmt_ts(ts, sizeof(ts), ms,
	    TS_LOG4J), lvl, thread, logger, msg);
}

static void
app_start(struct lines *L, int64_t ms, const char *ver, int pid)
{
	log4j(L, ms, "INFO", "main", "c.e.i.InventoryApplication", "Starting "
	    "InventoryApplication v%s using Java 17.0.13 with PID %d", ver, pid);
	log4j(L, ms + 6412, "INFO", "main", "c.e.i.InventoryApplication",
	    "Started InventoryApplication in 6.412 seconds (process running "
	    "for 7.03)");
}

static void
app_log_window(struct lines *L, struct rng *r, int64_t t)
{
	char th[32];
	int64_t ms;
	int i, n;
	long a, b;
	double heap;

	n = 1 + (int)(activity(t) * 4 + runif(r));
	for (i = 0; i < n; i++) {
		ms = rms(r, t, 300);
		xsnprintf(th, sizeof(th), "http-nio-8080-exec-%ld",
		    rint_(r, 1, 10));
		a = rint_(r, 1, 6);
		b = rint_(r, 10000, 99999);
		switch (rint_(r, 0, 9)) {
		case 0:
			log4j(L, ms, "WARN", "scheduler-1", "c.e.i.SupplierSync",
			    "supplier feed %s slow: %ld ms", a > 3 ? "acme" :
			    "globex", 2000 + b % 7000);
			break;
		case 1: case 2: case 3:
			log4j(L, ms, "INFO", th, "c.e.i.StockService",
			    "reserved %ld items for order %ld", a, b);
			break;
		default:
			log4j(L, ms, "INFO", th, "c.e.i.StockController",
			    "GET /stock/%ld 200 %ld ms", b / 10, 2 + b % 59);
			break;
		}
	}
	heap = 12.0 * (0.35 + leak(t) / 50.0 * 0.63);
	if (heap > 8.4)
		log4j(L, (t + 60) * 1000 + 5, heap > 11.0 ? "ERROR" : "WARN",
		    "heap-monitor", "c.e.i.HeapMonitor", "heap usage %d%% "
		    "(%.1f GiB of 12.0 GiB) after full GC",
		    (int)(heap * 100 / 12.0), heap);
}

static void
gen_app_log(void)
{
	FILE *f = out_open("app.log");
	struct lines L;
	struct rng r = { 4242 };
	int64_t t;

	memset(&L, 0, sizeof(L));
	for (t = T0; t < TEND; t += STEP) {
		if (during(t, REBOOT_T - 60, BOOT_T + 60))
			continue;	/* host going down and up */
		app_log_window(&L, &r, t);
		if (during(LEAK_START - 10, t, t + STEP))
			app_start(&L, (LEAK_START - 57) * 1000 + 604,
			    "2.14.0", 2211);
		if (during(OOM_T, t, t + STEP)) {
			log4j(&L, (OOM_T - 19) * 1000 + 271, "ERROR",
			    "http-nio-8080-exec-7", "c.e.i.StockController",
			    "request failed\njava.lang.OutOfMemoryError: Java "
			    "heap space\n\tat java.base/java.util.Arrays.copyOf"
			    "(Arrays.java:3537)\n\tat com.example.inventory."
			    "cache.StockCache.put(StockCache.java:88)\n\tat "
			    "com.example.inventory.StockService.reserve("
			    "StockService.java:142)");
			app_start(&L, (OOM_T + 11) * 1000 + 77, "2.14.0", 2890);
		}
		if (during(BOOT_T + 60, t, t + STEP))
			app_start(&L, (BOOT_T + 23) * 1000 + 526, "2.13.4", 741);
		lines_flush(&L, f, t * 1000);
	}
	lines_flush(&L, f, INT64_MAX);
	free(L.v);
	out_close(f, "app.log");
}

/* ---------------------------------------------------------------- */
/* alerts.ndjson: Alertmanager webhook payloads, version 4          */

struct label {
	const char *name, *value;
};

static int
label_cmp(const void *a, const void *b)
{
	return strcmp(((const struct label *)a)->name,
	    ((const struct label *)b)->name);
}

/* prometheus/common model.LabelSet.Fingerprint(): FNV-1a 64. */
static uint64_t
fingerprint(const struct label *l, size_t n)
{
	uint64_t h = UINT64_C(14695981039346656037);
	const unsigned char *p;
	size_t i;
	int k;

	for (i = 0; i < n; i++)
		for (k = 0; k < 2; k++) {
			for (p = (const unsigned char *)(k ? l[i].value :
			    l[i].name); *p != '\0'; p++) {
				h ^= *p;
				h *= UINT64_C(1099511628211);
			}
			h ^= 0xff;
			h *= UINT64_C(1099511628211);
		}
	return h;
}

static void
sb_labels(struct sbuf *b, const struct label *l, size_t n)
{
	size_t i;

	sb_addf(b, "{");
	for (i = 0; i < n; i++) {
		if (i > 0)
			sb_addf(b, ",");
		sb_json(b, l[i].name);
		sb_addf(b, ":");
		sb_json(b, l[i].value);
	}
	sb_addf(b, "}");
}

typedef int (*cond_fn)(int64_t t, double *value);

struct episode {
	int64_t	start, end;	/* ms; end 0: still firing at TEND */
	double	value;
};

/*
 * First episode after from where cond held for for_s seconds, sampled
 * every STEP as a rule evaluated on the 5-minute data.  It resolves at
 * the first sample of a run of RESOLVE_RUN false ones, so noise at the
 * threshold does not flap.  Returns 0 if none.
 */
#define RESOLVE_RUN	3

static int
find_episode(cond_fn cond, int64_t from, int64_t for_s, struct episode *e)
{
	int64_t t, run = -1;
	double v;

	for (t = from; t < TEND; t += STEP) {
		if (!cond(t, &v)) {
			run = -1;
			continue;
		}
		if (run < 0)
			run = t;
		if (t - run >= for_s)
			break;
	}
	if (t >= TEND)
		return 0;
	e->value = v;
	e->start = (t + 17) * 1000 + (int64_t)(key3(0xa1, 1, t) % 1000);
	for (run = 0; t < TEND && run < RESOLVE_RUN; t += STEP)
		run = cond(t, &v) ? 0 : run + 1;
	t -= run * STEP;
	e->end = run == RESOLVE_RUN ? (t + 17) * 1000 +
	    (int64_t)(key3(0xa1, 2, t) % 1000) : 0;
	return 1;
}

static int
c_cpu(int64_t t, double *v)
{
	struct hs s;

	host_model(WEB2, t, &s);
	*v = s.user + s.sys + s.iow;
	return *v > 90.0;
}

static int
c_mem(int64_t t, double *v)
{
	struct hs s;

	host_model(WEB1, t, &s);
	*v = s.mem;
	return *v > 90.0;
}

/* predict_linear(disk used_percent[1d], 3d) >= 90 */
static int
c_disk(int64_t t, double *v)
{
	struct hs now, then;

	if (t - DAY < T0)
		return 0;
	host_model(DB1, t, &now);
	host_model(DB1, t - DAY, &then);
	*v = now.data + (now.data - then.data) * 3.0;
	return *v >= 90.0;
}

static int
c_gpu(int64_t t, double *v)
{
	struct gs g;

	gpu_model(GPU_HOT, t, &g);
	*v = g.temp;
	return g.temp > 85;
}

struct alertdef {
	const char	*alertname, *severity;
	int		 host;
	const char	*instance, *job, *xname, *xvalue;
	cond_fn		 cond;
	int64_t		 for_s;
	const char	*summary, *descfmt, *expr;
};

static const struct alertdef alertdefs[] = {
	{ "HighCPU", "critical", WEB2, "web-2:9273", "telegraf", NULL, NULL,
	  c_cpu, 300, "High CPU usage on web-2",
	  "CPU busy on web-2 is %.1f%% (threshold 90%%) for more than 5 "
	  "minutes.",
	  "100+-+cpu_usage_idle%7Bcpu%3D%22cpu-total%22%7D+%3E+90" },
	{ "HostOutOfMemory", "critical", WEB1, "web-1:9273", "telegraf",
	  NULL, NULL, c_mem, 300, "Host web-1 is out of memory",
	  "Memory used on web-1 is %.1f%% (threshold 90%%).",
	  "mem_used_percent+%3E+90" },
	{ "DiskWillFillSoon", "warning", DB1, "db-1:9273", "telegraf",
	  "path", "/var/lib/postgresql", c_disk, 3600,
	  "Disk /var/lib/postgresql on db-1 will reach 90% within 3 days",
	  "predict_linear over 1d gives %.1f%% used in 3 days on "
	  "/var/lib/postgresql (db-1).",
	  "predict_linear%28disk_used_percent%7Bpath%3D%22%2Fvar%2Flib%2F"
	  "postgresql%22%7D%5B1d%5D%2C+3+%2A+86400%29+%3E%3D+90" },
	{ "GPUOverheat", "critical", GPU1, "gpu-1:9400", "dcgm", "gpu", "2",
	  c_gpu, 300, "GPU 2 on gpu-1 is overheating",
	  "GPU 2 (00000000:47:00.0) temperature is %.0f C (threshold 85 C).",
	  "DCGM_FI_DEV_GPU_TEMP%7Bgpu%3D%222%22%7D+%3E+85" },
};

/* One webhook payload, as Go's encoding/json orders webhook.Message. */
static void
alert_payload(struct lines *L, int64_t sent, const struct alertdef *a,
    const struct episode *e, int resolved)
{
	const struct host *H = &hosts[a->host];
	struct label l[8], g[2], an[3];
	struct sbuf b = { 0 };
	char desc[512], st[40], en[40], runbook[128];
	size_t n = 0;
	int crit = strcmp(a->severity, "critical") == 0;

	l[n++] = (struct label){ "alertname", a->alertname };
	l[n++] = (struct label){ "cluster", H->cluster };
	l[n++] = (struct label){ "host", H->name };
	l[n++] = (struct label){ "instance", a->instance };
	l[n++] = (struct label){ "job", a->job };
	l[n++] = (struct label){ "severity", a->severity };
	if (a->xname != NULL)
		l[n++] = (struct label){ a->xname, a->xvalue };
	qsort(l, n, sizeof(l[0]), label_cmp);
	g[0] = l[0];
	g[1] = (struct label){ "cluster", H->cluster };
	xsnprintf(desc, sizeof(desc), a->descfmt, e->value);
	xsnprintf(runbook, sizeof(runbook),
	    "https://runbooks.example.com/alerts/%s", a->alertname);
	an[0] = (struct label){ "description", desc };
	an[1] = (struct label){ "runbook_url", runbook };
	an[2] = (struct label){ "summary", a->summary };
	fmt_ts(st, sizeof(st), e->start, TS_GO);
	if (resolved)
		fmt_ts(en, sizeof(en), e->end, TS_GO);
	else
		xsnprintf(en, sizeof(en), "0001-01-01T00:00:00Z");

	sb_addf(&b, "{\"receiver\":\"%s\",\"status\":\"%s\",\"alerts\":[{"
	    "\"status\":\"%s\",\"labels\":", crit ? "aiops-critical" :
	    "aiops-default", resolved ? "resolved" : "firing",
	    resolved ? "resolved" : "firing");
	sb_labels(&b, l, n);
	sb_addf(&b, ",\"annotations\":");
	sb_labels(&b, an, 3);
	sb_addf(&b, ",\"startsAt\":\"%s\",\"endsAt\":\"%s\",\"generatorURL\":"
	    "\"http://prometheus.%s.example.com:9090/graph?g0.expr=%s&g0.tab=1"
	    "\",\"fingerprint\":\"%016llx\"}],\"groupLabels\":", st, en,
	    H->cluster, a->expr, (unsigned long long)fingerprint(l, n));
	sb_labels(&b, g, 2);
	sb_addf(&b, ",\"commonLabels\":");
	sb_labels(&b, l, n);
	sb_addf(&b, ",\"commonAnnotations\":");
	sb_labels(&b, an, 3);
	sb_addf(&b, ",\"externalURL\":\"http://alertmanager.%s.example.com:9093"
	    "\",\"version\":\"4\",\"groupKey\":", H->cluster);
	xsnprintf(desc, sizeof(desc), "{}%s:{alertname=\"%s\", "
	    "cluster=\"%s\"}", crit ? "/{severity=\"critical\"}" : "",
	    a->alertname, H->cluster);
	sb_json(&b, desc);
	sb_addf(&b, ",\"truncatedAlerts\":0}");
	lines_add(L, sent, "%s", b.s);
	free(b.s);
}

/* What the timeline report and tests see, on stderr with -v. */
static int verbose;

static void
gen_alerts(void)
{
	FILE *f = out_open("alerts.ndjson");
	struct lines L;
	struct episode e;
	const struct alertdef *a;
	char s1[40], s2[40];
	size_t i;
	int64_t rep;

	memset(&L, 0, sizeof(L));
	for (i = 0; i < sizeof(alertdefs) / sizeof(alertdefs[0]); i++) {
		a = &alertdefs[i];
		if (!find_episode(a->cond, T0, a->for_s, &e))
			die(EX_SOFTWARE, "internal: %s never fires",
			    a->alertname);
		/* group_wait 30s, then repeat_interval 4h while firing */
		alert_payload(&L, e.start + 30000, a, &e, 0);
		for (rep = e.start + 30000 + 4 * 3600000;
		    rep < (e.end ? e.end : TEND * 1000); rep += 4 * 3600000)
			alert_payload(&L, rep, a, &e, 0);
		if (e.end != 0)		/* next group_interval tick */
			alert_payload(&L, e.end + 30000 + 300000 -
			    (e.end - e.start) % 300000, a, &e, 1);
		if (verbose)
			fprintf(stderr, "%s: %s .. %s (%.2f)\n", a->alertname,
			    fmt_ts(s1, sizeof(s1), e.start, TS_RFC3339),
			    e.end ? fmt_ts(s2, sizeof(s2), e.end, TS_RFC3339) :
			    "still firing", e.value);
	}
	lines_flush(&L, f, INT64_MAX);
	free(L.v);
	out_close(f, "alerts.ndjson");
}

/* ---------------------------------------------------------------- */
/* redfish-thermal.json, redfish-power.json: gpu-1's BMC            */

static const char *
health(double v, double warn, double crit)
{
	return v >= crit ? "Critical" : v >= warn ? "Warning" : "OK";
}

static void
rf_temp(FILE *f, int i, const char *name, int num, double v, double nc,
    double c, double fatal, const char *ctx, int last)
{
	fprintf(f, "    {\n"
	    "      \"@odata.id\": \"/redfish/v1/Chassis/1/Thermal#/Temperatures/"
	    "%d\",\n"
	    "      \"MemberId\": \"%d\",\n"
	    "      \"Name\": \"%s\",\n"
	    "      \"SensorNumber\": %d,\n"
	    "      \"Status\": { \"State\": \"Enabled\", \"Health\": \"%s\" },\n"
	    "      \"ReadingCelsius\": %.0f,\n"
	    "      \"UpperThresholdNonCritical\": %.0f,\n"
	    "      \"UpperThresholdCritical\": %.0f,\n"
	    "      \"UpperThresholdFatal\": %.0f,\n"
	    "      \"MinReadingRangeTemp\": 0,\n"
	    "      \"MaxReadingRangeTemp\": 127,\n"
	    "      \"PhysicalContext\": \"%s\"\n"
	    "    }%s\n", i, i, name, num, health(v, nc, c), v, nc, c, fatal,
	    ctx, last ? "" : ",");
}

static void
gen_redfish_thermal(void)
{
	FILE *f = out_open("redfish-thermal.json");
	struct gs g;
	struct hs s;
	char name[32];
	int i, rpm;
	double inlet;

	host_model(GPU1, REDFISH_T, &s);
	inlet = 23.0 + 0.4 * nz(GPU1, S_ROOM, REDFISH_T);
	fprintf(f, "{\n"
	    "  \"@odata.context\": \"/redfish/v1/$metadata#Thermal.Thermal\",\n"
	    "  \"@odata.id\": \"/redfish/v1/Chassis/1/Thermal\",\n"
	    "  \"@odata.type\": \"#Thermal.v1_7_0.Thermal\",\n"
	    "  \"Id\": \"Thermal\",\n"
	    "  \"Name\": \"Thermal\",\n"
	    "  \"Status\": { \"State\": \"Enabled\", \"Health\": \"Critical\" },\n"
	    "  \"Temperatures\": [\n");
	rf_temp(f, 0, "Inlet Temp", 1, floor(inlet + 0.5), 38, 42, 47,
	    "Intake", 0);
	rf_temp(f, 1, "Exhaust Temp", 2, floor(inlet + 19.5), 70, 75, 80,
	    "Exhaust", 0);
	rf_temp(f, 2, "CPU1 Temp", 3, floor(38.0 + s.user * 0.6), 88, 95, 100,
	    "CPU", 0);
	rf_temp(f, 3, "CPU2 Temp", 4, floor(36.0 + s.user * 0.6), 88, 95, 100,
	    "CPU", 0);
	for (i = 0; i < 4; i++) {
		gpu_model(i, REDFISH_T, &g);
		xsnprintf(name, sizeof(name), "GPU%d Temp", i);
		rf_temp(f, 4 + i, name, 5 + i, g.temp, 83, 90, 95, "GPU", i == 3);
	}
	fprintf(f, "  ],\n  \"Fans\": [\n");
	for (i = 0; i < 6; i++) {
		rpm = i == 2 ? 0 : 11760 + (int)(key3(0xfa, (uint64_t)i, 0) % 9)
		    * 120;
		fprintf(f, "    {\n"
		    "      \"@odata.id\": \"/redfish/v1/Chassis/1/Thermal#/Fans/"
		    "%d\",\n"
		    "      \"MemberId\": \"%d\",\n"
		    "      \"Name\": \"Fan%d\",\n"
		    "      \"PhysicalContext\": \"SystemBoard\",\n"
		    "      \"Status\": { \"State\": \"Enabled\", \"Health\": "
		    "\"%s\" },\n"
		    "      \"Reading\": %d,\n"
		    "      \"ReadingUnits\": \"RPM\",\n"
		    "      \"LowerThresholdCritical\": 1000,\n"
		    "      \"LowerThresholdFatal\": 500,\n"
		    "      \"MinReadingRange\": 0,\n"
		    "      \"MaxReadingRange\": 16800\n"
		    "    }%s\n", i, i, i + 1, rpm < 1000 ? "Critical" : "OK",
		    rpm, i == 5 ? "" : ",");
	}
	fprintf(f, "  ],\n"
	    "  \"Redundancy\": [\n"
	    "    {\n"
	    "      \"@odata.id\": \"/redfish/v1/Chassis/1/Thermal#/Redundancy/0\","
	    "\n"
	    "      \"MemberId\": \"0\",\n"
	    "      \"Name\": \"System Fans\",\n"
	    "      \"Mode\": \"N+m\",\n"
	    "      \"MinNumNeeded\": 5,\n"
	    "      \"MaxNumSupported\": 6,\n"
	    "      \"Status\": { \"State\": \"Enabled\", \"Health\": "
	    "\"Warning\" }\n"
	    "    }\n"
	    "  ]\n"
	    "}\n");
	out_close(f, "redfish-thermal.json");
}

static void
gen_redfish_power(void)
{
	FILE *f = out_open("redfish-power.json");
	struct gs g;
	double watts = 520.0, w, psu;
	int i;

	for (i = 0; i < 4; i++) {
		gpu_model(i, REDFISH_T, &g);
		watts += g.power;
	}
	watts = floor(watts + 0.5);
	fprintf(f, "{\n"
	    "  \"@odata.context\": \"/redfish/v1/$metadata#Power.Power\",\n"
	    "  \"@odata.id\": \"/redfish/v1/Chassis/1/Power\",\n"
	    "  \"@odata.type\": \"#Power.v1_7_0.Power\",\n"
	    "  \"Id\": \"Power\",\n"
	    "  \"Name\": \"Power\",\n"
	    "  \"PowerControl\": [\n"
	    "    {\n"
	    "      \"@odata.id\": \"/redfish/v1/Chassis/1/Power#/PowerControl/0"
	    "\",\n"
	    "      \"MemberId\": \"0\",\n"
	    "      \"Name\": \"System Power Control\",\n"
	    "      \"PowerConsumedWatts\": %.0f,\n"
	    "      \"PowerRequestedWatts\": 6500,\n"
	    "      \"PowerAvailableWatts\": %.0f,\n"
	    "      \"PowerCapacityWatts\": 6500,\n"
	    "      \"PowerAllocatedWatts\": 6500,\n"
	    "      \"PowerMetrics\": {\n"
	    "        \"IntervalInMin\": 1,\n"
	    "        \"MinConsumedWatts\": %.0f,\n"
	    "        \"MaxConsumedWatts\": %.0f,\n"
	    "        \"AverageConsumedWatts\": %.0f\n"
	    "      },\n"
	    "      \"PowerLimit\": {\n"
	    "        \"LimitInWatts\": null,\n"
	    "        \"LimitException\": \"LogEventOnly\"\n"
	    "      },\n"
	    "      \"Status\": { \"State\": \"Enabled\", \"Health\": \"OK\" }\n"
	    "    }\n"
	    "  ],\n"
	    "  \"Voltages\": [\n", watts, 6500 - watts, watts - 37, watts + 41,
	    watts - 3);
	for (i = 0; i < 4; i++) {
		static const char *const vn[] = { "PSU1 Input Voltage",
		    "PSU2 Input Voltage", "CPU1 VCORE", "P12V" };
		static const double vv[] = { 231, 229, 1.8, 12.1 };
		static const double lo[] = { 180, 180, 1.5, 10.8 };
		static const double hi[] = { 264, 264, 2.1, 13.2 };

		fprintf(f, "    {\n"
		    "      \"@odata.id\": \"/redfish/v1/Chassis/1/Power#/Voltages/"
		    "%d\",\n"
		    "      \"MemberId\": \"%d\",\n"
		    "      \"Name\": \"%s\",\n"
		    "      \"SensorNumber\": %d,\n"
		    "      \"Status\": { \"State\": \"Enabled\", \"Health\": "
		    "\"OK\" },\n"
		    "      \"ReadingVolts\": %g,\n"
		    "      \"LowerThresholdCritical\": %g,\n"
		    "      \"UpperThresholdCritical\": %g,\n"
		    "      \"PhysicalContext\": \"%s\"\n"
		    "    }%s\n", i, i, vn[i], 40 + i, vv[i], lo[i], hi[i],
		    i < 2 ? "PowerSupply" : i == 2 ? "CPU" : "SystemBoard",
		    i == 3 ? "" : ",");
	}
	fprintf(f, "  ],\n  \"PowerSupplies\": [\n");
	for (i = 0; i < 4; i++) {
		psu = watts / 4.0;
		w = floor(psu / 0.94 + 0.5);
		fprintf(f, "    {\n"
		    "      \"@odata.id\": \"/redfish/v1/Chassis/1/Power#/"
		    "PowerSupplies/%d\",\n"
		    "      \"MemberId\": \"%d\",\n"
		    "      \"Name\": \"PSU%d\",\n"
		    "      \"Status\": { \"State\": \"Enabled\", \"Health\": "
		    "\"OK\" },\n"
		    "      \"PowerSupplyType\": \"AC\",\n"
		    "      \"LineInputVoltageType\": \"ACHighLine\",\n"
		    "      \"LineInputVoltage\": %d,\n"
		    "      \"PowerCapacityWatts\": 3000,\n"
		    "      \"PowerInputWatts\": %.0f,\n"
		    "      \"PowerOutputWatts\": %.0f,\n"
		    "      \"LastPowerOutputWatts\": %.0f,\n"
		    "      \"Model\": \"PWS-3K02G-2R\",\n"
		    "      \"Manufacturer\": \"Supermicro\",\n"
		    "      \"SerialNumber\": \"P3K02GA26%05d\",\n"
		    "      \"FirmwareVersion\": \"1.3\"\n"
		    "    }%s\n", i, i, i + 1, i % 2 ? 229 : 231, w,
		    floor(psu + 0.5), floor(psu + 0.5),
		    (int)(key3(0x95, (uint64_t)i, 0) % 100000),
		    i == 3 ? "" : ",");
	}
	fprintf(f, "  ]\n}\n");
	out_close(f, "redfish-power.json");
}

/* ---------------------------------------------------------------- */
/* sensors.csv: room temperature sensors, 15 minutes                 */

static void
gen_sensors(void)
{
	static const struct {
		const char *host, *sensor;
		double base, load;
	} sn[] = {
		{ "env-prod-eu", "rack-a-inlet", 21.4, 0.6 },
		{ "env-prod-eu", "rack-a-outlet", 30.2, 5.5 },
		{ "env-prod-eu", "rack-b-inlet", 21.9, 0.5 },
		{ "env-prod-eu", "rack-b-outlet", 29.1, 4.8 },
		{ "env-gpu-lab", "lab-ambient", 23.1, 0.3 },
		{ "env-gpu-lab", "gpu-rack-inlet", 24.0, 0.0 },
		{ "env-gpu-lab", "gpu-rack-outlet", 31.0, 0.0 },
	};
	FILE *f = out_open("sensors.csv");
	char ts[32];
	int64_t t;
	size_t i;
	double v, hvac;

	fputs("time,host,sensor,value\n", f);
	for (t = T0; t < TEND; t += 900) {
		/* the HVAC cycles with a 50-minute period */
		hvac = 0.35 * sin(6.283185307179586 * (double)(t - T0) / 3000.0);
		for (i = 0; i < sizeof(sn) / sizeof(sn[0]); i++) {
			v = sn[i].base + sn[i].load * activity(t) + hvac +
			    0.1 * nz(NHOST + (int)i, S_ROOM, t);
			if (i == 6)
				v += 2.2 * gpu_jobs(t);
			fprintf(f, "%s,%s,%s,%.1f\n", fmt_ts(ts, sizeof(ts),
			    t * 1000, TS_ISO_S), sn[i].host, sn[i].sensor, v);
		}
	}
	out_close(f, "sensors.csv");
}

/* ---------------------------------------------------------------- */
/* node.prom (text 0.0.4) and node.om (OpenMetrics 1.0), db-1       */

/* Label values escape '\', '"' and newline (both formats). */
static void
prom_lv(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

struct prom {
	FILE	*f;
	int	 om;
	char	 ts[32];	/* " 1795305585123" or " 1795305585.123" */
};

/*
 * HELP, TYPE and (OpenMetrics) UNIT for a family.  Text 0.0.4 names a
 * counter by its sample name, OpenMetrics by the family without _total.
 */
static void
prom_family(struct prom *p, const char *name, const char *type,
    const char *unit, const char *help)
{
	const char *s, *sfx = "";

	if (!p->om && type != NULL && strcmp(type, "counter") == 0)
		sfx = "_total";
	fprintf(p->f, "# HELP %s%s ", name, sfx);
	for (s = help; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\\\", p->f);
		else if (*s == '\n')
			fputs("\\n", p->f);
		else if (*s == '"' && p->om)
			fputs("\\\"", p->f);
		else
			fputc(*s, p->f);
	}
	fputc('\n', p->f);
	if (type != NULL)
		fprintf(p->f, "# TYPE %s%s %s\n", name, sfx, type);
	if (p->om && unit != NULL)
		fprintf(p->f, "# UNIT %s %s\n", name, unit);
}

/*
 * One sample: name, then label pairs (NULL-terminated), value already
 * formatted.
 */
static void
prom_sample(struct prom *p, const char *name, const char *value, ...)
{
	va_list ap;
	const char *k, *v;
	int first = 1;

	fputs(name, p->f);
	va_start(ap, value);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		fprintf(p->f, "%s%s=\"", first ? "{" : ",", k);
		prom_lv(p->f, v);
		fputc('"', p->f);
		first = 0;
	}
	va_end(ap);
	fprintf(p->f, "%s %s%s\n", first ? "" : "}", value, p->ts);
}

static void
prom_cpu(struct prom *p, int64_t up)
{
	static const char *const modes[] = { "idle", "iowait", "irq", "nice",
	    "softirq", "steal", "system", "user" };
	static const double share[] = { 0.792, 0.031, 0.0, 0.002, 0.006, 0.0,
	    0.041, 0.128 };
	char cpu[8], v[32];
	int c, m;
	double j;

	prom_family(p, "node_cpu_seconds", "counter", "seconds",
	    "Seconds the CPUs spent in each mode.");
	for (c = 0; c < hosts[DB1].ncpu; c++)
		for (m = 0; m < 8; m++) {
			j = 1.0 + 0.1 * nz(DB1, 100 + c * 8 + m, 0);
			xsnprintf(cpu, sizeof(cpu), "%d", c);
			if (m == 0)
				j = 1.0 + 0.01 * nz(DB1, 100 + c * 8 + m, 0);
			xsnprintf(v, sizeof(v), "%.2f", (double)up * share[m] * j +
			    (m == 2 ? 0.0 : 0.37 * (m + 1)));
			prom_sample(p, "node_cpu_seconds_total", v, "cpu", cpu,
			    "mode", modes[m], NULL);
		}
}

static void
prom_fs(struct prom *p, const struct hs *s)
{
	static const char *const fam[] = { "node_filesystem_avail_bytes",
	    "node_filesystem_size_bytes" };
	char v[32];
	int i;

	for (i = 0; i < 2; i++) {
		prom_family(p, fam[i], "gauge", "bytes", i == 0 ?
		    "Filesystem space available to non-root users in bytes." :
		    "Filesystem size in bytes.");
		xsnprintf(v, sizeof(v), "%.0f", i == 0 ? (double)
		    hosts[DB1].root_total * (1.0 - s->root / 100.0) :
		    (double)hosts[DB1].root_total);
		prom_sample(p, fam[i], v, "device", "/dev/sda1", "fstype",
		    "ext4", "mountpoint", "/", NULL);
		xsnprintf(v, sizeof(v), "%.0f", i == 0 ? (double)DATA_TOTAL *
		    (1.0 - s->data / 100.0) : (double)DATA_TOTAL);
		prom_sample(p, fam[i], v, "device", "/dev/sdb1", "fstype",
		    "xfs", "mountpoint", "/var/lib/postgresql", NULL);
	}
}

static void
prom_histogram(struct prom *p)
{
	/* OpenMetrics wants canonical floats in le: "1.0", not "1" */
	static const char *const le[] = { "0.005", "0.01", "0.025", "0.05",
	    "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf" };
	static const char *const le_om[] = { "0.005", "0.01", "0.025", "0.05",
	    "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "10.0", "+Inf" };
	static const long cum[] = { 512, 9810, 30112, 41201, 42950, 43188,
	    43201, 43204, 43204, 43205, 43205, 43205 };
	char v[32];
	size_t i;

	prom_family(p, "http_request_duration_seconds", "histogram", "seconds",
	    "Latency of the exporter's HTTP requests.");
	for (i = 0; i < sizeof(le) / sizeof(le[0]); i++) {
		xsnprintf(v, sizeof(v), "%ld", cum[i]);
		if (p->om && i == 4) {
			/* an exemplar, OpenMetrics only */
			fprintf(p->f, "http_request_duration_seconds_bucket{"
			    "handler=\"/metrics\",le=\"%s\"} %s%s # "
			    "{trace_id=\"4bf92f3577b34da6\"} 0.067 "
			    "1795305580.001\n", le_om[i], v, p->ts);
			continue;
		}
		prom_sample(p, "http_request_duration_seconds_bucket", v,
		    "handler", "/metrics", "le", p->om ? le_om[i] : le[i], NULL);
	}
	prom_sample(p, "http_request_duration_seconds_sum", "811.2241",
	    "handler", "/metrics", NULL);
	prom_sample(p, "http_request_duration_seconds_count", "43205",
	    "handler", "/metrics", NULL);
}

static void
prom_summary(struct prom *p)
{
	static const char *const q[] = { "0", "0.25", "0.5", "0.75", "1" };
	static const char *const q_om[] = { "0.0", "0.25", "0.5", "0.75",
	    "1.0" };
	static const char *const qv[] = { "2.3682e-05", "3.9001e-05",
	    "5.1022e-05", "8.3317e-05", "0.003121177" };
	size_t i;

	prom_family(p, "go_gc_duration_seconds", "summary", "seconds",
	    "A summary of the wall-time pause (stop-the-world) duration in "
	    "garbage collection cycles.");
	for (i = 0; i < 5; i++)
		prom_sample(p, "go_gc_duration_seconds", qv[i], "quantile",
		    p->om ? q_om[i] : q[i], NULL);
	prom_sample(p, "go_gc_duration_seconds_sum", "0.412871104", NULL);
	prom_sample(p, "go_gc_duration_seconds_count", "6718", NULL);
}

static void
gen_prom(const char *name, int om)
{
	struct prom p;
	struct hs s;
	int64_t t = PROM_MS / 1000, up = t - hosts[DB1].boot;
	char v[64];

	p.f = out_open(name);
	p.om = om;
	if (om)
		xsnprintf(p.ts, sizeof(p.ts), " %lld.%03lld",
		    (long long)(PROM_MS / 1000), (long long)(PROM_MS % 1000));
	else
		xsnprintf(p.ts, sizeof(p.ts), " %lld", (long long)PROM_MS);
	host_model(DB1, t - t % STEP, &s);

	prom_family(&p, "node_boot_time_seconds", "gauge", "seconds",
	    "Node boot time, in unixtime.");
	xsnprintf(v, sizeof(v), "%lld", (long long)hosts[DB1].boot);
	prom_sample(&p, "node_boot_time_seconds", v, NULL);
	prom_cpu(&p, up);
	prom_fs(&p, &s);
	prom_family(&p, "node_load1", "gauge", NULL, "1m load average.");
	xsnprintf(v, sizeof(v), "%.2f", s.load);
	prom_sample(&p, "node_load1", v, NULL);
	prom_family(&p, "node_memory_MemAvailable_bytes", "gauge", "bytes",
	    "Memory information field MemAvailable_bytes.");
	xsnprintf(v, sizeof(v), "%.0f", (double)hosts[DB1].mem_total *
	    (1.0 - s.mem / 100.0));
	prom_sample(&p, "node_memory_MemAvailable_bytes", v, NULL);
	prom_family(&p, "node_memory_MemTotal_bytes", "gauge", "bytes",
	    "Memory information field MemTotal_bytes.");
	xsnprintf(v, sizeof(v), "%lld", (long long)hosts[DB1].mem_total);
	prom_sample(&p, "node_memory_MemTotal_bytes", v, NULL);
	prom_family(&p, "node_network_receive_bytes", "counter", "bytes",
	    "Network device statistic receive_bytes.");
	xsnprintf(v, sizeof(v), "%.0f", 1.3e6 * (double)up);
	prom_sample(&p, "node_network_receive_bytes_total", v, "device",
	    "eth0", NULL);
	prom_family(&p, "node_systemd_unit_state", "gauge", NULL,
	    "Systemd unit state; names keep systemd escapes such as \\x2d.");
	prom_sample(&p, "node_systemd_unit_state", "1", "name",
	    "mnt-backup\\x2dold.mount", "state", "active", "type", "mount",
	    NULL);
	prom_sample(&p, "node_systemd_unit_state", "1", "name",
	    "postgresql@16-main.service", "state", "active", "type", "service",
	    NULL);
	prom_family(&p, "node_uname_info", "gauge", NULL,
	    "Labeled system information as provided by the uname system call.");
	prom_sample(&p, "node_uname_info", "1", "domainname", "(none)",
	    "machine", "x86_64", "nodename", "db-1", "release",
	    "6.1.0-27-amd64", "sysname", "Linux", "version",
	    "#1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1 (2024-11-01)", NULL);
	prom_family(&p, "backup_last_status", "gauge", NULL,
	    "Result of the last backup (textfile collector).\n"
	    "0 = failed, 1 = ok.");
	prom_sample(&p, "backup_last_status", "1", "job", "pg_dump \"shop\"",
	    "message", "done\nwarnings: 0", NULL);
	prom_histogram(&p);
	prom_summary(&p);
	/* untyped, no HELP/TYPE in 0.0.4; "unknown" in OpenMetrics */
	if (om)
		fputs("# TYPE backup_last_size_bytes unknown\n", p.f);
	prom_sample(&p, "backup_last_size_bytes", "1.2345678e+10", NULL);
	if (om)
		fputs("# EOF\n", p.f);
	out_close(p.f, name);
}

/* ---------------------------------------------------------------- */
/* faults.json: the truth of the planted faults                      */

void
fault_write(FILE *out, int id, const struct fault *f)
{
	struct sbuf b = { 0 };
	char ts[40];
	int i;

	sb_addf(&b, "{\"id\":\"f%d\",\"kind\":", id);
	sb_json(&b, f->kind);
	sb_addf(&b, ",\"hosts\":[");
	for (i = 0; i < f->nhosts; i++) {
		sb_addf(&b, "%s", i ? "," : "");
		sb_json(&b, f->hosts[i]);
	}
	sb_addf(&b, "],\"cause_host\":");
	sb_json(&b, f->cause);
	sb_addf(&b, ",\"start\":\"%s\"", fmt_ts(ts, sizeof(ts),
	    f->start * 1000, TS_ISO_S));
	sb_addf(&b, ",\"end\":\"%s\",\"signals\":[", fmt_ts(ts,
	    sizeof(ts), f->end * 1000, TS_ISO_S));
	for (i = 0; f->signals[i] != NULL; i++) {
		sb_addf(&b, "%s", i ? "," : "");
		sb_json(&b, f->signals[i]);
	}
	sb_addf(&b, "],\"title\":");
	sb_json(&b, f->title);
	sb_addf(&b, "}\n");
	fputs(b.s, out);
	free(b.s);
}

static const char *const sig_ssh[] = { "maximum authentication attempts",
	"Too many authentication failures", "Invalid user", NULL };
static const char *const sig_leak[] = { "mem_used_percent", "mem_used",
	"mem_available_percent", "mem_available", "Out of memory",
	"oom-kill", "oom_reaper:", "HostOutOfMemory", NULL };
static const char *const sig_cpu[] = { "cpu_usage_user", "cpu_usage_idle",
	"cpu_usage_system", "system_load1", "system_load5", "system_load15",
	"HighCPU", NULL };
static const char *const sig_ioerr[] = { "cpu_usage_iowait", "I/O error",
	"Medium Error", "Input/output error", "unreadable (pending) sectors",
	NULL };
static const char *const sig_fan[] = { "nvidia_smi_temperature_gpu",
	"nvidia_smi_power_draw", "Fan #0x33", "thermal violation",
	"GPUOverheat", NULL };

/*
 * The quick start's faults as an on-call person is paged for them.  The
 * leak's window is the OOM kill and the reboot, not the two days of slow
 * growth before: nothing in that growth is material until the end.
 */
static void
gen_faults(void)
{
	static const struct fault qs[] = {
	    { "security", { "web-1" }, 1, "web-1", SSH_BURST, SSH_BURST_END,
	      sig_ssh, "web-1: SSH brute force from 203.0.113.77" },
	    { "memory", { "web-1" }, 1, "web-1", OOM_T - 1800, REBOOT_T + 600,
	      sig_leak, "web-1: memory leak, app killed by the OOM killer, "
	      "host rebooted" },
	    { "cpu", { "web-2", "db-1" }, 2, "web-2", CPU_START, CPU_END,
	      sig_cpu, "web-2: CPU saturated, upstream timeouts, db-1 out of "
	      "connections" },
	    { "disk_io", { "db-1" }, 1, "db-1", IOERR_START, IOERR_END,
	      sig_ioerr, "db-1: medium errors on sdb, I/O errors in XFS and "
	      "postgres" },
	    { "hardware", { "gpu-1" }, 1, "gpu-1", FAN_FAIL, FAN_FIX + 1800,
	      sig_fan, "gpu-1: chassis fan 3 stopped, GPU 2 overheats and "
	      "throttles" },
	};
	FILE *f = out_open("faults.json");
	size_t i;

	for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++)
		fault_write(f, (int)i + 1, &qs[i]);
	out_close(f, "faults.json");
}

/* ---------------------------------------------------------------- */

int
main(int argc, char *argv[])
{
	struct stat sb;

	if (argc >= 2 && strcmp(argv[1], "--fleet") == 0)
		return fleet_main(argc - 1, argv + 1);
	if (argc == 3 && strcmp(argv[1], "-v") == 0) {
		verbose = 1;
		argv++;
		argc--;
	}
	if (argc != 2) {
		fputs("usage: gensamples [-v] outdir\n"
		    "       gensamples --fleet [--seed n] [--hosts n] "
		    "[--days n] outdir\n", stderr);
		return EX_USAGE;
	}
	outdir = argv[1];
	if (mkdir(outdir, 0777) != 0 && errno != EEXIST)
		die(EX_CANTCREAT, "%s: %s", outdir, strerror(errno));
	if (stat(outdir, &sb) != 0 || !S_ISDIR(sb.st_mode))
		die(EX_CANTCREAT, "%s: not a directory", outdir);
	if (days_from_civil(2026, 11, 15) * DAY != T0)
		die(EX_SOFTWARE, "internal: calendar is wrong");

	gen_metrics();
	gen_gpu("gpu.csv", 1, T0, TEND);
	gen_gpu("gpu-nounits.csv", 0, AT(6, 0, 0, 0), TEND);
	gen_syslog();
	gen_syslog5424();
	gen_app_ndjson();
	gen_app_log();
	gen_alerts();
	gen_redfish_thermal();
	gen_redfish_power();
	gen_sensors();
	gen_prom("node.prom", 0);
	gen_prom("node.om", 1);
	gen_faults();
	return 0;
}
