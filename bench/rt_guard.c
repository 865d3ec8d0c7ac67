/* Part of covertheme-bench: the real-time throttling guard (see rt_guard.h). */
#include "rt_guard.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clocks.h"
#include "machine.h"

void rt_guard_init(rt_guard *g)
{
    memset(g, 0, sizeof *g);
    int policy = sched_getscheduler(0);
    if (policy != SCHED_FIFO && policy != SCHED_RR)
        return;
    char a[64], b[64];
    machine_read_line("/proc/sys/kernel/sched_rt_runtime_us", a, sizeof a);
    machine_read_line("/proc/sys/kernel/sched_rt_period_us", b, sizeof b);
    long long runtime = atoll(a), period = atoll(b);
    if (runtime < 0 || period <= 0 || runtime >= period)
        return; /* throttling disabled */
    /* Sleeping 2x the non-RT share and running at most period - 2x pause between sleeps
     * keeps every period-long window below the RT budget. */
    uint64_t pause = (uint64_t)(period - runtime) * 2000;
    uint64_t per = (uint64_t)period * 1000;
    if (pause < 20000000)
        pause = 20000000;
    if (2 * pause >= per)
        return;
    g->active = 1;
    g->pause_ns = pause;
    g->limit_ns = per - 2 * pause;
    g->segment_start = now_ns(CLOCK_MONOTONIC);
}

void rt_guard_before(rt_guard *g, uint64_t expected_ns)
{
    if (!g->active)
        return;
    uint64_t now = now_ns(CLOCK_MONOTONIC);
    if (now - g->segment_start + expected_ns <= g->limit_ns)
        return;
    struct timespec ts = {(time_t)(g->pause_ns / 1000000000u), (long)(g->pause_ns % 1000000000u)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
    g->pauses++;
    g->segment_start = now_ns(CLOCK_MONOTONIC);
}
