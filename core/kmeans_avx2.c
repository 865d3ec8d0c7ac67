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
#include "kmeans_groups.h"
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

CT_AVX2 uint32_t ct_nearest_packed_avx2(const float *xs, const float *ys, const float *zs, uint32_t n,
                                        const float *packed, const uint32_t *ids, uint32_t m, uint32_t *labels,
                                        float *dist)
{
    const __m256 fmax = _mm256_set1_ps(FLT_MAX);
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
        for (uint32_t c = 0; c < m; c++) {
            const float *q = packed + (size_t)c * 4;
            __m256 qx = _mm256_broadcast_ss(q), qy = _mm256_broadcast_ss(q + 1), qz = _mm256_broadcast_ss(q + 2),
                   qw = _mm256_broadcast_ss(q + 3);
            __m256 ci = _mm256_castsi256_ps(_mm256_set1_epi32((int)ids[c]));
            CT_STEP(x0, y0, z0, b0, l0);
            CT_STEP(x1, y1, z1, b1, l1);
        }
        _mm256_storeu_ps(dist + i, _mm256_add_ps(b0, norm2_8(x0, y0, z0)));
        _mm256_storeu_ps(dist + i + 8, _mm256_add_ps(b1, norm2_8(x1, y1, z1)));
        _mm256_storeu_si256((__m256i *)(labels + i), _mm256_castps_si256(l0));
        _mm256_storeu_si256((__m256i *)(labels + i + 8), _mm256_castps_si256(l1));
    }
    for (; n - i >= 8; i += 8) {
        __m256 x0 = _mm256_loadu_ps(xs + i), y0 = _mm256_loadu_ps(ys + i), z0 = _mm256_loadu_ps(zs + i);
        __m256 b0 = fmax, l0 = _mm256_setzero_ps();
        for (uint32_t c = 0; c < m; c++) {
            const float *q = packed + (size_t)c * 4;
            __m256 qx = _mm256_broadcast_ss(q), qy = _mm256_broadcast_ss(q + 1), qz = _mm256_broadcast_ss(q + 2),
                   qw = _mm256_broadcast_ss(q + 3);
            __m256 ci = _mm256_castsi256_ps(_mm256_set1_epi32((int)ids[c]));
            CT_STEP(x0, y0, z0, b0, l0);
        }
        _mm256_storeu_ps(dist + i, _mm256_add_ps(b0, norm2_8(x0, y0, z0)));
        _mm256_storeu_si256((__m256i *)(labels + i), _mm256_castps_si256(l0));
    }
    return i;
}

uint32_t ct_nearest_soa_avx2(const float *xs, const float *ys, const float *zs, uint32_t n, const float *centroids,
                             uint32_t k, uint32_t *labels, float *dist)
{
    float packed[4 * 256];
    uint32_t ids[256];
    if (k > 256)
        k = 256;
    ct_pack_centroids(centroids, k, packed);
    for (uint32_t c = 0; c < k; c++)
        ids[c] = c;
    return ct_nearest_packed_avx2(xs, ys, zs, n, packed, ids, k, labels, dist);
}

/* assign_block's bookkeeping (kmeans.c): the inertia's four lanes, and the points whose
 * label changed. */
CT_AVX2 uint32_t ct_inertia_lanes_avx2(const uint32_t *w, const float *d, uint32_t n, double lanes[4])
{
    __m256d acc = _mm256_loadu_pd(lanes);
    uint32_t i = 0;
    for (; n - i >= 4; i += 4) {
        __m256d dd = _mm256_cvtps_pd(_mm_loadu_ps(d + i));
        if (w)
            dd = _mm256_mul_pd(_mm256_cvtepi32_pd(_mm_loadu_si128((const __m128i *)(w + i))), dd);
        acc = _mm256_add_pd(acc, dd);
    }
    _mm256_storeu_pd(lanes, acc);
    return i;
}

CT_AVX2 uint32_t ct_label_changes_avx2(const uint32_t *a, const uint32_t *b, uint32_t n, uint32_t *at)
{
    uint32_t m = 0, i = 0;
    for (; n - i >= 8; i += 8) {
        __m256i eq = _mm256_cmpeq_epi32(_mm256_loadu_si256((const __m256i *)(a + i)),
                                        _mm256_loadu_si256((const __m256i *)(b + i)));
        unsigned bits = ~(unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(eq)) & 0xFFu;
        while (bits) {
            at[m++] = i + (uint32_t)__builtin_ctz(bits);
            bits &= bits - 1u;
        }
    }
    for (; i < n; i++)
        if (a[i] != b[i])
            at[m++] = i;
    return m;
}

/* LANES_OF[b]: the numbers of the set bits of b in ascending order, padded with zeros. */
static const uint8_t LANES_OF[256][8] = {
    {0, 0, 0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 0, 0, 0}, {1, 0, 0, 0, 0, 0, 0, 0}, {0, 1, 0, 0, 0, 0, 0, 0},
    {2, 0, 0, 0, 0, 0, 0, 0}, {0, 2, 0, 0, 0, 0, 0, 0}, {1, 2, 0, 0, 0, 0, 0, 0}, {0, 1, 2, 0, 0, 0, 0, 0},
    {3, 0, 0, 0, 0, 0, 0, 0}, {0, 3, 0, 0, 0, 0, 0, 0}, {1, 3, 0, 0, 0, 0, 0, 0}, {0, 1, 3, 0, 0, 0, 0, 0},
    {2, 3, 0, 0, 0, 0, 0, 0}, {0, 2, 3, 0, 0, 0, 0, 0}, {1, 2, 3, 0, 0, 0, 0, 0}, {0, 1, 2, 3, 0, 0, 0, 0},
    {4, 0, 0, 0, 0, 0, 0, 0}, {0, 4, 0, 0, 0, 0, 0, 0}, {1, 4, 0, 0, 0, 0, 0, 0}, {0, 1, 4, 0, 0, 0, 0, 0},
    {2, 4, 0, 0, 0, 0, 0, 0}, {0, 2, 4, 0, 0, 0, 0, 0}, {1, 2, 4, 0, 0, 0, 0, 0}, {0, 1, 2, 4, 0, 0, 0, 0},
    {3, 4, 0, 0, 0, 0, 0, 0}, {0, 3, 4, 0, 0, 0, 0, 0}, {1, 3, 4, 0, 0, 0, 0, 0}, {0, 1, 3, 4, 0, 0, 0, 0},
    {2, 3, 4, 0, 0, 0, 0, 0}, {0, 2, 3, 4, 0, 0, 0, 0}, {1, 2, 3, 4, 0, 0, 0, 0}, {0, 1, 2, 3, 4, 0, 0, 0},
    {5, 0, 0, 0, 0, 0, 0, 0}, {0, 5, 0, 0, 0, 0, 0, 0}, {1, 5, 0, 0, 0, 0, 0, 0}, {0, 1, 5, 0, 0, 0, 0, 0},
    {2, 5, 0, 0, 0, 0, 0, 0}, {0, 2, 5, 0, 0, 0, 0, 0}, {1, 2, 5, 0, 0, 0, 0, 0}, {0, 1, 2, 5, 0, 0, 0, 0},
    {3, 5, 0, 0, 0, 0, 0, 0}, {0, 3, 5, 0, 0, 0, 0, 0}, {1, 3, 5, 0, 0, 0, 0, 0}, {0, 1, 3, 5, 0, 0, 0, 0},
    {2, 3, 5, 0, 0, 0, 0, 0}, {0, 2, 3, 5, 0, 0, 0, 0}, {1, 2, 3, 5, 0, 0, 0, 0}, {0, 1, 2, 3, 5, 0, 0, 0},
    {4, 5, 0, 0, 0, 0, 0, 0}, {0, 4, 5, 0, 0, 0, 0, 0}, {1, 4, 5, 0, 0, 0, 0, 0}, {0, 1, 4, 5, 0, 0, 0, 0},
    {2, 4, 5, 0, 0, 0, 0, 0}, {0, 2, 4, 5, 0, 0, 0, 0}, {1, 2, 4, 5, 0, 0, 0, 0}, {0, 1, 2, 4, 5, 0, 0, 0},
    {3, 4, 5, 0, 0, 0, 0, 0}, {0, 3, 4, 5, 0, 0, 0, 0}, {1, 3, 4, 5, 0, 0, 0, 0}, {0, 1, 3, 4, 5, 0, 0, 0},
    {2, 3, 4, 5, 0, 0, 0, 0}, {0, 2, 3, 4, 5, 0, 0, 0}, {1, 2, 3, 4, 5, 0, 0, 0}, {0, 1, 2, 3, 4, 5, 0, 0},
    {6, 0, 0, 0, 0, 0, 0, 0}, {0, 6, 0, 0, 0, 0, 0, 0}, {1, 6, 0, 0, 0, 0, 0, 0}, {0, 1, 6, 0, 0, 0, 0, 0},
    {2, 6, 0, 0, 0, 0, 0, 0}, {0, 2, 6, 0, 0, 0, 0, 0}, {1, 2, 6, 0, 0, 0, 0, 0}, {0, 1, 2, 6, 0, 0, 0, 0},
    {3, 6, 0, 0, 0, 0, 0, 0}, {0, 3, 6, 0, 0, 0, 0, 0}, {1, 3, 6, 0, 0, 0, 0, 0}, {0, 1, 3, 6, 0, 0, 0, 0},
    {2, 3, 6, 0, 0, 0, 0, 0}, {0, 2, 3, 6, 0, 0, 0, 0}, {1, 2, 3, 6, 0, 0, 0, 0}, {0, 1, 2, 3, 6, 0, 0, 0},
    {4, 6, 0, 0, 0, 0, 0, 0}, {0, 4, 6, 0, 0, 0, 0, 0}, {1, 4, 6, 0, 0, 0, 0, 0}, {0, 1, 4, 6, 0, 0, 0, 0},
    {2, 4, 6, 0, 0, 0, 0, 0}, {0, 2, 4, 6, 0, 0, 0, 0}, {1, 2, 4, 6, 0, 0, 0, 0}, {0, 1, 2, 4, 6, 0, 0, 0},
    {3, 4, 6, 0, 0, 0, 0, 0}, {0, 3, 4, 6, 0, 0, 0, 0}, {1, 3, 4, 6, 0, 0, 0, 0}, {0, 1, 3, 4, 6, 0, 0, 0},
    {2, 3, 4, 6, 0, 0, 0, 0}, {0, 2, 3, 4, 6, 0, 0, 0}, {1, 2, 3, 4, 6, 0, 0, 0}, {0, 1, 2, 3, 4, 6, 0, 0},
    {5, 6, 0, 0, 0, 0, 0, 0}, {0, 5, 6, 0, 0, 0, 0, 0}, {1, 5, 6, 0, 0, 0, 0, 0}, {0, 1, 5, 6, 0, 0, 0, 0},
    {2, 5, 6, 0, 0, 0, 0, 0}, {0, 2, 5, 6, 0, 0, 0, 0}, {1, 2, 5, 6, 0, 0, 0, 0}, {0, 1, 2, 5, 6, 0, 0, 0},
    {3, 5, 6, 0, 0, 0, 0, 0}, {0, 3, 5, 6, 0, 0, 0, 0}, {1, 3, 5, 6, 0, 0, 0, 0}, {0, 1, 3, 5, 6, 0, 0, 0},
    {2, 3, 5, 6, 0, 0, 0, 0}, {0, 2, 3, 5, 6, 0, 0, 0}, {1, 2, 3, 5, 6, 0, 0, 0}, {0, 1, 2, 3, 5, 6, 0, 0},
    {4, 5, 6, 0, 0, 0, 0, 0}, {0, 4, 5, 6, 0, 0, 0, 0}, {1, 4, 5, 6, 0, 0, 0, 0}, {0, 1, 4, 5, 6, 0, 0, 0},
    {2, 4, 5, 6, 0, 0, 0, 0}, {0, 2, 4, 5, 6, 0, 0, 0}, {1, 2, 4, 5, 6, 0, 0, 0}, {0, 1, 2, 4, 5, 6, 0, 0},
    {3, 4, 5, 6, 0, 0, 0, 0}, {0, 3, 4, 5, 6, 0, 0, 0}, {1, 3, 4, 5, 6, 0, 0, 0}, {0, 1, 3, 4, 5, 6, 0, 0},
    {2, 3, 4, 5, 6, 0, 0, 0}, {0, 2, 3, 4, 5, 6, 0, 0}, {1, 2, 3, 4, 5, 6, 0, 0}, {0, 1, 2, 3, 4, 5, 6, 0},
    {7, 0, 0, 0, 0, 0, 0, 0}, {0, 7, 0, 0, 0, 0, 0, 0}, {1, 7, 0, 0, 0, 0, 0, 0}, {0, 1, 7, 0, 0, 0, 0, 0},
    {2, 7, 0, 0, 0, 0, 0, 0}, {0, 2, 7, 0, 0, 0, 0, 0}, {1, 2, 7, 0, 0, 0, 0, 0}, {0, 1, 2, 7, 0, 0, 0, 0},
    {3, 7, 0, 0, 0, 0, 0, 0}, {0, 3, 7, 0, 0, 0, 0, 0}, {1, 3, 7, 0, 0, 0, 0, 0}, {0, 1, 3, 7, 0, 0, 0, 0},
    {2, 3, 7, 0, 0, 0, 0, 0}, {0, 2, 3, 7, 0, 0, 0, 0}, {1, 2, 3, 7, 0, 0, 0, 0}, {0, 1, 2, 3, 7, 0, 0, 0},
    {4, 7, 0, 0, 0, 0, 0, 0}, {0, 4, 7, 0, 0, 0, 0, 0}, {1, 4, 7, 0, 0, 0, 0, 0}, {0, 1, 4, 7, 0, 0, 0, 0},
    {2, 4, 7, 0, 0, 0, 0, 0}, {0, 2, 4, 7, 0, 0, 0, 0}, {1, 2, 4, 7, 0, 0, 0, 0}, {0, 1, 2, 4, 7, 0, 0, 0},
    {3, 4, 7, 0, 0, 0, 0, 0}, {0, 3, 4, 7, 0, 0, 0, 0}, {1, 3, 4, 7, 0, 0, 0, 0}, {0, 1, 3, 4, 7, 0, 0, 0},
    {2, 3, 4, 7, 0, 0, 0, 0}, {0, 2, 3, 4, 7, 0, 0, 0}, {1, 2, 3, 4, 7, 0, 0, 0}, {0, 1, 2, 3, 4, 7, 0, 0},
    {5, 7, 0, 0, 0, 0, 0, 0}, {0, 5, 7, 0, 0, 0, 0, 0}, {1, 5, 7, 0, 0, 0, 0, 0}, {0, 1, 5, 7, 0, 0, 0, 0},
    {2, 5, 7, 0, 0, 0, 0, 0}, {0, 2, 5, 7, 0, 0, 0, 0}, {1, 2, 5, 7, 0, 0, 0, 0}, {0, 1, 2, 5, 7, 0, 0, 0},
    {3, 5, 7, 0, 0, 0, 0, 0}, {0, 3, 5, 7, 0, 0, 0, 0}, {1, 3, 5, 7, 0, 0, 0, 0}, {0, 1, 3, 5, 7, 0, 0, 0},
    {2, 3, 5, 7, 0, 0, 0, 0}, {0, 2, 3, 5, 7, 0, 0, 0}, {1, 2, 3, 5, 7, 0, 0, 0}, {0, 1, 2, 3, 5, 7, 0, 0},
    {4, 5, 7, 0, 0, 0, 0, 0}, {0, 4, 5, 7, 0, 0, 0, 0}, {1, 4, 5, 7, 0, 0, 0, 0}, {0, 1, 4, 5, 7, 0, 0, 0},
    {2, 4, 5, 7, 0, 0, 0, 0}, {0, 2, 4, 5, 7, 0, 0, 0}, {1, 2, 4, 5, 7, 0, 0, 0}, {0, 1, 2, 4, 5, 7, 0, 0},
    {3, 4, 5, 7, 0, 0, 0, 0}, {0, 3, 4, 5, 7, 0, 0, 0}, {1, 3, 4, 5, 7, 0, 0, 0}, {0, 1, 3, 4, 5, 7, 0, 0},
    {2, 3, 4, 5, 7, 0, 0, 0}, {0, 2, 3, 4, 5, 7, 0, 0}, {1, 2, 3, 4, 5, 7, 0, 0}, {0, 1, 2, 3, 4, 5, 7, 0},
    {6, 7, 0, 0, 0, 0, 0, 0}, {0, 6, 7, 0, 0, 0, 0, 0}, {1, 6, 7, 0, 0, 0, 0, 0}, {0, 1, 6, 7, 0, 0, 0, 0},
    {2, 6, 7, 0, 0, 0, 0, 0}, {0, 2, 6, 7, 0, 0, 0, 0}, {1, 2, 6, 7, 0, 0, 0, 0}, {0, 1, 2, 6, 7, 0, 0, 0},
    {3, 6, 7, 0, 0, 0, 0, 0}, {0, 3, 6, 7, 0, 0, 0, 0}, {1, 3, 6, 7, 0, 0, 0, 0}, {0, 1, 3, 6, 7, 0, 0, 0},
    {2, 3, 6, 7, 0, 0, 0, 0}, {0, 2, 3, 6, 7, 0, 0, 0}, {1, 2, 3, 6, 7, 0, 0, 0}, {0, 1, 2, 3, 6, 7, 0, 0},
    {4, 6, 7, 0, 0, 0, 0, 0}, {0, 4, 6, 7, 0, 0, 0, 0}, {1, 4, 6, 7, 0, 0, 0, 0}, {0, 1, 4, 6, 7, 0, 0, 0},
    {2, 4, 6, 7, 0, 0, 0, 0}, {0, 2, 4, 6, 7, 0, 0, 0}, {1, 2, 4, 6, 7, 0, 0, 0}, {0, 1, 2, 4, 6, 7, 0, 0},
    {3, 4, 6, 7, 0, 0, 0, 0}, {0, 3, 4, 6, 7, 0, 0, 0}, {1, 3, 4, 6, 7, 0, 0, 0}, {0, 1, 3, 4, 6, 7, 0, 0},
    {2, 3, 4, 6, 7, 0, 0, 0}, {0, 2, 3, 4, 6, 7, 0, 0}, {1, 2, 3, 4, 6, 7, 0, 0}, {0, 1, 2, 3, 4, 6, 7, 0},
    {5, 6, 7, 0, 0, 0, 0, 0}, {0, 5, 6, 7, 0, 0, 0, 0}, {1, 5, 6, 7, 0, 0, 0, 0}, {0, 1, 5, 6, 7, 0, 0, 0},
    {2, 5, 6, 7, 0, 0, 0, 0}, {0, 2, 5, 6, 7, 0, 0, 0}, {1, 2, 5, 6, 7, 0, 0, 0}, {0, 1, 2, 5, 6, 7, 0, 0},
    {3, 5, 6, 7, 0, 0, 0, 0}, {0, 3, 5, 6, 7, 0, 0, 0}, {1, 3, 5, 6, 7, 0, 0, 0}, {0, 1, 3, 5, 6, 7, 0, 0},
    {2, 3, 5, 6, 7, 0, 0, 0}, {0, 2, 3, 5, 6, 7, 0, 0}, {1, 2, 3, 5, 6, 7, 0, 0}, {0, 1, 2, 3, 5, 6, 7, 0},
    {4, 5, 6, 7, 0, 0, 0, 0}, {0, 4, 5, 6, 7, 0, 0, 0}, {1, 4, 5, 6, 7, 0, 0, 0}, {0, 1, 4, 5, 6, 7, 0, 0},
    {2, 4, 5, 6, 7, 0, 0, 0}, {0, 2, 4, 5, 6, 7, 0, 0}, {1, 2, 4, 5, 6, 7, 0, 0}, {0, 1, 2, 4, 5, 6, 7, 0},
    {3, 4, 5, 6, 7, 0, 0, 0}, {0, 3, 4, 5, 6, 7, 0, 0}, {1, 3, 4, 5, 6, 7, 0, 0}, {0, 1, 3, 4, 5, 6, 7, 0},
    {2, 3, 4, 5, 6, 7, 0, 0}, {0, 2, 3, 4, 5, 6, 7, 0}, {1, 2, 3, 4, 5, 6, 7, 0}, {0, 1, 2, 3, 4, 5, 6, 7},
};

/* Candidates of one group (kmeans_groups.c): the scalar code's operations on eight centroids
 * per vector; lanes past k are masked out. */
CT_AVX2 uint32_t ct_km_candidates_avx2(const float *box, const float *cx, const float *cy, const float *cz, uint32_t k,
                                       float slack, uint32_t *cand)
{
    const __m256 lx = _mm256_set1_ps(box[0]), ly = _mm256_set1_ps(box[1]), lz = _mm256_set1_ps(box[2]);
    const __m256 hx = _mm256_set1_ps(box[3]), hy = _mm256_set1_ps(box[4]), hz = _mm256_set1_ps(box[5]);
    const __m256 zero = _mm256_setzero_ps(), fmax = _mm256_set1_ps(FLT_MAX);
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    __m256 near[32];
    __m256 reach = fmax;
    uint32_t vecs = (k + 7) / 8;
    for (uint32_t v = 0; v < vecs; v++) {
        __m256 x = _mm256_loadu_ps(cx + v * 8), y = _mm256_loadu_ps(cy + v * 8), z = _mm256_loadu_ps(cz + v * 8);
        __m256 fx = _mm256_max_ps(_mm256_sub_ps(x, lx), _mm256_sub_ps(hx, x));
        __m256 fy = _mm256_max_ps(_mm256_sub_ps(y, ly), _mm256_sub_ps(hy, y));
        __m256 fz = _mm256_max_ps(_mm256_sub_ps(z, lz), _mm256_sub_ps(hz, z));
        __m256 far = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(fx, fx), _mm256_mul_ps(fy, fy)), _mm256_mul_ps(fz, fz));
        __m256 valid = _mm256_castsi256_ps(
            _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(k - v * 8)), lane));
        reach = _mm256_min_ps(reach, _mm256_blendv_ps(fmax, far, valid));
        __m256 nx = _mm256_max_ps(_mm256_max_ps(_mm256_sub_ps(lx, x), _mm256_sub_ps(x, hx)), zero);
        __m256 ny = _mm256_max_ps(_mm256_max_ps(_mm256_sub_ps(ly, y), _mm256_sub_ps(y, hy)), zero);
        __m256 nz = _mm256_max_ps(_mm256_max_ps(_mm256_sub_ps(lz, z), _mm256_sub_ps(z, hz)), zero);
        near[v] = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(nx, nx), _mm256_mul_ps(ny, ny)), _mm256_mul_ps(nz, nz));
    }
    /* the smallest lane of reach, in every lane */
    reach = _mm256_min_ps(reach, _mm256_permute2f128_ps(reach, reach, 1));
    reach = _mm256_min_ps(reach, _mm256_shuffle_ps(reach, reach, _MM_SHUFFLE(1, 0, 3, 2)));
    reach = _mm256_min_ps(reach, _mm256_shuffle_ps(reach, reach, _MM_SHUFFLE(2, 3, 0, 1)));
    const __m256 limit = _mm256_add_ps(reach, _mm256_set1_ps(slack));
    uint32_t m = 0;
    for (uint32_t v = 0; v < vecs; v++) {
        unsigned bits = (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(near[v], limit, _CMP_NGT_UQ));
        if (k - v * 8 < 8)
            bits &= (1u << (k - v * 8)) - 1u;
        /* The set lanes' numbers, packed to the front without a branch per lane: all eight
         * are stored (cand has room for them) and m advances by the count. */
        __m128i packed = _mm_loadl_epi64((const __m128i *)LANES_OF[bits]);
        __m256i ids = _mm256_add_epi32(_mm256_cvtepu8_epi32(packed), _mm256_set1_epi32((int)(v * 8)));
        _mm256_storeu_si256((__m256i *)(cand + m), ids);
        m += (uint32_t)__builtin_popcount(bits);
    }
    return m;
}

/* Seeding (kmeans_seed.h): the scalar ct_seed_lanes, eight points per vector. Lane j of
 * the two double accumulators is lanes[j] (points i % 8 == j, in order), so every lane sums
 * the same floats in the same order as the scalar loop; dx*dx + dy*dy + dz*dz and the
 * weight use separate multiplies and adds, _mm256_min_ps(wd, d2) is `wd < d2 ? wd : d2`,
 * and weights up to 2^24 convert exactly either way. */
CT_AVX2 uint32_t ct_seed_lanes_avx2(const float *xs, const float *ys, const float *zs, const uint32_t *w,
                                    const float *d2, float *out, uint32_t n, const float *c, double lanes[8])
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
        if (out)
            _mm256_storeu_ps(out + i, m);
        lo = _mm256_add_pd(lo, _mm256_cvtps_pd(_mm256_castps256_ps128(m)));
        hi = _mm256_add_pd(hi, _mm256_cvtps_pd(_mm256_extractf128_ps(m, 1)));
    }
    _mm256_storeu_pd(lanes, lo);
    _mm256_storeu_pd(lanes + 4, hi);
    return i;
}

#else /* not x86: no AVX2 kernel; ct_cpu_has_avx2() is 0 there, so this is never reached */

uint32_t ct_inertia_lanes_avx2(const uint32_t *w, const float *d, uint32_t n, double lanes[4])
{
    (void)w, (void)d, (void)n, (void)lanes;
    return 0;
}

uint32_t ct_label_changes_avx2(const uint32_t *a, const uint32_t *b, uint32_t n, uint32_t *at)
{
    (void)a, (void)b, (void)n, (void)at;
    return 0;
}

uint32_t ct_km_candidates_avx2(const float *box, const float *cx, const float *cy, const float *cz, uint32_t k,
                               float slack, uint32_t *cand)
{
    (void)box, (void)cx, (void)cy, (void)cz, (void)k, (void)slack, (void)cand;
    return 0;
}

uint32_t ct_nearest_soa_avx2(const float *xs, const float *ys, const float *zs, uint32_t n,
                             const float *centroids, uint32_t k, uint32_t *labels, float *dist)
{
    (void)xs, (void)ys, (void)zs, (void)n, (void)centroids, (void)k, (void)labels, (void)dist;
    return 0;
}

uint32_t ct_nearest_packed_avx2(const float *xs, const float *ys, const float *zs, uint32_t n, const float *packed,
                                const uint32_t *ids, uint32_t m, uint32_t *labels, float *dist)
{
    (void)xs, (void)ys, (void)zs, (void)n, (void)packed, (void)ids, (void)m, (void)labels, (void)dist;
    return 0;
}

uint32_t ct_seed_lanes_avx2(const float *xs, const float *ys, const float *zs, const uint32_t *w, const float *d2,
                            float *out, uint32_t n, const float *c, double lanes[8])
{
    (void)xs, (void)ys, (void)zs, (void)w, (void)d2, (void)out, (void)n, (void)c, (void)lanes;
    return 0;
}

#endif
