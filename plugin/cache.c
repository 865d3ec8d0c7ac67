/* The cover cache (see cache.h for the key, the collision bound and the memory bound). */
#include "cache.h"

#include <stdlib.h>
#include <string.h>

#include "../core/theme_private.h"
#include "context.h"
#include "theme_alloc.h"

/* ---- MurmurHash3 x64_128 ------------------------------------------------------------- */

static inline uint64_t rotl64(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

/* Little-endian 64-bit load from any alignment (one mov on x86-64). */
static inline uint64_t load64le(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

static inline uint64_t fmix64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return k;
}

#define MM_C1 0x87c37b91114253d5ULL
#define MM_C2 0x4cf5ad432745937fULL

void ct_hash128(const void *data, size_t size, uint32_t seed, uint64_t out[2])
{
    const uint8_t *p = data;
    size_t nblocks = size / 16;
    uint64_t h1 = seed, h2 = seed;

    for (size_t i = 0; i < nblocks; i++, p += 16) {
        uint64_t k1 = load64le(p), k2 = load64le(p + 8);
        k1 *= MM_C1;
        k1 = rotl64(k1, 31);
        k1 *= MM_C2;
        h1 ^= k1;
        h1 = rotl64(h1, 27);
        h1 += h2;
        h1 = h1 * 5 + 0x52dce729;
        k2 *= MM_C2;
        k2 = rotl64(k2, 33);
        k2 *= MM_C1;
        h2 ^= k2;
        h2 = rotl64(h2, 31);
        h2 += h1;
        h2 = h2 * 5 + 0x38495ab5;
    }

    /* Tail: the 0..15 remaining bytes, little-endian into k1 (bytes 0..7) and k2 (8..14). */
    size_t rest = size & 15;
    uint64_t k1 = 0, k2 = 0;
    for (size_t i = rest; i > 8; i--)
        k2 ^= (uint64_t)p[i - 1] << (8 * (i - 9));
    for (size_t i = rest < 8 ? rest : 8; i > 0; i--)
        k1 ^= (uint64_t)p[i - 1] << (8 * (i - 1));
    if (rest > 8) {
        k2 *= MM_C2;
        k2 = rotl64(k2, 33);
        k2 *= MM_C1;
        h2 ^= k2;
    }
    if (rest > 0) {
        k1 *= MM_C1;
        k1 = rotl64(k1, 31);
        k1 *= MM_C2;
        h1 ^= k1;
    }

    h1 ^= (uint64_t)size;
    h2 ^= (uint64_t)size;
    h1 += h2;
    h2 += h1;
    h1 = fmix64(h1);
    h2 = fmix64(h2);
    h1 += h2;
    h2 += h1;
    out[0] = h1;
    out[1] = h2;
}

/* ---- keys ---------------------------------------------------------------------------- */

/* Any fixed value: the key only has to be stable within one process. */
#define CACHE_HASH_SEED 0x63743031u /* "ct01" */

void ct_cache_key_make(ct_cache_key *key, const ct_options *opt, const void *data, size_t size)
{
    memset(key, 0, sizeof *key);
    ct_hash128(data, size, CACHE_HASH_SEED, key->hash);
    key->size = (uint64_t)size;
    key->k = opt->k;
    key->space = opt->space;
    key->bg_policy = opt->bg_policy;
    key->seed = opt->seed;
    key->max_iterations = opt->max_iterations;
    key->max_samples = opt->max_samples;
}

static int key_eq(const ct_cache_key *a, const ct_cache_key *b)
{
    return a->hash[0] == b->hash[0] && a->hash[1] == b->hash[1] && a->size == b->size && a->k == b->k &&
           a->space == b->space && a->bg_policy == b->bg_policy && a->seed == b->seed &&
           a->max_iterations == b->max_iterations && a->max_samples == b->max_samples;
}

/* ---- theme copies -------------------------------------------------------------------- */

/* Bytes of the block behind `t`: what build_theme() allocates for its palette size. */
static size_t block_size(const covertheme_theme *t)
{
    return sizeof(ct_theme_block) + (size_t)t->palette_count * sizeof(covertheme_cluster);
}

/* `p` moved from the block at `from` to the one at `to`, if it points into the first. */
static const void *rebase(const void *p, const void *from, size_t size, void *to)
{
    uintptr_t a = (uintptr_t)p, f = (uintptr_t)from;
    if (!p || a < f || a - f >= size)
        return p; /* NULL or outside the block (a static string): unchanged */
    return (const char *)to + (a - f);
}

/* Copies the block behind `src` into `dst` (block_size(src) bytes) and rebases its pointers:
 * the theme's roles and palette and each role's origin string. */
static covertheme_theme *copy_into(void *dst, const covertheme_theme *src)
{
    const ct_theme_block *from = ct_theme_block_of(src);
    size_t size = block_size(src);
    memcpy(dst, from, size);
    ct_theme_block *b = dst;
    b->pub.roles = rebase(src->roles, from, size, b);
    b->pub.palette = rebase(src->palette, from, size, b);
    for (int i = 0; i < CT_ROLE_COUNT; i++)
        b->roles[i].origin = rebase(from->roles[i].origin, from, size, b);
    return &b->pub;
}

/* ---- the cache ------------------------------------------------------------------------- */

static ct_cache_entry *find(ct_cache *c, const ct_cache_key *key)
{
    for (uint32_t i = 0; i < c->n; i++)
        if (key_eq(&c->entry[i].key, key))
            return &c->entry[i];
    return NULL;
}

static uint32_t least_recent(const ct_cache *c)
{
    uint32_t lru = 0;
    for (uint32_t i = 1; i < c->n; i++)
        if (c->entry[i].used < c->entry[lru].used)
            lru = i;
    return lru;
}

static void evict(ct_cache *c, uint32_t i)
{
    ct_theme_block_put(c->entry[i].block);
    c->entry[i] = c->entry[--c->n];
    memset(&c->entry[c->n], 0, sizeof c->entry[c->n]);
}

int ct_cache_get(ct_cache *c, const ct_cache_key *key, uint64_t max_pixels, covertheme_theme **out)
{
    ct_cache_entry *e = find(c, key);
    if (!e)
        return 0;
    const covertheme_theme *t = &((const ct_theme_block *)e->block)->pub;
    if ((uint64_t)t->image_width * t->image_height > max_pixels)
        return 0;
    void *copy = ct_theme_block_get();
    if (!copy)
        return COVERTHEME_ERR_NO_MEMORY;
    *out = copy_into(copy, t);
    e->used = ++c->tick;
    return 1;
}

void ct_cache_put(ct_cache *c, const ct_cache_key *key, const covertheme_theme *theme, uint32_t capacity)
{
    if (capacity == 0)
        return;
    if (capacity > CT_CACHE_MAX_ENTRIES)
        capacity = CT_CACHE_MAX_ENTRIES;
    ct_cache_trim(c, capacity);
    void *block = ct_theme_block_get();
    if (!block)
        return;
    covertheme_theme *t = copy_into(block, theme);
    memset(&t->timings, 0, sizeof t->timings); /* a hit reports its own call's timings */

    ct_cache_entry *e = find(c, key);
    if (e) {
        ct_theme_block_put(e->block); /* same key stored again: keep the newer theme */
    } else {
        if (c->n == capacity)
            evict(c, least_recent(c));
        e = &c->entry[c->n++];
        e->key = *key;
    }
    e->block = block;
    e->used = ++c->tick;
}

void ct_cache_trim(ct_cache *c, uint32_t capacity)
{
    while (c->n > capacity)
        evict(c, least_recent(c));
}
