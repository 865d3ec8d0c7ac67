#include "hist.h"

#include <string.h>

#include "color.h"
#include "pool.h"

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

/* Scratch of one fold, allocated by the calling thread (a pool share may not use the
 * arena): a table of `cap` slots and the bins' sums. */
typedef struct fold_scratch {
    uint32_t *slot_key, *slot_bin, cap;
    uint64_t *sums;
} fold_scratch;

static int fold_scratch_alloc(const uniq *u, ct_arena *a, fold_scratch *fs)
{
    fs->cap = table_cap(u->n);
    fs->slot_key = ct_arena_alloc(a, (size_t)fs->cap * sizeof *fs->slot_key);
    fs->slot_bin = ct_arena_alloc(a, (size_t)fs->cap * sizeof *fs->slot_bin);
    fs->sums = ct_arena_alloc(a, (size_t)u->n * 3 * sizeof *fs->sums);
    return fs->slot_key && fs->slot_bin && fs->sums ? 0 : -1;
}

/* Bin means of the distinct colours: one pass over them (not over the samples) with exact
 * integer sums; bins are numbered in the order their first colour appeared. The bin of a
 * key is found in a hash table sized by the colours, not in a table of every possible bin:
 * 2^21 7-bit bins would be 8 MB to clear on every call. */
static void fold_into_bins(const uniq *u, int space, uint32_t bits, const fold_scratch *fs, float *pts, uint32_t *w,
                           ct_hist_level *out)
{
    const uint32_t shift = 8 - bits, mask = fs->cap - 1;
    uint32_t *slot_key = fs->slot_key, *slot_bin = fs->slot_bin; /* key + 1, 0 = empty */
    uint64_t *sums = fs->sums;
    memset(slot_key, 0, (size_t)fs->cap * sizeof *slot_key);
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
}

/* The fine level as the distinct colours themselves. */
static void exact_level(const uniq *u, int space, float *pts, uint32_t *w, ct_hist_level *out)
{
    for (uint32_t i = 0; i < u->n; i++) {
        uint8_t c[3];
        unpack(u->rgb[i], c);
        ct_space_from_srgb8_fast(space, c, pts + (size_t)i * 3);
    }
    memcpy(w, u->count, (size_t)u->n * sizeof *w);
    out->n = u->n;
    out->points = pts;
    out->weights = w;
}

/* The two levels of a binned histogram depend only on the distinct colours, so they are
 * built side by side on the pool: share 0 the coarse bins, share 1 the fine level (7-bit bins
 * or the exact colours). Each share writes only its own level, so the result is the same on
 * any thread count. */
typedef struct levels_job {
    const uniq *u;
    int space;
    fold_scratch coarse_scratch, fine_scratch; /* fine_scratch unused when the fine level is exact */
    int fine_binned;
    float *coarse_pts, *fine_pts;
    uint32_t *coarse_w, *fine_w;
    ct_hist *out;
} levels_job;

static void levels_share(void *arg, uint32_t share)
{
    levels_job *j = arg;
    if (share == 0)
        fold_into_bins(j->u, j->space, CT_HIST_COARSE_BITS, &j->coarse_scratch, j->coarse_pts, j->coarse_w,
                       &j->out->coarse);
    else if (j->fine_binned)
        fold_into_bins(j->u, j->space, CT_HIST_FINE_BITS, &j->fine_scratch, j->fine_pts, j->fine_w, &j->out->fine);
    else
        exact_level(j->u, j->space, j->fine_pts, j->fine_w, &j->out->fine);
}

int ct_hist_build(const ct_samples *s, int space, uint32_t exact_limit, ct_arena *a, ct_pool *pool, ct_hist *out,
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
        levels_job job = {.u = &u, .space = space, .fine_binned = u.n > CT_HIST_FINE_EXACT_LIMIT,
                          .coarse_pts = coarse_pts, .fine_pts = fine_pts, .coarse_w = coarse_w,
                          .fine_w = fine_w, .out = out};
        rc = fold_scratch_alloc(&u, a, &job.coarse_scratch);
        if (rc == 0 && job.fine_binned)
            rc = fold_scratch_alloc(&u, a, &job.fine_scratch);
        if (rc == 0)
            ct_pool_run(pool, 2, levels_share, &job);
    } else {
        exact_level(&u, space, fine_pts, fine_w, &out->fine);
        out->coarse = out->fine;
    }
    ct_arena_rewind(a, &scratch);
    if (rc < 0)
        return ct_fail(err, COVERTHEME_ERR_NO_MEMORY, "histogram: out of memory for %u colours", u.n);
    return 0;
}
