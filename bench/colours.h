/* Part of covertheme-quality: an image folded into its distinct opaque colours with pixel
 * counts, and the palette distortion measured on it.
 *
 * Folding first makes the exhaustive reference affordable (a 3000x3000 cover has millions
 * of pixels but usually far fewer distinct colours), and weighting by count keeps every
 * number the per-pixel mean over all opaque pixels. */
#ifndef COVERTHEME_BENCH_COLOURS_H
#define COVERTHEME_BENCH_COLOURS_H

#include <stdint.h>

#include "../core/image.h"

/* Colour arrays are padded to a multiple of this (kernels take 8 or 4 at a time). */
#define COLOURS_BLK 64

/* Distinct opaque colours of an image, ascending by 0xRRGGBB, as SoA float Lab (the library's
 * conversion, rounded to float as its samples are) plus pixel counts. Arrays are padded to a
 * multiple of COLOURS_BLK with copies of the last colour of weight 0, so kernels need no tail. */
typedef struct colours {
    uint32_t n, n_pad;
    uint64_t pixels; /* opaque pixels = sum of w */
    float *L, *A, *B;
    double *w;
} colours;

/* Opaque = alpha >= 128, like the library's sampler. Returns 0, or -1 out of memory. */
int colours_from_image(const ct_image *img, colours *out);
void colours_free(colours *c);

/* Weighted mean squared Lab distance of every colour to its nearest centre (double maths),
 * i.e. the per-pixel mean over all opaque pixels. cent: k Lab triples. 0 without pixels. */
double colours_weighted_mse(const colours *c, const double *cent, uint32_t k);

#endif /* COVERTHEME_BENCH_COLOURS_H */
