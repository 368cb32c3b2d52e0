/*
 * t_lines.c: the NDJSON line splitter and the Server-Sent Events parser
 * (HTML Living Standard §9.2.6), fed whole, byte by byte, and in every
 * two-piece split, which must all give the same lines and events.
 */
#include "compat.h"

#include <string.h>

#include "core/buf.h"
#include "net/lines.h"
#include "tap.h"

static int
join_line(const char *line, size_t len, void *arg)
{
	struct aiops_buf *b = arg;

	aiops_buf_addc(b, '<');
	aiops_buf_add(b, line, len);
	aiops_buf_addc(b, '>');
	return 0;
}

static int
stop_at_x(const char *line, size_t len, void *arg)
{
	join_line(line, len, arg);
	return len == 1 && line[0] == 'x' ? 42 : 0;
}

/* Lines of in (n bytes) fed in pieces of step bytes (0: a split at cut). */
static void
split_lines(const char *in, size_t n, size_t max, unsigned flags, size_t step, size_t cut,
    struct aiops_buf *out, uint64_t *too_long)
{
	struct aiops_lines l;
	size_t i;

	aiops_lines_init(&l, max, flags);
	if (step == 0) {
		aiops_lines_feed(&l, in, cut, join_line, out);
		aiops_lines_feed(&l, in + cut, n - cut, join_line, out);
	} else
		for (i = 0; i < n; i += step)
			aiops_lines_feed(&l, in + i, n - i < step ? n - i : step, join_line, out);
	aiops_lines_finish(&l, join_line, out);
	if (too_long != NULL)
		*too_long = l.too_long;
	aiops_lines_release(&l);
}

/* Checks that every way of cutting in gives want. */
static void
lines_case(const char *in, size_t max, unsigned flags, const char *want, uint64_t want_long,
    const char *name)
{
	struct aiops_buf out = AIOPS_BUF_INIT;
	size_t n = strlen(in), cut;
	uint64_t tl;
	int same = 1;

	split_lines(in, n, max, flags, n > 0 ? n : 1, 0, &out, &tl);
	is_str(out.data != NULL ? out.data : "", want, "%s: whole", name);
	is_int(tl, want_long, "%s: lines too long", name);
	aiops_buf_reset(&out);
	split_lines(in, n, max, flags, 1, 0, &out, &tl);
	same &= strcmp(out.data != NULL ? out.data : "", want) == 0 && tl == want_long;
	for (cut = 0; cut <= n; cut++) {
		aiops_buf_reset(&out);
		split_lines(in, n, max, flags, 0, cut, &out, &tl);
		same &= strcmp(out.data != NULL ? out.data : "", want) == 0 && tl == want_long;
	}
	ok(same, "%s: byte by byte and every split agree", name);
	aiops_buf_release(&out);
}

static void
test_lines(void)
{
	struct aiops_lines l;
	struct aiops_buf out = AIOPS_BUF_INIT;

	lines_case("a\nbb\n", 0, 0, "<a><bb>", 0, "LF");
	lines_case("a\r\nbb\r\n", 0, 0, "<a><bb>", 0, "CRLF");
	lines_case("a\n\nb", 0, 0, "<a><><b>", 0, "blank line kept, last line without LF");
	lines_case("a\rb\n", 0, 0, "<a\rb>", 0, "LF mode: a lone CR is data");
	lines_case("a\rb\r\nc\nd\r", 0, AIOPS_LINES_CR, "<a><b><c><d>", 0, "CR mode: CR, CRLF, LF");
	lines_case("a\r\r\nb", 0, AIOPS_LINES_CR, "<a><><b>", 0, "CR mode: CR then CRLF is two ends");
	lines_case("", 0, 0, "", 0, "empty input");
	lines_case("12345\n123456\n1234\n", 5, 0, "<12345><1234>", 1, "over max dropped, next kept");
	lines_case("12345\r\n", 5, 0, "<12345>", 0, "the CR does not count toward max");
	lines_case("1234567890123\nab", 5, 0, "<ab>", 1, "a very long line drained");
	lines_case("1234567", 5, 0, "", 1, "a long last line without LF");

	aiops_lines_init(&l, 0, 0);
	is_int(aiops_lines_feed(&l, "a\nx\nb\n", 6, stop_at_x, &out), 42, "the callback's stop value comes back");
	is_str(out.data, "<a><x>", "no line after the stop");
	aiops_lines_release(&l);
	aiops_buf_reset(&out);

	aiops_lines_init(&l, 0, 0);
	aiops_lines_feed(&l, "a\0b\n", 4, join_line, &out);
	ok(out.len == 5 && memcmp(out.data, "<a\0b>", 5) == 0, "NUL bytes pass through");
	aiops_lines_release(&l);
	aiops_buf_release(&out);
}

static int
join_event(const struct aiops_sse_event *ev, void *arg)
{
	struct aiops_buf *b = arg;

	aiops_buf_addc(b, '[');
	aiops_buf_add(b, ev->type, ev->type_len);
	aiops_buf_addc(b, '|');
	aiops_buf_add(b, ev->data, ev->data_len);
	aiops_buf_addc(b, '|');
	aiops_buf_add(b, ev->id, ev->id_len);
	aiops_buf_addf(b, "|%lld]", (long long)ev->retry_ms);
	return 0;
}

static void
sse_run(const char *in, size_t n, size_t max, size_t cut, struct aiops_buf *out, uint64_t *dropped)
{
	struct aiops_sse s;

	aiops_sse_init(&s, max, join_event, out);
	aiops_sse_feed(&s, in, cut);
	aiops_sse_feed(&s, in + cut, n - cut);
	aiops_sse_finish(&s);
	if (dropped != NULL)
		*dropped = s.dropped + s.lines.too_long;
	aiops_sse_release(&s);
}

static void
sse_case(const char *in, size_t max, const char *want, const char *name)
{
	struct aiops_buf out = AIOPS_BUF_INIT;
	size_t n = strlen(in), cut;
	int same = 1;

	sse_run(in, n, max, n, &out, NULL);
	is_str(out.data != NULL ? out.data : "", want, "SSE %s", name);
	for (cut = 0; cut <= n; cut++) {
		aiops_buf_reset(&out);
		sse_run(in, n, max, cut, &out, NULL);
		same &= strcmp(out.data != NULL ? out.data : "", want) == 0;
	}
	ok(same, "SSE %s: every split agrees", name);
	aiops_buf_release(&out);
}

#define BIG3	"data: 12345\ndata: 12345\ndata: 12345\n\ndata: ok\n\n"

static void
test_sse(void)
{
	struct aiops_buf out = AIOPS_BUF_INIT;
	uint64_t dropped;

	/* The standard's own examples (§9.2.6). */
	sse_case("data: YHOO\ndata: +2\ndata: 10\n\n", 0, "[message|YHOO\n+2\n10||-1]", "data lines joined");
	sse_case(": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n", 0,
	    "[message|first event|1|-1][message|second event||-1][message| third event||-1]",
	    "comments, id set and cleared, one space dropped");
	sse_case("data\n\ndata\ndata\n\ndata:\n", 0, "[message|||-1][message|\n||-1]",
	    "empty data lines: \"\", one LF; unfinished: discarded");
	sse_case("data:test\n\ndata: test\n\n", 0, "[message|test||-1][message|test||-1]", "the space is optional");
	/* OpenAI's stream shape. */
	sse_case("data: {\"c\":1}\r\n\r\ndata: [DONE]\r\n\r\n", 0, "[message|{\"c\":1}||-1][message|[DONE]||-1]", "CRLF");
	sse_case("data: a\r\rdata: b\r\r", 0, "[message|a||-1][message|b||-1]", "lone CRs");
	sse_case("\xEF\xBB\xBF" "data: bom\n\n", 0, "[message|bom||-1]", "a leading BOM is dropped");
	sse_case("data: x\n\n\xEF\xBB\xBF" "data: y\n\n", 0, "[message|x||-1]", "a BOM later is not (an unknown field)");
	sse_case("event: add\ndata: 1\n\ndata: 2\n\n", 0, "[add|1||-1][message|2||-1]", "event type resets after dispatch");
	sse_case("retry: 3000\ndata: r\n\nretry: 1x\ndata: s\n\n", 0, "[message|r||3000][message|s||3000]",
	    "retry: digits only");
	sse_case("id: 5\ndata: a\n\ndata: b\n\n", 0, "[message|a|5|-1][message|b|5|-1]", "the last id persists");
	sse_case("foo: bar\ndata: a\n\n", 0, "[message|a||-1]", "unknown fields ignored");
	sse_case("event: x\n\ndata: a\n\n", 0, "[message|a||-1]", "an event with no data is not dispatched, its type reset");
	sse_case("data: 123456\n\ndata: 12\ndata: 12\n\ndata: 1\n\n", 8, "[message|12\n12||-1][message|1||-1]",
	    "over max: a long line and long joined data dropped");

	aiops_buf_reset(&out);
	sse_run(BIG3, strlen(BIG3), 12, strlen(BIG3), &out, &dropped);
	is_str(out.data, "[message|ok||-1]", "joined data over max: the event dropped");
	is_int(dropped, 1, "and counted");
	aiops_buf_reset(&out);
	sse_run("id: a\0b\ndata: x\n\n", 17, 0, 17, &out, NULL);
	is_str(out.data, "[message|x||-1]", "an id with NUL is ignored");
	aiops_buf_release(&out);
}

int
main(void)
{
	test_lines();
	test_sse();
	return tap_done();
}
