/*
 * predictions.h: the predictions of aiops-forecast that stand (table
 * predictions), one per series and threshold, as last emitted, for
 * aiops-forecast to decide what is news (aiops-forecast(1): an ETA that
 * moved, an interval that changed side of the horizon, a prediction that
 * no longer holds) and for aiops-run and aiops-ask to read.
 */
#ifndef AIOPS_PREDICTIONS_H
#define AIOPS_PREDICTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "store/state.h"

/*
 * One prediction. Given to aiops_predictions_put(), the pointers are
 * borrowed; read back (aiops_predictions_of(), _list()) they are new
 * and aiops_prediction_list_release() frees them. Times are ns since the
 * epoch (stored to the ms).
 */
struct aiops_prediction {
	const char	*series_key;
	double		 threshold;
	const char	*direction;	/* "above" or "below" */
	const char	*name;		/* the metric */
	const char	*host;		/* or NULL */
	int64_t		 ts;		/* the series' last point when emitted */
	int64_t		 eta;		/* when the mean path reaches the threshold */
	int64_t		 eta_lo;	/* the earliest (the interval's near edge) */
	int64_t		 eta_hi;	/* the latest (its far edge), when has_eta_hi */
	int		 has_eta_hi;	/* 0: the far edge does not reach it in the horizon */
	int		 crossed;	/* already at or past the threshold */
	double		 value;		/* the last value */
	const char	*model;
	int64_t		 seen;		/* the toolkit clock of the last run that held it */
	const char	*event;		/* the prediction event as emitted, one JSON line */
	size_t		 elen;
};

struct aiops_prediction_list {
	struct aiops_prediction	*v;
	size_t			 n;
};

/* Stores p over the one of its series, threshold and direction. 0, or -1. */
int aiops_predictions_put(struct aiops_state *st, const struct aiops_prediction *p);
/* Sets seen of a stored prediction (that a run still holds it). 0, or -1. */
int aiops_predictions_touch(struct aiops_state *st, const char *series_key,
    double threshold, const char *direction, int64_t seen);
/* Deletes one. 0 (also when there was none), or -1. */
int aiops_predictions_delete(struct aiops_state *st, const char *series_key,
    double threshold, const char *direction);
/*
 * Those of a series into l (which need not be initialized; left empty on
 * error), by threshold then direction. 0, or -1.
 */
int aiops_predictions_of(struct aiops_state *st, const char *series_key,
    struct aiops_prediction_list *l);
/* All of them, soonest ETA first (then by series key). 0, or -1. */
int aiops_predictions_list(struct aiops_state *st, struct aiops_prediction_list *l);
/* Deletes those not held by a run since before (ns); how many in *n. 0, or -1. */
int aiops_predictions_expire(struct aiops_state *st, int64_t before, uint64_t *n);
void aiops_prediction_list_release(struct aiops_prediction_list *l);

#endif
