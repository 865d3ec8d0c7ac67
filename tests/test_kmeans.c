/* k-means on synthetic clusters: recovery, clamping, determinism, monotone inertia. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/kmeans.h"
#include "../core/rng.h"
#include "suites.h"

/* n points around each of `nc` centres, spread +-spread (uniform), deterministic. */
static float *blobs(const float (*centres)[3], int nc, uint32_t per, float spread, uint64_t seed)
{
    float *pts = malloc((size_t)nc * per * 3 * sizeof(float));
    ck_assert_ptr_nonnull(pts);
    ct_rng rng;
    ct_rng_seed(&rng, seed);
    for (int c = 0; c < nc; c++)
        for (uint32_t i = 0; i < per; i++)
            for (int j = 0; j < 3; j++)
                pts[((size_t)c * per + i) * 3 + j] = centres[c][j] + (float)((ct_rng_unit(&rng) * 2 - 1) * spread);
    return pts;
}

static const float three[3][3] = {{10, 10, 10}, {60, -20, 30}, {90, 40, -40}};

START_TEST(recovers_three_blobs)
{
    float *pts = blobs(three, 3, 400, 2.0f, 7);
    ct_kmeans_params p = {3, 40, 1};
    ct_kmeans_result r;
    ck_assert_int_eq(ct_kmeans(pts, 1200, &p, &r, NULL), 0);
    ck_assert_uint_eq(r.k, 3);
    for (int c = 0; c < 3; c++) {
        int found = 0;
        for (uint32_t j = 0; j < r.k; j++) {
            float d = 0;
            for (int q = 0; q < 3; q++)
                d += (r.centroids[j * 3 + q] - three[c][q]) * (r.centroids[j * 3 + q] - three[c][q]);
            if (d < 1.0f) {
                ck_assert_uint_eq(r.counts[j], 400);
                found = 1;
            }
        }
        ck_assert_msg(found, "centre %d not recovered", c);
    }
    ck_assert_uint_lt(r.iterations, 40); /* converged: no label changed */
    ct_kmeans_free(&r);
    free(pts);
}
END_TEST

START_TEST(k_clamped_to_points)
{
    const float pts[5][3] = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {5, 5, 5}};
    ct_kmeans_params p = {10, 40, 1};
    ct_kmeans_result r;
    ck_assert_int_eq(ct_kmeans(&pts[0][0], 5, &p, &r, NULL), 0);
    ck_assert_uint_eq(r.k, 5);
    for (uint32_t j = 0; j < r.k; j++)
        ck_assert_uint_eq(r.counts[j], 1);
    ck_assert_double_eq_tol(r.inertia, 0.0, 1e-12);
    ct_kmeans_free(&r);
}
END_TEST

START_TEST(identical_points_give_one_cluster)
{
    float pts[100 * 3];
    for (int i = 0; i < 300; i++)
        pts[i] = 42.0f;
    ct_kmeans_params p = {8, 40, 3};
    ct_kmeans_result r;
    ck_assert_int_eq(ct_kmeans(pts, 100, &p, &r, NULL), 0);
    ck_assert_uint_eq(r.k, 1);
    ck_assert_uint_eq(r.counts[0], 100);
    ck_assert_uint_le(r.iterations, 2); /* one pass, one that confirms nothing moved */
    ct_kmeans_free(&r);
}
END_TEST

START_TEST(deterministic_for_a_seed)
{
    float *pts = blobs(three, 3, 300, 25.0f, 11);
    ct_kmeans_params p = {12, 40, 99};
    ct_kmeans_result a, b;
    ck_assert_int_eq(ct_kmeans(pts, 900, &p, &a, NULL), 0);
    ck_assert_int_eq(ct_kmeans(pts, 900, &p, &b, NULL), 0);
    ck_assert_uint_eq(a.k, b.k);
    ck_assert_uint_eq(a.iterations, b.iterations);
    ck_assert_mem_eq(a.centroids, b.centroids, a.k * 3 * sizeof(float));
    ck_assert_mem_eq(a.counts, b.counts, a.k * sizeof(uint32_t));
    ct_kmeans_free(&a);
    ct_kmeans_free(&b);
    free(pts);
}
END_TEST

/* Lloyd never increases the objective, including after an empty cluster is re-seeded. */
START_TEST(inertia_never_increases)
{
    float *pts = blobs(three, 3, 200, 30.0f, 5);
    double prev = INFINITY;
    for (uint32_t it = 1; it <= 15; it++) {
        ct_kmeans_params p = {20, it, 4};
        ct_kmeans_result r;
        ck_assert_int_eq(ct_kmeans(pts, 600, &p, &r, NULL), 0);
        uint64_t total = 0;
        for (uint32_t j = 0; j < r.k; j++)
            total += r.counts[j];
        ck_assert_uint_eq(total, 600);
        ck_assert_msg(r.inertia <= prev * (1 + 1e-9), "iteration %u: %f > %f", it, r.inertia, prev);
        prev = r.inertia;
        ct_kmeans_free(&r);
    }
    free(pts);
}
END_TEST

START_TEST(nearest_prefers_lowest_index_on_ties)
{
    const float cents[3][3] = {{1, 0, 0}, {-1, 0, 0}, {0, 5, 0}};
    const float pt[3] = {0, 0, 0};
    float d;
    ck_assert_uint_eq(ct_nearest_centroid(pt, &cents[0][0], 3, &d), 0);
    ck_assert_float_eq(d, 1.0f);
}
END_TEST

START_TEST(rejects_bad_input)
{
    const float pt[3] = {0, 0, 0};
    ct_kmeans_result r;
    ct_kmeans_params zero_k = {0, 40, 1}, zero_it = {3, 0, 1};
    ck_assert_int_eq(ct_kmeans(pt, 1, &zero_k, &r, NULL), COVERTHEME_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(ct_kmeans(pt, 1, &zero_it, &r, NULL), COVERTHEME_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(ct_kmeans(pt, 0, &zero_it, &r, NULL), COVERTHEME_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(r.centroids);
}
END_TEST

START_TEST(rng_is_reproducible)
{
    ct_rng a, b;
    ct_rng_seed(&a, 1);
    ct_rng_seed(&b, 1);
    for (int i = 0; i < 100; i++)
        ck_assert_uint_eq(ct_rng_next(&a), ct_rng_next(&b));
    for (int i = 0; i < 1000; i++) {
        uint64_t v = ct_rng_below(&a, 7);
        ck_assert_uint_lt(v, 7);
        double u = ct_rng_unit(&a);
        ck_assert(u >= 0.0 && u < 1.0);
    }
}
END_TEST

Suite *suite_kmeans(void)
{
    Suite *s = suite_create("kmeans");
    TCase *tc = tcase_create("lloyd");
    tcase_add_test(tc, recovers_three_blobs);
    tcase_add_test(tc, k_clamped_to_points);
    tcase_add_test(tc, identical_points_give_one_cluster);
    tcase_add_test(tc, deterministic_for_a_seed);
    tcase_add_test(tc, inertia_never_increases);
    tcase_add_test(tc, nearest_prefers_lowest_index_on_ties);
    tcase_add_test(tc, rejects_bad_input);
    tcase_add_test(tc, rng_is_reproducible);
    suite_add_tcase(s, tc);
    return s;
}
