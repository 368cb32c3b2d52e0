/*
 * anomalies.h: every anomaly aiops-detect found (table anomalies), kept
 * with the event it wrote, for the programs that come after it
 * (aiops-notify, aiops-ask) to read by time and by host.
 */
#ifndef AIOPS_ANOMALIES_H
#define AIOPS_ANOMALIES_H

#include <stddef.h>
#include <stdint.h>

#include "store/state.h"

#define AIOPS_ANOMALY_IDLEN	16

/*
 * One anomaly. Given to aiops_anomalies_add(), the pointers are borrowed;
 * from aiops_anomalies_get() or _list() they are new, and
 * aiops_anomaly_release() or aiops_anomaly_list_release() frees them.
 * Strings read back are NUL-terminated (hlen and elen are their lengths).
 */
struct aiops_anomaly {
	char		 id[AIOPS_ANOMALY_IDLEN + 1];	/* the event's id, hex */
	int64_t		 ts;		/* ns since the epoch (stored to the ms) */
	const char	*kind;		/* "metric" or "log" */
	const char	*series_key;	/* metric anomalies: the series; or NULL */
	const char	*name;		/* the metric, or log_new_template */
	const char	*host;		/* or NULL */
	size_t		 hlen;
	uint64_t	 template_id;	/* log anomalies; 0: none */
	double		 value;
	double		 score;		/* 0 to 1 */
	const char	*detector;	/* the test that fired (spike, new-template...) */
	const char	*reason;	/* a sentence */
	const char	*event;		/* the anomaly event as written, one JSON line */
	size_t		 elen;
};

/* Which anomalies to read: all the fields together. */
struct aiops_anomaly_query {
	int64_t		 since;		/* ns, from (to the ms); 0: the first */
	int64_t		 until;		/* ns, before (to the ms); 0: the last */
	const char	*host;		/* only this host's; NULL: every host's */
	size_t		 limit;		/* only the latest limit of them; 0: all */
};

struct aiops_anomaly_list {
	struct aiops_anomaly	*v;	/* oldest first (by ts, then id) */
	size_t			 n;
};

/* Stores a; an anomaly with the same id replaces it. 0, or -1. */
int aiops_anomalies_add(struct aiops_state *st, const struct aiops_anomaly *a);
/* The anomaly with this id: 1 and a filled, 0 if none, -1 on error. */
int aiops_anomalies_get(struct aiops_state *st, const char *id, struct aiops_anomaly *a);
/*
 * The anomalies q selects into l (which need not be initialized; on
 * error it is left empty). 0, or -1.
 */
int aiops_anomalies_list(struct aiops_state *st, const struct aiops_anomaly_query *q,
    struct aiops_anomaly_list *l);
void aiops_anomaly_release(struct aiops_anomaly *a);
void aiops_anomaly_list_release(struct aiops_anomaly_list *l);

#endif
