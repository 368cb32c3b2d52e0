/*
 * cmds.h: aiops-ingest's subcommands and modes beside reading files, each
 * in its own file of bin/ingest. argv[0] is the subcommand's name; each
 * returns the exit status.
 */
#ifndef AIOPS_INGEST_CMDS_H
#define AIOPS_INGEST_CMDS_H

#include <stdint.h>

/* aiops-ingest cluster add|update|remove|list|show|check (cluster.c) */
int ingest_cluster_main(int argc, char **argv);
/* aiops-ingest token add|list|revoke|rotate (token.c) */
int ingest_token_main(int argc, char **argv);
/* aiops-ingest poll: the pollers (poll.c) */
int ingest_poll_main(int argc, char **argv);

struct aiops_cli;
struct aiops_ingest_opts;

/* What --listen and --replay take from the command line and the configuration. */
struct ingest_listen_args {
	struct aiops_cli		*cli;
	const struct aiops_ingest_opts	*opts;		/* host, cluster, source defaults */
	const char			*listen;	/* ADDRESS:PORT */
	int64_t				 retention;	/* of points (ingest.retention) */
	int64_t				 alert_retention;
	int64_t				 alert_expire;
	int64_t				 from_seq;	/* > 0: write out from this event */
	const char			*cursor;	/* --cursor, or NULL */
	int				 no_output;	/* --store-only */
};

/* aiops-ingest --listen (listen.c) */
int ingest_listen(const struct ingest_listen_args *a);
/* aiops-ingest --replay (listen.c) */
int ingest_replay(const struct ingest_listen_args *a);

#endif
