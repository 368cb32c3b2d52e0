/*
 * incidents.h: the incidents of aiops-detect --correlate (table
 * incidents): anomalies and alerts grouped by time and host, with the
 * member suspected first. aiops-detect resumes the open ones; the
 * programs after it read them by time, host and status.
 */
#ifndef AIOPS_INCIDENTS_H
#define AIOPS_INCIDENTS_H

#include <stddef.h>
#include <stdint.h>

#include "store/state.h"

#define AIOPS_INCIDENT_IDLEN	16

/*
 * One incident. Given to aiops_incidents_put(), the pointers are borrowed;
 * from aiops_incidents_get() or _list() they are new, and
 * aiops_incident_release() or aiops_incident_list_release() frees them.
 * The JSON fields are compact JSON text, as the incident event has them,
 * except that each member (and the root cause) also has "_ns", its time
 * in ns, which orders members exactly when the incident is resumed.
 */
struct aiops_incident {
	char		 id[AIOPS_INCIDENT_IDLEN + 1];	/* incident_id, hex */
	const char	*status;	/* "open" or "resolved" */
	int64_t		 first_seen;	/* ns since the epoch (stored to the ms) */
	int64_t		 last_seen;	/* ns, likewise */
	const char	*hosts;		/* JSON array of host names */
	const char	*root_cause;	/* JSON object: the suspected member; or NULL */
	const char	*members;	/* JSON array of member objects */
	const char	*summary;	/* a sentence; or NULL */
	/* schema 9 on; NULL in a row of before */
	const char	*severity;	/* "critical", "warning" or "info" */
	const char	*title;		/* what happened, for a person */
	const char	*labels;	/* JSON object */
	const char	*fingerprint;	/* 16 hex digits, fixed at open */
};

/* Which incidents to read: all the fields together. */
struct aiops_incident_query {
	int64_t		 since;		/* ns: last seen at or after (to the ms); 0: any */
	int64_t		 until;		/* ns: first seen before (to the ms); 0: any */
	const char	*host;		/* only those on this host; NULL: all */
	const char	*status;	/* "open" or "resolved"; NULL: both */
	size_t		 limit;		/* only the latest limit of them; 0: all */
};

struct aiops_incident_list {
	struct aiops_incident	*v;	/* by first_seen, then id */
	size_t			 n;
};

/*
 * Stores inc: a new incident, or the next state of a stored one (all of
 * it replaced: an incident may learn of an earlier member). 0, or -1.
 */
int aiops_incidents_put(struct aiops_state *st, const struct aiops_incident *inc);
/*
 * Deletes the resolved incidents last seen before `before` (ns): the
 * retention of table incidents. 0, or -1.
 */
int aiops_incidents_expire(struct aiops_state *st, int64_t before);
/* The incident with this id: 1 and inc filled, 0 if none, -1 on error. */
int aiops_incidents_get(struct aiops_state *st, const char *id, struct aiops_incident *inc);
/*
 * The incidents q selects into l (which need not be initialized; on
 * error it is left empty). 0, or -1.
 */
int aiops_incidents_list(struct aiops_state *st, const struct aiops_incident_query *q,
    struct aiops_incident_list *l);
void aiops_incident_release(struct aiops_incident *inc);
void aiops_incident_list_release(struct aiops_incident_list *l);

#endif
