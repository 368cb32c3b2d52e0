/*
 * chart.c: (placeholder until the charts land) an empty SVG page and an
 * empty sparkline.
 */
#include "compat.h"

#include "forecast/chart.h"

void
aiops_chart_svg(struct aiops_buf *b, const struct aiops_chart_panel *p,
    size_t n, int width)
{
	(void)p;
	(void)n;
	(void)width;
	aiops_buf_addstr(b, "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n");
}

void
aiops_chart_spark(struct aiops_buf *b, const struct aiops_chart_panel *p,
    int width, int utf8)
{
	(void)p;
	(void)width;
	(void)utf8;
	aiops_buf_addstr(b, "");
}
