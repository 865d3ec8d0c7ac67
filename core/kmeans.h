/* k-means (Lloyd) with deterministic k-means++ seeding.
 *
 * Points are float triples in any clustering space; distance is squared Euclidean.
 * Ties go to the lowest centroid index; sums are accumulated in double in point order, so
 * the result depends only on the input, k, the iteration cap and the seed. */
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

#endif
