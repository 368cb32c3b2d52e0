#include "compat.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/numparse.h"
#include "core/xmalloc.h"

#define SHORT_NUMBER	64	/* longer ones are copied to the heap for strtod */

static const double pow10tab[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

int
aiops_decimal_syntax(const char *s, size_t n)
{
	size_t i = 0, nd = 0, ne = 0;

	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		nd++;
	if (i < n && s[i] == '.')
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			nd++;
	if (nd == 0)
		return 0;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		if (++i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			ne++;
		if (ne == 0)
			return 0;
	}
	return i == n;
}

/* strtod on a NUL-terminated copy; the syntax was checked. */
static int
slow_decimal(const char *s, size_t n, double *v)
{
	char tmp[SHORT_NUMBER], *cp = n < sizeof(tmp) ? tmp : xmalloc(n + 1);

	memcpy(cp, s, n);
	cp[n] = '\0';
	errno = 0;
	*v = strtod(cp, NULL);
	if (cp != tmp)
		free(cp);
	/* Underflow to 0 or a denormal is fine; overflow to inf is not. */
	return errno == ERANGE && isinf(*v) ? -2 : 0;
}

int
aiops_parse_decimal(const char *s, size_t n, double *v)
{
	uint64_t mant = 0;
	size_t i = 0, ndig = 0;
	int neg = 0, exp10 = 0, exact = 1, eneg = 0, ex = 0;

	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, ndig++) {
		if (mant < 100000000000000000ULL)
			mant = mant * 10 + (uint64_t)(s[i] - '0');
		else {
			exact = 0;
			exp10++;
		}
	}
	if (i < n && s[i] == '.')
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, ndig++) {
			if (mant < 100000000000000000ULL) {
				mant = mant * 10 + (uint64_t)(s[i] - '0');
				exp10--;
			} else if (s[i] != '0')
				exact = 0;
		}
	if (ndig == 0)
		return -1;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t es;

		if (++i < n && (s[i] == '-' || s[i] == '+'))
			eneg = s[i++] == '-';
		for (es = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			if (ex < 100000)
				ex = ex * 10 + (s[i] - '0');
		if (i == es)
			return -1;
		exp10 += eneg ? -ex : ex;
	}
	if (i != n)
		return -1;
	if (!exact || mant > (1ULL << 53) || exp10 < -22 || exp10 > 22)
		return slow_decimal(s, n, v);
	*v = (double)mant;
	*v = exp10 < 0 ? *v / pow10tab[-exp10] : *v * pow10tab[exp10];
	if (neg)
		*v = -*v;
	return 0;
}

double
aiops_round7(double v)
{
	char buf[32];

	if (v == 0 || !isfinite(v))
		return v;
	snprintf(buf, sizeof(buf), "%.7g", v);
	return strtod(buf, NULL);
}
