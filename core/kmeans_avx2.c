/* AVX2 nearest-centroid kernel (dispatched from kmeans.c by ct_isa()).
 *
 * Bit-identical to the scalar ct_nearest_centroid: each lane holds one point and computes
 * d0 = x - cx, d1 = y - cy, d2 = z - cz, then (d0*d0 + d1*d1) + d2*d2 with separate IEEE
 * single-precision sub/mul/add in the scalar code's order (no FMA: the functions are built
 * for "avx2" only, so the compiler cannot fuse, and -ffp-contract=off is global anyway).
 * The running minimum uses strict <, so ties keep the lowest index, and a NaN or +inf
 * distance never replaces FLT_MAX, exactly as in the scalar loop. There is no horizontal
 * reduction, so no reordering anywhere. */
#include "kmeans.h"

#if defined(__x86_64__) || defined(__i386__)

#include <float.h>
#include <immintrin.h>

#define CT_AVX2 __attribute__((target("avx2")))

/* One centroid step for one vector of 8 points. _mm256_min_ps(d, best) returns
 * d < best ? d : best (the second operand on equality or NaN): the scalar update exactly. */
#define CT_STEP(x, y, z, best, lab)                                                                \
    do {                                                                                           \
        __m256 d0_ = _mm256_sub_ps(x, cx), d1_ = _mm256_sub_ps(y, cy), d2_ = _mm256_sub_ps(z, cz); \
        __m256 d_ = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(d0_, d0_), _mm256_mul_ps(d1_, d1_)), \
                                  _mm256_mul_ps(d2_, d2_));                                        \
        __m256 lt_ = _mm256_cmp_ps(d_, best, _CMP_LT_OQ);                                          \
        best = _mm256_min_ps(d_, best);                                                            \
        lab = _mm256_blendv_ps(lab, ci, lt_);                                                      \
    } while (0)

CT_AVX2 uint32_t ct_nearest_soa_avx2(const float *xs, const float *ys, const float *zs, uint32_t n,
                                     const float *centroids, uint32_t k, uint32_t *labels,
                                     float *dist)
{
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
            const float *cc = centroids + (size_t)c * 3;
            __m256 cx = _mm256_broadcast_ss(cc), cy = _mm256_broadcast_ss(cc + 1),
                   cz = _mm256_broadcast_ss(cc + 2);
            __m256 ci = _mm256_castsi256_ps(cidx);
            CT_STEP(x0, y0, z0, b0, l0);
            CT_STEP(x1, y1, z1, b1, l1);
            cidx = _mm256_add_epi32(cidx, one);
        }
        _mm256_storeu_ps(dist + i, b0);
        _mm256_storeu_ps(dist + i + 8, b1);
        _mm256_storeu_si256((__m256i *)(labels + i), _mm256_castps_si256(l0));
        _mm256_storeu_si256((__m256i *)(labels + i + 8), _mm256_castps_si256(l1));
    }
    for (; n - i >= 8; i += 8) {
        __m256 x0 = _mm256_loadu_ps(xs + i), y0 = _mm256_loadu_ps(ys + i), z0 = _mm256_loadu_ps(zs + i);
        __m256 b0 = fmax, l0 = _mm256_setzero_ps();
        __m256i cidx = _mm256_setzero_si256();
        for (uint32_t c = 0; c < k; c++) {
            const float *cc = centroids + (size_t)c * 3;
            __m256 cx = _mm256_broadcast_ss(cc), cy = _mm256_broadcast_ss(cc + 1),
                   cz = _mm256_broadcast_ss(cc + 2);
            __m256 ci = _mm256_castsi256_ps(cidx);
            CT_STEP(x0, y0, z0, b0, l0);
            cidx = _mm256_add_epi32(cidx, one);
        }
        _mm256_storeu_ps(dist + i, b0);
        _mm256_storeu_si256((__m256i *)(labels + i), _mm256_castps_si256(l0));
    }
    return i;
}

#else /* not x86: no AVX2 kernel; ct_cpu_has_avx2() is 0 there, so this is never reached */

uint32_t ct_nearest_soa_avx2(const float *xs, const float *ys, const float *zs, uint32_t n,
                             const float *centroids, uint32_t k, uint32_t *labels, float *dist)
{
    (void)xs, (void)ys, (void)zs, (void)n, (void)centroids, (void)k, (void)labels, (void)dist;
    return 0;
}

#endif
