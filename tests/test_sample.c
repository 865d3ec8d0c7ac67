/* Grid sampling: bounded count, centred grid, alpha skipped, distinct counting. */
#include <stdlib.h>
#include <string.h>

#include "../core/sample.h"
#include "suites.h"

static ct_image make_image(uint32_t w, uint32_t h)
{
    ct_image img = {w, h, 0, calloc((size_t)w * h, 4)};
    ck_assert_ptr_nonnull(img.rgba);
    for (uint32_t i = 0; i < w * h; i++) {
        img.rgba[i * 4 + 0] = (uint8_t)(i % w);
        img.rgba[i * 4 + 1] = (uint8_t)(i / w);
        img.rgba[i * 4 + 2] = 7;
        img.rgba[i * 4 + 3] = 255;
    }
    return img;
}

START_TEST(small_image_uses_every_pixel)
{
    ct_image img = make_image(3, 3);
    ct_samples s;
    ck_assert_int_eq(ct_sample_image(&img, 65536, &s, NULL), 0);
    ck_assert_uint_eq(s.n, 9);
    ck_assert_uint_eq(s.step, 1);
    ck_assert_uint_eq(ct_samples_distinct(&s), 9);
    ct_samples_free(&s);
    ct_image_free(&img);
}
END_TEST

START_TEST(count_stays_under_bound)
{
    static const uint32_t sizes[][2] = {{1000, 1000}, {999, 1001}, {4000, 10}, {1, 5000}, {257, 255}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        ct_image img = make_image(sizes[i][0], sizes[i][1]);
        ct_samples s;
        ck_assert_int_eq(ct_sample_image(&img, 4096, &s, NULL), 0);
        ck_assert_uint_le(s.n, 4096);
        /* the step is the smallest that fits: one less would not */
        if (s.step > 1) {
            uint64_t prev = (uint64_t)((img.width + s.step - 2) / (s.step - 1)) * ((img.height + s.step - 2) / (s.step - 1));
            ck_assert_uint_gt(prev, 4096);
        }
        ct_samples_free(&s);
        ct_image_free(&img);
    }
}
END_TEST

START_TEST(grid_is_centred)
{
    ct_image img = make_image(9, 9);
    ct_samples s;
    ck_assert_int_eq(ct_sample_image(&img, 9, &s, NULL), 0);
    ck_assert_uint_eq(s.step, 3);
    ck_assert_uint_eq(s.n, 9);
    /* first sample at (1,1): red channel = x, green = y */
    ck_assert_uint_eq(s.rgb[0], 1);
    ck_assert_uint_eq(s.rgb[1], 1);
    ck_assert_uint_eq(s.rgb[3 * 8 + 0], 7);
    ck_assert_uint_eq(s.rgb[3 * 8 + 1], 7);
    ct_samples_free(&s);
    ct_image_free(&img);
}
END_TEST

START_TEST(transparent_pixels_skipped)
{
    ct_image img = make_image(4, 4);
    for (uint32_t i = 0; i < 16; i++)
        img.rgba[i * 4 + 3] = (i % 2) ? 0 : 200;
    ct_samples s;
    ck_assert_int_eq(ct_sample_image(&img, 1000, &s, NULL), 0);
    ck_assert_uint_eq(s.n, 8);
    ct_samples_free(&s);
    for (uint32_t i = 0; i < 16; i++)
        img.rgba[i * 4 + 3] = 127;
    ck_assert_int_eq(ct_sample_image(&img, 1000, &s, NULL), 0);
    ck_assert_uint_eq(s.n, 0);
    ck_assert_ptr_null(s.rgb);
    ck_assert_uint_eq(ct_samples_distinct(&s), 0);
    ct_samples_free(&s);
    ct_image_free(&img);
}
END_TEST

START_TEST(distinct_counts_repeats_once)
{
    uint8_t rgb[] = {1, 2, 3, 1, 2, 3, 3, 2, 1, 255, 255, 255, 1, 2, 3};
    ct_samples s = {5, 1, rgb};
    ck_assert_uint_eq(ct_samples_distinct(&s), 3);
}
END_TEST

START_TEST(bad_arguments)
{
    ct_samples s;
    ct_err e;
    ct_image empty = {0, 0, 0, NULL};
    ck_assert_int_eq(ct_sample_image(&empty, 10, &s, &e), COVERTHEME_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(s.rgb);
}
END_TEST

Suite *suite_sample(void)
{
    Suite *s = suite_create("sample");
    TCase *tc = tcase_create("grid");
    tcase_add_test(tc, small_image_uses_every_pixel);
    tcase_add_test(tc, count_stays_under_bound);
    tcase_add_test(tc, grid_is_centred);
    tcase_add_test(tc, transparent_pixels_skipped);
    tcase_add_test(tc, distinct_counts_repeats_once);
    tcase_add_test(tc, bad_arguments);
    suite_add_tcase(s, tc);
    return s;
}
