/*
 * numparse.h: decimal numbers in text that is not NUL-terminated (a field
 * of a line), as the input formats write them.
 */
#ifndef AIOPS_NUMPARSE_H
#define AIOPS_NUMPARSE_H

#include <stddef.h>

/*
 * [+-]digits[.digits][(e|E)[+-]digits], at least one digit before the
 * exponent, the whole of s[0..n): no hex, inf or nan (which strtod would
 * take). 0 ok; -1 not that syntax; -2 beyond a double (*v is +-inf).
 * Exact: Clinger's fast path (an exact mantissa below 2^53 times a power
 * of ten up to 1e22 rounds correctly in one step) covers the values
 * agents write, and strtod the rest.
 */
int aiops_parse_decimal(const char *s, size_t n, double *v);
/* Is s[0..n) of that syntax? */
int aiops_decimal_syntax(const char *s, size_t n);
/*
 * v rounded to 7 significant digits (printf's %.7g read back): what a
 * float holds, and more than any model output is worth; 0, inf and NaN
 * unchanged.
 */
double aiops_round7(double v);

#endif
