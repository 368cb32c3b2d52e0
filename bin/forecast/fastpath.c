/*
 * fastpath.c: metric events of the common shape read without jansson.
 *
 * Why: a forecast of hundreds of series reads hundreds of thousands of
 * points, and parsing each line into a jansson tree cost three times all
 * the rest of the run (bench/m4's 397,440 lines: 1.3 s of CPU, of which
 * jansson 63%). A metric event as aiops-ingest writes it is a flat object
 * of plain strings and numbers and one flat object of labels; such a line
 * is read here in a tenth of the time. Any other line (an escape or a
 * byte past ASCII in a string, a nested value, a number ts, a repeated
 * key or label, another type, something malformed) is left to the jansson reader
 * (aiops_evread_metric()), which decides and says what is wrong: the
 * points read here are exactly those it would read.
 */
#include "compat.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/timeutil.h"
#include "forecast.h"

struct cursor {
	char		*p, *e;		/* in a copy of the line, NUL-terminated */
};

static void
blanks(struct cursor *c)
{
	while (c->p < c->e && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n'))
		c->p++;
}

static int
expect(struct cursor *c, char ch)
{
	blanks(c);
	if (c->p >= c->e || *c->p != ch)
		return -1;
	c->p++;
	return 0;
}

/* A string of printable ASCII without escapes; NUL-terminated in place. */
static int
string(struct cursor *c, const char **s, size_t *n)
{
	char *q;

	if (expect(c, '"') == -1)
		return -1;
	for (q = c->p; q < c->e && *q != '"'; q++)
		if ((unsigned char)*q < 0x20 || (unsigned char)*q >= 0x7f || *q == '\\')
			return -1;
	if (q >= c->e)
		return -1;
	*s = c->p;
	*n = (size_t)(q - c->p);
	*q = '\0';
	c->p = q + 1;
	return 0;
}

static size_t
digits(const char *p, const char *e)
{
	const char *q = p;

	while (q < e && *q >= '0' && *q <= '9')
		q++;
	return (size_t)(q - p);
}

/*
 * A JSON number (RFC 8259 grammar) as jansson reads it: an integer of
 * more than 18 digits (which jansson may refuse as too big) or a real
 * that overflows (which it refuses) is left to it.
 */
static int
number(struct cursor *c, double *v)
{
	char *start, *p, saved;
	size_t nd;
	int integer = 1;

	blanks(c);
	start = p = c->p;
	if (p < c->e && *p == '-')
		p++;
	if ((nd = digits(p, c->e)) == 0 || (p[0] == '0' && nd > 1))
		return -1;
	p += nd;
	if (p < c->e && *p == '.') {
		integer = 0;
		if ((nd = digits(++p, c->e)) == 0)
			return -1;
		p += nd;
	}
	if (p < c->e && (*p == 'e' || *p == 'E')) {
		integer = 0;
		if (++p < c->e && (*p == '+' || *p == '-'))
			p++;
		if ((nd = digits(p, c->e)) == 0)
			return -1;
		p += nd;
	}
	if (integer && p - start > 18)
		return -1;
	saved = *p;
	*p = '\0';
	*v = strtod(start, NULL);
	*p = saved;
	if (!isfinite(*v))
		return -1;
	if (integer && *v == 0)
		*v = 0;		/* jansson's integer -0 is 0 */
	c->p = p;
	return 0;
}

/* A value of a key not read: a plain string, a number, true, false or null. */
static int
skip_value(struct cursor *c)
{
	static const char *const words[] = { "true", "false", "null" };
	const char *s;
	size_t n, i;
	double v;

	blanks(c);
	if (c->p < c->e && *c->p == '"')
		return string(c, &s, &n);
	for (i = 0; i < 3; i++) {
		n = strlen(words[i]);
		if ((size_t)(c->e - c->p) >= n && memcmp(c->p, words[i], n) == 0) {
			c->p += n;
			return 0;
		}
	}
	return number(c, &v);
}

static int
labels(struct cursor *c, struct aiops_metric *m)
{
	const char *k, *v;
	size_t kn, vn;

	if (expect(c, '{') == -1)
		return -1;
	blanks(c);
	if (c->p < c->e && *c->p == '}') {
		c->p++;
		return 0;
	}
	for (;;) {
		if (string(c, &k, &kn) == -1 || expect(c, ':') == -1 ||
		    string(c, &v, &vn) == -1 || m->nlabels == AIOPS_MAX_LABELS)
			return -1;
		m->labels[m->nlabels].key = k;
		m->labels[m->nlabels].klen = kn;
		m->labels[m->nlabels].val = v;
		m->labels[m->nlabels++].vlen = vn;
		blanks(c);
		if (c->p < c->e && *c->p == ',') {
			c->p++;
			continue;
		}
		return expect(c, '}');
	}
}

enum { K_TYPE, K_TS, K_NAME, K_VALUE, K_HOST, K_CLUSTER, K_SOURCE, K_UNIT, K_MTYPE, K_LABELS,
	K_N };
static const char *const keys[K_N] = {
	"type", "ts", "name", "value", "host", "cluster", "source", "unit", "metric_type", "labels",
};

static const size_t key_len[K_N] = { 4, 2, 4, 5, 4, 7, 6, 4, 11, 6 };

static int
key_index(const char *k, size_t n)
{
	int i;

	for (i = 0; i < K_N; i++)
		if (key_len[i] == n && k[0] == keys[i][0] && memcmp(keys[i], k, n) == 0)
			return i;
	return -1;
}

/* One member: a key this reads, into m, or another, skipped. */
static int
member(struct cursor *c, struct aiops_metric *m, unsigned *seen)
{
	const char *k, *s = NULL;
	size_t kn, sn = 0;
	int i;

	if (string(c, &k, &kn) == -1 || expect(c, ':') == -1)
		return -1;
	if ((i = key_index(k, kn)) == -1)
		return skip_value(c);
	if (*seen & (1u << i))
		return -1;		/* jansson keeps the last: let it */
	*seen |= 1u << i;
	if (i == K_VALUE)
		return number(c, &m->value);
	if (i == K_LABELS)
		return labels(c, m);
	if (string(c, &s, &sn) == -1)
		return -1;
	switch (i) {
	case K_TYPE:
		return sn == 6 && memcmp(s, "metric", 6) == 0 ? 0 : -1;
	case K_TS:
		return aiops_time_parse(s, sn, &m->ts);
	case K_NAME:
		m->name = s;
		m->nlen = sn;
		return sn > 0 ? 0 : -1;
	case K_HOST:
		m->host = s;
		m->hlen = sn;
		return 0;
	case K_CLUSTER:
		m->cluster = s;
		return 0;
	case K_SOURCE:
		m->source = s;
		return 0;
	case K_UNIT:
		m->unit = s;
		return 0;
	default:
		m->metric_type = s;
		return 0;
	}
}

int
forecast_fast_metric(struct aiops_buf *copy, const char *line, size_t len,
    struct aiops_metric *m, struct aiops_label *lab)
{
	const unsigned need = 1u << K_TYPE | 1u << K_TS | 1u << K_NAME | 1u << K_VALUE;
	struct cursor c;
	unsigned seen = 0;
	size_t i;

	aiops_buf_reset(copy);
	aiops_buf_add(copy, line, len);
	c.p = copy->data;
	c.e = copy->data + copy->len;
	memset(m, 0, sizeof(*m));
	m->labels = lab;
	if (expect(&c, '{') == -1)
		return -1;
	for (;;) {
		if (member(&c, m, &seen) == -1)
			return -1;
		blanks(&c);
		if (c.p < c.e && *c.p == ',') {
			c.p++;
			continue;
		}
		if (expect(&c, '}') == -1)
			return -1;
		break;
	}
	blanks(&c);
	if (c.p != c.e || (seen & need) != need)
		return -1;
	aiops_labels_sort(lab, m->nlabels);
	/* A label named twice: jansson keeps one, and decides which. */
	for (i = 1; i < m->nlabels; i++)
		if (lab[i].klen == lab[i - 1].klen &&
		    memcmp(lab[i].key, lab[i - 1].key, lab[i].klen) == 0)
			return -1;
	return 0;
}
