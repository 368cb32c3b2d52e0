/*
 * tokens.h: the bearer tokens of aiops-ingest's HTTP listener (table
 * ingest_tokens). A token is "aiops_<id>_<secret>" (lib/net/token.h): the
 * id is public and the row's key, the secret is kept only as the SHA-256
 * of its 43 characters.
 *
 * The name is unique and always names the current token. A rotation gives
 * the name a new row (new id and secret, same scopes) and keeps the old
 * row under "NAME~OLDID": revoked at once, or, with a grace, left live
 * until now + grace (its expires, never later than it already was), so
 * clients can move over. '~' is refused in names (aiops_token_name_ok), so
 * such a name is never an operator's. Revoking NAME revokes NAME~* too.
 *
 * Times are int64 nanoseconds since the epoch, stored to the millisecond;
 * 0 for "none" (expires, revoked, last_used). Strings read back are new
 * and aiops_token_list_release() frees them. Functions return -1 on a
 * failure that aiops_state_errmsg() describes.
 */
#ifndef AIOPS_TOKENS_STORE_H
#define AIOPS_TOKENS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "store/state.h"

#define AIOPS_TOKEN_ID_LEN	12	/* lowercase hex digits */
#define AIOPS_TOKEN_HASH_LEN	32	/* SHA-256 */
#define AIOPS_TOKEN_NAME_MAX	64	/* bytes, without the NUL */

struct aiops_token_row {
	char		 id[AIOPS_TOKEN_ID_LEN + 1];
	char		*name;
	unsigned char	 hash[AIOPS_TOKEN_HASH_LEN];
	char		*scopes;	/* "write alerts": one space between */
	int64_t		 created;
	int64_t		 expires;	/* 0: never */
	int64_t		 revoked;	/* 0: not revoked */
	int64_t		 last_used;	/* 0: never */
};

struct aiops_token_list {
	struct aiops_token_row	*v;
	size_t			 n;
};

/* Adds t (last_used and revoked ignored). 0; 1 when its name is taken
 * (by a revoked token too); -1. */
int aiops_tokens_add(struct aiops_state *st, const struct aiops_token_row *t);
/* Every token, rotated and revoked ones included, by name. 0, or -1. */
int aiops_tokens_list(struct aiops_state *st, struct aiops_token_list *l);
/* The token whose name or id is key into l (0 or 1 entries). 0, or -1. */
int aiops_tokens_get(struct aiops_state *st, const char *key, struct aiops_token_list *l);
/*
 * The live tokens at now (not revoked, expires 0 or after now): what the
 * listener builds its aiops_tokenset from. 0, or -1.
 */
int aiops_tokens_live(struct aiops_state *st, int64_t now, struct aiops_token_list *l);
/*
 * Revokes at now the token whose name or id is key, and when key is a
 * name the rows it was rotated from (NAME~ID). *n: rows revoked now (0:
 * none found, or all revoked already). 0, or -1.
 */
int aiops_tokens_revoke(struct aiops_state *st, const char *key, int64_t now, size_t *n);
/*
 * Rotates the token named fresh->name, whose current id is old_id, to
 * fresh (new id and hash; the caller keeps the name and scopes and sets
 * created and expires): the old row becomes NAME~OLDID, revoked at now
 * when grace is 0, else live until now + grace (or its own expiry if
 * sooner). One transaction (the caller's, if open). 0; 1 when old_id is
 * not the current token of that name any more (raced); -1.
 */
int aiops_tokens_rotate(struct aiops_state *st, const char *old_id,
    const struct aiops_token_row *fresh, int64_t now, int64_t grace);
/*
 * Sets last_used to now for the n tokens ids (never moving it back), in
 * one transaction (the caller's, if open): the listener's batch. 0, or -1.
 */
int aiops_tokens_touch(struct aiops_state *st, const char *const *ids, size_t n, int64_t now);
void aiops_token_list_release(struct aiops_token_list *l);

#endif
