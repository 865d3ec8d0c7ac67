/* Sampled decoding (ct_decode_sampled) against its definition: sampling the full decode.
 *
 * For every image the other suites make (PNG of every colour type, depth, tRNS and
 * interlacing; JPEG of every colour space, baseline and progressive, at every DCT scale;
 * WebP lossless, lossy and with alpha; every synthetic cover in each format) and for many
 * sample budgets, ct_decode_sampled must return the samples ct_sample_image takes from
 * ct_decode's image, byte for byte and in the same order, with and without an arena; and
 * where ct_decode fails, the same code and message. JPEG also gets every chroma sampling
 * layout libjpeg can write, because the sampled path skips rows with jpeg_skip_scanlines
 * and libjpeg-turbo's skipping depends on the layout. Each also goes through the decode that
 * counts colours meanwhile (ts_check_streamed, test_hist_stream.c). Then: an arena is reused without new
 * heap chunks, and a PNG never needs memory in proportion to its pixel count. */
#include <check.h>
#include <stdio.h> /* jpeglib.h needs FILE */
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

#include "../core/arena.h"
#include "../core/decode.h"
#include "../core/pool.h"
#include "../core/sample.h"
#include "covers.h"
#include "imggen.h"
#include "suites.h"

#define COUNT_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const ct_decode_limits generous_limits = {.max_pixels = UINT64_C(100000000)};

/* ---- The cross-check ---------------------------------------------------------------- */

static uint32_t grid_points(uint32_t w, uint32_t h, uint32_t step)
{
    return ((w + step - 1) / step) * ((h + step - 1) / step);
}

/* The budgets tried on a w x h image: fixed ones (one sample, a few, the library default,
 * more than there are pixels) and, for each grid step 1..12, the budget that picks it, so
 * every short run of unwanted rows between grid rows is exercised. Returns the count. */
#define MAX_BUDGETS 20
static int budgets_for(uint32_t w, uint32_t h, uint32_t budgets[MAX_BUDGETS])
{
    int n = 0;
    static const uint32_t fixed[] = {1, 7, 1000, 65536};
    for (int i = 0; i < COUNT_OF(fixed); i++)
        budgets[n++] = fixed[i];
    budgets[n++] = w * h + 1;
    for (uint32_t step = 1; step <= 12; step++)
        budgets[n++] = grid_points(w, h, step);
    return n;
}

static void assert_samples_equal(const ct_samples *want, const ct_samples *got,
                                 uint32_t budget)
{
    ck_assert_msg(got->n == want->n && got->step == want->step,
                  "budget %u: %u samples at step %u, want %u at step %u", (unsigned)budget,
                  (unsigned)got->n, (unsigned)got->step, (unsigned)want->n,
                  (unsigned)want->step);
    if (want->n == 0) {
        ck_assert_ptr_null(got->rgb);
        return;
    }
    if (memcmp(got->rgb, want->rgb, (size_t)want->n * 3) == 0)
        return;
    /* Check records every assertion it passes, so only a mismatch is looked at per sample. */
    uint32_t i = 0;
    while (memcmp(got->rgb + (size_t)i * 3, want->rgb + (size_t)i * 3, 3) == 0)
        i++;
    const uint8_t *g = got->rgb + (size_t)i * 3, *w = want->rgb + (size_t)i * 3;
    ck_abort_msg("budget %u, sample %u: got %u,%u,%u want %u,%u,%u", (unsigned)budget,
                 (unsigned)i, g[0], g[1], g[2], w[0], w[1], w[2]);
}

/* One sampled decode that must fail exactly like ct_decode did, leaving zeroed output. */
static void expect_same_failure(const uint8_t *data, size_t len, const ct_decode_limits *lim,
                                ct_arena *arena, uint32_t budget, int code, const char *msg)
{
    ct_samples got;
    ct_decoded_info info;
    memset(&got, 0xAB, sizeof got);
    memset(&info, 0xAB, sizeof info);
    ct_err err = {""};
    int rc = ct_decode_sampled(data, len, lim, arena, budget, &info, &got, &err);
    ck_assert_msg(rc == code, "budget %u: expected %d (%s), got %d (%s)", (unsigned)budget, code,
                  msg, rc, err.msg);
    ck_assert_str_eq(err.msg, msg);
    ck_assert_uint_eq(got.n, 0);
    ck_assert_uint_eq(got.step, 0);
    ck_assert_ptr_null(got.rgb);
    ck_assert_ptr_null(got.arena);
    ck_assert_uint_eq(info.width, 0);
    ck_assert_uint_eq(info.height, 0);
    ck_assert_int_eq(info.format, 0);
}

/* One sampled decode that must give `want` for `img`. */
static void expect_same_samples(const uint8_t *data, size_t len, const ct_decode_limits *lim,
                                ct_arena *arena, uint32_t budget, const ct_image *img,
                                const ct_samples *want)
{
    ct_samples got;
    ct_decoded_info info;
    ct_err err = {""};
    int rc = ct_decode_sampled(data, len, lim, arena, budget, &info, &got, &err);
    ck_assert_msg(rc == COVERTHEME_OK, "budget %u: sampled decode failed: %d (%s)",
                  (unsigned)budget, rc, err.msg);
    ck_assert_uint_eq(info.width, img->width);
    ck_assert_uint_eq(info.height, img->height);
    ck_assert_int_eq(info.format, img->format);
    ck_assert_ptr_eq(got.arena, arena);
    assert_samples_equal(want, &got, budget);
    ct_samples_free(&got);
}

void ts_check_sampled(const uint8_t *data, size_t len, const ct_decode_limits *lim)
{
    ct_arena arena;
    ct_arena_init(&arena);
    ct_image img;
    ct_err ref_err = {""};
    int ref_rc = ct_decode(data, len, lim, &img, &ref_err);
    uint32_t budgets[MAX_BUDGETS];
    /* A failed decode has no size: its budgets only need to span small and large steps. */
    int n = budgets_for(ref_rc == COVERTHEME_OK ? img.width : 64,
                        ref_rc == COVERTHEME_OK ? img.height : 64, budgets);
    ct_pool *pool = ct_pool_create(2);
    ck_assert_ptr_nonnull(pool);
    for (int i = 0; i < n; i++) {
        /* The histogram counted during the decode: same result (test_hist_stream.c), for a few
         * budgets (few samples, the library default, every second row) with bins from 32
         * colours. */
        if (i == 1 || i == 3 || i == 6)
            ts_check_streamed(data, len, lim, budgets[i], 32, pool);
        /* Heap and arena take turns: both are covered without doubling the work. */
        ct_arena_reset(&arena);
        ct_arena *a = i % 2 ? &arena : NULL;
        if (ref_rc != COVERTHEME_OK) {
            expect_same_failure(data, len, lim, a, budgets[i], ref_rc, ref_err.msg);
            continue;
        }
        ct_samples want;
        ck_assert_int_eq(ct_sample_image(&img, budgets[i], &want, NULL), COVERTHEME_OK);
        expect_same_samples(data, len, lim, a, budgets[i], &img, &want);
        ct_samples_free(&want);
    }
    ct_pool_destroy(pool);
    ct_image_free(&img);
    ct_arena_destroy(&arena);
}

/* ---- Test pictures ------------------------------------------------------------------ */

static uint8_t *alloc_rgba(uint32_t w, uint32_t h)
{
    uint8_t *px = malloc((size_t)w * h * 4);
    ck_assert_ptr_nonnull(px);
    return px;
}

/* tg_colour_pattern (imggen.h), never NULL. */
static uint8_t *colour_pattern(uint32_t w, uint32_t h)
{
    uint8_t *px = tg_colour_pattern(w, h);
    ck_assert_ptr_nonnull(px);
    return px;
}

/* At most `colours` distinct RGBA values, for palette PNGs. */
static uint8_t *palette_pattern(uint32_t w, uint32_t h, unsigned colours)
{
    uint8_t *px = alloc_rgba(w, h);
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            unsigned k = (x + 3 * y) % colours;
            uint8_t *p = px + ((size_t)y * w + x) * 4;
            p[0] = (uint8_t)(k * 37 + 11);
            p[1] = (uint8_t)(k * 91 + 7);
            p[2] = (uint8_t)(k * 53 + 200);
            p[3] = (uint8_t)(255 - (k * 29) % 230);
        }
    return px;
}

static void check_png(const uint8_t *rgba, uint32_t w, uint32_t h, tg_png_opts opts)
{
    uint8_t *png = NULL;
    size_t len = 0;
    ck_assert_msg(tg_png_encode(rgba, w, h, &opts, &png, &len) == 0,
                  "encode type %d depth %d failed", opts.color_type, opts.bit_depth);
    ts_check_sampled(png, len, &generous_limits);
    free(png);
}

static void check_jpeg(const uint8_t *rgba, uint32_t w, uint32_t h, int progressive, int space,
                       uint32_t min_pixels)
{
    uint8_t *jpeg = NULL;
    size_t len = 0;
    ck_assert_int_eq(tg_jpeg_encode(rgba, w, h, 90, progressive, space, &jpeg, &len), 0);
    ct_decode_limits lim = {.max_pixels = UINT64_C(100000000), .min_pixels = min_pixels};
    ts_check_sampled(jpeg, len, &lim);
    free(jpeg);
}

static void check_webp(const uint8_t *rgba, uint32_t w, uint32_t h, int lossless)
{
    uint8_t *webp = NULL;
    size_t len = 0;
    ck_assert_int_eq(tg_webp_encode(rgba, w, h, lossless, 80.0f, &webp, &len), 0);
    ts_check_sampled(webp, len, &generous_limits);
    free(webp);
}

/* ---- PNG ---------------------------------------------------------------------------- */

/* Every colour type at every depth, with and without tRNS where PNG allows it. */
static const tg_png_opts png_layouts[] = {
    {TG_PNG_GREY, 1, 0, 0},        {TG_PNG_GREY, 2, 0, 0},       {TG_PNG_GREY, 4, 0, 0},
    {TG_PNG_GREY, 8, 0, 0},        {TG_PNG_GREY, 16, 0, 0},      {TG_PNG_GREY, 1, 0, 1},
    {TG_PNG_GREY, 2, 0, 1},        {TG_PNG_GREY, 4, 0, 1},       {TG_PNG_GREY, 8, 0, 1},
    {TG_PNG_GREY, 16, 0, 1},       {TG_PNG_GREY_ALPHA, 8, 0, 0}, {TG_PNG_GREY_ALPHA, 16, 0, 0},
    {TG_PNG_RGB, 8, 0, 0},         {TG_PNG_RGB, 16, 0, 0},       {TG_PNG_RGB, 8, 0, 1},
    {TG_PNG_RGB, 16, 0, 1},        {TG_PNG_RGBA, 8, 0, 0},       {TG_PNG_RGBA, 16, 0, 0},
    {TG_PNG_PALETTE, 1, 0, 0},     {TG_PNG_PALETTE, 2, 0, 0},    {TG_PNG_PALETTE, 4, 0, 0},
    {TG_PNG_PALETTE, 8, 0, 0},     {TG_PNG_PALETTE, 1, 0, 1},    {TG_PNG_PALETTE, 2, 0, 1},
    {TG_PNG_PALETTE, 4, 0, 1},     {TG_PNG_PALETTE, 8, 0, 1},
};

/* Sizes smaller than an Adam7 block leave passes empty; odd widths end rows in padding. */
static const uint32_t png_sizes[][2] = {{37, 23}, {13, 7}, {3, 3}, {1, 1}, {2, 11}, {64, 64},
                                        {9, 130}};

/* _i: layout * 2 + interlaced. */
START_TEST(test_png_layouts)
{
    tg_png_opts opts = png_layouts[_i / 2];
    opts.interlace = _i % 2;
    for (int s = 0; s < COUNT_OF(png_sizes); s++) {
        uint32_t w = png_sizes[s][0], h = png_sizes[s][1];
        uint8_t *src = opts.color_type == TG_PNG_PALETTE
                           ? palette_pattern(w, h, 1u << opts.bit_depth)
                           : colour_pattern(w, h);
        check_png(src, w, h, opts);
        free(src);
    }
}
END_TEST

/* _i: cover * 2 + interlaced; RGBA8, so transparent covers keep their alpha. */
START_TEST(test_png_covers)
{
    uint32_t w, h;
    uint8_t *src = NULL;
    ck_assert_int_eq(tg_cover_make(_i / 2, &w, &h, &src), 0);
    check_png(src, w, h, (tg_png_opts){TG_PNG_RGBA, 8, _i % 2, 0});
    free(src);
}
END_TEST

/* ---- JPEG --------------------------------------------------------------------------- */

static const uint32_t jpeg_sizes[][2] = {{64, 48}, {333, 111}, {17, 9}, {3, 40}, {1, 1},
                                         {100, 77}};

/* min_pixels values that select each DCT scale of a w x h image (0: full size). */
static void scale_choices(uint32_t w, uint32_t h, uint32_t out[4])
{
    out[0] = 0;
    for (uint32_t i = 1, d = 8; i < 4; i++, d /= 2)
        out[i] = grid_points(w, h, d);
}

/* _i: colour space (enum tg_jpeg_space) * 2 + progressive; every size and scale. */
START_TEST(test_jpeg_spaces)
{
    int space = _i / 2, progressive = _i % 2;
    for (int s = 0; s < COUNT_OF(jpeg_sizes); s++) {
        uint32_t w = jpeg_sizes[s][0], h = jpeg_sizes[s][1];
        uint8_t *src = colour_pattern(w, h);
        uint32_t mins[4];
        scale_choices(w, h, mins);
        for (int m = 0; m < 4; m++)
            check_jpeg(src, w, h, progressive, space, mins[m]);
        free(src);
    }
}
END_TEST

/* _i: cover * 2 + progressive; full size and scaled as generate.c asks (4 x a budget). */
START_TEST(test_jpeg_covers)
{
    uint32_t w, h;
    uint8_t *src = NULL;
    ck_assert_int_eq(tg_cover_make(_i / 2, &w, &h, &src), 0);
    check_jpeg(src, w, h, _i % 2, TG_JPEG_YCC, 0);
    check_jpeg(src, w, h, _i % 2, TG_JPEG_YCC, 4 * 1000);
    free(src);
}
END_TEST

/* Luma sampling factors (chroma stays 1x1): 4:4:4, 4:2:2, 4:4:0, 4:2:0, 4:1:1 and the
 * rarer layouts libjpeg accepts, including vertical factors of 3 and 4. */
static const int jpeg_layouts[][2] = {{1, 1}, {2, 1}, {1, 2}, {2, 2}, {4, 1}, {1, 4},
                                      {3, 1}, {1, 3}, {3, 2}, {4, 2}, {2, 4}};

/* A YCbCr JPEG with luma sampled h x v, from colour_pattern (no alpha in JPEG). Test-only:
 * libjpeg's default error handler exits, which Check reports as a failed test. */
static uint8_t *encode_jpeg_layout(uint32_t w, uint32_t h, int hs, int vs, int progressive,
                                   unsigned long *len)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr jerr;
    c.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&c);
    uint8_t *out = NULL;
    *len = 0;
    jpeg_mem_dest(&c, &out, len);
    c.image_width = w;
    c.image_height = h;
    c.input_components = 3;
    c.in_color_space = JCS_RGB;
    jpeg_set_defaults(&c);
    c.comp_info[0].h_samp_factor = hs;
    c.comp_info[0].v_samp_factor = vs;
    for (int ci = 1; ci < 3; ci++)
        c.comp_info[ci].h_samp_factor = c.comp_info[ci].v_samp_factor = 1;
    jpeg_set_quality(&c, 90, TRUE);
    if (progressive)
        jpeg_simple_progression(&c);
    jpeg_start_compress(&c, TRUE);
    uint8_t *rgba = colour_pattern(w, h), *row = malloc((size_t)w * 3);
    ck_assert_ptr_nonnull(row);
    while (c.next_scanline < h) {
        const uint8_t *src = rgba + (size_t)c.next_scanline * w * 4;
        for (uint32_t x = 0; x < w; x++)
            memcpy(row + x * 3, src + x * 4, 3);
        JSAMPROW r = row;
        jpeg_write_scanlines(&c, &r, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    free(row);
    free(rgba);
    return out;
}

static const uint32_t layout_sizes[][2] = {{64, 48}, {31, 200}, {100, 77}, {3, 40}, {70, 1}};

/* _i: layout * 2 + progressive; every size and DCT scale. */
START_TEST(test_jpeg_sampling_layouts)
{
    const int *f = jpeg_layouts[_i / 2];
    for (int s = 0; s < COUNT_OF(layout_sizes); s++) {
        uint32_t w = layout_sizes[s][0], h = layout_sizes[s][1];
        unsigned long len;
        uint8_t *jpeg = encode_jpeg_layout(w, h, f[0], f[1], _i % 2, &len);
        uint32_t mins[4];
        scale_choices(w, h, mins);
        for (int m = 0; m < 4; m++) {
            ct_decode_limits lim = {.max_pixels = UINT64_C(100000000), .min_pixels = mins[m]};
            ts_check_sampled(jpeg, len, &lim);
        }
        free(jpeg);
    }
}
END_TEST

/* ---- WebP --------------------------------------------------------------------------- */

/* _i: cover * 2 + lossless. Lossless keeps alpha exactly; lossy stores it too. */
START_TEST(test_webp_covers)
{
    uint32_t w, h;
    uint8_t *src = NULL;
    ck_assert_int_eq(tg_cover_make(_i / 2, &w, &h, &src), 0);
    check_webp(src, w, h, _i % 2);
    free(src);
}
END_TEST

/* Alpha from 0 to 255 in both modes, at a few sizes including one pixel. */
START_TEST(test_webp_alpha)
{
    static const uint32_t sizes[][2] = {{33, 27}, {1, 1}, {64, 48}, {5, 90}};
    for (int s = 0; s < COUNT_OF(sizes); s++) {
        uint8_t *src = colour_pattern(sizes[s][0], sizes[s][1]);
        check_webp(src, sizes[s][0], sizes[s][1], _i);
        free(src);
    }
}
END_TEST

/* ---- Failures ----------------------------------------------------------------------- */

typedef struct encoded {
    uint8_t *data;
    size_t len;
} encoded;

/* _i: 0 PNG, 1 interlaced PNG, 2 JPEG, 3 progressive JPEG, 4 lossless WebP, 5 lossy WebP. */
static encoded encode_kind(int kind, const uint8_t *rgba, uint32_t w, uint32_t h)
{
    encoded e = {NULL, 0};
    int rc;
    if (kind < 2)
        rc = tg_png_encode(rgba, w, h, &(tg_png_opts){TG_PNG_RGBA, 8, kind, 0}, &e.data, &e.len);
    else if (kind < 4)
        rc = tg_jpeg_encode(rgba, w, h, 90, kind - 2, TG_JPEG_YCC, &e.data, &e.len);
    else
        rc = tg_webp_encode(rgba, w, h, kind == 4, 80.0f, &e.data, &e.len);
    ck_assert_int_eq(rc, 0);
    return e;
}

/* Cut anywhere, from inside the signature to one byte short: every cut fails (or, where
 * the codec tolerates it, succeeds) exactly as ct_decode does. Exact-size copies let ASan
 * catch a read past the cut. */
START_TEST(test_truncated)
{
    const uint32_t w = 48, h = 40;
    uint8_t *src = colour_pattern(w, h);
    encoded e = encode_kind(_i, src, w, h);
    for (size_t k = 1; k <= 40; k++) {
        size_t cut = e.len * k / 41;
        uint8_t *copy = malloc(cut ? cut : 1);
        ck_assert_ptr_nonnull(copy);
        memcpy(copy, e.data, cut);
        ts_check_sampled(copy, cut, &generous_limits);
        free(copy);
    }
    for (size_t short_by = 1; short_by <= 12; short_by++) {
        uint8_t *copy = malloc(e.len - short_by);
        ck_assert_ptr_nonnull(copy);
        memcpy(copy, e.data, e.len - short_by);
        ts_check_sampled(copy, e.len - short_by, &generous_limits);
        free(copy);
    }
    free(e.data);
    free(src);
}
END_TEST

/* Flipped bits all over the file: damaged pixels, checksums, markers and headers. */
START_TEST(test_corrupt)
{
    const uint32_t w = 40, h = 32;
    uint8_t *src = colour_pattern(w, h);
    encoded e = encode_kind(_i, src, w, h);
    for (size_t k = 1; k < 24; k++) {
        uint8_t *copy = malloc(e.len);
        ck_assert_ptr_nonnull(copy);
        memcpy(copy, e.data, e.len);
        copy[e.len * k / 24] ^= (uint8_t)(0x11 << (k % 4));
        ts_check_sampled(copy, e.len, &generous_limits);
        free(copy);
    }
    free(e.data);
    free(src);
}
END_TEST

/* One pixel over max_pixels, exactly at it, a side alone over it; with min_pixels too. */
START_TEST(test_limits)
{
    const uint32_t w = 40, h = 30;
    uint8_t *src = colour_pattern(w, h);
    encoded e = encode_kind(_i, src, w, h);
    static const uint64_t maxes[] = {40 * 30 - 1, 40 * 30, 39, 29, 1, 0};
    for (int m = 0; m < COUNT_OF(maxes); m++)
        for (uint32_t min_pixels = 0; min_pixels <= 100; min_pixels += 100) {
            ct_decode_limits lim = {.max_pixels = maxes[m], .min_pixels = min_pixels};
            ts_check_sampled(e.data, e.len, &lim);
        }
    ts_check_sampled(e.data, e.len, NULL); /* the default limits */
    free(e.data);
    free(src);
}
END_TEST

/* Not an image we read, or nothing at all. */
START_TEST(test_unsupported_and_empty)
{
    static const struct {
        const char *bytes;
        size_t len;
    } inputs[] = {
        {"GIF89a\x10\x00\x10\x00\x80\x00\x00", 13}, {"BM\x36\x03\x00\x00", 6},
        {"\x89PNG\r\n\x1A\n\x00\x00", 10},          {"\xFF\xD8\xFF\xE0\x00", 5},
        {"RIFF\x10\x00\x00\x00WEBPVP8 ", 16},       {"\x5A\x01\x02", 3},
        {"", 0},
    };
    for (int i = 0; i < COUNT_OF(inputs); i++) {
        size_t len = inputs[i].len;
        uint8_t *copy = malloc(len ? len : 1);
        ck_assert_ptr_nonnull(copy);
        memcpy(copy, inputs[i].bytes, len);
        ts_check_sampled(copy, len, &generous_limits);
        free(copy);
    }
    ts_check_sampled(NULL, 0, &generous_limits);
}
END_TEST

START_TEST(test_invalid_arguments)
{
    uint8_t *src = colour_pattern(8, 8);
    encoded e = encode_kind(0, src, 8, 8);
    ct_samples s;
    ct_decoded_info info;
    ct_err err = {""};
    ck_assert_int_eq(ct_decode_sampled(e.data, e.len, NULL, NULL, 0, &info, &s, &err),
                     COVERTHEME_ERR_INVALID_ARGUMENT);
    ck_assert_str_eq(err.msg, "sampling: empty image"); /* ct_sample_image's words */
    ck_assert_ptr_null(s.rgb);
    ck_assert_int_eq(ct_decode_sampled(e.data, e.len, NULL, NULL, 10, NULL, &s, &err),
                     COVERTHEME_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(ct_decode_sampled(e.data, e.len, NULL, NULL, 10, &info, NULL, &err),
                     COVERTHEME_ERR_INVALID_ARGUMENT);
    free(e.data);
    free(src);
}
END_TEST

/* ---- Memory ------------------------------------------------------------------------- */

/* The same decode again after a reset takes no new chunk from the heap: everything the
 * first one needed (libspng's context and zlib state included, for PNG) fits the chunk
 * the reset kept. _i: encode_kind. */
START_TEST(test_arena_reuse)
{
    uint32_t w, h;
    uint8_t *src = NULL;
    ck_assert_int_eq(tg_cover_make(tg_cover_find("hue_wheel"), &w, &h, &src), 0);
    encoded e = encode_kind(_i, src, w, h);
    ct_arena arena;
    ct_arena_init(&arena);
    ct_samples first, second;
    ct_decoded_info info;
    ct_err err = {""};
    ck_assert_int_eq(ct_decode_sampled(e.data, e.len, NULL, &arena, 4096, &info, &first, &err),
                     COVERTHEME_OK);
    /* Keep the first result for comparison: it is invalid after the reset. */
    uint8_t *kept = malloc((size_t)first.n * 3);
    ck_assert_ptr_nonnull(kept);
    memcpy(kept, first.rgb, (size_t)first.n * 3);
    ct_samples_free(&first); /* arena-owned: only clears the struct */
    ck_assert_ptr_null(first.rgb);

    ct_arena_reset(&arena);
    uint64_t chunks = arena.heap_allocs;
    ck_assert_int_eq(ct_decode_sampled(e.data, e.len, NULL, &arena, 4096, &info, &second, &err),
                     COVERTHEME_OK);
    ck_assert_uint_eq(arena.heap_allocs, chunks);
    ck_assert_ptr_eq(second.arena, &arena);
    ck_assert_uint_gt(second.n, 0);
    ck_assert_int_eq(memcmp(second.rgb, kept, (size_t)second.n * 3), 0);
    ct_samples_free(&second);
    free(kept);
    ct_arena_destroy(&arena);
    free(e.data);
    free(src);
}
END_TEST

/* A PNG decodes row by row: everything the sampled decode asks of the arena (libspng's
 * state, one row, the sample grid) stays far below the image's RGBA size. _i: interlaced. */
START_TEST(test_png_memory_is_rows_only)
{
    const uint32_t w = 1200, h = 900;
    uint8_t *src = colour_pattern(w, h);
    uint8_t *png = NULL;
    size_t len = 0;
    ck_assert_int_eq(tg_png_encode(src, w, h, &(tg_png_opts){TG_PNG_RGBA, 8, _i, 0}, &png, &len),
                     0);
    ct_arena arena;
    ct_arena_init(&arena);
    ct_samples s;
    ct_decoded_info info;
    ct_err err = {""};
    ck_assert_int_eq(ct_decode_sampled(png, len, NULL, &arena, 65536, &info, &s, &err),
                     COVERTHEME_OK);
    /* Rows are 4800 bytes; zlib's window and libspng's scanline buffers add tens of KiB;
     * the grid is 4 bytes per sample. The whole image would be 4.3 MB. */
    ck_assert_msg(arena.needed < (size_t)w * h / 4, "arena needed %zu bytes", arena.needed);
    ct_samples_free(&s);
    ct_arena_destroy(&arena);
    free(png);
    free(src);
}
END_TEST

Suite *suite_stream(void)
{
    Suite *s = suite_create("stream");
    TCase *tc = tcase_create("png");
    tcase_add_loop_test(tc, test_png_layouts, 0, 2 * COUNT_OF(png_layouts));
    tcase_add_loop_test(tc, test_png_covers, 0, 2 * tg_cover_count());
    suite_add_tcase(s, tc);

    tc = tcase_create("jpeg");
    tcase_set_timeout(tc, 60); /* thousands of small decodes; slower under sanitizers */
    tcase_add_loop_test(tc, test_jpeg_spaces, 0, 8);
    tcase_add_loop_test(tc, test_jpeg_covers, 0, 2 * tg_cover_count());
    tcase_add_loop_test(tc, test_jpeg_sampling_layouts, 0, 2 * COUNT_OF(jpeg_layouts));
    suite_add_tcase(s, tc);

    tc = tcase_create("webp");
    tcase_add_loop_test(tc, test_webp_covers, 0, 2 * tg_cover_count());
    tcase_add_loop_test(tc, test_webp_alpha, 0, 2);
    suite_add_tcase(s, tc);

    tc = tcase_create("failures");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_truncated, 0, 6);
    tcase_add_loop_test(tc, test_corrupt, 0, 6);
    tcase_add_loop_test(tc, test_limits, 0, 6);
    tcase_add_test(tc, test_unsupported_and_empty);
    tcase_add_test(tc, test_invalid_arguments);
    suite_add_tcase(s, tc);

    tc = tcase_create("memory");
    tcase_add_loop_test(tc, test_arena_reuse, 0, 6);
    tcase_add_loop_test(tc, test_png_memory_is_rows_only, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}
