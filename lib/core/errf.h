/*
 * errf.h: the error buffer that library functions fill for their caller
 * (char *err, size_t errlen): what went wrong and where, never printed.
 */
#ifndef AIOPS_ERRF_H
#define AIOPS_ERRF_H

#include <stddef.h>

/* Formats into err (errlen bytes, NUL-terminated); nothing when err is
 * NULL or errlen 0. */
void aiops_errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
