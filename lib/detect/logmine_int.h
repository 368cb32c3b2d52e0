/*
 * logmine_int.h: internals shared by lib/logmine*.c.  Not part of the
 * libaiops interface: callers use logmine.h.
 */
#ifndef AIOPS_LOGMINE_INT_H
#define AIOPS_LOGMINE_INT_H

#include <stddef.h>

/*
 * ASCII character classes by table: the <ctype.h> calls go through the
 * locale and showed up in profiles of the per-byte loops.
 */
enum { LM_ALPHA = 1, LM_DIGIT = 2, LM_HEX = 4, LM_UPPER = 8, LM_LOWER = 16 };
extern const unsigned char aiops_logmine_cc[256];

static inline int
lm_isalpha(int c)
{
	return aiops_logmine_cc[c & 255] & LM_ALPHA;
}

static inline int
lm_isdigit(int c)
{
	return aiops_logmine_cc[c & 255] & LM_DIGIT;
}

static inline int
lm_isalnum(int c)
{
	return aiops_logmine_cc[c & 255] & (LM_ALPHA | LM_DIGIT);
}

static inline int
lm_isxdigit(int c)
{
	return aiops_logmine_cc[c & 255] & LM_HEX;
}

static inline int
lm_isupper(int c)
{
	return aiops_logmine_cc[c & 255] & LM_UPPER;
}

static inline int
lm_islower(int c)
{
	return aiops_logmine_cc[c & 255] & LM_LOWER;
}

/* A DNS name, with a port or not ("cdn.example.net:443"): a value. */
int aiops_logmine_is_hostname(const char *p, size_t n);

/* A plain token (no digit) with a dot that masking turns into a value. */
int aiops_logmine_dotted_value(const char *p, size_t n);

/* true/false/null (and True/False): always a value. */
int aiops_logmine_is_bool(const char *p, size_t n);

/* aiops_logmine_mask_token() for a token known not to be a plain word
 * (it has a digit, '/', '\\' or a true/false/null run). */
size_t aiops_logmine_mask_nonplain(const char *p, size_t n, char *o);

/*
 * A word that is the event rather than a value in it: a state, outcome,
 * direction or life-cycle verb ("Started", "failure", "above"), or an
 * error type's name ("java.io.IOException:").  Two lines that differ in
 * such a word are two kinds of line.
 */
int aiops_logmine_is_event_word(const char *p, size_t n);

/* ASCII case-insensitive compare of n bytes, like strncasecmp(3). */
int aiops_logmine_casecmp(const char *a, const char *b, size_t n);

/* Token holds a "<*>". */
int aiops_logmine_has_wild(const char *p, size_t n);

/*
 * Glob match of template token pat (with <*>) against text s; when caps is
 * non-NULL store each <*> capture as (offset, len) pairs, at most maxcaps.
 * Returns the number of captures, or -1 if s does not match.
 */
int aiops_logmine_glob(const char *pat, size_t pn, const char *s, size_t sn,
    size_t *caps, size_t maxcaps);

#endif /* AIOPS_LOGMINE_INT_H */
