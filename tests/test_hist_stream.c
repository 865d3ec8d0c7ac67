/* The histogram counted during the decode (hist_stream.h) against its definition: decode
 * first (ct_decode_sampled), then ct_hist_build on the samples. Same return code and
 * message, same samples, same levels bit for bit, on no pool (the two shares one after the
 * other) and on pools of two and three threads (side by side). test_stream.c runs the same
 * check (ts_check_streamed) on every image, truncated and damaged file it makes. */
#include <stdlib.h>
#include <string.h>

#include "../abi/covertheme.h"
#include "../core/hist.h"
#include "../core/hist_stream.h"
#include "../core/pool.h"
#include "../core/rng.h"
#include "covers.h"
#include "imggen.h"
#include "suites.h"

void ts_check_streamed(const uint8_t *data, size_t len, const ct_decode_limits *lim, uint32_t budget,
                       uint32_t exact_limit, ct_pool *pool)
{
    ct_arena ref_arena, arena;
    ct_arena_init(&ref_arena);
    ct_arena_init(&arena);
    ct_decoded_info want_info, info;
    ct_samples want, got;
    ct_err want_err = {""}, err = {""};
    int want_rc = ct_decode_sampled(data, len, lim, &ref_arena, budget, &want_info, &want, &want_err);

    ct_hist_stream hs;
    ct_hist_stream_init(&hs, COVERTHEME_SPACE_CIELAB, exact_limit);
    memset(&got, 0xAB, sizeof got);
    memset(&info, 0xAB, sizeof info);
    int rc = ct_hist_stream_decode(&hs, data, len, lim, &arena, budget, pool, &info, &got, &err);
    ck_assert_msg(rc == want_rc, "budget %u: %d (%s), want %d (%s)", budget, rc, err.msg, want_rc, want_err.msg);
    ck_assert_str_eq(err.msg, want_err.msg);
    ck_assert_mem_eq(&info, &want_info, sizeof info);
    ck_assert_uint_eq(got.n, want.n);
    ck_assert_uint_eq(got.step, want.step);
    if (want.n > 0)
        ck_assert_mem_eq(got.rgb, want.rgb, (size_t)want.n * 3);
    else
        ck_assert_ptr_null(got.rgb);

    ct_hist h;
    if (rc == COVERTHEME_OK && want.n > 0) {
        ct_hist ref;
        ck_assert_int_eq(ct_hist_build(&want, COVERTHEME_SPACE_CIELAB, exact_limit, &ref_arena, NULL, &ref, NULL), 0);
        ck_assert_int_eq(ct_hist_stream_finish(&hs, &arena, pool, &h, NULL), 0);
        ck_assert_uint_eq(h.distinct, ref.distinct);
        ck_assert_int_eq(h.binned, ref.binned);
        ts_same_level(&ref.coarse, &h.coarse, "coarse");
        ts_same_level(&ref.fine, &h.fine, "fine");
        ck_assert_int_eq(h.coarse.points == h.fine.points, ref.coarse.points == ref.fine.points);
        /* The samples outlive the stream's scratch. */
        ck_assert_mem_eq(got.rgb, want.rgb, (size_t)want.n * 3);
    } else {
        /* A failed or empty decode counted nothing to finish. */
        ck_assert_int_eq(ct_hist_stream_finish(&hs, &arena, pool, &h, NULL), COVERTHEME_ERR_INVALID_ARGUMENT);
    }
    ct_hist_stream_destroy(&hs);
    ct_arena_destroy(&arena);
    ct_arena_destroy(&ref_arena);
}

/* Pools the checks below run on: none, two and three threads. */
static void on_every_pool(const uint8_t *data, size_t len, uint32_t budget, uint32_t exact_limit)
{
    ct_pool *two = ct_pool_create(2), *three = ct_pool_create(3);
    ck_assert(two && three);
    ct_pool *pools[] = {NULL, two, three};
    for (int p = 0; p < 3; p++)
        ts_check_streamed(data, len, NULL, budget, exact_limit, pools[p]);
    ct_pool_destroy(two);
    ct_pool_destroy(three);
}

/* Every synthetic cover as PNG (plain and interlaced, whose rows are final only at the end),
 * JPEG and lossless WebP; exact below 4096 colours and binned above 16. */
START_TEST(covers_count_the_same)
{
    uint32_t w, h;
    uint8_t *rgba;
    ck_assert_int_eq(tg_cover_make(_i, &w, &h, &rgba), 0);
    uint8_t *files[4] = {0};
    size_t lens[4];
    tg_png_opts plain = {TG_PNG_RGBA, 8, 0, 0}, interlaced = {TG_PNG_RGBA, 8, 1, 0};
    ck_assert_int_eq(tg_png_encode(rgba, w, h, &plain, &files[0], &lens[0]), 0);
    ck_assert_int_eq(tg_png_encode(rgba, w, h, &interlaced, &files[1], &lens[1]), 0);
    ck_assert_int_eq(tg_jpeg_encode(rgba, w, h, 90, 0, TG_JPEG_YCC, &files[2], &lens[2]), 0);
    ck_assert_int_eq(tg_webp_encode(rgba, w, h, 1, 80.0f, &files[3], &lens[3]), 0);
    for (int f = 0; f < 4; f++) {
        on_every_pool(files[f], lens[f], 65536, 4096);
        on_every_pool(files[f], lens[f], 1000, 16);
        free(files[f]);
    }
    free(rgba);
}
END_TEST

/* More than CT_HIST_FINE_EXACT_LIMIT colours: the fine bins start mid-stream too. */
START_TEST(fine_bins_count_the_same)
{
    const uint32_t w = 230, h = 200;
    uint8_t *rgba = malloc((size_t)w * h * 4);
    ck_assert_ptr_nonnull(rgba);
    ct_rng r;
    ct_rng_seed(&r, 5);
    for (size_t i = 0; i < (size_t)w * h * 4; i++)
        rgba[i] = (i % 4 == 3) ? 255 : (uint8_t)ct_rng_below(&r, 256);
    uint8_t *png;
    size_t len;
    tg_png_opts plain = {TG_PNG_RGB, 8, 0, 0};
    ck_assert_int_eq(tg_png_encode(rgba, w, h, &plain, &png, &len), 0);
    on_every_pool(png, len, 65536, 4096);
    free(png);
    free(rgba);
}
END_TEST

/* The stream keeps its tables in the decode's arena: without one the grid cannot begin,
 * which is reported as out of memory, and nobody is left waiting. */
START_TEST(needs_an_arena)
{
    uint32_t w, h;
    uint8_t *rgba, *png;
    size_t len;
    ck_assert_int_eq(tg_cover_make(tg_cover_find("two_hue"), &w, &h, &rgba), 0);
    tg_png_opts plain = {TG_PNG_RGBA, 8, 0, 0};
    ck_assert_int_eq(tg_png_encode(rgba, w, h, &plain, &png, &len), 0);
    ct_pool *pool = ct_pool_create(2);
    ct_pool *pools[] = {NULL, pool};
    for (int p = 0; p < 2; p++) {
        ct_hist_stream hs;
        ct_hist_stream_init(&hs, COVERTHEME_SPACE_CIELAB, 4096);
        ct_decoded_info info;
        ct_samples s;
        ct_err err = {""};
        int rc = ct_hist_stream_decode(&hs, png, len, NULL, NULL, 65536, pools[p], &info, &s, &err);
        ck_assert_int_eq(rc, COVERTHEME_ERR_NO_MEMORY);
        ck_assert_uint_eq(s.n, 0);
        ct_hist_stream_destroy(&hs);
    }
    ct_pool_destroy(pool);
    free(png);
    free(rgba);
}
END_TEST

Suite *suite_hist_stream(void)
{
    Suite *s = suite_create("hist_stream");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, covers_count_the_same, 0, tg_cover_count());
    tcase_add_test(tc, fine_bins_count_the_same);
    tcase_add_test(tc, needs_an_arena);
    suite_add_tcase(s, tc);
    return s;
}
