/*
 * retry.h: when to try a request again. No sleeping here: the caller (a
 * durable outbox, a poller's schedule) stores the time this computes and
 * acts on it, so a replay on the event-time clock gives the same schedule.
 *
 * Times are int64 nanoseconds (core/timeutil.h); now is the caller's clock
 * (core/clock.h aiops_clock_now()), never read here.
 */
#ifndef AIOPS_NET_RETRY_H
#define AIOPS_NET_RETRY_H

#include <stddef.h>
#include <stdint.h>

/*
 * Retry-After (RFC 9110 §10.2.3): "delay-seconds" (1*DIGIT) or an
 * HTTP-date (IMF-fixdate, and the obsolete RFC 850 and asctime forms that
 * §5.6.7 says a recipient must accept; read by libcurl's curl_getdate()).
 * Leading and trailing spaces and tabs are allowed. A date in the past is
 * a delay of 0. Delays above AIOPS_RETRY_AFTER_MAX are clamped to it, so a
 * hostile or broken server cannot park a message for years.
 * Returns 0 and sets *delay_ns, or -1 when s is neither form.
 */
#define AIOPS_RETRY_AFTER_MAX	(7LL * 86400 * 1000000000LL)	/* a week */
int aiops_retry_after_parse(const char *s, size_t n, int64_t now_ns, int64_t *delay_ns);

/*
 * Exponential backoff with full jitter ("Exponential Backoff And Jitter",
 * AWS Architecture Blog, Brooker 2015): attempt k (0 for the first retry)
 * waits a uniform random time in [0, min(cap, base * 2^k)]. The random
 * number comes from seed and k alone (SplitMix64), so the same seed (a
 * notification's id hash, say) gives the same schedule on every replay.
 */
struct aiops_backoff {
	int64_t	base_ns;	/* e.g. 1 s; <= 0 means 1 s */
	int64_t	cap_ns;		/* e.g. 10 min; <= 0 means 1 h; below base: base */
};

int64_t aiops_backoff_delay(const struct aiops_backoff *b, unsigned attempt, uint64_t seed);

/*
 * The time of the next attempt after a failed attempt number `attempt`
 * ended at now_ns: now + the backoff delay, or now + Retry-After when the
 * server asked for a later time (retry_after may be NULL or unparsable:
 * then it is ignored). Saturates instead of overflowing.
 */
int64_t aiops_retry_next(const struct aiops_backoff *b, unsigned attempt, uint64_t seed,
    int64_t now_ns, const char *retry_after);

#endif
