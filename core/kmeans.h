/* k-means (Lloyd) with deterministic k-means++ seeding.
 *
 * Points are float triples in any clustering space, optionally weighted (a colour
 * histogram: weight = how many samples a point stands for); distance is squared Euclidean.
 * Ties go to the lowest centroid index; the per-cluster sums are double and change only by
 * what fixed blocks of points contribute (blocks of the points' spatial order from
 * CT_KMEANS_GROUPS_MIN points on, a function of the points alone), added in block order
 * whichever thread computed a block (restarts side by side take help with their passes once
 * a thread has no restart left to start), so the result depends only on the input, k, the
 * iteration cap, the seed, the seeding candidates and the restart count, never on the thread
 * count. The assignment's
 * nearest-centroid search runs on the ISA ct_isa() picks (cpu.h: scalar or AVX2); the kernels
 * do the same float operations in the same order, so the result does not depend on the ISA
 * either (tests/test_kmeans_diff.c checks that bit for bit). */
#ifndef CT_KMEANS_H
#define CT_KMEANS_H

#include <stdint.h>

#include "error.h"

typedef struct ct_kmeans_result {
    uint32_t k;          /* centroids produced (<= requested; fewer when points run out) */
    float *centroids;    /* k * 3 */
    uint32_t *counts;    /* k, total weight assigned in the last assignment pass */
    uint32_t iterations; /* assignment passes run by the chosen restart */
    /* Labels its last pass changed (the first pass counts every point): at most `settle`
     * when the run settled, more when max_iterations stopped it. */
    uint32_t last_changed;
    uint32_t restart;    /* which restart won (lowest inertia; lowest index on ties) */
    double inertia;      /* weighted sum of squared distances in the last assignment pass */
    /* With restarts > 1: the centroids (runner_up_k * 3) of the restart with the second
     * lowest inertia (lowest index on ties), else NULL. On a binned histogram the order of
     * two close restarts often flips once they are polished on the fine level. */
    float *runner_up;
    uint32_t runner_up_k;
    int in_arena;        /* centroids/counts live in the arena: ct_kmeans_free leaves them */
    /* Blocks of restarts' passes run by a thread other than the restart's own (restarts
     * side by side on a pool whose threads may spin). The one field that depends on
     * scheduling; the others are the same whoever ran what. */
    uint32_t helped_blocks;
} ct_kmeans_result;

struct ct_arena;
struct ct_pool;
struct ct_km_groups;

typedef struct ct_kmeans_params {
    uint32_t k;          /* >= 1 */
    uint32_t max_iterations;
    uint64_t seed;
    /* Independent k-means++ seedings, each run to convergence (or max_iterations); the one
     * with the lowest inertia wins. 0 means 1. Restart r seeds its generator from `seed`
     * and r, so the result does not depend on how restarts are spread over threads. */
    uint32_t restarts;
    /* Points drawn per k-means++ step, the one leaving the smallest total kept ("greedy"
     * k-means++); 0 or 1: plain k-means++. */
    uint32_t seed_candidates;
    const uint32_t *weights; /* NULL: every point weighs 1; else n weights, each >= 1 */
    /* NULL: k-means++ seeding. Else k starting centroids (k * 3; k <= n): one run of Lloyd
     * from them, restarts ignored (polishing a palette found on a coarser histogram). */
    const float *init;
    /* Stop once a pass changes at most this many labels (0: only when none change, the
     * classic criterion). The last few passes of a long polish move a handful of points
     * each and the palette by almost nothing. */
    uint32_t settle;
    /* Ranking restarts early: with 1 <= rank_keep < restarts and rank_settle > settle,
     * every restart runs only until a pass changes at most rank_settle labels; the
     * rank_keep of lowest inertia there (lowest index on ties) then go on to `settle`, from
     * exactly where they stopped, and the winner and runner-up are chosen among them. A
     * restart that goes on ends as it would have without the stop. 0: every restart runs
     * to `settle`. */
    uint32_t rank_settle, rank_keep;
    /* NULL: ct_kmeans builds the points' groups itself when they pay; else groups of these
     * same points and weights from ct_kmeans_groups, shared by several runs on them (the
     * polish): the same result as groups built by each run. */
    const struct ct_km_groups *groups;
    struct ct_arena *arena;  /* NULL: heap; else all memory (result included) comes from it */
    struct ct_pool *pool;    /* NULL: run restarts on the calling thread */
} ct_kmeans_params;

/* Work (points x k) below which nothing is handed to the pool. build/covertheme-pool-latency
 * on the 2-vCPU machines: a round trip costs 0.3 µs with the worker spinning; one pass over
 * 256 points (n*k = 7 680) takes as long shared as inline, over 1 024 (30 720) 2.7 instead of
 * 4.4 µs. Below 2^15 the gain is within noise and a parked worker's wake-up costs more. */
#define CT_KMEANS_POOL_MIN_WORK ((uint64_t)1 << 15)

/* Groups (kmeans_groups.h) of n weighted points (w NULL: unweighted) for ct_kmeans_params,
 * in arena memory. Returns 1 when built, 0 when n is too small for them to pay or arena is
 * NULL (g unused), or COVERTHEME_ERR_NO_MEMORY. */
int ct_kmeans_groups(const float *points, const uint32_t *w, uint32_t n, struct ct_arena *arena,
                     struct ct_km_groups *g, ct_err *err);

/* Points from which the passes search group by group (one block of a pass). Groups on
 * fewer points (covers with few colours) were not measured. */
#define CT_KMEANS_GROUPS_MIN 1024u

/* n >= 1. Returns 0, or COVERTHEME_ERR_NO_MEMORY / INVALID_ARGUMENT with `out` zeroed. */
int ct_kmeans(const float *points, uint32_t n, const ct_kmeans_params *p, ct_kmeans_result *out,
              ct_err *err);
void ct_kmeans_free(ct_kmeans_result *r);

/* The seed restart r of a run seeded with `seed` draws from: a run of one restart with this
 * seed computes what restart r computes (restart 0's is `seed`). */
uint64_t ct_kmeans_restart_seed(uint64_t seed, uint32_t r);

/* Distances are computed as |p|^2 + (|c|^2 - 2 p.c): the part that decides the winner is
 * three fused multiply-adds per centroid (p.x * -2c.x + (p.y * -2c.y + (p.z * -2c.z + |c|^2)))
 * on centroids packed once per pass, and |p|^2 is added to the winner only. Ties in that
 * score go to the lowest index. The scalar path uses fmaf(), which is correctly rounded
 * like the AVX2 FMA instruction, so both give the same bits. */

/* Centroids packed for the kernels: per centroid (-2x, -2y, -2z, (x*x + y*y) + z*z). */
void ct_pack_centroids(const float *centroids, uint32_t k, float *packed);

/* Index of the centroid nearest to `pt` (k <= 256; lowest index on ties); *dist gets the
 * squared distance as defined above. The scalar reference kernel. */
uint32_t ct_nearest_centroid(const float *pt, const float *centroids, uint32_t k, float *dist);

/* Nearest centroid of each of n points (labels[i], dist[i]) with the kernel of `isa`
 * (CT_ISA_SCALAR or CT_ISA_AVX2 from cpu.h). `pts` holds n float triples; `soa` is NULL or
 * the same points transposed by ct_points_to_soa, which the AVX2 kernel needs (without it,
 * or on a CPU without AVX2, the scalar kernel runs). Every ISA gives results bit-identical
 * to ct_nearest_centroid, point by point. */
void ct_nearest_batch(int isa, const float *pts, const float *soa, uint32_t n,
                      const float *centroids, uint32_t k, uint32_t *labels, float *dist);

/* soa[0..n) = x, soa[n..2n) = y, soa[2n..3n) = z of the n triples in pts. */
void ct_points_to_soa(const float *pts, uint32_t n, float *soa);

/* The AVX2+FMA kernel (core/kmeans_avx2.c) on SoA coordinates (k <= 256): labels and
 * distances of the first n - n % 8 points, returning that count; the caller does the rest
 * with the scalar kernel. Only call it when ct_cpu_has_avx2(). */
uint32_t ct_nearest_soa_avx2(const float *xs, const float *ys, const float *zs, uint32_t n,
                             const float *centroids, uint32_t k, uint32_t *labels, float *dist);

/* Centroids laid out once per pass for ct_nearest_group (k <= 256). */
typedef struct ct_km_centroids {
    uint32_t k;
    float packed[4 * 256];            /* ct_pack_centroids */
    float cx[256], cy[256], cz[256];  /* SoA, zero-padded to a multiple of 8 */
    float cmax;                       /* the largest |c|^2 */
} ct_km_centroids;
void ct_km_centroids_prepare(const float *centroids, uint32_t k, ct_km_centroids *c);

/* Labels and distances of the points of group `grp` of g (in g's order, up to CT_KM_GROUP),
 * searching only the centroids that may reach the group: bit-identical to
 * ct_nearest_centroid on each point, on every ISA. */
void ct_nearest_group(int isa, const struct ct_km_groups *g, uint32_t grp, const ct_km_centroids *c,
                      uint32_t *labels, float *dist);

/* An assignment pass's bookkeeping in AVX2 (only call them when ct_cpu_has_avx2()):
 * lanes[j] += w[i] * d[i] in double (w NULL: weight 1; weights below 2^31) for the points
 * i = j mod 4 among the first n - n % 4, returning that count; and the positions i < n
 * where a[i] != b[i], ascending, into `at`, returning how many. */
uint32_t ct_inertia_lanes_avx2(const uint32_t *w, const float *d, uint32_t n, double lanes[4]);
uint32_t ct_label_changes_avx2(const uint32_t *a, const uint32_t *b, uint32_t n, uint32_t *at);

/* The same kernel on m centroids already packed (ct_pack_centroids), where packed centroid j
 * is centroid ids[j] (ids ascending, so ties still go to the lowest index): labels are ids. */
uint32_t ct_nearest_packed_avx2(const float *xs, const float *ys, const float *zs, uint32_t n,
                                const float *packed, const uint32_t *ids, uint32_t m, uint32_t *labels,
                                float *dist);

#endif
