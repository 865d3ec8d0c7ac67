/* The pieces the two histogram builders share: the batch one (hist.c, from finished
 * samples) and the streaming one (hist_stream.c, from grid rows while they are decoded).
 * Both must give the same bits, so both are made of these same parts:
 *   - the distinct-colour table, in order of first occurrence, with counts;
 *   - bin accumulators: exact integer sums per bin, bins numbered in the order of their
 *     first colour, so adding colours one sample at a time or the distinct colours with
 *     their counts in first-occurrence order gives the same bins;
 *   - the levels job, which turns them into the two ct_hist levels on a pool.
 * Not part of the core's interface: only the two builders include this. */
#ifndef CT_HIST_PARTS_H
#define CT_HIST_PARTS_H

#include <stdint.h>

#include "arena.h"
#include "hist.h"

struct ct_pool;

/* Distinct colours: open addressing on the 24-bit value (+1, so 0 marks an empty slot),
 * with the index of the colour's entry in the first-occurrence list. */
typedef struct ct_uniq {
    uint32_t *slot_key, *slot_idx, mask;
    uint32_t *rgb, *count, n; /* first-occurrence order */
} ct_uniq;

/* Tables for up to `max_colours` distinct colours, from the arena. -1: out of memory. */
int ct_uniq_alloc(ct_uniq *u, uint32_t max_colours, ct_arena *a);
/* Counts one sample of colour 0xRRGGBB; 1 when the colour is new. */
int ct_uniq_add(ct_uniq *u, uint32_t rgb);

/* Bins of `bits` bits per channel. The table has room for as many bins as there may be
 * distinct colours, or as exist (2^(3 bits)) if fewer; `weights` is the level's weight
 * array, which the bins fill directly. */
typedef struct ct_bins {
    uint32_t *slot_key, *slot_bin, mask; /* key + 1, 0 = empty */
    uint64_t *sums;                      /* 3 per bin */
    uint32_t *weights, n, bits;
} ct_bins;

/* Tables from the arena, left uncleared until ct_bins_start. -1: out of memory. */
int ct_bins_alloc(ct_bins *b, uint32_t bits, uint32_t max_colours, uint32_t *weights, ct_arena *a);
/* Empties the bins (clears the table). */
void ct_bins_start(ct_bins *b);
/* Adds `count` samples of colour 0xRRGGBB. */
void ct_bins_add(ct_bins *b, uint32_t rgb, uint32_t count);
/* Adds every distinct colour of `u` with its count, in first-occurrence order. */
void ct_bins_add_all(ct_bins *b, const ct_uniq *u);

/* What the levels job turns into a ct_hist: each level either comes from bins (folded from
 * the distinct colours first unless `*_filled` says that was done as samples came) or, for
 * the fine level of a cover with few colours, is the distinct colours themselves. */
typedef struct ct_levels_job {
    const ct_uniq *u;
    int space;
    ct_bins coarse, fine;           /* fine.weights is the fine level's weight array even
                                     * when that level is the exact colours */
    int coarse_filled, fine_filled; /* the bins already hold every sample */
    int fine_binned;                /* 0: the fine level is the exact colours */
    float *coarse_pts, *fine_pts;
    ct_hist *out;
} ct_levels_job;

/* Fills job->out (binned: coarse from job->coarse, fine from job->fine or exact), the two
 * levels side by side on `pool` (NULL: one after the other; the same bits). */
void ct_levels_run(ct_levels_job *job, struct ct_pool *pool);
/* The histogram of a cover with at most the exact limit's colours: both levels are the
 * distinct colours (job->coarse and job->fine unused). */
void ct_levels_exact(ct_levels_job *job);

#endif
