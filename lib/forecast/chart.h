/*
 * chart.h: forecasts drawn for a person: an SVG page of panels (history,
 * forecast, interval band, threshold and its crossing), and a terminal
 * sparkline. Both write into a buffer; the program decides where it goes.
 */
#ifndef AIOPS_CHART_H
#define AIOPS_CHART_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

struct aiops_chart_panel {
	const char	*title;		/* "db-2 disk_used_percent{path=/var}" */
	const char	*subtitle;	/* model and fit, or NULL */
	const char	*unit;		/* or NULL */
	int64_t		 t0;		/* ns: time of hist[0] */
	int64_t		 step;		/* ns between points */
	const double	*hist;		/* nhist values, NaN for gaps */
	size_t		 nhist;
	const double	*mean;		/* h forecasts, from t0 + nhist * step */
	const double	*lo;
	const double	*hi;
	size_t		 h;
	int		 has_threshold;
	double		 threshold;
	double		 eta;		/* steps after the last point, -1: none */
	double		 eta_lo;
	double		 eta_hi;
};

/*
 * An SVG document (UTF-8, XML-escaped text) of n panels, one per row in
 * a single column when n is small, else a grid of small multiples; width
 * in pixels (0: 900). Times on the axis in UTC.
 */
void aiops_chart_svg(struct aiops_buf *b, const struct aiops_chart_panel *p,
    size_t n, int width);

/*
 * One line (no newline): the last history points then the forecast, width
 * cells in all (0: 60), each cell a block from U+2581 to U+2588, or one of
 * " .:-=+*#" when utf8 is 0; a '|' between history and forecast. Gaps are
 * spaces.
 */
void aiops_chart_spark(struct aiops_buf *b, const struct aiops_chart_panel *p,
    int width, int utf8);

#endif
