/*
 * jw.h: a streaming JSON writer into a struct aiops_buf.
 *
 * Why not jansson: building a json_t per event and dumping it costs more
 * than all our parsing (bench/ingest); this writer emits the same compact
 * text directly. tests/unit/t_jw.c round-trips it against jansson and
 * tests/fuzz/fuzz_jw.c fuzzes the string escaping.
 *
 * Strings are escaped per RFC 8259; invalid UTF-8 bytes are written as
 * U+FFFD so the output is always valid JSON. Non-finite numbers are null.
 * The writer tracks commas itself: call key() before each member value.
 */
#ifndef AIOPS_JW_H
#define AIOPS_JW_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* As deep as jansson parses (JSON_PARSER_MAX_DEPTH), so any value it read can be written. */
#define AIOPS_JW_MAXDEPTH 2049

struct aiops_jw {
	struct aiops_buf *b;
	int		 depth;
	unsigned char	 need_comma[AIOPS_JW_MAXDEPTH];
};

void aiops_jw_init(struct aiops_jw *w, struct aiops_buf *b);
void aiops_jw_object_begin(struct aiops_jw *w);
void aiops_jw_object_end(struct aiops_jw *w);
void aiops_jw_array_begin(struct aiops_jw *w);
void aiops_jw_array_end(struct aiops_jw *w);
/*
 * Continues an object given as text: appends obj[0..n), an object's '{'
 * and members without its closing brace, and leaves the writer inside it
 * as aiops_jw_object_begin() would; the next key gets a comma when
 * members is non-zero. For a filter adding fields to an input event
 * (aiops_event_reopen() in event/event.h).
 */
void aiops_jw_object_resume(struct aiops_jw *w, const char *obj, size_t n, int members);
void aiops_jw_key(struct aiops_jw *w, const char *k, size_t n);
void aiops_jw_string(struct aiops_jw *w, const char *s, size_t n);
void aiops_jw_number(struct aiops_jw *w, double v);
void aiops_jw_integer(struct aiops_jw *w, int64_t v);
void aiops_jw_uinteger(struct aiops_jw *w, uint64_t v);
void aiops_jw_bool(struct aiops_jw *w, int v);
void aiops_jw_null(struct aiops_jw *w);
/* A value already encoded as JSON text, copied as is. */
void aiops_jw_raw(struct aiops_jw *w, const char *json, size_t n);
/* A jansson value (borrowed), dumped compactly in insertion order. */
void aiops_jw_json(struct aiops_jw *w, const json_t *v);

/* Shorthands for a member: key then value. k is NUL-terminated. */
void aiops_jw_kstr(struct aiops_jw *w, const char *k, const char *s, size_t n);
void aiops_jw_kcstr(struct aiops_jw *w, const char *k, const char *s);
void aiops_jw_knum(struct aiops_jw *w, const char *k, double v);
void aiops_jw_kint(struct aiops_jw *w, const char *k, int64_t v);

/* Escaped string body (no quotes) appended to b. */
void aiops_json_escape(struct aiops_buf *b, const char *s, size_t n);

/*
 * A string member whose key is given as JSON text, quotes and colon
 * included (klit "\"ts\":", kn 5), copied as is: for the fixed keys of
 * every event's head, where aiops_jw_key()'s check for escapes and a call
 * per member showed (bench/ingest). Inline for that reason; the comma
 * rule is sep()'s in jw.c.
 */
static inline void
aiops_jw_kstr_lit(struct aiops_jw *w, const char *klit, size_t kn, const char *s, size_t n)
{
	if (w->need_comma[w->depth] && w->depth > 0)
		aiops_buf_addc(w->b, ',');
	w->need_comma[w->depth] = 1;
	aiops_buf_add(w->b, klit, kn);
	aiops_buf_addc(w->b, '"');
	aiops_json_escape(w->b, s, n);
	aiops_buf_addc(w->b, '"');
}
/*
 * Shortest decimal text that reads back as exactly v ("%.15g", then 16, then
 * 17 digits), with ".0"-free integers as jq prints them. buf needs 32 bytes.
 * Returns the length; non-finite values give "null".
 */
size_t aiops_json_fmt_double(char *buf, double v);

#endif
