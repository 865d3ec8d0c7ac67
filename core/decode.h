/* Image decoders. The format is sniffed from the bytes, never from a file name.
 *
 * Every decoder returns 0 and fills `out` (RGBA8, see image.h), or returns a negative
 * covertheme_error with a human message in `err` and leaves `out` zeroed with nothing
 * allocated. Decoders never print, never abort, and never read outside [data, data+size).
 *
 * Each decoder also has a sampled form (ct_decode_sampled and friends) that returns only
 * the grid samples of sample.h, exactly those ct_sample_image would take from the decoded
 * image (same bytes, same order), without ever holding the whole image where the codec
 * allows it; see ct_decode_sampled. */
#ifndef CT_DECODE_H
#define CT_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "error.h"
#include "image.h"
#include "sample.h"

/* The library's default COVERTHEME_OPT_MAX_PIXELS, used when a caller passes no limits. */
#define CT_DEFAULT_MAX_PIXELS UINT64_C(100000000)

typedef struct ct_decode_limits {
    uint64_t max_pixels; /* width*height above this -> COVERTHEME_ERR_LIMIT_EXCEEDED; always
                          * checked against the image's own (full) size */
    /* 0 = full resolution; otherwise the decoder may return a smaller image, down-scaled by
     * the codec, as long as width*height stays >= min_pixels. Only JPEG uses it (libjpeg
     * DCT scaling by 1/2, 1/4 or 1/8, the smallest that keeps enough pixels; each side is
     * rounded up, as libjpeg does). PNG and WebP always return full resolution. An image
     * already smaller than min_pixels comes back at full size. Deterministic: the same
     * bytes and limits give the same pixels. */
    uint32_t min_pixels;
    /* Not a limit, but it travels with them to every sampled decoder: told as the sample
     * grid fills (sample.h), e.g. by a histogram built on another thread meanwhile. NULL:
     * nobody. Ignored by the full decoders. Last, so {max, min} initialisers mean NULL. */
    ct_sample_watch *watch;
} ct_decode_limits;

/* Returns COVERTHEME_IMAGE_PNG/JPEG/WEBP, or COVERTHEME_ERR_UNSUPPORTED_FORMAT with a message
 * naming what was recognised ("GIF image", "BMP image", "unknown data") in err;
 * COVERTHEME_ERR_EMPTY_INPUT for 0 bytes, COVERTHEME_ERR_INVALID_ARGUMENT for NULL data. */
int ct_sniff_format(const uint8_t *data, size_t size, ct_err *err);

/* Sniffs and dispatches to one of the decoders below. size 0 -> COVERTHEME_ERR_EMPTY_INPUT.
 * lim NULL means the default limit of 100 000 000 pixels. */
int ct_decode(const uint8_t *data, size_t size, const ct_decode_limits *lim, ct_image *out,
              ct_err *err);

int ct_decode_png(const uint8_t *data, size_t size, const ct_decode_limits *lim, ct_image *out,
                  ct_err *err);
int ct_decode_jpeg(const uint8_t *data, size_t size, const ct_decode_limits *lim, ct_image *out,
                   ct_err *err);
int ct_decode_webp(const uint8_t *data, size_t size, const ct_decode_limits *lim, ct_image *out,
                   ct_err *err);

/* What a sampled decode looked at. */
typedef struct ct_decoded_info {
    uint32_t width, height; /* of the image that was sampled: after JPEG DCT scaling */
    int format;             /* covertheme_image_format */
} ct_decoded_info;

/* ct_sample_image(ct_decode(...), max_samples) in one pass, byte for byte the same samples
 * and the same error codes and messages as that pair (invalid arguments, max_samples 0
 * included, are refused before decoding).
 *
 * Memory: every buffer (sample grid, rows, decoder state we own, libspng's allocations)
 * comes from `arena`, or from the heap when it is NULL; libjpeg and libwebp keep their
 * own internal allocations. With an arena, out->rgb lives there until its next reset
 * (out->arena says so and ct_samples_free leaves it alone).
 *
 * Peak memory: PNG decodes row by row into one row buffer (interlaced files included) and
 * JPEG scanline by scanline, skipping the rows the grid does not use where libjpeg-turbo
 * allows it without changing any kept pixel (libjpeg itself still holds a progressive
 * file's coefficients); only WebP decodes the whole image (into the arena) and samples it,
 * a lossy one whose grid skips pixels as its YUV 4:2:0 planes (1.5 bytes a pixel, not 4).
 *
 * On failure `out` and `info` are zeroed and nothing is held (arena memory aside). */
int ct_decode_sampled(const uint8_t *data, size_t size, const ct_decode_limits *lim,
                      ct_arena *arena, uint32_t max_samples, ct_decoded_info *info,
                      ct_samples *out, ct_err *err);

/* The per-format halves of ct_decode_sampled, which checks the arguments they rely on
 * (lim, info and out not NULL, max_samples > 0) and sets info->format. */
int ct_decode_png_sampled(const uint8_t *data, size_t size, const ct_decode_limits *lim,
                          ct_arena *arena, uint32_t max_samples, ct_decoded_info *info,
                          ct_samples *out, ct_err *err);
int ct_decode_jpeg_sampled(const uint8_t *data, size_t size, const ct_decode_limits *lim,
                           ct_arena *arena, uint32_t max_samples, ct_decoded_info *info,
                           ct_samples *out, ct_err *err);
int ct_decode_webp_sampled(const uint8_t *data, size_t size, const ct_decode_limits *lim,
                           ct_arena *arena, uint32_t max_samples, ct_decoded_info *info,
                           ct_samples *out, ct_err *err);

#endif
