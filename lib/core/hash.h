/*
 * hash.h: the two hashes of aiops.
 *
 * aiops_hash64() is FNV-1a 64 (Fowler, Noll, Vo; the function of
 * Prometheus' label fingerprints). It is stable: event ids are built on it
 * (event/event.h), so its output is part of the contract and never changes.
 * Start with h = AIOPS_HASH_INIT and chain calls to hash several parts.
 *
 * aiops_hash_fast() is for in-memory tables only (hmap, the metric store's
 * series index, the log miner's caches): eight bytes a step, finished with
 * aiops_mix64(). Nothing stored or printed may depend on its value, so it
 * is free to change.
 */
#ifndef AIOPS_HASH_H
#define AIOPS_HASH_H

#include <stddef.h>
#include <stdint.h>

#define AIOPS_HASH_INIT	0xcbf29ce484222325ULL

/* FNV-1a 64 over n bytes at p, continuing from h. */
uint64_t aiops_hash64(const void *p, size_t n, uint64_t h);

/*
 * FNV-1a 64 taken eight bytes (little-endian) at a time, then byte by byte
 * for the tail: the id hash of long keys (a log's message). Stable too.
 */
uint64_t aiops_hash64_words(const void *p, size_t n, uint64_t h);

/* A fast, well-spread hash of n bytes for in-memory tables; never stored. */
uint64_t aiops_hash_fast(const void *p, size_t n);

/*
 * The 64-bit finaliser of MurmurHash3 (Appleby): spreads the bits of an
 * integer key (a series id and a bucket, a token hash) over a table index.
 */
static inline uint64_t
aiops_mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

#endif
