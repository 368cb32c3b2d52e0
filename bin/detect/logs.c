/*
 * logs.c: aiops-detect for log events and raw lines. Each message is mined
 * into a template (lib/logmine.c); a template never seen before (after the
 * warm-up) is an anomaly; per-minute counts of each template and of each
 * host's error lines are scored by the metric detectors (detect_point), so
 * bursts and drops are found the same way as in any metric. Lines and
 * templates are stored in the state for full-text search (FTS5, bm25).
 */
#include "compat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/logtime.h"
#include "detect.h"
#include "event/event.h"
#include "event/evread.h"
#include "event/logkeys.h"
#include "event/severity.h"
#include "json/jw.h"
#include "logdet.h"
#include "tool/log.h"
#include "detect/logmine.h"
#include "store/logs.h"
#include "store/search.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

#define STORE_BATCH	20000

struct stored_line {
	int64_t		 ts;
	char		*host, *service, *message;
	const char	*severity;
	uint64_t	 tid;
};

/* The program of a line ("" for none), made on first sight. */
static struct source *
source_get(struct logdet *l, const char *service, size_t slen)
{
	struct source *src;

	if (service == NULL)
		service = "", slen = 0;
	if ((src = aiops_hmap_get(&l->by_source, service, slen)) == NULL) {
		src = xcalloc(1, sizeof(*src));
		src->name = aiops_hmap_put(&l->by_source, service, slen, src);
		src->nlen = slen;
	}
	return src;
}

static void
source_free(void *p)
{
	struct source *src = p;

	free(src->over_text);
	free(src);
}

/*
 * How a program's lines categorise: of each block of SOURCE_BLOCK lines,
 * how many made a new template. Free text (search queries logged
 * verbatim) makes one for nearly every line: when two blocks on end do
 * (a boot's burst of one-off kernel lines is one block at most), the
 * source is told once and its new templates raise no anomaly while it
 * stays so.
 */
#define SOURCE_BLOCK	500
#define SOURCE_NEW_MAX	0.5	/* share of new templates a source may make */

/* Counts line ll of program src; is the program still one that categorises? */
static int
categorises(struct source *src, const struct aiops_logline *ll)
{
	src->lines++;
	src->news += ll->is_new != 0;
	if (src->lines == SOURCE_BLOCK) {
		src->over = src->news >= SOURCE_NEW_MAX * SOURCE_BLOCK ? src->over + 1 : 0;
		src->uncategorised = src->over >= 2;
		if (src->uncategorised && !src->told) {
			log_warnx("%.*s: %llu of its last %d lines were new kinds of line: its text does"
			    " not form templates, and its new ones raise no anomaly while it stays so",
			    src->nlen > 0 ? (int)src->nlen : 12, src->nlen > 0 ? src->name : "(no program)",
			    (unsigned long long)src->news, SOURCE_BLOCK);
			src->told = 1;
		}
		src->lines = src->news = 0;
	}
	return !src->uncategorised;
}

/*
 * The cap on a program's templates (detect.logs.max_templates): the
 * templates stay in the miner and the state for good, so a program whose
 * text never forms templates would grow both by a template a line. Past
 * the cap its lines that fit none of its templates join its overflow
 * template instead, id LOG_OVERFLOW_BASE + n (the n-th program to
 * overflow in the state), text "<*> (PROGRAM: past detect.logs.max_templates)",
 * the whole message its one parameter. It is not in the miner (no line
 * could ever match it there), only here and in the state.
 */
static int
capped(const struct logdet *l, const struct source *src)
{
	return l->max_templates > 0 && src->templates >= l->max_templates;
}

/* A template made by a line of src (or restored as one). */
static void
template_made(struct logdet *l, struct source *src)
{
	if (++src->templates == l->max_templates)
		l->ncapped++;
}

static const char *
source_label(const struct source *src)
{
	return src->nlen > 0 ? src->name : "(no program)";
}

/* The overflow template of src, made on its first line. */
static void
overflow_make(struct logdet *l, struct source *src)
{
	l->overflows = xreallocarray(l->overflows, l->noverflows + 1, sizeof(*l->overflows));
	l->overflows[l->noverflows++] = src;
	src->over_id = LOG_OVERFLOW_BASE + l->noverflows;
	src->over_tmpl.src = src;
	xasprintf(&src->over_text, "<*> (%s: past detect.logs.max_templates)", source_label(src));
}

/* Line ll of capped program src fit none of its templates: it takes the overflow one. */
static void
overflow_line(struct logdet *l, struct source *src, struct aiops_logline *ll)
{
	if (src->over_id == 0)
		overflow_make(l, src);
	if (!src->capped_told) {
		log_warnx("%s: %llu templates, as many as detect.logs.max_templates allows: its"
		    " lines that fit none of them now share template %llu, \"%s\"",
		    source_label(src), (unsigned long long)src->templates,
		    (unsigned long long)src->over_id, src->over_text);
		src->capped_told = 1;
	}
	ll->template_id = src->over_id;
	ll->tmpl = src->over_text;
	ll->tmpl_len = strlen(src->over_text);
	ll->count = ++src->over_count;
	ll->is_new = ll->is_changed = 0;
	ll->nparams = 1;
	ll->params = &ll->message;
	ll->param_lens = &ll->message_len;
}

/*
 * Mines a line (flags as aiops_logmine_add()) of program `service` (for a
 * raw line: the one its header names). A program at the cap makes no
 * template: its header is split first to know it, which only a state
 * with a program at the cap pays for.
 */
static int
mine_line(struct logdet *l, const char *line, size_t len, int flags,
    const char *service, size_t slen, struct aiops_logline *ll)
{
	struct source *src = NULL;

	if (l->ncapped > 0) {
		if (flags & AIOPS_LOGMINE_RAW) {
			struct aiops_loghead h;
			size_t n = len;

			while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
				n--;
			aiops_loghdr_split(NULL, line, n, &h);
			service = h.component;
			slen = h.component_len;
		}
		src = source_get(l, service, slen);
		if (capped(l, src))
			flags |= AIOPS_LOGMINE_NO_NEW;
	}
	if (aiops_logmine_add(l->lm, line, len, flags, ll) == -1)
		return -1;
	if (ll->template_id == 0)
		overflow_line(l, src, ll);
	return 0;
}

/*
 * The record of the template of line ll (of program src, at ts), marked
 * for the next save of the templates.
 */
static struct tmpl *
template_seen(struct logdet *l, struct source *src, int64_t ts, const struct aiops_logline *ll)
{
	struct tmpl *t = lograte_tmpl(l, ll->template_id, 1);

	if (t->first == 0 || ts < t->first)
		t->first = ts;
	if (ts > t->last)
		t->last = ts;
	if (ll->is_new) {
		t->src = src;
		template_made(l, src);
	}
	if (!t->dirty) {
		if (l->ndirty == l->capdirty) {
			l->capdirty = l->capdirty ? l->capdirty * 2 : 64;
			l->dirty = xreallocarray(l->dirty, l->capdirty, sizeof(*l->dirty));
		}
		l->dirty[l->ndirty++] = ll->template_id;
		t->dirty = 1;
	}
	return t;
}

/* Line ll as a member for the correlator; id: its event's, or NULL. */
static void
log_member(struct detect_member *m, int64_t ts, const struct aiops_logline *ll,
    const char *host, size_t hlen, const char *service, size_t slen,
    const char *detector, const char *id)
{
	memset(m, 0, sizeof(*m));
	m->ts = ts;
	m->kind = "log";
	m->detector = detector;
	m->host = host;
	m->hlen = hlen;
	m->what = ll->tmpl;
	m->wlen = ll->tmpl_len;
	m->service = service;
	m->slen = slen;
	m->level = ll->severity;
	m->score = 1.0;
	m->value = NAN;
	m->id = id;
	m->event = ll->message;	/* hashed for an id when it has none */
	m->elen = ll->message_len;
}

/* An anomaly for a template never seen before. */
static void
new_template(struct detect *d, int64_t ts, const struct aiops_logline *ll,
    const char *host, size_t hlen, const char *service, size_t slen)
{
	struct aiops_event_head h;
	struct aiops_jw w;
	char reason[AIOPS_MDETECT_REASON_MAX + 64], id[AIOPS_EVENT_ID_LEN + 1];
	size_t start = d->out.buf.len;
	struct aiops_anomaly a;
	struct detect_member mem;

	memset(&h, 0, sizeof(h));
	h.type = "anomaly";
	h.ts = ts;
	h.host = host;
	h.hlen = hlen;
	h.source = "aiops-detect";
	h.idkey = ll->tmpl;
	h.idklen = ll->tmpl_len;
	snprintf(reason, sizeof(reason), "a new kind of log line after %llu lines: \"%.*s\"",
	    (unsigned long long)d->logs->nlines, (int)(ll->tmpl_len > 120 ? 120 : ll->tmpl_len), ll->tmpl);
	aiops_jw_init(&w, &d->out.buf);
	aiops_event_id_text(aiops_event_begin(&w, &h), id);
	aiops_jw_kcstr(&w, "name", "log_new_template");
	aiops_jw_key(&w, "template_id", 11);
	aiops_jw_uinteger(&w, ll->template_id);
	aiops_jw_kstr(&w, "template", ll->tmpl, ll->tmpl_len);
	aiops_jw_kstr(&w, "message", ll->message, ll->message_len);
	if (service != NULL)
		aiops_jw_kstr(&w, "service", service, slen);
	aiops_jw_kcstr(&w, "severity", aiops_severity_name(ll->severity));
	aiops_jw_knum(&w, "score", 1.0);
	aiops_jw_kcstr(&w, "detector", "new-template");
	aiops_jw_kcstr(&w, "reason", reason);
	aiops_jw_object_end(&w);
	memset(&a, 0, sizeof(a));
	memcpy(a.id, id, sizeof(a.id));
	a.ts = ts;
	a.kind = "log";
	a.name = "log_new_template";
	a.host = host;
	a.hlen = hlen;
	a.template_id = ll->template_id;
	a.score = 1.0;
	a.detector = "new-template";
	a.reason = reason;
	a.event = d->out.buf.data + start;
	a.elen = d->out.buf.len - start;
	detect_store_anomaly(d, &a);
	d->nanomalies++;
	log_member(&mem, ts, ll, host, hlen, service, slen, "new-template", id);
	detect_correlate(d, &mem);
}

static void
write_params(struct aiops_jw *w, const struct aiops_logline *ll)
{
	size_t i;

	aiops_jw_key(w, "template_id", 11);
	aiops_jw_uinteger(w, ll->template_id);
	aiops_jw_kstr(w, "template", ll->tmpl, ll->tmpl_len);
	aiops_jw_key(w, "params", 6);
	aiops_jw_array_begin(w);
	for (i = 0; i < ll->nparams; i++)
		aiops_jw_string(w, ll->params[i], ll->param_lens[i]);
	aiops_jw_array_end(w);
}

/* The input log event with the template fields added. */
static void
write_annotated(struct detect *d, const json_t *ev, const char *line, size_t len,
    const struct aiops_logline *ll)
{
	struct aiops_jw w;

	aiops_jw_init(&w, &d->out.buf);
	aiops_event_reopen(&w, ev, line, len);
	write_params(&w, ll);
	aiops_jw_object_end(&w);
	aiops_out_end(&d->out);
}

/* A raw line as the log event it is, with its header fields. */
static void
write_raw(struct detect *d, int64_t ts, const struct aiops_logline *ll)
{
	struct aiops_label lab[1];
	struct aiops_event_head h;
	struct aiops_jw w;

	memset(&h, 0, sizeof(h));
	h.type = "log";
	h.ts = ts;
	h.host = ll->host;
	h.hlen = ll->host_len;
	h.source = "aiops-detect";
	h.idkey = ll->message;
	h.idklen = ll->message_len;
	if (ll->pid != NULL) {
		lab[0].key = "pid";
		lab[0].klen = 3;
		lab[0].val = ll->pid;
		lab[0].vlen = ll->pid_len;
		h.labels = lab;
		h.nlabels = 1;
	}
	aiops_jw_init(&w, &d->out.buf);
	aiops_event_begin(&w, &h);
	if (ll->component != NULL)
		aiops_jw_kstr(&w, "service", ll->component, ll->component_len);
	aiops_jw_kcstr(&w, "severity", aiops_severity_name(ll->severity));
	aiops_jw_kstr(&w, "message", ll->message, ll->message_len);
	write_params(&w, ll);
	aiops_jw_object_end(&w);
	aiops_out_end(&d->out);
}

static void
store_line(struct detect *d, int64_t ts, const struct aiops_logline *ll,
    const char *host, size_t hlen, const char *service, size_t slen)
{
	struct logdet *l = d->logs;
	struct stored_line *s;

	if (d->state == NULL)
		return;
	/* a line already past the retention would go at the next save */
	if (l->retention > 0 && ts < aiops_clock_now() - l->retention)
		return;
	if (l->npending == STORE_BATCH)
		detect_logs_save(d);
	if (l->pending == NULL)
		l->pending = xcalloc(STORE_BATCH, sizeof(*l->pending));
	s = &l->pending[l->npending++];
	s->ts = ts;
	s->host = host != NULL ? xstrndup(host, hlen) : NULL;
	s->service = service != NULL ? xstrndup(service, slen) : NULL;
	s->message = xstrndup(ll->message, ll->message_len);
	s->severity = aiops_severity_name(ll->severity);
	s->tid = ll->template_id;
}

/*
 * Mining and everything after it, for a message from either path; id is
 * the log event's, or NULL for a raw line.
 */
static void
mined(struct detect *d, int64_t ts, const struct aiops_logline *ll,
    const char *host, size_t hlen, const char *service, size_t slen, const char *id)
{
	struct logdet *l = d->logs;
	struct source *src = source_get(l, service, slen);
	struct detect_member m;
	struct tmpl *t;

	l->nlines++;
	aiops_clock_observe(ts);
	t = template_seen(l, src, ts, ll);
	if (categorises(src, ll) && ll->is_new && l->nlines > l->warmup) {
		new_template(d, ts, ll, host, hlen, service, slen);
	} else if (d->corr != NULL) {
		log_member(&m, ts, ll, host, hlen, service, slen, "failure", id);
		detect_correlate_line(d, &m);
	}
	lograte_count(d, ts, ll, t, host, hlen);
	store_line(d, ts, ll, host, hlen, service, slen);
}

static int64_t
event_time(const json_t *ev)
{
	char err[128];
	int64_t ts;

	return aiops_evread_ts(ev, &ts, err, sizeof(err)) == 0 ? ts : aiops_clock_now();
}

int
detect_log(struct detect *d, json_t *ev, const char *line, size_t len)
{
	const json_t *msg = json_object_get(ev, "message"), *id;
	const char *host, *service, *sev;
	struct aiops_logline ll;
	int64_t ts = event_time(ev);

	if (!json_is_string(msg)) {
		snprintf(d->err, sizeof(d->err), "log event without a message");
		return -1;
	}
	service = json_string_value(json_object_get(ev, "service"));
	if (mine_line(d->logs, json_string_value(msg), json_string_length(msg), 0,
	    service, service ? strlen(service) : 0, &ll) == -1)
		fatal(70, "mining templates");
	/* The source's own severity, when it gave one, wins over the guess. */
	sev = json_string_value(json_object_get(ev, "severity"));
	if (sev != NULL) {
		int s = aiops_severity_parse(sev, strlen(sev));

		if (s >= 0)
			ll.severity = s;
	}
	host = json_string_value(json_object_get(ev, "host"));
	id = json_object_get(ev, "id");
	mined(d, ts, &ll, host, host ? strlen(host) : 0, service, service ? strlen(service) : 0,
	    json_is_string(id) && json_string_length(id) == AIOPS_EVENT_ID_LEN ?
	    json_string_value(id) : NULL);
	if (d->all)
		write_annotated(d, ev, line, len, &ll);
	return 0;
}

struct aiops_loghdr *
detect_logs_loghdr(struct detect *d)
{
	return aiops_logmine_loghdr(d->logs->lm);
}

/*
 * What a time without a year or a day (RFC 3164, logcat, a time of day
 * alone) is placed nearest: the last time a raw line gave, else the wall
 * clock (or AIOPS_NOW) at the first line, whatever --clock says, so a
 * replayed log that crosses New Year goes on into January.
 */
static int64_t
raw_ref(const struct logdet *l)
{
	return l->raw_last != 0 ? l->raw_last : aiops_clock_wall();
}

/*
 * A JSON object line: the usual keys (event/logkeys.h) give its time,
 * level, host and service, and its message is mined as a log event's
 * (the whole line when it has none). doc stays the caller's; ll points
 * into it.
 */
static void
raw_json(struct detect *d, json_t *doc, const char *line, size_t len,
    struct aiops_logline *ll, int64_t *ts)
{
	struct logdet *l = d->logs;
	const char *key;
	json_t *v;
	int level;

	v = aiops_logkeys_find(doc, AIOPS_LOGKEY_MESSAGE, &key);
	if ((json_is_string(v) ? mine_line(l, json_string_value(v), json_string_length(v), 0,
	    NULL, 0, ll) : mine_line(l, line, len, 0, NULL, 0, ll)) == -1)
		fatal(70, "mining templates");
	if ((level = aiops_logkeys_level(aiops_logkeys_find(doc, AIOPS_LOGKEY_SEVERITY,
	    &key))) >= 0)
		ll->severity = level;
	if ((v = aiops_logkeys_find(doc, AIOPS_LOGKEY_HOST, &key)) != NULL) {
		ll->host = json_string_value(v);
		ll->host_len = json_string_length(v);
	}
	if ((v = aiops_logkeys_find(doc, AIOPS_LOGKEY_SERVICE, &key)) != NULL) {
		ll->component = json_string_value(v);
		ll->component_len = json_string_length(v);
	}
	v = aiops_logkeys_find(doc, AIOPS_LOGKEY_TS, &key);
	if (v != NULL && aiops_logkeys_time(v, raw_ref(l), ts) == 0)
		l->raw_last = *ts;
	else
		*ts = aiops_clock_now();
}

/* A line that starts with '{' and is a whole JSON object: new, or NULL. */
static json_t *
json_object_line(const char *line, size_t len)
{
	json_error_t jerr;
	json_t *doc;

	if (len == 0 || line[0] != '{' || (doc = json_loadb(line, len, 0, &jerr)) == NULL)
		return NULL;
	if (!json_is_object(doc)) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

/*
 * The time of a raw line: its header's, in any form core/logtime.h reads,
 * else its logfmt ts= or time=, else the clock's (the event clock's under
 * --clock event: the latest line's time).
 */
static int64_t
raw_time(struct logdet *l, const struct aiops_logline *ll, const char *line, size_t len)
{
	int64_t ref = raw_ref(l), ts;

	if (ll->ts != NULL && ll->ts_len == l->ts_text_len && l->raw_last != 0 &&
	    memcmp(ll->ts, l->ts_text, ll->ts_len) == 0)
		return l->raw_last;
	if (ll->ts != NULL && aiops_logtime_parse(ll->ts, ll->ts_len, ref, AIOPS_LOGTIME_HEADER,
	    &ts) == 0) {
		l->ts_text_len = 0;
		if (ll->ts_len <= sizeof(l->ts_text)) {
			memcpy(l->ts_text, ll->ts, ll->ts_len);
			l->ts_text_len = ll->ts_len;
		}
		return l->raw_last = ts;
	}
	l->ts_text_len = 0;
	if (aiops_logkeys_logfmt_time(line, len, ref, &ts) == 0)
		return l->raw_last = ts;
	return aiops_clock_now();
}

int
detect_raw(struct detect *d, const char *line, size_t len)
{
	struct aiops_logline ll;
	json_t *doc;
	int64_t ts;
	int level;

	if ((doc = json_object_line(line, len)) != NULL) {
		raw_json(d, doc, line, len, &ll, &ts);
	} else {
		if (mine_line(d->logs, line, len, AIOPS_LOGMINE_RAW, NULL, 0, &ll) == -1)
			fatal(70, "mining templates");
		/* logfmt's level=error where the header has no level */
		if (ll.level == NULL && (level = aiops_logkeys_logfmt_level(line, len)) >= 0)
			ll.severity = level;
		ts = raw_time(d->logs, &ll, line, len);
	}
	mined(d, ts, &ll, ll.host, ll.host_len, ll.component, ll.component_len, NULL);
	if (d->all)
		write_raw(d, ts, &ll);
	json_decref(doc);
	return 0;
}

/*
 * The overflow template of program src: the n-th, by its id, in the
 * order the state has them (by id), so the next one made is n + 1.
 */
static int
restore_overflow(struct logdet *l, struct source *src, const struct aiops_log_template *t)
{
	if (src == NULL || src->over_id != 0 || t->id != LOG_OVERFLOW_BASE + l->noverflows + 1) {
		log_warnx("template %llu: not an overflow template of this state: left alone",
		    (unsigned long long)t->id);
		return 0;
	}
	overflow_make(l, src);
	free(src->over_text);
	src->over_text = xstrndup(t->text, t->len);
	src->over_count = t->count;
	src->over_tmpl.first = t->first;
	src->over_tmpl.last = t->seen;
	return 0;
}

static int
restore_template(void *arg, const struct aiops_log_template *t)
{
	struct logdet *l = arg;
	struct source *src = NULL;
	struct tmpl *r;

	if (t->source != NULL)
		src = source_get(l, t->source, strlen(t->source));
	if (t->id > LOG_OVERFLOW_BASE)
		return restore_overflow(l, src, t);
	if (aiops_logmine_restore(l->lm, t->id, t->text, t->len, t->count) == -1) {
		log_warnx("template %llu: cannot restore", (unsigned long long)t->id);
		return 0;
	}
	r = lograte_tmpl(l, t->id, 1);
	r->first = t->first;
	r->last = t->seen;
	if ((r->src = src) != NULL)
		template_made(l, src);
	return 0;
}

/* Templates, counts and position of the last run. */
static void
load_state(struct detect *d)
{
	struct logdet *l = d->logs;

	if (aiops_logs_templates(d->state, restore_template, l) == -1 ||
	    aiops_logs_position_get(d->state, &l->nlines, &l->minute) == -1)
		detect_state_fatal(d, "loading log templates");
	lograte_load(d);
}

void
detect_logs_init(struct detect *d, const struct detect_logs_conf *conf)
{
	struct logdet *l = xcalloc(1, sizeof(*l));

	d->logs = l;
	if ((l->lm = aiops_logmine_new()) == NULL)
		fatal(70, "out of memory");
	aiops_logmine_set_similarity(l->lm, aiops_conf_number(d->cfg, "detect.logs.similarity", 0.72));
	l->warmup = conf->warmup;
	l->min_burst = conf->min_burst;
	l->retention = conf->retention;
	l->max_templates = conf->max_templates;
	aiops_hmap_init(&l->by_host);
	aiops_hmap_init(&l->by_source);
	if (d->state != NULL)
		load_state(d);
}

/* Template id, counted since the last save: its text, count, first and last line. */
static int
save_template(struct detect *d, uint64_t id)
{
	struct logdet *l = d->logs;
	struct aiops_log_template t;
	struct tmpl *r = lograte_tmpl(l, id, 0);

	memset(&t, 0, sizeof(t));
	t.id = id;
	if (r == NULL)
		return 0;
	if (id > LOG_OVERFLOW_BASE) {
		t.text = r->src->over_text;
		t.count = r->src->over_count;
	} else if ((t.text = aiops_logmine_template(l->lm, id, &t.count)) == NULL) {
		return 0;
	}
	if (r->src != NULL)
		t.source = r->src->name;
	t.len = strlen(t.text);
	t.first = r->first;
	t.seen = r->last;
	r->dirty = 0;
	return aiops_logs_template_put(d->state, &t);
}

/*
 * The templates counted since the last save, not all: a save every
 * STORE_BATCH lines over all of them made a run over text that never
 * forms templates quadratic.
 */
static int
save_templates(struct detect *d)
{
	struct logdet *l = d->logs;
	size_t i;

	for (i = 0; i < l->ndirty; i++)
		if (save_template(d, l->dirty[i]) == -1)
			return -1;
	l->ndirty = 0;
	return 0;
}

/* The lines waiting, then the retention. */
static int
save_lines(struct detect *d)
{
	struct logdet *l = d->logs;
	struct aiops_log_line ln;
	size_t i;
	int rc = 0;

	for (i = 0; i < l->npending; i++) {
		struct stored_line *s = &l->pending[i];

		if (rc == 0) {
			ln.ts = s->ts;
			ln.host = s->host;
			ln.service = s->service;
			ln.severity = s->severity;
			ln.template_id = s->tid;
			ln.message = s->message;
			rc = aiops_logs_line_add(d->state, &ln);
		}
		free(s->host);
		free(s->service);
		free(s->message);
	}
	l->npending = 0;
	if (rc == 0 && l->retention > 0)
		rc = aiops_logs_expire(d->state, aiops_clock_now() - l->retention);
	return rc;
}

void
detect_logs_save(struct detect *d)
{
	struct logdet *l = d->logs;

	if (d->state == NULL || l == NULL)
		return;
	if (aiops_state_begin(d->state) == -1)
		detect_state_fatal(d, "saving log templates");
	if (save_lines(d) == -1 || save_templates(d) == -1 ||
	    aiops_logs_position_put(d->state, l->nlines, l->minute) == -1 ||
	    lograte_save(d) == -1) {
		aiops_state_rollback(d->state);
		detect_state_fatal(d, "saving log templates");
	}
	if (aiops_state_commit(d->state) == -1)
		detect_state_fatal(d, "saving log templates");
}

void
detect_logs_free(struct detect *d)
{
	struct logdet *l = d->logs;

	if (l == NULL)
		return;
	aiops_logmine_free(l->lm);
	lograte_free(l);
	aiops_hmap_release(&l->by_source, source_free);
	free(l->overflows);
	free(l->dirty);
	free(l->pending);
	free(l);
	d->logs = NULL;
}

/*
 * One search result: type "search" (aiops(7)), its kind and rank, then only
 * the fields that kind has.
 */
static int
write_hit(void *arg, const struct aiops_search_hit *h)
{
	struct detect *d = arg;
	char ts[AIOPS_TIME_BUFSZ];
	struct aiops_jw w;

	aiops_jw_init(&w, &d->out.buf);
	aiops_jw_object_begin(&w);
	aiops_jw_kcstr(&w, "type", "search");
	aiops_jw_kcstr(&w, "kind", h->kind == AIOPS_SEARCH_TEMPLATE ? "template" : "log");
	aiops_jw_knum(&w, "rank", h->rank);
	if (h->kind == AIOPS_SEARCH_TEMPLATE) {
		aiops_jw_key(&w, "template_id", 11);
		aiops_jw_uinteger(&w, h->template_id);
		aiops_jw_kstr(&w, "template", h->text, h->len);
		aiops_jw_key(&w, "count", 5);
		aiops_jw_uinteger(&w, h->count);
	} else {
		aiops_time_format(h->ts, ts);
		aiops_jw_kcstr(&w, "ts", ts);
		if (h->host != NULL)
			aiops_jw_kcstr(&w, "host", h->host);
		if (h->service != NULL)
			aiops_jw_kcstr(&w, "service", h->service);
		if (h->severity != NULL)
			aiops_jw_kcstr(&w, "severity", h->severity);
		aiops_jw_kstr(&w, "message", h->message, h->mlen);
		if (h->template_id != 0) {
			aiops_jw_key(&w, "template_id", 11);
			aiops_jw_uinteger(&w, h->template_id);
		}
	}
	aiops_jw_object_end(&w);
	aiops_out_end(&d->out);
	return 0;
}

int
detect_search(struct detect *d, const char *query, int64_t since, int limit)
{
	int rc;

	rc = aiops_search_templates(d->state, query, (size_t)limit, write_hit, d);
	if (rc == 0)
		rc = aiops_search_lines(d->state, query, since, (size_t)limit, write_hit, d);
	if (rc == AIOPS_SEARCH_BADQUERY) {
		snprintf(d->err, sizeof(d->err), "--search: %s", aiops_state_errmsg(d->state));
		return -1;
	}
	if (rc != 0)
		detect_state_fatal(d, "searching");
	return 0;
}
