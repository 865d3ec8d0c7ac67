/* k-means on synthetic clusters: recovery, clamping, determinism, monotone inertia. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/arena.h"
#include "../core/cpu.h"
#include "../core/kmeans.h"
#include "../core/kmeans_groups.h"
#include "../core/kmeans_seed.h"
#include "../core/pool.h"
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
    ct_kmeans_params p = {.k = 3, .max_iterations = 40, .seed = 1};
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

/* last_changed tells a settled run from one the iteration cap stopped: the polish
 * (plugin/generate.c) continues a loosely settled run only when it has not settled at the
 * tighter threshold already. */
START_TEST(last_changed_reports_how_the_run_ended)
{
    float *pts = blobs(three, 3, 400, 20.0f, 11);
    ct_kmeans_params p = {.k = 8, .max_iterations = 1, .seed = 2};
    ct_kmeans_result r;
    ck_assert_int_eq(ct_kmeans(pts, 1200, &p, &r, NULL), 0);
    ck_assert_uint_eq(r.iterations, 1);
    ck_assert_uint_eq(r.last_changed, 1200); /* the first pass counts every point */
    ct_kmeans_free(&r);
    p.max_iterations = 500;
    ck_assert_int_eq(ct_kmeans(pts, 1200, &p, &r, NULL), 0);
    ck_assert_uint_lt(r.iterations, 500);
    ck_assert_uint_eq(r.last_changed, 0); /* settle 0: converged */
    uint32_t full = r.iterations;
    ct_kmeans_free(&r);
    p.settle = 30;
    ck_assert_int_eq(ct_kmeans(pts, 1200, &p, &r, NULL), 0);
    ck_assert_uint_le(r.last_changed, 30);
    ck_assert_uint_le(r.iterations, full);
    ct_kmeans_free(&r);
    free(pts);
}
END_TEST

START_TEST(k_clamped_to_points)
{
    const float pts[5][3] = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {5, 5, 5}};
    ct_kmeans_params p = {.k = 10, .max_iterations = 40, .seed = 1};
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
    ct_kmeans_params p = {.k = 8, .max_iterations = 40, .seed = 3};
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
    ct_kmeans_params p = {.k = 12, .max_iterations = 40, .seed = 99};
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
        ct_kmeans_params p = {.k = 20, .max_iterations = it, .seed = 4};
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
    ct_kmeans_params zero_k = {.k = 0, .max_iterations = 40, .seed = 1}, zero_it = {.k = 3, .max_iterations = 0, .seed = 1};
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

/* A weight stands for repeated points: the same centroids (up to summation rounding) and
 * counts that add the weights. */
START_TEST(weights_act_as_repeats)
{
    float *pts = blobs(three, 3, 50, 3.0f, 11);
    uint32_t w[150];
    float *rep = malloc(150 * 4 * 3 * sizeof(float));
    uint32_t m = 0;
    for (uint32_t i = 0; i < 150; i++) {
        w[i] = 1 + i % 4;
        for (uint32_t j = 0; j < w[i]; j++, m++)
            memcpy(rep + m * 3, pts + i * 3, 3 * sizeof(float));
    }
    ct_kmeans_params pw = {.k = 3, .max_iterations = 40, .seed = 2, .weights = w};
    ct_kmeans_result a, b;
    ck_assert_int_eq(ct_kmeans(pts, 150, &pw, &a, NULL), 0);
    uint32_t total = 0;
    for (uint32_t c = 0; c < a.k; c++)
        total += a.counts[c];
    ck_assert_uint_eq(total, m);
    /* the replicated set, started from the weighted result: the first pass assigns, the
     * second finds nothing to move */
    ct_kmeans_params pr = {.k = a.k, .max_iterations = 40, .seed = 2, .init = a.centroids};
    ck_assert_int_eq(ct_kmeans(rep, m, &pr, &b, NULL), 0);
    ck_assert_uint_eq(b.iterations, 2);
    for (uint32_t j = 0; j < a.k * 3; j++)
        ck_assert_float_eq_tol(a.centroids[j], b.centroids[j], 1e-4f);
    ck_assert_mem_eq(a.counts, b.counts, a.k * sizeof(uint32_t));
    ct_kmeans_free(&a);
    ct_kmeans_free(&b);
    free(rep);
    free(pts);
}
END_TEST

/* Restart 0 is the single-seed run, so the best of several is never worse than it. */
START_TEST(restarts_never_worse_than_one)
{
    ct_rng r;
    ct_rng_seed(&r, 3);
    float *pts = malloc(3000 * 3 * sizeof(float));
    for (int i = 0; i < 9000; i++)
        pts[i] = (float)(ct_rng_unit(&r) * 100.0);
    ct_kmeans_params one = {.k = 12, .max_iterations = 40, .seed = 9};
    ct_kmeans_params four = one;
    four.restarts = 4;
    ct_kmeans_result a, b;
    ck_assert_int_eq(ct_kmeans(pts, 3000, &one, &a, NULL), 0);
    ck_assert_int_eq(ct_kmeans(pts, 3000, &four, &b, NULL), 0);
    ck_assert(b.inertia <= a.inertia);
    ck_assert_uint_lt(b.restart, 4);
    if (b.restart == 0)
        ck_assert_mem_eq(a.centroids, b.centroids, a.k * 3 * sizeof(float));
    ct_kmeans_free(&a);
    ct_kmeans_free(&b);
    free(pts);
}
END_TEST

/* n uniform points in [0, 100)^3 with weights 1..max_weight, on the heap. */
static void random_weighted(ct_rng *r, uint32_t n, uint32_t max_weight, float **pts, uint32_t **w)
{
    *pts = malloc((size_t)n * 3 * sizeof(float));
    *w = malloc(n * sizeof(uint32_t));
    ck_assert(*pts && *w);
    for (uint32_t i = 0; i < n * 3; i++)
        (*pts)[i] = (float)(ct_rng_unit(r) * 100.0);
    for (uint32_t i = 0; i < n; i++)
        (*w)[i] = 1 + (uint32_t)ct_rng_below(r, max_weight);
}

/* got and want are the same result, bit for bit. */
static void assert_same_result(const ct_kmeans_result *got, const ct_kmeans_result *want)
{
    ck_assert_uint_eq(got->k, want->k);
    ck_assert_uint_eq(got->iterations, want->iterations);
    ck_assert_mem_eq(got->centroids, want->centroids, want->k * 3 * sizeof(float));
    ck_assert_mem_eq(got->counts, want->counts, want->k * sizeof(uint32_t));
    ck_assert_mem_eq(&got->inertia, &want->inertia, sizeof want->inertia);
}

/* Groups built once (ct_kmeans_groups) and handed to several runs, as the polish does, give
 * what each run gets building its own; too few points get none. */
START_TEST(shared_groups_give_the_same_result)
{
    ct_rng r;
    ct_rng_seed(&r, 12);
    const uint32_t n = 9000;
    float *pts;
    uint32_t *w;
    random_weighted(&r, n, 40, &pts, &w);
    ct_arena arena;
    ct_arena_init(&arena);
    ct_km_groups g;
    ck_assert_int_eq(ct_kmeans_groups(pts, w, 100, &arena, &g, NULL), 0);
    ck_assert_int_eq(ct_kmeans_groups(pts, w, n, &arena, &g, NULL), 1);
    ck_assert_uint_eq(g.n, n);
    ck_assert_uint_eq(g.count, (n + CT_KM_GROUP - 1) / CT_KM_GROUP);
    const float init[4 * 3] = {10, 10, 10, 30, 60, 90, 90, 20, 40, 50, 50, 50};
    for (int seeded = 0; seeded < 2; seeded++) {
        ct_kmeans_params p = {.k = 4, .max_iterations = 30, .seed = 3, .weights = w, .init = seeded ? NULL : init,
                              .restarts = 2, .seed_candidates = 3};
        ct_kmeans_result own, shared;
        ck_assert_int_eq(ct_kmeans(pts, n, &p, &own, NULL), 0);
        p.groups = &g;
        ck_assert_int_eq(ct_kmeans(pts, n, &p, &shared, NULL), 0);
        assert_same_result(&shared, &own);
        ct_kmeans_free(&own);
        ct_kmeans_free(&shared);
    }
    ct_arena_destroy(&arena);
    free(pts);
    free(w);
}
END_TEST

/* The pool changes who computes each block or restart, never the result; an arena changes
 * where the memory comes from, never the result. 20 000 points split their passes (two
 * restarts) or run restarts side by side; 256 points (a grey cover's levels) are too few
 * to split a pass, but four restarts of them still go side by side. */
START_TEST(pool_and_arena_do_not_change_the_result)
{
    static const uint32_t sizes[] = {20000, 256};
    for (size_t z = 0; z < 2; z++) {
        ct_rng r;
        ct_rng_seed(&r, 4);
        const uint32_t n = sizes[z];
        float *pts;
        uint32_t *w;
        random_weighted(&r, n, 9, &pts, &w);
        ct_kmeans_params p = {.k = 30, .max_iterations = 25, .seed = 5, .restarts = z ? 4 : 2, .weights = w};
        ct_kmeans_result ref;
        ck_assert_int_eq(ct_kmeans(pts, n, &p, &ref, NULL), 0);
        static const uint32_t threads[] = {2, 3, 8};
        for (size_t t = 0; t < 3; t++) {
            ct_pool *pool = ct_pool_create(threads[t]);
            ct_arena arena;
            ct_arena_init(&arena);
            ct_kmeans_params q = p;
            q.pool = pool;
            q.arena = &arena;
            ct_kmeans_result got;
            ck_assert_int_eq(ct_kmeans(pts, n, &q, &got, NULL), 0);
            ck_assert_uint_gt(ct_pool_started(pool), 0); /* the pool did take part */
            ck_assert_int_eq(got.in_arena, 1);
            assert_same_result(&got, &ref);
            ct_kmeans_free(&got);
            ct_arena_destroy(&arena);
            ct_pool_destroy(pool);
        }
        ct_kmeans_free(&ref);
        free(pts);
        free(w);
    }
}
END_TEST

/* Three restarts side by side on two threads: whichever thread finishes first starts the
 * third, and the other, with no restart left, takes blocks of that one's passes. Whoever
 * ran a block, the result (runner-up included) is the one computed without a pool. How
 * much help is given depends on timing, so the run is repeated; where the pool's threads
 * may spin (as many CPUs as threads) help must have been given at least once. */
START_TEST(helping_a_restart_does_not_change_the_result)
{
    ct_rng r;
    ct_rng_seed(&r, 21);
    const uint32_t n = 12000;
    float *pts;
    uint32_t *w;
    random_weighted(&r, n, 9, &pts, &w);
    ct_kmeans_params p = {.k = 30, .max_iterations = 60, .seed = 8, .restarts = 3, .seed_candidates = 2,
                          .weights = w};
    ct_kmeans_result ref;
    ck_assert_int_eq(ct_kmeans(pts, n, &p, &ref, NULL), 0);
    ck_assert_uint_eq(ref.helped_blocks, 0);
    ct_pool *pool = ct_pool_create(2);
    uint32_t helped_runs = 0;
    for (int run = 0; run < 30; run++) {
        ct_kmeans_params q = p;
        q.pool = pool;
        ct_kmeans_result got;
        ck_assert_int_eq(ct_kmeans(pts, n, &q, &got, NULL), 0);
        assert_same_result(&got, &ref);
        ck_assert_uint_eq(got.runner_up_k, ref.runner_up_k);
        ck_assert_mem_eq(got.runner_up, ref.runner_up, ref.runner_up_k * 3 * sizeof(float));
        helped_runs += got.helped_blocks > 0;
        ct_kmeans_free(&got);
    }
    if (ct_pool_spins(pool))
        ck_assert_uint_gt(helped_runs, 0);
    ct_pool_destroy(pool);
    ct_kmeans_free(&ref);
    free(pts);
    free(w);
}
END_TEST

/* Ranked restarts: each restart, run alone (ct_kmeans_restart_seed), once to the rank
 * settle and once to the final one, predicts the ranked run: the two lowest at the rank
 * settle go on, and end bit for bit as their own full runs; the better of them wins and the
 * other is the runner-up. With and without a pool. */
START_TEST(ranked_restarts_go_on_as_if_never_stopped)
{
    ct_rng r;
    ct_rng_seed(&r, 33);
    const uint32_t n = 6000, restarts = 4;
    float *pts;
    uint32_t *w;
    random_weighted(&r, n, 9, &pts, &w);
    ct_kmeans_params p = {.k = 12, .max_iterations = 80, .seed = 3, .seed_candidates = 2, .weights = w, .settle = 1};
    ct_kmeans_result early[4], full[4];
    uint32_t stopped_early = 0;
    for (uint32_t i = 0; i < restarts; i++) {
        ct_kmeans_params one = p;
        one.restarts = 1;
        one.seed = ct_kmeans_restart_seed(p.seed, i);
        one.settle = n / 100;
        ck_assert_int_eq(ct_kmeans(pts, n, &one, &early[i], NULL), 0);
        one.settle = p.settle;
        ck_assert_int_eq(ct_kmeans(pts, n, &one, &full[i], NULL), 0);
        stopped_early += early[i].iterations < full[i].iterations;
    }
    ck_assert_uint_gt(stopped_early, 0); /* the rank settle does stop runs early */
    uint32_t order[4] = {0, 1, 2, 3};
    for (uint32_t i = 1; i < restarts; i++)
        for (uint32_t j = i; j > 0 && early[order[j]].inertia < early[order[j - 1]].inertia; j--) {
            uint32_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    uint32_t a = order[0], b = order[1];
    uint32_t win = full[b].inertia < full[a].inertia || (full[b].inertia == full[a].inertia && b < a) ? b : a;
    uint32_t other = win == a ? b : a;
    for (int pooled = 0; pooled < 2; pooled++) {
        ct_pool *pool = pooled ? ct_pool_create(2) : NULL;
        ct_kmeans_params q = p;
        q.restarts = restarts;
        q.rank_settle = n / 100;
        q.rank_keep = 2;
        q.pool = pool;
        ct_kmeans_result got;
        ck_assert_int_eq(ct_kmeans(pts, n, &q, &got, NULL), 0);
        ck_assert_uint_eq(got.restart, win);
        assert_same_result(&got, &full[win]);
        ck_assert_uint_eq(got.runner_up_k, full[other].k);
        ck_assert_mem_eq(got.runner_up, full[other].centroids, full[other].k * 3 * sizeof(float));
        ct_kmeans_free(&got);
        ct_pool_destroy(pool);
    }
    for (uint32_t i = 0; i < restarts; i++) {
        ct_kmeans_free(&early[i]);
        ct_kmeans_free(&full[i]);
    }
    free(pts);
    free(w);
}
END_TEST

/* Weighted cost of the centres: sum over points of w x squared distance to the nearest. */
static double seeding_cost(const float *pts, const uint32_t *w, uint32_t n, const float *c, uint32_t k)
{
    double total = 0.0;
    for (uint32_t i = 0; i < n; i++) {
        double best = INFINITY;
        for (uint32_t j = 0; j < k; j++) {
            double d = 0.0;
            for (int a = 0; a < 3; a++)
                d += ((double)pts[i * 3 + a] - c[j * 3 + a]) * ((double)pts[i * 3 + a] - c[j * 3 + a]);
            best = d < best ? d : best;
        }
        total += w[i] * best;
    }
    return total;
}

/* Greedy seeding keeps, at every step, the candidate that leaves the smallest cost, so over
 * many seeds it must do better than plain k-means++ (a greedy step that kept the worst
 * candidate would do far worse). Every centre is one of the points, chosen at most once. */
START_TEST(greedy_seeding_beats_plain)
{
    /* 12 blobs of very unequal weight: plain k-means++ often puts two centres in one */
    float centres[12][3];
    ct_rng r;
    ct_rng_seed(&r, 12);
    for (int c = 0; c < 12; c++)
        for (int j = 0; j < 3; j++)
            centres[c][j] = (float)(ct_rng_unit(&r) * 200.0 - 100.0);
    const uint32_t per = 300, n = 12 * per, k = 12;
    float *pts = blobs((const float (*)[3])centres, 12, per, 6.0f, 13);
    uint32_t *w = malloc(n * sizeof(uint32_t));
    for (uint32_t i = 0; i < n; i++)
        w[i] = 1 + (i / per) * (i / per) * 5;
    float *d2 = malloc(n * sizeof(float));
    double bs[8];
    ct_seed_ws ws = {d2, bs, {NULL, NULL}, {NULL, NULL}};
    double plain = 0.0, greedy = 0.0;
    for (uint64_t seed = 1; seed <= 16; seed++) {
        float c1[12 * 3], c6[12 * 3];
        ct_rng a, b;
        ct_rng_seed(&a, seed);
        ct_rng_seed(&b, seed);
        ck_assert_uint_eq(ct_seed_plus_plus(ct_isa(), pts, NULL, w, n, k, 1, &a, &ws, c1), k);
        ck_assert_uint_eq(ct_seed_plus_plus(ct_isa(), pts, NULL, w, n, k, 6, &b, &ws, c6), k);
        plain += seeding_cost(pts, w, n, c1, k);
        greedy += seeding_cost(pts, w, n, c6, k);
        for (uint32_t j = 0; j < k; j++) {
            int found = 0;
            for (uint32_t i = 0; i < n && !found; i++)
                found = memcmp(pts + i * 3, c6 + j * 3, 3 * sizeof(float)) == 0;
            ck_assert_msg(found, "centre %u is not an input point", j);
            for (uint32_t jj = 0; jj < j; jj++)
                ck_assert(memcmp(c6 + jj * 3, c6 + j * 3, 3 * sizeof(float)) != 0);
        }
    }
    ck_assert_msg(greedy < 0.8 * plain, "greedy %.6g vs plain %.6g", greedy, plain);
    free(pts);
    free(w);
    free(d2);
}
END_TEST

/* Only as many centres as there are distinct points. */
START_TEST(seeding_stops_when_points_run_out)
{
    const float pts[5][3] = {{1, 1, 1}, {1, 1, 1}, {5, 5, 5}, {5, 5, 5}, {1, 1, 1}};
    float d2[5], c[30 * 3];
    double bs[1];
    ct_seed_ws ws = {d2, bs, {NULL, NULL}, {NULL, NULL}};
    for (uint32_t cand = 1; cand <= 6; cand += 5) {
        ct_rng r;
        ct_rng_seed(&r, 3);
        ck_assert_uint_eq(ct_seed_plus_plus(ct_isa(), &pts[0][0], NULL, NULL, 5, 30, cand, &r, &ws, c), 2);
        ck_assert(c[0] != c[3]);
    }
}
END_TEST

/* With restarts, the result also carries the second-best restart's palette: its own
 * inertia (one assignment pass from it) is no lower than the winner's. */
START_TEST(runner_up_is_the_second_best)
{
    float *pts = blobs(three, 3, 400, 20.0f, 8);
    ct_kmeans_params p = {.k = 8, .max_iterations = 100, .seed = 2, .restarts = 4, .seed_candidates = 6};
    ct_kmeans_result best, one, again;
    ck_assert_int_eq(ct_kmeans(pts, 1200, &p, &best, NULL), 0);
    ck_assert_ptr_nonnull(best.runner_up);
    ck_assert_uint_eq(best.runner_up_k, 8);
    ck_assert_ptr_ne(best.runner_up, best.centroids);
    ct_kmeans_params from = {.k = 8, .max_iterations = 1, .init = best.runner_up};
    ck_assert_int_eq(ct_kmeans(pts, 1200, &from, &again, NULL), 0);
    ck_assert(again.inertia >= best.inertia);
    ck_assert_ptr_null(again.runner_up); /* one run from given centroids: no runner-up */
    p.restarts = 1;
    ck_assert_int_eq(ct_kmeans(pts, 1200, &p, &one, NULL), 0);
    ck_assert_ptr_null(one.runner_up);
    ct_kmeans_free(&best);
    ct_kmeans_free(&one);
    ct_kmeans_free(&again);
    free(pts);
}
END_TEST

Suite *suite_kmeans(void)
{
    Suite *s = suite_create("kmeans");
    TCase *tc = tcase_create("lloyd");
    tcase_add_test(tc, weights_act_as_repeats);
    tcase_add_test(tc, restarts_never_worse_than_one);
    tcase_add_test(tc, greedy_seeding_beats_plain);
    tcase_add_test(tc, seeding_stops_when_points_run_out);
    tcase_add_test(tc, runner_up_is_the_second_best);
    tcase_add_test(tc, pool_and_arena_do_not_change_the_result);
    tcase_add_test(tc, helping_a_restart_does_not_change_the_result);
    tcase_add_test(tc, ranked_restarts_go_on_as_if_never_stopped);
    tcase_add_test(tc, shared_groups_give_the_same_result);
    tcase_add_test(tc, recovers_three_blobs);
    tcase_add_test(tc, k_clamped_to_points);
    tcase_add_test(tc, identical_points_give_one_cluster);
    tcase_add_test(tc, deterministic_for_a_seed);
    tcase_add_test(tc, inertia_never_increases);
    tcase_add_test(tc, nearest_prefers_lowest_index_on_ties);
    tcase_add_test(tc, rejects_bad_input);
    tcase_add_test(tc, rng_is_reproducible);
    tcase_add_test(tc, last_changed_reports_how_the_run_ended);
    suite_add_tcase(s, tc);
    return s;
}
