/* The weighted colour histogram: exact below the limit, bin means above, weights that add
 * up to the samples, first-occurrence order, and the distinct-colour count. */
#include <stdlib.h>
#include <string.h>

#include "../abi/covertheme.h"
#include "../core/color.h"
#include "../core/hist.h"
#include "../core/pool.h"
#include "../core/rng.h"
#include "suites.h"

static ct_samples samples_of(const uint8_t *rgb, uint32_t n)
{
    ct_samples s = {n, 1, (uint8_t *)rgb, NULL};
    return s;
}

static uint64_t weight_sum(const ct_hist_level *l)
{
    uint64_t t = 0;
    for (uint32_t i = 0; i < l->n; i++)
        t += l->weights[i];
    return t;
}

START_TEST(exact_colours_in_first_occurrence_order)
{
    const uint8_t rgb[] = {9, 9, 9, 1, 2, 3, 9, 9, 9, 200, 0, 0, 1, 2, 3, 9, 9, 9};
    ct_samples s = samples_of(rgb, 6);
    ct_arena a;
    ct_arena_init(&a);
    ct_hist h;
    ck_assert_int_eq(ct_hist_build(&s, COVERTHEME_SPACE_RGB, 4096, &a, NULL, &h, NULL), 0);
    ck_assert_uint_eq(h.distinct, 3);
    ck_assert_int_eq(h.binned, 0);
    ck_assert_uint_eq(h.fine.n, 3);
    ck_assert_ptr_eq(h.coarse.points, h.fine.points);
    const float want[3][3] = {{9, 9, 9}, {1, 2, 3}, {200, 0, 0}};
    const uint32_t want_w[3] = {3, 2, 1};
    for (int i = 0; i < 3; i++) {
        ck_assert_mem_eq(h.fine.points + i * 3, want[i], sizeof want[i]);
        ck_assert_uint_eq(h.fine.weights[i], want_w[i]);
    }
    ct_arena_destroy(&a);
}
END_TEST

static uint8_t *random_colours(uint32_t n, uint64_t seed)
{
    uint8_t *rgb = malloc((size_t)n * 3);
    ck_assert_ptr_nonnull(rgb);
    ct_rng r;
    ct_rng_seed(&r, seed);
    for (uint32_t i = 0; i < n * 3; i++)
        rgb[i] = (uint8_t)ct_rng_below(&r, 256);
    return rgb;
}

/* Bins hold their samples' rounded mean colour: the first sample's bin comes first and its
 * point lies inside that bin (cube of side 2^(8 - bits)). */
static void first_bin_holds_first_sample(const ct_hist_level *l, const uint8_t *rgb, int bits)
{
    uint8_t low = (uint8_t)(0xFF << (8 - bits)), high = (uint8_t)~low;
    for (int j = 0; j < 3; j++) {
        float v = l->points[j];
        ck_assert(v >= (float)(rgb[j] & low) && v <= (float)(rgb[j] | high));
    }
}

/* Both levels of a binned histogram against their definition, computed here the slow way
 * from the samples alone: one bin per key of `bits` bits per channel, numbered by its first
 * sample, holding the rounded mean of its samples and their number. */
static void check_bins_by_definition(const ct_hist_level *l, const uint8_t *rgb, uint32_t n, int bits, int space)
{
    uint32_t *bin_of = calloc((size_t)1 << (3 * bits), sizeof *bin_of); /* bin + 1, 0: none yet */
    uint64_t(*sum)[4] = calloc(n, sizeof *sum);
    ck_assert(bin_of && sum);
    uint32_t bins = 0, shift = 8 - (uint32_t)bits;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *p = rgb + (size_t)i * 3;
        uint32_t key = (uint32_t)(p[0] >> shift) << (2 * bits) | (uint32_t)(p[1] >> shift) << bits | (p[2] >> shift);
        if (!bin_of[key])
            bin_of[key] = ++bins;
        uint64_t *t = sum[bin_of[key] - 1];
        for (int j = 0; j < 3; j++)
            t[j] += p[j];
        t[3]++;
    }
    ck_assert_uint_eq(l->n, bins);
    for (uint32_t b = 0; b < bins; b++) {
        uint8_t mean[3];
        for (int j = 0; j < 3; j++)
            mean[j] = (uint8_t)((sum[b][j] + sum[b][3] / 2) / sum[b][3]);
        float want[3];
        ct_space_from_srgb8_fast(space, mean, want);
        ck_assert_msg(memcmp(l->points + (size_t)b * 3, want, sizeof want) == 0, "%d-bit bin %u: point differs", bits,
                      b);
        ck_assert_uint_eq(l->weights[b], sum[b][3]);
    }
    free(bin_of);
    free(sum);
}

/* Above the exact limit the coarse level holds 6-bit bin means and the fine level every
 * distinct colour; both weigh the samples exactly. */
START_TEST(binned_above_the_limit)
{
    enum { N = 10000 };
    uint8_t *rgb = random_colours(N, 5);
    ct_samples s = samples_of(rgb, N);
    ct_arena a;
    ct_arena_init(&a);
    ct_hist h;
    ck_assert_int_eq(ct_hist_build(&s, COVERTHEME_SPACE_RGB, 100, &a, NULL, &h, NULL), 0);
    ck_assert_int_eq(h.binned, 1);
    ck_assert_uint_le(h.distinct, CT_HIST_FINE_EXACT_LIMIT);
    ck_assert_uint_eq(h.fine.n, h.distinct);
    ck_assert_uint_lt(h.coarse.n, h.fine.n);
    ck_assert_uint_eq(weight_sum(&h.coarse), N);
    ck_assert_uint_eq(weight_sum(&h.fine), N);
    first_bin_holds_first_sample(&h.coarse, rgb, CT_HIST_COARSE_BITS);
    check_bins_by_definition(&h.coarse, rgb, N, CT_HIST_COARSE_BITS, COVERTHEME_SPACE_RGB);
    ct_arena_destroy(&a);
    free(rgb);
}
END_TEST

/* With more distinct colours than CT_HIST_FINE_EXACT_LIMIT the fine level is 7-bit bin
 * means: fewer points than samples, more than the coarse level, same total weight, each
 * level what its definition gives (the count starts both bins from the distinct colours
 * when a limit is crossed and fills them sample by sample after); and the distinct count
 * stops at the limit. */
START_TEST(fine_level_binned_above_its_limit)
{
    enum { N = 40000 };
    uint8_t *rgb = random_colours(N, 6);
    /* Repeats, so bins and colours weigh more than one sample: every 4th sample repeats one
     * from before the limit was crossed, every 7th the sample before it. */
    for (uint32_t i = 1; i < N; i++)
        if (i % 4 == 0 || i % 7 == 0)
            memcpy(rgb + (size_t)i * 3, rgb + (size_t)(i % 4 == 0 ? i / 4 : i - 1) * 3, 3);
    ct_samples s = samples_of(rgb, N);
    ct_arena a;
    ct_arena_init(&a);
    ct_hist h;
    ck_assert_int_eq(ct_hist_build(&s, COVERTHEME_SPACE_RGB, 4096, &a, NULL, &h, NULL), 0);
    ck_assert_int_eq(h.binned, 1);
    ck_assert_uint_eq(h.distinct, CT_HIST_FINE_EXACT_LIMIT + 1);
    ck_assert_uint_lt(h.fine.n, N);
    check_bins_by_definition(&h.fine, rgb, N, CT_HIST_FINE_BITS, COVERTHEME_SPACE_RGB);
    check_bins_by_definition(&h.coarse, rgb, N, CT_HIST_COARSE_BITS, COVERTHEME_SPACE_RGB);
    ck_assert_uint_gt(h.fine.n, h.coarse.n);
    ck_assert_uint_eq(weight_sum(&h.coarse), N);
    ck_assert_uint_eq(weight_sum(&h.fine), N);
    first_bin_holds_first_sample(&h.fine, rgb, CT_HIST_FINE_BITS);
    first_bin_holds_first_sample(&h.coarse, rgb, CT_HIST_COARSE_BITS);
    ct_arena_destroy(&a);
    free(rgb);
}
END_TEST

void ts_same_level(const ct_hist_level *x, const ct_hist_level *y, const char *what)
{
    ck_assert_msg(x->n == y->n, "%s: %u vs %u points", what, x->n, y->n);
    ck_assert_msg(memcmp(x->points, y->points, (size_t)x->n * 3 * sizeof(float)) == 0, "%s: points differ", what);
    ck_assert_msg(memcmp(x->weights, y->weights, (size_t)x->n * sizeof(uint32_t)) == 0, "%s: weights differ", what);
}

/* The two levels are built side by side on a pool: the same bits as one after the other,
 * with the fine level binned (above CT_HIST_FINE_EXACT_LIMIT colours) and exact. */
START_TEST(pool_gives_the_same_levels)
{
    const uint32_t sizes[] = {40000, 9000};
    ct_pool *pool = ct_pool_create(3);
    ck_assert_ptr_nonnull(pool);
    for (int t = 0; t < 2; t++) {
        uint8_t *rgb = random_colours(sizes[t], 17 + t);
        ct_samples s = samples_of(rgb, sizes[t]);
        ct_arena a, b;
        ct_arena_init(&a);
        ct_arena_init(&b);
        ct_hist serial, pooled;
        ck_assert_int_eq(ct_hist_build(&s, COVERTHEME_SPACE_CIELAB, 4096, &a, NULL, &serial, NULL), 0);
        ck_assert_int_eq(ct_hist_build(&s, COVERTHEME_SPACE_CIELAB, 4096, &b, pool, &pooled, NULL), 0);
        ck_assert(serial.binned && pooled.binned);
        ck_assert_uint_eq(serial.distinct, pooled.distinct);
        ts_same_level(&serial.coarse, &pooled.coarse, "coarse");
        ts_same_level(&serial.fine, &pooled.fine, "fine");
        ck_assert_msg((serial.distinct > CT_HIST_FINE_EXACT_LIMIT) == (t == 0), "%u distinct", serial.distinct);
        ck_assert_msg((serial.fine.n != serial.distinct) == (t == 0), "fine level binned: %u of %u", serial.fine.n,
                      serial.distinct);
        ct_arena_destroy(&a);
        ct_arena_destroy(&b);
        free(rgb);
    }
    ck_assert_uint_eq(ct_pool_started(pool), 2); /* the levels really were shared out */
    ct_pool_destroy(pool);
}
END_TEST

/* The histogram of a grey image at the exact level: one point per grey level, in CIELAB by
 * the table path (within 2e-4 of the exact conversion). */
START_TEST(grey_levels_stay_exact)
{
    uint8_t rgb[256 * 3 * 2];
    for (int i = 0; i < 512; i++)
        memset(rgb + i * 3, (uint8_t)(i % 256), 3);
    ct_samples s = samples_of(rgb, 512);
    ct_arena a;
    ct_arena_init(&a);
    ct_hist h;
    ck_assert_int_eq(ct_hist_build(&s, COVERTHEME_SPACE_CIELAB, 4096, &a, NULL, &h, NULL), 0);
    ck_assert_uint_eq(h.distinct, 256);
    ck_assert_uint_eq(h.fine.n, 256);
    for (int v = 0; v < 256; v++) {
        ck_assert_uint_eq(h.fine.weights[v], 2);
        float exact[3];
        const uint8_t c[3] = {(uint8_t)v, (uint8_t)v, (uint8_t)v};
        ct_space_from_srgb8(COVERTHEME_SPACE_CIELAB, c, exact);
        ck_assert_float_eq_tol(h.fine.points[v * 3], exact[0], 2e-4f);
    }
    ct_arena_destroy(&a);
}
END_TEST

START_TEST(rejects_empty_input)
{
    ct_arena a;
    ct_arena_init(&a);
    ct_hist h;
    ct_samples none = {0, 1, NULL, NULL};
    ck_assert_int_eq(ct_hist_build(&none, 0, 10, &a, NULL, &h, NULL), COVERTHEME_ERR_INVALID_ARGUMENT);
    ct_arena_destroy(&a);
}
END_TEST

Suite *suite_hist(void)
{
    Suite *s = suite_create("hist");
    TCase *tc = tcase_create("hist");
    tcase_add_test(tc, exact_colours_in_first_occurrence_order);
    tcase_add_test(tc, binned_above_the_limit);
    tcase_add_test(tc, fine_level_binned_above_its_limit);
    tcase_add_test(tc, grey_levels_stay_exact);
    tcase_add_test(tc, rejects_empty_input);
    tcase_add_test(tc, pool_gives_the_same_levels);
    suite_add_tcase(s, tc);
    return s;
}
