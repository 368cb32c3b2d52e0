#include "compat.h"

#include <string.h>

#include "event/promname.h"

/*
 * Byte classes: 1 a letter or '_', 2 a digit, 4 ':', 8 a UTF-8
 * continuation byte (part of the character before it). A table: line
 * protocol names go through here on the hot path.
 */
#define PN_ALPHA	1
#define PN_DIGIT	2
#define PN_COLON	4
#define PN_CONT		8

static const unsigned char cls[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 4, 0, 0, 0, 0, 0,
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1,
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
	8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8,
	8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8,
	8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8,
	8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static int
rest_mask(enum aiops_promname kind)
{
	return kind == AIOPS_PN_METRIC ? PN_ALPHA | PN_DIGIT | PN_COLON : PN_ALPHA | PN_DIGIT;
}

int
aiops_promname_valid(const char *s, size_t n, enum aiops_promname kind)
{
	int rest = rest_mask(kind);
	size_t i;

	if (n == 0 || (cls[(unsigned char)s[0]] & (rest & ~PN_DIGIT)) == 0)
		return 0;
	for (i = 1; i < n; i++)
		if ((cls[(unsigned char)s[i]] & rest) == 0)
			return 0;
	return 1;
}

void
aiops_promname_add(struct aiops_buf *b, const char *s, size_t n, enum aiops_promname kind)
{
	int rest = rest_mask(kind);
	size_t i;
	char *o;

	if (aiops_promname_valid(s, n, kind)) {
		aiops_buf_add(b, s, n);
		return;
	}
	aiops_buf_grow(b, n + 2);
	o = b->data + b->len;
	if (n > 0 && cls[(unsigned char)s[0]] == PN_DIGIT)
		*o++ = '_';
	for (i = 0; i < n; i++) {
		unsigned char c = cls[(unsigned char)s[i]];

		if (c & rest)
			*o++ = s[i];
		else if (c != PN_CONT)
			*o++ = '_';
	}
	b->len = (size_t)(o - b->data);
	b->data[b->len] = '\0';
}
