/*
 * secret.c: credentials from files (secret.h).
 */
#include "compat.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "net/secret.h"

int
aiops_secret_read_file(const char *path, char *buf, size_t size, char *err, size_t errlen)
{
	struct stat st;
	ssize_t n;
	int fd;

	if (size < 2) {
		snprintf(err, errlen, "%s: no room for a secret", path);
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || (st.st_mode & 077) != 0) {
		snprintf(err, errlen, "%s: group or others may read it (chmod 600)", path);
		close(fd);
		return -1;
	}
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (buf[0] == '\0') {
		snprintf(err, errlen, "%s: no secret on its first line", path);
		return -1;
	}
	return 0;
}
