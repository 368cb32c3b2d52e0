/*
 * event.h: writing events of the contract in aiops(7). Every event starts
 * {"type":..,"ts":..,"id":..,"host":..,"cluster":..,"source":..,"labels":{..}
 * in that order (absent optional fields are left out), then its own fields.
 */
#ifndef AIOPS_EVENT_H
#define AIOPS_EVENT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "json/jw.h"

#define AIOPS_MAX_LABELS 64
#define AIOPS_EVENT_ID_LEN 16	/* hex digits of an id */

struct aiops_label {
	const char	*key;
	size_t		 klen;
	const char	*val;
	size_t		 vlen;
};

/*
 * Where a line was read in a file: the file's identity and the byte offset
 * of the line's start. The identity is aiops_file_identity()'s
 * (ingest/follow.h): a hash of the file's head, which a rename keeps, so a
 * file read again, by name or after its rotation, gives its lines the
 * same origins.
 */
struct aiops_origin {
	uint64_t			 file;
	int64_t				 offset;	/* bytes before the line */
};

/* Fields of the common head; NULL pointers are left out. */
struct aiops_event_head {
	const char			*type;
	int64_t				 ts;		/* ns since the epoch */
	const char			*host;
	size_t				 hlen;
	const char			*cluster;
	const char			*source;
	const struct aiops_label	*labels;
	size_t				 nlabels;
	/* Extra bytes that make the id unique (a name, a message...). */
	const char			*idkey;
	size_t				 idklen;
	/*
	 * Set for a line that carries no time of its own, read from a file:
	 * the id takes the origin in place of ts (which stays the time of
	 * reading), so reading the line again gives it the same id.
	 */
	const struct aiops_origin	*origin;
};

struct aiops_metric {
	int64_t				 ts;
	const char			*name;
	size_t				 nlen;
	double				 value;
	const char			*unit;		/* OpenMetrics UNIT ("seconds"), or NULL */
	/*
	 * The Prometheus metric type: "counter", "gauge", "histogram",
	 * "summary" or "untyped" (the exposition format's TYPE words), or
	 * NULL when the input does not say.
	 */
	const char			*metric_type;
	const char			*host;		/* or NULL */
	size_t				 hlen;
	const char			*cluster;	/* or NULL */
	const char			*source;
	struct aiops_label		*labels;	/* sorted in place by key */
	size_t				 nlabels;
};

/* Sorts labels by key (insertion sort: label sets are small). */
void aiops_labels_sort(struct aiops_label *l, size_t n);
/*
 * The fingerprint of a label set as Prometheus computes it (prometheus/
 * common model/signature.go LabelsToSignature): FNV-1a 64 over the pairs
 * sorted by name, each name and value followed by the byte 0xff; written
 * as AIOPS_EVENT_ID_LEN lower-case hex digits and a NUL. l must be sorted.
 */
void aiops_labels_fingerprint(const struct aiops_label *l, size_t n,
    char out[AIOPS_EVENT_ID_LEN + 1]);
/*
 * The id of the event h describes, as aiops(7) defines it: FNV-1a 64
 * (core/hash.h) over type, host, the labels in the order of their names
 * (whatever order h gives them in), idkey (eight bytes at a time) and ts,
 * or, when h->origin is set, the origin's file and offset in place of ts.
 * Stable: the same head gives the same id in every version.
 */
uint64_t aiops_event_id(const struct aiops_event_head *h);
/* An id as the event writes it: AIOPS_EVENT_ID_LEN lower-case hex digits, NUL. */
void aiops_event_id_text(uint64_t id, char out[AIOPS_EVENT_ID_LEN + 1]);
/*
 * Opens the event object and writes the head, labels in name order, and
 * returns its id (aiops_event_id()), for a caller that stores or cites the
 * event. The caller adds its fields with the aiops_jw_k*() calls and
 * closes the event with aiops_jw_object_end().
 */
uint64_t aiops_event_begin(struct aiops_jw *w, const struct aiops_event_head *h);
/*
 * Opens an input event again for a filter to add its fields (aiops(7):
 * filters add fields, the others pass untouched). ev (borrowed) is the
 * event parsed from line[0..len), which is copied as it is but for its
 * closing brace; without a line (NULL, or not ending in '}'), ev's members
 * are written. As after aiops_event_begin(), the caller adds fields and
 * closes the object with aiops_jw_object_end().
 */
void aiops_event_reopen(struct aiops_jw *w, const json_t *ev, const char *line, size_t len);
/* A whole metric event (sorts m->labels). */
void aiops_event_metric(struct aiops_jw *w, struct aiops_metric *m);
/*
 * The series key of a metric: name{host="h",k="v",...} with sorted labels,
 * quoted as in the Prometheus text format. Appended to b.
 */
void aiops_series_key(struct aiops_buf *b, const struct aiops_metric *m);

#endif
