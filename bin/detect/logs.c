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
#include "tool/log.h"
#include "detect/logmine.h"
#include "store/logs.h"
#include "store/search.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

#define NS_PER_MIN	(60 * AIOPS_NS_PER_SEC)
#define MAX_ZERO_FILL	60	/* quiet minutes fed after a gap, at most */
#define STORE_BATCH	20000

/* A per-minute count: of one template, or of one host's error lines. */
struct rate {
	char		*name;		/* log_template_rate | log_error_rate */
	char		*host;		/* or NULL */
	uint64_t	 tid;		/* template, or 0 */
	int64_t		 minute;	/* start of the minute counted, ns */
	uint64_t	 count;
};

struct stored_line {
	int64_t		 ts;
	char		*host, *service, *message;
	const char	*severity;
	uint64_t	 tid;
};

struct logdet {
	struct aiops_logmine	*lm;
	uint64_t		 nlines;	/* mined, over all runs */
	uint64_t		 warmup;	/* lines before new templates alert */
	double			 min_burst;	/* lines a minute before a rate alerts */
	int64_t			 retention;	/* of stored lines, ns; 0 keeps all */
	int64_t			 minute;	/* latest minute seen */
	struct rate		**by_template;	/* indexed by template id */
	size_t			 ntemplates;
	struct aiops_hmap	 by_host;	/* host -> its error-line rate */
	struct aiops_hmap	 by_source;	/* program -> struct source */
	struct stored_line	*pending;
	size_t			 npending;
	int64_t			 raw_last;	/* the last time a raw line gave, or 0 */
};


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
struct source {
	uint64_t	 lines, news;	/* in the block so far */
	int		 over;		/* whole blocks on end over SOURCE_NEW_MAX */
	int		 uncategorised;	/* two or more */
	int		 told;
};

/* Counts line ll of program `service`; is the program still one that categorises? */
static int
categorises(struct logdet *l, const char *service, size_t slen, const struct aiops_logline *ll)
{
	struct source *src;

	if (service == NULL)
		service = "", slen = 0;
	if ((src = aiops_hmap_get(&l->by_source, service, slen)) == NULL) {
		src = xcalloc(1, sizeof(*src));
		aiops_hmap_put(&l->by_source, service, slen, src);
	}
	src->lines++;
	src->news += ll->is_new != 0;
	if (src->lines == SOURCE_BLOCK) {
		src->over = src->news >= SOURCE_NEW_MAX * SOURCE_BLOCK ? src->over + 1 : 0;
		src->uncategorised = src->over >= 2;
		if (src->uncategorised && !src->told) {
			log_warnx("%.*s: %llu of its last %d lines were new kinds of line: its text does"
			    " not form templates, and its new ones raise no anomaly while it stays so",
			    slen > 0 ? (int)slen : 12, slen > 0 ? service : "(no program)",
			    (unsigned long long)src->news, SOURCE_BLOCK);
			src->told = 1;
		}
		src->lines = src->news = 0;
	}
	return !src->uncategorised;
}

static struct rate *
rate_new(const char *name, const char *host, size_t hlen, uint64_t tid)
{
	struct rate *r = xcalloc(1, sizeof(*r));

	r->name = xstrdup(name);
	r->host = host != NULL ? xstrndup(host, hlen) : NULL;
	r->tid = tid;
	return r;
}

/* The count of a template: ids are small and dense, so an array. */
static struct rate *
template_rate(struct logdet *l, uint64_t tid)
{
	if (tid >= l->ntemplates) {
		size_t n = l->ntemplates ? l->ntemplates : 64;

		while (n <= tid)
			n *= 2;
		l->by_template = xreallocarray(l->by_template, n, sizeof(*l->by_template));
		memset(l->by_template + l->ntemplates, 0, (n - l->ntemplates) * sizeof(*l->by_template));
		l->ntemplates = n;
	}
	if (l->by_template[tid] == NULL)
		l->by_template[tid] = rate_new("log_template_rate", NULL, 0, tid);
	return l->by_template[tid];
}

static struct rate *
error_rate(struct logdet *l, const char *host, size_t hlen)
{
	struct rate *r;

	if (host == NULL)
		host = "", hlen = 0;
	r = aiops_hmap_get(&l->by_host, host, hlen);
	if (r == NULL) {
		r = rate_new("log_error_rate", hlen ? host : NULL, hlen, 0);
		aiops_hmap_put(&l->by_host, host, hlen, r);
	}
	return r;
}

/* Calls fn for every count kept. */
static void
rates_each(struct detect *d, void (*fn)(struct detect *, struct rate *, void *), void *arg)
{
	struct logdet *l = d->logs;
	size_t i;

	for (i = 0; i < l->ntemplates; i++)
		if (l->by_template[i] != NULL)
			fn(d, l->by_template[i], arg);
	for (i = 0; i < l->by_host.cap; i++)
		if (l->by_host.ents[i].key != NULL)
			fn(d, l->by_host.ents[i].val, arg);
}

/* Scores one minute's count as a point of the metric r names. */
static void
rate_point(struct detect *d, const struct rate *r, int64_t minute, double count)
{
	struct aiops_label lab[1];
	struct aiops_metric m;
	char tid[24];

	memset(&m, 0, sizeof(m));
	m.ts = minute + NS_PER_MIN;	/* the count is known when the minute ends */
	m.name = r->name;
	m.nlen = strlen(r->name);
	m.value = count;
	m.unit = "lines/min";
	m.source = "aiops-detect";
	m.labels = lab;
	if (r->host != NULL) {
		m.host = r->host;
		m.hlen = strlen(r->host);
	}
	if (r->tid != 0) {
		lab[0].key = "template_id";
		lab[0].klen = 11;
		lab[0].val = tid;
		lab[0].vlen = (size_t)snprintf(tid, sizeof(tid), "%llu", (unsigned long long)r->tid);
		m.nlabels = 1;
	}
	d->min_alert_value = d->logs->min_burst;
	detect_point(d, &m, NULL, NULL, 0);
	d->min_alert_value = 0;
}

/* Closes r's count if its minute ended before *(int64_t *)arg. */
static void
rate_close(struct detect *d, struct rate *r, void *arg)
{
	int64_t minute = *(int64_t *)arg, m;
	int n;

	if (r->minute >= minute)
		return;
	rate_point(d, r, r->minute, (double)r->count);
	for (m = r->minute + NS_PER_MIN, n = 0; m < minute && n < MAX_ZERO_FILL;
	    m += NS_PER_MIN, n++)
		rate_point(d, r, m, 0);
	r->minute = minute;
	r->count = 0;
}

static void
rate_count(struct detect *d, struct rate *r, int64_t minute)
{
	if (r->count == 0 && r->minute < minute)
		r->minute = minute;
	r->count++;
}

static void
count_line(struct detect *d, int64_t ts, const struct aiops_logline *ll,
    const char *host, size_t hlen)
{
	struct logdet *l = d->logs;
	int64_t minute = ts - ((ts % NS_PER_MIN) + NS_PER_MIN) % NS_PER_MIN;

	if (minute > l->minute) {
		if (l->minute != 0)
			rates_each(d, rate_close, &minute);
		l->minute = minute;
	}
	rate_count(d, template_rate(l, ll->template_id), l->minute);
	if (ll->severity >= 0 && ll->severity <= 3)
		rate_count(d, error_rate(l, host, hlen), l->minute);
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
	struct detect_member m;

	l->nlines++;
	aiops_clock_observe(ts);
	if (categorises(l, service, slen, ll) && ll->is_new && l->nlines > l->warmup) {
		new_template(d, ts, ll, host, hlen, service, slen);
	} else if (d->corr != NULL) {
		log_member(&m, ts, ll, host, hlen, service, slen, "failure", id);
		detect_correlate_line(d, &m);
	}
	count_line(d, ts, ll, host, hlen);
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
	if (aiops_logmine_add(d->logs->lm, json_string_value(msg), json_string_length(msg),
	    0, &ll) == -1)
		fatal(70, "mining templates");
	/* The source's own severity, when it gave one, wins over the guess. */
	sev = json_string_value(json_object_get(ev, "severity"));
	if (sev != NULL) {
		int s = aiops_severity_parse(sev, strlen(sev));

		if (s >= 0)
			ll.severity = s;
	}
	host = json_string_value(json_object_get(ev, "host"));
	service = json_string_value(json_object_get(ev, "service"));
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
	if ((json_is_string(v) ? aiops_logmine_add(l->lm, json_string_value(v),
	    json_string_length(v), 0, ll) : aiops_logmine_add(l->lm, line, len, 0, ll)) == -1)
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

	if ((ll->ts != NULL && aiops_logtime_parse(ll->ts, ll->ts_len, ref, AIOPS_LOGTIME_HEADER,
	    &ts) == 0) || aiops_logkeys_logfmt_time(line, len, ref, &ts) == 0)
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
		if (aiops_logmine_add(d->logs->lm, line, len, AIOPS_LOGMINE_RAW, &ll) == -1)
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

static int
restore_template(void *arg, const struct aiops_log_template *t)
{
	struct logdet *l = arg;

	if (aiops_logmine_restore(l->lm, t->id, t->text, t->len, t->count) == -1)
		log_warnx("template %llu: cannot restore", (unsigned long long)t->id);
	return 0;
}

static int
restore_rate(void *arg, const struct aiops_log_rate *pr)
{
	struct logdet *l = arg;
	struct rate *r = pr->template_id != 0 ? template_rate(l, pr->template_id) :
	    error_rate(l, pr->host, pr->host ? strlen(pr->host) : 0);

	r->minute = pr->minute;
	r->count = pr->count;
	return 0;
}

/* Templates, counts and position of the last run. */
static void
load_state(struct detect *d)
{
	struct logdet *l = d->logs;

	if (aiops_logs_templates(d->state, restore_template, l) == -1 ||
	    aiops_logs_position_get(d->state, &l->nlines, &l->minute) == -1 ||
	    aiops_logs_rates(d->state, restore_rate, l) == -1)
		detect_state_fatal(d, "loading log templates");
}

void
detect_logs_init(struct detect *d, uint64_t warmup, double min_burst, int64_t retention)
{
	struct logdet *l = xcalloc(1, sizeof(*l));

	d->logs = l;
	if ((l->lm = aiops_logmine_new()) == NULL)
		fatal(70, "out of memory");
	aiops_logmine_set_similarity(l->lm, aiops_conf_number(d->cfg, "detect.logs.similarity", 0.72));
	l->warmup = warmup;
	l->min_burst = min_burst;
	l->retention = retention;
	aiops_hmap_init(&l->by_host);
	aiops_hmap_init(&l->by_source);
	if (d->state != NULL)
		load_state(d);
}

static int
save_template(void *arg, uint64_t id, const char *tmpl, uint64_t count)
{
	struct detect *d = arg;
	struct aiops_log_template t;

	t.id = id;
	t.text = tmpl;
	t.len = strlen(tmpl);
	t.count = count;
	t.seen = aiops_clock_now();
	return aiops_logs_template_put(d->state, &t);
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

static void
save_rate(struct detect *d, struct rate *r, void *arg)
{
	struct aiops_log_rate pr;
	int *rc = arg;

	if (*rc == -1 || r->count == 0)
		return;
	aiops_buf_reset(&d->scratch);
	if (r->tid != 0)
		aiops_buf_addf(&d->scratch, "%s{template_id=\"%llu\"}", r->name, (unsigned long long)r->tid);
	else
		aiops_buf_addf(&d->scratch, "%s{host=\"%s\"}", r->name, r->host ? r->host : "");
	pr.key = d->scratch.data;
	pr.minute = r->minute;
	pr.count = r->count;
	pr.host = r->host;
	pr.template_id = r->tid;
	*rc = aiops_logs_rate_add(d->state, &pr);
}

/* The counts of minutes not yet over, for the next run to go on with. */
static int
save_pending(struct detect *d)
{
	int rc = 0;

	if (aiops_logs_rates_clear(d->state) == -1)
		return -1;
	rates_each(d, save_rate, &rc);
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
	if (save_lines(d) == -1 ||
	    aiops_logmine_foreach(l->lm, save_template, d) != 0 ||
	    aiops_logs_position_put(d->state, l->nlines, l->minute) == -1 ||
	    save_pending(d) == -1) {
		aiops_state_rollback(d->state);
		detect_state_fatal(d, "saving log templates");
	}
	if (aiops_state_commit(d->state) == -1)
		detect_state_fatal(d, "saving log templates");
}

static void
rate_free(void *p)
{
	struct rate *r = p;

	free(r->name);
	free(r->host);
	free(r);
}

void
detect_logs_free(struct detect *d)
{
	struct logdet *l = d->logs;

	if (l == NULL)
		return;
	size_t i;

	aiops_logmine_free(l->lm);
	for (i = 0; i < l->ntemplates; i++)
		if (l->by_template[i] != NULL)
			rate_free(l->by_template[i]);
	free(l->by_template);
	aiops_hmap_release(&l->by_host, rate_free);
	aiops_hmap_release(&l->by_source, free);
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
