/*
 * event.h: writing events of the contract in aiops(7). Every event starts
 * {"type":..,"ts":..,"id":..,"host":..,"cluster":..,"source":..,"labels":{..}
 * in that order (absent optional fields are left out), then its own fields.
 */
#ifndef AIOPS_EVENT_H
#define AIOPS_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "json/jw.h"

#define AIOPS_MAX_LABELS 64

struct aiops_label {
	const char	*key;
	size_t		 klen;
	const char	*val;
	size_t		 vlen;
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
};

struct aiops_metric {
	int64_t				 ts;
	const char			*name;
	size_t				 nlen;
	double				 value;
	const char			*unit;		/* or NULL */
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
 * Opens the event object and writes the head; the caller adds its fields
 * and closes it with aiops_jw_object_end(). labels must be sorted.
 * id = FNV-1a over type, host, sorted labels, idkey (eight bytes at a time)
 * and ts.
 */
void aiops_event_begin(struct aiops_jw *w, const struct aiops_event_head *h);
/* A whole metric event (sorts m->labels). */
void aiops_event_metric(struct aiops_jw *w, struct aiops_metric *m);
/*
 * The series key of a metric: name{host="h",k="v",...} with sorted labels,
 * quoted as in the Prometheus text format. Appended to b.
 */
void aiops_series_key(struct aiops_buf *b, const struct aiops_metric *m);

#endif
