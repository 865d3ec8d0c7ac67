/* The context behind covertheme_ctx, and the per-thread error slot shared by the
 * exported functions. Internal to the plugin layer. */
#ifndef CT_PLUGIN_CONTEXT_H
#define CT_PLUGIN_CONTEXT_H

#include <pthread.h>
#include <stdint.h>

#include "../abi/covertheme.h"
#include "../core/error.h"
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
};

/* Records the outcome of a call made by this thread on `ctx`: a failure keeps err's text
 * for covertheme_last_error(), a success (rc >= 0) clears it. Returns rc. */
int ct_report(const covertheme_ctx *ctx, int rc, const ct_err *err);

#endif
