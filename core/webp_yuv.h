/* RGBA pixels of a lossy WebP computed from its YUV 4:2:0 planes, one pixel at a time.
 *
 * A lossy WebP is YUV 4:2:0 inside. Asked for RGBA, libwebp interpolates the chroma to every
 * pixel ("fancy upsampling": each output pixel weighs its four nearest chroma samples 9:3:3:1)
 * and converts with BT.601 in fixed point, over the whole image. The sampled decode
 * (decode_webp.c) asks libwebp for the planes instead, 1.5 bytes a pixel rather than 4, and
 * converts only the pixels the sample grid takes, with the same integer arithmetic as
 * libwebp 1.2 (its src/dsp/upsampling.c and src/dsp/yuv.h describe it), so the samples are
 * the RGBA decode's bit for bit. tests/test_webp_yuv.c compares every pixel of lossy images
 * of many sizes, with and without alpha, against libwebp's own RGBA output. */
#ifndef CT_WEBP_YUV_H
#define CT_WEBP_YUV_H

#include <stdint.h>

typedef struct ct_yuv_planes {
    uint32_t width, height;   /* of the image; the chroma planes are ceil(w/2) x ceil(h/2) */
    const uint8_t *y;         /* width x height, row stride y_stride */
    const uint8_t *u, *v;     /* chroma, row stride uv_stride */
    const uint8_t *a;         /* width x height, stride a_stride; NULL: opaque */
    uint32_t y_stride, uv_stride, a_stride;
} ct_yuv_planes;

/* Writes the RGBA of row `row`'s pixels x0, x0 + step, ... (below width) at their places in
 * `rgba` (width x 4 bytes); the other pixels of `rgba` are left as they are. */
void ct_yuv_row_to_rgba(const ct_yuv_planes *p, uint32_t row, uint32_t x0, uint32_t step, uint8_t *rgba);

#endif
