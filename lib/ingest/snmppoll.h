/*
 * snmppoll.h: SNMP GET and walk of agents with net-snmp's library, for
 * aiops-ingest poll (issue 15).
 *
 * Each target is an agent (host, host:port, or a net-snmp transport
 * address such as udp6:[::1]:161), spoken to in SNMPv2c with a community
 * or in SNMPv3 (USM) with a user and its authentication and privacy
 * passphrases. Its GETs fetch the OIDs named; its walks fetch every
 * variable of a subtree with GETBULK (max_repetitions at a time), and,
 * as snmpwalk does, a walk whose subtree is empty GETs its root. OIDs
 * are numeric: no MIB is loaded.
 *
 * The answers come back as text, one variable binding a line, exactly as
 * `snmpget -On` and `snmpwalk -On` print them (net-snmp's own
 * sprint_realloc_variable with numeric OIDs): the caller feeds the lines
 * to the "snmp" input format (lib/ingest/snmp.c), so that a poll and a
 * walk piped into aiops-ingest give the same events.
 *
 * Every target of one call is polled at once, on net-snmp's asynchronous
 * sessions in the calling thread; each target's requests go one after
 * the other, each with the target's timeout and retries (net-snmp's own).
 * net-snmp is not reentrant: calls are serialised by a lock. An SNMPv3
 * session learns the agent's engine ID when it opens, one target after
 * the other.
 *
 * Quiet: net-snmp reads no configuration file, loads no MIB, saves no
 * persistent state, and whatever it logs is kept (the last message, for
 * an error) and never printed. Secrets (the community, the passphrases)
 * are never in an error.
 */
#ifndef AIOPS_INGEST_SNMPPOLL_H
#define AIOPS_INGEST_SNMPPOLL_H

#include <stddef.h>

#include "core/buf.h"

#define AIOPS_SNMP_TIMEOUT_MS	1000	/* per try */
#define AIOPS_SNMP_RETRIES	1
#define AIOPS_SNMP_REPETITIONS	25	/* GETBULK max-repetitions */
#define AIOPS_SNMP_MAX_VARBINDS	100000	/* per target and poll */

struct aiops_snmp_target {
	const char		*peer;		/* host[:port] (port 161 by default) */
	int			 version;	/* 2 (v2c) or 3 */
	const char		*community;	/* v2c */
	const char		*user;		/* v3: the security name */
	const char		*auth_proto;	/* v3: MD5, SHA, SHA-224, SHA-256, SHA-384,
						 * SHA-512; NULL: noAuthNoPriv */
	const char		*auth_pass;
	const char		*priv_proto;	/* v3: DES, AES, AES-192, AES-256; NULL: no privacy */
	const char		*priv_pass;
	const char		*context;	/* v3 context name, or NULL */
	const char *const	*get;		/* numeric OIDs */
	size_t			 nget;
	const char *const	*walk;		/* numeric OIDs of subtrees */
	size_t			 nwalk;
	long			 timeout_ms;	/* per try; 0: AIOPS_SNMP_TIMEOUT_MS */
	int			 retries;	/* < 0: AIOPS_SNMP_RETRIES */
	int			 max_repetitions;	/* 0: AIOPS_SNMP_REPETITIONS */
};

struct aiops_snmp_result {
	struct aiops_buf	 text;		/* the bindings, `snmpget -On` lines */
	size_t			 nvarbinds;
	int			 failed;	/* err says why; text holds what came before */
	char			 err[512];
};

/*
 * The checks of a target that need no network: version, OIDs, protocols
 * and the passphrases' length (net-snmp wants 8 bytes at least). 0, or -1
 * with what is wrong in err.
 */
int aiops_snmp_check(const struct aiops_snmp_target *t, char *err, size_t errlen);
/*
 * Polls targets[0..n), results[i] for targets[i] (initialised here; the
 * caller releases them with aiops_snmp_result_release()). Returns the
 * number of targets that failed, wholly or in part.
 */
size_t aiops_snmp_poll(const struct aiops_snmp_target *targets, struct aiops_snmp_result *results,
    size_t n);
void aiops_snmp_result_release(struct aiops_snmp_result *r);
/* 1 when s is a numeric OID (".1.3.6" or "1.3.6"). */
int aiops_snmp_oid_valid(const char *s);

#endif
