#include "hist.h"

#include <string.h>

#include "color.h"

/* Distinct colours: open addressing on the 24-bit value (+1, so 0 marks an empty slot),
 * with the index of the colour's entry in the first-occurrence list. */
typedef struct uniq {
    uint32_t *slot_key, *slot_idx, mask;
    uint32_t *rgb, *count, n; /* first-occurrence order */
} uniq;

static uint32_t hash24(uint32_t key, uint32_t mask)
{
    return (uint32_t)((key * UINT64_C(0x9E3779B97F4A7C15)) >> 32) & mask;
}

static void uniq_add(uniq *u, uint32_t rgb)
{
    uint32_t key = rgb + 1;
    for (uint32_t h = hash24(key, u->mask);; h = (h + 1) & u->mask) {
        if (u->slot_key[h] == key) {
            u->count[u->slot_idx[h]]++;
            return;
        }
        if (u->slot_key[h] == 0) {
            u->slot_key[h] = key;
            u->slot_idx[h] = u->n;
            u->rgb[u->n] = rgb;
            u->count[u->n] = 1;
            u->n++;
            return;
        }
    }
}

static void unpack(uint32_t rgb, uint8_t out[3])
{
    out[0] = (uint8_t)(rgb >> 16);
    out[1] = (uint8_t)(rgb >> 8);
    out[2] = (uint8_t)rgb;
}

/* The table sized for `n` keys at load <= 1/2 (a power of two, at least 1024). */
static uint32_t table_cap(uint32_t n)
{
    uint32_t cap = 1024;
    while (cap < 2 * n && cap < (1u << 25))
        cap *= 2;
    return cap;
}

/* Bin means of the distinct colours: one pass over them (not over the samples) with exact
 * integer sums; bins are numbered in the order their first colour appeared. The bin of a
 * key is found in a hash table sized by the colours, not in a table of every possible bin:
 * 2^21 7-bit bins would be 8 MB to clear on every call. */
static int fold_into_bins(const uniq *u, int space, uint32_t bits, ct_arena *a, float *pts, uint32_t *w,
                          ct_hist_level *out)
{
    ct_arena_mark scratch = ct_arena_mark_get(a);
    const uint32_t shift = 8 - bits, cap = table_cap(u->n), mask = cap - 1;
    uint32_t *slot_key = ct_arena_calloc(a, cap, sizeof *slot_key); /* key + 1, 0 = empty */
    uint32_t *slot_bin = ct_arena_alloc(a, (size_t)cap * sizeof *slot_bin);
    uint64_t *sums = ct_arena_alloc(a, (size_t)u->n * 3 * sizeof *sums);
    if (!slot_key || !slot_bin || !sums)
        return -1;
    uint32_t n = 0;
    for (uint32_t i = 0; i < u->n; i++) {
        uint8_t c[3];
        unpack(u->rgb[i], c);
        uint32_t key = ((uint32_t)(c[0] >> shift) << (2 * bits) | (uint32_t)(c[1] >> shift) << bits |
                        (uint32_t)(c[2] >> shift)) + 1;
        uint32_t h = hash24(key, mask);
        while (slot_key[h] != 0 && slot_key[h] != key)
            h = (h + 1) & mask;
        if (slot_key[h] == 0) {
            slot_key[h] = key;
            slot_bin[h] = n;
            memset(sums + (size_t)n * 3, 0, 3 * sizeof *sums);
            w[n] = 0;
            n++;
        }
        uint32_t b = slot_bin[h], cnt = u->count[i];
        for (int j = 0; j < 3; j++)
            sums[(size_t)b * 3 + j] += (uint64_t)c[j] * cnt;
        w[b] += cnt;
    }
    for (uint32_t b = 0; b < n; b++) {
        uint8_t mean[3];
        for (int j = 0; j < 3; j++) /* rounded integer mean: exact, no float summation order */
            mean[j] = (uint8_t)((sums[(size_t)b * 3 + j] + w[b] / 2) / w[b]);
        ct_space_from_srgb8_fast(space, mean, pts + (size_t)b * 3);
    }
    out->n = n;
    out->points = pts;
    out->weights = w;
    ct_arena_rewind(a, &scratch);
    return 0;
}

int ct_hist_build(const ct_samples *s, int space, uint32_t exact_limit, ct_arena *a, ct_hist *out,
                  ct_err *err)
{
    memset(out, 0, sizeof *out);
    if (!s || s->n == 0 || !a)
        return ct_fail(err, COVERTHEME_ERR_INVALID_ARGUMENT, "histogram: no samples");
    /* What the levels keep is allocated first, for as many points as there are samples (at
     * most 2^24, the distinct colours that exist); pages past the points actually written are
     * never touched, so they cost no memory. Everything after the mark (the colour table,
     * the bins' tables and sums) is scratch, released for k-means to reuse: on the 24 MB
     * seed it was ~6 MB of the CLI's peak RSS (bench/README.md). */
    uint32_t max_distinct = s->n < (1u << 24) ? s->n : (1u << 24);
    float *fine_pts = ct_arena_alloc(a, (size_t)max_distinct * 3 * sizeof(float));
    uint32_t *fine_w = ct_arena_alloc(a, (size_t)max_distinct * sizeof(uint32_t));
    float *coarse_pts = ct_arena_alloc(a, (size_t)max_distinct * 3 * sizeof(float));
    uint32_t *coarse_w = ct_arena_alloc(a, (size_t)max_distinct * sizeof(uint32_t));
    if (!fine_pts || !fine_w || !coarse_pts || !coarse_w)
        return ct_fail(err, COVERTHEME_ERR_NO_MEMORY, "histogram: out of memory for %u samples", s->n);
    ct_arena_mark scratch = ct_arena_mark_get(a);
    /* load <= 1/2; at most 2^24 distinct colours exist, so the cap always fits */
    uint32_t cap = table_cap(s->n);
    uniq u = {0};
    u.mask = cap - 1;
    u.slot_key = ct_arena_calloc(a, cap, sizeof *u.slot_key);
    u.slot_idx = ct_arena_alloc(a, (size_t)cap * sizeof *u.slot_idx);
    u.rgb = ct_arena_alloc(a, (size_t)max_distinct * sizeof *u.rgb);
    u.count = ct_arena_alloc(a, (size_t)max_distinct * sizeof *u.count);
    if (!u.slot_key || !u.slot_idx || !u.rgb || !u.count)
        return ct_fail(err, COVERTHEME_ERR_NO_MEMORY, "histogram: out of memory for %u samples", s->n);
    for (uint32_t i = 0; i < s->n; i++) {
        const uint8_t *p = s->rgb + (size_t)i * 3;
        uniq_add(&u, (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2]);
    }
    out->distinct = u.n;
    int rc = 0;
    if (u.n > exact_limit) {
        out->binned = 1;
        rc = fold_into_bins(&u, space, CT_HIST_COARSE_BITS, a, coarse_pts, coarse_w, &out->coarse);
        if (rc == 0 && u.n > CT_HIST_FINE_EXACT_LIMIT)
            rc = fold_into_bins(&u, space, CT_HIST_FINE_BITS, a, fine_pts, fine_w, &out->fine);
    }
    if (rc == 0 && (!out->binned || u.n <= CT_HIST_FINE_EXACT_LIMIT)) {
        for (uint32_t i = 0; i < u.n; i++) {
            uint8_t c[3];
            unpack(u.rgb[i], c);
            ct_space_from_srgb8_fast(space, c, fine_pts + (size_t)i * 3);
        }
        memcpy(fine_w, u.count, (size_t)u.n * sizeof *fine_w);
        out->fine.n = u.n;
        out->fine.points = fine_pts;
        out->fine.weights = fine_w;
        if (!out->binned)
            out->coarse = out->fine;
    }
    ct_arena_rewind(a, &scratch);
    if (rc < 0)
        return ct_fail(err, COVERTHEME_ERR_NO_MEMORY, "histogram: out of memory for %u colours", u.n);
    return 0;
}
