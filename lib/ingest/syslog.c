/*
 * syslog.c: syslog lines, as a relay or a log file holds them.
 *
 *   RFC 3164  <PRI>Mmm dd hh:mm:ss host tag[pid]: msg
 *             the same without <PRI> (/var/log/syslog), or with an RFC 3339
 *             time instead of the BSD one (rsyslog's default file format)
 *   RFC 5424  <PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD-ID k="v"...] MSG
 *
 * PRI gives the severity and the label facility; the tag or APP-NAME is
 * the service; the pid is a label, as are MSGID and every SD parameter
 * (sd.<id>.<param>). Errors say what is wrong and at which column.
 */
#include "compat.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "ingest/ingest.h"
#include "ingest/logfields.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "event/severity.h"

#define PRI_MAX		191	/* facility 23, severity 7 */
#define SD_NAME_MAX	32	/* RFC 5424 SD-NAME */
#define HEADER_MAX	255	/* RFC 5424 HOSTNAME, the longest header field */
/* A BSD time has no year: a line this far ahead of the clock is last year's. */
#define FUTURE_SLACK	(31 * 86400 * AIOPS_NS_PER_SEC)

/* Unescaped SD values and label names are kept here until the emit. */
struct syslog_state {
	struct aiops_buf	 text;
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

static const char *const months[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
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

static int
month_of(const char *s)
{
	int i;

	for (i = 0; i < 12; i++)
		if (memcmp(s, months[i], 3) == 0)
			return i + 1;
	return 0;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "Mmm dd hh:mm:ss" (day space-padded or not) at s: 1 if it is one. */
static int
bsd_time_shape(const char *s, size_t n)
{
	if (n < 15 || month_of(s) == 0 || s[3] != ' ')
		return 0;
	if (!(s[4] == ' ' || is_digit(s[4])) || !is_digit(s[5]) || s[6] != ' ')
		return 0;
	return is_digit(s[7]) && is_digit(s[8]) && s[9] == ':' &&
	    is_digit(s[10]) && is_digit(s[11]) && s[12] == ':' &&
	    is_digit(s[13]) && is_digit(s[14]);
}

static int
sniff(const char *line, size_t len)
{
	size_t i;

	if (len >= 3 && line[0] == '<' && is_digit(line[1])) {
		for (i = 1; i < len && i < 5 && is_digit(line[i]); i++)
			;
		if (i < len && line[i] == '>')
			return 90;
	}
	if (bsd_time_shape(line, len) && len > 15 && line[15] == ' ')
		return 80;
	return 0;
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

/*
 * A BSD time has no year and no zone: take the year of the clock, or the
 * one before when that would put the line more than a month ahead (a log
 * of late December read in January), and UTC.
 */
static int
bsd_time(struct aiops_ingest *ing, const char *s, int64_t *ts)
{
	int64_t now = aiops_ingest_now(ing), year, y, days;
	int mon = month_of(s), day, h, mi, sec, i;
	unsigned cm, cd;

	day = (s[4] == ' ' ? 0 : (s[4] - '0') * 10) + (s[5] - '0');
	h = (s[7] - '0') * 10 + (s[8] - '0');
	mi = (s[10] - '0') * 10 + (s[11] - '0');
	sec = (s[13] - '0') * 10 + (s[14] - '0');
	if (day < 1 || day > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	aiops_civil_from_days(now / (86400 * AIOPS_NS_PER_SEC), &year, &cm, &cd);
	for (i = 0; i < 2; i++, year--) {
		days = aiops_days_from_civil(year, (unsigned)mon, (unsigned)day);
		*ts = (days * 86400 + h * 3600 + mi * 60 + sec) * AIOPS_NS_PER_SEC;
		if (i == 0 && *ts > now + FUTURE_SLACK)
			continue;
		/* Feb 30, or Feb 29 of a common year, comes back as March. */
		aiops_civil_from_days(days, &y, &cm, &cd);
		return cd == (unsigned)day ? 0 : -1;
	}
	return -1;
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

/*
 * "tag[pid]: " or "tag: " at the cursor. Sets the service and pid label
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
	if (p >= c->n || c->s[p] != ':')
		return;
	r->service = c->s + c->pos;
	r->slen = tagend - c->pos;
	if (pidend > pid)
		aiops_logrec_label(r, "pid", 3, c->s + pid, pidend - pid);
	p++;
	if (p < c->n && c->s[p] == ' ')
		p++;
	c->pos = p;
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

/* RFC 3164 after the PRI (if any): time, host, tag, message. */
static int
parse_3164(struct aiops_ingest *ing, struct cursor *c, struct aiops_logrec *r)
{
	size_t start = c->pos;

	if (bsd_time_shape(c->s + c->pos, c->n - c->pos)) {
		if (bsd_time(ing, c->s + c->pos, &r->ts) == -1)
			return aiops_ingest_error(ing, "bad date or time at column %lu", col(c));
		c->pos += 15;
	} else if (!at_end(c) && is_digit(c->s[c->pos])) {
		if (rfc3339_token(c, &r->ts) == -1) {
			c->pos = start;
			return aiops_ingest_error(ing, "bad timestamp at column %lu", col(c));
		}
	} else {
		return aiops_ingest_error(ing, "bad timestamp at column %lu", col(c));
	}
	r->has_ts = 1;
	if (skip_space(c) == -1 || at_end(c))
		return aiops_ingest_error(ing, "truncated header: expected a host name at column %lu",
		    col(c));
	/* Local messages (from /dev/log) carry no host: the tag comes first. */
	if (!looks_like_tag(c)) {
		const char *h;
		size_t hl;

		if (token(c, &h, &hl) == -1)
			return aiops_ingest_error(ing, "empty host name at column %lu", col(c));
		r->host = h;
		r->hlen = hl;
		if (!at_end(c))
			c->pos++;
	}
	bsd_tag(c, r);
	r->message = c->s + c->pos;
	r->mlen = c->n - c->pos;
	return 0;
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

static int
syslog_line(void *arg, struct aiops_ingest *ing, const char *line, size_t len)
{
	struct syslog_state *st = arg;
	struct cursor c = { line, len, 0 };
	struct aiops_logrec r;
	int pri = -1, rc;

	aiops_buf_reset(&st->text);
	aiops_logrec_init(&r);
	if ((rc = parse_pri(ing, &c, &pri)) == -1)
		return -1;
	if (rc == 0)
		aiops_logrec_label(&r, "facility", 8, facilities[pri >> 3],
		    strlen(facilities[pri >> 3]));
	if (rc == 0 && len - c.pos >= 2 && line[c.pos] == '1' && line[c.pos + 1] == ' ') {
		c.pos += 2;
		rc = parse_5424(ing, &c, st, &r);
	} else {
		rc = parse_3164(ing, &c, &r);
	}
	if (rc == -1)
		return -1;
	r.severity = pri >= 0 ? aiops_severity_name(pri & 7) :
	    aiops_logrec_guess_severity(r.message, r.mlen);
	aiops_logrec_emit(ing, &r, aiops_ingest_source(ing, "syslog"));
	return 0;
}

const struct aiops_format aiops_format_syslog = {
	.name = "syslog",
	.desc = "syslog, RFC 3164 (with or without PRI) and RFC 5424",
	.sniff = sniff,
	.start = syslog_start,
	.line = syslog_line,
	.free = syslog_free,
};
