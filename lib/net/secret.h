/*
 * secret.h: credentials from files. A secret (a password, a routing key,
 * a signing key, a webhook URL that is itself a credential) is read from
 * a file only its owner may read, or from the environment; never from
 * argv or the configuration text, and never written to the state or to
 * a message.
 */
#ifndef AIOPS_NET_SECRET_H
#define AIOPS_NET_SECRET_H

#include <stddef.h>

/*
 * The first line of path (without its line end) into buf (size bytes,
 * NUL-terminated). The file must not be readable by group or others
 * (mode 0600 or 0400) and not be a symlink. 0, or -1 with "path: what" in
 * err (never the file's content).
 */
int aiops_secret_read_file(const char *path, char *buf, size_t size, char *err, size_t errlen);

#endif
