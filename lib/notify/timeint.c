/*
 * timeint.c: Alertmanager time intervals and recurring silences (see
 * timeint.h for the model, the sources and the deliberate differences).
 */
#include "compat.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/timeutil.h"
#include "core/errf.h"
#include "core/xmalloc.h"
#include "notify/timeint.h"

/* The range fields, in the order of the canonical form. */
enum field { F_TIMES, F_WEEKDAYS, F_DAYS, F_MONTHS, F_YEARS, NFIELDS };

static const char *const field_names[NFIELDS] = {
	"times", "weekdays", "days_of_month", "months", "years",
};

/* Inclusive [begin, end]; times are [begin, end) in minutes of the day. */
struct range {
	int64_t begin, end;
};

struct field_val {
	int present;		/* 0: absent or null, matches all */
	struct range *r;
	size_t n;		/* 0 with present: matches nothing */
};

struct entry {
	struct field_val f[NFIELDS];
	char *location;		/* NULL: the caller's zone */
};

struct aiops_timeint {
	struct entry *e;
	size_t n;
};

static const char *const weekday_names[7] = {
	"sunday", "monday", "tuesday", "wednesday", "thursday", "friday",
	"saturday",
};

static const char *const month_names[13] = {
	"", "january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december",
};

#define SEC_PER_DAY	86400
#define ZONE_NAME_MAX	255
#define ERR_PREFIX_MAX	256

/* ------------------------------------------------------------------------
 * Errors
 */

/* Puts pre in front of the message already in err. */
static void
preerr(char *err, size_t errlen, const char *fmt, ...)
{
	char pre[ERR_PREFIX_MAX], *old;
	va_list ap;

	if (errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	old = xstrdup(err);
	(void)snprintf(err, errlen, "%s%s", pre, old);
	free(old);
}

/* ------------------------------------------------------------------------
 * Members and ranges, as timeinterval.go reads them
 */

/*
 * Go's strconv.Atoi on 64 bits: an optional sign, then decimal digits, and
 * nothing else. 0 ok, -1 not a number, -2 out of range.
 */
static int
go_atoi(const char *s, int64_t *v)
{
	const char *p = s;
	char *end;
	long long x;

	if (*p == '+' || *p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return -1;
	for (; *p != '\0'; p++)
		if (!isdigit((unsigned char)*p))
			return -1;
	errno = 0;
	x = strtoll(s, &end, 10);
	if (errno == ERANGE)
		return -2;
	*v = x;
	return 0;
}

static int
name_index(const char *const *names, int lo, int hi, const char *s)
{
	int i;

	for (i = lo; i <= hi; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

static int
member(enum field f, const char *s, int64_t *v, char *err, size_t errlen)
{
	int i, rc;

	switch (f) {
	case F_WEEKDAYS:
		if ((i = name_index(weekday_names, 0, 6, s)) < 0) {
			aiops_errf(err, errlen, "%s is not a valid weekday", s);
			return -1;
		}
		*v = i;
		return 0;
	case F_MONTHS:
		if ((rc = go_atoi(s, v)) == 0) {
			if (*v < 1 || *v > 12) {
				aiops_errf(err, errlen, "%s is not a valid month: out of range", s);
				return -1;
			}
			return 0;
		}
		if ((i = name_index(month_names, 1, 12, s)) < 0) {
			aiops_errf(err, errlen, "%s is not a valid month", s);
			return -1;
		}
		*v = i;
		return 0;
	case F_DAYS:
	case F_YEARS:
		if ((rc = go_atoi(s, v)) != 0) {
			aiops_errf(err, errlen, "%s is not a valid %s%s", s,
			    f == F_DAYS ? "day of the month" : "year",
			    rc == -2 ? ": out of range" : "");
			return -1;
		}
		return 0;
	default:
		return -1;
	}
}

/* The checks each kind of range makes once both ends are known. */
static int
check_range(enum field f, const struct range *r, char *err, size_t errlen)
{
	int64_t b = r->begin, e = r->end;

	switch (f) {
	case F_WEEKDAYS:
		if (b > e) {
			aiops_errf(err, errlen, "end day %s is before start day %s",
			    weekday_names[e], weekday_names[b]);
			return -1;
		}
		return 0;
	case F_MONTHS:
		if (b > e) {
			aiops_errf(err, errlen, "end month %s is before start month %s",
			    month_names[e], month_names[b]);
			return -1;
		}
		return 0;
	case F_YEARS:
		if (b < 0 || e < 0) {
			aiops_errf(err, errlen, "%lld is not a valid year: negative",
			    (long long)(b < 0 ? b : e));
			return -1;
		}
		if (b > e) {
			aiops_errf(err, errlen, "end year %lld is before start year %lld",
			    (long long)e, (long long)b);
			return -1;
		}
		return 0;
	case F_DAYS:
		if (b == 0 || b < -31 || b > 31 || e == 0 || e < -31 || e > 31) {
			aiops_errf(err, errlen, "%lld is not a valid day of the month: out of range",
			    (long long)(b == 0 || b < -31 || b > 31 ? b : e));
			return -1;
		}
		if (b < 0 && e > 0) {
			aiops_errf(err, errlen, "end day must be negative if start day is negative");
			return -1;
		}
		/* Alertmanager's check: a negative day counts as 28 + d. */
		if ((b < 0 ? 28 + b : b) > (e < 0 ? 28 + e : e)) {
			aiops_errf(err, errlen, "end day %lld is always before start day %lld",
			    (long long)e, (long long)b);
			return -1;
		}
		return 0;
	default:
		return -1;
	}
}

/* "b" or "b:e", lower-cased first as Alertmanager does. */
static int
parse_range(enum field f, const char *text, struct range *r, char *err,
    size_t errlen)
{
	char *s, *colon, *p;
	int rc = -1;

	s = xstrdup(text);
	for (p = s; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	if ((colon = strchr(s, ':')) != NULL) {
		*colon = '\0';
		if (strchr(colon + 1, ':') != NULL) {
			*colon = ':';
			aiops_errf(err, errlen, "couldn't parse range %s, invalid format", s);
			goto out;
		}
		if (member(f, s, &r->begin, err, errlen) == -1 ||
		    member(f, colon + 1, &r->end, err, errlen) == -1)
			goto out;
	} else {
		if (member(f, s, &r->begin, err, errlen) == -1)
			goto out;
		r->end = r->begin;
	}
	rc = check_range(f, r, err, errlen);
out:
	free(s);
	return rc;
}

/*
 * "HH:MM", 00:00..23:59 or 24:00 (timeinterval.go's validTime regex), in
 * minutes of the day; -1 if not.
 */
static int
parse_hhmm(const char *s)
{
	int h, m;

	if (strlen(s) != 5 || s[2] != ':' || !isdigit((unsigned char)s[0]) ||
	    !isdigit((unsigned char)s[1]) || !isdigit((unsigned char)s[3]) ||
	    !isdigit((unsigned char)s[4]))
		return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h == 24 && m == 0)
		return 24 * 60;
	if (h > 23 || m > 59)
		return -1;
	return h * 60 + m;
}

/* ------------------------------------------------------------------------
 * From JSON
 */

/*
 * The text of a scalar as the YAML loader would give it: a string (no NUL
 * inside) or an integer's decimal form, into buf. NULL for anything else.
 */
static const char *
scalar_text(const json_t *v, char *buf, size_t len)
{
	const char *s;

	if (json_is_integer(v)) {
		(void)snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	}
	if (!json_is_string(v))
		return NULL;
	s = json_string_value(v);
	if (strlen(s) != json_string_length(v))
		return NULL;
	return s;
}

static int
parse_time_range(const json_t *v, struct range *r, char *err, size_t errlen)
{
	const char *key, *st = NULL, *en = NULL;
	char b1[32], b2[32];
	json_t *x;

	if (!json_is_object(v)) {
		aiops_errf(err, errlen, "must be a mapping with start_time and end_time");
		return -1;
	}
	json_object_foreach((json_t *)v, key, x) {
		if (strcmp(key, "start_time") == 0)
			st = json_is_null(x) ? NULL : scalar_text(x, b1, sizeof(b1));
		else if (strcmp(key, "end_time") == 0)
			en = json_is_null(x) ? NULL : scalar_text(x, b2, sizeof(b2));
		else {
			aiops_errf(err, errlen, "field %s not found in a time range", key);
			return -1;
		}
		if (!json_is_null(x) && (strcmp(key, "start_time") == 0 ? st : en) == NULL) {
			aiops_errf(err, errlen, "%s: must be a string", key);
			return -1;
		}
	}
	if (st == NULL || en == NULL || *st == '\0' || *en == '\0') {
		aiops_errf(err, errlen, "both start and end times must be provided");
		return -1;
	}
	if ((r->begin = parse_hhmm(st)) < 0 || (r->end = parse_hhmm(en)) < 0) {
		aiops_errf(err, errlen, "couldn't parse timestamp %s, invalid format",
		    r->begin < 0 ? st : en);
		return -1;
	}
	if (r->begin >= r->end) {
		aiops_errf(err, errlen, "start time cannot be equal or greater than end time");
		return -1;
	}
	return 0;
}

static int
parse_field(enum field f, const json_t *v, struct field_val *fv, char *err,
    size_t errlen)
{
	char buf[32];
	const char *s;
	size_t i;

	if (json_is_null(v))
		return 0;
	if (!json_is_array(v)) {
		aiops_errf(err, errlen, "%s: must be a list", field_names[f]);
		return -1;
	}
	fv->present = 1;
	fv->n = json_array_size(v);
	fv->r = fv->n ? xcalloc(fv->n, sizeof(*fv->r)) : NULL;
	for (i = 0; i < fv->n; i++) {
		const json_t *x = json_array_get(v, i);
		int rc;

		if (f == F_TIMES)
			rc = parse_time_range(x, &fv->r[i], err, errlen);
		else if ((s = scalar_text(x, buf, sizeof(buf))) == NULL) {
			aiops_errf(err, errlen, "must be a string");
			rc = -1;
		} else
			rc = parse_range(f, s, &fv->r[i], err, errlen);
		if (rc == -1) {
			preerr(err, errlen, "%s[%zu]: ", field_names[f], i);
			return -1;
		}
	}
	return 0;
}

static void
entry_release(struct entry *e)
{
	int f;

	for (f = 0; f < NFIELDS; f++)
		free(e->f[f].r);
	free(e->location);
}

static int
parse_location(const json_t *v, struct entry *e, char *err, size_t errlen)
{
	char buf[32];
	const char *s;

	if (json_is_null(v))
		return 0;
	if ((s = scalar_text(v, buf, sizeof(buf))) == NULL) {
		aiops_errf(err, errlen, "location: must be a string");
		return -1;
	}
	if (aiops_timeint_zone_check(s, err, errlen) == -1) {
		preerr(err, errlen, "location: ");
		return -1;
	}
	e->location = xstrdup(*s == '\0' ? "UTC" : s);
	return 0;
}

static int
parse_entry(const json_t *v, struct entry *e, char *err, size_t errlen)
{
	const char *key;
	json_t *x;
	int f;

	if (json_is_null(v))
		return 0;
	if (!json_is_object(v)) {
		aiops_errf(err, errlen, "must be a mapping");
		return -1;
	}
	json_object_foreach((json_t *)v, key, x) {
		if (strcmp(key, "location") == 0) {
			if (parse_location(x, e, err, errlen) == -1)
				return -1;
			continue;
		}
		for (f = 0; f < NFIELDS; f++)
			if (strcmp(key, field_names[f]) == 0)
				break;
		if (f == NFIELDS) {
			aiops_errf(err, errlen, "field %s not found in a time interval", key);
			return -1;
		}
		if (parse_field((enum field)f, x, &e->f[f], err, errlen) == -1)
			return -1;
	}
	return 0;
}

struct aiops_timeint *
aiops_timeint_parse(const json_t *entries, char *err, size_t errlen)
{
	struct aiops_timeint *ti;
	size_t i;

	if (!json_is_array(entries)) {
		aiops_errf(err, errlen, "time intervals: must be a list");
		return NULL;
	}
	ti = xcalloc(1, sizeof(*ti));
	ti->n = json_array_size(entries);
	ti->e = ti->n ? xcalloc(ti->n, sizeof(*ti->e)) : NULL;
	for (i = 0; i < ti->n; i++) {
		if (parse_entry(json_array_get(entries, i), &ti->e[i], err, errlen) == -1) {
			preerr(err, errlen, "[%zu]%s", i,
			    json_is_object(json_array_get(entries, i)) ? "." : ": ");
			aiops_timeint_free(ti);
			return NULL;
		}
	}
	return ti;
}

struct aiops_timeint *
aiops_timeint_parse_text(const char *text, size_t len, char *err, size_t errlen)
{
	struct aiops_timeint *ti;
	json_error_t jerr;
	json_t *j;

	if ((j = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr)) == NULL) {
		aiops_errf(err, errlen, "column %d: %s", jerr.column, jerr.text);
		return NULL;
	}
	ti = aiops_timeint_parse(j, err, errlen);
	json_decref(j);
	return ti;
}

void
aiops_timeint_free(struct aiops_timeint *ti)
{
	size_t i;

	if (ti == NULL)
		return;
	for (i = 0; i < ti->n; i++)
		entry_release(&ti->e[i]);
	free(ti->e);
	free(ti);
}

/* ------------------------------------------------------------------------
 * Zones
 */

static const char *
tzdir(void)
{
	const char *d = getenv("TZDIR");

	return d != NULL && *d != '\0' ? d : "/usr/share/zoneinfo";
}

int
aiops_timeint_zone_check(const char *name, char *err, size_t errlen)
{
	char path[PATH_MAX], magic[4];
	ssize_t n;
	int fd, rc;

	if (*name == '\0' || strcmp(name, "UTC") == 0 || strcmp(name, "Local") == 0)
		return 0;
	if (strstr(name, "..") != NULL || name[0] == '/' || name[0] == '\\' ||
	    strlen(name) > ZONE_NAME_MAX) {
		aiops_errf(err, errlen, "time: invalid location name");
		return -1;
	}
	rc = snprintf(path, sizeof(path), "%s/%s", tzdir(), name);
	if (rc < 0 || (size_t)rc >= sizeof(path) ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		aiops_errf(err, errlen, "unknown time zone %s", name);
		return -1;
	}
	n = read(fd, magic, sizeof(magic));
	(void)close(fd);
	if (n == -1 && errno == EISDIR) {
		aiops_errf(err, errlen, "unknown time zone %s", name);
		return -1;
	}
	if (n != (ssize_t)sizeof(magic) || memcmp(magic, "TZif", 4) != 0) {
		aiops_errf(err, errlen, "malformed time zone information");
		return -1;
	}
	return 0;
}

/*
 * The zone an entry is evaluated in: "UTC", "Local" or a tz name. Both
 * "" and NULL mean UTC (Go's LoadLocation("") is UTC).
 */
static const char *
entry_zone(const struct entry *e, const char *deftz)
{
	const char *z = e->location != NULL ? e->location : deftz;

	return z == NULL || *z == '\0' ? "UTC" : z;
}

/*
 * TZ for the length of one call. The process's TZ is saved by tz_begin()
 * and put back by tz_end(); tz_use() switches between zones in between.
 */
struct tzstate {
	char *saved;		/* the process's TZ, or NULL if unset */
	int changed;		/* TZ is not the saved one now */
	int utc;		/* the current zone is UTC: gmtime_r */
};

static void
tz_begin(struct tzstate *tz)
{
	const char *s = getenv("TZ");

	tz->saved = s != NULL ? xstrdup(s) : NULL;
	tz->changed = 0;
	tz->utc = 1;
}

static void
tz_restore(struct tzstate *tz)
{
	if (!tz->changed)
		return;
	if (tz->saved != NULL)
		(void)setenv("TZ", tz->saved, 1);
	else
		(void)unsetenv("TZ");
	tzset();
	tz->changed = 0;
}

static void
tz_use(struct tzstate *tz, const char *zone)
{
	char buf[ZONE_NAME_MAX + 2];

	tz->utc = strcmp(zone, "UTC") == 0;
	if (tz->utc)
		return;
	if (strcmp(zone, "Local") == 0) {
		tz_restore(tz);
		return;
	}
	(void)snprintf(buf, sizeof(buf), ":%s", zone);
	(void)setenv("TZ", buf, 1);
	tzset();
	tz->changed = 1;
}

static void
tz_end(struct tzstate *tz)
{
	tz_restore(tz);
	free(tz->saved);
	tz->saved = NULL;
}

/* ------------------------------------------------------------------------
 * Evaluation
 */

/* Wall-clock time of an instant in the current zone. */
struct wall {
	int64_t year;
	int mon, mday, wday, mdays;	/* 1-12, 1-31, 0 = Sunday */
	int sod;			/* seconds of the local day */
	long off;			/* UTC offset, seconds */
};

static int
wall_at(const struct tzstate *tz, int64_t s, struct wall *w)
{
	time_t t = (time_t)s;
	struct tm tm;

	memset(w, 0, sizeof(*w));
	if ((tz->utc ? gmtime_r(&t, &tm) : localtime_r(&t, &tm)) == NULL)
		return -1;
	w->year = (int64_t)tm.tm_year + 1900;
	w->mon = tm.tm_mon + 1;
	w->mday = tm.tm_mday;
	w->wday = tm.tm_wday;
	w->mdays = aiops_days_in_month(w->year, w->mon);
	/* A leap second (the right/ zones) counts as the second before. */
	w->sod = tm.tm_hour * 3600 + tm.tm_min * 60 + (tm.tm_sec > 59 ? 59 : tm.tm_sec);
	w->off = tz->utc ? 0 : tm.tm_gmtoff;
	return 0;
}

static int
in_ranges(const struct field_val *fv, int64_t v)
{
	size_t i;

	for (i = 0; i < fv->n; i++)
		if (v >= fv->r[i].begin && v <= fv->r[i].end)
			return 1;
	return 0;
}

static int
in_times(const struct field_val *fv, int minute)
{
	size_t i;

	for (i = 0; i < fv->n; i++)
		if (minute >= fv->r[i].begin && minute < fv->r[i].end)
			return 1;
	return 0;
}

/* timeinterval.go's days_of_month test: negatives, skip, clamp. */
static int
in_days(const struct field_val *fv, const struct wall *w)
{
	int64_t b, e, dim = w->mdays;
	size_t i;

	for (i = 0; i < fv->n; i++) {
		b = fv->r[i].begin < 0 ? dim + fv->r[i].begin + 1 : fv->r[i].begin;
		e = fv->r[i].end < 0 ? dim + fv->r[i].end + 1 : fv->r[i].end;
		if (b > dim)
			continue;
		if (b < -dim)
			b = -dim;
		if (e > dim)
			e = dim;
		if (e < -dim)
			e = -dim;
		if (w->mday >= b && w->mday <= e)
			return 1;
	}
	return 0;
}

static int
entry_contains(const struct entry *e, const struct wall *w)
{
	const struct field_val *f = e->f;

	if (f[F_TIMES].present && !in_times(&f[F_TIMES], w->sod / 60))
		return 0;
	if (f[F_DAYS].present && !in_days(&f[F_DAYS], w))
		return 0;
	if (f[F_MONTHS].present && !in_ranges(&f[F_MONTHS], w->mon))
		return 0;
	if (f[F_WEEKDAYS].present && !in_ranges(&f[F_WEEKDAYS], w->wday))
		return 0;
	if (f[F_YEARS].present && !in_ranges(&f[F_YEARS], w->year))
		return 0;
	return 1;
}

/* The entries of one interval that share a zone. */
struct group {
	const char *zone;
	size_t *idx, n;
	int state;
	int64_t flip;		/* next change of state, seconds */
};

static struct group *
groups_make(const struct aiops_timeint *ti, const char *deftz, size_t *ng)
{
	struct group *g = xcalloc(ti->n ? ti->n : 1, sizeof(*g));
	size_t i, k;

	*ng = 0;
	for (i = 0; i < ti->n; i++) {
		const char *z = entry_zone(&ti->e[i], deftz);

		for (k = 0; k < *ng; k++)
			if (strcmp(g[k].zone, z) == 0)
				break;
		if (k == *ng) {
			g[k].zone = z;
			g[k].idx = xcalloc(ti->n, sizeof(*g[k].idx));
			(*ng)++;
		}
		g[k].idx[g[k].n++] = i;
	}
	return g;
}

static void
groups_free(struct group *g, size_t ng)
{
	size_t k;

	for (k = 0; k < ng; k++)
		free(g[k].idx);
	free(g);
}

/* Whether any entry of g holds at s; TZ is g's zone. */
static int
group_eval(const struct aiops_timeint *ti, const struct group *g,
    const struct tzstate *tz, int64_t s)
{
	struct wall w;
	size_t i;

	if (wall_at(tz, s, &w) == -1)
		return 0;
	for (i = 0; i < g->n; i++)
		if (entry_contains(&ti->e[g->idx[i]], &w))
			return 1;
	return 0;
}

static int64_t
floor_sec(int64_t ns)
{
	int64_t s = ns / AIOPS_NS_PER_SEC;

	return ns < 0 && ns % AIOPS_NS_PER_SEC != 0 ? s - 1 : s;
}

int
aiops_timeint_contains(const struct aiops_timeint *ti, int64_t t_ns,
    const char *deftz)
{
	struct tzstate tz;
	struct group *g;
	size_t k, ng;
	int in = 0;

	g = groups_make(ti, deftz, &ng);
	tz_begin(&tz);
	for (k = 0; k < ng && !in; k++) {
		tz_use(&tz, g[k].zone);
		in = group_eval(ti, &g[k], &tz, floor_sec(t_ns));
	}
	tz_end(&tz);
	groups_free(g, ng);
	return in;
}

static long
offset_at(const struct tzstate *tz, int64_t s)
{
	struct wall w;

	return wall_at(tz, s, &w) == -1 ? 0 : w.off;
}

/*
 * The next instant after cur where an entry of g may change: the next
 * boundary of a time range or local midnight, reached at the offset in
 * force at cur; or, if the offset changes before, the first second of the
 * new offset (a binary search: one change per local day at most).
 */
static int64_t
group_candidate(const struct aiops_timeint *ti, const struct group *g,
    const struct tzstate *tz, int64_t cur)
{
	int64_t best = SEC_PER_DAY, b, lo, hi, mid;
	const struct field_val *fv;
	struct wall w;
	size_t i, j;

	if (wall_at(tz, cur, &w) == -1)
		return cur + SEC_PER_DAY;
	best = SEC_PER_DAY - w.sod;
	for (i = 0; i < g->n; i++) {
		fv = &ti->e[g->idx[i]].f[F_TIMES];
		for (j = 0; j < fv->n; j++) {
			b = fv->r[j].begin * 60 - w.sod;
			if (b > 0 && b < best)
				best = b;
			b = fv->r[j].end * 60 - w.sod;
			if (b > 0 && b < best)
				best = b;
		}
	}
	hi = cur + best;
	if (offset_at(tz, hi) == w.off)
		return hi;
	for (lo = cur; hi - lo > 1; ) {
		mid = lo + (hi - lo) / 2;
		if (offset_at(tz, mid) == w.off)
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

/* The next change of g's state after from, or limit + 1; TZ is g's zone. */
static int64_t
group_next_flip(const struct aiops_timeint *ti, const struct group *g,
    const struct tzstate *tz, int64_t from, int64_t limit)
{
	int64_t cur = from;

	while (cur <= limit) {
		cur = group_candidate(ti, g, tz, cur);
		if (cur > limit)
			break;
		if (group_eval(ti, g, tz, cur) != g->state)
			return cur;
	}
	return limit + 1;
}

static int64_t
sat_ns(int64_t s)
{
	if (s > INT64_MAX / AIOPS_NS_PER_SEC)
		return INT64_MAX;
	if (s < INT64_MIN / AIOPS_NS_PER_SEC)
		return INT64_MIN;
	return s * AIOPS_NS_PER_SEC;
}

/*
 * Each zone's group is followed on its own (one TZ switch per group and
 * flip, not per step); the OR of the groups can change only where a
 * group's state does.
 */
int
aiops_timeint_next_change(const struct aiops_timeint *ti, int64_t t_ns,
    const char *deftz, int64_t *next_ns)
{
	int64_t from = floor_sec(t_ns), limit, c;
	int any, now, found = 0;
	struct tzstate tz;
	struct group *g;
	size_t k, ng;

	limit = from > INT64_MAX / AIOPS_NS_PER_SEC - AIOPS_TIMEINT_HORIZON_S ?
	    INT64_MAX / AIOPS_NS_PER_SEC - 1 : from + AIOPS_TIMEINT_HORIZON_S;
	g = groups_make(ti, deftz, &ng);
	tz_begin(&tz);
	for (any = 0, k = 0; k < ng; k++) {
		tz_use(&tz, g[k].zone);
		g[k].state = group_eval(ti, &g[k], &tz, from);
		g[k].flip = group_next_flip(ti, &g[k], &tz, from, limit);
		any |= g[k].state;
	}
	for (;;) {
		for (c = limit + 1, k = 0; k < ng; k++)
			if (g[k].flip < c)
				c = g[k].flip;
		if (c > limit)
			break;
		for (now = 0, k = 0; k < ng; k++) {
			if (g[k].flip == c) {
				g[k].state = !g[k].state;
				tz_use(&tz, g[k].zone);
				g[k].flip = group_next_flip(ti, &g[k], &tz, c, limit);
			}
			now |= g[k].state;
		}
		if (now != any) {
			*next_ns = sat_ns(c);
			found = 1;
			break;
		}
	}
	tz_end(&tz);
	groups_free(g, ng);
	if (!found)
		*next_ns = t_ns > INT64_MAX - sat_ns(AIOPS_TIMEINT_HORIZON_S) ?
		    INT64_MAX : t_ns + sat_ns(AIOPS_TIMEINT_HORIZON_S);
	return found;
}

/* ------------------------------------------------------------------------
 * The canonical form
 */

static json_t *
range_json(enum field f, const struct range *r)
{
	char buf[64];

	switch (f) {
	case F_TIMES:
		(void)snprintf(buf, sizeof(buf), "%02d:%02d",
		    (int)(r->begin / 60), (int)(r->begin % 60));
		{
			char eb[8];

			(void)snprintf(eb, sizeof(eb), "%02d:%02d",
			    (int)(r->end / 60), (int)(r->end % 60));
			return json_pack("{s:s, s:s}", "start_time", buf, "end_time", eb);
		}
	case F_WEEKDAYS:
	case F_MONTHS: {
		const char *const *names = f == F_WEEKDAYS ? weekday_names : month_names;

		if (r->begin == r->end)
			return json_string(names[r->begin]);
		(void)snprintf(buf, sizeof(buf), "%s:%s", names[r->begin], names[r->end]);
		return json_string(buf);
	}
	default:
		if (r->begin == r->end)
			(void)snprintf(buf, sizeof(buf), "%lld", (long long)r->begin);
		else
			(void)snprintf(buf, sizeof(buf), "%lld:%lld",
			    (long long)r->begin, (long long)r->end);
		return json_string(buf);
	}
}

json_t *
aiops_timeint_to_json(const struct aiops_timeint *ti)
{
	json_t *arr = json_array(), *o, *l;
	size_t i, j;
	int f;

	for (i = 0; i < ti->n; i++) {
		o = json_object();
		for (f = 0; f < NFIELDS; f++) {
			if (!ti->e[i].f[f].present)
				continue;
			l = json_array();
			for (j = 0; j < ti->e[i].f[f].n; j++)
				json_array_append_new(l, range_json((enum field)f,
				    &ti->e[i].f[f].r[j]));
			json_object_set_new(o, field_names[f], l);
		}
		if (ti->e[i].location != NULL)
			json_object_set_new(o, "location", json_string(ti->e[i].location));
		json_array_append_new(arr, o);
	}
	return arr;
}

char *
aiops_timeint_to_text(const struct aiops_timeint *ti)
{
	json_t *j = aiops_timeint_to_json(ti);
	char *s = json_dumps(j, JSON_COMPACT);

	json_decref(j);
	if (s == NULL)
		xoom(0);
	return s;
}

/* ------------------------------------------------------------------------
 * The short front end
 */

#define SPEC_MAX_TIMES	64

struct spec_entry {
	int seen[NFIELDS + 1];		/* + 1: location */
	struct range times[SPEC_MAX_TIMES];
	size_t ntimes;
	int wmask;			/* -1: every day */
	json_t *lists[NFIELDS];		/* days, months, years as given */
	const char *location;
};

/* "weekdays", "weekends", a name, or a range that may wrap (friday:monday). */
static int
spec_weekday_item(const char *s, int *mask)
{
	char buf[32], *colon;
	int b, e, d;

	if (strcmp(s, "weekdays") == 0) {
		*mask |= 0x3e;
		return 0;
	}
	if (strcmp(s, "weekends") == 0) {
		*mask |= 0x41;
		return 0;
	}
	if (strlen(s) >= sizeof(buf))
		return -1;
	(void)snprintf(buf, sizeof(buf), "%s", s);
	if ((colon = strchr(buf, ':')) != NULL)
		*colon = '\0';
	if ((b = name_index(weekday_names, 0, 6, buf)) < 0)
		return -1;
	e = colon != NULL ? name_index(weekday_names, 0, 6, colon + 1) : b;
	if (e < 0)
		return -1;
	for (d = b;; d = (d + 1) % 7) {
		*mask |= 1 << d;
		if (d == e)
			break;
	}
	return 0;
}

/* Calls item on each comma-separated part of word (lower-cased). */
static int
spec_each(const char *word, int (*item)(const char *, void *), void *arg)
{
	char *s = xstrdup(word), *p, *save = NULL;
	int rc = 0;

	for (p = s; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	if (*s == '\0' || s[strlen(s) - 1] == ',' || *s == ',' || strstr(s, ",,") != NULL)
		rc = -1;
	for (p = strtok_r(s, ",", &save); p != NULL && rc == 0;
	    p = strtok_r(NULL, ",", &save))
		rc = item(p, arg);
	free(s);
	return rc;
}

static int
weekday_cb(const char *s, void *arg)
{
	return spec_weekday_item(s, arg);
}

static int
month_name_cb(const char *s, void *arg)
{
	char buf[32], *colon;

	(void)arg;
	if (strlen(s) >= sizeof(buf))
		return -1;
	(void)snprintf(buf, sizeof(buf), "%s", s);
	if ((colon = strchr(buf, ':')) != NULL) {
		*colon = '\0';
		if (name_index(month_names, 1, 12, colon + 1) < 0)
			return -1;
	}
	return name_index(month_names, 1, 12, buf) < 0 ? -1 : 0;
}

static int
times_cb(const char *s, void *arg)
{
	struct spec_entry *se = arg;
	char buf[16];
	int b, e;

	if (strlen(s) != 11 || s[5] != '-' || se->ntimes == SPEC_MAX_TIMES)
		return -1;
	memcpy(buf, s, 5);
	buf[5] = '\0';
	b = parse_hhmm(buf);
	e = parse_hhmm(s + 6);
	if (b < 0 || e < 0 || b == 24 * 60)
		return -1;
	if (e == 0)
		e = 24 * 60;	/* "22:00-00:00": until midnight */
	if (e == b)
		return -1;
	se->times[se->ntimes].begin = b;
	se->times[se->ntimes].end = e;
	se->ntimes++;
	return 0;
}

static int
list_cb(const char *s, void *arg)
{
	json_array_append_new(arg, json_string(s));
	return 0;
}

static int
spec_once(struct spec_entry *se, int slot, const char *what, char *err,
    size_t errlen)
{
	if (se->seen[slot]) {
		aiops_errf(err, errlen, "%s given twice", what);
		return -1;
	}
	se->seen[slot] = 1;
	return 0;
}

/* A keyword's value: days_of_month, months, years as JSON strings. */
static int
spec_list(struct spec_entry *se, enum field f, const char *val, char *err,
    size_t errlen)
{
	if (spec_once(se, f, field_names[f], err, errlen) == -1)
		return -1;
	se->lists[f] = json_array();
	if (spec_each(val, list_cb, se->lists[f]) == -1) {
		aiops_errf(err, errlen, "%s: bad list \"%s\"", field_names[f], val);
		return -1;
	}
	return 0;
}

static int
spec_word(struct spec_entry *se, char **words, size_t nw, size_t *i,
    char *err, size_t errlen)
{
	static const char *const kw[] = { "times", "days_of_month", "months",
	    "years", "location" };
	const char *w = words[*i];
	size_t k;

	for (k = 0; k < sizeof(kw) / sizeof(kw[0]); k++)
		if (strcmp(w, kw[k]) == 0)
			break;
	if (k < sizeof(kw) / sizeof(kw[0])) {
		if (*i + 1 >= nw) {
			aiops_errf(err, errlen, "%s: a value must follow", w);
			return -1;
		}
		w = words[++*i];
		if (k == 0 && !isdigit((unsigned char)w[0])) {
			aiops_errf(err, errlen, "times: bad range in \"%s\" (HH:MM-HH:MM)", w);
			return -1;
		}
		if (k == 1 || k == 2 || k == 3)
			return spec_list(se, k == 1 ? F_DAYS : k == 2 ? F_MONTHS : F_YEARS,
			    w, err, errlen);
		if (k == 4) {
			if (spec_once(se, NFIELDS, "location", err, errlen) == -1)
				return -1;
			se->location = w;
			return 0;
		}
	}
	if (isdigit((unsigned char)w[0])) {
		if (spec_once(se, F_TIMES, "times", err, errlen) == -1)
			return -1;
		if (spec_each(w, times_cb, se) == -1) {
			aiops_errf(err, errlen, "times: bad range in \"%s\" (HH:MM-HH:MM)", w);
			return -1;
		}
		return 0;
	}
	if (strcasecmp(w, "daily") == 0 || spec_each(w, weekday_cb, &(int){ 0 }) == 0) {
		int mask = 0;

		if (spec_once(se, F_WEEKDAYS, "weekdays", err, errlen) == -1)
			return -1;
		if (strcasecmp(w, "daily") != 0 && spec_each(w, weekday_cb, &mask) == 0)
			se->wmask = mask;
		return 0;
	}
	if (spec_each(w, month_name_cb, NULL) == 0)
		return spec_list(se, F_MONTHS, w, err, errlen);
	aiops_errf(err, errlen, "unknown word \"%s\"", w);
	return -1;
}

/* A weekday mask as ranges in Sunday..Saturday order. */
static json_t *
mask_json(int mask)
{
	json_t *l = json_array();
	struct range r;
	int d = 0;

	while (d < 7) {
		if (!(mask & (1 << d))) {
			d++;
			continue;
		}
		r.begin = d;
		while (d < 7 && (mask & (1 << d)))
			d++;
		r.end = d - 1;
		json_array_append_new(l, range_json(F_WEEKDAYS, &r));
	}
	return l;
}

static json_t *
spec_object(const struct spec_entry *se, int mask, const struct range *t,
    size_t nt, const char *zone)
{
	json_t *o = json_object(), *l;
	size_t i;
	int f;

	if (nt > 0) {
		l = json_array();
		for (i = 0; i < nt; i++)
			json_array_append_new(l, range_json(F_TIMES, &t[i]));
		json_object_set_new(o, "times", l);
	}
	if (mask >= 0)
		json_object_set_new(o, "weekdays", mask_json(mask));
	for (f = F_DAYS; f < NFIELDS; f++)
		if (se->lists[f] != NULL)
			json_object_set(o, field_names[f], se->lists[f]);
	if (se->location != NULL || zone != NULL)
		json_object_set_new(o, "location",
		    json_string(se->location != NULL ? se->location : zone));
	return o;
}

/*
 * One spec entry into one or two JSON entries (see the header for the
 * split at midnight).
 */
static int
spec_emit(const struct spec_entry *se, const char *zone, json_t *out,
    char *err, size_t errlen)
{
	struct range before[SPEC_MAX_TIMES * 2], after[SPEC_MAX_TIMES];
	size_t nb = 0, na = 0, i;
	int shifted;

	for (i = 0; i < se->ntimes; i++) {
		if (se->times[i].end > se->times[i].begin) {
			before[nb++] = se->times[i];
			continue;
		}
		before[nb].begin = se->times[i].begin;
		before[nb++].end = 24 * 60;
		if (se->times[i].end > 0) {
			after[na].begin = 0;
			after[na++].end = se->times[i].end;
		}
	}
	if (na > 0 && (se->lists[F_DAYS] || se->lists[F_MONTHS] || se->lists[F_YEARS])) {
		aiops_errf(err, errlen, "a time range that crosses midnight cannot be "
		    "combined with days_of_month, months or years: write two entries");
		return -1;
	}
	if (na > 0 && se->wmask < 0) {
		/* Every day: both parts fit in one entry. */
		memcpy(before + nb, after, na * sizeof(*after));
		nb += na;
		na = 0;
	}
	json_array_append_new(out, spec_object(se, se->wmask, before, nb, zone));
	if (na > 0) {
		shifted = ((se->wmask << 1) | (se->wmask >> 6)) & 0x7f;
		json_array_append_new(out, spec_object(se, shifted, after, na, zone));
	}
	return 0;
}

/* Splits s on blanks into words (pointers into s). */
static size_t
split_words(char *s, char **words, size_t max)
{
	size_t n = 0;

	while (*s != '\0') {
		while (*s == ' ' || *s == '\t' || *s == '\n')
			*s++ = '\0';
		if (*s == '\0')
			break;
		if (n == max)
			return max + 1;
		words[n++] = s;
		while (*s != '\0' && *s != ' ' && *s != '\t' && *s != '\n')
			s++;
	}
	return n;
}

#define SPEC_MAX_WORDS	32

static int
spec_entry_parse(char *text, const char *zone, json_t *out, char *err,
    size_t errlen)
{
	struct spec_entry se;
	char *words[SPEC_MAX_WORDS];
	size_t nw, i;
	int rc = -1, f;

	memset(&se, 0, sizeof(se));
	se.wmask = -1;
	if ((nw = split_words(text, words, SPEC_MAX_WORDS)) > SPEC_MAX_WORDS) {
		aiops_errf(err, errlen, "more than %d words", SPEC_MAX_WORDS);
		return -1;
	}
	if (nw == 0) {
		aiops_errf(err, errlen, "empty");
		return -1;
	}
	for (i = 0; i < nw; i++)
		if (spec_word(&se, words, nw, &i, err, errlen) == -1)
			goto out;
	rc = spec_emit(&se, zone, out, err, errlen);
out:
	for (f = 0; f < NFIELDS; f++)
		json_decref(se.lists[f]);
	return rc;
}

struct aiops_timeint *
aiops_timeint_parse_spec(const char *spec, const char *zone, char *err,
    size_t errlen)
{
	struct aiops_timeint *ti = NULL;
	char *s = xstrdup(spec), *p, *semi;
	json_t *out = json_array();
	size_t n = 0;

	for (p = s;; p = semi + 1) {
		if ((semi = strchr(p, ';')) != NULL)
			*semi = '\0';
		if (spec_entry_parse(p, zone, out, err, errlen) == -1) {
			preerr(err, errlen, "entry %zu: ", n + 1);
			goto out;
		}
		n++;
		if (semi == NULL)
			break;
	}
	ti = aiops_timeint_parse(out, err, errlen);
out:
	json_decref(out);
	free(s);
	return ti;
}

/* ------------------------------------------------------------------------
 * Named intervals
 */

struct named {
	char *name;
	struct aiops_timeint *ti;
};

struct aiops_timeint_set {
	struct named *v;
	size_t n, cap;
};

struct aiops_timeint_set *
aiops_timeint_set_new(void)
{
	return xcalloc(1, sizeof(struct aiops_timeint_set));
}

static int
set_add_one(struct aiops_timeint_set *set, const json_t *o,
    struct named *out, char *err, size_t errlen)
{
	const json_t *name = NULL, *list = NULL;
	const char *key;
	json_t *x;
	size_t i;

	if (!json_is_object(o)) {
		aiops_errf(err, errlen, "must be a mapping with name and time_intervals");
		return -1;
	}
	json_object_foreach((json_t *)o, key, x) {
		if (strcmp(key, "name") == 0)
			name = x;
		else if (strcmp(key, "time_intervals") == 0)
			list = x;
		else {
			aiops_errf(err, errlen, "field %s not found in a named time interval", key);
			return -1;
		}
	}
	if (name == NULL || !json_is_string(name) || *json_string_value(name) == '\0' ||
	    strlen(json_string_value(name)) != json_string_length(name)) {
		aiops_errf(err, errlen, "missing name in time interval");
		return -1;
	}
	for (i = 0; i < set->n; i++)
		if (strcmp(set->v[i].name, json_string_value(name)) == 0) {
			aiops_errf(err, errlen, "time interval \"%s\" is not unique",
			    json_string_value(name));
			return -1;
		}
	if (list == NULL || json_is_null(list)) {
		out->ti = xcalloc(1, sizeof(*out->ti));
	} else if (!json_is_array(list)) {
		aiops_errf(err, errlen, "\"%s\": time_intervals: must be a list",
		    json_string_value(name));
		return -1;
	} else if ((out->ti = aiops_timeint_parse(list, err, errlen)) == NULL) {
		preerr(err, errlen, "\"%s\": time_intervals", json_string_value(name));
		return -1;
	}
	out->name = xstrdup(json_string_value(name));
	return 0;
}

int
aiops_timeint_set_add(struct aiops_timeint_set *set, const json_t *list,
    char *err, size_t errlen)
{
	size_t first = set->n, i;

	if (list == NULL || json_is_null(list))
		return 0;
	if (!json_is_array(list)) {
		aiops_errf(err, errlen, "must be a list");
		return -1;
	}
	for (i = 0; i < json_array_size(list); i++) {
		if (set->n == set->cap) {
			set->cap = set->cap ? set->cap * 2 : 8;
			set->v = xreallocarray(set->v, set->cap, sizeof(*set->v));
		}
		if (set_add_one(set, json_array_get(list, i), &set->v[set->n],
		    err, errlen) == -1) {
			preerr(err, errlen, "[%zu]: ", i);
			/* Whole lists only: drop what this one added. */
			while (set->n > first) {
				set->n--;
				free(set->v[set->n].name);
				aiops_timeint_free(set->v[set->n].ti);
			}
			return -1;
		}
		set->n++;
	}
	return 0;
}

const struct aiops_timeint *
aiops_timeint_set_get(const struct aiops_timeint_set *set, const char *name)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (strcmp(set->v[i].name, name) == 0)
			return set->v[i].ti;
	return NULL;
}

size_t
aiops_timeint_set_count(const struct aiops_timeint_set *set)
{
	return set->n;
}

void
aiops_timeint_set_free(struct aiops_timeint_set *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++) {
		free(set->v[i].name);
		aiops_timeint_free(set->v[i].ti);
	}
	free(set->v);
	free(set);
}
