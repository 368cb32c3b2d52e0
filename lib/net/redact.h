/*
 * redact.h: keeping secrets out of the err strings of net/ (http.h says
 * which parts of a request are secret). Internal to lib/net.
 */
#ifndef AIOPS_NET_REDACT_H
#define AIOPS_NET_REDACT_H

#include <stddef.h>

#include "core/buf.h"
#include "net/http.h"

/* Is this request header's value a secret (marked, or by its name)? */
int aiops_redact_header_secret(const struct aiops_http_header *hd);

/*
 * Replaces in b every occurrence of every secret of the request with
 * "***": secret header values (and the credential after an auth scheme,
 * "Bearer <token>"), the URL's userinfo, secret query values and, with
 * AIOPS_HTTP_SECRET_PATH, the path; raw and percent-decoded forms.
 * Longest first, so a secret inside another does not leave pieces.
 */
void aiops_redact_scrub(struct aiops_buf *b, const char *url, unsigned flags,
    const char *const *secret_params, const struct aiops_http_header *headers, size_t nheaders);

/* Replaces control bytes (below 0x20, and 0x7f) with '?', as git's vreportf(). */
void aiops_redact_controls(struct aiops_buf *b);

#endif
