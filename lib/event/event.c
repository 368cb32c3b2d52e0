#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "event/event.h"

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

static int
labels_sorted(const struct aiops_label *l, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (label_cmp(&l[i - 1], &l[i]) > 0)
			return 0;
	return 1;
}

/*
 * h's labels in the order of their names: h's own, as every caller gives
 * them, or else a sorted copy in *copy, which the caller frees.
 */
static const struct aiops_label *
name_order(const struct aiops_event_head *h, struct aiops_label **copy)
{
	*copy = NULL;
	if (labels_sorted(h->labels, h->nlabels))
		return h->labels;
	*copy = xreallocarray(NULL, h->nlabels, sizeof(**copy));
	memcpy(*copy, h->labels, h->nlabels * sizeof(**copy));
	aiops_labels_sort(*copy, h->nlabels);
	return *copy;
}

static const unsigned char sepb = 0xff;

void
aiops_labels_fingerprint(const struct aiops_label *l, size_t n, char out[AIOPS_EVENT_ID_LEN + 1])
{
	uint64_t h = AIOPS_HASH_INIT;
	size_t i;

	for (i = 0; i < n; i++) {
		h = aiops_hash64(l[i].key, l[i].klen, h);
		h = aiops_hash64(&sepb, 1, h);
		h = aiops_hash64(l[i].val, l[i].vlen, h);
		h = aiops_hash64(&sepb, 1, h);
	}
	aiops_event_id_text(h, out);
}

/* Eight bytes, least significant first, whatever the machine's order. */
static uint64_t
hash_u64(uint64_t v, uint64_t x)
{
	size_t i;

	for (i = 0; i < 8; i++) {
		unsigned char b = (unsigned char)(v >> (8 * i));

		x = aiops_hash64(&b, 1, x);
	}
	return x;
}

/* The id of aiops(7), over h with its labels l in name order. */
static uint64_t
id_hash(const struct aiops_event_head *h, const struct aiops_label *l)
{
	uint64_t x = AIOPS_HASH_INIT;
	size_t i;

	x = aiops_hash64(h->type, strlen(h->type), x);
	x = aiops_hash64(&sepb, 1, x);
	if (h->host != NULL)
		x = aiops_hash64(h->host, h->hlen, x);
	x = aiops_hash64(&sepb, 1, x);
	for (i = 0; i < h->nlabels; i++) {
		x = aiops_hash64(l[i].key, l[i].klen, x);
		x = aiops_hash64(&sepb, 1, x);
		x = aiops_hash64(l[i].val, l[i].vlen, x);
		x = aiops_hash64(&sepb, 1, x);
	}
	if (h->idkey != NULL)
		x = aiops_hash64_words(h->idkey, h->idklen, x);
	x = aiops_hash64(&sepb, 1, x);
	if (h->origin == NULL)
		return hash_u64((uint64_t)h->ts, x);
	/*
	 * Sixteen bytes where the time would be eight: an origin never hashes
	 * as a time does.
	 */
	x = hash_u64(h->origin->file, x);
	return hash_u64((uint64_t)h->origin->offset, x);
}

uint64_t
aiops_event_id(const struct aiops_event_head *h)
{
	struct aiops_label *copy;
	uint64_t x = id_hash(h, name_order(h, &copy));

	free(copy);
	return x;
}

void
aiops_event_id_text(uint64_t id, char out[AIOPS_EVENT_ID_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < AIOPS_EVENT_ID_LEN; i++)
		out[i] = hex[(id >> (60 - 4 * i)) & 15];
	out[AIOPS_EVENT_ID_LEN] = '\0';
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

#define LIT(s)	s, sizeof(s) - 1

/* Writes the head of h, its labels l in name order; returns the id. */
static uint64_t
write_head(struct aiops_jw *w, const struct aiops_event_head *h, const struct aiops_label *l)
{
	char ts[AIOPS_TIME_BUFSZ], id[AIOPS_EVENT_ID_LEN + 1];
	uint64_t x = id_hash(h, l);
	size_t i, tl;

	aiops_event_id_text(x, id);
	tl = time_text(h->ts, ts);
	/*
	 * Every event starts so: the fixed keys go in as literals rather than
	 * through aiops_jw_key(), a tenth of a log line's writing.
	 */
	aiops_jw_object_begin(w);
	aiops_jw_kstr_lit(w, LIT("\"type\":"), h->type, strlen(h->type));
	aiops_jw_kstr_lit(w, LIT("\"ts\":"), ts, tl);
	aiops_jw_kstr_lit(w, LIT("\"id\":"), id, AIOPS_EVENT_ID_LEN);
	if (h->host != NULL)
		aiops_jw_kstr_lit(w, LIT("\"host\":"), h->host, h->hlen);
	if (h->cluster != NULL)
		aiops_jw_kstr_lit(w, LIT("\"cluster\":"), h->cluster, strlen(h->cluster));
	if (h->source != NULL)
		aiops_jw_kstr_lit(w, LIT("\"source\":"), h->source, strlen(h->source));
	aiops_jw_key(w, "labels", 6);
	aiops_jw_object_begin(w);
	for (i = 0; i < h->nlabels; i++) {
		aiops_jw_key(w, l[i].key, l[i].klen);
		aiops_jw_string(w, l[i].val, l[i].vlen);
	}
	aiops_jw_object_end(w);
	return x;
}

uint64_t
aiops_event_begin(struct aiops_jw *w, const struct aiops_event_head *h)
{
	struct aiops_label *copy;
	uint64_t x = write_head(w, h, name_order(h, &copy));

	free(copy);
	return x;
}

void
aiops_event_reopen(struct aiops_jw *w, const json_t *ev, const char *line, size_t len)
{
	const char *k;
	json_t *v;

	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	if (len > 1 && line[len - 1] == '}') {
		aiops_jw_object_resume(w, line, len - 1, json_object_size(ev) > 0);
		return;
	}
	aiops_jw_object_begin(w);
	json_object_foreach((json_t *)ev, k, v) {
		aiops_jw_key(w, k, strlen(k));
		aiops_jw_json(w, v);
	}
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
	/* Sorted just above: no need to check, the bulk of ingest's events. */
	write_head(w, &h, m->labels);
	aiops_jw_kstr(w, "name", m->name, m->nlen);
	aiops_jw_knum(w, "value", m->value);
	if (m->metric_type != NULL)
		aiops_jw_kcstr(w, "metric_type", m->metric_type);
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
