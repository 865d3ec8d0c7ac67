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
 * The sampled decode (ct_decode_webp_sampled) decodes the whole image the same way, into
 * the caller's arena when there is one, and samples it: libwebp's incremental decoder
 * would save that buffer, but WebP covers are small in practice and this keeps one path.
 *
 * Status mapping: VP8_STATUS_OUT_OF_MEMORY -> NO_MEMORY, VP8_STATUS_UNSUPPORTED_FEATURE ->
 * UNSUPPORTED_FORMAT (a WebP variant libwebp cannot read), everything else -> CORRUPT. */
#include "decode.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <webp/decode.h>

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
