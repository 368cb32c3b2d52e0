/* The line reader over a pipe and a file: endings, limits, follow mode. */
#include "compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/linereader.h"
#include "tap.h"

/* A file holding s, opened for reading (the name is removed). */
static int
file_with(const char *s, size_t n)
{
	char path[] = "/tmp/t_linereader.XXXXXX";
	int fd = mkstemp(path);

	if (fd == -1 || write(fd, s, n) != (ssize_t)n)
		abort();
	unlink(path);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* All results of reading s joined: lines as "[text]", too long as "<N>". */
static const char *
read_all(const char *s, size_t n, size_t max_line)
{
	static char out[4096];
	struct aiops_lr *lr;
	const char *line;
	size_t len, o = 0;
	int fd = file_with(s, n), rc;

	lr = aiops_lr_new(fd, max_line, 0);
	out[0] = '\0';
	while ((rc = aiops_lr_next(lr, &line, &len)) != AIOPS_LR_EOF) {
		int w;

		if (rc == AIOPS_LR_LINE)
			w = snprintf(out + o, sizeof(out) - o, "[%.*s]", (int)len, line);
		else if (rc == AIOPS_LR_TOOLONG)
			w = snprintf(out + o, sizeof(out) - o, "<%zu>", len);
		else
			w = snprintf(out + o, sizeof(out) - o, "!");
		if (w < 0 || (size_t)w >= sizeof(out) - o || rc == AIOPS_LR_ERROR)
			break;
		o += (size_t)w;
	}
	aiops_lr_free(lr);
	close(fd);
	return out;
}

static void
test_follow(void)
{
	int fds[2];
	struct aiops_lr *lr;
	const char *line;
	size_t len;
	int rc;

	if (pipe(fds) == -1)
		abort();
	lr = aiops_lr_new(fds[0], 100, 0);
	aiops_lr_set_follow(lr, 1);
	(void)!write(fds[1], "one\npart", 8);
	close(fds[1]);
	rc = aiops_lr_next(lr, &line, &len);
	ok(rc == AIOPS_LR_LINE && len == 3 && memcmp(line, "one", 3) == 0, "follow: a whole line");
	rc = aiops_lr_next(lr, &line, &len);
	is_int(rc, AIOPS_LR_AGAIN, "follow: a partial last line waits");
	is_int(aiops_lr_offset(lr), 4, "follow: the offset stops after the last whole line");
	is_int(aiops_lr_pending(lr), 4, "follow: the partial line is pending");
	aiops_lr_set_follow(lr, 0);
	rc = aiops_lr_next(lr, &line, &len);
	ok(rc == AIOPS_LR_LINE && len == 4, "without follow the partial line is a line");
	is_int(aiops_lr_lineno(lr), 2, "line numbers count");
	aiops_lr_free(lr);
	close(fds[0]);
}

/* A 3 MB line: skipped under a 2 MB limit, returned whole under 4 MB. */
static void
test_big(void)
{
	size_t n = 3 * 1024 * 1024, i, len;
	char *s = malloc(n);
	const char *line;
	struct aiops_lr *lr;
	int fd;

	for (i = 0; i < n; i++)
		s[i] = (char)('a' + i % 26);
	s[1000] = '\n';
	s[n - 1] = '\n';
	fd = file_with(s, n);
	lr = aiops_lr_new(fd, 2 * 1024 * 1024, 0);
	ok(aiops_lr_next(lr, &line, &len) == AIOPS_LR_LINE && len == 1000, "the line before");
	ok(aiops_lr_next(lr, &line, &len) == AIOPS_LR_TOOLONG && len == n - 1002,
	    "a 3 MB line over a 2 MB limit is reported with its size");
	is_int(aiops_lr_offset(lr), n, "the offset is past it");
	is_int(aiops_lr_next(lr, &line, &len), AIOPS_LR_EOF, "then the end");
	aiops_lr_free(lr);
	lseek(fd, 0, SEEK_SET);
	lr = aiops_lr_new(fd, 4 * 1024 * 1024, 0);
	(void)aiops_lr_next(lr, &line, &len);
	ok(aiops_lr_next(lr, &line, &len) == AIOPS_LR_LINE && len == n - 1002 &&
	    memcmp(line, s + 1001, len) == 0, "under a 4 MB limit it is read whole");
	aiops_lr_free(lr);
	close(fd);
	free(s);
}

int
main(void)
{
	is_str(read_all("a\nb\n", 4, 100), "[a][b]", "two lines");
	is_str(read_all("a\r\nb", 4, 100), "[a][b]", "CRLF and a last line without newline");
	is_str(read_all("", 0, 100), "", "an empty input has no lines");
	is_str(read_all("\n\n", 2, 100), "[][]", "empty lines are lines");
	is_str(read_all("a\rb\n", 4, 100), "[a\rb]", "a lone CR stays");
	is_str(read_all("12345\n123456\nok\n", 16, 5), "[12345]<6>[ok]", "a line over the limit is skipped and reported");
	is_str(read_all("12345\r\n", 7, 5), "[12345]", "the CR of CRLF does not count against the limit");
	is_str(read_all("1234567890", 10, 5), "<10>", "an over-long last line without newline");
	test_follow();
	test_big();
	return tap_done();
}
