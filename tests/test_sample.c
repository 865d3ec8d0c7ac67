/* Grid sampling: bounded count, centred grid, alpha skipped, the row
 * sampler under it: rows in any order or in parts, skipping, arena ownership. */
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
    ct_samples_free(&s);
    ct_image_free(&img);
}
END_TEST

/* The in-place compaction keeps exactly the opaque pixels, in grid order, for every
 * pattern of transparent ones on 1- to 10-pixel rows: the first, last and adjacent points
 * are where a store that overlaps the points still to be read would show. */
START_TEST(compaction_keeps_opaque_pixels_in_order)
{
    for (uint32_t w = 1; w <= 10; w++) {
        ct_image img = make_image(w, 1);
        for (uint32_t mask = 0; mask < (1u << w); mask++) {
            uint8_t want[30];
            uint32_t n = 0;
            for (uint32_t x = 0; x < w; x++) {
                img.rgba[x * 4 + 0] = (uint8_t)(11 * x + mask);
                img.rgba[x * 4 + 1] = (uint8_t)(200 - x);
                img.rgba[x * 4 + 2] = (uint8_t)(mask >> 2);
                img.rgba[x * 4 + 3] = (mask >> x & 1) ? 128 : 127;
                if (mask >> x & 1)
                    memcpy(want + 3 * n++, img.rgba + x * 4, 3);
            }
            ct_samples s;
            ck_assert_int_eq(ct_sample_image(&img, 100, &s, NULL), 0);
            ck_assert_uint_eq(s.n, n);
            if (n)
                ck_assert_int_eq(memcmp(s.rgb, want, 3 * n), 0);
            else
                ck_assert_ptr_null(s.rgb);
            ct_samples_free(&s);
        }
        ct_image_free(&img);
    }
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

/* An image whose every pixel differs, with some alpha below 128. */
static ct_image make_varied_image(uint32_t w, uint32_t h)
{
    ct_image img = make_image(w, h);
    for (uint32_t i = 0; i < w * h; i++) {
        img.rgba[i * 4 + 2] = (uint8_t)(i * 7);
        img.rgba[i * 4 + 3] = (uint8_t)(i * 37);
    }
    return img;
}

static void assert_same_samples(const ct_samples *a, const ct_samples *b)
{
    ck_assert_uint_eq(a->n, b->n);
    ck_assert_uint_eq(a->step, b->step);
    if (a->n)
        ck_assert_int_eq(memcmp(a->rgb, b->rgb, (size_t)a->n * 3), 0);
}

/* Rows fed bottom-up, every row offered (the sampler ignores those off the grid), give
 * exactly ct_sample_image's samples. */
START_TEST(sampler_takes_rows_in_any_order)
{
    static const uint32_t budgets[] = {1, 5, 40, 100, 391, 10000};
    ct_image img = make_varied_image(23, 17);
    for (size_t b = 0; b < sizeof budgets / sizeof budgets[0]; b++) {
        ct_samples want, got;
        ck_assert_int_eq(ct_sample_image(&img, budgets[b], &want, NULL), 0);
        ct_sampler s;
        ck_assert_int_eq(ct_sampler_begin(&s, 23, 17, budgets[b], NULL, NULL, NULL), 0);
        for (uint32_t y = 17; y-- > 0;)
            ct_sampler_add_row(&s, y, img.rgba + (size_t)y * 23 * 4);
        ct_sampler_finish(&s, &got);
        assert_same_samples(&want, &got);
        ct_samples_free(&got);
        ct_samples_free(&want);
    }
    ct_image_free(&img);
}
END_TEST

/* Rows given in interleaved parts (as Adam7 passes arrive), each part from a buffer that
 * holds only that part's pixels, give the same samples. */
START_TEST(sampler_assembles_row_parts)
{
    const uint32_t w = 19, h = 11, every = 3;
    ct_image img = make_varied_image(w, h);
    uint8_t *part = malloc((size_t)w * 4);
    ck_assert_ptr_nonnull(part);
    ct_samples want, got;
    ck_assert_int_eq(ct_sample_image(&img, 60, &want, NULL), 0);
    ct_sampler s;
    ck_assert_int_eq(ct_sampler_begin(&s, w, h, 60, NULL, NULL, NULL), 0);
    for (uint32_t first = every; first-- > 0;)
        for (uint32_t y = 0; y < h; y++) {
            memset(part, 0xEE, (size_t)w * 4); /* pixels of other parts are junk */
            for (uint32_t x = first; x < w; x += every)
                memcpy(part + x * 4, img.rgba + ((size_t)y * w + x) * 4, 4);
            ct_sampler_add_row_part(&s, y, part, first, every);
        }
    ct_sampler_finish(&s, &got);
    assert_same_samples(&want, &got);
    ct_samples_free(&got);
    ct_samples_free(&want);
    free(part);
    ct_image_free(&img);
}
END_TEST

/* 10 rows at step 3: the grid rows are 1, 4, 7. */
START_TEST(sampler_reports_grid_rows)
{
    ct_sampler s;
    ck_assert_int_eq(ct_sampler_begin(&s, 9, 10, 12, NULL, NULL, NULL), 0);
    ck_assert_uint_eq(s.step, 3);
    static const uint32_t next[] = {1, 1, 4, 4, 4, 7, 7, 7, 10, 10, 10};
    for (uint32_t y = 0; y <= 10; y++) {
        ck_assert_uint_eq(ct_sampler_next_row(&s, y), next[y]);
        ck_assert_int_eq(ct_sampler_wants_row(&s, y), y < 10 && next[y] == y);
    }
    ct_sampler_discard(&s);
    ck_assert_ptr_null(s.grid);
    ct_sampler_discard(&s); /* twice is harmless */
}
END_TEST

/* Samples from an arena belong to it: ct_samples_free clears them without free() (ASan
 * would report freeing arena memory), and a transparent image gives no buffer at all. */
START_TEST(sampler_arena_ownership)
{
    ct_arena arena;
    ct_arena_init(&arena);
    ct_image img = make_image(8, 8);
    ct_sampler s;
    ck_assert_int_eq(ct_sampler_begin(&s, 8, 8, 64, &arena, NULL, NULL), 0);
    ct_sampler_add_image(&s, img.rgba);
    ct_samples got;
    ct_sampler_finish(&s, &got);
    ck_assert_uint_eq(got.n, 64);
    ck_assert_ptr_eq(got.arena, &arena);
    ct_samples_free(&got);
    ck_assert_ptr_null(got.rgb);
    ck_assert_ptr_null(got.arena);

    for (uint32_t i = 0; i < 64; i++)
        img.rgba[i * 4 + 3] = 127;
    ck_assert_int_eq(ct_sampler_begin(&s, 8, 8, 64, &arena, NULL, NULL), 0);
    ct_sampler_add_image(&s, img.rgba);
    ct_sampler_finish(&s, &got);
    ck_assert_uint_eq(got.n, 0);
    ck_assert_ptr_null(got.rgb);
    ct_samples_free(&got);
    ct_image_free(&img);
    ct_arena_destroy(&arena);
}
END_TEST

START_TEST(sampler_bad_arguments)
{
    ct_sampler s;
    ct_err e;
    ck_assert_int_eq(ct_sampler_begin(&s, 0, 5, 10, NULL, NULL, &e), COVERTHEME_ERR_INVALID_ARGUMENT);
    ck_assert_str_eq(e.msg, "sampling: empty image");
    ck_assert_ptr_null(s.grid);
    ck_assert_int_eq(ct_sampler_begin(&s, 5, 0, 10, NULL, NULL, &e), COVERTHEME_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(ct_sampler_begin(&s, 5, 5, 0, NULL, NULL, &e), COVERTHEME_ERR_INVALID_ARGUMENT);
    ct_sampler_discard(&s);
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
    tcase_add_test(tc, compaction_keeps_opaque_pixels_in_order);
    tcase_add_test(tc, bad_arguments);
    tcase_add_test(tc, sampler_takes_rows_in_any_order);
    tcase_add_test(tc, sampler_assembles_row_parts);
    tcase_add_test(tc, sampler_reports_grid_rows);
    tcase_add_test(tc, sampler_arena_ownership);
    tcase_add_test(tc, sampler_bad_arguments);
    suite_add_tcase(s, tc);
    return s;
}
