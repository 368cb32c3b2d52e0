/*
 * cmds.h: aiops-ingest's subcommands and modes beside reading files, each
 * in its own file of bin/ingest. argv[0] is the subcommand's name; each
 * returns the exit status.
 */
#ifndef AIOPS_INGEST_CMDS_H
#define AIOPS_INGEST_CMDS_H

/* aiops-ingest cluster add|update|remove|list|show|check (cluster.c) */
int ingest_cluster_main(int argc, char **argv);
/* aiops-ingest token add|list|revoke|rotate (token.c) */
int ingest_token_main(int argc, char **argv);
/* aiops-ingest poll: the pollers (poll.c) */
int ingest_poll_main(int argc, char **argv);

#endif
