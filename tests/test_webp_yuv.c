/* core/webp_yuv.c: RGBA from a lossy WebP's YUV planes must be libwebp's own RGBA output,
 * every pixel, at every size parity (1 px, odd and even sides) and with alpha. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <webp/decode.h>

#include "../core/webp_yuv.h"
#include "covers.h"
#include "imggen.h"
#include "suites.h"

typedef struct yuv_image {
    ct_yuv_planes p;
    uint8_t *mem;
} yuv_image;

/* The planes as libwebp gives them (MODE_YUVA when `alpha`, else MODE_YUV). */
static void decode_planes(const uint8_t *webp, size_t len, int alpha, yuv_image *out)
{
    WebPBitstreamFeatures f;
    ck_assert_int_eq(WebPGetFeatures(webp, len, &f), VP8_STATUS_OK);
    ck_assert_int_eq(f.format, 1); /* lossy */
    uint32_t w = (uint32_t)f.width, h = (uint32_t)f.height, cw = (w + 1) / 2, ch = (h + 1) / 2;
    size_t ysize = (size_t)w * h, csize = (size_t)cw * ch;
    out->mem = malloc(ysize * 2 + csize * 2);
    ck_assert_ptr_nonnull(out->mem);
    WebPDecoderConfig config;
    ck_assert(WebPInitDecoderConfig(&config));
    config.output.colorspace = alpha ? MODE_YUVA : MODE_YUV;
    config.output.is_external_memory = 1;
    WebPYUVABuffer *b = &config.output.u.YUVA;
    b->y = out->mem;
    b->u = out->mem + ysize;
    b->v = b->u + csize;
    b->a = alpha ? b->v + csize : NULL;
    b->y_stride = (int)w;
    b->u_stride = b->v_stride = (int)cw;
    b->a_stride = alpha ? (int)w : 0;
    b->y_size = ysize;
    b->u_size = b->v_size = csize;
    b->a_size = alpha ? ysize : 0;
    ck_assert_int_eq(WebPDecode(webp, len, &config), VP8_STATUS_OK);
    WebPFreeDecBuffer(&config.output);
    out->p = (ct_yuv_planes){w, h, b->y, b->u, b->v, b->a, w, cw, w};
}

/* Every pixel, then every third pixel from an offset (the others must stay untouched). */
static void check_against_libwebp(const uint8_t *rgba, uint32_t w, uint32_t h, int alpha)
{
    uint8_t *webp = NULL;
    size_t len = 0;
    ck_assert_int_eq(tg_webp_encode(rgba, w, h, 0, 75.0f, &webp, &len), 0);
    int rw = 0, rh = 0;
    uint8_t *want = WebPDecodeRGBA(webp, len, &rw, &rh);
    ck_assert_ptr_nonnull(want);
    yuv_image yi;
    decode_planes(webp, len, alpha, &yi);
    uint8_t *row = malloc((size_t)w * 4);
    ck_assert_ptr_nonnull(row);
    for (uint32_t y = 0; y < h; y++) {
        const uint8_t *ref = want + (size_t)y * w * 4;
        ct_yuv_row_to_rgba(&yi.p, y, 0, 1, row);
        for (uint32_t x = 0; x < w; x++)
            ck_assert_msg(memcmp(row + x * 4, ref + x * 4, 4) == 0,
                          "%ux%u%s: pixel (%u, %u) is %u,%u,%u,%u, libwebp gives %u,%u,%u,%u", w, h,
                          alpha ? " with alpha" : "", x, y, row[x * 4], row[x * 4 + 1], row[x * 4 + 2],
                          row[x * 4 + 3], ref[x * 4], ref[x * 4 + 1], ref[x * 4 + 2], ref[x * 4 + 3]);
        memset(row, 0xA5, (size_t)w * 4);
        ct_yuv_row_to_rgba(&yi.p, y, 1, 3, row);
        for (uint32_t x = 0; x < w; x++) {
            if (x >= 1 && (x - 1) % 3 == 0)
                ck_assert_int_eq(memcmp(row + x * 4, ref + x * 4, 4), 0);
            else
                ck_assert_uint_eq(row[x * 4], 0xA5);
        }
    }
    free(row);
    free(yi.mem);
    WebPFree(want);
    free(webp);
}

/* _i: size * 2 + alpha. Alpha comes from the pattern (0..255); without it, opaque. */
START_TEST(yuv_matches_libwebp_rgba)
{
    static const uint32_t sizes[][2] = {{1, 1}, {1, 7}, {7, 1}, {2, 2}, {3, 5},   {4, 4},
                                        {17, 9}, {16, 10}, {33, 27}, {64, 48}, {2, 9}, {9, 2}};
    uint32_t w = sizes[_i / 2][0], h = sizes[_i / 2][1];
    int alpha = _i % 2;
    uint8_t *src = tg_colour_pattern(w, h);
    ck_assert_ptr_nonnull(src);
    if (!alpha)
        for (size_t i = 0; i < (size_t)w * h; i++)
            src[i * 4 + 3] = 255;
    check_against_libwebp(src, w, h, alpha);
    free(src);
}
END_TEST

/* The synthetic covers (photograph-like content, flat areas, gradients), opaque. */
START_TEST(yuv_matches_libwebp_on_covers)
{
    uint32_t w, h;
    uint8_t *src = NULL;
    ck_assert_int_eq(tg_cover_make(_i, &w, &h, &src), 0);
    for (size_t i = 0; i < (size_t)w * h; i++)
        src[i * 4 + 3] = 255;
    check_against_libwebp(src, w, h, 0);
    free(src);
}
END_TEST

Suite *suite_webp_yuv(void)
{
    Suite *s = suite_create("webp_yuv");
    TCase *tc = tcase_create("yuv");
    tcase_add_loop_test(tc, yuv_matches_libwebp_rgba, 0, 24);
    tcase_add_loop_test(tc, yuv_matches_libwebp_on_covers, 0, tg_cover_count());
    suite_add_tcase(s, tc);
    return s;
}
