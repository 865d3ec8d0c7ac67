/* Part of covertheme-bench: keeps real-time runs clear of the kernel's RT throttle.
 *
 * Under SCHED_FIFO/RR the kernel throttles real-time tasks after sched_rt_runtime_us per
 * sched_rt_period_us; a sample hit by the throttle gains ~50 ms of wall time. The guard
 * sleeps briefly between samples (outside the timed region) before a run of samples could
 * reach the budget, and counts the pauses so the output can show them (rt_pauses). Under
 * any other policy, or with throttling disabled, it does nothing. */
#ifndef COVERTHEME_BENCH_RT_GUARD_H
#define COVERTHEME_BENCH_RT_GUARD_H

#include <stdint.h>

typedef struct rt_guard {
    int active;
    uint64_t segment_start, limit_ns, pause_ns;
    unsigned pauses;
} rt_guard;

void rt_guard_init(rt_guard *g);
/* Call before each timed sample; `expected_ns` is the previous sample's wall time. */
void rt_guard_before(rt_guard *g, uint64_t expected_ns);

#endif /* COVERTHEME_BENCH_RT_GUARD_H */
