#include "kmeans.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "cpu.h"
#include "rng.h"

static float dist2(const float *a, const float *b)
{
    float d0 = a[0] - b[0], d1 = a[1] - b[1], d2 = a[2] - b[2];
    return d0 * d0 + d1 * d1 + d2 * d2;
}

uint32_t ct_nearest_centroid(const float *pt, const float *centroids, uint32_t k, float *dist)
{
    uint32_t best = 0;
    float best_d = FLT_MAX;
    for (uint32_t c = 0; c < k; c++) {
        float d = dist2(pt, centroids + (size_t)c * 3);
        if (d < best_d) {
            best_d = d;
            best = c;
        }
    }
    if (dist)
        *dist = best_d;
    return best;
}

/* k-means++: the first centre uniformly, each next one with probability proportional to
 * the squared distance to the nearest centre so far. Returns how many centres were chosen
 * (fewer than k only when every remaining point coincides with a centre). */
static uint32_t seed_plus_plus(const float *pts, uint32_t n, uint32_t k, ct_rng *rng,
                               float *centroids, double *d2)
{
    uint32_t first = (uint32_t)ct_rng_below(rng, n);
    memcpy(centroids, pts + (size_t)first * 3, 3 * sizeof(float));
    for (uint32_t i = 0; i < n; i++)
        d2[i] = dist2(pts + (size_t)i * 3, centroids);
    uint32_t chosen = 1;
    while (chosen < k) {
        double sum = 0.0;
        for (uint32_t i = 0; i < n; i++)
            sum += d2[i];
        if (!(sum > 0.0))
            break;
        double target = ct_rng_unit(rng) * sum;
        uint32_t pick = n;
        for (uint32_t i = 0; i < n; i++) {
            if (d2[i] <= 0.0)
                continue;
            pick = i; /* rounding can leave target > 0 after the last point: keep the last */
            target -= d2[i];
            if (target < 0.0)
                break;
        }
        float *c = centroids + (size_t)chosen * 3;
        memcpy(c, pts + (size_t)pick * 3, 3 * sizeof(float));
        for (uint32_t i = 0; i < n; i++) {
            double d = dist2(pts + (size_t)i * 3, c);
            if (d < d2[i])
                d2[i] = d;
        }
        chosen++;
    }
    return chosen;
}

void ct_points_to_soa(const float *pts, uint32_t n, float *soa)
{
    for (uint32_t i = 0; i < n; i++) {
        soa[i] = pts[(size_t)i * 3 + 0];
        soa[(size_t)n + i] = pts[(size_t)i * 3 + 1];
        soa[(size_t)n * 2 + i] = pts[(size_t)i * 3 + 2];
    }
}

void ct_nearest_batch(int isa, const float *pts, const float *soa, uint32_t n,
                      const float *centroids, uint32_t k, uint32_t *labels, float *dist)
{
    uint32_t done = 0;
    if (isa == CT_ISA_AVX2 && soa && ct_cpu_has_avx2())
        done = ct_nearest_soa_avx2(soa, soa + n, soa + (size_t)n * 2, n, centroids, k, labels, dist);
    for (uint32_t i = done; i < n; i++) /* the scalar kernel, and the AVX2 kernel's tail */
        labels[i] = ct_nearest_centroid(pts + (size_t)i * 3, centroids, k, dist + i);
}

/* One assignment pass: labels, per-cluster sums and counts. Returns how many labels changed.
 * The nearest centroids come from the ISA's kernel (bit-identical on every ISA) into
 * `nearest`; the double sums are then accumulated here, in point order, whatever the ISA. */
static uint32_t assign(int isa, const float *pts, const float *soa, uint32_t n,
                       const float *centroids, uint32_t k, uint32_t *labels, uint32_t *nearest,
                       float *pdist, double *sums, uint32_t *counts, double *inertia)
{
    ct_nearest_batch(isa, pts, soa, n, centroids, k, nearest, pdist);
    uint32_t changed = 0;
    double total = 0.0;
    memset(sums, 0, (size_t)k * 3 * sizeof(double));
    memset(counts, 0, (size_t)k * sizeof(uint32_t));
    for (uint32_t i = 0; i < n; i++) {
        const float *p = pts + (size_t)i * 3;
        uint32_t c = nearest[i];
        if (c != labels[i]) {
            labels[i] = c;
            changed++;
        }
        total += pdist[i];
        sums[c * 3 + 0] += p[0];
        sums[c * 3 + 1] += p[1];
        sums[c * 3 + 2] += p[2];
        counts[c]++;
    }
    *inertia = total;
    return changed;
}

/* New centroids are the means. An empty cluster takes the point that is currently worst
 * served (largest distance to its centroid, lowest index on ties), which is deterministic
 * and splits the cluster that most needs it. That point's distance is then zeroed so two
 * empty clusters do not take the same point. */
static void update(const float *pts, uint32_t n, float *centroids, uint32_t k, const double *sums,
                   const uint32_t *counts, float *pdist)
{
    for (uint32_t c = 0; c < k; c++) {
        float *cc = centroids + (size_t)c * 3;
        if (counts[c] > 0) {
            for (int j = 0; j < 3; j++)
                cc[j] = (float)(sums[c * 3 + j] / counts[c]);
            continue;
        }
        uint32_t worst = 0;
        for (uint32_t i = 1; i < n; i++)
            if (pdist[i] > pdist[worst])
                worst = i;
        memcpy(cc, pts + (size_t)worst * 3, 3 * sizeof(float));
        pdist[worst] = 0.0f;
    }
}

void ct_kmeans_free(ct_kmeans_result *r)
{
    if (!r)
        return;
    free(r->centroids);
    free(r->counts);
    memset(r, 0, sizeof *r);
}

int ct_kmeans(const float *points, uint32_t n, const ct_kmeans_params *p, ct_kmeans_result *out,
              ct_err *err)
{
    memset(out, 0, sizeof *out);
    if (!points || n == 0 || !p || p->k == 0 || p->max_iterations == 0)
        return ct_fail(err, COVERTHEME_ERR_INVALID_ARGUMENT, "k-means: no points or k = 0");
    uint32_t k = p->k < n ? p->k : n;
    float *centroids = malloc((size_t)k * 3 * sizeof(float));
    uint32_t *counts = malloc((size_t)k * sizeof(uint32_t));
    double *sums = malloc((size_t)k * 3 * sizeof(double));
    double *d2 = malloc((size_t)n * sizeof(double));
    float *pdist = malloc((size_t)n * sizeof(float));
    uint32_t *labels = malloc((size_t)n * 2 * sizeof(uint32_t)); /* current, then nearest */
    int isa = ct_isa();
    /* The AVX2 kernel reads the points as SoA; without that copy the scalar kernel runs
     * (same result, only slower). */
    float *soa = isa == CT_ISA_AVX2 ? malloc((size_t)n * 3 * sizeof(float)) : NULL;
    int rc = 0;
    if (!centroids || !counts || !sums || !d2 || !pdist || !labels) {
        rc = ct_fail(err, COVERTHEME_ERR_NO_MEMORY, "k-means: out of memory (n=%u, k=%u)", n, k);
        goto done;
    }
    ct_rng rng;
    ct_rng_seed(&rng, p->seed);
    k = seed_plus_plus(points, n, k, &rng, centroids, d2);
    if (soa)
        ct_points_to_soa(points, n, soa);
    for (uint32_t i = 0; i < n; i++)
        labels[i] = UINT32_MAX; /* first pass counts every point as changed */
    uint32_t iter = 0;
    double inertia = 0.0;
    while (iter < p->max_iterations) {
        uint32_t changed = assign(isa, points, soa, n, centroids, k, labels, labels + n, pdist, sums,
                                  counts, &inertia);
        iter++;
        if (changed == 0)
            break; /* centroids are already the means of this assignment */
        update(points, n, centroids, k, sums, counts, pdist);
    }
    out->k = k;
    out->centroids = centroids;
    out->counts = counts;
    out->iterations = iter;
    out->inertia = inertia;
    centroids = NULL;
    counts = NULL;
done:
    free(centroids);
    free(counts);
    free(sums);
    free(d2);
    free(pdist);
    free(labels);
    free(soa);
    return rc;
}
