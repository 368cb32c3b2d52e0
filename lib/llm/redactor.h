/*
 * redactor.h: what aiops-ask sends to a language model, scrubbed first.
 * Questions and tool results (log lines, annotations, host names) may go to
 * a remote model: each sensitive part is replaced with a placeholder, and
 * the model's answer gets the originals back (except secrets). Not the
 * lib/net/redact.h of HTTP error strings.
 *
 * Placeholders are "[IP_n]", "[EMAIL_n]", "[SECRET_n]", "[HOST_n]",
 * "[MAC_n]", n from 1 per family. Within one redactor (a session) the same
 * original, byte for byte, always gets the same placeholder, so the model
 * can refer to it; spellings that differ (case, IPv6 zeros) are different
 * originals. URL credentials take SECRET placeholders.
 *
 * What is matched (PCRE2 patterns, ASCII, on bytes: text that is not
 * UTF-8 passes through; the bytes of a match are replaced whole):
 *   IP      IPv4 dotted quads (octets 0-255, no leading zero) that are not
 *           part of a longer dotted number (1.2.3.4.5); IPv6 full,
 *           compressed, with an embedded IPv4 or a %zone; not "::" alone,
 *           nor 12:30:45. A /prefix belongs to the original.
 *   EMAIL   local@domain.tld, local part [A-Za-z0-9._%+-]{1,64}, a first
 *           domain label not all digits, a TLD of letters in one case.
 *   SECRET  the credential after "Bearer " and in Authorization: headers;
 *           the value (only) of key=value, key: value, "key":"value" where
 *           the key ends in password, passwd, secret, token, api_key,
 *           apikey, access_key, secret_key, private_key, client_secret (any
 *           case, '-' or '_' or nothing inside); AWS key ids (AKIA, ASIA),
 *           GitHub tokens (ghp_ gho_ ghu_ ghs_ ghr_ github_pat_), Slack
 *           tokens (xox[abprs]-), JWTs (eyJ.x.y), PEM private key blocks
 *           (to the END line, or to the end of the text when it is
 *           missing), aiops listener tokens (aiops_<id>_<secret>), and a
 *           hex or base64 word of 32+ characters with a digit and a letter
 *           when a key-like word comes right before it (key, secret, token,
 *           signature, sig, credential, auth, hmac, passphrase, password).
 *           aiops's 16-hex fingerprints and ids, and sha256 template ids
 *           with no key-like word before them, are left alone.
 *   MAC     aa:bb:cc:dd:ee:ff, aa-bb-..., aabb.ccdd.eeff.
 *   URLCRED the userinfo "user:pass" of scheme://user:pass@host.
 *   HOST    the names given to aiops_redactor_add_host(), whole words, any
 *           case (also a leading part of a dotted word: web1 in web1.lan);
 *           and FQDN-shaped words with at least two dots whose last label
 *           is a two-letter ccTLD (less a few file extensions: gz, js,
 *           py...) or a usual gTLD or private suffix (com, net, org, io,
 *           local, internal, lan, corp...). Words right after a single '/'
 *           (file paths) are not hosts; after "//" (URLs) they are.
 *
 * Limits: heuristics, not a guarantee. A version "1.2.3.4" looks like an
 * IP; a Java package ending in a TLD-like word looks like a host; a secret
 * in a shape not listed, or a JSON value with an escaped quote inside,
 * can get through (partly). Where matches overlap, the strongest kind
 * (SECRET and URLCRED, then EMAIL, IP, MAC, HOST) wins and the weaker
 * match is dropped ("pass@host" in https://user:pass@host is no e-mail);
 * overlapping matches of one kind are replaced as their union.
 *
 * Placeholders typed in the input ("[IP_1]") are not confused with ours:
 * their numbers are reserved before numbering, and restore only maps the
 * placeholders this redactor made.
 *
 * Memory: the redactor keeps the originals (secrets too, wiped on free) so
 * that it can number them; aiops_redactor_free() frees them. The compiled
 * patterns are made once per process, shared, and kept until exit. A
 * redactor is used by one thread at a time; distinct redactors may run in
 * threads at once.
 */
#ifndef AIOPS_LLM_REDACTOR_H
#define AIOPS_LLM_REDACTOR_H

#include <jansson.h>
#include <stddef.h>

#include "core/buf.h"

enum aiops_redactor_kind {
	AIOPS_REDACT_IP		= 1 << 0,
	AIOPS_REDACT_EMAIL	= 1 << 1,
	AIOPS_REDACT_SECRET	= 1 << 2,
	AIOPS_REDACT_HOST	= 1 << 3,
	AIOPS_REDACT_MAC	= 1 << 4,
	AIOPS_REDACT_URLCRED	= 1 << 5
};

/* Host names are optional: turn AIOPS_REDACT_HOST on for them. */
#define AIOPS_REDACT_DEFAULT	(AIOPS_REDACT_IP | AIOPS_REDACT_EMAIL | \
	AIOPS_REDACT_SECRET | AIOPS_REDACT_MAC | AIOPS_REDACT_URLCRED)
#define AIOPS_REDACT_ALL	(AIOPS_REDACT_DEFAULT | AIOPS_REDACT_HOST)

/* Distinct originals (and typed placeholders reserved) a redactor holds. */
#define AIOPS_REDACTOR_MAX	100000

struct aiops_redactor;

/*
 * A new redactor for the kinds (an OR of enum aiops_redactor_kind; 0
 * redacts nothing), or NULL with err filled (unknown kind bits, or the
 * patterns failed to compile).
 */
struct aiops_redactor *aiops_redactor_new(unsigned kinds, char *err, size_t errlen);
/* Wipes the originals and frees r; NULL is a no-op. */
void aiops_redactor_free(struct aiops_redactor *r);

/*
 * Adds a host name to redact (when AIOPS_REDACT_HOST is on): letters,
 * digits, '.', '-', '_', at most 253 bytes; a trailing '.' is dropped.
 * 0, or -1 with errno EINVAL for anything else. Adding one twice is fine.
 */
int aiops_redactor_add_host(struct aiops_redactor *r, const char *host);

/*
 * Appends text (len bytes, any bytes) to out with each sensitive part
 * replaced by its placeholder. 0, or -1 with out as it was before the call
 * and errno ENOMEM (PCRE2 could not allocate), E2BIG (more than
 * AIOPS_REDACTOR_MAX originals) or ERANGE (a PCRE2 match limit): fails
 * closed, nothing of text is appended.
 */
int aiops_redactor_apply(struct aiops_redactor *r, const char *text, size_t len,
    struct aiops_buf *out);

/*
 * The reverse, on the model's answer: appends text to out with each
 * placeholder this redactor made replaced by its original, except SECRET
 * ones, which stay "[SECRET_n]" (a secret never comes back into an answer
 * that may be logged). Other placeholders are left as they are. 0, or -1
 * with errno ENOMEM and out as it was.
 */
int aiops_redactor_restore(const struct aiops_redactor *r, const char *text, size_t len,
    struct aiops_buf *out);

/*
 * A new value like v with every string in it redacted: strings, object
 * values, array items and object keys. With AIOPS_REDACT_SECRET a string
 * under a key that names a secret (the key names of key=value above, and
 * authorization) is replaced whole: {"password": "x"} has no "password="
 * for the text rules to see. Numbers, booleans and null are copied. NULL
 * on failure, as aiops_redactor_apply(). v is borrowed.
 */
json_t *aiops_redactor_apply_json(struct aiops_redactor *r, const json_t *v);

/*
 * Distinct originals found by that kind's rules so far. URL credentials
 * count under AIOPS_REDACT_URLCRED, not AIOPS_REDACT_SECRET, though they
 * share the SECRET placeholders.
 */
size_t aiops_redactor_count(const struct aiops_redactor *r, enum aiops_redactor_kind kind);

#endif
