/* Sampling: which pixels of a decoded image take part in clustering.
 *
 * Pixels are read on a regular grid whose step is the smallest that keeps the count at or
 * under `max_samples`, starting half a step in so the grid is centred. That keeps the cost
 * bounded on huge covers and uses every pixel of small ones (the reference tool's fixed
 * stride of 4 leaves a 3x3 cover with one sample). Pixels with alpha < 128 are skipped:
 * transparent areas are not cover colours.
 *
 * The grid is implemented once, by the row sampler (ct_sampler_*), which a decoder feeds
 * row by row so no full image has to exist; ct_sample_image runs the same sampler over a
 * decoded image, so both give the same samples byte for byte. */
#ifndef CT_SAMPLE_H
#define CT_SAMPLE_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "error.h"
#include "image.h"

typedef struct ct_samples {
    uint32_t n;       /* samples taken (0 for a fully transparent image) */
    uint32_t step;    /* grid step used */
    uint8_t *rgb;     /* n * 3 bytes, row-major grid order; NULL when n == 0 */
    /* NULL: rgb is malloc'ed and ct_samples_free frees it. Otherwise rgb lives in this
     * arena until its next reset, and ct_samples_free only clears the struct. */
    ct_arena *arena;
} ct_samples;

int ct_sample_image(const ct_image *img, uint32_t max_samples, ct_samples *out, ct_err *err);
void ct_samples_free(ct_samples *s);

/* ---- Row sampler ---------------------------------------------------------------------
 *
 * begin, then add the wanted rows (in any order, each at most once; a row may also be
 * added in parts, see add_row_part), then finish, which hands the samples over; or
 * discard, after begin, to give up (a decoder error). Rows are RGBA8, `width` pixels. */
typedef struct ct_sampler ct_sampler;

/* Someone reading the grid while it fills (the streaming histogram, hist_stream.h, on
 * another thread). Every hook runs on the thread feeding the sampler. Grid row r is final
 * once every row before it has come whole and in order (add_row, never add_row_part): rows
 * of a decoder that goes top to bottom become final as it goes, an interlaced image's all at
 * once at finish. */
typedef struct ct_sample_watch ct_sample_watch;
struct ct_sample_watch {
    /* The grid exists (s->grid, s->cols x s->rows, one RGBA pixel per point). May take
     * memory from s->arena, the feeding thread being its only user; nonzero: out of memory,
     * and begin fails with COVERTHEME_ERR_NO_MEMORY. */
    int (*begun)(ct_sample_watch *w, const ct_sampler *s);
    /* Grid rows [0, rows) are final and will not change. */
    void (*rows_final)(ct_sample_watch *w, uint32_t rows);
    /* finish is about to compact the grid, every row now final; returns once the watcher is
     * done reading it. */
    void (*ending)(ct_sample_watch *w);
    /* discard: the grid is going away; returns once the watcher no longer reads it. */
    void (*abandoned)(ct_sample_watch *w);
};

struct ct_sampler {
    uint32_t width, height;
    uint32_t step, x0, y0; /* grid: x0, x0+step, ... and y0, y0+step, ... */
    uint32_t cols, rows;   /* grid points per row and per column */
    /* One RGBA pixel per grid point in grid order, zero (transparent) until written: rows
     * can then arrive in any order (interlaced PNG), and finish keeps the opaque ones. */
    uint8_t *grid;
    ct_arena *arena;       /* where grid (and then the samples) live; NULL: the heap */
    ct_sample_watch *watch; /* NULL: nobody */
    uint32_t final_rows;   /* grid rows told final to the watch */
    int unordered;         /* a row came in parts or out of order: no more are final before finish */
};

/* COVERTHEME_ERR_INVALID_ARGUMENT for an empty image or max_samples 0,
 * COVERTHEME_ERR_NO_MEMORY when the grid cannot be allocated or the watch's `begun` fails
 * (nothing is then held). `watch` may be NULL. */
int ct_sampler_begin(ct_sampler *s, uint32_t width, uint32_t height, uint32_t max_samples,
                     ct_arena *arena, ct_sample_watch *watch, ct_err *err);
/* The first grid row at or after y, or height when there is none: how far a decoder that
 * can skip rows may skip. */
uint32_t ct_sampler_next_row(const ct_sampler *s, uint32_t y);
int ct_sampler_wants_row(const ct_sampler *s, uint32_t y);
/* Copies row y's grid pixels; rows the grid does not use are ignored. */
void ct_sampler_add_row(ct_sampler *s, uint32_t y, const uint8_t *rgba_row);
/* Like add_row, but only pixels x_first, x_first + x_every, ... (x_every > 0) are valid (an
 * Adam7 pass); the other grid pixels of the row are left for the other parts. */
void ct_sampler_add_row_part(ct_sampler *s, uint32_t y, const uint8_t *rgba_row,
                             uint32_t x_first, uint32_t x_every);
/* Adds every grid row of a whole image (width x height, packed RGBA8). */
void ct_sampler_add_image(ct_sampler *s, const uint8_t *rgba);
/* Fills `out` (owned as ct_samples says) and ends the sampler. */
void ct_sampler_finish(ct_sampler *s, ct_samples *out);
/* Releases what begin took; safe on a zeroed sampler. */
void ct_sampler_discard(ct_sampler *s);

/* Memory from `arena`, or from the heap when it is NULL: the rule for every buffer of the
 * streaming path. ct_mem_free releases heap memory only (arena memory goes at the reset). */
void *ct_mem_alloc(ct_arena *arena, size_t size);
void *ct_mem_calloc(ct_arena *arena, size_t n, size_t size);
void ct_mem_free(ct_arena *arena, void *p);

#endif
