/* AVX2+FMA nearest-centroid kernel (dispatched from kmeans.c by ct_isa()).
 *
 * Bit-identical to the scalar path of ct_nearest_batch: each lane holds one point and
 * computes the score fma(x, -2cx, fma(y, -2cy, fma(z, -2cz, |c|^2))) on the same packed
 * centroids (ct_pack_centroids), in the same nesting; an FMA rounds once, exactly like the
 * scalar fmaf(). The running minimum uses strict <, so ties keep the lowest index, and a NaN
 * score never replaces FLT_MAX, as in the scalar loop. The winner's distance is then
 * score + ((x*x + y*y) + z*z) with separate multiplies and adds in the scalar order. There
 * is no horizontal reduction, so no reordering anywhere. Three FMAs per centroid and
 * vector instead of three subtractions, three multiplies and two additions: ~2.5x faster
 * in a micro-benchmark (49 152 points, k = 30). */
#include "kmeans.h"
#include "kmeans_seed.h"

#if defined(__x86_64__) || defined(__i386__)

#include <float.h>
#include <immintrin.h>

#define CT_AVX2 __attribute__((target("avx2,fma")))

/* One centroid step for one vector of 8 points. _mm256_min_ps(d, best) returns
 * d < best ? d : best (the second operand on equality or NaN): the scalar update exactly. */
#define CT_STEP(x, y, z, best, lab)                                                                \
    do {                                                                                           \
        __m256 d_ = _mm256_fmadd_ps(x, qx, _mm256_fmadd_ps(y, qy, _mm256_fmadd_ps(z, qz, qw)));    \
        __m256 lt_ = _mm256_cmp_ps(d_, best, _CMP_LT_OQ);                                          \
        best = _mm256_min_ps(d_, best);                                                            \
        lab = _mm256_blendv_ps(lab, ci, lt_);                                                      \
    } while (0)

CT_AVX2 static __m256 norm2_8(__m256 x, __m256 y, __m256 z)
{
    return _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(x, x), _mm256_mul_ps(y, y)), _mm256_mul_ps(z, z));
}

CT_AVX2 uint32_t ct_nearest_soa_avx2(const float *xs, const float *ys, const float *zs, uint32_t n,
                                     const float *centroids, uint32_t k, uint32_t *labels,
                                     float *dist)
{
    float packed[4 * 256];
    if (k > 256)
        k = 256;
    ct_pack_centroids(centroids, k, packed);
    const __m256 fmax = _mm256_set1_ps(FLT_MAX);
    const __m256i one = _mm256_set1_epi32(1);
    uint32_t i = 0;
    /* Two vectors (16 points) per centroid pass: two independent min chains, and each
     * centroid broadcast serves 16 points. Labels are carried as int32 bit patterns in
     * float registers (blendv only selects bits). */
    for (; n - i >= 16; i += 16) {
        __m256 x0 = _mm256_loadu_ps(xs + i), y0 = _mm256_loadu_ps(ys + i), z0 = _mm256_loadu_ps(zs + i);
        __m256 x1 = _mm256_loadu_ps(xs + i + 8), y1 = _mm256_loadu_ps(ys + i + 8),
               z1 = _mm256_loadu_ps(zs + i + 8);
        __m256 b0 = fmax, b1 = fmax;
        __m256 l0 = _mm256_setzero_ps(), l1 = _mm256_setzero_ps();
        __m256i cidx = _mm256_setzero_si256();
        for (uint32_t c = 0; c < k; c++) {
            const float *q = packed + (size_t)c * 4;
            __m256 qx = _mm256_broadcast_ss(q), qy = _mm256_broadcast_ss(q + 1), qz = _mm256_broadcast_ss(q + 2),
                   qw = _mm256_broadcast_ss(q + 3);
            __m256 ci = _mm256_castsi256_ps(cidx);
            CT_STEP(x0, y0, z0, b0, l0);
            CT_STEP(x1, y1, z1, b1, l1);
            cidx = _mm256_add_epi32(cidx, one);
        }
        _mm256_storeu_ps(dist + i, _mm256_add_ps(b0, norm2_8(x0, y0, z0)));
        _mm256_storeu_ps(dist + i + 8, _mm256_add_ps(b1, norm2_8(x1, y1, z1)));
        _mm256_storeu_si256((__m256i *)(labels + i), _mm256_castps_si256(l0));
        _mm256_storeu_si256((__m256i *)(labels + i + 8), _mm256_castps_si256(l1));
    }
    for (; n - i >= 8; i += 8) {
        __m256 x0 = _mm256_loadu_ps(xs + i), y0 = _mm256_loadu_ps(ys + i), z0 = _mm256_loadu_ps(zs + i);
        __m256 b0 = fmax, l0 = _mm256_setzero_ps();
        __m256i cidx = _mm256_setzero_si256();
        for (uint32_t c = 0; c < k; c++) {
            const float *q = packed + (size_t)c * 4;
            __m256 qx = _mm256_broadcast_ss(q), qy = _mm256_broadcast_ss(q + 1), qz = _mm256_broadcast_ss(q + 2),
                   qw = _mm256_broadcast_ss(q + 3);
            __m256 ci = _mm256_castsi256_ps(cidx);
            CT_STEP(x0, y0, z0, b0, l0);
            cidx = _mm256_add_epi32(cidx, one);
        }
        _mm256_storeu_ps(dist + i, _mm256_add_ps(b0, norm2_8(x0, y0, z0)));
        _mm256_storeu_si256((__m256i *)(labels + i), _mm256_castps_si256(l0));
    }
    return i;
}

/* Seeding (kmeans_seed.h): the scalar ct_seed_lanes, eight points per vector. Lane j of
 * the two double accumulators is lanes[j] (points i % 8 == j, in order), so every lane sums
 * the same floats in the same order as the scalar loop; dx*dx + dy*dy + dz*dz and the
 * weight use separate multiplies and adds, _mm256_min_ps(wd, d2) is `wd < d2 ? wd : d2`,
 * and weights up to 2^24 convert exactly either way. */
CT_AVX2 uint32_t ct_seed_lanes_avx2(const float *xs, const float *ys, const float *zs, const uint32_t *w, float *d2,
                                    uint32_t n, const float *c, int update, double lanes[8])
{
    const __m256 cx = _mm256_set1_ps(c[0]), cy = _mm256_set1_ps(c[1]), cz = _mm256_set1_ps(c[2]);
    const __m256 one = _mm256_set1_ps(1.0f);
    __m256d lo = _mm256_loadu_pd(lanes), hi = _mm256_loadu_pd(lanes + 4);
    uint32_t i = 0;
    for (; n - i >= 8; i += 8) {
        __m256 dx = _mm256_sub_ps(_mm256_loadu_ps(xs + i), cx);
        __m256 dy = _mm256_sub_ps(_mm256_loadu_ps(ys + i), cy);
        __m256 dz = _mm256_sub_ps(_mm256_loadu_ps(zs + i), cz);
        __m256 d = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(dx, dx), _mm256_mul_ps(dy, dy)), _mm256_mul_ps(dz, dz));
        __m256 wf = w ? _mm256_cvtepi32_ps(_mm256_loadu_si256((const __m256i *)(w + i))) : one;
        __m256 m = _mm256_min_ps(_mm256_mul_ps(wf, d), _mm256_loadu_ps(d2 + i));
        if (update)
            _mm256_storeu_ps(d2 + i, m);
        lo = _mm256_add_pd(lo, _mm256_cvtps_pd(_mm256_castps256_ps128(m)));
        hi = _mm256_add_pd(hi, _mm256_cvtps_pd(_mm256_extractf128_ps(m, 1)));
    }
    _mm256_storeu_pd(lanes, lo);
    _mm256_storeu_pd(lanes + 4, hi);
    return i;
}

#else /* not x86: no AVX2 kernel; ct_cpu_has_avx2() is 0 there, so this is never reached */

uint32_t ct_nearest_soa_avx2(const float *xs, const float *ys, const float *zs, uint32_t n,
                             const float *centroids, uint32_t k, uint32_t *labels, float *dist)
{
    (void)xs, (void)ys, (void)zs, (void)n, (void)centroids, (void)k, (void)labels, (void)dist;
    return 0;
}

uint32_t ct_seed_lanes_avx2(const float *xs, const float *ys, const float *zs, const uint32_t *w, float *d2,
                            uint32_t n, const float *c, int update, double lanes[8])
{
    (void)xs, (void)ys, (void)zs, (void)w, (void)d2, (void)n, (void)c, (void)update, (void)lanes;
    return 0;
}

#endif
