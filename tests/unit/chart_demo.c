/*
 * chart_demo: writes an SVG page of synthetic forecasts for the render
 * test (tests/chart.bats), so the charts can be looked at without the
 * models: a disk that fills with a nightly cleanup and crosses 90%, memory
 * with a daily cycle and a slow leak, and latency with gaps.
 *
 * Usage: chart_demo FILE.svg [PANELS [TITLE]]
 *   PANELS (default 2) cycles through the three kinds; TITLE replaces
 *   every title (the test gives a hostile one).
 */
#include "compat.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/buf.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "forecast/chart.h"
#include "trng.h"

#define PI	3.14159265358979323846
#define STEP	(900 * AIOPS_NS_PER_SEC)	/* 15 minutes */
#define DAY	96				/* steps */
#define NHIST	(7 * DAY)
#define H	(4 * DAY)
#define MAXP	64

struct series {
	double	 hist[NHIST];
	double	 mean[H], lo[H], hi[H];
};

/* Percent used: +5.5 a day, 2.5 cleaned at 03:00, so +3 a day net. */
static double
disk(int i)
{
	int day = i / DAY, tod = i % DAY;

	return 62 + day * 3.0 + tod * 5.5 / DAY - (tod >= 12 ? 2.5 : 0);
}

/* Bytes: 6 GB, a daily swing of 1.5 GB peaking at 14:00, 40 MB a day leaked. */
static double
memory(int i)
{
	return 6e9 + 1.5e9 * sin(2 * PI * (i - 8 * 4) / DAY) + 4e7 * i / DAY;
}

/* Milliseconds: 120 with a daily hump. */
static double
latency(int i)
{
	return 120 + 40 * exp(-pow((i % DAY - 60) / 10.0, 2));
}

/*
 * Steps after the last point when path first reaches thr from below,
 * linear between steps, or -1.
 */
static double
eta_of(double last, const double *path, double thr)
{
	double prev = last;
	int i;

	if (last >= thr)
		return 0;
	for (i = 0; i < H; i++) {
		if (prev < thr && path[i] >= thr)
			return i + (thr - prev) / (path[i] - prev);
		prev = path[i];
	}
	return -1;
}

static void
make(int kind, int k, struct series *s, struct aiops_chart_panel *p)
{
	double (*fn)(int) = kind == 0 ? disk : kind == 1 ? memory : latency;
	double noise = kind == 0 ? 0.15 : kind == 1 ? 6e7 : 6, scale = 1 + k * 0.03;
	int i;

	for (i = 0; i < NHIST; i++)
		s->hist[i] = fn(i) * scale + noise * gauss();
	if (kind == 2)
		for (i = 300; i < 340; i++)
			s->hist[i] = NAN;
	for (i = 0; i < H; i++) {
		double w = 1.96 * noise * sqrt(1 + i / 8.0);

		s->mean[i] = fn(NHIST + i) * scale;
		s->lo[i] = s->mean[i] - w;
		s->hi[i] = s->mean[i] + w;
	}
	p->t0 = aiops_days_from_civil(2026, 11, 15) * 86400 * AIOPS_NS_PER_SEC;
	p->step = STEP;
	p->hist = s->hist;
	p->nhist = NHIST;
	p->mean = s->mean;
	p->lo = s->lo;
	p->hi = s->hi;
	p->h = H;
	p->eta = p->eta_lo = p->eta_hi = -1;
	if (kind == 0) {
		p->has_threshold = 1;
		p->threshold = 90;
		p->eta = eta_of(s->hist[NHIST - 1], s->mean, 90);
		p->eta_lo = eta_of(s->hist[NHIST - 1], s->hi, 90);
		p->eta_hi = eta_of(s->hist[NHIST - 1], s->lo, 90);
	} else if (kind == 1) {
		p->has_threshold = 1;
		p->threshold = 9.5e9;
	}
}

static const char *const titles[] = {
	"db-%d disk_used_percent{path=/var}",
	"web-%d mem_used_bytes",
	"edge-%d http_latency_ms{route=/api}",
};
static const char *const subtitles[] = {
	"synthetic: sawtooth, nightly cleanup at 03:00",
	"synthetic: daily cycle, slow leak",
	"synthetic: daily hump, a gap of 10 hours",
};
static const char *const units[] = { "percent", "bytes", "ms" };

int
main(int argc, char **argv)
{
	static struct series s[MAXP];
	struct aiops_chart_panel p[MAXP] = { 0 };
	char *title[MAXP] = { NULL };
	struct aiops_buf b = AIOPS_BUF_INIT;
	int n = argc > 2 ? atoi(argv[2]) : 2, i;
	FILE *fp;

	if (argc < 2 || n < 0 || n > MAXP) {
		fprintf(stderr, "usage: chart_demo FILE.svg [PANELS [TITLE]]\n");
		return 64;
	}
	for (i = 0; i < n; i++) {
		make(i % 3, i / 3, &s[i], &p[i]);
		xasprintf(&title[i], titles[i % 3], i / 3 + 1);
		p[i].title = argc > 3 ? argv[3] : title[i];
		p[i].subtitle = subtitles[i % 3];
		p[i].unit = units[i % 3];
	}
	aiops_chart_svg(&b, p, (size_t)n, 0);
	if ((fp = fopen(argv[1], "w")) == NULL || fwrite(b.data, 1, b.len, fp) != b.len ||
	    fclose(fp) != 0) {
		perror(argv[1]);
		return 74;
	}
	for (i = 0; i < n; i++)
		free(title[i]);
	aiops_buf_release(&b);
	return 0;
}
