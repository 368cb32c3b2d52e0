/*
 * promapi.h: the answers of the Prometheus HTTP API's query endpoints
 * (/api/v1/query and /api/v1/query_range) as metric events, for the
 * pollers of aiops-ingest (bin/ingest/poll.c).
 *
 * {"status":"success","data":{"resultType":"vector|matrix|scalar|string",
 * "result":[...]},"warnings":[...]}: a vector item {"metric":{labels},
 * "value":[<unix seconds>,"<value>"]} is one event, a matrix item
 * {"metric":{...},"values":[[t,"v"],...]} one per point, a scalar
 * [t,"v"] one under the query's name; a string result makes none. The
 * name is the series' __name__, else the query's name; the other labels
 * are the event's. With a cluster, the event's cluster is it and so is
 * its label "cluster" (a series' own "cluster" label, a federated
 * Prometheus's, becomes "exported_cluster", as Prometheus does when it
 * scrapes with honor_labels false). Non-finite values ("NaN", "+Inf",
 * "-Inf") make no event: counted in ing->nonfinite and noted.
 *
 * The whole answer is checked before the first event is written: a
 * malformed one writes nothing.
 */
#ifndef AIOPS_INGEST_PROMAPI_H
#define AIOPS_INGEST_PROMAPI_H

#include <stddef.h>

#include "ingest/ingest.h"

struct aiops_promapi_result {
	unsigned long	 series;	/* series in the answer */
	unsigned long	 events;	/* events written */
	unsigned long	 warnings;	/* the answer's "warnings" */
	char		 warning[256];	/* the first of them, or "" */
	char		 error[512];	/* status "error": "errorType: error" */
};

/*
 * Writes the events of the answer body[0..len). name: the query's name,
 * for a scalar and series without __name__ (may be NULL); cluster: the
 * cluster asked, or NULL. 0 when written, 1 when the answer has status
 * "error" (res->error says what Prometheus said; nothing written), -1 when
 * it is malformed (ing->err says why; nothing written).
 */
int aiops_promapi_emit(struct aiops_ingest *ing, const char *body, size_t len,
    const char *name, const char *cluster, struct aiops_promapi_result *res);

#endif
