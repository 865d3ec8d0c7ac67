/* Differential tests: the AVX2 nearest-centroid kernel against the scalar reference, and
 * whole k-means runs with the ISA forced to scalar and to AVX2.
 *
 * The AVX2 kernel does per lane exactly the scalar float operations in the scalar order (no
 * horizontal reduction, no FMA), so labels and distances must be bit-identical: every
 * comparison here is exact (memcmp), no tolerance. On a CPU without AVX2+FMA the AVX2 tests
 * print a note and pass without checking anything. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/cpu.h"
#include "../core/kmeans.h"
#include "../core/kmeans_groups.h"
#include "../core/kmeans_seed.h"
#include "../core/rng.h"
#include "suites.h"

#define SKIP_WITHOUT_AVX2()                                                                       \
    do {                                                                                          \
        if (!ct_cpu_has_avx2()) {                                                                 \
            fprintf(stderr, "kmeans_diff: %s skipped: this CPU lacks AVX2+FMA\n", __func__);     \
            return;                                                                               \
        }                                                                                         \
    } while (0)

static float frand(ct_rng *r, float lo, float hi)
{
    return lo + (float)(ct_rng_unit(r) * (double)(hi - lo));
}

/* A random finite float of any magnitude and sign, subnormals and zeros included. */
static float any_finite(ct_rng *r)
{
    for (;;) {
        uint32_t bits = (uint32_t)ct_rng_next(r);
        float f;
        memcpy(&f, &bits, sizeof f);
        if (isfinite(f))
            return f;
    }
}

static uint32_t bits_of(float f)
{
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    return b;
}

/* Same distance bits, except that two NaNs count as equal: a NaN coordinate makes |p|^2 a
 * NaN whose sign depends on which operand the compiler put first in the scalar addition
 * (x86 returns the first NaN operand). Labels still agree exactly, and k-means only ever
 * sees finite colours. */
static int same_dist(float a, float b)
{
    return bits_of(a) == bits_of(b) || (isnan(a) && isnan(b));
}

static int same_dists(const float *a, const float *b, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (!same_dist(a[i], b[i]))
            return 0;
    return 1;
}

/* Points in groups and centroids prepared for them, on the heap. */
typedef struct grouped {
    void *mem, *scratch;
    ct_km_centroids *prep;
    ct_km_groups g;
} grouped;

static void grouped_init(grouped *t, const float *pts, uint32_t n, const float *cents, uint32_t k)
{
    t->mem = malloc(ct_km_groups_bytes(n, 0));
    t->scratch = malloc(ct_km_groups_scratch_bytes(n));
    t->prep = malloc(sizeof *t->prep);
    ck_assert(t->mem && t->scratch && t->prep);
    ct_km_groups_build(pts, NULL, n, t->mem, t->scratch, &t->g);
    ct_km_centroids_prepare(cents, k, t->prep);
}

static void grouped_free(grouped *t)
{
    free(t->mem);
    free(t->scratch);
    free(t->prep);
}

/* The points put in groups (kmeans_groups.h) and searched group by group, each group only
 * among its candidate centroids, on both ISAs: every label and distance must be the bits of
 * the full scalar search (ct_nearest_centroid) on the same point. */
static void check_groups(const char *what, const float *pts, uint32_t n, const float *cents, uint32_t k)
{
    grouped t;
    grouped_init(&t, pts, n, cents, k);
    const ct_km_groups *g = &t.g;
    const ct_km_centroids *prep = t.prep;
    const int isas[2] = {CT_ISA_SCALAR, CT_ISA_AVX2};
    for (uint32_t grp = 0; grp < g->count; grp++) {
        uint32_t lo = grp * CT_KM_GROUP, cnt = n - lo < CT_KM_GROUP ? n - lo : CT_KM_GROUP;
        uint32_t ref_l[CT_KM_GROUP], l[CT_KM_GROUP];
        float ref_d[CT_KM_GROUP], d[CT_KM_GROUP];
        for (uint32_t i = 0; i < cnt; i++)
            ref_l[i] = ct_nearest_centroid(g->pts + (size_t)(lo + i) * 3, cents, k, &ref_d[i]);
        for (int is = 0; is < 2; is++) {
            ct_nearest_group(isas[is], g, grp, prep, l, d);
            for (uint32_t i = 0; i < cnt; i++)
                ck_assert_msg(l[i] == ref_l[i] && same_dist(d[i], ref_d[i]),
                              "%s (n=%u k=%u), groups on isa %d: group %u point %u: label %u dist %a, "
                              "full search label %u dist %a",
                              what, n, k, isas[is], grp, i, l[i], (double)d[i], ref_l[i], (double)ref_d[i]);
        }
    }
    grouped_free(&t);
}

/* Runs the scalar reference, the AVX2 batch (SoA kernel + scalar tail) and the bare AVX2
 * kernel on the same input and requires identical labels and distance bits, then the
 * search by groups (check_groups). */
static void check_same(const char *what, const float *pts, uint32_t n, const float *cents, uint32_t k)
{
    uint32_t *ref_l = malloc((n + 1) * sizeof(uint32_t)), *l = malloc((n + 1) * sizeof(uint32_t));
    float *ref_d = malloc((n + 1) * sizeof(float)), *d = malloc((n + 1) * sizeof(float));
    float *soa = malloc(((size_t)n * 3 + 1) * sizeof(float));
    ck_assert(ref_l && l && ref_d && d && soa);
    for (uint32_t i = 0; i < n; i++)
        ref_l[i] = ct_nearest_centroid(pts + (size_t)i * 3, cents, k, &ref_d[i]);

    /* the scalar batch is the reference, point by point */
    memset(l, 0xA5, n * sizeof(uint32_t));
    memset(d, 0xA5, n * sizeof(float));
    ct_nearest_batch(CT_ISA_SCALAR, pts, NULL, n, cents, k, l, d);
    ck_assert_msg(memcmp(l, ref_l, n * sizeof(uint32_t)) == 0, "%s: scalar batch labels differ", what);
    ck_assert_msg(same_dists(d, ref_d, n), "%s: scalar batch distances differ", what);

    ct_points_to_soa(pts, n, soa);
    memset(l, 0xA5, n * sizeof(uint32_t));
    memset(d, 0xA5, n * sizeof(float));
    ct_nearest_batch(CT_ISA_AVX2, pts, soa, n, cents, k, l, d);
    for (uint32_t i = 0; i < n; i++)
        ck_assert_msg(l[i] == ref_l[i] && same_dist(d[i], ref_d[i]),
                      "%s (n=%u k=%u): point %u (%a %a %a): avx2 label %u dist %a (0x%08x), "
                      "scalar label %u dist %a (0x%08x)",
                      what, n, k, i, (double)pts[i * 3], (double)pts[i * 3 + 1], (double)pts[i * 3 + 2], l[i],
                      (double)d[i], bits_of(d[i]), ref_l[i], (double)ref_d[i], bits_of(ref_d[i]));
    ck_assert(memcmp(l, ref_l, n * sizeof(uint32_t)) == 0);
    ck_assert(same_dists(d, ref_d, n));

    /* the bare kernel covers exactly the multiple-of-8 prefix and writes nothing past it */
    memset(l, 0xA5, (n + 1) * sizeof(uint32_t));
    memset(d, 0xA5, (n + 1) * sizeof(float));
    uint32_t done = ct_nearest_soa_avx2(soa, soa + n, soa + (size_t)n * 2, n, cents, k, l, d);
    ck_assert_uint_eq(done, n - n % 8);
    ck_assert(memcmp(l, ref_l, done * sizeof(uint32_t)) == 0);
    ck_assert(same_dists(d, ref_d, done));
    for (uint32_t i = done; i <= n; i++)
        ck_assert_msg(l[i] == 0xA5A5A5A5u && bits_of(d[i]) == 0xA5A5A5A5u, "%s: kernel wrote past %u", what,
                      done);
    check_groups(what, pts, n, cents, k);
    free(ref_l);
    free(l);
    free(ref_d);
    free(d);
    free(soa);
}

static float *alloc_pts(uint32_t n)
{
    float *p = malloc(((size_t)n * 3 + 1) * sizeof(float));
    ck_assert_ptr_nonnull(p);
    return p;
}

/* Centroids drawn from the points themselves (as k-means++ does): exact zero distances. */
static void cents_from_points(const float *pts, uint32_t n, float *cents, uint32_t k, ct_rng *r)
{
    for (uint32_t c = 0; c < k; c++)
        memcpy(cents + (size_t)c * 3, pts + (size_t)ct_rng_below(r, n) * 3, 3 * sizeof(float));
}

/* nc random blob centres in [-100, 100)^3, and n points each within +-spread of one of them
 * (per axis). */
static void make_blobs(ct_rng *r, float (*centres)[3], int nc, float *pts, uint32_t n, float spread)
{
    for (int c = 0; c < nc; c++)
        for (int j = 0; j < 3; j++)
            centres[c][j] = frand(r, -100.0f, 100.0f);
    for (uint32_t i = 0; i < n; i++) {
        int c = (int)ct_rng_below(r, (uint64_t)nc);
        for (int j = 0; j < 3; j++)
            pts[i * 3 + j] = centres[c][j] + frand(r, -spread, spread);
    }
}

static const uint32_t sizes[] = {1, 2, 3, 7, 8, 9, 15, 16, 17, 23, 24, 31, 33, 100, 1001, 4099};
static const uint32_t ks[] = {1, 2, 3, 7, 8, 9, 16, 30, 64, 255, 256};
#define NSIZES (sizeof sizes / sizeof sizes[0])
#define NKS (sizeof ks / sizeof ks[0])

START_TEST(uniform_random)
{
    SKIP_WITHOUT_AVX2();
    ct_rng r;
    ct_rng_seed(&r, 101);
    float *cents = alloc_pts(256);
    for (size_t si = 0; si < NSIZES; si++)
        for (size_t ki = 0; ki < NKS; ki++) {
            uint32_t n = sizes[si], k = ks[ki];
            float *pts = alloc_pts(n);
            for (uint32_t i = 0; i < n * 3; i++)
                pts[i] = frand(&r, -128.0f, 128.0f);
            for (uint32_t i = 0; i < k * 3; i++)
                cents[i] = frand(&r, -128.0f, 128.0f);
            check_same("uniform", pts, n, cents, k);
            cents_from_points(pts, n, cents, k, &r);
            check_same("uniform, centroids at points", pts, n, cents, k);
            free(pts);
        }
    free(cents);
}
END_TEST

START_TEST(clustered_random)
{
    SKIP_WITHOUT_AVX2();
    ct_rng r;
    ct_rng_seed(&r, 202);
    float *cents = alloc_pts(256);
    const uint32_t n = 4096;
    float *pts = alloc_pts(n);
    for (size_t ki = 0; ki < NKS; ki++) {
        uint32_t k = ks[ki];
        float centres[12][3];
        make_blobs(&r, centres, 12, pts, n, 0.5f);
        /* centroids near the blob centres: many near-ties between neighbours */
        for (uint32_t c = 0; c < k; c++)
            for (int j = 0; j < 3; j++)
                cents[c * 3 + j] = centres[c % 12][j] + frand(&r, -1e-3f, 1e-3f);
        check_same("clustered", pts, n, cents, k);
        for (uint32_t cut = 1; cut < 20; cut++) /* every tail length */
            check_same("clustered, short", pts, cut, cents, k);
    }
    free(pts);
    free(cents);
}
END_TEST

/* Integer coordinates: every distance is an exact small integer, so exact ties abound. */
START_TEST(exact_ties_integer_grid)
{
    SKIP_WITHOUT_AVX2();
    ct_rng r;
    ct_rng_seed(&r, 303);
    float *cents = alloc_pts(256);
    for (size_t ki = 0; ki < NKS; ki++) {
        uint32_t k = ks[ki], n = 997;
        float *pts = alloc_pts(n);
        for (uint32_t i = 0; i < n * 3; i++)
            pts[i] = (float)((int)ct_rng_below(&r, 9) - 4);
        for (uint32_t i = 0; i < k * 3; i++)
            cents[i] = (float)((int)ct_rng_below(&r, 9) - 4);
        check_same("integer grid", pts, n, cents, k);
        free(pts);
    }
    free(cents);
}
END_TEST

/* Each point exactly halfway between two centroids (c0 = p - v, c1 = p + v with exact
 * integers): the distances are equal and the lower index must win, in either order. */
START_TEST(exact_ties_midpoints)
{
    SKIP_WITHOUT_AVX2();
    const float cents[4][3] = {{-3, 1, 2}, {3, 1, 2}, {0, 10, 0}, {0, -10, 0}};
    const float rev[4][3] = {{3, 1, 2}, {-3, 1, 2}, {0, -10, 0}, {0, 10, 0}};
    float pts[40][3];
    for (int i = 0; i < 40; i++) {
        pts[i][0] = 0;
        pts[i][1] = (i % 2) ? 1.0f : 0.0f; /* y = 1: tie between 0 and 1; y = 0 too */
        pts[i][2] = 2;
    }
    check_same("midpoints", &pts[0][0], 40, &cents[0][0], 4);
    check_same("midpoints, reversed", &pts[0][0], 40, &rev[0][0], 4);
    uint32_t l;
    float d;
    ct_nearest_batch(CT_ISA_AVX2, &pts[0][0], NULL, 1, &cents[0][0], 4, &l, &d);
    ck_assert_uint_eq(l, 0);

    float soa[40 * 3], ds[40];
    uint32_t ls[40];
    ct_points_to_soa(&pts[0][0], 40, soa);
    ct_nearest_batch(CT_ISA_AVX2, &pts[0][0], soa, 40, &cents[0][0], 4, ls, ds);
    for (int i = 0; i < 40; i++) {
        ck_assert_uint_eq(ls[i], 0);
        ck_assert_float_eq(ds[i], (i % 2) ? 9.0f : 10.0f);
    }
}
END_TEST

START_TEST(duplicate_centroids)
{
    SKIP_WITHOUT_AVX2();
    ct_rng r;
    ct_rng_seed(&r, 404);
    float *cents = alloc_pts(256);
    uint32_t n = 1000;
    float *pts = alloc_pts(n);
    for (uint32_t i = 0; i < n * 3; i++)
        pts[i] = frand(&r, -50.0f, 50.0f);
    for (size_t ki = 0; ki < NKS; ki++) {
        uint32_t k = ks[ki];
        /* all k centroids the same */
        for (uint32_t c = 0; c < k; c++)
            for (int j = 0; j < 3; j++)
                cents[c * 3 + j] = 7.0f * (float)(j + 1);
        check_same("all centroids equal", pts, n, cents, k);
        /* only 3 distinct values, repeated in a pattern */
        for (uint32_t c = 0; c < k; c++)
            for (int j = 0; j < 3; j++)
                cents[c * 3 + j] = (float)((c * 7) % 3) * 20.0f - 20.0f;
        check_same("three distinct centroids repeated", pts, n, cents, k);
    }
    free(pts);
    free(cents);
}
END_TEST

START_TEST(identical_points)
{
    SKIP_WITHOUT_AVX2();
    ct_rng r;
    ct_rng_seed(&r, 505);
    float *cents = alloc_pts(256);
    for (size_t si = 0; si < NSIZES; si++) {
        uint32_t n = sizes[si];
        float *pts = alloc_pts(n);
        for (uint32_t i = 0; i < n * 3; i++)
            pts[i] = 42.5f;
        for (size_t ki = 0; ki < NKS; ki++) {
            uint32_t k = ks[ki];
            for (uint32_t i = 0; i < k * 3; i++)
                cents[i] = frand(&r, 0.0f, 100.0f);
            check_same("identical points", pts, n, cents, k);
            for (uint32_t i = 0; i < k * 3; i++)
                cents[i] = 42.5f; /* every centroid on the point: distance 0, label 0 */
            check_same("identical points on identical centroids", pts, n, cents, k);
        }
        free(pts);
    }
    free(cents);
}
END_TEST

/* Huge values overflow the squares to +inf (a point none of whose scores is below FLT_MAX
 * keeps label 0, and its distance FLT_MAX + |p|^2 overflows too); tiny ones make subnormal
 * or zero squares. */
START_TEST(extreme_magnitudes)
{
    SKIP_WITHOUT_AVX2();
    ct_rng r;
    ct_rng_seed(&r, 606);
    float *cents = alloc_pts(256);
    const float scales[] = {FLT_MAX, 1e30f, 1.8446744e19f, 1e19f, 1e-19f, 1e-22f, FLT_MIN, 1e-40f, 1e-45f};
    for (size_t s = 0; s < sizeof scales / sizeof scales[0]; s++)
        for (size_t ki = 0; ki < NKS; ki++) {
            uint32_t k = ks[ki], n = 203;
            float *pts = alloc_pts(n);
            for (uint32_t i = 0; i < n * 3; i++)
                pts[i] = scales[s] * frand(&r, -1.0f, 1.0f);
            for (uint32_t i = 0; i < k * 3; i++)
                cents[i] = scales[s] * frand(&r, -1.0f, 1.0f);
            check_same("extreme magnitude", pts, n, cents, k);
            for (uint32_t i = 0; i < n * 3; i++) /* +-scale exactly: ties and overflow */
                pts[i] = ct_rng_below(&r, 2) ? scales[s] : -scales[s];
            for (uint32_t i = 0; i < k * 3; i++)
                cents[i] = ct_rng_below(&r, 3) == 0 ? 0.0f : ct_rng_below(&r, 2) ? scales[s] : -scales[s];
            check_same("extreme magnitude, signs", pts, n, cents, k);
            free(pts);
        }
    /* every score overflows: label 0, distance at least FLT_MAX */
    float far_pts[11 * 3], far_cents[2 * 3] = {-FLT_MAX, -FLT_MAX, -FLT_MAX, -FLT_MAX, 0, 0};
    for (int i = 0; i < 33; i++)
        far_pts[i] = FLT_MAX;
    check_same("all distances overflow", far_pts, 11, far_cents, 2);
    uint32_t ls[11];
    float ds[11], soa[33];
    ct_points_to_soa(far_pts, 11, soa);
    ct_nearest_batch(CT_ISA_AVX2, far_pts, soa, 11, far_cents, 2, ls, ds);
    for (int i = 0; i < 11; i++) {
        ck_assert_uint_eq(ls[i], 0);
        ck_assert(ds[i] >= FLT_MAX);
    }
    free(cents);
}
END_TEST

/* Random bit patterns: any finite float, any exponent, mixed within one point. */
START_TEST(random_finite_bits)
{
    SKIP_WITHOUT_AVX2();
    ct_rng r;
    ct_rng_seed(&r, 707);
    float *cents = alloc_pts(256);
    for (int round = 0; round < 40; round++) {
        uint32_t n = 1 + (uint32_t)ct_rng_below(&r, 300), k = 1 + (uint32_t)ct_rng_below(&r, 256);
        float *pts = alloc_pts(n);
        for (uint32_t i = 0; i < n * 3; i++)
            pts[i] = any_finite(&r);
        for (uint32_t i = 0; i < k * 3; i++)
            cents[i] = any_finite(&r);
        check_same("random finite bits", pts, n, cents, k);
        /* same exponent range per coordinate so distances stay comparable and finite */
        for (uint32_t i = 0; i < n * 3; i++)
            pts[i] = ldexpf(frand(&r, -1.0f, 1.0f), (int)ct_rng_below(&r, 40) - 20);
        for (uint32_t i = 0; i < k * 3; i++)
            cents[i] = ldexpf(frand(&r, -1.0f, 1.0f), (int)ct_rng_below(&r, 40) - 20);
        check_same("mixed exponents", pts, n, cents, k);
        free(pts);
    }
    free(cents);
}
END_TEST

/* Not finite input (k-means never gets it, but the kernels still agree): NaN distances never
 * win, exactly as `d < best` in the scalar loop. */
START_TEST(non_finite_agree)
{
    SKIP_WITHOUT_AVX2();
    ct_rng r;
    ct_rng_seed(&r, 808);
    const float specials[] = {NAN, -NAN, INFINITY, -INFINITY, 0.0f, -0.0f, 1.0f};
    float cents[17 * 3];
    uint32_t n = 77;
    float *pts = alloc_pts(n);
    for (int round = 0; round < 20; round++) {
        for (uint32_t i = 0; i < n * 3; i++)
            pts[i] = ct_rng_below(&r, 4) ? frand(&r, -5, 5) : specials[ct_rng_below(&r, 7)];
        for (uint32_t i = 0; i < 17 * 3; i++)
            cents[i] = ct_rng_below(&r, 4) ? frand(&r, -5, 5) : specials[ct_rng_below(&r, 7)];
        check_same("non-finite", pts, n, cents, 17);
    }
    free(pts);
}
END_TEST

/* ---- whole k-means: ISA forced scalar vs AVX2 ------------------------------------------- */

static void kmeans_same(const char *what, const float *pts, uint32_t n, uint32_t k, uint32_t iters, uint64_t seed)
{
    /* Odd seeds: greedy seeding and three restarts (the runner-up compared too). */
    ct_kmeans_params p = {.k = k, .max_iterations = iters, .seed = seed,
                          .seed_candidates = seed % 2 ? 6 : 0, .restarts = seed % 2 ? 3 : 1};
    ct_kmeans_result a, b;
    ck_assert_int_eq(ct_isa_force(CT_ISA_SCALAR), CT_ISA_SCALAR);
    ck_assert_int_eq(ct_isa(), CT_ISA_SCALAR);
    ck_assert_int_eq(ct_kmeans(pts, n, &p, &a, NULL), 0);
    ck_assert_int_eq(ct_isa_force(CT_ISA_AVX2), CT_ISA_AVX2);
    ck_assert_int_eq(ct_isa(), CT_ISA_AVX2);
    ck_assert_int_eq(ct_kmeans(pts, n, &p, &b, NULL), 0);
    ct_isa_force(-1);
    ck_assert_msg(a.k == b.k && a.iterations == b.iterations, "%s: k %u/%u iterations %u/%u", what, a.k, b.k,
                  a.iterations, b.iterations);
    ck_assert_msg(memcmp(a.centroids, b.centroids, a.k * 3 * sizeof(float)) == 0, "%s: centroids differ", what);
    ck_assert_msg(memcmp(a.counts, b.counts, a.k * sizeof(uint32_t)) == 0, "%s: counts differ", what);
    ck_assert_msg(memcmp(&a.inertia, &b.inertia, sizeof a.inertia) == 0, "%s: inertia %a vs %a", what, a.inertia,
                  b.inertia);
    ck_assert_msg((a.runner_up == NULL) == (b.runner_up == NULL) && a.runner_up_k == b.runner_up_k, "%s: runner-up",
                  what);
    if (a.runner_up)
        ck_assert_msg(memcmp(a.runner_up, b.runner_up, a.runner_up_k * 3 * sizeof(float)) == 0,
                      "%s: runner-up centroids differ", what);
    ct_kmeans_free(&a);
    ct_kmeans_free(&b);
}

/* The point of the groups: on clustered colours most centroids are out of a group's reach,
 * and both ISAs' candidate searches keep the same ones (not required, as both only need to
 * keep every possible winner, but they do the same float operations). */
START_TEST(groups_leave_out_far_centroids)
{
    ct_rng r;
    ct_rng_seed(&r, 515);
    const uint32_t n = 6000, k = 30;
    float *pts = alloc_pts(n), *cents = alloc_pts(k);
    float centres[30][3];
    make_blobs(&r, centres, 30, pts, n, 4.0f);
    memcpy(cents, centres, sizeof centres);
    grouped t;
    grouped_init(&t, pts, n, cents, k);
    const ct_km_groups *g = &t.g;
    const ct_km_centroids *prep = t.prep;
    uint64_t kept = 0;
    for (uint32_t grp = 0; grp < g->count; grp++) {
        uint32_t a[256], b[256];
        uint32_t ma = ct_km_group_candidates(g, grp, CT_ISA_SCALAR, prep->cx, prep->cy, prep->cz, k, prep->cmax, a);
        ck_assert_uint_ge(ma, 1);
        kept += ma;
        if (ct_cpu_has_avx2()) {
            uint32_t mb = ct_km_group_candidates(g, grp, CT_ISA_AVX2, prep->cx, prep->cy, prep->cz, k, prep->cmax, b);
            ck_assert_uint_eq(ma, mb);
            ck_assert_mem_eq(a, b, ma * sizeof(uint32_t));
        }
    }
    /* 30 separate blobs: a group of 64 neighbouring points reaches a few of them */
    ck_assert_msg(kept < (uint64_t)g->count * 8, "%.1f of %u centroids kept per group", (double)kept / g->count, k);
    grouped_free(&t);
    free(pts);
    free(cents);
}
END_TEST

START_TEST(kmeans_scalar_vs_avx2)
{
    SKIP_WITHOUT_AVX2();
    ct_rng r;
    ct_rng_seed(&r, 909);
    const uint32_t ns[] = {1, 5, 8, 13, 64, 257, 1000, 4093, 20000};
    const uint32_t kk[] = {1, 3, 8, 30, 256};
    for (size_t ni = 0; ni < sizeof ns / sizeof ns[0]; ni++) {
        uint32_t n = ns[ni];
        float *pts = alloc_pts(n);
        float centres[9][3];
        for (int c = 0; c < 9; c++)
            for (int j = 0; j < 3; j++)
                centres[c][j] = frand(&r, -100, 100);
        for (size_t ki = 0; ki < sizeof kk / sizeof kk[0]; ki++) {
            uint32_t k = kk[ki];
            for (uint32_t i = 0; i < n * 3; i++) /* Lab-like uniform */
                pts[i] = frand(&r, -100, 100);
            kmeans_same("uniform", pts, n, k, 40, 1 + ki);
            for (uint32_t i = 0; i < n; i++) { /* blobs */
                int c = (int)ct_rng_below(&r, 9);
                for (int j = 0; j < 3; j++)
                    pts[i * 3 + j] = centres[c][j] + frand(&r, -3, 3);
            }
            kmeans_same("blobs", pts, n, k, 40, 7 + ki);
            for (uint32_t i = 0; i < n * 3; i++) /* coarse grid: ties and empty clusters */
                pts[i] = (float)((int)ct_rng_below(&r, 5) * 10);
            kmeans_same("grid", pts, n, k, 40, 3);
            kmeans_same("grid, 1 iteration", pts, n, k, 1, 3);
        }
        free(pts);
    }
}
END_TEST

/* ---- k-means++ seeding: scalar vs AVX2 ---------------------------------------------------- */

static void seed_same(const char *what, const float *pts, const uint32_t *w, uint32_t n, uint32_t k,
                      uint32_t candidates, uint64_t seed)
{
    float *soa = malloc((size_t)n * 3 * sizeof(float));
    ct_points_to_soa(pts, n, soa);
    uint32_t nb = (n + CT_SEED_BLOCK - 1) / CT_SEED_BLOCK;
    /* scalar without spares (greedy seeding scores its winner again), then scalar and AVX2
     * with spares (the winner's distances kept): all three must agree bit for bit */
    const int isa[3] = {CT_ISA_SCALAR, CT_ISA_SCALAR, CT_ISA_AVX2};
    float *d2[3], *spare_d2[6], c[3][256 * 3];
    double *bs[3], *spare_bs[6];
    ct_seed_ws ws[3];
    ct_rng rng[3];
    uint32_t got[3];
    for (int v = 0; v < 3; v++) {
        d2[v] = malloc(n * sizeof(float));
        bs[v] = malloc(nb * sizeof(double));
        ws[v] = (ct_seed_ws){d2[v], bs[v], {NULL, NULL}, {NULL, NULL}};
        for (int s = 0; s < 2; s++) {
            spare_d2[v * 2 + s] = malloc(n * sizeof(float));
            spare_bs[v * 2 + s] = malloc(nb * sizeof(double));
            if (v > 0) {
                ws[v].spare_d2[s] = spare_d2[v * 2 + s];
                ws[v].spare_sums[s] = spare_bs[v * 2 + s];
            }
        }
        ct_rng_seed(&rng[v], seed);
        got[v] = ct_seed_plus_plus(isa[v], pts, isa[v] == CT_ISA_AVX2 ? soa : NULL, w, n, k, candidates, &rng[v],
                                   &ws[v], c[v]);
    }
    uint64_t next0 = ct_rng_next(&rng[0]);
    for (int v = 1; v < 3; v++) {
        const char *how = v == 1 ? "scalar with spares" : "AVX2 with spares";
        ck_assert_msg(got[0] == got[v], "%s, %s: %u vs %u centres", what, how, got[0], got[v]);
        ck_assert_msg(memcmp(c[0], c[v], got[0] * 3 * sizeof(float)) == 0, "%s, %s: centres differ", what, how);
        ck_assert_msg(memcmp(d2[0], d2[v], n * sizeof(float)) == 0, "%s, %s: distances differ", what, how);
        ck_assert_msg(memcmp(bs[0], bs[v], nb * sizeof(double)) == 0, "%s, %s: block sums differ", what, how);
        ck_assert_msg(next0 == ct_rng_next(&rng[v]), "%s, %s: generators diverged", what, how);
    }
    for (int v = 0; v < 3; v++) {
        free(d2[v]), free(bs[v]);
        for (int s = 0; s < 2; s++)
            free(spare_d2[v * 2 + s]), free(spare_bs[v * 2 + s]);
    }
    free(soa);
}

START_TEST(seeding_scalar_vs_avx2)
{
    SKIP_WITHOUT_AVX2();
    ct_rng r;
    ct_rng_seed(&r, 4242);
    /* sizes around the vector width and the 1024-point block */
    const uint32_t ns[] = {1, 7, 8, 9, 1023, 1024, 1025, 3000, 9001};
    for (size_t ni = 0; ni < sizeof ns / sizeof ns[0]; ni++) {
        uint32_t n = ns[ni];
        float *pts = alloc_pts(n);
        uint32_t *w = malloc(n * sizeof(uint32_t));
        for (uint32_t i = 0; i < n; i++) {
            for (int j = 0; j < 3; j++)
                pts[i * 3 + j] = frand(&r, -100, 100);
            /* weights up to 2^24, the largest a histogram can hold */
            w[i] = ct_rng_below(&r, 8) ? 1 + (uint32_t)ct_rng_below(&r, 300) : 1u << 24;
        }
        for (uint32_t cand = 1; cand <= 16; cand += 5) {
            seed_same("uniform", pts, NULL, n, 30, cand, ni * 31 + cand);
            seed_same("uniform, weighted", pts, w, n, 30, cand, ni * 37 + cand);
            seed_same("uniform, k 256", pts, w, n, 256, cand, ni * 41 + cand);
        }
        for (uint32_t i = 0; i < n * 3; i++) /* few distinct points: the seeding runs out */
            pts[i] = (float)((int)ct_rng_below(&r, 3) * 10);
        seed_same("grid", pts, w, n, 30, 6, 5);
        seed_same("grid, unweighted", pts, NULL, n, 30, 1, 6);
        free(pts);
        free(w);
    }
}
END_TEST

START_TEST(isa_selection)
{
    ck_assert_str_eq(ct_isa_name(CT_ISA_SCALAR), "scalar");
    ck_assert_str_eq(ct_isa_name(CT_ISA_AVX2), "avx2");
    ck_assert_str_eq(ct_isa_name(42), "unknown");
    ck_assert_int_eq(ct_isa_choose(NULL, 1), CT_ISA_AVX2);
    ck_assert_int_eq(ct_isa_choose(NULL, 0), CT_ISA_SCALAR);
    ck_assert_int_eq(ct_isa_choose("scalar", 1), CT_ISA_SCALAR);
    ck_assert_int_eq(ct_isa_choose("scalar", 0), CT_ISA_SCALAR);
    ck_assert_int_eq(ct_isa_choose("avx2", 1), CT_ISA_AVX2);
    ck_assert_int_eq(ct_isa_choose("avx2", 0), CT_ISA_SCALAR); /* falls back */
    ck_assert_int_eq(ct_isa_choose("bogus", 1), CT_ISA_AVX2);  /* ignored */
    ck_assert_int_eq(ct_isa_choose("", 0), CT_ISA_SCALAR);

    int has = ct_cpu_has_avx2();
    int isa = ct_isa();
    ck_assert(isa == CT_ISA_SCALAR || isa == CT_ISA_AVX2);
    ck_assert(isa == CT_ISA_SCALAR || has);
    ck_assert_int_eq(ct_isa_force(CT_ISA_AVX2), has ? CT_ISA_AVX2 : CT_ISA_SCALAR);
    ck_assert_int_eq(ct_isa_force(CT_ISA_SCALAR), CT_ISA_SCALAR);
    ck_assert_int_eq(ct_isa_force(99), CT_ISA_SCALAR);
    ck_assert_int_eq(ct_isa_force(-1), isa);
    ck_assert_int_eq(ct_isa(), isa);
    fprintf(stderr, "kmeans_diff: CPU %s AVX2+FMA; kernels in use: %s\n", has ? "has" : "lacks", ct_isa_name(isa));

    /* without SoA, or on any CPU, the AVX2 request still gives the reference answer */
    const float pts[2][3] = {{0, 0, 0}, {9, 9, 9}}, cents[2][3] = {{1, 1, 1}, {8, 8, 8}};
    uint32_t l[2];
    float d[2];
    ct_nearest_batch(CT_ISA_AVX2, &pts[0][0], NULL, 2, &cents[0][0], 2, l, d);
    ck_assert_uint_eq(l[0], 0);
    ck_assert_uint_eq(l[1], 1);
    ck_assert_float_eq(d[0], 3.0f);
    ck_assert_float_eq(d[1], 3.0f);
}
END_TEST

Suite *suite_kmeans_diff(void)
{
    Suite *s = suite_create("kmeans_diff");
    TCase *tc = tcase_create("avx2_vs_scalar");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, isa_selection);
    tcase_add_test(tc, uniform_random);
    tcase_add_test(tc, clustered_random);
    tcase_add_test(tc, exact_ties_integer_grid);
    tcase_add_test(tc, exact_ties_midpoints);
    tcase_add_test(tc, duplicate_centroids);
    tcase_add_test(tc, identical_points);
    tcase_add_test(tc, extreme_magnitudes);
    tcase_add_test(tc, random_finite_bits);
    tcase_add_test(tc, non_finite_agree);
    tcase_add_test(tc, kmeans_scalar_vs_avx2);
    tcase_add_test(tc, groups_leave_out_far_centroids);
    tcase_add_test(tc, seeding_scalar_vs_avx2);
    suite_add_tcase(s, tc);
    return s;
}
