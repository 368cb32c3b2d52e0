/* utf8.h: UTF-8 validation (RFC 3629: no overlongs, no surrogates). */
#ifndef AIOPS_UTF8_H
#define AIOPS_UTF8_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Length of the valid sequence starting at p (1 to 4), or 0 when the bytes
 * there are not valid UTF-8. n is the number of bytes available.
 */
size_t aiops_utf8_seqlen(const unsigned char *p, size_t n);
/*
 * Offset of the first byte that is not valid UTF-8 or is NUL (text input
 * never carries NUL), or -1 when all n bytes are fine.
 */
ssize_t aiops_utf8_check(const char *s, size_t n);

#endif
