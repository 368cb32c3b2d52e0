/* Decimal parsing: the same double as strtod, the same refusals. */
#include "compat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/numparse.h"
#include "tap.h"

static int
same_as_strtod(const char *s)
{
	double v, w = strtod(s, NULL);

	return aiops_parse_decimal(s, strlen(s), &v) == 0 && v == w &&
	    signbit(v) == signbit(w);
}

int
main(void)
{
	static const char *good[] = {
		"0", "-0", "+1", "1.5", "0.1", "123456789012345678901234567890",
		"1e22", "1e23", "-2.5e-310", "4.9e-324", "1.7976931348623157e308",
		"00012.3400", ".5", "5.", "9007199254740993", "3.14159265358979323846",
	};
	static const char *bad[] = {
		"", "-", ".", "e5", "1e", "1e+", "0x10", "inf", "nan", "1,5", "1 ", " 1",
		"1.2.3", "--1", "1e5x",
	};
	size_t i;
	double v;
	char buf[64];
	int all = 1;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ok(same_as_strtod(good[i]), "%s reads as strtod reads it", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(aiops_parse_decimal(bad[i], strlen(bad[i]), &v) == -1, "\"%s\" is refused", bad[i]);
	ok(aiops_parse_decimal("1e999", 5, &v) == -2 && isinf(v), "overflow says so");
	ok(aiops_parse_decimal("12345", 3, &v) == 0 && v == 123, "only n bytes are read");
	srand(3);
	for (i = 0; i < 200000; i++) {
		snprintf(buf, sizeof(buf), "%d.%0*de%d", rand() % 100000, rand() % 9 + 1,
		    rand() % 100000, rand() % 40 - 20);
		all &= same_as_strtod(buf);
	}
	ok(all, "200000 random decimals read exactly as strtod reads them");
	return tap_done();
}
