/*
 * loghdr.c: split a raw log line into header fields and message, for
 * aiops-detect's miner and aiops-ingest's text lines alike.
 *
 * No format is configured.  The first tokens of the line are classified
 * (timestamp part, level, number, separator, bracket, "component:" or plain
 * word) and a small grammar that covers the common families decides where
 * the header ends:
 *
 *   syslog, OpenSSH, Linux, Mac    TS TS TS host prog[pid]: msg
 *   log4j, HDFS, Spark, Hadoop     TS TS [pid] LEVEL [thread] comp: msg
 *   Zookeeper                      TS TS - LEVEL [thread] - msg
 *   Android logcat                 TS TS pid tid L tag: msg
 *   Apache error                   [TS] [level] msg
 *   nginx error                    TS TS [level] pid#tid: msg
 *   BGL                            - epoch date node TS node RAS KERNEL LVL msg
 *   HPC                            id node comp state epoch flag msg
 *   Windows CBS                    TS TS, Level  comp  msg
 *   OpenStack                      file TS TS pid LEVEL comp [req] msg
 *   HealthApp                      TS|comp|pid|msg
 *   Proxifier, access logs         [TS] prog - msg, ip - - [TS] msg
 *
 * The rule of thumb: the header ends at the first anchor (level, then a
 * "component:" just after a host or level, else the last timestamp and the
 * pids right after it) that is preceded only by header-like tokens.  When
 * nothing matches, the whole line is the message.
 */
#include "compat.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event/loghdr.h"
#include "event/severity.h"

/* ASCII classes: <ctype.h> goes through the locale, on every byte. */
static inline int lm_isdigit(int c) { return c >= '0' && c <= '9'; }
static inline int lm_isupper(int c) { return c >= 'A' && c <= 'Z'; }
static inline int lm_islower(int c) { return c >= 'a' && c <= 'z'; }
static inline int lm_isalpha(int c) { return lm_isupper(c) || lm_islower(c); }
static inline int lm_isalnum(int c) { return lm_isalpha(c) || lm_isdigit(c); }

static int is_month(const char *, size_t);
static int is_time_at(const char *, size_t);
static int is_wday(const char *, size_t);
static int is_time(const char *, size_t);

enum cls { C_WORD, C_TS, C_NUM, C_LEVEL, C_SEP, C_BRACKET, C_COMP };

struct htok {
	const char *p;
	size_t n;
	enum cls c;
	int wide;		/* followed by two or more spaces */
	int tab;		/* followed by a tab */
};

#define MAXTOK 18
#define MAXHDR 320		/* headers are short; stop looking after this */

#define isdig(c) lm_isdigit(c)

static size_t
digits(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && isdig((unsigned char)p[i]))
		i++;
	return i;
}

static int
alldig(const char *p, size_t n)
{
	return n > 0 && digits(p, n) == n;
}

/* Three-letter names, compared case-sensitively as written in logs. */
static int
word_in(const char *p, size_t n, const char *const *list)
{
	for (; *list != NULL; list++)
		if (n == 3 && p[0] == (*list)[0] && p[1] == (*list)[1] &&
		    p[2] == (*list)[2])
			return 1;
	return 0;
}

int
aiops_loghdr_is_month(const char *p, size_t n)
{
	return is_month(p, n);
}

int
aiops_loghdr_is_wday(const char *p, size_t n)
{
	return is_wday(p, n);
}

int
aiops_loghdr_is_time(const char *p, size_t n)
{
	return is_time(p, n);
}

static int
is_month(const char *p, size_t n)
{
	static const char *const m[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", NULL };

	return n == 3 && lm_isupper(p[0]) && word_in(p, n, m);
}

static int
is_wday(const char *p, size_t n)
{
	static const char *const d[] = { "Mon", "Tue", "Wed", "Thu", "Fri",
	    "Sat", "Sun", NULL };

	return n == 3 && lm_isupper(p[0]) && word_in(p, n, d);
}

/* H:MM or HH:MM:SS with optional fraction (.,:) and zone; trailing comma ok. */
static int
is_time(const char *p, size_t n)
{
	size_t i = digits(p, n), k;

	if (n > 0 && p[n - 1] == ',')
		n--;
	if (i < 1 || i > 2 || i >= n || p[i] != ':')
		return 0;
	k = digits(p + i + 1, n - i - 1);
	if (k != 2)
		return 0;
	i += 3;
	while (i < n && (p[i] == ':' || p[i] == '.' || p[i] == ',')) {
		k = digits(p + i + 1, n - i - 1);
		if (k == 0)
			return 0;
		i += 1 + k;
	}
	if (i < n && (p[i] == 'Z' || p[i] == '+' || p[i] == '-'))
		return 1;	/* zone: good enough */
	return i == n;
}

/*
 * Dates: 2015-07-29, 2005.06.03, 17/06/09, 03-17, 10/Oct/2000:13:55:36,
 * 2005-06-03-15.42.50.675872, 20171223-22:15:29:606, ISO 8601 with 'T'.
 */
static int
is_date(const char *p, size_t n)
{
	size_t a = digits(p, n), b, i;
	char sep;

	if (a == 8 && (a == n || p[a] == '-' || p[a] == 'T'))
		return a == n ? 0 : 1;	/* 20171223-...; bare 8 digits: no */
	if (a < 1 || a > 4 || a >= n)
		return 0;
	sep = p[a];
	if (sep != '-' && sep != '/' && sep != '.')
		return 0;
	i = a + 1;
	b = digits(p + i, n - i);
	if (b == 0 && sep == '/' && is_month(p + i, n - i >= 3 ? 3 : 0))
		b = 3;
	if (b < 1 || b > 3)
		return 0;
	i += b;
	if (i == n)
		return sep != '.' && (a <= 2);	/* 03-17, 1/12 */
	if (p[i] != sep)
		return 0;
	i++;
	b = digits(p + i, n - i);
	if (b < 1 || b > 4)
		return 0;
	i += b;
	/* a version number like 1.2.3 is not a date; 30.11.2026 is */
	if (sep == '.' && a != 4 && !(a <= 2 && b == 4))
		return 0;
	return i == n || p[i] == 'T' || p[i] == '-' || p[i] == ':' ||
	    p[i] == '_' || p[i] == ',';
}

static int
has_time_inside(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i + 5 <= n; i++)
		if (isdig((unsigned char)p[i]) && is_time_at(p + i, n - i))
			return 1;
	return 0;
}

/* Used by has_time_inside: a time starting at p, ending anywhere. */
static int
is_time_at(const char *p, size_t n)
{
	size_t a = digits(p, n);

	return (a == 1 || a == 2) && a + 3 <= n && p[a] == ':' &&
	    digits(p + a + 1, n - a - 1) == 2;
}

/*
 * The level of a header token (event/severity.h). One-letter codes count
 * in upper case only, as logcat writes them: a lower-case letter after a
 * number is more often a unit or a word.
 */
static int
level_severity(const char *p, size_t n)
{
	if (n == 1 && !lm_isupper(p[0]))
		return -1;
	return aiops_severity_parse(p, n);
}

/* A level word as a header token: upper case, capitalised or [lower]. */
static int
is_level(const char *p, size_t n, int single_ok)
{
	size_t i;
	int upper = 1, lower = 1;

	if (n == 1)
		return single_ok && level_severity(p, n) >= 0;
	for (i = 1; i < n; i++) {
		if (!lm_isupper(p[i]))
			upper = 0;
		if (!lm_islower(p[i]))
			lower = 0;
	}
	if (!upper && !lower)
		return 0;
	if (lower && !lm_isupper(p[0]))
		return 0;	/* "error" in prose; [error] is handled apart */
	return level_severity(p, n) >= 0;
}

/* "comp:" "prog[123]:" "sshd(pam_unix)[1]:" "(com.apple.x.123):" "1234#0:" */
static int
is_comp(const char *p, size_t n)
{
	size_t i;
	int alpha = 0;

	if (n < 2 || p[n - 1] != ':' || p[n - 2] == ':')
		return 0;
	for (i = 0; i + 1 < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (lm_isalpha(c))
			alpha = 1;
		else if (!isdig(c) && memchr("._-$/[]()#@<>", c, 13) == NULL)
			return 0;
	}
	return alpha || memchr(p, '#', n) != NULL;
}

static enum cls
classify(const struct htok *t, const struct htok *prev)
{
	const char *p = t->p;
	size_t n = t->n, d;

	if (p[0] == '[') {
		if (is_level(p + 1, n - 2, 0) ||
		    (n > 2 && level_severity(p + 1, n - 2) >= 0 &&
		    n > 3))
			return C_LEVEL;
		return has_time_inside(p, n) ? C_TS : C_BRACKET;
	}
	if (n == 1 && (p[0] == '-' || p[0] == '|'))
		return C_SEP;
	if (lm_isalpha(p[0])) {
		/* words: month/day names, levels, "component:" */
		if (n == 3 && (is_month(p, n) || is_wday(p, n)))
			return C_TS;
		/* one letter: logcat's after its pids; after a time, any
		 * but the article ("TS A new session") */
		if (n <= 11 && is_level(p, n, prev != NULL &&
		    (prev->c == C_NUM || (prev->c == C_TS && p[0] != 'A'))))
			return C_LEVEL;
		return is_comp(p, n) ? C_COMP : C_WORD;
	}
	d = digits(p, n);
	if (d > 0 && (is_time(p, n) || is_date(p, n)))
		return C_TS;
	if (n > 1 && p[0] == '-' && alldig(p + 1, n - 1) && prev != NULL &&
	    prev->c == C_TS)
		return C_NUM;	/* HPC flag "-1" */
	if (d == n) {
		/* 081109 203615 (HDFS), epoch seconds / ms, year, day */
		if (prev == NULL && (n == 6 || n == 8))
			return C_TS;
		if (prev != NULL && prev->c == C_TS && (n == 6 ||
		    (n == 4 && (p[0] == '1' || p[0] == '2'))))
			return C_TS;
		if (prev != NULL && n <= 2 && is_month(prev->p, prev->n))
			return C_TS;	/* "Jun 14" */
		if ((n == 10 || n == 13) && p[0] == '1')
			return C_TS;
		return C_NUM;
	}
	if (d == n - 1 && p[n - 1] == ',' && prev != NULL && prev->c == C_TS)
		return C_TS;	/* "Dec 4," */
	if (is_level(p, n, prev != NULL && (prev->c == C_NUM ||
	    prev->c == C_TS)))
		return C_LEVEL;
	if (is_comp(p, n))
		return C_COMP;
	return C_WORD;
}

/*
 * Lazy tokenizer over the start of the line: the grammar asks for token i
 * (and looks at most two ahead), so a line is only scanned as far as its
 * header goes.  [..] spans spaces.
 */
struct hscan {
	const char *s;
	size_t len, i, nt;
	int done;
	struct htok t[MAXTOK];
};

static void
scan_one(struct hscan *h)
{
	const char *s = h->s;
	size_t i = h->i, st, depth = 0, len = h->len;
	struct htok *t = &h->t[h->nt];

	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i >= len || h->nt == MAXTOK) {
		h->done = 1;
		return;
	}
	st = i;
	if (s[i] == '[') {
		for (; i < len; i++) {
			if (s[i] == '[')
				depth++;
			else if (s[i] == ']' && --depth == 0)
				break;
		}
		/* unbalanced, or [x]word: not a header bracket */
		if (i >= len || (i + 1 < len && s[i + 1] != ' ' &&
		    s[i + 1] != '\t')) {
			h->done = 1;
			return;
		}
		i++;
	} else {
		while (i < len && s[i] != ' ' && s[i] != '\t')
			i++;
	}
	t->p = s + st;
	t->n = i - st;
	t->wide = i + 1 < len && s[i] == ' ' && s[i + 1] == ' ';
	t->tab = i < len && s[i] == '\t';
	t->c = classify(t, h->nt ? t - 1 : NULL);
	h->i = i;
	h->nt++;
}

static int
have(struct hscan *h, size_t idx)
{
	while (h->nt <= idx && !h->done)
		scan_one(h);
	return idx < h->nt;
}

static const char *
lastchr(const char *p, int c, size_t n)
{
	while (n-- > 0)
		if (p[n] == c)
			return p + n;
	return NULL;
}

static void
set(const char **f, size_t *fl, const char *p, size_t n)
{
	*f = p;
	*fl = n;
}

/* Ends in "[digits]:", the syslog way to give a pid. */
static int
has_pid(const char *p, size_t n)
{
	const char *lb;

	if (n < 4 || p[n - 1] != ':' || p[n - 2] != ']')
		return 0;
	lb = lastchr(p, '[', n);
	return lb != NULL && lb + 1 < p + n - 2 &&
	    alldig(lb + 1, (size_t)(p + n - 2 - lb - 1));
}

/* "prog[pid]:" / "prog(x)[pid]:" / "comp:" -> component and pid */
static void
set_comp(struct aiops_loghead *o, const char *p, size_t n)
{
	const char *lb;

	if (n > 0 && p[n - 1] == ':')
		n--;
	if (n > 2 && p[n - 1] == ']' && (lb = lastchr(p, '[', n)) != NULL &&
	    alldig(lb + 1, (size_t)(p + n - 1 - lb - 1))) {
		set(&o->pid, &o->pid_len, lb + 1, (size_t)(p + n - 2 - lb));
		n = (size_t)(lb - p);
	}
	if (n > 0)
		set(&o->component, &o->component_len, p, n);
}

/* Timestamp span: from the first to the last TS token. */
static void
add_ts(struct aiops_loghead *o, const struct htok *t)
{
	const char *p = t->p;
	size_t n = t->n;

	if (p[0] == '[') {
		p++;
		n -= 2;
	}
	if (o->ts == NULL)
		set(&o->ts, &o->ts_len, p, n);
	else
		o->ts_len = (size_t)(p + n - o->ts);
	if (o->ts_len > 0 && o->ts[o->ts_len - 1] == ',')
		o->ts_len--;
}

static void
add_level(struct aiops_loghead *o, const struct htok *t)
{
	if (t->p[0] == '[')
		set(&o->level, &o->level_len, t->p + 1, t->n - 2);
	else
		set(&o->level, &o->level_len, t->p, t->n);
}

/* After a level: optional [thread], then comp:, "-", or "comp [..]". */
static size_t
after_level(struct aiops_loghead *o, struct hscan *h, size_t i)
{
	struct htok *t = h->t;
	size_t j = i + 1;

	if (!have(h, j))
		return j;
	if (t[j].c == C_BRACKET && have(h, j + 1) &&
	    (t[j + 1].c == C_COMP || t[j + 1].c == C_SEP)) {
		set(&o->component, &o->component_len, t[j].p + 1, t[j].n - 2);
		j++;
	}
	if (t[j].c == C_COMP) {
		set_comp(o, t[j].p, t[j].n);
		return j + 1;
	}
	if (t[j].c == C_SEP)
		return j + 1;
	/* OpenStack "comp [req-...]"; Windows "Info   CBS    msg" */
	if (t[j].c == C_WORD && have(h, j + 1) && t[j + 1].c == C_BRACKET) {
		set(&o->component, &o->component_len, t[j].p, t[j].n);
		return j + 2;
	}
	if (t[j].c == C_WORD && t[j].wide && have(h, j + 1)) {
		set(&o->component, &o->component_len, t[j].p, t[j].n);
		return j + 1;
	}
	return j;
}

/* "TS|comp|pid|msg" (HealthApp-like): returns the message offset or 0. */
static size_t
pipe_header(const char *s, size_t len, struct aiops_loghead *o)
{
	const char *bar = memchr(s, '|', len < 64 ? len : 64);
	const char *f[4];
	size_t nf = 0, i, st = 0;
	struct htok t;

	if (bar == NULL)
		return 0;
	t.p = s;
	t.n = (size_t)(bar - s);
	if (t.n == 0 || !(is_date(t.p, t.n) || is_time(t.p, t.n) ||
	    (alldig(t.p, t.n) && t.n >= 10)))
		return 0;
	for (i = 0; i < len && nf < 4; i++) {
		if (s[i] == ' ' || s[i] == '\t')
			break;
		if (s[i] == '|') {
			f[nf++] = s + i;
			st = i + 1;
		}
	}
	if (nf < 2)
		return 0;
	set(&o->ts, &o->ts_len, s, t.n);
	set(&o->component, &o->component_len, f[0] + 1,
	    (size_t)(f[1] - f[0] - 1));
	if (nf >= 3 && alldig(f[1] + 1, (size_t)(f[2] - f[1] - 1)))
		set(&o->pid, &o->pid_len, f[1] + 1, (size_t)(f[2] - f[1] - 1));
	else if (nf >= 3)
		st = (size_t)(f[2] - s) + 1;
	return st;
}

/* The next space-separated field from *i; "-" is RFC 5424's NILVALUE. */
static int
field_5424(const char *s, size_t len, size_t *i, const char **f, size_t *fl)
{
	size_t st = *i;

	while (*i < len && s[*i] != ' ')
		(*i)++;
	if (*i == st || *i >= len)
		return -1;
	*f = s + st;
	*fl = *i - st;
	if (*fl == 1 && s[st] == '-')
		*f = NULL;
	(*i)++;
	return 0;
}

/*
 * RFC 5424 after "<PRI>1 ": TIMESTAMP HOSTNAME APP-NAME PROCID MSGID
 * STRUCTURED-DATA [SP MSG], fixed fields (section 6).  SD is "-" or
 * [id param="value"...] elements, where \" \] and \\ escape inside values.
 * Returns the offset of MSG in s, or 0 if the line does not parse.
 */
static size_t
rfc5424_header(const char *s, size_t len, size_t i, struct aiops_loghead *o)
{
	const char *f[5];
	size_t fl[5], k;
	int quoted = 0;

	for (k = 0; k < 5; k++)
		if (field_5424(s, len, &i, &f[k], &fl[k]) == -1)
			return 0;
	if (i >= len)
		return 0;	/* no STRUCTURED-DATA */
	if (s[i] == '-') {
		i++;
	} else {
		while (i < len && s[i] == '[') {
			for (i++; i < len && (quoted || s[i] != ']'); i++) {
				if (quoted && s[i] == '\\' && i + 1 < len)
					i++;
				else if (s[i] == '"')
					quoted = !quoted;
			}
			if (i >= len)
				return 0;
			i++;
		}
	}
	if (i < len && s[i] != ' ')
		return 0;
	if (f[0] != NULL)
		set(&o->ts, &o->ts_len, f[0], fl[0]);
	if (f[1] != NULL)
		set(&o->host, &o->host_len, f[1], fl[1]);
	if (f[2] != NULL)
		set(&o->component, &o->component_len, f[2], fl[2]);
	if (f[3] != NULL)
		set(&o->pid, &o->pid_len, f[3], fl[3]);
	return i < len ? i + 1 : i;
}

/* Skip an RFC 3164/5424 "<PRI>" prefix; sets severity from it. */
static size_t
pri_prefix(const char *s, size_t len, struct aiops_loghead *o)
{
	size_t d;

	if (len < 3 || s[0] != '<')
		return 0;
	d = digits(s + 1, len - 1);
	if (d < 1 || d > 3 || 1 + d >= len || s[1 + d] != '>')
		return 0;
	o->severity = (s[1 + d - 1] - '0' + (d > 1 ? 10 * (s[d - 1] - '0') :
	    0) + (d > 2 ? 100 * (s[d - 2] - '0') : 0)) & 7;
	d += 2;
	if (d < len && s[d] == '1' && d + 1 < len && s[d + 1] == ' ')
		d += 2;		/* RFC 5424 version */
	return d;
}

static int
is_cri_stream(const struct htok *t)
{
	return t->n == 6 && (memcmp(t->p, "stdout", 6) == 0 ||
	    memcmp(t->p, "stderr", 6) == 0);
}

static size_t
header_scan(struct aiops_loghead *o, struct hscan *h)
{
	struct htok *t = h->t;
	size_t i, end = 0, wrun = 0, npid = 0, lastw = (size_t)-1;
	int seen_ts = 0;

	for (i = 0; have(h, i); i++) {
		switch (t[i].c) {
		case C_TS:
			add_ts(o, &t[i]);
			seen_ts = 1;
			end = i + 1;
			wrun = 0;
			npid = 0;
			break;
		case C_NUM:
			if (seen_ts && npid < 2 && end == i &&
			    (t[i - 1].c == C_TS || t[i - 1].c == C_NUM)) {
				if (o->pid == NULL)
					set(&o->pid, &o->pid_len, t[i].p,
					    t[i].n);
				npid++;
				end = i + 1;
				break;
			}
			if (seen_ts)
				return end;
			wrun++;
			break;
		case C_LEVEL:
			if (!seen_ts && wrun > 0)
				return end;
			if (wrun > 4)
				return end;
			if (lastw != (size_t)-1 && lastw + 1 == i &&
			    o->component == NULL)
				set(&o->component, &o->component_len,
				    t[lastw].p, t[lastw].n);
			add_level(o, &t[i]);
			/* BGL "RAS KERNEL INFO ciod: ...": the component came
			 * before the level, what follows is the message */
			if (lastw != (size_t)-1 && lastw + 1 == i && wrun > 0)
				return i + 1;
			return after_level(o, h, i);
		case C_COMP:
			if (!seen_ts || end != i - wrun)
				return end;
			if (wrun == 1 && t[i - 1].c == C_WORD) {
				set(&o->host, &o->host_len, t[i - 1].p,
				    t[i - 1].n);
				set_comp(o, t[i].p, t[i].n);
				return i + 1;
			}
			/* Mac: "host prog[1] (detail):" */
			if (wrun == 2 && t[i].p[0] == '(' &&
			    t[i - 1].p[t[i - 1].n - 1] == ']') {
				set(&o->host, &o->host_len, t[i - 2].p,
				    t[i - 2].n);
				set_comp(o, t[i - 1].p, t[i - 1].n);
				return i + 1;
			}
			/* "host Google Chrome Helper[31213]: msg" */
			if ((wrun == 2 || wrun == 3) && has_pid(t[i].p, t[i].n)) {
				set(&o->host, &o->host_len, t[end].p,
				    t[end].n);
				set_comp(o, t[end + 1].p,
				    (size_t)(t[i].p + t[i].n - t[end + 1].p));
				return i + 1;
			}
			if (wrun == 0 && i > 0 && t[i - 1].c == C_BRACKET)
				return i + 1;
			if (wrun == 0 && i > 0 && t[i - 1].c == C_TS &&
			    t[i].p[0] != '(') {
				set_comp(o, t[i].p, t[i].n);
				return i + 1;
			}
			return end;
		case C_SEP:
			if (!seen_ts) {
				wrun++;
				break;
			}
			if (have(h, i + 1) && t[i + 1].c == C_LEVEL)
				break;
			/* "[TS] prog - msg", "[TS] prog *64 - msg" */
			if ((wrun == 1 || wrun == 2) && end == i - wrun) {
				set_comp(o, t[end].p, t[end].n);
				return i + 1;
			}
			return end;
		case C_BRACKET:
		case C_WORD:
			/* CRI, the container runtimes' log files:
			 * "TS stdout F msg" */
			if (seen_ts && end == i && is_cri_stream(&t[i]) &&
			    have(h, i + 1) && t[i + 1].n == 1 &&
			    (t[i + 1].p[0] == 'F' || t[i + 1].p[0] == 'P')) {
				set(&o->component, &o->component_len, t[i].p,
				    t[i].n);
				return i + 2;
			}
			/* syslog "host prog 1.4.1: msg": a versioned prog */
			if (seen_ts && wrun == 2 && end == i - 2 &&
			    t[i].n > 1 && t[i].p[t[i].n - 1] == ':' &&
			    isdig((unsigned char)t[i].p[0])) {
				set(&o->host, &o->host_len, t[i - 2].p,
				    t[i - 2].n);
				set(&o->component, &o->component_len,
				    t[i - 1].p,
				    (size_t)(t[i].p + t[i].n - 1 - t[i - 1].p));
				return i + 1;
			}
			if (!seen_ts && i == 0 && t[i].c == C_WORD)
				set(&o->host, &o->host_len, t[i].p, t[i].n);
			lastw = i;
			if (++wrun > 5)
				return end;
			break;
		}
	}
	return end;
}

static size_t
header_end(struct aiops_loghead *o, struct hscan *h)
{
	struct htok *t = h->t;
	size_t end = header_scan(o, h);

	/* syslog with no "prog:" ("Jul  1 09:02:26 host --- last message
	 * repeated 1 time ---"): a host still follows "Mon DD HH:MM:SS" */
	if (end >= 3 && o->host == NULL && o->component == NULL &&
	    o->level == NULL && t[end - 1].c == C_TS &&
	    is_time(t[end - 1].p, t[end - 1].n) &&
	    is_month(t[end - 3].p, t[end - 3].n) && have(h, end + 1) &&
	    t[end].c == C_WORD) {
		set(&o->host, &o->host_len, t[end].p, t[end].n);
		return end + 1;
	}
	return end;
}

static void
clear_fields(struct aiops_loghead *o)
{
	o->ts = o->level = o->component = o->host = o->pid = NULL;
	o->ts_len = o->level_len = o->component_len = o->host_len =
	    o->pid_len = 0;
}

static size_t
skip_blanks(const char *s, size_t len, size_t off)
{
	while (off < len && (s[off] == ' ' || s[off] == '\t'))
		off++;
	return off;
}

/*
 * The built-in split.  h is left with the line's header tokens and *ncol
 * with how many of them the header took; *ncol is (size_t)-1 for the
 * fixed formats (RFC 5424, "TS|comp|pid|msg") that no learning changes.
 * Returns the message offset (blanks not skipped yet).
 */
static size_t
split(const char *s, size_t len, struct aiops_loghead *o, struct hscan *h,
    size_t *ncol)
{
	size_t off, end;

	clear_fields(o);
	o->severity = -1;
	*ncol = (size_t)-1;
	off = pri_prefix(s, len, o);
	h->s = s + off;
	h->len = len - off < MAXHDR ? len - off : MAXHDR;
	h->i = h->nt = 0;
	h->done = 0;
	if (off >= 4 && s[off - 2] == '1' && s[off - 3] == '>' &&
	    (end = rfc5424_header(s, len, off, o)) > 0)
		return end;
	if ((end = pipe_header(s + off, len - off, o)) > 0)
		return off + end;
	end = header_end(o, h);
	*ncol = end;
	if (end == 0) {
		clear_fields(o);
		return off;
	}
	return (size_t)(h->t[end - 1].p + h->t[end - 1].n - s);
}

static void
finish(const char *s, size_t len, size_t off, struct aiops_loghead *o)
{
	off = skip_blanks(s, len, off);
	o->message = s + off;
	o->message_len = len - off;
	if (o->level != NULL)
		o->severity = level_severity(o->level, o->level_len);
}


/*
 * Learning a source's header.
 *
 * The grammar above knows the common families; a program with a header of
 * its own ("11/30/2026 9:15:02 AM | WARN | billing | msg", glog, Python's
 * logging, Ruby's Logger, logback, docker compose) is split too early or
 * not at all, and so is, now and then, a line of a known family whose
 * message starts like a header ("[info] ciod: failed...").  The first
 * LEARN_LINES lines of a source teach its shape: the columns (header
 * tokens) that have the same kind in nine lines out of ten, and among
 * them the last anchor (a time, a level, a separator, a "comp:" or
 * "...]" token, a pid after the time, a column always followed by a tab or
 * by two spaces) ends the header.  A shape that goes past where the
 * grammar stops is kept only if the message starts within three columns
 * of its end or a sure anchor (a time, a level, a separator or a tab at
 * the same place on every line) lies past that point: text that is the
 * same on every line (one kind of message) tells no header from message.
 *
 * A line that fits the learned shape is split after it when the grammar
 * stopped earlier, or when the grammar went further on this line only
 * (the learned end is at or past where it stops on most lines).  Every
 * other line, and every line before the shape is learned, is split by the
 * grammar; aiops-detect holds the first lines back until it is learned.
 */
#define LEARN_LINES	32
#define LEARN_MIN	8	/* fewer lines teach nothing */
#define LEARN_COLS	12

struct column {
	unsigned char key;	/* class and last character, see col_key() */
	unsigned char flags;	/* COL_TAB, COL_WIDE, COL_PUNCT */
	uint32_t lit;		/* hash of the text, for constant separators */
};

enum { COL_TAB = 1, COL_WIDE = 2, COL_PUNCT = 4 };

struct aiops_loghdr {
	size_t n;				/* lines sampled */
	struct column col[LEARN_LINES][LEARN_COLS];
	unsigned char ncol[LEARN_LINES];	/* columns of each line */
	unsigned char kg[LEARN_LINES];		/* where the grammar ended */
	int learned;		/* 1: shape below; -1: none; 0: learning */
	size_t k;		/* header columns */
	size_t kmode;		/* where the grammar ends most often */
	struct column shape[LEARN_COLS];
	unsigned char lit_fixed[LEARN_COLS];	/* text must match too */
};

static unsigned char
col_key(const struct htok *t)
{
	unsigned char last = (unsigned char)t->p[t->n - 1], term = 0;

	if (last == ':')
		term = 1;
	else if (last == ']')
		term = 2;
	else if (last == ',')
		term = 3;
	return (unsigned char)(t->c << 2 | term);
}

static struct column
column_of(const struct htok *t)
{
	struct column c;
	size_t i;
	uint32_t h = 2166136261u;	/* FNV-1a: a fingerprint, not an index */
	int punct = 1;

	for (i = 0; i < t->n; i++) {
		h = (h ^ (unsigned char)t->p[i]) * 16777619u;
		if (lm_isalnum(t->p[i]))
			punct = 0;
	}
	c.key = col_key(t);
	c.flags = (unsigned char)((t->tab ? COL_TAB : 0) |
	    (t->wide ? COL_WIDE : 0) | (punct ? COL_PUNCT : 0));
	c.lit = h;
	return c;
}

struct aiops_loghdr *
aiops_loghdr_new(void)
{
	return calloc(1, sizeof(struct aiops_loghdr));
}

void
aiops_loghdr_free(struct aiops_loghdr *lh)
{
	free(lh);
}

/* The most frequent key of column j, and in how many lines. */
static size_t
mode_key(const struct aiops_loghdr *lh, size_t j, unsigned char *key)
{
	size_t a, b, best = 0, cnt;

	for (a = 0; a < lh->n; a++) {
		if (lh->ncol[a] <= j)
			continue;
		for (b = 0, cnt = 0; b < lh->n; b++)
			cnt += lh->ncol[b] > j &&
			    lh->col[b][j].key == lh->col[a][j].key;
		if (cnt > best) {
			best = cnt;
			*key = lh->col[a][j].key;
		}
	}
	return best;
}

/* Lines whose column j has flag f, and the same text as line a's. */
static size_t
count_flag(const struct aiops_loghdr *lh, size_t j, int f, size_t a)
{
	size_t b, cnt = 0;

	for (b = 0; b < lh->n; b++)
		if (lh->ncol[b] > j && (lh->col[b][j].flags & f) &&
		    (a == (size_t)-1 || lh->col[b][j].lit == lh->col[a][j].lit))
			cnt++;
	return cnt;
}

/*
 * Can column j end a header?  2: surely (a time, a level, the same
 * separator on every line, a tab after it), which messages do not have at
 * one place on every line; 1: maybe (a "comp:", "...]", a bracket, a pid
 * after the time, two spaces after it), as a message may; 0: no.
 */
static int
is_anchor(struct aiops_loghdr *lh, size_t j, unsigned char key, size_t most)
{
	enum cls c = (enum cls)(key >> 2);
	size_t a;

	lh->lit_fixed[j] = 0;
	for (a = 0; a < lh->n; a++)
		if (lh->ncol[a] > j && (lh->col[a][j].flags & COL_PUNCT) &&
		    count_flag(lh, j, COL_PUNCT, a) >= most) {
			lh->lit_fixed[j] = 1;	/* "|", "--", "-": the same */
			return 2;
		}
	if (c == C_TS || c == C_LEVEL ||
	    count_flag(lh, j, COL_TAB, (size_t)-1) >= most)
		return 2;
	if (c == C_SEP || c == C_BRACKET || c == C_COMP || (key & 3) == 1 ||
	    (key & 3) == 2)
		return 1;
	if (c == C_NUM && j > 0 && ((lh->shape[j - 1].key >> 2) == C_TS ||
	    (lh->shape[j - 1].key >> 2) == C_NUM))
		return 1;
	return count_flag(lh, j, COL_WIDE, (size_t)-1) >= most;
}

static void
learn(struct aiops_loghdr *lh)
{
	size_t most = (lh->n * 9 + 9) / 10, j, p, k = 0, cnt[LEARN_COLS + 1];
	unsigned char key = 0;
	int anchor[LEARN_COLS], sure = 0, start;

	for (p = 0; p < LEARN_COLS; p++) {
		if (mode_key(lh, p, &key) < most)
			break;
		lh->shape[p].key = key;
	}
	/* lines that all end there, the same on every line, do not say
	 * where a message starts: lines that differ at p, or go on, do */
	for (j = 0, cnt[0] = 0; j < lh->n; j++)
		cnt[0] += lh->ncol[j] > p;
	start = cnt[0] * 10 >= lh->n;
	for (j = 0; j < p; j++)
		if ((anchor[j] = is_anchor(lh, j, lh->shape[j].key, most)) > 0)
			k = j + 1;
	for (j = 0; j < p; j++) {
		size_t a;

		for (a = 0; a < lh->n && !(lh->ncol[a] > j &&
		    lh->col[a][j].key == lh->shape[j].key); a++)
			;
		lh->shape[j].lit = a < lh->n ? lh->col[a][j].lit : 0;
	}
	memset(cnt, 0, sizeof(cnt));
	for (j = 0; j < lh->n; j++)
		cnt[lh->kg[j] < LEARN_COLS ? lh->kg[j] : LEARN_COLS]++;
	for (j = 0; j <= LEARN_COLS; j++)
		if (cnt[j] > cnt[lh->kmode])
			lh->kmode = j;
	for (j = lh->kmode; j < k; j++)
		sure |= anchor[j] == 2;
	/*
	 * Past where the grammar stops, only a shape whose message starts
	 * soon after it, or that a sure anchor ends, is a header: on a source
	 * of one kind of message every column is the same on every line.
	 */
	lh->k = k;
	lh->learned = k > 0 && (k <= lh->kmode || (start && p <= k + 3) ||
	    sure) ? 1 : -1;
}

static void
sample(struct aiops_loghdr *lh, struct hscan *h, size_t ncol)
{
	size_t j, n = lh->n;

	have(h, LEARN_COLS - 1);
	for (j = 0; j < h->nt && j < LEARN_COLS; j++)
		lh->col[n][j] = column_of(&h->t[j]);
	lh->ncol[n] = (unsigned char)j;
	lh->kg[n] = (unsigned char)(ncol < LEARN_COLS ? ncol : LEARN_COLS);
	if (++lh->n == LEARN_LINES)
		learn(lh);
}

int
aiops_loghdr_learning(const struct aiops_loghdr *lh)
{
	return lh != NULL && lh->learned == 0;
}

void
aiops_loghdr_sample(struct aiops_loghdr *lh, const char *s, size_t len)
{
	struct aiops_loghead o;
	struct hscan h;
	size_t ncol;

	(void)split(s, len, &o, &h, &ncol);
	if (ncol != (size_t)-1 && aiops_loghdr_learning(lh))
		sample(lh, &h, ncol);
}

void
aiops_loghdr_decide(struct aiops_loghdr *lh)
{
	if (aiops_loghdr_learning(lh) && lh->n >= LEARN_MIN)
		learn(lh);
}

static int
fits(const struct aiops_loghdr *lh, struct hscan *h)
{
	size_t j;

	if (!have(h, lh->k - 1))
		return 0;
	for (j = 0; j < lh->k; j++)
		if (col_key(&h->t[j]) != lh->shape[j].key)
			return 0;
	for (j = 0; j < lh->k; j++)
		if (lh->lit_fixed[j] && column_of(&h->t[j]).lit != lh->shape[j].lit)
			return 0;
	return 1;
}

/* The fields of a header of k learned columns. */
static void
learned_fields(struct aiops_loghead *o, const struct hscan *h, size_t k)
{
	const struct htok *t = h->t;
	const char *host = o->host;
	size_t hl = o->host_len, j, word = (size_t)-1, comp = (size_t)-1;

	clear_fields(o);
	for (j = 0; j < k; j++) {
		switch (t[j].c) {
		case C_TS:
			add_ts(o, &t[j]);
			break;
		case C_LEVEL:
			if (o->level == NULL)
				add_level(o, &t[j]);
			break;
		case C_NUM:
			if (o->pid == NULL && j > 0 && (t[j - 1].c == C_TS ||
			    t[j - 1].c == C_NUM))
				set(&o->pid, &o->pid_len, t[j].p, t[j].n);
			break;
		case C_COMP:
			comp = j;
			break;
		case C_WORD:
		case C_BRACKET:
			if (t[j].c == C_BRACKET && t[j].n > 2 &&
			    alldig(t[j].p + 1, t[j].n - 2)) {
				if (o->pid == NULL)
					set(&o->pid, &o->pid_len, t[j].p + 1,
					    t[j].n - 2);
			} else if (lm_isalnum(t[j].p[t[j].p[0] == '['])) {
				word = j;
			}
			break;
		case C_SEP:
			break;
		}
	}
	if (comp != (size_t)-1)
		set_comp(o, t[comp].p, t[comp].n);
	else if (word != (size_t)-1 && t[word].c == C_BRACKET)
		set(&o->component, &o->component_len, t[word].p + 1,
		    t[word].n - 2);
	else if (word != (size_t)-1)	/* "server.go:88]": glog's caller */
		set(&o->component, &o->component_len, t[word].p, t[word].n -
		    (t[word].p[t[word].n - 1] == ']'));
	/* the grammar's host, unless the learned header made it the
	 * component or it lies past the header */
	if (host != NULL && host < t[k - 1].p + t[k - 1].n &&
	    host != o->component)
		set(&o->host, &o->host_len, host, hl);
}

size_t
aiops_loghdr_split(struct aiops_loghdr *lh, const char *s, size_t len,
    struct aiops_loghead *o)
{
	struct hscan h;
	size_t ncol, off = split(s, len, o, &h, &ncol);

	if (ncol == (size_t)-1 || lh == NULL) {
		/* fixed formats: nothing to learn */
	} else if (lh->learned == 0) {
		sample(lh, &h, ncol);
	} else if (lh->learned == 1 && lh->k != ncol &&
	    (lh->k > ncol || lh->k >= lh->kmode) && fits(lh, &h)) {
		learned_fields(o, &h, lh->k);
		off = (size_t)(h.t[lh->k - 1].p + h.t[lh->k - 1].n - s);
	}
	finish(s, len, off, o);
	return (size_t)(o->message - s);
}
