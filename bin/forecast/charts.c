/*
 * charts.c: what a person looks at (lib/forecast/chart.h). --plot keeps a
 * panel per series and writes them as one SVG page at the end; --spark
 * writes, in place of the events, a line per series:
 *
 *	db-1 disk_used_percent{device=sdb1,path=/var/lib/postgresql}  <spark>  model, 90 in 55.0 h (40.2 to 71.3 h)
 */
#include "compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "core/xmalloc.h"
#include "forecast.h"
#include "forecast/chart.h"
#include "tool/log.h"

struct fc_panels {
	struct aiops_chart_panel	*v;
	size_t				 n, cap;
};

static double *
copy(const double *v, size_t n)
{
	double *c = xcalloc(n ? n : 1, sizeof(*c));

	if (n > 0)
		memcpy(c, v, n * sizeof(*c));
	return c;
}

/* "host name{k=v,...}": how a person names a series. */
static void
series_title(struct aiops_buf *b, const struct fseries *s)
{
	size_t i;

	if (s->host != NULL)
		aiops_buf_addf(b, "%s ", s->host);
	aiops_buf_addstr(b, s->name);
	for (i = 0; i < s->nlabels; i++)
		aiops_buf_addf(b, "%c%s=%s", i == 0 ? '{' : ',', s->labels[i].key,
		    s->labels[i].val);
	if (s->nlabels > 0)
		aiops_buf_addc(b, '}');
}

static void
fill_panel(struct aiops_chart_panel *p, const struct fseries *s, const double *y, size_t n,
    int64_t t0, int64_t step, const struct aiops_fc *f, const struct fc_chart_mark *m)
{
	memset(p, 0, sizeof(*p));
	p->unit = s->counter ? "per second" : s->unit;
	p->t0 = t0;
	p->step = step;
	p->hist = y;
	p->nhist = n;
	p->mean = f->mean;
	p->lo = f->lo;
	p->hi = f->hi;
	p->h = f->h;
	p->has_threshold = m->has_threshold;
	p->threshold = m->threshold;
	p->eta = m->eta;
	p->eta_lo = m->eta_lo;
	p->eta_hi = m->eta_hi;
}

static void
spark_line(struct fcast *fc, const struct fseries *s, const struct aiops_chart_panel *p,
    const struct aiops_fc *f, const struct fc_chart_mark *m)
{
	struct aiops_buf *b = &fc->out.buf;

	series_title(b, s);
	aiops_buf_addstr(b, "  ");
	aiops_chart_spark(b, p, 0, fc->utf8);
	aiops_buf_addf(b, "  %s%s", f->model, s->counter ? " (rate)" : "");
	if (m->text[0] != '\0')
		aiops_buf_addf(b, ", %s", m->text);
	aiops_out_end(&fc->out);
}

void
forecast_chart(struct fcast *fc, const struct fseries *s, const double *y, size_t n,
    int64_t t0, int64_t step, const struct aiops_fc *f, const struct fc_chart_mark *m)
{
	struct aiops_chart_panel p, *k;
	struct aiops_buf t = AIOPS_BUF_INIT;
	struct fc_panels *ps;

	fill_panel(&p, s, y, n, t0, step, f, m);
	if (fc->spark)
		spark_line(fc, s, &p, f, m);
	if (fc->plot == NULL)
		return;
	if ((ps = fc->panels) == NULL)
		ps = fc->panels = xcalloc(1, sizeof(*ps));
	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? 2 * ps->cap : 16;
		ps->v = xreallocarray(ps->v, ps->cap, sizeof(*ps->v));
	}
	k = &ps->v[ps->n++];
	*k = p;
	series_title(&t, s);
	k->title = aiops_buf_detach(&t, NULL);
	aiops_buf_addf(&t, "%s, season %zu, sigma %.4g%s%s", f->model, f->season, f->sigma,
	    m->text[0] != '\0' ? "; " : "", m->text);
	k->subtitle = aiops_buf_detach(&t, NULL);
	k->unit = p.unit != NULL ? xstrdup(p.unit) : NULL;
	k->hist = copy(y, n);
	k->mean = copy(f->mean, f->h);
	k->lo = copy(f->lo, f->h);
	k->hi = copy(f->hi, f->h);
}

static void
panels_free(struct fc_panels *ps)
{
	size_t i;

	for (i = 0; ps != NULL && i < ps->n; i++) {
		free((void *)ps->v[i].title);
		free((void *)ps->v[i].subtitle);
		free((void *)ps->v[i].unit);
		free((void *)ps->v[i].hist);
		free((void *)ps->v[i].mean);
		free((void *)ps->v[i].lo);
		free((void *)ps->v[i].hi);
	}
	if (ps != NULL)
		free(ps->v);
	free(ps);
}

void
forecast_charts_finish(struct fcast *fc)
{
	struct fc_panels *ps = fc->panels;
	struct aiops_buf b = AIOPS_BUF_INIT;
	FILE *fp;

	if (fc->plot == NULL)
		return;
	aiops_chart_svg(&b, ps != NULL ? ps->v : NULL, ps != NULL ? ps->n : 0, 0);
	if ((fp = fopen(fc->plot, "w")) == NULL)
		fatal(EX_CANTCREAT, "%s", fc->plot);
	if (fwrite(b.data, 1, b.len, fp) != b.len || fflush(fp) == EOF || ferror(fp)) {
		int e = errno;

		fclose(fp);
		errno = e;
		fatal(EX_IOERR, "%s", fc->plot);
	}
	if (fclose(fp) == EOF)
		fatal(EX_IOERR, "%s", fc->plot);
	log_info("%s: %zu panels", fc->plot, ps != NULL ? ps->n : 0);
	aiops_buf_release(&b);
	panels_free(ps);
	fc->panels = NULL;
}
