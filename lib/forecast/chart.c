/*
 * chart.c: forecasts drawn for a person on call.
 *
 * The SVG is plain SVG 1.1 (rsvg-convert and Chromium render it alike):
 * no fonts but the generic sans-serif, no CSS, no scripts. Each panel has
 * its title and subtitle, a y axis of 4 to 6 round ticks with the unit, an
 * x axis of UTC times on minute, hour, day or week boundaries, the history
 * (a gap breaks the line, a point alone is a dot), the forecast from the
 * last point with its interval as a band, a "now" line, the threshold and
 * where the forecast meets it. Every coordinate is written with one
 * decimal, every number through one formatter: the same panels give the
 * same bytes.
 *
 * Positions on x are in points from hist[0] (forecast i is at nhist + i),
 * turned into times only for the ticks, so no nanosecond sum can overflow.
 * Values are clamped to +-1e300, the range aiops takes in, so a range of
 * two of them stays finite; infinities are gaps.
 */
#include "compat.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/timeutil.h"
#include "core/utf8.h"
#include "core/xmalloc.h"
#include "forecast/chart.h"

#define BIG		1e300
#define PAGE_WIDTH	900
#define PAGE_MIN	300	/* narrower pages have no room for the axes */
#define PAGE_MAX	16384
#define SPARK_WIDTH	60
#define MAX_XTICKS	64

#define C_HIST		"#1f5fa8"
#define C_FC		"#e4690b"
#define C_THRESH	"#c8102e"
#define C_GRID		"#e6e6e6"
#define C_AXIS		"#555555"
#define C_TEXT		"#222222"
#define C_MUTED		"#666666"

/* Sizes of one panel's text and margins, by how many columns share the page. */
struct style {
	int	 title;		/* font sizes in px */
	int	 text;
	double	 height;	/* of a panel */
	double	 left, right, top, bottom;	/* plot area inside a panel */
};

/* One panel's plot area and the mapping of points and values onto it. */
struct frame {
	double	 x, y, w, h;	/* plot area, page pixels */
	double	 ilo, ihi;	/* x domain, in points from hist[0] */
	double	 vlo, vhi;	/* y domain, in the series' unit */
	double	 yfirst, ystep;	/* y ticks: yfirst + k * ystep, k < ycount */
	int	 ycount;
	int64_t	 t0, step;	/* ns: time of point 0, between points */
};

static double
clampv(double v)
{
	return v > BIG ? BIG : v < -BIG ? -BIG : v;
}

/* A coordinate as written: one decimal, never "-0.0". */
static double
px(double v)
{
	v = round(v * 10) / 10;
	return v == 0 ? 0 : v;
}

static double
fx(const struct frame *f, double i)
{
	return px(f->x + (i - f->ilo) / (f->ihi - f->ilo) * f->w);
}

static double
fy(const struct frame *f, double v)
{
	return px(f->y + f->h - (clampv(v) - f->vlo) / (f->vhi - f->vlo) * f->h);
}

static int
finite_at(const double *v, size_t n, size_t i)
{
	return v != NULL && i < n && isfinite(v[i]);
}

/* ---- text ------------------------------------------------------------ */

/*
 * The characters of s XML-escaped, at most max of them (0: all; a longer
 * text ends in an ellipsis). What XML 1.0 cannot carry becomes a stand-in:
 * a control character '?', a byte that is not UTF-8 (and U+FFFE, U+FFFF)
 * U+FFFD.
 */
static void
add_text(struct aiops_buf *b, const char *s, size_t max)
{
	size_t len, i, k, nchars = 0, shown = 0;

	if (s == NULL)
		return;
	len = strlen(s);
	for (i = 0; i < len; i += k, nchars++)
		if ((k = aiops_utf8_seqlen((const unsigned char *)s + i, len - i)) == 0)
			k = 1;
	if (max > 0 && nchars > max)
		nchars = max - 1;
	else
		max = 0;
	for (i = 0; i < len && shown < nchars; i += k, shown++) {
		unsigned char c = (unsigned char)s[i];

		k = aiops_utf8_seqlen((const unsigned char *)s + i, len - i);
		if (k == 0 || (k == 3 && c == 0xef && (unsigned char)s[i + 1] == 0xbf &&
		    (unsigned char)s[i + 2] >= 0xbe)) {
			aiops_buf_addstr(b, "\xef\xbf\xbd");
			k = k == 0 ? 1 : k;
		} else if (c == '&')
			aiops_buf_addstr(b, "&amp;");
		else if (c == '<')
			aiops_buf_addstr(b, "&lt;");
		else if (c == '>')
			aiops_buf_addstr(b, "&gt;");
		else if (c == '"')
			aiops_buf_addstr(b, "&quot;");
		else if (c == '\'')
			aiops_buf_addstr(b, "&apos;");
		else if (c < 0x20 || c == 0x7f)
			aiops_buf_addc(b, '?');
		else
			aiops_buf_add(b, s + i, k);
	}
	if (max > 0)
		aiops_buf_addstr(b, "\xe2\x80\xa6");
}

/*
 * Opens a <text> element at (x, y); anchor "start", "middle" or "end";
 * weight "bold" or NULL. The caller adds the text and close_text().
 */
static void
open_text(struct aiops_buf *b, double x, double y, int size, const char *anchor,
    const char *fill, const char *weight)
{
	aiops_buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" fill=\"%s\"",
	    px(x), px(y), size, fill);
	if (strcmp(anchor, "start") != 0)
		aiops_buf_addf(b, " text-anchor=\"%s\"", anchor);
	if (weight != NULL)
		aiops_buf_addf(b, " font-weight=\"%s\"", weight);
	aiops_buf_addc(b, '>');
}

static void
close_text(struct aiops_buf *b)
{
	aiops_buf_addstr(b, "</text>\n");
}

/* How many characters of size px fit in w pixels (sans-serif averages 0.6 em). */
static size_t
fits(double w, int size)
{
	double n = w / (size * 0.6);

	return n < 4 ? 4 : (size_t)n;
}

/* ---- the y axis ------------------------------------------------------ */

/* The range of every finite value the panel draws, threshold included. */
static int
value_range(const struct aiops_chart_panel *p, double *lo, double *hi)
{
	const double *arr[4] = { p->hist, p->mean, p->lo, p->hi };
	size_t len[4] = { p->nhist, p->h, p->h, p->h };
	size_t a, i;
	int any = 0;

	*lo = INFINITY;
	*hi = -INFINITY;
	for (a = 0; a < 4; a++)
		for (i = 0; i < len[a]; i++)
			if (finite_at(arr[a], len[a], i)) {
				*lo = fmin(*lo, clampv(arr[a][i]));
				*hi = fmax(*hi, clampv(arr[a][i]));
				any = 1;
			}
	if (p->has_threshold && isfinite(p->threshold)) {
		*lo = fmin(*lo, clampv(p->threshold));
		*hi = fmax(*hi, clampv(p->threshold));
		any = 1;
	}
	return any;
}

/*
 * The y domain: the values with 5% to spare on each side. A constant
 * series (or one whose range is lost in its magnitude) gets 10% of its
 * value each side, or 1 around 0; nothing finite gets 0 to 1.
 */
static void
y_domain(const struct aiops_chart_panel *p, double *vlo, double *vhi)
{
	double lo, hi, mid, pad;

	if (!value_range(p, &lo, &hi)) {
		*vlo = 0;
		*vhi = 1;
		return;
	}
	mid = lo / 2 + hi / 2;
	if (hi - lo > 1e-200 && hi - lo > fabs(mid) * 1e-13) {
		pad = (hi - lo) * 0.05;
		*vlo = lo - pad;
		*vhi = hi + pad;
		return;
	}
	pad = fabs(mid) > 1e-200 ? fabs(mid) * 0.1 : 1;
	*vlo = mid - pad;
	*vhi = mid + pad;
}

/*
 * The tick step: the smallest of 1, 2, 2.5, 5 times a power of ten that
 * puts at most 6 ticks in [lo, hi]. Each step is at most twice the one
 * before, so that leaves 3 or more.
 */
static double
y_step(double lo, double hi, int *count, double *first)
{
	static const double mult[] = { 1, 2, 2.5, 5 };
	double mag = pow(10, floor(log10((hi - lo) / 10))), s = mag;
	int i;

	for (i = 0; i < 64; i++) {
		s = mult[i % 4] * mag;
		*first = ceil(lo / s) * s;
		*count = (int)(floor(hi / s) - ceil(lo / s)) + 1;
		if (*count <= 6)
			break;
		if (i % 4 == 3)
			mag *= 10;
	}
	if (*count < 0)
		*count = 0;
	return s;
}

/*
 * The y ticks of f, 4 to 6 of them: when the step leaves only 3, the
 * domain grows to the next tick down, then up if need be.
 */
static void
y_ticks(struct frame *f)
{
	f->ystep = y_step(f->vlo, f->vhi, &f->ycount, &f->yfirst);
	if (f->ycount < 4 && f->ycount > 0) {
		f->vlo = floor(f->vlo / f->ystep) * f->ystep;
		f->ystep = y_step(f->vlo, f->vhi, &f->ycount, &f->yfirst);
	}
	if (f->ycount < 4 && f->ycount > 0) {
		f->vhi = ceil(f->vhi / f->ystep) * f->ystep;
		f->ystep = y_step(f->vlo, f->vhi, &f->ycount, &f->yfirst);
	}
}

/* The tick value k, with float dust around zero swept away. */
static double
y_tick(double first, double s, int k)
{
	double v = first + k * s;

	return fabs(v) < s * 1e-9 ? 0 : v;
}

/* Significant digits (4 or more) that tell every two adjacent ticks apart. */
static int
y_digits(double first, double s, int count)
{
	char x[40], y[40];
	int d, k, same;

	for (d = 4; d < 17; d++) {
		same = 0;
		for (k = 0; k + 1 < count && !same; k++) {
			snprintf(x, sizeof(x), "%.*g", d, y_tick(first, s, k));
			snprintf(y, sizeof(y), "%.*g", d, y_tick(first, s, k + 1));
			same = strcmp(x, y) == 0;
		}
		if (!same)
			return d;
	}
	return 17;
}

static void
draw_yaxis(struct aiops_buf *b, const struct frame *f, const struct style *st,
    const char *unit)
{
	double v, y;
	int k, digits;

	digits = y_digits(f->yfirst, f->ystep, f->ycount);
	for (k = 0; k < f->ycount; k++) {
		v = y_tick(f->yfirst, f->ystep, k);
		y = fy(f, v);
		aiops_buf_addf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		    "stroke=\"" C_GRID "\"/>\n", px(f->x), y, px(f->x + f->w), y);
		open_text(b, f->x - 4, y + st->text * 0.35, st->text, "end", C_MUTED, NULL);
		aiops_buf_addf(b, "%.*g", digits, v);
		close_text(b);
	}
	if (unit != NULL && *unit != '\0') {
		aiops_buf_addf(b, "<text transform=\"translate(%.1f,%.1f) rotate(-90)\" "
		    "font-size=\"%d\" fill=\"" C_MUTED "\" text-anchor=\"middle\">",
		    px(f->x - st->left + st->text + 2), px(f->y + f->h / 2), st->text);
		add_text(b, unit, fits(f->h, st->text));
		close_text(b);
	}
}

/* ---- the x axis: UTC times -------------------------------------------- */

static int64_t
floor_div(int64_t a, int64_t d)
{
	int64_t q = a / d;

	return (a % d != 0 && (a < 0) != (d < 0)) ? q - 1 : q;
}

/* A tick interval in seconds: the smallest of the list that gives at most max ticks. */
static int64_t
x_interval(double span_s, int max)
{
	static const int64_t iv[] = { 1, 2, 5, 10, 15, 30, 60, 120, 300, 600,
	    900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 2 * 86400,
	    7 * 86400, 14 * 86400, 28 * 86400, 91 * 86400, 182 * 86400,
	    364 * 86400 };
	size_t i;
	int64_t s;

	for (i = 0; i < sizeof(iv) / sizeof(iv[0]); i++)
		if (span_s / (double)iv[i] <= max)
			return iv[i];
	for (s = iv[i - 1]; span_s / (double)s > max && s < INT64_MAX / 4000000000LL; )
		s *= 2;
	return s;
}

/*
 * The label of the tick at t (ns): the time of day under a day, the date
 * at midnight and from a day up, the year too from half a year up.
 */
static void
x_label(struct aiops_buf *b, int64_t t, int64_t iv)
{
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	int64_t day = floor_div(t, 86400 * AIOPS_NS_PER_SEC);
	int64_t sec = (t - day * 86400 * AIOPS_NS_PER_SEC) / AIOPS_NS_PER_SEC;
	int64_t y;
	unsigned m, d;

	aiops_civil_from_days(day, &y, &m, &d);
	if (iv >= 182 * 86400)
		aiops_buf_addf(b, "%04lld-%02u-%02u", (long long)y, m, d);
	else if (iv >= 86400 || sec == 0)
		aiops_buf_addf(b, "%s %u", mon[(m - 1) % 12], d);
	else if (iv < 60)
		aiops_buf_addf(b, "%02d:%02d:%02d", (int)(sec / 3600),
		    (int)(sec / 60 % 60), (int)(sec % 60));
	else
		aiops_buf_addf(b, "%02d:%02d", (int)(sec / 3600), (int)(sec / 60 % 60));
}

static void
draw_xaxis(struct aiops_buf *b, const struct frame *f, const struct style *st)
{
	double step = (double)f->step, lo, hi, x;
	int64_t iv, ivns, off, t;
	int k;

	lo = (double)f->t0 + f->ilo * step;
	hi = (double)f->t0 + f->ihi * step;
	if (!(lo > -9e18 && hi < 9e18))
		return;
	iv = x_interval((hi - lo) / 1e9, (int)fmax(2, f->w / (st->text * 6.5)));
	ivns = iv * AIOPS_NS_PER_SEC;
	/* Weeks start on Monday, 1970-01-05; all else on the epoch's grid. */
	off = iv % (7 * 86400) == 0 ? 4 * 86400 * AIOPS_NS_PER_SEC : 0;
	t = (floor_div((int64_t)lo - off, ivns) + 1) * ivns + off;
	if (t - ivns >= (int64_t)lo)
		t -= ivns;
	for (k = 0; k < MAX_XTICKS && (double)t <= hi; k++, t += ivns) {
		x = fx(f, ((double)t - (double)f->t0) / step);
		aiops_buf_addf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		    "stroke=\"" C_GRID "\"/>\n", x, px(f->y), x, px(f->y + f->h + 4));
		open_text(b, x, f->y + f->h + st->text + 5, st->text, "middle", C_MUTED, NULL);
		x_label(b, t, iv);
		close_text(b);
	}
	open_text(b, f->x + f->w, f->y + f->h + 2 * st->text + 7, st->text - 1, "end",
	    C_MUTED, NULL);
	aiops_buf_addstr(b, "UTC");
	close_text(b);
}

/* ---- lines and the band ---------------------------------------------- */

/*
 * The values v[0..n-1] at x = first, first + 1, ... as one path, from
 * (first - 1, anchor) when anchor is finite; after is the value that
 * another line joins to the end (NaN: none). A NaN lifts the pen; a point
 * with no finite neighbour is drawn as a dot, or it would not show.
 */
static void
draw_line(struct aiops_buf *b, const struct frame *f, const double *v, size_t n,
    double first, double anchor, double after, const char *colour, const char *dash)
{
	struct aiops_buf d = AIOPS_BUF_INIT;
	size_t i;
	int down = 0, prev, next;

	if (isfinite(anchor)) {
		aiops_buf_addf(&d, "M%.1f %.1f", fx(f, first - 1), fy(f, anchor));
		down = 1;
	}
	for (i = 0; i < n; i++) {
		if (!isfinite(v[i])) {
			down = 0;
			continue;
		}
		aiops_buf_addf(&d, "%c%.1f %.1f", down ? 'L' : 'M',
		    fx(f, first + (double)i), fy(f, v[i]));
		prev = i > 0 ? isfinite(v[i - 1]) : isfinite(anchor);
		next = i + 1 < n ? isfinite(v[i + 1]) : isfinite(after);
		if (!prev && !next)
			aiops_buf_addf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2\" "
			    "fill=\"%s\"/>\n", fx(f, first + (double)i), fy(f, v[i]), colour);
		down = 1;
	}
	if (d.len > 0)
		aiops_buf_addf(b, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" "
		    "stroke-linejoin=\"round\"%s d=\"%s\"/>\n", colour,
		    dash != NULL ? dash : "", d.data);
	aiops_buf_release(&d);
}

/* One run [from, to) of finite lo and hi as a closed path, pinched to anchor. */
static void
band_run(struct aiops_buf *d, const struct frame *f, const struct aiops_chart_panel *p,
    size_t from, size_t to, double anchor)
{
	double base = (double)p->nhist;
	int pinched = from == 0 && isfinite(anchor);
	size_t i;

	if (!pinched && to - from < 2)
		return;
	if (pinched)
		aiops_buf_addf(d, "M%.1f %.1f", fx(f, base - 1), fy(f, anchor));
	for (i = from; i < to; i++)
		aiops_buf_addf(d, "%c%.1f %.1f", i == from && !pinched ? 'M' : 'L',
		    fx(f, base + (double)i), fy(f, p->lo[i]));
	for (i = to; i-- > from; )
		aiops_buf_addf(d, "L%.1f %.1f", fx(f, base + (double)i), fy(f, p->hi[i]));
	aiops_buf_addc(d, 'Z');
}

static void
draw_band(struct aiops_buf *b, const struct frame *f, const struct aiops_chart_panel *p,
    double anchor)
{
	struct aiops_buf d = AIOPS_BUF_INIT;
	size_t i = 0, from;

	if (p->lo == NULL || p->hi == NULL)
		return;
	while (i < p->h) {
		for (; i < p->h && !(isfinite(p->lo[i]) && isfinite(p->hi[i])); i++)
			;
		for (from = i; i < p->h && isfinite(p->lo[i]) && isfinite(p->hi[i]); i++)
			;
		if (i > from)
			band_run(&d, f, p, from, i, anchor);
	}
	if (d.len > 0)
		aiops_buf_addf(b, "<path fill=\"" C_FC "\" fill-opacity=\"0.22\" "
		    "stroke=\"none\" d=\"%s\"/>\n", d.data);
	aiops_buf_release(&d);
}

/* ---- now, the threshold, the crossing -------------------------------- */

static void
draw_now(struct aiops_buf *b, const struct frame *f, const struct style *st, double inow)
{
	double x = fx(f, inow);

	aiops_buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
	    "fill=\"#f4f4f4\"/>\n", x, px(f->y), px(f->x + f->w - x), px(f->h));
	aiops_buf_addf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
	    "stroke=\"" C_AXIS "\" stroke-dasharray=\"2,3\"/>\n", x, px(f->y),
	    x, px(f->y + f->h));
	open_text(b, x + 3, f->y + f->h - 4, st->text, "start", C_MUTED, NULL);
	aiops_buf_addstr(b, "now");
	close_text(b);
}

/* The baseline of a label beside the line at y: above it, or below when the top is near. */
static double
label_y(const struct frame *f, const struct style *st, double y)
{
	return y - f->y < st->text + 4 ? y + st->text + 2 : y - 4;
}

static void
draw_threshold(struct aiops_buf *b, const struct frame *f, const struct style *st,
    const struct aiops_chart_panel *p)
{
	double y = fy(f, p->threshold);

	aiops_buf_addf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
	    "stroke=\"" C_THRESH "\" stroke-width=\"1.2\" stroke-dasharray=\"6,4\"/>\n",
	    px(f->x), y, px(f->x + f->w), y);
	open_text(b, f->x + 4, label_y(f, st, y), st->text, "start", C_THRESH, NULL);
	aiops_buf_addf(b, "threshold %.4g", clampv(p->threshold));
	if (p->unit != NULL && *p->unit != '\0') {
		aiops_buf_addc(b, ' ');
		add_text(b, p->unit, 16);
	}
	close_text(b);
}

/* Steps of step ns in the unit that reads best: "3.2 d", "36 h", "12 min". */
static const char *
eta_unit(double steps, int64_t step, double *div)
{
	double s = steps * (double)step / 1e9;

	if (s >= 2 * 86400) {
		*div = 86400;
		return "d";
	}
	if (s >= 2 * 3600) {
		*div = 3600;
		return "h";
	}
	if (s >= 120) {
		*div = 60;
		return "min";
	}
	*div = 1;
	return "s";
}

static void
add_amount(struct aiops_buf *b, double steps, int64_t step, double div)
{
	double v = steps * (double)step / 1e9 / div;

	aiops_buf_addf(b, v < 9.95 ? "%.1f" : "%.0f", v);
}

/* "90 in 3.2 d (2.5 - 4.1)"; "- later" when the far edge stays short of it. */
static void
eta_text(struct aiops_buf *b, const struct aiops_chart_panel *p, int64_t step)
{
	double div;
	const char *u = eta_unit(p->eta, step, &div);

	aiops_buf_addf(b, "%.4g ", clampv(p->threshold));
	if (p->eta <= 0) {
		aiops_buf_addstr(b, "reached");
		return;
	}
	aiops_buf_addstr(b, "in ");
	add_amount(b, p->eta, step, div);
	aiops_buf_addf(b, " %s (", u);
	add_amount(b, p->eta_lo >= 0 ? p->eta_lo : p->eta, step, div);
	aiops_buf_addstr(b, " - ");
	if (p->eta_hi >= 0)
		add_amount(b, p->eta_hi, step, div);
	else
		aiops_buf_addstr(b, "later");
	aiops_buf_addc(b, ')');
}

/*
 * The crossing: the eta_lo to eta_hi bracket as a bar on the threshold,
 * a marker where the forecast meets it and the text beside it.
 */
static void
draw_eta(struct aiops_buf *b, const struct frame *f, const struct style *st,
    const struct aiops_chart_panel *p, double inow)
{
	double y = fy(f, p->threshold), x, x1, x2, ilo, ihi, ty;
	int right;

	ilo = p->eta_lo >= 0 ? p->eta_lo : p->eta;
	ihi = p->eta_hi >= 0 ? p->eta_hi : f->ihi - inow;
	x = fx(f, fmin(inow + p->eta, f->ihi));
	x1 = fx(f, fmin(inow + ilo, f->ihi));
	x2 = fx(f, fmin(inow + ihi, f->ihi));
	aiops_buf_addf(b, "<path stroke=\"" C_THRESH "\" stroke-width=\"3\" "
	    "stroke-opacity=\"0.6\" fill=\"none\" d=\"M%.1f %.1fV%.1fM%.1f %.1fH%.1fM%.1f "
	    "%.1fV%.1f\"/>\n", x1, px(y - 5), px(y + 5), x1, y, x2, x2, px(y - 5),
	    px(y + 5));
	aiops_buf_addf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\" fill=\"#ffffff\" "
	    "stroke=\"" C_THRESH "\" stroke-width=\"2\"/>\n", x, y);
	right = x > f->x + f->w * 0.55;
	ty = y - f->y < st->text + 10 ? y + st->text + 8 : y - 9;
	open_text(b, right ? x - 6 : x + 6, ty, st->text, right ? "end" : "start",
	    C_THRESH, "bold");
	eta_text(b, p, f->step);
	close_text(b);
}

/* ---- panels and the page --------------------------------------------- */

static void
draw_titles(struct aiops_buf *b, const struct aiops_chart_panel *p,
    const struct style *st, double x, double y, double w)
{
	open_text(b, x + 8, y + st->title + 4, st->title, "start", C_TEXT, "bold");
	add_text(b, p->title != NULL ? p->title : "", fits(w - 16, st->title));
	close_text(b);
	if (p->subtitle == NULL || *p->subtitle == '\0')
		return;
	open_text(b, x + 8, y + st->title + st->text + 9, st->text, "start", C_MUTED, NULL);
	add_text(b, p->subtitle, fits(w - 16, st->text));
	close_text(b);
}

/* The frame of a panel at (x, y), w wide: its plot area and domains. */
static void
panel_frame(const struct aiops_chart_panel *p, const struct style *st, double x,
    double y, double w, struct frame *f)
{
	size_t npts = (p->hist != NULL ? p->nhist : 0) + (p->mean != NULL ? p->h : 0);

	f->x = x + st->left;
	f->y = y + st->top;
	f->w = w - st->left - st->right;
	f->h = st->height - st->top - st->bottom;
	/* One point alone goes in the middle. */
	f->ilo = npts > 1 ? 0 : -1;
	f->ihi = npts > 1 ? (double)npts - 1 : 1;
	y_domain(p, &f->vlo, &f->vhi);
	y_ticks(f);
	f->t0 = p->t0;
	f->step = p->step > 0 ? p->step : AIOPS_NS_PER_SEC;
}

static void
draw_panel(struct aiops_buf *b, const struct aiops_chart_panel *p,
    const struct style *st, double x, double y, double w)
{
	struct frame f;
	size_t nhist = p->hist != NULL ? p->nhist : 0;
	size_t h = p->mean != NULL ? p->h : 0;
	double inow = (double)nhist - 1;
	double anchor = nhist > 0 ? clampv(p->hist[nhist - 1]) : NAN;
	int thr = p->has_threshold && isfinite(p->threshold);

	panel_frame(p, st, x, y, w, &f);
	aiops_buf_addstr(b, "<g>\n");
	draw_titles(b, p, st, x, y, w);
	if (nhist > 0 && h > 0)
		draw_now(b, &f, st, inow);
	draw_yaxis(b, &f, st, p->unit);
	draw_xaxis(b, &f, st);
	aiops_buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
	    "fill=\"none\" stroke=\"" C_AXIS "\"/>\n", px(f.x), px(f.y), px(f.w), px(f.h));
	if (h > 0)
		draw_band(b, &f, p, anchor);
	if (thr)
		draw_threshold(b, &f, st, p);
	if (nhist > 0)
		draw_line(b, &f, p->hist, nhist, 0, NAN, h > 0 ? p->mean[0] : NAN,
		    C_HIST, NULL);
	if (h > 0)
		draw_line(b, &f, p->mean, h, (double)nhist, anchor, NAN, C_FC,
		    " stroke-dasharray=\"5,2\"");
	if (thr && p->eta >= 0 && nhist > 0)
		draw_eta(b, &f, st, p, inow);
	aiops_buf_addstr(b, "</g>\n");
}

/* Columns and sizes for n panels: one column up to 4, then 2, then 3. */
static int
page_style(size_t n, struct style *st)
{
	static const struct style one = { 15, 12, 300, 0, 16, 0, 0 };
	static const struct style two = { 13, 11, 240, 0, 12, 0, 0 };
	static const struct style three = { 12, 10, 200, 0, 10, 0, 0 };
	int cols = n <= 4 ? 1 : n <= 8 ? 2 : 3;

	*st = cols == 1 ? one : cols == 2 ? two : three;
	st->left = st->text * 6.5 + 8;
	st->top = st->title + st->text + 18;
	st->bottom = st->text * 2 + 12;
	return cols;
}

void
aiops_chart_svg(struct aiops_buf *b, const struct aiops_chart_panel *p,
    size_t n, int width)
{
	struct style st;
	size_t i, cols, rows;
	double w, height, pw;

	w = width <= 0 ? PAGE_WIDTH : width < PAGE_MIN ? PAGE_MIN :
	    width > PAGE_MAX ? PAGE_MAX : width;
	cols = (size_t)page_style(n, &st);
	rows = (n + cols - 1) / cols;
	height = n == 0 ? 60 : (double)rows * st.height;
	pw = floor(w / (double)cols);
	aiops_buf_addf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
	    "width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
	    "font-family=\"sans-serif\">\n"
	    "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"#ffffff\"/>\n",
	    w, height, w, height, w, height);
	if (n == 0) {
		open_text(b, w / 2, 35, st.text, "middle", C_MUTED, NULL);
		aiops_buf_addstr(b, "no series to draw");
		close_text(b);
	}
	for (i = 0; i < n; i++) {
		double x = (double)(i % cols) * pw, y = (double)(i / cols) * st.height;

		if (cols > 1)
			aiops_buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			    "height=\"%.1f\" fill=\"none\" stroke=\"" C_GRID "\"/>\n",
			    px(x + 0.5), px(y + 0.5), px(pw - 1), px(st.height - 1));
		draw_panel(b, &p[i], &st, x, y, pw);
	}
	aiops_buf_addstr(b, "</svg>\n");
}

/* ---- the sparkline ---------------------------------------------------- */

/* The mean of the finite values in v[from..to), NaN when there is none. */
static double
bucket_mean(const double *v, size_t from, size_t to)
{
	double sum = 0;
	size_t k = 0;

	for (; from < to; from++)
		if (isfinite(v[from])) {
			sum += clampv(v[from]) / 2;	/* halves: 1e300 + 1e300 stays finite */
			k++;
		}
	return k > 0 ? sum / (double)k * 2 : NAN;
}

/* The cell of v on the scale lo..hi: 0 to 7, or -1 for a gap. */
static int
level(double v, double lo, double hi)
{
	double l;

	if (!isfinite(v))
		return -1;
	if (!(hi > lo))
		return 3;
	l = floor((clampv(v) - lo) / (hi - lo) * 8);
	return l < 0 ? 0 : l > 7 ? 7 : (int)l;
}

static void
add_cell(struct aiops_buf *b, int l, int utf8)
{
	static const char ascii[] = " .:-=+*#";

	if (l < 0)
		aiops_buf_addc(b, ' ');
	else if (utf8)
		aiops_buf_add(b, (const char []){ '\xe2', '\x96', (char)(0x81 + l) }, 3);
	else
		aiops_buf_addc(b, ascii[l]);
}

/*
 * The layout: the forecast gets up to half the cells (a longer horizon is
 * averaged into them, so its end, where a crossing shows, is kept), then
 * '|', then as many of the last history points as fit, one a cell.
 */
void
aiops_chart_spark(struct aiops_buf *b, const struct aiops_chart_panel *p,
    int width, int utf8)
{
	size_t nh = p->hist != NULL ? p->nhist : 0, h = p->mean != NULL ? p->h : 0;
	size_t w = width > 0 ? (size_t)width : SPARK_WIDTH, fc = 0, hc, sep, i;
	double *cell, lo = INFINITY, hi = -INFINITY;

	if (h > 0)
		fc = nh > 0 ? (w - 1) / 2 : w;
	fc = fc < 1 && h > 0 ? 1 : fc > h ? h : fc;
	sep = h > 0 && nh > 0 && w >= fc + 2;
	hc = w > fc + sep ? w - fc - sep : 0;
	hc = hc > nh ? nh : hc;
	if (hc + fc == 0)
		return;
	cell = xcalloc(hc + fc, sizeof(*cell));
	for (i = 0; i < hc; i++)
		cell[i] = p->hist[nh - hc + i];
	for (i = 0; i < fc; i++)
		cell[hc + i] = bucket_mean(p->mean, i * h / fc, (i + 1) * h / fc);
	for (i = 0; i < hc + fc; i++)
		if (isfinite(cell[i])) {
			lo = fmin(lo, clampv(cell[i]));
			hi = fmax(hi, clampv(cell[i]));
		}
	for (i = 0; i < hc + fc; i++) {
		if (i == hc && sep)
			aiops_buf_addc(b, '|');
		add_cell(b, level(cell[i], lo, hi), utf8);
	}
	free(cell);
}
