/* Part of covertheme-bench: the two measurements of one image, each run in its own child
 * (child_run) so the decode floors' buffers do not raise the end-to-end peak RSS.
 *
 * Both follow the same loop: one untimed call to learn the size and fail early, warm-up
 * (at least --warmup calls and at least --warmup-time), then the timed samples with the
 * real-time guard between them; each series goes back as one record. No harness allocation
 * or I/O happens inside a timed region. */
#ifndef COVERTHEME_BENCH_MEASURE_H
#define COVERTHEME_BENCH_MEASURE_H

#include "bench_opts.h"
#include "child.h"
#include "floors.h"

/* Most floor variants of one image: JPEG's DCT scales (other formats have one). */
#define FLOOR_MAX_VARIANTS FLOORS_JPEG_SCALES

/* measure_e2e.c: covertheme_generate_file() then covertheme_render() to RON and to JSON,
 * through the public ABI only, as a player does per track change. A child_fn. */
int measure_e2e(const bench_opts *o, image_info *img, int fd);
/* 1 when build/libmcount.so is preloaded, i.e. allocations are counted. */
int measure_counts_allocs(void);

/* measure_floors.c: reading the file and decoding it with the decoders alone, at every
 * variant the format has. A child_fn. */
int measure_floors(const bench_opts *o, image_info *img, int fd);

#endif /* COVERTHEME_BENCH_MEASURE_H */
