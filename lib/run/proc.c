/*
 * proc.c: one action as a child process (run/proc.h has the rules).
 */
#include "compat.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/xmalloc.h"
#include "run/proc.h"

extern char **environ;

/*
 * The environment of the child: ours, with o->env's "NAME=value" over it
 * (a new array of borrowed strings; free the array only).
 */
static char **
child_env(char *const *set)
{
	size_t n = 0, k = 0, i, j, len;
	char **env;

	while (environ[n] != NULL)
		n++;
	while (set != NULL && set[k] != NULL)
		k++;
	env = xcalloc(n + k + 1, sizeof(*env));
	for (i = 0, n = 0; environ[i] != NULL; i++) {
		for (j = 0; j < k; j++) {
			len = strcspn(set[j], "=") + 1;
			if (strncmp(environ[i], set[j], len) == 0)
				break;
		}
		if (j == k)
			env[n++] = environ[i];
	}
	for (j = 0; j < k; j++)
		env[n++] = set[j];
	return env;
}

/*
 * Starts argv with posix_spawnp(3) (a vfork underneath: starting an action
 * costs what exec costs, not a copy of this process's page tables): in a
 * process group of its own, standard input /dev/null, output and errors
 * on out, every signal default and unblocked. 0 with *pid, or an errno.
 */
static int
spawn(char *const argv[], const struct aiops_proc_opts *o, int out, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	char **env = child_env(o->env);
	int rc;

	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out, 1);
	posix_spawn_file_actions_adddup2(&fa, out, 2);
	if (o->cwd != NULL)
		posix_spawn_file_actions_addchdir_np(&fa, o->cwd);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	rc = posix_spawnp(pid, argv[0], &fa, &at, argv, env);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	free(env);
	return rc;
}

/* Appends n bytes to r's output, keeping the last max. */
static void
keep(struct aiops_proc_result *r, const char *p, size_t n, size_t max)
{
	size_t drop;

	if (n >= max) {
		r->dropped += r->len + n - max;
		memcpy(r->output, p + n - max, max);
		r->len = max;
		return;
	}
	if (r->len + n > max) {
		drop = r->len + n - max;
		memmove(r->output, r->output + drop, r->len - drop);
		r->len -= drop;
		r->dropped += drop;
	}
	memcpy(r->output + r->len, p, n);
	r->len += n;
}

/* Reads what the pipe has now; 0 at its end, 1 when it may hold more. */
static int
drain_pipe(int fd, struct aiops_proc_result *r, size_t max)
{
	char buf[8192];
	ssize_t got;

	for (;;) {
		got = read(fd, buf, sizeof(buf));
		if (got > 0) {
			keep(r, buf, (size_t)got, max);
			continue;
		}
		if (got == 0)
			return 0;
		if (errno == EINTR)
			continue;
		return errno == EAGAIN ? 1 : 0;
	}
}

/*
 * A descriptor that polls readable when pid exits (pidfd_open(2), Linux
 * 5.3), or -1: then the wait below naps a millisecond at a time.
 */
static int
exit_fd(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	return -1;
#endif
}

/* Waits for pid, reading its output, killing its group at the deadline. */
static void
supervise(pid_t pid, int fd, const struct aiops_proc_opts *o, struct aiops_proc_result *r)
{
	size_t max = o->output_max ? o->output_max : AIOPS_PROC_OUTPUT_MAX;
	int64_t grace = o->grace_ns > 0 ? o->grace_ns : AIOPS_PROC_GRACE;
	int64_t deadline = o->timeout_ns > 0 ? aiops_monotonic_ns() + o->timeout_ns : 0;
	int open = 1, st, termed = 0, wait_ms, pfd = exit_fd(pid), n;
	struct pollfd p[2];
	pid_t w;

	for (;;) {
		w = waitpid(pid, &st, WNOHANG);
		if (w == pid)
			break;
		if (deadline != 0 && aiops_monotonic_ns() >= deadline) {
			kill(-pid, termed ? SIGKILL : SIGTERM);
			r->timed_out = 1;
			deadline = termed ? 0 : aiops_monotonic_ns() + grace;
			termed = 1;
		}
		wait_ms = pfd != -1 ? -1 : 1;
		if (deadline != 0) {
			int64_t left = (deadline - aiops_monotonic_ns()) / 1000000;

			if (wait_ms == -1 || left < wait_ms)
				wait_ms = left < 0 ? 0 : (int)left + 1;
		}
		n = 0;
		if (open)
			p[n++] = (struct pollfd){ .fd = fd, .events = POLLIN };
		if (pfd != -1)
			p[n++] = (struct pollfd){ .fd = pfd, .events = POLLIN };
		if (poll(p, (nfds_t)n, wait_ms) > 0 && open && p[0].revents != 0)
			open = drain_pipe(fd, r, max);
	}
	if (pfd != -1)
		close(pfd);
	if (open)
		drain_pipe(fd, r, max);	/* what it wrote; a daemon it left may write on */
	if (WIFEXITED(st)) {
		r->exit_status = WEXITSTATUS(st);
	} else {
		r->exit_status = -1;
		r->signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
	}
	r->output[r->len] = '\0';
}

int
aiops_proc_run(char *const argv[], const struct aiops_proc_opts *o,
    struct aiops_proc_result *r, char *err, size_t errlen)
{
	size_t max = o->output_max ? o->output_max : AIOPS_PROC_OUTPUT_MAX;
	int out[2], e;
	pid_t pid;

	if (argv[0] == NULL || argv[0][0] == '\0') {
		snprintf(err, errlen, "no program to run");
		return -1;
	}
	if (pipe2(out, O_CLOEXEC) == -1) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	e = spawn(argv, o, out[1], &pid);
	close(out[1]);
	if (e != 0) {
		close(out[0]);
		snprintf(err, errlen, "%s: %s", argv[0], strerror(e));
		return -1;
	}
	if (o->started != NULL)
		o->started(o->arg, pid);
	memset(r, 0, sizeof(*r));
	r->output = xmalloc(max + 1);
	fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK);
	supervise(pid, out[0], o, r);
	close(out[0]);
	return 0;
}

int
aiops_proc_identity(pid_t pid, char *buf, size_t len)
{
	char path[64], line[1024], *p;
	unsigned long long start;
	FILE *fp;
	int i;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	p = fgets(line, sizeof(line), fp);
	fclose(fp);
	/* The name (field 2) may hold spaces and parentheses: count from the last ')'. */
	if (p == NULL || (p = strrchr(line, ')')) == NULL)
		return -1;
	for (i = 2; i < 22 && p != NULL; i++)
		p = strchr(p + 1, ' ');
	if (p == NULL || sscanf(p + 1, "%llu", &start) != 1)
		return -1;
	snprintf(buf, len, "%ld:%llu", (long)pid, start);
	return 0;
}

int
aiops_proc_alive(const char *identity)
{
	char now[64];
	long pid;

	if (identity == NULL || sscanf(identity, "%ld:", &pid) != 1 || pid <= 0)
		return 0;
	if (aiops_proc_identity((pid_t)pid, now, sizeof(now)) == -1)
		return 0;
	return strcmp(now, identity) == 0;
}

/*
 * ansible-playbook refuses to start without a UTF-8 locale ("Ansible
 * requires the locale encoding to be UTF-8"), and cron and systemd give
 * none: a playbook runs under C.UTF-8 unless ours already is UTF-8.
 */
char *const *
aiops_proc_playbook_env(void)
{
	static char lc[] = "LC_ALL=C.UTF-8";
	static char *const env[] = { lc, NULL };
	const char *v = getenv("LC_ALL");

	if (v == NULL || *v == '\0')
		v = getenv("LC_CTYPE");
	if (v == NULL || *v == '\0')
		v = getenv("LANG");
	if (v != NULL && (strcasestr(v, "UTF-8") != NULL || strcasestr(v, "utf8") != NULL))
		return NULL;
	return env;
}
