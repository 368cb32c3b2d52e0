/* logmine_int.h: internals shared by lib/logmine*.c (not installed). */
#ifndef AIOPS_LOGMINE_INT_H
#define AIOPS_LOGMINE_INT_H

#include <stddef.h>

/*
 * ASCII character classes by table: the <ctype.h> calls go through the
 * locale and showed up in profiles of the per-byte loops.
 */
enum { LM_ALPHA = 1, LM_DIGIT = 2, LM_HEX = 4, LM_UPPER = 8, LM_LOWER = 16 };
extern const unsigned char lm_cc[256];

static inline int lm_isalpha(int c) { return lm_cc[c & 255] & LM_ALPHA; }
static inline int lm_isdigit(int c) { return lm_cc[c & 255] & LM_DIGIT; }
static inline int lm_isalnum(int c)
{
	return lm_cc[c & 255] & (LM_ALPHA | LM_DIGIT);
}
static inline int lm_isxdigit(int c) { return lm_cc[c & 255] & LM_HEX; }
static inline int lm_isupper(int c) { return lm_cc[c & 255] & LM_UPPER; }
static inline int lm_islower(int c) { return lm_cc[c & 255] & LM_LOWER; }

/* A time (H:MM...) starts at p. */
int is_time_at(const char *p, size_t n);

/* Header word classes, reused to spot timestamps inside messages. */
int lm_is_month(const char *p, size_t n);
int lm_is_wday(const char *p, size_t n);
int lm_is_time(const char *p, size_t n);

/* Token is a wildcard-bearing template token: contains "<*>". */
int lm_has_wild(const char *p, size_t n);

/* Glob match of template token pat (with <*>) against text; when caps is
 * non-NULL store each <*> capture as (start, len) pairs. Returns the number
 * of captures, or -1 if no match. */
int lm_glob(const char *pat, size_t pn, const char *s, size_t sn,
    size_t *caps, size_t maxcaps);

#endif
