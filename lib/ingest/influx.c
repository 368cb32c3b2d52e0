/*
 * influx.c: InfluxDB line protocol (docs-v2 line-protocol.md).
 *
 *	measurement[,tag=value...] field=value[,field=value...] [timestamp]
 *
 * Each numeric or boolean field becomes the metric measurement_field, the
 * name Telegraf's Prometheus output gives it; booleans are 0 and 1. String
 * fields are checked and dropped: they are not metrics. Tags become labels,
 * except "host", which is the event's host. The timestamp is an int64 in
 * opts->precision (ns unless told otherwise); none means now.
 *
 * This is the hot path of aiops-ingest (bench/ingest), so a line is
 * scanned once, byte by byte, into a struct lp_point on the stack, and
 * nothing is allocated per line: names and values point into the line, or,
 * only when the line has a backslash, into a per-input buffer that is
 * sized for the whole line before the first unescape, so it never moves
 * while pointers into it are held.
 */
#include "compat.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "event/event.h"
#include "ingest/ingest.h"
#include "core/numparse.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

#define LP_MAX_FIELDS	256		/* per line; more is refused */
#define LP_MAX_STRING	65535		/* bytes of a string field (spec: 64KB) */
#define LP_TS_MAX	9223372036854775806LL	/* spec: +-(2^63 - 2) */

struct lp_field {
	const char	*key;
	size_t		 klen;
	double		 value;
};

struct lp_point {
	const char		*meas;
	size_t			 mlen;
	const char		*host;		/* the "host" tag, or NULL */
	size_t			 hlen;
	struct aiops_label	 tags[AIOPS_MAX_LABELS];
	size_t			 ntags;
	struct lp_field		 fields[LP_MAX_FIELDS];
	size_t			 nfields;
	int			 has_ts;
	int64_t			 ts;		/* ns */
};

struct lp_parser {
	const char		*line;
	const char		*p;
	const char		*end;
	struct aiops_buf	*unesc;		/* NULL: leave escapes in (sniffing) */
	enum aiops_time_unit	 prec;
	const char		*what;		/* the error, if any */
	size_t			 col;		/* 1-based column of the error */
};

/* Per input: the unescape buffer and the metric name buffer. */
struct lp_state {
	struct aiops_buf	 unesc;
	struct aiops_buf	 name;
};

static int
perr(struct lp_parser *ps, const char *at, const char *what)
{
	ps->what = what;
	ps->col = (size_t)(at - ps->line) + 1;
	return -1;
}

/*
 * Byte classes: what ends (and what a backslash escapes in) a measurement
 * (MEAS) and a tag key, tag value or field key (KEY). A table, not
 * strchr(): this loop sees every byte of the input.
 */
#define MEAS	1
#define KEY	2

static const unsigned char cls[256] = {
	[','] = MEAS | KEY, [' '] = MEAS | KEY, ['='] = KEY,
};

/*
 * Scans from ps->p to the first unescaped byte of class c. A backslash
 * escapes the byte after it when that is a backslash or of class c; any
 * other backslash is a literal one. Sets *bs when a backslash was seen.
 */
static const char *
scan_token(struct lp_parser *ps, int c, int *bs)
{
	const char *p = ps->p, *e = ps->end;

	*bs = 0;
	for (; p < e; p++) {
		if (cls[(unsigned char)*p] & c)
			break;
		if (*p == '\\') {
			*bs = 1;
			if (p + 1 < e && (p[1] == '\\' || (cls[(unsigned char)p[1]] & c)))
				p++;
		}
	}
	return p;
}

/*
 * The text of token [s, e) of class c with its escapes undone. Without a
 * backslash, or while sniffing, that is the token itself.
 */
static const char *
unescape(struct lp_parser *ps, const char *s, const char *e, int c, int bs,
    size_t *len)
{
	struct aiops_buf *b = ps->unesc;
	const char *out;

	*len = (size_t)(e - s);
	if (!bs || b == NULL)
		return s;
	out = b->data + b->len;
	for (; s < e; s++) {
		if (*s == '\\' && s + 1 < e && (s[1] == '\\' || (cls[(unsigned char)s[1]] & c)))
			s++;
		b->data[b->len++] = *s;
	}
	*len = (size_t)(b->data + b->len - out);
	b->data[b->len++] = '\0';
	return out;
}

static void
skip_spaces(struct lp_parser *ps)
{
	while (ps->p < ps->end && *ps->p == ' ')
		ps->p++;
}

/* Measurement: escapes are comma and space. */
static int
parse_measurement(struct lp_parser *ps, struct lp_point *pt)
{
	const char *s = ps->p, *e;
	int bs;

	e = scan_token(ps, MEAS, &bs);
	if (e == s)
		return perr(ps, s, "missing measurement");
	pt->meas = unescape(ps, s, e, MEAS, bs, &pt->mlen);
	ps->p = e;
	return 0;
}

static int
same_key(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && memcmp(a, b, alen) == 0;
}

/* ",key=value": tag keys and values escape comma, '=' and space. */
static int
parse_tag(struct lp_parser *ps, struct lp_point *pt)
{
	const char *ks = ++ps->p, *ke, *vs, *ve, *k, *v;
	size_t klen, vlen, i;
	int bs;

	ke = scan_token(ps, KEY, &bs);
	if (ke == ks)
		return perr(ps, ks, "empty tag key");
	if (ke == ps->end || *ke != '=')
		return perr(ps, ke, "tag without '='");
	k = unescape(ps, ks, ke, KEY, bs, &klen);
	ps->p = vs = ke + 1;
	ve = scan_token(ps, KEY, &bs);
	if (ve == vs)
		return perr(ps, vs, "empty tag value");
	if (ve < ps->end && *ve == '=')
		return perr(ps, ve, "unescaped '=' in tag value");
	v = unescape(ps, vs, ve, KEY, bs, &vlen);
	ps->p = ve;
	if (same_key(k, klen, "host", 4)) {
		if (pt->host != NULL)
			return perr(ps, ks, "duplicate tag key");
		pt->host = v;
		pt->hlen = vlen;
		return 0;
	}
	for (i = 0; i < pt->ntags; i++)
		if (same_key(k, klen, pt->tags[i].key, pt->tags[i].klen))
			return perr(ps, ks, "duplicate tag key");
	if (pt->ntags == AIOPS_MAX_LABELS)
		return perr(ps, ks, "too many tags");
	pt->tags[pt->ntags].key = k;
	pt->tags[pt->ntags].klen = klen;
	pt->tags[pt->ntags].val = v;
	pt->tags[pt->ntags].vlen = vlen;
	pt->ntags++;
	return 0;
}

/* "[-]digits" as int64; 0 ok, -1 bad syntax, -2 out of range. */
static int
parse_int(const char *s, size_t n, int64_t *v)
{
	uint64_t u = 0, lim;
	size_t i = 0;
	int neg = 0;

	if (i < n && s[i] == '-') {
		neg = 1;
		i++;
	}
	if (i == n)
		return -1;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (d > 9)
			return -1;
		if (u > (lim - d) / 10)
			return -2;
		u = u * 10 + d;
	}
	*v = neg ? (int64_t)(0 - u) : (int64_t)u;
	return 0;
}

/* "digits" as uint64; 0 ok, -1 bad syntax, -2 out of range. */
static int
parse_uint(const char *s, size_t n, uint64_t *v)
{
	uint64_t u = 0;
	size_t i;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (d > 9)
			return -1;
		if (u > (UINT64_MAX - d) / 10)
			return -2;
		u = u * 10 + d;
	}
	*v = u;
	return 0;
}

/* 1 true, 0 false, -1 not a boolean word. */
static int
parse_bool(const char *s, size_t n)
{
	static const char *const words[] = {
		"t", "T", "true", "True", "TRUE", "f", "F", "false", "False", "FALSE",
	};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i]) == n && memcmp(words[i], s, n) == 0)
			return i < 5;
	return -1;
}

/* An unquoted field value [s, s + n): float, 1i, 1u or a boolean. */
static int
parse_value(struct lp_parser *ps, const char *s, size_t n, double *v)
{
	int64_t i;
	uint64_t u;
	int rc, b;

	if (!((s[0] >= '0' && s[0] <= '9') || s[0] == '-' || s[0] == '+' || s[0] == '.')) {
		if ((b = parse_bool(s, n)) == -1)
			return perr(ps, s, "bad field value");
		*v = b;
		return 0;
	}
	switch (s[n - 1]) {
	case 'i':
		if ((rc = parse_int(s, n - 1, &i)) == -2)
			return perr(ps, s, "integer out of range");
		if (rc == -1)
			return perr(ps, s, "bad integer");
		*v = (double)i;
		return 0;
	case 'u':
		if ((rc = parse_uint(s, n - 1, &u)) == -2)
			return perr(ps, s, "unsigned integer out of range");
		if (rc == -1)
			return perr(ps, s, "bad unsigned integer");
		*v = (double)u;
		return 0;
	}
	if ((rc = aiops_parse_decimal(s, n, v)) == -2)
		return perr(ps, s, "float out of range");
	if (rc == -1)
		return perr(ps, s, "bad number");
	return 0;
}

/*
 * A quoted string field from the opening quote; `\"` and `\\` are its
 * escapes. Checked and skipped. 0, or -1 (unbalanced, too long).
 */
static int
skip_string(struct lp_parser *ps)
{
	const char *q = ps->p, *p = q + 1, *e = ps->end;

	for (; p < e; p++) {
		if (*p == '\\' && p + 1 < e && (p[1] == '"' || p[1] == '\\'))
			p++;
		else if (*p == '"')
			break;
	}
	if (p == e)
		return perr(ps, q, "unbalanced quotes");
	if ((size_t)(p - q - 1) > LP_MAX_STRING)
		return perr(ps, q, "string field longer than 64 KiB");
	ps->p = p + 1;
	if (ps->p < e && *ps->p != ',' && *ps->p != ' ')
		return perr(ps, ps->p, "garbage after string field");
	return 0;
}

/* "key=value"; field keys escape comma, '=' and space. */
static int
parse_field(struct lp_parser *ps, struct lp_point *pt)
{
	const char *ks = ps->p, *ke, *vs, *ve;
	struct lp_field *f;
	int bs;

	ke = scan_token(ps, KEY, &bs);
	if (ke == ks)
		return perr(ps, ks, "empty field key");
	if (ke == ps->end || *ke != '=')
		return perr(ps, ke, "field without '='");
	ps->p = vs = ke + 1;
	if (vs < ps->end && *vs == '"')
		return skip_string(ps);
	for (ve = vs; ve < ps->end && *ve != ',' && *ve != ' '; ve++)
		;
	if (ve == vs)
		return perr(ps, vs, "empty field value");
	if (pt->nfields == LP_MAX_FIELDS)
		return perr(ps, ks, "too many fields");
	f = &pt->fields[pt->nfields];
	if (parse_value(ps, vs, (size_t)(ve - vs), &f->value) == -1)
		return -1;
	f->key = unescape(ps, ks, ke, KEY, bs, &f->klen);
	pt->nfields++;
	ps->p = ve;
	return 0;
}

/* Nanoseconds per unit; AUTO guesses from the magnitude as timeutil.h does. */
static int64_t
ts_mult(enum aiops_time_unit u, int64_t v)
{
	uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	switch (u) {
	case AIOPS_TU_S:
		return AIOPS_NS_PER_SEC;
	case AIOPS_TU_MS:
		return 1000000;
	case AIOPS_TU_US:
		return 1000;
	case AIOPS_TU_NS:
		return 1;
	default:
		break;
	}
	if (mag < 100000000000ULL)
		return AIOPS_NS_PER_SEC;
	if (mag < 100000000000000ULL)
		return 1000000;
	if (mag < 100000000000000000ULL)
		return 1000;
	return 1;
}

static int
parse_timestamp(struct lp_parser *ps, struct lp_point *pt)
{
	const char *s = ps->p, *e;
	int64_t v, m;
	int rc;

	for (e = s; e < ps->end && *e != ' '; e++)
		;
	rc = parse_int(s, (size_t)(e - s), &v);
	if (rc == -1)
		return perr(ps, s, "bad timestamp");
	if (rc == -2 || v > LP_TS_MAX || v < -LP_TS_MAX)
		return perr(ps, s, "timestamp out of range");
	m = ts_mult(ps->prec, v);
	if (v > LP_TS_MAX / m || v < -LP_TS_MAX / m)
		return perr(ps, s, "timestamp out of range");
	pt->ts = v * m;
	pt->has_ts = 1;
	ps->p = e;
	return 0;
}

/*
 * The whole line into pt. Returns 1 for a point, 0 for a comment, -1 for
 * a bad line (ps->what, ps->col).
 */
static int
parse_line(struct lp_parser *ps, struct lp_point *pt)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t'))
		ps->p++;
	if (ps->p < ps->end && *ps->p == '#')
		return 0;
	pt->host = NULL;
	pt->ntags = pt->nfields = 0;
	pt->has_ts = 0;
	if (parse_measurement(ps, pt) == -1)
		return -1;
	while (ps->p < ps->end && *ps->p == ',')
		if (parse_tag(ps, pt) == -1)
			return -1;
	skip_spaces(ps);
	if (ps->p == ps->end)
		return perr(ps, ps->p, "missing fields");
	for (;;) {
		if (parse_field(ps, pt) == -1)
			return -1;
		if (ps->p == ps->end || *ps->p != ',')
			break;
		ps->p++;
	}
	skip_spaces(ps);
	if (ps->p < ps->end && parse_timestamp(ps, pt) == -1)
		return -1;
	skip_spaces(ps);
	if (ps->p < ps->end)
		return perr(ps, ps->p, "trailing garbage");
	return 1;
}

static void
parser_init(struct lp_parser *ps, const char *line, size_t len, struct lp_state *st,
    enum aiops_time_unit prec)
{
	ps->line = ps->p = line;
	ps->end = line + len;
	ps->unesc = NULL;
	ps->prec = prec;
	ps->what = NULL;
	ps->col = 0;
	if (st == NULL)
		return;
	/* Unescaped text is never longer than the line (plus a NUL per token). */
	if (memchr(line, '\\', len) != NULL) {
		ps->unesc = &st->unesc;
		aiops_buf_reset(ps->unesc);
		aiops_buf_grow(ps->unesc, 2 * len + 1);
	}
}

/* "m f=1,f=2": the last one wins, as when InfluxDB merges a point. */
static int
shadowed(const struct lp_point *pt, size_t i)
{
	size_t j;

	for (j = i + 1; j < pt->nfields; j++)
		if (same_key(pt->fields[i].key, pt->fields[i].klen,
		    pt->fields[j].key, pt->fields[j].klen))
			return 1;
	return 0;
}

static void
emit(struct lp_state *st, struct aiops_ingest *ing, struct lp_point *pt)
{
	struct aiops_metric m;
	size_t i, base;
	int64_t ts = pt->has_ts ? pt->ts : aiops_ingest_now(ing);
	const char *source = aiops_ingest_source(ing, "influx");

	aiops_buf_reset(&st->name);
	aiops_buf_add(&st->name, pt->meas, pt->mlen);
	aiops_buf_addc(&st->name, '_');
	base = st->name.len;
	for (i = 0; i < pt->nfields; i++) {
		if (shadowed(pt, i))
			continue;
		st->name.len = base;
		aiops_buf_add(&st->name, pt->fields[i].key, pt->fields[i].klen);
		memset(&m, 0, sizeof(m));
		m.ts = ts;
		m.name = st->name.data;
		m.nlen = st->name.len;
		m.value = pt->fields[i].value;
		m.host = pt->host;
		m.hlen = pt->hlen;
		m.source = source;
		m.labels = pt->tags;
		m.nlabels = pt->ntags;
		/* A store failure sets ing->store_failed; the caller stops on it. */
		(void)aiops_ingest_metric(ing, &m);
	}
}

static int
influx_line(void *arg, struct aiops_ingest *ing, const char *line, size_t len)
{
	struct lp_state *st = arg;
	struct lp_parser ps;
	struct lp_point pt;
	int rc;

	parser_init(&ps, line, len, st, ing->opts->precision);
	rc = parse_line(&ps, &pt);
	if (rc == -1)
		return aiops_ingest_error(ing, "%s at column %zu", ps.what, ps.col);
	if (rc == 1)
		emit(st, ing, &pt);
	return 0;
}

/*
 * 80 for a valid point, 40 when the "measurement" has an '=' (more likely
 * logfmt "a=1 b=2" than line protocol), else 0; a comment too: "#" starts
 * lines of other formats (Prometheus counts them), and a file of line
 * protocol has points to tell it by.
 */
static int
sniff(const char *line, size_t len)
{
	struct lp_parser ps;
	struct lp_point pt;
	int rc;

	parser_init(&ps, line, len, NULL, AIOPS_TU_NS);
	rc = parse_line(&ps, &pt);
	if (rc <= 0)
		return 0;
	return memchr(pt.meas, '=', pt.mlen) != NULL ? 40 : 80;
}

static void *
influx_start(struct aiops_ingest *ing)
{
	struct lp_state *st = xcalloc(1, sizeof(*st));

	AIOPS_UNUSED(ing);
	aiops_buf_init(&st->unesc);
	aiops_buf_init(&st->name);
	return st;
}

static void
influx_free(void *arg)
{
	struct lp_state *st = arg;

	if (st == NULL)
		return;
	aiops_buf_release(&st->unesc);
	aiops_buf_release(&st->name);
	free(st);
}

const struct aiops_format aiops_format_influx = {
	.name = "influx",
	.desc = "InfluxDB line protocol: measurement_field metrics, tags as labels",
	.sniff = sniff,
	.start = influx_start,
	.line = influx_line,
	.free = influx_free,
};
