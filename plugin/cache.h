/* The cover cache of a context: finished themes keyed by the CONTENT of the image (a
 * 128-bit hash of its bytes and their length) and by every option that changes the result.
 * Never keyed by path: players write every cover to the same path. Internal to the plugin
 * layer; every function is called with the context lock held.
 *
 * Key. MurmurHash3 x64_128 (Austin Appleby's public-domain design, implemented in cache.c)
 * of the bytes, the byte length, and k, colour space, background policy, seed, maximum
 * iterations and maximum samples compared exactly (threads and the two input limits do not
 * change a theme; the limits are enforced before a hit is returned). The bytes themselves are
 * not kept: a copy would cost as much memory as the file (24 MB for a large PNG) per entry.
 * Treating the hash as random, a call falsely matches one of at most 64 entries with
 * probability <= 64 * 2^-128 ~ 1.9e-37 (and the lengths must agree too); a player changing
 * song every 3 minutes for a century makes ~1.8e7 calls, < 4e-30 in all. MurmurHash3 is not
 * cryptographic: covers crafted on purpose to collide (seed-independent multicollisions are
 * published) can make one show the other's theme in that context, and nothing worse.
 *
 * Entries. Each holds a private copy of the finished ct_theme_block (one malloc of
 * sizeof(ct_theme_block) + palette_count clusters: 4024 + 48 B per cluster on x86-64, at
 * most ~16 KB at k = 256), with its internal pointers rebased. Least recently used (stored or hit)
 * is evicted first. Hits return a fresh copy the caller owns, so cache and themes never share
 * memory. */
#ifndef CT_PLUGIN_CACHE_H
#define CT_PLUGIN_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "../abi/covertheme.h"

#define CT_CACHE_MAX_ENTRIES 64

struct ct_options;

typedef struct ct_cache_key {
    uint64_t hash[2]; /* MurmurHash3 x64_128 of the bytes */
    uint64_t size;    /* byte length */
    int64_t k, space, bg_policy, seed, max_iterations, max_samples;
} ct_cache_key;

typedef struct ct_cache_entry {
    ct_cache_key key;
    uint64_t used; /* cache tick of the last store or hit */
    void *block;   /* the ct_theme_block copy */
} ct_cache_entry;

typedef struct ct_cache {
    uint32_t n;    /* entries in use: entry[0..n) */
    uint64_t tick;
    ct_cache_entry entry[CT_CACHE_MAX_ENTRIES];
} ct_cache;

/* MurmurHash3 x64_128 of data[0..size) with `seed`; out[0] = h1, out[1] = h2 of the
 * reference implementation. */
void ct_hash128(const void *data, size_t size, uint32_t seed, uint64_t out[2]);

/* The key of these bytes under these options. */
void ct_cache_key_make(ct_cache_key *key, const struct ct_options *opt, const void *data, size_t size);

/* Looks `key` up. On a hit whose image fits `max_pixels`, *out receives a new copy of the
 * theme (timings zeroed, for the caller to fill) and 1 is returned; 0 on a miss (an entry
 * whose image is larger than max_pixels counts as a miss, so the decoder reports the limit);
 * COVERTHEME_ERR_NO_MEMORY when the copy cannot be allocated. */
int ct_cache_get(ct_cache *c, const ct_cache_key *key, uint64_t max_pixels, covertheme_theme **out);

/* Stores a copy of `theme` under `key`, evicting the least recently used entry when
 * `capacity` entries are in use. Best effort: out of memory leaves the cache as it was. */
void ct_cache_put(ct_cache *c, const ct_cache_key *key, const covertheme_theme *theme, uint32_t capacity);

/* Evicts least recently used entries until at most `capacity` remain (0 empties it). */
void ct_cache_trim(ct_cache *c, uint32_t capacity);

#endif
