/*
 * loghdr.h: the header of a raw log line (time, level, component, pid,
 * host) split from its message, for aiops-detect --raw and aiops-ingest's
 * text lines alike: one parser, so both read a line the same way.
 *
 * No format is configured.  A built-in grammar knows the common families
 * (syslog RFC 3164 and 5424, log4j, logcat, Apache, nginx, BGL, HPC,
 * Windows CBS, OpenStack, CRI, "TS|comp|pid|msg"...); a learner takes the
 * shape of a header it does not know from the first 32 lines of a source
 * (loghdr.c says how).  Strings are <pointer, length> into the line; an
 * absent field is NULL with length 0.
 */
#ifndef AIOPS_EVENT_LOGHDR_H
#define AIOPS_EVENT_LOGHDR_H

#include <stddef.h>

struct aiops_loghead {
	const char *ts;		size_t ts_len;	/* the text: core/logtime.h reads it */
	const char *level;	size_t level_len;
	const char *component;	size_t component_len;
	const char *host;	size_t host_len;
	const char *pid;	size_t pid_len;
	const char *message;	size_t message_len;
	int severity;		/* enum aiops_severity of the level or PRI, or -1 */
};

/* One source's learner (about 2 KiB); NULL when out of memory. */
struct aiops_loghdr *aiops_loghdr_new(void);
void aiops_loghdr_free(struct aiops_loghdr *);

/*
 * Split line (no trailing newline) into out; returns the offset of the
 * message.  lh: the source's learner, which learns from the line while it
 * is learning, then splits with the shape it learned where that shape
 * fits; NULL: the built-in grammar alone.
 */
size_t aiops_loghdr_split(struct aiops_loghdr *lh, const char *line,
    size_t len, struct aiops_loghead *out);

/*
 * For a caller that can hold lines back until the shape is known (so that
 * the first lines are split as the later ones): learning() is 1 until then;
 * sample() learns from a line without splitting it (split() it afterwards);
 * decide() learns from the lines sampled so far when no more can wait, if
 * they are 8 at least (else learning goes on).
 */
int aiops_loghdr_learning(const struct aiops_loghdr *);
void aiops_loghdr_sample(struct aiops_loghdr *, const char *line, size_t len);
void aiops_loghdr_decide(struct aiops_loghdr *);

/* Header words, reused to spot dates written with blanks inside messages. */
int aiops_loghdr_is_month(const char *p, size_t n);
int aiops_loghdr_is_wday(const char *p, size_t n);
int aiops_loghdr_is_time(const char *p, size_t n);

#endif /* AIOPS_EVENT_LOGHDR_H */
