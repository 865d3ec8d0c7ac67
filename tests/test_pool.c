/* The worker pool: every share runs exactly once, jobs never mix, workers start lazily and
 * are joined, a forked child gets its own workers. */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../core/pool.h"
#include "suites.h"
#include "testenv.h"

typedef struct job {
    uint32_t hits[512];
    uint32_t tag; /* which job wrote: catches a share run with another job's argument */
    uint32_t wrong;
} job;

static void count_share(void *arg, uint32_t share)
{
    job *j = arg;
    __atomic_add_fetch(&j->hits[share], 1, __ATOMIC_RELAXED);
}

static void check_all_once(const job *j, uint32_t shares)
{
    for (uint32_t s = 0; s < 512; s++)
        ck_assert_uint_eq(j->hits[s], s < shares ? 1u : 0u);
}

START_TEST(every_share_runs_once)
{
    static const uint32_t threads[] = {1, 2, 3, 8};
    static const uint32_t shares[] = {0, 1, 2, 3, 7, 64, 511};
    for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
        ct_pool *p = ct_pool_create(threads[t]);
        ck_assert_ptr_nonnull(p);
        ck_assert_uint_eq(ct_pool_threads(p), threads[t]);
        for (size_t s = 0; s < sizeof shares / sizeof shares[0]; s++) {
            job *j = calloc(1, sizeof *j);
            ct_pool_run(p, shares[s], count_share, j);
            check_all_once(j, shares[s]);
            free(j);
        }
        ct_pool_destroy(p);
    }
}
END_TEST

static void tagged_share(void *arg, uint32_t share)
{
    job *j = arg;
    (void)share;
    __atomic_add_fetch(&j->hits[0], 1, __ATOMIC_RELAXED);
}

static void other_share(void *arg, uint32_t share)
{
    job *j = arg;
    __atomic_add_fetch(&j->hits[1 + share % 4], 1, __ATOMIC_RELAXED);
}

/* Back-to-back jobs with alternating functions and arguments: a worker that wakes late
 * must not take a share of the next job with the previous job's function. */
START_TEST(consecutive_jobs_do_not_mix)
{
    ct_pool *p = ct_pool_create(3);
    job *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
    uint64_t sa = 0, sb = 0;
    for (uint32_t i = 0; i < 20000; i++) {
        uint32_t n = 2 + i % 5;
        if (i & 1) {
            ct_pool_run(p, n, other_share, b);
            sb += n;
        } else {
            ct_pool_run(p, n, tagged_share, a);
            sa += n;
        }
    }
    ck_assert_uint_eq(a->hits[0], sa);
    ck_assert_uint_eq(a->hits[1] + a->hits[2] + a->hits[3] + a->hits[4], 0);
    ck_assert_uint_eq(b->hits[0], 0);
    ck_assert_uint_eq(b->hits[1] + b->hits[2] + b->hits[3] + b->hits[4], sb);
    free(a);
    free(b);
    ct_pool_destroy(p);
}
END_TEST

START_TEST(workers_start_lazily_and_are_joined)
{
    int before = tg_task_count();
    ct_pool *p = ct_pool_create(4);
    ck_assert_uint_eq(ct_pool_started(p), 0);
    ck_assert_int_eq(tg_task_count(), before);
    job *j = calloc(1, sizeof *j);
    ct_pool_run(p, 1, count_share, j); /* one share: inline, no workers yet */
    ck_assert_uint_eq(ct_pool_started(p), 0);
    ct_pool_run(p, 8, count_share, j);
    ck_assert_uint_eq(ct_pool_started(p), 3);
    ck_assert_int_eq(tg_task_count(), before + 3);
    ct_pool_run(p, 8, count_share, j); /* reused, not restarted */
    ck_assert_int_eq(tg_task_count(), before + 3);
    ck_assert_uint_eq(j->hits[0], 3);
    ck_assert_uint_eq(j->hits[7], 2);
    ct_pool_destroy(p);
    ck_assert_int_eq(tg_task_count_settled(before), before); /* joined: gone from /proc soon */
    free(j);
}
END_TEST

START_TEST(forked_child_gets_its_own_workers)
{
    ct_pool *p = ct_pool_create(2);
    job *j = calloc(1, sizeof *j);
    ct_pool_run(p, 4, count_share, j);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        job c;
        memset(&c, 0, sizeof c);
        ct_pool_run(p, 100, count_share, &c);
        int ok = 1;
        for (uint32_t s = 0; s < 100; s++)
            ok &= c.hits[s] == 1;
        ct_pool_destroy(p); /* must not try to join the parent's threads */
        _exit(ok ? 0 : 3);
    }
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 0);
    ct_pool_run(p, 4, count_share, j); /* the parent's pool still works */
    ck_assert_uint_eq(j->hits[3], 2);
    ct_pool_destroy(p);
    free(j);
}
END_TEST

/* The very first job, published while its workers are still starting, is shared with them:
 * share 0 waits (up to 5 s) for share 1 to run elsewhere. A worker that took the epoch it
 * found at start-up as already seen left the whole first job to the caller, and the overlap
 * of decode and colour count (hist_stream.h) then never happened on a player's first cover. */
typedef struct meet {
    uint32_t other_ran, saw_other;
} meet;

static void meet_share(void *arg, uint32_t share)
{
    meet *m = arg;
    if (share == 1) {
        __atomic_store_n(&m->other_ran, 1, __ATOMIC_SEQ_CST);
        return;
    }
    for (int i = 0; i < 5000 && !__atomic_load_n(&m->other_ran, __ATOMIC_SEQ_CST); i++)
        usleep(1000);
    m->saw_other = __atomic_load_n(&m->other_ran, __ATOMIC_SEQ_CST);
}

START_TEST(first_job_reaches_new_workers)
{
    for (int round = 0; round < 5; round++) {
        ct_pool *p = ct_pool_create(2);
        ck_assert_ptr_nonnull(p);
        meet m = {0, 0};
        ct_pool_run(p, 2, meet_share, &m);
        ck_assert_uint_eq(ct_pool_started(p), 1);
        ck_assert_msg(m.saw_other, "round %d: share 1 did not run beside share 0", round);
        ct_pool_destroy(p);
    }
}
END_TEST

/* run_beside: `own` on the calling thread, `other` exactly once, whatever the pool; with
 * workers, `other` runs meanwhile (`own` waits, a bounded time, to see it start). */
typedef struct beside {
    pthread_t caller;
    int wait_ms; /* how long `own` waits to see `other` start */
    uint32_t own_runs, own_on_caller, other_runs, other_started, own_saw_other;
} beside;

static void beside_own(void *arg)
{
    beside *b = arg;
    b->own_runs++;
    b->own_on_caller = pthread_equal(pthread_self(), b->caller);
    for (int i = 0; i < b->wait_ms && !__atomic_load_n(&b->other_started, __ATOMIC_SEQ_CST); i++)
        usleep(1000);
    b->own_saw_other = __atomic_load_n(&b->other_started, __ATOMIC_SEQ_CST);
}

static void beside_other(void *arg, uint32_t share)
{
    beside *b = arg;
    ck_assert_uint_eq(share, 0);
    __atomic_store_n(&b->other_started, 1, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&b->other_runs, 1, __ATOMIC_SEQ_CST);
}

/* CPUs this process may run on. */
static int cpus_allowed(void)
{
    cpu_set_t set;
    return sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
}

START_TEST(run_beside_keeps_own_on_the_caller)
{
    const uint32_t threads[] = {0, 1, 2, 3, 8}; /* 0: no pool at all */
    const int cpus = cpus_allowed();
    for (int t = 0; t < 5; t++) {
        ct_pool *p = threads[t] ? ct_pool_create(threads[t]) : NULL;
        int worker = threads[t] >= 2 && cpus >= 2;
        for (int round = 0; round < 3; round++) {
            /* Wait only where a worker can run `other`: up to 5 s, never needed in full. */
            beside b = {.caller = pthread_self(), .wait_ms = worker ? 5000 : 0};
            ct_pool_run_beside(p, beside_own, beside_other, &b);
            ck_assert_uint_eq(b.own_runs, 1);
            ck_assert_uint_eq(b.own_on_caller, 1);
            ck_assert_uint_eq(b.other_runs, 1);
            /* With workers, `other` ran beside `own`; without, only after it. */
            ck_assert_uint_eq(b.own_saw_other, worker);
        }
        ct_pool_destroy(p);
    }
}
END_TEST

/* On one CPU a worker could only take turns with `own`, so `other` waits for its end: in a
 * child pinned to one CPU, `own` sleeps 20 ms (giving the CPU away) watching for `other`,
 * which must not start meanwhile. */
START_TEST(run_beside_on_one_cpu_runs_after)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(sched_getcpu() >= 0 ? sched_getcpu() : 0, &one);
        if (sched_setaffinity(0, sizeof one, &one) != 0)
            _exit(4);
        ct_pool *p = ct_pool_create(2);
        if (!p)
            _exit(5);
        for (int round = 0; round < 5; round++) {
            beside b = {.caller = pthread_self(), .wait_ms = 20};
            ct_pool_run_beside(p, beside_own, beside_other, &b);
            if (b.own_saw_other || b.other_runs != 1 || !b.own_on_caller)
                _exit(3);
        }
        ct_pool_destroy(p);
        _exit(0);
    }
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

START_TEST(null_pool_runs_inline)
{
    job *j = calloc(1, sizeof *j);
    ct_pool_run(NULL, 5, count_share, j);
    check_all_once(j, 5);
    ck_assert_uint_ge(ct_pool_default_threads(), 1);
    ct_pool_destroy(NULL);
    free(j);
}
END_TEST

Suite *suite_pool(void)
{
    Suite *s = suite_create("pool");
    TCase *tc = tcase_create("pool");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, every_share_runs_once);
    tcase_add_test(tc, consecutive_jobs_do_not_mix);
    tcase_add_test(tc, workers_start_lazily_and_are_joined);
    tcase_add_test(tc, forked_child_gets_its_own_workers);
    tcase_add_test(tc, null_pool_runs_inline);
    tcase_add_test(tc, first_job_reaches_new_workers);
    tcase_add_test(tc, run_beside_keeps_own_on_the_caller);
    tcase_add_test(tc, run_beside_on_one_cpu_runs_after);
    suite_add_tcase(s, tc);
    return s;
}
