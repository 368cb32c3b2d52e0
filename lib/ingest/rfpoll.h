/*
 * rfpoll.h: Redfish services (BMCs) read over HTTPS for aiops-ingest poll
 * (issue 15; DMTF DSP0266 and the DSP0268 schemas).
 *
 * From the service root /redfish/v1/ the crawl follows, by their
 * "@odata.id" links: Chassis and Systems (collections), each member of
 * them, and each chassis's Thermal and Power resources. Each level is
 * fetched for every target at once (net/http.h aiops_http_multi), so a
 * round costs four round trips whatever the number of BMCs and chassis.
 * At most RF_MAX_FETCHES resources are read per target.
 *
 * What comes of it (aiops_redfish_result_emit()):
 *   - each Thermal and Power resource goes to the "redfish" format
 *     (redfish.c: temperatures, fans, voltages, power, supplies, and
 *     redfish_health{kind} of their members);
 *   - Status.Health of each chassis and each system becomes
 *     redfish_health{kind="chassis",chassis=ID} or
 *     redfish_health{kind="system",system=ID}, on redfish.c's scale:
 *     OK 1, Warning 0.5, Critical 0; a resource out of service (State
 *     Absent, Disabled...) or without a Health gives none.
 *
 * Authentication is the caller's headers (Basic, or a session's
 * X-Auth-Token); TLS is verified unless the caller's flags say not
 * (AIOPS_HTTP_NO_VERIFY), against ca_file when given.
 */
#ifndef AIOPS_INGEST_RFPOLL_H
#define AIOPS_INGEST_RFPOLL_H

#include <jansson.h>
#include <stddef.h>

#include "ingest/ingest.h"
#include "net/http.h"

#define RF_MAX_FETCHES	256

struct aiops_redfish_target {
	const char			*url;		/* https://host[:port]; a path is ignored */
	const struct aiops_http_header	*headers;	/* authentication */
	size_t				 nheaders;
	const char			*ca_file;	/* or NULL: the system's */
	unsigned			 flags;		/* AIOPS_HTTP_NO_VERIFY... */
	long				 timeout_ms;	/* per request; 0: net/http.h's */
	size_t				 max_body;	/* 0: net/http.h's */
};

struct aiops_redfish_health {
	char	*kind;		/* "chassis" or "system" */
	char	*id;		/* the last part of its @odata.id */
	double	 value;		/* 1 OK, 0.5 Warning, 0 Critical */
};

struct aiops_redfish_result {
	json_t				*docs;		/* Thermal and Power resources (array) */
	struct aiops_redfish_health	*health;
	size_t				 nhealth;
	size_t				 fetches;
	int				 failed;	/* err: the first failure; what came is kept */
	char				 err[AIOPS_HTTP_ERRSZ + 128];
};

/*
 * Crawls targets[0..n), results[i] for targets[i] (initialised here;
 * release them with aiops_redfish_result_release()), with at most
 * parallel requests in flight (0: net/http.h's default). Returns the
 * number of targets that failed, wholly or in part.
 */
size_t aiops_redfish_poll(struct aiops_http *h, const struct aiops_redfish_target *targets,
    struct aiops_redfish_result *results, size_t n, unsigned parallel);
/*
 * Writes r's events through ing: 0, or -1 when a resource was refused by
 * the format (ing->err says why; the others are written).
 */
int aiops_redfish_result_emit(struct aiops_ingest *ing, const struct aiops_redfish_result *r);
void aiops_redfish_result_release(struct aiops_redfish_result *r);

#endif
