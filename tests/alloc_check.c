/* Allocation accounting of a generate call, counted by bench/mcount.c (LD_PRELOAD).
 *
 * Asserts what a player relies on today: a call frees everything it allocates (nothing
 * accumulates per song), the number of allocations per call is the same on every call of the
 * same image (no hidden growth), and it stays small. The issue-4 engine tightens the bound
 * to zero for warm calls. Run: LD_PRELOAD=build/libmcount.so build/test_alloc */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../abi/covertheme.h"
#include "covers.h"
#include "imggen.h"

extern uint64_t mcount_allocs(void) __attribute__((weak));
extern uint64_t mcount_frees(void) __attribute__((weak));

/* Upper bound on allocations per generate call; 0.1 makes 18 (PNG), 24 (JPEG), 16 (WebP). */
#define MAX_ALLOCS_PER_CALL 32

static uint8_t *cover_bytes(int format, size_t *len)
{
    uint32_t w, h;
    uint8_t *rgba = NULL, *out = NULL;
    ck_assert_int_eq(tg_cover_make(tg_cover_find("two_hue"), &w, &h, &rgba), 0);
    tg_png_opts png = {TG_PNG_RGBA, 8, 0, 0};
    int rc = format == COVERTHEME_IMAGE_PNG    ? tg_png_encode(rgba, w, h, &png, &out, len)
             : format == COVERTHEME_IMAGE_JPEG ? tg_jpeg_encode(rgba, w, h, 90, 0, TG_JPEG_YCC, &out, len)
                                               : tg_webp_encode(rgba, w, h, 0, 90.0f, &out, len);
    ck_assert_int_eq(rc, 0);
    free(rgba);
    return out;
}

START_TEST(calls_free_all_and_count_is_stable)
{
    ck_assert_msg(mcount_allocs && mcount_frees, "run with LD_PRELOAD=build/libmcount.so");
    static const int formats[] = {COVERTHEME_IMAGE_PNG, COVERTHEME_IMAGE_JPEG, COVERTHEME_IMAGE_WEBP};
    int format = formats[_i];
    size_t len;
    uint8_t *data = cover_bytes(format, &len);
    uint64_t a_start = mcount_allocs(), f_start = mcount_frees();
    covertheme_ctx *ctx = covertheme_create();
    /* Measure the pipeline, not cache hits (a repeated cover is served from the cache). */
    ck_assert_int_eq(covertheme_set_option(ctx, COVERTHEME_OPT_CACHE_ENTRIES, 0), COVERTHEME_OK);
    covertheme_theme *t = NULL;
    ck_assert_int_eq(covertheme_generate_buffer(ctx, data, len, &t), 0); /* warm-up */
    covertheme_theme_free(t);
    uint64_t first = 0;
    for (int call = 0; call < 5; call++) {
        uint64_t a0 = mcount_allocs(), f0 = mcount_frees();
        ck_assert_int_eq(covertheme_generate_buffer(ctx, data, len, &t), 0);
        covertheme_theme_free(t);
        uint64_t allocs = mcount_allocs() - a0, frees = mcount_frees() - f0;
        ck_assert_msg(allocs == frees, "format %d call %d: %llu allocations, %llu frees", format, call,
                      (unsigned long long)allocs, (unsigned long long)frees);
        if (call == 0)
            first = allocs;
        ck_assert_msg(allocs == first, "format %d: call %d made %llu allocations, call 0 made %llu", format,
                      call, (unsigned long long)allocs, (unsigned long long)first);
        ck_assert_uint_le(allocs, MAX_ALLOCS_PER_CALL);
    }
    fprintf(stderr, "alloc_check: format %d: %llu allocations per warm generate call\n", format,
            (unsigned long long)first);
    covertheme_destroy(ctx);
    ck_assert_uint_eq(mcount_allocs() - a_start, mcount_frees() - f_start);
    free(data);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("alloc");
    TCase *tc = tcase_create("per-call");
    tcase_add_loop_test(tc, calls_free_all_and_count_is_stable, 0, 3);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
