/*
 * smtp.h: sending one mail through libcurl's SMTP (issue 13's email
 * receiver). The message is the caller's, whole: RFC 5322 header fields,
 * a blank line and the body, lines ending in CRLF; libcurl adds the
 * dot-stuffing of RFC 5321 §4.5.2. Envelope sender and recipients are
 * given apart (MAIL FROM, RCPT TO).
 *
 * TLS: "smtps://host:465" is TLS from the start (RFC 8314); on
 * "smtp://host:587" STARTTLS (RFC 3207) is used when the server offers
 * it, and required when require_tls is set (a server that does not offer
 * it is then a permanent failure, never a plain-text fallback). The peer
 * is verified unless AIOPS_HTTP_NO_VERIFY.
 *
 * AUTH: username and a password read from password_file (its first line;
 * refused when group or others may read it, as ssh does with keys), never
 * from argv or the environment of a child. The password is wiped after
 * use. err strings follow http.h: URL without userinfo, no password.
 */
#ifndef AIOPS_NET_SMTP_H
#define AIOPS_NET_SMTP_H

#include <stddef.h>

#include "net/http.h"

struct aiops_smtp {
	const char	*url;		/* smtp://host[:port] or smtps://host[:port] */
	const char	*username;	/* NULL: no AUTH */
	const char	*password_file;
	int		 require_tls;
	const char	*ca_file;
	unsigned	 flags;		/* AIOPS_HTTP_NO_VERIFY only */
	long		 connect_timeout_ms;	/* 0: AIOPS_HTTP_CONNECT_TIMEOUT_MS */
	long		 timeout_ms;		/* 0: AIOPS_HTTP_TIMEOUT_MS */
};

/*
 * Sends msg (len bytes) from `from` to the nrcpt addresses of rcpt.
 * Returns the outcome and sets *reason; err gets a message when not ok.
 * Classification: the server's last reply code decides when there is one
 * (4xx transient: retry; 5xx: permanent, RFC 5321 §4.2.1), else the
 * transport's as for HTTP; a refused login is permanent.
 */
enum aiops_http_outcome aiops_smtp_send(const struct aiops_smtp *cfg, const char *from,
    const char *const *rcpt, size_t nrcpt, const char *msg, size_t len,
    enum aiops_http_reason *reason, char *err, size_t errlen);

#endif
