#include "compat.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"

/* Howard Hinnant's algorithms, valid for every int64 year we accept. */
int64_t
aiops_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void
aiops_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

int
aiops_time_unit_parse(const char *s, enum aiops_time_unit *u)
{
	static const struct { const char *name; enum aiops_time_unit u; } units[] = {
		{ "auto", AIOPS_TU_AUTO }, { "s", AIOPS_TU_S }, { "ms", AIOPS_TU_MS },
		{ "us", AIOPS_TU_US }, { "u", AIOPS_TU_US }, { "\xc2\xb5", AIOPS_TU_US },
		{ "ns", AIOPS_TU_NS }, { "n", AIOPS_TU_NS },
	};
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(s, units[i].name) == 0) {
			*u = units[i].u;
			return 0;
		}
	return -1;
}

/* Reads exactly width digits. */
static int
digits(const char *s, size_t n, size_t *pos, int width, int *out)
{
	int v = 0, i;

	if (*pos + (size_t)width > n)
		return -1;
	for (i = 0; i < width; i++) {
		char c = s[*pos + (size_t)i];

		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*pos += (size_t)width;
	*out = v;
	return 0;
}

static int
expect(const char *s, size_t n, size_t *pos, char c)
{
	if (*pos >= n || s[*pos] != c)
		return -1;
	(*pos)++;
	return 0;
}

int
aiops_days_in_month(int64_t y, int m)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return 29;
	return mdays[m - 1];
}

/* "+hh:mm", "-hhmm", "Z": offset in seconds east of UTC. */
static int
zone(const char *s, size_t n, size_t *pos, int *off)
{
	int hh, mm, sign;

	if (*pos >= n) {
		*off = 0;
		return 0;
	}
	if (s[*pos] == 'Z' || s[*pos] == 'z') {
		(*pos)++;
		*off = 0;
		return 0;
	}
	if (s[*pos] != '+' && s[*pos] != '-')
		return -1;
	sign = s[(*pos)++] == '-' ? -1 : 1;
	if (digits(s, n, pos, 2, &hh) == -1)
		return -1;
	if (*pos < n && s[*pos] == ':')
		(*pos)++;
	if (digits(s, n, pos, 2, &mm) == -1 || hh > 23 || mm > 59)
		return -1;
	*off = sign * (hh * 3600 + mm * 60);
	return 0;
}

int
aiops_time_parse_rfc3339(const char *s, size_t n, int64_t *ns)
{
	size_t pos = 0;
	int y, mo, d, h, mi, sec, off;
	int64_t frac = 0, scale = 100000000, t;

	if (digits(s, n, &pos, 4, &y) || expect(s, n, &pos, '-') ||
	    digits(s, n, &pos, 2, &mo) || expect(s, n, &pos, '-') ||
	    digits(s, n, &pos, 2, &d))
		return -1;
	if (pos >= n || (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' '))
		return -1;
	pos++;
	if (digits(s, n, &pos, 2, &h) || expect(s, n, &pos, ':') ||
	    digits(s, n, &pos, 2, &mi) || expect(s, n, &pos, ':') ||
	    digits(s, n, &pos, 2, &sec))
		return -1;
	if (pos < n && (s[pos] == '.' || s[pos] == ',')) {
		pos++;
		if (pos >= n || !isdigit((unsigned char)s[pos]))
			return -1;
		for (; pos < n && isdigit((unsigned char)s[pos]); pos++) {
			frac += (s[pos] - '0') * scale;
			scale /= 10;
		}
	}
	if (zone(s, n, &pos, &off) == -1 || pos != n)
		return -1;
	/* A leap second (:60) is folded onto the next second, as most tools do. */
	if (mo < 1 || mo > 12 || d < 1 || d > aiops_days_in_month(y, mo) || h > 23 ||
	    mi > 59 || sec > 60)
		return -1;
	t = aiops_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	    h * 3600 + mi * 60 + sec - off;
	/* int64 nanoseconds reach from 1677 to 2262. */
	if (t >= INT64_MAX / AIOPS_NS_PER_SEC || t <= INT64_MIN / AIOPS_NS_PER_SEC)
		return -1;
	*ns = t * AIOPS_NS_PER_SEC + frac;
	return 0;
}

/* Integer and fraction digits of a non-negative decimal, exactly. */
int
aiops_time_from_epoch(const char *s, size_t n, enum aiops_time_unit u, int64_t *ns)
{
	static const int64_t mult[] = { 0, 1000000000LL, 1000000LL, 1000LL, 1LL };
	int64_t ip = 0, fp = 0, fscale = 1, m;
	size_t pos = 0, nd = 0;
	int neg = 0;
	double mag;

	if (n > 0 && (s[0] == '-' || s[0] == '+'))
		neg = s[pos++] == '-';
	for (; pos < n && isdigit((unsigned char)s[pos]); pos++, nd++) {
		if (ip > (INT64_MAX - 9) / 10)
			return -1;
		ip = ip * 10 + (s[pos] - '0');
	}
	if (pos < n && s[pos] == '.') {
		for (pos++; pos < n && isdigit((unsigned char)s[pos]); pos++, nd++)
			if (fscale < 1000000000LL) {
				fp = fp * 10 + (s[pos] - '0');
				fscale *= 10;
			}
	}
	if (pos != n || nd == 0)
		return -1;
	if (u == AIOPS_TU_AUTO) {
		mag = (double)ip;
		u = mag < 1e11 ? AIOPS_TU_S : mag < 1e14 ? AIOPS_TU_MS :
		    mag < 1e17 ? AIOPS_TU_US : AIOPS_TU_NS;
	}
	m = mult[u];
	/* Room for the whole part and a fraction of up to one unit. */
	if (ip >= INT64_MAX / m - 1)
		return -1;
	*ns = ip * m + (fp * m) / fscale;
	if (neg)
		*ns = -*ns;
	return 0;
}

int
aiops_time_parse(const char *s, size_t n, int64_t *ns)
{
	if (aiops_time_parse_rfc3339(s, n, ns) == 0)
		return 0;
	return aiops_time_from_epoch(s, n, AIOPS_TU_AUTO, ns);
}

/* n digits of v into p, zero-padded. */
static char *
put_digits(char *p, unsigned v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + n;
}

/*
 * Written by hand rather than with snprintf: every event carries a time,
 * and formatting them was a tenth of a filter's work.
 */
size_t
aiops_time_format(int64_t ns, char *buf)
{
	int64_t secs = ns / AIOPS_NS_PER_SEC, sub = ns % AIOPS_NS_PER_SEC;
	int64_t days, y, rem;
	unsigned m, d;
	char *p = buf;

	if (sub < 0) {
		sub += AIOPS_NS_PER_SEC;
		secs--;
	}
	days = secs / 86400;
	rem = secs % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	/* int64 nanoseconds span 1677 to 2262: always four digits of year. */
	aiops_civil_from_days(days, &y, &m, &d);
	p = put_digits(p, (unsigned)y, 4);
	*p++ = '-';
	p = put_digits(p, m, 2);
	*p++ = '-';
	p = put_digits(p, d, 2);
	*p++ = 'T';
	p = put_digits(p, (unsigned)(rem / 3600), 2);
	*p++ = ':';
	p = put_digits(p, (unsigned)(rem / 60 % 60), 2);
	*p++ = ':';
	p = put_digits(p, (unsigned)(rem % 60), 2);
	*p++ = '.';
	if (sub % 1000000 == 0)
		p = put_digits(p, (unsigned)(sub / 1000000), 3);
	else if (sub % 1000 == 0)
		p = put_digits(p, (unsigned)(sub / 1000), 6);
	else
		p = put_digits(p, (unsigned)sub, 9);
	*p++ = 'Z';
	*p = '\0';
	return (size_t)(p - buf);
}

int
aiops_duration_parse(const char *s, int64_t *ns)
{
	static const struct { const char *unit; int64_t ns; } units[] = {
		{ "ms", 1000000LL }, { "us", 1000LL }, { "ns", 1LL },
		{ "s", AIOPS_NS_PER_SEC }, { "m", 60 * AIOPS_NS_PER_SEC },
		{ "h", 3600 * AIOPS_NS_PER_SEC }, { "d", 86400 * AIOPS_NS_PER_SEC },
		{ "w", 7 * 86400 * AIOPS_NS_PER_SEC },
	};
	int64_t total = 0;
	const char *p = s;

	if (*p == '\0')
		return -1;
	while (*p != '\0') {
		char *end;
		double v;
		size_t i, ulen = 0;
		int64_t mult = -1;

		errno = 0;
		v = strtod(p, &end);
		if (end == p || errno != 0 || v < 0 || !isfinite(v))
			return -1;
		p = end;
		if (*p == '\0' && total == 0 && p != s) {
			mult = AIOPS_NS_PER_SEC;	/* a bare number is seconds */
		} else {
			for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
				ulen = strlen(units[i].unit);
				if (strncmp(p, units[i].unit, ulen) == 0) {
					mult = units[i].ns;
					break;
				}
			}
			if (mult < 0)
				return -1;
			p += ulen;
		}
		if (v * (double)mult > 9.2e18 - (double)total)
			return -1;
		total += (int64_t)llround(v * (double)mult);
	}
	*ns = total;
	return 0;
}
