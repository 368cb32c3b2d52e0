/*
 * The hash map: put, get, overwrite, growth past many entries, keys with
 * NUL bytes, insertion order, and lookups with a hash computed once.
 */
#include "compat.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/hmap.h"
#include "tap.h"

#define MANY	100000

static int nfreed;

static void
count_free(void *v)
{
	(void)v;
	nfreed++;
}

/* Values are small integers stored as pointers: nothing to free. */
static void *
num(uintptr_t i)
{
	return (void *)(i + 1);
}

static void
test_basic(void)
{
	struct aiops_hmap m;
	const char *k;
	int a, b;

	aiops_hmap_init(&m);
	ok(aiops_hmap_get(&m, "x", 1) == NULL, "an empty map has nothing");
	k = aiops_hmap_put(&m, "host", 4, &a);
	is_str(k, "host", "put returns the map's copy of the key");
	ok(aiops_hmap_get(&m, "host", 4) == &a, "get finds it");
	ok(aiops_hmap_get(&m, "hos", 3) == NULL && aiops_hmap_get(&m, "hosts", 5) == NULL,
	    "a prefix or a longer key is another key");
	ok(aiops_hmap_put(&m, "host", 4, &b) == k, "overwriting keeps the key copy");
	ok(aiops_hmap_get(&m, "host", 4) == &b && m.len == 1, "and replaces the value");
	ok(aiops_hmap_get(&m, "", 0) == NULL, "the empty key is absent");
	aiops_hmap_put(&m, "", 0, &a);
	ok(aiops_hmap_get(&m, "", 0) == &a && m.len == 2, "the empty key is a key");
	nfreed = 0;
	aiops_hmap_release(&m, count_free);
	is_int(nfreed, 2, "release hands each value to free_val");
	ok(m.len == 0 && m.cap == 0 && aiops_hmap_get(&m, "host", 4) == NULL,
	    "a released map is empty and usable");
	aiops_hmap_release(&m, NULL);
}

static void
test_nul_keys(void)
{
	static const char k1[] = "a\0b", k2[] = "a\0c", k3[] = "\0\0";
	struct aiops_hmap m;
	const char *c;

	aiops_hmap_init(&m);
	c = aiops_hmap_put(&m, k1, 3, num(1));
	aiops_hmap_put(&m, k2, 3, num(2));
	aiops_hmap_put(&m, k3, 2, num(3));
	aiops_hmap_put(&m, "a", 1, num(4));
	ok(memcmp(c, k1, 3) == 0 && c[3] == '\0', "a key with a NUL byte is copied whole");
	ok(aiops_hmap_get(&m, k1, 3) == num(1) && aiops_hmap_get(&m, k2, 3) == num(2),
	    "keys differing after a NUL byte are different keys");
	ok(aiops_hmap_get(&m, k3, 2) == num(3) && aiops_hmap_get(&m, k3, 1) == NULL,
	    "a key of NUL bytes only");
	ok(aiops_hmap_get(&m, "a", 1) == num(4) && m.len == 4, "\"a\" is not \"a\\0b\"");
	aiops_hmap_release(&m, NULL);
}

static void
test_many(void)
{
	struct aiops_hmap m;
	char key[32];
	size_t i, bad = 0, order = 0;
	int n;

	aiops_hmap_init(&m);
	for (i = 0; i < MANY; i++) {
		n = snprintf(key, sizeof(key), "series-%zu", i);
		aiops_hmap_put(&m, key, (size_t)n, num(i));
	}
	is_int(m.len, MANY, "%d keys put", MANY);
	ok(m.cap >= 2 * m.len && (m.cap & (m.cap - 1)) == 0,
	    "the table grew to a power of two, at most half full");
	for (i = 0; i < MANY; i++) {
		n = snprintf(key, sizeof(key), "series-%zu", i);
		if (aiops_hmap_get(&m, key, (size_t)n) != num(i))
			bad++;
	}
	is_int(bad, 0, "every key finds its value after growing");
	for (i = 0; i < MANY; i += 2) {
		n = snprintf(key, sizeof(key), "series-%zu", i);
		aiops_hmap_put(&m, key, (size_t)n, num(i + 1));
	}
	for (i = bad = 0; i < MANY; i++) {
		n = snprintf(key, sizeof(key), "series-%zu", i);
		if (aiops_hmap_get(&m, key, (size_t)n) != num(i % 2 == 0 ? i + 1 : i))
			bad++;
	}
	ok(bad == 0 && m.len == MANY, "half of them overwritten, none added");
	ok(aiops_hmap_get(&m, "series-100000", 13) == NULL, "a key never put is absent");
	for (i = 0; i < m.len; i++) {
		n = snprintf(key, sizeof(key), "series-%zu", i);
		if (m.ents[i].klen != (size_t)n || memcmp(m.ents[i].key, key, (size_t)n) != 0)
			order++;
	}
	is_int(order, 0, "entries are walked in insertion order");
	for (i = m.len; i < m.cap; i++)
		if (m.ents[i].key != NULL)
			order++;
	is_int(order, 0, "slots past len are empty");
	aiops_hmap_release(&m, NULL);
}

static void
test_hash_once(void)
{
	struct aiops_hmap m;
	uint64_t h = aiops_hmap_hash("node_cpu_seconds", 16);

	aiops_hmap_init(&m);
	ok(h == aiops_hmap_hash("node_cpu_seconds", 16), "the hash of a key is the same each time");
	ok(aiops_hmap_get_h(&m, "node_cpu_seconds", 16, h) == NULL, "get_h on an empty map");
	aiops_hmap_put_h(&m, "node_cpu_seconds", 16, h, num(7));
	ok(aiops_hmap_get(&m, "node_cpu_seconds", 16) == num(7), "put_h, then get");
	aiops_hmap_put(&m, "node_load1", 10, num(8));
	ok(aiops_hmap_get_h(&m, "node_load1", 10, aiops_hmap_hash("node_load1", 10)) == num(8),
	    "put, then get_h");
	aiops_hmap_release(&m, NULL);
}

int
main(void)
{
	test_basic();
	test_nul_keys();
	test_many();
	test_hash_once();
	return tap_done();
}
