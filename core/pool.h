/* A persistent worker pool for data-parallel stages of one generate call.
 *
 * A pool of T threads is T - 1 worker threads plus the calling thread, which always takes
 * shares of the work itself (a hand-off is never cheaper than doing a share in place).
 * Workers start lazily, on the first ct_pool_run that has more than one share, and stay
 * until ct_pool_destroy joins them.
 *
 * Dispatch (see ../shared/docs/hosts-abi-style.md §3.5 for the measurements behind it): the
 * caller publishes a job and bumps an epoch word; workers waiting on that word spin for a
 * bounded time and then sleep on a futex. Shares are claimed from one atomic ticket that
 * also carries the epoch, so a worker that wakes late can never take a share of a newer job
 * with an older job's function. Workers never spin when the process may use fewer CPUs
 * than the pool has threads (oversubscription turned microseconds into milliseconds there).
 *
 * Determinism is the caller's business and is easy: share s always does the same work
 * whichever thread runs it, so results written per share and combined in share order do not
 * depend on the thread count or on scheduling.
 *
 * Process life: worker threads block every signal (the host's handlers run on its own
 * threads). After fork() the child has no workers; the pool notices (pid check) and starts
 * new ones on demand. The library is linked with -z nodelete, so a host that dlcloses it
 * while a pool exists does not pull code from under running workers; ct_pool_destroy
 * (covertheme_ctx_destroy) is where they are joined. */
#ifndef CT_POOL_H
#define CT_POOL_H

#include <stdint.h>

typedef struct ct_pool ct_pool;

/* Work function: runs share `share` of `arg`'s job. Must not allocate from the context's
 * arena (only the calling thread may) and must not call ct_pool_run. */
typedef void (*ct_pool_fn)(void *arg, uint32_t share);

/* threads >= 1 (1: every job runs inline). NULL when out of memory. */
ct_pool *ct_pool_create(uint32_t threads);
/* Stops and joins the workers, frees the pool. NULL is ignored. */
void ct_pool_destroy(ct_pool *p);
/* Threads the pool may use, the caller included. */
uint32_t ct_pool_threads(const ct_pool *p);

#define CT_POOL_MAX_SHARES 65535u

/* Runs fn(arg, s) for every s in [0, shares) and returns when all have finished. Shares may
 * outnumber threads; each is claimed once by whichever participant is free. With p NULL,
 * one thread, one share, or more than CT_POOL_MAX_SHARES shares, everything runs inline on the caller. If workers cannot be
 * started (pthread_create fails), the caller does all shares: slower, same result. */
void ct_pool_run(ct_pool *p, uint32_t shares, ct_pool_fn fn, void *arg);

/* Runs own(arg) on the calling thread while a worker runs other(arg, 0), and returns when
 * both have finished: for two different tasks that must go side by side (a decode that
 * keeps the arena on the caller's thread, and a reader of what it produces). When no worker
 * has claimed `other` by the time `own` returns (none free, none could be started, p NULL
 * or one thread), the caller runs it then, as it does whenever the process may use only
 * one CPU; so `other` must not wait for anything `own` has not finished by its end. */
void ct_pool_run_beside(ct_pool *p, void (*own)(void *arg), ct_pool_fn other, void *arg);

/* 1 when the pool's threads may busy-wait for each other: its workers run and the process
 * may use at least as many CPUs as the pool has threads. A job's shares can ask (workers
 * have started by then) before waiting on one another's progress, which on fewer CPUs would
 * only take turns with the thread being waited for. */
int ct_pool_spins(const ct_pool *p);

/* Worker threads started so far (0 before the first parallel job), for tests. */
uint32_t ct_pool_started(const ct_pool *p);

/* Threads that "0 = one per online CPU" means here (>= 1). */
uint32_t ct_pool_default_threads(void);

#endif
