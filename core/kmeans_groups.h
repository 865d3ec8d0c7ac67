/* Points in a spatial order, cut into small groups with bounding boxes, so that an
 * assignment pass can leave out, group by group, the centroids that cannot be nearest to
 * any point of the group (kmeans.c).
 *
 * The order is a Z-order (Morton) curve over a 32-level grid per axis of the points'
 * bounding box, so a group of consecutive points is a compact piece of colour space. With
 * the final palettes of five 1000 px corpus covers, a 64-point group keeps 6-10 of the 30
 * centroids on the fine level and 9-15 on the coarse one (bench/README.md, "Centroids a
 * group cannot reach"). Which centroids are left is decided conservatively (a margin covers
 * the float rounding of the kernel's scores and of the box test), so the nearest centroid
 * found among them is exactly the one a search over all k finds: the same label and
 * distance bits (tests/test_kmeans_diff.c). */
#ifndef CT_KMEANS_GROUPS_H
#define CT_KMEANS_GROUPS_H

#include <stddef.h>
#include <stdint.h>

#define CT_KM_GROUP 64u

typedef struct ct_km_groups {
    uint32_t n, count; /* points, groups (the last one may be short) */
    float *pts;        /* n * 3: the points in Z-order */
    uint32_t *w;       /* n: their weights in that order; NULL for unweighted points */
    float *soa;        /* n * 3: the same as x's, y's, z's (ct_points_to_soa's layout) */
    float *box;        /* count * 6: lowest x, y, z, then highest x, y, z of each group */
    float norm_max;    /* the largest |p|^2 of any point */
} ct_km_groups;

/* Bytes of the arrays above for n points (weighted or not), and of the scratch
 * ct_km_groups_build needs. */
size_t ct_km_groups_bytes(uint32_t n, int weighted);
size_t ct_km_groups_scratch_bytes(uint32_t n);

/* Lays out g's arrays in `mem` (ct_km_groups_bytes, 16-byte aligned) and fills them from the
 * n float triples in pts (n >= 1) and their weights (NULL: unweighted), using `scratch`
 * (ct_km_groups_scratch_bytes(n)). */
void ct_km_groups_build(const float *pts, const uint32_t *w, uint32_t n, void *mem, void *scratch,
                        ct_km_groups *g);

/* Centroids given as SoA (cx, cy, cz: k of each, readable up to k rounded up to 8), with
 * cmax the largest |c|^2. Writes to cand (room for k rounded up to a multiple of 8), in
 * ascending order, every centroid that may be the nearest (lowest index on ties) to some
 * point of group `group`, and returns how many (1..k). `isa` (cpu.h) picks the scalar or the
 * AVX2 code; both keep the same centroids. */
uint32_t ct_km_group_candidates(const ct_km_groups *g, uint32_t group, int isa, const float *cx, const float *cy,
                                const float *cz, uint32_t k, float cmax, uint32_t *cand);

/* Its AVX2 code (core/kmeans_avx2.c) on one group's box (6 floats), the margin given as
 * `slack`. Only call it when ct_cpu_has_avx2(). */
uint32_t ct_km_candidates_avx2(const float *box, const float *cx, const float *cy, const float *cz, uint32_t k,
                               float slack, uint32_t *cand);

#endif
