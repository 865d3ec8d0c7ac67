/* Decoder tests: every PNG variant, JPEG (baseline, progressive, grey, CMYK, YCCK) and
 * WebP (lossless, lossy) round-trip through ct_decode from pixels we know; sniffing,
 * unsupported formats, truncation, checksum damage and limits fail with the right code,
 * a useful message and a zeroed output image.
 *
 * Lossless paths are checked pixel by pixel; lossy ones against tolerances measured with
 * margin for libjpeg-turbo 2.1 and libwebp 1.2 at the qualities used here.
 *
 * Every decode here, successful or not, is repeated through ct_decode_sampled, which must
 * agree with sampling ct_decode's image (ts_check_sampled, tests/test_stream.c). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/decode.h"
#include "covers.h"
#include "imggen.h"
#include "suites.h"

static const ct_decode_limits generous_limits = {.max_pixels = UINT64_C(100000000)};

/* ---- Test pictures ------------------------------------------------------------------ */

static uint8_t *alloc_rgba(uint32_t w, uint32_t h)
{
    uint8_t *px = malloc((size_t)w * h * 4);
    ck_assert_ptr_nonnull(px);
    return px;
}

static uint8_t *grey_ramp(uint32_t w, uint32_t h)
{
    uint8_t *px = alloc_rgba(w, h);
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            uint8_t *p = px + ((size_t)y * w + x) * 4;
            p[0] = p[1] = p[2] = (uint8_t)(x * 7 + y * 13 + 3);
            p[3] = 255;
        }
    return px;
}

/* tg_colour_pattern (imggen.h), never NULL. */
static uint8_t *colour_pattern(uint32_t w, uint32_t h)
{
    uint8_t *px = tg_colour_pattern(w, h);
    ck_assert_ptr_nonnull(px);
    return px;
}

static void make_opaque(uint8_t *px, uint32_t w, uint32_t h)
{
    for (size_t i = 0; i < (size_t)w * h; i++)
        px[4 * i + 3] = 255;
}

/* Gentle gradients: what lossy codecs reproduce well, so tolerances can be tight. */
static uint8_t *smooth_pattern(uint32_t w, uint32_t h)
{
    uint8_t *px = alloc_rgba(w, h);
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            uint8_t *p = px + ((size_t)y * w + x) * 4;
            p[0] = (uint8_t)(40 + x * 150 / w);
            p[1] = (uint8_t)(60 + y * 140 / h);
            p[2] = (uint8_t)(200 - (x + y) * 100 / (w + h));
            p[3] = 255;
        }
    return px;
}

/* Palette entry k: red is k*37+11 mod 256, a bijection, so RGB entries are distinct. */
static void palette_colour(unsigned k, uint8_t out[4])
{
    out[0] = (uint8_t)(k * 37 + 11);
    out[1] = (uint8_t)(k * 91 + 7);
    out[2] = (uint8_t)(k * 53 + 200);
    out[3] = (uint8_t)(255 - (k * 29) % 230);
}

static uint8_t *palette_pattern(uint32_t w, uint32_t h, unsigned colours)
{
    uint8_t *px = alloc_rgba(w, h);
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++)
            palette_colour((x + 3 * y) % colours, px + ((size_t)y * w + x) * 4);
    return px;
}

/* ---- Decode helpers ----------------------------------------------------------------- */

static void decode_ok(const uint8_t *data, size_t len, int expected_format, ct_image *img)
{
    ct_err err = {""};
    int rc = ct_decode(data, len, &generous_limits, img, &err);
    ck_assert_msg(rc == COVERTHEME_OK, "decode failed: %d (%s)", rc, err.msg);
    ck_assert_int_eq(img->format, expected_format);
    ck_assert_ptr_nonnull(img->rgba);
    ts_check_sampled(data, len, &generous_limits);
}

static void assert_zeroed(const ct_image *img)
{
    ck_assert_ptr_null(img->rgba);
    ck_assert_uint_eq(img->width, 0);
    ck_assert_uint_eq(img->height, 0);
    ck_assert_int_eq(img->format, 0);
}

/* Decodes data that must fail with `code`; the message must contain `needle` (if any).
 * The output starts as garbage to prove the decoder clears it. */
static void expect_failure(const uint8_t *data, size_t len, const ct_decode_limits *lim,
                           int code, const char *needle)
{
    ct_image img;
    memset(&img, 0xAB, sizeof img);
    ct_err err = {""};
    int rc = ct_decode(data, len, lim, &img, &err);
    ck_assert_msg(rc == code, "expected %d, got %d (%s)", code, rc, err.msg);
    assert_zeroed(&img);
    ck_assert_msg(err.msg[0] != '\0', "no error message");
    if (needle)
        ck_assert_msg(strstr(err.msg, needle) != NULL, "message \"%s\" lacks \"%s\"", err.msg,
                      needle);
    ts_check_sampled(data, len, lim);
}

static void assert_size(const ct_image *img, uint32_t w, uint32_t h)
{
    ck_assert_uint_eq(img->width, w);
    ck_assert_uint_eq(img->height, h);
}

static void assert_pixels_equal(const ct_image *img, const uint8_t *expected, uint32_t w,
                                uint32_t h)
{
    assert_size(img, w, h);
    for (size_t i = 0; i < (size_t)w * h; i++) {
        const uint8_t *got = img->rgba + 4 * i, *want = expected + 4 * i;
        ck_assert_msg(memcmp(got, want, 4) == 0,
                      "pixel (%zu,%zu): got %u,%u,%u,%u want %u,%u,%u,%u", i % w, i / w, got[0],
                      got[1], got[2], got[3], want[0], want[1], want[2], want[3]);
    }
}

/* Largest and mean absolute RGB difference; alpha must be 255 everywhere. */
static void assert_rgb_close(const ct_image *img, const uint8_t *expected, uint32_t w,
                             uint32_t h, int max_allowed, double mean_allowed)
{
    assert_size(img, w, h);
    int worst = 0;
    double total = 0;
    for (size_t i = 0; i < (size_t)w * h; i++) {
        ck_assert_msg(img->rgba[4 * i + 3] == 255, "pixel %zu: alpha %u", i, img->rgba[4 * i + 3]);
        for (int c = 0; c < 3; c++) {
            int d = abs((int)img->rgba[4 * i + c] - (int)expected[4 * i + c]);
            worst = d > worst ? d : worst;
            total += d;
        }
    }
    double mean = total / ((double)w * h * 3);
    ck_assert_msg(worst <= max_allowed, "max difference %d > %d (mean %.2f)", worst, max_allowed,
                  mean);
    ck_assert_msg(mean <= mean_allowed, "mean difference %.2f > %.2f", mean, mean_allowed);
}

static void png_roundtrip(const uint8_t *rgba, uint32_t w, uint32_t h, tg_png_opts opts,
                          ct_image *img)
{
    uint8_t *png = NULL;
    size_t len = 0;
    ck_assert_msg(tg_png_encode(rgba, w, h, &opts, &png, &len) == 0,
                  "encode type %d depth %d failed", opts.color_type, opts.bit_depth);
    decode_ok(png, len, COVERTHEME_IMAGE_PNG, img);
    free(png);
}

static uint8_t *encode_png(const uint8_t *rgba, uint32_t w, uint32_t h, size_t *len)
{
    tg_png_opts opts = {TG_PNG_RGBA, 8, 0, 0};
    uint8_t *png = NULL;
    ck_assert_int_eq(tg_png_encode(rgba, w, h, &opts, &png, len), 0);
    return png;
}

static uint8_t *encode_jpeg(const uint8_t *rgba, uint32_t w, uint32_t h, int progressive,
                            int space, size_t *len)
{
    uint8_t *jpeg = NULL;
    ck_assert_int_eq(tg_jpeg_encode(rgba, w, h, 95, progressive, space, &jpeg, len), 0);
    return jpeg;
}

static uint8_t *encode_webp(const uint8_t *rgba, uint32_t w, uint32_t h, int lossless,
                            size_t *len)
{
    uint8_t *webp = NULL;
    ck_assert_int_eq(tg_webp_encode(rgba, w, h, lossless, 90.0f, &webp, len), 0);
    return webp;
}

/* ---- PNG ---------------------------------------------------------------------------- */

static const int grey_depths[] = {1, 2, 4, 8, 16};
static const int alpha_depths[] = {8, 16};
static const int palette_depths[] = {1, 2, 4, 8};

/* Grey of `v` as a decoder must return it after storing at `depth`. */
static uint8_t expected_grey(uint8_t v, int depth)
{
    return depth == 16 ? v : tg_quantise(v, depth);
}

START_TEST(test_png_grey_depths)
{
    int depth = grey_depths[_i];
    const uint32_t w = 37, h = 11; /* odd width: sub-byte rows end in padding bits */
    uint8_t *src = grey_ramp(w, h);
    ct_image img;
    png_roundtrip(src, w, h, (tg_png_opts){TG_PNG_GREY, depth, 0, 0}, &img);
    for (size_t i = 0; i < (size_t)w * h; i++) {
        uint8_t g = expected_grey(src[4 * i], depth);
        src[4 * i] = src[4 * i + 1] = src[4 * i + 2] = g;
    }
    assert_pixels_equal(&img, src, w, h);
    ct_image_free(&img);
    free(src);
}
END_TEST

START_TEST(test_png_grey_alpha)
{
    int depth = alpha_depths[_i];
    const uint32_t w = 23, h = 19;
    uint8_t *src = colour_pattern(w, h);
    ct_image img;
    png_roundtrip(src, w, h, (tg_png_opts){TG_PNG_GREY_ALPHA, depth, 0, 0}, &img);
    for (size_t i = 0; i < (size_t)w * h; i++) {
        uint8_t *p = src + 4 * i;
        p[0] = p[1] = p[2] = tg_grey_of(p[0], p[1], p[2]);
    }
    assert_pixels_equal(&img, src, w, h);
    ct_image_free(&img);
    free(src);
}
END_TEST

START_TEST(test_png_rgb)
{
    int depth = alpha_depths[_i];
    const uint32_t w = 31, h = 17;
    uint8_t *src = colour_pattern(w, h);
    ct_image img;
    png_roundtrip(src, w, h, (tg_png_opts){TG_PNG_RGB, depth, 0, 0}, &img);
    make_opaque(src, w, h);
    assert_pixels_equal(&img, src, w, h);
    ct_image_free(&img);
    free(src);
}
END_TEST

START_TEST(test_png_rgba)
{
    int depth = alpha_depths[_i];
    const uint32_t w = 29, h = 21;
    uint8_t *src = colour_pattern(w, h);
    ct_image img;
    png_roundtrip(src, w, h, (tg_png_opts){TG_PNG_RGBA, depth, 0, 0}, &img);
    assert_pixels_equal(&img, src, w, h);
    ct_image_free(&img);
    free(src);
}
END_TEST

/* _i: depth index * 2 + (with tRNS). The palette uses every entry the depth allows. */
START_TEST(test_png_palette)
{
    int depth = palette_depths[_i / 2], trns = _i % 2;
    const uint32_t w = 35, h = 13;
    uint8_t *src = palette_pattern(w, h, 1u << depth);
    ct_image img;
    png_roundtrip(src, w, h, (tg_png_opts){TG_PNG_PALETTE, depth, 0, trns}, &img);
    if (!trns)
        make_opaque(src, w, h);
    assert_pixels_equal(&img, src, w, h);
    ct_image_free(&img);
    free(src);
}
END_TEST

START_TEST(test_png_palette_rejects_too_many_colours)
{
    uint8_t *src = palette_pattern(8, 1, 3);
    tg_png_opts opts = {TG_PNG_PALETTE, 1, 0, 0};
    uint8_t *png = (uint8_t *)src; /* must be reset to NULL on failure */
    size_t len = 1;
    ck_assert_int_eq(tg_png_encode(src, 8, 1, &opts, &png, &len), -1);
    ck_assert_ptr_null(png);
    ck_assert_uint_eq(len, 0);
    free(src);
}
END_TEST

/* RGB with a tRNS colour key: exactly the pixels of pixel 0's colour become transparent. */
START_TEST(test_png_rgb_colour_key)
{
    int depth = alpha_depths[_i];
    const uint32_t w = 16, h = 9;
    uint8_t *src = colour_pattern(w, h);
    make_opaque(src, w, h);
    static const size_t keyed[] = {5, 40, 77, 143};
    for (size_t k = 0; k < sizeof keyed / sizeof keyed[0]; k++)
        memcpy(src + 4 * keyed[k], src, 3);
    ct_image img;
    png_roundtrip(src, w, h, (tg_png_opts){TG_PNG_RGB, depth, 0, 1}, &img);
    size_t transparent = 0;
    for (size_t i = 0; i < (size_t)w * h; i++)
        if (memcmp(src + 4 * i, src, 3) == 0) {
            src[4 * i + 3] = 0;
            transparent++;
        }
    ck_assert_uint_ge(transparent, 5); /* pixel 0 and the four copies */
    assert_pixels_equal(&img, src, w, h);
    ct_image_free(&img);
    free(src);
}
END_TEST

/* Grey with a colour key, at every grey depth: the key compares quantised samples. */
START_TEST(test_png_grey_colour_key)
{
    int depth = grey_depths[_i];
    const uint32_t w = 21, h = 6;
    uint8_t *src = grey_ramp(w, h);
    ct_image img;
    png_roundtrip(src, w, h, (tg_png_opts){TG_PNG_GREY, depth, 0, 1}, &img);
    uint8_t key = expected_grey(src[0], depth);
    size_t transparent = 0;
    for (size_t i = 0; i < (size_t)w * h; i++) {
        uint8_t g = expected_grey(src[4 * i], depth);
        src[4 * i] = src[4 * i + 1] = src[4 * i + 2] = g;
        src[4 * i + 3] = g == key ? 0 : 255;
        transparent += g == key;
    }
    ck_assert_uint_ge(transparent, 1);
    ck_assert_uint_lt(transparent, (size_t)w * h);
    assert_pixels_equal(&img, src, w, h);
    ct_image_free(&img);
    free(src);
}
END_TEST

typedef struct interlaced_case {
    tg_png_opts opts;
    uint32_t w, h;
} interlaced_case;

/* Sizes smaller than an Adam7 block leave some passes empty. */
static const interlaced_case interlaced_cases[] = {
    {{TG_PNG_RGBA, 8, 1, 0}, 13, 7},  {{TG_PNG_GREY, 1, 1, 0}, 9, 9},
    {{TG_PNG_PALETTE, 4, 1, 1}, 17, 5}, {{TG_PNG_RGB, 16, 1, 0}, 3, 3},
    {{TG_PNG_GREY_ALPHA, 8, 1, 0}, 1, 1}, {{TG_PNG_GREY, 2, 1, 0}, 8, 8},
    {{TG_PNG_RGBA, 16, 1, 0}, 2, 11}, {{TG_PNG_RGB, 8, 1, 1}, 10, 3},
    {{TG_PNG_PALETTE, 8, 1, 0}, 6, 14},
};

/* What a decoder returns for `src` stored with `o`, computed independently of it. */
static void expected_png_pixels(uint8_t *src, uint32_t w, uint32_t h, const tg_png_opts *o)
{
    uint8_t key[3];
    memcpy(key, src, 3);
    for (size_t i = 0; i < (size_t)w * h; i++) {
        uint8_t *p = src + 4 * i;
        int keyed = o->trns && memcmp(p, key, 3) == 0;
        if (o->color_type == TG_PNG_GREY || o->color_type == TG_PNG_GREY_ALPHA) {
            uint8_t g = expected_grey(tg_grey_of(p[0], p[1], p[2]), o->bit_depth);
            p[0] = p[1] = p[2] = g;
        }
        if (o->color_type == TG_PNG_GREY || o->color_type == TG_PNG_RGB)
            p[3] = keyed ? 0 : 255;
        if (o->color_type == TG_PNG_PALETTE && !o->trns)
            p[3] = 255;
    }
}

START_TEST(test_png_adam7)
{
    const interlaced_case *c = &interlaced_cases[_i];
    uint8_t *src = c->opts.color_type == TG_PNG_PALETTE ? palette_pattern(c->w, c->h, 16)
                                                         : colour_pattern(c->w, c->h);
    ct_image img;
    png_roundtrip(src, c->w, c->h, c->opts, &img);
    expected_png_pixels(src, c->w, c->h, &c->opts);
    assert_pixels_equal(&img, src, c->w, c->h);
    ct_image_free(&img);
    free(src);
}
END_TEST

/* Every synthetic cover survives an RGBA8 PNG round trip bit for bit, including the
 * colour under zero alpha. */
START_TEST(test_png_covers_roundtrip)
{
    uint32_t w, h;
    uint8_t *src = NULL;
    ck_assert_int_eq(tg_cover_make(_i, &w, &h, &src), 0);
    size_t len;
    uint8_t *png = encode_png(src, w, h, &len);
    ct_image img;
    decode_ok(png, len, COVERTHEME_IMAGE_PNG, &img);
    assert_pixels_equal(&img, src, w, h);
    ct_image_free(&img);
    free(png);
    free(src);
}
END_TEST

/* ---- JPEG --------------------------------------------------------------------------- */

START_TEST(test_jpeg_colour)
{
    int progressive = _i;
    const uint32_t w = 64, h = 48;
    uint8_t *src = smooth_pattern(w, h);
    size_t len;
    uint8_t *jpeg = encode_jpeg(src, w, h, progressive, TG_JPEG_YCC, &len);
    ct_image img;
    decode_ok(jpeg, len, COVERTHEME_IMAGE_JPEG, &img);
    assert_rgb_close(&img, src, w, h, 8, 1.5);
    ct_image_free(&img);
    free(jpeg);
    free(src);
}
END_TEST

START_TEST(test_jpeg_grey)
{
    int progressive = _i;
    const uint32_t w = 40, h = 24;
    uint8_t *src = smooth_pattern(w, h);
    size_t len;
    uint8_t *jpeg = encode_jpeg(src, w, h, progressive, TG_JPEG_GREY, &len);
    ct_image img;
    decode_ok(jpeg, len, COVERTHEME_IMAGE_JPEG, &img);
    for (size_t i = 0; i < (size_t)w * h; i++) {
        const uint8_t *p = img.rgba + 4 * i;
        ck_assert_msg(p[0] == p[1] && p[1] == p[2], "pixel %zu not grey", i);
        src[4 * i] = src[4 * i + 1] = src[4 * i + 2] =
            tg_grey_of(src[4 * i], src[4 * i + 1], src[4 * i + 2]);
    }
    assert_rgb_close(&img, src, w, h, 4, 1.0);
    ct_image_free(&img);
    free(jpeg);
    free(src);
}
END_TEST

/* _i: 0 CMYK, 1 YCCK, 2 progressive CMYK, 3 progressive YCCK. */
START_TEST(test_jpeg_cmyk)
{
    int space = _i % 2 ? TG_JPEG_YCCK : TG_JPEG_CMYK, progressive = _i / 2;
    const uint32_t w = 48, h = 32;
    uint8_t *src = smooth_pattern(w, h);
    size_t len;
    uint8_t *jpeg = encode_jpeg(src, w, h, progressive, space, &len);
    ct_image img;
    decode_ok(jpeg, len, COVERTHEME_IMAGE_JPEG, &img);
    assert_rgb_close(&img, src, w, h, 8, 1.5);
    ct_image_free(&img);
    free(jpeg);
    free(src);
}
END_TEST

static uint32_t read_be16(const uint8_t *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

/* Removes the Adobe APP14 segment from a JPEG in place; returns the new length. */
static size_t strip_adobe_marker(uint8_t *jpeg, size_t len)
{
    size_t off = 2; /* after SOI */
    while (off + 4 <= len && jpeg[off] == 0xFF && jpeg[off + 1] != 0xDA) {
        size_t segment = 2 + read_be16(jpeg + off + 2);
        if (jpeg[off + 1] == 0xEE && off + 9 <= len && memcmp(jpeg + off + 4, "Adobe", 5) == 0) {
            memmove(jpeg + off, jpeg + off + segment, len - off - segment);
            return len - segment;
        }
        off += segment;
    }
    return len;
}

/* Without the Adobe marker CMYK is read as plain ink amounts: the encoder's K'=255 then
 * means full black ink, so the whole picture must come out black. */
START_TEST(test_jpeg_cmyk_without_adobe_marker)
{
    const uint32_t w = 16, h = 16;
    uint8_t *src = smooth_pattern(w, h);
    size_t len;
    uint8_t *jpeg = encode_jpeg(src, w, h, 0, TG_JPEG_CMYK, &len);
    size_t stripped = strip_adobe_marker(jpeg, len);
    ck_assert_uint_lt(stripped, len);
    ct_image img;
    decode_ok(jpeg, stripped, COVERTHEME_IMAGE_JPEG, &img);
    uint8_t *black = calloc((size_t)w * h, 4);
    ck_assert_ptr_nonnull(black);
    assert_rgb_close(&img, black, w, h, 2, 1.0);
    ct_image_free(&img);
    free(black);
    free(jpeg);
    free(src);
}
END_TEST

/* Sizes that are not multiples of the 16x16 MCU, and a single pixel. */
START_TEST(test_jpeg_odd_sizes)
{
    static const uint32_t sizes[][2] = {{1, 1}, {17, 9}, {3, 40}};
    uint32_t w = sizes[_i][0], h = sizes[_i][1];
    uint8_t *src = alloc_rgba(w, h);
    for (size_t i = 0; i < (size_t)w * h; i++)
        memcpy(src + 4 * i, (const uint8_t[4]){200, 100, 50, 255}, 4);
    size_t len;
    uint8_t *jpeg = encode_jpeg(src, w, h, 0, TG_JPEG_YCC, &len);
    ct_image img;
    decode_ok(jpeg, len, COVERTHEME_IMAGE_JPEG, &img);
    assert_rgb_close(&img, src, w, h, 4, 2.0);
    ct_image_free(&img);
    free(jpeg);
    free(src);
}
END_TEST

/* ---- WebP --------------------------------------------------------------------------- */

START_TEST(test_webp_lossless)
{
    const uint32_t w = 33, h = 27;
    uint8_t *src = colour_pattern(w, h); /* alpha varies and includes 0 */
    size_t len;
    uint8_t *webp = encode_webp(src, w, h, 1, &len);
    ct_image img;
    decode_ok(webp, len, COVERTHEME_IMAGE_WEBP, &img);
    assert_pixels_equal(&img, src, w, h);
    ct_image_free(&img);
    free(webp);
    free(src);
}
END_TEST

START_TEST(test_webp_lossy)
{
    const uint32_t w = 64, h = 48;
    uint8_t *src = smooth_pattern(w, h);
    size_t len;
    uint8_t *webp = encode_webp(src, w, h, 0, &len);
    ct_image img;
    decode_ok(webp, len, COVERTHEME_IMAGE_WEBP, &img);
    assert_rgb_close(&img, src, w, h, 12, 2.5);
    ct_image_free(&img);
    free(webp);
    free(src);
}
END_TEST

START_TEST(test_webp_single_pixel)
{
    const uint8_t src[4] = {12, 200, 99, 255};
    size_t len;
    uint8_t *webp = encode_webp(src, 1, 1, 1, &len);
    ct_image img;
    decode_ok(webp, len, COVERTHEME_IMAGE_WEBP, &img);
    assert_pixels_equal(&img, src, 1, 1);
    ct_image_free(&img);
    free(webp);
}
END_TEST

/* A VP8X header with the animation flag is enough for libwebp to report an animation. */
START_TEST(test_webp_animated_is_unsupported)
{
    static const uint8_t animated[30] = {'R', 'I', 'F', 'F', 22, 0, 0, 0, 'W', 'E',
                                         'B', 'P', 'V', 'P', '8', 'X', 10, 0, 0, 0,
                                         0x02, 0, 0, 0, 9, 0, 0, 9, 0, 0};
    expect_failure(animated, sizeof animated, &generous_limits,
                   COVERTHEME_ERR_UNSUPPORTED_FORMAT, "animated WebP is not supported");
}
END_TEST

/* ---- Sniffing ----------------------------------------------------------------------- */

typedef struct encoded_set {
    uint8_t *png, *jpeg, *webp;
    size_t png_len, jpeg_len, webp_len;
    uint8_t *src;
} encoded_set;

static void encode_all(encoded_set *s, uint32_t w, uint32_t h)
{
    s->src = smooth_pattern(w, h);
    s->png = encode_png(s->src, w, h, &s->png_len);
    s->jpeg = encode_jpeg(s->src, w, h, 0, TG_JPEG_YCC, &s->jpeg_len);
    s->webp = encode_webp(s->src, w, h, 1, &s->webp_len);
}

static void free_all(encoded_set *s)
{
    free(s->png);
    free(s->jpeg);
    free(s->webp);
    free(s->src);
}

START_TEST(test_sniff_by_content)
{
    encoded_set s;
    encode_all(&s, 8, 8);
    ct_err err = {""};
    ck_assert_int_eq(ct_sniff_format(s.png, s.png_len, &err), COVERTHEME_IMAGE_PNG);
    ck_assert_int_eq(ct_sniff_format(s.jpeg, s.jpeg_len, &err), COVERTHEME_IMAGE_JPEG);
    ck_assert_int_eq(ct_sniff_format(s.webp, s.webp_len, &err), COVERTHEME_IMAGE_WEBP);
    /* The signatures alone are enough to sniff (decoding them then fails). */
    ck_assert_int_eq(ct_sniff_format(s.png, 8, &err), COVERTHEME_IMAGE_PNG);
    ck_assert_int_eq(ct_sniff_format(s.jpeg, 3, &err), COVERTHEME_IMAGE_JPEG);
    ck_assert_int_eq(ct_sniff_format(s.webp, 12, &err), COVERTHEME_IMAGE_WEBP);
    free_all(&s);
}
END_TEST

/* Files named for another format decode by their bytes. */
START_TEST(test_sniff_ignores_file_names)
{
    encoded_set s;
    encode_all(&s, 8, 8);
    char *dir = tg_temp_dir("decode");
    ck_assert_ptr_nonnull(dir);
    const struct {
        const char *name;
        const uint8_t *data;
        size_t len;
        int format;
    } files[] = {
        {"cover.jpg", s.png, s.png_len, COVERTHEME_IMAGE_PNG},
        {"cover.png", s.jpeg, s.jpeg_len, COVERTHEME_IMAGE_JPEG},
        {"folder.gif", s.webp, s.webp_len, COVERTHEME_IMAGE_WEBP},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *path = tg_path_join(dir, files[i].name);
        ck_assert_ptr_nonnull(path);
        ck_assert_int_eq(tg_write_file(path, files[i].data, files[i].len), 0);
        uint8_t *back = NULL;
        size_t back_len = 0;
        ck_assert_int_eq(tg_read_file(path, &back, &back_len), 0);
        ck_assert_uint_eq(back_len, files[i].len);
        ct_image img;
        decode_ok(back, back_len, files[i].format, &img);
        assert_size(&img, 8, 8);
        ct_image_free(&img);
        free(back);
        free(path);
    }
    ck_assert_int_eq(tg_remove_dir(dir), 0);
    free(dir);
    free_all(&s);
}
END_TEST

/* ---- Unsupported and empty input ---------------------------------------------------- */

START_TEST(test_empty_input)
{
    static const uint8_t byte = 0x89;
    expect_failure(&byte, 0, &generous_limits, COVERTHEME_ERR_EMPTY_INPUT, "empty input (0 bytes)");
    expect_failure(NULL, 0, &generous_limits, COVERTHEME_ERR_EMPTY_INPUT, "empty input (0 bytes)");
}
END_TEST

typedef struct foreign_case {
    const char *bytes;
    size_t len;
    const char *name;
} foreign_case;

/* Real signatures followed by plausible header bytes. */
static const foreign_case foreign_cases[] = {
    {"GIF87a\x10\x00\x10\x00\x80\x00\x00", 13, "GIF image"},
    {"GIF89a\x10\x00\x10\x00\x80\x00\x00", 13, "GIF image"},
    {"BM\x36\x03\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00", 14, "BMP image"},
    {"II*\x00\x08\x00\x00\x00", 8, "TIFF image"},
    {"MM\x00*\x00\x00\x00\x08", 8, "TIFF image"},
    {"\x00\x00\x00\x1c" "ftypavif\x00\x00\x00\x00", 16, "AVIF image"},
    {"\x00\x00\x00\x18" "ftypheic\x00\x00\x00\x00", 16, "HEIF"},
    {"\xFF\x0A\xFA\x7F", 4, "JPEG XL image"},
    {"\x00\x00\x00\x0CJXL \x0D\x0A\x87\x0A", 12, "JPEG XL image"},
    {"\x00\x00\x01\x00\x01\x00\x10\x10", 8, "ICO icon"},
    {"qoif\x00\x00\x00\x10\x00\x00\x00\x10\x04\x00", 14, "QOI image"},
};

START_TEST(test_unsupported_formats_are_named)
{
    const foreign_case *c = &foreign_cases[_i];
    expect_failure((const uint8_t *)c->bytes, c->len, &generous_limits,
                   COVERTHEME_ERR_UNSUPPORTED_FORMAT, c->name);
    expect_failure((const uint8_t *)c->bytes, c->len, &generous_limits,
                   COVERTHEME_ERR_UNSUPPORTED_FORMAT, "covertheme reads PNG, JPEG and WebP");
    ct_err err = {""};
    ck_assert_int_eq(ct_sniff_format((const uint8_t *)c->bytes, c->len, &err),
                     COVERTHEME_ERR_UNSUPPORTED_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, "unsupported format: "));
}
END_TEST

START_TEST(test_random_bytes_are_unknown)
{
    uint8_t junk[1000];
    uint32_t x = 0x12345678u;
    for (size_t i = 0; i < sizeof junk; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        junk[i] = (uint8_t)(x >> 24);
    }
    junk[0] = 0x5A; /* 'Z': starts no known signature */
    char expected[64];
    snprintf(expected, sizeof expected, "unknown data (first bytes %02x %02x %02x %02x)",
             junk[0], junk[1], junk[2], junk[3]);
    expect_failure(junk, sizeof junk, &generous_limits, COVERTHEME_ERR_UNSUPPORTED_FORMAT,
                   expected);
}
END_TEST

/* Too short for any signature: unsupported, never read past the end (ASan checks). */
START_TEST(test_short_inputs_are_unsupported)
{
    static const struct {
        const char *bytes;
        size_t len;
        const char *needle;
    } cases[] = {
        {"\x89", 1, "first bytes 89)"},
        {"\x89PNG", 4, "first bytes 89 50 4e 47"},
        {"\x89PNG\r\n\x1A", 7, "unknown data"},
        {"\xFF\xD8", 2, "first bytes ff d8)"},
        {"RIFF\x00\x00\x00\x00WEB", 11, "RIFF"},
        {"GIF8", 4, "unknown data"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t *copy = malloc(cases[i].len); /* exact-size heap copy for ASan */
        ck_assert_ptr_nonnull(copy);
        memcpy(copy, cases[i].bytes, cases[i].len);
        expect_failure(copy, cases[i].len, &generous_limits, COVERTHEME_ERR_UNSUPPORTED_FORMAT,
                       cases[i].needle);
        free(copy);
    }
}
END_TEST

/* ---- Damaged data ------------------------------------------------------------------- */

/* Decodes the first `cut` bytes of `data` from an exact-size heap copy, so reading past
 * the cut is an ASan error rather than a silent success. */
static void expect_truncated_fails(const uint8_t *data, size_t cut, const char *needle)
{
    uint8_t *copy = malloc(cut);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, data, cut);
    expect_failure(copy, cut, &generous_limits, COVERTHEME_ERR_CORRUPT_IMAGE, needle);
    free(copy);
}

/* _i: 0 signature only, 1 signature + IHDR, 2 at 50%, 3 at 90%, 4 without IEND. */
START_TEST(test_png_truncated)
{
    const uint32_t w = 64, h = 64;
    uint8_t *src = colour_pattern(w, h);
    size_t len;
    uint8_t *png = encode_png(src, w, h, &len);
    size_t cuts[] = {8, 33, len / 2, len * 9 / 10, len - 12};
    expect_truncated_fails(png, cuts[_i], "PNG: ");
    free(png);
    free(src);
}
END_TEST

/* Offset of the first chunk of `type` (its length field), or 0. */
static size_t find_png_chunk(const uint8_t *png, size_t len, const char *type)
{
    size_t off = 8;
    while (off + 12 <= len) {
        uint32_t length = (uint32_t)png[off] << 24 | (uint32_t)png[off + 1] << 16 |
                          (uint32_t)png[off + 2] << 8 | png[off + 3];
        if (memcmp(png + off + 4, type, 4) == 0)
            return off;
        off += 12 + (size_t)length;
    }
    return 0;
}

/* _i: 0 flips a bit of IHDR's CRC, 1 flips a bit inside IDAT data (CRC then mismatches). */
START_TEST(test_png_bad_crc)
{
    const uint32_t w = 32, h = 32;
    uint8_t *src = colour_pattern(w, h);
    size_t len;
    uint8_t *png = encode_png(src, w, h, &len);
    size_t target;
    if (_i == 0) {
        target = 8 + 8 + 13; /* signature, IHDR length+type, 13 data bytes: the CRC */
    } else {
        size_t idat = find_png_chunk(png, len, "IDAT");
        ck_assert_uint_gt(idat, 0);
        target = idat + 8 + 10;
    }
    png[target] ^= 0x10;
    expect_failure(png, len, &generous_limits, COVERTHEME_ERR_CORRUPT_IMAGE, "PNG: ");
    free(png);
    free(src);
}
END_TEST

/* _i: progressive * 3 + cut (0: 50%, 1: 90%, 2: without EOI). */
START_TEST(test_jpeg_truncated)
{
    int progressive = _i / 3, which = _i % 3;
    const uint32_t w = 64, h = 48;
    uint8_t *src = colour_pattern(w, h);
    make_opaque(src, w, h);
    size_t len;
    uint8_t *jpeg = encode_jpeg(src, w, h, progressive, TG_JPEG_YCC, &len);
    size_t cuts[] = {len / 2, len * 9 / 10, len - 2};
    expect_truncated_fails(jpeg, cuts[which], "JPEG: ");
    free(jpeg);
    free(src);
}
END_TEST

START_TEST(test_jpeg_header_only)
{
    const uint32_t w = 16, h = 16;
    uint8_t *src = smooth_pattern(w, h);
    size_t len;
    uint8_t *jpeg = encode_jpeg(src, w, h, 0, TG_JPEG_YCC, &len);
    expect_truncated_fails(jpeg, 20, "JPEG: ");
    free(jpeg);
    free(src);
}
END_TEST

/* _i: lossless * 2 + cut (0: 50%, 1: 90%). */
START_TEST(test_webp_truncated)
{
    int lossless = _i / 2;
    const uint32_t w = 48, h = 48;
    uint8_t *src = colour_pattern(w, h);
    size_t len;
    uint8_t *webp = encode_webp(src, w, h, lossless, &len);
    size_t cut = _i % 2 ? len * 9 / 10 : len / 2;
    expect_truncated_fails(webp, cut, "WebP: ");
    free(webp);
    free(src);
}
END_TEST

/* A valid signature followed by junk must fail cleanly in each decoder. */
START_TEST(test_signature_then_junk)
{
    uint8_t junk[256];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t)(i * 73 + 5);
    static const struct {
        const char *sig;
        size_t len;
    } sigs[] = {{"\x89PNG\r\n\x1A\n", 8}, {"\xFF\xD8\xFF", 3}, {"RIFF\xF8\x00\x00\x00WEBP", 12}};
    memcpy(junk, sigs[_i].sig, sigs[_i].len);
    expect_failure(junk, sizeof junk, &generous_limits, COVERTHEME_ERR_CORRUPT_IMAGE, NULL);
}
END_TEST

/* Each decoder called directly on another format's bytes fails, with `out` zeroed. */
START_TEST(test_decoders_reject_other_formats)
{
    encoded_set s;
    encode_all(&s, 8, 8);
    ct_image img;
    ct_err err = {""};
    memset(&img, 0xAB, sizeof img);
    ck_assert_int_eq(ct_decode_png(s.jpeg, s.jpeg_len, &generous_limits, &img, &err),
                     COVERTHEME_ERR_CORRUPT_IMAGE);
    assert_zeroed(&img);
    memset(&img, 0xAB, sizeof img);
    ck_assert_int_eq(ct_decode_jpeg(s.webp, s.webp_len, &generous_limits, &img, &err),
                     COVERTHEME_ERR_CORRUPT_IMAGE);
    assert_zeroed(&img);
    memset(&img, 0xAB, sizeof img);
    ck_assert_int_eq(ct_decode_webp(s.png, s.png_len, &generous_limits, &img, &err),
                     COVERTHEME_ERR_CORRUPT_IMAGE);
    assert_zeroed(&img);

    /* The sampled halves leave their (zeroed) output alone when they fail. */
    ct_samples samples = {0, 0, NULL, NULL};
    ct_decoded_info info = {0, 0, 0};
    ck_assert_int_eq(ct_decode_png_sampled(s.jpeg, s.jpeg_len, &generous_limits, NULL, 100,
                                           &info, &samples, &err),
                     COVERTHEME_ERR_CORRUPT_IMAGE);
    ck_assert_int_eq(ct_decode_jpeg_sampled(s.webp, s.webp_len, &generous_limits, NULL, 100,
                                            &info, &samples, &err),
                     COVERTHEME_ERR_CORRUPT_IMAGE);
    ck_assert_int_eq(ct_decode_webp_sampled(s.png, s.png_len, &generous_limits, NULL, 100,
                                            &info, &samples, &err),
                     COVERTHEME_ERR_CORRUPT_IMAGE);
    ck_assert_ptr_null(samples.rgb);
    ck_assert_uint_eq(samples.n, 0);
    ck_assert_uint_eq(info.width, 0);
    free_all(&s);
}
END_TEST

/* ---- Limits ------------------------------------------------------------------------- */

/* _i: 0 PNG, 1 JPEG, 2 WebP. One pixel over the limit fails before decoding; exactly at
 * the limit succeeds. */
START_TEST(test_max_pixels)
{
    const uint32_t w = 40, h = 30;
    encoded_set s;
    encode_all(&s, w, h);
    const uint8_t *data[] = {s.png, s.jpeg, s.webp};
    size_t lens[] = {s.png_len, s.jpeg_len, s.webp_len};

    ct_decode_limits tight = {.max_pixels = (uint64_t)w * h - 1};
    expect_failure(data[_i], lens[_i], &tight, COVERTHEME_ERR_LIMIT_EXCEEDED, "40x30");
    ct_decode_limits exact = {.max_pixels = (uint64_t)w * h};
    ct_image img;
    ct_err err = {""};
    ck_assert_int_eq(ct_decode(data[_i], lens[_i], &exact, &img, &err), COVERTHEME_OK);
    assert_size(&img, w, h);
    ct_image_free(&img);
    free_all(&s);
}
END_TEST

/* A long, thin PNG whose one side alone exceeds the limit is stopped by libspng's side
 * limit; the message must still give the real size. */
START_TEST(test_png_side_over_limit)
{
    const uint32_t w = 300, h = 1;
    uint8_t *src = smooth_pattern(w, h);
    size_t len;
    uint8_t *png = encode_png(src, w, h, &len);
    ct_decode_limits lim = {.max_pixels = 100};
    expect_failure(png, len, &lim, COVERTHEME_ERR_LIMIT_EXCEEDED, "300x1");
    free(png);
    free(src);
}
END_TEST

/* ---- JPEG DCT scaling (min_pixels) -------------------------------------------------- */

static ct_decode_limits scaled_limits(uint32_t min_pixels)
{
    return (ct_decode_limits){.max_pixels = UINT64_C(100000000), .min_pixels = min_pixels};
}

static void decode_jpeg_with(const uint8_t *jpeg, size_t len, uint32_t min_pixels, ct_image *img)
{
    ct_decode_limits lim = scaled_limits(min_pixels);
    ct_err err = {""};
    int rc = ct_decode(jpeg, len, &lim, img, &err);
    ck_assert_msg(rc == COVERTHEME_OK, "decode (min_pixels %u) failed: %d (%s)",
                  (unsigned)min_pixels, rc, err.msg);
    ck_assert_int_eq(img->format, COVERTHEME_IMAGE_JPEG);
    ck_assert_ptr_nonnull(img->rgba);
    ts_check_sampled(jpeg, len, &lim);
}

/* Averages d x d blocks of `full` into a ceil(w/d) x ceil(h/d) image: what a 1/d DCT
 * scale approximates. Blocks running past the right or bottom edge repeat the edge pixels,
 * as the JPEG encoder pads its blocks. */
static uint8_t *box_average(const uint8_t *full, uint32_t w, uint32_t h, uint32_t d)
{
    uint32_t ow = (w + d - 1) / d, oh = (h + d - 1) / d;
    uint8_t *px = alloc_rgba(ow, oh);
    for (uint32_t oy = 0; oy < oh; oy++)
        for (uint32_t ox = 0; ox < ow; ox++) {
            unsigned sum[4] = {0, 0, 0, 0}, n = d * d;
            for (uint32_t y = oy * d; y < oy * d + d; y++)
                for (uint32_t x = ox * d; x < ox * d + d; x++) {
                    size_t at = (size_t)(y < h ? y : h - 1) * w + (x < w ? x : w - 1);
                    for (int c = 0; c < 4; c++)
                        sum[c] += full[at * 4 + c];
                }
            for (int c = 0; c < 4; c++)
                px[((size_t)oy * ow + ox) * 4 + c] = (uint8_t)((sum[c] + n / 2) / n);
        }
    return px;
}

/* 512x384: min_pixels picks the largest reduction that keeps enough pixels. */
START_TEST(test_jpeg_scale_picks_denominator)
{
    static const struct {
        uint32_t min_pixels, w, h;
    } cases[] = {
        {0, 512, 384},                   /* full resolution, as before */
        {1, 64, 48},                     /* 1/8 */
        {64 * 48, 64, 48},               /* exactly enough at 1/8 */
        {64 * 48 + 1, 128, 96},          /* 1/4 */
        {128 * 96, 128, 96},             /* exactly enough at 1/4 */
        {128 * 96 + 1, 256, 192},        /* 1/2 */
        {256 * 192 + 1, 512, 384},       /* full */
        {512 * 384, 512, 384},           /* exactly the image */
        {512 * 384 + 1, 512, 384},       /* more than the image has: full size */
        {UINT32_MAX, 512, 384},
    };
    const uint32_t w = 512, h = 384;
    uint8_t *src = smooth_pattern(w, h);
    size_t len;
    uint8_t *jpeg = encode_jpeg(src, w, h, 0, TG_JPEG_YCC, &len);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ct_image img;
        decode_jpeg_with(jpeg, len, cases[i].min_pixels, &img);
        ck_assert_msg(img.width == cases[i].w && img.height == cases[i].h,
                      "min_pixels %u: got %ux%u, want %ux%u", (unsigned)cases[i].min_pixels,
                      (unsigned)img.width, (unsigned)img.height, (unsigned)cases[i].w,
                      (unsigned)cases[i].h);
        ct_image_free(&img);
    }
    free(jpeg);
    free(src);
}
END_TEST

/* min_pixels 0 is the old behaviour bit for bit; a scaled decode is close to a box average
 * of the full decode, at every reduction, and is deterministic. _i: progressive. */
START_TEST(test_jpeg_scaled_matches_box_average)
{
    int progressive = _i;
    const uint32_t w = 512, h = 384;
    uint8_t *src = smooth_pattern(w, h);
    size_t len;
    uint8_t *jpeg = encode_jpeg(src, w, h, progressive, TG_JPEG_YCC, &len);
    ct_image full, unscaled;
    decode_ok(jpeg, len, COVERTHEME_IMAGE_JPEG, &full);
    decode_jpeg_with(jpeg, len, 0, &unscaled);
    assert_pixels_equal(&unscaled, full.rgba, w, h);

    static const uint32_t denoms[] = {2, 4, 8};
    for (size_t i = 0; i < sizeof denoms / sizeof denoms[0]; i++) {
        uint32_t d = denoms[i], ow = w / d, oh = h / d;
        uint8_t *expected = box_average(full.rgba, w, h, d);
        ct_image img, again;
        decode_jpeg_with(jpeg, len, ow * oh, &img);
        assert_rgb_close(&img, expected, ow, oh, 4, 0.8);
        decode_jpeg_with(jpeg, len, ow * oh, &again);
        assert_pixels_equal(&again, img.rgba, ow, oh);
        ct_image_free(&again);
        ct_image_free(&img);
        free(expected);
    }
    ct_image_free(&unscaled);
    ct_image_free(&full);
    free(jpeg);
    free(src);
}
END_TEST

/* Sides that are not multiples of 8: each scaled side is rounded up, as libjpeg reports. */
START_TEST(test_jpeg_scaled_odd_sizes)
{
    static const struct {
        uint32_t w, h;
    } sizes[] = {{333, 111}, {17, 9}, {1, 1}, {3, 40}};
    uint32_t w = sizes[_i].w, h = sizes[_i].h;
    uint8_t *src = smooth_pattern(w, h);
    size_t len;
    uint8_t *jpeg = encode_jpeg(src, w, h, 0, TG_JPEG_YCC, &len);
    ct_image full;
    decode_ok(jpeg, len, COVERTHEME_IMAGE_JPEG, &full);
    for (uint32_t d = 8; d >= 2; d /= 2) {
        uint32_t ow = (w + d - 1) / d, oh = (h + d - 1) / d;
        ct_image img;
        decode_jpeg_with(jpeg, len, ow * oh, &img);
        /* The same pixel count may be reached at a larger d too (tiny images): only
         * require that size and pixel count are consistent with some d' >= d. */
        ck_assert_uint_ge((uint64_t)img.width * img.height, (uint64_t)ow * oh);
        ck_assert_uint_le(img.width, ow);
        ck_assert_uint_le(img.height, oh);
        uint32_t got_d = 1;
        while (got_d < 8 && ((w + got_d - 1) / got_d != img.width ||
                             (h + got_d - 1) / got_d != img.height))
            got_d *= 2;
        ck_assert_msg((w + got_d - 1) / got_d == img.width &&
                          (h + got_d - 1) / got_d == img.height,
                      "%ux%u at min_pixels %u gave %ux%u, not a ceil(side/d) size",
                      (unsigned)w, (unsigned)h, (unsigned)(ow * oh), (unsigned)img.width,
                      (unsigned)img.height);
        uint8_t *expected = box_average(full.rgba, w, h, got_d);
        assert_rgb_close(&img, expected, img.width, img.height, 12, 4.0);
        free(expected);
        ct_image_free(&img);
    }
    ct_image_free(&full);
    free(jpeg);
    free(src);
}
END_TEST

/* 333x111 in particular: 42x14 at 1/8, 84x28 at 1/4, 167x56 at 1/2. */
START_TEST(test_jpeg_scaled_333x111)
{
    const uint32_t w = 333, h = 111;
    uint8_t *src = smooth_pattern(w, h);
    size_t len;
    uint8_t *jpeg = encode_jpeg(src, w, h, 0, TG_JPEG_YCC, &len);
    static const uint32_t want[][3] = {
        {1, 42, 14}, {42 * 14, 42, 14}, {42 * 14 + 1, 84, 28}, {84 * 28 + 1, 167, 56},
        {167 * 56 + 1, 333, 111},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        ct_image img;
        decode_jpeg_with(jpeg, len, want[i][0], &img);
        assert_size(&img, want[i][1], want[i][2]);
        ct_image_free(&img);
    }
    free(jpeg);
    free(src);
}
END_TEST

/* CMYK and YCCK, baseline and progressive, scaled to 1/4: converted like the full decode.
 * _i as in test_jpeg_cmyk. */
START_TEST(test_jpeg_cmyk_scaled)
{
    int space = _i % 2 ? TG_JPEG_YCCK : TG_JPEG_CMYK, progressive = _i / 2;
    const uint32_t w = 96, h = 64, d = 4;
    uint8_t *src = smooth_pattern(w, h);
    size_t len;
    uint8_t *jpeg = encode_jpeg(src, w, h, progressive, space, &len);
    ct_image full, img;
    decode_ok(jpeg, len, COVERTHEME_IMAGE_JPEG, &full);
    decode_jpeg_with(jpeg, len, (w / d) * (h / d), &img);
    uint8_t *from_full = box_average(full.rgba, w, h, d);
    uint8_t *from_src = box_average(src, w, h, d);
    assert_rgb_close(&img, from_full, w / d, h / d, 4, 1.0);
    assert_rgb_close(&img, from_src, w / d, h / d, 8, 1.5);
    free(from_src);
    free(from_full);
    ct_image_free(&img);
    ct_image_free(&full);
    free(jpeg);
    free(src);
}
END_TEST

/* max_pixels is checked on the full size, whatever min_pixels would allow. */
START_TEST(test_jpeg_scaled_still_limited)
{
    const uint32_t w = 40, h = 30;
    encoded_set s;
    encode_all(&s, w, h);
    static const uint32_t mins[] = {1, 5 * 4, 10 * 8, 40 * 30};
    for (size_t i = 0; i < sizeof mins / sizeof mins[0]; i++) {
        ct_decode_limits tight = {.max_pixels = (uint64_t)w * h - 1, .min_pixels = mins[i]};
        expect_failure(s.jpeg, s.jpeg_len, &tight, COVERTHEME_ERR_LIMIT_EXCEEDED, "40x30");
    }
    free_all(&s);
}
END_TEST

/* PNG and WebP ignore min_pixels and return full resolution. */
START_TEST(test_png_webp_ignore_min_pixels)
{
    const uint32_t w = 40, h = 30;
    encoded_set s;
    encode_all(&s, w, h);
    ct_decode_limits lim = scaled_limits(1);
    const uint8_t *data[] = {s.png, s.webp};
    size_t lens[] = {s.png_len, s.webp_len};
    for (int i = 0; i < 2; i++) {
        ct_image img;
        ct_err err = {""};
        ck_assert_int_eq(ct_decode(data[i], lens[i], &lim, &img, &err), COVERTHEME_OK);
        assert_pixels_equal(&img, s.src, w, h);
        ct_image_free(&img);
    }
    free_all(&s);
}
END_TEST

/* Truncation is still COVERTHEME_ERR_CORRUPT_IMAGE when decoding scaled.
 * _i: progressive * 3 + cut (0: 50%, 1: 90%, 2: without EOI). */
START_TEST(test_jpeg_scaled_truncated)
{
    int progressive = _i / 3, which = _i % 3;
    const uint32_t w = 64, h = 48;
    uint8_t *src = colour_pattern(w, h);
    make_opaque(src, w, h);
    size_t len;
    uint8_t *jpeg = encode_jpeg(src, w, h, progressive, TG_JPEG_YCC, &len);
    size_t cuts[] = {len / 2, len * 9 / 10, len - 2};
    uint8_t *copy = malloc(cuts[which]); /* exact size, for ASan */
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, jpeg, cuts[which]);
    static const uint32_t mins[] = {1, 16 * 12, 32 * 24};
    for (size_t i = 0; i < sizeof mins / sizeof mins[0]; i++) {
        ct_decode_limits lim = scaled_limits(mins[i]);
        expect_failure(copy, cuts[which], &lim, COVERTHEME_ERR_CORRUPT_IMAGE, "JPEG: ");
    }
    free(copy);
    free(jpeg);
    free(src);
}
END_TEST

START_TEST(test_image_free)
{
    ct_image img = {3, 4, COVERTHEME_IMAGE_PNG, malloc(48)};
    ck_assert_ptr_nonnull(img.rgba);
    ct_image_free(&img);
    assert_zeroed(&img);
    ct_image_free(&img); /* twice is harmless */
    ct_image_free(NULL);
}
END_TEST

#define COUNT_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))

static TCase *png_cases(void)
{
    TCase *tc = tcase_create("png");
    tcase_add_loop_test(tc, test_png_grey_depths, 0, COUNT_OF(grey_depths));
    tcase_add_loop_test(tc, test_png_grey_alpha, 0, COUNT_OF(alpha_depths));
    tcase_add_loop_test(tc, test_png_rgb, 0, COUNT_OF(alpha_depths));
    tcase_add_loop_test(tc, test_png_rgba, 0, COUNT_OF(alpha_depths));
    tcase_add_loop_test(tc, test_png_palette, 0, 2 * COUNT_OF(palette_depths));
    tcase_add_test(tc, test_png_palette_rejects_too_many_colours);
    tcase_add_loop_test(tc, test_png_rgb_colour_key, 0, COUNT_OF(alpha_depths));
    tcase_add_loop_test(tc, test_png_grey_colour_key, 0, COUNT_OF(grey_depths));
    tcase_add_loop_test(tc, test_png_adam7, 0, COUNT_OF(interlaced_cases));
    tcase_add_loop_test(tc, test_png_covers_roundtrip, 0, tg_cover_count());
    return tc;
}

static TCase *jpeg_webp_cases(void)
{
    TCase *tc = tcase_create("jpeg_webp");
    tcase_add_loop_test(tc, test_jpeg_colour, 0, 2);
    tcase_add_loop_test(tc, test_jpeg_grey, 0, 2);
    tcase_add_loop_test(tc, test_jpeg_cmyk, 0, 4);
    tcase_add_test(tc, test_jpeg_cmyk_without_adobe_marker);
    tcase_add_loop_test(tc, test_jpeg_odd_sizes, 0, 3);
    tcase_add_test(tc, test_webp_lossless);
    tcase_add_test(tc, test_webp_lossy);
    tcase_add_test(tc, test_webp_single_pixel);
    tcase_add_test(tc, test_webp_animated_is_unsupported);
    return tc;
}

static TCase *jpeg_scaled_cases(void)
{
    TCase *tc = tcase_create("jpeg_scaled");
    tcase_add_test(tc, test_jpeg_scale_picks_denominator);
    tcase_add_loop_test(tc, test_jpeg_scaled_matches_box_average, 0, 2);
    tcase_add_loop_test(tc, test_jpeg_scaled_odd_sizes, 0, 4);
    tcase_add_test(tc, test_jpeg_scaled_333x111);
    tcase_add_loop_test(tc, test_jpeg_cmyk_scaled, 0, 4);
    tcase_add_test(tc, test_jpeg_scaled_still_limited);
    tcase_add_test(tc, test_png_webp_ignore_min_pixels);
    tcase_add_loop_test(tc, test_jpeg_scaled_truncated, 0, 6);
    return tc;
}

static TCase *sniff_and_error_cases(void)
{
    TCase *tc = tcase_create("errors");
    tcase_add_test(tc, test_sniff_by_content);
    tcase_add_test(tc, test_sniff_ignores_file_names);
    tcase_add_test(tc, test_empty_input);
    tcase_add_loop_test(tc, test_unsupported_formats_are_named, 0, COUNT_OF(foreign_cases));
    tcase_add_test(tc, test_random_bytes_are_unknown);
    tcase_add_test(tc, test_short_inputs_are_unsupported);
    tcase_add_loop_test(tc, test_png_truncated, 0, 5);
    tcase_add_loop_test(tc, test_png_bad_crc, 0, 2);
    tcase_add_loop_test(tc, test_jpeg_truncated, 0, 6);
    tcase_add_test(tc, test_jpeg_header_only);
    tcase_add_loop_test(tc, test_webp_truncated, 0, 4);
    tcase_add_loop_test(tc, test_signature_then_junk, 0, 3);
    tcase_add_test(tc, test_decoders_reject_other_formats);
    tcase_add_loop_test(tc, test_max_pixels, 0, 3);
    tcase_add_test(tc, test_png_side_over_limit);
    tcase_add_test(tc, test_image_free);
    return tc;
}

Suite *suite_decode(void)
{
    Suite *s = suite_create("decode");
    suite_add_tcase(s, png_cases());
    suite_add_tcase(s, jpeg_webp_cases());
    suite_add_tcase(s, jpeg_scaled_cases());
    suite_add_tcase(s, sniff_and_error_cases());
    return s;
}
