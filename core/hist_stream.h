/* The colour histogram of hist.h, counted while the cover is still being decoded.
 *
 * Decoding and counting overlap on two threads: the decoder feeds the sampler (sample.h),
 * which tells this stream (its watch) each time more grid rows are final, and the reading
 * thread counts their colours meanwhile (hist_parts.h's count: the distinct colours, and
 * the coarse and fine bins once the cover has more colours than their limits). When the
 * decode ends only the bin means and their conversion are left (ct_hist_stream_finish). The result
 * is ct_hist_build's on the same samples, bit for bit: the samples are read in the same
 * order, bins are numbered by their first sample either way and their sums are integers.
 *
 * Use:
 *     ct_hist_stream_init(&hs, space, exact_limit);
 *     rc = ct_hist_stream_decode(&hs, data, size, &lim, arena, max_samples, pool, ...);
 *     if (rc == 0 && samples.n > 0) rc = ct_hist_stream_finish(&hs, arena, pool, &hist, err);
 *     ct_hist_stream_destroy(&hs);
 * The calling thread decodes (so the arena stays on its thread, pool.h) while a worker
 * counts (ct_pool_run_beside). When no worker comes in time (or the pool has one thread),
 * the decoder, ending with nobody reading, counts the remaining rows itself, and a reader
 * that comes after the end finds nothing left to do: nothing waits on a thread that has
 * not started, so this cannot deadlock. The stream's tables are taken from the arena when
 * the grid begins. */
#ifndef CT_HIST_STREAM_H
#define CT_HIST_STREAM_H

#include <pthread.h>
#include <stdint.h>

#include "arena.h"
#include "decode.h"
#include "error.h"
#include "hist.h"
#include "hist_parts.h"
#include "sample.h"

struct ct_pool;

typedef struct ct_hist_stream {
    ct_sample_watch watch; /* what the decode tells (ct_decode_limits.watch) */
    int space;
    uint32_t exact_limit;
    /* Set when the grid begins, by the decoding thread; read-only after. */
    const uint8_t *grid;
    uint32_t cols, rows;
    ct_arena_mark scratch;  /* the tables above it go at finish */
    /* The counting thread's (the decoding thread's when it counts the rest itself): on
     * cache lines of their own, since they change with every new colour. */
    _Alignas(64) ct_count count;
    ct_levels_job levels;
    /* Shared by the two threads, under `lock`... */
    _Alignas(64) pthread_mutex_t lock;
    pthread_cond_t changed;
    int state;              /* see hist_stream.c */
    int reading;            /* a thread is counting rows outside the lock */
    uint32_t counted;
    /* ...but for this, stored (atomically) by the decoder for every grid row. */
    _Alignas(64) uint32_t final_rows;
} ct_hist_stream;

void ct_hist_stream_init(ct_hist_stream *hs, int space, uint32_t exact_limit);
void ct_hist_stream_destroy(ct_hist_stream *hs);

/* ct_decode_sampled(data, size, lim, arena, max_samples, info, out, err), the same result,
 * with the colours of its samples counted meanwhile on `pool` (NULL, one thread or one
 * usable CPU: after the decode, on the calling thread). lim->watch is ignored. Once per stream. */
int ct_hist_stream_decode(ct_hist_stream *hs, const uint8_t *data, size_t size, const ct_decode_limits *lim,
                          ct_arena *arena, uint32_t max_samples, struct ct_pool *pool, ct_decoded_info *info,
                          ct_samples *out, ct_err *err);

/* After a decode that succeeded with at least one sample: the two levels (on `pool`, as
 * ct_hist_build), and the stream's tables released in `arena` (the one the decode used;
 * blocks allocated after the grid began are gone, the samples are not).
 * COVERTHEME_ERR_INVALID_ARGUMENT when nothing was counted. */
int ct_hist_stream_finish(ct_hist_stream *hs, ct_arena *arena, struct ct_pool *pool, ct_hist *out, ct_err *err);

#endif
