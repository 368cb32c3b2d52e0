/*
 * Event ids and heads: a fixed head gives a fixed id, byte for byte (ids
 * written by aiops-ingest before this test existed, and the definition of
 * aiops(7) computed here on its own); label order does not matter; the
 * idkey, the time, the type and the host do. Then reopening an input
 * event to add fields.
 */
#include "compat.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "event/event.h"
#include "json/jw.h"
#include "tap.h"

#define NS(s)	((int64_t)(s) * 1000000000LL)

/*
 * aiops(7) read literally: FNV-1a 64 over the type, 0xff, the host, 0xff,
 * each label name and value in name order each followed by 0xff, the key
 * taken eight bytes at a time little-endian then byte by byte, 0xff, and
 * the 8 bytes of ts least significant first. Labels must be sorted here.
 */
static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	while (n-- > 0)
		h = (h ^ *s++) * 0x100000001b3ULL;
	return h;
}

static uint64_t
spec_id(const struct aiops_event_head *e)
{
	const unsigned char *k = (const unsigned char *)e->idkey;
	uint64_t h = 0xcbf29ce484222325ULL, w;
	unsigned char b = 0xff, t;
	size_t i, j;

	h = fnv(h, e->type, strlen(e->type));
	h = fnv(h, &b, 1);
	h = fnv(h, e->host, e->host ? e->hlen : 0);
	h = fnv(h, &b, 1);
	for (i = 0; i < e->nlabels; i++) {
		h = fnv(fnv(h, e->labels[i].key, e->labels[i].klen), &b, 1);
		h = fnv(fnv(h, e->labels[i].val, e->labels[i].vlen), &b, 1);
	}
	for (i = 0; k != NULL && i + 8 <= e->idklen; i += 8) {
		for (w = 0, j = 0; j < 8; j++)
			w |= (uint64_t)k[i + j] << (8 * j);
		h = (h ^ w) * 0x100000001b3ULL;
	}
	if (k != NULL)
		h = fnv(h, k + i, e->idklen - i);
	h = fnv(h, &b, 1);
	if (e->origin != NULL) {
		/* A line of a file, of no time of its own: file, then offset. */
		for (i = 0; i < 8; i++) {
			t = (unsigned char)(e->origin->file >> (8 * i));
			h = fnv(h, &t, 1);
		}
		for (i = 0; i < 8; i++) {
			t = (unsigned char)((uint64_t)e->origin->offset >> (8 * i));
			h = fnv(h, &t, 1);
		}
		return h;
	}
	for (i = 0; i < 8; i++) {
		t = (unsigned char)((uint64_t)e->ts >> (8 * i));
		h = fnv(h, &t, 1);
	}
	return h;
}

static const char *
id_of(const struct aiops_event_head *h)
{
	static char id[AIOPS_EVENT_ID_LEN + 1];

	aiops_event_id_text(aiops_event_id(h), id);
	return id;
}

static void
label(struct aiops_label *l, const char *k, const char *v)
{
	l->key = k;
	l->klen = strlen(k);
	l->val = v;
	l->vlen = strlen(v);
}

/* Heads of events aiops-ingest wrote, and the ids it gave them. */
static void
test_fixed(void)
{
	static const char msg[] =
	    "upstream timed out (110: Connection timed out) while reading";
	struct aiops_label lab[2];
	struct aiops_event_head h;

	/* cpu,host=web-1,cpu=cpu0,zone=eu usage_user=12.5 1794700800000000000 */
	memset(&h, 0, sizeof(h));
	h.type = "metric";
	h.ts = NS(1794700800);
	h.host = "web-1";
	h.hlen = 5;
	label(&lab[0], "cpu", "cpu0");
	label(&lab[1], "zone", "eu");
	h.labels = lab;
	h.nlabels = 2;
	h.idkey = "cpu_usage_user";
	h.idklen = 14;
	is_str(id_of(&h), "e37b287f5f69ca00", "a metric's id");
	ok(aiops_event_id(&h) == spec_id(&h), "is aiops(7)'s definition");

	/* <11>Nov 15 00:00:51 web-1 nginx[1205]: upstream timed out ... */
	label(&lab[0], "facility", "user");
	label(&lab[1], "pid", "1205");
	h.type = "log";
	h.ts = NS(1794700851);
	h.idkey = msg;
	h.idklen = sizeof(msg) - 1;
	is_str(id_of(&h), "edbd51343aef13c3", "a log's id (a key of 61 bytes: words and a tail)");
	ok(aiops_event_id(&h) == spec_id(&h), "is aiops(7)'s definition");

	/* {"ts":"2026-11-15T00:00:00.001Z","msg":"x"}: no host, no labels */
	memset(&h, 0, sizeof(h));
	h.type = "log";
	h.ts = NS(1794700800) + 1000000;
	h.source = "json";
	h.idkey = "x";
	h.idklen = 1;
	is_str(id_of(&h), "332a6bd2475cfbe5", "an id without host or labels");
	ok(aiops_event_id(&h) == spec_id(&h), "is aiops(7)'s definition");
	h.source = "syslog";
	h.cluster = "prod-eu";
	is_str(id_of(&h), "332a6bd2475cfbe5", "source and cluster are not part of it");
}

/* A line's origin stands for its time in the id (issue 8). */
static void
test_origin(void)
{
	static const char msg[] = "worker 3 restarted";
	struct aiops_origin o = { 0x8f1c2a4b5d6e7f01ULL, 4096 };
	struct aiops_event_head h;
	uint64_t x;

	memset(&h, 0, sizeof(h));
	h.type = "log";
	h.ts = NS(1794700800);
	h.host = "web-1";
	h.hlen = 5;
	h.idkey = msg;
	h.idklen = sizeof(msg) - 1;
	h.origin = &o;
	x = aiops_event_id(&h);
	is_str(id_of(&h), "9dc3c5c0b59e37e7", "a line's id from its origin");
	ok(x == spec_id(&h), "is aiops(7)'s definition");
	h.ts = NS(1794787200);
	ok(aiops_event_id(&h) == x, "the time of reading is not in it");
	o.offset = 4097;
	ok(aiops_event_id(&h) != x, "the offset is");
	o.offset = 4096;
	o.file ^= 1;
	ok(aiops_event_id(&h) != x, "the file is");
	o.file ^= 1;
	h.origin = NULL;
	ok(aiops_event_id(&h) != x, "without an origin, the time again");
}

static void
test_parts(void)
{
	struct aiops_label ab[3], ba[3];
	struct aiops_event_head h, g;
	char id[AIOPS_EVENT_ID_LEN + 1];

	memset(&h, 0, sizeof(h));
	h.type = "metric";
	h.ts = NS(1794700800);
	h.host = "db-1";
	h.hlen = 4;
	label(&ab[0], "device", "sda");
	label(&ab[1], "path", "/var");
	label(&ab[2], "pathx", "");
	ba[0] = ab[2];
	ba[1] = ab[0];
	ba[2] = ab[1];
	h.labels = ab;
	h.nlabels = 3;
	h.idkey = "disk_used_percent";
	h.idklen = 17;
	g = h;
	g.labels = ba;
	aiops_event_id_text(aiops_event_id(&h), id);
	is_str(id_of(&g), id, "label order does not matter");
	ok(aiops_event_id(&h) == spec_id(&h), "sorted labels: aiops(7)'s definition");
	g = h;
	g.idkey = "disk_used_percenT";
	ok(strcmp(id_of(&g), id) != 0, "the idkey matters (last byte of a word)");
	g.idkey = "disk_used_percent";
	g.idklen = 16;
	ok(strcmp(id_of(&g), id) != 0, "the idkey matters (its length)");
	g = h;
	g.ts++;
	ok(strcmp(id_of(&g), id) != 0, "the time matters to the nanosecond");
	g = h;
	g.type = "anomaly";
	ok(strcmp(id_of(&g), id) != 0, "the type matters");
	g = h;
	g.host = NULL;
	ok(strcmp(id_of(&g), id) != 0, "the host matters");
	g = h;
	label(&ba[0], "device", "sdb");
	g.labels = ba;
	g.nlabels = 1;
	ok(strcmp(id_of(&g), id) != 0, "the labels matter");
	/* A label value moved into its name is another event. */
	label(&ba[0], "devicesda", "");
	h.nlabels = 1;
	ok(aiops_event_id(&g) != aiops_event_id(&h), "name and value are separated");
}

/* Writes h, returns the text; *x gets what aiops_event_begin() returned. */
static const char *
write_head(const struct aiops_event_head *h, uint64_t *x)
{
	static struct aiops_buf b = AIOPS_BUF_INIT;
	struct aiops_jw w;

	aiops_buf_reset(&b);
	aiops_jw_init(&w, &b);
	*x = aiops_event_begin(&w, h);
	aiops_jw_kcstr(&w, "name", "n");
	aiops_jw_object_end(&w);
	aiops_buf_addc(&b, '\0');
	return b.data;
}

static void
test_begin(void)
{
	struct aiops_label l[2];
	struct aiops_event_head h;
	char id[AIOPS_EVENT_ID_LEN + 1], want[256];
	const char *text;
	uint64_t x;

	memset(&h, 0, sizeof(h));
	h.type = "metric";
	h.ts = NS(1794700800) + 250000000;
	h.host = "web-\"1\"";
	h.hlen = 7;
	h.source = "influx";
	label(&l[0], "zone", "eu");
	label(&l[1], "cpu", "cpu0");
	h.labels = l;
	h.nlabels = 2;
	h.idkey = "cpu_usage_user";
	h.idklen = 14;
	text = write_head(&h, &x);
	aiops_event_id_text(x, id);
	ok(x == aiops_event_id(&h), "begin returns the event's id");
	snprintf(want, sizeof(want), "{\"type\":\"metric\",\"ts\":\"2026-11-15T00:00:00.250Z\","
	    "\"id\":\"%s\",\"host\":\"web-\\\"1\\\"\",\"source\":\"influx\","
	    "\"labels\":{\"cpu\":\"cpu0\",\"zone\":\"eu\"},\"name\":\"n\"}", id);
	is_str(text, want, "the head in order, labels sorted, strings escaped");
	ok(l[0].key[0] == 'z', "the caller's labels are left as given");
}

/* aiops_event_reopen() of line (or of ev alone), then a field. */
static const char *
reopen(const char *line, int with_line)
{
	static struct aiops_buf b = AIOPS_BUF_INIT;
	struct aiops_jw w;
	json_t *ev = json_loads(line, 0, NULL);

	aiops_buf_reset(&b);
	aiops_jw_init(&w, &b);
	aiops_event_reopen(&w, ev, with_line ? line : NULL, with_line ? strlen(line) : 0);
	aiops_jw_knum(&w, "score", 0.5);
	aiops_jw_object_end(&w);
	aiops_buf_addc(&b, '\0');
	json_decref(ev);
	return b.data;
}

static void
test_reopen(void)
{
	is_str(reopen("{\"type\":\"metric\",\"x\":{\"a\":[1,2]}}", 1),
	    "{\"type\":\"metric\",\"x\":{\"a\":[1,2]},\"score\":0.5}", "a field added to a line");
	is_str(reopen("{ \"type\" : \"metric\" }  \t", 1),
	    "{ \"type\" : \"metric\" ,\"score\":0.5}", "the line's own spacing is kept");
	is_str(reopen("{}", 1), "{\"score\":0.5}", "an empty object gets no comma");
	is_str(reopen("{ }", 1), "{ \"score\":0.5}", "nor one with a blank inside");
	is_str(reopen("{\"type\" : \"metric\", \"v\" : 1.50}", 0),
	    "{\"type\":\"metric\",\"v\":1.5,\"score\":0.5}", "without the line, from the event");
	is_str(reopen("{\"type\":\"log\"}\r", 1), "{\"type\":\"log\",\"score\":0.5}",
	    "a line not ending in a brace is written from the event");
}

int
main(void)
{
	test_fixed();
	test_origin();
	test_parts();
	test_begin();
	test_reopen();
	return tap_done();
}
