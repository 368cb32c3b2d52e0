/*
 * redactor.c: placeholders for the sensitive parts of text sent to a
 * language model (redactor.h says what is matched and the limits).
 *
 * One PCRE2 pass per rule over the original text collects the spans to
 * replace; overlaps are settled (spans_resolve()), then the text is copied
 * once with placeholders in place of the spans. No rule ever sees
 * another's placeholders.
 *
 * The patterns are ASCII and compiled without PCRE2_UTF: PCRE2 then reads
 * bytes, any bytes, so text that is not UTF-8 passes through untouched,
 * and \w is [A-Za-z0-9_]. A match starts and ends on ASCII bytes, so
 * redacting valid UTF-8 gives valid UTF-8.
 */
#include "compat.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <jansson.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/errf.h"
#include "core/hmap.h"
#include "core/xmalloc.h"
#include "llm/redactor.h"

/* Placeholder families: the word in "[WORD_n]". */
enum fam { FAM_IP, FAM_EMAIL, FAM_SECRET, FAM_HOST, FAM_MAC, NFAM };

static const char *const famname[NFAM] = { "IP", "EMAIL", "SECRET", "HOST", "MAC" };

#define NKINDS	6	/* bits of enum aiops_redactor_kind */

/* ---- the patterns ---- */

#define OCT	"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
#define V4	"(?:" OCT "\\.){3}" OCT
#define H	"[0-9A-Fa-f]{1,4}"
/*
 * Repeated groups are bounded: PCRE2's JIT keeps a frame per iteration on
 * a 32 KiB stack, so an unbounded one fails on a long enough word.
 */
#define LABELS	"40"		/* dot-separated labels of a name */
#define ESCAPES	"256"		/* backslash escapes in a secret value */
#define UNQ	"[^\\s\"',;&<>(){}\\[\\]\\\\]"	/* an unquoted value's bytes */

/*
 * Two-letter last labels that are file extensions far more often than
 * country codes in logs (foo.tar.gz, jquery.min.js, config.h.in).
 */
#define NOTTLD	"(?!(?:gz|xz|bz|js|ts|py|rb|pl|pm|sh|so|md|db|go|rs|hs|el|cs|mo|po|ml" \
	"|in|am|ac|rc|mk|jl|cc|cp|hh|pb|ko|lo|la|ps|nc)(?![a-z0-9-]))"
#define GTLD	"(?:com|net|org|edu|gov|mil|int|info|biz|name|pro|arpa|local" \
	"|localdomain|internal|intranet|intra|lan|home|corp|private|priv|cloud|dev" \
	"|app|tech|online|site|xyz|svc|test|example)"
/* Not inside a longer word, and not a path component: after "//" is fine. */
#define WORDSTART "(?<![\\w.-])(?:(?<=//)|(?<!/))"

enum rule {
	R_IP4, R_IP6, R_EMAIL, R_KV, R_AUTH, R_BEARER, R_SHAPE, R_KEYWORD,
	R_MAC, R_URLCRED, R_FQDN, R_HOSTWORD, NRULES
};

static const struct rule_def {
	unsigned	 kind;
	const char	*pat;
} rules[NRULES] = {
	[R_IP4] = { AIOPS_REDACT_IP,
	    "(?<![\\w.])" V4 "(?:/(?:3[0-2]|[12]?[0-9])(?![0-9]))?(?!\\w|\\.[0-9])" },
	/* The lookahead after the lookbehind wants two ':' early: a cheap no. */
	[R_IP6] = { AIOPS_REDACT_IP,
	    "(?<![\\w:.])(?=[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:)(?:"
	    "(?:" H ":){7}" H
	    "|(?:" H ":){6}" V4
	    "|(?:(?:" H ":){1,5}|:):(?:" H ":){0,4}" V4
	    "|(?:" H ":){1,7}:"
	    "|(?:" H ":){1,6}:" H
	    "|(?:" H ":){1,5}(?::" H "){1,2}"
	    "|(?:" H ":){1,4}(?::" H "){1,3}"
	    "|(?:" H ":){1,3}(?::" H "){1,4}"
	    "|(?:" H ":){1,2}(?::" H "){1,5}"
	    "|" H ":(?::" H "){1,6}"
	    "|:(?::" H "){1,7})"
	    "(?:%[0-9A-Za-z._~-]{1,64})?"
	    "(?:/(?:12[0-8]|1[01][0-9]|[1-9]?[0-9])(?![0-9]))?"
	    "(?![\\w:]|\\.[0-9])" },
	/* Not syslog's SD-IDs: exampleSDID@32473.eventID. */
	[R_EMAIL] = { AIOPS_REDACT_EMAIL,
	    "(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@(?![0-9]+\\.)"
	    "(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.){1," LABELS "}"
	    "(?:[a-z]{2,63}|[A-Z]{2,63})"
	    "(?![A-Za-z0-9-]|\\.[A-Za-z0-9])" },
	/*
	 * key=value, key: value, "key":"value", \"key\":\"value\" (JSON in a
	 * string): only the value. The key may have any prefix (db_password,
	 * X-Auth-Token) but ends there (token_count, max_tokens do not).
	 */
	[R_KV] = { AIOPS_REDACT_SECRET,
	    "(?i)(?:password|passwd|client[-_]?secret|secret[-_]?key|secret|token"
	    "|api[-_]?key|access[-_]?key|private[-_]?key)(?![\\w-])"
	    "\\\\?[\"']?[ \\t]*(?:=>|:=|[:=])[ \\t]*"
	    "(?:\"\\K[^\"\\\\\\r\\n]*+(?:\\\\.[^\"\\\\\\r\\n]*+){0," ESCAPES "}"
	    "|\\\\\"\\K[^\"\\\\\\r\\n]*+(?:\\\\[^\"\\r\\n][^\"\\\\\\r\\n]*+){0," ESCAPES "}"
	    "|'\\K[^'\\r\\n]++"
	    "|\\K" UNQ "*+(?:\\\\(?![\"'])" UNQ "*+){0," ESCAPES "})" },
	/* Authorization: [scheme] credential; an unknown scheme goes itself. */
	[R_AUTH] = { AIOPS_REDACT_SECRET,
	    "(?i)authorization\\\\?[\"']?[ \\t]*[:=][ \\t]*\\\\?[\"']?[ \\t]*"
	    "(?:(?:bearer|token|basic|bot|apikey|sso-key|negotiate|ntlm)[ \\t]+)?"
	    "\\K[^\\s\"',;\\\\]+" },
	/* Not "Bearer authentication": a token has something not a letter. */
	[R_BEARER] = { AIOPS_REDACT_SECRET,
	    "(?i)(?<![\\w-])bearer[ \\t]+\\K(?=[a-z]*[^a-z\\s])[a-z0-9._~+/-]{8,}=*" },
	[R_SHAPE] = { AIOPS_REDACT_SECRET,
	    "(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])"
	    "|(?<![\\w-])gh[pousr]_[A-Za-z0-9]{36,251}(?![\\w-])"
	    "|(?<![\\w-])github_pat_\\w{22,255}(?![\\w-])"
	    "|(?<![\\w-])xox[abprs]-[A-Za-z0-9-]{10,250}"
	    "|(?<![\\w-])eyJ[\\w-]{4,}\\.[\\w-]{4,}\\.[\\w-]*"
	    "|-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY-----(?s:.*?)"
	    "(?:-----END[A-Z0-9 ]{0,40}PRIVATE KEY-----|\\z)"
	    "|(?<![\\w-])aiops_[0-9a-f]{12}_[\\w-]{43}(?![\\w-])" },
	/*
	 * A random-looking word of 32+ only after a key-like word: a sha256
	 * template id or a fingerprint alone is not a secret.
	 */
	[R_KEYWORD] = { AIOPS_REDACT_SECRET,
	    "(?i)(?<![a-z])(?:key|secret|token|signature|sig|credentials?|auth|hmac"
	    "|passphrase|password|passwd)(?=[\\s:=\"'\\\\])[\\s:=\"'\\\\]{1,6}"
	    "\\K(?=[a-z+/_-]*[0-9])(?=[0-9+/_-]*[a-z])[a-z0-9+/_-]{32,}={0,2}"
	    "(?![a-z0-9+/=_-])" },
	[R_MAC] = { AIOPS_REDACT_MAC,
	    "(?<![\\w:.-])(?:[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\\1[0-9A-Fa-f]{2}){4}"
	    "|[0-9A-Fa-f]{4}\\.[0-9A-Fa-f]{4}\\.[0-9A-Fa-f]{4})(?![\\w:-]|\\.\\w)" },
	[R_URLCRED] = { AIOPS_REDACT_URLCRED,
	    "(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,30}://"
	    "\\K[^\\s/?#@:\"'<>\\[\\]]{0,256}:[^\\s/?#@\"'<>]{0,512}(?=@)" },
	[R_FQDN] = { AIOPS_REDACT_HOST,
	    "(?i)" WORDSTART "(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.){2," LABELS "}"
	    "(?:" GTLD "|" NOTTLD "[a-z]{2})(?![\\w-]|\\.[\\w-])" },
	/* Candidate words for the names added; the lookup decides. */
	[R_HOSTWORD] = { AIOPS_REDACT_HOST,
	    WORDSTART "[A-Za-z0-9][\\w-]*+(?:\\.[A-Za-z0-9][\\w-]*+){0," LABELS "}" },
};

/* apply_json: a string under such a key is a secret whole. */
#define SECRET_KEY_PATTERN "(?i)(?:password|passwd|client[-_]?secret|secret[-_]?key|secret" \
	"|token|api[-_]?key|access[-_]?key|private[-_]?key|authorization)\\z"

#define PH_PATTERN	"\\[(?:IP|EMAIL|SECRET|HOST|MAC)_[1-9][0-9]{0,5}\\]"

/* Bounds on backtracking; the patterns above stay far below them. */
#define RE_MATCH_LIMIT	10000000
#define RE_DEPTH_LIMIT	10000
#define RE_HEAP_LIMIT	(64 * 1024)	/* KiB */

#define HOST_MAX	253

/* bynum's value for a number typed in the input, never given out. */
#define RESERVED	((void *)UINTPTR_MAX)

struct entry {
	const char	*orig;		/* in byorig's copy of the key, after the family */
	size_t		 len;
	unsigned	 n;
	unsigned char	 fam;
};

/*
 * The patterns are compiled (and JIT-compiled: executable pages mapped)
 * once per process and shared by every redactor, read-only, which PCRE2
 * allows across threads: a redactor then costs little to make.
 */
static pthread_once_t compiled_once = PTHREAD_ONCE_INIT;
static pcre2_code *compiled[NRULES + 2];	/* the rules, PH_PATTERN, SECRET_KEY_PATTERN */
static char compile_err[160];

#define C_PH	NRULES
#define C_KEY	(NRULES + 1)

struct aiops_redactor {
	unsigned		 kinds;
	const pcre2_code	*re[NRULES];	/* shared; NULL: the kind is off */
	const pcre2_code	*re_ph;
	const pcre2_code	*re_key;	/* with SECRET only */
	pcre2_match_context	*mctx;
	struct aiops_hmap	 byorig;	/* family byte + original -> entry + 1 */
	struct aiops_hmap	 bynum;		/* "IP_3" -> entry + 1, or RESERVED */
	struct aiops_hmap	 hosts;		/* lowercase names added */
	struct entry		*ents;
	size_t			 nents, capents;
	size_t			 nreserved;
	unsigned		 next[NFAM];	/* last number given, per family */
	size_t			 count[NKINDS];
	struct aiops_buf	 scratch;	/* keys and lowercased words */
};

struct span {
	size_t		 so, eo;
	unsigned	 kind;
};

struct spanv {
	struct span	*v;
	size_t		 n, cap;
};

static enum fam
kind_fam(unsigned kind)
{
	switch (kind) {
	case AIOPS_REDACT_IP:
		return FAM_IP;
	case AIOPS_REDACT_EMAIL:
		return FAM_EMAIL;
	case AIOPS_REDACT_HOST:
		return FAM_HOST;
	case AIOPS_REDACT_MAC:
		return FAM_MAC;
	default:
		return FAM_SECRET;	/* SECRET, URLCRED */
	}
}

/* Which kind wins where spans overlap; secrets of both kinds make a union. */
static int
kind_rank(unsigned kind)
{
	switch (kind) {
	case AIOPS_REDACT_SECRET:
	case AIOPS_REDACT_URLCRED:
		return 6;
	case AIOPS_REDACT_EMAIL:
		return 4;
	case AIOPS_REDACT_IP:
		return 3;
	case AIOPS_REDACT_MAC:
		return 2;
	default:
		return 1;
	}
}

static unsigned
kind_index(unsigned kind)
{
	unsigned i;

	for (i = 0; i < NKINDS; i++)
		if (kind == 1u << i)
			return i;
	return 0;
}

static pcre2_code *
compile(const char *pat)
{
	PCRE2_UCHAR msg[128];
	PCRE2_SIZE off;
	pcre2_code *re;
	int code;

	re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, PCRE2_NEVER_BACKSLASH_C,
	    &code, &off, NULL);
	if (re == NULL) {
		if (pcre2_get_error_message(code, msg, sizeof(msg)) < 0)
			msg[0] = '\0';
		(void)snprintf(compile_err, sizeof(compile_err),
		    "redactor pattern at offset %zu: %s", (size_t)off, (const char *)msg);
		return NULL;
	}
	/* The JIT is an optimisation: without it the interpreter runs. */
	(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	return re;
}

/* All or nothing: on a failure compiled[] stays empty and compile_err says why. */
static void
compile_all(void)
{
	size_t i;

	for (i = 0; i < NRULES + 2; i++) {
		compiled[i] = compile(i == C_PH ? PH_PATTERN : i == C_KEY ? SECRET_KEY_PATTERN :
		    rules[i].pat);
		if (compiled[i] == NULL) {
			while (i-- > 0) {
				pcre2_code_free(compiled[i]);
				compiled[i] = NULL;
			}
			return;
		}
	}
}

struct aiops_redactor *
aiops_redactor_new(unsigned kinds, char *err, size_t errlen)
{
	struct aiops_redactor *r;
	size_t i;

	if ((kinds & ~(unsigned)AIOPS_REDACT_ALL) != 0) {
		aiops_errf(err, errlen, "unknown redactor kinds 0x%x",
		    kinds & ~(unsigned)AIOPS_REDACT_ALL);
		return NULL;
	}
	pthread_once(&compiled_once, compile_all);
	if (compiled[C_PH] == NULL) {
		aiops_errf(err, errlen, "%s", compile_err[0] ? compile_err :
		    "redactor patterns: out of memory");
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->kinds = kinds;
	aiops_hmap_init(&r->byorig);
	aiops_hmap_init(&r->bynum);
	aiops_hmap_init(&r->hosts);
	aiops_buf_init(&r->scratch);
	if ((r->mctx = pcre2_match_context_create(NULL)) == NULL)
		xoom(sizeof(pcre2_match_context *));
	pcre2_set_match_limit(r->mctx, RE_MATCH_LIMIT);
	pcre2_set_depth_limit(r->mctx, RE_DEPTH_LIMIT);
	pcre2_set_heap_limit(r->mctx, RE_HEAP_LIMIT);
	r->re_ph = compiled[C_PH];
	if (kinds & AIOPS_REDACT_SECRET)
		r->re_key = compiled[C_KEY];
	for (i = 0; i < NRULES; i++)
		if (kinds & rules[i].kind)
			r->re[i] = compiled[i];
	return r;
}

static void
wipe_keys(struct aiops_hmap *m)
{
	size_t i;

	for (i = 0; i < m->len; i++)
		explicit_bzero(m->ents[i].key, m->ents[i].klen);
}

void
aiops_redactor_free(struct aiops_redactor *r)
{
	if (r == NULL)
		return;
	pcre2_match_context_free(r->mctx);
	wipe_keys(&r->byorig);
	aiops_hmap_release(&r->byorig, NULL);
	aiops_hmap_release(&r->bynum, NULL);
	aiops_hmap_release(&r->hosts, NULL);
	free(r->ents);
	if (r->scratch.data != NULL)
		explicit_bzero(r->scratch.data, r->scratch.cap);
	aiops_buf_release(&r->scratch);
	free(r);
}

static void
lower_into(struct aiops_buf *b, const char *s, size_t n)
{
	size_t i;

	aiops_buf_reset(b);
	aiops_buf_grow(b, n);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		b->data[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	b->len = n;
	b->data[n] = '\0';
}

int
aiops_redactor_add_host(struct aiops_redactor *r, const char *host)
{
	size_t i, n = strlen(host);

	if (n > 0 && host[n - 1] == '.')
		n--;
	if (n == 0 || n > HOST_MAX || host[0] == '.' || host[0] == '-')
		goto inval;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)host[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_'))
			goto inval;
	}
	lower_into(&r->scratch, host, n);
	aiops_hmap_put(&r->hosts, r->scratch.data, n, (void *)1);
	return 0;
inval:
	errno = EINVAL;
	return -1;
}

/* ---- matching ---- */

static int
match_errno(int rc)
{
	switch (rc) {
	case PCRE2_ERROR_NOMEMORY:
		return ENOMEM;
	case PCRE2_ERROR_MATCHLIMIT:
	case PCRE2_ERROR_DEPTHLIMIT:
	case PCRE2_ERROR_HEAPLIMIT:
		return ERANGE;
	default:
		return EINVAL;
	}
}

/*
 * The next match of re in s[0..n) from *pos: 1 with [*so, *eo) (after \K),
 * 0 at the end, -1 with errno set.
 */
static int
next_match(const pcre2_code *re, pcre2_match_context *mctx, pcre2_match_data *md,
    const char *s, size_t n, size_t *pos, size_t *so, size_t *eo)
{
	PCRE2_SIZE *ov;
	int rc;

	if (*pos > n)
		return 0;
	rc = pcre2_match(re, (PCRE2_SPTR)s, n, *pos, 0, md, mctx);
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc < 0) {
		errno = match_errno(rc);
		return -1;
	}
	ov = pcre2_get_ovector_pointer(md);
	*so = ov[0];
	*eo = ov[1];
	*pos = *eo > *pos ? *eo : *pos + 1;
	return 1;
}

static void
span_add(struct spanv *sv, size_t so, size_t eo, unsigned kind)
{
	if (eo <= so)
		return;
	if (sv->n == sv->cap) {
		sv->cap = sv->cap ? 2 * sv->cap : 64;
		sv->v = xreallocarray(sv->v, sv->cap, sizeof(*sv->v));
	}
	sv->v[sv->n].so = so;
	sv->v[sv->n].eo = eo;
	sv->v[sv->n].kind = kind;
	sv->n++;
}

/*
 * The length of the longest leading part of word (all of it, or up to a
 * '.') that is a host added, or 0.
 */
static size_t
known_host(struct aiops_redactor *r, const char *w, size_t n)
{
	size_t k;

	lower_into(&r->scratch, w, n);
	for (k = n; k > 0; k--) {
		if (k < n && w[k] != '.')
			continue;
		if (aiops_hmap_get(&r->hosts, r->scratch.data, k) != NULL)
			return k;
	}
	return 0;
}

static int
collect(struct aiops_redactor *r, enum rule ru, const char *s, size_t n,
    pcre2_match_data *md, struct spanv *sv)
{
	size_t pos = 0, so, eo, k;
	int rc;

	if (ru == R_HOSTWORD && r->hosts.len == 0)
		return 0;
	while ((rc = next_match(r->re[ru], r->mctx, md, s, n, &pos, &so, &eo)) == 1) {
		if (ru != R_HOSTWORD)
			span_add(sv, so, eo, rules[ru].kind);
		else if ((k = known_host(r, s + so, eo - so)) > 0)
			span_add(sv, so, so + k, rules[ru].kind);
	}
	return rc;
}

static int
span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->so != y->so)
		return x->so < y->so ? -1 : 1;
	if (x->eo != y->eo)
		return x->eo > y->eo ? -1 : 1;
	return kind_rank(y->kind) - kind_rank(x->kind);
}

/*
 * Sorts the spans and settles overlaps, in place: the strongest kind
 * first; spans of one kind that overlap become their union; a weaker span
 * that overlaps a stronger one is dropped (the e-mail "pass@host" inside
 * "https://user:pass@host" is the URL's credentials). Linear after the
 * sort: each rank is swept against the spans kept so far.
 */
static void
spans_resolve(struct spanv *sv)
{
	struct spanv acc = { NULL, 0, 0 }, next = { NULL, 0, 0 }, tmp;
	size_t i, j, k;
	int rank;

	if (sv->n == 0)
		return;
	qsort(sv->v, sv->n, sizeof(*sv->v), span_cmp);
	for (rank = 6; rank >= 1; rank--) {
		/* next: acc and this rank's spans that survive, in order */
		struct span cur = { 0, 0, 0 };
		int have = 0;

		next.n = 0;
		for (i = 0, j = 0, k = 0; i <= sv->n; i++) {
			const struct span *sp = i < sv->n ? &sv->v[i] : NULL;

			if (sp != NULL && kind_rank(sp->kind) != rank)
				continue;
			if (sp != NULL && have && sp->so < cur.eo) {
				if (sp->eo > cur.eo)
					cur.eo = sp->eo;
				continue;
			}
			if (have) {
				/* keep cur unless a stronger span kept overlaps it */
				while (j < acc.n && acc.v[j].eo <= cur.so)
					j++;
				if (j == acc.n || acc.v[j].so >= cur.eo) {
					/* merge: the kept spans before cur, then cur */
					for (; k < acc.n && acc.v[k].so < cur.so; k++)
						span_add(&next, acc.v[k].so, acc.v[k].eo, acc.v[k].kind);
					span_add(&next, cur.so, cur.eo, cur.kind);
				}
			}
			if (sp != NULL) {
				cur = *sp;
				have = 1;
			}
		}
		for (; k < acc.n; k++)
			span_add(&next, acc.v[k].so, acc.v[k].eo, acc.v[k].kind);
		tmp = acc;
		acc = next;
		next = tmp;
	}
	free(sv->v);
	free(next.v);
	*sv = acc;
}

/* ---- numbering ---- */

static int
room(const struct aiops_redactor *r)
{
	if (r->nents + r->nreserved >= AIOPS_REDACTOR_MAX) {
		errno = E2BIG;
		return 0;
	}
	return 1;
}

static size_t
numkey(char *buf, size_t size, enum fam f, unsigned n)
{
	int k = snprintf(buf, size, "%s_%u", famname[f], n);

	return k < 0 || (size_t)k >= size ? 0 : (size_t)k;
}

/*
 * Reserves the numbers of placeholders typed in s, so that ours never take
 * them. 0, or -1 with errno set.
 */
static int
reserve_typed(struct aiops_redactor *r, const char *s, size_t n, pcre2_match_data *md)
{
	size_t pos = 0, so, eo;
	unsigned long num;
	const char *us;
	int rc;

	while ((rc = next_match(r->re_ph, r->mctx, md, s, n, &pos, &so, &eo)) == 1) {
		/* "[FAM_n]": the key is what the brackets hold */
		if ((us = memchr(s + so, '_', eo - so)) == NULL)
			continue;
		num = strtoul(us + 1, NULL, 10);
		if (num > AIOPS_REDACTOR_MAX ||
		    aiops_hmap_get(&r->bynum, s + so + 1, eo - so - 2) != NULL)
			continue;
		if (!room(r))
			return -1;
		aiops_hmap_put(&r->bynum, s + so + 1, eo - so - 2, RESERVED);
		r->nreserved++;
	}
	return rc;
}

/* The placeholder number of an original, given on first sight; 0: too many. */
static unsigned
number(struct aiops_redactor *r, unsigned kind, const char *s, size_t n)
{
	enum fam f = kind_fam(kind);
	struct aiops_buf *k = &r->scratch;
	const char *copy;
	char nk[32];
	size_t nkl;
	uint64_t h;
	void *v;

	aiops_buf_reset(k);
	aiops_buf_addc(k, (char)f);
	aiops_buf_add(k, s, n);
	h = aiops_hmap_hash(k->data, k->len);
	if ((v = aiops_hmap_get_h(&r->byorig, k->data, k->len, h)) != NULL)
		return r->ents[(uintptr_t)v - 1].n;
	if (!room(r))
		return 0;
	do
		nkl = numkey(nk, sizeof(nk), f, ++r->next[f]);
	while (aiops_hmap_get(&r->bynum, nk, nkl) != NULL);
	if (r->nents == r->capents) {
		r->capents = r->capents ? 2 * r->capents : 64;
		r->ents = xreallocarray(r->ents, r->capents, sizeof(*r->ents));
	}
	copy = aiops_hmap_put_h(&r->byorig, k->data, k->len, h,
	    (void *)(uintptr_t)(r->nents + 1));
	r->ents[r->nents].orig = copy + 1;
	r->ents[r->nents].len = n;
	r->ents[r->nents].n = r->next[f];
	r->ents[r->nents].fam = (unsigned char)f;
	aiops_hmap_put(&r->bynum, nk, nkl, (void *)(uintptr_t)(r->nents + 1));
	r->nents++;
	r->count[kind_index(kind)]++;
	return r->next[f];
}

/* ---- the API ---- */

static int
redact(struct aiops_redactor *r, const char *s, size_t n, pcre2_match_data *md,
    struct spanv *sv, struct aiops_buf *out)
{
	size_t i, at = 0;
	unsigned num;

	if (reserve_typed(r, s, n, md) < 0)
		return -1;
	for (i = 0; i < NRULES; i++)
		if (r->re[i] != NULL && collect(r, (enum rule)i, s, n, md, sv) < 0)
			return -1;
	spans_resolve(sv);
	for (i = 0; i < sv->n; i++) {
		const struct span *sp = &sv->v[i];

		if ((num = number(r, sp->kind, s + sp->so, sp->eo - sp->so)) == 0)
			return -1;
		aiops_buf_add(out, s + at, sp->so - at);
		aiops_buf_addf(out, "[%s_%u]", famname[kind_fam(sp->kind)], num);
		at = sp->eo;
	}
	aiops_buf_add(out, s + at, n - at);
	return 0;
}

int
aiops_redactor_apply(struct aiops_redactor *r, const char *text, size_t len,
    struct aiops_buf *out)
{
	struct spanv sv = { NULL, 0, 0 };
	size_t start = out->len;
	pcre2_match_data *md;
	int rc;

	/* 2 pairs: R_MAC's back reference */
	if ((md = pcre2_match_data_create(2, NULL)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	aiops_buf_grow(out, len);
	if ((rc = redact(r, text, len, md, &sv, out)) < 0) {
		out->len = start;
		out->data[start] = '\0';
	}
	pcre2_match_data_free(md);
	free(sv.v);
	return rc;
}

int
aiops_redactor_restore(const struct aiops_redactor *r, const char *text, size_t len,
    struct aiops_buf *out)
{
	size_t pos = 0, at = 0, so, eo, start = out->len;
	pcre2_match_data *md;
	const struct entry *e;
	void *v;
	int rc;

	if ((md = pcre2_match_data_create(1, NULL)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	aiops_buf_grow(out, len);
	while ((rc = next_match(r->re_ph, r->mctx, md, text, len, &pos, &so, &eo)) == 1) {
		v = aiops_hmap_get(&r->bynum, text + so + 1, eo - so - 2);
		if (v == NULL || v == RESERVED)
			continue;
		e = &r->ents[(uintptr_t)v - 1];
		if (e->fam == FAM_SECRET)
			continue;
		aiops_buf_add(out, text + at, so - at);
		aiops_buf_add(out, e->orig, e->len);
		at = eo;
	}
	pcre2_match_data_free(md);
	if (rc < 0) {
		out->len = start;
		out->data[start] = '\0';
		return -1;
	}
	aiops_buf_add(out, text + at, len - at);
	return 0;
}

static json_t *redact_json(struct aiops_redactor *r, const json_t *v, struct aiops_buf *b);

/* 1 when key names a secret ("password", "X-Auth-Token"...), 0, or -1. */
static int
secret_key(const struct aiops_redactor *r, const char *key, size_t klen)
{
	pcre2_match_data *md;
	int rc;

	if (r->re_key == NULL)
		return 0;
	if ((md = pcre2_match_data_create(1, NULL)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	rc = pcre2_match(r->re_key, (PCRE2_SPTR)key, klen, 0, 0, md, r->mctx);
	pcre2_match_data_free(md);
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc < 0) {
		errno = match_errno(rc);
		return -1;
	}
	return 1;
}

/*
 * An object member's value: a non-empty string under a key that names a
 * secret is one whole ({"password": "x"} has no "password=" for the text
 * rules to see); anything else goes through redact_json().
 */
static json_t *
redact_member(struct aiops_redactor *r, const char *key, size_t klen, const json_t *v,
    struct aiops_buf *b)
{
	unsigned num;
	int rc;

	if (!json_is_string(v) || json_string_length(v) == 0)
		return redact_json(r, v, b);
	if ((rc = secret_key(r, key, klen)) < 0)
		return NULL;
	if (rc == 0)
		return redact_json(r, v, b);
	if ((num = number(r, AIOPS_REDACT_SECRET, json_string_value(v),
	    json_string_length(v))) == 0)
		return NULL;
	aiops_buf_reset(b);
	aiops_buf_addf(b, "[%s_%u]", famname[FAM_SECRET], num);
	return json_stringn(b->data, b->len);
}

/* Keys first, in order, so numbers go as a reader meets the originals. */
static json_t *
redact_object(struct aiops_redactor *r, const json_t *v, struct aiops_buf *b)
{
	struct aiops_buf kb = AIOPS_BUF_INIT;
	json_t *res, *item;
	void *it;

	res = json_object();
	/* jansson's iterators take no const; nothing here writes to v */
	for (it = json_object_iter((json_t *)v); res != NULL && it != NULL;
	    it = json_object_iter_next((json_t *)v, it)) {
		aiops_buf_reset(&kb);
		if (aiops_redactor_apply(r, json_object_iter_key(it),
		    json_object_iter_key_len(it), &kb) < 0 ||
		    (item = redact_member(r, json_object_iter_key(it),
		    json_object_iter_key_len(it), json_object_iter_value(it), b)) == NULL ||
		    json_object_setn_new(res, kb.len ? kb.data : "", kb.len, item) < 0) {
			json_decref(res);
			res = NULL;
		}
	}
	if (kb.data != NULL)
		explicit_bzero(kb.data, kb.cap);
	aiops_buf_release(&kb);
	return res;
}

static json_t *
redact_json(struct aiops_redactor *r, const json_t *v, struct aiops_buf *b)
{
	json_t *res, *item;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_STRING:
		aiops_buf_reset(b);
		if (aiops_redactor_apply(r, json_string_value(v), json_string_length(v), b) < 0)
			return NULL;
		return json_stringn(b->len ? b->data : "", b->len);
	case JSON_ARRAY:
		res = json_array();
		for (i = 0; res != NULL && i < json_array_size(v); i++)
			if ((item = redact_json(r, json_array_get(v, i), b)) == NULL ||
			    json_array_append_new(res, item) < 0) {
				json_decref(res);
				res = NULL;
			}
		return res;
	case JSON_OBJECT:
		return redact_object(r, v, b);
	case JSON_INTEGER:
		return json_integer(json_integer_value(v));
	case JSON_REAL:
		return json_real(json_real_value(v));
	case JSON_TRUE:
		return json_true();
	case JSON_FALSE:
		return json_false();
	default:
		return json_null();
	}
}

json_t *
aiops_redactor_apply_json(struct aiops_redactor *r, const json_t *v)
{
	struct aiops_buf b = AIOPS_BUF_INIT;
	json_t *res;

	if (v == NULL) {
		errno = EINVAL;
		return NULL;
	}
	res = redact_json(r, v, &b);
	if (b.data != NULL)
		explicit_bzero(b.data, b.cap);
	aiops_buf_release(&b);
	return res;
}

size_t
aiops_redactor_count(const struct aiops_redactor *r, enum aiops_redactor_kind kind)
{
	unsigned i;

	for (i = 0; i < NKINDS; i++)
		if ((unsigned)kind == 1u << i)
			return r->count[i];
	return 0;
}
