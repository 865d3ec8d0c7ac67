#include "hist_stream.h"

#include <stddef.h>
#include <string.h>
#include <time.h>

#include "pool.h"

/* The stream's life, moved on under the lock. The reader polls it; only the decoding thread
 * ever sleeps on `changed` (for a reader to finish counting), and only the reader signals.
 *   WAITING  no grid yet (the decoder is reading the header)
 *   OPEN     grid begun; rows [0, final_rows) may be counted
 *   ENDED    the sampler is finishing: every row is final, the reader is to count the rest
 *   TAKEN    finishing found nobody reading, so the decoding thread counts the rest itself
 *   DONE     every row counted: finish may build the levels
 *   CLOSED   the decode failed (or the grid went away): nothing more will come */
enum { WAITING, OPEN, ENDED, TAKEN, DONE, CLOSED };

/* How long the reader sleeps when it has caught up with the decoder. It polls rather than
 * being woken for new rows: waking a sleeping thread on the other CPU cost the decoding
 * thread about 15 us a time on these machines (36 wake-ups, 0.45-0.69 ms per decode of
 * path_2000.jpg and grey_1000.png, bench/README.md), while a poll costs the decoder nothing.
 * The end is the one wake-up: a reader asleep then leaves the last rows to the decoder
 * (TAKEN) and is woken to return at once, rather than at its next poll (which added up to
 * an interval to the decode when it slept through the end). */
#define CT_STREAM_POLL_NS 100000

static ct_hist_stream *of_watch(ct_sample_watch *w)
{
    return (ct_hist_stream *)((char *)w - offsetof(ct_hist_stream, watch));
}

/* Grid rows [from, to), in grid order; transparent points are not samples (sample.h). */
static void count_rows(ct_hist_stream *hs, uint32_t from, uint32_t to)
{
    ct_count_rgba(&hs->count, hs->grid + (size_t)from * hs->cols * 4, (size_t)(to - from) * hs->cols);
}

/* ---- the decoding thread's side: the sampler's watch ---------------------------------- */

static int on_begun(ct_sample_watch *w, const ct_sampler *s)
{
    ct_hist_stream *hs = of_watch(w);
    ct_arena *a = s->arena;
    if (!a)
        return -1; /* the stream's tables live in the decode's arena */
    /* Tables for every grid point being a distinct colour (at most 2^24 exist); untouched
     * pages past the colours actually met cost no memory. The levels' arrays come first, as
     * in ct_hist_build; everything after the mark is scratch. */
    uint64_t points = (uint64_t)s->cols * s->rows;
    uint32_t max = points < (1u << 24) ? (uint32_t)points : (1u << 24);
    if (ct_levels_alloc(&hs->levels, max, a) < 0)
        return -1;
    hs->scratch = ct_arena_mark_get(a);
    if (ct_count_alloc(&hs->count, max, hs->exact_limit, a) < 0)
        return -1;
    pthread_mutex_lock(&hs->lock);
    hs->grid = s->grid;
    hs->cols = s->cols;
    hs->rows = s->rows;
    hs->state = OPEN;
    pthread_mutex_unlock(&hs->lock);
    return 0;
}

/* Per grid row, so no lock: the release store publishes the row's pixels with the count. */
static void on_rows_final(ct_sample_watch *w, uint32_t rows)
{
    __atomic_store_n(&of_watch(w)->final_rows, rows, __ATOMIC_RELEASE);
}

static void on_ending(ct_sample_watch *w)
{
    ct_hist_stream *hs = of_watch(w);
    pthread_mutex_lock(&hs->lock);
    __atomic_store_n(&hs->final_rows, hs->rows, __ATOMIC_RELEASE);
    if (hs->reading) { /* the reader counts the rest; wait, as the grid is about to change */
        hs->state = ENDED;
        while (hs->state != DONE)
            pthread_cond_wait(&hs->changed, &hs->lock);
        pthread_mutex_unlock(&hs->lock);
        return;
    }
    /* Nobody is reading now (the reader has not started, or sleeps and will see TAKEN):
     * count the rest here rather than wait for a thread that may not run soon. */
    hs->state = TAKEN;
    uint32_t from = hs->counted;
    pthread_mutex_unlock(&hs->lock);
    count_rows(hs, from, hs->rows);
    pthread_mutex_lock(&hs->lock);
    hs->counted = hs->rows;
    hs->state = DONE;
    pthread_cond_broadcast(&hs->changed); /* a reader asleep returns now, not at its next poll */
    pthread_mutex_unlock(&hs->lock);
}

/* The grid goes away (or never came): a reader still counting finishes its batch first. */
static void close_locked(ct_hist_stream *hs)
{
    if (hs->state == DONE || hs->state == CLOSED)
        return;
    hs->state = CLOSED;
    pthread_cond_broadcast(&hs->changed);
    while (hs->reading)
        pthread_cond_wait(&hs->changed, &hs->lock);
}

static void on_abandoned(ct_sample_watch *w)
{
    ct_hist_stream *hs = of_watch(w);
    pthread_mutex_lock(&hs->lock);
    close_locked(hs);
    pthread_mutex_unlock(&hs->lock);
}

/* By the decoding share once the decode has returned, whatever it returned: a stream
 * whose grid never began, or never finished, is closed, so a waiting reader returns. */
static void stream_close(ct_hist_stream *hs)
{
    pthread_mutex_lock(&hs->lock);
    close_locked(hs);
    pthread_mutex_unlock(&hs->lock);
}

/* ---- the reading thread's side ----------------------------------------------------------- */

/* The reading share: counts final rows as they come, sleeping CT_STREAM_POLL_NS whenever it
 * has caught up; returns when every row is counted, or when the decode failed. */
static void stream_read(ct_hist_stream *hs)
{
    pthread_mutex_lock(&hs->lock);
    while (hs->state == WAITING || hs->state == OPEN || hs->state == ENDED) {
        uint32_t to = __atomic_load_n(&hs->final_rows, __ATOMIC_ACQUIRE);
        if (hs->counted == to) {
            if (hs->state == ENDED) { /* every row counted; the decoder waits for this */
                hs->state = DONE;
                pthread_cond_broadcast(&hs->changed);
                break;
            }
            /* Woken early only by the decoder's end (or failure), never by a row. */
            struct timespec until;
            clock_gettime(CLOCK_MONOTONIC, &until);
            until.tv_nsec += CT_STREAM_POLL_NS;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&hs->changed, &hs->lock, &until);
            continue;
        }
        uint32_t from = hs->counted;
        hs->reading = 1;
        pthread_mutex_unlock(&hs->lock);
        count_rows(hs, from, to);
        pthread_mutex_lock(&hs->lock);
        hs->counted = to;
        hs->reading = 0;
        pthread_cond_broadcast(&hs->changed); /* for an ending or a close waiting on `reading` */
    }
    pthread_mutex_unlock(&hs->lock);
}

/* ---- the job ---------------------------------------------------------------------------- */

typedef struct decode_job {
    ct_hist_stream *hs;
    const uint8_t *data;
    size_t size;
    ct_decode_limits lim;
    ct_arena *arena;
    uint32_t max_samples;
    ct_decoded_info *info;
    ct_samples *out;
    ct_err *err;
    int rc;
} decode_job;

/* The decode, on the calling thread (ct_pool_run_beside): the arena stays on the thread that
 * owns it (pool.h), and the input bytes the caller just read stay in its cache. */
static void decode_here(void *arg)
{
    decode_job *j = arg;
    j->rc = ct_decode_sampled(j->data, j->size, &j->lim, j->arena, j->max_samples, j->info, j->out, j->err);
    stream_close(j->hs);
}

/* The count, on a worker. */
static void read_beside(void *arg, uint32_t share)
{
    (void)share;
    stream_read(((decode_job *)arg)->hs);
}

int ct_hist_stream_decode(ct_hist_stream *hs, const uint8_t *data, size_t size, const ct_decode_limits *lim,
                          ct_arena *arena, uint32_t max_samples, ct_pool *pool, ct_decoded_info *info,
                          ct_samples *out, ct_err *err)
{
    decode_job j = {.hs = hs, .data = data, .size = size, .arena = arena, .max_samples = max_samples,
                    .info = info, .out = out, .err = err};
    if (lim)
        j.lim = *lim;
    else
        j.lim.max_pixels = CT_DEFAULT_MAX_PIXELS;
    j.lim.watch = &hs->watch;
    ct_pool_run_beside(pool, decode_here, read_beside, &j);
    return j.rc;
}

/* ---- set-up and the end -------------------------------------------------------------------- */

void ct_hist_stream_init(ct_hist_stream *hs, int space, uint32_t exact_limit)
{
    memset(hs, 0, sizeof *hs);
    hs->watch = (ct_sample_watch){on_begun, on_rows_final, on_ending, on_abandoned};
    hs->space = space;
    hs->exact_limit = exact_limit;
    hs->state = WAITING;
    pthread_mutex_init(&hs->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC); /* the reader's poll is a duration */
    pthread_cond_init(&hs->changed, &attr);
    pthread_condattr_destroy(&attr);
}

void ct_hist_stream_destroy(ct_hist_stream *hs)
{
    pthread_cond_destroy(&hs->changed);
    pthread_mutex_destroy(&hs->lock);
}

int ct_hist_stream_finish(ct_hist_stream *hs, ct_arena *arena, ct_pool *pool, ct_hist *out, ct_err *err)
{
    memset(out, 0, sizeof *out);
    if (hs->state != DONE || hs->count.u.n == 0)
        return ct_fail(err, COVERTHEME_ERR_INVALID_ARGUMENT, "histogram: no samples");
    ct_levels_job *job = &hs->levels;
    job->count = &hs->count;
    job->space = hs->space;
    job->out = out;
    ct_levels_run(job, pool);
    ct_arena_rewind(arena, &hs->scratch);
    return 0;
}
