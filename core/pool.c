#include "pool.h"

#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define cpu_relax() _mm_pause()
#else
#define cpu_relax() ((void)0)
#endif

/* Pauses a waiter spins before sleeping: ~20-50 µs, about one k-means iteration on a small
 * cover, so consecutive jobs of one call find the worker awake. */
#define SPIN_ROUNDS 4000

#define MAX_WORKERS 64

struct ct_pool {
    uint32_t threads;          /* participants, caller included */
    uint32_t started;          /* workers running (may be < threads - 1 if creation failed) */
    pid_t owner_pid;           /* process the workers belong to */
    int spin;                  /* 0 when the CPUs we may use cannot hold every thread */
    uint32_t born_epoch;       /* epoch when the workers were started (see worker_main) */
    int one_cpu;               /* the process may run on one CPU only (affinity) */
    pthread_t tid[MAX_WORKERS];

    /* The job. Written by the caller before the epoch moves, read by workers after. */
    ct_pool_fn fn;
    void *arg;

    /* Shared words, each on its own cache line. */
    _Alignas(64) uint32_t epoch;   /* bumped per job; workers sleep on it */
    _Alignas(64) uint64_t ticket;  /* epoch << 32 | next share to claim */
    _Alignas(64) uint32_t done;    /* shares finished in this job; the caller sleeps on it */
    _Alignas(64) uint32_t parked;  /* workers asleep on epoch */
    uint32_t caller_parked;
    uint32_t quit;
};

static long futex(uint32_t *word, int op, uint32_t val)
{
    return syscall(SYS_futex, word, op, val, NULL, NULL, 0);
}

static void futex_wait(uint32_t *word, uint32_t expected)
{
    futex(word, FUTEX_WAIT_PRIVATE, expected); /* returns at once if *word != expected */
}

static void futex_wake_all(uint32_t *word)
{
    futex(word, FUTEX_WAKE_PRIVATE, INT_MAX);
}

static uint32_t load(const uint32_t *w)
{
    return __atomic_load_n(w, __ATOMIC_SEQ_CST);
}

/* The ticket packs epoch << 32 | shares << 16 | next share. Carrying the share count in the
 * same word as the claim counter matters: a worker reading `shares` separately could pair a
 * newer job's count with the old job's exhausted ticket and claim shares that never existed. */
#define TICKET(epoch, shares) ((uint64_t)(epoch) << 32 | (uint64_t)(shares) << 16)
#define T_EPOCH(t) ((uint32_t)((t) >> 32))
#define T_SHARES(t) ((uint32_t)((t) >> 16) & 0xffffu)
#define T_NEXT(t) ((uint32_t)(t) & 0xffffu)

/* Claims and runs shares of job `epoch` until none are left. fn and arg were read after the
 * epoch was seen: a successful claim proves the job is still that one, since the caller
 * publishes the next job only after every share of this one has finished. */
static void work_on(ct_pool *p, uint32_t epoch, ct_pool_fn fn, void *arg)
{
    uint64_t t = __atomic_load_n(&p->ticket, __ATOMIC_SEQ_CST);
    for (;;) {
        if (T_EPOCH(t) != epoch || T_NEXT(t) >= T_SHARES(t))
            return; /* another job, or all shares taken */
        if (!__atomic_compare_exchange_n(&p->ticket, &t, t + 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
            continue; /* t now holds the current ticket */
        fn(arg, T_NEXT(t));
        uint32_t d = __atomic_add_fetch(&p->done, 1, __ATOMIC_SEQ_CST);
        if (d == T_SHARES(t) && load(&p->caller_parked))
            futex_wake_all(&p->done);
        t = __atomic_load_n(&p->ticket, __ATOMIC_SEQ_CST);
    }
}

static void *worker_main(void *vp)
{
    ct_pool *p = vp;
    /* The epoch before the job that started this worker, not the current one: the caller
     * may have published that job already, and a worker taking its epoch as seen would
     * leave every share of it to the caller. */
    uint32_t seen = p->born_epoch;
    for (;;) {
        uint32_t e = load(&p->epoch);
        for (int i = 0; e == seen && p->spin && i < SPIN_ROUNDS; i++) {
            cpu_relax();
            e = load(&p->epoch);
        }
        /* quit is checked here too: a worker that starts only after destroy bumped the
         * epoch for the last time takes that epoch as its first and would never wake. */
        while (e == seen && !load(&p->quit)) {
            __atomic_add_fetch(&p->parked, 1, __ATOMIC_SEQ_CST);
            futex_wait(&p->epoch, seen);
            __atomic_sub_fetch(&p->parked, 1, __ATOMIC_SEQ_CST);
            e = load(&p->epoch);
        }
        seen = e;
        if (load(&p->quit))
            return NULL;
        /* The job fields were written before the epoch moved (seq_cst store); a job that
         * has been replaced since is caught by the ticket's epoch check. */
        work_on(p, e, __atomic_load_n(&p->fn, __ATOMIC_ACQUIRE), __atomic_load_n(&p->arg, __ATOMIC_ACQUIRE));
    }
}

uint32_t ct_pool_default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    if (n > MAX_WORKERS + 1)
        n = MAX_WORKERS + 1;
    return (uint32_t)n;
}

/* CPUs this process may run on (affinity mask), or 0 when unknown. */
static int usable_cpus(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return 0;
    return CPU_COUNT(&set);
}

ct_pool *ct_pool_create(uint32_t threads)
{
    if (threads < 1)
        threads = 1;
    if (threads > MAX_WORKERS + 1)
        threads = MAX_WORKERS + 1;
    ct_pool *p = aligned_alloc(64, (sizeof(ct_pool) + 63) & ~(size_t)63);
    if (!p)
        return NULL;
    memset(p, 0, sizeof *p);
    p->threads = threads;
    return p;
}

/* Starts the workers (with every signal blocked, so they inherit that mask). A failure to
 * start one leaves fewer workers; the caller picks up their shares. */
static void start_workers(ct_pool *p)
{
    p->owner_pid = getpid();
    p->started = 0;
    p->born_epoch = load(&p->epoch); /* read by the workers after pthread_create */
    int cpus = usable_cpus();
    p->spin = cpus >= (int)p->threads;
    p->one_cpu = cpus == 1;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    for (uint32_t i = 0; i + 1 < p->threads; i++) {
        if (pthread_create(&p->tid[i], NULL, worker_main, p) != 0)
            break;
        char name[16]; /* the kernel keeps 15 characters; i + 1 <= 64 fits */
        snprintf(name, sizeof name, "covertheme-%u", (i + 1) % 100u);
        pthread_setname_np(p->tid[i], name);
        p->started++;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Whether jobs can go to workers: starts them on the first parallel job (or in a forked
 * child without workers); 0 when none could be started. */
static int have_workers(ct_pool *p)
{
    if (p->started == 0 || p->owner_pid != getpid())
        start_workers(p);
    return p->started > 0;
}

/* Publishes a job of `shares` shares to the workers; returns its epoch. */
static uint32_t publish(ct_pool *p, uint32_t shares, ct_pool_fn fn, void *arg)
{
    /* Atomic stores: a worker still finishing the previous job may read these; the ticket's
     * epoch keeps it from acting on a mix of old and new. */
    __atomic_store_n(&p->fn, fn, __ATOMIC_RELEASE);
    __atomic_store_n(&p->arg, arg, __ATOMIC_RELEASE);
    __atomic_store_n(&p->done, 0, __ATOMIC_SEQ_CST);
    uint32_t epoch = load(&p->epoch) + 1;
    __atomic_store_n(&p->ticket, TICKET(epoch, shares), __ATOMIC_SEQ_CST);
    __atomic_store_n(&p->epoch, epoch, __ATOMIC_SEQ_CST);
    if (load(&p->parked))
        futex_wake_all(&p->epoch);
    return epoch;
}

/* Waits for shares still running on workers: spin a little, then sleep on `done`. */
static void wait_done(ct_pool *p, uint32_t shares)
{
    uint32_t d = load(&p->done);
    for (int i = 0; d != shares && p->spin && i < SPIN_ROUNDS; i++) {
        cpu_relax();
        d = load(&p->done);
    }
    while (d != shares) {
        __atomic_store_n(&p->caller_parked, 1, __ATOMIC_SEQ_CST);
        d = load(&p->done);
        if (d != shares)
            futex_wait(&p->done, d);
        __atomic_store_n(&p->caller_parked, 0, __ATOMIC_SEQ_CST);
        d = load(&p->done);
    }
}

void ct_pool_run(ct_pool *p, uint32_t shares, ct_pool_fn fn, void *arg)
{
    if (!p || p->threads < 2 || shares < 2 || shares > CT_POOL_MAX_SHARES || !have_workers(p)) {
        for (uint32_t s = 0; s < shares; s++)
            fn(arg, s);
        return;
    }
    uint32_t epoch = publish(p, shares, fn, arg);
    work_on(p, epoch, fn, arg);
    wait_done(p, shares);
}

void ct_pool_run_beside(ct_pool *p, void (*own)(void *arg), ct_pool_fn other, void *arg)
{
    /* On one CPU a worker beside `own` could only take turns with it. */
    if (!p || p->threads < 2 || !have_workers(p) || p->one_cpu) {
        own(arg);
        other(arg, 0);
        return;
    }
    uint32_t epoch = publish(p, 1, other, arg);
    own(arg);
    work_on(p, epoch, other, arg); /* runs `other` here if no worker has claimed it yet */
    wait_done(p, 1);
}

void ct_pool_destroy(ct_pool *p)
{
    if (!p)
        return;
    if (p->started > 0 && p->owner_pid == getpid()) {
        __atomic_store_n(&p->quit, 1, __ATOMIC_SEQ_CST);
        __atomic_add_fetch(&p->epoch, 1, __ATOMIC_SEQ_CST);
        futex_wake_all(&p->epoch);
        for (uint32_t i = 0; i < p->started; i++)
            pthread_join(p->tid[i], NULL);
    }
    free(p);
}

uint32_t ct_pool_threads(const ct_pool *p)
{
    return p ? p->threads : 1;
}

int ct_pool_spins(const ct_pool *p)
{
    return p && p->started > 0 && p->spin;
}

uint32_t ct_pool_started(const ct_pool *p)
{
    return p ? p->started : 0;
}
