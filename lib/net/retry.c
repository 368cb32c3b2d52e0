/*
 * retry.c: Retry-After and the backoff schedule (see retry.h).
 */
#include "compat.h"

#include <curl/curl.h>
#include <stdint.h>
#include <string.h>

#include "core/timeutil.h"
#include "net/retry.h"

#define NS	AIOPS_NS_PER_SEC
/* Longer than any HTTP-date form (asctime's is 24 bytes) with some slack. */
#define RA_DATE_MAX	64

static int
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* delay-seconds = 1*DIGIT; any number of digits, clamped. */
static int
parse_delay_seconds(const char *s, size_t n, int64_t *delay_ns)
{
	int64_t secs = 0;
	size_t i;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (secs <= AIOPS_RETRY_AFTER_MAX / NS)
			secs = secs * 10 + (s[i] - '0');
	}
	*delay_ns = secs > AIOPS_RETRY_AFTER_MAX / NS ? AIOPS_RETRY_AFTER_MAX : secs * NS;
	return 0;
}

static int
parse_http_date(const char *s, size_t n, int64_t now_ns, int64_t *delay_ns)
{
	char buf[RA_DATE_MAX];
	time_t t;
	int64_t at;

	/* An HTTP-date starts with a day name; curl_getdate() would also take "3pm". */
	if (n == 0 || n >= sizeof(buf) || !((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')))
		return -1;
	if (memchr(s, '\0', n) != NULL)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if ((t = curl_getdate(buf, NULL)) == -1)
		return -1;
	if ((int64_t)t > INT64_MAX / NS)
		at = INT64_MAX;
	else
		at = (int64_t)t * NS;
	if (at <= now_ns)
		*delay_ns = 0;
	else if ((now_ns < 0 && at > INT64_MAX + now_ns) || at - now_ns > AIOPS_RETRY_AFTER_MAX)
		*delay_ns = AIOPS_RETRY_AFTER_MAX;
	else
		*delay_ns = at - now_ns;
	return 0;
}

int
aiops_retry_after_parse(const char *s, size_t n, int64_t now_ns, int64_t *delay_ns)
{
	while (n > 0 && is_ows(*s))
		s++, n--;
	while (n > 0 && is_ows(s[n - 1]))
		n--;
	if (n > 0 && s[0] >= '0' && s[0] <= '9')
		return parse_delay_seconds(s, n, delay_ns);
	return parse_http_date(s, n, now_ns, delay_ns);
}

/* SplitMix64 (Steele, Lea, Flood 2014): one well-mixed word per input. */
static uint64_t
splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

int64_t
aiops_backoff_delay(const struct aiops_backoff *b, unsigned attempt, uint64_t seed)
{
	int64_t base = b->base_ns > 0 ? b->base_ns : NS;
	int64_t cap = b->cap_ns > 0 ? b->cap_ns : 3600 * NS;
	int64_t ceil = base;
	unsigned k;
	uint64_t r;

	if (cap < base)
		cap = base;
	for (k = 0; k < attempt && ceil < cap; k++)
		ceil = ceil > cap / 2 ? cap : ceil * 2;
	/* Uniform in [0, ceil]; the modulo bias, ceil / 2^64, is negligible. */
	r = splitmix64(seed ^ splitmix64((uint64_t)attempt + 1));
	return (int64_t)(r % ((uint64_t)ceil + 1));
}

int64_t
aiops_retry_next(const struct aiops_backoff *b, unsigned attempt, uint64_t seed,
    int64_t now_ns, const char *retry_after)
{
	int64_t delay = aiops_backoff_delay(b, attempt, seed), ra;

	if (retry_after != NULL &&
	    aiops_retry_after_parse(retry_after, strlen(retry_after), now_ns, &ra) == 0 && ra > delay)
		delay = ra;
	if (now_ns > INT64_MAX - delay)
		return INT64_MAX;
	return now_ns + delay;
}
