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

/* Tables for up to `max_colours` distinct colours, from the arena. -1: out of memory. */
static int uniq_alloc(ct_uniq *u, uint32_t max_colours, ct_arena *a)
{
    /* at most 2^24 distinct colours exist, so the cap always fits */
    uint32_t cap = table_cap(max_colours);
    memset(u, 0, sizeof *u);
    u->mask = cap - 1;
    u->slots = ct_arena_calloc(a, cap, sizeof *u->slots);
    u->rgb = ct_arena_alloc(a, (size_t)max_colours * sizeof *u->rgb);
    u->count = ct_arena_alloc(a, (size_t)max_colours * sizeof *u->count);
    return u->slots && u->rgb && u->count ? 0 : -1;
}

/* Counts one sample of colour 0xRRGGBB; 1 when the colour is new. */
static int uniq_add(ct_uniq *u, uint32_t rgb)
{
    uint32_t key = rgb + 1;
    for (uint32_t h = hash24(key, u->mask);; h = (h + 1) & u->mask) {
        ct_slot *s = &u->slots[h];
        if (s->key == key) {
            u->count[s->idx]++;
            return 0;
        }
        if (s->key == 0) {
            s->key = key;
            s->idx = u->n;
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

/* Tables for up to `max_colours` distinct colours (or as many bins as exist, 2^(3 bits), if
 * fewer), from the arena, left uncleared until bins_start. -1: out of memory. The bin of a
 * key is found in a hash table sized by the colours, not in a table of every possible bin:
 * 2^21 7-bit bins would be 8 MB to clear on every call. */
static int bins_alloc(ct_bins *b, uint32_t bits, uint32_t max_colours, ct_arena *a)
{
    uint32_t max_bins = 1u << (3 * bits); /* bins that exist at all */
    if (max_colours < max_bins)
        max_bins = max_colours;
    uint32_t cap = table_cap(max_bins);
    memset(b, 0, sizeof *b);
    b->mask = cap - 1;
    b->bits = bits;
    b->slots = ct_arena_alloc(a, (size_t)cap * sizeof *b->slots);
    b->bins = ct_arena_alloc(a, (size_t)max_bins * sizeof *b->bins);
    return b->slots && b->bins ? 0 : -1;
}

/* Empties the bins (clears the table). */
static void bins_start(ct_bins *b)
{
    memset(b->slots, 0, ((size_t)b->mask + 1) * sizeof *b->slots);
    b->n = 0;
}

/* The sums of the bin of key (0 .. 2^(3 bits) - 1), a new empty bin the first time. */
static ct_bin_sums *bin_of(ct_bins *b, uint32_t key)
{
    key += 1;
    uint32_t h = hash24(key, b->mask);
    while (b->slots[h].key != 0 && b->slots[h].key != key)
        h = (h + 1) & b->mask;
    ct_slot *s = &b->slots[h];
    if (s->key == 0) {
        s->key = key;
        s->idx = b->n;
        b->bins[b->n] = (ct_bin_sums){{0, 0, 0}, 0};
        b->n++;
    }
    return &b->bins[s->idx];
}

/* Adds `count` samples of colour 0xRRGGBB. */
static void bins_add(ct_bins *b, uint32_t rgb, uint32_t count)
{
    const uint32_t bits = b->bits, shift = 8 - bits;
    uint8_t c[3];
    unpack(rgb, c);
    ct_bin_sums *bin = bin_of(b, (uint32_t)(c[0] >> shift) << (2 * bits) | (uint32_t)(c[1] >> shift) << bits |
                                     (uint32_t)(c[2] >> shift));
    for (int j = 0; j < 3; j++)
        bin->sum[j] += (uint64_t)c[j] * count;
    bin->weight += count;
}

/* Adds every distinct colour of `u` with its count, in first-occurrence order. */
static void bins_add_all(ct_bins *b, const ct_uniq *u)
{
    for (uint32_t i = 0; i < u->n; i++)
        bins_add(b, u->rgb[i], u->count[i]);
}

int ct_count_alloc(ct_count *c, uint32_t max_samples, uint32_t exact_limit, ct_arena *a)
{
    /* at most 2^24 distinct colours exist; the distinct colours stop at the fine limit */
    uint32_t max = max_samples < (1u << 24) ? max_samples : (1u << 24);
    uint32_t max_distinct = max < CT_HIST_FINE_EXACT_LIMIT + 1 ? max : CT_HIST_FINE_EXACT_LIMIT + 1;
    memset(c, 0, sizeof *c);
    c->exact_limit = exact_limit < CT_HIST_FINE_EXACT_LIMIT ? exact_limit : CT_HIST_FINE_EXACT_LIMIT;
    if (uniq_alloc(&c->u, max_distinct, a) < 0)
        return -1;
    if (max > c->exact_limit && bins_alloc(&c->coarse, CT_HIST_COARSE_BITS, max, a) < 0)
        return -1;
    if (max > CT_HIST_FINE_EXACT_LIMIT && bins_alloc(&c->fine, CT_HIST_FINE_BITS, max, a) < 0)
        return -1;
    return 0;
}

static inline __attribute__((always_inline)) void count_add(ct_count *c, uint32_t rgb)
{
    if (c->fine_on) {
        bins_add(&c->coarse, rgb, 1);
        bins_add(&c->fine, rgb, 1);
        return;
    }
    if (!uniq_add(&c->u, rgb)) {
        if (c->coarse_on)
            bins_add(&c->coarse, rgb, 1);
        return;
    }
    /* A new colour: it may cross a limit, whose bins then start from every colour so far. */
    if (c->coarse_on) {
        bins_add(&c->coarse, rgb, 1);
    } else if (c->u.n > c->exact_limit) {
        bins_start(&c->coarse);
        bins_add_all(&c->coarse, &c->u);
        c->coarse_on = 1;
    }
    if (c->u.n > CT_HIST_FINE_EXACT_LIMIT) {
        bins_start(&c->fine);
        bins_add_all(&c->fine, &c->u);
        c->fine_on = 1;
    }
}

void ct_count_rgb(ct_count *c, const uint8_t *rgb, uint32_t n)
{
    for (const uint8_t *p = rgb, *end = rgb + (size_t)n * 3; p < end; p += 3)
        count_add(c, (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2]);
}

void ct_count_rgba(ct_count *c, const uint8_t *rgba, size_t n)
{
    for (const uint8_t *p = rgba, *end = rgba + n * 4; p < end; p += 4)
        if (p[3] >= 128)
            count_add(c, (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2]);
}

/* Colours are converted in chunks of this many, gathered on the stack, so the conversion
 * runs over many at once (ct_space_from_srgb8_fast_n) without a buffer of its own. */
#define CT_CONVERT_CHUNK 256u

/* The rounded integer mean of a bin's channel, sum / weight to the nearest (halves up).
 * Done in double, which is exact here: sum + weight / 2 and weight are integers below 2^53,
 * and the quotient (below 256) is either an integer, which the division returns exactly, or
 * at least 1 / weight >= 2^-32 below the next one, far more than its rounding error (below
 * 2^-45), so truncating gives the integer quotient. */
static uint8_t bin_mean(uint64_t sum, uint32_t weight)
{
    return (uint8_t)((double)(sum + weight / 2) / (double)weight);
}

/* A level of bin means: the rounded integer mean of each bin (exact, no float summation
 * order), converted to the clustering space, and the bins' weights. */
static void bins_level(const ct_bins *b, int space, float *pts, uint32_t *w, ct_hist_level *out)
{
    uint8_t means[CT_CONVERT_CHUNK * 3];
    for (uint32_t at = 0; at < b->n; at += CT_CONVERT_CHUNK) {
        uint32_t m = b->n - at < CT_CONVERT_CHUNK ? b->n - at : CT_CONVERT_CHUNK;
        for (uint32_t i = 0; i < m; i++) {
            const ct_bin_sums *bin = &b->bins[at + i];
            for (int j = 0; j < 3; j++)
                means[i * 3 + j] = bin_mean(bin->sum[j], bin->weight);
            w[at + i] = bin->weight;
        }
        ct_space_from_srgb8_fast_n(space, means, m, pts + (size_t)at * 3);
    }
    out->n = b->n;
    out->points = pts;
    out->weights = w;
}

/* A level of the distinct colours themselves. */
static void exact_level(const ct_uniq *u, int space, float *pts, uint32_t *w, ct_hist_level *out)
{
    uint8_t rgb[CT_CONVERT_CHUNK * 3];
    for (uint32_t at = 0; at < u->n; at += CT_CONVERT_CHUNK) {
        uint32_t m = u->n - at < CT_CONVERT_CHUNK ? u->n - at : CT_CONVERT_CHUNK;
        for (uint32_t i = 0; i < m; i++)
            unpack(u->rgb[at + i], rgb + i * 3);
        ct_space_from_srgb8_fast_n(space, rgb, m, pts + (size_t)at * 3);
    }
    memcpy(w, u->count, (size_t)u->n * sizeof *w);
    out->n = u->n;
    out->points = pts;
    out->weights = w;
}

/* Share 0 the coarse level, share 1 the fine one (7-bit bins or the exact colours). Each
 * share writes only its own level and reads the count, so the result is the same on any
 * thread count. */
static void levels_share(void *arg, uint32_t share)
{
    ct_levels_job *j = arg;
    const ct_count *c = j->count;
    if (share == 0)
        bins_level(&c->coarse, j->space, j->coarse_pts, j->coarse_w, &j->out->coarse);
    else if (c->fine_on)
        bins_level(&c->fine, j->space, j->fine_pts, j->fine_w, &j->out->fine);
    else
        exact_level(&c->u, j->space, j->fine_pts, j->fine_w, &j->out->fine);
}

int ct_levels_alloc(ct_levels_job *job, uint32_t max_samples, ct_arena *a)
{
    uint32_t max = max_samples < (1u << 24) ? max_samples : (1u << 24);
    job->fine_w = ct_arena_alloc(a, (size_t)max * sizeof(uint32_t));
    job->coarse_w = ct_arena_alloc(a, (size_t)max * sizeof(uint32_t));
    job->fine_pts = ct_arena_alloc(a, (size_t)max * 3 * sizeof(float));
    job->coarse_pts = ct_arena_alloc(a, (size_t)max * 3 * sizeof(float));
    return job->fine_w && job->coarse_w && job->fine_pts && job->coarse_pts ? 0 : -1;
}

void ct_levels_run(ct_levels_job *job, ct_pool *pool)
{
    const ct_count *c = job->count;
    job->out->distinct = c->u.n;
    job->out->binned = c->coarse_on;
    if (c->coarse_on) {
        ct_pool_run(pool, 2, levels_share, job);
    } else {
        exact_level(&c->u, job->space, job->fine_pts, job->fine_w, &job->out->fine);
        job->out->coarse = job->out->fine;
    }
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
    ct_levels_job job = {.space = space, .out = out};
    if (ct_levels_alloc(&job, s->n, a) < 0)
        return ct_fail(err, COVERTHEME_ERR_NO_MEMORY, "histogram: out of memory for %u samples", s->n);
    ct_arena_mark scratch = ct_arena_mark_get(a);
    ct_count count;
    if (ct_count_alloc(&count, s->n, exact_limit, a) < 0)
        return ct_fail(err, COVERTHEME_ERR_NO_MEMORY, "histogram: out of memory for %u samples", s->n);
    ct_count_rgb(&count, s->rgb, s->n);
    job.count = &count;
    ct_levels_run(&job, pool);
    ct_arena_rewind(a, &scratch);
    return 0;
}
