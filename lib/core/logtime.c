#include "compat.h"

#include <string.h>

#include "core/logtime.h"
#include "core/timeutil.h"

#define DAY_SEC		86400LL
#define YEAR_MIN	1678	/* int64 nanoseconds reach from 1677-09-21 */
#define YEAR_MAX	2261	/* ... to 2262-04-11 */
#define FRAC_DIGITS	9

/* What a reading holds, in the order aiops_logtime_parse() prefers them. */
enum got { GOT_NONE, GOT_DATE, GOT_CLOCK, GOT_FULL };

struct reading {
	struct aiops_logtime_tm	 tm;
	enum got		 got;
	int			 has_zone;
	int			 epoch;		/* ns is already the time */
	int64_t			 ns;
};

static const char *const months[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

static const char *const wdays[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Digits at s + p, at most up to n. */
static size_t
ndigits(const char *s, size_t n, size_t p)
{
	size_t i = p;

	while (i < n && is_digit(s[i]))
		i++;
	return i - p;
}

/* Exactly w digits at *p: 0 with *v set and *p moved, or -1. */
static int
fixed(const char *s, size_t n, size_t *p, size_t w, int64_t *v)
{
	size_t i;

	if (*p + w > n)
		return -1;
	for (*v = 0, i = 0; i < w; i++) {
		if (!is_digit(s[*p + i]))
			return -1;
		*v = *v * 10 + (s[*p + i] - '0');
	}
	*p += w;
	return 0;
}

static int
fixed_int(const char *s, size_t n, size_t *p, size_t w, int *v)
{
	int64_t x;

	if (fixed(s, n, p, w, &x) == -1)
		return -1;
	*v = (int)x;
	return 0;
}

static int
expect(const char *s, size_t n, size_t *p, char c)
{
	if (*p >= n || s[*p] != c)
		return -1;
	(*p)++;
	return 0;
}

/* A three-letter name of list (case as logs write it) at *p: its index + 1, or 0. */
static int
name_at(const char *s, size_t n, size_t p, const char *const *list, int count)
{
	int i;

	if (p + 3 > n)
		return 0;
	for (i = 0; i < count; i++)
		if (memcmp(s + p, list[i], 3) == 0)
			return i + 1;
	return 0;
}

/* Two-digit years as POSIX strptime's %y: 69-99 the 1900s, 00-68 the 2000s. */
static int64_t
century(int64_t yy)
{
	return yy < 69 ? 2000 + yy : 1900 + yy;
}

/*
 * Fraction digits after one of seps at *p, into *frac as nanoseconds;
 * digits past the ninth are dropped when keep_all, else refused (as RFC
 * 3164 readers do). No separator and digit: 0 and nothing read.
 */
static int
fraction(const char *s, size_t n, size_t *p, const char *seps, int keep_all, int64_t *frac)
{
	int64_t scale = AIOPS_NS_PER_SEC / 10;
	size_t i, nd;

	*frac = 0;
	if (*p + 1 >= n || s[*p] == '\0' || strchr(seps, s[*p]) == NULL || !is_digit(s[*p + 1]))
		return 0;
	nd = ndigits(s, n, *p + 1);
	if (nd > FRAC_DIGITS && !keep_all)
		return -1;
	for (i = 0; i < nd && i < FRAC_DIGITS; i++) {
		*frac += (s[*p + 1 + i] - '0') * scale;
		scale /= 10;
	}
	*p += 1 + nd;
	return 0;
}

/* "hh:mm:ss" at *p, or "h:mm:ss" when one_ok; no fraction. */
static int
hms(const char *s, size_t n, size_t *p, int one_ok, struct aiops_logtime_tm *tm)
{
	size_t q = *p, hd = ndigits(s, n, q);

	if ((hd != 2 && !(hd == 1 && one_ok)) || fixed_int(s, n, &q, hd, &tm->h) == -1 ||
	    expect(s, n, &q, ':') == -1 || fixed_int(s, n, &q, 2, &tm->mi) == -1 ||
	    expect(s, n, &q, ':') == -1 || fixed_int(s, n, &q, 2, &tm->sec) == -1)
		return -1;
	*p = q;
	return 0;
}

/* "h:mm:ss" or "hh:mm:ss" with a fraction after '.' or ','. */
static int
clock_at(const char *s, size_t n, size_t *p, struct aiops_logtime_tm *tm)
{
	size_t q = *p;

	if (hms(s, n, &q, 1, tm) == -1 || fraction(s, n, &q, ".,", 1, &tm->frac) == -1)
		return -1;
	*p = q;
	return 0;
}

/* "+hh:mm" or "-hhmm" at *p: seconds east of UTC in *off, or -1. */
static int
offset_at(const char *s, size_t n, size_t *p, int *off)
{
	size_t q = *p;
	int hh, mm, sign;

	if (q >= n || (s[q] != '+' && s[q] != '-'))
		return -1;
	sign = s[q++] == '-' ? -1 : 1;
	if (fixed_int(s, n, &q, 2, &hh) == -1)
		return -1;
	if (q < n && s[q] == ':')
		q++;
	if (fixed_int(s, n, &q, 2, &mm) == -1 || hh > 23 || mm > 59)
		return -1;
	*off = sign * (hh * 3600 + mm * 60);
	*p = q;
	return 0;
}

/* A zone written onto the time: "Z" or an offset. None is fine. */
static void
zone_attached(const char *s, size_t n, size_t *p, struct reading *r)
{
	if (*p < n && (s[*p] == 'Z' || s[*p] == 'z')) {
		(*p)++;
		r->has_zone = 1;
	} else if (offset_at(s, n, p, &r->tm.off) == 0) {
		r->has_zone = 1;
	}
}

/* The end of a time: the end of s, a blank or a closing punctuation. */
static int
boundary(const char *s, size_t n, size_t p)
{
	return p >= n || is_blank(s[p]) || (s[p] != '\0' && strchr(",;|)\"']", s[p]) != NULL);
}

/*
 * A zone in a token of its own after the time: " +0200", " -07:00",
 * " UTC", " GMT", " Z" (date(1), Apache's access log, journalctl). Other
 * zone words name no offset and are left alone.
 */
static void
zone_word(const char *s, size_t n, size_t *p, struct reading *r)
{
	static const char *const utc[] = { "UTC", "GMT", "Z" };
	size_t q = *p, i, l;
	int off;

	if (r->has_zone || q + 1 >= n || s[q] != ' ')
		return;
	q++;
	if (offset_at(s, n, &q, &off) == 0 && boundary(s, n, q)) {
		r->tm.off = off;
	} else {
		for (i = 0; i < 3; i++) {
			l = strlen(utc[i]);
			if (q + l <= n && memcmp(s + q, utc[i], l) == 0 && boundary(s, n, q + l))
				break;
		}
		if (i == 3)
			return;
		q += l;
	}
	r->has_zone = 1;
	*p = q;
}

/* " yyyy" (1970-2199) ending the time: Aruba, asctime, date(1). */
static int
year_after(const char *s, size_t n, size_t *p, int64_t *year)
{
	size_t q = *p + 1;
	int64_t y;

	if (*p >= n || s[*p] != ' ' || fixed(s, n, &q, 4, &y) == -1 || y < 1970 ||
	    y >= 2200 || !boundary(s, n, q))
		return -1;
	*year = y;
	*p = q;
	return 0;
}

size_t
aiops_logtime_bsd(const char *s, size_t n, struct aiops_logtime_tm *tm)
{
	size_t p = 0, q;
	int64_t y;

	memset(tm, 0, sizeof(*tm));
	tm->year = -1;
	/* NX-OS "2026 Nov 20 ..." */
	if (fixed(s, n, &p, 4, &y) == 0 && p < n && s[p] == ' ') {
		tm->year = y;
		p++;
	} else {
		p = 0;
	}
	if ((tm->mon = name_at(s, n, p, months, 12)) == 0 || p + 3 >= n || s[p + 3] != ' ')
		return 0;
	p += 4;
	/* The day as "dd", " d" or "d" (rsyslog and syslog-ng take all three). */
	if (p < n && s[p] == ' ')
		p++;
	q = ndigits(s, n, p);
	if ((q != 1 && q != 2) || fixed_int(s, n, &p, q, &tm->day) == -1 || expect(s, n, &p, ' ') == -1)
		return 0;
	/* Cisco ASA "Nov 20 2026 ..." */
	q = p;
	if (tm->year == -1 && fixed(s, n, &q, 4, &y) == 0 && q < n && s[q] == ' ') {
		tm->year = y;
		p = q + 1;
	}
	/* Exactly hh:mm:ss, as devices pad it; a fraction after '.' only. */
	if (hms(s, n, &p, 0, tm) == -1 || fraction(s, n, &p, ".", 0, &tm->frac) == -1)
		return 0;
	if (tm->year == -1 && year_after(s, n, &p, &y) == 0)
		tm->year = y;
	return p;
}

/* t in year y (offset and fraction applied); -1 when that day does not exist. */
static int
in_year(const struct aiops_logtime_tm *tm, int64_t y, int64_t *ns)
{
	int64_t secs;

	if (y < YEAR_MIN || y > YEAR_MAX || tm->day > aiops_days_in_month(y, tm->mon))
		return -1;
	secs = aiops_days_from_civil(y, (unsigned)tm->mon, (unsigned)tm->day) * DAY_SEC +
	    tm->h * 3600 + tm->mi * 60 + tm->sec - tm->off;
	*ns = secs * AIOPS_NS_PER_SEC + tm->frac;
	return 0;
}

static int64_t
distance(int64_t a, int64_t b)
{
	return a > b ? a - b : b - a;
}

/* Of the years y0 - span to y0 + span where tm exists, the time nearest ref. */
static int
nearest_year(const struct aiops_logtime_tm *tm, int64_t y0, int span, int64_t ref, int64_t *ns)
{
	int64_t y, cand, best = INT64_MAX;

	for (y = y0 - span; y <= y0 + span; y++) {
		if (in_year(tm, y, &cand) == -1)
			continue;
		if (distance(cand, ref) < best) {
			best = distance(cand, ref);
			*ns = cand;
		}
	}
	return best == INT64_MAX ? -1 : 0;
}

int
aiops_logtime_resolve(const struct aiops_logtime_tm *tm, int64_t ref, int64_t *ns)
{
	int64_t y0, rd;
	unsigned m, d;

	if (tm->mon < 1 || tm->mon > 12 || tm->day < 1 || tm->day > 31 || tm->h < 0 ||
	    tm->h > 23 || tm->mi < 0 || tm->mi > 59 || tm->sec < 0 || tm->sec > 60 ||
	    tm->frac < 0 || tm->frac >= AIOPS_NS_PER_SEC)
		return -1;
	if (tm->year >= 0)
		return in_year(tm, tm->year, ns);
	rd = ref / (DAY_SEC * AIOPS_NS_PER_SEC) - (ref % (DAY_SEC * AIOPS_NS_PER_SEC) < 0);
	aiops_civil_from_days(rd, &y0, &m, &d);
	/* The nearest is the year of ref or one beside it, unless the date is
	 * Feb 29: that comes back within four years (eight across 2100). */
	if (nearest_year(tm, y0, 1, ref, ns) == 0)
		return 0;
	return nearest_year(tm, y0, 8, ref, ns);
}

/* A time of day alone: on the day that puts it nearest ref. */
static int
nearest_day(const struct aiops_logtime_tm *tm, int64_t ref, int64_t *ns)
{
	const int64_t day = DAY_SEC * AIOPS_NS_PER_SEC;
	int64_t base, cand, sod;
	int k;

	if (tm->h > 23 || tm->mi > 59 || tm->sec > 60 || ref <= INT64_MIN + 2 * day ||
	    ref >= INT64_MAX - 2 * day)
		return -1;
	sod = ((int64_t)tm->h * 3600 + tm->mi * 60 + tm->sec - tm->off) * AIOPS_NS_PER_SEC +
	    tm->frac;
	base = ref - ((ref % day) + day) % day + sod;
	*ns = base;
	for (k = -1; k <= 1; k += 2) {
		cand = base + k * day;
		if (distance(cand, ref) < distance(*ns, ref))
			*ns = cand;
	}
	return 0;
}

/* ---- the forms that start with digits ---- */

/* After "yyyy-mm-dd": T or blank and a clock, BGL's "-hh.mm.ss", or nothing. */
static size_t
after_date(const char *s, size_t n, size_t p, char sep, struct reading *r)
{
	size_t q = p;

	if (sep == '-' && q < n && s[q] == '-' && ndigits(s, n, q + 1) == 2) {
		/* BGL: 2005-06-03-15.42.50.675872 */
		q++;
		if (fixed_int(s, n, &q, 2, &r->tm.h) == -1 || expect(s, n, &q, '.') == -1 ||
		    fixed_int(s, n, &q, 2, &r->tm.mi) == -1 || expect(s, n, &q, '.') == -1 ||
		    fixed_int(s, n, &q, 2, &r->tm.sec) == -1 ||
		    fraction(s, n, &q, ".", 1, &r->tm.frac) == -1)
			return 0;
		r->got = GOT_FULL;
		return q;
	}
	if (q + 1 < n && (s[q] == 'T' || s[q] == 't' || s[q] == ' ') && is_digit(s[q + 1])) {
		q++;
		if (clock_at(s, n, &q, &r->tm) == 0) {
			zone_attached(s, n, &q, r);
			r->got = GOT_FULL;
			return q;
		}
	}
	r->got = GOT_DATE;
	return p;
}

/* "yyyy-mm-dd", "yyyy/mm/dd", "yyyy.mm.dd" and what follows. */
static size_t
ymd(const char *s, size_t n, struct reading *r)
{
	size_t p = 0;
	char sep;

	if (fixed(s, n, &p, 4, &r->tm.year) == -1 || p >= n ||
	    (sep = s[p]) == '\0' || strchr("-/.", sep) == NULL)
		return 0;
	p++;
	if (fixed_int(s, n, &p, 2, &r->tm.mon) == -1 || expect(s, n, &p, sep) == -1 ||
	    fixed_int(s, n, &p, 2, &r->tm.day) == -1)
		return 0;
	return after_date(s, n, p, sep, r);
}

/* "yyyymmdd-hh:mm:ss[:mmm]" (HealthApp) or "yyyymmddThhmmss[.f][Z]" (ISO basic). */
static size_t
compact(const char *s, size_t n, struct reading *r)
{
	size_t p = 0;

	if (fixed(s, n, &p, 4, &r->tm.year) == -1 || fixed_int(s, n, &p, 2, &r->tm.mon) == -1 ||
	    fixed_int(s, n, &p, 2, &r->tm.day) == -1 || p >= n)
		return 0;
	if (s[p] == '-') {
		p++;
		if (ndigits(s, n, p) != 2 || fixed_int(s, n, &p, 2, &r->tm.h) == -1 ||
		    expect(s, n, &p, ':') == -1 || fixed_int(s, n, &p, 2, &r->tm.mi) == -1 ||
		    expect(s, n, &p, ':') == -1 || fixed_int(s, n, &p, 2, &r->tm.sec) == -1 ||
		    fraction(s, n, &p, ".:", 1, &r->tm.frac) == -1)
			return 0;
	} else if (s[p] == 'T' || s[p] == 't') {
		p++;
		if (fixed_int(s, n, &p, 2, &r->tm.h) == -1 || fixed_int(s, n, &p, 2, &r->tm.mi) == -1 ||
		    fixed_int(s, n, &p, 2, &r->tm.sec) == -1 ||
		    fraction(s, n, &p, ".,", 1, &r->tm.frac) == -1)
			return 0;
		zone_attached(s, n, &p, r);
	} else {
		return 0;
	}
	r->got = GOT_FULL;
	return p;
}

/* Apache's access log: "10/Oct/2000:13:55:36" (its zone follows as a word). */
static size_t
apache(const char *s, size_t n, size_t dd, struct reading *r)
{
	size_t p = 0;

	if (fixed_int(s, n, &p, dd, &r->tm.day) == -1 || expect(s, n, &p, '/') == -1 ||
	    (r->tm.mon = name_at(s, n, p, months, 12)) == 0)
		return 0;
	p += 3;
	if (expect(s, n, &p, '/') == -1 || fixed(s, n, &p, 4, &r->tm.year) == -1 ||
	    expect(s, n, &p, ':') == -1 || ndigits(s, n, p) != 2 || clock_at(s, n, &p, &r->tm) == -1)
		return 0;
	r->got = GOT_FULL;
	return p;
}

/*
 * Two digits, a separator, two digits and a clock after a blank:
 * "17/06/09 20:10:40" (YY/MM/DD, Spark), "03-17 16:13:38.811" (MM-DD,
 * logcat) and "10.30 16:49:06" (MM.DD, Proxifier): the last two have no
 * year. A date alone like these is too often something else.
 */
static size_t
short_date(const char *s, size_t n, struct reading *r)
{
	size_t p = 0;
	int a, b, c;
	char sep = n > 2 ? s[2] : '\0';

	if (fixed_int(s, n, &p, 2, &a) == -1 || (sep != '/' && sep != '-' && sep != '.'))
		return 0;
	p++;
	if (fixed_int(s, n, &p, 2, &b) == -1)
		return 0;
	if (sep == '/') {
		if (expect(s, n, &p, '/') == -1 || fixed_int(s, n, &p, 2, &c) == -1)
			return 0;
		r->tm.year = century(a);
		r->tm.mon = b;
		r->tm.day = c;
	} else {
		r->tm.mon = a;
		r->tm.day = b;
	}
	if (expect(s, n, &p, ' ') == -1 || clock_at(s, n, &p, &r->tm) == -1)
		return 0;
	r->got = GOT_FULL;
	return p;
}

/* The forms of digits alone: "081109 203615" (HDFS), epoch seconds and milliseconds. */
static size_t
numbers(const char *s, size_t n, size_t a, struct reading *r)
{
	size_t p = 0;
	int64_t yy;

	if (a == 6 && n >= 13 && s[6] == ' ' && ndigits(s, n, 7) == 6) {
		if (fixed(s, n, &p, 2, &yy) == -1 || fixed_int(s, n, &p, 2, &r->tm.mon) == -1 ||
		    fixed_int(s, n, &p, 2, &r->tm.day) == -1)
			return 0;
		p++;
		if (fixed_int(s, n, &p, 2, &r->tm.h) == -1 || fixed_int(s, n, &p, 2, &r->tm.mi) == -1 ||
		    fixed_int(s, n, &p, 2, &r->tm.sec) == -1)
			return 0;
		r->tm.year = century(yy);
		r->got = GOT_FULL;
		return p;
	}
	if (a == 10 || a == 13) {
		p = a;
		if (a == 10 && p + 1 < n && s[p] == '.' && is_digit(s[p + 1]))
			p += 1 + ndigits(s, n, p + 1);
		if (aiops_time_from_epoch(s, p, a == 10 ? AIOPS_TU_S : AIOPS_TU_MS, &r->ns) == -1)
			return 0;
		r->epoch = 1;
		r->has_zone = 1;
		r->got = GOT_FULL;
		return p;
	}
	return 0;
}

static size_t
digit_forms(const char *s, size_t n, int flags, struct reading *r)
{
	size_t a = ndigits(s, n, 0), p;
	int header = (flags & AIOPS_LOGTIME_HEADER) != 0;

	if (a == 4 && (p = ymd(s, n, r)) > 0)
		return p;
	if (a == 8)
		return compact(s, n, r);
	if ((a == 1 || a == 2) && n > a + 1 && s[a] == '/' && !is_digit(s[a + 1]))
		return apache(s, n, a, r);
	if (a == 2 && (p = short_date(s, n, r)) > 0)
		return p;
	if (!header)
		return 0;
	if ((a == 1 || a == 2) && n > a && s[a] == ':') {
		p = 0;
		if (clock_at(s, n, &p, &r->tm) == -1)
			return 0;
		zone_attached(s, n, &p, r);
		r->got = GOT_CLOCK;
		return p;
	}
	return numbers(s, n, a, r);
}

/* A time at s, no '[' or weekday before it. Its length, or 0. */
static size_t
read_form(const char *s, size_t n, int flags, struct reading *r)
{
	size_t p;

	memset(r, 0, sizeof(*r));
	r->tm.year = -1;
	if ((p = aiops_logtime_bsd(s, n, &r->tm)) > 0) {
		r->got = GOT_FULL;
		/* date(1): "Tue Dec  1 00:24:01 UTC 2026" */
		zone_word(s, n, &p, r);
		if (r->tm.year == -1)
			year_after(s, n, &p, &r->tm.year);
		return p;
	}
	memset(&r->tm, 0, sizeof(r->tm));
	r->tm.year = -1;
	if (n == 0 || !is_digit(s[0]))
		return 0;
	p = digit_forms(s, n, flags, r);
	if (p > 0 && r->got == GOT_DATE && !(flags & AIOPS_LOGTIME_HEADER))
		return 0;
	if (p > 0 && r->got != GOT_DATE && !r->epoch)
		zone_word(s, n, &p, r);
	return p;
}

/* The reading as a time. */
static int
resolve_reading(const struct reading *r, int64_t ref, int64_t *ns)
{
	if (r->epoch) {
		*ns = r->ns;
		return 0;
	}
	if (r->got == GOT_CLOCK)
		return nearest_day(&r->tm, ref, ns);
	return aiops_logtime_resolve(&r->tm, ref, ns);
}

/*
 * A time at s: an optional '[' (its ']' must close the time) and weekday,
 * then a form; *r says what it gave. Its length, or 0.
 */
static size_t
scan(const char *s, size_t n, int flags, struct reading *r)
{
	size_t p = 0, q;
	int bracket = n > 0 && s[0] == '[';

	p = bracket;
	/* "Thu Jun 09 06:07:04 2005", "Mon 2026-11-30 09:15:02 UTC" */
	if (name_at(s, n, p, wdays, 7) != 0 && p + 4 < n && s[p + 3] == ' ') {
		p += 4;
		if ((q = read_form(s + p, n - p, flags, r)) == 0 || r->got != GOT_FULL)
			return 0;
	} else if ((q = read_form(s + p, n - p, flags, r)) == 0) {
		return 0;
	}
	p += q;
	if (bracket && (p >= n || s[p++] != ']'))
		return 0;
	return boundary(s, n, p) ? p : 0;
}

size_t
aiops_logtime_scan(const char *s, size_t n, int64_t ref, int flags, int64_t *ns)
{
	struct reading r;
	size_t len = scan(s, n, flags, &r);

	if (len == 0 || resolve_reading(&r, ref, ns) == -1)
		return 0;
	return len;
}

int
aiops_logtime_parse(const char *s, size_t n, int64_t ref, int flags, int64_t *ns)
{
	struct reading r;
	enum got best = GOT_NONE;
	int64_t t;
	size_t i;

	for (i = 0; i < n && best != GOT_FULL; i++) {
		if (i > 0 && !(is_blank(s[i - 1]) && !is_blank(s[i])))
			continue;
		if (scan(s + i, n - i, flags, &r) == 0 || r.got <= best)
			continue;
		/* A time with no such date is broken: no other token makes up for it. */
		if (resolve_reading(&r, ref, &t) == -1)
			return -1;
		best = r.got;
		*ns = t;
	}
	return best == GOT_NONE ? -1 : 0;
}
