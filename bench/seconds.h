/* Part of covertheme-quality: clock reads in seconds, for its timing columns and fields.
 * Thread CPU time for the reference ("ref s"), so other processes on the machine do not
 * inflate it; monotonic wall time for the theme call and the reference's wall figure. */
#ifndef COVERTHEME_BENCH_SECONDS_H
#define COVERTHEME_BENCH_SECONDS_H

#include <time.h>

static inline double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#endif /* COVERTHEME_BENCH_SECONDS_H */
