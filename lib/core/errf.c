/*
 * errf.c: the callers' error buffers (errf.h).
 */
#include "compat.h"

#include <stdarg.h>
#include <stdio.h>

#include "core/errf.h"

void
aiops_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}
