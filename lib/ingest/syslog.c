/*
 * syslog.c: syslog lines, as a relay, a log file or a device writes them.
 *
 *   RFC 3164  <PRI>Mmm dd hh:mm:ss host tag[pid]: msg
 *             the same without <PRI> (/var/log/syslog), or with an RFC 3339
 *             time instead of the BSD one (rsyslog's default file format);
 *             the day padded with a space, a zero or not at all
 *   RFC 5424  <PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD-ID k="v"...] MSG
 *   Cisco     <PRI>seq: [*]Mmm dd hh:mm:ss.mmm [UTC]: %FAC-SEV-MNEMONIC: msg
 *             (IOS; ASA, NX-OS and relayed variants: see cisco())
 *   devices   Aruba's year after the time, UniFi's "name,mac,firmware:"
 *             host, MikroTik's "topic,level" tag (see after_header())
 *   FortiGate <PRI>date=... time=... devname="..." ... tz="+0000" (fortigate())
 *   journal   journalctl -o short-unix and short-full times (journal_stamp())
 *
 * PRI gives the severity and the label facility; the tag or APP-NAME is
 * the service; the pid is a label, as are MSGID and every SD parameter
 * (sd.<id>.<param>). Cisco's FAC is the service, MNEMONIC and the
 * sequence number are labels, SEV the severity.
 *
 * RFC 3164 4.3.2: a line without a valid header (TIMESTAMP SP HOSTNAME) is
 * still a message: the whole rest is the message, at the time of receipt
 * (the clock). 4.3.3: no PRI means facility user, severity notice. Only a
 * broken PRI and a broken RFC 5424 line are errors; they say what is wrong
 * and at which column.
 */
#include "compat.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/logtime.h"
#include "ingest/ingest.h"
#include "ingest/logfields.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "event/severity.h"

#define PRI_MAX		191	/* facility 23, severity 7 */
#define SD_NAME_MAX	32	/* RFC 5424 SD-NAME */
#define HEADER_MAX	255	/* RFC 5424 HOSTNAME, the longest header field */
#define SEQ_DIGITS	20	/* the longest Cisco sequence number taken */

/*
 * Unescaped SD values and label names are kept here until the emit. The
 * last time a line of this input gave places the next BSD time (which has
 * no year) on the event clock.
 */
struct syslog_state {
	struct aiops_buf	 text;
	int64_t			 last;
	int			 has_last;
};

/* A BSD time as devices write it (bsd_stamp()). */
struct stamp {
	struct aiops_logtime_tm	 tm;		/* year -1: none written */
	int			 unsynced;	/* Cisco's '*': the clock was never set */
	const char		*tz;		/* a zone word other than UTC, or NULL */
	size_t			 tzlen;
};

/* A label whose strings live in syslog_state.text, by offset (it may move). */
struct oflabel {
	size_t	 koff, klen, voff, vlen;
};

/* One PARAM="VALUE" of an SD element: id and name in the line, value in text. */
struct sdparam {
	size_t	 idoff, idlen, poff, plen, voff, vlen;
};

struct cursor {
	const char	*s;
	size_t		 n;
	size_t		 pos;
};

static const char *const facilities[] = {
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
	"uucp", "cron", "authpriv", "ftp", "ntp", "audit", "alert", "clock",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
};

/* Columns in messages count from 1, as editors do. */
static unsigned long
col(const struct cursor *c)
{
	return (unsigned long)c->pos + 1;
}

static int
at_end(const struct cursor *c)
{
	return c->pos >= c->n;
}

/*
 * Zone words Cisco devices print after the time (show-timezone). UTC and
 * GMT are UTC; the others are kept as the label tz, the time read as UTC
 * as every BSD time is (the device names its zone, not its offset).
 */
static const char *const zones[] = {
	"UTC", "GMT", "UT", "Z",
	"WET", "WEST", "BST", "IST", "CET", "CEST", "EET", "EEST", "MSK",
	"EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT",
	"AKST", "AKDT", "HST", "JST", "KST", "SGT", "HKT",
	"AEST", "AEDT", "ACST", "ACDT", "AWST", "NZST", "NZDT",
};

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static void *
syslog_start(struct aiops_ingest *ing)
{
	struct syslog_state *st = xcalloc(1, sizeof(*st));

	AIOPS_UNUSED(ing);
	aiops_buf_init(&st->text);
	return st;
}

static void
syslog_free(void *arg)
{
	struct syslog_state *st = arg;

	aiops_buf_release(&st->text);
	free(st);
}

/* <PRI>: 0 with *pri set, 1 when the line has none, -1 bad. */
static int
parse_pri(struct aiops_ingest *ing, struct cursor *c, int *pri)
{
	int v = 0, nd = 0;

	if (at_end(c) || c->s[c->pos] != '<')
		return 1;
	c->pos++;
	while (!at_end(c) && is_digit(c->s[c->pos]) && nd < 4) {
		v = v * 10 + (c->s[c->pos] - '0');
		c->pos++;
		nd++;
	}
	if (nd == 0 || at_end(c) || c->s[c->pos] != '>')
		return aiops_ingest_error(ing, "bad PRI (expected <0-191>) at column %lu", col(c));
	if (v > PRI_MAX)
		return aiops_ingest_error(ing, "PRI %d out of range (0-191) at column 2", v);
	c->pos++;
	*pri = v;
	return 0;
}

/* The next space-delimited token; -1 when the line ends first. */
static int
token(struct cursor *c, const char **t, size_t *tl)
{
	size_t start = c->pos;

	while (!at_end(c) && c->s[c->pos] != ' ')
		c->pos++;
	if (c->pos == start)
		return -1;
	*t = c->s + start;
	*tl = c->pos - start;
	return 0;
}

static int
skip_space(struct cursor *c)
{
	if (at_end(c) || c->s[c->pos] != ' ')
		return -1;
	c->pos++;
	return 0;
}

/* A zone word of the table at s, ending at n: its length, or 0. */
static size_t
zone_word(const char *s, size_t n)
{
	size_t i, l;

	for (l = 0; l < n && l < 5 && s[l] >= 'A' && s[l] <= 'Z'; l++)
		;
	if (l == 0 || l >= n || s[l] != ':')
		return 0;
	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
		if (strlen(zones[i]) == l && memcmp(s, zones[i], l) == 0)
			return l;
	return 0;
}

/*
 * A BSD time at s as devices write it: an optional '*' or '.' (Cisco:
 * clock not set, or not in sync), the time with an optional fraction and
 * year (core/logtime.h: Cisco NX-OS "yyyy Mmm dd", ASA "Mmm dd yyyy",
 * Aruba "Mmm dd hh:mm:ss yyyy"), and, when a ':' ends the time (Cisco),
 * a zone word. Its length, or 0.
 */
static size_t
bsd_stamp(const char *s, size_t n, struct stamp *t)
{
	size_t p = 0, q;

	memset(t, 0, sizeof(*t));
	if (n > 0 && (s[0] == '*' || s[0] == '.')) {
		t->unsynced = s[0] == '*';
		p++;
	}
	if ((q = aiops_logtime_bsd(s + p, n - p, &t->tm)) == 0)
		return 0;
	p += q;
	if (p < n && s[p] == ' ' && (q = zone_word(s + p + 1, n - p - 1)) > 0) {
		if (q > 2 && memcmp(s + p + 1, "UTC", 3) != 0 && memcmp(s + p + 1, "GMT", 3) != 0) {
			t->tz = s + p + 1;
			t->tzlen = q;
		}
		p += q + 1;
	}
	return p;
}

/*
 * What a BSD time is placed against: the clock (the wall clock or
 * AIOPS_NOW), or on the event clock, once this input has given a time,
 * that time: a replayed log that crosses New Year goes on into January of
 * the next year, whatever the day it is replayed.
 */
static int64_t
year_ref(const struct syslog_state *st)
{
	if (aiops_clock_mode() == AIOPS_CLOCK_EVENT && st->has_last)
		return st->last;
	return aiops_clock_wall();
}

/* An RFC 3339 time token; -1 bad. */
static int
rfc3339_token(struct cursor *c, int64_t *ts)
{
	const char *t;
	size_t tl;

	if (token(c, &t, &tl) == -1)
		return -1;
	return aiops_time_parse_rfc3339(t, tl, ts);
}

static int
all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return 0;
	return n > 0;
}

/*
 * "tag[pid]: " or "tag: " at the cursor (or "tag[pid] "). Sets the service and pid label
 * and moves past it; leaves the cursor alone when the text has no tag.
 */
static void
bsd_tag(struct cursor *c, struct aiops_logrec *r)
{
	size_t p = c->pos, tagend, pid = 0, pidend = 0;

	while (p < c->n && c->s[p] != ' ' && c->s[p] != ':' && c->s[p] != '[')
		p++;
	tagend = p;
	if (tagend == c->pos)
		return;
	if (p < c->n && c->s[p] == '[') {
		pid = ++p;
		while (p < c->n && c->s[p] != ']' && c->s[p] != ' ')
			p++;
		if (p >= c->n || c->s[p] != ']')
			return;
		pidend = p++;
	}
	if (p < c->n && c->s[p] == ':')
		p++;
	/* "tag[pid] msg": the colon left out, as some daemons do. */
	else if (pidend == pid || (p < c->n && c->s[p] != ' ') ||
	    !all_digits(c->s + pid, pidend - pid))
		return;
	r->service = c->s + c->pos;
	r->slen = tagend - c->pos;
	if (pidend > pid)
		aiops_logrec_label(r, "pid", 3, c->s + pid, pidend - pid);
	if (p < c->n && c->s[p] == ' ')
		p++;
	c->pos = p;
}

/* Cisco's sequence number "N: " at the cursor: the length of N, or 0. */
static size_t
seq_len(const struct cursor *c)
{
	size_t p = c->pos;

	while (p < c->n && is_digit(c->s[p]) && p - c->pos <= SEQ_DIGITS)
		p++;
	if (p == c->pos || p + 1 >= c->n || c->s[p] != ':' || c->s[p + 1] != ' ')
		return 0;
	return p - c->pos;
}

static int
mnemonic_char(char ch)
{
	return is_digit(ch) || ch == '_' || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= 'a' && ch <= 'z');
}

/*
 * Cisco's "%FAC-SEV-MNEMONIC: " at the cursor (IOS, NX-OS, ASA; IOS XR
 * writes "%CAT-FAC-SEV-MNEMONIC : "): the service is FAC, the label
 * mnemonic MNEMONIC, the level SEV (Cisco's 0-7 are syslog's). Moves
 * past it; -1 when it is not one.
 */
static int
cisco_mnemonic(struct cursor *c, struct aiops_logrec *r, int *level)
{
	size_t p = c->pos + 1, end, m;

	if (at_end(c) || c->s[c->pos] != '%')
		return -1;
	while (p < c->n && (mnemonic_char(c->s[p]) || c->s[p] == '-'))
		p++;
	end = p;
	for (m = end; m > c->pos + 1 && c->s[m - 1] != '-'; m--)
		;
	/* FAC, '-', a digit 0-7, '-', MNEMONIC: m is past the last '-'. */
	if (m == end || m < c->pos + 5 || c->s[m - 3] != '-' ||
	    c->s[m - 2] < '0' || c->s[m - 2] > '7' || c->s[m - 4] == '-')
		return -1;
	if (p < c->n && c->s[p] == ' ')
		p++;
	if (p >= c->n || c->s[p] != ':')
		return -1;
	p++;
	if (p < c->n && c->s[p] == ' ')
		p++;
	r->service = c->s + c->pos + 1;
	r->slen = m - 3 - (c->pos + 1);
	aiops_logrec_label(r, "mnemonic", 8, c->s + m, end - m);
	*level = c->s[m - 2] - '0';
	c->pos = p;
	return 0;
}

/* The stamp's time into r (and its zone word into the label tz); -1 bad. */
static int
take_stamp(const struct syslog_state *st, const struct stamp *t, struct aiops_logrec *r)
{
	int64_t ts;

	/* UTC (a BSD time has no zone), the year nearest the reference. */
	if (aiops_logtime_resolve(&t->tm, year_ref(st), &ts) == -1)
		return -1;
	r->ts = ts;
	r->has_ts = 1;
	if (t->tz != NULL)
		aiops_logrec_label(r, "tz", 2, t->tz, t->tzlen);
	return 0;
}

/* IOS XR names the node before its time ("RP/0/RSP0/CPU0:Nov ..."): its length, or 0. */
static size_t
xr_node(const struct cursor *c)
{
	struct stamp t;
	size_t p;
	int slash = 0;

	for (p = c->pos; p < c->n && p - c->pos < HEADER_MAX && c->s[p] != ' ' &&
	    c->s[p] != ':'; p++)
		slash |= c->s[p] == '/';
	if (!slash || p >= c->n || c->s[p] != ':' ||
	    bsd_stamp(c->s + p + 1, c->n - p - 1, &t) == 0)
		return 0;
	return p - c->pos;
}

/*
 * IOS with "logging origin-id hostname" names itself after the sequence
 * number ("45: sw1: *Mar  1 ..."): the length of the name before ": " and
 * a time, or 0.
 */
static size_t
origin_id(const struct cursor *c)
{
	struct stamp t;
	size_t p;

	for (p = c->pos; p < c->n && p - c->pos < HEADER_MAX && c->s[p] != ' ' &&
	    c->s[p] != ':'; p++)
		;
	if (p == c->pos || p + 2 >= c->n || c->s[p] != ':' || c->s[p + 1] != ' ' ||
	    bsd_stamp(c->s + p + 2, c->n - p - 2, &t) == 0)
		return 0;
	return p - c->pos;
}

/*
 * Cisco where the message starts (after the PRI or after the syslog
 * header of a relay): "seq: " (the message counter; with service
 * sequence-numbers a second one, the label seqno), the device's name
 * (with logging origin-id hostname: the host, unless a header gave one),
 * IOS XR's node (label
 * node), the device's time ending in ':', IOS XR's "process[pid]: "
 * (labels process and pid), and "%FAC-SEV-MNEMONIC: ". Any of them may
 * be missing. The device's time (with its milliseconds) wins over a
 * relay's header, unless it is marked '*', not set. 1 when any of it
 * was there.
 */
static int
cisco(const struct syslog_state *st, struct cursor *c, struct aiops_logrec *r, int *level)
{
	static const char *const seqkey[] = { "seq", "seqno" };
	struct stamp t;
	size_t n, i;
	int found = 0, xr = 0;

	for (i = 0; i < 2 && (n = seq_len(c)) > 0; i++) {
		aiops_logrec_label(r, seqkey[i], strlen(seqkey[i]), c->s + c->pos, n);
		c->pos += n + 2;
		found = 1;
	}
	if (found && (n = origin_id(c)) > 0) {
		if (r->host == NULL) {
			r->host = c->s + c->pos;
			r->hlen = n;
		}
		c->pos += n + 2;
	}
	if ((n = xr_node(c)) > 0) {
		aiops_logrec_label(r, "node", 4, c->s + c->pos, n);
		c->pos += n + 1;
		found = xr = 1;
	}
	/* A time only after a sequence number or a node, or before a mnemonic. */
	n = bsd_stamp(c->s + c->pos, c->n - c->pos, &t);
	if (n > 0 && c->pos + n + 1 < c->n && c->s[c->pos + n] == ':' &&
	    c->s[c->pos + n + 1] == ' ' &&
	    (found || (c->pos + n + 2 < c->n && c->s[c->pos + n + 2] == '%'))) {
		/* No such date: it stays in the message. */
		if ((r->has_ts && t.unsynced) || take_stamp(st, &t, r) == 0)
			c->pos += n + 2;
		found = 1;
	}
	if (xr) {
		bsd_tag(c, r);
		if (r->service != NULL)
			aiops_logrec_label(r, "process", 7, r->service, r->slen);
	}
	if (cisco_mnemonic(c, r, level) == 0)
		found = 1;
	return found;
}

/* Does the token at the cursor look like a tag rather than a host name? */
static int
looks_like_tag(const struct cursor *c)
{
	size_t p;

	for (p = c->pos; p < c->n && c->s[p] != ' '; p++)
		if (c->s[p] == ':' || c->s[p] == '[')
			return p + 1 >= c->n || c->s[p + 1] == ' ' || c->s[p] == '[';
	return 0;
}

/*
 * Ubiquiti UniFi devices write "name,mac,firmware: " where the host goes:
 * the length of that token with its ':', the name's in *nl; or 0.
 */
static size_t
unifi_host(const struct cursor *c, size_t *nl)
{
	size_t p, comma = c->n;

	for (p = c->pos; p < c->n && c->s[p] != ' '; p++)
		if (c->s[p] == ',' && comma == c->n)
			comma = p;
	if (comma >= p || comma == c->pos || p - comma < 3 || c->s[p - 1] != ':' ||
	    memchr(c->s + c->pos, ':', p - 1 - c->pos) != NULL)
		return 0;
	*nl = comma - c->pos;
	return p - c->pos;
}

/*
 * MikroTik RouterOS writes its topics where the tag goes, "system,info "
 * (no ':'): a comma-separated list of lower-case words, one of them a
 * level. The first topic is the service, the list the label topics.
 */
static int
mikrotik_topics(struct cursor *c, struct aiops_logrec *r)
{
	static const char *const levels[] = { "debug", "info", "warning", "error", "critical" };
	size_t p, w, i, commas = 0;
	int level = 0;

	for (p = w = c->pos; p <= c->n; p++) {
		if (p < c->n && ((c->s[p] >= 'a' && c->s[p] <= 'z') || c->s[p] == '-'))
			continue;
		if (p == w)
			return 0;
		for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
			if (strlen(levels[i]) == p - w && memcmp(c->s + w, levels[i], p - w) == 0)
				level = 1;
		if (p == c->n || c->s[p] == ' ')
			break;
		if (c->s[p] != ',')
			return 0;
		commas++;
		w = p + 1;
	}
	if (commas == 0 || !level)
		return 0;
	r->service = c->s + c->pos;
	r->slen = (size_t)((const char *)memchr(r->service, ',', p - c->pos) - r->service);
	aiops_logrec_label(r, "topics", 6, c->s + c->pos, p - c->pos);
	c->pos = p < c->n ? p + 1 : p;
	return 1;
}

/* After "TIMESTAMP ": host (unless the tag comes first), tag or Cisco, message. */
static void
after_header(const struct syslog_state *st, struct cursor *c, struct aiops_logrec *r,
    int *level)
{
	const char *h;
	size_t hl;

	size_t n, nl;

	if ((n = unifi_host(c, &nl)) > 0) {
		r->host = c->s + c->pos;
		r->hlen = nl;
		c->pos += n;
		if (!at_end(c))
			c->pos++;
	/* Local messages (from /dev/log) carry no host: the tag comes first. */
	} else if (!looks_like_tag(c) && token(c, &h, &hl) == 0) {
		/* "-": no host, RFC 5424's NILVALUE, as relays write it in files. */
		if (hl != 1 || *h != '-') {
			r->host = h;
			r->hlen = hl;
		}
		if (!at_end(c))
			c->pos++;
		/* Cisco ASA with a device-id: "host : %ASA-...". */
		if (c->n - c->pos >= 2 && c->s[c->pos] == ':' && c->s[c->pos + 1] == ' ')
			c->pos += 2;
	}
	if (!cisco(st, c, r, level) && !mikrotik_topics(c, r))
		bsd_tag(c, r);
	r->message = c->s + c->pos;
	r->mlen = c->n - c->pos;
}

/*
 * journalctl's other times: -o short-unix "1795348800.123456 " and -o
 * short-full "Mon 2026-11-30 09:15:02 UTC " (the zone a word: UTC and GMT
 * are UTC, another is kept in *tz and the time read as UTC, as Cisco's).
 * The length before the space, or 0.
 */
static size_t
journal_stamp(const char *s, size_t n, int64_t *ts, const char **tz, size_t *tzl)
{
	size_t p = 0, q;

	*tz = NULL;
	while (p < n && is_digit(s[p]))
		p++;
	if (p >= 9 && p <= 11 && p + 1 < n && s[p] == '.' && is_digit(s[p + 1])) {
		for (p++; p < n && is_digit(s[p]); p++)
			;
		if (p < n && s[p] == ' ' && aiops_time_from_epoch(s, p, AIOPS_TU_S, ts) == 0)
			return p;
		return 0;
	}
	if (n < 26 || s[3] != ' ' || !isupper((unsigned char)s[0]) || !islower((unsigned char)s[1]) ||
	    !islower((unsigned char)s[2]) || s[8] != '-' || s[14] != ' ' || s[23] != ' ' ||
	    aiops_time_parse_rfc3339(s + 4, 19, ts) == -1)
		return 0;
	for (q = 24; q < n && q < 31 && (isalnum((unsigned char)s[q]) || s[q] == '+' ||
	    s[q] == '-'); q++)
		;
	if (q == 24 || q >= n || s[q] != ' ')
		return 0;
	if (!((q == 27 && (memcmp(s + 24, "UTC", 3) == 0 || memcmp(s + 24, "GMT", 3) == 0)))) {
		*tz = s + 24;
		*tzl = q - 24;
	}
	return q;
}

/*
 * The value of key=value or key="value" in s (FortiOS writes both): its
 * text in *v; 0 when the key is not there.
 */
static int
kv_get(const char *s, size_t n, const char *key, const char **v, size_t *vl)
{
	size_t kl = strlen(key), p;

	for (p = 0; p + kl < n; p++) {
		if ((p > 0 && s[p - 1] != ' ') || memcmp(s + p, key, kl) != 0 || s[p + kl] != '=')
			continue;
		p += kl + 1;
		if (p < n && s[p] == '"') {
			const char *q = memchr(s + p + 1, '"', n - p - 1);

			if (q == NULL)
				return 0;
			*v = s + p + 1;
			*vl = (size_t)(q - *v);
			return 1;
		}
		*v = s + p;
		for (*vl = 0; p + *vl < n && s[p + *vl] != ' '; (*vl)++)
			;
		return 1;
	}
	return 0;
}

/*
 * FortiGate (FortiOS) writes no header, only key=value pairs: the time is
 * date= and time= (the device's own clock) at the offset tz= ("-0700"; UTC
 * without it), the host devname=. The message stays as it is.
 */
static void
fortigate(const struct cursor *c, struct aiops_logrec *r)
{
	const char *s = c->s + c->pos, *d, *t, *z, *h;
	size_t n = c->n - c->pos, dl, tl, zl = 0, hl;
	char buf[64];
	int64_t ts;
	int len;

	if (n < 5 || memcmp(s, "date=", 5) != 0 || !kv_get(s, n, "date", &d, &dl) ||
	    !kv_get(s, n, "time", &t, &tl))
		return;
	if (!kv_get(s, n, "tz", &z, &zl) || zl != 5 || (z[0] != '+' && z[0] != '-'))
		zl = 0;
	len = zl ? snprintf(buf, sizeof(buf), "%.*sT%.*s%c%.2s:%.2s", (int)dl, d, (int)tl, t,
	    z[0], z + 1, z + 3) : snprintf(buf, sizeof(buf), "%.*sT%.*sZ", (int)dl, d, (int)tl, t);
	if (len > 0 && (size_t)len < sizeof(buf) &&
	    aiops_time_parse_rfc3339(buf, (size_t)len, &ts) == 0) {
		r->ts = ts;
		r->has_ts = 1;
	}
	if (r->host == NULL && kv_get(s, n, "devname", &h, &hl) && hl > 0) {
		r->host = h;
		r->hlen = hl;
	}
}

/*
 * RFC 3164 after the PRI (if any): time, host, tag, message. A line
 * without a valid header is a message all the same (RFC 3164 4.3.2): the
 * whole rest (less what Cisco puts first) at the time of receipt.
 */
static void
parse_3164(struct aiops_ingest *ing, const struct syslog_state *st, struct cursor *c,
    struct aiops_logrec *r, int *level)
{
	size_t start = c->pos, n, tzl;
	const char *tz;
	struct stamp t;

	/* A space after the PRI, as some devices write it, before a time. */
	if (c->n - c->pos > 1 && c->s[c->pos] == ' ' && c->pos > 0 && c->s[c->pos - 1] == '>' &&
	    bsd_stamp(c->s + c->pos + 1, c->n - c->pos - 1, &t) > 0)
		c->pos++;
	/* NX-OS: "<PRI>: 2026 Nov 20 22:23:27 UTC: %...". */
	if (c->n - c->pos > 2 && c->s[c->pos] == ':' && c->s[c->pos + 1] == ' ' &&
	    bsd_stamp(c->s + c->pos + 2, c->n - c->pos - 2, &t) > 0)
		c->pos += 2;
	n = bsd_stamp(c->s + c->pos, c->n - c->pos, &t);
	if (n > 0 && c->pos + n < c->n && (c->s[c->pos + n] == ' ' || c->s[c->pos + n] == ':')) {
		if (take_stamp(st, &t, r) == -1) {
			aiops_ingest_note(ing, "no such date or time at column %lu: "
			    "the line is the message, at the time of receipt", col(c));
			goto freetext;
		}
		c->pos += n + 1;
		if (c->s[c->pos - 1] == ' ') {
			after_header(st, c, r, level);
			return;
		}
		/* Cisco: the time ends in ':' and no host follows. */
		if (!at_end(c) && c->s[c->pos] == ' ')
			c->pos++;
		cisco_mnemonic(c, r, level);
		r->message = c->s + c->pos;
		r->mlen = c->n - c->pos;
		return;
	}
	if ((n = journal_stamp(c->s + c->pos, c->n - c->pos, &r->ts, &tz, &tzl)) > 0 &&
	    c->pos + n + 1 < c->n) {
		r->has_ts = 1;
		if (tz != NULL)
			aiops_logrec_label(r, "tz", 2, tz, tzl);
		c->pos += n + 1;
		after_header(st, c, r, level);
		return;
	}
	if (!at_end(c) && is_digit(c->s[c->pos]) && seq_len(c) == 0) {
		size_t t0 = c->pos;
		int bad = rfc3339_token(c, &r->ts) == -1;

		if (!bad && !at_end(c)) {
			r->has_ts = 1;
			c->pos++;
			after_header(st, c, r, level);
			return;
		}
		/* A date that is no date, not a number that starts a text. */
		if (bad && c->pos - t0 >= 10 && c->s[t0 + 4] == '-')
			aiops_ingest_note(ing, "bad RFC 3339 time at column %lu: "
			    "the line is the message, at the time of receipt", (unsigned long)t0 + 1);
	}
freetext:
	c->pos = start;
	r->has_ts = 0;
	if (!cisco(st, c, r, level))
		fortigate(c, r);
	r->message = c->s + c->pos;
	r->mlen = c->n - c->pos;
}

/* A header field of RFC 5424: a token, NULL for the NILVALUE "-". */
static int
field_5424(struct aiops_ingest *ing, struct cursor *c, const char *what,
    const char **v, size_t *vl)
{
	if (at_end(c) || c->s[c->pos] == ' ')
		return aiops_ingest_error(ing, "truncated header: expected %s at column %lu",
		    what, col(c));
	token(c, v, vl);
	if (*vl > HEADER_MAX)
		return aiops_ingest_error(ing, "%s longer than %d bytes at column %lu", what,
		    HEADER_MAX, (unsigned long)(*v - c->s) + 1);
	if (*vl == 1 && **v == '-')
		*v = NULL;
	if (skip_space(c) == -1)
		return aiops_ingest_error(ing, "truncated header after %s at column %lu",
		    what, col(c));
	return 0;
}

/* SD-NAME: printable ASCII but '=', ' ', ']', '"'; 1 to 32 of them. */
static int
sd_name(struct aiops_ingest *ing, struct cursor *c, const char *what, size_t *off, size_t *len)
{
	size_t start = c->pos;

	while (!at_end(c)) {
		unsigned char ch = (unsigned char)c->s[c->pos];

		if (ch <= ' ' || ch >= 127 || ch == '=' || ch == ']' || ch == '"')
			break;
		c->pos++;
	}
	if (c->pos == start || c->pos - start > SD_NAME_MAX) {
		c->pos = start;
		return aiops_ingest_error(ing, "bad %s at column %lu", what, col(c));
	}
	*off = start;
	*len = c->pos - start;
	return 0;
}

/* PARAM-VALUE in quotes, with \" \\ \] unescaped into st->text at *voff. */
static int
sd_value(struct aiops_ingest *ing, struct cursor *c, struct syslog_state *st,
    size_t *voff, size_t *vlen)
{
	if (at_end(c) || c->s[c->pos] != '"')
		return aiops_ingest_error(ing, "expected '\"' at column %lu", col(c));
	c->pos++;
	*voff = st->text.len;
	while (!at_end(c) && c->s[c->pos] != '"') {
		char ch = c->s[c->pos++];

		/* Other backslashes are kept as they are (RFC 5424 6.3.3). */
		if (ch == '\\' && !at_end(c) && (c->s[c->pos] == '"' ||
		    c->s[c->pos] == '\\' || c->s[c->pos] == ']'))
			ch = c->s[c->pos++];
		aiops_buf_addc(&st->text, ch);
	}
	if (at_end(c))
		return aiops_ingest_error(ing, "unterminated SD value at column %lu", col(c));
	c->pos++;
	*vlen = st->text.len - *voff;
	return 0;
}

/* Adds label "sd.<id>.<param>" unless one by that name exists. */
static int
sd_label(struct aiops_ingest *ing, const struct cursor *c, struct syslog_state *st,
    struct oflabel *l, size_t *nl, const struct sdparam *p)
{
	size_t koff = st->text.len, i;

	aiops_buf_add(&st->text, "sd.", 3);
	aiops_buf_add(&st->text, c->s + p->idoff, p->idlen);
	aiops_buf_addc(&st->text, '.');
	aiops_buf_add(&st->text, c->s + p->poff, p->plen);
	for (i = 0; i < *nl; i++)
		if (l[i].klen == st->text.len - koff &&
		    memcmp(st->text.data + l[i].koff, st->text.data + koff, l[i].klen) == 0)
			return 0;
	/* Leave room for facility, pid and msgid. */
	if (*nl >= AIOPS_MAX_LABELS - 3)
		return aiops_ingest_error(ing, "too many SD parameters (over %d) at column %lu",
		    AIOPS_MAX_LABELS - 3, (unsigned long)p->poff + 1);
	l[*nl].koff = koff;
	l[*nl].klen = st->text.len - koff;
	l[*nl].voff = p->voff;
	l[*nl].vlen = p->vlen;
	(*nl)++;
	return 0;
}

/* One SD-ELEMENT: [id param="value" ...]. */
static int
sd_element(struct aiops_ingest *ing, struct cursor *c, struct syslog_state *st,
    struct oflabel *l, size_t *nl)
{
	struct sdparam p;

	memset(&p, 0, sizeof(p));
	c->pos++;	/* '[' */
	if (sd_name(ing, c, "SD-ID", &p.idoff, &p.idlen) == -1)
		return -1;
	for (;;) {
		if (at_end(c))
			return aiops_ingest_error(ing, "unterminated SD element at column %lu",
			    col(c));
		if (c->s[c->pos] == ']') {
			c->pos++;
			return 0;
		}
		if (skip_space(c) == -1)
			return aiops_ingest_error(ing, "expected ' ' or ']' at column %lu", col(c));
		if (sd_name(ing, c, "SD parameter name", &p.poff, &p.plen) == -1)
			return -1;
		if (at_end(c) || c->s[c->pos] != '=')
			return aiops_ingest_error(ing, "expected '=' at column %lu", col(c));
		c->pos++;
		if (sd_value(ing, c, st, &p.voff, &p.vlen) == -1 ||
		    sd_label(ing, c, st, l, nl, &p) == -1)
			return -1;
	}
}

/* STRUCTURED-DATA: "-" or SD elements, into labels. */
static int
parse_sd(struct aiops_ingest *ing, struct cursor *c, struct syslog_state *st,
    struct aiops_logrec *r)
{
	struct oflabel l[AIOPS_MAX_LABELS];
	size_t nl = 0, i;

	if (at_end(c))
		return aiops_ingest_error(ing, "truncated header: expected STRUCTURED-DATA at column %lu",
		    col(c));
	if (c->s[c->pos] == '-') {
		c->pos++;
	} else if (c->s[c->pos] != '[') {
		return aiops_ingest_error(ing, "expected '[' or '-' at column %lu", col(c));
	} else {
		while (!at_end(c) && c->s[c->pos] == '[')
			if (sd_element(ing, c, st, l, &nl) == -1)
				return -1;
	}
	if (!at_end(c) && skip_space(c) == -1)
		return aiops_ingest_error(ing, "expected ' ' after STRUCTURED-DATA at column %lu",
		    col(c));
	/* st->text is complete now: its pointers stay put until the next line. */
	for (i = 0; i < nl; i++)
		aiops_logrec_label(r, st->text.data + l[i].koff, l[i].klen,
		    st->text.data + l[i].voff, l[i].vlen);
	return 0;
}

/* RFC 5424 after "<PRI>1 ". */
static int
parse_5424(struct aiops_ingest *ing, struct cursor *c, struct syslog_state *st,
    struct aiops_logrec *r)
{
	const char *app, *procid, *msgid;
	size_t al, pl, ml;

	if (at_end(c))
		return aiops_ingest_error(ing, "truncated header: expected TIMESTAMP at column %lu",
		    col(c));
	if (c->s[c->pos] == '-' && (c->pos + 1 == c->n || c->s[c->pos + 1] == ' ')) {
		c->pos++;
	} else {
		size_t start = c->pos;

		if (rfc3339_token(c, &r->ts) == -1) {
			c->pos = start;
			return aiops_ingest_error(ing, "bad TIMESTAMP at column %lu", col(c));
		}
		r->has_ts = 1;
	}
	if (skip_space(c) == -1)
		return aiops_ingest_error(ing, "truncated header: expected HOSTNAME at column %lu",
		    col(c));
	if (field_5424(ing, c, "HOSTNAME", &r->host, &r->hlen) == -1 ||
	    field_5424(ing, c, "APP-NAME", &app, &al) == -1 ||
	    field_5424(ing, c, "PROCID", &procid, &pl) == -1 ||
	    field_5424(ing, c, "MSGID", &msgid, &ml) == -1)
		return -1;
	if (app != NULL) {
		r->service = app;
		r->slen = al;
	}
	if (procid != NULL)
		aiops_logrec_label(r, "pid", 3, procid, pl);
	if (msgid != NULL)
		aiops_logrec_label(r, "msgid", 5, msgid, ml);
	if (parse_sd(ing, c, st, r) == -1)
		return -1;
	/* MSG may start with a UTF-8 BOM, which says it is UTF-8: drop it. */
	if (c->n - c->pos >= 3 && memcmp(c->s + c->pos, "\xef\xbb\xbf", 3) == 0)
		c->pos += 3;
	r->message = c->s + c->pos;
	r->mlen = c->n - c->pos;
	return 0;
}

/* ---- detection ---- */

/*
 * Whose line this is, not what is wrong with it: the shapes are the
 * parser's own (seq_len, bsd_stamp, bsd_tag), the verdict a score.
 */

/* A tag ("name: ", "name[pid]: ", or one ending the line) at s: 1 if it is one. */
static int
sniff_tag(const char *s, size_t n)
{
	struct cursor c = { s, n, 0 };
	struct aiops_logrec r;

	aiops_logrec_init(&r);
	bsd_tag(&c, &r);
	return c.pos > 0 && (c.pos == n || s[c.pos - 1] == ' ');
}

/*
 * rsyslog's file format (RSYSLOG_FileFormat): an RFC 3339 time (or one of
 * journalctl's, journal_stamp()), the host, a tag. A time and a host alone
 * are any log's, so the tag is wanted.
 */
static int
sniff_rfc3339(const char *s, size_t n)
{
	const char *sp, *end = s + n, *tz;
	size_t tzl, jl;
	int64_t ts;

	if ((jl = journal_stamp(s, n, &ts, &tz, &tzl)) > 0)
		sp = s + jl;
	else if (n == 0 || !is_digit(s[0]) || (sp = memchr(s, ' ', n)) == NULL ||
	    aiops_time_parse_rfc3339(s, (size_t)(sp - s), &ts) == -1)
		return 0;
	s = sp + 1;
	if (sniff_tag(s, (size_t)(end - s)))
		return 60;		/* a local message: no host */
	if ((sp = memchr(s, ' ', (size_t)(end - s))) == NULL || sp == s)
		return 0;
	s = sp + 1;
	return sniff_tag(s, (size_t)(end - s)) ? 80 : 0;
}

/*
 * <PRI> 90, whatever follows (RFC 3164 4.3.2: a line without a valid
 * header is still a message); a BSD time as devices write it 80, after a
 * Cisco sequence number ("000123: ") too; rsyslog's RFC 3339 file format
 * 80 (60 without a host).
 */
static int
sniff(const char *line, size_t len)
{
	struct cursor c = { line, len, 0 };
	struct stamp t;
	size_t i;

	if (len >= 3 && line[0] == '<' && is_digit(line[1])) {
		for (i = 1; i < len && i < 5 && is_digit(line[i]); i++)
			;
		if (i < len && line[i] == '>')
			return 90;
	}
	if ((i = seq_len(&c)) > 0)
		c.pos = i + 2;
	if (bsd_stamp(line + c.pos, len - c.pos, &t) > 0)
		return 80;
	return sniff_rfc3339(line, len);
}

static int
syslog_line(void *arg, struct aiops_ingest *ing, const char *line, size_t len)
{
	struct syslog_state *st = arg;
	struct cursor c = { line, len, 0 };
	struct aiops_logrec r;
	const char *fac;
	int pri = -1, level = -1, rc;

	aiops_buf_reset(&st->text);
	aiops_logrec_init(&r);
	if ((rc = parse_pri(ing, &c, &pri)) == -1)
		return -1;
	if (rc == 0 && len - c.pos >= 2 && line[c.pos] == '1' && line[c.pos + 1] == ' ') {
		c.pos += 2;
		if (parse_5424(ing, &c, st, &r) == -1)
			return -1;
	} else {
		parse_3164(ing, st, &c, &r, &level);
	}
	/*
	 * RFC 3164 4.3.3: no PRI is PRI 13, user.notice; but a level word in
	 * the message (a file that lost its PRIs) says more than that default.
	 */
	fac = facilities[pri >= 0 ? pri >> 3 : 1];
	aiops_logrec_label(&r, "facility", 8, fac, strlen(fac));
	if (level < 0)
		level = pri >= 0 ? pri & 7 : aiops_logrec_guess_level(r.message, r.mlen);
	r.severity = aiops_severity_name(level >= 0 ? level : AIOPS_SEV_NOTICE);
	if (r.has_ts) {
		st->last = r.ts;
		st->has_last = 1;
	}
	aiops_logrec_emit(ing, &r, aiops_ingest_source(ing, "syslog"));
	return 0;
}

const struct aiops_format aiops_format_syslog = {
	.name = "syslog",
	.desc = "syslog, RFC 3164 (with or without PRI), RFC 5424 and Cisco IOS",
	.sniff = sniff,
	.start = syslog_start,
	.line = syslog_line,
	.free = syslog_free,
};
