/* k-means (Lloyd) with deterministic k-means++ seeding.
 *
 * Points are float triples in any clustering space; distance is squared Euclidean.
 * Ties go to the lowest centroid index; sums are accumulated in double in point order, so
 * the result depends only on the input, k, the iteration cap and the seed. The assignment's
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
    uint32_t *counts;    /* k, points assigned in the last assignment pass */
    uint32_t iterations; /* assignment passes run */
    double inertia;      /* sum of squared distances in the last assignment pass */
} ct_kmeans_result;

typedef struct ct_kmeans_params {
    uint32_t k;          /* >= 1 */
    uint32_t max_iterations;
    uint64_t seed;
} ct_kmeans_params;

/* n >= 1. Returns 0, or COVERTHEME_ERR_NO_MEMORY / INVALID_ARGUMENT with `out` zeroed. */
int ct_kmeans(const float *points, uint32_t n, const ct_kmeans_params *p, ct_kmeans_result *out,
              ct_err *err);
void ct_kmeans_free(ct_kmeans_result *r);

/* Index of the centroid nearest to `pt` (lowest index on ties); *dist gets the squared
 * distance. The scalar reference kernel. */
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

/* The AVX2 kernel (core/kmeans_avx2.c) on SoA coordinates: labels and distances of the
 * first n - n % 8 points, returning that count; the caller does the rest with the scalar
 * kernel. Only call it when ct_cpu_has_avx2(). */
uint32_t ct_nearest_soa_avx2(const float *xs, const float *ys, const float *zs, uint32_t n,
                             const float *centroids, uint32_t k, uint32_t *labels, float *dist);

#endif
