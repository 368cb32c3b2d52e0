#include "compat.h"

#include <stdint.h>
#include <string.h>

#include "core/utf8.h"

size_t
aiops_utf8_seqlen(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		unsigned char lo = c == 0xe0 ? 0xa0 : 0x80;
		unsigned char hi = c == 0xed ? 0x9f : 0xbf;

		return n >= 3 && p[1] >= lo && p[1] <= hi &&
		    (p[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		unsigned char lo = c == 0xf0 ? 0x90 : 0x80;
		unsigned char hi = c == 0xf4 ? 0x8f : 0xbf;

		return n >= 4 && p[1] >= lo && p[1] <= hi &&
		    (p[2] & 0xc0) == 0x80 && (p[3] & 0xc0) == 0x80 ? 4 : 0;
	}
	return 0;
}

ssize_t
aiops_utf8_check(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		size_t len;

		/* Fast path: eight ASCII bytes at a time, none of them NUL. */
		if (i + 8 <= n) {
			uint64_t w;

			memcpy(&w, p + i, 8);
			if ((w & 0x8080808080808080ULL) == 0 &&
			    ((w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL) == 0) {
				i += 8;
				continue;
			}
		}
		if (p[i] == 0)
			return (ssize_t)i;
		len = aiops_utf8_seqlen(p + i, n - i);
		if (len == 0)
			return (ssize_t)i;
		i += len;
	}
	return -1;
}

size_t
aiops_utf8_repair(struct aiops_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0, nbad = 0, len;

	aiops_buf_reset(b);
	aiops_buf_grow(b, n + 2);
	while (i < n) {
		len = p[i] == 0 ? 0 : aiops_utf8_seqlen(p + i, n - i);
		if (len > 0) {
			i += len;
			continue;
		}
		aiops_buf_add(b, s + run, i - run);
		aiops_buf_add(b, "\xef\xbf\xbd", 3);
		nbad++;
		run = ++i;
	}
	aiops_buf_add(b, s + run, i - run);
	return nbad;
}
