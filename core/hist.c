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

/* Bin means of the distinct colours: one pass over them (not over the samples) with exact
 * integer sums; bins are numbered in the order their first colour appeared. */
static int fold_into_bins(const uniq *u, int space, uint32_t bits, ct_arena *a, ct_hist_level *out)
{
    const uint32_t shift = 8 - bits, nbins = 1u << (3 * bits);
    uint32_t *bin_of = ct_arena_calloc(a, nbins, sizeof *bin_of); /* bin + 1, 0 = unused */
    uint64_t *sums = ct_arena_alloc(a, (size_t)u->n * 3 * sizeof *sums);
    uint32_t *w = ct_arena_alloc(a, (size_t)u->n * sizeof *w);
    if (!bin_of || !sums || !w)
        return -1;
    uint32_t n = 0;
    for (uint32_t i = 0; i < u->n; i++) {
        uint8_t c[3];
        unpack(u->rgb[i], c);
        uint32_t key = (uint32_t)(c[0] >> shift) << (2 * bits) | (uint32_t)(c[1] >> shift) << bits |
                       (uint32_t)(c[2] >> shift);
        if (bin_of[key] == 0) {
            bin_of[key] = ++n;
            memset(sums + (size_t)(n - 1) * 3, 0, 3 * sizeof *sums);
            w[n - 1] = 0;
        }
        uint32_t b = bin_of[key] - 1, cnt = u->count[i];
        for (int j = 0; j < 3; j++)
            sums[(size_t)b * 3 + j] += (uint64_t)c[j] * cnt;
        w[b] += cnt;
    }
    float *pts = ct_arena_alloc(a, (size_t)n * 3 * sizeof *pts);
    if (!pts)
        return -1;
    for (uint32_t b = 0; b < n; b++) {
        uint8_t mean[3];
        for (int j = 0; j < 3; j++) /* rounded integer mean: exact, no float summation order */
            mean[j] = (uint8_t)((sums[(size_t)b * 3 + j] + w[b] / 2) / w[b]);
        ct_space_from_srgb8_fast(space, mean, pts + (size_t)b * 3);
    }
    out->n = n;
    out->points = pts;
    out->weights = w;
    return 0;
}

int ct_hist_build(const ct_samples *s, int space, uint32_t exact_limit, ct_arena *a, ct_hist *out,
                  ct_err *err)
{
    memset(out, 0, sizeof *out);
    if (!s || s->n == 0 || !a)
        return ct_fail(err, COVERTHEME_ERR_INVALID_ARGUMENT, "histogram: no samples");
    uint32_t cap = 1024;
    while (cap < 2 * s->n && cap < (1u << 25))
        cap *= 2; /* load <= 1/2; at most 2^24 distinct colours exist, so the cap always fits */
    uniq u = {0};
    u.mask = cap - 1;
    u.slot_key = ct_arena_calloc(a, cap, sizeof *u.slot_key);
    u.slot_idx = ct_arena_alloc(a, (size_t)cap * sizeof *u.slot_idx);
    uint32_t max_distinct = s->n < (1u << 24) ? s->n : (1u << 24);
    u.rgb = ct_arena_alloc(a, (size_t)max_distinct * sizeof *u.rgb);
    u.count = ct_arena_alloc(a, (size_t)max_distinct * sizeof *u.count);
    if (!u.slot_key || !u.slot_idx || !u.rgb || !u.count)
        return ct_fail(err, COVERTHEME_ERR_NO_MEMORY, "histogram: out of memory for %u samples", s->n);
    for (uint32_t i = 0; i < s->n; i++) {
        const uint8_t *p = s->rgb + (size_t)i * 3;
        uniq_add(&u, (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2]);
    }
    out->distinct = u.n;
    if (u.n > exact_limit) {
        if (fold_into_bins(&u, space, CT_HIST_COARSE_BITS, a, &out->coarse) < 0)
            return ct_fail(err, COVERTHEME_ERR_NO_MEMORY, "histogram: out of memory for %u colours", u.n);
        out->binned = 1;
        if (u.n > CT_HIST_FINE_EXACT_LIMIT) {
            if (fold_into_bins(&u, space, CT_HIST_FINE_BITS, a, &out->fine) < 0)
                return ct_fail(err, COVERTHEME_ERR_NO_MEMORY, "histogram: out of memory for %u colours", u.n);
            return 0;
        }
    }
    float *pts = ct_arena_alloc(a, (size_t)u.n * 3 * sizeof *pts);
    if (!pts)
        return ct_fail(err, COVERTHEME_ERR_NO_MEMORY, "histogram: out of memory for %u colours", u.n);
    for (uint32_t i = 0; i < u.n; i++) {
        uint8_t c[3];
        unpack(u.rgb[i], c);
        ct_space_from_srgb8_fast(space, c, pts + (size_t)i * 3);
    }
    out->fine.n = u.n;
    out->fine.points = pts;
    out->fine.weights = u.count;
    if (!out->binned)
        out->coarse = out->fine;
    return 0;
}
