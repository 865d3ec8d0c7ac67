/* The weighted colour histogram that k-means runs on.
 *
 * The samples are folded into weighted points (weight = how many samples a point stands
 * for), which k-means treats exactly like repeated points, on two levels:
 *   - fine: every distinct sampled colour, where k-means minimises exactly the objective
 *     over the samples with fewer points (flat artwork and greyscale: a few hundred; a
 *     1000 px photo: 17-50 thousand of its 62 500 samples). Above CT_HIST_FINE_EXACT_LIMIT
 *     colours the fine level is 7-bit bin means (2x2x2 cubes) instead: in `make quality` that
 *     moved no 1000 px ratio by more than 0.0033 and cut the polish of a 500 px photo with
 *     24 thousand colours from 8.7 to 6.1 ms (bench/README.md);
 *   - coarse: the same colours binned by the top 6 bits of each channel (4x4x4 cubes of 8-bit
 *     values), each occupied bin being the rounded mean colour of its samples (4-13 thousand
 *     points on those photos). A bin's samples cannot be split between clusters, which costs
 *     a few percent of distortion, but finding a good basin there is 4x cheaper; the pipeline
 *     searches on the coarse level and polishes the winner on the fine one.
 * Covers with at most `exact_limit` distinct colours are not binned: both levels are the
 * distinct colours. Points come in order of first occurrence in the samples, so the
 * histogram (and the clustering after it) is a pure function of the samples. */
#ifndef CT_HIST_H
#define CT_HIST_H

#include <stdint.h>

#include "arena.h"
#include "error.h"
#include "sample.h"

#define CT_HIST_COARSE_BITS 6
#define CT_HIST_FINE_BITS 7
#define CT_HIST_FINE_EXACT_LIMIT 16384

typedef struct ct_hist_level {
    uint32_t n;         /* weighted points */
    float *points;      /* n * 3, in the clustering space */
    uint32_t *weights;  /* n, samples each point stands for (sum = samples) */
} ct_hist_level;

typedef struct ct_hist {
    ct_hist_level coarse, fine; /* the same arrays twice when not binned */
    /* Distinct 24-bit colours among the samples, counted up to CT_HIST_FINE_EXACT_LIMIT + 1:
     * past that the fine level is binned and the count stops (one table probe fewer per
     * sample; nothing uses the exact number of a cover with so many colours). */
    uint32_t distinct;
    int binned;         /* 0: both levels are the distinct colours; 1: coarse is bin means */
} ct_hist;

struct ct_pool;

/* s->n >= 1. `exact_limit` above CT_HIST_FINE_EXACT_LIMIT acts as that limit (a cover
 * with more colours is always binned). Memory comes from `arena` (required). The two
 * levels of a binned histogram are built side by side on `pool` (NULL: one after the
 * other; the same result either way).
 * Returns 0 or COVERTHEME_ERR_NO_MEMORY. */
int ct_hist_build(const ct_samples *s, int space, uint32_t exact_limit, ct_arena *arena, struct ct_pool *pool,
                  ct_hist *out, ct_err *err);

#endif
