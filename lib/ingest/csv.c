/*
 * csv.c: CSV with a header line (RFC 4180 quoting), rows to metrics.
 *
 * Special columns, matched without regard to case, the first of each kind:
 * time (time, timestamp, ts, date, datetime: RFC 3339, "YYYY-MM-DD hh:mm:ss"
 * taken as UTC, a date, or an epoch number) and host (host, hostname, node,
 * instance). Then two shapes:
 *  - long: columns name (or metric) and value: a row is one metric, the
 *    other columns its labels (and unit its unit);
 *  - wide: every numeric column is a metric named after it, the others
 *    are labels. A column's kind is set by its first non-empty cell, so a
 *    series does not flip between label and metric from row to row.
 * A quoted field may span lines (RFC 4180 2.6): the lines of a record are
 * gathered, joined by '\n', until its quotes close. A quote that never
 * closes would take the rest of the input with it: a record is bounded
 * (--max-line, opts.max_record) and cut at the end of input, and either
 * way it is skipped and reported at the line where it started, with the
 * lines it took. Errors in a record of several lines name its first line.
 */
#include "compat.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include "core/buf.h"
#include "event/event.h"
#include "ingest/ingest.h"
#include "core/numparse.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

#define CSV_MAXCOLS	1024
#define CSV_MAXRECORD	(1024 * 1024)	/* when opts.max_record is 0 */

enum colkind { COL_UNSET, COL_LABEL, COL_VALUE };

struct column {
	char		*name;
	size_t		 len;
	enum colkind	 kind;
	/* The row being read: the kind once it is accepted, and the cell's value. */
	enum colkind	 next;
	double		 value;
	int		 has_value;
};

struct csv_state {
	struct column	*cols;
	size_t		 ncols;		/* 0 until the header is read */
	int		 time_col;	/* -1 when absent */
	int		 host_col;
	int		 name_col;	/* long shape: name, value and unit columns */
	int		 value_col;
	int		 unit_col;
	/* The fields of the current row: text holds them unquoted, by offset. */
	struct aiops_buf text;
	size_t		*off;
	size_t		*flen;
	size_t		 cap;
	/*
	 * A record whose quoted field goes on over the next lines: its lines
	 * so far, and where it and the open quote started. in_quote and
	 * fstart carry the scan (scan_quotes()) from one line to the next.
	 */
	struct aiops_buf rec;
	int		 pending;
	unsigned long	 rec_first;
	unsigned long	 rec_last;
	unsigned long	 quote_line;
	size_t		 quote_col;
	size_t		 rec_qcol;	/* of the quote that went on past the first line */
	int		 in_quote;
	int		 fstart;
};

static const char *const time_names[] = { "time", "timestamp", "ts", "date", "datetime", NULL };
static const char *const host_names[] = { "host", "hostname", "node", "instance", NULL };

static int
name_in(const char *s, size_t n, const char *const *names)
{
	size_t i;

	for (i = 0; names[i] != NULL; i++)
		if (strlen(names[i]) == n && strncasecmp(s, names[i], n) == 0)
			return 1;
	return 0;
}

/* ---- sniffing ---- */

/*
 * A column name that looks like one (letters, digits, _ . -), maybe quoted,
 * at s: the bytes it takes (0 when it is not one), its text in start, len.
 * Quoted, it may hold more ("CPU %", "mem used (MiB)"), but no control
 * character and no quote.
 */
static size_t
ident(const char *s, size_t n, size_t *start, size_t *len)
{
	size_t q = n > 0 && s[0] == '"', i = q;

	*start = i;
	if (i >= n || !(isalpha((unsigned char)s[i]) || s[i] == '_'))
		return 0;
	while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '.' ||
	    s[i] == '-' || (q && s[i] != '"' && (unsigned char)s[i] >= ' ')))
		i++;
	*len = i - *start;
	if (q && (i >= n || s[i++] != '"'))
		return 0;
	while (i < n && s[i] == ' ')
		i++;
	return i;
}

static int
sniff(const char *line, size_t len)
{
	size_t pos = len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	size_t n, start, ilen, nids = 0;
	int has_time = 0;

	for (;;) {
		while (pos < len && line[pos] == ' ')
			pos++;
		if ((n = ident(line + pos, len - pos, &start, &ilen)) == 0)
			return 0;
		has_time |= name_in(line + pos + start, ilen, time_names);
		nids++;
		pos += n;
		if (pos == len)
			break;
		if (line[pos] != ',')
			return 0;
		pos++;
	}
	return nids >= 2 && has_time ? 50 : 0;
}

/* ---- splitting ---- */

static void
add_field(struct csv_state *st, size_t n, size_t off, size_t len)
{
	if (n == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 16;
		st->off = xreallocarray(st->off, st->cap, sizeof(*st->off));
		st->flen = xreallocarray(st->flen, st->cap, sizeof(*st->flen));
	}
	st->off[n] = off;
	st->flen[n] = len;
}

/*
 * Where offset i of a record is: "column C", or in a record of several
 * lines "line L column C".
 */
static const char *
where(const struct csv_state *st, const char *rec, size_t i, char *buf, size_t n)
{
	unsigned long line = st->rec_first;
	size_t c = 1, j;

	for (j = i; j > 0 && rec[j - 1] != '\n'; j--)
		c++;
	for (; j > 0; j--)
		line += rec[j - 1] == '\n';
	if (st->pending)
		snprintf(buf, n, "line %lu column %zu", line, c);
	else
		snprintf(buf, n, "column %zu", c);
	return buf;
}

/* A quoted field from line[*pos] (the opening quote) into st->text. */
static int
quoted(struct csv_state *st, struct aiops_ingest *ing, const char *line, size_t len,
    size_t *pos)
{
	size_t open = *pos, i = *pos + 1;
	char at[64];

	for (;;) {
		if (i >= len)
			return aiops_ingest_error(ing, "unterminated quote at %s",
			    where(st, line, open, at, sizeof(at)));
		if (line[i] == '"') {
			if (i + 1 < len && line[i + 1] == '"') {
				aiops_buf_addc(&st->text, '"');
				i += 2;
				continue;
			}
			break;
		}
		aiops_buf_addc(&st->text, line[i++]);
	}
	i++;
	while (i < len && line[i] == ' ')
		i++;
	if (i < len && line[i] != ',')
		return aiops_ingest_error(ing, "unexpected '%c' after a closing quote at %s",
		    line[i], where(st, line, i, at, sizeof(at)));
	*pos = i;
	return 0;
}

/*
 * Splits line into st's fields (unquoted, spaces around unquoted ones
 * trimmed; see field()): their number, or -1.
 */
static ssize_t
split(struct csv_state *st, struct aiops_ingest *ing, const char *line, size_t len)
{
	size_t pos = 0, n = 0, start, end;

	aiops_buf_reset(&st->text);
	for (;;) {
		size_t off = st->text.len;

		while (pos < len && line[pos] == ' ')
			pos++;
		if (pos < len && line[pos] == '"') {
			if (quoted(st, ing, line, len, &pos) == -1)
				return -1;
		} else {
			for (start = pos; pos < len && line[pos] != ','; pos++)
				;
			for (end = pos; end > start && line[end - 1] == ' '; end--)
				;
			aiops_buf_add(&st->text, line + start, end - start);
		}
		add_field(st, n++, off, st->text.len - off);
		/* NUL-terminated too, for the unit (a C string in struct aiops_metric). */
		aiops_buf_addc(&st->text, '\0');
		if (pos >= len)
			return (ssize_t)n;
		pos++;	/* ',' */
	}
}

static const char *
field(const struct csv_state *st, size_t i, size_t *n)
{
	*n = st->flen[i];
	return st->text.data + st->off[i];
}

/* ---- the header ---- */

static int
find_col(const struct csv_state *st, const char *const *names)
{
	size_t i;

	for (i = 0; i < st->ncols; i++)
		if (name_in(st->cols[i].name, st->cols[i].len, names))
			return (int)i;
	return -1;
}

static void
free_cols(struct csv_state *st)
{
	size_t i;

	for (i = 0; i < st->ncols; i++)
		free(st->cols[i].name);
	free(st->cols);
	st->cols = NULL;
	st->ncols = 0;
}

static int
check_header(struct csv_state *st, struct aiops_ingest *ing, size_t n)
{
	size_t i, j, li, lj;
	const char *a, *b;

	if (n > CSV_MAXCOLS)
		return aiops_ingest_error(ing, "header: %zu columns, at most %d", n, CSV_MAXCOLS);
	for (i = 0; i < n; i++) {
		a = field(st, i, &li);
		if (li == 0)
			return aiops_ingest_error(ing, "header: column %zu has no name", i + 1);
		for (j = 0; j < i; j++) {
			b = field(st, j, &lj);
			if (li == lj && memcmp(a, b, li) == 0)
				return aiops_ingest_error(ing, "header: column \"%.*s\" appears twice",
				    (int)li, a);
		}
	}
	return 0;
}

static int
header(struct csv_state *st, struct aiops_ingest *ing, const char *line, size_t len)
{
	static const char *const name_names[] = { "name", "metric", NULL };
	static const char *const value_names[] = { "value", NULL };
	static const char *const unit_names[] = { "unit", NULL };
	ssize_t n;
	size_t i, fl;
	const char *f;

	/* Spreadsheets start their CSV with a byte order mark. */
	if (len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
		line += 3;
		len -= 3;
	}
	if ((n = split(st, ing, line, len)) == -1 || check_header(st, ing, (size_t)n) == -1)
		return -1;
	st->cols = xcalloc((size_t)n, sizeof(*st->cols));
	for (i = 0; i < (size_t)n; i++) {
		f = field(st, i, &fl);
		st->cols[i].name = xstrndup(f, fl);
		st->cols[i].len = fl;
	}
	st->ncols = (size_t)n;
	st->time_col = find_col(st, time_names);
	st->host_col = find_col(st, host_names);
	st->name_col = find_col(st, name_names);
	st->value_col = find_col(st, value_names);
	st->unit_col = -1;
	if (st->name_col == -1 || st->value_col == -1)
		st->name_col = st->value_col = -1;
	else
		st->unit_col = find_col(st, unit_names);
	return 0;
}

/* ---- rows ---- */

/* A plain decimal number (no hex, inf or nan) that a double holds. */
static int
number(const char *s, size_t n, double *v)
{
	return aiops_parse_decimal(s, n, v) == 0 ? 0 : -1;
}

/* A time cell: RFC 3339, "YYYY-MM-DD hh:mm:ss" (UTC), a date, or an epoch number. */
static int
cell_time(const char *s, size_t n, int64_t *ns)
{
	char buf[32];

	if (aiops_time_parse(s, n, ns) == 0)
		return 0;
	if (n != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	memcpy(buf, s, n);
	memcpy(buf + n, "T00:00:00Z", 11);
	return aiops_time_parse_rfc3339(buf, n + 10, ns);
}

static int
is_special(const struct csv_state *st, size_t i)
{
	int c = (int)i;

	return c == st->time_col || c == st->host_col || c == st->name_col ||
	    c == st->value_col || c == st->unit_col;
}

/* The parts of a row shared by all its metrics. */
struct row {
	struct aiops_metric	 m;
	struct aiops_label	 labels[AIOPS_MAX_LABELS];
};

static int
row_head(struct csv_state *st, struct aiops_ingest *ing, struct row *r)
{
	const char *f;
	size_t fl;

	memset(&r->m, 0, sizeof(r->m));
	r->m.source = "csv";
	r->m.ts = aiops_ingest_now(ing);
	if (st->time_col >= 0) {
		f = field(st, (size_t)st->time_col, &fl);
		if (cell_time(f, fl, &r->m.ts) == -1)
			return aiops_ingest_error(ing, "column %s: bad time \"%.*s\"",
			    st->cols[st->time_col].name, (int)(fl > 64 ? 64 : fl), f);
	}
	if (st->host_col >= 0) {
		f = field(st, (size_t)st->host_col, &fl);
		if (fl > 0) {
			r->m.host = f;
			r->m.hlen = fl;
		}
	}
	return 0;
}

static int
row_label(const struct csv_state *st, struct aiops_ingest *ing, struct row *r, size_t i)
{
	const char *f;
	size_t fl;

	f = field(st, i, &fl);
	if (fl == 0)
		return 0;
	if (r->m.nlabels == AIOPS_MAX_LABELS)
		return aiops_ingest_error(ing, "more than %d label columns", AIOPS_MAX_LABELS);
	r->labels[r->m.nlabels].key = st->cols[i].name;
	r->labels[r->m.nlabels].klen = st->cols[i].len;
	r->labels[r->m.nlabels].val = f;
	r->labels[r->m.nlabels].vlen = fl;
	r->m.nlabels++;
	return 0;
}

/* Long shape: one metric, name=row[name] value=row[value]. */
static int
long_row(struct csv_state *st, struct aiops_ingest *ing, struct row *r)
{
	const char *name, *val;
	size_t nl, vl, i;
	double v;

	name = field(st, (size_t)st->name_col, &nl);
	val = field(st, (size_t)st->value_col, &vl);
	if (nl == 0)
		return aiops_ingest_error(ing, "column %s is empty", st->cols[st->name_col].name);
	if (number(val, vl, &v) == -1)
		return aiops_ingest_error(ing, "column %s: \"%.*s\" is not a number",
		    st->cols[st->value_col].name, (int)(vl > 64 ? 64 : vl), val);
	r->m.labels = r->labels;
	for (i = 0; i < st->ncols; i++)
		if (!is_special(st, i) && row_label(st, ing, r, i) == -1)
			return -1;
	if (st->unit_col >= 0) {
		r->m.unit = field(st, (size_t)st->unit_col, &vl);
		if (vl == 0)
			r->m.unit = NULL;
	}
	r->m.name = name;
	r->m.nlen = nl;
	r->m.value = v;
	aiops_ingest_metric(ing, &r->m);
	return 0;
}

/*
 * Wide shape: checks every cell against its column's kind (set now for
 * columns seen empty so far), then writes a metric per value column.
 */
static int
wide_row(struct csv_state *st, struct aiops_ingest *ing, struct row *r)
{
	struct column *c;
	const char *f;
	size_t fl, i;

	for (i = 0; i < st->ncols; i++) {
		c = &st->cols[i];
		c->next = c->kind;
		c->has_value = 0;
		f = field(st, i, &fl);
		if (is_special(st, i) || fl == 0)
			continue;
		if (c->next == COL_UNSET)
			c->next = number(f, fl, &c->value) == 0 ? COL_VALUE : COL_LABEL;
		if (c->next == COL_VALUE && number(f, fl, &c->value) == -1)
			return aiops_ingest_error(ing, "column %s: \"%.*s\" is not a number",
			    c->name, (int)(fl > 64 ? 64 : fl), f);
		c->has_value = c->next == COL_VALUE;
	}
	r->m.labels = r->labels;
	for (i = 0; i < st->ncols; i++)
		if (st->cols[i].next == COL_LABEL && !is_special(st, i) &&
		    row_label(st, ing, r, i) == -1)
			return -1;
	for (i = 0; i < st->ncols; i++) {
		c = &st->cols[i];
		c->kind = c->next;
		if (!c->has_value)
			continue;
		r->m.name = c->name;
		r->m.nlen = c->len;
		r->m.value = c->value;
		aiops_ingest_metric(ing, &r->m);
	}
	return 0;
}

/* ---- the format ---- */

static void *
csv_start(struct aiops_ingest *ing)
{
	struct csv_state *st = xcalloc(1, sizeof(*st));

	AIOPS_UNUSED(ing);
	aiops_buf_init(&st->text);
	aiops_buf_init(&st->rec);
	st->time_col = st->host_col = st->name_col = st->value_col = st->unit_col = -1;
	return st;
}

static void
csv_free(void *arg)
{
	struct csv_state *st = arg;

	free_cols(st);
	aiops_buf_release(&st->text);
	aiops_buf_release(&st->rec);
	free(st->off);
	free(st->flen);
	free(st);
}

/* One whole record: the header, or a row. */
static int
record(struct csv_state *st, struct aiops_ingest *ing, const char *line, size_t len)
{
	struct row r;
	ssize_t n;

	if (st->ncols == 0)
		return header(st, ing, line, len);
	if ((n = split(st, ing, line, len)) == -1)
		return -1;
	if ((size_t)n != st->ncols)
		return aiops_ingest_error(ing, "expected %zu fields as in the header, got %zd",
		    st->ncols, n);
	if (row_head(st, ing, &r) == -1)
		return -1;
	if (st->name_col >= 0)
		return long_row(st, ing, &r);
	return wide_row(st, ing, &r);
}

/*
 * Follows the quotes over one line of a record (RFC 4180: a quote opens a
 * field only at its start, here after spaces too, as split() reads it;
 * "" within one is a quote). 1 when the line ends inside a quoted field.
 */
static int
scan_quotes(struct csv_state *st, struct aiops_ingest *ing, const char *line, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (st->in_quote) {
			if (line[i] != '"')
				continue;
			if (i + 1 < len && line[i + 1] == '"')
				i++;
			else
				st->in_quote = st->fstart = 0;
		} else if (line[i] == ',')
			st->fstart = 1;
		else if (line[i] == '"' && st->fstart) {
			st->in_quote = 1;
			st->fstart = 0;
			st->quote_line = ing->lineno;
			st->quote_col = i + 1;
		} else if (line[i] != ' ')
			st->fstart = 0;
	}
	return st->in_quote;
}

static void
rec_reset(struct csv_state *st)
{
	aiops_buf_reset(&st->rec);
	st->pending = 0;
	st->in_quote = 0;
}

/* A record of several lines, complete: read it, errors at its first line. */
static int
rec_done(struct csv_state *st, struct aiops_ingest *ing)
{
	int rc;

	rc = record(st, ing, st->rec.data, st->rec.len);
	/* Shown at -v: a stray quote that another one closes takes lines with it. */
	if (rc == 0)
		aiops_ingest_note(ing, "one record of lines %lu-%lu: the quoted field at line "
		    "%lu column %zu spans them", st->rec_first, st->rec_last, st->rec_first,
		    st->rec_qcol);
	if (rc == -1 && ing->errline == 0) {
		size_t n = strlen(ing->err);

		/* Say what joined the lines: often a stray quote. */
		snprintf(ing->err + n, sizeof(ing->err) - n, " (in the record of lines %lu-%lu "
		    "that the quote at line %lu column %zu opened)", st->rec_first, st->rec_last,
		    st->rec_first, st->rec_qcol);
		ing->errline = st->rec_first;
	}
	rec_reset(st);
	return rc;
}

static int
rec_cut(struct csv_state *st, struct aiops_ingest *ing, const char *why)
{
	aiops_ingest_error_at(ing, st->rec_first, "unterminated quote at line %lu column %zu: "
	    "%s (lines %lu-%lu skipped)", st->quote_line, st->quote_col, why,
	    st->rec_first, st->rec_last);
	rec_reset(st);
	return -1;
}

static int
csv_line(void *arg, struct aiops_ingest *ing, const char *line, size_t len)
{
	struct csv_state *st = arg;
	size_t max = ing->opts->max_record > 0 ? ing->opts->max_record : CSV_MAXRECORD;
	unsigned long l;

	if (!st->pending) {
		st->in_quote = 0;
		st->fstart = 1;
		/* Spreadsheets start their CSV with a byte order mark. */
		if (st->ncols == 0 && len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
			line += 3;
			len -= 3;
		}
		if (!scan_quotes(st, ing, line, len))
			return record(st, ing, line, len);
		st->pending = 1;
		st->rec_first = st->rec_last = ing->lineno;
		st->rec_qcol = st->quote_col;
		aiops_buf_add(&st->rec, line, len);
		return 0;
	}
	/*
	 * Blank lines never reach a format: within a field they were empty
	 * lines (one of spaces only loses its spaces).
	 */
	for (l = st->rec_last; l < ing->lineno; l++)
		aiops_buf_addc(&st->rec, '\n');
	aiops_buf_add(&st->rec, line, len);
	st->rec_last = ing->lineno;
	if (st->rec.len > max) {
		char why[64];

		snprintf(why, sizeof(why), "record longer than %zu bytes", max);
		return rec_cut(st, ing, why);
	}
	if (scan_quotes(st, ing, line, len))
		return 0;
	return rec_done(st, ing);
}

/* A quote still open at the end of the input. */
static int
csv_finish(void *arg, struct aiops_ingest *ing)
{
	struct csv_state *st = arg;

	if (!st->pending)
		return 0;
	return rec_cut(st, ing, "the input ends inside the quoted field");
}

/* A record whose quoted field goes on over lines is held. */
static int
csv_held(const void *arg)
{
	const struct csv_state *st = arg;

	return st->pending;
}

const struct aiops_format aiops_format_csv = {
	.name = "csv",
	.desc = "CSV with a header: a metric per numeric column, or name,value rows",
	.sniff = sniff,
	.start = csv_start,
	.line = csv_line,
	.finish = csv_finish,
	.held = csv_held,
	.header = 1,
	.free = csv_free,
};
