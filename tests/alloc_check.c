/* Allocation accounting of generate calls, counted by bench/mcount.c (LD_PRELOAD).
 *
 * What a player relies on: after the first call, a warm call on an image no larger than one
 * seen before makes no heap allocation at all in covertheme and libspng (the context's arena,
 * input buffer and theme-block bin serve it), with the pool on or off; libjpeg and libwebp
 * allocate inside their decoders, which we count and report but do not control. Nothing
 * accumulates per call, and destroying the context returns everything except the few theme
 * blocks the process-wide bin keeps for reuse (freed at exit).
 * Run: LD_PRELOAD=build/libmcount.so build/test_alloc */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../abi/covertheme.h"
#include "covers.h"
#include "imggen.h"

extern uint64_t mcount_allocs(void) __attribute__((weak));
extern uint64_t mcount_frees(void) __attribute__((weak));

/* Allocations libjpeg / libwebp make inside one decode of the test cover (measured: see the
 * report line this test prints); a bound, so growth there is noticed. */
#define MAX_DECODER_ALLOCS 32

/* Theme blocks the bin may keep after every context is gone (plugin/theme_alloc.c). */
#define THEME_BIN_SLOTS 4

static uint8_t *encode(int format, const uint8_t *rgba, uint32_t w, uint32_t h, size_t *len)
{
    uint8_t *out = NULL;
    tg_png_opts png = {TG_PNG_RGBA, 8, 0, 0};
    int rc = format == COVERTHEME_IMAGE_PNG    ? tg_png_encode(rgba, w, h, &png, &out, len)
             : format == COVERTHEME_IMAGE_JPEG ? tg_jpeg_encode(rgba, w, h, 90, 0, TG_JPEG_YCC, &out, len)
                                               : tg_webp_encode(rgba, w, h, 0, 90.0f, &out, len);
    ck_assert_int_eq(rc, 0);
    return out;
}

/* The "two_hue" cover, or its top-left w x h corner when crop is set. */
static uint8_t *cover_bytes(int format, uint32_t crop, size_t *len)
{
    uint32_t w, h;
    uint8_t *rgba = NULL;
    ck_assert_int_eq(tg_cover_make(tg_cover_find("two_hue"), &w, &h, &rgba), 0);
    if (crop && crop < w && crop < h) {
        for (uint32_t y = 0; y < crop; y++)
            memmove(rgba + (size_t)y * crop * 4, rgba + (size_t)y * w * 4, (size_t)crop * 4);
        w = h = crop;
    }
    uint8_t *out = encode(format, rgba, w, h, len);
    free(rgba);
    return out;
}

static covertheme_ctx *make_ctx(int threads)
{
    covertheme_ctx *ctx = covertheme_create();
    ck_assert_ptr_nonnull(ctx);
    /* Measure the pipeline, not cache hits (a repeated cover is served from the cache). */
    ck_assert_int_eq(covertheme_set_option(ctx, COVERTHEME_OPT_CACHE_ENTRIES, 0), COVERTHEME_OK);
    ck_assert_int_eq(covertheme_set_option(ctx, COVERTHEME_OPT_THREADS, threads), COVERTHEME_OK);
    return ctx;
}

/* Allocations (and frees) of one generate + theme_free. The result is checked after the
 * counters are read: Check's assertion machinery allocates. */
static uint64_t one_call(covertheme_ctx *ctx, const uint8_t *data, size_t len, uint64_t *frees)
{
    covertheme_theme *t = NULL;
    uint64_t a0 = mcount_allocs(), f0 = mcount_frees();
    int rc = covertheme_generate_buffer(ctx, data, len, &t);
    covertheme_theme_free(t);
    *frees = mcount_frees() - f0;
    uint64_t allocs = mcount_allocs() - a0;
    ck_assert_int_eq(rc, 0);
    return allocs;
}

static const int formats[] = {COVERTHEME_IMAGE_PNG, COVERTHEME_IMAGE_JPEG, COVERTHEME_IMAGE_WEBP};
static const char *const format_names[] = {"PNG", "JPEG", "WebP"};

/* _i: format index * 2 + (threads == 2). */
START_TEST(warm_calls_allocate_nothing_of_ours)
{
    ck_assert_msg(mcount_allocs && mcount_frees, "run with LD_PRELOAD=build/libmcount.so");
    int fi = _i / 2, threads = _i % 2 ? 2 : 1;
    size_t len;
    uint8_t *data = cover_bytes(formats[fi], 0, &len);
    uint64_t a_start = mcount_allocs(), f_start = mcount_frees(), frees;
    covertheme_ctx *ctx = make_ctx(threads);
    one_call(ctx, data, len, &frees); /* the first call sizes the arena and starts the pool */
    uint64_t first = one_call(ctx, data, len, &frees);
    for (int call = 0; call < 5; call++) {
        uint64_t allocs = one_call(ctx, data, len, &frees);
        ck_assert_msg(allocs == frees, "%s call %d: %llu allocations, %llu frees", format_names[fi], call,
                      (unsigned long long)allocs, (unsigned long long)frees);
        ck_assert_msg(allocs == first, "%s: call %d made %llu allocations, the first warm call %llu",
                      format_names[fi], call, (unsigned long long)allocs, (unsigned long long)first);
    }
    if (formats[fi] == COVERTHEME_IMAGE_PNG)
        ck_assert_msg(first == 0, "PNG warm call made %llu allocations", (unsigned long long)first);
    else
        ck_assert_uint_le(first, MAX_DECODER_ALLOCS);
    fprintf(stderr, "alloc_check: %s, %d thread(s): %llu allocations per warm call (decoder-internal)\n",
            format_names[fi], threads, (unsigned long long)first);
    covertheme_destroy(ctx);
    uint64_t outstanding = (mcount_allocs() - a_start) - (mcount_frees() - f_start);
    ck_assert_uint_le(outstanding, THEME_BIN_SLOTS);
    free(data);
}
END_TEST

START_TEST(smaller_png_after_larger_allocates_nothing)
{
    size_t big_len, small_len;
    uint8_t *big = cover_bytes(COVERTHEME_IMAGE_PNG, 0, &big_len);
    uint8_t *small = cover_bytes(COVERTHEME_IMAGE_PNG, 40, &small_len);
    covertheme_ctx *ctx = make_ctx(2);
    uint64_t frees;
    one_call(ctx, big, big_len, &frees);
    ck_assert_uint_eq(one_call(ctx, small, small_len, &frees), 0);
    ck_assert_uint_eq(one_call(ctx, big, big_len, &frees), 0);
    covertheme_destroy(ctx);
    free(big);
    free(small);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("alloc");
    TCase *tc = tcase_create("per-call");
    tcase_add_loop_test(tc, warm_calls_allocate_nothing_of_ours, 0, 6);
    tcase_add_test(tc, smaller_png_after_larger_allocates_nothing);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
