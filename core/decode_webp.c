/* WebP decoding with libwebp.
 *
 * The header is read first (WebPGetFeatures) so animations and oversized images are
 * refused before any pixel memory exists. Pixels are then decoded into a buffer we
 * malloc ourselves (libwebp's "external memory" output), so the result is released with
 * free() like every other ct_image and no WebPFree() has to follow it around.
 *
 * WebPDecode() with external memory is used rather than WebPDecodeRGBAInto(): both write
 * into our buffer, but only the former says *why* decoding failed (truncated versus
 * malformed), which ends up in the user's error message.
 *
 * The sampled decode (ct_decode_webp_sampled) has libwebp write the image into the caller's
 * arena (when there is one) and samples it; its incremental decoder would need an output
 * buffer for every row just the same. A lossy WebP whose sample grid skips pixels is decoded
 * to its YUV 4:2:0 planes instead (1.5 bytes a pixel, not 4), and only the grid's pixels are
 * converted, by webp_yuv.c, bit for bit as libwebp would have (bench/README.md, "Lossy WebP
 * sampled from its planes").
 *
 * Status mapping: VP8_STATUS_OUT_OF_MEMORY -> NO_MEMORY, VP8_STATUS_UNSUPPORTED_FEATURE ->
 * UNSUPPORTED_FORMAT (a WebP variant libwebp cannot read), everything else -> CORRUPT. */
#include "decode.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <webp/decode.h>

#include "webp_yuv.h"

static const char *webp_status_text(VP8StatusCode status)
{
    switch (status) {
    case VP8_STATUS_OK:
        return "ok";
    case VP8_STATUS_OUT_OF_MEMORY:
        return "out of memory";
    case VP8_STATUS_INVALID_PARAM:
        return "invalid parameter";
    case VP8_STATUS_BITSTREAM_ERROR:
        return "bitstream error (malformed data)";
    case VP8_STATUS_UNSUPPORTED_FEATURE:
        return "unsupported feature";
    case VP8_STATUS_SUSPENDED:
        return "decoding suspended";
    case VP8_STATUS_USER_ABORT:
        return "decoding aborted";
    case VP8_STATUS_NOT_ENOUGH_DATA:
        return "not enough data (the file is truncated)";
    }
    return "unknown libwebp status";
}

static int fail_status(VP8StatusCode status, ct_err *err)
{
    int code = COVERTHEME_ERR_CORRUPT_IMAGE;
    if (status == VP8_STATUS_OUT_OF_MEMORY)
        code = COVERTHEME_ERR_NO_MEMORY;
    else if (status == VP8_STATUS_UNSUPPORTED_FEATURE)
        code = COVERTHEME_ERR_UNSUPPORTED_FORMAT;
    return ct_fail(err, code, "WebP: %s", webp_status_text(status));
}

/* Reads the header and checks it against what we accept. */
static int read_features(const uint8_t *data, size_t size, uint64_t max_pixels,
                         WebPBitstreamFeatures *features, ct_err *err)
{
    VP8StatusCode status = WebPGetFeatures(data, size, features);
    if (status != VP8_STATUS_OK)
        return fail_status(status, err);
    if (features->has_animation)
        return ct_fail(err, COVERTHEME_ERR_UNSUPPORTED_FORMAT,
                       "WebP: animated WebP is not supported");
    if (features->width <= 0 || features->height <= 0)
        return ct_fail(err, COVERTHEME_ERR_CORRUPT_IMAGE, "WebP: invalid size %dx%d",
                       features->width, features->height);
    if ((uint64_t)features->width * (uint64_t)features->height > max_pixels)
        return ct_fail(err, COVERTHEME_ERR_LIMIT_EXCEEDED,
                       "WebP: image is %dx%d pixels, more than the limit of %" PRIu64,
                       features->width, features->height, max_pixels);
    return COVERTHEME_OK;
}

/* Decodes into `pixels` (width*height*4 bytes, owned by the caller) as straight RGBA. */
static int decode_into(const uint8_t *data, size_t size, uint8_t *pixels, size_t bytes,
                       int width, ct_err *err)
{
    WebPDecoderConfig config;
    if (!WebPInitDecoderConfig(&config))
        return ct_fail(err, COVERTHEME_ERR_INTERNAL, "WebP: libwebp version mismatch");
    config.output.colorspace = MODE_RGBA; /* not premultiplied */
    config.output.is_external_memory = 1;
    config.output.u.RGBA.rgba = pixels;
    config.output.u.RGBA.stride = width * 4;
    config.output.u.RGBA.size = bytes;

    VP8StatusCode status = WebPDecode(data, size, &config);
    /* With external memory this only releases libwebp's bookkeeping, never `pixels`. */
    WebPFreeDecBuffer(&config.output);
    if (status != VP8_STATUS_OK)
        return fail_status(status, err);
    return COVERTHEME_OK;
}

int ct_decode_webp(const uint8_t *data, size_t size, const ct_decode_limits *lim, ct_image *out,
                   ct_err *err)
{
    if (!out || !lim || (!data && size))
        return ct_fail(err, COVERTHEME_ERR_INVALID_ARGUMENT, "WebP: invalid argument");
    memset(out, 0, sizeof *out);

    WebPBitstreamFeatures features;
    int rc = read_features(data, size, lim->max_pixels, &features, err);
    if (rc != COVERTHEME_OK)
        return rc;

    size_t bytes = (size_t)features.width * (size_t)features.height * 4;
    uint8_t *pixels = malloc(bytes);
    if (!pixels)
        return ct_fail(err, COVERTHEME_ERR_NO_MEMORY, "WebP: out of memory for %zu bytes", bytes);
    rc = decode_into(data, size, pixels, bytes, features.width, err);
    if (rc != COVERTHEME_OK) {
        free(pixels);
        return rc;
    }
    out->width = (uint32_t)features.width;
    out->height = (uint32_t)features.height;
    out->format = COVERTHEME_IMAGE_WEBP;
    out->rgba = pixels;
    return COVERTHEME_OK;
}

/* Lossy (VP8) data, YUV 4:2:0 inside, whose sample grid takes at most one pixel in four:
 * decoded to its planes. Below that the planes save little memory, and converting the grid's
 * pixels one by one cost as much as libwebp's vectorised conversion of them all (paired calls,
 * decode + convert: 0.96-1.01 at 500 px, 0.89-1.00 from 1000 px; bench/README.md, "Lossy WebP
 * sampled from its planes"). */
static int sample_from_planes(const WebPBitstreamFeatures *features, uint32_t max_samples)
{
    return features->format == 1 && (uint64_t)features->width * (uint64_t)features->height > 4 * (uint64_t)max_samples;
}

/* The YUV planes of a lossy WebP, in one block from the arena (or the heap): *block gets what
 * to free. Returns 0 or a ct error. */
static int decode_planes(const uint8_t *data, size_t size, const WebPBitstreamFeatures *f, ct_arena *arena,
                         ct_yuv_planes *p, uint8_t **block, ct_err *err)
{
    uint32_t w = (uint32_t)f->width, h = (uint32_t)f->height, cw = (w + 1) / 2, ch = (h + 1) / 2;
    size_t luma = (size_t)w * h, chroma = (size_t)cw * ch, bytes = luma * (f->has_alpha ? 2 : 1) + 2 * chroma;
    *block = ct_mem_alloc(arena, bytes);
    if (!*block)
        return ct_fail(err, COVERTHEME_ERR_NO_MEMORY, "WebP: out of memory for %zu bytes", bytes);
    *p = (ct_yuv_planes){w, h, *block, *block + luma, *block + luma + chroma,
                         f->has_alpha ? *block + luma + 2 * chroma : NULL, w, cw, w};
    WebPDecoderConfig config;
    if (!WebPInitDecoderConfig(&config))
        return ct_fail(err, COVERTHEME_ERR_INTERNAL, "WebP: libwebp version mismatch");
    config.output.colorspace = p->a ? MODE_YUVA : MODE_YUV;
    config.output.is_external_memory = 1;
    WebPYUVABuffer *b = &config.output.u.YUVA;
    b->y = (uint8_t *)p->y;
    b->u = (uint8_t *)p->u;
    b->v = (uint8_t *)p->v;
    b->a = (uint8_t *)p->a;
    b->y_stride = (int)w;
    b->u_stride = b->v_stride = (int)cw;
    b->a_stride = p->a ? (int)w : 0;
    b->y_size = luma;
    b->u_size = b->v_size = chroma;
    b->a_size = p->a ? luma : 0;
    VP8StatusCode status = WebPDecode(data, size, &config);
    WebPFreeDecBuffer(&config.output); /* external memory: only libwebp's bookkeeping */
    return status == VP8_STATUS_OK ? COVERTHEME_OK : fail_status(status, err);
}

/* The grid's pixels of a lossy WebP, from its planes, into a begun sampler. */
static int sample_planes(const ct_yuv_planes *p, ct_arena *arena, ct_sampler *sampler, ct_err *err)
{
    uint8_t *row = ct_mem_alloc(arena, (size_t)p->width * 4);
    if (!row)
        return ct_fail(err, COVERTHEME_ERR_NO_MEMORY, "WebP: out of memory for a row");
    for (uint32_t y = ct_sampler_next_row(sampler, 0); y < p->height; y = ct_sampler_next_row(sampler, y + 1)) {
        ct_yuv_row_to_rgba(p, y, sampler->x0, sampler->step, row);
        ct_sampler_add_row(sampler, y, row);
    }
    ct_mem_free(arena, row);
    return COVERTHEME_OK;
}

static int sample_lossy(const uint8_t *data, size_t size, const WebPBitstreamFeatures *f,
                        const ct_decode_limits *lim, ct_arena *arena, uint32_t max_samples, ct_samples *out,
                        ct_err *err)
{
    ct_yuv_planes planes;
    uint8_t *block = NULL;
    ct_sampler sampler;
    int rc = decode_planes(data, size, f, arena, &planes, &block, err);
    if (rc == COVERTHEME_OK)
        rc = ct_sampler_begin(&sampler, planes.width, planes.height, max_samples, arena, lim->watch, err);
    if (rc == COVERTHEME_OK) {
        rc = sample_planes(&planes, arena, &sampler, err);
        if (rc == COVERTHEME_OK)
            ct_sampler_finish(&sampler, out);
        else
            ct_sampler_discard(&sampler);
    }
    ct_mem_free(arena, block);
    return rc;
}

int ct_decode_webp_sampled(const uint8_t *data, size_t size, const ct_decode_limits *lim,
                           ct_arena *arena, uint32_t max_samples, ct_decoded_info *info,
                           ct_samples *out, ct_err *err)
{
    if (!data && size)
        return ct_fail(err, COVERTHEME_ERR_INVALID_ARGUMENT, "WebP: invalid argument");
    WebPBitstreamFeatures features;
    int rc = read_features(data, size, lim->max_pixels, &features, err);
    if (rc != COVERTHEME_OK)
        return rc;

    if (sample_from_planes(&features, max_samples)) {
        rc = sample_lossy(data, size, &features, lim, arena, max_samples, out, err);
        if (rc == COVERTHEME_OK) {
            info->width = (uint32_t)features.width;
            info->height = (uint32_t)features.height;
        }
        return rc;
    }
    size_t bytes = (size_t)features.width * (size_t)features.height * 4;
    uint8_t *pixels = ct_mem_alloc(arena, bytes);
    if (!pixels)
        return ct_fail(err, COVERTHEME_ERR_NO_MEMORY, "WebP: out of memory for %zu bytes", bytes);
    rc = decode_into(data, size, pixels, bytes, features.width, err);
    ct_sampler sampler;
    if (rc == COVERTHEME_OK)
        rc = ct_sampler_begin(&sampler, (uint32_t)features.width, (uint32_t)features.height,
                              max_samples, arena, lim->watch, err);
    if (rc == COVERTHEME_OK) {
        ct_sampler_add_image(&sampler, pixels);
        ct_sampler_finish(&sampler, out);
        info->width = (uint32_t)features.width;
        info->height = (uint32_t)features.height;
    }
    ct_mem_free(arena, pixels);
    return rc;
}
