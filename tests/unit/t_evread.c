/*
 * Reading events: one line at a time, and in batches parsed on two
 * threads, fed by the line reader as the filters feed them. Batches keep
 * the input order; malformed lines come back with their line numbers and
 * reasons; CRLF ends, blank lines and a last line without newline.
 */
#include "compat.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "event/evread.h"
#include "io/linereader.h"
#include "tap.h"

#define NLINES	5000	/* past two batches of 2048 */

/* What line n of the test input is: an event, blank, or malformed. */
enum kind { EVENT, BLANK, NOT_JSON, NOT_OBJECT };

static enum kind
kind_of(unsigned long n)
{
	if (n % 97 == 0)
		return NOT_JSON;
	if (n % 101 == 0)
		return NOT_OBJECT;
	if (n % 89 == 0)
		return BLANK;
	return EVENT;
}

/* The input: lines 1..NLINES, every third ending in CRLF, the last without newline. */
static void
make_input(struct aiops_buf *b)
{
	unsigned long n;

	for (n = 1; n <= NLINES; n++) {
		switch (kind_of(n)) {
		case EVENT:
			aiops_buf_addf(b, "{\"type\":\"metric\",\"n\":%lu,\"name\":\"m\"}", n);
			break;
		case BLANK:
			aiops_buf_addstr(b, n % 2 ? " \t" : "");
			break;
		case NOT_JSON:
			aiops_buf_addf(b, "{\"n\":%lu,", n);
			break;
		case NOT_OBJECT:
			aiops_buf_addf(b, "[%lu]", n);
			break;
		}
		if (n < NLINES)
			aiops_buf_addstr(b, n % 3 == 0 ? "\r\n" : "\n");
	}
}

static int
file_with(const char *s, size_t n)
{
	char path[] = "/tmp/t_evread.XXXXXX";
	int fd = mkstemp(path);

	if (fd == -1 || write(fd, s, n) != (ssize_t)n)
		abort();
	unlink(path);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

struct seen {
	unsigned long	 next;		/* line number expected next */
	unsigned long	 out_of_order, wrong, events, blanks, errors;
	const char	*name;
	char		 first_err[160];
};

static void
check_line(void *arg, const struct aiops_evline *l)
{
	struct seen *s = arg;
	enum kind k = kind_of(l->lineno);

	if (l->lineno != s->next || l->name != s->name)
		s->out_of_order++;
	s->next = l->lineno + 1;
	switch (l->rc) {
	case 0:
		s->events++;
		if (k != EVENT || json_integer_value(json_object_get(l->ev, "n")) !=
		    (json_int_t)l->lineno)
			s->wrong++;
		break;
	case 1:
		s->blanks++;
		if (k != BLANK || l->ev != NULL)
			s->wrong++;
		break;
	default:
		s->errors++;
		if ((k != NOT_JSON && k != NOT_OBJECT) || l->ev != NULL || l->err == NULL ||
		    strstr(l->err, k == NOT_JSON ? "invalid JSON at column" :
		    "expected a JSON object") == NULL)
			s->wrong++;
		if (s->first_err[0] == '\0')
			snprintf(s->first_err, sizeof(s->first_err), "%s:%lu: %s", l->name,
			    l->lineno, l->err);
	}
}

static void
test_batches(void)
{
	struct aiops_buf in = AIOPS_BUF_INIT;
	struct aiops_evbatch *b;
	struct aiops_lr *lr;
	struct seen s;
	const char *line;
	size_t len;
	unsigned long n, want_ev = 0, want_blank = 0, want_err = 0, runs = 0;
	int fd, rc;

	make_input(&in);
	fd = file_with(in.data, in.len);
	memset(&s, 0, sizeof(s));
	s.next = 1;
	s.name = "in.ndjson";
	b = aiops_evbatch_new();
	lr = aiops_lr_new(fd, AIOPS_MAX_LINE_DEFAULT, 0);
	while ((rc = aiops_lr_next(lr, &line, &len)) == AIOPS_LR_LINE)
		if (aiops_evbatch_add(b, s.name, line, len, aiops_lr_lineno(lr))) {
			aiops_evbatch_run(b, check_line, &s);
			runs++;
		}
	aiops_evbatch_run(b, check_line, &s);
	ok(rc == AIOPS_LR_EOF, "the input is read to its end");
	ok(runs >= 2, "in %lu full batches and a last one", runs);
	for (n = 1; n <= NLINES; n++) {
		switch (kind_of(n)) {
		case EVENT: want_ev++; break;
		case BLANK: want_blank++; break;
		default: want_err++; break;
		}
	}
	is_int(s.next, NLINES + 1, "every line is handed over, the last without newline too");
	is_int(s.out_of_order, 0, "in input order, with the input's name");
	is_int(s.events, want_ev, "%lu events parsed (CRLF ends among them)", want_ev);
	is_int(s.blanks, want_blank, "%lu blank lines passed as blank", want_blank);
	is_int(s.errors, want_err, "%lu malformed lines reported", want_err);
	is_int(s.wrong, 0, "each with the right object or reason");
	is_str(s.first_err, "in.ndjson:97: invalid JSON at column 8: string or '}' expected near end of file",
	    "a reason names the line and the column");
	/* The batch is reusable: a second input after the first. */
	memset(&s, 0, sizeof(s));
	s.next = 7;
	s.name = "again";
	aiops_evbatch_add(b, s.name, "{\"n\":7}", 7, 7);
	aiops_evbatch_add(b, s.name, "{\"n\":8}\r", 8, 8);
	aiops_evbatch_run(b, check_line, &s);
	ok(s.next == 9 && s.events == 2 && s.wrong == 0 && s.out_of_order == 0,
	    "a small batch parses on the calling thread alone; a CR before the end is blank space");
	aiops_lr_free(lr);
	aiops_evbatch_free(b);
	close(fd);
	aiops_buf_release(&in);
}

static int
line_rc(const char *line)
{
	char err[128];
	json_t *ev = NULL;
	int rc = aiops_evread_line(line, strlen(line), &ev, err, sizeof(err));

	json_decref(ev);
	return rc;
}

static void
test_line(void)
{
	char err[128];
	int64_t ts;
	json_t *ev;

	is_int(line_rc("{\"type\":\"log\"}"), 0, "an object");
	is_int(line_rc("{\"type\":\"log\"}\r"), 0, "an object before a CR");
	is_int(line_rc(""), 1, "an empty line is blank");
	is_int(line_rc(" \t "), 1, "spaces and tabs are blank");
	is_int(line_rc(" \r"), 1, "so is a CR left by a last line without newline");
	is_int(line_rc("\"x\""), -1, "a string is not an event");
	is_int(line_rc("{\"a\":1} {\"b\":2}"), -1, "nor are two objects on a line");
	ev = json_pack("{s:s}", "ts", "2026-11-15T01:00:00.5+01:00");
	ok(aiops_evread_ts(ev, &ts, err, sizeof(err)) == 0 && ts == 1794700800500000000LL,
	    "ts: RFC 3339 with an offset");
	json_object_set_new(ev, "ts", json_integer(1794700800));
	ok(aiops_evread_ts(ev, &ts, err, sizeof(err)) == 0 && ts == 1794700800000000000LL,
	    "ts: epoch seconds");
	json_object_set_new(ev, "ts", json_integer(1794700800123LL));
	ok(aiops_evread_ts(ev, &ts, err, sizeof(err)) == 0 && ts == 1794700800123000000LL,
	    "ts: epoch milliseconds, by magnitude");
	json_object_del(ev, "ts");
	ok(aiops_evread_ts(ev, &ts, err, sizeof(err)) == -1 && strcmp(err, "ts: missing") == 0,
	    "ts: missing is said so");
	json_decref(ev);
}

int
main(void)
{
	test_line();
	test_batches();
	return tap_done();
}
