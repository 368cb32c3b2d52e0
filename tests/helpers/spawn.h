/*
 * spawn.h: starting a test server (a script in tests/helpers) from a C unit test.
 * The server prints its port on stdout; it exits by itself when its parent
 * dies or its --timeout passes, so a crashed test leaves nothing behind.
 */
#ifndef AIOPS_TEST_SPAWN_H
#define AIOPS_TEST_SPAWN_H

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The path of a helper script: $AIOPS_SRCDIR/tests/helpers/NAME, else dflt. */
static inline void
helper_path(char *buf, size_t sz, const char *name, const char *dflt)
{
	const char *src = getenv("AIOPS_SRCDIR");

	if (src != NULL)
		snprintf(buf, sz, "%s/tests/helpers/%s", src, name);
	else
		snprintf(buf, sz, "%s", dflt);
}

/* Runs argv (argv[0] a path) and reads the port it prints. pid, or -1. */
static inline pid_t
spawn_server(char *const argv[], int *port)
{
	struct pollfd pfd;
	char line[32];
	size_t len;
	ssize_t n = 0;
	pid_t pid;
	int fds[2];

	if (pipe(fds) != 0)
		return -1;
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	/* The whole line: closing the pipe before the server's write is
	 * done would make that write fail (EPIPE) and the server exit. */
	for (len = 0; len < sizeof(line) - 1 && memchr(line, '\n', len) == NULL; len += (size_t)n)
		if (poll(&pfd, 1, 10000) != 1 || (n = read(fds[0], line + len, sizeof(line) - 1 - len)) <= 0)
			break;
	close(fds[0]);
	line[len] = '\0';
	if (memchr(line, '\n', len) == NULL || (*port = atoi(line)) <= 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

static inline void
stop_server_pid(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
}

#endif
