/*
 * models.h: the learned model of each metric series (table
 * detector_models), saved by aiops-detect so that the next run resumes
 * where the last one stopped.
 */
#ifndef AIOPS_MODELS_H
#define AIOPS_MODELS_H

#include <stddef.h>
#include <stdint.h>

#include "store/state.h"

/*
 * The metric's name and host are in the series key: they are not stored
 * apart (schema step 8 dropped them).
 * Given to aiops_models_put(), every pointer is borrowed. Filled by
 * aiops_models_get(), every pointer is new: aiops_model_release() frees
 * them.
 */
struct aiops_model {
	const char	*series_key;	/* name{host="...",labels}, aiops_series_key() */
	const void	*blob;		/* the model, as aiops_mdetect_save() wrote it */
	size_t		 len;		/* bytes of blob */
	int64_t		 counter_ts;	/* last raw sample of a counter, ns; 0: none */
	double		 counter_value;	/* its value */
	int64_t		 updated;	/* when saved, ns (stored to the ms) */
};

/* Inserts or replaces the model of m->series_key. 0, or -1. */
int aiops_models_put(struct aiops_state *st, const struct aiops_model *m);
/* The model of series_key: 1 and m filled, 0 if there is none, -1 on error. */
int aiops_models_get(struct aiops_state *st, const char *series_key, struct aiops_model *m);
/* Frees what aiops_models_get() put in m and zeroes it. */
void aiops_model_release(struct aiops_model *m);
/*
 * Deletes the models not updated since `before` (ns): the retention of
 * detector_models (detect.models.retention). A scan of the table, without
 * an index (an index on updated would hold every key a second time): run
 * it once a run. The number deleted, or -1.
 */
long long aiops_models_expire(struct aiops_state *st, int64_t before);
/*
 * Calls fn with the key of each stored model whose key begins with prefix,
 * in key order, until fn returns nonzero: a range of the primary key, so
 * it reads only those rows (aiops-detect finds the log templates that
 * have a rate model this way). 0 (or fn's value), or -1.
 */
int aiops_models_keys(struct aiops_state *st, const char *prefix,
    int (*fn)(void *arg, const char *key), void *arg);
/* Deletes the model of series_key, if there is one. 0, or -1. */
int aiops_models_delete(struct aiops_state *st, const char *series_key);

#endif
