/* The context behind covertheme_ctx, and the per-thread error slot shared by the
 * exported functions. Internal to the plugin layer. */
#ifndef CT_PLUGIN_CONTEXT_H
#define CT_PLUGIN_CONTEXT_H

#include <pthread.h>
#include <stdint.h>

#include "../abi/covertheme.h"
#include "../core/arena.h"
#include "../core/error.h"
#include "../core/pool.h"
#include "cache.h"

typedef struct ct_options {
    int64_t k, space, bg_policy, seed, threads, max_iterations, max_samples, max_pixels,
        max_input_bytes, cache_entries;
} ct_options;

struct covertheme_ctx {
    pthread_mutex_t lock; /* serialises calls on this context */
    uint64_t serial;      /* unique per created context, so a recycled address is told apart */
    ct_options opt;
    ct_cache cache;       /* cover cache, at most opt.cache_entries themes (cache.h) */
    /* Working memory of a call, reset at its start and kept between calls, so a warm call
     * allocates nothing (arena.h). The input bytes of a file get their own grow-only
     * buffer: they are as large as the file, and keeping them out of the arena lets a
     * huge file's buffer be released without losing the arena. */
    ct_arena arena;
    uint8_t *input;
    size_t input_cap;
    ct_pool *pool;        /* started at the first call that needs it; NULL before */
    uint32_t pool_threads; /* the threads `pool` was made for */
};

/* The context's pool for the current THREADS option: (re)created when the option changed
 * since the pool was made. NULL when out of memory (callers then run inline). Call with the
 * context lock held. */
ct_pool *ct_ctx_pool(covertheme_ctx *ctx);

/* Records the outcome of a call made by this thread on `ctx`: a failure keeps err's text
 * for covertheme_last_error(), a success (rc >= 0) clears it. Returns rc. */
int ct_report(const covertheme_ctx *ctx, int rc, const ct_err *err);

#endif
