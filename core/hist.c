#include "hist.h"
#include "hist_parts.h"

#include <string.h>

#include "color.h"
#include "pool.h"

static uint32_t hash24(uint32_t key, uint32_t mask)
{
    return (uint32_t)((key * UINT64_C(0x9E3779B97F4A7C15)) >> 32) & mask;
}

/* The table sized for `n` keys at load <= 1/2 (a power of two, at least 1024). */
static uint32_t table_cap(uint32_t n)
{
    uint32_t cap = 1024;
    while (cap < 2 * n && cap < (1u << 25))
        cap *= 2;
    return cap;
}

int ct_uniq_alloc(ct_uniq *u, uint32_t max_colours, ct_arena *a)
{
    /* at most 2^24 distinct colours exist, so the cap always fits */
    uint32_t cap = table_cap(max_colours);
    memset(u, 0, sizeof *u);
    u->mask = cap - 1;
    u->slot_key = ct_arena_calloc(a, cap, sizeof *u->slot_key);
    u->slot_idx = ct_arena_alloc(a, (size_t)cap * sizeof *u->slot_idx);
    u->rgb = ct_arena_alloc(a, (size_t)max_colours * sizeof *u->rgb);
    u->count = ct_arena_alloc(a, (size_t)max_colours * sizeof *u->count);
    return u->slot_key && u->slot_idx && u->rgb && u->count ? 0 : -1;
}

int ct_uniq_add(ct_uniq *u, uint32_t rgb)
{
    uint32_t key = rgb + 1;
    for (uint32_t h = hash24(key, u->mask);; h = (h + 1) & u->mask) {
        if (u->slot_key[h] == key) {
            u->count[u->slot_idx[h]]++;
            return 0;
        }
        if (u->slot_key[h] == 0) {
            u->slot_key[h] = key;
            u->slot_idx[h] = u->n;
            u->rgb[u->n] = rgb;
            u->count[u->n] = 1;
            u->n++;
            return 1;
        }
    }
}

static void unpack(uint32_t rgb, uint8_t out[3])
{
    out[0] = (uint8_t)(rgb >> 16);
    out[1] = (uint8_t)(rgb >> 8);
    out[2] = (uint8_t)rgb;
}

/* The bin of a key is found in a hash table sized by the colours, not in a table of every
 * possible bin: 2^21 7-bit bins would be 8 MB to clear on every call. */
int ct_bins_alloc(ct_bins *b, uint32_t bits, uint32_t max_colours, uint32_t *weights, ct_arena *a)
{
    uint32_t max_bins = 1u << (3 * bits); /* bins that exist at all */
    if (max_colours < max_bins)
        max_bins = max_colours;
    uint32_t cap = table_cap(max_bins);
    memset(b, 0, sizeof *b);
    b->mask = cap - 1;
    b->bits = bits;
    b->weights = weights;
    b->slot_key = ct_arena_alloc(a, (size_t)cap * sizeof *b->slot_key);
    b->slot_bin = ct_arena_alloc(a, (size_t)cap * sizeof *b->slot_bin);
    b->sums = ct_arena_alloc(a, (size_t)max_bins * 3 * sizeof *b->sums);
    return b->slot_key && b->slot_bin && b->sums ? 0 : -1;
}

void ct_bins_start(ct_bins *b)
{
    memset(b->slot_key, 0, ((size_t)b->mask + 1) * sizeof *b->slot_key);
    b->n = 0;
}

void ct_bins_add(ct_bins *b, uint32_t rgb, uint32_t count)
{
    const uint32_t bits = b->bits, shift = 8 - bits;
    uint8_t c[3];
    unpack(rgb, c);
    uint32_t key = ((uint32_t)(c[0] >> shift) << (2 * bits) | (uint32_t)(c[1] >> shift) << bits |
                    (uint32_t)(c[2] >> shift)) + 1;
    uint32_t h = hash24(key, b->mask);
    while (b->slot_key[h] != 0 && b->slot_key[h] != key)
        h = (h + 1) & b->mask;
    if (b->slot_key[h] == 0) {
        b->slot_key[h] = key;
        b->slot_bin[h] = b->n;
        memset(b->sums + (size_t)b->n * 3, 0, 3 * sizeof *b->sums);
        b->weights[b->n] = 0;
        b->n++;
    }
    uint32_t bin = b->slot_bin[h];
    for (int j = 0; j < 3; j++)
        b->sums[(size_t)bin * 3 + j] += (uint64_t)c[j] * count;
    b->weights[bin] += count;
}

void ct_bins_add_all(ct_bins *b, const ct_uniq *u)
{
    for (uint32_t i = 0; i < u->n; i++)
        ct_bins_add(b, u->rgb[i], u->count[i]);
}

/* A level of bin means: the rounded integer mean of each bin (exact, no float summation
 * order), converted to the clustering space. */
static void bins_level(const ct_bins *b, int space, float *pts, ct_hist_level *out)
{
    for (uint32_t i = 0; i < b->n; i++) {
        uint8_t mean[3];
        uint32_t w = b->weights[i];
        for (int j = 0; j < 3; j++)
            mean[j] = (uint8_t)((b->sums[(size_t)i * 3 + j] + w / 2) / w);
        ct_space_from_srgb8_fast(space, mean, pts + (size_t)i * 3);
    }
    out->n = b->n;
    out->points = pts;
    out->weights = b->weights;
}

/* The fine level as the distinct colours themselves. */
static void exact_level(const ct_uniq *u, int space, float *pts, uint32_t *w, ct_hist_level *out)
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

/* Share 0 the coarse level, share 1 the fine one (7-bit bins or the exact colours). Each
 * share writes only its own level, so the result is the same on any thread count. */
static void levels_share(void *arg, uint32_t share)
{
    ct_levels_job *j = arg;
    ct_bins *b = share == 0 ? &j->coarse : &j->fine;
    int filled = share == 0 ? j->coarse_filled : j->fine_filled;
    if (share == 1 && !j->fine_binned) {
        exact_level(j->u, j->space, j->fine_pts, j->fine.weights, &j->out->fine);
        return;
    }
    if (!filled) {
        ct_bins_start(b);
        ct_bins_add_all(b, j->u);
    }
    bins_level(b, j->space, share == 0 ? j->coarse_pts : j->fine_pts, share == 0 ? &j->out->coarse : &j->out->fine);
}

void ct_levels_run(ct_levels_job *job, ct_pool *pool)
{
    job->out->distinct = job->u->n;
    job->out->binned = 1;
    ct_pool_run(pool, 2, levels_share, job);
}

void ct_levels_exact(ct_levels_job *job)
{
    job->out->distinct = job->u->n;
    job->out->binned = 0;
    exact_level(job->u, job->space, job->fine_pts, job->fine.weights, &job->out->fine);
    job->out->coarse = job->out->fine;
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
    ct_levels_job job = {.space = space, .out = out};
    uint32_t *fine_w = ct_arena_alloc(a, (size_t)max_distinct * sizeof(uint32_t));
    uint32_t *coarse_w = ct_arena_alloc(a, (size_t)max_distinct * sizeof(uint32_t));
    job.fine_pts = ct_arena_alloc(a, (size_t)max_distinct * 3 * sizeof(float));
    job.coarse_pts = ct_arena_alloc(a, (size_t)max_distinct * 3 * sizeof(float));
    if (!fine_w || !coarse_w || !job.fine_pts || !job.coarse_pts)
        return ct_fail(err, COVERTHEME_ERR_NO_MEMORY, "histogram: out of memory for %u samples", s->n);
    job.fine.weights = fine_w;
    ct_arena_mark scratch = ct_arena_mark_get(a);
    ct_uniq u;
    if (ct_uniq_alloc(&u, max_distinct, a) < 0)
        return ct_fail(err, COVERTHEME_ERR_NO_MEMORY, "histogram: out of memory for %u samples", s->n);
    for (uint32_t i = 0; i < s->n; i++) {
        const uint8_t *p = s->rgb + (size_t)i * 3;
        ct_uniq_add(&u, (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2]);
    }
    job.u = &u;
    int rc = 0;
    if (u.n > exact_limit) {
        /* The bins are folded from the distinct colours (one pass over them, not over the
         * samples), so their tables are sized by those. */
        job.fine_binned = u.n > CT_HIST_FINE_EXACT_LIMIT;
        rc = ct_bins_alloc(&job.coarse, CT_HIST_COARSE_BITS, u.n, coarse_w, a);
        if (rc == 0 && job.fine_binned)
            rc = ct_bins_alloc(&job.fine, CT_HIST_FINE_BITS, u.n, fine_w, a);
        if (rc == 0)
            ct_levels_run(&job, pool);
    } else {
        ct_levels_exact(&job);
    }
    ct_arena_rewind(a, &scratch);
    if (rc < 0)
        return ct_fail(err, COVERTHEME_ERR_NO_MEMORY, "histogram: out of memory for %u colours", u.n);
    return 0;
}
