/*
 * logmine_hdr.c: split a raw log line into header fields and message.
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

#include <string.h>

#include "detect/logmine.h"
#include "detect/logmine_int.h"
#include "event/severity.h"

static int is_month(const char *, size_t);
static int is_wday(const char *, size_t);
static int is_time(const char *, size_t);

enum cls { C_WORD, C_TS, C_NUM, C_LEVEL, C_SEP, C_BRACKET, C_COMP };

struct htok {
	const char *p;
	size_t n;
	enum cls c;
	int wide;		/* followed by two or more spaces */
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
aiops_logmine_is_month(const char *p, size_t n)
{
	return is_month(p, n);
}

int
aiops_logmine_is_wday(const char *p, size_t n)
{
	return is_wday(p, n);
}

int
aiops_logmine_is_time(const char *p, size_t n)
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
	/* a version number like 1.2.3 is not a date */
	if (sep == '.' && a != 4)
		return 0;
	return i == n || p[i] == 'T' || p[i] == '-' || p[i] == ':' ||
	    p[i] == '_' || p[i] == ',';
}

static int
has_time_inside(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i + 5 <= n; i++)
		if (isdig((unsigned char)p[i]) && aiops_logmine_is_time_at(p + i, n - i))
			return 1;
	return 0;
}

/* Used by has_time_inside: a time starting at p, ending anywhere. */
int
aiops_logmine_is_time_at(const char *p, size_t n)
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
		if (n <= 11 && is_level(p, n, prev != NULL &&
		    (prev->c == C_NUM || prev->c == C_TS)))
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
set_comp(struct aiops_logline *o, const char *p, size_t n)
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
add_ts(struct aiops_logline *o, const struct htok *t)
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
add_level(struct aiops_logline *o, const struct htok *t)
{
	if (t->p[0] == '[')
		set(&o->level, &o->level_len, t->p + 1, t->n - 2);
	else
		set(&o->level, &o->level_len, t->p, t->n);
}

/* After a level: optional [thread], then comp:, "-", or "comp [..]". */
static size_t
after_level(struct aiops_logline *o, struct hscan *h, size_t i)
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
pipe_header(const char *s, size_t len, struct aiops_logline *o)
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

/* Skip an RFC 3164/5424 "<PRI>" prefix; sets severity from it. */
static size_t
pri_prefix(const char *s, size_t len, struct aiops_logline *o)
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

static size_t
header_scan(struct aiops_logline *o, struct hscan *h)
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
header_end(struct aiops_logline *o, struct hscan *h)
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

size_t
aiops_logmine_header(const char *s, size_t len, struct aiops_logline *o)
{
	struct hscan h;
	size_t off, end;

	o->ts = o->level = o->component = o->host = o->pid = NULL;
	o->ts_len = o->level_len = o->component_len = o->host_len =
	    o->pid_len = 0;
	o->severity = -1;
	off = pri_prefix(s, len, o);
	if ((end = pipe_header(s + off, len - off, o)) > 0) {
		off += end;
	} else {
		h.s = s + off;
		h.len = len - off < MAXHDR ? len - off : MAXHDR;
		h.i = h.nt = 0;
		h.done = 0;
		end = header_end(o, &h);
		if (end == 0) {
			o->host = NULL;
			o->host_len = 0;
			o->ts = o->level = o->component = o->pid = NULL;
			o->ts_len = o->level_len = o->component_len =
			    o->pid_len = 0;
		} else {
			off = (size_t)(h.t[end - 1].p + h.t[end - 1].n - s);
		}
	}
	while (off < len && (s[off] == ' ' || s[off] == '\t'))
		off++;
	o->message = s + off;
	o->message_len = len - off;
	if (o->level != NULL)
		o->severity = level_severity(o->level,
		    o->level_len);
	return off;
}
