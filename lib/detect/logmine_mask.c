/*
 * logmine_mask.c: mask the variable parts of one message token, match
 * template tokens against text, guess severity from words.
 *
 * Conventions follow the corrected Loghub ground truth (Khan et al.):
 * a variable replaces what varies and keeps the punctuation around it,
 * "(HWID=<*>)", "node-<*>", "CPU#<*>", "uid=<*>", "<*>,"; a value that
 * starts with a digit runs over dots, colons and dashes ("10.0.0.1:50010",
 * "2.6.5-1.358", "15:16:01" are each one <*>); digits glued to letters are
 * kept ("ssh2", "tty2", "u0") because they are usually names.  Whole tokens
 * that are paths, URLs, UUIDs, long hex ids or "prefix_<long number>" ids
 * become one <*>.
 */
#include "compat.h"

#include <string.h>

#include "detect/logmine.h"
#include "detect/logmine_int.h"
#include "event/severity.h"

#define A LM_ALPHA | LM_UPPER
#define AH LM_ALPHA | LM_UPPER | LM_HEX
#define a LM_ALPHA | LM_LOWER
#define ah LM_ALPHA | LM_LOWER | LM_HEX
#define D LM_DIGIT | LM_HEX
const unsigned char aiops_logmine_cc[256] = {
	['0'] = D, ['1'] = D, ['2'] = D, ['3'] = D, ['4'] = D, ['5'] = D,
	['6'] = D, ['7'] = D, ['8'] = D, ['9'] = D,
	['A'] = AH, ['B'] = AH, ['C'] = AH, ['D'] = AH, ['E'] = AH, ['F'] = AH,
	['G'] = A, ['H'] = A, ['I'] = A, ['J'] = A, ['K'] = A, ['L'] = A,
	['M'] = A, ['N'] = A, ['O'] = A, ['P'] = A, ['Q'] = A, ['R'] = A,
	['S'] = A, ['T'] = A, ['U'] = A, ['V'] = A, ['W'] = A, ['X'] = A,
	['Y'] = A, ['Z'] = A,
	['a'] = ah, ['b'] = ah, ['c'] = ah, ['d'] = ah, ['e'] = ah, ['f'] = ah,
	['g'] = a, ['h'] = a, ['i'] = a, ['j'] = a, ['k'] = a, ['l'] = a,
	['m'] = a, ['n'] = a, ['o'] = a, ['p'] = a, ['q'] = a, ['r'] = a,
	['s'] = a, ['t'] = a, ['u'] = a, ['v'] = a, ['w'] = a, ['x'] = a,
	['y'] = a, ['z'] = a,
};
#undef A
#undef AH
#undef a
#undef ah
#undef D

#define isdig(c) lm_isdigit(c)
#define isal(c) lm_isalnum(c)
#define ishex(c) lm_isxdigit(c)

/* Is c one of the bytes of set (a short literal)? */
static inline int
inset(int c, const char *set)
{
	for (; *set != '\0'; set++)
		if (*set == c)
			return 1;
	return 0;
}

/* ASCII strncasecmp: plain C11, no locale, no POSIX feature macros. */
int
aiops_logmine_casecmp(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int x = (unsigned char)a[i], y = (unsigned char)b[i];

		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (y >= 'A' && y <= 'Z')
			y += 'a' - 'A';
		if (x != y || x == 0)
			return x - y;
	}
	return 0;
}

int
aiops_logmine_has_wild(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i + 3 <= n; i++)
		if (p[i] == '<' && p[i + 1] == '*' && p[i + 2] == '>')
			return 1;
	return 0;
}

/* /a/b, ~/x, ./x, ../x, scheme://x */
static int
is_path_or_url(const char *p, size_t n)
{
	size_t i;

	if (n >= 2 && p[0] == '/' && (isal(p[1]) || p[1] == '.' ||
	    p[1] == '_' || p[1] == '/'))
		return 1;
	if (n >= 3 && (p[0] == '~' || p[0] == '.') && p[1] == '/')
		return 1;
	/* Windows: C:\dir\file, \\server\share */
	if (n >= 4 && lm_isalpha(p[0]) && p[1] == ':' && p[2] == '\\')
		return 1;
	if (n >= 3 && p[0] == '\\' && p[1] == '\\' && isal(p[2]))
		return 1;
	if (n >= 4 && p[0] == '.' && p[1] == '.' && p[2] == '/')
		return 1;
	for (i = 1; i + 3 < n && i < 12; i++)
		if (p[i] == ':' && p[i + 1] == '/' && p[i + 2] == '/')
			return 1;
	return 0;
}

/*
 * A DNS name, with a port or not: "proxy.cse.cuhk.edu.hk:5070",
 * "www.example.com".  Lower-case labels of letters, digits and '-', the
 * last one a top-level domain: a generic one after one dot, a two-letter
 * country code after two or more (so "main.cc", "app.py" and
 * "org.apache.Foo" are not names).  Hosts are values, as addresses are.
 */
int
aiops_logmine_is_hostname(const char *p, size_t n)
{
	/* length first: one compare per name of that length */
	static const char *const gtld[] = { "3com", "3net", "3org", "3edu",
	    "3gov", "3mil", "3int", "2io", "4info", "3biz", "5local", "3lan",
	    "8internal", "8intranet", "4corp", "4home", "4arpa", "5cloud",
	    "3dev", "3app", "6online", NULL };
	const char *const *g;
	size_t i, dots = 0, label = 0, last = 0;

	for (i = n; i > 0 && isdig((unsigned char)p[i - 1]); i--)
		;
	if (i < n && i > 0 && p[i - 1] == ':')
		n = i - 1;	/* the port */
	for (i = 0; i < n; i++) {
		if (p[i] == '.') {
			if (label == 0)
				return 0;
			dots++;
			label = 0;
			last = i + 1;
		} else if (lm_islower(p[i]) || isdig((unsigned char)p[i]) ||
		    (p[i] == '-' && label > 0)) {
			label++;
		} else {
			return 0;
		}
	}
	if (dots == 0 || label == 0)
		return 0;
	if (label == 2 && lm_isalpha(p[last]) && lm_isalpha(p[last + 1]))
		return dots >= 2;
	for (g = gtld; *g != NULL; g++)
		if ((size_t)((*g)[0] - '0') == label &&
		    memcmp(p + last, *g + 1, label) == 0)
			return 1;
	return 0;
}

/* Hex id or UUID: hex digits and dashes, a digit, at least 8 long
 * (6 when there are letters and digits and no dash: short git-like ids). */
static int
is_hexid(const char *p, size_t n)
{
	size_t i, dig = 0, alpha = 0, dash = 0;

	if (n < 6)
		return 0;
	for (i = 0; i < n; i++) {
		if (isdig((unsigned char)p[i]))
			dig++;
		else if (ishex(p[i]))
			alpha++;
		else if (p[i] == '-')
			dash++;
		else
			return 0;
	}
	if (dig == 0 || p[0] == '-' || p[n - 1] == '-')
		return 0;
	if (dash > 0)
		return n >= 16 && dash >= 2;
	return n >= 8 || alpha > 0;
}

/* Protocol and version: HTTP/1.1, RTSP/1.0, SIP/2.0 are constants. */
static int
is_proto_version(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && lm_isupper(p[i]))
		i++;
	if (i < 2 || i + 2 > n || p[i] != '/' || !isdig(p[i + 1]))
		return 0;
	i += 2;
	/* a dot is required: "PS/2" is a port name with a variable */
	return i + 2 == n && p[i] == '.' && isdig(p[i + 1]);
}

/* MAC address or IPv6: hex groups of 1 to 4 joined by ':', 3 or more. */
static int
is_colon_hex(const char *p, size_t n)
{
	size_t i, g = 0, colons = 0;

	for (i = 0; i < n; i++) {
		if (p[i] == ':') {
			if (g > 4 || (g == 0 && colons == 0 && i > 0))
				return 0;
			colons++;
			g = 0;
		} else if (ishex(p[i])) {
			g++;
		} else {
			return 0;
		}
	}
	return colons >= 3 && g <= 4;
}

/* A dotted quad, as the last 32 bits of an IPv6 address: 192.0.2.128. */
static int
is_dotted_quad(const char *p, size_t n)
{
	size_t i, dots = 0, run = 0;

	for (i = 0; i < n; i++) {
		if (isdig((unsigned char)p[i]) && run < 3) {
			run++;
		} else if (p[i] == '.' && run > 0 && dots < 3) {
			dots++;
			run = 0;
		} else {
			return 0;
		}
	}
	return dots == 3 && run > 0;
}

/*
 * An IPv6 address in any of its text forms (RFC 4291 section 2.2, RFC
 * 5952): eight groups of 1 to 4 hex digits joined by ':', one run of them
 * shortened to "::", the last two groups maybe a dotted quad
 * (::ffff:192.0.2.128).
 */
static int
is_ipv6_addr(const char *p, size_t n)
{
	size_t i = 0, groups = 0, g;
	int gap = 0;

	if (n < 2)
		return 0;
	if (p[0] == ':') {
		if (p[1] != ':')
			return 0;
		gap = 1;
		i = 2;
	}
	while (i < n) {
		for (g = 0; i + g < n && ishex(p[i + g]); g++)
			;
		if (i + g < n && p[i + g] == '.' && is_dotted_quad(p + i, n - i)) {
			groups += 2;
			i = n;
			break;
		}
		if (g == 0 || g > 4)
			return 0;
		groups++;
		i += g;
		if (i == n)
			break;
		if (p[i] != ':' || ++i == n)
			return 0;	/* not a group, or one ':' at the end */
		if (p[i] == ':') {
			if (gap)
				return 0;
			gap = 1;
			if (++i == n)
				break;
		}
	}
	return gap ? groups < 8 : groups == 8;
}

/*
 * An IPv6 address as logs write it, all of it one value: bare, with a
 * zone (fe80::1%eth0) or a prefix length (fd12::/64), or in brackets with
 * a port ([2001:db8::1]:443).
 */
static int
is_ipv6(const char *p, size_t n)
{
	const char *end;
	size_t a, i;

	if (n > 0 && p[0] == '[') {
		if ((end = memchr(p, ']', n)) == NULL)
			return 0;
		a = (size_t)(end - p);
		for (i = a + 1; i < n; i++)
			if (!(i == a + 1 ? p[i] == ':' : isdig((unsigned char)p[i])))
				return 0;
		return (n == a + 1 || n > a + 2) && is_ipv6_addr(p + 1, a - 1);
	}
	for (a = 0; a < n && p[a] != '%' && p[a] != '/'; a++)
		;
	if (a < n && p[a] == '%') {
		for (i = a + 1; i < n && (isal(p[i]) || inset(p[i], "_.-")); i++)
			;
		if (i == a + 1 || i != n)
			return 0;
	} else if (a < n) {
		for (i = a + 1; i < n && isdig((unsigned char)p[i]); i++)
			;
		if (i == a + 1 || i != n || i - a > 4)
			return 0;
	}
	return is_ipv6_addr(p, a);
}

/* A version: v6.1.7601, V2.0 (a bare 1.2.3 starts with a digit anyway). */
static int
is_version(const char *p, size_t n)
{
	size_t i = 1, dots = 0;

	if (n < 4 || (p[0] != 'v' && p[0] != 'V') || !isdig(p[1]))
		return 0;
	while (i < n) {
		if (isdig(p[i]))
			i++;
		else if (p[i] == '.' && i + 1 < n && isdig(p[i + 1]) && ++dots)
			i++;
		else
			return 0;
	}
	return dots > 0;
}

/*
 * "blk_-123456", "appattempt_1445144423722_0020_000001": a name joined by
 * '_' or '-' to a long number is an id as a whole.  Digits glued to
 * letters ("storage1644") and key=value tokens are left to other rules.
 */
static int
is_numbered_id(const char *p, size_t n)
{
	size_t i, run = 0;
	int joined = 0;

	/* a leading number is masked piecewise ("<*>##<*>") instead */
	if (memchr(p, '=', n) != NULL || isdig((unsigned char)p[0]))
		return 0;
	for (i = 0; i < n; i++) {
		if (!isdig((unsigned char)p[i])) {
			run = 0;
			continue;
		}
		if (run++ == 0)
			joined = p[i - 1] == '_' || p[i - 1] == '-';
		if (joined && run >= 5)
			return 1;
	}
	return 0;
}

/*
 * A value that starts with a digit: digits and letters, and . : - / _ +
 * when a digit follows (so "10.0.0.1:50010" is one value but in
 * "10.0.0.1:50010:Got" the ":Got" is not part of it).
 */
static size_t
num_run(const char *p, size_t n)
{
	size_t i = 0;

	if (i < n && (p[i] == '-' || p[i] == '+'))
		i++;
	while (i < n) {
		if (isal(p[i]))
			i++;
		else if (inset(p[i], ".:-/_+") &&
		    i + 1 < n && isdig((unsigned char)p[i + 1]))
			i++;
		else
			break;
	}
	return i;
}

static size_t
put(char *o, size_t k, const char *s, size_t n)
{
	memcpy(o + k, s, n);
	return k + n;
}

/* Append <*>, folding it into a <*> just written. */
static size_t
put_wild(char *o, size_t k)
{
	if (k >= 3 && memcmp(o + k - 3, "<*>", 3) == 0)
		return k;
	return put(o, k, "<*>", 3);
}

/* true/false/null are values, never part of a template's text */
int
aiops_logmine_is_bool(const char *p, size_t n)
{
	return (n == 4 && (memcmp(p, "true", 4) == 0 ||
	    memcmp(p, "null", 4) == 0 || memcmp(p, "True", 4) == 0)) ||
	    (n == 5 && (memcmp(p, "false", 5) == 0 ||
	    memcmp(p, "False", 5) == 0));
}
#define is_bool aiops_logmine_is_bool

/* Inner masking of a core token: mask values, keep names and punctuation. */
static size_t
mask_inner(const char *p, size_t n, char *o, size_t k)
{
	size_t i = 0;

	while (i < n) {
		size_t j;
		int segstart = i == 0 || !isal(p[i - 1]);

		if (!segstart || !(isal(p[i]) || ((p[i] == '-' ||
		    p[i] == '+') && i + 1 < n && isdig((unsigned char)p[i + 1]) &&
		    (i == 0 || inset(p[i - 1], "=:([{,"))))) {
			if (p[i] == '=' && i + 1 < n) {
				/* key=/path or key=uuid: one value */
				for (j = i + 1; j < n && !inset(p[j],
				    ",;&)]}"); j++)
					;
				if (is_path_or_url(p + i + 1, j - i - 1) ||
				    is_hexid(p + i + 1, j - i - 1)) {
					o[k++] = '=';
					k = put_wild(o, k);
					i = j;
					continue;
				}
			}
			o[k++] = p[i++];
			continue;
		}
		if (isdig((unsigned char)p[i]) || p[i] == '-' || p[i] == '+') {
			i += num_run(p + i, n - i);
			k = put_wild(o, k);
			continue;
		}
		for (j = i; j < n && isal(p[j]); j++)
			;
		if (is_hexid(p + i, j - i) || is_bool(p + i, j - i))
			k = put_wild(o, k);
		else
			k = put(o, k, p + i, j - i);
		i = j;
	}
	return k;
}

static int
is_lead(unsigned char c)
{
	return c == '(' || c == '[' || c == '{' || c == '<' || c == '"' ||
	    c == '\'' || c == '`';
}

static int
is_trail(unsigned char c)
{
	switch (c) {
	case ')': case ']': case '}': case '>': case ',': case ';': case ':':
	case '.': case '"': case '\'': case '`': case '!': case '?':
		return 1;
	default:
		return 0;
	}
}

/*
 * Most tokens are plain words: no digit, no slash, no true/false/null.
 * They are copied as they are without the checks below.
 */
static int
plain_word(const char *p, size_t n)
{
	size_t i, run = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if ((c >= '0' && c <= '9') || c == '/' || c == '\\' ||
		    (c == '.' && aiops_logmine_dotted_value(p, n)))
			return 0;
		if (lm_isalpha(c)) {
			run++;
			continue;
		}
		if ((run == 4 || run == 5) && is_bool(p + i - run, run))
			return 0;
		run = 0;
	}
	return !((run == 4 || run == 5) && is_bool(p + n - run, run));
}

/* A token with a dot that masking changes: a host name inside it. */
int
aiops_logmine_dotted_value(const char *p, size_t n)
{
	size_t lo = 0, hi = n;

	while (lo < hi && is_lead((unsigned char)p[lo]))
		lo++;
	while (hi > lo && is_trail((unsigned char)p[hi - 1]))
		hi--;
	return aiops_logmine_is_hostname(p + lo, hi - lo);
}

size_t
aiops_logmine_mask_token(const char *p, size_t n, char *o)
{
	if (plain_word(p, n)) {
		memcpy(o, p, n);
		o[n] = '\0';
		return n;
	}
	return aiops_logmine_mask_nonplain(p, n, o);
}

size_t
aiops_logmine_mask_nonplain(const char *p, size_t n, char *o)
{
	size_t lo = 0, hi = n, k = 0;

	/* an IPv6 address is one value, its brackets, port and zone with it */
	while (hi > 0 && inset(p[hi - 1], ",;.)\"'!?>}"))
		hi--;
	while (lo < hi && inset(p[lo], "(\"'<{"))
		lo++;
	if (memchr(p + lo, ':', hi - lo) != NULL && is_ipv6(p + lo, hi - lo)) {
		k = put(o, 0, p, lo);
		k = put_wild(o, k);
		k = put(o, k, p + hi, n - hi);
		o[k] = '\0';
		return k;
	}
	lo = 0;
	hi = n;

	while (lo < hi && is_lead((unsigned char)p[lo]))
		lo++;
	while (hi > lo && is_trail((unsigned char)p[hi - 1]))
		hi--;
	if (lo == hi) {
		k = put(o, 0, p, n);
		o[k] = '\0';
		return k;
	}
	k = put(o, 0, p, lo);
	if ((lm_islower(p[lo]) || isdig((unsigned char)p[lo])) &&
	    memchr(p + lo, '.', hi - lo) != NULL &&
	    aiops_logmine_is_hostname(p + lo, hi - lo)) {
		k = put_wild(o, k);
	} else if (is_proto_version(p + lo, hi - lo)) {
		k = put(o, k, p + lo, hi - lo);
	} else if (is_path_or_url(p + lo, hi - lo)) {
		/* a path swallows a trailing dot: "/tmp/x/part-0." */
		while (hi < n && p[hi] == '.')
			hi++;
		k = put_wild(o, k);
	} else if (is_hexid(p + lo, hi - lo) || is_version(p + lo, hi - lo) ||
	    is_colon_hex(p + lo, hi - lo) ||
	    is_numbered_id(p + lo, hi - lo))
		k = put_wild(o, k);
	else
		k = mask_inner(p + lo, hi - lo, o, k);
	k = put(o, k, p + hi, n - hi);
	o[k] = '\0';
	return k;
}

/*
 * Glob: "<*>" matches any run (shortest first, with backtracking).  A small
 * recursive matcher is enough: template tokens hold few wildcards.
 */
static int
glob_rec(const char *pat, size_t pn, const char *s, size_t sn, size_t off,
    size_t *caps, size_t maxcaps, int nc)
{
	size_t i;

	while (pn > 0) {
		if (pn >= 3 && pat[0] == '<' && pat[1] == '*' && pat[2] == '>') {
			for (i = 0; i <= sn; i++) {
				int r = glob_rec(pat + 3, pn - 3, s + i, sn - i,
				    off + i, caps, maxcaps, nc + 1);

				if (r >= 0) {
					if (caps != NULL && (size_t)nc < maxcaps) {
						caps[2 * nc] = off;
						caps[2 * nc + 1] = i;
					}
					return r;
				}
			}
			return -1;
		}
		if (sn == 0 || *pat != *s)
			return -1;
		pat++, pn--, s++, sn--, off++;
	}
	return sn == 0 ? nc : -1;
}

int
aiops_logmine_glob(const char *pat, size_t pn, const char *s, size_t sn,
    size_t *caps, size_t maxcaps)
{
	size_t i, w = pn, nw = 0;

	for (i = 0; i + 3 <= pn; i++)
		if (pat[i] == '<' && pat[i + 1] == '*' && pat[i + 2] == '>') {
			if (nw++ == 0)
				w = i;
			i += 2;
		}
	if (nw == 1) {
		/* the common "key=<*>," shape: prefix and suffix compare */
		size_t suf = pn - w - 3;

		if (sn < w + suf || memcmp(pat, s, w) != 0 ||
		    memcmp(pat + w + 3, s + sn - suf, suf) != 0)
			return -1;
		if (caps != NULL && maxcaps > 0) {
			caps[0] = w;
			caps[1] = sn - w - suf;
		}
		return 1;
	}
	return glob_rec(pat, pn, s, sn, 0, caps, maxcaps, 0);
}

int
aiops_logmine_guess_severity(const char *p, size_t n)
{
#define KW(w, sev) { w, sizeof(w) - 1, sev }
	static const struct {
		const char *w;
		size_t n;
		int sev;
	} kw[] = {
		KW("panic", 0), KW("emergency", 0), KW("fatal", 2),
		KW("critical", 2), KW("segfault", 2), KW("oom", 2),
		KW("error", 3), KW("errors", 3), KW("failed", 3),
		KW("failure", 3), KW("fail", 3), KW("exception", 3),
		KW("denied", 3), KW("refused", 3), KW("abort", 3),
		KW("aborted", 3), KW("timeout", 4), KW("warning", 4),
		KW("warn", 4), KW("invalid", 4), KW("unable", 4),
		KW("cannot", 4), KW("can't", 4), KW("not", 6), { NULL, 0, 0 }
	};
	size_t i = 0, j, w;
	int best = AIOPS_SEV_INFO;

	while (i < n) {
		while (i < n && !lm_isalpha(p[i]))
			i++;
		for (j = i; j < n && (lm_isalpha(p[j]) ||
		    p[j] == '\''); j++)
			;
		for (w = 0; j - i >= 3 && j - i <= 9 && kw[w].w != NULL; w++)
			if (kw[w].n == j - i && (p[i] | 0x20) == kw[w].w[0] &&
			    kw[w].sev < best &&
			    aiops_logmine_casecmp(p + i, kw[w].w, j - i) == 0)
				best = kw[w].sev;
		i = j;
	}
	return best;
}
