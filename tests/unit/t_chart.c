/*
 * t_chart - TAP unit tests for lib/forecast/chart.c: sparklines to the
 * byte, SVG well-formed for hostile titles, deterministic, and sane on
 * the edge cases (no panel, a constant series, gaps, one point, huge
 * values, nothing finite). tests/chart.bats renders the SVG and checks it
 * with a real XML parser.
 */
#include "compat.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/timeutil.h"
#include "core/utf8.h"
#include "forecast/chart.h"
#include "tap.h"
#include "trng.h"

#define HOUR	(3600 * AIOPS_NS_PER_SEC)
#define NOV22	(1795305600LL * AIOPS_NS_PER_SEC)	/* 2026-11-22T00:00:00Z */
#define MAXN	512

/* ---- sparklines ------------------------------------------------------ */

static const char *
spark(const double *hist, size_t nhist, const double *mean, size_t h, int width,
    int utf8)
{
	static struct aiops_buf b = AIOPS_BUF_INIT;
	struct aiops_chart_panel p = { 0 };

	p.hist = hist;
	p.nhist = nhist;
	p.mean = mean;
	p.h = h;
	aiops_buf_reset(&b);
	aiops_buf_addstr(&b, "");
	aiops_chart_spark(&b, &p, width, utf8);
	return b.data;
}

/* Characters, not bytes, of a UTF-8 string. */
static size_t
cells(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void
test_spark(void)
{
	double ramp[8] = { 0, 1, 2, 3, 4, 5, 6, 7 }, down[2] = { 7, 6 };
	double gh[4] = { 1, 2, NAN, 3 }, gm[2] = { NAN, 3 };
	double flat[3] = { 5, 5, 5 }, two[2] = { 4, 4 }, cyc[4] = { 0, 0, 8, 8 };
	double huge[2] = { -1e308, 1e308 }, zero[1] = { 0 }, inc[3] = { 1, 2, 3 };
	double long_h[100], long_f[48];
	size_t i;

	is_str(spark(ramp, 8, down, 2, 0, 1),
	    "\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588|\u2588\u2587",
	    "spark: a ramp in blocks, '|' before the forecast");
	is_str(spark(ramp, 8, down, 2, 0, 0), " .:-=+*#|#*", "spark: the same in ASCII");
	is_str(spark(gh, 4, gm, 2, 0, 1), "\u2581\u2585 \u2588| \u2588",
	    "spark: gaps are spaces, in history and forecast");
	is_str(spark(gh, 4, gm, 2, 0, 0), " = #| #", "spark: gaps in ASCII");
	is_str(spark(flat, 3, flat, 1, 0, 1), "\u2584\u2584\u2584|\u2584",
	    "spark: a constant series sits in the middle");
	is_str(spark(flat, 3, flat, 1, 0, 0), "---|-", "spark: constant in ASCII");
	is_str(spark(two, 2, cyc, 4, 5, 0), "==| #",
	    "spark: a long horizon is averaged into its half of the cells");
	is_str(spark(ramp, 2, NULL, 0, 0, 0), " #", "spark: no forecast, no '|'");
	is_str(spark(NULL, 0, inc, 3, 0, 0), " =#", "spark: no history, no '|'");
	is_str(spark(NULL, 0, NULL, 0, 0, 1), "", "spark: nothing gives nothing");
	is_str(spark(huge, 2, zero, 1, 0, 0), " #|=", "spark: huge values keep a scale");
	is_str(spark(ramp, 2, inc, 1, 1, 0), "-", "spark: width 1 keeps the forecast");
	for (i = 0; i < 100; i++)
		long_h[i] = (double)i;
	for (i = 0; i < 48; i++)
		long_f[i] = 100.0 + (double)i;
	is_int(cells(spark(long_h, 100, long_f, 48, 20, 1)), 20,
	    "spark: width counts every cell, '|' included");
	is_int(strlen(spark(long_h, 100, long_f, 48, 20, 1)), 19 * 3 + 1,
	    "spark: blocks are 3 bytes each");
	is_int(cells(spark(long_h, 100, long_f, 48, 0, 0)), 60, "spark: width 0 is 60");
	is_str(spark(long_h, 100, NULL, 0, 4, 0), " :+#",
	    "spark: the last history points are the ones shown");
}

/* ---- a small XML checker --------------------------------------------- */

/*
 * 1 when s is well-formed enough for the tests: valid UTF-8, no control
 * character but \n, every '&' an entity, no '<' in text or attribute
 * values, tags nested, one root. Not a parser: tests/chart.bats runs a
 * real one.
 */
static int
xml_ok(const char *s)
{
	const char *stack[64], *p = s, *e;
	size_t len[64], depth = 0, roots = 0, n;

	if (aiops_utf8_check(s, strlen(s)) != -1)
		return 0;
	for (; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 && *p != '\n')
			return 0;
		if (*p == '&') {
			if (strncmp(p, "&amp;", 5) && strncmp(p, "&lt;", 4) &&
			    strncmp(p, "&gt;", 4) && strncmp(p, "&quot;", 6) &&
			    strncmp(p, "&apos;", 6))
				return 0;
			continue;
		}
		if (*p != '<')
			continue;
		if (strncmp(p, "<?", 2) == 0) {
			if ((p = strstr(p, "?>")) == NULL)
				return 0;
			continue;
		}
		for (e = p + 1; *e != '\0' && *e != '>'; e++) {
			if (*e == '"') {
				for (e++; *e != '\0' && *e != '"'; e++)
					if (*e == '<')
						return 0;
				if (*e == '\0')
					return 0;
			} else if (*e == '<')
				return 0;
		}
		if (*e != '>')
			return 0;
		if (p[1] == '/') {
			n = strcspn(p + 2, " >");
			if (depth == 0 || len[depth - 1] != n ||
			    strncmp(stack[depth - 1], p + 2, n) != 0)
				return 0;
			depth--;
		} else if (e[-1] != '/') {
			if (depth == 64)
				return 0;
			if (depth == 0)
				roots++;
			stack[depth] = p + 1;
			len[depth++] = strcspn(p + 1, " />");
		} else if (depth == 0)
			roots++;
		p = e;
	}
	return depth == 0 && roots == 1;
}

static size_t
count(const char *s, const char *what)
{
	size_t n = 0;

	for (; (s = strstr(s, what)) != NULL; s++)
		n++;
	return n;
}

/* ---- SVG -------------------------------------------------------------- */

struct fix {
	double	 hist[MAXN], mean[MAXN], lo[MAXN], hi[MAXN];
	struct aiops_chart_panel p;
};

/* nhist points of f(i), h forecasts continuing it with a band of +-w. */
static struct aiops_chart_panel *
fixture(struct fix *x, size_t nhist, size_t h, double (*f)(size_t), double w)
{
	size_t i;

	memset(x, 0, sizeof(*x));
	for (i = 0; i < nhist; i++)
		x->hist[i] = f(i);
	for (i = 0; i < h; i++) {
		x->mean[i] = f(nhist + i);
		x->lo[i] = x->mean[i] - w;
		x->hi[i] = x->mean[i] + w;
	}
	x->p.title = "db-2 disk_used_percent{path=/var}";
	x->p.subtitle = "model linear";
	x->p.unit = "percent";
	x->p.t0 = NOV22;
	x->p.step = HOUR;
	x->p.hist = x->hist;
	x->p.nhist = nhist;
	x->p.mean = x->mean;
	x->p.lo = x->lo;
	x->p.hi = x->hi;
	x->p.h = h;
	x->p.eta = x->p.eta_lo = x->p.eta_hi = -1;
	return &x->p;
}

static double lin(size_t i) { return 50 + 0.5 * (double)i; }
static double flat(size_t i) { (void)i; return 42; }

static const char *
svg(const struct aiops_chart_panel *p, size_t n, int width)
{
	static struct aiops_buf b = AIOPS_BUF_INIT;

	aiops_buf_reset(&b);
	aiops_chart_svg(&b, p, n, width);
	return b.data;
}

/* No "nan" or "inf" ever reaches the page (titles in these tests have none). */
static int
numbers_ok(const char *s)
{
	return strstr(s, "nan") == NULL && strstr(s, "inf") == NULL &&
	    strstr(s, "NaN") == NULL && strstr(s, "-0.0 ") == NULL;
}

static void
test_hostile(void)
{
	struct fix x;
	struct aiops_chart_panel *p = fixture(&x, 48, 24, lin, 2);
	const char *s;

	p->title = "<script>alert(\"x\")</script> & 'q' ]]> \x01\x1b[31m \xff\xfe \xef\xbf\xbe";
	p->subtitle = "a&b<c";
	p->unit = "\"%\"";
	s = svg(p, 1, 0);
	ok(xml_ok(s), "svg: well-formed with a hostile title, subtitle and unit");
	ok(strstr(s, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; "
	    "&apos;q&apos; ]]&gt; ??[31m \xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd") != NULL,
	    "svg: < > & \" ' escaped, controls '?', bad bytes U+FFFD");
	ok(strstr(s, "a&amp;b&lt;c") != NULL, "svg: the subtitle escaped");
	ok(strstr(s, "<script") == NULL, "svg: no element comes from a title");
	ok(!xml_ok("<svg><text>a & b</text></svg>") && !xml_ok("<svg><g></svg>") &&
	    !xml_ok("<svg a=\"<\"/>") && xml_ok("<svg><g/><t>x&amp;y</t></svg>"),
	    "svg: the checker can fail");
}

static void
test_determinism(void)
{
	struct fix x;
	struct aiops_chart_panel *p = fixture(&x, 200, 48, lin, 3), q[3];
	struct aiops_buf a = AIOPS_BUF_INIT, b = AIOPS_BUF_INIT;

	p->has_threshold = 1;
	p->threshold = 90;
	p->eta = 30.2;
	p->eta_lo = 25;
	p->eta_hi = 41;
	q[0] = q[1] = q[2] = *p;
	aiops_chart_svg(&a, q, 3, 0);
	aiops_buf_addstr(&b, "prefix");
	aiops_buf_reset(&b);
	aiops_chart_svg(&b, q, 3, 0);
	ok(a.len == b.len && memcmp(a.data, b.data, a.len) == 0,
	    "svg: the same panels give the same bytes");
	ok(numbers_ok(a.data) && xml_ok(a.data), "svg: three panels well-formed");
	aiops_buf_release(&a);
	aiops_buf_release(&b);
}

/* The d of the first path drawn in colour c, or "". */
static const char *
path_of(const char *s, const char *c, char *out, size_t sz)
{
	char key[64];
	const char *p, *d, *e;

	snprintf(key, sizeof(key), "<path fill=\"none\" stroke=\"%s\"", c);
	out[0] = '\0';
	if ((p = strstr(s, key)) == NULL || (d = strstr(p, " d=\"")) == NULL ||
	    (e = strchr(d + 4, '"')) == NULL || (size_t)(e - d - 4) >= sz)
		return out;
	memcpy(out, d + 4, (size_t)(e - d - 4));
	out[e - d - 4] = '\0';
	return out;
}

static void
test_lines(void)
{
	static char hd[65536], fd[65536];
	struct fix x;
	struct aiops_chart_panel *p = fixture(&x, 10, 5, lin, 1);
	const char *s, *last;

	x.hist[4] = NAN;
	x.hist[7] = NAN;
	s = svg(p, 1, 0);
	path_of(s, "#1f5fa8", hd, sizeof(hd));
	path_of(s, "#e4690b", fd, sizeof(fd));
	is_int(count(hd, "M"), 3, "svg: two gaps break the history in three");
	last = strrchr(hd, 'L');
	ok(last != NULL && strncmp(fd + 1, last + 1, strlen(last + 1)) == 0,
	    "svg: the forecast starts where the history ends (%s / %.20s)",
	    last ? last : "", fd);
	is_int(count(s, "fill-opacity=\"0.22\""), 1, "svg: one interval band");
	ok(strstr(s, ">now</text>") != NULL, "svg: a now line");
	x.hist[8] = NAN;
	s = svg(p, 1, 0);
	ok(count(s, "<circle") == 0, "svg: the last point joins the forecast, no dot");
	x.hist[9] = NAN;
	x.hist[1] = NAN;
	s = svg(p, 1, 0);
	is_int(count(s, "<circle"), 1, "svg: a point alone is a dot");
}

static void
test_threshold(void)
{
	struct fix x;
	struct aiops_chart_panel *p = fixture(&x, 96, 120, lin, 2);
	const char *s;

	p->has_threshold = 1;
	p->threshold = 90;
	p->eta = 77;
	p->eta_lo = 60;
	p->eta_hi = 98.4;
	s = svg(p, 1, 0);
	ok(strstr(s, ">90 in 3.2 d (2.5 - 4.1)</text>") != NULL,
	    "svg: the crossing says when, with its interval");
	ok(strstr(s, "stroke-dasharray=\"6,4\"") != NULL && strstr(s, ">threshold 90 percent<"),
	    "svg: the threshold, dashed and labelled");
	p->eta_hi = -1;
	s = svg(p, 1, 0);
	ok(strstr(s, ">90 in 3.2 d (2.5 - later)</text>") != NULL,
	    "svg: a far edge that never crosses is 'later'");
	p->eta = 5;
	p->eta_lo = 4;
	p->eta_hi = 7.5;
	s = svg(p, 1, 0);
	ok(strstr(s, ">90 in 5.0 h (4.0 - 7.5)</text>") != NULL, "svg: hours when close");
	p->eta = p->eta_lo = p->eta_hi = 0;
	s = svg(p, 1, 0);
	ok(strstr(s, ">90 reached</text>") != NULL, "svg: a threshold already crossed");
	p->eta = -1;
	s = svg(p, 1, 0);
	ok(strstr(s, "<circle") == NULL && strstr(s, " in ") == NULL,
	    "svg: no crossing, no marker");
	ok(xml_ok(s) && numbers_ok(s), "svg: threshold panels well-formed");
}

/* Tick labels of a one-panel page: muted, right-aligned, 12 px. */
static size_t
yticks(const char *s)
{
	return count(s, "font-size=\"12\" fill=\"#666666\" text-anchor=\"end\">");
}

static void
test_yaxis(void)
{
	static const double ranges[][2] = { { 0, 100 }, { 4.3e9, 8e9 },
	    { 0.001, 0.0013 }, { -3, 7 }, { 1e12, 1e12 + 1 }, { 1e15, 1e15 + 1 }, { 42, 42 },
	    { 0, 0 }, { -1e308, 1e308 }, { 99.2, 99.9 } };
	struct fix x;
	struct aiops_chart_panel *p = fixture(&x, 2, 0, flat, 0);
	size_t i, n, bad = 0, k;
	const char *s;

	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		x.hist[0] = ranges[i][0];
		x.hist[1] = ranges[i][1];
		s = svg(p, 1, 0);
		n = yticks(s);
		ok(n >= 4 && n <= 6 && numbers_ok(s), "svg: %zu y ticks for %g to %g",
		    n, ranges[i][0], ranges[i][1]);
	}
	ok(strstr(s, ">99.4</text>") && strstr(s, ">99.6</text>"), "svg: round ticks (99.4, 99.6)");
	x.hist[0] = 1e12;
	x.hist[1] = 1e12 + 1;
	s = svg(p, 1, 0);
	ok(strstr(s, ">1000000000000.2</text>") && strstr(s, ">1000000000000.4</text>"),
	    "svg: ticks get the digits that tell them apart");
	rng = 7;
	for (k = 0; k < 300; k++) {
		double mag = pow(10, floor(urand() * 12) - 4);

		x.hist[0] = (urand() - 0.3) * mag;
		x.hist[1] = x.hist[0] + urand() * mag;
		n = yticks(svg(p, 1, 0));
		bad += n < 4 || n > 6;
	}
	is_int(bad, 0, "svg: 4 to 6 y ticks over 300 random ranges");
}

static void
test_xaxis(void)
{
	struct fix x;
	struct aiops_chart_panel *p = fixture(&x, 48, 24, lin, 1);
	const char *s = svg(p, 1, 0);

	ok(strstr(s, ">Nov 22</text>") && strstr(s, ">Nov 23</text>") &&
	    strstr(s, ">12:00</text>") && strstr(s, ">UTC</text>"),
	    "svg: 3 days of hours: ticks at midnight (the date) and noon");
	p->step = 300 * AIOPS_NS_PER_SEC;
	s = svg(p, 1, 0);
	ok(strstr(s, ">01:00</text>") && strstr(s, ">05:00</text>") &&
	    !strstr(s, ">01:05</text>"), "svg: 6 hours of 5-minute points: round times");
	p->step = 86400 * AIOPS_NS_PER_SEC;
	p->h = 2;
	p->t0 = aiops_days_from_civil(2020, 1, 1) * 86400 * AIOPS_NS_PER_SEC;
	s = svg(p, 1, 0);
	ok(strstr(s, ">Jan 6</text>") && strstr(s, ">Feb 3</text>"),
	    "svg: 50 days: weekly ticks on Mondays");
}

static void
test_edges(void)
{
	struct fix x;
	struct aiops_chart_panel *p = fixture(&x, 48, 24, lin, 1), q[9];
	const char *s;
	size_t i;

	s = svg(NULL, 0, 0);
	ok(xml_ok(s) && strstr(s, "no series to draw") && strstr(s, "height=\"60\""),
	    "svg: no panel is a short page that says so");
	fixture(&x, 100, 10, flat, 0);
	s = svg(p, 1, 0);
	ok(xml_ok(s) && numbers_ok(s) && strstr(s, ">42</text>"), "svg: a constant series");
	fixture(&x, 1, 0, flat, 0);
	s = svg(p, 1, 0);
	ok(xml_ok(s) && numbers_ok(s) && count(s, "<circle") == 1, "svg: a single point");
	fixture(&x, 20, 5, flat, 1);
	for (i = 0; i < 20; i++)
		x.hist[i] = NAN;
	x.mean[2] = INFINITY;
	s = svg(p, 1, 0);
	ok(xml_ok(s) && numbers_ok(s), "svg: nothing finite in the history");
	fixture(&x, 20, 5, lin, 1);
	x.hist[3] = 1e308;
	x.hist[4] = -1e308;
	x.hi[2] = DBL_MAX;
	s = svg(p, 1, 0);
	ok(xml_ok(s) && numbers_ok(s), "svg: huge values stay on the page");
	p->hist = NULL;
	p->lo = p->hi = NULL;
	s = svg(p, 1, 0);
	ok(xml_ok(s) && numbers_ok(s), "svg: a forecast without history or band");
	fixture(&x, 48, 24, lin, 1);
	for (i = 0; i < 9; i++)
		q[i] = *p;
	s = svg(q, 9, 0);
	ok(strstr(s, "width=\"900\" height=\"600\"") && strstr(s, "font-size=\"10\""),
	    "svg: 9 panels: 3 columns of small multiples, smaller text");
	s = svg(q, 5, 0);
	ok(strstr(s, "width=\"900\" height=\"720\""), "svg: 5 panels: 2 columns");
	s = svg(q, 3, 640);
	ok(strstr(s, "width=\"640\" height=\"900\""), "svg: 3 panels: one column, as wide as asked");
	s = svg(q, 1, 20);
	ok(strstr(s, "width=\"300\""), "svg: a page too narrow for the axes is widened");
	ok(strstr(s, "font-family=\"sans-serif\"") && strstr(s, "version=\"1.1\""),
	    "svg: SVG 1.1, generic font");
}

int
main(void)
{
	test_spark();
	test_hostile();
	test_determinism();
	test_lines();
	test_threshold();
	test_yaxis();
	test_xaxis();
	test_edges();
	return tap_done();
}
