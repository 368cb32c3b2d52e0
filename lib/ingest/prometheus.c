/*
 * prometheus.c: the Prometheus text exposition format 0.0.4 and
 * OpenMetrics 1.0 (exposition_formats.md, OpenMetrics.md).
 *
 * Every sample line is a metric event under its own name: a histogram
 * gives x_bucket (label le), x_sum and x_count; a summary x{quantile=..},
 * x_sum and x_count; OpenMetrics counters x_total. A label "host" is the
 * event's host; "instance" stays a label. # TYPE and # UNIT are kept per
 * family for the input, and go on every sample of the family as the
 * event's metric_type and unit: the children of a histogram (x_bucket,
 * x_sum, x_count, x_created) are "histogram", those of a summary
 * "summary", a counter's x_total and x_created "counter", as
 * Prometheus' own parser gives a sample its family's type. OpenMetrics
 * "unknown" is written "untyped", its other types (gaugehistogram,
 * stateset, info) as they are; a family without # TYPE has no
 * metric_type. # HELP is checked and dropped; exemplars are checked and
 * dropped.
 *
 * Rules where the two formats differ or say nothing:
 *   - Timestamps: 0.0.4 has integer milliseconds, OpenMetrics float
 *     seconds, and a line does not say which. A timestamp with a '.' or an
 *     exponent, or whose magnitude is below 1e11, is seconds (1e11 s is
 *     the year 5138, 1e11 ms is 1973); any other is milliseconds.
 *   - Non-finite values (NaN, +Inf, -Inf) make no event, and no error:
 *     JSON has no number for them, and a NaN gauge means "no data". Each
 *     is counted (ing->nonfinite, summed up at exit) and noted (-v).
 *   - "# EOF" ends the input: any line after it is bad. Without it the
 *     input is taken as 0.0.4, which has no end marker.
 *   - A label value escape other than \\ \" \n keeps its backslash, as
 *     Prometheus' own parser does.
 *   - Samples without a timestamp read within a second of the first such
 *     sample share its time, so that one scrape is one instant.
 *   - Prometheus 3's quoted names ({"http.requests", "http.status"="200"},
 *     # TYPE "http.requests" counter) are read, and {__name__="x"} names
 *     the metric x; the names are then made valid (event/promname.h), as
 *     Prometheus does with escaping=underscores.
 */
#include "compat.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/hmap.h"
#include "event/event.h"
#include "ingest/ingest.h"
#include "core/numparse.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

#define PROM_MAX_FAMILIES	65536	/* TYPE/UNIT remembered per input */
#define PROM_NUMBUF		64

enum prom_type {
	PT_UNTYPED, PT_COUNTER, PT_GAUGE, PT_HISTOGRAM, PT_SUMMARY,
	PT_GAUGEHISTOGRAM, PT_STATESET, PT_INFO, PT_UNKNOWN,
};

static const char *const type_names[] = {
	"untyped", "counter", "gauge", "histogram", "summary",
	"gaugehistogram", "stateset", "info", "unknown",
};

/* The metric_type of the events: aiops(7) says "untyped" for "unknown". */
static const char *const event_types[] = {
	"untyped", "counter", "gauge", "histogram", "summary",
	"gaugehistogram", "stateset", "info", "untyped",
};

/* Suffixes of the samples of a family (OpenMetrics.md, "Suffixes"). */
static const char *const suffixes[] = {
	"_total", "_created", "_bucket", "_sum", "_count", "_gcount", "_gsum", "_info",
};

struct prom_family {
	const char	*name;		/* the map's copy of the key */
	size_t		 nlen;
	enum prom_type	 type;
	int		 typed;		/* had a # TYPE line */
	char		*unit;		/* or NULL */
};

/* Per input: the families seen, # EOF, and scratch buffers. */
struct prom_state {
	struct aiops_hmap	 fam;		/* name -> struct prom_family */
	const struct prom_family *last;		/* family of the previous sample */
	int			 eof;
	int64_t			 scrape;	/* time of timestamp-less samples */
	struct aiops_buf	 unesc;
};

struct prom_sample {
	const char		*name;
	size_t			 nlen;
	const char		*host;
	size_t			 hlen;
	struct aiops_label	 labels[AIOPS_MAX_LABELS];
	size_t			 nlabels;
	double			 value;
	int			 braced;	/* had {...} */
	int			 has_ts;
	int64_t			 ts;
};

struct prom_parser {
	const char		*line;
	const char		*p;
	const char		*end;
	struct aiops_buf	*unesc;		/* NULL: leave escapes in (sniffing) */
	const char		*what;
	size_t			 col;
};

static int
perr(struct prom_parser *ps, const char *at, const char *what)
{
	ps->what = what;
	ps->col = (size_t)(at - ps->line) + 1;
	return -1;
}

static int
is_ws(char c)
{
	return c == ' ' || c == '\t';
}

static void
skip_ws(struct prom_parser *ps)
{
	while (ps->p < ps->end && is_ws(*ps->p))
		ps->p++;
}

static int
name_char(char c, int first, int colon)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
		return 1;
	if (colon && c == ':')
		return 1;
	return !first && c >= '0' && c <= '9';
}

/* A metric name [a-zA-Z_:][a-zA-Z0-9_:]* (colon 1) or label name (colon 0). */
static int
scan_name(struct prom_parser *ps, int colon, const char **s, size_t *n, const char *what)
{
	const char *p = ps->p;

	while (p < ps->end && name_char(*p, p == ps->p, colon))
		p++;
	if (p == ps->p)
		return perr(ps, p, what);
	*s = ps->p;
	*n = (size_t)(p - ps->p);
	ps->p = p;
	return 0;
}

/* ================================================================
 * Families: # TYPE and # UNIT by metric family name.
 */

static const struct prom_family *
family_find(struct prom_state *st, const char *name, size_t n)
{
	return aiops_hmap_get(&st->fam, name, n);
}

/*
 * The family of that name, added when new; NULL once PROM_MAX_FAMILIES
 * are known (their samples then just carry no unit).
 */
static struct prom_family *
family_get(struct prom_state *st, const char *name, size_t n)
{
	uint64_t h = aiops_hmap_hash(name, n);
	struct prom_family *f = aiops_hmap_get_h(&st->fam, name, n, h);

	if (f != NULL || st->fam.len >= PROM_MAX_FAMILIES)
		return f;
	f = xcalloc(1, sizeof(*f));
	f->type = PT_UNTYPED;
	f->nlen = n;
	f->name = aiops_hmap_put_h(&st->fam, name, n, h, f);
	return f;
}

/* Is name family f's name plus one of the suffixes? */
static int
suffixed(const struct prom_family *f, const char *name, size_t n)
{
	size_t i, sl;

	if (f == NULL || n <= f->nlen || memcmp(f->name, name, f->nlen) != 0)
		return 0;
	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		sl = strlen(suffixes[i]);
		if (n - f->nlen == sl && memcmp(name + f->nlen, suffixes[i], sl) == 0)
			return 1;
	}
	return 0;
}

/*
 * The family a sample belongs to: its own name, else its name less a
 * suffix. Families are contiguous, so the previous one is tried first.
 */
static const struct prom_family *
family_lookup(struct prom_state *st, const char *name, size_t n)
{
	const struct prom_family *f = st->last;
	size_t i, sl;

	if (st->fam.len == 0)
		return NULL;
	if (f != NULL && f->nlen == n && memcmp(f->name, name, n) == 0)
		return f;
	if ((f = family_find(st, name, n)) == NULL && suffixed(st->last, name, n))
		f = st->last;
	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]) && f == NULL; i++) {
		sl = strlen(suffixes[i]);
		if (n > sl && memcmp(name + n - sl, suffixes[i], sl) == 0)
			f = family_find(st, name, n - sl);
	}
	st->last = f;
	return f;
}

/* ================================================================
 * Numbers and time.
 */

/* Go's ParseFloat words: [+-](inf|infinity) and nan, in any case. */
static int
special_float(const char *s, size_t n, double *v)
{
	int neg = 0;

	if (n == 3 && strncasecmp(s, "nan", 3) == 0) {
		*v = NAN;
		return 1;
	}
	if (n > 0 && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		s++;
		n--;
	}
	if ((n == 3 && strncasecmp(s, "inf", 3) == 0) ||
	    (n == 8 && strncasecmp(s, "infinity", 8) == 0)) {
		*v = neg ? -INFINITY : INFINITY;
		return 1;
	}
	return 0;
}

/* A Go float; a value too large for a double is +-Inf, as in Go. */
static int
parse_float(const char *s, size_t n, double *v)
{
	if (special_float(s, n, v))
		return 0;
	return aiops_parse_decimal(s, n, v) == -1 ? -1 : 0;
}

/*
 * "1.520879607789e9" as the plain decimal "1520879607.789" in buf, so that
 * the time is exact, not rounded through a double. Returns the length, or
 * 0 when it does not fit. s has the syntax of aiops_decimal_syntax().
 */
static size_t
expand_exponent(const char *s, size_t n, char *buf, size_t bufsz)
{
	char dig[PROM_NUMBUF];
	size_t i = 0, nd = 0, o = 0, k;
	long point = -1, e = 0;
	int eneg = 0;

	if (s[i] == '+' || s[i] == '-')
		if (s[i++] == '-')
			buf[o++] = '-';
	for (; s[i] != 'e' && s[i] != 'E'; i++) {
		if (s[i] == '.')
			point = (long)nd;
		else if (nd < sizeof(dig))
			dig[nd++] = s[i];
		else
			return 0;
	}
	if (point < 0)
		point = (long)nd;
	if (++i < n && (s[i] == '+' || s[i] == '-'))
		eneg = s[i++] == '-';
	for (; i < n; i++)
		if ((e = e * 10 + (s[i] - '0')) > PROM_NUMBUF)
			return 0;
	point += eneg ? -e : e;
	/* Sign, "0.", the zeros the shift adds, the digits, and a NUL. */
	if (o + 3 + nd + (size_t)labs(point) >= bufsz)
		return 0;
	if (point <= 0) {
		buf[o++] = '0';
		buf[o++] = '.';
		for (; point < 0; point++)
			buf[o++] = '0';
		memcpy(buf + o, dig, nd);
		return o + nd;
	}
	for (k = 0; k < nd || (long)k < point; k++) {
		if ((long)k == point)
			buf[o++] = '.';
		buf[o++] = k < nd ? dig[k] : '0';
	}
	return o;
}

/* The rule of the header comment: seconds or milliseconds. */
static int
parse_timestamp(struct prom_parser *ps, const char *s, size_t n, int64_t *ns)
{
	enum aiops_time_unit u = AIOPS_TU_MS;
	char tmp[PROM_NUMBUF];
	const char *t = s, *p;
	size_t i;

	if (!aiops_decimal_syntax(s, n))
		return perr(ps, s, "bad timestamp");
	if (memchr(s, 'e', n) != NULL || memchr(s, 'E', n) != NULL) {
		if ((n = expand_exponent(s, n, tmp, sizeof(tmp))) == 0)
			return perr(ps, s, "timestamp out of range");
		t = tmp;
	}
	p = t;
	if (*p == '+' || *p == '-')
		p++;
	while (p < t + n && *p == '0')
		p++;
	for (i = 0; p + i < t + n && p[i] != '.'; i++)
		;
	if (p + i < t + n || i < 12)	/* a '.', or below 1e11 */
		u = AIOPS_TU_S;
	if (t == tmp)
		u = AIOPS_TU_S;
	if (aiops_time_from_epoch(t, n, u, ns) == -1)
		return perr(ps, s, "timestamp out of range");
	return 0;
}

/* ================================================================
 * Samples.
 */

/*
 * A quoted label value from its opening quote. Escapes \\ \" \n are
 * undone into the unescape buffer (sized for the whole line beforehand).
 */
static int
label_value(struct prom_parser *ps, const char **v, size_t *vlen)
{
	const char *q = ps->p, *p = q + 1, *e = ps->end;
	struct aiops_buf *b = ps->unesc;
	int bs = 0;

	for (; p < e && *p != '"'; p++)
		if (*p == '\\' && p + 1 < e) {
			bs = 1;
			p++;
		}
	if (p == e)
		return perr(ps, q, "unbalanced quotes");
	ps->p = p + 1;
	*v = q + 1;
	*vlen = (size_t)(p - q - 1);
	if (!bs || b == NULL)
		return 0;
	*v = b->data + b->len;
	for (p = q + 1; *p != '"'; p++) {
		if (*p == '\\' && (p[1] == '\\' || p[1] == '"' || p[1] == 'n')) {
			b->data[b->len++] = p[1] == 'n' ? '\n' : p[1];
			p++;
			continue;
		}
		if (*p == '\\')
			b->data[b->len++] = *p++;
		b->data[b->len++] = *p;
	}
	*vlen = (size_t)(b->data + b->len - *v);
	b->data[b->len++] = '\0';
	return 0;
}

static int
add_label(struct prom_parser *ps, struct prom_sample *sm, const char *at,
    const char *k, size_t klen, const char *v, size_t vlen)
{
	size_t i;

	if (klen == 4 && memcmp(k, "host", 4) == 0) {
		if (sm->host != NULL)
			return perr(ps, at, "duplicate label");
		sm->host = v;
		sm->hlen = vlen;
		return 0;
	}
	for (i = 0; i < sm->nlabels; i++)
		if (sm->labels[i].klen == klen && memcmp(sm->labels[i].key, k, klen) == 0)
			return perr(ps, at, "duplicate label");
	if (sm->nlabels == AIOPS_MAX_LABELS)
		return perr(ps, at, "too many labels");
	sm->labels[sm->nlabels].key = k;
	sm->labels[sm->nlabels].klen = klen;
	sm->labels[sm->nlabels].val = v;
	sm->labels[sm->nlabels].vlen = vlen;
	sm->nlabels++;
	return 0;
}

/*
 * {name="value",...} from the '{'; a trailing comma is allowed. With sm
 * NULL (an exemplar) the labels are only checked. Prometheus 3 may quote
 * a label name ({"http.status"="200"}) and put a quoted metric name first
 * in the braces ({"http.requests", code="200"}): sm->name is NULL then
 * until such a name is read.
 */
static int
parse_labels(struct prom_parser *ps, struct prom_sample *sm)
{
	const char *k, *v, *at;
	size_t klen, vlen;
	int first = 1;

	ps->p++;
	for (;; first = 0) {
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == '}')
			break;
		at = ps->p;
		if (ps->p < ps->end && *ps->p == '"') {
			if (label_value(ps, &k, &klen) == -1)
				return -1;
			if (klen == 0)
				return perr(ps, at, "empty quoted name");
			skip_ws(ps);
			if (first && sm != NULL && sm->name == NULL &&
			    (ps->p == ps->end || *ps->p != '=')) {
				sm->name = k;
				sm->nlen = klen;
				goto next;
			}
		} else if (scan_name(ps, 0, &k, &klen, "bad label name") == -1)
			return -1;
		skip_ws(ps);
		if (ps->p == ps->end || *ps->p != '=')
			return perr(ps, ps->p, "label without '='");
		ps->p++;
		skip_ws(ps);
		if (ps->p == ps->end || *ps->p != '"')
			return perr(ps, ps->p, "label value not quoted");
		if (label_value(ps, &v, &vlen) == -1)
			return -1;
		if (sm != NULL && add_label(ps, sm, at, k, klen, v, vlen) == -1)
			return -1;
next:
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p == ps->end || *ps->p != '}')
			return perr(ps, ps->p, "expected ',' or '}'");
	}
	ps->p++;
	return 0;
}

/* The next blank-separated token; its length is 0 at the end of line. */
static size_t
token(struct prom_parser *ps, const char **s)
{
	const char *p = ps->p;

	while (p < ps->end && !is_ws(*p))
		p++;
	*s = ps->p;
	ps->p = p;
	return (size_t)(p - *s);
}

/* "# {labels} value [timestamp]" after a sample: checked, dropped. */
static int
parse_exemplar(struct prom_parser *ps)
{
	const char *s;
	size_t n;
	double v;
	int64_t ts;

	ps->p++;
	skip_ws(ps);
	if (ps->p == ps->end || *ps->p != '{')
		return perr(ps, ps->p, "bad exemplar");
	if (parse_labels(ps, NULL) == -1)
		return -1;
	skip_ws(ps);
	if ((n = token(ps, &s)) == 0 || parse_float(s, n, &v) == -1)
		return perr(ps, s, "bad exemplar value");
	skip_ws(ps);
	if ((n = token(ps, &s)) > 0 && parse_timestamp(ps, s, n, &ts) == -1)
		return -1;
	return 0;
}

/*
 * A label __name__ is the metric's name, as in a PromQL selector
 * ({__name__="x"}): taken when the sample names none otherwise, else an
 * error. -1 too when the sample has no name at all.
 */
static int
dunder_name(struct prom_parser *ps, struct prom_sample *sm)
{
	size_t i;

	for (i = 0; i < sm->nlabels; i++) {
		if (sm->labels[i].klen != 8 || memcmp(sm->labels[i].key, "__name__", 8) != 0)
			continue;
		if (sm->name != NULL)
			return perr(ps, sm->labels[i].key, "metric name given twice");
		sm->name = sm->labels[i].val;
		sm->nlen = sm->labels[i].vlen;
		sm->labels[i] = sm->labels[--sm->nlabels];
		break;
	}
	if (sm->name == NULL || sm->nlen == 0)
		return perr(ps, ps->line, "no metric name");
	return 0;
}

/* name[{labels}] value [timestamp] [# exemplar]; or {"name",labels} value ... */
static int
parse_sample(struct prom_parser *ps, struct prom_sample *sm)
{
	const char *s;
	size_t n;

	sm->host = NULL;
	sm->nlabels = 0;
	sm->has_ts = 0;
	sm->name = NULL;
	if ((ps->p == ps->end || *ps->p != '{') &&
	    scan_name(ps, 1, &sm->name, &sm->nlen, "bad metric name") == -1)
		return -1;
	skip_ws(ps);
	sm->braced = ps->p < ps->end && *ps->p == '{';
	if (sm->braced && parse_labels(ps, sm) == -1)
		return -1;
	if (dunder_name(ps, sm) == -1)
		return -1;
	skip_ws(ps);
	if ((n = token(ps, &s)) == 0)
		return perr(ps, s, "missing value");
	if (parse_float(s, n, &sm->value) == -1)
		return perr(ps, s, "bad value");
	skip_ws(ps);
	if ((n = token(ps, &s)) > 0 && *s != '#') {
		if (parse_timestamp(ps, s, n, &sm->ts) == -1)
			return -1;
		sm->has_ts = 1;
		skip_ws(ps);
		n = token(ps, &s);
	}
	ps->p = s;
	if (n > 0 && *s == '#' && parse_exemplar(ps) == -1)
		return -1;
	skip_ws(ps);
	if (ps->p < ps->end)
		return perr(ps, ps->p, "trailing garbage");
	return 0;
}

/* ================================================================
 * Comment lines: # HELP, # TYPE, # UNIT, # EOF, and the others.
 */

enum prom_meta { PM_COMMENT, PM_HELP, PM_TYPE, PM_UNIT, PM_EOF };

struct prom_metaline {
	enum prom_meta	 kind;
	const char	*name;
	size_t		 nlen;
	enum prom_type	 type;
	const char	*unit;
	size_t		 ulen;
};

static enum prom_meta
meta_kind(const char *s, size_t n)
{
	if (n == 4 && memcmp(s, "HELP", 4) == 0)
		return PM_HELP;
	if (n == 4 && memcmp(s, "TYPE", 4) == 0)
		return PM_TYPE;
	if (n == 4 && memcmp(s, "UNIT", 4) == 0)
		return PM_UNIT;
	if (n == 3 && memcmp(s, "EOF", 3) == 0)
		return PM_EOF;
	return PM_COMMENT;
}

static int
parse_type(struct prom_parser *ps, struct prom_metaline *ml)
{
	const char *s;
	size_t n, i;

	if ((n = token(ps, &s)) == 0)
		return perr(ps, s, "missing metric type");
	for (i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (strlen(type_names[i]) == n && memcmp(type_names[i], s, n) == 0)
			break;
	if (i == sizeof(type_names) / sizeof(type_names[0]))
		return perr(ps, s, "unknown metric type");
	ml->type = (enum prom_type)i;
	return 0;
}

/*
 * A line starting with '#': # HELP name text, # TYPE name type,
 * # UNIT name unit, # EOF; anything else is a comment. The HELP text is
 * not kept, so its escapes are left alone.
 */
static int
parse_meta(struct prom_parser *ps, struct prom_metaline *ml)
{
	const char *s;
	size_t n;

	ml->kind = PM_COMMENT;
	ps->p++;
	if (ps->p == ps->end || !is_ws(*ps->p))
		return 0;
	skip_ws(ps);
	n = token(ps, &s);
	if ((ml->kind = meta_kind(s, n)) == PM_COMMENT)
		return 0;
	skip_ws(ps);
	if (ml->kind != PM_EOF) {
		if (ps->p < ps->end && *ps->p == '"') {
			if (label_value(ps, &ml->name, &ml->nlen) == -1)
				return -1;
		} else if (scan_name(ps, 1, &ml->name, &ml->nlen, "bad metric name") == -1)
			return -1;
		if (ps->p < ps->end && !is_ws(*ps->p))
			return perr(ps, ps->p, "bad metric name");
		skip_ws(ps);
	}
	switch (ml->kind) {
	case PM_HELP:
		return 0;
	case PM_TYPE:
		if (parse_type(ps, ml) == -1)
			return -1;
		break;
	case PM_UNIT:
		ml->ulen = token(ps, &ml->unit);
		break;
	default:
		break;
	}
	skip_ws(ps);
	if (ps->p < ps->end)
		return perr(ps, ps->p, "trailing garbage");
	return 0;
}

static void
apply_meta(struct prom_state *st, const struct prom_metaline *ml)
{
	struct prom_family *f;

	if (ml->kind == PM_EOF) {
		st->eof = 1;
		return;
	}
	if (ml->kind != PM_TYPE && ml->kind != PM_UNIT)
		return;
	if ((f = family_get(st, ml->name, ml->nlen)) == NULL)
		return;
	if (ml->kind == PM_TYPE) {
		f->type = ml->type;
		f->typed = 1;
		return;
	}
	free(f->unit);
	f->unit = ml->ulen > 0 ? xstrndup(ml->unit, ml->ulen) : NULL;
}

/* ================================================================
 * The format.
 */

static void
parser_init(struct prom_parser *ps, const char *line, size_t len, struct prom_state *st)
{
	ps->line = ps->p = line;
	ps->end = line + len;
	ps->unesc = NULL;
	ps->what = NULL;
	ps->col = 0;
	if (st == NULL)
		return;
	/* Unescaped values are never longer than the line (plus a NUL each). */
	if (memchr(line, '\\', len) != NULL) {
		ps->unesc = &st->unesc;
		aiops_buf_reset(ps->unesc);
		aiops_buf_grow(ps->unesc, 2 * len + 1);
	}
}

static int64_t
scrape_time(struct prom_state *st, struct aiops_ingest *ing)
{
	int64_t now = aiops_ingest_now(ing);

	if (st->scrape == 0 || now < st->scrape || now - st->scrape > AIOPS_NS_PER_SEC)
		st->scrape = now;
	return st->scrape;
}

static void
emit(struct prom_state *st, struct aiops_ingest *ing, struct prom_sample *sm)
{
	const struct prom_family *f = family_lookup(st, sm->name, sm->nlen);
	struct aiops_metric m;

	memset(&m, 0, sizeof(m));
	m.ts = sm->has_ts ? sm->ts : scrape_time(st, ing);
	m.name = sm->name;
	m.nlen = sm->nlen;
	m.value = sm->value;
	m.unit = f != NULL ? f->unit : NULL;
	m.metric_type = f != NULL && f->typed ? event_types[f->type] : NULL;
	m.host = sm->host;
	m.hlen = sm->hlen;
	m.source = aiops_ingest_source(ing, "prometheus");
	m.labels = sm->labels;
	m.nlabels = sm->nlabels;
	/* A store failure sets ing->store_failed; the caller stops on it. */
	(void)aiops_ingest_metric(ing, &m);
}

/* A NaN or infinite sample: counted and noted, never silently gone. */
static void
nonfinite(struct aiops_ingest *ing, const struct prom_sample *sm)
{
	const char *v = isnan(sm->value) ? "NaN" : sm->value > 0 ? "+Inf" : "-Inf";
	struct aiops_buf key;
	struct aiops_metric m;

	memset(&m, 0, sizeof(m));
	m.name = sm->name;
	m.nlen = sm->nlen;
	m.host = sm->host;
	m.hlen = sm->hlen;
	m.labels = (struct aiops_label *)sm->labels;
	m.nlabels = sm->nlabels;
	aiops_buf_init(&key);
	aiops_series_key(&key, &m);
	ing->nonfinite++;
	aiops_ingest_note(ing, "%s sample of %s not written: JSON has no number for it",
	    v, key.data);
	aiops_buf_release(&key);
}

static int
prom_line(void *arg, struct aiops_ingest *ing, const char *line, size_t len)
{
	struct prom_state *st = arg;
	struct prom_parser ps;
	struct prom_sample sm;
	struct prom_metaline ml;

	if (st->eof)
		return aiops_ingest_error(ing, "data after # EOF");
	parser_init(&ps, line, len, st);
	skip_ws(&ps);
	if (ps.p < ps.end && *ps.p == '#') {
		if (parse_meta(&ps, &ml) == -1)
			return aiops_ingest_error(ing, "%s at column %zu", ps.what, ps.col);
		apply_meta(st, &ml);
		return 0;
	}
	if (parse_sample(&ps, &sm) == -1)
		return aiops_ingest_error(ing, "%s at column %zu", ps.what, ps.col);
	if (isfinite(sm.value))
		emit(st, ing, &sm);
	else
		nonfinite(ing, &sm);
	return 0;
}

/*
 * # HELP/TYPE/UNIT/EOF 90 (40 when malformed: still ours, just broken),
 * name{...} value 60, name value 30, and a plain "# comment" 1: it
 * counts for us, not for line protocol (textfile collectors start files
 * with one), as much as for plain text, so the other lines decide.
 */
static int
sniff(const char *line, size_t len)
{
	struct prom_parser ps;
	struct prom_sample sm;
	struct prom_metaline ml;

	parser_init(&ps, line, len, NULL);
	skip_ws(&ps);
	if (ps.p < ps.end && *ps.p == '#') {
		if (parse_meta(&ps, &ml) == -1)
			return 40;
		return ml.kind == PM_COMMENT ? 1 : 90;
	}
	if (parse_sample(&ps, &sm) == -1)
		return 0;
	return sm.braced ? 60 : 30;
}

static void *
prom_start(struct aiops_ingest *ing)
{
	struct prom_state *st = xcalloc(1, sizeof(*st));

	AIOPS_UNUSED(ing);
	aiops_hmap_init(&st->fam);
	aiops_buf_init(&st->unesc);
	return st;
}

static void
family_free(void *arg)
{
	struct prom_family *f = arg;

	free(f->unit);
	free(f);
}

static void
prom_free(void *arg)
{
	struct prom_state *st = arg;

	if (st == NULL)
		return;
	aiops_hmap_release(&st->fam, family_free);
	aiops_buf_release(&st->unesc);
	free(st);
}

const struct aiops_format aiops_format_prometheus = {
	.name = "prometheus",
	.desc = "Prometheus text format 0.0.4 and OpenMetrics 1.0",
	.sniff = sniff,
	.start = prom_start,
	.line = prom_line,
	.free = prom_free,
};
