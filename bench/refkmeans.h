/* Part of covertheme-quality: the reference palette covertheme's is compared with.
 *
 * Weighted Lloyd k-means on the distinct colours (weight = pixel count, i.e. the k-means
 * objective over all pixels), run until no assignment changes or the iteration cap, started
 * from a weighted k-means++ seeding or from given centres. Slow on purpose: exhaustive where
 * the library samples and stops early, so the ratio shows what those shortcuts cost.
 * Deterministic for a given seed. */
#ifndef COVERTHEME_BENCH_REFKMEANS_H
#define COVERTHEME_BENCH_REFKMEANS_H

#include <stdint.h>

#include "colours.h"

typedef struct refkmeans_result {
    double mse;       /* colours_weighted_mse of the final centres */
    double mse_rgb8;  /* the same centres rounded to 8-bit sRGB first, like a reported palette */
    uint32_t iterations;
    int hit_cap;
    double cpu_s;
} refkmeans_result;

/* One run: k-means++ seeding with `seed` (or the given start centres, k * 3 Lab), then Lloyd
 * until no label changes or max_iter assignment passes. Empty clusters keep their centre.
 * `cent` receives the final centres (k * 3). brute: plain Lloyd assignment instead of
 * Hamerly's bounds (the same results, bit for bit; for checking). Returns 0, or -1 out of
 * memory. */
int refkmeans_run(const colours *c, uint32_t k, uint64_t seed, const double *start, int max_iter, int brute,
                  double *cent, refkmeans_result *res);

#endif /* COVERTHEME_BENCH_REFKMEANS_H */
