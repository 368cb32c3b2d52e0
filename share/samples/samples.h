/*
 * samples.h: what gensamples.c shares with fleet.c: errors and output
 * files, a growable string, lines sorted by time, the calendar without
 * gmtime(3), and counter-based randomness (splitmix64).  Both write
 * byte-identical files across runs and machines: no rand(), no time(),
 * no locale.
 */
#ifndef SAMPLES_H
#define SAMPLES_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#define EX_USAGE	64
#define EX_SOFTWARE	70
#define EX_CANTCREAT	73
#define EX_IOERR	74

#define DAY		INT64_C(86400)
#define MAXMSG		2048
#define GIB		INT64_C(1073741824)
#define GOLDEN		UINT64_C(0x9e3779b97f4a7c15)

/* facility * 8 + severity (RFC 3164) */
#define PRI(fac, sev)	((fac) * 8 + (sev))
enum { F_KERN = 0, F_USER = 1, F_DAEMON = 3, F_AUTH = 4, F_SYSLOG = 5,
	F_CRON = 9, F_AUTHPRIV = 10, F_LOCAL0 = 16, F_LOCAL7 = 23 };
enum { L_CRIT = 2, L_ERR = 3, L_WARN = 4, L_NOTICE = 5, L_INFO = 6 };

struct sbuf {
	char	*s;
	size_t	 len, cap;
};

struct line {
	int64_t	 key;		/* milliseconds since the epoch */
	long	 seq;		/* insertion order breaks ties */
	char	*s;
};

struct lines {
	struct line	*v;
	size_t		 n, cap;
	long		 seq;
};

struct civil {
	int	y, mon, d, h, min, s, ms;
	int	wday;		/* 0 = Monday */
};

enum tsfmt {
	TS_RFC3339,	/* 2026-11-15T00:00:03.120Z */
	TS_GO,		/* Go RFC3339Nano: trailing zeros trimmed */
	TS_ISO_S,	/* 2026-11-15T00:00:00Z */
	TS_3164,	/* Nov 15 00:00:03 */
	TS_LOG4J,	/* 2026-11-15 00:00:03,120 */
	TS_SLASH_MS,	/* 2026/11/15 00:00:03.120 (nvidia-smi) */
	TS_SLASH	/* 2026/11/15 00:00:03 (nginx) */
};

struct rng {
	uint64_t s;
};

/* The output directory; out_open() names files in it. */
extern const char *outdir;

/* Print "gensamples: ..." on stderr and exit with code. */
void	 die(int code, const char *fmt, ...)
	    __attribute__((__format__(__printf__, 2, 3), __noreturn__));
/* vsnprintf and snprintf that treat truncation as a bug. */
void	 xvsnprintf(char *buf, size_t len, const char *fmt, va_list ap);
void	 xsnprintf(char *buf, size_t len, const char *fmt, ...)
	    __attribute__((__format__(__printf__, 3, 4)));
void	*xrealloc(void *p, size_t n);
FILE	*out_open(const char *name);
void	 out_close(FILE *f, const char *name);

void	 sb_addf(struct sbuf *b, const char *fmt, ...)
	    __attribute__((__format__(__printf__, 2, 3)));
/* Append s as a JSON string (RFC 8259), quotes included. */
void	 sb_json(struct sbuf *b, const char *s);

/* A line at key (ms); lines_flush() writes those before limit in order. */
void	 lines_add(struct lines *L, int64_t key, const char *fmt, ...)
	    __attribute__((__format__(__printf__, 3, 4)));
void	 lines_flush(struct lines *L, FILE *f, int64_t limit);

int64_t	 floordiv(int64_t a, int64_t b);
int64_t	 days_from_civil(int64_t y, int m, int d);
void	 civil_from_ms(int64_t ms, struct civil *c);
const char *fmt_ts(char *buf, size_t len, int64_t ms, enum tsfmt how);

uint64_t mix(uint64_t z);
uint64_t key3(uint64_t a, uint64_t b, uint64_t c);
/* Uniform in [0, 1) from 53 bits of x. */
double	 u01(uint64_t x);
/* A standard normal deviate from one key. */
double	 gauss(uint64_t k);
double	 clamp(double x, double lo, double hi);
int	 during(int64_t t, int64_t a, int64_t b);	/* a <= t < b */
double	 logistic(double x);
uint64_t rnext(struct rng *r);
double	 runif(struct rng *r);
/* Uniform integer in [lo, hi]. */
long	 rint_(struct rng *r, long lo, long hi);
/* A random instant in [s, s + span) seconds, in milliseconds. */
int64_t	 rms(struct rng *r, int64_t s, long span);

#define PICK(r, a)	((a)[rint_((r), 0, (long)(sizeof(a) / sizeof((a)[0])) - 1)])

/*
 * A planted fault, as faults.json gives it: one JSON object a line.
 * start is when the first material change starts on the cause host, end
 * when it is over (epoch seconds).  signals: metric names (exact) and log
 * substrings (any case) that name the cause on the cause host; NULL ends.
 * A signal of lowercase letters, digits and '_' only is a metric name,
 * any other a log substring (bench/incidents/score.py tells them so).
 */
#define FAULT_MAXHOSTS	64
struct fault {
	const char		*kind;
	const char		*hosts[FAULT_MAXHOSTS];
	int			 nhosts;
	const char		*cause;
	int64_t			 start, end;
	const char *const	*signals;
	char			 title[256];
};

/* Write f as line id ("f1") of faults.json. */
void	 fault_write(FILE *out, int id, const struct fault *f);

/* fleet.c: gensamples --fleet; argv[0] is "--fleet". */
int	 fleet_main(int argc, char *argv[]);

#endif
