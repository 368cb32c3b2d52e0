/*
 * clusters.h: the cluster registry of aiops-ingest (table clusters).
 *
 * A cluster is a name, an environment (prod, staging, dev), a type
 * (kubernetes, slurm, baremetal...), labels, whether it has GPUs, its
 * endpoints and, per endpoint, the name of a file holding its credential
 * (never the credential). labels, endpoints and credentials are JSON
 * objects kept as text: the caller makes and reads them.
 *
 * Its health comes from polls of its endpoints (aiops_cluster_health()):
 * status is online, degraded, offline or unknown (never polled), since
 * status_since; failures counts the polls in a row where no endpoint
 * answered; health is the JSON of the last poll's answers.
 *
 * Times are int64 nanoseconds since the epoch, stored to the millisecond.
 * Strings given are borrowed; strings read back are new and the list's
 * release frees them. Functions return -1 on a failure that
 * aiops_state_errmsg() describes.
 */
#ifndef AIOPS_CLUSTERS_STORE_H
#define AIOPS_CLUSTERS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "store/state.h"

struct aiops_cluster {
	const char	*name;
	const char	*environment;	/* prod | staging | dev */
	const char	*type;
	const char	*labels;	/* JSON object of strings */
	int		 has_gpu;
	const char	*endpoints;	/* JSON object: endpoint -> URL or host:port */
	const char	*credentials;	/* JSON object: endpoint -> file name */
	int64_t		 created;
	int64_t		 updated;
	const char	*status;	/* online | degraded | offline | unknown */
	int64_t		 status_since;	/* 0: never polled */
	int		 failures;
	const char	*health;	/* JSON, or NULL before any poll */
};

struct aiops_cluster_list {
	struct aiops_cluster	*v;
	size_t			 n;
};

/* What aiops_cluster_list() keeps: NULL strings and has_gpu -1 keep all. */
struct aiops_cluster_filter {
	const char	*environment;
	const char	*type;
	int		 has_gpu;	/* 0, 1, or -1 for either */
};

/*
 * Registers c (status unknown, created and updated c->created; its status
 * fields are ignored). *added is 0, and nothing changes, when a cluster
 * already has its name. 0, or -1.
 */
int aiops_cluster_add(struct aiops_state *st, const struct aiops_cluster *c, int *added);
/*
 * Replaces the environment, type, labels, has_gpu, endpoints and
 * credentials of the cluster c->name, updated at c->updated; its health is
 * kept. *found is 0 when there is no such cluster. 0, or -1.
 */
int aiops_cluster_update(struct aiops_state *st, const struct aiops_cluster *c, int *found);
/* Removes cluster name; *found 0 when there was none. 0, or -1. */
int aiops_cluster_remove(struct aiops_state *st, const char *name, int *found);
/* Cluster name into l (0 or 1 entries). 0, or -1. */
int aiops_cluster_get(struct aiops_state *st, const char *name, struct aiops_cluster_list *l);
/* The clusters f keeps (NULL: all), by name. 0, or -1. */
int aiops_cluster_list(struct aiops_state *st, const struct aiops_cluster_filter *f,
    struct aiops_cluster_list *l);
/*
 * Records a poll of cluster name at now: its status, failures in a row and
 * health (JSON); status_since becomes now when the status changes. *found
 * 0 when there is no such cluster. 0, or -1.
 */
int aiops_cluster_health(struct aiops_state *st, const char *name, const char *status,
    int failures, const char *health, int64_t now, int *found);
void aiops_cluster_list_release(struct aiops_cluster_list *l);

#endif
