/*
 * fuzz_http.c: libFuzzer harness for what lib/net parses from a server.
 *
 * Retry-After: never crashes; a delay is in [0, AIOPS_RETRY_AFTER_MAX];
 * digits alone give their value (clamped). The line splitter (LF and CR
 * modes) and the SSE parser: the input fed whole, byte by byte, and cut
 * in two at a point the input picks give the same lines, events and
 * counts, with a small max_line so the long-line path runs too. URL
 * redaction: never crashes, never prints a control byte.
 */
#include "compat.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "net/http.h"
#include "net/lines.h"
#include "net/retry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_retry_after(const char *s, size_t n)
{
	int64_t d, want = 0;
	size_t i;
	int digits = n > 0;

	if (aiops_retry_after_parse(s, n, 1750000000LL * 1000000000LL, &d) != 0)
		return;
	if (d < 0 || d > AIOPS_RETRY_AFTER_MAX)
		abort();
	for (i = 0; i < n && digits; i++)
		digits = s[i] >= '0' && s[i] <= '9';
	if (!digits)
		return;
	for (i = 0; i < n && want <= AIOPS_RETRY_AFTER_MAX / 1000000000LL; i++)
		want = want * 10 + (s[i] - '0');
	want = want > AIOPS_RETRY_AFTER_MAX / 1000000000LL ? AIOPS_RETRY_AFTER_MAX : want * 1000000000LL;
	if (d != want)
		abort();
}

static int
join_line(const char *line, size_t len, void *arg)
{
	struct aiops_buf *b = arg;

	aiops_buf_addf(b, "%zu:", len);
	aiops_buf_add(b, line, len);
	return 0;
}

/* step 0: cut at `cut`; else pieces of step bytes. */
static void
run_lines(const char *s, size_t n, size_t max, unsigned flags, size_t step, size_t cut,
    struct aiops_buf *out)
{
	struct aiops_lines l;
	size_t i;

	aiops_lines_init(&l, max, flags);
	if (step == 0) {
		aiops_lines_feed(&l, s, cut, join_line, out);
		aiops_lines_feed(&l, s + cut, n - cut, join_line, out);
	} else
		for (i = 0; i < n; i += step)
			aiops_lines_feed(&l, s + i, n - i < step ? n - i : step, join_line, out);
	aiops_lines_finish(&l, join_line, out);
	aiops_buf_addf(out, "|%llu", (unsigned long long)l.too_long);
	aiops_lines_release(&l);
}

static int
same(const struct aiops_buf *a, const struct aiops_buf *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

static void
check_lines(const char *s, size_t n, size_t max, unsigned flags, size_t cut)
{
	struct aiops_buf whole = AIOPS_BUF_INIT, bytes = AIOPS_BUF_INIT, two = AIOPS_BUF_INIT;

	run_lines(s, n, max, flags, n > 0 ? n : 1, 0, &whole);
	run_lines(s, n, max, flags, 1, 0, &bytes);
	run_lines(s, n, max, flags, 0, cut, &two);
	if (!same(&whole, &bytes) || !same(&whole, &two))
		abort();
	aiops_buf_release(&whole);
	aiops_buf_release(&bytes);
	aiops_buf_release(&two);
}

static int
join_event(const struct aiops_sse_event *ev, void *arg)
{
	struct aiops_buf *b = arg;

	if (ev->data_len > 4096)
		abort();	/* max_line bounds the joined data */
	aiops_buf_addf(b, "%zu:", ev->type_len);
	aiops_buf_add(b, ev->type, ev->type_len);
	aiops_buf_addf(b, "%zu:", ev->data_len);
	aiops_buf_add(b, ev->data, ev->data_len);
	aiops_buf_addf(b, "%zu:", ev->id_len);
	aiops_buf_add(b, ev->id, ev->id_len);
	aiops_buf_addf(b, "%lld;", (long long)ev->retry_ms);
	return 0;
}

static void
run_sse(const char *s, size_t n, size_t max, size_t step, size_t cut, struct aiops_buf *out)
{
	struct aiops_sse sse;
	size_t i;

	aiops_sse_init(&sse, max, join_event, out);
	if (step == 0) {
		aiops_sse_feed(&sse, s, cut);
		aiops_sse_feed(&sse, s + cut, n - cut);
	} else
		for (i = 0; i < n; i += step)
			aiops_sse_feed(&sse, s + i, n - i < step ? n - i : step);
	aiops_sse_finish(&sse);
	aiops_buf_addf(out, "|%llu|%llu", (unsigned long long)sse.dropped,
	    (unsigned long long)sse.lines.too_long);
	aiops_sse_release(&sse);
}

static void
check_sse(const char *s, size_t n, size_t max, size_t cut)
{
	struct aiops_buf whole = AIOPS_BUF_INIT, bytes = AIOPS_BUF_INIT, two = AIOPS_BUF_INIT;

	run_sse(s, n, max, n > 0 ? n : 1, 0, &whole);
	run_sse(s, n, max, 1, 0, &bytes);
	run_sse(s, n, max, 0, cut, &two);
	if (!same(&whole, &bytes) || !same(&whole, &two))
		abort();
	aiops_buf_release(&whole);
	aiops_buf_release(&bytes);
	aiops_buf_release(&two);
}

static void
check_redact(const char *s, size_t n)
{
	struct aiops_buf b = AIOPS_BUF_INIT;
	char *url = malloc(n + 1);
	size_t i;

	if (url == NULL)
		return;
	memcpy(url, s, n);
	url[n] = '\0';
	aiops_http_redact_url(url, (unsigned)n & (AIOPS_HTTP_SECRET_PATH | AIOPS_HTTP_SECRET_QUERY), NULL, &b);
	for (i = 0; i < b.len; i++)
		if ((unsigned char)b.data[i] < 0x20)
			abort();
	aiops_buf_release(&b);
	free(url);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data + (size > 0 ? 1 : 0);
	size_t n = size > 0 ? size - 1 : 0, max, cut;

	/* The first byte picks max_line and the cut; the rest is the input. */
	max = size > 0 ? (size_t)(data[0] & 63) + 1 : 8;
	cut = size > 0 ? (size_t)data[0] * 7 % (n + 1) : 0;
	check_retry_after(s, n);
	check_lines(s, n, max, 0, cut);
	check_lines(s, n, max, AIOPS_LINES_CR, cut);
	check_sse(s, n, max * 8, cut);
	check_redact(s, n);
	return 0;
}
