/* Image decoders. The format is sniffed from the bytes, never from a file name.
 *
 * Every decoder returns 0 and fills `out` (RGBA8, see image.h), or returns a negative
 * covertheme_error with a human message in `err` and leaves `out` zeroed with nothing
 * allocated. Decoders never print, never abort, and never read outside [data, data+size). */
#ifndef CT_DECODE_H
#define CT_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "image.h"

typedef struct ct_decode_limits {
    uint64_t max_pixels; /* width*height above this -> COVERTHEME_ERR_LIMIT_EXCEEDED; always
                          * checked against the image's own (full) size */
    /* 0 = full resolution; otherwise the decoder may return a smaller image, down-scaled by
     * the codec, as long as width*height stays >= min_pixels. Only JPEG uses it (libjpeg
     * DCT scaling by 1/2, 1/4 or 1/8, the smallest that keeps enough pixels; each side is
     * rounded up, as libjpeg does). PNG and WebP always return full resolution. An image
     * already smaller than min_pixels comes back at full size. Deterministic: the same
     * bytes and limits give the same pixels. Last field, so {max} initialisers mean 0. */
    uint32_t min_pixels;
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

#endif
