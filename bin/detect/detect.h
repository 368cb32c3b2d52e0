/*
 * detect.h: the parts of aiops-detect (main.c: options and the input loop;
 * metrics.c: per-series metric detectors; logs.c: template mining and log
 * anomalies).
 */
#ifndef AIOPS_DETECT_H
#define AIOPS_DETECT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "cli.h"
#include "conf.h"
#include "hmap.h"
#include "mdetect.h"
#include "out.h"
#include "state.h"

/* Save models at least this often during a long run (points). */
#define DETECT_SAVE_EVERY	200000

struct detect {
	struct aiops_cli		 cli;
	struct aiops_conf		*cfg;
	struct aiops_state		*state;		/* NULL with --no-state */
	struct aiops_out		 out;
	int				 all;		/* --all: annotate every event */
	double				 threshold;	/* alert when score >= it */
	int				 threshold_set;
	struct aiops_mdetect_params	 params;
	const json_t			*overrides;	/* detect.metrics (borrowed) */
	const json_t			*counters;	/* detect.counters globs */
	struct aiops_hmap		 series;	/* series key -> struct series */
	struct aiops_buf		 scratch;
	unsigned long			 nmetrics;
	unsigned long			 nanomalies;
	unsigned long			 since_save;
	/* where the current input line is, for messages */
	const char			*name;
	unsigned long			 lineno;
	char				 err[512];
};

/* metrics.c */
/*
 * One metric event (ev, parsed from line[0..len), or line NULL when it
 * came from the state): score it, write it (with --all) and any anomaly.
 * 0, or -1 with d->err set (the event was malformed: nothing written).
 */
int detect_metric(struct detect *d, json_t *ev, const char *line, size_t len);
/* Feeds stored points since `since` (ns) through detect_metric. */
int detect_from_state(struct detect *d, int64_t since);
/* Saves the models that changed. 0, or -1 (message logged). */
int detect_save_models(struct detect *d);
void detect_metrics_free(struct detect *d);

#endif
