/*
 * json.c: the JSON reader of jsondoc.h, and four formats on it: json
 * (anything), alertmanager, redfish and sentry (their kind forced).
 *
 * Two shapes of input, told apart by the first non-blank line:
 *  - NDJSON: that line is a complete value; every line is decoded alone,
 *    so a bad one is skipped and the next resyncs;
 *  - documents: that line is the start of a value (pretty-printed JSON,
 *    one or several in a row). Lines are gathered until the value can be
 *    complete (a bracket scanner says when), then decoded with
 *    JSON_DISABLE_EOF_CHECK, value after value.
 * A JSON log maps its time, message, severity, host and service through
 * ingest.json.fields (--map), else through the usual key names; the other
 * keys become "fields".
 */
#include "compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "ingest/ingest.h"
#include "ingest/jsondoc.h"
#include "ingest/logfields.h"
#include "io/out.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "event/logkeys.h"
#include "event/severity.h"

#define DOC_MAX		(64 * 1024 * 1024)	/* longest document gathered */
#define KEY_MAX		128			/* longest dotted-path part */

enum kind { KIND_ANY, KIND_ALERTMANAGER, KIND_REDFISH, KIND_SENTRY };
enum shape { SHAPE_UNKNOWN, SHAPE_LINES, SHAPE_DOCS };

struct json_state {
	enum kind		 kind;
	enum shape		 shape;
	struct aiops_buf	 doc;		/* lines of the document being gathered */
	unsigned long		 first;		/* input line of doc's first line */
	unsigned long		 last;		/* input line of doc's last line */
	int			 depth;		/* bracket nesting at the end of doc */
	int			 in_str;	/* doc ends inside a string */
	int			 esc;		/* ... after a backslash */
	int			 resync;	/* after an error: wait for a new document */
};

/* ---- formats ---- */

/*
 * 70 for a line that is an object, or the start of one (a pretty-printed
 * document, a line cut short, bad bytes inside); 20 for one that only
 * starts with '{', as Prometheus 3's {"quoted.name"} samples do.
 */
static int
sniff(const char *line, size_t len)
{
	size_t i = len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	json_error_t jerr;
	json_t *v;

	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i == len || line[i] != '{')
		return 0;
	if ((v = json_loadb(line + i, len - i, JSON_DISABLE_EOF_CHECK, &jerr)) != NULL) {
		json_decref(v);
		return 70;
	}
	switch (json_error_code(&jerr)) {
	case json_error_premature_end_of_input:
	case json_error_invalid_utf8:
		return 70;
	default:
		return 20;
	}
}

static struct json_state *
state_new(enum kind kind)
{
	struct json_state *st = xcalloc(1, sizeof(*st));

	st->kind = kind;
	aiops_buf_init(&st->doc);
	return st;
}

static void *
start_any(struct aiops_ingest *ing)
{
	AIOPS_UNUSED(ing);
	return state_new(KIND_ANY);
}

static void *
start_alertmanager(struct aiops_ingest *ing)
{
	AIOPS_UNUSED(ing);
	return state_new(KIND_ALERTMANAGER);
}

static void *
start_redfish(struct aiops_ingest *ing)
{
	AIOPS_UNUSED(ing);
	return state_new(KIND_REDFISH);
}

static void *
start_sentry(struct aiops_ingest *ing)
{
	AIOPS_UNUSED(ing);
	return state_new(KIND_SENTRY);
}

static void
state_free(void *arg)
{
	struct json_state *st = arg;

	aiops_buf_release(&st->doc);
	free(st);
}

/* ---- JSON logs ---- */

/*
 * Finds field f: the key ingest.json.fields names, else the first usual
 * key holding a value of the wanted type (event/logkeys.h). *key is set
 * to the key used. Borrowed, or NULL.
 */
static json_t *
find_field(struct aiops_ingest *ing, json_t *o, enum aiops_logkey f, const char **key)
{
	const char *mapped = NULL;
	json_t *v;

	if (ing->opts->json_fields != NULL)
		mapped = json_string_value(json_object_get(ing->opts->json_fields,
		    aiops_logkeys_name(f)));
	if (mapped != NULL && (v = aiops_logkeys_lookup(o, mapped)) != NULL) {
		*key = mapped;
		return v;
	}
	return aiops_logkeys_find(o, f, key);
}

/*
 * Removes key (or the dotted path) from o, a copy the caller owns. Nested
 * objects are shared with the input, so they are copied before the change;
 * one left empty goes too.
 */
static void
remove_key(json_t *o, const char *key)
{
	const char *dot;
	char part[KEY_MAX];
	json_t *sub;

	if (json_object_del(o, key) == 0)
		return;
	if ((dot = strchr(key, '.')) == NULL || (size_t)(dot - key) >= sizeof(part))
		return;
	memcpy(part, key, (size_t)(dot - key));
	part[dot - key] = '\0';
	if (!json_is_object(json_object_get(o, part)))
		return;
	sub = json_copy(json_object_get(o, part));
	remove_key(sub, dot + 1);
	if (json_object_size(sub) == 0)
		json_object_del(o, part);
	else
		json_object_set(o, part, sub);
	json_decref(sub);
}

/* A string field: the value, or an error when a mapped key holds another type. */
static int
string_field(struct aiops_ingest *ing, json_t *o, json_t *rest, enum aiops_logkey f,
    const char **s, size_t *n)
{
	const char *key = NULL;
	json_t *v = find_field(ing, o, f, &key);

	if (v == NULL)
		return 0;
	if (!json_is_string(v))
		return aiops_ingest_error(ing, "%s: key \"%s\" is not a string", aiops_logkeys_name(f), key);
	*s = json_string_value(v);
	*n = json_string_length(v);
	remove_key(rest, key);
	return 0;
}

/* ts and severity of a JSON log, with the keys they came from removed from rest. */
static int
log_time_severity(struct aiops_ingest *ing, json_t *o, json_t *rest, struct aiops_logrec *r)
{
	const char *key = NULL;
	json_t *v;
	int level;

	if ((v = find_field(ing, o, AIOPS_LOGKEY_TS, &key)) != NULL) {
		if (aiops_logkeys_time(v, aiops_ingest_now(ing), &r->ts) == -1)
			return json_is_string(v) ?
			    aiops_ingest_error(ing, "bad time \"%.64s\" in key \"%s\"",
			    json_string_value(v), key) :
			    aiops_ingest_error(ing, "bad time in key \"%s\": expected RFC 3339 "
			    "or an epoch number", key);
		r->has_ts = 1;
		remove_key(rest, key);
	}
	r->severity = aiops_logrec_guess_severity(r->message, r->mlen);
	v = find_field(ing, o, AIOPS_LOGKEY_SEVERITY, &key);
	if (v != NULL && !json_is_string(v) && !json_is_number(v))
		return aiops_ingest_error(ing, "severity: key \"%s\" is not a string or a number",
		    key);
	if (v != NULL && (level = aiops_logkeys_level(v)) >= 0) {
		/* A level we cannot name stays in fields, so it is not lost. */
		r->severity = aiops_severity_name(level);
		remove_key(rest, key);
	}
	return 0;
}

static int
json_log(struct aiops_ingest *ing, json_t *o)
{
	struct aiops_logrec r;
	json_t *rest = json_copy(o);
	int rc = -1;

	aiops_logrec_init(&r);
	r.message = "";
	if (string_field(ing, o, rest, AIOPS_LOGKEY_MESSAGE, &r.message, &r.mlen) == -1 ||
	    string_field(ing, o, rest, AIOPS_LOGKEY_HOST, &r.host, &r.hlen) == -1 ||
	    string_field(ing, o, rest, AIOPS_LOGKEY_SERVICE, &r.service, &r.slen) == -1 ||
	    log_time_severity(ing, o, rest, &r) == -1)
		goto out;
	r.fields = rest;
	aiops_logrec_emit(ing, &r, aiops_ingest_source(ing, "json"));
	rc = 0;
out:
	json_decref(rest);
	return rc;
}

/* ---- dispatch ---- */

const char *
aiops_json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

static int
dispatch(struct json_state *st, struct aiops_ingest *ing, json_t *v)
{
	if (!json_is_object(v))
		return aiops_ingest_error(ing, "expected a JSON object, got %s", aiops_json_type_name(v));
	if (st->kind == KIND_ALERTMANAGER)
		return aiops_alertmanager_emit(ing, v);
	if (st->kind == KIND_REDFISH)
		return aiops_redfish_emit(ing, v);
	if (st->kind == KIND_SENTRY)
		return aiops_sentry_emit(ing, v);
	if (aiops_alertmanager_match(v))
		return aiops_alertmanager_emit(ing, v);
	if (aiops_redfish_match(v))
		return aiops_redfish_emit(ing, v);
	if (aiops_sentry_match(v))
		return aiops_sentry_emit(ing, v);
	if (aiops_event_match(v))
		return aiops_event_emit(ing, v);
	return json_log(ing, v);
}

/* ---- NDJSON ---- */

/*
 * Every value on the line (usually one: "{..} {..}" is two) is decoded
 * before any is written, so a bad line leaves nothing behind.
 */
static int
ndjson_line(struct json_state *st, struct aiops_ingest *ing, const char *line, size_t len)
{
	json_error_t jerr;
	json_t *vals = json_array(), *v;
	size_t off = 0, i;
	int rc = 0;

	while (rc == 0 && off < len) {
		v = json_loadb(line + off, len - off, JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK,
		    &jerr);
		if (v == NULL && json_error_code(&jerr) == json_error_premature_end_of_input)
			rc = aiops_ingest_error(ing, "truncated JSON: %s", jerr.text);
		else if (v == NULL)
			rc = aiops_ingest_error(ing, "%s at column %lu", jerr.text,
			    (unsigned long)off + (unsigned long)jerr.column);
		else
			json_array_append_new(vals, v);
		off += (size_t)jerr.position;
		while (off < len && (line[off] == ' ' || line[off] == '\t'))
			off++;
	}
	json_array_foreach(vals, i, v)
		if (rc == 0)
			rc = dispatch(st, ing, v);
	json_decref(vals);
	return rc;
}

/* ---- documents ---- */

static void
doc_reset(struct json_state *st)
{
	aiops_buf_reset(&st->doc);
	st->depth = 0;
	st->in_str = 0;
	st->esc = 0;
}

/* Tracks nesting over a new line, so that decoding is tried only when it can succeed. */
static void
scan(struct json_state *st, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (st->in_str) {
			if (st->esc)
				st->esc = 0;
			else if (s[i] == '\\')
				st->esc = 1;
			else if (s[i] == '"')
				st->in_str = 0;
		} else if (s[i] == '"') {
			st->in_str = 1;
		} else if (s[i] == '{' || s[i] == '[') {
			st->depth++;
		} else if (s[i] == '}' || s[i] == ']') {
			st->depth--;
		}
	}
}

/* Input line of offset off in doc. */
static unsigned long
doc_line(const struct json_state *st, size_t off)
{
	unsigned long l = st->first;
	const char *p = st->doc.data, *end = st->doc.data + off;

	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		l++;
		p++;
	}
	return l;
}

static size_t
skip_ws(const struct aiops_buf *b, size_t off)
{
	while (off < b->len && (b->data[off] == ' ' || b->data[off] == '\t' ||
	    b->data[off] == '\n' || b->data[off] == '\r'))
		off++;
	return off;
}

/*
 * Decodes every value in doc and hands each to dispatch. A value still
 * open at the end stays in doc (unless at_eof). -1 on a syntax error (doc
 * is dropped and we resync) or when a value was refused.
 */
static int
doc_decode(struct json_state *st, struct aiops_ingest *ing, int at_eof)
{
	json_error_t jerr;
	size_t off = skip_ws(&st->doc, 0);
	unsigned long line;
	json_t *v;
	int rc = 0;

	while (rc == 0 && off < st->doc.len) {
		line = doc_line(st, off);
		v = json_loadb(st->doc.data + off, st->doc.len - off,
		    JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK, &jerr);
		if (v == NULL && !at_eof &&
		    json_error_code(&jerr) == json_error_premature_end_of_input) {
			/* Keep the open value, from its first line, for the next lines. */
			memmove(st->doc.data, st->doc.data + off, st->doc.len - off + 1);
			st->doc.len -= off;
			st->first = line;
			return 0;
		}
		if (v == NULL && at_eof &&
		    json_error_code(&jerr) == json_error_premature_end_of_input) {
			rc = aiops_ingest_error_at(ing, st->last, "truncated document "
			    "(starting at line %lu): %s", line, jerr.text);
			break;
		}
		if (v == NULL) {
			rc = aiops_ingest_error_at(ing, line + (unsigned long)jerr.line - 1,
			    "%s at column %d", jerr.text, jerr.column);
			st->resync = 1;
			break;
		}
		rc = dispatch(st, ing, v);
		json_decref(v);
		if (rc == -1 && ing->errline == 0)
			ing->errline = line;
		off = skip_ws(&st->doc, off + jerr.position);
	}
	doc_reset(st);
	return rc;
}

/*
 * A document ends at its closing bracket; a top-level one starts in column
 * 1 as pretty-printers write it. So a '{' or '[' there while a document is
 * still open means that one was cut short: report it and start anew.
 */
static int
cut_short(struct json_state *st, struct aiops_ingest *ing, const char *line, size_t len)
{
	if (st->doc.len == 0 || st->depth <= 0 || len == 0 || (line[0] != '{' && line[0] != '['))
		return 0;
	aiops_ingest_error_at(ing, st->last, "truncated document (starting at line %lu)",
	    st->first);
	doc_reset(st);
	return -1;
}

static int
doc_line_add(struct json_state *st, struct aiops_ingest *ing, const char *line, size_t len)
{
	unsigned long l;
	int rc = 0;

	if (st->resync) {
		if (len == 0 || (line[0] != '{' && line[0] != '['))
			return 0;
		st->resync = 0;
	}
	rc = cut_short(st, ing, line, len);
	if (st->doc.len == 0) {
		st->first = ing->lineno;
		st->last = ing->lineno;
	}
	if (st->doc.len + len + (ing->lineno - st->last) >= DOC_MAX) {
		aiops_ingest_error_at(ing, st->first, "JSON document longer than %d MiB",
		    DOC_MAX >> 20);
		doc_reset(st);
		st->resync = 1;
		return -1;
	}
	/* Blank lines never reach us: put them back so jansson's line numbers hold. */
	for (l = st->last + 1; l < ing->lineno; l++)
		aiops_buf_addc(&st->doc, '\n');
	aiops_buf_add(&st->doc, line, len);
	aiops_buf_addc(&st->doc, '\n');
	st->last = ing->lineno;
	scan(st, line, len);
	/* Strings cannot hold a newline: let the decoder say what is wrong. */
	if (st->in_str)
		st->in_str = st->esc = 0;
	else if (st->depth > 0)
		return rc;
	if (rc == -1)
		return rc;	/* the new line waits in doc for the next one */
	return doc_decode(st, ing, 0);
}

/* ---- the line callback ---- */

/*
 * Decides between NDJSON and documents on the first line: a complete value
 * (or a line no more input could fix) is NDJSON, the start of one is a document.
 */
static enum shape
guess_shape(const char *line, size_t len)
{
	json_error_t jerr;
	json_t *v;

	v = json_loadb(line, len, JSON_DECODE_ANY, &jerr);
	if (v != NULL) {
		json_decref(v);
		return SHAPE_LINES;
	}
	return json_error_code(&jerr) == json_error_premature_end_of_input ?
	    SHAPE_DOCS : SHAPE_LINES;
}

static int
json_line(void *arg, struct aiops_ingest *ing, const char *line, size_t len)
{
	struct json_state *st = arg;

	if (st->shape == SHAPE_UNKNOWN) {
		/* A byte order mark from an editor on Windows. */
		if (len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
			line += 3;
			len -= 3;
		}
		st->shape = guess_shape(line, len);
	}
	if (st->shape == SHAPE_LINES)
		return ndjson_line(st, ing, line, len);
	return doc_line_add(st, ing, line, len);
}

static int
json_finish(void *arg, struct aiops_ingest *ing)
{
	struct json_state *st = arg;

	if (st->shape != SHAPE_DOCS || skip_ws(&st->doc, 0) == st->doc.len)
		return 0;
	return doc_decode(st, ing, 1);
}

/* A document being gathered is held: no offset past it is saved. */
static int
json_held(const void *arg)
{
	const struct json_state *st = arg;

	return st->shape == SHAPE_DOCS && skip_ws(&st->doc, 0) < st->doc.len;
}

const struct aiops_format aiops_format_json = {
	.name = "json",
	.desc = "JSON or NDJSON logs; Alertmanager, Redfish, Sentry and aiops events within",
	.sniff = sniff,
	.start = start_any,
	.line = json_line,
	.finish = json_finish,
	.held = json_held,
	.free = state_free,
	.checks_utf8 = 1,
};

const struct aiops_format aiops_format_alertmanager = {
	.name = "alertmanager",
	.desc = "Alertmanager webhook payloads (version 4), JSON",
	.start = start_alertmanager,
	.line = json_line,
	.finish = json_finish,
	.held = json_held,
	.free = state_free,
	.checks_utf8 = 1,
};

const struct aiops_format aiops_format_redfish = {
	.name = "redfish",
	.desc = "Redfish Thermal and Power resources, JSON",
	.start = start_redfish,
	.line = json_line,
	.finish = json_finish,
	.held = json_held,
	.free = state_free,
	.checks_utf8 = 1,
};

const struct aiops_format aiops_format_sentry = {
	.name = "sentry",
	.desc = "Sentry events and webhooks (event_alert, error, issue, legacy), JSON",
	.sniff = aiops_sentry_sniff,
	.start = start_sentry,
	.line = json_line,
	.finish = json_finish,
	.held = json_held,
	.free = state_free,
	.checks_utf8 = 1,
};
