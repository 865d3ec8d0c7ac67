/* Part of covertheme-quality: its options, parsed in quality.c and read by the per-image
 * work (quality_image.c) and the output (quality_output.c). */
#ifndef COVERTHEME_BENCH_QUALITY_H
#define COVERTHEME_BENCH_QUALITY_H

#include <stdint.h>

/* Most k-means++ seeds of the reference (--seeds); bounds image_result.runs. */
#define QUALITY_MAX_SEEDS 64

typedef struct quality_opts {
    int k;
    int seeds;
    int max_iter;
    uint64_t max_unique; /* reference skipped above this many distinct colours (0 = never) */
    int force;
    int brute;
    int polish;
    int bg_policy;
    long max_samples; /* COVERTHEME_OPT_MAX_SAMPLES of the generated theme; 0 = library default */
    long seed;        /* COVERTHEME_OPT_SEED of the generated theme; -1 = library default */
    int quiet;
    const char *json;
} quality_opts;

#endif /* COVERTHEME_BENCH_QUALITY_H */
