/*
 * nvsmi.c: nvidia-smi --query-gpu=... --format=csv[,nounits] output.
 *
 *   index, name, utilization.gpu [%], memory.used [MiB], temperature.gpu
 *   0, NVIDIA A100-SXM4-40GB, 45 %, 30000 MiB, 61
 *
 * The header names the columns, so it is required: "noheader" output
 * cannot be read (each such line is reported). A header line met again
 * later (outputs concatenated) replaces the first.
 *
 * Each row gives one metric per numeric column, nvidia_smi_<field> with
 * dots as '_', its unit from the header's brackets or the value's suffix,
 * labelled gpu (index), gpu_name (name), pci_bus_id and uuid when those
 * columns exist; and one "gpu" event with the usual figures (the
 * GPU_UPDATE of the source design). "[N/A]", "[Not Supported]" and other
 * bracketed values are left out. A column whose header has a unit, or a
 * temperature, ECC or PCIe link column, must hold a number; other
 * non-numeric columns (driver_version, pstate...) are not metrics.
 *
 * The timestamp column ("2026/11/15 00:00:00.000") is in the GPU host's
 * local time with no zone: it is taken as UTC. Without it, rows take the
 * clock's time.
 */
#include "compat.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event/event.h"
#include "ingest/ingest.h"
#include "core/numparse.h"
#include "json/jw.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

#define FMTNAME		"nvsmi"
#define NV_MAXCOLS	128
#define NV_PREFIX	"nvidia_smi_"
#define NV_MAXTIME	64

enum role { R_METRIC, R_INDEX, R_NAME, R_UUID, R_BUSID, R_TIME, R_STRING };

struct col {
	char		*field;		/* "utilization.gpu" */
	char		*metric;	/* "nvidia_smi_utilization_gpu" */
	char		*unit;		/* from the header's brackets, or NULL */
	enum role	 role;
	int		 numeric;	/* must hold a number */
};

struct nvsmi {
	struct col	 cols[NV_MAXCOLS];
	size_t		 ncols;
};

struct cell {
	const char	*s;
	size_t		 n;
};

/* One parsed row, checked, ready to emit. */
struct row {
	int64_t			 ts;
	struct aiops_label	 labels[4];
	size_t			 nlabels;
	double			 value[NV_MAXCOLS];
	const char		*unit[NV_MAXCOLS];	/* NUL-terminated, or NULL */
	char			 unitbuf[NV_MAXCOLS][16];
	unsigned char		 has[NV_MAXCOLS];
	struct cell		 index;
};

static const struct { const char *field; enum role role; } roles[] = {
	{ "index", R_INDEX }, { "name", R_NAME }, { "gpu_name", R_NAME },
	{ "uuid", R_UUID }, { "gpu_uuid", R_UUID }, { "pci.bus_id", R_BUSID },
	{ "gpu_bus_id", R_BUSID }, { "timestamp", R_TIME },
	{ "driver_version", R_STRING }, { "vbios_version", R_STRING },
	{ "serial", R_STRING },
};
/* Prefixes (or whole names) of the unit-less columns that are numbers. */
static const char *const numeric_prefixes[] = {
	"temperature.", "ecc.errors.", "pcie.link.gen.", "pcie.link.width.", "count",
};
static const char *const string_prefixes[] = { "pci.", "inforom." };

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && isspace((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

/* Splits at commas; -1 when there are more than NV_MAXCOLS fields. */
static int
split(const char *line, size_t len, struct cell *c, size_t *nc)
{
	size_t i, start = 0;

	*nc = 0;
	for (i = 0; i <= len; i++) {
		if (i < len && line[i] != ',')
			continue;
		if (*nc == NV_MAXCOLS)
			return -1;
		c[*nc].s = line + start;
		c[*nc].n = i - start;
		trim(&c[*nc].s, &c[*nc].n);
		(*nc)++;
		start = i + 1;
	}
	return 0;
}

/*
 * A header cell: a query name ([a-z][a-z0-9_.]*), then optionally a
 * unit in brackets. Sets the name and unit spans; -1 when not one.
 */
static int
header_cell(const struct cell *c, struct cell *name, struct cell *unit)
{
	size_t i = 0;

	if (c->n == 0 || !islower((unsigned char)c->s[0]))
		return -1;
	while (i < c->n && (islower((unsigned char)c->s[i]) ||
	    isdigit((unsigned char)c->s[i]) || c->s[i] == '_' || c->s[i] == '.'))
		i++;
	name->s = c->s;
	name->n = i;
	unit->s = NULL;
	unit->n = 0;
	if (i == c->n)
		return 0;
	while (i < c->n && c->s[i] == ' ')
		i++;
	if (i + 2 >= c->n || c->s[i] != '[' || c->s[c->n - 1] != ']')
		return -1;
	unit->s = c->s + i + 1;
	unit->n = c->n - i - 2;
	if (unit->n == 0 || memchr(unit->s, ']', unit->n) != NULL ||
	    memchr(unit->s, '[', unit->n) != NULL)
		return -1;
	return 0;
}

static int
is_header(const char *line, size_t len)
{
	struct cell c[NV_MAXCOLS], name, unit;
	size_t i, nc;

	if (split(line, len, c, &nc) == -1)
		return 0;
	for (i = 0; i < nc; i++)
		if (header_cell(&c[i], &name, &unit) == -1)
			return 0;
	return 1;
}

static int
has(const char *line, size_t len, const char *word)
{
	size_t wl = strlen(word), i;

	for (i = 0; i + wl <= len; i++)
		if (memcmp(line + i, word, wl) == 0)
			return 1;
	return 0;
}

static int
sniff(const char *line, size_t len)
{
	static const char *const words[] = {
		"utilization.gpu", "memory.used", "name, pci.bus_id",
		"temperature.gpu", "power.draw",
	};
	size_t i;

	for (i = 0; i < NELEM(words); i++)
		if (has(line, len, words[i]))
			return is_header(line, len) ? 95 : 0;
	return 0;
}

static int
starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void
classify(struct col *c)
{
	size_t i;

	c->role = R_METRIC;
	for (i = 0; i < NELEM(roles); i++)
		if (strcmp(c->field, roles[i].field) == 0)
			c->role = roles[i].role;
	for (i = 0; i < NELEM(string_prefixes); i++)
		if (c->role == R_METRIC && starts(c->field, string_prefixes[i]))
			c->role = R_STRING;
	c->numeric = c->role == R_METRIC && c->unit != NULL;
	for (i = 0; i < NELEM(numeric_prefixes); i++)
		if (c->role == R_METRIC && starts(c->field, numeric_prefixes[i]))
			c->numeric = 1;
}

static void
clear_header(struct nvsmi *st)
{
	size_t i;

	for (i = 0; i < st->ncols; i++) {
		free(st->cols[i].field);
		free(st->cols[i].metric);
		free(st->cols[i].unit);
	}
	memset(st, 0, sizeof(*st));
}

static void
set_header(struct nvsmi *st, const char *line, size_t len)
{
	struct cell c[NV_MAXCOLS], name, unit;
	size_t i, j, nc;

	clear_header(st);
	(void)split(line, len, c, &nc);
	for (i = 0; i < nc; i++) {
		struct col *col = &st->cols[i];

		(void)header_cell(&c[i], &name, &unit);
		col->field = xstrndup(name.s, name.n);
		col->metric = xmalloc(strlen(NV_PREFIX) + name.n + 1);
		memcpy(col->metric, NV_PREFIX, strlen(NV_PREFIX));
		for (j = 0; j < name.n; j++)
			col->metric[strlen(NV_PREFIX) + j] = name.s[j] == '.' ? '_' : name.s[j];
		col->metric[strlen(NV_PREFIX) + name.n] = '\0';
		col->unit = unit.s != NULL ? xstrndup(unit.s, unit.n) : NULL;
		classify(col);
	}
	st->ncols = nc;
}

/* "[N/A]", "[Not Supported]", "[Unknown Error]"..., or a bare N/A. */
static int
not_available(const struct cell *c)
{
	if (c->n == 0)
		return 1;
	if (c->s[0] == '[' && c->s[c->n - 1] == ']')
		return 1;
	return c->n == 3 && memcmp(c->s, "N/A", 3) == 0;
}

/*
 * "250.00 W", "45 %", "61": a plain decimal number (no hex, no inf/nan),
 * then optionally a space and a unit. 0 ok, -1 not a number.
 */
static int
parse_value(const struct cell *c, double *v, struct cell *unit)
{
	size_t i = 0;

	if (i < c->n && (c->s[i] == '-' || c->s[i] == '+'))
		i++;
	if (i >= c->n || !isdigit((unsigned char)c->s[i]))
		return -1;
	while (i < c->n && (isdigit((unsigned char)c->s[i]) || c->s[i] == '.'))
		i++;
	if (aiops_parse_decimal(c->s, i, v) != 0)
		return -1;
	unit->s = NULL;
	unit->n = 0;
	if (i == c->n)
		return 0;
	if (c->s[i] != ' ')
		return -1;
	while (i < c->n && c->s[i] == ' ')
		i++;
	unit->s = c->s + i;
	unit->n = c->n - i;
	if (memchr(unit->s, ' ', unit->n) != NULL || memchr(unit->s, ',', unit->n) != NULL)
		return -1;
	return 0;
}

/*
 * "2026/11/15 00:00:00.000" (also with dashes): the GPU host's local
 * time, taken as UTC. The year is checked before the conversion so that
 * it cannot overflow int64 nanoseconds.
 */
static int
parse_stamp(const struct cell *c, int64_t *ts)
{
	char buf[NV_MAXTIME];
	size_t i;
	int y;

	if (c->n < 10 || c->n >= sizeof(buf))
		return -1;
	for (i = 0; i < c->n; i++)
		buf[i] = i < 10 && c->s[i] == '/' ? '-' : c->s[i];
	buf[c->n] = '\0';
	for (i = 0, y = 0; i < 4; i++) {
		if (!isdigit((unsigned char)buf[i]))
			return -1;
		y = y * 10 + (buf[i] - '0');
	}
	if (y < 1678 || y > 2261)
		return -1;
	return aiops_time_parse_rfc3339(buf, c->n, ts);
}

static int
find_col(const struct nvsmi *st, const char *field)
{
	size_t i;

	for (i = 0; i < st->ncols; i++)
		if (strcmp(st->cols[i].field, field) == 0)
			return (int)i;
	return -1;
}

/* A label of the row; the first column of a role wins. */
static void
row_label(struct row *r, const char *key, const struct cell *c)
{
	size_t i;

	for (i = 0; i < r->nlabels; i++)
		if (strcmp(r->labels[i].key, key) == 0)
			return;
	if (r->nlabels == NELEM(r->labels))
		return;
	r->labels[r->nlabels].key = key;
	r->labels[r->nlabels].klen = strlen(key);
	r->labels[r->nlabels].val = c->s;
	r->labels[r->nlabels].vlen = c->n;
	r->nlabels++;
}

static int
read_metric(struct aiops_ingest *ing, const struct col *col, const struct cell *c,
    struct row *r, size_t i)
{
	struct cell u;

	if (parse_value(c, &r->value[i], &u) == -1) {
		if (col->numeric)
			return aiops_ingest_error(ing, "%s: not a number", col->field);
		return 0;
	}
	r->unit[i] = col->unit;
	if (u.n > 0 && col->unit != NULL &&
	    (strlen(col->unit) != u.n || memcmp(col->unit, u.s, u.n) != 0))
		return aiops_ingest_error(ing, "%s: unit \"%.*s\" where the header says \"%s\"",
		    col->field, (int)(u.n < 16 ? u.n : 16), u.s, col->unit);
	if (u.n > 0 && col->unit == NULL) {
		if (u.n >= sizeof(r->unitbuf[i]))
			return aiops_ingest_error(ing, "%s: unit too long", col->field);
		memcpy(r->unitbuf[i], u.s, u.n);
		r->unitbuf[i][u.n] = '\0';
		r->unit[i] = r->unitbuf[i];
	}
	r->has[i] = 1;
	return 0;
}

static int
all_digits(const struct cell *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (!isdigit((unsigned char)c->s[i]))
			return 0;
	return c->n > 0;
}

static int
read_cell(struct aiops_ingest *ing, const struct col *col, const struct cell *c,
    struct row *r, size_t i)
{
	if (not_available(c))
		return 0;
	switch (col->role) {
	case R_INDEX:
		if (!all_digits(c) || c->n > 9)
			return aiops_ingest_error(ing, "index: not a GPU index");
		r->index = *c;
		row_label(r, "gpu", c);
		break;
	case R_NAME:
		row_label(r, "gpu_name", c);
		break;
	case R_UUID:
		row_label(r, "uuid", c);
		break;
	case R_BUSID:
		row_label(r, "pci_bus_id", c);
		break;
	case R_TIME:
		if (parse_stamp(c, &r->ts) == -1)
			return aiops_ingest_error(ing, "%s: not a time", col->field);
		break;
	case R_STRING:
		break;
	case R_METRIC:
		return read_metric(ing, col, c, r, i);
	}
	return 0;
}

static void
emit_metrics(struct aiops_ingest *ing, const struct nvsmi *st, struct row *r)
{
	struct aiops_metric m;
	size_t i;

	for (i = 0; i < st->ncols; i++) {
		if (!r->has[i])
			continue;
		memset(&m, 0, sizeof(m));
		m.ts = r->ts;
		m.name = st->cols[i].metric;
		m.nlen = strlen(m.name);
		m.value = r->value[i];
		m.unit = r->unit[i];
		m.source = aiops_ingest_source(ing, FMTNAME);
		m.labels = r->labels;
		m.nlabels = r->nlabels;
		/* A failed store is recorded in ing->store_failed. */
		(void)aiops_ingest_metric(ing, &m);
	}
}

/* The gpu event's figures: key, then the columns to take it from. */
static const struct {
	const char	*key;
	const char	*fields[3];
} gpu_fields[] = {
	{ "utilization_gpu", { "utilization.gpu" } },
	{ "utilization_memory", { "utilization.memory" } },
	{ "memory_used_mib", { "memory.used" } },
	{ "memory_total_mib", { "memory.total" } },
	{ "memory_free_mib", { "memory.free" } },
	{ "temperature_c", { "temperature.gpu" } },
	{ "power_w", { "power.draw", "power.draw.instant", "power.draw.average" } },
	{ "power_limit_w", { "power.limit", "enforced.power.limit" } },
	{ "fan_speed_pct", { "fan.speed" } },
	/* Uncorrected errors are the ones that need a reset (Xid 48). */
	{ "ecc_errors", { "ecc.errors.uncorrected.volatile.total",
	    "ecc.errors.uncorrected.aggregate.total" } },
	{ "ecc_errors_corrected", { "ecc.errors.corrected.volatile.total",
	    "ecc.errors.corrected.aggregate.total" } },
};

static void
gpu_label_field(struct aiops_jw *w, const struct row *r, const char *label, const char *key)
{
	size_t i;

	for (i = 0; i < r->nlabels; i++)
		if (strcmp(r->labels[i].key, label) == 0)
			aiops_jw_kstr(w, key, r->labels[i].val, r->labels[i].vlen);
}

static void
gpu_figures(struct aiops_jw *w, const struct nvsmi *st, const struct row *r)
{
	size_t i, j;
	int c;

	for (i = 0; i < NELEM(gpu_fields); i++) {
		for (j = 0; j < NELEM(gpu_fields[i].fields); j++) {
			if (gpu_fields[i].fields[j] == NULL)
				break;
			c = find_col(st, gpu_fields[i].fields[j]);
			if (c >= 0 && r->has[c]) {
				aiops_jw_knum(w, gpu_fields[i].key, r->value[c]);
				break;
			}
		}
	}
}

static void
emit_gpu(struct aiops_ingest *ing, const struct nvsmi *st, const struct row *r)
{
	struct aiops_event_head h;
	struct aiops_jw *w;
	int64_t idx = 0;
	size_t i;

	memset(&h, 0, sizeof(h));
	h.type = "gpu";
	h.ts = r->ts;
	h.source = aiops_ingest_source(ing, FMTNAME);
	h.labels = r->labels;
	h.nlabels = r->nlabels;
	w = aiops_ingest_begin(ing, &h);
	if (r->index.s != NULL) {
		for (i = 0; i < r->index.n; i++)
			idx = idx * 10 + (r->index.s[i] - '0');
		aiops_jw_kint(w, "index", idx);
	}
	gpu_label_field(w, r, "gpu_name", "name");
	gpu_label_field(w, r, "uuid", "uuid");
	gpu_label_field(w, r, "pci_bus_id", "pci_bus_id");
	gpu_figures(w, st, r);
	aiops_ingest_end(ing);
}

static int
nvsmi_line(void *arg, struct aiops_ingest *ing, const char *line, size_t len)
{
	struct nvsmi *st = arg;
	struct cell c[NV_MAXCOLS];
	struct row r;
	size_t i, nc;

	if (is_header(line, len)) {
		set_header(st, line, len);
		return 0;
	}
	if (st->ncols == 0)
		return aiops_ingest_error(ing, "no header line: nvidia-smi must run with "
		    "--format=csv or csv,nounits, not noheader");
	if (split(line, len, c, &nc) == -1)
		return aiops_ingest_error(ing, "more than %d fields", NV_MAXCOLS);
	if (nc != st->ncols)
		return aiops_ingest_error(ing, "%zu field%s where the header has %zu",
		    nc, nc == 1 ? "" : "s", st->ncols);
	memset(&r, 0, sizeof(r));
	r.ts = aiops_ingest_now(ing);
	for (i = 0; i < nc; i++)
		if (read_cell(ing, &st->cols[i], &c[i], &r, i) == -1)
			return -1;
	aiops_labels_sort(r.labels, r.nlabels);
	emit_metrics(ing, st, &r);
	emit_gpu(ing, st, &r);
	return 0;
}

static void *
nvsmi_start(struct aiops_ingest *ing)
{
	AIOPS_UNUSED(ing);
	return xcalloc(1, sizeof(struct nvsmi));
}

static void
nvsmi_free(void *arg)
{
	struct nvsmi *st = arg;

	if (st == NULL)
		return;
	clear_header(st);
	free(st);
}

const struct aiops_format aiops_format_nvsmi = {
	.name = "nvsmi",
	.desc = "nvidia-smi --query-gpu=... --format=csv[,nounits] (header required)",
	.sniff = sniff,
	.start = nvsmi_start,
	.line = nvsmi_line,
	.free = nvsmi_free,
	.header = 1,
};
