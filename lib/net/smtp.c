/*
 * smtp.c: one mail over libcurl's SMTP (smtp.h).
 */
#include "compat.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/xmalloc.h"
#include "net/http.h"
#include "net/redact.h"
#include "net/secret.h"
#include "net/smtp.h"

#define PASSWORD_MAX	1024

struct upload {
	const char	*p;
	size_t		 left;
};

static size_t
on_read(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct upload *u = arg;
	size_t n = size * nmemb < u->left ? size * nmemb : u->left;

	memcpy(buf, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

static struct curl_slist *
recipients(const char *const *rcpt, size_t nrcpt)
{
	struct curl_slist *l = NULL, *t;
	size_t i;

	for (i = 0; i < nrcpt; i++) {
		if ((t = curl_slist_append(l, rcpt[i])) == NULL)
			xoom(0);
		l = t;
	}
	return l;
}

static enum aiops_http_outcome
classify(CURLcode rc, long code, enum aiops_http_reason *reason)
{
	if (rc == CURLE_OK) {
		*reason = AIOPS_HTTP_R_NONE;
		return AIOPS_HTTP_OK;
	}
	if (rc == CURLE_LOGIN_DENIED) {
		*reason = AIOPS_HTTP_R_4XX;
		return AIOPS_HTTP_PERMANENT;
	}
	if (code >= 400 && code <= 499) {
		*reason = AIOPS_HTTP_R_5XX;	/* a transient reply: as a 5xx of HTTP */
		return AIOPS_HTTP_RETRY;
	}
	if (code >= 500 && code <= 599) {
		*reason = AIOPS_HTTP_R_4XX;	/* a permanent reply: as a 4xx of HTTP */
		return AIOPS_HTTP_PERMANENT;
	}
	return aiops_http_classify((int)rc, 0, reason);
}

static void
set_options(CURL *e, const struct aiops_smtp *cfg, char *errbuf)
{
	long verify = (cfg->flags & AIOPS_HTTP_NO_VERIFY) ? 0L : 1L;

	curl_easy_setopt(e, CURLOPT_URL, cfg->url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(e, CURLOPT_USE_SSL, cfg->require_tls ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, verify);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
	if (cfg->ca_file != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO, cfg->ca_file);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	    cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms : (long)AIOPS_HTTP_CONNECT_TIMEOUT_MS);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, cfg->timeout_ms > 0 ? cfg->timeout_ms : (long)AIOPS_HTTP_TIMEOUT_MS);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
}

static void
describe(const struct aiops_smtp *cfg, const char *detail, long code, char *err, size_t errlen)
{
	struct aiops_buf b = AIOPS_BUF_INIT;

	aiops_buf_addstr(&b, "SMTP ");
	aiops_http_redact_url(cfg->url, 0, NULL, &b);
	aiops_buf_addf(&b, ": %s", detail);
	if (code > 0)
		aiops_buf_addf(&b, " (last reply %ld)", code);
	aiops_redact_scrub(&b, cfg->url, 0, NULL, NULL, 0);
	aiops_redact_controls(&b);
	snprintf(err, errlen, "%s", b.data);
	aiops_buf_release(&b);
}

enum aiops_http_outcome
aiops_smtp_send(const struct aiops_smtp *cfg, const char *from, const char *const *rcpt,
    size_t nrcpt, const char *msg, size_t len, enum aiops_http_reason *reason, char *err,
    size_t errlen)
{
	char pw[PASSWORD_MAX], errbuf[CURL_ERROR_SIZE] = "", why[256];
	struct upload up = { msg, len };
	struct curl_slist *to = NULL;
	enum aiops_http_outcome o;
	long code = 0;
	CURLcode rc;
	CURL *e;

	err[0] = '\0';
	*reason = AIOPS_HTTP_R_REQUEST;
	if (cfg->url == NULL || from == NULL || nrcpt == 0) {
		snprintf(err, errlen, "SMTP: no URL, sender or recipient");
		return AIOPS_HTTP_PERMANENT;
	}
	if (cfg->username != NULL &&
	    (cfg->password_file == NULL || aiops_secret_read_file(cfg->password_file, pw, sizeof(pw), why, sizeof(why)) != 0)) {
		describe(cfg, cfg->password_file == NULL ? "a username without a password file" : why, 0, err, errlen);
		return AIOPS_HTTP_PERMANENT;
	}
	if ((e = curl_easy_init()) == NULL)
		xoom(0);
	set_options(e, cfg, errbuf);
	if (cfg->username != NULL) {
		curl_easy_setopt(e, CURLOPT_USERNAME, cfg->username);
		curl_easy_setopt(e, CURLOPT_PASSWORD, pw);
	}
	curl_easy_setopt(e, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(e, CURLOPT_MAIL_RCPT, to = recipients(rcpt, nrcpt));
	curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(e, CURLOPT_READDATA, &up);
	curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	rc = curl_easy_perform(e);
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
	if (cfg->username != NULL)
		explicit_bzero(pw, sizeof(pw));
	curl_slist_free_all(to);
	curl_easy_cleanup(e);
	o = classify(rc, code, reason);
	if (o != AIOPS_HTTP_OK)
		describe(cfg, errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc), code, err, errlen);
	return o;
}
