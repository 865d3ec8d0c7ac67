/* Weighted k-means++ seeding, plain or greedy, for kmeans.c.
 *
 * The first centre is drawn with probability proportional to weight; each next one with
 * probability proportional to weight x squared distance to the nearest centre chosen so
 * far. Greedy k-means++ draws `candidates` points that way per step and keeps the one that
 * leaves the smallest total; on the corpus it lands in a better basin far more often than
 * plain seeding (bench/README.md, "Greedy seeding").
 *
 * Everything that decides a pick is computed in float with separate multiplies and adds
 * (no contraction), summed in double over fixed blocks of CT_SEED_BLOCK points, each block
 * in 8 interleaved lanes (point i of a block goes to lane i % 8) combined in a fixed tree.
 * The scalar reference and the AVX2 kernel do exactly these operations, so the seeds are
 * bit-identical on every ISA (tests/test_kmeans_diff.c). */
#ifndef CT_KMEANS_SEED_H
#define CT_KMEANS_SEED_H

#include <stdint.h>

#include "rng.h"

#define CT_SEED_BLOCK 1024u

/* What one seeding needs besides the points: `d2` holds n floats, `block_sums`
 * ceil(n / CT_SEED_BLOCK) doubles. `soa` is NULL or the points transposed
 * (ct_points_to_soa), which the AVX2 kernel reads. The spares (both NULL, or two more of
 * each) let greedy seeding keep the distances its best candidate left instead of computing
 * them again once it is chosen: one pass over the points fewer per step, the same bits. */
typedef struct ct_seed_ws {
    float *d2;
    double *block_sums;
    float *spare_d2[2];
    double *spare_sums[2];
} ct_seed_ws;

/* Chooses up to k centres among the n points (k >= 1, n >= 1) into centroids (k * 3) and
 * returns how many it chose: fewer than k only when every point coincides with a chosen
 * centre. On return ws->d2 holds each point's weighted squared distance to its nearest
 * centre and ws->block_sums their block sums; the spares are scratch. `w` is NULL (every weight 1) or n weights in 1..2^24. candidates <= 1 is plain
 * k-means++; at most 16 are drawn per step. */
uint32_t ct_seed_plus_plus(int isa, const float *pts, const float *soa, const uint32_t *w, uint32_t n,
                           uint32_t k, uint32_t candidates, ct_rng *rng, const ct_seed_ws *ws,
                           float *centroids);

/* One block's lane sums (lanes[8]) of min(d2[i], w[i] * |p_i - c|^2) over n <= CT_SEED_BLOCK
 * points; `out` (NULL: not kept; may be d2 itself) gets the minimum. The scalar reference;
 * the AVX2 kernel below does the first n - n % 8 points and returns that count, the caller
 * the rest. */
void ct_seed_lanes(const float *pts, const uint32_t *w, const float *d2, float *out, uint32_t n, const float *c,
                   double lanes[8]);
uint32_t ct_seed_lanes_avx2(const float *xs, const float *ys, const float *zs, const uint32_t *w, const float *d2,
                            float *out, uint32_t n, const float *c, double lanes[8]);

#endif
