/*
 * proc.h: runs one action as a child process, the way aiops-run must:
 * argv straight to execvp(3) (no shell, so nothing in an argument is ever
 * interpreted), in a process group of its own so that a timeout kills
 * everything it started, standard input /dev/null, standard output and
 * error captured together (the last output_max bytes kept). Started with
 * posix_spawnp(3): what it costs is the exec, not a copy of the caller.
 * If the caller dies, the action runs on: whoever recovers its task kills
 * its process group (aiops-run(1) TASKS).
 *
 * A timeout sends SIGTERM to the whole group, then SIGKILL grace_ns later.
 * When the child itself exits, what it left running in its group (a
 * daemon it started without setsid, say) is left alone.
 *
 * Nothing here prints; errors go to err (what, NUL-terminated).
 */
#ifndef AIOPS_RUN_PROC_H
#define AIOPS_RUN_PROC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define AIOPS_PROC_OUTPUT_MAX	(64 * 1024)	/* default bytes of output kept */
#define AIOPS_PROC_GRACE	(5LL * 1000000000LL)	/* SIGTERM to SIGKILL, ns */

struct aiops_proc_opts {
	int64_t		 timeout_ns;	/* 0: none */
	int64_t		 grace_ns;	/* 0: AIOPS_PROC_GRACE */
	size_t		 output_max;	/* 0: AIOPS_PROC_OUTPUT_MAX */
	const char	*cwd;		/* NULL: ours */
	char *const	*env;		/* "NAME=value" set in the child (NULL-terminated), or NULL */
	/* Called once the child runs, with its process group; may be NULL. */
	void		(*started)(void *arg, pid_t pgid);
	void		*arg;
};

struct aiops_proc_result {
	int	 exit_status;	/* 0-255, or -1 when a signal ended it */
	int	 signal;	/* the signal that ended it, or 0 */
	int	 timed_out;	/* the timeout killed it */
	char	*output;	/* the end of its output, NUL-terminated: free(3) */
	size_t	 len;
	size_t	 dropped;	/* bytes of output before what is kept */
};

/*
 * Runs argv (argv[0] looked up in PATH) to its end or its timeout. 0 when
 * it ran (r filled; r->output to free), -1 when it could not be started
 * (err: "argv0: No such file or directory", say; r untouched).
 */
int aiops_proc_run(char *const argv[], const struct aiops_proc_opts *o,
    struct aiops_proc_result *r, char *err, size_t errlen);
/*
 * A name for a running process that a later process with the same pid
 * cannot have: "pid:start time" (the start time in clock ticks since boot,
 * field 22 of /proc/PID/stat). 0, or -1 when pid does not exist.
 */
int aiops_proc_identity(pid_t pid, char *buf, size_t len);
/* 1 when the process of identity (from aiops_proc_identity) still runs. */
int aiops_proc_alive(const char *identity);

/*
 * The environment ansible-playbook needs: it refuses to start without a
 * UTF-8 locale, and cron, systemd and tests give none. LC_ALL=C.UTF-8
 * unless ours is UTF-8 already (then NULL: ours). For aiops_proc_opts.env.
 */
char *const *aiops_proc_playbook_env(void);

#endif
