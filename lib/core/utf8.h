/* utf8.h: UTF-8 validation (RFC 3629: no overlongs, no surrogates). */
#ifndef AIOPS_UTF8_H
#define AIOPS_UTF8_H

#include <stddef.h>
#include <sys/types.h>

#include "core/buf.h"

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
/*
 * Copies s into b (which it empties first) with every byte that does not
 * start a valid sequence, and every NUL, replaced by U+FFFD: one per byte,
 * as aiops_jw_string() writes bad bytes. Returns the number replaced.
 */
size_t aiops_utf8_repair(struct aiops_buf *b, const char *s, size_t n);

#endif
