/* The pieces the two histogram builders share: the batch one (hist.c, from finished
 * samples) and the streaming one (hist_stream.c, from grid rows while they are decoded).
 * Both must give the same bits, so both run the same count over the samples in order:
 *   - the distinct-colour table, in order of first occurrence, with counts;
 *   - bin accumulators: exact integer sums per bin, bins numbered in the order of their
 *     first colour, so adding colours one sample at a time or the distinct colours with
 *     their counts in first-occurrence order gives the same bins;
 *   - the levels job, which turns the count into the two ct_hist levels on a pool.
 * Not part of the core's interface: only the two builders include this. */
#ifndef CT_HIST_PARTS_H
#define CT_HIST_PARTS_H

#include <stdint.h>

#include "arena.h"
#include "hist.h"

struct ct_pool;

/* A hash slot: key + 1 (0 marks an empty slot) and the index of its entry in
 * first-occurrence order, side by side so a probe touches one cache line. */
typedef struct ct_slot {
    uint32_t key, idx;
} ct_slot;

/* Distinct colours: open addressing on the 24-bit value, with the colours and their counts
 * in first-occurrence order. */
typedef struct ct_uniq {
    ct_slot *slots;
    uint32_t mask;
    uint32_t *rgb, *count, n; /* first-occurrence order */
} ct_uniq;

/* One bin: its samples' exact integer sums per channel and how many there are (at most
 * the samples, which are counted in 32 bits); 32 bytes, so one cache line. */
typedef struct ct_bin_sums {
    uint64_t sum[3];
    uint32_t weight;
} ct_bin_sums;

/* Bins of `bits` bits per channel, numbered in the order of their first colour. */
typedef struct ct_bins {
    ct_slot *slots;
    uint32_t mask;
    ct_bin_sums *bins;
    uint32_t n, bits;
} ct_bins;

/* The count both builders run over the samples in their order. The distinct colours, until
 * a sample makes them more than CT_HIST_FINE_EXACT_LIMIT; the coarse bins from the sample
 * that makes them more than the exact limit on, started from the colours counted so far;
 * the fine level's 7-bit bins likewise from the fine limit on, and from then the distinct
 * colours are no longer counted: two table probes per sample, not three. */
typedef struct ct_count {
    ct_uniq u;
    ct_bins coarse, fine;
    uint32_t exact_limit;  /* at most CT_HIST_FINE_EXACT_LIMIT */
    int coarse_on, fine_on; /* the bins are being filled sample by sample */
} ct_count;

/* Tables for `max_samples` samples, from the arena. -1: out of memory. */
int ct_count_alloc(ct_count *c, uint32_t max_samples, uint32_t exact_limit, ct_arena *a);
/* Counts n samples of 3 bytes (R, G, B), in order. */
void ct_count_rgb(ct_count *c, const uint8_t *rgb, uint32_t n);
/* Counts the n points of 4 bytes (R, G, B, A) whose alpha is at least 128, in order: the
 * sample grid's points (sample.h). */
void ct_count_rgba(ct_count *c, const uint8_t *rgba, size_t n);

/* What the levels job turns a count into: with few colours both levels are the distinct
 * colours; otherwise the coarse level is the coarse bins' means and the fine one the fine
 * bins' means, or the distinct colours while there are at most CT_HIST_FINE_EXACT_LIMIT. */
typedef struct ct_levels_job {
    const ct_count *count;
    int space;
    uint32_t *coarse_w, *fine_w;
    float *coarse_pts, *fine_pts;
    ct_hist *out;
} ct_levels_job;

/* The arrays the levels keep (points and weights of both), for up to `max_samples` points
 * (at most 2^24, the colours that exist), from the arena. -1: out of memory. */
int ct_levels_alloc(ct_levels_job *job, uint32_t max_samples, ct_arena *a);
/* Fills job->out from job->count, the two levels of a binned count side by side on `pool`
 * (NULL: one after the other; the same bits). */
void ct_levels_run(ct_levels_job *job, struct ct_pool *pool);

#endif
