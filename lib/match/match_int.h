/*
 * match_int.h: the inside of struct aiops_match, shared by matcher.c (the
 * model, evaluation, text), amparse.c (Alertmanager) and criteria.c
 * (StackStorm). Nothing outside lib/match/ includes it.
 */
#ifndef AIOPS_MATCH_INT_H
#define AIOPS_MATCH_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <jansson.h>
#include <pcre2.h>
#include <stdatomic.h>
#include <stddef.h>

#include "core/errf.h"
#include <stdint.h>

#include "match/matcher.h"

enum cond_op {
	/* Alertmanager, in its MatchType order (route key sorting uses it). */
	OP_AM_EQ, OP_AM_NE, OP_AM_RE, OP_AM_NRE,
	/* StackStorm */
	OP_EQUALS, OP_NEQUALS, OP_IEQUALS, OP_LESSTHAN, OP_GREATERTHAN,
	OP_MATCHWILDCARD, OP_REGEX, OP_IREGEX, OP_MATCHREGEX,
	OP_CONTAINS, OP_NCONTAINS, OP_ICONTAINS, OP_INCONTAINS,
	OP_STARTSWITH, OP_ISTARTSWITH, OP_ENDSWITH, OP_IENDSWITH,
	OP_EXISTS, OP_NEXISTS, OP_INSIDE, OP_NINSIDE,
	OP_TIMEDIFF_LT, OP_TIMEDIFF_GT, OP_SEARCH,
};

enum search_cond { SEARCH_ANY, SEARCH_ALL, SEARCH_ANY2ANY, SEARCH_ALL2ANY };

/* One component of a criteria path. */
struct step {
	char	*key;		/* object member (NUL-free) */
	size_t	 keylen;
	long	 index;		/* array index, or -1 when key is not digits */
	int	 bracket;	/* written [N]: an index only */
};

struct cond {
	enum cond_op	 op;
	char		*name;		/* label name, or the criteria key as written */
	size_t		 namelen;
	struct step	*steps;		/* criteria path; none for a label */
	size_t		 nsteps;
	char		*value;		/* matcher value, or a string pattern */
	size_t		 valuelen;
	json_t		*pattern;	/* criteria pattern (new reference) or NULL */
	double		 number;	/* numeric pattern */
	pcre2_code	*re;		/* regex, wildcard, caseless literal */
	pcre2_code	*re_whole;	/* icontains on array elements: whole */
	enum search_cond scond;
	struct aiops_match *children;	/* search */
};

enum match_kind { KIND_MATCHERS, KIND_CRITERIA };

struct aiops_match {
	enum match_kind	 kind;
	struct cond	*conds;
	size_t		 n, cap;
	/* Criteria: the conditions in the order they are tried, cheap and
	 * exact ones first (all must hold, so the order changes only the
	 * work); NULL: as written. */
	size_t		*order;
	pcre2_match_context *mctx;	/* limits; read-only once built */
	atomic_ulong	 limit_hits;
};

/* A new empty match of kind k (with its limits context). */
struct aiops_match *match_new(enum match_kind k);
/* Appends a zeroed condition and returns it. */
struct cond *match_add(struct aiops_match *m);
/* Frees the contents of c. */
void cond_release(struct cond *c);
/*
 * Compiles pattern (len bytes) with PCRE2 UTF options plus opts, JIT when
 * available. NULL with *erroff (bytes into pattern) and msg filled.
 */
pcre2_code *re_compile(const char *pattern, size_t len, uint32_t opts, size_t *erroff,
    char *msg, size_t msglen);
/* The criteria of m as the JSON object (or array) they print as: new. */
json_t *criteria_json(const struct aiops_match *m);

#endif
