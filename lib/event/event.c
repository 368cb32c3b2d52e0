#include "compat.h"

#include <string.h>

#include "core/hash.h"
#include "event/event.h"
#include "core/timeutil.h"

static int
label_cmp(const struct aiops_label *a, const struct aiops_label *b)
{
	size_t n = a->klen < b->klen ? a->klen : b->klen;
	int c = memcmp(a->key, b->key, n);

	if (c != 0)
		return c;
	return a->klen < b->klen ? -1 : a->klen > b->klen;
}

void
aiops_labels_sort(struct aiops_label *l, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		struct aiops_label t = l[i];

		for (j = i; j > 0 && label_cmp(&l[j - 1], &t) > 0; j--)
			l[j] = l[j - 1];
		l[j] = t;
	}
}

static const unsigned char sepb = 0xff;

static uint64_t
event_id(const struct aiops_event_head *h)
{
	uint64_t x = AIOPS_HASH_INIT;
	size_t i;

	x = aiops_hash64(h->type, strlen(h->type), x);
	x = aiops_hash64(&sepb, 1, x);
	if (h->host != NULL)
		x = aiops_hash64(h->host, h->hlen, x);
	x = aiops_hash64(&sepb, 1, x);
	for (i = 0; i < h->nlabels; i++) {
		x = aiops_hash64(h->labels[i].key, h->labels[i].klen, x);
		x = aiops_hash64(&sepb, 1, x);
		x = aiops_hash64(h->labels[i].val, h->labels[i].vlen, x);
		x = aiops_hash64(&sepb, 1, x);
	}
	if (h->idkey != NULL)
		x = aiops_hash64_words(h->idkey, h->idklen, x);
	x = aiops_hash64(&sepb, 1, x);
	/* The time least significant byte first, whatever the machine's order. */
	for (i = 0; i < 8; i++) {
		unsigned char b = (unsigned char)((uint64_t)h->ts >> (8 * i));

		x = aiops_hash64(&b, 1, x);
	}
	return x;
}

/*
 * The events of one input line share their time (a line-protocol point
 * with many fields, a scrape): format it once. The programs are single
 * threaded; this cache is their only mutable static.
 */
static size_t
time_text(int64_t ns, char *out)
{
	static int64_t last_ns = INT64_MIN;
	static char last[AIOPS_TIME_BUFSZ];
	static size_t last_len;

	if (ns != last_ns) {
		last_len = aiops_time_format(ns, last);
		last_ns = ns;
	}
	memcpy(out, last, last_len + 1);
	return last_len;
}

/* prefix (a literal: comma, quoted key, colon, opening quote), then a string value. */
static void
head_member(struct aiops_buf *b, const char *prefix, const char *s, size_t n)
{
	aiops_buf_addstr(b, prefix);
	aiops_json_escape(b, s, n);
	aiops_buf_addc(b, '"');
}

void
aiops_event_begin(struct aiops_jw *w, const struct aiops_event_head *h)
{
	static const char hex[] = "0123456789abcdef";
	char ts[AIOPS_TIME_BUFSZ], id[16];
	uint64_t x = event_id(h);
	size_t i, tl;

	for (i = 0; i < 16; i++)
		id[i] = hex[(x >> (60 - 4 * i)) & 15];
	tl = time_text(h->ts, ts);
	/*
	 * Every event starts so: the fixed keys go in as literals rather than
	 * through aiops_jw_key(), a tenth of a log line's writing.
	 */
	aiops_jw_object_begin(w);
	head_member(w->b, "\"type\":\"", h->type, strlen(h->type));
	head_member(w->b, ",\"ts\":\"", ts, tl);
	head_member(w->b, ",\"id\":\"", id, 16);
	if (h->host != NULL)
		head_member(w->b, ",\"host\":\"", h->host, h->hlen);
	if (h->cluster != NULL)
		head_member(w->b, ",\"cluster\":\"", h->cluster, strlen(h->cluster));
	if (h->source != NULL)
		head_member(w->b, ",\"source\":\"", h->source, strlen(h->source));
	w->need_comma[w->depth] = 1;
	aiops_jw_key(w, "labels", 6);
	aiops_jw_object_begin(w);
	for (i = 0; i < h->nlabels; i++) {
		aiops_jw_key(w, h->labels[i].key, h->labels[i].klen);
		aiops_jw_string(w, h->labels[i].val, h->labels[i].vlen);
	}
	aiops_jw_object_end(w);
}

void
aiops_event_metric(struct aiops_jw *w, struct aiops_metric *m)
{
	struct aiops_event_head h;

	aiops_labels_sort(m->labels, m->nlabels);
	memset(&h, 0, sizeof(h));
	h.type = "metric";
	h.ts = m->ts;
	h.host = m->host;
	h.hlen = m->hlen;
	h.cluster = m->cluster;
	h.source = m->source;
	h.labels = m->labels;
	h.nlabels = m->nlabels;
	h.idkey = m->name;
	h.idklen = m->nlen;
	aiops_event_begin(w, &h);
	aiops_jw_kstr(w, "name", m->name, m->nlen);
	aiops_jw_knum(w, "value", m->value);
	if (m->unit != NULL)
		aiops_jw_kcstr(w, "unit", m->unit);
	aiops_jw_object_end(w);
}

/* A label value quoted as in the Prometheus text format. */
static void
add_quoted(struct aiops_buf *b, const char *s, size_t n)
{
	size_t i, run = 0;

	aiops_buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		if (s[i] != '\\' && s[i] != '"' && s[i] != '\n')
			continue;
		aiops_buf_add(b, s + run, i - run);
		aiops_buf_add(b, s[i] == '\n' ? "\\n" : s[i] == '"' ? "\\\"" : "\\\\", 2);
		run = i + 1;
	}
	aiops_buf_add(b, s + run, n - run);
	aiops_buf_addc(b, '"');
}

void
aiops_series_key(struct aiops_buf *b, const struct aiops_metric *m)
{
	size_t i;
	int first = 1;

	aiops_buf_add(b, m->name, m->nlen);
	aiops_buf_addc(b, '{');
	if (m->host != NULL) {
		aiops_buf_add(b, "host=", 5);
		add_quoted(b, m->host, m->hlen);
		first = 0;
	}
	for (i = 0; i < m->nlabels; i++) {
		if (!first)
			aiops_buf_addc(b, ',');
		first = 0;
		aiops_buf_add(b, m->labels[i].key, m->labels[i].klen);
		aiops_buf_addc(b, '=');
		add_quoted(b, m->labels[i].val, m->labels[i].vlen);
	}
	aiops_buf_addc(b, '}');
}
