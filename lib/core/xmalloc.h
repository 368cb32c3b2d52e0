/*
 * xmalloc.h: allocation that cannot fail. On exhaustion these print a
 * message and exit with EX_OSERR (as tmux's xmalloc.h): callers never see
 * NULL. Sizes that come from input must be checked before they get here.
 */
#ifndef AIOPS_XMALLOC_H
#define AIOPS_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
int xasprintf(char **ret, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Reports that a library (libyaml, jansson...) ran out of memory; exits. */
void xoom(size_t size) __attribute__((noreturn));

#endif
