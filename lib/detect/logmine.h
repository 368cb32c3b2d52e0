/*
 * logmine: online log template mining (header split, masking, Drain-style
 * grouping) for aiops-detect.
 *
 * A line goes through three steps:
 *   1. header split (raw lines only, event/loghdr.h): time, level,
 *      component, pid and host are recognised from the line itself, no
 *      per-source format is given;
 *   2. masking: numbers, IPs, hex ids, UUIDs, paths, URLs and timestamps
 *      become <*> inside each whitespace-separated token;
 *   3. mining: the masked tokens join the most similar template of the same
 *      length and first token, or start a new one; differing tokens are
 *      generalised to <*>.
 * Template ids are assigned once and never change; templates only ever get
 * more general, so a line that matched a template keeps matching it.
 *
 * Typical use (one miner per stream or per source, not thread-safe):
 *
 *	struct aiops_logmine *lm = aiops_logmine_new();
 *	struct aiops_logline l;
 *
 *	aiops_logmine_load(lm, saved, savedlen);	(optional: resume)
 *	while (read a line) {
 *		if (aiops_logmine_add(lm, line, len, AIOPS_LOGMINE_RAW, &l))
 *			err(...);
 *		l.template_id, l.tmpl, l.params[i], l.severity, l.ts, ...
 *		if (l.is_new)		a never-seen template
 *		if (l.is_changed)	store the refined template again
 *	}
 *	text = aiops_logmine_save(lm, &textlen);	(persist, then free)
 *	aiops_logmine_free(lm);
 *
 * Template conventions follow the corrected Loghub ground truth: <*> takes
 * the variable part of a token and keeps punctuation and "key=" around it;
 * an IP with its port is one <*>; a date written with blanks is one <*>.
 */
#ifndef AIOPS_LOGMINE_H
#define AIOPS_LOGMINE_H

#include <stddef.h>
#include <stdint.h>

#include "event/loghdr.h"
#include "event/severity.h"

struct aiops_logmine;

/* Pass to aiops_logmine_add(): the line has a header to split off first. */
enum aiops_logmine_flags {
	AIOPS_LOGMINE_RAW = 1 << 0,
	/*
	 * Match only: a line that fits no template makes none and comes
	 * back with template_id 0 (tmpl NULL, no params, count 0, its
	 * severity from its level or guessed from the message); the miner is
	 * not changed by it. A line that fits one joins it as usual.
	 */
	AIOPS_LOGMINE_NO_NEW = 1 << 1
};

/*
 * Filled by aiops_logmine_add().  String fields are <pointer, length>; they
 * point into the caller's line (header fields, message, params) or into the
 * miner (template) and stay valid until the next call that changes the
 * miner.  An absent field is NULL with length 0.
 */
struct aiops_logline {
	const char *ts;		size_t ts_len;
	const char *level;	size_t level_len;
	const char *component;	size_t component_len;
	const char *host;	size_t host_len;
	const char *pid;	size_t pid_len;
	const char *message;	size_t message_len;

	uint64_t template_id;
	const char *tmpl;	size_t tmpl_len;
	int is_new;		/* this line created the template */
	int is_changed;		/* this line generalised the template */
	uint64_t count;		/* lines seen for this template so far */

	size_t nparams;		/* one per <*> in the template */
	const char **params;
	const size_t *param_lens;

	int severity;		/* enum aiops_severity: level, else guessed */
};

struct aiops_logmine *aiops_logmine_new(void);
void aiops_logmine_free(struct aiops_logmine *);

/*
 * Share (0 to 1] of a template's constant tokens a line must repeat to join
 * it: Drain's similarity threshold.  0.72 unless set.
 */
void aiops_logmine_set_similarity(struct aiops_logmine *, double);

/*
 * Mine one line (no trailing newline needed; a trailing CR/LF is ignored).
 * flags: AIOPS_LOGMINE_RAW to split the header first, 0 when the line is
 * already the message.  Returns 0, or -1 with errno set (ENOMEM).
 */
int aiops_logmine_add(struct aiops_logmine *, const char *line, size_t len,
    int flags, struct aiops_logline *out);

/* The miner's own learner, for its raw lines. */
struct aiops_loghdr *aiops_logmine_loghdr(struct aiops_logmine *);

/*
 * Severity (enum aiops_severity) guessed from message words ("failed",
 * "panic", ...): not level words, so not event/severity.h's vocabulary.
 */
int aiops_logmine_guess_severity(const char *msg, size_t len);

/*
 * Mask one token into out (capacity at least 3 * len + 1; NUL-terminated).
 * Returns the masked length.
 */
size_t aiops_logmine_mask_token(const char *tok, size_t len, char *out);

/* Number of templates, and the current template of an id (NULL if none). */
size_t aiops_logmine_count(const struct aiops_logmine *);
const char *aiops_logmine_template(const struct aiops_logmine *, uint64_t id,
    uint64_t *count);

/* Call fn for each template in id order; stop early if it returns non-zero. */
int aiops_logmine_foreach(const struct aiops_logmine *,
    int (*fn)(void *arg, uint64_t id, const char *tmpl, uint64_t count),
    void *arg);

/*
 * Persistence.  save() returns a malloc'd text, one template per line:
 * "id<TAB>count<TAB>template\n".  load() reads that text (e.g. from SQLite)
 * into an empty or live miner; restore() adds one template row.  Ids given
 * later continue after the largest id restored.
 */
char *aiops_logmine_save(const struct aiops_logmine *, size_t *len);
int aiops_logmine_load(struct aiops_logmine *, const char *buf, size_t len);
int aiops_logmine_restore(struct aiops_logmine *, uint64_t id,
    const char *tmpl, size_t len, uint64_t count);

#endif /* AIOPS_LOGMINE_H */
