#include "compat.h"

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "event/evread.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

int
aiops_evread_line(const char *line, size_t len, json_t **out, char *err, size_t errlen)
{
	json_error_t jerr;
	size_t i;

	/* JSON's blanks: a CR is left when a last line without \n had \r\n. */
	for (i = 0; i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r' ||
	    line[i] == '\n'); i++)
		;
	if (i == len)
		return 1;
	*out = json_loadb(line, len, 0, &jerr);
	if (*out == NULL) {
		snprintf(err, errlen, "invalid JSON at column %d: %s", jerr.column, jerr.text);
		return -1;
	}
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		snprintf(err, errlen, "expected a JSON object");
		return -1;
	}
	return 0;
}

int
aiops_evread_ts(const json_t *ev, int64_t *ts, char *err, size_t errlen)
{
	const json_t *v = json_object_get(ev, "ts");
	char num[64];
	int n;

	if (json_is_string(v)) {
		if (aiops_time_parse(json_string_value(v), json_string_length(v), ts) == 0)
			return 0;
		snprintf(err, errlen, "ts: not a time: \"%.40s\"", json_string_value(v));
		return -1;
	}
	if (json_is_integer(v)) {
		json_int_t e = json_integer_value(v);

		/* The magnitude says the unit, as aiops_time_from_epoch() guesses. */
		if (e >= 0 && e < 100000000000LL) {
			*ts = e * AIOPS_NS_PER_SEC;
			return 0;
		}
		n = snprintf(num, sizeof(num), "%lld", (long long)e);
		if (aiops_time_from_epoch(num, (size_t)n, AIOPS_TU_AUTO, ts) == 0)
			return 0;
	} else if (json_is_real(v) && isfinite(json_real_value(v))) {
		n = snprintf(num, sizeof(num), "%.6f", json_real_value(v));
		if (n > 0 && (size_t)n < sizeof(num) &&
		    aiops_time_from_epoch(num, (size_t)n, AIOPS_TU_AUTO, ts) == 0)
			return 0;
	}
	snprintf(err, errlen, v == NULL ? "ts: missing" : "ts: not a time");
	return -1;
}

static const char *
opt_string(const json_t *ev, const char *key, size_t *len)
{
	const json_t *v = json_object_get(ev, key);

	if (!json_is_string(v)) {
		*len = 0;
		return NULL;
	}
	*len = json_string_length(v);
	return json_string_value(v);
}

int
aiops_evread_metric(const json_t *ev, struct aiops_metric *m,
    struct aiops_label *lab, char *err, size_t errlen)
{
	const json_t *v = json_object_get(ev, "value"), *labels;
	const char *k;
	json_t *lv;
	size_t n;

	memset(m, 0, sizeof(*m));
	if ((m->name = opt_string(ev, "name", &m->nlen)) == NULL || m->nlen == 0) {
		snprintf(err, errlen, "metric without a name");
		return -1;
	}
	if (!json_is_number(v)) {
		snprintf(err, errlen, v == NULL || json_is_null(v) ?
		    "metric without a value" : "value is not a number");
		return -1;
	}
	m->value = json_number_value(v);
	if (aiops_evread_ts(ev, &m->ts, err, errlen) == -1)
		return -1;
	m->host = opt_string(ev, "host", &m->hlen);
	m->cluster = opt_string(ev, "cluster", &n);
	m->source = opt_string(ev, "source", &n);
	m->unit = opt_string(ev, "unit", &n);
	m->metric_type = opt_string(ev, "metric_type", &n);
	m->labels = lab;
	labels = json_object_get(ev, "labels");
	if (labels != NULL && !json_is_object(labels)) {
		snprintf(err, errlen, "labels is not an object");
		return -1;
	}
	json_object_foreach((json_t *)labels, k, lv) {
		if (!json_is_string(lv)) {
			snprintf(err, errlen, "label %.40s is not a string", k);
			return -1;
		}
		if (m->nlabels == AIOPS_MAX_LABELS) {
			snprintf(err, errlen, "more than %d labels", AIOPS_MAX_LABELS);
			return -1;
		}
		lab[m->nlabels].key = k;
		lab[m->nlabels].klen = strlen(k);
		lab[m->nlabels].val = json_string_value(lv);
		lab[m->nlabels].vlen = json_string_length(lv);
		m->nlabels++;
	}
	aiops_labels_sort(lab, m->nlabels);
	return 0;
}

#define BATCH_LINES	2048
#define ERRLEN		160
/*
 * Work for the helper. It also frees what it parsed: glibc frees memory
 * of another thread's arena under a lock, which cost more than the
 * second thread won.
 */
#define PARSE		1
#define FREE		2

struct aiops_evbatch {
	struct aiops_buf	 text;		/* the lines, back to back */
	size_t			*off;		/* where each line starts in text */
	struct aiops_evline	*lines;
	char			(*errs)[ERRLEN];
	size_t			 n;
	/* the helper thread parses lines [half, n) while we parse [0, half) */
	pthread_t		 thread;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	int			 has_thread;
	int			 work;		/* for the helper: 0 none, PARSE or FREE */
	int			 quit;
	size_t			 from, to;
};

/*
 * jansson allocates each value, key and table separately; a batch keeps
 * thousands alive at once, past what malloc's per-thread caches hold, and
 * that cost more than the second thread won. So while a thread parses a
 * batch, jansson allocates from that thread's arena, a chunk bumped
 * forward and dropped whole when the batch's events are freed. Anything
 * allocated at other times (or past the arena) comes from malloc, and
 * free() tells the two apart by address.
 */
#define ARENA_BYTES	(8u << 20)

struct arena {
	char	*base;
	size_t	 used;
};

static __thread struct arena *parsing;	/* this thread's arena, while parsing */
static struct arena arenas[2];		/* the caller's and the helper's */

static void *
arena_malloc(size_t n)
{
	struct arena *a = parsing;

	n = (n + 15) & ~(size_t)15;
	if (a == NULL || a->base == NULL || ARENA_BYTES - a->used < n)
		return malloc(n);
	a->used += n;
	return a->base + a->used - n;
}

static void
arena_free(void *p)
{
	size_t i;

	for (i = 0; i < 2; i++)
		if (arenas[i].base != NULL && (char *)p >= arenas[i].base &&
		    (char *)p < arenas[i].base + ARENA_BYTES)
			return;		/* dropped with its arena */
	free(p);
}

static void
parse_range(struct aiops_evbatch *b, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++) {
		struct aiops_evline *l = &b->lines[i];

		l->ev = NULL;
		l->err = b->errs[i];
		l->rc = aiops_evread_line(l->line, l->len, &l->ev, b->errs[i], ERRLEN);
	}
}

static void
free_range(struct aiops_evbatch *b, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++) {
		json_decref(b->lines[i].ev);
		b->lines[i].ev = NULL;
	}
}

/* parse_range() on this thread's arena, which the batch's free empties. */
static void
parse_in(struct arena *a, struct aiops_evbatch *b, size_t from, size_t to)
{
	a->used = 0;
	parsing = a;
	parse_range(b, from, to);
	parsing = NULL;
}

static void *
helper(void *arg)
{
	struct aiops_evbatch *b = arg;

	pthread_mutex_lock(&b->mu);
	for (;;) {
		int work;

		while (!b->work && !b->quit)
			pthread_cond_wait(&b->cv, &b->mu);
		if (b->quit)
			break;
		work = b->work;
		pthread_mutex_unlock(&b->mu);
		if (work == PARSE)
			parse_in(&arenas[1], b, b->from, b->to);
		else
			free_range(b, b->from, b->to);
		pthread_mutex_lock(&b->mu);
		b->work = 0;
		pthread_cond_broadcast(&b->cv);
	}
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

/* Hands [from, to) to the helper. */
static void
give(struct aiops_evbatch *b, int work, size_t from, size_t to)
{
	pthread_mutex_lock(&b->mu);
	b->from = from;
	b->to = to;
	b->work = work;
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
}

static void
wait_helper(struct aiops_evbatch *b)
{
	pthread_mutex_lock(&b->mu);
	while (b->work)
		pthread_cond_wait(&b->cv, &b->mu);
	pthread_mutex_unlock(&b->mu);
}

struct aiops_evbatch *
aiops_evbatch_new(void)
{
	struct aiops_evbatch *b = xcalloc(1, sizeof(*b));
	sigset_t all, old;

	aiops_buf_init(&b->text);
	b->off = xcalloc(BATCH_LINES, sizeof(*b->off));
	b->lines = xcalloc(BATCH_LINES, sizeof(*b->lines));
	b->errs = xcalloc(BATCH_LINES, sizeof(*b->errs));
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->cv, NULL);
	/* jansson's hash seed, set before two threads could race to set it. */
	json_object_seed(0);
	/* One batch at a time in a process: the arenas are the process's. */
	if (arenas[0].base == NULL) {
		arenas[0].base = xmalloc(ARENA_BYTES);
		arenas[1].base = xmalloc(ARENA_BYTES);
		json_set_alloc_funcs(arena_malloc, arena_free);
	}
	/*
	 * The helper blocks every signal, so SIGINT and SIGTERM reach the main
	 * thread and interrupt its read. Without a second thread, the caller
	 * parses everything: still correct.
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	b->has_thread = pthread_create(&b->thread, NULL, helper, b) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return b;
}

void
aiops_evbatch_free(struct aiops_evbatch *b)
{
	if (b == NULL)
		return;
	if (b->has_thread) {
		pthread_mutex_lock(&b->mu);
		b->quit = 1;
		pthread_cond_broadcast(&b->cv);
		pthread_mutex_unlock(&b->mu);
		pthread_join(b->thread, NULL);
	}
	pthread_mutex_destroy(&b->mu);
	pthread_cond_destroy(&b->cv);
	aiops_buf_release(&b->text);
	free(b->off);
	free(b->lines);
	free(b->errs);
	free(b);
}

int
aiops_evbatch_add(struct aiops_evbatch *b, const char *name, const char *line,
    size_t len, unsigned long lineno)
{
	struct aiops_evline *l = &b->lines[b->n];

	b->off[b->n] = b->text.len;
	aiops_buf_add(&b->text, line, len);
	l->len = len;
	l->name = name;
	l->lineno = lineno;
	b->n++;
	return b->n == BATCH_LINES;
}

void
aiops_evbatch_run(struct aiops_evbatch *b, void (*fn)(void *arg, const struct aiops_evline *l),
    void *arg)
{
	size_t i, split = b->n;

	if (b->n == 0)
		return;
	/* The text may have moved while it grew: point the lines at it now. */
	for (i = 0; i < b->n; i++)
		b->lines[i].line = b->text.data + b->off[i];
	/*
	 * We parse the first part, then handle it while the helper is still
	 * parsing the rest: handling costs about a third of parsing, so the
	 * helper takes the larger share (0.57) and both finish together.
	 */
	if (b->has_thread && b->n >= 16) {
		split = b->n * 43 / 100;
		give(b, PARSE, split, b->n);
	}
	parse_in(&arenas[0], b, 0, split);
	for (i = 0; i < split; i++)
		fn(arg, &b->lines[i]);
	if (split < b->n) {
		wait_helper(b);
		for (i = split; i < b->n; i++)
			fn(arg, &b->lines[i]);
		give(b, FREE, split, b->n);
	}
	free_range(b, 0, split);
	if (split < b->n)
		wait_helper(b);
	b->n = 0;
	aiops_buf_reset(&b->text);
}
