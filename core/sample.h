/* Sampling: which pixels of a decoded image take part in clustering.
 *
 * Pixels are read on a regular grid whose step is the smallest that keeps the count at or
 * under `max_samples`, starting half a step in so the grid is centred. That keeps the cost
 * bounded on huge covers and uses every pixel of small ones (the reference tool's fixed
 * stride of 4 leaves a 3x3 cover with one sample). Pixels with alpha < 128 are skipped:
 * transparent areas are not cover colours. */
#ifndef CT_SAMPLE_H
#define CT_SAMPLE_H

#include <stdint.h>

#include "error.h"
#include "image.h"

typedef struct ct_samples {
    uint32_t n;       /* samples taken (0 for a fully transparent image) */
    uint32_t step;    /* grid step used */
    uint8_t *rgb;     /* n * 3 bytes, row-major grid order; NULL when n == 0 */
} ct_samples;

int ct_sample_image(const ct_image *img, uint32_t max_samples, ct_samples *out, ct_err *err);
void ct_samples_free(ct_samples *s);

/* Number of distinct colours among the samples. */
uint32_t ct_samples_distinct(const ct_samples *s);

#endif
