/* Part of covertheme-bench: the one clock read every timed region uses.
 *
 * static inline on purpose: a clock read sits on both edges of each timed region, and an
 * out-of-line call there would add its own cost to every sample. */
#ifndef COVERTHEME_BENCH_CLOCKS_H
#define COVERTHEME_BENCH_CLOCKS_H

#include <stdint.h>
#include <time.h>

/* Nanoseconds on clock `id` (CLOCK_MONOTONIC, CLOCK_THREAD_CPUTIME_ID, ...). */
static inline uint64_t now_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif /* COVERTHEME_BENCH_CLOCKS_H */
